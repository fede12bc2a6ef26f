/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the LMTP session's state machine and timeouts
 * (handlers/lmtp_session.c) through a real listener on 127.0.0.1 with
 * second-long timeouts, which the black-box suite cannot wait for (the
 * daemon's are 5 and 30 minutes).  A client thread talks plain blocking
 * sockets while the test's thread runs the event loop; no message reaches
 * DATA, so no worker pool is needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "handlers/http_guard.h"
#include "handlers/lmtp_server.h"
#include "service/config.h"

struct fixture {
	struct event_base *base;
	struct config cfg;
	struct http_budget budget;
	struct lmtp_server *srv;
	uint16_t port;
	void (*scenario)(struct fixture *);
	char failure[256];
};

/* ------------------------------------------------------------------ */
/* The client side (its own thread)                                    */

static int
client_connect(struct fixture *f)
{
	struct sockaddr_in sa;
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(f->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read one reply line (without CRLF) into buf; -1 on EOF or timeout. */
static int
client_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r <= 0)
			return -1;
		if (c == '\n') {
			if (n > 0 && buf[n - 1] == '\r')
				n--;
			buf[n] = '\0';
			return 0;
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* Read a whole reply (multi-line too); its last line goes to buf. */
static int
client_reply(int fd, char *buf, size_t len)
{
	do {
		if (client_line(fd, buf, len) != 0)
			return -1;
	} while (strlen(buf) > 3 && buf[3] == '-');
	return 0;
}

static void
client_send(int fd, const char *s)
{
	size_t n = strlen(s);

	if (write(fd, s, n) != (ssize_t)n)
		return;
}

#define EXPECT(f, fd, prefix) do {					\
	char line_[512];						\
	if (client_reply(fd, line_, sizeof(line_)) != 0) {		\
		snprintf((f)->failure, sizeof((f)->failure),		\
		    "line %d: no reply, wanted %s", __LINE__, prefix);	\
		goto out;						\
	}								\
	if (strncmp(line_, prefix, strlen(prefix)) != 0) {		\
		snprintf((f)->failure, sizeof((f)->failure),		\
		    "line %d: got \"%.200s\", wanted %s", __LINE__,	\
		    line_, prefix);					\
		goto out;						\
	}								\
} while (0)

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
client_sees_eof(int fd)
{
	char c;

	return read(fd, &c, 1) == 0;
}

static void
scenario_commands(struct fixture *f)
{
	int fd = client_connect(f);

	if (fd < 0) {
		snprintf(f->failure, sizeof(f->failure), "cannot connect");
		return;
	}
	EXPECT(f, fd, "220 ");
	client_send(fd, "HELO x\r\n");
	EXPECT(f, fd, "500 5.5.1");
	client_send(fd, "EHLO x\r\n");
	EXPECT(f, fd, "500 5.5.1");
	client_send(fd, "MAIL FROM:<a@b>\r\n");
	EXPECT(f, fd, "503 5.5.1");
	client_send(fd, "LHLO x\r\n");
	EXPECT(f, fd, "250 SIZE ");
	client_send(fd, "RCPT TO:<tips@localhost>\r\n");
	EXPECT(f, fd, "503 5.5.1");
	client_send(fd, "MAIL FROM:<a@b> SIZE=999999999999\r\n");
	EXPECT(f, fd, "552 5.3.4");
	client_send(fd, "MAIL FROM:<a@b> FOO=1\r\n");
	EXPECT(f, fd, "555 5.5.4");
	client_send(fd, "MAIL FROM:<a@b>\r\n");
	EXPECT(f, fd, "250 2.1.0");
	client_send(fd, "DATA\r\n");
	EXPECT(f, fd, "503 5.5.1");
	client_send(fd, "RCPT TO:<nobody@nowhere.example>\r\n");
	EXPECT(f, fd, "550 5.1.1");
	client_send(fd, "XYZZY\r\n");
	EXPECT(f, fd, "500 5.5.2");
	client_send(fd, "VRFY x\r\n");
	EXPECT(f, fd, "252 ");
	client_send(fd, "RSET\r\nNOOP\r\nQUIT\r\n");
	EXPECT(f, fd, "250 2.0.0");
	EXPECT(f, fd, "250 2.0.0");
	EXPECT(f, fd, "221 2.0.0");
	if (!client_sees_eof(fd))
		snprintf(f->failure, sizeof(f->failure), "no close after QUIT");
out:
	close(fd);
}

/* Silent after the greeting: 421 after the idle timeout, then closed. */
static void
scenario_idle(struct fixture *f)
{
	int fd = client_connect(f);
	double t0;

	if (fd < 0) {
		snprintf(f->failure, sizeof(f->failure), "cannot connect");
		return;
	}
	EXPECT(f, fd, "220 ");
	t0 = now_sec();
	EXPECT(f, fd, "421 4.4.2");
	if (now_sec() - t0 < 0.5 || now_sec() - t0 > 4.0)
		snprintf(f->failure, sizeof(f->failure), "idle 421 after %.1fs",
		    now_sec() - t0);
	else if (!client_sees_eof(fd))
		snprintf(f->failure, sizeof(f->failure), "no close after 421");
out:
	close(fd);
}

/* Busy but endless: 421 at the absolute session limit. */
static void
scenario_absolute(struct fixture *f)
{
	int fd = client_connect(f);
	double t0 = now_sec();

	if (fd < 0) {
		snprintf(f->failure, sizeof(f->failure), "cannot connect");
		return;
	}
	EXPECT(f, fd, "220 ");
	client_send(fd, "LHLO x\r\n");
	EXPECT(f, fd, "250 SIZE");
	for (int i = 0; i < 20; i++) {
		char line[512];

		usleep(300 * 1000);
		client_send(fd, "NOOP\r\n");
		if (client_reply(fd, line, sizeof(line)) != 0) {
			snprintf(f->failure, sizeof(f->failure), "no reply");
			goto out;
		}
		if (strncmp(line, "421 4.4.2", 9) == 0) {
			if (now_sec() - t0 < 2.0)
				snprintf(f->failure, sizeof(f->failure),
				    "421 too early (%.1fs)", now_sec() - t0);
			goto out;
		}
		if (strncmp(line, "250", 3) != 0) {
			snprintf(f->failure, sizeof(f->failure), "got %.200s",
			    line);
			goto out;
		}
	}
	snprintf(f->failure, sizeof(f->failure), "no 421 at the session "
	    "limit");
out:
	close(fd);
}

static void *
client_main(void *arg)
{
	struct fixture *f = arg;

	f->scenario(f);
	event_base_loopbreak(f->base);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The server side (the test's thread runs the loop)                   */

static void
run(void (*scenario)(struct fixture *), int idle, int life)
{
	struct fixture f;
	struct lmtp_server_env env;
	char bound[300], err[256];
	const char *colon;
	pthread_t tid;

	memset(&f, 0, sizeof(f));
	config_defaults(&f.cfg);
	f.budget.max = 1 << 20;
	f.base = event_base_new();
	assert_non_null(f.base);
	memset(&env, 0, sizeof(env));
	env.base = f.base;
	env.cfg = &f.cfg;
	env.budget = &f.budget;
	env.idle_timeout_sec = idle;
	env.session_timeout_sec = life;
	f.srv = lmtp_server_start(&env, "127.0.0.1:0", bound, sizeof(bound),
	    err, sizeof(err));
	if (f.srv == NULL)
		fail_msg("lmtp_server_start: %s", err);
	colon = strrchr(bound, ':');
	assert_non_null(colon);
	f.port = (uint16_t)strtoul(colon + 1, NULL, 10);
	f.scenario = scenario;
	assert_int_equal(pthread_create(&tid, NULL, client_main, &f), 0);
	event_base_dispatch(f.base);
	pthread_join(tid, NULL);
	assert_int_equal(lmtp_server_active(f.srv), 0);
	lmtp_server_stop_accepting(f.srv);
	lmtp_server_free(&f.srv);
	assert_null(f.srv);
	assert_int_equal(f.budget.used, 0);
	event_base_free(f.base);
	if (f.failure[0] != '\0')
		fail_msg("%s", f.failure);
}

static void
test_commands(void **state)
{
	(void)state;
	run(scenario_commands, 30, 60);
}

static void
test_idle_timeout(void **state)
{
	(void)state;
	run(scenario_idle, 1, 60);
}

static void
test_session_timeout(void **state)
{
	(void)state;
	run(scenario_absolute, 1, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_idle_timeout),
		cmocka_unit_test(test_session_timeout),
	};

	if (evthread_use_pthreads() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
