/* SPDX-License-Identifier: MIT */
/*
 * Tips and the national 12315 platform (issue 7, order 121): staff enter a
 * tip that 12315 transferred to the bureau, with its work-order number
 * (tips.wo_12315), through the same intake pipeline as every other door
 * (channel "staff", triage and routing included); and the bureau's
 * own-channel tips (web form, API, e-mail: not those that came from 12315)
 * are exported as CSV for registration on 12315.  Worker thread only.
 */
#ifndef SERVICE_STAFF_ENTRY_H
#define SERVICE_STAFF_ENTRY_H

#include <stddef.h>

#include <jansson.h>

#include "service/report.h"
#include "service/service.h"
#include "service/staff.h"

#define STAFF_ENTRY_EXPORT_MAX 20000	/* rows of one export */

/*
 * Enter a tip for u.  fields is a JSON object of the contract's tip fields
 * (summary, details, institution, county, domain, violation, occurred_on,
 * contact_name, contact_phone, contact_email) and "wo_12315", each a
 * string or null (intake_tip_from_json()); any other member is refused.
 * The same work-order number twice is one tip: the second answer is
 * STAFF_CONFLICT, msg naming the first tip.  STAFF_INVALID with msg naming
 * the field; STAFF_FORBIDDEN for a role without tip content.  Audited in the tip's own transaction
 * ("tip.receive" by u, channel "staff").  On STAFF_OK *out is {"id",
 * "receipt", "status", "bureau", "received_at", "wo_12315"} (the caller
 * owns it).
 */
enum staff_status staff_entry_create(struct service_worker *w,
    const struct staff_user *u, json_t *fields, json_t **out, char *msg,
    size_t msglen);

/*
 * The own-channel tips of u's scope received between from and to
 * (YYYY-MM-DD, inclusive, each may be NULL or "") of bureau (NULL or "":
 * every bureau u sees; an officer sees only their own) as CSV, UTF-8 with
 * a BOM: reference, received date, bureau, domain, violation, institution,
 * summary, and an empty work-order column to fill in on 12315.  *rows
 * gets the row count.  STAFF_INVALID (msg names the parameter) for a bad
 * bureau or date, or more than STAFF_ENTRY_EXPORT_MAX rows.  Audited
 * ("tip.export") before it is handed out.  On STAFF_OK the caller frees
 * out with report_buf_free().
 */
enum staff_status staff_entry_export(struct service_worker *w,
    const struct staff_user *u, const char *bureau, const char *from,
    const char *to, struct report_buf *out, long *rows, char *msg,
    size_t msglen);

#endif
