/* SPDX-License-Identifier: MIT */
/*
 * One LMTP session (RFC 2033): a state machine on a socket bufferevent,
 * on the loop thread.
 *
 * Commands are read one line at a time from the input buffer, so that a
 * pipelining client (RFC 2920) may send a whole transaction at once; each
 * goes through the table lmtp_commands[] of {verb, check, proceed}
 * (OpenSMTPD's commands[]): the check validates the state and the
 * arguments and replies itself on failure, the proceed does the work.  The
 * state changes only in lmtp_session_enter_state(), which logs it.
 *
 * DATA (RFC 5321 4.5.2, RFC 2033 4.2) is read by a byte-level machine that
 * ends a line only at CRLF: a bare LF or a bare CR is data, so "\n.\n" can
 * never end a message (SMTP smuggling).  Dots are unstuffed on the way.  A
 * message over mail_max is read to its end and discarded (552 5.3.4 per
 * recipient); so is one that outgrows the in-flight budget (451 4.3.1).
 * The bytes count against the in-flight budget shared with HTTP from the
 * 354 until the worker is done with them.
 *
 * After the final dot the message goes to a worker (mail_intake_submit():
 * one tip, whatever the number of recipients, the first bureau address as
 * the routing hint); input is not read while it is there.  Its completion
 * finds the session again through the server's table keyed by the job id
 * (the client may have gone), writes one identical reply per accepted
 * recipient, and only then reads the next command.
 *
 * Lifetime: a session is freed only from its deferred `reaper` event, never
 * inside a callback that could touch it again (Redis freeClientAsync).
 * lmtp_session_close() marks it closing and lets the output drain first.
 *
 * Limits: command lines LMTP_COMMAND_LINE_MAX, LMTP_RCPT_MAX recipients,
 * data lines LMTP_DATA_LINE_MAX (longer lines are kept but logged, as
 * RFC 5322 2.1.1 is broken by real clients), mail_max bytes of message,
 * pending replies LMTP_OUTPUT_MAX before input is paused, idle and
 * absolute timeouts (421 4.4.2).
 */
#include "handlers/lmtp_session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "handlers/http_guard.h"
#include "handlers/lmtp_command.h"
#include "handlers/lmtp_server.h"
#include "service/config.h"
#include "service/intake.h"
#include "service/log.h"
#include "service/mail_intake.h"
#include "service/metrics.h"
#include "service/workers.h"

#define LMTP_IDLE_TIMEOUT_SEC (5 * 60)
#define LMTP_SESSION_TIMEOUT_SEC (30 * 60)
#define LMTP_WRITE_TIMEOUT_SEC 60
#define LMTP_RCPT_MAX 100
#define LMTP_DATA_LINE_MAX 2048		/* RFC 5322 says 998; slack */
#define LMTP_OUTPUT_MAX (64 * 1024)
#define LMTP_BUDGET_STEP (256 * 1024)
#define LMTP_HINT_MAX 32

/* Where the DATA machine is within a line. */
enum lmtp_data_pos {
	LMTP_DATA_BOL,		/* at the start of a line */
	LMTP_DATA_BOL_DOT,	/* a '.' at the start of a line, held back */
	LMTP_DATA_BOL_DOT_CR,	/* ".\r" at the start of a line, held back */
	LMTP_DATA_MID,		/* inside a line */
	LMTP_DATA_CR,		/* inside a line, just after a CR */
};

struct lmtp_session {
	struct lmtp_server *srv;
	const struct lmtp_server_env *env;
	size_t slot;
	uint64_t id;
	struct bufferevent *bev;
	struct event *expire;		/* the absolute session deadline */
	struct event *reaper;		/* deferred free */
	enum lmtp_state state;
	bool lhlo_done;
	bool closing;			/* no more input; free once flushed */
	bool reaping;			/* reaper scheduled */
	bool eof;			/* the client closed its side */
	bool expired;			/* deadline passed during DELIVER */
	bool throttled;			/* input paused: output too large */
	uint64_t job_id;		/* the message with a worker, or 0 */
	size_t messages;		/* delivered on this session */

	/* The transaction (RFC 5321 3.3). */
	size_t nrcpt;
	char hint[LMTP_HINT_MAX];	/* the first bureau recipient's code */
	bool has_size;
	uint64_t size;

	/* DATA. */
	struct evbuffer *msg;
	uint64_t msg_len;		/* bytes of the message, also past caps */
	uint64_t reserved;		/* in-flight budget held */
	enum lmtp_data_pos pos;
	size_t line_len;
	size_t long_lines;
	bool too_large;
	bool over_budget;
};

/* A message with a worker.  The wait entry is the table's key. */
struct lmtp_job {
	struct lmtp_wait wait;
	struct lmtp_server *srv;
	struct http_budget *budget;
	uint64_t reserved;
	struct evbuffer *msg;
	char hint[LMTP_HINT_MAX];
	bool nomem;
	struct intake_result res;
};

