/* SPDX-License-Identifier: MIT */
/*
 * The LMTP command-line parser (RFC 2033, with the command syntax of
 * RFC 5321 section 4.1): one command line in, a plain struct out.  Pure:
 * no I/O, no allocation, no state; the line may hold any bytes.  The
 * session (lmtp_session.c) decides what a command means in its state; this
 * file only says what was written.
 *
 * Limits: a command line of at most LMTP_COMMAND_LINE_MAX bytes (without
 * its CRLF), a path of at most LMTP_COMMAND_PATH_MAX bytes (RFC 5321
 * 4.5.3.1.3).  Only the MAIL parameters SIZE (RFC 1870) and BODY (RFC 6152)
 * are known; any other parameter is an error the session answers with 555.
 */
#ifndef HANDLERS_LMTP_COMMAND_H
#define HANDLERS_LMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 5321 4.5.3.1.4 gives 512 with the CRLF; a little slack for clients
 * that send long parameters. */
#define LMTP_COMMAND_LINE_MAX 1000
#define LMTP_COMMAND_PATH_MAX 256
#define LMTP_COMMAND_VERB_MAX 8

enum lmtp_verb {
	LMTP_VERB_UNKNOWN = 0,	/* not a verb we know (500 5.5.2) */
	LMTP_VERB_LHLO,
	LMTP_VERB_HELO,		/* refused: LMTP has only LHLO */
	LMTP_VERB_EHLO,		/* refused: LMTP has only LHLO */
	LMTP_VERB_MAIL,
	LMTP_VERB_RCPT,
	LMTP_VERB_DATA,
	LMTP_VERB_RSET,
	LMTP_VERB_NOOP,
	LMTP_VERB_QUIT,
	LMTP_VERB_VRFY,
};

enum lmtp_command_status {
	LMTP_COMMAND_OK = 0,
	LMTP_COMMAND_EMPTY,		/* an empty line */
	LMTP_COMMAND_TOO_LONG,		/* over LMTP_COMMAND_LINE_MAX */
	LMTP_COMMAND_BAD_CHAR,		/* NUL, a control byte or 8-bit */
	LMTP_COMMAND_SYNTAX,		/* the verb is known, its argument
					 * malformed (501) */
	LMTP_COMMAND_BAD_PARAM,		/* an unknown or malformed MAIL/RCPT
					 * parameter (555) */
	LMTP_COMMAND_PATH_TOO_LONG,	/* path over LMTP_COMMAND_PATH_MAX */
};

struct lmtp_command {
	enum lmtp_verb verb;
	/* The verb as written (upper-cased, cut to LMTP_COMMAND_VERB_MAX). */
	char verb_text[LMTP_COMMAND_VERB_MAX + 1];
	/* Everything after the verb and its space, trimmed ("" if none). */
	char arg[LMTP_COMMAND_LINE_MAX + 1];
	/* MAIL FROM / RCPT TO: the mailbox without <> and without a source
	 * route; "" for the null reverse-path <> (MAIL only). */
	char path[LMTP_COMMAND_PATH_MAX + 1];
	/* MAIL FROM SIZE=n (RFC 1870). */
	bool has_size;
	uint64_t size;
	/* MAIL FROM BODY=8BITMIME (RFC 6152). */
	bool body_8bit;
};

/*
 * Parse one command line line[0..len) (the CRLF already removed).  out is
 * always filled as far as the line could be read (verb set even when the
 * argument is bad).  Returns LMTP_COMMAND_OK or what is wrong.
 */
enum lmtp_command_status lmtp_command_parse(const char *line, size_t len,
    struct lmtp_command *out);

/* The verb's name ("LHLO"...), "?" for LMTP_VERB_UNKNOWN. */
const char *lmtp_command_verb_name(enum lmtp_verb v);

#endif
