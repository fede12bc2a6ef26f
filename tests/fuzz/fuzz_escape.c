/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the two escapers that put outside text into what
 * we serve: http_html_escape() (every page that shows a tipster's or an
 * officer's words) and report_render_csv_field() (the summary table's CSV
 * and the 12315 export).  Beyond what the sanitizers catch, it aborts
 * when a promise is broken:
 *   - HTML: the output holds none of < > " ' and no & that does not start
 *     one of the five entities, and decoding those entities gives the
 *     input back, byte for byte;
 *   - CSV: for valid UTF-8 without NUL within the reader's limits, the
 *     field read back with our own CSV reader (service/csv.c) is one field
 *     equal to the input, with one apostrophe in front when the input
 *     starts with = + - @ (the formula guard); the buffer starts with a
 *     byte order mark as our files do.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "handlers/http_server.h"
#include "service/csv.h"
#include "service/report.h"
#include "service/report_render.h"
#include "service/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	const char *ent;
	char c;
} entities[] = {
	{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
	{ "&quot;", '"' }, { "&#39;", '\'' },
};

/* Decode the five entities of out[0..n) and compare with in. */
static void
check_html(const char *in, const unsigned char *out, size_t n)
{
	size_t i = 0, k = 0, inlen = strlen(in);

	while (i < n) {
		if (out[i] == '<' || out[i] == '>' || out[i] == '"' ||
		    out[i] == '\'')
			abort();
		if (out[i] == '&') {
			size_t e;

			for (e = 0; e < sizeof(entities) / sizeof(entities[0]);
			    e++) {
				size_t el = strlen(entities[e].ent);

				if (n - i >= el &&
				    memcmp(out + i, entities[e].ent, el) == 0)
					break;
			}
			if (e == sizeof(entities) / sizeof(entities[0]))
				abort();
			if (k >= inlen || in[k] != entities[e].c)
				abort();
			i += strlen(entities[e].ent);
			k++;
			continue;
		}
		if (k >= inlen || (unsigned char)in[k] != out[i])
			abort();
		i++;
		k++;
	}
	if (k != inlen)
		abort();
}

static void
check_csv(const char *in, size_t inlen)
{
	struct report_buf b = { 0 };
	struct csv_reader r;
	struct csv_row row;
	bool formula;
	size_t off;
	int rc;

	/* Our CSV files start with a byte order mark, which the reader
	 * drops; a field of its own starting with one must survive. */
	if (report_buf_add(&b, "\xef\xbb\xbf", 3) != 0 ||
	    report_render_csv_field(&b, in, true) != 0)
		abort();	/* far below REPORT_OUTPUT_MAX */
	/* A lone empty field is an empty line: nothing to read back. */
	if (inlen == 0 || inlen > CSV_DEFAULT_MAX_FIELD_LEN - 1 ||
	    b.len > CSV_DEFAULT_MAX_LINE_LEN / 2 || !utf8_valid(in, inlen)) {
		report_buf_free(&b);
		return;
	}
	formula = in[0] == '=' || in[0] == '+' || in[0] == '-' ||
	    in[0] == '@';
	if (csv_reader_init(&r, b.data, b.len, NULL) != 0)
		abort();
	rc = csv_next_row(&r, &row, NULL, 0);
	if (rc != 1 || row.nfields != 1)
		abort();
	off = formula ? 1 : 0;
	if (row.lens[0] != inlen + off || (formula &&
	    row.fields[0][0] != '\'') ||
	    memcmp(row.fields[0] + off, in, inlen) != 0)
		abort();
	if (csv_next_row(&r, &row, NULL, 0) != 0)
		abort();
	csv_reader_free(&r);
	report_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer *buf;
	char *in;
	size_t inlen;

	/* Both escapers take NUL-terminated text: cut at the first NUL. */
	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	inlen = strlen(in);

	if ((buf = evbuffer_new()) == NULL)
		abort();
	http_html_escape(buf, in);
	check_html(in, evbuffer_pullup(buf, -1), evbuffer_get_length(buf));
	evbuffer_free(buf);

	check_csv(in, inlen);
	free(in);
	return 0;
}
