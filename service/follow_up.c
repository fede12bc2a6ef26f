/* SPDX-License-Identifier: MIT */
/*
 * The follow-up of a tip by its tipster (see follow_up.h).  A wrong code
 * and a malformed one end the same way (NOT_FOUND), and the work done for
 * an unknown code is one keyed hash and one indexed look-up whether or not
 * a tip is near it, so the answer says nothing about other tips.
 */
#include "service/follow_up.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "service/log.h"
#include "storage/case_store.h"
#include "storage/key_slots.h"
#include "storage/messages.h"
#include "storage/tip_lookup.h"

bool
follow_up_normalise_receipt(const char *in, size_t len,
    char out[INTAKE_RECEIPT_DIGITS + 1])
{
	size_t n = 0;

	out[0] = '\0';
	if (in == NULL || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c >= '0' && c <= '9') {
			if (n == INTAKE_RECEIPT_DIGITS)
				return false;
			out[n++] = c;
		} else if (c != ' ' && c != '-' && c != '.' && c != '\t') {
			return false;
		}
	}
	out[n] = '\0';
	return n == INTAKE_RECEIPT_DIGITS;
}

static enum follow_up_status
follow_up_from_storage(enum storage_status st, const char *what)
{
	if (st == STORAGE_OK)
		return FOLLOW_UP_OK;
	if (st == STORAGE_ERR_NOTFOUND)
		return FOLLOW_UP_NOT_FOUND;
	log_warnx("follow-up: %s: %s", what, storage_status_str(st));
	return storage_status_is_transient(st) ? FOLLOW_UP_TRANSIENT :
	    FOLLOW_UP_FAILED;
}

enum follow_up_status
follow_up_find(struct service_worker *w, const char *code, int64_t *tip_id)
{
	unsigned char key[32], hash[32];
	struct tip_lookup t;
	enum storage_status st;

	if (code == NULL || strlen(code) != INTAKE_RECEIPT_DIGITS)
		return FOLLOW_UP_NOT_FOUND;
	st = key_slots_service_key(w->db, &w->svc->mk,
	    KEY_SLOTS_PURPOSE_RECEIPT, key);
	if (st != STORAGE_OK)
		return follow_up_from_storage(st, "receipt key");
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)code,
	    INTAKE_RECEIPT_DIGITS, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	st = tip_lookup_by_receipt(w->db, hash, &t);
	if (st != STORAGE_OK)
		return follow_up_from_storage(st, "look-up");
	*tip_id = t.id;
	return FOLLOW_UP_OK;
}

/* The view being filled; nomem set when a copy could not be made. */
struct follow_up_fill {
	struct follow_up_view *v;
	bool nomem;
};

static int
follow_up_add_message(void *arg, const struct messages_row *row)
{
	struct follow_up_fill *c = arg;
	struct follow_up_view *v = c->v;
	struct follow_up_message *m;
	void *grown;

	grown = realloc(v->messages, (v->nmessages + 1) * sizeof(*m));
	if (grown == NULL) {
		c->nomem = true;
		return -1;
	}
	v->messages = grown;
	m = &v->messages[v->nmessages];
	if ((m->text = malloc(row->len + 1)) == NULL) {
		c->nomem = true;
		return -1;
	}
	memcpy(m->text, row->text, row->len);
	m->text[row->len] = '\0';
	m->id = row->id;
	m->from_bureau = strcmp(row->sender, "bureau") == 0;
	m->at = row->at;
	v->nmessages++;
	return 0;
}

static int
follow_up_add_file(void *arg, const struct tip_lookup_file *f)
{
	struct follow_up_fill *c = arg;
	struct follow_up_view *v = c->v;
	struct follow_up_file *e;
	void *grown;

	grown = realloc(v->files, (v->nfiles + 1) * sizeof(*e));
	if (grown == NULL) {
		c->nomem = true;
		return -1;
	}
	v->files = grown;
	e = &v->files[v->nfiles];
	if ((e->name = strdup(f->name)) == NULL) {
		c->nomem = true;
		return -1;
	}
	e->message_id = f->message_id;
	e->size = f->size;
	v->nfiles++;
	return 0;
}

