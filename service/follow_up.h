/* SPDX-License-Identifier: MIT */
/*
 * The tipster's side of a tip after intake: finding it by the receipt
 * code (stored only as a keyed hash, so the code is hashed and looked up),
 * and the status view of the follow-up page and API: status, the bureau
 * handling it, dates, the messages both ways (opened under the tip's
 * content key) and the names of the files sent.  Adding a message goes
 * through the intake pipeline (intake_add_message()).  Worker thread only,
 * except follow_up_normalise_receipt(), which is pure.
 *
 * Memory: a view holds at most MESSAGES_LIST_MAX messages and
 * TIP_LOOKUP_FILES_MAX file names of one tip.
 */
#ifndef SERVICE_FOLLOW_UP_H
#define SERVICE_FOLLOW_UP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service/intake.h"
#include "service/service.h"

enum follow_up_status {
	FOLLOW_UP_OK = 0,
	FOLLOW_UP_NOT_FOUND,	/* no tip has this code (or it is malformed) */
	FOLLOW_UP_TRANSIENT,	/* database busy, out of memory: retry */
	FOLLOW_UP_FAILED,	/* a bug or a corrupt store */
};

struct follow_up_message {
	int64_t id;
	bool from_bureau;
	int64_t at;		/* Unix seconds */
	char *text;
};

struct follow_up_file {
	int64_t message_id;	/* 0: sent with the tip */
	char *name;
	int64_t size;
};

struct follow_up_view {
	int64_t tip_id;
	char id[32];			/* T-YYYY-NNNNNN */
	char status[16];
	char bureau[64];
	char bureau_zh[256];
	char bureau_en[256];
	int64_t received_at;
	int64_t updated_at;
	struct follow_up_message *messages;	/* oldest first */
	size_t nmessages;
	struct follow_up_file *files;
	size_t nfiles;
	/* The case the tip is linked to (issue 7): its status drives what
	 * the tipster reads; the outcome is shown once it is decided. */
	bool has_case;
	char case_status[16];		/* verifying ... closed */
	char not_filed_reason[2048];	/* "" unless not_filed */
	bool violation_found;
	int false_report;		/* 0 none, 1 inaccurate, 2 false */
	bool rectify_ordered;
	bool qualification_revoked;
	int64_t penalty_fen;		/* fines + confiscations */
	bool referred_police;
	bool seriously_dishonest;
	char credit_published_on[11];	/* "" when not published */
};

/*
 * The 16 digits of a receipt code as a person may type it: digits with
 * any spaces, hyphens or dots between them.  false if anything else is
 * there or the count is not INTAKE_RECEIPT_DIGITS.  Pure.
 */
bool follow_up_normalise_receipt(const char *in, size_t len,
    char out[INTAKE_RECEIPT_DIGITS + 1]);

/*
 * The tip whose receipt is code (16 digits, normalised).  *tip_id gets
 * its row id.  NOT_FOUND when none has it.
 */
enum follow_up_status follow_up_find(struct service_worker *w,
    const char *code, int64_t *tip_id);

/* Load the view of tip tip_id.  Free it with follow_up_view_free(). */
enum follow_up_status follow_up_view_load(struct service_worker *w,
    int64_t tip_id, struct follow_up_view *v);

/* Wipe and free a view's texts; accepts NULL and an empty view. */
void follow_up_view_free(struct follow_up_view *v);

#endif
