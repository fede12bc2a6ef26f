/* SPDX-License-Identifier: MIT */
/*
 * The XLSX rendering of the campaign summary table (see report_xlsx.h).
 * One workbook per call, a dozen rows: the cost is libxlsxwriter's zip
 * writing, a few milliseconds.  The temporary file is created with
 * mkstemp() (0600, unpredictable name) and always unlinked before return.
 */
#include "service/report_xlsx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

/* Widths in character units: about 136 in all, one A4 landscape page. */
static const double report_xlsx_widths[REPORT_NCOLUMNS] = {
	30, 30, 10, 12, 12, 10, 10, 12, 12,
};

struct report_xlsx_formats {
	lxw_format	*title;
	lxw_format	*meta_left;
	lxw_format	*meta_right;
	lxw_format	*head;
	lxw_format	*label;
	lxw_format	*text;
	lxw_format	*count;
	lxw_format	*money;
	lxw_format	*total_label;
	lxw_format	*total_text;
	lxw_format	*total_count;
	lxw_format	*total_money;
};

/* A bordered, vertically centred cell format. */
static lxw_format *
report_xlsx_cell(lxw_workbook *wb, uint8_t align, bool wrap, bool bold,
    const char *num_format)
{
	lxw_format *f = workbook_add_format(wb);

	if (f == NULL)
		return NULL;
	format_set_border(f, LXW_BORDER_THIN);
	format_set_align(f, align);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	if (wrap)
		format_set_text_wrap(f);
	if (bold)
		format_set_bold(f);
	if (num_format != NULL)
		format_set_num_format(f, num_format);
	return f;
}

static bool
report_xlsx_formats(lxw_workbook *wb, struct report_xlsx_formats *f)
{
	if ((f->title = workbook_add_format(wb)) == NULL ||
	    (f->meta_left = workbook_add_format(wb)) == NULL ||
	    (f->meta_right = workbook_add_format(wb)) == NULL)
		return false;
	format_set_bold(f->title);
	format_set_font_size(f->title, 16);
	format_set_align(f->title, LXW_ALIGN_CENTER);
	format_set_align(f->title, LXW_ALIGN_VERTICAL_CENTER);
	format_set_align(f->meta_left, LXW_ALIGN_LEFT);
	format_set_align(f->meta_right, LXW_ALIGN_RIGHT);
	f->head = report_xlsx_cell(wb, LXW_ALIGN_CENTER, true, true, NULL);
	f->label = report_xlsx_cell(wb, LXW_ALIGN_LEFT, true, false, NULL);
	f->text = report_xlsx_cell(wb, LXW_ALIGN_LEFT, true, false, NULL);
	f->count = report_xlsx_cell(wb, LXW_ALIGN_RIGHT, false, false, "0");
	f->money = report_xlsx_cell(wb, LXW_ALIGN_RIGHT, false, false,
	    "0.00");
	f->total_label = report_xlsx_cell(wb, LXW_ALIGN_CENTER, true, true,
	    NULL);
	f->total_text = report_xlsx_cell(wb, LXW_ALIGN_LEFT, true, true,
	    NULL);
	f->total_count = report_xlsx_cell(wb, LXW_ALIGN_RIGHT, false, true,
	    "0");
	f->total_money = report_xlsx_cell(wb, LXW_ALIGN_RIGHT, false, true,
	    "0.00");
	return f->head != NULL && f->label != NULL && f->text != NULL &&
	    f->count != NULL && f->money != NULL && f->total_label != NULL &&
	    f->total_text != NULL && f->total_count != NULL &&
	    f->total_money != NULL;
}

/* One body row: a domain, or the total (bold). */
static lxw_error
report_xlsx_row(lxw_worksheet *ws, lxw_row_t row, const struct report_row *r,
    const struct report_xlsx_formats *f, bool total)
{
	const long counts[] = { r->inspected, r->violating, r->false_report,
	    r->rectified, r->revoked };
	lxw_format *count = total ? f->total_count : f->count;
	lxw_error e;

	if ((e = worksheet_write_string(ws, row, 0, r->label,
	    total ? f->total_label : f->label)) != LXW_NO_ERROR ||
	    (e = worksheet_write_string(ws, row, 1, r->joint,
	    total ? f->total_text : f->text)) != LXW_NO_ERROR)
		return e;
	for (lxw_col_t c = 0; c < 5; c++)
		if ((e = worksheet_write_number(ws, row, (lxw_col_t)(2 + c),
		    (double)counts[c], count)) != LXW_NO_ERROR)
			return e;
	/*
	 * The only floating point: the cell value itself, an exact decimal
	 * of two places (hundredths / 100) computed in integers before.
	 */
	if ((e = worksheet_write_number(ws, row, 7,
	    (double)r->money_centiwan / 100.0,
	    total ? f->total_money : f->money)) != LXW_NO_ERROR)
		return e;
	return worksheet_write_number(ws, row, 8, (double)r->referred, count);
}

