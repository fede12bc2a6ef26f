/* SPDX-License-Identifier: MIT */
/*
 * Staff session rows (see sessions.h).  The token hash is the primary key,
 * so a look-up is one index probe joined with the account row.  Load: one
 * look-up per staff request, a write only when last_seen is stale by more
 * than touch_every seconds (so that a busy page does not fsync the WAL on
 * every click), and one purge of expired rows per login.
 */
#include "storage/sessions.h"

#include <stdio.h>
#include <string.h>

/*
 * Insert a session row.  The caller made the token and its hash; csrf is
 * at most SESSIONS_CSRF_MAX - 1 bytes.  EXISTS on a hash clash, INVALID
 * for a bad argument.
 */
enum storage_status
sessions_create(struct db *db, const unsigned char hash[SESSIONS_HASH_BYTES],
    int64_t user_id, const char *csrf, int64_t now)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	int r;

	if (hash == NULL || csrf == NULL || csrf[0] == '\0' ||
	    strlen(csrf) >= SESSIONS_CSRF_MAX)
		return STORAGE_ERR_INVALID;
	r = sqlite3_prepare_v2(db_sqlite(db), "INSERT INTO sessions "
	    "(token_hash, user_id, csrf_token, created_at, last_seen) VALUES "
	    "(?1, ?2, ?3, ?4, ?4)", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_blob(st, 1, hash, SESSIONS_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	r = sqlite3_step(st);
	rc = r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(
	    sqlite3_extended_errcode(db_sqlite(db)));
	sqlite3_finalize(st);
	return rc;
}

static void
sessions_copy_text(char *dst, size_t len, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	(void)snprintf(dst, len, "%s", t != NULL ? (const char *)t : "");
}

/* Run a statement whose first parameter is the token hash. */
static enum storage_status
sessions_exec_hash(struct db *db, const char *sql,
    const unsigned char hash[SESSIONS_HASH_BYTES], int64_t now, int *changes)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_blob(st, 1, hash, SESSIONS_HASH_BYTES, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, now);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return db_status_from_sqlite(r);
	if (changes != NULL)
		*changes = sqlite3_changes(db_sqlite(db));
	return STORAGE_OK;
}

/*
 * Find a live session and its account.  Expired rows are deleted on
 * sight; a disabled account's sessions are deleted too (it can never use
 * them again).  The account's password hash is not returned.
 */
enum storage_status
sessions_lookup(struct db *db, const unsigned char hash[SESSIONS_HASH_BYTES],
    int64_t now, const struct sessions_limits *lim, struct sessions_row *out)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc;
	bool disabled;
	int r;

	memset(out, 0, sizeof(*out));
	if (hash == NULL || lim == NULL)
		return STORAGE_ERR_INVALID;
	r = sqlite3_prepare_v2(db_sqlite(db), "SELECT s.csrf_token, "
	    "s.created_at, s.last_seen, u.id, u.login, u.role, u.bureau, "
	    "u.must_change, u.disabled, u.created_at, u.updated_at FROM "
	    "sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash "
	    "= ?1", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_blob(st, 1, hash, SESSIONS_HASH_BYTES, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_DONE) {
		sqlite3_finalize(st);
		return STORAGE_ERR_NOTFOUND;
	}
	if (r != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_status_from_sqlite(r);
	}
	sessions_copy_text(out->csrf, sizeof(out->csrf), st, 0);
	out->created_at = sqlite3_column_int64(st, 1);
	out->last_seen = sqlite3_column_int64(st, 2);
	out->user.id = sqlite3_column_int64(st, 3);
	sessions_copy_text(out->user.login, sizeof(out->user.login), st, 4);
	sessions_copy_text(out->user.role, sizeof(out->user.role), st, 5);
	sessions_copy_text(out->user.bureau, sizeof(out->user.bureau), st, 6);
	out->user.must_change = sqlite3_column_int(st, 7) != 0;
	disabled = out->user.disabled = sqlite3_column_int(st, 8) != 0;
	out->user.created_at = sqlite3_column_int64(st, 9);
	out->user.updated_at = sqlite3_column_int64(st, 10);
	sqlite3_finalize(st);

	if (disabled || now - out->last_seen > lim->idle ||
	    now - out->created_at > lim->absolute ||
	    out->created_at > now + 60) {
		/* Gone for good: best effort, the answer is NOTFOUND anyway. */
		(void)sessions_exec_hash(db, "DELETE FROM sessions WHERE "
		    "token_hash = ?1", hash, now, NULL);
		memset(out, 0, sizeof(*out));
		return STORAGE_ERR_NOTFOUND;
	}
	if (now - out->last_seen >= lim->touch_every) {
		rc = sessions_exec_hash(db, "UPDATE sessions SET last_seen = ?2"
		    " WHERE token_hash = ?1", hash, now, NULL);
		if (rc != STORAGE_OK) {
			memset(out, 0, sizeof(*out));
			return rc;
		}
		out->last_seen = now;
	}
	return STORAGE_OK;
}

/* Delete one session by its token hash; NOTFOUND if there was none. */
enum storage_status
sessions_delete(struct db *db, const unsigned char hash[SESSIONS_HASH_BYTES])
{
	enum storage_status rc;
	int n = 0;

	if (hash == NULL)
		return STORAGE_ERR_INVALID;
	rc = sessions_exec_hash(db, "DELETE FROM sessions WHERE token_hash ="
	    " ?1", hash, 0, &n);
	if (rc == STORAGE_OK && n == 0)
		rc = STORAGE_ERR_NOTFOUND;
	return rc;
}

/* Delete the sessions of user_id other than keep (NULL: all). */
enum storage_status
sessions_delete_user(struct db *db, int64_t user_id, const unsigned char *keep,
    long *n)
{
	sqlite3_stmt *st = NULL;
	int r;

	if (n != NULL)
		*n = 0;
	r = sqlite3_prepare_v2(db_sqlite(db), "DELETE FROM sessions WHERE "
	    "user_id = ?1 AND token_hash IS NOT ?2", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, user_id);
	if (keep != NULL)
		sqlite3_bind_blob(st, 2, keep, SESSIONS_HASH_BYTES,
		    SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return db_status_from_sqlite(r);
	if (n != NULL)
		*n = (long)sqlite3_changes(db_sqlite(db));
	return STORAGE_OK;
}

/* Delete every session past its idle or absolute limit. */
enum storage_status
sessions_purge(struct db *db, int64_t now, const struct sessions_limits *lim)
{
	sqlite3_stmt *st = NULL;
	int r;

	r = sqlite3_prepare_v2(db_sqlite(db), "DELETE FROM sessions WHERE "
	    "last_seen < ?1 OR created_at < ?2", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	sqlite3_bind_int64(st, 1, now - lim->idle);
	sqlite3_bind_int64(st, 2, now - lim->absolute);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? STORAGE_OK : db_status_from_sqlite(r);
}
