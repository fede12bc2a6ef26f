/* SPDX-License-Identifier: MIT */
/*
 * Triage changes, history and relatives of tips (see tip_triage.h).  Each
 * statement that reads or changes a tip pastes SCOPE_SQL_TIP and goes
 * through scope_bind(); each change is one BEGIN IMMEDIATE transaction
 * holding the update, its tip_events row and its audit entry.
 */
#include "storage/tip_triage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/audit.h"
#include "storage/deadline_store.h"

/* The tip row a change works on, found inside the transaction. */
struct tt_tip {
	int64_t id;
	char bureau[TIP_TRIAGE_CODE_MAX];
	char status[TIP_TRIAGE_STATUS_MAX];
	char domain[TIP_TRIAGE_CODE_MAX];
	char violation[TIP_TRIAGE_CODE_MAX];
	int64_t institution_id;
	char campaign[TIP_TRIAGE_CODE_MAX];
	char received_on[16];
	int64_t received_at;
	int64_t duplicate_of;
	int64_t case_id;
	int priority;
};

/* Step a statement that returns no rows, and finalize it. */
static enum storage_status
tt_run(struct db *db, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);
	int ec = r == SQLITE_DONE ? SQLITE_OK :
	    sqlite3_extended_errcode(db_sqlite(db));

	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(ec);
}

static void
tt_fill_tip(sqlite3_stmt *st, void *out)
{
	struct tt_tip *t = out;

	t->id = sqlite3_column_int64(st, 0);
	scope_column_text(t->bureau, sizeof(t->bureau), st, 1);
	scope_column_text(t->status, sizeof(t->status), st, 2);
	scope_column_text(t->domain, sizeof(t->domain), st, 3);
	scope_column_text(t->violation, sizeof(t->violation), st, 4);
	t->institution_id = sqlite3_column_int64(st, 5);
	scope_column_text(t->campaign, sizeof(t->campaign), st, 6);
	scope_column_text(t->received_on, sizeof(t->received_on), st, 7);
	t->received_at = sqlite3_column_int64(st, 8);
	t->duplicate_of = sqlite3_column_int64(st, 9);
	t->case_id = sqlite3_column_int64(st, 10);
	t->priority = sqlite3_column_int(st, 11);
}

/* Tip public_id in scope, inside the caller's transaction. */
static enum storage_status
tt_find(struct db *db, const struct scope *scope, const char *public_id,
    struct tt_tip *t)
{
	static const char sql[] =
	    "SELECT t.id, t.bureau, t.status, t.domain, t.violation,"
	    " t.institution_id, t.campaign, t.received_on, t.received_at,"
	    " t.duplicate_of, t.case_id, t.priority FROM tips t"
	    " WHERE t.public_id = ?1 AND " SCOPE_SQL_TIP("t");

	memset(t, 0, sizeof(*t));
	return scope_find_one(db, sql, scope, public_id, TIP_TRIAGE_ID_MAX,
	    tt_fill_tip, t);
}

/*
 * The first column of the first row the reference-data query sql finds
 * for text (?1) and text2 (?2, NULL: SQL NULL): as an integer into *val
 * (0 when there is no row), and as text into buf (buflen bytes, "" when
 * no row or NULL) when buf is not NULL.
 */
static enum storage_status
tt_lookup2(struct db *db, const char *sql, const char *text,
    const char *text2, int64_t *val, char *buf, size_t buflen)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	*val = 0;
	if (buf != NULL)
		buf[0] = '\0';
	if ((rc = scope_prepare(db, sql, NULL, &st)) != STORAGE_OK)
		return rc;
	db_bind_text_or_null(st, 1, text);
	db_bind_text_or_null(st, 2, text2);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		*val = sqlite3_column_int64(st, 0);
		if (buf != NULL)
			scope_column_text(buf, buflen, st, 0);
	}
	sqlite3_finalize(st);
	return r == SQLITE_ROW || r == SQLITE_DONE ? STORAGE_OK :
	    db_status_from_sqlite(r);
}

/* tt_lookup2() of one text and an integer answer. */
static enum storage_status
tt_lookup(struct db *db, const char *sql, const char *text, int64_t *val)
{
	return tt_lookup2(db, sql, text, NULL, val, NULL, 0);
}

