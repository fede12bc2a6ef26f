/* SPDX-License-Identifier: MIT */
/*
 * Scoped staff queries over tips (see tip_query.h).  Every statement that
 * reads or changes a tip, message or attachment here carries
 * SCOPE_SQL_TIP and goes through scope_bind(), which refuses a statement
 * without it; an object outside the caller's scope is simply not found.
 *
 * Load: a page of at most TIP_QUERY_PAGE_MAX tips (one key unwrap and one
 * record open each), one tip with its messages and attachment names, or
 * one attachment read whole into memory (the caller bounds its size).
 */
#include "storage/tip_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "storage/key_slots.h"
#include "storage/messages.h"
#include "storage/record.h"
#include "storage/store_ad.h"

#define TIP_COLUMNS "t.id, t.public_id, t.uid, t.channel, t.status, " \
	"t.bureau, t.domain, t.violation, t.priority, t.needs_review, " \
	"t.received_at, t.updated_at, t.route_reason, t.record_sealed"

/* Wipe and free an opened record. */
static void
tq_tip_clear(struct tip_query_tip *t)
{
	if (t->record != NULL) {
		sodium_memzero(t->record, t->record_len);
		free(t->record);
	}
	t->record = NULL;
	t->record_len = 0;
}

/*
 * Fill *t from a row of TIP_COLUMNS and open its record with its content
 * key (also returned in key when key is not NULL).
 */
static enum storage_status
tq_tip_from_row(struct db *db, const struct keys_master *mk, sqlite3_stmt *st,
    struct tip_query_tip *t, unsigned char key[KEYS_KEY_BYTES])
{
	unsigned char k[KEYS_KEY_BYTES];
	unsigned char *plain = NULL;
	char ad[STORE_AD_MAX];
	size_t plen = 0;
	enum storage_status rc;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	scope_column_text(t->public_id, sizeof(t->public_id), st, 1);
	if (sqlite3_column_bytes(st, 2) != (int)sizeof(t->uid))
		return STORAGE_ERR_CORRUPT;
	memcpy(t->uid, sqlite3_column_blob(st, 2), sizeof(t->uid));
	scope_column_text(t->channel, sizeof(t->channel), st, 3);
	scope_column_text(t->status, sizeof(t->status), st, 4);
	scope_column_text(t->bureau, sizeof(t->bureau), st, 5);
	scope_column_text(t->domain, sizeof(t->domain), st, 6);
	scope_column_text(t->violation, sizeof(t->violation), st, 7);
	t->priority = sqlite3_column_int(st, 8);
	t->needs_review = sqlite3_column_int(st, 9) != 0;
	t->received_at = sqlite3_column_int64(st, 10);
	t->updated_at = sqlite3_column_int64(st, 11);
	scope_column_text(t->route_reason, sizeof(t->route_reason), st, 12);

	rc = key_slots_content_key(db, t->id, t->uid, mk, k);
	if (rc != STORAGE_OK)
		return rc == STORAGE_ERR_NOTFOUND ? STORAGE_ERR_CORRUPT : rc;
	if (store_ad_tip_record(ad, sizeof(ad), t->uid) != 0) {
		sodium_memzero(k, sizeof(k));
		return STORAGE_ERR_INTERNAL;
	}
	rc = record_open(k, ad, sqlite3_column_blob(st, 13),
	    (size_t)sqlite3_column_bytes(st, 13), &plain, &plen);
	if (rc == STORAGE_OK) {
		t->record = (char *)plain;
		t->record_len = plen;
		if (key != NULL)
			memcpy(key, k, KEYS_KEY_BYTES);
	}
	sodium_memzero(k, sizeof(k));
	return rc;
}

/* The caller's callback and argument, for the row adapters below. */
struct tq_walk {
	int (*list)(void *arg, const struct tip_query_tip *t);
	int (*export)(void *arg, const struct tip_query_tip *t,
	    const struct tip_query_export_row *x);
	void *arg;
};

