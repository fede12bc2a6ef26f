/* SPDX-License-Identifier: MIT */
/*
 * Reference data rows into the database (see refdata.h): bureaus, the
 * gazetteer, key domains and their keywords, violation types and their
 * keywords, campaigns and their domains, deadline rules and the calendar.
 *
 * One function per table validates the row's fields (codes, YYYY-MM-DD
 * dates that exist on the calendar, integers in range, closed sets of
 * kinds) and writes it with one prepared statement on the table's natural
 * key.  The statement is an upsert (INSERT ... ON CONFLICT DO UPDATE): like
 * INSERT OR REPLACE it makes loading idempotent, but it updates the row in
 * place instead of deleting it, so columns that the data files do not carry
 * (bureaus.email, set from the config) and row ids (places.id) survive a
 * reload, and rows that other tables refer to are never deleted.  List
 * fields (a violation's keywords, a campaign's domains) replace the child
 * rows of that code.  Statements are prepared per call: this runs a few
 * hundred times, once, at `tipline init`.
 *
 * Errors: STORAGE_ERR_INVALID with "field NAME: reason" for bad values and
 * for constraint failures (an unknown parent or domain code); SQLite
 * failures map through db_status_from_sqlite().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "storage/db.h"
#include "storage/refdata.h"

/* Longest code, keyword or list item accepted. */
#define REFDATA_CODE_MAX	64
#define REFDATA_KEYWORD_MAX	256

struct refdata_spec {
	size_t nfields;
	const char *count_sql;
};

static const struct refdata_spec refdata_specs[REFDATA_TABLE_COUNT] = {
	[REFDATA_BUREAUS] = { 5, "SELECT count(*) FROM bureaus" },
	[REFDATA_PLACES] = { 6, "SELECT count(*) FROM places" },
	[REFDATA_DOMAINS] = { 5, "SELECT count(*) FROM domains" },
	[REFDATA_DOMAIN_KEYWORDS] = { 3,
	    "SELECT count(*) FROM domain_keywords" },
	[REFDATA_VIOLATIONS] = { 7, "SELECT count(*) FROM violation_types" },
	[REFDATA_CAMPAIGNS] = { 6, "SELECT count(*) FROM campaigns" },
	[REFDATA_DEADLINE_RULES] = { 13,
	    "SELECT count(*) FROM deadline_rules" },
	[REFDATA_CALENDAR] = { 2, "SELECT count(*) FROM calendar_days" },
};

static const char sql_bureau[] =
	"INSERT INTO bureaus (code, name_zh, name_en, parent_code,"
	" county_code) VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh,"
	" name_en = excluded.name_en, parent_code = excluded.parent_code,"
	" county_code = excluded.county_code";
static const char sql_place[] =
	"INSERT INTO places (code, county_code, kind, name, short_name,"
	" status) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	" ON CONFLICT (county_code, name) DO UPDATE SET code = excluded.code,"
	" kind = excluded.kind, short_name = excluded.short_name,"
	" status = excluded.status";
static const char sql_domain[] =
	"INSERT INTO domains (code, name_zh, name_en, position, epidemic)"
	" VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh,"
	" name_en = excluded.name_en, position = excluded.position,"
	" epidemic = excluded.epidemic";
static const char sql_domain_keyword[] =
	"INSERT INTO domain_keywords (domain, keyword, weight)"
	" VALUES (?1, ?2, ?3)"
	" ON CONFLICT (domain, keyword) DO UPDATE SET weight = excluded.weight";
static const char sql_violation[] =
	"INSERT INTO violation_types (code, category, article_2021,"
	" article_2025, name_zh, name_en) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	" ON CONFLICT (code) DO UPDATE SET category = excluded.category,"
	" article_2021 = excluded.article_2021,"
	" article_2025 = excluded.article_2025,"
	" name_zh = excluded.name_zh, name_en = excluded.name_en";
static const char sql_violation_kw_delete[] =
	"DELETE FROM violation_keywords WHERE violation = ?1";
static const char sql_violation_kw[] =
	"INSERT OR IGNORE INTO violation_keywords (violation, keyword)"
	" VALUES (?1, ?2)";
