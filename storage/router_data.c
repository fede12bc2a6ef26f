/* SPDX-License-Identifier: MIT */
/*
 * Loading the router's reference data (see router_data.h) from SQLite into
 * plain structs: bureaus, places, domains with keywords, violation types
 * with keywords and the institution registry, all read inside one read
 * transaction so that the snapshot is consistent even while an import
 * commits next to it.
 *
 * Memory: every array and string lives in one arena (a list of blocks of
 * at least 64 KiB), so that the whole snapshot is freed at once and the
 * structs can expose const pointers.  Arrays are sized by a count(*) in the
 * same transaction, then filled.  About 1 MB for 5 000 institutions;
 * loaded once per worker and again only when router_data_serial() moves.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "storage/db.h"
#include "storage/router_data.h"

#define ARENA_BLOCK_MIN	(64 * 1024)
#define SERIAL_KEY	"router_serial"

struct router_arena_block {
	struct router_arena_block *next;
	size_t used;
	size_t cap;
	alignas(max_align_t) unsigned char data[];
};

struct router_arena {
	struct router_arena_block *head;
};

/* n bytes, aligned for any type, from the arena; NULL when out of memory. */
static void *
arena_alloc(struct router_arena *a, size_t n)
{
	struct router_arena_block *b = a->head;
	size_t align = alignof(max_align_t);
	size_t off;

	if (n == 0)
		n = 1;
	if (b != NULL) {
		off = (b->used + align - 1) & ~(align - 1);
		if (off <= b->cap && b->cap - off >= n) {
			b->used = off + n;
			return b->data + off;
		}
	}
	{
		size_t cap = n > ARENA_BLOCK_MIN ? n : ARENA_BLOCK_MIN;

		if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->cap = cap;
		b->used = n;
		b->next = a->head;
		a->head = b;
		return b->data;
	}
}