/* A tip_events row of tip row tip_id. */
static enum storage_status
tt_event(struct db *db, const struct tip_triage_actor *a, int64_t tip_id,
    const char *kind, const char *detail)
{
	static const char sql[] =
	    "INSERT INTO tip_events (tip_id, user_id, at, kind, detail)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st = NULL;
	enum storage_status rc;

	if ((rc = scope_prepare(db, sql, NULL, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, tip_id);
	if (a->user_id > 0)
		sqlite3_bind_int64(st, 2, a->user_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, a->now);
	sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
	return tt_run(db, st);
}

/* The tip_events row and the audit entry of a change. */
static enum storage_status
tt_record(struct db *db, const struct tip_triage_actor *a, int64_t tip_id,
    const char *public_id, const char *kind, const char *detail)
{
	char action[48];
	enum storage_status rc;

	if ((rc = tt_event(db, a, tip_id, kind, detail)) != STORAGE_OK)
		return rc;
	(void)snprintf(action, sizeof(action), "tip.%s", kind);
	return audit_append(db, a->now, a->login, action, public_id, detail);
}

/* Commit, or roll back on failure; returns the outcome. */
static enum storage_status
tt_end(struct db *db, enum storage_status rc)
{
	if (rc == STORAGE_OK && (rc = db_commit(db)) == STORAGE_OK)
		return STORAGE_OK;
	db_rollback(db);
	return rc;
}

/* See tip_triage.h. */
enum storage_status
tip_triage_route(struct db *db, const struct scope *scope,
    const struct tip_triage_actor *a, const char *public_id,
    const char *bureau, const char *reason, char *old_bureau,
    char *route_reason, enum tip_triage_why *why)
{
	static const char sql[] =
	    "UPDATE tips AS t SET bureau = ?1, route_reason = ?2,"
	    " needs_review = 0, updated_at = ?3 WHERE t.id = ?4 AND "
	    SCOPE_SQL_TIP("t");
	char detail[TIP_TRIAGE_REASON_MAX], rr[TIP_TRIAGE_REASON_MAX];
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	struct tt_tip t;
	int64_t found;

	*why = TIP_TRIAGE_WHY_NONE;
	if (bureau == NULL || reason == NULL || reason[0] == '\0' ||
	    strlen(reason) > TIP_TRIAGE_TEXT_MAX)
		return STORAGE_ERR_INVALID;
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = tt_find(db, scope, public_id, &t)) != STORAGE_OK)
		return tt_end(db, rc);
	if ((rc = tt_lookup(db, "SELECT 1 FROM bureaus WHERE code = ?1",
	    bureau, &found)) != STORAGE_OK)
		return tt_end(db, rc);
	if (found == 0) {
		*why = TIP_TRIAGE_WHY_BUREAU;
		return tt_end(db, STORAGE_ERR_INVALID);
	}
	(void)snprintf(detail, sizeof(detail), "%s -> %s: %s", t.bureau,
	    bureau, reason);
	(void)snprintf(rr, sizeof(rr), "%s 改派（%s → %s）：%s",
	    a->login != NULL ? a->login : "", t.bureau, bureau, reason);
	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return tt_end(db, rc);
	sqlite3_bind_text(st, 1, bureau, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rr, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->now);
	sqlite3_bind_int64(st, 4, t.id);
	if ((rc = tt_run(db, st)) != STORAGE_OK)
		return tt_end(db, rc);
	rc = tt_record(db, a, t.id, public_id, "route", detail);
	if (rc == STORAGE_OK && old_bureau != NULL)
		(void)snprintf(old_bureau, TIP_TRIAGE_CODE_MAX, "%s", t.bureau);
	if (rc == STORAGE_OK && route_reason != NULL)
		(void)snprintf(route_reason, TIP_TRIAGE_REASON_MAX, "%s", rr);
	return tt_end(db, rc);
}

/* Whether the status is one triage sets (not one a case drives). */
static bool
tt_is_triage_status(const char *s)
{
	return strcmp(s, "received") == 0 || strcmp(s, "triaged") == 0 ||
	    strcmp(s, "invalid") == 0 || strcmp(s, "transferred") == 0;
}

