/* SPDX-License-Identifier: MIT */
/*
 * The audit log: who saw or changed what, append-only and hash-chained.
 *
 * Each row of the audit table stores hash = BLAKE2b-256(prev_hash ||
 * canonical(entry)), where prev_hash is the hash of the row before it (32
 * zero bytes for the first) and canonical(entry) is the fields id, at,
 * user, action, object, reason in that order, each as an 8-byte big-endian
 * length followed by its bytes.  The integers id and at are 8-byte
 * big-endian two's complement (so their length is 8); a NULL field has the
 * length 0xffffffffffffffff and no bytes, so NULL and "" differ.  Editing a
 * field breaks that row's hash; deleting or reordering rows breaks the
 * prev_hash link of the row after them and leaves a gap in the ids.  The
 * table's triggers refuse UPDATE and DELETE; the chain catches whoever
 * drops them.  It cannot catch removal of the newest entries, nor a
 * rewrite of the whole chain from the edit onwards: that needs an anchor
 * kept outside the database (a later addition).
 *
 * Text is stored escaped, and the hash is over the stored text: control
 * characters (below 0x20, and 0x7f), the backslash itself (so the escaping
 * cannot be forged by a field that already contains "\x0a") and bytes that
 * are not part of valid UTF-8 become \xNN (two lowercase hex digits).
 * Stored text is therefore always valid UTF-8 without control characters,
 * safe for a terminal, a log line and JSON.  Each field may hold at most
 * AUDIT_FIELD_MAX bytes before escaping.
 *
 * Load: one append per audited staff action (a few per second at most);
 * verify reads the whole table once.
 */
#include "storage/audit.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define AUDIT_HASH_BYTES 32
#define AUDIT_FIELD_MAX (64 * 1024)
#define AUDIT_NULL_LENGTH UINT64_MAX

_Static_assert(crypto_generichash_BYTES == AUDIT_HASH_BYTES,
    "BLAKE2b-256 output");

/* One text field as stored: p == NULL is SQL NULL. */
struct audit_text {
	const char	*p;
	size_t		 len;
};

struct audit_entry {
	int64_t			id;
	int64_t			at;
	struct audit_text	user;
	struct audit_text	action;
	struct audit_text	object;
	struct audit_text	reason;
};

/*
 * Length of the valid UTF-8 sequence starting at s (at most n bytes
 * available), or 0 if there is none: no overlong forms, no surrogates,
 * nothing above U+10FFFF (RFC 3629 section 4).
 */
static size_t
audit_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Escape s into a new malloc'd string (see the file comment).  NULL in,
 * NULL out with *ok true; *ok false on allocation failure.
 */
static char *
audit_escape(const char *s, bool *ok)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *in = (const unsigned char *)s;
	size_t n, i, o = 0, seq;
	char *out;

	*ok = true;
	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((out = malloc(n * 4 + 1)) == NULL) {
		*ok = false;
		return NULL;
	}
	for (i = 0; i < n; ) {
		if (in[i] >= 0x20 && in[i] < 0x7f && in[i] != '\\') {
			out[o++] = (char)in[i++];
			continue;
		}
		if (in[i] >= 0x80 && (seq = audit_utf8_len(in + i, n - i)) > 0) {
			memcpy(out + o, in + i, seq);
			o += seq;
			i += seq;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[in[i] >> 4];
		out[o++] = hex[in[i] & 0x0f];
		i++;
	}
	out[o] = '\0';
	return out;
}

