/* SPDX-License-Identifier: MIT */
/*
 * The institution registry's rows (see institutions.h).  An upsert reads
 * the stored entry by credit code, compares every column and the set of
 * domains, and writes only when something differs, so that re-importing
 * the same file changes nothing (not even updated_at) and the import can
 * report added / updated / unchanged counts.  Optional text columns are
 * stored as NULL when empty.  Statements are prepared per call: an import
 * of a few thousand rows, rarely.
 */
#include "storage/institutions.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define MAX_DOMAINS 64

static bool
is_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* Bind s, or NULL when empty. */
static void
bind_opt(sqlite3_stmt *st, int col, const char *s)
{
	if (is_empty(s))
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

/* Column col as text, "" for NULL. */
static const char *
col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s != NULL ? (const char *)s : "";
}

static bool
same_text(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Run a prepared one-shot statement; the status of its last step. */
static enum storage_status
step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return db_status_from_sqlite(rc == SQLITE_ROW ? SQLITE_DONE : rc);
}

/* Whether the stored domains of id equal the sorted list want[0..n). */
static enum storage_status
domains_equal(sqlite3 *sq, int64_t id, const char *const *want, size_t n,
    bool *equal)
{
	sqlite3_stmt *st = NULL;
	size_t i = 0;
	int rc;

	*equal = true;
	if ((rc = sqlite3_prepare_v2(sq, "SELECT domain FROM"
	    " institution_domains WHERE institution_id = ?1 ORDER BY domain",
	    -1, &st, NULL)) != SQLITE_OK)
		return db_status_from_sqlite(rc);
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (i >= n || strcmp(col_text(st, 0), want[i]) != 0)
			*equal = false;
		i++;
	}
	sqlite3_finalize(st);
	if (i != n)
		*equal = false;
	return db_status_from_sqlite(rc);
}

static enum storage_status
domains_replace(sqlite3 *sq, int64_t id, const char *const *v, size_t n)
{
	sqlite3_stmt *st = NULL;
	enum storage_status s;
	int rc;

	if ((rc = sqlite3_prepare_v2(sq, "DELETE FROM institution_domains"
	    " WHERE institution_id = ?1", -1, &st, NULL)) != SQLITE_OK)
		return db_status_from_sqlite(rc);
	sqlite3_bind_int64(st, 1, id);
	if ((s = step_done(st)) != STORAGE_OK)
		return s;
	for (size_t i = 0; i < n; i++) {
		if ((rc = sqlite3_prepare_v2(sq, "INSERT OR IGNORE INTO"
		    " institution_domains (institution_id, domain)"
		    " VALUES (?1, ?2)", -1, &st, NULL)) != SQLITE_OK)
			return db_status_from_sqlite(rc);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, v[i], -1, SQLITE_STATIC);
		if ((s = step_done(st)) != STORAGE_OK)
			return s;
	}
	return STORAGE_OK;
}

/*
 * Insert or update one entry (see institutions.h).  The domains are
 * compared as a sorted set, so their order in the file does not matter.
 */
