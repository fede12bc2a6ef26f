/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for storage/blob_store.c: the encrypted blob store.
 *
 * Round trips around the chunk size and of a few MiB of random data, the
 * exact file format (decrypted here with libsodium directly, so a silent
 * format change fails), and every way a stored file can go wrong: flipped
 * bytes in the header, in a middle chunk and in a tag; truncation at a chunk
 * boundary and inside a chunk; appended bytes; reordered or dropped chunks;
 * a file renamed to or copied over another blob's name; the wrong key.  Also
 * the directory side: temporary files never outlive abort or a failed
 * commit, the start-up sweep, listing, removal, and several threads sharing
 * one store.  Each test works in its own mkdtemp directory under /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "storage/blob_store.h"

#define CHUNK BLOB_CHUNK_BYTES
#define HDR 29			/* "TLB" 1 1 + secretstream header */
#define ABYTES 17
#define CCHUNK (CHUNK + ABYTES)	/* a full chunk on disk */
#define TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

struct fixture {
	char dir[64];
	char store[96];
	struct blob_store *bs;
	unsigned char key[BLOB_KEY_BYTES];
};

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/tipline-test-blob-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->store, sizeof(f->store), "%s/blobs", f->dir);
	if (blob_store_open(f->store, &f->bs) != STORAGE_OK) {
		nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(f);
		return -1;
	}
	randombytes_buf(f->key, sizeof(f->key));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	blob_store_close(&f->bs);
	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static unsigned char *
random_buf(size_t len)
{
	unsigned char *p = malloc(len > 0 ? len : 1);

	assert_non_null(p);
	randombytes_buf(p, len);
	return p;
}

static void
blob_path(struct fixture *f, const char *name, char *path, size_t len)
{
	assert_int_equal(blob_store_path(f->bs, name, path, len), 0);
}

static void
put_ok(struct fixture *f, const void *buf, size_t len,
    char name[BLOB_NAME_LEN + 1])
{
	unsigned char sha[32], want[32];

	assert_int_equal(blob_store_put(f->bs, f->key, buf, len, name, sha),
	    STORAGE_OK);
	assert_true(blob_store_valid_name(name));
	crypto_hash_sha256(want, buf, len);
	assert_memory_equal(sha, want, sizeof(want));
}

/* Read blob name and expect st; on success compare with want. */
static void
get_expect(struct fixture *f, const char *name, enum storage_status st,
    const void *want, size_t wantlen)
{
	unsigned char *out = NULL;
	size_t len = 0;

	assert_int_equal(blob_store_get(f->bs, f->key, name, SIZE_MAX, &out,
	    &len), st);
	if (st != STORAGE_OK) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_int_equal(len, wantlen);
	if (wantlen > 0)
		assert_memory_equal(out, want, wantlen);
	free(out);
}

static unsigned char *
file_read(const char *path, size_t *len)
{
	struct stat sb;
	unsigned char *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)sb.st_size), sb.st_size);
	close(fd);
	*len = (size_t)sb.st_size;
	return buf;
}

