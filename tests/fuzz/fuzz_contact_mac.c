/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness of the contact normaliser (service/contact_mac.c),
 * which reads what the tipster typed as e-mail and phone: outside bytes.
 * The input is split at the first 0x1f byte into the e-mail and the phone
 * field (NUL-terminated copies, as intake hands them over).  Beyond what
 * the sanitizers catch, it aborts when a promise is broken: the answer is
 * 1, 0 or -1; 0 and -1 leave "" behind; 1 gives "email:" followed by a
 * non-empty text without upper-case ASCII or surrounding blanks, or
 * "phone:" followed by digits only; normalising the same fields again
 * gives the same text; a small buffer is never overrun and never holds a
 * cut contact.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/contact_mac.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *email, const char *phone, char *out, size_t outlen)
{
	char again[CONTACT_MAC_NORM_MAX * 2];
	int r = contact_mac_normalise(email, phone, out, outlen);
	size_t n;

	if (r < -1 || r > 1)
		abort();
	if (r <= 0) {
		if (out[0] != '\0')
			abort();
		return;
	}
	n = strlen(out);
	if (n >= outlen || n <= 6)
		abort();
	if (strncmp(out, "email:", 6) == 0) {
		for (size_t i = 6; i < n; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				abort();
		if (out[6] == ' ' || out[n - 1] == ' ')
			abort();
	} else if (strncmp(out, "phone:", 6) == 0) {
		for (size_t i = 6; i < n; i++)
			if (out[i] < '0' || out[i] > '9')
				abort();
	} else
		abort();
	if (contact_mac_normalise(email, phone, again, sizeof(again)) != 1 ||
	    strcmp(again, out) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = memchr(data, 0x1f, size);
	size_t first = cut != NULL ? (size_t)(cut - data) : size;
	char *email = NULL, *phone = NULL;
	char big[CONTACT_MAC_NORM_MAX * 2], small[12];

	if (size > 2 * CONTACT_MAC_NORM_MAX - 16)
		return 0;
	if ((email = malloc(first + 1)) == NULL)
		return 0;
	memcpy(email, data, first);
	email[first] = '\0';
	if (cut != NULL) {
		size_t rest = size - first - 1;

		if ((phone = malloc(rest + 1)) == NULL) {
			free(email);
			return 0;
		}
		memcpy(phone, cut + 1, rest);
		phone[rest] = '\0';
	}
	check(email, phone, big, sizeof(big));
	check(email, phone, small, sizeof(small));
	free(email);
	free(phone);
	return 0;
}
