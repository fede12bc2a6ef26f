/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of storage/case_store.c on a real database: a case created
 * from a tip takes the tip's institution, domain and bureau and links it;
 * the scope holds for every call (an officer of another bureau gets
 * NOTFOUND, like a missing case or tip); the status flow allows only the
 * order's transitions and the tips follow; outcomes are recorded;
 * every change leaves exactly one case event and one audit entry, a
 * refused one none; link and unlink write tip events.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "storage/audit.h"
#include "storage/case_store.h"
#include "storage/db.h"
#include "storage/scope.h"
#include "tests/helpers/testdb.h"

#define OWN "140581"
#define OTHER "140525"

struct fixture {
	char dir[TESTDB_DIR_MAX];
	struct db *db;
	struct scope admin, officer, stranger, auditor;
	struct case_store_actor actor;
};

#define exec(f, sql) testdb_exec((f)->db, (sql))
#define count(f, sql) testdb_count((f)->db, (sql))
#define text(f, sql, buf, len) testdb_text((f)->db, (sql), (buf), (len))

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || sodium_init() < 0 ||
	    testdb_open(f->dir, "test_cs", &f->db) != 0)
		return -1;
	*state = f;
	exec(f, "INSERT INTO bureaus (code, name_zh, name_en) VALUES "
	    "('140500', '晋城市局', 'Jincheng'), ('140581', '高平', 'Gaoping'),"
	    " ('140525', '泽州', 'Zezhou');"
	    "INSERT INTO domains (code, name_zh, name_en, position) VALUES"
	    " ('food', '食品', 'Food', 1);"
	    "INSERT INTO campaigns (code, name_zh, name_en) VALUES"
	    " ('c1', '专项', 'Campaign');"
	    "INSERT INTO violation_types (code, category, name_zh, name_en)"
	    " VALUES ('inaccurate', 'inaccurate', '不实', 'Inaccurate');"
	    "INSERT INTO deadline_rules (rule_id, applies_from, kind, trigger,"
	    " limit_value, unit, source) VALUES ('report_filing_decision',"
	    " '2019-04-01', 'x', 'x', 15, 'working_days', 'src');"
	    "INSERT INTO institutions (id, name, name_norm, created_at,"
	    " updated_at) VALUES (7, '华泰检测', '华泰检测', 1, 1);");
	exec(f, "INSERT INTO tips (public_id, uid, channel, status, bureau,"
	    " domain, institution_id, received_at, received_on, updated_at,"
	    " real_name, receipt_hash, record_sealed) VALUES"
	    " ('T-2022-000001', randomblob(16), 'web', 'triaged', '140581',"
	    "  'food', 7, 1000, '2022-05-05', 1000, 1, randomblob(32), x'00'),"
	    " ('T-2022-000002', randomblob(16), 'web', 'triaged', '140581',"
	    "  NULL, NULL, 1001, '2022-05-05', 1001, 0, randomblob(32), x'00'),"
	    " ('T-2022-000003', randomblob(16), 'web', 'triaged', '140525',"
	    "  'food', 7, 1002, '2022-05-05', 1002, 1, randomblob(32), x'00')");
	exec(f, "INSERT INTO users (id, login, role, bureau, pw_hash,"
	    " created_at, updated_at) VALUES (3, 'off', 'officer', '140581',"
	    " 'x', 1, 1)");
	assert_true(scope_set(&f->admin, "admin", NULL));
	assert_true(scope_set(&f->officer, "officer", OWN));
	assert_true(scope_set(&f->stranger, "officer", OTHER));
	(void)scope_set(&f->auditor, "auditor", NULL);
	f->actor.user_id = 3;
	f->actor.login = "off";
	f->actor.now = 5000;
	f->actor.today = "2022-05-10";
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = testdb_close(f->dir, &f->db);

	free(f);
	return rc;
}

static void
no_report(void *arg, const char *problem)
{
	(void)arg;
	fail_msg("audit chain: %s", problem);
}