static void
file_write(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static size_t
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static size_t
count_tmp(struct fixture *f)
{
	char tmp[128];

	snprintf(tmp, sizeof(tmp), "%s/tmp", f->store);
	return count_entries(tmp);
}

struct names {
	char v[64][BLOB_NAME_LEN + 1];
	size_t n;
	int stop_after;		/* 0: never */
};

static int
collect_name(void *arg, const char *name)
{
	struct names *ns = arg;

	assert_true(ns->n < 64);
	memcpy(ns->v[ns->n++], name, BLOB_NAME_LEN + 1);
	return ns->stop_after > 0 && (int)ns->n >= ns->stop_after;
}

static size_t
list_count(struct fixture *f)
{
	struct names ns;

	memset(&ns, 0, sizeof(ns));
	assert_int_equal(blob_store_list(f->bs, collect_name, &ns),
	    STORAGE_OK);
	return ns.n;
}

static size_t
expected_file_size(size_t len)
{
	size_t chunks = len == 0 ? 1 : (len + CHUNK - 1) / CHUNK;

	return HDR + chunks * ABYTES + len;
}

static void
test_open_layout(void **state)
{
	struct fixture *f = *state;
	struct blob_store *again = NULL;
	char p[160];
	struct stat sb;

	assert_int_equal(stat(f->store, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	snprintf(p, sizeof(p), "%s/tmp", f->store);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	snprintf(p, sizeof(p), "%s/00", f->store);
	assert_int_equal(stat(p, &sb), 0);
	snprintf(p, sizeof(p), "%s/ff", f->store);
	assert_int_equal(stat(p, &sb), 0);
	/* 256 <aa> directories and tmp. */
	assert_int_equal(count_entries(f->store), 257);
	/* Reopening an existing store is fine. */
	assert_int_equal(blob_store_open(f->store, &again), STORAGE_OK);
	blob_store_close(&again);
	assert_null(again);
	blob_store_close(&again);
	blob_store_close(NULL);
	assert_int_equal(blob_store_open("", &again), STORAGE_ERR_INVALID);
	assert_int_equal(blob_store_open(NULL, &again), STORAGE_ERR_INVALID);
}

static void
test_round_trip_sizes(void **state)
{
	struct fixture *f = *state;
	static const size_t sizes[] = { 0, 1, 2, CHUNK - 1, CHUNK, CHUNK + 1,
	    2 * CHUNK, 2 * CHUNK + 1, 3 * 1024 * 1024 + 12345 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char name[BLOB_NAME_LEN + 1], path[256];
		unsigned char *in = random_buf(sizes[i]), *file;
		size_t flen;

		put_ok(f, in, sizes[i], name);
		blob_path(f, name, path, sizeof(path));
		file = file_read(path, &flen);
		assert_int_equal(flen, expected_file_size(sizes[i]));
		assert_memory_equal(file, "TLB\x01\x01", 5);
		/* Encrypted: the plaintext does not appear as such. */
		if (sizes[i] >= 64)
			assert_null(memmem(file, flen, in, 64));
		get_expect(f, name, STORAGE_OK, in, sizes[i]);
		free(file);
		free(in);
	}
	assert_int_equal(list_count(f), sizeof(sizes) / sizeof(sizes[0]));
	assert_int_equal(count_tmp(f), 0);
}

/* Odd write sizes through the writer give the same plaintext back. */
static void
test_writer_pieces(void **state)
{
	struct fixture *f = *state;
	static const size_t pieces[] = { 1, 7, CHUNK - 8, CHUNK, CHUNK + 1, 0,
	    100000, 3, 2 * CHUNK + 5 };
	size_t total = 3 * 1024 * 1024 + 1, off = 0, i = 0, flen;
	unsigned char *in = random_buf(total), sha[32], want[32], *file;
	struct blob_writer *w = NULL;
	char name[BLOB_NAME_LEN + 1], path[256];
	uint64_t size = 0;

	assert_int_equal(blob_writer_begin(f->bs, f->key, &w), STORAGE_OK);
	assert_non_null(w);
	assert_int_equal(count_tmp(f), 1);
	while (off < total) {
		size_t n = pieces[i++ % (sizeof(pieces) / sizeof(pieces[0]))];

		if (n > total - off)
			n = total - off;
		assert_int_equal(blob_writer_write(w, in + off, n), STORAGE_OK);
		off += n;
	}
	assert_int_equal(blob_writer_commit(&w, name, &size, sha),
	    STORAGE_OK);
	assert_null(w);
	assert_int_equal(size, total);
	crypto_hash_sha256(want, in, total);
	assert_memory_equal(sha, want, sizeof(sha));
	blob_path(f, name, path, sizeof(path));
	file = file_read(path, &flen);
	assert_int_equal(flen, expected_file_size(total));
	get_expect(f, name, STORAGE_OK, in, total);
	assert_int_equal(count_tmp(f), 0);
	free(file);
	free(in);
}

/*
 * The format, decrypted with libsodium directly: header, full chunks with
 * TAG_MESSAGE, the last with TAG_FINAL, the first chunk's AD the 5 header
 * bytes + "tipline-blob-v1:" + name.
 */
static void
test_format_matches_spec(void **state)
{
	struct fixture *f = *state;
	crypto_secretstream_xchacha20poly1305_state ss;
	size_t len = 2 * CHUNK + 5, flen, off;
	unsigned char *in = random_buf(len), *file, *plain, tag = 0xff;
	unsigned char ad[5 + 16 + BLOB_NAME_LEN];
	unsigned long long mlen = 0;
	char name[BLOB_NAME_LEN + 1], path[256];

	put_ok(f, in, len, name);
	blob_path(f, name, path, sizeof(path));
	file = file_read(path, &flen);
	plain = malloc(len);
	assert_non_null(plain);
	memcpy(ad, "TLB\x01\x01" "tipline-blob-v1:", 21);
	memcpy(ad + 21, name, BLOB_NAME_LEN);
	assert_int_equal(crypto_secretstream_xchacha20poly1305_init_pull(&ss,
	    file + 5, f->key), 0);
	off = HDR;
	assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&ss, plain,
	    &mlen, &tag, file + off, CCHUNK, ad, sizeof(ad)), 0);
	assert_int_equal(mlen, CHUNK);
	assert_int_equal(tag, TAG_MESSAGE);
	off += CCHUNK;
	assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&ss,
	    plain + CHUNK, &mlen, &tag, file + off, CCHUNK, NULL, 0), 0);
	assert_int_equal(tag, TAG_MESSAGE);
	off += CCHUNK;
	assert_int_equal(flen - off, 5 + ABYTES);
	assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&ss,
	    plain + 2 * CHUNK, &mlen, &tag, file + off, flen - off, NULL, 0),
	    0);
	assert_int_equal(mlen, 5);
	assert_int_equal(tag, TAG_FINAL);
	assert_memory_equal(plain, in, len);

	/* The first chunk does not open without the name in its AD. */
	assert_int_equal(crypto_secretstream_xchacha20poly1305_init_pull(&ss,
	    file + 5, f->key), 0);
	assert_int_not_equal(crypto_secretstream_xchacha20poly1305_pull(&ss,
	    plain, &mlen, &tag, file + HDR, CCHUNK, ad, 21), 0);
	free(plain);
	free(file);
	free(in);
}

