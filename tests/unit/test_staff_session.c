/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the staff session logic: storage/sessions.c (idle and
 * absolute expiry, last_seen granularity, a disabled account, deleting
 * the other sessions of an account) and service/staff_session.c (tokens
 * and their hash, login with the same answer for an unknown account, a
 * wrong password and a disabled account; no fixation; logout; password
 * change; the CSRF comparison).  Time is a parameter, so expiry is tested
 * without waiting.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <sodium.h>

#include "service/password.h"
#include "service/service.h"
#include "service/staff_session.h"
#include "storage/db.h"
#include "storage/sessions.h"
#include "storage/users.h"

#define PW "the right password 1"
#define NOW 1700000000

struct fixture {
	char dir[256];
	struct db *db;
	struct service_worker w;
	int64_t uid;
};

static const struct sessions_limits lim = { 30 * 60, 12 * 3600, 30 };

static int64_t
count(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(f->db), sql, -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[400], err[256], hash[PASSWORD_HASH_MAX];
	struct users_row u;

	if (f == NULL || sodium_init() < 0)
		return -1;
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/test_ss.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	(void)snprintf(p, sizeof(p), "%s/tipline.db", f->dir);
	if (db_open(p, DB_OPEN_CREATE, &f->db, err, sizeof(err)) != 0)
		return -1;
	if (sqlite3_exec(db_sqlite(f->db), "INSERT INTO bureaus (code, "
	    "name_zh, name_en) VALUES ('140581', '高平', 'Gaoping')", NULL,
	    NULL, NULL) != SQLITE_OK)
		return -1;
	if (password_hash(PW, hash) != 0 ||
	    users_create(f->db, "wu", "officer", "140581", hash, false, 1) !=
	    STORAGE_OK ||
	    users_find(f->db, "wu", &u) != STORAGE_OK)
		return -1;
	f->uid = u.id;
	f->w.db = f->db;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[400];

	db_close(&f->db);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
test_token_shape_and_hash(void **state)
{
	unsigned char h1[32], h2[32];
	char tok[65];

	(void)state;
	memset(tok, 'a', 64);
	tok[64] = '\0';
	assert_true(staff_session_valid_token(tok));
	tok[3] = 'A';
	assert_false(staff_session_valid_token(tok));
	tok[3] = 'a';
	tok[63] = '\0';
	assert_false(staff_session_valid_token(tok));
	assert_false(staff_session_valid_token(NULL));
	assert_false(staff_session_valid_token(""));
	staff_session_hash("abc", h1);
	crypto_generichash(h2, 32, (const unsigned char *)"abc", 3, NULL, 0);
	assert_memory_equal(h1, h2, 32);
}

static void
test_storage_expiry(void **state)
{
	struct fixture *f = *state;
	unsigned char h[32];
	struct sessions_row row;

	randombytes_buf(h, sizeof(h));
	assert_int_equal(sessions_create(f->db, h, f->uid, "csrf", NOW),
	    STORAGE_OK);
	assert_int_equal(sessions_create(f->db, h, f->uid, "csrf", NOW),
	    STORAGE_ERR_EXISTS);
	assert_int_equal(sessions_lookup(f->db, h, NOW + 10, &lim, &row),
	    STORAGE_OK);
	assert_string_equal(row.user.login, "wu");
	assert_string_equal(row.user.bureau, "140581");
	assert_string_equal(row.csrf, "csrf");
	/* Not touched within 30 s, touched after. */
	assert_int_equal(row.last_seen, NOW);
	assert_int_equal(sessions_lookup(f->db, h, NOW + 29 * 60, &lim, &row),
	    STORAGE_OK);
	assert_int_equal(row.last_seen, NOW + 29 * 60);
	/* Idle: 30 minutes after the last use, not after creation. */
	assert_int_equal(sessions_lookup(f->db, h, NOW + 58 * 60, &lim, &row),
	    STORAGE_OK);
	assert_int_equal(sessions_lookup(f->db, h, NOW + 58 * 60 + 30 * 60 + 1,
	    &lim, &row), STORAGE_ERR_NOTFOUND);
	assert_int_equal(count(f, "SELECT count(*) FROM sessions"), 0);

	/* Absolute: 12 hours after creation however busy. */
	assert_int_equal(sessions_create(f->db, h, f->uid, "csrf", NOW),
	    STORAGE_OK);
	for (int64_t t = NOW; t <= NOW + 12 * 3600; t += 20 * 60)
		assert_int_equal(sessions_lookup(f->db, h, t, &lim, &row),
		    STORAGE_OK);
	assert_int_equal(sessions_lookup(f->db, h, NOW + 12 * 3600 + 1, &lim,
	    &row), STORAGE_ERR_NOTFOUND);
}

static void
test_storage_disabled_and_delete(void **state)
{
	struct fixture *f = *state;
	unsigned char a[32], b[32];
	struct sessions_row row;
	long n = 0;

	randombytes_buf(a, sizeof(a));
	randombytes_buf(b, sizeof(b));
	assert_int_equal(sessions_create(f->db, a, f->uid, "x", NOW),
	    STORAGE_OK);
	assert_int_equal(sessions_create(f->db, b, f->uid, "y", NOW),
	    STORAGE_OK);
	assert_int_equal(sessions_delete_user(f->db, f->uid, a, &n),
	    STORAGE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(sessions_lookup(f->db, b, NOW, &lim, &row),
	    STORAGE_ERR_NOTFOUND);
	assert_int_equal(sessions_lookup(f->db, a, NOW, &lim, &row),
	    STORAGE_OK);
	assert_int_equal(users_set_disabled(f->db, f->uid, true, NOW),
	    STORAGE_OK);
	assert_int_equal(sessions_lookup(f->db, a, NOW, &lim, &row),
	    STORAGE_ERR_NOTFOUND);
	assert_int_equal(sessions_delete(f->db, a), STORAGE_ERR_NOTFOUND);
	assert_int_equal(sessions_create(f->db, b, f->uid, "y", NOW - 13 *
	    3600), STORAGE_OK);
	assert_int_equal(sessions_purge(f->db, NOW, &lim), STORAGE_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM sessions"), 0);
}

static void
test_login_resolve_logout(void **state)
{
	struct fixture *f = *state;
	struct staff_user u, v;
	char tok[STAFF_TOKEN_HEX + 1], tok2[STAFF_TOKEN_HEX + 1];
	int64_t now = (int64_t)time(NULL);

	assert_int_equal(staff_session_login(&f->w, "wu", "wrong password!",
	    NULL, now, tok, &u), STAFF_UNAUTHENTICATED);
	assert_string_equal(tok, "");
	assert_int_equal(staff_session_login(&f->w, "nobody", PW, NULL, now,
	    tok, &u), STAFF_UNAUTHENTICATED);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = "
	    "'login.fail'"), 2);
	assert_int_equal(staff_session_login(&f->w, "wu", PW, NULL, now, tok,
	    &u), STAFF_OK);
	assert_true(staff_session_valid_token(tok));
	assert_int_equal(u.scope.role, SCOPE_ROLE_OFFICER);
	assert_string_equal(u.scope.bureau, "140581");
	assert_int_equal(strlen(u.csrf), 64);

	assert_int_equal(staff_session_resolve(&f->w, tok, now, &v), STAFF_OK);
	assert_int_equal(v.id, u.id);
	assert_string_equal(v.csrf, u.csrf);
	assert_true(staff_session_csrf_ok(&v, u.csrf));

	/* Logging in again with the old token: a new one, the old gone. */
	assert_int_equal(staff_session_login(&f->w, "wu", PW, tok, now, tok2,
	    &u), STAFF_OK);
	assert_string_not_equal(tok, tok2);
	assert_int_equal(staff_session_resolve(&f->w, tok, now, &v),
	    STAFF_UNAUTHENTICATED);
	assert_int_equal(staff_session_resolve(&f->w, tok2, now, &v),
	    STAFF_OK);
	assert_int_equal(staff_session_logout(&f->w, &v, now), STAFF_OK);
	assert_int_equal(staff_session_resolve(&f->w, tok2, now, &v),
	    STAFF_UNAUTHENTICATED);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action IN "
	    "('login', 'logout') AND user = 'wu'"), 3);

	/* Disabled: the right password answers like a wrong one. */
	assert_int_equal(users_set_disabled(f->db, u.id, true, now),
	    STAFF_OK);
	assert_int_equal(staff_session_login(&f->w, "wu", PW, NULL, now, tok,
	    &u), STAFF_UNAUTHENTICATED);
}