/* The tip's case, if any, into v (what its tipster may read of it). */
static enum storage_status
follow_up_case(struct service_worker *w, struct follow_up_view *v)
{
	struct case_store_public c;
	enum storage_status st = case_store_public(w->db, v->tip_id, &c);

	if (st == STORAGE_ERR_NOTFOUND)
		return STORAGE_OK;
	if (st != STORAGE_OK)
		return st;
	v->has_case = true;
	snprintf(v->case_status, sizeof(v->case_status), "%s", c.status);
	snprintf(v->not_filed_reason, sizeof(v->not_filed_reason), "%s",
	    c.not_filed_reason);
	v->violation_found = c.violation_found != 0;
	v->false_report = c.false_report;
	v->rectify_ordered = c.rectify_ordered != 0;
	v->qualification_revoked = c.qualification_revoked != 0;
	v->penalty_fen = c.fines_fen + c.confiscated_fen;
	v->referred_police = c.referred_police != 0;
	v->seriously_dishonest = c.seriously_dishonest != 0;
	snprintf(v->credit_published_on, sizeof(v->credit_published_on), "%s",
	    c.credit_published_on);
	return STORAGE_OK;
}

enum follow_up_status
follow_up_view_load(struct service_worker *w, int64_t tip_id,
    struct follow_up_view *v)
{
	struct follow_up_fill fill = { v, false };
	struct tip_lookup t;
	unsigned char key[32];
	enum storage_status st;

	memset(v, 0, sizeof(*v));
	if ((st = tip_lookup_by_id(w->db, tip_id, &t)) != STORAGE_OK)
		return follow_up_from_storage(st, "tip");
	v->tip_id = t.id;
	snprintf(v->id, sizeof(v->id), "%s", t.public_id);
	snprintf(v->status, sizeof(v->status), "%s", t.status);
	snprintf(v->bureau, sizeof(v->bureau), "%s", t.bureau);
	snprintf(v->bureau_zh, sizeof(v->bureau_zh), "%s", t.bureau_zh);
	snprintf(v->bureau_en, sizeof(v->bureau_en), "%s", t.bureau_en);
	v->received_at = t.received_at;
	v->updated_at = t.updated_at;
	st = key_slots_content_key(w->db, t.id, t.uid, &w->svc->mk, key);
	if (st == STORAGE_OK)
		st = messages_each(w->db, t.id, t.uid, key,
		    follow_up_add_message, &fill);
	if (st == STORAGE_OK && !fill.nomem)
		st = tip_lookup_files(w->db, &t, key, follow_up_add_file,
		    &fill);
	if (st == STORAGE_OK && fill.nomem)
		st = STORAGE_ERR_NOMEM;
	sodium_memzero(key, sizeof(key));
	if (st == STORAGE_OK)
		st = follow_up_case(w, v);
	if (st != STORAGE_OK) {
		follow_up_view_free(v);
		/* The tip exists: a failure here is never "not found". */
		return st == STORAGE_ERR_NOTFOUND ? FOLLOW_UP_FAILED :
		    follow_up_from_storage(st, "messages");
	}
	return FOLLOW_UP_OK;
}

void
follow_up_view_free(struct follow_up_view *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nmessages; i++) {
		if (v->messages[i].text != NULL) {
			sodium_memzero(v->messages[i].text,
			    strlen(v->messages[i].text));
			free(v->messages[i].text);
		}
	}
	for (size_t i = 0; i < v->nfiles; i++)
		free(v->files[i].name);
	free(v->messages);
	free(v->files);
	v->messages = NULL;
	v->files = NULL;
	v->nmessages = 0;
	v->nfiles = 0;
}
