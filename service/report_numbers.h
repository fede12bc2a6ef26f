/* SPDX-License-Identifier: MIT */
/*
 * Test report numbers (检验检测报告编号) in a tipster's text: what relates
 * two tips about the same report.  Pure: a buffer in, an array of
 * normalised numbers out; no I/O, no database, no global state.
 *
 * The text is first put in matching form chunk by chunk (textnorm.h:
 * full-width to ASCII, traditional 報告編號 to 报告编号, case folded), with
 * the white space between chunks kept as one blank so that two numbers
 * written apart stay apart.  Then every run of letters, digits and
 * - _ / . (dashes ‐ ‑ ‒ – — − count as -) is a candidate, trimmed of
 * separators at both ends, and judged by what stands before it:
 *
 *   a report label   报告编号, 报告号, 报告单号, 检测编号, 检验编号, 编号
 *                    (unless 证书/样品/合同/... 编号), 报告 No., report no,
 *                    followed by up to three of : # ( . 为 是 and blanks:
 *                    taken with at least REPORT_NUMBERS_LABELLED_DIGITS
 *                    digits and REPORT_NUMBERS_MIN_LEN characters;
 *   another label    证书编号, 信用代码, 订单号, 电话, 批号, ...: never taken;
 *   no label         taken only in the shape of a report number: 1 to 8
 *                    letters (not a standard's or a certificate's prefix:
 *                    GB, GB/T, YY, JJF, ISO, CMA, ...), an optional - or _,
 *                    then digits and - _ / . only, with at least
 *                    REPORT_NUMBERS_BARE_DIGITS digits ("JC-2022-0153",
 *                    "SXJC20220315001").
 *
 * Numbers are returned upper case, distinct, in the order found, at most
 * REPORT_NUMBERS_MAX of them, each shorter than REPORT_NUMBERS_LEN.
 * Linear in the text; it allocates one buffer of about twice the text.
 */
#ifndef SERVICE_REPORT_NUMBERS_H
#define SERVICE_REPORT_NUMBERS_H

#include <stddef.h>

#define REPORT_NUMBERS_MAX		16
#define REPORT_NUMBERS_LEN		48	/* bytes with NUL */
#define REPORT_NUMBERS_MIN_LEN		4
#define REPORT_NUMBERS_LABELLED_DIGITS	3
#define REPORT_NUMBERS_BARE_DIGITS	6

/*
 * Find the report numbers in text[0..len) (UTF-8; invalid bytes are
 * dropped) and add the ones not yet in out[0..*n) to out, up to
 * REPORT_NUMBERS_MAX; call it once per field with the same out and n to
 * collect a tip's numbers.  Returns 0, or -1 when out of memory (out
 * keeps what it had).
 */
int report_numbers_find(const char *text, size_t len,
    char out[REPORT_NUMBERS_MAX][REPORT_NUMBERS_LEN], size_t *n);

#endif
