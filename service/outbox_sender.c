/* SPDX-License-Identifier: MIT */
/*
 * The outbox sender (see outbox_sender.h).  One thread, one database
 * connection of its own; every OUTBOX_SENDER_POLL_MS it takes the due rows
 * one by one (oldest first), runs the command for each with posix_spawn
 * (no shell: the words of the configured command line are the argv), the
 * message on a pipe to its standard input, its output to /dev/null (a
 * sendmail's complaint can name the recipient, which must not reach the
 * log), and waits for it with a deadline.
 *
 * The child is started with posix_spawn() (outbox_spawn()) and is the
 * leader of a process group of its own, so that a timeout or the shutdown
 * kills whatever it started too.
 *
 * Load: a few messages a minute at most; each a couple of kilobytes.
 */
#include "service/outbox_sender.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "service/log.h"
#include "storage/outbox.h"

extern char **environ;

struct outbox_sender {
	struct service *svc;
	struct db *db;
	char *words;				/* the command, split in place */
	char *argv[OUTBOX_SENDER_ARGS_MAX + 1];
	char path[CONFIG_PATH_MAX];		/* argv[0] resolved */
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stop;
};

/* Milliseconds on the monotonic clock. */
static int64_t
outbox_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether path is an executable regular file. */
static bool
is_executable(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    access(path, X_OK) == 0;
}

/* Split the command into argv and find its program. */
static int
outbox_sender_parse(struct outbox_sender *s, const char *cmd, char *err,
    size_t errlen)
{
	const char *pathvar;
	char *p;
	int n = 0;

	if ((s->words = strdup(cmd)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (p = s->words; *p != '\0';) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n == OUTBOX_SENDER_ARGS_MAX) {
			snprintf(err, errlen, "sendmail_command has more than "
			    "%d words", OUTBOX_SENDER_ARGS_MAX);
			return -1;
		}
		s->argv[n++] = p;
		p += strcspn(p, " \t");
	}
	s->argv[n] = NULL;
	if (n == 0)
		return 0;
	if (strchr(s->argv[0], '/') != NULL) {
		snprintf(s->path, sizeof(s->path), "%s", s->argv[0]);
		return 0;	/* checked at each run: it may appear later */
	}
	pathvar = getenv("PATH");
	if (pathvar == NULL)
		pathvar = "/usr/sbin:/usr/bin:/sbin:/bin";
	while (*pathvar != '\0') {
		size_t len = strcspn(pathvar, ":");

		if (snprintf(s->path, sizeof(s->path), "%.*s/%s", (int)len,
		    pathvar, s->argv[0]) < (int)sizeof(s->path) &&
		    is_executable(s->path))
			return 0;
		pathvar += len;
		if (*pathvar == ':')
			pathvar++;
	}
	snprintf(err, errlen, "sendmail_command: \"%.200s\" is not in PATH",
	    s->argv[0]);
	return -1;
}

/*
 * Write msg to fd (non-blocking) until done, the deadline or the stop
 * flag.  0; -1 with why set (timeout, stop: the child is to be killed);
 * -2 with why set when the child stopped reading (it may have exited with
 * a status worth reporting).
 */
static int
outbox_write_all(struct outbox_sender *s, int fd, const char *msg,
    size_t len, int64_t deadline, const char **why)
{
	size_t off = 0;

	while (off < len) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		int64_t left = deadline - outbox_now_ms();
		ssize_t n;

		if (atomic_load(&s->stop)) {
			*why = "stopped while writing to sendmail";
			return -1;
		}
		if (left <= 0) {
			*why = "timed out writing to sendmail";
			return -1;
		}
		if (poll(&pfd, 1, left > 200 ? 200 : (int)left) < 0 &&
		    errno != EINTR) {
			*why = "poll failed";
			return -1;
		}
		n = write(fd, msg + off, len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			*why = "sendmail did not read the whole message";
			return -2;
		}
	}
	return 0;
}