/*
 * Step st, a query of TIP_COLUMNS first, and finalize it: each row's
 * record is opened, handed with the row to row (non-zero stops) and
 * wiped before the next.  At most limit rows; *more (may be NULL) tells
 * whether another followed.
 */
static enum storage_status
tq_each_tip(struct db *db, const struct keys_master *mk, sqlite3_stmt *st,
    int limit, bool *more,
    int (*row)(sqlite3_stmt *st, const struct tip_query_tip *t, void *arg),
    void *arg)
{
	struct tip_query_tip t;
	enum storage_status rc;
	int r, n = 0;

	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int stop;

		if (n == limit) {
			if (more != NULL)
				*more = true;
			r = SQLITE_DONE;
			break;
		}
		if ((rc = tq_tip_from_row(db, mk, st, &t, NULL)) !=
		    STORAGE_OK) {
			tq_tip_clear(&t);
			sqlite3_finalize(st);
			return rc;
		}
		n++;
		stop = row(st, &t, arg);
		tq_tip_clear(&t);
		if (stop != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}

static int
tq_list_row(sqlite3_stmt *st, const struct tip_query_tip *t, void *arg)
{
	struct tq_walk *wk = arg;

	(void)st;
	return wk->list(wk->arg, t);
}

/*
 * A page of tips in scope, in the queue's order (tip_query.h); the
 * cursor is a row value compared in that order.  One statement; each row's
 * record is opened, handed to cb and wiped before the next.
 */
enum storage_status
tip_query_list(struct db *db, const struct keys_master *mk,
    const struct scope *scope, const struct tip_query_filter *f,
    int (*cb)(void *arg, const struct tip_query_tip *t), void *arg,
    bool *more)
{
	static const char sql[] =
	    "SELECT " TIP_COLUMNS " FROM tips t WHERE " SCOPE_SQL_TIP("t")
	    " AND (?1 IS NULL OR t.status = ?1)"
	    " AND (?2 IS NULL OR t.bureau = ?2)"
	    " AND (?3 = 0 OR (t.status <> 'received', -t.priority,"
	    "      -t.received_at, -t.id) > (?6, -?7, -?3, -?4))"
	    " ORDER BY t.status <> 'received', t.priority DESC,"
	    " t.received_at DESC, t.id DESC LIMIT ?5";
	struct tq_walk wk = { .list = cb, .arg = arg };
	sqlite3_stmt *st = NULL;
	enum storage_status rc;

	*more = false;
	if (f == NULL || f->limit < 1 || f->limit > TIP_QUERY_PAGE_MAX)
		return STORAGE_ERR_INVALID;
	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	if (f->status != NULL)
		sqlite3_bind_text(st, 1, f->status, -1, SQLITE_STATIC);
	if (f->bureau != NULL)
		sqlite3_bind_text(st, 2, f->bureau, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->before_at);
	sqlite3_bind_int64(st, 4, f->before_id);
	sqlite3_bind_int(st, 5, f->limit + 1);
	sqlite3_bind_int(st, 6, f->before_group);
	sqlite3_bind_int(st, 7, f->before_priority);
	return tq_each_tip(db, mk, st, f->limit, more, tq_list_row, &wk);
}

/* Find tip public_id in scope and open its record; key gets its key. */
static enum storage_status
tq_find_tip(struct db *db, const struct keys_master *mk,
    const struct scope *scope, const char *public_id,
    struct tip_query_tip *t, unsigned char key[KEYS_KEY_BYTES])
{
	static const char sql[] =
	    "SELECT " TIP_COLUMNS " FROM tips t WHERE t.public_id = ?1 AND "
	    SCOPE_SQL_TIP("t");
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	memset(t, 0, sizeof(*t));
	if (public_id == NULL || strlen(public_id) >= TIP_QUERY_ID_MAX)
		return STORAGE_ERR_NOTFOUND;
	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_text(st, 1, public_id, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		rc = tq_tip_from_row(db, mk, st, t, key);
	else if (r == SQLITE_DONE)
		rc = STORAGE_ERR_NOTFOUND;
	else
		rc = db_status_from_sqlite(r);
	sqlite3_finalize(st);
	if (rc != STORAGE_OK)
		tq_tip_clear(t);
	return rc;
}

/* Open a sealed value under key with the identity ad, as text. */
static enum storage_status
tq_open_text(const unsigned char key[KEYS_KEY_BYTES], const char *ad,
    sqlite3_stmt *st, int col, char **out, size_t *len)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	enum storage_status rc;

	rc = record_open(key, ad, sqlite3_column_blob(st, col),
	    (size_t)sqlite3_column_bytes(st, col), &plain, &plen);
	if (rc != STORAGE_OK)
		return rc;
	*out = (char *)plain;
	if (len != NULL)
		*len = plen;
	return STORAGE_OK;
}

static enum storage_status
tq_detail_messages(struct db *db, const struct scope *scope,
    const unsigned char key[KEYS_KEY_BYTES], struct tip_query_detail *d)
{
	static const char sql[] =
	    "SELECT m.id, m.sender, m.at, m.user_id, m.body_sealed FROM "
	    "messages m JOIN tips t ON t.id = m.tip_id WHERE t.id = ?1 AND "
	    SCOPE_SQL_TIP("t") " ORDER BY m.at, m.id";
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	char ad[STORE_AD_MAX];
	size_t cap = 0;
	int r;

	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, d->tip.id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct tip_query_message *m;

		if (d->nmessages == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			void *p = realloc(d->messages, ncap * sizeof(*m));

			if (p == NULL) {
				rc = STORAGE_ERR_NOMEM;
				break;
			}
			d->messages = p;
			cap = ncap;
		}
		m = &d->messages[d->nmessages];
		memset(m, 0, sizeof(*m));
		m->id = sqlite3_column_int64(st, 0);
		scope_column_text(m->sender, sizeof(m->sender), st, 1);
		m->at = sqlite3_column_int64(st, 2);
		m->user_id = sqlite3_column_int64(st, 3);
		if (store_ad_tip_message(ad, sizeof(ad), d->tip.uid, m->id) !=
		    0) {
			rc = STORAGE_ERR_CORRUPT;
			break;
		}
		if ((rc = tq_open_text(key, ad, st, 4, &m->text, &m->len)) !=
		    STORAGE_OK)
			break;
		d->nmessages++;
	}
	sqlite3_finalize(st);
	if (rc == STORAGE_OK && r != SQLITE_DONE)
		rc = db_status_from_sqlite(r);
	return rc;
}

