/* SPDX-License-Identifier: MIT */
/*
 * The institution registry: `tipline institutions import FILE.csv`, and the
 * two checks the registry and the router share — the unified social credit
 * code's check character (GB 32100-2015) and the normalised name that
 * matching compares.
 *
 * The import file (contract.md, "Codes"): UTF-8 CSV with the header
 * name,credit_code,cma_cert_no,address,county_code,domains; domains
 * separated by ';'.  institutions_parse() is pure (a buffer in, records
 * and "line N: reason" errors out) so that a fuzzer can drive it; the
 * command adds the checks that need the database (the county has a bureau,
 * each domain exists) and then stores all rows in one transaction, or none
 * if any line is bad.
 */
#ifndef SERVICE_INSTITUTIONS_H
#define SERVICE_INSTITUTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "service/config.h"
#include "service/options.h"

#define INSTITUTIONS_CREDIT_CODE_LEN	18
#define INSTITUTIONS_NAME_MAX		200	/* characters */
#define INSTITUTIONS_ADDRESS_MAX	500	/* characters */
#define INSTITUTIONS_CMA_MIN		8	/* characters */
#define INSTITUTIONS_CMA_MAX		20
#define INSTITUTIONS_DOMAINS_MAX	16
#define INSTITUTIONS_ERRORS_MAX		1000	/* kept; more are counted */
#define INSTITUTIONS_FILE_MAX		(64u << 20)	/* bytes */

/* One good line of the file, with everything in its stored form. */
struct institutions_record {
	unsigned long line;
	char *name;			/* trimmed */
	char *name_norm;		/* institutions_normalise_name(name) */
	char *credit_code;		/* upper case, check character valid */
	char *cma_cert_no;		/* upper case, "" when none */
	char *address;			/* trimmed, "" when none */
	char *county_code;		/* six digits (existence not checked) */
	char **domains;			/* distinct codes */
	size_t ndomains;
};

struct institutions_batch {
	struct institutions_record *rows;
	size_t nrows;
	size_t rows_cap;
	char **errors;			/* "line N: reason", in line order */
	size_t nerrors;			/* kept */
	size_t errors_cap;
	size_t errors_total;		/* kept + counted beyond the cap */
};

/*
 * Parse and check the file's bytes into b (zeroed first).  Every bad line
 * is an error naming its line; a malformed CSV (an unterminated quote,
 * invalid UTF-8, ...) stops the parse at that line, since nothing after it
 * can be trusted.  Returns 0 (look at b->errors_total), or -1 when out of
 * memory.  Free b with institutions_batch_free() either way.
 */
int institutions_parse(const void *buf, size_t len,
    struct institutions_batch *b);

/* Add "line N: reason" to b's errors (the command's database checks). */
int institutions_batch_error(struct institutions_batch *b, unsigned long line,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Read a whole regular file of at most INSTITUTIONS_FILE_MAX bytes into a
 * new buffer (*buf of *len bytes, which the caller frees).  Returns 0, or -1 with "PATH: reason" in err.  Also used by
 * `tipline refdata import` (service/refdata_admin.c).
 */
int institutions_read_file(const char *path, char **buf, size_t *len,
    char *err, size_t errlen);

/* Free everything b holds and zero it.  Accepts NULL. */
void institutions_batch_free(struct institutions_batch *b);

/*
 * The check character of a unified social credit code whose first 17
 * characters are code[0..17) (GB 32100-2015, section 4.2: characters
 * 0-9 A-H J-N P-R T U W-Y valued 0..30; weights 3^i mod 31; check value
 * 31 - (sum mod 31), 31 becoming 0).  '\0' if one of the 17 is outside
 * that alphabet or code is shorter.
 */
char institutions_credit_code_check(const char *code);

/*
 * Whether code is a well-formed unified social credit code: exactly 18
 * characters of the alphabet (upper case), the last one the right check
 * character.
 */
bool institutions_valid_credit_code(const char *code);

/*
 * The matching form of an institution's name (service/textnorm.h:
 * full-width → half-width, spaces removed, brackets unified, ASCII lower
 * case, 有限责任公司 / 股份有限公司 → 有限公司).  A new string the caller
 * frees; NULL when out of memory.
 */
char *institutions_normalise_name(const char *name);

/*
 * The import of a parsed batch without bad lines, with db open and outside
 * a transaction: the database checks (county, domains), then one
 * transaction that upserts every row, bumps the router's data serial and
 * writes the audit entry; path names the file in messages and the audit.
 * Prints the counts on stdout, or every bad line on stderr and imports
 * nothing.  Returns 0, or 1 on failure.  institutions_main() and the
 * labelled-set test and bench (tests/helpers/labelled.c) use it.
 */
struct db;
int institutions_import_rows(struct db *db, const char *path,
    struct institutions_batch *b);

/*
 * `tipline institutions import FILE.csv` (o->args[0] "import", o->args[1]
 * the file).  Prints "line N: reason" on stderr for every bad line and
 * imports nothing if there is one; otherwise one BEGIN IMMEDIATE
 * transaction upserts every row (the same credit code updates), bumps the
 * router's data serial and writes the audit entry "institutions.import",
 * and the counts go to stdout.  Works while `serve` runs.  Returns 0, 1 on
 * failure, 64 on a usage error.
 */
int institutions_main(const struct config *cfg, const struct options *o);

#endif
