/* SPDX-License-Identifier: MIT */
/*
 * Tips for staff: GET /api/v1/staff/tips, GET /api/v1/staff/tips/{id},
 * GET /api/v1/staff/tips/{id}/attachments/{aid}, POST
 * /api/v1/staff/tips/{id}/messages, and the pages /staff/tips,
 * /staff/tips/{id} and POST /staff/tips/{id}/messages.
 *
 * The pages are drawn from the same JSON documents the API returns
 * (service/staff_tips.h), so both show the same thing and are audited the
 * same way.  Attachments are only ever downloads: application/octet-stream,
 * Content-Disposition: attachment with an RFC 6266 / RFC 5987 file name,
 * nosniff and a sandboxing CSP; never rendered inline.  The decrypted file
 * is held in memory only between the worker and the reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <sodium.h>

#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "handlers/http_staff_cases.h"
#include "handlers/http_staff_triage.h"
#include "service/config.h"
#include "service/staff_tips.h"

static const char *const tips_status_names[][2] = {
	{ "received", "已接收 Received" },
	{ "triaged", "已分流 Triaged" },
	{ "verifying", "核查中 Verifying" },
	{ "filed", "已立案 Filed" },
	{ "not_filed", "不予立案 Not filed" },
	{ "transferred", "已移送 Transferred" },
	{ "invalid", "无效 Invalid" },
	{ "closed", "已办结 Closed" },
};

#define TIPS_NSTATUS (sizeof(tips_status_names) / sizeof(tips_status_names[0]))

static const char *
tips_status_label(const char *code)
{
	return http_staff_label(tips_status_names, TIPS_NSTATUS, code);
}

/* Escape text into b with each line end as <br> (no CSS needed to keep
 * the tipster's lines). */
static void
put_lines(struct evbuffer *b, const char *text)
{
	const char *nl;
	char *line;

	while ((nl = strchr(text, '\n')) != NULL) {
		if ((line = strndup(text, (size_t)(nl - text))) != NULL) {
			http_html_escape(b, line);
			free(line);
		}
		evbuffer_add_printf(b, "<br>");
		text = nl + 1;
	}
	http_html_escape(b, text);
}

/* ---- the list ---------------------------------------------------------- */

static void
tips_list_work(struct service_worker *w, struct http_staff_job *j)
{
	struct staff_tips_query q;
	enum staff_status st;
	char msg[STAFF_MSG_MAX];

	q.status = http_staff_query(j, "status");
	q.bureau = http_staff_query(j, "bureau");
	q.cursor = http_staff_query(j, "cursor");
	q.limit = http_staff_query(j, "limit");
	st = staff_tips_list(w, &j->user, &q, &j->out, msg, sizeof(msg));
	if (st != STAFF_OK)
		http_staff_fail(j, st, st == STAFF_INVALID ? "invalid" :
		    st == STAFF_FORBIDDEN ? "forbidden" : "unavailable",
		    st == STAFF_INVALID ? msg : "cannot list the tips");
}

static void
tips_list_api_done(struct http_staff_job *j)
{
	http_staff_reply_json(j, 200);
}

