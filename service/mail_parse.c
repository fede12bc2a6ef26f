/* SPDX-License-Identifier: MIT */
/*
 * The e-mail parser declared in mail_parse.h: one RFC 5322 message (MIME:
 * RFC 2045-2049) in, the subject, body text, sender, Message-ID and
 * attached files out, all as UTF-8.  It runs on a worker, once per mail,
 * on messages up to mail_max_mb (50 MiB); its cost is linear in the size
 * of the message, and its memory about three times that size at most.
 *
 * Three steps:
 *
 *   1. A pre-scan of the raw bytes (mail_scan_*) follows the MIME framing
 *      the way GMime's parser will: header blocks, Content-Type, boundary
 *      lines.  It exists because GMime bounds nothing a sender controls
 *      except nesting, at 1024 levels: it builds every part and every
 *      header as an object (about 60 bytes of memory per byte of a header
 *      block made of tiny headers), and it compares every line starting
 *      with "--" against every open boundary (a 40 MB message nested 1000
 *      deep took a minute).  So the scan counts nesting and header blocks
 *      and stops at 4 times depth_max and parts_max, and when the lines
 *      starting with "--" times the open boundaries pass 32 Mi (about a
 *      second of GMime's time; a real message makes thousands): beyond
 *      that GMime is given only the top header block (subject, sender,
 *      Message-ID are still read; the message is malformed).  The
 *      factor 4 leaves room for the inside of attached messages, which
 *      GMime parses but the walk below does not enter.  Header blocks
 *      over header_max bytes, or together over 4 times header_max, are
 *      cut at a field boundary in a copy of the message before GMime
 *      sees it (malformed).
 *   2. GMime parses the message (g_mime_parser_construct_message() over a
 *      memory stream).  Its warnings about broken structure (a truncated
 *      message, a multipart without boundary or without its end, a bad
 *      header line, conflicting headers) make the message malformed.  A
 *      message GMime cannot read at all (no header block: empty input,
 *      binary garbage, text without headers) is malformed with empty
 *      fields and no attachments; the door keeps the original anyway.
 *   3. A walk of the MIME tree with explicit depth and part counters
 *      (mail_walk): multiparts are entered up to depth_max levels, at
 *      most parts_max parts are looked at; an attached message
 *      (message/rfc822) is kept whole as an .eml attachment and not
 *      entered; every other leaf is body text or an attachment.
 *
 * Body text: the text/plain parts that are not attachments (no file
 * name, no "attachment" disposition), one per multipart/alternative,
 * joined by a blank line; without any, the text/html ones converted to
 * plain text (mail_html_to_text: script, style, title and head dropped,
 * tags removed, entities decoded, whitespace collapsed, line breaks kept
 * for br, p, div, li and the other block elements).  The HTML alternative
 * of a plain text is not an attachment: the original message holds it.
 * Everything else (files, inline images, attached messages, a text part
 * with a file name) is an attachment.  The text is cut at text_max bytes
 * on a character boundary; that is not malformation (malformed stays as
 * it was) but it is noted in problem.
 *
 * Charsets (mail_to_utf8).  A declared charset is used through iconv,
 * GB2312 and GBK read as GB18030 (their superset: mislabelled GBK is the
 * common case), Big5 also as Big5-HKSCS when plain Big5 fails.  Text
 * without a usable declaration (none, us-ascii, unknown-8bit, a name
 * iconv does not know) and raw 8-bit header values are read by
 * mail_8bit_to_utf8(): UTF-8 if the bytes are valid UTF-8; else GB18030;
 * else Big5 — but Big5 also wins when its reading is cleaner than the
 * GB18030 one (fewer unreadable bytes and fewer characters Chinese text
 * does not contain: kana, Greek, Cyrillic, box drawing, private use),
 * because Big5 bytes almost always "decode" as GB18030, into exactly
 * those.  Bytes no charset can read become U+FFFD; no text is dropped.
 * Raw 8-bit header values are converted this way as a whole before GMime
 * decodes their RFC 2047 encoded words and RFC 2231 parameters, so
 * GMime's own guess (the first fallback charset without an error) is
 * never what decides.  Every string handed out is strict UTF-8 (RFC
 * 3629); single-line fields have no control characters, the text none
 * but tab and line feed.
 *
 * Anonymity: the sender asks to stay anonymous when the subject or the
 * first 200 characters of the text contain "匿名" or "anonymous" (ASCII
 * case-insensitive).  The rule errs on the side of anonymity ("不要匿名"
 * also matches): contact details are only left out, the original message
 * is still kept as evidence.
 *
 * Thread safety: no state is shared between calls except GMime's, set up
 * once by mime_init(), and the read-only parser options of mime.h; each
 * call works on a clone of those options (for its warning callback).
 */
#include "service/mail_parse.h"
#include "service/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "service/mime.h"

/* The pre-scan's bounds are this many times the walk's. */
#define MAIL_SCAN_FACTOR	4
/*
 * Comparisons of a line starting with "--" against an open boundary that
 * GMime may make (one per such line and open multipart) before the
 * pre-scan gives up: about a second of GMime's time.  A real message
 * makes a few thousand.
 */
#define MAIL_SCAN_WORK_MAX	(32 * 1024 * 1024)
/* Limits are clamped to these before use (GMime stops at 1024 levels). */
#define MAIL_DEPTH_CLAMP	200
#define MAIL_PARTS_CLAMP	100000
/* Characters of the text looked at for the anonymity request. */
#define MAIL_ANON_CHARS		200
/* Longest Message-ID kept (RFC 5322 lines are at most 998 bytes). */
#define MAIL_MSGID_MAX		998
/* Longest attachment name kept, in bytes. */
#define MAIL_NAME_MAX		1024
/* Converted HTML looked at, as a multiple of text_max. */
#define MAIL_HTML_FACTOR	16
/* Bytes of an HTML part searched for a <meta> charset. */
#define MAIL_HTML_SNIFF		4096

static const char mail_repl[] = "\xef\xbf\xbd";	/* U+FFFD */

/* A growable string with a hard maximum (style.md: every buffer bounded). */
struct mail_buf {
	char *p;		/* NUL-terminated when not NULL */
	size_t len;
	size_t cap;
	size_t max;		/* len never exceeds this */
	bool full;		/* something was left out because of max */
	bool nomem;
};

/* One text part that may become the body. */
struct mail_cand {
	GMimePart *part;
	bool html;
	unsigned group;		/* the enclosing multipart/alternative, or 0 */
};

/* The state of one mail_parse() call. */
struct mail_ctx {
	const struct mail_limits *lim;
	struct mail_parsed *out;
	GMimeParserOptions *opts;	/* a clone with our warning callback */
	size_t nparts;
	bool headers_only;		/* GMime sees only the top headers */
	bool parts_over;
	bool depth_over;
	bool nomem;
	unsigned groups;		/* multipart/alternative seen so far */
	struct mail_cand *cands;
	size_t ncands;
	size_t capcands;
	size_t capatt;
	size_t nmessages;		/* attached messages, for their names */
};

/* One open level of the pre-scan: a multipart or an attached message. */
struct mail_scan_level {
	char *delim;		/* "--" boundary, or NULL for a message */
	size_t dlen;
	bool digest;		/* multipart/digest: parts are messages */
};

enum mail_scan_state {
	MAIL_SCAN_HEADERS,
	MAIL_SCAN_BODY,
};

enum mail_field_kind {
	MAIL_FIELD_OTHER,
	MAIL_FIELD_CT,		/* Content-Type */
	MAIL_FIELD_CTE,		/* Content-Transfer-Encoding */
};

/* The pre-scan (step 1 of the file comment). */
struct mail_scan {
	const unsigned char *p;
	size_t len;
	size_t depth_cap;
	size_t parts_cap;
	size_t block_max;	/* header_max */
	size_t budget;		/* all header blocks together */

	/* Results. */
	bool bail;		/* too deep or too many parts */
	bool cut;		/* a header block was cut */
	char why[128];
	size_t *cuts;		/* [start, end) pairs left out, in order */
	size_t ncuts;		/* pairs */
	size_t capcuts;
	size_t top_end;		/* end of the kept top header block */
	bool top_done;
	bool nomem;

	/* State. */
	enum mail_scan_state state;
	struct mail_scan_level *lev;
	size_t nlev;
	size_t nblocks;
	size_t hdr_total;
	size_t work;		/* boundary comparisons (MAIL_SCAN_WORK_MAX) */
	size_t block_start;
	bool block_child;	/* the block is a part of a multipart */
	bool cutting;
	size_t cut_start;
	bool in_field;
	size_t field_start;
	enum mail_field_kind kind;
	struct mail_buf fval;	/* value of the field being read */
	/* GMime takes the type from the first Content-Type of a block and
	 * the boundary from the last one (each replaces the object's). */
	struct mail_buf ct_first;
	struct mail_buf ct_last;
	struct mail_buf cte;	/* the first Content-Transfer-Encoding */
	bool have_ct;
	bool have_cte;
};

/* Buffers. */

