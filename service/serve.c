/* SPDX-License-Identifier: MIT */
/*
 * `tipline serve` (see serve.h).
 *
 * Shutdown: the first SIGTERM or SIGINT stops the listeners; a timer then
 * checks every 50 ms until no request is waiting for a reply and no worker
 * job is unfinished, and ends the loop.  In-flight work is never cut off
 * unless it outlives SERVE_DRAIN_MAX_SEC.
 */
#include "service/serve.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "handlers/http_guard.h"
#include "handlers/http_server.h"
#include "handlers/lmtp_server.h"
#include "service/datadir.h"
#include "service/log.h"
#include "service/memory.h"
#include "service/outbox_sender.h"
#include "service/sched_tune.h"
#include "service/service.h"
#include "service/workers.h"

#define SERVE_DRAIN_MAX_SEC 60

struct serve_state {
	struct event_base *base;
	struct http_server *http;
	struct lmtp_server *lmtp;
	/* The in-flight byte budget HTTP bodies and LMTP messages share. */
	struct http_budget budget;
	struct workers *workers;
	struct outbox_sender *outbox;	/* NULL: no sendmail_command */
	struct event *sig_term, *sig_int, *drain;
	time_t drain_started;
};

static void
serve_drain_check(evutil_socket_t fd, short what, void *arg)
{
	struct serve_state *s = arg;
	struct timeval tick = { 0, 50 * 1000 };

	(void)fd;
	(void)what;
	if (http_server_active(s->http) == 0 &&
	    lmtp_server_active(s->lmtp) == 0 &&
	    workers_pending(s->workers) == 0) {
		event_base_loopbreak(s->base);
		return;
	}
	if (time(NULL) - s->drain_started > SERVE_DRAIN_MAX_SEC) {
		log_warnx("shutdown: giving up on %zu requests and %zu jobs",
		    http_server_active(s->http), workers_pending(s->workers));
		event_base_loopbreak(s->base);
		return;
	}
	evtimer_add(s->drain, &tick);
}

static void
serve_signal(evutil_socket_t sig, short what, void *arg)
{
	struct serve_state *s = arg;

	(void)what;
	if (s->drain_started != 0)
		return;
	log_info("shutdown signal=%d draining requests=%zu lmtp=%zu jobs=%zu",
	    (int)sig, http_server_active(s->http), lmtp_server_active(s->lmtp),
	    workers_pending(s->workers));
	s->drain_started = time(NULL);
	http_server_stop_accepting(s->http);
	lmtp_server_stop_accepting(s->lmtp);
	serve_drain_check(-1, 0, s);
}

/*
 * The start-up sweep, with the writers' lock held exclusive: an
 * `ingest-mail` still writing finishes first, and a new one waits.
 */
static int
serve_sweep(const struct config *cfg, struct service *svc, char *err,
    size_t errlen)
{
	int fd, rc;

	if ((fd = service_writer_lock(cfg, true, err, errlen)) == -1)
		return -1;
	rc = service_sweep(svc, err, errlen);
	close(fd);
	return rc;
}

