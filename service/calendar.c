/* SPDX-License-Identifier: MIT */
/*
 * The working-day calendar (see calendar.h for the conventions): day
 * numbers from and to civil dates (Howard Hinnant's days_from_civil and
 * civil_from_days algorithms), a sorted array of exception days searched
 * with bsearch(), the set of known years, and the walks that add or count
 * working days.  A walk looks at one day at a time; its length is bounded
 * by the range of supported years, and in practice by the periods of the
 * deadline rules (a few dozen working days, 120 calendar days).
 */
#include "service/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/calendar_store.h"

#define CALENDAR_NYEARS (CALENDAR_YEAR_MAX - CALENDAR_YEAR_MIN + 1)

struct calendar {
	struct calendar_exception	*ex;	/* sorted by day, unique */
	size_t				 nex;
	bool				 known[CALENDAR_NYEARS];
};

/* Days since 1970-01-01 of a civil date (no range checks). */
static int64_t
calendar_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The first and last supported day numbers. */
static int32_t
calendar_day_min(void)
{
	return (int32_t)calendar_days_from_civil(CALENDAR_YEAR_MIN, 1, 1);
}

static int32_t
calendar_day_max(void)
{
	return (int32_t)calendar_days_from_civil(CALENDAR_YEAR_MAX, 12, 31);
}

static bool
calendar_in_range(int32_t day)
{
	return day != CALENDAR_NO_DAY && day >= calendar_day_min() &&
	    day <= calendar_day_max();
}

int32_t
calendar_day_from_ymd(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int max;

	if (y < CALENDAR_YEAR_MIN || y > CALENDAR_YEAR_MAX || m < 1 ||
	    m > 12 || d < 1)
		return CALENDAR_NO_DAY;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	if (d > max)
		return CALENDAR_NO_DAY;
	return (int32_t)calendar_days_from_civil(y, (unsigned)m, (unsigned)d);
}

void
calendar_ymd(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468, era, yy;
	unsigned doe, yoe, doy, mp, dd, mm;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dd = doy - (153 * mp + 2) / 5 + 1;
	mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

/* n ASCII digits at s as a number, or -1. */
static int
calendar_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool
calendar_parse_date(const char *s, int32_t *day)
{
	int y, m, d;
	int32_t v;

	if (s == NULL || strlen(s) != CALENDAR_DATE_LEN || s[4] != '-' ||
	    s[7] != '-')
		return false;
	if ((y = calendar_digits(s, 4)) < 0 ||
	    (m = calendar_digits(s + 5, 2)) < 0 ||
	    (d = calendar_digits(s + 8, 2)) < 0)
		return false;
	if ((v = calendar_day_from_ymd(y, m, d)) == CALENDAR_NO_DAY)
		return false;
	*day = v;
	return true;
}

void
calendar_format_date(int32_t day, char *out, size_t outlen)
{
	int y, m, d;

	if (outlen == 0)
		return;
	out[0] = '\0';
	if (!calendar_in_range(day))
		return;
	calendar_ymd(day, &y, &m, &d);
	snprintf(out, outlen, "%04d-%02d-%02d", y, m, d);
}

int
calendar_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (4). */
	int r = (int)(((int64_t)day % 7 + 7) % 7);

	return (r + 3) % 7 + 1;
}

int32_t
calendar_day_from_time(time_t t)
{
	int64_t local = (int64_t)t + CALENDAR_UTC_OFFSET;
	int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);

	if (day < calendar_day_min() || day > calendar_day_max())
		return CALENDAR_NO_DAY;
	return (int32_t)day;
}

int32_t
calendar_add_days(int32_t day, long n)
{
	int64_t v;

	if (!calendar_in_range(day))
		return CALENDAR_NO_DAY;
	v = (int64_t)day + n;
	if (v < calendar_day_min() || v > calendar_day_max())
		return CALENDAR_NO_DAY;
	return (int32_t)v;
}

long
calendar_days_between(int32_t from, int32_t to)
{
	if (from == CALENDAR_NO_DAY || to == CALENDAR_NO_DAY)
		return 0;
	return (long)((int64_t)to - (int64_t)from);
}

