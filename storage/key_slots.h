/* SPDX-License-Identifier: MIT */
/*
 * Key slots in the database: a tip's content key wrapped under the master
 * key, and the service keys (keyed-hash keys for receipts, attachment
 * relatives, submission nonces) wrapped the same way with tip_id NULL.
 * Owner strings come from store_ad.h.
 */
#ifndef STORAGE_KEY_SLOTS_H
#define STORAGE_KEY_SLOTS_H

#include <stdint.h>

#include "storage/db.h"
#include "storage/keys.h"

#define KEY_SLOTS_PURPOSE_RECEIPT "receipt_mac"
#define KEY_SLOTS_PURPOSE_ATTACHMENT "attachment_mac"
#define KEY_SLOTS_PURPOSE_NONCE "nonce_mac"
#define KEY_SLOTS_PURPOSE_REPORT_NUMBER "report_number_mac"
#define KEY_SLOTS_PURPOSE_CONTACT "contact_mac"

/*
 * The service key for purpose, wrapped under mk; created (random) on first
 * use.  Safe against two processes creating it at once (the unique index
 * decides, the loser reads the winner's key).
 */
enum storage_status key_slots_service_key(struct db *db,
    const struct keys_master *mk, const char *purpose,
    unsigned char key[KEYS_KEY_BYTES]);

/*
 * Store the content key of tip row tip_id (uid its 16-byte uid) wrapped
 * under mk.  Call inside the transaction that inserts the tip.
 */
enum storage_status key_slots_add_content(struct db *db, int64_t tip_id,
    const unsigned char uid[16], const struct keys_master *mk,
    const unsigned char key[KEYS_KEY_BYTES], int64_t now);

/* Unwrap the content key of a tip (by its uid and row id). */
enum storage_status key_slots_content_key(struct db *db, int64_t tip_id,
    const unsigned char uid[16], const struct keys_master *mk,
    unsigned char key[KEYS_KEY_BYTES]);

/*
 * Whether the slots of this database are wrapped under mk: STORAGE_OK if
 * one of them is (or there are none yet), STORAGE_ERR_KEY if every slot
 * names another master key (a key file from another installation, or one
 * replaced by `keys rotate`); other_id (KEYS_ID_LEN + 1 bytes, may be
 * NULL) then gets one of those keys' ids.  A key rotation in progress has
 * slots under both keys, so either key passes.
 */
enum storage_status key_slots_check_master(struct db *db,
    const struct keys_master *mk, char *other_id, size_t other_len);

/*
 * Master key rotation, step 1: in one transaction, add for every slot
 * wrapped under `from` a slot wrapped under `to` (unless one exists: the
 * step can be repeated after a crash).  *count gets the number added.
 * Both keys then open the store, so the key file can be swapped safely.
 */
enum storage_status key_slots_rotate(struct db *db,
    const struct keys_master *from, const struct keys_master *to,
    long *count);

/*
 * Rotation, last step: delete every slot wrapped under another key than
 * keep_id for which a slot under keep_id exists.  *count: rows deleted.
 */
enum storage_status key_slots_drop_replaced(struct db *db,
    const char *keep_id, long *count);

#endif
