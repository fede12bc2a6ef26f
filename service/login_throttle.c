/* SPDX-License-Identifier: MIT */
/*
 * Login throttling (see login_throttle.h).  Entries are found by a keyed
 * BLAKE2b hash: accounts under a key made at start-up, addresses by the
 * public side's client id (ratelimit_client_id(), under a key replaced
 * every day; the address entries are dropped when it changes), so that
 * neither a login nor an address is kept in clear.  A
 * linear scan over at most LOGIN_THROTTLE_ENTRIES entries costs far less
 * than the Argon2id check it guards.
 */
#include "service/login_throttle.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "service/ratelimit.h"

#define LT_HASH_BYTES RATELIMIT_ID_BYTES

enum lt_kind {
	LT_ACCOUNT = 1,
	LT_ADDRESS,
};

struct lt_entry {
	unsigned char hash[LT_HASH_BYTES];
	enum lt_kind kind;		/* 0: free slot */
	uint32_t failures;
	uint32_t pending;
	int64_t last_failure;
	int64_t blocked_until;
};

struct login_throttle {
	unsigned char account_key[crypto_generichash_KEYBYTES];
	struct ratelimit_key address_key;
	struct lt_entry *e;
	size_t n;			/* slots in use (dense prefix) */
};

/* Create a throttle with fresh keys. */
struct login_throttle *
login_throttle_new(void)
{
	struct login_throttle *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	if ((t->e = calloc(LOGIN_THROTTLE_ENTRIES, sizeof(*t->e))) == NULL) {
		free(t);
		return NULL;
	}
	randombytes_buf(t->account_key, sizeof(t->account_key));
	return t;
}

/* Wipe the keys and free. */
void
login_throttle_free(struct login_throttle **tp)
{
	struct login_throttle *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	sodium_memzero(t->account_key, sizeof(t->account_key));
	sodium_memzero(&t->address_key, sizeof(t->address_key));
	free(t->e);
	free(t);
	*tp = NULL;
}

/*
 * The id of addr (NULL: none) into id; when the address key was replaced
 * (a new day), yesterday's address entries are dropped.  Attempts in
 * flight under yesterday's key are then settled as new ones.
 */
static bool
lt_address_id(struct login_throttle *t, const char *addr, int64_t now,
    unsigned char id[LT_HASH_BYTES])
{
	size_t i, o = 0;

	if (addr == NULL)
		return false;
	if (ratelimit_client_id(&t->address_key, addr, now, id)) {
		for (i = 0; i < t->n; i++)
			if (t->e[i].kind != LT_ADDRESS)
				t->e[o++] = t->e[i];
		t->n = o;
	}
	return true;
}

static void
lt_account_id(const struct login_throttle *t, const char *login,
    unsigned char out[LT_HASH_BYTES])
{
	crypto_generichash(out, LT_HASH_BYTES, (const unsigned char *)login,
	    strlen(login), t->account_key, sizeof(t->account_key));
}

/* Whether an entry carries nothing worth keeping at now. */
static bool
lt_is_stale(const struct lt_entry *e, int64_t now)
{
	return e->pending == 0 && e->blocked_until <= now &&
	    (e->failures == 0 || now - e->last_failure > LOGIN_THROTTLE_WINDOW);
}

/* Find the entry of (kind, h); create it when create is set. */
static struct lt_entry *
lt_find(struct login_throttle *t, enum lt_kind kind,
    const unsigned char h[LT_HASH_BYTES], int64_t now, bool create)
{
	size_t i, victim = 0;
	bool have_victim = false;
	struct lt_entry *e;

	for (i = 0; i < t->n; i++)
		/* Keyed hashes: their timing tells nothing; plain memcmp. */
		if (t->e[i].kind == kind &&
		    memcmp(t->e[i].hash, h, LT_HASH_BYTES) == 0)
			return &t->e[i];
	if (!create)
		return NULL;
	if (t->n == LOGIN_THROTTLE_ENTRIES) {
		/* Full: drop stale entries, else the stalest one at rest. */
		size_t o = 0;

		for (i = 0; i < t->n; i++)
			if (!lt_is_stale(&t->e[i], now))
				t->e[o++] = t->e[i];
		t->n = o;
		if (t->n == LOGIN_THROTTLE_ENTRIES) {
			for (i = 0; i < t->n; i++)
				if (t->e[i].pending == 0 && (!have_victim ||
				    t->e[i].last_failure <
				    t->e[victim].last_failure)) {
					victim = i;
					have_victim = true;
				}
			if (!have_victim)
				return NULL;
			t->e[victim] = t->e[--t->n];
		}
	}
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	memcpy(e->hash, h, LT_HASH_BYTES);
	e->kind = kind;
	return e;
}

