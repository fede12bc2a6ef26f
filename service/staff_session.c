/* SPDX-License-Identifier: MIT */
/*
 * Staff sessions (see staff_session.h).  Everything here runs on a worker:
 * each call reads or writes the database, and login and password change
 * run Argon2id.  The loop thread only passes tokens and results along.
 */
#include "service/staff_session.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "service/log.h"
#include "service/password.h"
#include "storage/audit.h"
#include "storage/sessions.h"
#include "storage/users.h"

static const struct sessions_limits staff_limits = {
	.idle = STAFF_SESSION_IDLE,
	.absolute = STAFF_SESSION_ABSOLUTE,
	.touch_every = STAFF_SESSION_TOUCH,
};

/* 64 lowercase hex digits. */
bool
staff_session_valid_token(const char *token)
{
	size_t i;

	if (token == NULL)
		return false;
	for (i = 0; i < STAFF_TOKEN_HEX; i++)
		if (!((token[i] >= '0' && token[i] <= '9') ||
		    (token[i] >= 'a' && token[i] <= 'f')))
			return false;
	return token[i] == '\0';
}

/* BLAKE2b-256 of the token text. */
void
staff_session_hash(const char *token, unsigned char out[SESSIONS_HASH_BYTES])
{
	crypto_generichash(out, SESSIONS_HASH_BYTES,
	    (const unsigned char *)token, strlen(token), NULL, 0);
}

/* 32 random bytes as 64 hex digits. */
static void
staff_random_hex(char out[STAFF_TOKEN_HEX + 1])
{
	unsigned char b[STAFF_TOKEN_HEX / 2];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, STAFF_TOKEN_HEX + 1, b, sizeof(b));
	sodium_memzero(b, sizeof(b));
}

/* Fill u from a session row; false if the row's role makes no scope. */
static bool
staff_user_from(struct staff_user *u, const struct users_row *row,
    const char *csrf)
{
	memset(u, 0, sizeof(*u));
	if (!scope_set(&u->scope, row->role, row->bureau))
		return false;
	u->id = row->id;
	(void)snprintf(u->login, sizeof(u->login), "%s", row->login);
	u->must_change = row->must_change;
	(void)snprintf(u->csrf, sizeof(u->csrf), "%s", csrf);
	return true;
}

/* The session behind token, looked up on every staff request. */
enum staff_status
staff_session_resolve(struct service_worker *w, const char *token,
    int64_t now, struct staff_user *u)
{
	unsigned char h[SESSIONS_HASH_BYTES];
	struct sessions_row row;
	enum storage_status st;

	memset(u, 0, sizeof(*u));
	if (!staff_session_valid_token(token))
		return STAFF_UNAUTHENTICATED;
	staff_session_hash(token, h);
	st = sessions_lookup(w->db, h, now, &staff_limits, &row);
	if (st == STORAGE_ERR_NOTFOUND)
		return STAFF_UNAUTHENTICATED;
	if (st != STORAGE_OK)
		return staff_status_from_storage(st);
	if (!staff_user_from(u, &row.user, row.csrf)) {
		log_warnx("session of user id=%lld has no usable role",
		    (long long)row.user.id);
		sodium_memzero(&row, sizeof(row));
		return STAFF_UNAUTHENTICATED;
	}
	memcpy(u->token_hash, h, sizeof(h));
	sodium_memzero(&row, sizeof(row));
	return STAFF_OK;
}

/* Audit a failed login; the answer does not depend on this succeeding. */
static void
staff_audit_fail(struct service_worker *w, int64_t now, const char *login,
    const char *reason)
{
	char object[USERS_LOGIN_MAX + 8];
	enum storage_status st;

	if (login != NULL)
		(void)snprintf(object, sizeof(object), "user:%s", login);
	st = audit_append(w->db, now, login, "login.fail",
	    login != NULL ? object : NULL, reason);
	if (st != STORAGE_OK)
		log_warnx("audit of a failed login: %s",
		    storage_status_str(st));
}

/* See staff_session.h. */
enum staff_status
staff_session_login(struct service_worker *w, const char *login,
    const char *password, const char *old_token, int64_t now,
    char token[STAFF_TOKEN_HEX + 1], struct staff_user *u)
{
	unsigned char h[SESSIONS_HASH_BYTES];
	char csrf[STAFF_TOKEN_HEX + 1], object[USERS_LOGIN_MAX + 8];
	struct users_row row;
	enum storage_status st;
	bool ok;

	memset(u, 0, sizeof(*u));
	token[0] = '\0';
	if (login == NULL || password == NULL)
		return STAFF_INVALID;
	st = users_find(w->db, login, &row);
	if (st != STORAGE_OK && st != STORAGE_ERR_NOTFOUND)
		return staff_status_from_storage(st);
	if (st == STORAGE_ERR_NOTFOUND ||
	    strlen(password) > PASSWORD_MAX_BYTES) {
		/* The same Argon2id work as a wrong password. */
		(void)password_matches_dummy(password);
		staff_audit_fail(w, now, st == STORAGE_OK ? row.login : NULL,
		    st == STORAGE_OK ? "wrong password" : "unknown account");
		sodium_memzero(&row, sizeof(row));
		return STAFF_UNAUTHENTICATED;
	}
	ok = password_matches(password, row.pw_hash);
	if (!ok || row.disabled || !staff_user_from(u, &row, "")) {
		staff_audit_fail(w, now, row.login, !ok ? "wrong password" :
		    row.disabled ? "account disabled" : "account has no role");
		sodium_memzero(&row, sizeof(row));
		memset(u, 0, sizeof(*u));
		return STAFF_UNAUTHENTICATED;
	}

	staff_random_hex(token);
	staff_random_hex(csrf);
	staff_session_hash(token, h);
	(void)snprintf(object, sizeof(object), "user:%s", row.login);
	if ((st = db_begin(w->db)) != STORAGE_OK)
		goto fail;
	(void)sessions_purge(w->db, now, &staff_limits);
	if (staff_session_valid_token(old_token)) {
		unsigned char oh[SESSIONS_HASH_BYTES];

		staff_session_hash(old_token, oh);
		(void)sessions_delete(w->db, oh);
	}
	if ((st = sessions_create(w->db, h, row.id, csrf, now)) != STORAGE_OK ||
	    (st = audit_append(w->db, now, row.login, "login", object,
	    NULL)) != STORAGE_OK ||
	    (st = db_commit(w->db)) != STORAGE_OK) {
		db_rollback(w->db);
		goto fail;
	}
	(void)snprintf(u->csrf, sizeof(u->csrf), "%s", csrf);
	memcpy(u->token_hash, h, sizeof(h));
	sodium_memzero(csrf, sizeof(csrf));
	sodium_memzero(&row, sizeof(row));
	return STAFF_OK;
fail:
	sodium_memzero(token, STAFF_TOKEN_HEX + 1);
	sodium_memzero(csrf, sizeof(csrf));
	sodium_memzero(&row, sizeof(row));
	memset(u, 0, sizeof(*u));
	log_warnx("login: cannot open a session: %s", storage_status_str(st));
	return staff_status_from_storage(st);
}