static void
tips_list_html_done(struct http_staff_job *j)
{
	json_t *tips = json_object_get(j->out, "tips"), *t, *next;
	const char *status = http_staff_query(j, "status");
	const char *bureau = http_staff_query(j, "bureau");
	struct evbuffer *b;
	size_t i;

	if ((b = http_staff_page_new(j, "举报列表 Tips")) == NULL)
		return;
	evbuffer_add_printf(b, "<h1>举报列表 <span lang=\"en\">Tips</span>"
	    "</h1><form method=\"get\" action=\"/staff/tips\" "
	    "class=\"filters\"><label for=\"status\">状态 Status</label>"
	    "<select id=\"status\" name=\"status\"><option value=\"\">全部 "
	    "All</option>");
	for (i = 0; i < TIPS_NSTATUS; i++)
		evbuffer_add_printf(b, "<option value=\"%s\"%s>%s</option>",
		    tips_status_names[i][0], status != NULL &&
		    strcmp(status, tips_status_names[i][0]) == 0 ?
		    " selected" : "", tips_status_names[i][1]);
	evbuffer_add_printf(b, "</select> <label for=\"bureau\">承办单位 "
	    "Bureau</label><input type=\"text\" id=\"bureau\" name=\"bureau\" "
	    "value=\"");
	http_html_escape(b, bureau != NULL ? bureau : "");
	evbuffer_add_printf(b, "\"> <button type=\"submit\">筛选 Filter"
	    "</button></form>");
	if (json_array_size(tips) == 0) {
		evbuffer_add_printf(b, "<p id=\"empty\">没有举报。<span "
		    "lang=\"en\">No tips.</span></p>");
	} else {
		evbuffer_add_printf(b, "<table id=\"tips\"><thead><tr>"
		    "<th>编号 ID</th><th>状态 Status</th><th>承办单位 Bureau"
		    "</th><th>领域 Domain</th><th>优先级 Priority</th>"
		    "<th>收到时间 Received</th><th>摘要 Summary</th>");
		http_staff_triage_list_head(b);
		evbuffer_add_printf(b, "</tr></thead><tbody>");
		json_array_foreach(tips, i, t) {
			evbuffer_add_printf(b, "<tr><td><a href=\"/staff/tips/");
			http_staff_put_str(b, t, "id");
			evbuffer_add_printf(b, "\">");
			http_staff_put_str(b, t, "id");
			evbuffer_add_printf(b, "</a></td><td>");
			http_html_escape(b, tips_status_label(
			    http_staff_doc_str(t, "status")));
			evbuffer_add_printf(b, "</td><td>");
			http_staff_put_str(b, t, "bureau");
			evbuffer_add_printf(b, "</td><td>");
			http_staff_put_str(b, t, "domain");
			evbuffer_add_printf(b, "</td><td>%lld</td><td>",
			    (long long)json_integer_value(json_object_get(t,
			    "priority")));
			http_staff_put_str(b, t, "received_at");
			evbuffer_add_printf(b, "</td><td>");
			http_staff_put_str(b, t, "summary");
			evbuffer_add_printf(b, "</td>");
			http_staff_triage_list_cells(b, t);
			evbuffer_add_printf(b, "</tr>");
		}
		evbuffer_add_printf(b, "</tbody></table>");
	}
	next = json_object_get(j->out, "next");
	if (json_is_string(next)) {
		evbuffer_add_printf(b, "<p><a id=\"next\" href=\"/staff/tips?"
		    "x=1");
		http_staff_put_query_arg(b, "status", status);
		http_staff_put_query_arg(b, "bureau", bureau);
		http_staff_put_query_arg(b, "cursor", json_string_value(next));
		evbuffer_add_printf(b, "\">下一页 Next page</a></p>");
	}
	http_staff_page_finish(j, b);
}

static const struct http_staff_route tips_list_api = {
	"staff.tips.list", STAFF_ROLES_TIPS, 0,
	tips_list_work, tips_list_api_done,
};

static const struct http_staff_route tips_list_html = {
	"staff.tips.list.page", STAFF_ROLES_TIPS, HTTP_STAFF_HTML,
	tips_list_work, tips_list_html_done,
};

void
http_staff_tips_list_api(struct http_req *r)
{
	http_staff_start(r, &tips_list_api);
}

void
http_staff_tips_list_page(struct http_req *r)
{
	http_staff_start(r, &tips_list_html);
}

/* ---- one tip ------------------------------------------------------------ */

static void
tips_detail_work(struct service_worker *w, struct http_staff_job *j)
{
	enum staff_status st;

	st = staff_tips_detail(w, &j->user, j->params[0], &j->out);
	if (st == STAFF_OK && (j->route->flags & HTTP_STAFF_HTML) != 0)
		http_staff_triage_page_work(w, j);
	if (st != STAFF_OK)
		http_staff_fail(j, st, st == STAFF_NOT_FOUND ? "not_found" :
		    st == STAFF_FORBIDDEN ? "forbidden" : "unavailable",
		    st == STAFF_NOT_FOUND ? "no such tip" :
		    "cannot show the tip");
}

