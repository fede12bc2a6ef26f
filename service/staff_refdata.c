/* SPDX-License-Identifier: MIT */
/*
 * The reference data for admins (see staff_refdata.h): thin wrappers over
 * service/refdata_admin.c that check the role, name the table by its file
 * and log the import.  The serving workers see an import through the
 * router's data serial (service_worker_router()), so the next tip after it
 * is routed with the new data, on every worker.
 */
#include "service/staff_refdata.h"

#include <stdio.h>
#include <string.h>

#include "service/log.h"
#include "service/report.h"
#include "storage/refdata.h"

#define CSV_SUFFIX ".csv"

/* See staff_refdata.h. */
bool
staff_refdata_table(const char *file, enum refdata_table *t)
{
	char name[32];
	size_t n = file != NULL ? strlen(file) : 0, s = strlen(CSV_SUFFIX);

	if (n <= s || n - s >= sizeof(name) ||
	    strcmp(file + n - s, CSV_SUFFIX) != 0)
		return false;
	memcpy(name, file, n - s);
	name[n - s] = '\0';
	return refdata_admin_table(name, t);
}

/* See staff_refdata.h. */
enum staff_status
staff_refdata_list(struct service_worker *w, const struct staff_user *u,
    json_t **out)
{
	json_t *doc, *tables;
	char file[40];

	*out = NULL;
	if (!staff_user_has_role(u, STAFF_REFDATA_ROLES))
		return STAFF_FORBIDDEN;
	if ((doc = json_object()) == NULL ||
	    json_object_set_new(doc, "tables", tables = json_array()) != 0) {
		json_decref(doc);
		return STAFF_TRANSIENT;
	}
	for (size_t i = 0; i < REFDATA_ADMIN_NTABLES; i++) {
		enum refdata_table t = refdata_admin_tables[i];
		long rows = refdata_count(w->db, t);

		if (rows < 0) {
			json_decref(doc);
			return STAFF_TRANSIENT;
		}
		(void)snprintf(file, sizeof(file), "%s" CSV_SUFFIX,
		    refdata_admin_table_name(t));
		if (json_array_append_new(tables, json_pack("{s:s, s:s, s:I}",
		    "table", refdata_admin_table_name(t), "file", file,
		    "rows", (json_int_t)rows)) != 0) {
			json_decref(doc);
			return STAFF_TRANSIENT;
		}
	}
	*out = doc;
	return STAFF_OK;
}

/* See staff_refdata.h. */
enum staff_status
staff_refdata_export(struct service_worker *w, const struct staff_user *u,
    const char *file, struct report_buf *out)
{
	enum refdata_table t;

	memset(out, 0, sizeof(*out));
	if (!staff_user_has_role(u, STAFF_REFDATA_ROLES))
		return STAFF_FORBIDDEN;
	if (!staff_refdata_table(file, &t))
		return STAFF_NOT_FOUND;
	return staff_status_from_storage(refdata_admin_export(w->db, t, out));
}

/* See staff_refdata.h. */
enum staff_status
staff_refdata_import(struct service_worker *w, const struct staff_user *u,
    const char *file, const void *buf, size_t len,
    struct refdata_admin_batch *b, char *msg, size_t msglen)
{
	enum refdata_table t;
	enum storage_status st;

	memset(b, 0, sizeof(*b));
	msg[0] = '\0';
	if (!staff_user_has_role(u, STAFF_REFDATA_ROLES))
		return STAFF_FORBIDDEN;
	if (!staff_refdata_table(file, &t))
		return STAFF_NOT_FOUND;
	if (len > REFDATA_ADMIN_FILE_MAX) {
		(void)snprintf(msg, msglen, "the file is larger than %u KiB",
		    REFDATA_ADMIN_FILE_MAX >> 10);
		return STAFF_INVALID;
	}
	if (refdata_admin_parse(t, buf, len, b) != 0)
		return STAFF_TRANSIENT;
	st = refdata_admin_import(w->db, b, u->login, "http");
	if (st == STORAGE_ERR_INVALID && b->problems_total == 0)
		(void)snprintf(msg, msglen, "the file was refused");
	if (st != STORAGE_OK)
		return staff_status_from_storage(st);
	log_info("refdata import: table=%s rows=%zu before=%ld user=%s",
	    refdata_admin_table_name(t), b->nrows, b->before, u->login);
	return STAFF_OK;
}
