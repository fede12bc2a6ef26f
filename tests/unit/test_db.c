/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of storage/db.c: the settings of a fresh connection, the
 * migrations (fresh, idempotent reopen, a newer or older file, read-only
 * opens), foreign keys, defensive mode, transactions and the busy timeout,
 * the status mapping and db_check.  Each test works in its own temporary
 * directory, removed afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "storage/db.h"
#include "storage/schema.h"

struct fixture {
	char	dir[256];
	char	path[300];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (f == NULL)
		return -1;
	(void)snprintf(f->dir, sizeof(f->dir), "%s/test_db.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	(void)snprintf(f->path, sizeof(f->path), "%s/tipline.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[320];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		(void)snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		(void)unlink(p);
	}
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

/* A plain connection without the house settings, to tamper with files. */
static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *sq = NULL;

	assert_int_equal(sqlite3_open_v2(path, &sq,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(sq, 2000);
	return sq;
}

static void
raw_exec(sqlite3 *sq, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(sq, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, msg != NULL ? msg : "?");
}

static long long
query_int(sqlite3 *sq, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(sq, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
query_text(sqlite3 *sq, const char *sql, char *out, size_t outlen)
{
	sqlite3_stmt *st = NULL;
	const char *t;

	assert_int_equal(sqlite3_prepare_v2(sq, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	t = (const char *)sqlite3_column_text(st, 0);
	(void)snprintf(out, outlen, "%s", t != NULL ? t : "");
	sqlite3_finalize(st);
}

/* Run one statement through a prepared statement; the SQLite result. */
static int
run(sqlite3 *sq, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = sqlite3_extended_errcode(sq);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static struct db *
open_ok(const char *path, int flags)
{
	struct db *db = NULL;
	char err[256] = "";
	enum storage_status st;

	st = db_open(path, flags, &db, err, sizeof(err));
	if (st != STORAGE_OK)
		fail_msg("db_open %s: %s (%s)", path, storage_status_str(st),
		    err);
	assert_non_null(db);
	return db;
}

static void
test_fresh_settings(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path, DB_OPEN_CREATE);
	sqlite3 *sq = db_sqlite(db);
	char mode[32];
	int v = -1;

	assert_int_equal(db_schema_version(), (int)schema_migration_count);
	assert_int_equal(db_user_version(db), (int)schema_migration_count);
	assert_int_equal(query_int(sq, "PRAGMA user_version"),
	    (long long)schema_migration_count);
	query_text(sq, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(query_int(sq, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(sq, "PRAGMA synchronous"), 2);	/* FULL */
	assert_int_equal(query_int(sq, "PRAGMA busy_timeout"),
	    DB_BUSY_TIMEOUT_MS);
	assert_int_equal(sqlite3_db_config(sq, SQLITE_DBCONFIG_DEFENSIVE, -1,
	    &v), SQLITE_OK);
	assert_int_equal(v, 1);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
	assert_int_equal(sqlite3_db_config(sq, SQLITE_DBCONFIG_TRUSTED_SCHEMA,
	    -1, &v), SQLITE_OK);
	assert_int_equal(v, 0);
#endif
	/* The whole schema is there. */
	assert_int_equal(query_int(sq, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('tips', 'audit', 'key_slots', "
	    "'attachments', 'meta')"), 5);
	db_close(&db);
	assert_null(db);
}

static void
test_reopen_idempotent(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path, DB_OPEN_CREATE);
	long long objects;

	assert_int_equal(run(db_sqlite(db), "INSERT INTO meta (key, value) "
	    "VALUES ('created', 'now')"), SQLITE_OK);
	objects = query_int(db_sqlite(db), "SELECT count(*) FROM sqlite_schema");
	db_close(&db);

	db = open_ok(f->path, DB_OPEN_CREATE);
	assert_int_equal(db_user_version(db), db_schema_version());
	assert_int_equal(query_int(db_sqlite(db), "SELECT count(*) FROM "
	    "sqlite_schema"), objects);
	assert_int_equal(query_int(db_sqlite(db), "SELECT count(*) FROM meta"),
	    1);
	db_close(&db);

	db = open_ok(f->path, 0);	/* exists: CREATE not needed */
	assert_int_equal(db_user_version(db), db_schema_version());
	db_close(&db);
}

static void
test_old_file_migrates(void **state)
{
	struct fixture *f = *state;
	sqlite3 *sq = raw_open(f->path);
	struct db *db;

	raw_exec(sq, "CREATE TABLE scratch (x)");	/* a real, empty file */
	sqlite3_close(sq);
	db = open_ok(f->path, 0);
	assert_int_equal(db_user_version(db), db_schema_version());
	db_close(&db);
}

static void
test_newer_version_refused(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path, DB_OPEN_CREATE);
	char err[256] = "", want[160];
	sqlite3 *sq;

	db_close(&db);
	sq = raw_open(f->path);
	raw_exec(sq, "PRAGMA user_version = 7");
	sqlite3_close(sq);

	db = (struct db *)&err;	/* must be reset to NULL */
	assert_int_equal(db_open(f->path, DB_OPEN_CREATE, &db, err,
	    sizeof(err)), STORAGE_ERR_VERSION);
	assert_null(db);
	(void)snprintf(want, sizeof(want), "database schema version 7 is "
	    "newer than this tipline (supports up to %d); upgrade tipline",
	    db_schema_version());
	assert_string_equal(err, want);

	err[0] = '\0';
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &db, err,
	    sizeof(err)), STORAGE_ERR_VERSION);
	assert_null(db);
	assert_non_null(strstr(err, "newer"));

	/* Nothing was migrated or changed. */
	sq = raw_open(f->path);
	assert_int_equal(query_int(sq, "PRAGMA user_version"), 7);
	sqlite3_close(sq);
}

static void
test_readonly(void **state)
{
	struct fixture *f = *state;
	struct db *db = NULL;
	char err[256] = "";
	sqlite3 *sq;

	/* Missing file: an I/O error with a reason; no file created. */
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &db, err,
	    sizeof(err)), STORAGE_ERR_IO);
	assert_null(db);
	assert_true(strlen(err) > 0);
	assert_int_equal(access(f->path, F_OK), -1);

	/* READONLY with CREATE makes no sense. */
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY | DB_OPEN_CREATE,
	    &db, err, sizeof(err)), STORAGE_ERR_INVALID);
	assert_int_equal(db_open(NULL, 0, &db, err, sizeof(err)),
	    STORAGE_ERR_INVALID);
	assert_int_equal(db_open(f->path, 0, NULL, NULL, 0),
	    STORAGE_ERR_INVALID);

	/* An uninitialised (version 0) file is not migrated read-only. */
	sq = raw_open(f->path);
	raw_exec(sq, "CREATE TABLE scratch (x)");
	sqlite3_close(sq);
	err[0] = '\0';
	assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &db, err,
	    sizeof(err)), STORAGE_ERR_VERSION);
	assert_null(db);
	assert_non_null(strstr(err, "version 0"));

	/* An older schema (pretend version 1 of 2) is refused read-only. */
	if (db_schema_version() > 1) {
		sq = raw_open(f->path);
		raw_exec(sq, "PRAGMA user_version = 1");
		sqlite3_close(sq);
		assert_int_equal(db_open(f->path, DB_OPEN_READONLY, &db, err,
		    sizeof(err)), STORAGE_ERR_VERSION);
		assert_non_null(strstr(err, "older"));
		/* Back to the truth: the file has no schema yet. */
		sq = raw_open(f->path);
		raw_exec(sq, "PRAGMA user_version = 0");
		sqlite3_close(sq);
	}

	/* A current file opens read-only (WAL files gone after close)... */
	db = open_ok(f->path, 0);
	db_close(&db);
	db = open_ok(f->path, DB_OPEN_READONLY);
	assert_int_equal(db_user_version(db), db_schema_version());
	assert_int_equal(query_int(db_sqlite(db), "PRAGMA foreign_keys"), 1);
	/* ... and refuses writes. */
	assert_int_not_equal(run(db_sqlite(db), "INSERT INTO meta (key, value) "
	    "VALUES ('a', 'b')"), SQLITE_OK);
	if (db_begin(db) == STORAGE_OK) {
		assert_int_not_equal(run(db_sqlite(db), "INSERT INTO meta "
		    "(key, value) VALUES ('a', 'b')"), SQLITE_OK);
		db_rollback(db);
	}
	assert_int_equal(query_int(db_sqlite(db), "SELECT count(*) FROM meta"),
	    0);
	db_close(&db);
}

