/* SPDX-License-Identifier: MIT */
/*
 * Keyed hashes of a tipster's contact (see contact_mac.h).  The key is
 * read (or made, on first use) only when the tip gives a contact; the
 * normalised contact lives on the stack and is wiped after hashing.
 */
#include "service/contact_mac.h"

#include <string.h>

#include <sodium.h>

#include "storage/key_slots.h"

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* See contact_mac.h. */
int
contact_mac_normalise(const char *email, const char *phone, char *out,
    size_t outlen)
{
	size_t n = 0, len;
	const char *p;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (email != NULL) {
		while (is_blank(*email))
			email++;
		len = strlen(email);
		while (len > 0 && is_blank(email[len - 1]))
			len--;
		if (len > 0) {
			if (len + sizeof("email:") > outlen)
				return -1;
			memcpy(out, "email:", 6);
			for (n = 0; n < len; n++) {
				char c = email[n];

				out[6 + n] = c >= 'A' && c <= 'Z' ?
				    (char)(c - 'A' + 'a') : c;
			}
			out[6 + len] = '\0';
			return 1;
		}
	}
	if (phone == NULL)
		return 0;
	if (outlen < sizeof("phone:"))
		return -1;
	memcpy(out, "phone:", 6);
	n = 6;
	for (p = phone; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			continue;
		if (n + 1 >= outlen) {
			out[0] = '\0';
			return -1;
		}
		out[n++] = *p;
	}
	if (n == 6) {
		out[0] = '\0';
		return 0;
	}
	out[n] = '\0';
	/* China's country code before a mobile number (+86 138..., 0086
	 * 138...) names the same phone as 138... alone: 11 digits from 1. */
	len = n - 6;
	if ((len == 13 && memcmp(out + 6, "86", 2) == 0 && out[8] == '1') ||
	    (len == 15 && memcmp(out + 6, "0086", 4) == 0 && out[10] == '1')) {
		size_t cut = len - 11;

		memmove(out + 6, out + 6 + cut, 12);
	}
	return 1;
}

/* See contact_mac.h. */
int
contact_mac_compute(struct db *db, const struct keys_master *mk,
    const char *email, const char *phone,
    unsigned char out[CONTACT_MAC_BYTES], bool *has)
{
	unsigned char key[KEYS_KEY_BYTES];
	char norm[CONTACT_MAC_NORM_MAX];
	int r;

	*has = false;
	r = contact_mac_normalise(email, phone, norm, sizeof(norm));
	if (r <= 0)
		return r;
	if (key_slots_service_key(db, mk, KEY_SLOTS_PURPOSE_CONTACT, key) !=
	    STORAGE_OK) {
		sodium_memzero(norm, sizeof(norm));
		return -1;
	}
	crypto_generichash(out, CONTACT_MAC_BYTES, (const unsigned char *)norm,
	    strlen(norm), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(norm, sizeof(norm));
	*has = true;
	return 0;
}
