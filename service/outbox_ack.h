/* SPDX-License-Identifier: MIT */
/*
 * The acknowledgement of an e-mail tip: an RFC 5322 message back to the
 * sender with the tip's reference, its receipt code and where to follow
 * it up, put in the outbox (storage/outbox.h) inside the transaction that
 * stores the tip, so that it exists exactly when the tip does.  The
 * receipt code is only ever kept as a keyed hash, so this is the one
 * moment the message can be written; it is sealed under the tip's
 * content key at once.  service/outbox_sender.c hands it to sendmail.
 */
#ifndef SERVICE_OUTBOX_ACK_H
#define SERVICE_OUTBOX_ACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service/config.h"
#include "storage/db.h"

/* What intake knows when it asks for an acknowledgement. */
struct outbox_ack {
	const struct config *cfg;
	const char *to;			/* the sender's addr-spec */
	const char *receipt;		/* the receipt code, digits */
	const unsigned char *uid;	/* the tip's 16-byte uid */
	const unsigned char *key;	/* the tip's content key */
	int64_t now;			/* Unix seconds */
};

/*
 * Whether an acknowledgement to addr may be sent: not to an empty address,
 * one of our own tip or bureau addresses, or an automatic sender
 * (MAILER-DAEMON, postmaster, no-reply and the like), so that a bounce or
 * an auto-reply never starts a loop of tips and acknowledgements.
 */
bool outbox_ack_wanted(const struct config *cfg, const char *addr);

/*
 * The message for tip public_id to address to: From the first of
 * cfg->tip_addresses, To, a Subject and a body in Chinese with English
 * below (UTF-8, RFC 2047 headers, base64 body), Date in China Standard
 * Time, a Message-ID, Auto-Submitted: auto-replied (RFC 3834).  Lines end
 * in LF, the local convention of sendmail's standard input.  Pure apart
 * from the random Message-ID.  On 0 *out is malloc'd (*len bytes, NUL
 * after them), the caller wipes and frees it; -1 out of memory or a bad
 * argument.
 */
int outbox_ack_compose(const struct config *cfg, const char *to,
    const char *public_id, const char *receipt, int64_t now, char **out,
    size_t *len);

/*
 * tip_store_new.in_commit for an acknowledgement: compose the message for
 * the new tip and add it to the outbox (arg: struct outbox_ack).
 */
enum storage_status outbox_ack_in_commit(void *arg, struct db *db,
    int64_t tip_id, const char *public_id);

#endif
