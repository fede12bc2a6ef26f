/* SPDX-License-Identifier: MIT */
/*
 * Triage for staff: POST /api/v1/staff/tips/{id}/route {"bureau",
 * "reason"}, POST /api/v1/staff/tips/{id}/status {"status", "note",
 * "duplicate_of"}, POST /api/v1/staff/tips/{id}/classify {"domain",
 * "violation", "institution"} and POST /api/v1/staff/tips/{id}/merge
 * {"into", "new_facts", "note"} (contract extensions), the same four as
 * forms under /staff/tips/{id}/..., and the triage parts of the tip pages
 * (http_staff_triage.h).
 *
 * The work is service/staff_triage.c's; a refusal names the field that
 * is wrong (JSON "field").  A form answers 303 back to the tip's page, or
 * to the queue when the caller, an officer, has just sent the tip to
 * another bureau and can no longer see it.
 */
#include "handlers/http_staff_triage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "handlers/http_routes.h"
#include "service/public_codes.h"
#include "service/staff_triage.h"

enum triage_action {
	TRIAGE_ROUTE,
	TRIAGE_STATUS,
	TRIAGE_CLASSIFY,
	TRIAGE_MERGE,
};

/* A member or field of the request, by the route's kind. */
static const char *
triage_arg(struct http_staff_job *j, const char *name)
{
	if ((j->route->flags & HTTP_STAFF_HTML) != 0)
		return http_staff_field(j, name);
	return http_staff_json_str(j, name);
}

/*
 * The boolean new_facts: a JSON true or false, or a form's "1"/"true"
 * and "0"/"false"; -1 when not given, -2 when something else.
 */
static int
triage_new_facts(struct http_staff_job *j)
{
	const char *v;
	json_t *o;

	if ((j->route->flags & HTTP_STAFF_HTML) == 0) {
		o = j->json != NULL ? json_object_get(j->json, "new_facts") :
		    NULL;
		if (o == NULL || json_is_null(o))
			return -1;
		return json_is_boolean(o) ? (json_is_true(o) ? 1 : 0) : -2;
	}
	if ((v = http_staff_field(j, "new_facts")) == NULL || v[0] == '\0')
		return -1;
	if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
		return 1;
	if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
		return 0;
	return -2;
}

static void
triage_work(struct service_worker *w, struct http_staff_job *j,
    enum triage_action action)
{
	struct staff_triage_request rq;
	struct staff_triage_error e;
	enum staff_status st;

	memset(&rq, 0, sizeof(rq));
	rq.bureau = triage_arg(j, "bureau");
	rq.reason = triage_arg(j, "reason");
	rq.status = triage_arg(j, "status");
	rq.note = triage_arg(j, "note");
	rq.duplicate_of = triage_arg(j, "duplicate_of");
	rq.domain = triage_arg(j, "domain");
	rq.violation = triage_arg(j, "violation");
	rq.institution = triage_arg(j, "institution");
	rq.into = triage_arg(j, "into");
	rq.new_facts = triage_new_facts(j);
	switch (action) {
	case TRIAGE_ROUTE:
		st = staff_triage_route(w, &j->user, j->params[0], &rq,
		    &j->out, &e);
		break;
	case TRIAGE_STATUS:
		st = staff_triage_status(w, &j->user, j->params[0], &rq,
		    &j->out, &e);
		break;
	case TRIAGE_MERGE:
		st = staff_triage_merge(w, &j->user, j->params[0], &rq,
		    &j->out, &e);
		break;
	default:
		st = staff_triage_classify(w, &j->user, j->params[0], &rq,
		    &j->out, &e);
		break;
	}
	if (st == STAFF_OK)
		return;
	http_staff_fail(j, st, st == STAFF_NOT_FOUND ? "not_found" :
	    st == STAFF_INVALID ? "invalid" : st == STAFF_FORBIDDEN ?
	    "forbidden" : "unavailable", st == STAFF_NOT_FOUND ?
	    "no such tip" : st == STAFF_INVALID ? e.msg :
	    "cannot change the tip just now");
	if (st == STAFF_INVALID)
		(void)snprintf(j->field, sizeof(j->field), "%s", e.field);
}

