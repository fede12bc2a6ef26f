/* SPDX-License-Identifier: MIT */
/*
 * The result of every call across the storage boundary.  Inside storage the
 * modules use this enum throughout; callers in service/ map it to a reply
 * (retryable 503/451/exit 75 for the transient kinds, a refusal otherwise).
 */
#ifndef STORAGE_STATUS_H
#define STORAGE_STATUS_H

#include <stdbool.h>

enum storage_status {
	STORAGE_OK = 0,
	STORAGE_ERR_IO,		/* an I/O error other than a full disk */
	STORAGE_ERR_NOSPC,	/* disk full or quota exceeded: transient */
	STORAGE_ERR_BUSY,	/* database locked past the busy timeout: transient */
	STORAGE_ERR_NOMEM,	/* allocation failed: transient */
	STORAGE_ERR_CORRUPT,	/* authentication failed, truncated, bad header */
	STORAGE_ERR_FORMAT,	/* unknown format version or cipher suite */
	STORAGE_ERR_NOTFOUND,	/* no such object (or not in the caller's scope) */
	STORAGE_ERR_EXISTS,	/* unique constraint: the object already exists */
	STORAGE_ERR_VERSION,	/* database schema newer than this binary */
	STORAGE_ERR_KEY,	/* master key missing, unreadable or wrong */
	STORAGE_ERR_INVALID,	/* caller passed a bad argument */
	STORAGE_ERR_INTERNAL,	/* anything else; a bug or an SQLite misuse */
};

/* A short English name of the status, for logs and error messages. */
const char *storage_status_str(enum storage_status st);

/* Whether the caller should answer "try again later" (503/451/75). */
bool storage_status_is_transient(enum storage_status st);

#endif
