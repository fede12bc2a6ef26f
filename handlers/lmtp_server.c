/* SPDX-License-Identifier: MIT */
/*
 * The LMTP listener (see lmtp_server.h): an evconnlistener on the loop
 * thread, a fixed array of LMTP_SESSIONS_MAX session slots, and the table
 * of messages waiting for a worker (a short singly linked list: one entry
 * per message being stored, so its length is bounded by the sessions and
 * the in-flight budget).
 *
 * Accepting pauses when every slot is taken and resumes when a session
 * ends; on EMFILE/ENFILE it pauses for LMTP_ACCEPT_PAUSE_MS, as a busy
 * server must not spin on a listener it cannot serve (httpd
 * server_accept()).
 */
#include "handlers/lmtp_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "handlers/lmtp_session.h"
#include "service/config.h"
#include "service/log.h"

#define LMTP_ACCEPT_PAUSE_MS 1000

struct lmtp_server {
	struct lmtp_server_env env;
	struct evconnlistener *listener;
	struct event *resume;		/* accept again after EMFILE */
	struct lmtp_session *sessions[LMTP_SESSIONS_MAX];
	size_t nsessions;
	bool paused_full;		/* every slot taken */
	bool paused_emfile;		/* out of descriptors */
	bool stopping;
	uint64_t next_id;
	struct lmtp_wait *waits;
	char hostname[256];
};

const struct lmtp_server_env *
lmtp_server_env(const struct lmtp_server *s)
{
	return &s->env;
}

const char *
lmtp_server_hostname(const struct lmtp_server *s)
{
	return s->hostname;
}

bool
lmtp_server_is_stopping(const struct lmtp_server *s)
{
	return s->stopping;
}

/* Accept again if nothing holds accepting off. */
static void
lmtp_server_maybe_resume(struct lmtp_server *s)
{
	if (s->listener == NULL || s->stopping || s->paused_emfile ||
	    s->nsessions >= LMTP_SESSIONS_MAX)
		return;
	if (s->paused_full) {
		s->paused_full = false;
		evconnlistener_enable(s->listener);
	}
}

void
lmtp_server_session_gone(struct lmtp_server *s, size_t slot)
{
	if (slot < LMTP_SESSIONS_MAX && s->sessions[slot] != NULL) {
		s->sessions[slot] = NULL;
		s->nsessions--;
	}
	lmtp_server_maybe_resume(s);
}

void
lmtp_server_wait_insert(struct lmtp_server *s, struct lmtp_wait *w)
{
	w->next = s->waits;
	s->waits = w;
}

struct lmtp_wait *
lmtp_server_wait_find(struct lmtp_server *s, uint64_t id)
{
	for (struct lmtp_wait *w = s->waits; w != NULL; w = w->next)
		if (w->id == id)
			return w;
	return NULL;
}

struct lmtp_wait *
lmtp_server_wait_pop(struct lmtp_server *s, uint64_t id)
{
	for (struct lmtp_wait **pp = &s->waits; *pp != NULL;
	    pp = &(*pp)->next) {
		struct lmtp_wait *w = *pp;

		if (w->id == id) {
			*pp = w->next;
			w->next = NULL;
			return w;
		}
	}
	return NULL;
}

static void
lmtp_server_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct lmtp_server *s = arg;
	size_t slot;

	(void)l;
	(void)sa;
	(void)salen;
	if (s->stopping || s->nsessions >= LMTP_SESSIONS_MAX) {
		evutil_closesocket(fd);
		return;
	}
	for (slot = 0; slot < LMTP_SESSIONS_MAX; slot++)
		if (s->sessions[slot] == NULL)
			break;
	/* The slot is taken before the session exists: its greeting may
	 * fail and free it at once, which gives the slot back. */
	s->nsessions++;
	s->sessions[slot] = lmtp_session_new(s, fd, slot, ++s->next_id);
	if (s->sessions[slot] == NULL) {
		s->nsessions--;
		log_warnx("lmtp: cannot start a session (out of memory)");
		return;
	}
	if (s->nsessions >= LMTP_SESSIONS_MAX && !s->paused_full) {
		log_warnx("lmtp: %d sessions open, not accepting for now",
		    LMTP_SESSIONS_MAX);
		s->paused_full = true;
		evconnlistener_disable(s->listener);
	}
}

static void
lmtp_server_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lmtp_server *s = arg;

	(void)fd;
	(void)what;
	s->paused_emfile = false;
	if (s->listener != NULL && !s->stopping && !s->paused_full)
		evconnlistener_enable(s->listener);
	lmtp_server_maybe_resume(s);
}

