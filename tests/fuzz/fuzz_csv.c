/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the CSV reader (service/csv.c), which will parse
 * outside input (the institution registry import).  Each input is read to
 * the end twice: with the default limits, and with small limits taken from
 * its first three bytes so that every limit is reached often.  Beyond what
 * the sanitizers catch, the harness checks the reader's promises and
 * aborts if one is broken: row and field counts within the limits, fields
 * NUL-terminated with their stated length and well-formed UTF-8, line
 * numbers that never go back, an error message "line N: ..." after -1,
 * and that an error is sticky.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether s[0..n) is well-formed UTF-8 without NUL (a second opinion). */
static int
fuzz_valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t k;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc0 && c < 0xe0) {
			k = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c < 0xf0) {
			k = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c < 0xf8) {
			k = 4;
			cp = c & 0x07;
		} else
			return 0;
		if (n - i < k)
			return 0;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) ||
		    (k == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k;
	}
	return 1;
}

static void
fuzz_read_all(const uint8_t *data, size_t size,
    const struct csv_limits *limits)
{
	struct csv_reader r;
	struct csv_row row;
	char err[200], err2[200];
	unsigned long last_line = 0;
	size_t max_fields, max_len;
	int rc;

	if (csv_reader_init(&r, data, size, limits) != 0)
		abort();
	max_fields = limits != NULL ? limits->max_fields : CSV_MAX_FIELDS;
	max_len = limits != NULL ? limits->max_field_len :
	    CSV_DEFAULT_MAX_FIELD_LEN;
	while ((rc = csv_next_row(&r, &row, err, sizeof(err))) == 1) {
		if (row.nfields == 0 || row.nfields > max_fields ||
		    row.line <= last_line)
			abort();
		last_line = row.line;
		for (size_t i = 0; i < row.nfields; i++) {
			if (row.lens[i] > max_len ||
			    strlen(row.fields[i]) != row.lens[i] ||
			    !fuzz_valid_utf8((const unsigned char *)
			    row.fields[i], row.lens[i]))
				abort();
		}
	}
	if (rc == -1) {
		if (strncmp(err, "line ", 5) != 0 || strstr(err, ": ") == NULL)
			abort();
		if (csv_next_row(&r, &row, err2, sizeof(err2)) != -1 ||
		    strcmp(err, err2) != 0)
			abort();
	} else if (rc != 0)
		abort();
	csv_reader_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_limits small;

	fuzz_read_all(data, size, NULL);
	if (size >= 3) {
		small.max_field_len = 1 + data[0] % 32;
		small.max_fields = 1 + data[1] % CSV_MAX_FIELDS;
		small.max_line_len = 1 + data[2] % 64;
		fuzz_read_all(data + 3, size - 3, &small);
	}
	return 0;
}
