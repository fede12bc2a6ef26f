/* SPDX-License-Identifier: MIT */
/*
 * Inspection cases for staff (issue 7; service/cases.h does the work).
 *
 * The contract's routes:
 *   POST /api/v1/staff/cases {...}             create (also "from_tip")
 *   GET  /api/v1/staff/cases/{id}               detail
 *   POST /api/v1/staff/cases/{id}/tips {"tip"}  link a tip
 *   POST /api/v1/staff/cases/{id}/outcome {...} findings and outcomes
 * and the extensions:
 *   GET  /api/v1/staff/cases?bureau=&campaign=&domain=&status=&overdue=1
 *   POST /api/v1/staff/cases/{id}/tips/{tip}/unlink {"reason"}
 *   POST /api/v1/staff/cases/{id}/status {"status", "reason", "on"}
 *   POST /api/v1/staff/cases/{id}/messages {"text"}
 *   POST /api/v1/staff/cases/{id}/deadline-events {...}
 *   POST /api/v1/staff/tips/{id}/notice {"on"}
 *   POST /api/v1/staff/tips/{id}/deadline-events {"rule", "kind", "on",
 *        "note"}
 *   GET  /api/v1/staff/overdue?bureau=
 * and the pages /staff/cases (list, and POST: create), /staff/cases/{id}
 * with its forms (POST .../status, .../outcome, .../tips, .../tips/{tip}/
 * unlink, .../messages, .../deadline-events; each answers 303 back to the
 * case), /staff/overdue, and on the tip page the forms POST
 * /staff/tips/{id}/deadline-events and /staff/tips/{id}/notice (303 back
 * to the tip's deadlines).
 *
 * API errors carry the field the service named ("status: ..." ->
 * "field": "status"); a change the case's state forbids is 409.  The
 * pages are drawn from the same JSON documents as the API; their forms
 * are turned into the same JSON bodies.
 */
#include "handlers/http_staff_cases.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "service/cases.h"

static const char *const cases_status_names[][2] = {
	{ "verifying", "核查中 Verifying" },
	{ "filed", "已立案 Filed" },
	{ "not_filed", "不予立案 Not filed" },
	{ "decided", "已作出处理决定 Decided" },
	{ "closed", "已结案 Closed" },
};

#define CASES_NSTATUS (sizeof(cases_status_names) / \
	sizeof(cases_status_names[0]))
#define cases_status_label(code) \
	http_staff_label(cases_status_names, CASES_NSTATUS, (code))

/* ---- the common work --------------------------------------------------- */

/*
 * The request body as JSON: the API's own, or the page's form fields as
 * strings (without the CSRF token, and without empty fields: a field left
 * empty on a form changes nothing).  A new reference; NULL when out of
 * memory.
 */
static json_t *
cases_body(struct http_staff_job *j)
{
	struct evkeyval *kv;
	json_t *o;

	if (!(j->route->flags & HTTP_STAFF_HTML))
		return j->json != NULL ? json_incref(j->json) : json_object();
	if ((o = json_object()) == NULL)
		return NULL;
	TAILQ_FOREACH(kv, &j->form, next)
		if (strcmp(kv->key, "csrf") != 0 && kv->value[0] != '\0' &&
		    json_object_get(o, kv->key) == NULL)
			json_object_set_new(o, kv->key, json_string(kv->value));
	return o;
}

/*
 * Record the outcome of a service call in j: the error, and the field its
 * message names first ("status: ...").
 */
static void
cases_result(struct http_staff_job *j, enum staff_status st, const char *msg,
    const char *missing)
{
	size_t n;

	if (st == STAFF_OK)
		return;
	http_staff_fail(j, st, st == STAFF_NOT_FOUND ? "not_found" :
	    st == STAFF_INVALID ? "invalid" : st == STAFF_CONFLICT ?
	    "conflict" : st == STAFF_FORBIDDEN ? "forbidden" :
	    "unavailable", msg != NULL && msg[0] != '\0' ? msg :
	    st == STAFF_NOT_FOUND ? missing : "cannot do this just now");
	n = strspn(j->message, "abcdefghijklmnopqrstuvwxyz_");
	if (n > 0 && n < sizeof(j->field) && j->message[n] == ':') {
		memcpy(j->field, j->message, n);
		j->field[n] = '\0';
	}
}

static void
cases_api_done_200(struct http_staff_job *j)
{
	http_staff_reply_json(j, 200);
}

static void
cases_api_done_201(struct http_staff_job *j)
{
	http_staff_reply_json(j, 201);
}

/* 303 to /staff/{dir}/{id}[#anchor] (id: the case or tip this job
 * changed). */
static void
cases_redirect(struct http_staff_job *j, const char *dir, const char *id,
    const char *anchor)
{
	char *enc = evhttp_encode_uri(id);
	char loc[HTTP_STAFF_PARAM_MAX * 3 + 48];

	if (enc == NULL) {
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return;
	}
	(void)snprintf(loc, sizeof(loc), "/staff/%s/%s%s%s", dir, enc,
	    anchor != NULL ? "#" : "", anchor != NULL ? anchor : "");
	free(enc);
	http_staff_redirect(j, loc);
}

/* A page's change answered: back to the case. */
static void
cases_page_done(struct http_staff_job *j)
{
	cases_redirect(j, "cases", j->params[0], NULL);
}

