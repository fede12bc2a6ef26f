/* SPDX-License-Identifier: MIT */
/*
 * `tipline init`: see datadir.h.
 */
#include "service/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service/password.h"
#include "service/refdata_load.h"
#include "service/service.h"
#include "storage/audit.h"
#include "storage/blob_store.h"
#include "storage/db.h"
#include "storage/fsutil.h"
#include "storage/keys.h"
#include "storage/users.h"

static void
remove_db_files(const char *path)
{
	char p[CONFIG_PATH_MAX + 64];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-journal", path);
	unlink(p);
}

int
datadir_init(const struct config *cfg, FILE *out, char *err, size_t errlen)
{
	char db_path[CONFIG_PATH_MAX + 32], tmp_path[CONFIG_PATH_MAX + 48];
	char blob_dir[CONFIG_PATH_MAX + 32];
	char password[PASSWORD_ONE_TIME_LEN + 1];
	char hash[PASSWORD_HASH_MAX];
	char derr[512];
	struct keys_master mk;
	struct blob_store *bs = NULL;
	struct db *db = NULL;
	enum storage_status st;
	int64_t now = (int64_t)time(NULL);
	int rc = -1;

	memset(&mk, 0, sizeof(mk));
	snprintf(db_path, sizeof(db_path), "%s/%s", cfg->data_dir,
	    SERVICE_DB_NAME);
	snprintf(tmp_path, sizeof(tmp_path), "%s.init", db_path);
	snprintf(blob_dir, sizeof(blob_dir), "%s/blobs", cfg->data_dir);

	if (fsutil_mkdirs(cfg->data_dir, 0700) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", cfg->data_dir,
		    strerror(errno));
		return -1;
	}
	if (access(db_path, F_OK) == 0) {
		snprintf(err, errlen, "%s is already initialised (%s exists)",
		    cfg->data_dir, db_path);
		return 1;
	}

	/* The key first: a database is useless without it. */
	st = keys_master_create(cfg->key_file);
	if (st != STORAGE_OK && st != STORAGE_ERR_EXISTS) {
		snprintf(err, errlen, "cannot create the master key %s: %s",
		    cfg->key_file, storage_status_str(st));
		goto out;
	}
	st = keys_master_load(cfg->key_file, &mk, derr, sizeof(derr));
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "master key %s: %s", cfg->key_file, derr);
		goto out;
	}
	st = blob_store_open(blob_dir, &bs);
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "cannot create the blob store %s: %s",
		    blob_dir, storage_status_str(st));
		goto out;
	}

	remove_db_files(tmp_path);
	st = db_open(tmp_path, DB_OPEN_CREATE, &db, derr, sizeof(derr));
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "cannot create the database: %s", derr);
		goto out;
	}
	if (refdata_load_all(db, derr, sizeof(derr)) != 0) {
		snprintf(err, errlen, "loading reference data: %s", derr);
		goto out;
	}
	password_generate(password, sizeof(password));
	if (password_hash(password, hash) != 0) {
		snprintf(err, errlen, "cannot hash the admin password "
		    "(out of memory)");
		goto out;
	}
	if ((st = db_begin(db)) != STORAGE_OK ||
	    (st = users_create(db, "admin", "admin", NULL, hash, true, now)) !=
	    STORAGE_OK ||
	    (st = audit_append(db, now, "system", "store.init", cfg->data_dir,
	    NULL)) != STORAGE_OK ||
	    (st = audit_append(db, now, "system", "user.create", "user:admin",
	    "first admin, one-time password")) != STORAGE_OK ||
	    (st = db_commit(db)) != STORAGE_OK) {
		db_rollback(db);
		snprintf(err, errlen, "cannot create the admin account: %s",
		    storage_status_str(st));
		goto out;
	}
	db_close(&db);
	if (rename(tmp_path, db_path) != 0 || fsutil_fsync_dirat(AT_FDCWD, cfg->data_dir) != 0) {
		snprintf(err, errlen, "cannot move the database into place: %s",
		    strerror(errno));
		goto out;
	}
	fprintf(out, "initialised %s\n", cfg->data_dir);
	fprintf(out, "login: admin\n");
	fprintf(out, "password: %s\n", password);
	fflush(out);
	rc = 0;
out:
	sodium_memzero(password, sizeof(password));
	db_close(&db);
	if (rc != 0)
		remove_db_files(tmp_path);
	blob_store_close(&bs);
	keys_master_wipe(&mk);
	return rc;
}
