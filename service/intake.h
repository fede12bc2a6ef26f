/* SPDX-License-Identifier: MIT */
/*
 * The one intake pipeline every door uses (web form, JSON API, LMTP, the
 * ingest-mail pipe, staff entry): validate, check each file's type by its
 * content, triage, encrypt, write the blobs durably, commit the rows in one
 * transaction; only then report success.  Runs on a worker thread.
 *
 * Nothing from a refused submission is stored: validation happens before
 * any write, and the blobs of a submission whose commit fails are removed.
 */
#ifndef SERVICE_INTAKE_H
#define SERVICE_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "service/service.h"

#define INTAKE_SUMMARY_MAX 200		/* characters */
#define INTAKE_DETAILS_MAX 20000	/* characters */
#define INTAKE_SHORT_MAX 200		/* institution, contact name */
#define INTAKE_RECEIPT_DIGITS 16
#define INTAKE_MESSAGE_MAX 20000	/* characters of a follow-up message */
#define INTAKE_MSG_ARGS 4
#define INTAKE_MSG_ARG_MAX 256
#define INTAKE_WO_MAX 40		/* bytes of a 12315 work-order number */

struct intake_file {
	const char *field;		/* form field it came in ("attachments") */
	const char *name;		/* as sent (UTF-8), may be NULL */
	const unsigned char *data;
	size_t len;
	bool is_original_mail;		/* kept whatever its type */
};

struct intake_tip {
	const char *channel;		/* "web", "api", "email", "staff" */
	const char *summary;
	const char *details;
	const char *institution;
	const char *county;
	const char *domain;
	const char *violation;
	const char *occurred_on;
	const char *contact_name;
	const char *contact_phone;
	const char *contact_email;
	const struct intake_file *files;
	size_t nfiles;
	/* Routing hint from the door (e-mail recipient): a bureau code. */
	const char *hint_bureau;
	/* Bytes naming one delivery (mail: Message-ID and body digest); a
	 * second submission with the same bytes is the same tip. */
	const unsigned char *dedup;
	size_t dedup_len;
	/* The form's one-time nonce: a double click stores one tip. */
	const char *nonce;
	/* The door could not read everything (a badly formed message): the
	 * tip is stored and flagged for a person. */
	bool needs_review;
	/* E-mail: a file outside the allow-list or over the size limit is not
	 * kept as a separate attachment (the original message, which holds
	 * it, is kept) instead of refusing the whole tip; the tip is flagged
	 * and the record names what was left out and why. */
	bool drop_bad_files;
	/* E-mail: the sender's address for the acknowledgement (reference,
	 * receipt code, follow-up address), queued in the outbox in the
	 * tip's own transaction (service/outbox_ack.h); NULL: none (an
	 * anonymous sender, or another door). */
	const char *ack_to;
	/* Staff entry: the national 12315 work-order number (NULL: none;
	 * else 1 to INTAKE_WO_MAX of [0-9A-Za-z-]) and the staff login the
	 * audit entry names. */
	const char *wo_12315;
	const char *staff_login;
};

enum intake_status {
	INTAKE_OK = 0,
	INTAKE_INVALID,		/* 400: a field is wrong */
	INTAKE_TOO_LARGE,	/* 413: too many or too large files */
	INTAKE_BAD_TYPE,	/* 415: a file outside the allow-list */
	INTAKE_TRANSIENT,	/* 503: disk full, database busy: retry */
	INTAKE_FAILED,		/* 500: a bug or corrupt store */
};

struct intake_result {
	enum intake_status status;
	char field[64];			/* the field at fault, or "" */
	char message[512];		/* what is wrong, naming field and limit */
	char id[32];			/* T-YYYY-NNNNNN */
	char receipt[INTAKE_RECEIPT_DIGITS + 1];
	char bureau[32];
	char tip_status[16];
	char received_at[32];		/* RFC 3339, UTC */
	bool no_space;			/* INTAKE_TRANSIENT because the disk is
					 * full (LMTP answers 452 4.3.1) */
	bool duplicate;			/* already stored: id is the earlier tip,
					 * no receipt (it was shown then) */
	/*
	 * The refusal as a format and its arguments, so that a door can show
	 * it in another language (handlers/i18n.h): msgid is the English
	 * printf format (a static string, and the gettext msgid), args[] its
	 * conversions already formatted, in order.  When a file is at fault,
	 * file holds its name and message reads "file \"<file>\" <msgid
	 * filled in>".  NULL msgid: no refusal, or none worth translating.
	 */
	const char *msgid;
	char args[INTAKE_MSG_ARGS][INTAKE_MSG_ARG_MAX];
	size_t nargs;
	char file[INTAKE_MSG_ARG_MAX];
	int64_t message_id;		/* intake_add_message(): the new row */
};

/* A tipster's message (and files) for a tip that exists. */
struct intake_reply {
	int64_t tip_id;			/* row id, from the receipt or session */
	const char *channel;		/* "web" or "api", for the log */
	const char *text;		/* may be empty when files come */
	const struct intake_file *files;
	size_t nfiles;
};

/* Store a tip; res says how it went.  Worker thread only. */
void intake_submit(struct service_worker *w, const struct intake_tip *t,
    struct intake_result *res);

/*
 * Store a tipster's message with its files on an existing tip, through
 * the same checks, file type detection and blob writing as a new tip: the
 * text is checked like details, every file like an attachment; the blobs
 * are durable before the one transaction that stores the message (sealed
 * under the tip's content key) and its attachment rows.  res as for
 * intake_submit (id: the tip's public id; message_id, received_at: the
 * message's).  Worker thread only.
 */
void intake_add_message(struct service_worker *w, const struct intake_reply *m,
    struct intake_result *res);


/*
 * The tip fields of a JSON body (POST /api/v1/tips, staff entry) into t:
 * obj must be an object whose members are among summary, details,
 * institution, county, domain, violation, occurred_on, contact_name,
 * contact_phone, contact_email (and wo_12315 when with_wo), each a string
 * without NUL, or null.  t's strings then point into obj, which must
 * outlive t; t's other members are left alone.  Otherwise false, with res
 * refused (INTAKE_INVALID) naming the member.
 */
bool intake_tip_from_json(json_t *obj, bool with_wo, struct intake_tip *t,
    struct intake_result *res);

/*
 * The contract's answer to a stored tip: {"id", "receipt", "status",
 * "bureau", "received_at"} (POST /api/v1/tips; the staff entry adds its
 * own members).  NULL when out of memory.
 */
json_t *intake_result_doc(const struct intake_result *res);

/* An HTTP status for an intake status. */
int intake_http_status(enum intake_status st);

#endif