/* The kinds of change a route makes (one work function serves all). */
enum cases_op {
	CASES_OP_CREATE,
	CASES_OP_LINK,
	CASES_OP_UNLINK,
	CASES_OP_STATUS,
	CASES_OP_OUTCOME,
	CASES_OP_MESSAGE,
	CASES_OP_NOTICE,
	CASES_OP_TIP_DEADLINE,
	CASES_OP_CASE_DEADLINE,
};

/* A change route and its kind (j->route points at the first member). */
struct cases_route {
	struct http_staff_route route;
	enum cases_op op;
};

static void
cases_change_work(struct service_worker *w, struct http_staff_job *j)
{
	const struct staff_user *u = &j->user;
	const char *id = j->params[0];
	enum cases_op op = ((const struct cases_route *)j->route)->op;
	char msg[STAFF_MSG_MAX] = "";
	enum staff_status st;
	json_t *body = cases_body(j);

	if (body == NULL) {
		http_staff_fail(j, STAFF_TRANSIENT, "unavailable",
		    "out of memory");
		return;
	}
	switch (op) {
	case CASES_OP_CREATE:
		st = cases_create(w, u, body, &j->out, msg, sizeof(msg));
		break;
	case CASES_OP_LINK:
		st = cases_link(w, u, id, body, &j->out, msg, sizeof(msg));
		break;
	case CASES_OP_UNLINK:
		st = cases_unlink(w, u, id, j->params[1], body, &j->out, msg,
		    sizeof(msg));
		break;
	case CASES_OP_STATUS:
		st = cases_status(w, u, id, body, &j->out, msg, sizeof(msg));
		break;
	case CASES_OP_OUTCOME:
		st = cases_outcome(w, u, id, body, &j->out, msg, sizeof(msg));
		break;
	case CASES_OP_MESSAGE:
		st = cases_message(w, u, id, body, &j->out, msg, sizeof(msg));
		break;
	case CASES_OP_NOTICE:
		st = cases_notice(w, u, id, body, &j->out, msg, sizeof(msg));
		break;
	case CASES_OP_TIP_DEADLINE:
	case CASES_OP_CASE_DEADLINE:
		st = cases_deadline_event(w, u, id, op ==
		    CASES_OP_CASE_DEADLINE, body, &j->out, msg, sizeof(msg));
		break;
	default:
		st = STAFF_FAILED;
		break;
	}
	json_decref(body);
	cases_result(j, st, msg, "no such case or tip");
}

/* ---- routes: changes --------------------------------------------------- */

#define CASES_API(var, name, op, done) \
	static const struct cases_route var = { { name, STAFF_ROLES_TIPS, \
	    0, cases_change_work, done }, op }
#define CASES_FORM(var, name, op, done) \
	static const struct cases_route var = { { name, STAFF_ROLES_TIPS, \
	    HTTP_STAFF_HTML, cases_change_work, done }, op }

static void cases_create_page_done(struct http_staff_job *j);

/* A tip page's change answered: back to the tip's deadlines. */
static void
cases_tip_page_done(struct http_staff_job *j)
{
	cases_redirect(j, "tips", j->params[0], "deadlines");
}

CASES_API(api_create, "staff.cases.create", CASES_OP_CREATE,
    cases_api_done_201);
CASES_API(api_link, "staff.cases.link", CASES_OP_LINK, cases_api_done_200);
CASES_API(api_unlink, "staff.cases.unlink", CASES_OP_UNLINK,
    cases_api_done_200);
CASES_API(api_status, "staff.cases.status", CASES_OP_STATUS,
    cases_api_done_200);
CASES_API(api_outcome, "staff.cases.outcome", CASES_OP_OUTCOME,
    cases_api_done_200);
CASES_API(api_message, "staff.cases.message", CASES_OP_MESSAGE,
    cases_api_done_201);
CASES_API(api_notice, "staff.cases.notice", CASES_OP_NOTICE,
    cases_api_done_200);
CASES_API(api_tip_deadline, "staff.cases.tipdeadline",
    CASES_OP_TIP_DEADLINE, cases_api_done_201);
CASES_API(api_case_deadline, "staff.cases.casedeadline",
    CASES_OP_CASE_DEADLINE, cases_api_done_201);
CASES_FORM(page_create, "staff.cases.page.create", CASES_OP_CREATE,
    cases_create_page_done);
CASES_FORM(page_link, "staff.cases.page.link", CASES_OP_LINK,
    cases_page_done);
CASES_FORM(page_unlink, "staff.cases.page.unlink", CASES_OP_UNLINK,
    cases_page_done);
CASES_FORM(page_status, "staff.cases.page.status", CASES_OP_STATUS,
    cases_page_done);
CASES_FORM(page_outcome, "staff.cases.page.outcome", CASES_OP_OUTCOME,
    cases_page_done);
CASES_FORM(page_message, "staff.cases.page.message", CASES_OP_MESSAGE,
    cases_page_done);
CASES_FORM(page_case_deadline, "staff.cases.page.casedeadline",
    CASES_OP_CASE_DEADLINE, cases_page_done);
CASES_FORM(page_tip_deadline, "staff.cases.page.tipdeadline",
    CASES_OP_TIP_DEADLINE, cases_tip_page_done);
CASES_FORM(page_notice, "staff.cases.page.notice", CASES_OP_NOTICE,
    cases_tip_page_done);

