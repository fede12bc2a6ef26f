/* SPDX-License-Identifier: MIT */
/*
 * Aggregate counts for GET /metrics (see metrics_store.h).  The tips query
 * walks the covering index tips_bureau once (status is its second column);
 * the outbox count uses the partial index outbox_pending.  One statement
 * gives both: the outbox count comes as a row with a NULL status.
 */
#include "storage/metrics_store.h"

#include <sqlite3.h>

enum storage_status
metrics_store_queues(struct db *db,
    void (*cb)(void *arg, const char *status, int64_t count), void *arg,
    int64_t *outbox_pending)
{
	sqlite3_stmt *st = NULL;
	enum storage_status rc = STORAGE_OK;
	int r;

	*outbox_pending = 0;
	r = sqlite3_prepare_v2(db_sqlite(db), "SELECT status, count(*) FROM "
	    "tips GROUP BY status UNION ALL SELECT NULL, count(*) FROM outbox "
	    "WHERE sent_at IS NULL", -1, &st, NULL);
	if (r != SQLITE_OK)
		return db_status_from_sqlite(r);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *s = sqlite3_column_text(st, 0);

		if (s == NULL)
			*outbox_pending = sqlite3_column_int64(st, 1);
		else
			cb(arg, (const char *)s, sqlite3_column_int64(st, 1));
	}
	if (r != SQLITE_DONE)
		rc = db_status_from_sqlite(r);
	sqlite3_finalize(st);
	return rc;
}