static void
tips_detail_api_done(struct http_staff_job *j)
{
	http_staff_reply_json(j, 200);
}

/* One row of the tip's facts: the string member key of o. */
static void
tips_fact(struct evbuffer *b, const char *label, json_t *o, const char *key)
{
	http_staff_put_fact(b, label, http_staff_doc_str(o, key));
}

static void
tips_detail_html_done(struct http_staff_job *j)
{
	json_t *d = j->out, *contact = json_object_get(d, "contact"), *v;
	json_t *msgs = json_object_get(d, "messages");
	json_t *atts = json_object_get(d, "attachments");
	struct evbuffer *b;
	char prio[24];
	size_t i;

	if ((b = http_staff_page_new(j, http_staff_doc_str(d, "id"))) == NULL)
		return;
	evbuffer_add_printf(b, "<h1>举报 <span lang=\"en\">Tip</span> "
	    "<span id=\"tip-id\">");
	http_staff_put_str(b, d, "id");
	evbuffer_add_printf(b, "</span></h1><dl class=\"facts\">");
	tips_fact(b, "摘要 Summary", d, "summary");
	http_staff_put_fact(b, "状态 Status", tips_status_label(
	    http_staff_doc_str(d, "status")));
	tips_fact(b, "承办单位 Bureau", d, "bureau");
	tips_fact(b, "分派理由 Routing reason", d, "route_reason");
	tips_fact(b, "领域 Domain", d, "domain");
	tips_fact(b, "违法类型 Violation", d, "violation");
	(void)snprintf(prio, sizeof(prio), "%lld",
	    (long long)json_integer_value(json_object_get(d, "priority")));
	http_staff_put_fact(b, "优先级 Priority", prio);
	tips_fact(b, "收到时间 Received", d, "received_at");
	tips_fact(b, "被举报机构 Institution", d, "institution");
	tips_fact(b, "发生地 County", d, "county");
	tips_fact(b, "发生日期 Date", d, "occurred_on");
	tips_fact(b, "举报人姓名 Contact name", contact, "name");
	tips_fact(b, "举报人电话 Contact phone", contact, "phone");
	tips_fact(b, "举报人邮箱 Contact e-mail", contact, "email");
	evbuffer_add_printf(b, "</dl><h2>举报内容 <span lang=\"en\">Details"
	    "</span></h2><p class=\"details\" id=\"details\">");
	put_lines(b, http_staff_doc_str(d, "details"));
	evbuffer_add_printf(b, "</p><h2>证据材料 <span lang=\"en\">"
	    "Evidence</span></h2>");
	if (json_array_size(atts) == 0)
		evbuffer_add_printf(b, "<p>无 None</p>");
	else {
		evbuffer_add_printf(b, "<ul id=\"attachments\">");
		json_array_foreach(atts, i, v) {
			evbuffer_add_printf(b, "<li><a download href=\"");
			http_staff_put_str(b, v, "url");
			evbuffer_add_printf(b, "\">");
			http_staff_put_str(b, v, "name");
			evbuffer_add_printf(b, "</a> (");
			http_staff_put_str(b, v, "type");
			evbuffer_add_printf(b, ", %lld bytes) <code>SHA-256 ",
			    (long long)json_integer_value(json_object_get(v,
			    "size")));
			http_staff_put_str(b, v, "sha256");
			evbuffer_add_printf(b, "</code></li>");
		}
		evbuffer_add_printf(b, "</ul>");
	}
	if (json_array_size(json_object_get(d, "left_out")) > 0) {
		evbuffer_add_printf(b, "<h3>未单独保存的附件 <span lang=\"en\">"
		    "Files left out</span> (原始邮件中仍有 <span lang=\"en\">"
		    "still inside the original message</span>)</h3>"
		    "<ul id=\"left-out\">");
		json_array_foreach(json_object_get(d, "left_out"), i, v) {
			evbuffer_add_printf(b, "<li>");
			http_staff_put_str(b, v, "name");
			evbuffer_add_printf(b, ": ");
			http_staff_put_str(b, v, "reason");
			evbuffer_add_printf(b, "</li>");
		}
		evbuffer_add_printf(b, "</ul>");
	}
	http_staff_triage_page(b, j);
	evbuffer_add_printf(b, "<h2 id=\"messages\">与举报人的消息 <span "
	    "lang=\"en\">Messages with the tipster</span></h2>");
	if (json_array_size(msgs) == 0)
		evbuffer_add_printf(b, "<p>无 None</p>");
	else {
		evbuffer_add_printf(b, "<ol class=\"messages\">");
		json_array_foreach(msgs, i, v) {
			evbuffer_add_printf(b, "<li><p class=\"meta\">%s · ",
			    strcmp(http_staff_doc_str(v, "from"), "bureau") ==
			    0 ? "本局 Bureau" : "举报人 Tipster");
			http_staff_put_str(b, v, "at");
			evbuffer_add_printf(b, "</p><p>");
			put_lines(b, http_staff_doc_str(v, "text"));
			evbuffer_add_printf(b, "</p></li>");
		}
		evbuffer_add_printf(b, "</ol>");
	}
	http_staff_cases_tip_section(b, d, &j->user);	/* issue 7 */
	evbuffer_add_printf(b, "<form method=\"post\" action=\"/staff/tips/");
	http_staff_put_str(b, d, "id");
	evbuffer_add_printf(b, "/messages\">");
	http_staff_csrf_field(b, &j->user);
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"text\">"
	    "给举报人写消息 Message to the tipster</label><textarea id=\"text\" "
	    "name=\"text\" maxlength=\"%d\" required></textarea></div>"
	    "<button type=\"submit\">发送 Send</button></form>",
	    STAFF_TIPS_MESSAGE_MAX);
	http_staff_page_finish(j, b);
}

