/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of service/outbox_ack.c: who gets an acknowledgement, and the
 * message itself (headers, 7-bit, RFC 2047 words, the body in Chinese with
 * English below, the follow-up URL); and the [mail] outbox_retry_sec key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "service/config.h"
#include "service/outbox_ack.h"

static void
config_for_tests(struct config *c)
{
	char err[CONFIG_ERR_MAX];

	config_defaults(c);
	assert_int_equal(config_parse_text(c, "[server]\npublic_url = "
	    "https://tips.example.gov.cn/\n[mail]\ntip_addresses = "
	    "jubao@example.gov.cn, tips@localhost\nbureau_addresses = "
	    "140581:gaoping@example.gov.cn\n", "t.ini", err, sizeof(err)), 0);
}

static void
test_wanted(void **state)
{
	struct config c;

	(void)state;
	config_for_tests(&c);
	assert_true(outbox_ack_wanted(&c, "zhang.san@example.org"));
	assert_true(outbox_ack_wanted(&c, "a+b@qq.com"));
	/* Our own addresses, sub-addresses included: no loop. */
	assert_false(outbox_ack_wanted(&c, "jubao@example.gov.cn"));
	assert_false(outbox_ack_wanted(&c, "JUBAO+140581@Example.gov.cn"));
	assert_false(outbox_ack_wanted(&c, "gaoping@example.gov.cn"));
	/* Machines. */
	assert_false(outbox_ack_wanted(&c, "MAILER-DAEMON@example.org"));
	assert_false(outbox_ack_wanted(&c, "postmaster@example.org"));
	assert_false(outbox_ack_wanted(&c, "no-reply@example.org"));
	assert_false(outbox_ack_wanted(&c, "owner-list@example.org"));
	assert_false(outbox_ack_wanted(&c, "list-request@example.org"));
	/* Nothing that could break a header, nothing 8-bit. */
	assert_false(outbox_ack_wanted(&c, ""));
	assert_false(outbox_ack_wanted(&c, NULL));
	assert_false(outbox_ack_wanted(&c, "@example.org"));
	assert_false(outbox_ack_wanted(&c, "a@b\nBcc: x@y"));
	assert_false(outbox_ack_wanted(&c, "a b@example.org"));
	assert_false(outbox_ack_wanted(&c, "\xe5\xbc\xa0@example.org"));
}

/* The decoded body of msg (base64 after the blank line). */
static char *
body_of(const char *msg)
{
	const char *b64 = strstr(msg, "\n\n");
	char *clean, *out;
	size_t n = 0, outlen = 0;

	assert_non_null(b64);
	clean = calloc(1, strlen(b64) + 1);
	out = calloc(1, strlen(b64) + 1);
	assert_non_null(clean);
	assert_non_null(out);
	for (const char *p = b64 + 2; *p != '\0'; p++)
		if (*p != '\n')
			clean[n++] = *p;
	assert_int_equal(sodium_base642bin((unsigned char *)out, strlen(b64),
	    clean, n, NULL, &outlen, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	out[outlen] = '\0';
	free(clean);
	return out;
}

static void
test_compose(void **state)
{
	struct config c;
	char *msg = NULL, *body;
	size_t len = 0;
	const char *zh, *en;

	(void)state;
	assert_int_equal(sodium_init() >= 0, 1);
	config_for_tests(&c);
	assert_int_equal(outbox_ack_compose(&c, "zhang.san@example.org",
	    "T-2026-000042", "1234567890123456", 1795827495, &msg, &len), 0);
	assert_int_equal(strlen(msg), len);
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)msg[i] < 0x80 && msg[i] != '\r');
	assert_non_null(strstr(msg, "From: =?UTF-8?B?"));
	assert_non_null(strstr(msg, " <jubao@example.gov.cn>\n"));
	assert_non_null(strstr(msg, "\nTo: <zhang.san@example.org>\n"));
	assert_non_null(strstr(msg, "\nSubject: =?UTF-8?B?"));
	/* 1795827495 is 2026-11-28 00:58:15 UTC: 08:58:15 in China. */
	assert_non_null(strstr(msg, "\nDate: Sat, 28 Nov 2026 08:58:15 "
	    "+0800\n"));
	assert_non_null(strstr(msg, ".T-2026-000042@example.gov.cn>\n"));
	assert_non_null(strstr(msg, "\nAuto-Submitted: auto-replied\n"));
	assert_non_null(strstr(msg, "\nContent-Transfer-Encoding: base64\n"));
	/* Encoded words stay within 75 characters, folded. */
	for (const char *p = msg; (p = strstr(p, "=?UTF-8?B?")) != NULL; p++)
		assert_true(strstr(p, "?=") - p + 2 <= 75);
	body = body_of(msg);
	zh = strstr(body, "举报编号：T-2026-000042\n查询码：1234567890123456");
	en = strstr(body, "Reference: T-2026-000042\nReceipt code: "
	    "1234567890123456");
	assert_non_null(zh);
	assert_non_null(en);
	assert_true(zh < en);
	/* public_url's trailing slash is not doubled. */
	assert_non_null(strstr(body, "https://tips.example.gov.cn/follow-up"
	    "\n"));
	assert_null(strstr(body, "//follow-up"));
	sodium_memzero(msg, len);
	free(msg);
	free(body);

	/* Refused: anything that could reach a header unencoded. */
	assert_int_equal(outbox_ack_compose(&c, "a@b\nBcc: c@d",
	    "T-2026-000042", "1", 0, &msg, &len), -1);
	assert_int_equal(outbox_ack_compose(&c, "a@b", "T-2026\n-1", "1", 0,
	    &msg, &len), -1);
	assert_int_equal(outbox_ack_compose(&c, "a@b", "T-1", "12 34", 0,
	    &msg, &len), -1);
	assert_null(msg);
}

static void
test_retry_key(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	config_defaults(&c);
	assert_int_equal(c.outbox_retry_sec, 60);
	assert_int_equal(config_parse_text(&c, "[mail]\noutbox_retry_sec = 1\n",
	    "t.ini", err, sizeof(err)), 0);
	assert_int_equal(c.outbox_retry_sec, 1);
	config_defaults(&c);
	assert_int_equal(config_parse_text(&c, "[mail]\noutbox_retry_sec = 0\n",
	    "t.ini", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.ini:2"));
	assert_non_null(strstr(err, "outbox_retry_sec"));
	assert_int_equal(config_parse_text(&c, "[mail]\noutbox_retry_sec = "
	    "21601\n", "t.ini", err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_compose),
		cmocka_unit_test(test_retry_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
