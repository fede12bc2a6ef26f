/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the router (service/router.c), which reads the
 * tipster's text: outside bytes.  The input is split at 0x1f bytes into
 * summary, details, institution, county, recipient hint, domain and
 * violation, and routed over a small hand-built reference data set.
 * Beyond what the sanitizers catch, it aborts when a promise is broken:
 * the call succeeds; the bureau is a known bureau; needs_review is set
 * exactly for the city queue; candidates and report numbers stay within
 * their bounds and are NUL-terminated; report numbers are upper-case
 * letters, digits and - _ / .; the reason is non-empty valid UTF-8 within
 * its buffer; the priority is a sum of the defined steps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/router.h"
#include "service/textnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct router_bureau bureaus[] = {
	{ "140500", "晋城市市场监督管理局", "" },
	{ "140500-dz", "开发区分局", "" },
	{ "140502", "城区局", "140502" },
	{ "140525", "泽州县局", "140525" },
	{ "140581", "高平市局", "140581" },
};
static const struct router_place places[] = {
	{ "140502", "140502", "区", "城区", "", false },
	{ "140525", "140525", "县", "泽州县", "泽州", false },
	{ "140581", "140581", "市", "高平市", "高平", false },
	{ "140502009", "140502", "街道", "开发区街道", "开发区", false },
	{ "140525103", "140525", "镇", "周村镇", "周村", false },
	{ "140525107", "140525", "镇", "高都镇", "高都", false },
	{ "140525201", "140525", "乡", "李寨乡", "李寨", true },
	{ "140581002", "140581", "街道", "东城街道", "东城", false },
	{ "140581101", "140581", "镇", "米山镇", "米山", false },
};
static const struct router_keyword kw[] = {
	{ "医用防护口罩", 3 }, { "GB 19083", 3 }, { "食品", 1 },
};
static const struct router_domain domains[] = {
	{ "medical_ppe", "医疗", true, kw, 2 },
	{ "food", "食品", false, kw + 2, 1 },
};
static const char *const vk1[] = { "造假", "假报告" };
static const char *const vk2[] = { "没检测", "数据造假" };
static const struct router_violation violations[] = {
	{ "false", "false", "虚假", vk1, 2 },
	{ "false_not_tested", "false", "未检测", vk2, 2 },
	{ "other", "other", "其他", NULL, 0 },
};
static const struct router_institution institutions[] = {
	{ 1, "高平市华泰检测有限责任公司", NULL, "91140581MA0K000016",
	    "160412050123", "140581" },
	{ 2, "晋城（华信）检测技术股份有限公司", "晋城(华信)检测技术有限公司",
	    "91140500MA0GR1234L", "", "140502" },
	{ 3, "山西检测有限公司", NULL, "121405000123456785", "", "" },
};
#define N(a) (sizeof(a) / sizeof(a[0]))
static const struct router_data data = {
	bureaus, N(bureaus), places, N(places), domains, N(domains),
	violations, N(violations), institutions, N(institutions), 0, NULL,
};

static int
bounded(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	char *buf = malloc(size + 1);
	const char *field[7] = { NULL };
	struct router_input in;
	struct router_decision d;
	size_t nf = 0, rl;
	bool known = false;

	if (buf == NULL)
		return 0;
	memcpy(buf, bytes, size);
	buf[size] = '\0';
	field[nf++] = buf;
	for (size_t i = 0; i < size && nf < 7; i++)
		if (buf[i] == 0x1f) {
			buf[i] = '\0';
			field[nf++] = buf + i + 1;
		}
	in.summary = field[0];
	in.details = field[1];
	in.institution = field[2];
	in.county = field[3];
	in.hint_bureau = field[4];
	in.domain = field[5];
	in.violation = field[6];

	if (router_route(&data, &in, &d) != 0)
		abort();
	for (size_t i = 0; i < N(bureaus); i++)
		if (bounded(d.bureau, sizeof(d.bureau)) &&
		    strcmp(d.bureau, bureaus[i].code) == 0)
			known = true;
	if (!known || d.needs_review != (strcmp(d.bureau,
	    ROUTER_CITY_BUREAU) == 0))
		abort();
	if (d.ncandidates > ROUTER_MAX_CANDIDATES ||
	    d.nreports > ROUTER_MAX_REPORTS)
		abort();
	for (size_t i = 0; i < d.ncandidates; i++)
		if (!bounded(d.candidates[i], sizeof(d.candidates[i])))
			abort();
	for (size_t i = 0; i < d.nreports; i++) {
		const char *r = d.reports[i];

		if (!bounded(r, sizeof(d.reports[i])) ||
		    strlen(r) < REPORT_NUMBERS_MIN_LEN)
			abort();
		for (; *r != '\0'; r++)
			if (!((*r >= 'A' && *r <= 'Z') ||
			    (*r >= '0' && *r <= '9') || *r == '-' ||
			    *r == '_' || *r == '/' || *r == '.'))
				abort();
	}
	if (!bounded(d.reason, sizeof(d.reason)) || d.reason[0] == '\0')
		abort();
	rl = strlen(d.reason);
	for (size_t i = 0; i < rl;) {
		uint32_t cp;
		size_t n = textnorm_decode(d.reason, rl, i, &cp);

		if (n == 0)
			abort();
		i += n;
	}
	if (d.priority < 0 || d.priority > ROUTER_PRIORITY_EPIDEMIC +
	    ROUTER_PRIORITY_FALSE + ROUTER_PRIORITY_HARM)
		abort();
	if (!bounded(d.domain, sizeof(d.domain)) ||
	    !bounded(d.violation, sizeof(d.violation)))
		abort();
	free(buf);
	return 0;
}
