/* SPDX-License-Identifier: MIT */
/*
 * The SQLite database: opening with the house settings, the versioned schema
 * and its ordered migrations, and transactions.
 *
 * Settings on every connection: WAL, foreign_keys=ON, synchronous=FULL,
 * SQLITE_DBCONFIG_DEFENSIVE, a busy timeout (DB_BUSY_TIMEOUT_MS), no
 * trusted schema.  Writers use BEGIN IMMEDIATE.  One struct db belongs to one
 * thread at a time (each worker opens its own).
 *
 * The schema version is PRAGMA user_version; migrations run in order inside
 * one transaction each.  A database whose user_version is above
 * DB_SCHEMA_VERSION is refused with STORAGE_ERR_VERSION.
 */
#ifndef STORAGE_DB_H
#define STORAGE_DB_H

#include <stddef.h>
#include <stdbool.h>
#include <sqlite3.h>
#include "storage/status.h"

#define DB_BUSY_TIMEOUT_MS 5000

struct db;

enum db_open_flags {
	DB_OPEN_CREATE = 1 << 0,	/* create the file if missing */
	DB_OPEN_READONLY = 1 << 1,	/* verify, report */
};

/*
 * Open path and bring its schema up to date (unless read-only, where a
 * schema older than the binary is an error).  err gets a reason on failure.
 */
enum storage_status db_open(const char *path, int flags, struct db **out,
    char *err, size_t errlen);
/* Close and NULL *db.  Accepts NULL and *db == NULL. */
void db_close(struct db **db);

/* Set the busy timeout (ingest-mail shortens it to answer 75 in time). */
void db_set_busy_timeout(struct db *db, int ms);

/* The schema version this binary writes, and the version of the open file. */
int db_schema_version(void);
int db_user_version(struct db *db);

/* Transactions.  begin is BEGIN IMMEDIATE. */
enum storage_status db_begin(struct db *db);
enum storage_status db_commit(struct db *db);
void db_rollback(struct db *db);

/* Map an SQLite result code to a storage status. */
/* Bind s as text to parameter i of st (copied), or NULL when s is NULL
 * or "". */
void db_bind_text_or_null(sqlite3_stmt *st, int i, const char *s);

enum storage_status db_status_from_sqlite(int rc);

/*
 * Write a consistent copy of the open database to dest (which must not
 * exist) with SQLite's online backup API, then fsync it.  Safe while other
 * connections write.  err gets a reason on failure.
 */
enum storage_status db_backup_into(struct db *db, const char *dest,
    char *err, size_t errlen);

/* For storage modules only: the raw handle and the last error message. */
sqlite3 *db_sqlite(struct db *db);
const char *db_errmsg(struct db *db);

/*
 * Run PRAGMA integrity_check and foreign_key_check; call report once per
 * problem found (text in English).  Returns the number of problems, or -1
 * if the checks could not run.
 */
int db_check(struct db *db, void (*report)(void *arg, const char *problem),
    void *arg);

#endif
