/* SPDX-License-Identifier: MIT */
/*
 * Triage in the database: re-routing a tip to another bureau, setting a
 * triage status (confirmed, invalid, transferred, duplicate of another
 * tip), classifying it (domain, violation type, registry institution);
 * the tip's history (tip_events); merging a repeated tip into an earlier
 * one (order 121); its relatives (same registry institution, same
 * attachment content, same test report number, marked duplicates, the
 * same tipster's contact MAC) and the open cases of its institution; the report number
 * keyed hashes intake stores with a new tip.
 *
 * Every query carries the caller's scope (scope.h) in SQL: a tip outside
 * it is STORAGE_ERR_NOTFOUND like a missing one, and relatives outside it
 * are not shown.  Every change runs in one BEGIN IMMEDIATE transaction
 * with its tip_events row and its audit entry, so the three are either
 * all there or none is.
 *
 * Load: one tip per change; relatives through the indexes on
 * tips(institution_id), attachments(content_mac) and
 * tip_report_numbers(number_mac), at most TIP_TRIAGE_RELATED_MAX rows.
 */
#ifndef STORAGE_TIP_TRIAGE_H
#define STORAGE_TIP_TRIAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"
#include "storage/scope.h"

#define TIP_TRIAGE_ID_MAX	32
#define TIP_TRIAGE_CODE_MAX	64
#define TIP_TRIAGE_STATUS_MAX	16
#define TIP_TRIAGE_TEXT_MAX	2048	/* bytes of a reason or note */
/* Bytes of a stored route reason or event detail: the text and more. */
#define TIP_TRIAGE_REASON_MAX	(TIP_TRIAGE_TEXT_MAX + 256)
#define TIP_TRIAGE_RELATED_MAX	50
#define TIP_TRIAGE_MAC_BYTES	32

/*
 * An SQL expression: the code of the campaign whose starts_on..ends_on
 * (either open when NULL) holds day and whose key domains include domain
 * (two SQL expressions, e.g. parameters), or NULL; with several, the one
 * that started last.  Intake stores it with a new tip; classify re-reads
 * it when the domain changes.
 */
#define TIP_TRIAGE_CAMPAIGN_SQL(domain, day) \
	"(SELECT c.code FROM campaigns c JOIN campaign_domains cd ON" \
	" cd.campaign = c.code WHERE cd.domain = " domain \
	" AND (c.starts_on IS NULL OR c.starts_on <= " day ")" \
	" AND (c.ends_on IS NULL OR " day " <= c.ends_on)" \
	" ORDER BY c.starts_on DESC, c.code LIMIT 1)"

/* Why a change was refused with STORAGE_ERR_INVALID. */
enum tip_triage_why {
	TIP_TRIAGE_WHY_NONE = 0,
	TIP_TRIAGE_WHY_BUREAU,		/* no such bureau */
	TIP_TRIAGE_WHY_STATE,		/* a case drives the tip's status */
	TIP_TRIAGE_WHY_DUPLICATE,	/* the other tip: missing or out of
					 * scope */
	TIP_TRIAGE_WHY_SELF,		/* a tip is not its own duplicate */
	TIP_TRIAGE_WHY_DOMAIN,		/* no such key domain */
	TIP_TRIAGE_WHY_VIOLATION,	/* no such violation type */
	TIP_TRIAGE_WHY_INSTITUTION,	/* not in the registry */
	/* merge: the earlier tip ("into") ... */
	TIP_TRIAGE_WHY_INTO,		/* missing or out of scope */
	TIP_TRIAGE_WHY_INTO_SELF,	/* is the tip itself */
	TIP_TRIAGE_WHY_INTO_LATER,	/* arrived after the tip */
	TIP_TRIAGE_WHY_INTO_MERGED,	/* is itself merged into another */
	TIP_TRIAGE_WHY_INTO_INSTITUTION, /* not the same registry
					 * institution (or none) */
	TIP_TRIAGE_WHY_INTO_BUREAU,	/* in another bureau */
	TIP_TRIAGE_WHY_RULE,		/* repeat_tip_restart not in force */
	TIP_TRIAGE_WHY_MERGED,		/* merge: the tip is a duplicate or
					 * merged already */
};

