/* SPDX-License-Identifier: MIT */
/*
 * stderr logging: "<UTC time> <level> <message>" per line, formatted into a
 * local buffer first so that concurrent threads never interleave a line.
 * Lines are capped at LOG_LINE_MAX bytes.
 */
#include "service/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_LINE_MAX 2048

static const char *log_progname = "tipline";
static bool log_debug_on;

void
log_init(const char *progname, bool debug)
{
	if (progname != NULL)
		log_progname = progname;
	log_debug_on = debug;
}

bool
log_debug_enabled(void)
{
	return log_debug_on;
}

static void
log_vline(const char *level, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
log_vline(const char *level, int errnum, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	char when[32];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	r = snprintf(line, sizeof(line), "%s %s %s: ", when, log_progname,
	    level);
	n = r < 0 ? 0 : (size_t)r;
	if (n < sizeof(line)) {
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (errnum != 0 && n < sizeof(line)) {
		r = snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(errnum));
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	/* Escape control characters so a line stays one line. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	fprintf(stderr, "%.*s\n", (int)n, line);
}

#define LOG_BODY(level, errnum) do {		\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_vline(level, errnum, fmt, ap);	\
	va_end(ap);				\
} while (0)

void
log_warn(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY("warning", saved);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY("warning", 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY("info", 0);
}

void
log_debug(const char *fmt, ...)
{
	if (!log_debug_on)
		return;
	LOG_BODY("debug", 0);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY("fatal", saved);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY("fatal", 0);
	exit(1);
}
