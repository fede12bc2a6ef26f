/* SPDX-License-Identifier: MIT */
/*
 * An e-mail tip, for every mail door (LMTP, `tipline ingest-mail`,
 * POST /api/v1/mail): parse the message (mail_parse.h), turn it into an
 * intake_tip (subject -> summary, text -> details, sender -> contact unless
 * anonymous, the original message as the first evidence file, then every
 * attached part), and run the one intake pipeline (intake.h).  Runs on a
 * worker.  A message is refused only for size (the door checks that) or
 * emptiness; everything else within the limit is accepted, a badly formed
 * message flagged for a person.  The same delivery twice (same Message-ID
 * and same bytes) is one tip.
 */
#ifndef SERVICE_MAIL_INTAKE_H
#define SERVICE_MAIL_INTAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "service/intake.h"
#include "service/mail_parse.h"

/*
 * Store msg[0..len) as a tip.  hint_bureau: the bureau the recipient
 * address names (NULL: none).  channel is "email".  res as intake.h;
 * res->duplicate when this delivery was stored before.
 */
void mail_intake_submit(struct service_worker *w, const void *msg,
    size_t len, const char *hint_bureau, struct intake_result *res);

/*
 * Which bureau a recipient address names, from the config: a
 * bureau_addresses entry, or a +CODE sub-address of a tip address.
 * Returns 1 (code written to buf) for a bureau address, 0 for a plain tip
 * address (no hint), -1 for an address we do not accept (550 5.1.1).
 * Pure (uses only cfg).
 */
int mail_intake_recipient(const struct config *cfg, const char *addr,
    char *buf, size_t buflen);

/*
 * The intake_tip of one parsed message and the storage its pointers use
 * (filled by mail_intake_tip_build(), freed by mail_intake_tip_free()).
 */
struct mail_intake_tip {
	struct intake_tip tip;
	struct intake_file *files;	/* the original, then attachments */
	char *summary;
	char *details;
	char *contact_name;		/* NULL when none is given */
	unsigned char *dedup;
	bool details_cut;		/* text over INTAKE_DETAILS_MAX */
};

/*
 * Map a parsed message p (its original bytes msg[0..len)) to a tip, as
 * mail_intake_submit() does before intake_submit() (mail_intake.c says
 * how).  Pure: no I/O.  The tip points into p, msg and out; all must
 * outlive its use.  Returns 0, or -1 when out of memory (out freed).
 */
int mail_intake_tip_build(const struct mail_parsed *p, const void *msg,
    size_t len, const char *hint_bureau, struct mail_intake_tip *out);

/* Free what mail_intake_tip_build() made and zero it.  Accepts NULL. */
void mail_intake_tip_free(struct mail_intake_tip *mt);

#endif
