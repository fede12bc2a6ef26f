/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the reference data: refdata_load_all() (service/) over the
 * embedded data/ files into a fresh database, the counts and a few facts
 * of the contract (bureau codes, the six domains in order, the campaign,
 * the calendar of 2022-2026, the gazetteer), idempotence of a reload, and
 * refdata_insert()'s validation (storage/).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "data/embedded.h"
#include "service/refdata_admin.h"
#include "service/refdata_load.h"
#include "service/report.h"
#include "storage/router_data.h"
#include "storage/db.h"
#include "storage/refdata.h"

struct fixture {
	char dir[64];
	char path[128];
	struct db *db;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[256];

	if (fx == NULL)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_refdata.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/tipline.db", fx->dir);
	if (db_open(fx->path, DB_OPEN_CREATE, &fx->db, err, sizeof(err)) !=
	    STORAGE_OK) {
		fprintf(stderr, "db_open: %s\n", err);
		rmdir(fx->dir);
		free(fx);
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

	db_close(&fx->db);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", fx->path, suffixes[i]);
		unlink(p);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* One integer from a query with one optional text parameter. */
static long long
query_int(struct db *db, const char *sql, const char *param)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st,
	    NULL), SQLITE_OK);
	if (param != NULL)
		assert_int_equal(sqlite3_bind_text(st, 1, param, -1,
		    SQLITE_TRANSIENT), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One text from a query with one text parameter, copied into out. */
static void
query_text(struct db *db, const char *sql, const char *param, char *out,
    size_t outlen)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *t;

	out[0] = '\0';
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_bind_text(st, 1, param, -1,
	    SQLITE_TRANSIENT), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (t = sqlite3_column_text(st, 0)) != NULL)
		snprintf(out, outlen, "%s", (const char *)t);
	sqlite3_finalize(st);
}

