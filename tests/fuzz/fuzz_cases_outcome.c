/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the outcome body parser of inspection cases
 * (service/cases.c, cases_parse_outcome()): what an officer posts as JSON
 * or as a form (flags, integer fen or yuan with two decimals, dates, the
 * joint departments as a list or as one string split at 、 , ; and line
 * ends).  The input is tried three ways: as a JSON document, and as the
 * raw text of "joint_departments" and of "fines_yuan".  Beyond what the
 * sanitizers catch, the harness aborts when a promise is broken: flags
 * -1/0/1, false_report -1..2, money -1 or a whole number of fen >= 0, the
 * joined names valid UTF-8 without a separator other than 、 and without
 * empty names, and a refusal that names its field ("name: ...").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "service/cases.h"
#include "service/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check(json_t *body)
{
	struct cases_outcome_form *f = calloc(1, sizeof(*f));
	char msg[256];
	const char *j;
	size_t n;

	if (f == NULL)
		return;
	if (cases_parse_outcome(body, f, msg, sizeof(msg)) != 0) {
		n = strspn(msg, "abcdefghijklmnopqrstuvwxyz_");
		if (n == 0 || msg[n] != ':')
			abort();
		free(f);
		return;
	}
	if (f->violation_found < -1 || f->violation_found > 1 ||
	    f->rectify_ordered < -1 || f->rectify_ordered > 1 ||
	    f->qualification_revoked < -1 || f->qualification_revoked > 1 ||
	    f->referred_police < -1 || f->referred_police > 1 ||
	    f->seriously_dishonest < -1 || f->seriously_dishonest > 1 ||
	    f->false_report < -1 || f->false_report > 2 ||
	    f->fines_fen < -1 || f->confiscated_fen < -1)
		abort();
	j = f->joint_departments;
	n = strlen(j);
	if (n >= sizeof(f->joint_departments) || !utf8_valid(j, n) ||
	    strpbrk(j, ",;\n\r") != NULL || strstr(j, "\xef\xbc\x8c") ||
	    strstr(j, "\xef\xbc\x9b") ||
	    strncmp(j, "\xe3\x80\x81", 3) == 0 ||
	    strstr(j, "\xe3\x80\x81\xe3\x80\x81") != NULL ||
	    (n >= 3 && strcmp(j + n - 3, "\xe3\x80\x81") == 0))
		abort();
	if (f->has_credit_date && f->credit_published_on[0] != '\0' &&
	    strlen(f->credit_published_on) != 10)
		abort();
	free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc, *o;
	const char *keys[] = { "joint_departments", "fines_yuan" };

	doc = json_loadb((const char *)data, size, 0, NULL);
	if (doc != NULL) {
		fuzz_check(doc);
		json_decref(doc);
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((o = json_object()) == NULL)
			return 0;
		json_object_set_new(o, keys[i], json_stringn_nocheck(
		    (const char *)data, size));
		fuzz_check(o);
		json_decref(o);
	}
	return 0;
}
