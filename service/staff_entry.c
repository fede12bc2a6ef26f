/* SPDX-License-Identifier: MIT */
/*
 * Staff entry of 12315 tips and the export for 12315 (see staff_entry.h).
 * Entry builds an intake_tip from what the person sent and hands it to
 * intake_submit(): one pipeline for every door.  A work-order number is
 * also the submission's nonce ("wo12315:<number>"), so that the same work
 * order entered twice (a double click, two people) is one tip.  The
 * export walks tip_query_export() (scoped in SQL) into CSV and audits it.
 */
#include "service/staff_entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "service/intake.h"
#include "service/log.h"
#include "service/report_render.h"
#include "storage/audit.h"
#include "storage/tip_query.h"
#include "storage/tip_store.h"

#define STAFF_ENTRY_BOM "\xef\xbb\xbf"

static bool
is_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* See staff_entry.h. */
enum staff_status
staff_entry_create(struct service_worker *w, const struct staff_user *u,
    json_t *fields, json_t **out, char *msg, size_t msglen)
{
	char nonce[16 + INTAKE_WO_MAX];
	struct intake_result *res = NULL;
	struct intake_tip t;
	enum staff_status rc;

	*out = NULL;
	msg[0] = '\0';
	if (!staff_user_has_role(u, STAFF_ROLES_TIPS) ||
	    !scope_sees_tips(&u->scope))
		return STAFF_FORBIDDEN;
	if ((res = calloc(1, sizeof(*res))) == NULL)
		return STAFF_TRANSIENT;
	memset(&t, 0, sizeof(t));
	t.channel = "staff";
	if (!intake_tip_from_json(fields, true, &t, res))
		goto done;
	if (is_empty(t.wo_12315))
		t.wo_12315 = NULL;
	t.staff_login = u->login;
	/* An officer's entry belongs to their bureau unless triage says
	 * otherwise; the router takes it as the door's hint. */
	if (u->scope.role == SCOPE_ROLE_OFFICER)
		t.hint_bureau = u->scope.bureau;
	if (t.wo_12315 != NULL && strlen(t.wo_12315) <= INTAKE_WO_MAX) {
		(void)snprintf(nonce, sizeof(nonce), "wo12315:%s", t.wo_12315);
		t.nonce = nonce;
	}
	intake_submit(w, &t, res);
done:
	if (res->status == INTAKE_OK && res->duplicate) {
		(void)snprintf(msg, msglen, "wo_12315: work order %s is "
		    "already tip %s", t.wo_12315, res->id);
		rc = STAFF_CONFLICT;
	} else if (res->status == INTAKE_OK) {
		json_t *o = intake_result_doc(res);

		if (o == NULL || json_object_set_new(o, "wo_12315",
		    t.wo_12315 != NULL ? json_string(t.wo_12315) :
		    json_null()) != 0) {
			/* Stored: a retry of the same work order names it. */
			json_decref(o);
			(void)snprintf(msg, msglen, "stored as %s, but the "
			    "answer could not be built; look it up", res->id);
			rc = STAFF_TRANSIENT;
		} else {
			*out = o;
			rc = STAFF_OK;
		}
	} else {
		(void)snprintf(msg, msglen, "%s", res->message);
		rc = res->status == INTAKE_TRANSIENT ? STAFF_TRANSIENT :
		    res->status == INTAKE_FAILED ? STAFF_FAILED :
		    STAFF_INVALID;
	}
	sodium_memzero(res, sizeof(*res));
	free(res);
	return rc;
}

/* A day as YYYY-MM-DD (or nothing). */
static bool
valid_day(const char *s)
{
	int64_t t;

	return is_empty(s) || (strlen(s) == 10 &&
	    staff_time_parse(s, false, &t) == 0);
}

struct staff_export_ctx {
	struct report_buf *out;
	long rows;
	bool failed;
};

