/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of service/report_numbers.c: labelled numbers (报告编号,
 * 报告号, 报告 No.), traditional characters and full-width forms, bare
 * numbers in the shape of a report number, and what is not a report
 * number (certificates, samples, standards, telephone numbers, e-mail
 * addresses, too few digits); numbers kept apart by blanks; distinct and
 * bounded output.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "service/report_numbers.h"

struct found {
	char n[REPORT_NUMBERS_MAX][REPORT_NUMBERS_LEN];
	size_t count;
};

static struct found
find(const char *text)
{
	struct found f;

	memset(&f, 0, sizeof(f));
	assert_int_equal(report_numbers_find(text, strlen(text), f.n,
	    &f.count), 0);
	return f;
}

/* The numbers found in text are want[0..n), in that order. */
static void
expect(const char *text, const char *const *want, size_t n)
{
	struct found f = find(text);

	assert_int_equal(f.count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(f.n[i], want[i]);
}

#define EXPECT(text, ...) expect((text), (const char *const[]){ \
	__VA_ARGS__ }, sizeof((const char *const[]){ __VA_ARGS__ }) / \
	sizeof(const char *))

static void
test_labelled(void **state)
{
	(void)state;
	EXPECT("报告编号：JC-2022-0415 是假的", "JC-2022-0415");
	EXPECT("检测报告编号为SXJC20220315001，数据造假", "SXJC20220315001");
	/* Traditional characters and full-width forms. */
	EXPECT("報告編號：ｊｃ－２０２２－０４１５", "JC-2022-0415");
	/* A short number with its label; a trailing dash dropped. */
	EXPECT("报告号：AB-1234-", "AB-1234");
	/* 报告 No., glued or apart; digits-only numbers with a label. */
	EXPECT("检验报告No. SX2022/118；report No.2022001234", "SX2022/118",
	    "2022001234");
}

static void
test_bare(void **state)
{
	(void)state;
	EXPECT("他们出具的JC-2022-0153号报告是假的", "JC-2022-0153");
	/* Two numbers written apart stay apart; em dashes count as -. */
	EXPECT("reports jc-2022-0153 and JC\xe2\x80\x94" "2022\xe2\x80\x94"
	    "0154 are fake", "JC-2022-0153", "JC-2022-0154");
	/* Distinct: the same number twice, in two cases, is one. */
	EXPECT("JC-2022-0153，jc-2022-0153", "JC-2022-0153");
}

static void
test_not_reports(void **state)
{
	(void)state;
	assert_int_equal(find("证书编号：160412050123").count, 0);
	assert_int_equal(find("样品编号：YP20220001").count, 0);
	assert_int_equal(find("订单号 DD20220315001").count, 0);
	assert_int_equal(find("编号：12").count, 0);
	assert_int_equal(find("依据GB19083-2010和GB/T 27025").count, 0);
	assert_int_equal(find("CMA2019000123").count, 0);
	assert_int_equal(find("电话13800138000，统一社会信用代码"
	    "91140581MA0K000016").count, 0);
	assert_int_equal(find("写信到jc20220315001@163.com").count, 0);
	assert_int_equal(find("晋E12345 的车").count, 0);
	assert_int_equal(find("").count, 0);
}

static void
test_bounds(void **state)
{
	struct found f;
	char text[4096];
	size_t o = 0;

	(void)state;
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "JC-2022-%04d ", i);
	f = find(text);
	assert_int_equal(f.count, REPORT_NUMBERS_MAX);
	assert_string_equal(f.n[REPORT_NUMBERS_MAX - 1], "JC-2022-0015");
	/* Too long for a number: nothing. */
	memset(text, 0, sizeof(text));
	memcpy(text, "报告编号：", strlen("报告编号："));
	memset(text + strlen(text), '7', 200);
	assert_int_equal(find(text).count, 0);
	/* Invalid UTF-8 is dropped, not a failure. */
	EXPECT("\xff\xfe报告编号\xc3：JC-2022-0415", "JC-2022-0415");
	/* Fields add to one set. */
	f = find("报告编号：JC-2022-0415");
	assert_int_equal(report_numbers_find("JC-2022-0415 WT20220416001",
	    26, f.n, &f.count), 0);
	assert_int_equal(f.count, 2);
	assert_string_equal(f.n[1], "WT20220416001");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labelled),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_not_reports),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
