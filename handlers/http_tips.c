/* SPDX-License-Identifier: MIT */
/*
 * POST /tips (the web form, multipart/form-data, answered with HTML) and
 * POST /api/v1/tips (multipart or JSON, answered with JSON).
 *
 * The loop thread only moves the body (already bounded by the guard) into
 * a job; parsing, validation, libmagic, encryption and the commit run on a
 * worker (service/intake.c); the reply is written when the job is done.
 * The receipt code appears in the reply body only, never in a URL or log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <jansson.h>
#include <sodium.h>

#include "handlers/http_routes.h"
#include "service/config.h"
#include "service/form.h"
#include "service/intake.h"
#include "service/workers.h"

#define TIPS_PARTS_MAX 64
#define TIPS_PART_HEADER_MAX (8 * 1024)
#define TIPS_FIELD_MAX (INTAKE_DETAILS_MAX * 4 + 1024)
#define TIPS_JSON_DEPTH 4

struct tips_job {
	struct http_req *r;
	bool api;
	char *content_type;
	struct evbuffer *body;
	const struct config *cfg;
	/* Results, written by the worker. */
	int status;			/* HTTP status when refused before intake */
	char code[32];
	char message[512];
	char field[64];
	struct intake_result res;
};

static void
tips_job_free(struct tips_job *j)
{
	if (j == NULL)
		return;
	if (j->body != NULL)
		evbuffer_free(j->body);
	free(j->content_type);
	sodium_memzero(&j->res, sizeof(j->res));
	free(j);
}

