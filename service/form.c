/* SPDX-License-Identifier: MIT */
/*
 * The multipart/form-data parser declared in form.h (RFC 7578; framing
 * from RFC 2046, section 5.1.1).
 *
 * Why the framing is done here and not by GMime's parser: GMime's
 * g_mime_parser_construct_part() interprets each part by the Content-Type
 * the client declared, and browsers declare a type from the file's
 * extension.  A ".eml" file arrives as message/rfc822 and becomes a
 * GMimeMessagePart, a ".mht" file arrives as multipart/related and is
 * split into sub-parts; neither can then be written back byte-exact.
 * Evidence files must reach the store unchanged and their type is judged
 * from the content alone (contract.md, "Public HTTP"), so this module finds
 * the delimiters itself, on the raw bytes, and treats every part's body
 * as opaque.  GMime still does what it does well: it parses the request's
 * Content-Type (boundary), each part's Content-Disposition parameters
 * (quoted strings, RFC 2231 continuations and charsets, through iconv),
 * decodes base64 and quoted-printable parts, and guesses the charset of
 * 8-bit names.  Two of its behaviours are corrected before or after the
 * call, see form_cd_unescape_fix() and form_utf8_dup().
 *
 * The work is two linear scans of the body.  The first only finds the
 * delimiters: it counts the parts against parts_max and checks that there
 * is a closing delimiter, before anything is allocated.  The second reads
 * each part's header block (at most part_header_max bytes, the only bytes
 * GMime sees besides the Content-Type) and takes the value, checking its
 * size: a file sent as it is stays a slice of the body, a field (which
 * needs its NUL) or a decoded file is copied.  So memory is bounded by the
 * fields and the names, not by the files.  No state is shared between calls except
 * the GMime parser options made once by pthread_once and only read
 * afterwards, so calls in several threads at once are safe.
 */
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/form.h"
#include "service/utf8.h"
#include "service/mime.h"

/* Longest Content-Type header value looked at; a form's is ~70 bytes. */
#define FORM_CONTENT_TYPE_MAX	1024
/* Size of the thread-local copy of the field name an error names. */
#define FORM_ERROR_FIELD_MAX	256
/* Bytes of a user-supplied name quoted in an error message. */
#define FORM_MSG_NAME_MAX	64
/* Room for a whole error message before it is cut to the caller's size. */
#define FORM_MSG_MAX		512

/* The state of one form_parse() call. */
struct form_ctx {
	const unsigned char *body;
	size_t len;
	const struct form_limits *lim;
	/* "\r\n--" boundary; the delimiter is delim, or delim + 1 for LF. */
	char delim[FORM_CONTENT_TYPE_MAX + 8];
	size_t boundary_len;
	const char *dptr;	/* the delimiter searched for */
	size_t dlen;
	size_t nl_len;		/* 2 with CRLF line breaks, 1 with LF */
	char *msg;
	size_t msglen;
	const char **field;
};

/* Position of the scan over the delimiters. */
struct form_scan {
	size_t pos;		/* first byte of the next part */
	bool done;		/* the closing delimiter was seen */
};

/* Unfolded value of one part header this module reads. */
struct form_hvalue {
	char *v;		/* NUL-terminated, or NULL if absent */
	size_t n;
};

static pthread_once_t form_once = PTHREAD_ONCE_INIT;
/* Made once by form_init_once(), read-only afterwards. */
static GMimeParserOptions *form_gmime_options;
/* The field name *field points to after an error (see form.h). */
static _Thread_local char form_error_field[FORM_ERROR_FIELD_MAX];

static enum form_status form_fail(struct form_ctx *, enum form_status,
    const char *, const char *, ...) __attribute__((format(printf, 4, 5)));

/*
 * Runs once per process.  g_mime_init() keeps an unlocked counter, so the
 * once-control is what makes concurrent first calls of form_parse() safe.
 * The fallback charsets tell g_mime_utils_decode_8bit() how to read 8-bit
 * names that are not UTF-8: old Windows clients in China send the file
 * name in the ANSI code page (GBK), which GB18030 contains.
 */