/* Delete the caller's session, with its audit entry. */
enum staff_status
staff_session_logout(struct service_worker *w, const struct staff_user *u,
    int64_t now)
{
	char object[USERS_LOGIN_MAX + 8];
	enum storage_status st;

	(void)snprintf(object, sizeof(object), "user:%s", u->login);
	if ((st = db_begin(w->db)) != STORAGE_OK)
		return staff_status_from_storage(st);
	st = sessions_delete(w->db, u->token_hash);
	if (st == STORAGE_ERR_NOTFOUND)
		st = STORAGE_OK;	/* ended meanwhile: same outcome */
	if (st == STORAGE_OK)
		st = audit_append(w->db, now, u->login, "logout", object,
		    NULL);
	if (st == STORAGE_OK)
		st = db_commit(w->db);
	if (st != STORAGE_OK) {
		db_rollback(w->db);
		return staff_status_from_storage(st);
	}
	return STAFF_OK;
}

/* See staff_session.h. */
enum staff_status
staff_session_change_password(struct service_worker *w, struct staff_user *u,
    const char *old_pw, const char *new_pw, int64_t now, char *msg,
    size_t msglen)
{
	char hash[PASSWORD_HASH_MAX], object[USERS_LOGIN_MAX + 8];
	struct users_row row;
	enum storage_status st;
	const char *why = NULL;
	long ended = 0;

	msg[0] = '\0';
	if (old_pw == NULL || new_pw == NULL) {
		(void)snprintf(msg, msglen, "give the current and the new "
		    "password");
		return STAFF_INVALID;
	}
	if ((st = users_get(w->db, u->id, &row)) != STORAGE_OK)
		return staff_status_from_storage(st);
	if (strlen(old_pw) > PASSWORD_MAX_BYTES ||
	    !password_matches(old_pw, row.pw_hash)) {
		sodium_memzero(&row, sizeof(row));
		(void)snprintf(msg, msglen, "the current password is wrong");
		(void)audit_append(w->db, now, u->login, "user.passwd.fail",
		    NULL, "wrong current password");
		return STAFF_FORBIDDEN;
	}
	sodium_memzero(&row, sizeof(row));
	if (!password_valid_new(new_pw, &why)) {
		(void)snprintf(msg, msglen, "%s", why);
		return STAFF_INVALID;
	}
	if (strcmp(old_pw, new_pw) == 0) {
		(void)snprintf(msg, msglen, "the new password must differ "
		    "from the current one");
		return STAFF_INVALID;
	}
	if (password_hash(new_pw, hash) != 0) {
		(void)snprintf(msg, msglen, "out of memory");
		return STAFF_TRANSIENT;
	}
	(void)snprintf(object, sizeof(object), "user:%s", u->login);
	if ((st = db_begin(w->db)) != STORAGE_OK)
		goto fail;
	if ((st = users_set_password(w->db, u->id, hash, false, now)) !=
	    STORAGE_OK ||
	    (st = sessions_delete_user(w->db, u->id, u->token_hash, &ended)) !=
	    STORAGE_OK ||
	    (st = audit_append(w->db, now, u->login, "user.passwd", object,
	    "changed by the user")) != STORAGE_OK ||
	    (st = db_commit(w->db)) != STORAGE_OK) {
		db_rollback(w->db);
		goto fail;
	}
	sodium_memzero(hash, sizeof(hash));
	u->must_change = false;
	return STAFF_OK;
fail:
	sodium_memzero(hash, sizeof(hash));
	(void)snprintf(msg, msglen, "cannot store the password: %s",
	    storage_status_str(st));
	return staff_status_from_storage(st);
}

/* Constant-time comparison of the CSRF token. */
bool
staff_session_csrf_ok(const struct staff_user *u, const char *given)
{
	size_t n;

	if (u == NULL || given == NULL || u->csrf[0] == '\0')
		return false;
	n = strlen(u->csrf);
	if (strlen(given) != n)
		return false;
	return sodium_memcmp(u->csrf, given, n) == 0;
}
