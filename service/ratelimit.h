/* SPDX-License-Identifier: MIT */
/*
 * In-memory rate limits keyed by an opaque 16-byte client id (the keyed
 * hash of a client address, see ratelimit_client_id(); the address itself
 * is never kept).  A limit allows `limit` events per `window` seconds per
 * id:
 *
 *   - limit <= RATELIMIT_LOG_MAX: exact, a sliding log of the last events'
 *     times (wrong receipt codes: 10 in 10 minutes);
 *   - larger limits: a fixed window that starts at the first event after
 *     the previous one ran out (submissions_per_hour); worst case two
 *     windows' worth of events in a short time across the boundary.
 *
 * The table has RATELIMIT_SLOTS entries; an id is found by linear probing
 * from its hash over RATELIMIT_PROBE slots, and when they are all taken
 * by live ids the least recently used one is dropped (an attacker with
 * thousands of addresses can make us forget some, never make us refuse a
 * quiet address).  Time is a parameter (seconds of a monotonic clock), so
 * the rules are unit-tested without waiting.  Not thread-safe: the HTTP
 * loop thread owns every table.  Hashing an address is one BLAKE2b call
 * over a few bytes, cheap enough for the loop thread.
 */
#ifndef SERVICE_RATELIMIT_H
#define SERVICE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_ID_BYTES 16
#define RATELIMIT_LOG_MAX 16
#define RATELIMIT_SLOTS 4096
#define RATELIMIT_PROBE 16
#define RATELIMIT_KEY_TTL 86400		/* the address key lives one day */

struct ratelimit_entry {
	unsigned char id[RATELIMIT_ID_BYTES];
	bool used;
	int64_t last;			/* last event, for eviction */
	uint32_t count;			/* fixed window: events in it */
	int64_t start;			/* fixed window: when it began */
	uint32_t nlog;			/* sliding log: events kept */
	int64_t log[RATELIMIT_LOG_MAX];	/* oldest first */
};

struct ratelimit {
	uint32_t limit;			/* 0: no limit */
	int64_t window;			/* seconds */
	struct ratelimit_entry slots[RATELIMIT_SLOTS];
};

/* The key that turns addresses into ids, replaced every day. */
struct ratelimit_key {
	unsigned char key[32];
	int64_t made;			/* monotonic seconds; 0: none yet */
};

/* Set the rule and forget every id. */
void ratelimit_init(struct ratelimit *rl, uint32_t limit, int64_t window);

/* Forget every id (after the address key changed). */
void ratelimit_clear(struct ratelimit *rl);

/*
 * Whether id may have one more event at now.  If so, the event is counted
 * and true returned; if not, *retry_after (may be NULL) gets the seconds
 * until it may (at least 1) and nothing is counted.
 */
bool ratelimit_take(struct ratelimit *rl, const unsigned char *id,
    int64_t now, int64_t *retry_after);

/*
 * Whether id is blocked at now, without counting anything; *retry_after
 * as for ratelimit_take.
 */
bool ratelimit_is_blocked(struct ratelimit *rl, const unsigned char *id,
    int64_t now, int64_t *retry_after);

/* Take back the latest event of id (it turned out not to count). */
void ratelimit_give_back(struct ratelimit *rl, const unsigned char *id);

/*
 * The id of a client address (any text, e.g. "127.0.0.1"): keyed BLAKE2b
 * under k, which is made (random) on first use and replaced when older
 * than RATELIMIT_KEY_TTL.  Returns true when the key was replaced (the
 * caller then clears its tables: yesterday's ids mean nothing today).
 */
bool ratelimit_client_id(struct ratelimit_key *k, const char *address,
    int64_t now, unsigned char id[RATELIMIT_ID_BYTES]);

#endif