static void
cases_create_page_done(struct http_staff_job *j)
{
	cases_redirect(j, "cases", http_staff_doc_str(j->out, "id"), NULL);
}

/* ---- routes: the list -------------------------------------------------- */

/* A read route as JSON (api) and as a page (page, drawn by page_done). */
#define CASES_READ(api, page, name, work, page_done) \
	static const struct http_staff_route api = { name, STAFF_ROLES_TIPS, \
	    0, work, cases_api_done_200 }; \
	static const struct http_staff_route page = { name ".page", \
	    STAFF_ROLES_TIPS, HTTP_STAFF_HTML, work, page_done }

static void
cases_list_work(struct service_worker *w, struct http_staff_job *j)
{
	struct cases_query q;
	char msg[STAFF_MSG_MAX] = "";

	q.bureau = http_staff_query(j, "bureau");
	q.campaign = http_staff_query(j, "campaign");
	q.domain = http_staff_query(j, "domain");
	q.status = http_staff_query(j, "status");
	q.overdue = http_staff_query(j, "overdue");
	q.cursor = http_staff_query(j, "cursor");
	q.limit = http_staff_query(j, "limit");
	cases_result(j, cases_list(w, &j->user, &q, &j->out, msg, sizeof(msg)),
	    msg, "no such case");
}

/* A text input of the filter form. */
static void
put_filter(struct evbuffer *b, const char *name, const char *label,
    const char *value)
{
	evbuffer_add_printf(b, "<label for=\"%s\">%s</label><input type=\""
	    "text\" id=\"%s\" name=\"%s\" value=\"", name, label, name, name);
	http_html_escape(b, value != NULL ? value : "");
	evbuffer_add_printf(b, "\"> ");
}

/* <a href="/staff/{dir}/{id}">{id}</a>, id being member key of o. */
static void
put_link(struct evbuffer *b, const char *dir, json_t *o, const char *key)
{
	evbuffer_add_printf(b, "<a href=\"/staff/%s/", dir);
	http_staff_put_str(b, o, key);
	evbuffer_add_printf(b, "\">");
	http_staff_put_str(b, o, key);
	evbuffer_add_printf(b, "</a>");
}

/* The money of an outcome as "yuan 元 (万元 万元)". */
static void
put_money(struct evbuffer *b, json_t *outcome, const char *name)
{
	char key[48];

	(void)snprintf(key, sizeof(key), "%s_yuan", name);
	http_staff_put_str(b, outcome, key);
	evbuffer_add_printf(b, " 元 (");
	(void)snprintf(key, sizeof(key), "%s_wan", name);
	http_staff_put_str(b, outcome, key);
	evbuffer_add_printf(b, " 万元)");
}

static void
cases_list_html_done(struct http_staff_job *j)
{
	struct evbuffer *b;
	json_t *cases = json_object_get(j->out, "cases"), *c, *next;
	const char *status = http_staff_query(j, "status");
	const char *overdue = http_staff_query(j, "overdue");
	size_t i;

	if ((b = http_staff_page_new(j, "案件 Cases")) == NULL)
		return;
	evbuffer_add_printf(b, "<h1>案件 <span lang=\"en\">Cases</span></h1>"
	    "<p><a href=\"/staff/overdue\">超期清单 Overdue list</a></p>"
	    "<form method=\"get\" action=\"/staff/cases\" class=\"filters\">");
	put_filter(b, "bureau", "承办单位 Bureau", http_staff_query(j,
	    "bureau"));
	put_filter(b, "campaign", "专项行动 Campaign", http_staff_query(j,
	    "campaign"));
	put_filter(b, "domain", "领域 Domain", http_staff_query(j, "domain"));
	evbuffer_add_printf(b, "<label for=\"status\">状态 Status</label>"
	    "<select id=\"status\" name=\"status\"><option value=\"\">全部 All"
	    "</option>");
	for (i = 0; i < sizeof(cases_status_names) /
	    sizeof(cases_status_names[0]); i++)
		evbuffer_add_printf(b, "<option value=\"%s\"%s>%s</option>",
		    cases_status_names[i][0], status != NULL && strcmp(status,
		    cases_status_names[i][0]) == 0 ? " selected" : "",
		    cases_status_names[i][1]);
	evbuffer_add_printf(b, "</select> <label><input type=\"checkbox\" "
	    "name=\"overdue\" value=\"1\"%s> 仅超期 Overdue only</label> "
	    "<button type=\"submit\">筛选 Filter</button></form>",
	    overdue != NULL && strcmp(overdue, "1") == 0 ? " checked" : "");
	if (json_array_size(cases) == 0)
		evbuffer_add_printf(b, "<p id=\"empty\">没有案件。<span lang="
		    "\"en\">No cases.</span></p>");
	else {
		evbuffer_add_printf(b, "<table id=\"cases\"><thead><tr><th>"
		    "编号 ID</th><th>状态 Status</th><th>承办单位 Bureau</th>"
		    "<th>被检查机构 Institution</th><th>领域 Domain</th><th>"
		    "举报 Tips</th><th>罚没款 Fines and confiscations</th><th>"
		    "超期 Overdue</th></tr></thead><tbody>");
		json_array_foreach(cases, i, c) {
			json_t *out = json_object_get(c, "outcome");

			evbuffer_add_printf(b, "<tr><td>");
			put_link(b, "cases", c, "id");
			evbuffer_add_printf(b, "</td><td>");
			http_html_escape(b, cases_status_label(http_staff_doc_str(c,
			    "status")));
			evbuffer_add_printf(b, "</td><td>");
			http_staff_put_str(b, c, "bureau");
			evbuffer_add_printf(b, "</td><td>");
			http_staff_put_str(b, json_object_get(c,
			    "institution"), "name");
			evbuffer_add_printf(b, "</td><td>");
			http_staff_put_str(b, c, "domain");
			evbuffer_add_printf(b, "</td><td>%lld</td><td>",
			    (long long)json_integer_value(json_object_get(c,
			    "tip_count")));
			put_money(b, out, "fines");
			evbuffer_add_printf(b, "</td><td>%s</td></tr>",
			    json_is_true(json_object_get(c, "overdue")) ?
			    "<strong class=\"overdue\">超期 Overdue</strong>" :
			    "");
		}
		evbuffer_add_printf(b, "</tbody></table>");
	}
	next = json_object_get(j->out, "next");
	if (json_is_string(next)) {
		evbuffer_add_printf(b, "<p><a id=\"next\" href=\"/staff/cases"
		    "?x=1");
		http_staff_put_query_arg(b, "bureau", http_staff_query(j,
		    "bureau"));
		http_staff_put_query_arg(b, "campaign", http_staff_query(j,
		    "campaign"));
		http_staff_put_query_arg(b, "domain", http_staff_query(j,
		    "domain"));
		http_staff_put_query_arg(b, "status", status);
		http_staff_put_query_arg(b, "overdue", overdue);
		http_staff_put_query_arg(b, "cursor", json_string_value(next));
		evbuffer_add_printf(b, "\">下一页 Next page</a></p>");
	}
	http_staff_page_finish(j, b);
}