static void
check_loaded(struct db *db)
{
	static const char *const bureaus[] = {"140500", "140502", "140521",
	    "140522", "140524", "140525", "140581", "140500-dz"};
	static const char *const domains[] = {"medical_ppe", "food", "ppe",
	    "building_materials", "dangerous_goods_tanks",
	    "carbon_verification"};
	static const char *const years[] = {"2022", "2023", "2024", "2025",
	    "2026"};
	long n;
	char text[256], sql[256];

	n = refdata_count(db, REFDATA_BUREAUS);
	assert_true(n == 8 || n == 9);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(query_int(db, "SELECT count(*) FROM bureaus "
		    "WHERE code = ?1", bureaus[i]), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM bureaus "
	    "WHERE code <> '140500' AND parent_code IS NOT '140500'", NULL),
	    0);
	query_text(db, "SELECT county_code FROM bureaus WHERE code = ?1",
	    "140581", text, sizeof(text));
	assert_string_equal(text, "140581");

	assert_int_equal(refdata_count(db, REFDATA_DOMAINS), 6);
	for (size_t i = 0; i < 6; i++) {
		snprintf(sql, sizeof(sql), "SELECT position FROM domains "
		    "WHERE code = ?1");
		assert_int_equal(query_int(db, sql, domains[i]),
		    (long long)i + 1);
		snprintf(sql, sizeof(sql), "SELECT position FROM "
		    "campaign_domains WHERE campaign = 'jc-2022-testing' AND "
		    "domain = ?1");
		assert_int_equal(query_int(db, sql, domains[i]),
		    (long long)i + 1);
	}
	assert_int_equal(query_int(db, "SELECT group_concat(code) = "
	    "'medical_ppe' FROM domains WHERE epidemic = 1", NULL), 1);
	assert_true(refdata_count(db, REFDATA_DOMAIN_KEYWORDS) > 100);
	for (size_t i = 0; i < 6; i++)
		assert_true(query_int(db, "SELECT count(*) FROM "
		    "domain_keywords WHERE domain = ?1", domains[i]) > 10);

	assert_int_equal(refdata_count(db, REFDATA_CAMPAIGNS), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM campaign_domains "
	    "WHERE campaign = ?1", "jc-2022-testing"), 6);
	query_text(db, "SELECT starts_on || '/' || ends_on FROM campaigns "
	    "WHERE code = ?1", "jc-2022-testing", text, sizeof(text));
	assert_string_equal(text, "2022-04-01/2022-07-31");

	assert_true(refdata_count(db, REFDATA_VIOLATIONS) >= 10);
	assert_true(query_int(db, "SELECT count(*) FROM violation_keywords "
	    "WHERE violation = ?1", "false_not_tested") > 10);
	assert_int_equal(query_int(db, "SELECT count(*) FROM "
	    "violation_keywords WHERE violation = ?1", "other"), 0);

	assert_true(refdata_count(db, REFDATA_DEADLINE_RULES) >= 10);
	assert_int_equal(query_int(db, "SELECT limit_value FROM "
	    "deadline_rules WHERE rule_id = ?1", "report_filing_decision"),
	    15);
	assert_int_equal(query_int(db, "SELECT count(*) FROM deadline_rules "
	    "WHERE rule_id = ?1 AND limit_value IS NULL", "repeat_tip_restart"),
	    1);

	for (size_t i = 0; i < 5; i++) {
		assert_true(query_int(db, "SELECT count(*) FROM calendar_days "
		    "WHERE substr(date, 1, 4) = ?1", years[i]) > 0);
		assert_true(query_int(db, "SELECT count(*) FROM calendar_days "
		    "WHERE substr(date, 1, 4) = ?1 AND kind = 'workday'",
		    years[i]) > 0);
	}
	query_text(db, "SELECT kind FROM calendar_days WHERE date = ?1",
	    "2022-10-01", text, sizeof(text));
	assert_string_equal(text, "holiday");

	/* The gazetteer: 6 counties, 77 current towns, 12 former ones. */
	assert_int_equal(refdata_count(db, REFDATA_PLACES), 6 + 77 + 12);
	query_text(db, "SELECT code || '/' || kind || '/' || short_name "
	    "FROM places WHERE name = ?1", "高平市", text, sizeof(text));
	assert_string_equal(text, "140581/市/高平");
	query_text(db, "SELECT code || '/' || kind || '/' || short_name "
	    "FROM places WHERE county_code = '140581' AND name = ?1",
	    "米山镇", text, sizeof(text));
	assert_string_equal(text, "140581101/镇/米山");
	assert_true(query_int(db, "SELECT count(*) FROM places WHERE "
	    "county_code = ?1 AND kind IN ('镇', '乡', '街道') AND "
	    "status = 'current'", "140581") == 15);
	query_text(db, "SELECT status FROM places WHERE name = ?1", "李寨乡",
	    text, sizeof(text));
	assert_string_equal(text, "former");
	assert_int_equal(query_int(db, "SELECT count(*) FROM places WHERE "
	    "name = ?1 AND short_name IS NULL", "城区"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM places WHERE "
	    "status = ?1", "former"), 12);
}

static void
test_load_all(void **state)
{
	struct fixture *fx = *state;
	char err[512];

	if (refdata_load_all(fx->db, err, sizeof(err)) != 0)
		fail_msg("refdata_load_all: %s", err);
	check_loaded(fx->db);
	/* Every reference holds (foreign keys are also on while loading). */
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM "
	    "pragma_foreign_key_check", NULL), 0);
	assert_int_equal(query_int(fx->db, "PRAGMA foreign_keys", NULL), 1);
}

