/* SPDX-License-Identifier: MIT */
/*
 * Counters and gauges for GET /metrics, in the Prometheus text exposition
 * format 0.0.4 (handlers/http_metrics.c serves them).
 *
 * Counters are C11 atomics (relaxed: each is a tally, not a guard of other
 * memory), bumped from whichever thread sees the event: the reply path of
 * the HTTP server (responses and the latency histogram), the HTTP guard
 * (refusals before a request reaches a route), intake on the workers (tips
 * by channel and outcome), the LMTP session (replies by code).  A bump is
 * one atomic add; nothing here allocates or locks.
 *
 * Gauges are read when scraped: queue depths from the database by a
 * worker (metrics_read_db(), one aggregate query each), the loop's own
 * numbers (in-flight bytes, worker jobs, connections) by the caller on the
 * loop thread.  No label value comes from outside input: routes are put
 * into a fixed set of classes, channels and reasons are fixed words.
 */
#ifndef SERVICE_METRICS_H
#define SERVICE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct service_worker;
struct intake_result;

/* Why a request or a message was refused before a route or intake saw
 * it (the guard), or turned away by a rate limit. */
enum metrics_refusal {
	METRICS_REFUSED_MALFORMED,	/* 400: bad request line or header */
	METRICS_REFUSED_METHOD,		/* 405 */
	METRICS_REFUSED_CHUNKED,	/* 411: Transfer-Encoding */
	METRICS_REFUSED_TOO_LARGE,	/* 413: Content-Length over the limit */
	METRICS_REFUSED_URI_TOO_LONG,	/* 414 */
	METRICS_REFUSED_HEAD_TOO_LARGE,	/* 431 */
	METRICS_REFUSED_VERSION,	/* 505 */
	METRICS_REFUSED_BUDGET,		/* 503: in-flight byte budget spent */
	METRICS_REFUSED_CONNECTIONS,	/* 503: connection cap */
	METRICS_REFUSED_NOMEM,		/* 503: out of memory */
	METRICS_REFUSED_DEADLINE,	/* head or body deadline passed */
	METRICS_REFUSED_RATE_LIMIT,	/* 429 */
	METRICS_REFUSED_COUNT
};

/* Route classes of the latency histogram (metrics_route_class()). */
enum metrics_route {
	METRICS_ROUTE_HEALTH,		/* /healthz */
	METRICS_ROUTE_PUBLIC,		/* the form, follow-up pages, CSS */
	METRICS_ROUTE_SUBMIT,		/* POST /tips, /api/v1/tips, mail */
	METRICS_ROUTE_API,		/* other public /api/v1/ */
	METRICS_ROUTE_STAFF,		/* /staff, /api/v1/staff, session */
	METRICS_ROUTE_METRICS,		/* /metrics */
	METRICS_ROUTE_OTHER,		/* not found, refused by the guard */
	METRICS_ROUTE_COUNT
};

/* The class of a route pattern as the server logs it ("-" and
 * "(refused)" included). */
enum metrics_route metrics_route_class(const char *route);

/* One HTTP answer: its status and how long the request took. */
void metrics_http_reply(enum metrics_route route, int status,
    uint64_t nanoseconds);

void metrics_refused(enum metrics_refusal reason);

/* The result of one intake (intake_submit()) by its door. */
void metrics_intake(const char *channel, const struct intake_result *res);

/* One LMTP reply line (its first three characters are the code). */
void metrics_lmtp_reply(const char *line, size_t len);

/* Tip statuses (storage/schema.c), in order. */
#define METRICS_TIP_STATUSES 8

/* What a worker reads from the database for one scrape. */
struct metrics_db {
	bool ok;			/* false: the reads failed, left out */
	int64_t tips[METRICS_TIP_STATUSES];
	int64_t outbox_pending;
};

/* Worker: fill out (out->ok false when the database could not say). */
void metrics_read_db(struct service_worker *w, struct metrics_db *out);

/* What the loop thread knows at the time of the scrape. */
struct metrics_live {
	uint64_t inflight_bytes;
	uint64_t inflight_max;
	size_t worker_jobs;		/* submitted, not yet answered */
	int workers;
	size_t http_connections;
};

/*
 * The whole exposition text: a malloc'd NUL-terminated string (the
 * caller frees it) and its length in *len, or NULL when out of memory.
 */
char *metrics_render(const struct metrics_db *db,
    const struct metrics_live *live, size_t *len);

#endif
