/* SPDX-License-Identifier: MIT */
/*
 * Editing the reference data (see refdata_admin.h): the CSV of an editable
 * table read into a batch and checked, the batch checked against the
 * database and written in one transaction, the table written back as CSV,
 * and the `tipline refdata` command around them.
 *
 * Files are small (the largest data/ file is 7 KiB; REFDATA_ADMIN_FILE_MAX
 * bounds them at 1 MiB), read with the CSV reader of service/csv.c and
 * copied row by row.  Values are checked by refdata_insert() itself, inside
 * the import's transaction, so that `init` and an import accept exactly the
 * same rows; a refused row leaves nothing behind (a savepoint), the next
 * rows are still checked, and the transaction is rolled back at the end if
 * any line was bad.
 */
#include "service/refdata_admin.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/csv.h"
#include "service/institutions.h"
#include "service/refdata_load.h"
#include "service/report.h"
#include "service/report_cmd.h"
#include "service/report_render.h"
#include "service/router.h"
#include "service/service.h"
#include "storage/audit.h"
#include "storage/fsutil.h"
#include "storage/refdata_edit.h"
#include "storage/router_data.h"

#define EXIT_USAGE 64
#define REFDATA_ADMIN_KEY_MAX 2	/* columns of the widest natural key */

struct refdata_admin_spec {
	enum refdata_table table;
	const char *name;		/* command line, URL, audit object */
	size_t key[REFDATA_ADMIN_KEY_MAX];	/* the natural key's columns */
	size_t nkey;
};

static const struct refdata_admin_spec refdata_admin_specs[] = {
	{ REFDATA_PLACES, "places", { 1, 3 }, 2 },
	{ REFDATA_DOMAIN_KEYWORDS, "domain-keywords", { 0, 1 }, 2 },
	{ REFDATA_VIOLATIONS, "violations", { 0, 0 }, 1 },
	{ REFDATA_BUREAUS, "bureaus", { 0, 0 }, 1 },
	{ REFDATA_CALENDAR, "calendar", { 0, 0 }, 1 },
};

const enum refdata_table refdata_admin_tables[REFDATA_ADMIN_NTABLES] = {
	REFDATA_PLACES, REFDATA_DOMAIN_KEYWORDS, REFDATA_VIOLATIONS,
	REFDATA_BUREAUS, REFDATA_CALENDAR,
};

static const struct refdata_admin_spec *
refdata_admin_spec(enum refdata_table t)
{
	for (size_t i = 0; i < REFDATA_ADMIN_NTABLES; i++)
		if (refdata_admin_specs[i].table == t)
			return &refdata_admin_specs[i];
	return NULL;
}

/* See refdata_admin.h. */
bool
refdata_admin_table(const char *name, enum refdata_table *t)
{
	for (size_t i = 0; name != NULL && i < REFDATA_ADMIN_NTABLES; i++)
		if (strcmp(refdata_admin_specs[i].name, name) == 0) {
			*t = refdata_admin_specs[i].table;
			return true;
		}
	return false;
}

/* See refdata_admin.h. */
const char *
refdata_admin_table_name(enum refdata_table t)
{
	const struct refdata_admin_spec *s = refdata_admin_spec(t);

	return s != NULL ? s->name : NULL;
}

/*
 * Make room for one more element in *v (n used of *cap, each size bytes),
 * doubling from first.  0, or -1 when out of memory (*v unchanged).
 */
