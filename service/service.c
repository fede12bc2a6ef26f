/* SPDX-License-Identifier: MIT */
/*
 * Opening the data directory and the state of each worker thread.
 */
#include "service/service.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/log.h"
#include "service/router.h"
#include "storage/router_data.h"
#include "storage/key_slots.h"
#include "storage/tip_store.h"

bool
service_is_initialised(const struct config *cfg)
{
	char path[CONFIG_PATH_MAX + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", cfg->data_dir, SERVICE_DB_NAME);
	return stat(path, &st) == 0;
}

int
service_open(const struct config *cfg, struct service **out, char *err,
    size_t errlen)
{
	struct service *svc;
	char kerr[512];
	enum storage_status st;

	*out = NULL;
	if ((svc = calloc(1, sizeof(*svc))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	svc->cfg = cfg;
	snprintf(svc->db_path, sizeof(svc->db_path), "%s/%s", cfg->data_dir,
	    SERVICE_DB_NAME);
	snprintf(svc->blob_dir, sizeof(svc->blob_dir), "%s/blobs",
	    cfg->data_dir);
	if (access(svc->db_path, F_OK) != 0) {
		snprintf(err, errlen, "%s is not initialised (no %s); run "
		    "tipline init", cfg->data_dir, SERVICE_DB_NAME);
		goto fail;
	}
	st = keys_master_load(cfg->key_file, &svc->mk, kerr, sizeof(kerr));
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "master key %s: %s", cfg->key_file, kerr);
		goto fail;
	}
	st = blob_store_open(svc->blob_dir, &svc->blobs);
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "blob store %s: %s", svc->blob_dir,
		    storage_status_str(st));
		goto fail;
	}
	*out = svc;
	return 0;
fail:
	service_close(&svc);
	return -1;
}

void
service_close(struct service **svcp)
{
	struct service *svc;

	if (svcp == NULL || (svc = *svcp) == NULL)
		return;
	blob_store_close(&svc->blobs);
	keys_master_wipe(&svc->mk);
	free(svc);
	*svcp = NULL;
}

enum storage_status
service_db_open(struct service *svc, int flags, struct db **out, char *err,
    size_t errlen)
{
	return db_open(svc->db_path, flags, out, err, errlen);
}

int
service_check_key(struct service *svc, char *err, size_t errlen)
{
	char other[KEYS_ID_LEN + 1] = "";
	struct db *db = NULL;
	enum storage_status st;

	if (service_db_open(svc, 0, &db, err, errlen) != STORAGE_OK)
		return -1;
	st = key_slots_check_master(db, &svc->mk, other, sizeof(other));
	db_close(&db);
	if (st == STORAGE_ERR_KEY) {
		snprintf(err, errlen, "master key %s (id %s) is not the key of "
		    "this data directory (its keys are wrapped under %s); "
		    "restore the right key file", svc->cfg->key_file,
		    svc->mk.id, other);
		return -1;
	}
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "checking the master key %s: %s",
		    svc->cfg->key_file, storage_status_str(st));
		return -1;
	}
	return 0;
}

/* blob_store_list callback: remove a blob no row names. */
struct sweep_ctx {
	struct service *svc;
	struct db *db;
	size_t removed;
	enum storage_status st;
};

static int
sweep_one(void *arg, const char *name)
{
	struct sweep_ctx *c = arg;
	int ref = tip_store_blob_is_referenced(c->db, name);

	if (ref < 0) {
		c->st = STORAGE_ERR_INTERNAL;
		return 1;
	}
	if (ref == 0 && blob_store_remove(c->svc->blobs, name) == STORAGE_OK)
		c->removed++;
	return 0;
}

int
service_sweep(struct service *svc, char *err, size_t errlen)
{
	struct sweep_ctx c = { svc, NULL, 0, STORAGE_OK };
	size_t tmp = 0;
	enum storage_status st;

	st = blob_store_sweep_tmp(svc->blobs, &tmp);
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "sweeping temporary blobs: %s",
		    storage_status_str(st));
		return -1;
	}
	st = service_db_open(svc, 0, &c.db, err, errlen);
	if (st != STORAGE_OK)
		return -1;
	st = blob_store_list(svc->blobs, sweep_one, &c);
	db_close(&c.db);
	if (st == STORAGE_OK)
		st = c.st;
	if (st != STORAGE_OK) {
		snprintf(err, errlen, "sweeping orphan blobs: %s",
		    storage_status_str(st));
		return -1;
	}
	if (tmp > 0 || c.removed > 0)
		log_info("sweep tmp_removed=%zu orphans_removed=%zu", tmp,
		    c.removed);
	return 0;
}

/* Open DATA/name for flock (created 0600); the fd or -1 with err set. */
static int
service_lock_open(const struct config *cfg, const char *name, char *err,
    size_t errlen)
{
	char path[CONFIG_PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", cfg->data_dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
	return fd;
}

int
service_lock(const struct config *cfg, char *err, size_t errlen)
{
	int fd = service_lock_open(cfg, "serve.lock", err, errlen);

	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		snprintf(err, errlen, "%s is in use by another tipline (is "
		    "tipline serve running? stop it first)", cfg->data_dir);
		close(fd);
		return -1;
	}
	return fd;
}

int
service_writer_lock(const struct config *cfg, bool exclusive, char *err,
    size_t errlen)
{
	int fd = service_lock_open(cfg, "writers.lock", err, errlen);

	if (fd == -1)
		return -1;
	while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) == -1) {
		if (errno == EINTR)
			continue;
		snprintf(err, errlen, "cannot lock %s/writers.lock: %s",
		    cfg->data_dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
service_worker_init(void *shared, void **state)
{
	struct service_worker *w = calloc(1, sizeof(*w));
	char err[512];

	if (w == NULL)
		return -1;
	w->svc = shared;
	if (service_db_open(w->svc, 0, &w->db, err, sizeof(err)) !=
	    STORAGE_OK) {
		log_warnx("worker: cannot open the database: %s", err);
		free(w);
		return -1;
	}
	w->magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR |
	    MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF);
	if (w->magic == NULL || magic_load(w->magic, NULL) != 0) {
		log_warnx("worker: cannot load the libmagic database");
		service_worker_fini(shared, w);
		return -1;
	}
	if (router_data_load(w->db, &w->route_data) != STORAGE_OK ||
	    router_prepare(w->route_data, &w->router) != 0) {
		log_warnx("worker: cannot load the triage data");
		service_worker_fini(shared, w);
		return -1;
	}
	*state = w;
	return 0;
}

const struct router *
service_worker_router(struct service_worker *w)
{
	int64_t serial = router_data_serial(w->db);
	struct router_data *nd = NULL;
	struct router *nr = NULL;

	if (serial < 0 || w->route_data == NULL ||
	    serial == w->route_data->serial)
		return w->router;
	/* An institutions import happened: load the new registry. */
	if (router_data_load(w->db, &nd) == STORAGE_OK &&
	    router_prepare(nd, &nr) == 0) {
		router_free(&w->router);
		router_data_free(&w->route_data);
		w->route_data = nd;
		w->router = nr;
	} else {
		router_free(&nr);
		router_data_free(&nd);
		log_warnx("worker: reloading the triage data failed; using the "
		    "data loaded before");
	}
	return w->router;
}

void
service_worker_fini(void *shared, void *state)
{
	struct service_worker *w = state;

	(void)shared;
	if (w == NULL)
		return;
	router_free(&w->router);
	router_data_free(&w->route_data);
	db_close(&w->db);
	if (w->magic != NULL)
		magic_close(w->magic);
	free(w);
}
