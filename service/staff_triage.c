/* SPDX-License-Identifier: MIT */
/*
 * Staff triage (see staff_triage.h).  Each action checks the role and
 * what a person sent (naming the field that is wrong), then hands the
 * change to storage/tip_triage.c, which runs it in one transaction with
 * its history row and its audit entry inside the caller's scope.  The
 * queue and detail fields are read through the same scoped module.
 */
#include "service/staff_triage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/calendar.h"
#include "service/deadlines.h"
#include "service/log.h"
#include "service/router.h"
#include "service/utf8.h"
#include "storage/tip_triage.h"

struct staff_queue {
	struct service_worker *w;
	const struct staff_user *u;
	struct calendar *cal;		/* NULL: no deadlines shown */
	struct deadline_rule *rules;
	size_t nrules;
	int32_t today;
};

static bool
st_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

static json_t *
st_str_or_null(const char *s)
{
	return st_empty(s) ? json_null() : json_string(s);
}

/* Set e and return STAFF_INVALID. */
static enum staff_status
st_refuse(struct staff_triage_error *e, const char *field, const char *msg)
{
	(void)snprintf(e->field, sizeof(e->field), "%s", field);
	(void)snprintf(e->msg, sizeof(e->msg), "%s: %s", field, msg);
	return STAFF_INVALID;
}

/*
 * Check a person's text: required or not, valid UTF-8, at most
 * STAFF_TRIAGE_TEXT_MAX characters.  0, or -1 with e set.
 */
static int
st_check_text(const char *s, bool required, const char *field,
    struct staff_triage_error *e)
{
	char msg[96];

	if (st_empty(s)) {
		if (!required)
			return 0;
		(void)st_refuse(e, field, "required");
		return -1;
	}
	if (!utf8_valid(s, strlen(s)) || utf8_chars(s) > STAFF_TRIAGE_TEXT_MAX) {
		(void)snprintf(msg, sizeof(msg), "UTF-8 text of at most %d "
		    "characters", STAFF_TRIAGE_TEXT_MAX);
		(void)st_refuse(e, field, msg);
		return -1;
	}
	return 0;
}

/*
 * The start of each action: clear *out and e, set the actor; whether u
 * may triage at all.
 */
static bool
st_start(const struct staff_user *u, json_t **out,
    struct staff_triage_error *e, struct tip_triage_actor *a)
{
	*out = NULL;
	memset(e, 0, sizeof(*e));
	a->user_id = u->id;
	a->login = u->login;
	a->now = (int64_t)time(NULL);
	return staff_user_has_role(u, STAFF_ROLES_TIPS) &&
	    scope_sees_tips(&u->scope);
}

/* What storage's refusals (tip_triage_why) tell the person. */
static const struct {
	enum tip_triage_why why;
	const char *field;
	const char *msg;
} st_whys[] = {
	{ TIP_TRIAGE_WHY_BUREAU, "bureau",
	    "not a bureau code of GET /api/v1/bureaus" },
	{ TIP_TRIAGE_WHY_STATE, "status", "the tip's status follows its case "
	    "now; triage statuses no longer apply" },
	{ TIP_TRIAGE_WHY_DUPLICATE, "duplicate_of", "no such tip" },
	{ TIP_TRIAGE_WHY_SELF, "duplicate_of",
	    "a tip is not a duplicate of itself" },
	{ TIP_TRIAGE_WHY_DOMAIN, "domain",
	    "not a key domain code of GET /api/v1/domains" },
	{ TIP_TRIAGE_WHY_VIOLATION, "violation",
	    "not a violation type code of GET /api/v1/violations" },
	{ TIP_TRIAGE_WHY_INSTITUTION, "institution",
	    "no institution of the registry has this id or credit code" },
	{ TIP_TRIAGE_WHY_INTO, "into", "no such tip" },
	{ TIP_TRIAGE_WHY_INTO_SELF, "into",
	    "a tip is not merged into itself" },
	{ TIP_TRIAGE_WHY_INTO_LATER, "into", "not the earlier tip: merge "
	    "the later tip into the earlier one" },
	{ TIP_TRIAGE_WHY_INTO_MERGED, "into", "that tip is merged into "
	    "another itself; merge into that one" },
	{ TIP_TRIAGE_WHY_INTO_INSTITUTION, "into", "not about the same "
	    "registry institution (classify both tips first)" },
	{ TIP_TRIAGE_WHY_INTO_BUREAU, "into", "in another bureau; route "
	    "the tip there first" },
	{ TIP_TRIAGE_WHY_MERGED, "into", "the tip is a duplicate of or "
	    "merged into another tip already" },
	{ TIP_TRIAGE_WHY_RULE, "new_facts", "repeat_tip_restart (order 121 "
	    "第三十五条第二款) is not in force for the earlier tip (received "
	    "before it applied): no merge with a restart; record a plain "
	    "repeat (new_facts false)" },
};

