/* SPDX-License-Identifier: MIT */
/*
 * Reading a campaign, its domains, a bureau and the campaign's cases for
 * the summary table (see report_store.h).  Each function prepares one
 * statement, reads its rows into a growing array with a hard maximum and
 * finalizes it; nothing is written.
 */
#include "storage/report_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

static const char sql_campaign[] =
	"SELECT code, name_zh, name_en FROM campaigns WHERE code = ?1";
static const char sql_bureau[] =
	"SELECT code, name_zh, name_en FROM bureaus WHERE code = ?1";
static const char sql_campaigns[] =
	"SELECT code, name_zh, name_en FROM campaigns"
	" ORDER BY coalesce(starts_on, '') DESC, code";
static const char sql_domains[] =
	"SELECT d.code, d.name_zh, cd.position FROM campaign_domains cd"
	" JOIN domains d ON d.code = cd.domain"
	" WHERE cd.campaign = ?1 ORDER BY cd.position, d.code";
static const char sql_cases[] =
	"SELECT id, institution_id, coalesce(domain, ''), bureau, status,"
	" joint_departments, violation_found, false_report, rectify_ordered,"
	" qualification_revoked, fines_fen, confiscated_fen, referred_police"
	" FROM cases WHERE campaign = ?1 AND (?2 IS NULL OR bureau = ?2)"
	" ORDER BY id";

/* Copy text column col into dst (cut to dstlen - 1 bytes); NULL -> "". */
static void
report_store_text(sqlite3_stmt *st, int col, char *dst, size_t dstlen)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(dst, dstlen, "%s", s != NULL ? (const char *)s : "");
}

/* One (code, name_zh, name_en) row of sql for code. */
static enum storage_status
report_store_named(struct db *db, const char *sql, const char *code,
    struct report_store_named *out)
{
	sqlite3_stmt *st = NULL;
	enum storage_status status;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL)) !=
	    SQLITE_OK)
		return db_status_from_sqlite(rc);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		report_store_text(st, 0, out->code, sizeof(out->code));
		report_store_text(st, 1, out->name_zh, sizeof(out->name_zh));
		report_store_text(st, 2, out->name_en, sizeof(out->name_en));
		status = STORAGE_OK;
	} else if (rc == SQLITE_DONE)
		status = STORAGE_ERR_NOTFOUND;
	else
		status = db_status_from_sqlite(rc);
	sqlite3_finalize(st);
	return status;
}

enum storage_status
report_store_campaign(struct db *db, const char *code,
    struct report_store_named *out)
{
	return report_store_named(db, sql_campaign, code, out);
}

enum storage_status
report_store_bureau(struct db *db, const char *code,
    struct report_store_named *out)
{
	return report_store_named(db, sql_bureau, code, out);
}

enum storage_status
report_store_campaigns(struct db *db,
    int (*cb)(void *arg, const struct report_store_named *c), void *arg)
{
	struct report_store_named row;
	sqlite3_stmt *st = NULL;
	enum storage_status status = STORAGE_OK;
	int rc;

	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql_campaigns, -1, &st,
	    NULL)) != SQLITE_OK)
		return db_status_from_sqlite(rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		report_store_text(st, 0, row.code, sizeof(row.code));
		report_store_text(st, 1, row.name_zh, sizeof(row.name_zh));
		report_store_text(st, 2, row.name_en, sizeof(row.name_en));
		if (cb(arg, &row) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		status = db_status_from_sqlite(rc);
	sqlite3_finalize(st);
	return status;
}

enum storage_status
report_store_domains(struct db *db, const char *campaign,
    struct report_store_domain **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct report_store_domain *rows = NULL;
	size_t count = 0;
	enum storage_status status = STORAGE_OK;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rows = calloc(REPORT_STORE_MAX_DOMAINS, sizeof(*rows))) == NULL)
		return STORAGE_ERR_NOMEM;
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql_domains, -1, &st,
	    NULL)) != SQLITE_OK) {
		status = db_status_from_sqlite(rc);
		goto out;
	}
	sqlite3_bind_text(st, 1, campaign, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == REPORT_STORE_MAX_DOMAINS) {
			status = STORAGE_ERR_INVALID;
			goto out;
		}
		report_store_text(st, 0, rows[count].code,
		    sizeof(rows[count].code));
		report_store_text(st, 1, rows[count].name_zh,
		    sizeof(rows[count].name_zh));
		rows[count].position = (long)sqlite3_column_int64(st, 2);
		count++;
	}
	if (rc != SQLITE_DONE)
		status = db_status_from_sqlite(rc);
out:
	sqlite3_finalize(st);
	if (status != STORAGE_OK) {
		free(rows);
		return status;
	}
	*out = rows;
	*n = count;
	return STORAGE_OK;
}

/* Fill c from the current row of the case query; false on NOMEM. */
static bool
report_store_case_row(sqlite3_stmt *st, struct report_store_case *c)
{
	const unsigned char *joint;

	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	c->institution_id = sqlite3_column_int64(st, 1);
	report_store_text(st, 2, c->domain, sizeof(c->domain));
	report_store_text(st, 3, c->bureau, sizeof(c->bureau));
	report_store_text(st, 4, c->status, sizeof(c->status));
	if ((joint = sqlite3_column_text(st, 5)) != NULL &&
	    (c->joint_departments = strdup((const char *)joint)) == NULL)
		return false;
	c->violation_found = sqlite3_column_int64(st, 6) != 0;
	c->false_report = (int)sqlite3_column_int64(st, 7);
	c->rectify_ordered = sqlite3_column_int64(st, 8) != 0;
	c->qualification_revoked = sqlite3_column_int64(st, 9) != 0;
	c->fines_fen = sqlite3_column_int64(st, 10);
	c->confiscated_fen = sqlite3_column_int64(st, 11);
	c->referred_police = sqlite3_column_int64(st, 12) != 0;
	return true;
}

enum storage_status
report_store_cases(struct db *db, const char *campaign, const char *bureau,
    struct report_store_case **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct report_store_case *rows = NULL, *grown;
	size_t count = 0, cap = 0;
	enum storage_status status = STORAGE_OK;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql_cases, -1, &st,
	    NULL)) != SQLITE_OK) {
		status = db_status_from_sqlite(rc);
		goto out;
	}
	sqlite3_bind_text(st, 1, campaign, -1, SQLITE_STATIC);
	if (bureau != NULL)
		sqlite3_bind_text(st, 2, bureau, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == REPORT_STORE_MAX_CASES) {
			status = STORAGE_ERR_INVALID;
			goto out;
		}
		if (count == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if (cap > REPORT_STORE_MAX_CASES)
				cap = REPORT_STORE_MAX_CASES;
			if ((grown = realloc(rows, cap * sizeof(*rows))) ==
			    NULL) {
				status = STORAGE_ERR_NOMEM;
				goto out;
			}
			rows = grown;
		}
		if (!report_store_case_row(st, &rows[count])) {
			status = STORAGE_ERR_NOMEM;
			goto out;
		}
		count++;
	}
	if (rc != SQLITE_DONE)
		status = db_status_from_sqlite(rc);
out:
	sqlite3_finalize(st);
	if (status != STORAGE_OK) {
		report_store_cases_free(&rows, count);
		return status;
	}
	*out = rows;
	*n = count;
	return STORAGE_OK;
}

void
report_store_cases_free(struct report_store_case **rows, size_t n)
{
	if (rows == NULL || *rows == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free((*rows)[i].joint_departments);
	free(*rows);
	*rows = NULL;
}