static void
tips_refuse(struct tips_job *j, int status, const char *code,
    const char *field, const char *message)
{
	j->status = status;
	snprintf(j->code, sizeof(j->code), "%s", code);
	snprintf(j->field, sizeof(j->field), "%s", field ? field : "");
	snprintf(j->message, sizeof(j->message), "%s", message);
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
	struct form_limits lim = {
		.body_max = j->cfg->tip_max,
		.parts_max = TIPS_PARTS_MAX,
		.part_header_max = TIPS_PART_HEADER_MAX,
		.field_max = TIPS_FIELD_MAX,
		.file_max = j->cfg->attachment_max,
		.files_max = (size_t)j->cfg->attachments_max,
		.boundary_max = 70,
	};
	struct form form = { NULL, 0 };
	struct intake_file *files = NULL;
	struct intake_tip tip;
	const char *field = NULL;
	char msg[512];
	enum form_status fs;
	size_t nfiles = 0;

	fs = form_parse(j->content_type, data, len, &lim, &form, msg,
	    sizeof(msg), &field);
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

		if (!p->is_file)
			continue;
		if (strcmp(p->name, "attachments") != 0) {
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
	static const char *const fields[] = { "summary", "details",
	    "institution", "county", "domain", "violation", "occurred_on",
	    "contact_name", "contact_phone", "contact_email" };
	const char *values[sizeof(fields) / sizeof(fields[0])] = { NULL };
	struct intake_tip tip;
	json_error_t jerr;
	json_t *root, *v;
	const char *key;

	if (!intake_valid_utf8((const char *)data, len)) {
		tips_refuse(j, 400, "invalid", NULL, "the body is not valid "
		    "UTF-8");
		return;
	}
	root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (root == NULL || !json_is_object(root)) {
		tips_refuse(j, 400, "invalid", NULL, "the body is not a JSON "
		    "object");
		json_decref(root);
		return;
	}
	json_object_foreach(root, key, v) {
		size_t k;

		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			if (strcmp(key, fields[k]) == 0)
				break;
		if (k == sizeof(fields) / sizeof(fields[0])) {
			char msg[160];

			snprintf(msg, sizeof(msg), "unknown field \"%.60s\"",
			    key);
			tips_refuse(j, 400, "invalid", NULL, msg);
			json_decref(root);
			return;
		}
		if (json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			char msg[160];

			snprintf(msg, sizeof(msg), "%s must be a string",
			    fields[k]);
			tips_refuse(j, 400, "invalid", fields[k], msg);
			json_decref(root);
			return;
		}
		values[k] = json_string_value(v);
		if (strlen(values[k]) != json_string_length(v)) {
			tips_refuse(j, 400, "invalid", fields[k], "a field "
			    "contains a NUL character");
			json_decref(root);
			return;
		}
	}
	memset(&tip, 0, sizeof(tip));
	tip.channel = "api";
	tip.summary = values[0];
	tip.details = values[1];
	tip.institution = values[2];
	tip.county = values[3];
	tip.domain = values[4];
	tip.violation = values[5];
	tip.occurred_on = values[6];
	tip.contact_name = values[7];
	tip.contact_phone = values[8];
	tip.contact_email = values[9];
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
	else
		tips_refuse(j, 415, "unsupported_media_type", NULL,
		    j->api ? "send multipart/form-data or application/json" :
		    "send the form as multipart/form-data");
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

/* The receipt page: shown once; the code is grouped for copying by hand. */
static void
tips_reply_receipt_html(struct http_req *r, const struct intake_result *res)
{
	struct evbuffer *buf = evbuffer_new();
	char grouped[INTAKE_RECEIPT_DIGITS + 4];
	size_t n = 0, len;

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
	evbuffer_add_printf(buf, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\"><title>举报已收到</title>"
	    "</head><body><main><h1>举报已收到</h1><p>举报编号：<strong>");
	http_html_escape(buf, res->id);
	evbuffer_add_printf(buf, "</strong></p><p>查询码：<strong "
	    "id=\"receipt\">");
	http_html_escape(buf, grouped);
	evbuffer_add_printf(buf, "</strong></p><p>请抄下或保存这个查询码。它只在"
	    "此处显示一次，我们不保存它，丢失后无法找回。凭查询码可以在“进度查询”"
	    "页面查看办理进度、回复办理人员、补充材料。</p><p>承办单位代码：");
	http_html_escape(buf, res->bureau);
	evbuffer_add_printf(buf, "</p><p><a href=\"/follow-up\">进度查询</a></p>"
	    "</main></body></html>\n");
	len = evbuffer_get_length(buf);
	http_reply(r, 201, "text/html; charset=utf-8",
	    evbuffer_pullup(buf, -1), len);
	evbuffer_free(buf);
}

static void
tips_reply_receipt_json(struct http_req *r, const struct intake_result *res)
{
	json_t *o = json_object();
	char *text;

	json_object_set_new(o, "id", json_string(res->id));
	json_object_set_new(o, "receipt", json_string(res->receipt));
	json_object_set_new(o, "status", json_string(res->tip_status));
	json_object_set_new(o, "bureau", json_string(res->bureau));
	json_object_set_new(o, "received_at", json_string(res->received_at));
	text = json_dumps(o, JSON_COMPACT);
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
tips_reply_duplicate(struct http_req *r, bool api,
    const struct intake_result *res)
{
	struct evbuffer *buf;
	size_t len;

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
	evbuffer_add_printf(buf, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head>"
	    "<meta charset=\"utf-8\"><title>举报已收到</title></head><body>"
	    "<main><h1>这份举报已经收到</h1><p>举报编号：<strong>");
	http_html_escape(buf, res->id);
	evbuffer_add_printf(buf, "</strong></p><p>同一份表单只保存一次。查询码已在"
	    "第一次提交后显示；出于安全考虑，我们不保存查询码，无法再次显示。</p>"
	    "</main></body></html>\n");
	len = evbuffer_get_length(buf);
	http_reply(r, 200, "text/html; charset=utf-8",
	    evbuffer_pullup(buf, -1), len);
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
		http_reply_error(r, j->status, j->code, j->message,
		    j->field[0] ? j->field : NULL);
	} else if (j->res.status != INTAKE_OK) {
		if (j->res.status == INTAKE_TRANSIENT)
			http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, intake_http_status(j->res.status),
		    tips_code(j->res.status), j->res.message,
		    j->res.field[0] ? j->res.field : NULL);
	} else if (j->res.duplicate) {
		tips_reply_duplicate(r, j->api, &j->res);
	} else if (j->api) {
		tips_reply_receipt_json(r, &j->res);
	} else {
		tips_reply_receipt_html(r, &j->res);
	}
	tips_job_free(j);
}

static void
tips_post(struct http_req *r, bool api)
{
	const struct http_server_env *env = http_server_env(r->srv);
	struct evbuffer *in = http_req_body(r);
	const char *ct = http_req_header(r, "Content-Type");
	struct tips_job *j = calloc(1, sizeof(*j));

	if (j == NULL || in == NULL ||
	    (j->body = evbuffer_new()) == NULL ||
	    (j->content_type = strdup(ct != NULL ? ct : "")) == NULL) {
		tips_job_free(j);
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	j->r = r;
	j->api = api;
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
