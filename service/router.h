/* SPDX-License-Identifier: MIT */
/*
 * Triage: the router decides a tip's bureau, key domain, violation type and
 * priority, finds the signals that relate it to other tips (the registry
 * institution, report numbers), and says why in Chinese.  A pure function
 * of the tip and the reference data (storage/router_data.h): no I/O, no
 * database, no global state, so the unit tests drive it with hand-built
 * data and the bench with a 5 000-entry registry.
 *
 * Jurisdiction follows the place of the conduct (design.md, "Triage"):
 *
 *   strong  the institution, when it matches the registry (unified social
 *           credit code or CMA certificate number found in the text or the
 *           institution field; the normalised name typed in the field or
 *           found inside the text; its trade name before 检测 and the
 *           like) → its county; the county the tipster chose;
 *   weak    place names in the text (counties, towns, streets, short
 *           forms, former townships, traditional characters); the e-mail
 *           recipient's bureau.
 *
 * Strong signals that agree (or one) decide; strong signals that disagree
 * send the tip to the city triage queue (140500) with both named.  Without
 * a strong signal, weak signals that all point to one county decide;
 * several counties, or none, mean the city queue.  A weak signal never
 * overrides a strong one; it is named in the reason.  A place outside the
 * city, or the city's name (晋城, 晋城市) alone, is no signal; an ambiguous
 * name is a signal for each of its candidates (开发区 → 城区 and the
 * development-zone branch, which sends the tip to a person).
 */
#ifndef SERVICE_ROUTER_H
#define SERVICE_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service/report_numbers.h"
#include "storage/router_data.h"

#define ROUTER_CITY_BUREAU	"140500"	/* the city triage queue */
#define ROUTER_ZONE_BUREAU	"140500-dz"	/* 开发区分局 */

#define ROUTER_CODE_MAX		40	/* bureau, domain, violation code */
#define ROUTER_MAX_CANDIDATES	8
#define ROUTER_MAX_REPORTS	REPORT_NUMBERS_MAX
#define ROUTER_REPORT_MAX	REPORT_NUMBERS_LEN /* upper case, with NUL */
#define ROUTER_REASON_MAX	2048	/* bytes of the reason, with NUL */

/* Priority steps (the sum is the tip's priority; 0 = ordinary). */
#define ROUTER_PRIORITY_EPIDEMIC	1	/* domains.epidemic set */
#define ROUTER_PRIORITY_FALSE		1	/* alleged false report */
#define ROUTER_PRIORITY_HARM		2	/* 死亡 中毒 事故 爆炸 泄漏 */

/* What the tip says; every string may be NULL or "" (not given). */
struct router_input {
	const char *summary;
	const char *details;
	const char *institution;	/* the institution's name as typed */
	const char *county;		/* the county the tipster chose */
	const char *hint_bureau;	/* e-mail recipient's bureau */
	const char *domain;		/* the tipster's key domain */
	const char *violation;		/* the tipster's violation type */
};

/* Which signals decided the bureau. */
enum router_basis {
	ROUTER_BASIS_NONE = 0,		/* no signal: city queue */
	ROUTER_BASIS_INSTITUTION,	/* registry match alone */
	ROUTER_BASIS_COUNTY,		/* the chosen county alone */
	ROUTER_BASIS_STRONG_AGREE,	/* registry and chosen county agree */
	ROUTER_BASIS_STRONG_CONFLICT,	/* strong signals disagree: city */
	ROUTER_BASIS_WEAK,		/* places and/or hint, one county */
	ROUTER_BASIS_WEAK_CONFLICT,	/* weak signals, several: city */
};

struct router_decision {
	char bureau[ROUTER_CODE_MAX];	/* always set */
	char domain[ROUTER_CODE_MAX];	/* "" when none */
	char violation[ROUTER_CODE_MAX]; /* "" when none */
	int priority;			/* sum of ROUTER_PRIORITY_* steps */
	bool needs_review;		/* bureau is the city queue */
	enum router_basis basis;
	/* The registry match: its id (0: none, or several institutions). */
	int64_t institution_id;
	/* Bureaus a person should choose from (city queue), or "". */
	size_t ncandidates;
	char candidates[ROUTER_MAX_CANDIDATES][ROUTER_CODE_MAX];
	/* 检验检测报告编号 found in the text, upper case, distinct. */
	size_t nreports;
	char reports[ROUTER_MAX_REPORTS][ROUTER_REPORT_MAX];
	/* Why, in Chinese, for staff: "机构“…”登记在高平市（统一社会信用代码
	 * 匹配）；举报人选择的发生地：高平市，一致；分派至…". */
	char reason[ROUTER_REASON_MAX];
};

/*
 * The data prepared for routing: every registry entry's normalised and
 * core name with a hash index over the cores, the gazetteer and keyword
 * dictionaries.  Built once per loaded struct router_data (a few
 * milliseconds for 5 000 institutions), then only read, so threads may
 * share one.  data must outlive it.
 */
struct router;

/*
 * Prepare data (NULL: empty data).  On 0 *out is a new router the caller
 * frees with router_free(); -1 when out of memory (*out NULL).
 */
int router_prepare(const struct router_data *data, struct router **out);

/* Free and NULL *rt.  Accepts NULL and *rt == NULL. */
void router_free(struct router **rt);

/*
 * Route one tip with prepared data.  Called on a worker thread during
 * intake (and by tests and the bench).  Returns 0 with *out filled, or -1
 * when out of memory: *out then says city queue, needs_review, so a caller
 * that stores the tip anyway routes it to a person.
 */
int router_route_prepared(const struct router *rt,
    const struct router_input *in, struct router_decision *out);

/*
 * router_prepare() + router_route_prepared() + router_free() in one call:
 * the same decision, with the preparation paid on every call (fine for
 * tests and a small registry; intake keeps a prepared router instead).
 * data NULL is taken as empty data.  Returns as router_route_prepared().
 */
int router_route(const struct router_data *data, const struct router_input *in,
    struct router_decision *out);

/* A short English name of a basis, for logs and tests. */
const char *router_basis_str(enum router_basis b);

#endif
