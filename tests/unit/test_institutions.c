/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the institution registry: the unified social credit code
 * check (GB 32100-2015), name normalisation (service/textnorm.c through
 * institutions_normalise_name), the pure parse of the import file with
 * its line-numbered errors, the storage upsert/list (storage/institutions.c)
 * and the router's loader (storage/router_data.c) over a database with the
 * real reference data, ending in one routing on that data.
 *
 * Valid credit codes are computed here with an independent implementation
 * of the standard's formula (its weight table written out, not 3^i), never
 * typed from memory; two published codes of large companies are checked as
 * well, as a sanity check that the formula is the one used in practice.
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

#include "service/institutions.h"
#include "service/refdata_load.h"
#include "service/router.h"
#include "service/textnorm.h"
#include "storage/db.h"
#include "storage/institutions.h"
#include "storage/router_data.h"

/* ---------------------------------------------------------------------
 * The credit code.
 */

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int weights[17] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
};

/* The standard's check character for base[0..17), computed here. */
static char
reference_check(const char *base)
{
	int sum = 0, c;

	for (int i = 0; i < 17; i++)
		sum += (int)(strchr(alphabet, base[i]) - alphabet) * weights[i];
	c = 31 - sum % 31;
	return alphabet[c == 31 ? 0 : c];
}

/* base (17 characters) with its check character, into out[19]. */
static void
make_code(const char *base, char out[19])
{
	memcpy(out, base, 17);
	out[17] = reference_check(base);
	out[18] = '\0';
}

static void
test_credit_code_valid(void **state)
{
	static const char *const bases[] = {
		"91140581MA0K00001",	/* 高平, an MA code */
		"91140500MA0GR1234",
		"12140500012345678",	/* a public institution (12...) */
		"91140525MA0L77770",
		"52140502MJY000001",	/* a social organisation (52...) */
		"Y1140524000000000",	/* registration authority Y */
	};
	char code[19];

	(void)state;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		make_code(bases[i], code);
		assert_int_equal(institutions_credit_code_check(code),
		    code[17]);
		assert_true(institutions_valid_credit_code(code));
	}
	/* The weights are 3^i mod 31. */
	for (int i = 0, w = 1; i < 17; i++, w = w * 3 % 31)
		assert_int_equal(weights[i], w);
	/* The sums where 31 - 0 becomes 0. */
	assert_true(institutions_valid_credit_code("000000000000000000"));
	assert_int_equal(institutions_credit_code_check("00000000000000000"),
	    '0');
	/* Published codes (华为技术有限公司, 深圳市腾讯计算机系统有限公司). */
	assert_true(institutions_valid_credit_code("914403001922038216"));
	assert_true(institutions_valid_credit_code("91440300708461136T"));
}

static void
test_credit_code_every_check_char(void **state)
{
	char base[18], code[19];
	unsigned seen = 0;
	uint32_t x = 12345;

	(void)state;
	/* Pseudo-random bases until every check character has appeared. */
	for (int n = 0; n < 20000 && seen != 0x7fffffffu; n++) {
		for (int i = 0; i < 17; i++) {
			x = x * 1103515245u + 12345u;
			base[i] = alphabet[(x >> 16) % 31];
		}
		base[17] = '\0';
		make_code(base, code);
		assert_int_equal(institutions_credit_code_check(code),
		    code[17]);
		assert_true(institutions_valid_credit_code(code));
		seen |= 1u << (strchr(alphabet, code[17]) - alphabet);
		/* Every other last character is wrong. */
		if (n < 50)
			for (int k = 0; k < 31; k++) {
				if (alphabet[k] == code[17])
					continue;
				code[17] = alphabet[k];
				assert_false(institutions_valid_credit_code(
				    code));
				code[17] = reference_check(base);
			}
	}
	assert_int_equal(seen, 0x7fffffffu);
}

