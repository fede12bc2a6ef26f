/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: lmtp_command_parse() on arbitrary bytes, checking the
 * invariants the LMTP session relies on: the strings it gets are
 * NUL-terminated within their arrays, a path never holds a NUL, a control
 * byte or an angle bracket outside quotes, only MAIL may have the null
 * path or a SIZE, and a line over the limit is always refused.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/lmtp_command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lmtp_command c;
	enum lmtp_command_status st;
	size_t plen;

	st = lmtp_command_parse((const char *)data, size, &c);
	if (size > LMTP_COMMAND_LINE_MAX && st != LMTP_COMMAND_TOO_LONG)
		abort();
	if (memchr(c.verb_text, '\0', sizeof(c.verb_text)) == NULL ||
	    memchr(c.arg, '\0', sizeof(c.arg)) == NULL ||
	    memchr(c.path, '\0', sizeof(c.path)) == NULL)
		abort();
	if (st != LMTP_COMMAND_OK)
		return 0;
	plen = strlen(c.path);
	for (size_t i = 0; i < plen; i++) {
		unsigned char ch = (unsigned char)c.path[i];

		if (ch < 0x20 || ch >= 0x7f)
			abort();
	}
	if (c.verb == LMTP_VERB_RCPT && plen == 0)
		abort();
	if (c.verb != LMTP_VERB_MAIL && (c.has_size || c.body_8bit))
		abort();
	if ((c.verb == LMTP_VERB_MAIL || c.verb == LMTP_VERB_RCPT) &&
	    plen > LMTP_COMMAND_PATH_MAX)
		abort();
	return 0;
}
