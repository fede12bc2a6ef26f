/* SPDX-License-Identifier: MIT */
/*
 * Finding 检验检测报告编号 in text (see report_numbers.h).  Two passes:
 * the text into matching form, chunk by chunk at white space
 * (textnorm_into, one blank between chunks), then one scan over it for
 * candidate runs, each judged by the label before it.  No state; any
 * thread.
 */
#include "service/report_numbers.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "service/textnorm.h"

#define RN_SKIPS	4	/* separators between a label and a number */
#define RN_PREFIX_MAX	8	/* letters before a bare number's digits */

enum rn_label {
	RN_LABEL_NONE,		/* nothing that names the number */
	RN_LABEL_REPORT,	/* a report number's label */
	RN_LABEL_OTHER,		/* some other number's label */
};

/* Labels of a report number, as they end the text before it. */
static const char *const rn_report_labels[] = {
	"报告编号", "报告书编号", "报告号", "报告单号", "报告单编号",
	"检测编号", "检验编号", "检验检测编号",
};
/* What makes a bare 编号 some other number's. */
static const char *const rn_not_report[] = {
	"证书", "证", "样品", "样", "工单", "订单", "合同", "车辆", "设备",
	"仪器", "发票", "身份证", "资质", "批准", "许可", "章", "cma", "机构",
	"企业", "产品", "批次", "档案", "案件",
};
/* Labels of other numbers (a bare 号 or 代码 is never a report's). */
static const char *const rn_other_labels[] = {
	"号", "号码", "代码", "电话", "手机", "qq", "微信", "邮箱", "邮编",
	"tel", "phone", "email", "网址",
};
/* Between a label and its number. */
static const char *const rn_separators[] = {
	":", "#", "(", ".", "为", "是", "-", "：",
};
/* Letter prefixes of standards and certificates, not reports. */
static const char *const rn_not_prefixes[] = {
	"GB", "GBT", "GBZ", "YY", "YYT", "JJF", "JJG", "DB", "DBS", "ISO",
	"IEC", "EN", "ASTM", "CMA", "CNAS", "QB", "HJ", "JGJ", "WS", "NY",
	"HG", "JB", "TEL", "QQ", "NO", "ICP",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
rn_is_blank(const unsigned char *s, size_t len, size_t i, size_t *n)
{
	if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
	    s[i] == '\v' || s[i] == '\f') {
		*n = 1;
		return true;
	}
	if (i + 1 < len && s[i] == 0xc2 && s[i + 1] == 0xa0) {
		*n = 2;		/* U+00A0 */
		return true;
	}
	if (i + 2 < len && s[i] == 0xe3 && s[i + 1] == 0x80 &&
	    s[i + 2] == 0x80) {
		*n = 3;		/* U+3000 */
		return true;
	}
	return false;
}

/*
 * The matching form of text with one blank where white space separated
 * two chunks.  New string (caller frees) of *outlen bytes, or NULL.
 */
static char *
rn_normalise(const char *text, size_t len, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)text;
	char *out = malloc(2 * len + 2);
	size_t i = 0, o = 0, n;

	if (out == NULL)
		return NULL;
	while (i < len) {
		size_t start = i;

		while (i < len && !rn_is_blank(s, len, i, &n))
			i++;
		if (i > start)
			o += textnorm_into(out + o, text + start, i - start);
		out[o++] = ' ';
		while (i < len && rn_is_blank(s, len, i, &n))
			i += n;
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* Bytes of a dash (‐ ‑ ‒ – — ― U+2010..2015, − U+2212) at s[i], or 0. */
static size_t
rn_dash(const char *s, size_t len, size_t i)
{
	const unsigned char *u = (const unsigned char *)s;

	if (i + 2 < len && u[i] == 0xe2 && ((u[i + 1] == 0x80 &&
	    u[i + 2] >= 0x90 && u[i + 2] <= 0x95) || (u[i + 1] == 0x88 &&
	    u[i + 2] == 0x92)))
		return 3;
	return 0;
}

static bool
rn_is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
rn_is_sep(char c)
{
	return c == '-' || c == '_' || c == '/' || c == '.';
}

static bool
rn_ends_with(const char *s, size_t end, const char *w)
{
	size_t n = strlen(w);

	return end >= n && memcmp(s + end - n, w, n) == 0;
}

/* Drop blanks before end. */
static size_t
rn_skip_blanks(const char *s, size_t end)
{
	while (end > 0 && s[end - 1] == ' ')
		end--;
	return end;
}

/* Whether the text before end names a report (报告, report, 检测 ...). */
static bool
rn_ends_with_report(const char *s, size_t end)
{
	end = rn_skip_blanks(s, end);
	return rn_ends_with(s, end, "报告") || rn_ends_with(s, end, "report") ||
	    rn_ends_with(s, end, "报告书") || rn_ends_with(s, end, "检测") ||
	    rn_ends_with(s, end, "检验");
}

/* What the text s[0..end) says of the number that follows it. */
static enum rn_label
rn_label_before(const char *s, size_t end)
{
	for (int k = 0; k < RN_SKIPS; k++) {
		bool skipped = false;

		end = rn_skip_blanks(s, end);
		for (size_t i = 0; i < NELEM(rn_separators); i++)
			if (rn_ends_with(s, end, rn_separators[i])) {
				end -= strlen(rn_separators[i]);
				skipped = true;
				break;
			}
		if (!skipped)
			break;
	}
	end = rn_skip_blanks(s, end);
	for (size_t i = 0; i < NELEM(rn_report_labels); i++)
		if (rn_ends_with(s, end, rn_report_labels[i]))
			return RN_LABEL_REPORT;
	if (rn_ends_with(s, end, "编号")) {
		size_t at = end - strlen("编号");

		for (size_t i = 0; i < NELEM(rn_not_report); i++)
			if (rn_ends_with(s, at, rn_not_report[i]))
				return RN_LABEL_OTHER;
		return RN_LABEL_REPORT;
	}
	if (rn_ends_with(s, end, "no"))
		return rn_ends_with_report(s, end - 2) ? RN_LABEL_REPORT :
		    RN_LABEL_NONE;
	for (size_t i = 0; i < NELEM(rn_other_labels); i++)
		if (rn_ends_with(s, end, rn_other_labels[i]))
			return RN_LABEL_OTHER;
	return RN_LABEL_NONE;
}

/* Whether t (upper case) has the shape of a number without a label. */
static bool
rn_is_bare_shape(const char *t, size_t len)
{
	size_t letters = 0, i, digits = 0;

	while (letters < len && t[letters] >= 'A' && t[letters] <= 'Z')
		letters++;
	if (letters == 0 || letters > RN_PREFIX_MAX)
		return false;
	for (size_t k = 0; k < NELEM(rn_not_prefixes); k++)
		if (strlen(rn_not_prefixes[k]) == letters &&
		    memcmp(t, rn_not_prefixes[k], letters) == 0)
			return false;
	i = letters;
	if (i < len && (t[i] == '-' || t[i] == '_'))
		i++;
	if (i >= len || t[i] < '0' || t[i] > '9')
		return false;
	for (; i < len; i++) {
		if (t[i] >= '0' && t[i] <= '9')
			digits++;
		else if (!rn_is_sep(t[i]))
			return false;
	}
	return digits >= REPORT_NUMBERS_BARE_DIGITS;
}

/* Add t[0..len) unless it is there already or out is full. */
static void
rn_add(const char *t, size_t len,
    char out[REPORT_NUMBERS_MAX][REPORT_NUMBERS_LEN], size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen(out[i]) == len && memcmp(out[i], t, len) == 0)
			return;
	if (*n >= REPORT_NUMBERS_MAX)
		return;
	memcpy(out[*n], t, len);
	out[*n][len] = '\0';
	(*n)++;
}