/* The rules a merge names (deadline-rules.csv). */
#define TIP_TRIAGE_RULE_RESTART	"repeat_tip_restart"
#define TIP_TRIAGE_RULE_FILING	"report_filing_decision"

/* The weights of the router's priority steps (service/router.h), for
 * classify to recompute a tip's priority. */
struct tip_triage_weights {
	int epidemic;			/* a domain with domains.epidemic */
	int false_report;		/* a violation type of category false */
	int harm;			/* words of harm (kept from the stored
					 * priority: they need the text) */
};

/* What classify set beyond what it was asked to. */
struct tip_triage_classified {
	char campaign[TIP_TRIAGE_CODE_MAX];	/* "" when none */
	int priority;
	int previous_priority;
};

/* What a merge did. */
struct tip_triage_merged {
	char status[TIP_TRIAGE_STATUS_MAX];
	char previous_status[TIP_TRIAGE_STATUS_MAX];
	char restart_on[16];		/* YYYY-MM-DD; "" when no restart */
};

/* Who acts, and when. */
struct tip_triage_actor {
	int64_t user_id;
	const char *login;		/* for the audit entry */
	int64_t now;			/* Unix seconds */
};

/* Relation reasons (bits of struct tip_triage_related.reasons). */
#define TIP_TRIAGE_REL_INSTITUTION	0x1
#define TIP_TRIAGE_REL_ATTACHMENT	0x2
#define TIP_TRIAGE_REL_REPORT		0x4
#define TIP_TRIAGE_REL_DUPLICATE	0x8
#define TIP_TRIAGE_REL_TIPSTER		0x10	/* same contact_mac */

struct tip_triage_related {
	char public_id[TIP_TRIAGE_ID_MAX];
	char status[TIP_TRIAGE_STATUS_MAX];
	char bureau[TIP_TRIAGE_CODE_MAX];
	unsigned reasons;		/* TIP_TRIAGE_REL_* */
};

struct tip_triage_event {
	int64_t at;
	const char *login;		/* NULL: no user */
	const char *kind;
	const char *detail;		/* NULL: none */
};

struct tip_triage_case {
	char public_id[TIP_TRIAGE_ID_MAX];
	char status[TIP_TRIAGE_STATUS_MAX];
	char bureau[TIP_TRIAGE_CODE_MAX];
};

/* The plaintext triage facts of a tip beyond tip_query's. */
struct tip_triage_facts {
	int64_t id;
	int64_t institution_id;		/* 0: none */
	char institution_name[512];	/* "" when none */
	char credit_code[24];		/* "" when none */
	char duplicate_of[TIP_TRIAGE_ID_MAX];	/* "" when none */
};

/*
 * Send tip public_id (in scope) to bureau, with reason (1 to
 * TIP_TRIAGE_TEXT_MAX bytes): tips.bureau and route_reason (naming who
 * re-routed, from where and why; needs_review cleared: a person has
 * decided), a "route" event and a "tip.route"
 * audit entry.  old_bureau (TIP_TRIAGE_CODE_MAX bytes) gets where it
 * was and route_reason (TIP_TRIAGE_REASON_MAX bytes) the route reason
 * stored; either may be NULL.  NOTFOUND outside the scope; INVALID with
 * *why for an unknown bureau.
 */
enum storage_status tip_triage_route(struct db *db, const struct scope *scope,
    const struct tip_triage_actor *a, const char *public_id,
    const char *bureau, const char *reason, char *old_bureau,
    char *route_reason, enum tip_triage_why *why);

/*
 * Set a triage status of tip public_id (in scope): "triaged" (confirm),
 * "invalid", "transferred", or, with duplicate_of (a public id) set,
 * "invalid" as the duplicate of that tip (which must be in scope too).
 * Allowed while the tip's status is a triage one (received, triaged,
 * invalid, transferred); a case-driven status refuses (INVALID,
 * TIP_TRIAGE_WHY_STATE).  A change without duplicate_of clears
 * tips.duplicate_of; every change clears needs_review.  note may be
 * NULL.  One event (confirm, invalid, transferred, duplicate) and one
 * audit entry ("tip.<kind>").  old_status (TIP_TRIAGE_STATUS_MAX bytes,
 * may be NULL) gets the status before.
 */
