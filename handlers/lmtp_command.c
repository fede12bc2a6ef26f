/* SPDX-License-Identifier: MIT */
/*
 * The LMTP command-line parser (see lmtp_command.h).
 *
 * One pass over a bounded line, no allocation.  The grammar is RFC 5321
 * section 4.1 (verbs, "MAIL FROM:" Reverse-path, "RCPT TO:" Forward-path,
 * esmtp parameters), read leniently where real MTAs are known to differ
 * (a space after the colon, a path without angle brackets, a source route)
 * and strictly where bytes could be smuggled (control bytes, NUL, 8-bit
 * bytes without SMTPUTF8, a path that does not end).  A sender address is
 * never judged beyond that: refusing a tip because its envelope sender
 * looks odd would lose it.
 */
#include "handlers/lmtp_command.h"

#include <string.h>

struct lmtp_verb_name {
	const char *name;
	enum lmtp_verb verb;
};

static const struct lmtp_verb_name lmtp_verbs[] = {
	{ "LHLO", LMTP_VERB_LHLO },
	{ "HELO", LMTP_VERB_HELO },
	{ "EHLO", LMTP_VERB_EHLO },
	{ "MAIL", LMTP_VERB_MAIL },
	{ "RCPT", LMTP_VERB_RCPT },
	{ "DATA", LMTP_VERB_DATA },
	{ "RSET", LMTP_VERB_RSET },
	{ "NOOP", LMTP_VERB_NOOP },
	{ "QUIT", LMTP_VERB_QUIT },
	{ "VRFY", LMTP_VERB_VRFY },
};

#define NVERBS (sizeof(lmtp_verbs) / sizeof(lmtp_verbs[0]))

const char *
lmtp_command_verb_name(enum lmtp_verb v)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (lmtp_verbs[i].verb == v)
			return lmtp_verbs[i].name;
	return "?";
}

static char
ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Whether p[0..n) starts with the ASCII word w, ignoring case. */
static bool
has_prefix_ci(const char *p, size_t n, const char *w)
{
	size_t wl = strlen(w);

	if (n < wl)
		return false;
	for (size_t i = 0; i < wl; i++)
		if (ascii_upper(p[i]) != w[i])
			return false;
	return true;
}

/*
 * A path (RFC 5321 4.1.2): "<" [A-d-l ":"] Mailbox ">", or, leniently, a
 * bare mailbox up to the next space.  p[0..n) starts at the path; *used
 * gets the bytes read.  The mailbox goes to out (NUL-terminated).
 */
static enum lmtp_command_status
lmtp_command_path(const char *p, size_t n, bool allow_null, char *out,
    size_t *used)
{
	size_t i = 0, start, end, mlen;
	bool angle = false, quoted = false;

	if (n > 0 && p[0] == '<') {
		angle = true;
		i = 1;
		if (i < n && p[i] == '>') {
			if (!allow_null)
				return LMTP_COMMAND_SYNTAX;
			out[0] = '\0';
			*used = 2;
			return LMTP_COMMAND_OK;
		}
		/* A source route "@a,@b:" is obsolete; skip it. */
		if (i < n && p[i] == '@') {
			while (i < n && p[i] != ':' && p[i] != '>' &&
			    !is_space(p[i]))
				i++;
			if (i >= n || p[i] != ':')
				return LMTP_COMMAND_SYNTAX;
			i++;
		}
	}
	start = i;
	for (; i < n; i++) {
		char c = p[i];

		if (quoted) {
			/* RFC 5321 qtextSMTP and quoted-pairSMTP: printable
			 * ASCII and the space only. */
			if ((unsigned char)c < 0x20)
				return LMTP_COMMAND_SYNTAX;
			if (c == '\\' && i + 1 < n) {
				if ((unsigned char)p[i + 1] < 0x20)
					return LMTP_COMMAND_SYNTAX;
				i++;
				continue;
			}
			if (c == '"')
				quoted = false;
			continue;
		}
		if (c == '"') {
			quoted = true;
			continue;
		}
		if (angle && c == '>')
			break;
		if (is_space(c)) {
			if (angle)
				return LMTP_COMMAND_SYNTAX;
			break;
		}
		if (c == '<' || (!angle && c == '>'))
			return LMTP_COMMAND_SYNTAX;
	}
	if (quoted || (angle && i >= n))
		return LMTP_COMMAND_SYNTAX;
	end = i;
	mlen = end - start;
	if (mlen == 0)
		return LMTP_COMMAND_SYNTAX;
	if (mlen > LMTP_COMMAND_PATH_MAX)
		return LMTP_COMMAND_PATH_TOO_LONG;
	memcpy(out, p + start, mlen);
	out[mlen] = '\0';
	*used = angle ? end + 1 : end;
	return LMTP_COMMAND_OK;
}

/* SIZE=n: 1 to 20 digits; a value past 2^64 reads as UINT64_MAX (too big
 * for any limit, which is what the client means). */
