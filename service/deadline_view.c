/* SPDX-License-Identifier: MIT */
/*
 * Deadlines as staff see them (see deadline_view.h).  One calendar and one
 * rule table per request (a few hundred rows); each tip then costs three
 * small reads and a walk of at most a few hundred days per deadline.
 */
#include "service/deadline_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/calendar.h"
#include "service/deadlines.h"
#include "service/log.h"

struct deadline_view {
	struct calendar *cal;
	struct deadline_rule *rules;
	size_t nrules;
	int32_t today;
};

static const char *const dv_names[][2] = {
	{ DEADLINES_RULE_FILING, "是否立案决定 Decision whether to file" },
	{ DEADLINES_RULE_NOTICE, "告知实名举报人 Notice to the real-name "
	    "tipster" },
	{ DEADLINES_RULE_CASE, "案件处理决定 Decision of the case" },
};

static const char *
dv_name(const char *rule)
{
	for (size_t i = 0; i < sizeof(dv_names) / sizeof(dv_names[0]); i++)
		if (strcmp(rule, dv_names[i][0]) == 0)
			return dv_names[i][1];
	return rule;
}

/* See deadline_view.h. */
int
deadline_view_open(struct db *db, struct deadline_view **out, char *err,
    size_t errlen)
{
	struct deadline_view *v;

	*out = NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (calendar_load(db, &v->cal, err, errlen) != 0 ||
	    deadlines_load_rules(db, &v->rules, &v->nrules, err, errlen) !=
	    0) {
		deadline_view_close(&v);
		return -1;
	}
	v->today = calendar_day_from_time(time(NULL));
	*out = v;
	return 0;
}

/* See deadline_view.h. */
void
deadline_view_close(struct deadline_view **v)
{
	if (v == NULL || *v == NULL)
		return;
	calendar_free(&(*v)->cal);
	free((*v)->rules);
	free(*v);
	*v = NULL;
}

static json_t *
dv_date(int32_t day)
{
	char buf[CALENDAR_DATE_LEN + 1];

	if (day == CALENDAR_NO_DAY)
		return json_null();
	calendar_format_date(day, buf, sizeof(buf));
	return buf[0] != '\0' ? json_string(buf) : json_null();
}

static json_t *
dv_one(const struct deadline *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "rule", json_string(d->rule->rule_id));
	json_object_set_new(o, "name", json_string(dv_name(
	    d->rule->rule_id)));
	json_object_set_new(o, "source", json_string(d->rule->source));
	json_object_set_new(o, "state", json_string(deadline_state_name(
	    d->state)));
	json_object_set_new(o, "unit", json_string(d->rule->unit ==
	    DEADLINE_UNIT_WORKING_DAYS ? "working_days" : "days"));
	json_object_set_new(o, "limit", json_integer(d->total));
	json_object_set_new(o, "start", dv_date(d->start));
	json_object_set_new(o, "due", dv_date(d->due));
	json_object_set_new(o, "done", dv_date(d->done));
	json_object_set_new(o, "days_left", d->state == DEADLINE_WAITING ?
	    json_null() : json_integer(d->left));
	json_object_set_new(o, "extended", json_boolean(d->flags &
	    DEADLINE_FLAG_EXTENDED));
	json_object_set_new(o, "calendar_unknown", json_boolean(d->flags &
	    DEADLINE_FLAG_CALENDAR_UNKNOWN));
	return o;
}

/* See deadline_view.h. */
int
deadline_view_tip(struct deadline_view *v, struct db *db, int64_t tip_id,
    json_t **out, bool *overdue, bool *unknown)
{
	struct deadline d[DEADLINES_MAX];
	struct deadline_facts f;
	struct deadline_event *ev = NULL;
	size_t nev = 0, n = 0;
	char err[256];
	json_t *arr;
	int rc;

	*out = NULL;
	rc = deadlines_load_tip(db, tip_id, &f, &ev, &nev, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0)
			log_warnx("deadlines: %s", err);
		return rc;
	}
	if (deadlines_compute(v->cal, v->rules, v->nrules, ev, nev, &f,
	    v->today, d, &n) != 0) {
		free(ev);
		log_warnx("deadlines: tip %lld: cannot compute",
		    (long long)tip_id);
		return -1;
	}
	free(ev);
	if ((arr = json_array()) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(arr, dv_one(&d[i]));
		if (overdue != NULL && d[i].state == DEADLINE_OVERDUE)
			*overdue = true;
		if (unknown != NULL && (d[i].flags &
		    DEADLINE_FLAG_CALENDAR_UNKNOWN))
			*unknown = true;
	}
	*out = arr;
	return 0;
}

/* See deadline_view.h. */
int
deadline_view_add(struct db *db, int64_t tip_id, json_t *doc)
{
	struct deadline_view *v = NULL;
	char err[256];
	json_t *arr = NULL;
	bool unknown = false;

	if (deadline_view_open(db, &v, err, sizeof(err)) != 0) {
		log_warnx("deadlines: %s", err);
		return -1;
	}
	if (deadline_view_tip(v, db, tip_id, &arr, NULL, &unknown) != 0) {
		deadline_view_close(&v);
		return -1;
	}
	deadline_view_close(&v);
	json_object_set_new(doc, "deadlines", arr);
	json_object_set_new(doc, "calendar_warning", unknown ?
	    json_string(DEADLINE_VIEW_WARNING) : json_null());
	return 0;
}
