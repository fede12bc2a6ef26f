/* SPDX-License-Identifier: MIT */
/*
 * Backup and restore (see backup.h).  Order matters for consistency:
 * the database copy is taken first, and only the blobs that copy refers to
 * are copied; blobs are immutable once committed and are never removed
 * while a row names them, so each one is still there to copy.  Restore
 * copies the blobs first and moves the database into place last, so an
 * interrupted restore leaves no database (and can simply be run again).
 */
#include "service/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "service/service.h"
#include "storage/blob_store.h"
#include "storage/db.h"
#include "storage/fsutil.h"
#include "storage/keys.h"
#include "storage/tip_store.h"

#define BACKUP_FORMAT "tipline-backup-1"
#define BACKUP_MANIFEST "MANIFEST.json"

struct backup_copy {
	struct blob_store *from, *to;
	long copied;
	enum storage_status st;
	char failed[BLOB_NAME_LEN + 1];
};

static int
backup_copy_one(void *arg, const char *name)
{
	struct backup_copy *c = arg;

	c->st = blob_store_copy(c->from, c->to, name);
	if (c->st != STORAGE_OK) {
		snprintf(c->failed, sizeof(c->failed), "%s", name);
		return 1;
	}
	c->copied++;
	return 0;
}

/* Copy every blob that the database at db_path names. */
static int
backup_copy_blobs(const char *db_path, struct blob_store *from,
    struct blob_store *to, long *copied, char *err, size_t errlen)
{
	struct backup_copy c = { from, to, 0, STORAGE_OK, "" };
	struct db *db = NULL;
	enum storage_status st;

	st = db_open(db_path, DB_OPEN_READONLY, &db, err, errlen);
	if (st != STORAGE_OK)
		return -1;
	st = tip_store_each_blob(db, backup_copy_one, &c);
	db_close(&db);
	if (st == STORAGE_OK)
		st = c.st;
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "copying blob %s: %s", c.failed,
		    storage_status_str(st));
		return -1;
	}
	*copied = c.copied;
	return 0;
}

static bool
dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (d == NULL)
		return errno == ENOENT;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

static int
write_manifest(const char *dir, const char *key_id, int schema, long blobs,
    char *err, size_t errlen)
{
	char path[CONFIG_PATH_MAX + 64], tmp[CONFIG_PATH_MAX + 64];
	json_t *m = json_pack("{s:s, s:I, s:s, s:i, s:I}", "format",
	    BACKUP_FORMAT, "created_at", (json_int_t)time(NULL),
	    "master_key_id", key_id, "schema_version", schema, "blobs",
	    (json_int_t)blobs);
	char *text = m ? json_dumps(m, JSON_INDENT(2)) : NULL;
	int fd = -1, rc = -1;

	json_decref(m);
	snprintf(path, sizeof(path), "%s/%s", dir, BACKUP_MANIFEST);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, BACKUP_MANIFEST);
	if (text == NULL ||
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1 || fsutil_write_all(fd, text, strlen(text)) == -1 ||
	    fsutil_fsync(fd) == -1 || rename(tmp, path) == -1 ||
	    fsutil_fsync_dirat(AT_FDCWD, dir) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(text);
	return rc;
}

