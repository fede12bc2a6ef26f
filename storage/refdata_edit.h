/* SPDX-License-Identifier: MIT */
/*
 * Editing the reference data after `init` (extension): the rows of the
 * admin-editable tables (bureaus, places, domain keywords, violation types
 * with their keywords) read back in the order and shape of the data/ CSV
 * files, and the few writes a whole-table replacement needs beside
 * refdata_insert() (storage/refdata.h): clearing a table, a bureau's
 * e-mail address, removing a bureau, and counting what refers to a code
 * that is about to go.  service/refdata_admin.c drives them inside one
 * transaction.
 */
#ifndef STORAGE_REFDATA_EDIT_H
#define STORAGE_REFDATA_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "storage/db.h"
#include "storage/refdata.h"

/* Fields of the widest exported row (bureaus with their e-mail). */
#define REFDATA_EDIT_FIELDS_MAX 7

/*
 * Call row() for each row of table t (REFDATA_BUREAUS, _PLACES,
 * _DOMAIN_KEYWORDS, _VIOLATIONS, or _CALENDAR in date order) in file
 * order (insertion order), with
 * the fields of its data/ file ("" for NULL; a violation's keywords joined
 * by ';'); bureaus get a sixth field, the e-mail address, when with_email.
 * The strings are valid during the call only; row returns 0 to go on.
 * STORAGE_ERR_INVALID for another table; row's non-zero return stops the
 * walk with STORAGE_ERR_NOMEM.
 */
enum storage_status refdata_edit_each(struct db *db, enum refdata_table t,
    bool with_email, int (*row)(void *arg, const char *const *fields,
    size_t nfields), void *arg);

/* Whether any bureau has an e-mail address (then exports carry it). */
bool refdata_edit_has_email(struct db *db);

/*
 * Delete every row of table t (places, domain keywords, or violation types
 * with their keywords) inside the caller's transaction, to be refilled by
 * refdata_insert().  For violation types the foreign keys of tips and
 * cases are deferred to the commit, so that codes put back before it stay
 * valid (check the codes that do not come back with
 * refdata_edit_violation_uses() first).  STORAGE_ERR_INVALID for bureaus:
 * they are updated in place and removed one by one.
 */
enum storage_status refdata_edit_clear(struct db *db, enum refdata_table t);

/*
 * Delete the calendar's exception days of year ("2027") inside the
 * caller's transaction: a calendar file replaces the years it covers and
 * leaves the others alone.
 */
enum storage_status refdata_edit_calendar_clear_year(struct db *db,
    const char *year);

/* Set bureau code's e-mail address ("" clears it). */
enum storage_status refdata_edit_bureau_email(struct db *db, const char *code,
    const char *email);

/* What refers to a bureau: its tips, staff accounts, cases and the bureaus
 * that name it as parent. */
struct refdata_edit_uses {
	long tips;
	long users;
	long cases;
	long children;
};

/* Count what refers to bureau code (all zero for an unknown code). */
enum storage_status refdata_edit_bureau_uses(struct db *db, const char *code,
    struct refdata_edit_uses *u);

/* Count the tips (violation) and cases (false_report_kind) that name
 * violation type code: u->tips and u->cases, the rest zero. */
enum storage_status refdata_edit_violation_uses(struct db *db,
    const char *code, struct refdata_edit_uses *u);

/* Delete bureau code (check refdata_edit_bureau_uses() first). */
enum storage_status refdata_edit_bureau_delete(struct db *db,
    const char *code);

#endif
