/* SPDX-License-Identifier: MIT */
/*
 * Deadline computation (see deadlines.h for the rules and conventions):
 * pick the rule versions in force on the day a tip was received, turn the
 * recorded events of each rule into pause intervals, an extension and a
 * restart, and walk the calendar day by day to the due date.  A walk is
 * at most a few hundred days (120 calendar days plus pauses); the events
 * are a handful per tip.  The loaders at the end read rules, events and a
 * tip's facts through storage/deadline_store.
 */
#include "service/deadlines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/deadline_store.h"

/* Days P < d <= R left out of a period; to == CALENDAR_NO_DAY: open. */
struct deadlines_pause {
	int32_t	from;
	int32_t	to;
};

/* The events of one rule, digested. */
struct deadlines_plan {
	int32_t			 start;
	struct deadlines_pause	*pauses;
	size_t			 npauses;
	bool			 extended;
	int32_t			 extended_on;
	unsigned		 flags;
};

enum deadline_unit
deadline_unit_from_name(const char *name)
{
	if (name == NULL || name[0] == '\0')
		return DEADLINE_UNIT_NONE;
	if (strcmp(name, "working_days") == 0)
		return DEADLINE_UNIT_WORKING_DAYS;
	if (strcmp(name, "days") == 0)
		return DEADLINE_UNIT_DAYS;
	if (strcmp(name, "years") == 0)
		return DEADLINE_UNIT_YEARS;
	return DEADLINE_UNIT_NONE;
}

const char *
deadline_state_name(enum deadline_state st)
{
	switch (st) {
	case DEADLINE_WAITING:
		return "waiting";
	case DEADLINE_RUNNING:
		return "running";
	case DEADLINE_PAUSED:
		return "paused";
	case DEADLINE_OVERDUE:
		return "overdue";
	case DEADLINE_MET:
		return "met";
	case DEADLINE_MET_LATE:
		return "met_late";
	}
	return "unknown";
}

const struct deadline_rule *
deadlines_rule_in_force(const struct deadline_rule *rules, size_t nrules,
    const char *rule_id, int32_t day)
{
	const struct deadline_rule *best = NULL;

	if (day == CALENDAR_NO_DAY)
		return NULL;
	for (size_t i = 0; i < nrules; i++) {
		const struct deadline_rule *r = &rules[i];

		if (strcmp(r->rule_id, rule_id) != 0 || r->applies_from > day ||
		    (r->applies_until != CALENDAR_NO_DAY &&
		    day > r->applies_until))
			continue;
		/* Overlapping versions: the one that started last wins. */
		if (best == NULL || r->applies_from > best->applies_from)
			best = r;
	}
	return best;
}

static bool
deadlines_in_pause(const struct deadlines_plan *p, int32_t day)
{
	for (size_t i = 0; i < p->npauses; i++)
		if (day > p->pauses[i].from &&
		    (p->pauses[i].to == CALENDAR_NO_DAY ||
		    day <= p->pauses[i].to))
			return true;
	return false;
}

/* The first day of an open pause, or CALENDAR_NO_DAY. */
static int32_t
deadlines_open_pause(const struct deadlines_plan *p)
{
	for (size_t i = 0; i < p->npauses; i++)
		if (p->pauses[i].to == CALENDAR_NO_DAY)
			return p->pauses[i].from;
	return CALENDAR_NO_DAY;
}

/* Whether day counts towards a period of unit (pauses aside). */
static bool
deadlines_counts(const struct calendar *cal, enum deadline_unit unit,
    int32_t day, bool *unknown)
{
	if (unit == DEADLINE_UNIT_WORKING_DAYS)
		return calendar_is_working_day(cal, day, unknown);
	return true;
}

/*
 * Units of the period counted on the days start < d <= end (0 if end <=
 * start).
 */
static long
deadlines_count(const struct calendar *cal, enum deadline_unit unit,
    const struct deadlines_plan *p, int32_t start, int32_t end,
    bool *unknown)
{
	long n = 0;

	if (start == CALENDAR_NO_DAY || end == CALENDAR_NO_DAY)
		return 0;
	for (int32_t day = start + 1; day <= end; day++)
		if (!deadlines_in_pause(p, day) &&
		    deadlines_counts(cal, unit, day, unknown))
			n++;
	return n;
}

/*
 * The day on which total units have been counted after p->start, skipping
 * paused days; for calendar days, moved to the next working day if it is a
 * day off.  CALENDAR_NO_DAY when an open pause stops the clock first, or
 * past the supported years (*no_end).
 */