/* A copy of column col of st ("" for NULL) in the arena. */
static const char *
arena_column(struct router_arena *a, sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	char *p;

	if (s == NULL || n <= 0)
		return "";
	if ((p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	memcpy(p, s, (size_t)n);
	p[n] = '\0';
	return p;
}

static void
arena_free(struct router_arena *a)
{
	struct router_arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

/* The single integer a query answers (a count). */
static enum storage_status
rd_count(sqlite3 *sq, const char *sql, const char *bind, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = sqlite3_prepare_v2(sq, sql, -1, &st, NULL)) != SQLITE_OK)
		return db_status_from_sqlite(rc);
	if (bind != NULL)
		sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 v = sqlite3_column_int64(st, 0);

		*n = v > 0 ? (size_t)v : 0;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return db_status_from_sqlite(rc);
}

/*
 * Run sql (with an optional text parameter ?1) and call row() for each of
 * at most max rows; row returns 0, or -1 when out of memory.
 */
static enum storage_status
rd_each(sqlite3 *sq, const char *sql, const char *bind, size_t max,
    int (*row)(void *arg, sqlite3_stmt *st, size_t i), void *arg,
    size_t *nrows)
{
	sqlite3_stmt *st = NULL;
	enum storage_status status = STORAGE_OK;
	size_t i = 0;
	int rc;

	if ((rc = sqlite3_prepare_v2(sq, sql, -1, &st, NULL)) != SQLITE_OK)
		return db_status_from_sqlite(rc);
	if (bind != NULL)
		sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && i < max) {
		if (row(arg, st, i) != 0) {
			status = STORAGE_ERR_NOMEM;
			break;
		}
		i++;
	}
	if (status == STORAGE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		status = db_status_from_sqlite(rc);
	sqlite3_finalize(st);
	*nrows = i;
	return status;
}

struct rd_ctx {
	struct router_arena *arena;
	struct router_bureau *bureaus;
	struct router_place *places;
	struct router_domain *domains;
	struct router_keyword *keywords;	/* of the current domain */
	struct router_violation *violations;
	const char **vkeywords;			/* of the current violation */
	struct router_institution *institutions;
};

static int
rd_bureau(void *arg, sqlite3_stmt *st, size_t i)
{
	struct rd_ctx *c = arg;
	struct router_bureau *b = &c->bureaus[i];

	b->code = arena_column(c->arena, st, 0);
	b->name = arena_column(c->arena, st, 1);
	b->county_code = arena_column(c->arena, st, 2);
	return b->code && b->name && b->county_code ? 0 : -1;
}

static int
rd_place(void *arg, sqlite3_stmt *st, size_t i)
{
	struct rd_ctx *c = arg;
	struct router_place *p = &c->places[i];
	const unsigned char *status = sqlite3_column_text(st, 5);

	p->code = arena_column(c->arena, st, 0);
	p->county_code = arena_column(c->arena, st, 1);
	p->kind = arena_column(c->arena, st, 2);
	p->name = arena_column(c->arena, st, 3);
	p->short_name = arena_column(c->arena, st, 4);
	p->former = status != NULL &&
	    strcmp((const char *)status, "former") == 0;
	return p->code && p->county_code && p->kind && p->name &&
	    p->short_name ? 0 : -1;
}

static int
rd_domain(void *arg, sqlite3_stmt *st, size_t i)
{
	struct rd_ctx *c = arg;
	struct router_domain *d = &c->domains[i];

	d->code = arena_column(c->arena, st, 0);
	d->name = arena_column(c->arena, st, 1);
	d->epidemic = sqlite3_column_int(st, 2) != 0;
	return d->code && d->name ? 0 : -1;
}

static int
rd_keyword(void *arg, sqlite3_stmt *st, size_t i)
{
	struct rd_ctx *c = arg;

	c->keywords[i].text = arena_column(c->arena, st, 0);
	c->keywords[i].weight = sqlite3_column_int(st, 1);
	return c->keywords[i].text ? 0 : -1;
}

static int
rd_violation(void *arg, sqlite3_stmt *st, size_t i)
{
	struct rd_ctx *c = arg;
	struct router_violation *v = &c->violations[i];

	v->code = arena_column(c->arena, st, 0);
	v->category = arena_column(c->arena, st, 1);
	v->name = arena_column(c->arena, st, 2);
	return v->code && v->category && v->name ? 0 : -1;
}

static int
rd_vkeyword(void *arg, sqlite3_stmt *st, size_t i)
{
	struct rd_ctx *c = arg;

	c->vkeywords[i] = arena_column(c->arena, st, 0);
	return c->vkeywords[i] ? 0 : -1;
}

static int
rd_institution(void *arg, sqlite3_stmt *st, size_t i)
{
	struct rd_ctx *c = arg;
	struct router_institution *r = &c->institutions[i];

	r->id = sqlite3_column_int64(st, 0);
	r->name = arena_column(c->arena, st, 1);
	r->name_norm = arena_column(c->arena, st, 2);
	r->credit_code = arena_column(c->arena, st, 3);
	r->cma_cert_no = arena_column(c->arena, st, 4);
	r->county_code = arena_column(c->arena, st, 5);
	return r->name && r->name_norm && r->credit_code && r->cma_cert_no &&
	    r->county_code ? 0 : -1;
}

/* An array of n elements of size sz in the arena (n may be 0). */
static void *
rd_array(struct router_arena *a, size_t n, size_t sz)
{
	if (n > SIZE_MAX / sz)
		return NULL;
	return arena_alloc(a, n * sz);
}

/* The body of router_data_load, inside the read transaction. */
static enum storage_status
rd_load_all(sqlite3 *sq, struct router_data *d, struct rd_ctx *c)
{
	enum storage_status st;
	size_t n, got;

	/* Bureaus. */
	if ((st = rd_count(sq, "SELECT count(*) FROM bureaus", NULL, &n)) !=
	    STORAGE_OK)
		return st;
	if ((c->bureaus = rd_array(c->arena, n, sizeof(*c->bureaus))) == NULL)
		return STORAGE_ERR_NOMEM;
	if ((st = rd_each(sq, "SELECT code, name_zh, county_code FROM bureaus"
	    " ORDER BY code", NULL, n, rd_bureau, c, &got)) != STORAGE_OK)
		return st;
	d->bureaus = c->bureaus;
	d->nbureaus = got;

	/* The gazetteer. */
	if ((st = rd_count(sq, "SELECT count(*) FROM places", NULL, &n)) !=
	    STORAGE_OK)
		return st;
	if ((c->places = rd_array(c->arena, n, sizeof(*c->places))) == NULL)
		return STORAGE_ERR_NOMEM;
	if ((st = rd_each(sq, "SELECT code, county_code, kind, name,"
	    " short_name, status FROM places ORDER BY id", NULL, n, rd_place,
	    c, &got)) != STORAGE_OK)
		return st;
	d->places = c->places;
	d->nplaces = got;

	/* Domains and their keywords. */
	if ((st = rd_count(sq, "SELECT count(*) FROM domains", NULL, &n)) !=
	    STORAGE_OK)
		return st;
	if ((c->domains = rd_array(c->arena, n, sizeof(*c->domains))) == NULL)
		return STORAGE_ERR_NOMEM;
	if ((st = rd_each(sq, "SELECT code, name_zh, epidemic FROM domains"
	    " ORDER BY position, code", NULL, n, rd_domain, c, &got)) !=
	    STORAGE_OK)
		return st;
	d->domains = c->domains;
	d->ndomains = got;
	for (size_t i = 0; i < d->ndomains; i++) {
		struct router_domain *dom = &c->domains[i];

		if ((st = rd_count(sq, "SELECT count(*) FROM domain_keywords"
		    " WHERE domain = ?1", dom->code, &n)) != STORAGE_OK)
			return st;
		if ((c->keywords = rd_array(c->arena, n,
		    sizeof(*c->keywords))) == NULL)
			return STORAGE_ERR_NOMEM;
		if ((st = rd_each(sq, "SELECT keyword, weight FROM"
		    " domain_keywords WHERE domain = ?1 ORDER BY keyword",
		    dom->code, n, rd_keyword, c, &got)) != STORAGE_OK)
			return st;
		dom->keywords = c->keywords;
		dom->nkeywords = got;
	}

	/* Violation types and their keywords, in file order. */
	if ((st = rd_count(sq, "SELECT count(*) FROM violation_types", NULL,
	    &n)) != STORAGE_OK)
		return st;
	if ((c->violations = rd_array(c->arena, n,
	    sizeof(*c->violations))) == NULL)
		return STORAGE_ERR_NOMEM;
	if ((st = rd_each(sq, "SELECT code, category, name_zh FROM"
	    " violation_types ORDER BY rowid", NULL, n, rd_violation, c,
	    &got)) != STORAGE_OK)
		return st;
	d->violations = c->violations;
	d->nviolations = got;
	for (size_t i = 0; i < d->nviolations; i++) {
		struct router_violation *v = &c->violations[i];

		if ((st = rd_count(sq, "SELECT count(*) FROM"
		    " violation_keywords WHERE violation = ?1", v->code, &n)) !=
		    STORAGE_OK)
			return st;
		if ((c->vkeywords = rd_array(c->arena, n,
		    sizeof(*c->vkeywords))) == NULL)
			return STORAGE_ERR_NOMEM;
		if ((st = rd_each(sq, "SELECT keyword FROM violation_keywords"
		    " WHERE violation = ?1 ORDER BY keyword", v->code, n,
		    rd_vkeyword, c, &got)) != STORAGE_OK)
			return st;
		v->keywords = c->vkeywords;
		v->nkeywords = got;
	}

	/* The institution registry. */
	if ((st = rd_count(sq, "SELECT count(*) FROM institutions", NULL,
	    &n)) != STORAGE_OK)
		return st;
	if ((c->institutions = rd_array(c->arena, n,
	    sizeof(*c->institutions))) == NULL)
		return STORAGE_ERR_NOMEM;
	if ((st = rd_each(sq, "SELECT id, name, name_norm, credit_code,"
	    " cma_cert_no, county_code FROM institutions ORDER BY id", NULL, n,
	    rd_institution, c, &got)) != STORAGE_OK)
		return st;
	d->institutions = c->institutions;
	d->ninstitutions = got;
	return STORAGE_OK;
}

/*
 * Load the whole snapshot (see router_data.h).  A deferred BEGIN: the first
 * SELECT pins a WAL read snapshot, so the counts and the rows agree even
 * while a writer commits.
 */
enum storage_status
router_data_load(struct db *db, struct router_data **out)
{
	struct router_data *d = NULL;
	struct rd_ctx c;
	sqlite3 *sq;
	enum storage_status st;
	int64_t serial;
	int rc;

	*out = NULL;
	if (db == NULL)
		return STORAGE_ERR_INVALID;
	sq = db_sqlite(db);
	memset(&c, 0, sizeof(c));
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (c.arena = calloc(1, sizeof(*c.arena))) == NULL) {
		free(d);
		return STORAGE_ERR_NOMEM;
	}
	d->arena = c.arena;
	if ((rc = sqlite3_exec(sq, "BEGIN", NULL, NULL, NULL)) != SQLITE_OK) {
		router_data_free(&d);
		return db_status_from_sqlite(rc);
	}
	if ((serial = router_data_serial(db)) < 0)
		st = STORAGE_ERR_INTERNAL;
	else
		st = rd_load_all(sq, d, &c);
	(void)sqlite3_exec(sq, "COMMIT", NULL, NULL, NULL);
	if (st != STORAGE_OK) {
		router_data_free(&d);
		return st;
	}
	d->serial = serial;
	*out = d;
	return STORAGE_OK;
}

