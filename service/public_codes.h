/* SPDX-License-Identifier: MIT */
/*
 * The code lists the public side shows (the tip form's selects, GET
 * /api/v1/bureaus|domains|violations), copied out of the database on a
 * worker into plain arrays that the loop thread can render after the job.
 */
#ifndef SERVICE_PUBLIC_CODES_H
#define SERVICE_PUBLIC_CODES_H

#include <stdbool.h>
#include <stddef.h>

#include "service/service.h"

enum public_codes_list {
	PUBLIC_CODES_BUREAUS,
	PUBLIC_CODES_COUNTIES,
	PUBLIC_CODES_DOMAINS,
	PUBLIC_CODES_VIOLATIONS,
	PUBLIC_CODES_COUNT,
};

struct public_code {
	char *code;
	char *name_zh;
	char *name_en;
	char *extra;		/* bureaus: parent; violations: category */
	bool flag;		/* bureaus: county bureau; domains: epidemic */
};

struct public_codes {
	struct public_code *items[PUBLIC_CODES_COUNT];
	size_t n[PUBLIC_CODES_COUNT];
};

/* What the tip form needs: counties, domains, violations. */
#define PUBLIC_CODES_FORM ((1u << PUBLIC_CODES_COUNTIES) | \
	(1u << PUBLIC_CODES_DOMAINS) | (1u << PUBLIC_CODES_VIOLATIONS))

/*
 * Load the lists whose bits (1u << enum public_codes_list) are in mask.
 * 0, or -1 (database error or out of memory; out then holds nothing to
 * free, but public_codes_free() is harmless).  Worker thread only.
 */
int public_codes_load(struct service_worker *w, unsigned mask,
    struct public_codes *out);

/* Free the lists; accepts NULL and an empty struct. */
void public_codes_free(struct public_codes *c);

/* Whether code is in list (e.g. a county the form may send back). */
bool public_codes_has(const struct public_codes *c,
    enum public_codes_list list, const char *code);

#endif
