/* SPDX-License-Identifier: MIT */
/*
 * Loading the embedded reference data (the CSV files of data/, compiled in by
 * data/embed.py) into the database at `tipline init`.
 *
 * Each file is parsed with the CSV reader (service/csv.h); its first row
 * must be the expected header, every other row goes to refdata_insert()
 * (storage/refdata.h), which validates and upserts it.  The files are
 * loaded in an order in which every foreign key refers to rows already
 * there: bureaus (parents first within the file), domains, places, domain
 * keywords, violations, campaigns (their domains), deadline rules and the
 * calendar, which is every embedded holidays-*.csv so that a new year is
 * just a new file in data/meson.build.  All of it is one transaction: a
 * bad row leaves the database as it was.  A few hundred rows, once.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "data/embedded.h"
#include "service/csv.h"
#include "service/refdata_load.h"
#include "storage/refdata.h"

struct refdata_source {
	const char *name;		/* embedded file name */
	enum refdata_table table;
	const char *const *header;	/* expected columns, NULL-terminated */
};

static const char *const header_bureaus[] = {"code", "name_zh", "name_en",
    "parent_code", "county_code", NULL};
static const char *const header_places[] = {"code", "county_code", "kind",
    "name", "short_name", "status", NULL};
static const char *const header_domains[] = {"code", "name_zh", "name_en",
    "position", "epidemic", NULL};
static const char *const header_domain_keywords[] = {"domain", "keyword",
    "weight", NULL};
static const char *const header_violations[] = {"code", "category",
    "article_2021", "article_2025", "name_zh", "name_en", "keywords", NULL};
static const char *const header_campaigns[] = {"code", "name_zh",
    "name_en", "starts_on", "ends_on", "domains", NULL};
static const char *const header_deadline_rules[] = {"rule_id",
    "applies_from", "applies_until", "kind", "trigger", "limit", "unit",
    "extension", "extension_unit", "extension_condition", "paused_by",
    "source", "note", NULL};
static const char *const header_calendar[] = {"date", "kind", NULL};

/* In foreign-key order; the calendar files follow. */
static const struct refdata_source refdata_sources[] = {
	{ "bureaus.csv", REFDATA_BUREAUS, header_bureaus },
	{ "domains.csv", REFDATA_DOMAINS, header_domains },
	{ "places.csv", REFDATA_PLACES, header_places },
	{ "domain-keywords.csv", REFDATA_DOMAIN_KEYWORDS,
	    header_domain_keywords },
	{ "violations.csv", REFDATA_VIOLATIONS, header_violations },
	{ "campaigns.csv", REFDATA_CAMPAIGNS, header_campaigns },
	{ "deadline-rules.csv", REFDATA_DEADLINE_RULES,
	    header_deadline_rules },
};

/* See refdata_load.h. */
const char *const *
refdata_load_header(enum refdata_table t)
{
	if (t == REFDATA_CALENDAR)
		return header_calendar;
	for (size_t i = 0; i < sizeof(refdata_sources) /
	    sizeof(refdata_sources[0]); i++)
		if (refdata_sources[i].table == t)
			return refdata_sources[i].header;
	return NULL;
}

#define CALENDAR_PREFIX	"holidays-"
#define CALENDAR_SUFFIX	".csv"

/* Whether name is a calendar file, holidays-*.csv. */
static bool
is_calendar_file(const char *name)
{
	size_t n = strlen(name), p = strlen(CALENDAR_PREFIX),
	    s = strlen(CALENDAR_SUFFIX);

	return n > p + s && strncmp(name, CALENDAR_PREFIX, p) == 0 &&
	    strcmp(name + n - s, CALENDAR_SUFFIX) == 0;
}

/*
 * Check the header row against the expected column names; on a mismatch
 * err gets "FILE line N: reason".
 */
static int
refdata_check_header(const char *file, const struct csv_row *row,
    const char *const *header, size_t ncols, char *err, size_t errlen)
{
	if (row->nfields != ncols) {
		snprintf(err, errlen, "%s line %lu: header has %zu columns, "
		    "expected %zu", file, row->line, row->nfields, ncols);
		return -1;
	}
	for (size_t i = 0; i < ncols; i++)
		if (strcmp(row->fields[i], header[i]) != 0) {
			snprintf(err, errlen, "%s line %lu: header column %zu "
			    "is \"%.40s\", expected \"%s\"", file, row->line,
			    i + 1, row->fields[i], header[i]);
			return -1;
		}
	return 0;
}

