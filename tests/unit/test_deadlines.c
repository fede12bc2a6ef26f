/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the deadline rules (service/deadlines.c) over the real rule
 * table and calendar loaded from the embedded data into a fresh database:
 * the two regimes (a tip of 2026-04-10 under order 20, with the real-name
 * notice; one of 2026-04-20 under order 121, without), a pause for testing
 * (closed and open), extensions (approved, unapproved, late, a second one),
 * the order-121 restart (and its refusal for an order-20 tip), the case
 * decision in calendar days ending on a holiday, states and days left, the
 * "calendar unknown" flag, and the storage loaders (deadline_store.c).
 * Every expected date was counted by hand on the official calendar.
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

#include <sqlite3.h>

#include "service/calendar.h"
#include "service/deadlines.h"
#include "service/refdata_load.h"
#include "storage/db.h"

struct fixture {
	char			 dir[64];
	char			 path[128];
	struct db		*db;
	struct calendar		*cal;
	struct deadline_rule	*rules;
	size_t			 nrules;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512];

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_deadlines.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/tipline.db", fx->dir);
	if (db_open(fx->path, DB_OPEN_CREATE, &fx->db, err, sizeof(err)) !=
	    STORAGE_OK || refdata_load_all(fx->db, err, sizeof(err)) != 0 ||
	    calendar_load(fx->db, &fx->cal, err, sizeof(err)) != 0 ||
	    deadlines_load_rules(fx->db, &fx->rules, &fx->nrules, err,
	    sizeof(err)) != 0) {
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

	free(fx->rules);
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

static int32_t
D(const char *s)
{
	int32_t day = CALENDAR_NO_DAY;

	assert_true(calendar_parse_date(s, &day));
	return day;
}

static void
assert_day(int32_t day, const char *want)
{
	char buf[CALENDAR_DATE_LEN + 1];

	calendar_format_date(day, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* Facts of a tip received on `received`, nothing decided yet. */
static struct deadline_facts
facts(const char *received, bool real_name)
{
	struct deadline_facts f;

	memset(&f, 0, sizeof(f));
	f.received = D(received);
	f.real_name = real_name;
	f.decided = f.notified = f.filed_on = f.case_decided = CALENDAR_NO_DAY;
	return f;
}

static struct deadline_event
event(const char *rule, enum deadline_event_kind kind, const char *on,
    bool approved)
{
	struct deadline_event e;

	memset(&e, 0, sizeof(e));
	snprintf(e.rule_id, sizeof(e.rule_id), "%s", rule);
	e.kind = kind;
	e.on = D(on);
	e.approved = approved;
	return e;
}

/* Compute and return the count; out gets the deadlines. */
static size_t
compute(struct fixture *fx, const struct deadline_event *ev, size_t nev,
    const struct deadline_facts *f, const char *today,
    struct deadline out[DEADLINES_MAX])
{
	size_t n = 99;

	assert_int_equal(deadlines_compute(fx->cal, fx->rules, fx->nrules, ev,
	    nev, f, D(today), out, &n), 0);
	return n;
}

static void
test_rules_loaded(void **state)
{
	struct fixture *fx = *state;
	const struct deadline_rule *r;

	r = deadlines_rule_in_force(fx->rules, fx->nrules,
	    DEADLINES_RULE_FILING, D("2022-05-01"));
	assert_non_null(r);
	assert_int_equal(r->limit, 15);
	assert_int_equal(r->unit, DEADLINE_UNIT_WORKING_DAYS);
	assert_int_equal(r->extension, 15);
	assert_int_equal(r->extension_unit, DEADLINE_UNIT_WORKING_DAYS);
	assert_non_null(strstr(r->source, "第十八条"));

	/* The notice rule ends on 2026-04-14, the day before order 121. */
	r = deadlines_rule_in_force(fx->rules, fx->nrules,
	    DEADLINES_RULE_NOTICE, D("2026-04-14"));
	assert_non_null(r);
	assert_int_equal(r->limit, 5);
	assert_non_null(strstr(r->source, "第三十一条第二款"));
	assert_null(deadlines_rule_in_force(fx->rules, fx->nrules,
	    DEADLINES_RULE_NOTICE, D("2026-04-15")));
	assert_null(deadlines_rule_in_force(fx->rules, fx->nrules,
	    DEADLINES_RULE_NOTICE, D("2019-12-31")));

	r = deadlines_rule_in_force(fx->rules, fx->nrules,
	    DEADLINES_RULE_CASE, D("2026-04-20"));
	assert_non_null(r);
	assert_int_equal(r->limit, 90);
	assert_int_equal(r->unit, DEADLINE_UNIT_DAYS);
	assert_int_equal(r->extension, 30);
	assert_non_null(strstr(r->source, "第六十四条"));

	assert_null(deadlines_rule_in_force(fx->rules, fx->nrules,
	    DEADLINES_RULE_RESTART, D("2026-04-14")));
	assert_non_null(deadlines_rule_in_force(fx->rules, fx->nrules,
	    DEADLINES_RULE_RESTART, D("2026-04-15")));
	assert_null(deadlines_rule_in_force(fx->rules, fx->nrules,
	    "no_such_rule", D("2026-04-15")));
	assert_int_equal(deadline_unit_from_name("working_days"),
	    DEADLINE_UNIT_WORKING_DAYS);
	assert_int_equal(deadline_unit_from_name("furlongs"),
	    DEADLINE_UNIT_NONE);
	assert_string_equal(deadline_state_name(DEADLINE_OVERDUE), "overdue");
}

/* Order 20: a real-name tip of 2026-04-10 gets the 5-day notice. */
static void
test_regime_order20(void **state)
{
	struct fixture *fx = *state;
	struct deadline d[DEADLINES_MAX];
	struct deadline_facts f = facts("2026-04-10", true);

	assert_int_equal(compute(fx, NULL, 0, &f, "2026-04-20", d), 3);
	assert_string_equal(d[0].rule->rule_id, DEADLINES_RULE_FILING);
	assert_int_equal(d[0].state, DEADLINE_RUNNING);
	/* 15 working days: 劳动节 5-01..5-05 is off, 5-06 the 15th. */
	assert_day(d[0].due, "2026-05-06");
	assert_day(d[0].start, "2026-04-10");
	/* Used by 4-20: 4-13..4-17 and 4-20; left: 4-21 .. 5-06. */
	assert_int_equal(d[0].used, 6);
	assert_int_equal(d[0].left, 9);
	assert_int_equal(d[0].flags, 0);
	assert_string_equal(d[1].rule->rule_id, DEADLINES_RULE_NOTICE);
	assert_int_equal(d[1].state, DEADLINE_WAITING);
	assert_int_equal(d[1].due, CALENDAR_NO_DAY);
	assert_string_equal(d[2].rule->rule_id, DEADLINES_RULE_CASE);
	assert_int_equal(d[2].state, DEADLINE_WAITING);

	/* Decided (filed) on the due day; the notice runs 5 working days:
	 * 5-07, 5-08, 5-09 (adjusted Saturday), 5-11, 5-12. */
	f.decided = f.filed_on = D("2026-05-06");
	f.filed = true;
	assert_int_equal(compute(fx, NULL, 0, &f, "2026-05-07", d), 3);
	assert_int_equal(d[0].state, DEADLINE_MET);
	assert_int_equal(d[0].left, 0);
	assert_int_equal(d[1].state, DEADLINE_RUNNING);
	assert_day(d[1].due, "2026-05-12");
	assert_int_equal(d[1].left, 4);
	assert_int_equal(d[2].state, DEADLINE_RUNNING);
	/* 90 days after 5-06 is 8-04, a Tuesday. */
	assert_day(d[2].due, "2026-08-04");

	/* Told on 5-13: one working day late. */
	f.notified = D("2026-05-13");
	assert_int_equal(compute(fx, NULL, 0, &f, "2026-05-20", d), 3);
	assert_int_equal(d[1].state, DEADLINE_MET_LATE);
	assert_int_equal(d[1].left, -1);

	/* An anonymous tip of the same day: no notice. */
	f = facts("2026-04-10", false);
	assert_int_equal(compute(fx, NULL, 0, &f, "2026-04-20", d), 2);
	assert_string_equal(d[0].rule->rule_id, DEADLINES_RULE_FILING);
	assert_string_equal(d[1].rule->rule_id, DEADLINES_RULE_CASE);
}

/* Order 121: a real-name tip of 2026-04-20 has no notice deadline. */
static void
test_regime_order121(void **state)
{
	struct fixture *fx = *state;
	struct deadline d[DEADLINES_MAX];
	struct deadline_facts f = facts("2026-04-20", true);

	assert_int_equal(compute(fx, NULL, 0, &f, "2026-04-20", d), 2);
	assert_string_equal(d[0].rule->rule_id, DEADLINES_RULE_FILING);
	/* 4-21..4-30 (8), 5-06..5-08 (11), 5-09 adjusted Saturday (12),
	 * 5-11, 5-12, 5-13 (15). */
	assert_day(d[0].due, "2026-05-13");
	assert_int_equal(d[0].left, 15);
	assert_int_equal(d[0].used, 0);
	assert_string_equal(d[1].rule->rule_id, DEADLINES_RULE_CASE);

	/* Overdue on 5-20 by 5 working days (5-14, 15, 18, 19, 20). */
	assert_int_equal(compute(fx, NULL, 0, &f, "2026-05-20", d), 2);
	assert_int_equal(d[0].state, DEADLINE_OVERDUE);
	assert_int_equal(d[0].left, -5);
	assert_int_equal(d[0].used, 20);

	/* A decision not to file: no case deadline. */
	f.decided = D("2026-05-12");
	assert_int_equal(compute(fx, NULL, 0, &f, "2026-05-20", d), 1);
	assert_int_equal(d[0].state, DEADLINE_MET);
	assert_int_equal(d[0].left, 1);
}

/* Before 国庆 2022, and the case decision ending in the holiday. */
static void
test_2022_holidays(void **state)
{
	struct fixture *fx = *state;
	struct deadline d[DEADLINES_MAX];
	struct deadline_event ev[1];
	struct deadline_facts f = facts("2022-09-29", false);

	assert_int_equal(compute(fx, NULL, 0, &f, "2022-09-29", d), 2);
	assert_day(d[0].due, "2022-10-25");
	assert_int_equal(d[0].flags, 0);

	f = facts("2022-01-28", true);
	assert_int_equal(compute(fx, NULL, 0, &f, "2022-01-28", d), 3);
	assert_day(d[0].due, "2022-02-23");

	/* Filed 2022-07-05: 90 days end on 10-03 (国庆), so the period ends
	 * on 10-08, the adjusted working Saturday; +30 days: 11-02. */
	f = facts("2022-06-20", false);
	f.decided = f.filed_on = D("2022-07-05");
	f.filed = true;
	assert_int_equal(compute(fx, NULL, 0, &f, "2022-07-06", d), 2);
	assert_string_equal(d[1].rule->rule_id, DEADLINES_RULE_CASE);
	assert_day(d[1].base_due, "2022-10-08");
	assert_day(d[1].due, "2022-10-08");
	assert_int_equal(d[1].left, 94);
	ev[0] = event(DEADLINES_RULE_CASE, DEADLINE_EVENT_EXTEND, "2022-09-30",
	    true);
	assert_int_equal(compute(fx, ev, 1, &f, "2022-10-09", d), 2);
	assert_day(d[1].due, "2022-11-02");
	assert_int_equal(d[1].total, 120);
	assert_int_equal(d[1].state, DEADLINE_RUNNING);
	assert_true(d[1].flags & DEADLINE_FLAG_EXTENDED);
	f.case_decided = D("2022-10-31");
	assert_int_equal(compute(fx, ev, 1, &f, "2022-12-01", d), 2);
	assert_int_equal(d[1].state, DEADLINE_MET);
	assert_int_equal(d[1].left, 2);
}

/* Testing time: a pause for testing, resumed and open. */
static void
test_pause(void **state)
{
	struct fixture *fx = *state;
	struct deadline d[DEADLINES_MAX];
	struct deadline_event ev[3];
	struct deadline_facts f = facts("2026-04-20", false);

	/* Samples sent for testing on 4-22, results on 4-28: the working
	 * days 4-23, 4-24, 4-27, 4-28 are not counted, so 4 working days
	 * later than 5-13: 5-14, 5-15, 5-18, 5-19. */
	ev[0] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_RESUME,
	    "2026-04-28", false);
	ev[1] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_PAUSE,
	    "2026-04-22", false);
	assert_int_equal(compute(fx, ev, 2, &f, "2026-04-30", d), 2);
	assert_day(d[0].due, "2026-05-19");
	assert_day(d[0].base_due, "2026-05-19");
	assert_int_equal(d[0].state, DEADLINE_RUNNING);
	/* Used: 4-21, 4-22, 4-29, 4-30. */
	assert_int_equal(d[0].used, 4);
	assert_int_equal(d[0].left, 11);

	/* Still waiting for results: no due date, 2 days used, 13 left. */
	assert_int_equal(compute(fx, &ev[1], 1, &f, "2026-05-20", d), 2);
	assert_int_equal(d[0].state, DEADLINE_PAUSED);
	assert_int_equal(d[0].due, CALENDAR_NO_DAY);
	assert_int_equal(d[0].used, 2);
	assert_int_equal(d[0].left, 13);

	/* A pause of another rule changes nothing here. */
	ev[2] = event(DEADLINES_RULE_CASE, DEADLINE_EVENT_PAUSE, "2026-04-22",
	    false);
	assert_int_equal(compute(fx, &ev[2], 1, &f, "2026-04-22", d), 2);
	assert_day(d[0].due, "2026-05-13");
	assert_int_equal(d[1].state, DEADLINE_WAITING);

	/* A resume without a pause is ignored; a pause on its own resume
	 * day leaves nothing out. */
	assert_int_equal(compute(fx, ev, 1, &f, "2026-04-22", d), 2);
	assert_day(d[0].due, "2026-05-13");
	ev[1] = ev[0];
	ev[0] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_PAUSE,
	    "2026-04-28", false);
	assert_int_equal(compute(fx, ev, 2, &f, "2026-04-28", d), 2);
	assert_day(d[0].due, "2026-05-13");
}