static void
mail_buf_init(struct mail_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static void
mail_buf_free(struct mail_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Room for extra more bytes and a NUL; false when out of memory. */
static bool
mail_buf_reserve(struct mail_buf *b, size_t extra)
{
	size_t need, ncap;
	char *np;

	if (b->nomem)
		return false;
	if (extra > SIZE_MAX - b->len - 1) {
		b->nomem = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	ncap = b->cap > 0 ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->nomem = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

/* Append raw bytes, as many as max allows. */
static void
mail_buf_add(struct mail_buf *b, const void *s, size_t n)
{
	if (n > b->max - b->len) {
		n = b->max - b->len;
		b->full = true;
	}
	if (!mail_buf_reserve(b, n))
		return;
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Append valid UTF-8, cut before a character that would pass max. */
static void
mail_buf_add_utf8(struct mail_buf *b, const char *s, size_t n)
{
	if (n > b->max - b->len) {
		n = b->max - b->len;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		b->full = true;
	}
	if (!mail_buf_reserve(b, n))
		return;
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
mail_buf_addc(struct mail_buf *b, char c)
{
	mail_buf_add(b, &c, 1);
}

/* The buffer's string, handed over (never NULL unless out of memory). */
static char *
mail_buf_take(struct mail_buf *b)
{
	char *s;

	if (b->nomem) {
		mail_buf_free(b);
		return NULL;
	}
	if (b->p == NULL && !mail_buf_reserve(b, 0))
		return NULL;
	b->p[b->len] = '\0';
	s = b->p;
	b->p = NULL;
	b->len = b->cap = 0;
	return s;
}

static char *
mail_strdup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* UTF-8. */


/*
 * Append s[0..n) to out as strict UTF-8: each byte that does not start a
 * well-formed sequence becomes U+FFFD (counted in *ninval if not NULL);
 * NUL bytes are dropped.
 */
static void
mail_utf8_fix(struct mail_buf *out, const char *s, size_t n, size_t *ninval)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, k;
	uint32_t cp;

	while (i < n && !out->full && !out->nomem) {
		k = utf8_seq(p + i, n - i, &cp);
		if (k > 0) {
			i += k;
			run += k;
			continue;
		}
		mail_buf_add_utf8(out, s + i - run, run);
		run = 0;
		if (p[i] != 0) {
			mail_buf_add_utf8(out, mail_repl, 3);
			if (ninval != NULL)
				(*ninval)++;
		}
		i++;
	}
	mail_buf_add_utf8(out, s + i - run, run);
}

/* A malloc'd strict UTF-8 copy of s (see mail_utf8_fix); NULL: no memory. */
static char *
mail_utf8_dup(const char *s, size_t n)
{
	struct mail_buf b;

	mail_buf_init(&b, SIZE_MAX - 1);
	mail_utf8_fix(&b, s, n, NULL);
	return mail_buf_take(&b);
}

static bool
mail_has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

/*
 * Characters that Chinese text does not contain but that Big5 bytes read
 * as GB18030 turn into: kana, Greek, Cyrillic, box drawing, private use.
 */
static bool
mail_is_odd_cp(uint32_t cp)
{
	return (cp >= 0x0370 && cp <= 0x04ff) ||
	    (cp >= 0x2500 && cp <= 0x257f) ||
	    (cp >= 0x3040 && cp <= 0x30ff) ||
	    (cp >= 0xe000 && cp <= 0xf8ff);
}

static size_t
mail_count_odd(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, odd = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_seq(p + i, n - i, &cp)) == 0) {
			i++;
			continue;
		}
		if (mail_is_odd_cp(cp))
			odd++;
		i += k;
	}
	return odd;
}

/* Charsets. */

/*
 * Convert in[0..n) from charset to UTF-8, appended to out.  A byte iconv
 * cannot read becomes U+FFFD and the conversion goes on after it.
 * Returns 0, or -1 if iconv does not know the charset (out unchanged).
 * *ninval counts the replaced bytes.
 */
static int
mail_iconv(const char *charset, const char *in, size_t n,
    struct mail_buf *out, size_t *ninval)
{
	GIConv cd;
	/* iconv() does not write to its input; its prototype is old. */
	char *ip = (char *)(uintptr_t)in;
	size_t ileft = n, r;
	char tmp[4096], *op;
	size_t oleft;

	cd = g_iconv_open("UTF-8", charset);
	if (cd == (GIConv)-1)
		return -1;
	while (ileft > 0 && !out->full && !out->nomem) {
		op = tmp;
		oleft = sizeof(tmp);
		errno = 0;
		r = g_iconv(cd, &ip, &ileft, &op, &oleft);
		mail_utf8_fix(out, tmp, sizeof(tmp) - oleft, NULL);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		/* EILSEQ, EINVAL (cut short) or anything else: skip a byte. */
		mail_buf_add_utf8(out, mail_repl, 3);
		(*ninval)++;
		ip++;
		ileft--;
		(void)g_iconv(cd, NULL, NULL, NULL, NULL);
	}
	op = tmp;
	oleft = sizeof(tmp);
	(void)g_iconv(cd, NULL, NULL, &op, &oleft);
	mail_utf8_fix(out, tmp, sizeof(tmp) - oleft, NULL);
	g_iconv_close(cd);
	return 0;
}

/*
 * Read 8-bit bytes of unknown charset (file comment: UTF-8, else GB18030
 * unless Big5 reads cleaner), appending UTF-8 to out (max from out).
 */
static void
mail_8bit_to_utf8(struct mail_buf *out, const char *in, size_t n)
{
	struct mail_buf gb, big;
	size_t gb_bad = 0, big_bad = 0, gb_score, big_score;

	if (utf8_valid(in, n)) {
		mail_buf_add_utf8(out, in, n);
		return;
	}
	mail_buf_init(&gb, out->max - out->len);
	mail_buf_init(&big, out->max - out->len);
	if (mail_iconv("GB18030", in, n, &gb, &gb_bad) != 0) {
		mail_utf8_fix(out, in, n, NULL);
		return;
	}
	gb_score = gb_bad * 4 + mail_count_odd(gb.p, gb.len);
	if (gb_score > 0 && !gb.nomem &&
	    mail_iconv("BIG5", in, n, &big, &big_bad) == 0 && !big.nomem) {
		big_score = big_bad * 4 + mail_count_odd(big.p, big.len);
		if (big_score < gb_score) {
			mail_buf_add_utf8(out, big.p, big.len);
			out->full |= big.full;
			mail_buf_free(&gb);
			mail_buf_free(&big);
			return;
		}
	}
	if (gb.nomem || big.nomem)
		out->nomem = true;
	else if (gb.len > 0)
		mail_buf_add_utf8(out, gb.p, gb.len);
	out->full |= gb.full;
	mail_buf_free(&gb);
	mail_buf_free(&big);
}

/* A malloc'd UTF-8 reading of 8-bit s (see mail_8bit_to_utf8). */
static char *
mail_8bit_dup(const char *s)
{
	struct mail_buf b;

	mail_buf_init(&b, SIZE_MAX - 1);
	mail_8bit_to_utf8(&b, s, strlen(s));
	return mail_buf_take(&b);
}

enum mail_cs {
	MAIL_CS_UNKNOWN,	/* none or useless: guess (mail_8bit_to_utf8) */
	MAIL_CS_UTF8,
	MAIL_CS_GB,		/* GB2312, GBK, GB18030: read as GB18030 */
	MAIL_CS_BIG5,
	MAIL_CS_OTHER,		/* iconv by its name */
};

/* Which family a charset label names; lower-cased into buf. */
static enum mail_cs
mail_charset_kind(const char *label, char *buf, size_t buflen)
{
	static const char *gb[] = { "gb2312", "gbk", "gb18030", "euc-cn",
	    "x-euc-cn", "cp936", "ms936", "windows-936", "x-gbk",
	    "gb_2312-80", "gb2312-80", "gb-2312", "csgb2312", "chinese",
	    "iso-ir-58", "csiso58gb231280", "x-cp936", "936", "hz-gb-2312",
	    "eucgb2312_cn", "euc_cn", NULL };
	static const char *big5[] = { "big5", "big-5", "cn-big5", "x-x-big5",
	    "csbig5", "big5-hkscs", "big5hkscs", "x-big5", "cp950", "ms950",
	    "windows-950", "big5_tw", NULL };
	static const char *unk[] = { "us-ascii", "ascii", "ansi_x3.4-1968",
	    "unknown-8bit", "x-unknown", "unknown", "default",
	    "x-user-defined", "8bit", "iso646-us", NULL };
	size_t n = 0;

	if (label == NULL)
		return MAIL_CS_UNKNOWN;
	while (*label == ' ' || *label == '\t' || *label == '"' ||
	    *label == '\'')
		label++;
	for (; *label != '\0'; label++) {
		unsigned char c = (unsigned char)*label;

		if (c == '"' || c == '\'' || c == ' ' || c == '\t' ||
		    c == ';')
			break;
		if (c < 0x21 || c > 0x7e || n + 1 >= buflen)
			return MAIL_CS_UNKNOWN;
		buf[n++] = (char)g_ascii_tolower((char)c);
	}
	buf[n] = '\0';
	if (n == 0)
		return MAIL_CS_UNKNOWN;
	if (strcmp(buf, "utf-8") == 0 || strcmp(buf, "utf8") == 0 ||
	    strcmp(buf, "unicode-1-1-utf-8") == 0 ||
	    strcmp(buf, "x-unicode20utf8") == 0)
		return MAIL_CS_UTF8;
	for (size_t i = 0; gb[i] != NULL; i++)
		if (strcmp(buf, gb[i]) == 0)
			return strcmp(buf, "hz-gb-2312") == 0 ? MAIL_CS_OTHER :
			    MAIL_CS_GB;
	for (size_t i = 0; big5[i] != NULL; i++)
		if (strcmp(buf, big5[i]) == 0)
			return MAIL_CS_BIG5;
	for (size_t i = 0; unk[i] != NULL; i++)
		if (strcmp(buf, unk[i]) == 0)
			return MAIL_CS_UNKNOWN;
	return MAIL_CS_OTHER;
}

/*
 * Append in[0..n), declared as charset (may be NULL), to out as UTF-8
 * (file comment, "Charsets").
 */
static void
mail_to_utf8(struct mail_buf *out, const char *in, size_t n,
    const char *charset)
{
	char name[64];
	size_t bad = 0, bad2 = 0;
	struct mail_buf alt;

	switch (mail_charset_kind(charset, name, sizeof(name))) {
	case MAIL_CS_UTF8:
		mail_utf8_fix(out, in, n, NULL);
		return;
	case MAIL_CS_GB:
		if (mail_iconv("GB18030", in, n, out, &bad) == 0)
			return;
		break;
	case MAIL_CS_BIG5:
		mail_buf_init(&alt, out->max - out->len);
		if (mail_iconv("BIG5", in, n, &alt, &bad) != 0)
			break;
		if (bad > 0) {
			struct mail_buf hk;

			mail_buf_init(&hk, out->max - out->len);
			if (mail_iconv("BIG5-HKSCS", in, n, &hk, &bad2) == 0 &&
			    bad2 < bad) {
				mail_buf_free(&alt);
				alt = hk;
			} else
				mail_buf_free(&hk);
		}
		if (alt.nomem)
			out->nomem = true;
		else if (alt.len > 0)
			mail_buf_add_utf8(out, alt.p, alt.len);
		out->full |= alt.full;
		mail_buf_free(&alt);
		return;
	case MAIL_CS_OTHER:
		if (mail_iconv(name, in, n, out, &bad) == 0)
			return;
		break;
	case MAIL_CS_UNKNOWN:
		break;
	}
	mail_8bit_to_utf8(out, in, n);
}

/* Problems. */

static void
mail_note(struct mail_ctx *c, bool malformed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Add a sentence to out->problem (once; "; " between sentences; what does
 * not fit is left out) and set malformed if asked.
 */
static void
mail_note(struct mail_ctx *c, bool malformed, const char *fmt, ...)
{
	char msg[sizeof(c->out->problem)];
	char *pb = c->out->problem;
	size_t used = strlen(pb), n;
	va_list ap;

	if (malformed)
		c->out->malformed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strstr(pb, msg) != NULL)
		return;
	n = strlen(msg);
	if (used + (used > 0 ? 2 : 0) + n + 1 > sizeof(c->out->problem))
		return;
	if (used > 0) {
		memcpy(pb + used, "; ", 2);
		used += 2;
	}
	memcpy(pb + used, msg, n + 1);
}

/*
 * GMime's warnings (GMimeParserWarningFunc).  Those about broken
 * structure make the message malformed; the rest (8-bit headers,
 * duplicated headers or parameters, ...) are common and harmless.
 */
static void
mail_gmime_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	struct mail_ctx *c = data;

	(void)offset;
	(void)item;
	/* Given only the headers, GMime finds the body missing: no news. */
	if (c->headers_only)
		return;
	switch (code) {
	case GMIME_WARN_MALFORMED_MULTIPART:
		mail_note(c, true, "a multipart ends without its closing "
		    "boundary");
		break;
	case GMIME_WARN_TRUNCATED_MESSAGE:
		mail_note(c, true, "the message ends early (truncated)");
		break;
	case GMIME_WARN_MALFORMED_MESSAGE:
		mail_note(c, true, "the message is malformed");
		break;
	case GMIME_CRIT_INVALID_HEADER_NAME:
		mail_note(c, true, "a header line is not a header");
		break;
	case GMIME_CRIT_CONFLICTING_HEADER:
		mail_note(c, true, "a header that may appear once appears "
		    "with different values");
		break;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		mail_note(c, true, "a multipart has no boundary");
		break;
	case GMIME_CRIT_NESTING_OVERFLOW:
		mail_note(c, true, "the MIME nesting is too deep");
		break;
	default:
		break;
	}
}

/* Pre-scan (step 1 of the file comment). */

static void
mail_scan_pop_to(struct mail_scan *s, size_t n)
{
	while (s->nlev > n) {
		s->nlev--;
		free(s->lev[s->nlev].delim);
		s->lev[s->nlev].delim = NULL;
	}
}

static void
mail_scan_bail(struct mail_scan *s, const char *why)
{
	if (s->bail)
		return;
	s->bail = true;
	snprintf(s->why, sizeof(s->why), "%s", why);
}

static void
mail_scan_add_cut(struct mail_scan *s, size_t start, size_t end)
{
	size_t *nc;
	size_t ncap;

	if (end <= start)
		return;
	s->cut = true;
	if (s->ncuts == s->capcuts) {
		ncap = s->capcuts > 0 ? s->capcuts * 2 : 8;
		if ((nc = realloc(s->cuts, ncap * 2 * sizeof(*nc))) == NULL) {
			s->nomem = true;
			return;
		}
		s->cuts = nc;
		s->capcuts = ncap;
	}
	s->cuts[2 * s->ncuts] = start;
	s->cuts[2 * s->ncuts + 1] = end;
	s->ncuts++;
}

/* A new header block starts at pos. */
static void
mail_scan_block_begin(struct mail_scan *s, size_t pos, bool child)
{
	s->state = MAIL_SCAN_HEADERS;
	s->block_start = pos;
	s->block_child = child;
	s->cutting = false;
	s->in_field = false;
	s->have_ct = s->have_cte = false;
	s->ct_first.len = s->ct_last.len = s->cte.len = 0;
	if (++s->nblocks > s->parts_cap)
		mail_scan_bail(s, "too many MIME parts");
}

/* The field being read ends at end: keep it, or start cutting there. */
static void
mail_scan_field_end(struct mail_scan *s, size_t end)
{
	size_t size;

	if (!s->in_field)
		return;
	s->in_field = false;
	if (s->cutting)
		return;
	size = end - s->field_start;
	if (end - s->block_start > s->block_max ||
	    size > s->budget - s->hdr_total) {
		s->cutting = true;
		s->cut_start = s->field_start;
		return;
	}
	s->hdr_total += size;
	if (s->kind == MAIL_FIELD_CT && !s->fval.full) {
		if (!s->have_ct)
			mail_buf_add(&s->ct_first, s->fval.p != NULL ?
			    s->fval.p : "", s->fval.len);
		s->ct_last.len = 0;
		mail_buf_add(&s->ct_last, s->fval.p != NULL ? s->fval.p : "",
		    s->fval.len);
		s->have_ct = true;
	} else if (s->kind == MAIL_FIELD_CTE && !s->have_cte) {
		s->cte.len = 0;
		mail_buf_add(&s->cte, s->fval.p != NULL ? s->fval.p : "",
		    s->fval.len);
		s->have_cte = true;
	}
}

static bool
mail_is_rfc822(const char *subtype)
{
	return g_ascii_strcasecmp(subtype, "rfc822") == 0 ||
	    g_ascii_strcasecmp(subtype, "rfc2822") == 0 ||
	    g_ascii_strcasecmp(subtype, "global") == 0 ||
	    g_ascii_strcasecmp(subtype, "news") == 0;
}

/* A message/rfc822 part GMime parses as a message (not encoded). */
static bool
mail_scan_cte_plain(struct mail_scan *s)
{
	GMimeContentEncoding enc;

	if (!s->have_cte || s->cte.p == NULL)
		return true;
	enc = g_mime_content_encoding_from_string(s->cte.p);
	return enc != GMIME_CONTENT_ENCODING_BASE64 &&
	    enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE &&
	    enc != GMIME_CONTENT_ENCODING_UUENCODE;
}

/*
 * The header block ends at pos (the blank line, a boundary line or the
 * end of input); next is where its content starts.  Records a cut, and
 * opens a level for a multipart or an attached message, as GMime will.
 */
static void
mail_scan_block_end(struct mail_scan *s, size_t pos, size_t next,
    bool structural)
{
	GMimeContentType *ct = NULL, *last = NULL;
	const char *type = "text", *subtype = "plain", *b = NULL;
	struct mail_scan_level *top = s->nlev > 0 ? &s->lev[s->nlev - 1] :
	    NULL;
	bool multipart, message;

	mail_scan_field_end(s, pos);
	if (s->cutting)
		mail_scan_add_cut(s, s->cut_start, pos);
	if (!s->top_done) {
		s->top_done = true;
		s->top_end = s->cutting ? s->cut_start : pos;
	}
	s->state = MAIL_SCAN_BODY;
	if (!structural)
		return;
	if (s->block_child && top != NULL && top->delim != NULL &&
	    top->digest) {
		type = "message";
		subtype = "rfc822";
	}
	if (s->have_ct && s->ct_first.p != NULL && s->ct_last.p != NULL &&
	    (ct = g_mime_content_type_parse(mime_mail_options(),
	    s->ct_first.p)) != NULL &&
	    (last = g_mime_content_type_parse(mime_mail_options(),
	    s->ct_last.p)) != NULL) {
		type = g_mime_content_type_get_media_type(ct);
		subtype = g_mime_content_type_get_media_subtype(ct);
		if (type == NULL || subtype == NULL) {
			type = "text";
			subtype = "plain";
		}
		/* Even "" is a boundary to GMime: a line "--" ends a part. */
		b = g_mime_content_type_get_parameter(last, "boundary");
	}
	multipart = g_ascii_strcasecmp(type, "multipart") == 0;
	message = g_ascii_strcasecmp(type, "message") == 0 &&
	    mail_is_rfc822(subtype) && mail_scan_cte_plain(s);
	if (multipart && b != NULL) {
		struct mail_scan_level *l = &s->lev[s->nlev];
		size_t blen = strlen(b);

		if (s->nlev >= s->depth_cap)
			mail_scan_bail(s, "MIME nesting too deep");
		else if ((l->delim = malloc(blen + 3)) == NULL)
			s->nomem = true;
		else {
			memcpy(l->delim, "--", 2);
			memcpy(l->delim + 2, b, blen + 1);
			l->dlen = blen + 2;
			l->digest = g_ascii_strcasecmp(subtype, "digest") == 0;
			s->nlev++;
		}
	} else if (message) {
		if (s->nlev >= s->depth_cap)
			mail_scan_bail(s, "MIME nesting too deep");
		else {
			s->lev[s->nlev].delim = NULL;
			s->lev[s->nlev].dlen = 0;
			s->lev[s->nlev].digest = false;
			s->nlev++;
			mail_scan_block_begin(s, next, false);
		}
	}
	if (ct != NULL)
		g_object_unref(ct);
	if (last != NULL)
		g_object_unref(last);
}

/*
 * Whether line[0..n) (no line break) is the delimiter d (RFC 2046,
 * section 5.1.1: optional trailing white space), or with end set its
 * closing form d "--".
 */
static bool
mail_scan_is_delim(const unsigned char *line, size_t n, const char *d,
    size_t dlen, bool end)
{
	size_t i;

	if (n < dlen + (end ? 2 : 0) || memcmp(line, d, dlen) != 0)
		return false;
	i = dlen;
	if (end) {
		if (line[i] != '-' || line[i + 1] != '-')
			return false;
		i += 2;
	}
	for (; i < n; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

/*
 * A boundary line of an open level at line[0..n)?  Handles it (closing
 * the levels inside, starting the next part) and returns true.
 */
static bool
mail_scan_boundary(struct mail_scan *s, const unsigned char *line, size_t n,
    size_t pos, size_t next)
{
	for (size_t k = s->nlev; k-- > 0;) {
		const struct mail_scan_level *l = &s->lev[k];
		bool end;

		if (l->delim == NULL)
			continue;
		if (mail_scan_is_delim(line, n, l->delim, l->dlen, true))
			end = true;
		else if (mail_scan_is_delim(line, n, l->delim, l->dlen, false))
			end = false;
		else
			continue;
		if (s->state == MAIL_SCAN_HEADERS)
			mail_scan_block_end(s, pos, pos, false);
		if (end) {
			mail_scan_pop_to(s, k);
			s->state = MAIL_SCAN_BODY;
		} else {
			mail_scan_pop_to(s, k + 1);
			mail_scan_block_begin(s, next, true);
		}
		return true;
	}
	return false;
}

/* One header line line[0..n) (no line break) at pos. */
static void
mail_scan_header_line(struct mail_scan *s, const unsigned char *line,
    size_t n, size_t pos)
{
	size_t i, nlen;

	if (line[0] == ' ' || line[0] == '\t') {
		/* A folded continuation (RFC 5322, section 2.2.3). */
		if (s->in_field && s->kind != MAIL_FIELD_OTHER &&
		    !s->cutting)
			mail_buf_add(&s->fval, line, n);
		return;
	}
	mail_scan_field_end(s, pos);
	s->in_field = true;
	s->field_start = pos;
	s->kind = MAIL_FIELD_OTHER;
	s->fval.len = 0;
	s->fval.full = false;
	if (s->cutting)
		return;
	for (i = 0; i < n && line[i] != ':'; i++)
		;
	if (i == n)
		return;
	nlen = i;
	while (nlen > 0 && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t'))
		nlen--;
	if (nlen == 12 && g_ascii_strncasecmp((const char *)line,
	    "Content-Type", 12) == 0)
		s->kind = MAIL_FIELD_CT;
	else if (nlen == 25 && g_ascii_strncasecmp((const char *)line,
	    "Content-Transfer-Encoding", 25) == 0)
		s->kind = MAIL_FIELD_CTE;
	if (s->kind != MAIL_FIELD_OTHER)
		mail_buf_add(&s->fval, line + i + 1, n - i - 1);
}

/*
 * Scan msg[0..len) with the caps of lim (see the file comment).  On return
 * s->bail, s->cuts, s->top_end say what to give GMime; s->nomem that
 * memory ran out.  Free with mail_scan_free().
 */
static void
mail_scan_run(struct mail_scan *s, const unsigned char *msg, size_t len,
    const struct mail_limits *lim)
{
	size_t depth = lim->depth_max < MAIL_DEPTH_CLAMP ? lim->depth_max :
	    MAIL_DEPTH_CLAMP;
	size_t parts = lim->parts_max < MAIL_PARTS_CLAMP ? lim->parts_max :
	    MAIL_PARTS_CLAMP;
	size_t pos = 0;

	memset(s, 0, sizeof(*s));
	s->p = msg;
	s->len = len;
	s->depth_cap = depth * MAIL_SCAN_FACTOR + MAIL_SCAN_FACTOR;
	s->parts_cap = parts * MAIL_SCAN_FACTOR + MAIL_SCAN_FACTOR;
	s->block_max = lim->header_max;
	s->budget = lim->header_max > SIZE_MAX / MAIL_SCAN_FACTOR ? SIZE_MAX :
	    lim->header_max * MAIL_SCAN_FACTOR;
	mail_buf_init(&s->fval, s->block_max + 1);
	mail_buf_init(&s->ct_first, s->block_max + 1);
	mail_buf_init(&s->ct_last, s->block_max + 1);
	mail_buf_init(&s->cte, s->block_max + 1);
	if ((s->lev = calloc(s->depth_cap, sizeof(*s->lev))) == NULL) {
		s->nomem = true;
		return;
	}
	mail_scan_block_begin(s, 0, false);
	while (pos < len && !s->bail && !s->nomem) {
		const unsigned char *line = msg + pos;
		const unsigned char *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;
		size_t next = nl != NULL ? pos + n + 1 : len;
		size_t cn = n > 0 && line[n - 1] == '\r' ? n - 1 : n;

		if (cn >= 2 && line[0] == '-' && line[1] == '-' &&
		    s->nlev > 0) {
			s->work += s->nlev;
			if (s->work > MAIL_SCAN_WORK_MAX) {
				mail_scan_bail(s, "too many lines that look "
				    "like MIME boundaries");
				break;
			}
			if (mail_scan_boundary(s, line, cn, pos, next)) {
				pos = next;
				continue;
			}
		}
		if (s->state == MAIL_SCAN_HEADERS) {
			if (cn == 0)
				mail_scan_block_end(s, pos, next, true);
			else
				mail_scan_header_line(s, line, cn, pos);
		}
		pos = next;
	}
	if (s->state == MAIL_SCAN_HEADERS && !s->bail)
		mail_scan_block_end(s, len, len, true);
	if (s->fval.nomem || s->ct_first.nomem || s->ct_last.nomem ||
	    s->cte.nomem)
		s->nomem = true;
}

static void
mail_scan_free(struct mail_scan *s)
{
	mail_scan_pop_to(s, 0);
	free(s->lev);
	free(s->cuts);
	mail_buf_free(&s->fval);
	mail_buf_free(&s->ct_first);
	mail_buf_free(&s->ct_last);
	mail_buf_free(&s->cte);
	memset(s, 0, sizeof(*s));
}

/* Headers. */

/* The raw (folded, undecoded) value of obj's first header name, or NULL. */
static const char *
mail_raw_header(GMimeObject *obj, const char *name)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	GMimeHeader *h;

	if (hl == NULL || (h = g_mime_header_list_get_header(hl, name)) ==
	    NULL)
		return NULL;
	return g_mime_header_get_raw_value(h);
}

/* An RFC 2047 encoded word, =?CHARSET?E?PAYLOAD?= (mail_eword()). */
struct mail_eword {
	const char *cs, *pl;	/* the charset's and the payload's spans */
	size_t cslen, pllen;
	char enc;		/* 'B' or 'Q' */
};

/*
 * The encoded word at s (CHARSET may carry an RFC 2231 *language): its
 * length, with its parts in *w; 0 when s holds no such word.
 */
static size_t
mail_eword(const char *s, struct mail_eword *w)
{
	size_t i = 2, n = 0;

	if (s[0] != '=' || s[1] != '?')
		return 0;
	while (s[i] != '\0' && s[i] != '?' && s[i] > ' ' && s[i] < 0x7f &&
	    i < 80)
		i++;
	if (s[i] != '?' || i == 2 || s[i + 1] == '\0' || s[i + 2] != '?')
		return 0;
	w->enc = (char)g_ascii_toupper(s[i + 1]);
	if (w->enc != 'B' && w->enc != 'Q')
		return 0;
	w->cs = s + 2;
	w->cslen = i - 2;
	w->pl = s + i + 3;
	if (w->enc == 'B')
		n = strspn(w->pl, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789+/=");
	else
		while (w->pl[n] > ' ' && w->pl[n] < 0x7f && w->pl[n] != '?')
			n++;
	if (w->pl[n] != '?' || w->pl[n + 1] != '=')
		return 0;
	w->pllen = n;
	return i + 3 + n + 2;
}

/*
 * The charset label a word is decoded with: GB2312, GBK and their aliases
 * as GB18030, Big5's as BIG5 (as bodies are read, mail_charset_kind()),
 * so that a mislabelled GBK subject or a name iconv does not know
 * (Python's eucgb2312_cn, big5_tw) still reads; else the word's own.
 */
static void
mail_eword_charset(const struct mail_eword *w, const char **cs,
    size_t *cslen)
{
	char label[64], buf[64];
	size_t n = w->cslen < sizeof(label) - 1 ? w->cslen :
	    sizeof(label) - 1;
	const char *lang;

	memcpy(label, w->cs, n);
	label[n] = '\0';
	if ((lang = strchr(label, '*')) != NULL)
		label[lang - label] = '\0';
	switch (mail_charset_kind(label, buf, sizeof(buf))) {
	case MAIL_CS_GB:
		*cs = "gb18030";
		break;
	case MAIL_CS_BIG5:
		*cs = "big5";
		break;
	default:
		*cs = w->cs;
		*cslen = w->cslen;
		return;
	}
	*cslen = strlen(*cs);
}

/*
 * The encoded words of an unfolded header made ready for GMime: each
 * word's charset label as mail_eword_charset() gives it, and each run of
 * adjacent B words of one charset (white space between) made into one
 * word whose payload is the words' bytes together.  Mail clients split a
 * long GBK or Big5 subject into several words, each its own base64 with
 * '=' padding, and GMime joins such words' payloads before decoding them
 * (to mend a character split between words), so that the decoding stopped
 * at the first padding: "=?gbk?b?vtmxqMSzvOyy4g==?= =?gbk?b?uavLvsr9vt0=?="
 * read as its first word alone.  Decoded and encoded again as one, the
 * bytes are the same and a character split between words is still
 * mended.  g_malloc'd; s itself when it holds no encoded word.
 */
static char *
mail_ewords_prepare(char *s)
{
	GString *out = NULL;
	const char *p = s, *copied = s;

	while ((p = strstr(p, "=?")) != NULL) {
		struct mail_eword w, w2;
		const char *cs, *cs2, *q, *end;
		size_t cslen, cs2len, len, len2, nwords = 1;

		if ((len = mail_eword(p, &w)) == 0) {
			p += 2;
			continue;
		}
		mail_eword_charset(&w, &cs, &cslen);
		end = p + len;
		while (w.enc == 'B') {
			q = end + strspn(end, " \t");
			if ((len2 = mail_eword(q, &w2)) == 0 || w2.enc != 'B')
				break;
			mail_eword_charset(&w2, &cs2, &cs2len);
			if (cs2len != cslen ||
			    g_ascii_strncasecmp(cs, cs2, cslen) != 0)
				break;
			end = q + len2;
			nwords++;
		}
		if (out == NULL)
			out = g_string_sized_new(strlen(s) + 16);
		g_string_append_len(out, copied, p - copied);
		g_string_append(out, "=?");
		g_string_append_len(out, cs, (gssize)cslen);
		g_string_append_c(out, '?');
		g_string_append_c(out, w.enc);
		g_string_append_c(out, '?');
		if (nwords == 1) {
			g_string_append_len(out, w.pl, (gssize)w.pllen);
		} else {
			GByteArray *bytes = g_byte_array_new();
			gchar *b64;

			for (q = p; q < end; q += len2) {
				guchar *raw;
				gsize rawlen;
				gchar *one;

				q += strspn(q, " \t");
				len2 = mail_eword(q, &w2);
				one = g_strndup(w2.pl, w2.pllen);
				raw = g_base64_decode(one, &rawlen);
				g_byte_array_append(bytes, raw, (guint)rawlen);
				g_free(raw);
				g_free(one);
			}
			b64 = g_base64_encode(bytes->data, bytes->len);
			g_string_append(out, b64);
			g_free(b64);
			g_byte_array_free(bytes, TRUE);
		}
		g_string_append(out, "?=");
		copied = p = end;
	}
	if (out == NULL)
		return s;
	g_string_append(out, copied);
	return g_string_free(out, FALSE);
}

/*
 * The unfolded raw value as UTF-8 text GMime can decode further: raw
 * 8-bit bytes converted by mail_8bit_to_utf8(), encoded words made ready
 * by mail_ewords_prepare() and left for GMime to decode.  g_malloc'd;
 * NULL for a NULL raw value.
 */
static char *
mail_header_prepare(const char *raw)
{
	char *unfolded, *joined, *u, *g;

	if (raw == NULL)
		return NULL;
	unfolded = g_mime_utils_header_unfold(raw);
	if (unfolded != NULL &&
	    (joined = mail_ewords_prepare(unfolded)) != unfolded) {
		g_free(unfolded);
		unfolded = joined;
	}
	if (unfolded == NULL || !mail_has_8bit(unfolded))
		return unfolded;
	u = mail_8bit_dup(unfolded);
	g_free(unfolded);
	if (u == NULL)
		return NULL;
	g = g_strdup(u);
	free(u);
	return g;
}

/*
 * One line of text for a field: strict UTF-8, every control character a
 * space, runs of spaces collapsed, trimmed.  malloc'd; NULL: no memory.
 */
static char *
mail_line_clean(const char *s)
{
	char *u, *w, *r;
	bool space = true;

	if ((u = mail_utf8_dup(s != NULL ? s : "", s != NULL ? strlen(s) :
	    0)) == NULL)
		return NULL;
	w = u;
	for (r = u; *r != '\0'; r++) {
		unsigned char c = (unsigned char)*r;

		if (c < 0x20 || c == 0x7f || c == ' ') {
			if (!space)
				*w++ = ' ';
			space = true;
			continue;
		}
		*w++ = (char)c;
		space = false;
	}
	while (w > u && w[-1] == ' ')
		w--;
	*w = '\0';
	return u;
}

/* A decoded unstructured header (Subject): malloc'd clean line. */
static char *
mail_header_text(struct mail_ctx *c, GMimeObject *obj, const char *name)
{
	char *prep, *dec, *line;

	if ((prep = mail_header_prepare(mail_raw_header(obj, name))) == NULL)
		return mail_strdup("");
	dec = g_mime_utils_header_decode_text(c->opts, prep);
	g_free(prep);
	line = mail_line_clean(dec);
	g_free(dec);
	return line;
}

/* The first mailbox of the From header into out->from_addr/from_name. */
static int
mail_from(struct mail_ctx *c, GMimeMessage *msg)
{
	char *prep;
	InternetAddressList *list = NULL;
	InternetAddress *ia = NULL;
	const char *addr = "", *name = "";

	prep = mail_header_prepare(mail_raw_header(GMIME_OBJECT(msg), "From"));
	if (prep != NULL)
		list = internet_address_list_parse(c->opts, prep);
	g_free(prep);
	for (int i = 0; list != NULL && ia == NULL &&
	    i < internet_address_list_length(list); i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(a)) {
			InternetAddressList *m =
			    internet_address_group_get_members(
			    INTERNET_ADDRESS_GROUP(a));

			for (int j = 0; m != NULL &&
			    j < internet_address_list_length(m); j++) {
				InternetAddress *b =
				    internet_address_list_get_address(m, j);

				if (INTERNET_ADDRESS_IS_MAILBOX(b)) {
					ia = b;
					break;
				}
			}
		} else if (INTERNET_ADDRESS_IS_MAILBOX(a))
			ia = a;
	}
	if (ia != NULL) {
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		name = internet_address_get_name(ia);
	}
	c->out->from_addr = mail_line_clean(addr);
	c->out->from_name = mail_line_clean(name);
	if (list != NULL)
		g_object_unref(list);
	return c->out->from_addr != NULL && c->out->from_name != NULL ? 0 : -1;
}

/* The Message-ID without <>: printable ASCII only, at most 998 bytes. */
static char *
mail_message_id(GMimeMessage *msg)
{
	const char *id = g_mime_message_get_message_id(msg);
	const char *rawid = mail_raw_header(GMIME_OBJECT(msg), "Message-ID");
	char *raw = NULL, *out;
	size_t n = 0;

	if ((id == NULL || *id == '\0') && rawid != NULL) {
		raw = g_mime_utils_header_unfold(rawid);
		id = raw;
	}
	if (id == NULL)
		return mail_strdup("");
	if ((out = malloc(strlen(id) + 1)) == NULL) {
		g_free(raw);
		return NULL;
	}
	for (const char *p = id; *p != '\0' && n < MAIL_MSGID_MAX; p++)
		if ((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f &&
		    !(raw != NULL && (*p == '<' || *p == '>')))
			out[n++] = *p;
	out[n] = '\0';
	g_free(raw);
	return out;
}

/* Parts. */

/*
 * The file name of a part (RFC 2183 filename, else the RFC 2045 name
 * parameter; RFC 2231 and RFC 2047 decoded by GMime), as clean UTF-8,
 * malloc'd, "" if none.  When the raw headers carry 8-bit bytes, they are
 * converted to UTF-8 first (mail_header_prepare) and parsed again, so
 * that GMime's first-fit guess does not decide their charset.
 */
static char *
mail_part_name(struct mail_ctx *c, GMimeObject *obj)
{
	const char *rcd = mail_raw_header(obj, "Content-Disposition");
	const char *rct = mail_raw_header(obj, "Content-Type");
	GMimeContentDisposition *d = NULL;
	GMimeContentType *ct = NULL;
	const char *v = NULL;
	char *prep, *u, *name;

	if ((rcd != NULL && mail_has_8bit(rcd)) ||
	    (rct != NULL && mail_has_8bit(rct))) {
		if ((prep = mail_header_prepare(rcd)) != NULL) {
			d = g_mime_content_disposition_parse(c->opts, prep);
			g_free(prep);
			if (d != NULL)
				v = g_mime_content_disposition_get_parameter(d,
				    "filename");
		}
		if (v == NULL && (prep = mail_header_prepare(rct)) != NULL) {
			ct = g_mime_content_type_parse(c->opts, prep);
			g_free(prep);
			if (ct != NULL)
				v = g_mime_content_type_get_parameter(ct,
				    "name");
		}
	} else if (GMIME_IS_PART(obj))
		v = g_mime_part_get_filename(GMIME_PART(obj));
	else {
		GMimeContentDisposition *od =
		    g_mime_object_get_content_disposition(obj);

		if (od != NULL)
			v = g_mime_content_disposition_get_parameter(od,
			    "filename");
		if (v == NULL)
			v = g_mime_object_get_content_type_parameter(obj,
			    "name");
	}
	if (v == NULL)
		v = "";
	/* GMime keeps the bytes of an RFC 2231 value it cannot convert. */
	u = utf8_valid(v, strlen(v)) ? mail_strdup(v) : mail_8bit_dup(v);
	if (d != NULL)
		g_object_unref(d);
	if (ct != NULL)
		g_object_unref(ct);
	if (u == NULL)
		return NULL;
	name = mail_line_clean(u);
	free(u);
	if (name != NULL && strlen(name) > MAIL_NAME_MAX) {
		size_t n = MAIL_NAME_MAX;

		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
		name[n] = '\0';
	}
	return name;
}

/* "type/subtype" as declared, printable ASCII, malloc'd. */
static char *
mail_declared_type(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *t = ct != NULL ? g_mime_content_type_get_mime_type(ct) : NULL;
	char *out;

	out = mail_line_clean(t != NULL ? t : "application/octet-stream");
	g_free(t);
	if (out != NULL)
		for (char *p = out; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
	return out;
}

/* Whether obj is shown inline: disposition inline, or none and a Content-ID. */
static bool
is_mail_inline(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);
	const char *disp = d != NULL ?
	    g_mime_content_disposition_get_disposition(d) : NULL;

	if (disp != NULL && *disp != '\0')
		return g_ascii_strcasecmp(disp, "inline") == 0;
	return g_mime_object_get_content_id(obj) != NULL;
}

static bool
is_mail_attachment_disp(GMimeObject *obj)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);

	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

/* Write a GMime stream's bytes into a malloc'd buffer. */
static unsigned char *
mail_stream_bytes(GMimeStream *ms, size_t *len)
{
	GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
	size_t n = a != NULL ? a->len : 0;
	unsigned char *p = malloc(n > 0 ? n : 1);

	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, a->data, n);
	*len = n;
	return p;
}

/*
 * The content of a leaf part with its transfer encoding (base64,
 * quoted-printable, uuencode) undone; malloc'd, NULL when out of memory.
 */
static unsigned char *
mail_part_bytes(struct mail_ctx *c, GMimePart *part, size_t *len)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *ms;
	unsigned char *p;

	*len = 0;
	if (w == NULL)
		return malloc(1);
	ms = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(w, ms) < 0)
		mail_note(c, true, "a part could not be decoded");
	p = mail_stream_bytes(ms, len);
	g_object_unref(ms);
	return p;
}