/* The title, the filling unit line and the two-level header. */
static lxw_error
report_xlsx_head(lxw_worksheet *ws, const struct report_summary *s,
    const struct report_xlsx_formats *f)
{
	const char *const *c = report_column_names;
	char title[REPORT_STORE_NAME_MAX + 64];
	char unit[REPORT_STORE_NAME_MAX + 32], date[64];
	lxw_error e;

	snprintf(title, sizeof(title), "%s%s", s->campaign_name,
	    REPORT_TITLE_SUFFIX);
	snprintf(unit, sizeof(unit), "填报单位：%s", s->unit_name);
	snprintf(date, sizeof(date), "填报日期：%s", s->made_on);
	if ((e = worksheet_set_row(ws, REPORT_XLSX_ROW_TITLE, 30, NULL)) !=
	    LXW_NO_ERROR ||
	    (e = worksheet_merge_range(ws, REPORT_XLSX_ROW_TITLE, 0,
	    REPORT_XLSX_ROW_TITLE, REPORT_NCOLUMNS - 1, title, f->title)) !=
	    LXW_NO_ERROR ||
	    (e = worksheet_merge_range(ws, REPORT_XLSX_ROW_META, 0,
	    REPORT_XLSX_ROW_META, 4, unit, f->meta_left)) != LXW_NO_ERROR ||
	    (e = worksheet_merge_range(ws, REPORT_XLSX_ROW_META, 5,
	    REPORT_XLSX_ROW_META, REPORT_NCOLUMNS - 1, date, f->meta_right)) !=
	    LXW_NO_ERROR ||
	    (e = worksheet_set_row(ws, REPORT_XLSX_ROW_HEAD2, 45, NULL)) !=
	    LXW_NO_ERROR)
		return e;
	for (lxw_col_t col = 0; col < 3; col++)
		if ((e = worksheet_merge_range(ws, REPORT_XLSX_ROW_HEAD1, col,
		    REPORT_XLSX_ROW_HEAD2, col, c[col], f->head)) !=
		    LXW_NO_ERROR)
			return e;
	if ((e = worksheet_merge_range(ws, REPORT_XLSX_ROW_HEAD1, 3,
	    REPORT_XLSX_ROW_HEAD1, 4, REPORT_GROUP_FINDINGS, f->head)) !=
	    LXW_NO_ERROR ||
	    (e = worksheet_merge_range(ws, REPORT_XLSX_ROW_HEAD1, 5,
	    REPORT_XLSX_ROW_HEAD1, 8, REPORT_GROUP_OUTCOMES, f->head)) !=
	    LXW_NO_ERROR)
		return e;
	for (lxw_col_t col = 3; col < REPORT_NCOLUMNS; col++)
		if ((e = worksheet_write_string(ws, REPORT_XLSX_ROW_HEAD2, col,
		    c[col], f->head)) != LXW_NO_ERROR)
			return e;
	return LXW_NO_ERROR;
}

/* Build the workbook into the file path. */
static lxw_error
report_xlsx_write(const struct report_summary *s, const char *path,
    char *tmpdir)
{
	lxw_workbook_options opts = { .constant_memory = LXW_FALSE,
	    .tmpdir = tmpdir, .use_zip64 = LXW_FALSE };
	struct report_xlsx_formats f;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_row_t row = REPORT_XLSX_ROW_FIRST;
	lxw_error e = LXW_ERROR_MEMORY_MALLOC_FAILED, ce;

	if ((wb = workbook_new_opt(path, &opts)) == NULL)
		return LXW_ERROR_CREATING_XLSX_FILE;
	memset(&f, 0, sizeof(f));
	if ((ws = workbook_add_worksheet(wb, REPORT_XLSX_SHEET)) == NULL ||
	    !report_xlsx_formats(wb, &f))
		goto close;
	for (lxw_col_t col = 0; col < REPORT_NCOLUMNS; col++)
		if ((e = worksheet_set_column(ws, col, col,
		    report_xlsx_widths[col], NULL)) != LXW_NO_ERROR)
			goto close;
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);		/* A4 */
	worksheet_fit_to_pages(ws, 1, 1);
	worksheet_center_horizontally(ws);
	if ((e = report_xlsx_head(ws, s, &f)) != LXW_NO_ERROR)
		goto close;
	for (size_t i = 0; i < s->nrows; i++, row++)
		if ((e = report_xlsx_row(ws, row, &s->rows[i], &f, false)) !=
		    LXW_NO_ERROR)
			goto close;
	if ((e = report_xlsx_row(ws, row, &s->total, &f, true)) !=
	    LXW_NO_ERROR)
		goto close;
	e = worksheet_print_area(ws, 0, 0, row, REPORT_NCOLUMNS - 1);
close:
	/* workbook_close() frees wb whatever happened; it writes the file. */
	ce = workbook_close(wb);
	return e != LXW_NO_ERROR ? e : ce;
}

/* Read the whole file at fd into out.  0 or -1. */
static int
report_xlsx_slurp(int fd, struct report_buf *out)
{
	char chunk[16384];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (report_buf_add(out, chunk, (size_t)n) != 0)
			return -1;
	}
}

int
report_xlsx_render(const struct report_summary *s, struct report_buf *out,
    char *err, size_t errlen)
{
	const char *env = getenv("TMPDIR");
	char path[4096], tmpdir[2048];
	lxw_error e;
	int fd = -1, rc = -1;

	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s", env != NULL &&
	    env[0] == '/' ? env : "/tmp") >= sizeof(tmpdir)) {
		snprintf(err, errlen, "xlsx: TMPDIR too long");
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/tipline-report-XXXXXX",
	    tmpdir) >= sizeof(path)) {
		snprintf(err, errlen, "xlsx: TMPDIR too long");
		return -1;
	}
	if ((fd = mkstemp(path)) == -1) {
		snprintf(err, errlen, "xlsx: cannot create a temporary file in "
		    "%.200s: %s", tmpdir, strerror(errno));
		return -1;
	}
	if ((e = report_xlsx_write(s, path, tmpdir)) != LXW_NO_ERROR) {
		snprintf(err, errlen, "xlsx: %s", lxw_strerror(e));
		goto out;
	}
	/* The file was replaced by name: read it through a fresh open. */
	close(fd);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    report_xlsx_slurp(fd, out) != 0) {
		snprintf(err, errlen, "xlsx: cannot read the workbook back "
		    "(out of memory or over %u bytes)", REPORT_OUTPUT_MAX);
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	unlink(path);
	if (rc != 0)
		report_buf_free(out);
	return rc;
}
