/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the router (service/router.c) on a hand-built struct
 * router_data: no SQLite.  The data is a cut of data/ (the six counties
 * and their bureaus, a selection of towns chosen for the rules: 西河 and
 * 西河底, 周村 and 三甲 and 河北 and 潞城 as risky stems, 开发区街道, a
 * former township), plus one synthetic name shared by two counties (南庄)
 * to test that rule, three domains, a few violation types and four
 * registry entries with credit codes computed by the GB 32100 algorithm.
 *
 * One test per rule of design.md "Triage" and issue 6: each registry match
 * kind, the chosen county, agreement and disagreement, weak signals alone,
 * in conflict and under a strong one, short and traditional names, the
 * city's name and places outside it, the recipient hint, domain and
 * violation scoring with the tipster's choice winning, priority, report
 * numbers, and the reason's promises (readable, bounded, never the
 * tipster's own words).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "service/router.h"
#include "service/textnorm.h"

/* ---------------------------------------------------------------------
 * The hand-built reference data.
 */

static const struct router_bureau bureaus[] = {
	{ "140500", "晋城市市场监督管理局", "" },
	{ "140500-rz", "晋城市市场监督管理局认证科", "" },
	{ "140500-dz", "晋城市市场监督管理局开发区分局", "" },
	{ "140502", "晋城市城区市场监督管理局", "140502" },
	{ "140521", "沁水县市场监督管理局", "140521" },
	{ "140522", "阳城县市场监督管理局", "140522" },
	{ "140524", "陵川县市场监督管理局", "140524" },
	{ "140525", "泽州县市场监督管理局", "140525" },
	{ "140581", "高平市市场监督管理局", "140581" },
};

static const struct router_place places[] = {
	{ "140502", "140502", "区", "城区", "", false },
	{ "140521", "140521", "县", "沁水县", "沁水", false },
	{ "140522", "140522", "县", "阳城县", "阳城", false },
	{ "140524", "140524", "县", "陵川县", "陵川", false },
	{ "140525", "140525", "县", "泽州县", "泽州", false },
	{ "140581", "140581", "市", "高平市", "高平", false },
	{ "140502009", "140502", "街道", "开发区街道", "开发区", false },
	{ "140502100", "140502", "镇", "北石店镇", "北石店", false },
	{ "140522100", "140522", "镇", "凤城镇", "凤城", false },
	{ "140522107", "140522", "镇", "河北镇", "河北", false },
	{ "140522202", "140522", "乡", "西河乡", "西河", false },
	{ "140524103", "140524", "镇", "西河底镇", "西河底", false },
	{ "140524106", "140524", "镇", "潞城镇", "潞城", false },
	{ "140525103", "140525", "镇", "周村镇", "周村", false },
	{ "140525107", "140525", "镇", "高都镇", "高都", false },
	{ "140525108", "140525", "镇", "巴公镇", "巴公", false },
	{ "140525201", "140525", "乡", "李寨乡", "李寨", true },
	{ "140581002", "140581", "街道", "东城街道", "东城", false },
	{ "140581101", "140581", "镇", "米山镇", "米山", false },
	{ "140581102", "140581", "镇", "三甲镇", "三甲", false },
	/* Synthetic: one short name in two counties. */
	{ "140521900", "140521", "镇", "南庄镇", "南庄", false },
	{ "140525900", "140525", "乡", "南庄乡", "南庄", false },
};

static const struct router_keyword kw_medical[] = {
	{ "医用防护口罩", 3 }, { "细菌过滤效率", 3 }, { "疫情防控", 2 },
	{ "新冠", 1 }, { "GB 19083", 3 }, { "YY/T 0969", 3 },
};
static const struct router_keyword kw_food[] = {
	{ "食品", 1 }, { "熟食", 2 }, { "菌落总数", 3 }, { "GB 2760", 3 },
	{ "GB 4789", 3 },
};
static const struct router_keyword kw_building[] = {
	{ "混凝土", 2 }, { "钢筋", 2 }, { "抗压强度", 3 }, { "GB 175", 3 },
};

