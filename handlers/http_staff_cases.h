/* SPDX-License-Identifier: MIT */
/*
 * The piece of the case pages (http_staff_cases.c) that the tip page
 * (http_staff_tips.c) shows too: a tip's deadlines and its case, or the
 * form that opens a case from the tip.
 */
#ifndef HANDLERS_HTTP_STAFF_CASES_H
#define HANDLERS_HTTP_STAFF_CASES_H

#include <jansson.h>

#include "service/staff.h"

struct evbuffer;

/* The tip page's section: deadlines, the case or "open a case" form. */
void http_staff_cases_tip_section(struct evbuffer *b, json_t *tip,
    const struct staff_user *u);

#endif
