/* SPDX-License-Identifier: MIT */
/*
 * Rate limits (see ratelimit.h): a fixed-size open-addressing table per
 * limit, no allocation, so a table can live in static storage and never
 * needs freeing.  Expected load: one look-up per public POST; a look-up
 * touches at most RATELIMIT_PROBE entries.
 */
#include "service/ratelimit.h"

#include <string.h>

#include <sodium.h>

void
ratelimit_init(struct ratelimit *rl, uint32_t limit, int64_t window)
{
	rl->limit = limit;
	rl->window = window > 0 ? window : 1;
	ratelimit_clear(rl);
}

void
ratelimit_clear(struct ratelimit *rl)
{
	memset(rl->slots, 0, sizeof(rl->slots));
}

static size_t
ratelimit_home(const unsigned char *id)
{
	size_t h = 0;

	/* The id is already a keyed hash: its bytes are uniform. */
	for (size_t i = 0; i < sizeof(h) && i < RATELIMIT_ID_BYTES; i++)
		h = (h << 8) | id[i];
	return h % RATELIMIT_SLOTS;
}

/* Drop the events of e that are out of the window at now. */
static void
ratelimit_expire(const struct ratelimit *rl, struct ratelimit_entry *e,
    int64_t now)
{
	if (rl->limit <= RATELIMIT_LOG_MAX) {
		uint32_t keep = 0;

		for (uint32_t i = 0; i < e->nlog; i++)
			if (e->log[i] > now - rl->window)
				e->log[keep++] = e->log[i];
		e->nlog = keep;
	} else if (e->count > 0 && now - e->start >= rl->window) {
		e->count = 0;
	}
}

static bool
ratelimit_is_idle(const struct ratelimit *rl, struct ratelimit_entry *e,
    int64_t now)
{
	ratelimit_expire(rl, e, now);
	return e->nlog == 0 && e->count == 0;
}

/*
 * The entry of id; with create, a new one if there is none (reusing an
 * idle slot, or the least recently used one of the probe run).  NULL
 * without create when id has no entry.
 */
static struct ratelimit_entry *
ratelimit_find(struct ratelimit *rl, const unsigned char *id, int64_t now,
    bool create)
{
	size_t home = ratelimit_home(id);
	struct ratelimit_entry *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < RATELIMIT_PROBE; i++) {
		struct ratelimit_entry *e =
		    &rl->slots[(home + i) % RATELIMIT_SLOTS];

		if (e->used && sodium_memcmp(e->id, id,
		    RATELIMIT_ID_BYTES) == 0)
			return e;
		if (!create)
			continue;
		if (!e->used || ratelimit_is_idle(rl, e, now)) {
			if (free_slot == NULL)
				free_slot = e;
		} else if (oldest == NULL || e->last < oldest->last)
			oldest = e;
	}
	if (!create)
		return NULL;
	if (free_slot == NULL)
		free_slot = oldest;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	memcpy(free_slot->id, id, RATELIMIT_ID_BYTES);
	return free_slot;
}

/* Whether e is at its limit at now; *retry_after when it is. */
static bool
ratelimit_full(const struct ratelimit *rl, struct ratelimit_entry *e,
    int64_t now, int64_t *retry_after)
{
	int64_t until;

	ratelimit_expire(rl, e, now);
	if (rl->limit <= RATELIMIT_LOG_MAX) {
		if (e->nlog < rl->limit)
			return false;
		/* Free again when the oldest counted event leaves. */
		until = e->log[e->nlog - rl->limit] + rl->window;
	} else {
		if (e->count < rl->limit)
			return false;
		until = e->start + rl->window;
	}
	if (retry_after != NULL)
		*retry_after = until - now > 0 ? until - now : 1;
	return true;
}

bool
ratelimit_is_blocked(struct ratelimit *rl, const unsigned char *id,
    int64_t now, int64_t *retry_after)
{
	struct ratelimit_entry *e;

	if (rl->limit == 0)
		return false;
	if ((e = ratelimit_find(rl, id, now, false)) == NULL)
		return false;
	return ratelimit_full(rl, e, now, retry_after);
}

bool
ratelimit_take(struct ratelimit *rl, const unsigned char *id, int64_t now,
    int64_t *retry_after)
{
	struct ratelimit_entry *e;

	if (rl->limit == 0)
		return true;
	e = ratelimit_find(rl, id, now, true);
	if (ratelimit_full(rl, e, now, retry_after))
		return false;
	e->last = now;
	if (rl->limit <= RATELIMIT_LOG_MAX) {
		e->log[e->nlog++] = now;
	} else {
		if (e->count == 0)
			e->start = now;
		e->count++;
	}
	return true;
}

void
ratelimit_give_back(struct ratelimit *rl, const unsigned char *id)
{
	struct ratelimit_entry *e;

	if (rl->limit == 0 || (e = ratelimit_find(rl, id, 0, false)) == NULL)
		return;
	if (rl->limit <= RATELIMIT_LOG_MAX) {
		if (e->nlog > 0)
			e->nlog--;
	} else if (e->count > 0) {
		e->count--;
	}
}

bool
ratelimit_client_id(struct ratelimit_key *k, const char *address,
    int64_t now, unsigned char id[RATELIMIT_ID_BYTES])
{
	bool rotated = false;

	if (k->made == 0 || now - k->made >= RATELIMIT_KEY_TTL) {
		randombytes_buf(k->key, sizeof(k->key));
		k->made = now > 0 ? now : 1;
		rotated = true;
	}
	if (address == NULL)
		address = "";
	crypto_generichash(id, RATELIMIT_ID_BYTES,
	    (const unsigned char *)address, strlen(address), k->key,
	    sizeof(k->key));
	return rotated;
}
