/* SPDX-License-Identifier: MIT */
/*
 * Staff accounts in the database.  Passwords arrive already hashed
 * (Argon2id strings from service/); this module never sees a password.
 */
#ifndef STORAGE_USERS_H
#define STORAGE_USERS_H

#include <stdbool.h>
#include <stdint.h>
#include "storage/db.h"

#define USERS_LOGIN_MAX 64	/* bytes */
#define USERS_ROLE_MAX 16
#define USERS_BUREAU_MAX 32
#define USERS_HASH_MAX 128	/* crypto_pwhash_STRBYTES */

/* One account as stored. */
struct users_row {
	int64_t id;
	char login[USERS_LOGIN_MAX + 1];
	char role[USERS_ROLE_MAX];
	char bureau[USERS_BUREAU_MAX];	/* "" when none */
	char pw_hash[USERS_HASH_MAX];
	bool must_change;
	bool disabled;
	int64_t created_at;
	int64_t updated_at;
};

/*
 * Create a user.  bureau may be NULL (required for role "officer").
 * STORAGE_ERR_EXISTS if the login is taken, STORAGE_ERR_INVALID for a bad
 * role or a missing/unknown bureau.
 */
enum storage_status users_create(struct db *db, const char *login,
    const char *role, const char *bureau, const char *pw_hash,
    bool must_change, int64_t now);

/* Number of users (any state); -1 on error. */
long users_count(struct db *db);

/*
 * The account with this login (any state) into *out.
 * STORAGE_ERR_NOTFOUND if there is none.
 */
enum storage_status users_find(struct db *db, const char *login,
    struct users_row *out);

/* The account with this row id (any state); NOTFOUND if none. */
enum storage_status users_get(struct db *db, int64_t id,
    struct users_row *out);

/*
 * Replace the password hash of user id and set its must_change flag.
 * NOTFOUND if there is no such user.
 */
enum storage_status users_set_password(struct db *db, int64_t id,
    const char *pw_hash, bool must_change, int64_t now);

/* Disable (or enable) user id.  NOTFOUND if there is no such user. */
enum storage_status users_set_disabled(struct db *db, int64_t id,
    bool disabled, int64_t now);

/*
 * Call cb for every account in login order (the row is valid during the
 * call only; pw_hash is left empty).  cb returns 0 to go on, non-zero to
 * stop.
 */
enum storage_status users_list(struct db *db,
    int (*cb)(void *arg, const struct users_row *u), void *arg);

#endif
