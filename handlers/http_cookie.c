/* SPDX-License-Identifier: MIT */
/*
 * Cookie header parsing (see http_cookie.h).  One pass over at most
 * HTTP_COOKIE_HEADER_MAX bytes; nothing is allocated.
 */
#include "handlers/http_cookie.h"

#include <string.h>

/* RFC 6265 cookie-octet: US-ASCII except CTLs, space, '"', ',', ';', '\'. */
static bool
is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) ||
	    (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b) ||
	    (c >= 0x5d && c <= 0x7e);
}

bool
http_cookie_get(const char *header, const char *name, char *out,
    size_t outlen)
{
	size_t len, nlen, i = 0;

	if (header == NULL || name == NULL || out == NULL || outlen == 0)
		return false;
	out[0] = '\0';
	nlen = strlen(name);
	len = strnlen(header, HTTP_COOKIE_HEADER_MAX);
	while (i < len) {
		size_t n, v, vlen;
		bool quoted = false, ok = true;

		while (i < len && (header[i] == ' ' || header[i] == '\t' ||
		    header[i] == ';'))
			i++;
		n = i;
		while (i < len && header[i] != '=' && header[i] != ';')
			i++;
		if (i >= len || header[i] != '=') {
			continue;	/* a pair without '=': skip it */
		}
		if (i - n != nlen || memcmp(header + n, name, nlen) != 0) {
			while (i < len && header[i] != ';')
				i++;
			continue;
		}
		i++;
		if (i < len && header[i] == '"') {
			quoted = true;
			i++;
		}
		v = i;
		while (i < len && header[i] != ';' && header[i] != '"' &&
		    header[i] != ' ' && header[i] != '\t') {
			if (!is_cookie_octet((unsigned char)header[i]))
				ok = false;
			i++;
		}
		vlen = i - v;
		if (quoted) {
			if (i >= len || header[i] != '"')
				ok = false;
			else
				i++;
		}
		/* Only spaces may follow before the next ';'. */
		while (i < len && (header[i] == ' ' || header[i] == '\t'))
			i++;
		if (i < len && header[i] != ';')
			ok = false;
		if (!ok || vlen >= outlen)
			return false;
		memcpy(out, header + v, vlen);
		out[vlen] = '\0';
		return true;
	}
	return false;
}