/*
 * Judge the candidate tok[0..len) (upper case, dashes folded) that stood
 * at s[start..end) in the normalised text.
 */
static void
rn_judge(const char *s, size_t slen, size_t start, size_t end, char *tok,
    size_t len, char out[REPORT_NUMBERS_MAX][REPORT_NUMBERS_LEN], size_t *n)
{
	enum rn_label label;
	size_t digits = 0;

	/* Part of an e-mail address: not a number of anything. */
	if ((end < slen && s[end] == '@') || (start > 0 && s[start - 1] == '@'))
		return;
	/* "No.JC-2022-0153": the label glued to the number. */
	if (len > 3 && memcmp(tok, "NO.", 3) == 0) {
		label = rn_ends_with_report(s, start) ? RN_LABEL_REPORT :
		    RN_LABEL_NONE;
		tok += 3;
		len -= 3;
	} else
		label = rn_label_before(s, start);
	while (len > 0 && rn_is_sep(tok[0])) {
		tok++;
		len--;
	}
	while (len > 0 && rn_is_sep(tok[len - 1]))
		len--;
	if (len < REPORT_NUMBERS_MIN_LEN || len >= REPORT_NUMBERS_LEN)
		return;
	for (size_t i = 0; i < len; i++)
		if (tok[i] >= '0' && tok[i] <= '9')
			digits++;
	switch (label) {
	case RN_LABEL_REPORT:
		if (digits >= REPORT_NUMBERS_LABELLED_DIGITS)
			rn_add(tok, len, out, n);
		break;
	case RN_LABEL_NONE:
		if (rn_is_bare_shape(tok, len))
			rn_add(tok, len, out, n);
		break;
	case RN_LABEL_OTHER:
		break;
	}
}

/* See report_numbers.h. */
int
report_numbers_find(const char *text, size_t len,
    char out[REPORT_NUMBERS_MAX][REPORT_NUMBERS_LEN], size_t *n)
{
	char tok[REPORT_NUMBERS_LEN * 2];
	char *s;
	size_t slen = 0, i = 0;

	if (text == NULL || len == 0)
		return 0;
	if ((s = rn_normalise(text, len, &slen)) == NULL)
		return -1;
	while (i < slen) {
		size_t start = i, tlen = 0, d;
		bool too_long = false;

		while (i < slen) {
			char c;

			if ((d = rn_dash(s, slen, i)) > 0) {
				c = '-';
				i += d;
			} else if (rn_is_alnum(s[i]) || rn_is_sep(s[i])) {
				c = s[i] >= 'a' && s[i] <= 'z' ?
				    (char)(s[i] - 'a' + 'A') : s[i];
				i++;
			} else
				break;
			if (tlen < sizeof(tok))
				tok[tlen++] = c;
			else
				too_long = true;
		}
		if (i == start) {
			i++;
			continue;
		}
		if (!too_long)
			rn_judge(s, slen, start, i, tok, tlen, out, n);
	}
	free(s);
	return 0;
}