static void
test_credit_code_invalid(void **state)
{
	char code[19];

	(void)state;
	make_code("91140581MA0K00001", code);
	assert_true(institutions_valid_credit_code(code));
	code[17] = code[17] == '1' ? '2' : '1';
	assert_false(institutions_valid_credit_code(code));

	assert_false(institutions_valid_credit_code(NULL));
	assert_false(institutions_valid_credit_code(""));
	assert_false(institutions_valid_credit_code("91140581MA0K00001"));
	assert_false(institutions_valid_credit_code("91140581MA0K0000166"));
	/* Lower case is not the standard's form (the import upper-cases). */
	assert_false(institutions_valid_credit_code("91140581ma0k000016"));
	assert_true(institutions_valid_credit_code("91140581MA0K000016"));
	/* I, O, S, V, Z are not in the alphabet, anywhere. */
	assert_false(institutions_valid_credit_code("91140581MA0I000016"));
	assert_false(institutions_valid_credit_code("91140581MA0O000016"));
	assert_false(institutions_valid_credit_code("91140581MA0S000016"));
	assert_false(institutions_valid_credit_code("91140581MA0V000016"));
	assert_false(institutions_valid_credit_code("91140581MA0Z000016"));
	assert_int_equal(institutions_credit_code_check("9114058IMA0K00001"),
	    '\0');
	assert_int_equal(institutions_credit_code_check("911405"), '\0');
	/* Full-width digits are not ASCII. */
	assert_false(institutions_valid_credit_code(
	    "\xef\xbc\x99" "1140581MA0K00001"));
}

/* ---------------------------------------------------------------------
 * Names.
 */

static void
assert_norm(const char *in, const char *want)
{
	char *got = institutions_normalise_name(in);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("normalise(\"%s\") = \"%s\", want \"%s\"", in, got,
		    want);
	/* Idempotent, and never longer. */
	{
		char *again = institutions_normalise_name(got);

		assert_non_null(again);
		assert_string_equal(again, got);
		free(again);
	}
	assert_true(strlen(got) <= strlen(in));
	free(got);
}

static void
test_normalise(void **state)
{
	(void)state;
	/* Suffix variants: one canonical suffix. */
	assert_norm("高平市华泰检测有限公司", "高平市华泰检测有限公司");
	assert_norm("高平市华泰检测有限责任公司", "高平市华泰检测有限公司");
	assert_norm("高平市华泰检测股份有限公司", "高平市华泰检测有限公司");
	assert_norm("某某股份有限责任公司", "某某有限公司");
	assert_norm("某某股份股份有限公司", "某某有限公司");
	/* Brackets, full-width and half-width alike. */
	assert_norm("晋城（华信）检测技术有限公司", "晋城(华信)检测技术有限公司");
	assert_norm("晋城(华信)检测技术有限公司", "晋城(华信)检测技术有限公司");
	assert_norm("晋城【华信】检测", "晋城(华信)检测");
	assert_norm("晋城[华信]检测", "晋城(华信)检测");
	assert_norm("晋城［华信］〔检测〕", "晋城(华信)(检测)");
	/* Spaces of every kind. */
	assert_norm(" 晋城 华信\t检测\xe3\x80\x80有限 公司 ", "晋城华信检测有限公司");
	assert_norm("高平\xc2\xa0华泰", "高平华泰");
	/* Full-width letters and digits, ASCII case. */
	assert_norm("ＳＧＳ通标（晋城）", "sgs通标(晋城)");
	assert_norm("SGS Test CO., LTD", "sgstestco.,ltd");
	assert_norm("第１检测站", "第1检测站");
	/* Traditional place and trade characters. */
	assert_norm("陽城縣華泰檢測有限責任公司", "阳城县华泰检测有限公司");
	assert_norm("澤州縣", "泽州县");
	assert_norm("晉城市區", "晋城市区");
	/* Invalid UTF-8 is dropped, never passed on. */
	assert_norm("ab\xff" "c\xe6\xa3", "abc");
	assert_norm("", "");
}

/* ---------------------------------------------------------------------
 * The import file.
 */

#define HEADER "name,credit_code,cma_cert_no,address,county_code,domains\n"

static struct institutions_batch
parse(const char *text)
{
	struct institutions_batch b;

	assert_int_equal(institutions_parse(text, strlen(text), &b), 0);
	return b;
}

static void
assert_error(const struct institutions_batch *b, size_t i, const char *want)
{
	assert_true(i < b->nerrors);
	if (strstr(b->errors[i], want) == NULL)
		fail_msg("error %zu is \"%s\", want \"%s\"", i, b->errors[i],
		    want);
}

