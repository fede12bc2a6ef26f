/* SPDX-License-Identifier: MIT */
/*
 * Staff sessions over HTTP: the JSON session API (POST /api/v1/session,
 * POST /api/v1/session/logout, POST /api/v1/session/password) and the
 * pages /staff/ (index), /staff/login, /staff/logout, /staff/password.
 *
 * Login is throttled here, on the loop thread, before any work is queued
 * (service/login_throttle.h): a refused attempt gets 429 with Retry-After
 * and costs no Argon2id.  Unknown login, wrong password and disabled
 * account give the same answer.  The password travels only inside the
 * job and is wiped with it; it is never logged.
 *
 * Logout is POST /api/v1/session/logout rather than the contract's
 * DELETE /api/v1/session: the server answers every method other than
 * GET, POST and HEAD with 405 (contract.md, "Public HTTP").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "service/log.h"
#include "handlers/http_cookie.h"
#include "service/login_throttle.h"
#include "service/password.h"
#include "service/staff_session.h"

#define SESSION_LOGIN_BODY_MAX 8192

/* ---- login ----------------------------------------------------------- */

static void
session_login_work(struct service_worker *w, struct http_staff_job *j)
{
	const bool html = (j->route->flags & HTTP_STAFF_HTML) != 0;
	const char *pw = html ? http_staff_field(j, "password") :
	    http_staff_json_str(j, "password");
	enum staff_status st;

	st = staff_session_login(w, j->login, pw, j->token, j->now,
	    j->new_token, &j->user);
	if (st == STAFF_UNAUTHENTICATED)
		http_staff_fail(j, st, "invalid_credentials", "wrong login or "
		    "password");
	else if (st != STAFF_OK)
		http_staff_fail(j, st, "unavailable", "try again later");
}

/* Loop thread, before the reply: the attempt is settled. */
static void
session_login_after(struct http_staff_job *j)
{
	login_throttle_end(http_server_throttle(j->r->srv), j->login,
	    j->addr[0] ? j->addr : NULL, j->status == STAFF_OK,
	    (int64_t)time(NULL));
}

/*
 * Login CSRF: the login form carries a random token that must match a
 * cookie set with the form (double submit; no session exists yet, so
 * SameSite alone would not stop another site from logging a browser in
 * to an account of its choosing).
 */
#define SESSION_LOGIN_COOKIE "tl_login"
#define SESSION_LOGIN_TOKEN_BYTES 16
#define SESSION_LOGIN_TOKEN_MAX (SESSION_LOGIN_TOKEN_BYTES * 2 + 1)

/* Whether the posted login form's token matches its cookie. */
static bool
session_login_token_ok(struct http_req *r, struct http_staff_job *j)
{
	const char *field = http_staff_field(j, "login_csrf");
	const char *header = http_req_header(r, "Cookie");
	char cookie[SESSION_LOGIN_TOKEN_MAX];

	if (field == NULL || header == NULL ||
	    !http_cookie_get(header, SESSION_LOGIN_COOKIE, cookie,
	    sizeof(cookie)) ||
	    strlen(cookie) != SESSION_LOGIN_TOKEN_BYTES * 2 ||
	    strlen(field) != strlen(cookie))
		return false;
	return sodium_memcmp(cookie, field, strlen(cookie)) == 0;
}

/* The login page, with a problem named (NULL: none). */
static void
session_login_page(struct http_req *r, int status, const char *problem)
{
	struct evbuffer *b = evbuffer_new();
	unsigned char raw[SESSION_LOGIN_TOKEN_BYTES];
	char token[SESSION_LOGIN_TOKEN_MAX], cookie[160];

	if (b == NULL) {
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/staff/login; "
	    "Max-Age=3600; HttpOnly; SameSite=Strict%s", SESSION_LOGIN_COOKIE,
	    token, http_server_env(r->srv)->cfg->cookie_secure ?
	    "; Secure" : "");
	http_req_add_header(r, "Set-Cookie", cookie);
	http_staff_page_begin(b, "工作人员登录 Staff login", NULL);
	evbuffer_add_printf(b, "<h1>工作人员登录 <span lang=\"en\">Staff "
	    "login</span></h1>");
	if (problem != NULL) {
		evbuffer_add_printf(b, "<p class=\"error\" role=\"alert\" "
		    "id=\"problem\">");
		http_html_escape(b, problem);
		evbuffer_add_printf(b, "</p>");
	}
	evbuffer_add_printf(b, "<form method=\"post\" action=\"/staff/login\">"
	    "<input type=\"hidden\" name=\"login_csrf\" value=\"%s\">"
	    "<div class=\"field\"><label for=\"login\">用户名 Login</label>"
	    "<input type=\"text\" id=\"login\" name=\"login\" "
	    "autocomplete=\"username\" required></div>"
	    "<div class=\"field\"><label for=\"password\">密码 Password</label>"
	    "<input type=\"password\" id=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" required></div>"
	    "<button type=\"submit\" id=\"submit\">登录 Log in</button>"
	    "</form>", token);
	http_staff_page_end(b);
	http_staff_page_reply(r, status, b);
	evbuffer_free(b);
}

