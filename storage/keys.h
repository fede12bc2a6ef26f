/* SPDX-License-Identifier: MIT */
/*
 * The service master key and key slots.
 *
 * The master key is a file outside the database (mode 0600, path from the
 * config's key_file).  Format: magic "TLMK" | version 0x01 | key[32].  Its id
 * is the hex of the first 8 bytes of BLAKE2b-256 over the key with a fixed
 * personalisation, so a slot can say which master key wrapped it and a wrong
 * key file is reported as such, not as corruption.
 *
 * A key slot holds a 32-byte content key wrapped with record_seal() under the
 * master key; the owner string (e.g. "tip:<uid-hex>") is the associated data,
 * so a slot copied to another tip does not open.
 */
#ifndef STORAGE_KEYS_H
#define STORAGE_KEYS_H

#include <stddef.h>
#include "storage/status.h"

#define KEYS_KEY_BYTES 32
#define KEYS_ID_LEN 16	/* hex characters */
#define KEYS_SLOT_KIND_MASTER "master"

struct keys_master {
	unsigned char key[KEYS_KEY_BYTES];
	char id[KEYS_ID_LEN + 1];
};

/*
 * Create a new random master key file at path (mode 0600; the parent
 * directory is created 0700 if missing), fsynced with its directory.  It is
 * written as PATH.tmp and renamed into place, so that path is never seen
 * short or empty.  STORAGE_ERR_EXISTS if the file exists.
 */
enum storage_status keys_master_create(const char *path);

/*
 * Load the master key file.  STORAGE_ERR_KEY if it is missing, unreadable,
 * readable by group or others, or not a master key file; err gets a reason.
 * Call keys_master_wipe() when done.
 */
enum storage_status keys_master_load(const char *path, struct keys_master *out,
    char *err, size_t errlen);

/* Zero the key in memory. */
void keys_master_wipe(struct keys_master *mk);

/* Fill key with KEYS_KEY_BYTES random bytes (a fresh content key). */
void keys_content_key_new(unsigned char key[KEYS_KEY_BYTES]);

/*
 * Wrap a content key for owner.  On STORAGE_OK *out (malloc'd, *outlen
 * bytes) is the slot blob to store beside mk->id.
 */
enum storage_status keys_slot_wrap(const struct keys_master *mk,
    const unsigned char key[KEYS_KEY_BYTES], const char *owner,
    unsigned char **out, size_t *outlen);

/*
 * Unwrap a slot.  STORAGE_ERR_KEY if key_id names another master key,
 * STORAGE_ERR_CORRUPT if it does not authenticate.
 */
enum storage_status keys_slot_unwrap(const struct keys_master *mk,
    const char *key_id, const unsigned char *wrapped, size_t len,
    const char *owner, unsigned char key[KEYS_KEY_BYTES]);

#endif
