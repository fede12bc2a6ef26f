/* SPDX-License-Identifier: MIT */
/*
 * Inspection cases (see case_store.h).  Each change is one BEGIN
 * IMMEDIATE transaction: the scoped look-ups, the checks against the
 * present state, the update, its case_events / tip_events rows and the
 * audit entry, so that a refused or failed call leaves nothing behind.
 * Reads are single statements carrying SCOPE_SQL_CASE or SCOPE_SQL_TIP.
 */
#include "storage/case_store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/audit.h"
#include "storage/deadline_store.h"

#define CASE_COLUMNS "c.id, c.public_id, c.institution_id, " \
	"coalesce(i.name, ''), c.campaign, c.domain, c.bureau, c.status, " \
	"c.not_filed_reason, c.joint_departments, c.violation_found, " \
	"c.false_report, c.false_report_kind, c.rectify_ordered, " \
	"c.qualification_revoked, c.fines_fen, c.confiscated_fen, " \
	"c.referred_police, c.seriously_dishonest, c.credit_published_on, " \
	"c.filed_on, c.not_filed_on, c.decided_on, c.closed_on, " \
	"c.created_at, c.updated_at, " \
	"(SELECT count(*) FROM tips x WHERE x.case_id = c.id)"

/* Copy a text column into the array dst ("" for NULL). */
#define CS_TEXT(dst, st, col) scope_column_text((dst), sizeof(dst), (st), (col))

#define CASE_FROM "cases c LEFT JOIN institutions i ON i.id = c.institution_id"

#define TIP_COLUMNS "t.id, t.public_id, t.status, t.bureau, " \
	"t.received_on, t.real_name, coalesce(t.notified_on, ''), " \
	"coalesce((SELECT public_id FROM cases WHERE id = t.case_id), '')"

/* printf into msg (may be NULL). */
static void
cs_msg(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cs_msg(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (msg == NULL || msglen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

/* Step a statement that returns no row; finalize it. */
static enum storage_status
cs_done(sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}

static const char *const cs_tip_map[][2] = {
	{ "verifying", "verifying" },
	{ "filed", "filed" },
	{ "not_filed", "not_filed" },
	{ "decided", "filed" },
	{ "closed", "closed" },
};

/* See case_store.h. */
const char *
case_store_tip_status(const char *case_status)
{
	for (size_t i = 0; i < sizeof(cs_tip_map) / sizeof(cs_tip_map[0]);
	    i++)
		if (case_status != NULL &&
		    strcmp(case_status, cs_tip_map[i][0]) == 0)
			return cs_tip_map[i][1];
	return NULL;
}

static const char *const cs_transitions[][2] = {
	{ "verifying", "filed" },
	{ "verifying", "not_filed" },
	{ "filed", "decided" },
	{ "decided", "closed" },
	{ "not_filed", "closed" },
};

/* See case_store.h. */
bool
case_store_valid_transition(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof(cs_transitions) /
	    sizeof(cs_transitions[0]); i++)
		if (from != NULL && to != NULL &&
		    strcmp(from, cs_transitions[i][0]) == 0 &&
		    strcmp(to, cs_transitions[i][1]) == 0)
			return true;
	return false;
}

/* Fill *c from a row of CASE_COLUMNS. */
static void
cs_case_from_row(sqlite3_stmt *st, struct case_store_case *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	CS_TEXT(c->public_id, st, 1);
	c->institution_id = sqlite3_column_int64(st, 2);
	CS_TEXT(c->institution, st, 3);
	CS_TEXT(c->campaign, st, 4);
	CS_TEXT(c->domain, st, 5);
	CS_TEXT(c->bureau, st, 6);
	CS_TEXT(c->status, st, 7);
	CS_TEXT(c->not_filed_reason, st, 8);
	CS_TEXT(c->joint_departments, st, 9);
	c->violation_found = sqlite3_column_int(st, 10);
	c->false_report = sqlite3_column_int(st, 11);
	CS_TEXT(c->false_report_kind, st, 12);
	c->rectify_ordered = sqlite3_column_int(st, 13);
	c->qualification_revoked = sqlite3_column_int(st, 14);
	c->fines_fen = sqlite3_column_int64(st, 15);
	c->confiscated_fen = sqlite3_column_int64(st, 16);
	c->referred_police = sqlite3_column_int(st, 17);
	c->seriously_dishonest = sqlite3_column_int(st, 18);
	CS_TEXT(c->credit_published_on, st, 19);
	CS_TEXT(c->filed_on, st, 20);
	CS_TEXT(c->not_filed_on, st, 21);
	CS_TEXT(c->decided_on, st, 22);
	CS_TEXT(c->closed_on, st, 23);
	c->created_at = sqlite3_column_int64(st, 24);
	c->updated_at = sqlite3_column_int64(st, 25);
	c->ntips = sqlite3_column_int(st, 26);
}

static void
cs_tip_from_row(sqlite3_stmt *st, struct case_store_tip *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	CS_TEXT(t->public_id, st, 1);
	CS_TEXT(t->status, st, 2);
	CS_TEXT(t->bureau, st, 3);
	CS_TEXT(t->received_on, st, 4);
	t->real_name = sqlite3_column_int(st, 5) != 0;
	CS_TEXT(t->notified_on, st, 6);
	CS_TEXT(t->case_id, st, 7);
}

static void
cs_fill_case(sqlite3_stmt *st, void *out)
{
	cs_case_from_row(st, out);
}

static void
cs_fill_tip(sqlite3_stmt *st, void *out)
{
	cs_tip_from_row(st, out);
}

/* See case_store.h. */
enum storage_status
case_store_get(struct db *db, const struct scope *scope,
    const char *public_id, struct case_store_case *out)
{
	static const char sql[] =
	    "SELECT " CASE_COLUMNS " FROM " CASE_FROM
	    " WHERE c.public_id = ?1 AND " SCOPE_SQL_CASE("c");

	memset(out, 0, sizeof(*out));
	return scope_find_one(db, sql, scope, public_id, CASE_STORE_ID_MAX,
	    cs_fill_case, out);
}

/* See case_store.h. */
enum storage_status
case_store_tip_get(struct db *db, const struct scope *scope,
    const char *public_id, struct case_store_tip *t)
{
	static const char sql[] =
	    "SELECT " TIP_COLUMNS " FROM tips t WHERE t.public_id = ?1 AND "
	    SCOPE_SQL_TIP("t");

	memset(t, 0, sizeof(*t));
	return scope_find_one(db, sql, scope, public_id, CASE_STORE_ID_MAX,
	    cs_fill_tip, t);
}

/*
 * Refuse a value of field that sql does not find (?1 bound to text, to
 * num when text is NULL; the scope bound when scope is not NULL): INVALID
 * with "field: why" in msg.
 */
static enum storage_status
cs_require(struct db *db, const char *sql, const struct scope *scope,
    const char *text, int64_t num, const char *field, const char *why,
    char *msg, size_t msglen)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, num);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_ROW)
		return STORAGE_OK;
	if (r != SQLITE_DONE)
		return db_status_from_sqlite(r);
	cs_msg(msg, msglen, "%s: %s", field, why);
	return STORAGE_ERR_INVALID;
}