static int32_t
deadlines_walk(const struct calendar *cal, enum deadline_unit unit,
    const struct deadlines_plan *p, long total, bool *unknown, bool *no_end)
{
	int32_t day = p->start, open = deadlines_open_pause(p), next;
	long n = 0;

	while (n < total) {
		if ((next = calendar_add_days(day, 1)) == CALENDAR_NO_DAY) {
			*no_end = true;
			return CALENDAR_NO_DAY;
		}
		day = next;
		if (open != CALENDAR_NO_DAY && day > open)
			return CALENDAR_NO_DAY;
		if (!deadlines_in_pause(p, day) &&
		    deadlines_counts(cal, unit, day, unknown))
			n++;
	}
	if (unit == DEADLINE_UNIT_DAYS) {
		day = calendar_roll_forward(cal, day, unknown);
		if (day == CALENDAR_NO_DAY)
			*no_end = true;
	}
	return day;
}

/* Stable order of events by day (insertion sort: a handful per tip). */
static void
deadlines_sort_events(const struct deadline_event **ev, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct deadline_event *v = ev[i];
		size_t k = i;

		for (; k > 0 && ev[k - 1]->on > v->on; k--)
			ev[k] = ev[k - 1];
		ev[k] = v;
	}
}

/*
 * Digest the events of rule r for a period that starts on start into
 * *plan.  restart_ok: the repeat-tip restart is in force for this tip.
 * 0, or -1 on allocation failure.
 */
static int
deadlines_plan(const struct deadline_rule *r, int32_t start,
    const struct deadline_event *const *ev, size_t nev, bool restart_ok,
    struct deadlines_plan *plan)
{
	size_t first = 0, i;
	bool open = false;

	memset(plan, 0, sizeof(*plan));
	plan->start = start;
	plan->extended_on = CALENDAR_NO_DAY;
	/* The last restart, when allowed, starts a new period. */
	for (i = 0; i < nev; i++) {
		if (ev[i]->kind != DEADLINE_EVENT_RESTART ||
		    strcmp(ev[i]->rule_id, r->rule_id) != 0)
			continue;
		if (!restart_ok ||
		    strcmp(r->rule_id, DEADLINES_RULE_FILING) != 0) {
			plan->flags |= DEADLINE_FLAG_RESTART_IGNORED;
			continue;
		}
		if (ev[i]->on >= plan->start) {
			plan->start = ev[i]->on;
			plan->flags |= DEADLINE_FLAG_RESTARTED;
			first = i + 1;
		}
	}
	if ((plan->pauses = calloc(nev + 1, sizeof(*plan->pauses))) == NULL)
		return -1;
	for (i = first; i < nev; i++) {
		const struct deadline_event *e = ev[i];

		if (strcmp(e->rule_id, r->rule_id) != 0 || e->on < plan->start)
			continue;
		switch (e->kind) {
		case DEADLINE_EVENT_PAUSE:
			if (open)
				break;
			plan->pauses[plan->npauses].from = e->on;
			plan->pauses[plan->npauses].to = CALENDAR_NO_DAY;
			plan->npauses++;
			open = true;
			break;
		case DEADLINE_EVENT_RESUME:
			if (!open)
				break;
			plan->pauses[plan->npauses - 1].to = e->on;
			open = false;
			break;
		case DEADLINE_EVENT_EXTEND:
			if (!e->approved)
				plan->flags |= DEADLINE_FLAG_UNAPPROVED;
			else if (plan->extended || r->extension <= 0 ||
			    r->extension_unit != r->unit)
				plan->flags |= DEADLINE_FLAG_FURTHER_EXTENSION;
			else {
				plan->extended = true;
				plan->extended_on = e->on;
			}
			break;
		case DEADLINE_EVENT_RESTART:
			break;
		}
	}
	return 0;
}

/*
 * Compute one deadline of rule r, starting on start (CALENDAR_NO_DAY:
 * waiting), done on done, as of today.  0 or -1 (allocation).
 */
