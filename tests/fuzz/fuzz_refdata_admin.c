/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the reference data import's parse
 * (service/refdata_admin.c, over the CSV reader): the first byte picks the
 * table ('0' places, '1' domain-keywords, '2' violations, '3' bureaus),
 * the rest is the file an admin uploads.  Beyond what the sanitizers
 * catch, it aborts when a promise is broken: every problem of a line reads
 * "line N: ...", the kept problems never exceed the cap or the total,
 * every kept row has the header's number of fields (bureaus: one more with
 * the email column) and rows come in increasing line order, and a file
 * without problems has at least one row.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/refdata_admin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct refdata_admin_batch b;
	enum refdata_table t;
	size_t want;
	char prefix[40];

	if (size < 1)
		return 0;
	t = refdata_admin_tables[data[0] % REFDATA_ADMIN_NTABLES];
	if (refdata_admin_parse(t, data + 1, size - 1, &b) != 0) {
		refdata_admin_batch_free(&b);
		return 0;		/* out of memory */
	}
	want = refdata_field_count(t) + (b.with_email ? 1 : 0);
	if (b.with_email && t != REFDATA_BUREAUS)
		abort();
	if (b.nproblems > REFDATA_ADMIN_PROBLEMS_MAX ||
	    b.nproblems > b.problems_total)
		abort();
	for (size_t i = 0; i < b.nproblems; i++) {
		if (b.problems[i].line == 0)
			continue;
		snprintf(prefix, sizeof(prefix), "line %lu: ",
		    b.problems[i].line);
		if (strncmp(b.problems[i].text, prefix, strlen(prefix)) != 0)
			abort();
	}
	for (size_t i = 0; i < b.nrows; i++) {
		if (b.rows[i].nfields != want)
			abort();
		if (i > 0 && b.rows[i].line <= b.rows[i - 1].line)
			abort();
		for (size_t k = 0; k < want; k++)
			if (b.rows[i].fields[k] == NULL)
				abort();
	}
	if (b.problems_total == 0 && b.nrows == 0)
		abort();
	refdata_admin_batch_free(&b);
	return 0;
}
