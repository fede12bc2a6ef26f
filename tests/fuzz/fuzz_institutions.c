/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the institution registry's outside-bytes code: the
 * import file's parse (service/institutions.c, over the CSV reader), the
 * text normaliser (service/textnorm.c) and the credit code check.  Beyond
 * what the sanitizers catch, it aborts when a promise is broken:
 *
 *   - normalising gives valid UTF-8, never longer than the input, and
 *     normalising again changes nothing;
 *   - a code with the computed check character appended is valid, and a
 *     valid code's last character is its computed check character;
 *   - every parse error reads "line N: ...", errors come in line order,
 *     and every accepted row has a valid credit code, a non-empty name
 *     whose normalised form is name_norm, a six-digit county code and
 *     line numbers that only go up.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/institutions.h"
#include "service/textnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
valid_utf8(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = textnorm_decode(s, len, i, &cp);

		if (n == 0 || cp == 0)
			return 0;
		i += n;
	}
	return 1;
}

static void
check_textnorm(const uint8_t *data, size_t size)
{
	size_t n1 = 0, n2 = 0;
	char *once = textnorm_dup((const char *)data, size, &n1);
	char *twice;

	if (once == NULL)
		abort();
	if (n1 > size || strlen(once) != n1 || !valid_utf8(once, n1))
		abort();
	if ((twice = textnorm_dup(once, n1, &n2)) == NULL)
		abort();
	if (n2 != n1 || memcmp(once, twice, n1) != 0)
		abort();
	free(once);
	free(twice);
}

static void
check_credit_code(const uint8_t *data, size_t size)
{
	char code[INSTITUTIONS_CREDIT_CODE_LEN + 1];
	char check;

	if (size < INSTITUTIONS_CREDIT_CODE_LEN)
		return;
	memcpy(code, data, INSTITUTIONS_CREDIT_CODE_LEN);
	code[INSTITUTIONS_CREDIT_CODE_LEN] = '\0';
	check = institutions_credit_code_check(code);
	if (institutions_valid_credit_code(code) &&
	    (check == '\0' || code[INSTITUTIONS_CREDIT_CODE_LEN - 1] != check))
		abort();
	if (check != '\0' && memchr(code, '\0', 17) == NULL) {
		code[INSTITUTIONS_CREDIT_CODE_LEN - 1] = check;
		if (!institutions_valid_credit_code(code))
			abort();
	}
}

static void
check_parse(const uint8_t *data, size_t size)
{
	struct institutions_batch b;
	unsigned long last = 0;

	if (institutions_parse(data, size, &b) != 0)
		abort();
	if (b.nerrors > b.errors_total ||
	    b.nerrors > INSTITUTIONS_ERRORS_MAX)
		abort();
	for (size_t i = 0; i < b.nerrors; i++) {
		unsigned long line;

		if (strncmp(b.errors[i], "line ", 5) != 0 ||
		    strstr(b.errors[i], ": ") == NULL)
			abort();
		line = strtoul(b.errors[i] + 5, NULL, 10);
		if (line < last)
			abort();
		last = line;
	}
	last = 0;
	for (size_t i = 0; i < b.nrows; i++) {
		const struct institutions_record *r = &b.rows[i];
		char *norm = institutions_normalise_name(r->name);

		if (norm == NULL || r->line <= last || r->name[0] == '\0' ||
		    strcmp(norm, r->name_norm) != 0 ||
		    !institutions_valid_credit_code(r->credit_code) ||
		    strlen(r->county_code) != 6)
			abort();
		last = r->line;
		free(norm);
	}
	institutions_batch_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_textnorm(data, size);
	check_credit_code(data, size);
	check_parse(data, size);
	return 0;
}
