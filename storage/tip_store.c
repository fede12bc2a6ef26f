/* SPDX-License-Identifier: MIT */
/*
 * Tip rows: storing a new tip with its key slot and attachments in one
 * transaction, and the lookups the start-up sweep needs.
 */
#include "storage/tip_store.h"

int
tip_store_blob_is_referenced(struct db *db, const char *name)
{
	sqlite3_stmt *st = NULL;
	int r, ref = -1;

	r = sqlite3_prepare_v2(db_sqlite(db),
	    "SELECT 1 FROM attachments WHERE blob_name = ?", -1, &st, NULL);
	if (r != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		ref = 1;
	else if (r == SQLITE_DONE)
		ref = 0;
	sqlite3_finalize(st);
	return ref;
}