static void
test_extension(void **state)
{
	struct fixture *fx = *state;
	struct deadline d[DEADLINES_MAX];
	struct deadline_event ev[2];
	struct deadline_facts f = facts("2026-04-20", false);

	/* Approved on 5-10: 15 + 15 working days, due 6-03. */
	ev[0] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_EXTEND,
	    "2026-05-10", true);
	assert_int_equal(compute(fx, ev, 1, &f, "2026-05-20", d), 2);
	assert_day(d[0].base_due, "2026-05-13");
	assert_day(d[0].due, "2026-06-03");
	assert_int_equal(d[0].total, 30);
	assert_int_equal(d[0].state, DEADLINE_RUNNING);
	assert_int_equal(d[0].flags, DEADLINE_FLAG_EXTENDED);

	/* Without a recorded approval it does not count. */
	ev[0].approved = false;
	assert_int_equal(compute(fx, ev, 1, &f, "2026-05-20", d), 2);
	assert_day(d[0].due, "2026-05-13");
	assert_int_equal(d[0].state, DEADLINE_OVERDUE);
	assert_int_equal(d[0].flags, DEADLINE_FLAG_UNAPPROVED);

	/* Approved after the original due date: counted, flagged late. */
	ev[0] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_EXTEND,
	    "2026-05-15", true);
	assert_int_equal(compute(fx, ev, 1, &f, "2026-05-20", d), 2);
	assert_day(d[0].due, "2026-06-03");
	assert_true(d[0].flags & DEADLINE_FLAG_EXTENDED_LATE);

	/* A second extension is beyond the rule: flagged, not added. */
	ev[1] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_EXTEND,
	    "2026-06-01", true);
	assert_int_equal(compute(fx, ev, 2, &f, "2026-06-01", d), 2);
	assert_day(d[0].due, "2026-06-03");
	assert_true(d[0].flags & DEADLINE_FLAG_FURTHER_EXTENSION);

	/* The notice has no extension at all. */
	f = facts("2026-04-10", true);
	f.decided = D("2026-05-06");
	ev[0] = event(DEADLINES_RULE_NOTICE, DEADLINE_EVENT_EXTEND,
	    "2026-05-07", true);
	assert_int_equal(compute(fx, ev, 1, &f, "2026-05-07", d), 2);
	assert_day(d[1].due, "2026-05-12");
	assert_true(d[1].flags & DEADLINE_FLAG_FURTHER_EXTENSION);
}