/* Flip one byte at off in blob name's file; expect st; restore. */
static void
flip_expect(struct fixture *f, const char *name, size_t off,
    enum storage_status st, const void *want, size_t wantlen)
{
	char path[256];
	unsigned char *file;
	size_t flen;

	blob_path(f, name, path, sizeof(path));
	file = file_read(path, &flen);
	assert_true(off < flen);
	file[off] ^= 0x40;
	file_write(path, file, flen);
	get_expect(f, name, st, NULL, 0);
	file[off] ^= 0x40;
	file_write(path, file, flen);
	get_expect(f, name, STORAGE_OK, want, wantlen);
	free(file);
}

static void
test_flipped_bytes(void **state)
{
	struct fixture *f = *state;
	size_t len = 2 * CHUNK + 1000, flen = expected_file_size(len), i;
	unsigned char *in = random_buf(len);
	char name[BLOB_NAME_LEN + 1];
	const size_t corrupt_at[] = {
		0, 1, 2,			/* magic */
		5, 17, HDR - 1,			/* secretstream header */
		HDR,				/* first chunk's tag byte */
		HDR + 1, HDR + 1000,		/* first chunk's data */
		HDR + CCHUNK - 1,		/* first chunk's MAC */
		HDR + CCHUNK, HDR + CCHUNK + CCHUNK / 2,	/* middle */
		HDR + 2 * CCHUNK - 16,		/* middle chunk's MAC */
		HDR + 2 * CCHUNK,		/* final chunk's tag byte */
		HDR + 2 * CCHUNK + 500,
		flen - 1,			/* final chunk's MAC */
	};

	put_ok(f, in, len, name);
	for (i = 0; i < sizeof(corrupt_at) / sizeof(corrupt_at[0]); i++)
		flip_expect(f, name, corrupt_at[i], STORAGE_ERR_CORRUPT, in,
		    len);
	/* Version and suite: a format this build does not know. */
	flip_expect(f, name, 3, STORAGE_ERR_FORMAT, in, len);
	flip_expect(f, name, 4, STORAGE_ERR_FORMAT, in, len);
	free(in);
}

