/* SPDX-License-Identifier: MIT */
/*
 * One LMTP session (RFC 2033) on a bufferevent: a state machine driven by
 * the client's commands, one message at a time handed to a worker
 * (service/mail_intake.h), one reply per accepted recipient after the
 * final dot.  Made and owned by the server (lmtp_server.h).
 */
#ifndef HANDLERS_LMTP_SESSION_H
#define HANDLERS_LMTP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/util.h>

struct lmtp_server;
struct lmtp_session;

enum lmtp_state {
	LMTP_STATE_GREETED,	/* 220 sent; waiting for LHLO */
	LMTP_STATE_READY,	/* after LHLO: waiting for MAIL */
	LMTP_STATE_MAIL,	/* MAIL accepted: waiting for RCPT */
	LMTP_STATE_RCPT,	/* a recipient accepted: RCPT or DATA */
	LMTP_STATE_DATA,	/* 354 sent: reading the message */
	LMTP_STATE_DELIVER,	/* the message is with a worker */
	LMTP_STATE_CLOSING,	/* the last reply is being flushed */
};

/*
 * Start a session on the accepted socket fd (the session owns it from
 * now on, also on failure, when it is closed): send the greeting.  slot is
 * the server's index for it, id a number for the log.  NULL if out of
 * memory.
 */
struct lmtp_session *lmtp_session_new(struct lmtp_server *srv,
    evutil_socket_t fd, size_t slot, uint64_t id);

/* Whether the session is receiving a message, has one with a worker, or
 * has replies to one not yet written to the socket
 * (lmtp_server_active()). */
bool lmtp_session_is_busy(const struct lmtp_session *s);

/*
 * Free the session now, closing its socket (server shutdown only; a
 * session frees itself through a deferred event otherwise).  Accepts
 * NULL; NULLs *s.
 */
void lmtp_session_free(struct lmtp_session **s);

#endif
