/* SPDX-License-Identifier: MIT */
/*
 * The reference data for admins (extension; service/staff_refdata.h):
 * GET /api/v1/staff/refdata/{TABLE}.csv downloads a table as its data/
 * CSV file, POST to the same path with a text/csv body (and the
 * X-CSRF-Token header) replaces the table, and the page /staff/refdata
 * lists the tables with their row counts, a download link and a form per
 * table (a textarea: the staff pages post url-encoded forms) to paste the
 * edited file into.
 *
 * A refused import answers 400 naming the first bad line and its field,
 * with every problem listed (JSON: error.line, error.problems; the page:
 * a list above the form, which keeps what was sent).  Upload is POST, not
 * PUT: the contract answers 405 to any other method.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "service/report.h"
#include "service/staff_refdata.h"

/* What work() leaves for done(). */
struct refdata_result {
	struct report_buf csv;			/* the download */
	struct refdata_admin_batch batch;	/* the import */
	char table[32];				/* the page's form, or "" */
};

static void
refdata_result_free(void *p)
{
	struct refdata_result *res = p;

	if (res == NULL)
		return;
	report_buf_free(&res->csv);
	refdata_admin_batch_free(&res->batch);
	free(res);
}

/* A result attached to j; NULL (and j failed) when out of memory. */
static struct refdata_result *
refdata_result_new(struct http_staff_job *j)
{
	return http_staff_extra_new(j, sizeof(struct refdata_result), refdata_result_free);
}

/* The failure of an export or import, in the job. */
static void
refdata_fail(struct http_staff_job *j, enum staff_status st,
    const struct refdata_result *res, const char *msg)
{
	const struct refdata_admin_batch *b = &res->batch;

	if (st == STAFF_INVALID && b->nproblems > 0) {
		http_staff_fail(j, st, "invalid", b->problems[0].text);
		(void)snprintf(j->field, sizeof(j->field), "%s",
		    b->problems[0].field);
		return;
	}
	http_staff_fail(j, st, st == STAFF_INVALID ? "invalid" :
	    st == STAFF_NOT_FOUND ? "not_found" : st == STAFF_FORBIDDEN ?
	    "forbidden" : "unavailable", st == STAFF_INVALID && msg[0] ?
	    msg : st == STAFF_NOT_FOUND ? "no such table (places.csv, "
	    "domain-keywords.csv, violations.csv or bureaus.csv)" :
	    "cannot read or write the reference data");
}

/* ---- the API ----------------------------------------------------------- */

static void
refdata_export_work(struct service_worker *w, struct http_staff_job *j)
{
	struct refdata_result *res = refdata_result_new(j);
	enum staff_status st;

	if (res == NULL)
		return;
	st = staff_refdata_export(w, &j->user, j->params[0], &res->csv);
	if (st != STAFF_OK)
		refdata_fail(j, st, res, "");
}

static void
refdata_export_done(struct http_staff_job *j)
{
	const struct refdata_result *res = j->extra;
	char disp[HTTP_STAFF_PARAM_MAX + 32];

	/* params[0] is one of the four table files: safe in the header. */
	(void)snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
	    j->params[0]);
	http_req_add_header(j->r, "Content-Disposition", disp);
	http_req_add_header(j->r, "Cache-Control", "no-store");
	http_reply(j->r, 200, "text/csv; charset=utf-8", res->csv.data,
	    res->csv.len);
}

/* Whether the request's Content-Type is text/csv (parameters allowed). */
static bool
refdata_is_csv(const char *ct)
{
	return strncasecmp(ct, "text/csv", 8) == 0 &&
	    (ct[8] == '\0' || ct[8] == ';' || ct[8] == ' ');
}

/* The import of file with the CSV in buf[0..len). */
static void
refdata_import(struct service_worker *w, struct http_staff_job *j,
    struct refdata_result *res, const char *file, const void *buf,
    size_t len)
{
	enum staff_status st;
	char msg[STAFF_MSG_MAX];

	st = staff_refdata_import(w, &j->user, file, buf, len, &res->batch,
	    msg, sizeof(msg));
	if (st != STAFF_OK)
		refdata_fail(j, st, res, msg);
}

static void
refdata_import_work(struct service_worker *w, struct http_staff_job *j)
{
	struct refdata_result *res = refdata_result_new(j);
	size_t len = j->body != NULL ? evbuffer_get_length(j->body) : 0;
	const void *buf = "";

	if (res == NULL)
		return;
	if (!refdata_is_csv(j->content_type)) {
		http_staff_fail(j, STAFF_INVALID, "unsupported_media_type",
		    "send the file as text/csv");
		return;
	}
	if (len > 0 && (buf = evbuffer_pullup(j->body, -1)) == NULL) {
		http_staff_fail(j, STAFF_TRANSIENT, "unavailable",
		    "out of memory");
		return;
	}
	refdata_import(w, j, res, j->params[0], buf, len);
}

