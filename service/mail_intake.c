/* SPDX-License-Identifier: MIT */
/*
 * The mail intake declared in mail_intake.h: one message in, one tip out,
 * through the same pipeline as the web form (intake.c).  Called on a
 * worker by each mail door, once per message; the cost is the parse
 * (mail_parse.c) and intake's encryption and fsync.
 *
 * The mapping (mail_intake_tip_build):
 *   - summary: the Subject, one line, cut to INTAKE_SUMMARY_MAX characters
 *     on a character boundary; "(无主题)" when there is none;
 *   - details: the body text, cut to INTAKE_DETAILS_MAX characters (the
 *     tip is then flagged for review: the whole text is in the original);
 *     "(邮件无正文)" when there is none;
 *   - contact: the From address and name, unless the sender asks to stay
 *     anonymous (mail_parse.c says how that is read); an address intake
 *     would refuse is left out rather than refusing the mail, the name is
 *     cut to INTAKE_SHORT_MAX characters;
 *   - files: the original message first ("original.eml", kept whatever
 *     its type), then every attachment; a file intake will not keep (type
 *     outside the allow-list, too large, too many) is left out and named
 *     in the tip record (drop_bad_files), never refusing the mail;
 *   - needs_review: the message was malformed or its text was cut;
 *   - dedup: "msgid:" Message-ID "\n" and the SHA-256 of the message's
 *     bytes in hex, or the SHA-256 alone without a Message-ID: an MTA
 *     that retries after a lost reply sends the same bytes, which become
 *     one tip, while a different message reusing a Message-ID does not
 *     vanish.
 * Nothing a sender writes in a header decides routing or status: no
 * X-Priority, no X-Tipline-*, not even the To header; the only routing
 * input is the envelope recipient the door passes as hint_bureau.
 *
 * Recipients (mail_intake_recipient): the addresses of [mail]
 * tip_addresses ("a@b, c@d") and bureau_addresses ("CODE:addr, ..."),
 * compared ASCII case-insensitively, local part and domain alike (one
 * mailbox, however a sender capitalises it), "<...>" accepted around the
 * address.  A bureau address names its bureau; "local+TAG@domain" where
 * local@domain is a tip address names bureau TAG when TAG looks like a
 * bureau code ([0-9a-z-]{6,16}, e.g. 140581, 140500-dz; intake ignores a
 * code it does not know) and is a plain tip address otherwise; a +TAG on
 * a bureau address is that bureau.
 */
#include "service/mail_intake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "service/log.h"

/* Longest address looked at (RFC 5321, section 4.5.3.1: 64 + 1 + 255). */
#define MAIL_ADDR_MAX		320
/* Longest contact address intake accepts (intake.c INTAKE_EMAIL_MAX). */
#define MAIL_CONTACT_EMAIL_MAX	254
#define MAIL_NO_SUBJECT		"(无主题)"
#define MAIL_NO_TEXT		"(邮件无正文)"

/* Recipients. */

static char
mail_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * Normalise the address s[0..n): white space and one pair of angle
 * brackets around it removed, ASCII letters lower-cased.  Writes out
 * (NUL-terminated).  false when nothing like local@domain is left, or
 * it holds white space or control characters, or does not fit.
 */
static bool
mail_addr_norm(const char *s, size_t n, char *out, size_t outlen)
{
	const char *at;
	size_t k;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= outlen)
		return false;
	for (k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>')
			return false;
		out[k] = mail_lower((char)c);
	}
	out[n] = '\0';
	at = strrchr(out, '@');
	return at != NULL && at != out && at[1] != '\0';
}

/*
 * The next item of a comma-separated list at *p: its start and length
 * (white space around it included); advances *p.  false at the end.
 */
static bool
mail_list_next(const char **p, const char **item, size_t *len)
{
	const char *s = *p, *comma;

	if (s == NULL || *s == '\0')
		return false;
	comma = strchr(s, ',');
	*item = s;
	*len = comma != NULL ? (size_t)(comma - s) : strlen(s);
	*p = comma != NULL ? comma + 1 : s + *len;
	return true;
}

/* Whether the normalised addr is one of [mail] tip_addresses. */
static bool
is_mail_tip_address(const struct config *cfg, const char *addr)
{
	const char *p = cfg->tip_addresses, *item;
	char a[MAIL_ADDR_MAX];
	size_t n;

	while (mail_list_next(&p, &item, &n))
		if (mail_addr_norm(item, n, a, sizeof(a)) &&
		    strcmp(a, addr) == 0)
			return true;
	return false;
}

/*
 * The code of the [mail] bureau_addresses entry for the normalised addr,
 * written to code (NUL-terminated, at most codelen - 1 bytes); false if
 * none (or it does not fit).
 */
