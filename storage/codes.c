/* SPDX-License-Identifier: MIT */
/*
 * The public code lists (see codes.h): one prepared query per list over
 * the reference tables.  Read-only; runs on a worker.
 */
#include "storage/codes.h"

#include <stddef.h>

static const char *
col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s != NULL ? (const char *)s : "";
}

enum storage_status
codes_list(struct db *db, enum codes_kind kind,
    int (*cb)(void *arg, const struct codes_row *row), void *arg)
{
	static const char *const sql[] = {
		[CODES_BUREAUS] = "SELECT code, name_zh, name_en,"
		    " coalesce(parent_code, ''), county_code IS NOT NULL AND"
		    " county_code = code FROM bureaus ORDER BY code",
		[CODES_COUNTIES] = "SELECT b.code, coalesce(p.name, b.name_zh),"
		    " b.name_en, '', 1 FROM bureaus b LEFT JOIN places p"
		    " ON p.code = b.county_code AND p.county_code ="
		    " b.county_code WHERE b.county_code = b.code"
		    " ORDER BY b.code",
		[CODES_DOMAINS] = "SELECT code, name_zh, name_en, '', epidemic"
		    " FROM domains ORDER BY position, code",
		[CODES_VIOLATIONS] = "SELECT code, name_zh, name_en, category,"
		    " 0 FROM violation_types ORDER BY code",
	};
	sqlite3_stmt *st = NULL;
	struct codes_row row;
	int r;

	if ((unsigned)kind >= sizeof(sql) / sizeof(sql[0]) || cb == NULL)
		return STORAGE_ERR_INVALID;
	r = sqlite3_prepare_v2(db_sqlite(db), sql[kind], -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		row.code = col(st, 0);
		row.name_zh = col(st, 1);
		row.name_en = col(st, 2);
		row.extra = col(st, 3);
		row.flag = sqlite3_column_int(st, 4) != 0;
		if (cb(arg, &row) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}