static void
form_init_once(void)
{
	static const char *charsets[] = { "UTF-8", "GB18030", NULL };

	mime_init();
	form_gmime_options = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(form_gmime_options,
	    charsets);
}


/*
 * A malloc'd UTF-8 copy of a name GMime returned.  GMime converts RFC 2231
 * values from their declared charset, but passes raw 8-bit bytes in a
 * quoted value through unchanged, and leaves the bytes as they are when
 * the declared charset is unknown or the conversion fails.  So: valid
 * UTF-8 is copied as it is; anything else goes through
 * g_mime_utils_decode_8bit() with the fallback charsets (UTF-8, GB18030);
 * if even that is not valid UTF-8, each bad byte becomes U+FFFD.  That
 * last step is needed: GMime's own UTF-8 check takes lead bytes F5..F7
 * (code points above U+10FFFF, RFC 3629 forbids them) for UTF-8 and
 * returns "\xf5\x80\x80\x97" unchanged.  Returns NULL when out of memory.
 */
static char *
form_utf8_dup(const char *s)
{
	size_t n = strlen(s), i = 0, j = 0, k;
	char *conv, *out;

	if (utf8_valid(s, n))
		return strdup(s);
	conv = g_mime_utils_decode_8bit(form_gmime_options, s, n);
	if (conv != NULL && utf8_valid(conv, strlen(conv))) {
		out = strdup(conv);
		g_free(conv);
		return out;
	}
	g_free(conv);
	if ((out = malloc(3 * n + 1)) == NULL)
		return NULL;
	while (i < n) {
		k = utf8_seq((const unsigned char *)s + i, n - i, NULL);
		if (k == 0) {
			memcpy(out + j, "\xef\xbf\xbd", 3);
			j += 3;
			i++;
			continue;
		}
		memcpy(out + j, s + i, k);
		j += k;
		i += k;
	}
	out[j] = '\0';
	return out;
}

/* "20 MiB", "8 KiB", "800 bytes": a limit the way a person reads it. */
static void
form_size_str(size_t n, char *buf, size_t len)
{
	const size_t kib = 1024, mib = 1024 * 1024;

	if (n >= mib && n % mib == 0)
		snprintf(buf, len, "%zu MiB", n / mib);
	else if (n >= kib && n % kib == 0)
		snprintf(buf, len, "%zu KiB", n / kib);
	else
		snprintf(buf, len, "%zu byte%s", n, n == 1 ? "" : "s");
}

/*
 * Copy the UTF-8 string s into buf[0..len) for an error message: at most
 * max bytes, cut at a character boundary ("..." marks the cut), control
 * characters replaced by '?'.
 */
