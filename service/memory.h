/* SPDX-License-Identifier: MIT */
/*
 * How serve uses glibc's malloc (service/memory.c): a request body is one
 * allocation of its Content-Length (handlers/http_guard.c), of up to
 * tip_max_mb or mail_max_mb.  Such large blocks must be mappings of their
 * own, whose pages go back to the system the moment they are freed, so
 * that the process holds what the in-flight budget counts and no more.
 *
 * glibc maps blocks over M_MMAP_THRESHOLD (128 KiB) by default, but raises
 * the threshold to the size of each mapped block freed (up to 32 MiB):
 * after the first upload, bodies of that size or less would come from the
 * heaps of the threads' arenas, where freed memory stays resident and
 * fragments.  Setting the threshold explicitly turns that off.
 */
#ifndef SERVICE_MEMORY_H
#define SERVICE_MEMORY_H

#include <stddef.h>

/* Blocks from this size up are mapped, never taken from an arena. */
#define MEMORY_MMAP_THRESHOLD (256 * 1024)

/* Set malloc up for serve and start the prefault thread; before any
 * other thread starts.  Never fails (an unknown option leaves glibc's
 * default; without the thread memory_prefault() does nothing). */
void memory_tune(void);

#define MEMORY_PREFAULT_MIN	(1u << 20)	/* smaller: not worth it */
#define MEMORY_PREFAULT_CHUNK	(256u << 10)
#define MEMORY_PREFAULT_QUEUE	64		/* ranges waiting; more: skipped */

/*
 * Have a background thread fault in the pages of p[0..len), a body just
 * allocated (from MEMORY_PREFAULT_MIN bytes), while its bytes arrive on
 * the loop thread.  Each fresh 4 KiB page otherwise costs the loop a fault
 * and a clearing inside recv(): about a third of its time while 8 uploads
 * of 20 MiB arrived (perf: recv() of 128 KiB at a median of 0.47 ms).  The
 * thread runs at the workers' low priority (sched_tune_worker()), so the
 * cost moves off the loop; a page the loop reaches first is faulted by the
 * loop as before.  Never blocks; a full queue skips the range.  Only after
 * memory_tune() (serve); elsewhere it does nothing.
 */
void memory_prefault(void *p, size_t len);

/*
 * Free p, a malloc'd block of len bytes (NULL: nothing).  A large block's
 * pages are first given back with madvise(MADV_DONTNEED), which takes only
 * the mapping's own lock on Linux 6.x, so that the munmap() inside free()
 * has nothing left to zap and holds the process's address-space lock
 * (mmap_lock) for microseconds instead of milliseconds.  Otherwise the
 * loop thread, whose recv() into a new body faults on fresh pages, waits
 * behind a worker freeing a 20 MiB upload (seen with perf sched: the loop
 * in D state for up to 20 ms in lock_mm_and_find_vma()).
 */
void memory_free_large(void *p, size_t len);

#endif
