/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tipster sessions (service/tipster_session.c): a session
 * is found by its token until it expires after 15 minutes, the CSRF token
 * matches, a wrong or malformed token finds nothing, ending works, and a
 * full table keeps working.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "service/tipster_session.h"

static struct tipster_sessions s;

static void
test_lifecycle(void **state)
{
	char token[TIPSTER_SESSION_TOKEN_HEX + 1];
	char csrf[TIPSTER_SESSION_CSRF_HEX + 1];
	const struct tipster_session *ts;

	(void)state;
	memset(&s, 0, sizeof(s));
	tipster_session_create(&s, 42, 1000, token, csrf);
	assert_int_equal(strlen(token), TIPSTER_SESSION_TOKEN_HEX);
	assert_int_equal(strlen(csrf), TIPSTER_SESSION_CSRF_HEX);
	ts = tipster_session_find(&s, token, 1000 + TIPSTER_SESSION_TTL - 1);
	assert_non_null(ts);
	assert_int_equal(ts->tip_id, 42);
	assert_true(tipster_session_valid_csrf(ts, csrf));
	assert_false(tipster_session_valid_csrf(ts, "00"));
	assert_false(tipster_session_valid_csrf(ts, NULL));
	/* Only the hash is kept. */
	for (size_t i = 0; i < TIPSTER_SESSION_SLOTS; i++)
		assert_null(memmem(&s.slots[i], sizeof(s.slots[i]), token,
		    16));
	assert_null(tipster_session_find(&s, token,
	    1000 + TIPSTER_SESSION_TTL));
	assert_null(tipster_session_find(&s, token, 1001));	/* gone */
}

static void
test_wrong_tokens(void **state)
{
	char token[TIPSTER_SESSION_TOKEN_HEX + 1];
	char csrf[TIPSTER_SESSION_CSRF_HEX + 1];
	char other[TIPSTER_SESSION_TOKEN_HEX + 1];

	(void)state;
	memset(&s, 0, sizeof(s));
	tipster_session_create(&s, 7, 10, token, csrf);
	memcpy(other, token, sizeof(other));
	other[0] = other[0] == 'a' ? 'b' : 'a';
	assert_null(tipster_session_find(&s, other, 11));
	assert_null(tipster_session_find(&s, "", 11));
	assert_null(tipster_session_find(&s, NULL, 11));
	other[0] = 'A';		/* not lowercase hex */
	assert_null(tipster_session_find(&s, other, 11));
	assert_non_null(tipster_session_find(&s, token, 11));
	tipster_session_end(&s, token);
	assert_null(tipster_session_find(&s, token, 11));
}

static void
test_full_table(void **state)
{
	char token[TIPSTER_SESSION_TOKEN_HEX + 1];
	char csrf[TIPSTER_SESSION_CSRF_HEX + 1];

	(void)state;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 3 * TIPSTER_SESSION_SLOTS; i++)
		tipster_session_create(&s, i, 100 + i, token, csrf);
	/* The newest session is there. */
	assert_non_null(tipster_session_find(&s, token,
	    100 + 3 * TIPSTER_SESSION_SLOTS));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_wrong_tokens),
		cmocka_unit_test(test_full_table),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
