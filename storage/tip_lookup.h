/* SPDX-License-Identifier: MIT */
/*
 * What the tipster may see of their own tip: found by the keyed hash of
 * the receipt code (or, within a tipster session, by its row id), the
 * plaintext columns a status page needs, the handling bureau's names, and
 * the names of the files sent with the tip and with each message (opened
 * under the tip's content key).  Never the staff's notes or routing
 * reason.
 */
#ifndef STORAGE_TIP_LOOKUP_H
#define STORAGE_TIP_LOOKUP_H

#include <stdint.h>

#include "storage/db.h"
#include "storage/keys.h"
#include "storage/tip_store.h"

#define TIP_LOOKUP_FILES_MAX 500

struct tip_lookup {
	int64_t id;				/* row id */
	unsigned char uid[TIP_UID_BYTES];
	char public_id[TIP_PUBLIC_ID_MAX];
	char status[16];
	char bureau[64];
	char bureau_zh[256];
	char bureau_en[256];
	int64_t received_at;
	int64_t updated_at;
};

/* The tip whose receipt_hash is hash.  NOTFOUND if none. */
enum storage_status tip_lookup_by_receipt(struct db *db,
    const unsigned char hash[TIP_MAC_BYTES], struct tip_lookup *out);

/* The tip with row id id.  NOTFOUND if none. */
enum storage_status tip_lookup_by_id(struct db *db, int64_t id,
    struct tip_lookup *out);

/* One file of the tip, valid during the callback only. */
struct tip_lookup_file {
	int64_t id;
	int64_t message_id;		/* 0: sent with the tip */
	const char *name;		/* opened, NUL-terminated */
	int64_t size;
	const char *type;		/* detected type */
};

/*
 * The tip's files, oldest first (at most TIP_LOOKUP_FILES_MAX), names
 * opened under key; cb returns 0 to go on.  A name that does not open is
 * STORAGE_ERR_CORRUPT.
 */
enum storage_status tip_lookup_files(struct db *db, const struct tip_lookup *t,
    const unsigned char key[KEYS_KEY_BYTES],
    int (*cb)(void *arg, const struct tip_lookup_file *f), void *arg);

#endif