/* Order 121 第三十五条第二款: a merged repeat tip restarts the clock. */
static void
test_restart(void **state)
{
	struct fixture *fx = *state;
	struct deadline d[DEADLINES_MAX];
	struct deadline_event ev[3];
	struct deadline_facts f = facts("2026-04-20", false);

	/* A pause before the restart belongs to the old period; the new
	 * tip arrived on 5-04 (a holiday): 5-06 is day 1, 5-25 day 15. */
	ev[0] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_PAUSE,
	    "2026-04-22", false);
	ev[1] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_RESTART,
	    "2026-05-04", false);
	assert_int_equal(compute(fx, ev, 2, &f, "2026-05-06", d), 2);
	assert_day(d[0].start, "2026-05-04");
	assert_day(d[0].due, "2026-05-25");
	assert_int_equal(d[0].state, DEADLINE_RUNNING);
	assert_int_equal(d[0].used, 1);
	assert_true(d[0].flags & DEADLINE_FLAG_RESTARTED);

	/* An order-20 tip does not restart. */
	f = facts("2026-04-10", false);
	ev[1] = event(DEADLINES_RULE_FILING, DEADLINE_EVENT_RESTART,
	    "2026-04-30", false);
	assert_int_equal(compute(fx, &ev[1], 1, &f, "2026-04-30", d), 2);
	assert_day(d[0].due, "2026-05-06");
	assert_true(d[0].flags & DEADLINE_FLAG_RESTART_IGNORED);
	assert_false(d[0].flags & DEADLINE_FLAG_RESTARTED);
}