/* See tip_triage.h. */
enum storage_status
tip_triage_status(struct db *db, const struct scope *scope,
    const struct tip_triage_actor *a, const char *public_id,
    const char *status, const char *note, const char *duplicate_of,
    char *old_status, enum tip_triage_why *why)
{
	static const char sql[] =
	    "UPDATE tips AS t SET status = ?1, duplicate_of = ?2,"
	    " needs_review = 0, updated_at = ?3 WHERE t.id = ?4 AND "
	    SCOPE_SQL_TIP("t");
	char detail[TIP_TRIAGE_REASON_MAX];
	const char *kind;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	struct tt_tip t, dup;
	bool has_note = note != NULL && note[0] != '\0';

	*why = TIP_TRIAGE_WHY_NONE;
	if (status == NULL || !tt_is_triage_status(status) ||
	    strcmp(status, "received") == 0 ||
	    (duplicate_of != NULL && strcmp(status, "invalid") != 0) ||
	    (note != NULL && strlen(note) > TIP_TRIAGE_TEXT_MAX))
		return STORAGE_ERR_INVALID;
	if (duplicate_of != NULL)
		kind = "duplicate";
	else if (strcmp(status, "triaged") == 0)
		kind = "confirm";
	else
		kind = status;
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = tt_find(db, scope, public_id, &t)) != STORAGE_OK)
		return tt_end(db, rc);
	if (!tt_is_triage_status(t.status)) {
		*why = TIP_TRIAGE_WHY_STATE;
		if (old_status != NULL)
			(void)snprintf(old_status, TIP_TRIAGE_STATUS_MAX, "%s",
			    t.status);
		return tt_end(db, STORAGE_ERR_INVALID);
	}
	memset(&dup, 0, sizeof(dup));
	if (duplicate_of != NULL) {
		rc = tt_find(db, scope, duplicate_of, &dup);
		if (rc == STORAGE_ERR_NOTFOUND) {
			*why = TIP_TRIAGE_WHY_DUPLICATE;
			return tt_end(db, STORAGE_ERR_INVALID);
		}
		if (rc != STORAGE_OK)
			return tt_end(db, rc);
		if (dup.id == t.id) {
			*why = TIP_TRIAGE_WHY_SELF;
			return tt_end(db, STORAGE_ERR_INVALID);
		}
		(void)snprintf(detail, sizeof(detail), "%s -> %s, duplicate of "
		    "%s%s%s", t.status, status, duplicate_of,
		    has_note ? ": " : "", has_note ? note : "");
	} else
		(void)snprintf(detail, sizeof(detail), "%s -> %s%s%s",
		    t.status, status, has_note ? ": " : "",
		    has_note ? note : "");
	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return tt_end(db, rc);
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	if (dup.id > 0)
		sqlite3_bind_int64(st, 2, dup.id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_int64(st, 3, a->now);
	sqlite3_bind_int64(st, 4, t.id);
	if ((rc = tt_run(db, st)) != STORAGE_OK)
		return tt_end(db, rc);
	rc = tt_record(db, a, t.id, public_id, kind, detail);
	if (rc == STORAGE_OK && old_status != NULL)
		(void)snprintf(old_status, TIP_TRIAGE_STATUS_MAX, "%s",
		    t.status);
	return tt_end(db, rc);
}

/* Append "; name: old -> new" to detail. */
static void
tt_change(char *detail, size_t len, const char *name, const char *old,
    const char *new)
{
	size_t n = strlen(detail);

	(void)snprintf(detail + n, len - n, "%s%s: %s -> %s", n > 0 ? "; " :
	    "", name, old[0] ? old : "-", new);
}

/*
 * The priority steps of domain and violation (either NULL or ""): w's
 * epidemic weight for a domain with domains.epidemic, its false-report
 * weight for a violation type of the category "false".
 */
static enum storage_status
tt_priority_part(struct db *db, const struct tip_triage_weights *w,
    const char *domain, const char *violation, int *part)
{
	int64_t epi = 0, fal = 0;
	enum storage_status rc;

	*part = 0;
	if (domain != NULL && domain[0] != '\0' &&
	    (rc = tt_lookup(db, "SELECT epidemic <> 0 FROM domains WHERE"
	    " code = ?1", domain, &epi)) != STORAGE_OK)
		return rc;
	if (violation != NULL && violation[0] != '\0' &&
	    (rc = tt_lookup(db, "SELECT category = 'false' FROM"
	    " violation_types WHERE code = ?1", violation, &fal)) !=
	    STORAGE_OK)
		return rc;
	*part = (epi != 0 ? w->epidemic : 0) + (fal != 0 ? w->false_report :
	    0);
	return STORAGE_OK;
}

