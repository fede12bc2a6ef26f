/* SPDX-License-Identifier: MIT */
/*
 * The campaign summary table (design.md, "Cases and deadlines"; contract.md,
 * "Reports"): one row per key domain of the campaign, in the order of its
 * attachment, and a total row; the columns
 *
 *   部门联合情况 | 检查机构数 | 存在违法违规行为的机构 |
 *   其中出具不实/虚假报告 | 责令改正/整改 | 撤销/注销 | 罚没款(万元) |
 *   移送公安司法机关(起)
 *
 * This module builds the table from plain rows (pure: report_summary_build)
 * and loads those rows from the database (report_summary_load); the
 * renderers are report_render.c (HTML, CSV) and report_xlsx.c (XLSX).  The
 * command line, the staff page and the staff API all use these, so the
 * numbers are the same everywhere.
 *
 * Which cases count: the cases of the campaign, of the chosen bureau if
 * any, whose domain is one of the campaign's key domains and whose status
 * is past 'verifying' (filed, not_filed, decided, closed).  A case still in
 * 'verifying' is an inspection under way: its findings are provisional, so
 * it is counted in no column until the check ends with a decision to file
 * or not to file.  One rule for every column keeps 存在违法违规行为的机构 <=
 * 检查机构数.
 *
 * What each cell counts, per domain:
 *   检查机构数              institutions with a counted case;
 *   存在违法违规行为的机构  institutions with a case where a violation was
 *                           found or a false/inaccurate report (which is a
 *                           violation) was issued;
 *   其中出具不实/虚假报告   institutions with a case with false_report > 0;
 *   责令改正/整改           institutions ordered to rectify;
 *   撤销/注销               institutions whose qualification was revoked;
 *   罚没款(万元)            fines plus confiscations;
 *   移送公安司法机关(起)    cases referred ("起" counts cases, not
 *                           institutions);
 *   部门联合情况            the departments named in the cases'
 *                           joint_departments, split on 、,，;；, each once,
 *                           in order of first appearance, joined with '、'.
 *
 * Institutions are counted distinct per bureau: an institution with two
 * cases in one domain and one bureau counts once; inspected by two bureaus
 * it counts once for each, as it does on the two bureaus' own tables.  So
 * the city-wide table is exactly the sum of the bureau tables (issue 7).
 *
 * Money: integer fen, rounded half up to hundredths of 万元 (1 万元 =
 * 1,000,000 fen, so one hundredth is 10,000 fen) once per bureau and domain
 * (each bureau's cell, as on its own table), then added up; no floating
 * point anywhere.
 *
 * The total row is the column sum of the domain rows (design.md): an
 * institution inspected in two domains counts twice in the total, and the
 * money total is the sum of the rounded domain cells, so that the printed
 * column adds up.  Its 部门联合情况 is the union of the rows' departments.
 */
#ifndef SERVICE_REPORT_H
#define SERVICE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"
#include "storage/report_store.h"

#define REPORT_CITY_BUREAU	"140500"	/* the filling unit city-wide */
#define REPORT_JOINT_MAX	8192		/* bytes of one 部门联合情况 */
#define REPORT_OUTPUT_MAX	(16u << 20)	/* bytes of a rendered table */
#define REPORT_TOTAL_LABEL	"合计"
#define REPORT_TITLE_SUFFIX	"检查信息汇总表"
#define REPORT_NCOLUMNS		9	/* the domain column and eight more */
/*
 * The two-level header: columns 0 (重点领域), 1 (部门联合情况) and 2
 * (检查机构数) span both header rows; in the first row REPORT_GROUP_FINDINGS
 * spans columns 3-4 and REPORT_GROUP_OUTCOMES columns 5-8, over their leaf
 * names (report_column_names) in the second.  The design names only the
 * leaf columns; the two group names are ours.
 */
#define REPORT_GROUP_FINDINGS	"发现问题情况"
#define REPORT_GROUP_OUTCOMES	"查处情况"

enum report_format {
	REPORT_FORMAT_HTML,
	REPORT_FORMAT_CSV,
	REPORT_FORMAT_XLSX,
};

/* One row of the table: a domain, or the total. */
struct report_row {
	char	 code[REPORT_STORE_CODE_MAX];	/* "" for the total */
	char	 label[REPORT_STORE_NAME_MAX];	/* domain name; 合计 */
	char	*joint;			/* 部门联合情况, never NULL */
	long	 inspected;
	long	 violating;
	long	 false_report;
	long	 rectified;
	long	 revoked;
	int64_t	 money_centiwan;	/* hundredths of 万元 */
	int64_t	 money_fen;		/* the exact sum behind it, fen */
	long	 referred;
};

/* The whole table. */
struct report_summary {
	char			campaign[REPORT_STORE_CODE_MAX];
	char			campaign_name[REPORT_STORE_NAME_MAX];
	char			bureau[REPORT_STORE_CODE_MAX];	/* "": all */
	char			unit_name[REPORT_STORE_NAME_MAX]; /* 填报单位 */
	char			made_on[11];			/* 填报日期 */
	size_t			nrows;
	struct report_row	*rows;
	struct report_row	total;
};

/* A rendered table: len bytes at data (malloc'd). */
struct report_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

/* The header texts, leaf columns 0..REPORT_NCOLUMNS-1 (the second row). */
extern const char *const report_column_names[REPORT_NCOLUMNS];

/*
 * Format from "html", "csv" or "xlsx".  false for anything else.
 */
bool report_format_from_name(const char *name, enum report_format *f);

/* Hundredths of 万元 from fen, rounded half up (fen >= 0). */
int64_t report_centiwan_from_fen(int64_t fen);

/* Today's date (China Standard Time, as the calendar counts) as
 * "YYYY-MM-DD": the 填报日期 of a table made now. */
void report_today(char made_on[11]);

/* "12.34" from hundredths of 万元 into buf (at least 32 bytes). */
void report_format_centiwan(int64_t centiwan, char *buf, size_t buflen);

/*
 * Build the rows (pure): domains in the order given, cases as read by
 * report_store_cases().  Fills s->rows, s->nrows and s->total; the other
 * fields are the caller's.  0, or -1 on allocation failure or a money sum
 * that overflows.  Free with report_summary_free().
 */
int report_summary_build(const struct report_store_domain *domains,
    size_t ndomains, const struct report_store_case *cases, size_t ncases,
    struct report_summary *s);

/*
 * Load and build the table of campaign (of bureau's cases, or city-wide
 * when bureau is NULL), made on the day made_on ("YYYY-MM-DD").  Returns 0;
 * 1 with err set when the campaign or the bureau does not exist; -1 with
 * err set on a storage failure.  Free with report_summary_free().
 */
int report_summary_load(struct db *db, const char *campaign,
    const char *bureau, const char *made_on, struct report_summary *s,
    char *err, size_t errlen);

/* Free what a summary holds (not s itself).  Accepts a zeroed summary. */
void report_summary_free(struct report_summary *s);

/* Append len bytes to b; -1 past REPORT_OUTPUT_MAX or out of memory. */
int report_buf_add(struct report_buf *b, const void *p, size_t len);

/* Free b's data and zero it. */
void report_buf_free(struct report_buf *b);

/*
 * Render s in format f into out (which must be zeroed).  0, or -1 with err
 * set; on error out holds nothing.
 */
int report_render(const struct report_summary *s, enum report_format f,
    struct report_buf *out, char *err, size_t errlen);

#endif
