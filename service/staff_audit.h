/* SPDX-License-Identifier: MIT */
/*
 * The audit log as auditors and admins read it: a filtered, paged list of
 * entries in the contract's shape.  Worker thread only.
 */
#ifndef SERVICE_STAFF_AUDIT_H
#define SERVICE_STAFF_AUDIT_H

#include <stddef.h>

#include <jansson.h>

#include "service/service.h"
#include "service/staff.h"

#define STAFF_AUDIT_PAGE 100

struct staff_audit_query {
	const char *user;		/* NULL or "": any */
	const char *object;		/* NULL or "": any */
	const char *from;		/* YYYY-MM-DD (CST) or RFC 3339 UTC */
	const char *to;			/* the same, inclusive */
	const char *cursor;		/* NULL or "": first page */
	const char *limit;		/* NULL or "": STAFF_AUDIT_PAGE */
};

/*
 * The entries matching q, newest first, as {"entries": [{"at", "user",
 * "action", "object", "reason"}], "next": CURSOR|null}.  STAFF_FORBIDDEN
 * unless u is an auditor or admin; STAFF_INVALID (msg names the
 * parameter) for a bad date, cursor or limit.  Reading the log is itself
 * audited ("audit.view").  On STAFF_OK the caller owns *out.
 */
enum staff_status staff_audit_list(struct service_worker *w,
    const struct staff_user *u, const struct staff_audit_query *q,
    json_t **out, char *msg, size_t msglen);

#endif