static const struct http_staff_route tips_detail_api = {
	"staff.tips.detail", STAFF_ROLES_TIPS, 0,
	tips_detail_work, tips_detail_api_done,
};

static const struct http_staff_route tips_detail_html = {
	"staff.tips.detail.page", STAFF_ROLES_TIPS, HTTP_STAFF_HTML,
	tips_detail_work, tips_detail_html_done,
};

void
http_staff_tips_detail_api(struct http_req *r)
{
	http_staff_start(r, &tips_detail_api);
}

void
http_staff_tips_detail_page(struct http_req *r)
{
	http_staff_start(r, &tips_detail_html);
}

/* ---- attachment download ----------------------------------------------- */

static void
tips_file_free(void *p)
{
	staff_tips_file_free(p);
	free(p);
}

static void
tips_attachment_work(struct service_worker *w, struct http_staff_job *j)
{
	const struct config *cfg = w->svc->cfg;
	struct staff_tips_file *f = http_staff_extra_new(j, sizeof(*f),
	    tips_file_free);
	size_t max = cfg->attachment_max > cfg->mail_max ?
	    (size_t)cfg->attachment_max : (size_t)cfg->mail_max;
	enum staff_status st;

	if (f == NULL)
		return;
	st = staff_tips_attachment(w, &j->user, j->params[0], j->params[1],
	    max, f);
	if (st != STAFF_OK)
		http_staff_fail(j, st, st == STAFF_NOT_FOUND ? "not_found" :
		    st == STAFF_FORBIDDEN ? "forbidden" : "unavailable",
		    st == STAFF_NOT_FOUND ? "no such attachment" :
		    "cannot read the attachment");
}

/*
 * Content-Disposition for name (RFC 6266 section 4.3): an ASCII fallback
 * in filename="..." (anything but printable ASCII, quotes and backslashes
 * becomes '_') and the exact name as UTF-8 in filename*=
 * (RFC 5987 section 3.2: attr-char kept, every other byte %XX).
 */