static enum storage_status
tq_detail_attachments(struct db *db, const struct scope *scope,
    const unsigned char key[KEYS_KEY_BYTES], struct tip_query_detail *d)
{
	static const char sql[] =
	    "SELECT a.id, a.message_id, a.blob_name, a.size, a.detected_type,"
	    " a.is_original_mail, a.name_sealed FROM attachments a JOIN tips t"
	    " ON t.id = a.tip_id WHERE t.id = ?1 AND " SCOPE_SQL_TIP("t")
	    " ORDER BY a.id";
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	char ad[STORE_AD_MAX];
	size_t cap = 0;
	int r;

	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, d->tip.id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		struct tip_query_attachment *a;

		if (d->nattachments == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			void *p = realloc(d->attachments, ncap * sizeof(*a));

			if (p == NULL) {
				rc = STORAGE_ERR_NOMEM;
				break;
			}
			d->attachments = p;
			cap = ncap;
		}
		a = &d->attachments[d->nattachments];
		memset(a, 0, sizeof(*a));
		a->id = sqlite3_column_int64(st, 0);
		a->message_id = sqlite3_column_int64(st, 1);
		scope_column_text(a->blob_name, sizeof(a->blob_name), st, 2);
		a->size = sqlite3_column_int64(st, 3);
		scope_column_text(a->type, sizeof(a->type), st, 4);
		a->is_original_mail = sqlite3_column_int(st, 5) != 0;
		if (store_ad_tip_attachment_name(ad, sizeof(ad), d->tip.uid,
		    a->blob_name) != 0) {
			rc = STORAGE_ERR_CORRUPT;
			break;
		}
		if ((rc = tq_open_text(key, ad, st, 6, &a->name, NULL)) !=
		    STORAGE_OK)
			break;
		d->nattachments++;
	}
	sqlite3_finalize(st);
	if (rc == STORAGE_OK && r != SQLITE_DONE)
		rc = db_status_from_sqlite(r);
	return rc;
}