static const struct router_domain domains[] = {
	{ "medical_ppe", "疫情防控有关医疗器械防护用品", true, kw_medical,
	    sizeof(kw_medical) / sizeof(kw_medical[0]) },
	{ "food", "食品", false, kw_food,
	    sizeof(kw_food) / sizeof(kw_food[0]) },
	{ "building_materials", "建筑材料", false, kw_building,
	    sizeof(kw_building) / sizeof(kw_building[0]) },
};

static const char *const vk_inaccurate[] = { "不实报告", "数据不准" };
static const char *const vk_uncalibrated[] = { "未校准", "仪器过期" };
static const char *const vk_false[] = { "假报告", "造假", "虚假报告" };
static const char *const vk_not_tested[] = { "没检测", "直接出报告",
    "没来现场" };
static const char *const vk_fabricated[] = { "数据造假", "篡改数据" };
static const char *const vk_subcontract[] = { "分包", "转包" };

#define VK(a) a, sizeof(a) / sizeof(a[0])
static const struct router_violation violations[] = {
	{ "inaccurate", "inaccurate", "不实检验检测报告（情形未明）",
	    VK(vk_inaccurate) },
	{ "inaccurate_uncalibrated_equipment", "inaccurate",
	    "使用未经检定或者校准的仪器、设备、设施", VK(vk_uncalibrated) },
	{ "false", "false", "虚假检验检测报告（情形未明）", VK(vk_false) },
	{ "false_not_tested", "false", "未经检验检测", VK(vk_not_tested) },
	{ "false_fabricated_data", "false", "伪造、变造原始数据、记录",
	    VK(vk_fabricated) },
	{ "subcontracting", "other", "违规分包检验检测项目",
	    VK(vk_subcontract) },
	{ "other", "other", "其他", NULL, 0 },
};

/*
 * Credit codes: valid by GB 32100 (test_institutions.c computes the check
 * characters; these are its output).  name_norm NULL: the router computes
 * it, as for data that did not come through the import.
 */
static const struct router_institution institutions[] = {
	{ 11, "高平市华泰检测有限责任公司", NULL, "91140581MA0K000016",
	    "160412050123", "140581" },
	{ 12, "晋城（华信）检测技术股份有限公司", NULL, "91140500MA0GR1234L",
	    "", "140502" },
	{ 13, "山西泽瑞工程质量检测有限公司", NULL, "121405000123456785",
	    "CMA2019000123", "140525" },
	{ 14, "晋城市检验检测有限公司", NULL, "91140525MA0L77770A", "",
	    "140525" },
};

#define N(a) (sizeof(a) / sizeof(a[0]))
static const struct router_data data = {
	bureaus, N(bureaus), places, N(places), domains, N(domains),
	violations, N(violations), institutions, N(institutions), 0, NULL,
};

/* ---------------------------------------------------------------------
 * Helpers.
 */

static void
route(const struct router_input *in, struct router_decision *out)
{
	assert_int_equal(router_route(&data, in, out), 0);
}

/* Fail with the reason shown when it lacks needle. */
static void
reason_has(const struct router_decision *d, const char *needle)
{
	if (strstr(d->reason, needle) == NULL)
		fail_msg("reason lacks \"%s\": %s", needle, d->reason);
}

static void
reason_lacks(const struct router_decision *d, const char *needle)
{
	if (strstr(d->reason, needle) != NULL)
		fail_msg("reason has \"%s\": %s", needle, d->reason);
}

static bool
has_candidate(const struct router_decision *d, const char *code)
{
	for (size_t i = 0; i < d->ncandidates; i++)
		if (strcmp(d->candidates[i], code) == 0)
			return true;
	return false;
}

static void
assert_city(const struct router_decision *d)
{
	assert_string_equal(d->bureau, ROUTER_CITY_BUREAU);
	assert_true(d->needs_review);
}

