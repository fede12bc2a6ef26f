/* SPDX-License-Identifier: MIT */
/*
 * The staff request pipeline and page frame (see http_staff.h).
 *
 * Lifetime: a job is made on the loop thread, owned by the worker pool
 * while work runs, and freed by http_staff_done() on the loop thread
 * after the one reply.  The http_req it points to stays valid until that
 * reply (a client gone meanwhile only clears r->req).
 */
#include "handlers/http_staff.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>

#include "handlers/http_cookie.h"
#include "service/config.h"
#include "service/log.h"
#include "service/service.h"
#include "service/workers.h"

#define HTTP_STAFF_JSON_DEPTH 4

static bool
content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct != NULL && strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Overwrite a string the job no longer needs (jansson's and evhttp's
 * copies of a password are otherwise freed as they are). */
static void
http_staff_wipe(const char *s)
{
	if (s != NULL)
		sodium_memzero((char *)(uintptr_t)s, strlen(s));
}

/* Free a job and everything it holds; wipes the secrets. */
void
http_staff_job_free(struct http_staff_job *j)
{
	static const char *const secret[] = { "password", "old", "new",
	    "new2" };
	struct evkeyval *kv;

	if (j == NULL)
		return;
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		http_staff_wipe(http_staff_json_str(j, secret[i]));
	TAILQ_FOREACH(kv, &j->form, next)
		http_staff_wipe(kv->value);
	if (j->body != NULL) {
		size_t len = evbuffer_get_length(j->body);
		unsigned char *p = evbuffer_pullup(j->body, -1);

		if (p != NULL)
			sodium_memzero(p, len);
	}
	evhttp_clear_headers(&j->query);
	evhttp_clear_headers(&j->form);
	if (j->body != NULL)
		evbuffer_free(j->body);
	json_decref(j->json);
	json_decref(j->out);
	if (j->extra != NULL && j->extra_free != NULL)
		j->extra_free(j->extra);
	sodium_memzero(j, sizeof(*j));
	free(j);
}

/* See http_staff.h. */
struct http_staff_job *
http_staff_job_new(struct http_req *r, const struct http_staff_route *route)
{
	const struct evhttp_uri *uri;
	struct evbuffer *in;
	struct http_staff_job *j;
	const char *cookie, *csrf, *qs;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		http_req_add_header(r, "Retry-After", "5");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return NULL;
	}
	TAILQ_INIT(&j->query);
	TAILQ_INIT(&j->form);
	j->r = r;
	j->route = route;
	j->post = strcmp(r->method, "POST") == 0;
	cookie = http_req_header(r, "Cookie");
	if (cookie == NULL || !http_cookie_get(cookie, HTTP_STAFF_COOKIE,
	    j->token, sizeof(j->token)))
		j->token[0] = '\0';
	(void)snprintf(j->content_type, sizeof(j->content_type), "%s",
	    http_req_header(r, "Content-Type") != NULL ?
	    http_req_header(r, "Content-Type") : "");
	csrf = http_req_header(r, "X-CSRF-Token");
	if (csrf != NULL && strlen(csrf) < sizeof(j->csrf_header))
		(void)snprintf(j->csrf_header, sizeof(j->csrf_header), "%s",
		    csrf);
	for (int i = 0; i < r->nparams && i < HTTP_ROUTE_PARAMS_MAX; i++)
		if (strlen(r->params[i]) < HTTP_STAFF_PARAM_MAX)
			(void)snprintf(j->params[i], HTTP_STAFF_PARAM_MAX, "%s",
			    r->params[i]);
	uri = r->req != NULL ? evhttp_request_get_evhttp_uri(r->req) : NULL;
	qs = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (qs != NULL && qs[0] != '\0' &&
	    evhttp_parse_query_str(qs, &j->query) != 0) {
		http_reply_error(r, 400, "invalid", "the query string is "
		    "malformed", NULL);
		http_staff_job_free(j);
		return NULL;
	}
	if (j->post && (in = http_req_body(r)) != NULL) {
		if ((j->body = evbuffer_new()) == NULL) {
			http_reply_error(r, 503, "unavailable", "out of memory",
			    NULL);
			http_staff_job_free(j);
			return NULL;
		}
		/* Move the chains: the loop thread never touches it again. */
		evbuffer_add_buffer(j->body, in);
	}
	return j;
}

