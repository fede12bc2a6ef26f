/* SPDX-License-Identifier: MIT */
/*
 * evhttp set-up, the route table and the one reply path.
 *
 * Every connection's bufferevent is made by the guard (http_guard.c), so
 * what reaches http_dispatch() has a well-formed head within our limits, a
 * GET/HEAD/POST method and a Content-Length body within the route's limit
 * and the in-flight budget; or it is the guard's internal refusal request,
 * answered here like any other reply.
 *
 * Lifetime of struct http_req: made in http_dispatch(), freed by the one
 * http_reply*() call that ends it.  While a request waits for a worker, the
 * connection's close callback clears r->req, so a late reply only logs.
 */
#include "handlers/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "handlers/http_guard.h"
#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "handlers/lmtp_server.h"
#include "service/config.h"
#include "service/login_throttle.h"
#include "service/log.h"
#include "service/metrics.h"

#define HTTP_IDLE_TIMEOUT_SEC 30
#define HTTP_HEAD_TIMEOUT_SEC 10
#define HTTP_BODY_TIMEOUT_SEC 60
#define HTTP_BODY_RATE (64 * 1024)	/* bytes per extra second */
#define HTTP_JSON_BODY_MAX (1024 * 1024)
#define HTTP_SMALL_BODY_MAX (64 * 1024)
/*
 * Descriptors kept for everything but HTTP connections when the connection
 * cap is fitted to RLIMIT_NOFILE: LMTP's sessions, and the databases, WAL
 * and blob files of the workers, libmagic, the log.
 */
#define HTTP_FD_RESERVE (LMTP_SESSIONS_MAX + 128)
#define HTTP_ACCEPT_PAUSE_MS 1000

enum http_method_bit {
	HTTP_M_GET = 1 << 0,	/* GET implies HEAD */
	HTTP_M_POST = 1 << 1,
};

struct http_route {
	const char *path;
	unsigned methods;
	void (*fn)(struct http_req *r);
};

/*
 * The route table, kept sorted by path (strcmp).  A path is exact, or a
 * pattern in which a "{}" segment matches one non-empty path segment
 * (handed to the handler as http_req_param()); exact paths are found
 * first, then the patterns in table order.
 */
