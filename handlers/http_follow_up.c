/* SPDX-License-Identifier: MIT */
/*
 * The tipster's follow-up, HTML and JSON:
 *
 *   GET  /follow-up                  the receipt form; with a live tipster
 *                                    session, the status page
 *   POST /follow-up                  receipt (urlencoded or multipart) ->
 *                                    status page, and a tipster session
 *   POST /follow-up/reply            session + CSRF token: a message and
 *                                    files (or "logout"), then 303 back
 *   POST /api/v1/follow-up           {"receipt"} -> the status as JSON
 *   POST /api/v1/follow-up/messages  {"receipt", "text"} (or multipart
 *                                    with attachments) -> 201
 *
 * Every receipt attempt is counted before it is checked, per hashed
 * client address and in total (http_public.h), and given back when the
 * code was right: more than HTTP_PUBLIC_RECEIPT_LIMIT wrong codes from one
 * address within HTTP_PUBLIC_RECEIPT_WINDOW seconds get 429 with
 * Retry-After for every code, right or wrong, until the oldest wrong one
 * leaves the window; then a right code works again.  A wrong, unknown or
 * malformed code gets the same answer.  The code is read from the body
 * only, never from a URL, and never logged.
 *
 * Parsing, the look-up (a keyed hash and an indexed read), decryption and
 * the message's pipeline (intake_add_message()) run on a worker; the
 * loop thread only checks the limits and the session, and writes pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <sodium.h>

#include "handlers/http_form.h"
#include "handlers/http_public.h"
#include "handlers/http_routes.h"
#include "handlers/i18n.h"
#include "service/cases.h"
#include "service/config.h"
#include "service/follow_up.h"
#include "service/form.h"
#include "service/intake.h"
#include "service/utf8.h"
#include "service/workers.h"

#define FU_PARTS_MAX 64
#define FU_PART_HEADER_MAX (8 * 1024)
#define FU_FIELD_MAX (INTAKE_MESSAGE_MAX * 4 + 1024)

enum fu_kind {
	FU_VIEW_SESSION,	/* GET /follow-up with a session */
	FU_LOGIN,		/* POST /follow-up */
	FU_REPLY,		/* POST /follow-up/reply */
	FU_API_VIEW,		/* POST /api/v1/follow-up */
	FU_API_MESSAGE,		/* POST /api/v1/follow-up/messages */
};

struct fu_job {
	struct http_req *r;
	enum fu_kind kind;
	enum i18n_lang lang;
	const struct config *cfg;
	char *content_type;
	struct evbuffer *body;
	unsigned char client[RATELIMIT_ID_BYTES];
	int64_t tip_id;			/* from the session */
	char csrf[TIPSTER_SESSION_CSRF_HEX + 1];
	bool sent;			/* ?sent=1: show "message sent" */
	/* Results, written by the worker. */
	int status;			/* refused before the pipeline */
	char code[32];
	char message[512];
	const char *web_msgid;
	char field[64];
	enum follow_up_status fst;
	bool receipt_right;
	bool logout;
	struct follow_up_view view;
	bool have_view;
	struct intake_result res;
	bool ran_intake;
	char *text;			/* the tipster's text, to fill in again */
};

static void
fu_job_free(struct fu_job *j)
{
	if (j == NULL)
		return;
	if (j->body != NULL)
		evbuffer_free(j->body);
	free(j->content_type);
	follow_up_view_free(&j->view);
	if (j->text != NULL) {
		sodium_memzero(j->text, strlen(j->text));
		free(j->text);
	}
	sodium_memzero(j, sizeof(*j));
	free(j);
}

static void
fu_refuse(struct fu_job *j, int status, const char *code, const char *field,
    const char *message, const char *web_msgid)
{
	j->status = status;
	snprintf(j->code, sizeof(j->code), "%s", code);
	snprintf(j->field, sizeof(j->field), "%s", field != NULL ? field : "");
	snprintf(j->message, sizeof(j->message), "%s", message);
	j->web_msgid = web_msgid;
}

static bool
fu_content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct != NULL && strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* ---------------------------------------------------------------------- */
/* Worker side */

/* The parsed body: text fields by name, and files. */
struct fu_body {
	struct form form;		/* multipart */
	struct evkeyvalq query;		/* urlencoded */
	bool is_query;
	json_t *json;			/* API */
};

static void
fu_body_free(struct fu_body *b)
{
	form_free(&b->form);
	if (b->is_query)
		evhttp_clear_headers(&b->query);
	json_decref(b->json);
}

/* A text field of the body, or NULL. */
static const char *
fu_body_text(struct fu_body *b, const char *name)
{
	const struct form_part *p;
	json_t *v;

	if (b->json != NULL) {
		v = json_object_get(b->json, name);
		return json_is_string(v) ? json_string_value(v) : NULL;
	}
	if (b->is_query)
		return evhttp_find_header(&b->query, name);
	p = form_field(&b->form, name);
	return p != NULL ? (const char *)p->data : NULL;
}

/*
 * Parse the body by its type: multipart (form.c), urlencoded (libevent's
 * evhttp_parse_query_str) or, for the API, JSON.  Text fields must be
 * UTF-8 without NUL.  false with the job refused.
 */