static void
audit_put_be64(unsigned char b[8], uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static void
audit_hash_int(crypto_generichash_state *h, int64_t v)
{
	unsigned char b[16];

	audit_put_be64(b, 8);
	audit_put_be64(b + 8, (uint64_t)v);
	crypto_generichash_update(h, b, sizeof(b));
}

static void
audit_hash_text(crypto_generichash_state *h, const struct audit_text *t)
{
	unsigned char b[8];

	audit_put_be64(b, t->p == NULL ? AUDIT_NULL_LENGTH : (uint64_t)t->len);
	crypto_generichash_update(h, b, sizeof(b));
	if (t->p != NULL && t->len > 0)
		crypto_generichash_update(h, (const unsigned char *)t->p,
		    t->len);
}

/* out = BLAKE2b-256(prev || canonical(e)). */
static void
audit_hash(const unsigned char prev[AUDIT_HASH_BYTES],
    const struct audit_entry *e, unsigned char out[AUDIT_HASH_BYTES])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_BYTES);
	crypto_generichash_update(&h, prev, AUDIT_HASH_BYTES);
	audit_hash_int(&h, e->id);
	audit_hash_int(&h, e->at);
	audit_hash_text(&h, &e->user);
	audit_hash_text(&h, &e->action);
	audit_hash_text(&h, &e->object);
	audit_hash_text(&h, &e->reason);
	crypto_generichash_final(&h, out, AUDIT_HASH_BYTES);
}

static struct audit_text
audit_text_of(const char *s)
{
	struct audit_text t = { s, s != NULL ? strlen(s) : 0 };

	return t;
}

static int
audit_bind_text(sqlite3_stmt *st, int col, const struct audit_text *t)
{
	if (t->p == NULL)
		return sqlite3_bind_null(st, col);
	return sqlite3_bind_text(st, col, t->p, (int)t->len, SQLITE_STATIC);
}

static bool
audit_too_long(const char *s)
{
	return s != NULL && strnlen(s, AUDIT_FIELD_MAX + 1) > AUDIT_FIELD_MAX;
}

/*
 * Append one entry.  at is Unix seconds (0 = now); user, object and reason
 * may be NULL, action may not.  Inside the caller's transaction the entry
 * commits or rolls back with it (the caller's transaction should be a
 * db_begin one, so that reading the chain's head and appending cannot race
 * another writer); outside one, the append runs in its own BEGIN IMMEDIATE
 * transaction.  STORAGE_ERR_INVALID for a missing action or a field over
 * AUDIT_FIELD_MAX bytes; STORAGE_ERR_CORRUPT if the newest entry's hash is
 * malformed; otherwise the database's status.  The caller keeps its
 * strings.
 */