/* Forget failures that are older than the window. */
static void
lt_age(struct lt_entry *e, int64_t now)
{
	if (e != NULL && e->failures > 0 &&
	    now - e->last_failure > LOGIN_THROTTLE_WINDOW &&
	    e->blocked_until <= now) {
		e->failures = 0;
		e->blocked_until = 0;
	}
}

/* Seconds e makes the next attempt wait; 0 if none. */
static int64_t
lt_wait(const struct lt_entry *e, uint32_t free_failures, int64_t now)
{
	if (e == NULL)
		return 0;
	if (e->blocked_until > now)
		return e->blocked_until - now;
	/* At the allowance with guesses in flight: wait for their answer. */
	if (e->pending > 0 && e->failures + e->pending >= free_failures)
		return 1;
	return 0;
}

/* The block after the n-th failure: doubling from 1 s, capped. */
static int64_t
lt_delay(uint32_t failures, uint32_t free_failures)
{
	uint32_t over;

	if (failures < free_failures)
		return 0;
	over = failures - free_failures;
	if (over >= 10)
		return LOGIN_THROTTLE_DELAY_MAX;
	return (int64_t)1 << over < LOGIN_THROTTLE_DELAY_MAX ?
	    (int64_t)1 << over : LOGIN_THROTTLE_DELAY_MAX;
}

/* See login_throttle.h. */
int64_t
login_throttle_begin(struct login_throttle *t, const char *login,
    const char *addr, int64_t now)
{
	unsigned char hacc[LT_HASH_BYTES], hadr[LT_HASH_BYTES];
	struct lt_entry *acc, *adr = NULL;
	bool have_adr;
	int64_t w, w2;

	lt_account_id(t, login != NULL ? login : "", hacc);
	have_adr = lt_address_id(t, addr, now, hadr);
	acc = lt_find(t, LT_ACCOUNT, hacc, now, false);
	if (have_adr)
		adr = lt_find(t, LT_ADDRESS, hadr, now, false);
	lt_age(acc, now);
	lt_age(adr, now);
	w = lt_wait(acc, LOGIN_THROTTLE_ACCOUNT_FREE, now);
	w2 = lt_wait(adr, LOGIN_THROTTLE_ADDRESS_FREE, now);
	if (w2 > w)
		w = w2;
	if (w > 0)
		return w;
	/* Let it through and count it as in flight. */
	if ((acc = lt_find(t, LT_ACCOUNT, hacc, now, true)) != NULL)
		acc->pending++;
	if (have_adr && (adr = lt_find(t, LT_ADDRESS, hadr, now, true)) !=
	    NULL)
		adr->pending++;
	return 0;
}

static void
lt_settle(struct lt_entry *e, bool success, bool reset_on_success,
    uint32_t free_failures, int64_t now)
{
	if (e == NULL)
		return;
	if (e->pending > 0)
		e->pending--;
	if (success) {
		if (reset_on_success) {
			e->failures = 0;
			e->blocked_until = 0;
		}
		return;
	}
	if (e->failures < UINT32_MAX)
		e->failures++;
	e->last_failure = now;
	if (e->failures >= free_failures) {
		/*
		 * Time is in whole seconds: one more second makes the block
		 * last at least its delay (1 s would otherwise end at the
		 * next tick, however near), never beyond the maximum.
		 */
		int64_t d = lt_delay(e->failures, free_failures) + 1;

		e->blocked_until = now + (d < LOGIN_THROTTLE_DELAY_MAX ? d :
		    LOGIN_THROTTLE_DELAY_MAX);
	}
}

/*
 * See login_throttle.h.  An address's count is not cleared by a success:
 * one valid account must not reset the guessing allowance of an address.
 */
void
login_throttle_end(struct login_throttle *t, const char *login,
    const char *addr, bool success, int64_t now)
{
	unsigned char hacc[LT_HASH_BYTES], hadr[LT_HASH_BYTES];

	lt_account_id(t, login != NULL ? login : "", hacc);
	lt_settle(lt_find(t, LT_ACCOUNT, hacc, now, true), success, true,
	    LOGIN_THROTTLE_ACCOUNT_FREE, now);
	if (lt_address_id(t, addr, now, hadr))
		lt_settle(lt_find(t, LT_ADDRESS, hadr, now, true), success,
		    false, LOGIN_THROTTLE_ADDRESS_FREE, now);
}
