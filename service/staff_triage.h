/* SPDX-License-Identifier: MIT */
/*
 * Staff triage of tips (design.md "Triage", issue 6): re-route a tip to
 * another bureau with a reason, set a triage status (confirm → triaged,
 * invalid, transferred, duplicate of another tip), classify it (key
 * domain, violation type, registry institution); and what the queue and
 * the tip page show beyond the tip itself: the routing reason, the
 * filing-decision deadline and the count of related tips in the list;
 * the related tips, the open cases of the institution and the history of
 * triage actions in the detail.  Worker thread only.
 *
 * Who: admin and triage for every tip, an officer for the tips of their
 * own bureau (the scope is enforced by storage/tip_triage.c in SQL; a tip
 * outside it is STAFF_NOT_FOUND).  Each change is one transaction with
 * its tip_events row and its audit entry ("tip.route", "tip.confirm",
 * "tip.invalid", "tip.transferred", "tip.duplicate", "tip.classify").
 * The case-driven statuses (verifying, filed, not_filed, closed) are not
 * set here: the cases set them.
 */
#ifndef SERVICE_STAFF_TRIAGE_H
#define SERVICE_STAFF_TRIAGE_H

#include <stddef.h>

#include <jansson.h>

#include "service/service.h"
#include "service/staff.h"
#include "storage/tip_query.h"

#define STAFF_TRIAGE_TEXT_MAX	500	/* characters of a reason or note */
#define STAFF_TRIAGE_FIELD_MAX	32

/* What a person asked for; NULL or "" means "not given". */
struct staff_triage_request {
	const char *bureau;		/* route */
	const char *reason;		/* route: required */
	const char *status;		/* status: triaged | invalid |
					 * transferred | duplicate */
	const char *note;		/* status: required but for triaged */
	const char *duplicate_of;	/* status: T-YYYY-NNNNNN */
	const char *domain;		/* classify */
	const char *violation;		/* classify */
	const char *institution;	/* classify: registry id or credit
					 * code */
	const char *into;		/* merge: the earlier tip's id */
	int new_facts;			/* merge: 1 true, 0 false, -1 not
					 * given, -2 not a boolean */
};

/* The outcome's details: msg (English) and the field it names. */
struct staff_triage_error {
	char msg[STAFF_MSG_MAX];
	char field[STAFF_TRIAGE_FIELD_MAX];
};

/*
 * POST /api/v1/staff/tips/{id}/route: send tip id to rq->bureau.  On
 * STAFF_OK *out is {"id", "bureau", "previous_bureau", "route_reason"}.
 * STAFF_INVALID with e naming "bureau" or "reason".
 */
enum staff_status staff_triage_route(struct service_worker *w,
    const struct staff_user *u, const char *id,
    const struct staff_triage_request *rq, json_t **out,
    struct staff_triage_error *e);

/*
 * POST /api/v1/staff/tips/{id}/status: a triage status.  "duplicate" (or
 * "invalid" with duplicate_of) marks the tip invalid as the duplicate of
 * rq->duplicate_of.  On STAFF_OK *out is {"id", "status",
 * "previous_status", "duplicate_of"}.  STAFF_INVALID with e naming
 * "status", "note" or "duplicate_of".
 */
enum staff_status staff_triage_status(struct service_worker *w,
    const struct staff_user *u, const char *id,
    const struct staff_triage_request *rq, json_t **out,
    struct staff_triage_error *e);

/*
 * POST /api/v1/staff/tips/{id}/classify (an extension of the contract):
 * any of domain, violation, institution.  A new domain sets the tip's
 * campaign again; a new domain or violation recomputes its priority (the
 * router's steps; the harm step kept from the stored priority).  On
 * STAFF_OK *out is {"id", "domain", "violation", "institution"} (what
 * was set; null: unchanged), "campaign" and "priority" (as stored now).
 * STAFF_INVALID with e naming the field.
 */
enum staff_status staff_triage_classify(struct service_worker *w,
    const struct staff_user *u, const char *id,
    const struct staff_triage_request *rq, json_t **out,
    struct staff_triage_error *e);

/*
 * POST /api/v1/staff/tips/{id}/merge {"into", "new_facts", "note"} (an
 * extension): order 121 第三十五条第二款, see tip_triage_merge().  On
 * STAFF_OK *out is {"id", "into", "new_facts", "status",
 * "previous_status", "duplicate_of", "restart_on"} (restart_on: the
 * earlier tip's new start, or null).  STAFF_INVALID with e naming "into",
 * "new_facts", "note" or "status"; an audit entry "tip.merge".
 */
enum staff_status staff_triage_merge(struct service_worker *w,
    const struct staff_user *u, const char *id,
    const struct staff_triage_request *rq, json_t **out,
    struct staff_triage_error *e);

/*
 * The queue's extra fields of list rows, for one listing by u: begin
 * loads the deadline rules and the calendar (without them the rows have
 * "deadline": null), annotate adds "route_reason", "violation",
 * "needs_review", "deadline" ({"rule", "due", "state", "left"} of the
 * filing decision, or null) and "related_count" to row o of tip t, end
 * frees.  begin returns NULL only when out of memory; annotate 0, or -1
 * when the store fails.
 */
struct staff_queue;
struct staff_queue *staff_queue_begin(struct service_worker *w,
    const struct staff_user *u);
int staff_queue_annotate(struct staff_queue *q,
    const struct tip_query_tip *t, json_t *o);
void staff_queue_end(struct staff_queue *q);

/*
 * The tip detail's triage fields, added to doc: "institution_id",
 * "registry_institution" ({"id", "name", "credit_code"} or null),
 * "duplicate_of", "related" ([{"id", "reason", "status", "bureau"}],
 * reason a comma-separated list of institution, attachment,
 * report_number, duplicate, same_tipster), "suggested_case" ({"id", "status",
 * "bureau"} of the newest open case of the institution, or null) and
 * "events" ([{"at", "user", "kind", "detail"}], oldest first).  0, or -1
 * when the store fails.
 */
int staff_triage_detail(struct service_worker *w, const struct staff_user *u,
    const struct tip_query_tip *t, json_t *doc);

#endif