/* ---------------------------------------------------------------------
 * Strong signals.
 */

static void
test_registry_credit_code(void **state)
{
	struct router_input in = {
		.summary = "检测报告有问题",
		.details = "这家公司统一社会信用代码 91140581ma0k000016 "
		    "2022年出的报告不对。",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	assert_false(d.needs_review);
	assert_int_equal(d.basis, ROUTER_BASIS_INSTITUTION);
	assert_int_equal(d.institution_id, 11);
	reason_has(&d, "机构“高平市华泰检测有限责任公司”登记在高平市"
	    "（统一社会信用代码匹配）");
	reason_has(&d, "分派至高平市市场监督管理局");
}

static void
test_registry_cma(void **state)
{
	struct router_input in = {
		.summary = "资质有问题",
		.details = "报告上的CMA章编号是 CMA2019000123 ，另一个是160412050123",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	/* Two registry entries, two counties: strong signals disagree. */
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_STRONG_CONFLICT);
	assert_true(has_candidate(&d, "140525"));
	assert_true(has_candidate(&d, "140581"));
	assert_int_equal(d.institution_id, 0);
	reason_has(&d, "CMA资质认定证书编号匹配");

	in.details = "证书编号：160412050123。";
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	assert_int_equal(d.institution_id, 11);
	reason_has(&d, "CMA资质认定证书编号匹配");
}

static void
test_registry_name_in_text_variant_suffix(void **state)
{
	/* Full-width brackets, spaces, and 有限责任公司 for 股份有限公司. */
	struct router_input in = {
		.summary = "举报",
		.details = "我在晋城（华信） 检测技术有限责任公司做的混凝土试块，"
		    "结果不对。",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_string_equal(d.bureau, "140502");
	assert_int_equal(d.institution_id, 12);
	reason_has(&d, "登记在城区（名称匹配）");

	/* The same in the institution field, half-width and lower case. */
	in.details = "报告不对";
	in.institution = "晋城(华信)检测技术有限公司";
	route(&in, &d);
	assert_string_equal(d.bureau, "140502");
	assert_int_equal(d.institution_id, 12);
}

static void
test_registry_core_and_partial(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "泽瑞工程质量检测那边出的报告有问题",
	};
	struct router_decision d;

	(void)state;
	/* Core name: without 山西 and the suffix. */
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");
	assert_int_equal(d.institution_id, 13);
	reason_has(&d, "名称（不含地名和公司后缀）匹配");

	/* After another ideograph a core is the tail of another name. */
	in.details = "新泽瑞工程质量检测公司出的报告有问题";
	route(&in, &d);
	assert_int_equal(d.institution_id, 0);
	in.details = "找了泽瑞工程质量检测公司";
	route(&in, &d);
	assert_int_equal(d.institution_id, 13);
	in.details = "泽州泽瑞工程质量检测公司";
	route(&in, &d);
	assert_int_equal(d.institution_id, 13);

	/* The field is the core name (高平市 and the suffix dropped). */
	in.details = "报告有问题";
	in.institution = "华泰检测";
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	assert_int_equal(d.institution_id, 11);
	reason_has(&d, "名称（不含地名和公司后缀）匹配");

	/* The field is part of exactly one registry name. */
	in.institution = "泽瑞工程";
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");
	assert_int_equal(d.institution_id, 13);
	reason_has(&d, "举报人填写的名称是登记名称的一部分");

	/* Part of several: no match from it. */
	in.institution = "检测有限公司";
	route(&in, &d);
	assert_int_equal(d.institution_id, 0);

	/* A generic name never matches by its core (检验检测). */
	in.institution = NULL;
	in.details = "找了一家做检验检测的单位";
	route(&in, &d);
	assert_int_equal(d.institution_id, 0);
	assert_city(&d);
}

static void
test_chosen_county_alone(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "报告是假的",
		.county = "140525",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");
	assert_int_equal(d.basis, ROUTER_BASIS_COUNTY);
	assert_false(d.needs_review);
	reason_has(&d, "举报人选择的发生地：泽州县");

	/* A code that is no county is not used. */
	in.county = "140500";
	route(&in, &d);
	assert_city(&d);
	reason_has(&d, "举报人选择的发生地代码无效");
}

static void
test_strong_agree(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "信用代码91140581MA0K000016",
		.county = "140581",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	assert_int_equal(d.basis, ROUTER_BASIS_STRONG_AGREE);
	assert_false(d.needs_review);
	reason_has(&d, "机构“高平市华泰检测有限责任公司”登记在高平市"
	    "（统一社会信用代码匹配）；举报人选择的发生地：高平市，一致");
}

static void
test_strong_disagree(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "信用代码91140581MA0K000016",
		.county = "140525",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_STRONG_CONFLICT);
	assert_int_equal(d.ncandidates, 2);
	assert_true(has_candidate(&d, "140581"));
	assert_true(has_candidate(&d, "140525"));
	reason_has(&d, "与机构登记地不一致");
	reason_has(&d, "强信号不一致（高平市、泽州县）");
	/* The registry entry is still named for relations. */
	assert_int_equal(d.institution_id, 11);
}

