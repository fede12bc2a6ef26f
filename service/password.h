/* SPDX-License-Identifier: MIT */
/*
 * Staff passwords: one-time password generation and Argon2id hashing
 * (libsodium crypto_pwhash_str).  Hashing takes a noticeable fraction of a
 * second and PASSWORD_MEMLIMIT bytes: call it on a worker, never on the
 * loop thread.
 */
#ifndef SERVICE_PASSWORD_H
#define SERVICE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <sodium.h>

#define PASSWORD_ONE_TIME_LEN 20
#define PASSWORD_MIN_LEN 12		/* characters (code points) */
#define PASSWORD_MAX_BYTES 1024
#define PASSWORD_HASH_MAX crypto_pwhash_STRBYTES

/* A random one-time password of PASSWORD_ONE_TIME_LEN characters from an
 * alphabet without look-alikes; buf must hold PASSWORD_ONE_TIME_LEN + 1. */
void password_generate(char *buf, size_t buflen);

/* Hash pw into out (PASSWORD_HASH_MAX bytes).  0, or -1 (out of memory). */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);

/* Whether pw matches the stored hash. */
bool password_matches(const char *pw, const char *hash);

/*
 * Whether pw may become a password: valid UTF-8 of PASSWORD_MIN_LEN
 * characters or more, at most PASSWORD_MAX_BYTES bytes, no control
 * characters.  On false *why (may be NULL) names the rule, in English.
 */
bool password_valid_new(const char *pw, const char **why);

/*
 * Spend the time of one password_matches() on a fixed dummy hash and
 * return false: what a login for an unknown account does, so that its
 * answer takes as long as a wrong password for a real one.
 */
bool password_matches_dummy(const char *pw);

#endif