struct lmtp_command_def {
	enum lmtp_verb verb;
	/* Validate state and arguments; reply and return false on failure. */
	bool (*check)(struct lmtp_session *, const struct lmtp_command *,
	    enum lmtp_command_status);
	void (*proceed)(struct lmtp_session *, const struct lmtp_command *);
};

static void lmtp_session_process(struct lmtp_session *s);

static const char *
lmtp_state_name(enum lmtp_state st)
{
	switch (st) {
	case LMTP_STATE_GREETED: return "greeted";
	case LMTP_STATE_READY: return "ready";
	case LMTP_STATE_MAIL: return "mail";
	case LMTP_STATE_RCPT: return "rcpt";
	case LMTP_STATE_DATA: return "data";
	case LMTP_STATE_DELIVER: return "deliver";
	case LMTP_STATE_CLOSING: return "closing";
	}
	return "?";
}

/*
 * The one place the state changes (OpenSMTPD smtp_enter_state()); logs
 * old -> new at debug level.
 */
static void
lmtp_session_enter_state(struct lmtp_session *s, enum lmtp_state st)
{
	log_debug("lmtp session=%llu state %s -> %s",
	    (unsigned long long)s->id, lmtp_state_name(s->state),
	    lmtp_state_name(st));
	s->state = st;
}

/* Queue one reply line (CRLF added).  Nothing once closing. */
static void lmtp_session_reply(struct lmtp_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
lmtp_session_reply(struct lmtp_session *s, const char *fmt, ...)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	char code[4];
	va_list ap, ap2;

	if (s->closing)
		return;
	va_start(ap, fmt);
	/* Its code, counted for GET /metrics (service/metrics.h). */
	va_copy(ap2, ap);
	(void)vsnprintf(code, sizeof(code), fmt, ap2);
	va_end(ap2);
	metrics_lmtp_reply(code, strlen(code));
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\r\n", 2);
}

static void
lmtp_session_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lmtp_session *s = arg;

	(void)fd;
	(void)what;
	lmtp_session_free(&s);
}

/* Schedule the free (never inside a callback that uses s afterwards). */
static void
lmtp_session_reap(struct lmtp_session *s)
{
	if (s->reaping)
		return;
	s->reaping = true;
	s->closing = true;
	bufferevent_disable(s->bev, EV_READ | EV_WRITE);
	event_active(s->reaper, 0, 0);
}

/*
 * Close the session: read nothing more, free it once the replies already
 * queued have reached the socket.  A message with a worker is not waited
 * for: its completion finds the session gone.
 */
static void
lmtp_session_close(struct lmtp_session *s)
{
	if (s->closing)
		return;
	lmtp_session_enter_state(s, LMTP_STATE_CLOSING);
	s->closing = true;
	bufferevent_disable(s->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(s->bev)) == 0)
		lmtp_session_reap(s);
	/* else lmtp_session_write_cb() reaps when the output is empty. */
}

/* Give the budget back and forget the message. */
static void
lmtp_session_drop_message(struct lmtp_session *s)
{
	if (s->msg != NULL) {
		evbuffer_free(s->msg);
		s->msg = NULL;
	}
	http_budget_release(s->env->budget, s->reserved);
	s->reserved = 0;
}

