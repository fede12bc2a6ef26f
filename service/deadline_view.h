/* SPDX-License-Identifier: MIT */
/*
 * The deadlines of a tip as staff see them (the tip page, the case page,
 * the overdue list): service/deadlines.h computes, this module loads the
 * calendar and the rules once per request and turns each computed
 * deadline into JSON:
 *
 *   {"rule", "name", "source", "state", "unit", "limit", "start", "due",
 *    "done", "days_left", "extended", "calendar_unknown"}
 *
 * with dates as "YYYY-MM-DD" or null.  Whenever a deadline touches a year
 * whose holiday calendar is not loaded (counted on weekends only), the
 * document carries "calendar_warning", the text every page shows.
 * Worker thread only; no tip content is read.
 */
#ifndef SERVICE_DEADLINE_VIEW_H
#define SERVICE_DEADLINE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "storage/db.h"

/* The warning shown beside deadlines counted without holiday data. */
#define DEADLINE_VIEW_WARNING "节假日数据缺失：期限涉及尚未导入国务院" \
	"放假通知的年份，仅按周末休息计算。The public holiday calendar " \
	"of a year these deadlines run into is not loaded: they count " \
	"weekends only."

/* The calendar and the rules of one request (opaque). */
struct deadline_view;

/* Load the calendar and the rules.  0, or -1 with err set. */
int deadline_view_open(struct db *db, struct deadline_view **out,
    char *err, size_t errlen);

/* Free and NULL *v.  Accepts NULL. */
void deadline_view_close(struct deadline_view **v);

/*
 * The deadlines of tip tip_id (row id) as of today: a new JSON array in
 * *out (the caller owns it).  *overdue (may be NULL) is set when one is
 * overdue, *unknown (may be NULL) when one touches an unknown year.
 * 0, 1 for no such tip, -1 on failure (logged).
 */
int deadline_view_tip(struct deadline_view *v, struct db *db,
    int64_t tip_id, json_t **out, bool *overdue, bool *unknown);

/*
 * Set "deadlines" and "calendar_warning" (the text, or null) on the
 * document doc for tip tip_id.  0 or -1 (logged; doc unchanged).
 */
int deadline_view_add(struct db *db, int64_t tip_id, json_t *doc);

#endif
