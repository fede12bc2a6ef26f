/* SPDX-License-Identifier: MIT */
/*
 * malloc settings for serve (see memory.h).
 */
#include "service/memory.h"

#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "service/log.h"
#include "service/sched_tune.h"

/* The prefault thread's queue (memory_prefault()). */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started;
	size_t head, n;
	struct {
		uintptr_t start;
		size_t len;
	} q[MEMORY_PREFAULT_QUEUE];
} prefault = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
    false, 0, 0, { { 0, 0 } } };

/*
 * Fault each queued range in, MEMORY_PREFAULT_CHUNK at a time, at the
 * workers' low priority.  The range may have been freed and its addresses
 * reused meanwhile: MADV_POPULATE_WRITE only faults pages in (it writes
 * nothing), so the worst is a wasted call that fails or faults in pages of
 * another live mapping.
 */
static void *
memory_prefault_main(void *arg)
{
	(void)arg;
	sched_tune_worker();
	for (;;) {
		uintptr_t start;
		size_t len;

		pthread_mutex_lock(&prefault.mu);
		while (prefault.n == 0)
			pthread_cond_wait(&prefault.cv, &prefault.mu);
		start = prefault.q[prefault.head].start;
		len = prefault.q[prefault.head].len;
		prefault.head = (prefault.head + 1) % MEMORY_PREFAULT_QUEUE;
		prefault.n--;
		pthread_mutex_unlock(&prefault.mu);
		for (size_t off = 0; off < len; off += MEMORY_PREFAULT_CHUNK) {
			size_t n = len - off < MEMORY_PREFAULT_CHUNK ?
			    len - off : MEMORY_PREFAULT_CHUNK;

			if (madvise((void *)(start + off), n,
			    MADV_POPULATE_WRITE) != 0)
				break;
		}
	}
	return NULL;
}

void
memory_tune(void)
{
	pthread_t t;

	/* Fixed, so glibc does not raise it as blocks are freed. */
	if (mallopt(M_MMAP_THRESHOLD, MEMORY_MMAP_THRESHOLD) != 1)
		log_warnx("malloc: cannot set M_MMAP_THRESHOLD");
	pthread_mutex_lock(&prefault.mu);
	if (!prefault.started && pthread_create(&t, NULL,
	    memory_prefault_main, NULL) == 0) {
		pthread_detach(t);
		prefault.started = true;
	}
	pthread_mutex_unlock(&prefault.mu);
}

void
memory_prefault(void *p, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start, end;

	if (p == NULL || len < MEMORY_PREFAULT_MIN || page <= 0)
		return;
	/* Whole pages inside the block, as memory_free_large(). */
	start = ((uintptr_t)p + (uintptr_t)page - 1) &
	    ~((uintptr_t)page - 1);
	end = ((uintptr_t)p + len) & ~((uintptr_t)page - 1);
	if (end <= start)
		return;
	pthread_mutex_lock(&prefault.mu);
	if (prefault.started && prefault.n < MEMORY_PREFAULT_QUEUE) {
		size_t i = (prefault.head + prefault.n) %
		    MEMORY_PREFAULT_QUEUE;

		prefault.q[i].start = start;
		prefault.q[i].len = end - start;
		prefault.n++;
		pthread_cond_signal(&prefault.cv);
	}
	pthread_mutex_unlock(&prefault.mu);
}

void
memory_free_large(void *p, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);

	if (p != NULL && len >= MEMORY_MMAP_THRESHOLD && page > 0) {
		uintptr_t start = ((uintptr_t)p + (uintptr_t)page - 1) &
		    ~((uintptr_t)page - 1);
		uintptr_t end = ((uintptr_t)p + len) & ~((uintptr_t)page - 1);

		/* Whole pages inside the block only: malloc's own header
		 * before p is left alone.  Failure is harmless. */
		if (end > start)
			(void)madvise((void *)start, end - start,
			    MADV_DONTNEED);
	}
	free(p);
}
