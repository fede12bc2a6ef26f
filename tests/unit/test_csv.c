/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the CSV reader (service/csv.c): RFC 4180 quoting, CRLF and
 * LF, the byte order mark, blank lines, the limits, and every refusal with
 * its line number, including invalid UTF-8 inside a multi-line field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "service/csv.h"

/* A string literal and its length (it may contain NUL bytes). */
#define LIT(s)	(s), (sizeof(s) - 1)

/*
 * Parse input and render all rows as "f1|f2;f1|f2" with each row's start
 * line as "@N:" in front.  Returns the reader's last result (0 or -1).
 */
static int
render(const char *input, size_t len, const struct csv_limits *limits,
    char *out, size_t outlen, char *err, size_t errlen)
{
	struct csv_reader r;
	struct csv_row row;
	size_t used = 0;
	int rc;

	out[0] = '\0';
	err[0] = '\0';
	if (csv_reader_init(&r, input, len, limits) != 0)
		return -2;
	while ((rc = csv_next_row(&r, &row, err, errlen)) == 1) {
		used += (size_t)snprintf(out + used, outlen - used, "%s@%lu:",
		    used > 0 ? ";" : "", row.line);
		assert_true(used < outlen);
		for (size_t i = 0; i < row.nfields; i++) {
			assert_int_equal(strlen(row.fields[i]), row.lens[i]);
			used += (size_t)snprintf(out + used, outlen - used,
			    "%s%s", i > 0 ? "|" : "", row.fields[i]);
			assert_true(used < outlen);
		}
	}
	csv_reader_free(&r);
	return rc;
}

static void
expect_rows(const char *input, const char *want)
{
	char out[1024], err[200];

	assert_int_equal(render(input, strlen(input), NULL, out, sizeof(out),
	    err, sizeof(err)), 0);
	assert_string_equal(out, want);
}

/* The error must start with "line N: " and contain `why`. */
static void
expect_error_n(const char *input, size_t len,
    const struct csv_limits *limits, unsigned long line, const char *why)
{
	char out[1024], err[200], prefix[32];

	assert_int_equal(render(input, len, limits, out, sizeof(out), err,
	    sizeof(err)), -1);
	snprintf(prefix, sizeof(prefix), "line %lu: ", line);
	if (strncmp(err, prefix, strlen(prefix)) != 0 ||
	    strstr(err, why) == NULL)
		fail_msg("error \"%s\", wanted \"%s...%s\"", err, prefix, why);
}

static void
expect_error(const char *input, unsigned long line, const char *why)
{
	expect_error_n(input, strlen(input), NULL, line, why);
}

static void
test_plain(void **state)
{
	(void)state;
	expect_rows("", "");
	expect_rows("a", "@1:a");
	expect_rows("a,b,c\n1,2,3\n", "@1:a|b|c;@2:1|2|3");
	expect_rows("a,b,c\n1,2,3", "@1:a|b|c;@2:1|2|3");
	expect_rows("a,,c\n,,\n", "@1:a||c;@2:||");
	expect_rows("a,b,\n", "@1:a|b|");
	expect_rows("a,b,", "@1:a|b|");
	expect_rows(" a , b \n", "@1: a | b ");
	expect_rows("高平市,米山镇\n", "@1:高平市|米山镇");
	expect_rows("\xf0\x9f\x98\x80,x\n", "@1:\xf0\x9f\x98\x80|x");
}

static void
test_line_endings(void **state)
{
	(void)state;
	expect_rows("a,b\r\nc,d\r\n", "@1:a|b;@2:c|d");
	expect_rows("a,b\r\nc,d\ne,f", "@1:a|b;@2:c|d;@3:e|f");
	expect_rows("a\n\nb\r\n\r\n\nc\n\n", "@1:a;@3:b;@6:c");
	expect_rows("\n\n", "");
}

static void
test_quoting(void **state)
{
	(void)state;
	expect_rows("\"a,b\",c\n", "@1:a,b|c");
	expect_rows("\"say \"\"hi\"\"\",x\n", "@1:say \"hi\"|x");
	expect_rows("\"\",\"\"\n", "@1:|");
	expect_rows("\"\"\"\"\n", "@1:\"");
	expect_rows("\"one\ntwo\",x\nnext\n", "@1:one\ntwo|x;@3:next");
	expect_rows("\"one\r\ntwo\"\r\nnext\r\n", "@1:one\r\ntwo;@3:next");
	expect_rows("x,\"a\n\n\nb\"\ny", "@1:x|a\n\n\nb;@5:y");
	expect_rows("\"last\"", "@1:last");
	expect_rows("a,\"\"", "@1:a|");
}

