/* SPDX-License-Identifier: MIT */
/*
 * Argon2id with libsodium's "moderate" operation count and "interactive"
 * memory (64 MiB): a login costs a few hundred milliseconds of one worker
 * and a bounded amount of memory, so that four workers hashing at once
 * stay within a small server's RAM.
 */
#include "service/password.h"

#include <string.h>

#define PASSWORD_OPSLIMIT crypto_pwhash_OPSLIMIT_MODERATE
#define PASSWORD_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

void
password_generate(char *buf, size_t buflen)
{
	static const char alphabet[] =
	    "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t n = PASSWORD_ONE_TIME_LEN;

	if (buflen == 0)
		return;
	if (n > buflen - 1)
		n = buflen - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	buf[n] = '\0';
}

int
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
	return crypto_pwhash_str(out, pw, strlen(pw), PASSWORD_OPSLIMIT,
	    PASSWORD_MEMLIMIT) == 0 ? 0 : -1;
}

bool
password_matches(const char *pw, const char *hash)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}
