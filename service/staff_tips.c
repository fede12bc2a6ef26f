/* SPDX-License-Identifier: MIT */
/*
 * Staff work on tips (see staff_tips.h).  Each function checks the role,
 * validates what a person sent, calls the scoped storage query, writes
 * the audit entry and only then builds the answer.  Plaintext taken out of
 * the store lives in the JSON document handed to the caller and is wiped
 * everywhere else.
 */
#include "service/staff_tips.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "service/cases.h"
#include "service/intake.h"
#include "service/staff_triage.h"
#include "service/utf8.h"
#include "service/log.h"
#include "storage/audit.h"
#include "storage/tip_query.h"

#define STAFF_TIPS_URL_MAX 160
#define STAFF_TIPS_AUDIT_LIST_MAX (TIP_QUERY_PAGE_MAX * 24 + 64)

static const char *const staff_tip_statuses[] = {
	"received", "triaged", "verifying", "filed", "not_filed",
	"transferred", "invalid", "closed",
};

/* One of the contract's tip statuses. */
bool
staff_tips_valid_status(const char *s)
{
	for (size_t i = 0; i < sizeof(staff_tip_statuses) /
	    sizeof(staff_tip_statuses[0]); i++)
		if (s != NULL && strcmp(s, staff_tip_statuses[i]) == 0)
			return true;
	return false;
}

static bool
is_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/*
 * A cursor "<group>.<priority>.<received_at>.<row id>" as made by
 * staff_tips_list(): where the page ended in the queue's order.
 */
static int
staff_parse_cursor(const char *s, struct tip_query_filter *f)
{
	char buf[96];
	char *part[4], *p;
	int64_t v[4];

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	p = buf;
	for (int i = 0; i < 4; i++) {
		part[i] = p;
		if ((p = strchr(p, '.')) != NULL)
			*p++ = '\0';
		else if (i < 3)
			return -1;
	}
	if (p != NULL ||
	    staff_parse_int(part[0], 0, 1, &v[0]) != 0 ||
	    staff_parse_int(part[1], 0, 1000, &v[1]) != 0 ||
	    staff_parse_int(part[2], 1, INT64_MAX, &v[2]) != 0 ||
	    staff_parse_int(part[3], 1, INT64_MAX, &v[3]) != 0)
		return -1;
	f->before_group = (int)v[0];
	f->before_priority = (int)v[1];
	f->before_at = v[2];
	f->before_id = v[3];
	return 0;
}

