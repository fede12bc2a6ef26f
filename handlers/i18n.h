/* SPDX-License-Identifier: MIT */
/*
 * The language of the public pages, chosen per request, and the lookup of
 * translated text.  Message ids are English (the text of the English
 * pages); po/zh_CN.po translates them to Simplified Chinese, the default
 * language.  The catalog is compiled into the binary (po/po2c.py,
 * i18n_catalog.h), so nothing here touches the locale, the environment or
 * any other process-wide state: any thread may call any function at any
 * time, and two requests in two languages never disturb each other.
 */
#ifndef HANDLERS_I18N_H
#define HANDLERS_I18N_H

#include <stdbool.h>
#include <stddef.h>

/* Marks a string literal for extraction (xgettext -kN_) without looking
 * it up; i18n_tr() looks it up later. */
#define N_(s) (s)

enum i18n_lang {
	I18N_ZH = 0,		/* Simplified Chinese: the default */
	I18N_EN,		/* English: the message ids themselves */
};

/*
 * The text of msgid in lang: the catalog's translation, or msgid itself
 * (English, or a message the catalog lacks).  Never NULL for a non-NULL
 * msgid; the result is static or msgid.
 */
const char *i18n_tr(enum i18n_lang lang, const char *msgid);

/* Whether the catalog of lang has msgid (English: always). */
bool i18n_has(enum i18n_lang lang, const char *msgid);

/*
 * The language an Accept-Language header value (RFC 9110 §12.5.4) asks
 * for among ours: English when an "en" range has a higher weight than
 * every "zh" range (or the same weight and comes first), else Chinese.
 * NULL, empty or malformed input gives Chinese.  Pure; reads at most
 * I18N_HEADER_MAX bytes.
 */
#define I18N_HEADER_MAX 4096
enum i18n_lang i18n_from_accept_language(const char *value);

/*
 * The language of a request: query_lang ("en" or "zh", from ?lang=) when
 * given and known, else the Accept-Language header (may be NULL).
 */
enum i18n_lang i18n_choose(const char *query_lang,
    const char *accept_language);

/* The BCP 47 tag of lang for <html lang>: "zh-CN" or "en". */
const char *i18n_tag(enum i18n_lang lang);
/* The value of ?lang= that selects lang: "zh" or "en". */
const char *i18n_code(enum i18n_lang lang);

/*
 * Fill a printf-style format whose conversions are all already-formatted
 * strings: each conversion of fmt (%s, %d, %zu, %llu, %.20s, ...) is
 * replaced in order by args[i] (missing ones by ""), "%%" by "%".  Writes
 * at most outlen bytes, NUL-terminated, cut at a UTF-8 character boundary.
 * Returns the length written.  This is how a message captured in one
 * language (its format and arguments) is shown in another: the catalog's
 * translation keeps the conversions in the same order (msgfmt --check).
 */
size_t i18n_format(char *out, size_t outlen, const char *fmt,
    const char *const *args, size_t nargs);

#endif
