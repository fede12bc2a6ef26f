/* SPDX-License-Identifier: MIT */
/*
 * POST /tips (the web form, multipart/form-data, answered with HTML) and
 * POST /api/v1/tips (multipart or JSON, answered with JSON).
 *
 * The loop thread counts the submission against submissions_per_hour
 * (429 past it) and moves the body (already bounded by the guard) into a
 * job; parsing, validation, libmagic, encryption and the commit run on a
 * worker (service/intake.c); the reply is written when the job is done.
 * The receipt code appears in the reply body only, never in a URL or log.
 *
 * The web form's answers are pages in the request's language (?lang= on
 * the form's action, else Accept-Language): the receipt page, or on a
 * refusal the form again with the tipster's text filled in and the
 * problem beside its field (the worker keeps copies of the text fields
 * and loads the code lists for that).  The API's errors stay English with
 * the contract's error shape.  Per-file limits and the file count are
 * left to intake (the parser only bounds the body and the parts), so that
 * a refusal can name the file and the limit in either language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <jansson.h>
#include <sodium.h>

#include "handlers/http_form.h"
#include "handlers/http_public.h"
#include "handlers/http_routes.h"
#include "handlers/i18n.h"
#include "service/config.h"
#include "service/form.h"
#include "service/intake.h"
#include "service/utf8.h"
#include "service/public_codes.h"
#include "service/workers.h"

#define TIPS_PARTS_MAX 64
#define TIPS_PART_HEADER_MAX (8 * 1024)
#define TIPS_FIELD_MAX (INTAKE_DETAILS_MAX * 4 + 1024)
#define TIPS_JSON_DEPTH 4

/* The text fields of the form: the members of struct http_form_values
 * (summary, details, institution, county, domain, violation, occurred_on,
 * contact_name, contact_phone, contact_email), all const char *. */
#define TIPS_NFIELDS (sizeof(struct http_form_values) / sizeof(const char *))

struct tips_job {
	struct http_req *r;
	bool api;
	enum i18n_lang lang;
	char *content_type;
	struct evbuffer *body;
	const struct config *cfg;
	/* Results, written by the worker. */
	int status;			/* HTTP status when refused before intake */
	char code[32];
	char message[512];
	char field[64];
	const char *web_msgid;		/* the refusal for the page: a format */
	char web_arg[256];		/* with one argument, or "" */
	struct intake_result res;
	/* Web refusals: what to fill the form in with. */
	char *values[TIPS_NFIELDS];
	struct public_codes codes;
	bool have_codes;
};

static void
tips_job_free(struct tips_job *j)
{
	if (j == NULL)
		return;
	if (j->body != NULL)
		evbuffer_free(j->body);
	free(j->content_type);
	for (size_t i = 0; i < TIPS_NFIELDS; i++) {
		if (j->values[i] != NULL) {
			sodium_memzero(j->values[i], strlen(j->values[i]));
			free(j->values[i]);
		}
	}
	public_codes_free(&j->codes);
	sodium_memzero(&j->res, sizeof(j->res));
	free(j);
}

/*
 * Refuse before intake.  message is the English text (API).  The page
 * shows j->web_msgid instead when the caller set it (a msgid format with
 * at most one %s, filled with web_arg: a field name, shown as its label),
 * else the message.
 */
static void
tips_refuse(struct tips_job *j, int status, const char *code,
    const char *field, const char *message)
{
	j->status = status;
	snprintf(j->code, sizeof(j->code), "%s", code);
	snprintf(j->field, sizeof(j->field), "%s", field ? field : "");
	snprintf(j->message, sizeof(j->message), "%s", message);
}

