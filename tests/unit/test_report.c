/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the campaign summary table (service/report.c and its
 * renderers, storage/report_store.c): rounding fen to 万元 half up in
 * integers, which cases count, distinct institutions per domain and
 * bureau, the total as the column sum, joint departments split, cleaned
 * and de-duplicated, CSV (BOM, the two header rows, formula guard), HTML
 * escaping, an XLSX that is a zip, and loading from a database (unknown
 * campaign or bureau, the campaign's six domains in order, --bureau).
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

#include <jansson.h>
#include <sqlite3.h>

#include "service/refdata_load.h"
#include "service/report.h"
#include "service/report_json.h"
#include "service/report_render.h"
#include "storage/db.h"
#include "storage/report_store.h"

/* A case for the pure tests. */
static struct report_store_case
mkcase(int64_t id, int64_t inst, const char *domain, const char *bureau,
    const char *status, const char *joint)
{
	struct report_store_case c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.institution_id = inst;
	snprintf(c.domain, sizeof(c.domain), "%s", domain);
	snprintf(c.bureau, sizeof(c.bureau), "%s", bureau);
	snprintf(c.status, sizeof(c.status), "%s", status);
	c.joint_departments = (char *)(uintptr_t)joint;	/* never freed */
	return c;
}

static const struct report_store_domain domains3[] = {
	{ "medical_ppe", "疫情防控有关医疗器械防护用品", 1 },
	{ "food", "食品", 2 },
	{ "ppe", "个人防护装备", 3 },
};

/* The scripted campaign of the comment in test_build. */
static size_t
scripted_cases(struct report_store_case c[10])
{
	c[0] = mkcase(1, 1, "food", "140581", "filed", "公安、卫健");
	c[0].violation_found = true;
	c[0].false_report = 2;
	c[0].rectify_ordered = true;
	c[0].fines_fen = 1000000;
	c[0].confiscated_fen = 234567;
	c[0].referred_police = true;
	c[1] = mkcase(2, 1, "food", "140581", "decided", "公安，应急");
	c[1].referred_police = true;
	c[2] = mkcase(3, 2, "food", "140581", "closed", "\xe3\x80\x80卫健 ");
	c[2].fines_fen = 5000;
	c[3] = mkcase(4, 2, "food", "140525", "not_filed", NULL);
	c[3].fines_fen = 5000;
	c[4] = mkcase(5, 3, "food", "140581", "verifying", "消防");
	c[4].violation_found = true;
	c[4].fines_fen = 99990000;
	c[5] = mkcase(6, 4, "medical_ppe", "140502", "filed", NULL);
	c[5].violation_found = true;
	c[5].false_report = 1;
	c[5].qualification_revoked = true;
	c[5].fines_fen = 4999;
	c[6] = mkcase(7, 5, "building_materials", "140581", "filed", "住建");
	c[6].violation_found = true;
	c[7] = mkcase(8, 6, "", "140581", "filed", "交通");
	c[8] = mkcase(9, 1, "medical_ppe", "140581", "filed",
	    "<script>alert(1)</script>");
	return 9;
}

static void
assert_row(const struct report_row *r, long inspected, long violating,
    long false_report, long rectified, long revoked, int64_t centiwan,
    long referred, const char *joint)
{
	assert_int_equal(r->inspected, inspected);
	assert_int_equal(r->violating, violating);
	assert_int_equal(r->false_report, false_report);
	assert_int_equal(r->rectified, rectified);
	assert_int_equal(r->revoked, revoked);
	assert_int_equal(r->money_centiwan, centiwan);
	assert_int_equal(r->referred, referred);
	assert_string_equal(r->joint, joint);
}

static void
test_money(void **state)
{
	static const struct {
		int64_t fen, centiwan;
		const char *text;
	} cases[] = {
		{ 0, 0, "0.00" },
		{ 4999, 0, "0.00" },
		{ 5000, 1, "0.01" },		/* 0.005 万元: half up */
		{ 9999, 1, "0.01" },
		{ 10000, 1, "0.01" },		/* 100 元 */
		{ 14999, 1, "0.01" },
		{ 15000, 2, "0.02" },
		{ 1234567, 123, "1.23" },	/* 12,345.67 元 */
		{ 1235000, 124, "1.24" },	/* 1.235 万元: half up */
		{ 1000000, 100, "1.00" },	/* 1 万元 */
		{ 123456789000, 12345679, "123456.79" },
		{ -5, 0, "0.00" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = report_centiwan_from_fen(cases[i].fen);

		if (got != cases[i].centiwan)
			fail_msg("%lld fen: %lld, want %lld",
			    (long long)cases[i].fen, (long long)got,
			    (long long)cases[i].centiwan);
		report_format_centiwan(got, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	report_format_centiwan(INT64_MAX / 1000, buf, sizeof(buf));
	assert_string_equal(buf, "92233720368547.75");
}

/*
 * Food: institutions 1 and 2 in bureau 140581, institution 2 again in
 * 140525 (counted there too), institution 3 still 'verifying' (nowhere);
 * money rounded per bureau: 1,239,567 fen -> 1.24, 5,000 fen -> 0.01.
 * Medical: institution 4 (140502) and institution 1 (140581, so twice in
 * the total).  Building materials is no domain of this table and a case
 * without a domain counts nowhere.
 */
static void
test_build(void **state)
{
	struct report_store_case c[10];
	struct report_summary s;
	size_t n = scripted_cases(c);

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_summary_build(domains3, 3, c, n, &s), 0);
	assert_int_equal(s.nrows, 3);
	assert_string_equal(s.rows[0].code, "medical_ppe");
	assert_string_equal(s.rows[1].label, "食品");
	assert_string_equal(s.rows[2].code, "ppe");
	assert_row(&s.rows[0], 2, 1, 1, 0, 1, 0, 0,
	    "<script>alert(1)</script>");
	assert_row(&s.rows[1], 3, 1, 1, 1, 0, 125, 2, "公安、卫健、应急");
	assert_row(&s.rows[2], 0, 0, 0, 0, 0, 0, 0, "");
	assert_string_equal(s.total.label, REPORT_TOTAL_LABEL);
	assert_string_equal(s.total.code, "");
	assert_row(&s.total, 5, 2, 2, 1, 1, 125, 2,
	    "<script>alert(1)</script>、公安、卫健、应急");
	report_summary_free(&s);
	report_summary_free(&s);		/* idempotent */

	/* One bureau's cases only (what report_store_cases(bureau) gives). */
	{
		struct report_store_case b[10];
		size_t nb = 0;

		for (size_t i = 0; i < n; i++)
			if (strcmp(c[i].bureau, "140581") == 0)
				b[nb++] = c[i];
		assert_int_equal(report_summary_build(domains3, 3, b, nb, &s),
		    0);
		assert_row(&s.rows[1], 2, 1, 1, 1, 0, 124, 2,
		    "公安、卫健、应急");
		assert_row(&s.rows[0], 1, 0, 0, 0, 0, 0, 0,
		    "<script>alert(1)</script>");
		report_summary_free(&s);
	}

	/* No cases at all, no domains at all. */
	assert_int_equal(report_summary_build(domains3, 3, NULL, 0, &s), 0);
	assert_row(&s.total, 0, 0, 0, 0, 0, 0, 0, "");
	report_summary_free(&s);
	assert_int_equal(report_summary_build(NULL, 0, c, n, &s), 0);
	assert_int_equal(s.nrows, 0);
	assert_row(&s.total, 0, 0, 0, 0, 0, 0, 0, "");
	report_summary_free(&s);
}

/* The city-wide table is the sum of the bureau tables, cell by cell. */
static void
test_city_is_sum_of_bureaus(void **state)
{
	static const char *const bureaus[] = { "140502", "140525", "140581" };
	struct report_store_case c[10], b[10];
	struct report_summary city, one;
	struct report_row sum[3];
	size_t n = scripted_cases(c);

	(void)state;
	memset(sum, 0, sizeof(sum));
	assert_int_equal(report_summary_build(domains3, 3, c, n, &city), 0);
	for (size_t k = 0; k < 3; k++) {
		size_t nb = 0;

		for (size_t i = 0; i < n; i++)
			if (strcmp(c[i].bureau, bureaus[k]) == 0)
				b[nb++] = c[i];
		assert_int_equal(report_summary_build(domains3, 3, b, nb,
		    &one), 0);
		for (size_t r = 0; r < 3; r++) {
			sum[r].inspected += one.rows[r].inspected;
			sum[r].violating += one.rows[r].violating;
			sum[r].false_report += one.rows[r].false_report;
			sum[r].rectified += one.rows[r].rectified;
			sum[r].revoked += one.rows[r].revoked;
			sum[r].money_centiwan += one.rows[r].money_centiwan;
			sum[r].referred += one.rows[r].referred;
		}
		report_summary_free(&one);
	}
	for (size_t r = 0; r < 3; r++) {
		assert_int_equal(sum[r].inspected, city.rows[r].inspected);
		assert_int_equal(sum[r].violating, city.rows[r].violating);
		assert_int_equal(sum[r].false_report,
		    city.rows[r].false_report);
		assert_int_equal(sum[r].rectified, city.rows[r].rectified);
		assert_int_equal(sum[r].revoked, city.rows[r].revoked);
		assert_int_equal(sum[r].money_centiwan,
		    city.rows[r].money_centiwan);
		assert_int_equal(sum[r].referred, city.rows[r].referred);
	}
	report_summary_free(&city);
}

static void
test_joint_cleaning(void **state)
{
	struct report_store_case c[3];
	struct report_summary s;

	(void)state;
	c[0] = mkcase(1, 1, "food", "140581", "filed",
	    "公安;;  卫健\t应急\n\xff坏 ,公安；");
	c[1] = mkcase(2, 2, "food", "140581", "filed", "、、，");
	c[2] = mkcase(3, 3, "food", "140581", "filed", "应急,市场监管");
	assert_int_equal(report_summary_build(domains3, 3, c, 3, &s), 0);
	assert_string_equal(s.rows[1].joint,
	    "公安、卫健、应急、\xef\xbf\xbd坏、市场监管");
	report_summary_free(&s);
}

static void
test_money_overflow(void **state)
{
	struct report_store_case c[2];
	struct report_summary s;

	(void)state;
	c[0] = mkcase(1, 1, "food", "140581", "filed", NULL);
	c[0].fines_fen = INT64_MAX;
	c[1] = mkcase(2, 2, "food", "140581", "filed", NULL);
	c[1].fines_fen = 1;
	memset(&s, 0, sizeof(s));
	assert_int_equal(report_summary_build(domains3, 3, c, 2, &s), -1);
	assert_null(s.rows);
}

/* A built scripted table with the header fields set. */
static void
scripted_summary(struct report_summary *s)
{
	struct report_store_case c[10];
	size_t n = scripted_cases(c);

	memset(s, 0, sizeof(*s));
	assert_int_equal(report_summary_build(domains3, 3, c, n, s), 0);
	snprintf(s->campaign, sizeof(s->campaign), "jc-2022-testing");
	snprintf(s->campaign_name, sizeof(s->campaign_name),
	    "晋城市2022年检验检测市场专项整治行动<b>");
	snprintf(s->unit_name, sizeof(s->unit_name), "晋城市市场监督管理局");
	snprintf(s->made_on, sizeof(s->made_on), "2022-08-01");
}

static void
test_csv(void **state)
{
	struct report_summary s;
	struct report_buf b = { NULL, 0, 0 };
	char err[256];

	(void)state;
	scripted_summary(&s);
	assert_int_equal(report_render(&s, REPORT_FORMAT_CSV, &b, err,
	    sizeof(err)), 0);
	assert_true(b.len > 3);
	assert_memory_equal(b.data, "\xef\xbb\xbf", 3);
	assert_string_equal(b.data + 3,
	    "重点领域,部门联合情况,检查机构数,发现问题情况,,查处情况,,,\r\n"
	    ",,,存在违法违规行为的机构,其中出具不实/虚假报告,责令改正/整改,"
	    "撤销/注销,罚没款(万元),移送公安司法机关(起)\r\n"
	    "疫情防控有关医疗器械防护用品,<script>alert(1)</script>,"
	    "2,1,1,0,1,0.00,0\r\n"
	    "食品,公安、卫健、应急,3,1,1,1,0,1.25,2\r\n"
	    "个人防护装备,,0,0,0,0,0,0.00,0\r\n"
	    "合计,<script>alert(1)</script>、公安、卫健、应急,"
	    "5,2,2,1,1,1.25,2\r\n");
	report_buf_free(&b);

	/* Quoting and the formula guard. */
	free(s.rows[2].joint);
	s.rows[2].joint = strdup("=HYPERLINK(\"x\",\"y\")");
	assert_non_null(s.rows[2].joint);
	assert_int_equal(report_render(&s, REPORT_FORMAT_CSV, &b, err,
	    sizeof(err)), 0);
	assert_non_null(strstr(b.data,
	    "\r\n个人防护装备,\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\",0,"));
	report_buf_free(&b);
	report_summary_free(&s);
}

static void
test_html(void **state)
{
	struct report_summary s;
	struct report_buf b = { NULL, 0, 0 };
	char err[256];

	(void)state;
	scripted_summary(&s);
	assert_int_equal(report_render(&s, REPORT_FORMAT_HTML, &b, err,
	    sizeof(err)), 0);
	assert_int_equal(strncmp(b.data, "<!DOCTYPE html>", 15), 0);
	assert_null(strstr(b.data, "<script"));
	assert_null(strstr(b.data, "<b>"));
	assert_non_null(strstr(b.data,
	    "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(b.data, "<title>晋城市2022年检验检测市场专项整治"
	    "行动&lt;b&gt;检查信息汇总表</title>"));
	assert_non_null(strstr(b.data, "<th rowspan=\"2\">重点领域</th>"));
	assert_non_null(strstr(b.data, "<th colspan=\"2\">发现问题情况</th>"));
	assert_non_null(strstr(b.data, "<th colspan=\"4\">查处情况</th>"));
	assert_non_null(strstr(b.data, "<td>1.25</td>"));
	assert_non_null(strstr(b.data, "填报单位：晋城市市场监督管理局"));
	assert_non_null(strstr(b.data, "填报日期：2022-08-01"));
	assert_non_null(strstr(b.data, "<tr class=\"total\"><th scope=\"row\">"
	    "合计</th>"));
	report_buf_free(&b);
	report_summary_free(&s);
}

/* The exact fen behind each money cell: summed, never rounded (the staff
 * API's money_fen).  Food: 1,234,567 + 5,000 fen in 140581 (1.24 万元) and
 * 5,000 in 140525 (0.01); medical: 4,999 fen (0.00). */
static void
test_money_fen(void **state)
{
	struct report_summary s;

	(void)state;
	scripted_summary(&s);
	assert_int_equal(s.rows[0].money_fen, 4999);
	assert_int_equal(s.rows[0].money_centiwan, 0);
	assert_int_equal(s.rows[1].money_fen, 1244567);
	assert_int_equal(s.rows[1].money_centiwan, 125);
	assert_int_equal(s.rows[2].money_fen, 0);
	assert_int_equal(s.total.money_fen, 1249566);
	assert_int_equal(s.total.money_centiwan, 125);
	report_summary_free(&s);
}

static json_int_t
json_int_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *
json_str_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

/* The JSON document of the staff API (report_json.h). */
static void
test_json(void **state)
{
	struct report_summary s;
	json_t *doc, *cols, *leaf, *row, *total;

	(void)state;
	scripted_summary(&s);
	doc = report_summary_json(&s);
	assert_non_null(doc);
	assert_string_equal(json_str_at(doc, "title"), "晋城市2022年检验检测市场"
	    "专项整治行动<b>" REPORT_TITLE_SUFFIX);
	assert_string_equal(json_str_at(doc, "campaign"), "jc-2022-testing");
	assert_true(json_is_null(json_object_get(doc, "bureau")));
	assert_string_equal(json_str_at(doc, "filled_by"),
	    "晋城市市场监督管理局");
	assert_string_equal(json_str_at(doc, "date"), "2022-08-01");

	/* The two-level header: three columns, then the two groups. */
	cols = json_object_get(doc, "columns");
	assert_int_equal(json_array_size(cols), 5);
	assert_string_equal(json_str_at(json_array_get(cols, 0), "key"),
	    "name");
	assert_string_equal(json_str_at(json_array_get(cols, 3), "name"),
	    REPORT_GROUP_FINDINGS);
	assert_int_equal(json_array_size(json_object_get(json_array_get(cols,
	    3), "columns")), 2);
	leaf = json_array_get(json_object_get(json_array_get(cols, 4),
	    "columns"), 2);
	assert_string_equal(json_str_at(leaf, "name"), report_column_names[7]);
	assert_string_equal(json_str_at(leaf, "key"), "money_wan");

	assert_int_equal(json_array_size(json_object_get(doc, "rows")), 3);
	row = json_array_get(json_object_get(doc, "rows"), 1);
	assert_string_equal(json_str_at(row, "domain"), "food");
	assert_string_equal(json_str_at(row, "name"), "食品");
	assert_string_equal(json_str_at(row, "joint"), "公安、卫健、应急");
	assert_int_equal(json_int_at(row, "inspected"), 3);
	assert_int_equal(json_int_at(row, "violating"), 1);
	assert_int_equal(json_int_at(row, "false_report"), 1);
	assert_int_equal(json_int_at(row, "rectified"), 1);
	assert_int_equal(json_int_at(row, "revoked"), 0);
	assert_int_equal(json_int_at(row, "money_fen"), 1244567);
	assert_string_equal(json_str_at(row, "money_wan"), "1.25");
	assert_int_equal(json_int_at(row, "referred"), 2);
	total = json_object_get(doc, "total");
	assert_true(json_is_null(json_object_get(total, "domain")));
	assert_string_equal(json_str_at(total, "name"), REPORT_TOTAL_LABEL);
	assert_int_equal(json_int_at(total, "inspected"), 5);
	assert_int_equal(json_int_at(total, "money_fen"), 1249566);
	assert_string_equal(json_str_at(total, "money_wan"), "1.25");
	json_decref(doc);

	/* A bureau's table names it. */
	snprintf(s.bureau, sizeof(s.bureau), "140581");
	doc = report_summary_json(&s);
	assert_non_null(doc);
	assert_string_equal(json_str_at(doc, "bureau"), "140581");
	json_decref(doc);
	report_summary_free(&s);
}

/* The staff page's table: the standalone page's <table>, alone. */
static void
test_html_table(void **state)
{
	struct report_summary s;
	struct report_buf table = { NULL, 0, 0 }, page = { NULL, 0, 0 };

	(void)state;
	scripted_summary(&s);
	assert_int_equal(report_render_html_table(&s, &table), 0);
	assert_int_equal(strncmp(table.data, "<table>", 7), 0);
	assert_null(strstr(table.data, "<html"));
	assert_null(strstr(table.data, "<script"));
	assert_non_null(strstr(table.data,
	    "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(table.data, "<td>1.25</td>"));
	assert_int_equal(report_render_html(&s, &page), 0);
	assert_non_null(strstr(page.data, table.data));
	report_buf_free(&table);
	report_buf_free(&page);
	report_summary_free(&s);
}

static void
test_xlsx(void **state)
{
	struct report_summary s;
	struct report_buf b = { NULL, 0, 0 };
	char err[256];

	(void)state;
	scripted_summary(&s);
	assert_int_equal(report_render(&s, REPORT_FORMAT_XLSX, &b, err,
	    sizeof(err)), 0);
	assert_true(b.len > 1000);
	assert_memory_equal(b.data, "PK\x03\x04", 4);
	report_buf_free(&b);
	report_summary_free(&s);

	{
		enum report_format f;

		assert_true(report_format_from_name("xlsx", &f));
		assert_int_equal(f, REPORT_FORMAT_XLSX);
		assert_true(report_format_from_name("csv", &f));
		assert_int_equal(f, REPORT_FORMAT_CSV);
		assert_false(report_format_from_name("pdf", &f));
		assert_false(report_format_from_name("XLSX", &f));
		assert_false(report_format_from_name(NULL, &f));
	}
}

static void
exec_sql(struct db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static void
test_load(void **state)
{
	char dir[64], path[128], p[160], err[512];
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	struct db *db = NULL;
	struct report_summary s;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_report.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tipline.db", dir);
	assert_int_equal(db_open(path, DB_OPEN_CREATE, &db, err, sizeof(err)),
	    STORAGE_OK);
	assert_int_equal(refdata_load_all(db, err, sizeof(err)), 0);
	exec_sql(db,
	    "INSERT INTO institutions (id, name, name_norm, created_at,"
	    " updated_at) VALUES (1, 'A', 'a', 0, 0), (2, 'B', 'b', 0, 0);"
	    "INSERT INTO cases (public_id, institution_id, campaign, domain,"
	    " bureau, status, joint_departments, violation_found,"
	    " false_report, fines_fen, confiscated_fen, created_at,"
	    " updated_at) VALUES"
	    " ('C-1', 1, 'jc-2022-testing', 'food', '140581', 'filed', '公安',"
	    "  1, 2, 1000000, 234567, 0, 0),"
	    " ('C-2', 2, 'jc-2022-testing', 'food', '140525', 'closed', NULL,"
	    "  0, 0, 5000, 0, 0, 0),"
	    " ('C-3', 2, NULL, 'food', '140525', 'closed', NULL,"
	    "  1, 0, 0, 0, 0, 0);");

	assert_int_equal(report_summary_load(db, "no-such", NULL,
	    "2022-08-01", &s, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "unknown campaign"));
	assert_int_equal(report_summary_load(db, "jc-2022-testing", "999999",
	    "2022-08-01", &s, err, sizeof(err)), 1);
	assert_non_null(strstr(err, "unknown bureau"));

	assert_int_equal(report_summary_load(db, "jc-2022-testing", NULL,
	    "2022-08-01", &s, err, sizeof(err)), 0);
	assert_string_equal(s.campaign_name,
	    "晋城市2022年检验检测市场专项整治行动");
	assert_string_equal(s.bureau, "");
	assert_non_null(strstr(s.unit_name, "晋城市市场监督管理局"));
	assert_int_equal(s.nrows, 6);
	assert_string_equal(s.rows[0].code, "medical_ppe");
	assert_string_equal(s.rows[1].code, "food");
	assert_string_equal(s.rows[2].code, "ppe");
	assert_string_equal(s.rows[3].code, "building_materials");
	assert_string_equal(s.rows[4].code, "dangerous_goods_tanks");
	assert_string_equal(s.rows[5].code, "carbon_verification");
	assert_row(&s.rows[1], 2, 1, 1, 0, 0, 124, 0, "公安");
	assert_row(&s.total, 2, 1, 1, 0, 0, 124, 0, "公安");
	report_summary_free(&s);

	assert_int_equal(report_summary_load(db, "jc-2022-testing", "140525",
	    "2022-08-01", &s, err, sizeof(err)), 0);
	assert_string_equal(s.bureau, "140525");
	assert_row(&s.rows[1], 1, 0, 0, 0, 0, 1, 0, "");
	report_summary_free(&s);

	db_close(&db);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_city_is_sum_of_bureaus),
		cmocka_unit_test(test_joint_cleaning),
		cmocka_unit_test(test_money_overflow),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_xlsx),
		cmocka_unit_test(test_money_fen),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_html_table),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
