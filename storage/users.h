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

#endif