static bool
fu_parse(struct fu_job *j, const unsigned char *data, size_t len,
    struct fu_body *b)
{
	struct form_limits lim = {
		.body_max = j->cfg->tip_max,
		.parts_max = FU_PARTS_MAX,
		.part_header_max = FU_PART_HEADER_MAX,
		.field_max = FU_FIELD_MAX,
		.file_max = j->cfg->tip_max,
		.files_max = FU_PARTS_MAX,
		.boundary_max = 70,
	};
	const char *field = NULL;
	char msg[512];
	bool api = j->kind == FU_API_VIEW || j->kind == FU_API_MESSAGE;

	memset(b, 0, sizeof(*b));
	if (fu_content_type_is(j->content_type, "multipart/form-data")) {
		enum form_status fs = form_parse(j->content_type, data, len,
		    &lim, &b->form, msg, sizeof(msg), &field);

		if (fs == FORM_ERR_NOMEM) {
			fu_refuse(j, 503, "unavailable", NULL, "out of memory",
			    NULL);
			return false;
		}
		if (fs != FORM_OK) {
			fu_refuse(j, fs == FORM_ERR_BODY_TOO_LARGE ? 413 : 400,
			    "invalid", field, msg, N_("The form arrived "
			    "incomplete or damaged. Please send it again."));
			return false;
		}
		for (size_t i = 0; i < b->form.nparts; i++) {
			const struct form_part *p = &b->form.parts[i];

			if (p->is_file)
				continue;
			if (memchr(p->data, '\0', p->len) != NULL ||
			    !utf8_valid((const char *)p->data, p->len)) {
				snprintf(msg, sizeof(msg), "%.64s is not valid "
				    "UTF-8 text without NUL", p->name);
				fu_refuse(j, 400, "invalid", p->name, msg,
				    N_("%s is not valid UTF-8 text."));
				return false;
			}
		}
		return true;
	}
	if (!api && fu_content_type_is(j->content_type,
	    "application/x-www-form-urlencoded")) {
		char *copy = malloc(len + 1);
		int rc;

		if (copy == NULL) {
			fu_refuse(j, 503, "unavailable", NULL, "out of memory",
			    NULL);
			return false;
		}
		memcpy(copy, data, len);
		copy[len] = '\0';
		TAILQ_INIT(&b->query);
		b->is_query = true;
		rc = strlen(copy) != len ? -1 :
		    evhttp_parse_query_str(copy, &b->query);
		free(copy);
		if (rc != 0) {
			fu_refuse(j, 400, "invalid", NULL, "the form is not "
			    "valid application/x-www-form-urlencoded",
			    N_("The form arrived incomplete or damaged. Please "
			    "send it again."));
			return false;
		}
		return true;
	}
	if (api && fu_content_type_is(j->content_type, "application/json")) {
		json_error_t jerr;
		const char *key;
		json_t *v;

		if (!utf8_valid((const char *)data, len) ||
		    (b->json = json_loadb((const char *)data, len,
		    JSON_REJECT_DUPLICATES, &jerr)) == NULL ||
		    !json_is_object(b->json)) {
			fu_refuse(j, 400, "invalid", NULL, "the body is not a "
			    "JSON object in UTF-8", NULL);
			return false;
		}
		json_object_foreach(b->json, key, v) {
			if (!json_is_string(v) || strlen(json_string_value(v))
			    != json_string_length(v)) {
				snprintf(msg, sizeof(msg), "%.64s must be a "
				    "string without NUL", key);
				fu_refuse(j, 400, "invalid", key, msg, NULL);
				return false;
			}
		}
		return true;
	}
	fu_refuse(j, 415, "unsupported_media_type", NULL, api ?
	    "send application/json or multipart/form-data" :
	    "send the form as multipart/form-data or "
	    "application/x-www-form-urlencoded", N_("The form could not be "
	    "read (it was not sent as multipart/form-data). Please send it "
	    "again."));
	return false;
}

/* The receipt field: the tip's row id, or fst NOT_FOUND. */
static bool
fu_find(struct service_worker *w, struct fu_job *j, struct fu_body *b,
    int64_t *tip_id)
{
	const char *receipt = fu_body_text(b, "receipt");
	char code[INTAKE_RECEIPT_DIGITS + 1];

	if (receipt == NULL || !follow_up_normalise_receipt(receipt,
	    strlen(receipt), code))
		j->fst = FOLLOW_UP_NOT_FOUND;
	else
		j->fst = follow_up_find(w, code, tip_id);
	sodium_memzero(code, sizeof(code));
	if (j->fst == FOLLOW_UP_OK)
		j->receipt_right = true;
	return j->fst == FOLLOW_UP_OK;
}

/* The files of a multipart body, for intake; *files is malloc'd. */
static bool
fu_files(struct fu_job *j, struct fu_body *b, struct intake_file **files,
    size_t *n)
{
	*files = NULL;
	*n = 0;
	if (b->form.nparts == 0)
		return true;
	if ((*files = calloc(b->form.nparts, sizeof(**files))) == NULL) {
		fu_refuse(j, 503, "unavailable", NULL, "out of memory", NULL);
		return false;
	}
	for (size_t i = 0; i < b->form.nparts; i++) {
		const struct form_part *p = &b->form.parts[i];

		if (!p->is_file)
			continue;
		if (strcmp(p->name, "attachments") != 0) {
			fu_refuse(j, 400, "invalid", p->name, "files are "
			    "accepted only in the field attachments",
			    N_("Files are accepted only in the evidence "
			    "field."));
			return false;
		}
		(*files)[*n].field = "attachments";
		(*files)[*n].name = p->filename;
		(*files)[*n].data = p->data;
		(*files)[*n].len = p->len;
		(*n)++;
	}
	return true;
}

