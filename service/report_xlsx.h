/* SPDX-License-Identifier: MIT */
/*
 * The campaign summary table as an XLSX workbook (libxlsxwriter): one
 * sheet with the title row, the filling unit and date, the two-level
 * merged header (report.h), one row per key domain and the total row;
 * counts as numbers, money as a number with the format 0.00; column
 * widths, A4 landscape and fit-to-page so that it prints on one page.
 */
#ifndef SERVICE_REPORT_XLSX_H
#define SERVICE_REPORT_XLSX_H

#include <stddef.h>

#include "service/report.h"

/* Layout: rows of the sheet (0-based), for the renderer and its tests. */
#define REPORT_XLSX_ROW_TITLE	0
#define REPORT_XLSX_ROW_META	1	/* 填报单位 ... 填报日期 */
#define REPORT_XLSX_ROW_HEAD1	2
#define REPORT_XLSX_ROW_HEAD2	3
#define REPORT_XLSX_ROW_FIRST	4	/* the first domain */
#define REPORT_XLSX_SHEET	"汇总表"

/*
 * Render s into out (zeroed) as the bytes of an .xlsx file.  libxlsxwriter
 * writes only to a named file, so the workbook goes to a private temporary
 * file ($TMPDIR, else /tmp; mode 0600), which is read back and removed.
 * Blocking file I/O: from a worker thread, never the event loop.  0, or -1
 * with err set and out holding nothing.
 */
int report_xlsx_render(const struct report_summary *s, struct report_buf *out,
    char *err, size_t errlen);

#endif
