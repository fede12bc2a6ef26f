/* SPDX-License-Identifier: MIT */
/*
 * malloc settings for serve (see memory.h).
 */
#include "service/memory.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "service/log.h"

void
memory_tune(void)
{
	/* Fixed, so glibc does not raise it as blocks are freed. */
	if (mallopt(M_MMAP_THRESHOLD, MEMORY_MMAP_THRESHOLD) != 1)
		log_warnx("malloc: cannot set M_MMAP_THRESHOLD");
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