static struct mail_attachment *
mail_att_new(struct mail_ctx *c)
{
	struct mail_parsed *o = c->out;
	struct mail_attachment *na;
	size_t ncap;

	if (o->natt == c->capatt) {
		ncap = c->capatt > 0 ? c->capatt * 2 : 4;
		if ((na = realloc(o->att, ncap * sizeof(*na))) == NULL)
			return NULL;
		o->att = na;
		c->capatt = ncap;
	}
	na = &o->att[o->natt++];
	memset(na, 0, sizeof(*na));
	return na;
}

/* A leaf part that is not body text becomes an attachment. */
static int
mail_add_part(struct mail_ctx *c, GMimePart *part, char *name)
{
	struct mail_attachment *a;

	if ((a = mail_att_new(c)) == NULL) {
		free(name);
		return -1;
	}
	a->name = name;
	a->declared_type = mail_declared_type(GMIME_OBJECT(part));
	a->data = mail_part_bytes(c, part, &a->len);
	a->inline_part = is_mail_inline(GMIME_OBJECT(part));
	if (a->declared_type == NULL || a->data == NULL)
		return -1;
	a->is_message = g_ascii_strncasecmp(a->declared_type, "message/",
	    8) == 0;
	if (a->is_message && a->name[0] == '\0') {
		/* An encoded message/rfc822, which GMime leaves a leaf. */
		free(a->name);
		if ((a->name = malloc(32)) == NULL)
			return -1;
		snprintf(a->name, 32, "message-%zu.eml", ++c->nmessages);
	}
	return 0;
}

