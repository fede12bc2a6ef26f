/* SPDX-License-Identifier: MIT */
/*
 * The campaign summary table for staff (issue 7; service/staff_reports.h
 * does the work):
 *   GET /api/v1/staff/reports/summary?campaign=&bureau=&format=json|csv|xlsx
 *       json (the default; shape in report_json.h and README "Reports"),
 *       or a download: CSV (text/csv; charset=utf-8) or XLSX, both with
 *       Content-Disposition: attachment;
 *   GET /staff/reports?campaign=&bureau=&format=
 *       a plain GET form (campaign, bureau, format), the table inline and
 *       links to its CSV and XLSX downloads (the API URLs).  format=csv or
 *       xlsx answers 303 to the API URL, so that the form alone downloads.
 * Errors name the parameter (JSON "field"; the page shows the form again
 * with the message and the error status).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "service/staff_reports.h"

#define REPORTS_API_PATH "/api/v1/staff/reports/summary"
#define REPORTS_XLSX_TYPE \
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* What work() leaves for done(). */
struct reports_result {
	struct staff_reports_table table;
	json_t *choices;		/* the page's selects */
	bool shown;			/* the page has a table */
	bool download;			/* the page's format=csv|xlsx: 303 */
};

static void
reports_result_free(void *p)
{
	struct reports_result *res = p;

	if (res == NULL)
		return;
	staff_reports_table_free(&res->table);
	json_decref(res->choices);
	free(res);
}

/* A result attached to j; NULL (and j failed) when out of memory. */
static struct reports_result *
reports_result_new(struct http_staff_job *j)
{
	return http_staff_extra_new(j, sizeof(struct reports_result), reports_result_free);
}

/* Make the table for j (page: for the page) into res. */
static void
reports_make(struct service_worker *w, struct http_staff_job *j,
    struct reports_result *res, bool page)
{
	char field[STAFF_REPORTS_FIELD_MAX], msg[STAFF_MSG_MAX];
	enum staff_status st;

	st = staff_reports_summary(w, &j->user, http_staff_query(j,
	    "campaign"), http_staff_query(j, "bureau"), page ? NULL :
	    http_staff_query(j, "format"), page, &res->table, field, msg,
	    sizeof(msg));
	if (st == STAFF_OK) {
		res->shown = true;
		return;
	}
	http_staff_fail(j, st, st == STAFF_INVALID ? "invalid" :
	    st == STAFF_NOT_FOUND ? "not_found" : st == STAFF_FORBIDDEN ?
	    "forbidden" : "unavailable", msg[0] != '\0' ? msg :
	    "cannot make the table just now");
	(void)snprintf(j->field, sizeof(j->field), "%s", field);
}

/* ---- the API ----------------------------------------------------------- */

static void
reports_api_work(struct service_worker *w, struct http_staff_job *j)
{
	struct reports_result *res = reports_result_new(j);

	if (res != NULL)
		reports_make(w, j, res, false);
}

static void
reports_api_done(struct http_staff_job *j)
{
	struct reports_result *res = j->extra;
	const struct staff_reports_table *t = &res->table;
	char disp[STAFF_REPORTS_FILENAME_MAX + 32];

	if (t->format == STAFF_REPORTS_JSON) {
		j->out = json_incref(t->doc);
		http_staff_reply_json(j, 200);
		return;
	}
	(void)snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
	    t->filename);
	http_req_add_header(j->r, "Content-Disposition", disp);
	http_req_add_header(j->r, "Cache-Control", "no-store");
	http_reply(j->r, 200, t->format == STAFF_REPORTS_CSV ?
	    "text/csv; charset=utf-8" : REPORTS_XLSX_TYPE, t->buf.data,
	    t->buf.len);
}

static const struct http_staff_route reports_api = {
	"staff.reports.summary", STAFF_ROLES_TIPS, 0, reports_api_work,
	reports_api_done,
};

void
http_staff_reports_summary_api(struct http_req *r)
{
	http_staff_start(r, &reports_api);
}

/* ---- the page ---------------------------------------------------------- */

