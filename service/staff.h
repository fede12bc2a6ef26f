/* SPDX-License-Identifier: MIT */
/*
 * What every staff operation shares: the caller (struct staff_user, looked
 * up from the session on every request), the outcome of an operation
 * (enum staff_status, mapped to an HTTP status by the handlers), the role
 * sets of the routes, and time formats.
 *
 * The staff operations themselves are in staff_session.c (login, logout,
 * password change, the session behind each request), staff_tips.c and
 * staff_audit.c; they run on a worker (they read the database, and a
 * login hashes a password) and never on the loop thread.
 */
#ifndef SERVICE_STAFF_H
#define SERVICE_STAFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/scope.h"
#include "storage/sessions.h"
#include "storage/users.h"

#define STAFF_TIME_MAX 32	/* "2022-05-01T08:00:00Z" and NUL */
#define STAFF_MSG_MAX 256

/* Role sets (bit masks of SCOPE_ROLE_BIT). */
#define STAFF_ROLES_ANY (SCOPE_ROLE_BIT(SCOPE_ROLE_ADMIN) | \
	SCOPE_ROLE_BIT(SCOPE_ROLE_TRIAGE) | \
	SCOPE_ROLE_BIT(SCOPE_ROLE_OFFICER) | \
	SCOPE_ROLE_BIT(SCOPE_ROLE_AUDITOR))
/* Who may read tip content and write to tipsters. */
#define STAFF_ROLES_TIPS (SCOPE_ROLE_BIT(SCOPE_ROLE_ADMIN) | \
	SCOPE_ROLE_BIT(SCOPE_ROLE_TRIAGE) | \
	SCOPE_ROLE_BIT(SCOPE_ROLE_OFFICER))
/* Who may read the audit log. */
#define STAFF_ROLES_AUDIT (SCOPE_ROLE_BIT(SCOPE_ROLE_ADMIN) | \
	SCOPE_ROLE_BIT(SCOPE_ROLE_AUDITOR))

/* The logged-in caller of one request. */
struct staff_user {
	int64_t id;
	char login[USERS_LOGIN_MAX + 1];
	struct scope scope;
	bool must_change;		/* only the password change is allowed */
	char csrf[SESSIONS_CSRF_MAX];
	unsigned char token_hash[SESSIONS_HASH_BYTES];
};

enum staff_status {
	STAFF_OK = 0,
	STAFF_UNAUTHENTICATED,	/* 401: no live session, or bad credentials */
	STAFF_FORBIDDEN,	/* 403: the role may not do this */
	STAFF_NOT_FOUND,	/* 404: missing, or outside the caller's scope */
	STAFF_INVALID,		/* 400: a parameter is wrong */
	STAFF_TRANSIENT,	/* 503: database busy, disk full: retry */
	STAFF_FAILED,		/* 500: a bug or a damaged store */
	STAFF_CONFLICT,		/* 409: the object's state forbids it */
};

/* The HTTP status of a staff status. */
int staff_status_http(enum staff_status st);

/* Map a storage status (NOTFOUND -> STAFF_NOT_FOUND, transient ones ->
 * STAFF_TRANSIENT, INVALID -> STAFF_INVALID, else STAFF_FAILED). */
enum staff_status staff_status_from_storage(int storage_status);

/* Whether the caller's role is in the set roles (STAFF_ROLES_*). */
bool staff_user_has_role(const struct staff_user *u, unsigned roles);

/* Unix seconds as RFC 3339 UTC ("2022-05-01T08:00:00Z") into buf. */
void staff_time_format(int64_t t, char buf[STAFF_TIME_MAX]);

/*
 * Parse a time given by a person: "YYYY-MM-DD" (a day in China Standard
 * Time, UTC+8: its first second, or its last when end_of_day) or
 * "YYYY-MM-DDTHH:MM:SSZ" (UTC).  Returns 0 and *out, or -1.
 */
int staff_time_parse(const char *s, bool end_of_day, int64_t *out);

/* A code or id as people and URLs write it: [A-Za-z0-9_-], 1 to max-1
 * bytes. */
bool staff_valid_code(const char *s, size_t max);

/* A whole decimal number (digits only) in [min, max]: 0 and *out, or -1. */
int staff_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