static void
test_password_change(void **state)
{
	struct fixture *f = *state;
	struct staff_user a, b, v;
	char ta[STAFF_TOKEN_HEX + 1], tb[STAFF_TOKEN_HEX + 1], msg[256];
	int64_t now = (int64_t)time(NULL);

	assert_int_equal(staff_session_login(&f->w, "wu", PW, NULL, now, ta,
	    &a), STAFF_OK);
	assert_int_equal(staff_session_login(&f->w, "wu", PW, NULL, now, tb,
	    &b), STAFF_OK);
	assert_int_equal(staff_session_change_password(&f->w, &a, "nope",
	    "a new password 2", now, msg, sizeof(msg)), STAFF_FORBIDDEN);
	assert_int_equal(staff_session_change_password(&f->w, &a, PW, "short",
	    now, msg, sizeof(msg)), STAFF_INVALID);
	assert_non_null(strstr(msg, "12"));
	assert_int_equal(staff_session_change_password(&f->w, &a, PW, PW,
	    now, msg, sizeof(msg)), STAFF_INVALID);
	assert_int_equal(staff_session_change_password(&f->w, &a, PW,
	    "a new password 2", now, msg, sizeof(msg)), STAFF_OK);
	assert_int_equal(staff_session_resolve(&f->w, ta, now, &v), STAFF_OK);
	assert_int_equal(staff_session_resolve(&f->w, tb, now, &v),
	    STAFF_UNAUTHENTICATED);
	assert_int_equal(staff_session_login(&f->w, "wu", PW, NULL, now, tb,
	    &b), STAFF_UNAUTHENTICATED);
	assert_int_equal(staff_session_login(&f->w, "wu", "a new password 2",
	    NULL, now, tb, &b), STAFF_OK);
}