static const char sql_campaign[] =
	"INSERT INTO campaigns (code, name_zh, name_en, starts_on, ends_on)"
	" VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh,"
	" name_en = excluded.name_en, starts_on = excluded.starts_on,"
	" ends_on = excluded.ends_on";
static const char sql_campaign_domain_delete[] =
	"DELETE FROM campaign_domains WHERE campaign = ?1";
static const char sql_campaign_domain[] =
	"INSERT INTO campaign_domains (campaign, domain, position)"
	" VALUES (?1, ?2, ?3)";
static const char sql_deadline_rule[] =
	"INSERT INTO deadline_rules (rule_id, applies_from, applies_until,"
	" kind, trigger, limit_value, unit, extension, extension_unit,"
	" extension_condition, paused_by, source, note)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
	" ON CONFLICT (rule_id, applies_from) DO UPDATE SET"
	" applies_until = excluded.applies_until, kind = excluded.kind,"
	" trigger = excluded.trigger, limit_value = excluded.limit_value,"
	" unit = excluded.unit, extension = excluded.extension,"
	" extension_unit = excluded.extension_unit,"
	" extension_condition = excluded.extension_condition,"
	" paused_by = excluded.paused_by, source = excluded.source,"
	" note = excluded.note";
static const char sql_calendar[] =
	"INSERT INTO calendar_days (date, kind) VALUES (?1, ?2)"
	" ON CONFLICT (date) DO UPDATE SET kind = excluded.kind";