static void
test_every_byte_of_small_blob(void **state)
{
	struct fixture *f = *state;
	unsigned char in[100];
	char name[BLOB_NAME_LEN + 1];
	size_t i;

	randombytes_buf(in, sizeof(in));
	put_ok(f, in, sizeof(in), name);
	for (i = 0; i < expected_file_size(sizeof(in)); i++)
		flip_expect(f, name, i, i == 3 || i == 4 ? STORAGE_ERR_FORMAT :
		    STORAGE_ERR_CORRUPT, in, sizeof(in));
}

static void
truncate_expect(struct fixture *f, const char *name, size_t cut)
{
	char path[256];
	unsigned char *file;
	size_t flen;

	blob_path(f, name, path, sizeof(path));
	file = file_read(path, &flen);
	assert_true(cut < flen);
	assert_int_equal(truncate(path, (off_t)cut), 0);
	get_expect(f, name, STORAGE_ERR_CORRUPT, NULL, 0);
	file_write(path, file, flen);
	free(file);
}

static void
test_truncation(void **state)
{
	struct fixture *f = *state;
	size_t len = 2 * CHUNK + 1000, flen = expected_file_size(len), i;
	unsigned char *in = random_buf(len);
	char name[BLOB_NAME_LEN + 1], one[BLOB_NAME_LEN + 1];
	const size_t cuts[] = {
		0, 4, 5, HDR - 1,
		HDR,				/* header only */
		HDR + 16,			/* less than a tag */
		HDR + CCHUNK,			/* at a chunk boundary */
		HDR + 2 * CCHUNK,		/* at the last boundary */
		HDR + CCHUNK / 2,		/* inside a chunk */
		HDR + CCHUNK + 17,
		flen - 1,			/* one byte short */
	};

	put_ok(f, in, len, name);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++)
		truncate_expect(f, name, cuts[i]);
	get_expect(f, name, STORAGE_OK, in, len);

	/* Exactly one full chunk: cut its final chunk short. */
	put_ok(f, in, CHUNK, one);
	truncate_expect(f, one, HDR + CCHUNK - 1);
	truncate_expect(f, one, HDR);
	get_expect(f, one, STORAGE_OK, in, CHUNK);
	free(in);
}

static void
append_expect(struct fixture *f, const char *name, const void *extra,
    size_t extralen)
{
	char path[256];
	unsigned char *file, *longer;
	size_t flen;

	blob_path(f, name, path, sizeof(path));
	file = file_read(path, &flen);
	longer = malloc(flen + extralen);
	assert_non_null(longer);
	memcpy(longer, file, flen);
	memcpy(longer + flen, extra, extralen);
	file_write(path, longer, flen + extralen);
	get_expect(f, name, STORAGE_ERR_CORRUPT, NULL, 0);
	file_write(path, file, flen);
	free(longer);
	free(file);
}

static void
test_appended_bytes(void **state)
{
	struct fixture *f = *state;
	size_t sizes[] = { 0, 10, CHUNK, 2 * CHUNK + 3 }, i;
	unsigned char *in = random_buf(2 * CHUNK + 3), junk[CCHUNK];

	randombytes_buf(junk, sizeof(junk));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char name[BLOB_NAME_LEN + 1], path[256];
		unsigned char *file;
		size_t flen;

		put_ok(f, in, sizes[i], name);
		append_expect(f, name, "\0", 1);
		append_expect(f, name, junk, ABYTES);
		append_expect(f, name, junk, sizeof(junk));
		/* A copy of the file's own last chunk after it. */
		blob_path(f, name, path, sizeof(path));
		file = file_read(path, &flen);
		append_expect(f, name, file + HDR, flen - HDR);
		free(file);
		get_expect(f, name, STORAGE_OK, in, sizes[i]);
	}
	free(in);
}