/* ---------------------------------------------------------------------
 * Weak signals.
 */

static void
test_weak_single_county(void **state)
{
	struct router_input in = {
		.summary = "巴公镇一家检测站",
		.details = "在巴公镇，去年找他们检测，报告不对。",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");
	assert_int_equal(d.basis, ROUTER_BASIS_WEAK);
	assert_false(d.needs_review);
	reason_has(&d, "文中地名：巴公镇（泽州县）");
}

static void
test_weak_two_counties(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "样品在高都镇取的，报告是米山镇那边出的。",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_WEAK_CONFLICT);
	assert_true(has_candidate(&d, "140525"));
	assert_true(has_candidate(&d, "140581"));
	reason_has(&d, "地点线索指向多个单位（泽州县、高平市）");
}

static void
test_weak_never_overrides_strong(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "那家检测公司在巴公镇，也去过阳城县",
		.county = "140581",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	assert_int_equal(d.basis, ROUTER_BASIS_COUNTY);
	reason_has(&d, "巴公镇（泽州县）");
	reason_has(&d, "与强信号不同，不改变分派");

	/* And under a registry match. */
	in.county = NULL;
	in.details = "91140581MA0K000016 在巴公镇设了取样点";
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	assert_int_equal(d.basis, ROUTER_BASIS_INSTITUTION);
}

static void
test_short_names_and_traditional(void **state)
{
	struct router_input in = { .summary = "举报" };
	struct router_decision d;

	(void)state;
	in.details = "高都那边的检测公司";
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");
	reason_has(&d, "高都（泽州县高都镇）");

	in.details = "我們在陽城縣鳳城鎮";
	route(&in, &d);
	assert_string_equal(d.bureau, "140522");

	in.details = "澤州縣的一家公司";
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");

	in.details = "地點在高平東城";	/* risky stem after its county */
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");

	/* A former township still belongs to its county. */
	in.details = "原来李寨乡那里";
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");
	reason_has(&d, "原李寨乡");
}

static void
test_longest_name_wins(void **state)
{
	struct router_input in = { .summary = "举报" };
	struct router_decision d;

	(void)state;
	in.details = "西河底镇的检测站";
	route(&in, &d);
	assert_string_equal(d.bureau, "140524");

	in.details = "西河乡";
	route(&in, &d);
	assert_string_equal(d.bureau, "140522");

	in.details = "高平市";
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	reason_lacks(&d, "高平（");
}

