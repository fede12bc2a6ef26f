/* SPDX-License-Identifier: MIT */
/*
 * Scheduling of serve's threads (see sched_tune.h).
 */
#include "service/sched_tune.h"

#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "service/log.h"

/* struct sched_attr of sched_setattr(2), version 0 (48 bytes): glibc
 * 2.36 declares neither the structure nor the call. */
struct sched_tune_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static int
sched_tune_set(uint32_t policy, int32_t nice, uint64_t runtime)
{
#ifdef SYS_sched_setattr
	struct sched_tune_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.sched_policy = policy;
	a.sched_nice = nice;
	a.sched_runtime = runtime;
	return (int)syscall(SYS_sched_setattr, 0, &a, 0u);
#else
	(void)policy;
	(void)nice;
	(void)runtime;
	return -1;
#endif
}

void
sched_tune_loop(void)
{
	if (sched_tune_set(SCHED_OTHER, SCHED_TUNE_LOOP_NICE,
	    SCHED_TUNE_LOOP_SLICE_NS) == 0)
		return;
	/* Without CAP_SYS_NICE or an RLIMIT_NICE that allows it. */
	if (sched_tune_set(SCHED_OTHER, 0, SCHED_TUNE_LOOP_SLICE_NS) != 0)
		log_debug("sched: the loop thread keeps the default slice");
}

void
sched_tune_worker(void)
{
	if (sched_tune_set(SCHED_BATCH, SCHED_TUNE_WORKER_NICE, 0) != 0)
		(void)setpriority(PRIO_PROCESS, (id_t)gettid(),
		    SCHED_TUNE_WORKER_NICE);
}
