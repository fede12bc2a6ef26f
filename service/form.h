/* SPDX-License-Identifier: MIT */
/*
 * A pure multipart/form-data parser (RFC 7578 over RFC 2046 §5.1): the
 * request's Content-Type value and its body in, a flat array of named
 * parts out.  No I/O, no database, no logging, so that a fuzzer drives it
 * directly; it serves POST /tips, POST /follow-up and the multipart form of
 * POST /api/v1/tips.
 *
 * Framing (finding the delimiters) is done here, byte-exact; GMime parses
 * the Content-Type header, each part's Content-Disposition parameters
 * (quoting, RFC 2231 continuations and charsets), decodes base64 and
 * quoted-printable parts and converts 8-bit names to UTF-8.  Everything is
 * bounded by struct form_limits before GMime sees a byte: the body size,
 * the boundary length, the number of parts (counted by a scan before any
 * allocation), the size of each part's header block; the values are
 * checked as they are copied.  Files sent as they are stay slices of
 * the body; total output memory is at most about the size of the fields
 * (and of base64 or quoted-printable files, which are decoded).
 *
 * Threads: form_parse() may run in several threads at once on different
 * inputs.  It initialises GMime itself, once per process, through
 * pthread_once (see form.c); nothing needs to be called at start-up.  If
 * another module also uses GMime, g_mime_init() is not thread-safe between
 * different callers: the program should then call g_mime_init() from
 * main() before starting threads (a second call is harmless).
 *
 * Load: one call per form submission, bodies up to tip_max_mb.
 */
#ifndef SERVICE_FORM_H
#define SERVICE_FORM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Limits, all inclusive ("at most").  Sizes in bytes.  A value of 0 for
 * field_max or file_max allows only empty values; files_max 0 allows no
 * non-empty file.
 */
struct form_limits {
	size_t body_max;        /* whole body */
	size_t parts_max;       /* all parts, fields and files */
	size_t part_header_max; /* bytes of one part's header block */
	size_t field_max;       /* bytes of one non-file field's value */
	size_t file_max;        /* bytes of one file */
	size_t files_max;       /* number of non-empty files */
	size_t boundary_max;    /* boundary length, RFC 2046 says <= 70 */
};

/*
 * One part.  name, filename and copy are allocated by form_parse() and
 * belong to the struct form it filled; form_free() releases them.
 *
 * data is a copy (copy == data, with one extra NUL after len) for a plain
 * field and for a file sent base64 or quoted-printable (decoded).  A file
 * sent as it is (7bit, 8bit, binary: what browsers send) is not copied:
 * data points into the body given to form_parse() (copy NULL, no NUL
 * after it), so the body must outlive the form.  A form upload is then
 * held once, in the request body, not twice.
 */
struct form_part {
	char *name;             /* the form field name (UTF-8, NUL-terminated) */
	char *filename;         /* NULL for a plain field; the file name as sent (UTF-8; may be "") */
	const unsigned char *data;    /* value bytes (see above) */
	size_t len;
	bool is_file;           /* had a filename parameter */
	unsigned char *copy;    /* data when it is a copy, else NULL */
};

/* The parsed form: parts in the order they were sent. */
struct form {
	struct form_part *parts;
	size_t nparts;
};

enum form_status {
	FORM_OK = 0,
	FORM_ERR_CONTENT_TYPE,  /* not multipart/form-data, or no/bad boundary */
	FORM_ERR_SYNTAX,        /* malformed body: no closing boundary, part without Content-Disposition form-data name, ... */
	FORM_ERR_TOO_MANY_PARTS,
	FORM_ERR_HEADER_TOO_LARGE,
	FORM_ERR_FIELD_TOO_LONG,   /* *field names the field */
	FORM_ERR_FILE_TOO_LARGE,   /* *field names the field, and the file name is in the message */
	FORM_ERR_TOO_MANY_FILES,
	FORM_ERR_BODY_TOO_LARGE,
	FORM_ERR_NOMEM,
};

/*
 * Parse body[0..len) given the request's Content-Type header value.  On
 * error, msg gets an English sentence naming the field/file and the limit
 * (e.g. "file \"x.pdf\" in attachments is larger than 20 MiB"), and
 * *field (if not NULL) is set to a pointer into a static string or into
 * out (valid until form_free) naming the field, or NULL.  On error out is
 * left empty (nothing to free, but form_free is harmless).
 *
 * Details of this implementation:
 *
 * - lim must not be NULL.  msg may be NULL or msglen 0; a message is cut
 *   at a UTF-8 character boundary to fit.  msg is "" on FORM_OK.  User
 *   text (names) in msg is clipped and has control characters replaced,
 *   but is not escaped for HTML: the caller escapes on output.
 * - *field is set (non-NULL) for FORM_ERR_FIELD_TOO_LONG,
 *   FORM_ERR_FILE_TOO_LARGE and FORM_ERR_TOO_MANY_FILES.  Because out is
 *   empty on error, it points to thread-local storage of this module: the
 *   name stays valid until the next form_parse() in the same thread (so
 *   also until form_free()).  Names over 255 bytes are cut there at a
 *   character boundary.  It is NULL on FORM_OK and on the other errors.
 * - A file field sent empty (filename "" and no bytes) is dropped from
 *   out, but still counts as one of parts_max.  A named file of zero bytes
 *   is kept and does not count against files_max.
 * - Line breaks: CRLF as RFC 2046 requires; a body whose first boundary
 *   line ends in a bare LF is read with LF line breaks throughout.
 * - Part headers other than Content-Disposition and
 *   Content-Transfer-Encoding (e.g. Content-Type) are ignored: a part's
 *   bytes are never interpreted by their declared type.
 *   Content-Transfer-Encoding base64 and quoted-printable are decoded, and
 *   the limits apply to the decoded bytes; 7bit, 8bit and binary are taken
 *   as they are; any other encoding is FORM_ERR_SYNTAX.
 * - Names and file names are valid UTF-8 without NUL; they may contain
 *   other control characters.  Raw UTF-8, RFC 2231 (filename*=, preferred
 *   over filename= when both are sent) and, for old clients, raw GB18030
 *   come out as UTF-8.  Percent escapes in filename="..." (browsers send
 *   %22 for a quote) are left as sent; a backslash is kept unless it
 *   precedes '"' or '\'.
 * - GMime aborts the process if its own small allocations fail; the
 *   module's allocations fail the call with FORM_ERR_NOMEM.
 */
enum form_status form_parse(const char *content_type, const void *body, size_t len,
    const struct form_limits *lim, struct form *out, char *msg, size_t msglen,
    const char **field);

/*
 * Free everything form_parse() put in f and leave f empty.  f may be NULL,
 * empty, or the result of a failed form_parse().
 */
void form_free(struct form *f);

/* First plain field named name, or NULL. */
const struct form_part *form_field(const struct form *f, const char *name);

#endif /* SERVICE_FORM_H */