static void
test_risky_stems(void **state)
{
	struct router_input in = { .summary = "举报" };
	struct router_decision d;

	(void)state;
	/* Ordinary words and places elsewhere: no signal. */
	in.details = "周村那个检测点";
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_NONE);

	in.details = "在三甲医院做的检查";
	route(&in, &d);
	assert_city(&d);

	in.details = "报告是长治市潞城区一家公司出的";
	route(&in, &d);
	assert_city(&d);

	in.details = "河北省的公司";
	route(&in, &d);
	assert_city(&d);

	in.details = "要提高平均水平";
	route(&in, &d);
	assert_city(&d);

	in.details = "洛阳城里的检测站";
	route(&in, &d);
	assert_city(&d);

	/* With the suffix or the county: a signal. */
	in.details = "泽州周村的检测点";
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");

	in.details = "周村镇的检测点";
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");

	in.details = "陵川潞城";
	route(&in, &d);
	assert_string_equal(d.bureau, "140524");
}

static void
test_city_name_alone(void **state)
{
	struct router_input in = {
		.summary = "晋城市的检测机构",
		.details = "晋城有家检测公司乱出报告",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_NONE);
	assert_int_equal(d.ncandidates, 0);
	reason_has(&d, "文中只提到晋城市");

	/* 晋城市城区 is the district. */
	in.details = "晋城市城区的检测公司";
	route(&in, &d);
	assert_string_equal(d.bureau, "140502");

	/* 城区 alone is any town's centre. */
	in.summary = "举报";
	in.details = "在城区一家检测公司";
	route(&in, &d);
	assert_city(&d);
}

static void
test_outside_city(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "太原市小店区的一家检测公司",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_NONE);
	reason_has(&d, "没有可确定县区的信息");
}

static void
test_ambiguous_names(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "南庄的检测站",
	};
	struct router_decision d;

	(void)state;
	/* A name of two counties: a signal for both. */
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_WEAK_CONFLICT);
	assert_true(has_candidate(&d, "140521"));
	assert_true(has_candidate(&d, "140525"));
	reason_has(&d, "南庄（沁水县、泽州县）");

	/* The development zone: 城区 or the zone branch, a person decides. */
	in.details = "经济技术开发区里的检测公司";
	route(&in, &d);
	assert_city(&d);
	assert_true(has_candidate(&d, "140502"));
	assert_true(has_candidate(&d, "140500-dz"));
	reason_has(&d, "开发区");

	in.details = "开发区街道";
	route(&in, &d);
	assert_city(&d);
	assert_true(has_candidate(&d, "140500-dz"));
}

static void
test_recipient_hint(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "检测报告造假",
		.hint_bureau = "140581",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	assert_int_equal(d.basis, ROUTER_BASIS_WEAK);
	reason_has(&d, "收件地址指向：高平市市场监督管理局");

	/* Weak and weak disagree. */
	in.details = "巴公镇的检测站造假";
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_WEAK_CONFLICT);

	/* Strong wins over the hint. */
	in.county = "140525";
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");

	/* The city's own address is no county signal. */
	in.county = NULL;
	in.details = "报告造假";
	in.hint_bureau = "140500";
	route(&in, &d);
	assert_city(&d);
	reason_has(&d, "不指向县区");
}

