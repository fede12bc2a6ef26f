/* SPDX-License-Identifier: MIT */
/*
 * The RFC 4180 CSV reader declared in csv.h.
 *
 * The reader walks a caller's buffer byte by byte and copies the fields of
 * one row, unquoted, into a scratch buffer it owns; struct csv_row points
 * into that buffer.  The scratch buffer grows by doubling up to a hard
 * maximum of max_fields * (max_field_len + 1) bytes, which no row within
 * the limits can exceed, so memory is bounded by the limits and not by the
 * input.  Every byte is looked at a constant number of times: the cost is
 * linear in the input.  Each finished field is checked for NUL bytes and
 * for well-formed UTF-8 (RFC 3629, section 4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), and an error names the physical
 * line of the offending byte, even inside a multi-line quoted field.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/csv.h"
#include "service/utf8.h"

static int csv_fail(struct csv_reader *, unsigned long, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a sticky error "line N: reason"; always returns -1. */
static int
csv_fail(struct csv_reader *r, unsigned long line, const char *fmt, ...)
{
	char reason[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(r->error, sizeof(r->error), "line %lu: %s", line, reason);
	r->failed = 1;
	return -1;
}

/*
 * Make room for `extra` more bytes in the scratch buffer, within the hard
 * maximum fixed by the limits.
 */
static int
csv_reserve(struct csv_reader *r, size_t extra)
{
	size_t hard = r->limits.max_fields * (r->limits.max_field_len + 1);
	size_t need = r->scratch_len + extra;
	size_t cap;
	char *p;

	if (need <= r->scratch_cap)
		return 0;
	if (need > hard)	/* cannot happen within the limits */
		return csv_fail(r, r->line, "row too large");
	cap = r->scratch_cap != 0 ? r->scratch_cap : 256;
	while (cap < need)
		cap = cap > hard / 2 ? hard : cap * 2;
	if (cap > hard)
		cap = hard;
	if ((p = realloc(r->scratch, cap)) == NULL)
		return csv_fail(r, r->line, "out of memory");
	r->scratch = p;
	r->scratch_cap = cap;
	return 0;
}

/* Append one byte to the field that started at scratch offset start. */
static int
csv_put(struct csv_reader *r, size_t start, unsigned char c)
{
	if (r->scratch_len - start >= r->limits.max_field_len)
		return csv_fail(r, r->line, "field longer than %zu bytes",
		    r->limits.max_field_len);
	if (csv_reserve(r, 1) != 0)
		return -1;
	r->scratch[r->scratch_len++] = (char)c;
	return 0;
}

/*
 * Consume the byte at pos, keeping the physical line number and length.
 * The CR of a CR LF pair and the LF itself do not count toward the length.
 */
static int
csv_step(struct csv_reader *r)
{
	unsigned char c = r->buf[r->pos++];

	if (c == '\n') {
		r->line++;
		r->line_len = 0;
		return 0;
	}
	if (c == '\r' && r->pos < r->len && r->buf[r->pos] == '\n')
		return 0;
	if (++r->line_len > r->limits.max_line_len)
		return csv_fail(r, r->line, "line longer than %zu bytes",
		    r->limits.max_line_len);
	return 0;
}

/*
 * Check the finished field scratch[start..scratch_len), field number
 * fieldno (from 1) that began on line fline: no NUL, well-formed UTF-8.
 * The error names the line of the bad byte (fline plus the line breaks
 * inside the field before it).
 */
static int
csv_check_text(struct csv_reader *r, size_t start, unsigned long fline,
    size_t fieldno)
{
	const unsigned char *s;
	size_t n = r->scratch_len - start, i = 0, k = 0;
	unsigned long line = fline;
	const char *why = NULL;

	if (n == 0)	/* and scratch may still be NULL */
		return 0;
	s = (const unsigned char *)r->scratch + start;
	while (i < n) {
		if (s[i] == '\0')
			why = "NUL byte";
		else if ((k = utf8_seq(s + i, n - i, NULL)) == 0)
			why = "invalid UTF-8";
		if (why != NULL)
			break;
		if (s[i] == '\n')
			line++;
		i += k;
	}
	if (why == NULL)
		return 0;
	return csv_fail(r, line, "%s in field %zu", why, fieldno);
}

/* Read an unquoted field, up to a separator, a line break or the end. */
static int
csv_unquoted(struct csv_reader *r, size_t start)
{
	unsigned char c;

	while (r->pos < r->len) {
		c = r->buf[r->pos];
		if (c == ',' || c == '\n' || c == '\r')
			return 0;
		if (c == '"')
			return csv_fail(r, r->line,
			    "quote inside an unquoted field");
		if (csv_put(r, start, c) != 0 || csv_step(r) != 0)
			return -1;
	}
	return 0;
}

/*
 * Read a quoted field starting at its opening quote (RFC 4180, section 2,
 * rules 5-7): anything but a lone quote is data, "" is one quote.
 */
static int
csv_quoted(struct csv_reader *r, size_t start, unsigned long fline)
{
	unsigned char c;

	if (csv_step(r) != 0)
		return -1;
	for (;;) {
		if (r->pos >= r->len)
			return csv_fail(r, fline, "quoted field not closed");
		c = r->buf[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '"') {
				if (csv_put(r, start, c) != 0 ||
				    csv_step(r) != 0 || csv_step(r) != 0)
					return -1;
				continue;
			}
			return csv_step(r);
		}
		if (csv_put(r, start, c) != 0 || csv_step(r) != 0)
			return -1;
	}
}

