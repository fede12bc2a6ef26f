/* SPDX-License-Identifier: MIT */
/*
 * GET /metrics: the counters and gauges of service/metrics.h in the
 * Prometheus text format (Content-Type text/plain; version=0.0.4).
 *
 * Who may read it: a peer on the loopback interface (127.0.0.0/8, ::1,
 * ::ffff:127.0.0.0/104; the Prometheus agent on the same host) whose
 * request carries no Forwarded, X-Forwarded-For or X-Real-IP header (a
 * reverse proxy on the same host is loopback too, and must not turn the
 * whole internet into a local peer), or a logged-in admin or auditor
 * (session cookie, no pending forced password change).  Everyone else
 * gets the 404 every unknown path gets: the page does not exist for them.
 *
 * The request becomes one worker job, which checks the session when the
 * peer is not local and reads the queue depths (one aggregate query);
 * the loop thread then adds its own numbers and answers.  A request from
 * elsewhere without a session cookie is answered 404 at once.  Not
 * audited: it shows no tip and no person, and a scraper reads it every
 * few seconds.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/http.h>
#include <sodium.h>

#include "handlers/http_cookie.h"
#include "handlers/http_guard.h"
#include "handlers/http_routes.h"
#include "handlers/http_staff.h"
#include "service/config.h"
#include "service/metrics.h"
#include "service/staff.h"
#include "service/staff_session.h"
#include "service/workers.h"

struct metrics_job {
	struct http_req *r;
	bool local;			/* a loopback peer, not proxied */
	char token[STAFF_TOKEN_HEX + 1];	/* the session cookie, or "" */
	bool allowed;			/* written by the worker */
	struct metrics_db db;
};

/* Whether the text address is a loopback one (v4, v6, v4-mapped). */
static bool
is_loopback_address(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (addr == NULL)
		return false;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return false;
}

/* A loopback peer whose request did not come through a proxy. */
static bool
is_local_request(struct http_req *r)
{
	struct evhttp_connection *evcon;
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (r->req == NULL ||
	    (evcon = evhttp_request_get_connection(r->req)) == NULL)
		return false;
	if (http_req_header(r, "Forwarded") != NULL ||
	    http_req_header(r, "X-Forwarded-For") != NULL ||
	    http_req_header(r, "X-Real-IP") != NULL)
		return false;
	evhttp_connection_get_peer(evcon, &addr, &port);
	return is_loopback_address(addr);
}

static void
metrics_not_found(struct http_req *r)
{
	/* Word for word the router's answer to an unknown path. */
	http_reply_error(r, 404, "not_found", "no such page", NULL);
}

/* Worker: who is asking, then the database's part. */
static void
metrics_work(void *state, void *arg)
{
	struct service_worker *w = state;
	struct metrics_job *j = arg;

	if (!j->local) {
		struct staff_user u;

		memset(&u, 0, sizeof(u));
		j->allowed = staff_session_resolve(w, j->token,
		    (int64_t)time(NULL), &u) == STAFF_OK && !u.must_change &&
		    staff_user_has_role(&u, STAFF_ROLES_AUDIT);
		sodium_memzero(&u, sizeof(u));
		if (!j->allowed)
			return;
	}
	j->allowed = true;
	metrics_read_db(w, &j->db);
}

/* Loop thread: the live numbers, then the answer. */
static void
metrics_done(void *arg)
{
	struct metrics_job *j = arg;
	struct http_req *r = j->r;
	const struct http_server_env *env = http_server_env(r->srv);
	const struct http_budget *b = http_server_budget(r->srv);
	struct metrics_live live;
	size_t len = 0;
	char *text;

	sodium_memzero(j->token, sizeof(j->token));
	if (!j->allowed) {
		free(j);
		metrics_not_found(r);
		return;
	}
	memset(&live, 0, sizeof(live));
	live.inflight_bytes = b != NULL ? b->used : 0;
	live.inflight_max = b != NULL ? b->max : env->cfg->inflight_max;
	live.worker_jobs = workers_pending(env->workers);
	live.workers = env->cfg->workers;
	live.http_connections = http_guard_connections();
	text = metrics_render(&j->db, &live, &len);
	free(j);
	if (text == NULL) {
		http_req_add_header(r, "Retry-After", "5");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
	    len);
	free(text);
}

void
http_metrics_get(struct http_req *r)
{
	const struct http_server_env *env = http_server_env(r->srv);
	const char *cookie = http_req_header(r, "Cookie");
	struct metrics_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		http_req_add_header(r, "Retry-After", "5");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	j->r = r;
	j->local = is_local_request(r);
	if (!j->local && (cookie == NULL || !http_cookie_get(cookie,
	    HTTP_STAFF_COOKIE, j->token, sizeof(j->token)))) {
		free(j);
		metrics_not_found(r);
		return;
	}
	if (workers_submit(env->workers, metrics_work, metrics_done, j) == 0) {
		sodium_memzero(j->token, sizeof(j->token));
		free(j);
		http_req_add_header(r, "Retry-After", "5");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
	}
}
