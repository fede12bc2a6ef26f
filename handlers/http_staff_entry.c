/* SPDX-License-Identifier: MIT */
/*
 * Tips and 12315 for staff (service/staff_entry.h): POST /api/v1/staff/tips
 * (a tip transferred from 12315, with its work-order number; GET on the
 * same path is still the list of http_staff_tips.c), the page
 * /staff/tips/new (GET the form, POST it), and GET
 * /api/v1/staff/tips/export.csv?bureau=&from=&to= (the own-channel tips as
 * CSV for registration on 12315; always a download).
 *
 * /staff/tips/new and /api/v1/staff/tips/export.csv are exact routes, which
 * the router prefers to the /staff/tips/{} and /api/v1/staff/tips/{}
 * patterns; "new" and "export.csv" are never tip ids (T-YYYY-NNNNNN).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "service/staff_entry.h"

/* The fields of the entry form: name, label. */
static const char *const entry_form_fields[][2] = {
	{ "wo_12315", "12315工单号 12315 work-order number" },
	{ "summary", "摘要 Summary" },
	{ "details", "举报内容 Details" },
	{ "institution", "被举报机构 Institution" },
	{ "county", "县（市、区）代码 County code" },
	{ "domain", "重点领域代码 Domain code" },
	{ "violation", "违法类型代码 Violation code" },
	{ "occurred_on", "发生日期 Occurred on (YYYY-MM-DD)" },
	{ "contact_name", "举报人姓名 Contact name" },
	{ "contact_phone", "联系电话 Contact phone" },
	{ "contact_email", "电子邮箱 Contact e-mail" },
};
#define ENTRY_NFIELDS (sizeof(entry_form_fields) / sizeof(entry_form_fields[0]))

/* The service's answer to a failed entry or export. */
static void
entry_fail(struct http_staff_job *j, enum staff_status st, const char *msg,
    const char *what)
{
	http_staff_fail(j, st, st == STAFF_INVALID ? "invalid" :
	    st == STAFF_CONFLICT ? "conflict" : st == STAFF_FORBIDDEN ?
	    "forbidden" : "unavailable", (st == STAFF_INVALID ||
	    st == STAFF_CONFLICT) && msg[0] != '\0' ? msg : what);
}

/* ---- entry ------------------------------------------------------------ */

static void
entry_work(struct service_worker *w, struct http_staff_job *j)
{
	const bool html = (j->route->flags & HTTP_STAFF_HTML) != 0;
	json_t *fields = j->json;
	enum staff_status st;
	char msg[STAFF_MSG_MAX];

	if (html && !j->post)
		return;		/* the empty form */
	if (html) {
		/* The form's non-empty fields as the API's JSON object. */
		fields = json_object();
		for (size_t i = 0; fields != NULL && i < ENTRY_NFIELDS; i++) {
			const char *v = http_staff_field(j,
			    entry_form_fields[i][0]);

			if (v != NULL && v[0] != '\0')
				json_object_set_new(fields,
				    entry_form_fields[i][0], json_string(v));
		}
		if (fields == NULL) {
			http_staff_fail(j, STAFF_TRANSIENT, "unavailable",
			    "out of memory");
			return;
		}
	}
	st = staff_entry_create(w, &j->user, fields, &j->out, msg,
	    sizeof(msg));
	if (html)
		json_decref(fields);
	if (st != STAFF_OK)
		entry_fail(j, st, msg, "cannot store the tip");
}

static void
entry_api_done(struct http_staff_job *j)
{
	http_staff_reply_json(j, 201);
}