/* A message through the intake pipeline. */
static void
fu_add_message(struct service_worker *w, struct fu_job *j, struct fu_body *b,
    int64_t tip_id)
{
	struct intake_file *files = NULL;
	struct intake_reply m;
	size_t nfiles = 0;
	const char *text = fu_body_text(b, "text");

	if (text != NULL && (j->text = strdup(text)) == NULL) {
		fu_refuse(j, 503, "unavailable", NULL, "out of memory", NULL);
		return;
	}
	if (!fu_files(j, b, &files, &nfiles)) {
		free(files);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.tip_id = tip_id;
	m.channel = j->kind == FU_REPLY ? "web" : "api";
	m.text = text;
	m.files = files;
	m.nfiles = nfiles;
	intake_add_message(w, &m, &j->res);
	j->ran_intake = true;
	free(files);
}

static void
fu_load_view(struct service_worker *w, struct fu_job *j, int64_t tip_id)
{
	j->fst = follow_up_view_load(w, tip_id, &j->view);
	j->have_view = j->fst == FOLLOW_UP_OK;
}

static void
fu_work(void *state, void *arg)
{
	struct service_worker *w = state;
	struct fu_job *j = arg;
	struct fu_body b;
	size_t len = j->body != NULL ? evbuffer_get_length(j->body) : 0;
	const unsigned char *data = len > 0 ?
	    evbuffer_pullup(j->body, -1) : (const unsigned char *)"";
	int64_t tip_id = 0;

	memset(&b, 0, sizeof(b));
	if (data == NULL) {
		fu_refuse(j, 503, "unavailable", NULL, "out of memory", NULL);
		return;
	}
	switch (j->kind) {
	case FU_VIEW_SESSION:
		fu_load_view(w, j, j->tip_id);
		return;
	case FU_LOGIN:
	case FU_API_VIEW:
		if (!fu_parse(j, data, len, &b))
			break;
		if (fu_find(w, j, &b, &tip_id))
			fu_load_view(w, j, tip_id);
		break;
	case FU_REPLY:
		if (!fu_parse(j, data, len, &b))
			break;
		{
			const char *csrf = fu_body_text(&b, "csrf");

			if (csrf == NULL || strlen(csrf) !=
			    TIPSTER_SESSION_CSRF_HEX || sodium_memcmp(csrf,
			    j->csrf, TIPSTER_SESSION_CSRF_HEX) != 0) {
				fu_refuse(j, 403, "forbidden", NULL, "the form "
				    "token is missing or wrong", N_("This form "
				    "has expired. Please open the follow-up "
				    "page again."));
				break;
			}
		}
		if (fu_body_text(&b, "logout") != NULL) {
			j->logout = true;
			break;
		}
		fu_add_message(w, j, &b, j->tip_id);
		if (j->status == 0 && j->res.status != INTAKE_OK &&
		    j->res.status != INTAKE_TRANSIENT)
			fu_load_view(w, j, j->tip_id);
		break;
	case FU_API_MESSAGE:
		if (!fu_parse(j, data, len, &b))
			break;
		if (fu_find(w, j, &b, &tip_id))
			fu_add_message(w, j, &b, tip_id);
		break;
	}
	/* The files were slices of the body (form.h); both go here, not on
	 * the loop thread: unmapping an upload takes milliseconds. */
	fu_body_free(&b);
	if (j->body != NULL)
		evbuffer_free(j->body);
	j->body = NULL;
}

/* ---------------------------------------------------------------------- */
/* Pages (loop thread) */

static const char *
fu_status_words(const char *status)
{
	static const struct {
		const char *status;
		const char *words;
	} words[] = {
		{ "received", N_("Received: waiting to be checked and passed to "
		    "the bureau responsible") },
		{ "triaged", N_("Passed to the bureau responsible") },
		{ "verifying", N_("Being verified by the bureau") },
		{ "filed", N_("A case has been opened") },
		{ "not_filed", N_("No case was opened (the bureau's message "
		    "gives the reason)") },
		{ "transferred", N_("Passed on to another authority") },
		{ "invalid", N_("Not taken up as a tip (the bureau's message "
		    "gives the reason)") },
		{ "closed", N_("Closed (the bureau's message gives the "
		    "outcome)") },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i].status, status) == 0)
			return words[i].words;
	return status;
}