/*
 * Start the command with in as its standard input and null as its output,
 * in a process group of its own (so that a timeout or the shutdown kills
 * whatever it starts too), with no signal blocked and SIGPIPE, SIGTERM and
 * SIGINT at their defaults (serve ignores them).  posix_spawn(), not
 * fork(): glibc's vfork path copies no page tables, so a serve holding
 * large uploads does not stall its other threads' page faults for the
 * copy.  0 with *pid set, else an errno value (an execve failure
 * included).
 */
static int
outbox_spawn(struct outbox_sender *s, int in, int null, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t none, dfl;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return rc;
	if ((rc = posix_spawnattr_init(&sa)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTERM);	/* serve ignores both under its */
	sigaddset(&dfl, SIGINT);	/* handlers: see serve.c */
	if ((rc = posix_spawn_file_actions_adddup2(&fa, in, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, null, 1)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, null, 2)) == 0 &&
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (rc = posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&sa, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&sa, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&sa, &dfl)) == 0)
		rc = posix_spawn(pid, s->path, &fa, &sa, s->argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/*
 * Run the command once with msg on its standard input.  0 when it exited
 * 0; else -1 with the reason (our own words) in why.
 */
static int
outbox_run(struct outbox_sender *s, const char *msg, size_t len, char *why,
    size_t whylen)
{
	int in[2] = { -1, -1 }, null_fd = -1, status = 0, rc = -1, wr;
	int64_t deadline = outbox_now_ms() + OUTBOX_SENDER_TIMEOUT_SEC * 1000;
	const char *werr = NULL;
	pid_t pid, w = 0;

	if (!is_executable(s->path)) {
		snprintf(why, whylen, "%.150s is not an executable file",
		    s->path);
		return -1;
	}
	if (pipe2(in, O_CLOEXEC) != 0 ||
	    (null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "cannot make a pipe: %s",
		    strerror(errno));
		goto out;
	}
	if ((wr = outbox_spawn(s, in[0], null_fd, &pid)) != 0) {
		snprintf(why, whylen, "%.150s could not be run: %s", s->path,
		    strerror(wr));
		goto out;
	}
	close(in[0]);
	in[0] = -1;
	(void)fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	wr = outbox_write_all(s, in[1], msg, len, deadline, &werr);
	close(in[1]);
	in[1] = -1;
	while (wr != -1 && (w = waitpid(pid, &status, WNOHANG)) == 0 &&
	    outbox_now_ms() < deadline && !atomic_load(&s->stop)) {
		struct timespec nap = { 0, 20 * 1000 * 1000 };

		nanosleep(&nap, NULL);
	}
	if (w == pid) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && wr == 0)
			rc = 0;
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			snprintf(why, whylen, "%s", werr);
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			snprintf(why, whylen, "%.150s could not be run",
			    s->path);
		else if (WIFEXITED(status))
			snprintf(why, whylen, "sendmail exited with status %d",
			    WEXITSTATUS(status));
		else
			snprintf(why, whylen, "sendmail was killed by signal "
			    "%d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	} else {
		if (wr == -1)
			snprintf(why, whylen, "%s", werr);
		else
			snprintf(why, whylen, atomic_load(&s->stop) ?
			    "stopped before sendmail finished" :
			    "sendmail did not finish within %d s",
			    OUTBOX_SENDER_TIMEOUT_SEC);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
out:
	if (in[0] != -1)
		close(in[0]);
	if (in[1] != -1)
		close(in[1]);
	if (null_fd != -1)
		close(null_fd);
	return rc;
}

/* The delay before attempt number attempts + 1. */
static int64_t
outbox_backoff(const struct config *cfg, int attempts)
{
	int64_t d = cfg->outbox_retry_sec > 0 ? cfg->outbox_retry_sec : 60;

	for (int i = 1; i < attempts && d < OUTBOX_SENDER_BACKOFF_MAX_SEC; i++)
		d *= 2;
	return d < OUTBOX_SENDER_BACKOFF_MAX_SEC ? d :
	    OUTBOX_SENDER_BACKOFF_MAX_SEC;
}

/* Send every due row once.  Returns when none is left or on stop. */
static void
outbox_sender_pass(struct outbox_sender *s)
{
	int64_t after = 0;

	while (!atomic_load(&s->stop)) {
		struct outbox_item it;
		enum storage_status st;
		char why[OUTBOX_ERROR_MAX];
		int64_t now = (int64_t)time(NULL);
		int attempts;

		st = outbox_next_due(s->db, &s->svc->mk, now, after, &it);
		if (st == STORAGE_ERR_NOTFOUND)
			return;
		if (st != STORAGE_OK && it.id == 0) {
			log_warnx("outbox: %s", storage_status_str(st));
			return;
		}
		after = it.id;
		attempts = it.attempts + 1;
		why[0] = '\0';
		if (st != STORAGE_OK)
			snprintf(why, sizeof(why), "the message does not open "
			    "(%s)", storage_status_str(st));
		else if (outbox_run(s, it.message, it.len, why,
		    sizeof(why)) == 0) {
			st = outbox_mark_sent(s->db, it.id, (int64_t)time(NULL));
			if (st != STORAGE_OK)
				log_warnx("outbox: id=%lld sent but not marked: "
				    "%s", (long long)it.id,
				    storage_status_str(st));
			else
				log_info("outbox: sent id=%lld tip_row=%lld "
				    "attempts=%d", (long long)it.id,
				    (long long)it.tip_id, attempts);
			outbox_item_free(&it);
			continue;
		}
		outbox_item_free(&it);
		now = (int64_t)time(NULL);
		st = outbox_mark_failed(s->db, after, attempts,
		    now + outbox_backoff(s->svc->cfg, attempts), why);
		log_warnx("outbox: id=%lld attempt=%d failed: %s%s",
		    (long long)after, attempts, why, st == STORAGE_OK ? "" :
		    " (not recorded)");
	}
}

static void *
outbox_sender_main(void *arg)
{
	struct outbox_sender *s = arg;

	while (!atomic_load(&s->stop)) {
		struct timespec until;

		outbox_sender_pass(s);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)OUTBOX_SENDER_POLL_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&s->lock);
		if (!atomic_load(&s->stop))
			pthread_cond_timedwait(&s->wake, &s->lock, &until);
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

/* Free a sender whose thread is not running. */
static void
outbox_sender_free(struct outbox_sender *s)
{
	db_close(&s->db);
	free(s->words);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}

int
outbox_sender_start(struct service *svc, struct outbox_sender **out,
    char *err, size_t errlen)
{
	struct outbox_sender *s;

	*out = NULL;
	if (svc->cfg->sendmail_command[0] == '\0')
		return 0;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->svc = svc;
	atomic_init(&s->stop, false);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (outbox_sender_parse(s, svc->cfg->sendmail_command, err,
	    errlen) != 0)
		goto fail;
	if (s->argv[0] == NULL) {
		outbox_sender_free(s);
		return 0;
	}
	if (service_db_open(svc, 0, &s->db, err, errlen) != STORAGE_OK)
		goto fail;
	if (pthread_create(&s->thread, NULL, outbox_sender_main, s) != 0) {
		snprintf(err, errlen, "cannot start the outbox sender thread");
		goto fail;
	}
	s->started = true;
	log_info("outbox sender started command=%s", s->path);
	*out = s;
	return 0;
fail:
	outbox_sender_free(s);
	return -1;
}

void
outbox_sender_stop(struct outbox_sender **sp)
{
	struct outbox_sender *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	*sp = NULL;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->stop, true);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	if (s->started)
		pthread_join(s->thread, NULL);
	outbox_sender_free(s);
}
