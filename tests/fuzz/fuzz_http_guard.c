/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: http_guard_check_head() on arbitrary bytes, checking the
 * invariants its caller relies on: a PASS head lies within the input and
 * the head limit and ends with a blank line; a REFUSE has a status and a
 * reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/http_guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
limit(const char *path, size_t len, void *arg)
{
	(void)arg;
	return len > 0 && path[0] == '/' ? 1024 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_guard_head h;
	enum http_guard_verdict v;

	v = http_guard_check_head((const char *)data, size, limit, NULL, &h);
	if (v == HTTP_GUARD_PASS) {
		if (h.head_len == 0 || h.head_len > size ||
		    h.head_len > HTTP_GUARD_HEAD_MAX || data[h.head_len - 1] !=
		    '\n' || h.content_length > 1024)
			abort();
	} else if (v == HTTP_GUARD_REFUSE) {
		if (h.status < 400 || h.status > 599 || h.reason == NULL)
			abort();
	}
	return 0;
}