/* Chunks moved around inside a file. */
static void
test_reordered_and_dropped_chunks(void **state)
{
	struct fixture *f = *state;
	size_t len = 3 * CHUNK + 10, flen;
	unsigned char *in = random_buf(len), *file, *edit;
	char name[BLOB_NAME_LEN + 1], path[256];

	put_ok(f, in, len, name);
	blob_path(f, name, path, sizeof(path));
	file = file_read(path, &flen);
	edit = malloc(flen);
	assert_non_null(edit);

	/* Swap chunks 2 and 3. */
	memcpy(edit, file, flen);
	memcpy(edit + HDR + CCHUNK, file + HDR + 2 * CCHUNK, CCHUNK);
	memcpy(edit + HDR + 2 * CCHUNK, file + HDR + CCHUNK, CCHUNK);
	file_write(path, edit, flen);
	get_expect(f, name, STORAGE_ERR_CORRUPT, NULL, 0);

	/* Drop chunk 2. */
	memcpy(edit, file, HDR + CCHUNK);
	memcpy(edit + HDR + CCHUNK, file + HDR + 2 * CCHUNK,
	    flen - HDR - 2 * CCHUNK);
	file_write(path, edit, flen - CCHUNK);
	get_expect(f, name, STORAGE_ERR_CORRUPT, NULL, 0);

	/* Drop the final chunk: ends without TAG_FINAL at a boundary. */
	file_write(path, file, HDR + 3 * CCHUNK);
	get_expect(f, name, STORAGE_ERR_CORRUPT, NULL, 0);

	file_write(path, file, flen);
	get_expect(f, name, STORAGE_OK, in, len);
	free(edit);
	free(file);
	free(in);
}

static void
test_renamed_blob_detected(void **state)
{
	struct fixture *f = *state;
	unsigned char a[300], b[300], *file;
	char na[BLOB_NAME_LEN + 1], nb[BLOB_NAME_LEN + 1];
	char nc[BLOB_NAME_LEN + 1];
	char pa[256], pb[256], pc[256];
	size_t flen;

	randombytes_buf(a, sizeof(a));
	randombytes_buf(b, sizeof(b));
	put_ok(f, a, sizeof(a), na);
	put_ok(f, b, sizeof(b), nb);
	blob_path(f, na, pa, sizeof(pa));
	blob_path(f, nb, pb, sizeof(pb));

	/* A's file under a fresh valid name (other <aa> directory). */
	memcpy(nc, na, sizeof(nc));
	nc[0] = nc[0] == 'f' ? '0' : 'f';
	nc[31] = nc[31] == '0' ? '1' : '0';
	blob_path(f, nc, pc, sizeof(pc));
	assert_int_equal(rename(pa, pc), 0);
	get_expect(f, na, STORAGE_ERR_NOTFOUND, NULL, 0);
	get_expect(f, nc, STORAGE_ERR_CORRUPT, NULL, 0);
	assert_int_equal(rename(pc, pa), 0);
	get_expect(f, na, STORAGE_OK, a, sizeof(a));

	/* A's bytes copied over B (same key, same store). */
	file = file_read(pa, &flen);
	file_write(pb, file, flen);
	get_expect(f, nb, STORAGE_ERR_CORRUPT, NULL, 0);
	get_expect(f, na, STORAGE_OK, a, sizeof(a));
	free(file);
}

static void
test_wrong_key(void **state)
{
	struct fixture *f = *state;
	unsigned char in[1000], other[BLOB_KEY_BYTES], *out = NULL;
	char name[BLOB_NAME_LEN + 1];
	size_t len = 0;

	randombytes_buf(in, sizeof(in));
	put_ok(f, in, sizeof(in), name);
	memcpy(other, f->key, sizeof(other));
	other[0] ^= 1;
	assert_int_equal(blob_store_get(f->bs, other, name, SIZE_MAX, &out,
	    &len), STORAGE_ERR_CORRUPT);
	assert_null(out);
	get_expect(f, name, STORAGE_OK, in, sizeof(in));
}

static void
test_missing_and_bad_names(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"../../../../etc/passwd",
		"0123456789ABCDEF0123456789abcdef",
		"0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0",
		"0123456789abcdef/123456789abcdef",
		"",
	};
	size_t i;

	get_expect(f, "0123456789abcdef0123456789abcdef",
	    STORAGE_ERR_NOTFOUND, NULL, 0);
	assert_int_equal(blob_store_remove(f->bs,
	    "0123456789abcdef0123456789abcdef"), STORAGE_ERR_NOTFOUND);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(blob_store_valid_name(bad[i]));
		get_expect(f, bad[i], STORAGE_ERR_INVALID, NULL, 0);
		assert_int_equal(blob_store_remove(f->bs, bad[i]),
		    STORAGE_ERR_INVALID);
	}
	assert_false(blob_store_valid_name(NULL));
	assert_true(blob_store_valid_name("0123456789abcdef0123456789abcdef"));
}

