/* SPDX-License-Identifier: MIT */
/*
 * Staff work on inspection cases (see cases.h): the role check, the
 * parsing of what a person sent (each refusal names its field), the
 * scoped storage call that changes the case with its events and audit
 * entry in one transaction (storage/case_store.h), and the JSON
 * documents.  Deadlines come from service/deadline_view.h, messages go
 * through staff_tips_message(), the one path of a bureau message.
 */
#include "service/cases.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "service/calendar.h"
#include "service/deadline_view.h"
#include "service/log.h"
#include "service/staff_tips.h"
#include "service/utf8.h"
#include "storage/audit.h"
#include "storage/case_store.h"

#define CASES_NAMES_MAX 20		/* joint departments of one case */
#define CASES_NAME_MAX 100		/* characters of one name */
#define CASES_FEN_MAX 100000000000000LL	/* a trillion yuan */

/* See cases.h: the statuses are those that drive a tip's status. */
bool
cases_valid_status(const char *s)
{
	return case_store_tip_status(s) != NULL;
}

static bool
cs_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* Today's local date. */
static void
cs_today(char out[11])
{
	calendar_format_date(calendar_day_from_time(time(NULL)), out, 11);
}

/* The caller as the storage layer wants it. */
static void
cs_actor(const struct staff_user *u, struct case_store_actor *a,
    char today[11])
{
	cs_today(today);
	a->user_id = u->id;
	a->login = u->login;
	a->now = (int64_t)time(NULL);
	a->today = today;
}

static bool
cs_may(const struct staff_user *u)
{
	return staff_user_has_role(u, STAFF_ROLES_TIPS) &&
	    scope_sees_tips(&u->scope);
}

/* A storage refusal as a staff status (EXISTS: a conflict). */
static enum staff_status
cs_status(enum storage_status st, const char *what, const char *id)
{
	if (st == STORAGE_ERR_EXISTS)
		return STAFF_CONFLICT;
	if (st != STORAGE_OK && st != STORAGE_ERR_NOTFOUND &&
	    st != STORAGE_ERR_INVALID)
		log_warnx("case %s: %s: %s", id != NULL ? id : "-", what,
		    storage_status_str(st));
	return staff_status_from_storage(st);
}

/* What the id of an operation names. */
enum cs_object {
	CS_NONE,		/* nothing (or read by the operation itself) */
	CS_CASE,
	CS_TIP,
};

/*
 * The start of every operation on object id: clear the answer, check the
 * role, and make an id that cannot be one, or that names a case or tip
 * outside the caller's scope, NOT_FOUND before anything sent is looked at
 * (another bureau's object is 404 whatever the body holds).  The case
 * goes to *c when c is not NULL; msg may be NULL.
 */
static enum staff_status
cs_start(struct service_worker *w, const struct staff_user *u,
    const char *id, enum cs_object what, struct case_store_case *c,
    json_t **out, char *msg)
{
	struct case_store_case cbuf;
	struct case_store_tip t;
	enum storage_status st = STORAGE_OK;

	*out = NULL;
	if (msg != NULL)
		msg[0] = '\0';
	if (!cs_may(u))
		return STAFF_FORBIDDEN;
	if (id != NULL && !staff_valid_code(id, CASE_STORE_ID_MAX))
		return STAFF_NOT_FOUND;
	if (what == CS_CASE)
		st = case_store_get(w->db, &u->scope, id, c != NULL ? c :
		    &cbuf);
	else if (what == CS_TIP)
		st = case_store_tip_get(w->db, &u->scope, id, &t);
	return st == STORAGE_OK ? STAFF_OK : cs_status(st, "read", id);
}

/* ---- reading a body ---------------------------------------------------- */

/*
 * String member name of body: *out NULL when absent or null.  -1 (msg
 * set) when it is something else, not UTF-8, or longer than max
 * characters.
 */
static int
cs_str(json_t *body, const char *name, size_t max, const char **out,
    char *msg, size_t msglen)
{
	json_t *v = json_object_get(body, name);
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || strlen(s = json_string_value(v)) !=
	    json_string_length(v) || !utf8_valid(s, strlen(s))) {
		(void)snprintf(msg, msglen, "%s: must be text", name);
		return -1;
	}
	if (utf8_chars(s) > max) {
		(void)snprintf(msg, msglen, "%s: at most %zu characters", name,
		    max);
		return -1;
	}
	*out = s;
	return 0;
}

/* A code member (campaign, domain, bureau, ids): like cs_str, code-shaped. */
static int
cs_code(json_t *body, const char *name, const char **out, char *msg,
    size_t msglen)
{
	if (cs_str(body, name, CASE_STORE_CODE_MAX, out, msg, msglen) != 0)
		return -1;
	if (*out != NULL && (*out)[0] == '\0')
		*out = NULL;
	if (*out != NULL && !staff_valid_code(*out, CASE_STORE_CODE_MAX)) {
		(void)snprintf(msg, msglen, "%s: not a code", name);
		return -1;
	}
	return 0;
}

/* A whole decimal string in [0, max] (staff_parse_int()); -1 if not. */
static int
cs_parse_int(const char *s, long long max, long long *out)
{
	int64_t v;

	if (staff_parse_int(s, 0, max, &v) != 0)
		return -1;
	*out = v;
	return 0;
}

/*
 * An integer member in [0, max]: a JSON integer or a decimal string.
 * *out -1 when absent, null or "".  -1 (msg set) when malformed.
 */