static void
test_parse_good(void **state)
{
	struct institutions_batch b = parse("\xef\xbb\xbf" HEADER
	    "高平市华泰检测有限责任公司,91140581ma0k000016,160412050123,"
	    "高平市米山镇,140581,food;building_materials\r\n"
	    "\"晋城（华信）检测技术股份有限公司\",91140500MA0GR1234L,,"
	    "\"城区\n泽州路\",140502,\n"
	    "\n"
	    "Zezhou,121405000123456785,cma2019000123,,140525,"
	    " food ; ;carbon_verification;food\n");

	(void)state;
	assert_int_equal(b.errors_total, 0);
	assert_int_equal(b.nrows, 3);
	assert_int_equal(b.rows[0].line, 2);
	assert_string_equal(b.rows[0].credit_code, "91140581MA0K000016");
	assert_string_equal(b.rows[0].name_norm, "高平市华泰检测有限公司");
	assert_int_equal(b.rows[0].ndomains, 2);
	assert_string_equal(b.rows[1].name_norm, "晋城(华信)检测技术有限公司");
	assert_string_equal(b.rows[1].cma_cert_no, "");
	assert_string_equal(b.rows[1].address, "城区 泽州路");
	assert_int_equal(b.rows[1].ndomains, 0);
	/* A quoted line break: the next row starts two lines on. */
	assert_int_equal(b.rows[2].line, 6);
	assert_string_equal(b.rows[2].cma_cert_no, "CMA2019000123");
	assert_int_equal(b.rows[2].ndomains, 2);
	assert_string_equal(b.rows[2].domains[0], "food");
	assert_string_equal(b.rows[2].domains[1], "carbon_verification");
	institutions_batch_free(&b);
	institutions_batch_free(&b);	/* twice: harmless */
	institutions_batch_free(NULL);
}

static void
test_parse_bad_lines(void **state)
{
	struct institutions_batch b = parse(HEADER
	    "好,91140581MA0K000017,,,140581,\n"		/* 2: check char */
	    ",91140500MA0GR1234L,,,140502,\n"		/* 3: no name */
	    "A,91140500MA0GR1234L,,,14050,\n"		/* 4: county */
	    "B,91140525MA0L77770A,12,,140525,\n"	/* 5: CMA */
	    "C,91140525MA0L77770A,,,140525,Food\n"	/* 6: domain code */
	    "D,,,,140525,\n"				/* 7: no code */
	    "E,121405000123456785,,,140525\n"		/* 8: 5 fields */
	    "F,121405000123456785,,,140525,\n"		/* good */
	    "G,121405000123456785,,,140525,\n"		/* 10: duplicate */
	    "H,91140581MA0K00001I,,,140581,\n"		/* 11: bad char */
	    "I\x01,91140581MA0K000016,,,140581,\n");	/* 12: control */

	(void)state;
	assert_int_equal(b.errors_total, 10);
	assert_int_equal(b.nerrors, 10);
	assert_error(&b, 0, "line 2: credit_code \"91140581MA0K000017\": "
	    "wrong check character (GB 32100: should be 6)");
	assert_error(&b, 1, "line 3: name is empty");
	assert_error(&b, 2, "line 4: county_code");
	assert_error(&b, 3, "line 5: cma_cert_no");
	assert_error(&b, 4, "line 6: domains: \"Food\"");
	assert_error(&b, 5, "line 7: credit_code is empty");
	assert_error(&b, 6, "line 8: expected 6 fields");
	assert_error(&b, 7, "line 10: credit_code 121405000123456785 is also "
	    "on line 9");
	assert_error(&b, 8, "line 11: credit_code \"91140581MA0K00001I\": "
	    "character 18");
	assert_error(&b, 9, "line 12: name contains");
	assert_int_equal(b.nrows, 1);
	assert_int_equal(b.rows[0].line, 9);
	institutions_batch_free(&b);
}

