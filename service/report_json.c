/* SPDX-License-Identifier: MIT */
/*
 * The summary table as JSON (see report_json.h).  The column keys name
 * the members of a row, so that a client can draw the table from
 * "columns" alone.
 */
#include "service/report_json.h"

#include <stdbool.h>
#include <stdio.h>

/* The leaf column i's member in a row ("money_wan" for the money). */
static const char *const report_json_keys[REPORT_NCOLUMNS] = {
	"name", "joint", "inspected", "violating", "false_report",
	"rectified", "revoked", "money_wan", "referred",
};

/* {"name": report_column_names[i], "key": report_json_keys[i]}. */
static json_t *
report_json_column(size_t i)
{
	return json_pack("{s:s, s:s}", "name", report_column_names[i], "key",
	    report_json_keys[i]);
}

/* The group name over leaf columns [lo, hi). */
static json_t *
report_json_group(const char *name, size_t lo, size_t hi)
{
	json_t *cols = json_array();

	for (size_t i = lo; cols != NULL && i < hi; i++)
		if (json_array_append_new(cols, report_json_column(i)) != 0) {
			json_decref(cols);
			cols = NULL;
		}
	return cols == NULL ? NULL : json_pack("{s:s, s:o}", "name", name,
	    "columns", cols);
}

/* The two-level header (report.h). */
static json_t *
report_json_columns(void)
{
	return json_pack("[o, o, o, o, o]", report_json_column(0),
	    report_json_column(1), report_json_column(2),
	    report_json_group(REPORT_GROUP_FINDINGS, 3, 5),
	    report_json_group(REPORT_GROUP_OUTCOMES, 5, 9));
}

static json_t *
report_json_row(const struct report_row *r, bool total)
{
	char money[32];

	report_format_centiwan(r->money_centiwan, money, sizeof(money));
	return json_pack("{s:o, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s,"
	    " s:I}",
	    "domain", total ? json_null() : json_string(r->code),
	    "name", r->label,
	    "joint", r->joint != NULL ? r->joint : "",
	    "inspected", (json_int_t)r->inspected,
	    "violating", (json_int_t)r->violating,
	    "false_report", (json_int_t)r->false_report,
	    "rectified", (json_int_t)r->rectified,
	    "revoked", (json_int_t)r->revoked,
	    "money_fen", (json_int_t)r->money_fen,
	    "money_wan", money,
	    "referred", (json_int_t)r->referred);
}

json_t *
report_summary_json(const struct report_summary *s)
{
	json_t *rows = json_array(), *doc;
	char title[REPORT_STORE_NAME_MAX + sizeof(REPORT_TITLE_SUFFIX)];

	if (rows == NULL)
		return NULL;
	for (size_t i = 0; i < s->nrows; i++)
		if (json_array_append_new(rows, report_json_row(&s->rows[i],
		    false)) != 0) {
			json_decref(rows);
			return NULL;
		}
	(void)snprintf(title, sizeof(title), "%s%s", s->campaign_name,
	    REPORT_TITLE_SUFFIX);
	doc = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o}",
	    "title", title,
	    "campaign", s->campaign,
	    "campaign_name", s->campaign_name,
	    "bureau", s->bureau[0] != '\0' ? json_string(s->bureau) :
	    json_null(),
	    "filled_by", s->unit_name,
	    "date", s->made_on,
	    "columns", report_json_columns(),
	    "rows", rows,
	    "total", report_json_row(&s->total, true));
	return doc;
}
