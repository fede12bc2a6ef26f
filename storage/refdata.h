/* SPDX-License-Identifier: MIT */
/*
 * Reference data in the database: bureaus, the gazetteer, key domains and
 * their keywords, violation types and their keywords, campaigns, deadline
 * rules and the working-day calendar.  The rows come from the project's
 * data/ CSV files (embedded in the binary); service/ parses them and hands
 * each row here.  Loading is idempotent (an upsert on the natural key,
 * which updates rows in place and keeps columns the files do not carry,
 * such as bureaus.email) so that a later release can refresh the data.
 */
#ifndef STORAGE_REFDATA_H
#define STORAGE_REFDATA_H

#include <stddef.h>
#include "storage/db.h"

enum refdata_table {
	REFDATA_BUREAUS,		/* code,name_zh,name_en,parent_code,county_code */
	REFDATA_PLACES,			/* code,county_code,kind,name,short_name,status */
	REFDATA_DOMAINS,		/* code,name_zh,name_en,position,epidemic */
	REFDATA_DOMAIN_KEYWORDS,	/* domain,keyword,weight */
	REFDATA_VIOLATIONS,		/* code,category,article_2021,article_2025,name_zh,name_en,keywords */
	REFDATA_CAMPAIGNS,		/* code,name_zh,name_en,starts_on,ends_on,domains */
	REFDATA_DEADLINE_RULES,		/* rule_id,applies_from,applies_until,kind,trigger,limit,unit,extension,extension_unit,extension_condition,paused_by,source,note */
	REFDATA_CALENDAR,		/* date,kind */
	REFDATA_TABLE_COUNT,
};

/* Number of fields a row of the table must have (as the comments above). */
size_t refdata_field_count(enum refdata_table t);

/*
 * Insert or replace one row; fields[i] are UTF-8 strings, "" for empty.
 * Call inside a transaction (db_begin) for speed.  STORAGE_ERR_INVALID if
 * nfields is wrong or a value is out of range (err says which).
 */
enum storage_status refdata_insert(struct db *db, enum refdata_table t,
    const char *const *fields, size_t nfields, char *err, size_t errlen);

/* Count rows of a table (tests, start-up checks); -1 on error. */
long refdata_count(struct db *db, enum refdata_table t);

#endif