/* A case_events row (of case id) or a tip_events row (of tip id). */
static enum storage_status
cs_event(struct db *db, bool of_case, int64_t id,
    const struct case_store_actor *a, const char *kind, const char *detail)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;

	if ((rc = scope_prepare(db, of_case ? "INSERT INTO case_events"
	    " (case_id, user_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)" :
	    "INSERT INTO tip_events (tip_id, user_id, at, kind, detail) VALUES"
	    " (?1, ?2, ?3, ?4, ?5)", NULL, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (a->user_id > 0)
		sqlite3_bind_int64(st, 2, a->user_id);
	sqlite3_bind_int64(st, 3, a->now);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 5, detail);
	return cs_done(st);
}

#define cs_case_event(db, id, a, kind, detail) \
	cs_event((db), true, (id), (a), (kind), (detail))
#define cs_tip_event(db, id, a, kind, detail) \
	cs_event((db), false, (id), (a), (kind), (detail))

/* Commit on STORAGE_OK, else roll back; returns the final status. */
static enum storage_status
cs_end(struct db *db, enum storage_status rc)
{
	if (rc == STORAGE_OK)
		rc = db_commit(db);
	if (rc != STORAGE_OK)
		db_rollback(db);
	return rc;
}

/* The next C-YYYY-NNNNNN for the year of today. */
static enum storage_status
cs_next_id(struct db *db, const char *today, char out[CASE_STORE_ID_MAX])
{
	char prefix[8];
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int64_t n = 0;
	int r;

	(void)snprintf(prefix, sizeof(prefix), "C-%.4s-", today);
	if ((rc = scope_prepare(db, "SELECT max(CAST(substr(public_id, 8) AS"
	    " INTEGER)) FROM cases WHERE public_id LIKE ?1 || '%'", NULL,
	    &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (r != SQLITE_ROW)
		return db_status_from_sqlite(r);
	if (n >= 999999)
		return STORAGE_ERR_INVALID;
	(void)snprintf(out, CASE_STORE_ID_MAX, "%.7s%06d", prefix,
	    (int)(n + 1));
	return STORAGE_OK;
}

/* Link tip t to case c inside the caller's transaction. */
static enum storage_status
cs_link(struct db *db, const struct case_store_actor *a,
    const struct case_store_case *c, const struct case_store_tip *t,
    char *msg, size_t msglen)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;

	if (t->case_id[0] != '\0') {
		cs_msg(msg, msglen, "tip: %s is linked to case %s already",
		    t->public_id, t->case_id);
		return STORAGE_ERR_EXISTS;
	}
	if (strcmp(t->bureau, c->bureau) != 0) {
		cs_msg(msg, msglen, "tip: %s is handled by bureau %s, the case"
		    " by %s; route the tip first", t->public_id, t->bureau,
		    c->bureau);
		return STORAGE_ERR_EXISTS;
	}
	if (strcmp(t->status, "invalid") == 0 ||
	    strcmp(t->status, "transferred") == 0) {
		cs_msg(msg, msglen, "tip: %s is %s", t->public_id, t->status);
		return STORAGE_ERR_EXISTS;
	}
	if (strcmp(c->status, "closed") == 0) {
		cs_msg(msg, msglen, "status: case %s is closed", c->public_id);
		return STORAGE_ERR_EXISTS;
	}
	if ((rc = scope_prepare(db, "UPDATE tips SET case_id = ?1, status = ?2,"
	    " updated_at = ?3 WHERE id = ?4", NULL, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_text(st, 2, case_store_tip_status(c->status), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->now);
	sqlite3_bind_int64(st, 4, t->id);
	if ((rc = cs_done(st)) != STORAGE_OK ||
	    (rc = cs_tip_event(db, t->id, a, "case.link", c->public_id)) !=
	    STORAGE_OK ||
	    (rc = cs_case_event(db, c->id, a, "link", t->public_id)) !=
	    STORAGE_OK)
		return rc;
	return audit_append(db, a->now, a->login, "case.link", c->public_id,
	    t->public_id);
}

/* See case_store.h. */
enum storage_status
case_store_create(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const struct case_store_new *n,
    char public_id[CASE_STORE_ID_MAX], char *msg, size_t msglen)
{
	static const char tip_sql[] =
	    "SELECT coalesce(t.institution_id, 0), coalesce(t.campaign, ''),"
	    " coalesce(t.domain, ''), t.bureau FROM tips t WHERE t.id = ?1";
	char campaign[CASE_STORE_CODE_MAX] = "", domain[CASE_STORE_CODE_MAX] =
	    "", bureau[CASE_STORE_CODE_MAX] = "", detail[160];
	struct case_store_tip tip;
	struct case_store_case c;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int64_t inst = n->institution_id, case_id;
	int r;

	public_id[0] = '\0';
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if (n->from_tip != NULL) {
		if ((rc = case_store_tip_get(db, scope, n->from_tip, &tip)) !=
		    STORAGE_OK)
			return cs_end(db, rc);
		if (tip.case_id[0] != '\0') {
			cs_msg(msg, msglen, "from_tip: %s is linked to case %s"
			    " already", tip.public_id, tip.case_id);
			return cs_end(db, STORAGE_ERR_EXISTS);
		}
		if ((rc = scope_prepare(db, tip_sql, NULL, &st)) != STORAGE_OK)
			return cs_end(db, rc);
		sqlite3_bind_int64(st, 1, tip.id);
		if ((r = sqlite3_step(st)) == SQLITE_ROW) {
			if (inst == 0)
				inst = sqlite3_column_int64(st, 0);
			CS_TEXT(campaign, st, 1);
			CS_TEXT(domain, st, 2);
			CS_TEXT(bureau, st, 3);
		}
		sqlite3_finalize(st);
		if (r != SQLITE_ROW)
			return cs_end(db, r == SQLITE_DONE ?
			    STORAGE_ERR_NOTFOUND : db_status_from_sqlite(r));
	} else if (scope->role == SCOPE_ROLE_OFFICER)
		(void)snprintf(bureau, sizeof(bureau), "%s", scope->bureau);
	if (n->campaign != NULL)
		(void)snprintf(campaign, sizeof(campaign), "%s", n->campaign);
	if (n->domain != NULL)
		(void)snprintf(domain, sizeof(domain), "%s", n->domain);
	if (n->bureau != NULL)
		(void)snprintf(bureau, sizeof(bureau), "%s", n->bureau);

	if (inst <= 0) {
		cs_msg(msg, msglen, "institution: %s", n->from_tip != NULL ?
		    "the tip names no registered institution; give its id" :
		    "required (an institution id of the registry)");
		return cs_end(db, STORAGE_ERR_INVALID);
	}
	if (bureau[0] == '\0') {
		cs_msg(msg, msglen, "bureau: required");
		return cs_end(db, STORAGE_ERR_INVALID);
	}
	if ((rc = cs_require(db, "SELECT 1 FROM institutions WHERE id = ?1",
	    NULL, NULL, inst, "institution", "no such institution", msg,
	    msglen)) != STORAGE_OK ||
	    (rc = cs_require(db, "SELECT 1 FROM bureaus WHERE code = ?1", NULL,
	    bureau, 0, "bureau", "no such bureau", msg, msglen)) !=
	    STORAGE_OK ||
	    (rc = cs_require(db, "SELECT 1 FROM (SELECT ?1 AS bureau) c WHERE "
	    SCOPE_SQL_CASE("c"), scope, bureau, 0, "bureau",
	    "not your bureau", msg, msglen)) != STORAGE_OK ||
	    (campaign[0] != '\0' && (rc = cs_require(db, "SELECT 1 FROM"
	    " campaigns WHERE code = ?1", NULL, campaign, 0, "campaign",
	    "no such campaign", msg, msglen)) != STORAGE_OK) ||
	    (domain[0] != '\0' && (rc = cs_require(db, "SELECT 1 FROM domains"
	    " WHERE code = ?1", NULL, domain, 0, "domain", "no such domain",
	    msg, msglen)) != STORAGE_OK))
		return cs_end(db, rc);
	if ((rc = cs_next_id(db, a->today, public_id)) != STORAGE_OK)
		return cs_end(db, rc);
	if ((rc = scope_prepare(db, "INSERT INTO cases (public_id,"
	    " institution_id, campaign, domain, bureau, status,"
	    " joint_departments, created_by, created_at, updated_at) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, 'verifying', ?6, ?7, ?8, ?8)", NULL,
	    &st)) != STORAGE_OK)
		return cs_end(db, rc);
	sqlite3_bind_text(st, 1, public_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, inst);
	db_bind_text_or_null(st, 3, campaign);
	db_bind_text_or_null(st, 4, domain);
	sqlite3_bind_text(st, 5, bureau, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 6, n->joint_departments);
	if (a->user_id > 0)
		sqlite3_bind_int64(st, 7, a->user_id);
	sqlite3_bind_int64(st, 8, a->now);
	if ((rc = cs_done(st)) != STORAGE_OK)
		return cs_end(db, rc);
	case_id = sqlite3_last_insert_rowid(db_sqlite(db));
	(void)snprintf(detail, sizeof(detail), "institution=%lld bureau=%s%s%s",
	    (long long)inst, bureau, n->from_tip != NULL ? " from_tip=" : "",
	    n->from_tip != NULL ? n->from_tip : "");
	if ((rc = cs_case_event(db, case_id, a, "create", detail)) !=
	    STORAGE_OK ||
	    (rc = audit_append(db, a->now, a->login, "case.create", public_id,
	    detail)) != STORAGE_OK)
		return cs_end(db, rc);
	if (n->from_tip != NULL) {
		if ((rc = case_store_get(db, scope, public_id, &c)) ==
		    STORAGE_OK)
			rc = cs_link(db, a, &c, &tip, msg, msglen);
	}
	if (rc != STORAGE_OK)
		public_id[0] = '\0';
	return cs_end(db, rc);
}

/* See case_store.h. */
enum storage_status
case_store_list(struct db *db, const struct scope *scope,
    const struct case_store_filter *f,
    int (*cb)(void *arg, const struct case_store_case *c), void *arg,
    bool *more)
{
	static const char sql[] =
	    "SELECT " CASE_COLUMNS " FROM " CASE_FROM " WHERE "
	    SCOPE_SQL_CASE("c")
	    " AND (?1 IS NULL OR c.bureau = ?1)"
	    " AND (?2 IS NULL OR c.campaign = ?2)"
	    " AND (?3 IS NULL OR c.domain = ?3)"
	    " AND (?4 IS NULL OR c.status = ?4)"
	    " AND (?5 = 0 OR c.id < ?5)"
	    " ORDER BY c.id DESC LIMIT ?6";
	struct case_store_case c;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r, n = 0;

	*more = false;
	if (f == NULL || f->limit < 1 || f->limit > CASE_STORE_PAGE_MAX)
		return STORAGE_ERR_INVALID;
	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	db_bind_text_or_null(st, 1, f->bureau);
	db_bind_text_or_null(st, 2, f->campaign);
	db_bind_text_or_null(st, 3, f->domain);
	db_bind_text_or_null(st, 4, f->status);
	sqlite3_bind_int64(st, 5, f->before_id);
	sqlite3_bind_int(st, 6, f->limit + 1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == f->limit) {
			*more = true;
			r = SQLITE_DONE;
			break;
		}
		cs_case_from_row(st, &c);
		n++;
		if (cb(arg, &c) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}

/* Run a scoped statement with ?1 bound to id, rows to each(). */
static enum storage_status
cs_each(struct db *db, const char *sql, const struct scope *scope,
    int64_t id, int (*each)(sqlite3_stmt *st, void *ctx), void *ctx)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	if (id != 0)
		sqlite3_bind_int64(st, 1, id);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (each(st, ctx) != 0) {
			r = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}

struct cs_tip_cb {
	int (*cb)(void *arg, const struct case_store_tip *t);
	void *arg;
	size_t n;
	bool more;
};

static int
cs_each_tip(sqlite3_stmt *st, void *ctx)
{
	struct cs_tip_cb *c = ctx;
	struct case_store_tip t;

	if (c->n == CASE_STORE_OPEN_MAX) {
		c->more = true;
		return 1;
	}
	c->n++;
	cs_tip_from_row(st, &t);
	return c->cb(c->arg, &t);
}

/* See case_store.h. */
enum storage_status
case_store_tips(struct db *db, const struct scope *scope, int64_t case_id,
    int (*cb)(void *arg, const struct case_store_tip *t), void *arg)
{
	static const char sql[] =
	    "SELECT " TIP_COLUMNS " FROM tips t JOIN cases c ON c.id ="
	    " t.case_id WHERE c.id = ?1 AND " SCOPE_SQL_CASE("c")
	    " ORDER BY t.received_at, t.id";
	struct cs_tip_cb c = { cb, arg, 0, false };

	return cs_each(db, sql, scope, case_id, cs_each_tip, &c);
}

/* See case_store.h. */
enum storage_status
case_store_open_tips(struct db *db, const struct scope *scope,
    const char *bureau, int (*cb)(void *arg, const struct case_store_tip *t),
    void *arg, bool *more)
{
	static const char sql[] =
	    "SELECT " TIP_COLUMNS " FROM tips t WHERE " SCOPE_SQL_TIP("t")
	    " AND t.status IN ('received', 'triaged', 'verifying', 'filed',"
	    " 'not_filed') AND t.duplicate_of IS NULL"
	    " AND (?1 IS NULL OR t.bureau = ?1)"
	    " ORDER BY t.received_at, t.id LIMIT ?2";
	struct cs_tip_cb c = { cb, arg, 0, false };
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	*more = false;
	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	db_bind_text_or_null(st, 1, bureau);
	sqlite3_bind_int(st, 2, CASE_STORE_OPEN_MAX + 1);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (cs_each_tip(st, &c) != 0) {
			r = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(st);
	*more = c.more;
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}

struct cs_event_cb {
	int (*cb)(void *arg, const struct case_store_event *e);
	void *arg;
};

static int
cs_each_event(sqlite3_stmt *st, void *ctx)
{
	struct cs_event_cb *c = ctx;
	struct case_store_event e;
	const unsigned char *d = sqlite3_column_text(st, 3);

	memset(&e, 0, sizeof(e));
	e.at = sqlite3_column_int64(st, 0);
	CS_TEXT(e.user, st, 1);
	CS_TEXT(e.kind, st, 2);
	e.detail = d != NULL ? (const char *)d : "";
	return c->cb(c->arg, &e);
}

/* See case_store.h. */
enum storage_status
case_store_events(struct db *db, const struct scope *scope, int64_t case_id,
    int (*cb)(void *arg, const struct case_store_event *e), void *arg)
{
	static const char sql[] =
	    "SELECT e.at, coalesce(u.login, ''), e.kind, e.detail FROM"
	    " case_events e JOIN cases c ON c.id = e.case_id LEFT JOIN users u"
	    " ON u.id = e.user_id WHERE c.id = ?1 AND " SCOPE_SQL_CASE("c")
	    " ORDER BY e.at, e.id";
	struct cs_event_cb c = { cb, arg };

	return cs_each(db, sql, scope, case_id, cs_each_event, &c);
}

/* Case and tip, both in scope, inside a transaction already begun. */
static enum storage_status
cs_case_and_tip(struct db *db, const struct scope *scope,
    const char *case_id, const char *tip_id, struct case_store_case *c,
    struct case_store_tip *t)
{
	enum storage_status rc;

	if ((rc = case_store_get(db, scope, case_id, c)) != STORAGE_OK)
		return rc;
	return case_store_tip_get(db, scope, tip_id, t);
}

/* See case_store.h. */
enum storage_status
case_store_link(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const char *case_id,
    const char *tip_id, char *msg, size_t msglen)
{
	struct case_store_case c;
	struct case_store_tip t;
	enum storage_status rc;

	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	rc = cs_case_and_tip(db, scope, case_id, tip_id, &c, &t);
	if (rc == STORAGE_OK)
		rc = cs_link(db, a, &c, &t, msg, msglen);
	return cs_end(db, rc);
}

/* See case_store.h. */
enum storage_status
case_store_unlink(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const char *case_id,
    const char *tip_id, const char *reason, char *msg, size_t msglen)
{
	struct case_store_case c;
	struct case_store_tip t;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	char detail[CASE_STORE_TEXT_MAX + 64];

	if (reason == NULL || reason[0] == '\0') {
		cs_msg(msg, msglen, "reason: required");
		return STORAGE_ERR_INVALID;
	}
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = cs_case_and_tip(db, scope, case_id, tip_id, &c, &t)) !=
	    STORAGE_OK)
		return cs_end(db, rc);
	if (strcmp(t.case_id, c.public_id) != 0) {
		cs_msg(msg, msglen, "tip: %s is not linked to case %s",
		    t.public_id, c.public_id);
		return cs_end(db, STORAGE_ERR_EXISTS);
	}
	if (strcmp(c.status, "closed") == 0) {
		cs_msg(msg, msglen, "status: case %s is closed", c.public_id);
		return cs_end(db, STORAGE_ERR_EXISTS);
	}
	if ((rc = scope_prepare(db, "UPDATE tips SET case_id = NULL, status ="
	    " 'triaged', updated_at = ?1 WHERE id = ?2", NULL, &st)) !=
	    STORAGE_OK)
		return cs_end(db, rc);
	sqlite3_bind_int64(st, 1, a->now);
	sqlite3_bind_int64(st, 2, t.id);
	if ((rc = cs_done(st)) != STORAGE_OK)
		return cs_end(db, rc);
	(void)snprintf(detail, sizeof(detail), "%s: %s", c.public_id, reason);
	if ((rc = cs_tip_event(db, t.id, a, "case.unlink", detail)) !=
	    STORAGE_OK)
		return cs_end(db, rc);
	(void)snprintf(detail, sizeof(detail), "%s: %s", t.public_id, reason);
	if ((rc = cs_case_event(db, c.id, a, "unlink", detail)) != STORAGE_OK)
		return cs_end(db, rc);
	return cs_end(db, audit_append(db, a->now, a->login, "case.unlink",
	    c.public_id, detail));
}

/* See case_store.h. */
enum storage_status
case_store_note(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const char *case_id, const char *kind,
    const char *detail)
{
	struct case_store_case c;
	enum storage_status rc;
	char action[48];

	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = case_store_get(db, scope, case_id, &c)) != STORAGE_OK ||
	    (rc = cs_case_event(db, c.id, a, kind, detail)) != STORAGE_OK)
		return cs_end(db, rc);
	(void)snprintf(action, sizeof(action), "case.%s", kind);
	return cs_end(db, audit_append(db, a->now, a->login, action,
	    c.public_id, detail));
}

/* Make every tip of case c follow its new status. */
static enum storage_status
cs_tips_follow(struct db *db, const struct case_store_actor *a,
    const struct case_store_case *c, const char *status)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	char detail[CASE_STORE_ID_MAX + 32];

	(void)snprintf(detail, sizeof(detail), "%s: %s", c->public_id,
	    status);
	if ((rc = scope_prepare(db, "INSERT INTO tip_events (tip_id, user_id,"
	    " at, kind, detail) SELECT id, ?1, ?2, 'case.status', ?3 FROM tips"
	    " WHERE case_id = ?4", NULL, &st)) != STORAGE_OK)
		return rc;
	if (a->user_id > 0)
		sqlite3_bind_int64(st, 1, a->user_id);
	sqlite3_bind_int64(st, 2, a->now);
	sqlite3_bind_text(st, 3, detail, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, c->id);
	if ((rc = cs_done(st)) != STORAGE_OK)
		return rc;
	if ((rc = scope_prepare(db, "UPDATE tips SET status = ?1, updated_at ="
	    " ?2 WHERE case_id = ?3", NULL, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_text(st, 1, case_store_tip_status(status), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->now);
	sqlite3_bind_int64(st, 3, c->id);
	return cs_done(st);
}

/* See case_store.h. */
enum storage_status
case_store_set_status(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const char *case_id,
    const char *status, const char *reason, const char *on, char *msg,
    size_t msglen)
{
	struct case_store_case c;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	const char *col;
	char sql[256], detail[CASE_STORE_TEXT_MAX + 64];
	bool has_reason = reason != NULL && reason[0] != '\0';

	if (case_store_tip_status(status) == NULL) {
		cs_msg(msg, msglen, "status: not a case status");
		return STORAGE_ERR_INVALID;
	}
	if (strcmp(status, "not_filed") == 0 && !has_reason) {
		cs_msg(msg, msglen, "reason: required for not_filed");
		return STORAGE_ERR_INVALID;
	}
	if (on == NULL || strlen(on) != 10) {
		cs_msg(msg, msglen, "on: a date YYYY-MM-DD");
		return STORAGE_ERR_INVALID;
	}
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = case_store_get(db, scope, case_id, &c)) != STORAGE_OK)
		return cs_end(db, rc);
	if (!case_store_valid_transition(c.status, status)) {
		cs_msg(msg, msglen, "status: a %s case cannot become %s",
		    c.status, status);
		return cs_end(db, STORAGE_ERR_EXISTS);
	}
	col = strcmp(status, "filed") == 0 ? "filed_on" :
	    strcmp(status, "not_filed") == 0 ? "not_filed_on" :
	    strcmp(status, "decided") == 0 ? "decided_on" : "closed_on";
	(void)snprintf(sql, sizeof(sql), "UPDATE cases SET status = ?1, %s ="
	    " ?2, updated_at = ?3, not_filed_reason = CASE WHEN ?1 ="
	    " 'not_filed' THEN ?4 ELSE not_filed_reason END WHERE id = ?5",
	    col);
	if ((rc = scope_prepare(db, sql, NULL, &st)) != STORAGE_OK)
		return cs_end(db, rc);
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, on, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->now);
	db_bind_text_or_null(st, 4, reason);
	sqlite3_bind_int64(st, 5, c.id);
	if ((rc = cs_done(st)) != STORAGE_OK ||
	    (rc = cs_tips_follow(db, a, &c, status)) != STORAGE_OK)
		return cs_end(db, rc);
	(void)snprintf(detail, sizeof(detail), "%s -> %s on %s%s%s", c.status,
	    status, on, has_reason ? ": " : "", has_reason ? reason : "");
	if ((rc = cs_case_event(db, c.id, a, "status", detail)) != STORAGE_OK)
		return cs_end(db, rc);
	return cs_end(db, audit_append(db, a->now, a->login, "case.status",
	    c.public_id, detail));
}

/* Append " name=value" to detail (bounded). */
static void
cs_detail_add(char *detail, size_t len, const char *name, const char *value)
{
	size_t used = strlen(detail);

	if (used < len)
		(void)snprintf(detail + used, len - used, "%s%s=%s",
		    used > 0 ? " " : "", name, value);
}

/* See case_store.h. */
enum storage_status
case_store_set_outcome(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const char *case_id,
    const struct case_store_outcome *o, char *msg, size_t msglen)
{
	static const char sql[] =
	    "UPDATE cases SET"
	    " violation_found = coalesce(?1, violation_found),"
	    " false_report = coalesce(?2, false_report),"
	    " false_report_kind = CASE WHEN ?3 IS NULL THEN false_report_kind"
	    "   WHEN ?3 = '' THEN NULL ELSE ?3 END,"
	    " rectify_ordered = coalesce(?4, rectify_ordered),"
	    " qualification_revoked = coalesce(?5, qualification_revoked),"
	    " fines_fen = coalesce(?6, fines_fen),"
	    " confiscated_fen = coalesce(?7, confiscated_fen),"
	    " referred_police = coalesce(?8, referred_police),"
	    " seriously_dishonest = coalesce(?9, seriously_dishonest),"
	    " credit_published_on = CASE WHEN ?10 IS NULL THEN"
	    "   credit_published_on WHEN ?10 = '' THEN NULL ELSE ?10 END,"
	    " joint_departments = coalesce(?11, joint_departments),"
	    " updated_at = ?12 WHERE id = ?13";
	const int flags[] = { o->violation_found, o->false_report,
	    o->rectify_ordered, o->qualification_revoked, o->referred_police,
	    o->seriously_dishonest };
	const char *const fnames[] = { "violation_found", "false_report",
	    "rectify_ordered", "qualification_revoked", "referred_police",
	    "seriously_dishonest" };
	const int fparam[] = { 1, 2, 4, 5, 8, 9 };
	struct case_store_case c;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	char detail[CASE_STORE_TEXT_MAX + 512] = "", num[32];

	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = case_store_get(db, scope, case_id, &c)) != STORAGE_OK)
		return cs_end(db, rc);
	if (strcmp(c.status, "filed") != 0 && strcmp(c.status, "decided") !=
	    0) {
		cs_msg(msg, msglen, "status: findings and outcomes are recorded"
		    " on a filed or decided case; %s is %s", c.public_id,
		    c.status);
		return cs_end(db, STORAGE_ERR_EXISTS);
	}
	if (o->false_report_kind != NULL && o->false_report_kind[0] != '\0' &&
	    (rc = cs_require(db, "SELECT 1 FROM violation_types WHERE code ="
	    " ?1", NULL, o->false_report_kind, 0, "false_report_kind",
	    "no such violation type", msg, msglen)) != STORAGE_OK)
		return cs_end(db, rc);
	if ((rc = scope_prepare(db, sql, NULL, &st)) != STORAGE_OK)
		return cs_end(db, rc);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (flags[i] < 0)
			continue;
		sqlite3_bind_int(st, fparam[i], flags[i]);
		(void)snprintf(num, sizeof(num), "%d", flags[i]);
		cs_detail_add(detail, sizeof(detail), fnames[i], num);
	}
	if (o->false_report_kind != NULL) {
		sqlite3_bind_text(st, 3, o->false_report_kind, -1,
		    SQLITE_STATIC);
		cs_detail_add(detail, sizeof(detail), "false_report_kind",
		    o->false_report_kind);
	}
	if (o->fines_fen >= 0) {
		sqlite3_bind_int64(st, 6, o->fines_fen);
		(void)snprintf(num, sizeof(num), "%lld",
		    (long long)o->fines_fen);
		cs_detail_add(detail, sizeof(detail), "fines_fen", num);
	}
	if (o->confiscated_fen >= 0) {
		sqlite3_bind_int64(st, 7, o->confiscated_fen);
		(void)snprintf(num, sizeof(num), "%lld",
		    (long long)o->confiscated_fen);
		cs_detail_add(detail, sizeof(detail), "confiscated_fen", num);
	}
	if (o->credit_published_on != NULL) {
		sqlite3_bind_text(st, 10, o->credit_published_on, -1,
		    SQLITE_STATIC);
		cs_detail_add(detail, sizeof(detail), "credit_published_on",
		    o->credit_published_on);
	}
	if (o->joint_departments != NULL) {
		sqlite3_bind_text(st, 11, o->joint_departments, -1,
		    SQLITE_STATIC);
		cs_detail_add(detail, sizeof(detail), "joint_departments",
		    o->joint_departments);
	}
	sqlite3_bind_int64(st, 12, a->now);
	sqlite3_bind_int64(st, 13, c.id);
	if (detail[0] == '\0') {
		sqlite3_finalize(st);
		cs_msg(msg, msglen, "outcome: nothing to record");
		return cs_end(db, STORAGE_ERR_INVALID);
	}
	if ((rc = cs_done(st)) != STORAGE_OK)
		return cs_end(db, rc == STORAGE_ERR_EXISTS ?
		    STORAGE_ERR_INVALID : rc);
	if ((rc = cs_case_event(db, c.id, a, "outcome", detail)) !=
	    STORAGE_OK)
		return cs_end(db, rc);
	return cs_end(db, audit_append(db, a->now, a->login, "case.outcome",
	    c.public_id, detail));
}