/* RSET, LHLO, and the end of every transaction (RFC 5321 4.1.1.5). */
static void
lmtp_session_reset(struct lmtp_session *s)
{
	lmtp_session_drop_message(s);
	s->nrcpt = 0;
	s->hint[0] = '\0';
	s->has_size = false;
	s->size = 0;
	s->msg_len = 0;
	s->line_len = 0;
	s->long_lines = 0;
	s->too_large = false;
	s->over_budget = false;
	s->pos = LMTP_DATA_BOL;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

/* 503 unless the session is in one of the states of the mask. */
static bool
lmtp_check_state(struct lmtp_session *s, unsigned mask, const char *what)
{
	if (mask & (1u << s->state))
		return true;
	lmtp_session_reply(s, "503 5.5.1 %s", what);
	return false;
}

#define ST(x) (1u << LMTP_STATE_##x)

/* Argument errors common to every verb. */
static bool
lmtp_check_args(struct lmtp_session *s, enum lmtp_command_status st,
    bool mail)
{
	switch (st) {
	case LMTP_COMMAND_OK:
		return true;
	case LMTP_COMMAND_BAD_PARAM:
		lmtp_session_reply(s, "555 5.5.4 Unsupported or malformed "
		    "parameter");
		return false;
	case LMTP_COMMAND_PATH_TOO_LONG:
		lmtp_session_reply(s, "501 %s Path too long",
		    mail ? "5.1.7" : "5.1.3");
		return false;
	default:
		lmtp_session_reply(s, "501 5.5.4 Syntax error in arguments");
		return false;
	}
}

static bool
lmtp_check_lhlo(struct lmtp_session *s, const struct lmtp_command *c,
    enum lmtp_command_status st)
{
	(void)c;
	return lmtp_check_state(s, ST(GREETED) | ST(READY) | ST(MAIL) |
	    ST(RCPT), "Bad sequence of commands") &&
	    lmtp_check_args(s, st, false);
}

/* RFC 2033 4.1: LHLO; RFC 5321 4.1.4: it also resets the transaction. */
static void
lmtp_proceed_lhlo(struct lmtp_session *s, const struct lmtp_command *c)
{
	(void)c;
	lmtp_session_reset(s);
	s->lhlo_done = true;
	lmtp_session_enter_state(s, LMTP_STATE_READY);
	lmtp_session_reply(s, "250-%s", lmtp_server_hostname(s->srv));
	lmtp_session_reply(s, "250-PIPELINING");
	lmtp_session_reply(s, "250-ENHANCEDSTATUSCODES");
	lmtp_session_reply(s, "250-8BITMIME");
	lmtp_session_reply(s, "250 SIZE %llu",
	    (unsigned long long)s->env->cfg->mail_max);
}

/* HELO and EHLO are SMTP's; an LMTP server answers only LHLO. */
static bool
lmtp_check_helo(struct lmtp_session *s, const struct lmtp_command *c,
    enum lmtp_command_status st)
{
	(void)c;
	(void)st;
	lmtp_session_reply(s, "500 5.5.1 This is LMTP: use LHLO");
	return false;
}

static bool
lmtp_check_mail(struct lmtp_session *s, const struct lmtp_command *c,
    enum lmtp_command_status st)
{
	if (s->state == LMTP_STATE_MAIL || s->state == LMTP_STATE_RCPT) {
		lmtp_session_reply(s, "503 5.5.1 Nested MAIL command");
		return false;
	}
	if (!lmtp_check_state(s, ST(READY), s->lhlo_done ?
	    "Bad sequence of commands" : "Send LHLO first") ||
	    !lmtp_check_args(s, st, true))
		return false;
	/* RFC 1870 6.1: refuse at MAIL what would be refused after DATA. */
	if (c->has_size && c->size > s->env->cfg->mail_max) {
		lmtp_session_reply(s, "552 5.3.4 Message size exceeds the "
		    "limit of %llu bytes",
		    (unsigned long long)s->env->cfg->mail_max);
		return false;
	}
	return true;
}

static void
lmtp_proceed_mail(struct lmtp_session *s, const struct lmtp_command *c)
{
	lmtp_session_reset(s);
	s->has_size = c->has_size;
	s->size = c->size;
	lmtp_session_enter_state(s, LMTP_STATE_MAIL);
	lmtp_session_reply(s, "250 2.1.0 Sender ok");
}

static bool
lmtp_check_rcpt(struct lmtp_session *s, const struct lmtp_command *c,
    enum lmtp_command_status st)
{
	(void)c;
	if (!lmtp_check_state(s, ST(MAIL) | ST(RCPT), "Need MAIL before "
	    "RCPT") || !lmtp_check_args(s, st, false))
		return false;
	if (s->nrcpt >= LMTP_RCPT_MAX) {
		lmtp_session_reply(s, "452 4.5.3 Too many recipients");
		return false;
	}
	return true;
}

static void
lmtp_proceed_rcpt(struct lmtp_session *s, const struct lmtp_command *c)
{
	char code[LMTP_HINT_MAX];
	int kind = mail_intake_recipient(s->env->cfg, c->path, code,
	    sizeof(code));

	if (kind < 0) {
		lmtp_session_reply(s, "550 5.1.1 No such recipient here");
		return;
	}
	if (kind == 1 && s->hint[0] == '\0')
		snprintf(s->hint, sizeof(s->hint), "%s", code);
	s->nrcpt++;
	lmtp_session_enter_state(s, LMTP_STATE_RCPT);
	lmtp_session_reply(s, "250 2.1.5 Recipient ok");
}

/*
 * The budget a message takes at DATA: its declared SIZE (RFC 1870) when
 * given, else one LMTP_BUDGET_STEP; it grows as the message does.
 */
static uint64_t
lmtp_session_data_reserve(const struct lmtp_session *s)
{
	uint64_t need = LMTP_BUDGET_STEP;

	if (s->has_size && s->size <= s->env->cfg->mail_max &&
	    s->size > need)
		need = s->size;
	return need;
}

static bool
lmtp_check_data(struct lmtp_session *s, const struct lmtp_command *c,
    enum lmtp_command_status st)
{
	struct http_budget *b = s->env->budget;
	uint64_t need = lmtp_session_data_reserve(s);

	(void)c;
	if (s->state == LMTP_STATE_MAIL) {
		lmtp_session_reply(s, "503 5.5.1 No valid recipients");
		return false;
	}
	if (!lmtp_check_state(s, ST(RCPT), "Need MAIL and RCPT before DATA") ||
	    !lmtp_check_args(s, st, false))
		return false;
	if (b != NULL && b->used + need > b->max) {
		log_warnx("lmtp session=%llu: in-flight budget exhausted "
		    "(used=%llu max=%llu)", (unsigned long long)s->id,
		    (unsigned long long)b->used, (unsigned long long)b->max);
		lmtp_session_reply(s, "451 4.3.1 Too many messages in progress,"
		    " try again later");
		return false;
	}
	return true;
}

static void
lmtp_proceed_data(struct lmtp_session *s, const struct lmtp_command *c)
{
	struct http_budget *b = s->env->budget;
	uint64_t need = lmtp_session_data_reserve(s);

	(void)c;
	if ((s->msg = evbuffer_new()) == NULL) {
		lmtp_session_reply(s, "451 4.3.0 Out of memory, try again "
		    "later");
		return;
	}
	if (b != NULL)
		b->used += need;
	s->reserved = need;
	s->msg_len = 0;
	s->line_len = 0;
	s->pos = LMTP_DATA_BOL;
	lmtp_session_enter_state(s, LMTP_STATE_DATA);
	lmtp_session_reply(s, "354 Start mail input; end with <CRLF>.<CRLF>");
}

static bool
lmtp_check_any(struct lmtp_session *s, const struct lmtp_command *c,
    enum lmtp_command_status st)
{
	(void)c;
	return lmtp_check_args(s, st, false);
}

static void
lmtp_proceed_rset(struct lmtp_session *s, const struct lmtp_command *c)
{
	(void)c;
	lmtp_session_reset(s);
	if (s->lhlo_done)
		lmtp_session_enter_state(s, LMTP_STATE_READY);
	lmtp_session_reply(s, "250 2.0.0 Ok");
}

static void
lmtp_proceed_noop(struct lmtp_session *s, const struct lmtp_command *c)
{
	(void)c;
	lmtp_session_reply(s, "250 2.0.0 Ok");
}

static void
lmtp_proceed_vrfy(struct lmtp_session *s, const struct lmtp_command *c)
{
	(void)c;
	lmtp_session_reply(s, "252 2.5.2 Cannot VRFY; send the message");
}

static void
lmtp_proceed_quit(struct lmtp_session *s, const struct lmtp_command *c)
{
	(void)c;
	lmtp_session_reply(s, "221 2.0.0 Bye");
	lmtp_session_close(s);
}

static const struct lmtp_command_def lmtp_commands[] = {
	{ LMTP_VERB_LHLO, lmtp_check_lhlo, lmtp_proceed_lhlo },
	{ LMTP_VERB_HELO, lmtp_check_helo, NULL },
	{ LMTP_VERB_EHLO, lmtp_check_helo, NULL },
	{ LMTP_VERB_MAIL, lmtp_check_mail, lmtp_proceed_mail },
	{ LMTP_VERB_RCPT, lmtp_check_rcpt, lmtp_proceed_rcpt },
	{ LMTP_VERB_DATA, lmtp_check_data, lmtp_proceed_data },
	{ LMTP_VERB_RSET, lmtp_check_any, lmtp_proceed_rset },
	{ LMTP_VERB_NOOP, lmtp_check_any, lmtp_proceed_noop },
	{ LMTP_VERB_VRFY, lmtp_check_any, lmtp_proceed_vrfy },
	{ LMTP_VERB_QUIT, lmtp_check_any, lmtp_proceed_quit },
};

/* One command line (CRLF removed). */
static void
lmtp_session_command(struct lmtp_session *s, const char *line, size_t len)
{
	struct lmtp_command cmd;
	enum lmtp_command_status st = lmtp_command_parse(line, len, &cmd);
	const struct lmtp_command_def *def = NULL;

	if (lmtp_server_is_stopping(s->srv)) {
		lmtp_session_reply(s, "421 4.3.2 Service shutting down, try "
		    "again later");
		lmtp_session_close(s);
		return;
	}
	switch (st) {
	case LMTP_COMMAND_EMPTY:
		lmtp_session_reply(s, "500 5.5.2 Empty command");
		return;
	case LMTP_COMMAND_TOO_LONG:
		lmtp_session_reply(s, "500 5.5.2 Line too long");
		return;
	case LMTP_COMMAND_BAD_CHAR:
		lmtp_session_reply(s, "500 5.5.2 Syntax error (bad "
		    "characters)");
		return;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof(lmtp_commands) /
	    sizeof(lmtp_commands[0]); i++)
		if (lmtp_commands[i].verb == cmd.verb)
			def = &lmtp_commands[i];
	if (def == NULL || cmd.verb == LMTP_VERB_UNKNOWN) {
		lmtp_session_reply(s, "500 5.5.2 Command unrecognized");
		return;
	}
	log_debug("lmtp session=%llu command=%s", (unsigned long long)s->id,
	    lmtp_command_verb_name(cmd.verb));
	if (def->check(s, &cmd, st) && def->proceed != NULL)
		def->proceed(s, &cmd);
}

/* ------------------------------------------------------------------ */
/* DATA                                                                */

/*
 * Keep p[0..n) of the message, unless a cap already threw it away.  The
 * budget grows in LMTP_BUDGET_STEP steps as the message does.
 */
static void
lmtp_session_keep(struct lmtp_session *s, const void *p, size_t n)
{
	struct http_budget *b = s->env->budget;

	if (n == 0)
		return;
	s->msg_len += n;
	if (s->too_large || s->over_budget)
		return;
	if (s->msg_len > s->env->cfg->mail_max) {
		s->too_large = true;
		evbuffer_drain(s->msg, evbuffer_get_length(s->msg));
		return;
	}
	if (s->msg_len > s->reserved) {
		uint64_t need = s->msg_len - s->reserved;

		need = (need + LMTP_BUDGET_STEP - 1) / LMTP_BUDGET_STEP *
		    LMTP_BUDGET_STEP;
		if (b != NULL && b->used + need > b->max) {
			s->over_budget = true;
			evbuffer_drain(s->msg, evbuffer_get_length(s->msg));
			return;
		}
		if (b != NULL)
			b->used += need;
		s->reserved += need;
	}
	if (evbuffer_add(s->msg, p, n) != 0) {
		/* Out of memory: the same answer as an exhausted budget. */
		s->over_budget = true;
		evbuffer_drain(s->msg, evbuffer_get_length(s->msg));
	}
}

/* A line of the message ended (at its CRLF): check its length. */
static void
lmtp_session_line_end(struct lmtp_session *s)
{
	if (s->line_len > LMTP_DATA_LINE_MAX)
		s->long_lines++;
	s->line_len = 0;
}

/*
 * The DATA machine over one contiguous piece p[0..len) of the input.
 * Returns the bytes read; sets *done at the final "CRLF.CRLF" (the bytes
 * after it are the next command's).  Only CRLF ends a line (RFC 5321
 * 2.3.8, 4.1.1.4); a leading dot is unstuffed (4.5.2).
 */
static size_t
lmtp_session_data_chunk(struct lmtp_session *s, const unsigned char *p,
    size_t len, bool *done)
{
	size_t run = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		s->line_len++;
		switch (s->pos) {
		case LMTP_DATA_BOL:
			if (c == '.') {
				/* Hold it: stuffing or the end. */
				lmtp_session_keep(s, p + run, i - run);
				run = i + 1;
				s->pos = LMTP_DATA_BOL_DOT;
			} else {
				s->pos = c == '\r' ? LMTP_DATA_CR :
				    LMTP_DATA_MID;
			}
			break;
		case LMTP_DATA_BOL_DOT:
			/* The held dot is dropped: stuffing, unless
			 * "\r\n" follows and it is the end. */
			if (c == '\r') {
				run = i + 1;
				s->pos = LMTP_DATA_BOL_DOT_CR;
			} else {
				s->pos = LMTP_DATA_MID;
			}
			break;
		case LMTP_DATA_BOL_DOT_CR:
			if (c == '\n') {
				*done = true;
				return i + 1;
			}
			/* ".\r" then something else: the dot was stuffing,
			 * the held CR is data. */
			lmtp_session_keep(s, "\r", 1);
			s->pos = c == '\r' ? LMTP_DATA_CR : LMTP_DATA_MID;
			break;
		case LMTP_DATA_MID:
			if (c == '\r')
				s->pos = LMTP_DATA_CR;
			break;
		case LMTP_DATA_CR:
			if (c == '\n') {
				lmtp_session_line_end(s);
				s->pos = LMTP_DATA_BOL;
			} else if (c != '\r') {
				s->pos = LMTP_DATA_MID;
			}
			break;
		}
	}
	lmtp_session_keep(s, p + run, len - run);
	return len;
}

