/* SPDX-License-Identifier: MIT */
/*
 * The LMTP listener (RFC 2033): accepts connections on lmtp_listen and
 * gives each one an LMTP session (lmtp_session.h) on the loop thread.
 *
 * The server owns the sessions (at most LMTP_SESSIONS_MAX at once; past it,
 * and on EMFILE, it stops accepting for a while instead of failing
 * connections) and the table of messages waiting for a worker, keyed by
 * the worker job id: a session that goes away while its message is being
 * stored leaves its entry behind, so that the completion finds out that the
 * client is gone instead of touching freed memory.
 */
#ifndef HANDLERS_LMTP_SERVER_H
#define HANDLERS_LMTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct config;
struct workers;
struct http_budget;
struct lmtp_server;
struct lmtp_session;

#define LMTP_SESSIONS_MAX 256

struct lmtp_server_env {
	struct event_base *base;
	const struct config *cfg;
	struct workers *workers;
	/* The in-flight byte budget shared with HTTP (http_guard.h); NULL:
	 * no budget. */
	struct http_budget *budget;
	/* Timeouts in seconds; 0 takes the defaults (5 min idle, 30 min
	 * per session).  Tests shorten them. */
	int idle_timeout_sec;
	int session_timeout_sec;
};

/*
 * Bind listen ("ADDR:PORT"; port 0 picks one) and start accepting.  bound
 * receives the actual "ADDR:PORT".  NULL on failure, with err set.
 */
struct lmtp_server *lmtp_server_start(const struct lmtp_server_env *env,
    const char *listen, char *bound, size_t boundlen, char *err,
    size_t errlen);

/*
 * Stop accepting (shutdown).  Sessions go on; each one answers its next
 * command with 421 and closes, except that a message already with a worker
 * still gets its replies.
 */
void lmtp_server_stop_accepting(struct lmtp_server *s);

/*
 * Sessions with work in flight: a message being received or with a
 * worker, or its replies not yet written to the socket.  The drain at
 * shutdown waits for 0.
 */
size_t lmtp_server_active(const struct lmtp_server *s);

/*
 * Close every session and free the server.  Call after the worker pool
 * is gone (workers_free() runs the last completions, which look up the
 * server).  Accepts NULL; NULLs *s.
 */
void lmtp_server_free(struct lmtp_server **s);

/* ------------------------------------------------------------------ */
/* For lmtp_session.c only                                             */

/* A message waiting for a worker: the key (the job id) and the session,
 * which is NULL once the client has gone.  Embedded in the job. */
struct lmtp_wait {
	uint64_t id;
	struct lmtp_session *session;
	struct lmtp_wait *next;
};

const struct lmtp_server_env *lmtp_server_env(const struct lmtp_server *s);
/* The host name for the greeting and the LHLO answer. */
const char *lmtp_server_hostname(const struct lmtp_server *s);
bool lmtp_server_is_stopping(const struct lmtp_server *s);

/* A session in slot was freed: forget it, and accept again if the cap
 * had stopped accepting. */
void lmtp_server_session_gone(struct lmtp_server *s, size_t slot);

/* Add w (id and session set) to the table. */
void lmtp_server_wait_insert(struct lmtp_server *s, struct lmtp_wait *w);
/* Find the entry of job id, or NULL. */
struct lmtp_wait *lmtp_server_wait_find(struct lmtp_server *s, uint64_t id);
/* Take the entry of job id out of the table; NULL if it is not there (a
 * bug: every job is inserted before its completion can run). */
struct lmtp_wait *lmtp_server_wait_pop(struct lmtp_server *s, uint64_t id);

#endif