/* See case_store.h. */
enum storage_status
case_store_tip_notice(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const char *tip_id, const char *on,
    char *msg, size_t msglen)
{
	static const char sql[] =
	    "SELECT coalesce(c.status, ''), t.status FROM tips t LEFT JOIN"
	    " cases c ON c.id = t.case_id WHERE t.id = ?1";
	struct case_store_tip t;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	char cstatus[16] = "", tstatus[16] = "";
	bool decided;

	if (on == NULL || strlen(on) != 10) {
		cs_msg(msg, msglen, "on: a date YYYY-MM-DD");
		return STORAGE_ERR_INVALID;
	}
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = case_store_tip_get(db, scope, tip_id, &t)) != STORAGE_OK)
		return cs_end(db, rc);
	if (!t.real_name) {
		cs_msg(msg, msglen, "tip: %s is anonymous: there is nobody to"
		    " notify", t.public_id);
		return cs_end(db, STORAGE_ERR_EXISTS);
	}
	if ((rc = scope_prepare(db, sql, NULL, &st)) != STORAGE_OK)
		return cs_end(db, rc);
	sqlite3_bind_int64(st, 1, t.id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		CS_TEXT(cstatus, st, 0);
		CS_TEXT(tstatus, st, 1);
	}
	sqlite3_finalize(st);
	decided = (cstatus[0] != '\0' && strcmp(cstatus, "verifying") != 0) ||
	    (cstatus[0] == '\0' && strcmp(tstatus, "not_filed") == 0);
	if (!decided) {
		cs_msg(msg, msglen, "tip: %s has no filing decision yet",
		    t.public_id);
		return cs_end(db, STORAGE_ERR_EXISTS);
	}
	if ((rc = scope_prepare(db, "UPDATE tips SET notified_on = ?1 WHERE"
	    " id = ?2", NULL, &st)) != STORAGE_OK)
		return cs_end(db, rc);
	sqlite3_bind_text(st, 1, on, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, t.id);
	if ((rc = cs_done(st)) != STORAGE_OK ||
	    (rc = cs_tip_event(db, t.id, a, "notice", on)) != STORAGE_OK)
		return cs_end(db, rc);
	return cs_end(db, audit_append(db, a->now, a->login, "tip.notice",
	    t.public_id, on));
}

