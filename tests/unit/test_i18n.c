/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the per-request language (handlers/i18n.c): the compiled
 * catalog (sorted, looked up, English falls back to the msgid), the
 * Accept-Language rules, i18n_format() with every conversion intake uses,
 * and the Cookie header reader (handlers/http_cookie.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "handlers/http_cookie.h"
#include "handlers/i18n.h"
#include "handlers/i18n_catalog.h"

static void
test_catalog(void **state)
{
	(void)state;
	assert_true(i18n_catalog_count >= 1);
	for (size_t c = 0; c < i18n_catalog_count; c++)
		for (size_t i = 1; i < i18n_catalogs[c].count; i++)
			assert_true(strcmp(i18n_catalogs[c].entries[i - 1].msgid,
			    i18n_catalogs[c].entries[i].msgid) < 0);
	assert_string_equal(i18n_tr(I18N_ZH, "Summary"), "举报概要");
	assert_string_equal(i18n_tr(I18N_EN, "Summary"), "Summary");
	assert_string_equal(i18n_tr(I18N_ZH, "no such msgid"),
	    "no such msgid");
	assert_true(i18n_has(I18N_ZH, "%s is required"));
	assert_false(i18n_has(I18N_ZH, "no such msgid"));
}

static void
test_accept_language(void **state)
{
	(void)state;
	assert_int_equal(i18n_from_accept_language(NULL), I18N_ZH);
	assert_int_equal(i18n_from_accept_language(""), I18N_ZH);
	assert_int_equal(i18n_from_accept_language("en"), I18N_EN);
	assert_int_equal(i18n_from_accept_language("EN-gb"), I18N_EN);
	assert_int_equal(i18n_from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
	    I18N_ZH);
	assert_int_equal(i18n_from_accept_language("en;q=0.8, zh;q=0.9"),
	    I18N_ZH);
	assert_int_equal(i18n_from_accept_language("zh;q=0.5, en"), I18N_EN);
	assert_int_equal(i18n_from_accept_language("en, zh"), I18N_EN);
	assert_int_equal(i18n_from_accept_language("zh, en"), I18N_ZH);
	assert_int_equal(i18n_from_accept_language("fr, en;q=0.1"), I18N_EN);
	assert_int_equal(i18n_from_accept_language("en;q=0"), I18N_ZH);
	assert_int_equal(i18n_from_accept_language("en;q=2"), I18N_ZH);
	assert_int_equal(i18n_from_accept_language("eng"), I18N_ZH);
	assert_int_equal(i18n_from_accept_language("*"), I18N_ZH);
	assert_int_equal(i18n_from_accept_language(" , ;;, en ; q=0.7 "),
	    I18N_EN);
	assert_int_equal(i18n_choose("en", "zh"), I18N_EN);
	assert_int_equal(i18n_choose("zh", "en"), I18N_ZH);
	assert_int_equal(i18n_choose("xx", "en"), I18N_EN);
	assert_string_equal(i18n_tag(I18N_ZH), "zh-CN");
}

static void
test_format(void **state)
{
	const char *args[] = { "summary", "201", "200" };
	char out[64];

	(void)state;
	i18n_format(out, sizeof(out),
	    "%s is %zu characters long; at most %zu are allowed", args, 3);
	assert_string_equal(out,
	    "summary is 201 characters long; at most 200 are allowed");
	i18n_format(out, sizeof(out), "“%s”有 %zu 个字", args, 2);
	assert_string_equal(out, "“summary”有 201 个字");
	i18n_format(out, sizeof(out), "100%% %.20s %llu %d|%s", args, 2);
	assert_string_equal(out, "100% summary 201 |");
	/* Cut at a character boundary. */
	i18n_format(out, 8, "长长长", NULL, 0);
	assert_string_equal(out, "长长");
	i18n_format(out, sizeof(out), "trailing %", NULL, 0);
	assert_string_equal(out, "trailing ");
}

static void
test_cookie(void **state)
{
	char v[65];

	(void)state;
	assert_true(http_cookie_get("a=1; tipline_tipster=abc; b=2",
	    "tipline_tipster", v, sizeof(v)));
	assert_string_equal(v, "abc");
	assert_true(http_cookie_get("tipline_tipster=\"q\"", "tipline_tipster",
	    v, sizeof(v)));
	assert_string_equal(v, "q");
	assert_true(http_cookie_get("x_tipline_tipster=1;tipline_tipster=2",
	    "tipline_tipster", v, sizeof(v)));
	assert_string_equal(v, "2");
	assert_false(http_cookie_get("a=1", "tipline_tipster", v, sizeof(v)));
	assert_false(http_cookie_get("tipline_tipster=a b", "tipline_tipster",
	    v, sizeof(v)));
	assert_false(http_cookie_get("tipline_tipster=a\\b",
	    "tipline_tipster", v, sizeof(v)));
	assert_false(http_cookie_get("tipline_tipster=12345",
	    "tipline_tipster", v, 5));
	assert_true(http_cookie_get("novalue; tipline_tipster=",
	    "tipline_tipster", v, sizeof(v)));
	assert_string_equal(v, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_accept_language),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_cookie),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