CASES_READ(api_list, page_list, "staff.cases.list", cases_list_work,
    cases_list_html_done);

/* ---- one case ---------------------------------------------------------- */

static void
cases_detail_work(struct service_worker *w, struct http_staff_job *j)
{
	cases_result(j, cases_detail(w, &j->user, j->params[0], &j->out), NULL,
	    "no such case");
}

static const char *
yes_no(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key)) ? "是 Yes" : "否 No";
}

/* The calendar warning of document doc, when it has one. */
static void
put_calendar_warning(struct evbuffer *b, json_t *doc)
{
	if (!json_is_string(json_object_get(doc, "calendar_warning")))
		return;
	evbuffer_add_printf(b, "<p class=\"warning\" id=\"calendar-warning\">");
	http_staff_put_str(b, doc, "calendar_warning");
	evbuffer_add_printf(b, "</p>");
}

/* A table of the deadlines (the "deadlines" array of a tip document). */
static void
put_deadlines(struct evbuffer *b, json_t *deadlines)
{
	json_t *d;
	size_t i;

	if (json_array_size(deadlines) == 0) {
		evbuffer_add_printf(b, "<p>无期限 No deadlines</p>");
		return;
	}
	evbuffer_add_printf(b, "<table class=\"deadlines\"><thead><tr><th>"
	    "期限 Deadline</th><th>起算 Start</th><th>截止 Due</th><th>剩余 "
	    "Days left</th><th>状态 State</th><th>依据 Source</th></tr>"
	    "</thead><tbody>");
	json_array_foreach(deadlines, i, d) {
		json_t *left = json_object_get(d, "days_left");
		const char *state = http_staff_doc_str(d, "state");
		bool wd = strcmp(http_staff_doc_str(d, "unit"),
		    "working_days") == 0;

		evbuffer_add_printf(b, "<tr class=\"deadline %s\"><td>",
		    strcmp(state, "overdue") == 0 ? "overdue" : "");
		http_staff_put_str(b, d, "name");
		evbuffer_add_printf(b, "</td><td>");
		http_staff_put_str(b, d, "start");
		evbuffer_add_printf(b, "</td><td class=\"due\">");
		http_staff_put_str(b, d, "due");
		if (json_is_integer(left))
			evbuffer_add_printf(b, "</td><td>%lld %s</td><td>",
			    (long long)json_integer_value(left), wd ?
			    "工作日 working days" : "日 days");
		else
			evbuffer_add_printf(b, "</td><td>—</td><td>");
		http_staff_put_str(b, d, "state");
		evbuffer_add_printf(b, "</td><td>");
		http_staff_put_str(b, d, "source");
		evbuffer_add_printf(b, "</td></tr>");
	}
	evbuffer_add_printf(b, "</tbody></table>");
}

/* A <select> of a flag: unchanged, yes, no. */
static void
put_flag_select(struct evbuffer *b, const char *name, const char *label)
{
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"%s\">%s"
	    "</label><select id=\"%s\" name=\"%s\"><option value=\"\">不变 "
	    "Unchanged</option><option value=\"1\">是 Yes</option><option "
	    "value=\"0\">否 No</option></select></div>", name, label, name,
	    name);
}

/* A form posting to /staff/{dir}/{id}/{action}, {id} being d's. */
static void
put_dir_form_begin(struct evbuffer *b, const char *dir, json_t *d,
    const char *action, const char *id, const struct staff_user *u)
{
	evbuffer_add_printf(b, "<form method=\"post\" id=\"%s\" action=\""
	    "/staff/%s/", id, dir);
	http_staff_put_str(b, d, "id");
	evbuffer_add_printf(b, "/%s\">", action);
	http_staff_csrf_field(b, u);
}