static void
test_reload_is_idempotent(void **state)
{
	struct fixture *fx = *state;
	char err[512], text[64];
	long before[REFDATA_TABLE_COUNT];

	assert_int_equal(refdata_load_all(fx->db, err, sizeof(err)), 0);
	for (int t = 0; t < REFDATA_TABLE_COUNT; t++)
		before[t] = refdata_count(fx->db, (enum refdata_table)t);
	/* A column the data files do not carry survives a reload. */
	assert_int_equal(sqlite3_exec(db_sqlite(fx->db), "UPDATE bureaus SET "
	    "email = 'gaoping@localhost' WHERE code = '140581'", NULL, NULL,
	    NULL), SQLITE_OK);
	if (refdata_load_all(fx->db, err, sizeof(err)) != 0)
		fail_msg("second refdata_load_all: %s", err);
	for (int t = 0; t < REFDATA_TABLE_COUNT; t++)
		assert_int_equal(refdata_count(fx->db, (enum refdata_table)t),
		    before[t]);
	check_loaded(fx->db);
	query_text(fx->db, "SELECT email FROM bureaus WHERE code = ?1",
	    "140581", text, sizeof(text));
	assert_string_equal(text, "gaoping@localhost");
}

/* refdata_insert() must refuse the row, naming `field` in the message. */
static void
expect_invalid(struct db *db, enum refdata_table t,
    const char *const *fields, size_t n, const char *field)
{
	char err[256];
	enum storage_status st;

	st = refdata_insert(db, t, fields, n, err, sizeof(err));
	if (st != STORAGE_ERR_INVALID || strstr(err, field) == NULL)
		fail_msg("status %d, err \"%s\", wanted invalid %s", (int)st,
		    err, field);
}

static void
test_insert_validation(void **state)
{
	struct fixture *fx = *state;
	struct db *db = fx->db;
	char err[256];

	/* Wrong field count. */
	expect_invalid(db, REFDATA_CALENDAR,
	    (const char *const []){"2022-01-01"}, 1, "expected 2");
	/* Dates. */
	expect_invalid(db, REFDATA_CALENDAR,
	    (const char *const []){"2023-02-29", "holiday"}, 2, "date");
	expect_invalid(db, REFDATA_CALENDAR,
	    (const char *const []){"2022-1-01", "holiday"}, 2, "date");
	expect_invalid(db, REFDATA_CALENDAR,
	    (const char *const []){"2022-01-01", "weekend"}, 2, "kind");
	assert_int_equal(refdata_insert(db, REFDATA_CALENDAR,
	    (const char *const []){"2024-02-29", "holiday"}, 2, err,
	    sizeof(err)), STORAGE_OK);
	/* Integers and sets. */
	expect_invalid(db, REFDATA_DOMAINS, (const char *const []){"x",
	    "名", "Name", "1x", "0"}, 5, "position");
	expect_invalid(db, REFDATA_DOMAINS, (const char *const []){"x",
	    "名", "Name", "7", "2"}, 5, "epidemic");
	expect_invalid(db, REFDATA_PLACES, (const char *const []){
	    "140581101", "140581", "村", "米山村", "", "current"}, 6,
	    "kind");
	expect_invalid(db, REFDATA_PLACES, (const char *const []){
	    "140525101", "140581", "镇", "某镇", "", "current"}, 6, "code");
	expect_invalid(db, REFDATA_PLACES, (const char *const []){
	    "140581101", "140581", "镇", "米山镇", "米山", "gone"}, 6,
	    "status");
	expect_invalid(db, REFDATA_VIOLATIONS, (const char *const []){"v",
	    "fake", "", "", "名", "Name", ""}, 7, "category");
	expect_invalid(db, REFDATA_DEADLINE_RULES, (const char *const []){
	    "r", "2020-01-01", "", "举报", "t", "15", "", "", "", "", "", "s",
	    ""}, 13, "unit");
	expect_invalid(db, REFDATA_DEADLINE_RULES, (const char *const []){
	    "r", "2020-01-01", "2019-01-01", "举报", "t", "", "", "", "", "",
	    "", "s", ""}, 13, "applies_until");
	/* Foreign keys: unknown parent bureau, unknown campaign domain. */
	expect_invalid(db, REFDATA_BUREAUS, (const char *const []){"999999",
	    "名", "Name", "888888", ""}, 5, "parent_code");
	expect_invalid(db, REFDATA_CAMPAIGNS, (const char *const []){"c",
	    "名", "Name", "2022-01-01", "2022-02-01", "no_such_domain"}, 6,
	    "domains");
	expect_invalid(db, REFDATA_CAMPAIGNS, (const char *const []){"c",
	    "名", "Name", "2022-03-01", "2022-02-01", ""}, 6, "ends_on");
	/* Lists: items trimmed, empty ones skipped, duplicates once. */
	assert_int_equal(refdata_insert(db, REFDATA_VIOLATIONS,
	    (const char *const []){"v", "other", "", "", "名", "Name",
	    " a ; b;;a; "}, 7, err, sizeof(err)), STORAGE_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM "
	    "violation_keywords WHERE violation = ?1", "v"), 2);
	assert_int_equal(query_int(db, "SELECT count(*) FROM "
	    "violation_keywords WHERE violation = 'v' AND keyword = ?1", "a"),
	    1);
	/* A reload with fewer keywords replaces the old list. */
	assert_int_equal(refdata_insert(db, REFDATA_VIOLATIONS,
	    (const char *const []){"v", "other", "", "", "名", "Name", "c"},
	    7, err, sizeof(err)), STORAGE_OK);
	assert_int_equal(query_int(db, "SELECT count(*) FROM "
	    "violation_keywords WHERE violation = ?1", "v"), 1);
	assert_int_equal(refdata_field_count(REFDATA_DEADLINE_RULES), 13);
	assert_int_equal(refdata_count(db, REFDATA_TABLE_COUNT), -1);
}