static void
tips_disposition(struct evbuffer *b, const char *name)
{
	static const char attr[] = "!#$&+-.^_`|~";
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	if (name == NULL || name[0] == '\0')
		name = "attachment";
	evbuffer_add_printf(b, "attachment; filename=\"");
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		char c = (*p >= 0x20 && *p < 0x7f && *p != '"' &&
		    *p != '\\' && *p != '/' && *p != ';') ? (char)*p : '_';

		evbuffer_add(b, &c, 1);
	}
	evbuffer_add_printf(b, "\"; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (*p != '\0' &&
		    strchr(attr, *p) != NULL))
			evbuffer_add(b, p, 1);
		else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 0x0f] };

			evbuffer_add(b, e, 3);
		}
	}
}

static void
tips_attachment_done(struct http_staff_job *j)
{
	struct staff_tips_file *f = j->extra;
	struct evbuffer *b = evbuffer_new();
	char *cd;
	size_t len;

	if (b == NULL) {
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return;
	}
	tips_disposition(b, f->name);
	len = evbuffer_get_length(b);
	if ((cd = calloc(1, len + 1)) == NULL) {
		evbuffer_free(b);
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return;
	}
	evbuffer_remove(b, cd, len);
	evbuffer_free(b);
	http_req_add_header(j->r, "Content-Disposition", cd);
	free(cd);
	http_req_add_header(j->r, "Content-Security-Policy", "sandbox; "
	    "default-src 'none'");
	http_reply(j->r, 200, "application/octet-stream", f->data, f->len);
}

static const struct http_staff_route tips_attachment_api = {
	"staff.tips.attachment", STAFF_ROLES_TIPS, 0,
	tips_attachment_work, tips_attachment_done,
};

void
http_staff_tips_attachment_api(struct http_req *r)
{
	http_staff_start(r, &tips_attachment_api);
}

/* ---- a message to the tipster ----------------------------------------- */

static void
tips_message_work(struct service_worker *w, struct http_staff_job *j)
{
	const bool html = (j->route->flags & HTTP_STAFF_HTML) != 0;
	const char *text = html ? http_staff_field(j, "text") :
	    http_staff_json_str(j, "text");
	enum staff_status st;
	char msg[STAFF_MSG_MAX];

	st = staff_tips_message(w, &j->user, j->params[0], text, &j->out, msg,
	    sizeof(msg));
	if (st != STAFF_OK)
		http_staff_fail(j, st, st == STAFF_NOT_FOUND ? "not_found" :
		    st == STAFF_INVALID ? "invalid" : st == STAFF_FORBIDDEN ?
		    "forbidden" : "unavailable", st == STAFF_NOT_FOUND ?
		    "no such tip" : msg[0] ? msg : "cannot store the message");
}

static void
tips_message_api_done(struct http_staff_job *j)
{
	http_staff_reply_json(j, 201);
}

static void
tips_message_html_done(struct http_staff_job *j)
{
	char *enc = evhttp_encode_uri(j->params[0]);
	char loc[HTTP_STAFF_PARAM_MAX * 3 + 32];

	if (enc == NULL) {
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return;
	}
	(void)snprintf(loc, sizeof(loc), "/staff/tips/%s#messages", enc);
	free(enc);
	http_staff_redirect(j, loc);
}

static const struct http_staff_route tips_message_api = {
	"staff.tips.message", STAFF_ROLES_TIPS, 0,
	tips_message_work, tips_message_api_done,
};

static const struct http_staff_route tips_message_html = {
	"staff.tips.message.page", STAFF_ROLES_TIPS, HTTP_STAFF_HTML,
	tips_message_work, tips_message_html_done,
};

void
http_staff_tips_message_api(struct http_req *r)
{
	http_staff_start(r, &tips_message_api);
}

void
http_staff_tips_message_page(struct http_req *r)
{
	http_staff_start(r, &tips_message_html);
}