static bool
mail_bureau_for(const struct config *cfg, const char *addr, char *code,
    size_t codelen)
{
	const char *p = cfg->bureau_addresses, *item, *colon, *c;
	char a[MAIL_ADDR_MAX];
	size_t n, clen;

	while (mail_list_next(&p, &item, &n)) {
		colon = memchr(item, ':', n);
		if (colon == NULL ||
		    !mail_addr_norm(colon + 1, n - (size_t)(colon + 1 - item),
		    a, sizeof(a)) || strcmp(a, addr) != 0)
			continue;
		c = item;
		clen = (size_t)(colon - item);
		while (clen > 0 && (*c == ' ' || *c == '\t')) {
			c++;
			clen--;
		}
		while (clen > 0 && (c[clen - 1] == ' ' || c[clen - 1] == '\t'))
			clen--;
		if (clen == 0 || clen >= codelen)
			return false;
		memcpy(code, c, clen);
		code[clen] = '\0';
		return true;
	}
	return false;
}

/* [0-9a-z-]{6,16}: the shape of a bureau code (contract.md, "Codes"). */
static bool
is_mail_bureau_code(const char *s, size_t n)
{
	if (n < 6 || n > 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
			return false;
	return true;
}

int
mail_intake_recipient(const struct config *cfg, const char *addr,
    char *buf, size_t buflen)
{
	char a[MAIL_ADDR_MAX], base[MAIL_ADDR_MAX];
	const char *at, *plus;
	size_t tlen;

	if (buflen > 0)
		buf[0] = '\0';
	if (addr == NULL || !mail_addr_norm(addr, strlen(addr), a, sizeof(a)))
		return -1;
	if (mail_bureau_for(cfg, a, buf, buflen))
		return 1;
	if (is_mail_tip_address(cfg, a))
		return 0;
	/* Sub-address: local+TAG@domain (RFC 5233). */
	at = strrchr(a, '@');
	plus = memchr(a, '+', (size_t)(at - a));
	if (plus == NULL || plus == a)
		return -1;
	memcpy(base, a, (size_t)(plus - a));
	memcpy(base + (plus - a), at, strlen(at) + 1);
	tlen = (size_t)(at - plus - 1);
	if (mail_bureau_for(cfg, base, buf, buflen))
		return 1;
	if (!is_mail_tip_address(cfg, base))
		return -1;
	if (!is_mail_bureau_code(plus + 1, tlen) || tlen >= buflen)
		return 0;
	memcpy(buf, plus + 1, tlen);
	buf[tlen] = '\0';
	return 1;
}

/* The tip. */

/*
 * Byte length of the first max characters of valid UTF-8 s; *cut says
 * whether there were more.
 */
static size_t
mail_prefix_chars(const char *s, size_t max, bool *cut)
{
	size_t i = 0, chars = 0;

	while (s[i] != '\0' && chars < max) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	*cut = s[i] != '\0';
	return i;
}

/*
 * A malloc'd copy of s, trimmed, cut to max characters; with one_line,
 * every control character (line breaks included) a space, else only those
 * other than tab, CR and LF; fallback when nothing is left.
 */
static char *
mail_field(const char *s, size_t max, bool one_line, const char *fallback,
    bool *cut)
{
	size_t n, lead = 0;
	char *out;

	*cut = false;
	if (s == NULL)
		s = "";
	while (s[lead] == ' ' || s[lead] == '\t' || s[lead] == '\n' ||
	    s[lead] == '\r')
		lead++;
	s += lead;
	n = mail_prefix_chars(s, max, cut);
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\0';
	for (char *p = out; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c < 0x20 && (one_line || (c != '\t' && c != '\n' &&
		    c != '\r'))) || c == 0x7f)
			*p = ' ';
	}
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t' ||
	    out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	if (n == 0 && fallback != NULL) {
		free(out);
		return strdup(fallback);
	}
	return out;
}

/*
 * Whether addr passes intake's e-mail check (intake.c): one '@', not
 * first or last, none of " <>,;\"", no control characters, at most
 * MAIL_CONTACT_EMAIL_MAX bytes.  Kept simple on purpose: anything else is
 * left out, not refused.
 */