static void
session_login_done(struct http_staff_job *j)
{
	const bool html = (j->route->flags & HTTP_STAFF_HTML) != 0;

	if (j->status != STAFF_OK) {
		if (!html) {
			http_staff_reply_error(j);
			return;
		}
		if (j->status == STAFF_TRANSIENT)
			http_req_add_header(j->r, "Retry-After", "5");
		session_login_page(j->r, staff_status_http(j->status),
		    j->status == STAFF_UNAUTHENTICATED ?
		    "用户名或密码错误。Wrong login or password." :
		    "暂时无法登录，请稍后再试。Try again later.");
		return;
	}
	http_staff_set_cookie(j->r, j->new_token);
	log_info("staff login user_id=%lld", (long long)j->user.id);
	if (html) {
		http_staff_redirect(j, j->user.must_change ? "/staff/password" :
		    "/staff/");
		return;
	}
	j->out = json_pack("{s:s, s:s, s:o, s:b}", "csrf_token", j->user.csrf,
	    "role", scope_role_name(j->user.scope.role), "bureau",
	    j->user.scope.bureau[0] ? json_string(j->user.scope.bureau) :
	    json_null(), "must_change_password", j->user.must_change);
	http_staff_reply_json(j, 200);
}

static const struct http_staff_route session_login_api = {
	"session.login", STAFF_ROLES_ANY,
	HTTP_STAFF_NO_SESSION | HTTP_STAFF_OWN_ERRORS,
	session_login_work, session_login_done,
};

static const struct http_staff_route session_login_html = {
	"staff.login", STAFF_ROLES_ANY,
	HTTP_STAFF_HTML | HTTP_STAFF_NO_SESSION | HTTP_STAFF_OWN_ERRORS,
	session_login_work, session_login_done,
};

/* The peer's address as text (for the throttle's keyed hash only). */
static void
session_client_addr(struct http_req *r, char *buf, size_t len)
{
	struct evhttp_connection *evcon = r->req != NULL ?
	    evhttp_request_get_connection(r->req) : NULL;
	char *addr = NULL;
	ev_uint16_t port = 0;

	buf[0] = '\0';
	if (evcon != NULL)
		evhttp_connection_get_peer(evcon, &addr, &port);
	if (addr != NULL)
		(void)snprintf(buf, len, "%s", addr);
}

/* Both doors of login: parse, throttle, queue. */
static void
session_login(struct http_req *r, const struct http_staff_route *route)
{
	const bool html = (route->flags & HTTP_STAFF_HTML) != 0;
	struct evbuffer *in = http_req_body(r);
	struct http_staff_job *j;
	const char *login;
	char retry[24];
	int64_t wait;

	if (in != NULL && evbuffer_get_length(in) > SESSION_LOGIN_BODY_MAX) {
		http_reply_error(r, 413, "too_large", "the login request is too "
		    "large", NULL);
		return;
	}
	if ((j = http_staff_job_new(r, route)) == NULL)
		return;
	/* Small and bounded: parsed here, so that the throttle sees the
	 * login before any work is queued. */
	if (!http_staff_parse_body(j)) {
		if (html)
			session_login_page(r, 400, "请求有误。Bad request.");
		else
			http_staff_reply_error(j);
		http_staff_job_free(j);
		return;
	}
	if (html && !session_login_token_ok(r, j)) {
		session_login_page(r, 403, "登录页面已过期，请重新登录。The login "
		    "page has expired; please log in again.");
		http_staff_job_free(j);
		return;
	}
	login = html ? http_staff_field(j, "login") :
	    http_staff_json_str(j, "login");
	if (login == NULL || login[0] == '\0' || strlen(login) >
	    USERS_LOGIN_MAX || (html ? http_staff_field(j, "password") :
	    http_staff_json_str(j, "password")) == NULL) {
		if (html)
			session_login_page(r, 400, "请填写用户名和密码。Give "
			    "a login and a password.");
		else
			http_reply_error(r, 400, "invalid", "give login and "
			    "password", NULL);
		http_staff_job_free(j);
		return;
	}
	(void)snprintf(j->login, sizeof(j->login), "%s", login);
	session_client_addr(r, j->addr, sizeof(j->addr));
	wait = login_throttle_begin(http_server_throttle(r->srv), j->login,
	    j->addr[0] ? j->addr : NULL, (int64_t)time(NULL));
	if (wait > 0) {
		log_info("staff login throttled retry_after=%lld",
		    (long long)wait);
		(void)snprintf(retry, sizeof(retry), "%lld", (long long)wait);
		http_req_add_header(r, "Retry-After", retry);
		if (html)
			session_login_page(r, 429, "尝试次数过多，请稍后再试。"
			    "Too many attempts; try again later.");
		else
			http_reply_error(r, 429, "too_many_requests", "too many "
			    "failed logins; try again later", NULL);
		http_staff_job_free(j);
		return;
	}
	j->after = session_login_after;
	http_staff_submit(j);
}

