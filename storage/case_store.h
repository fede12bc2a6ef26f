/* SPDX-License-Identifier: MIT */
/*
 * Inspection cases (cases, case_events) and what they do to their tips:
 * create a case (C-YYYY-NNNNNN), read one, list them, link a tip to a case
 * and unlink it, change the status, record findings and outcomes, and the
 * two tip facts the case work tracks (the decision notice to a real-name
 * tipster, tips.notified_on; deadline pauses, resumptions and extensions,
 * deadline_events).
 *
 * Every query that reads or changes a case carries SCOPE_SQL_CASE, every
 * one that touches a tip SCOPE_SQL_TIP (storage/scope.h): an officer sees
 * and changes only the cases and tips of their own bureau; anything else
 * is STORAGE_ERR_NOTFOUND, exactly like a missing object.
 *
 * Every change runs in one BEGIN IMMEDIATE transaction with its
 * case_events row (or tip_events row), its audit entry and, for a status
 * change, the status of every linked tip:
 *
 *   case       verifying  filed  not_filed  decided  closed
 *   its tips   verifying  filed  not_filed  filed    closed
 *
 * (a decided case stays "filed" for its tips until it is closed: the
 * tipster's page shows the outcome from the case itself).  An unlinked
 * tip goes back to "triaged".
 *
 * Refusals: STORAGE_ERR_INVALID names the field in msg ("campaign: no
 * such campaign"); STORAGE_ERR_EXISTS is a conflict with the object's
 * present state, also named in msg ("status: verifying cannot become
 * closed").  Nothing is changed by a refused call.
 *
 * Load: a case has a handful of tips and events; a list page is at most
 * CASE_STORE_PAGE_MAX cases.  No tip content is read here.
 */
#ifndef STORAGE_CASE_STORE_H
#define STORAGE_CASE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"
#include "storage/scope.h"

#define CASE_STORE_ID_MAX 32		/* C-YYYY-NNNNNN and NUL */
#define CASE_STORE_CODE_MAX 64
#define CASE_STORE_TEXT_MAX 2048	/* reason, joint departments, note */
#define CASE_STORE_NAME_MAX 512		/* institution name */
#define CASE_STORE_PAGE_MAX 200
#define CASE_STORE_OPEN_MAX 5000	/* open tips of one overdue list */
#define CASE_STORE_LOGIN_MAX 64

/* Who changes what, and when (for events and the audit entry). */
struct case_store_actor {
	int64_t user_id;
	const char *login;		/* the audit entry's user */
	int64_t now;			/* Unix seconds */
	const char *today;		/* local date, YYYY-MM-DD */
};

/* A case as stored. */
struct case_store_case {
	int64_t id;
	char public_id[CASE_STORE_ID_MAX];
	int64_t institution_id;
	char institution[CASE_STORE_NAME_MAX];	/* registry name */
	char campaign[CASE_STORE_CODE_MAX];	/* "" when none */
	char domain[CASE_STORE_CODE_MAX];	/* "" when none */
	char bureau[CASE_STORE_CODE_MAX];
	char status[16];
	char not_filed_reason[CASE_STORE_TEXT_MAX];
	char joint_departments[CASE_STORE_TEXT_MAX];	/* names, 、 between */
	int violation_found;
	int false_report;		/* 0 none, 1 inaccurate, 2 false */
	char false_report_kind[CASE_STORE_CODE_MAX];
	int rectify_ordered;
	int qualification_revoked;
	int64_t fines_fen;
	int64_t confiscated_fen;
	int referred_police;
	int seriously_dishonest;
	char credit_published_on[11];	/* "" when not (yet) */
	char filed_on[11];
	char not_filed_on[11];
	char decided_on[11];
	char closed_on[11];
	int64_t created_at;
	int64_t updated_at;
	int ntips;			/* tips linked */
};

