/* SPDX-License-Identifier: MIT */
/*
 * The labelled set and its scoring (see labelled.h).
 */
#include "tests/helpers/labelled.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/institutions.h"
#include "service/refdata_load.h"

#define NCOLUMNS	8
#define MAX_SIGNALS	64

char *
labelled_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return NULL;
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

void
labelled_free(struct labelled_set *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* "" → NULL, as the intake passes a field that was not given. */
static const char *
opt(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

int
labelled_read(const char *path, struct labelled_set *s, char *err,
    size_t errlen)
{
	size_t len = 0, cap = 0;
	unsigned long lineno = 0;
	char *p, *end;

	memset(s, 0, sizeof(*s));
	if ((s->buf = labelled_slurp(path, &len)) == NULL) {
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	p = s->buf;
	end = s->buf + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *col[NCOLUMNS];
		size_t ncol = 0;
		char *q;
		struct labelled_tip *t;

		lineno++;
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		q = p;
		p = nl + 1;
		if (q[0] == '\0' || q[0] == '#' || strncmp(q, "id\t", 3) == 0)
			continue;
		col[ncol++] = q;
		while ((q = strchr(q, '\t')) != NULL) {
			*q++ = '\0';
			if (ncol == NCOLUMNS) {
				ncol++;
				break;
			}
			col[ncol++] = q;
		}
		if (ncol != NCOLUMNS) {
			snprintf(err, errlen, "%s:%lu: expected %d columns",
			    path, lineno, NCOLUMNS);
			labelled_free(s);
			return -1;
		}
		if (col[2][0] == '\0' || col[1][0] == '\0') {
			snprintf(err, errlen, "%s:%lu: signal or expected is "
			    "empty", path, lineno);
			labelled_free(s);
			return -1;
		}
		if (s->n == cap) {
			struct labelled_tip *nv;

			cap = cap ? cap * 2 : 256;
			if ((nv = realloc(s->v, cap * sizeof(*nv))) == NULL) {
				snprintf(err, errlen, "out of memory");
				labelled_free(s);
				return -1;
			}
			s->v = nv;
		}
		t = &s->v[s->n++];
		memset(t, 0, sizeof(*t));
		t->line = lineno;
		t->id = col[0];
		t->signal = col[1];
		t->expected = col[2];
		t->in.county = opt(col[3]);
		t->in.hint_bureau = opt(col[4]);
		t->in.institution = opt(col[5]);
		t->in.summary = opt(col[6]);
		t->in.details = opt(col[7]);
	}
	return 0;
}

void
labelled_db_close(struct db **db, const char *dir, const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	char p[1100];

	db_close(db);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		unlink(p);
	}
	rmdir(dir);
}

int
labelled_db_open(char *dir, char *path, size_t pathlen, struct db **db,
    char *err, size_t errlen)
{
	*db = NULL;
	if (mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "%s: cannot make the directory", dir);
		return -1;
	}
	snprintf(path, pathlen, "%s/tipline.db", dir);
	if (db_open(path, DB_OPEN_CREATE, db, err, errlen) != STORAGE_OK ||
	    refdata_load_all(*db, err, errlen) != 0) {
		labelled_db_close(db, dir, path);
		return -1;
	}
	return 0;
}

int
labelled_import(struct db *db, const char *buf, size_t len, char *err,
    size_t errlen)
{
	struct institutions_batch b;
	int rc = -1;

	if (institutions_parse(buf, len, &b) != 0)
		snprintf(err, errlen, "out of memory");
	else if (b.errors_total > 0)
		snprintf(err, errlen, "registry: %s", b.errors[0]);
	else if (institutions_import_rows(db, "registry.csv", &b) != 0)
		snprintf(err, errlen, "registry: the import failed");
	else
		rc = 0;
	institutions_batch_free(&b);
	return rc;
}

enum labelled_outcome
labelled_judge(const struct labelled_tip *t, const struct router_decision *d)
{
	bool manual = strcmp(t->expected, LABELLED_MANUAL) == 0;

	if (manual)
		return d->needs_review ? LABELLED_RIGHT : LABELLED_CONFIDENT;
	if (strcmp(d->bureau, t->expected) == 0 && !d->needs_review)
		return LABELLED_RIGHT;
	return d->needs_review ? LABELLED_MISSED : LABELLED_WRONG;
}

struct signal_count {
	const char *name;
	size_t n;
	size_t right;
};

static double
pct(size_t a, size_t b)
{
	return b > 0 ? 100.0 * (double)a / (double)b : 100.0;
}

int
labelled_score(const struct router *rt, const struct labelled_set *s,
    FILE *f, struct labelled_totals *t)
{
	struct signal_count sig[MAX_SIGNALS];
	size_t nsig = 0;

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < s->n; i++) {
		const struct labelled_tip *tip = &s->v[i];
		struct router_decision d;
		enum labelled_outcome o;
		struct signal_count *sc = NULL;
		bool manual = strcmp(tip->expected, LABELLED_MANUAL) == 0;

		if (router_route_prepared(rt, &tip->in, &d) != 0)
			return -1;
		o = labelled_judge(tip, &d);
		for (size_t k = 0; k < nsig; k++)
			if (strcmp(sig[k].name, tip->signal) == 0)
				sc = &sig[k];
		if (sc == NULL && nsig < MAX_SIGNALS) {
			sc = &sig[nsig++];
			sc->name = tip->signal;
			sc->n = sc->right = 0;
		}
		if (sc != NULL) {
			sc->n++;
			if (o == LABELLED_RIGHT)
				sc->right++;
		}
		if (manual) {
			t->manual_expected++;
			if (o == LABELLED_RIGHT)
				t->manual_right++;
			else
				t->confident_wrong++;
		} else {
			t->bureau_expected++;
			if (o == LABELLED_RIGHT)
				t->bureau_right++;
			else if (o == LABELLED_WRONG)
				t->wrong_bureau++;
		}
		if (f != NULL && o != LABELLED_RIGHT)
			fprintf(f, "MISS %s (line %lu, %s): expected %s, "
			    "got %s%s [%s]\n  %s\n", tip->id, tip->line, tip->signal,
			    tip->expected, d.bureau,
			    o == LABELLED_CONFIDENT ? " (confident)" :
			    o == LABELLED_WRONG ? " (wrong bureau)" : "",
			    router_basis_str(d.basis), d.reason);
	}
	if (f == NULL)
		return 0;
	fprintf(f, "%-20s %5s %5s %8s\n", "signal", "tips", "right",
	    "accuracy");
	for (size_t k = 0; k < nsig; k++)
		fprintf(f, "%-20s %5zu %5zu %7.1f%%\n", sig[k].name, sig[k].n,
		    sig[k].right, pct(sig[k].right, sig[k].n));
	fprintf(f, "bureau expected: %zu/%zu right (%.1f%%), %zu to another "
	    "bureau, %zu sent to a person\n", t->bureau_right,
	    t->bureau_expected, pct(t->bureau_right, t->bureau_expected),
	    t->wrong_bureau, t->bureau_expected - t->bureau_right -
	    t->wrong_bureau);
	fprintf(f, "manual expected: %zu/%zu right, %zu confident wrong "
	    "routes\n", t->manual_right, t->manual_expected,
	    t->confident_wrong);
	fprintf(f, "overall: %zu/%zu right (%.1f%%)\n",
	    t->bureau_right + t->manual_right, s->n,
	    pct(t->bureau_right + t->manual_right, s->n));
	return 0;
}