static const struct http_route http_routes[] = {
	{ "/", HTTP_M_GET, http_form_get },
	{ "/api/v1/bureaus", HTTP_M_GET, http_codes_get_bureaus },
	{ "/api/v1/domains", HTTP_M_GET, http_codes_get_domains },
	{ "/api/v1/follow-up", HTTP_M_POST, http_follow_up_api },
	{ "/api/v1/follow-up/messages", HTTP_M_POST,
	    http_follow_up_api_message },
	{ "/api/v1/mail", HTTP_M_POST, http_mail_post },
	{ "/api/v1/session", HTTP_M_POST, http_session_login_api },
	{ "/api/v1/session/logout", HTTP_M_POST, http_session_logout_api },
	{ "/api/v1/session/password", HTTP_M_POST, http_session_password_api },
	{ "/api/v1/staff/audit", HTTP_M_GET, http_staff_audit_api },
	{ "/api/v1/staff/cases", HTTP_M_GET | HTTP_M_POST,
	    http_staff_cases_api },
	{ "/api/v1/staff/cases/{}", HTTP_M_GET, http_staff_cases_detail_api },
	{ "/api/v1/staff/cases/{}/deadline-events", HTTP_M_POST,
	    http_staff_cases_deadline_api },
	{ "/api/v1/staff/cases/{}/messages", HTTP_M_POST,
	    http_staff_cases_message_api },
	{ "/api/v1/staff/cases/{}/outcome", HTTP_M_POST,
	    http_staff_cases_outcome_api },
	{ "/api/v1/staff/cases/{}/status", HTTP_M_POST,
	    http_staff_cases_status_api },
	{ "/api/v1/staff/cases/{}/tips", HTTP_M_POST,
	    http_staff_cases_link_api },
	{ "/api/v1/staff/cases/{}/tips/{}/unlink", HTTP_M_POST,
	    http_staff_cases_unlink_api },
	{ "/api/v1/staff/overdue", HTTP_M_GET, http_staff_cases_overdue_api },
	{ "/api/v1/staff/refdata/{}", HTTP_M_GET | HTTP_M_POST,
	    http_staff_refdata_api },
	{ "/api/v1/staff/reports/summary", HTTP_M_GET,
	    http_staff_reports_summary_api },
	{ "/api/v1/staff/tips", HTTP_M_GET | HTTP_M_POST,
	    http_staff_entry_tips_api },
	{ "/api/v1/staff/tips/export.csv", HTTP_M_GET,
	    http_staff_entry_export_api },
	{ "/api/v1/staff/tips/{}", HTTP_M_GET, http_staff_tips_detail_api },
	{ "/api/v1/staff/tips/{}/attachments/{}", HTTP_M_GET,
	    http_staff_tips_attachment_api },
	{ "/api/v1/staff/tips/{}/classify", HTTP_M_POST,
	    http_staff_triage_classify_api },
	{ "/api/v1/staff/tips/{}/deadline-events", HTTP_M_POST,
	    http_staff_cases_tip_deadline_api },
	{ "/api/v1/staff/tips/{}/merge", HTTP_M_POST,
	    http_staff_triage_merge_api },
	{ "/api/v1/staff/tips/{}/messages", HTTP_M_POST,
	    http_staff_tips_message_api },
	{ "/api/v1/staff/tips/{}/notice", HTTP_M_POST,
	    http_staff_cases_tip_notice_api },
	{ "/api/v1/staff/tips/{}/route", HTTP_M_POST,
	    http_staff_triage_route_api },
	{ "/api/v1/staff/tips/{}/status", HTTP_M_POST,
	    http_staff_triage_status_api },
	{ "/api/v1/tips", HTTP_M_POST, http_tips_post_api },
	{ "/api/v1/violations", HTTP_M_GET, http_codes_get_violations },
	{ "/follow-up", HTTP_M_GET | HTTP_M_POST, http_follow_up_get_or_post },
	{ "/follow-up/reply", HTTP_M_POST, http_follow_up_reply },
	{ "/healthz", HTTP_M_GET, http_health_get },
	{ "/metrics", HTTP_M_GET, http_metrics_get },
	{ "/staff", HTTP_M_GET, http_session_index_page },
	{ "/staff/", HTTP_M_GET, http_session_index_page },
	{ "/staff/audit", HTTP_M_GET, http_staff_audit_page },
	{ "/staff/cases", HTTP_M_GET | HTTP_M_POST, http_staff_cases_page },
	{ "/staff/cases/{}", HTTP_M_GET, http_staff_cases_detail_page },
	{ "/staff/cases/{}/deadline-events", HTTP_M_POST,
	    http_staff_cases_deadline_page },
	{ "/staff/cases/{}/messages", HTTP_M_POST,
	    http_staff_cases_message_page },
	{ "/staff/cases/{}/outcome", HTTP_M_POST,
	    http_staff_cases_outcome_page },
	{ "/staff/cases/{}/status", HTTP_M_POST,
	    http_staff_cases_status_page },
	{ "/staff/cases/{}/tips", HTTP_M_POST, http_staff_cases_link_page },
	{ "/staff/cases/{}/tips/{}/unlink", HTTP_M_POST,
	    http_staff_cases_unlink_page },
	{ "/staff/login", HTTP_M_GET | HTTP_M_POST, http_session_login_page },
	{ "/staff/logout", HTTP_M_POST, http_session_logout_page },
	{ "/staff/overdue", HTTP_M_GET, http_staff_cases_overdue_page },
	{ "/staff/password", HTTP_M_GET | HTTP_M_POST,
	    http_session_password_page },
	{ "/staff/refdata", HTTP_M_GET | HTTP_M_POST, http_staff_refdata_page },
	{ "/staff/reports", HTTP_M_GET, http_staff_reports_page },
	{ "/staff/tips", HTTP_M_GET, http_staff_tips_list_page },
	{ "/staff/tips/new", HTTP_M_GET | HTTP_M_POST,
	    http_staff_entry_new_page },
	{ "/staff/tips/{}", HTTP_M_GET, http_staff_tips_detail_page },
	{ "/staff/tips/{}/classify", HTTP_M_POST,
	    http_staff_triage_classify_page },
	{ "/staff/tips/{}/deadline-events", HTTP_M_POST,
	    http_staff_cases_tip_deadline_page },
	{ "/staff/tips/{}/merge", HTTP_M_POST,
	    http_staff_triage_merge_page },
	{ "/staff/tips/{}/messages", HTTP_M_POST,
	    http_staff_tips_message_page },
	{ "/staff/tips/{}/notice", HTTP_M_POST,
	    http_staff_cases_tip_notice_page },
	{ "/staff/tips/{}/route", HTTP_M_POST, http_staff_triage_route_page },
	{ "/staff/tips/{}/status", HTTP_M_POST,
	    http_staff_triage_status_page },
	{ "/static/tipline.css", HTTP_M_GET, http_static_css_get },
	{ "/tips", HTTP_M_POST, http_tips_post_form },
};

