/* SPDX-License-Identifier: MIT */
/*
 * The audit log: append-only, each entry chained to the previous one by
 * BLAKE2b-256 over (previous hash || canonical encoding of the entry).  The
 * first entry chains to 32 zero bytes.  Control characters in every field
 * are escaped (\xNN) before storing.
 */
#ifndef STORAGE_AUDIT_H
#define STORAGE_AUDIT_H

#include <stdbool.h>
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

/* One entry as stored (text already escaped), for audit_list(). */
struct audit_row {
	int64_t id;
	int64_t at;
	const char *user;	/* NULL when none */
	const char *action;
	const char *object;	/* NULL when none */
	const char *reason;	/* NULL when none */
};

#define AUDIT_PAGE_MAX 500

struct audit_filter {
	const char *user;	/* NULL: any; else exactly this user */
	const char *object;	/* NULL: any; else this object or its parts
				 * ("T-1" also finds "T-1:attachment:2") */
	int64_t from;		/* Unix seconds, inclusive; 0: no bound */
	int64_t to;		/* Unix seconds, inclusive; 0: no bound */
	int64_t before_id;	/* cursor: 0 for the first page */
	int limit;		/* 1 .. AUDIT_PAGE_MAX */
};

/*
 * The entries matching f, newest first, at most f->limit, to cb (the row
 * is valid during the call only; cb returns 0 to go on).  *more tells
 * whether another page follows.  Filters compare the stored (escaped)
 * text.
 */
enum storage_status audit_list(struct db *db, const struct audit_filter *f,
    int (*cb)(void *arg, const struct audit_row *row), void *arg,
    bool *more);

#endif
