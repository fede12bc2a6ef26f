/* SPDX-License-Identifier: MIT */
/*
 * The outbox sender: a thread of its own beside the event loop and the
 * worker pool that hands due acknowledgements (storage/outbox.h) to the
 * configured sendmail-compatible command ([mail] sendmail_command, e.g.
 * "/usr/sbin/sendmail -t -i"), one message on its standard input per run.
 *
 * Its own thread, not a pool job: a command that hangs is waited for up
 * to OUTBOX_SENDER_TIMEOUT_SEC, and that must never hold up a thread that
 * stores tips (intake answers the MTA whatever sendmail does).  Exit 0
 * marks the row sent; anything else (exit status, signal, timeout, no such
 * program) counts an attempt and sets next_at = now + outbox_retry_sec *
 * 2^(attempts - 1), at most OUTBOX_SENDER_BACKOFF_MAX_SEC, with the reason
 * in last_error.  With no command configured the thread is not started and
 * the rows wait in the outbox.
 */
#ifndef SERVICE_OUTBOX_SENDER_H
#define SERVICE_OUTBOX_SENDER_H

#include <stddef.h>

#include "service/service.h"

#define OUTBOX_SENDER_TIMEOUT_SEC 60		/* one run of the command */
#define OUTBOX_SENDER_BACKOFF_MAX_SEC (6 * 3600)
#define OUTBOX_SENDER_POLL_MS 1000		/* looks for due rows */
#define OUTBOX_SENDER_ARGS_MAX 32		/* words of the command */

struct outbox_sender;

/*
 * Start the sender for svc (its config names the command; the command
 * line is split at white space, no shell, no quoting; a first word
 * without '/' is looked up in PATH).  *out is NULL when no command is
 * configured.  Returns 0, or -1 with err set (a command that cannot be
 * split or found, a thread that cannot start).
 */
int outbox_sender_start(struct service *svc, struct outbox_sender **out,
    char *err, size_t errlen);

/*
 * Stop the thread (a command still running is killed and its row counted
 * as a failed attempt) and free.  Accepts NULL; NULLs *s.
 */
void outbox_sender_stop(struct outbox_sender **s);

#endif