/* Open the usual case from tip 1 as the officer. */
static void
open_case(struct fixture *f, char id[CASE_STORE_ID_MAX])
{
	struct case_store_new n = { .from_tip = "T-2022-000001",
	    .campaign = "c1" };
	char msg[256] = "";

	assert_int_equal(case_store_create(f->db, &f->officer, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_OK);
}

static void
test_create_from_tip(void **state)
{
	struct fixture *f = *state;
	struct case_store_case c;
	char id[CASE_STORE_ID_MAX], buf[64];

	open_case(f, id);
	assert_string_equal(id, "C-2022-000001");
	assert_int_equal(case_store_get(f->db, &f->officer, id, &c),
	    STORAGE_OK);
	assert_string_equal(c.status, "verifying");
	assert_string_equal(c.bureau, OWN);
	assert_string_equal(c.domain, "food");
	assert_string_equal(c.campaign, "c1");
	assert_int_equal(c.institution_id, 7);
	assert_string_equal(c.institution, "华泰检测");
	assert_int_equal(c.ntips, 1);
	assert_string_equal(text(f, "SELECT status FROM tips WHERE public_id"
	    " = 'T-2022-000001'", buf, sizeof(buf)), "verifying");
	assert_int_equal(count(f, "SELECT count(*) FROM case_events"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM tip_events WHERE"
	    " kind = 'case.link'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action IN"
	    " ('case.create', 'case.link')"), 2);
	{
		/* Tip 1 is taken: a second case from it is refused. */
		struct case_store_new n = { .from_tip = "T-2022-000001" };
		char msg[256] = "", id2[CASE_STORE_ID_MAX];

		assert_int_equal(case_store_create(f->db, &f->officer,
		    &f->actor, &n, id2, msg, sizeof(msg)), STORAGE_ERR_EXISTS);
		assert_non_null(strstr(msg, "from_tip:"));
		assert_int_equal(count(f, "SELECT count(*) FROM cases"), 1);
	}
}

static void
test_create_refusals(void **state)
{
	struct fixture *f = *state;
	struct case_store_new n;
	char id[CASE_STORE_ID_MAX], msg[256];

	/* Tip without an institution. */
	memset(&n, 0, sizeof(n));
	n.from_tip = "T-2022-000002";
	assert_int_equal(case_store_create(f->db, &f->officer, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_non_null(strstr(msg, "institution:"));
	/* Another bureau's tip: not found for the officer. */
	n.from_tip = "T-2022-000003";
	assert_int_equal(case_store_create(f->db, &f->officer, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_ERR_NOTFOUND);
	/* A case for another bureau. */
	memset(&n, 0, sizeof(n));
	n.institution_id = 7;
	n.bureau = OTHER;
	assert_int_equal(case_store_create(f->db, &f->officer, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_non_null(strstr(msg, "bureau:"));
	n.bureau = NULL;
	n.domain = "nope";
	assert_int_equal(case_store_create(f->db, &f->officer, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_non_null(strstr(msg, "domain:"));
	n.domain = NULL;
	n.campaign = "nope";
	assert_int_equal(case_store_create(f->db, &f->officer, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_string_equal(msg, "campaign: no such campaign");
	n.campaign = NULL;
	n.bureau = "999999";
	assert_int_equal(case_store_create(f->db, &f->admin, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_string_equal(msg, "bureau: no such bureau");
	n.bureau = NULL;
	n.institution_id = 99;
	assert_int_equal(case_store_create(f->db, &f->officer, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_string_equal(msg, "institution: no such institution");
	n.institution_id = 7;
	/* Nothing was left behind by any of them. */
	assert_int_equal(count(f, "SELECT count(*) FROM cases"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM case_events"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 0);
	/* The auditor's scope sees no bureau at all. */
	n.domain = NULL;
	n.bureau = OWN;
	assert_int_equal(case_store_create(f->db, &f->auditor, &f->actor, &n,
	    id, msg, sizeof(msg)), STORAGE_ERR_INVALID);
}

static void
test_scope(void **state)
{
	struct fixture *f = *state;
	struct case_store_case c;
	struct case_store_tip t;
	char id[CASE_STORE_ID_MAX], msg[256];

	open_case(f, id);
	assert_int_equal(case_store_get(f->db, &f->admin, id, &c), STORAGE_OK);
	assert_int_equal(case_store_get(f->db, &f->stranger, id, &c),
	    STORAGE_ERR_NOTFOUND);
	assert_int_equal(case_store_get(f->db, &f->auditor, id, &c),
	    STORAGE_ERR_NOTFOUND);
	assert_int_equal(case_store_set_status(f->db, &f->stranger, &f->actor,
	    id, "filed", NULL, "2022-05-10", msg, sizeof(msg)),
	    STORAGE_ERR_NOTFOUND);
	/* The officer may not link another bureau's tip (not found). */
	assert_int_equal(case_store_link(f->db, &f->officer, &f->actor, id,
	    "T-2022-000003", msg, sizeof(msg)), STORAGE_ERR_NOTFOUND);
	/* Admin sees it, but the tip's bureau differs: a conflict. */
	assert_int_equal(case_store_link(f->db, &f->admin, &f->actor, id,
	    "T-2022-000003", msg, sizeof(msg)), STORAGE_ERR_EXISTS);
	assert_non_null(strstr(msg, "tip:"));
	assert_int_equal(count(f, "SELECT count(*) FROM case_events"), 2);
	/* A note on the case: its event and audit entry, in scope only. */
	assert_int_equal(case_store_tip_get(f->db, &f->stranger,
	    "T-2022-000001", &t), STORAGE_ERR_NOTFOUND);
	assert_int_equal(case_store_tip_get(f->db, &f->officer,
	    "T-2022-000001", &t), STORAGE_OK);
	assert_string_equal(t.case_id, id);
	assert_int_equal(case_store_note(f->db, &f->stranger, &f->actor, id,
	    "message", "to T-2022-000001"), STORAGE_ERR_NOTFOUND);
	assert_int_equal(count(f, "SELECT count(*) FROM case_events"), 2);
	assert_int_equal(case_store_note(f->db, &f->officer, &f->actor, id,
	    "message", "to T-2022-000001"), STORAGE_OK);
	assert_int_equal(count(f, "SELECT count(*) FROM case_events WHERE"
	    " kind = 'message' AND detail = 'to T-2022-000001'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action ="
	    " 'case.message'"), 1);
}

static void
test_status_flow(void **state)
{
	struct fixture *f = *state;
	struct case_store_outcome o;
	struct case_store_case c;
	char id[CASE_STORE_ID_MAX], msg[256], buf[64];

	open_case(f, id);
	assert_int_equal(case_store_set_status(f->db, &f->officer, &f->actor,
	    id, "closed", NULL, "2022-05-10", msg, sizeof(msg)),
	    STORAGE_ERR_EXISTS);
	assert_non_null(strstr(msg, "status:"));
	assert_int_equal(case_store_set_status(f->db, &f->officer, &f->actor,
	    id, "not_filed", NULL, "2022-05-10", msg, sizeof(msg)),
	    STORAGE_ERR_INVALID);
	assert_non_null(strstr(msg, "reason:"));
	/* Outcome before filing: refused. */
	memset(&o, -1, sizeof(o));
	o.false_report_kind = NULL;
	o.credit_published_on = NULL;
	o.joint_departments = NULL;
	o.rectify_ordered = 1;
	assert_int_equal(case_store_set_outcome(f->db, &f->officer, &f->actor,
	    id, &o, msg, sizeof(msg)), STORAGE_ERR_EXISTS);
	assert_int_equal(count(f, "SELECT count(*) FROM case_events"), 2);

	assert_int_equal(case_store_set_status(f->db, &f->officer, &f->actor,
	    id, "filed", NULL, "2022-05-10", msg, sizeof(msg)), STORAGE_OK);
	assert_string_equal(text(f, "SELECT status FROM tips WHERE public_id"
	    " = 'T-2022-000001'", buf, sizeof(buf)), "filed");
	o.fines_fen = 250000;
	o.false_report = 1;
	o.false_report_kind = "inaccurate";
	o.joint_departments = "公安、住建";
	assert_int_equal(case_store_set_outcome(f->db, &f->officer, &f->actor,
	    id, &o, msg, sizeof(msg)), STORAGE_OK);
	o.false_report_kind = "no-such";
	assert_int_equal(case_store_set_outcome(f->db, &f->officer, &f->actor,
	    id, &o, msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_int_equal(case_store_set_status(f->db, &f->officer, &f->actor,
	    id, "decided", NULL, "2022-05-11", msg, sizeof(msg)), STORAGE_OK);
	assert_string_equal(text(f, "SELECT status FROM tips WHERE public_id"
	    " = 'T-2022-000001'", buf, sizeof(buf)), "filed");
	assert_int_equal(case_store_set_status(f->db, &f->officer, &f->actor,
	    id, "closed", NULL, "2022-05-12", msg, sizeof(msg)), STORAGE_OK);
	assert_string_equal(text(f, "SELECT status FROM tips WHERE public_id"
	    " = 'T-2022-000001'", buf, sizeof(buf)), "closed");
	assert_int_equal(case_store_get(f->db, &f->officer, id, &c),
	    STORAGE_OK);
	assert_string_equal(c.filed_on, "2022-05-10");
	assert_string_equal(c.decided_on, "2022-05-11");
	assert_string_equal(c.closed_on, "2022-05-12");
	assert_int_equal(c.fines_fen, 250000);
	assert_int_equal(c.rectify_ordered, 1);
	assert_int_equal(c.false_report, 1);
	assert_string_equal(c.false_report_kind, "inaccurate");
	assert_string_equal(c.joint_departments, "公安、住建");
	assert_int_equal(c.qualification_revoked, 0);	/* -1: unchanged */
	/* create, link, status, outcome, status, status */
	assert_int_equal(count(f, "SELECT count(*) FROM case_events"), 6);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 6);
	assert_int_equal(count(f, "SELECT count(*) FROM tip_events WHERE"
	    " kind = 'case.status'"), 3);
	assert_int_equal(audit_verify(f->db, no_report, NULL), 0);
}

static void
test_unlink_and_public(void **state)
{
	struct fixture *f = *state;
	struct case_store_public p;
	char id[CASE_STORE_ID_MAX], msg[256], buf[64];

	open_case(f, id);
	assert_int_equal(case_store_public(f->db, 1, &p), STORAGE_OK);
	assert_string_equal(p.status, "verifying");
	assert_int_equal(case_store_unlink(f->db, &f->officer, &f->actor, id,
	    "T-2022-000001", "", msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_int_equal(case_store_unlink(f->db, &f->officer, &f->actor, id,
	    "T-2022-000002", "x", msg, sizeof(msg)), STORAGE_ERR_EXISTS);
	assert_int_equal(case_store_unlink(f->db, &f->officer, &f->actor, id,
	    "T-2022-000001", "wrong institution", msg, sizeof(msg)),
	    STORAGE_OK);
	assert_string_equal(text(f, "SELECT status FROM tips WHERE public_id"
	    " = 'T-2022-000001'", buf, sizeof(buf)), "triaged");
	assert_int_equal(case_store_public(f->db, 1, &p),
	    STORAGE_ERR_NOTFOUND);
	assert_int_equal(count(f, "SELECT count(*) FROM tip_events WHERE"
	    " kind = 'case.unlink' AND detail LIKE '%wrong institution'"), 1);
	/* Relink tip 2 (same bureau, no institution needed to link). */
	assert_int_equal(case_store_link(f->db, &f->officer, &f->actor, id,
	    "T-2022-000002", msg, sizeof(msg)), STORAGE_OK);
	assert_int_equal(case_store_set_status(f->db, &f->officer, &f->actor,
	    id, "not_filed", "no evidence", "2022-05-10", msg, sizeof(msg)),
	    STORAGE_OK);
	assert_int_equal(case_store_public(f->db, 2, &p), STORAGE_OK);
	assert_string_equal(p.status, "not_filed");
	assert_string_equal(p.not_filed_reason, "no evidence");
	/* Tip 2 is anonymous: no notice; tip 1 has no decision. */
	assert_int_equal(case_store_tip_notice(f->db, &f->officer, &f->actor,
	    "T-2022-000002", "2022-05-11", msg, sizeof(msg)),
	    STORAGE_ERR_EXISTS);
	assert_int_equal(case_store_tip_notice(f->db, &f->officer, &f->actor,
	    "T-2022-000001", "2022-05-11", msg, sizeof(msg)),
	    STORAGE_ERR_EXISTS);
	assert_int_equal(case_store_deadline_event(f->db, &f->officer,
	    &f->actor, "T-2022-000001", NULL, "report_filing_decision",
	    "pause", "2022-05-06", NULL, msg, sizeof(msg)), STORAGE_OK);
	assert_int_equal(case_store_deadline_event(f->db, &f->stranger,
	    &f->actor, "T-2022-000001", NULL, "report_filing_decision",
	    "resume", "2022-05-07", NULL, msg, sizeof(msg)),
	    STORAGE_ERR_NOTFOUND);
	assert_int_equal(case_store_deadline_event(f->db, &f->officer,
	    &f->actor, "T-2022-000001", NULL, "no_rule", "resume",
	    "2022-05-07", NULL, msg, sizeof(msg)), STORAGE_ERR_INVALID);
	assert_int_equal(count(f, "SELECT count(*) FROM deadline_events"), 1);
}

static int
count_cases(void *arg, const struct case_store_case *c)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

static void
test_list(void **state)
{
	struct fixture *f = *state;
	struct case_store_filter flt = { .limit = 10 };
	char id[CASE_STORE_ID_MAX];
	bool more;
	int n = 0;

	open_case(f, id);
	assert_int_equal(case_store_list(f->db, &f->officer, &flt,
	    count_cases, &n, &more), STORAGE_OK);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(case_store_list(f->db, &f->stranger, &flt,
	    count_cases, &n, &more), STORAGE_OK);
	assert_int_equal(n, 0);
	flt.status = "filed";
	n = 0;
	assert_int_equal(case_store_list(f->db, &f->admin, &flt, count_cases,
	    &n, &more), STORAGE_OK);
	assert_int_equal(n, 0);
	assert_true(case_store_valid_transition("verifying", "filed"));
	assert_false(case_store_valid_transition("filed", "not_filed"));
	assert_string_equal(case_store_tip_status("decided"), "filed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_from_tip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_create_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_flow, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unlink_and_public, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