static int
calendar_cmp_exception(const void *a, const void *b)
{
	const struct calendar_exception *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

/* An exception with its input position, for a stable sort. */
struct calendar_ordered {
	struct calendar_exception	ex;
	size_t				index;
};

static int
calendar_cmp_ordered(const void *a, const void *b)
{
	const struct calendar_ordered *x = a, *y = b;
	int c = calendar_cmp_exception(&x->ex, &y->ex);

	if (c != 0)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

int
calendar_new(const struct calendar_exception *ex, size_t n,
    struct calendar **out)
{
	struct calendar *cal;
	struct calendar_ordered *order = NULL;
	size_t i, k;

	*out = NULL;
	if (n > CALENDAR_MAX_EXCEPTIONS)
		return -1;
	for (i = 0; i < n; i++)
		if (!calendar_in_range(ex[i].day) ||
		    (ex[i].kind != CALENDAR_HOLIDAY &&
		    ex[i].kind != CALENDAR_WORKDAY))
			return -1;
	if ((cal = calloc(1, sizeof(*cal))) == NULL)
		return -1;
	if (n > 0) {
		if ((cal->ex = calloc(n, sizeof(*cal->ex))) == NULL) {
			free(cal);
			return -1;
		}
		/* Input order breaks ties, so that the last row wins. */
		if ((order = calloc(n, sizeof(*order))) == NULL) {
			free(cal->ex);
			free(cal);
			return -1;
		}
		for (i = 0; i < n; i++) {
			order[i].ex = ex[i];
			order[i].index = i;
		}
		qsort(order, n, sizeof(*order), calendar_cmp_ordered);
		for (i = 0; i < n; i++)
			cal->ex[i] = order[i].ex;
		free(order);
		for (i = 0, k = 0; i < n; i++) {
			if (k > 0 && cal->ex[k - 1].day == cal->ex[i].day)
				cal->ex[k - 1] = cal->ex[i];
			else
				cal->ex[k++] = cal->ex[i];
		}
		cal->nex = k;
	}
	for (i = 0; i < cal->nex; i++) {
		int y, m, d;

		calendar_ymd(cal->ex[i].day, &y, &m, &d);
		if (m == 1 && d == 1 && cal->ex[i].kind == CALENDAR_HOLIDAY)
			cal->known[y - CALENDAR_YEAR_MIN] = true;
	}
	*out = cal;
	return 0;
}

void
calendar_free(struct calendar **cal)
{
	if (cal == NULL || *cal == NULL)
		return;
	free((*cal)->ex);
	free(*cal);
	*cal = NULL;
}

bool
calendar_is_known_year(const struct calendar *cal, int year)
{
	if (cal == NULL || year < CALENDAR_YEAR_MIN || year > CALENDAR_YEAR_MAX)
		return false;
	return cal->known[year - CALENDAR_YEAR_MIN];
}

bool
calendar_is_working_day(const struct calendar *cal, int32_t day,
    bool *unknown)
{
	struct calendar_exception key = { day, CALENDAR_HOLIDAY };
	const struct calendar_exception *hit = NULL;
	int y, m, d;

	if (!calendar_in_range(day)) {
		if (unknown != NULL)
			*unknown = true;
		return false;
	}
	calendar_ymd(day, &y, &m, &d);
	if (!calendar_is_known_year(cal, y)) {
		if (unknown != NULL)
			*unknown = true;
		/* Weekends only; a stray exception row is not trusted. */
		return calendar_weekday(day) <= 5;
	}
	if (cal->nex > 0)
		hit = bsearch(&key, cal->ex, cal->nex, sizeof(*cal->ex),
		    calendar_cmp_exception);
	if (hit != NULL)
		return hit->kind == CALENDAR_WORKDAY;
	return calendar_weekday(day) <= 5;
}

int32_t
calendar_add_working_days(const struct calendar *cal, int32_t from, long n,
    bool *unknown)
{
	int32_t day = from, max = calendar_day_max();

	if (n < 0 || !calendar_in_range(from))
		return CALENDAR_NO_DAY;
	while (n > 0) {
		if (day >= max)
			return CALENDAR_NO_DAY;
		day++;
		if (calendar_is_working_day(cal, day, unknown))
			n--;
	}
	return day;
}

long
calendar_count_working_days(const struct calendar *cal, int32_t from,
    int32_t to, bool *unknown)
{
	long count = 0;
	int32_t lo, hi;

	if (!calendar_in_range(from) || !calendar_in_range(to))
		return 0;
	lo = from < to ? from : to;
	hi = from < to ? to : from;
	for (int32_t day = lo + 1; day <= hi; day++)
		if (calendar_is_working_day(cal, day, unknown))
			count++;
	return from <= to ? count : -count;
}

int32_t
calendar_roll_forward(const struct calendar *cal, int32_t day,
    bool *unknown)
{
	int32_t max = calendar_day_max();

	if (!calendar_in_range(day))
		return CALENDAR_NO_DAY;
	while (!calendar_is_working_day(cal, day, unknown)) {
		if (day >= max)
			return CALENDAR_NO_DAY;
		day++;
	}
	return day;
}

int
calendar_load(struct db *db, struct calendar **out, char *err, size_t errlen)
{
	struct calendar_store_day *days = NULL;
	struct calendar_exception *ex = NULL;
	size_t n = 0;
	enum storage_status st;
	int rc = -1;

	*out = NULL;
	if ((st = calendar_store_load(db, &days, &n)) != STORAGE_OK) {
		snprintf(err, errlen, "calendar: cannot read calendar_days: %s",
		    storage_status_str(st));
		return -1;
	}
	if (n > 0 && (ex = calloc(n, sizeof(*ex))) == NULL) {
		snprintf(err, errlen, "calendar: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!calendar_parse_date(days[i].date, &ex[i].day)) {
			snprintf(err, errlen, "calendar: bad date \"%s\" in "
			    "calendar_days", days[i].date);
			goto out;
		}
		ex[i].kind = days[i].workday ? CALENDAR_WORKDAY :
		    CALENDAR_HOLIDAY;
	}
	if (calendar_new(ex, n, out) != 0) {
		snprintf(err, errlen, "calendar: cannot build the calendar "
		    "(%zu rows)", n);
		goto out;
	}
	rc = 0;
out:
	free(ex);
	calendar_store_free(&days);
	return rc;
}