/* A string member of the record, "" if absent. */
static const char *
export_rec_str(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

static int
staff_export_row(void *arg, const struct tip_query_tip *t,
    const struct tip_query_export_row *x)
{
	struct staff_export_ctx *c = arg;
	json_t *rec = json_loadb(t->record, t->record_len, 0, NULL);
	const char *inst = export_rec_str(rec, "institution");
	const char *cells[] = {
		t->public_id, x->received_on, x->bureau_name, x->domain_name,
		x->violation_name, inst[0] != '\0' ? inst : x->institution_name,
		export_rec_str(rec, "summary"), "",
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(cells) / sizeof(cells[0]);
	    i++)
		if ((i > 0 && report_buf_add(c->out, ",", 1) != 0) ||
		    report_render_csv_field(c->out, cells[i], true) != 0)
			rc = -1;
	if (rc == 0)
		rc = report_buf_add(c->out, "\r\n", 2);
	json_decref(rec);
	if (rc != 0) {
		c->failed = true;
		return 1;
	}
	c->rows++;
	return 0;
}

/* See staff_entry.h. */
enum staff_status
staff_entry_export(struct service_worker *w, const struct staff_user *u,
    const char *bureau, const char *from, const char *to,
    struct report_buf *out, long *rows, char *msg, size_t msglen)
{
	static const char header[] = STAFF_ENTRY_BOM
	    "举报编号 Reference,受理日期 Received,承办单位 Bureau,"
	    "重点领域 Domain,违法类型 Violation,被举报机构 Institution,"
	    "举报摘要 Summary,12315工单号 Work order\r\n";
	struct tip_query_export_filter f;
	struct staff_export_ctx c;
	enum storage_status st;
	char what[128];

	memset(out, 0, sizeof(*out));
	*rows = 0;
	msg[0] = '\0';
	if (!staff_user_has_role(u, STAFF_ROLES_TIPS) ||
	    !scope_sees_tips(&u->scope))
		return STAFF_FORBIDDEN;
	if (!is_empty(bureau) && (strlen(bureau) >= TIP_QUERY_CODE_MAX ||
	    !tip_store_is_bureau(w->db, bureau))) {
		(void)snprintf(msg, msglen, "bureau: not a bureau code");
		return STAFF_INVALID;
	}
	if (!valid_day(from) || !valid_day(to)) {
		(void)snprintf(msg, msglen, "%s: a date as YYYY-MM-DD",
		    valid_day(from) ? "to" : "from");
		return STAFF_INVALID;
	}
	if (!is_empty(from) && !is_empty(to) && strcmp(from, to) > 0) {
		(void)snprintf(msg, msglen, "from: after to");
		return STAFF_INVALID;
	}
	memset(&f, 0, sizeof(f));
	f.bureau = is_empty(bureau) ? NULL : bureau;
	f.from = is_empty(from) ? NULL : from;
	f.to = is_empty(to) ? NULL : to;
	f.max = STAFF_ENTRY_EXPORT_MAX;
	memset(&c, 0, sizeof(c));
	c.out = out;
	if (report_buf_add(out, header, sizeof(header) - 1) != 0)
		return STAFF_TRANSIENT;
	st = tip_query_export(w->db, &w->svc->mk, &u->scope, &f,
	    staff_export_row, &c);
	if (st == STORAGE_ERR_INVALID) {
		report_buf_free(out);
		(void)snprintf(msg, msglen, "from: more than %d tips; choose a "
		    "shorter date range", STAFF_ENTRY_EXPORT_MAX);
		return STAFF_INVALID;
	}
	if (st == STORAGE_OK && c.failed)
		st = STORAGE_ERR_NOMEM;
	(void)snprintf(what, sizeof(what), "from=%s to=%s rows=%ld",
	    is_empty(from) ? "-" : from, is_empty(to) ? "-" : to, c.rows);
	if (st == STORAGE_OK)
		st = audit_append(w->db, 0, u->login, "tip.export",
		    is_empty(bureau) ? "(all in scope)" : bureau, what);
	if (st != STORAGE_OK) {
		log_warnx("tip export: %s", storage_status_str(st));
		report_buf_free(out);
		return staff_status_from_storage(st);
	}
	*rows = c.rows;
	return STAFF_OK;
}
