/* SPDX-License-Identifier: MIT */
/*
 * The acknowledgement message of an e-mail tip (see outbox_ack.h).  One
 * message per stored e-mail tip, a couple of kilobytes, written on the
 * worker that stores the tip, inside its transaction.
 *
 * The message is 7-bit clean whatever the MTA: the headers that carry
 * Chinese are RFC 2047 encoded words ("B" encoding, each word whole UTF-8
 * characters, at most 75 bytes, folded), the body is base64.
 */
#include "service/outbox_ack.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "service/mail_intake.h"
#include "storage/outbox.h"

#define ACK_ADDR_MAX 320
#define ACK_WORD_BYTES 45	/* UTF-8 bytes per encoded word: 60 in b64 */
#define ACK_CST_OFFSET (8 * 3600)
#define ACK_FROM_NAME "举报受理 Tip intake"

/* Local parts that are machines, not people (RFC 3834, section 2). */
static const char *const ack_robots[] = {
	"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply",
	"do-not-reply", "bounce", "bounces", "auto-reply", "autoreply",
};

/*
 * Whether s is non-empty and only ASCII letters, digits and the bytes of
 * extra: the message stays 7-bit and no header can be broken into (an
 * internationalised address, RFC 6531, gets no acknowledgement).
 */
static bool
is_ack_token(const char *s, const char *extra)
{
	if (s == NULL || s[0] == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(extra, *s) != NULL))
			return false;
	return true;
}

bool
outbox_ack_wanted(const struct config *cfg, const char *addr)
{
	char code[64], local[ACK_ADDR_MAX];
	const char *at;
	size_t n;

	if (addr == NULL || (at = strchr(addr, '@')) == NULL || at == addr ||
	    (n = (size_t)(at - addr)) >= sizeof(local) ||
	    !is_ack_token(addr, "@.!#$%&'*+/=?^_`{|}~-"))
		return false;
	/* Mail to one of our own addresses would come back as a tip. */
	if (mail_intake_recipient(cfg, addr, code, sizeof(code)) >= 0)
		return false;
	for (size_t i = 0; i < n; i++)
		local[i] = (char)(addr[i] >= 'A' && addr[i] <= 'Z' ?
		    addr[i] - 'A' + 'a' : addr[i]);
	local[n] = '\0';
	if (strncmp(local, "owner-", 6) == 0 ||
	    (n > 8 && strcmp(local + n - 8, "-request") == 0))
		return false;
	for (size_t i = 0; i < sizeof(ack_robots) / sizeof(ack_robots[0]);
	    i++)
		if (strcmp(local, ack_robots[i]) == 0)
			return false;
	return true;
}

/* The first address of cfg->tip_addresses into buf ("" if none). */
static void
ack_from_address(const struct config *cfg, char *buf, size_t len)
{
	const char *s = cfg->tip_addresses;
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == ',')
		s++;
	n = strcspn(s, ", \t");
	if (n >= len)
		n = 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/*
 * Write text as RFC 2047 "B" encoded words (RFC 2047, sections 2, 4.1
 * and 5), folded onto continuation lines; each word holds whole UTF-8
 * characters.
 */
