/* SPDX-License-Identifier: MIT */
/*
 * The institution registry (see institutions.h): the credit code check,
 * name normalisation, the pure parse of the import file and the
 * `institutions import` command.
 *
 * All or nothing: a registry half-imported is worse than one not updated
 * (an officer would not know which rows are new), so one bad line fails
 * the whole import, every bad line is listed at once (so the file can be
 * fixed in one go), and the good run is one transaction.  The writes take
 * BEGIN IMMEDIATE with the database's busy timeout, so the command works
 * next to a running `serve`; the router's data serial moves in the same
 * transaction, which tells every worker to reload its registry.
 *
 * Load: a registry of a few thousand rows, imported now and then; the
 * file is read whole (at most INSTITUTIONS_FILE_MAX bytes).
 */
#include "service/institutions.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "service/csv.h"
#include "service/service.h"
#include "service/textnorm.h"
#include "storage/audit.h"
#include "storage/institutions.h"
#include "storage/router_data.h"
#include "storage/tip_store.h"

#define EXIT_USAGE 64
#define NFIELDS 6

static const char *const header[NFIELDS] = {
	"name", "credit_code", "cma_cert_no", "address", "county_code",
	"domains",
};

/* GB 32100-2015: the 31 characters of a code, valued 0..30 in order. */
static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* The value of c in the alphabet, or -1. */
static int
credit_value(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(credit_alphabet, c)) == NULL)
		return -1;
	return (int)(p - credit_alphabet);
}

/* The check character (see institutions.h). */
char
institutions_credit_code_check(const char *code)
{
	int sum = 0, w = 1, check;

	if (code == NULL)
		return '\0';
	for (int i = 0; i < INSTITUTIONS_CREDIT_CODE_LEN - 1; i++) {
		int v = credit_value(code[i]);

		if (v < 0)
			return '\0';
		sum += v * w;
		w = (w * 3) % 31;	/* 1 3 9 27 19 26 16 17 20 29 ... */
	}
	check = 31 - sum % 31;
	if (check == 31)
		check = 0;
	return credit_alphabet[check];
}

/* A well-formed credit code (see institutions.h). */
bool
institutions_valid_credit_code(const char *code)
{
	char check;

	if (code == NULL || strlen(code) != INSTITUTIONS_CREDIT_CODE_LEN)
		return false;
	if ((check = institutions_credit_code_check(code)) == '\0')
		return false;
	return credit_value(code[INSTITUTIONS_CREDIT_CODE_LEN - 1]) >= 0 &&
	    code[INSTITUTIONS_CREDIT_CODE_LEN - 1] == check;
}

/* The matching form of a name (see institutions.h). */
char *
institutions_normalise_name(const char *name)
{
	return textnorm_dup(name, name != NULL ? strlen(name) : 0, NULL);
}

/* ---------------------------------------------------------------------
 * The batch.
 */

/*
 * Add "line N: reason" (see institutions.h).  Past INSTITUTIONS_ERRORS_MAX
 * an error is only counted.  -1 when out of memory.
 */
int
institutions_batch_error(struct institutions_batch *b, unsigned long line,
    const char *fmt, ...)
{
	char msg[512];
	int n;
	va_list ap;

	b->errors_total++;
	if (b->nerrors >= INSTITUTIONS_ERRORS_MAX)
		return 0;
	n = snprintf(msg, sizeof(msg), "line %lu: ", line);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (b->nerrors == b->errors_cap) {
		size_t cap = b->errors_cap ? b->errors_cap * 2 : 16;
		char **v = realloc(b->errors, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		b->errors = v;
		b->errors_cap = cap;
	}
	if ((b->errors[b->nerrors] = strdup(msg)) == NULL)
		return -1;
	b->nerrors++;
	return 0;
}

static void
record_free(struct institutions_record *r)
{
	free(r->name);
	free(r->name_norm);
	free(r->credit_code);
	free(r->cma_cert_no);
	free(r->address);
	free(r->county_code);
	for (size_t i = 0; i < r->ndomains; i++)
		free(r->domains[i]);
	free(r->domains);
	memset(r, 0, sizeof(*r));
}

/* Free a batch (see institutions.h). */
void
institutions_batch_free(struct institutions_batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nrows; i++)
		record_free(&b->rows[i]);
	free(b->rows);
	for (size_t i = 0; i < b->nerrors; i++)
		free(b->errors[i]);
	free(b->errors);
	memset(b, 0, sizeof(*b));
}

