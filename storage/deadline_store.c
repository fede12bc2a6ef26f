/* SPDX-License-Identifier: MIT */
/*
 * Reading deadline rules, deadline events and a tip's dates (see
 * deadline_store.h).  A dozen rules, a handful of events per tip: each
 * call reads its rows whole into a growing array with a hard maximum.
 */
#include "storage/deadline_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

static const char sql_rules[] =
	"SELECT rule_id, applies_from, applies_until, limit_value, unit,"
	" extension, extension_unit, source"
	" FROM deadline_rules ORDER BY rule_id, applies_from";

static const char sql_events[] =
	"SELECT id, rule_id, kind, on_date, user_id IS NOT NULL,"
	" coalesce(length(trim(note)), 0) > 0"
	" FROM deadline_events"
	" WHERE (?1 <> 0 AND tip_id = ?1) OR (?2 <> 0 AND case_id = ?2)"
	" ORDER BY on_date, id";

static const char sql_add_event[] =
	"INSERT INTO deadline_events (tip_id, case_id, rule_id, kind, on_date,"
	" note, user_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static const char sql_tip[] =
	"SELECT t.received_on, t.real_name, t.status, t.updated_at,"
	" coalesce(c.id, 0), coalesce(c.status, ''), coalesce(c.filed_on, ''),"
	" coalesce(c.decided_on, ''), coalesce(c.updated_at, 0),"
	" coalesce(c.not_filed_on, ''), coalesce(t.notified_on, '')"
	" FROM tips t LEFT JOIN cases c ON c.id = t.case_id WHERE t.id = ?1";

/*
 * Copy text column col of st into dst (dstlen bytes, cut if longer).  A
 * NULL column gives "".  Returns false if required and NULL or empty.
 */
static bool
deadline_store_text(sqlite3_stmt *st, int col, char *dst, size_t dstlen,
    bool required)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(dst, dstlen, "%s", s != NULL ? (const char *)s : "");
	return !required || dst[0] != '\0';
}

/* A date column: NULL or "" allowed unless required, else 10 bytes. */
static bool
deadline_store_date(sqlite3_stmt *st, int col, char dst[11], bool required)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	dst[0] = '\0';
	if (s == NULL || s[0] == '\0')
		return !required;
	if (strlen((const char *)s) != 10)
		return false;
	memcpy(dst, s, 11);
	return true;
}

/* Grow *rows (of elem bytes each) to hold one more than *count. */
static enum storage_status
deadline_store_grow(void **rows, size_t *cap, size_t count, size_t elem,
    size_t max)
{
	void *grown;
	size_t ncap;

	if (count < *cap)
		return STORAGE_OK;
	if (count >= max)
		return STORAGE_ERR_INVALID;
	ncap = *cap == 0 ? 16 : *cap * 2;
	if (ncap > max)
		ncap = max;
	if ((grown = realloc(*rows, ncap * elem)) == NULL)
		return STORAGE_ERR_NOMEM;
	*rows = grown;
	*cap = ncap;
	return STORAGE_OK;
}