static int
deadlines_one(const struct calendar *cal, const struct deadline_rule *r,
    int32_t start, int32_t done, const struct deadline_event *const *ev,
    size_t nev, bool restart_ok, int32_t today, struct deadline *d)
{
	struct deadlines_plan plan;
	bool unknown = false, no_end = false;
	int32_t until;

	memset(d, 0, sizeof(*d));
	d->rule = r;
	d->start = start;
	d->base_due = d->due = CALENDAR_NO_DAY;
	d->done = done;
	d->total = r->limit;
	if (start == CALENDAR_NO_DAY) {
		d->state = DEADLINE_WAITING;
		d->left = d->total;
		return 0;
	}
	if (deadlines_plan(r, start, ev, nev, restart_ok, &plan) != 0)
		return -1;
	d->start = plan.start;
	d->flags = plan.flags;
	d->base_due = deadlines_walk(cal, r->unit, &plan, r->limit, &unknown,
	    &no_end);
	if (plan.extended) {
		d->total = r->limit + r->extension;
		d->flags |= DEADLINE_FLAG_EXTENDED;
		if (d->base_due != CALENDAR_NO_DAY &&
		    plan.extended_on > d->base_due)
			d->flags |= DEADLINE_FLAG_EXTENDED_LATE;
		d->due = deadlines_walk(cal, r->unit, &plan, d->total,
		    &unknown, &no_end);
	} else
		d->due = d->base_due;

	until = done != CALENDAR_NO_DAY && done < today ? done : today;
	d->used = deadlines_count(cal, r->unit, &plan, plan.start, until,
	    &unknown);
	if (done != CALENDAR_NO_DAY) {
		if (d->due == CALENDAR_NO_DAY || done <= d->due)
			d->state = DEADLINE_MET;
		else
			d->state = DEADLINE_MET_LATE;
		until = done;
	} else if (d->due == CALENDAR_NO_DAY)
		d->state = DEADLINE_PAUSED;
	else
		d->state = today > d->due ? DEADLINE_OVERDUE : DEADLINE_RUNNING;
	if (d->due == CALENDAR_NO_DAY)
		d->left = d->total - d->used;
	else if (r->unit == DEADLINE_UNIT_WORKING_DAYS)
		d->left = calendar_count_working_days(cal, until, d->due,
		    &unknown);
	else
		d->left = calendar_days_between(until, d->due);
	if (no_end)
		d->flags |= DEADLINE_FLAG_NO_END;
	if (unknown)
		d->flags |= DEADLINE_FLAG_CALENDAR_UNKNOWN;
	free(plan.pauses);
	return 0;
}

int
deadlines_compute(const struct calendar *cal,
    const struct deadline_rule *rules, size_t nrules,
    const struct deadline_event *events, size_t nevents,
    const struct deadline_facts *f, int32_t today,
    struct deadline out[DEADLINES_MAX], size_t *nout)
{
	const struct deadline_event **ev = NULL;
	const struct deadline_rule *r;
	bool restart_ok;
	size_t n = 0;
	int rc = -1;

	*nout = 0;
	if (f->received == CALENDAR_NO_DAY)
		return -1;
	if (nevents > 0 && (ev = calloc(nevents, sizeof(*ev))) == NULL)
		return -1;
	for (size_t i = 0; i < nevents; i++)
		ev[i] = &events[i];
	deadlines_sort_events(ev, nevents);
	restart_ok = deadlines_rule_in_force(rules, nrules,
	    DEADLINES_RULE_RESTART, f->received) != NULL;

	r = deadlines_rule_in_force(rules, nrules, DEADLINES_RULE_FILING,
	    f->received);
	if (r != NULL && r->unit != DEADLINE_UNIT_NONE &&
	    r->unit != DEADLINE_UNIT_YEARS) {
		if (deadlines_one(cal, r, f->received, f->decided, ev, nevents,
		    restart_ok, today, &out[n]) != 0)
			goto out;
		n++;
	}
	r = deadlines_rule_in_force(rules, nrules, DEADLINES_RULE_NOTICE,
	    f->received);
	if (r != NULL && f->real_name && r->unit != DEADLINE_UNIT_NONE &&
	    r->unit != DEADLINE_UNIT_YEARS) {
		if (deadlines_one(cal, r, f->decided, f->notified, ev, nevents,
		    restart_ok, today, &out[n]) != 0)
			goto out;
		n++;
	}
	r = deadlines_rule_in_force(rules, nrules, DEADLINES_RULE_CASE,
	    f->received);
	if (r != NULL && !(f->decided != CALENDAR_NO_DAY && !f->filed) &&
	    r->unit != DEADLINE_UNIT_NONE && r->unit != DEADLINE_UNIT_YEARS) {
		if (deadlines_one(cal, r, f->filed ? f->filed_on :
		    CALENDAR_NO_DAY, f->case_decided, ev, nevents, restart_ok,
		    today, &out[n]) != 0)
			goto out;
		n++;
	}
	*nout = n;
	rc = 0;
out:
	free(ev);
	return rc;
}

/* A YYYY-MM-DD string, or "" for none, as a day; false if malformed. */
static bool
deadlines_parse_opt_date(const char *s, int32_t *day)
{
	if (s[0] == '\0') {
		*day = CALENDAR_NO_DAY;
		return true;
	}
	return calendar_parse_date(s, day);
}

