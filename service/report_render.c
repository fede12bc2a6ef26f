/* SPDX-License-Identifier: MIT */
/*
 * CSV and HTML renderings of the campaign summary table (see
 * report_render.h).  The header has the shape report.h describes, as the
 * XLSX renderer draws it too.  Output is built in a report_buf with a hard
 * maximum.
 */
#include "service/report_render.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define REPORT_BOM		"\xef\xbb\xbf"

static int report_render_printf(struct report_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append formatted text (at most 256 bytes per call). */
static int
report_render_printf(struct report_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	return report_buf_add(b, tmp, (size_t)n);
}

static int
report_render_str(struct report_buf *b, const char *s)
{
	return report_buf_add(b, s, strlen(s));
}

/* One CSV field (report_render.h). */
int
report_render_csv_field(struct report_buf *b, const char *s, bool text)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote && report_render_str(b, "\"") != 0)
		return -1;
	/* A formula-looking text would run in a spreadsheet. */
	if (text && s[0] != '\0' && strchr("=+-@", s[0]) != NULL &&
	    report_render_str(b, "'") != 0)
		return -1;
	for (const char *p = s; *p != '\0'; p++)
		if (report_buf_add(b, p, 1) != 0 ||
		    (*p == '"' && report_buf_add(b, "\"", 1) != 0))
			return -1;
	if (quote && report_render_str(b, "\"") != 0)
		return -1;
	return 0;
}

/* The numbers of one row as CSV: ",N,N,N,N,N,M.MM,N" after the text. */
static int
report_render_csv_row(struct report_buf *b, const struct report_row *r)
{
	char money[32];

	report_format_centiwan(r->money_centiwan, money, sizeof(money));
	if (report_render_csv_field(b, r->label, true) != 0 ||
	    report_render_str(b, ",") != 0 ||
	    report_render_csv_field(b, r->joint, true) != 0)
		return -1;
	return report_render_printf(b, ",%ld,%ld,%ld,%ld,%ld,%s,%ld\r\n",
	    r->inspected, r->violating, r->false_report, r->rectified,
	    r->revoked, money, r->referred);
}

int
report_render_csv(const struct report_summary *s, struct report_buf *out)
{
	const char *const *c = report_column_names;

	if (report_render_str(out, REPORT_BOM) != 0 ||
	    report_render_printf(out, "%s,%s,%s,%s,,%s,,,\r\n", c[0], c[1],
	    c[2], REPORT_GROUP_FINDINGS, REPORT_GROUP_OUTCOMES) != 0 ||
	    report_render_printf(out, ",,,%s,%s,%s,%s,%s,%s\r\n", c[3], c[4],
	    c[5], c[6], c[7], c[8]) != 0)
		goto fail;
	for (size_t i = 0; i < s->nrows; i++)
		if (report_render_csv_row(out, &s->rows[i]) != 0)
			goto fail;
	if (report_render_csv_row(out, &s->total) != 0)
		goto fail;
	return 0;
fail:
	report_buf_free(out);
	return -1;
}

/* Text escaped for HTML element content and attribute values. */
static int
report_render_html_text(struct report_buf *b, const char *s)
{
	for (const char *p = s; *p != '\0'; p++) {
		const char *rep = NULL;

		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		}
		if (rep != NULL ? report_render_str(b, rep) != 0 :
		    report_buf_add(b, p, 1) != 0)
			return -1;
	}
	return 0;
}

/* One <tr> of the body. */
static int
report_render_html_row(struct report_buf *b, const struct report_row *r,
    bool total)
{
	char money[32];

	report_format_centiwan(r->money_centiwan, money, sizeof(money));
	if (report_render_str(b, total ?
	    "<tr class=\"total\"><th scope=\"row\">" :
	    "<tr><th scope=\"row\">") != 0 ||
	    report_render_html_text(b, r->label) != 0 ||
	    report_render_str(b, "</th><td class=\"text\">") != 0 ||
	    report_render_html_text(b, r->joint) != 0)
		return -1;
	return report_render_printf(b, "</td><td>%ld</td><td>%ld</td>"
	    "<td>%ld</td><td>%ld</td><td>%ld</td><td>%s</td><td>%ld</td>"
	    "</tr>\n", r->inspected, r->violating, r->false_report,
	    r->rectified, r->revoked, money, r->referred);
}

/* The title: the campaign's name and 检查信息汇总表. */
static int
report_render_html_title(struct report_buf *b, const struct report_summary *s)
{
	if (report_render_html_text(b, s->campaign_name) != 0)
		return -1;
	return report_render_str(b, REPORT_TITLE_SUFFIX);
}

int
report_render_html_table(const struct report_summary *s,
    struct report_buf *out)
{
	const char *const *c = report_column_names;

	if (report_render_str(out, "<table>\n<thead>\n") != 0 ||
	    report_render_printf(out, "<tr><th rowspan=\"2\">%s</th>"
	    "<th rowspan=\"2\">%s</th><th rowspan=\"2\">%s</th>", c[0], c[1],
	    c[2]) != 0 ||
	    report_render_printf(out, "<th colspan=\"2\">%s</th>"
	    "<th colspan=\"4\">%s</th></tr>\n", REPORT_GROUP_FINDINGS,
	    REPORT_GROUP_OUTCOMES) != 0 ||
	    report_render_printf(out, "<tr><th>%s</th><th>%s</th><th>%s</th>",
	    c[3], c[4], c[5]) != 0 ||
	    report_render_printf(out, "<th>%s</th><th>%s</th><th>%s</th>"
	    "</tr>\n</thead>\n<tbody>\n", c[6], c[7], c[8]) != 0)
		goto fail;
	for (size_t i = 0; i < s->nrows; i++)
		if (report_render_html_row(out, &s->rows[i], false) != 0)
			goto fail;
	if (report_render_html_row(out, &s->total, true) != 0 ||
	    report_render_str(out, "</tbody>\n</table>\n") != 0)
		goto fail;
	return 0;
fail:
	report_buf_free(out);
	return -1;
}

int
report_render_html(const struct report_summary *s, struct report_buf *out)
{
	if (report_render_str(out, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n<title>") != 0 ||
	    report_render_html_title(out, s) != 0 ||
	    report_render_str(out, "</title>\n<style>\n"
	    "body{font-family:sans-serif;margin:2em}\n"
	    "h1{font-size:1.3em;text-align:center}\n"
	    "p.meta{display:flex;justify-content:space-between}\n"
	    "table{border-collapse:collapse;width:100%}\n"
	    "th,td{border:1px solid #000;padding:.3em .5em}\n"
	    "td{text-align:right}\n"
	    "td.text{text-align:left}\n"
	    "tr.total{font-weight:bold}\n"
	    "@page{size:A4 landscape}\n"
	    "</style>\n</head>\n<body>\n<h1>") != 0 ||
	    report_render_html_title(out, s) != 0 ||
	    report_render_str(out, "</h1>\n<p class=\"meta\"><span>填报单位："
	    ) != 0 ||
	    report_render_html_text(out, s->unit_name) != 0 ||
	    report_render_str(out, "</span><span>填报日期：") != 0 ||
	    report_render_html_text(out, s->made_on) != 0 ||
	    report_render_str(out, "</span></p>\n") != 0 ||
	    report_render_html_table(s, out) != 0 ||
	    report_render_str(out, "</body>\n</html>\n") != 0)
		goto fail;
	return 0;
fail:
	report_buf_free(out);
	return -1;
}
