/* SPDX-License-Identifier: MIT */
/*
 * The reference data the router (service/router.h) works from, as plain
 * structs: bureaus, the gazetteer, key domains with their weighted
 * keywords, violation types with their keywords, and the institution
 * registry.  router_data_load() reads all of it from SQLite in one read
 * transaction; the router itself never sees the database, and a test can
 * build a struct router_data by hand from string literals.
 *
 * Every string is UTF-8 and never NULL in loaded data ("" for a missing
 * value); the router also accepts NULL for the optional ones (marked).
 * Loaded data owns its memory in an arena freed by router_data_free();
 * hand-built data leaves `arena` NULL and owns nothing.
 *
 * Size: about a hundred places, ten bureaus, a few hundred keywords and
 * the registry (the bench uses 5 000 institutions: about 1 MB).  Loaded
 * once per worker; router_data_serial() tells cheaply whether the data
 * changed since (an import bumps it), so that a worker can reload.
 */
#ifndef STORAGE_ROUTER_DATA_H
#define STORAGE_ROUTER_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/db.h"

/* A bureau (bureaus.csv).  county_code is "" (or NULL) for the city
 * bureau, its sections and the development-zone branch. */
struct router_bureau {
	const char *code;		/* 140581, 140500, 140500-dz */
	const char *name;		/* 高平市市场监督管理局 */
	const char *county_code;	/* 140581, or "" */
};

/* A unit of the gazetteer (places.csv): a county or a town/street. */
struct router_place {
	const char *code;		/* 6 digits (county) or 9 (town) */
	const char *county_code;
	const char *kind;		/* 区 县 市 街道 镇 乡 */
	const char *name;		/* 高都镇 */
	const char *short_name;		/* 高都; "" or NULL: none */
	bool former;			/* status "former": abolished unit */
};

/* One weighted keyword of a key domain (domain-keywords.csv). */
struct router_keyword {
	const char *text;
	int weight;			/* 1..3 */
};

/* A key domain (domains.csv) with its keywords. */
struct router_domain {
	const char *code;		/* medical_ppe */
	const char *name;		/* 疫情防控有关医疗器械防护用品 */
	bool epidemic;			/* raises priority */
	const struct router_keyword *keywords;
	size_t nkeywords;
};

/* A violation type (violations.csv) with its keywords. */
struct router_violation {
	const char *code;		/* false_not_tested */
	const char *category;		/* inaccurate | false | other */
	const char *name;		/* 未经检验检测 */
	const char *const *keywords;
	size_t nkeywords;
};

/* An entry of the institution registry. */
struct router_institution {
	int64_t id;			/* institutions.id */
	const char *name;		/* as imported */
	const char *name_norm;		/* institutions_normalise_name(name);
					 * NULL or "": the router computes it */
	const char *credit_code;	/* 18 characters, upper case */
	const char *cma_cert_no;	/* "" or NULL: none */
	const char *county_code;	/* "" or NULL: unknown */
};

struct router_arena;

struct router_data {
	const struct router_bureau *bureaus;
	size_t nbureaus;
	const struct router_place *places;
	size_t nplaces;
	const struct router_domain *domains;
	size_t ndomains;
	const struct router_violation *violations;
	size_t nviolations;
	const struct router_institution *institutions;
	size_t ninstitutions;
	int64_t serial;			/* router_data_serial() when loaded */
	struct router_arena *arena;	/* loaded data only; NULL otherwise */
};

/*
 * Load everything from db in one read transaction (so call it outside a
 * transaction of your own).  On STORAGE_OK *out is a new struct the caller
 * frees with router_data_free(); on error *out is NULL.  Statuses: the
 * transient ones (BUSY, NOMEM, IO) may be retried.
 */
enum storage_status router_data_load(struct db *db, struct router_data **out);

/* Free loaded data and NULL *data.  Accepts NULL and *data == NULL. */
void router_data_free(struct router_data **data);

/*
 * The data's change counter (meta key "router_serial"; 0 if never set):
 * compare with router_data->serial to know whether to reload.  -1 on
 * error.
 */
int64_t router_data_serial(struct db *db);

/*
 * Bump the change counter.  Call inside the transaction that changes the
 * registry or the reference data, so that the bump commits with it.
 */
enum storage_status router_data_touch(struct db *db);

#endif
