/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr, one line per event, `key=value` fields after a short
 * message.  Never log a secret, a tip's content, a client address or a user
 * agent.  Thread-safe (one fprintf per line under stdio's own lock).
 */
#ifndef SERVICE_LOG_H
#define SERVICE_LOG_H

#include <stdbool.h>
#include <stdnoreturn.h>

/* Set the program name shown on each line and whether debug lines show. */
void log_init(const char *progname, bool debug);
bool log_debug_enabled(void);

/* Like log_warnx, with ": strerror(errno)" appended. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1); for start-up only, never on the request path. */
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
