/* SPDX-License-Identifier: MIT */
/*
 * Sealed records: small values (a tip's text, an attachment's file name, a
 * wrapped content key) encrypted with crypto_aead_xchacha20poly1305_ietf.
 *
 * A sealed record is
 *   magic "TLR" | version 0x01 | suite 0x01 | nonce[24] | ciphertext | tag[16]
 * and the associated data given to libsodium is the 5 header bytes followed
 * by the caller's identity string (without its NUL), so neither the header
 * nor the record's identity can be changed without the tag failing.  The
 * nonce is random (192 bits, safe to pick at random for any number of
 * messages under one key).
 *
 * Load: one call per stored or read field, on worker threads; no state is
 * kept between calls, so any thread may call at any time.  Limits: at most
 * RECORD_MAX_PLAIN bytes of plaintext; a sealed value claiming more is
 * refused as corrupt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "storage/record.h"

#define RECORD_NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define RECORD_TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define RECORD_VERSION 0x01
#define RECORD_SUITE_XCHACHA20POLY1305 0x01

static const unsigned char record_magic[3] = { 'T', 'L', 'R' };

_Static_assert(RECORD_NONCE_BYTES == 24, "nonce size in the format");
_Static_assert(RECORD_TAG_BYTES == 16, "tag size in the format");
_Static_assert(RECORD_KEY_BYTES ==
    crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "key size");
_Static_assert(RECORD_OVERHEAD ==
    RECORD_HEADER_BYTES + RECORD_NONCE_BYTES + RECORD_TAG_BYTES, "overhead");

/*
 * Build the associated data: header || ad.  Returns a malloc'd buffer of
 * *adlen bytes, or NULL when out of memory.
 */
static unsigned char *
record_ad(const unsigned char header[RECORD_HEADER_BYTES], const char *ad,
    size_t *adlen)
{
	size_t n = ad != NULL ? strlen(ad) : 0;
	unsigned char *buf;

	if (n > SIZE_MAX - RECORD_HEADER_BYTES)
		return NULL;
	if ((buf = malloc(RECORD_HEADER_BYTES + n)) == NULL)
		return NULL;
	memcpy(buf, header, RECORD_HEADER_BYTES);
	if (n > 0)
		memcpy(buf + RECORD_HEADER_BYTES, ad, n);
	*adlen = RECORD_HEADER_BYTES + n;
	return buf;
}

/*
 * Seal plain[0..len) under key, binding the identity string ad (NULL is
 * taken as "").  Returns STORAGE_ERR_INVALID for a NULL argument or more
 * than RECORD_MAX_PLAIN bytes, STORAGE_ERR_NOMEM, STORAGE_ERR_INTERNAL if
 * libsodium cannot be initialised.  On STORAGE_OK the caller owns *out
 * (*outlen bytes); on error *out is NULL.
 */
enum storage_status
record_seal(const unsigned char key[RECORD_KEY_BYTES], const char *ad,
    const void *plain, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *buf = NULL, *adbuf = NULL;
	unsigned long long clen = 0;
	size_t adlen = 0, total;
	enum storage_status st = STORAGE_ERR_INTERNAL;

	if (out != NULL)
		*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if (key == NULL || out == NULL || outlen == NULL ||
	    (plain == NULL && len > 0) || len > RECORD_MAX_PLAIN)
		return STORAGE_ERR_INVALID;
	if (sodium_init() < 0)
		return STORAGE_ERR_INTERNAL;

	total = RECORD_OVERHEAD + len;
	if ((buf = malloc(total)) == NULL) {
		st = STORAGE_ERR_NOMEM;
		goto done;
	}
	memcpy(buf, record_magic, sizeof(record_magic));
	buf[3] = RECORD_VERSION;
	buf[4] = RECORD_SUITE_XCHACHA20POLY1305;
	randombytes_buf(buf + RECORD_HEADER_BYTES, RECORD_NONCE_BYTES);
	if ((adbuf = record_ad(buf, ad, &adlen)) == NULL) {
		st = STORAGE_ERR_NOMEM;
		goto done;
	}
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
	    buf + RECORD_HEADER_BYTES + RECORD_NONCE_BYTES, &clen,
	    plain, len, adbuf, adlen, NULL,
	    buf + RECORD_HEADER_BYTES, key) != 0 ||
	    clen != (unsigned long long)len + RECORD_TAG_BYTES)
		goto done;

	*out = buf;
	*outlen = total;
	buf = NULL;
	st = STORAGE_OK;
done:
	free(adbuf);
	free(buf);
	return st;
}

/*
 * Open a sealed record made by record_seal() with the same key and ad.
 * STORAGE_ERR_CORRUPT for a short value, a wrong magic or a value that does
 * not authenticate (wrong key, wrong ad, any changed byte, truncation or
 * appended bytes); STORAGE_ERR_FORMAT for an unknown version or suite;
 * STORAGE_ERR_INVALID for NULL arguments; STORAGE_ERR_NOMEM.  On STORAGE_OK
 * the caller owns *plain (*plainlen bytes plus a NUL); on error *plain is
 * NULL and no plaintext is left in memory.
 */
enum storage_status
record_open(const unsigned char key[RECORD_KEY_BYTES], const char *ad,
    const unsigned char *sealed, size_t len, unsigned char **plain,
    size_t *plainlen)
{
	unsigned char *buf = NULL, *adbuf = NULL;
	unsigned long long mlen = 0;
	size_t adlen = 0, clen;
	enum storage_status st = STORAGE_ERR_INTERNAL;

	if (plain != NULL)
		*plain = NULL;
	if (plainlen != NULL)
		*plainlen = 0;
	if (key == NULL || sealed == NULL || plain == NULL || plainlen == NULL)
		return STORAGE_ERR_INVALID;
	if (len < RECORD_HEADER_BYTES ||
	    memcmp(sealed, record_magic, sizeof(record_magic)) != 0)
		return STORAGE_ERR_CORRUPT;
	if (sealed[3] != RECORD_VERSION ||
	    sealed[4] != RECORD_SUITE_XCHACHA20POLY1305)
		return STORAGE_ERR_FORMAT;
	if (len < RECORD_OVERHEAD || len - RECORD_OVERHEAD > RECORD_MAX_PLAIN)
		return STORAGE_ERR_CORRUPT;
	if (sodium_init() < 0)
		return STORAGE_ERR_INTERNAL;

	clen = len - RECORD_HEADER_BYTES - RECORD_NONCE_BYTES;
	if ((buf = malloc(clen - RECORD_TAG_BYTES + 1)) == NULL ||
	    (adbuf = record_ad(sealed, ad, &adlen)) == NULL) {
		st = STORAGE_ERR_NOMEM;
		goto done;
	}
	/* libsodium checks the tag before it writes any plaintext. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, &mlen, NULL,
	    sealed + RECORD_HEADER_BYTES + RECORD_NONCE_BYTES, clen,
	    adbuf, adlen, sealed + RECORD_HEADER_BYTES, key) != 0) {
		st = STORAGE_ERR_CORRUPT;
		goto done;
	}
	if (mlen != clen - RECORD_TAG_BYTES)
		goto done;
	buf[mlen] = '\0';
	*plain = buf;
	*plainlen = (size_t)mlen;
	buf = NULL;
	st = STORAGE_OK;
done:
	if (buf != NULL) {
		sodium_memzero(buf, clen - RECORD_TAG_BYTES + 1);
		free(buf);
	}
	free(adbuf);
	return st;
}