/*
 * The fields of a deadline event form (its <form> already open): the
 * rules offered (the first is the default), the kinds, the day and the
 * note (the approval of an extension).
 */
static void
put_deadline_fields(struct evbuffer *b, const char *const *rules,
    size_t nrules, bool restart)
{
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"dl-rule\">"
	    "期限 Deadline</label><select id=\"dl-rule\" name=\"rule\">");
	for (size_t i = 0; i < nrules; i++)
		evbuffer_add_printf(b, "<option value=\"%s\">%s</option>",
		    rules[i], rules[i]);
	evbuffer_add_printf(b, "</select></div><div class=\"field\"><label "
	    "for=\"dl-kind\">事项 Event</label><select id=\"dl-kind\" "
	    "name=\"kind\"><option value=\"pause\">中止计算（检测、检验、"
	    "鉴定） Pause (testing, appraisal)</option><option value=\""
	    "resume\">恢复计算 Resume</option><option value=\"extend\">"
	    "延长（经负责人批准） Extend (approved)</option>%s</select></div>"
	    "<div class=\"field\"><label for=\"dl-on\">日期（默认今天） Date "
	    "(default today)</label><input type=\"date\" id=\"dl-on\" "
	    "name=\"on\"></div><div class=\"field\"><label for=\"dl-note\">"
	    "说明（延长时写明批准人和日期） Note (for an extension: who "
	    "approved, when)</label><input type=\"text\" id=\"dl-note\" "
	    "name=\"note\" maxlength=\"%d\"></div><button type=\"submit\">"
	    "记录 Record</button></form>", restart ? "<option value=\""
	    "restart\">重新计算（同一举报人补充新事实） Restart (new facts from "
	    "the same tipster)</option>" : "", CASES_TEXT_MAX);
}

static void
cases_detail_forms(struct evbuffer *b, json_t *d, const struct staff_user *u)
{
	static const char *const case_rules[] = { "case_decision" };
	size_t i;

	evbuffer_add_printf(b, "<h2>变更状态 <span lang=\"en\">Change the "
	    "status</span></h2>");
	put_dir_form_begin(b, "cases", d, "status", "status-form", u);
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"new-status"
	    "\">新状态 New status</label><select id=\"new-status\" name=\""
	    "status\">");
	for (i = 1; i < sizeof(cases_status_names) /
	    sizeof(cases_status_names[0]); i++)
		evbuffer_add_printf(b, "<option value=\"%s\">%s</option>",
		    cases_status_names[i][0], cases_status_names[i][1]);
	evbuffer_add_printf(b, "</select></div><div class=\"field\"><label "
	    "for=\"reason\">理由（不予立案时必填）Reason (required for not "
	    "filed)</label><input type=\"text\" id=\"reason\" name=\"reason\" "
	    "maxlength=\"%d\"></div><div class=\"field\"><label for=\"on\">"
	    "日期 Date</label><input type=\"date\" id=\"on\" name=\"on\">"
	    "</div><button type=\"submit\">保存 Save</button></form>",
	    CASES_TEXT_MAX);

	evbuffer_add_printf(b, "<h2>查处结果 <span lang=\"en\">Findings and "
	    "outcome</span></h2>");
	put_dir_form_begin(b, "cases", d, "outcome", "outcome-form", u);
	put_flag_select(b, "violation_found", "存在违法违规行为 Violation "
	    "found");
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\""
	    "false_report\">出具不实/虚假报告 False or inaccurate report"
	    "</label><select id=\"false_report\" name=\"false_report\">"
	    "<option value=\"\">不变 Unchanged</option><option value=\"0\">"
	    "否 None</option><option value=\"1\">不实 Inaccurate</option>"
	    "<option value=\"2\">虚假 False</option></select></div><div "
	    "class=\"field\"><label for=\"false_report_kind\">情形（违法类型"
	    "代码）Situation (violation code)</label><input type=\"text\" "
	    "id=\"false_report_kind\" name=\"false_report_kind\"></div>");
	put_flag_select(b, "rectify_ordered", "责令改正/整改 Ordered to "
	    "rectify");
	put_flag_select(b, "qualification_revoked", "撤销/注销资质 "
	    "Qualification revoked");
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"fines_yuan"
	    "\">罚款（元）Fines (yuan)</label><input type=\"text\" id=\""
	    "fines_yuan\" name=\"fines_yuan\" inputmode=\"decimal\"></div>"
	    "<div class=\"field\"><label for=\"confiscated_yuan\">没收（元）"
	    "Confiscations (yuan)</label><input type=\"text\" id=\""
	    "confiscated_yuan\" name=\"confiscated_yuan\" inputmode=\""
	    "decimal\"></div>");
	put_flag_select(b, "referred_police", "移送公安司法机关 Referred to "
	    "police or judicial organs");
	put_flag_select(b, "seriously_dishonest", "列入严重违法失信名单 "
	    "Listed as seriously dishonest");
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\""
	    "credit_published_on\">信用公示日期 Published in the credit "
	    "system on</label><input type=\"date\" id=\"credit_published_on\" "
	    "name=\"credit_published_on\"></div><div class=\"field\"><label "
	    "for=\"joint_departments\">联合部门（用、分隔）Joint departments "
	    "(separated by 、)</label><input type=\"text\" id=\""
	    "joint_departments\" name=\"joint_departments\"></div><button "
	    "type=\"submit\">保存 Save</button></form>");

	evbuffer_add_printf(b, "<h2>关联举报 <span lang=\"en\">Link a tip"
	    "</span></h2>");
	put_dir_form_begin(b, "cases", d, "tips", "link-form", u);
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"tip\">举报"
	    "编号 Tip ID</label><input type=\"text\" id=\"tip\" name=\"tip\" "
	    "required></div><button type=\"submit\">关联 Link</button></form>");

	evbuffer_add_printf(b, "<h2>办案期限事项 <span lang=\"en\">Deadline "
	    "events</span></h2>");
	put_dir_form_begin(b, "cases", d, "deadline-events", "deadline-form",
	    u);
	put_deadline_fields(b, case_rules, 1, false);

	evbuffer_add_printf(b, "<h2>给本案全部举报人写消息 <span lang=\"en\">"
	    "Message to every tipster of the case</span></h2>");
	put_dir_form_begin(b, "cases", d, "messages", "message-form", u);
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"text\">消息 "
	    "Message</label><textarea id=\"text\" name=\"text\" required>"
	    "</textarea></div><button type=\"submit\">发送 Send</button>"
	    "</form>");
}