static int
cs_int(json_t *body, const char *name, long long max, long long *out,
    char *msg, size_t msglen)
{
	json_t *v = json_object_get(body, name);
	long long n = -1;

	*out = -1;
	if (v == NULL || json_is_null(v) || (json_is_string(v) &&
	    json_string_value(v)[0] == '\0'))
		return 0;
	if (json_is_true(v) || json_is_false(v))
		n = json_is_true(v);
	else if (json_is_integer(v))
		n = json_integer_value(v);
	else if (!json_is_string(v) || cs_parse_int(json_string_value(v), max,
	    &n) != 0)
		n = -1;
	if (n < 0 || n > max) {
		(void)snprintf(msg, msglen, "%s: a whole number from 0 to %lld",
		    name, max);
		return -1;
	}
	*out = n;
	return 0;
}

/* A flag member: true/false, 0/1, "0"/"1"; *out -1 when absent. */
static int
cs_flag(json_t *body, const char *name, int *out, char *msg, size_t msglen)
{
	long long n;

	if (cs_int(body, name, 1, &n, msg, msglen) != 0) {
		(void)snprintf(msg, msglen, "%s: true or false (1 or 0)", name);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* Yuan "1234.56" (at most two decimals) as fen; -1 if malformed. */
static int
cs_parse_yuan(const char *s, long long *fen)
{
	char whole[24];
	const char *dot = strchr(s, '.');
	size_t wl = dot != NULL ? (size_t)(dot - s) : strlen(s);
	long long y, c = 0;

	if (wl == 0 || wl >= sizeof(whole))
		return -1;
	memcpy(whole, s, wl);
	whole[wl] = '\0';
	if (cs_parse_int(whole, CASES_FEN_MAX / 100, &y) != 0)
		return -1;
	if (dot != NULL) {
		size_t dl = strlen(dot + 1);

		if (dl == 0 || dl > 2 || strspn(dot + 1, "0123456789") != dl)
			return -1;
		c = (dot[1] - '0') * 10 + (dl == 2 ? dot[2] - '0' : 0);
	}
	*fen = y * 100 + c;
	return 0;
}

/* Money: fen_name (integer fen) or yuan_name ("1234.56"). */
static int
cs_money(json_t *body, const char *fen_name, const char *yuan_name,
    int64_t *out, char *msg, size_t msglen)
{
	const char *s;
	long long n;

	if (cs_int(body, fen_name, CASES_FEN_MAX, &n, msg, msglen) != 0)
		return -1;
	if (n < 0) {
		if (cs_str(body, yuan_name, 24, &s, msg, msglen) != 0)
			return -1;
		if (!cs_empty(s) && cs_parse_yuan(s, &n) != 0) {
			(void)snprintf(msg, msglen, "%s: yuan, at most two "
			    "decimals (1234.56)", yuan_name);
			return -1;
		}
	}
	*out = n;
	return 0;
}

/*
 * A date member: YYYY-MM-DD, not after today.  *out "" when absent
 * (today when dflt_today).  -1 (msg set) when malformed or in the future.
 */
static int
cs_date(json_t *body, const char *name, bool dflt_today, char out[11],
    char *msg, size_t msglen)
{
	const char *s;
	int32_t day;

	out[0] = '\0';
	if (cs_str(body, name, 10, &s, msg, msglen) != 0)
		return -1;
	if (cs_empty(s)) {
		if (dflt_today)
			cs_today(out);
		return 0;
	}
	if (!calendar_parse_date(s, &day)) {
		(void)snprintf(msg, msglen, "%s: a date YYYY-MM-DD", name);
		return -1;
	}
	if (day > calendar_day_from_time(time(NULL))) {
		(void)snprintf(msg, msglen, "%s: in the future", name);
		return -1;
	}
	(void)snprintf(out, 11, "%s", s);
	return 0;
}

/* Whether a separator of joint department names starts at s. */
static size_t
cs_sep(const char *s)
{
	static const char *const seps[] = { "\xe3\x80\x81", "\xef\xbc\x8c",
	    "\xef\xbc\x9b", ",", ";", "\n", "\r" };

	for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++)
		if (strncmp(s, seps[i], strlen(seps[i])) == 0)
			return strlen(seps[i]);
	return 0;
}

/* Add the names in text (split at separators, trimmed) to out. */
static int
cs_names_add(const char *text, char *out, size_t outlen, size_t *count,
    bool split, const char *field, char *msg, size_t msglen)
{
	const char *p = text;

	while (*p != '\0') {
		const char *start, *end;
		size_t sep;

		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (*p != '\0' && (sep = cs_sep(p)) == 0)
			p++;
		if (*p != '\0' && !split) {
			(void)snprintf(msg, msglen, "%s: a name may not hold "
			    "、 , ; or a line break", field);
			return -1;
		}
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > start) {
			size_t used = strlen(out), n = (size_t)(end - start);

			if (++*count > CASES_NAMES_MAX || used + n + 4 >=
			    outlen) {
				(void)snprintf(msg, msglen, "%s: at most %d "
				    "names", field, CASES_NAMES_MAX);
				return -1;
			}
			(void)snprintf(out + used, outlen - used, "%s%.*s",
			    used > 0 ? "\xe3\x80\x81" : "", (int)n, start);
		}
		if (*p != '\0')
			p += cs_sep(p);
	}
	return 0;
}

/*
 * joint_departments: a list of names or one string of names; *set false
 * when absent.  out gets the names joined by 、.
 */
