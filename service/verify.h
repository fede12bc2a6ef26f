/* SPDX-License-Identifier: MIT */
/*
 * `tipline verify`: every blob and record decrypts and authenticates, every
 * reference holds, the audit chain is intact, the database passes its
 * integrity check.  Works while `serve` runs (read-only connection).
 */
#ifndef SERVICE_VERIFY_H
#define SERVICE_VERIFY_H

#include "service/config.h"

/* Print each problem on stdout; 0 if none, 1 otherwise. */
int verify_main(const struct config *cfg);

#endif