/* See http_staff.h: JSON (API) or a form (pages). */
bool
http_staff_parse_body(struct http_staff_job *j)
{
	const char *ct = j->content_type;
	size_t len;
	char *text;
	json_error_t jerr;

	if (!j->post || j->body_parsed)
		return true;
	j->body_parsed = true;
	len = j->body != NULL ? evbuffer_get_length(j->body) : 0;
	if (j->route->flags & HTTP_STAFF_HTML) {
		if (len == 0)
			return true;
		if (len > HTTP_STAFF_FORM_MAX) {
			http_staff_fail(j, STAFF_INVALID, "too_large", "the "
			    "form is larger than 256 KiB");
			return false;
		}
		if (!content_type_is(ct, "application/x-www-form-urlencoded")) {
			http_staff_fail(j, STAFF_INVALID, "invalid", "send the "
			    "form as application/x-www-form-urlencoded");
			return false;
		}
		if ((text = malloc(len + 1)) == NULL) {
			http_staff_fail(j, STAFF_TRANSIENT, "unavailable",
			    "out of memory");
			return false;
		}
		evbuffer_copyout(j->body, text, len);
		text[len] = '\0';
		if (strlen(text) != len ||
		    evhttp_parse_query_str(text, &j->form) != 0) {
			sodium_memzero(text, len);
			free(text);
			http_staff_fail(j, STAFF_INVALID, "invalid", "the form "
			    "body is malformed");
			return false;
		}
		sodium_memzero(text, len);
		free(text);
		return true;
	}
	if (len == 0 || (j->route->flags & HTTP_STAFF_RAW_BODY))
		return true;
	if (!content_type_is(ct, "application/json")) {
		http_staff_fail(j, STAFF_INVALID, "unsupported_media_type",
		    "send application/json");
		return false;
	}
	j->json = json_loadb((const char *)evbuffer_pullup(j->body, -1), len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (j->json == NULL || !json_is_object(j->json)) {
		http_staff_fail(j, STAFF_INVALID, "invalid", "the body is not "
		    "a JSON object");
		return false;
	}
	return true;
}

/* Worker: checks in the order of http_staff.h, then the route's work. */
static void
http_staff_work(void *state, void *arg)
{
	struct service_worker *w = state;
	struct http_staff_job *j = arg;
	const struct http_staff_route *rt = j->route;
	const char *csrf;
	enum staff_status st;

	j->checks_failed = true;
	if (j->status != STAFF_OK || !http_staff_parse_body(j))
		return;			/* refused while parsing */
	j->now = (int64_t)time(NULL);
	if (rt->flags & HTTP_STAFF_NO_SESSION) {
		j->checks_failed = false;
		rt->work(w, j);
		return;
	}
	st = staff_session_resolve(w, j->token, j->now, &j->user);
	if (st != STAFF_OK) {
		http_staff_fail(j, st, st == STAFF_UNAUTHENTICATED ?
		    "unauthenticated" : "unavailable", st ==
		    STAFF_UNAUTHENTICATED ? "log in first" : "try again later");
		return;
	}
	if (j->user.must_change && !(rt->flags & HTTP_STAFF_DURING_CHANGE)) {
		http_staff_fail(j, STAFF_FORBIDDEN, "password_change_required",
		    "change the one-time password first");
		return;
	}
	if (j->post) {
		csrf = (rt->flags & HTTP_STAFF_HTML) ?
		    http_staff_field(j, "csrf") : j->csrf_header;
		if (!staff_session_csrf_ok(&j->user, csrf)) {
			http_staff_fail(j, STAFF_FORBIDDEN, "csrf", "the CSRF "
			    "token is missing or wrong");
			return;
		}
	}
	if (!staff_user_has_role(&j->user, rt->roles)) {
		http_staff_fail(j, STAFF_FORBIDDEN, "forbidden", "your role "
		    "may not do this");
		return;
	}
	j->checks_failed = false;
	rt->work(w, j);
}

/* Loop thread: answer and free. */
static void
http_staff_done(void *arg)
{
	struct http_staff_job *j = arg;

	if (j->after != NULL)
		j->after(j);
	if (j->status == STAFF_OK || (!j->checks_failed &&
	    (j->route->flags & HTTP_STAFF_OWN_ERRORS)))
		j->route->done(j);
	else
		http_staff_reply_error(j);
	http_staff_job_free(j);
}

/* See http_staff.h. */
void
http_staff_submit(struct http_staff_job *j)
{
	const struct http_server_env *env = http_server_env(j->r->srv);

	if (workers_submit(env->workers, http_staff_work, http_staff_done,
	    j) == 0) {
		struct http_req *r = j->r;

		http_staff_job_free(j);
		http_req_add_header(r, "Retry-After", "5");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
	}
}

/* See http_staff.h. */
void
http_staff_start(struct http_req *r, const struct http_staff_route *route)
{
	struct http_staff_job *j = http_staff_job_new(r, route);

	if (j != NULL)
		http_staff_submit(j);
}

/* See http_staff.h. */
const char *
http_staff_query(struct http_staff_job *j, const char *name)
{
	return evhttp_find_header(&j->query, name);
}

/* See http_staff.h. */
const char *
http_staff_field(struct http_staff_job *j, const char *name)
{
	return evhttp_find_header(&j->form, name);
}

/* See http_staff.h.  A member holding a NUL is treated as absent. */
const char *
http_staff_json_str(struct http_staff_job *j, const char *name)
{
	json_t *v = j->json != NULL ? json_object_get(j->json, name) : NULL;

	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

/* See http_staff.h. */
void
http_staff_fail(struct http_staff_job *j, enum staff_status st,
    const char *code, const char *message)
{
	j->status = st;
	(void)snprintf(j->code, sizeof(j->code), "%s", code);
	(void)snprintf(j->message, sizeof(j->message), "%s", message);
}

void *
http_staff_extra_new(struct http_staff_job *j, size_t size,
    void (*free_fn)(void *))
{
	void *p = calloc(1, size);

	if (p == NULL) {
		http_staff_fail(j, STAFF_TRANSIENT, "unavailable",
		    "out of memory");
		return NULL;
	}
	j->extra = p;
	j->extra_free = free_fn;
	return p;
}

/* See http_staff.h. */
void
http_staff_reply_json(struct http_staff_job *j, int status)
{
	char *text = j->out != NULL ? json_dumps(j->out, JSON_COMPACT) :
	    NULL;

	if (text == NULL) {
		http_reply_error(j->r, 500, "internal", "out of memory", NULL);
		return;
	}
	http_reply(j->r, status, "application/json", text, strlen(text));
	sodium_memzero(text, strlen(text));
	free(text);
}

/* See http_staff.h. */
void
http_staff_redirect(struct http_staff_job *j, const char *location)
{
	static const char body[] = "<!DOCTYPE html>\n<html lang=\"zh-CN\">"
	    "<head><meta charset=\"utf-8\"><title>303</title></head><body>"
	    "<p>请继续 Continue</p></body></html>\n";

	http_req_add_header(j->r, "Location", location);
	http_reply(j->r, 303, "text/html; charset=utf-8", body,
	    sizeof(body) - 1);
}

/* A page naming an error: Chinese, then English. */
static void
http_staff_error_page(struct http_staff_job *j, int status)
{
	struct evbuffer *b = evbuffer_new();
	const char *zh;

	if (b == NULL) {
		http_reply_error(j->r, status, j->code, j->message, NULL);
		return;
	}
	switch (j->status) {
	case STAFF_FORBIDDEN:	zh = "无权访问"; break;
	case STAFF_NOT_FOUND:	zh = "未找到"; break;
	case STAFF_INVALID:	zh = "请求有误"; break;
	case STAFF_TRANSIENT:	zh = "暂时无法处理，请稍后再试"; break;
	default:		zh = "出错了"; break;
	}
	http_staff_page_begin(b, zh, j->user.id != 0 ? &j->user : NULL);
	evbuffer_add_printf(b, "<h1>%d %s</h1><p>", status, zh);
	http_html_escape(b, j->message);
	evbuffer_add_printf(b, "</p>");
	http_staff_page_end(b);
	http_staff_page_reply(j->r, status, b);
	evbuffer_free(b);
}

/* See http_staff.h. */
void
http_staff_reply_error(struct http_staff_job *j)
{
	int status = staff_status_http(j->status);
	bool html = (j->route->flags & HTTP_STAFF_HTML) != 0;

	if (j->status == STAFF_TRANSIENT)
		http_req_add_header(j->r, "Retry-After", "5");
	if (html && !j->post && j->status == STAFF_UNAUTHENTICATED &&
	    !(j->route->flags & HTTP_STAFF_NO_SESSION)) {
		http_staff_redirect(j, "/staff/login");
		return;
	}
	if (html && !j->post && strcmp(j->code,
	    "password_change_required") == 0) {
		http_staff_redirect(j, "/staff/password");
		return;
	}
	if (html) {
		http_staff_error_page(j, status);
		return;
	}
	http_reply_error(j->r, status, j->code[0] ? j->code : "internal",
	    j->message[0] ? j->message : "internal error",
	    j->field[0] ? j->field : NULL);
}

/* See http_staff.h. */
void
http_staff_set_cookie(struct http_req *r, const char *token)
{
	const struct http_server_env *env = http_server_env(r->srv);
	char v[STAFF_TOKEN_HEX + 160];

	(void)snprintf(v, sizeof(v), "%s=%s; Path=/; Max-Age=%d; HttpOnly; "
	    "SameSite=Strict%s", HTTP_STAFF_COOKIE, token,
	    STAFF_SESSION_ABSOLUTE, env->cfg->cookie_secure ? "; Secure" : "");
	http_req_add_header(r, "Set-Cookie", v);
	sodium_memzero(v, sizeof(v));
}

/* See http_staff.h. */
void
http_staff_clear_cookie(struct http_req *r)
{
	const struct http_server_env *env = http_server_env(r->srv);
	char v[160];

	(void)snprintf(v, sizeof(v), "%s=; Path=/; Max-Age=0; HttpOnly; "
	    "SameSite=Strict%s", HTTP_STAFF_COOKIE,
	    env->cfg->cookie_secure ? "; Secure" : "");
	http_req_add_header(r, "Set-Cookie", v);
}

/* See http_staff.h. */
struct evbuffer *
http_staff_page_new(struct http_staff_job *j, const char *title)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return NULL;
	}
	http_staff_page_begin(b, title, &j->user);
	return b;
}