static void
cases_detail_html_done(struct http_staff_job *j)
{
	struct evbuffer *b;
	json_t *d = j->out, *f = json_object_get(d, "findings"), *t, *e;
	json_t *out = json_object_get(d, "outcome"), *joint;
	size_t i;

	if ((b = http_staff_page_new(j, http_staff_doc_str(d, "id"))) == NULL)
		return;
	evbuffer_add_printf(b, "<h1>案件 <span lang=\"en\">Case</span> <span "
	    "id=\"case-id\">");
	http_staff_put_str(b, d, "id");
	evbuffer_add_printf(b, "</span></h1>");
	put_calendar_warning(b, d);
	evbuffer_add_printf(b, "<dl class=\"facts\"><dt>状态 Status</dt><dd "
	    "id=\"case-status\">");
	http_html_escape(b, cases_status_label(http_staff_doc_str(d,
	    "status")));
	evbuffer_add_printf(b, "</dd>");
	http_staff_put_fact(b, "被检查机构 Institution", http_staff_doc_str(json_object_get(d,
	    "institution"), "name"));
	http_staff_put_fact(b, "承办单位 Bureau", http_staff_doc_str(d, "bureau"));
	http_staff_put_fact(b, "专项行动 Campaign", http_staff_doc_str(d, "campaign"));
	http_staff_put_fact(b, "领域 Domain", http_staff_doc_str(d, "domain"));
	http_staff_put_fact(b, "立案日期 Filed on", http_staff_doc_str(d, "filed_on"));
	http_staff_put_fact(b, "不予立案日期 Not filed on", http_staff_doc_str(d,
	    "not_filed_on"));
	http_staff_put_fact(b, "不予立案理由 Reason not filed", http_staff_doc_str(d,
	    "not_filed_reason"));
	http_staff_put_fact(b, "决定日期 Decided on", http_staff_doc_str(d, "decided_on"));
	http_staff_put_fact(b, "结案日期 Closed on", http_staff_doc_str(d, "closed_on"));
	evbuffer_add_printf(b, "<dt>部门联合情况 Joint departments</dt><dd>");
	joint = json_object_get(d, "joint_departments");
	json_array_foreach(joint, i, e) {
		if (i > 0)
			evbuffer_add_printf(b, "、");
		http_html_escape(b, json_string_value(e));
	}
	evbuffer_add_printf(b, "%s</dd>", json_array_size(joint) == 0 ? "—" :
	    "");
	http_staff_put_fact(b, "存在违法违规行为 Violation found", yes_no(f,
	    "violation_found"));
	evbuffer_add_printf(b, "<dt>出具不实/虚假报告 False or inaccurate "
	    "report</dt><dd>%s ", json_integer_value(json_object_get(f,
	    "false_report")) == 2 ? "虚假 False" : json_integer_value(
	    json_object_get(f, "false_report")) == 1 ? "不实 Inaccurate" :
	    "否 No");
	http_staff_put_str(b, f, "false_report_kind");
	evbuffer_add_printf(b, "</dd>");
	http_staff_put_fact(b, "责令改正 Ordered to rectify", yes_no(out,
	    "rectify_ordered"));
	http_staff_put_fact(b, "撤销/注销 Qualification revoked", yes_no(out,
	    "qualification_revoked"));
	evbuffer_add_printf(b, "<dt>罚款 Fines</dt><dd id=\"fines\">");
	put_money(b, out, "fines");
	evbuffer_add_printf(b, "</dd><dt>没收 Confiscations</dt><dd>");
	put_money(b, out, "confiscated");
	evbuffer_add_printf(b, "</dd>");
	http_staff_put_fact(b, "移送公安司法机关 Referred to police", yes_no(out,
	    "referred_police"));
	http_staff_put_fact(b, "严重违法失信 Seriously dishonest", yes_no(out,
	    "seriously_dishonest"));
	http_staff_put_fact(b, "信用公示日期 Credit published on", http_staff_doc_str(out,
	    "credit_published_on"));
	evbuffer_add_printf(b, "</dl><h2>举报与期限 <span lang=\"en\">Tips "
	    "and deadlines</span></h2>");
	json_array_foreach(json_object_get(d, "tips"), i, t) {
		evbuffer_add_printf(b, "<section class=\"case-tip\"><h3>");
		put_link(b, "tips", t, "id");
		evbuffer_add_printf(b, " · ");
		http_staff_put_str(b, t, "status");
		evbuffer_add_printf(b, " · %s", json_is_true(json_object_get(t,
		    "real_name")) ? "实名 Real name" : "匿名 Anonymous");
		if (json_is_string(json_object_get(t, "notified_on"))) {
			evbuffer_add_printf(b, " · 已告知 Notified ");
			http_staff_put_str(b, t, "notified_on");
		}
		evbuffer_add_printf(b, "</h3>");
		put_deadlines(b, json_object_get(t, "deadlines"));
		evbuffer_add_printf(b, "<form method=\"post\" "
		    "class=\"unlink\" action=\"/staff/cases/");
		http_staff_put_str(b, d, "id");
		evbuffer_add_printf(b, "/tips/");
		http_staff_put_str(b, t, "id");
		evbuffer_add_printf(b, "/unlink\">");
		http_staff_csrf_field(b, &j->user);
		evbuffer_add_printf(b, "<input type=\"text\" name=\"reason\" "
		    "placeholder=\"解除理由 Reason\" required> <button type=\""
		    "submit\">解除关联 Unlink</button></form></section>");
	}
	evbuffer_add_printf(b, "<h2>案件记录 <span lang=\"en\">Events</span>"
	    "</h2><ol id=\"events\">");
	json_array_foreach(json_object_get(d, "events"), i, e) {
		evbuffer_add_printf(b, "<li>");
		http_staff_put_str(b, e, "at");
		evbuffer_add_printf(b, " · ");
		http_staff_put_str(b, e, "user");
		evbuffer_add_printf(b, " · ");
		http_staff_put_str(b, e, "kind");
		evbuffer_add_printf(b, " · ");
		http_staff_put_str(b, e, "detail");
		evbuffer_add_printf(b, "</li>");
	}
	evbuffer_add_printf(b, "</ol>");
	cases_detail_forms(b, d, &j->user);
	http_staff_page_finish(j, b);
}

