/* SPDX-License-Identifier: MIT */
/*
 * Statutory deadlines of a tip (../shared/data/deadlines.md §3, §4 and
 * deadline-rules.csv).  The rules are data: each version of a rule has the
 * dates between which it applies and its legal source, and a tip keeps the
 * versions in force on the day it was received (design.md).  Computed here:
 *
 *   report_filing_decision  decide whether to file a case: 15 working days
 *                           after receipt, +15 with the bureau head's
 *                           approval (行政处罚程序规定 第十八条);
 *   realname_filing_notice  tell a real-name tipster of that decision: 5
 *                           working days after it, only for tips received
 *                           2020-01-01 .. 2026-04-14 (order 20 第三十一条
 *                           第二款; order 121 has no such rule);
 *   case_decision           decide a filed case: 90 calendar days after
 *                           filing, +30 with approval (第六十四条).
 *
 * Counting follows calendar.h: the start day is not counted, the due date
 * is the last day on which acting is still in time, and a calendar-day
 * period ending on a day off ends on the next working day (第八十条).
 *
 * Events recorded by staff (deadline_events) change a deadline:
 *
 *   pause / resume  time spent on testing, inspection, appraisal (第十八条
 *                   第二款; 第六十四条第二款) is not counted.  A pause on day
 *                   P resumed on day R leaves out the days P < d <= R: the
 *                   clock ran on P and, like any period, starts again the
 *                   day after R.  A pause without its resume stops the
 *                   clock: no due date until it is resumed.
 *   extend          the rule's extension (15 working days, 30 days), once,
 *                   and only when its approval is recorded (the event has
 *                   the user who recorded it and a note naming the
 *                   approval).  An extension recorded after the original
 *                   due date still counts but is flagged late; a further
 *                   extension (the case decision's collective decision,
 *                   which sets its own limit) is only flagged.
 *   restart         order 121 第三十五条第二款: the same tipster's new tip
 *                   adding facts about the same institution is merged and
 *                   the handling period runs again from the day of that
 *                   last tip.  Honoured only when repeat_tip_restart is in
 *                   force for the tip (received from 2026-04-15); events
 *                   dated before the restart belong to the old period.
 *
 * Everything here is pure except the deadlines_load_*() functions, which
 * read the rules, events and a tip's facts through storage/deadline_store.
 */
#ifndef SERVICE_DEADLINES_H
#define SERVICE_DEADLINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service/calendar.h"
#include "storage/db.h"

#define DEADLINES_ID_MAX	64
#define DEADLINES_SOURCE_MAX	512
#define DEADLINES_MAX		3	/* deadlines one tip can have */

#define DEADLINES_RULE_FILING	"report_filing_decision"
#define DEADLINES_RULE_NOTICE	"realname_filing_notice"
#define DEADLINES_RULE_CASE	"case_decision"
#define DEADLINES_RULE_RESTART	"repeat_tip_restart"

enum deadline_unit {
	DEADLINE_UNIT_NONE = 0,		/* a rule without a period */
	DEADLINE_UNIT_WORKING_DAYS,
	DEADLINE_UNIT_DAYS,		/* calendar days */
	DEADLINE_UNIT_YEARS,		/* not computed here */
};

/* One version of one rule. */
struct deadline_rule {
	char			rule_id[DEADLINES_ID_MAX];
	int32_t			applies_from;
	int32_t			applies_until;	/* CALENDAR_NO_DAY: open */
	long			limit;		/* 0 with DEADLINE_UNIT_NONE */
	enum deadline_unit	unit;
	long			extension;	/* 0: none */
	enum deadline_unit	extension_unit;
	char			source[DEADLINES_SOURCE_MAX];
};

enum deadline_event_kind {
	DEADLINE_EVENT_PAUSE,
	DEADLINE_EVENT_RESUME,
	DEADLINE_EVENT_EXTEND,
	DEADLINE_EVENT_RESTART,
};

/* One recorded event, for the rule rule_id. */
struct deadline_event {
	char				rule_id[DEADLINES_ID_MAX];
	enum deadline_event_kind	kind;
	int32_t				on;
	bool				approved;	/* extend: recorded */
};

