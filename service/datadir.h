/* SPDX-License-Identifier: MIT */
/*
 * Creating a data directory (`tipline init`, and `serve` on an empty one):
 * the directory, the master key, the database with its schema and reference
 * data, and the first admin account with a one-time password.
 */
#ifndef SERVICE_DATADIR_H
#define SERVICE_DATADIR_H

#include <stdio.h>
#include "service/config.h"

/*
 * Initialise cfg->data_dir.  The database is built under a temporary name
 * and renamed into place last, so a crash leaves no half-initialised store.
 * Prints "login: admin" and "password: …" lines to out.  Returns 0, 1 if
 * already initialised (err says so), -1 on error (err says why).
 */
int datadir_init(const struct config *cfg, FILE *out, char *err,
    size_t errlen);

#endif
