/* SPDX-License-Identifier: MIT */
/*
 * The staff side of the HTTP server: what every staff route (the HTML
 * pages under /staff/ and the JSON API under /api/v1/staff/ and
 * /api/v1/session) shares.
 *
 * A staff request becomes one worker job.  On the loop thread the
 * session cookie, the X-CSRF-Token header, the query string, the route's
 * {} segments and the body are copied into the job; on the worker the
 * body is parsed (JSON for the API, application/x-www-form-urlencoded for
 * the pages), the session is looked up afresh (a disabled account or a
 * changed role counts on the next request), then, in this order: no live
 * session -> 401 (pages: 303 to /staff/login); forced password change
 * pending and the route is not one of the few allowed -> 403 (pages, GET:
 * 303 to /staff/password); a state-changing request (POST) without the
 * session's CSRF token (header for JSON, field "csrf" for forms) -> 403;
 * a role outside the route's set -> 403.  Only then does the route's own
 * work() run; its done() writes the reply on the loop thread.
 *
 * Adding a staff route: a struct http_staff_route with its role set and a
 * work/done pair, an entry in http_server.c's table, and a row in the
 * authorisation matrix of tests/blackbox/test_staff_authz.py.
 */
#ifndef HANDLERS_HTTP_STAFF_H
#define HANDLERS_HTTP_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "handlers/http_server.h"
#include "service/staff.h"
#include "service/staff_session.h"

#define HTTP_STAFF_COOKIE "tipline_session"
#define HTTP_STAFF_PARAM_MAX 128
/* The largest staff form: the 12315 entry page, whose details (20 000
 * characters) take up to 9 bytes each URL-encoded; the guard holds every
 * other staff page to 64 KiB (http_server.c, http_body_limit). */
#define HTTP_STAFF_FORM_MAX (256 * 1024)

struct service_worker;
struct evbuffer;
struct http_staff_job;

enum http_staff_flags {
	HTTP_STAFF_HTML = 1 << 0,	/* a page: HTML errors, redirects */
	HTTP_STAFF_DURING_CHANGE = 1 << 1, /* allowed before the forced
					 * password change */
	HTTP_STAFF_NO_SESSION = 1 << 2,	/* login: no session needed */
	HTTP_STAFF_OWN_ERRORS = 1 << 3,	/* done() also answers failures of
					 * work() (a form shown again) */
	HTTP_STAFF_RAW_BODY = 1 << 4,	/* API: work() reads j->body itself
					 * (text/csv), no JSON parse */
};

struct http_staff_route {
	const char *name;		/* for the log */
	unsigned roles;			/* STAFF_ROLES_* */
	unsigned flags;			/* enum http_staff_flags */
	/* On a worker, after every check passed: fill j's results. */
	void (*work)(struct service_worker *w, struct http_staff_job *j);
	/* On the loop thread when j->status is STAFF_OK (with
	 * HTTP_STAFF_OWN_ERRORS: also when work() failed): reply (exactly
	 * one http_reply*() on r).  The job is freed afterwards. */
	void (*done)(struct http_staff_job *j);
};

struct http_staff_job {
	struct http_req *r;
	const struct http_staff_route *route;
	bool post;
	char token[STAFF_TOKEN_HEX + 1];	/* the cookie's, or "" */
	char csrf_header[STAFF_TOKEN_HEX + 1];	/* X-CSRF-Token, or "" */
	char params[HTTP_ROUTE_PARAMS_MAX][HTTP_STAFF_PARAM_MAX];
	struct evkeyvalq query;		/* ?a=b&c=d, decoded */
	struct evkeyvalq form;		/* the form body, decoded (pages) */
	struct evbuffer *body;		/* the POST body */
	char content_type[128];		/* of the body */
	bool body_parsed;		/* query/form/json filled already */
	json_t *json;			/* the JSON body (API POST) */
	int64_t now;
	struct staff_user user;		/* the caller, once resolved */

	/* Results, written by work(). */
	enum staff_status status;
	char code[40];			/* error code for JSON errors */
	char message[STAFF_MSG_MAX];	/* what is wrong (English) */
	char field[32];			/* the field it names, or "" */
	bool checks_failed;		/* refused before work() ran */
	json_t *out;			/* the answer document */
	void *extra;			/* route-specific result */
	void (*extra_free)(void *extra);
	void (*after)(struct http_staff_job *j);	/* loop thread, before
					 * the reply (e.g. the throttle) */
	char login[USERS_LOGIN_MAX + 1];	/* login attempted */
	char addr[64];			/* client address (throttle only) */
	char new_token[STAFF_TOKEN_HEX + 1];	/* a new session: set the
					 * cookie */
};

