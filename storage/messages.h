/* SPDX-License-Identifier: MIT */
/*
 * Messages between a tip's tipster and the bureau: the rows of the
 * messages table, each body sealed under the tip's content key with the
 * message identity of store_ad.h ("tip:<uid>:message:<id>"), and the
 * attachment rows that came with a message (attachments.message_id).
 * The caller has the content key (key_slots_content_key()) and has made
 * every blob durable; storage knows nothing about who may write.
 */
#ifndef STORAGE_MESSAGES_H
#define STORAGE_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"
#include "storage/keys.h"
#include "storage/tip_store.h"

#define MESSAGES_TEXT_MAX (256 * 1024)	/* bytes of one body */
#define MESSAGES_LIST_MAX 500		/* messages handed out per tip */

/* A new message. */
struct messages_new {
	int64_t tip_id;
	const unsigned char *uid;		/* the tip's 16-byte uid */
	const unsigned char *key;		/* the tip's content key */
	const char *public_id;			/* for the audit entry */
	const char *sender;			/* "tipster" | "bureau" */
	int64_t user_id;			/* 0: NULL (tipster) */
	const char *audit_user;			/* NULL for the tipster */
	const char *text;			/* UTF-8, may be "" */
	size_t len;
	const struct tip_store_attachment *attachments;	/* message_id set */
	size_t nattachments;
	int64_t at;				/* Unix seconds */
};

/*
 * Store m in one BEGIN IMMEDIATE transaction: the row is inserted with an
 * empty body to learn its id, the body sealed with that id and written,
 * the attachment rows inserted with message_id, tips.updated_at set to
 * m->at, and the audit entry ("message.add", the tip's public id, the
 * sender) appended.  *message_id gets the row id.  INVALID for a text over
 * MESSAGES_TEXT_MAX or a bad sender; the transient statuses mean nothing
 * was stored.
 */
enum storage_status messages_add(struct db *db, const struct messages_new *m,
    int64_t *message_id);

/* One opened message, valid during the callback only. */
struct messages_row {
	int64_t id;
	const char *sender;			/* "tipster" | "bureau" */
	int64_t at;
	const char *text;			/* NUL-terminated */
	size_t len;
};

/*
 * The messages of tip tip_id, oldest first (at most MESSAGES_LIST_MAX, the
 * newest ones), each opened under key; cb returns 0 to go on.  A body
 * that does not open is STORAGE_ERR_CORRUPT (the walk stops).  Plaintext
 * is wiped after each callback.
 */
enum storage_status messages_each(struct db *db, int64_t tip_id,
    const unsigned char uid[16], const unsigned char key[KEYS_KEY_BYTES],
    int (*cb)(void *arg, const struct messages_row *row), void *arg);

#endif
