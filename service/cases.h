/* SPDX-License-Identifier: MIT */
/*
 * Staff work on inspection cases (issue 7): create (also from a tip),
 * show, list, link and unlink tips, change the status, record findings
 * and outcomes, write to every tipster of a case, record a real-name
 * tipster's decision notice and deadline events, and the overdue list.
 * Worker thread only.
 *
 * Roles: admin, triage and officer (STAFF_ROLES_TIPS); an auditor gets
 * STAFF_FORBIDDEN.  The scope (an officer: own bureau only) is enforced by
 * the storage queries (storage/case_store.h); a case or tip outside it is
 * STAFF_NOT_FOUND before the body is looked at, whatever it holds.  What
 * a person sent comes in as a JSON object (the pages turn their form into
 * one); every refusal names the field first in msg ("status: a verifying
 * case cannot become closed"): STAFF_INVALID for a malformed value,
 * STAFF_CONFLICT for a change the present state forbids.  Every change is audited in the
 * transaction that makes it; every look at a case is audited too.
 *
 * The request bodies (all members optional unless said):
 *
 *   create    {"from_tip", "institution" (registry id), "campaign",
 *              "domain", "bureau", "joint_departments"} (institution
 *              required without from_tip)
 *   link      {"tip"}                 unlink   {"reason"}
 *   status    {"status", "reason" (required for not_filed), "on"}
 *   outcome   {"violation_found", "false_report" (0/1/2),
 *              "false_report_kind", "rectify_ordered",
 *              "qualification_revoked", "fines_fen", "confiscated_fen"
 *              (or "fines_yuan", "confiscated_yuan" as "1234.56"),
 *              "referred_police", "seriously_dishonest",
 *              "credit_published_on", "joint_departments"}
 *   message   {"text"}
 *   notice    {"on"}
 *   deadline  {"rule" (default report_filing_decision), "kind" (pause,
 *              resume, extend, restart), "on", "note" (required for
 *              extend: the approval)}
 *
 * Flags take true/false, 0/1 or "0"/"1"; dates "YYYY-MM-DD", not in the
 * future, "on" defaults to today; joint_departments is a list of names or
 * one string of names separated by 、 , ; (stored joined by 、).
 */
#ifndef SERVICE_CASES_H
#define SERVICE_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "service/service.h"
#include "service/staff.h"

#define CASES_PAGE 50			/* default page size */
#define CASES_TEXT_MAX 1000		/* characters of a reason or note */

struct cases_query {
	const char *bureau;		/* NULL or "": any */
	const char *campaign;
	const char *domain;
	const char *status;
	const char *overdue;		/* "1": only cases with overdue tips */
	const char *cursor;
	const char *limit;
};

#define CASES_JOINT_MAX 2048		/* bytes of the joined names */

/* An outcome body, parsed (cases_parse_outcome()). */
struct cases_outcome_form {
	int violation_found;		/* -1: unchanged, else 0/1 */
	int false_report;		/* -1, 0, 1, 2 */
	const char *false_report_kind;	/* NULL: unchanged; "" clears;
					 * points into the body */
	int rectify_ordered;
	int qualification_revoked;
	int64_t fines_fen;		/* -1: unchanged */
	int64_t confiscated_fen;
	int referred_police;
	int seriously_dishonest;
	bool has_credit_date;
	char credit_published_on[11];	/* "" clears */
	bool has_joint;
	char joint_departments[CASES_JOINT_MAX];	/* names, 、 between */
};

/*
 * Parse an outcome body (the members above) without touching any store:
 * the parser of outside input the fuzzer drives (tests/fuzz/
 * fuzz_cases_outcome.c).  0, or -1 with msg naming the field first.
 */
int cases_parse_outcome(json_t *body, struct cases_outcome_form *f,
    char *msg, size_t msglen);

/* Whether s is a case status. */
bool cases_valid_status(const char *s);

/* A new case; *out {"id": C-..., ...the detail}.  Audited. */
enum staff_status cases_create(struct service_worker *w,
    const struct staff_user *u, json_t *body, json_t **out, char *msg,
    size_t msglen);

/*
 * Case id with its tips (and their deadlines), events and the calendar
 * warning.  Audited ("case.view").
 */
enum staff_status cases_detail(struct service_worker *w,
    const struct staff_user *u, const char *id, json_t **out);

/* {"cases": [...], "next": CURSOR|null}.  Audited ("case.list"). */
enum staff_status cases_list(struct service_worker *w,
    const struct staff_user *u, const struct cases_query *q, json_t **out,
    char *msg, size_t msglen);

/* Link, unlink, status, outcome: *out is the case's detail afterwards. */
enum staff_status cases_link(struct service_worker *w,
    const struct staff_user *u, const char *id, json_t *body, json_t **out,
    char *msg, size_t msglen);
enum staff_status cases_unlink(struct service_worker *w,
    const struct staff_user *u, const char *id, const char *tip,
    json_t *body, json_t **out, char *msg, size_t msglen);
enum staff_status cases_status(struct service_worker *w,
    const struct staff_user *u, const char *id, json_t *body, json_t **out,
    char *msg, size_t msglen);
enum staff_status cases_outcome(struct service_worker *w,
    const struct staff_user *u, const char *id, json_t *body, json_t **out,
    char *msg, size_t msglen);

/*
 * One bureau message to the tipster of every tip of case id, through the
 * one message path (staff_tips_message(): a transaction and audit entry
 * per message), then a case event "message" naming the tips it reached.
 * *out {"messages": [{"tip", "id", "at"}]}.  CONFLICT for a case without
 * tips; TRANSIENT (with *out) when it stopped part-way.
 */
enum staff_status cases_message(struct service_worker *w,
    const struct staff_user *u, const char *id, json_t *body, json_t **out,
    char *msg, size_t msglen);

/* The decision notice to the tipster of tip tip; *out {"tip", "notified_on",
 * "deadlines"}. */
enum staff_status cases_notice(struct service_worker *w,
    const struct staff_user *u, const char *tip, json_t *body, json_t **out,
    char *msg, size_t msglen);

/*
 * A deadline event for tip tip (is_case false) or case id (true); *out
 * {"event": {...}}.
 */
enum staff_status cases_deadline_event(struct service_worker *w,
    const struct staff_user *u, const char *id, bool is_case, json_t *body,
    json_t **out, char *msg, size_t msglen);

/*
 * The overdue list: {"tips": [{"id", "bureau", "status", "case",
 * "deadlines": [the overdue ones]}], "calendar_warning", "truncated"} of
 * bureau (NULL or "": every bureau in scope).  Audited ("overdue.list").
 */
enum staff_status cases_overdue(struct service_worker *w,
    const struct staff_user *u, const char *bureau, json_t **out,
    char *msg, size_t msglen);

/*
 * Add to the staff document doc of tip tip_id (row id; the caller read it
 * through its scoped query): "case" (its case's id or null),
 * "deadlines" and "calendar_warning" (deadline_view.h).  0 or -1
 * (logged; doc may lack some of them).
 */
int cases_tip_add(struct db *db, int64_t tip_id, json_t *doc);

/* Money: fen as yuan "1234.56" and 万元 "0.12" (two decimals, rounded
 * half up). */
void cases_format_yuan(long long fen, char *buf, size_t len);
void cases_format_wan(long long fen, char *buf, size_t len);

#endif