static int
sink_stop(void *arg, const void *buf, size_t len)
{
	(void)buf;
	(void)len;
	(*(int *)arg)++;
	return 1;
}

static void
test_get_limit_and_sink_stop(void **state)
{
	struct fixture *f = *state;
	unsigned char in[1000], *out = NULL;
	char name[BLOB_NAME_LEN + 1], empty[BLOB_NAME_LEN + 1];
	size_t len = 0;
	int calls = 0;

	randombytes_buf(in, sizeof(in));
	put_ok(f, in, sizeof(in), name);
	assert_int_equal(blob_store_get(f->bs, f->key, name, sizeof(in) - 1,
	    &out, &len), STORAGE_ERR_INVALID);
	assert_null(out);
	assert_int_equal(blob_store_get(f->bs, f->key, name, sizeof(in),
	    &out, &len), STORAGE_OK);
	assert_int_equal(len, sizeof(in));
	assert_memory_equal(out, in, sizeof(in));
	free(out);

	put_ok(f, "", 0, empty);
	assert_int_equal(blob_store_get(f->bs, f->key, empty, 0, &out, &len),
	    STORAGE_OK);
	assert_non_null(out);
	assert_int_equal(len, 0);
	free(out);

	assert_int_equal(blob_store_read(f->bs, f->key, name, sink_stop,
	    &calls), STORAGE_ERR_INTERNAL);
	assert_int_equal(calls, 1);
}

static void
test_abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct blob_writer *w = NULL;
	unsigned char *in = random_buf(200000);

	assert_int_equal(blob_writer_begin(f->bs, f->key, &w), STORAGE_OK);
	assert_int_equal(blob_writer_write(w, in, 200000), STORAGE_OK);
	assert_int_equal(count_tmp(f), 1);
	blob_writer_abort(&w);
	assert_null(w);
	assert_int_equal(count_tmp(f), 0);
	assert_int_equal(list_count(f), 0);
	blob_writer_abort(&w);
	blob_writer_abort(NULL);
	assert_int_equal(blob_writer_commit(&w, NULL, NULL, NULL),
	    STORAGE_ERR_INVALID);
	assert_int_equal(blob_writer_commit(NULL, NULL, NULL, NULL),
	    STORAGE_ERR_INVALID);
	free(in);
}

static void
test_commit_outputs_optional(void **state)
{
	struct fixture *f = *state;
	struct blob_writer *w = NULL;
	struct names ns;

	assert_int_equal(blob_writer_begin(f->bs, f->key, &w), STORAGE_OK);
	assert_int_equal(blob_writer_write(w, "abc", 3), STORAGE_OK);
	assert_int_equal(blob_writer_commit(&w, NULL, NULL, NULL),
	    STORAGE_OK);
	assert_null(w);
	memset(&ns, 0, sizeof(ns));
	assert_int_equal(blob_store_list(f->bs, collect_name, &ns),
	    STORAGE_OK);
	assert_int_equal(ns.n, 1);
	get_expect(f, ns.v[0], STORAGE_OK, "abc", 3);
}

static void
test_sweep_tmp(void **state)
{
	struct fixture *f = *state;
	struct blob_writer *w = NULL;
	char p[256], name[BLOB_NAME_LEN + 1];
	size_t removed = 99, i;

	assert_int_equal(blob_store_sweep_tmp(f->bs, &removed), STORAGE_OK);
	assert_int_equal(removed, 0);
	/* What a crash leaves: partial files of any name. */
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/tmp/leftover%zu", f->store, i);
		file_write(p, "TLB\x01\x01partial", 12);
	}
	snprintf(p, sizeof(p), "%s/tmp/0123456789abcdef0123456789abcdef",
	    f->store);
	file_write(p, "", 0);
	/* A committed blob is not touched by the sweep. */
	put_ok(f, "keep", 4, name);
	assert_int_equal(count_tmp(f), 4);
	assert_int_equal(blob_store_sweep_tmp(f->bs, &removed), STORAGE_OK);
	assert_int_equal(removed, 4);
	assert_int_equal(count_tmp(f), 0);
	get_expect(f, name, STORAGE_OK, "keep", 4);
	assert_int_equal(blob_store_sweep_tmp(f->bs, NULL), STORAGE_OK);

	/* A writer whose file was swept fails to commit, leaving nothing. */
	assert_int_equal(blob_writer_begin(f->bs, f->key, &w), STORAGE_OK);
	assert_int_equal(blob_writer_write(w, "x", 1), STORAGE_OK);
	assert_int_equal(blob_store_sweep_tmp(f->bs, &removed), STORAGE_OK);
	assert_int_equal(removed, 1);
	assert_int_not_equal(blob_writer_commit(&w, name, NULL, NULL),
	    STORAGE_OK);
	assert_null(w);
	assert_string_equal(name, "");
	assert_int_equal(list_count(f), 1);
}

