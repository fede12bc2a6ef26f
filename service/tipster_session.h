/* SPDX-License-Identifier: MIT */
/*
 * Tipster sessions: after a correct receipt code on the follow-up page, a
 * short-lived session lets the tipster answer and add files without
 * sending the code again.  The token (32 random bytes, 64 hex digits in an
 * HttpOnly, SameSite=Strict cookie) is kept only as its BLAKE2b hash, with
 * the tip's row id, a CSRF token for the reply form and an absolute expiry
 * (TIPSTER_SESSION_TTL after the code was given).
 *
 * Sessions live in memory only, in a fixed table (no allocation): a
 * restart logs every tipster out, which costs them one more entry of
 * their code.  When the table is full the session nearest its end is
 * dropped.  Not thread-safe: the HTTP loop thread owns the table.
 */
#ifndef SERVICE_TIPSTER_SESSION_H
#define SERVICE_TIPSTER_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#define TIPSTER_SESSION_TTL 900		/* 15 minutes */
#define TIPSTER_SESSION_SLOTS 4096
#define TIPSTER_SESSION_TOKEN_HEX 64	/* characters of the cookie value */
#define TIPSTER_SESSION_CSRF_HEX 32

struct tipster_session {
	unsigned char token_hash[32];
	int64_t tip_id;
	int64_t expires;		/* monotonic seconds */
	char csrf[TIPSTER_SESSION_CSRF_HEX + 1];
	bool used;
};

struct tipster_sessions {
	struct tipster_session slots[TIPSTER_SESSION_SLOTS];
};

/*
 * Start a session for tip tip_id at now.  token gets the cookie value and
 * csrf the form token (both NUL-terminated hex).  Always succeeds.
 */
void tipster_session_create(struct tipster_sessions *s, int64_t tip_id,
    int64_t now, char token[TIPSTER_SESSION_TOKEN_HEX + 1],
    char csrf[TIPSTER_SESSION_CSRF_HEX + 1]);

/*
 * The live session of the cookie value token at now, or NULL (unknown,
 * expired, malformed).  The pointer is valid until the next call on s.
 */
const struct tipster_session *tipster_session_find(
    struct tipster_sessions *s, const char *token, int64_t now);

/* Whether csrf is the session's form token (constant time). */
bool tipster_session_valid_csrf(const struct tipster_session *ts,
    const char *csrf);

/* End the session of token, if any. */
void tipster_session_end(struct tipster_sessions *s, const char *token);

#endif
