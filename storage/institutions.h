/* SPDX-License-Identifier: MIT */
/*
 * The institution registry in the database (tables institutions and
 * institution_domains): an upsert keyed by the unified social credit code,
 * and a listing.  The caller (service/institutions.c) has validated every
 * value — the credit code's check character, the county, the domains —
 * and normalised the name; this module only stores and compares.
 */
#ifndef STORAGE_INSTITUTIONS_H
#define STORAGE_INSTITUTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"

/* One entry to store.  cma_cert_no and address may be "" or NULL. */
struct institutions_row {
	const char *name;
	const char *name_norm;
	const char *credit_code;	/* the key */
	const char *cma_cert_no;
	const char *address;
	const char *county_code;
	const char *const *domains;	/* key domain codes, distinct */
	size_t ndomains;
};

/* What an upsert did. */
enum institutions_change {
	INSTITUTIONS_ADDED,		/* a new credit code */
	INSTITUTIONS_UPDATED,		/* a value or the domains changed */
	INSTITUTIONS_UNCHANGED,		/* identical to what was stored */
};

/*
 * Insert the entry, or update the one with the same credit code (its
 * domains are replaced); an identical entry is left alone (updated_at
 * kept).  Call inside the caller's transaction (db_begin).  *id (may be
 * NULL) gets the row id, *change what happened.  STORAGE_ERR_INVALID for
 * a missing name, code or county; a domain code that does not exist fails
 * the foreign key (STORAGE_ERR_INTERNAL): validate first.
 */
enum storage_status institutions_upsert(struct db *db,
    const struct institutions_row *r, int64_t now, int64_t *id,
    enum institutions_change *change);

/* One stored entry as listed; strings valid during the callback only. */
struct institutions_entry {
	int64_t id;
	const char *name;
	const char *name_norm;
	const char *credit_code;
	const char *cma_cert_no;	/* "" when none */
	const char *address;		/* "" when none */
	const char *county_code;
	const char *domains;		/* codes joined by ';', "" when none */
	int64_t created_at;
	int64_t updated_at;
};

/*
 * Call cb for every entry, by credit code; cb returns 0 to go on, anything
 * else to stop (that value is not an error).
 */
enum storage_status institutions_list(struct db *db,
    int (*cb)(void *arg, const struct institutions_entry *e), void *arg);

/* Number of entries; -1 on error. */
long institutions_count(struct db *db);

#endif
