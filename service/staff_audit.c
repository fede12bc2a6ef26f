/* SPDX-License-Identifier: MIT */
/*
 * The auditor's view of the audit log (see staff_audit.h).  Entries come
 * out as stored: every field was escaped on the way in (storage/audit.c),
 * so they are valid UTF-8 without control characters.
 */
#include "service/staff_audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/log.h"
#include "storage/audit.h"

static bool
is_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

static json_t *
str_or_null(const char *s)
{
	return s == NULL ? json_null() : json_string(s);
}

struct staff_audit_ctx {
	json_t *entries;
	int64_t last_id;
};

static int
staff_audit_one(void *arg, const struct audit_row *row)
{
	struct staff_audit_ctx *c = arg;
	char at[STAFF_TIME_MAX];

	staff_time_format(row->at, at);
	json_array_append_new(c->entries, json_pack("{s:s, s:o, s:s, s:o, "
	    "s:o}", "at", at, "user", str_or_null(row->user), "action",
	    row->action, "object", str_or_null(row->object), "reason",
	    str_or_null(row->reason)));
	c->last_id = row->id;
	return 0;
}

/* See staff_audit.h. */
enum staff_status
staff_audit_list(struct service_worker *w, const struct staff_user *u,
    const struct staff_audit_query *q, json_t **out, char *msg,
    size_t msglen)
{
	struct staff_audit_query none = { NULL, NULL, NULL, NULL, NULL, NULL };
	struct staff_audit_ctx c = { NULL, 0 };
	struct audit_filter f;
	enum storage_status st;
	int64_t limit = STAFF_AUDIT_PAGE;
	char cursor[32];
	bool more = false;
	json_t *doc;

	*out = NULL;
	msg[0] = '\0';
	if (q == NULL)
		q = &none;
	if (!staff_user_has_role(u, STAFF_ROLES_AUDIT))
		return STAFF_FORBIDDEN;
	memset(&f, 0, sizeof(f));
	f.user = is_empty(q->user) ? NULL : q->user;
	f.object = is_empty(q->object) ? NULL : q->object;
	if ((f.user != NULL && strlen(f.user) > 256) ||
	    (f.object != NULL && strlen(f.object) > 256)) {
		(void)snprintf(msg, msglen, "user, object: at most 256 bytes");
		return STAFF_INVALID;
	}
	if (!is_empty(q->from) && staff_time_parse(q->from, false, &f.from) !=
	    0) {
		(void)snprintf(msg, msglen, "from: YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM:SSZ");
		return STAFF_INVALID;
	}
	if (!is_empty(q->to) && staff_time_parse(q->to, true, &f.to) != 0) {
		(void)snprintf(msg, msglen, "to: YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM:SSZ");
		return STAFF_INVALID;
	}
	if (!is_empty(q->cursor) && staff_parse_int(q->cursor, 1, INT64_MAX,
	    &f.before_id) != 0) {
		(void)snprintf(msg, msglen, "cursor: not a cursor of this list");
		return STAFF_INVALID;
	}
	if (!is_empty(q->limit) && staff_parse_int(q->limit, 1,
	    AUDIT_PAGE_MAX, &limit) != 0) {
		(void)snprintf(msg, msglen, "limit: a number from 1 to %d",
		    AUDIT_PAGE_MAX);
		return STAFF_INVALID;
	}
	f.limit = (int)limit;

	/* The reading is on record first, so it shows in its own answer. */
	st = audit_append(w->db, 0, u->login, "audit.view", NULL, NULL);
	if (st != STORAGE_OK)
		return staff_status_from_storage(st);
	if ((c.entries = json_array()) == NULL)
		return STAFF_TRANSIENT;
	st = audit_list(w->db, &f, staff_audit_one, &c, &more);
	if (st != STORAGE_OK) {
		log_warnx("audit list: %s", storage_status_str(st));
		json_decref(c.entries);
		return staff_status_from_storage(st);
	}
	doc = json_object();
	json_object_set_new(doc, "entries", c.entries);
	if (more) {
		(void)snprintf(cursor, sizeof(cursor), "%lld",
		    (long long)c.last_id);
		json_object_set_new(doc, "next", json_string(cursor));
	} else
		json_object_set_new(doc, "next", json_null());
	*out = doc;
	return STAFF_OK;
}
