/* SPDX-License-Identifier: MIT */
/*
 * The campaign summary table for staff (issue 7): GET
 * /api/v1/staff/reports/summary and the page /staff/reports.  The table
 * is loaded and rendered by report_summary_load() and report_render(),
 * as `tipline report summary` does (report_json.h for format=json), so
 * that the three give the same numbers.
 *
 * Scope: admin and triage may ask for any bureau's table, or the city's
 * (no bureau); an officer gets their own bureau's (no bureau given means
 * their own), and another bureau's table is STAFF_NOT_FOUND, as another
 * bureau's tip is; an auditor is STAFF_FORBIDDEN (the table is content).
 * Every table handed out is audited first ("report.summary", object the
 * campaign, reason "bureau=CODE|all format=F").  Worker thread only.
 */
#ifndef SERVICE_STAFF_REPORTS_H
#define SERVICE_STAFF_REPORTS_H

#include <stddef.h>

#include <jansson.h>

#include "service/report.h"
#include "service/service.h"
#include "service/staff.h"

#define STAFF_REPORTS_FIELD_MAX 32
#define STAFF_REPORTS_FILENAME_MAX 160

enum staff_reports_format {
	STAFF_REPORTS_JSON,
	STAFF_REPORTS_CSV,
	STAFF_REPORTS_XLSX,
	STAFF_REPORTS_PAGE,	/* the page's <table> (report_render.h) and
				 * the JSON document for its heading */
};

/* One table, rendered. */
struct staff_reports_table {
	enum staff_reports_format format;
	json_t *doc;			/* JSON and PAGE: report_json.h */
	struct report_buf buf;		/* CSV, XLSX, PAGE (the <table>) */
	char filename[STAFF_REPORTS_FILENAME_MAX];	/* CSV, XLSX */
};

/*
 * The table of campaign for u: bureau NULL or "" as the scope above;
 * format "json" (also NULL or ""), "csv" or "xlsx", or NULL with page true
 * for the page.  STAFF_INVALID with field "format" or "campaign" (missing,
 * not a code) or "bureau" (not a code); STAFF_NOT_FOUND with field
 * "campaign" (no such campaign) or "bureau" (no such bureau, or another
 * bureau's for an officer); STAFF_FORBIDDEN for an auditor.  msg says
 * what is wrong (English).  On STAFF_OK free out with
 * staff_reports_table_free().
 */
enum staff_status staff_reports_summary(struct service_worker *w,
    const struct staff_user *u, const char *campaign, const char *bureau,
    const char *format, bool page, struct staff_reports_table *out,
    char field[STAFF_REPORTS_FIELD_MAX], char *msg, size_t msglen);

/* Free what a table holds (not t itself).  Accepts a zeroed table. */
void staff_reports_table_free(struct staff_reports_table *t);

/*
 * What u may choose on the page: {"campaigns": [{"code", "name"}],
 * "bureaus": [{"code", "name"}], "city": true|false} (bureaus: every
 * bureau for admin and triage, who may also leave it empty for the city,
 * "city": true; an officer's own only).  Into *out (the caller owns it).
 */
enum staff_status staff_reports_choices(struct service_worker *w,
    const struct staff_user *u, json_t **out);

#endif
