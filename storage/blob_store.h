/* SPDX-License-Identifier: MIT */
/*
 * The encrypted blob store: evidence files (attachments, original mail),
 * each encrypted with crypto_secretstream_xchacha20poly1305 under its tip's
 * content key.
 *
 * Layout: <dir>/<aa>/<name> where name is 32 random lowercase hex characters
 * (never a content hash) and aa its first two; temporary files in <dir>/tmp.
 *
 * File format:
 *   magic "TLB" | version 0x01 | suite 0x01 | secretstream header[24] |
 *   chunks: each the encryption of up to BLOB_CHUNK_BYTES plaintext (+17)
 * The first chunk carries the associated data "tipline-blob-v1:" + name, so
 * a file renamed to another blob's name does not open; the last chunk has
 * TAG_FINAL, so a truncated file is an error, never a short file.
 *
 * Durability: a writer writes to tmp, fsyncs, renames into place and fsyncs
 * the directory before commit returns; only then may the database row that
 * names the blob commit.  Safe to use from several threads with one store;
 * each writer belongs to one thread.
 */
#ifndef STORAGE_BLOB_STORE_H
#define STORAGE_BLOB_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "storage/status.h"

#define BLOB_NAME_LEN 32
#define BLOB_CHUNK_BYTES (64 * 1024)
#define BLOB_KEY_BYTES 32

struct blob_store;
struct blob_writer;

/* Open (creating dir, dir/tmp with mode 0700 if needed). */
enum storage_status blob_store_open(const char *dir, struct blob_store **out);
void blob_store_close(struct blob_store **bs);

/* Start a new blob with a fresh random name. */
enum storage_status blob_writer_begin(struct blob_store *bs,
    const unsigned char key[BLOB_KEY_BYTES], struct blob_writer **out);
/* Append plaintext; buffered into BLOB_CHUNK_BYTES chunks. */
enum storage_status blob_writer_write(struct blob_writer *w, const void *buf,
    size_t len);
/*
 * Finish: final tag, fsync, rename, fsync dir.  Frees *w and NULLs it in
 * every case.  On STORAGE_OK name holds the blob's name, *size the plaintext
 * size and sha256 the SHA-256 of the plaintext (any out pointer may be NULL).
 * STORAGE_ERR_NOSPC when the disk is full (nothing is left behind).
 */
enum storage_status blob_writer_commit(struct blob_writer **w,
    char name[BLOB_NAME_LEN + 1], uint64_t *size, unsigned char sha256[32]);
/* Give up: remove the temporary file, free *w, NULL it.  Accepts NULL. */
void blob_writer_abort(struct blob_writer **w);

/* Write a whole buffer as one blob (begin + write + commit). */
enum storage_status blob_store_put(struct blob_store *bs,
    const unsigned char key[BLOB_KEY_BYTES], const void *buf, size_t len,
    char name[BLOB_NAME_LEN + 1], unsigned char sha256[32]);

/*
 * Decrypt a blob, handing plaintext to sink in order.  sink returns 0 to go
 * on, non-zero to stop (then STORAGE_ERR_INTERNAL).  Plaintext handed out
 * before an authentication failure must be discarded by the caller:
 * STORAGE_ERR_CORRUPT for a bad header, a chunk that does not authenticate,
 * a missing final tag or bytes after it; STORAGE_ERR_FORMAT for an unknown
 * version/suite; STORAGE_ERR_NOTFOUND for no such blob.
 */
enum storage_status blob_store_read(struct blob_store *bs,
    const unsigned char key[BLOB_KEY_BYTES], const char *name,
    int (*sink)(void *arg, const void *buf, size_t len), void *arg);

/* Decrypt a whole blob into memory (malloc'd, *len bytes); refuse > max. */
enum storage_status blob_store_get(struct blob_store *bs,
    const unsigned char key[BLOB_KEY_BYTES], const char *name,
    size_t max, unsigned char **out, size_t *len);

/* Remove a blob (and fsync its directory).  NOTFOUND if absent. */
enum storage_status blob_store_remove(struct blob_store *bs, const char *name);

/*
 * Copy blob name, as it is on disk (still encrypted), from one store to
 * another (backup and restore): temporary file, fsync, rename, fsync dir.
 * A blob already in `to` is left as it is (a copy can be resumed).
 */
enum storage_status blob_store_copy(struct blob_store *from,
    struct blob_store *to, const char *name);

/* Call cb for every committed blob name; stops early if cb returns non-zero. */
enum storage_status blob_store_list(struct blob_store *bs,
    int (*cb)(void *arg, const char *name), void *arg);

/* Remove every file in tmp (left by a crash); *removed counts them. */
enum storage_status blob_store_sweep_tmp(struct blob_store *bs, size_t *removed);

/* The path of a blob, for tests and verify messages (static per store? no:
 * written into buf of buflen bytes).  -1 if it does not fit. */
int blob_store_path(const struct blob_store *bs, const char *name, char *buf,
    size_t buflen);

/* Whether name has the shape of a blob name (32 lowercase hex). */
bool blob_store_valid_name(const char *name);

#endif