/*
 * Start a staff request on route: copy what the worker needs and queue
 * the job.  Always ends r (now on failure, later through done()).
 */
void http_staff_start(struct http_req *r,
    const struct http_staff_route *route);

/* Like http_staff_start() with a job the caller has prepared (login). */
void http_staff_submit(struct http_staff_job *j);

/* A new job for r on route with the request copied in; NULL (and r is
 * answered) when out of memory or the query string is malformed. */
struct http_staff_job *http_staff_job_new(struct http_req *r,
    const struct http_staff_route *route);

/* Free a job (once replied).  Accepts NULL. */
void http_staff_job_free(struct http_staff_job *j);

/*
 * Parse j's body (JSON for the API, a form for pages) unless done; false
 * with j's error set when it is malformed.  Any thread; the loop thread
 * only for small bodies (login).
 */
bool http_staff_parse_body(struct http_staff_job *j);

/* A query argument or form field, or NULL. */
const char *http_staff_query(struct http_staff_job *j, const char *name);
const char *http_staff_field(struct http_staff_job *j, const char *name);
/* A string member of the JSON body, or NULL. */
const char *http_staff_json_str(struct http_staff_job *j, const char *name);

/* Set an error result (on the worker). */
void http_staff_fail(struct http_staff_job *j, enum staff_status st,
    const char *code, const char *message);

/*
 * A zeroed route result of size bytes attached to j (j->extra, freed with
 * free_fn when the job ends); NULL, with j failed as out of memory, when
 * there is no memory.  Worker thread.
 */
void *http_staff_extra_new(struct http_staff_job *j, size_t size,
    void (*free_fn)(void *));

/* Reply j->out as JSON with status. */
void http_staff_reply_json(struct http_staff_job *j, int status);

/* Reply 303 See Other to location (a path of ours). */
void http_staff_redirect(struct http_staff_job *j, const char *location);

/* The error reply for j->status (JSON, page, or redirect to login). */
void http_staff_reply_error(struct http_staff_job *j);

/* Session cookies: set the new token, or clear the cookie. */
void http_staff_set_cookie(struct http_req *r, const char *token);
void http_staff_clear_cookie(struct http_req *r);

/*
 * The staff page frame: <head>, a header with the caller's login and the
 * navigation for its role (u may be NULL: logged out), and the end.
 * Titles are "中文 English".
 */
void http_staff_page_begin(struct evbuffer *b, const char *title,
    const struct staff_user *u);
void http_staff_page_end(struct evbuffer *b);
/* Reply the page in b (freed by the caller) with status. */
void http_staff_page_reply(struct http_req *r, int status,
    struct evbuffer *b);
/*
 * A new page for job j, begun (http_staff_page_begin() with j's user); NULL
 * when out of memory, and j is answered already.
 */
struct evbuffer *http_staff_page_new(struct http_staff_job *j,
    const char *title);
/* End page b of job j, reply it with 200 and free b. */
void http_staff_page_finish(struct http_staff_job *j, struct evbuffer *b);
/* Append one <dt>label</dt><dd>value</dd> of a list of facts ("—" when
 * value is NULL or ""). */
void http_staff_put_fact(struct evbuffer *b, const char *label,
    const char *value);
/* A string member of a document, "" if absent or not a string. */
const char *http_staff_doc_str(json_t *o, const char *key);
/* Append a string member of a document, HTML-escaped. */
void http_staff_put_str(struct evbuffer *b, json_t *o, const char *key);
/* Append "&amp;name=value" (value percent-encoded) when value is set. */
void http_staff_put_query_arg(struct evbuffer *b, const char *name,
    const char *value);
/* The label of code in a table of {code, label} rows (code itself if
 * none). */
const char *http_staff_label(const char *const (*rows)[2], size_t n,
    const char *code);

/* Append a hidden CSRF field for u's session. */
void http_staff_csrf_field(struct evbuffer *b, const struct staff_user *u);

#endif
