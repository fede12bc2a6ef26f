/* SPDX-License-Identifier: MIT */
/*
 * What the deadline computation (service/deadlines.c) reads from the
 * database, as plain rows: the deadline rules with their legal source and
 * the dates between which they apply (deadline_rules), the deadline events
 * recorded for a tip or a case (deadline_events: pause, resume, extend,
 * restart), and the few facts of a tip its deadlines depend on (received
 * date, real name, the date the tipster was told of the filing decision,
 * the linked case's filing, not-filing and decision dates).
 *
 * No tip content is read.  deadline_store_tip_facts() is not bounded by a
 * staff scope: a staff route must first fetch the tip through its scoped
 * query (tip_query.h) and only then ask for its deadlines.
 */
#ifndef STORAGE_DEADLINE_STORE_H
#define STORAGE_DEADLINE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"

#define DEADLINE_STORE_ID_MAX		64	/* rule_id bytes + NUL */
#define DEADLINE_STORE_UNIT_MAX		16
#define DEADLINE_STORE_SOURCE_MAX	512
#define DEADLINE_STORE_MAX_RULES	1000
#define DEADLINE_STORE_MAX_EVENTS	1000	/* per tip and case */

/* One version of one rule. */
struct deadline_store_rule {
	char	rule_id[DEADLINE_STORE_ID_MAX];
	char	applies_from[11];		/* YYYY-MM-DD */
	char	applies_until[11];		/* "" when open-ended */
	long	limit;				/* -1: none */
	char	unit[DEADLINE_STORE_UNIT_MAX];	/* "" when none */
	long	extension;			/* -1: none */
	char	extension_unit[DEADLINE_STORE_UNIT_MAX];
	char	source[DEADLINE_STORE_SOURCE_MAX];	/* may be cut */
};

/* One recorded deadline event. */
struct deadline_store_event {
	int64_t	id;
	char	rule_id[DEADLINE_STORE_ID_MAX];
	char	kind[12];		/* pause | resume | extend | restart */
	char	on_date[11];		/* YYYY-MM-DD */
	bool	has_user;		/* user_id set: who recorded it */
	bool	has_note;		/* a non-empty note (the approval) */
};

/* The facts of one tip that its deadlines depend on. */
struct deadline_store_tip {
	char	received_on[11];	/* YYYY-MM-DD, local */
	bool	real_name;
	char	tip_status[16];
	int64_t	tip_updated_at;		/* Unix time */
	int64_t	case_id;		/* 0: no case */
	char	case_status[16];	/* "" without a case */
	char	filed_on[11];		/* "" when not filed */
	char	decided_on[11];		/* "" when not decided */
	int64_t	case_updated_at;	/* 0 without a case */
	char	not_filed_on[11];	/* "" unless decided not to file */
	char	notified_on[11];	/* "" until the tipster is told */
};

/*
 * Every row of deadline_rules, ordered by rule_id and applies_from, into a
 * new array *rows of *n.  The caller owns *rows (free()); NULL on error.
 * STORAGE_ERR_CORRUPT for a row with a missing rule_id, applies_from or
 * source; STORAGE_ERR_INVALID past DEADLINE_STORE_MAX_RULES.
 */
enum storage_status deadline_store_rules(struct db *db,
    struct deadline_store_rule **rows, size_t *n);

/*
 * The events of a tip (tip_id) and of a case (case_id), either may be 0
 * for none, ordered by on_date and id, into a new array *rows of *n (the
 * caller frees).  STORAGE_ERR_INVALID past DEADLINE_STORE_MAX_EVENTS.
 */
enum storage_status deadline_store_events(struct db *db, int64_t tip_id,
    int64_t case_id, struct deadline_store_event **rows, size_t *n);

/*
 * The facts of tip tip_id (the row id) into *out.  STORAGE_ERR_NOTFOUND if
 * there is no such tip.
 */
enum storage_status deadline_store_tip_facts(struct db *db, int64_t tip_id,
    struct deadline_store_tip *out);

/*
 * Record one deadline event, inside the caller's transaction: for the tip
 * with row id tip_id or the case with row id case_id (exactly one of them
 * > 0), under rule rule_id, of kind (pause | resume | extend | restart),
 * on date on (YYYY-MM-DD), with note (NULL: none), by user_id (0: the
 * system) at Unix time at.  STORAGE_ERR_EXISTS when the table refuses the
 * row (a kind it does not know); STORAGE_ERR_INVALID for a missing
 * argument.
 */
enum storage_status deadline_store_add_event(struct db *db, int64_t tip_id,
    int64_t case_id, const char *rule_id, const char *kind, const char *on,
    const char *note, int64_t user_id, int64_t at);

#endif
