/* SPDX-License-Identifier: MIT */
/*
 * Master key rotation in three crash-safe steps:
 *   1. a new key file KEY.new (kept if it is already there: a resumed
 *      rotation uses it), then one transaction that adds a slot under the
 *      new key beside every slot under the old one;
 *   2. KEY.new renamed over KEY (atomic), directory fsynced;
 *   3. the slots under any other key that have a replacement are deleted.
 * After a crash at any point one of the key files on disk opens every tip,
 * and running the command again finishes the job.  The old key is not
 * kept: backups made before the rotation need the old key file, which the
 * operator keeps apart from the data (the command prints both ids).
 */
#include "service/keys_rotate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/service.h"
#include "storage/audit.h"
#include "storage/fsutil.h"
#include "storage/key_slots.h"
#include "storage/keys.h"

/* The directory part of path into buf ("." when there is none). */
static void
dir_of(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(buf, len, ".");
	else if (slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

int
keys_rotate_main(const struct config *cfg)
{
	struct service *svc = NULL;
	struct keys_master next;
	struct db *db = NULL;
	char err[CONFIG_ERR_MAX + 1600], new_path[CONFIG_PATH_MAX + 8];
	char dir[CONFIG_PATH_MAX], kerr[512], what[128];
	enum storage_status st;
	long added = 0, dropped = 0;
	int rc = 1, lock_fd, writers_fd = -1;

	memset(&next, 0, sizeof(next));
	if ((lock_fd = service_lock(cfg, err, sizeof(err))) == -1 ||
	    (writers_fd = service_writer_lock(cfg, true, err,
	    sizeof(err))) == -1)
		goto fail;
	if (service_open(cfg, &svc, err, sizeof(err)) != 0)
		goto fail;
	snprintf(new_path, sizeof(new_path), "%s.new", cfg->key_file);
	st = keys_master_create(new_path);
	if (st != STORAGE_OK && st != STORAGE_ERR_EXISTS) {
		snprintf(err, sizeof(err), "cannot create %s: %s", new_path,
		    storage_status_str(st));
		goto fail;
	}
	if (keys_master_load(new_path, &next, kerr, sizeof(kerr)) !=
	    STORAGE_OK) {
		snprintf(err, sizeof(err), "%s: %s", new_path, kerr);
		goto fail;
	}
	if (service_db_open(svc, 0, &db, err, sizeof(err)) != STORAGE_OK)
		goto fail;
	if ((st = key_slots_rotate(db, &svc->mk, &next, &added)) !=
	    STORAGE_OK) {
		snprintf(err, sizeof(err), "re-wrapping the key slots: %s",
		    storage_status_str(st));
		goto fail;
	}
	dir_of(cfg->key_file, dir, sizeof(dir));
	if (rename(new_path, cfg->key_file) != 0 ||
	    fsutil_fsync_dirat(AT_FDCWD, dir) != 0) {
		snprintf(err, sizeof(err), "cannot install the new key file: %s "
		    "(both keys still open every tip; run the command again)",
		    strerror(errno));
		goto fail;
	}
	if ((st = key_slots_drop_replaced(db, next.id, &dropped)) !=
	    STORAGE_OK) {
		snprintf(err, sizeof(err), "the new key is in place, but the "
		    "old slots could not be removed (%s); run the command "
		    "again", storage_status_str(st));
		goto fail;
	}
	snprintf(what, sizeof(what), "%s -> %s", svc->mk.id, next.id);
	audit_append(db, (int64_t)time(NULL), "cli", "keys.rotate", what,
	    NULL);
	printf("keys rotate: master key %s replaced by %s; %ld key slots "
	    "re-wrapped, %ld old slots removed\nbackups made before now need "
	    "the old key %s\n", svc->mk.id, next.id, added, dropped,
	    svc->mk.id);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "tipline: keys rotate: %s\n", err);
out:
	db_close(&db);
	keys_master_wipe(&next);
	service_close(&svc);
	if (writers_fd != -1)
		close(writers_fd);
	if (lock_fd != -1)
		close(lock_fd);
	return rc;
}