static void
form_clip(const char *s, size_t max, char *buf, size_t len)
{
	size_t n = strlen(s), cut = n;

	if (cut > max) {
		cut = max;
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	if (cut + 4 > len)	/* callers size buf; stay safe anyway */
		cut = 0;
	for (size_t i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (cut < n)
		memcpy(buf + cut, "...", 4);
	else
		buf[cut] = '\0';
}

/*
 * Record an error: the message (a printf format; names in it must already
 * be clipped) goes to the caller's msg, cut at a character boundary, and a
 * non-NULL fieldname to the thread-local copy *field points to.  Returns
 * st.
 */
static enum form_status
form_fail(struct form_ctx *c, enum form_status st, const char *fieldname,
    const char *fmt, ...)
{
	char text[FORM_MSG_MAX];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (c->msg != NULL && c->msglen > 0) {
		n = strlen(text);
		if (n >= c->msglen) {
			n = c->msglen - 1;
			while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(c->msg, text, n);
		c->msg[n] = '\0';
	}
	if (c->field != NULL && fieldname != NULL) {
		n = strlen(fieldname);
		if (n >= sizeof(form_error_field)) {
			n = sizeof(form_error_field) - 1;
			while (n > 0 &&
			    ((unsigned char)fieldname[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(form_error_field, fieldname, n);
		form_error_field[n] = '\0';
		*c->field = form_error_field;
	}
	return st;
}

/* RFC 2046, section 5.1.1: bchars, the characters a boundary may use. */
static bool
is_form_bchar(unsigned char ch)
{
	return g_ascii_isalnum(ch) ||
	    (ch != '\0' && strchr("'()+_,-./:=? ", ch) != NULL);
}

/*
 * Read the boundary from the request's Content-Type with GMime and check
 * it: 1..boundary_max bchars, not ending in a space.  Sets c->delim.
 */
static enum form_status
form_boundary_get(struct form_ctx *c, const char *content_type)
{
	GMimeContentType *ct = NULL;
	const char *b;
	enum form_status st = FORM_OK;
	size_t n;

	if (content_type == NULL)
		return form_fail(c, FORM_ERR_CONTENT_TYPE, NULL,
		    "the request has no Content-Type");
	if (strnlen(content_type, FORM_CONTENT_TYPE_MAX + 1) >
	    FORM_CONTENT_TYPE_MAX)
		return form_fail(c, FORM_ERR_CONTENT_TYPE, NULL,
		    "the Content-Type header is longer than %d bytes",
		    FORM_CONTENT_TYPE_MAX);
	ct = g_mime_content_type_parse(form_gmime_options, content_type);
	if (ct == NULL ||
	    !g_mime_content_type_is_type(ct, "multipart", "form-data")) {
		st = form_fail(c, FORM_ERR_CONTENT_TYPE, NULL,
		    "the request is not multipart/form-data");
		goto done;
	}
	b = g_mime_content_type_get_parameter(ct, "boundary");
	if (b == NULL || b[0] == '\0') {
		st = form_fail(c, FORM_ERR_CONTENT_TYPE, NULL,
		    "the multipart/form-data request has no boundary");
		goto done;
	}
	n = strlen(b);
	if (n > c->lim->boundary_max || n > FORM_CONTENT_TYPE_MAX) {
		st = form_fail(c, FORM_ERR_CONTENT_TYPE, NULL,
		    "the multipart boundary is longer than %zu characters",
		    c->lim->boundary_max);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_form_bchar((unsigned char)b[i]) ||
		    (i == n - 1 && b[i] == ' ')) {
			st = form_fail(c, FORM_ERR_CONTENT_TYPE, NULL,
			    "the multipart boundary has a character RFC 2046 "
			    "does not allow");
			goto done;
		}
	}
	memcpy(c->delim, "\r\n--", 4);
	memcpy(c->delim + 4, b, n);
	c->delim[4 + n] = '\0';
	c->boundary_len = n;
done:
	if (ct != NULL)
		g_object_unref(ct);
	return st;
}

/*
 * Whether a boundary line starts at body[at]: "--" boundary, then either
 * "--" (the closing delimiter; what follows is the epilogue) or optional
 * transport padding (spaces, tabs) and a line break.  A boundary followed
 * by anything else is content.  On true, *next is the first byte after
 * the line (the end of the body after a closing delimiter), *is_close says
 * which kind it was and *crlf whether the line ended in CRLF.
 */
static bool
form_boundary_line(const struct form_ctx *c, size_t at, size_t *next,
    bool *is_close, bool *crlf)
{
	size_t dbl = 2 + c->boundary_len, p;

	if (c->len - at < dbl || memcmp(c->body + at, c->delim + 2, dbl) != 0)
		return false;
	p = at + dbl;
	if (c->len - p >= 2 && c->body[p] == '-' && c->body[p + 1] == '-') {
		*next = c->len;
		*is_close = true;
		*crlf = true;
		return true;
	}
	while (p < c->len && (c->body[p] == ' ' || c->body[p] == '\t'))
		p++;
	*is_close = false;
	if (p < c->len && c->body[p] == '\n') {
		*next = p + 1;
		*crlf = false;
		return true;
	}
	if (c->len - p >= 2 && c->body[p] == '\r' && c->body[p + 1] == '\n') {
		*next = p + 2;
		*crlf = true;
		return true;
	}
	return false;
}

/*
 * Find the first boundary line: at the very start of the body or at the
 * start of a line of the preamble.  Its line break chooses the delimiter
 * for the rest of the body: CRLF "--" boundary (RFC 2046), or LF "--"
 * boundary when the first line ends in a bare LF (as Go's mime/multipart
 * does), so that a CR before a CRLF delimiter is never taken for content
 * nor content's CR for a delimiter.  Returns false if there is none.
 */
static bool
form_scan_first(struct form_ctx *c, struct form_scan *s)
{
	size_t from = 0, at, next;
	bool is_close, crlf;
	const unsigned char *q;

	s->pos = 0;
	s->done = false;
	if (form_boundary_line(c, 0, &next, &is_close, &crlf))
		goto found;
	while (from < c->len) {
		/* "\n--boundary" */
		q = memmem(c->body + from, c->len - from, c->delim + 1,
		    3 + c->boundary_len);
		if (q == NULL)
			return false;
		at = (size_t)(q - c->body) + 1;
		if (form_boundary_line(c, at, &next, &is_close, &crlf))
			goto found;
		from = at;
	}
	return false;
found:
	c->nl_len = crlf ? 2 : 1;
	c->dptr = c->delim + 2 - c->nl_len;
	c->dlen = c->nl_len + 2 + c->boundary_len;
	s->pos = next;
	s->done = is_close;
	return true;
}

/*
 * Find the next part: [*start, *end) up to (not including) the next
 * delimiter, whose leading line break belongs to the delimiter (RFC 2046,
 * section 5.1.1).  Returns 1 with a part, 0 after the closing delimiter,
 * -1 if the body ends without one.
 */
static int
form_scan_next(struct form_ctx *c, struct form_scan *s, size_t *start,
    size_t *end)
{
	size_t from = s->pos, at, next;
	bool is_close, crlf;
	const unsigned char *q;

	if (s->done)
		return 0;
	while (from < c->len) {
		q = memmem(c->body + from, c->len - from, c->dptr, c->dlen);
		if (q == NULL)
			break;
		at = (size_t)(q - c->body);
		if (form_boundary_line(c, at + c->nl_len, &next, &is_close,
		    &crlf)) {
			*start = s->pos;
			*end = at;
			s->pos = next;
			s->done = is_close;
			return 1;
		}
		from = at + 1;
	}
	return -1;
}

/*
 * Find the end of a part's header block in [start, end): the byte after
 * the empty line, or end if the part ends in its header (an empty value
 * whose blank line the delimiter's CRLF stood for).  Only the first
 * part_header_max bytes are looked at.  Returns 0, or -1 when the block is
 * larger than part_header_max.
 */
static int
form_header_end(const struct form_ctx *c, size_t start, size_t end,
    size_t *hend)
{
	size_t hmax = c->lim->part_header_max, p = start, lim_end, eol, n;
	const unsigned char *nl;

	lim_end = end - start <= hmax ? end : start + hmax;
	for (;;) {
		nl = p < lim_end ? memchr(c->body + p, '\n', lim_end - p) :
		    NULL;
		if (nl == NULL) {
			if (lim_end < end)
				return -1;
			*hend = end;
			return 0;
		}
		eol = (size_t)(nl - c->body);
		n = eol - p;
		if (n > 0 && c->body[eol - 1] == '\r')
			n--;
		p = eol + 1;
		if (n == 0) {
			*hend = p;
			return 0;
		}
	}
}

/* Whether line[0..n) is the header name want, ignoring case. */
static bool
is_form_header(const unsigned char *line, size_t n, const char *want)
{
	return n == strlen(want) &&
	    g_ascii_strncasecmp((const char *)line, want, n) == 0;
}

/* Remove leading and trailing spaces and tabs of a header value. */
static void
form_trim(struct form_hvalue *h)
{
	size_t i = 0;

	if (h->v == NULL)
		return;
	while (h->n > 0 && (h->v[h->n - 1] == ' ' || h->v[h->n - 1] == '\t'))
		h->n--;
	while (i < h->n && (h->v[i] == ' ' || h->v[i] == '\t'))
		i++;
	memmove(h->v, h->v + i, h->n - i);
	h->n -= i;
	h->v[h->n] = '\0';
}

/*
 * Read the header block [start, hend) of part number idx: lines of
 * "Name: value" (RFC 5322, section 2.2), continuation lines unfolded
 * (section 2.2.3), NUL and bare CR refused.  Content-Disposition and
 * Content-Transfer-Encoding are returned in cd and cte (malloc'd; v NULL
 * when absent); every other header is ignored, Content-Type included.
 */
static enum form_status
form_headers_read(struct form_ctx *c, size_t idx, size_t start, size_t hend,
    struct form_hvalue *cd, struct form_hvalue *cte)
{
	struct form_hvalue *cur = NULL;
	bool in_header = false;
	size_t p = start, eol, n, namelen, cap = hend - start + 1;
	const unsigned char *line, *nl, *colon;

	while (p < hend) {
		nl = memchr(c->body + p, '\n', hend - p);
		eol = nl != NULL ? (size_t)(nl - c->body) : hend;
		line = c->body + p;
		n = eol - p;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		p = nl != NULL ? eol + 1 : hend;
		if (n == 0)
			break;
		if (memchr(line, '\0', n) != NULL ||
		    memchr(line, '\r', n) != NULL)
			return form_fail(c, FORM_ERR_SYNTAX, NULL,
			    "part %zu has a control character in its header",
			    idx);
		if (line[0] == ' ' || line[0] == '\t') {
			if (!in_header)
				return form_fail(c, FORM_ERR_SYNTAX, NULL,
				    "part %zu has a malformed header line",
				    idx);
			if (cur != NULL) {
				memcpy(cur->v + cur->n, line, n);
				cur->n += n;
			}
			continue;
		}
		colon = memchr(line, ':', n);
		if (colon == NULL)
			return form_fail(c, FORM_ERR_SYNTAX, NULL,
			    "part %zu has a malformed header line", idx);
		namelen = (size_t)(colon - line);
		while (namelen > 0 &&
		    (line[namelen - 1] == ' ' || line[namelen - 1] == '\t'))
			namelen--;
		if (namelen == 0)
			return form_fail(c, FORM_ERR_SYNTAX, NULL,
			    "part %zu has a malformed header line", idx);
		for (size_t i = 0; i < namelen; i++)
			if (line[i] < 33 || line[i] > 126)
				return form_fail(c, FORM_ERR_SYNTAX, NULL,
				    "part %zu has a malformed header line",
				    idx);
		in_header = true;
		if (is_form_header(line, namelen, "content-disposition"))
			cur = cd;
		else if (is_form_header(line, namelen,
		    "content-transfer-encoding"))
			cur = cte;
		else
			cur = NULL;
		if (cur == NULL)
			continue;
		if (cur->v != NULL)
			return form_fail(c, FORM_ERR_SYNTAX, NULL,
			    "part %zu has the header %.*s twice", idx,
			    (int)namelen, (const char *)line);
		/* The unfolded value is shorter than the block. */
		if ((cur->v = malloc(cap)) == NULL)
			return form_fail(c, FORM_ERR_NOMEM, NULL,
			    "out of memory while reading the form");
		cur->n = n - (size_t)(colon + 1 - line);
		memcpy(cur->v, colon + 1, cur->n);
	}
	if (cd->v != NULL) {
		cd->v[cd->n] = '\0';
		form_trim(cd);
	}
	if (cte->v != NULL) {
		cte->v[cte->n] = '\0';
		form_trim(cte);
	}
	return FORM_OK;
}

/*
 * Browsers do not escape a backslash in a quoted form-data parameter: the
 * WHATWG HTML "multipart/form-data encoding algorithm" only replaces '"',
 * CR and LF, by %22, %0D and %0A.  GMime reads every backslash in a quoted
 * string as an RFC 822 quoted-pair and drops it, which would turn the file
 * name "C:\dir\a.pdf" (sent by old Internet Explorer) or "a\b.txt" into
 * "C:dira.pdf" and "ab.txt".  So, inside quotes, each backslash not
 * followed by '"' or '\' is doubled before GMime sees the value; "\"" and
 * "\\", which a client can only mean as escapes, keep that meaning.  The
 * quote structure is unchanged.  Returns a malloc'd string or NULL.
 */
static char *
form_cd_unescape_fix(const char *s)
{
	size_t n = strlen(s), j = 0;
	bool quoted = false;
	char *o;

	if ((o = malloc(2 * n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (quoted && s[i] == '\\') {
			o[j++] = '\\';
			if (i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\'))
				o[j++] = s[++i];
			else
				o[j++] = '\\';
			continue;
		}
		if (s[i] == '"')
			quoted = !quoted;
		o[j++] = s[i];
	}
	o[j] = '\0';
	return o;
}

/*
 * The value of parameter key of a parsed Content-Disposition.  An RFC 2231
 * value (key*=) is preferred over a plain one when both are sent (RFC
 * 6266, section 4.3); otherwise the first one wins.
 */
static const char *
form_param(GMimeParamList *list, const char *key)
{
	const char *plain = NULL, *pn, *pv;
	GMimeParam *p;
	int n = list != NULL ? g_mime_param_list_length(list) : 0;

	for (int i = 0; i < n; i++) {
		p = g_mime_param_list_get_parameter_at(list, i);
		pn = g_mime_param_get_name(p);
		pv = g_mime_param_get_value(p);
		if (pn == NULL || pv == NULL || g_ascii_strcasecmp(pn, key) != 0)
			continue;
		if (g_mime_param_get_encoding_method(p) ==
		    GMIME_PARAM_ENCODING_METHOD_RFC2231)
			return pv;
		if (plain == NULL)
			plain = pv;
	}
	return plain;
}

/*
 * Read part number idx's Content-Disposition with GMime: it must be
 * form-data with a name (RFC 7578, section 4.2).  Sets part->name and,
 * when a filename parameter was sent, part->filename and part->is_file.
 */
static enum form_status
form_disposition(struct form_ctx *c, size_t idx, const char *value,
    struct form_part *part)
{
	GMimeContentDisposition *d = NULL;
	GMimeParamList *params;
	const char *disp, *name, *filename;
	char *fixed = NULL;
	enum form_status st = FORM_OK;

	if ((fixed = form_cd_unescape_fix(value)) == NULL)
		return form_fail(c, FORM_ERR_NOMEM, NULL,
		    "out of memory while reading the form");
	d = g_mime_content_disposition_parse(form_gmime_options, fixed);
	disp = d != NULL ? g_mime_content_disposition_get_disposition(d) :
	    NULL;
	if (disp == NULL || g_ascii_strcasecmp(disp, "form-data") != 0) {
		st = form_fail(c, FORM_ERR_SYNTAX, NULL,
		    "part %zu is not form-data", idx);
		goto done;
	}
	params = g_mime_content_disposition_get_parameters(d);
	if ((name = form_param(params, "name")) == NULL) {
		st = form_fail(c, FORM_ERR_SYNTAX, NULL,
		    "part %zu has no field name", idx);
		goto done;
	}
	filename = form_param(params, "filename");
	if ((part->name = form_utf8_dup(name)) == NULL ||
	    (filename != NULL &&
	    (part->filename = form_utf8_dup(filename)) == NULL)) {
		st = form_fail(c, FORM_ERR_NOMEM, NULL,
		    "out of memory while reading the form");
		goto done;
	}
	part->is_file = filename != NULL;
done:
	if (d != NULL)
		g_object_unref(d);
	free(fixed);
	return st;
}

/* The error for a value over its limit. */
static enum form_status
form_too_big(struct form_ctx *c, const struct form_part *part)
{
	char name[FORM_MSG_NAME_MAX + 4], file[FORM_MSG_NAME_MAX + 4];
	char size[32];

	form_clip(part->name, FORM_MSG_NAME_MAX, name, sizeof(name));
	if (part->is_file) {
		form_clip(part->filename, FORM_MSG_NAME_MAX, file,
		    sizeof(file));
		form_size_str(c->lim->file_max, size, sizeof(size));
		return form_fail(c, FORM_ERR_FILE_TOO_LARGE, part->name,
		    "file \"%s\" in %s is larger than %s", file, name, size);
	}
	form_size_str(c->lim->field_max, size, sizeof(size));
	return form_fail(c, FORM_ERR_FIELD_TOO_LONG, part->name,
	    "field \"%s\" is longer than %s", name, size);
}

/*
 * The value body[start..end) of a part into part->data: a slice of the
 * body for a file sent as it is, else a copy (part->copy), decoding the
 * Content-Transfer-Encoding cte (NULL: none).  The size limit of its kind
 * applies to the decoded bytes; an identity value over the limit is
 * refused before anything is copied.
 */
static enum form_status
form_value(struct form_ctx *c, size_t idx, const char *cte, size_t start,
    size_t end, struct form_part *part)
{
	GMimeContentEncoding enc = GMIME_CONTENT_ENCODING_BINARY;
	GMimeEncoding state;
	size_t max, rawlen = end - start, cap;
	char name[FORM_MSG_NAME_MAX + 4];

	max = part->is_file ? c->lim->file_max : c->lim->field_max;
	if (cte != NULL)
		enc = g_mime_content_encoding_from_string(cte);
	switch (enc) {
	case GMIME_CONTENT_ENCODING_7BIT:
	case GMIME_CONTENT_ENCODING_8BIT:
	case GMIME_CONTENT_ENCODING_BINARY:
		if (rawlen > max)
			return form_too_big(c, part);
		part->len = rawlen;
		if (part->is_file) {
			/* A slice of the body (form.h): no second copy. */
			part->data = c->body + start;
			return FORM_OK;
		}
		if ((part->copy = malloc(rawlen + 1)) == NULL)
			goto nomem;
		memcpy(part->copy, c->body + start, rawlen);
		break;
	case GMIME_CONTENT_ENCODING_BASE64:
	case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE:
		/* Decoded bytes are never more than the encoded ones. */
		g_mime_encoding_init_decode(&state, enc);
		cap = g_mime_encoding_outlen(&state, rawlen);
		if ((part->copy = malloc(cap + 1)) == NULL)
			goto nomem;
		part->len = g_mime_encoding_flush(&state,
		    (const char *)c->body + start, rawlen,
		    (char *)part->copy);
		if (part->len > max)
			return form_too_big(c, part);
		break;
	default:
		form_clip(part->name, FORM_MSG_NAME_MAX, name, sizeof(name));
		return form_fail(c, FORM_ERR_SYNTAX, NULL,
		    "part %zu (%s) has an unsupported "
		    "Content-Transfer-Encoding", idx, name);
	}
	part->copy[part->len] = '\0';
	part->data = part->copy;
	return FORM_OK;
nomem:
	return form_fail(c, FORM_ERR_NOMEM, NULL,
	    "out of memory while reading the form");
}

/* Free the members of one part and clear it. */
static void
form_part_clear(struct form_part *part)
{
	free(part->name);
	free(part->filename);
	free(part->copy);
	memset(part, 0, sizeof(*part));
}

/*
 * Parse part number idx (from 1), body[start..end), into part.  On error
 * part is left cleared.
 */
static enum form_status
form_part_parse(struct form_ctx *c, size_t idx, size_t start, size_t end,
    struct form_part *part)
{
	struct form_hvalue cd = { NULL, 0 }, cte = { NULL, 0 };
	enum form_status st;
	size_t hend;
	char size[32];

	memset(part, 0, sizeof(*part));
	if (form_header_end(c, start, end, &hend) != 0) {
		form_size_str(c->lim->part_header_max, size, sizeof(size));
		return form_fail(c, FORM_ERR_HEADER_TOO_LARGE, NULL,
		    "the header of part %zu is larger than %s", idx, size);
	}
	st = form_headers_read(c, idx, start, hend, &cd, &cte);
	if (st != FORM_OK)
		goto done;
	if (cd.v == NULL) {
		st = form_fail(c, FORM_ERR_SYNTAX, NULL,
		    "part %zu has no Content-Disposition header", idx);
		goto done;
	}
	if ((st = form_disposition(c, idx, cd.v, part)) != FORM_OK)
		goto done;
	st = form_value(c, idx, cte.v, hend, end, part);
done:
	free(cd.v);
	free(cte.v);
	if (st != FORM_OK)
		form_part_clear(part);
	return st;
}

/*
 * See form.h.  Order of the checks: body size, Content-Type and boundary,
 * then the first scan (a boundary line, the number of parts, a closing
 * delimiter), then each part in turn (header size, header syntax,
 * Content-Disposition, value size, number of files).
 */
enum form_status
form_parse(const char *content_type, const void *body, size_t len,
    const struct form_limits *lim, struct form *out, char *msg, size_t msglen,
    const char **field)
{
	struct form_ctx c;
	struct form_scan scan;
	struct form_part *parts = NULL;
	size_t count = 0, nparts = 0, nfiles = 0, start, end;
	enum form_status st = FORM_OK;
	char size[32], name[FORM_MSG_NAME_MAX + 4];
	int rc;

	out->parts = NULL;
	out->nparts = 0;
	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	if (field != NULL)
		*field = NULL;
	pthread_once(&form_once, form_init_once);

	memset(&c, 0, sizeof(c));
	c.body = body;
	c.len = body != NULL ? len : 0;
	c.lim = lim;
	c.msg = msg;
	c.msglen = msglen;
	c.field = field;

	if (c.len > lim->body_max) {
		form_size_str(lim->body_max, size, sizeof(size));
		return form_fail(&c, FORM_ERR_BODY_TOO_LARGE, NULL,
		    "the request body is larger than %s", size);
	}
	if ((st = form_boundary_get(&c, content_type)) != FORM_OK)
		return st;

	/* First scan: count the parts, allocate nothing. */
	if (!form_scan_first(&c, &scan))
		return form_fail(&c, FORM_ERR_SYNTAX, NULL,
		    "the body has no multipart boundary line");
	while ((rc = form_scan_next(&c, &scan, &start, &end)) == 1) {
		if (++count > lim->parts_max)
			return form_fail(&c, FORM_ERR_TOO_MANY_PARTS, NULL,
			    "the form has more than %zu part%s",
			    lim->parts_max, lim->parts_max == 1 ? "" : "s");
	}
	if (rc < 0)
		return form_fail(&c, FORM_ERR_SYNTAX, NULL,
		    "the body has no closing boundary");
	if (count == 0)
		return FORM_OK;
	if ((parts = calloc(count, sizeof(*parts))) == NULL)
		return form_fail(&c, FORM_ERR_NOMEM, NULL,
		    "out of memory while reading the form");

	/* Second scan: the same delimiters, now read each part. */
	(void)form_scan_first(&c, &scan);
	for (size_t i = 1; form_scan_next(&c, &scan, &start, &end) == 1;
	    i++) {
		struct form_part *p = &parts[nparts];

		if ((st = form_part_parse(&c, i, start, end, p)) != FORM_OK)
			goto fail;
		if (p->is_file && p->filename[0] == '\0' && p->len == 0) {
			/* No file chosen in the browser: no file at all. */
			form_part_clear(p);
			continue;
		}
		nparts++;
		if (p->is_file && p->len > 0 && ++nfiles > lim->files_max) {
			form_clip(p->name, FORM_MSG_NAME_MAX, name,
			    sizeof(name));
			st = form_fail(&c, FORM_ERR_TOO_MANY_FILES, p->name,
			    "%s has more than %zu file%s", name,
			    lim->files_max, lim->files_max == 1 ? "" : "s");
			goto fail;
		}
	}
	if (nparts == 0) {
		free(parts);
		parts = NULL;
	}
	out->parts = parts;
	out->nparts = nparts;
	return FORM_OK;
fail:
	for (size_t i = 0; i < nparts; i++)
		form_part_clear(&parts[i]);
	free(parts);
	return st;
}

/* See form.h. */
void
form_free(struct form *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->nparts; i++)
		form_part_clear(&f->parts[i]);
	free(f->parts);
	f->parts = NULL;
	f->nparts = 0;
}

/* See form.h. */
const struct form_part *
form_field(const struct form *f, const char *name)
{
	if (f == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < f->nparts; i++)
		if (!f->parts[i].is_file && strcmp(f->parts[i].name, name) == 0)
			return &f->parts[i];
	return NULL;
}