/* ---- editing (service/refdata_admin.c, extension) ---------------- */

/* Parse text for table t; the caller frees b. */
static void
parse(enum refdata_table t, const char *text, struct refdata_admin_batch *b)
{
	assert_int_equal(refdata_admin_parse(t, text, strlen(text), b), 0);
}

/* Whether b has a problem of line whose text contains what. */
static bool
has_problem(const struct refdata_admin_batch *b, unsigned long line,
    const char *what)
{
	for (size_t i = 0; i < b->nproblems; i++)
		if (b->problems[i].line == line &&
		    strstr(b->problems[i].text, what) != NULL)
			return true;
	return false;
}

static void
test_admin_parse(void **state)
{
	struct refdata_admin_batch b;
	enum refdata_table t;

	(void)state;
	assert_true(refdata_admin_table("domain-keywords", &t));
	assert_int_equal(t, REFDATA_DOMAIN_KEYWORDS);
	assert_true(refdata_admin_table("calendar", &t));
	assert_int_equal(t, REFDATA_CALENDAR);
	assert_false(refdata_admin_table("campaigns", &t));
	assert_false(refdata_admin_table(NULL, &t));
	assert_string_equal(refdata_admin_table_name(REFDATA_BUREAUS),
	    "bureaus");

	parse(REFDATA_DOMAIN_KEYWORDS, "domain,keyword,weight\n"
	    "food,奶粉,2\nfood,奶粉,3\nfood\n\"food\",乳,1\n", &b);
	assert_int_equal(b.nrows, 3);
	assert_int_equal(b.problems_total, 2);
	assert_true(has_problem(&b, 4, "1 fields, expected 3"));
	assert_true(has_problem(&b, 3, "field keyword: the same key as line "
	    "2"));
	refdata_admin_batch_free(&b);

	/* The header, an empty file, no rows, broken CSV. */
	parse(REFDATA_PLACES, "code,county,kind,name,short_name,status\n", &b);
	assert_true(has_problem(&b, 1, "the header must be \"code,"
	    "county_code,kind,name,short_name,status\""));
	refdata_admin_batch_free(&b);
	parse(REFDATA_PLACES, "", &b);
	assert_true(has_problem(&b, 1, "header row is missing"));
	refdata_admin_batch_free(&b);
	parse(REFDATA_VIOLATIONS, "code,category,article_2021,article_2025,"
	    "name_zh,name_en,keywords\n", &b);
	assert_true(has_problem(&b, 0, "no rows after the header"));
	refdata_admin_batch_free(&b);
	parse(REFDATA_DOMAIN_KEYWORDS, "domain,keyword,weight\nfood,1,1\n"
	    "food,\"2,1\n", &b);
	assert_int_equal(b.problems_total, 1);
	assert_int_equal(b.problems[0].line, 3);
	refdata_admin_batch_free(&b);

	/* A calendar's every year needs its New Year's Day holiday. */
	parse(REFDATA_CALENDAR, "date,kind\n2027-01-01,holiday\n"
	    "2027-02-08,holiday\n2028-02-01,workday\n2028-02-02,holiday\n",
	    &b);
	assert_int_equal(b.nrows, 4);
	assert_int_equal(b.problems_total, 1);
	assert_true(has_problem(&b, 4, "covers 2028 but has no "
	    "\"2028-01-01,holiday\" line"));
	refdata_admin_batch_free(&b);

	/* Bureaus may carry an e-mail column; nothing else may. */
	parse(REFDATA_BUREAUS, "code,name_zh,name_en,parent_code,county_code,"
	    "email\n140500,局,Bureau,,,a@b\n", &b);
	assert_int_equal(b.problems_total, 0);
	assert_true(b.with_email);
	refdata_admin_batch_free(&b);
	parse(REFDATA_DOMAIN_KEYWORDS, "domain,keyword,weight,email\n", &b);
	assert_true(has_problem(&b, 1, "the header must be"));
	assert_false(b.with_email);
	refdata_admin_batch_free(&b);
}

