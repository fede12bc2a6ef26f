/* SPDX-License-Identifier: MIT */
/*
 * The summary table for staff (see staff_reports.h): the caller's scope
 * decides the bureau, then report_summary_load() and report_render() (or
 * report_summary_json()) make the table exactly as `tipline report
 * summary` does, and the audit entry is written before it is handed out.
 */
#include "service/staff_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/log.h"
#include "service/public_codes.h"
#include "service/report_json.h"
#include "service/report_render.h"
#include "storage/audit.h"
#include "storage/report_store.h"
#include "storage/tip_store.h"

static bool
reports_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* A refusal: st with field and msg set. */
static enum staff_status
reports_refuse(enum staff_status st, char field[STAFF_REPORTS_FIELD_MAX],
    const char *name, char *msg, size_t msglen, const char *text)
{
	(void)snprintf(field, STAFF_REPORTS_FIELD_MAX, "%s", name);
	(void)snprintf(msg, msglen, "%s: %s", name, text);
	return st;
}

/* The format by name; false for anything else. */
static bool
reports_format(const char *name, bool page, enum staff_reports_format *f)
{
	if (page) {
		*f = STAFF_REPORTS_PAGE;
		return true;
	}
	if (reports_empty(name) || strcmp(name, "json") == 0)
		*f = STAFF_REPORTS_JSON;
	else if (strcmp(name, "csv") == 0)
		*f = STAFF_REPORTS_CSV;
	else if (strcmp(name, "xlsx") == 0)
		*f = STAFF_REPORTS_XLSX;
	else
		return false;
	return true;
}

/* Render s into out in out->format.  0, or -1 with err set. */
static int
reports_render(const struct report_summary *s, struct staff_reports_table *out,
    char *err, size_t errlen)
{
	const char *ext = "csv";

	switch (out->format) {
	case STAFF_REPORTS_PAGE:
		if (report_render_html_table(s, &out->buf) != 0) {
			(void)snprintf(err, errlen, "cannot render the table");
			return -1;
		}
		/* FALLTHROUGH */
	case STAFF_REPORTS_JSON:
		if ((out->doc = report_summary_json(s)) == NULL) {
			(void)snprintf(err, errlen, "cannot render the table");
			return -1;
		}
		return 0;
	case STAFF_REPORTS_XLSX:
		ext = "xlsx";
		if (report_render(s, REPORT_FORMAT_XLSX, &out->buf, err,
		    errlen) != 0)
			return -1;
		break;
	case STAFF_REPORTS_CSV:
		if (report_render(s, REPORT_FORMAT_CSV, &out->buf, err,
		    errlen) != 0)
			return -1;
		break;
	}
	/* Codes are [A-Za-z0-9_-]: safe in a Content-Disposition. */
	(void)snprintf(out->filename, sizeof(out->filename),
	    "summary-%s%s%s.%s", s->campaign, s->bureau[0] != '\0' ? "-" : "",
	    s->bureau, ext);
	return 0;
}