static int
cs_joint(json_t *body, char *out, size_t outlen, bool *set, char *msg,
    size_t msglen)
{
	static const char field[] = "joint_departments";
	json_t *v = json_object_get(body, field), *e;
	size_t i, count = 0;
	const char *s;

	out[0] = '\0';
	*set = false;
	if (v == NULL || json_is_null(v))
		return 0;
	*set = true;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) || strlen(json_string_value(e)) !=
			    json_string_length(e) || !utf8_valid(
			    json_string_value(e), json_string_length(e)) ||
			    utf8_chars(json_string_value(e)) > CASES_NAME_MAX) {
				(void)snprintf(msg, msglen, "%s: names of at "
				    "most %d characters", field,
				    CASES_NAME_MAX);
				return -1;
			}
			if (cs_names_add(json_string_value(e), out, outlen,
			    &count, false, field, msg, msglen) != 0)
				return -1;
		}
		return 0;
	}
	if (cs_str(body, field, CASE_STORE_TEXT_MAX / 4, &s, msg, msglen) != 0)
		return -1;
	return cs_names_add(s, out, outlen, &count, true, field, msg, msglen);
}

/* ---- documents --------------------------------------------------------- */

/* See cases.h. */
void
cases_format_yuan(long long fen, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%lld.%02lld", fen / 100, fen % 100);
}

/* See cases.h. */
void
cases_format_wan(long long fen, char *buf, size_t len)
{
	long long centiwan = fen / 10000 + (fen % 10000 >= 5000);

	(void)snprintf(buf, len, "%lld.%02lld", centiwan / 100,
	    centiwan % 100);
}

static json_t *
cs_opt(const char *s)
{
	return cs_empty(s) ? json_null() : json_string(s);
}

/* The names joined by 、 as a JSON list. */
static json_t *
cs_joint_list(const char *text)
{
	json_t *a = json_array();
	const char *p = text;

	while (*p != '\0') {
		const char *q = strstr(p, "\xe3\x80\x81");
		size_t n = q != NULL ? (size_t)(q - p) : strlen(p);

		if (n > 0)
			json_array_append_new(a, json_stringn(p, n));
		p += n;
		if (q != NULL)
			p += 3;
	}
	return a;
}

static json_t *
cs_money_doc(json_t *o, const char *name, long long fen)
{
	char key[48], buf[40];

	(void)snprintf(key, sizeof(key), "%s_fen", name);
	json_object_set_new(o, key, json_integer(fen));
	cases_format_yuan(fen, buf, sizeof(buf));
	(void)snprintf(key, sizeof(key), "%s_yuan", name);
	json_object_set_new(o, key, json_string(buf));
	cases_format_wan(fen, buf, sizeof(buf));
	(void)snprintf(key, sizeof(key), "%s_wan", name);
	json_object_set_new(o, key, json_string(buf));
	return o;
}

/* The fields of a case (list and detail). */
static json_t *
cs_case_doc(const struct case_store_case *c)
{
	json_t *o = json_object(), *inst, *f, *out;
	char at[STAFF_TIME_MAX];

	json_object_set_new(o, "id", json_string(c->public_id));
	json_object_set_new(o, "status", json_string(c->status));
	json_object_set_new(o, "bureau", json_string(c->bureau));
	json_object_set_new(o, "campaign", cs_opt(c->campaign));
	json_object_set_new(o, "domain", cs_opt(c->domain));
	inst = json_object();
	json_object_set_new(inst, "id", json_integer(c->institution_id));
	json_object_set_new(inst, "name", json_string(c->institution));
	json_object_set_new(o, "institution", inst);
	json_object_set_new(o, "joint_departments",
	    cs_joint_list(c->joint_departments));
	json_object_set_new(o, "not_filed_reason", cs_opt(c->not_filed_reason));
	json_object_set_new(o, "filed_on", cs_opt(c->filed_on));
	json_object_set_new(o, "not_filed_on", cs_opt(c->not_filed_on));
	json_object_set_new(o, "decided_on", cs_opt(c->decided_on));
	json_object_set_new(o, "closed_on", cs_opt(c->closed_on));
	f = json_object();
	json_object_set_new(f, "violation_found",
	    json_boolean(c->violation_found));
	json_object_set_new(f, "false_report", json_integer(c->false_report));
	json_object_set_new(f, "false_report_kind",
	    cs_opt(c->false_report_kind));
	json_object_set_new(o, "findings", f);
	out = json_object();
	json_object_set_new(out, "rectify_ordered",
	    json_boolean(c->rectify_ordered));
	json_object_set_new(out, "qualification_revoked",
	    json_boolean(c->qualification_revoked));
	cs_money_doc(out, "fines", c->fines_fen);
	cs_money_doc(out, "confiscated", c->confiscated_fen);
	json_object_set_new(out, "referred_police",
	    json_boolean(c->referred_police));
	json_object_set_new(out, "seriously_dishonest",
	    json_boolean(c->seriously_dishonest));
	json_object_set_new(out, "credit_published_on",
	    cs_opt(c->credit_published_on));
	json_object_set_new(o, "outcome", out);
	json_object_set_new(o, "tip_count", json_integer(c->ntips));
	staff_time_format(c->created_at, at);
	json_object_set_new(o, "created_at", json_string(at));
	staff_time_format(c->updated_at, at);
	json_object_set_new(o, "updated_at", json_string(at));
	return o;
}

/* Collects the tips of a case with their deadlines. */
struct cs_tips_ctx {
	struct case_store_tip *tips;
	size_t n;
	bool nomem;
};

static int
cs_collect_tip(void *arg, const struct case_store_tip *t)
{
	struct cs_tips_ctx *c = arg;
	void *p = realloc(c->tips, (c->n + 1) * sizeof(*c->tips));

	if (p == NULL) {
		c->nomem = true;
		return 1;
	}
	c->tips = p;
	c->tips[c->n++] = *t;
	return 0;
}