static int
has_name(const struct names *ns, const char *name)
{
	size_t i, hits = 0;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], name) == 0)
			hits++;
	return (int)hits;
}

static void
test_list(void **state)
{
	struct fixture *f = *state;
	char names[20][BLOB_NAME_LEN + 1], p[256], q[256];
	struct names ns;
	size_t i;

	for (i = 0; i < 20; i++) {
		unsigned char b = (unsigned char)i;

		put_ok(f, &b, 1, names[i]);
	}
	/* Things that are not committed blobs. */
	snprintf(p, sizeof(p), "%s/zz", f->store);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/zz/zz23456789abcdef0123456789abcdef",
	    f->store);
	file_write(p, "x", 1);
	snprintf(p, sizeof(p), "%s/ab/cd23456789abcdef0123456789abcdef",
	    f->store);			/* in the wrong <aa> directory */
	file_write(p, "x", 1);
	snprintf(p, sizeof(p), "%s/ab/notablob", f->store);
	file_write(p, "x", 1);
	snprintf(p, sizeof(p), "%s/ab/AB23456789abcdef0123456789abcdef",
	    f->store);
	file_write(p, "x", 1);
	snprintf(p, sizeof(p), "%s/ab23456789abcdef0123456789abcdef",
	    f->store);			/* in the root */
	file_write(p, "x", 1);
	snprintf(p, sizeof(p), "%s/tmp/ab23456789abcdef0123456789abcdef",
	    f->store);			/* not committed */
	file_write(p, "x", 1);
	snprintf(p, sizeof(p), "%s/ab/ab23456789abcdef0123456789abcdee",
	    f->store);			/* a directory */
	assert_int_equal(mkdir(p, 0700), 0);
	blob_path(f, names[0], q, sizeof(q));
	snprintf(p, sizeof(p), "%s/ab/ab23456789abcdef0123456789abcdef",
	    f->store);			/* a symlink */
	assert_int_equal(symlink(q, p), 0);

	memset(&ns, 0, sizeof(ns));
	assert_int_equal(blob_store_list(f->bs, collect_name, &ns),
	    STORAGE_OK);
	assert_int_equal(ns.n, 20);
	for (i = 0; i < 20; i++)
		assert_int_equal(has_name(&ns, names[i]), 1);

	/* Stops when the callback says so. */
	memset(&ns, 0, sizeof(ns));
	ns.stop_after = 3;
	assert_int_equal(blob_store_list(f->bs, collect_name, &ns),
	    STORAGE_OK);
	assert_int_equal(ns.n, 3);
	assert_int_equal(blob_store_list(f->bs, NULL, NULL),
	    STORAGE_ERR_INVALID);
}

static void
test_remove(void **state)
{
	struct fixture *f = *state;
	char name[BLOB_NAME_LEN + 1], other[BLOB_NAME_LEN + 1];

	put_ok(f, "gone", 4, name);
	put_ok(f, "stays", 5, other);
	assert_int_equal(blob_store_remove(f->bs, name), STORAGE_OK);
	get_expect(f, name, STORAGE_ERR_NOTFOUND, NULL, 0);
	assert_int_equal(blob_store_remove(f->bs, name), STORAGE_ERR_NOTFOUND);
	assert_int_equal(list_count(f), 1);
	get_expect(f, other, STORAGE_OK, "stays", 5);
}