static bool
is_mail_contact_email(const char *addr)
{
	const char *at = strchr(addr, '@');
	size_t n = strlen(addr);

	if (n == 0 || n > MAIL_CONTACT_EMAIL_MAX || at == NULL ||
	    at == addr || at[1] == '\0' || strchr(at + 1, '@') != NULL ||
	    strpbrk(addr, " <>,;\"") != NULL)
		return false;
	for (const char *p = addr; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

void
mail_intake_tip_free(struct mail_intake_tip *mt)
{
	if (mt == NULL)
		return;
	free(mt->files);
	free(mt->summary);
	free(mt->details);
	free(mt->contact_name);
	free(mt->dedup);
	memset(mt, 0, sizeof(*mt));
}

int
mail_intake_tip_build(const struct mail_parsed *p, const void *msg,
    size_t len, const char *hint_bureau, struct mail_intake_tip *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[crypto_hash_sha256_BYTES];
	struct intake_tip *t = &out->tip;
	size_t idlen, dlen = 0;
	bool cut;

	memset(out, 0, sizeof(*out));
	if ((out->summary = mail_field(p->subject, INTAKE_SUMMARY_MAX, true,
	    MAIL_NO_SUBJECT, &cut)) == NULL ||
	    (out->details = mail_field(p->text, INTAKE_DETAILS_MAX, false,
	    MAIL_NO_TEXT, &out->details_cut)) == NULL)
		goto fail;
	t->channel = "email";
	t->summary = out->summary;
	t->details = out->details;
	if (!p->anonymous) {
		if (p->from_addr != NULL && is_mail_contact_email(p->from_addr))
			t->contact_email = p->from_addr;
		t->ack_to = t->contact_email;	/* acknowledged by mail */
		if (p->from_name != NULL && p->from_name[0] != '\0') {
			if ((out->contact_name = mail_field(p->from_name,
			    INTAKE_SHORT_MAX, true, NULL, &cut)) == NULL)
				goto fail;
			if (out->contact_name[0] != '\0')
				t->contact_name = out->contact_name;
		}
	}

	if ((out->files = calloc(p->natt + 1, sizeof(*out->files))) == NULL)
		goto fail;
	out->files[0].field = "original";
	out->files[0].name = "original.eml";
	out->files[0].data = msg;
	out->files[0].len = len;
	out->files[0].is_original_mail = true;
	for (size_t i = 0; i < p->natt; i++) {
		out->files[i + 1].field = "attachments";
		out->files[i + 1].name = p->att[i].name;
		out->files[i + 1].data = p->att[i].data;
		out->files[i + 1].len = p->att[i].len;
	}
	t->files = out->files;
	t->nfiles = p->natt + 1;
	t->drop_bad_files = true;
	t->needs_review = p->malformed || out->details_cut;
	t->hint_bureau = hint_bureau;

	/* "msgid:" ID "\n" hex(SHA-256), or hex(SHA-256) alone. */
	crypto_hash_sha256(digest, msg, len);
	idlen = p->message_id != NULL ? strlen(p->message_id) : 0;
	if ((out->dedup = malloc(idlen + 8 + 2 * sizeof(digest))) == NULL)
		goto fail;
	if (idlen > 0) {
		memcpy(out->dedup, "msgid:", 6);
		memcpy(out->dedup + 6, p->message_id, idlen);
		out->dedup[6 + idlen] = '\n';
		dlen = idlen + 7;
	}
	for (size_t i = 0; i < sizeof(digest); i++) {
		out->dedup[dlen++] = (unsigned char)hex[digest[i] >> 4];
		out->dedup[dlen++] = (unsigned char)hex[digest[i] & 0x0f];
	}
	t->dedup = out->dedup;
	t->dedup_len = dlen;
	return 0;
fail:
	mail_intake_tip_free(out);
	return -1;
}

void
mail_intake_submit(struct service_worker *w, const void *msg, size_t len,
    const char *hint_bureau, struct intake_result *res)
{
	struct mail_limits lim;
	struct mail_parsed p;
	struct mail_intake_tip mt;

	memset(res, 0, sizeof(*res));
	mail_limits_default(&lim);
	if (mail_parse(msg, len, &lim, &p) != 0) {
		res->status = INTAKE_TRANSIENT;
		snprintf(res->message, sizeof(res->message),
		    "out of memory while reading the message");
		log_warnx("mail intake: out of memory while parsing bytes=%zu",
		    len);
		return;
	}
	if (mail_intake_tip_build(&p, msg, len, hint_bureau, &mt) != 0) {
		mail_parsed_free(&p);
		res->status = INTAKE_TRANSIENT;
		snprintf(res->message, sizeof(res->message),
		    "out of memory while reading the message");
		log_warnx("mail intake: out of memory bytes=%zu", len);
		return;
	}
	/* problem holds only the parser's own sentences, no content. */
	if (p.malformed)
		log_info("mail intake: flagged for review bytes=%zu "
		    "attachments=%zu problem=\"%s\"", len, p.natt, p.problem);
	intake_submit(w, &mt.tip, res);
	mail_intake_tip_free(&mt);
	mail_parsed_free(&p);
}