/*
 * The priority of tip t classified as domain and violation (NULL:
 * unchanged): the steps of the new codes plus the harm step, which needs
 * the text and is kept from the stored priority (what is left of it
 * beyond the old codes' steps, if at least the harm weight).
 */
static enum storage_status
tt_priority(struct db *db, const struct tip_triage_weights *w,
    const struct tt_tip *t, const char *domain, const char *violation,
    int *priority)
{
	enum storage_status rc;
	int old_part, new_part;

	*priority = t->priority;
	if ((rc = tt_priority_part(db, w, t->domain, t->violation,
	    &old_part)) != STORAGE_OK ||
	    (rc = tt_priority_part(db, w, domain != NULL ? domain : t->domain,
	    violation != NULL ? violation : t->violation, &new_part)) !=
	    STORAGE_OK)
		return rc;
	*priority = new_part + (t->priority - old_part >= w->harm &&
	    w->harm > 0 ? w->harm : 0);
	return STORAGE_OK;
}

/* See tip_triage.h. */
enum storage_status
tip_triage_classify(struct db *db, const struct scope *scope,
    const struct tip_triage_actor *a, const char *public_id,
    const char *domain, const char *violation, const char *institution,
    const struct tip_triage_weights *w, struct tip_triage_classified *out,
    enum tip_triage_why *why)
{
	static const char sql[] =
	    "UPDATE tips AS t SET domain = coalesce(?1, t.domain),"
	    " violation = coalesce(?2, t.violation),"
	    " institution_id = coalesce(?3, t.institution_id),"
	    " campaign = CASE WHEN ?1 IS NULL THEN t.campaign ELSE ?6 END,"
	    " priority = ?7,"
	    " updated_at = ?4 WHERE t.id = ?5 AND " SCOPE_SQL_TIP("t");
	static const char campaign_sql[] =
	    "SELECT " TIP_TRIAGE_CAMPAIGN_SQL("?1", "?2");
	char detail[TIP_TRIAGE_REASON_MAX] = "", oldi[24], newi[24];
	char campaign[TIP_TRIAGE_CODE_MAX];
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	struct tt_tip t;
	int64_t inst = 0, found;
	int priority;