/* See http_staff.h. */
void
http_staff_page_finish(struct http_staff_job *j, struct evbuffer *b)
{
	http_staff_page_end(b);
	http_staff_page_reply(j->r, 200, b);
	evbuffer_free(b);
}

/* See http_staff.h. */
void
http_staff_put_fact(struct evbuffer *b, const char *label, const char *value)
{
	evbuffer_add_printf(b, "<dt>%s</dt><dd>", label);
	http_html_escape(b, value != NULL && value[0] != '\0' ? value : "—");
	evbuffer_add_printf(b, "</dd>");
}

/* See http_staff.h. */
const char *
http_staff_doc_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* See http_staff.h. */
void
http_staff_put_str(struct evbuffer *b, json_t *o, const char *key)
{
	http_html_escape(b, http_staff_doc_str(o, key));
}

/* See http_staff.h. */
void
http_staff_put_query_arg(struct evbuffer *b, const char *name,
    const char *value)
{
	char *enc;

	if (value == NULL || value[0] == '\0' ||
	    (enc = evhttp_encode_uri(value)) == NULL)
		return;
	evbuffer_add_printf(b, "&amp;%s=", name);
	http_html_escape(b, enc);
	free(enc);
}

/* See http_staff.h. */
const char *
http_staff_label(const char *const (*rows)[2], size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (code != NULL && strcmp(code, rows[i][0]) == 0)
			return rows[i][1];
	return code != NULL ? code : "";
}

