/* SPDX-License-Identifier: MIT */
/*
 * Staff accounts: creation and counting for now; sessions, roles and the
 * rest of account management build on this table (issue "Staff accounts").
 */
#include "storage/users.h"

#include <string.h>

enum storage_status
users_create(struct db *db, const char *login, const char *role,
    const char *bureau, const char *pw_hash, bool must_change, int64_t now)
{
	static const char sql[] =
	    "INSERT INTO users (login, role, bureau, pw_hash, must_change,"
	    " disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)";
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if (login == NULL || login[0] == '\0' || role == NULL ||
	    pw_hash == NULL)
		return STORAGE_ERR_INVALID;
	if (strcmp(role, "officer") == 0 && (bureau == NULL || !bureau[0]))
		return STORAGE_ERR_INVALID;
	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	if (bureau != NULL && bureau[0] != '\0')
		sqlite3_bind_text(st, 3, bureau, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, pw_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, must_change ? 1 : 0);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		rc = STORAGE_OK;
	else if ((sqlite3_extended_errcode(db_sqlite(db)) & 0xff) ==
	    SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(db_sqlite(db)) != SQLITE_CONSTRAINT_UNIQUE)
		rc = STORAGE_ERR_INVALID;	/* CHECK or FOREIGN KEY */
	else
		rc = db_status_from_sqlite(sqlite3_extended_errcode(
		    db_sqlite(db)));
	sqlite3_finalize(st);
	return rc;
}

long
users_count(struct db *db)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT count(*) FROM users",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
