/* SPDX-License-Identifier: MIT */
/*
 * The queue depths GET /metrics shows (service/metrics.h): how many tips
 * are in each status and how many acknowledgements wait in the outbox.
 * Two aggregate reads, no content; run on a worker, once per scrape.
 */
#ifndef STORAGE_METRICS_STORE_H
#define STORAGE_METRICS_STORE_H

#include <stdint.h>

#include "storage/db.h"
#include "storage/status.h"

/*
 * Call cb(arg, status, count) once for each tip status that has tips
 * (statuses with none are not reported), then set *outbox_pending to the
 * outbox messages not sent yet (waiting or being retried).
 */
enum storage_status metrics_store_queues(struct db *db,
    void (*cb)(void *arg, const char *status, int64_t count), void *arg,
    int64_t *outbox_pending);

#endif