/*
 * An attached message: kept whole, as GMime writes it back (the original
 * message, byte for byte, is the door's evidence), named by its file name,
 * else its subject, else "message-N", with ".eml".  Not entered.
 */
static int
mail_add_message(struct mail_ctx *c, GMimeMessagePart *mp)
{
	GMimeMessage *m = g_mime_message_part_get_message(mp);
	struct mail_attachment *a;
	GMimeStream *ms;
	char *name, *subj = NULL;
	size_t n;

	if ((name = mail_part_name(c, GMIME_OBJECT(mp))) == NULL)
		return -1;
	c->nmessages++;
	if (*name == '\0') {
		free(name);
		if (m != NULL && (subj = mail_header_text(c, GMIME_OBJECT(m),
		    "Subject")) == NULL)
			return -1;
		n = subj != NULL ? strlen(subj) : 0;
		if (n > 200) {
			n = 200;
			while (n > 0 && ((unsigned char)subj[n] & 0xc0) == 0x80)
				n--;
		}
		if ((name = malloc(n + 32)) == NULL) {
			free(subj);
			return -1;
		}
		if (n > 0) {
			memcpy(name, subj, n);
			memcpy(name + n, ".eml", 5);
			for (char *p = name; *p != '\0'; p++)
				if (*p == '/' || *p == '\\')
					*p = '_';
		} else
			snprintf(name, n + 32, "message-%zu.eml",
			    c->nmessages);
		free(subj);
	}
	if ((a = mail_att_new(c)) == NULL) {
		free(name);
		return -1;
	}
	a->name = name;
	a->declared_type = mail_declared_type(GMIME_OBJECT(mp));
	a->is_message = true;
	a->inline_part = is_mail_inline(GMIME_OBJECT(mp));
	ms = g_mime_stream_mem_new();
	if (m != NULL && g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL,
	    ms) < 0)
		mail_note(c, true, "an attached message could not be written");
	a->data = mail_stream_bytes(ms, &a->len);
	g_object_unref(ms);
	return a->declared_type != NULL && a->data != NULL ? 0 : -1;
}

