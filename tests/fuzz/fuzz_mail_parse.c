/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the e-mail parser (service/mail_parse.c), which
 * reads every message the LMTP listener, `tipline ingest-mail` and
 * POST /api/v1/mail accept, and of the mapping of its result to a tip
 * (mail_intake_tip_build(), pure).  The input is one message; it is
 * parsed twice: whole, with the house limits, and without its first four
 * bytes, with limits taken from those bytes so that every limit (down to
 * 0) is reached often.  Beyond what the sanitizers catch, the harness
 * checks the parser's promises and aborts if one is broken: every string
 * strict UTF-8 (RFC 3629), single-line fields without control characters,
 * the text without any but tab and line feed and within text_max, at most
 * parts_max attachments, malformed always explained in problem, and a
 * tip whose summary and details are never empty.
 *
 * Seeds: tests/fuzz/corpus/mail_parse/ (the samples of tests/data/mail/).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/mail_intake.h"
#include "service/mail_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8, like the parser's own check, without GLib. */
static bool
fuzz_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != 0) {
		uint32_t cp;
		size_t k;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p < 0xe0) {
			k = 2;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p < 0xf0) {
			k = 3;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p < 0xf5) {
			k = 4;
			cp = *p & 0x07;
		} else
			return false;
		for (size_t j = 1; j < k; j++) {
			if ((p[j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[j] & 0x3f);
		}
		if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += k;
	}
	return true;
}

static void
fuzz_check_str(const char *s, bool one_line)
{
	if (s == NULL || !fuzz_utf8(s))
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && (one_line || (*p != '\n' && *p != '\t'))) ||
		    *p == 0x7f)
			abort();
}

static void
fuzz_parse(const uint8_t *data, size_t size, const struct mail_limits *l)
{
	struct mail_parsed p;
	struct mail_intake_tip mt;

	if (mail_parse(data, size, l, &p) != 0)
		return;		/* out of memory: allowed */
	fuzz_check_str(p.subject, true);
	fuzz_check_str(p.from_addr, true);
	fuzz_check_str(p.from_name, true);
	fuzz_check_str(p.message_id, true);
	fuzz_check_str(p.text, false);
	if (strlen(p.text) > l->text_max || p.natt > l->parts_max ||
	    (p.natt > 0 && p.att == NULL) ||
	    memchr(p.problem, '\0', sizeof(p.problem)) == NULL ||
	    (p.malformed && p.problem[0] == '\0'))
		abort();
	for (size_t i = 0; i < p.natt; i++) {
		fuzz_check_str(p.att[i].name, true);
		fuzz_check_str(p.att[i].declared_type, true);
		if (p.att[i].data == NULL)
			abort();
	}
	if (mail_intake_tip_build(&p, data, size, NULL, &mt) == 0) {
		fuzz_check_str(mt.tip.summary, true);
		fuzz_check_str(mt.tip.details, false);
		if (mt.tip.summary[0] == '\0' || mt.tip.details[0] == '\0' ||
		    mt.tip.nfiles != p.natt + 1 ||
		    !mt.tip.files[0].is_original_mail ||
		    mt.tip.dedup_len < 64 ||
		    (p.malformed && !mt.tip.needs_review) ||
		    (p.anonymous && (mt.tip.contact_email != NULL ||
		    mt.tip.contact_name != NULL)))
			abort();
		mail_intake_tip_free(&mt);
	}
	mail_parsed_free(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_limits def, derived;

	mail_limits_default(&def);
	fuzz_parse(data, size, &def);
	if (size >= 4) {
		derived.depth_max = data[0] % 12;
		derived.parts_max = data[1] % 64;
		derived.header_max = (size_t)data[2] * 16;
		derived.text_max = (size_t)data[3] * 8;
		fuzz_parse(data + 4, size - 4, &derived);
	}
	return 0;
}
