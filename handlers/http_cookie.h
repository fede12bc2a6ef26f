/* SPDX-License-Identifier: MIT */
/*
 * Reading one cookie out of a Cookie request header (RFC 6265 §4.2.1,
 * §5.4: "name=value" pairs separated by ";" and optional spaces; a value
 * may be in double quotes).  Pure and bounded (HTTP_COOKIE_HEADER_MAX
 * bytes looked at), for tests/fuzz/fuzz_cookie.c.
 */
#ifndef HANDLERS_HTTP_COOKIE_H
#define HANDLERS_HTTP_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_COOKIE_HEADER_MAX 8192

/*
 * The value of the first cookie called name in header, into out (outlen
 * bytes, NUL-terminated).  false when there is none, or its value does
 * not fit, or holds a byte outside RFC 6265's cookie-octet.
 */
bool http_cookie_get(const char *header, const char *name, char *out,
    size_t outlen);

#endif
