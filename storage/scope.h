/* SPDX-License-Identifier: MIT */
/*
 * The caller's scope: which tips, attachments, messages and cases a staff
 * member may see or change.  Every storage query that returns or changes
 * one of those takes a struct scope and filters in SQL, so that a handler
 * cannot forget the check:
 *
 *   admin, triage   every tip
 *   officer         the tips whose bureau is the officer's own
 *   auditor         no tip content at all (the audit log only)
 *
 * An object outside the scope is STORAGE_ERR_NOTFOUND, exactly like a
 * missing one.  Queries name the scope through two numbered SQL
 * parameters, ?90 (mode) and ?91 (bureau), by pasting SCOPE_SQL_TIP("t");
 * scope_bind() fills them and fails if the statement lacks them.  (Fixed
 * numbers rather than names: a named parameter takes the next free
 * number where it first appears and would collide with a query's own
 * ?1, ?2, ...; queries keep their own parameters below 90.)
 */
#ifndef STORAGE_SCOPE_H
#define STORAGE_SCOPE_H

#include <stdbool.h>
#include <sqlite3.h>

#include "storage/db.h"
#include "storage/status.h"

#define SCOPE_BUREAU_MAX 32

enum scope_role {
	SCOPE_ROLE_NONE = 0,	/* not logged in: sees nothing */
	SCOPE_ROLE_ADMIN,
	SCOPE_ROLE_TRIAGE,
	SCOPE_ROLE_OFFICER,
	SCOPE_ROLE_AUDITOR,
};

/* Bit of a role in a role set (SCOPE_ROLE_BIT(SCOPE_ROLE_ADMIN) | ...). */
#define SCOPE_ROLE_BIT(role) (1u << (unsigned)(role))

struct scope {
	enum scope_role role;
	char bureau[SCOPE_BUREAU_MAX];	/* the officer's bureau, else "" */
};

#define SCOPE_PARAM_MODE 90
#define SCOPE_PARAM_BUREAU 91

/*
 * The SQL condition "tip alias t is in the caller's scope", to be ANDed
 * into a WHERE clause: mode 1 sees every tip, mode 2 the tips of the
 * bureau, anything else none.
 */
#define SCOPE_SQL_TIP(t) \
	"(?90 = 1 OR (?90 = 2 AND " t ".bureau = ?91))"

/*
 * The SQL condition "case alias c is in the caller's scope": the same
 * rule as for tips, on the case's bureau in charge.
 */
#define SCOPE_SQL_CASE(c) \
	"(?90 = 1 OR (?90 = 2 AND " c ".bureau = ?91))"

/*
 * Set a scope from a role name ("admin", "triage", "officer", "auditor")
 * and a bureau code (may be NULL).  An officer without a bureau, or an
 * unknown role, gives SCOPE_ROLE_NONE (which sees nothing) and false.
 */
bool scope_set(struct scope *s, const char *role, const char *bureau);

/* The role's name, or "none". */
const char *scope_role_name(enum scope_role role);

/* Role from its name; SCOPE_ROLE_NONE if unknown. */
enum scope_role scope_role_from_name(const char *name);

/* Whether the scope may see tip content at all (admin, triage, officer). */
bool scope_sees_tips(const struct scope *s);

/*
 * Bind the scope parameters ?90 and ?91 of st for s.
 * STORAGE_ERR_INTERNAL if the statement does not use them (a query that
 * forgot the scope), else STORAGE_OK.
 */
enum storage_status scope_bind(sqlite3_stmt *st, const struct scope *s);

/*
 * Prepare sql on db and, when s is not NULL, bind its scope
 * (scope_bind()): the one way scoped storage modules open a statement.
 * On failure *st is NULL.
 */
enum storage_status scope_prepare(struct db *db, const char *sql,
    const struct scope *s, sqlite3_stmt **st);

/* Copy text column col of st into dst (len bytes), "" for NULL. */
void scope_column_text(char *dst, size_t len, sqlite3_stmt *st, int col);

/*
 * Run the query sql, with the scope s bound and public_id as ?1, and hand
 * its first row to fill.  STORAGE_ERR_NOTFOUND when there is no row, or
 * when public_id is NULL or not shorter than max bytes (no id that long
 * exists).
 */
enum storage_status scope_find_one(struct db *db, const char *sql,
    const struct scope *s, const char *public_id, size_t max,
    void (*fill)(sqlite3_stmt *st, void *out), void *out);

#endif
