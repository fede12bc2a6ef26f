/* SPDX-License-Identifier: MIT */
/*
 * The HTTP guard: a bufferevent filter in front of evhttp that reads each
 * request head before evhttp does and refuses what libevent 2.1 would let
 * through or answer in its own way (contract.md, "Public HTTP"):
 *
 *   malformed request line, NUL or bare CR in the head, obs-fold, a bad
 *   header name, Content-Length with Transfer-Encoding, conflicting
 *   Content-Length                                        -> 400
 *   a method other than GET, POST, HEAD                   -> 405
 *   Transfer-Encoding (chunked bodies are not accepted)   -> 411
 *   Content-Length over the route's body limit            -> 413
 *   URI over HTTP_GUARD_URI_MAX                           -> 414
 *   head over HTTP_GUARD_HEAD_MAX                         -> 431
 *   body over the in-flight byte budget                   -> 503
 *   another HTTP version                                  -> 505
 *
 * A refused request is replaced, toward evhttp, by a fixed internal request
 * so that the refusal goes out through the same reply path as every other
 * answer (explicit Content-Type, nosniff, one log line); the rest of the
 * connection's input is discarded and the connection closes after the reply.
 *
 * The guard also keeps an absolute deadline per request (head, then body),
 * independent of libevent's idle timeout, and holds the in-flight budget
 * reservation of the request's body.
 *
 * It caps the connections open at once (http_guard_set_max_connections()):
 * a connection over the cap gets the internal refusal request at once, so
 * it is answered 503 with Retry-After and closed without reading anything
 * (evhttp 2.1 has no connection limit of its own, and a NULL from its
 * bufferevent callback would give the connection a plain bufferevent
 * without this guard).
 *
 * http_guard_check_head() is pure (bytes in, verdict out) for the fuzzer.
 */
#ifndef HANDLERS_HTTP_GUARD_H
#define HANDLERS_HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_GUARD_URI_MAX (8 * 1024)
#define HTTP_GUARD_HEAD_MAX (64 * 1024)
#define HTTP_GUARD_REFUSED_PATH "/-/refused"
/* The longest request target a 413 keeps for its answer (longer: none). */
#define HTTP_GUARD_REFUSED_TARGET_MAX 255
/* The connection cap unless lowered (to fit RLIMIT_NOFILE). */
#define HTTP_GUARD_CONN_MAX 4096

struct event_base;
struct bufferevent;

enum http_guard_verdict {
	HTTP_GUARD_MORE,	/* the head is not complete yet */
	HTTP_GUARD_PASS,	/* a good head of head_len bytes */
	HTTP_GUARD_REFUSE,	/* refuse with status and reason */
};

enum http_guard_method {
	HTTP_GUARD_GET,
	HTTP_GUARD_HEAD,
	HTTP_GUARD_POST,
	HTTP_GUARD_OTHER,
};

struct http_guard_head {
	size_t head_len;		/* bytes up to and including the blank line */
	enum http_guard_method method;
	uint64_t content_length;	/* 0 when absent */
	int status;			/* on REFUSE */
	const char *reason;		/* on REFUSE: a fixed English sentence */
	uint64_t body_limit;		/* on a 413: the route's limit */
	const char *target;		/* once the request line passed: */
	size_t target_len;		/* its target (path?query), in buf */
};

/* Returns the largest body allowed for a request to path[0..len). */
typedef uint64_t (*http_guard_limit_fn)(const char *path, size_t len,
    void *arg);

/*
 * Judge the start of a connection's input buf[0..len).  Pure; never reads
 * past len.  limit (may be NULL: no body allowed) gives the body limit.
 */
enum http_guard_verdict http_guard_check_head(const char *buf, size_t len,
    http_guard_limit_fn limit, void *limit_arg, struct http_guard_head *out);

/* The shared in-flight budget, loop thread only. */
struct http_budget {
	uint64_t max;
	uint64_t used;
};

struct http_guard_conf {
	struct event_base *base;
	struct http_budget *budget;
	http_guard_limit_fn limit;
	void *limit_arg;
	int head_timeout_sec;		/* to receive the whole head */
	int body_timeout_sec;		/* plus one second per body_rate bytes */
	uint64_t body_rate;
};

struct http_guard;

/*
 * Make the bufferevent for a new connection (evhttp_set_bevcb): a filter
 * over a socket bufferevent whose fd evhttp sets.  NULL on failure.
 */
struct bufferevent *http_guard_new_bev(const struct http_guard_conf *conf);

/* The guard of a connection's bufferevent, or NULL. */
struct http_guard *http_guard_find(struct bufferevent *bev);

/* The status the guard refused the current request with, or 0. */
int http_guard_refused_status(const struct http_guard *g);
/* The method of a refused request ("-" if unknown), for the log. */
const char *http_guard_refused_reason(const struct http_guard *g);
/* The body limit a 413 refusal exceeded (bytes), or 0. */
uint64_t http_guard_refused_limit(const struct http_guard *g);
/*
 * The request target (path and query) of a POST refused with 413, so
 * that a form's page can be answered in its language; "" for any other
 * refusal or a target over HTTP_GUARD_REFUSED_TARGET_MAX bytes.
 */
const char *http_guard_refused_target(const struct http_guard *g);

/*
 * Move the current request's budget reservation to the caller (who must
 * http_budget_release() it when the body is no longer held).
 */
uint64_t http_guard_take_reservation(struct http_guard *g);

void http_budget_release(struct http_budget *b, uint64_t bytes);

/*
 * Close the connection once every byte already written to it has reached
 * the socket, and read nothing more from it.  evhttp must not close it
 * itself: libevent 2.1 shuts a connection down as soon as the reply has
 * left the filter, which with a filter in front is before it has left the
 * process (see http_server.c, http_on_complete()).
 */
void http_guard_close_after_flush(struct http_guard *g);

/* Number of open connections (for shutdown and tests). */
size_t http_guard_connections(void);

/*
 * Set the connection cap (at least 1; HTTP_GUARD_CONN_MAX until called).
 * Loop thread, before the first connection.
 */
void http_guard_set_max_connections(size_t max);

/*
 * Number of connections in the middle of sending a request (part of a head
 * or of a body received) or of receiving an answer (bytes of it not yet
 * written to the socket): the shutdown drain waits for these too, so that
 * a reply already logged is never lost by ending the loop under it.
 */
size_t http_guard_receiving(void);

#endif
