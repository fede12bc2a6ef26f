/* SPDX-License-Identifier: MIT */
/*
 * A pure RFC 4180 CSV reader: a buffer in, one row of fields at a time out,
 * no I/O and no database, so that a fuzzer can drive it directly.
 *
 * Accepted: fields separated by ',', records ended by CRLF or LF (the last
 * one may be unterminated), quoted fields with "" for a quote and with
 * commas and line breaks inside, a UTF-8 byte order mark at the very start
 * (skipped).  Blank lines (nothing before the line break) are skipped.
 * Refused, with "line N: reason": a quote inside an unquoted field,
 * anything but a separator after a closing quote, a bare CR outside quotes,
 * an unterminated quoted field, a NUL byte, invalid UTF-8, and input over
 * the limits (field length, fields per row, physical line length).
 *
 * Line numbers count physical lines from 1, the way an editor shows them.
 * The reader parses reference data at init and the institution registry
 * import: small files, read once.
 */
#ifndef SERVICE_CSV_H
#define SERVICE_CSV_H

#include <stddef.h>

/* Hard upper bound of fields per row (the size of struct csv_row). */
#define CSV_MAX_FIELDS			64

/* Defaults used when csv_reader_init() gets NULL limits. */
#define CSV_DEFAULT_MAX_FIELD_LEN	8192
#define CSV_DEFAULT_MAX_FIELDS		CSV_MAX_FIELDS
#define CSV_DEFAULT_MAX_LINE_LEN	16384

struct csv_limits {
	size_t max_field_len;	/* bytes of one field after unquoting */
	size_t max_fields;	/* fields of one row, 1..CSV_MAX_FIELDS */
	size_t max_line_len;	/* bytes of one physical line, without CR LF */
};

/*
 * One row.  fields[i] is a NUL-terminated UTF-8 string of lens[i] bytes
 * (never containing a NUL); the strings belong to the reader and stay valid
 * until the next csv_next_row() or csv_reader_free() on it.
 */
struct csv_row {
	size_t nfields;
	unsigned long line;		/* physical line the row starts on */
	const char *fields[CSV_MAX_FIELDS];
	size_t lens[CSV_MAX_FIELDS];
};

/* The reader: members are private to csv.c. */
struct csv_reader {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	unsigned long line;		/* physical line at pos */
	size_t line_len;		/* bytes of that line before pos */
	struct csv_limits limits;
	char *scratch;			/* unquoted fields of the current row */
	size_t scratch_len;
	size_t scratch_cap;
	int failed;			/* sticky: an error was returned */
	char error[160];
};

/*
 * Set up r to read buf[0..len).  The caller keeps buf alive and unchanged
 * while reading.  limits NULL means the defaults; a limit of 0, or
 * max_fields over CSV_MAX_FIELDS, makes this fail.  Returns 0, or -1 on bad
 * limits (r is then still safe to pass to csv_reader_free()).
 */
int csv_reader_init(struct csv_reader *r, const void *buf, size_t len,
    const struct csv_limits *limits);

/*
 * Read the next row into row.  Returns 1 with a row, 0 at the end of the
 * input, -1 on an error, with "line N: reason" in err (NUL-terminated,
 * truncated to errlen; err may be NULL).  After an error every later call
 * returns -1 with the same message.
 */
int csv_next_row(struct csv_reader *r, struct csv_row *row, char *err,
    size_t errlen);

/*
 * Free the reader's memory.  Accepts NULL, and a reader whose init failed;
 * r may be initialised again afterwards.
 */
void csv_reader_free(struct csv_reader *r);

#endif
