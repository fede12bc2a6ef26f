/* SPDX-License-Identifier: MIT */
/*
 * Tips, their key slots and attachments in the database.  The caller (the
 * intake pipeline in service/) has already sealed every tipster-written
 * value and made every blob durable; tip_store_commit() stores the rows in
 * one BEGIN IMMEDIATE transaction, with the audit entry, so that a tip is
 * either wholly there or not at all.
 */
#ifndef STORAGE_TIP_STORE_H
#define STORAGE_TIP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/blob_store.h"
#include "storage/db.h"
#include "storage/keys.h"

#define TIP_UID_BYTES 16
#define TIP_PUBLIC_ID_MAX 32
#define TIP_MAC_BYTES 32

struct tip_store_attachment {
	char blob_name[BLOB_NAME_LEN + 1];
	uint64_t size;
	const char *detected_type;		/* plaintext metadata */
	const unsigned char *name_sealed;	/* under the content key */
	size_t name_sealed_len;
	unsigned char content_mac[TIP_MAC_BYTES];
	bool is_original_mail;
};

struct tip_store_new {
	unsigned char uid[TIP_UID_BYTES];
	const char *channel;		/* web | api | email | staff */
	const char *status;		/* received | triaged */
	const char *bureau;
	const char *domain;		/* NULL: none */
	const char *violation;		/* NULL: none */
	const char *campaign;		/* NULL: the campaign of domain on
					 * received_on, if any
					 * (TIP_TRIAGE_CAMPAIGN_SQL) */
	int64_t institution_id;		/* registry match; 0: none */
	int priority;
	const char *route_reason;
	bool needs_review;
	bool real_name;
	const char *occurred_on;	/* NULL: not given */
	int64_t received_at;		/* Unix seconds */
	const char *received_on;	/* YYYY-MM-DD, China Standard Time */
	unsigned char receipt_hash[TIP_MAC_BYTES];
	const unsigned char *nonce_hash;	/* NULL: none */
	const unsigned char *dedup_hash;	/* NULL: none */
	const unsigned char *record_sealed;
	size_t record_sealed_len;
	const unsigned char *content_key;	/* wrapped into a key slot */
	const struct tip_store_attachment *attachments;
	size_t nattachments;
	/* Staff entry of a tip transferred from 12315: its national
	 * work-order number (NULL: none), and the staff login written as
	 * the audit entry's user (NULL: a public door, no user). */
	const char *wo_12315;
	const char *audit_user;
	/* Called inside the transaction once the tip row and its key slot
	 * are in (tip_id its row id, public_id its T-YYYY-NNNNNN): rows that
	 * must exist exactly when the tip does (the acknowledgement
	 * outbox).  A status other than STORAGE_OK rolls everything back
	 * and is returned.  NULL: none. */
	enum storage_status (*in_commit)(void *arg, struct db *db,
	    int64_t tip_id, const char *public_id);
	void *in_commit_arg;
	/* Keyed hashes of the report numbers in the tip's text (related
	 * tips, storage/tip_triage.h); NULL when none. */
	const unsigned char (*report_macs)[TIP_MAC_BYTES];
	size_t nreport_macs;
	/* Keyed hash of the tipster's normalised contact (the same
	 * tipster's repeated tips, service/contact_mac.h); NULL: none. */
	const unsigned char *contact_mac;
};

/*
 * Store a new tip.  On STORAGE_OK public_id holds its "T-YYYY-NNNNNN" id
 * (YYYY from received_on, NNNNNN counting that year's tips).
 * STORAGE_ERR_EXISTS if the nonce or dedup hash is already stored (then
 * public_id holds the earlier tip's id); the transient statuses (BUSY,
 * NOSPC, IO) mean nothing was stored and the caller may retry.
 */
enum storage_status tip_store_commit(struct db *db,
    const struct keys_master *mk, const struct tip_store_new *t,
    char public_id[TIP_PUBLIC_ID_MAX]);

/* Call cb with every blob name the attachment rows hold; stops when cb
 * returns non-zero.  STORAGE_OK, or the query's failure. */
enum storage_status tip_store_each_blob(struct db *db,
    int (*cb)(void *arg, const char *name), void *arg);

/* Whether any attachment row names blob `name`: 1 yes, 0 no, -1 error. */
int tip_store_blob_is_referenced(struct db *db, const char *name);

/* Whether code is a county with a bureau (the form's county list). */
bool tip_store_is_county(struct db *db, const char *code);
/* Whether code is a bureau. */
bool tip_store_is_bureau(struct db *db, const char *code);
/* Whether code is a key domain / a violation type. */
bool tip_store_is_domain(struct db *db, const char *code);
bool tip_store_is_violation(struct db *db, const char *code);

/* The Chinese name of the place with that county code, into buf. */
int tip_store_county_name(struct db *db, const char *code, char *buf,
    size_t len);

#endif