/* The tips of case c (in scope) with their deadlines into doc. */
static enum storage_status
cs_add_tips(struct service_worker *w, const struct staff_user *u,
    struct deadline_view *dv, const struct case_store_case *c, json_t *doc,
    bool *overdue, bool *unknown)
{
	struct cs_tips_ctx ctx = { NULL, 0, false };
	enum storage_status st;
	json_t *arr = json_array();

	st = case_store_tips(w->db, &u->scope, c->id, cs_collect_tip, &ctx);
	if (st == STORAGE_OK && ctx.nomem)
		st = STORAGE_ERR_NOMEM;
	for (size_t i = 0; st == STORAGE_OK && i < ctx.n; i++) {
		const struct case_store_tip *t = &ctx.tips[i];
		json_t *o = json_object(), *dl = NULL;

		json_object_set_new(o, "id", json_string(t->public_id));
		json_object_set_new(o, "status", json_string(t->status));
		json_object_set_new(o, "received_on",
		    json_string(t->received_on));
		json_object_set_new(o, "real_name", json_boolean(t->real_name));
		json_object_set_new(o, "notified_on", cs_opt(t->notified_on));
		if (dv != NULL && deadline_view_tip(dv, w->db, t->id, &dl,
		    overdue, unknown) == 0)
			json_object_set_new(o, "deadlines", dl);
		else
			json_object_set_new(o, "deadlines", json_array());
		json_array_append_new(arr, o);
	}
	free(ctx.tips);
	if (doc != NULL)
		json_object_set_new(doc, "tips", arr);
	else
		json_decref(arr);
	return st;
}

static int
cs_add_event(void *arg, const struct case_store_event *e)
{
	json_t *arr = arg;
	char at[STAFF_TIME_MAX];

	staff_time_format(e->at, at);
	json_array_append_new(arr, json_pack("{s:s, s:o, s:s, s:s}", "at", at,
	    "user", cs_opt(e->user), "kind", e->kind, "detail", e->detail));
	return 0;
}

/* The whole detail document of case id in u's scope. */
static enum staff_status
cs_detail_doc(struct service_worker *w, const struct staff_user *u,
    const char *id, json_t **out)
{
	struct case_store_case c;
	struct deadline_view *dv = NULL;
	enum storage_status st;
	char err[256];
	json_t *doc, *events;
	bool overdue = false, unknown = false;

	*out = NULL;
	if ((st = case_store_get(w->db, &u->scope, id, &c)) != STORAGE_OK)
		return cs_status(st, "read", id);
	if (deadline_view_open(w->db, &dv, err, sizeof(err)) != 0)
		log_warnx("case %s: deadlines: %s", id, err);
	doc = cs_case_doc(&c);
	st = cs_add_tips(w, u, dv, &c, doc, &overdue, &unknown);
	deadline_view_close(&dv);
	events = json_array();
	if (st == STORAGE_OK)
		st = case_store_events(w->db, &u->scope, c.id, cs_add_event,
		    events);
	json_object_set_new(doc, "events", events);
	if (st != STORAGE_OK) {
		json_decref(doc);
		return cs_status(st, "read", id);
	}
	json_object_set_new(doc, "overdue", json_boolean(overdue));
	json_object_set_new(doc, "calendar_warning", unknown ?
	    json_string(DEADLINE_VIEW_WARNING) : json_null());
	*out = doc;
	return STAFF_OK;
}

/* ---- the operations ---------------------------------------------------- */

/* See cases.h. */
enum staff_status
cases_create(struct service_worker *w, const struct staff_user *u,
    json_t *body, json_t **out, char *msg, size_t msglen)
{
	struct case_store_actor a;
	struct case_store_new n;
	enum storage_status st;
	char today[11], id[CASE_STORE_ID_MAX], joint[CASES_JOINT_MAX];
	enum staff_status rc;
	long long inst;
	bool joint_set;

	if ((rc = cs_start(w, u, NULL, CS_NONE, NULL, out, msg)) != STAFF_OK)
		return rc;
	memset(&n, 0, sizeof(n));
	if (cs_code(body, "from_tip", &n.from_tip, msg, msglen) != 0 ||
	    cs_int(body, "institution", INT64_MAX, &inst, msg, msglen) != 0 ||
	    cs_code(body, "campaign", &n.campaign, msg, msglen) != 0 ||
	    cs_code(body, "domain", &n.domain, msg, msglen) != 0 ||
	    cs_code(body, "bureau", &n.bureau, msg, msglen) != 0 ||
	    cs_joint(body, joint, sizeof(joint), &joint_set, msg, msglen) != 0)
		return STAFF_INVALID;
	n.institution_id = inst > 0 ? inst : 0;
	n.joint_departments = joint_set ? joint : NULL;
	cs_actor(u, &a, today);
	st = case_store_create(w->db, &u->scope, &a, &n, id, msg, msglen);
	if (st == STORAGE_ERR_NOTFOUND)
		(void)snprintf(msg, msglen, "from_tip: no such tip");
	if (st != STORAGE_OK)
		return cs_status(st, "create", n.from_tip);
	return cs_detail_doc(w, u, id, out);
}

/* See cases.h. */
enum staff_status
cases_detail(struct service_worker *w, const struct staff_user *u,
    const char *id, json_t **out)
{
	enum storage_status st;
	enum staff_status rc;

	if ((rc = cs_start(w, u, id, CS_NONE, NULL, out, NULL)) != STAFF_OK ||
	    (rc = cs_detail_doc(w, u, id, out)) != STAFF_OK)
		return rc;
	st = audit_append(w->db, 0, u->login, "case.view", id, NULL);
	if (st != STORAGE_OK) {
		json_decref(*out);
		*out = NULL;
		return cs_status(st, "audit", id);
	}
	return STAFF_OK;
}

