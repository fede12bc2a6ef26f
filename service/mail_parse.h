/* SPDX-License-Identifier: MIT */
/*
 * Parsing one RFC 5322 message (GMime) into what a tip needs: subject,
 * body text, sender address, Message-ID and the attached files, all as
 * UTF-8.  Pure: bytes in, struct out, no I/O, thread-safe.  Hostile
 * structure is bounded (nesting depth, part count, header size, text
 * size); a message that parses badly still yields what could be read,
 * with `malformed` set and `problem` saying what went wrong, so that the
 * tip is stored and flagged for a person instead of being lost.
 */
#ifndef SERVICE_MAIL_PARSE_H
#define SERVICE_MAIL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

struct mail_limits {
	size_t depth_max;	/* nesting of multiparts / attached messages */
	size_t parts_max;	/* MIME parts in all */
	size_t header_max;	/* bytes of one header block */
	size_t text_max;	/* bytes of body text kept */
};

struct mail_attachment {
	char *name;		/* UTF-8 file name (RFC 2231/2047 decoded), may be "" */
	char *declared_type;	/* Content-Type as sent (never trusted) */
	unsigned char *data;	/* decoded bytes */
	size_t len;
	bool inline_part;	/* an inline image and the like */
	bool is_message;	/* an attached message/rfc822 */
};

struct mail_parsed {
	char *subject;		/* UTF-8, "" if none */
	char *text;		/* UTF-8 text body (HTML converted), "" if none */
	char *from_addr;	/* the From address (addr-spec), "" if none */
	char *from_name;	/* the From display name, "" if none */
	char *message_id;	/* without <>, "" if none */
	bool anonymous;		/* the sender asks to stay anonymous */
	struct mail_attachment *att;
	size_t natt;
	bool malformed;
	char problem[256];
};

/* Fill lim with the house limits (depth 8, 200 parts, 64 KiB headers,
 * 1 MiB text). */
void mail_limits_default(struct mail_limits *lim);

/*
 * Parse msg[0..len).  Returns 0 (out filled, possibly malformed), or -1
 * only when out of memory.  Free with mail_parsed_free().
 */
int mail_parse(const void *msg, size_t len, const struct mail_limits *lim,
    struct mail_parsed *out);

/* Free everything in p and zero it.  Accepts NULL. */
void mail_parsed_free(struct mail_parsed *p);

#endif
