/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the acknowledgement of an e-mail tip (service/outbox_ack.c)
 * for an arbitrary sender address, reference and receipt code.  Input:
 * "ADDRESS\0REFERENCE\0RECEIPT".  Whatever the sender's address holds, the
 * message must stay 7-bit, carry exactly one To and one Subject header,
 * and end its header block before the body (no header injection).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/config.h"
#include "service/outbox_ack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Occurrences of needle in the first n bytes of hay. */
static int
count(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	int c = 0;

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			c++;
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	static int ready;
	const char *to, *id = "T-2026-000001", *receipt = "1234567890123456";
	char *in, *msg = NULL, *end;
	size_t len = 0, head;

	if (size > 4096)
		return 0;
	if (!ready) {
		config_defaults(&cfg);
		ready = 1;
	}
	if ((in = calloc(1, size + 3)) == NULL)
		return 0;
	memcpy(in, data, size);
	to = in;
	if (strlen(to) < size) {
		id = to + strlen(to) + 1;
		if ((size_t)(id - in) + strlen(id) < size)
			receipt = id + strlen(id) + 1;
	}
	(void)outbox_ack_wanted(&cfg, to);
	if (outbox_ack_compose(&cfg, to, id, receipt, 1795827495, &msg,
	    &len) == 0) {
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)msg[i] >= 0x80 || msg[i] == '\0' ||
			    msg[i] == '\r')
				abort();
		if ((end = strstr(msg, "\n\n")) == NULL)
			abort();
		head = (size_t)(end - msg) + 1;
		if (strncmp(msg, "From: ", 6) != 0 ||
		    count(msg, head, "\nTo: ") != 1 ||
		    count(msg, head, "\nSubject: ") != 1 ||
		    count(msg, head, "\nContent-Type: ") != 1)
			abort();
		free(msg);
	}
	free(in);
	return 0;
}
