/* SPDX-License-Identifier: MIT */
/*
 * The tipster's view of a tip (see tip_lookup.h): one query by receipt
 * hash or row id joining the bureau's names, and the walk over the tip's
 * attachment rows.  Read-only; runs on a worker.
 */
#include "storage/tip_lookup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "storage/record.h"
#include "storage/store_ad.h"

#define TIP_LOOKUP_SELECT \
	"SELECT t.id, t.uid, t.public_id, t.status, t.bureau," \
	" coalesce(b.name_zh, ''), coalesce(b.name_en, ''), t.received_at," \
	" t.updated_at FROM tips t LEFT JOIN bureaus b ON b.code = t.bureau "

static void
copy_col(char *dst, size_t len, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	snprintf(dst, len, "%s", s != NULL ? (const char *)s : "");
}

/* Run a prepared lookup with its parameter bound; fill out. */
static enum storage_status
tip_lookup_run(sqlite3_stmt *st, struct tip_lookup *out)
{
	int r = sqlite3_step(st);

	if (r == SQLITE_DONE)
		return STORAGE_ERR_NOTFOUND;
	if (r != SQLITE_ROW)
		return db_status_from_sqlite(r);
	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_bytes(st, 1) != TIP_UID_BYTES)
		return STORAGE_ERR_CORRUPT;
	memcpy(out->uid, sqlite3_column_blob(st, 1), TIP_UID_BYTES);
	copy_col(out->public_id, sizeof(out->public_id), st, 2);
	copy_col(out->status, sizeof(out->status), st, 3);
	copy_col(out->bureau, sizeof(out->bureau), st, 4);
	copy_col(out->bureau_zh, sizeof(out->bureau_zh), st, 5);
	copy_col(out->bureau_en, sizeof(out->bureau_en), st, 6);
	out->received_at = sqlite3_column_int64(st, 7);
	out->updated_at = sqlite3_column_int64(st, 8);
	return STORAGE_OK;
}

enum storage_status
tip_lookup_by_receipt(struct db *db, const unsigned char hash[TIP_MAC_BYTES],
    struct tip_lookup *out)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), TIP_LOOKUP_SELECT
	    "WHERE t.receipt_hash = ?1", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_blob(st, 1, hash, TIP_MAC_BYTES, SQLITE_STATIC);
	rc = tip_lookup_run(st, out);
	sqlite3_finalize(st);
	return rc;
}

enum storage_status
tip_lookup_by_id(struct db *db, int64_t id, struct tip_lookup *out)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), TIP_LOOKUP_SELECT
	    "WHERE t.id = ?1", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, id);
	rc = tip_lookup_run(st, out);
	sqlite3_finalize(st);
	return rc;
}

enum storage_status
tip_lookup_files(struct db *db, const struct tip_lookup *t,
    const unsigned char key[KEYS_KEY_BYTES],
    int (*cb)(void *arg, const struct tip_lookup_file *f), void *arg)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc = STORAGE_OK;
	char ad[STORE_AD_MAX];
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "SELECT id,"
	    " coalesce(message_id, 0), blob_name, size, detected_type,"
	    " name_sealed FROM attachments WHERE tip_id = ?1 ORDER BY id"
	    " LIMIT ?2", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_int(st, 2, TIP_LOOKUP_FILES_MAX);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct tip_lookup_file f;
		const char *blob = (const char *)sqlite3_column_text(st, 2);
		const char *type = (const char *)sqlite3_column_text(st, 4);
		unsigned char *plain = NULL;
		size_t plainlen = 0;
		int stop;

		if (blob == NULL || store_ad_tip_attachment_name(ad, sizeof(ad),
		    t->uid, blob) != 0) {
			rc = STORAGE_ERR_CORRUPT;
			break;
		}
		rc = record_open(key, ad, sqlite3_column_blob(st, 5),
		    (size_t)sqlite3_column_bytes(st, 5), &plain, &plainlen);
		if (rc != STORAGE_OK)
			break;
		f.id = sqlite3_column_int64(st, 0);
		f.message_id = sqlite3_column_int64(st, 1);
		f.name = (const char *)plain;
		f.size = sqlite3_column_int64(st, 3);
		f.type = type != NULL ? type : "";
		stop = cb(arg, &f);
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