/*
 * Run the DATA machine over in's bytes; consume what it read.  Returns
 * true when the final "CRLF.CRLF" was read (the rest of in is the next
 * command).
 */
static bool
lmtp_session_data(struct lmtp_session *s, struct evbuffer *in)
{
	struct evbuffer_iovec vec[16];
	bool done = false;

	while (!done && evbuffer_get_length(in) > 0) {
		size_t consumed = 0;
		int n = evbuffer_peek(in, -1, NULL, vec, 16);

		if (n > 16)
			n = 16;
		for (int v = 0; v < n && !done; v++)
			consumed += lmtp_session_data_chunk(s, vec[v].iov_base,
			    vec[v].iov_len, &done);
		evbuffer_drain(in, consumed);
	}
	return done;
}

/* Whether the message holds nothing but white space. */
static bool
lmtp_session_message_empty(struct lmtp_session *s)
{
	const unsigned char *p;
	size_t len = evbuffer_get_length(s->msg);

	if (len == 0)
		return true;
	if (len > 4096)
		return false;
	p = evbuffer_pullup(s->msg, -1);
	for (size_t i = 0; p != NULL && i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n')
			return false;
	return true;
}

/* The same reply to every accepted recipient (RFC 2033 4.2). */
static void
lmtp_session_reply_all(struct lmtp_session *s, const char *reply)
{
	for (size_t i = 0; i < s->nrcpt; i++)
		lmtp_session_reply(s, "%s", reply);
}

/* Worker: store the message (one intake pipeline for every door). */
static void
lmtp_session_work(void *state, void *arg)
{
	struct lmtp_job *j = arg;
	size_t len = evbuffer_get_length(j->msg);
	const unsigned char *data = evbuffer_pullup(j->msg, -1);

	if (data == NULL && len > 0) {
		j->nomem = true;
		return;
	}
	mail_intake_submit(state, data, len, j->hint[0] ? j->hint : NULL,
	    &j->res);
}

static void
lmtp_job_free(struct lmtp_job *j)
{
	if (j == NULL)
		return;
	if (j->msg != NULL)
		evbuffer_free(j->msg);
	free(j);
}

/* The replies to a stored (or refused) message. */
static void
lmtp_session_delivered(struct lmtp_session *s, struct lmtp_job *j)
{
	const struct intake_result *res = &j->res;
	char reply[160];

	if (j->nomem) {
		snprintf(reply, sizeof(reply), "451 4.3.0 Out of memory, try "
		    "again later");
	} else {
		switch (res->status) {
		case INTAKE_OK:
			snprintf(reply, sizeof(reply), "250 2.0.0 %s %s",
			    res->id, res->duplicate ? "already stored" :
			    "stored");
			break;
		case INTAKE_TOO_LARGE:
			snprintf(reply, sizeof(reply), "552 5.3.4 Message too "
			    "large");
			break;
		case INTAKE_INVALID:
			snprintf(reply, sizeof(reply), "554 5.6.0 Message "
			    "refused: it is empty");
			break;
		default:
			/* Transient, or a fault here: the MTA keeps the
			 * message and retries; nothing is lost. */
			if (res->status == INTAKE_TRANSIENT && res->no_space)
				snprintf(reply, sizeof(reply), "452 4.3.1 "
				    "Insufficient system storage, try again "
				    "later");
			else
				snprintf(reply, sizeof(reply), "451 4.3.0 The "
				    "message could not be stored just now, try "
				    "again later");
			break;
		}
	}
	log_info("lmtp session=%llu delivered rcpts=%zu status=%.3s%s%s",
	    (unsigned long long)s->id, s->nrcpt, reply,
	    res->status == INTAKE_OK ? " tip=" : "",
	    res->status == INTAKE_OK ? res->id : "");
	lmtp_session_reply_all(s, reply);
	s->messages++;
}

/* Loop thread: the worker is done with a message. */
static void
lmtp_session_done(void *arg)
{
	struct lmtp_job *j = arg;
	struct lmtp_wait *w = lmtp_server_wait_pop(j->srv, j->wait.id);
	struct lmtp_session *s;

	http_budget_release(j->budget, j->reserved);
	j->reserved = 0;
	if (w == NULL) {
		log_warnx("lmtp: BUG: no session waits for job %llu",
		    (unsigned long long)j->wait.id);
		lmtp_job_free(j);
		return;
	}
	if ((s = w->session) == NULL) {
		/* Normal: the client went away meanwhile.  A stored tip is
		 * found again if the MTA retries (same message, one tip). */
		log_info("lmtp job=%llu done, client gone status=%d",
		    (unsigned long long)j->wait.id, (int)j->res.status);
		lmtp_job_free(j);
		return;
	}
	s->job_id = 0;
	lmtp_session_delivered(s, j);
	lmtp_job_free(j);
	lmtp_session_reset(s);
	lmtp_session_enter_state(s, LMTP_STATE_READY);
	if (s->expired) {
		lmtp_session_reply(s, "421 4.4.2 Session time limit reached");
		lmtp_session_close(s);
		return;
	}
	/* Commands the client pipelined after the dot. */
	lmtp_session_process(s);
	if (s->closing || s->state == LMTP_STATE_DELIVER)
		return;
	if (s->eof)
		lmtp_session_close(s);
	else if (!s->throttled)
		bufferevent_enable(s->bev, EV_READ);
}

/* The final dot: answer now, or hand the message to a worker. */
static void
lmtp_session_end_of_data(struct lmtp_session *s)
{
	struct lmtp_job *j;
	uint64_t id;

	if (s->long_lines > 0)
		log_info("lmtp session=%llu: %zu lines longer than %d bytes",
		    (unsigned long long)s->id, s->long_lines,
		    LMTP_DATA_LINE_MAX);
	if (s->too_large || s->over_budget ||
	    lmtp_session_message_empty(s)) {
		log_info("lmtp session=%llu refused bytes=%llu reason=%s",
		    (unsigned long long)s->id,
		    (unsigned long long)s->msg_len, s->too_large ? "size" :
		    s->over_budget ? "budget" : "empty");
		lmtp_session_reply_all(s, s->too_large ? "552 5.3.4 Message "
		    "too large" : s->over_budget ? "451 4.3.1 Too many "
		    "messages in progress, try again later" : "554 5.6.0 "
		    "Message refused: it is empty");
		lmtp_session_reset(s);
		lmtp_session_enter_state(s, LMTP_STATE_READY);
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		lmtp_session_reply_all(s, "451 4.3.0 Out of memory, try again "
		    "later");
		lmtp_session_reset(s);
		lmtp_session_enter_state(s, LMTP_STATE_READY);
		return;
	}
	j->srv = s->srv;
	j->budget = s->env->budget;
	j->msg = s->msg;
	j->reserved = s->reserved;
	snprintf(j->hint, sizeof(j->hint), "%s", s->hint);
	id = workers_submit(s->env->workers, lmtp_session_work,
	    lmtp_session_done, j);
	if (id == 0) {
		j->msg = NULL;		/* still the session's */
		j->reserved = 0;
		lmtp_job_free(j);
		lmtp_session_reply_all(s, "451 4.3.0 Out of memory, try again "
		    "later");
		lmtp_session_reset(s);
		lmtp_session_enter_state(s, LMTP_STATE_READY);
		return;
	}
	/* The job owns the message and the budget now.  Its completion
	 * cannot run before this function returns (same thread). */
	s->msg = NULL;
	s->reserved = 0;
	j->wait.id = id;
	j->wait.session = s;
	lmtp_server_wait_insert(s->srv, &j->wait);
	s->job_id = id;
	lmtp_session_enter_state(s, LMTP_STATE_DELIVER);
	bufferevent_disable(s->bev, EV_READ);
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

/*
 * Work through the input buffer: DATA bytes, or one command line at a
 * time.  Stops while a message is with a worker, while too many replies
 * wait to be written, or when closing.
 */
static void
lmtp_session_process(struct lmtp_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	char line[LMTP_COMMAND_LINE_MAX + 1];

	while (!s->closing && s->state != LMTP_STATE_DELIVER) {
		struct evbuffer_ptr eol;
		size_t eol_len = 0;

		if (evbuffer_get_length(bufferevent_get_output(s->bev)) >
		    LMTP_OUTPUT_MAX) {
			/* A client that sends without reading replies. */
			s->throttled = true;
			bufferevent_disable(s->bev, EV_READ);
			return;
		}
		if (s->state == LMTP_STATE_DATA) {
			if (!lmtp_session_data(s, in))
				return;
			lmtp_session_end_of_data(s);
			continue;
		}
		if (evbuffer_get_length(in) == 0)
			return;
		eol = evbuffer_search_eol(in, NULL, &eol_len,
		    EVBUFFER_EOL_CRLF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) <=
			    LMTP_COMMAND_LINE_MAX + 1)
				return;		/* wait for the rest */
			eol.pos = LMTP_COMMAND_LINE_MAX + 1;
		}
		if ((size_t)eol.pos > LMTP_COMMAND_LINE_MAX) {
			/* Out of step with the client: say so and hang up
			 * rather than read the rest as commands. */
			lmtp_session_reply(s, "500 5.5.2 Line too long");
			lmtp_session_close(s);
			return;
		}
		evbuffer_remove(in, line, (size_t)eol.pos);
		evbuffer_drain(in, eol_len);
		line[eol.pos] = '\0';
		lmtp_session_command(s, line, (size_t)eol.pos);
	}
}

