/* SPDX-License-Identifier: MIT */
/*
 * Reading calendar_days (see calendar_store.h).  The table holds a few
 * dozen rows per year; it is read whole, once per report or deadline
 * computation, on the caller's connection (read-only is enough).
 */
#include "storage/calendar_store.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

static const char sql_calendar_load[] =
	"SELECT date, kind FROM calendar_days ORDER BY date";

enum storage_status
calendar_store_load(struct db *db, struct calendar_store_day **days,
    size_t *n)
{
	sqlite3_stmt *st = NULL;
	struct calendar_store_day *rows = NULL, *grown;
	size_t count = 0, cap = 0;
	enum storage_status status = STORAGE_OK;
	int rc;

	*days = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(db_sqlite(db), sql_calendar_load, -1, &st,
	    NULL);
	if (rc != SQLITE_OK) {
		status = db_status_from_sqlite(rc);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *date = (const char *)sqlite3_column_text(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);

		if (date == NULL || kind == NULL ||
		    strlen(date) != sizeof(rows->date) - 1 ||
		    (strcmp(kind, "holiday") != 0 &&
		    strcmp(kind, "workday") != 0)) {
			status = STORAGE_ERR_CORRUPT;
			goto out;
		}
		if (count == CALENDAR_STORE_MAX_ROWS) {
			status = STORAGE_ERR_INVALID;
			goto out;
		}
		if (count == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((grown = realloc(rows, cap * sizeof(*rows))) ==
			    NULL) {
				status = STORAGE_ERR_NOMEM;
				goto out;
			}
			rows = grown;
		}
		memcpy(rows[count].date, date, sizeof(rows->date));
		rows[count].workday = strcmp(kind, "workday") == 0;
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
	*days = rows;
	*n = count;
	return STORAGE_OK;
}

void
calendar_store_free(struct calendar_store_day **days)
{
	if (days == NULL)
		return;
	free(*days);
	*days = NULL;
}
