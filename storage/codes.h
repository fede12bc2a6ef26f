/* SPDX-License-Identifier: MIT */
/*
 * The public code lists: bureaus, the counties a tipster may choose, key
 * domains and violation types, each with its Chinese and English name, as
 * the tip form and GET /api/v1/bureaus|domains|violations show them.  Read
 * straight from the reference tables (storage/refdata.h loads them); a few
 * dozen rows each.
 */
#ifndef STORAGE_CODES_H
#define STORAGE_CODES_H

#include <stdbool.h>

#include "storage/db.h"

enum codes_kind {
	CODES_BUREAUS,		/* every bureau, by code */
	CODES_COUNTIES,		/* county bureaus: the form's county list */
	CODES_DOMAINS,		/* key domains, in the campaign's order */
	CODES_VIOLATIONS,	/* violation types, by code */
};

/* One row; the strings are valid during the callback only. */
struct codes_row {
	const char *code;
	const char *name_zh;	/* counties: the county's own name (高平市) */
	const char *name_en;
	const char *extra;	/* bureaus: parent code or ""; violations:
				 * category; others "" */
	bool flag;		/* bureaus: a county bureau (its code is a
				 * county code); domains: epidemic-related */
};

/*
 * Call cb for every row of the list, in order; cb returns 0 to go on,
 * anything else to stop (then STORAGE_OK is still returned).
 */
enum storage_status codes_list(struct db *db, enum codes_kind kind,
    int (*cb)(void *arg, const struct codes_row *row), void *arg);

#endif