enum storage_status
institutions_upsert(struct db *db, const struct institutions_row *r,
    int64_t now, int64_t *id, enum institutions_change *change)
{
	const char *sorted[MAX_DOMAINS];
	sqlite3 *sq;
	sqlite3_stmt *st = NULL;
	enum storage_status s;
	int64_t rowid = 0;
	bool found = false, same = false, dom_same = false;
	int rc;

	if (db == NULL || r == NULL || is_empty(r->name) ||
	    is_empty(r->name_norm) || is_empty(r->credit_code) ||
	    is_empty(r->county_code) || r->ndomains > MAX_DOMAINS ||
	    (r->ndomains > 0 && r->domains == NULL))
		return STORAGE_ERR_INVALID;
	sq = db_sqlite(db);
	for (size_t i = 0; i < r->ndomains; i++)
		sorted[i] = r->domains[i];
	if (r->ndomains > 1)
		qsort(sorted, r->ndomains, sizeof(sorted[0]), str_cmp);

	if ((rc = sqlite3_prepare_v2(sq, "SELECT id, name, name_norm,"
	    " cma_cert_no, address, county_code FROM institutions"
	    " WHERE credit_code = ?1", -1, &st, NULL)) != SQLITE_OK)
		return db_status_from_sqlite(rc);
	sqlite3_bind_text(st, 1, r->credit_code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		found = true;
		rowid = sqlite3_column_int64(st, 0);
		same = same_text(col_text(st, 1), r->name) &&
		    same_text(col_text(st, 2), r->name_norm) &&
		    same_text(col_text(st, 3), r->cma_cert_no) &&
		    same_text(col_text(st, 4), r->address) &&
		    same_text(col_text(st, 5), r->county_code);
	} else if (rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_status_from_sqlite(rc);
	}
	sqlite3_finalize(st);
	st = NULL;

	if (found) {
		if ((s = domains_equal(sq, rowid, sorted, r->ndomains,
		    &dom_same)) != STORAGE_OK)
			return s;
		if (same && dom_same) {
			if (id != NULL)
				*id = rowid;
			*change = INSTITUTIONS_UNCHANGED;
			return STORAGE_OK;
		}
		if (!same) {
			if ((rc = sqlite3_prepare_v2(sq, "UPDATE institutions"
			    " SET name = ?2, name_norm = ?3, cma_cert_no = ?4,"
			    " address = ?5, county_code = ?6, updated_at = ?7"
			    " WHERE id = ?1", -1, &st, NULL)) != SQLITE_OK)
				return db_status_from_sqlite(rc);
			sqlite3_bind_int64(st, 1, rowid);
		}
	} else if ((rc = sqlite3_prepare_v2(sq, "INSERT INTO institutions"
	    " (credit_code, name, name_norm, cma_cert_no, address,"
	    " county_code, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)", -1, &st, NULL)) !=
	    SQLITE_OK)
		return db_status_from_sqlite(rc);
	if (st != NULL) {
		if (!found)
			sqlite3_bind_text(st, 1, r->credit_code, -1,
			    SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->name_norm, -1, SQLITE_STATIC);
		bind_opt(st, 4, r->cma_cert_no);
		bind_opt(st, 5, r->address);
		sqlite3_bind_text(st, 6, r->county_code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, now);
		if ((s = step_done(st)) != STORAGE_OK)
			return s;
		if (!found)
			rowid = sqlite3_last_insert_rowid(sq);
	} else {
		/* Only the domains changed: still an update of the entry. */
		if ((rc = sqlite3_prepare_v2(sq, "UPDATE institutions SET"
		    " updated_at = ?2 WHERE id = ?1", -1, &st, NULL)) !=
		    SQLITE_OK)
			return db_status_from_sqlite(rc);
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_int64(st, 2, now);
		if ((s = step_done(st)) != STORAGE_OK)
			return s;
	}
	if ((!found || !dom_same) &&
	    (s = domains_replace(sq, rowid, sorted, r->ndomains)) !=
	    STORAGE_OK)
		return s;
	if (id != NULL)
		*id = rowid;
	*change = found ? INSTITUTIONS_UPDATED : INSTITUTIONS_ADDED;
	return STORAGE_OK;
}

/* List every entry by credit code (see institutions.h). */
enum storage_status
institutions_list(struct db *db,
    int (*cb)(void *arg, const struct institutions_entry *e), void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (db == NULL || cb == NULL)
		return STORAGE_ERR_INVALID;
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), "SELECT i.id, i.name,"
	    " i.name_norm, i.credit_code, i.cma_cert_no, i.address,"
	    " i.county_code, i.created_at, i.updated_at,"
	    " (SELECT group_concat(domain, ';') FROM (SELECT domain FROM"
	    "  institution_domains d WHERE d.institution_id = i.id"
	    "  ORDER BY domain))"
	    " FROM institutions i ORDER BY i.credit_code", -1, &st, NULL)) !=
	    SQLITE_OK)
		return db_status_from_sqlite(rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct institutions_entry e;

		e.id = sqlite3_column_int64(st, 0);
		e.name = col_text(st, 1);
		e.name_norm = col_text(st, 2);
		e.credit_code = col_text(st, 3);
		e.cma_cert_no = col_text(st, 4);
		e.address = col_text(st, 5);
		e.county_code = col_text(st, 6);
		e.created_at = sqlite3_column_int64(st, 7);
		e.updated_at = sqlite3_column_int64(st, 8);
		e.domains = col_text(st, 9);
		if (cb(arg, &e) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return db_status_from_sqlite(rc);
}

/* Count the entries (see institutions.h). */
long
institutions_count(struct db *db)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (db == NULL || sqlite3_prepare_v2(db_sqlite(db), "SELECT count(*)"
	    " FROM institutions", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