struct http_server {
	struct http_server_env env;
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	struct http_budget budget;
	struct http_guard_conf guard;
	struct event *accept_resume;	/* after EMFILE (http_accept_error) */
	size_t active;
	bool stopping;
	struct login_throttle *throttle;	/* staff logins (loop thread) */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool
path_is(const char *path, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(path, want, len) == 0;
}

/* The largest body each route accepts (the guard's 413 limit). */
static uint64_t
http_body_limit(const char *path, size_t len, void *arg)
{
	const struct config *cfg = arg;

	if (path_is(path, len, "/tips") || path_is(path, len, "/api/v1/tips") ||
	    path_is(path, len, "/follow-up/reply") ||
	    path_is(path, len, "/api/v1/follow-up/messages"))
		return cfg->tip_max;
	if (path_is(path, len, "/api/v1/mail"))
		return cfg->mail_max;
	if (path_is(path, len, "/staff/tips/new") ||
	    path_is(path, len, "/staff/refdata"))
		return HTTP_STAFF_FORM_MAX;
	if (len >= 5 && memcmp(path, "/api/", 5) == 0)
		return HTTP_JSON_BODY_MAX;
	return HTTP_SMALL_BODY_MAX;
}

static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}

/*
 * evhttp calls this when the reply has left the filter, just before it
 * decides whether to close the connection.  If it would close, it would
 * do so before the reply's last bytes reach the socket (they are still in
 * the guard's underlying bufferevent), so take the decision away from it:
 * make the request look persistent and let the guard close the connection
 * once everything is flushed.
 */
static void
http_on_complete(struct evhttp_request *req, void *arg)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const char *cin = evhttp_find_header(in, "Connection");
	const char *cout = evhttp_find_header(out, "Connection");
	bool close = (cin != NULL && !evutil_ascii_strcasecmp(cin, "close")) ||
	    (cout != NULL && !evutil_ascii_strcasecmp(cout, "close")) ||
	    (req->major == 1 && req->minor == 0 &&
	    (cin == NULL || evutil_ascii_strncasecmp(cin, "keep-alive", 10)));

	(void)arg;
	if (!close || evcon == NULL)
		return;
	evhttp_remove_header(in, "Connection");
	evhttp_remove_header(out, "Connection");
	evhttp_add_header(in, "Connection", "keep-alive");
	http_guard_close_after_flush(http_guard_find(
	    evhttp_connection_get_bufferevent(evcon)));
}

/* The connection went away while a reply was pending. */
static void
http_conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_req *r = arg;

	(void)evcon;
	r->req = NULL;
}

void
http_req_add_header(struct http_req *r, const char *name, const char *value)
{
	if (r->req != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(r->req),
		    name, value);
}

struct evbuffer *
http_req_body(struct http_req *r)
{
	return r->req == NULL ? NULL : evhttp_request_get_input_buffer(r->req);
}

const char *
http_req_header(struct http_req *r, const char *name)
{
	if (r->req == NULL)
		return NULL;
	return evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    name);
}

const struct http_server_env *
http_server_env(const struct http_server *s)
{
	return &s->env;
}

const struct http_budget *
http_server_budget(const struct http_server *s)
{
	return s->guard.budget;
}

struct login_throttle *
http_server_throttle(struct http_server *s)
{
	return s->throttle;
}