static void
test_readonly_beside_writer(void **state)
{
	struct fixture *f = *state;
	struct db *w = open_ok(f->path, DB_OPEN_CREATE);
	struct db *r;

	assert_int_equal(run(db_sqlite(w), "INSERT INTO meta (key, value) "
	    "VALUES ('k', 'v')"), SQLITE_OK);
	r = open_ok(f->path, DB_OPEN_READONLY);
	assert_int_equal(query_int(db_sqlite(r), "SELECT count(*) FROM meta"),
	    1);
	db_close(&r);
	db_close(&w);
}

static void
test_not_a_database(void **state)
{
	struct fixture *f = *state;
	struct db *db = NULL;
	char err[256] = "";
	FILE *fp;
	int i;

	assert_non_null(fp = fopen(f->path, "w"));
	for (i = 0; i < 512; i++)
		fputs("this is not an SQLite file\n", fp);
	fclose(fp);
	assert_int_equal(db_open(f->path, 0, &db, err, sizeof(err)),
	    STORAGE_ERR_CORRUPT);
	assert_null(db);
	assert_true(strlen(err) > 0);
}

static void
test_foreign_key_refused(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path, DB_OPEN_CREATE);
	sqlite3 *sq = db_sqlite(db);
	int rc;

	rc = run(sq, "INSERT INTO bureaus (code, name_zh, name_en, "
	    "parent_code) VALUES ('140581', '高平市局', 'Gaoping', 'nope')");
	assert_int_equal(rc, SQLITE_CONSTRAINT_FOREIGNKEY);
	assert_int_equal(db_status_from_sqlite(rc), STORAGE_ERR_INTERNAL);
	assert_int_equal(query_int(sq, "SELECT count(*) FROM bureaus"), 0);

	/* With the parent present it goes in; a duplicate is EXISTS. */
	assert_int_equal(run(sq, "INSERT INTO bureaus (code, name_zh, name_en) "
	    "VALUES ('140500', '晋城市局', 'Jincheng')"), SQLITE_OK);
	assert_int_equal(run(sq, "INSERT INTO bureaus (code, name_zh, name_en, "
	    "parent_code) VALUES ('140581', '高平市局', 'Gaoping', '140500')"),
	    SQLITE_OK);
	rc = run(sq, "INSERT INTO bureaus (code, name_zh, name_en) "
	    "VALUES ('140500', 'x', 'x')");
	assert_int_equal(db_status_from_sqlite(rc), STORAGE_ERR_EXISTS);
	/* And a parent in use cannot go. */
	rc = run(sq, "DELETE FROM bureaus WHERE code = '140500'");
	assert_int_equal(rc, SQLITE_CONSTRAINT_FOREIGNKEY);
	assert_int_equal(db_check(db, NULL, NULL), 0);
	db_close(&db);
}

