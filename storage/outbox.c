/* SPDX-License-Identifier: MIT */
/*
 * The acknowledgement outbox (see outbox.h): sealed rows in, opened due
 * rows out, the outcome of each attempt recorded.  Every value is sealed
 * and opened here, with the identities of store_ad.h, so the service
 * never formats an AD string.
 */
#include "storage/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "storage/key_slots.h"
#include "storage/record.h"
#include "storage/store_ad.h"

/* Step a statement that returns no row, finalise it. */
static enum storage_status
outbox_exec(struct db *db, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	sqlite3_finalize(st);
	if (r == SQLITE_DONE)
		return STORAGE_OK;
	return db_status_from_sqlite(sqlite3_extended_errcode(db_sqlite(db)));
}

/* Seal value under the row's identity for part into *out. */
static enum storage_status
outbox_seal(const struct outbox_new *m, int64_t id, const char *part,
    const char *value, size_t len, unsigned char **out, size_t *outlen)
{
	char ad[STORE_AD_MAX];

	if (store_ad_tip_outbox(ad, sizeof(ad), m->uid, id, part) != 0)
		return STORAGE_ERR_INTERNAL;
	return record_seal(m->key, ad, value, len, out, outlen);
}

enum storage_status
outbox_add(struct db *db, const struct outbox_new *m, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	unsigned char *rcpt = NULL, *body = NULL;
	size_t rcpt_len = 0, body_len = 0;
	enum storage_status rc;
	int64_t rowid;
	int r;

	if (m == NULL || m->uid == NULL || m->key == NULL ||
	    m->recipient == NULL || m->recipient[0] == '\0' ||
	    m->message == NULL || m->len == 0 || m->len > OUTBOX_BODY_MAX)
		return STORAGE_ERR_INVALID;
	r = sqlite3_prepare_v2(db_sqlite(db), "INSERT INTO outbox (tip_id,"
	    " recipient_sealed, body_sealed, created_at, next_at)"
	    " VALUES (?1, x'', x'', ?2, ?2)", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, m->tip_id);
	sqlite3_bind_int64(st, 2, m->at);
	if ((rc = outbox_exec(db, st)) != STORAGE_OK)
		return rc;
	rowid = sqlite3_last_insert_rowid(db_sqlite(db));
	if ((rc = outbox_seal(m, rowid, "recipient", m->recipient,
	    strlen(m->recipient), &rcpt, &rcpt_len)) != STORAGE_OK ||
	    (rc = outbox_seal(m, rowid, "body", m->message, m->len, &body,
	    &body_len)) != STORAGE_OK)
		goto out;
	r = sqlite3_prepare_v2(db_sqlite(db), "UPDATE outbox SET"
	    " recipient_sealed = ?1, body_sealed = ?2 WHERE id = ?3", -1, &st,
	    NULL);
	if (r != SQLITE_OK) {
		rc = db_status_from_sqlite(r);
		goto out;
	}
	sqlite3_bind_blob(st, 1, rcpt, (int)rcpt_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, body, (int)body_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, rowid);
	if ((rc = outbox_exec(db, st)) == STORAGE_OK && id != NULL)
		*id = rowid;
out:
	free(rcpt);
	free(body);
	return rc;
}

void
outbox_item_free(struct outbox_item *it)
{
	if (it == NULL)
		return;
	if (it->recipient != NULL) {
		sodium_memzero(it->recipient, strlen(it->recipient));
		free(it->recipient);
	}
	if (it->message != NULL) {
		sodium_memzero(it->message, it->len);
		free(it->message);
	}
	memset(it, 0, sizeof(*it));
}

/* Open column col of the row under part's identity into *out. */
static enum storage_status
outbox_open(sqlite3_stmt *st, int col, const unsigned char *key,
    const unsigned char *uid, int64_t id, const char *part, char **out,
    size_t *len)
{
	char ad[STORE_AD_MAX];
	unsigned char *plain = NULL;
	size_t plen = 0;
	enum storage_status rc;

	if (store_ad_tip_outbox(ad, sizeof(ad), uid, id, part) != 0)
		return STORAGE_ERR_CORRUPT;
	rc = record_open(key, ad, sqlite3_column_blob(st, col),
	    (size_t)sqlite3_column_bytes(st, col), &plain, &plen);
	if (rc != STORAGE_OK)
		return rc;
	*out = (char *)plain;
	if (len != NULL)
		*len = plen;
	return STORAGE_OK;
}

enum storage_status
outbox_next_due(struct db *db, const struct keys_master *mk, int64_t now,
    int64_t after_id, struct outbox_item *out)
{
	sqlite3_stmt *st = NULL;
	unsigned char key[KEYS_KEY_BYTES], uid[16];
	enum storage_status rc;
	int r;

	memset(out, 0, sizeof(*out));
	r = sqlite3_prepare_v2(db_sqlite(db), "SELECT o.id, o.tip_id,"
	    " o.attempts, t.uid, o.recipient_sealed, o.body_sealed"
	    " FROM outbox o JOIN tips t ON t.id = o.tip_id"
	    " WHERE o.sent_at IS NULL AND o.next_at <= ?1 AND o.id > ?2"
	    " ORDER BY o.id LIMIT 1", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, after_id);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		sqlite3_finalize(st);
		return r == SQLITE_DONE ? STORAGE_ERR_NOTFOUND :
		    db_status_from_sqlite(r);
	}
	out->id = sqlite3_column_int64(st, 0);
	out->tip_id = sqlite3_column_int64(st, 1);
	out->attempts = sqlite3_column_int(st, 2);
	if (sqlite3_column_bytes(st, 3) != (int)sizeof(uid)) {
		sqlite3_finalize(st);
		return STORAGE_ERR_CORRUPT;
	}
	memcpy(uid, sqlite3_column_blob(st, 3), sizeof(uid));
	rc = key_slots_content_key(db, out->tip_id, uid, mk, key);
	if (rc == STORAGE_ERR_NOTFOUND)
		rc = STORAGE_ERR_CORRUPT;
	if (rc == STORAGE_OK)
		rc = outbox_open(st, 4, key, uid, out->id, "recipient",
		    &out->recipient, NULL);
	if (rc == STORAGE_OK)
		rc = outbox_open(st, 5, key, uid, out->id, "body",
		    &out->message, &out->len);
	sodium_memzero(key, sizeof(key));
	sqlite3_finalize(st);
	if (rc != STORAGE_OK) {
		int64_t id = out->id;

		outbox_item_free(out);
		out->id = id;
	}
	return rc;
}

enum storage_status
outbox_mark_sent(struct db *db, int64_t id, int64_t at)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "UPDATE outbox SET sent_at = ?1,"
	    " last_error = NULL WHERE id = ?2", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	return outbox_exec(db, st);
}

enum storage_status
outbox_mark_failed(struct db *db, int64_t id, int attempts, int64_t next_at,
    const char *error)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "UPDATE outbox SET attempts = ?1,"
	    " next_at = ?2, last_error = substr(?3, 1, ?4) WHERE id = ?5", -1,
	    &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int(st, 1, attempts);
	sqlite3_bind_int64(st, 2, next_at);
	sqlite3_bind_text(st, 3, error != NULL ? error : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 4, OUTBOX_ERROR_MAX);
	sqlite3_bind_int64(st, 5, id);
	return outbox_exec(db, st);
}
