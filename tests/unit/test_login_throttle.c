/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of service/login_throttle.c with time as a parameter: five
 * free failures per account, then blocks that double from 1 second up to
 * 15 minutes; attempts while blocked do not count; a success clears the
 * account; failures are forgotten 15 minutes after the last one; the
 * address allowance is separate and not cleared by a success; attempts
 * in flight count against the allowance.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <sodium.h>

#include "service/login_throttle.h"

#define T0 1700000000

/* One attempt that fails (or succeeds); returns the wait or 0. */
static int64_t
attempt(struct login_throttle *t, const char *login, const char *addr,
    bool ok, int64_t now)
{
	int64_t w = login_throttle_begin(t, login, addr, now);

	if (w == 0)
		login_throttle_end(t, login, addr, ok, now);
	return w;
}

static void
test_account_delays_grow(void **state)
{
	struct login_throttle *t = login_throttle_new();
	int64_t now = T0, w, last = 0;

	(void)state;
	assert_non_null(t);
	for (int i = 0; i < LOGIN_THROTTLE_ACCOUNT_FREE; i++)
		assert_int_equal(attempt(t, "a", NULL, false, now), 0);
	/* Blocked for 1 s (2 in whole seconds); tries meanwhile are
	 * refused and not counted. */
	for (int i = 0; i < 100; i++)
		assert_int_equal(attempt(t, "a", NULL, false, now), 2);
	/* The right password waits too. */
	assert_int_equal(attempt(t, "a", NULL, true, now), 2);
	assert_int_equal(attempt(t, "a", NULL, true, now + 1), 1);
	for (int k = 0; k < 14; k++) {
		now += (w = login_throttle_begin(t, "a", NULL, now)) > 0 ? w :
		    0;
		assert_int_equal(attempt(t, "a", NULL, false, now), 0);
		w = login_throttle_begin(t, "a", NULL, now);
		assert_true(w >= last);
		assert_true(w <= LOGIN_THROTTLE_DELAY_MAX);
		last = w;
	}
	assert_int_equal(last, LOGIN_THROTTLE_DELAY_MAX);
	/* No permanent lock-out: after the block the right password works. */
	now += last;
	assert_int_equal(attempt(t, "a", NULL, true, now), 0);
	/* ... and clears the count. */
	for (int i = 0; i < LOGIN_THROTTLE_ACCOUNT_FREE; i++)
		assert_int_equal(attempt(t, "a", NULL, false, now), 0);
	login_throttle_free(&t);
	assert_null(t);
}

static void
test_window_forgets(void **state)
{
	struct login_throttle *t = login_throttle_new();

	(void)state;
	for (int i = 0; i < LOGIN_THROTTLE_ACCOUNT_FREE - 1; i++)
		assert_int_equal(attempt(t, "b", NULL, false, T0), 0);
	assert_int_equal(attempt(t, "b", NULL, false,
	    T0 + LOGIN_THROTTLE_WINDOW + 1), 0);
	/* The four old ones are gone: four more are free. */
	for (int i = 0; i < LOGIN_THROTTLE_ACCOUNT_FREE - 2; i++)
		assert_int_equal(attempt(t, "b", NULL, false,
		    T0 + LOGIN_THROTTLE_WINDOW + 2), 0);
	assert_int_equal(attempt(t, "b", NULL, false,
	    T0 + LOGIN_THROTTLE_WINDOW + 2), 0);
	assert_true(attempt(t, "b", NULL, false,
	    T0 + LOGIN_THROTTLE_WINDOW + 2) > 0);
	/* Other accounts are not affected. */
	assert_int_equal(attempt(t, "c", NULL, false, T0), 0);
	login_throttle_free(&t);
}

static void
test_address_allowance(void **state)
{
	struct login_throttle *t = login_throttle_new();
	char login[16];

	(void)state;
	/* Many accounts from one address: the address blocks at its own
	 * allowance, and a success does not reset it. */
	for (int i = 0; i < LOGIN_THROTTLE_ADDRESS_FREE; i++) {
		(void)snprintf(login, sizeof(login), "u%d", i);
		assert_int_equal(attempt(t, login, "192.0.2.1", false, T0), 0);
	}
	assert_int_equal(attempt(t, "fresh", "192.0.2.1", true, T0), 2);
	assert_int_equal(attempt(t, "fresh", "192.0.2.1", true, T0 + 2), 0);
	assert_true(attempt(t, "other", "192.0.2.1", false, T0 + 2) == 0);
	assert_true(attempt(t, "other", "192.0.2.1", false, T0 + 2) > 0);
	/* Another address is free. */
	assert_int_equal(attempt(t, "x", "192.0.2.2", false, T0 + 2), 0);
	login_throttle_free(&t);
}

static void
test_in_flight_counts(void **state)
{
	struct login_throttle *t = login_throttle_new();
	int started = 0;

	(void)state;
	/* A burst of parallel guesses: at most the allowance gets through. */
	for (int i = 0; i < 50; i++)
		if (login_throttle_begin(t, "p", NULL, T0) == 0)
			started++;
	assert_int_equal(started, LOGIN_THROTTLE_ACCOUNT_FREE);
	for (int i = 0; i < started; i++)
		login_throttle_end(t, "p", NULL, false, T0);
	assert_true(login_throttle_begin(t, "p", NULL, T0) > 0);
	login_throttle_free(&t);
}

static void
test_many_entries_bounded(void **state)
{
	struct login_throttle *t = login_throttle_new();
	char login[32];

	(void)state;
	for (int i = 0; i < LOGIN_THROTTLE_ENTRIES * 2; i++) {
		(void)snprintf(login, sizeof(login), "spray%d", i);
		(void)attempt(t, login, NULL, false, T0 + i / 100);
	}
	/* Still working, still throttling a fresh target. */
	for (int i = 0; i < LOGIN_THROTTLE_ACCOUNT_FREE; i++)
		assert_int_equal(attempt(t, "target", NULL, false, T0 + 100), 0);
	assert_true(attempt(t, "target", NULL, false, T0 + 100) > 0);
	login_throttle_free(&t);
	login_throttle_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_delays_grow),
		cmocka_unit_test(test_window_forgets),
		cmocka_unit_test(test_address_allowance),
		cmocka_unit_test(test_in_flight_counts),
		cmocka_unit_test(test_many_entries_bounded),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
