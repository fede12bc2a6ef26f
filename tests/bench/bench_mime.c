/* SPDX-License-Identifier: MIT */
/*
 * bench_mime: how fast the bytes of a message are parsed, without storing
 * anything, as the yardstick of the LMTP intake rate (bench_lmtp.py).
 *
 * For each message file it times, over at least BENCH_MIN_SECONDS (and at
 * least 3 rounds):
 *   gmime_parse_msgs_s  GMime alone, set up as mail_parse.c sets it up
 *                       (the same parser options, a memory stream over the
 *                       bytes, g_mime_parser_construct_message()), then
 *                       every leaf part's content decoded to a null stream
 *                       (what mail_parse.c's walk makes GMime do);
 *   mail_parse_msgs_s   mail_parse() itself: the pre-scan, GMime, the walk,
 *                       charset conversion, the text and the attachments
 *                       in memory; everything intake gets before it
 *                       encrypts and stores.
 * and prints one key=value line per file.
 *
 * Usage: bench_mime FILE...   Not a test: built by default, run by
 * scripts/bench (through tests/bench/bench_lmtp.py).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>

#include "service/mail_parse.h"
#include "service/mime.h"

#define BENCH_MIN_SECONDS 2.0
#define BENCH_MIN_ROUNDS 3
#define BENCH_FILE_MAX (64u * 1024 * 1024)

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read path whole into *buf (malloc'd); -1 on error. */
static int
read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long end = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (end = ftell(f)) < 0 ||
	    (unsigned long)end > BENCH_FILE_MAX || fseek(f, 0, SEEK_SET) != 0 ||
	    (b = malloc((size_t)end + 1)) == NULL ||
	    fread(b, 1, (size_t)end, f) != (size_t)end) {
		fclose(f);
		free(b);
		return -1;
	}
	fclose(f);
	*buf = b;
	*len = (size_t)end;
	return 0;
}

/* Decode every leaf part's content to a null stream. */
static void
bench_decode_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	GMimeDataWrapper *content;
	GMimeStream *null;

	(void)parent;
	(void)data;
	if (!GMIME_IS_PART(part) ||
	    (content = g_mime_part_get_content(GMIME_PART(part))) == NULL)
		return;
	null = g_mime_stream_null_new();
	g_mime_data_wrapper_write_to_stream(content, null);
	g_object_unref(null);
}

/* One GMime parse of buf, as mail_parse.c does it; 0 or -1. */
static int
bench_gmime_once(const char *buf, size_t len)
{
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *m;

	stream = g_mime_stream_mem_new_with_buffer(buf, len);
	parser = g_mime_parser_new_with_stream(stream);
	m = g_mime_parser_construct_message(parser, mime_mail_options());
	if (m != NULL) {
		(void)g_mime_message_get_subject(m);
		g_mime_message_foreach(m, bench_decode_part, NULL);
		g_object_unref(m);
	}
	g_object_unref(parser);
	g_object_unref(stream);
	return m != NULL ? 0 : -1;
}

/* One mail_parse() of buf; 0 or -1. */
static int
bench_mail_parse_once(const char *buf, size_t len)
{
	struct mail_limits lim;
	struct mail_parsed p;

	mail_limits_default(&lim);
	if (mail_parse(buf, len, &lim, &p) != 0)
		return -1;
	mail_parsed_free(&p);
	return 0;
}

/* Messages per second of fn over buf. */
static double
bench_rate(int (*fn)(const char *, size_t), const char *buf, size_t len)
{
	double t0 = now_seconds(), dt;
	long n = 0;

	do {
		if (fn(buf, len) != 0)
			return -1.0;
		n++;
		dt = now_seconds() - t0;
	} while (n < BENCH_MIN_ROUNDS || dt < BENCH_MIN_SECONDS);
	return (double)n / dt;
}

int
main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_mime FILE...\n");
		return 2;
	}
	mime_init();
	for (int i = 1; i < argc; i++) {
		const char *name = strrchr(argv[i], '/');
		double g, p;
		char *buf = NULL;
		size_t len = 0;

		name = name != NULL ? name + 1 : argv[i];
		if (read_file(argv[i], &buf, &len) != 0) {
			fprintf(stderr, "bench_mime: cannot read %s\n",
			    argv[i]);
			rc = 1;
			continue;
		}
		g = bench_rate(bench_gmime_once, buf, len);
		p = bench_rate(bench_mail_parse_once, buf, len);
		if (g < 0 || p < 0) {
			fprintf(stderr, "bench_mime: %s does not parse\n",
			    name);
			rc = 1;
		} else
			printf("message=%s bytes=%zu gmime_parse_msgs_s=%.1f "
			    "mail_parse_msgs_s=%.1f\n", name, len, g, p);
		free(buf);
	}
	return rc;
}
