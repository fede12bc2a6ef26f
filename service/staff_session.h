/* SPDX-License-Identifier: MIT */
/*
 * Staff sessions: login, the session behind every staff request, logout
 * and password change.  Worker thread only (database, Argon2id).
 *
 * A session token is 32 random bytes, sent to the browser as 64 hex
 * digits in the session cookie; the database keeps only its BLAKE2b-256
 * hash.  Each login makes a new token (a token the browser already had is
 * deleted, never adopted: no fixation).  A session ends after
 * STAFF_SESSION_IDLE seconds without a request, STAFF_SESSION_ABSOLUTE
 * seconds after login, at logout, when its account is disabled, or when
 * the account's password is changed elsewhere.  Every session has its own
 * CSRF token (32 random bytes as 64 hex digits) that each state-changing
 * request must carry.
 */
#ifndef SERVICE_STAFF_SESSION_H
#define SERVICE_STAFF_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service/service.h"
#include "service/staff.h"

#define STAFF_TOKEN_HEX 64
#define STAFF_SESSION_IDLE (30 * 60)
#define STAFF_SESSION_ABSOLUTE (12 * 3600)
#define STAFF_SESSION_TOUCH 30		/* last_seen granularity, seconds */

/* Whether token has the shape of a session token (64 lowercase hex). */
bool staff_session_valid_token(const char *token);

/* The stored hash of a token. */
void staff_session_hash(const char *token,
    unsigned char out[SESSIONS_HASH_BYTES]);

/*
 * The caller behind token at now: its account looked up afresh (so a
 * disabled account or a changed role counts at once).  STAFF_OK and *u,
 * STAFF_UNAUTHENTICATED (no such live session), or STAFF_TRANSIENT /
 * STAFF_FAILED.
 */
enum staff_status staff_session_resolve(struct service_worker *w,
    const char *token, int64_t now, struct staff_user *u);

/*
 * Check login and password and open a session.  old_token (may be NULL)
 * is the token the browser sent along, deleted if it names a session.
 * On STAFF_OK token holds the new token and *u the caller.  An unknown
 * login, a wrong password and a disabled account all answer
 * STAFF_UNAUTHENTICATED after the same Argon2id work.  Audited: "login"
 * or "login.fail".  The password is never logged or stored.
 */
enum staff_status staff_session_login(struct service_worker *w,
    const char *login, const char *password, const char *old_token,
    int64_t now, char token[STAFF_TOKEN_HEX + 1], struct staff_user *u);

/* End u's session (audited "logout"). */
enum staff_status staff_session_logout(struct service_worker *w,
    const struct staff_user *u, int64_t now);

/*
 * Change u's password: old must match, new must pass password_valid_new()
 * and differ from old.  Clears must_change, ends the account's other
 * sessions and keeps this one.  STAFF_FORBIDDEN for a wrong old password,
 * STAFF_INVALID for an unacceptable new one (msg says why, in English).
 * Audited: "user.passwd".
 */
enum staff_status staff_session_change_password(struct service_worker *w,
    struct staff_user *u, const char *old_pw, const char *new_pw,
    int64_t now, char *msg, size_t msglen);

/* Whether given (may be NULL) is u's CSRF token (constant time). */
bool staff_session_csrf_ok(const struct staff_user *u, const char *given);

#endif
