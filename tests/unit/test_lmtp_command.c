/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the pure LMTP command-line parser (handlers/lmtp_command.c):
 * verbs in any case, the MAIL and RCPT paths (null path, source route,
 * quoted local part, a bare address), SIZE and BODY parameters, and every
 * refusal: bad bytes, long lines and paths, unknown parameters, arguments
 * where none belong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handlers/lmtp_command.h"

static enum lmtp_command_status
parse(const char *line, struct lmtp_command *c)
{
	return lmtp_command_parse(line, strlen(line), c);
}

static void
test_verbs(void **state)
{
	struct lmtp_command c;

	(void)state;
	assert_int_equal(parse("LHLO mx.example.org", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_LHLO);
	assert_string_equal(c.arg, "mx.example.org");
	assert_int_equal(parse("lhlo  x  ", &c), LMTP_COMMAND_OK);
	assert_string_equal(c.arg, "x");
	assert_int_equal(parse("LHLO", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(c.verb, LMTP_VERB_LHLO);
	assert_int_equal(parse("helo x", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_HELO);
	assert_int_equal(parse("EHLO x", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_EHLO);
	assert_int_equal(parse("DATA", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_DATA);
	assert_int_equal(parse("DATA x", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("rset", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_RSET);
	assert_int_equal(parse("NOOP anything", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_NOOP);
	assert_int_equal(parse("QUIT", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_QUIT);
	assert_int_equal(parse("QUIT now", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("STARTTLS", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_UNKNOWN);
	assert_int_equal(parse("MAILX FROM:<a@b>", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_UNKNOWN);
	assert_int_equal(parse("DATA:", &c), LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_UNKNOWN);
	assert_int_equal(parse("", &c), LMTP_COMMAND_EMPTY);
	assert_int_equal(parse("   ", &c), LMTP_COMMAND_EMPTY);
	assert_string_equal(lmtp_command_verb_name(LMTP_VERB_RCPT), "RCPT");
}

static void
test_mail(void **state)
{
	struct lmtp_command c;

	(void)state;
	assert_int_equal(parse("MAIL FROM:<a@example.org>", &c),
	    LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_MAIL);
	assert_string_equal(c.path, "a@example.org");
	assert_false(c.has_size);
	assert_int_equal(parse("mail from: <a@example.org> SIZE=1234 "
	    "BODY=8BITMIME", &c), LMTP_COMMAND_OK);
	assert_string_equal(c.path, "a@example.org");
	assert_true(c.has_size);
	assert_int_equal(c.size, 1234);
	assert_true(c.body_8bit);
	assert_int_equal(parse("MAIL FROM:<> BODY=7BIT", &c), LMTP_COMMAND_OK);
	assert_string_equal(c.path, "");
	assert_false(c.body_8bit);
	assert_int_equal(parse("MAIL FROM:<@a.example,@b.example:u@c.example>",
	    &c), LMTP_COMMAND_OK);
	assert_string_equal(c.path, "u@c.example");
	assert_int_equal(parse("MAIL FROM:<\"a > b\"@example.org>", &c),
	    LMTP_COMMAND_OK);
	assert_string_equal(c.path, "\"a > b\"@example.org");
	assert_int_equal(parse("MAIL FROM:user@example.org SIZE=5", &c),
	    LMTP_COMMAND_OK);
	assert_string_equal(c.path, "user@example.org");
	assert_int_equal(c.size, 5);
	/* A size past 2^64 is simply too big. */
	assert_int_equal(parse("MAIL FROM:<a@b> SIZE=99999999999999999999",
	    &c), LMTP_COMMAND_OK);
	assert_true(c.size == UINT64_MAX);

	assert_int_equal(parse("MAIL FROM:<a@b> SIZE=", &c),
	    LMTP_COMMAND_BAD_PARAM);
	assert_int_equal(parse("MAIL FROM:<a@b> SIZE=12x", &c),
	    LMTP_COMMAND_BAD_PARAM);
	assert_int_equal(parse("MAIL FROM:<a@b> SIZE=1 SIZE=2", &c),
	    LMTP_COMMAND_BAD_PARAM);
	assert_int_equal(parse("MAIL FROM:<a@b> BODY=BINARYMIME", &c),
	    LMTP_COMMAND_BAD_PARAM);
	assert_int_equal(parse("MAIL FROM:<a@b> SMTPUTF8", &c),
	    LMTP_COMMAND_BAD_PARAM);
	assert_int_equal(parse("MAIL FROM:<a@b>SIZE=1", &c),
	    LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("MAIL TO:<a@b>", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("MAIL FROM:", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("MAIL FROM:<a@b", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("MAIL FROM:<a b@c>", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("MAIL FROM:<a<b@c>", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("MAIL FROM:<\"open@c>", &c),
	    LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("MAIL FROM:<@route-without-colon>", &c),
	    LMTP_COMMAND_SYNTAX);
}

static void
test_rcpt(void **state)
{
	struct lmtp_command c;

	(void)state;
	assert_int_equal(parse("RCPT TO:<tips+140581@localhost>", &c),
	    LMTP_COMMAND_OK);
	assert_int_equal(c.verb, LMTP_VERB_RCPT);
	assert_string_equal(c.path, "tips+140581@localhost");
	assert_int_equal(parse("rcpt to:<Postmaster>", &c), LMTP_COMMAND_OK);
	assert_string_equal(c.path, "Postmaster");
	assert_int_equal(parse("RCPT TO:<>", &c), LMTP_COMMAND_SYNTAX);
	assert_int_equal(parse("RCPT TO:<a@b> NOTIFY=NEVER", &c),
	    LMTP_COMMAND_BAD_PARAM);
	assert_int_equal(parse("RCPT TO:<a@b> SIZE=1", &c),
	    LMTP_COMMAND_BAD_PARAM);
	assert_int_equal(parse("RCPT FROM:<a@b>", &c), LMTP_COMMAND_SYNTAX);
}

static void
test_limits(void **state)
{
	struct lmtp_command c;
	char line[LMTP_COMMAND_LINE_MAX + 16];
	size_t n;

	(void)state;
	/* Bad bytes anywhere. */
	assert_int_equal(lmtp_command_parse("RCPT TO:<a\0b@c>", 15, &c),
	    LMTP_COMMAND_BAD_CHAR);
	assert_int_equal(parse("RCPT TO:<a\rb@c>", &c), LMTP_COMMAND_BAD_CHAR);
	assert_int_equal(parse("RCPT TO:<\xe4\xb8\xad@c>", &c),
	    LMTP_COMMAND_BAD_CHAR);
	assert_int_equal(parse("NOOP \x7f", &c), LMTP_COMMAND_BAD_CHAR);

	/* A line over the limit. */
	memset(line, 'A', sizeof(line));
	assert_int_equal(lmtp_command_parse(line, LMTP_COMMAND_LINE_MAX + 1,
	    &c), LMTP_COMMAND_TOO_LONG);

	/* A path of exactly the limit passes; one more byte does not. */
	n = (size_t)snprintf(line, sizeof(line), "RCPT TO:<");
	memset(line + n, 'x', LMTP_COMMAND_PATH_MAX - 2);
	n += LMTP_COMMAND_PATH_MAX - 2;
	memcpy(line + n, "@y>", 4);
	assert_int_equal(parse(line, &c), LMTP_COMMAND_OK);
	assert_int_equal(strlen(c.path), LMTP_COMMAND_PATH_MAX);
	n = (size_t)snprintf(line, sizeof(line), "RCPT TO:<");
	memset(line + n, 'x', LMTP_COMMAND_PATH_MAX - 1);
	n += LMTP_COMMAND_PATH_MAX - 1;
	memcpy(line + n, "@y>", 4);
	assert_int_equal(parse(line, &c), LMTP_COMMAND_PATH_TOO_LONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verbs),
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_rcpt),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