/* Abbreviated names: the trade name (字号) and a trade word. */
static void
test_registry_trade_name(void **state)
{
	struct router_input in = {
		.summary = "举报",
		.details = "泽瑞检测出的报告是假的",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_string_equal(d.bureau, "140525");
	assert_int_equal(d.institution_id, 13);
	reason_has(&d, "字号简称匹配");

	/* The trade name inside brackets, in the field. */
	in.details = "报告有问题";
	in.institution = "华信检测";
	route(&in, &d);
	assert_string_equal(d.bureau, "140502");
	assert_int_equal(d.institution_id, 12);

	/* Traditional characters: 華泰檢測. */
	in.institution = NULL;
	in.details = "華泰檢測出的報告不對";
	route(&in, &d);
	assert_int_equal(d.institution_id, 11);

	/* Without a testing trade word after it (公司 may be a supplier), or
	 * after another ideograph (中华泰 is not 华泰), or for a name without
	 * a trade name: nothing. */
	in.details = "华泰的人说报告没问题";
	route(&in, &d);
	assert_int_equal(d.institution_id, 0);
	assert_city(&d);
	in.details = "钢筋是华泰公司卖的";
	route(&in, &d);
	assert_int_equal(d.institution_id, 0);
	assert_city(&d);
	in.details = "中华泰检测出的报告";
	route(&in, &d);
	assert_int_equal(d.institution_id, 0);
	in.details = "检验公司出的报告";
	route(&in, &d);
	assert_int_equal(d.institution_id, 0);

	/* A full or core name wins over a trade name. */
	in.details = "高平市华泰检测有限公司和泽瑞检测";
	route(&in, &d);
	assert_int_equal(d.institution_id, 11);
}

/* Roads named after places, and 城区 on its own. */
static void
test_roads_and_bare_chengqu(void **state)
{
	struct router_input in = { .summary = "举报" };
	struct router_decision d;

	(void)state;
	/* A road named after a county says nothing about the county. */
	in.details = "泽州路上的检测公司出假报告";
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.ncandidates, 0);
	in.details = "高平东路一家检测站";
	route(&in, &d);
	assert_city(&d);
	/* 街道 is a unit, not a road. */
	in.details = "东城街道一家检测站";
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");

	/* 城区 after a place is that place's town centre. */
	in.details = "阳城县城区的检测站";
	route(&in, &d);
	assert_string_equal(d.bureau, "140522");
	in.details = "高平城区的检测站";
	route(&in, &d);
	assert_string_equal(d.bureau, "140581");
	/* On its own beside another county it may be the district. */
	in.details = "泽州县和城区交界的检测公司";
	route(&in, &d);
	assert_city(&d);
	assert_true(has_candidate(&d, "140525"));
	assert_true(has_candidate(&d, "140502"));
	/* Alone it is no signal. */
	in.details = "城区有家检测公司";
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.ncandidates, 0);
}

static void
test_nothing(void **state)
{
	struct router_input in = {0};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_city(&d);
	assert_int_equal(d.basis, ROUTER_BASIS_NONE);
	assert_string_equal(d.domain, "");
	assert_string_equal(d.violation, "");
	assert_int_equal(d.priority, 0);
	assert_true(d.reason[0] != '\0');

	/* No data at all: still an answer. */
	assert_int_equal(router_route(NULL, NULL, &d), 0);
	assert_city(&d);
}

/* ---------------------------------------------------------------------
 * Domain, violation, priority, report numbers.
 */

static void
test_domain_scoring(void **state)
{
	struct router_input in = { .summary = "口罩检测" };
	struct router_decision d;

	(void)state;
	in.details = "医用防护口罩的细菌过滤效率按GB19083-2010根本达不到";
	route(&in, &d);
	assert_string_equal(d.domain, "medical_ppe");
	reason_has(&d, "领域：疫情防控有关医疗器械防护用品（关键词：");
	reason_has(&d, "GB 19083");

	/* A bare five-digit standard number counts; "gb/t" prefix too. */
	in.details = "按19083检测的";
	route(&in, &d);
	assert_string_equal(d.domain, "medical_ppe");
	in.details = "yy/t 0969-2013 的口罩";
	route(&in, &d);
	assert_string_equal(d.domain, "medical_ppe");

	/* A bare short number is no standard (an amount of money). */
	in.details = "花了175元检测";
	route(&in, &d);
	assert_string_equal(d.domain, "");

	/* Below the threshold: a person decides. */
	in.details = "食品的报告";
	route(&in, &d);
	assert_string_equal(d.domain, "");
	reason_has(&d, "领域：未能从关键词确定");

	in.details = "熟食店的菌落总数检测 GB 4789.2";
	route(&in, &d);
	assert_string_equal(d.domain, "food");

	/* A tie between two domains: nobody. */
	in.details = "抗压强度和菌落总数";
	route(&in, &d);
	assert_string_equal(d.domain, "");

	/* The tipster's choice wins, the keywords are mentioned. */
	in.details = "医用防护口罩细菌过滤效率";
	in.domain = "food";
	route(&in, &d);
	assert_string_equal(d.domain, "food");
	reason_has(&d, "举报人选择；关键词更接近疫情防控有关医疗器械防护用品");

	/* An unknown code is not used. */
	in.domain = "no_such";
	route(&in, &d);
	assert_string_equal(d.domain, "medical_ppe");
	reason_has(&d, "举报人选择的领域代码无效");
}