/* The 400 of a refused file: the contract's error object, plus the
 * first bad line's number and every problem. */
static void
refdata_reply_problems(struct http_staff_job *j,
    const struct refdata_admin_batch *b)
{
	json_t *problems = json_array(), *err;

	for (size_t i = 0; problems != NULL && i < b->nproblems; i++)
		json_array_append_new(problems, json_pack("{s:I, s:s, s:s}",
		    "line", (json_int_t)b->problems[i].line, "field",
		    b->problems[i].field, "message", b->problems[i].text));
	err = json_pack("{s:s, s:s, s:s?, s:I, s:I, s:o?}", "code", "invalid",
	    "message", b->problems[0].text, "field", b->problems[0].field[0] ?
	    b->problems[0].field : NULL, "line", (json_int_t)b->problems[0].line,
	    "problems_total", (json_int_t)b->problems_total, "problems",
	    problems);
	json_decref(j->out);
	j->out = json_pack("{s:o?}", "error", err);
	if (j->out == NULL) {
		http_staff_reply_error(j);
		return;
	}
	http_staff_reply_json(j, 400);
}

static void
refdata_import_done(struct http_staff_job *j)
{
	const struct refdata_result *res = j->extra;

	if (j->status == STAFF_OK) {
		json_decref(j->out);
		j->out = json_pack("{s:s, s:I, s:I}", "table",
		    refdata_admin_table_name(res->batch.table), "rows",
		    (json_int_t)res->batch.nrows, "before",
		    (json_int_t)res->batch.before);
		http_staff_reply_json(j, 200);
		return;
	}
	if (j->status == STAFF_INVALID && res != NULL &&
	    res->batch.nproblems > 0) {
		refdata_reply_problems(j, &res->batch);
		return;
	}
	http_staff_reply_error(j);
}

static const struct http_staff_route refdata_export_api = {
	"staff.refdata.export", STAFF_REFDATA_ROLES, 0, refdata_export_work,
	refdata_export_done,
};

static const struct http_staff_route refdata_import_api = {
	"staff.refdata.import", STAFF_REFDATA_ROLES,
	HTTP_STAFF_RAW_BODY | HTTP_STAFF_OWN_ERRORS, refdata_import_work,
	refdata_import_done,
};

void
http_staff_refdata_api(struct http_req *r)
{
	http_staff_start(r, strcmp(r->method, "POST") == 0 ?
	    &refdata_import_api : &refdata_export_api);
}

/* ---- the page ---------------------------------------------------------- */

static void
refdata_page_work(struct service_worker *w, struct http_staff_job *j)
{
	struct refdata_result *res = refdata_result_new(j);
	const char *table, *csv;
	char file[48];
	enum staff_status st;

	if (res == NULL)
		return;
	if (j->post) {
		table = http_staff_field(j, "table");
		csv = http_staff_field(j, "csv");
		(void)snprintf(res->table, sizeof(res->table), "%s",
		    table != NULL ? table : "");
		(void)snprintf(file, sizeof(file), "%.40s.csv", res->table);
		refdata_import(w, j, res, file, csv != NULL ? csv : "",
		    csv != NULL ? strlen(csv) : 0);
	}
	/* The list also under a refused import: the page is shown again. */
	st = staff_refdata_list(w, &j->user, &j->out);
	if (st != STAFF_OK && j->status == STAFF_OK)
		refdata_fail(j, st, res, "");
}

/* The problems of a refused import, above the forms. */
static void
refdata_put_problems(struct evbuffer *b, struct http_staff_job *j,
    const struct refdata_admin_batch *batch)
{
	evbuffer_add_printf(b, "<div class=\"error\" id=\"error\" role=\"alert\">"
	    "<p>未导入，数据未改变。<span lang=\"en\">Nothing imported; the "
	    "data is unchanged.</span> ");
	if (batch->nproblems == 0)
		http_html_escape(b, j->message);
	evbuffer_add_printf(b, "</p>");
	if (batch->nproblems > 0) {
		evbuffer_add_printf(b, "<ul id=\"problems\">");
		for (size_t i = 0; i < batch->nproblems; i++) {
			evbuffer_add_printf(b, "<li>");
			http_html_escape(b, batch->problems[i].text);
			evbuffer_add_printf(b, "</li>");
		}
		if (batch->problems_total > batch->nproblems)
			evbuffer_add_printf(b, "<li>… %zu more</li>",
			    batch->problems_total - batch->nproblems);
		evbuffer_add_printf(b, "</ul>");
	}
	evbuffer_add_printf(b, "</div>");
}

