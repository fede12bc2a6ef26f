/* SPDX-License-Identifier: MIT */
/*
 * Messages (see messages.h).  The body's associated data names the row
 * id, so the id must exist before the body is sealed: the row goes in with
 * an empty blob inside the transaction, and the sealed body replaces it
 * before commit; nobody ever sees the placeholder.  Load: a handful of
 * messages per tip, one write per message.
 */
#include "storage/messages.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "storage/audit.h"
#include "storage/record.h"
#include "storage/store_ad.h"

static enum storage_status
messages_step(struct db *db, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	if (r == SQLITE_DONE || r == SQLITE_ROW)
		return STORAGE_OK;
	return db_status_from_sqlite(sqlite3_extended_errcode(db_sqlite(db)));
}

static enum storage_status
messages_insert_attachment(struct db *db, int64_t tip_id, int64_t message_id,
    const struct tip_store_attachment *a, int64_t now)
{
	static const char sql[] =
	    "INSERT INTO attachments (tip_id, message_id, blob_name, size,"
	    " detected_type, is_original_mail, content_mac, name_sealed,"
	    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, tip_id);
	sqlite3_bind_int64(st, 2, message_id);
	sqlite3_bind_text(st, 3, a->blob_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)a->size);
	sqlite3_bind_text(st, 5, a->detected_type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, a->is_original_mail ? 1 : 0);
	sqlite3_bind_blob(st, 7, a->content_mac, TIP_MAC_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, a->name_sealed, (int)a->name_sealed_len,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, now);
	rc = messages_step(db, st);
	sqlite3_finalize(st);
	return rc;
}

/* Insert the row with an empty body; *id gets its row id. */
static enum storage_status
messages_insert_row(struct db *db, const struct messages_new *m, int64_t *id)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "INSERT INTO messages (tip_id,"
	    " sender, user_id, at, body_sealed) VALUES (?1, ?2, ?3, ?4, x'')",
	    -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, m->tip_id);
	sqlite3_bind_text(st, 2, m->sender, -1, SQLITE_STATIC);
	if (m->user_id > 0)
		sqlite3_bind_int64(st, 3, m->user_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, m->at);
	rc = messages_step(db, st);
	sqlite3_finalize(st);
	if (rc == STORAGE_OK)
		*id = sqlite3_last_insert_rowid(db_sqlite(db));
	return rc;
}

/* Seal the body under the row's identity and write it. */
static enum storage_status
messages_write_body(struct db *db, const struct messages_new *m, int64_t id)
{
	char ad[STORE_AD_MAX];
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if (store_ad_tip_message(ad, sizeof(ad), m->uid, id) != 0)
		return STORAGE_ERR_INTERNAL;
	rc = record_seal(m->key, ad, m->text, m->len, &sealed, &sealed_len);
	if (rc != STORAGE_OK)
		return rc;
	r = sqlite3_prepare_v2(db_sqlite(db), "UPDATE messages SET body_sealed"
	    " = ?1 WHERE id = ?2", -1, &st, NULL);
	if (r != SQLITE_OK) {
		free(sealed);
		return db_status_from_sqlite(r);
	}
	sqlite3_bind_blob(st, 1, sealed, (int)sealed_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	rc = messages_step(db, st);
	sqlite3_finalize(st);
	free(sealed);
	return rc;
}

static enum storage_status
messages_touch_tip(struct db *db, int64_t tip_id, int64_t at)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "UPDATE tips SET updated_at ="
	    " max(updated_at, ?1) WHERE id = ?2", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, tip_id);
	rc = messages_step(db, st);
	if (rc == STORAGE_OK && sqlite3_changes(db_sqlite(db)) != 1)
		rc = STORAGE_ERR_NOTFOUND;
	sqlite3_finalize(st);
	return rc;
}

enum storage_status
messages_add(struct db *db, const struct messages_new *m, int64_t *message_id)
{
	enum storage_status rc;
	int64_t id = 0;

	if (m == NULL || m->uid == NULL || m->key == NULL ||
	    m->sender == NULL || (strcmp(m->sender, "tipster") != 0 &&
	    strcmp(m->sender, "bureau") != 0) || m->len > MESSAGES_TEXT_MAX ||
	    (m->text == NULL && m->len > 0))
		return STORAGE_ERR_INVALID;
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = messages_insert_row(db, m, &id)) != STORAGE_OK ||
	    (rc = messages_write_body(db, m, id)) != STORAGE_OK ||
	    (rc = messages_touch_tip(db, m->tip_id, m->at)) != STORAGE_OK)
		goto fail;
	for (size_t i = 0; i < m->nattachments; i++)
		if ((rc = messages_insert_attachment(db, m->tip_id, id,
		    &m->attachments[i], m->at)) != STORAGE_OK)
			goto fail;
	if ((rc = audit_append(db, m->at, m->audit_user, "message.add",
	    m->public_id, m->sender)) != STORAGE_OK ||
	    (rc = db_commit(db)) != STORAGE_OK)
		goto fail;
	if (message_id != NULL)
		*message_id = id;
	return STORAGE_OK;
fail:
	db_rollback(db);
	return rc;
}

enum storage_status
messages_each(struct db *db, int64_t tip_id, const unsigned char uid[16],
    const unsigned char key[KEYS_KEY_BYTES],
    int (*cb)(void *arg, const struct messages_row *row), void *arg)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc = STORAGE_OK;
	char ad[STORE_AD_MAX];
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "SELECT id, sender, at,"
	    " body_sealed FROM (SELECT * FROM messages WHERE tip_id = ?1"
	    " ORDER BY at DESC, id DESC LIMIT ?2) ORDER BY at, id", -1, &st,
	    NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, tip_id);
	sqlite3_bind_int(st, 2, MESSAGES_LIST_MAX);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct messages_row row;
		unsigned char *plain = NULL;
		size_t plainlen = 0;
		int stop;

		row.id = sqlite3_column_int64(st, 0);
		row.sender = (const char *)sqlite3_column_text(st, 1);
		row.at = sqlite3_column_int64(st, 2);
		if (row.sender == NULL ||
		    store_ad_tip_message(ad, sizeof(ad), uid, row.id) != 0) {
			rc = STORAGE_ERR_CORRUPT;
			break;
		}
		rc = record_open(key, ad, sqlite3_column_blob(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3), &plain, &plainlen);
		if (rc != STORAGE_OK)
			break;
		row.text = (const char *)plain;
		row.len = plainlen;
		stop = cb(arg, &row);
		sodium_memzero(plain, plainlen);
		free(plain);
		if (stop != 0)
			break;
	}
	if (rc == STORAGE_OK && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = db_status_from_sqlite(r);
	sqlite3_finalize(st);
	return rc;
}