static void
lmtp_session_read_cb(struct bufferevent *bev, void *arg)
{
	struct lmtp_session *s = arg;

	(void)bev;
	lmtp_session_process(s);
}

static void
lmtp_session_write_cb(struct bufferevent *bev, void *arg)
{
	struct lmtp_session *s = arg;

	(void)bev;
	/* The output is empty (the default low-water mark is 0). */
	if (s->closing) {
		lmtp_session_reap(s);
		return;
	}
	if (s->throttled) {
		s->throttled = false;
		if (s->state != LMTP_STATE_DELIVER && !s->eof)
			bufferevent_enable(s->bev, EV_READ);
		lmtp_session_process(s);
	}
}

static void
lmtp_session_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct lmtp_session *s = arg;

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		s->eof = true;
		if (s->state == LMTP_STATE_DATA) {
			/* Dropped mid-message: nothing was promised, nothing
			 * is stored; the MTA will send it again. */
			log_info("lmtp session=%llu: connection closed during "
			    "DATA after %llu bytes", (unsigned long long)s->id,
			    (unsigned long long)s->msg_len);
			lmtp_session_reap(s);
		} else if (s->state != LMTP_STATE_DELIVER) {
			/* Answer what was already read, then go (after the
			 * replies to a message the input still held). */
			lmtp_session_process(s);
			if (s->state != LMTP_STATE_DELIVER)
				lmtp_session_close(s);
		}
		/* DELIVER: the completion replies and closes. */
		return;
	}
	if ((what & BEV_EVENT_TIMEOUT) && (what & BEV_EVENT_READING) &&
	    !s->closing) {
		log_info("lmtp session=%llu idle timeout",
		    (unsigned long long)s->id);
		lmtp_session_reply(s, "421 4.4.2 Idle timeout, closing");
		lmtp_session_close(s);
		/* The write side must run for the 421 to leave. */
		bufferevent_enable(s->bev, EV_WRITE);
		return;
	}
	/* An error, or a client that does not read its replies. */
	lmtp_session_reap(s);
}

