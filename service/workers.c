/* SPDX-License-Identifier: MIT */
/*
 * A pthread worker pool handing results back to a libevent loop.
 *
 * Two queues under one mutex: `todo` (submitted, not started) and `finished`
 * (work done, done() not yet run).  Workers wait on a condition variable for
 * todo; a finished job is appended to `finished` and the loop is woken with
 * event_active() on one internal event (thread-safe once libevent's pthread
 * locking is on).  The loop's callback takes the whole finished list at
 * once and runs each done() outside the lock.
 */
#include "service/workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "service/log.h"
#include "service/sched_tune.h"


struct workers_job {
	uint64_t id;
	workers_work_fn work;
	workers_done_fn done;
	void *arg;
	struct workers_job *next;
};

struct workers_thread {
	struct workers *pool;
	pthread_t tid;
	bool started;
	int init_rc;
	bool init_done;
};

struct workers {
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* todo non-empty, stopping, or init */
	struct workers_job *todo_head, *todo_tail;
	struct workers_job *fin_head, *fin_tail;
	struct event *wake;
	bool stopping;
	size_t pending;			/* loop thread only */
	uint64_t next_id;
	workers_init_fn init;
	workers_fini_fn fini;
	void *shared;
	int nthreads;
	struct workers_thread *threads;
};

static void *
workers_main(void *arg)
{
	struct workers_thread *t = arg;
	struct workers *w = t->pool;
	void *state = NULL;
	int rc;

	/*
	 * Workers yield the CPU to the loop thread: on a small machine with
	 * every worker busy encrypting, the loop must still answer within
	 * milliseconds (a Linux thread's scheduling is its own).
	 */
	sched_tune_worker();
	rc = w->init != NULL ? w->init(w->shared, &state) : 0;

	pthread_mutex_lock(&w->mu);
	t->init_rc = rc;
	t->init_done = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (rc != 0)
		return NULL;

	for (;;) {
		struct workers_job *j;

		pthread_mutex_lock(&w->mu);
		while (w->todo_head == NULL && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->todo_head == NULL) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		j = w->todo_head;
		w->todo_head = j->next;
		if (w->todo_head == NULL)
			w->todo_tail = NULL;
		pthread_mutex_unlock(&w->mu);

		j->work(state, j->arg);

		pthread_mutex_lock(&w->mu);
		j->next = NULL;
		if (w->fin_tail != NULL)
			w->fin_tail->next = j;
		else
			w->fin_head = j;
		w->fin_tail = j;
		pthread_mutex_unlock(&w->mu);
		event_active(w->wake, EV_READ, 0);
	}
	if (w->fini != NULL)
		w->fini(w->shared, state);
	return NULL;
}

/* Loop thread: run done() of every finished job. */
static void
workers_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct workers *w = arg;
	struct workers_job *j, *next;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&w->mu);
	j = w->fin_head;
	w->fin_head = w->fin_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	for (; j != NULL; j = next) {
		next = j->next;
		w->pending--;
		if (j->done != NULL)
			j->done(j->arg);
		free(j);
	}
}

static void
workers_stop_threads(struct workers *w)
{
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (int i = 0; i < w->nthreads; i++)
		if (w->threads[i].started)
			pthread_join(w->threads[i].tid, NULL);
}

struct workers *
workers_new(struct event_base *base, int n, workers_init_fn init,
    workers_fini_fn fini, void *shared)
{
	struct workers *w;
	bool failed = false;

	if (n < 1 || (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->init = init;
	w->fini = fini;
	w->shared = shared;
	w->nthreads = n;
	w->next_id = 1;
	w->threads = calloc((size_t)n, sizeof(*w->threads));
	w->wake = event_new(base, -1, 0, workers_wake_cb, w);
	if (w->threads == NULL || w->wake == NULL) {
		failed = true;
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		w->threads[i].pool = w;
		if (pthread_create(&w->threads[i].tid, NULL, workers_main,
		    &w->threads[i]) != 0) {
			log_warnx("workers: cannot start thread %d", i);
			failed = true;
			break;
		}
		w->threads[i].started = true;
	}
	/* Wait for every thread's init so that start-up fails cleanly. */
	pthread_mutex_lock(&w->mu);
	for (int i = 0; i < n; i++) {
		if (!w->threads[i].started)
			continue;
		while (!w->threads[i].init_done)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->threads[i].init_rc != 0)
			failed = true;
	}
	pthread_mutex_unlock(&w->mu);
	if (failed) {
		workers_free(&w);
		return NULL;
	}
	return w;
}

uint64_t
workers_submit(struct workers *w, workers_work_fn work, workers_done_fn done,
    void *arg)
{
	struct workers_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return 0;
	j->work = work;
	j->done = done;
	j->arg = arg;
	j->id = w->next_id++;
	w->pending++;
	pthread_mutex_lock(&w->mu);
	if (w->todo_tail != NULL)
		w->todo_tail->next = j;
	else
		w->todo_head = j;
	w->todo_tail = j;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return j->id;
}

size_t
workers_pending(const struct workers *w)
{
	return w == NULL ? 0 : w->pending;
}

int
workers_run_inline(workers_init_fn init, workers_fini_fn fini, void *shared,
    workers_work_fn work, void *job)
{
	void *state = NULL;

	if (init != NULL && init(shared, &state) != 0)
		return -1;
	work(state, job);
	if (fini != NULL)
		fini(shared, state);
	return 0;
}

void
workers_free(struct workers **wp)
{
	struct workers *w;

	if (wp == NULL || (w = *wp) == NULL)
		return;
	if (w->threads != NULL)
		workers_stop_threads(w);
	/* Threads are gone: run what finished but was not handed back yet. */
	if (w->wake != NULL) {
		workers_wake_cb(-1, 0, w);
		event_free(w->wake);
	}
	free(w->threads);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
	*wp = NULL;
}