/* The body of csv_next_row(), without the copying of the error. */
static int
csv_read_row(struct csv_reader *r, struct csv_row *row)
{
	size_t offs[CSV_MAX_FIELDS];
	unsigned char c;

	if (r->failed)
		return -1;
	/* Blank lines between rows are skipped (not rows of one field). */
	for (;;) {
		if (r->pos < r->len && r->buf[r->pos] == '\n')
			(void)csv_step(r);
		else if (r->pos + 1 < r->len && r->buf[r->pos] == '\r' &&
		    r->buf[r->pos + 1] == '\n') {
			(void)csv_step(r);
			(void)csv_step(r);
		} else
			break;
	}
	if (r->pos >= r->len)
		return 0;

	row->nfields = 0;
	row->line = r->line;
	r->scratch_len = 0;
	for (;;) {
		size_t start = r->scratch_len;
		unsigned long fline = r->line;

		if (row->nfields == r->limits.max_fields)
			return csv_fail(r, r->line, "more than %zu fields",
			    r->limits.max_fields);
		if (r->pos < r->len && r->buf[r->pos] == '"') {
			if (csv_quoted(r, start, fline) != 0)
				return -1;
		} else if (csv_unquoted(r, start) != 0)
			return -1;
		if (csv_check_text(r, start, fline, row->nfields + 1) != 0 ||
		    csv_reserve(r, 1) != 0)
			return -1;
		r->scratch[r->scratch_len] = '\0';
		offs[row->nfields] = start;
		row->lens[row->nfields] = r->scratch_len - start;
		row->nfields++;
		r->scratch_len++;

		if (r->pos >= r->len)
			break;
		c = r->buf[r->pos];
		if (c == ',') {
			if (csv_step(r) != 0)
				return -1;
			continue;
		}
		if (c == '\n') {
			(void)csv_step(r);
			break;
		}
		if (c == '\r' && r->pos + 1 < r->len &&
		    r->buf[r->pos + 1] == '\n') {
			(void)csv_step(r);
			(void)csv_step(r);
			break;
		}
		if (c == '\r')
			return csv_fail(r, r->line, "CR without LF");
		return csv_fail(r, r->line,
		    "character after a closing quote");
	}
	/* Pointers only now: the scratch buffer may have moved. */
	for (size_t i = 0; i < row->nfields; i++)
		row->fields[i] = r->scratch + offs[i];
	return 1;
}

/*
 * Set up a reader over buf (see csv.h).  No allocation happens here; the
 * scratch buffer is allocated by the first row.
 */
int
csv_reader_init(struct csv_reader *r, const void *buf, size_t len,
    const struct csv_limits *limits)
{
	static const struct csv_limits defaults = {
		CSV_DEFAULT_MAX_FIELD_LEN,
		CSV_DEFAULT_MAX_FIELDS,
		CSV_DEFAULT_MAX_LINE_LEN,
	};

	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
	r->line = 1;
	r->limits = limits != NULL ? *limits : defaults;
	if ((buf == NULL && len != 0) || r->limits.max_field_len == 0 ||
	    r->limits.max_fields == 0 ||
	    r->limits.max_fields > CSV_MAX_FIELDS ||
	    r->limits.max_line_len == 0 ||
	    r->limits.max_field_len > SIZE_MAX / CSV_MAX_FIELDS - 1) {
		r->len = 0;
		r->failed = 1;
		snprintf(r->error, sizeof(r->error), "invalid CSV limits");
		return -1;
	}
	/* A UTF-8 byte order mark, as spreadsheet programs write it. */
	if (len >= 3 && r->buf[0] == 0xef && r->buf[1] == 0xbb &&
	    r->buf[2] == 0xbf)
		r->pos = 3;
	return 0;
}

/*
 * Read the next row (see csv.h).  Returns 1 row, 0 end, -1 error; on error
 * err gets "line N: reason" and the reader stays failed.
 */
int
csv_next_row(struct csv_reader *r, struct csv_row *row, char *err,
    size_t errlen)
{
	int rc = csv_read_row(r, row);

	if (rc < 0 && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", r->error);
	if (rc <= 0)
		row->nfields = 0;
	return rc;
}

/* Free the scratch buffer (see csv.h). */
void
csv_reader_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->scratch);
	r->scratch = NULL;
	r->scratch_len = 0;
	r->scratch_cap = 0;
}