static int
mail_add_cand(struct mail_ctx *c, GMimePart *part, bool html, unsigned group)
{
	struct mail_cand *nc;
	size_t ncap;

	if (c->ncands == c->capcands) {
		ncap = c->capcands > 0 ? c->capcands * 2 : 4;
		if ((nc = realloc(c->cands, ncap * sizeof(*nc))) == NULL)
			return -1;
		c->cands = nc;
		c->capcands = ncap;
	}
	c->cands[c->ncands].part = part;
	c->cands[c->ncands].html = html;
	c->cands[c->ncands].group = group;
	c->ncands++;
	return 0;
}

/*
 * Walk the MIME tree below obj (step 3 of the file comment).  depth is
 * the number of multiparts around obj; group the innermost
 * multipart/alternative around it (0: none).  The recursion stops at
 * depth_max, never deeper than the input allows: the pre-scan let at
 * most 4 * min(depth_max, 200) + 4 levels through.  Returns -1 only when
 * out of memory.
 */
static int
mail_walk(struct mail_ctx *c, GMimeObject *obj, size_t depth, unsigned group)
{
	if (obj == NULL || c->parts_over)
		return 0;
	if (c->nparts >= c->lim->parts_max) {
		c->parts_over = true;
		mail_note(c, true, "more than %zu MIME parts; the rest were "
		    "not read", c->lim->parts_max);
		return 0;
	}
	c->nparts++;
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		int n = g_mime_multipart_get_count(mp);

		if (depth >= c->lim->depth_max) {
			c->depth_over = true;
			mail_note(c, true, "MIME nesting deeper than %zu "
			    "levels; the parts below were not read",
			    c->lim->depth_max);
			return 0;
		}
		if (ct != NULL && g_mime_content_type_is_type(ct, "multipart",
		    "alternative"))
			group = ++c->groups;
		for (int i = 0; i < n && !c->parts_over; i++)
			if (mail_walk(c, g_mime_multipart_get_part(mp, i),
			    depth + 1, group) != 0)
				return -1;
		return 0;
	}
	if (GMIME_IS_MESSAGE_PART(obj))
		return mail_add_message(c, GMIME_MESSAGE_PART(obj));
	if (GMIME_IS_PART(obj)) {
		GMimeContentType *ct = g_mime_object_get_content_type(obj);
		bool plain = ct != NULL && g_mime_content_type_is_type(ct,
		    "text", "plain");
		bool html = ct != NULL && g_mime_content_type_is_type(ct,
		    "text", "html");
		char *name = mail_part_name(c, obj);

		if (name == NULL)
			return -1;
		if ((plain || html) && *name == '\0' &&
		    !is_mail_attachment_disp(obj)) {
			free(name);
			return mail_add_cand(c, GMIME_PART(obj), html, group);
		}
		return mail_add_part(c, GMIME_PART(obj), name);
	}
	return 0;
}

