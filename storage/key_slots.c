/* SPDX-License-Identifier: MIT */
/*
 * Key slots (see key_slots.h).  Every wrapped key is record_seal() output
 * under the master key with the owner string as associated data, so a slot
 * copied to another tip or purpose does not open.
 */
#include "storage/key_slots.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "storage/store_ad.h"

/* Read the slot of (tip_id or NULL, purpose) under mk; NOTFOUND if none. */
static enum storage_status
key_slots_read(struct db *db, int64_t tip_id, const char *purpose,
    const char *owner, const struct keys_master *mk,
    unsigned char key[KEYS_KEY_BYTES])
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc = STORAGE_ERR_NOTFOUND;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db),
	    "SELECT wrapped FROM key_slots WHERE tip_id IS ?1 AND purpose = ?2"
	    " AND kind = ?3 AND key_id = ?4", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	if (tip_id > 0)
		sqlite3_bind_int64(st, 1, tip_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, KEYS_SLOT_KIND_MASTER, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, mk->id, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		rc = keys_slot_unwrap(mk, mk->id, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), owner, key);
	else if (r != SQLITE_DONE)
		rc = db_status_from_sqlite(r);
	sqlite3_finalize(st);
	return rc;
}

static enum storage_status
key_slots_insert(struct db *db, int64_t tip_id, const char *purpose,
    const char *owner, const struct keys_master *mk,
    const unsigned char key[KEYS_KEY_BYTES], int64_t now, bool or_ignore)
{
	unsigned char *wrapped = NULL;
	size_t wlen = 0;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	rc = keys_slot_wrap(mk, key, owner, &wrapped, &wlen);
	if (rc != STORAGE_OK)
		return rc;
	r = sqlite3_prepare_v2(db_sqlite(db), or_ignore ?
	    "INSERT OR IGNORE INTO key_slots (tip_id, purpose, kind, key_id,"
	    " wrapped, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)" :
	    "INSERT INTO key_slots (tip_id, purpose, kind, key_id,"
	    " wrapped, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    -1, &st, NULL);
	if (r != SQLITE_OK) {
		free(wrapped);
		return db_status_from_sqlite(r);
	}
	if (tip_id > 0)
		sqlite3_bind_int64(st, 1, tip_id);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, KEYS_SLOT_KIND_MASTER, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, mk->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, wrapped, (int)wlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now);
	r = sqlite3_step(st);
	rc = r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(
	    sqlite3_extended_errcode(db_sqlite(db)));
	sqlite3_finalize(st);
	free(wrapped);
	return rc;
}

