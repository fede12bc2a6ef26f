/* SPDX-License-Identifier: MIT */
/*
 * Tip rows: storing a new tip with its key slot, attachments and audit
 * entry in one transaction, and the small lookups intake needs.
 */
#include "storage/tip_store.h"

#include <stdio.h>
#include <string.h>

#include "storage/audit.h"
#include "storage/key_slots.h"
#include "storage/tip_triage.h"

/* The status of the statement's last failure. */
static enum storage_status
stmt_status(struct db *db)
{
	return db_status_from_sqlite(sqlite3_extended_errcode(db_sqlite(db)));
}

/* Find the tip already holding a nonce or dedup hash, for EXISTS. */
static bool
tip_store_find_dup(struct db *db, const struct tip_store_new *t,
    char public_id[TIP_PUBLIC_ID_MAX])
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT public_id FROM tips "
	    "WHERE nonce_hash = ?1 OR dedup_hash = ?2", -1, &st, NULL) !=
	    SQLITE_OK)
		return false;
	if (t->nonce_hash != NULL)
		sqlite3_bind_blob(st, 1, t->nonce_hash, TIP_MAC_BYTES,
		    SQLITE_STATIC);
	if (t->dedup_hash != NULL)
		sqlite3_bind_blob(st, 2, t->dedup_hash, TIP_MAC_BYTES,
		    SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(public_id, TIP_PUBLIC_ID_MAX, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

/* The next "T-YYYY-NNNNNN" for the year of received_on. */
static enum storage_status
tip_store_next_id(struct db *db, const char *received_on,
    char public_id[TIP_PUBLIC_ID_MAX])
{
	sqlite3_stmt *st = NULL;
	char prefix[8];
	long long n = 0;
	int r;

	if (strlen(received_on) < 4)
		return STORAGE_ERR_INVALID;
	snprintf(prefix, sizeof(prefix), "T-%.4s-", received_on);
	r = sqlite3_prepare_v2(db_sqlite(db), "SELECT max(CAST(substr("
	    "public_id, 8) AS INTEGER)) FROM tips WHERE public_id LIKE ?1 || '%'",
	    -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (r != SQLITE_ROW)
		return db_status_from_sqlite(r);
	if (n < 0 || n >= 999999999)
		return STORAGE_ERR_INTERNAL;
	if (snprintf(public_id, TIP_PUBLIC_ID_MAX, "%s%06d", prefix,
	    (int)(n + 1)) >= TIP_PUBLIC_ID_MAX)
		return STORAGE_ERR_INTERNAL;
	return STORAGE_OK;
}

static enum storage_status
tip_store_insert_tip(struct db *db, const struct tip_store_new *t,
    const char *public_id, int64_t *tip_id)
{
	static const char sql[] =
	    "INSERT INTO tips (public_id, uid, channel, status, bureau, domain,"
	    " violation, campaign, priority, route_reason, needs_review,"
	    " real_name, occurred_on, received_at, received_on, updated_at,"
	    " receipt_hash, nonce_hash, dedup_hash, record_sealed,"
	    " institution_id, wo_12315, contact_mac)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " coalesce(?8, " TIP_TRIAGE_CAMPAIGN_SQL("?6", "?15") "),"
	    " ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?14, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";
	sqlite3_stmt *st = NULL;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_text(st, 1, public_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, t->uid, TIP_UID_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->bureau, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 6, t->domain);
	db_bind_text_or_null(st, 7, t->violation);
	db_bind_text_or_null(st, 8, t->campaign);
	sqlite3_bind_int(st, 9, t->priority);
	db_bind_text_or_null(st, 10, t->route_reason);
	sqlite3_bind_int(st, 11, t->needs_review ? 1 : 0);
	sqlite3_bind_int(st, 12, t->real_name ? 1 : 0);
	db_bind_text_or_null(st, 13, t->occurred_on);
	sqlite3_bind_int64(st, 14, t->received_at);
	sqlite3_bind_text(st, 15, t->received_on, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 16, t->receipt_hash, TIP_MAC_BYTES,
	    SQLITE_STATIC);
	if (t->nonce_hash != NULL)
		sqlite3_bind_blob(st, 17, t->nonce_hash, TIP_MAC_BYTES,
		    SQLITE_STATIC);
	if (t->dedup_hash != NULL)
		sqlite3_bind_blob(st, 18, t->dedup_hash, TIP_MAC_BYTES,
		    SQLITE_STATIC);
	sqlite3_bind_blob(st, 19, t->record_sealed, (int)t->record_sealed_len,
	    SQLITE_STATIC);
	if (t->institution_id > 0)
		sqlite3_bind_int64(st, 20, t->institution_id);
	else
		sqlite3_bind_null(st, 20);
	db_bind_text_or_null(st, 21, t->wo_12315);
	if (t->contact_mac != NULL)
		sqlite3_bind_blob(st, 22, t->contact_mac, TIP_MAC_BYTES,
		    SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return stmt_status(db);
	*tip_id = sqlite3_last_insert_rowid(db_sqlite(db));
	return STORAGE_OK;
}

static enum storage_status
tip_store_insert_attachment(struct db *db, int64_t tip_id,
    const struct tip_store_attachment *a, int64_t now)
{
	static const char sql[] =
	    "INSERT INTO attachments (tip_id, blob_name, size, detected_type,"
	    " is_original_mail, content_mac, name_sealed, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	sqlite3_stmt *st = NULL;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, tip_id);
	sqlite3_bind_text(st, 2, a->blob_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)a->size);
	sqlite3_bind_text(st, 4, a->detected_type, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, a->is_original_mail ? 1 : 0);
	sqlite3_bind_blob(st, 6, a->content_mac, TIP_MAC_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, a->name_sealed, (int)a->name_sealed_len,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, now);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : stmt_status(db);
}

enum storage_status
tip_store_commit(struct db *db, const struct keys_master *mk,
    const struct tip_store_new *t, char public_id[TIP_PUBLIC_ID_MAX])
{
	enum storage_status rc;
	int64_t tip_id = 0;

	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((t->nonce_hash != NULL || t->dedup_hash != NULL) &&
	    tip_store_find_dup(db, t, public_id)) {
		db_rollback(db);
		return STORAGE_ERR_EXISTS;
	}
	if ((rc = tip_store_next_id(db, t->received_on, public_id)) !=
	    STORAGE_OK ||
	    (rc = tip_store_insert_tip(db, t, public_id, &tip_id)) !=
	    STORAGE_OK ||
	    (rc = key_slots_add_content(db, tip_id, t->uid, mk,
	    t->content_key, t->received_at)) != STORAGE_OK)
		goto fail;
	for (size_t i = 0; i < t->nattachments; i++)
		if ((rc = tip_store_insert_attachment(db, tip_id,
		    &t->attachments[i], t->received_at)) != STORAGE_OK)
			goto fail;
	if ((rc = tip_triage_add_report_macs(db, tip_id, t->report_macs,
	    t->nreport_macs)) != STORAGE_OK)
		goto fail;
	if (t->in_commit != NULL && (rc = t->in_commit(t->in_commit_arg, db,
	    tip_id, public_id)) != STORAGE_OK)
		goto fail;
	if ((rc = audit_append(db, t->received_at, t->audit_user,
	    "tip.receive", public_id, t->channel)) != STORAGE_OK)
		goto fail;
	if ((rc = db_commit(db)) != STORAGE_OK)
		goto fail;
	return STORAGE_OK;
fail:
	db_rollback(db);
	return rc;
}

enum storage_status
tip_store_each_blob(struct db *db, int (*cb)(void *arg, const char *name),
    void *arg)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "SELECT blob_name FROM "
	    "attachments ORDER BY id", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(arg, (const char *)sqlite3_column_text(st, 0)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}

int
tip_store_blob_is_referenced(struct db *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int r, ref = -1;

	r = sqlite3_prepare_v2(db_sqlite(db),
	    "SELECT 1 FROM attachments WHERE blob_name = ?", -1, &st, NULL);
	if (r != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		ref = 1;
	else if (r == SQLITE_DONE)
		ref = 0;
	sqlite3_finalize(st);
	return ref;
}

/* Whether the one-parameter query returns a row for code. */
static bool
tip_store_exists(struct db *db, const char *sql, const char *code)
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (code == NULL || sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st,
	    NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

bool
tip_store_is_county(struct db *db, const char *code)
{
	return tip_store_exists(db, "SELECT 1 FROM bureaus WHERE code = ?1 AND"
	    " county_code = ?1", code);
}

bool
tip_store_is_bureau(struct db *db, const char *code)
{
	return tip_store_exists(db, "SELECT 1 FROM bureaus WHERE code = ?1",
	    code);
}

bool
tip_store_is_domain(struct db *db, const char *code)
{
	return tip_store_exists(db, "SELECT 1 FROM domains WHERE code = ?1",
	    code);
}

bool
tip_store_is_violation(struct db *db, const char *code)
{
	return tip_store_exists(db, "SELECT 1 FROM violation_types WHERE "
	    "code = ?1", code);
}

int
tip_store_county_name(struct db *db, const char *code, char *buf, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT name FROM places WHERE "
	    "code = ?1 AND county_code = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st,
		    0));
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}