/* ---------------------------------------------------------------------
 * Checking one line.
 */

/* s[0..*len) without leading and trailing blanks (ASCII, U+3000). */
static const char *
trim(const char *s, size_t *len)
{
	static const char ideo_space[] = "\xe3\x80\x80";
	size_t n = *len;

	for (;;) {
		if (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		} else if (n >= 3 && memcmp(s, ideo_space, 3) == 0) {
			s += 3;
			n -= 3;
		} else
			break;
	}
	for (;;) {
		if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		else if (n >= 3 && memcmp(s + n - 3, ideo_space, 3) == 0)
			n -= 3;
		else
			break;
	}
	*len = n;
	return s;
}

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static bool
has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

/* Upper-case ASCII letters in place. */
static void
upper(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

/* Why a credit code is wrong, into why; false if it is right. */
static bool
credit_code_problem(const char *code, char *why, size_t len)
{
	size_t n = strlen(code);
	char check;

	if (n != INSTITUTIONS_CREDIT_CODE_LEN) {
		snprintf(why, len, "credit_code \"%.40s\" must be 18 "
		    "characters, not %zu bytes", code, n);
		return true;
	}
	for (size_t i = 0; i < n; i++)
		if (credit_value(code[i]) < 0) {
			snprintf(why, len, "credit_code \"%s\": character %zu "
			    "is not one of 0-9 A-H J-N P-R T U W X Y", code,
			    i + 1);
			return true;
		}
	check = institutions_credit_code_check(code);
	if (code[n - 1] != check) {
		snprintf(why, len, "credit_code \"%s\": wrong check character "
		    "(GB 32100: should be %c)", code, check);
		return true;
	}
	return false;
}

/* A domain code: [a-z0-9_], 1..64 bytes. */
static bool
valid_domain_code(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/*
 * Check one data row into r; on a bad value add the error and return 1;
 * 0 when r is good, -1 when out of memory.
 */
static int
check_row(struct institutions_batch *b, const struct csv_row *row,
    struct institutions_record *r)
{
	char why[256];
	const char *s;
	size_t n;

	memset(r, 0, sizeof(*r));
	r->line = row->line;
	if (row->nfields != NFIELDS)
		return institutions_batch_error(b, row->line, "expected %d "
		    "fields (name,credit_code,cma_cert_no,address,county_code,"
		    "domains), found %zu", NFIELDS, row->nfields) ? -1 : 1;

	/* name */
	n = row->lens[0];
	s = trim(row->fields[0], &n);
	if (n == 0)
		return institutions_batch_error(b, row->line, "name is empty")
		    ? -1 : 1;
	if (has_control(s, n))
		return institutions_batch_error(b, row->line, "name contains "
		    "a line break or control character") ? -1 : 1;
	if (textnorm_chars(s, n) > INSTITUTIONS_NAME_MAX)
		return institutions_batch_error(b, row->line, "name is longer "
		    "than %d characters", INSTITUTIONS_NAME_MAX) ? -1 : 1;
	if ((r->name = dup_n(s, n)) == NULL ||
	    (r->name_norm = institutions_normalise_name(r->name)) == NULL)
		return -1;
	if (r->name_norm[0] == '\0')
		return institutions_batch_error(b, row->line, "name is only "
		    "blanks") ? -1 : 1;

	/* credit_code */
	n = row->lens[1];
	s = trim(row->fields[1], &n);
	if (n == 0)
		return institutions_batch_error(b, row->line, "credit_code is "
		    "empty (the registry is keyed by it)") ? -1 : 1;
	if ((r->credit_code = dup_n(s, n)) == NULL)
		return -1;
	upper(r->credit_code);
	if (credit_code_problem(r->credit_code, why, sizeof(why)))
		return institutions_batch_error(b, row->line, "%s", why) ?
		    -1 : 1;

	/* cma_cert_no */
	n = row->lens[2];
	s = trim(row->fields[2], &n);
	if ((r->cma_cert_no = dup_n(s, n)) == NULL)
		return -1;
	upper(r->cma_cert_no);
	if (n > 0) {
		bool ok = n >= INSTITUTIONS_CMA_MIN &&
		    n <= INSTITUTIONS_CMA_MAX;

		for (size_t i = 0; ok && i < n; i++)
			ok = (r->cma_cert_no[i] >= '0' &&
			    r->cma_cert_no[i] <= '9') ||
			    (r->cma_cert_no[i] >= 'A' &&
			    r->cma_cert_no[i] <= 'Z');
		if (!ok)
			return institutions_batch_error(b, row->line,
			    "cma_cert_no \"%.40s\" must be %d to %d letters "
			    "or digits", r->cma_cert_no, INSTITUTIONS_CMA_MIN,
			    INSTITUTIONS_CMA_MAX) ? -1 : 1;
	}

	/* address: a quoted line break (an address of two lines) is a blank */
	n = row->lens[3];
	s = trim(row->fields[3], &n);
	if ((r->address = dup_n(s, n)) == NULL)
		return -1;
	{
		size_t w = 0;

		for (size_t i = 0; i < n; i++) {
			char ch = r->address[i];

			if (ch == '\r' || ch == '\n') {
				if (w > 0 && r->address[w - 1] != ' ')
					r->address[w++] = ' ';
				continue;
			}
			r->address[w++] = ch;
		}
		r->address[w] = '\0';
		n = w;
	}
	if (has_control(r->address, n))
		return institutions_batch_error(b, row->line, "address "
		    "contains a control character") ? -1 : 1;
	if (textnorm_chars(r->address, n) > INSTITUTIONS_ADDRESS_MAX)
		return institutions_batch_error(b, row->line, "address is "
		    "longer than %d characters", INSTITUTIONS_ADDRESS_MAX) ?
		    -1 : 1;

	/* county_code: six digits here, a county of bureaus in the command */
	n = row->lens[4];
	s = trim(row->fields[4], &n);
	if ((r->county_code = dup_n(s, n)) == NULL)
		return -1;
	{
		bool ok = n == 6;

		for (size_t i = 0; ok && i < n; i++)
			ok = s[i] >= '0' && s[i] <= '9';
		if (!ok)
			return institutions_batch_error(b, row->line,
			    "county_code \"%.40s\" is not a six-digit county "
			    "code", r->county_code) ? -1 : 1;
	}

	/* domains: ';'-separated codes, blanks and repeats ignored */
	{
		const char *p = row->fields[5], *end = p + row->lens[5];

		while (p <= end) {
			const char *semi = memchr(p, ';', (size_t)(end - p));
			const char *e = semi != NULL ? semi : end;
			size_t dl = (size_t)(e - p);
			const char *d = trim(p, &dl);
			bool dup = false;

			p = e + 1;
			if (dl == 0)
				continue;
			if (!valid_domain_code(d, dl))
				return institutions_batch_error(b, row->line,
				    "domains: \"%.*s\" is not a domain code",
				    (int)(dl > 64 ? 64 : dl), d) ? -1 : 1;
			for (size_t i = 0; i < r->ndomains; i++)
				if (strlen(r->domains[i]) == dl &&
				    memcmp(r->domains[i], d, dl) == 0)
					dup = true;
			if (dup)
				continue;
			if (r->ndomains >= INSTITUTIONS_DOMAINS_MAX)
				return institutions_batch_error(b, row->line,
				    "domains: more than %d",
				    INSTITUTIONS_DOMAINS_MAX) ? -1 : 1;
			if (r->domains == NULL && (r->domains = calloc(
			    INSTITUTIONS_DOMAINS_MAX, sizeof(char *))) == NULL)
				return -1;
			if ((r->domains[r->ndomains] = dup_n(d, dl)) == NULL)
				return -1;
			r->ndomains++;
		}
	}
	return 0;
}

static int
add_row(struct institutions_batch *b, struct institutions_record *r)
{
	if (b->nrows == b->rows_cap) {
		size_t cap = b->rows_cap ? b->rows_cap * 2 : 64;
		struct institutions_record *v;

		if (cap > SIZE_MAX / sizeof(*v) ||
		    (v = realloc(b->rows, cap * sizeof(*v))) == NULL)
			return -1;
		b->rows = v;
		b->rows_cap = cap;
	}
	b->rows[b->nrows++] = *r;
	memset(r, 0, sizeof(*r));
	return 0;
}

static int
cmp_credit(const void *a, const void *b)
{
	const struct institutions_record *x = *(const struct
	    institutions_record *const *)a;
	const struct institutions_record *y = *(const struct
	    institutions_record *const *)b;
	int c = strcmp(x->credit_code, y->credit_code);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
cmp_error_line(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	unsigned long lx = strtoul(x + 5, NULL, 10);
	unsigned long ly = strtoul(y + 5, NULL, 10);

	return lx < ly ? -1 : lx > ly;
}

/*
 * The same credit code on two lines: the later lines are bad (reported
 * and dropped from the rows).
 */
static int
check_duplicates(struct institutions_batch *b)
{
	struct institutions_record **v;
	bool *dup;
	size_t w = 0;
	int rc = 0;

	if (b->nrows < 2)
		return 0;
	if ((v = calloc(b->nrows, sizeof(*v))) == NULL)
		return -1;
	if ((dup = calloc(b->nrows, sizeof(*dup))) == NULL) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < b->nrows; i++)
		v[i] = &b->rows[i];
	qsort(v, b->nrows, sizeof(*v), cmp_credit);
	for (size_t i = 1, first = 0; i < b->nrows && rc == 0; i++) {
		if (strcmp(v[first]->credit_code, v[i]->credit_code) != 0) {
			first = i;
			continue;
		}
		dup[v[i] - b->rows] = true;
		rc = institutions_batch_error(b, v[i]->line,
		    "credit_code %s is also on line %lu", v[i]->credit_code,
		    v[first]->line);
	}
	for (size_t i = 0; i < b->nrows; i++) {
		if (dup[i])
			record_free(&b->rows[i]);
		else
			b->rows[w++] = b->rows[i];
	}
	b->nrows = w;
	free(dup);
	free(v);
	return rc;
}

/* Parse the import file (see institutions.h). */
int
institutions_parse(const void *buf, size_t len, struct institutions_batch *b)
{
	struct csv_reader rd;
	struct csv_row row;
	struct institutions_record rec;
	char err[200];
	bool first = true;
	int rc;

	memset(b, 0, sizeof(*b));
	if (csv_reader_init(&rd, buf, len, NULL) != 0)
		return -1;
	while ((rc = csv_next_row(&rd, &row, err, sizeof(err))) == 1) {
		int r;

		if (first) {
			bool ok = row.nfields == NFIELDS;

			first = false;
			for (size_t i = 0; ok && i < NFIELDS; i++) {
				size_t n = row.lens[i];
				const char *s = trim(row.fields[i], &n);

				ok = n == strlen(header[i]) &&
				    memcmp(s, header[i], n) == 0;
			}
			if (!ok && institutions_batch_error(b, row.line,
			    "the header must be name,credit_code,cma_cert_no,"
			    "address,county_code,domains") != 0)
				goto nomem;
			if (!ok)
				break;
			continue;
		}
		r = check_row(b, &row, &rec);
		if (r < 0) {
			record_free(&rec);
			goto nomem;
		}
		if (r > 0) {
			record_free(&rec);
			continue;
		}
		if (add_row(b, &rec) != 0) {
			record_free(&rec);
			goto nomem;
		}
	}
	if (rc < 0) {
		/* err is "line N: reason" already. */
		unsigned long line = strtoul(err + 5, NULL, 10);
		const char *why = strstr(err, ": ");

		if (institutions_batch_error(b, line, "%s", why != NULL ?
		    why + 2 : err) != 0)
			goto nomem;
	} else if (first && institutions_batch_error(b, 1, "the file is "
	    "empty (expected the header name,credit_code,cma_cert_no,"
	    "address,county_code,domains)") != 0)
		goto nomem;
	csv_reader_free(&rd);
	if (check_duplicates(b) != 0)
		return -1;
	if (b->nerrors > 1)
		qsort(b->errors, b->nerrors, sizeof(b->errors[0]),
		    cmp_error_line);
	return 0;
nomem:
	csv_reader_free(&rd);
	return -1;
}

/* ---------------------------------------------------------------------
 * The command.
 */

/* Read path whole into *buf (see institutions.h). */
int
institutions_read_file(const char *path, char **buf, size_t *len, char *err,
    size_t errlen)
{
	struct stat sb;
	char *p = NULL;
	size_t got = 0;
	int fd;

	*buf = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)sb.st_size > INSTITUTIONS_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %u MiB", path,
		    INSTITUTIONS_FILE_MAX >> 20);
		goto fail;
	}
	if ((p = malloc((size_t)sb.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, p + got, (size_t)sb.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*buf = p;
	*len = got;
	return 0;
fail:
	free(p);
	close(fd);
	return -1;
}

/* The checks that need the database: county and domains exist. */
static int
check_references(struct db *db, struct institutions_batch *b)
{
	for (size_t i = 0; i < b->nrows; i++) {
		const struct institutions_record *r = &b->rows[i];

		if (!tip_store_is_county(db, r->county_code) &&
		    institutions_batch_error(b, r->line, "county_code %s is "
		    "not a county with a bureau (see GET /api/v1/bureaus)",
		    r->county_code) != 0)
			return -1;
		for (size_t k = 0; k < r->ndomains; k++)
			if (!tip_store_is_domain(db, r->domains[k]) &&
			    institutions_batch_error(b, r->line, "domains: %s "
			    "is not a key domain (see GET /api/v1/domains)",
			    r->domains[k]) != 0)
				return -1;
	}
	if (b->nerrors > 1)
		qsort(b->errors, b->nerrors, sizeof(b->errors[0]),
		    cmp_error_line);
	return 0;
}

static void
print_errors(const char *path, const struct institutions_batch *b)
{
	for (size_t i = 0; i < b->nerrors; i++)
		fprintf(stderr, "tipline: %s: %s\n", path, b->errors[i]);
	if (b->errors_total > b->nerrors)
		fprintf(stderr, "tipline: %s: ... and %zu more bad lines\n",
		    path, b->errors_total - b->nerrors);
	fprintf(stderr, "tipline: %s: %zu bad line%s; nothing imported\n",
	    path, b->errors_total, b->errors_total == 1 ? "" : "s");
}

/* The import itself, with the database open (see institutions.h). */
int
institutions_import_rows(struct db *db, const char *path,
    struct institutions_batch *b)
{
	size_t added = 0, updated = 0, unchanged = 0;
	int64_t now = (int64_t)time(NULL);
	enum storage_status st;
	char counts[160];
	const char *base = strrchr(path, '/');

	if ((st = db_begin(db)) != STORAGE_OK) {
		fprintf(stderr, "tipline: cannot start the import: %s%s\n",
		    storage_status_str(st), storage_status_is_transient(st) ?
		    " (try again)" : "");
		return 1;
	}
	if (check_references(db, b) != 0) {
		fprintf(stderr, "tipline: out of memory\n");
		goto fail;
	}
	if (b->errors_total > 0) {
		print_errors(path, b);
		goto fail;
	}
	for (size_t i = 0; i < b->nrows; i++) {
		const struct institutions_record *r = &b->rows[i];
		struct institutions_row row = {
			.name = r->name,
			.name_norm = r->name_norm,
			.credit_code = r->credit_code,
			.cma_cert_no = r->cma_cert_no,
			.address = r->address,
			.county_code = r->county_code,
			.domains = (const char *const *)r->domains,
			.ndomains = r->ndomains,
		};
		enum institutions_change ch;

		if ((st = institutions_upsert(db, &row, now, NULL, &ch)) !=
		    STORAGE_OK) {
			fprintf(stderr, "tipline: %s: line %lu: cannot store: "
			    "%s; nothing imported\n", path, r->line,
			    storage_status_str(st));
			goto fail;
		}
		if (ch == INSTITUTIONS_ADDED)
			added++;
		else if (ch == INSTITUTIONS_UPDATED)
			updated++;
		else
			unchanged++;
	}
	snprintf(counts, sizeof(counts), "rows=%zu added=%zu updated=%zu "
	    "unchanged=%zu", b->nrows, added, updated, unchanged);
	if ((added + updated > 0 && (st = router_data_touch(db)) !=
	    STORAGE_OK) ||
	    (st = audit_append(db, now, "cli", "institutions.import",
	    base != NULL ? base + 1 : path, counts)) != STORAGE_OK ||
	    (st = db_commit(db)) != STORAGE_OK) {
		fprintf(stderr, "tipline: %s: cannot commit: %s; nothing "
		    "imported\n", path, storage_status_str(st));
		goto fail;
	}
	printf("institutions import: %zu row%s: %zu added, %zu updated, "
	    "%zu unchanged\n", b->nrows, b->nrows == 1 ? "" : "s", added,
	    updated, unchanged);
	return 0;
fail:
	db_rollback(db);
	return 1;
}

/* `tipline institutions import FILE.csv` (see institutions.h). */
int
institutions_main(const struct config *cfg, const struct options *o)
{
	struct institutions_batch b;
	struct service *svc = NULL;
	struct db *db = NULL;
	char err[CONFIG_ERR_MAX];
	char *buf = NULL;
	size_t len = 0;
	const char *path;
	int rc = 1;

	memset(&b, 0, sizeof(b));
	if (o->nargs != 2 || strcmp(o->args[0], "import") != 0) {
		options_usage(o->command, stderr);
		return EXIT_USAGE;
	}
	path = o->args[1];
	if (institutions_read_file(path, &buf, &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: %s\n", err);
		return 1;
	}
	if (institutions_parse(buf, len, &b) != 0) {
		fprintf(stderr, "tipline: out of memory\n");
		goto out;
	}
	if (service_open(cfg, &svc, err, sizeof(err)) != 0 ||
	    service_db_open(svc, 0, &db, err, sizeof(err)) != STORAGE_OK) {
		if (b.errors_total > 0)
			print_errors(path, &b);
		fprintf(stderr, "tipline: %s\n", err);
		goto out;
	}
	/*
	 * Lines already bad: report the database checks of the others too,
	 * without taking the write lock, so the file can be fixed at once.
	 */
	if (b.errors_total > 0) {
		if (check_references(db, &b) != 0)
			fprintf(stderr, "tipline: out of memory\n");
		print_errors(path, &b);
		goto out;
	}
	rc = institutions_import_rows(db, path, &b);
out:
	db_close(&db);
	service_close(&svc);
	institutions_batch_free(&b);
	free(buf);
	return rc;
}