/*
 * One tip with its messages and attachment names, read inside one read
 * transaction so that the three statements see the same moment.
 */
enum storage_status
tip_query_detail(struct db *db, const struct keys_master *mk,
    const struct scope *scope, const char *public_id,
    struct tip_query_detail *out)
{
	unsigned char key[KEYS_KEY_BYTES];
	enum storage_status rc;
	bool own = false;

	memset(out, 0, sizeof(*out));
	if (sqlite3_get_autocommit(db_sqlite(db))) {
		if (sqlite3_exec(db_sqlite(db), "BEGIN", NULL, NULL, NULL) !=
		    SQLITE_OK)
			return db_status_from_sqlite(sqlite3_errcode(
			    db_sqlite(db)));
		own = true;
	}
	rc = tq_find_tip(db, mk, scope, public_id, &out->tip, key);
	if (rc == STORAGE_OK)
		rc = tq_detail_messages(db, scope, key, out);
	if (rc == STORAGE_OK)
		rc = tq_detail_attachments(db, scope, key, out);
	sodium_memzero(key, sizeof(key));
	if (own)
		(void)sqlite3_exec(db_sqlite(db), "COMMIT", NULL, NULL, NULL);
	if (rc != STORAGE_OK)
		tip_query_detail_free(out);
	return rc;
}

static void
tq_free_text(char *p, size_t len)
{
	if (p == NULL)
		return;
	sodium_memzero(p, len);
	free(p);
}

/* Wipe and free the detail's buffers; leaves *d empty. */
void
tip_query_detail_free(struct tip_query_detail *d)
{
	if (d == NULL)
		return;
	tq_tip_clear(&d->tip);
	for (size_t i = 0; i < d->nmessages; i++)
		tq_free_text(d->messages[i].text, d->messages[i].len);
	for (size_t i = 0; i < d->nattachments; i++)
		tq_free_text(d->attachments[i].name,
		    strlen(d->attachments[i].name));
	free(d->messages);
	free(d->attachments);
	memset(d, 0, sizeof(*d));
}

/*
 * One attachment in scope, decrypted whole.  The row's size (at most max)
 * bounds what blob_store_get() may return, so a blob grown on disk is an
 * error rather than a surprise allocation.
 */