/* See case_store.h. */
enum storage_status
case_store_deadline_event(struct db *db, const struct scope *scope,
    const struct case_store_actor *a, const char *tip_id,
    const char *case_id, const char *rule_id, const char *kind,
    const char *on, const char *note, char *msg, size_t msglen)
{
	struct case_store_case c;
	struct case_store_tip t;
	enum storage_status rc;
	char detail[CASE_STORE_TEXT_MAX + 128];
	const char *object;

	if ((tip_id == NULL) == (case_id == NULL) || rule_id == NULL ||
	    kind == NULL || on == NULL)
		return STORAGE_ERR_INVALID;
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	rc = tip_id != NULL ? case_store_tip_get(db, scope, tip_id, &t) :
	    case_store_get(db, scope, case_id, &c);
	if (rc != STORAGE_OK)
		return cs_end(db, rc);
	if ((rc = cs_require(db, "SELECT 1 FROM deadline_rules WHERE rule_id ="
	    " ?1", NULL, rule_id, 0, "rule", "no such deadline rule", msg,
	    msglen)) != STORAGE_OK)
		return cs_end(db, rc);
	if ((rc = deadline_store_add_event(db, tip_id != NULL ? t.id : 0,
	    tip_id != NULL ? 0 : c.id, rule_id, kind, on, note, a->user_id,
	    a->now)) != STORAGE_OK) {
		if (rc == STORAGE_ERR_EXISTS) {
			cs_msg(msg, msglen, "kind: not a deadline event kind");
			rc = STORAGE_ERR_INVALID;
		}
		return cs_end(db, rc);
	}
	(void)snprintf(detail, sizeof(detail), "%s %s on %s%s%s", rule_id,
	    kind, on, note != NULL && note[0] ? ": " : "",
	    note != NULL ? note : "");
	object = tip_id != NULL ? t.public_id : c.public_id;
	if (tip_id != NULL)
		rc = cs_tip_event(db, t.id, a, "deadline", detail);
	else
		rc = cs_case_event(db, c.id, a, "deadline", detail);
	if (rc != STORAGE_OK)
		return cs_end(db, rc);
	return cs_end(db, audit_append(db, a->now, a->login, "deadline.event",
	    object, detail));
}

