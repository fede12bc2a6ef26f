/* SPDX-License-Identifier: MIT */
/*
 * Code lists for the public side (see public_codes.h): storage/codes.c
 * rows copied into arrays.  A few dozen short rows per list.
 */
#include "service/public_codes.h"

#include <stdlib.h>
#include <string.h>

#include "service/log.h"
#include "storage/codes.h"

struct public_codes_fill {
	struct public_codes *c;
	enum public_codes_list list;
	bool nomem;
};

static int
public_codes_add(void *arg, const struct codes_row *row)
{
	struct public_codes_fill *f = arg;
	struct public_code *items = f->c->items[f->list], *e;
	size_t n = f->c->n[f->list];

	items = realloc(items, (n + 1) * sizeof(*items));
	if (items == NULL) {
		f->nomem = true;
		return -1;
	}
	f->c->items[f->list] = items;
	e = &items[n];
	e->code = strdup(row->code);
	e->name_zh = strdup(row->name_zh);
	e->name_en = strdup(row->name_en);
	e->extra = strdup(row->extra);
	e->flag = row->flag;
	f->c->n[f->list] = n + 1;
	if (e->code == NULL || e->name_zh == NULL || e->name_en == NULL ||
	    e->extra == NULL) {
		f->nomem = true;
		return -1;
	}
	return 0;
}

int
public_codes_load(struct service_worker *w, unsigned mask,
    struct public_codes *out)
{
	static const enum codes_kind kinds[PUBLIC_CODES_COUNT] = {
		[PUBLIC_CODES_BUREAUS] = CODES_BUREAUS,
		[PUBLIC_CODES_COUNTIES] = CODES_COUNTIES,
		[PUBLIC_CODES_DOMAINS] = CODES_DOMAINS,
		[PUBLIC_CODES_VIOLATIONS] = CODES_VIOLATIONS,
	};

	memset(out, 0, sizeof(*out));
	for (int l = 0; l < PUBLIC_CODES_COUNT; l++) {
		struct public_codes_fill f = { out, (enum public_codes_list)l,
		    false };
		enum storage_status st;

		if (!(mask & (1u << l)))
			continue;
		st = codes_list(w->db, kinds[l], public_codes_add, &f);
		if (st != STORAGE_OK || f.nomem) {
			log_warnx("code lists: %s", f.nomem ? "out of memory" :
			    storage_status_str(st));
			public_codes_free(out);
			return -1;
		}
	}
	return 0;
}

void
public_codes_free(struct public_codes *c)
{
	if (c == NULL)
		return;
	for (int l = 0; l < PUBLIC_CODES_COUNT; l++) {
		for (size_t i = 0; i < c->n[l]; i++) {
			free(c->items[l][i].code);
			free(c->items[l][i].name_zh);
			free(c->items[l][i].name_en);
			free(c->items[l][i].extra);
		}
		free(c->items[l]);
		c->items[l] = NULL;
		c->n[l] = 0;
	}
}

bool
public_codes_has(const struct public_codes *c, enum public_codes_list list,
    const char *code)
{
	if (c == NULL || code == NULL)
		return false;
	for (size_t i = 0; i < c->n[list]; i++)
		if (strcmp(c->items[list][i].code, code) == 0)
			return true;
	return false;
}