struct cs_list_ctx {
	struct service_worker *w;
	const struct staff_user *u;
	struct deadline_view *dv;
	json_t *cases;
	bool only_overdue;
	int want;
	int64_t last_id;
	bool full;
	char shown[CASE_STORE_PAGE_MAX * 16 + 16];
	enum storage_status st;
};

static int
cs_list_one(void *arg, const struct case_store_case *c)
{
	struct cs_list_ctx *x = arg;
	bool overdue = false;
	json_t *o;
	size_t used;

	x->last_id = c->id;
	x->st = cs_add_tips(x->w, x->u, x->dv, c, NULL, &overdue, NULL);
	if (x->st != STORAGE_OK)
		return 1;
	if (x->only_overdue && !overdue)
		return 0;
	o = cs_case_doc(c);
	json_object_set_new(o, "overdue", json_boolean(overdue));
	json_array_append_new(x->cases, o);
	used = strlen(x->shown);
	(void)snprintf(x->shown + used, sizeof(x->shown) - used, "%s%s",
	    used > 0 ? " " : "", c->public_id);
	if ((int)json_array_size(x->cases) == x->want) {
		x->full = true;
		return 1;
	}
	return 0;
}

/* See cases.h. */
enum staff_status
cases_list(struct service_worker *w, const struct staff_user *u,
    const struct cases_query *q, json_t **out, char *msg, size_t msglen)
{
	struct case_store_filter f;
	struct cs_list_ctx *x;
	enum storage_status st = STORAGE_OK;
	char err[256], cursor[32];
	long long limit = CASES_PAGE, before = 0;
	const char *const codes[][2] = { { "bureau", q->bureau },
	    { "campaign", q->campaign }, { "domain", q->domain } };
	enum staff_status rc;
	bool more = true;
	json_t *doc;

	if ((rc = cs_start(w, u, NULL, CS_NONE, NULL, out, msg)) != STAFF_OK)
		return rc;
	memset(&f, 0, sizeof(f));
	if (!cs_empty(q->status) && !cases_valid_status(q->status)) {
		(void)snprintf(msg, msglen, "status: not a case status");
		return STAFF_INVALID;
	}
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!cs_empty(codes[i][1]) && !staff_valid_code(codes[i][1],
		    CASE_STORE_CODE_MAX)) {
			(void)snprintf(msg, msglen, "%s: not a code",
			    codes[i][0]);
			return STAFF_INVALID;
		}
	if (!cs_empty(q->overdue) && strcmp(q->overdue, "1") != 0 &&
	    strcmp(q->overdue, "0") != 0) {
		(void)snprintf(msg, msglen, "overdue: 1 or 0");
		return STAFF_INVALID;
	}
	if (!cs_empty(q->cursor) && cs_parse_int(q->cursor, INT64_MAX,
	    &before) != 0) {
		(void)snprintf(msg, msglen, "cursor: not a cursor of this list");
		return STAFF_INVALID;
	}
	if (!cs_empty(q->limit) && (cs_parse_int(q->limit,
	    CASE_STORE_PAGE_MAX, &limit) != 0 || limit < 1)) {
		(void)snprintf(msg, msglen, "limit: a number from 1 to %d",
		    CASE_STORE_PAGE_MAX);
		return STAFF_INVALID;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return STAFF_TRANSIENT;
	x->w = w;
	x->u = u;
	x->cases = json_array();
	x->only_overdue = !cs_empty(q->overdue) && strcmp(q->overdue, "1") ==
	    0;
	x->want = (int)limit;
	if (deadline_view_open(w->db, &x->dv, err, sizeof(err)) != 0)
		log_warnx("case list: deadlines: %s", err);
	f.bureau = cs_empty(q->bureau) ? NULL : q->bureau;
	f.campaign = cs_empty(q->campaign) ? NULL : q->campaign;
	f.domain = cs_empty(q->domain) ? NULL : q->domain;
	f.status = cs_empty(q->status) ? NULL : q->status;
	f.before_id = before;
	f.limit = CASE_STORE_PAGE_MAX;
	/* Pages of the store until the answer's page is full (the overdue
	 * filter drops cases, so one store page may not be enough). */
	while (more && !x->full && st == STORAGE_OK) {
		x->st = STORAGE_OK;
		st = case_store_list(w->db, &u->scope, &f, cs_list_one, x,
		    &more);
		if (st == STORAGE_OK)
			st = x->st;
		f.before_id = x->last_id;
	}
	deadline_view_close(&x->dv);
	if (st == STORAGE_OK)
		st = audit_append(w->db, 0, u->login, "case.list", NULL,
		    x->shown[0] ? x->shown : "(none)");
	if (st != STORAGE_OK) {
		json_decref(x->cases);
		free(x);
		return cs_status(st, "list", NULL);
	}
	doc = json_object();
	json_object_set_new(doc, "cases", x->cases);
	if (x->full && (more || x->last_id > 0)) {
		(void)snprintf(cursor, sizeof(cursor), "%lld",
		    (long long)x->last_id);
		json_object_set_new(doc, "next", json_string(cursor));
	} else
		json_object_set_new(doc, "next", json_null());
	free(x);
	*out = doc;
	return STAFF_OK;
}

/* The common ending of a change: the case's detail, or the refusal. */
static enum staff_status
cs_changed(struct service_worker *w, const struct staff_user *u,
    enum storage_status st, const char *what, const char *id, json_t **out,
    char *msg, size_t msglen)
{
	if (st == STORAGE_ERR_INVALID && msg[0] == '\0')
		(void)snprintf(msg, msglen, "%s: invalid", what);
	if (st != STORAGE_OK)
		return cs_status(st, what, id);
	return cs_detail_doc(w, u, id, out);
}

