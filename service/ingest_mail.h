/* SPDX-License-Identifier: MIT */
/*
 * `tipline ingest-mail [--recipient ADDR]`: one RFC 5322 message on
 * standard input, stored as a tip through the mail intake, for an MTA's
 * pipe transport (contract.md, "Command line").
 *
 * Exit codes follow sysexits(3), as MTAs read them: 0 stored (the tip id
 * on standard output; also when the same message was stored before),
 * 65 (EX_DATAERR) refused for good: over mail_max or empty, and nothing
 * else; 75 (EX_TEMPFAIL) for every transient or unexpected fault (the
 * database locked, the disk full, the data directory or key unreadable),
 * always within INGEST_MAIL_DEADLINE_SEC, well before an MTA's command
 * time limit.
 */
#ifndef SERVICE_INGEST_MAIL_H
#define SERVICE_INGEST_MAIL_H

#include "service/config.h"
#include "service/options.h"

#define INGEST_MAIL_EX_DATAERR 65
#define INGEST_MAIL_EX_TEMPFAIL 75
/* Whatever happens, give up with 75 after this long. */
#define INGEST_MAIL_DEADLINE_SEC 50
/* How long to wait for the database lock before answering 75. */
#define INGEST_MAIL_BUSY_MS 3000

/* Run the command; returns the exit code. */
int ingest_mail_main(const struct config *cfg, const struct options *o);

#endif