/* HTML to text. */

/* The output of mail_html_to_text(). */
struct mail_html {
	struct mail_buf *b;
	bool space;		/* white space seen since the last text */
	int newlines;		/* line breaks at the end of the output */
	bool pre;		/* inside <pre>: white space kept */
};

static void
mail_html_text(struct mail_html *h, const char *s, size_t n)
{
	if (h->space && h->newlines == 0 && h->b->len > 0)
		mail_buf_addc(h->b, ' ');
	h->space = false;
	mail_buf_add_utf8(h->b, s, n);
	h->newlines = 0;
}

/* A line break: hard for <br> (one more, at most a blank line), else only
 * ending the current line. */
static void
mail_html_break(struct mail_html *h, bool hard)
{
	h->space = false;
	if (h->b->len == 0)
		return;
	if (hard ? h->newlines < 2 : h->newlines == 0) {
		mail_buf_addc(h->b, '\n');
		h->newlines++;
	}
}

static void
mail_html_cp(struct mail_html *h, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp == 0xa0 || cp == '\t' || cp == '\n' || cp == '\r' ||
	    cp == ' ' || cp == '\f') {
		h->space = true;
		return;
	}
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	mail_html_text(h, u, n);
}

/*
 * A character reference at s[0..n) (s[0] == '&'), HTML 5 section
 * 13.2.5.72: numeric (decimal or hex, ';' optional) or one of the named
 * ones mail clients use.  Writes it and returns the bytes read, or 0 when
 * it is not one (the '&' is then text).
 */
