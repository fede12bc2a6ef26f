/* SPDX-License-Identifier: MIT */
/*
 * The counters behind GET /metrics and their exposition (see metrics.h).
 * Every counter is a file-local array of _Atomic uint64_t indexed by fixed
 * enums or by a status code, so a bump is one relaxed fetch-add and the
 * set of series is known in advance; the render walks the arrays once.
 */
#include "service/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/intake.h"
#include "service/log.h"
#include "service/service.h"
#include "storage/metrics_store.h"

/* Status codes kept per code: 100..599 (HTTP and LMTP alike). */
#define METRICS_CODE_MIN 100
#define METRICS_CODE_MAX 599
#define METRICS_CODES (METRICS_CODE_MAX - METRICS_CODE_MIN + 1)

static const char *const metrics_channels[] = {
	"web", "api", "email", "staff", "other",
};
#define METRICS_CHANNELS \
	(sizeof(metrics_channels) / sizeof(metrics_channels[0]))

/* Indexed by enum intake_status, then the duplicate outcome. */
static const char *const metrics_outcomes[] = {
	"stored", "invalid", "too_large", "bad_type", "transient", "failed",
	"duplicate",
};
#define METRICS_OUTCOMES \
	(sizeof(metrics_outcomes) / sizeof(metrics_outcomes[0]))
#define METRICS_OUTCOME_DUPLICATE (METRICS_OUTCOMES - 1)

static const char *const metrics_refusals[METRICS_REFUSED_COUNT] = {
	[METRICS_REFUSED_MALFORMED] = "malformed",
	[METRICS_REFUSED_METHOD] = "method",
	[METRICS_REFUSED_CHUNKED] = "chunked",
	[METRICS_REFUSED_TOO_LARGE] = "too_large",
	[METRICS_REFUSED_URI_TOO_LONG] = "uri_too_long",
	[METRICS_REFUSED_HEAD_TOO_LARGE] = "head_too_large",
	[METRICS_REFUSED_VERSION] = "version",
	[METRICS_REFUSED_BUDGET] = "inflight_budget",
	[METRICS_REFUSED_CONNECTIONS] = "connection_cap",
	[METRICS_REFUSED_NOMEM] = "out_of_memory",
	[METRICS_REFUSED_DEADLINE] = "deadline",
	[METRICS_REFUSED_RATE_LIMIT] = "rate_limit",
};

static const char *const metrics_routes[METRICS_ROUTE_COUNT] = {
	[METRICS_ROUTE_HEALTH] = "health",
	[METRICS_ROUTE_PUBLIC] = "public",
	[METRICS_ROUTE_SUBMIT] = "submit",
	[METRICS_ROUTE_API] = "api",
	[METRICS_ROUTE_STAFF] = "staff",
	[METRICS_ROUTE_METRICS] = "metrics",
	[METRICS_ROUTE_OTHER] = "other",
};

/* Upper bounds of the latency buckets, in microseconds and as printed. */
static const uint64_t metrics_bucket_us[] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};
static const char *const metrics_bucket_le[] = {
	"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
	"0.25", "0.5", "1", "2.5", "5", "10",
};
#define METRICS_BUCKETS \
	(sizeof(metrics_bucket_us) / sizeof(metrics_bucket_us[0]))

/* The statuses of tips (storage/schema.c), in the order shown. */
static const char *const metrics_tip_statuses[METRICS_TIP_STATUSES] = {
	"received", "triaged", "verifying", "filed", "not_filed",
	"transferred", "invalid", "closed",
};

static _Atomic uint64_t metrics_tips[METRICS_CHANNELS][METRICS_OUTCOMES];
static _Atomic uint64_t metrics_refused_n[METRICS_REFUSED_COUNT];
static _Atomic uint64_t metrics_http_codes[METRICS_CODES];
static _Atomic uint64_t metrics_lmtp_codes[METRICS_CODES];
/* Per route class: one count per bucket (not cumulative; the last slot
 * is over the largest bound), the count and the sum in microseconds. */
static _Atomic uint64_t metrics_hist[METRICS_ROUTE_COUNT][METRICS_BUCKETS + 1];
static _Atomic uint64_t metrics_hist_count[METRICS_ROUTE_COUNT];
static _Atomic uint64_t metrics_hist_sum_us[METRICS_ROUTE_COUNT];

