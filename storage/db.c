/* SPDX-License-Identifier: MIT */
/*
 * The SQLite database handle: opening a file with the house settings,
 * bringing its schema up to date with the ordered migrations of schema.c,
 * transactions, the mapping of SQLite result codes to storage statuses, and
 * the integrity checks behind `tipline verify`.
 *
 * One struct db wraps one sqlite3 connection, opened SQLITE_OPEN_NOMUTEX:
 * a connection belongs to one thread at a time (each worker opens its own),
 * so SQLite's own mutexes would only cost time.  Every connection gets
 * SQLITE_DBCONFIG_DEFENSIVE (no writable_schema, no raw page writes), no
 * trusted schema, a busy timeout of DB_BUSY_TIMEOUT_MS, WAL,
 * foreign_keys=ON and synchronous=FULL.  Opening is cheap (a few pragmas)
 * once the schema is current; a migration runs once per release, inside one
 * BEGIN IMMEDIATE transaction per step, so a crash or a concurrent opener
 * never sees a half-migrated schema.
 *
 * Only fixed SQL goes through sqlite3_exec (the migrations); everything
 * else is a prepared statement.
 */
#include "storage/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "storage/schema.h"

struct db {
	sqlite3		*sq;
	bool		 readonly;
};

/* printf into err (if the caller gave one); err is always terminated. */
static void db_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
db_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Prepare and run one fixed statement (a pragma or a transaction verb),
 * discarding any rows.  Returns the SQLite result code (SQLITE_OK on
 * success).
 */