static void
test_violation_scoring(void **state)
{
	struct router_input in = { .summary = "举报" };
	struct router_decision d;

	(void)state;
	in.details = "他们根本没检测，没来现场就直接出报告";
	route(&in, &d);
	assert_string_equal(d.violation, "false_not_tested");
	reason_has(&d, "违法情形：未经检验检测（关键词：");

	/* The longest keyword: 数据造假 is not also 造假. */
	in.details = "数据造假";
	route(&in, &d);
	assert_string_equal(d.violation, "false_fabricated_data");

	/* A specific type over its category's generic one. */
	in.details = "假报告，没检测";
	route(&in, &d);
	assert_string_equal(d.violation, "false_not_tested");

	/* Two specific types of one category: the generic one. */
	in.details = "没检测，还篡改数据";
	route(&in, &d);
	assert_string_equal(d.violation, "false");

	/* Across categories: nobody. */
	in.details = "仪器过期，还分包";
	route(&in, &d);
	assert_string_equal(d.violation, "");

	/* Nothing found. */
	in.details = "态度不好";
	route(&in, &d);
	assert_string_equal(d.violation, "");
	reason_has(&d, "违法情形：未能从关键词确定");

	/* The tipster's choice wins. */
	in.details = "没检测";
	in.violation = "subcontracting";
	route(&in, &d);
	assert_string_equal(d.violation, "subcontracting");
	reason_has(&d, "举报人选择；关键词更接近未经检验检测");
}

static void
test_priority(void **state)
{
	struct router_input in = { .summary = "举报" };
	struct router_decision d;

	(void)state;
	in.details = "报告数据不准";
	route(&in, &d);
	assert_int_equal(d.priority, 0);

	in.details = "医用防护口罩细菌过滤效率不合格";
	route(&in, &d);
	assert_int_equal(d.priority, ROUTER_PRIORITY_EPIDEMIC);
	reason_has(&d, "疫情防控相关领域");

	in.details = "报告造假";
	route(&in, &d);
	assert_int_equal(d.priority, ROUTER_PRIORITY_FALSE);
	reason_has(&d, "涉嫌出具虚假报告");

	/* A false-category keyword counts even if the type is left open. */
	in.details = "没检测，还分包";
	route(&in, &d);
	assert_string_equal(d.violation, "");
	assert_int_equal(d.priority, ROUTER_PRIORITY_FALSE);

	/* The tipster chose a false type. */
	in.details = "报告不对";
	in.violation = "false_not_tested";
	route(&in, &d);
	assert_int_equal(d.priority, ROUTER_PRIORITY_FALSE);
	in.violation = NULL;

	for (size_t i = 0; i < 5; i++) {
		static const char *const words[] = {
			"工人死亡", "有人中毒", "出了事故", "罐车爆炸",
			"发生洩漏",
		};

		in.details = words[i];
		route(&in, &d);
		assert_int_equal(d.priority, ROUTER_PRIORITY_HARM);
	}

	in.details = "医用防护口罩细菌过滤效率造假，已有人死亡";
	route(&in, &d);
	assert_int_equal(d.priority, ROUTER_PRIORITY_EPIDEMIC +
	    ROUTER_PRIORITY_FALSE + ROUTER_PRIORITY_HARM);
}