static size_t
mail_html_entity(struct mail_html *h, const char *s, size_t n)
{
	static const struct {
		const char *name;
		uint32_t cp;
	} names[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "nbsp", 0xa0 }, { "copy", 0xa9 },
		{ "reg", 0xae }, { "trade", 0x2122 }, { "hellip", 0x2026 },
		{ "mdash", 0x2014 }, { "ndash", 0x2013 }, { "lsquo", 0x2018 },
		{ "rsquo", 0x2019 }, { "ldquo", 0x201c }, { "rdquo", 0x201d },
		{ "middot", 0xb7 }, { "bull", 0x2022 }, { "times", 0xd7 },
		{ "divide", 0xf7 }, { "yen", 0xa5 }, { "euro", 0x20ac },
		{ "laquo", 0xab }, { "raquo", 0xbb }, { "deg", 0xb0 },
		{ "plusmn", 0xb1 }, { "sect", 0xa7 }, { "para", 0xb6 },
		{ "cent", 0xa2 }, { "pound", 0xa3 }, { "emsp", 0xa0 },
		{ "ensp", 0xa0 }, { "thinsp", 0xa0 }, { "shy", 0xad },
		{ "zwsp", 0x200b }, { "hyphen", 0x2010 },
	};
	size_t i = 1, start;
	uint32_t cp = 0;
	bool hex = false;

	if (i < n && s[i] == '#') {
		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = true;
			i++;
		}
		start = i;
		while (i < n && i - start < 8 && (hex ?
		    g_ascii_isxdigit(s[i]) : g_ascii_isdigit(s[i]))) {
			cp = cp * (hex ? 16 : 10) + (uint32_t)(hex ?
			    g_ascii_xdigit_value(s[i]) :
			    g_ascii_digit_value(s[i]));
			i++;
		}
		if (i == start)
			return 0;
		while (i < n && (hex ? g_ascii_isxdigit(s[i]) :
		    g_ascii_isdigit(s[i]))) {
			cp = 0x110000;	/* too long: out of range */
			i++;
		}
		if (i < n && s[i] == ';')
			i++;
		mail_html_cp(h, cp);
		return i;
	}
	start = i;
	while (i < n && i - start < 10 && g_ascii_isalnum(s[i]))
		i++;
	if (i == start || i >= n || s[i] != ';')
		return 0;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (strlen(names[k].name) == i - start &&
		    memcmp(names[k].name, s + start, i - start) == 0) {
			if (names[k].cp != 0xad)
				mail_html_cp(h, names[k].cp);
			return i + 1;
		}
	return 0;
}

/* Block elements: a line break before and after. */
static bool
is_mail_html_block(const char *t)
{
	static const char *blocks[] = { "p", "div", "li", "tr", "h1", "h2",
	    "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "table", "ul",
	    "ol", "dl", "dt", "dd", "section", "article", "header", "footer",
	    "address", "center", "form", "fieldset", "caption", "body",
	    "html", "nav", "aside", "main", "figure", "figcaption", NULL };

	for (size_t i = 0; blocks[i] != NULL; i++)
		if (strcmp(t, blocks[i]) == 0)
			return true;
	return false;
}

/*
 * Find the closing tag "</name" (ASCII case-insensitive, then not a name
 * character) in s[from..n); returns its position or n.
 */
static size_t
mail_html_find_close(const char *s, size_t n, size_t from, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = from; i + 2 + nl <= n; i++) {
		if (s[i] != '<' || s[i + 1] != '/' ||
		    g_ascii_strncasecmp(s + i + 2, name, nl) != 0)
			continue;
		if (i + 2 + nl == n || !g_ascii_isalnum(s[i + 2 + nl]))
			return i;
	}
	return n;
}

/* Skip from s[i] ('<' of a tag) past its '>', quotes respected. */
static size_t
mail_html_skip_tag(const char *s, size_t n, size_t i)
{
	char q = 0;

	for (i++; i < n; i++) {
		if (q != 0) {
			if (s[i] == q)
				q = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			/* A quote opens a value only after '='. */
			size_t k = i;

			while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t' ||
			    s[k - 1] == '\n' || s[k - 1] == '\r'))
				k--;
			if (k > 0 && s[k - 1] == '=')
				q = s[i];
		} else if (s[i] == '>')
			return i + 1;
	}
	return n;
}

/*
 * Plain text of the UTF-8 HTML s[0..n), appended to out (file comment,
 * "Body text").  A tag is '<' then a letter, '/', '!' or '?'; any other
 * '<' is text.  Linear: each element whose content is dropped is searched
 * for its end once; when there is none, later ones of that name are not
 * searched again (a page of unclosed <head> tags stays linear).
 */
static void
mail_html_to_text(struct mail_buf *out, const char *s, size_t n)
{
	static const char *skip[] = { "script", "style", "title", "head",
	    "xml", NULL };
	bool unclosed[5] = { false, false, false, false, false };
	struct mail_html h = { .b = out };
	size_t i = 0;

	while (i < n && !out->full && !out->nomem) {
		unsigned char c = (unsigned char)s[i];

		if (c == '<' && i + 1 < n && s[i + 1] == '!') {
			if (i + 3 < n && s[i + 2] == '-' && s[i + 3] == '-') {
				const char *e = g_strstr_len(s + i + 4,
				    (gssize)(n - i - 4), "-->");

				i = e != NULL ? (size_t)(e - s) + 3 : n;
			} else
				i = mail_html_skip_tag(s, n, i);
			continue;
		}
		if (c == '<' && i + 1 < n && (g_ascii_isalpha(s[i + 1]) ||
		    s[i + 1] == '/' || s[i + 1] == '?')) {
			char tag[16];
			size_t k = i + 1, t = 0, end;
			bool closing = false;

			if (s[k] == '/') {
				closing = true;
				k++;
			}
			while (k < n && (g_ascii_isalnum(s[k]) || s[k] == ':' ||
			    s[k] == '-')) {
				if (t + 1 < sizeof(tag))
					tag[t++] = g_ascii_tolower(s[k]);
				k++;
			}
			tag[t] = '\0';
			end = mail_html_skip_tag(s, n, i);
			if (!closing) {
				for (size_t j = 0; skip[j] != NULL; j++) {
					size_t cl;

					if (strcmp(tag, skip[j]) != 0 ||
					    unclosed[j])
						continue;
					cl = mail_html_find_close(s, n, end,
					    skip[j]);
					if (cl == n) {
						unclosed[j] = true;
						/* Without an end a script or
						 * style runs to the end. */
						if (j < 2)
							end = n;
					} else
						end = mail_html_skip_tag(s, n,
						    cl);
					break;
				}
			}
			if (strcmp(tag, "br") == 0)
				mail_html_break(&h, true);
			else if (strcmp(tag, "td") == 0 ||
			    strcmp(tag, "th") == 0)
				h.space = true;
			else if (is_mail_html_block(tag))
				mail_html_break(&h, false);
			if (strcmp(tag, "pre") == 0)
				h.pre = !closing;
			i = end;
			continue;
		}
		if (c == '&') {
			size_t used = mail_html_entity(&h, s + i, n - i);

			if (used > 0) {
				i += used;
				continue;
			}
		}
		if (h.pre && (c == '\n' || c == '\r')) {
			if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			mail_buf_addc(out, '\n');
			h.newlines = h.newlines < 2 ? h.newlines + 1 : 2;
			h.space = false;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			if (h.pre)
				mail_html_text(&h, s + i, 1);
			else
				h.space = true;
			i++;
			continue;
		}
		/* A run of ordinary text up to the next special byte. */
		{
			size_t k = i + 1;

			while (k < n && s[k] != '<' && s[k] != '&' &&
			    s[k] != ' ' && s[k] != '\t' && s[k] != '\n' &&
			    s[k] != '\r' && s[k] != '\f' && s[k] != '\v')
				k++;
			if (k - i == 2 && (unsigned char)s[i] == 0xc2 &&
			    (unsigned char)s[i + 1] == 0xa0)
				h.space = true;	/* U+00A0 */
			else
				mail_html_text(&h, s + i, k - i);
			i = k;
		}
	}
}

/*
 * Find a charset in an HTML part's <meta> ("charset=NAME" in its first
 * 4 KiB), for a part whose Content-Type names none.  Writes buf.
 */