/* What happened to the tip so far; CALENDAR_NO_DAY: not (yet). */
struct deadline_facts {
	int32_t	received;	/* required: the tip's received_on */
	bool	real_name;
	int32_t	decided;	/* decision to file or not to file */
	bool	filed;		/* that decision was to file */
	int32_t	notified;	/* real-name tipster told of the decision */
	int32_t	filed_on;	/* case filed (立案) */
	int32_t	case_decided;	/* case decided */
};

enum deadline_state {
	DEADLINE_WAITING,	/* its start has not happened yet */
	DEADLINE_RUNNING,	/* due date set, not yet past */
	DEADLINE_PAUSED,	/* an open pause: no due date */
	DEADLINE_OVERDUE,	/* not done, today is past the due date */
	DEADLINE_MET,		/* done on or before the due date */
	DEADLINE_MET_LATE,	/* done after the due date */
};

/* Flags of a computed deadline. */
#define DEADLINE_FLAG_CALENDAR_UNKNOWN	0x01	/* a day of an unknown year */
#define DEADLINE_FLAG_EXTENDED_LATE	0x02	/* extension after the due */
#define DEADLINE_FLAG_UNAPPROVED	0x04	/* an extension ignored */
#define DEADLINE_FLAG_FURTHER_EXTENSION	0x08	/* beyond the rule's one */
#define DEADLINE_FLAG_RESTART_IGNORED	0x10	/* restart, rule not in force */
#define DEADLINE_FLAG_RESTARTED		0x20
#define DEADLINE_FLAG_EXTENDED		0x40
#define DEADLINE_FLAG_NO_END		0x80	/* past the supported years */

/* One computed deadline. */
struct deadline {
	const struct deadline_rule	*rule;	/* points into the rules */
	enum deadline_state		 state;
	int32_t				 start;	/* not counted; NO_DAY: wait */
	int32_t				 base_due;	/* without extension */
	int32_t				 due;	/* NO_DAY: waiting, paused */
	int32_t				 done;	/* NO_DAY: not done */
	long				 total;	/* limit (+ extension) */
	long				 used;	/* units counted up to today */
	long				 left;	/* today < d <= due; < 0: late */
	unsigned			 flags;
};

/* Unit from its name in the rule table ("working_days", "days", "years"). */
enum deadline_unit deadline_unit_from_name(const char *name);

/* Name of a state ("running", "overdue", ...), for logs and JSON. */
const char *deadline_state_name(enum deadline_state st);

/*
 * The version of rule_id in force on day, or NULL: applies_from <= day
 * and (no applies_until or day <= applies_until).
 */
const struct deadline_rule *deadlines_rule_in_force(
    const struct deadline_rule *rules, size_t nrules, const char *rule_id,
    int32_t day);

/*
 * Compute the deadlines of a tip as of today: for each rule above that is
 * in force on f->received (the notice only for a real-name tipster; the
 * case decision unless the decision was not to file), one struct deadline
 * into out[], in the order filing decision, notice, case decision; *nout
 * gets the count.  events may be in any order (sorted here by day, stable).
 * out[i].rule points into rules, which must outlive out.  Returns 0, or -1
 * when f->received is not a date, or on allocation failure.
 */
int deadlines_compute(const struct calendar *cal,
    const struct deadline_rule *rules, size_t nrules,
    const struct deadline_event *events, size_t nevents,
    const struct deadline_facts *f, int32_t today,
    struct deadline out[DEADLINES_MAX], size_t *nout);

/*
 * Read every rule version from the database into a new array *rules of
 * *n (the caller frees it with free()).  0, or -1 with err set.
 */
int deadlines_load_rules(struct db *db, struct deadline_rule **rules,
    size_t *n, char *err, size_t errlen);

/*
 * Read the facts and the events (of the tip and of its case) of tip
 * tip_id.  *events is a new array of *nevents (the caller frees it).  The
 * filing decision's day is the case's filed_on when it was filed, its
 * not_filed_on for a decision not to file (for an older row without it,
 * the local date of the last change of the case, or of the tip without a
 * case, in status not_filed); the notice's day is the tip's notified_on.
 * 0, 1 when there is no such tip, -1 with err set.
 */
int deadlines_load_tip(struct db *db, int64_t tip_id,
    struct deadline_facts *f, struct deadline_event **events,
    size_t *nevents, char *err, size_t errlen);

#endif
