/* SPDX-License-Identifier: MIT */
/*
 * The whole-store check behind `tipline verify`: the database's own
 * integrity and foreign keys, the audit chain, every key slot, every sealed
 * record, message, attachment name and outbox row (recipient and message),
 * every blob (decrypted and
 * authenticated to its end, its size matched against its row), and the
 * correspondence of blob files and attachment rows both ways.  The
 * associated data it expects are those of storage/store_ad.h.
 *
 * Reads everything once: the time is that of decrypting every blob.  Safe
 * to run beside a serving daemon (it reads one database snapshot; a blob
 * with no row is judged again at the end, so that an upload between its
 * file and its row is not reported).
 */
#ifndef STORAGE_STORE_VERIFY_H
#define STORAGE_STORE_VERIFY_H

struct db;
struct blob_store;
struct keys_master;

/*
 * Check the store and call report once per problem with an English
 * sentence naming the tip (public id), key slot or blob concerned.
 * Returns the number of problems (0: all good), or -1 if the check could
 * not run (bad arguments, the database unreadable or busy, the blob
 * directory unlistable); in that case report has been called last with the
 * reason.  Tip content is never put into a problem text.  db may be
 * read-only; it must not be inside a transaction that writes.
 */
long store_verify(struct db *db, struct blob_store *bs,
    const struct keys_master *mk,
    void (*report)(void *arg, const char *problem), void *arg);

#endif
