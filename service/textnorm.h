/* SPDX-License-Identifier: MIT */
/*
 * The matching form of a text: what the router compares tip text, place
 * names, keywords and institution names in, and what the institution
 * registry stores as name_norm.  Pure: a buffer in, a buffer out.
 *
 * One pass over the code points, then one over the result:
 *
 *   - full-width forms U+FF01..U+FF5E become ASCII (（ → (, ： → :, Ａ → A);
 *   - white space is removed: ASCII blanks and line breaks, U+00A0,
 *     U+2000..U+200B, U+202F, U+205F, U+3000, U+FEFF;
 *   - brackets unify to ASCII ( and ): 【】〔〕〖〗[] (and via the first rule
 *     （）［］);
 *   - ASCII letters fold to lower case;
 *   - traditional characters become simplified, one character to one
 *     (service/textnorm_trad.h: about 2 500 pairs, 陽→阳, 澤→泽, 晉→晋,
 *     區→区, 鎮→镇, 誠→诚, 國→国, 達→达, 檢測→检测, 報告編號→报告编号,
 *     沒→没, 洩漏→泄漏, ...); characters that simplified text also uses
 *     (乾, 著, 覆, 於) are left alone — no word-level conversion;
 *   - invalid UTF-8 bytes and NUL are dropped;
 *   - then the company suffixes 有限责任公司 and 股份有限公司 (and 股份
 *     right before a canonical 有限公司) become the canonical 有限公司.
 *
 * The result is valid UTF-8, never longer than the input, and normalising
 * it again changes nothing (the fuzz harness checks both).
 */
#ifndef SERVICE_TEXTNORM_H
#define SERVICE_TEXTNORM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Normalise src[0..len) into dst, which must have room for len + 1 bytes;
 * dst is NUL-terminated.  Returns the length of the result.  dst and src
 * may not overlap.
 */
size_t textnorm_into(char *dst, const char *src, size_t len);

/*
 * Normalise into a new string (caller frees); *outlen (may be NULL) gets
 * its length.  NULL when out of memory.  src NULL is taken as "".
 */
char *textnorm_dup(const char *src, size_t len, size_t *outlen);

/*
 * Decode the code point at s[i] (i < len).  Returns its length in bytes
 * (1..4) with *cp set, or 0 for an invalid sequence (overlong, surrogate,
 * above U+10FFFF, truncated).
 */
size_t textnorm_decode(const char *s, size_t len, size_t i, uint32_t *cp);

/* Number of code points in valid UTF-8 s[0..len). */
size_t textnorm_chars(const char *s, size_t len);

#endif