/* See http_staff.h. */
void
http_staff_csrf_field(struct evbuffer *b, const struct staff_user *u)
{
	evbuffer_add_printf(b, "<input type=\"hidden\" name=\"csrf\" "
	    "value=\"");
	http_html_escape(b, u->csrf);
	evbuffer_add_printf(b, "\">");
}

/* See http_staff.h. */
void
http_staff_page_begin(struct evbuffer *b, const char *title,
    const struct staff_user *u)
{
	evbuffer_add_printf(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\"><meta name=\"robots\" "
	    "content=\"noindex\"><link rel=\"stylesheet\" "
	    "href=\"/static/tipline.css\"><title>");
	http_html_escape(b, title);
	evbuffer_add_printf(b, " · 工作人员 Staff</title></head><body>"
	    "<header class=\"site\"><a class=\"home\" href=\"/staff/\">"
	    "举报处理 Tip handling</a>");
	if (u != NULL) {
		evbuffer_add_printf(b, "<nav>");
		if (!u->must_change && staff_user_has_role(u,
		    STAFF_ROLES_TIPS))
			evbuffer_add_printf(b, "<a href=\"/staff/tips\">举报 "
			    "Tips</a> ");
		if (!u->must_change && staff_user_has_role(u,
		    STAFF_ROLES_TIPS))
			evbuffer_add_printf(b, "<a href=\"/staff/cases\">案件 "
			    "Cases</a> ");
		if (!u->must_change && staff_user_has_role(u,
		    STAFF_ROLES_TIPS))
			evbuffer_add_printf(b, "<a href=\"/staff/reports\">"
			    "汇总表 Reports</a> ");
		if (!u->must_change && staff_user_has_role(u,
		    STAFF_ROLES_AUDIT))
			evbuffer_add_printf(b, "<a href=\"/staff/audit\">审计"
			    "日志 Audit log</a> ");
		if (!u->must_change && staff_user_has_role(u,
		    SCOPE_ROLE_BIT(SCOPE_ROLE_ADMIN)))
			evbuffer_add_printf(b, "<a href=\"/staff/refdata\">"
			    "参考数据 Reference data</a> ");
		evbuffer_add_printf(b, "<a href=\"/staff/password\">修改密码"
		    " Change password</a> <span class=\"who\">");
		http_html_escape(b, u->login);
		evbuffer_add_printf(b, " (%s%s", scope_role_name(u->scope.role),
		    u->scope.bureau[0] ? " " : "");
		http_html_escape(b, u->scope.bureau);
		evbuffer_add_printf(b, ")</span> <form method=\"post\" "
		    "action=\"/staff/logout\" class=\"inline\">");
		http_staff_csrf_field(b, u);
		evbuffer_add_printf(b, "<button type=\"submit\" "
		    "id=\"logout\">退出 Log out</button></form></nav>");
	}
	evbuffer_add_printf(b, "</header><main>");
}

/* See http_staff.h. */
void
http_staff_page_end(struct evbuffer *b)
{
	evbuffer_add_printf(b, "</main></body></html>\n");
}

/* See http_staff.h. */
void
http_staff_page_reply(struct http_req *r, int status, struct evbuffer *b)
{
	size_t len = evbuffer_get_length(b);
	const unsigned char *p = evbuffer_pullup(b, -1);

	if (p == NULL && len > 0) {
		http_reply_error(r, 500, "internal", "out of memory", NULL);
		return;
	}
	http_reply(r, status, "text/html; charset=utf-8", p, len);
}
