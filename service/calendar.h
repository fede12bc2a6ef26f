/* SPDX-License-Identifier: MIT */
/*
 * The official working-day calendar: Monday to Friday are working days,
 * Saturday and Sunday are not, except where the State Council's yearly
 * notice says otherwise (a public holiday on a weekday, an adjusted working
 * Saturday or Sunday, 调休上班).  The exceptions are data (calendar_days,
 * loaded from data/holidays-YYYY.csv), handed in as a table; everything
 * here except calendar_load() is pure.
 *
 * Days are day numbers: days since 1970-01-01 (negative before), in the
 * proleptic Gregorian calendar, for the years 1900 to 2999.  Dates in the
 * database and in files are "YYYY-MM-DD".
 *
 * Periods are counted as the texts in ../shared/data/deadlines.md §4 say
 * (行政处罚程序规定 第八十条, order 121 第四十五条): the day a period starts
 * on (the day of receipt, of the decision, of filing) is not counted; day 1
 * is the next working day (for working-day periods) or the next calendar
 * day (for calendar-day periods).  "Within N working days" includes the
 * N-th (第八十四条: 以上、以下、内 include the number itself), so the due
 * date is the N-th working day after the start.
 *
 * A year is known when the table holds its 1 January as a holiday: 元旦 is
 * a public holiday every year, so every year's notice lists it, while a
 * notice may spill over into the year before (holidays-2023.csv lists
 * 2022-12-31) without making that year known.  Days of an unknown year are
 * judged by the weekend rule alone, and every function that looks at such a
 * day sets *unknown so that the caller can warn ("calendar unknown").
 *
 * Load: the whole table is a few hundred rows, loaded once per use; every
 * lookup is a binary search.
 */
#ifndef SERVICE_CALENDAR_H
#define SERVICE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "storage/db.h"

#define CALENDAR_DATE_LEN	10		/* "YYYY-MM-DD" */
#define CALENDAR_NO_DAY		INT32_MIN	/* no date */
#define CALENDAR_YEAR_MIN	1900
#define CALENDAR_YEAR_MAX	2999
#define CALENDAR_UTC_OFFSET	(8 * 3600)	/* CST (UTC+8), no DST */
#define CALENDAR_MAX_EXCEPTIONS	20000		/* rows calendar_new() takes */

enum calendar_kind {
	CALENDAR_HOLIDAY = 1,	/* a weekday off (or a weekend day, listed) */
	CALENDAR_WORKDAY = 2,	/* a weekend day worked (调休上班) */
};

/* One exception to the weekend rule. */
struct calendar_exception {
	int32_t			day;
	enum calendar_kind	kind;
};

/* The calendar: sorted exceptions and the set of known years (opaque). */
struct calendar;

/*
 * Day number of y-m-d, or CALENDAR_NO_DAY when the date does not exist or
 * lies outside CALENDAR_YEAR_MIN..CALENDAR_YEAR_MAX.
 */
int32_t calendar_day_from_ymd(int y, int m, int d);

/* Split a day number (CALENDAR_YEAR_MIN..MAX) into year, month, day. */
void calendar_ymd(int32_t day, int *y, int *m, int *d);

/*
 * Parse exactly "YYYY-MM-DD" (a date that exists, in range) into *day.
 * Returns false, leaving *day alone, for anything else.
 */
bool calendar_parse_date(const char *s, int32_t *day);

/*
 * Write day as "YYYY-MM-DD" into out (at least CALENDAR_DATE_LEN + 1
 * bytes); CALENDAR_NO_DAY or a day out of range gives "".
 */
void calendar_format_date(int32_t day, char *out, size_t outlen);

/* ISO 8601 weekday of day: 1 Monday ... 7 Sunday. */
int calendar_weekday(int32_t day);

/* The local (China Standard Time) date of a Unix time. */
int32_t calendar_day_from_time(time_t t);

/*
 * Calendar-day arithmetic: day + n, or CALENDAR_NO_DAY when either is
 * CALENDAR_NO_DAY or the result leaves the supported years.
 */
int32_t calendar_add_days(int32_t day, long n);

/* Calendar days from `from` to `to` (negative if to is earlier). */
long calendar_days_between(int32_t from, int32_t to);

/*
 * Build a calendar from n exceptions (copied; the caller keeps ex).  A day
 * listed twice keeps its last kind.  Returns 0 and *out, or -1 (allocation
 * failure, more than CALENDAR_MAX_EXCEPTIONS rows, a day out of range).
 * n == 0 gives the weekends-only calendar in which no year is known.
 */
int calendar_new(const struct calendar_exception *ex, size_t n,
    struct calendar **out);

/* Free and NULL *cal.  Accepts NULL and *cal == NULL. */
void calendar_free(struct calendar **cal);

/* Whether the calendar holds the official notice for year (see above). */
bool calendar_is_known_year(const struct calendar *cal, int year);

/*
 * Whether day is a working day.  Sets *unknown to true (never to false)
 * when day lies in a year the calendar does not know; unknown may be NULL.
 */
bool calendar_is_working_day(const struct calendar *cal, int32_t day,
    bool *unknown);

/*
 * The N-th working day after from (from itself is never counted, whatever
 * kind of day it is); n == 0 gives from.  CALENDAR_NO_DAY for n < 0, for a
 * from of CALENDAR_NO_DAY, or past the last supported year.  *unknown as
 * for calendar_is_working_day(), for every day looked at.
 */
int32_t calendar_add_working_days(const struct calendar *cal, int32_t from,
    long n, bool *unknown);

/*
 * Working days d with from < d <= to: the working days used from a start
 * to a day, or left from today to a due date.  If to < from the result is
 * minus the count for (to, from].  0 when either is CALENDAR_NO_DAY.
 */
long calendar_count_working_days(const struct calendar *cal, int32_t from,
    int32_t to, bool *unknown);

/*
 * day itself if it is a working day, else the first working day after it:
 * the end of a calendar-day period that falls on a day off (第八十条:
 * 期间届满的最后一日为法定节假日的，以法定节假日后的第一日为期间届满的日期).
 */
int32_t calendar_roll_forward(const struct calendar *cal, int32_t day,
    bool *unknown);

/*
 * Load the exceptions from the database (calendar_days) and build the
 * calendar.  Returns 0, or -1 with err naming the problem (a bad row, the
 * database unreadable).
 */
int calendar_load(struct db *db, struct calendar **out, char *err,
    size_t errlen);

#endif