void
http_session_login_api(struct http_req *r)
{
	session_login(r, &session_login_api);
}

/* GET shows the form, POST logs in. */
void
http_session_login_page(struct http_req *r)
{
	if (strcmp(r->method, "POST") != 0) {
		session_login_page(r, 200, NULL);
		return;
	}
	session_login(r, &session_login_html);
}

/* ---- logout ---------------------------------------------------------- */

static void
session_logout_work(struct service_worker *w, struct http_staff_job *j)
{
	enum staff_status st = staff_session_logout(w, &j->user, j->now);

	if (st != STAFF_OK)
		http_staff_fail(j, st, "unavailable", "try again later");
}

static void
session_logout_done(struct http_staff_job *j)
{
	http_staff_clear_cookie(j->r);
	if (j->route->flags & HTTP_STAFF_HTML) {
		http_staff_redirect(j, "/staff/login");
		return;
	}
	j->out = json_pack("{s:b}", "logged_out", 1);
	http_staff_reply_json(j, 200);
}

static const struct http_staff_route session_logout_api = {
	"session.logout", STAFF_ROLES_ANY, HTTP_STAFF_DURING_CHANGE,
	session_logout_work, session_logout_done,
};

static const struct http_staff_route session_logout_html = {
	"staff.logout", STAFF_ROLES_ANY,
	HTTP_STAFF_HTML | HTTP_STAFF_DURING_CHANGE,
	session_logout_work, session_logout_done,
};

void
http_session_logout_api(struct http_req *r)
{
	http_staff_start(r, &session_logout_api);
}

void
http_session_logout_page(struct http_req *r)
{
	http_staff_start(r, &session_logout_html);
}

/* ---- password change -------------------------------------------------- */

static void
session_password_work(struct service_worker *w, struct http_staff_job *j)
{
	const bool html = (j->route->flags & HTTP_STAFF_HTML) != 0;
	const char *old_pw, *new_pw, *new2;
	enum staff_status st;
	char msg[STAFF_MSG_MAX];

	if (!j->post)
		return;			/* GET: the form */
	old_pw = html ? http_staff_field(j, "old") :
	    http_staff_json_str(j, "old");
	new_pw = html ? http_staff_field(j, "new") :
	    http_staff_json_str(j, "new");
	new2 = html ? http_staff_field(j, "new2") : new_pw;
	if (old_pw == NULL || new_pw == NULL) {
		http_staff_fail(j, STAFF_INVALID, "invalid", "give old and "
		    "new");
		return;
	}
	if (new2 == NULL || strcmp(new_pw, new2) != 0) {
		http_staff_fail(j, STAFF_INVALID, "invalid", "the two new "
		    "passwords differ");
		return;
	}
	st = staff_session_change_password(w, &j->user, old_pw, new_pw,
	    j->now, msg, sizeof(msg));
	if (st != STAFF_OK)
		http_staff_fail(j, st, st == STAFF_FORBIDDEN ? "wrong_password" :
		    st == STAFF_INVALID ? "invalid" : "unavailable", msg);
}