	*why = TIP_TRIAGE_WHY_NONE;
	memset(out, 0, sizeof(*out));
	if (domain == NULL && violation == NULL && institution == NULL)
		return STORAGE_ERR_INVALID;
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = tt_find(db, scope, public_id, &t)) != STORAGE_OK)
		return tt_end(db, rc);
	(void)snprintf(campaign, sizeof(campaign), "%s", t.campaign);
	if (domain != NULL) {
		if ((rc = tt_lookup(db, "SELECT 1 FROM domains WHERE code = ?1",
		    domain, &found)) != STORAGE_OK)
			return tt_end(db, rc);
		if (found == 0) {
			*why = TIP_TRIAGE_WHY_DOMAIN;
			return tt_end(db, STORAGE_ERR_INVALID);
		}
		tt_change(detail, sizeof(detail), "domain", t.domain, domain);
		/* The campaign follows the domain (its dates: the tip's). */
		if ((rc = tt_lookup2(db, campaign_sql, domain, t.received_on,
		    &found, campaign, sizeof(campaign))) != STORAGE_OK)
			return tt_end(db, rc);
		if (strcmp(campaign, t.campaign) != 0)
			tt_change(detail, sizeof(detail), "campaign",
			    t.campaign, campaign[0] ? campaign : "-");
	}
	if (violation != NULL) {
		if ((rc = tt_lookup(db, "SELECT 1 FROM violation_types WHERE "
		    "code = ?1", violation, &found)) != STORAGE_OK)
			return tt_end(db, rc);
		if (found == 0) {
			*why = TIP_TRIAGE_WHY_VIOLATION;
			return tt_end(db, STORAGE_ERR_INVALID);
		}
		tt_change(detail, sizeof(detail), "violation", t.violation,
		    violation);
	}
	if (institution != NULL) {
		/* A decimal registry row id or a unified social credit
		 * code. */
		if ((rc = tt_lookup(db, "SELECT id FROM institutions WHERE"
		    " CAST(id AS TEXT) = ?1 OR credit_code = upper(?1)",
		    institution, &inst)) != STORAGE_OK)
			return tt_end(db, rc);
		if (inst == 0) {
			*why = TIP_TRIAGE_WHY_INSTITUTION;
			return tt_end(db, STORAGE_ERR_INVALID);
		}
		(void)snprintf(oldi, sizeof(oldi), "%lld",
		    (long long)t.institution_id);
		(void)snprintf(newi, sizeof(newi), "%lld", (long long)inst);
		tt_change(detail, sizeof(detail), "institution",
		    t.institution_id > 0 ? oldi : "", newi);
	}
	priority = t.priority;
	if (w != NULL && (domain != NULL || violation != NULL)) {
		if ((rc = tt_priority(db, w, &t, domain, violation,
		    &priority)) != STORAGE_OK)
			return tt_end(db, rc);
		if (priority != t.priority) {
			(void)snprintf(oldi, sizeof(oldi), "%d", t.priority);
			(void)snprintf(newi, sizeof(newi), "%d", priority);
			tt_change(detail, sizeof(detail), "priority", oldi,
			    newi);
		}
	}
	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return tt_end(db, rc);
	if (domain != NULL)
		sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if (violation != NULL)
		sqlite3_bind_text(st, 2, violation, -1, SQLITE_STATIC);
	if (inst > 0)
		sqlite3_bind_int64(st, 3, inst);
	sqlite3_bind_int64(st, 4, a->now);
	sqlite3_bind_int64(st, 5, t.id);
	db_bind_text_or_null(st, 6, campaign[0] ? campaign : NULL);
	sqlite3_bind_int(st, 7, priority);
	if ((rc = tt_run(db, st)) != STORAGE_OK)
		return tt_end(db, rc);
	(void)snprintf(out->campaign, sizeof(out->campaign), "%s", campaign);
	out->priority = priority;
	out->previous_priority = t.priority;
	return tt_end(db, tt_record(db, a, t.id, public_id, "classify",
	    detail));
}

/* Whether the repeat-tip restart (order 121) is in force on day. */
static enum storage_status
tt_restart_in_force(struct db *db, const char *day, bool *yes)
{
	enum storage_status rc;
	int64_t found;

	rc = tt_lookup2(db, "SELECT 1 FROM deadline_rules WHERE rule_id = ?2"
	    " AND applies_from <= ?1 AND (applies_until IS NULL OR"
	    " applies_until = '' OR ?1 <= applies_until)", day,
	    TIP_TRIAGE_RULE_RESTART, &found, NULL, 0);
	*yes = found != 0;
	return rc;
}

/* The refusal why of a merge (STORAGE_ERR_INVALID), ending the
 * transaction. */
static enum storage_status
tt_refuse(struct db *db, enum tip_triage_why *out, enum tip_triage_why why)
{
	*out = why;
	return tt_end(db, STORAGE_ERR_INVALID);
}

/* See tip_triage.h. */
enum storage_status
tip_triage_merge(struct db *db, const struct scope *scope,
    const struct tip_triage_actor *a, const char *public_id,
    const char *into, bool new_facts, const char *note,
    struct tip_triage_merged *out, enum tip_triage_why *why)
{
	static const char sql[] =
	    "UPDATE tips AS t SET status = ?1, duplicate_of = ?2,"
	    " case_id = ?3, needs_review = 0, updated_at = ?4"
	    " WHERE t.id = ?5 AND " SCOPE_SQL_TIP("t");
	char detail[TIP_TRIAGE_REASON_MAX], edetail[TIP_TRIAGE_REASON_MAX];
	const char *status;
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	struct tt_tip t, e;
	bool has_note = note != NULL && note[0] != '\0', in_force;

