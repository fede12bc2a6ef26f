/* SPDX-License-Identifier: MIT */
/*
 * `tipline serve`: the daemon.  The composition root: it opens the data
 * directory, starts the worker pool and the listeners on one event loop,
 * and drains on SIGTERM/SIGINT.
 */
#ifndef SERVICE_SERVE_H
#define SERVICE_SERVE_H

#include "service/config.h"
#include "service/options.h"

/* Run until SIGTERM/SIGINT; 0 after a clean drain, 1 on a start-up error. */
int serve_main(struct config *cfg, const struct options *o);

#endif