int
serve_main(struct config *cfg, const struct options *o)
{
	struct serve_state s;
	struct service *svc = NULL;
	struct http_server_env env;
	struct lmtp_server_env lenv;
	char lbound[300];
	char err[CONFIG_ERR_MAX], bound[300], host[256];
	const char *http_listen = o->http ? o->http : cfg->http_listen;
	const char *lmtp_listen = o->lmtp ? o->lmtp : cfg->lmtp_listen;
	uint16_t port;
	int rc = 1, lock_fd = -1;

	memset(&s, 0, sizeof(s));
	if (config_split_listen(http_listen, host, sizeof(host), &port) != 0 ||
	    config_split_listen(lmtp_listen, host, sizeof(host), &port) != 0) {
		fprintf(stderr, "tipline: bad listen address (want ADDR:PORT)\n");
		return 1;
	}
	if (!service_is_initialised(cfg)) {
		if (datadir_init(cfg, stdout, err, sizeof(err)) < 0) {
			fprintf(stderr, "tipline: %s\n", err);
			return 1;
		}
	}
	/* One serve per data dir; the sweep below must not race another. */
	if ((lock_fd = service_lock(cfg, err, sizeof(err))) == -1 ||
	    service_open(cfg, &svc, err, sizeof(err)) != 0 ||
	    service_check_key(svc, err, sizeof(err)) != 0 ||
	    serve_sweep(cfg, svc, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: %s\n", err);
		goto out;
	}

	signal(SIGPIPE, SIG_IGN);
	memory_tune();
	sched_tune_loop();	/* workers set their own (sched_tune_worker) */
	if (evthread_use_pthreads() != 0 ||
	    (s.base = event_base_new()) == NULL) {
		fprintf(stderr, "tipline: cannot start the event loop\n");
		goto out;
	}
	s.workers = workers_new(s.base, cfg->workers, service_worker_init,
	    service_worker_fini, svc);
	if (s.workers == NULL) {
		fprintf(stderr, "tipline: cannot start %d workers\n",
		    cfg->workers);
		goto out;
	}
	env.base = s.base;
	env.cfg = cfg;
	env.svc = svc;
	env.workers = s.workers;
	s.budget.max = cfg->inflight_max;
	env.budget = &s.budget;
	s.http = http_server_start(&env, http_listen, bound, sizeof(bound),
	    err, sizeof(err));
	if (s.http == NULL) {
		fprintf(stderr, "tipline: %s\n", err);
		goto out;
	}
	/*
	 * Ignored underneath libevent's handlers, which put back what they
	 * found when they are freed: a second SIGTERM or SIGINT (systemd
	 * repeating its stop, an impatient Ctrl-C) that arrives after the
	 * loop has ended, while the pool and the store close, then finds
	 * SIG_IGN rather than the default that would end the process with
	 * that signal instead of exit 0.  The first one still drains.
	 */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	s.sig_term = evsignal_new(s.base, SIGTERM, serve_signal, &s);
	s.sig_int = evsignal_new(s.base, SIGINT, serve_signal, &s);
	s.drain = evtimer_new(s.base, serve_drain_check, &s);
	if (s.sig_term == NULL || s.sig_int == NULL || s.drain == NULL ||
	    evsignal_add(s.sig_term, NULL) != 0 ||
	    evsignal_add(s.sig_int, NULL) != 0) {
		fprintf(stderr, "tipline: cannot set up signal handling\n");
		goto out;
	}
	memset(&lenv, 0, sizeof(lenv));
	lenv.base = s.base;
	lenv.cfg = cfg;
	lenv.workers = s.workers;
	lenv.budget = &s.budget;
	s.lmtp = lmtp_server_start(&lenv, lmtp_listen, lbound, sizeof(lbound),
	    err, sizeof(err));
	if (s.lmtp == NULL) {
		fprintf(stderr, "tipline: %s\n", err);
		goto out;
	}
	if (outbox_sender_start(svc, &s.outbox, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: %s\n", err);
		goto out;
	}
	log_info("listening http=%s", bound);
	log_info("listening lmtp=%s", lbound);
	log_info("started data=%s workers=%d", cfg->data_dir, cfg->workers);
	event_base_dispatch(s.base);
	log_info("stopped");
	rc = 0;
out:
	outbox_sender_stop(&s.outbox);
	workers_free(&s.workers);
	/* After the pool: its last completions (after a drain that timed out)
	 * still reply through the servers. */
	lmtp_server_free(&s.lmtp);
	http_server_free(&s.http);
	if (s.sig_term != NULL)
		event_free(s.sig_term);
	if (s.sig_int != NULL)
		event_free(s.sig_int);
	if (s.drain != NULL)
		event_free(s.drain);
	if (s.base != NULL)
		event_base_free(s.base);
	service_close(&svc);
	if (lock_fd != -1)
		close(lock_fd);
	return rc;
}