/* A string member of the record, or NULL. */
static const char *
rec_str(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *
str_or_null(const char *s)
{
	return is_empty(s) ? json_null() : json_string(s);
}

/* Parse an opened record; NULL (logged) if it is not a JSON object. */
static json_t *
staff_record(const struct tip_query_tip *t)
{
	json_error_t err;
	json_t *rec = json_loadb(t->record, t->record_len, 0, &err);

	if (rec == NULL || !json_is_object(rec)) {
		log_warnx("tip=%s: the record is not a JSON object",
		    t->public_id);
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* The list fields of a tip (the contract's list shape). */
static json_t *
staff_tip_summary(const struct tip_query_tip *t, json_t *rec)
{
	char at[STAFF_TIME_MAX];
	json_t *o = json_object();

	staff_time_format(t->received_at, at);
	json_object_set_new(o, "id", json_string(t->public_id));
	json_object_set_new(o, "status", json_string(t->status));
	json_object_set_new(o, "bureau", json_string(t->bureau));
	json_object_set_new(o, "domain", str_or_null(t->domain));
	json_object_set_new(o, "priority", json_integer(t->priority));
	json_object_set_new(o, "received_at", json_string(at));
	json_object_set_new(o, "summary", str_or_null(rec_str(rec,
	    "summary")));
	return o;
}

struct staff_list_ctx {
	json_t *tips;
	char shown[STAFF_TIPS_AUDIT_LIST_MAX];
	size_t shown_len;
	int64_t last_at, last_id;
	int last_group, last_priority;
	struct staff_queue *queue;	/* the queue's extra fields */
	bool failed;
};

static int
staff_list_one(void *arg, const struct tip_query_tip *t)
{
	struct staff_list_ctx *c = arg;
	json_t *rec = staff_record(t), *o;
	int n;

	if (rec == NULL) {
		c->failed = true;
		return 1;
	}
	o = staff_tip_summary(t, rec);
	json_decref(rec);
	if (staff_queue_annotate(c->queue, t, o) != 0) {
		json_decref(o);
		c->failed = true;
		return 1;
	}
	json_array_append_new(c->tips, o);
	n = snprintf(c->shown + c->shown_len, sizeof(c->shown) - c->shown_len,
	    "%s%s", c->shown_len > 0 ? " " : "", t->public_id);
	if (n > 0 && (size_t)n < sizeof(c->shown) - c->shown_len)
		c->shown_len += (size_t)n;
	c->last_at = t->received_at;
	c->last_id = t->id;
	c->last_group = TIP_QUERY_GROUP(t->status);
	c->last_priority = t->priority;
	return 0;
}

/* See staff_tips.h. */
enum staff_status
staff_tips_list(struct service_worker *w, const struct staff_user *u,
    const struct staff_tips_query *q, json_t **out, char *msg, size_t msglen)
{
	struct staff_tips_query none = { NULL, NULL, NULL, NULL };
	struct tip_query_filter f;
	struct staff_list_ctx *c = NULL;
	enum storage_status st;
	enum staff_status rc;
	json_t *doc = NULL;
	int64_t limit = STAFF_TIPS_PAGE;
	char cursor[96];
	bool more = false;

	*out = NULL;
	msg[0] = '\0';
	if (q == NULL)
		q = &none;
	if (!staff_user_has_role(u, STAFF_ROLES_TIPS) ||
	    !scope_sees_tips(&u->scope))
		return STAFF_FORBIDDEN;
	memset(&f, 0, sizeof(f));
	if (!is_empty(q->status)) {
		if (!staff_tips_valid_status(q->status)) {
			(void)snprintf(msg, msglen, "status: not a tip status");
			return STAFF_INVALID;
		}
		f.status = q->status;
	}
	if (!is_empty(q->bureau)) {
		if (!staff_valid_code(q->bureau, TIP_QUERY_CODE_MAX)) {
			(void)snprintf(msg, msglen, "bureau: not a bureau code");
			return STAFF_INVALID;
		}
		f.bureau = q->bureau;
	}
	if (!is_empty(q->cursor) &&
	    staff_parse_cursor(q->cursor, &f) != 0) {
		(void)snprintf(msg, msglen, "cursor: not a cursor of this list");
		return STAFF_INVALID;
	}
	if (!is_empty(q->limit) && staff_parse_int(q->limit, 1,
	    TIP_QUERY_PAGE_MAX, &limit) != 0) {
		(void)snprintf(msg, msglen, "limit: a number from 1 to %d",
		    TIP_QUERY_PAGE_MAX);
		return STAFF_INVALID;
	}
	f.limit = (int)limit;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->tips = json_array()) == NULL) {
		free(c);
		return STAFF_TRANSIENT;
	}
	if ((c->queue = staff_queue_begin(w, u)) == NULL) {
		json_decref(c->tips);
		free(c);
		return STAFF_TRANSIENT;
	}
	st = tip_query_list(w->db, &w->svc->mk, &u->scope, &f, staff_list_one,
	    c, &more);
	if (st == STORAGE_OK && c->failed)
		st = STORAGE_ERR_CORRUPT;
	if (st == STORAGE_OK)
		st = audit_append(w->db, 0, u->login, "tip.list", NULL,
		    c->shown_len > 0 ? c->shown : "(none)");
	if (st != STORAGE_OK) {
		log_warnx("tip list: %s", storage_status_str(st));
		rc = staff_status_from_storage(st);
		goto out;
	}
	doc = json_object();
	json_object_set_new(doc, "tips", c->tips);
	c->tips = NULL;
	if (more) {
		(void)snprintf(cursor, sizeof(cursor), "%d.%d.%lld.%lld",
		    c->last_group, c->last_priority, (long long)c->last_at,
		    (long long)c->last_id);
		json_object_set_new(doc, "next", json_string(cursor));
	} else
		json_object_set_new(doc, "next", json_null());
	*out = doc;
	rc = STAFF_OK;
out:
	staff_queue_end(c->queue);
	json_decref(c->tips);
	free(c);
	return rc;
}

/* The record's SHA-256 of the attachment stored as blob, or NULL. */
static const char *
staff_record_sha256(json_t *rec, const char *blob)
{
	json_t *atts = json_object_get(rec, "attachments"), *a;
	size_t i;

	json_array_foreach(atts, i, a) {
		const char *b = rec_str(a, "blob");

		if (b != NULL && strcmp(b, blob) == 0)
			return rec_str(a, "sha256");
	}
	return NULL;
}

/* See staff_tips.h. */
enum staff_status
staff_tips_detail(struct service_worker *w, const struct staff_user *u,
    const char *id, json_t **out)
{
	struct tip_query_detail d;
	enum storage_status st;
	char at[STAFF_TIME_MAX], url[STAFF_TIPS_URL_MAX];
	json_t *rec, *doc, *msgs, *atts, *contact, *rc;

	*out = NULL;
	if (!staff_user_has_role(u, STAFF_ROLES_TIPS) ||
	    !scope_sees_tips(&u->scope))
		return STAFF_FORBIDDEN;
	if (!staff_valid_code(id, TIP_QUERY_ID_MAX))
		return STAFF_NOT_FOUND;
	st = tip_query_detail(w->db, &w->svc->mk, &u->scope, id, &d);
	if (st != STORAGE_OK) {
		if (st != STORAGE_ERR_NOTFOUND)
			log_warnx("tip=%s: %s", id, storage_status_str(st));
		return staff_status_from_storage(st);
	}
	if ((rec = staff_record(&d.tip)) == NULL) {
		tip_query_detail_free(&d);
		return STAFF_FAILED;
	}
	/* The look is on record before anything is shown. */
	st = audit_append(w->db, 0, u->login, "tip.view", d.tip.public_id,
	    NULL);
	if (st != STORAGE_OK) {
		log_warnx("tip=%s: cannot audit the view: %s", id,
		    storage_status_str(st));
		json_decref(rec);
		tip_query_detail_free(&d);
		return staff_status_from_storage(st);
	}

	doc = staff_tip_summary(&d.tip, rec);
	staff_time_format(d.tip.updated_at, at);
	json_object_set_new(doc, "updated_at", json_string(at));
	json_object_set_new(doc, "channel", json_string(d.tip.channel));
	json_object_set_new(doc, "violation", str_or_null(d.tip.violation));
	json_object_set_new(doc, "needs_review",
	    json_boolean(d.tip.needs_review));
	json_object_set_new(doc, "details", str_or_null(rec_str(rec,
	    "details")));
	json_object_set_new(doc, "institution", str_or_null(rec_str(rec,
	    "institution")));
	json_object_set_new(doc, "county", str_or_null(rec_str(rec,
	    "county")));
	json_object_set_new(doc, "occurred_on", str_or_null(rec_str(rec,
	    "occurred_on")));
	rc = json_object_get(rec, "contact");
	contact = json_object();
	json_object_set_new(contact, "name", str_or_null(rec_str(rc, "name")));
	json_object_set_new(contact, "phone", str_or_null(rec_str(rc,
	    "phone")));
	json_object_set_new(contact, "email", str_or_null(rec_str(rc,
	    "email")));
	json_object_set_new(doc, "contact", contact);
	json_object_set_new(doc, "route_reason",
	    str_or_null(d.tip.route_reason));

	msgs = json_array();
	for (size_t i = 0; i < d.nmessages; i++) {
		const struct tip_query_message *m = &d.messages[i];

		staff_time_format(m->at, at);
		json_array_append_new(msgs, json_pack("{s:I, s:s, s:s, s:s%}",
		    "id", (json_int_t)m->id, "from", m->sender, "at", at,
		    "text", m->text, m->len));
	}
	json_object_set_new(doc, "messages", msgs);

	atts = json_array();
	for (size_t i = 0; i < d.nattachments; i++) {
		const struct tip_query_attachment *a = &d.attachments[i];
		json_t *o = json_object();

		(void)snprintf(url, sizeof(url),
		    "/api/v1/staff/tips/%s/attachments/%lld", d.tip.public_id,
		    (long long)a->id);
		json_object_set_new(o, "id", json_integer(a->id));
		json_object_set_new(o, "name", json_string(a->name));
		json_object_set_new(o, "type", json_string(a->type));
		json_object_set_new(o, "size", json_integer(a->size));
		json_object_set_new(o, "sha256", str_or_null(
		    staff_record_sha256(rec, a->blob_name)));
		json_object_set_new(o, "original_mail",
		    json_boolean(a->is_original_mail));
		json_object_set_new(o, "url", json_string(url));
		json_array_append_new(atts, o);
	}
	json_object_set_new(doc, "attachments", atts);
	/* Files intake left out of an e-mail tip ({"name", "reason"}; they
	 * are still inside the original message): an extension. */
	if (json_is_array(json_object_get(rec, "dropped")))
		json_object_set(doc, "left_out", json_object_get(rec,
		    "dropped"));
	else
		json_object_set_new(doc, "left_out", json_array());
	/* Case, due dates, days left, calendar warning (issue 7). */
	(void)cases_tip_add(w->db, d.tip.id, doc);
	json_decref(rec);
	if (staff_triage_detail(w, u, &d.tip, doc) != 0) {
		json_decref(doc);
		tip_query_detail_free(&d);
		return STAFF_TRANSIENT;
	}
	tip_query_detail_free(&d);
	*out = doc;
	return STAFF_OK;
}

/* See staff_tips.h. */
enum staff_status
staff_tips_attachment(struct service_worker *w, const struct staff_user *u,
    const char *id, const char *aid, size_t max, struct staff_tips_file *f)
{
	struct tip_query_file qf;
	enum storage_status st;
	char object[TIP_QUERY_ID_MAX + 48];
	int64_t a;

	memset(f, 0, sizeof(*f));
	if (!staff_user_has_role(u, STAFF_ROLES_TIPS) ||
	    !scope_sees_tips(&u->scope))
		return STAFF_FORBIDDEN;
	if (!staff_valid_code(id, TIP_QUERY_ID_MAX) ||
	    staff_parse_int(aid, 1, INT64_MAX, &a) != 0)
		return STAFF_NOT_FOUND;
	st = tip_query_attachment(w->db, &w->svc->mk, w->svc->blobs,
	    &u->scope, id, a, max, &qf);
	if (st != STORAGE_OK) {
		if (st != STORAGE_ERR_NOTFOUND)
			log_warnx("tip=%s attachment=%lld: %s", id,
			    (long long)a, storage_status_str(st));
		return st == STORAGE_ERR_INVALID ? STAFF_FAILED :
		    staff_status_from_storage(st);
	}
	(void)snprintf(object, sizeof(object), "%s:attachment:%lld",
	    qf.public_id, (long long)a);
	st = audit_append(w->db, 0, u->login, "attachment.download", object,
	    NULL);
	if (st != STORAGE_OK) {
		tip_query_file_free(&qf);
		return staff_status_from_storage(st);
	}
	f->name = qf.name;
	f->data = qf.data;
	f->len = qf.len;
	qf.name = NULL;
	qf.data = NULL;
	tip_query_file_free(&qf);
	return STAFF_OK;
}

/* Wipe and free. */
void
staff_tips_file_free(struct staff_tips_file *f)
{
	if (f == NULL)
		return;
	if (f->name != NULL) {
		sodium_memzero(f->name, strlen(f->name));
		free(f->name);
	}
	if (f->data != NULL) {
		sodium_memzero(f->data, f->len);
		free(f->data);
	}
	memset(f, 0, sizeof(*f));
}

/* See staff_tips.h. */
enum staff_status
staff_tips_message(struct service_worker *w, const struct staff_user *u,
    const char *id, const char *text, json_t **out, char *msg, size_t msglen)
{
	enum storage_status st;
	char at[STAFF_TIME_MAX];
	int64_t mid = 0, now = (int64_t)time(NULL);
	size_t n;

	*out = NULL;
	msg[0] = '\0';
	if (!staff_user_has_role(u, STAFF_ROLES_TIPS) ||
	    !scope_sees_tips(&u->scope))
		return STAFF_FORBIDDEN;
	if (!staff_valid_code(id, TIP_QUERY_ID_MAX))
		return STAFF_NOT_FOUND;
	if (text == NULL || !utf8_valid(text, strlen(text))) {
		(void)snprintf(msg, msglen, "text: UTF-8 text is required");
		return STAFF_INVALID;
	}
	n = utf8_chars(text);
	if (n == 0 || n > STAFF_TIPS_MESSAGE_MAX) {
		(void)snprintf(msg, msglen, "text: 1 to %d characters",
		    STAFF_TIPS_MESSAGE_MAX);
		return STAFF_INVALID;
	}
	st = tip_query_message_add(w->db, &w->svc->mk, &u->scope, id, u->id,
	    text, now, u->login, &mid);
	if (st != STORAGE_OK) {
		if (st != STORAGE_ERR_NOTFOUND)
			log_warnx("tip=%s: message: %s", id,
			    storage_status_str(st));
		if (st == STORAGE_ERR_INVALID)
			(void)snprintf(msg, msglen, "text: too long");
		return staff_status_from_storage(st);
	}
	staff_time_format(now, at);
	*out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)mid, "from",
	    "bureau", "at", at);
	return *out != NULL ? STAFF_OK : STAFF_TRANSIENT;
}
