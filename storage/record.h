/* SPDX-License-Identifier: MIT */
/*
 * Sealed records: a small value (a tip's text, a file name, a wrapped key)
 * encrypted with crypto_aead_xchacha20poly1305_ietf under a 32-byte key, with
 * the owning record's identity bound in as associated data so that a
 * ciphertext moved to another row no longer opens.
 *
 * Format (all of it authenticated; the header is part of the AD):
 *   magic "TLR" | version 0x01 | suite 0x01 (XChaCha20-Poly1305) |
 *   nonce[24] | ciphertext | tag[16]
 */
#ifndef STORAGE_RECORD_H
#define STORAGE_RECORD_H

#include <stddef.h>
#include "storage/status.h"

#define RECORD_KEY_BYTES 32
#define RECORD_HEADER_BYTES 5
#define RECORD_OVERHEAD (RECORD_HEADER_BYTES + 24 + 16)
#define RECORD_MAX_PLAIN (16u * 1024 * 1024)

/*
 * Seal plain[0..len) under key with the identity string ad (e.g.
 * "tip:<uid-hex>:record").  On STORAGE_OK *out is a malloc'd buffer of
 * *outlen bytes that the caller frees.
 */
enum storage_status record_seal(const unsigned char key[RECORD_KEY_BYTES],
    const char *ad, const void *plain, size_t len,
    unsigned char **out, size_t *outlen);

/*
 * Open a sealed record.  STORAGE_ERR_FORMAT for an unknown version or suite,
 * STORAGE_ERR_CORRUPT when it does not authenticate (wrong key, wrong ad,
 * any flipped byte, truncation).  On STORAGE_OK *plain is malloc'd with one
 * extra NUL byte after *plainlen bytes (so text can be used as a C string);
 * the caller frees it (sodium_memzero first if it matters).
 */
enum storage_status record_open(const unsigned char key[RECORD_KEY_BYTES],
    const char *ad, const unsigned char *sealed, size_t len,
    unsigned char **plain, size_t *plainlen);

#endif