enum storage_status
deadline_store_rules(struct db *db, struct deadline_store_rule **out,
    size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct deadline_store_rule *rows = NULL, *r;
	size_t count = 0, cap = 0;
	enum storage_status status = STORAGE_OK;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql_rules, -1, &st,
	    NULL)) != SQLITE_OK) {
		status = db_status_from_sqlite(rc);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((status = deadline_store_grow((void **)&rows, &cap, count,
		    sizeof(*rows), DEADLINE_STORE_MAX_RULES)) != STORAGE_OK)
			goto out;
		r = &rows[count];
		memset(r, 0, sizeof(*r));
		if (!deadline_store_text(st, 0, r->rule_id,
		    sizeof(r->rule_id), true) ||
		    !deadline_store_date(st, 1, r->applies_from, true) ||
		    !deadline_store_date(st, 2, r->applies_until, false) ||
		    !deadline_store_text(st, 7, r->source, sizeof(r->source),
		    true)) {
			status = STORAGE_ERR_CORRUPT;
			goto out;
		}
		r->limit = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		    (long)sqlite3_column_int64(st, 3);
		deadline_store_text(st, 4, r->unit, sizeof(r->unit), false);
		r->extension = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 :
		    (long)sqlite3_column_int64(st, 5);
		deadline_store_text(st, 6, r->extension_unit,
		    sizeof(r->extension_unit), false);
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

enum storage_status
deadline_store_events(struct db *db, int64_t tip_id, int64_t case_id,
    struct deadline_store_event **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct deadline_store_event *rows = NULL, *e;
	size_t count = 0, cap = 0;
	enum storage_status status = STORAGE_OK;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql_events, -1, &st,
	    NULL)) != SQLITE_OK) {
		status = db_status_from_sqlite(rc);
		goto out;
	}
	sqlite3_bind_int64(st, 1, tip_id);
	sqlite3_bind_int64(st, 2, case_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((status = deadline_store_grow((void **)&rows, &cap, count,
		    sizeof(*rows), DEADLINE_STORE_MAX_EVENTS)) != STORAGE_OK)
			goto out;
		e = &rows[count];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		if (!deadline_store_text(st, 1, e->rule_id,
		    sizeof(e->rule_id), true) ||
		    !deadline_store_text(st, 2, e->kind, sizeof(e->kind),
		    true) ||
		    !deadline_store_date(st, 3, e->on_date, true)) {
			status = STORAGE_ERR_CORRUPT;
			goto out;
		}
		e->has_user = sqlite3_column_int(st, 4) != 0;
		e->has_note = sqlite3_column_int(st, 5) != 0;
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

enum storage_status
deadline_store_tip_facts(struct db *db, int64_t tip_id,
    struct deadline_store_tip *out)
{
	sqlite3_stmt *st = NULL;
	enum storage_status status = STORAGE_OK;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql_tip, -1, &st,
	    NULL)) != SQLITE_OK) {
		status = db_status_from_sqlite(rc);
		goto out;
	}
	sqlite3_bind_int64(st, 1, tip_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		status = STORAGE_ERR_NOTFOUND;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		status = db_status_from_sqlite(rc);
		goto out;
	}
	if (!deadline_store_date(st, 0, out->received_on, true) ||
	    !deadline_store_date(st, 6, out->filed_on, false) ||
	    !deadline_store_date(st, 7, out->decided_on, false) ||
	    !deadline_store_date(st, 9, out->not_filed_on, false) ||
	    !deadline_store_date(st, 10, out->notified_on, false)) {
		status = STORAGE_ERR_CORRUPT;
		goto out;
	}
	out->real_name = sqlite3_column_int(st, 1) != 0;
	deadline_store_text(st, 2, out->tip_status, sizeof(out->tip_status),
	    false);
	out->tip_updated_at = sqlite3_column_int64(st, 3);
	out->case_id = sqlite3_column_int64(st, 4);
	deadline_store_text(st, 5, out->case_status, sizeof(out->case_status),
	    false);
	out->case_updated_at = sqlite3_column_int64(st, 8);
out:
	sqlite3_finalize(st);
	if (status != STORAGE_OK)
		memset(out, 0, sizeof(*out));
	return status;
}

/* See deadline_store.h. */
enum storage_status
deadline_store_add_event(struct db *db, int64_t tip_id, int64_t case_id,
    const char *rule_id, const char *kind, const char *on, const char *note,
    int64_t user_id, int64_t at)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((tip_id > 0) == (case_id > 0) || rule_id == NULL || kind == NULL ||
	    on == NULL)
		return STORAGE_ERR_INVALID;
	if ((rc = sqlite3_prepare_v2(db_sqlite(db), sql_add_event, -1, &st,
	    NULL)) != SQLITE_OK)
		return db_status_from_sqlite(rc);
	if (tip_id > 0)
		sqlite3_bind_int64(st, 1, tip_id);
	else
		sqlite3_bind_int64(st, 2, case_id);
	sqlite3_bind_text(st, 3, rule_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, on, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 6, note);
	if (user_id > 0)
		sqlite3_bind_int64(st, 7, user_id);
	sqlite3_bind_int64(st, 8, at);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		rc = sqlite3_extended_errcode(db_sqlite(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(rc);
}