/* The receipt form: GET /follow-up, and a wrong code. */
static void
fu_page_entry(struct http_req *r, enum i18n_lang lang, int status,
    const char *error)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		http_reply_error(r, 500, "internal", "out of memory", NULL);
		return;
	}
	http_public_page_begin(b, lang, N_("Follow up a tip"), "/follow-up");
	evbuffer_add_printf(b, "<h1>");
	http_public_put(b, lang, N_("Follow up a tip"));
	evbuffer_add_printf(b, "</h1>\n<p>");
	http_public_put(b, lang, N_("Enter the 16-digit receipt code you got "
	    "when you sent the tip. You will see its progress and the "
	    "bureau's messages, and you can answer and add evidence."));
	evbuffer_add_printf(b, "</p>\n");
	if (error != NULL) {
		evbuffer_add_printf(b, "<div class=\"error-summary\" "
		    "role=\"alert\" id=\"problem\"><p>");
		http_html_escape(b, error);
		evbuffer_add_printf(b, "</p></div>\n");
	}
	evbuffer_add_printf(b, "<form method=\"post\" action=\"/follow-up?"
	    "lang=%s\" accept-charset=\"utf-8\">\n<div class=\"field%s\">"
	    "<label for=\"f-receipt\">", i18n_code(lang),
	    error != NULL ? " has-error" : "");
	http_public_put(b, lang, N_("Receipt code"));
	evbuffer_add_printf(b, "</label><p class=\"hint\" id=\"h-receipt\">");
	http_public_put(b, lang, N_("16 digits; spaces do not matter."));
	evbuffer_add_printf(b, "</p><input type=\"text\" id=\"f-receipt\" "
	    "name=\"receipt\" inputmode=\"numeric\" autocomplete=\"off\" "
	    "maxlength=\"40\" required aria-describedby=\"h-receipt\"></div>"
	    "\n<p><button type=\"submit\">");
	http_public_put(b, lang, N_("Show my tip"));
	evbuffer_add_printf(b, "</button></p>\n</form>\n<p class=\"hint\">");
	http_public_put(b, lang, N_("After a correct code this browser stays "
	    "signed in to your tip for 15 minutes (a cookie that is deleted "
	    "when you log out). Several wrong codes in a row block further "
	    "tries for a while."));
	evbuffer_add_printf(b, "</p>\n");
	http_public_page_end(b, lang);
	http_public_page_reply(r, status, b);
	evbuffer_free(b);
}

static void
fu_put_time(struct evbuffer *b, int64_t t)
{
	char when[32];

	http_public_time(when, sizeof(when), t);
	http_html_escape(b, when);
}

static void
fu_put_files(struct evbuffer *b, enum i18n_lang lang,
    const struct follow_up_view *v, int64_t message_id)
{
	bool any = false;

	for (size_t i = 0; i < v->nfiles; i++) {
		if (v->files[i].message_id != message_id)
			continue;
		if (!any) {
			evbuffer_add_printf(b, "<ul class=\"files\">");
			any = true;
		}
		evbuffer_add_printf(b, "<li>");
		http_html_escape(b, v->files[i].name);
		evbuffer_add_printf(b, " <span class=\"meta\">(%lld ",
		    (long long)v->files[i].size);
		http_public_put(b, lang, N_("bytes"));
		evbuffer_add_printf(b, ")</span></li>");
	}
	if (any)
		evbuffer_add_printf(b, "</ul>");
}

/*
 * The status in plain words from the tip's case, when it has one (issue
 * 7): being verified, case filed, not filed with the bureau's reason,
 * decided or closed with a short summary of the outcome.
 */
static void
fu_put_case_status(struct evbuffer *b, enum i18n_lang lang,
    const struct follow_up_view *v)
{
	const char *cs = v->case_status;
	char money[40];

	if (!v->has_case) {
		http_public_put(b, lang, fu_status_words(v->status));
		return;
	}
	if (strcmp(cs, "not_filed") == 0) {
		http_public_put(b, lang, N_("No case was opened. Reason:"));
		evbuffer_add_printf(b, " <span id=\"reason\">");
		http_html_escape(b, v->not_filed_reason);
		evbuffer_add_printf(b, "</span>");
		return;
	}
	if (strcmp(cs, "decided") == 0)
		http_public_put(b, lang, N_("The case has been decided"));
	else if (strcmp(cs, "closed") == 0)
		http_public_put(b, lang, N_("The case is closed"));
	else
		http_public_put(b, lang, fu_status_words(cs));
	if (strcmp(cs, "decided") != 0 && strcmp(cs, "closed") != 0)
		return;
	evbuffer_add_printf(b, "</dd><dt>");
	http_public_put(b, lang, N_("Outcome"));
	evbuffer_add_printf(b, "</dt><dd id=\"outcome\">");
	http_public_put(b, lang, v->violation_found ?
	    N_("Violations were found.") : N_("No violation was found."));
	if (v->false_report == 2)
		http_public_put(b, lang, N_(" The institution issued a false "
		    "test report."));
	else if (v->false_report == 1)
		http_public_put(b, lang, N_(" The institution issued an "
		    "inaccurate test report."));
	if (v->rectify_ordered)
		http_public_put(b, lang, N_(" Ordered to rectify."));
	if (v->qualification_revoked)
		http_public_put(b, lang, N_(" Qualification revoked or "
		    "cancelled."));
	if (v->penalty_fen > 0) {
		cases_format_yuan(v->penalty_fen, money, sizeof(money));
		http_public_put(b, lang, N_(" Fines and confiscations "
		    "(yuan):"));
		evbuffer_add_printf(b, " %s", money);
	}
	if (v->referred_police)
		http_public_put(b, lang, N_(" Referred to the police or "
		    "judicial organs."));
	if (v->seriously_dishonest)
		http_public_put(b, lang, N_(" Listed as seriously "
		    "dishonest."));
	if (v->credit_published_on[0] != '\0') {
		http_public_put(b, lang, N_(" Published in the national "
		    "enterprise credit information system on"));
		evbuffer_add_printf(b, " %s", v->credit_published_on);
	}
}

