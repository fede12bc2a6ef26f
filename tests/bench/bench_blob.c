/* SPDX-License-Identifier: MIT */
/*
 * bench_blob: how much the blob store costs over the bare cipher.
 *
 * One run encrypts a 20 MiB random buffer N times (1) with raw
 * crypto_secretstream_xchacha20poly1305 in memory, in 64 KiB chunks, and
 * (2) through blob_store_put() into a store directory, which adds SHA-256
 * of the plaintext, the writes, fsync of the file, the rename and fsync of
 * the directory.  It prints key=value lines: throughput of both in MiB/s
 * (MiB = 2^20 bytes, of plaintext) and ratio = store / raw.
 *
 * Usage: bench_blob [DIR [N]]  DIR: where to make the store (default: a
 * fresh mkdtemp directory under $TMPDIR or /tmp, removed afterwards); N:
 * repetitions, default 10.  The blobs written are removed after timing.
 * Not a test: built by default, run by scripts/bench.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "storage/blob_store.h"

#define BENCH_BYTES (20u * 1024 * 1024)
#define BENCH_DEFAULT_N 10
#define BENCH_MAX_N 10000
#define MIB (1024.0 * 1024.0)

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Parse a repetition count in 1..BENCH_MAX_N; -1 if it is not one. */
static long
parse_count(const char *s)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 1 ||
	    n > BENCH_MAX_N)
		return -1;
	return n;
}

/*
 * (1) Raw secretstream: N passes over buf into out, 64 KiB chunks, the last
 * with TAG_FINAL, as the store does.  Returns the seconds taken, < 0 on
 * failure.
 */
static double
bench_raw(const unsigned char *buf, size_t len, unsigned char *out, long n,
    const unsigned char key[BLOB_KEY_BYTES])
{
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	double t0 = now_seconds();
	long i;

	for (i = 0; i < n; i++) {
		size_t off = 0, o = 0;

		crypto_secretstream_xchacha20poly1305_init_push(&st, header,
		    key);
		do {
			size_t c = len - off > BLOB_CHUNK_BYTES ?
			    BLOB_CHUNK_BYTES : len - off;
			unsigned char tag = off + c == len ?
			    crypto_secretstream_xchacha20poly1305_TAG_FINAL :
			    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
			unsigned long long clen = 0;

			if (crypto_secretstream_xchacha20poly1305_push(&st,
			    out + o, &clen, buf + off, c, NULL, 0, tag) != 0)
				return -1.0;
			off += c;
			o += (size_t)clen;
		} while (off < len);
	}
	return now_seconds() - t0;
}

/* (2) blob_store_put N times; the blobs are removed after the clock stops. */
static double
bench_store(struct blob_store *bs, const unsigned char *buf, size_t len,
    long n, const unsigned char key[BLOB_KEY_BYTES])
{
	char (*names)[BLOB_NAME_LEN + 1] = calloc((size_t)n, sizeof(*names));
	double t0, t;
	enum storage_status st;
	long i;

	if (names == NULL)
		return -1.0;
	t0 = now_seconds();
	for (i = 0; i < n; i++) {
		st = blob_store_put(bs, key, buf, len, names[i], NULL);
		if (st != STORAGE_OK) {
			fprintf(stderr, "bench_blob: blob_store_put: %s\n",
			    storage_status_str(st));
			t = -1.0;
			n = i;
			goto done;
		}
	}
	t = now_seconds() - t0;
done:
	for (i = 0; i < n; i++)
		blob_store_remove(bs, names[i]);
	free(names);
	return t;
}

int
main(int argc, char *argv[])
{
	unsigned char key[BLOB_KEY_BYTES], *buf = NULL, *out = NULL;
	char tmpl[512], store_dir[600];
	const char *base, *tmpdir;
	struct blob_store *bs = NULL;
	bool own_dir = false;
	long n = BENCH_DEFAULT_N;
	double t_raw, t_store, raw_mib_s, store_mib_s, total_mib;
	enum storage_status st;
	int rc = 1;

	if (argc > 3 || (argc > 1 && strcmp(argv[1], "-h") == 0)) {
		fprintf(stderr, "usage: bench_blob [DIR [N]]\n");
		return 2;
	}
	if (argc == 3 && (n = parse_count(argv[2])) < 0) {
		fprintf(stderr, "bench_blob: N must be 1..%d\n", BENCH_MAX_N);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bench_blob: sodium_init failed\n");
		return 1;
	}
	if (argc > 1 && argv[1][0] != '\0') {
		base = argv[1];
	} else {
		tmpdir = getenv("TMPDIR");
		if (tmpdir == NULL || tmpdir[0] == '\0')
			tmpdir = "/tmp";
		snprintf(tmpl, sizeof(tmpl), "%s/bench_blob.XXXXXX", tmpdir);
		if (mkdtemp(tmpl) == NULL) {
			fprintf(stderr, "bench_blob: mkdtemp %s: %s\n", tmpl,
			    strerror(errno));
			return 1;
		}
		base = tmpl;
		own_dir = true;
	}
	snprintf(store_dir, sizeof(store_dir), "%s/store", base);

	if ((buf = malloc(BENCH_BYTES)) == NULL ||
	    (out = malloc(BENCH_BYTES + (BENCH_BYTES / BLOB_CHUNK_BYTES + 1) *
	    crypto_secretstream_xchacha20poly1305_ABYTES)) == NULL) {
		fprintf(stderr, "bench_blob: out of memory\n");
		goto done;
	}
	randombytes_buf(buf, BENCH_BYTES);
	randombytes_buf(key, sizeof(key));
	if ((st = blob_store_open(store_dir, &bs)) != STORAGE_OK) {
		fprintf(stderr, "bench_blob: blob_store_open %s: %s\n",
		    store_dir, storage_status_str(st));
		goto done;
	}

	if ((t_raw = bench_raw(buf, BENCH_BYTES, out, n, key)) <= 0.0 ||
	    (t_store = bench_store(bs, buf, BENCH_BYTES, n, key)) <= 0.0) {
		fprintf(stderr, "bench_blob: benchmark failed\n");
		goto done;
	}
	total_mib = (double)BENCH_BYTES * (double)n / MIB;
	raw_mib_s = total_mib / t_raw;
	store_mib_s = total_mib / t_store;
	printf("unit=MiB/s (2^20 bytes of plaintext per second)\n");
	printf("buffer_mib=%.0f\n", (double)BENCH_BYTES / MIB);
	printf("chunk_bytes=%d\n", BLOB_CHUNK_BYTES);
	printf("iterations=%ld\n", n);
	printf("store_dir=%s\n", store_dir);
	printf("raw_secretstream_mib_s=%.1f\n", raw_mib_s);
	printf("blob_store_put_mib_s=%.1f\n", store_mib_s);
	printf("ratio=%.3f\n", store_mib_s / raw_mib_s);
	rc = 0;
done:
	blob_store_close(&bs);
	if (own_dir)
		nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(out);
	free(buf);
	sodium_memzero(key, sizeof(key));
	return rc;
}
