/* SPDX-License-Identifier: MIT */
/*
 * The caller's scope (see scope.h): role names, and binding the two SQL
 * parameters that every scoped query carries.  No state; thread-safe.
 */
#include "storage/scope.h"

#include <stdio.h>
#include <string.h>

static const char *const scope_names[] = {
	[SCOPE_ROLE_NONE] = "none",
	[SCOPE_ROLE_ADMIN] = "admin",
	[SCOPE_ROLE_TRIAGE] = "triage",
	[SCOPE_ROLE_OFFICER] = "officer",
	[SCOPE_ROLE_AUDITOR] = "auditor",
};

#define SCOPE_NROLES (sizeof(scope_names) / sizeof(scope_names[0]))

/* The SQL mode of a scope: 1 every tip, 2 one bureau, 0 none. */
static int
scope_mode(const struct scope *s)
{
	switch (s->role) {
	case SCOPE_ROLE_ADMIN:
	case SCOPE_ROLE_TRIAGE:
		return 1;
	case SCOPE_ROLE_OFFICER:
		return s->bureau[0] != '\0' ? 2 : 0;
	default:
		return 0;
	}
}

/*
 * Role from its name.  Returns SCOPE_ROLE_NONE for NULL or an unknown
 * name.
 */
enum scope_role
scope_role_from_name(const char *name)
{
	if (name == NULL)
		return SCOPE_ROLE_NONE;
	for (size_t i = 1; i < SCOPE_NROLES; i++)
		if (strcmp(name, scope_names[i]) == 0)
			return (enum scope_role)i;
	return SCOPE_ROLE_NONE;
}

/* The role's name ("none" for anything unknown); a static string. */
const char *
scope_role_name(enum scope_role role)
{
	if ((size_t)role >= SCOPE_NROLES)
		return "none";
	return scope_names[role];
}

/*
 * Fill s from a role name and a bureau code.  Returns false (and leaves a
 * scope that sees nothing) for an unknown role, an officer without a
 * bureau or a bureau code too long to be one.
 */
bool
scope_set(struct scope *s, const char *role, const char *bureau)
{
	memset(s, 0, sizeof(*s));
	if (bureau != NULL && strlen(bureau) >= sizeof(s->bureau))
		return false;
	s->role = scope_role_from_name(role);
	if (bureau != NULL)
		(void)snprintf(s->bureau, sizeof(s->bureau), "%s", bureau);
	if (s->role == SCOPE_ROLE_NONE ||
	    (s->role == SCOPE_ROLE_OFFICER && s->bureau[0] == '\0')) {
		memset(s, 0, sizeof(*s));
		return false;
	}
	return true;
}

/* Whether s may see any tip content. */
bool
scope_sees_tips(const struct scope *s)
{
	return scope_mode(s) != 0;
}

/*
 * Bind the scope parameters.  The statement must use both ?90 and ?91
 * (else STORAGE_ERR_INTERNAL: the query forgot the scope).
 */
enum storage_status
scope_bind(sqlite3_stmt *st, const struct scope *s)
{
	const char *m = sqlite3_bind_parameter_name(st, SCOPE_PARAM_MODE);
	const char *b = sqlite3_bind_parameter_name(st, SCOPE_PARAM_BUREAU);

	if (m == NULL || strcmp(m, "?90") != 0 || b == NULL ||
	    strcmp(b, "?91") != 0)
		return STORAGE_ERR_INTERNAL;
	if (sqlite3_bind_int(st, SCOPE_PARAM_MODE, scope_mode(s)) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, SCOPE_PARAM_BUREAU, s->bureau, -1,
	    SQLITE_TRANSIENT) != SQLITE_OK)
		return STORAGE_ERR_INTERNAL;
	return STORAGE_OK;
}

/* See scope.h. */
enum storage_status
scope_prepare(struct db *db, const char *sql, const struct scope *s,
    sqlite3_stmt **st)
{
	enum storage_status rc = STORAGE_OK;
	int r;

	*st = NULL;
	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	if (s != NULL && (rc = scope_bind(*st, s)) != STORAGE_OK) {
		sqlite3_finalize(*st);
		*st = NULL;
	}
	return rc;
}

/* See scope.h. */
void
scope_column_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	(void)snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

/* See scope.h. */
enum storage_status
scope_find_one(struct db *db, const char *sql, const struct scope *s,
    const char *public_id, size_t max,
    void (*fill)(sqlite3_stmt *st, void *out), void *out)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if (public_id == NULL || strlen(public_id) >= max)
		return STORAGE_ERR_NOTFOUND;
	if ((rc = scope_prepare(db, sql, s, &st)) != STORAGE_OK)
		return rc;
	sqlite3_bind_text(st, 1, public_id, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		fill(st, out);
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? STORAGE_OK : r == SQLITE_DONE ?
	    STORAGE_ERR_NOTFOUND : db_status_from_sqlite(r);
}