static void
test_defensive(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path, DB_OPEN_CREATE);
	sqlite3 *sq = db_sqlite(db);
	char mode[32];

	/* writable_schema is ignored: the schema table stays read-only. */
	(void)run(sq, "PRAGMA writable_schema = ON");
	assert_int_not_equal(run(sq, "UPDATE sqlite_schema SET sql = "
	    "'CREATE TABLE meta (garbage' WHERE name = 'meta'"), SQLITE_OK);
	assert_int_not_equal(run(sq, "DELETE FROM sqlite_schema "
	    "WHERE name = 'audit'"), SQLITE_OK);
	assert_non_null(strstr(sqlite3_errmsg(sq), "may not be modified"));
	/* journal_mode=OFF is ignored in defensive mode: WAL stays. */
	(void)run(sq, "PRAGMA journal_mode = OFF");
	query_text(sq, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(db_check(db, NULL, NULL), 0);
	db_close(&db);

	db = open_ok(f->path, 0);
	assert_int_equal(query_int(db_sqlite(db), "SELECT count(*) FROM "
	    "sqlite_schema WHERE name IN ('meta', 'audit')"), 2);
	assert_int_equal(db_check(db, NULL, NULL), 0);
	db_close(&db);
}

static void
test_transactions(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path, DB_OPEN_CREATE);
	sqlite3 *sq = db_sqlite(db);

	db_rollback(db);		/* no transaction: harmless */
	db_rollback(NULL);
	assert_int_equal(db_begin(db), STORAGE_OK);
	assert_int_equal(db_begin(db), STORAGE_ERR_INTERNAL);	/* nested */
	assert_int_equal(run(sq, "INSERT INTO meta (key, value) "
	    "VALUES ('a', '1')"), SQLITE_OK);
	db_rollback(db);
	assert_true(sqlite3_get_autocommit(sq));
	assert_int_equal(query_int(sq, "SELECT count(*) FROM meta"), 0);

	assert_int_equal(db_begin(db), STORAGE_OK);
	assert_int_equal(run(sq, "INSERT INTO meta (key, value) "
	    "VALUES ('a', '1')"), SQLITE_OK);
	assert_int_equal(db_commit(db), STORAGE_OK);
	assert_int_equal(query_int(sq, "SELECT count(*) FROM meta"), 1);
	/* COMMIT without a transaction fails and leaves none open. */
	assert_int_equal(db_commit(db), STORAGE_ERR_INTERNAL);
	assert_true(sqlite3_get_autocommit(sq));
	db_close(&db);
}