static void
test_parse_file_errors(void **state)
{
	struct institutions_batch b;

	(void)state;
	b = parse("");
	assert_int_equal(b.errors_total, 1);
	assert_error(&b, 0, "line 1: the file is empty");
	institutions_batch_free(&b);

	b = parse("name,code\nA,B\n");
	assert_int_equal(b.errors_total, 1);
	assert_error(&b, 0, "line 1: the header must be");
	institutions_batch_free(&b);

	/* A CSV syntax error stops the parse at its line. */
	b = parse(HEADER "A,121405000123456785,,,140525,\n"
	    "B,\"91140581MA0K000016,,,140581,\n");
	assert_int_equal(b.errors_total, 1);
	assert_error(&b, 0, "line 3: ");
	institutions_batch_free(&b);

	b = parse(HEADER "A,121405000123456785,,,140525,\n"
	    "B\xff,91140581MA0K000016,,,140581,\n");
	assert_int_equal(b.errors_total, 1);
	assert_error(&b, 0, "line 3: ");
	institutions_batch_free(&b);
}

static void
test_parse_many_errors_capped(void **state)
{
	size_t n = INSTITUTIONS_ERRORS_MAX + 20, len = 0;
	size_t cap = n * 40 + sizeof(HEADER);
	char *text = malloc(cap);
	struct institutions_batch b;

	(void)state;
	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "%s", HEADER);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
		    "x,123,,,140525,\n");
	assert_int_equal(institutions_parse(text, len, &b), 0);
	assert_int_equal(b.errors_total, n);
	assert_int_equal(b.nerrors, INSTITUTIONS_ERRORS_MAX);
	assert_int_equal(b.nrows, 0);
	institutions_batch_free(&b);
	free(text);
}