	*why = TIP_TRIAGE_WHY_NONE;
	memset(out, 0, sizeof(*out));
	if (into == NULL || (note != NULL && strlen(note) >
	    TIP_TRIAGE_TEXT_MAX))
		return STORAGE_ERR_INVALID;
	if ((rc = db_begin(db)) != STORAGE_OK)
		return rc;
	if ((rc = tt_find(db, scope, public_id, &t)) != STORAGE_OK)
		return tt_end(db, rc);
	rc = tt_find(db, scope, into, &e);
	if (rc == STORAGE_ERR_NOTFOUND)
		return tt_refuse(db, why, TIP_TRIAGE_WHY_INTO);
	if (rc != STORAGE_OK)
		return tt_end(db, rc);
	(void)snprintf(out->previous_status, sizeof(out->previous_status),
	    "%s", t.status);
	if (e.id == t.id)
		return tt_refuse(db, why, TIP_TRIAGE_WHY_INTO_SELF);
	if (!tt_is_triage_status(t.status) || t.case_id > 0)
		return tt_refuse(db, why, TIP_TRIAGE_WHY_STATE);
	if (t.duplicate_of > 0)
		return tt_refuse(db, why, TIP_TRIAGE_WHY_MERGED);
	if (e.received_at > t.received_at || (e.received_at == t.received_at &&
	    e.id > t.id))
		return tt_refuse(db, why, TIP_TRIAGE_WHY_INTO_LATER);
	if (e.duplicate_of > 0)
		return tt_refuse(db, why, TIP_TRIAGE_WHY_INTO_MERGED);
	if (t.institution_id <= 0 || t.institution_id != e.institution_id)
		return tt_refuse(db, why, TIP_TRIAGE_WHY_INTO_INSTITUTION);
	if (strcmp(t.bureau, e.bureau) != 0)
		return tt_refuse(db, why, TIP_TRIAGE_WHY_INTO_BUREAU);
	if (new_facts) {
		if ((rc = tt_restart_in_force(db, e.received_on, &in_force)) !=
		    STORAGE_OK)
			return tt_end(db, rc);
		if (!in_force)
			return tt_refuse(db, why, TIP_TRIAGE_WHY_RULE);
		status = e.status;
	} else
		status = "invalid";
	(void)snprintf(out->status, sizeof(out->status), "%s", status);

	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return tt_end(db, rc);
	sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, e.id);
	/* New facts join the earlier tip's case, if it has one, so that
	 * the case drives both tips' status from now on. */
	if (new_facts && e.case_id > 0)
		sqlite3_bind_int64(st, 3, e.case_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, a->now);
	sqlite3_bind_int64(st, 5, t.id);
	if ((rc = tt_run(db, st)) != STORAGE_OK)
		return tt_end(db, rc);
	if (new_facts) {
		/* 第三十五条第二款: the earlier tip's filing decision runs
		 * again from the day of the last tip. */
		(void)snprintf(out->restart_on, sizeof(out->restart_on), "%s",
		    t.received_on);
		(void)snprintf(edetail, sizeof(edetail), "%s merged in with "
		    "new facts; %s restarts on %s", public_id,
		    TIP_TRIAGE_RULE_FILING, t.received_on);
		if ((rc = deadline_store_add_event(db, e.id, 0,
		    TIP_TRIAGE_RULE_FILING, "restart", t.received_on, edetail,
		    a->user_id, a->now)) != STORAGE_OK ||
		    (rc = tt_event(db, a, e.id, "merge", edetail)) !=
		    STORAGE_OK)
			return tt_end(db, rc);
	}
	(void)snprintf(detail, sizeof(detail), "%s -> %s, merged into %s "
	    "(%s)%s%s", t.status, status, into, new_facts ? "new facts, "
	    "filing decision restarts on the earlier tip" : "plain repeat",
	    has_note ? ": " : "", has_note ? note : "");
	return tt_end(db, tt_record(db, a, t.id, public_id, "merge", detail));
}

static void
tt_fill_facts(sqlite3_stmt *st, void *arg)
{
	struct tip_triage_facts *f = arg;

	f->id = sqlite3_column_int64(st, 0);
	f->institution_id = sqlite3_column_int64(st, 1);
	scope_column_text(f->institution_name, sizeof(f->institution_name),
	    st, 2);
	scope_column_text(f->credit_code, sizeof(f->credit_code), st, 3);
	scope_column_text(f->duplicate_of, sizeof(f->duplicate_of), st, 4);
}

/* See tip_triage.h. */
enum storage_status
tip_triage_facts(struct db *db, const struct scope *scope,
    const char *public_id, struct tip_triage_facts *out)
{
	static const char sql[] =
	    "SELECT t.id, t.institution_id, i.name, i.credit_code, d.public_id"
	    " FROM tips t LEFT JOIN institutions i ON i.id = t.institution_id"
	    " LEFT JOIN tips d ON d.id = t.duplicate_of"
	    " WHERE t.public_id = ?1 AND " SCOPE_SQL_TIP("t");

	memset(out, 0, sizeof(*out));
	return scope_find_one(db, sql, scope, public_id, TIP_TRIAGE_ID_MAX,
	    tt_fill_facts, out);
}

