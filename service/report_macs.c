/* SPDX-License-Identifier: MIT */
/*
 * Keyed hashes of a tip's report numbers (see report_macs.h).  The key is
 * read (or made, on first use) only when the text holds a number.
 */
#include "service/report_macs.h"

#include <string.h>

#include <sodium.h>

#include "storage/key_slots.h"

/* See report_macs.h. */
int
report_macs_compute(struct db *db, const struct keys_master *mk,
    const char nums[][REPORT_NUMBERS_LEN], size_t n,
    unsigned char out[REPORT_NUMBERS_MAX][REPORT_MACS_BYTES])
{
	unsigned char key[KEYS_KEY_BYTES];

	if (n == 0)
		return 0;
	if (n > REPORT_NUMBERS_MAX)
		return -1;
	if (key_slots_service_key(db, mk, KEY_SLOTS_PURPOSE_REPORT_NUMBER,
	    key) != STORAGE_OK)
		return -1;
	for (size_t i = 0; i < n; i++)
		crypto_generichash(out[i], REPORT_MACS_BYTES,
		    (const unsigned char *)nums[i], strlen(nums[i]), key,
		    sizeof(key));
	sodium_memzero(key, sizeof(key));
	return 0;
}