enum staff_status
staff_reports_summary(struct service_worker *w, const struct staff_user *u,
    const char *campaign, const char *bureau, const char *format, bool page,
    struct staff_reports_table *out, char field[STAFF_REPORTS_FIELD_MAX],
    char *msg, size_t msglen)
{
	static const char *const names[] = { "json", "csv", "xlsx", "html" };
	struct report_summary s;
	enum staff_reports_format f;
	enum storage_status st;
	char today[sizeof(s.made_on)], err[256], why[128];
	int rc;

	memset(out, 0, sizeof(*out));
	field[0] = '\0';
	msg[0] = '\0';
	if (!staff_user_has_role(u, STAFF_ROLES_TIPS) ||
	    !scope_sees_tips(&u->scope))
		return STAFF_FORBIDDEN;
	if (!reports_format(format, page, &f))
		return reports_refuse(STAFF_INVALID, field, "format", msg,
		    msglen, "json, csv or xlsx");
	if (reports_empty(campaign))
		return reports_refuse(STAFF_INVALID, field, "campaign", msg,
		    msglen, "a campaign code is required");
	if (!staff_valid_code(campaign, REPORT_STORE_CODE_MAX))
		return reports_refuse(STAFF_INVALID, field, "campaign", msg,
		    msglen, "not a campaign code");
	if (!reports_empty(bureau) && !staff_valid_code(bureau,
	    REPORT_STORE_CODE_MAX))
		return reports_refuse(STAFF_INVALID, field, "bureau", msg,
		    msglen, "not a bureau code");
	if (u->scope.role == SCOPE_ROLE_OFFICER) {
		/* Their own table only; another bureau's is "not there". */
		if (reports_empty(bureau))
			bureau = u->scope.bureau;
		else if (strcmp(bureau, u->scope.bureau) != 0)
			return reports_refuse(STAFF_NOT_FOUND, field, "bureau",
			    msg, msglen, "no such bureau");
	}
	if (reports_empty(bureau))
		bureau = NULL;
	else if (!tip_store_is_bureau(w->db, bureau))
		return reports_refuse(STAFF_NOT_FOUND, field, "bureau", msg,
		    msglen, "no such bureau");

	out->format = f;
	report_today(today);
	rc = report_summary_load(w->db, campaign, bureau, today, &s, err,
	    sizeof(err));
	if (rc == 1)	/* the bureau exists: the campaign does not */
		return reports_refuse(STAFF_NOT_FOUND, field, "campaign", msg,
		    msglen, "no such campaign");
	if (rc != 0) {
		log_warnx("report summary: %s", err);
		return STAFF_TRANSIENT;
	}
	rc = reports_render(&s, out, err, sizeof(err));
	report_summary_free(&s);
	if (rc != 0) {
		log_warnx("report summary: %s", err);
		staff_reports_table_free(out);
		return STAFF_FAILED;
	}
	(void)snprintf(why, sizeof(why), "bureau=%s format=%s",
	    bureau != NULL ? bureau : "all", names[f]);
	if ((st = audit_append(w->db, 0, u->login, "report.summary", campaign,
	    why)) != STORAGE_OK) {
		log_warnx("report summary: audit: %s", storage_status_str(st));
		staff_reports_table_free(out);
		return staff_status_from_storage(st);
	}
	return STAFF_OK;
}

void
staff_reports_table_free(struct staff_reports_table *t)
{
	if (t == NULL)
		return;
	json_decref(t->doc);
	report_buf_free(&t->buf);
	memset(t, 0, sizeof(*t));
}

/* Add one campaign to the array arg.  0, or -1 when out of memory. */
static int
reports_add_campaign(void *arg, const struct report_store_named *c)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s}", "code",
	    c->code, "name", c->name_zh));
}

enum staff_status
staff_reports_choices(struct service_worker *w, const struct staff_user *u,
    json_t **out)
{
	struct public_codes codes;
	json_t *campaigns, *bureaus, *doc;
	enum storage_status st;
	bool officer = u->scope.role == SCOPE_ROLE_OFFICER;

	*out = NULL;
	if (!staff_user_has_role(u, STAFF_ROLES_TIPS) ||
	    !scope_sees_tips(&u->scope))
		return STAFF_FORBIDDEN;
	memset(&codes, 0, sizeof(codes));
	doc = json_pack("{s:[], s:[], s:b}", "campaigns", "bureaus", "city",
	    !officer);
	if (doc == NULL)
		return STAFF_TRANSIENT;
	campaigns = json_object_get(doc, "campaigns");
	bureaus = json_object_get(doc, "bureaus");
	st = report_store_campaigns(w->db, reports_add_campaign, campaigns);
	if (st != STORAGE_OK ||
	    public_codes_load(w, 1u << PUBLIC_CODES_BUREAUS, &codes) != 0) {
		log_warnx("report choices: %s", st != STORAGE_OK ?
		    storage_status_str(st) : "cannot read the bureaus");
		json_decref(doc);
		public_codes_free(&codes);
		return STAFF_TRANSIENT;
	}
	for (size_t i = 0; i < codes.n[PUBLIC_CODES_BUREAUS]; i++) {
		const struct public_code *b =
		    &codes.items[PUBLIC_CODES_BUREAUS][i];

		if (officer && strcmp(b->code, u->scope.bureau) != 0)
			continue;
		if (json_array_append_new(bureaus, json_pack("{s:s, s:s}",
		    "code", b->code, "name", b->name_zh)) != 0) {
			json_decref(doc);
			public_codes_free(&codes);
			return STAFF_TRANSIENT;
		}
	}
	public_codes_free(&codes);
	*out = doc;
	return STAFF_OK;
}