static int
refdata_admin_grow(void **v, size_t n, size_t *cap, size_t size,
    size_t first)
{
	size_t c = *cap ? *cap * 2 : first;
	void *p;

	if (n < *cap)
		return 0;
	if (c > SIZE_MAX / size || (p = realloc(*v, c * size)) == NULL)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

static int refdata_admin_problem(struct refdata_admin_batch *,
    unsigned long, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Record a bad line: text is "line N: " (unless line is 0) and the
 * formatted reason.  0, or -1 when out of memory.
 */
static int
refdata_admin_problem(struct refdata_admin_batch *b, unsigned long line,
    const char *field, const char *fmt, ...)
{
	struct refdata_admin_problem *p;
	va_list ap;
	int n = 0;

	b->problems_total++;
	if (b->nproblems >= REFDATA_ADMIN_PROBLEMS_MAX)
		return 0;
	if (refdata_admin_grow((void **)&b->problems, b->nproblems,
	    &b->problems_cap, sizeof(*p), 8) != 0)
		return -1;
	p = &b->problems[b->nproblems++];
	p->line = line;
	p->seq = b->problems_total;
	(void)snprintf(p->field, sizeof(p->field), "%s", field);
	if (line > 0)
		n = snprintf(p->text, sizeof(p->text), "line %lu: ", line);
	va_start(ap, fmt);
	(void)vsnprintf(p->text + n, sizeof(p->text) - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

/* A reader's "line N: reason" as a problem of line N. */
static int
refdata_admin_csv_problem(struct refdata_admin_batch *b, const char *why)
{
	unsigned long line = 0;
	const char *p = why;

	if (strncmp(p, "line ", 5) == 0) {
		for (p += 5; *p >= '0' && *p <= '9'; p++)
			line = line * 10 + (unsigned long)(*p - '0');
		if (p[0] == ':' && p[1] == ' ')
			p += 2;
		else {
			line = 0;
			p = why;
		}
	}
	return refdata_admin_problem(b, line, "", "%s", p);
}

/* Copy one row of the reader into b.  0, or -1 when out of memory. */
static int
refdata_admin_keep_row(struct refdata_admin_batch *b,
    const struct csv_row *row)
{
	struct refdata_admin_row *r;

	if (refdata_admin_grow((void **)&b->rows, b->nrows, &b->rows_cap,
	    sizeof(*r), 64) != 0)
		return -1;
	r = &b->rows[b->nrows];
	r->line = row->line;
	r->nfields = 0;
	if ((r->fields = calloc(row->nfields, sizeof(*r->fields))) == NULL)
		return -1;
	b->nrows++;
	for (size_t i = 0; i < row->nfields; i++) {
		if ((r->fields[i] = strdup(row->fields[i])) == NULL)
			return -1;
		r->nfields++;
	}
	return 0;
}

/* The header row: the data/ file's columns (bureaus: and maybe email). */
static int
refdata_admin_header(struct refdata_admin_batch *b, const struct csv_row *row,
    size_t *ncols)
{
	const char *const *want = refdata_load_header(b->table);
	char list[256];
	size_t n = 0, used = 0;
	bool ok;

	while (want[n] != NULL) {
		used += (size_t)snprintf(list + used, used < sizeof(list) ?
		    sizeof(list) - used : 0, "%s%s", n ? "," : "", want[n]);
		if (used >= sizeof(list))
			used = sizeof(list) - 1;
		n++;
	}
	b->with_email = b->table == REFDATA_BUREAUS && row->nfields == n + 1 &&
	    strcmp(row->fields[n], "email") == 0;
	ok = row->nfields == n + (b->with_email ? 1 : 0);
	for (size_t i = 0; ok && i < n; i++)
		ok = strcmp(row->fields[i], want[i]) == 0;
	*ncols = row->nfields;
	if (ok)
		return 0;
	if (refdata_admin_problem(b, row->line, "", "the header must be "
	    "\"%s\"%s", list, b->table == REFDATA_BUREAUS ?
	    " (optionally followed by \",email\")" : "") != 0)
		return -1;
	return 1;
}

struct refdata_admin_key {
	char *key;
	unsigned long line;
};

static int
refdata_admin_key_cmp(const void *a, const void *b)
{
	const struct refdata_admin_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Keys given on two lines: a problem on the later one. */
static int
refdata_admin_duplicates(struct refdata_admin_batch *b)
{
	const struct refdata_admin_spec *s = refdata_admin_spec(b->table);
	const char *const *cols = refdata_load_header(b->table);
	struct refdata_admin_key *k;
	size_t n = 0;
	int rc = -1;

	if (b->nrows < 2)
		return 0;
	if ((k = calloc(b->nrows, sizeof(*k))) == NULL)
		return -1;
	for (size_t i = 0; i < b->nrows; i++) {
		const struct refdata_admin_row *r = &b->rows[i];
		const char *second = s->nkey > 1 ? r->fields[s->key[1]] : "";
		size_t len = strlen(r->fields[s->key[0]]) + strlen(second) + 2;

		if ((k[n].key = malloc(len)) == NULL)
			goto done;
		/* A unit separator between the columns (a field holding
		 * one can at worst be refused as a duplicate). */
		(void)snprintf(k[n].key, len, "%s\x1f%s", r->fields[s->key[0]],
		    second);
		k[n++].line = r->line;
	}
	qsort(k, n, sizeof(*k), refdata_admin_key_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(k[i].key, k[i - 1].key) == 0 &&
		    refdata_admin_problem(b, k[i].line,
		    cols[s->key[s->nkey - 1]], "field %s: the same %s as line "
		    "%lu", cols[s->key[s->nkey - 1]], s->nkey > 1 ?
		    "key" : cols[s->key[0]], k[i - 1].line) != 0)
			goto done;
	rc = 0;
done:
	for (size_t i = 0; i < n; i++)
		free(k[i].key);
	free(k);
	return rc;
}

/*
 * A calendar file's every year must hold its New Year's Day as a holiday:
 * that day marks a year as loaded (service/calendar.c), so that without it
 * the year's deadlines would still be counted on weekends alone.  One pass
 * over the rows (a file may hold tens of thousands); the problem is named
 * on the year's first line.  Years outside 1900..2199 are left to
 * refdata_insert()'s date check.
 */
#define REFDATA_ADMIN_YEAR_MIN	1900
#define REFDATA_ADMIN_YEARS	300

static int
refdata_admin_calendar_years(struct refdata_admin_batch *b)
{
	unsigned long first[REFDATA_ADMIN_YEARS] = { 0 };
	bool has[REFDATA_ADMIN_YEARS] = { false };

	for (size_t i = 0; i < b->nrows; i++) {
		const char *d = b->rows[i].fields[0];
		int y = 0;

		if (strlen(d) != 10)
			continue;
		for (size_t k = 0; k < 4 && y >= 0; k++)
			y = d[k] >= '0' && d[k] <= '9' ? y * 10 + (d[k] - '0') :
			    -1;
		if (y < REFDATA_ADMIN_YEAR_MIN ||
		    y >= REFDATA_ADMIN_YEAR_MIN + REFDATA_ADMIN_YEARS)
			continue;
		y -= REFDATA_ADMIN_YEAR_MIN;
		if (first[y] == 0)
			first[y] = b->rows[i].line;
		if (strcmp(d + 4, "-01-01") == 0 &&
		    strcmp(b->rows[i].fields[1], "holiday") == 0)
			has[y] = true;
	}
	for (int y = 0; y < REFDATA_ADMIN_YEARS; y++)
		if (first[y] != 0 && !has[y] && refdata_admin_problem(b,
		    first[y], "date", "field date: the file covers %d but has "
		    "no \"%d-01-01,holiday\" line; New Year's Day marks a "
		    "year's calendar as loaded", y + REFDATA_ADMIN_YEAR_MIN,
		    y + REFDATA_ADMIN_YEAR_MIN) != 0)
			return -1;
	return 0;
}

/* See refdata_admin.h. */
int
refdata_admin_parse(enum refdata_table t, const void *buf, size_t len,
    struct refdata_admin_batch *b)
{
	struct csv_reader r;
	struct csv_row row;
	char why[200];
	size_t ncols = 0;
	int rc, ret = -1;

	memset(b, 0, sizeof(*b));
	b->table = t;
	if (refdata_admin_spec(t) == NULL ||
	    csv_reader_init(&r, buf, len, NULL) != 0)
		return -1;
	rc = csv_next_row(&r, &row, why, sizeof(why));
	if (rc == 0) {
		if (refdata_admin_problem(b, 1, "", "empty: the header row is "
		    "missing") != 0)
			goto done;
		ret = 0;
		goto done;
	}
	if (rc < 0) {
		ret = refdata_admin_csv_problem(b, why);
		goto done;
	}
	if ((rc = refdata_admin_header(b, &row, &ncols)) != 0) {
		ret = rc > 0 ? 0 : -1;
		goto done;
	}
	while ((rc = csv_next_row(&r, &row, why, sizeof(why))) == 1) {
		if (row.nfields != ncols) {
			if (refdata_admin_problem(b, row.line, "", "%zu fields, "
			    "expected %zu as in the header", row.nfields,
			    ncols) != 0)
				goto done;
			continue;
		}
		if (refdata_admin_keep_row(b, &row) != 0)
			goto done;
	}
	if (rc < 0 && refdata_admin_csv_problem(b, why) != 0)
		goto done;
	if (b->nrows == 0 && b->problems_total == 0 &&
	    refdata_admin_problem(b, 0, "", "no rows after the header; the "
	    "table cannot be emptied") != 0)
		goto done;
	ret = refdata_admin_duplicates(b);
	if (ret == 0 && t == REFDATA_CALENDAR)
		ret = refdata_admin_calendar_years(b);
done:
	csv_reader_free(&r);
	return ret;
}

/* See refdata_admin.h. */
void
refdata_admin_batch_free(struct refdata_admin_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nrows; i++) {
		for (size_t k = 0; k < b->rows[i].nfields; k++)
			free(b->rows[i].fields[k]);
		free(b->rows[i].fields);
	}
	free(b->rows);
	free(b->problems);
	memset(b, 0, sizeof(*b));
}

/* ---- the import ------------------------------------------------------ */

/* Codes of the table before the import (bureaus, violation types). */
struct refdata_admin_codes {
	char **v;
	size_t n;
	size_t cap;
};

static int
refdata_admin_collect(void *arg, const char *const *f, size_t n)
{
	struct refdata_admin_codes *c = arg;

	(void)n;
	if (refdata_admin_grow((void **)&c->v, c->n, &c->cap, sizeof(*c->v),
	    32) != 0)
		return -1;
	if ((c->v[c->n] = strdup(f[0])) == NULL)
		return -1;
	c->n++;
	return 0;
}

static void
refdata_admin_codes_free(struct refdata_admin_codes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* Whether the batch has a row with code (column 0). */
static bool
refdata_admin_has_code(const struct refdata_admin_batch *b, const char *code)
{
	for (size_t i = 0; i < b->nrows; i++)
		if (strcmp(b->rows[i].fields[0], code) == 0)
			return true;
	return false;
}

/* "3 tips, 1 staff account" from u, into buf. */
static void
refdata_admin_uses_text(const struct refdata_edit_uses *u, char *buf,
    size_t len)
{
	const struct { long n; const char *one, *many; } parts[] = {
		{ u->tips, "tip", "tips" },
		{ u->users, "staff account", "staff accounts" },
		{ u->cases, "case", "cases" },
		{ u->children, "bureau (parent_code)", "bureaus (parent_code)" },
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].n == 0 || used >= len)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%ld %s",
		    used ? ", " : "", parts[i].n, parts[i].n == 1 ?
		    parts[i].one : parts[i].many);
	}
}

/*
 * The codes of old that the file leaves out: refuse those still in use (and
 * the city triage queue); remove the others when remove is set (bureaus).
 */
static enum storage_status
refdata_admin_left_out(struct db *db, struct refdata_admin_batch *b,
    const struct refdata_admin_codes *old, bool remove)
{
	struct refdata_edit_uses u;
	enum storage_status st;
	char uses[160];
	const char *what = b->table == REFDATA_BUREAUS ? "bureau" :
	    "violation type";

	for (size_t i = 0; i < old->n; i++) {
		const char *code = old->v[i];

		if (refdata_admin_has_code(b, code))
			continue;
		st = b->table == REFDATA_BUREAUS ?
		    refdata_edit_bureau_uses(db, code, &u) :
		    refdata_edit_violation_uses(db, code, &u);
		if (st != STORAGE_OK)
			return st;
		refdata_admin_uses_text(&u, uses, sizeof(uses));
		if (b->table == REFDATA_BUREAUS &&
		    strcmp(code, ROUTER_CITY_BUREAU) == 0) {
			if (refdata_admin_problem(b, 0, "code", "%s %s is left "
			    "out, but it is the city triage queue; keep its "
			    "line", what, code) != 0)
				return STORAGE_ERR_NOMEM;
		} else if (uses[0] != '\0') {
			if (refdata_admin_problem(b, 0, "code", "%s %s is left "
			    "out, but it is still used by %s; keep its line",
			    what, code, uses) != 0)
				return STORAGE_ERR_NOMEM;
		} else if (remove &&
		    (st = refdata_edit_bureau_delete(db, code)) != STORAGE_OK)
			return st;
	}
	return STORAGE_OK;
}

/* An e-mail address as a bureau's: one '@' inside, no space or control. */
static bool
refdata_admin_valid_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (n == 0)
		return true;		/* clears it */
	if (n > REFDATA_ADMIN_EMAIL_MAX || at == NULL || at == s ||
	    at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == ',' ||
		    s[i] == '<' || s[i] == '>')
			return false;
	return true;
}

/* "field NAME: ..." from refdata_insert(): NAME into field. */
static void
refdata_admin_field_of(const char *why, char *field, size_t len)
{
	size_t n = 0;

	field[0] = '\0';
	if (strncmp(why, "field ", 6) != 0)
		return;
	why += 6;
	while (why[n] != '\0' && why[n] != ':' && why[n] != ' ')
		n++;
	if (n < len) {
		memcpy(field, why, n);
		field[n] = '\0';
	}
}

/* Store every row; a bad one is a problem, a storage failure ends it. */
static enum storage_status
refdata_admin_store_rows(struct db *db, struct refdata_admin_batch *b)
{
	size_t n = refdata_field_count(b->table);
	enum storage_status st;
	char why[256], field[32];

	for (size_t i = 0; i < b->nrows; i++) {
		const struct refdata_admin_row *r = &b->rows[i];

		st = refdata_insert(db, b->table,
		    (const char *const *)r->fields, n, why, sizeof(why));
		if (st == STORAGE_ERR_INVALID) {
			refdata_admin_field_of(why, field, sizeof(field));
			if (refdata_admin_problem(b, r->line, field, "%s",
			    why) != 0)
				return STORAGE_ERR_NOMEM;
			continue;
		}
		if (st != STORAGE_OK)
			return st;
		if (!b->with_email)
			continue;
		if (!refdata_admin_valid_email(r->fields[n])) {
			if (refdata_admin_problem(b, r->line, "email", "field "
			    "email: not an e-mail address") != 0)
				return STORAGE_ERR_NOMEM;
			continue;
		}
		if ((st = refdata_edit_bureau_email(db, r->fields[0],
		    r->fields[n])) != STORAGE_OK)
			return st;
	}
	return STORAGE_OK;
}

static int
refdata_admin_problem_cmp(const void *a, const void *b)
{
	const struct refdata_admin_problem *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	/* Same line: keep the order they were found in. */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * A calendar file replaces the years it covers: their exception days go
 * before its rows are written; other years stay.  A row whose date is
 * malformed is refused by refdata_insert() afterwards.
 */
static enum storage_status
refdata_admin_calendar_clear(struct db *db,
    const struct refdata_admin_batch *b)
{
	enum storage_status st;
	char year[5], last[5] = "";

	for (size_t i = 0; i < b->nrows; i++) {
		const char *d = b->rows[i].fields[0];

		if (strlen(d) < 4)
			continue;
		memcpy(year, d, 4);
		year[4] = '\0';
		if (strcmp(year, last) == 0)
			continue;
		if ((st = refdata_edit_calendar_clear_year(db, year)) !=
		    STORAGE_OK)
			return st;
		memcpy(last, year, sizeof(last));
	}
	return STORAGE_OK;
}

/* The checks and writes inside the transaction. */
static enum storage_status
refdata_admin_replace(struct db *db, struct refdata_admin_batch *b,
    const char *actor, const char *source)
{
	struct refdata_admin_codes old = { NULL, 0, 0 };
	enum storage_status st;
	char reason[400];

	b->before = refdata_count(db, b->table);
	if (b->table == REFDATA_BUREAUS || b->table == REFDATA_VIOLATIONS) {
		if ((st = refdata_edit_each(db, b->table, false,
		    refdata_admin_collect, &old)) != STORAGE_OK)
			goto done;
	}
	if (b->table == REFDATA_VIOLATIONS &&
	    (st = refdata_admin_left_out(db, b, &old, false)) != STORAGE_OK)
		goto done;
	if (b->table == REFDATA_CALENDAR &&
	    (st = refdata_admin_calendar_clear(db, b)) != STORAGE_OK)
		goto done;
	if (b->table != REFDATA_BUREAUS && b->table != REFDATA_CALENDAR &&
	    (st = refdata_edit_clear(db, b->table)) != STORAGE_OK)
		goto done;
	if ((st = refdata_admin_store_rows(db, b)) != STORAGE_OK)
		goto done;
	if (b->table == REFDATA_BUREAUS &&
	    (st = refdata_admin_left_out(db, b, &old, true)) != STORAGE_OK)
		goto done;
	if (b->problems_total > 0) {
		st = STORAGE_ERR_INVALID;
		goto done;
	}
	(void)snprintf(reason, sizeof(reason), "source=%.300s rows=%zu "
	    "before=%ld", source, b->nrows, b->before);
	if ((st = router_data_touch(db)) != STORAGE_OK)
		goto done;
	st = audit_append(db, (int64_t)time(NULL), actor, "refdata.import",
	    refdata_admin_table_name(b->table), reason);
done:
	refdata_admin_codes_free(&old);
	return st;
}

/* See refdata_admin.h. */
enum storage_status
refdata_admin_import(struct db *db, struct refdata_admin_batch *b,
    const char *actor, const char *source)
{
	enum storage_status st;

	if (refdata_admin_spec(b->table) == NULL)
		return STORAGE_ERR_INVALID;
	if ((st = db_begin(db)) != STORAGE_OK)
		return st;
	st = refdata_admin_replace(db, b, actor, source);
	if (st == STORAGE_OK && b->problems_total == 0)
		st = db_commit(db);
	else if (st == STORAGE_OK)
		st = STORAGE_ERR_INVALID;
	if (st != STORAGE_OK)
		db_rollback(db);
	if (b->nproblems > 1)
		qsort(b->problems, b->nproblems, sizeof(b->problems[0]),
		    refdata_admin_problem_cmp);
	return st;
}

/* ---- the export ------------------------------------------------------ */

/* One line of CSV: fields quoted where needed, LF-terminated. */
static int
refdata_admin_csv_line(void *arg, const char *const *f, size_t n)
{
	struct report_buf *out = arg;

	for (size_t i = 0; i < n; i++)
		if ((i > 0 && report_buf_add(out, ",", 1) != 0) ||
		    report_render_csv_field(out, f[i], false) != 0)
			return -1;
	return report_buf_add(out, "\n", 1);
}

/* See refdata_admin.h. */
enum storage_status
refdata_admin_export(struct db *db, enum refdata_table t,
    struct report_buf *out)
{
	const char *const *cols = refdata_load_header(t);
	const char *head[REFDATA_EDIT_FIELDS_MAX];
	bool with_email;
	enum storage_status st;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (refdata_admin_spec(t) == NULL || cols == NULL)
		return STORAGE_ERR_INVALID;
	with_email = t == REFDATA_BUREAUS && refdata_edit_has_email(db);
	for (; cols[n] != NULL && n < REFDATA_EDIT_FIELDS_MAX; n++)
		head[n] = cols[n];
	if (with_email && n < REFDATA_EDIT_FIELDS_MAX)
		head[n++] = "email";
	if (refdata_admin_csv_line(out, head, n) != 0)
		st = STORAGE_ERR_NOMEM;
	else
		st = refdata_edit_each(db, t, with_email,
		    refdata_admin_csv_line, out);
	if (st != STORAGE_OK)
		report_buf_free(out);
	return st;
}

/* ---- the command ----------------------------------------------------- */

static void
refdata_admin_print_problems(const char *path,
    const struct refdata_admin_batch *b)
{
	for (size_t i = 0; i < b->nproblems; i++)
		fprintf(stderr, "tipline: %s: %s\n", path, b->problems[i].text);
	if (b->problems_total > b->nproblems)
		fprintf(stderr, "tipline: %s: ... and %zu more problems\n",
		    path, b->problems_total - b->nproblems);
	fprintf(stderr, "tipline: %s: %zu problem%s; nothing imported\n",
	    path, b->problems_total, b->problems_total == 1 ? "" : "s");
}

/* `refdata export TABLE [-o FILE]` with db open. */
static int
refdata_admin_cmd_export(struct db *db, enum refdata_table t,
    const char *output)
{
	struct report_buf buf;
	enum storage_status st;
	char err[CONFIG_ERR_MAX];
	int rc;

	if ((st = refdata_admin_export(db, t, &buf)) != STORAGE_OK) {
		fprintf(stderr, "tipline: refdata export: %s\n",
		    storage_status_str(st));
		return 1;
	}
	if (output != NULL && strcmp(output, "-") != 0)
		rc = report_cmd_write_file(output, &buf, err, sizeof(err));
	else if ((rc = fsutil_write_all(STDOUT_FILENO, buf.data,
	    buf.len)) != 0)
		(void)snprintf(err, sizeof(err), "cannot write to standard "
		    "output");
	if (rc != 0)
		fprintf(stderr, "tipline: refdata export: %s\n", err);
	report_buf_free(&buf);
	return rc != 0 ? 1 : 0;
}

/* `refdata import TABLE FILE.csv` with db open. */
static int
refdata_admin_cmd_import(struct db *db, enum refdata_table t,
    const char *path)
{
	struct refdata_admin_batch b;
	enum storage_status st;
	char err[CONFIG_ERR_MAX], *buf = NULL;
	const char *base = strrchr(path, '/');
	size_t len = 0;
	int rc = 1;

	memset(&b, 0, sizeof(b));
	if (institutions_read_file(path, &buf, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: %s\n", err);
		return 1;
	}
	if (len > REFDATA_ADMIN_FILE_MAX) {
		fprintf(stderr, "tipline: %s: larger than %u KiB\n", path,
		    REFDATA_ADMIN_FILE_MAX >> 10);
		goto out;
	}
	if (refdata_admin_parse(t, buf, len, &b) != 0) {
		fprintf(stderr, "tipline: out of memory\n");
		goto out;
	}
	st = refdata_admin_import(db, &b, "cli", base != NULL ? base + 1 :
	    path);
	if (st == STORAGE_ERR_INVALID && b.problems_total > 0) {
		refdata_admin_print_problems(path, &b);
		goto out;
	}
	if (st != STORAGE_OK) {
		fprintf(stderr, "tipline: %s: cannot import: %s%s; nothing "
		    "imported\n", path, storage_status_str(st),
		    storage_status_is_transient(st) ? " (try again)" : "");
		goto out;
	}
	printf("refdata import %s: %zu row%s (%ld before)\n",
	    refdata_admin_table_name(t), b.nrows, b.nrows == 1 ? "" : "s",
	    b.before);
	rc = 0;
out:
	refdata_admin_batch_free(&b);
	free(buf);
	return rc;
}

/* See refdata_admin.h. */
int
refdata_admin_main(const struct config *cfg, const struct options *o)
{
	struct service *svc = NULL;
	struct db *db = NULL;
	enum refdata_table t;
	char err[CONFIG_ERR_MAX];
	const char *table, *path;
	bool export, calendar = strcmp(o->command, "calendar") == 0;
	int k = calendar ? 0 : 1;	/* `calendar` names no table */
	int rc = 1;

	export = o->nargs == k + 1 && strcmp(o->args[0], "export") == 0;
	if (!export && !(o->nargs == k + 2 &&
	    strcmp(o->args[0], "import") == 0 && o->output == NULL)) {
		options_usage(o->command, stderr);
		return EXIT_USAGE;
	}
	table = calendar ? "calendar" : o->args[1];
	path = export ? NULL : o->args[k + 1];
	if (!refdata_admin_table(table, &t)) {
		fprintf(stderr, "tipline: refdata: unknown table \"%.40s\" "
		    "(places, domain-keywords, violations, bureaus or "
		    "calendar)\n", table);
		return EXIT_USAGE;
	}
	if (service_open(cfg, &svc, err, sizeof(err)) != 0 ||
	    service_db_open(svc, export ? DB_OPEN_READONLY : 0, &db, err,
	    sizeof(err)) != STORAGE_OK) {
		fprintf(stderr, "tipline: %s\n", err);
		goto out;
	}
	rc = export ? refdata_admin_cmd_export(db, t, o->output) :
	    refdata_admin_cmd_import(db, t, path);
out:
	db_close(&db);
	service_close(&svc);
	return rc;
}