void
http_reply(struct http_req *r, int status, const char *content_type,
    const void *body, size_t len)
{
	struct http_server *s = r->srv;
	uint64_t ms10, elapsed;

	if (r->req != NULL) {
		struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
		struct evhttp_connection *evcon =
		    evhttp_request_get_connection(r->req);
		struct evbuffer *buf = evbuffer_new();

		evhttp_remove_header(h, "Content-Type");
		evhttp_add_header(h, "Content-Type", content_type);
		evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
		evhttp_add_header(h, "Cache-Control", "no-store");
		evhttp_add_header(h, "Referrer-Policy", "no-referrer");
		evhttp_add_header(h, "X-Frame-Options", "DENY");
		if (evhttp_find_header(h, "Content-Security-Policy") == NULL)
			evhttp_add_header(h, "Content-Security-Policy",
			    "default-src 'none'; style-src 'self'; "
			    "img-src 'self'; form-action 'self'; "
			    "frame-ancestors 'none'; base-uri 'none'");
		if (s->stopping && evhttp_find_header(h, "Connection") == NULL)
			evhttp_add_header(h, "Connection", "close");
		if (evcon != NULL)
			evhttp_connection_set_closecb(evcon, NULL, NULL);
		evhttp_request_set_on_complete_cb(r->req, http_on_complete,
		    NULL);
		if (buf != NULL && len > 0)
			evbuffer_add(buf, body, len);
		evhttp_send_reply(r->req, status, http_reason(status), buf);
		if (buf != NULL)
			evbuffer_free(buf);
	}
	elapsed = now_ns() - r->started_ns;
	metrics_http_reply(metrics_route_class(r->route), status, elapsed);
	if (status == 429)
		metrics_refused(METRICS_REFUSED_RATE_LIMIT);
	ms10 = elapsed / 100000u;
	log_info("http method=%s route=%s status=%d bytes=%zu ms=%llu.%llu%s",
	    r->method, r->route, status, len,
	    (unsigned long long)(ms10 / 10), (unsigned long long)(ms10 % 10),
	    r->req == NULL ? " client=gone" : "");
	http_budget_release(s->guard.budget, r->reserved);
	s->active--;
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	free(r->path);
	free(r);
}

void
http_html_escape(struct evbuffer *buf, const char *str)
{
	for (; *str != '\0'; str++) {
		switch (*str) {
		case '<': evbuffer_add(buf, "&lt;", 4); break;
		case '>': evbuffer_add(buf, "&gt;", 4); break;
		case '&': evbuffer_add(buf, "&amp;", 5); break;
		case '"': evbuffer_add(buf, "&quot;", 6); break;
		case '\'': evbuffer_add(buf, "&#39;", 5); break;
		default: evbuffer_add(buf, str, 1); break;
		}
	}
}

void
http_reply_error(struct http_req *r, int status, const char *code,
    const char *message, const char *field)
{
	if (r->is_api) {
		json_t *err = json_object(), *root = json_object();
		char *text;

		json_object_set_new(err, "code", json_string(code));
		json_object_set_new(err, "message", json_string(message));
		json_object_set_new(err, "field",
		    field != NULL ? json_string(field) : json_null());
		json_object_set_new(root, "error", err);
		text = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(root);
		if (text != NULL) {
			http_reply(r, status, "application/json", text,
			    strlen(text));
			free(text);
			return;
		}
		http_reply(r, status, "application/json",
		    "{\"error\":{\"code\":\"internal\"}}", 29);
		return;
	}
	{
		struct evbuffer *buf = evbuffer_new();
		size_t len;
		char *page;

		if (buf == NULL) {
			http_reply(r, status, "text/plain; charset=utf-8",
			    code, strlen(code));
			return;
		}
		evbuffer_add_printf(buf, "<!DOCTYPE html>\n<html lang=\"zh-CN\">"
		    "<head><meta charset=\"utf-8\"><title>%d</title></head>"
		    "<body><h1>%d %s</h1><p>", status, status,
		    http_reason(status));
		http_html_escape(buf, message);
		if (field != NULL) {
			evbuffer_add_printf(buf, " (");
			http_html_escape(buf, field);
			evbuffer_add_printf(buf, ")");
		}
		evbuffer_add_printf(buf, "</p></body></html>\n");
		len = evbuffer_get_length(buf);
		page = (char *)evbuffer_pullup(buf, -1);
		http_reply(r, status, "text/html; charset=utf-8", page, len);
		evbuffer_free(buf);
	}
}

