/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the small parsers of request headers in handlers/:
 * the Accept-Language reader (i18n.c) and the Cookie reader
 * (http_cookie.c), and of i18n_format(), which fills a format from the
 * catalog.  The input, NUL-terminated, is each parser's header value and
 * the format; the harness checks their promises: a known language, a
 * cookie value within its buffer and made of cookie octets, a formatted
 * text within its buffer and NUL-terminated.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/http_cookie.h"
#include "handlers/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char value[65], out[128];
	const char *args[] = { "a", "bb", "中文" };
	enum i18n_lang l;
	size_t n;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	l = i18n_from_accept_language(s);
	if (l != I18N_ZH && l != I18N_EN)
		abort();
	if (http_cookie_get(s, "tipline_tipster", value, sizeof(value))) {
		if (strlen(value) >= sizeof(value))
			abort();
		for (const char *p = value; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 || *p == '"' ||
			    *p == ',' || *p == ';' || *p == '\\' ||
			    (unsigned char)*p >= 0x7f)
				abort();
	}
	n = i18n_format(out, sizeof(out), s, args, 3);
	if (n >= sizeof(out) || strlen(out) != n)
		abort();
	(void)i18n_tr(I18N_ZH, s);
	free(s);
	return 0;
}
