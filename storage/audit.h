/* SPDX-License-Identifier: MIT */
/*
 * The audit log: append-only, each entry chained to the previous one by
 * BLAKE2b-256 over (previous hash || canonical encoding of the entry).  The
 * first entry chains to 32 zero bytes.  Control characters in every field
 * are escaped (\xNN) before storing.
 */
#ifndef STORAGE_AUDIT_H
#define STORAGE_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include "storage/db.h"

/*
 * Append an entry.  at is Unix seconds (0 = now); user, object and reason
 * may be NULL.  Must run inside the caller's transaction if the entry is to
 * commit with the change it records; otherwise it runs its own.
 */
enum storage_status audit_append(struct db *db, int64_t at, const char *user,
    const char *action, const char *object, const char *reason);

/*
 * Walk the whole chain; call report for every broken link (edited, deleted
 * or reordered entry).  Returns the number of problems, -1 if unreadable.
 */
long audit_verify(struct db *db, void (*report)(void *arg, const char *problem),
    void *arg);

#endif