/* ---------------------------------------------------------------------
 * Storage and the router's loader, on a database with the real data.
 */

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
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_institutions.XXXXXX");
	if (mkdtemp(fx->dir) == NULL) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/tipline.db", fx->dir);
	if (db_open(fx->path, DB_OPEN_CREATE, &fx->db, err, sizeof(err)) !=
	    STORAGE_OK || refdata_load_all(fx->db, err, sizeof(err)) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		db_close(&fx->db);
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

struct list_ctx {
	size_t n;
	char domains[4][128];
	char names[4][128];
};

static int
list_cb(void *arg, const struct institutions_entry *e)
{
	struct list_ctx *c = arg;

	if (c->n < 4) {
		snprintf(c->domains[c->n], sizeof(c->domains[0]), "%s",
		    e->domains);
		snprintf(c->names[c->n], sizeof(c->names[0]), "%s", e->name);
	}
	c->n++;
	return 0;
}

static void
test_upsert_and_list(void **state)
{
	struct fixture *fx = *state;
	const char *doms[] = { "food", "building_materials" };
	const char *doms2[] = { "building_materials", "food" };
	const char *doms3[] = { "food" };
	struct institutions_row r = {
		.name = "高平市华泰检测有限责任公司",
		.name_norm = "高平市华泰检测有限公司",
		.credit_code = "91140581MA0K000016",
		.cma_cert_no = "160412050123",
		.address = "",
		.county_code = "140581",
		.domains = doms,
		.ndomains = 2,
	};
	enum institutions_change ch;
	struct list_ctx lc;
	int64_t id = 0, id2 = 0;

	assert_int_equal(institutions_count(fx->db), 0);
	assert_int_equal(db_begin(fx->db), STORAGE_OK);
	assert_int_equal(institutions_upsert(fx->db, &r, 1000, &id, &ch),
	    STORAGE_OK);
	assert_int_equal(ch, INSTITUTIONS_ADDED);
	/* The same again, domains in another order: unchanged. */
	r.domains = doms2;
	assert_int_equal(institutions_upsert(fx->db, &r, 2000, &id2, &ch),
	    STORAGE_OK);
	assert_int_equal(ch, INSTITUTIONS_UNCHANGED);
	assert_int_equal(id, id2);
	/* Only the domains change: updated. */
	r.domains = doms3;
	r.ndomains = 1;
	assert_int_equal(institutions_upsert(fx->db, &r, 3000, NULL, &ch),
	    STORAGE_OK);
	assert_int_equal(ch, INSTITUTIONS_UPDATED);
	/* A new name for the same code: updated in place. */
	r.name = "高平市华泰检测有限公司";
	assert_int_equal(institutions_upsert(fx->db, &r, 4000, &id2, &ch),
	    STORAGE_OK);
	assert_int_equal(ch, INSTITUTIONS_UPDATED);
	assert_int_equal(id, id2);
	/* Missing values are refused before SQL. */
	r.credit_code = "";
	assert_int_equal(institutions_upsert(fx->db, &r, 1, NULL, &ch),
	    STORAGE_ERR_INVALID);
	assert_int_equal(db_commit(fx->db), STORAGE_OK);

	assert_int_equal(institutions_count(fx->db), 1);
	memset(&lc, 0, sizeof(lc));
	assert_int_equal(institutions_list(fx->db, list_cb, &lc), STORAGE_OK);
	assert_int_equal(lc.n, 1);
	assert_string_equal(lc.domains[0], "food");
	assert_string_equal(lc.names[0], "高平市华泰检测有限公司");
}

static void
test_router_data_load(void **state)
{
	struct fixture *fx = *state;
	struct router_data *d = NULL;
	struct institutions_row r = {
		.name = "晋城（华信）检测技术股份有限公司",
		.name_norm = "晋城(华信)检测技术有限公司",
		.credit_code = "91140500MA0GR1234L",
		.county_code = "140502",
	};
	struct router_input in = {0};
	struct router_decision dec;
	enum institutions_change ch;
	const struct router_domain *med = NULL;

	assert_int_equal(router_data_serial(fx->db), 0);
	assert_int_equal(db_begin(fx->db), STORAGE_OK);
	assert_int_equal(institutions_upsert(fx->db, &r, 1000, NULL, &ch),
	    STORAGE_OK);
	assert_int_equal(router_data_touch(fx->db), STORAGE_OK);
	assert_int_equal(db_commit(fx->db), STORAGE_OK);
	assert_int_equal(router_data_serial(fx->db), 1);

	assert_int_equal(router_data_load(fx->db, &d), STORAGE_OK);
	assert_non_null(d);
	assert_int_equal(d->serial, 1);
	assert_int_equal(d->nbureaus, 9);
	assert_true(d->nplaces >= 90);
	assert_int_equal(d->ndomains, 6);
	assert_string_equal(d->domains[0].code, "medical_ppe");
	med = &d->domains[0];
	assert_true(med->epidemic);
	assert_true(med->nkeywords > 10);
	assert_true(d->nviolations >= 20);
	assert_int_equal(d->ninstitutions, 1);
	assert_string_equal(d->institutions[0].county_code, "140502");
	assert_string_equal(d->institutions[0].cma_cert_no, "");

	/* The real gazetteer and keywords through the router. */
	in.summary = "高平市米山镇的检测站出假报告";
	in.details = "他们没来现场就出了医用防护口罩的检测报告";
	assert_int_equal(router_route(d, &in, &dec), 0);
	assert_string_equal(dec.bureau, "140581");
	assert_string_equal(dec.domain, "medical_ppe");
	assert_string_equal(dec.violation, "false_not_tested");
	assert_int_equal(dec.priority, ROUTER_PRIORITY_EPIDEMIC +
	    ROUTER_PRIORITY_FALSE);

	in.summary = "举报";
	in.details = "晋城(华信)检测技术有限责任公司出的混凝土试块报告";
	assert_int_equal(router_route(d, &in, &dec), 0);
	assert_string_equal(dec.bureau, "140502");
	assert_int_equal(dec.institution_id, 1);
	assert_string_equal(dec.domain, "building_materials");

	/* Every county of places.csv by its full name. */
	for (size_t i = 0; i < d->nplaces; i++) {
		const struct router_place *p = &d->places[i];

		if (strcmp(p->code, p->county_code) == 0 ||
		    strstr(p->name, "开发区") != NULL)
			continue;
		in.summary = "举报";
		in.details = p->name;
		assert_int_equal(router_route(d, &in, &dec), 0);
		if (strcmp(dec.bureau, p->county_code) != 0)
			fail_msg("%s: routed to %s, not %s (%s)", p->name,
			    dec.bureau, p->county_code, dec.reason);
	}

	router_data_free(&d);
	assert_null(d);
	router_data_free(&d);
	router_data_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credit_code_valid),
		cmocka_unit_test(test_credit_code_every_check_char),
		cmocka_unit_test(test_credit_code_invalid),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad_lines),
		cmocka_unit_test(test_parse_file_errors),
		cmocka_unit_test(test_parse_many_errors_capped),
		cmocka_unit_test_setup_teardown(test_upsert_and_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_router_data_load, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