/* The password form; problem (may be NULL) in English from the service. */
static void
session_password_page(struct http_staff_job *j, int status,
    const char *problem)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL) {
		http_reply_error(j->r, 503, "unavailable", "out of memory",
		    NULL);
		return;
	}
	http_staff_page_begin(b, "修改密码 Change password", &j->user);
	evbuffer_add_printf(b, "<h1>修改密码 <span lang=\"en\">Change "
	    "password</span></h1>");
	if (j->user.must_change)
		evbuffer_add_printf(b, "<p class=\"intro\" id=\"must-change\">"
		    "首次登录，请先把一次性密码改为您自己的密码。"
		    "<span lang=\"en\">First login: replace the one-time "
		    "password with your own.</span></p>");
	if (problem != NULL) {
		evbuffer_add_printf(b, "<p class=\"error\" role=\"alert\" "
		    "id=\"problem\">密码未修改。<span lang=\"en\">The password "
		    "was not changed: ");
		http_html_escape(b, problem);
		evbuffer_add_printf(b, "</span></p>");
	}
	evbuffer_add_printf(b, "<form method=\"post\" "
	    "action=\"/staff/password\">");
	http_staff_csrf_field(b, &j->user);
	evbuffer_add_printf(b, "<div class=\"field\"><label for=\"old\">当前"
	    "密码 Current password</label><input type=\"password\" id=\"old\" "
	    "name=\"old\" autocomplete=\"current-password\" required></div>"
	    "<div class=\"field\"><label for=\"new\">新密码 New password</label>"
	    "<p class=\"hint\">至少 %d 个字符 At least %d characters</p>"
	    "<input type=\"password\" id=\"new\" name=\"new\" minlength=\"%d\" "
	    "autocomplete=\"new-password\" required></div>"
	    "<div class=\"field\"><label for=\"new2\">再次输入新密码 New "
	    "password again</label><input type=\"password\" id=\"new2\" "
	    "name=\"new2\" minlength=\"%d\" autocomplete=\"new-password\" "
	    "required></div><button type=\"submit\" id=\"submit\">修改密码 "
	    "Change password</button></form>", PASSWORD_MIN_LEN,
	    PASSWORD_MIN_LEN, PASSWORD_MIN_LEN, PASSWORD_MIN_LEN);
	http_staff_page_end(b);
	http_staff_page_reply(j->r, status, b);
	evbuffer_free(b);
}

static void
session_password_done(struct http_staff_job *j)
{
	const bool html = (j->route->flags & HTTP_STAFF_HTML) != 0;

	if (!html) {
		if (j->status != STAFF_OK) {
			http_staff_reply_error(j);
			return;
		}
		j->out = json_pack("{s:b}", "must_change_password", 0);
		http_staff_reply_json(j, 200);
		return;
	}
	if (j->status == STAFF_OK && j->post) {
		http_staff_redirect(j, "/staff/");
		return;
	}
	if (j->status == STAFF_TRANSIENT || j->status == STAFF_FAILED) {
		http_staff_reply_error(j);
		return;
	}
	session_password_page(j, staff_status_http(j->status),
	    j->status != STAFF_OK ? j->message : NULL);
}

static const struct http_staff_route session_password_api = {
	"session.password", STAFF_ROLES_ANY,
	HTTP_STAFF_DURING_CHANGE | HTTP_STAFF_OWN_ERRORS,
	session_password_work, session_password_done,
};

static const struct http_staff_route session_password_html = {
	"staff.password", STAFF_ROLES_ANY,
	HTTP_STAFF_HTML | HTTP_STAFF_DURING_CHANGE | HTTP_STAFF_OWN_ERRORS,
	session_password_work, session_password_done,
};

void
http_session_password_api(struct http_req *r)
{
	http_staff_start(r, &session_password_api);
}

void
http_session_password_page(struct http_req *r)
{
	http_staff_start(r, &session_password_html);
}

/* ---- /staff/ ---------------------------------------------------------- */

static void
session_index_work(struct service_worker *w, struct http_staff_job *j)
{
	(void)w;
	(void)j;
}

/* Each role's first page. */
static void
session_index_done(struct http_staff_job *j)
{
	http_staff_redirect(j, staff_user_has_role(&j->user,
	    STAFF_ROLES_TIPS) ? "/staff/tips" : "/staff/audit");
}

static const struct http_staff_route session_index_html = {
	"staff.index", STAFF_ROLES_ANY, HTTP_STAFF_HTML,
	session_index_work, session_index_done,
};

void
http_session_index_page(struct http_req *r)
{
	http_staff_start(r, &session_index_html);
}
