/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of contact_mac_normalise() (service/contact_mac.c): the
 * e-mail address first, trimmed and ASCII lower-cased; else the phone
 * number's digits; "email:" and "phone:" kept apart; nothing for no
 * contact or a phone number without digits; a buffer too small is an
 * error, never a cut contact.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "service/contact_mac.h"

static void
expect(const char *email, const char *phone, int want_rc, const char *want)
{
	char out[CONTACT_MAC_NORM_MAX];

	assert_int_equal(contact_mac_normalise(email, phone, out,
	    sizeof(out)), want_rc);
	assert_string_equal(out, want);
}

static void
test_email(void **state)
{
	(void)state;
	expect("li.si@example.org", NULL, 1, "email:li.si@example.org");
	expect("  Li.Si@Example.ORG\t", "13800000000", 1,
	    "email:li.si@example.org");
	/* Non-ASCII bytes are kept as they are. */
	expect("张三@例子.中国", NULL, 1, "email:张三@例子.中国");
}

static void
test_phone(void **state)
{
	(void)state;
	expect(NULL, "138-0000 0000", 1, "phone:13800000000");
	expect("", "(0356) 123 4567", 1, "phone:03561234567");
	/* China's country code before a mobile number is folded away. */
	expect("   ", "+86 13800000000", 1, "phone:13800000000");
	expect(NULL, "0086-138-0000-0000", 1, "phone:13800000000");
	expect(NULL, "86 0356 1234567", 1, "phone:8603561234567");
}

static void
test_none(void **state)
{
	(void)state;
	expect(NULL, NULL, 0, "");
	expect("", "", 0, "");
	expect(" \t", "+ - ( )", 0, "");
}

static void
test_bounds(void **state)
{
	char out[16], big[300], bigu[4 * 254 + 1], norm[CONTACT_MAC_NORM_MAX];

	(void)state;
	/* "email:" + 9 + NUL fits 16 bytes; one more does not. */
	assert_int_equal(contact_mac_normalise("a@ex.orgx", NULL, out,
	    sizeof(out)), 1);
	assert_string_equal(out, "email:a@ex.orgx");
	assert_int_equal(contact_mac_normalise("ab@ex.orgx", NULL, out,
	    sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(contact_mac_normalise(NULL, "123456789", out,
	    sizeof(out)), 1);
	assert_string_equal(out, "phone:123456789");
	assert_int_equal(contact_mac_normalise(NULL, "1234567890", out,
	    sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(contact_mac_normalise(NULL, NULL, out, 0), -1);
	/* The longest address and phone number intake takes fit. */
	memset(big, 'A', 254);
	big[254] = '\0';
	assert_int_equal(contact_mac_normalise(big, NULL, norm,
	    sizeof(norm)), 1);
	assert_int_equal(strlen(norm), 6 + 254);
	assert_int_equal(norm[6], 'a');
	for (size_t i = 0; i < 254; i++)
		memcpy(bigu + 4 * i, "\xf0\x9f\x98\x80", 4);
	bigu[4 * 254] = '\0';
	assert_int_equal(contact_mac_normalise(bigu, NULL, norm,
	    sizeof(norm)), 1);
	assert_int_equal(strlen(norm), 6 + 4 * 254);
	memset(big, '9', 40);
	big[40] = '\0';
	assert_int_equal(contact_mac_normalise(NULL, big, norm,
	    sizeof(norm)), 1);
	assert_int_equal(strlen(norm), 6 + 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
