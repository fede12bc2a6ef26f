/* SPDX-License-Identifier: MIT */
/*
 * The router's labelled set (tests/triage/labelled.tsv) and what the
 * accuracy test (tests/unit/test_router_labelled.c) and the routing bench
 * (tests/bench/bench_router.c) share: reading the set, a database with the
 * reference data loaded the way `tipline init` loads it (the embedded
 * data/ files through refdata_load_all()) plus a registry imported the way
 * `tipline institutions import` imports it (institutions_parse(), then
 * institutions_import_rows()), and scoring the router's answers.
 *
 * The file: UTF-8, one tip a line, tab-separated columns
 *   id  signal  expected  county  hint  institution  summary  details
 * with a header line starting "id\t" and comment lines starting '#'.
 * expected is a bureau code or "manual" (the city triage queue 140500).
 */
#ifndef TESTS_HELPERS_LABELLED_H
#define TESTS_HELPERS_LABELLED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "service/router.h"
#include "storage/db.h"

#define LABELLED_MANUAL "manual"

struct labelled_tip {
	unsigned long line;
	const char *id;
	const char *signal;
	const char *expected;		/* bureau code or "manual" */
	struct router_input in;
};

struct labelled_set {
	struct labelled_tip *v;
	size_t n;
	char *buf;			/* the file; the strings are in it */
};

/*
 * Read the set at path into s.  0, or -1 with "PATH:LINE: reason" in err
 * (s then empty).  Free with labelled_free().
 */
int labelled_read(const char *path, struct labelled_set *s, char *err,
    size_t errlen);

void labelled_free(struct labelled_set *s);

/*
 * A fresh database in a new directory made from dir (a mkdtemp() template
 * ending in XXXXXX, rewritten), its file name into path, with the
 * embedded reference data loaded.  0, or -1 with the reason in err (dir
 * then removed).  Close and remove with labelled_db_close().
 */
int labelled_db_open(char *dir, char *path, size_t pathlen, struct db **db,
    char *err, size_t errlen);

/* Close *db (NULL is fine) and remove path, its WAL files and dir. */
void labelled_db_close(struct db **db, const char *dir, const char *path);

/*
 * Import a registry CSV (the `institutions import` format) held in
 * buf[0..len) as the command does: institutions_parse(), then
 * institutions_import_rows() (checks, upserts, serial, audit, one
 * transaction).  0, or -1 with the reason in err.
 */
int labelled_import(struct db *db, const char *buf, size_t len, char *err,
    size_t errlen);

/* Read a whole file into a new NUL-terminated buffer; NULL on error. */
char *labelled_slurp(const char *path, size_t *len);

/* The outcome of routing one tip against its label. */
enum labelled_outcome {
	LABELLED_RIGHT,		/* the expected bureau, or manual as expected */
	LABELLED_MISSED,	/* expected a bureau, sent to a person */
	LABELLED_WRONG,		/* expected a bureau, another bureau */
	LABELLED_CONFIDENT,	/* expected manual, routed to a bureau */
};

enum labelled_outcome labelled_judge(const struct labelled_tip *t,
    const struct router_decision *d);

/* Totals over the set. */
struct labelled_totals {
	size_t bureau_expected;		/* tips whose label is a bureau */
	size_t bureau_right;
	size_t manual_expected;		/* tips whose label is manual */
	size_t manual_right;
	size_t confident_wrong;		/* manual expected, bureau given */
	size_t wrong_bureau;		/* bureau expected, another given */
};

/*
 * Route every tip with rt, print each miss (with the reason) and the
 * accuracy per signal and overall to f (NULL: print nothing), and fill
 * *t.  0, or -1 when the router failed (out of memory).
 */
int labelled_score(const struct router *rt, const struct labelled_set *s,
    FILE *f, struct labelled_totals *t);

#endif