CASES_READ(api_detail, page_detail, "staff.cases.detail", cases_detail_work,
    cases_detail_html_done);

/* ---- the overdue list -------------------------------------------------- */

static void
cases_overdue_work(struct service_worker *w, struct http_staff_job *j)
{
	char msg[STAFF_MSG_MAX] = "";

	cases_result(j, cases_overdue(w, &j->user, http_staff_query(j,
	    "bureau"), &j->out, msg, sizeof(msg)), msg, "not found");
}

static void
cases_overdue_html_done(struct http_staff_job *j)
{
	struct evbuffer *b;
	json_t *tips = json_object_get(j->out, "tips"), *t;
	size_t i;

	if ((b = http_staff_page_new(j, "超期清单 Overdue")) == NULL)
		return;
	evbuffer_add_printf(b, "<h1>超期清单 <span lang=\"en\">Overdue"
	    "</span></h1><form method=\"get\" action=\"/staff/overdue\" "
	    "class=\"filters\">");
	put_filter(b, "bureau", "承办单位 Bureau", http_staff_query(j,
	    "bureau"));
	evbuffer_add_printf(b, "<button type=\"submit\">筛选 Filter</button>"
	    "</form>");
	put_calendar_warning(b, j->out);
	if (json_array_size(tips) == 0)
		evbuffer_add_printf(b, "<p id=\"empty\">没有超期。<span lang="
		    "\"en\">Nothing is overdue.</span></p>");
	json_array_foreach(tips, i, t) {
		evbuffer_add_printf(b, "<section class=\"overdue-tip\"><h2>");
		put_link(b, "tips", t, "id");
		evbuffer_add_printf(b, " · ");
		http_staff_put_str(b, t, "bureau");
		if (json_is_string(json_object_get(t, "case"))) {
			evbuffer_add_printf(b, " · ");
			put_link(b, "cases", t, "case");
		}
		evbuffer_add_printf(b, "</h2>");
		put_deadlines(b, json_object_get(t, "deadlines"));
		evbuffer_add_printf(b, "</section>");
	}
	if (json_is_true(json_object_get(j->out, "truncated")))
		evbuffer_add_printf(b, "<p>只显示了前一部分 Only the first part "
		    "is shown.</p>");
	http_staff_page_finish(j, b);
}

CASES_READ(api_overdue, page_overdue, "staff.cases.overdue",
    cases_overdue_work, cases_overdue_html_done);

/* ---- the tip page's section -------------------------------------------- */

/* See http_staff_cases.h. */
/* Whether the tip document names any contact (a real-name tipster). */
static bool
tip_has_contact(json_t *tip)
{
	json_t *c = json_object_get(tip, "contact");

	return json_is_string(json_object_get(c, "name")) ||
	    json_is_string(json_object_get(c, "phone")) ||
	    json_is_string(json_object_get(c, "email"));
}

