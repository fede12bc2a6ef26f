/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the report number extractor
 * (service/report_numbers.c), which reads the tipster's text: outside
 * bytes.  The input is split at the first 0x1f byte into two fields,
 * searched one after the other into the same array (as intake does with
 * summary and details).  Beyond what the sanitizers catch, it aborts when
 * a promise is broken: the call succeeds; at most REPORT_NUMBERS_MAX
 * numbers, each NUL-terminated within its slot, at least
 * REPORT_NUMBERS_MIN_LEN long, made of upper-case letters, digits and
 * - _ / . only, with a digit, not starting or ending with a separator,
 * all distinct; and searching the same text again adds nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/report_numbers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_sep(char c)
{
	return c == '-' || c == '_' || c == '/' || c == '.';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[REPORT_NUMBERS_MAX][REPORT_NUMBERS_LEN];
	const char *text = (const char *)data;
	const uint8_t *cut = memchr(data, 0x1f, size);
	size_t first = cut != NULL ? (size_t)(cut - data) : size;
	size_t n = 0, again;

	if (report_numbers_find(text, first, out, &n) != 0)
		abort();
	if (cut != NULL && report_numbers_find(text + first + 1,
	    size - first - 1, out, &n) != 0)
		abort();
	if (n > REPORT_NUMBERS_MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *r = out[i];
		size_t len = strnlen(r, REPORT_NUMBERS_LEN);
		int digit = 0;

		if (len == REPORT_NUMBERS_LEN || len < REPORT_NUMBERS_MIN_LEN ||
		    is_sep(r[0]) || is_sep(r[len - 1]))
			abort();
		for (size_t k = 0; k < len; k++) {
			if (r[k] >= '0' && r[k] <= '9')
				digit = 1;
			else if (!((r[k] >= 'A' && r[k] <= 'Z') ||
			    is_sep(r[k])))
				abort();
		}
		if (!digit)
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(out[j], r) == 0)
				abort();
	}
	/* The first field again adds nothing: its numbers are in out (or
	 * out is full). */
	again = n;
	if (report_numbers_find(text, first, out, &again) != 0 || again != n)
		abort();
	return 0;
}
