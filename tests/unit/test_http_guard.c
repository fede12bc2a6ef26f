/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the pure head check of handlers/http_guard.c: each refusal
 * of the contract with its status, heads that pass with their length and
 * Content-Length, incomplete heads asking for more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/http_guard.h"

static uint64_t
limit(const char *path, size_t len, void *arg)
{
	(void)arg;
	if (len == 5 && memcmp(path, "/tips", 5) == 0)
		return 1000;
	return 10;
}

static enum http_guard_verdict
check(const char *s, struct http_guard_head *h)
{
	return http_guard_check_head(s, strlen(s), limit, NULL, h);
}

static void
expect_status(const char *s, int status)
{
	struct http_guard_head h;

	if (check(s, &h) != HTTP_GUARD_REFUSE)
		fail_msg("not refused: %.60s", s);
	if (h.status != status)
		fail_msg("status %d, want %d: %.60s", h.status, status, s);
	assert_non_null(h.reason);
}

static void
test_pass(void **state)
{
	struct http_guard_head h;
	const char *get = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nNEXT";
	const char *post = "POST /tips?x=1 HTTP/1.1\r\nContent-Length: 1000"
	    "\r\n\r\n";

	(void)state;
	assert_int_equal(check(get, &h), HTTP_GUARD_PASS);
	assert_int_equal(h.head_len, strlen(get) - 4);
	assert_int_equal(h.method, HTTP_GUARD_GET);
	assert_int_equal(h.content_length, 0);
	assert_int_equal(check(post, &h), HTTP_GUARD_PASS);
	assert_int_equal(h.method, HTTP_GUARD_POST);
	assert_int_equal(h.content_length, 1000);
	/* Bare LF line ends are tolerated. */
	assert_int_equal(check("HEAD / HTTP/1.0\nA: b\n\n", &h),
	    HTTP_GUARD_PASS);
	assert_int_equal(h.method, HTTP_GUARD_HEAD);
	/* Equal duplicate Content-Length is fine. */
	assert_int_equal(check("POST /tips HTTP/1.1\r\nContent-Length: 5\r\n"
	    "content-length: 5\r\n\r\n", &h), HTTP_GUARD_PASS);
}

static void
test_more(void **state)
{
	struct http_guard_head h;

	(void)state;
	assert_int_equal(check("", &h), HTTP_GUARD_MORE);
	assert_int_equal(check("GET / HT", &h), HTTP_GUARD_MORE);
	assert_int_equal(check("GET / HTTP/1.1\r\nHost: a\r\n", &h),
	    HTTP_GUARD_MORE);
	/* Input that ends between the CR and the LF of a line end. */
	assert_int_equal(check("GET / HTTP/1.1\r", &h), HTTP_GUARD_MORE);
	assert_int_equal(check("GET / HTTP/1.1\r\nHost: a\r", &h),
	    HTTP_GUARD_MORE);
	assert_int_equal(check("GET / HTTP/1.1\r\nHost: a\r\n\r", &h),
	    HTTP_GUARD_MORE);
	/* A CR followed by anything but LF is bare, complete or not. */
	expect_status("GET / HTTP/1.1\r\nHost: a\rb", 400);
	expect_status("GET / HTTP/1.1\rX", 400);
}

static void
test_refusals(void **state)
{
	char *big;

	(void)state;
	expect_status("PUT / HTTP/1.1\r\n\r\n", 405);
	expect_status("DELETE / HTTP/1.1\r\n\r\n", 405);
	expect_status("OPTIONS / HTTP/1.1\r\n\r\n", 405);
	expect_status("FOO / HTTP/1.1\r\n\r\n", 405);
	expect_status("garbage\r\n\r\n", 400);
	expect_status("GET /\r\n\r\n", 400);
	expect_status("GET  / HTTP/1.1\r\n\r\n", 400);
	expect_status("GET / HTTP/2.0\r\n\r\n", 505);
	expect_status("GET / FTP/1.0\r\n\r\n", 400);
	expect_status("GET http://x/ HTTP/1.1\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", 400);
	expect_status("POST /tips HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 400);
	expect_status("POST /tips HTTP/1.1\r\nContent-Length: 3\r\n"
	    "Content-Length: 4\r\n\r\n", 400);
	expect_status("POST /tips HTTP/1.1\r\nContent-Length: -3\r\n\r\n",
	    400);
	expect_status("POST /tips HTTP/1.1\r\nContent-Length: 3x\r\n\r\n",
	    400);
	expect_status("POST /tips HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n", 411);
	expect_status("POST /tips HTTP/1.1\r\nContent-Length: 1001\r\n\r\n",
	    413);
	expect_status("POST /other HTTP/1.1\r\nContent-Length: 11\r\n\r\n",
	    413);

	/* A NUL byte anywhere in the head. */
	{
		struct http_guard_head h;
		const char s[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";

		assert_int_equal(http_guard_check_head(s, sizeof(s) - 1, limit,
		    NULL, &h), HTTP_GUARD_REFUSE);
		assert_int_equal(h.status, 400);
	}

	/* URI over 8 KiB: 414, complete or not. */
	big = malloc(HTTP_GUARD_HEAD_MAX * 2);
	assert_non_null(big);
	memcpy(big, "GET /", 5);
	memset(big + 5, 'a', HTTP_GUARD_URI_MAX);
	memcpy(big + 5 + HTTP_GUARD_URI_MAX, " HTTP/1.1\r\n\r\n", 14);
	expect_status(big, 414);
	big[5 + HTTP_GUARD_URI_MAX + 100] = '\0';
	memset(big + 5 + HTTP_GUARD_URI_MAX, 'a', 100);
	expect_status(big, 414);
	/* Exactly at the limit passes. */
	memcpy(big + 5 + HTTP_GUARD_URI_MAX - 1, " HTTP/1.1\r\n\r\n", 14);
	{
		struct http_guard_head h;

		assert_int_equal(check(big, &h), HTTP_GUARD_PASS);
	}
	/* Headers over 64 KiB: 431, complete or not. */
	memcpy(big, "GET / HTTP/1.1\r\nX-A: ", 21);
	memset(big + 21, 'b', HTTP_GUARD_HEAD_MAX);
	big[21 + HTTP_GUARD_HEAD_MAX] = '\0';
	expect_status(big, 431);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_more),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
