/* SPDX-License-Identifier: MIT */
/*
 * The relation keys of a new tip's test report numbers: each number that
 * service/report_numbers.h finds in the tip's text, as a keyed hash
 * (BLAKE2b-256 under the "report_number_mac" service key, like the
 * receipt and attachment MACs), so that tips naming the same report can
 * be related (storage/tip_triage.h) without the numbers being stored.
 * Worker thread (reads the service key from the database).
 */
#ifndef SERVICE_REPORT_MACS_H
#define SERVICE_REPORT_MACS_H

#include <stddef.h>

#include "service/report_numbers.h"
#include "storage/db.h"
#include "storage/keys.h"

#define REPORT_MACS_BYTES 32

/*
 * The keyed hashes of nums[0..n) (distinct report numbers as
 * report_numbers_find() gives them; the router's decision carries them)
 * into out.  0, or -1 (the service key unreadable: the caller refuses the
 * tip as a transient failure).
 */
int report_macs_compute(struct db *db, const struct keys_master *mk,
    const char nums[][REPORT_NUMBERS_LEN], size_t n,
    unsigned char out[REPORT_NUMBERS_MAX][REPORT_MACS_BYTES]);

#endif
