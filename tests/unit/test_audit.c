/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of storage/audit.c: a clean chain verifies; an edited field, a
 * NULL turned into "", a deleted middle entry, swapped entries and an edit
 * with its own hash recomputed are all caught; the triggers refuse UPDATE
 * and DELETE; control characters, backslashes and invalid UTF-8 are stored
 * escaped; an append inside the caller's transaction rolls back with it.
 * The canonical encoding is recomputed here independently of audit.c, as
 * documented, so that a change to it cannot pass unnoticed.  Tampering goes
 * through a second, raw SQLite connection that drops the triggers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "storage/audit.h"
#include "storage/db.h"

struct fixture {
	char		 dir[256];
	char		 path[300];
	struct db	*db;
};

#define MAX_REPORTS 16

struct reports {
	int	n;
	char	msg[MAX_REPORTS][256];
};

static void
collect(void *arg, const char *problem)
{
	struct reports *r = arg;

	if (r->n < MAX_REPORTS)
		(void)snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", problem);
	r->n++;
}

static bool
has_report(const struct reports *r, const char *want)
{
	int i;

	for (i = 0; i < r->n && i < MAX_REPORTS; i++)
		if (strcmp(r->msg[i], want) == 0)
			return true;
	return false;
}

static void
print_reports(const struct reports *r)
{
	int i;

	for (i = 0; i < r->n && i < MAX_REPORTS; i++)
		print_message("  report: %s\n", r->msg[i]);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	char err[256];

	if (f == NULL)
		return -1;
	(void)snprintf(f->dir, sizeof(f->dir), "%s/test_audit.XXXXXX",
	    tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	(void)snprintf(f->path, sizeof(f->path), "%s/tipline.db", f->dir);
	if (db_open(f->path, DB_OPEN_CREATE, &f->db, err, sizeof(err)) !=
	    STORAGE_OK) {
		print_error("db_open: %s\n", err);
		free(f);
		return -1;
	}
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

	db_close(&f->db);
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		(void)snprintf(p, sizeof(p), "%s%s", f->path, suffix[i]);
		(void)unlink(p);
	}
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

/* A raw connection that can tamper: the append-only triggers dropped. */
static sqlite3 *
tamper_open(const struct fixture *f)
{
	sqlite3 *sq = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open_v2(f->path, &sq, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(sq, 2000);
	if (sqlite3_exec(sq, "DROP TRIGGER audit_no_update; "
	    "DROP TRIGGER audit_no_delete", NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("drop triggers: %s", msg);
	return sq;
}

static void
tamper(sqlite3 *sq, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(sq, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
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

/* Five entries of the usual shapes, NULL fields included. */
static void
append_five(struct db *db)
{
	assert_int_equal(audit_append(db, 1700000000, "admin", "user.add",
	    "user:alice", NULL), STORAGE_OK);
	assert_int_equal(audit_append(db, 1700000001, "alice", "tip.view",
	    "tip:T-2022-000001", NULL), STORAGE_OK);
	assert_int_equal(audit_append(db, 1700000002, "alice", "tip.route",
	    "tip:T-2022-000001", "institution 某某检测有限公司 registered in "
	    "高平市"), STORAGE_OK);
	assert_int_equal(audit_append(db, 1700000003, NULL, "system.start",
	    NULL, NULL), STORAGE_OK);
	assert_int_equal(audit_append(db, 1700000004, "bob", "attachment.get",
	    "tip:T-2022-000001/attachment:2", ""), STORAGE_OK);
}

static void
assert_clean(struct db *db, long long entries)
{
	struct reports r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(audit_verify(db, collect, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(query_int(db_sqlite(db), "SELECT count(*) FROM audit"),
	    entries);
}

static void
test_clean_chain(void **state)
{
	struct fixture *f = *state;
	sqlite3 *sq = db_sqlite(f->db);

	assert_int_equal(audit_verify(f->db, NULL, NULL), 0);	/* empty */
	append_five(f->db);
	assert_clean(f->db, 5);
	assert_int_equal(audit_verify(f->db, NULL, NULL), 0);
	/* The first entry chains to 32 zero bytes; ids run from 1. */
	assert_int_equal(query_int(sq, "SELECT prev_hash = zeroblob(32) "
	    "FROM audit WHERE id = 1"), 1);
	assert_int_equal(query_int(sq, "SELECT min(id) FROM audit"), 1);
	assert_int_equal(query_int(sq, "SELECT max(id) FROM audit"), 5);
	assert_int_equal(query_int(sq, "SELECT count(*) FROM audit a JOIN "
	    "audit b ON b.id = a.id + 1 WHERE b.prev_hash = a.hash"), 4);
	/* NULL stays NULL and "" stays "". */
	assert_int_equal(query_int(sq, "SELECT reason IS NULL FROM audit "
	    "WHERE id = 1"), 1);
	assert_int_equal(query_int(sq, "SELECT reason = '' FROM audit "
	    "WHERE id = 5"), 1);
}

/* hash = BLAKE2b-256(prev || canonical), recomputed from the docs. */
static void
put_len(crypto_generichash_state *h, uint64_t len)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(len & 0xff);
		len >>= 8;
	}
	crypto_generichash_update(h, b, 8);
}

static void
put_text(crypto_generichash_state *h, const char *s)
{
	if (s == NULL) {
		put_len(h, UINT64_MAX);		/* the NULL marker */
		return;
	}
	put_len(h, strlen(s));
	crypto_generichash_update(h, (const unsigned char *)s, strlen(s));
}

static void
put_int(crypto_generichash_state *h, int64_t v)
{
	unsigned char b[8];
	uint64_t u = (uint64_t)v;
	int i;

	put_len(h, 8);
	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(u & 0xff);
		u >>= 8;
	}
	crypto_generichash_update(h, b, 8);
}

static void
doc_hash(const unsigned char prev[32], int64_t id, int64_t at,
    const char *user, const char *action, const char *object,
    const char *reason, unsigned char out[32])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, prev, 32);
	put_int(&h, id);
	put_int(&h, at);
	put_text(&h, user);
	put_text(&h, action);
	put_text(&h, object);
	put_text(&h, reason);
	crypto_generichash_final(&h, out, 32);
}

static void
stored_hash(sqlite3 *sq, int64_t id, unsigned char out[32])
{
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(sq, "SELECT hash FROM audit "
	    "WHERE id = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(st, 0), 32);
	memcpy(out, sqlite3_column_blob(st, 0), 32);
	sqlite3_finalize(st);
}

static void
test_canonical_encoding(void **state)
{
	struct fixture *f = *state;
	unsigned char zero[32] = { 0 }, h1[32], h2[32], want[32];

	append_five(f->db);
	stored_hash(db_sqlite(f->db), 1, h1);
	doc_hash(zero, 1, 1700000000, "admin", "user.add", "user:alice", NULL,
	    want);
	assert_memory_equal(h1, want, 32);
	stored_hash(db_sqlite(f->db), 2, h2);
	doc_hash(h1, 2, 1700000001, "alice", "tip.view", "tip:T-2022-000001",
	    NULL, want);
	assert_memory_equal(h2, want, 32);
	/* NULL and "" hash differently. */
	doc_hash(h1, 2, 1700000001, "alice", "tip.view", "tip:T-2022-000001",
	    "", want);
	assert_memory_not_equal(h2, want, 32);
}

static void
test_edit_detected(void **state)
{
	struct fixture *f = *state;
	struct reports r;
	sqlite3 *sq;

	append_five(f->db);
	sq = tamper_open(f);
	tamper(sq, "UPDATE audit SET user = 'mallory' WHERE id = 3");
	memset(&r, 0, sizeof(r));
	assert_int_equal(audit_verify(f->db, collect, &r), 1);
	print_reports(&r);
	assert_true(has_report(&r, "audit entry 3: hash mismatch (edited)"));

	/* Editing the time is an edit too. */
	tamper(sq, "UPDATE audit SET at = at + 1 WHERE id = 5");
	memset(&r, 0, sizeof(r));
	assert_int_equal(audit_verify(f->db, collect, &r), 2);
	assert_true(has_report(&r, "audit entry 5: hash mismatch (edited)"));
	sqlite3_close(sq);
}

static void
test_null_to_empty_detected(void **state)
{
	struct fixture *f = *state;
	struct reports r;
	sqlite3 *sq;

	append_five(f->db);
	sq = tamper_open(f);
	tamper(sq, "UPDATE audit SET reason = '' WHERE id = 2");
	memset(&r, 0, sizeof(r));
	assert_int_equal(audit_verify(f->db, collect, &r), 1);
	assert_true(has_report(&r, "audit entry 2: hash mismatch (edited)"));
	sqlite3_close(sq);
}

static void
test_delete_middle_detected(void **state)
{
	struct fixture *f = *state;
	struct reports r;
	sqlite3 *sq;

	append_five(f->db);
	sq = tamper_open(f);
	tamper(sq, "DELETE FROM audit WHERE id = 3");
	memset(&r, 0, sizeof(r));
	assert_int_equal(audit_verify(f->db, collect, &r), 2);
	print_reports(&r);
	assert_true(has_report(&r, "audit entry 3 is missing (gap in ids)"));
	assert_true(has_report(&r, "audit entry 4: previous-hash link broken "
	    "(deleted or reordered entry before it)"));

	/* Deleting the first entries: a gap from 1 and a broken link. */
	tamper(sq, "DELETE FROM audit WHERE id IN (1, 2)");
	memset(&r, 0, sizeof(r));
	assert_true(audit_verify(f->db, collect, &r) >= 2);
	assert_true(has_report(&r, "audit entries 1 to 3 are missing (gap in "
	    "ids)"));
	sqlite3_close(sq);
}

static void
test_swap_detected(void **state)
{
	struct fixture *f = *state;
	struct reports r;
	sqlite3 *sq;
	long n;

	append_five(f->db);
	sq = tamper_open(f);
	/* Swap every column of entries 2 and 3 except the id. */
	tamper(sq, "CREATE TEMP TABLE s AS SELECT * FROM audit "
	    "WHERE id IN (2, 3);"
	    "UPDATE audit SET (at, user, action, object, reason, prev_hash, "
	    "hash) = (SELECT at, user, action, object, reason, prev_hash, hash "
	    "FROM s WHERE s.id = 5 - audit.id) WHERE id IN (2, 3)");
	memset(&r, 0, sizeof(r));
	n = audit_verify(f->db, collect, &r);
	print_reports(&r);
	assert_true(n >= 2);
	assert_true(has_report(&r, "audit entry 2: hash mismatch (edited)"));
	assert_true(has_report(&r, "audit entry 2: previous-hash link broken "
	    "(deleted or reordered entry before it)"));
	sqlite3_close(sq);
}

static void
test_swap_ids_detected(void **state)
{
	struct fixture *f = *state;
	struct reports r;
	sqlite3 *sq;

	append_five(f->db);
	sq = tamper_open(f);
	/* Renumber instead: entry 3 becomes 2 and 2 becomes 3. */
	tamper(sq, "UPDATE audit SET id = 100 WHERE id = 2;"
	    "UPDATE audit SET id = 2 WHERE id = 3;"
	    "UPDATE audit SET id = 3 WHERE id = 100");
	memset(&r, 0, sizeof(r));
	assert_true(audit_verify(f->db, collect, &r) >= 2);
	assert_true(has_report(&r, "audit entry 2: hash mismatch (edited)"));
	assert_true(has_report(&r, "audit entry 3: hash mismatch (edited)"));
	sqlite3_close(sq);
}

static void
test_rehashed_edit_breaks_next_link(void **state)
{
	struct fixture *f = *state;
	unsigned char h2[32], forged[32];
	struct reports r;
	sqlite3_stmt *st = NULL;
	sqlite3 *sq;

	append_five(f->db);
	/* Forge entry 3 with a correct hash of its own: 4's link breaks. */
	stored_hash(db_sqlite(f->db), 2, h2);
	doc_hash(h2, 3, 1700000002, "alice", "tip.route", "tip:T-2022-000001",
	    "nothing to see", forged);
	sq = tamper_open(f);
	assert_int_equal(sqlite3_prepare_v2(sq, "UPDATE audit SET reason = "
	    "'nothing to see', hash = ?1 WHERE id = 3", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(st, 1, forged, 32, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	memset(&r, 0, sizeof(r));
	assert_int_equal(audit_verify(f->db, collect, &r), 1);
	assert_true(has_report(&r, "audit entry 4: previous-hash link broken "
	    "(deleted or reordered entry before it)"));
	sqlite3_close(sq);
}

static void
test_triggers_refuse(void **state)
{
	struct fixture *f = *state;
	sqlite3 *sq = db_sqlite(f->db);

	append_five(f->db);
	assert_int_not_equal(sqlite3_exec(sq, "UPDATE audit SET user = 'x'",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(sq, "DELETE FROM audit WHERE id = 5",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_clean(f->db, 5);
}

static void
test_escaping(void **state)
{
	struct fixture *f = *state;
	sqlite3 *sq = db_sqlite(f->db);
	sqlite3_stmt *st = NULL;

	assert_int_equal(audit_append(f->db, 1700000000, "bob\n",
	    "tip.view\r\x1b[31m", "tip\x01\x7f", "a\\b\tc \xff\xc0\xaf 查看"),
	    STORAGE_OK);
	assert_int_equal(sqlite3_prepare_v2(sq, "SELECT user, action, object, "
	    "reason FROM audit WHERE id = 1", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(sqlite3_column_text(st, 0), "bob\\x0a");
	assert_string_equal(sqlite3_column_text(st, 1),
	    "tip.view\\x0d\\x1b[31m");
	assert_string_equal(sqlite3_column_text(st, 2), "tip\\x01\\x7f");
	assert_string_equal(sqlite3_column_text(st, 3),
	    "a\\x5cb\\x09c \\xff\\xc0\\xaf 查看");
	sqlite3_finalize(st);
	/* A literal "\x0a" in the input does not look like an escape. */
	assert_int_equal(audit_append(f->db, 1700000001, "\\x0a", "a", NULL,
	    NULL), STORAGE_OK);
	assert_int_equal(query_int(sq, "SELECT user = '\\x5cx0a' FROM audit "
	    "WHERE id = 2"), 1);
	assert_clean(f->db, 2);
}

static void
test_caller_transaction(void **state)
{
	struct fixture *f = *state;
	time_t before = time(NULL);
	long long at;

	assert_int_equal(db_begin(f->db), STORAGE_OK);
	assert_int_equal(audit_append(f->db, 0, "alice", "tip.view", "tip:1",
	    NULL), STORAGE_OK);
	assert_false(sqlite3_get_autocommit(db_sqlite(f->db)));
	db_rollback(f->db);
	assert_clean(f->db, 0);

	assert_int_equal(db_begin(f->db), STORAGE_OK);
	assert_int_equal(audit_append(f->db, 0, "alice", "tip.view", "tip:1",
	    NULL), STORAGE_OK);
	assert_int_equal(audit_append(f->db, 0, "alice", "tip.route", "tip:1",
	    "to 140581"), STORAGE_OK);
	assert_int_equal(db_commit(f->db), STORAGE_OK);
	assert_clean(f->db, 2);
	/* at = 0 means now. */
	at = query_int(db_sqlite(f->db), "SELECT at FROM audit WHERE id = 1");
	assert_true(at >= (long long)before && at <= (long long)time(NULL));
	/* Its own transaction leaves none open. */
	assert_int_equal(audit_append(f->db, 5, "x", "y", NULL, NULL),
	    STORAGE_OK);
	assert_true(sqlite3_get_autocommit(db_sqlite(f->db)));
	assert_clean(f->db, 3);
}

static void
test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	char *big;

	assert_int_equal(audit_append(f->db, 1, "a", NULL, NULL, NULL),
	    STORAGE_ERR_INVALID);
	assert_int_equal(audit_append(NULL, 1, "a", "b", NULL, NULL),
	    STORAGE_ERR_INVALID);
	assert_non_null(big = malloc(70000));
	memset(big, 'a', 69999);
	big[69999] = '\0';
	assert_int_equal(audit_append(f->db, 1, "a", "b", NULL, big),
	    STORAGE_ERR_INVALID);
	big[60000] = '\0';
	assert_int_equal(audit_append(f->db, 1, "a", "b", NULL, big),
	    STORAGE_OK);
	free(big);
	assert_int_equal(audit_verify(NULL, NULL, NULL), -1);
	assert_clean(f->db, 1);
}

static void
test_busy_append(void **state)
{
	struct fixture *f = *state;
	struct db *other = NULL;
	char err[128];

	assert_int_equal(db_open(f->path, 0, &other, err, sizeof(err)),
	    STORAGE_OK);
	db_set_busy_timeout(other, 50);
	assert_int_equal(db_begin(f->db), STORAGE_OK);
	assert_int_equal(audit_append(other, 1, "a", "b", NULL, NULL),
	    STORAGE_ERR_BUSY);
	assert_true(sqlite3_get_autocommit(db_sqlite(other)));
	db_rollback(f->db);
	assert_int_equal(audit_append(other, 1, "a", "b", NULL, NULL),
	    STORAGE_OK);
	db_close(&other);
	assert_clean(f->db, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_chain, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_canonical_encoding, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_edit_detected, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_null_to_empty_detected,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_middle_detected,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_detected, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_swap_ids_detected, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_rehashed_edit_breaks_next_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triggers_refuse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_transaction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_busy_append, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