static void
triage_route_work(struct service_worker *w, struct http_staff_job *j)
{
	triage_work(w, j, TRIAGE_ROUTE);
}

static void
triage_status_work(struct service_worker *w, struct http_staff_job *j)
{
	triage_work(w, j, TRIAGE_STATUS);
}

static void
triage_classify_work(struct service_worker *w, struct http_staff_job *j)
{
	triage_work(w, j, TRIAGE_CLASSIFY);
}

static void
triage_merge_work(struct service_worker *w, struct http_staff_job *j)
{
	triage_work(w, j, TRIAGE_MERGE);
}

static void
triage_api_done(struct http_staff_job *j)
{
	http_staff_reply_json(j, 200);
}

/* Back to the tip's page, or to the queue when it is out of sight now. */
static void
triage_html_done(struct http_staff_job *j)
{
	const char *bureau = json_string_value(json_object_get(j->out,
	    "bureau"));
	char loc[HTTP_STAFF_PARAM_MAX * 3 + 32];
	char *enc;

	if (bureau != NULL && j->user.scope.role == SCOPE_ROLE_OFFICER &&
	    strcmp(bureau, j->user.scope.bureau) != 0) {
		http_staff_redirect(j, "/staff/tips");
		return;
	}
	if ((enc = evhttp_encode_uri(j->params[0])) == NULL) {
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return;
	}
	(void)snprintf(loc, sizeof(loc), "/staff/tips/%s#triage", enc);
	free(enc);
	http_staff_redirect(j, loc);
}

#define TRIAGE_ROUTES(name, work) \
	static const struct http_staff_route name##_api = { \
		"staff.tips." #name, STAFF_ROLES_TIPS, 0, work, \
		triage_api_done, \
	}; \
	static const struct http_staff_route name##_html = { \
		"staff.tips." #name ".page", STAFF_ROLES_TIPS, \
		HTTP_STAFF_HTML, work, triage_html_done, \
	}

TRIAGE_ROUTES(route, triage_route_work);
TRIAGE_ROUTES(status, triage_status_work);
TRIAGE_ROUTES(classify, triage_classify_work);
TRIAGE_ROUTES(merge, triage_merge_work);

void
http_staff_triage_route_api(struct http_req *r)
{
	http_staff_start(r, &route_api);
}

void
http_staff_triage_route_page(struct http_req *r)
{
	http_staff_start(r, &route_html);
}

void
http_staff_triage_status_api(struct http_req *r)
{
	http_staff_start(r, &status_api);
}

void
http_staff_triage_status_page(struct http_req *r)
{
	http_staff_start(r, &status_html);
}

void
http_staff_triage_classify_api(struct http_req *r)
{
	http_staff_start(r, &classify_api);
}

void
http_staff_triage_classify_page(struct http_req *r)
{
	http_staff_start(r, &classify_html);
}

void
http_staff_triage_merge_api(struct http_req *r)
{
	http_staff_start(r, &merge_api);
}

void
http_staff_triage_merge_page(struct http_req *r)
{
	http_staff_start(r, &merge_html);
}

/* ---- the pages --------------------------------------------------------- */

/* See http_staff_triage.h. */
void
http_staff_triage_list_head(struct evbuffer *b)
{
	evbuffer_add_printf(b, "<th>分派理由 Routing reason</th>"
	    "<th>立案决定期限 Filing deadline</th><th>相关 Related</th>");
}

/* See http_staff_triage.h. */
void
http_staff_triage_list_cells(struct evbuffer *b, json_t *t)
{
	json_t *d = json_object_get(t, "deadline");

	evbuffer_add_printf(b, "<td class=\"reason\">");
	http_staff_put_str(b, t, "route_reason");
	evbuffer_add_printf(b, "</td><td class=\"deadline\">");
	if (json_is_object(d)) {
		http_staff_put_str(b, d, "due");
		evbuffer_add_printf(b, " (");
		http_staff_put_str(b, d, "state");
		evbuffer_add_printf(b, ")");
	} else
		evbuffer_add_printf(b, "—");
	evbuffer_add_printf(b, "</td><td class=\"related\">%lld</td>",
	    (long long)json_integer_value(json_object_get(t,
	    "related_count")));
}