/* Whether the page was asked for a download format. */
static bool
reports_page_download(struct http_staff_job *j)
{
	const char *f = http_staff_query(j, "format");

	return f != NULL && (strcmp(f, "csv") == 0 || strcmp(f, "xlsx") == 0);
}

static void
reports_page_work(struct service_worker *w, struct http_staff_job *j)
{
	struct reports_result *res = reports_result_new(j);
	const char *campaign = http_staff_query(j, "campaign");
	const char *bureau = http_staff_query(j, "bureau");
	const char *format = http_staff_query(j, "format");
	enum staff_status st;

	if (res == NULL)
		return;
	if ((st = staff_reports_choices(w, &j->user, &res->choices)) !=
	    STAFF_OK) {
		http_staff_fail(j, st, st == STAFF_FORBIDDEN ? "forbidden" :
		    "unavailable", "cannot read the campaigns just now");
		return;
	}
	if (format != NULL && format[0] != '\0' && strcmp(format, "html") !=
	    0 && !reports_page_download(j)) {
		http_staff_fail(j, STAFF_INVALID, "invalid",
		    "format: html, csv or xlsx");
		return;
	}
	if (campaign == NULL || campaign[0] == '\0')
		return;		/* the form alone */
	if (reports_page_download(j)) {
		/* Checked here only as far as the URL needs: the API does the
		 * rest (and the audit). */
		if (!staff_valid_code(campaign, HTTP_STAFF_PARAM_MAX) ||
		    (bureau != NULL && bureau[0] != '\0' &&
		    !staff_valid_code(bureau, HTTP_STAFF_PARAM_MAX))) {
			http_staff_fail(j, STAFF_INVALID, "invalid",
			    "campaign: not a code");
			return;
		}
		res->download = true;
		return;
	}
	reports_make(w, j, res, true);
}

/* The API URL of the table (its parameters, HTML-escaped). */
static void
reports_put_url(struct evbuffer *b, const char *format, const char *campaign,
    const char *bureau)
{
	evbuffer_add_printf(b, REPORTS_API_PATH "?format=%s", format);
	http_staff_put_query_arg(b, "campaign", campaign);
	http_staff_put_query_arg(b, "bureau", bureau);
}

/* <option value="code"[ selected]>code name</option> for each of list. */
static void
reports_put_options(struct evbuffer *b, json_t *list, const char *chosen)
{
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o) {
		const char *code = http_staff_doc_str(o, "code");

		evbuffer_add_printf(b, "<option value=\"");
		http_html_escape(b, code);
		evbuffer_add_printf(b, "\"%s>", chosen != NULL &&
		    strcmp(chosen, code) == 0 ? " selected" : "");
		http_html_escape(b, code);
		evbuffer_add_printf(b, " ");
		http_staff_put_str(b, o, "name");
		evbuffer_add_printf(b, "</option>");
	}
}

static void
reports_put_form(struct evbuffer *b, struct http_staff_job *j,
    json_t *choices)
{
	const char *bureau = http_staff_query(j, "bureau");
	const char *format = http_staff_query(j, "format");

	evbuffer_add_printf(b, "<form method=\"get\" action=\"/staff/reports\" "
	    "class=\"filters\" id=\"report-form\"><label for=\"campaign\">"
	    "专项行动 Campaign</label> <select id=\"campaign\" "
	    "name=\"campaign\" required>");
	reports_put_options(b, json_object_get(choices, "campaigns"),
	    http_staff_query(j, "campaign"));
	evbuffer_add_printf(b, "</select> <label for=\"bureau\">填报单位 "
	    "Bureau</label> <select id=\"bureau\" name=\"bureau\">");
	if (json_is_true(json_object_get(choices, "city")))
		evbuffer_add_printf(b, "<option value=\"\">全市 City-wide"
		    "</option>");
	reports_put_options(b, json_object_get(choices, "bureaus"), bureau);
	evbuffer_add_printf(b, "</select> <label for=\"format\">格式 Format"
	    "</label> <select id=\"format\" name=\"format\">"
	    "<option value=\"html\">网页 Web page</option>"
	    "<option value=\"csv\"%s>CSV</option>"
	    "<option value=\"xlsx\"%s>XLSX</option></select> "
	    "<button type=\"submit\">生成 Make the table</button></form>",
	    format != NULL && strcmp(format, "csv") == 0 ? " selected" : "",
	    format != NULL && strcmp(format, "xlsx") == 0 ? " selected" : "");
}

