/* SPDX-License-Identifier: MIT */
/*
 * The matching form of a text (see textnorm.h): width, white space,
 * brackets, ASCII case and a table of traditional characters in one pass
 * over the code points, then the company-suffix pass over the result, in
 * place.  Neither pass ever makes the text longer: every mapping turns a
 * code point into one of the same or a shorter UTF-8 length (full-width
 * forms and CJK brackets, 3 bytes, become ASCII; the traditional and the
 * simplified characters of the table are all 3-byte BMP ideographs), and
 * the suffix pass only shortens.  Runs on every tip (20 000 characters at
 * most) and on every registry name at import: linear, no allocation in
 * textnorm_into().
 */
#include "service/textnorm.h"
#include "service/textnorm_trad.h"
#include "service/utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The canonical company suffix and the variants that become it. */
static const char suffix_canonical[] = "有限公司";
static const char *const suffix_variants[] = {
	"有限责任公司",
	"股份有限公司",
};
static const char suffix_drop_before[] = "股份";

static int
trad_cmp(const void *key, const void *elem)
{
	uint32_t k = *(const uint32_t *)key;
	const struct textnorm_map *m = elem;

	return k < m->from ? -1 : k > m->from ? 1 : 0;
}

/* Whether cp is white space to remove. */
static bool
is_space_cp(uint32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 ||
	    cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000 || cp == 0xfeff;
}

/* The code point cp becomes; 0: drop it. */
static uint32_t
map_cp(uint32_t cp)
{
	const struct textnorm_map *m;

	if (cp == 0 || is_space_cp(cp))
		return 0;
	if (cp >= 0xff01 && cp <= 0xff5e)
		cp -= 0xfee0;
	switch (cp) {
	case '[': case 0x3010: case 0x3014: case 0x3016:
		return '(';
	case ']': case 0x3011: case 0x3015: case 0x3017:
		return ')';
	default:
		break;
	}
	if (cp >= 'A' && cp <= 'Z')
		return cp + ('a' - 'A');
	if (cp >= 0x4e00 && cp <= 0x9fff &&
	    (m = bsearch(&cp, textnorm_trad_map, textnorm_trad_count,
	    sizeof(textnorm_trad_map[0]), trad_cmp)) != NULL)
		return m->to;
	return cp;
}

/* Encode cp (valid, not a surrogate) at d; returns the bytes written. */
static size_t
encode_cp(char *d, uint32_t cp)
{
	unsigned char *u = (unsigned char *)d;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (unsigned char)(0xf0 | (cp >> 18));
	u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	u[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * Decode one code point (see textnorm.h): the strict UTF-8 of RFC 3629,
 * section 4 — no overlong forms, no surrogates, nothing above U+10FFFF.
 */
size_t
textnorm_decode(const char *s, size_t len, size_t i, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s + i;

	if (i >= len)
		return 0;
	if (u[0] == 0) {	/* utf8_seq refuses NUL; here it is a character */
		*cp = 0;
		return 1;
	}
	return utf8_seq(u, len - i, cp);
}

/*
 * The suffix pass, in place over s[0..len): each variant becomes the
 * canonical suffix, and a 股份 right before an emitted canonical suffix is
 * dropped, so that no variant can reappear in the result (idempotence).
 */
static size_t
canonical_suffixes(char *s, size_t len)
{
	size_t canon_len = sizeof(suffix_canonical) - 1;
	size_t drop_len = sizeof(suffix_drop_before) - 1;
	size_t r = 0, w = 0;

	while (r < len) {
		bool matched = false;

		for (size_t k = 0; k < sizeof(suffix_variants) /
		    sizeof(suffix_variants[0]); k++) {
			size_t vl = strlen(suffix_variants[k]);

			if (len - r >= vl &&
			    memcmp(s + r, suffix_variants[k], vl) == 0) {
				while (w >= drop_len && memcmp(s + w - drop_len,
				    suffix_drop_before, drop_len) == 0)
					w -= drop_len;
				memcpy(s + w, suffix_canonical, canon_len);
				w += canon_len;
				r += vl;
				matched = true;
				break;
			}
		}
		if (!matched)
			s[w++] = s[r++];
	}
	s[w] = '\0';
	return w;
}

/*
 * Normalise (see textnorm.h).  The first pass writes dst from src; the
 * second rewrites dst in place.
 */
size_t
textnorm_into(char *dst, const char *src, size_t len)
{
	size_t i = 0, w = 0;

	if (src == NULL)
		len = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = textnorm_decode(src, len, i, &cp);

		if (n == 0) {
			i++;		/* an invalid byte: dropped */
			continue;
		}
		i += n;
		if ((cp = map_cp(cp)) != 0)
			w += encode_cp(dst + w, cp);
	}
	dst[w] = '\0';
	return canonical_suffixes(dst, w);
}

/* Normalise into a new string (see textnorm.h). */
char *
textnorm_dup(const char *src, size_t len, size_t *outlen)
{
	char *dst;
	size_t n;

	if (src == NULL)
		len = 0;
	if (len == SIZE_MAX || (dst = malloc(len + 1)) == NULL)
		return NULL;
	n = textnorm_into(dst, src, len);
	if (outlen != NULL)
		*outlen = n;
	return dst;
}

/* Count code points (see textnorm.h). */
size_t
textnorm_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}
