/* SPDX-License-Identifier: MIT */
/*
 * Reading back and replacing the admin-editable reference data (see
 * refdata_edit.h).  The export queries give each table's rows in rowid
 * order, which is the order the rows were inserted in (the data/ file's
 * order after `init` or an import), with NULL as "" and a violation's
 * keywords in their own insertion order, so that an export of unchanged
 * data is byte for byte the file it came from.  A few hundred rows, read
 * when an admin asks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <sqlite3.h>

#include "storage/db.h"
#include "storage/refdata_edit.h"

static const char sql_bureaus[] =
	"SELECT code, name_zh, name_en, coalesce(parent_code, ''),"
	" coalesce(county_code, ''), coalesce(email, '') FROM bureaus"
	" ORDER BY rowid";
static const char sql_places[] =
	"SELECT coalesce(code, ''), county_code, kind, name,"
	" coalesce(short_name, ''), status FROM places ORDER BY id";
static const char sql_domain_keywords[] =
	"SELECT domain, keyword, weight FROM domain_keywords ORDER BY rowid";
static const char sql_violations[] =
	"SELECT v.code, v.category, coalesce(v.article_2021, ''),"
	" coalesce(v.article_2025, ''), v.name_zh, v.name_en,"
	" coalesce((SELECT group_concat(keyword, ';') FROM (SELECT keyword"
	" FROM violation_keywords k WHERE k.violation = v.code"
	" ORDER BY k.rowid)), '') FROM violation_types v ORDER BY v.rowid";
static const char sql_calendar[] =
	"SELECT date, kind FROM calendar_days ORDER BY date";

/* Walk the rows of table t (see refdata_edit.h). */
enum storage_status
refdata_edit_each(struct db *db, enum refdata_table t, bool with_email,
    int (*row)(void *arg, const char *const *fields, size_t nfields),
    void *arg)
{
	const char *f[REFDATA_EDIT_FIELDS_MAX];
	const char *sql;
	sqlite3_stmt *st = NULL;
	enum storage_status status = STORAGE_OK;
	size_t n;
	int rc;

	switch (t) {
	case REFDATA_BUREAUS:
		sql = sql_bureaus;
		n = with_email ? 6 : 5;
		break;
	case REFDATA_PLACES:
		sql = sql_places;
		n = 6;
		break;
	case REFDATA_DOMAIN_KEYWORDS:
		sql = sql_domain_keywords;
		n = 3;
		break;
	case REFDATA_VIOLATIONS:
		sql = sql_violations;
		n = 7;
		break;
	case REFDATA_CALENDAR:
		sql = sql_calendar;
		n = 2;
		break;
	default:
		return STORAGE_ERR_INVALID;
	}
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return db_status_from_sqlite(rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < n; i++) {
			const unsigned char *s = sqlite3_column_text(st,
			    (int)i);

			f[i] = s != NULL ? (const char *)s : "";
		}
		if (row(arg, f, n) != 0) {
			status = STORAGE_ERR_NOMEM;
			break;
		}
	}
	if (status == STORAGE_OK && rc != SQLITE_DONE)
		status = db_status_from_sqlite(rc);
	sqlite3_finalize(st);
	return status;
}

/* See refdata_edit.h. */
bool
refdata_edit_has_email(struct db *db)
{
	sqlite3_stmt *st = NULL;
	bool has = false;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT 1 FROM bureaus WHERE"
	    " coalesce(email, '') <> '' LIMIT 1", -1, &st, NULL) == SQLITE_OK)
		has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return has;
}

/* Run a statement with an optional text parameter ?1 and ?2. */
static enum storage_status
refdata_edit_exec(struct db *db, const char *sql, const char *p1,
    const char *p2)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return db_status_from_sqlite(rc);
	if (p1 != NULL)
		sqlite3_bind_text(st, 1, p1, -1, SQLITE_TRANSIENT);
	if (p2 != NULL)
		db_bind_text_or_null(st, 2, p2);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return db_status_from_sqlite(rc == SQLITE_DONE ? SQLITE_OK : rc);
}

/* See refdata_edit.h. */
enum storage_status
refdata_edit_clear(struct db *db, enum refdata_table t)
{
	enum storage_status st;

	switch (t) {
	case REFDATA_PLACES:
		return refdata_edit_exec(db, "DELETE FROM places", NULL, NULL);
	case REFDATA_DOMAIN_KEYWORDS:
		return refdata_edit_exec(db, "DELETE FROM domain_keywords",
		    NULL, NULL);
	case REFDATA_VIOLATIONS:
		/* Reset by SQLite at the end of the transaction. */
		if ((st = refdata_edit_exec(db, "PRAGMA defer_foreign_keys ="
		    " ON", NULL, NULL)) != STORAGE_OK ||
		    (st = refdata_edit_exec(db, "DELETE FROM"
		    " violation_keywords", NULL, NULL)) != STORAGE_OK)
			return st;
		return refdata_edit_exec(db, "DELETE FROM violation_types",
		    NULL, NULL);
	default:
		return STORAGE_ERR_INVALID;
	}
}

/* See refdata_edit.h. */
enum storage_status
refdata_edit_calendar_clear_year(struct db *db, const char *year)
{
	return refdata_edit_exec(db, "DELETE FROM calendar_days WHERE"
	    " substr(date, 1, 4) = ?1", year, NULL);
}

/* See refdata_edit.h. */
enum storage_status
refdata_edit_bureau_email(struct db *db, const char *code, const char *email)
{
	return refdata_edit_exec(db, "UPDATE bureaus SET email = ?2"
	    " WHERE code = ?1", code, email);
}

/* See refdata_edit.h. */
enum storage_status
refdata_edit_bureau_delete(struct db *db, const char *code)
{
	return refdata_edit_exec(db, "DELETE FROM bureaus WHERE code = ?1",
	    code, NULL);
}

/* The count a query with ?1 = code answers. */
static enum storage_status
refdata_edit_count(struct db *db, const char *sql, const char *code,
    long *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return db_status_from_sqlite(rc);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = (long)sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return db_status_from_sqlite(rc);
}

/* Each query of sql[0..n) with ?1 = code, its count into *out[i]. */
static enum storage_status
refdata_edit_counts(struct db *db, const char *code, const char *const *sql,
    long *const *out, size_t n)
{
	enum storage_status st = STORAGE_OK;

	for (size_t i = 0; i < n && st == STORAGE_OK; i++)
		st = refdata_edit_count(db, sql[i], code, out[i]);
	return st;
}

/* See refdata_edit.h. */
enum storage_status
refdata_edit_bureau_uses(struct db *db, const char *code,
    struct refdata_edit_uses *u)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM tips WHERE bureau = ?1",
		"SELECT count(*) FROM users WHERE bureau = ?1",
		"SELECT count(*) FROM cases WHERE bureau = ?1",
		("SELECT count(*) FROM bureaus WHERE parent_code = ?1 AND"
		" code <> ?1"),
	};
	long *const out[] = { &u->tips, &u->users, &u->cases, &u->children };

	memset(u, 0, sizeof(*u));
	return refdata_edit_counts(db, code, sql, out, 4);
}

/* See refdata_edit.h. */
enum storage_status
refdata_edit_violation_uses(struct db *db, const char *code,
    struct refdata_edit_uses *u)
{
	static const char *const sql[] = {
		"SELECT count(*) FROM tips WHERE violation = ?1",
		"SELECT count(*) FROM cases WHERE false_report_kind = ?1",
	};
	long *const out[] = { &u->tips, &u->cases };

	memset(u, 0, sizeof(*u));
	return refdata_edit_counts(db, code, sql, out, 2);
}
