/* SPDX-License-Identifier: MIT */
/*
 * The opened data directory: configuration, master key, blob store, and
 * the database path; plus the per-worker state (a database connection and
 * a libmagic cookie of its own).
 *
 * Files under the data directory:
 *   tipline.db (+ -wal, -shm)  the database
 *   blobs/                     the encrypted blob store
 *   keys/master.key            the master key, unless key_file says else
 */
#ifndef SERVICE_SERVICE_H
#define SERVICE_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "service/config.h"
#include "storage/blob_store.h"
#include "storage/db.h"
#include "storage/keys.h"

#define SERVICE_DB_NAME "tipline.db"

struct service {
	const struct config *cfg;
	struct keys_master mk;
	struct blob_store *blobs;
	char db_path[CONFIG_PATH_MAX + 32];
	char blob_dir[CONFIG_PATH_MAX + 32];
};

struct router;
struct router_data;

struct service_worker {
	struct service *svc;
	struct db *db;
	void *magic;		/* magic_t */
	/* The triage router over the reference data and registry, reloaded
	 * when router_data_serial() says the data changed. */
	struct router_data *route_data;
	struct router *router;
};

/*
 * The worker's router, reloaded first if the reference data changed (an
 * institutions import).  NULL only if it could never be loaded.
 */
const struct router *service_worker_router(struct service_worker *w);

/* Whether the data directory holds a database. */
bool service_is_initialised(const struct config *cfg);

/*
 * Open an initialised data directory: load the master key, open the blob
 * store.  -1 with err set (the key file unreadable, no database, ...).
 */
int service_open(const struct config *cfg, struct service **out, char *err,
    size_t errlen);
/* Wipe the key and free.  Accepts NULL; NULLs *svc. */
void service_close(struct service **svc);

/* Open a database connection of the service's own (flags as db_open). */
enum storage_status service_db_open(struct service *svc, int flags,
    struct db **out, char *err, size_t errlen);

/*
 * Refuse a master key that the database's key slots are not wrapped under
 * (a key file from another installation): 0, or -1 with err naming the
 * key file.  Called at start-up, before anything is stored.
 */
int service_check_key(struct service *svc, char *err, size_t errlen);

/*
 * Start-up housekeeping before any worker runs: remove temporary blob files
 * and blobs that no database row names (left by a crash between the file
 * and the commit).  Counts go to the log.  -1 on error.
 */
int service_sweep(struct service *svc, char *err, size_t errlen);

/*
 * Take the data directory's exclusive lock (DATA/serve.lock, flock): held
 * by `serve` for its lifetime and by the commands that must not run beside
 * it (restore, keys rotate).  Returns the lock's fd (keep it open; closing
 * releases), or -1 with err saying that another tipline holds it.
 */
int service_lock(const struct config *cfg, char *err, size_t errlen);

/*
 * The writers' lock (DATA/writers.lock, flock), for processes that write
 * beside `serve` without its lock: `ingest-mail` holds it shared from
 * before it reads the master key until it exits, so that the start-up
 * sweep of `serve` (which takes it exclusive for the sweep only) never
 * removes a blob whose row is about to commit, and `keys rotate` (exclusive
 * for its whole run) never leaves a key slot wrapped under the old key.
 * Blocks until granted (ingest-mail's alarm bounds the wait).  Returns the
 * fd (closing releases), or -1 with err set.
 */
int service_writer_lock(const struct config *cfg, bool exclusive, char *err,
    size_t errlen);

/* workers_init_fn / workers_fini_fn for the pool. */
int service_worker_init(void *shared, void **state);
void service_worker_fini(void *shared, void *state);

#endif
