/* SPDX-License-Identifier: MIT */
/*
 * How serve's threads ask Linux's scheduler for what they need: the loop
 * thread answers within milliseconds while the workers burn the CPU on
 * hashing and encryption (README, "HTTP intake").
 *
 * Linux 6.6 and later schedule fair tasks by EEVDF: a task that wakes
 * runs at once only if its virtual deadline comes before the running
 * task's, and by default the running task keeps the CPU until its slice
 * (about 3 ms on 2 cores) ends.  Since Linux 6.12 a thread may ask for a
 * shorter slice (sched_attr.sched_runtime of a SCHED_OTHER thread), which
 * gives it the earlier deadline and lets it preempt on waking: the loop
 * thread asks for SCHED_TUNE_LOOP_SLICE_NS.  Workers run as SCHED_BATCH
 * (never preempting on waking) at nice SCHED_TUNE_WORKER_NICE, so their
 * weight is a tenth of the loop's.  Older kernels ignore the slice;
 * every failure is harmless and changes nothing else.
 */
#ifndef SERVICE_SCHED_TUNE_H
#define SERVICE_SCHED_TUNE_H

#define SCHED_TUNE_LOOP_SLICE_NS	300000ull	/* 0.3 ms */
#define SCHED_TUNE_LOOP_NICE		(-10)	/* when allowed, else 0 */
#define SCHED_TUNE_WORKER_NICE		10

/* The calling thread is the event loop: a short slice. */
void sched_tune_loop(void);

/* The calling thread is a worker: SCHED_BATCH at SCHED_TUNE_WORKER_NICE. */
void sched_tune_worker(void);

#endif