static void
metrics_add(_Atomic uint64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static uint64_t
metrics_get(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum metrics_route
metrics_route_class(const char *route)
{
	if (route == NULL || route[0] != '/')
		return METRICS_ROUTE_OTHER;
	if (strcmp(route, "/healthz") == 0)
		return METRICS_ROUTE_HEALTH;
	if (strcmp(route, "/metrics") == 0)
		return METRICS_ROUTE_METRICS;
	if (strcmp(route, "/tips") == 0 || strcmp(route, "/api/v1/tips") == 0 ||
	    strcmp(route, "/api/v1/mail") == 0)
		return METRICS_ROUTE_SUBMIT;
	if (has_prefix(route, "/staff") || has_prefix(route, "/api/v1/staff") ||
	    has_prefix(route, "/api/v1/session"))
		return METRICS_ROUTE_STAFF;
	if (has_prefix(route, "/api/"))
		return METRICS_ROUTE_API;
	return METRICS_ROUTE_PUBLIC;
}

void
metrics_http_reply(enum metrics_route route, int status, uint64_t ns)
{
	uint64_t us = ns / 1000;
	size_t b = 0;

	if ((unsigned)route >= METRICS_ROUTE_COUNT)
		route = METRICS_ROUTE_OTHER;
	if (status >= METRICS_CODE_MIN && status <= METRICS_CODE_MAX)
		metrics_add(&metrics_http_codes[status - METRICS_CODE_MIN]);
	while (b < METRICS_BUCKETS && us > metrics_bucket_us[b])
		b++;
	metrics_add(&metrics_hist[route][b]);
	metrics_add(&metrics_hist_count[route]);
	atomic_fetch_add_explicit(&metrics_hist_sum_us[route], us,
	    memory_order_relaxed);
}

void
metrics_refused(enum metrics_refusal reason)
{
	if ((unsigned)reason < METRICS_REFUSED_COUNT)
		metrics_add(&metrics_refused_n[reason]);
}

void
metrics_intake(const char *channel, const struct intake_result *res)
{
	size_t c = 0, o;

	while (c + 1 < METRICS_CHANNELS && (channel == NULL ||
	    strcmp(channel, metrics_channels[c]) != 0))
		c++;
	if (res->status == INTAKE_OK && res->duplicate)
		o = METRICS_OUTCOME_DUPLICATE;
	else if ((size_t)res->status < METRICS_OUTCOME_DUPLICATE)
		o = (size_t)res->status;
	else
		o = (size_t)INTAKE_FAILED;
	metrics_add(&metrics_tips[c][o]);
}

void
metrics_lmtp_reply(const char *line, size_t len)
{
	int code;

	if (len < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9')
		return;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	metrics_add(&metrics_lmtp_codes[code - METRICS_CODE_MIN]);
}

static void
metrics_db_status(void *arg, const char *status, int64_t count)
{
	struct metrics_db *out = arg;

	for (size_t i = 0; i < METRICS_TIP_STATUSES; i++)
		if (strcmp(status, metrics_tip_statuses[i]) == 0)
			out->tips[i] = count;
}

void
metrics_read_db(struct service_worker *w, struct metrics_db *out)
{
	enum storage_status st;

	memset(out, 0, sizeof(*out));
	st = metrics_store_queues(w->db, metrics_db_status, out,
	    &out->outbox_pending);
	if (st != STORAGE_OK) {
		log_warnx("metrics: cannot read the queue depths: %s",
		    storage_status_str(st));
		memset(out, 0, sizeof(*out));
		return;
	}
	out->ok = true;
}

/* One "# HELP" and "# TYPE" pair. */
static void
metrics_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The series of a per-code counter that are not zero. */
static void
metrics_put_codes(FILE *f, const char *name, _Atomic uint64_t *codes)
{
	for (int i = 0; i < METRICS_CODES; i++) {
		uint64_t v = metrics_get(&codes[i]);

		if (v > 0)
			fprintf(f, "%s{code=\"%d\"} %llu\n", name,
			    i + METRICS_CODE_MIN, (unsigned long long)v);
	}
}

static void
metrics_put_histogram(FILE *f)
{
	const char *name = "tipline_http_request_duration_seconds";

	metrics_head(f, name, "histogram", "Time from dispatch to reply of "
	    "HTTP requests, by route class.");
	for (size_t r = 0; r < METRICS_ROUTE_COUNT; r++) {
		uint64_t cum = 0, sum_us;

		for (size_t b = 0; b < METRICS_BUCKETS; b++) {
			cum += metrics_get(&metrics_hist[r][b]);
			fprintf(f, "%s_bucket{route=\"%s\",le=\"%s\"} %llu\n",
			    name, metrics_routes[r], metrics_bucket_le[b],
			    (unsigned long long)cum);
		}
		cum += metrics_get(&metrics_hist[r][METRICS_BUCKETS]);
		sum_us = metrics_get(&metrics_hist_sum_us[r]);
		/* The count is the +Inf bucket: one read keeps them equal. */
		fprintf(f, "%s_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
		    "%s_sum{route=\"%s\"} %llu.%06llu\n"
		    "%s_count{route=\"%s\"} %llu\n",
		    name, metrics_routes[r], (unsigned long long)cum,
		    name, metrics_routes[r],
		    (unsigned long long)(sum_us / 1000000),
		    (unsigned long long)(sum_us % 1000000),
		    name, metrics_routes[r], (unsigned long long)cum);
	}
}

char *
metrics_render(const struct metrics_db *db, const struct metrics_live *live,
    size_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (f == NULL)
		return NULL;
	metrics_head(f, "tipline_tips_total", "counter", "Tips through "
	    "intake, by door (channel) and outcome.");
	for (size_t c = 0; c < METRICS_CHANNELS; c++)
		for (size_t o = 0; o < METRICS_OUTCOMES; o++)
			fprintf(f, "tipline_tips_total{channel=\"%s\","
			    "outcome=\"%s\"} %llu\n", metrics_channels[c],
			    metrics_outcomes[o],
			    (unsigned long long)metrics_get(
			    &metrics_tips[c][o]));
	metrics_head(f, "tipline_refusals_total", "counter", "Requests "
	    "refused before a route saw them, and rate-limited ones, by "
	    "reason.");
	for (size_t i = 0; i < METRICS_REFUSED_COUNT; i++)
		fprintf(f, "tipline_refusals_total{reason=\"%s\"} %llu\n",
		    metrics_refusals[i],
		    (unsigned long long)metrics_get(&metrics_refused_n[i]));
	metrics_head(f, "tipline_http_responses_total", "counter", "HTTP "
	    "answers by status code.");
	metrics_put_codes(f, "tipline_http_responses_total",
	    metrics_http_codes);
	metrics_head(f, "tipline_lmtp_replies_total", "counter", "LMTP reply "
	    "lines by code.");
	metrics_put_codes(f, "tipline_lmtp_replies_total", metrics_lmtp_codes);
	metrics_put_histogram(f);
	if (db->ok) {
		metrics_head(f, "tipline_tips", "gauge", "Stored tips by "
		    "status (the queues).");
		for (size_t i = 0; i < METRICS_TIP_STATUSES; i++)
			fprintf(f, "tipline_tips{status=\"%s\"} %lld\n",
			    metrics_tip_statuses[i], (long long)db->tips[i]);
		metrics_head(f, "tipline_outbox_pending", "gauge",
		    "Acknowledgements waiting to be sent.");
		fprintf(f, "tipline_outbox_pending %lld\n",
		    (long long)db->outbox_pending);
	}
	metrics_head(f, "tipline_inflight_bytes", "gauge", "Request bytes "
	    "held in memory (HTTP bodies and LMTP messages).");
	fprintf(f, "tipline_inflight_bytes %llu\n",
	    (unsigned long long)live->inflight_bytes);
	metrics_head(f, "tipline_inflight_budget_bytes", "gauge", "The "
	    "in-flight budget (inflight_max_mb).");
	fprintf(f, "tipline_inflight_budget_bytes %llu\n",
	    (unsigned long long)live->inflight_max);
	metrics_head(f, "tipline_worker_jobs", "gauge", "Jobs handed to the "
	    "worker pool and not answered yet (queued or running).");
	fprintf(f, "tipline_worker_jobs %zu\n", live->worker_jobs);
	metrics_head(f, "tipline_workers", "gauge", "Threads in the worker "
	    "pool.");
	fprintf(f, "tipline_workers %d\n", live->workers);
	metrics_head(f, "tipline_http_connections", "gauge", "Open HTTP "
	    "connections.");
	fprintf(f, "tipline_http_connections %zu\n", live->http_connections);
	if (ferror(f) != 0) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*len = n;
	return text;
}