/* See case_store.h. */
enum storage_status
case_store_public(struct db *db, int64_t tip_id,
    struct case_store_public *out)
{
	static const char sql[] =
	    "SELECT c.status, c.not_filed_reason, c.violation_found,"
	    " c.false_report, c.rectify_ordered, c.qualification_revoked,"
	    " c.fines_fen, c.confiscated_fen, c.referred_police,"
	    " c.seriously_dishonest, c.credit_published_on FROM tips t JOIN"
	    " cases c ON c.id = t.case_id WHERE t.id = ?1";
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	memset(out, 0, sizeof(*out));
	if ((rc = scope_prepare(db, sql, NULL, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, tip_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		CS_TEXT(out->status, st, 0);
		CS_TEXT(out->not_filed_reason, st, 1);
		out->violation_found = sqlite3_column_int(st, 2);
		out->false_report = sqlite3_column_int(st, 3);
		out->rectify_ordered = sqlite3_column_int(st, 4);
		out->qualification_revoked = sqlite3_column_int(st, 5);
		out->fines_fen = sqlite3_column_int64(st, 6);
		out->confiscated_fen = sqlite3_column_int64(st, 7);
		out->referred_police = sqlite3_column_int(st, 8);
		out->seriously_dishonest = sqlite3_column_int(st, 9);
		scope_column_text(out->credit_published_on,
		    sizeof(out->credit_published_on), st, 10);
	}
	rc = r == SQLITE_ROW ? STORAGE_OK : r == SQLITE_DONE ?
	    STORAGE_ERR_NOTFOUND : db_status_from_sqlite(r);
	sqlite3_finalize(st);
	return rc;
}

/* See case_store.h. */
enum storage_status
case_store_case_of_tip(struct db *db, int64_t tip_id,
    char out[CASE_STORE_ID_MAX])
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	out[0] = '\0';
	if ((rc = scope_prepare(db, "SELECT c.public_id FROM tips t JOIN"
	    " cases c ON c.id = t.case_id WHERE t.id = ?1", NULL, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, tip_id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		scope_column_text(out, CASE_STORE_ID_MAX, st, 0);
	sqlite3_finalize(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? STORAGE_OK :
	    db_status_from_sqlite(r);
}
