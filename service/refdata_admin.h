/* SPDX-License-Identifier: MIT */
/*
 * Editing the reference data after `init` (extension of the contract, see
 * README "Editing the reference data"): one implementation behind the
 * command `tipline refdata export|import TABLE` and the admin's staff
 * routes (service/staff_refdata.h).
 *
 * The editable tables and their files are those of data/: places
 * (places.csv), domain-keywords (domain-keywords.csv), violations
 * (violations.csv), bureaus (bureaus.csv, plus an optional last column
 * `email`) and calendar (holidays-YYYY.csv: date,kind with kind holiday
 * or workday; an import replaces only the years its rows name, so that a
 * new year is added without the others, `tipline calendar import`).  An export is the table in that file's format (UTF-8, LF line
 * ends, quotes only where needed), so that export -> import of unchanged
 * data changes nothing and export after import gives the file back.
 *
 * An import replaces the table's rows: every line is checked first
 * (refdata_admin_parse(): the header, field counts, duplicate keys; then
 * refdata_import(): each value, by refdata_insert(), and the codes that
 * tips, staff accounts and cases still use), every bad line is reported
 * with its number, and nothing changes if there is one.  Otherwise one
 * transaction writes the rows, bumps the router's data serial (serving
 * workers reload before their next tip) and appends the audit entry
 * "refdata.import".  Bureaus are updated in place and a bureau left out of
 * the file is removed only when nothing refers to it; the other tables are
 * emptied and refilled.
 */
#ifndef SERVICE_REFDATA_ADMIN_H
#define SERVICE_REFDATA_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "service/config.h"
#include "service/options.h"
#include "storage/db.h"
#include "storage/refdata.h"

#define REFDATA_ADMIN_FILE_MAX		(1u << 20)	/* bytes of a file */
#define REFDATA_ADMIN_PROBLEMS_MAX	200	/* kept; more are counted */
#define REFDATA_ADMIN_NTABLES		5
#define REFDATA_ADMIN_EMAIL_MAX		254

/* The editable tables, in the order the page lists them. */
extern const enum refdata_table refdata_admin_tables[REFDATA_ADMIN_NTABLES];

/* One bad line. */
struct refdata_admin_problem {
	unsigned long line;		/* 0: no single line (a bureau left out) */
	char field[32];			/* the column it names, or "" */
	char text[320];			/* "line N: field F: reason" */
	size_t seq;			/* the order it was found in */
};

/* One row of the file as read (copies). */
struct refdata_admin_row {
	unsigned long line;
	char **fields;
	size_t nfields;
};

struct refdata_admin_batch {
	enum refdata_table table;
	bool with_email;		/* bureaus: the header has `email` */
	struct refdata_admin_row *rows;
	size_t nrows;
	size_t rows_cap;
	struct refdata_admin_problem *problems;	/* in line order once the
					 * import returned */
	size_t nproblems;		/* kept */
	size_t problems_cap;
	size_t problems_total;		/* kept + counted beyond the cap */
	long before;			/* rows before the import */
};

/* The table a name ("places", "domain-keywords", "violations",
 * "bureaus") stands for; false for anything else. */
bool refdata_admin_table(const char *name, enum refdata_table *t);

/* The name of an editable table ("places"), or NULL. */
const char *refdata_admin_table_name(enum refdata_table t);

/*
 * Read the file's bytes for table t into b (zeroed first), with the checks
 * that need no database: the header row, the number of fields of each
 * line, and keys given twice (a place's county_code and name, a domain's
 * keyword, a code).  A malformed CSV (an unterminated quote, invalid
 * UTF-8...) stops at that line.  Pure.  Returns 0 (look at
 * b->problems_total), or -1 when out of memory.  Free b with
 * refdata_admin_batch_free() either way.
 */
int refdata_admin_parse(enum refdata_table t, const void *buf, size_t len,
    struct refdata_admin_batch *b);

/* Free what b holds and zero it.  Accepts NULL. */
void refdata_admin_batch_free(struct refdata_admin_batch *b);

/*
 * Check every row of a parsed batch against the database and, if no line
 * is bad (including those refdata_admin_parse() found), replace the table
 * in one transaction with the router's serial bumped and the audit entry
 * "refdata.import" by actor ("cli" or the staff login), object the table's
 * name, reason "source=... rows=N before=M".  db must not be inside a
 * transaction.  Returns STORAGE_OK; STORAGE_ERR_INVALID with every
 * problem in b (sorted by line) and nothing changed; or the storage
 * failure (transient ones may be retried).
 */
enum storage_status refdata_admin_import(struct db *db,
    struct refdata_admin_batch *b, const char *actor, const char *source);

/*
 * The table as a CSV file in out (zeroed first; the caller frees it with
 * report_buf_free()).  Returns STORAGE_OK or the storage failure (out
 * then holds nothing).
 */
struct report_buf;
enum storage_status refdata_admin_export(struct db *db, enum refdata_table t,
    struct report_buf *out);

/*
 * `tipline refdata export TABLE [-o FILE]` and `tipline refdata import
 * TABLE FILE.csv`; `tipline calendar export [-o FILE]` and `tipline
 * calendar import FILE.csv` are the same for TABLE calendar.  Import prints every bad line on stderr ("tipline:
 * FILE: line N: ...") and changes nothing if there is one, otherwise the
 * counts on stdout.  Both work while `serve` runs.  Returns 0, 1 on
 * failure, 64 on a usage error.
 */
int refdata_admin_main(const struct config *cfg, const struct options *o);

#endif
