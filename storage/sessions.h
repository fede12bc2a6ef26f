/* SPDX-License-Identifier: MIT */
/*
 * Staff sessions in the database.  A session row holds only the BLAKE2b
 * hash of the session token (the token itself lives in the browser's
 * cookie), the account it belongs to, its CSRF token and two times: when
 * it was made (absolute expiry) and when it was last used (idle expiry).
 * Every look-up joins the account, so that a disabled account or a
 * changed role takes effect on the next request.
 */
#ifndef STORAGE_SESSIONS_H
#define STORAGE_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "storage/db.h"
#include "storage/users.h"

#define SESSIONS_HASH_BYTES 32
#define SESSIONS_CSRF_MAX 96	/* bytes of the CSRF token, with NUL */

/* Expiry rules, in seconds. */
struct sessions_limits {
	int64_t idle;		/* since last use */
	int64_t absolute;	/* since creation */
	int64_t touch_every;	/* last_seen is written at most this often */
};

struct sessions_row {
	char csrf[SESSIONS_CSRF_MAX];
	int64_t created_at;
	int64_t last_seen;
	struct users_row user;	/* pw_hash left empty */
};

/* Store a new session.  EXISTS if the hash is taken (a random clash). */
enum storage_status sessions_create(struct db *db,
    const unsigned char hash[SESSIONS_HASH_BYTES], int64_t user_id,
    const char *csrf, int64_t now);

/*
 * The live session with this token hash, with its account, into *out.
 * NOTFOUND when there is none, when it has expired (idle or absolute; the
 * row is then deleted) or when its account is disabled.  last_seen is
 * moved to now when it is older than lim->touch_every.
 */
enum storage_status sessions_lookup(struct db *db,
    const unsigned char hash[SESSIONS_HASH_BYTES], int64_t now,
    const struct sessions_limits *lim, struct sessions_row *out);

/* Delete one session (logout).  NOTFOUND if there was none. */
enum storage_status sessions_delete(struct db *db,
    const unsigned char hash[SESSIONS_HASH_BYTES]);

/*
 * Delete every session of user_id except the one with hash keep (NULL:
 * all of them); *n (may be NULL) gets the number deleted.
 */
enum storage_status sessions_delete_user(struct db *db, int64_t user_id,
    const unsigned char *keep, long *n);

/* Delete every expired session of every account. */
enum storage_status sessions_purge(struct db *db, int64_t now,
    const struct sessions_limits *lim);

#endif