static void refdata_err(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Write a message into err (which may be NULL). */
static void
refdata_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "field NAME: reason"; always STORAGE_ERR_INVALID. */
static enum storage_status
refdata_bad(char *err, size_t errlen, const char *field, const char *why)
{
	refdata_err(err, errlen, "field %s: %s", field, why);
	return STORAGE_ERR_INVALID;
}

/* A code: 1..REFDATA_CODE_MAX bytes of [a-z0-9_-]. */
static bool
valid_code(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > REFDATA_CODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* Exactly n ASCII digits (administrative division codes). */
static bool
valid_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* A YYYY-MM-DD date that exists in the Gregorian calendar, 1900..2999. */
static bool
valid_date(const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	int y, m, d, max;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

/* A decimal integer in [min, max], digits only (an optional '-'). */
static bool
parse_int(const char *s, long long min, long long max, long long *out)
{
	char *end = NULL;
	long long v;

	if (s[0] == '\0' || s[0] == '+' || s[0] == ' ' ||
	    (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Whether s is one of the NULL-terminated list. */
static bool
is_one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* Bind a text, or NULL when it is empty and nullable. */
static int
bind_text(sqlite3_stmt *st, int idx, const char *s, bool nullable)
{
	if (nullable && s[0] == '\0')
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

/* Prepare sql on db; err gets SQLite's reason on failure. */
static enum storage_status
refdata_prepare(struct db *db, const char *sql, sqlite3_stmt **out,
    char *err, size_t errlen)
{
	int rc = sqlite3_prepare_v2(db_sqlite(db), sql, -1, out, NULL);

	if (rc == SQLITE_OK)
		return STORAGE_OK;
	refdata_err(err, errlen, "prepare: %s", db_errmsg(db));
	sqlite3_finalize(*out);
	*out = NULL;
	return db_status_from_sqlite(rc);
}

/*
 * Step a bound write statement to its end and reset it for the next use.
 * A constraint failure is bad data: STORAGE_ERR_INVALID, and for a
 * foreign key the message names `field` (the referring field of this
 * statement) and its value.
 */
static enum storage_status
refdata_step(struct db *db, sqlite3_stmt *st, const char *field,
    const char *value, char *err, size_t errlen)
{
	int rc = sqlite3_step(st), xrc;
	enum storage_status status = STORAGE_OK;

	if (rc != SQLITE_DONE) {
		xrc = sqlite3_extended_errcode(db_sqlite(db));
		if (xrc == SQLITE_CONSTRAINT_FOREIGNKEY && field != NULL) {
			refdata_err(err, errlen, "field %s: unknown code "
			    "\"%.64s\"", field, value);
			status = STORAGE_ERR_INVALID;
		} else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
			refdata_err(err, errlen, "%s", db_errmsg(db));
			status = STORAGE_ERR_INVALID;
		} else {
			refdata_err(err, errlen, "%s", db_errmsg(db));
			status = db_status_from_sqlite(rc);
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return status;
}

/* Prepare, bind texts (NULL for "" where nullable[i]), step, finalize. */
static enum storage_status
refdata_exec_texts(struct db *db, const char *sql, const char *const *v,
    const bool *nullable, int n, const char *fk_field, const char *fk_value,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum storage_status status;

	if ((status = refdata_prepare(db, sql, &st, err, errlen)) != STORAGE_OK)
		return status;
	for (int i = 0; i < n; i++)
		if (bind_text(st, i + 1, v[i], nullable[i]) != SQLITE_OK) {
			refdata_err(err, errlen, "bind: %s", db_errmsg(db));
			sqlite3_finalize(st);
			return STORAGE_ERR_INTERNAL;
		}
	status = refdata_step(db, st, fk_field, fk_value, err, errlen);
	sqlite3_finalize(st);
	return status;
}

/* bureaus: code,name_zh,name_en,parent_code,county_code */
static enum storage_status
refdata_put_bureau(struct db *db, const char *const *f, char *err,
    size_t errlen)
{
	static const bool nullable[] = {false, false, false, true, true};

	if (!valid_code(f[0]))
		return refdata_bad(err, errlen, "code", "not a code");
	if (f[1][0] == '\0')
		return refdata_bad(err, errlen, "name_zh", "empty");
	if (f[2][0] == '\0')
		return refdata_bad(err, errlen, "name_en", "empty");
	if (f[3][0] != '\0' && (!valid_code(f[3]) || strcmp(f[3], f[0]) == 0))
		return refdata_bad(err, errlen, "parent_code",
		    "not another bureau's code");
	if (f[4][0] != '\0' && !valid_digits(f[4], 6))
		return refdata_bad(err, errlen, "county_code",
		    "not a 6-digit county code");
	return refdata_exec_texts(db, sql_bureau, f, nullable, 5,
	    "parent_code", f[3], err, errlen);
}

/* places: code,county_code,kind,name,short_name,status */
static enum storage_status
refdata_put_place(struct db *db, const char *const *f, char *err,
    size_t errlen)
{
	static const char *const county_kinds[] = {"县", "市", "区", NULL};
	static const char *const town_kinds[] = {"镇", "乡", "街道", NULL};
	static const char *const statuses[] = {"current", "former", NULL};
	static const bool nullable[] = {true, false, false, false, true,
	    false};
	bool county = is_one_of(f[2], county_kinds);

	if (!valid_digits(f[1], 6))
		return refdata_bad(err, errlen, "county_code",
		    "not a 6-digit county code");
	if (!county && !is_one_of(f[2], town_kinds))
		return refdata_bad(err, errlen, "kind",
		    "not one of 县 市 区 镇 乡 街道");
	/* A county's code is its own; a town's extends its county's. */
	if (f[0][0] != '\0' &&
	    (!valid_digits(f[0], county ? 6 : 9) ||
	    strncmp(f[0], f[1], 6) != 0))
		return refdata_bad(err, errlen, "code", county ?
		    "a county's code must equal county_code" :
		    "not a 9-digit code within county_code");
	if (f[3][0] == '\0')
		return refdata_bad(err, errlen, "name", "empty");
	if (!is_one_of(f[5], statuses))
		return refdata_bad(err, errlen, "status",
		    "not current or former");
	return refdata_exec_texts(db, sql_place, f, nullable, 6, NULL, NULL,
	    err, errlen);
}

/* domains: code,name_zh,name_en,position,epidemic */
static enum storage_status
refdata_put_domain(struct db *db, const char *const *f, char *err,
    size_t errlen)
{
	static const bool nullable[] = {false, false, false};
	sqlite3_stmt *st = NULL;
	enum storage_status status;
	long long position, epidemic;

	if (!valid_code(f[0]))
		return refdata_bad(err, errlen, "code", "not a code");
	if (f[1][0] == '\0')
		return refdata_bad(err, errlen, "name_zh", "empty");
	if (f[2][0] == '\0')
		return refdata_bad(err, errlen, "name_en", "empty");
	if (!parse_int(f[3], 1, 1000, &position))
		return refdata_bad(err, errlen, "position",
		    "not an integer 1..1000");
	if (!parse_int(f[4], 0, 1, &epidemic))
		return refdata_bad(err, errlen, "epidemic", "not 0 or 1");
	if ((status = refdata_prepare(db, sql_domain, &st, err, errlen)) !=
	    STORAGE_OK)
		return status;
	for (int i = 0; i < 3; i++)
		if (bind_text(st, i + 1, f[i], nullable[i]) != SQLITE_OK)
			goto bind_fail;
	if (sqlite3_bind_int64(st, 4, position) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 5, epidemic) != SQLITE_OK)
		goto bind_fail;
	status = refdata_step(db, st, NULL, NULL, err, errlen);
	sqlite3_finalize(st);
	return status;
bind_fail:
	refdata_err(err, errlen, "bind: %s", db_errmsg(db));
	sqlite3_finalize(st);
	return STORAGE_ERR_INTERNAL;
}

/* domain_keywords: domain,keyword,weight */
static enum storage_status
refdata_put_domain_keyword(struct db *db, const char *const *f, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum storage_status status;
	long long weight;

	if (!valid_code(f[0]))
		return refdata_bad(err, errlen, "domain", "not a code");
	if (f[1][0] == '\0' || strlen(f[1]) > REFDATA_KEYWORD_MAX)
		return refdata_bad(err, errlen, "keyword",
		    "empty or too long");
	if (!parse_int(f[2], 0, 100, &weight))
		return refdata_bad(err, errlen, "weight",
		    "not an integer 0..100");
	if ((status = refdata_prepare(db, sql_domain_keyword, &st, err,
	    errlen)) != STORAGE_OK)
		return status;
	if (bind_text(st, 1, f[0], false) != SQLITE_OK ||
	    bind_text(st, 2, f[1], false) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 3, weight) != SQLITE_OK) {
		refdata_err(err, errlen, "bind: %s", db_errmsg(db));
		sqlite3_finalize(st);
		return STORAGE_ERR_INTERNAL;
	}
	status = refdata_step(db, st, "domain", f[0], err, errlen);
	sqlite3_finalize(st);
	return status;
}

/*
 * The next item of a ';'-separated list at *pos: sets *item and *len
 * (spaces around it trimmed) and advances *pos past the separator.
 * Returns false at the end of the list.  Empty items are skipped.
 */
static bool
list_next(const char **pos, const char **item, size_t *len)
{
	const char *p = *pos, *e;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0') {
			*pos = p;
			return false;
		}
		if (*p == ';') {
			p++;
			continue;
		}
		break;
	}
	e = strchr(p, ';');
	if (e == NULL)
		e = p + strlen(p);
	*item = p;
	*len = (size_t)(e - p);
	while (*len > 0 && p[*len - 1] == ' ')
		(*len)--;
	*pos = *e == ';' ? e + 1 : e;
	return true;
}

/*
 * Replace the child rows of `code`: run del (?1 = code), then ins once per
 * item of the list (?1 = code, ?2 = item, ?3 = position from 1 if
 * with_position).  items_are_codes checks each item as a code.
 */
static enum storage_status
refdata_put_list(struct db *db, const char *code, const char *list,
    const char *del, const char *ins, bool with_position,
    bool items_are_codes, const char *field, char *err, size_t errlen)
{
	sqlite3_stmt *sd = NULL, *si = NULL;
	enum storage_status status;
	const char *pos = list, *item;
	char value[REFDATA_KEYWORD_MAX + 1];
	size_t len;
	long long n = 0;

	if ((status = refdata_prepare(db, del, &sd, err, errlen)) !=
	    STORAGE_OK ||
	    (status = refdata_prepare(db, ins, &si, err, errlen)) != STORAGE_OK)
		goto done;
	if (bind_text(sd, 1, code, false) != SQLITE_OK) {
		status = STORAGE_ERR_INTERNAL;
		refdata_err(err, errlen, "bind: %s", db_errmsg(db));
		goto done;
	}
	if ((status = refdata_step(db, sd, NULL, NULL, err, errlen)) !=
	    STORAGE_OK)
		goto done;
	while (list_next(&pos, &item, &len)) {
		if (len > REFDATA_KEYWORD_MAX) {
			status = refdata_bad(err, errlen, field,
			    "an item is too long");
			goto done;
		}
		memcpy(value, item, len);
		value[len] = '\0';
		if (items_are_codes && !valid_code(value)) {
			refdata_err(err, errlen, "field %s: \"%.64s\" is not a "
			    "code", field, value);
			status = STORAGE_ERR_INVALID;
			goto done;
		}
		n++;
		if (bind_text(si, 1, code, false) != SQLITE_OK ||
		    bind_text(si, 2, value, false) != SQLITE_OK ||
		    (with_position &&
		    sqlite3_bind_int64(si, 3, n) != SQLITE_OK)) {
			status = STORAGE_ERR_INTERNAL;
			refdata_err(err, errlen, "bind: %s", db_errmsg(db));
			goto done;
		}
		if ((status = refdata_step(db, si, field, value, err,
		    errlen)) != STORAGE_OK)
			goto done;
	}
	status = STORAGE_OK;
done:
	sqlite3_finalize(sd);
	sqlite3_finalize(si);
	return status;
}

/*
 * violation_types: code,category,article_2021,article_2025,name_zh,name_en,
 * keywords (';'-separated, into violation_keywords)
 */
static enum storage_status
refdata_put_violation(struct db *db, const char *const *f, char *err,
    size_t errlen)
{
	static const char *const categories[] = {"inaccurate", "false",
	    "other", NULL};
	static const bool nullable[] = {false, false, true, true, false,
	    false};
	enum storage_status status;

	if (!valid_code(f[0]))
		return refdata_bad(err, errlen, "code", "not a code");
	if (!is_one_of(f[1], categories))
		return refdata_bad(err, errlen, "category",
		    "not inaccurate, false or other");
	if (f[4][0] == '\0')
		return refdata_bad(err, errlen, "name_zh", "empty");
	if (f[5][0] == '\0')
		return refdata_bad(err, errlen, "name_en", "empty");
	status = refdata_exec_texts(db, sql_violation, f, nullable, 6, NULL,
	    NULL, err, errlen);
	if (status != STORAGE_OK)
		return status;
	return refdata_put_list(db, f[0], f[6], sql_violation_kw_delete,
	    sql_violation_kw, false, false, "keywords", err, errlen);
}

/* campaigns: code,name_zh,name_en,starts_on,ends_on,domains */
static enum storage_status
refdata_put_campaign(struct db *db, const char *const *f, char *err,
    size_t errlen)
{
	static const bool nullable[] = {false, false, false, true, true};
	enum storage_status status;

	if (!valid_code(f[0]))
		return refdata_bad(err, errlen, "code", "not a code");
	if (f[1][0] == '\0')
		return refdata_bad(err, errlen, "name_zh", "empty");
	if (f[2][0] == '\0')
		return refdata_bad(err, errlen, "name_en", "empty");
	if (f[3][0] != '\0' && !valid_date(f[3]))
		return refdata_bad(err, errlen, "starts_on",
		    "not a YYYY-MM-DD date");
	if (f[4][0] != '\0' && !valid_date(f[4]))
		return refdata_bad(err, errlen, "ends_on",
		    "not a YYYY-MM-DD date");
	if (f[3][0] != '\0' && f[4][0] != '\0' && strcmp(f[3], f[4]) > 0)
		return refdata_bad(err, errlen, "ends_on",
		    "before starts_on");
	status = refdata_exec_texts(db, sql_campaign, f, nullable, 5, NULL,
	    NULL, err, errlen);
	if (status != STORAGE_OK)
		return status;
	return refdata_put_list(db, f[0], f[5], sql_campaign_domain_delete,
	    sql_campaign_domain, true, true, "domains", err, errlen);
}

/*
 * deadline_rules: rule_id,applies_from,applies_until,kind,trigger,limit,
 * unit,extension,extension_unit,extension_condition,paused_by,source,note
 */
static enum storage_status
refdata_put_deadline_rule(struct db *db, const char *const *f, char *err,
    size_t errlen)
{
	static const char *const units[] = {"working_days", "days", "years",
	    NULL};
	/* Nullable text columns by field index; 5 and 7 are integers. */
	static const bool nullable[] = {false, false, true, false, false,
	    true, true, true, true, true, true, false, true};
	sqlite3_stmt *st = NULL;
	enum storage_status status;
	long long limit = 0, extension = 0;

	if (!valid_code(f[0]))
		return refdata_bad(err, errlen, "rule_id", "not a code");
	if (!valid_date(f[1]))
		return refdata_bad(err, errlen, "applies_from",
		    "not a YYYY-MM-DD date");
	if (f[2][0] != '\0' && !valid_date(f[2]))
		return refdata_bad(err, errlen, "applies_until",
		    "not a YYYY-MM-DD date");
	if (f[2][0] != '\0' && strcmp(f[1], f[2]) > 0)
		return refdata_bad(err, errlen, "applies_until",
		    "before applies_from");
	if (f[3][0] == '\0')
		return refdata_bad(err, errlen, "kind", "empty");
	if (f[4][0] == '\0')
		return refdata_bad(err, errlen, "trigger", "empty");
	if (f[5][0] != '\0' && !parse_int(f[5], 0, 100000, &limit))
		return refdata_bad(err, errlen, "limit",
		    "not an integer 0..100000");
	if ((f[5][0] == '\0') != (f[6][0] == '\0') ||
	    (f[6][0] != '\0' && !is_one_of(f[6], units)))
		return refdata_bad(err, errlen, "unit", "not working_days, "
		    "days or years (and required exactly with a limit)");
	if (f[7][0] != '\0' && !parse_int(f[7], 0, 100000, &extension))
		return refdata_bad(err, errlen, "extension",
		    "not an integer 0..100000");
	if ((f[7][0] == '\0') != (f[8][0] == '\0') ||
	    (f[8][0] != '\0' && !is_one_of(f[8], units)))
		return refdata_bad(err, errlen, "extension_unit", "not "
		    "working_days, days or years (and required exactly with "
		    "an extension)");
	if (f[11][0] == '\0')
		return refdata_bad(err, errlen, "source", "empty");

	if ((status = refdata_prepare(db, sql_deadline_rule, &st, err,
	    errlen)) != STORAGE_OK)
		return status;
	for (int i = 0; i < 13; i++) {
		int rc;

		if ((i == 5 || i == 7) && f[i][0] != '\0')
			rc = sqlite3_bind_int64(st, i + 1,
			    i == 5 ? limit : extension);
		else
			rc = bind_text(st, i + 1, f[i], nullable[i]);
		if (rc != SQLITE_OK) {
			refdata_err(err, errlen, "bind: %s", db_errmsg(db));
			sqlite3_finalize(st);
			return STORAGE_ERR_INTERNAL;
		}
	}
	status = refdata_step(db, st, NULL, NULL, err, errlen);
	sqlite3_finalize(st);
	return status;
}

/* calendar_days: date,kind */
static enum storage_status
refdata_put_calendar(struct db *db, const char *const *f, char *err,
    size_t errlen)
{
	static const char *const kinds[] = {"holiday", "workday", NULL};
	static const bool nullable[] = {false, false};

	if (!valid_date(f[0]))
		return refdata_bad(err, errlen, "date",
		    "not a YYYY-MM-DD date");
	if (!is_one_of(f[1], kinds))
		return refdata_bad(err, errlen, "kind",
		    "not holiday or workday");
	return refdata_exec_texts(db, sql_calendar, f, nullable, 2, NULL,
	    NULL, err, errlen);
}

/* The number of fields of a row of table t; 0 for an unknown table. */
size_t
refdata_field_count(enum refdata_table t)
{
	if ((unsigned)t >= REFDATA_TABLE_COUNT)
		return 0;
	return refdata_specs[t].nfields;
}

/*
 * Validate and upsert one row of table t (see refdata.h).  fields[] are
 * NUL-terminated UTF-8 strings, "" for empty; the caller keeps them.  The
 * row's statements run inside a savepoint: a refused row leaves nothing
 * behind, inside or outside the caller's transaction.
 * Returns STORAGE_OK, STORAGE_ERR_INVALID with "field NAME: reason" in err
 * for a bad row, or the mapped SQLite failure.
 */
enum storage_status
refdata_insert(struct db *db, enum refdata_table t,
    const char *const *fields, size_t nfields, char *err, size_t errlen)
{
	enum storage_status status = STORAGE_ERR_INVALID;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (db == NULL || fields == NULL ||
	    (unsigned)t >= REFDATA_TABLE_COUNT) {
		refdata_err(err, errlen, "bad arguments");
		return STORAGE_ERR_INVALID;
	}
	if (nfields != refdata_specs[t].nfields) {
		refdata_err(err, errlen, "%zu fields, expected %zu", nfields,
		    refdata_specs[t].nfields);
		return STORAGE_ERR_INVALID;
	}
	for (size_t i = 0; i < nfields; i++)
		if (fields[i] == NULL) {
			refdata_err(err, errlen, "field %zu is NULL", i + 1);
			return STORAGE_ERR_INVALID;
		}
	/* A row of several statements is all or nothing. */
	if ((rc = sqlite3_exec(db_sqlite(db), "SAVEPOINT refdata_row", NULL,
	    NULL, NULL)) != SQLITE_OK) {
		refdata_err(err, errlen, "savepoint: %s", db_errmsg(db));
		return db_status_from_sqlite(rc);
	}
	switch (t) {
	case REFDATA_BUREAUS:
		status = refdata_put_bureau(db, fields, err, errlen);
		break;
	case REFDATA_PLACES:
		status = refdata_put_place(db, fields, err, errlen);
		break;
	case REFDATA_DOMAINS:
		status = refdata_put_domain(db, fields, err, errlen);
		break;
	case REFDATA_DOMAIN_KEYWORDS:
		status = refdata_put_domain_keyword(db, fields, err, errlen);
		break;
	case REFDATA_VIOLATIONS:
		status = refdata_put_violation(db, fields, err, errlen);
		break;
	case REFDATA_CAMPAIGNS:
		status = refdata_put_campaign(db, fields, err, errlen);
		break;
	case REFDATA_DEADLINE_RULES:
		status = refdata_put_deadline_rule(db, fields, err, errlen);
		break;
	case REFDATA_CALENDAR:
		status = refdata_put_calendar(db, fields, err, errlen);
		break;
	case REFDATA_TABLE_COUNT:
	default:
		break;
	}
	if (status != STORAGE_OK)
		(void)sqlite3_exec(db_sqlite(db), "ROLLBACK TO refdata_row",
		    NULL, NULL, NULL);
	if ((rc = sqlite3_exec(db_sqlite(db), "RELEASE refdata_row", NULL,
	    NULL, NULL)) != SQLITE_OK && status == STORAGE_OK) {
		refdata_err(err, errlen, "release: %s", db_errmsg(db));
		status = db_status_from_sqlite(rc);
	}
	return status;
}

/*
 * Count the rows of table t's main table (bureaus, places, domains,
 * domain_keywords, violation_types, campaigns, deadline_rules,
 * calendar_days).  Returns the count, or -1 on error.
 */
long
refdata_count(struct db *db, enum refdata_table t)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (db == NULL || (unsigned)t >= REFDATA_TABLE_COUNT)
		return -1;
	if (sqlite3_prepare_v2(db_sqlite(db), refdata_specs[t].count_sql, -1,
	    &st, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
done:
	sqlite3_finalize(st);
	return n;
}
