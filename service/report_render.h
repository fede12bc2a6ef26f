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
 * Append one CSV field to b: quoted when it holds , " CR or LF (RFC 4180
 * section 2); when text, a value a spreadsheet would take for a formula
 * (starting with = + - @) gets a leading apostrophe.  0, or -1 as
 * report_buf_add().  Also used by the 12315 export (staff_entry.c).
 */
int report_render_csv_field(struct report_buf *b, const char *s, bool text);

/*
 * A standalone HTML5 page (UTF-8, inline style, no script): the title, the
 * filling unit and date, the table with its two-level header (rowspan and
 * colspan), the rows and the total.  Every text is escaped.  0 or -1 as
 * above.
 */
int report_render_html(const struct report_summary *s,
    struct report_buf *out);

/*
 * Only the <table> of report_render_html() (two-level header, rows,
 * total; every text escaped), appended to out: the staff report page
 * shows it inside its own frame.  0 or -1 as above.
 */
int report_render_html_table(const struct report_summary *s,
    struct report_buf *out);

#endif