/*
 * The staff status of storage's answer st to change what of tip id: a
 * refusal names its field (e), a failure other than NOTFOUND is logged.
 */
static enum staff_status
st_outcome(const char *what, const char *id, enum storage_status st,
    enum tip_triage_why why, struct staff_triage_error *e)
{
	if (st == STORAGE_ERR_INVALID)
		for (size_t i = 0; i < sizeof(st_whys) / sizeof(st_whys[0]);
		    i++)
			if (st_whys[i].why == why)
				return st_refuse(e, st_whys[i].field,
				    st_whys[i].msg);
	if (st != STORAGE_OK && st != STORAGE_ERR_NOTFOUND)
		log_warnx("tip=%s: %s: %s", id != NULL ? id : "-", what,
		    storage_status_str(st));
	return staff_status_from_storage(st);
}

/* See staff_triage.h. */
enum staff_status
staff_triage_route(struct service_worker *w, const struct staff_user *u,
    const char *id, const struct staff_triage_request *rq, json_t **out,
    struct staff_triage_error *e)
{
	struct tip_triage_actor a;
	char old[TIP_TRIAGE_CODE_MAX], rr[TIP_TRIAGE_REASON_MAX];
	enum tip_triage_why why;
	enum storage_status st;

	if (!st_start(u, out, e, &a))
		return STAFF_FORBIDDEN;
	if (st_empty(rq->bureau) || strlen(rq->bureau) >= TIP_TRIAGE_CODE_MAX)
		return st_refuse(e, "bureau", "a bureau code of GET "
		    "/api/v1/bureaus is required");
	if (st_check_text(rq->reason, true, "reason", e) != 0)
		return STAFF_INVALID;
	st = tip_triage_route(w->db, &u->scope, &a, id, rq->bureau,
	    rq->reason, old, rr, &why);
	if (st != STORAGE_OK)
		return st_outcome("route", id, st, why, e);
	*out = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "bureau",
	    rq->bureau, "previous_bureau", old, "route_reason", rr);
	return *out != NULL ? STAFF_OK : STAFF_TRANSIENT;
}

/* See staff_triage.h. */
enum staff_status
staff_triage_status(struct service_worker *w, const struct staff_user *u,
    const char *id, const struct staff_triage_request *rq, json_t **out,
    struct staff_triage_error *e)
{
	struct tip_triage_actor a;
	const char *status = rq->status, *dup = NULL;
	enum tip_triage_why why;
	enum storage_status st;
	char old[TIP_TRIAGE_STATUS_MAX] = "";

