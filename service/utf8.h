/* SPDX-License-Identifier: MIT */
/*
 * Strict UTF-8 (RFC 3629, section 4): no overlong forms, no surrogates,
 * nothing above U+10FFFF, and no NUL, for every check of outside text
 * (form fields, JSON, mail, file names).  Pure and thread-safe.
 */
#ifndef SERVICE_UTF8_H
#define SERVICE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Length (1-4) of the well-formed sequence at s[0..n), with its code point
 * in *cp when cp is not NULL; 0 if there is none there (or s[0] is NUL).
 */
size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp);

/* Whether s[0..n) is all well-formed UTF-8 without NUL. */
bool utf8_valid(const char *s, size_t n);

/* Characters (code points) of NUL-terminated valid UTF-8 text. */
size_t utf8_chars(const char *s);

#endif
