/* SPDX-License-Identifier: MIT */
/*
 * The one strict UTF-8 decoder (see utf8.h).
 */
#include "service/utf8.h"

size_t
utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c;
	uint32_t v;
	size_t k;

	if (n == 0 || (c = s[0]) == 0)
		return 0;
	if (c < 0x80) {
		if (cp != NULL)
			*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c < 0xe0) {
		k = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c < 0xf0) {
		k = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c < 0xf5) {
		k = 4;
		v = c & 0x07;
	} else
		return 0;
	if (n < k)
		return 0;
	for (size_t j = 1; j < k; j++) {
		if ((s[j] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[j] & 0x3f);
	}
	if ((k == 3 && v < 0x800) || (k == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	if (cp != NULL)
		*cp = v;
	return k;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if ((k = utf8_seq(p + i, n - i, NULL)) == 0)
			return false;
		i += k;
	}
	return true;
}

size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}