	if (!st_start(u, out, e, &a))
		return STAFF_FORBIDDEN;
	if (st_empty(status))
		return st_refuse(e, "status", "required: triaged, invalid, "
		    "transferred or duplicate");
	if (strcmp(status, "verifying") == 0 || strcmp(status, "filed") == 0 ||
	    strcmp(status, "not_filed") == 0 || strcmp(status, "closed") == 0)
		return st_refuse(e, "status", "this status follows the case "
		    "the tip is linked to; set it on the case");
	if (strcmp(status, "duplicate") == 0 ||
	    (strcmp(status, "invalid") == 0 && !st_empty(rq->duplicate_of))) {
		if (st_empty(rq->duplicate_of) ||
		    strlen(rq->duplicate_of) >= TIP_TRIAGE_ID_MAX)
			return st_refuse(e, "duplicate_of", "the id of the tip "
			    "this one repeats is required");
		dup = rq->duplicate_of;
		status = "invalid";
	} else if (strcmp(status, "triaged") != 0 &&
	    strcmp(status, "invalid") != 0 &&
	    strcmp(status, "transferred") != 0)
		return st_refuse(e, "status", "one of triaged, invalid, "
		    "transferred, duplicate");
	else if (!st_empty(rq->duplicate_of))
		return st_refuse(e, "duplicate_of", "only with status "
		    "duplicate or invalid");
	if (st_check_text(rq->note, strcmp(status, "triaged") != 0, "note",
	    e) != 0)
		return STAFF_INVALID;
	st = tip_triage_status(w->db, &u->scope, &a, id, status,
	    st_empty(rq->note) ? NULL : rq->note, dup, old, &why);
	if (st != STORAGE_OK)
		return st_outcome("status", id, st, why, e);
	*out = json_pack("{s:s, s:s, s:s, s:o}", "id", id, "status", status,
	    "previous_status", old, "duplicate_of", st_str_or_null(dup));
	return *out != NULL ? STAFF_OK : STAFF_TRANSIENT;
}

/* The router's priority steps (service/router.h), for classify. */
static const struct tip_triage_weights st_weights = {
	.epidemic = ROUTER_PRIORITY_EPIDEMIC,
	.false_report = ROUTER_PRIORITY_FALSE,
	.harm = ROUTER_PRIORITY_HARM,
};

/* See staff_triage.h. */
enum staff_status
staff_triage_classify(struct service_worker *w, const struct staff_user *u,
    const char *id, const struct staff_triage_request *rq, json_t **out,
    struct staff_triage_error *e)
{
	struct tip_triage_actor a;
	const char *dom = st_empty(rq->domain) ? NULL : rq->domain;
	const char *vio = st_empty(rq->violation) ? NULL : rq->violation;
	const char *inst = st_empty(rq->institution) ? NULL : rq->institution;
	struct tip_triage_classified c;
	enum tip_triage_why why;
	enum storage_status st;

	if (!st_start(u, out, e, &a))
		return STAFF_FORBIDDEN;
	if (dom == NULL && vio == NULL && inst == NULL)
		return st_refuse(e, "domain", "give at least one of domain, "
		    "violation, institution");
	if (dom != NULL && strlen(dom) >= TIP_TRIAGE_CODE_MAX)
		return st_refuse(e, "domain", "not a key domain code");
	if (vio != NULL && strlen(vio) >= TIP_TRIAGE_CODE_MAX)
		return st_refuse(e, "violation", "not a violation type code");
	if (inst != NULL && strlen(inst) >= TIP_TRIAGE_CODE_MAX)
		return st_refuse(e, "institution", "a registry id or unified "
		    "social credit code");
	st = tip_triage_classify(w->db, &u->scope, &a, id, dom, vio, inst,
	    &st_weights, &c, &why);
	if (st != STORAGE_OK)
		return st_outcome("classify", id, st, why, e);
	*out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:i}", "id", id, "domain",
	    st_str_or_null(dom), "violation", st_str_or_null(vio),
	    "institution", st_str_or_null(inst), "campaign",
	    st_str_or_null(c.campaign), "priority", c.priority);
	return *out != NULL ? STAFF_OK : STAFF_TRANSIENT;
}

/* See staff_triage.h. */
enum staff_status
staff_triage_merge(struct service_worker *w, const struct staff_user *u,
    const char *id, const struct staff_triage_request *rq, json_t **out,
    struct staff_triage_error *e)
{
	struct tip_triage_actor a;
	struct tip_triage_merged m;
	enum tip_triage_why why;
	enum storage_status st;

