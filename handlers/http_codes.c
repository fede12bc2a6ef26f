/* SPDX-License-Identifier: MIT */
/*
 * GET /api/v1/bureaus, /api/v1/domains, /api/v1/violations: the code
 * lists with Chinese and English names (shapes in README.md, "JSON API"):
 *
 *   {"bureaus": [{"code", "name_zh", "name_en", "parent", "county"}]}
 *     county: true when the code is a county code that the form's and
 *     the API's `county` field accept
 *   {"domains": [{"code", "name_zh", "name_en", "epidemic"}]}
 *   {"violations": [{"code", "category", "name_zh", "name_en"}]}
 *
 * The lists are read on a worker (they live in the database).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "handlers/http_routes.h"
#include "service/public_codes.h"
#include "service/workers.h"

struct codes_job {
	struct http_req *r;
	enum public_codes_list list;
	struct public_codes codes;
	int rc;
};

static void
codes_work(void *state, void *arg)
{
	struct codes_job *j = arg;

	j->rc = public_codes_load(state, 1u << j->list, &j->codes);
}

static void
codes_done(void *arg)
{
	struct codes_job *j = arg;
	json_t *root = json_object(), *items = json_array();
	const char *key = j->list == PUBLIC_CODES_BUREAUS ? "bureaus" :
	    j->list == PUBLIC_CODES_DOMAINS ? "domains" : "violations";
	char *text = NULL;

	for (size_t i = 0; j->rc == 0 && i < j->codes.n[j->list]; i++) {
		const struct public_code *c = &j->codes.items[j->list][i];
		json_t *o = json_pack("{s:s, s:s, s:s}", "code", c->code,
		    "name_zh", c->name_zh, "name_en", c->name_en);

		if (j->list == PUBLIC_CODES_BUREAUS) {
			json_object_set_new(o, "parent", c->extra[0] != '\0' ?
			    json_string(c->extra) : json_null());
			json_object_set_new(o, "county", json_boolean(c->flag));
		} else if (j->list == PUBLIC_CODES_DOMAINS) {
			json_object_set_new(o, "epidemic",
			    json_boolean(c->flag));
		} else {
			json_object_set_new(o, "category",
			    json_string(c->extra));
		}
		json_array_append_new(items, o);
	}
	json_object_set_new(root, key, items);
	if (j->rc == 0)
		text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (text == NULL) {
		http_req_add_header(j->r, "Retry-After", "30");
		http_reply_error(j->r, 503, "unavailable", "the list cannot be "
		    "read just now", NULL);
	} else {
		http_reply(j->r, 200, "application/json", text, strlen(text));
		free(text);
	}
	public_codes_free(&j->codes);
	free(j);
}

static void
codes_get(struct http_req *r, enum public_codes_list list)
{
	const struct http_server_env *env = http_server_env(r->srv);
	struct codes_job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	j->r = r;
	j->list = list;
	if (workers_submit(env->workers, codes_work, codes_done, j) == 0) {
		free(j);
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
	}
}

void
http_codes_get_bureaus(struct http_req *r)
{
	codes_get(r, PUBLIC_CODES_BUREAUS);
}

void
http_codes_get_domains(struct http_req *r)
{
	codes_get(r, PUBLIC_CODES_DOMAINS);
}

void
http_codes_get_violations(struct http_req *r)
{
	codes_get(r, PUBLIC_CODES_VIOLATIONS);
}