/* A new case. */
struct case_store_new {
	const char *from_tip;		/* NULL, or a tip in scope to link */
	int64_t institution_id;		/* 0: the tip's */
	const char *campaign;		/* NULL: the tip's */
	const char *domain;		/* NULL: the tip's */
	const char *bureau;		/* NULL: the tip's (or the officer's) */
	const char *joint_departments;	/* NULL, or names, 、 between */
};

/* Findings and outcomes to record; -1 / NULL: leave as it is. */
struct case_store_outcome {
	int violation_found;		/* 0/1 */
	int false_report;		/* 0/1/2 */
	const char *false_report_kind;	/* violation code; "" clears */
	int rectify_ordered;
	int qualification_revoked;
	int64_t fines_fen;		/* >= 0 */
	int64_t confiscated_fen;	/* >= 0 */
	int referred_police;
	int seriously_dishonest;
	const char *credit_published_on;	/* YYYY-MM-DD; "" clears */
	const char *joint_departments;	/* names, 、 between */
};

/* A tip linked to a case (no content). */
struct case_store_tip {
	int64_t id;
	char public_id[CASE_STORE_ID_MAX];
	char status[16];
	char bureau[CASE_STORE_CODE_MAX];
	char received_on[11];
	bool real_name;
	char notified_on[11];
	char case_id[CASE_STORE_ID_MAX];	/* the case's public id, or "" */
};

/* One event of a case. */
struct case_store_event {
	int64_t at;
	char user[CASE_STORE_LOGIN_MAX];	/* "" when none */
	char kind[32];
	const char *detail;			/* valid during the callback */
};

struct case_store_filter {
	const char *bureau;		/* NULL: any (within the scope) */
	const char *campaign;
	const char *domain;
	const char *status;
	int64_t before_id;		/* cursor: 0 for the first page */
	int limit;			/* 1 .. CASE_STORE_PAGE_MAX */
};

/* What the tipster may learn of the case of their tip. */
struct case_store_public {
	char status[16];
	char not_filed_reason[CASE_STORE_TEXT_MAX];
	int violation_found;
	int false_report;
	int rectify_ordered;
	int qualification_revoked;
	int64_t fines_fen;
	int64_t confiscated_fen;
	int referred_police;
	int seriously_dishonest;
	char credit_published_on[11];
};

/* The tip status a case status gives its tips ("filed" for "decided"). */
const char *case_store_tip_status(const char *case_status);

/* Whether a case may go from status from to status to. */
bool case_store_valid_transition(const char *from, const char *to);

/*
 * Create a case as n says (a tip named by n->from_tip must be in scope,
 * not linked to a case, and gives the institution, campaign, domain and
 * bureau the caller left out; it is linked).  The case's bureau must be in
 * the scope too.  public_id gets the new id.  INVALID / EXISTS with msg
 * (see above), NOTFOUND for a tip outside the scope.
 */
enum storage_status case_store_create(struct db *db,
    const struct scope *scope, const struct case_store_actor *a,
    const struct case_store_new *n, char public_id[CASE_STORE_ID_MAX],
    char *msg, size_t msglen);

/* Case public_id in scope into *out.  NOTFOUND outside the scope. */
enum storage_status case_store_get(struct db *db, const struct scope *scope,
    const char *public_id, struct case_store_case *out);

/* Tip public_id in scope into *out.  NOTFOUND outside the scope. */
enum storage_status case_store_tip_get(struct db *db,
    const struct scope *scope, const char *public_id,
    struct case_store_tip *out);

/*
 * The cases in scope matching f, newest first, at most f->limit, to cb
 * (row valid during the call; cb returns 0 to go on).  *more tells
 * whether another page follows.
 */
enum storage_status case_store_list(struct db *db, const struct scope *scope,
    const struct case_store_filter *f,
    int (*cb)(void *arg, const struct case_store_case *c), void *arg,
    bool *more);

/* The tips of case case_id (row id) in scope, oldest first, to cb. */
enum storage_status case_store_tips(struct db *db, const struct scope *scope,
    int64_t case_id, int (*cb)(void *arg, const struct case_store_tip *t),
    void *arg);