enum storage_status
key_slots_check_master(struct db *db, const struct keys_master *mk,
    char *other_id, size_t other_len)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc = STORAGE_OK;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db),
	    "SELECT EXISTS (SELECT 1 FROM key_slots WHERE kind = ?1"
	    "  AND key_id = ?2),"
	    " (SELECT key_id FROM key_slots WHERE kind = ?1 AND key_id <> ?2"
	    "  LIMIT 1)", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_text(st, 1, KEYS_SLOT_KIND_MASTER, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, mk->id, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW)
		rc = db_status_from_sqlite(r);
	else if (sqlite3_column_int(st, 0) == 0 &&
	    sqlite3_column_type(st, 1) != SQLITE_NULL) {
		rc = STORAGE_ERR_KEY;
		if (other_id != NULL && other_len > 0)
			snprintf(other_id, other_len, "%s",
			    (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return rc;
}

enum storage_status
key_slots_service_key(struct db *db, const struct keys_master *mk,
    const char *purpose, unsigned char key[KEYS_KEY_BYTES])
{
	char owner[STORE_AD_MAX];
	unsigned char fresh[KEYS_KEY_BYTES];
	enum storage_status rc;

	if (store_ad_service_owner(owner, sizeof(owner), purpose) != 0)
		return STORAGE_ERR_INVALID;
	rc = key_slots_read(db, 0, purpose, owner, mk, key);
	if (rc != STORAGE_ERR_NOTFOUND)
		return rc;
	/* Never a new service key under a master key that is not the
	 * data's: everything stored with it would be lost with the key. */
	if ((rc = key_slots_check_master(db, mk, NULL, 0)) != STORAGE_OK)
		return rc;
	keys_content_key_new(fresh);
	rc = key_slots_insert(db, 0, purpose, owner, mk, fresh,
	    (int64_t)time(NULL), true);
	sodium_memzero(fresh, sizeof(fresh));
	if (rc != STORAGE_OK)
		return rc;
	/* Whoever inserted first won; everyone uses that key. */
	return key_slots_read(db, 0, purpose, owner, mk, key);
}

enum storage_status
key_slots_add_content(struct db *db, int64_t tip_id,
    const unsigned char uid[16], const struct keys_master *mk,
    const unsigned char key[KEYS_KEY_BYTES], int64_t now)
{
	char owner[STORE_AD_MAX];

	if (store_ad_tip_owner(owner, sizeof(owner), uid) != 0)
		return STORAGE_ERR_INVALID;
	return key_slots_insert(db, tip_id, STORE_AD_SLOT_PURPOSE_CONTENT,
	    owner, mk, key, now, false);
}

enum storage_status
key_slots_content_key(struct db *db, int64_t tip_id,
    const unsigned char uid[16], const struct keys_master *mk,
    unsigned char key[KEYS_KEY_BYTES])
{
	char owner[STORE_AD_MAX];

	if (store_ad_tip_owner(owner, sizeof(owner), uid) != 0)
		return STORAGE_ERR_INVALID;
	return key_slots_read(db, tip_id, STORE_AD_SLOT_PURPOSE_CONTENT, owner,
	    mk, key);
}

enum storage_status
key_slots_rotate(struct db *db, const struct keys_master *from,
    const struct keys_master *to, long *count)
{
	static const char sql[] =
	    "SELECT k.tip_id, k.purpose, k.wrapped, t.uid FROM key_slots k"
	    " LEFT JOIN tips t ON t.id = k.tip_id"
	    " WHERE k.kind = ?1 AND k.key_id = ?2 AND NOT EXISTS ("
	    "  SELECT 1 FROM key_slots n WHERE n.kind = ?1 AND n.key_id = ?3"
	    "  AND n.tip_id IS k.tip_id AND n.purpose = k.purpose)";
	sqlite3_stmt *st = NULL;
	unsigned char key[KEYS_KEY_BYTES];
	char owner[STORE_AD_MAX];
	enum storage_status rc;
	int r;

	*count = 0;
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK) {
		rc = db_status_from_sqlite(r);
		goto fail;
	}
	sqlite3_bind_text(st, 1, KEYS_SLOT_KIND_MASTER, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, from->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, to->id, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t tip_id = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(st, 0);
		const char *purpose = (const char *)sqlite3_column_text(st, 1);

		if (tip_id > 0) {
			if (sqlite3_column_bytes(st, 3) != 16 ||
			    store_ad_tip_owner(owner, sizeof(owner),
			    sqlite3_column_blob(st, 3)) != 0) {
				rc = STORAGE_ERR_CORRUPT;
				goto fail;
			}
		} else if (store_ad_service_owner(owner, sizeof(owner),
		    purpose) != 0) {
			rc = STORAGE_ERR_CORRUPT;
			goto fail;
		}
		rc = keys_slot_unwrap(from, from->id, sqlite3_column_blob(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2), owner, key);
		if (rc == STORAGE_OK)
			rc = key_slots_insert(db, tip_id, purpose, owner, to, key,
			    (int64_t)time(NULL), false);
		sodium_memzero(key, sizeof(key));
		if (rc != STORAGE_OK)
			goto fail;
		(*count)++;
	}
	if (r != SQLITE_DONE) {
		rc = db_status_from_sqlite(r);
		goto fail;
	}
	sqlite3_finalize(st);
	return db_commit(db);
fail:
	sqlite3_finalize(st);
	db_rollback(db);
	*count = 0;
	return rc;
}

enum storage_status
key_slots_drop_replaced(struct db *db, const char *keep_id, long *count)
{
	sqlite3_stmt *st = NULL;
	int r;

	*count = 0;
	r = sqlite3_prepare_v2(db_sqlite(db),
	    "DELETE FROM key_slots WHERE kind = ?1 AND key_id <> ?2 AND EXISTS ("
	    " SELECT 1 FROM key_slots n WHERE n.kind = ?1 AND n.key_id = ?2"
	    " AND n.tip_id IS key_slots.tip_id AND n.purpose = key_slots.purpose)",
	    -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_text(st, 1, KEYS_SLOT_KIND_MASTER, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, keep_id, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		*count = sqlite3_changes(db_sqlite(db));
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}