/* The page text of a form parser failure. */
static const char *
tips_form_msgid(enum form_status fs)
{
	switch (fs) {
	case FORM_ERR_CONTENT_TYPE:
		return N_("The form could not be read (it was not sent as "
		    "multipart/form-data). Please send it again.");
	case FORM_ERR_SYNTAX:
		return N_("The form arrived incomplete or damaged. Please send "
		    "it again.");
	case FORM_ERR_TOO_MANY_PARTS:
		return N_("The form has too many parts.");
	case FORM_ERR_HEADER_TOO_LARGE:
		return N_("A part of the form has too large a header.");
	case FORM_ERR_FIELD_TOO_LONG:
		return N_("%s is too long.");
	case FORM_ERR_FILE_TOO_LARGE:
	case FORM_ERR_TOO_MANY_FILES:
	case FORM_ERR_BODY_TOO_LARGE:
		return N_("The files are too large or too many.");
	default:
		return N_("The tip could not be stored just now; nothing was "
		    "kept. Please try again in a minute.");
	}
}

static const char *
tips_form_text(const struct form *f, const char *name)
{
	const struct form_part *p = form_field(f, name);

	return p != NULL ? (const char *)p->data : NULL;
}

/* Worker: a multipart body into an intake_tip, then intake. */
static void
tips_work_multipart(struct service_worker *w, struct tips_job *j,
    const unsigned char *data, size_t len)
{
	/* File size and count are intake's to judge (see the top). */
	struct form_limits lim = {
		.body_max = j->cfg->tip_max,
		.parts_max = TIPS_PARTS_MAX,
		.part_header_max = TIPS_PART_HEADER_MAX,
		.field_max = TIPS_FIELD_MAX,
		.file_max = j->cfg->tip_max,
		.files_max = TIPS_PARTS_MAX,
		.boundary_max = 70,
	};
	struct form form = { NULL, 0 };
	struct intake_file *files = NULL;
	struct intake_tip tip;
	const char *field = NULL;
	char msg[512];
	enum form_status fs;
	size_t nfiles = 0;

	/* The files are slices of the body (form.h): it stays until the
	 * job ends, and is the only copy of the upload. */
	fs = form_parse(j->content_type, data, len, &lim, &form, msg,
	    sizeof(msg), &field);
	if (fs != FORM_OK) {
		j->web_msgid = tips_form_msgid(fs);
		snprintf(j->web_arg, sizeof(j->web_arg), "%s",
		    field != NULL ? field : "");
	}
	switch (fs) {
	case FORM_OK:
		break;
	case FORM_ERR_FILE_TOO_LARGE:
	case FORM_ERR_TOO_MANY_FILES:
	case FORM_ERR_BODY_TOO_LARGE:
		tips_refuse(j, 413, "too_large", field, msg);
		goto out;
	case FORM_ERR_NOMEM:
		tips_refuse(j, 503, "unavailable", NULL, "out of memory");
		goto out;
	default:
		tips_refuse(j, 400, "invalid", field, msg);
		goto out;
	}
	if (form.nparts > 0 &&
	    (files = calloc(form.nparts, sizeof(*files))) == NULL) {
		tips_refuse(j, 503, "unavailable", NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < form.nparts; i++) {
		const struct form_part *p = &form.parts[i];

		if (!p->is_file) {
			/* Values are bytes: a NUL would cut the text short
			 * without anyone noticing.  Refuse it by name. */
			if (memchr(p->data, '\0', p->len) != NULL) {
				char m[160];

				snprintf(m, sizeof(m), "%.64s contains a NUL "
				    "character", p->name);
				j->web_msgid = N_("%s contains a NUL "
				    "character.");
				snprintf(j->web_arg, sizeof(j->web_arg), "%s",
				    p->name);
				tips_refuse(j, 400, "invalid", p->name, m);
				goto out;
			}
			continue;
		}
		if (strcmp(p->name, "attachments") != 0) {
			j->web_msgid = N_("Files are accepted only in the "
			    "evidence field.");
			tips_refuse(j, 400, "invalid", p->name, "files are "
			    "accepted only in the field attachments");
			goto out;
		}
		files[nfiles].field = "attachments";
		files[nfiles].name = p->filename;
		files[nfiles].data = p->data;
		files[nfiles].len = p->len;
		nfiles++;
	}
	memset(&tip, 0, sizeof(tip));
	tip.channel = j->api ? "api" : "web";
	tip.summary = tips_form_text(&form, "summary");
	tip.details = tips_form_text(&form, "details");
	tip.institution = tips_form_text(&form, "institution");
	tip.county = tips_form_text(&form, "county");
	tip.domain = tips_form_text(&form, "domain");
	tip.violation = tips_form_text(&form, "violation");
	tip.occurred_on = tips_form_text(&form, "occurred_on");
	tip.contact_name = tips_form_text(&form, "contact_name");
	tip.contact_phone = tips_form_text(&form, "contact_phone");
	tip.contact_email = tips_form_text(&form, "contact_email");
	tip.files = files;
	tip.nfiles = nfiles;
	tip.nonce = tips_form_text(&form, "nonce");
	if (!j->api) {
		/* Keep the text to fill the form in again if refused. */
		const char *vals[TIPS_NFIELDS] = { tip.summary, tip.details,
		    tip.institution, tip.county, tip.domain, tip.violation,
		    tip.occurred_on, tip.contact_name, tip.contact_phone,
		    tip.contact_email };

		for (size_t i = 0; i < TIPS_NFIELDS; i++)
			if (vals[i] != NULL &&
			    utf8_valid(vals[i], strlen(vals[i])) &&
			    (j->values[i] = strdup(vals[i])) == NULL) {
				tips_refuse(j, 503, "unavailable", NULL,
				    "out of memory");
				goto out;
			}
	}
	intake_submit(w, &tip, &j->res);
out:
	free(files);
	form_free(&form);
}

/* Worker: a JSON body (API only) into an intake_tip, then intake. */
static void
tips_work_json(struct service_worker *w, struct tips_job *j,
    const unsigned char *data, size_t len)
{
	struct intake_tip tip;
	json_error_t jerr;
	json_t *root;

	if (!utf8_valid((const char *)data, len)) {
		tips_refuse(j, 400, "invalid", NULL, "the body is not valid "
		    "UTF-8");
		return;
	}
	root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	memset(&tip, 0, sizeof(tip));
	tip.channel = "api";
	if (intake_tip_from_json(root, false, &tip, &j->res))
		intake_submit(w, &tip, &j->res);
	json_decref(root);
}

static bool
content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct != NULL && strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void
tips_work(void *state, void *arg)
{
	struct service_worker *w = state;
	struct tips_job *j = arg;
	size_t len = evbuffer_get_length(j->body);
	const unsigned char *data = evbuffer_pullup(j->body, -1);

	if (data == NULL && len > 0) {
		tips_refuse(j, 503, "unavailable", NULL, "out of memory");
		return;
	}
	if (content_type_is(j->content_type, "multipart/form-data"))
		tips_work_multipart(w, j, data, len);
	else if (j->api && content_type_is(j->content_type,
	    "application/json"))
		tips_work_json(w, j, data, len);
	else {
		j->web_msgid = tips_form_msgid(FORM_ERR_CONTENT_TYPE);
		tips_refuse(j, 415, "unsupported_media_type", NULL,
		    j->api ? "send multipart/form-data or application/json" :
		    "send the form as multipart/form-data");
	}
	/* A refused web form comes back with its code lists. */
	if (!j->api && (j->status != 0 || j->res.status != INTAKE_OK) &&
	    j->status != 503 && j->res.status != INTAKE_TRANSIENT &&
	    public_codes_load(w, PUBLIC_CODES_FORM, &j->codes) == 0)
		j->have_codes = true;
	/* Here, not on the loop: unmapping an upload takes milliseconds. */
	evbuffer_free(j->body);
	j->body = NULL;
}

static const char *
tips_code(enum intake_status st)
{
	switch (st) {
	case INTAKE_OK:		return "ok";
	case INTAKE_INVALID:	return "invalid";
	case INTAKE_TOO_LARGE:	return "too_large";
	case INTAKE_BAD_TYPE:	return "unsupported_type";
	case INTAKE_TRANSIENT:	return "unavailable";
	case INTAKE_FAILED:	return "internal";
	}
	return "internal";
}

/*
 * The receipt page: the reference, the code (shown once, grouped by four
 * for copying by hand), what to do with it, and a print stylesheet that
 * turns the page into a clean sheet (the browser's own Print command: no
 * script).  The code is never put in a URL, a link or the log.
 */
static void
tips_reply_receipt_html(struct http_req *r, enum i18n_lang lang,
    const struct intake_result *res)
{
	struct evbuffer *buf = evbuffer_new();
	char grouped[INTAKE_RECEIPT_DIGITS + 4];
	size_t n = 0;

	if (buf == NULL) {
		http_reply_error(r, 500, "internal", "out of memory", NULL);
		return;
	}
	for (int i = 0; i < INTAKE_RECEIPT_DIGITS; i++) {
		if (i > 0 && i % 4 == 0)
			grouped[n++] = ' ';
		grouped[n++] = res->receipt[i];
	}
	grouped[n] = '\0';
	http_public_page_begin(buf, lang, N_("Tip received"), "/");
	evbuffer_add_printf(buf, "<h1>");
	http_public_put(buf, lang, N_("Tip received"));
	evbuffer_add_printf(buf, "</h1>\n<dl class=\"facts\"><dt>");
	http_public_put(buf, lang, N_("Tip reference"));
	evbuffer_add_printf(buf, "</dt><dd><strong id=\"tip-id\">");
	http_html_escape(buf, res->id);
	evbuffer_add_printf(buf, "</strong></dd><dt>");
	http_public_put(buf, lang, N_("Received"));
	evbuffer_add_printf(buf, "</dt><dd>");
	{
		struct tm tm;
		char when[32];

		/* RFC 3339 UTC from intake, shown in China Standard Time. */
		memset(&tm, 0, sizeof(tm));
		if (strptime(res->received_at, "%Y-%m-%dT%H:%M:%SZ", &tm) !=
		    NULL) {
			http_public_time(when, sizeof(when), timegm(&tm));
			http_html_escape(buf, when);
		} else
			http_html_escape(buf, res->received_at);
	}
	evbuffer_add_printf(buf, "</dd></dl>\n<h2>");
	http_public_put(buf, lang, N_("Your receipt code"));
	evbuffer_add_printf(buf, "</h2><p><span class=\"receipt\" "
	    "id=\"receipt\">");
	http_html_escape(buf, grouped);
	evbuffer_add_printf(buf, "</span></p>\n<div class=\"warning\"><p>"
	    "<strong>");
	http_public_put(buf, lang, N_("Write this code down or print this "
	    "page now."));
	evbuffer_add_printf(buf, "</strong> ");
	http_public_put(buf, lang, N_("It is shown only this once. We do not "
	    "keep it, so it cannot be sent to you again or recovered if you "
	    "lose it."));
	evbuffer_add_printf(buf, "</p><p>");
	http_public_put(buf, lang, N_("With the code you can see the "
	    "progress of your tip, read and answer the bureau's questions and "
	    "add evidence on the follow-up page. Keep it where nobody else "
	    "will find it: whoever has the code can read your tip."));
	evbuffer_add_printf(buf, "</p></div>\n<p class=\"no-print\">");
	http_public_put(buf, lang, N_("To print: use your browser's Print "
	    "command. The printout shows only the reference and the code."));
	evbuffer_add_printf(buf, "</p>\n<p class=\"print-only\">");
	http_public_put(buf, lang, N_("Follow-up page:"));
	/* On paper a path alone leads nowhere: the whole address (as the
	 * mail acknowledgement writes it, without a trailing slash). */
	{
		const struct config *cfg = http_server_env(r->srv)->cfg;
		char url[sizeof(cfg->public_url)];
		size_t len;

		snprintf(url, sizeof(url), "%s", cfg->public_url);
		len = strlen(url);
		while (len > 0 && url[len - 1] == '/')
			url[--len] = '\0';
		evbuffer_add_printf(buf, " ");
		http_html_escape(buf, url);
	}
	evbuffer_add_printf(buf, "/follow-up</p>\n<p class=\"no-print\">"
	    "<a href=\"/follow-up?lang=%s\" id=\"follow-up-link\">",
	    i18n_code(lang));
	http_public_put(buf, lang, N_("Go to the follow-up page"));
	evbuffer_add_printf(buf, "</a></p>\n");
	http_public_page_end(buf, lang);
	http_public_page_reply(r, 201, buf);
	evbuffer_free(buf);
}

static void
tips_reply_receipt_json(struct http_req *r, const struct intake_result *res)
{
	json_t *o = intake_result_doc(res);
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (text == NULL) {
		/* The tip is stored; the tipster must still get the code. */
		char fallback[160];
		int n = snprintf(fallback, sizeof(fallback), "{\"id\":\"%s\","
		    "\"receipt\":\"%s\",\"status\":\"received\"}", res->id,
		    res->receipt);

		http_reply(r, 201, "application/json", fallback,
		    n > 0 ? (size_t)n : 0);
		return;
	}
	http_reply(r, 201, "application/json", text, strlen(text));
	sodium_memzero(text, strlen(text));
	free(text);
}

/*
 * The same form post arrived again (a double click, a browser retry): the
 * tip is stored once.  The receipt was shown with the first answer and is
 * not kept, so it cannot be shown again; say so plainly.
 */
static void
tips_reply_duplicate(struct http_req *r, bool api, enum i18n_lang lang,
    const struct intake_result *res)
{
	struct evbuffer *buf;

	if (api) {
		json_t *o = json_pack("{s:s, s:s, s:b}", "id", res->id,
		    "status", "received", "duplicate", 1);
		char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

		json_decref(o);
		if (text == NULL) {
			http_reply_error(r, 500, "internal", "out of memory",
			    NULL);
			return;
		}
		http_reply(r, 200, "application/json", text, strlen(text));
		free(text);
		return;
	}
	if ((buf = evbuffer_new()) == NULL) {
		http_reply_error(r, 500, "internal", "out of memory", NULL);
		return;
	}
	http_public_page_begin(buf, lang, N_("Tip received"), "/");
	evbuffer_add_printf(buf, "<h1>");
	http_public_put(buf, lang, N_("This tip has already been received"));
	evbuffer_add_printf(buf, "</h1><p>");
	http_public_put(buf, lang, N_("Tip reference"));
	evbuffer_add_printf(buf, ": <strong id=\"tip-id\">");
	http_html_escape(buf, res->id);
	evbuffer_add_printf(buf, "</strong></p><p>");
	http_public_put(buf, lang, N_("The same form is stored only once. "
	    "The receipt code was shown after the first submission; for your "
	    "safety we do not keep it and cannot show it again."));
	evbuffer_add_printf(buf, "</p>\n");
	http_public_page_end(buf, lang);
	http_public_page_reply(r, 200, buf);
	evbuffer_free(buf);
}

/* Loop thread: a refused web form comes back filled in. */
static void
tips_reply_form_again(struct tips_job *j, int status)
{
	struct http_req *r = j->r;
	struct http_form_values v;
	char text[700];
	const char *field;
	struct evbuffer *buf;

	if (j->status != 0) {
		const char *label = http_form_label(j->web_arg);
		const char *arg = label != NULL ? i18n_tr(j->lang, label) :
		    j->web_arg;

		i18n_format(text, sizeof(text), i18n_tr(j->lang,
		    j->web_msgid != NULL ? j->web_msgid : j->message), &arg, 1);
		field = j->field[0] != '\0' ? j->field : NULL;
	} else {
		http_form_intake_text(j->lang, &j->res, text, sizeof(text));
		field = j->res.field[0] != '\0' ? j->res.field : NULL;
	}
	if (!j->have_codes || (buf = evbuffer_new()) == NULL) {
		http_reply_error(r, status, j->status != 0 ? j->code :
		    tips_code(j->res.status), text, field);
		return;
	}
	v.summary = j->values[0];
	v.details = j->values[1];
	v.institution = j->values[2];
	v.county = j->values[3];
	v.domain = j->values[4];
	v.violation = j->values[5];
	v.occurred_on = j->values[6];
	v.contact_name = j->values[7];
	v.contact_phone = j->values[8];
	v.contact_email = j->values[9];
	http_form_render(buf, j->lang, j->cfg, &j->codes, &v,
	    field != NULL ? field : "", text);
	http_public_page_reply(r, status, buf);
	evbuffer_free(buf);
}

/* Loop thread: the job is done; answer. */
static void
tips_done(void *arg)
{
	struct tips_job *j = arg;
	struct http_req *r = j->r;

	if (j->status != 0) {
		if (j->status == 503)
			http_req_add_header(r, "Retry-After", "30");
		if (!j->api && j->status != 503)
			tips_reply_form_again(j, j->status);
		else
			http_reply_error(r, j->status, j->code, j->message,
			    j->field[0] ? j->field : NULL);
	} else if (j->res.status != INTAKE_OK) {
		if (j->res.status == INTAKE_TRANSIENT)
			http_req_add_header(r, "Retry-After", "30");
		if (!j->api && j->res.status != INTAKE_TRANSIENT &&
		    j->res.status != INTAKE_FAILED)
			tips_reply_form_again(j,
			    intake_http_status(j->res.status));
		else
			http_reply_error(r, intake_http_status(j->res.status),
			    tips_code(j->res.status), j->res.message,
			    j->res.field[0] ? j->res.field : NULL);
	} else if (j->res.duplicate) {
		tips_reply_duplicate(r, j->api, j->lang, &j->res);
	} else if (j->api) {
		tips_reply_receipt_json(r, &j->res);
	} else {
		tips_reply_receipt_html(r, j->lang, &j->res);
	}
	tips_job_free(j);
}

static void
tips_post(struct http_req *r, bool api)
{
	const struct http_server_env *env = http_server_env(r->srv);
	struct evbuffer *in = http_req_body(r);
	const char *ct = http_req_header(r, "Content-Type");
	struct tips_job *j;
	int64_t retry = 0;

	if (!http_public_take_submission(r, &retry)) {
		http_public_retry_after(r, retry);
		http_reply_error(r, 429, "rate_limited", api ?
		    "too many submissions from this address; try again later" :
		    i18n_tr(http_public_lang(r), N_("Too many tips were sent "
		    "from your connection in the last hour. Please try again "
		    "later.")), NULL);
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL || in == NULL ||
	    (j->body = evbuffer_new()) == NULL ||
	    (j->content_type = strdup(ct != NULL ? ct : "")) == NULL) {
		tips_job_free(j);
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	j->r = r;
	j->api = api;
	j->lang = http_public_lang(r);
	j->cfg = env->cfg;
	/* Move (not copy) the body's chains to the job. */
	evbuffer_add_buffer(j->body, in);
	if (workers_submit(env->workers, tips_work, tips_done, j) == 0) {
		tips_job_free(j);
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
	}
}

void
http_tips_post_form(struct http_req *r)
{
	tips_post(r, false);
}

void
http_tips_post_api(struct http_req *r)
{
	tips_post(r, true);
}