static void
triage_codes_free(void *p)
{
	public_codes_free(p);
	free(p);
}

/* See http_staff_triage.h. */
void
http_staff_triage_page_work(struct service_worker *w,
    struct http_staff_job *j)
{
	struct public_codes *c;

	if (j->status != STAFF_OK || j->extra != NULL ||
	    (c = calloc(1, sizeof(*c))) == NULL)
		return;
	if (public_codes_load(w, (1u << PUBLIC_CODES_BUREAUS) |
	    (1u << PUBLIC_CODES_DOMAINS) | (1u << PUBLIC_CODES_VIOLATIONS),
	    c) != 0) {
		triage_codes_free(c);
		return;
	}
	j->extra = c;
	j->extra_free = triage_codes_free;
}

/* A <select> of list (with a first "none" option), or a text input. */
static void
triage_select(struct evbuffer *b, struct http_staff_job *j,
    enum public_codes_list list, const char *name, const char *none,
    const char *current)
{
	const struct public_codes *c = j->extra_free == triage_codes_free ?
	    j->extra : NULL;

	if (c == NULL) {
		evbuffer_add_printf(b, "<input type=\"text\" id=\"%s-%s\" "
		    "name=\"%s\">", list == PUBLIC_CODES_BUREAUS ? "route" :
		    "classify", name, name);
		return;
	}
	evbuffer_add_printf(b, "<select id=\"%s-%s\" name=\"%s\">"
	    "<option value=\"\">%s</option>", list == PUBLIC_CODES_BUREAUS ?
	    "route" : "classify", name, name, none);
	for (size_t i = 0; i < c->n[list]; i++) {
		const struct public_code *p = &c->items[list][i];

		evbuffer_add_printf(b, "<option value=\"");
		http_html_escape(b, p->code);
		evbuffer_add_printf(b, "\"%s>", current != NULL &&
		    strcmp(current, p->code) == 0 ? " selected" : "");
		http_html_escape(b, p->code);
		evbuffer_add_printf(b, " ");
		http_html_escape(b, p->name_zh);
		evbuffer_add_printf(b, " ");
		http_html_escape(b, p->name_en);
		evbuffer_add_printf(b, "</option>");
	}
	evbuffer_add_printf(b, "</select>");
}

/* The opening of form form-<name> posting to /staff/tips/{id}/<action>. */
static void
triage_form(struct evbuffer *b, struct http_staff_job *j, const char *name,
    const char *action)
{
	evbuffer_add_printf(b, "<form method=\"post\" id=\"form-%s\" "
	    "action=\"/staff/tips/", name);
	http_staff_put_str(b, j->out, "id");
	evbuffer_add_printf(b, "/%s\">", action);
	http_staff_csrf_field(b, &j->user);
}

static const char *
triage_reason_label(const char *code)
{
	if (strcmp(code, "report_number") == 0)
		return "同一报告编号 Same report number";
	if (strcmp(code, "attachment") == 0)
		return "相同证据文件 Same evidence file";
	if (strcmp(code, "institution") == 0)
		return "同一机构 Same institution";
	if (strcmp(code, "duplicate") == 0)
		return "重复举报 Duplicate";
	if (strcmp(code, "same_tipster") == 0)
		return "同一举报人 Same tipster";
	return code;
}

