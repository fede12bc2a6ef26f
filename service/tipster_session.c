/* SPDX-License-Identifier: MIT */
/*
 * Tipster sessions (see tipster_session.h): an open-addressing table
 * indexed by the token hash; a look-up is one BLAKE2b of 32 bytes and a
 * probe of at most TIPSTER_SESSION_PROBE slots.
 */
#include "service/tipster_session.h"

#include <string.h>

#include <sodium.h>

#define TIPSTER_SESSION_PROBE 32

static size_t
tipster_session_home(const unsigned char hash[32])
{
	size_t h = 0;

	for (size_t i = 0; i < sizeof(h); i++)
		h = (h << 8) | hash[i];
	return h % TIPSTER_SESSION_SLOTS;
}

/* The token's hash; false if token is not 64 lowercase hex digits. */
static bool
tipster_session_hash(const char *token, unsigned char hash[32])
{
	unsigned char raw[TIPSTER_SESSION_TOKEN_HEX / 2];
	size_t len = 0;

	if (token == NULL ||
	    strnlen(token, TIPSTER_SESSION_TOKEN_HEX + 1) !=
	    TIPSTER_SESSION_TOKEN_HEX)
		return false;
	for (size_t i = 0; i < TIPSTER_SESSION_TOKEN_HEX; i++)
		if (!((token[i] >= '0' && token[i] <= '9') ||
		    (token[i] >= 'a' && token[i] <= 'f')))
			return false;
	if (sodium_hex2bin(raw, sizeof(raw), token, TIPSTER_SESSION_TOKEN_HEX,
	    NULL, &len, NULL) != 0 || len != sizeof(raw))
		return false;
	crypto_generichash(hash, 32, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return true;
}

void
tipster_session_create(struct tipster_sessions *s, int64_t tip_id,
    int64_t now, char token[TIPSTER_SESSION_TOKEN_HEX + 1],
    char csrf[TIPSTER_SESSION_CSRF_HEX + 1])
{
	unsigned char raw[TIPSTER_SESSION_TOKEN_HEX / 2], hash[32];
	unsigned char c[TIPSTER_SESSION_CSRF_HEX / 2];
	struct tipster_session *slot = NULL;
	size_t home;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, TIPSTER_SESSION_TOKEN_HEX + 1, raw, sizeof(raw));
	crypto_generichash(hash, sizeof(hash), raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	randombytes_buf(c, sizeof(c));
	sodium_bin2hex(csrf, TIPSTER_SESSION_CSRF_HEX + 1, c, sizeof(c));
	home = tipster_session_home(hash);
	for (size_t i = 0; i < TIPSTER_SESSION_PROBE; i++) {
		struct tipster_session *e =
		    &s->slots[(home + i) % TIPSTER_SESSION_SLOTS];

		if (!e->used || e->expires <= now) {
			slot = e;
			break;
		}
		if (slot == NULL || e->expires < slot->expires)
			slot = e;	/* nearest its end: dropped if full */
	}
	memset(slot, 0, sizeof(*slot));
	memcpy(slot->token_hash, hash, sizeof(hash));
	slot->tip_id = tip_id;
	slot->expires = now + TIPSTER_SESSION_TTL;
	memcpy(slot->csrf, csrf, sizeof(slot->csrf));
	slot->used = true;
}

static struct tipster_session *
tipster_session_lookup(struct tipster_sessions *s, const char *token)
{
	unsigned char hash[32];
	size_t home;

	if (!tipster_session_hash(token, hash))
		return NULL;
	home = tipster_session_home(hash);
	for (size_t i = 0; i < TIPSTER_SESSION_PROBE; i++) {
		struct tipster_session *e =
		    &s->slots[(home + i) % TIPSTER_SESSION_SLOTS];

		if (e->used && sodium_memcmp(e->token_hash, hash,
		    sizeof(hash)) == 0)
			return e;
	}
	return NULL;
}

const struct tipster_session *
tipster_session_find(struct tipster_sessions *s, const char *token,
    int64_t now)
{
	struct tipster_session *e = tipster_session_lookup(s, token);

	if (e == NULL)
		return NULL;
	if (e->expires <= now) {
		memset(e, 0, sizeof(*e));
		return NULL;
	}
	return e;
}

bool
tipster_session_valid_csrf(const struct tipster_session *ts,
    const char *csrf)
{
	if (ts == NULL || csrf == NULL ||
	    strnlen(csrf, TIPSTER_SESSION_CSRF_HEX + 1) !=
	    TIPSTER_SESSION_CSRF_HEX)
		return false;
	return sodium_memcmp(ts->csrf, csrf, TIPSTER_SESSION_CSRF_HEX) == 0;
}

void
tipster_session_end(struct tipster_sessions *s, const char *token)
{
	struct tipster_session *e = tipster_session_lookup(s, token);

	if (e != NULL)
		memset(e, 0, sizeof(*e));
}
