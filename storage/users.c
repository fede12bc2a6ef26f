/* SPDX-License-Identifier: MIT */
/*
 * Staff accounts: creation, look-up by login or id, password and disabled
 * changes, listing.  Sessions are in sessions.c; the audit entries that
 * go with each change are the caller's (inside its transaction when it
 * wants them to commit together).  Load: one look-up per staff request.
 */
#include "storage/users.h"

#include <stdio.h>
#include <string.h>

enum storage_status
users_create(struct db *db, const char *login, const char *role,
    const char *bureau, const char *pw_hash, bool must_change, int64_t now)
{
	static const char sql[] =
	    "INSERT INTO users (login, role, bureau, pw_hash, must_change,"
	    " disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)";
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if (login == NULL || login[0] == '\0' || role == NULL ||
	    pw_hash == NULL)
		return STORAGE_ERR_INVALID;
	if (strcmp(role, "officer") == 0 && (bureau == NULL || !bureau[0]))
		return STORAGE_ERR_INVALID;
	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
	if (bureau != NULL && bureau[0] != '\0')
		sqlite3_bind_text(st, 3, bureau, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, pw_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, must_change ? 1 : 0);
	sqlite3_bind_int64(st, 6, now);
	sqlite3_bind_int64(st, 7, now);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE)
		rc = STORAGE_OK;
	else if ((sqlite3_extended_errcode(db_sqlite(db)) & 0xff) ==
	    SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(db_sqlite(db)) != SQLITE_CONSTRAINT_UNIQUE)
		rc = STORAGE_ERR_INVALID;	/* CHECK or FOREIGN KEY */
	else
		rc = db_status_from_sqlite(sqlite3_extended_errcode(
		    db_sqlite(db)));
	sqlite3_finalize(st);
	return rc;
}

long
users_count(struct db *db)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT count(*) FROM users",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

#define USERS_COLUMNS "id, login, role, bureau, pw_hash, must_change, " \
	"disabled, created_at, updated_at"

static void
users_copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	(void)snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

/* Fill *u from a row of USERS_COLUMNS. */
static void
users_from_row(sqlite3_stmt *st, struct users_row *u, bool with_hash)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	users_copy_text(u->login, sizeof(u->login), st, 1);
	users_copy_text(u->role, sizeof(u->role), st, 2);
	users_copy_text(u->bureau, sizeof(u->bureau), st, 3);
	if (with_hash)
		users_copy_text(u->pw_hash, sizeof(u->pw_hash), st, 4);
	u->must_change = sqlite3_column_int(st, 5) != 0;
	u->disabled = sqlite3_column_int(st, 6) != 0;
	u->created_at = sqlite3_column_int64(st, 7);
	u->updated_at = sqlite3_column_int64(st, 8);
}

/* One-row look-up by a text or an integer key. */
static enum storage_status
users_lookup(struct db *db, const char *sql, const char *login, int64_t id,
    struct users_row *out)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	if (login != NULL)
		sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		users_from_row(st, out, true);
		rc = STORAGE_OK;
	} else if (r == SQLITE_DONE)
		rc = STORAGE_ERR_NOTFOUND;
	else
		rc = db_status_from_sqlite(r);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Look an account up by login.  STORAGE_ERR_NOTFOUND if none (also for
 * NULL or a login too long to exist).
 */
enum storage_status
users_find(struct db *db, const char *login, struct users_row *out)
{
	if (login == NULL || strlen(login) > USERS_LOGIN_MAX)
		return STORAGE_ERR_NOTFOUND;
	return users_lookup(db, "SELECT " USERS_COLUMNS " FROM users WHERE "
	    "login = ?1", login, 0, out);
}

/* Look an account up by row id.  STORAGE_ERR_NOTFOUND if none. */
enum storage_status
users_get(struct db *db, int64_t id, struct users_row *out)
{
	return users_lookup(db, "SELECT " USERS_COLUMNS " FROM users WHERE "
	    "id = ?1", NULL, id, out);
}

/* Run an UPDATE of one user row; NOTFOUND if it changed nothing. */
static enum storage_status
users_update(struct db *db, const char *sql, const char *text, int flag,
    int64_t id, int64_t now)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	if (text != NULL)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, flag);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, id);
	r = sqlite3_step(st);
	if (r != SQLITE_DONE)
		rc = db_status_from_sqlite(r);
	else
		rc = sqlite3_changes(db_sqlite(db)) > 0 ? STORAGE_OK :
		    STORAGE_ERR_NOTFOUND;
	sqlite3_finalize(st);
	return rc;
}

/*
 * Set user id's password hash and must_change flag.  NOTFOUND if no such
 * user, INVALID for an empty hash.
 */
enum storage_status
users_set_password(struct db *db, int64_t id, const char *pw_hash,
    bool must_change, int64_t now)
{
	if (pw_hash == NULL || pw_hash[0] == '\0')
		return STORAGE_ERR_INVALID;
	return users_update(db, "UPDATE users SET pw_hash = ?1, must_change ="
	    " ?2, updated_at = ?3 WHERE id = ?4", pw_hash, must_change ? 1 : 0,
	    id, now);
}

/* Set or clear user id's disabled flag.  NOTFOUND if no such user. */
enum storage_status
users_set_disabled(struct db *db, int64_t id, bool disabled, int64_t now)
{
	return users_update(db, "UPDATE users SET disabled = ?2, updated_at ="
	    " ?3 WHERE id = ?4", NULL, disabled ? 1 : 0, id, now);
}

/*
 * Every account in login order to cb (without its password hash).  cb's
 * non-zero return stops the walk (still STORAGE_OK).
 */
enum storage_status
users_list(struct db *db, int (*cb)(void *arg, const struct users_row *u),
    void *arg)
{
	sqlite3_stmt *st = NULL;
	struct users_row u;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "SELECT " USERS_COLUMNS
	    " FROM users ORDER BY login", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		users_from_row(st, &u, false);
		if (cb(arg, &u) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}