/* See cases.h. */
enum staff_status
cases_link(struct service_worker *w, const struct staff_user *u,
    const char *id, json_t *body, json_t **out, char *msg, size_t msglen)
{
	enum staff_status rc;
	struct case_store_actor a;
	enum storage_status st;
	const char *tip;
	char today[11];

	if ((rc = cs_start(w, u, id, CS_CASE, NULL, out, msg)) != STAFF_OK)
		return rc;
	if (cs_code(body, "tip", &tip, msg, msglen) != 0)
		return STAFF_INVALID;
	if (tip == NULL) {
		(void)snprintf(msg, msglen, "tip: required");
		return STAFF_INVALID;
	}
	cs_actor(u, &a, today);
	st = case_store_link(w->db, &u->scope, &a, id, tip, msg, msglen);
	/* The case was in scope a moment ago: the tip is what is missing. */
	if (st == STORAGE_ERR_NOTFOUND)
		(void)snprintf(msg, msglen, "tip: no such tip");
	return cs_changed(w, u, st, "link", id, out, msg, msglen);
}

/* See cases.h. */
enum staff_status
cases_unlink(struct service_worker *w, const struct staff_user *u,
    const char *id, const char *tip, json_t *body, json_t **out, char *msg,
    size_t msglen)
{
	struct case_store_actor a;
	enum storage_status st;
	enum staff_status rc;
	const char *reason;
	char today[11];

	if ((rc = cs_start(w, u, id, CS_CASE, NULL, out, msg)) != STAFF_OK ||
	    (rc = cs_start(w, u, tip, CS_TIP, NULL, out, msg)) != STAFF_OK)
		return rc;
	if (cs_str(body, "reason", CASES_TEXT_MAX, &reason, msg, msglen) != 0)
		return STAFF_INVALID;
	if (cs_empty(reason)) {
		(void)snprintf(msg, msglen, "reason: required");
		return STAFF_INVALID;
	}
	cs_actor(u, &a, today);
	st = case_store_unlink(w->db, &u->scope, &a, id, tip, reason, msg,
	    msglen);
	return cs_changed(w, u, st, "unlink", id, out, msg, msglen);
}

/* See cases.h. */
enum staff_status
cases_status(struct service_worker *w, const struct staff_user *u,
    const char *id, json_t *body, json_t **out, char *msg, size_t msglen)
{
	enum staff_status rc;
	struct case_store_actor a;
	enum storage_status st;
	const char *status, *reason;
	char today[11], on[11];

	if ((rc = cs_start(w, u, id, CS_CASE, NULL, out, msg)) != STAFF_OK)
		return rc;
	if (cs_code(body, "status", &status, msg, msglen) != 0 ||
	    cs_str(body, "reason", CASES_TEXT_MAX, &reason, msg, msglen) !=
	    0 || cs_date(body, "on", true, on, msg, msglen) != 0)
		return STAFF_INVALID;
	if (!cases_valid_status(status)) {
		(void)snprintf(msg, msglen, "status: one of verifying, filed, "
		    "not_filed, decided, closed");
		return STAFF_INVALID;
	}
	cs_actor(u, &a, today);
	st = case_store_set_status(w->db, &u->scope, &a, id, status, reason,
	    on, msg, msglen);
	return cs_changed(w, u, st, "status", id, out, msg, msglen);
}

/* See cases.h. */
int
cases_parse_outcome(json_t *body, struct cases_outcome_form *f, char *msg,
    size_t msglen)
{
	long long fr;

	memset(f, 0, sizeof(*f));
	msg[0] = '\0';
	if (!json_is_object(body)) {
		(void)snprintf(msg, msglen, "outcome: send an object");
		return -1;
	}
	if (cs_flag(body, "violation_found", &f->violation_found, msg,
	    msglen) != 0 ||
	    cs_int(body, "false_report", 2, &fr, msg, msglen) != 0 ||
	    cs_str(body, "false_report_kind", CASE_STORE_CODE_MAX,
	    &f->false_report_kind, msg, msglen) != 0 ||
	    cs_flag(body, "rectify_ordered", &f->rectify_ordered, msg,
	    msglen) != 0 ||
	    cs_flag(body, "qualification_revoked", &f->qualification_revoked,
	    msg, msglen) != 0 ||
	    cs_money(body, "fines_fen", "fines_yuan", &f->fines_fen, msg,
	    msglen) != 0 ||
	    cs_money(body, "confiscated_fen", "confiscated_yuan",
	    &f->confiscated_fen, msg, msglen) != 0 ||
	    cs_flag(body, "referred_police", &f->referred_police, msg,
	    msglen) != 0 ||
	    cs_flag(body, "seriously_dishonest", &f->seriously_dishonest, msg,
	    msglen) != 0 ||
	    cs_date(body, "credit_published_on", false,
	    f->credit_published_on, msg, msglen) != 0 ||
	    cs_joint(body, f->joint_departments, sizeof(f->joint_departments),
	    &f->has_joint, msg, msglen) != 0)
		return -1;
	f->false_report = (int)fr;
	f->has_credit_date = json_object_get(body, "credit_published_on") !=
	    NULL;
	if (f->false_report_kind != NULL && f->false_report_kind[0] != '\0' &&
	    !staff_valid_code(f->false_report_kind, CASE_STORE_CODE_MAX)) {
		(void)snprintf(msg, msglen, "false_report_kind: not a code");
		return -1;
	}
	if (f->false_report == 0 && f->false_report_kind != NULL &&
	    f->false_report_kind[0] != '\0') {
		(void)snprintf(msg, msglen, "false_report_kind: only with "
		    "false_report 1 or 2");
		return -1;
	}
	/* No false report has no kind either. */
	if (f->false_report == 0)
		f->false_report_kind = "";
	return 0;
}

