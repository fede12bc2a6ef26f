/* SPDX-License-Identifier: MIT */
/*
 * `tipline user …` (see user_cmd.h).  Argon2id runs here on the command
 * line's own thread: there is no event loop to keep responsive.  Changes
 * that take rights away (passwd, disable) also end the account's sessions,
 * so they count at once on a running server.
 */
#include "service/user_cmd.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "service/password.h"
#include "service/service.h"
#include "storage/audit.h"
#include "storage/db.h"
#include "storage/scope.h"
#include "storage/sessions.h"
#include "storage/users.h"

#define USER_CMD_USAGE 1	/* contract: 0 or 1, usage errors too */
#define USER_CMD_ACTOR "cli"

/* A login: 1 to USERS_LOGIN_MAX of [a-z0-9._-], starting with [a-z0-9]. */
static bool
user_cmd_valid_login(const char *s)
{
	size_t n;

	if (s == NULL || !((s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' &&
		    s[n] <= '9') || s[n] == '.' || s[n] == '_' || s[n] == '-'))
			return false;
	return n <= USERS_LOGIN_MAX;
}

/* Open the store's database (read-write, schema brought up to date). */
static int
user_cmd_open(const struct config *cfg, struct db **db)
{
	char path[CONFIG_PATH_MAX + 32], err[512];

	*db = NULL;
	if (!service_is_initialised(cfg)) {
		fprintf(stderr, "tipline: %s is not initialised; run tipline "
		    "init\n", cfg->data_dir);
		return -1;
	}
	(void)snprintf(path, sizeof(path), "%s/%s", cfg->data_dir,
	    SERVICE_DB_NAME);
	if (db_open(path, 0, db, err, sizeof(err)) != STORAGE_OK) {
		fprintf(stderr, "tipline: %s\n", err);
		return -1;
	}
	return 0;
}

