/* SPDX-License-Identifier: MIT */
/*
 * The working-day calendar's exception days as stored (calendar_days:
 * date -> holiday | workday).  Plain rows out; service/calendar.c makes
 * the calendar from them.
 */
#ifndef STORAGE_CALENDAR_STORE_H
#define STORAGE_CALENDAR_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "storage/db.h"

#define CALENDAR_STORE_MAX_ROWS 20000	/* refused beyond: not a calendar */

/* One exception day. */
struct calendar_store_day {
	char date[11];		/* YYYY-MM-DD as stored */
	bool workday;		/* true: workday, false: holiday */
};

/*
 * Every row of calendar_days, in date order, into a new array *days of *n
 * rows (NULL and 0 for an empty table).  On success the caller owns *days
 * (free with calendar_store_free); on error *days is NULL.
 * STORAGE_ERR_CORRUPT for a row that is not a date or a known kind,
 * STORAGE_ERR_INVALID past CALENDAR_STORE_MAX_ROWS.
 */
enum storage_status calendar_store_load(struct db *db,
    struct calendar_store_day **days, size_t *n);

/* Free and NULL *days.  Accepts NULL and *days == NULL. */
void calendar_store_free(struct calendar_store_day **days);

#endif