/*
 * Run the scoped query sql for tip row tip_id (?1; ?2 is
 * TIP_TRIAGE_RELATED_MAX, for the queries that have a LIMIT) and hand each
 * row to row, which returns non-zero to stop.
 */
static enum storage_status
tt_each(struct db *db, const struct scope *scope, const char *sql,
    int64_t tip_id, int (*row)(sqlite3_stmt *st, void *arg), void *arg)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if ((rc = scope_prepare(db, sql, scope, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, tip_id);
	/* The scope's ?90 and ?91 make ?2 a slot of every statement. */
	sqlite3_bind_int(st, 2, TIP_TRIAGE_RELATED_MAX);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		if (row(st, arg) != 0) {
			r = SQLITE_DONE;
			break;
		}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}

/* The caller's callback and argument, for the row adapters below. */
struct tt_walk {
	int (*event)(void *arg, const struct tip_triage_event *e);
	int (*related)(void *arg, const struct tip_triage_related *r);
	int (*kase)(void *arg, const struct tip_triage_case *c);
	void *arg;
};

/* The (public_id, status, bureau) columns 0 to 2 of a tip or a case. */
static void
tt_columns_ref(sqlite3_stmt *st, char public_id[TIP_TRIAGE_ID_MAX],
    char status[TIP_TRIAGE_STATUS_MAX], char bureau[TIP_TRIAGE_CODE_MAX])
{
	scope_column_text(public_id, TIP_TRIAGE_ID_MAX, st, 0);
	scope_column_text(status, TIP_TRIAGE_STATUS_MAX, st, 1);
	scope_column_text(bureau, TIP_TRIAGE_CODE_MAX, st, 2);
}

static int
tt_event_row(sqlite3_stmt *st, void *arg)
{
	struct tt_walk *wk = arg;
	struct tip_triage_event e;

	e.at = sqlite3_column_int64(st, 0);
	e.login = (const char *)sqlite3_column_text(st, 1);
	e.kind = (const char *)sqlite3_column_text(st, 2);
	e.detail = (const char *)sqlite3_column_text(st, 3);
	if (e.kind == NULL)
		e.kind = "";
	return wk->event(wk->arg, &e);
}

/* See tip_triage.h. */
enum storage_status
tip_triage_events(struct db *db, const struct scope *scope, int64_t tip_id,
    int (*cb)(void *arg, const struct tip_triage_event *e), void *arg)
{
	static const char sql[] =
	    "SELECT e.at, u.login, e.kind, e.detail FROM tip_events e"
	    " JOIN tips t ON t.id = e.tip_id LEFT JOIN users u ON"
	    " u.id = e.user_id WHERE t.id = ?1 AND " SCOPE_SQL_TIP("t")
	    " ORDER BY e.at, e.id";
	struct tt_walk wk = { .event = cb, .arg = arg };

	return tt_each(db, scope, sql, tip_id, tt_event_row, &wk);
}

/*
 * The relatives of tip ?1 (itself in scope) with the reason bits, as
 * (rel.id, why) rows; pasted into the list and the count.  Both the tip
 * and each relative are bounded by the scope.
 */
#define TT_RELATED_CTE \
	"WITH me AS (SELECT t.id, t.institution_id, t.duplicate_of," \
	"  t.contact_mac" \
	"  FROM tips t WHERE t.id = ?1 AND " SCOPE_SQL_TIP("t") ")," \
	" rel(id, why) AS (" \
	"  SELECT o.id, 1 FROM me JOIN tips o ON" \
	"   o.institution_id = me.institution_id AND o.id <> me.id" \
	"  UNION SELECT a2.tip_id, 2 FROM me JOIN attachments a1 ON" \
	"   a1.tip_id = me.id JOIN attachments a2 ON" \
	"   a2.content_mac = a1.content_mac AND a2.tip_id <> me.id" \
	"  UNION SELECT r2.tip_id, 4 FROM me JOIN tip_report_numbers r1 ON" \
	"   r1.tip_id = me.id JOIN tip_report_numbers r2 ON" \
	"   r2.number_mac = r1.number_mac AND r2.tip_id <> me.id" \
	"  UNION SELECT o.id, 8 FROM me JOIN tips o ON" \
	"   (o.id = me.duplicate_of OR o.duplicate_of = me.id)" \
	"   AND o.id <> me.id" \
	"  UNION SELECT o.id, 16 FROM me JOIN tips o ON" \
	"   o.contact_mac = me.contact_mac AND o.id <> me.id)"

static int
tt_related_row(sqlite3_stmt *st, void *arg)
{
	struct tt_walk *wk = arg;
	struct tip_triage_related rel;

	tt_columns_ref(st, rel.public_id, rel.status, rel.bureau);
	rel.reasons = (unsigned)sqlite3_column_int(st, 3);
	return wk->related(wk->arg, &rel);
}

/* See tip_triage.h. */
enum storage_status
tip_triage_related(struct db *db, const struct scope *scope, int64_t tip_id,
    int (*cb)(void *arg, const struct tip_triage_related *r), void *arg)
{
	static const char sql[] = TT_RELATED_CTE
	    " SELECT o.public_id, o.status, o.bureau, sum(rel.why)"
	    " FROM rel JOIN tips o ON o.id = rel.id WHERE "
	    SCOPE_SQL_TIP("o") " GROUP BY o.id"
	    " ORDER BY o.received_at DESC, o.id DESC LIMIT ?2";
	struct tt_walk wk = { .related = cb, .arg = arg };

	return tt_each(db, scope, sql, tip_id, tt_related_row, &wk);
}

static int
tt_count_row(sqlite3_stmt *st, void *arg)
{
	*(long *)arg = (long)sqlite3_column_int64(st, 0);
	return 1;
}

/* See tip_triage.h. */
enum storage_status
tip_triage_related_count(struct db *db, const struct scope *scope,
    int64_t tip_id, long *count)
{
	static const char sql[] = TT_RELATED_CTE
	    " SELECT count(DISTINCT o.id) FROM rel JOIN tips o ON"
	    " o.id = rel.id WHERE " SCOPE_SQL_TIP("o");

	*count = 0;
	return tt_each(db, scope, sql, tip_id, tt_count_row, count);
}

static int
tt_case_row(sqlite3_stmt *st, void *arg)
{
	struct tt_walk *wk = arg;
	struct tip_triage_case c;

	tt_columns_ref(st, c.public_id, c.status, c.bureau);
	return wk->kase(wk->arg, &c);
}

/* See tip_triage.h. */
enum storage_status
tip_triage_open_cases(struct db *db, const struct scope *scope,
    int64_t tip_id, int (*cb)(void *arg, const struct tip_triage_case *c),
    void *arg)
{
	static const char sql[] =
	    "SELECT c.public_id, c.status, c.bureau FROM tips t JOIN cases c"
	    " ON c.institution_id = t.institution_id WHERE t.id = ?1 AND "
	    SCOPE_SQL_TIP("t") " AND " SCOPE_SQL_TIP("c")
	    " AND c.status <> 'closed' ORDER BY c.created_at DESC, c.id DESC"
	    " LIMIT ?2";
	struct tt_walk wk = { .kase = cb, .arg = arg };

	return tt_each(db, scope, sql, tip_id, tt_case_row, &wk);
}

/* See tip_triage.h. */
enum storage_status
tip_triage_add_report_macs(struct db *db, int64_t tip_id,
    const unsigned char (*macs)[TIP_TRIAGE_MAC_BYTES], size_t n)
{
	static const char sql[] =
	    "INSERT OR IGNORE INTO tip_report_numbers (tip_id, number_mac)"
	    " VALUES (?1, ?2)";
	sqlite3_stmt *st = NULL;
	enum storage_status rc;

	if (n == 0)
		return STORAGE_OK;
	if ((rc = scope_prepare(db, sql, NULL, &st)) != STORAGE_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, tip_id);
		sqlite3_bind_blob(st, 2, macs[i], TIP_TRIAGE_MAC_BYTES,
		    SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = db_status_from_sqlite(sqlite3_extended_errcode(
			    db_sqlite(db)));
			break;
		}
	}
	sqlite3_finalize(st);
	return rc;
}