static void
lmtp_session_expire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lmtp_session *s = arg;

	(void)fd;
	(void)what;
	if (s->closing)
		return;
	if (s->state == LMTP_STATE_DELIVER) {
		s->expired = true;	/* replies first, then 421 */
		return;
	}
	log_info("lmtp session=%llu session time limit",
	    (unsigned long long)s->id);
	lmtp_session_reply(s, "421 4.4.2 Session time limit reached");
	lmtp_session_close(s);
}

struct lmtp_session *
lmtp_session_new(struct lmtp_server *srv, evutil_socket_t fd, size_t slot,
    uint64_t id)
{
	const struct lmtp_server_env *env = lmtp_server_env(srv);
	struct lmtp_session *s = calloc(1, sizeof(*s));
	struct timeval idle = { env->idle_timeout_sec > 0 ?
	    env->idle_timeout_sec : LMTP_IDLE_TIMEOUT_SEC, 0 };
	struct timeval wr = { LMTP_WRITE_TIMEOUT_SEC, 0 };
	struct timeval life = { env->session_timeout_sec > 0 ?
	    env->session_timeout_sec : LMTP_SESSION_TIMEOUT_SEC, 0 };

	if (s == NULL) {
		evutil_closesocket(fd);
		return NULL;
	}
	s->srv = srv;
	s->env = env;
	s->slot = slot;
	s->id = id;
	s->state = LMTP_STATE_GREETED;
	s->bev = bufferevent_socket_new(env->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL) {
		evutil_closesocket(fd);
		free(s);
		return NULL;
	}
	s->expire = evtimer_new(env->base, lmtp_session_expire_cb, s);
	s->reaper = event_new(env->base, -1, 0, lmtp_session_reap_cb, s);
	if (s->expire == NULL || s->reaper == NULL ||
	    evtimer_add(s->expire, &life) != 0) {
		if (s->expire != NULL)
			event_free(s->expire);
		if (s->reaper != NULL)
			event_free(s->reaper);
		bufferevent_free(s->bev);
		free(s);
		return NULL;
	}
	bufferevent_setcb(s->bev, lmtp_session_read_cb, lmtp_session_write_cb,
	    lmtp_session_event_cb, s);
	bufferevent_set_timeouts(s->bev, &idle, &wr);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	log_debug("lmtp session=%llu connected", (unsigned long long)id);
	/* RFC 2033 4.1 / RFC 5321 4.2: the greeting. */
	lmtp_session_reply(s, "220 %s LMTP tipline ready",
	    lmtp_server_hostname(srv));
	return s;
}

bool
lmtp_session_is_busy(const struct lmtp_session *s)
{
	if (s == NULL || s->reaping)
		return false;
	/* A message being received counts too, as an HTTP body does: the
	 * drain lets it finish (bounded by the timeouts and the drain's
	 * own limit). */
	return s->job_id != 0 || s->state == LMTP_STATE_DATA ||
	    (s->messages > 0 && !s->eof &&
	    evbuffer_get_length(bufferevent_get_output(s->bev)) > 0);
}

void
lmtp_session_free(struct lmtp_session **sp)
{
	struct lmtp_session *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	if (s->job_id != 0) {
		struct lmtp_wait *w = lmtp_server_wait_find(s->srv, s->job_id);

		/* The job still runs; its completion finds no session. */
		if (w != NULL)
			w->session = NULL;
	}
	lmtp_session_drop_message(s);
	if (s->expire != NULL)
		event_free(s->expire);
	if (s->reaper != NULL)
		event_free(s->reaper);
	if (s->bev != NULL)
		bufferevent_free(s->bev);
	log_debug("lmtp session=%llu closed messages=%zu",
	    (unsigned long long)s->id, s->messages);
	lmtp_server_session_gone(s->srv, s->slot);
	free(s);
	*sp = NULL;
}
