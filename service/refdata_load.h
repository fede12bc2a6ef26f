/* SPDX-License-Identifier: MIT */
/*
 * Loading the reference data compiled into the binary (data/embedded.h)
 * into the database: `tipline init` calls it once on a fresh database, and
 * a later release may call it again to refresh the data (the load is
 * idempotent).
 */
#ifndef SERVICE_REFDATA_LOAD_H
#define SERVICE_REFDATA_LOAD_H

#include <stddef.h>

#include "storage/db.h"
#include "storage/refdata.h"

/*
 * Parse every embedded reference CSV file and write its rows, all in one
 * transaction, in foreign-key order: bureaus, domains, places, domain
 * keywords, violations, campaigns, deadline rules, then the calendar
 * (every embedded holidays-*.csv).  Each file's header row must name the
 * expected columns in order.  db must not be inside a transaction.
 * Returns 0, or -1 with nothing written and "FILE line N: reason" in err.
 */
int refdata_load_all(struct db *db, char *err, size_t errlen);

/*
 * The header row of table t's data/ file (its column names in order,
 * NULL-terminated), or NULL for an unknown table.  The editing commands
 * (service/refdata_admin.h) read and write the same columns.
 */
const char *const *refdata_load_header(enum refdata_table t);

#endif
