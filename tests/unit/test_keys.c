/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for storage/keys.c: the master key file (creation, modes,
 * refusal of unsafe or foreign files, the key id) and master key slots
 * (round trip, another master key, a forged id, another owner, tampering).
 * Each test works in its own mkdtemp directory under /tmp, removed after.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "storage/keys.h"
#include "storage/record.h"

#define FILE_BYTES 37	/* "TLMK" | 0x01 | key[32] */

struct fixture {
	char dir[64];
	char path[128];		/* <dir>/keys/master.key, not created */
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
	snprintf(f->dir, sizeof(f->dir), "/tmp/tipline-test-keys-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/keys/master.key", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void
write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static size_t
read_file(const char *path, unsigned char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, cap);
	assert_true(n >= 0);
	close(fd);
	return (size_t)n;
}

/* The id as the format defines it, computed independently. */
static void
expected_id(const unsigned char key[KEYS_KEY_BYTES], char id[KEYS_ID_LEN + 1])
{
	static const char ctx[] = "tipline-master-key-id-v1";
	unsigned char in[sizeof(ctx) - 1 + KEYS_KEY_BYTES], h[32];

	memcpy(in, ctx, sizeof(ctx) - 1);
	memcpy(in + sizeof(ctx) - 1, key, KEYS_KEY_BYTES);
	crypto_generichash(h, sizeof(h), in, sizeof(in), NULL, 0);
	sodium_bin2hex(id, KEYS_ID_LEN + 1, h, KEYS_ID_LEN / 2);
}

static void
load_ok(const char *path, struct keys_master *mk)
{
	char err[256] = "";

	assert_int_equal(keys_master_load(path, mk, err, sizeof(err)),
	    STORAGE_OK);
	assert_string_equal(err, "");
}

static void
load_refused(const char *path, const char *reason_part)
{
	struct keys_master mk;
	char err[256] = "";
	unsigned char zero[KEYS_KEY_BYTES] = { 0 };

	memset(&mk, 0xaa, sizeof(mk));
	assert_int_equal(keys_master_load(path, &mk, err, sizeof(err)),
	    STORAGE_ERR_KEY);
	assert_true(strlen(err) > 0);
	if (reason_part != NULL && strstr(err, reason_part) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", err, reason_part);
	/* Nothing of a refused file is left in the output. */
	assert_memory_equal(mk.key, zero, sizeof(zero));
	/* err may be NULL. */
	assert_int_equal(keys_master_load(path, &mk, NULL, 0),
	    STORAGE_ERR_KEY);
}

static void
test_create_and_load(void **state)
{
	struct fixture *f = *state;
	struct keys_master mk;
	unsigned char buf[64];
	char id[KEYS_ID_LEN + 1], parent[128];
	struct stat sb;
	size_t i;

	assert_int_equal(keys_master_create(f->path), STORAGE_OK);
	snprintf(parent, sizeof(parent), "%s/keys", f->dir);
	assert_int_equal(stat(parent, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_size, FILE_BYTES);
	assert_int_equal(read_file(f->path, buf, sizeof(buf)), FILE_BYTES);
	assert_memory_equal(buf, "TLMK\x01", 5);

	load_ok(f->path, &mk);
	assert_memory_equal(mk.key, buf + 5, KEYS_KEY_BYTES);
	assert_int_equal(strlen(mk.id), KEYS_ID_LEN);
	for (i = 0; i < KEYS_ID_LEN; i++)
		assert_non_null(strchr("0123456789abcdef", mk.id[i]));
	expected_id(mk.key, id);
	assert_string_equal(mk.id, id);
	keys_master_wipe(&mk);
	sodium_memzero(buf, sizeof(buf));
}

static void
test_create_refuses_existing(void **state)
{
	struct fixture *f = *state;
	unsigned char before[64], after[64];

	assert_int_equal(keys_master_create(f->path), STORAGE_OK);
	assert_int_equal(read_file(f->path, before, sizeof(before)),
	    FILE_BYTES);
	assert_int_equal(keys_master_create(f->path), STORAGE_ERR_EXISTS);
	assert_int_equal(read_file(f->path, after, sizeof(after)),
	    FILE_BYTES);
	assert_memory_equal(before, after, FILE_BYTES);
	assert_int_equal(keys_master_create(NULL), STORAGE_ERR_INVALID);
	assert_int_equal(keys_master_create(""), STORAGE_ERR_INVALID);
}

static void
test_create_nested_dirs_and_umask(void **state)
{
	struct fixture *f = *state;
	char path[160], a[128];
	struct stat sb;
	mode_t old = umask(0);

	snprintf(path, sizeof(path), "%s/a/b/master.key", f->dir);
	assert_int_equal(keys_master_create(path), STORAGE_OK);
	umask(old);
	snprintf(a, sizeof(a), "%s/a", f->dir);
	assert_int_equal(stat(a, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	snprintf(a, sizeof(a), "%s/a/b", f->dir);
	assert_int_equal(stat(a, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
}

static void
test_keys_differ(void **state)
{
	struct fixture *f = *state;
	struct keys_master a, b;
	char p2[160];

	snprintf(p2, sizeof(p2), "%s/second.key", f->dir);
	assert_int_equal(keys_master_create(f->path), STORAGE_OK);
	assert_int_equal(keys_master_create(p2), STORAGE_OK);
	load_ok(f->path, &a);
	load_ok(p2, &b);
	assert_memory_not_equal(a.key, b.key, KEYS_KEY_BYTES);
	assert_string_not_equal(a.id, b.id);
	/* The id is a function of the key alone. */
	load_ok(f->path, &b);
	assert_string_equal(a.id, b.id);
	keys_master_wipe(&a);
	keys_master_wipe(&b);
}

static void
test_load_refuses_open_modes(void **state)
{
	struct fixture *f = *state;
	static const mode_t bad[] = { 0644, 0640, 0604, 0660, 0606, 0610,
	    0601 };
	struct keys_master mk;
	size_t i;

	assert_int_equal(keys_master_create(f->path), STORAGE_OK);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(chmod(f->path, bad[i]), 0);
		load_refused(f->path, bad[i] == 0644 ? "0644" : "mode");
	}
	/* Owner-only modes are fine. */
	assert_int_equal(chmod(f->path, 0400), 0);
	load_ok(f->path, &mk);
	assert_int_equal(chmod(f->path, 0600), 0);
	load_ok(f->path, &mk);
	keys_master_wipe(&mk);
}

static void
test_load_refuses_foreign_files(void **state)
{
	struct fixture *f = *state;
	unsigned char buf[FILE_BYTES + 1];
	char path[160], link[160];

	snprintf(path, sizeof(path), "%s/other.key", f->dir);
	load_refused(path, "No such file");
	load_refused(f->dir, "regular");

	memcpy(buf, "TLMK\x01", 5);
	randombytes_buf(buf + 5, sizeof(buf) - 5);
	write_file(path, buf, FILE_BYTES - 1, 0600);
	load_refused(path, "length");
	write_file(path, buf, FILE_BYTES + 1, 0600);
	load_refused(path, "length");
	write_file(path, buf, 0, 0600);
	load_refused(path, "length");
	buf[0] = 'X';
	write_file(path, buf, FILE_BYTES, 0600);
	load_refused(path, "magic");
	buf[0] = 'T';
	buf[4] = 0x02;
	write_file(path, buf, FILE_BYTES, 0600);
	load_refused(path, "version");
	buf[4] = 0x01;
	write_file(path, buf, FILE_BYTES, 0600);

	/* A well-formed file written by hand loads, also through a symlink. */
	{
		struct keys_master mk;

		load_ok(path, &mk);
		assert_memory_equal(mk.key, buf + 5, KEYS_KEY_BYTES);
		snprintf(link, sizeof(link), "%s/link.key", f->dir);
		assert_int_equal(symlink(path, link), 0);
		load_ok(link, &mk);
		assert_memory_equal(mk.key, buf + 5, KEYS_KEY_BYTES);
		keys_master_wipe(&mk);
	}
	assert_int_equal(keys_master_load(NULL, NULL, NULL, 0),
	    STORAGE_ERR_INVALID);
}

static void
test_wipe_and_content_keys(void **state)
{
	struct fixture *f = *state;
	struct keys_master mk, zero;
	unsigned char a[KEYS_KEY_BYTES], b[KEYS_KEY_BYTES];
	unsigned char nil[KEYS_KEY_BYTES] = { 0 };

	assert_int_equal(keys_master_create(f->path), STORAGE_OK);
	load_ok(f->path, &mk);
	memset(&zero, 0, sizeof(zero));
	keys_master_wipe(&mk);
	assert_memory_equal(&mk, &zero, sizeof(mk));
	keys_master_wipe(NULL);

	keys_content_key_new(a);
	keys_content_key_new(b);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, nil, sizeof(a));
}

/* A master key without a file, for the slot tests. */
static void
master_new(struct keys_master *mk)
{
	char id[KEYS_ID_LEN + 1];

	randombytes_buf(mk->key, sizeof(mk->key));
	expected_id(mk->key, id);
	memcpy(mk->id, id, sizeof(mk->id));
}

static void
test_slot_round_trip(void **state)
{
	struct fixture *f = *state;
	struct keys_master mk;
	unsigned char ck[KEYS_KEY_BYTES], back[KEYS_KEY_BYTES], *w = NULL;
	size_t wlen = 0;

	assert_int_equal(keys_master_create(f->path), STORAGE_OK);
	load_ok(f->path, &mk);
	keys_content_key_new(ck);
	assert_int_equal(keys_slot_wrap(&mk, ck, "tip:00112233", &w, &wlen),
	    STORAGE_OK);
	assert_non_null(w);
	assert_int_equal(wlen, KEYS_KEY_BYTES + RECORD_OVERHEAD);
	/* The wrapped slot does not contain the key in the clear. */
	assert_null(memmem(w, wlen, ck, sizeof(ck)));
	memset(back, 0, sizeof(back));
	assert_int_equal(keys_slot_unwrap(&mk, mk.id, w, wlen, "tip:00112233",
	    back), STORAGE_OK);
	assert_memory_equal(back, ck, sizeof(ck));
	free(w);
	keys_master_wipe(&mk);
}

/*
 * The slot format: record_seal under the master key, AD
 * "tipline-slot-v1:" + owner, 32 bytes of key.
 */
static void
test_slot_format(void **state)
{
	struct keys_master mk;
	unsigned char ck[KEYS_KEY_BYTES], back[KEYS_KEY_BYTES], *w = NULL;
	unsigned char *plain = NULL;
	size_t wlen = 0, plen = 0;

	(void)state;
	master_new(&mk);
	keys_content_key_new(ck);
	assert_int_equal(keys_slot_wrap(&mk, ck, "tip:ab", &w, &wlen),
	    STORAGE_OK);
	assert_int_equal(record_open(mk.key, "tipline-slot-v1:tip:ab", w, wlen,
	    &plain, &plen), STORAGE_OK);
	assert_int_equal(plen, KEYS_KEY_BYTES);
	assert_memory_equal(plain, ck, KEYS_KEY_BYTES);
	free(plain);
	free(w);

	/* A record of the wrong length under the right AD is not a slot. */
	assert_int_equal(record_seal(mk.key, "tipline-slot-v1:tip:ab", ck, 31,
	    &w, &wlen), STORAGE_OK);
	assert_int_equal(keys_slot_unwrap(&mk, mk.id, w, wlen, "tip:ab", back),
	    STORAGE_ERR_CORRUPT);
	free(w);
	keys_master_wipe(&mk);
}

static void
test_slot_wrong_master_key(void **state)
{
	struct keys_master mk1, mk2, forged;
	unsigned char ck[KEYS_KEY_BYTES], back[KEYS_KEY_BYTES], *w = NULL;
	size_t wlen = 0;

	(void)state;
	master_new(&mk1);
	master_new(&mk2);
	assert_string_not_equal(mk1.id, mk2.id);
	keys_content_key_new(ck);
	assert_int_equal(keys_slot_wrap(&mk1, ck, "tip:01", &w, &wlen),
	    STORAGE_OK);

	/* The slot says mk1 wrapped it: another key is told by its id. */
	assert_int_equal(keys_slot_unwrap(&mk2, mk1.id, w, wlen, "tip:01",
	    back), STORAGE_ERR_KEY);
	/* A different key claiming mk1's id fails authentication. */
	forged = mk2;
	memcpy(forged.id, mk1.id, sizeof(forged.id));
	assert_int_equal(keys_slot_unwrap(&forged, mk1.id, w, wlen, "tip:01",
	    back), STORAGE_ERR_CORRUPT);
	/* And the right key still opens it. */
	assert_int_equal(keys_slot_unwrap(&mk1, mk1.id, w, wlen, "tip:01",
	    back), STORAGE_OK);
	assert_memory_equal(back, ck, sizeof(ck));
	free(w);
	keys_master_wipe(&mk1);
	keys_master_wipe(&mk2);
	keys_master_wipe(&forged);
}

static void
test_slot_tampering(void **state)
{
	struct keys_master mk;
	unsigned char ck[KEYS_KEY_BYTES], back[KEYS_KEY_BYTES], *w = NULL;
	size_t wlen = 0, i;

	(void)state;
	master_new(&mk);
	keys_content_key_new(ck);
	assert_int_equal(keys_slot_wrap(&mk, ck, "tip:02", &w, &wlen),
	    STORAGE_OK);
	/* Copied to another tip. */
	assert_int_equal(keys_slot_unwrap(&mk, mk.id, w, wlen, "tip:03", back),
	    STORAGE_ERR_CORRUPT);
	assert_int_equal(keys_slot_unwrap(&mk, mk.id, w, wlen, "", back),
	    STORAGE_ERR_CORRUPT);
	for (i = 0; i < wlen; i++) {
		w[i] ^= 0x20;
		assert_int_equal(keys_slot_unwrap(&mk, mk.id, w, wlen, "tip:02",
		    back), i == 3 || i == 4 ? STORAGE_ERR_FORMAT :
		    STORAGE_ERR_CORRUPT);
		w[i] ^= 0x20;
	}
	for (i = 0; i < wlen; i++)
		assert_int_equal(keys_slot_unwrap(&mk, mk.id, w, i, "tip:02",
		    back), STORAGE_ERR_CORRUPT);
	assert_int_equal(keys_slot_unwrap(&mk, "0000000000000000", w, wlen,
	    "tip:02", back), STORAGE_ERR_KEY);
	assert_int_equal(keys_slot_unwrap(&mk, mk.id, w, wlen, "tip:02",
	    back), STORAGE_OK);
	assert_memory_equal(back, ck, sizeof(ck));
	free(w);
	assert_int_equal(keys_slot_wrap(&mk, ck, NULL, &w, &wlen),
	    STORAGE_ERR_INVALID);
	assert_null(w);
	keys_master_wipe(&mk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_load, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses_existing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_create_nested_dirs_and_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_differ, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_open_modes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_refuses_foreign_files,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wipe_and_content_keys,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_slot_round_trip, setup,
		    teardown),
		cmocka_unit_test(test_slot_format),
		cmocka_unit_test(test_slot_wrong_master_key),
		cmocka_unit_test(test_slot_tampering),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