/* Free a loaded snapshot (see router_data.h): the arena, then the struct. */
void
router_data_free(struct router_data **data)
{
	if (data == NULL || *data == NULL)
		return;
	arena_free((*data)->arena);
	free(*data);
	*data = NULL;
}

/*
 * The change counter (see router_data.h).  A value that is not a decimal
 * number (edited by hand) reads as 0: the next touch makes it 1 again.
 */
int64_t
router_data_serial(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	int rc;

	if (db == NULL || sqlite3_prepare_v2(db_sqlite(db), "SELECT value FROM"
	    " meta WHERE key = '" SERIAL_KEY "'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		v = 0;
	else if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		char *end = NULL;
		long long x = s != NULL ? strtoll(s, &end, 10) : -1;

		v = (s != NULL && end != s && *end == '\0' && x >= 0) ? x : 0;
	}
	sqlite3_finalize(st);
	return v;
}

/* Bump the change counter inside the caller's transaction. */
enum storage_status
router_data_touch(struct db *db)
{
	char *msg = NULL;
	int rc;

	if (db == NULL)
		return STORAGE_ERR_INVALID;
	rc = sqlite3_exec(db_sqlite(db), "INSERT INTO meta (key, value)"
	    " VALUES ('" SERIAL_KEY "', '1') ON CONFLICT (key) DO UPDATE SET"
	    " value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)", NULL, NULL,
	    &msg);
	sqlite3_free(msg);
	return db_status_from_sqlite(rc);
}