static void
test_csrf_compare(void **state)
{
	struct staff_user u;

	(void)state;
	memset(&u, 0, sizeof(u));
	assert_false(staff_session_csrf_ok(&u, ""));
	(void)snprintf(u.csrf, sizeof(u.csrf), "%s", "0123abcd");
	assert_true(staff_session_csrf_ok(&u, "0123abcd"));
	assert_false(staff_session_csrf_ok(&u, "0123abce"));
	assert_false(staff_session_csrf_ok(&u, "0123abc"));
	assert_false(staff_session_csrf_ok(&u, "0123abcdd"));
	assert_false(staff_session_csrf_ok(&u, NULL));
	assert_false(staff_session_csrf_ok(NULL, "0123abcd"));
}

static void
test_password_rules(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_false(password_valid_new("elevenchars", &why));
	assert_non_null(why);
	assert_true(password_valid_new("twelve chars", &why));
	/* Characters, not bytes: 12 Chinese characters are enough. */
	assert_true(password_valid_new("一二三四五六七八九十百千", &why));
	assert_false(password_valid_new("一二三四五六七八九十百", &why));
	assert_false(password_valid_new("tab\there is bad", &why));
	assert_false(password_valid_new("bad utf-8 \xff\xfe here", &why));
	assert_false(password_matches_dummy("anything at all"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_shape_and_hash),
		cmocka_unit_test(test_csrf_compare),
		cmocka_unit_test(test_password_rules),
		cmocka_unit_test_setup_teardown(test_storage_expiry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_storage_disabled_and_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_resolve_logout,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_change, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
