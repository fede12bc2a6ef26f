/* SPDX-License-Identifier: MIT */
/*
 * `tipline user add|passwd|disable|list`: staff accounts from the command
 * line (contract.md, "Command line").  Works while `serve` runs: it opens
 * its own database connection, and every change is one transaction with
 * its audit entry (user "cli").
 */
#ifndef SERVICE_USER_CMD_H
#define SERVICE_USER_CMD_H

#include <stdio.h>

#include "service/config.h"
#include "service/options.h"

/*
 * Run the subcommand in o->args[0] (LOGIN in o->args[1]; --role and
 * --bureau for add).  `add` prints "password: …" (the one-time password,
 * shown once) on out; `passwd` reads one line from in.  Messages go to
 * stderr.  Returns 0, or 1 on any failure (contract.md: "0 / 1").
 */
int user_cmd_main(const struct config *cfg, const struct options *o,
    FILE *in, FILE *out);

#endif
