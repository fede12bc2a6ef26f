/* SPDX-License-Identifier: MIT */
/*
 * What the campaign summary table (service/report.c) reads, as plain rows:
 * the campaign, its key domains in the order of its attachment
 * (campaign_domains.position), the bureau a table is made for, and the
 * campaign's inspection cases with the columns the table counts.  No
 * aggregation here: service/ decides which cases count and how.
 *
 * Load: one campaign has a few hundred cases; a report reads them once,
 * on a read-only connection, so it works while `serve` runs.  The case
 * query is bounded by REPORT_STORE_MAX_CASES.
 */
#ifndef STORAGE_REPORT_STORE_H
#define STORAGE_REPORT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"

#define REPORT_STORE_CODE_MAX	64
#define REPORT_STORE_NAME_MAX	256
#define REPORT_STORE_MAX_DOMAINS 64
#define REPORT_STORE_MAX_CASES	200000

/* A campaign or a bureau: its code and names. */
struct report_store_named {
	char	code[REPORT_STORE_CODE_MAX];
	char	name_zh[REPORT_STORE_NAME_MAX];
	char	name_en[REPORT_STORE_NAME_MAX];
};

/* One key domain of the campaign. */
struct report_store_domain {
	char	code[REPORT_STORE_CODE_MAX];
	char	name_zh[REPORT_STORE_NAME_MAX];
	long	position;
};

/* One inspection case of the campaign. */
struct report_store_case {
	int64_t	id;
	int64_t	institution_id;
	char	domain[REPORT_STORE_CODE_MAX];	/* "" when none */
	char	bureau[REPORT_STORE_CODE_MAX];
	char	status[16];
	char	*joint_departments;		/* malloc'd; NULL when none */
	bool	violation_found;
	int	false_report;	/* 0 none, 1 inaccurate, 2 false */
	bool	rectify_ordered;
	bool	qualification_revoked;
	int64_t	fines_fen;
	int64_t	confiscated_fen;
	bool	referred_police;
};

/* The campaign code into *out; STORAGE_ERR_NOTFOUND if there is none. */
enum storage_status report_store_campaign(struct db *db, const char *code,
    struct report_store_named *out);

/* The bureau code into *out; STORAGE_ERR_NOTFOUND if there is none. */
enum storage_status report_store_bureau(struct db *db, const char *code,
    struct report_store_named *out);

/*
 * Every campaign, newest first (by starts_on, then code), to cb (row valid
 * during the call; cb returns 0 to go on, anything else stops).  A few
 * rows: the staff report page's choice.
 */
enum storage_status report_store_campaigns(struct db *db,
    int (*cb)(void *arg, const struct report_store_named *c), void *arg);

/*
 * The key domains of campaign, by position, into a new array *rows of *n
 * (the caller frees it with free()).
 */
enum storage_status report_store_domains(struct db *db, const char *campaign,
    struct report_store_domain **rows, size_t *n);

/*
 * Every case of campaign (only bureau's when bureau is not NULL), in id
 * order, into a new array *rows of *n; free with report_store_cases_free().
 * STORAGE_ERR_INVALID past REPORT_STORE_MAX_CASES.
 */
enum storage_status report_store_cases(struct db *db, const char *campaign,
    const char *bureau, struct report_store_case **rows, size_t *n);

/* Free the cases and NULL *rows.  Accepts NULL and *rows == NULL. */
void report_store_cases_free(struct report_store_case **rows, size_t n);

#endif
