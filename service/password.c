/* SPDX-License-Identifier: MIT */
/*
 * Argon2id with libsodium's "moderate" operation count (3 passes) and
 * "interactive" memory (64 MiB): a login costs a few hundred milliseconds
 * of one worker and a bounded amount of memory, so that four workers
 * hashing at once stay within a small server's RAM (libsodium's
 * "moderate" memory, 256 MiB, would need 1 GiB for four at once).  The
 * parameters are stored in each hash string, so raising them later only
 * affects new hashes.
 */
#include "service/password.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define PASSWORD_OPSLIMIT crypto_pwhash_OPSLIMIT_MODERATE
#define PASSWORD_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

_Static_assert(PASSWORD_MIN_LEN == 12 && PASSWORD_MAX_BYTES == 1024,
    "the messages of password_valid_new() name these numbers");

static pthread_once_t password_dummy_once = PTHREAD_ONCE_INIT;
static char password_dummy[PASSWORD_HASH_MAX];

/*
 * A one-time password for `init` and `user add`.  Called on the command
 * line or a worker; randombytes_uniform() is thread-safe.
 */
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

/* Argon2id hash of pw (worker or command line: it takes a while). */
int
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
	return crypto_pwhash_str(out, pw, strlen(pw), PASSWORD_OPSLIMIT,
	    PASSWORD_MEMLIMIT) == 0 ? 0 : -1;
}

/* Whether pw matches the stored Argon2id hash (worker only). */
bool
password_matches(const char *pw, const char *hash)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* Length of the UTF-8 sequence at s, 0 if invalid (RFC 3629). */
static size_t
password_utf8_len(const unsigned char *s)
{
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		hi = s[0] == 0xed ? 0x9f : 0xbf;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		lo = s[0] == 0xf0 ? 0x90 : 0x80;
		hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* The rules for a new password (see password.h). */
bool
password_valid_new(const char *pw, const char **why)
{
	const unsigned char *p = (const unsigned char *)pw;
	size_t chars = 0, n;

	if (why != NULL)
		*why = NULL;
	if (pw == NULL || strlen(pw) > PASSWORD_MAX_BYTES) {
		if (why != NULL)
			*why = "the password is longer than 1024 bytes";
		return false;
	}
	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f ||
		    (n = password_utf8_len(p)) == 0) {
			if (why != NULL)
				*why = "the password must be UTF-8 text "
				    "without control characters";
			return false;
		}
		p += n;
		chars++;
	}
	if (chars < PASSWORD_MIN_LEN) {
		if (why != NULL)
			*why = "the password must have at least 12 characters";
		return false;
	}
	return true;
}

static void
password_dummy_init(void)
{
	static const char pw[] = "tipline dummy password, never a real one";

	if (crypto_pwhash_str(password_dummy, pw, sizeof(pw) - 1,
	    PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0)
		password_dummy[0] = '\0';
}

/*
 * The dummy hash is made once per process (the first unknown login pays
 * for it twice); any thread may call this.
 */
bool
password_matches_dummy(const char *pw)
{
	(void)pthread_once(&password_dummy_once, password_dummy_init);
	if (password_dummy[0] != '\0' &&
	    crypto_pwhash_str_verify(password_dummy, pw, strlen(pw)) == 0)
		return false;	/* the dummy's own text: still no account */
	return false;
}
