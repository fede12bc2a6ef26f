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

/*
 * Write buf to path through a temporary file beside it and rename(), so
 * that path is never half-written.  Returns 0, or -1 with err set.  Also
 * used by `tipline refdata export -o FILE` (service/refdata_admin.c).
 */
struct report_buf;
int report_cmd_write_file(const char *path, const struct report_buf *buf,
    char *err, size_t errlen);

#endif