/* The table: its heading, the <table>, the download links. */
static void
reports_put_table(struct evbuffer *b, const struct staff_reports_table *t)
{
	json_t *doc = t->doc;
	json_t *bureau = json_object_get(doc, "bureau");
	const char *campaign = http_staff_doc_str(doc, "campaign");
	const char *code = json_is_string(bureau) ? json_string_value(bureau) :
	    NULL;

	evbuffer_add_printf(b, "<section id=\"report\"><h2>");
	http_staff_put_str(b, doc, "title");
	evbuffer_add_printf(b, "</h2><p class=\"meta\">填报单位 Filled by: "
	    "<span id=\"filled-by\">");
	http_staff_put_str(b, doc, "filled_by");
	evbuffer_add_printf(b, "</span> · 填报日期 Date: <span id=\"date\">");
	http_staff_put_str(b, doc, "date");
	evbuffer_add_printf(b, "</span></p>");
	evbuffer_add(b, t->buf.data, t->buf.len);
	evbuffer_add_printf(b, "<p>下载 Download: <a id=\"csv\" href=\"");
	reports_put_url(b, "csv", campaign, code);
	evbuffer_add_printf(b, "\">CSV</a> <a id=\"xlsx\" href=\"");
	reports_put_url(b, "xlsx", campaign, code);
	evbuffer_add_printf(b, "\">XLSX</a> <a id=\"json\" href=\"");
	reports_put_url(b, "json", campaign, code);
	evbuffer_add_printf(b, "\">JSON</a></p></section>");
}

static void
reports_page_done(struct http_staff_job *j)
{
	struct reports_result *res = j->extra;
	struct evbuffer *b;
	int status = 200;

	if (j->status == STAFF_OK && res != NULL && res->download) {
		/* The parameters are codes ([A-Za-z0-9_-]): no escaping. */
		char loc[HTTP_STAFF_PARAM_MAX * 2 + 96];
		const char *bureau = http_staff_query(j, "bureau");

		(void)snprintf(loc, sizeof(loc), REPORTS_API_PATH
		    "?campaign=%s%s%s&format=%s", http_staff_query(j,
		    "campaign"), bureau != NULL && bureau[0] != '\0' ?
		    "&bureau=" : "", bureau != NULL ? bureau : "",
		    http_staff_query(j, "format"));
		http_staff_redirect(j, loc);
		return;
	}
	if (res == NULL || res->choices == NULL) {
		http_staff_reply_error(j);	/* nothing to draw a form with */
		return;
	}
	if ((b = http_staff_page_new(j, "汇总表 Summary table")) == NULL)
		return;
	evbuffer_add_printf(b, "<h1>检查信息汇总表 <span lang=\"en\">"
	    "Campaign summary table</span></h1>");
	if (j->status != STAFF_OK) {
		status = staff_status_http(j->status);
		evbuffer_add_printf(b, "<p class=\"error\" id=\"error\" "
		    "role=\"alert\">");
		http_html_escape(b, j->message);
		evbuffer_add_printf(b, "</p>");
	}
	reports_put_form(b, j, res->choices);
	if (j->status == STAFF_OK && res->shown)
		reports_put_table(b, &res->table);
	http_staff_page_end(b);
	http_staff_page_reply(j->r, status, b);
	evbuffer_free(b);
}

static const struct http_staff_route reports_page = {
	"staff.reports.page", STAFF_ROLES_TIPS,
	HTTP_STAFF_HTML | HTTP_STAFF_OWN_ERRORS, reports_page_work,
	reports_page_done,
};

void
http_staff_reports_page(struct http_req *r)
{
	http_staff_start(r, &reports_page);
}
