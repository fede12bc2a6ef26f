/* SPDX-License-Identifier: MIT */
/*
 * `tipline verify` (see verify.h): opens the store read-only and lets
 * storage/store_verify.c walk it; prints one line per problem.
 */
#include "service/verify.h"

#include <stdio.h>

#include "service/service.h"
#include "storage/store_verify.h"

static void
verify_report(void *arg, const char *problem)
{
	long *n = arg;

	(*n)++;
	printf("problem: %s\n", problem);
}

int
verify_main(const struct config *cfg)
{
	struct service *svc = NULL;
	struct db *db = NULL;
	char err[CONFIG_ERR_MAX];
	long reported = 0, problems;
	int rc = 1;

	if (service_open(cfg, &svc, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: %s\n", err);
		printf("problem: %s\nverify: FAILED\n", err);
		return 1;
	}
	if (service_db_open(svc, DB_OPEN_READONLY, &db, err, sizeof(err)) !=
	    STORAGE_OK) {
		fprintf(stderr, "tipline: %s\n", err);
		printf("problem: %s\nverify: FAILED\n", err);
		goto out;
	}
	problems = store_verify(db, svc->blobs, &svc->mk, verify_report,
	    &reported);
	if (problems < 0) {
		printf("verify: FAILED (the checks could not run)\n");
		goto out;
	}
	if (problems == 0 && reported == 0) {
		printf("verify: ok\n");
		rc = 0;
	} else {
		printf("verify: FAILED, %ld problem%s\n",
		    reported > problems ? reported : problems,
		    (reported > problems ? reported : problems) == 1 ? "" : "s");
	}
out:
	db_close(&db);
	service_close(&svc);
	return rc;
}