static void
triage_related(struct evbuffer *b, json_t *d)
{
	json_t *rel = json_object_get(d, "related"), *r;
	json_t *sc = json_object_get(d, "suggested_case");
	size_t i;

	evbuffer_add_printf(b, "<h2 id=\"related\">相关举报 <span lang=\"en\">"
	    "Related tips</span></h2>");
	if (json_array_size(rel) == 0)
		evbuffer_add_printf(b, "<p>无 None</p>");
	else {
		evbuffer_add_printf(b, "<ul id=\"related-tips\">");
		json_array_foreach(rel, i, r) {
			char why[96], *p, *comma;
			bool first = true;

			evbuffer_add_printf(b, "<li><a href=\"/staff/tips/");
			http_staff_put_str(b, r, "id");
			evbuffer_add_printf(b, "\">");
			http_staff_put_str(b, r, "id");
			evbuffer_add_printf(b, "</a> (");
			http_staff_put_str(b, r, "bureau");
			evbuffer_add_printf(b, ", ");
			http_staff_put_str(b, r, "status");
			evbuffer_add_printf(b, "): ");
			(void)snprintf(why, sizeof(why), "%s",
			    http_staff_doc_str(r, "reason"));
			for (p = why; p != NULL; p = comma) {
				if ((comma = strchr(p, ',')) != NULL)
					*comma++ = '\0';
				evbuffer_add_printf(b, "%s%s", first ? "" :
				    "；", triage_reason_label(p));
				first = false;
			}
			evbuffer_add_printf(b, "</li>");
		}
		evbuffer_add_printf(b, "</ul>");
	}
	if (json_is_object(sc)) {
		evbuffer_add_printf(b, "<p id=\"suggested-case\">"
		    "该机构有未结案件 "
		    "Open case of this institution: <strong>");
		http_staff_put_str(b, sc, "id");
		evbuffer_add_printf(b, "</strong> (");
		http_staff_put_str(b, sc, "bureau");
		evbuffer_add_printf(b, ", ");
		http_staff_put_str(b, sc, "status");
		evbuffer_add_printf(b, ")</p>");
	}
}

static void
triage_forms(struct evbuffer *b, struct http_staff_job *j)
{
	json_t *d = j->out;

	evbuffer_add_printf(b, "<h2 id=\"triage\">分流 <span lang=\"en\">"
	    "Triage</span></h2>");
	triage_form(b, j, "status", "status");
	evbuffer_add_printf(b, "<input type=\"hidden\" name=\"status\" "
	    "value=\"triaged\"><div class=\"field\"><label "
	    "for=\"confirm-note\">"
	    "备注（可选） Note (optional)</label><input type=\"text\" "
	    "id=\"confirm-note\" name=\"note\" maxlength=\"%d\"></div>"
	    "<button type=\"submit\">确认分派 Confirm</button></form>",
	    STAFF_TRIAGE_TEXT_MAX);

	triage_form(b, j, "route", "route");
	evbuffer_add_printf(b, "<div class=\"field\"><label "
	    "for=\"route-bureau\">"
	    "改派至 Re-route to</label>");
	triage_select(b, j, PUBLIC_CODES_BUREAUS, "bureau", "— 请选择 Choose —",
	    http_staff_doc_str(d, "bureau"));
	evbuffer_add_printf(b, "</div><div class=\"field\"><label "
	    "for=\"route-reason\">理由 Reason</label><textarea "
	    "id=\"route-reason\" name=\"reason\" maxlength=\"%d\" required>"
	    "</textarea></div><button type=\"submit\">改派 Re-route</button>"
	    "</form>", STAFF_TRIAGE_TEXT_MAX);

	triage_form(b, j, "invalid", "status");
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"set-status\">"
	    "标记为 Mark as</label><select id=\"set-status\" name=\"status\">"
	    "<option value=\"invalid\">无效 Invalid</option>"
	    "<option value=\"duplicate\">重复举报 Duplicate</option>"
	    "<option value=\"transferred\">已移送 Transferred</option>"
	    "</select></div><div class=\"field\"><label for=\"duplicate-of\">"
	    "重复于（仅重复举报） Duplicate of (duplicates only)</label>"
	    "<input type=\"text\" id=\"duplicate-of\" name=\"duplicate_of\" "
	    "placeholder=\"T-2022-000001\"></div><div class=\"field\"><label "
	    "for=\"status-note\">理由 Reason</label><textarea "
	    "id=\"status-note\" "
	    "name=\"note\" maxlength=\"%d\" required></textarea></div>"
	    "<button type=\"submit\">保存 Save</button></form>",
	    STAFF_TRIAGE_TEXT_MAX);

	triage_form(b, j, "classify", "classify");
	evbuffer_add_printf(b, "<div class=\"field\"><label "
	    "for=\"classify-domain\">领域 Domain</label>");
	triage_select(b, j, PUBLIC_CODES_DOMAINS, "domain",
	    "— 不变 Unchanged —", NULL);
	evbuffer_add_printf(b, "</div><div class=\"field\"><label "
	    "for=\"classify-violation\">违法类型 Violation</label>");
	triage_select(b, j, PUBLIC_CODES_VIOLATIONS, "violation",
	    "— 不变 Unchanged —", NULL);
	evbuffer_add_printf(b, "</div><div class=\"field\"><label "
	    "for=\"classify-institution\">机构（登记号或统一社会信用代码） "
	    "Institution (registry id or credit code)</label><input "
	    "type=\"text\" id=\"classify-institution\" name=\"institution\" "
	    "maxlength=\"40\"></div><button type=\"submit\">分类 Classify"
	    "</button></form>");

	/* Order 121 第三十五条第二款: the same tipster again about the same
	 * institution. */
	triage_form(b, j, "merge", "merge");
	evbuffer_add_printf(b, "<div class=\"field\"><label "
	    "for=\"merge-into\">并入较早的举报 Merge into the earlier tip"
	    "</label><input type=\"text\" id=\"merge-into\" name=\"into\" "
	    "placeholder=\"T-2026-000001\" required></div><div "
	    "class=\"field\"><label for=\"merge-new-facts\">本次举报 This tip"
	    "</label><select id=\"merge-new-facts\" name=\"new_facts\">"
	    "<option value=\"1\">补充了新的事实：合并并重新计算期限 Adds new "
	    "facts: merge and restart the deadline</option><option "
	    "value=\"0\">单纯重复：不再处理 A plain repeat: not handled again"
	    "</option></select></div><div class=\"field\"><label "
	    "for=\"merge-note\">备注（可选） Note (optional)</label><input "
	    "type=\"text\" id=\"merge-note\" name=\"note\" "
	    "maxlength=\"%d\"></div><button type=\"submit\">合并 Merge"
	    "</button></form>", STAFF_TRIAGE_TEXT_MAX);
}