static int
db_run(sqlite3 *sq, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Run a pragma that answers one integer (user_version, foreign_keys...).
 * Returns the SQLite result code; *out is set on SQLITE_OK.
 */
static int
db_pragma_int(sqlite3 *sq, const char *sql, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_ERROR;	/* a pragma we rely on is missing */
	sqlite3_finalize(st);
	return rc;
}

/*
 * Switch to WAL and check that SQLite agreed.  An in-memory or temporary
 * database (empty file name) cannot use WAL; it answers "memory" and that
 * is accepted, for tests.
 */
static enum storage_status
db_set_wal(sqlite3 *sq, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	const char *fn, *mode;
	enum storage_status res = STORAGE_OK;
	int rc;

	rc = sqlite3_prepare_v2(sq, "PRAGMA journal_mode=WAL", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		res = db_status_from_sqlite(rc);
		db_seterr(err, errlen, "cannot set journal_mode=WAL: %s",
		    sqlite3_errmsg(sq));
		goto out;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	fn = sqlite3_db_filename(sq, "main");
	if (mode != NULL && strcasecmp(mode, "wal") == 0)
		goto out;
	if (fn == NULL || fn[0] == '\0')
		goto out;
	res = STORAGE_ERR_IO;
	db_seterr(err, errlen, "journal_mode is \"%s\", not \"wal\" (does the "
	    "file system support shared memory?)", mode != NULL ? mode : "");
out:
	sqlite3_finalize(st);
	return res;
}

/* The connection settings of every open (the file comment lists them). */
static enum storage_status
db_configure(struct db *db, char *err, size_t errlen)
{
	sqlite3 *sq = db->sq;
	const char *what;
	int rc;

	sqlite3_extended_result_codes(sq, 1);
	what = "SQLITE_DBCONFIG_DEFENSIVE";
	rc = sqlite3_db_config(sq, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	if (rc != SQLITE_OK)
		goto fail;
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
	what = "SQLITE_DBCONFIG_TRUSTED_SCHEMA";
	rc = sqlite3_db_config(sq, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    (int *)NULL);
	if (rc != SQLITE_OK)
		goto fail;
#endif
	what = "busy timeout";
	rc = sqlite3_busy_timeout(sq, DB_BUSY_TIMEOUT_MS);
	if (rc != SQLITE_OK)
		goto fail;
	/*
	 * A read-only connection cannot change the journal mode; it reads a
	 * WAL database as it is.
	 */
	if (!db->readonly) {
		enum storage_status st = db_set_wal(sq, err, errlen);

		if (st != STORAGE_OK)
			return st;
	}
	what = "foreign_keys=ON";
	rc = db_run(sq, "PRAGMA foreign_keys=ON");
	if (rc != SQLITE_OK)
		goto fail;
	what = "synchronous=FULL";
	rc = db_run(sq, "PRAGMA synchronous=FULL");
	if (rc != SQLITE_OK)
		goto fail;
	return STORAGE_OK;
fail:
	db_seterr(err, errlen, "cannot set %s: %s", what, sqlite3_errmsg(sq));
	return db_status_from_sqlite(rc);
}

/*
 * Apply the migrations the file lacks, one transaction each.  The version
 * is read again inside each transaction: another process opening the same
 * file at the same moment may have applied the step already.
 */
static enum storage_status
db_migrate(struct db *db, char *err, size_t errlen)
{
	const int latest = db_schema_version();
	enum storage_status st;
	char sql[64], *msg = NULL;
	int uv, target = 0, rc;

	rc = db_pragma_int(db->sq, "PRAGMA user_version", &uv);
	if (rc != SQLITE_OK) {
		db_seterr(err, errlen, "cannot read the schema version: %s",
		    sqlite3_errmsg(db->sq));
		return db_status_from_sqlite(rc);
	}
	for (;;) {
		if (uv < 0) {
			db_seterr(err, errlen, "database schema version %d is "
			    "not a tipline schema version", uv);
			return STORAGE_ERR_VERSION;
		}
		if (uv > latest) {
			db_seterr(err, errlen, "database schema version %d is "
			    "newer than this tipline (supports up to %d); "
			    "upgrade tipline", uv, latest);
			return STORAGE_ERR_VERSION;
		}
		if (uv == latest)
			return STORAGE_OK;
		if (db->readonly) {
			if (uv == 0)
				db_seterr(err, errlen, "database has no "
				    "tipline schema yet (schema version 0); "
				    "initialise it first (tipline init)");
			else
				db_seterr(err, errlen, "database schema "
				    "version %d is older than this tipline "
				    "(needs %d); open it writable once (tipline "
				    "serve) to upgrade it", uv, latest);
			return STORAGE_ERR_VERSION;
		}
		target = uv + 1;
		if ((st = db_begin(db)) != STORAGE_OK) {
			db_seterr(err, errlen, "cannot start the migration to "
			    "schema version %d: %s", target, db_errmsg(db));
			return st;
		}
		rc = db_pragma_int(db->sq, "PRAGMA user_version", &uv);
		if (rc != SQLITE_OK)
			goto fail;
		if (uv >= 0 && uv < latest) {
			target = uv + 1;
			rc = sqlite3_exec(db->sq, schema_migrations[uv], NULL,
			    NULL, &msg);
			if (rc != SQLITE_OK)
				goto fail;
			(void)snprintf(sql, sizeof(sql),
			    "PRAGMA user_version = %d", target);
			rc = sqlite3_exec(db->sq, sql, NULL, NULL, &msg);
			if (rc != SQLITE_OK)
				goto fail;
			uv = target;
		}
		if ((st = db_commit(db)) != STORAGE_OK) {
			db_seterr(err, errlen, "cannot commit the migration to "
			    "schema version %d: %s", target,
			    storage_status_str(st));
			return st;
		}
	}
fail:
	db_seterr(err, errlen, "migration to schema version %d failed: %s",
	    target, msg != NULL ? msg : sqlite3_errmsg(db->sq));
	sqlite3_free(msg);
	db_rollback(db);
	return db_status_from_sqlite(rc);
}

/*
 * Open path with the house settings and bring its schema up to date.
 * flags: DB_OPEN_CREATE creates a missing file; DB_OPEN_READONLY opens for
 * reading only (verify, reports), where a schema older than this binary is
 * STORAGE_ERR_VERSION as well as a newer one; the two flags exclude each
 * other.  On STORAGE_OK *out is the caller's (db_close); on error *out is
 * NULL and err (if not NULL) holds an English reason.  A missing or
 * unopenable file is STORAGE_ERR_IO; a file that is not a database is
 * STORAGE_ERR_CORRUPT.
 */
enum storage_status
db_open(const char *path, int flags, struct db **out, char *err,
    size_t errlen)
{
	struct db *db = NULL;
	enum storage_status st;
	int oflags, rc;

	db_seterr(err, errlen, "%s", "");
	if (out == NULL)
		return STORAGE_ERR_INVALID;
	*out = NULL;
	if (path == NULL ||
	    (flags & ~(DB_OPEN_CREATE | DB_OPEN_READONLY)) != 0 ||
	    ((flags & DB_OPEN_CREATE) && (flags & DB_OPEN_READONLY))) {
		db_seterr(err, errlen, "bad arguments to db_open");
		return STORAGE_ERR_INVALID;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		db_seterr(err, errlen, "out of memory");
		return STORAGE_ERR_NOMEM;
	}
	db->readonly = (flags & DB_OPEN_READONLY) != 0;
	oflags = SQLITE_OPEN_NOMUTEX;
	oflags |= db->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & DB_OPEN_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
#ifdef SQLITE_OPEN_EXRESCODE
	oflags |= SQLITE_OPEN_EXRESCODE;
#endif
	rc = sqlite3_open_v2(path, &db->sq, oflags, NULL);
	if (rc != SQLITE_OK) {
		db_seterr(err, errlen, "cannot open database %s: %s", path,
		    db->sq != NULL ? sqlite3_errmsg(db->sq) : sqlite3_errstr(rc));
		st = db_status_from_sqlite(rc);
		goto fail;
	}
	if ((st = db_configure(db, err, errlen)) != STORAGE_OK)
		goto fail;
	if ((st = db_migrate(db, err, errlen)) != STORAGE_OK)
		goto fail;
	*out = db;
	return STORAGE_OK;
fail:
	db_close(&db);
	return st;
}

/*
 * Close the connection and free the handle; *db becomes NULL.  An open
 * transaction is rolled back.  Accepts NULL and *db == NULL.
 */
void
db_close(struct db **db)
{
	if (db == NULL || *db == NULL)
		return;
	/* close_v2: a forgotten statement must not leak the connection. */
	sqlite3_close_v2((*db)->sq);
	free(*db);
	*db = NULL;
}

/*
 * Set the busy timeout in milliseconds (ingest-mail shortens it so that
 * it can answer EX_TEMPFAIL well within the MTA's limit).
 */
void
db_set_busy_timeout(struct db *db, int ms)
{
	if (db != NULL)
		sqlite3_busy_timeout(db->sq, ms);
}

/* The schema version this binary writes: the number of migrations. */
int
db_schema_version(void)
{
	return (int)schema_migration_count;
}

/* The PRAGMA user_version of the open file, or -1 if it cannot be read. */
int
db_user_version(struct db *db)
{
	int uv;

	if (db == NULL ||
	    db_pragma_int(db->sq, "PRAGMA user_version", &uv) != SQLITE_OK)
		return -1;
	return uv;
}

/*
 * Start a write transaction (BEGIN IMMEDIATE: the write lock is taken now,
 * waiting up to the busy timeout, so that a later write in the transaction
 * cannot fail with SQLITE_BUSY).  STORAGE_ERR_BUSY past the timeout;
 * STORAGE_ERR_INTERNAL if a transaction is already open.
 */
enum storage_status
db_begin(struct db *db)
{
	if (db == NULL)
		return STORAGE_ERR_INVALID;
	return db_status_from_sqlite(db_run(db->sq, "BEGIN IMMEDIATE"));
}

/*
 * Commit the open transaction.  If the commit fails the transaction is
 * rolled back here, so the caller has nothing left to undo (a later
 * db_rollback is harmless).
 */
enum storage_status
db_commit(struct db *db)
{
	int rc;

	if (db == NULL)
		return STORAGE_ERR_INVALID;
	rc = db_run(db->sq, "COMMIT");
	if (rc != SQLITE_OK) {
		enum storage_status st = db_status_from_sqlite(rc);

		db_rollback(db);
		return st;
	}
	return STORAGE_OK;
}

/*
 * Roll back the open transaction, if there is one (no-op otherwise, and for
 * NULL).  Statements still running are aborted by SQLite.
 */
void
db_rollback(struct db *db)
{
	if (db == NULL || sqlite3_get_autocommit(db->sq))
		return;
	(void)db_run(db->sq, "ROLLBACK");
}

/*
 * Map an SQLite result code (primary or extended) to a storage status.
 * SQLITE_OK, SQLITE_ROW and SQLITE_DONE are STORAGE_OK.  Besides the usual
 * kinds, SQLITE_CANTOPEN is STORAGE_ERR_IO (a missing directory or a
 * permission problem is an I/O failure of this store, and an MTA should
 * retry rather than bounce) and SQLITE_PROTOCOL (a WAL lock race) is
 * STORAGE_ERR_BUSY.  Other constraint failures than UNIQUE and PRIMARY KEY
 * (NOT NULL, CHECK, FOREIGN KEY) are STORAGE_ERR_INTERNAL: the caller
 * should have validated its input.
 */
enum storage_status
db_status_from_sqlite(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return STORAGE_ERR_EXISTS;
	case SQLITE_IOERR_NOMEM:
		return STORAGE_ERR_NOMEM;
	default:
		break;
	}
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return STORAGE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_PROTOCOL:
		return STORAGE_ERR_BUSY;
	case SQLITE_FULL:
		return STORAGE_ERR_NOSPC;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return STORAGE_ERR_IO;
	case SQLITE_NOMEM:
		return STORAGE_ERR_NOMEM;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STORAGE_ERR_CORRUPT;
	default:
		return STORAGE_ERR_INTERNAL;
	}
}

/*
 * The raw connection, for the other storage modules (never for service/).
 * Owned by db; valid until db_close.
 */
sqlite3 *
db_sqlite(struct db *db)
{
	return db != NULL ? db->sq : NULL;
}

/* The English message of the last SQLite error on this connection. */
const char *
db_errmsg(struct db *db)
{
	return db != NULL ? sqlite3_errmsg(db->sq) : "no database";
}

/* Report one problem (report may be NULL: the caller only counts). */
static void db_report(void (*report)(void *, const char *), void *arg,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
db_report(void (*report)(void *, const char *), void *arg, const char *fmt,
    ...)
{
	char msg[1024];
	va_list ap;

	if (report == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(arg, msg);
}

/*
 * Run PRAGMA integrity_check (SQLite stops after 100 problems) and PRAGMA
 * foreign_key_check, and call report once per problem (English text;
 * report may be NULL).  A database so damaged that the check itself stops
 * with SQLITE_CORRUPT counts as one more problem.  Returns the number of
 * problems, or -1 if the checks could not run (busy, out of memory...; the
 * reason is db_errmsg).  Slow on a large file: it reads every page.
 */
int
db_check(struct db *db, void (*report)(void *arg, const char *problem),
    void *arg)
{
	sqlite3_stmt *st = NULL;
	const char *text, *table, *parent;
	int n = 0, rc;

	if (db == NULL)
		return -1;
	rc = sqlite3_prepare_v2(db->sq, "PRAGMA integrity_check", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		goto stopped;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		text = (const char *)sqlite3_column_text(st, 0);
		if (text != NULL && strcmp(text, "ok") == 0)
			continue;
		db_report(report, arg, "database integrity: %s",
		    text != NULL ? text : "unknown problem");
		n++;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto stopped;

	rc = sqlite3_prepare_v2(db->sq, "PRAGMA foreign_key_check", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		goto stopped;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		table = (const char *)sqlite3_column_text(st, 0);
		parent = (const char *)sqlite3_column_text(st, 2);
		if (sqlite3_column_type(st, 1) == SQLITE_NULL)
			db_report(report, arg, "foreign key violation: a row "
			    "of table %s refers to a missing row of table %s",
			    table != NULL ? table : "?",
			    parent != NULL ? parent : "?");
		else
			db_report(report, arg, "foreign key violation: row "
			    "%lld of table %s refers to a missing row of "
			    "table %s", (long long)sqlite3_column_int64(st, 1),
			    table != NULL ? table : "?",
			    parent != NULL ? parent : "?");
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto stopped;
	return n;
stopped:
	if (db_status_from_sqlite(rc) == STORAGE_ERR_CORRUPT) {
		db_report(report, arg, "database is corrupt: %s",
		    sqlite3_errmsg(db->sq));
		return n + 1;
	}
	return -1;
}

enum storage_status
db_backup_into(struct db *db, const char *dest, char *err, size_t errlen)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b = NULL;
	enum storage_status st = STORAGE_OK;
	int rc, fd;

	if (db == NULL || dest == NULL)
		return STORAGE_ERR_INVALID;
	rc = sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_EXCLUSIVE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK) {
		db_seterr(err, errlen, "cannot create %s: %s", dest,
		    out ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
		st = db_status_from_sqlite(rc);
		goto done;
	}
	if ((b = sqlite3_backup_init(out, "main", db->sq, "main")) == NULL) {
		db_seterr(err, errlen, "cannot start the backup: %s",
		    sqlite3_errmsg(out));
		st = db_status_from_sqlite(sqlite3_errcode(out));
		goto done;
	}
	/* Copy in steps so a busy writer is retried, not failed. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE) {
		db_seterr(err, errlen, "backup failed: %s", sqlite3_errmsg(out));
		st = db_status_from_sqlite(rc == SQLITE_DONE ?
		    sqlite3_errcode(out) : rc);
		goto done;
	}
	/* A single file, no WAL: the copy stands alone. */
	sqlite3_exec(out, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
done:
	if (out != NULL)
		sqlite3_close(out);
	if (st == STORAGE_OK) {
		if ((fd = open(dest, O_RDONLY | O_CLOEXEC)) == -1 ||
		    fsync(fd) == -1) {
			db_seterr(err, errlen, "cannot fsync %s", dest);
			st = STORAGE_ERR_IO;
		}
		if (fd != -1)
			close(fd);
	}
	return st;
}

void
db_bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL && s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}
