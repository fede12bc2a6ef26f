/* SPDX-License-Identifier: MIT */
/*
 * The campaign summary table as CSV and as a standalone HTML page (the
 * XLSX renderer is report_xlsx.h).  Pure: a built table in, bytes out.
 */
#ifndef SERVICE_REPORT_RENDER_H
#define SERVICE_REPORT_RENDER_H

#include "service/report.h"

/*
 * CSV (RFC 4180, CRLF) in UTF-8 with a byte order mark, so that a
 * spreadsheet opens it as UTF-8: the two header rows of the attachment (a
 * merged cell's text in its first cell, the cells it covers empty), one
 * row per domain, the total row; money with two decimals.  No title row,
 * so that the file loads as a table.  A text cell that a spreadsheet would
 * take for a formula (starting with = + - @) gets a leading apostrophe.
 * 0, or -1 (out of memory, over REPORT_OUTPUT_MAX) with out freed.
 */
int report_render_csv(const struct report_summary *s, struct report_buf *out);

/*
 * A standalone HTML5 page (UTF-8, inline style, no script): the title, the
 * filling unit and date, the table with its two-level header (rowspan and
 * colspan), the rows and the total.  Every text is escaped.  0 or -1 as
 * above.
 */
int report_render_html(const struct report_summary *s,
    struct report_buf *out);

#endif