static bool
mail_html_meta_charset(const char *s, size_t n, char *buf, size_t buflen)
{
	size_t lim = n < MAIL_HTML_SNIFF ? n : MAIL_HTML_SNIFF, k = 0;

	for (size_t i = 0; i + 8 <= lim; i++) {
		if (g_ascii_strncasecmp(s + i, "charset=", 8) != 0)
			continue;
		i += 8;
		while (i < lim && (s[i] == '"' || s[i] == '\'' || s[i] == ' '))
			i++;
		while (i < lim && k + 1 < buflen && (g_ascii_isalnum(s[i]) ||
		    s[i] == '-' || s[i] == '_' || s[i] == '.' || s[i] == ':'))
			buf[k++] = s[i++];
		buf[k] = '\0';
		return k > 0;
	}
	return false;
}

/*
 * Append s[0..n) to out as body text: CRLF and CR become LF, a leading
 * byte order mark and control characters other than tab and LF go.
 */
static void
mail_text_clean_into(struct mail_buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;

	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f) {
			run++;
			continue;
		}
		mail_buf_add_utf8(out, s + i - run, run);
		run = 0;
		if (c == '\n' || c == '\t')
			mail_buf_addc(out, (char)c);
		else if (c == '\r') {
			mail_buf_addc(out, '\n');
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
		}
	}
	mail_buf_add_utf8(out, s + i - run, run);
}

/*
 * The body text from the candidates (file comment, "Body text"); text_max
 * bounds c->out->text.  Returns -1 only when out of memory.
 */
static int
mail_body_text(struct mail_ctx *c)
{
	struct mail_buf text, conv, plain;
	bool any_plain = false, cut = false;
	unsigned *used = NULL;
	size_t nused = 0, tmax = c->lim->text_max, cmax;
	char cs[64];
	int rc = -1;

	mail_buf_init(&text, tmax);
	for (size_t i = 0; i < c->ncands; i++)
		if (!c->cands[i].html)
			any_plain = true;
	if (c->ncands > 0 && (used = calloc(c->ncands, sizeof(*used))) == NULL)
		goto out;
	for (size_t i = 0; i < c->ncands; i++) {
		struct mail_cand *k = &c->cands[i];
		const char *charset;
		unsigned char *raw;
		size_t rawlen, j;

		if (k->html == any_plain)
			continue;
		for (j = 0; j < nused && used[j] != k->group; j++)
			;
		if (k->group != 0 && j < nused)
			continue;	/* another rendering of the same */
		if (k->group != 0)
			used[nused++] = k->group;
		if ((raw = mail_part_bytes(c, k->part, &rawlen)) == NULL)
			goto out;
		charset = g_mime_object_get_content_type_parameter(
		    GMIME_OBJECT(k->part), "charset");
		if (k->html && charset == NULL &&
		    mail_html_meta_charset((const char *)raw, rawlen, cs,
		    sizeof(cs)))
			charset = cs;
		/* Room for what cleaning removes (CR of CRLF, controls). */
		cmax = tmax > SIZE_MAX / MAIL_HTML_FACTOR ? SIZE_MAX - 1 :
		    (k->html ? tmax * MAIL_HTML_FACTOR : tmax * 2) + 8;
		mail_buf_init(&conv, cmax);
		mail_to_utf8(&conv, (const char *)raw, rawlen, charset);
		free(raw);
		cut |= conv.full;
		mail_buf_init(&plain, cmax);
		if (k->html) {
			mail_html_to_text(&plain, conv.p != NULL ? conv.p : "",
			    conv.len);
			mail_buf_free(&conv);
		} else {
			mail_buf_free(&plain);
			plain = conv;
		}
		if (plain.nomem) {
			mail_buf_free(&plain);
			goto out;
		}
		if (plain.len > 0 && text.len > 0)
			mail_buf_add(&text, "\n\n", 2);
		mail_text_clean_into(&text, plain.p != NULL ? plain.p : "",
		    plain.len);
		mail_buf_free(&plain);
		if (text.nomem)
			goto out;
	}
	/* Trim white space at both ends. */
	while (text.len > 0 && (text.p[text.len - 1] == '\n' ||
	    text.p[text.len - 1] == ' ' || text.p[text.len - 1] == '\t'))
		text.p[--text.len] = '\0';
	if (text.p != NULL) {
		size_t lead = strspn(text.p, " \t\n");

		memmove(text.p, text.p + lead, text.len - lead + 1);
		text.len -= lead;
	}
	if (text.full || cut)
		mail_note(c, false, "the text was cut to %zu bytes", tmax);
	if ((c->out->text = mail_buf_take(&text)) == NULL)
		goto out;
	rc = 0;
out:
	mail_buf_free(&text);
	free(used);
	return rc;
}

/* Anonymity (file comment). */

/* Whether hay[0..n) contains needle, ASCII letters matched in any case. */
static bool
mail_has_ci(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; i + m <= n; i++)
		if (g_ascii_strncasecmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static bool
is_mail_anonymous(const char *subject, const char *text)
{
	size_t n = 0, chars = 0;

	if (mail_has_ci(subject, strlen(subject), "匿名") ||
	    mail_has_ci(subject, strlen(subject), "anonymous"))
		return true;
	while (text[n] != '\0' && chars < MAIL_ANON_CHARS) {
		n++;
		while (((unsigned char)text[n] & 0xc0) == 0x80)
			n++;
		chars++;
	}
	return mail_has_ci(text, n, "匿名") || mail_has_ci(text, n,
	    "anonymous");
}

/* The whole parse. */

void
mail_limits_default(struct mail_limits *lim)
{
	lim->depth_max = 8;
	lim->parts_max = 200;
	lim->header_max = 64 * 1024;
	lim->text_max = 1024 * 1024;
}

void
mail_parsed_free(struct mail_parsed *p)
{
	if (p == NULL)
		return;
	free(p->subject);
	free(p->text);
	free(p->from_addr);
	free(p->from_name);
	free(p->message_id);
	for (size_t i = 0; i < p->natt; i++) {
		free(p->att[i].name);
		free(p->att[i].declared_type);
		free(p->att[i].data);
	}
	free(p->att);
	memset(p, 0, sizeof(*p));
}

/*
 * What GMime is given (step 1): the message itself, a copy without the
 * cut header fields, or only the top header block.  Returns the bytes
 * (msg itself or a malloc'd copy in *copy), NULL when out of memory.
 */
static const unsigned char *
mail_scan_input(const struct mail_scan *s, const unsigned char *msg,
    size_t len, unsigned char **copy, size_t *outlen)
{
	unsigned char *p;
	size_t pos = 0, n = 0;

	*copy = NULL;
	if (s->bail) {
		if ((p = malloc(s->top_end + 2)) == NULL)
			return NULL;
		memcpy(p, msg, s->top_end);
		n = s->top_end;
		p[n++] = '\n';
		*copy = p;
		*outlen = n;
		return p;
	}
	if (s->ncuts == 0) {
		*outlen = len;
		return msg;
	}
	if ((p = malloc(len > 0 ? len : 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < s->ncuts; i++) {
		size_t a = s->cuts[2 * i], b = s->cuts[2 * i + 1];

		memcpy(p + n, msg + pos, a - pos);
		n += a - pos;
		pos = b;
	}
	memcpy(p + n, msg + pos, len - pos);
	n += len - pos;
	*copy = p;
	*outlen = n;
	return p;
}

int
mail_parse(const void *msg, size_t len, const struct mail_limits *lim,
    struct mail_parsed *out)
{
	struct mail_ctx c;
	struct mail_scan scan;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeMessage *m = NULL;
	const unsigned char *in;
	unsigned char *copy = NULL;
	size_t inlen = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.lim = lim;
	c.out = out;
	c.opts = g_mime_parser_options_clone(mime_mail_options());
	g_mime_parser_options_set_warning_callback(c.opts, mail_gmime_warning,
	    &c);

	mail_scan_run(&scan, msg, len, lim);
	if (scan.nomem)
		goto out;
	if (scan.bail) {
		mail_note(&c, true, "%s; only the headers were read",
		    scan.why);
		c.headers_only = true;
	}
	if (scan.cut)
		mail_note(&c, true, "a header block was over %zu bytes; the "
		    "fields past that were not read", lim->header_max);
	if ((in = mail_scan_input(&scan, msg, len, &copy, &inlen)) == NULL)
		goto out;

	stream = g_mime_stream_mem_new_with_buffer((const char *)in, inlen);
	free(copy);
	copy = NULL;
	parser = g_mime_parser_new_with_stream(stream);
	m = g_mime_parser_construct_message(parser, c.opts);
	if (m == NULL) {
		mail_note(&c, true, "no message could be read (no header "
		    "block)");
		out->subject = mail_strdup("");
		out->from_addr = mail_strdup("");
		out->from_name = mail_strdup("");
		out->message_id = mail_strdup("");
		out->text = mail_strdup("");
		if (out->subject == NULL || out->from_addr == NULL ||
		    out->from_name == NULL || out->message_id == NULL ||
		    out->text == NULL)
			goto out;
		rc = 0;
		goto out;
	}
	if ((out->subject = mail_header_text(&c, GMIME_OBJECT(m),
	    "Subject")) == NULL || mail_from(&c, m) != 0 ||
	    (out->message_id = mail_message_id(m)) == NULL)
		goto out;
	if (mail_walk(&c, g_mime_message_get_mime_part(m), 0, 0) != 0 ||
	    mail_body_text(&c) != 0)
		goto out;
	out->anonymous = is_mail_anonymous(out->subject, out->text);
	rc = 0;
out:
	if (m != NULL)
		g_object_unref(m);
	if (parser != NULL)
		g_object_unref(parser);
	if (stream != NULL)
		g_object_unref(stream);
	/* After the message: its headers point at these options. */
	g_mime_parser_options_free(c.opts);
	mail_scan_free(&scan);
	free(copy);
	free(c.cands);
	if (rc != 0)
		mail_parsed_free(out);
	return rc;
}