static bool
lmtp_command_size(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (v[i] < '0' || v[i] > '9')
			return false;
		d = (unsigned)(v[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			x = UINT64_MAX;
		else
			x = x * 10 + d;
	}
	*out = x;
	return true;
}

/*
 * The esmtp parameters after a MAIL path (RFC 5321 4.1.2 Mail-parameters):
 * SP-separated keyword[=value].  RCPT takes none (mail false).
 */
static enum lmtp_command_status
lmtp_command_params(const char *p, size_t n, bool mail,
    struct lmtp_command *out)
{
	size_t i = 0;

	while (i < n) {
		size_t k0, klen, v0 = 0, vlen = 0;
		bool has_value = false;

		if (!is_space(p[i]))
			return LMTP_COMMAND_SYNTAX;
		while (i < n && is_space(p[i]))
			i++;
		if (i >= n)
			break;
		k0 = i;
		while (i < n && (is_alnum(p[i]) || p[i] == '-'))
			i++;
		klen = i - k0;
		if (klen == 0)
			return LMTP_COMMAND_BAD_PARAM;
		if (i < n && p[i] == '=') {
			has_value = true;
			v0 = ++i;
			while (i < n && !is_space(p[i]) && p[i] != '=')
				i++;
			vlen = i - v0;
		}
		if (i < n && !is_space(p[i]))
			return LMTP_COMMAND_BAD_PARAM;
		if (!mail)
			return LMTP_COMMAND_BAD_PARAM;
		if (klen == 4 && has_prefix_ci(p + k0, klen, "SIZE")) {
			if (out->has_size || !has_value ||
			    !lmtp_command_size(p + v0, vlen, &out->size))
				return LMTP_COMMAND_BAD_PARAM;
			out->has_size = true;
		} else if (klen == 4 && has_prefix_ci(p + k0, klen, "BODY")) {
			if (!has_value)
				return LMTP_COMMAND_BAD_PARAM;
			if (vlen == 8 && has_prefix_ci(p + v0, vlen,
			    "8BITMIME"))
				out->body_8bit = true;
			else if (!(vlen == 4 && has_prefix_ci(p + v0, vlen,
			    "7BIT")))
				return LMTP_COMMAND_BAD_PARAM;
		} else {
			return LMTP_COMMAND_BAD_PARAM;
		}
	}
	return LMTP_COMMAND_OK;
}

/* "MAIL FROM:<path> params" or "RCPT TO:<path> params" (arg[0..n)). */
static enum lmtp_command_status
lmtp_command_envelope(const char *a, size_t n, bool mail,
    struct lmtp_command *out)
{
	const char *kw = mail ? "FROM:" : "TO:";
	size_t i = strlen(kw), used = 0;
	enum lmtp_command_status st;

	if (!has_prefix_ci(a, n, kw))
		return LMTP_COMMAND_SYNTAX;
	/* RFC 5321 allows no space here; many clients send one. */
	while (i < n && is_space(a[i]))
		i++;
	st = lmtp_command_path(a + i, n - i, mail, out->path, &used);
	if (st != LMTP_COMMAND_OK)
		return st;
	i += used;
	return lmtp_command_params(a + i, n - i, mail, out);
}

enum lmtp_command_status
lmtp_command_parse(const char *line, size_t len, struct lmtp_command *out)
{
	size_t i = 0, vlen, a0, a1;

	memset(out, 0, sizeof(*out));
	if (len > LMTP_COMMAND_LINE_MAX)
		return LMTP_COMMAND_TOO_LONG;
	/* The verb: letters up to a space or the end. */
	while (i < len && is_alnum(line[i]))
		i++;
	vlen = i;
	for (size_t k = 0; k < vlen && k < LMTP_COMMAND_VERB_MAX; k++)
		out->verb_text[k] = ascii_upper(line[k]);
	if (vlen == 0) {
		for (size_t k = 0; k < len; k++)
			if (!is_space(line[k]))
				return LMTP_COMMAND_SYNTAX;
		return LMTP_COMMAND_EMPTY;
	}
	if (i < len && line[i] != ' ') {
		/* "MAILX", "DATA:" and the like: not a verb of ours. */
		return LMTP_COMMAND_OK;
	}
	for (size_t k = 0; k < NVERBS; k++)
		if (vlen == 4 && has_prefix_ci(line, vlen, lmtp_verbs[k].name))
			out->verb = lmtp_verbs[k].verb;
	/* No control bytes, no NUL, no 8-bit bytes (no SMTPUTF8). */
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)line[k];

		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return LMTP_COMMAND_BAD_CHAR;
	}
	if (out->verb == LMTP_VERB_UNKNOWN)
		return LMTP_COMMAND_OK;
	a0 = i;
	while (a0 < len && is_space(line[a0]))
		a0++;
	a1 = len;
	while (a1 > a0 && is_space(line[a1 - 1]))
		a1--;
	memcpy(out->arg, line + a0, a1 - a0);
	out->arg[a1 - a0] = '\0';

	switch (out->verb) {
	case LMTP_VERB_LHLO:
	case LMTP_VERB_VRFY:
		return a1 > a0 ? LMTP_COMMAND_OK : LMTP_COMMAND_SYNTAX;
	case LMTP_VERB_DATA:
	case LMTP_VERB_RSET:
	case LMTP_VERB_QUIT:
		return a1 > a0 ? LMTP_COMMAND_SYNTAX : LMTP_COMMAND_OK;
	case LMTP_VERB_MAIL:
		return lmtp_command_envelope(line + a0, a1 - a0, true, out);
	case LMTP_VERB_RCPT:
		return lmtp_command_envelope(line + a0, a1 - a0, false, out);
	default:
		return LMTP_COMMAND_OK;
	}
}