enum storage_status
tip_query_attachment(struct db *db, const struct keys_master *mk,
    struct blob_store *bs, const struct scope *scope, const char *public_id,
    int64_t attachment_id, size_t max, struct tip_query_file *out)
{
	static const char sql[] =
	    "SELECT t.id, t.uid, a.blob_name, a.size, a.detected_type, "
	    "a.name_sealed FROM attachments a JOIN tips t ON t.id = a.tip_id "
	    "WHERE t.public_id = ?1 AND a.id = ?2 AND " SCOPE_SQL_TIP("t");
	unsigned char key[KEYS_KEY_BYTES], uid[16];
	char ad[STORE_AD_MAX], blob[BLOB_NAME_LEN + 1];
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int64_t tip_id, size;
	int r;

	memset(out, 0, sizeof(*out));
	if (public_id == NULL || strlen(public_id) >= TIP_QUERY_ID_MAX ||
	    attachment_id <= 0)
		return STORAGE_ERR_NOTFOUND;
	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_text(st, 1, public_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, attachment_id);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		sqlite3_finalize(st);
		return r == SQLITE_DONE ? STORAGE_ERR_NOTFOUND :
		    db_status_from_sqlite(r);
	}
	tip_id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_bytes(st, 1) != (int)sizeof(uid)) {
		sqlite3_finalize(st);
		return STORAGE_ERR_CORRUPT;
	}
	memcpy(uid, sqlite3_column_blob(st, 1), sizeof(uid));
	scope_column_text(blob, sizeof(blob), st, 2);
	size = sqlite3_column_int64(st, 3);
	scope_column_text(out->type, sizeof(out->type), st, 4);
	(void)snprintf(out->public_id, sizeof(out->public_id), "%s",
	    public_id);
	out->id = attachment_id;
	if (size < 0 || (uint64_t)size > max) {
		sqlite3_finalize(st);
		return STORAGE_ERR_INVALID;
	}
	rc = key_slots_content_key(db, tip_id, uid, mk, key);
	if (rc == STORAGE_ERR_NOTFOUND)
		rc = STORAGE_ERR_CORRUPT;
	if (rc == STORAGE_OK && store_ad_tip_attachment_name(ad, sizeof(ad),
	    uid, blob) != 0)
		rc = STORAGE_ERR_CORRUPT;
	if (rc == STORAGE_OK)
		rc = tq_open_text(key, ad, st, 5, &out->name, NULL);
	sqlite3_finalize(st);
	if (rc == STORAGE_OK) {
		rc = blob_store_get(bs, key, blob, (size_t)size, &out->data,
		    &out->len);
		/* A blob that vanished under a row is damage, not absence. */
		if (rc == STORAGE_ERR_NOTFOUND)
			rc = STORAGE_ERR_CORRUPT;
	}
	sodium_memzero(key, sizeof(key));
	if (rc != STORAGE_OK)
		tip_query_file_free(out);
	return rc;
}

/* Wipe and free a decrypted attachment; leaves *f empty. */
void
tip_query_file_free(struct tip_query_file *f)
{
	if (f == NULL)
		return;
	if (f->name != NULL)
		tq_free_text(f->name, strlen(f->name));
	if (f->data != NULL) {
		sodium_memzero(f->data, f->len);
		free(f->data);
	}
	memset(f, 0, sizeof(*f));
}

/*
 * A bureau message to the tipster of tip public_id, if that tip is in the
 * caller's scope.  The scope check runs first; the sealing, the insert,
 * the tip's updated_at and the audit entry are messages_add()'s, the one
 * path every message takes (it learns the row id before sealing).
 */
