/* SPDX-License-Identifier: MIT */
/*
 * Staff queries over tips, their messages and attachments, each bounded
 * by the caller's scope (scope.h) in SQL: an officer sees only the tips of
 * their bureau, admin and triage every tip, an auditor none.  A tip
 * outside the scope is STORAGE_ERR_NOTFOUND, exactly like a missing one.
 *
 * The content (the sealed record, message bodies, attachment names and
 * blobs) is opened here with the tip's content key from its key slot, and
 * handed out as plaintext that the caller wipes and frees with the
 * matching *_free function.  The record is the JSON text that intake
 * sealed; this module does not parse it.
 */
#ifndef STORAGE_TIP_QUERY_H
#define STORAGE_TIP_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "storage/blob_store.h"
#include "storage/db.h"
#include "storage/keys.h"
#include "storage/scope.h"

#define TIP_QUERY_PAGE_MAX 200
#define TIP_QUERY_ID_MAX 32
#define TIP_QUERY_CODE_MAX 64
#define TIP_QUERY_REASON_MAX 1024
#define TIP_QUERY_MESSAGE_MAX (64 * 1024)	/* bytes of one message */

/* The plaintext columns of a tip and its opened record. */
struct tip_query_tip {
	int64_t id;				/* row id */
	char public_id[TIP_QUERY_ID_MAX];	/* T-YYYY-NNNNNN */
	unsigned char uid[16];
	char channel[16];
	char status[16];
	char bureau[TIP_QUERY_CODE_MAX];
	char domain[TIP_QUERY_CODE_MAX];	/* "" when none */
	char violation[TIP_QUERY_CODE_MAX];	/* "" when none */
	int priority;
	bool needs_review;
	int64_t received_at;
	int64_t updated_at;
	char route_reason[TIP_QUERY_REASON_MAX];
	char *record;				/* JSON text, NUL-terminated */
	size_t record_len;
};

struct tip_query_message {
	int64_t id;
	char sender[16];			/* bureau | tipster */
	int64_t at;
	int64_t user_id;			/* 0: none */
	char *text;				/* NUL-terminated */
	size_t len;
};

struct tip_query_attachment {
	int64_t id;
	int64_t message_id;			/* 0: came with the tip */
	char blob_name[BLOB_NAME_LEN + 1];
	int64_t size;
	char type[128];				/* detected type */
	bool is_original_mail;
	char *name;				/* file name as sent */
};

/* A tip with everything staff may read of it. */
struct tip_query_detail {
	struct tip_query_tip tip;
	struct tip_query_message *messages;
	size_t nmessages;
	struct tip_query_attachment *attachments;
	size_t nattachments;
};

/* A decrypted attachment. */
struct tip_query_file {
	char public_id[TIP_QUERY_ID_MAX];
	int64_t id;
	char *name;			/* NUL-terminated */
	char type[128];
	unsigned char *data;
	size_t len;
};

struct tip_query_filter {
	const char *status;		/* NULL: any */
	const char *bureau;		/* NULL: any (within the scope) */
	int64_t before_at;		/* cursor: 0 for the first page, else */
	int64_t before_id;		/* only tips after (group, priority, */
	int limit;			/* 1 .. TIP_QUERY_PAGE_MAX */
	int before_group;		/* at, id) in the queue's order */
	int before_priority;
};

/* A tip's group in the queue: 0 waiting for triage (received), 1 else. */
#define TIP_QUERY_GROUP(status) (strcmp((status), "received") != 0)

/*
 * The tips in scope that match f in the queue's order: first the tips
 * waiting for triage (status received), then the others; within each,
 * higher priority first, then newest first (received_at, then id),
 * at most f->limit, each with its opened record, to cb (valid during the
 * call only; cb returns 0 to go on).  *more tells whether another page
 * follows.  A tip whose record does not open is STORAGE_ERR_CORRUPT (the
 * walk stops).
 */
enum storage_status tip_query_list(struct db *db,
    const struct keys_master *mk, const struct scope *scope,
    const struct tip_query_filter *f,
    int (*cb)(void *arg, const struct tip_query_tip *t), void *arg,
    bool *more);

/*
 * One tip in scope by its public id, with its record, messages and
 * attachment names opened.  NOTFOUND outside the scope.  On STORAGE_OK
 * the caller frees *out with tip_query_detail_free(); on error *out holds
 * nothing to free.
 */
enum storage_status tip_query_detail(struct db *db,
    const struct keys_master *mk, const struct scope *scope,
    const char *public_id, struct tip_query_detail *out);

/* Wipe and free what tip_query_detail() filled in.  Accepts NULL. */
void tip_query_detail_free(struct tip_query_detail *d);

/*
 * Attachment attachment_id of tip public_id (in scope), decrypted into
 * memory; files over max bytes are refused (INVALID).  NOTFOUND outside
 * the scope or for an attachment of another tip.  Free *out with
 * tip_query_file_free().
 */
enum storage_status tip_query_attachment(struct db *db,
    const struct keys_master *mk, struct blob_store *bs,
    const struct scope *scope, const char *public_id, int64_t attachment_id,
    size_t max, struct tip_query_file *out);

/* Wipe and free a tip_query_file's buffers.  Accepts NULL. */
void tip_query_file_free(struct tip_query_file *f);

/*
 * Add a bureau message to tip public_id if it is in scope: sealed under
 * the tip's key, with its audit entry (audit_user, "message.add"), by
 * messages_add() (storage/messages.h).  user_id is the sender's account.
 * *message_id (may be NULL) gets the new row's id.  NOTFOUND outside the
 * scope, INVALID for empty text or text over TIP_QUERY_MESSAGE_MAX bytes.
 */
enum storage_status tip_query_message_add(struct db *db,
    const struct keys_master *mk, const struct scope *scope,
    const char *public_id, int64_t user_id, const char *text, int64_t now,
    const char *audit_user, int64_t *message_id);

/* The 12315 export (tip_query_export()): what a row adds to the tip. */
struct tip_query_export_row {
	char received_on[16];			/* YYYY-MM-DD, CST */
	char bureau_name[128];
	char domain_name[128];			/* "" when none */
	char violation_name[128];		/* "" when none */
	char institution_name[256];		/* registry match, "" if none */
};

struct tip_query_export_filter {
	const char *bureau;		/* NULL: every bureau in scope */
	const char *from;		/* YYYY-MM-DD, inclusive; NULL: none */
	const char *to;			/* YYYY-MM-DD, inclusive; NULL: none */
	int max;			/* rows at most (>= 1) */
};

/*
 * The bureau's own-channel tips (web, api, email: not those entered from
 * 12315) in scope that match f, neither invalid nor duplicates or merged
 * into another tip (tips.duplicate_of), oldest first, each with its opened record
 * and the names of its codes, to cb (valid during the call; 0 to go on).
 * STORAGE_ERR_INVALID without calling cb when more than f->max match (the
 * caller asks for a narrower range); CORRUPT when a record does not open.
 */
enum storage_status tip_query_export(struct db *db,
    const struct keys_master *mk, const struct scope *scope,
    const struct tip_query_export_filter *f,
    int (*cb)(void *arg, const struct tip_query_tip *t,
    const struct tip_query_export_row *x), void *arg);

#endif