/*
 * Parse one embedded file and insert its rows into table.  Returns 0, or
 * -1 with "FILE line N: reason" (or "FILE: reason") in err.
 */
static int
refdata_load_file(struct db *db, const struct embedded_file *f,
    enum refdata_table table, const char *const *header, char *err,
    size_t errlen)
{
	struct csv_reader r;
	struct csv_row row;
	char why[256];
	size_t ncols = 0, nrows = 0;
	enum storage_status st;
	int rc, ret = -1;

	while (header[ncols] != NULL)
		ncols++;
	if (ncols != refdata_field_count(table)) {	/* a bug here */
		snprintf(err, errlen, "%s: %zu columns expected, the table "
		    "takes %zu", f->name, ncols, refdata_field_count(table));
		return -1;
	}
	if (csv_reader_init(&r, f->data, f->len, NULL) != 0) {
		snprintf(err, errlen, "%s: cannot read", f->name);
		goto done;
	}
	rc = csv_next_row(&r, &row, why, sizeof(why));
	if (rc == 0) {
		snprintf(err, errlen, "%s: empty, no header row", f->name);
		goto done;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s %s", f->name, why);
		goto done;
	}
	if (refdata_check_header(f->name, &row, header, ncols, err,
	    errlen) != 0)
		goto done;
	while ((rc = csv_next_row(&r, &row, why, sizeof(why))) == 1) {
		if (row.nfields != ncols) {
			snprintf(err, errlen, "%s line %lu: %zu fields, "
			    "expected %zu", f->name, row.line, row.nfields,
			    ncols);
			goto done;
		}
		st = refdata_insert(db, table, row.fields, row.nfields, why,
		    sizeof(why));
		if (st != STORAGE_OK) {
			snprintf(err, errlen, "%s line %lu: %s", f->name,
			    row.line, why[0] != '\0' ? why :
			    storage_status_str(st));
			goto done;
		}
		nrows++;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s %s", f->name, why);
		goto done;
	}
	if (nrows == 0) {
		snprintf(err, errlen, "%s: no rows after the header", f->name);
		goto done;
	}
	ret = 0;
done:
	csv_reader_free(&r);
	return ret;
}

/* Load every file, in order; the caller holds the transaction. */
static int
refdata_load_files(struct db *db, char *err, size_t errlen)
{
	const struct embedded_file *f;
	size_t ncalendar = 0;

	for (size_t i = 0; i < sizeof(refdata_sources) /
	    sizeof(refdata_sources[0]); i++) {
		const struct refdata_source *s = &refdata_sources[i];

		if ((f = embedded_find(s->name)) == NULL) {
			snprintf(err, errlen, "%s: not in the binary", s->name);
			return -1;
		}
		if (refdata_load_file(db, f, s->table, s->header, err,
		    errlen) != 0)
			return -1;
	}
	for (size_t i = 0; i < embedded_files_count; i++) {
		f = &embedded_files[i];
		if (!is_calendar_file(f->name))
			continue;
		if (refdata_load_file(db, f, REFDATA_CALENDAR,
		    header_calendar, err, errlen) != 0)
			return -1;
		ncalendar++;
	}
	if (ncalendar == 0) {
		snprintf(err, errlen, CALENDAR_PREFIX "*" CALENDAR_SUFFIX
		    ": no calendar file in the binary");
		return -1;
	}
	return 0;
}

/*
 * Load all embedded reference data into db in one transaction (see
 * refdata_load.h).  Returns 0, or -1 after a rollback with the reason in
 * err ("FILE line N: reason").
 */
int
refdata_load_all(struct db *db, char *err, size_t errlen)
{
	char dummy[1];
	enum storage_status st;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if ((st = db_begin(db)) != STORAGE_OK) {
		snprintf(err, errlen, "reference data: begin: %s",
		    storage_status_str(st));
		return -1;
	}
	if (refdata_load_files(db, err, errlen) != 0) {
		db_rollback(db);
		return -1;
	}
	if ((st = db_commit(db)) != STORAGE_OK) {
		snprintf(err, errlen, "reference data: commit: %s",
		    storage_status_str(st));
		db_rollback(db);
		return -1;
	}
	return 0;
}