enum storage_status tip_triage_status(struct db *db,
    const struct scope *scope, const struct tip_triage_actor *a,
    const char *public_id, const char *status, const char *note,
    const char *duplicate_of, char *old_status, enum tip_triage_why *why);

/*
 * Classify tip public_id (in scope): each of domain, violation (codes)
 * and institution (a registry row id in decimal, or a unified social
 * credit code) that is not NULL is set, after checking it against the
 * reference data (INVALID with *why otherwise).  A new domain sets the
 * campaign again (TIP_TRIAGE_CAMPAIGN_SQL on the tip's received_on); a
 * new domain or violation recomputes the priority with w (NULL: the
 * priority stays).  One "classify" event and one "tip.classify" audit
 * entry naming the changes; *out gets the campaign and priority.
 */
enum storage_status tip_triage_classify(struct db *db,
    const struct scope *scope, const struct tip_triage_actor *a,
    const char *public_id, const char *domain, const char *violation,
    const char *institution, const struct tip_triage_weights *w,
    struct tip_triage_classified *out, enum tip_triage_why *why);

/*
 * Merge tip public_id (in scope, in a triage status, in no case) into the
 * earlier tip into (in scope too, not itself merged, arrived first, the
 * same registry institution and bureau; else INVALID with *why), order
 * 121 第三十五条第二款:
 *   new_facts  the tip takes the earlier one's status (and case, if it
 *              has one) and tips.duplicate_of; the earlier tip gets a
 *              "restart" deadline event of report_filing_decision dated
 *              the tip's received_on and a "merge" event.  Only when
 *              repeat_tip_restart is in force on the earlier tip's
 *              received_on (else TIP_TRIAGE_WHY_RULE).
 *   otherwise  a plain repeat: status invalid, duplicate_of; no restart.
 * One transaction with a "merge" event and a "tip.merge" audit entry on
 * the tip; note (may be NULL) goes into both.
 */
enum storage_status tip_triage_merge(struct db *db,
    const struct scope *scope, const struct tip_triage_actor *a,
    const char *public_id, const char *into, bool new_facts,
    const char *note, struct tip_triage_merged *out,
    enum tip_triage_why *why);

/* The tip's triage facts.  NOTFOUND outside the scope. */
enum storage_status tip_triage_facts(struct db *db, const struct scope *scope,
    const char *public_id, struct tip_triage_facts *out);

/*
 * The history of tip row tip_id (in scope), oldest first, to cb (the
 * strings are valid during the call; cb returns 0 to go on).
 */
enum storage_status tip_triage_events(struct db *db, const struct scope *scope,
    int64_t tip_id, int (*cb)(void *arg, const struct tip_triage_event *e),
    void *arg);

/*
 * The relatives of tip row tip_id that the scope may see, newest first,
 * at most TIP_TRIAGE_RELATED_MAX, to cb (0 to go on).
 */
enum storage_status tip_triage_related(struct db *db,
    const struct scope *scope, int64_t tip_id,
    int (*cb)(void *arg, const struct tip_triage_related *r), void *arg);

/* How many relatives tip row tip_id has in the scope (the queue's count). */
enum storage_status tip_triage_related_count(struct db *db,
    const struct scope *scope, int64_t tip_id, long *count);

/*
 * The cases of tip row tip_id's registry institution that are not closed
 * and that the scope may see, newest first, to cb (0 to go on).
 */
enum storage_status tip_triage_open_cases(struct db *db,
    const struct scope *scope, int64_t tip_id,
    int (*cb)(void *arg, const struct tip_triage_case *c), void *arg);

/*
 * Store the keyed hashes of a new tip's report numbers (n of them, each
 * TIP_TRIAGE_MAC_BYTES).  Called by tip_store_commit() inside the tip's
 * transaction; repeated hashes are stored once.
 */
enum storage_status tip_triage_add_report_macs(struct db *db, int64_t tip_id,
    const unsigned char (*macs)[TIP_TRIAGE_MAC_BYTES], size_t n);

#endif