enum storage_status
tip_query_message_add(struct db *db, const struct keys_master *mk,
    const struct scope *scope, const char *public_id, int64_t user_id,
    const char *text, int64_t now, const char *audit_user,
    int64_t *message_id)
{
	static const char find_sql[] =
	    "SELECT t.id, t.uid FROM tips t WHERE t.public_id = ?1 AND "
	    SCOPE_SQL_TIP("t");
	unsigned char key[KEYS_KEY_BYTES], uid[16];
	struct messages_new m;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int64_t tip_id;
	size_t tlen;
	int r;

	if (text == NULL || (tlen = strlen(text)) == 0 ||
	    tlen > TIP_QUERY_MESSAGE_MAX)
		return STORAGE_ERR_INVALID;
	if (public_id == NULL || strlen(public_id) >= TIP_QUERY_ID_MAX)
		return STORAGE_ERR_NOTFOUND;
	if ((rc = scope_prepare(db, find_sql, scope, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_text(st, 1, public_id, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r != SQLITE_ROW) {
		sqlite3_finalize(st);
		return r == SQLITE_DONE ? STORAGE_ERR_NOTFOUND :
		    db_status_from_sqlite(r);
	}
	tip_id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_bytes(st, 1) != (int)sizeof(uid)) {
		sqlite3_finalize(st);
		return STORAGE_ERR_CORRUPT;
	}
	memcpy(uid, sqlite3_column_blob(st, 1), sizeof(uid));
	sqlite3_finalize(st);

	rc = key_slots_content_key(db, tip_id, uid, mk, key);
	if (rc != STORAGE_OK)
		return rc == STORAGE_ERR_NOTFOUND ? STORAGE_ERR_CORRUPT : rc;
	memset(&m, 0, sizeof(m));
	m.tip_id = tip_id;
	m.uid = uid;
	m.key = key;
	m.public_id = public_id;
	m.sender = "bureau";
	m.user_id = user_id;
	m.audit_user = audit_user;
	m.text = text;
	m.len = tlen;
	m.at = now;
	rc = messages_add(db, &m, message_id);
	sodium_memzero(key, sizeof(key));
	return rc;
}

/* How many tips the export would write, to refuse more than f->max. */
#define TQ_EXPORT_WHERE " FROM tips t JOIN bureaus b ON b.code = t.bureau" \
	" LEFT JOIN domains d ON d.code = t.domain" \
	" LEFT JOIN violation_types v ON v.code = t.violation" \
	" LEFT JOIN institutions i ON i.id = t.institution_id" \
	" WHERE " SCOPE_SQL_TIP("t") \
	" AND t.channel IN ('web', 'api', 'email') AND t.wo_12315 IS NULL" \
	" AND t.status <> 'invalid' AND t.duplicate_of IS NULL" \
	" AND (?1 IS NULL OR t.bureau = ?1)" \
	" AND (?2 IS NULL OR t.received_on >= ?2)" \
	" AND (?3 IS NULL OR t.received_on <= ?3)"

/* Prepare one of the export's statements with the filter bound. */
static enum storage_status
tq_export_prepare(struct db *db, const char *sql, const struct scope *scope,
    const struct tip_query_export_filter *f, sqlite3_stmt **st)
{
	enum storage_status rc;

	if ((rc = scope_prepare(db, sql, scope, st)) != STORAGE_OK)
		return rc;
	if (f->bureau != NULL)
		sqlite3_bind_text(*st, 1, f->bureau, -1, SQLITE_STATIC);
	if (f->from != NULL)
		sqlite3_bind_text(*st, 2, f->from, -1, SQLITE_STATIC);
	if (f->to != NULL)
		sqlite3_bind_text(*st, 3, f->to, -1, SQLITE_STATIC);
	return STORAGE_OK;
}

static int
tq_export_row(sqlite3_stmt *st, const struct tip_query_tip *t, void *arg)
{
	struct tq_walk *wk = arg;
	struct tip_query_export_row x;

	scope_column_text(x.received_on, sizeof(x.received_on), st, 14);
	scope_column_text(x.bureau_name, sizeof(x.bureau_name), st, 15);
	scope_column_text(x.domain_name, sizeof(x.domain_name), st, 16);
	scope_column_text(x.violation_name, sizeof(x.violation_name), st, 17);
	scope_column_text(x.institution_name, sizeof(x.institution_name), st,
	    18);
	return wk->export(wk->arg, t, &x);
}

/* See tip_query.h. */
enum storage_status
tip_query_export(struct db *db, const struct keys_master *mk,
    const struct scope *scope, const struct tip_query_export_filter *f,
    int (*cb)(void *arg, const struct tip_query_tip *t,
    const struct tip_query_export_row *x), void *arg)
{
	static const char count_sql[] = "SELECT count(*)" TQ_EXPORT_WHERE;
	static const char sql[] = "SELECT " TIP_COLUMNS ", t.received_on,"
	    " b.name_zh, d.name_zh, v.name_zh, i.name" TQ_EXPORT_WHERE
	    " ORDER BY t.received_at, t.id";
	struct tq_walk wk = { .export = cb, .arg = arg };
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if (f == NULL || f->max < 1)
		return STORAGE_ERR_INVALID;
	if ((rc = tq_export_prepare(db, count_sql, scope, f, &st)) !=
	    STORAGE_OK)
		return rc;
	r = sqlite3_step(st);
	if (r == SQLITE_ROW && sqlite3_column_int64(st, 0) > f->max)
		rc = STORAGE_ERR_INVALID;
	else if (r != SQLITE_ROW)
		rc = db_status_from_sqlite(r);
	sqlite3_finalize(st);
	if (rc != STORAGE_OK ||
	    (rc = tq_export_prepare(db, sql, scope, f, &st)) != STORAGE_OK)
		return rc;
	return tq_each_tip(db, mk, st, f->max, NULL, tq_export_row, &wk);
}
