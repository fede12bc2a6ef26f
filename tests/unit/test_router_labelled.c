/* SPDX-License-Identifier: MIT */
/*
 * The router's accuracy over the labelled set (issue 6, "Tests"):
 * tests/triage/labelled.tsv, tips written the way people write, each with
 * the bureau design.md's rules give or "manual" (the city triage queue),
 * against the real reference data — the embedded data/ files loaded into a
 * fresh database as `tipline init` loads them — and the test registry
 * tests/triage/institutions.csv imported as `tipline institutions import`
 * imports it, read back with router_data_load() as the service's workers
 * read it.
 *
 * Prints every miss with the router's reason, the accuracy per signal and
 * overall, and fails below: 97 % of the right bureau where the label is a
 * bureau; any confident route where the label is manual.
 *
 * Usage: test_router_labelled DIR (DIR holds labelled.tsv and
 * institutions.csv; tests/meson.build passes tests/triage).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "service/institutions.h"
#include "service/router.h"
#include "storage/router_data.h"
#include "tests/helpers/labelled.h"

#define MIN_TIPS		120
#define MIN_BUREAU_PERMILLE	970

static const char *triage_dir = "tests/triage";

struct fixture {
	char dir[64];
	char path[128];
	struct db *db;
	struct router_data *data;
	struct router *rt;
	struct labelled_set set;
	char *registry;
	size_t registry_len;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char err[512], path[1024];

	if (fx == NULL)
		return -1;
	*state = fx;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_labelled.XXXXXX");
	snprintf(path, sizeof(path), "%s/institutions.csv", triage_dir);
	if ((fx->registry = labelled_slurp(path, &fx->registry_len)) == NULL) {
		fprintf(stderr, "setup: %s: cannot read\n", path);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/labelled.tsv", triage_dir);
	if (labelled_read(path, &fx->set, err, sizeof(err)) != 0 ||
	    labelled_db_open(fx->dir, fx->path, sizeof(fx->path), &fx->db, err,
	    sizeof(err)) != 0 ||
	    labelled_import(fx->db, fx->registry, fx->registry_len, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	if (router_data_load(fx->db, &fx->data) != STORAGE_OK ||
	    router_prepare(fx->data, &fx->rt) != 0) {
		fprintf(stderr, "setup: cannot load the router's data\n");
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	if (fx == NULL)
		return 0;
	router_free(&fx->rt);
	router_data_free(&fx->data);
	if (fx->db != NULL)
		labelled_db_close(&fx->db, fx->dir, fx->path);
	labelled_free(&fx->set);
	free(fx->registry);
	free(fx);
	return 0;
}

/* Whether code is a bureau of the loaded data. */
static bool
is_bureau(const struct router_data *d, const char *code)
{
	for (size_t i = 0; i < d->nbureaus; i++)
		if (strcmp(d->bureaus[i].code, code) == 0)
			return true;
	return false;
}

/* The set itself: big enough, labels and inputs that exist. */
static void
test_set_is_sound(void **state)
{
	struct fixture *fx = *state;
	size_t manual = 0;

	assert_true(fx->set.n >= MIN_TIPS);
	/* Every registry entry imported, each credit code valid. */
	assert_int_equal(fx->data->ninstitutions, 18);
	for (size_t i = 0; i < fx->data->ninstitutions; i++)
		assert_true(institutions_valid_credit_code(
		    fx->data->institutions[i].credit_code));
	for (size_t i = 0; i < fx->set.n; i++) {
		const struct labelled_tip *t = &fx->set.v[i];

		if (strcmp(t->expected, LABELLED_MANUAL) == 0)
			manual++;
		else if (!is_bureau(fx->data, t->expected))
			fail_msg("line %lu: no bureau %s", t->line,
			    t->expected);
		if (t->in.county != NULL && !is_bureau(fx->data, t->in.county))
			fail_msg("line %lu: no county %s", t->line,
			    t->in.county);
		if (t->in.hint_bureau != NULL &&
		    !is_bureau(fx->data, t->in.hint_bureau))
			fail_msg("line %lu: no bureau %s", t->line,
			    t->in.hint_bureau);
	}
	/* Both kinds of label, in earnest numbers. */
	assert_true(manual >= 20);
	assert_true(fx->set.n - manual >= 100);
}

/* The accuracy the issue asks for. */
static void
test_accuracy(void **state)
{
	struct fixture *fx = *state;
	struct labelled_totals t;

	assert_int_equal(labelled_score(fx->rt, &fx->set, stdout, &t), 0);
	fflush(stdout);
	assert_int_equal(t.bureau_expected + t.manual_expected, fx->set.n);
	if (t.bureau_right * 1000 < t.bureau_expected * MIN_BUREAU_PERMILLE)
		fail_msg("%zu of %zu tips with a bureau label routed right: "
		    "below 97%%", t.bureau_right, t.bureau_expected);
	if (t.confident_wrong != 0)
		fail_msg("%zu tips labelled manual were routed to a bureau",
		    t.confident_wrong);
}

/* The same answers through router_route() (prepared per call). */
static void
test_unprepared_agrees(void **state)
{
	struct fixture *fx = *state;

	for (size_t i = 0; i < fx->set.n; i++) {
		struct router_decision a, b;

		assert_int_equal(router_route_prepared(fx->rt,
		    &fx->set.v[i].in, &a), 0);
		assert_int_equal(router_route(fx->data, &fx->set.v[i].in, &b),
		    0);
		assert_string_equal(a.bureau, b.bureau);
		assert_string_equal(a.reason, b.reason);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_is_sound),
		cmocka_unit_test(test_accuracy),
		cmocka_unit_test(test_unprepared_agrees),
	};

	if (argc > 1)
		triage_dir = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}