static void
test_busy(void **state)
{
	struct fixture *f = *state;
	struct db *a = open_ok(f->path, DB_OPEN_CREATE);
	struct db *b = open_ok(f->path, 0);

	db_set_busy_timeout(b, 50);
	assert_int_equal(db_begin(a), STORAGE_OK);
	assert_int_equal(db_begin(b), STORAGE_ERR_BUSY);
	assert_true(storage_status_is_transient(STORAGE_ERR_BUSY));
	/* Readers are not blocked by a writer in WAL mode. */
	assert_int_equal(query_int(db_sqlite(b), "SELECT count(*) FROM meta"),
	    0);
	assert_int_equal(db_commit(a), STORAGE_OK);
	assert_int_equal(db_begin(b), STORAGE_OK);
	db_rollback(b);
	db_close(&a);
	db_close(&b);
}

static void
test_status_map(void **state)
{
	static const struct {
		int rc;
		enum storage_status st;
	} map[] = {
		{ SQLITE_OK, STORAGE_OK },
		{ SQLITE_DONE, STORAGE_OK },
		{ SQLITE_BUSY, STORAGE_ERR_BUSY },
		{ SQLITE_BUSY_SNAPSHOT, STORAGE_ERR_BUSY },
		{ SQLITE_LOCKED, STORAGE_ERR_BUSY },
		{ SQLITE_LOCKED_SHAREDCACHE, STORAGE_ERR_BUSY },
		{ SQLITE_FULL, STORAGE_ERR_NOSPC },
		{ SQLITE_IOERR, STORAGE_ERR_IO },
		{ SQLITE_IOERR_FSYNC, STORAGE_ERR_IO },
		{ SQLITE_IOERR_WRITE, STORAGE_ERR_IO },
		{ SQLITE_CANTOPEN, STORAGE_ERR_IO },
		{ SQLITE_NOMEM, STORAGE_ERR_NOMEM },
		{ SQLITE_CONSTRAINT_UNIQUE, STORAGE_ERR_EXISTS },
		{ SQLITE_CONSTRAINT_PRIMARYKEY, STORAGE_ERR_EXISTS },
		{ SQLITE_CONSTRAINT_FOREIGNKEY, STORAGE_ERR_INTERNAL },
		{ SQLITE_CONSTRAINT_NOTNULL, STORAGE_ERR_INTERNAL },
		{ SQLITE_CONSTRAINT, STORAGE_ERR_INTERNAL },
		{ SQLITE_CORRUPT, STORAGE_ERR_CORRUPT },
		{ SQLITE_CORRUPT_INDEX, STORAGE_ERR_CORRUPT },
		{ SQLITE_NOTADB, STORAGE_ERR_CORRUPT },
		{ SQLITE_ERROR, STORAGE_ERR_INTERNAL },
		{ SQLITE_MISUSE, STORAGE_ERR_INTERNAL },
		{ SQLITE_READONLY, STORAGE_ERR_INTERNAL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (db_status_from_sqlite(map[i].rc) != map[i].st)
			fail_msg("rc %d: got %s, want %s", map[i].rc,
			    storage_status_str(db_status_from_sqlite(map[i].rc)),
			    storage_status_str(map[i].st));
}

struct reports {
	int	n;
	char	last[512];
};

static void
collect(void *arg, const char *problem)
{
	struct reports *r = arg;

	r->n++;
	(void)snprintf(r->last, sizeof(r->last), "%s", problem);
}

static void
test_check_reports_fk(void **state)
{
	struct fixture *f = *state;
	struct db *db = open_ok(f->path, DB_OPEN_CREATE);
	struct reports r = { 0, "" };
	sqlite3 *sq;

	assert_int_equal(db_check(db, collect, &r), 0);
	assert_int_equal(r.n, 0);
	/* A connection without foreign keys lets a dangling row in. */
	sq = raw_open(f->path);
	raw_exec(sq, "PRAGMA foreign_keys = OFF; INSERT INTO bureaus (code, "
	    "name_zh, name_en, parent_code) VALUES ('140581', 'a', 'b', "
	    "'nope')");
	sqlite3_close(sq);
	assert_int_equal(db_check(db, collect, &r), 1);
	assert_int_equal(r.n, 1);
	assert_non_null(strstr(r.last, "foreign key"));
	assert_non_null(strstr(r.last, "bureaus"));
	assert_int_equal(db_check(NULL, collect, &r), -1);
	db_close(&db);
}

static void
test_memory_and_null(void **state)
{
	struct db *db = NULL;
	char err[128];

	(void)state;
	db_close(NULL);
	db_close(&db);
	db_set_busy_timeout(NULL, 10);
	assert_int_equal(db_user_version(NULL), -1);
	assert_null(db_sqlite(NULL));
	assert_non_null(db_errmsg(NULL));
	assert_int_equal(db_begin(NULL), STORAGE_ERR_INVALID);
	/* An in-memory database (for tests elsewhere) gets the schema. */
	assert_int_equal(db_open(":memory:", DB_OPEN_CREATE, &db, err,
	    sizeof(err)), STORAGE_OK);
	assert_int_equal(db_user_version(db), db_schema_version());
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_settings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reopen_idempotent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_old_file_migrates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readonly_beside_writer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_database, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_foreign_key_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_defensive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test(test_status_map),
		cmocka_unit_test_setup_teardown(test_check_reports_fk, setup,
		    teardown),
		cmocka_unit_test(test_memory_and_null),
	};

	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
