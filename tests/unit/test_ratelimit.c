/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the rate limits (service/ratelimit.c) with a clock of our
 * own: the exact sliding log (10 wrong codes in 10 minutes, then blocked
 * until the oldest leaves the window, then free again), the fixed window
 * of large limits, giving an event back, the limit 0, many ids, and the
 * daily key of client ids.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "service/ratelimit.h"

static struct ratelimit rl;	/* big: not on the stack */

static void
id_of(unsigned char id[RATELIMIT_ID_BYTES], unsigned n)
{
	memset(id, 0, RATELIMIT_ID_BYTES);
	crypto_generichash(id, RATELIMIT_ID_BYTES, (unsigned char *)&n,
	    sizeof(n), NULL, 0);
}

static void
test_sliding_log(void **state)
{
	unsigned char a[RATELIMIT_ID_BYTES], b[RATELIMIT_ID_BYTES];
	int64_t retry = 0, t0 = 1000;

	(void)state;
	ratelimit_init(&rl, 10, 600);
	id_of(a, 1);
	id_of(b, 2);
	for (int i = 0; i < 10; i++)
		assert_true(ratelimit_take(&rl, a, t0 + i, &retry));
	assert_false(ratelimit_take(&rl, a, t0 + 10, &retry));
	assert_int_equal(retry, 600 - 10);	/* the first leaves at t0+600 */
	assert_true(ratelimit_is_blocked(&rl, a, t0 + 11, &retry));
	/* Another address is not affected. */
	assert_true(ratelimit_take(&rl, b, t0 + 10, NULL));
	/* Still blocked one second before the window ends... */
	assert_true(ratelimit_is_blocked(&rl, a, t0 + 599, &retry));
	assert_int_equal(retry, 1);
	/* ... then exactly one more is allowed, and again blocked. */
	assert_false(ratelimit_is_blocked(&rl, a, t0 + 600, &retry));
	assert_true(ratelimit_take(&rl, a, t0 + 600, NULL));
	assert_false(ratelimit_take(&rl, a, t0 + 600, &retry));
	/* After the whole window, free again. */
	assert_false(ratelimit_is_blocked(&rl, a, t0 + 1300, NULL));
	for (int i = 0; i < 10; i++)
		assert_true(ratelimit_take(&rl, a, t0 + 1300, NULL));
}

static void
test_give_back(void **state)
{
	unsigned char a[RATELIMIT_ID_BYTES];

	(void)state;
	ratelimit_init(&rl, 3, 60);
	id_of(a, 7);
	for (int i = 0; i < 100; i++) {
		assert_true(ratelimit_take(&rl, a, 5, NULL));
		ratelimit_give_back(&rl, a);	/* a right code: not counted */
	}
	assert_true(ratelimit_take(&rl, a, 5, NULL));
	assert_true(ratelimit_take(&rl, a, 5, NULL));
	assert_true(ratelimit_take(&rl, a, 5, NULL));
	assert_false(ratelimit_take(&rl, a, 5, NULL));
}

static void
test_fixed_window(void **state)
{
	unsigned char a[RATELIMIT_ID_BYTES];
	int64_t retry = 0;

	(void)state;
	ratelimit_init(&rl, 30, 3600);
	id_of(a, 3);
	for (int i = 0; i < 30; i++)
		assert_true(ratelimit_take(&rl, a, 100 + i, NULL));
	assert_false(ratelimit_take(&rl, a, 200, &retry));
	assert_int_equal(retry, 3600 - 100);
	assert_true(ratelimit_take(&rl, a, 3700, NULL));
}

static void
test_no_limit(void **state)
{
	unsigned char a[RATELIMIT_ID_BYTES];

	(void)state;
	ratelimit_init(&rl, 0, 3600);
	id_of(a, 4);
	for (int i = 0; i < 1000; i++)
		assert_true(ratelimit_take(&rl, a, 1, NULL));
	assert_false(ratelimit_is_blocked(&rl, a, 1, NULL));
}

static void
test_many_ids(void **state)
{
	unsigned char a[RATELIMIT_ID_BYTES];

	(void)state;
	ratelimit_init(&rl, 1, 600);
	/* Far more ids than slots: the table stays bounded and works. */
	for (unsigned i = 0; i < 5 * RATELIMIT_SLOTS; i++) {
		id_of(a, 1000 + i);
		assert_true(ratelimit_take(&rl, a, 10 + i, NULL));
	}
	/* A recent id is still remembered. */
	assert_false(ratelimit_take(&rl, a, 10 + 5 * RATELIMIT_SLOTS, NULL));
}

static void
test_client_id(void **state)
{
	struct ratelimit_key k;
	unsigned char a[RATELIMIT_ID_BYTES], b[RATELIMIT_ID_BYTES];
	unsigned char c[RATELIMIT_ID_BYTES];

	(void)state;
	memset(&k, 0, sizeof(k));
	assert_true(ratelimit_client_id(&k, "127.0.0.1", 10, a));
	assert_false(ratelimit_client_id(&k, "127.0.0.1", 20, b));
	assert_memory_equal(a, b, sizeof(a));
	assert_false(ratelimit_client_id(&k, "127.0.0.2", 20, c));
	assert_memory_not_equal(a, c, sizeof(a));
	/* A day later the key is new, and so is the id. */
	assert_true(ratelimit_client_id(&k, "127.0.0.1",
	    10 + RATELIMIT_KEY_TTL, b));
	assert_memory_not_equal(a, b, sizeof(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sliding_log),
		cmocka_unit_test(test_give_back),
		cmocka_unit_test(test_fixed_window),
		cmocka_unit_test(test_no_limit),
		cmocka_unit_test(test_many_ids),
		cmocka_unit_test(test_client_id),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