	if (!st_start(u, out, e, &a))
		return STAFF_FORBIDDEN;
	if (st_empty(rq->into) || strlen(rq->into) >= TIP_TRIAGE_ID_MAX)
		return st_refuse(e, "into", "the id of the earlier tip is "
		    "required");
	if (rq->new_facts < 0)
		return st_refuse(e, "new_facts", "required: true (the tip adds "
		    "new facts: merge and restart) or false (a plain repeat)");
	if (st_check_text(rq->note, false, "note", e) != 0)
		return STAFF_INVALID;
	st = tip_triage_merge(w->db, &u->scope, &a, id, rq->into,
	    rq->new_facts == 1, st_empty(rq->note) ? NULL : rq->note, &m,
	    &why);
	if (st != STORAGE_OK)
		return st_outcome("merge", id, st, why, e);
	log_info("tip=%s merged into=%s new_facts=%d", id, rq->into,
	    rq->new_facts);
	*out = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:o}", "id", id,
	    "into", rq->into, "new_facts", rq->new_facts == 1, "status",
	    m.status, "previous_status", m.previous_status, "duplicate_of",
	    rq->into, "restart_on", st_str_or_null(m.restart_on));
	return *out != NULL ? STAFF_OK : STAFF_TRANSIENT;
}

/* ---- the queue --------------------------------------------------------- */

/* See staff_triage.h. */
struct staff_queue *
staff_queue_begin(struct service_worker *w, const struct staff_user *u)
{
	struct staff_queue *q = calloc(1, sizeof(*q));
	char err[256];

	if (q == NULL)
		return NULL;
	q->w = w;
	q->u = u;
	q->today = calendar_day_from_time(time(NULL));
	if (calendar_load(w->db, &q->cal, err, sizeof(err)) != 0 ||
	    deadlines_load_rules(w->db, &q->rules, &q->nrules, err,
	    sizeof(err)) != 0) {
		/* The queue still lists the tips, without deadlines. */
		log_warnx("queue: no deadlines: %s", err);
		calendar_free(&q->cal);
		free(q->rules);
		q->rules = NULL;
		q->nrules = 0;
	}
	return q;
}

/* The filing decision's deadline of tip row tip_id, or JSON null. */
static json_t *
st_filing_deadline(struct staff_queue *q, int64_t tip_id)
{
	struct deadline_facts f;
	struct deadline_event *ev = NULL;
	struct deadline d[DEADLINES_MAX];
	size_t nev = 0, nd = 0;
	char err[256], due[CALENDAR_DATE_LEN + 1];
	json_t *o = json_null();

	if (q->cal == NULL)
		return o;
	if (deadlines_load_tip(q->w->db, tip_id, &f, &ev, &nev, err,
	    sizeof(err)) != 0) {
		free(ev);
		return o;
	}
	if (deadlines_compute(q->cal, q->rules, q->nrules, ev, nev, &f,
	    q->today, d, &nd) == 0) {
		for (size_t i = 0; i < nd; i++) {
			if (strcmp(d[i].rule->rule_id,
			    DEADLINES_RULE_FILING) != 0)
				continue;
			calendar_format_date(d[i].due, due, sizeof(due));
			o = json_pack("{s:s, s:o, s:s, s:I}", "rule",
			    d[i].rule->rule_id, "due", st_str_or_null(due),
			    "state", deadline_state_name(d[i].state), "left",
			    (json_int_t)d[i].left);
			break;
		}
	}
	free(ev);
	return o != NULL ? o : json_null();
}

/* See staff_triage.h. */
int
staff_queue_annotate(struct staff_queue *q, const struct tip_query_tip *t,
    json_t *o)
{
	enum storage_status st;
	long n = 0;

	if (q == NULL)
		return 0;
	st = tip_triage_related_count(q->w->db, &q->u->scope, t->id, &n);
	if (st != STORAGE_OK) {
		log_warnx("tip=%s: related: %s", t->public_id,
		    storage_status_str(st));
		return -1;
	}
	json_object_set_new(o, "route_reason", st_str_or_null(
	    t->route_reason));
	json_object_set_new(o, "violation", st_str_or_null(t->violation));
	json_object_set_new(o, "needs_review", json_boolean(t->needs_review));
	json_object_set_new(o, "deadline", st_filing_deadline(q, t->id));
	json_object_set_new(o, "related_count", json_integer(n));
	return 0;
}