static void
triage_history(struct evbuffer *b, json_t *d)
{
	json_t *ev = json_object_get(d, "events"), *e;
	size_t i;

	evbuffer_add_printf(b, "<h2 id=\"history\">处理记录 <span lang=\"en\">"
	    "History</span></h2>");
	if (json_array_size(ev) == 0) {
		evbuffer_add_printf(b, "<p>无 None</p>");
		return;
	}
	evbuffer_add_printf(b, "<table id=\"events\"><thead><tr><th>时间 At"
	    "</th><th>人员 User</th><th>操作 Action</th><th>说明 Detail</th>"
	    "</tr></thead><tbody>");
	json_array_foreach(ev, i, e) {
		evbuffer_add_printf(b, "<tr><td>");
		http_staff_put_str(b, e, "at");
		evbuffer_add_printf(b, "</td><td>");
		http_staff_put_str(b, e, "user");
		evbuffer_add_printf(b, "</td><td>");
		http_staff_put_str(b, e, "kind");
		evbuffer_add_printf(b, "</td><td>");
		http_staff_put_str(b, e, "detail");
		evbuffer_add_printf(b, "</td></tr>");
	}
	evbuffer_add_printf(b, "</tbody></table>");
}

/* See http_staff_triage.h. */
void
http_staff_triage_page(struct evbuffer *b, struct http_staff_job *j)
{
	json_t *reg = json_object_get(j->out, "registry_institution");

	if (json_is_object(reg)) {
		evbuffer_add_printf(b, "<p id=\"registry\">登记机构 Registry "
		    "institution: ");
		http_staff_put_str(b, reg, "name");
		evbuffer_add_printf(b, " (%lld, ", (long long)
		    json_integer_value(json_object_get(reg, "id")));
		http_staff_put_str(b, reg, "credit_code");
		evbuffer_add_printf(b, ")</p>");
	}
	if (json_is_string(json_object_get(j->out, "duplicate_of"))) {
		evbuffer_add_printf(b, "<p id=\"duplicate\">"
		    "重复于 Duplicate of "
		    "<a href=\"/staff/tips/");
		http_staff_put_str(b, j->out, "duplicate_of");
		evbuffer_add_printf(b, "\">");
		http_staff_put_str(b, j->out, "duplicate_of");
		evbuffer_add_printf(b, "</a></p>");
	}
	triage_related(b, j->out);
	triage_forms(b, j);
	triage_history(b, j->out);
}