/* The events of case case_id in scope, oldest first, to cb. */
enum storage_status case_store_events(struct db *db,
    const struct scope *scope, int64_t case_id,
    int (*cb)(void *arg, const struct case_store_event *e), void *arg);

/*
 * The tips in scope still being handled (received, triaged, verifying,
 * filed, not_filed; not merged into another: the earlier tip's clock is
 * theirs), of bureau (NULL: every bureau in scope), oldest
 * first, at most CASE_STORE_OPEN_MAX, to cb.  *more: the cap was reached.
 */
enum storage_status case_store_open_tips(struct db *db,
    const struct scope *scope, const char *bureau,
    int (*cb)(void *arg, const struct case_store_tip *t), void *arg,
    bool *more);

/*
 * Link tip tip_id (public id) to case case_id.  Both in scope (else
 * NOTFOUND); EXISTS when the tip is linked already, belongs to another
 * bureau than the case, is invalid or transferred, or the case is closed.
 */
enum storage_status case_store_link(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const char *case_id,
    const char *tip_id, char *msg, size_t msglen);

/* Unlink tip tip_id from case case_id, with reason (required). */
enum storage_status case_store_unlink(struct db *db,
    const struct scope *scope, const struct case_store_actor *a,
    const char *case_id, const char *tip_id, const char *reason, char *msg,
    size_t msglen);

/*
 * Record on case case_id (in scope) work done elsewhere: a case_events row
 * of kind with detail and its audit entry ("case.<kind>"), in one
 * transaction.  (A message to every tipster of the case: each message is
 * its own transaction, messages_add(); this notes what went out.)
 */
enum storage_status case_store_note(struct db *db,
    const struct scope *scope, const struct case_store_actor *a,
    const char *case_id, const char *kind, const char *detail);

/*
 * Move case case_id to status (see case_store_valid_transition(); EXISTS
 * otherwise) on the day on (YYYY-MM-DD): filed sets filed_on, not_filed
 * not_filed_on and the reason (required, INVALID without), decided
 * decided_on, closed closed_on.  The linked tips follow (table above).
 */
enum storage_status case_store_set_status(struct db *db,
    const struct scope *scope, const struct case_store_actor *a,
    const char *case_id, const char *status, const char *reason,
    const char *on, char *msg, size_t msglen);

/*
 * Record the set members of o on case case_id.  Findings and outcomes
 * only once the case is filed (or decided); EXISTS otherwise.  INVALID
 * for an unknown false_report_kind.
 */
enum storage_status case_store_set_outcome(struct db *db,
    const struct scope *scope, const struct case_store_actor *a,
    const char *case_id, const struct case_store_outcome *o, char *msg,
    size_t msglen);

/*
 * Record that the real-name tipster of tip tip_id (in scope) was told of
 * the filing decision on the day on.  EXISTS for an anonymous tip or one
 * without a decision yet.
 */
enum storage_status case_store_tip_notice(struct db *db,
    const struct scope *scope, const struct case_store_actor *a,
    const char *tip_id, const char *on, char *msg, size_t msglen);

/*
 * Record a deadline event (kind pause | resume | extend | restart) of rule
 * rule_id on the day on for tip tip_id or case case_id (exactly one set,
 * in scope), with note (the approval, for extend).
 */
enum storage_status case_store_deadline_event(struct db *db,
    const struct scope *scope, const struct case_store_actor *a,
    const char *tip_id, const char *case_id, const char *rule_id,
    const char *kind, const char *on, const char *note, char *msg,
    size_t msglen);

/*
 * The case of tip tip_id (row id) as its tipster may see it.  No scope:
 * the caller found the tip by its receipt.  NOTFOUND without a case.
 */
enum storage_status case_store_public(struct db *db, int64_t tip_id,
    struct case_store_public *out);

/*
 * The public id of the case of tip tip_id (row id) into out ("" when it
 * has none).  No scope: the caller read the tip through its scope.
 */
enum storage_status case_store_case_of_tip(struct db *db, int64_t tip_id,
    char out[CASE_STORE_ID_MAX]);

#endif