/* The case part of the follow-up JSON: null, or its status and outcome. */
static json_t *
fu_case_json(const struct follow_up_view *v)
{
	char money[40];
	bool decided = strcmp(v->case_status, "decided") == 0 ||
	    strcmp(v->case_status, "closed") == 0;

	if (!v->has_case)
		return json_null();
	cases_format_yuan(v->penalty_fen, money, sizeof(money));
	return json_pack("{s:s, s:o, s:o}", "status", v->case_status,
	    "reason", v->not_filed_reason[0] != '\0' &&
	    strcmp(v->case_status, "not_filed") == 0 ?
	    json_string(v->not_filed_reason) : json_null(), "outcome",
	    !decided ? json_null() : json_pack("{s:b, s:i, s:b, s:b, s:s, "
	    "s:b, s:b, s:o}", "violation_found", v->violation_found,
	    "false_report", v->false_report, "rectify_ordered",
	    v->rectify_ordered, "qualification_revoked",
	    v->qualification_revoked, "fines_and_confiscations_yuan", money,
	    "referred_police", v->referred_police, "seriously_dishonest",
	    v->seriously_dishonest, "credit_published_on",
	    v->credit_published_on[0] != '\0' ?
	    json_string(v->credit_published_on) : json_null()));
}

/* The status page of a tip, with the reply form. */
static void
fu_page_status(struct http_req *r, enum i18n_lang lang, int status,
    const struct follow_up_view *v, const char *csrf, bool sent,
    const char *err_field, const char *error, const char *text)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		http_reply_error(r, 500, "internal", "out of memory", NULL);
		return;
	}
	http_public_page_begin(b, lang, N_("Your tip"), "/follow-up");
	evbuffer_add_printf(b, "<h1>");
	http_public_put(b, lang, N_("Your tip"));
	evbuffer_add_printf(b, " <span id=\"tip-id\">");
	http_html_escape(b, v->id);
	evbuffer_add_printf(b, "</span></h1>\n");
	if (sent) {
		evbuffer_add_printf(b, "<p class=\"notice\" id=\"sent\">");
		http_public_put(b, lang, N_("Your message has been sent."));
		evbuffer_add_printf(b, "</p>\n");
	}
	if (error != NULL) {
		evbuffer_add_printf(b, "<div class=\"error-summary\" "
		    "role=\"alert\" id=\"problem\"><h2>");
		http_public_put(b, lang, N_("Your message was not sent. Please "
		    "correct this:"));
		evbuffer_add_printf(b, "</h2><p>");
		http_html_escape(b, error);
		evbuffer_add_printf(b, "</p><p>");
		http_public_put(b, lang, N_("Your text has been kept. Files "
		    "cannot be kept by the browser: please choose your files "
		    "again."));
		evbuffer_add_printf(b, "</p></div>\n");
	}
	evbuffer_add_printf(b, "<dl class=\"facts\"><dt>");
	http_public_put(b, lang, N_("Status"));
	evbuffer_add_printf(b, "</dt><dd id=\"status\">");
	fu_put_case_status(b, lang, v);
	evbuffer_add_printf(b, "</dd><dt>");
	http_public_put(b, lang, N_("Handled by"));
	evbuffer_add_printf(b, "</dt><dd id=\"bureau\">");
	http_html_escape(b, lang == I18N_EN && v->bureau_en[0] != '\0' ?
	    v->bureau_en : v->bureau_zh[0] != '\0' ? v->bureau_zh :
	    v->bureau);
	evbuffer_add_printf(b, "</dd><dt>");
	http_public_put(b, lang, N_("Received"));
	evbuffer_add_printf(b, "</dt><dd>");
	fu_put_time(b, v->received_at);
	evbuffer_add_printf(b, "</dd><dt>");
	http_public_put(b, lang, N_("Last change"));
	evbuffer_add_printf(b, "</dt><dd>");
	fu_put_time(b, v->updated_at);
	evbuffer_add_printf(b, "</dd></dl>\n");
	if (v->nfiles > 0) {
		bool with_tip = false;

		for (size_t i = 0; i < v->nfiles; i++)
			if (v->files[i].message_id == 0)
				with_tip = true;
		if (with_tip) {
			evbuffer_add_printf(b, "<h2>");
			http_public_put(b, lang, N_("Files sent with the tip"));
			evbuffer_add_printf(b, "</h2>");
			fu_put_files(b, lang, v, 0);
		}
	}
	evbuffer_add_printf(b, "<h2>");
	http_public_put(b, lang, N_("Messages"));
	evbuffer_add_printf(b, "</h2>\n");
	if (v->nmessages == 0) {
		evbuffer_add_printf(b, "<p id=\"no-messages\">");
		http_public_put(b, lang, N_("No messages yet."));
		evbuffer_add_printf(b, "</p>\n");
	} else {
		evbuffer_add_printf(b, "<ol class=\"messages\" "
		    "id=\"messages\">\n");
		for (size_t i = 0; i < v->nmessages; i++) {
			const struct follow_up_message *m = &v->messages[i];

			evbuffer_add_printf(b, "<li class=\"%s\"><p "
			    "class=\"meta\">", m->from_bureau ? "bureau" :
			    "tipster");
			http_public_put(b, lang, m->from_bureau ?
			    N_("From the bureau") : N_("From you"));
			evbuffer_add_printf(b, " · ");
			fu_put_time(b, m->at);
			evbuffer_add_printf(b, "</p><div class=\"text\">");
			http_html_escape(b, m->text);
			evbuffer_add_printf(b, "</div>");
			fu_put_files(b, lang, v, m->id);
			evbuffer_add_printf(b, "</li>\n");
		}
		evbuffer_add_printf(b, "</ol>\n");
	}

	evbuffer_add_printf(b, "<h2>");
	http_public_put(b, lang, N_("Answer or add evidence"));
	evbuffer_add_printf(b, "</h2>\n<form method=\"post\" action=\""
	    "/follow-up/reply?lang=%s\" enctype=\"multipart/form-data\" "
	    "accept-charset=\"utf-8\">\n<input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\">\n<div class=\"field%s\"><label for=\"f-text\">",
	    i18n_code(lang), csrf, err_field != NULL &&
	    strcmp(err_field, "text") == 0 ? " has-error" : "");
	http_public_put(b, lang, N_("Your message"));
	evbuffer_add_printf(b, "</label><textarea id=\"f-text\" name=\"text\" "
	    "rows=\"6\" maxlength=\"%d\">", INTAKE_MESSAGE_MAX);
	if (text != NULL)
		http_html_escape(b, text);
	evbuffer_add_printf(b, "</textarea></div>\n<p class=\"warning\" "
	    "id=\"metadata-warning\"><strong>");
	http_public_put(b, lang, N_("Before you attach files:"));
	evbuffer_add_printf(b, "</strong> ");
	http_public_put(b, lang, N_("photos and documents can carry hidden "
	    "information such as the author's name, the phone or camera "
	    "model, and the place and time a photo was taken. If that could "
	    "identify you, remove it first (for example, take a screenshot "
	    "of the photo or save the document again as PDF)."));
	evbuffer_add_printf(b, "</p>\n<div class=\"field%s\"><label "
	    "for=\"f-attachments\">", err_field != NULL &&
	    strcmp(err_field, "attachments") == 0 ? " has-error" : "");
	http_public_put(b, lang, N_("Evidence files"));
	evbuffer_add_printf(b, "</label><input type=\"file\" "
	    "id=\"f-attachments\" name=\"attachments\" multiple "
	    "aria-describedby=\"metadata-warning\"></div>\n<p><button "
	    "type=\"submit\">");
	http_public_put(b, lang, N_("Send"));
	evbuffer_add_printf(b, "</button></p>\n</form>\n<form method=\"post\" "
	    "action=\"/follow-up/reply?lang=%s\" enctype=\"multipart/"
	    "form-data\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"logout\" value=\"1\"><p><button "
	    "type=\"submit\" class=\"secondary\">", i18n_code(lang), csrf);
	http_public_put(b, lang, N_("Log out"));
	evbuffer_add_printf(b, "</button></p></form>\n");
	http_public_page_end(b, lang);
	http_public_page_reply(r, status, b);
	evbuffer_free(b);
}