/* Answer a request the guard refused (target: a refused POST's, or ""). */
static void
http_reply_refused(struct http_req *r, int status, const char *reason,
    uint64_t limit, const char *target)
{
	char body[240];
	int n;

	if (status == 405)
		http_req_add_header(r, "Allow", "GET, POST, HEAD");
	if (status == 503)
		http_req_add_header(r, "Retry-After", "5");
	http_req_add_header(r, "Connection", "close");
	if (status == 413 && limit > 0 && target[0] != '\0' &&
	    (http_form_too_large(r, target, limit) ||
	    http_follow_up_too_large(r, target, limit)))
		return;
	if (status == 413 && limit > 0 && strncmp(target, "/api/", 5) == 0) {
		/* The API's refusals keep the contract's error shape. */
		(void)snprintf(body, sizeof(body), "%s; this address takes at "
		    "most %llu bytes (%.1f MiB)", reason,
		    (unsigned long long)limit, (double)limit /
		    (1024.0 * 1024.0));
		r->is_api = true;
		http_reply_error(r, 413, "too_large", body, NULL);
		return;
	}
	if (status == 413 && limit > 0)
		n = snprintf(body, sizeof(body), "%d %s: %s; this address "
		    "takes at most %llu bytes (%.1f MiB)\n", status,
		    http_reason(status), reason, (unsigned long long)limit,
		    (double)limit / (1024.0 * 1024.0));
	else
		n = snprintf(body, sizeof(body), "%d %s: %s\n", status,
		    http_reason(status), reason);
	http_reply(r, status, "text/plain; charset=utf-8", body,
	    n < 0 ? 0 : (size_t)n >= sizeof(body) ? sizeof(body) - 1 :
	    (size_t)n);
}

static const struct http_route *http_find_exact(const char *path);

const char *
http_req_param(const struct http_req *r, int i)
{
	return i >= 0 && i < r->nparams ? r->params[i] : NULL;
}

/*
 * Whether path matches pattern segment by segment; each "{}" segment
 * takes one non-empty segment of path, copied into r->params.  On a
 * mismatch r->params is left empty.
 */
static bool
http_match_pattern(const char *pattern, const char *path, struct http_req *r)
{
	const char *p = pattern, *q = path;

	r->nparams = 0;
	while (*p != '\0') {
		if (p[0] == '{' && p[1] == '}' && (p[2] == '/' || p[2] == '\0')) {
			size_t n = strcspn(q, "/");

			if (n == 0 || r->nparams == HTTP_ROUTE_PARAMS_MAX ||
			    (r->params[r->nparams] = strndup(q, n)) == NULL)
				goto fail;
			r->nparams++;
			p += 2;
			q += n;
			continue;
		}
		if (*p != *q)
			goto fail;
		p++;
		q++;
	}
	if (*q == '\0')
		return true;
fail:
	for (int i = 0; i < r->nparams; i++) {
		free(r->params[i]);
		r->params[i] = NULL;
	}
	r->nparams = 0;
	return false;
}

/* The route of path: an exact one, else the first pattern that matches. */
static const struct http_route *
http_find_route(const char *path, struct http_req *r)
{
	const struct http_route *exact = http_find_exact(path);

	/* A path spelling "{}" literally is no exact match for a pattern. */
	if (exact != NULL && strstr(exact->path, "{}") == NULL)
		return exact;
	for (size_t i = 0; i < sizeof(http_routes) / sizeof(http_routes[0]);
	    i++)
		if (strstr(http_routes[i].path, "{}") != NULL &&
		    http_match_pattern(http_routes[i].path, path, r))
			return &http_routes[i];
	return NULL;
}

