/* SPDX-License-Identifier: MIT */
/*
 * The database fixture of the storage unit tests: a fresh database with
 * the schema in its own directory under /tmp, removed afterwards, and the
 * three small SQL helpers every such test wants (run SQL, read a count,
 * read a text).  Include after <cmocka.h>: a failing statement fails the
 * test.
 *
 * Header-only (static inline): each unit test is built from its one
 * source file (tests/meson.build), so this needs no build change.
 */
#ifndef TESTS_HELPERS_TESTDB_H
#define TESTS_HELPERS_TESTDB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "storage/db.h"

#define TESTDB_DIR_MAX 256

/*
 * A new directory /tmp/<prefix>.XXXXXX into dir with a database created
 * in it (the schema applied) into *db.  0, or -1.
 */
static inline int
testdb_open(char dir[TESTDB_DIR_MAX], const char *prefix, struct db **db)
{
	char path[TESTDB_DIR_MAX + 16], err[256];

	(void)snprintf(dir, TESTDB_DIR_MAX, "/tmp/%s.XXXXXX", prefix);
	if (mkdtemp(dir) == NULL)
		return -1;
	(void)snprintf(path, sizeof(path), "%s/tipline.db", dir);
	if (db_open(path, DB_OPEN_CREATE, db, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -1;
	}
	return 0;
}

/* Close *db and remove dir with all in it.  0, or -1. */
static inline int
testdb_close(const char *dir, struct db **db)
{
	char cmd[TESTDB_DIR_MAX + 16];

	db_close(db);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Run sql (one or more statements); a failure fails the test. */
static inline void
testdb_exec(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* The integer of the first row of sql; -1 when it returns none. */
static inline int64_t
testdb_count(struct db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The text of the first row of sql into buf ("" for none or NULL). */
static inline const char *
testdb_text(struct db *db, const char *sql, char *buf, size_t len)
{
	sqlite3_stmt *st = NULL;

	buf[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		(void)snprintf(buf, len, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

#endif