int
deadlines_load_rules(struct db *db, struct deadline_rule **out, size_t *n,
    char *err, size_t errlen)
{
	struct deadline_store_rule *rows = NULL;
	struct deadline_rule *rules = NULL;
	size_t count = 0;
	enum storage_status st;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if ((st = deadline_store_rules(db, &rows, &count)) != STORAGE_OK) {
		snprintf(err, errlen, "deadline rules: %s",
		    storage_status_str(st));
		return -1;
	}
	if (count > 0 && (rules = calloc(count, sizeof(*rules))) == NULL) {
		snprintf(err, errlen, "deadline rules: out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		struct deadline_rule *r = &rules[i];
		const struct deadline_store_rule *s = &rows[i];

		snprintf(r->rule_id, sizeof(r->rule_id), "%s", s->rule_id);
		snprintf(r->source, sizeof(r->source), "%s", s->source);
		if (!calendar_parse_date(s->applies_from, &r->applies_from) ||
		    !deadlines_parse_opt_date(s->applies_until,
		    &r->applies_until)) {
			snprintf(err, errlen, "deadline rule %s: bad dates",
			    s->rule_id);
			goto out;
		}
		r->unit = deadline_unit_from_name(s->unit);
		r->limit = s->limit > 0 ? s->limit : 0;
		r->extension = s->extension > 0 ? s->extension : 0;
		r->extension_unit = deadline_unit_from_name(s->extension_unit);
		if (r->limit == 0)
			r->unit = DEADLINE_UNIT_NONE;
	}
	*out = rules;
	*n = count;
	rules = NULL;
	rc = 0;
out:
	free(rules);
	free(rows);
	return rc;
}

static bool
deadlines_event_kind(const char *s, enum deadline_event_kind *k)
{
	if (strcmp(s, "pause") == 0)
		*k = DEADLINE_EVENT_PAUSE;
	else if (strcmp(s, "resume") == 0)
		*k = DEADLINE_EVENT_RESUME;
	else if (strcmp(s, "extend") == 0)
		*k = DEADLINE_EVENT_EXTEND;
	else if (strcmp(s, "restart") == 0)
		*k = DEADLINE_EVENT_RESTART;
	else
		return false;
	return true;
}

int
deadlines_load_tip(struct db *db, int64_t tip_id, struct deadline_facts *f,
    struct deadline_event **events, size_t *nevents, char *err,
    size_t errlen)
{
	struct deadline_store_tip t;
	struct deadline_store_event *rows = NULL;
	struct deadline_event *ev = NULL;
	size_t count = 0;
	enum storage_status st;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	*events = NULL;
	*nevents = 0;
	st = deadline_store_tip_facts(db, tip_id, &t);
	if (st == STORAGE_ERR_NOTFOUND)
		return 1;
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "tip %lld: %s", (long long)tip_id,
		    storage_status_str(st));
		return -1;
	}
	f->decided = f->notified = f->filed_on = f->case_decided =
	    CALENDAR_NO_DAY;
	if (!calendar_parse_date(t.received_on, &f->received) ||
	    !deadlines_parse_opt_date(t.filed_on, &f->filed_on) ||
	    !deadlines_parse_opt_date(t.decided_on, &f->case_decided) ||
	    !deadlines_parse_opt_date(t.notified_on, &f->notified)) {
		snprintf(err, errlen, "tip %lld: bad dates", (long long)tip_id);
		return -1;
	}
	f->real_name = t.real_name;
	if (f->filed_on != CALENDAR_NO_DAY) {
		f->decided = f->filed_on;
		f->filed = true;
	} else if (strcmp(t.case_status, "not_filed") == 0 &&
	    t.not_filed_on[0] != '\0') {
		if (!calendar_parse_date(t.not_filed_on, &f->decided)) {
			snprintf(err, errlen, "tip %lld: bad dates",
			    (long long)tip_id);
			return -1;
		}
	} else if (strcmp(t.case_status, "not_filed") == 0)
		f->decided = calendar_day_from_time((time_t)t.case_updated_at);
	else if (t.case_id == 0 && strcmp(t.tip_status, "not_filed") == 0)
		f->decided = calendar_day_from_time((time_t)t.tip_updated_at);

	if ((st = deadline_store_events(db, tip_id, t.case_id, &rows,
	    &count)) != STORAGE_OK) {
		snprintf(err, errlen, "tip %lld: deadline events: %s",
		    (long long)tip_id, storage_status_str(st));
		return -1;
	}
	if (count > 0 && (ev = calloc(count, sizeof(*ev))) == NULL) {
		snprintf(err, errlen, "deadline events: out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		snprintf(ev[i].rule_id, sizeof(ev[i].rule_id), "%s",
		    rows[i].rule_id);
		if (!deadlines_event_kind(rows[i].kind, &ev[i].kind) ||
		    !calendar_parse_date(rows[i].on_date, &ev[i].on)) {
			snprintf(err, errlen, "deadline event %lld: bad kind "
			    "or date", (long long)rows[i].id);
			goto out;
		}
		ev[i].approved = rows[i].has_user && rows[i].has_note;
	}
	*events = ev;
	*nevents = count;
	ev = NULL;
	rc = 0;
out:
	free(ev);
	free(rows);
	return rc;
}