/*
 * A write that fails part-way (here: the file size limit, EFBIG) fails the
 * blob, every later call returns the same status, and nothing is left.
 */
static void
test_failed_write_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct rlimit old, lim;
	struct sigaction ign, oldsa;
	struct blob_writer *w = NULL;
	unsigned char *in = random_buf(1024 * 1024);
	char name[BLOB_NAME_LEN + 1] = "x";
	enum storage_status st;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGXFSZ, &ign, &oldsa), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 100 * 1024;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

	st = blob_store_put(f->bs, f->key, in, 1024 * 1024, name, NULL);
	assert_int_equal(st, STORAGE_ERR_IO);
	assert_string_equal(name, "");
	assert_int_equal(count_tmp(f), 0);

	assert_int_equal(blob_writer_begin(f->bs, f->key, &w), STORAGE_OK);
	assert_int_equal(blob_writer_write(w, in, 1024 * 1024),
	    STORAGE_ERR_IO);
	assert_int_equal(blob_writer_write(w, in, 1), STORAGE_ERR_IO);
	assert_int_equal(blob_writer_commit(&w, name, NULL, NULL),
	    STORAGE_ERR_IO);
	assert_null(w);

	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(sigaction(SIGXFSZ, &oldsa, NULL), 0);
	assert_int_equal(count_tmp(f), 0);
	assert_int_equal(list_count(f), 0);
	free(in);
}

static void
test_path(void **state)
{
	struct fixture *f = *state;
	const char *name = "ab23456789abcdef0123456789abcdef";
	char buf[256], want[256], tiny[8];

	snprintf(want, sizeof(want), "%s/ab/%s", f->store, name);
	assert_int_equal(blob_store_path(f->bs, name, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	assert_int_equal(blob_store_path(f->bs, name, buf, strlen(want) + 1),
	    0);
	assert_int_equal(blob_store_path(f->bs, name, buf, strlen(want)), -1);
	assert_int_equal(blob_store_path(f->bs, name, tiny, sizeof(tiny)),
	    -1);
	assert_int_equal(blob_store_path(f->bs, "../x", buf, sizeof(buf)),
	    -1);
}

struct thread_arg {
	struct fixture *f;
	int failures;
};

static void *
thread_main(void *p)
{
	struct thread_arg *ta = p;
	size_t i;

	for (i = 0; i < 8; i++) {
		size_t len = (i * 37 + 1) * 4099;
		unsigned char *in = malloc(len), *out = NULL;
		char name[BLOB_NAME_LEN + 1];
		size_t outlen = 0;

		if (in == NULL) {
			ta->failures++;
			continue;
		}
		randombytes_buf(in, len);
		if (blob_store_put(ta->f->bs, ta->f->key, in, len, name,
		    NULL) != STORAGE_OK ||
		    blob_store_get(ta->f->bs, ta->f->key, name, SIZE_MAX, &out,
		    &outlen) != STORAGE_OK || outlen != len ||
		    memcmp(in, out, len) != 0)
			ta->failures++;
		free(out);
		free(in);
	}
	return NULL;
}

static void
test_threads_share_a_store(void **state)
{
	struct fixture *f = *state;
	pthread_t t[4];
	struct thread_arg ta[4];
	size_t i;

	for (i = 0; i < 4; i++) {
		ta[i].f = f;
		ta[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, thread_main,
		    &ta[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(ta[i].failures, 0);
	}
	assert_int_equal(list_count(f), 32);
	assert_int_equal(count_tmp(f), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_layout),
		T(test_round_trip_sizes),
		T(test_writer_pieces),
		T(test_format_matches_spec),
		T(test_flipped_bytes),
		T(test_every_byte_of_small_blob),
		T(test_truncation),
		T(test_appended_bytes),
		T(test_reordered_and_dropped_chunks),
		T(test_renamed_blob_detected),
		T(test_wrong_key),
		T(test_missing_and_bad_names),
		T(test_get_limit_and_sink_stop),
		T(test_abort_leaves_nothing),
		T(test_commit_outputs_optional),
		T(test_sweep_tmp),
		T(test_list),
		T(test_remove),
		T(test_failed_write_leaves_nothing),
		T(test_path),
		T(test_threads_share_a_store),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
