/* SPDX-License-Identifier: MIT */
/*
 * The campaign summary table as a JSON document (the staff API's
 * format=json; the contract leaves its shape to us, README.md "Reports"
 * describes it).  Pure: a built table (report.h) in, a document out.
 *
 *   {"title", "campaign", "campaign_name", "bureau" (null: city-wide),
 *    "filled_by", "date",
 *    "columns": the two-level header: [{"name", "key"} | {"name",
 *               "columns": [{"name", "key"}, ...]}, ...],
 *    "rows": [ROW, ...] (one per key domain, in the campaign's order),
 *    "total": ROW}
 *   ROW = {"domain" (null in the total), "name", "joint", "inspected",
 *          "violating", "false_report", "rectified", "revoked",
 *          "money_fen", "money_wan", "referred"}
 *
 * "money_wan" is the printed cell ("12.34", rounded per bureau and domain
 * as report.h says); "money_fen" the exact sum of fines and confiscations
 * behind it.
 */
#ifndef SERVICE_REPORT_JSON_H
#define SERVICE_REPORT_JSON_H

#include <jansson.h>

#include "service/report.h"

/* The document of s (a new reference), or NULL when out of memory. */
json_t *report_summary_json(const struct report_summary *s);

#endif
