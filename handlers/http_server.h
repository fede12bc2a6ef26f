/* SPDX-License-Identifier: MIT */
/*
 * The HTTP server: evhttp on the loop thread behind the guard
 * (http_guard.h), one route table, and the reply path every answer takes:
 * an explicit Content-Type, X-Content-Type-Options: nosniff and the other
 * security headers, then one log line (method, route, status, bytes,
 * milliseconds; never a client address or user agent).
 *
 * A route handler gets a struct http_req and must end it with exactly one
 * http_reply*() call, now or later (after a worker job).  User text is never
 * passed to evhttp_send_error(); errors are ordinary replies with an escaped
 * body.
 */
#ifndef HANDLERS_HTTP_SERVER_H
#define HANDLERS_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evhttp_request;
struct config;
struct service;
struct workers;
struct http_budget;

struct http_server;

/* Most {} segments in one route pattern ("/staff/tips/{}"). */
#define HTTP_ROUTE_PARAMS_MAX 4

struct http_req {
	struct http_server *srv;
	struct evhttp_request *req;	/* NULL once the client is gone */
	const char *method;		/* "GET", "HEAD", "POST" */
	const char *route;		/* the route pattern, for the log */
	char *path;			/* decoded path (malloc'd) */
	uint64_t started_ns;
	uint64_t reserved;		/* in-flight budget held for the body */
	bool is_api;			/* errors as JSON */
	/* The {} segments of a pattern route, in order (malloc'd). */
	char *params[HTTP_ROUTE_PARAMS_MAX];
	int nparams;
};

struct http_server_env {
	struct event_base *base;
	const struct config *cfg;
	struct service *svc;
	struct workers *workers;
	/* The in-flight byte budget shared with LMTP (http_guard.h); NULL:
	 * the server keeps one of its own of inflight_max bytes. */
	struct http_budget *budget;
};

/*
 * Bind listen ("ADDR:PORT"; port 0 picks one) and start serving.  bound
 * receives the actual "ADDR:PORT".  NULL on failure, with err set.
 */
struct http_server *http_server_start(const struct http_server_env *env,
    const char *listen, char *bound, size_t boundlen, char *err,
    size_t errlen);

/* Stop accepting new connections (shutdown); in-flight requests go on. */
void http_server_stop_accepting(struct http_server *s);

/* Requests being received, or accepted and not yet answered. */
size_t http_server_active(const struct http_server *s);

/* Free the server, closing idle connections.  Accepts NULL; NULLs *s. */
void http_server_free(struct http_server **s);

/* The staff login throttle (service/login_throttle.h), loop thread. */
struct login_throttle;
struct login_throttle *http_server_throttle(struct http_server *s);

/* The in-flight byte budget the server's guard uses (loop thread). */
const struct http_budget *http_server_budget(const struct http_server *s);

/* The environment the server was started with (for route handlers). */
const struct http_server_env *http_server_env(const struct http_server *s);

/* Add a response header before replying. */
void http_req_add_header(struct http_req *r, const char *name,
    const char *value);

/*
 * Reply and end the request: status, content type, body.  Frees r (do not
 * touch it afterwards).  If the client is gone, only logs and frees.
 */
void http_reply(struct http_req *r, int status, const char *content_type,
    const void *body, size_t len);

/*
 * An error reply: JSON {"error": {"code", "message", "field"}} for API
 * routes, else a small escaped HTML page.  field may be NULL.  Frees r.
 */
void http_reply_error(struct http_req *r, int status, const char *code,
    const char *message, const char *field);

/* The request body (evbuffer of the evhttp request), or NULL if gone. */
struct evbuffer *http_req_body(struct http_req *r);

/* Append str to buf with the five HTML metacharacters escaped. */
struct evbuffer;
void http_html_escape(struct evbuffer *buf, const char *str);

/*
 * The i-th {} segment of the route that matched (decoded, never empty,
 * without '/'), or NULL.
 */
const char *http_req_param(const struct http_req *r, int i);

/* A request header, or NULL. */
const char *http_req_header(struct http_req *r, const char *name);

#endif