/* ---------------------------------------------------------------------- */
/* JSON (loop thread) */

static void
fu_rfc3339(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
fu_reply_json(struct http_req *r, int status, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	if (text == NULL) {
		http_reply_error(r, 500, "internal", "out of memory", NULL);
		return;
	}
	http_reply(r, status, "application/json", text, strlen(text));
	sodium_memzero(text, strlen(text));
	free(text);
}

static void
fu_reply_view_json(struct http_req *r, const struct follow_up_view *v)
{
	json_t *o = json_object(), *msgs = json_array();
	char when[32];

	json_object_set_new(o, "id", json_string(v->id));
	json_object_set_new(o, "status", json_string(v->status));
	json_object_set_new(o, "bureau", json_string(v->bureau));
	fu_rfc3339(when, sizeof(when), v->updated_at);
	json_object_set_new(o, "updated_at", json_string(when));
	fu_rfc3339(when, sizeof(when), v->received_at);
	json_object_set_new(o, "received_at", json_string(when));
	for (size_t i = 0; i < v->nmessages; i++) {
		const struct follow_up_message *m = &v->messages[i];

		fu_rfc3339(when, sizeof(when), m->at);
		json_array_append_new(msgs, json_pack("{s:s, s:s, s:s}",
		    "from", m->from_bureau ? "bureau" : "tipster", "at", when,
		    "text", m->text));
	}
	json_object_set_new(o, "messages", msgs);
	json_object_set_new(o, "case", fu_case_json(v));
	fu_reply_json(r, 200, o);
}

/* ---------------------------------------------------------------------- */
/* Done (loop thread) */

static void
fu_reply_unavailable(struct http_req *r)
{
	http_req_add_header(r, "Retry-After", "30");
	http_reply_error(r, 503, "unavailable", "the tip cannot be read just "
	    "now; please try again in a minute", NULL);
}

static void
fu_done(void *arg)
{
	struct fu_job *j = arg;
	struct http_req *r = j->r;
	bool api = j->kind == FU_API_VIEW || j->kind == FU_API_MESSAGE;
	char text[700];

	if (j->receipt_right)
		http_public_receipt_was_right(j->client);
	if (j->status != 0) {
		if (j->status == 503)
			fu_reply_unavailable(r);
		else if (!api && j->kind == FU_LOGIN)
			fu_page_entry(r, j->lang, j->status, i18n_tr(j->lang,
			    j->web_msgid != NULL ? j->web_msgid : j->message));
		else if (!api && j->web_msgid != NULL) {
			const char *label = http_form_label(j->field);
			const char *a = label != NULL ? i18n_tr(j->lang,
			    label) : j->field;

			i18n_format(text, sizeof(text), i18n_tr(j->lang,
			    j->web_msgid), &a, 1);
			http_reply_error(r, j->status, j->code, text, NULL);
		} else
			http_reply_error(r, j->status, j->code, j->message,
			    j->field[0] != '\0' ? j->field : NULL);
		goto out;
	}
	switch (j->kind) {
	case FU_LOGIN:
		if (j->fst == FOLLOW_UP_NOT_FOUND && !j->receipt_right) {
			fu_page_entry(r, j->lang, 404, i18n_tr(j->lang,
			    N_("No tip has this receipt code. Check the "
			    "digits and try again.")));
		} else if (j->fst != FOLLOW_UP_OK) {
			fu_reply_unavailable(r);
		} else {
			char csrf[TIPSTER_SESSION_CSRF_HEX + 1];

			http_public_session_start(r, j->view.tip_id, csrf);
			fu_page_status(r, j->lang, 200, &j->view, csrf, false,
			    NULL, NULL, NULL);
		}
		break;
	case FU_VIEW_SESSION:
		if (j->fst != FOLLOW_UP_OK)
			fu_reply_unavailable(r);
		else
			fu_page_status(r, j->lang, 200, &j->view, j->csrf,
			    j->sent, NULL, NULL, NULL);
		break;
	case FU_REPLY:
		if (j->logout) {
			http_public_session_end(r);
			snprintf(text, sizeof(text), "/follow-up?lang=%s",
			    i18n_code(j->lang));
			http_req_add_header(r, "Location", text);
			http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
		} else if (j->res.status == INTAKE_OK) {
			snprintf(text, sizeof(text), "/follow-up?lang=%s&sent=1",
			    i18n_code(j->lang));
			http_req_add_header(r, "Location", text);
			http_reply(r, 303, "text/plain; charset=utf-8", "", 0);
		} else if (j->res.status == INTAKE_TRANSIENT ||
		    j->res.status == INTAKE_FAILED || !j->have_view) {
			if (j->res.status == INTAKE_TRANSIENT ||
			    !j->have_view)
				fu_reply_unavailable(r);
			else
				http_reply_error(r, 500, "internal",
				    j->res.message, NULL);
		} else {
			http_form_intake_text(j->lang, &j->res, text,
			    sizeof(text));
			fu_page_status(r, j->lang,
			    intake_http_status(j->res.status), &j->view,
			    j->csrf, false, j->res.field, text, j->text);
		}
		break;
	case FU_API_VIEW:
		if (j->fst == FOLLOW_UP_NOT_FOUND)
			http_reply_error(r, 404, "not_found", "no tip has this "
			    "receipt code", "receipt");
		else if (j->fst != FOLLOW_UP_OK)
			fu_reply_unavailable(r);
		else
			fu_reply_view_json(r, &j->view);
		break;
	case FU_API_MESSAGE:
		if (!j->receipt_right && j->fst == FOLLOW_UP_NOT_FOUND)
			http_reply_error(r, 404, "not_found", "no tip has this "
			    "receipt code", "receipt");
		else if (!j->receipt_right)
			fu_reply_unavailable(r);
		else if (j->res.status != INTAKE_OK) {
			if (j->res.status == INTAKE_TRANSIENT)
				http_req_add_header(r, "Retry-After", "30");
			http_reply_error(r, intake_http_status(j->res.status),
			    j->res.status == INTAKE_BAD_TYPE ?
			    "unsupported_type" : j->res.status ==
			    INTAKE_TOO_LARGE ? "too_large" : j->res.status ==
			    INTAKE_INVALID ? "invalid" : "unavailable",
			    j->res.message, j->res.field[0] != '\0' ?
			    j->res.field : NULL);
		} else
			fu_reply_json(r, 201, json_pack("{s:s, s:I, s:s}",
			    "id", j->res.id, "message_id",
			    (json_int_t)j->res.message_id, "at",
			    j->res.received_at));
		break;
	}
out:
	fu_job_free(j);
}

/* ---------------------------------------------------------------------- */
/* Routes (loop thread) */

/* Hand the request to a worker; the body is moved, not copied. */
static void
fu_submit(struct http_req *r, struct fu_job *j, bool with_body)
{
	const struct http_server_env *env = http_server_env(r->srv);
	struct evbuffer *in = with_body ? http_req_body(r) : NULL;
	const char *ct = http_req_header(r, "Content-Type");

	j->r = r;
	j->cfg = env->cfg;
	if ((with_body && (in == NULL ||
	    (j->body = evbuffer_new()) == NULL)) ||
	    (j->content_type = strdup(ct != NULL ? ct : "")) == NULL) {
		fu_job_free(j);
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	if (with_body)
		evbuffer_add_buffer(j->body, in);
	if (workers_submit(env->workers, fu_work, fu_done, j) == 0) {
		fu_job_free(j);
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
	}
}

static struct fu_job *
fu_job_new(struct http_req *r, enum fu_kind kind)
{
	struct fu_job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return NULL;
	}
	j->kind = kind;
	j->lang = http_public_lang(r);
	return j;
}

/* A receipt attempt: counted first; 429 when over the limit. */
static bool
fu_take_receipt(struct http_req *r, struct fu_job *j)
{
	int64_t retry = 0;

	if (http_public_take_receipt(r, j->client, &retry))
		return true;
	http_public_retry_after(r, retry);
	if (j->kind == FU_LOGIN)
		fu_page_entry(r, j->lang, 429, i18n_tr(j->lang, N_("Too many "
		    "wrong codes were tried from your connection. Please wait "
		    "a few minutes before you try again.")));
	else
		http_reply_error(r, 429, "rate_limited", "too many wrong "
		    "receipt codes from this address; try again later",
		    "receipt");
	free(j);
	return false;
}

static void
http_follow_up_get(struct http_req *r)
{
	const struct tipster_session *ts = http_public_session(r);
	struct fu_job *j;
	const struct evhttp_uri *uri;
	const char *query;

	if (ts == NULL) {
		fu_page_entry(r, http_public_lang(r), 200, NULL);
		return;
	}
	if ((j = fu_job_new(r, FU_VIEW_SESSION)) == NULL)
		return;
	j->tip_id = ts->tip_id;
	memcpy(j->csrf, ts->csrf, sizeof(j->csrf));
	uri = r->req != NULL ? evhttp_request_get_evhttp_uri(r->req) : NULL;
	query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	j->sent = query != NULL && strstr(query, "sent=1") != NULL;
	fu_submit(r, j, false);
}

static void
http_follow_up_post(struct http_req *r)
{
	struct fu_job *j = fu_job_new(r, FU_LOGIN);

	if (j != NULL && fu_take_receipt(r, j))
		fu_submit(r, j, true);
}

void
http_follow_up_get_or_post(struct http_req *r)
{
	if (strcmp(r->method, "POST") == 0)
		http_follow_up_post(r);
	else
		http_follow_up_get(r);
}

void
http_follow_up_reply(struct http_req *r)
{
	const struct tipster_session *ts = http_public_session(r);
	struct fu_job *j;

	if (ts == NULL) {
		/* Expired or never there: back to the receipt form. */
		fu_page_entry(r, http_public_lang(r), 403, i18n_tr(
		    http_public_lang(r), N_("Your session has ended (after 15 "
		    "minutes, or when you logged out). Enter your receipt code "
		    "again; what you wrote was not sent.")));
		return;
	}
	if ((j = fu_job_new(r, FU_REPLY)) == NULL)
		return;
	j->tip_id = ts->tip_id;
	memcpy(j->csrf, ts->csrf, sizeof(j->csrf));
	fu_submit(r, j, true);
}

void
http_follow_up_api(struct http_req *r)
{
	struct fu_job *j = fu_job_new(r, FU_API_VIEW);

	if (j != NULL && fu_take_receipt(r, j))
		fu_submit(r, j, true);
}

void
http_follow_up_api_message(struct http_req *r)
{
	struct fu_job *j = fu_job_new(r, FU_API_MESSAGE);

	if (j != NULL && fu_take_receipt(r, j))
		fu_submit(r, j, true);
}

/* See http_routes.h.  The session cookie was not read (nor anything
 * else of the request), so the page only says what happened and links
 * back: within the session's 15 minutes that is the status page again. */
bool
http_follow_up_too_large(struct http_req *r, const char *target,
    uint64_t limit)
{
	char text[700];
	struct evbuffer *b;
	enum i18n_lang l;

	if (http_public_too_large(r, target, "/follow-up", limit,
	    N_("What was sent was far larger than a receipt code, so it was "
	    "not read. Enter your 16-digit receipt code again."), text,
	    sizeof(text), &l)) {
		/* The receipt form (a small body limit): the form again. */
		fu_page_entry(r, l, 413, text);
		return true;
	}
	if (!http_public_too_large(r, target, "/follow-up/reply", limit,
	    N_("Your message with its files came to more than %s MiB, the most "
	    "one message may carry, so it was not read and nothing was sent. "
	    "Go back and send it again with fewer or smaller files (each at "
	    "most %s MiB); you can send several messages one after another."),
	    text, sizeof(text), &l))
		return false;
	if ((b = evbuffer_new()) == NULL) {
		http_reply_error(r, 500, "internal", "out of memory", NULL);
		return true;
	}
	http_public_page_begin(b, l, N_("Your message was not sent"),
	    "/follow-up");
	evbuffer_add_printf(b, "<h1>");
	http_public_put(b, l, N_("Your message was not sent"));
	evbuffer_add_printf(b, "</h1>\n<div class=\"error-summary\" "
	    "role=\"alert\" id=\"problem\"><p>");
	http_html_escape(b, text);
	evbuffer_add_printf(b, "</p></div>\n<p><a id=\"back\" href=\""
	    "/follow-up?lang=%s\">", i18n_code(l));
	http_public_put(b, l, N_("Back to your tip"));
	evbuffer_add_printf(b, "</a></p>\n<p class=\"hint\">");
	http_public_put(b, l, N_("If more than 15 minutes have passed, enter "
	    "your receipt code again first."));
	evbuffer_add_printf(b, "</p>\n");
	http_public_page_end(b, l);
	http_public_page_reply(r, 413, b);
	evbuffer_free(b);
	return true;
}