/* The table of tables, then one import form each. */
static void
refdata_put_tables(struct evbuffer *b, struct http_staff_job *j,
    const struct refdata_result *res)
{
	json_t *tables = json_object_get(j->out, "tables"), *t;
	const bool again = j->post && j->status != STAFF_OK;
	size_t i;

	evbuffer_add_printf(b, "<table id=\"refdata\"><thead><tr><th>表 Table"
	    "</th><th>行数 Rows</th><th>下载 Download</th></tr></thead>"
	    "<tbody>");
	json_array_foreach(tables, i, t) {
		evbuffer_add_printf(b, "<tr><td>");
		http_staff_put_str(b, t, "table");
		evbuffer_add_printf(b, "</td><td class=\"rows\">%lld</td><td>"
		    "<a href=\"/api/v1/staff/refdata/", (long long)
		    json_integer_value(json_object_get(t, "rows")));
		http_staff_put_str(b, t, "file");
		evbuffer_add_printf(b, "\" download>");
		http_staff_put_str(b, t, "file");
		evbuffer_add_printf(b, "</a></td></tr>");
	}
	evbuffer_add_printf(b, "</tbody></table><p>导入会替换整张表；先下载、"
	    "修改，再把整个文件粘贴到下面。<span lang=\"en\">An import "
	    "replaces the whole table: download the file, edit it, and paste "
	    "all of it below.</span></p>");
	json_array_foreach(tables, i, t) {
		const char *name = http_staff_doc_str(t, "table");
		const char *sent = again && strcmp(name, res->table) == 0 ?
		    http_staff_field(j, "csv") : NULL;

		evbuffer_add_printf(b, "<h2>导入 Import ");
		http_staff_put_str(b, t, "file");
		evbuffer_add_printf(b, "</h2><form method=\"post\" action=\""
		    "/staff/refdata\" id=\"import-");
		http_html_escape(b, name);
		evbuffer_add_printf(b, "\">");
		http_staff_csrf_field(b, &j->user);
		evbuffer_add_printf(b, "<input type=\"hidden\" name=\"table\" "
		    "value=\"");
		http_html_escape(b, name);
		evbuffer_add_printf(b, "\"><textarea name=\"csv\" rows=\"8\" "
		    "cols=\"80\" required aria-label=\"CSV\">");
		http_html_escape(b, sent != NULL ? sent : "");
		evbuffer_add_printf(b, "</textarea><p><button type=\"submit\">"
		    "导入并替换 Import and replace</button></p></form>");
	}
}

static void
refdata_page_done(struct http_staff_job *j)
{
	const struct refdata_result *res = j->extra;
	const char *imported = http_staff_query(j, "imported");
	struct evbuffer *b;
	enum refdata_table t;
	char location[80];
	int status = 200;

	if (j->post && j->status == STAFF_OK) {
		(void)snprintf(location, sizeof(location),
		    "/staff/refdata?imported=%s",
		    refdata_admin_table_name(res->batch.table));
		http_staff_redirect(j, location);
		return;
	}
	if (res == NULL || j->out == NULL || (j->status != STAFF_OK &&
	    j->status != STAFF_INVALID && j->status != STAFF_NOT_FOUND)) {
		http_staff_reply_error(j);
		return;
	}
	if ((b = http_staff_page_new(j, "参考数据 Reference data")) == NULL)
		return;
	evbuffer_add_printf(b, "<h1>参考数据 <span lang=\"en\">Reference data"
	    "</span></h1>");
	if (j->status != STAFF_OK) {
		status = staff_status_http(j->status);
		refdata_put_problems(b, j, &res->batch);
	} else if (imported != NULL && refdata_admin_table(imported, &t)) {
		evbuffer_add_printf(b, "<p id=\"imported\">已导入 <span "
		    "lang=\"en\">Imported</span>: %s</p>",
		    refdata_admin_table_name(t));
	}
	refdata_put_tables(b, j, res);
	http_staff_page_end(b);
	http_staff_page_reply(j->r, status, b);
	evbuffer_free(b);
}

static const struct http_staff_route refdata_page = {
	"staff.refdata.page", STAFF_REFDATA_ROLES,
	HTTP_STAFF_HTML | HTTP_STAFF_OWN_ERRORS, refdata_page_work,
	refdata_page_done,
};

void
http_staff_refdata_page(struct http_req *r)
{
	http_staff_start(r, &refdata_page);
}
