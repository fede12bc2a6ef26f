/* SPDX-License-Identifier: MIT */
/*
 * `tipline ingest-mail` (see ingest_mail.h): read the message (at most
 * mail_max + 1 bytes, so that "too large" is known without reading an
 * endless input), open the data directory, and run the mail intake
 * synchronously on this thread with a worker state of its own
 * (workers_run_inline()), its database busy timeout shortened to
 * INGEST_MAIL_BUSY_MS.
 *
 * An MTA kills a pipe command that takes too long and may then treat the
 * delivery as failed for good; so an alarm ends the process with 75 after
 * INGEST_MAIL_DEADLINE_SEC whatever it is doing (reading a stalled input,
 * waiting on a lock, a slow disk).  Exiting there is safe: SQLite's WAL
 * rolls back an unfinished transaction, and a blob written without its row
 * is swept at the next start of `serve`.  The writers' lock, held shared
 * for the whole delivery (service_writer_lock()), keeps that sweep and
 * `keys rotate` from running while a delivery writes.
 */
#include "service/ingest_mail.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/intake.h"
#include "service/log.h"
#include "service/mail_intake.h"
#include "service/service.h"
#include "service/workers.h"

#define INGEST_MAIL_READ_CHUNK (64 * 1024)
#define INGEST_MAIL_HINT_MAX 32

struct ingest_mail_job {
	const unsigned char *msg;
	size_t len;
	const char *hint;
	struct intake_result res;
};

/* SIGALRM: only async-signal-safe calls here. */
static void
ingest_mail_deadline(int sig)
{
	static const char msg[] = "tipline: ingest-mail: no answer within the "
	    "time limit; try again later\n";
	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;
	_exit(INGEST_MAIL_EX_TEMPFAIL);
}

/*
 * Read standard input into *out, at most max bytes.  Returns 0 (*len is
 * the bytes read; max bytes means the input may be longer), or -1 on a
 * read error or when out of memory.
 */
static int
ingest_mail_read(size_t max, unsigned char **out, size_t *len)
{
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	*out = NULL;
	*len = 0;
	while (n < max) {
		ssize_t r;

		if (n == cap) {
			size_t ncap = cap == 0 ? INGEST_MAIL_READ_CHUNK :
			    cap * 2;
			unsigned char *nbuf;

			if (ncap > max)
				ncap = max;
			if ((nbuf = realloc(buf, ncap)) == NULL) {
				free(buf);
				return -1;
			}
			buf = nbuf;
			cap = ncap;
		}
		r = read(STDIN_FILENO, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_warn("ingest-mail: reading standard input");
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
}

static bool
ingest_mail_is_blank(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* workers_init_fn: the usual worker state, with a short busy timeout. */
static int
ingest_mail_worker_init(void *shared, void **state)
{
	struct service_worker *w;

	if (service_worker_init(shared, state) != 0)
		return -1;
	w = *state;
	db_set_busy_timeout(w->db, INGEST_MAIL_BUSY_MS);
	return 0;
}

static void
ingest_mail_work(void *state, void *arg)
{
	struct ingest_mail_job *j = arg;

	mail_intake_submit(state, j->msg, j->len, j->hint, &j->res);
}

int
ingest_mail_main(const struct config *cfg, const struct options *o)
{
	struct sigaction sa;
	struct service *svc = NULL;
	struct ingest_mail_job job;
	unsigned char *msg = NULL;
	char hint[INGEST_MAIL_HINT_MAX], err[CONFIG_ERR_MAX];
	size_t len = 0, max;
	int rc = INGEST_MAIL_EX_TEMPFAIL, writers_fd = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ingest_mail_deadline;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0) {
		fprintf(stderr, "tipline: ingest-mail: cannot set the time "
		    "limit\n");
		return INGEST_MAIL_EX_TEMPFAIL;
	}
	alarm(INGEST_MAIL_DEADLINE_SEC);

	max = cfg->mail_max >= SIZE_MAX ? SIZE_MAX - 1 : (size_t)cfg->mail_max;
	if (ingest_mail_read(max + 1, &msg, &len) != 0) {
		fprintf(stderr, "tipline: ingest-mail: cannot read the message;"
		    " try again later\n");
		goto out;
	}
	if (len > max) {
		fprintf(stderr, "tipline: ingest-mail: the message is larger "
		    "than mail_max_mb (%llu MiB); refused\n",
		    (unsigned long long)(cfg->mail_max / MIB));
		rc = INGEST_MAIL_EX_DATAERR;
		goto out;
	}
	if (len == 0 || ingest_mail_is_blank(msg, len)) {
		fprintf(stderr, "tipline: ingest-mail: the message is empty; "
		    "refused\n");
		rc = INGEST_MAIL_EX_DATAERR;
		goto out;
	}

	memset(&job, 0, sizeof(job));
	job.msg = msg;
	job.len = len;
	if (o->recipient != NULL) {
		int kind = mail_intake_recipient(cfg, o->recipient, hint,
		    sizeof(hint));

		if (kind == 1)
			job.hint = hint;
		else if (kind < 0)
			log_warnx("ingest-mail: --recipient is not an address "
			    "of ours; storing without a routing hint");
	}
	if ((writers_fd = service_writer_lock(cfg, false, err,
	    sizeof(err))) == -1 ||
	    service_open(cfg, &svc, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: ingest-mail: %s; try again later\n",
		    err);
		goto out;
	}
	if (workers_run_inline(ingest_mail_worker_init, service_worker_fini,
	    svc, ingest_mail_work, &job) != 0) {
		fprintf(stderr, "tipline: ingest-mail: cannot open the "
		    "database; try again later\n");
		goto out;
	}
	switch (job.res.status) {
	case INTAKE_OK:
		printf("%s\n", job.res.id);
		if (job.res.duplicate)
			log_info("ingest-mail: already stored as %s",
			    job.res.id);
		rc = fflush(stdout) == 0 ? 0 : INGEST_MAIL_EX_TEMPFAIL;
		break;
	case INTAKE_TOO_LARGE:
	case INTAKE_INVALID:
		/* The mail intake refuses only for size or emptiness. */
		fprintf(stderr, "tipline: ingest-mail: %s; refused\n",
		    job.res.message);
		rc = INGEST_MAIL_EX_DATAERR;
		break;
	default:
		fprintf(stderr, "tipline: ingest-mail: %s; try again later\n",
		    job.res.message[0] ? job.res.message : "not stored");
		rc = INGEST_MAIL_EX_TEMPFAIL;
		break;
	}
out:
	alarm(0);
	service_close(&svc);
	if (writers_fd != -1)
		close(writers_fd);
	free(msg);
	return rc;
}
