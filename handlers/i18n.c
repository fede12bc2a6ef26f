/* SPDX-License-Identifier: MIT */
/*
 * Per-request language and translated text (see i18n.h).  The catalog is a
 * sorted table compiled into the binary, searched by binary search: a few
 * hundred entries, a dozen string comparisons a lookup.  Accept-Language
 * parsing is pure and bounded (I18N_HEADER_MAX bytes); tests/fuzz/
 * fuzz_i18n.c drives it and i18n_format().
 */
#include "handlers/i18n.h"

#include <string.h>

#include "handlers/i18n_catalog.h"

static const struct i18n_catalog *
i18n_catalog(enum i18n_lang lang)
{
	const char *want;

	switch (lang) {
	case I18N_ZH: want = "zh_CN"; break;
	default: return NULL;
	}
	for (size_t i = 0; i < i18n_catalog_count; i++)
		if (i18n_catalogs[i].lang != NULL &&
		    strcmp(i18n_catalogs[i].lang, want) == 0)
			return &i18n_catalogs[i];
	return NULL;
}

static const char *
i18n_lookup(enum i18n_lang lang, const char *msgid)
{
	const struct i18n_catalog *c = i18n_catalog(lang);
	size_t lo = 0, hi;

	if (c == NULL || msgid == NULL)
		return NULL;
	hi = c->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(msgid, c->entries[mid].msgid);

		if (cmp == 0)
			return c->entries[mid].msgstr;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
i18n_tr(enum i18n_lang lang, const char *msgid)
{
	const char *s = i18n_lookup(lang, msgid);

	return s != NULL ? s : msgid;
}

bool
i18n_has(enum i18n_lang lang, const char *msgid)
{
	return lang == I18N_EN || i18n_lookup(lang, msgid) != NULL;
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/*
 * A qvalue (RFC 9110 §12.4.2) in thousandths: "0", "0.5", "1", "1.000".
 * -1 if malformed.
 */
static int
i18n_qvalue(const char *s, size_t len)
{
	int v, scale = 100;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	v = (s[0] - '0') * 1000;
	if (len == 1)
		return v;
	if (s[1] != '.' || len > 5)
		return -1;
	for (size_t i = 2; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v += (s[i] - '0') * scale;
		scale /= 10;
	}
	return v > 1000 ? -1 : v;
}

enum i18n_lang
i18n_from_accept_language(const char *value)
{
	int best_en = 0, best_zh = 0;
	size_t pos_en = 0, pos_zh = 0, item = 0, len;

	if (value == NULL)
		return I18N_ZH;
	len = strnlen(value, I18N_HEADER_MAX);
	for (size_t i = 0; i < len; item++) {
		size_t tag, taglen = 0, primary = 0;
		int q = 1000;

		while (i < len && (is_ows(value[i]) || value[i] == ','))
			i++;
		if (i >= len)
			break;
		tag = i;
		while (i < len && value[i] != ';' && value[i] != ',' &&
		    !is_ows(value[i]))
			i++;
		taglen = i - tag;
		while (primary < taglen && value[tag + primary] != '-')
			primary++;
		/* Parameters: only q matters; anything malformed drops it. */
		while (i < len && value[i] != ',') {
			size_t p;

			while (i < len && is_ows(value[i]))
				i++;
			if (i >= len || value[i] == ',')
				break;
			if (value[i] != ';') {
				q = -1;
				while (i < len && value[i] != ',')
					i++;
				break;
			}
			i++;
			while (i < len && is_ows(value[i]))
				i++;
			p = i;
			while (i < len && value[i] != ';' && value[i] != ',' &&
			    !is_ows(value[i]))
				i++;
			if (i - p >= 2 && ascii_lower(value[p]) == 'q' &&
			    value[p + 1] == '=')
				q = i18n_qvalue(value + p + 2, i - p - 2);
		}
		if (q <= 0 || primary != 2)
			continue;
		if (ascii_lower(value[tag]) == 'e' &&
		    ascii_lower(value[tag + 1]) == 'n' && q > best_en) {
			best_en = q;
			pos_en = item;
		} else if (ascii_lower(value[tag]) == 'z' &&
		    ascii_lower(value[tag + 1]) == 'h' && q > best_zh) {
			best_zh = q;
			pos_zh = item;
		}
	}
	if (best_en > best_zh || (best_en > 0 && best_en == best_zh &&
	    pos_en < pos_zh))
		return I18N_EN;
	return I18N_ZH;
}

enum i18n_lang
i18n_choose(const char *query_lang, const char *accept_language)
{
	if (query_lang != NULL) {
		if (strcmp(query_lang, "en") == 0)
			return I18N_EN;
		if (strcmp(query_lang, "zh") == 0 ||
		    strcmp(query_lang, "zh-CN") == 0)
			return I18N_ZH;
	}
	return i18n_from_accept_language(accept_language);
}

const char *
i18n_tag(enum i18n_lang lang)
{
	return lang == I18N_EN ? "en" : "zh-CN";
}

const char *
i18n_code(enum i18n_lang lang)
{
	return lang == I18N_EN ? "en" : "zh";
}

/* Append s[0..n) to out if it fits whole; UTF-8 safe cut otherwise. */
static void
i18n_append(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
	size_t room = outlen - 1 - *pos;

	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
}

size_t
i18n_format(char *out, size_t outlen, const char *fmt,
    const char *const *args, size_t nargs)
{
	size_t pos = 0, argi = 0;
	const char *p = fmt, *lit = fmt;

	if (out == NULL || outlen == 0)
		return 0;
	out[0] = '\0';
	if (fmt == NULL)
		return 0;
	while (*p != '\0') {
		const char *a;

		if (*p != '%') {
			p++;
			continue;
		}
		i18n_append(out, outlen, &pos, lit, (size_t)(p - lit));
		p++;
		if (*p == '%') {
			i18n_append(out, outlen, &pos, "%", 1);
			lit = ++p;
			continue;
		}
		/* flags, width, precision, length, conversion */
		while (*p != '\0' && strchr("-+ #0", *p) != NULL)
			p++;
		while (*p != '\0' && ((*p >= '0' && *p <= '9') || *p == '*' ||
		    *p == '.'))
			p++;
		while (*p != '\0' && strchr("hlLqjzt", *p) != NULL)
			p++;
		if (*p != '\0')
			p++;
		a = argi < nargs && args[argi] != NULL ? args[argi] : "";
		argi++;
		i18n_append(out, outlen, &pos, a, strlen(a));
		lit = p;
	}
	i18n_append(out, outlen, &pos, lit, (size_t)(p - lit));
	return pos;
}
