/* SPDX-License-Identifier: MIT */
/*
 * `tipline report summary --campaign CODE [--bureau CODE]
 *  --format html|csv|xlsx [-o FILE]` (contract.md, "Command line" and
 * "Reports"): the campaign summary table on standard output or into FILE.
 * Works while `serve` runs: a read-only database connection, no master key.
 */
#ifndef SERVICE_REPORT_CMD_H
#define SERVICE_REPORT_CMD_H

#include "service/config.h"
#include "service/options.h"

/*
 * Run the command.  0 when the table was written; 1 with a message on
 * stderr otherwise (unknown campaign or bureau, bad arguments, no data
 * directory, a storage or output failure).
 */
int report_cmd_main(const struct config *cfg, const struct options *o);

#endif
