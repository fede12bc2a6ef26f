/* SPDX-License-Identifier: MIT */
/*
 * The `report` subcommand (see report_cmd.h): check the arguments, open the
 * database read-only, load and render the table (service/report.c), then
 * write it.  A file named with -o is written under a temporary name in its
 * directory, fsynced and renamed into place, so that a reader never sees
 * half a table; `-o -` or no -o writes to standard output (XLSX only when
 * that is not a terminal).  One table per run, small: no limits beyond
 * those of report.c.
 */
#include "service/report_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/report.h"
#include "service/service.h"
#include "storage/db.h"
#include "storage/fsutil.h"

/* Write buf to path through a temporary file and rename() (see
 * report_cmd.h).  0 or -1. */
int
report_cmd_write_file(const char *path, const struct report_buf *buf,
    char *err, size_t errlen)
{
	char tmp[CONFIG_PATH_MAX + 16];
	int fd, saved;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp)) {
		snprintf(err, errlen, "output path too long");
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "cannot create %.900s: %s", tmp,
		    strerror(errno));
		return -1;
	}
	if (fsutil_write_all(fd, buf->data, buf->len) != 0 ||
	    fsutil_fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "cannot write %.900s: %s", path,
		    strerror(saved));
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		snprintf(err, errlen, "cannot write %.900s: %s", path,
		    strerror(saved));
		return -1;
	}
	return 0;
}

/* Write buf to standard output.  0 or -1. */
static int
report_cmd_write_stdout(const struct report_buf *buf, char *err,
    size_t errlen)
{
	if (fsutil_write_all(STDOUT_FILENO, buf->data, buf->len) != 0) {
		snprintf(err, errlen, "cannot write to standard output: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Check the arguments; print what is wrong and return false. */
static bool
report_cmd_check(const struct options *o, enum report_format *f)
{
	if (o->nargs != 1 || strcmp(o->args[0], "summary") != 0) {
		fprintf(stderr, "tipline: report: the report is `summary`: "
		    "tipline report summary --campaign CODE [--bureau CODE] "
		    "--format html|csv|xlsx [-o FILE]\n");
		return false;
	}
	if (o->campaign == NULL || o->campaign[0] == '\0') {
		fprintf(stderr, "tipline: report summary: --campaign CODE is "
		    "required\n");
		return false;
	}
	if (o->bureau != NULL && o->bureau[0] == '\0') {
		fprintf(stderr, "tipline: report summary: --bureau needs a "
		    "bureau code\n");
		return false;
	}
	if (o->format == NULL) {
		fprintf(stderr, "tipline: report summary: --format html, csv "
		    "or xlsx is required\n");
		return false;
	}
	if (!report_format_from_name(o->format, f)) {
		fprintf(stderr, "tipline: report summary: unknown format "
		    "\"%.32s\" (html, csv or xlsx)\n", o->format);
		return false;
	}
	if (*f == REPORT_FORMAT_XLSX && (o->output == NULL ||
	    strcmp(o->output, "-") == 0) && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "tipline: report summary: XLSX is binary; "
		    "write it with -o FILE or redirect standard output\n");
		return false;
	}
	return true;
}

int
report_cmd_main(const struct config *cfg, const struct options *o)
{
	struct report_summary s;
	struct report_buf buf = { NULL, 0, 0 };
	struct db *db = NULL;
	enum report_format f;
	char path[CONFIG_PATH_MAX + 32], today[11];
	char err[CONFIG_ERR_MAX];
	int rc = 1, lrc;

	memset(&s, 0, sizeof(s));
	if (!report_cmd_check(o, &f))
		return 1;
	if (!service_is_initialised(cfg)) {
		fprintf(stderr, "tipline: no database in %s (run `tipline "
		    "init` first)\n", cfg->data_dir);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s", cfg->data_dir, SERVICE_DB_NAME);
	if (db_open(path, DB_OPEN_READONLY, &db, err, sizeof(err)) !=
	    STORAGE_OK) {
		fprintf(stderr, "tipline: %s\n", err);
		return 1;
	}
	report_today(today);
	lrc = report_summary_load(db, o->campaign, o->bureau, today, &s, err,
	    sizeof(err));
	db_close(&db);
	if (lrc != 0) {
		fprintf(stderr, "tipline: report summary: %s\n", err);
		goto out;
	}
	if (report_render(&s, f, &buf, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: report summary: %s\n", err);
		goto out;
	}
	if (o->output != NULL && strcmp(o->output, "-") != 0 ?
	    report_cmd_write_file(o->output, &buf, err, sizeof(err)) :
	    report_cmd_write_stdout(&buf, err, sizeof(err))) {
		fprintf(stderr, "tipline: report summary: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	report_buf_free(&buf);
	report_summary_free(&s);
	return rc;
}
