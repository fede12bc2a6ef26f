/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the text normalisation (service/textnorm.c) on tip text,
 * beside the name cases of test_institutions.c: the traditional table's
 * own promises (sorted, one BMP ideograph to one, no target also a source,
 * characters of simplified text left alone), whole traditional sentences,
 * width, blanks and brackets in running text, the decoder's refusals, and
 * idempotence and length over pseudo-random text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "service/textnorm.h"
#include "service/textnorm_trad.h"

static void
assert_norm(const char *in, const char *want)
{
	size_t len = 0;
	char *got = textnorm_dup(in, strlen(in), &len);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("textnorm(\"%s\") = \"%s\", want \"%s\"", in, got,
		    want);
	assert_int_equal(len, strlen(got));
	free(got);
}

static bool
is_source(uint32_t cp)
{
	for (size_t i = 0; i < textnorm_trad_count; i++)
		if (textnorm_trad_map[i].from == cp)
			return true;
	return false;
}

static void
test_table(void **state)
{
	(void)state;
	assert_true(textnorm_trad_count > 2000);
	for (size_t i = 0; i < textnorm_trad_count; i++) {
		const struct textnorm_map *m = &textnorm_trad_map[i];

		if (i > 0)
			assert_true(textnorm_trad_map[i - 1].from < m->from);
		assert_true(m->from >= 0x4e00 && m->from <= 0x9fff);
		assert_true(m->to >= 0x4e00 && m->to <= 0x9fff);
		assert_int_not_equal(m->from, m->to);
		if (is_source(m->to))
			fail_msg("U+%04X → U+%04X, itself mapped", m->from,
			    m->to);
	}
}

static void
test_traditional_text(void **state)
{
	(void)state;
	/* Places, trade words and the everyday words around them. */
	assert_norm("陽城縣鳳城鎮有個檢測公司，沒來現場就出報告",
	    "阳城县凤城镇有个检测公司,没来现场就出报告");
	assert_norm("澤州縣晉廟舖鎮", "泽州县晋庙铺镇");
	assert_norm("晉城市誠信建築材料檢測有限責任公司",
	    "晋城市诚信建筑材料检测有限公司");
	assert_norm("山西國信檢驗檢測股份有限公司", "山西国信检验检测有限公司");
	assert_norm("宏達、博遠、綠源、康達醫療器械",
	    "宏达、博远、绿源、康达医疗器械");
	assert_norm("儀器過期，數據是編的，報告編號：JC-2022-0815",
	    "仪器过期,数据是编的,报告编号:jc-2022-0815");
	assert_norm("氣體洩漏，兩人中毒", "气体泄漏,两人中毒");
	/* Characters simplified text uses too stay as they are. */
	assert_norm("乾隆著名覆盖於", "乾隆著名覆盖於");
	/* Simplified text is unchanged. */
	assert_norm("阳城县凤城镇检测站", "阳城县凤城镇检测站");
}

static void
test_running_text(void **state)
{
	(void)state;
	/* Blanks of every kind go, full-width forms become ASCII. */
	assert_norm("高平 市\t米山\r\n镇", "高平市米山镇");
	assert_norm("ＧＢ　１９０８３－２０１０", "gb19083-2010");
	assert_norm("报告编号：ＪＣ２０２２", "报告编号:jc2022");
	assert_norm("【华泰】〔检测〕［站］", "(华泰)(检测)(站)");
	assert_norm("\xef\xbb\xbf" "检测", "检测");	/* BOM */
	assert_norm("", "");
	/* NUL inside the length is dropped, not an end. */
	{
		char *got = textnorm_dup("a\0b", 3, NULL);

		assert_non_null(got);
		assert_string_equal(got, "ab");
		free(got);
	}
	{
		char *got = textnorm_dup(NULL, 5, NULL);

		assert_non_null(got);
		assert_string_equal(got, "");
		free(got);
	}
}

static void
test_decode(void **state)
{
	uint32_t cp = 0;

	(void)state;
	assert_int_equal(textnorm_decode("\xe6\xa3\x80", 3, 0, &cp), 3);
	assert_int_equal(cp, 0x68c0);			/* 检 */
	assert_int_equal(textnorm_decode("a", 1, 0, &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(textnorm_decode("\xc0\xaf", 2, 0, &cp), 0);
	assert_int_equal(textnorm_decode("\xed\xa0\x80", 3, 0, &cp), 0);
	assert_int_equal(textnorm_decode("\xf4\x90\x80\x80", 4, 0, &cp), 0);
	assert_int_equal(textnorm_decode("\xe6\xa3", 2, 0, &cp), 0);
	assert_int_equal(textnorm_decode("a", 1, 1, &cp), 0);
	assert_int_equal(textnorm_chars("检测ab", strlen("检测ab")), 4);
}

/* Pseudo-random text from a mix of ASCII, CJK, full-width and bytes. */
static void
test_idempotent_and_short(void **state)
{
	uint32_t x = 7;
	char in[256], *once, *twice;
	size_t l1, l2;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t n = 0;

		while (n + 4 < sizeof(in)) {
			uint32_t r;

			x = x * 1103515245u + 12345u;
			r = (x >> 8) % 6;
			if (r == 0) {
				in[n++] = (char)(0x20 + (x >> 16) % 95);
			} else if (r == 5) {
				in[n++] = (char)(x >> 16);	/* any byte */
			} else {
				/* A mapped source, a target, or any CJK. */
				uint32_t cp = r == 1 ? textnorm_trad_map[(x >>
				    12) % textnorm_trad_count].from : r == 2 ?
				    textnorm_trad_map[(x >> 12) %
				    textnorm_trad_count].to : r == 3 ?
				    0xff01 + (x >> 12) % 94 :
				    0x4e00 + (x >> 12) % 0x5200;

				in[n++] = (char)(0xe0 | (cp >> 12));
				in[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
				in[n++] = (char)(0x80 | (cp & 0x3f));
			}
		}
		once = textnorm_dup(in, n, &l1);
		assert_non_null(once);
		assert_true(l1 <= n);
		twice = textnorm_dup(once, l1, &l2);
		assert_non_null(twice);
		assert_int_equal(l1, l2);
		assert_memory_equal(once, twice, l1);
		free(once);
		free(twice);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_traditional_text),
		cmocka_unit_test(test_running_text),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_idempotent_and_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