static void
test_report_numbers(void **state)
{
	struct router_input in = {
		.summary = "报告编号：JC-2022-0415 是假的",
		.details = "另一份報告編號为 wt20220416001，检验报告No. "
		    "SX2022/118，证书编号：160412050123，样品编号：YP20220001，"
		    "编号：12，报告号：AB-1234-",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	assert_int_equal(d.nreports, 4);
	assert_string_equal(d.reports[0], "JC-2022-0415");
	assert_string_equal(d.reports[1], "WT20220416001");
	assert_string_equal(d.reports[2], "SX2022/118");
	assert_string_equal(d.reports[3], "AB-1234");
	reason_has(&d, "文中有4个检验检测报告编号");
	/* Numbers are relation keys, never in the plaintext reason. */
	reason_lacks(&d, "JC-2022");

	/* Repeated: once. */
	in.summary = "报告编号JC20220415";
	in.details = "报告编号：jc20220415";
	route(&in, &d);
	assert_int_equal(d.nreports, 1);
}

static void
test_reason_has_no_tipster_words(void **state)
{
	struct router_input in = {
		.summary = "张小明举报",
		.details = "张小明说巴公镇的检测报告造假，电话13912345678",
		.institution = "张小明的检测公司",
	};
	struct router_decision d;

	(void)state;
	route(&in, &d);
	reason_lacks(&d, "张小明");
	reason_lacks(&d, "1391234");
	reason_has(&d, "举报人填写的机构名称未在机构名录中找到");
}

static void
test_reason_bounded(void **state)
{
	static const char *const names[] = {
		"高都镇", "米山镇", "巴公镇", "凤城镇", "西河底镇", "北石店镇",
		"三甲镇", "周村镇", "李寨乡", "南庄", "沁水县",
	};
	char *text;
	size_t len = 0, cap = 64 * 1024;
	struct router_input in = { .summary = "举报" };
	struct router_decision d;
	size_t i = 0;

	(void)state;
	assert_non_null(text = malloc(cap));
	while (len + 32 < cap) {
		int n = snprintf(text + len, cap - len, "%s，",
		    names[i++ % (sizeof(names) / sizeof(names[0]))]);

		len += (size_t)n;
	}
	in.details = text;
	in.institution = "晋城（华信）检测技术股份有限公司";
	in.county = "140525";
	in.hint_bureau = "140521";
	route(&in, &d);
	assert_true(strlen(d.reason) < sizeof(d.reason));
	/* Still valid UTF-8 after the cut. */
	{
		size_t rl = strlen(d.reason);

		for (size_t k = 0; k < rl;) {
			uint32_t cp;
			size_t n = textnorm_decode(d.reason, rl, k, &cp);

			assert_true(n > 0);
			k += n;
		}
	}
	reason_has(&d, "等");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_credit_code),
		cmocka_unit_test(test_registry_cma),
		cmocka_unit_test(test_registry_name_in_text_variant_suffix),
		cmocka_unit_test(test_registry_core_and_partial),
		cmocka_unit_test(test_chosen_county_alone),
		cmocka_unit_test(test_strong_agree),
		cmocka_unit_test(test_strong_disagree),
		cmocka_unit_test(test_weak_single_county),
		cmocka_unit_test(test_weak_two_counties),
		cmocka_unit_test(test_weak_never_overrides_strong),
		cmocka_unit_test(test_short_names_and_traditional),
		cmocka_unit_test(test_longest_name_wins),
		cmocka_unit_test(test_risky_stems),
		cmocka_unit_test(test_city_name_alone),
		cmocka_unit_test(test_outside_city),
		cmocka_unit_test(test_ambiguous_names),
		cmocka_unit_test(test_recipient_hint),
		cmocka_unit_test(test_registry_trade_name),
		cmocka_unit_test(test_roads_and_bare_chengqu),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_domain_scoring),
		cmocka_unit_test(test_violation_scoring),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_report_numbers),
		cmocka_unit_test(test_reason_has_no_tipster_words),
		cmocka_unit_test(test_reason_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
