/* SPDX-License-Identifier: MIT */
/*
 * The acknowledgement outbox: mail waiting to be handed to the configured
 * sendmail command.  A row belongs to a tip; its recipient and its whole
 * RFC 5322 message are sealed under that tip's content key with the
 * identities "tip:<uid>:outbox:<id>:recipient" and ":body" (store_ad.h),
 * so that nothing of the tipster's address or receipt code is ever in the
 * database in plaintext, and a sealed value moved to another row no longer
 * opens.  Plaintext columns: created_at, sent_at, attempts, next_at and
 * last_error (which holds only our own words: an exit status, a timeout).
 *
 * Load: one row per e-mail tip whose sender did not ask to stay anonymous;
 * the sender takes the due rows one at a time (the outbox_pending index).
 */
#ifndef STORAGE_OUTBOX_H
#define STORAGE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"
#include "storage/keys.h"

#define OUTBOX_BODY_MAX (64 * 1024)	/* bytes of one message */
#define OUTBOX_ERROR_MAX 200		/* bytes of last_error */

/* A new row. */
struct outbox_new {
	int64_t tip_id;
	const unsigned char *uid;		/* the tip's 16-byte uid */
	const unsigned char *key;		/* the tip's content key */
	const char *recipient;			/* addr-spec */
	const char *message;			/* the RFC 5322 message */
	size_t len;
	int64_t at;				/* Unix seconds; also next_at */
};

/*
 * Insert m inside the caller's open transaction (the one that stores the
 * tip: the acknowledgement exists exactly when the tip does).  The row is
 * inserted with empty sealed columns to learn its id, then both values
 * are sealed with that id and written.  *id gets the row id (may be
 * NULL).  INVALID for an empty recipient or a message over
 * OUTBOX_BODY_MAX; the transient statuses as usual.
 */
enum storage_status outbox_add(struct db *db, const struct outbox_new *m,
    int64_t *id);

/* A due row, opened. */
struct outbox_item {
	int64_t id;
	int64_t tip_id;
	int attempts;
	char *recipient;			/* NUL-terminated */
	char *message;				/* NUL-terminated */
	size_t len;
};

/*
 * The unsent row with next_at <= now and the smallest id > after_id, opened
 * with its tip's content key (unwrapped under mk).  STORAGE_ERR_NOTFOUND
 * when there is none; CORRUPT when its values do not open (*out->id is
 * then set, so that the caller can record the failure and move past it).
 * Free *out with outbox_item_free().
 */
enum storage_status outbox_next_due(struct db *db,
    const struct keys_master *mk, int64_t now, int64_t after_id,
    struct outbox_item *out);

/* Wipe and free an item's plaintext.  Accepts NULL. */
void outbox_item_free(struct outbox_item *it);

/* Mark row id sent at `at`. */
enum storage_status outbox_mark_sent(struct db *db, int64_t id, int64_t at);

/*
 * Record a failed attempt of row id: attempts = attempts, next_at, and
 * last_error (our own words, cut to OUTBOX_ERROR_MAX bytes).
 */
enum storage_status outbox_mark_failed(struct db *db, int64_t id,
    int attempts, int64_t next_at, const char *error);

#endif