/* A string member of the answer, "" if absent. */
static const char *
entry_out_str(struct http_staff_job *j, const char *key)
{
	json_t *v = json_object_get(j->out, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* The form, with the values sent and the problem (failed POST). */
static void
entry_put_form(struct evbuffer *b, struct http_staff_job *j)
{
	const bool again = j->post && j->status != STAFF_OK;

	if (again) {
		evbuffer_add_printf(b, "<p class=\"error\" id=\"error\" "
		    "role=\"alert\">未能录入。<span lang=\"en\">Not stored."
		    "</span> ");
		http_html_escape(b, j->message);
		evbuffer_add_printf(b, "</p>");
	}
	evbuffer_add_printf(b, "<form method=\"post\" action=\"/staff/tips/"
	    "new\" id=\"entry\">");
	http_staff_csrf_field(b, &j->user);
	for (size_t i = 0; i < ENTRY_NFIELDS; i++) {
		const char *name = entry_form_fields[i][0];
		const char *label = entry_form_fields[i][1];
		const char *v = again ? http_staff_field(j, name) : NULL;
		bool area;

		if (name == NULL || label == NULL)
			continue;	/* never: keeps GCC's format check calm */
		area = strcmp(name, "details") == 0;
		evbuffer_add_printf(b, "<p><label for=\"%s\">%s</label><br>",
		    name, label);
		if (area) {
			evbuffer_add_printf(b, "<textarea id=\"%s\" name=\"%s\" "
			    "rows=\"8\" cols=\"60\" required>", name, name);
			http_html_escape(b, v != NULL ? v : "");
			evbuffer_add_printf(b, "</textarea></p>");
			continue;
		}
		evbuffer_add_printf(b, "<input type=\"text\" id=\"%s\" "
		    "name=\"%s\"%s value=\"", name, name,
		    strcmp(name, "summary") == 0 ? " required" : "");
		http_html_escape(b, v != NULL ? v : "");
		evbuffer_add_printf(b, "\"></p>");
	}
	evbuffer_add_printf(b, "<p><button type=\"submit\">录入 Enter tip"
	    "</button></p></form>");
	evbuffer_add_printf(b, "<h2>导出本局渠道举报 <span lang=\"en\">Export "
	    "own-channel tips for 12315</span></h2><form method=\"get\" "
	    "action=\"/api/v1/staff/tips/export.csv\" id=\"export\"><label "
	    "for=\"bureau\">承办单位 Bureau</label> <input type=\"text\" "
	    "id=\"bureau\" name=\"bureau\" value=\"");
	http_html_escape(b, j->user.scope.bureau);
	evbuffer_add_printf(b, "\"> <label for=\"from\">自 From</label> <input "
	    "type=\"date\" id=\"from\" name=\"from\"> <label for=\"to\">至 To"
	    "</label> <input type=\"date\" id=\"to\" name=\"to\"> <button "
	    "type=\"submit\">导出 CSV Export CSV</button></form>");
}

static void
entry_html_done(struct http_staff_job *j)
{
	struct evbuffer *b = evbuffer_new();
	int status = 200;

	if (b == NULL) {
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return;
	}
	http_staff_page_begin(b, "录入12315转办举报 Enter a 12315 tip",
	    &j->user);
	evbuffer_add_printf(b, "<h1>录入12315转办举报 <span lang=\"en\">Enter "
	    "a tip transferred from 12315</span></h1>");
	if (j->post && j->status == STAFF_OK) {
		status = 201;
		evbuffer_add_printf(b, "<p id=\"stored\">已录入。<span "
		    "lang=\"en\">Stored.</span></p><dl><dt>编号 Reference</dt>"
		    "<dd><a id=\"tip\" href=\"/staff/tips/");
		http_html_escape(b, entry_out_str(j, "id"));
		evbuffer_add_printf(b, "\">");
		http_html_escape(b, entry_out_str(j, "id"));
		evbuffer_add_printf(b, "</a></dd><dt>查询码 Receipt code</dt>"
		    "<dd id=\"receipt\">");
		http_html_escape(b, entry_out_str(j, "receipt"));
		evbuffer_add_printf(b, "</dd><dt>承办单位 Bureau</dt><dd>");
		http_html_escape(b, entry_out_str(j, "bureau"));
		evbuffer_add_printf(b, "</dd></dl><p><a href=\"/staff/tips/new\">"
		    "再录入一条 Enter another</a></p>");
	} else {
		if (j->post)
			status = staff_status_http(j->status);
		entry_put_form(b, j);
	}
	http_staff_page_end(b);
	http_staff_page_reply(j->r, status, b);
	evbuffer_free(b);
}

static const struct http_staff_route entry_api = {
	"staff.tips.create", STAFF_ROLES_TIPS, 0, entry_work, entry_api_done,
};

static const struct http_staff_route entry_html = {
	"staff.tips.new.page", STAFF_ROLES_TIPS,
	HTTP_STAFF_HTML | HTTP_STAFF_OWN_ERRORS, entry_work, entry_html_done,
};

void
http_staff_entry_tips_api(struct http_req *r)
{
	if (strcmp(r->method, "POST") == 0)
		http_staff_start(r, &entry_api);
	else
		http_staff_tips_list_api(r);
}

void
http_staff_entry_new_page(struct http_req *r)
{
	http_staff_start(r, &entry_html);
}

/* ---- the export ------------------------------------------------------- */

static void
export_buf_free(void *p)
{
	struct report_buf *buf = p;

	if (buf != NULL && buf->data != NULL)
		sodium_memzero(buf->data, buf->len);
	report_buf_free(buf);
	free(buf);
}

static void
export_work(struct service_worker *w, struct http_staff_job *j)
{
	struct report_buf *buf = calloc(1, sizeof(*buf));
	enum staff_status st;
	char msg[STAFF_MSG_MAX];
	long rows = 0;

	if (buf == NULL) {
		http_staff_fail(j, STAFF_TRANSIENT, "unavailable",
		    "out of memory");
		return;
	}
	st = staff_entry_export(w, &j->user, http_staff_query(j, "bureau"),
	    http_staff_query(j, "from"), http_staff_query(j, "to"), buf, &rows,
	    msg, sizeof(msg));
	if (st != STAFF_OK) {
		free(buf);
		entry_fail(j, st, msg, "cannot export the tips");
		return;
	}
	j->extra = buf;
	j->extra_free = export_buf_free;
}

static void
export_done(struct http_staff_job *j)
{
	const struct report_buf *buf = j->extra;

	http_req_add_header(j->r, "Content-Disposition",
	    "attachment; filename=\"tipline-12315-export.csv\"");
	http_req_add_header(j->r, "Cache-Control", "no-store");
	http_reply(j->r, 200, "text/csv; charset=utf-8", buf->data, buf->len);
}

static const struct http_staff_route export_api = {
	"staff.tips.export", STAFF_ROLES_TIPS, 0, export_work, export_done,
};

void
http_staff_entry_export_api(struct http_req *r)
{
	http_staff_start(r, &export_api);
}
