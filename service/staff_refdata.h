/* SPDX-License-Identifier: MIT */
/*
 * The reference data for admins over HTTP (extension, see README "Editing
 * the reference data"): the editable tables with their row counts, one
 * table as its data/ CSV file, and the import of an edited file — the same
 * code as `tipline refdata` (service/refdata_admin.h), audited under the
 * admin's login.  Worker thread only.
 */
#ifndef SERVICE_STAFF_REFDATA_H
#define SERVICE_STAFF_REFDATA_H

#include <stddef.h>

#include <jansson.h>

#include "service/refdata_admin.h"
#include "service/service.h"
#include "service/staff.h"

/* Who may read and replace the reference data. */
#define STAFF_REFDATA_ROLES SCOPE_ROLE_BIT(SCOPE_ROLE_ADMIN)

/*
 * The table a file name of the routes stands for ("places.csv" ->
 * REFDATA_PLACES); false for anything else.
 */
bool staff_refdata_table(const char *file, enum refdata_table *t);

/*
 * {"tables": [{"table": "places", "file": "places.csv", "rows": 95}, ...]}
 * in the page's order.  STAFF_FORBIDDEN unless u is an admin.  On STAFF_OK
 * the caller owns *out.
 */
enum staff_status staff_refdata_list(struct service_worker *w,
    const struct staff_user *u, json_t **out);

/*
 * Table file ("places.csv") as CSV into out (zeroed first; the caller
 * frees it with report_buf_free()).  STAFF_NOT_FOUND for a file that is
 * not an editable table, STAFF_FORBIDDEN unless u is an admin.
 */
struct report_buf;
enum staff_status staff_refdata_export(struct service_worker *w,
    const struct staff_user *u, const char *file, struct report_buf *out);

/*
 * Replace table file with the CSV in buf[0..len): b (zeroed first, freed
 * by the caller with refdata_admin_batch_free()) holds the rows and, on
 * STAFF_INVALID, every bad line; msg says what is wrong when no line is to
 * blame (too large).  STAFF_NOT_FOUND and STAFF_FORBIDDEN as for the
 * export; STAFF_TRANSIENT when the database is busy.
 */
enum staff_status staff_refdata_import(struct service_worker *w,
    const struct staff_user *u, const char *file, const void *buf,
    size_t len, struct refdata_admin_batch *b, char *msg, size_t msglen);

#endif