/* The tip page's forms of deadline events and the decision notice. */
static void
put_tip_deadline_forms(struct evbuffer *b, json_t *tip,
    const struct staff_user *u)
{
	static const char *const tip_rules[] = { "report_filing_decision",
	    "realname_filing_notice" };

	evbuffer_add_printf(b, "<h3>期限事项 <span lang=\"en\">Deadline "
	    "events</span></h3>");
	put_dir_form_begin(b, "tips", tip, "deadline-events", "deadline-form",
	    u);
	put_deadline_fields(b, tip_rules, 2, true);
	if (!tip_has_contact(tip))
		return;
	evbuffer_add_printf(b, "<h3>告知实名举报人 <span lang=\"en\">Real-name "
	    "tipster told of the filing decision</span></h3>");
	put_dir_form_begin(b, "tips", tip, "notice", "notice-form", u);
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"notice-on"
	    "\">告知日期（默认今天） Told on (default today)</label><input "
	    "type=\"date\" id=\"notice-on\" name=\"on\"></div><button "
	    "type=\"submit\">记录告知 Record the notice</button></form>");
}

void
http_staff_cases_tip_section(struct evbuffer *b, json_t *tip,
    const struct staff_user *u)
{
	evbuffer_add_printf(b, "<h2 id=\"deadlines\">期限 <span lang=\"en\">"
	    "Deadlines</span></h2>");
	put_calendar_warning(b, tip);
	put_deadlines(b, json_object_get(tip, "deadlines"));
	put_tip_deadline_forms(b, tip, u);
	evbuffer_add_printf(b, "<h2 id=\"case\">案件 <span lang=\"en\">Case"
	    "</span></h2>");
	if (json_is_string(json_object_get(tip, "case"))) {
		evbuffer_add_printf(b, "<p><a id=\"case-link\" href=\"/staff/"
		    "cases/");
		http_staff_put_str(b, tip, "case");
		evbuffer_add_printf(b, "\">");
		http_staff_put_str(b, tip, "case");
		evbuffer_add_printf(b, "</a></p>");
		return;
	}
	evbuffer_add_printf(b, "<form method=\"post\" action=\"/staff/cases\" "
	    "id=\"open-case\"><input type=\"hidden\" name=\"from_tip\" value=\"");
	http_staff_put_str(b, tip, "id");
	evbuffer_add_printf(b, "\">");
	http_staff_csrf_field(b, u);
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"institution"
	    "\">机构编号（举报未匹配登记机构时必填）Institution id (when the "
	    "tip matched none)</label><input type=\"text\" id=\"institution\" "
	    "name=\"institution\" inputmode=\"numeric\"></div><div class=\""
	    "field\"><label for=\"campaign\">专项行动 Campaign</label><input "
	    "type=\"text\" id=\"campaign\" name=\"campaign\"></div><button "
	    "type=\"submit\" id=\"open-case-button\">据此立案核查 Open a case "
	    "from this tip</button></form>");
}

/* ---- entry points ------------------------------------------------------ */

void
http_staff_cases_api(struct http_req *r)
{
	http_staff_start(r, strcmp(r->method, "POST") == 0 ?
	    &api_create.route : &api_list);
}

void
http_staff_cases_page(struct http_req *r)
{
	http_staff_start(r, strcmp(r->method, "POST") == 0 ?
	    &page_create.route : &page_list);
}

void
http_staff_cases_detail_api(struct http_req *r)
{
	http_staff_start(r, &api_detail);
}

void
http_staff_cases_detail_page(struct http_req *r)
{
	http_staff_start(r, &page_detail);
}

void
http_staff_cases_link_api(struct http_req *r)
{
	http_staff_start(r, &api_link.route);
}

void
http_staff_cases_link_page(struct http_req *r)
{
	http_staff_start(r, &page_link.route);
}

void
http_staff_cases_unlink_api(struct http_req *r)
{
	http_staff_start(r, &api_unlink.route);
}

void
http_staff_cases_unlink_page(struct http_req *r)
{
	http_staff_start(r, &page_unlink.route);
}

void
http_staff_cases_status_api(struct http_req *r)
{
	http_staff_start(r, &api_status.route);
}

void
http_staff_cases_status_page(struct http_req *r)
{
	http_staff_start(r, &page_status.route);
}

void
http_staff_cases_outcome_api(struct http_req *r)
{
	http_staff_start(r, &api_outcome.route);
}

void
http_staff_cases_outcome_page(struct http_req *r)
{
	http_staff_start(r, &page_outcome.route);
}

void
http_staff_cases_message_api(struct http_req *r)
{
	http_staff_start(r, &api_message.route);
}

void
http_staff_cases_message_page(struct http_req *r)
{
	http_staff_start(r, &page_message.route);
}

void
http_staff_cases_deadline_api(struct http_req *r)
{
	http_staff_start(r, &api_case_deadline.route);
}

void
http_staff_cases_tip_notice_api(struct http_req *r)
{
	http_staff_start(r, &api_notice.route);
}

void
http_staff_cases_deadline_page(struct http_req *r)
{
	http_staff_start(r, &page_case_deadline.route);
}

void
http_staff_cases_tip_deadline_page(struct http_req *r)
{
	http_staff_start(r, &page_tip_deadline.route);
}

void
http_staff_cases_tip_notice_page(struct http_req *r)
{
	http_staff_start(r, &page_notice.route);
}

void
http_staff_cases_tip_deadline_api(struct http_req *r)
{
	http_staff_start(r, &api_tip_deadline.route);
}

void
http_staff_cases_overdue_api(struct http_req *r)
{
	http_staff_start(r, &api_overdue);
}

void
http_staff_cases_overdue_page(struct http_req *r)
{
	http_staff_start(r, &page_overdue);
}