static const struct http_route *
http_find_exact(const char *path)
{
	size_t lo = 0, hi = sizeof(http_routes) / sizeof(http_routes[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(path, http_routes[mid].path);

		if (c == 0)
			return &http_routes[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void
http_dispatch(struct evhttp_request *req, void *arg)
{
	struct http_server *s = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct http_guard *g = NULL;
	const struct evhttp_uri *uri;
	const struct http_route *route;
	const char *raw_path;
	struct http_req *r;
	size_t dlen = 0;
	int refused;

	if (evcon != NULL)
		g = http_guard_find(evhttp_connection_get_bufferevent(evcon));
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		/* No user text: a fixed reason only. */
		evhttp_send_error(req, 503, "Service Unavailable");
		return;
	}
	r->srv = s;
	r->req = req;
	r->started_ns = now_ns();
	r->route = "-";
	r->reserved = http_guard_take_reservation(g);
	s->active++;
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET: r->method = "GET"; break;
	case EVHTTP_REQ_HEAD: r->method = "HEAD"; break;
	case EVHTTP_REQ_POST: r->method = "POST"; break;
	default: r->method = "-"; break;
	}
	if (evcon != NULL)
		evhttp_connection_set_closecb(evcon, http_conn_closed, r);

	uri = evhttp_request_get_evhttp_uri(req);
	raw_path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (raw_path == NULL || raw_path[0] == '\0')
		raw_path = "/";

	refused = http_guard_refused_status(g);
	if (refused != 0 && strcmp(raw_path, HTTP_GUARD_REFUSED_PATH) == 0) {
		r->method = "-";
		r->route = "(refused)";
		http_reply_refused(r, refused, http_guard_refused_reason(g),
		    http_guard_refused_limit(g), http_guard_refused_target(g));
		return;
	}
	if (strcmp(r->method, "-") == 0) {
		/* The guard lets only GET, HEAD and POST through. */
		http_req_add_header(r, "Allow", "GET, POST, HEAD");
		http_reply_error(r, 405, "method_not_allowed",
		    "method not allowed", NULL);
		return;
	}
	r->is_api = strncmp(raw_path, "/api/", 5) == 0;
	r->path = evhttp_uridecode(raw_path, 0, &dlen);
	if (r->path == NULL) {
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	if (strlen(r->path) != dlen) {
		http_reply_error(r, 400, "bad_request",
		    "the path contains a NUL byte", NULL);
		return;
	}
	if ((route = http_find_route(r->path, r)) == NULL) {
		http_reply_error(r, 404, "not_found", "no such page", NULL);
		return;
	}
	r->route = route->path;
	if ((strcmp(r->method, "POST") == 0 && !(route->methods & HTTP_M_POST)) ||
	    (strcmp(r->method, "POST") != 0 && !(route->methods & HTTP_M_GET))) {
		http_req_add_header(r, "Allow", route->methods & HTTP_M_POST ?
		    (route->methods & HTTP_M_GET ? "GET, POST, HEAD" : "POST") :
		    "GET, HEAD");
		http_reply_error(r, 405, "method_not_allowed",
		    "method not allowed for this path", NULL);
		return;
	}
	route->fn(r);
}

static struct bufferevent *
http_make_bev(struct event_base *base, void *arg)
{
	struct http_server *s = arg;

	(void)base;
	return http_guard_new_bev(&s->guard);
}

/*
 * The connection cap (http_guard.h) from RLIMIT_NOFILE: raise the soft
 * limit as far as the cap needs and the hard limit allows, then keep
 * HTTP_FD_RESERVE descriptors for the rest (a quarter of a small limit).
 */
static void
http_fit_connection_cap(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)HTTP_GUARD_CONN_MAX + HTTP_FD_RESERVE;
	size_t cap;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	if (rl.rlim_cur < want && rl.rlim_max > rl.rlim_cur) {
		struct rlimit raised = rl;

		raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl = raised;
	}
	if (rl.rlim_cur >= want)
		return;
	cap = rl.rlim_cur > 2 * HTTP_FD_RESERVE ?
	    (size_t)(rl.rlim_cur - HTTP_FD_RESERVE) : (size_t)rl.rlim_cur / 4;
	http_guard_set_max_connections(cap);
	log_info("http connection cap=%zu nofile=%llu", cap,
	    (unsigned long long)rl.rlim_cur);
}

/*
 * accept() failed.  Out of descriptors (or kernel memory), stop accepting
 * for HTTP_ACCEPT_PAUSE_MS instead of spinning on a listener that stays
 * readable (httpd's server_accept does the same); the backlog waits.
 */
static void
http_accept_error(struct evconnlistener *lev, void *arg)
{
	struct http_server *s = arg;
	struct timeval pause = { HTTP_ACCEPT_PAUSE_MS / 1000,
	    (HTTP_ACCEPT_PAUSE_MS % 1000) * 1000 };
	int err = EVUTIL_SOCKET_ERROR();

	if (err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM) {
		log_warnx("http: accept: %s; pausing for %d ms",
		    evutil_socket_error_to_string(err), HTTP_ACCEPT_PAUSE_MS);
		evconnlistener_disable(lev);
		evtimer_add(s->accept_resume, &pause);
		return;
	}
	/* ECONNABORTED and the like: the next accept may work. */
	log_warnx("http: accept: %s", evutil_socket_error_to_string(err));
}

static void
http_accept_resume(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *s = arg;

	(void)fd;
	(void)what;
	if (!s->stopping && s->sock != NULL)
		evconnlistener_enable(evhttp_bound_socket_get_listener(s->sock));
}

struct http_server *
http_server_start(const struct http_server_env *env, const char *listen,
    char *bound, size_t boundlen, char *err, size_t errlen)
{
	struct http_server *s;
	char host[256];
	uint16_t port;
	uint64_t max_body;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char abuf[INET6_ADDRSTRLEN];

	if (config_split_listen(listen, host, sizeof(host), &port) != 0) {
		snprintf(err, errlen, "bad listen address \"%s\"", listen);
		return NULL;
	}
	/* The look-up is a binary search: a mis-sorted table loses routes. */
	for (size_t i = 1; i < sizeof(http_routes) / sizeof(http_routes[0]);
	    i++)
		if (strcmp(http_routes[i - 1].path, http_routes[i].path) >= 0) {
			snprintf(err, errlen, "route table not sorted at %s",
			    http_routes[i].path);
			return NULL;
		}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->env = *env;
	if ((s->throttle = login_throttle_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return NULL;
	}
	s->budget.max = env->cfg->inflight_max;
	s->guard.base = env->base;
	s->guard.budget = env->budget != NULL ? env->budget : &s->budget;
	s->guard.limit = http_body_limit;
	s->guard.limit_arg = (void *)(uintptr_t)env->cfg;
	s->guard.head_timeout_sec = HTTP_HEAD_TIMEOUT_SEC;
	s->guard.body_timeout_sec = HTTP_BODY_TIMEOUT_SEC;
	s->guard.body_rate = HTTP_BODY_RATE;
	http_fit_connection_cap();

	if ((s->http = evhttp_new(env->base)) == NULL) {
		snprintf(err, errlen, "cannot create the HTTP server");
		http_server_free(&s);
		return NULL;
	}
	max_body = env->cfg->tip_max > env->cfg->mail_max ?
	    env->cfg->tip_max : env->cfg->mail_max;
	if (max_body < HTTP_JSON_BODY_MAX)
		max_body = HTTP_JSON_BODY_MAX;
	/* Our guard refuses first; these are a second line, never reached. */
	evhttp_set_max_headers_size(s->http, HTTP_GUARD_HEAD_MAX + 4096);
	evhttp_set_max_body_size(s->http, (ev_ssize_t)max_body);
	evhttp_set_allowed_methods(s->http,
	    EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD);
	evhttp_set_timeout(s->http, HTTP_IDLE_TIMEOUT_SEC);
	evhttp_set_default_content_type(s->http, "text/plain; charset=utf-8");
	evhttp_set_bevcb(s->http, http_make_bev, s);
	evhttp_set_gencb(s->http, http_dispatch, s);

	s->sock = evhttp_bind_socket_with_handle(s->http, host, port);
	if (s->sock == NULL) {
		snprintf(err, errlen, "cannot listen on %s", listen);
		http_server_free(&s);
		return NULL;
	}
	s->accept_resume = evtimer_new(env->base, http_accept_resume, s);
	if (s->accept_resume == NULL) {
		snprintf(err, errlen, "out of memory");
		http_server_free(&s);
		return NULL;
	}
	evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(s->sock),
	    http_accept_error);
	if (getsockname(evhttp_bound_socket_get_fd(s->sock),
	    (struct sockaddr *)&ss, &sslen) != 0) {
		snprintf(err, errlen, "cannot read the bound address");
		http_server_free(&s);
		return NULL;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, abuf, sizeof(abuf));
		snprintf(bound, boundlen, "[%s]:%u", abuf, ntohs(a->sin6_port));
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, abuf, sizeof(abuf));
		snprintf(bound, boundlen, "%s:%u", abuf, ntohs(a->sin_port));
	}
	return s;
}

void
http_server_stop_accepting(struct http_server *s)
{
	if (s == NULL || s->stopping)
		return;
	s->stopping = true;
	if (s->sock != NULL) {
		evhttp_del_accept_socket(s->http, s->sock);
		s->sock = NULL;
	}
}

size_t
http_server_active(const struct http_server *s)
{
	return s == NULL ? 0 : s->active + http_guard_receiving();
}

void
http_server_free(struct http_server **sp)
{
	struct http_server *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	if (s->http != NULL)
		evhttp_free(s->http);
	if (s->accept_resume != NULL)
		event_free(s->accept_resume);
	login_throttle_free(&s->throttle);
	free(s);
	*sp = NULL;
}