/* See cases.h. */
enum staff_status
cases_outcome(struct service_worker *w, const struct staff_user *u,
    const char *id, json_t *body, json_t **out, char *msg, size_t msglen)
{
	enum staff_status rc;
	struct cases_outcome_form *f;
	struct case_store_outcome o;
	struct case_store_actor a;
	enum storage_status st;
	char today[11];

	if ((rc = cs_start(w, u, id, CS_CASE, NULL, out, msg)) != STAFF_OK)
		return rc;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return STAFF_TRANSIENT;
	if (cases_parse_outcome(body, f, msg, msglen) != 0) {
		free(f);
		return STAFF_INVALID;
	}
	memset(&o, 0, sizeof(o));
	o.violation_found = f->violation_found;
	o.false_report = f->false_report;
	o.false_report_kind = f->false_report_kind;
	o.rectify_ordered = f->rectify_ordered;
	o.qualification_revoked = f->qualification_revoked;
	o.fines_fen = f->fines_fen;
	o.confiscated_fen = f->confiscated_fen;
	o.referred_police = f->referred_police;
	o.seriously_dishonest = f->seriously_dishonest;
	o.credit_published_on = f->has_credit_date ? f->credit_published_on :
	    NULL;
	o.joint_departments = f->has_joint ? f->joint_departments : NULL;
	cs_actor(u, &a, today);
	st = case_store_set_outcome(w->db, &u->scope, &a, id, &o, msg, msglen);
	free(f);
	return cs_changed(w, u, st, "outcome", id, out, msg, msglen);
}

/* See cases.h. */
enum staff_status
cases_message(struct service_worker *w, const struct staff_user *u,
    const char *id, json_t *body, json_t **out, char *msg, size_t msglen)
{
	struct cs_tips_ctx ctx = { NULL, 0, false };
	struct case_store_case c;
	struct case_store_actor a;
	enum storage_status st;
	enum staff_status rc;
	char today[11], detail[1024] = "";
	const char *text;
	json_t *sent, *one = NULL;
	size_t i;

	if ((rc = cs_start(w, u, id, CS_CASE, &c, out, msg)) != STAFF_OK)
		return rc;
	text = json_string_value(json_object_get(body, "text"));
	st = case_store_tips(w->db, &u->scope, c.id, cs_collect_tip, &ctx);
	if (st == STORAGE_OK && ctx.nomem)
		st = STORAGE_ERR_NOMEM;
	if (st != STORAGE_OK) {
		free(ctx.tips);
		return cs_status(st, "message", id);
	}
	if (ctx.n == 0) {
		(void)snprintf(msg, msglen, "tip: case %s has no tips", id);
		return STAFF_CONFLICT;
	}
	/* Each message is its own transaction with its own audit entry
	 * (messages_add(), the one path of a message); the case's record
	 * then notes which tipsters it reached, also after a failure
	 * part-way, which is answered with what was sent. */
	sent = json_array();
	for (i = 0; i < ctx.n; i++) {
		const char *tip = ctx.tips[i].public_id;
		size_t used = strlen(detail);

		rc = staff_tips_message(w, u, tip, text, &one, msg, msglen);
		if (rc != STAFF_OK)
			break;
		json_object_set_new(one, "tip", json_string(tip));
		json_array_append_new(sent, one);
		(void)snprintf(detail + used, sizeof(detail) - used, "%s%s",
		    used > 0 ? " " : "to ", tip);
	}
	free(ctx.tips);
	if (i == 0) {
		json_decref(sent);
		return rc;
	}
	cs_actor(u, &a, today);
	if ((st = case_store_note(w->db, &u->scope, &a, id, "message",
	    detail)) != STORAGE_OK)
		log_warnx("case %s: message: case event: %s", id,
		    storage_status_str(st));
	if (rc != STAFF_OK)
		log_warnx("case %s: message sent to %zu tips only", id, i);
	*out = json_pack("{s:o}", "messages", sent);
	return rc == STAFF_OK ? STAFF_OK : STAFF_TRANSIENT;
}

/* See cases.h. */
enum staff_status
cases_notice(struct service_worker *w, const struct staff_user *u,
    const char *tip, json_t *body, json_t **out, char *msg, size_t msglen)
{
	enum staff_status rc;
	struct case_store_actor a;
	enum storage_status st;
	char today[11], on[11];

	if ((rc = cs_start(w, u, tip, CS_TIP, NULL, out, msg)) != STAFF_OK)
		return rc;
	if (cs_date(body, "on", true, on, msg, msglen) != 0)
		return STAFF_INVALID;
	cs_actor(u, &a, today);
	st = case_store_tip_notice(w->db, &u->scope, &a, tip, on, msg, msglen);
	if (st != STORAGE_OK)
		return cs_status(st, "notice", tip);
	*out = json_pack("{s:s, s:s}", "tip", tip, "notified_on", on);
	return *out != NULL ? STAFF_OK : STAFF_TRANSIENT;
}