static void
test_calendar_unknown(void **state)
{
	struct fixture *fx = *state;
	struct deadline d[DEADLINES_MAX];
	struct deadline_facts f = facts("2026-12-20", false);

	/* 12-21..12-31 are 9 working days; the rest fall in 2027, which
	 * has no calendar yet: weekends only (so 1-01, a Friday, counts),
	 * flagged. */
	assert_int_equal(compute(fx, NULL, 0, &f, "2026-12-20", d), 2);
	assert_day(d[0].due, "2027-01-08");
	assert_true(d[0].flags & DEADLINE_FLAG_CALENDAR_UNKNOWN);
	f = facts("2026-11-02", false);
	assert_int_equal(compute(fx, NULL, 0, &f, "2026-11-02", d), 2);
	assert_false(d[0].flags & DEADLINE_FLAG_CALENDAR_UNKNOWN);

	/* No received date: refused. */
	f.received = CALENDAR_NO_DAY;
	{
		size_t n = 5;

		assert_int_equal(deadlines_compute(fx->cal, fx->rules,
		    fx->nrules, NULL, 0, &f, D("2026-01-01"), d, &n), -1);
		assert_int_equal(n, 0);
	}
}

/* Run one SQL statement. */
static void
exec_sql(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static void
test_load_tip(void **state)
{
	struct fixture *fx = *state;
	struct deadline d[DEADLINES_MAX];
	struct deadline_facts f;
	struct deadline_event *ev = NULL;
	size_t nev = 0, n = 0;
	char err[256];

	exec_sql(fx->db,
	    "INSERT INTO institutions (id, name, name_norm, created_at,"
	    " updated_at) VALUES (1, 'X', 'x', 0, 0);"
	    "INSERT INTO cases (id, public_id, institution_id, campaign,"
	    " domain, bureau, status, filed_on, created_at, updated_at)"
	    " VALUES (7, 'C-2026-000001', 1, NULL, 'food', '140581', 'filed',"
	    " '2026-05-06', 0, 0);"
	    "INSERT INTO tips (id, public_id, uid, channel, bureau, case_id,"
	    " real_name, received_at, received_on, updated_at, receipt_hash,"
	    " record_sealed) VALUES (3, 'T-2026-000001', x'01', 'web',"
	    " '140581', 7, 1, 0, '2026-04-10', 0, x'02', x'03');"
	    "INSERT INTO deadline_events (tip_id, case_id, rule_id, kind,"
	    " on_date, note, user_id, at) VALUES"
	    " (3, NULL, 'report_filing_decision', 'pause', '2026-04-14', NULL,"
	    "  NULL, 0),"
	    " (3, NULL, 'report_filing_decision', 'resume', '2026-04-16',"
	    "  NULL, NULL, 0),"
	    " (NULL, 7, 'case_decision', 'extend', '2026-07-01', '负责人批准',"
	    "  NULL, 0);");

	assert_int_equal(deadlines_load_tip(fx->db, 99, &f, &ev, &nev, err,
	    sizeof(err)), 1);
	assert_int_equal(deadlines_load_tip(fx->db, 3, &f, &ev, &nev, err,
	    sizeof(err)), 0);
	assert_day(f.received, "2026-04-10");
	assert_true(f.real_name);
	assert_true(f.filed);
	assert_day(f.decided, "2026-05-06");
	assert_day(f.filed_on, "2026-05-06");
	assert_int_equal(f.case_decided, CALENDAR_NO_DAY);
	assert_int_equal(nev, 3);
	assert_int_equal(ev[0].kind, DEADLINE_EVENT_PAUSE);
	assert_day(ev[0].on, "2026-04-14");
	assert_string_equal(ev[2].rule_id, DEADLINES_RULE_CASE);
	/* No user recorded with it: the extension is not approved. */
	assert_false(ev[2].approved);

	assert_int_equal(deadlines_compute(fx->cal, fx->rules, fx->nrules, ev,
	    nev, &f, D("2026-05-07"), d, &n), 0);
	assert_int_equal(n, 3);
	/* The pause leaves out 4-15 and 4-16: due two working days later
	 * than 5-06, on 5-08; decided 5-06, in time. */
	assert_day(d[0].due, "2026-05-08");
	assert_int_equal(d[0].state, DEADLINE_MET);
	assert_int_equal(d[2].flags & DEADLINE_FLAG_UNAPPROVED,
	    DEADLINE_FLAG_UNAPPROVED);
	free(ev);

	/* A bad kind in the table is an error, not a silent skip. */
	exec_sql(fx->db, "DROP TABLE deadline_events;"
	    "CREATE TABLE deadline_events (id INTEGER PRIMARY KEY, tip_id,"
	    " case_id, rule_id, kind, on_date, note, user_id, at);"
	    "INSERT INTO deadline_events (tip_id, rule_id, kind, on_date, at)"
	    " VALUES (3, 'x', 'explode', '2026-04-14', 0);");
	ev = NULL;
	assert_int_equal(deadlines_load_tip(fx->db, 3, &f, &ev, &nev, err,
	    sizeof(err)), -1);
	assert_null(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rules_loaded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_regime_order20, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_regime_order121, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_2022_holidays, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_pause, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extension, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_unknown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_tip, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
