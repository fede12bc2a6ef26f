/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the multipart/form-data parser (service/form.c),
 * which reads every form a browser or client posts.  The input is the body
 * of a request whose Content-Type names the fixed boundary "fuzzB"; it is
 * parsed twice: whole, with small fixed limits, and without its first four
 * bytes, with limits taken from those bytes so that every limit (down to
 * 0) is reached often.  Beyond what the sanitizers catch, the harness
 * checks the parser's promises and aborts if one is broken: on success,
 * parts within parts_max, values within their limit and NUL-terminated,
 * names and file names valid UTF-8, is_file matching filename, no empty
 * file field left, non-empty files within files_max, form_field()
 * agreeing; on error, an empty result, a non-empty UTF-8 message and a
 * field name exactly for the three statuses that promise one.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "service/form.h"

#define FUZZ_CT	"multipart/form-data; boundary=fuzzB"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check_ok(const struct form *f, const struct form_limits *l)
{
	size_t files = 0;
	const struct form_part *first_plain = NULL;

	if (f->nparts > l->parts_max || (f->nparts == 0) != (f->parts == NULL))
		abort();
	for (size_t i = 0; i < f->nparts; i++) {
		const struct form_part *p = &f->parts[i];

		if (p->name == NULL || !g_utf8_validate(p->name, -1, NULL) ||
		    p->data == NULL ||
		    (p->copy != NULL && (p->copy != p->data ||
		    p->copy[p->len] != 0)) ||
		    (!p->is_file && p->copy == NULL) ||
		    p->is_file != (p->filename != NULL))
			abort();
		if (p->is_file) {
			if (p->len > l->file_max ||
			    !g_utf8_validate(p->filename, -1, NULL) ||
			    (p->filename[0] == '\0' && p->len == 0))
				abort();
			if (p->len > 0)
				files++;
		} else {
			if (p->len > l->field_max)
				abort();
			if (first_plain == NULL)
				first_plain = p;
		}
	}
	if (files > l->files_max)
		abort();
	if (first_plain != NULL &&
	    form_field(f, first_plain->name) != first_plain)
		abort();
}

static void
fuzz_parse(const uint8_t *data, size_t size, const struct form_limits *l)
{
	struct form f;
	char msg[128];
	const char *field = "unset";
	enum form_status st;
	bool names_field;

	st = form_parse(FUZZ_CT, data, size, l, &f, msg, sizeof(msg), &field);
	if (st == FORM_OK) {
		if (msg[0] != '\0' || field != NULL)
			abort();
		fuzz_check_ok(&f, l);
	} else {
		if (f.parts != NULL || f.nparts != 0 || msg[0] == '\0' ||
		    !g_utf8_validate(msg, -1, NULL) || st > FORM_ERR_NOMEM)
			abort();
		names_field = st == FORM_ERR_FIELD_TOO_LONG ||
		    st == FORM_ERR_FILE_TOO_LARGE ||
		    st == FORM_ERR_TOO_MANY_FILES;
		if (names_field != (field != NULL) ||
		    (field != NULL && !g_utf8_validate(field, -1, NULL)))
			abort();
	}
	form_free(&f);
	if (f.parts != NULL || f.nparts != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_limits small = {
		.body_max = 1 << 16,
		.parts_max = 8,
		.part_header_max = 256,
		.field_max = 64,
		.file_max = 512,
		.files_max = 2,
		.boundary_max = 70,
	};
	struct form_limits derived;

	fuzz_parse(data, size, &small);
	if (size >= 4) {
		derived.parts_max = data[0] % 16;
		derived.files_max = (data[0] >> 4) % 4;
		derived.part_header_max = (size_t)data[1] * 2;
		derived.field_max = data[2] % 48;
		derived.file_max = (size_t)data[3] * 4;
		derived.body_max = (data[1] & 1) ? size - 4 : 1 << 16;
		derived.boundary_max = (data[2] & 0xc0) == 0xc0 ? 4 : 70;
		fuzz_parse(data + 4, size - 4, &derived);
	}
	return 0;
}