/* See cases.h. */
enum staff_status
cases_deadline_event(struct service_worker *w, const struct staff_user *u,
    const char *id, bool is_case, json_t *body, json_t **out, char *msg,
    size_t msglen)
{
	enum staff_status rc;
	static const char *const kinds[] = { "pause", "resume", "extend",
	    "restart" };
	struct case_store_actor a;
	enum storage_status st;
	const char *rule, *kind, *note;
	char today[11], on[11];
	bool kind_ok = false;

	if ((rc = cs_start(w, u, id, is_case ? CS_CASE : CS_TIP, NULL, out,
	    msg)) != STAFF_OK)
		return rc;
	if (cs_code(body, "rule", &rule, msg, msglen) != 0 ||
	    cs_code(body, "kind", &kind, msg, msglen) != 0 ||
	    cs_str(body, "note", CASES_TEXT_MAX, &note, msg, msglen) != 0 ||
	    cs_date(body, "on", true, on, msg, msglen) != 0)
		return STAFF_INVALID;
	for (size_t i = 0; kind != NULL && i < sizeof(kinds) /
	    sizeof(kinds[0]); i++)
		kind_ok = kind_ok || strcmp(kind, kinds[i]) == 0;
	if (!kind_ok) {
		(void)snprintf(msg, msglen, "kind: one of pause, resume, "
		    "extend, restart");
		return STAFF_INVALID;
	}
	if (strcmp(kind, "extend") == 0 && cs_empty(note)) {
		(void)snprintf(msg, msglen, "note: an extension needs the "
		    "approval (who approved, when)");
		return STAFF_INVALID;
	}
	if (rule == NULL)
		rule = is_case ? "case_decision" : "report_filing_decision";
	cs_actor(u, &a, today);
	st = case_store_deadline_event(w->db, &u->scope, &a, is_case ? NULL :
	    id, is_case ? id : NULL, rule, kind, on, note, msg, msglen);
	if (st != STORAGE_OK)
		return cs_status(st, "deadline event", id);
	*out = json_pack("{s:{s:s, s:s, s:s, s:s, s:o}}", "event", is_case ?
	    "case" : "tip", id, "rule", rule, "kind", kind, "on", on, "note",
	    cs_opt(note));
	return *out != NULL ? STAFF_OK : STAFF_TRANSIENT;
}

struct cs_overdue_ctx {
	struct service_worker *w;
	struct deadline_view *dv;
	json_t *tips;
	bool unknown;
	bool failed;
	char shown[4096];
};

static int
cs_overdue_one(void *arg, const struct case_store_tip *t)
{
	struct cs_overdue_ctx *x = arg;
	json_t *dl = NULL, *late, *d, *o;
	bool overdue = false;
	size_t i, used;

	if (deadline_view_tip(x->dv, x->w->db, t->id, &dl, &overdue,
	    &x->unknown) != 0) {
		x->failed = true;
		return 1;
	}
	if (!overdue) {
		json_decref(dl);
		return 0;
	}
	late = json_array();
	json_array_foreach(dl, i, d)
		if (strcmp(json_string_value(json_object_get(d, "state")),
		    "overdue") == 0)
			json_array_append(late, d);
	json_decref(dl);
	o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:o}", "id", t->public_id,
	    "bureau", t->bureau, "status", t->status, "case",
	    cs_opt(t->case_id), "received_on", t->received_on, "deadlines",
	    late);
	json_array_append_new(x->tips, o);
	used = strlen(x->shown);
	if (used + CASE_STORE_ID_MAX + 8 < sizeof(x->shown))
		(void)snprintf(x->shown + used, sizeof(x->shown) - used,
		    "%s%s", used > 0 ? " " : "", t->public_id);
	return 0;
}

/* See cases.h. */
enum staff_status
cases_overdue(struct service_worker *w, const struct staff_user *u,
    const char *bureau, json_t **out, char *msg, size_t msglen)
{
	struct cs_overdue_ctx *x;
	enum storage_status st;
	char err[256];
	enum staff_status rc;
	bool more = false;

	if ((rc = cs_start(w, u, NULL, CS_NONE, NULL, out, msg)) != STAFF_OK)
		return rc;
	if (!cs_empty(bureau) && !staff_valid_code(bureau, CASE_STORE_CODE_MAX)) {
		(void)snprintf(msg, msglen, "bureau: not a bureau code");
		return STAFF_INVALID;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return STAFF_TRANSIENT;
	x->w = w;
	if (deadline_view_open(w->db, &x->dv, err, sizeof(err)) != 0) {
		log_warnx("overdue: %s", err);
		free(x);
		return STAFF_FAILED;
	}
	x->tips = json_array();
	st = case_store_open_tips(w->db, &u->scope, cs_empty(bureau) ? NULL :
	    bureau, cs_overdue_one, x, &more);
	deadline_view_close(&x->dv);
	if (st == STORAGE_OK && x->failed)
		st = STORAGE_ERR_INTERNAL;
	if (st == STORAGE_OK)
		st = audit_append(w->db, 0, u->login, "overdue.list",
		    cs_empty(bureau) ? NULL : bureau, x->shown[0] ? x->shown :
		    "(none)");
	if (st != STORAGE_OK) {
		json_decref(x->tips);
		free(x);
		return cs_status(st, "overdue", bureau);
	}
	*out = json_pack("{s:o, s:o, s:b}", "tips", x->tips,
	    "calendar_warning", x->unknown ?
	    json_string(DEADLINE_VIEW_WARNING) : json_null(), "truncated",
	    more);
	free(x);
	return STAFF_OK;
}

/* See cases.h. */
int
cases_tip_add(struct db *db, int64_t tip_id, json_t *doc)
{
	char id[CASE_STORE_ID_MAX];
	enum storage_status st = case_store_case_of_tip(db, tip_id, id);

	if (st != STORAGE_OK) {
		log_warnx("tip %lld: case: %s", (long long)tip_id,
		    storage_status_str(st));
		return -1;
	}
	json_object_set_new(doc, "case", cs_opt(id));
	return deadline_view_add(db, tip_id, doc);
}