/* Check that an import left no transaction open. */
static void
check_no_transaction(struct db *db)
{
	assert_int_equal(sqlite3_get_autocommit(db_sqlite(db)), 1);
}

static void
test_admin_import(void **state)
{
	struct fixture *fx = *state;
	const struct embedded_file *f = embedded_find("places.csv");
	struct refdata_admin_batch b;
	struct report_buf out;
	char *text;
	long places, audits;
	int64_t serial;

	assert_int_equal(refdata_load_all(fx->db, NULL, 0), 0);
	assert_non_null(f);
	places = refdata_count(fx->db, REFDATA_PLACES);
	serial = router_data_serial(fx->db);

	/* The export is the embedded file. */
	assert_int_equal(refdata_admin_export(fx->db, REFDATA_PLACES, &out),
	    STORAGE_OK);
	assert_int_equal(out.len, f->len);
	assert_memory_equal(out.data, f->data, f->len);
	report_buf_free(&out);

	/* Bad values on several lines: every one reported, in line order,
	 * with its field; nothing changed, nothing audited. */
	assert_non_null(text = calloc(1, f->len + 256));
	memcpy(text, f->data, f->len);
	snprintf(text + f->len, 256, "%s", "140581,140581,村,某村,,current\n"
	    "140581199,140522,镇,错镇,,current\n"
	    "140581198,140581,镇,好镇,好,gone\n");
	parse(REFDATA_PLACES, text, &b);
	assert_int_equal(b.problems_total, 0);
	audits = query_int(fx->db, "SELECT count(*) FROM audit", NULL);
	assert_int_equal(refdata_admin_import(fx->db, &b, "cli", "t.csv"),
	    STORAGE_ERR_INVALID);
	check_no_transaction(fx->db);
	assert_int_equal(b.problems_total, 3);
	assert_int_equal(b.problems[0].line, places + 2);
	assert_string_equal(b.problems[0].field, "kind");
	assert_int_equal(b.problems[1].line, places + 3);
	assert_string_equal(b.problems[1].field, "code");
	assert_int_equal(b.problems[2].line, places + 4);
	assert_string_equal(b.problems[2].field, "status");
	refdata_admin_batch_free(&b);
	assert_int_equal(refdata_count(fx->db, REFDATA_PLACES), places);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM audit", NULL),
	    audits);
	assert_int_equal(router_data_serial(fx->db), serial);

	/* A good file: replaced, audited, the serial moved. */
	snprintf(text + f->len, 256, "%s",
	    "140581198,140581,镇,好镇,好,current\n");
	parse(REFDATA_PLACES, text, &b);
	assert_int_equal(refdata_admin_import(fx->db, &b, "cli", "t.csv"),
	    STORAGE_OK);
	check_no_transaction(fx->db);
	assert_int_equal(b.before, places);
	refdata_admin_batch_free(&b);
	assert_int_equal(refdata_count(fx->db, REFDATA_PLACES), places + 1);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM audit WHERE"
	    " action = 'refdata.import' AND object = ?1", "places"), 1);
	assert_true(router_data_serial(fx->db) > serial);
	free(text);

	/* A violation type left out is refused while a tip names it. */
	assert_int_equal(sqlite3_exec(db_sqlite(fx->db), "INSERT INTO tips"
	    " (public_id, uid, channel, bureau, violation, received_at,"
	    " received_on, updated_at, receipt_hash, record_sealed) VALUES"
	    " ('T-1', x'01', 'web', '140581', 'inaccurate', 1, '2022-05-01',"
	    " 1, x'02', x'03')", NULL, NULL, NULL), SQLITE_OK);
	parse(REFDATA_VIOLATIONS, "code,category,article_2021,article_2025,"
	    "name_zh,name_en,keywords\nfalse_x,false,,,假,False,假报告\n", &b);
	assert_int_equal(refdata_admin_import(fx->db, &b, "cli", "v.csv"),
	    STORAGE_ERR_INVALID);
	assert_true(has_problem(&b, 0, "violation type inaccurate is left out,"
	    " but it is still used by 1 tip"));
	refdata_admin_batch_free(&b);
	assert_int_equal(refdata_count(fx->db, REFDATA_VIOLATIONS), 20);

	/* Kept, it is deleted and put back in one transaction (the tip's
	 * foreign key deferred to the commit). */
	f = embedded_find("violations.csv");
	assert_int_equal(refdata_admin_parse(REFDATA_VIOLATIONS, f->data,
	    f->len, &b), 0);
	assert_int_equal(refdata_admin_import(fx->db, &b, "cli", "v.csv"),
	    STORAGE_OK);
	refdata_admin_batch_free(&b);
	check_no_transaction(fx->db);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM tips t JOIN"
	    " violation_types v ON v.code = t.violation", NULL), 1);

	/* An unused bureau left out is removed; put back, it is appended. */
	f = embedded_find("bureaus.csv");
	assert_non_null(text = malloc(f->len + 1));
	memcpy(text, f->data, f->len);
	text[f->len] = '\0';
	assert_non_null(strstr(text, "\n140500-dz,"));
	*(strstr(text, "\n140500-dz,") + 1) = '\0';
	parse(REFDATA_BUREAUS, text, &b);
	assert_int_equal(refdata_admin_import(fx->db, &b, "cli", "b.csv"),
	    STORAGE_OK);
	refdata_admin_batch_free(&b);
	assert_int_equal(query_int(fx->db, "SELECT count(*) FROM bureaus"
	    " WHERE code = ?1", "140500-dz"), 0);
	assert_int_equal(refdata_admin_parse(REFDATA_BUREAUS, f->data, f->len,
	    &b), 0);
	assert_int_equal(refdata_admin_import(fx->db, &b, "cli", "b.csv"),
	    STORAGE_OK);
	refdata_admin_batch_free(&b);
	assert_int_equal(refdata_admin_export(fx->db, REFDATA_BUREAUS, &out),
	    STORAGE_OK);
	assert_int_equal(out.len, f->len);
	assert_memory_equal(out.data, f->data, f->len);
	report_buf_free(&out);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_all, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reload_is_idempotent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_validation,
		    setup, teardown),
		cmocka_unit_test(test_admin_parse),
		cmocka_unit_test_setup_teardown(test_admin_import, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
