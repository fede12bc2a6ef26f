/* SPDX-License-Identifier: MIT */
/*
 * The audit log for auditors and admins: GET /api/v1/staff/audit and the
 * page /staff/audit, both with the filters user, object, from and to
 * (service/staff_audit.h) and a cursor.  Entries are shown as stored
 * (escaped on the way in) and HTML-escaped again on the page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "service/staff_audit.h"

static void
audit_work(struct service_worker *w, struct http_staff_job *j)
{
	struct staff_audit_query q;
	enum staff_status st;
	char msg[STAFF_MSG_MAX];

	q.user = http_staff_query(j, "user");
	q.object = http_staff_query(j, "object");
	q.from = http_staff_query(j, "from");
	q.to = http_staff_query(j, "to");
	q.cursor = http_staff_query(j, "cursor");
	q.limit = http_staff_query(j, "limit");
	st = staff_audit_list(w, &j->user, &q, &j->out, msg, sizeof(msg));
	if (st != STAFF_OK)
		http_staff_fail(j, st, st == STAFF_INVALID ? "invalid" :
		    st == STAFF_FORBIDDEN ? "forbidden" : "unavailable",
		    st == STAFF_INVALID ? msg : "cannot read the audit log");
}

static void
audit_api_done(struct http_staff_job *j)
{
	http_staff_reply_json(j, 200);
}

static const char *
entry_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* A filter input of the form, filled with its current value. */
static void
put_filter(struct evbuffer *b, struct http_staff_job *j, const char *name,
    const char *label, const char *hint)
{
	const char *v = http_staff_query(j, name);

	evbuffer_add_printf(b, "<label for=\"%s\">%s</label><input type=\"text\""
	    " id=\"%s\" name=\"%s\" placeholder=\"%s\" value=\"", name, label,
	    name, name, hint);
	http_html_escape(b, v != NULL ? v : "");
	evbuffer_add_printf(b, "\"> ");
}

static void
put_query_arg(struct evbuffer *b, struct http_staff_job *j, const char *name,
    const char *value)
{
	char *enc;

	if (value == NULL)
		value = http_staff_query(j, name);
	if (value == NULL || value[0] == '\0' ||
	    (enc = evhttp_encode_uri(value)) == NULL)
		return;
	evbuffer_add_printf(b, "&amp;%s=", name);
	http_html_escape(b, enc);
	free(enc);
}

static void
audit_html_done(struct http_staff_job *j)
{
	struct evbuffer *b = evbuffer_new();
	json_t *entries = json_object_get(j->out, "entries"), *e, *next;
	size_t i;

	if (b == NULL) {
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return;
	}
	http_staff_page_begin(b, "审计日志 Audit log", &j->user);
	evbuffer_add_printf(b, "<h1>审计日志 <span lang=\"en\">Audit log"
	    "</span></h1><form method=\"get\" action=\"/staff/audit\" "
	    "class=\"filters\">");
	put_filter(b, j, "user", "用户 User", "");
	put_filter(b, j, "object", "对象 Object", "T-2022-000001");
	put_filter(b, j, "from", "自 From", "YYYY-MM-DD");
	put_filter(b, j, "to", "至 To", "YYYY-MM-DD");
	evbuffer_add_printf(b, "<button type=\"submit\">筛选 Filter</button>"
	    "</form><table id=\"audit\"><thead><tr><th>时间 At (UTC)</th>"
	    "<th>用户 User</th><th>操作 Action</th><th>对象 Object</th>"
	    "<th>说明 Reason</th></tr></thead><tbody>");
	json_array_foreach(entries, i, e) {
		evbuffer_add_printf(b, "<tr><td>");
		http_html_escape(b, entry_str(e, "at"));
		evbuffer_add_printf(b, "</td><td>");
		http_html_escape(b, entry_str(e, "user"));
		evbuffer_add_printf(b, "</td><td>");
		http_html_escape(b, entry_str(e, "action"));
		evbuffer_add_printf(b, "</td><td>");
		http_html_escape(b, entry_str(e, "object"));
		evbuffer_add_printf(b, "</td><td>");
		http_html_escape(b, entry_str(e, "reason"));
		evbuffer_add_printf(b, "</td></tr>");
	}
	evbuffer_add_printf(b, "</tbody></table>");
	next = json_object_get(j->out, "next");
	if (json_is_string(next)) {
		evbuffer_add_printf(b, "<p><a id=\"next\" href=\"/staff/audit?"
		    "x=1");
		put_query_arg(b, j, "user", NULL);
		put_query_arg(b, j, "object", NULL);
		put_query_arg(b, j, "from", NULL);
		put_query_arg(b, j, "to", NULL);
		put_query_arg(b, j, "cursor", json_string_value(next));
		evbuffer_add_printf(b, "\">下一页 Next page</a></p>");
	}
	http_staff_page_end(b);
	http_staff_page_reply(j->r, 200, b);
	evbuffer_free(b);
}

static const struct http_staff_route audit_api = {
	"staff.audit", STAFF_ROLES_AUDIT, 0, audit_work, audit_api_done,
};

static const struct http_staff_route audit_html = {
	"staff.audit.page", STAFF_ROLES_AUDIT, HTTP_STAFF_HTML, audit_work,
	audit_html_done,
};

void
http_staff_audit_api(struct http_req *r)
{
	http_staff_start(r, &audit_api);
}

void
http_staff_audit_page(struct http_req *r)
{
	http_staff_start(r, &audit_html);
}