/* See staff_triage.h. */
void
staff_queue_end(struct staff_queue *q)
{
	if (q == NULL)
		return;
	calendar_free(&q->cal);
	free(q->rules);
	free(q);
}

/* ---- the detail -------------------------------------------------------- */

static int
st_add_related(void *arg, const struct tip_triage_related *r)
{
	static const struct {
		unsigned bit;
		const char *name;
	} reasons[] = {
		{ TIP_TRIAGE_REL_REPORT, "report_number" },
		{ TIP_TRIAGE_REL_ATTACHMENT, "attachment" },
		{ TIP_TRIAGE_REL_INSTITUTION, "institution" },
		{ TIP_TRIAGE_REL_DUPLICATE, "duplicate" },
		{ TIP_TRIAGE_REL_TIPSTER, "same_tipster" },
	};
	char why[96] = "";
	size_t n = 0;

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if ((r->reasons & reasons[i].bit) != 0)
			n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s",
			    n > 0 ? "," : "", reasons[i].name);
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s, s:s}", "id",
	    r->public_id, "reason", why, "status", r->status, "bureau",
	    r->bureau));
	return 0;
}

static int
st_add_case(void *arg, const struct tip_triage_case *c)
{
	json_array_append_new(arg, json_pack("{s:s, s:s, s:s}", "id",
	    c->public_id, "status", c->status, "bureau", c->bureau));
	return 0;
}

static int
st_add_event(void *arg, const struct tip_triage_event *ev)
{
	char at[STAFF_TIME_MAX];

	staff_time_format(ev->at, at);
	json_array_append_new(arg, json_pack("{s:s, s:o, s:s, s:o}", "at", at,
	    "user", st_str_or_null(ev->login), "kind", ev->kind, "detail",
	    st_str_or_null(ev->detail)));
	return 0;
}

/* See staff_triage.h. */
int
staff_triage_detail(struct service_worker *w, const struct staff_user *u,
    const struct tip_query_tip *t, json_t *doc)
{
	struct tip_triage_facts f;
	enum storage_status st;
	json_t *rel = json_array(), *cases = json_array();
	json_t *events = json_array(), *reg;

	if (rel == NULL || cases == NULL || events == NULL)
		goto fail;
	st = tip_triage_facts(w->db, &u->scope, t->public_id, &f);
	if (st == STORAGE_OK)
		st = tip_triage_related(w->db, &u->scope, t->id,
		    st_add_related, rel);
	if (st == STORAGE_OK)
		st = tip_triage_open_cases(w->db, &u->scope, t->id,
		    st_add_case, cases);
	if (st == STORAGE_OK)
		st = tip_triage_events(w->db, &u->scope, t->id, st_add_event,
		    events);
	if (st != STORAGE_OK) {
		log_warnx("tip=%s: triage detail: %s", t->public_id,
		    storage_status_str(st));
		goto fail;
	}
	if (f.institution_id > 0) {
		json_object_set_new(doc, "institution_id",
		    json_integer(f.institution_id));
		reg = json_pack("{s:I, s:s, s:o}", "id",
		    (json_int_t)f.institution_id, "name", f.institution_name,
		    "credit_code", st_str_or_null(f.credit_code));
	} else {
		json_object_set_new(doc, "institution_id", json_null());
		reg = json_null();
	}
	json_object_set_new(doc, "registry_institution", reg);
	json_object_set_new(doc, "duplicate_of", st_str_or_null(
	    f.duplicate_of));
	json_object_set_new(doc, "related", rel);
	json_object_set_new(doc, "suggested_case", json_array_size(cases) > 0 ?
	    json_incref(json_array_get(cases, 0)) : json_null());
	json_object_set_new(doc, "open_cases", cases);
	json_object_set_new(doc, "events", events);
	return 0;
fail:
	json_decref(rel);
	json_decref(cases);
	json_decref(events);
	return -1;
}