int
backup_main(const struct config *cfg, const char *dir)
{
	struct service *svc = NULL;
	struct blob_store *dest = NULL;
	struct db *db = NULL;
	char err[CONFIG_ERR_MAX], db_copy[CONFIG_PATH_MAX + 64];
	char blob_dir[CONFIG_PATH_MAX + 64];
	long copied = 0;
	int rc = 1, schema;

	if (!dir_is_empty(dir)) {
		fprintf(stderr, "tipline: backup: %s is not empty; give a new "
		    "or empty directory\n", dir);
		return 1;
	}
	if (service_open(cfg, &svc, err, sizeof(err)) != 0)
		goto fail;
	if (fsutil_mkdirs(dir, 0700) != 0) {
		snprintf(err, sizeof(err), "cannot create %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	snprintf(db_copy, sizeof(db_copy), "%s/%s", dir, SERVICE_DB_NAME);
	snprintf(blob_dir, sizeof(blob_dir), "%s/blobs", dir);
	if (service_db_open(svc, 0, &db, err, sizeof(err)) != STORAGE_OK ||
	    db_backup_into(db, db_copy, err, sizeof(err)) != STORAGE_OK)
		goto fail;
	schema = db_user_version(db);
	db_close(&db);
	if (blob_store_open(blob_dir, &dest) != STORAGE_OK) {
		snprintf(err, sizeof(err), "cannot create %s", blob_dir);
		goto fail;
	}
	if (backup_copy_blobs(db_copy, svc->blobs, dest, &copied, err,
	    sizeof(err)) != 0 ||
	    write_manifest(dir, svc->mk.id, schema, copied, err,
	    sizeof(err)) != 0)
		goto fail;
	printf("backup: %s: database (schema %d) and %ld blobs; it needs "
	    "master key %s, which is not in the backup: keep the key file "
	    "(%s) apart\n", dir, schema, copied, svc->mk.id, cfg->key_file);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "tipline: backup: %s\n", err);
out:
	db_close(&db);
	blob_store_close(&dest);
	service_close(&svc);
	return rc;
}

/* Read and check MANIFEST.json; key_id gets the key it needs. */
static int
read_manifest(const char *dir, char *key_id, size_t key_len, char *err,
    size_t errlen)
{
	char path[CONFIG_PATH_MAX + 64];
	json_error_t jerr;
	json_t *m;
	const char *format = NULL, *kid = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, BACKUP_MANIFEST);
	if ((m = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(err, errlen, "%s: not a complete tipline backup (%s)",
		    dir, jerr.text);
		return -1;
	}
	if (json_unpack(m, "{s:s, s:s}", "format", &format, "master_key_id",
	    &kid) != 0 || strcmp(format, BACKUP_FORMAT) != 0 ||
	    strlen(kid) >= key_len)
		snprintf(err, errlen, "%s: unknown backup format", path);
	else {
		snprintf(key_id, key_len, "%s", kid);
		rc = 0;
	}
	json_decref(m);
	return rc;
}

int
restore_main(const struct config *cfg, const char *dir)
{
	struct keys_master mk;
	struct blob_store *from = NULL, *to = NULL;
	struct db *src = NULL;
	char err[CONFIG_ERR_MAX + 1600], need[KEYS_ID_LEN + 8];
	char src_db[CONFIG_PATH_MAX + 64], src_blobs[CONFIG_PATH_MAX + 64];
	char dst_blobs[CONFIG_PATH_MAX + 64], dst_db[CONFIG_PATH_MAX + 64];
	char tmp_db[CONFIG_PATH_MAX + 80], kerr[512];
	long copied = 0;
	int rc = 1, lock_fd = -1;

	memset(&mk, 0, sizeof(mk));
	if (read_manifest(dir, need, sizeof(need), err, sizeof(err)) != 0)
		goto fail;
	if (service_is_initialised(cfg)) {
		snprintf(err, sizeof(err), "%s already holds a database; restore "
		    "into a new or empty data directory", cfg->data_dir);
		goto fail;
	}
	if (keys_master_load(cfg->key_file, &mk, kerr, sizeof(kerr)) !=
	    STORAGE_OK) {
		snprintf(err, sizeof(err), "the backup needs master key %s at "
		    "key_file %s: %s", need, cfg->key_file, kerr);
		goto fail;
	}
	if (strcmp(mk.id, need) != 0) {
		snprintf(err, sizeof(err), "the backup needs master key %s, but "
		    "%s holds key %s", need, cfg->key_file, mk.id);
		goto fail;
	}
	if (fsutil_mkdirs(cfg->data_dir, 0700) != 0) {
		snprintf(err, sizeof(err), "cannot create %s: %s",
		    cfg->data_dir, strerror(errno));
		goto fail;
	}
	if ((lock_fd = service_lock(cfg, err, sizeof(err))) == -1)
		goto fail;
	snprintf(src_db, sizeof(src_db), "%s/%s", dir, SERVICE_DB_NAME);
	snprintf(src_blobs, sizeof(src_blobs), "%s/blobs", dir);
	snprintf(dst_blobs, sizeof(dst_blobs), "%s/blobs", cfg->data_dir);
	snprintf(dst_db, sizeof(dst_db), "%s/%s", cfg->data_dir,
	    SERVICE_DB_NAME);
	snprintf(tmp_db, sizeof(tmp_db), "%s.restore", dst_db);
	if (blob_store_open(src_blobs, &from) != STORAGE_OK ||
	    blob_store_open(dst_blobs, &to) != STORAGE_OK) {
		snprintf(err, sizeof(err), "cannot open the blob stores");
		goto fail;
	}
	if (backup_copy_blobs(src_db, from, to, &copied, err,
	    sizeof(err)) != 0)
		goto fail;
	unlink(tmp_db);
	if (db_open(src_db, DB_OPEN_READONLY, &src, err, sizeof(err)) !=
	    STORAGE_OK ||
	    db_backup_into(src, tmp_db, err, sizeof(err)) != STORAGE_OK)
		goto fail;
	db_close(&src);
	if (rename(tmp_db, dst_db) != 0 ||
	    fsutil_fsync_dirat(AT_FDCWD, cfg->data_dir) != 0) {
		snprintf(err, sizeof(err), "cannot move the database into "
		    "place: %s", strerror(errno));
		goto fail;
	}
	printf("restore: %s into %s: database and %ld blobs; run tipline "
	    "verify\n", dir, cfg->data_dir, copied);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "tipline: restore: %s\n", err);
out:
	db_close(&src);
	blob_store_close(&from);
	blob_store_close(&to);
	keys_master_wipe(&mk);
	if (lock_fd != -1)
		close(lock_fd);
	return rc;
}
