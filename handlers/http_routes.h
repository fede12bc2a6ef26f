/* SPDX-License-Identifier: MIT */
/*
 * The route handlers, one file per resource (http_<resource>.c), dispatched
 * from the table in http_server.c.  Each ends its request with exactly one
 * http_reply*() call.
 */
#ifndef HANDLERS_HTTP_ROUTES_H
#define HANDLERS_HTTP_ROUTES_H

#include "handlers/http_server.h"

/* GET /healthz */
void http_health_get(struct http_req *r);
/* GET /metrics: Prometheus text, loopback or admin/auditor only
 * (http_metrics.c). */
void http_metrics_get(struct http_req *r);

/* GET /: the tip form (http_form.c). */
void http_form_get(struct http_req *r);
/* GET /static/tipline.css (http_static.c). */
void http_static_css_get(struct http_req *r);
/* GET /api/v1/bureaus|domains|violations (http_codes.c). */
void http_codes_get_bureaus(struct http_req *r);
void http_codes_get_domains(struct http_req *r);
void http_codes_get_violations(struct http_req *r);
/* The follow-up (http_follow_up.c): GET and POST /follow-up, POST
 * /follow-up/reply, POST /api/v1/follow-up and /api/v1/follow-up/messages. */
void http_follow_up_get_or_post(struct http_req *r);
void http_follow_up_reply(struct http_req *r);
void http_follow_up_api(struct http_req *r);
void http_follow_up_api_message(struct http_req *r);
/*
 * A POST /follow-up/reply that the guard refused with 413 (never read): a
 * page in the language of target's ?lang= naming the limits, with a link
 * back to /follow-up; a POST /follow-up (the receipt form, which takes at
 * most 64 KiB): the receipt form again, saying why.  Returns false,
 * having done nothing, for any other target.
 */
bool http_follow_up_too_large(struct http_req *r, const char *target,
    uint64_t limit);

/* POST /tips: the web form (answers HTML). */
void http_tips_post_form(struct http_req *r);
/* POST /api/v1/tips: multipart or JSON (answers JSON). */
void http_tips_post_api(struct http_req *r);
/*
 * A POST /tips that the guard refused with 413 (its body was over limit
 * bytes and was never read): the form again, in the language of target's
 * ?lang=, with the limit named beside the file input (http_form.c).
 * Returns false, having done nothing, when target is not the form's.
 */
bool http_form_too_large(struct http_req *r, const char *target,
    uint64_t limit);

/* POST /api/v1/mail: one message/rfc822 body (answers JSON). */
void http_mail_post(struct http_req *r);

/* Staff sessions (http_session.c): POST /api/v1/session (login), POST
 * /api/v1/session/logout, POST /api/v1/session/password, and the pages
 * /staff/ (index), /staff/login, /staff/logout, /staff/password. */
void http_session_login_api(struct http_req *r);
void http_session_logout_api(struct http_req *r);
void http_session_password_api(struct http_req *r);
void http_session_index_page(struct http_req *r);
void http_session_login_page(struct http_req *r);
void http_session_logout_page(struct http_req *r);
void http_session_password_page(struct http_req *r);
/* Staff tips (http_staff_tips.c): /api/v1/staff/tips[/{id}[/attachments/
 * {aid}|/messages]] and the pages /staff/tips[/{id}[/messages]]. */
void http_staff_tips_list_api(struct http_req *r);
void http_staff_tips_detail_api(struct http_req *r);
void http_staff_tips_attachment_api(struct http_req *r);
void http_staff_tips_message_api(struct http_req *r);
void http_staff_tips_list_page(struct http_req *r);
void http_staff_tips_detail_page(struct http_req *r);
void http_staff_tips_message_page(struct http_req *r);
/* Tips and 12315 (http_staff_entry.c): GET|POST /api/v1/staff/tips (POST
 * enters a tip transferred from 12315; GET is the list above), GET
 * /api/v1/staff/tips/export.csv and the page /staff/tips/new. */
void http_staff_entry_tips_api(struct http_req *r);
void http_staff_entry_export_api(struct http_req *r);
void http_staff_entry_new_page(struct http_req *r);
/* Triage (http_staff_triage.c): POST /api/v1/staff/tips/{id}/route,
 * /status, /classify and the forms /staff/tips/{id}/route, /status,
 * /classify. */
void http_staff_triage_route_api(struct http_req *r);
void http_staff_triage_status_api(struct http_req *r);
void http_staff_triage_classify_api(struct http_req *r);
void http_staff_triage_route_page(struct http_req *r);
void http_staff_triage_status_page(struct http_req *r);
void http_staff_triage_classify_page(struct http_req *r);
/* POST /api/v1/staff/tips/{id}/merge and the form /staff/tips/{id}/merge
 * (http_staff_triage.c): a repeated tip merged into the earlier one. */
void http_staff_triage_merge_api(struct http_req *r);
void http_staff_triage_merge_page(struct http_req *r);
/* Inspection cases (http_staff_cases.c): /api/v1/staff/cases[/{id}[/tips
 * [/{tip}/unlink]|/status|/outcome|/messages|/deadline-events]],
 * /api/v1/staff/tips/{id}/notice|deadline-events, /api/v1/staff/overdue
 * and the pages /staff/cases[/{id}[/...]], /staff/overdue. */
void http_staff_cases_api(struct http_req *r);
void http_staff_cases_page(struct http_req *r);
void http_staff_cases_detail_api(struct http_req *r);
void http_staff_cases_detail_page(struct http_req *r);
void http_staff_cases_link_api(struct http_req *r);
void http_staff_cases_link_page(struct http_req *r);
void http_staff_cases_unlink_api(struct http_req *r);
void http_staff_cases_unlink_page(struct http_req *r);
void http_staff_cases_status_api(struct http_req *r);
void http_staff_cases_status_page(struct http_req *r);
void http_staff_cases_outcome_api(struct http_req *r);
void http_staff_cases_outcome_page(struct http_req *r);
void http_staff_cases_message_api(struct http_req *r);
void http_staff_cases_message_page(struct http_req *r);
void http_staff_cases_deadline_api(struct http_req *r);
void http_staff_cases_tip_notice_api(struct http_req *r);
void http_staff_cases_tip_deadline_api(struct http_req *r);
/* The forms of the deadline events and the decision notice:
 * /staff/cases/{id}/deadline-events, /staff/tips/{id}/deadline-events and
 * /staff/tips/{id}/notice. */
void http_staff_cases_deadline_page(struct http_req *r);
void http_staff_cases_tip_deadline_page(struct http_req *r);
void http_staff_cases_tip_notice_page(struct http_req *r);
void http_staff_cases_overdue_api(struct http_req *r);
void http_staff_cases_overdue_page(struct http_req *r);
/* The audit log (http_staff_audit.c): GET /api/v1/staff/audit and the
 * page /staff/audit. */
void http_staff_audit_api(struct http_req *r);
void http_staff_audit_page(struct http_req *r);
/* The campaign summary table (http_staff_reports.c): GET
 * /api/v1/staff/reports/summary and the page /staff/reports. */
void http_staff_reports_summary_api(struct http_req *r);
void http_staff_reports_page(struct http_req *r);
/* The reference data, admins only (http_staff_refdata.c, extension): GET
 * and POST /api/v1/staff/refdata/{TABLE}.csv and the page /staff/refdata
 * (GET, POST its import form). */
void http_staff_refdata_api(struct http_req *r);
void http_staff_refdata_page(struct http_req *r);

#endif