static void
ack_put_encoded(FILE *f, const char *text)
{
	char b64[sodium_base64_ENCODED_LEN(ACK_WORD_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];
	size_t len = strlen(text), off = 0;

	while (off < len) {
		size_t n = len - off;

		if (n > ACK_WORD_BYTES) {
			n = ACK_WORD_BYTES;
			while (n > 0 &&
			    ((unsigned char)text[off + n] & 0xc0) == 0x80)
				n--;
		}
		sodium_bin2base64(b64, sizeof(b64),
		    (const unsigned char *)text + off, n,
		    sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "%s=?UTF-8?B?%s?=", off > 0 ? "\n " : "", b64);
		off += n;
	}
}

/* The body, Chinese first, English second. */
static void
ack_put_text(FILE *f, const struct config *cfg, const char *public_id,
    const char *receipt)
{
	int url_len = (int)strlen(cfg->public_url);

	while (url_len > 0 && cfg->public_url[url_len - 1] == '/')
		url_len--;
	fprintf(f,
	    "您好：\n\n"
	    "我们已收到您通过电子邮件提交的举报。\n\n"
	    "举报编号：%s\n"
	    "查询码：%s\n\n"
	    "请妥善保管查询码。它只在这封邮件中出现，我们不保存其明文，"
	    "遗失后无法找回；请勿告诉他人。\n"
	    "凭查询码可在下面的网页查看办理进展、补充材料或回复工作人员：\n"
	    "%.*s/follow-up\n\n"
	    "本邮件由系统自动发送。直接回复本邮件将作为一条新的举报受理；"
	    "补充本举报请使用上述网页。\n\n"
	    "----------------------------------------\n\n"
	    "Hello,\n\n"
	    "We have received the tip you sent by e-mail.\n\n"
	    "Reference: %s\n"
	    "Receipt code: %s\n\n"
	    "Keep the receipt code safe. It appears only in this message; we "
	    "do not keep it in readable form and cannot recover it. Do not "
	    "share it.\n"
	    "With it you can follow your tip, add material or answer the "
	    "staff at:\n"
	    "%.*s/follow-up\n\n"
	    "This message was sent automatically. A reply to it is taken as "
	    "a new tip; to add to this one, use the page above.\n",
	    public_id, receipt, url_len, cfg->public_url, public_id, receipt,
	    url_len, cfg->public_url);
}

int
outbox_ack_compose(const struct config *cfg, const char *to,
    const char *public_id, const char *receipt, int64_t now, char **out,
    size_t *len)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char from[ACK_ADDR_MAX], subject[160], mid[33], *text = NULL,
	    *b64 = NULL, *buf = NULL;
	unsigned char rnd[16];
	size_t text_len = 0, b64_len, blen = 0;
	time_t local = (time_t)now + ACK_CST_OFFSET;
	const char *domain;
	struct tm tm;
	FILE *f;
	int rc = -1;

	*out = NULL;
	*len = 0;
	ack_from_address(cfg, from, sizeof(from));
	if (!is_ack_token(from, "@.+_-") ||
	    !is_ack_token(to, "@.!#$%&'*+/=?^_`{|}~-") ||
	    !is_ack_token(public_id, "-") || strlen(public_id) > 32 ||
	    !is_ack_token(receipt, "") || strlen(receipt) > 64 ||
	    strlen(to) > ACK_ADDR_MAX || gmtime_r(&local, &tm) == NULL)
		return -1;
	domain = strchr(from, '@') != NULL ? strchr(from, '@') + 1 :
	    "localhost";
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(mid, sizeof(mid), rnd, sizeof(rnd));
	snprintf(subject, sizeof(subject), "举报已收到 %s / Your tip has "
	    "been received", public_id);

	/* The body first, to base64 it. */
	if ((f = open_memstream(&text, &text_len)) == NULL)
		return -1;
	ack_put_text(f, cfg, public_id, receipt);
	if (fclose(f) != 0 || text == NULL)
		goto out;
	b64_len = sodium_base64_ENCODED_LEN(text_len,
	    sodium_base64_VARIANT_ORIGINAL);
	if ((b64 = malloc(b64_len)) == NULL)
		goto out;
	sodium_bin2base64(b64, b64_len, (const unsigned char *)text, text_len,
	    sodium_base64_VARIANT_ORIGINAL);

	if ((f = open_memstream(&buf, &blen)) == NULL)
		goto out;
	fputs("From: ", f);
	ack_put_encoded(f, ACK_FROM_NAME);
	fprintf(f, " <%s>\n", from);
	fprintf(f, "To: <%s>\n", to);
	fputs("Subject: ", f);
	ack_put_encoded(f, subject);
	fprintf(f, "\nDate: %s, %02d %s %04d %02d:%02d:%02d +0800\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	fprintf(f, "Message-ID: <%s.%s@%s>\n", mid, public_id, domain);
	fputs("MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: base64\n"
	    "Auto-Submitted: auto-replied\n"
	    "X-Auto-Response-Suppress: All\n"
	    "\n", f);
	for (size_t i = 0, n = strlen(b64); i < n; i += 76)
		fprintf(f, "%.76s\n", b64 + i);
	if (fclose(f) != 0 || buf == NULL)
		goto out;
	*out = buf;
	*len = blen;
	buf = NULL;
	rc = 0;
out:
	if (text != NULL) {
		sodium_memzero(text, text_len);
		free(text);
	}
	if (b64 != NULL) {
		sodium_memzero(b64, strlen(b64));
		free(b64);
	}
	if (buf != NULL) {
		sodium_memzero(buf, blen);
		free(buf);
	}
	return rc;
}

enum storage_status
outbox_ack_in_commit(void *arg, struct db *db, int64_t tip_id,
    const char *public_id)
{
	const struct outbox_ack *a = arg;
	struct outbox_new m;
	enum storage_status st;
	char *msg = NULL;
	size_t len = 0;

	if (outbox_ack_compose(a->cfg, a->to, public_id, a->receipt, a->now,
	    &msg, &len) != 0)
		return STORAGE_ERR_NOMEM;
	memset(&m, 0, sizeof(m));
	m.tip_id = tip_id;
	m.uid = a->uid;
	m.key = a->key;
	m.recipient = a->to;
	m.message = msg;
	m.len = len;
	m.at = a->now;
	st = outbox_add(db, &m, NULL);
	sodium_memzero(msg, len);
	free(msg);
	return st;
}
