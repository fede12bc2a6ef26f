/* SPDX-License-Identifier: MIT */
/*
 * The worker pool: a fixed number of threads for every job that can block
 * (MIME parsing, libmagic, encryption, fsync, SQLite writes, Argon2id).
 * A job's work() runs on a worker with that worker's own state (its own
 * database connection and libmagic cookie); its done() then runs on the
 * event-loop thread, which writes the reply.  The loop never waits on a job.
 *
 * Jobs are queued without a bound here; callers bound them (the in-flight
 * byte budget, connection caps).  Jobs carry an id; workers_pending() and
 * the drain at shutdown see every job through to its done().
 */
#ifndef SERVICE_WORKERS_H
#define SERVICE_WORKERS_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct workers;

/* Per-thread set-up and tear-down; init returns 0 or -1 (start fails). */
typedef int (*workers_init_fn)(void *shared, void **state);
typedef void (*workers_fini_fn)(void *shared, void *state);
/* A job's two halves. */
typedef void (*workers_work_fn)(void *state, void *job);
typedef void (*workers_done_fn)(void *job);

/*
 * Start n threads.  init runs on each new thread before it takes jobs; if
 * any init fails, every started thread is stopped and NULL returned.
 * evthread_use_pthreads() must have been called before base was made.
 */
struct workers *workers_new(struct event_base *base, int n,
    workers_init_fn init, workers_fini_fn fini, void *shared);

/*
 * Queue a job.  work(state, job) runs on a worker, then done(job) on the
 * loop thread.  Returns the job id (> 0), or 0 if out of memory (then
 * nothing runs and the caller still owns job).
 */
uint64_t workers_submit(struct workers *w, workers_work_fn work,
    workers_done_fn done, void *job);

/* Jobs submitted whose done() has not run yet (loop thread). */
size_t workers_pending(const struct workers *w);

/*
 * Run a job synchronously on the calling thread with a fresh state from
 * init/fini (for commands without a loop: verify, ingest-mail).
 */
int workers_run_inline(workers_init_fn init, workers_fini_fn fini,
    void *shared, workers_work_fn work, void *job);

/*
 * Stop the threads after the queue empties, and free the pool.  Call from
 * the loop thread after workers_pending() reached 0 (any done() still
 * unrun is run here).  Accepts NULL; NULLs *w.
 */
void workers_free(struct workers **w);

#endif