enum storage_status
audit_append(struct db *db, int64_t at, const char *user, const char *action,
    const char *object, const char *reason)
{
	static const unsigned char zero[AUDIT_HASH_BYTES];
	unsigned char prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
	char *e_user = NULL, *e_action = NULL, *e_object = NULL;
	char *e_reason = NULL;
	struct audit_entry e;
	sqlite3_stmt *st = NULL;
	sqlite3 *sq;
	enum storage_status res;
	bool own = false, ok1, ok2, ok3, ok4;
	int rc;

	if (db == NULL || action == NULL || audit_too_long(user) ||
	    audit_too_long(action) || audit_too_long(object) ||
	    audit_too_long(reason))
		return STORAGE_ERR_INVALID;
	sq = db_sqlite(db);
	e_user = audit_escape(user, &ok1);
	e_action = audit_escape(action, &ok2);
	e_object = audit_escape(object, &ok3);
	e_reason = audit_escape(reason, &ok4);
	if (!ok1 || !ok2 || !ok3 || !ok4) {
		res = STORAGE_ERR_NOMEM;
		goto out;
	}

	if (sqlite3_get_autocommit(sq)) {
		if ((res = db_begin(db)) != STORAGE_OK)
			goto out;
		own = true;
	}

	/* The head of the chain. */
	rc = sqlite3_prepare_v2(sq,
	    "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", -1, &st,
	    NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		e.id = 1;
		memcpy(prev, zero, sizeof(prev));
	} else if (rc == SQLITE_ROW) {
		e.id = sqlite3_column_int64(st, 0);
		if (e.id < 0 || e.id == INT64_MAX ||
		    sqlite3_column_type(st, 1) != SQLITE_BLOB ||
		    sqlite3_column_bytes(st, 1) != AUDIT_HASH_BYTES) {
			res = STORAGE_ERR_CORRUPT;
			goto out;
		}
		e.id++;
		memcpy(prev, sqlite3_column_blob(st, 1), sizeof(prev));
	} else {
		res = db_status_from_sqlite(rc);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;

	e.at = at != 0 ? at : (int64_t)time(NULL);
	e.user = audit_text_of(e_user);
	e.action = audit_text_of(e_action);
	e.object = audit_text_of(e_object);
	e.reason = audit_text_of(e_reason);
	audit_hash(prev, &e, hash);

	rc = sqlite3_prepare_v2(sq,
	    "INSERT INTO audit (id, at, user, action, object, reason, "
	    "prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1,
	    &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 1, e.id);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, e.at);
	if (rc == SQLITE_OK)
		rc = audit_bind_text(st, 3, &e.user);
	if (rc == SQLITE_OK)
		rc = audit_bind_text(st, 4, &e.action);
	if (rc == SQLITE_OK)
		rc = audit_bind_text(st, 5, &e.object);
	if (rc == SQLITE_OK)
		rc = audit_bind_text(st, 6, &e.reason);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 7, prev, sizeof(prev),
		    SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_blob(st, 8, hash, sizeof(hash),
		    SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		res = db_status_from_sqlite(rc);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	res = own ? db_commit(db) : STORAGE_OK;
	own = false;
out:
	sqlite3_finalize(st);
	if (own)
		db_rollback(db);
	free(e_user);
	free(e_action);
	free(e_object);
	free(e_reason);
	return res;
}

/* Report one problem (report may be NULL: the caller only counts). */
static void audit_report(void (*report)(void *, const char *), void *arg,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
audit_report(void (*report)(void *, const char *), void *arg,
    const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (report == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(arg, msg);
}

static struct audit_text
audit_column_text(sqlite3_stmt *st, int col)
{
	struct audit_text t = { NULL, 0 };

	if (sqlite3_column_type(st, col) != SQLITE_NULL) {
		t.p = (const char *)sqlite3_column_text(st, col);
		t.len = (size_t)sqlite3_column_bytes(st, col);
		if (t.p == NULL)	/* out of memory converting */
			t.p = "";
	}
	return t;
}

/*
 * Walk the whole chain in id order and call report (may be NULL) for each
 * problem, in English: "audit entry N: hash mismatch (edited)", "audit
 * entry N: previous-hash link broken (deleted or reordered entry before
 * it)", and "audit entry N is missing" / "audit entries N to M are missing"
 * for gaps in the ids.  One edited entry is one problem: the walk goes on
 * from each row's stored hash.  Returns the number of problems, or -1 if
 * the table could not be read (the reason is db_errmsg).  Reads the table
 * in one statement, so it sees one consistent snapshot while others
 * append.
 */
long
audit_verify(struct db *db, void (*report)(void *arg, const char *problem),
    void *arg)
{
	unsigned char expect_prev[AUDIT_HASH_BYTES] = { 0 };
	unsigned char hash[AUDIT_HASH_BYTES];
	const unsigned char *prev, *stored;
	struct audit_entry e;
	sqlite3_stmt *st = NULL;
	int64_t next_id = 1;
	long n = 0;
	bool prev_ok, stored_ok, have_prev = true;
	int rc;

	if (db == NULL)
		return -1;
	rc = sqlite3_prepare_v2(db_sqlite(db),
	    "SELECT id, at, user, action, object, reason, prev_hash, hash "
	    "FROM audit ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		e.id = sqlite3_column_int64(st, 0);
		e.at = sqlite3_column_int64(st, 1);
		e.user = audit_column_text(st, 2);
		e.action = audit_column_text(st, 3);
		e.object = audit_column_text(st, 4);
		e.reason = audit_column_text(st, 5);
		prev = sqlite3_column_blob(st, 6);
		prev_ok = prev != NULL &&
		    sqlite3_column_bytes(st, 6) == AUDIT_HASH_BYTES;
		stored = sqlite3_column_blob(st, 7);
		stored_ok = stored != NULL &&
		    sqlite3_column_bytes(st, 7) == AUDIT_HASH_BYTES;

		if (e.id > next_id) {
			if (e.id == next_id + 1)
				audit_report(report, arg, "audit entry %lld is "
				    "missing (gap in ids)", (long long)next_id);
			else
				audit_report(report, arg, "audit entries %lld "
				    "to %lld are missing (gap in ids)",
				    (long long)next_id, (long long)(e.id - 1));
			n++;
		}
		if (!prev_ok || !have_prev || sodium_memcmp(prev, expect_prev,
		    AUDIT_HASH_BYTES) != 0) {
			audit_report(report, arg, "audit entry %lld: "
			    "previous-hash link broken (deleted or reordered "
			    "entry before it)", (long long)e.id);
			n++;
		}
		if (prev_ok)
			audit_hash(prev, &e, hash);
		if (!prev_ok || !stored_ok ||
		    sodium_memcmp(hash, stored, AUDIT_HASH_BYTES) != 0) {
			audit_report(report, arg, "audit entry %lld: hash "
			    "mismatch (edited)", (long long)e.id);
			n++;
		}
		/*
		 * Go on from the stored hash, so that the next row is judged
		 * on its own link.  After a malformed stored hash no link
		 * can hold.
		 */
		have_prev = stored_ok;
		if (stored_ok)
			memcpy(expect_prev, stored, AUDIT_HASH_BYTES);
		next_id = e.id < INT64_MAX ? e.id + 1 : e.id;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? n : -1;
}

/*
 * A page of entries for the auditor's view.  The object filter matches the
 * object itself and every object below it ("T-2022-000001" finds
 * "T-2022-000001:attachment:3"), compared on the stored text.  Filter
 * values are escaped the way stored text is, so that a filter naming a
 * user with a backslash finds it.
 */
enum storage_status
audit_list(struct db *db, const struct audit_filter *f,
    int (*cb)(void *arg, const struct audit_row *row), void *arg, bool *more)
{
	static const char sql[] =
	    "SELECT id, at, user, action, object, reason FROM audit WHERE"
	    " (?1 IS NULL OR user = ?1)"
	    " AND (?2 IS NULL OR object = ?2 OR"
	    "      substr(object, 1, length(?2) + 1) = ?2 || ':')"
	    " AND (?3 = 0 OR at >= ?3) AND (?4 = 0 OR at <= ?4)"
	    " AND (?5 = 0 OR id < ?5)"
	    " ORDER BY id DESC LIMIT ?6";
	char *e_user = NULL, *e_object = NULL;
	struct audit_row row;
	sqlite3_stmt *st = NULL;
	enum storage_status res = STORAGE_OK;
	bool ok1, ok2;
	int r, n = 0;

	*more = false;
	if (db == NULL || f == NULL || f->limit < 1 ||
	    f->limit > AUDIT_PAGE_MAX || audit_too_long(f->user) ||
	    audit_too_long(f->object))
		return STORAGE_ERR_INVALID;
	e_user = audit_escape(f->user, &ok1);
	e_object = audit_escape(f->object, &ok2);
	if (!ok1 || !ok2) {
		res = STORAGE_ERR_NOMEM;
		goto out;
	}
	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK) {
		res = db_status_from_sqlite(r);
		goto out;
	}
	if (e_user != NULL)
		sqlite3_bind_text(st, 1, e_user, -1, SQLITE_STATIC);
	if (e_object != NULL)
		sqlite3_bind_text(st, 2, e_object, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->from);
	sqlite3_bind_int64(st, 4, f->to);
	sqlite3_bind_int64(st, 5, f->before_id);
	sqlite3_bind_int(st, 6, f->limit + 1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == f->limit) {
			*more = true;
			r = SQLITE_DONE;
			break;
		}
		row.id = sqlite3_column_int64(st, 0);
		row.at = sqlite3_column_int64(st, 1);
		row.user = (const char *)sqlite3_column_text(st, 2);
		row.action = (const char *)sqlite3_column_text(st, 3);
		row.object = (const char *)sqlite3_column_text(st, 4);
		row.reason = (const char *)sqlite3_column_text(st, 5);
		if (row.action == NULL)
			row.action = "";
		n++;
		if (cb(arg, &row) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	if (r != SQLITE_DONE)
		res = db_status_from_sqlite(r);
out:
	sqlite3_finalize(st);
	free(e_user);
	free(e_object);
	return res;
}
