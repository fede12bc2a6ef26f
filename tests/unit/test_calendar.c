/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the working-day calendar (service/calendar.c) and its
 * loader (storage/calendar_store.c): date parsing and arithmetic, then the
 * real 2022-2026 calendar loaded from the embedded data/holidays-*.csv into
 * a fresh database, checked against dates computed by hand around 国庆 and
 * 春节 and on adjusted working weekends (调休上班), and the weekends-only
 * rule with the "calendar unknown" flag outside the known years.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "service/calendar.h"
#include "service/refdata_load.h"
#include "storage/db.h"

struct fixture {
	char		 dir[64];
	char		 path[128];
	struct db	*db;
	struct calendar	*cal;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512];

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_calendar.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/tipline.db", fx->dir);
	if (db_open(fx->path, DB_OPEN_CREATE, &fx->db, err, sizeof(err)) !=
	    STORAGE_OK || refdata_load_all(fx->db, err, sizeof(err)) != 0 ||
	    calendar_load(fx->db, &fx->cal, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	char p[160];

	calendar_free(&fx->cal);
	db_close(&fx->db);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, suffixes[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Day number of a date the test knows to be valid. */
static int32_t
D(const char *s)
{
	int32_t day = CALENDAR_NO_DAY;

	assert_true(calendar_parse_date(s, &day));
	return day;
}

/* Assert that day formats as want. */
static void
assert_day(int32_t day, const char *want)
{
	char buf[CALENDAR_DATE_LEN + 1];

	calendar_format_date(day, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void
test_dates(void **state)
{
	int32_t day = 0;
	int y, m, d;

	(void)state;
	assert_int_equal(D("1970-01-01"), 0);
	assert_int_equal(D("1970-01-02"), 1);
	assert_int_equal(D("1969-12-31"), -1);
	assert_int_equal(D("2000-03-01") - D("2000-02-28"), 2);	/* leap */
	assert_int_equal(D("1900-03-01") - D("1900-02-28"), 1);	/* not */
	assert_true(calendar_parse_date("2024-02-29", &day));
	assert_false(calendar_parse_date("2023-02-29", &day));
	assert_false(calendar_parse_date("2022-13-01", &day));
	assert_false(calendar_parse_date("2022-1-01", &day));
	assert_false(calendar_parse_date("2022-01-01 ", &day));
	assert_false(calendar_parse_date("2022/01/01", &day));
	assert_false(calendar_parse_date("1899-12-31", &day));
	assert_false(calendar_parse_date("3000-01-01", &day));
	assert_false(calendar_parse_date("", &day));
	assert_false(calendar_parse_date(NULL, &day));
	for (day = D("1900-01-01"); day <= D("2999-12-31"); day += 97) {
		char buf[16];

		calendar_ymd(day, &y, &m, &d);
		assert_int_equal(calendar_day_from_ymd(y, m, d), day);
		calendar_format_date(day, buf, sizeof(buf));
		assert_int_equal(D(buf), day);
	}
	assert_day(D("2022-10-01"), "2022-10-01");
	assert_day(CALENDAR_NO_DAY, "");

	/* ISO weekdays. */
	assert_int_equal(calendar_weekday(D("1970-01-01")), 4);
	assert_int_equal(calendar_weekday(D("2022-10-01")), 6);
	assert_int_equal(calendar_weekday(D("2022-10-09")), 7);
	assert_int_equal(calendar_weekday(D("2026-04-20")), 1);
	assert_int_equal(calendar_weekday(D("1969-12-29")), 1);

	/* Calendar-day arithmetic. */
	assert_day(calendar_add_days(D("2022-07-05"), 90), "2022-10-03");
	assert_day(calendar_add_days(D("2024-02-28"), 1), "2024-02-29");
	assert_day(calendar_add_days(D("2022-12-31"), 1), "2023-01-01");
	assert_int_equal(calendar_add_days(D("2999-12-31"), 1),
	    CALENDAR_NO_DAY);
	assert_int_equal(calendar_add_days(CALENDAR_NO_DAY, 1),
	    CALENDAR_NO_DAY);
	assert_int_equal(calendar_days_between(D("2022-07-05"),
	    D("2022-10-03")), 90);
	assert_int_equal(calendar_days_between(D("2022-10-03"),
	    D("2022-07-05")), -90);

	/* Local dates are China Standard Time (UTC+8). */
	assert_day(calendar_day_from_time(0), "1970-01-01");
	assert_day(calendar_day_from_time(16 * 3600 - 1), "1970-01-01");
	assert_day(calendar_day_from_time(16 * 3600), "1970-01-02");
	/* 2022-09-30T16:00:00Z is midnight of 2022-10-01 in Beijing. */
	assert_day(calendar_day_from_time(1664553600), "2022-10-01");
	assert_day(calendar_day_from_time(1664553599), "2022-09-30");
}

static void
test_known_years(void **state)
{
	struct fixture *fx = *state;

	for (int y = 2022; y <= 2026; y++)
		assert_true(calendar_is_known_year(fx->cal, y));
	/* holidays-2023.csv lists 2022-12-31, which must not make 2021 or
	 * anything else known; 2027 has no data yet. */
	assert_false(calendar_is_known_year(fx->cal, 2021));
	assert_false(calendar_is_known_year(fx->cal, 2027));
	assert_false(calendar_is_known_year(NULL, 2022));
}

static void
test_working_days_2022(void **state)
{
	struct fixture *fx = *state;
	bool unknown = false;
	static const struct {
		const char *date;
		bool working;
	} cases[] = {
		{ "2022-01-03", false },	/* 元旦, a Monday */
		{ "2022-01-29", true },		/* 春节 adjusted Saturday */
		{ "2022-01-30", true },		/* and Sunday */
		{ "2022-01-31", false },	/* 春节 */
		{ "2022-02-06", false },
		{ "2022-02-07", true },
		{ "2022-04-02", true },		/* 清明 adjusted Saturday */
		{ "2022-04-05", false },	/* 清明 */
		{ "2022-04-24", true },		/* 劳动节 adjusted Sunday */
		{ "2022-05-04", false },
		{ "2022-05-07", true },
		{ "2022-09-30", true },		/* the Friday before 国庆 */
		{ "2022-10-01", false },	/* 国庆 */
		{ "2022-10-07", false },
		{ "2022-10-08", true },		/* adjusted Saturday */
		{ "2022-10-09", true },		/* adjusted Sunday */
		{ "2022-10-15", false },	/* an ordinary Saturday */
		{ "2022-10-17", true },		/* an ordinary Monday */
		{ "2022-12-31", false },	/* in holidays-2023.csv */
		{ "2023-01-28", true },		/* 2023 春节 adjusted Saturday */
		{ "2024-02-04", true },		/* 2024 adjusted Sunday */
		{ "2024-02-12", false },	/* 2024 春节, a Monday */
		{ "2026-02-14", true },		/* 2026 adjusted Saturday */
		{ "2026-02-23", false },	/* 2026 春节, a Monday */
		{ "2026-02-28", true },
		{ "2026-05-05", false },
		{ "2026-05-09", true },
		{ "2026-10-10", true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (calendar_is_working_day(fx->cal, D(cases[i].date),
		    &unknown) != cases[i].working)
			fail_msg("%s should %sbe a working day", cases[i].date,
			    cases[i].working ? "" : "not ");
	}
	assert_false(unknown);
}

static void
test_add_working_days(void **state)
{
	struct fixture *fx = *state;
	bool unknown = false;
	static const struct {
		const char *from;
		long n;
		const char *want;
	} cases[] = {
		/* Before 国庆 2022: 9-30 is day 1, the adjusted weekend days
		 * 10-08 and 10-09 are days 2 and 3, 10-25 the 15th. */
		{ "2022-09-29", 15, "2022-10-25" },
		{ "2022-09-29", 1, "2022-09-30" },
		{ "2022-09-29", 2, "2022-10-08" },
		{ "2022-09-29", 30, "2022-11-15" },
		/* Before 春节 2022: 1-29 and 1-30 (adjusted) are days 1, 2. */
		{ "2022-01-28", 15, "2022-02-23" },
		{ "2022-01-28", 2, "2022-01-30" },
		{ "2022-01-28", 3, "2022-02-07" },
		/* Received on an adjusted working Saturday: not counted. */
		{ "2022-10-08", 15, "2022-10-27" },
		/* Received on a holiday: day 1 is the next working day. */
		{ "2022-10-03", 15, "2022-10-26" },
		{ "2022-10-03", 1, "2022-10-08" },
		/* Received the day before 春节 2023. */
		{ "2023-01-20", 15, "2023-02-15" },
		/* 2026, around 劳动节 (5-09 is an adjusted Saturday). */
		{ "2026-04-10", 15, "2026-05-06" },
		{ "2026-04-20", 15, "2026-05-13" },
		{ "2026-05-06", 5, "2026-05-12" },
		{ "2026-04-20", 0, "2026-04-20" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[16];

		calendar_format_date(calendar_add_working_days(fx->cal,
		    D(cases[i].from), cases[i].n, &unknown), got, sizeof(got));
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s + %ld working days: %s, want %s",
			    cases[i].from, cases[i].n, got, cases[i].want);
	}
	assert_false(unknown);
	assert_int_equal(calendar_add_working_days(fx->cal, D("2022-01-01"),
	    -1, NULL), CALENDAR_NO_DAY);
	assert_int_equal(calendar_add_working_days(fx->cal, CALENDAR_NO_DAY,
	    1, NULL), CALENDAR_NO_DAY);
}

static void
test_count_and_roll(void **state)
{
	struct fixture *fx = *state;
	bool unknown = false;

	/* (9-29, 10-25] holds exactly the 15 working days above. */
	assert_int_equal(calendar_count_working_days(fx->cal, D("2022-09-29"),
	    D("2022-10-25"), &unknown), 15);
	assert_int_equal(calendar_count_working_days(fx->cal, D("2022-10-25"),
	    D("2022-09-29"), &unknown), -15);
	assert_int_equal(calendar_count_working_days(fx->cal, D("2022-10-01"),
	    D("2022-10-07"), &unknown), 0);
	assert_int_equal(calendar_count_working_days(fx->cal, D("2022-10-07"),
	    D("2022-10-07"), &unknown), 0);
	assert_false(unknown);

	/* 90 days after 2022-07-05 is 10-03, in 国庆: the period ends on the
	 * first working day after it, the adjusted Saturday 10-08. */
	assert_day(calendar_roll_forward(fx->cal, calendar_add_days(
	    D("2022-07-05"), 90), &unknown), "2022-10-08");
	assert_day(calendar_roll_forward(fx->cal, D("2022-10-17"), &unknown),
	    "2022-10-17");
	assert_day(calendar_roll_forward(fx->cal, D("2022-10-15"), &unknown),
	    "2022-10-17");
	assert_false(unknown);
}

static void
test_unknown_years(void **state)
{
	struct fixture *fx = *state;
	bool unknown = false;

	/* 2027: weekends only, flagged.  2027-01-01 is a Friday, which the
	 * weekend rule takes for a working day. */
	assert_true(calendar_is_working_day(fx->cal, D("2027-01-01"),
	    &unknown));
	assert_true(unknown);
	unknown = false;
	assert_false(calendar_is_working_day(fx->cal, D("2027-01-02"),
	    &unknown));
	assert_true(unknown);

	/* A period running from 2026 into 2027 is flagged, and counted by
	 * the weekend rule in 2027: 2026-12-31 (Thu) + 1 is 2027-01-01. */
	unknown = false;
	assert_day(calendar_add_working_days(fx->cal, D("2026-12-30"), 2,
	    &unknown), "2027-01-01");
	assert_true(unknown);
	/* Entirely inside 2026: no flag. */
	unknown = false;
	assert_day(calendar_add_working_days(fx->cal, D("2026-12-21"), 5,
	    &unknown), "2026-12-28");
	assert_false(unknown);

	/* 2021: before the data. */
	unknown = false;
	assert_true(calendar_is_working_day(fx->cal, D("2021-12-31"),
	    &unknown));
	assert_true(unknown);
}

static void
test_build_rules(void **state)
{
	struct calendar *cal = NULL;
	struct calendar_exception ex[3];
	bool unknown = false;

	(void)state;
	/* Empty: weekends only, nothing known. */
	assert_int_equal(calendar_new(NULL, 0, &cal), 0);
	assert_false(calendar_is_known_year(cal, 2022));
	assert_false(calendar_is_working_day(cal, D("2022-10-08"), &unknown));
	assert_true(unknown);
	calendar_free(&cal);
	assert_null(cal);
	calendar_free(&cal);
	calendar_free(NULL);

	/* A day listed twice keeps its last kind; out of order is fine. */
	ex[0].day = D("2030-05-04");
	ex[0].kind = CALENDAR_HOLIDAY;
	ex[1].day = D("2030-01-01");
	ex[1].kind = CALENDAR_HOLIDAY;
	ex[2].day = D("2030-05-04");
	ex[2].kind = CALENDAR_WORKDAY;
	assert_int_equal(calendar_new(ex, 3, &cal), 0);
	assert_true(calendar_is_known_year(cal, 2030));
	unknown = false;
	assert_true(calendar_is_working_day(cal, D("2030-05-04"), &unknown));
	assert_false(calendar_is_working_day(cal, D("2030-01-01"), &unknown));
	assert_false(unknown);
	calendar_free(&cal);

	/* Bad rows are refused. */
	ex[0].kind = (enum calendar_kind)7;
	assert_int_equal(calendar_new(ex, 1, &cal), -1);
	assert_null(cal);
	ex[0].kind = CALENDAR_HOLIDAY;
	ex[0].day = CALENDAR_NO_DAY;
	assert_int_equal(calendar_new(ex, 1, &cal), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_build_rules),
		cmocka_unit_test_setup_teardown(test_known_years, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_working_days_2022, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_add_working_days, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_count_and_roll, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_years, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