static int
user_cmd_add(struct db *db, const char *login, const struct options *o,
    FILE *out)
{
	char password[PASSWORD_ONE_TIME_LEN + 1], hash[PASSWORD_HASH_MAX];
	char object[USERS_LOGIN_MAX + 8], reason[96];
	enum scope_role role = scope_role_from_name(o->role);
	enum storage_status st;
	int64_t now = (int64_t)time(NULL);
	const char *bureau = o->bureau;
	int rc = 1;

	if (o->role == NULL || role == SCOPE_ROLE_NONE) {
		fprintf(stderr, "tipline: user add needs --role admin, triage, "
		    "officer or auditor\n");
		return USER_CMD_USAGE;
	}
	if (role == SCOPE_ROLE_OFFICER && (bureau == NULL || !bureau[0])) {
		fprintf(stderr, "tipline: an officer needs --bureau CODE\n");
		return USER_CMD_USAGE;
	}
	if (bureau != NULL && bureau[0] == '\0')
		bureau = NULL;
	password_generate(password, sizeof(password));
	if (password_hash(password, hash) != 0) {
		fprintf(stderr, "tipline: cannot hash the password (out of "
		    "memory)\n");
		goto out;
	}
	(void)snprintf(object, sizeof(object), "user:%s", login);
	(void)snprintf(reason, sizeof(reason), "role %s%s%s", o->role,
	    bureau != NULL ? ", bureau " : "", bureau != NULL ? bureau : "");
	if ((st = db_begin(db)) != STORAGE_OK)
		goto fail;
	if ((st = users_create(db, login, o->role, bureau, hash, true, now)) !=
	    STORAGE_OK ||
	    (st = audit_append(db, now, USER_CMD_ACTOR, "user.create", object,
	    reason)) != STORAGE_OK ||
	    (st = db_commit(db)) != STORAGE_OK) {
		db_rollback(db);
		goto fail;
	}
	fprintf(out, "login: %s\n", login);
	fprintf(out, "password: %s\n", password);
	fflush(out);
	rc = 0;
	goto out;
fail:
	if (st == STORAGE_ERR_EXISTS)
		fprintf(stderr, "tipline: user %s already exists\n", login);
	else if (st == STORAGE_ERR_INVALID)
		fprintf(stderr, "tipline: unknown bureau %s\n",
		    bureau != NULL ? bureau : "(none)");
	else
		fprintf(stderr, "tipline: cannot create user %s: %s\n", login,
		    storage_status_str(st));
out:
	sodium_memzero(password, sizeof(password));
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

/* Read one line (the new password) from in, without its line end. */
static int
user_cmd_read_line(FILE *in, char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, in) == NULL) {
		fprintf(stderr, "tipline: no password on standard input\n");
		return -1;
	}
	n = strlen(buf);
	if (n == len - 1 && buf[n - 1] != '\n' && !feof(in)) {
		fprintf(stderr, "tipline: the password is longer than %d "
		    "bytes\n", PASSWORD_MAX_BYTES);
		return -1;
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

static int
user_cmd_passwd(struct db *db, const char *login, FILE *in)
{
	char line[PASSWORD_MAX_BYTES + 3], hash[PASSWORD_HASH_MAX];
	char object[USERS_LOGIN_MAX + 8];
	struct users_row row;
	enum storage_status st;
	const char *why = NULL;
	int64_t now = (int64_t)time(NULL);
	long ended = 0;
	int rc = 1;

	if ((st = users_find(db, login, &row)) != STORAGE_OK) {
		fprintf(stderr, "tipline: %s\n", st == STORAGE_ERR_NOTFOUND ?
		    "no such user" : storage_status_str(st));
		return 1;
	}
	if (user_cmd_read_line(in, line, sizeof(line)) != 0)
		goto out;
	if (!password_valid_new(line, &why)) {
		fprintf(stderr, "tipline: %s\n", why);
		goto out;
	}
	if (password_hash(line, hash) != 0) {
		fprintf(stderr, "tipline: cannot hash the password (out of "
		    "memory)\n");
		goto out;
	}
	(void)snprintf(object, sizeof(object), "user:%s", row.login);
	if ((st = db_begin(db)) != STORAGE_OK ||
	    (st = users_set_password(db, row.id, hash, false, now)) !=
	    STORAGE_OK ||
	    (st = sessions_delete_user(db, row.id, NULL, &ended)) !=
	    STORAGE_OK ||
	    (st = audit_append(db, now, USER_CMD_ACTOR, "user.passwd", object,
	    "set on the command line")) != STORAGE_OK ||
	    (st = db_commit(db)) != STORAGE_OK) {
		db_rollback(db);
		fprintf(stderr, "tipline: cannot store the password: %s\n",
		    storage_status_str(st));
		goto out;
	}
	fprintf(stderr, "tipline: password of %s changed; %ld session%s "
	    "ended\n", row.login, ended, ended == 1 ? "" : "s");
	rc = 0;
out:
	sodium_memzero(line, sizeof(line));
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(&row, sizeof(row));
	return rc;
}

static int
user_cmd_disable(struct db *db, const char *login)
{
	char object[USERS_LOGIN_MAX + 8];
	struct users_row row;
	enum storage_status st;
	int64_t now = (int64_t)time(NULL);
	long ended = 0;

	if ((st = users_find(db, login, &row)) != STORAGE_OK) {
		fprintf(stderr, "tipline: %s\n", st == STORAGE_ERR_NOTFOUND ?
		    "no such user" : storage_status_str(st));
		return 1;
	}
	(void)snprintf(object, sizeof(object), "user:%s", row.login);
	if ((st = db_begin(db)) != STORAGE_OK ||
	    (st = users_set_disabled(db, row.id, true, now)) != STORAGE_OK ||
	    (st = sessions_delete_user(db, row.id, NULL, &ended)) !=
	    STORAGE_OK ||
	    (st = audit_append(db, now, USER_CMD_ACTOR, "user.disable", object,
	    NULL)) != STORAGE_OK ||
	    (st = db_commit(db)) != STORAGE_OK) {
		db_rollback(db);
		fprintf(stderr, "tipline: cannot disable %s: %s\n", login,
		    storage_status_str(st));
		return 1;
	}
	fprintf(stderr, "tipline: %s disabled; %ld session%s ended\n",
	    row.login, ended, ended == 1 ? "" : "s");
	return 0;
}

static int
user_cmd_list_one(void *arg, const struct users_row *u)
{
	FILE *out = arg;

	fprintf(out, "%-20s %-8s %-12s %s\n", u->login, u->role,
	    u->bureau[0] ? u->bureau : "-", u->disabled ? "disabled" :
	    u->must_change ? "must-change-password" : "active");
	return 0;
}

static int
user_cmd_list(struct db *db, FILE *out)
{
	enum storage_status st;

	st = audit_append(db, 0, USER_CMD_ACTOR, "user.list", NULL, NULL);
	if (st != STORAGE_OK) {
		fprintf(stderr, "tipline: cannot audit the listing: %s\n",
		    storage_status_str(st));
		return 1;
	}
	fprintf(out, "%-20s %-8s %-12s %s\n", "LOGIN", "ROLE", "BUREAU",
	    "STATE");
	st = users_list(db, user_cmd_list_one, out);
	if (st != STORAGE_OK) {
		fprintf(stderr, "tipline: cannot list users: %s\n",
		    storage_status_str(st));
		return 1;
	}
	fflush(out);
	return 0;
}

/* See user_cmd.h. */
int
user_cmd_main(const struct config *cfg, const struct options *o, FILE *in,
    FILE *out)
{
	const char *sub = o->nargs > 0 ? o->args[0] : NULL;
	const char *login = o->nargs > 1 ? o->args[1] : NULL;
	struct db *db = NULL;
	bool is_list;
	int rc;

	if (sub == NULL || (strcmp(sub, "add") != 0 &&
	    strcmp(sub, "passwd") != 0 && strcmp(sub, "disable") != 0 &&
	    strcmp(sub, "list") != 0)) {
		fprintf(stderr, "tipline: user needs add, passwd, disable or "
		    "list\n");
		options_usage("user", stderr);
		return USER_CMD_USAGE;
	}
	is_list = strcmp(sub, "list") == 0;
	if (is_list ? login != NULL : login == NULL) {
		fprintf(stderr, "tipline: user %s %s\n", sub, is_list ?
		    "takes no LOGIN" : "needs a LOGIN");
		return USER_CMD_USAGE;
	}
	if (!is_list && !user_cmd_valid_login(login)) {
		fprintf(stderr, "tipline: a login is 1 to %d of a-z, 0-9, "
		    "'.', '_' and '-', starting with a letter or digit\n",
		    USERS_LOGIN_MAX);
		return strcmp(sub, "add") == 0 ? USER_CMD_USAGE : 1;
	}
	if (strcmp(sub, "add") != 0 && (o->role != NULL ||
	    o->bureau != NULL)) {
		fprintf(stderr, "tipline: --role and --bureau go with user "
		    "add\n");
		return USER_CMD_USAGE;
	}
	if (user_cmd_open(cfg, &db) != 0)
		return 1;
	if (strcmp(sub, "add") == 0)
		rc = user_cmd_add(db, login, o, out);
	else if (strcmp(sub, "passwd") == 0)
		rc = user_cmd_passwd(db, login, in);
	else if (strcmp(sub, "disable") == 0)
		rc = user_cmd_disable(db, login);
	else
		rc = user_cmd_list(db, out);
	db_close(&db);
	return rc;
}