static void
test_bom(void **state)
{
	(void)state;
	expect_rows("\xef\xbb\xbf" "code,name\n1,x\n", "@1:code|name;@2:1|x");
	expect_rows("\xef\xbb\xbf", "");
	expect_rows("\xef\xbb\xbf\"q\"\n", "@1:q");
	/* Only at the start: later it is a character like any other. */
	expect_rows("a\n\xef\xbb\xbf" "b\n", "@1:a;@2:\xef\xbb\xbf" "b");
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	expect_error("a,b\nc\"d,e\n", 2, "quote inside an unquoted field");
	expect_error("a\n\"x\"y\n", 2, "after a closing quote");
	expect_error("a\n\"x\" ,y\n", 2, "after a closing quote");
	expect_error("a\nb\n\"open,\nnever\nclosed", 3, "not closed");
	expect_error("a\rb\n", 1, "CR without LF");
	expect_error("a,b\r", 1, "CR without LF");
	expect_error("a\n\r", 2, "CR without LF");
	expect_error_n(LIT("a\nb\0c\n"), NULL, 2, "NUL byte");
	expect_error_n(LIT("\"x\ny\0\"\n"), NULL, 2, "NUL byte");
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	expect_error("ok\nbad\xff\n", 2, "invalid UTF-8 in field 1");
	expect_error("a,b\nx,\xc0\x80\n", 2, "invalid UTF-8 in field 2");
	expect_error("\xe0\x80\xaf\n", 1, "invalid UTF-8");	/* overlong */
	expect_error("\xed\xa0\x80\n", 1, "invalid UTF-8");	/* surrogate */
	expect_error("\xf4\x90\x80\x80\n", 1, "invalid UTF-8"); /* > 10FFFF */
	expect_error("\xf5\x80\x80\x80\n", 1, "invalid UTF-8");
	expect_error("x\n\xe9\xab", 2, "invalid UTF-8");	/* truncated */
	expect_error("\xe9\xab,\xa8\n", 1, "invalid UTF-8");	/* split */
	expect_error("\x80\n", 1, "invalid UTF-8");
	/* Inside a multi-line quoted field: the line of the bad byte. */
	expect_error("h\n\"one\ntwo\nthr\xfe" "e\"\n", 4, "invalid UTF-8");
	/* A bad byte in an invalid BOM at the start is data, and invalid. */
	expect_error("\xef\xbb" "a\n", 1, "invalid UTF-8");
}

static void
test_limits(void **state)
{
	struct csv_limits lim = { 4, 3, 12 };
	char out[256], err[200];

	(void)state;
	/* At the limits: fine. */
	assert_int_equal(render(LIT("abcd,ef,g\n\"abcd\",\"\"\"\"\n"), &lim,
	    out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "@1:abcd|ef|g;@2:abcd|\"");
	/* One more of each: refused with the line. */
	expect_error_n(LIT("x\nabcde\n"), &lim, 2, "field longer than 4 bytes");
	expect_error_n(LIT("x\n\"ab\"\"cd\"\n"), &lim, 2,
	    "field longer than 4");
	expect_error_n(LIT("x\n\"ab\ncde\nfgh\"\n"), &lim, 3, "field longer");
	expect_error_n(LIT("x\na,b,c,d\n"), &lim, 2, "more than 3 fields");
	expect_error_n(LIT("x\na,b,c,\n"), &lim, 2, "more than 3 fields");
	expect_error_n(LIT("1234\n1234,1234,1234\n"), &lim, 2,
	    "line longer than 12 bytes");
	/* CR LF does not count toward the line length. */
	assert_int_equal(render(LIT("1234,123,123\r\n"), &lim, out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "@1:1234|123|123");
	/* A long line inside a quoted field counts too. */
	expect_error_n(LIT("\"ab\n1234567890123\"\n"),
	    &(struct csv_limits){ 100, 3, 12 }, 2, "line longer");
}

static void
test_bad_limits(void **state)
{
	struct csv_reader r;
	struct csv_row row;
	char err[100];

	(void)state;
	assert_int_equal(csv_reader_init(&r, "a", 1,
	    &(struct csv_limits){ 0, 1, 1 }), -1);
	assert_int_equal(csv_next_row(&r, &row, err, sizeof(err)), -1);
	csv_reader_free(&r);
	assert_int_equal(csv_reader_init(&r, "a", 1,
	    &(struct csv_limits){ 1, CSV_MAX_FIELDS + 1, 1 }), -1);
	csv_reader_free(&r);
	assert_int_equal(csv_reader_init(&r, "a", 1,
	    &(struct csv_limits){ 1, 1, 0 }), -1);
	csv_reader_free(&r);
	assert_int_equal(csv_reader_init(&r, NULL, 1, NULL), -1);
	csv_reader_free(&r);
	assert_int_equal(csv_reader_init(&r, NULL, 0, NULL), 0);
	assert_int_equal(csv_next_row(&r, &row, err, sizeof(err)), 0);
	csv_reader_free(&r);
	csv_reader_free(NULL);
}

static void
test_sticky_error(void **state)
{
	struct csv_reader r;
	struct csv_row row;
	char err[100], err2[100];
	const char *in = "a,b\nc\"\nd,e\n";

	(void)state;
	assert_int_equal(csv_reader_init(&r, in, strlen(in), NULL), 0);
	assert_int_equal(csv_next_row(&r, &row, err, sizeof(err)), 1);
	assert_int_equal(row.nfields, 2);
	assert_int_equal(csv_next_row(&r, &row, err, sizeof(err)), -1);
	assert_int_equal(csv_next_row(&r, &row, err2, sizeof(err2)), -1);
	assert_string_equal(err, err2);
	assert_int_equal(row.nfields, 0);
	/* A short or missing error buffer is fine. */
	assert_int_equal(csv_next_row(&r, &row, err2, 5), -1);
	assert_string_equal(err2, "line");
	assert_int_equal(csv_next_row(&r, &row, NULL, 0), -1);
	csv_reader_free(&r);
}

static void
test_many_rows(void **state)
{
	static char buf[64 * 1024];
	struct csv_reader r;
	struct csv_row row;
	char err[100];
	size_t len = 0;
	unsigned long n = 0;
	int rc;

	(void)state;
	/* Rows big enough to make the scratch buffer grow, then shrink. */
	for (int i = 0; i < 500; i++) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "%d,\"%.*s\",x\n", i, i % 100 + 1,
		    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
		    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij");
		assert_true(len < sizeof(buf));
	}
	assert_int_equal(csv_reader_init(&r, buf, len, NULL), 0);
	while ((rc = csv_next_row(&r, &row, err, sizeof(err))) == 1) {
		assert_int_equal(row.nfields, 3);
		assert_int_equal(row.line, n + 1);
		assert_int_equal(row.lens[1], n % 100 + 1);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 500);
	csv_reader_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad_limits),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_many_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
