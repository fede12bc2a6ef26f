/* SPDX-License-Identifier: MIT */
/*
 * Shared pieces of the staff operations (see staff.h): status mapping,
 * role checks and time formats.  No state; thread-safe.
 */
#include "service/staff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/status.h"

#define STAFF_CST_OFFSET (8 * 3600)

/* The HTTP status for st. */
int
staff_status_http(enum staff_status st)
{
	switch (st) {
	case STAFF_OK:			return 200;
	case STAFF_UNAUTHENTICATED:	return 401;
	case STAFF_FORBIDDEN:		return 403;
	case STAFF_NOT_FOUND:		return 404;
	case STAFF_INVALID:		return 400;
	case STAFF_TRANSIENT:		return 503;
	case STAFF_FAILED:		return 500;
	case STAFF_CONFLICT:		return 409;
	}
	return 500;
}

/* A storage status as the staff status a handler answers with. */
enum staff_status
staff_status_from_storage(int storage_status)
{
	enum storage_status st = (enum storage_status)storage_status;

	if (st == STORAGE_OK)
		return STAFF_OK;
	if (st == STORAGE_ERR_NOTFOUND)
		return STAFF_NOT_FOUND;
	if (st == STORAGE_ERR_INVALID)
		return STAFF_INVALID;
	if (storage_status_is_transient(st))
		return STAFF_TRANSIENT;
	return STAFF_FAILED;
}

/* Whether u's role is one of roles. */
bool
staff_user_has_role(const struct staff_user *u, unsigned roles)
{
	return u != NULL && u->scope.role != SCOPE_ROLE_NONE &&
	    (roles & SCOPE_ROLE_BIT(u->scope.role)) != 0;
}

/* RFC 3339 in UTC. */
void
staff_time_format(int64_t t, char buf[STAFF_TIME_MAX])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, STAFF_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, STAFF_TIME_MAX, "%lld", (long long)t);
}

/* Read exactly n decimal digits at s into *v. */
static bool
staff_digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
staff_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
staff_days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* See staff.h: a day in CST, or a UTC instant. */
int
staff_time_parse(const char *s, bool end_of_day, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t len;
	int64_t t;

	if (s == NULL)
		return -1;
	len = strlen(s);
	if ((len != 10 && len != 20) || !staff_digits(s, 4, &y) ||
	    s[4] != '-' || !staff_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !staff_digits(s + 8, 2, &d) || y < 1970 || mo < 1 || mo > 12 ||
	    d < 1 || d > staff_days_in_month(y, mo))
		return -1;
	t = staff_days_from_civil(y, mo, d) * 86400;
	if (len == 10) {
		t -= STAFF_CST_OFFSET;
		if (end_of_day)
			t += 86400 - 1;
		*out = t;
		return 0;
	}
	if (s[10] != 'T' || !staff_digits(s + 11, 2, &h) || s[13] != ':' ||
	    !staff_digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !staff_digits(s + 17, 2, &se) || s[19] != 'Z' || h > 23 ||
	    mi > 59 || se > 59)
		return -1;
	*out = t + h * 3600 + mi * 60 + se;
	return 0;
}

bool
staff_valid_code(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-");
	return n > 0 && s[n] == '\0' && n < max;
}

int
staff_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end = NULL;
	long long v;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