static void
lmtp_server_accept_error(struct evconnlistener *l, void *arg)
{
	struct lmtp_server *s = arg;
	struct timeval pause = { LMTP_ACCEPT_PAUSE_MS / 1000,
	    (LMTP_ACCEPT_PAUSE_MS % 1000) * 1000 };
	int err = EVUTIL_SOCKET_ERROR();

	(void)l;
	if (err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM) {
		log_warnx("lmtp: accept: %s; pausing for %d ms",
		    evutil_socket_error_to_string(err), LMTP_ACCEPT_PAUSE_MS);
		s->paused_emfile = true;
		evconnlistener_disable(s->listener);
		evtimer_add(s->resume, &pause);
		return;
	}
	/* ECONNABORTED and the like: the next accept may work. */
	log_warnx("lmtp: accept: %s", evutil_socket_error_to_string(err));
}

/* "ADDR:PORT" of the bound socket. */
static int
lmtp_server_bound(evutil_socket_t fd, char *bound, size_t boundlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char abuf[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
		return -1;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, abuf, sizeof(abuf));
		snprintf(bound, boundlen, "[%s]:%u", abuf,
		    ntohs(a->sin6_port));
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, abuf, sizeof(abuf));
		snprintf(bound, boundlen, "%s:%u", abuf, ntohs(a->sin_port));
	}
	return 0;
}

struct lmtp_server *
lmtp_server_start(const struct lmtp_server_env *env, const char *listen,
    char *bound, size_t boundlen, char *err, size_t errlen)
{
	struct lmtp_server *s = NULL;
	struct evutil_addrinfo hints, *ai = NULL;
	char host[256], portstr[8];
	uint16_t port;
	int rc;

	if (config_split_listen(listen, host, sizeof(host), &port) != 0) {
		snprintf(err, errlen, "bad LMTP listen address \"%s\"", listen);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->env = *env;
	if (gethostname(s->hostname, sizeof(s->hostname)) != 0 ||
	    s->hostname[0] == '\0')
		snprintf(s->hostname, sizeof(s->hostname), "localhost");
	s->hostname[sizeof(s->hostname) - 1] = '\0';
	/* The name goes on the wire: keep it to a plain token. */
	for (char *p = s->hostname; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			*p = '-';

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
	snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
	rc = evutil_getaddrinfo(host, portstr, &hints, &ai);
	if (rc != 0 || ai == NULL) {
		snprintf(err, errlen, "cannot resolve LMTP listen address %s: "
		    "%s", listen, evutil_gai_strerror(rc));
		goto fail;
	}
	if ((s->resume = evtimer_new(env->base, lmtp_server_resume_cb, s)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->listener = evconnlistener_new_bind(env->base, lmtp_server_accept,
	    s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	    LEV_OPT_CLOSE_ON_EXEC, -1, ai->ai_addr, (int)ai->ai_addrlen);
	if (s->listener == NULL) {
		snprintf(err, errlen, "cannot listen on %s (LMTP): %s", listen,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		goto fail;
	}
	evconnlistener_set_error_cb(s->listener, lmtp_server_accept_error);
	if (lmtp_server_bound(evconnlistener_get_fd(s->listener), bound,
	    boundlen) != 0) {
		snprintf(err, errlen, "cannot read the bound LMTP address");
		goto fail;
	}
	evutil_freeaddrinfo(ai);
	return s;
fail:
	if (ai != NULL)
		evutil_freeaddrinfo(ai);
	lmtp_server_free(&s);
	return NULL;
}

void
lmtp_server_stop_accepting(struct lmtp_server *s)
{
	if (s == NULL || s->stopping)
		return;
	s->stopping = true;
	if (s->listener != NULL) {
		evconnlistener_free(s->listener);
		s->listener = NULL;
	}
	if (s->resume != NULL)
		evtimer_del(s->resume);
}

size_t
lmtp_server_active(const struct lmtp_server *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (size_t i = 0; i < LMTP_SESSIONS_MAX; i++)
		if (s->sessions[i] != NULL &&
		    lmtp_session_is_busy(s->sessions[i]))
			n++;
	return n;
}

void
lmtp_server_free(struct lmtp_server **sp)
{
	struct lmtp_server *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	s->stopping = true;
	if (s->listener != NULL)
		evconnlistener_free(s->listener);
	s->listener = NULL;
	for (size_t i = 0; i < LMTP_SESSIONS_MAX; i++)
		if (s->sessions[i] != NULL) {
			struct lmtp_session *sess = s->sessions[i];

			/* Frees through lmtp_server_session_gone(). */
			lmtp_session_free(&sess);
		}
	/* Entries left belong to jobs whose completion never ran (the pool
	 * is gone); the jobs own them. */
	s->waits = NULL;
	if (s->resume != NULL)
		event_free(s->resume);
	free(s);
	*sp = NULL;
}
