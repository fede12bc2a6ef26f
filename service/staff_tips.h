/* SPDX-License-Identifier: MIT */
/*
 * Staff work on tips: the list of the caller's scope, one tip with its
 * content, an attachment download and a message to the tipster.  Worker
 * thread only.  The scope is enforced by the storage queries
 * (storage/tip_query.h); these functions add the role check, the parsing
 * of what a person sent, the audit entry of every look at tip content,
 * and the JSON documents of the contract (the staff HTML pages are drawn
 * from the same documents).
 *
 * Every view is audited before its content is handed out: when the entry
 * cannot be written, the content is not shown.
 */
#ifndef SERVICE_STAFF_TIPS_H
#define SERVICE_STAFF_TIPS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "service/service.h"
#include "service/staff.h"

#define STAFF_TIPS_PAGE 50		/* default page size */
#define STAFF_TIPS_MESSAGE_MAX 5000	/* characters of a bureau message */

struct staff_tips_query {
	const char *status;		/* NULL or "": any */
	const char *bureau;		/* NULL or "": any */
	const char *cursor;		/* NULL or "": first page */
	const char *limit;		/* NULL or "": STAFF_TIPS_PAGE */
};

/* A decrypted attachment for download. */
struct staff_tips_file {
	char *name;			/* as the tipster sent it */
	unsigned char *data;
	size_t len;
};

/*
 * The tips of u's scope matching q, newest first, as the contract's
 * {"tips": [...], "next": CURSOR|null}.  STAFF_INVALID (msg says which
 * parameter) for a bad status, bureau, cursor or limit; STAFF_FORBIDDEN
 * for a role without tip content.  Audited: "tip.list" naming the tips
 * shown.  On STAFF_OK the caller owns *out.
 */
enum staff_status staff_tips_list(struct service_worker *w,
    const struct staff_user *u, const struct staff_tips_query *q,
    json_t **out, char *msg, size_t msglen);

/*
 * Tip id (T-YYYY-NNNNNN) with its content: the list fields plus details,
 * institution, contact, route_reason, messages and attachments (with
 * their download url).  STAFF_NOT_FOUND when missing or outside the
 * scope.  Audited: "tip.view".  On STAFF_OK the caller owns *out.
 */
enum staff_status staff_tips_detail(struct service_worker *w,
    const struct staff_user *u, const char *id, json_t **out);

/*
 * Attachment aid (decimal row id) of tip id, decrypted.  max bounds the
 * size.  Audited: "attachment.download" on "<tip>:attachment:<aid>".  On
 * STAFF_OK free *f with staff_tips_file_free().
 */
enum staff_status staff_tips_attachment(struct service_worker *w,
    const struct staff_user *u, const char *id, const char *aid,
    size_t max, struct staff_tips_file *f);

/* Wipe and free a downloaded attachment.  Accepts NULL. */
void staff_tips_file_free(struct staff_tips_file *f);

/*
 * A message from the bureau to the tipster of tip id: text is 1 to
 * STAFF_TIPS_MESSAGE_MAX characters of UTF-8.  On STAFF_OK *out is
 * {"id", "at"} (the caller owns it).  Audited ("message.add") with the
 * message, in one transaction.
 */
enum staff_status staff_tips_message(struct service_worker *w,
    const struct staff_user *u, const char *id, const char *text,
    json_t **out, char *msg, size_t msglen);

/* Whether s is a tip status of the contract. */
bool staff_tips_valid_status(const char *s);

#endif
