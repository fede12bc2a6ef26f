/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for storage/record.c: sealed records.  Round trips of several
 * sizes, the exact on-disk layout and associated data (checked against
 * libsodium directly, so a silent format change fails here), and every kind
 * of tampering: each byte flipped, each truncation, appended bytes, another
 * key, another record's identity, unknown versions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "storage/record.h"

static void
seal_ok(const unsigned char *key, const char *ad, const void *plain,
    size_t len, unsigned char **out, size_t *outlen)
{
	assert_int_equal(record_seal(key, ad, plain, len, out, outlen),
	    STORAGE_OK);
	assert_non_null(*out);
	assert_int_equal(*outlen, len + RECORD_OVERHEAD);
}

/* Open sealed and expect status st; on STORAGE_OK free the plaintext. */
static void
open_expect(const unsigned char *key, const char *ad,
    const unsigned char *sealed, size_t len, enum storage_status st)
{
	unsigned char *plain = (unsigned char *)"sentinel";
	size_t plainlen = 99;

	assert_int_equal(record_open(key, ad, sealed, len, &plain, &plainlen),
	    st);
	if (st == STORAGE_OK) {
		free(plain);
	} else {
		assert_null(plain);
		assert_int_equal(plainlen, 0);
	}
}

static void
test_round_trip_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 31, 32, 33, 1000, 65536,
	    65537, 1024 * 1024 + 7 };
	unsigned char key[RECORD_KEY_BYTES];
	size_t i;

	(void)state;
	randombytes_buf(key, sizeof(key));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = sizes[i], outlen = 0, plainlen = 0;
		unsigned char *in = malloc(len + 1), *out = NULL, *plain = NULL;

		assert_non_null(in);
		randombytes_buf(in, len);
		seal_ok(key, "tip:00ff:record", in, len, &out, &outlen);
		assert_memory_equal(out, "TLR\x01\x01", RECORD_HEADER_BYTES);
		assert_int_equal(record_open(key, "tip:00ff:record", out,
		    outlen, &plain, &plainlen), STORAGE_OK);
		assert_non_null(plain);
		assert_int_equal(plainlen, len);
		if (len > 0)
			assert_memory_equal(plain, in, len);
		assert_int_equal(plain[len], '\0');
		free(plain);
		free(out);
		free(in);
	}
}

static void
test_text_is_nul_terminated(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *out = NULL, *plain = NULL;
	size_t outlen = 0, plainlen = 0;
	const char *text = "检验检测机构出具虚假报告";

	(void)state;
	randombytes_buf(key, sizeof(key));
	seal_ok(key, "x", text, strlen(text), &out, &outlen);
	assert_int_equal(record_open(key, "x", out, outlen, &plain,
	    &plainlen), STORAGE_OK);
	assert_string_equal((const char *)plain, text);
	assert_int_equal(plainlen, strlen(text));
	free(plain);
	free(out);
}

static void
test_nonce_is_fresh(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	(void)state;
	randombytes_buf(key, sizeof(key));
	seal_ok(key, "ad", "same", 4, &a, &alen);
	seal_ok(key, "ad", "same", 4, &b, &blen);
	assert_int_equal(alen, blen);
	/* Different nonces, hence different ciphertexts. */
	assert_memory_not_equal(a + RECORD_HEADER_BYTES,
	    b + RECORD_HEADER_BYTES, 24);
	assert_memory_not_equal(a + RECORD_HEADER_BYTES + 24,
	    b + RECORD_HEADER_BYTES + 24, alen - RECORD_HEADER_BYTES - 24);
	free(a);
	free(b);
}

/*
 * The layout and AD are part of the stored format: decrypt with libsodium
 * directly, AD = the 5 header bytes followed by the caller's ad.
 */
static void
test_format_matches_spec(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *out = NULL, plain[16];
	unsigned char ad[64];
	unsigned long long mlen = 0;
	size_t outlen = 0;
	const char *id = "tip:abcd:record";

	(void)state;
	randombytes_buf(key, sizeof(key));
	seal_ok(key, id, "0123456789abcdef", 16, &out, &outlen);
	memcpy(ad, "TLR\x01\x01", 5);
	memcpy(ad + 5, id, strlen(id));
	assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(plain,
	    &mlen, NULL, out + 5 + 24, outlen - 5 - 24, ad, 5 + strlen(id),
	    out + 5, key), 0);
	assert_int_equal(mlen, 16);
	assert_memory_equal(plain, "0123456789abcdef", 16);
	/* Without the header in the AD it must not open. */
	assert_int_not_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(plain,
	    &mlen, NULL, out + 5 + 24, outlen - 5 - 24,
	    (const unsigned char *)id, strlen(id), out + 5, key), 0);
	free(out);
}

static void
test_every_flipped_byte_detected(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *out = NULL, in[40];
	size_t outlen = 0, i;

	(void)state;
	randombytes_buf(key, sizeof(key));
	randombytes_buf(in, sizeof(in));
	seal_ok(key, "tip:1:record", in, sizeof(in), &out, &outlen);
	for (i = 0; i < outlen; i++) {
		static const unsigned char masks[] = { 0x01, 0x80, 0xff };
		size_t m;

		for (m = 0; m < sizeof(masks); m++) {
			out[i] ^= masks[m];
			/* Version and suite bytes name an unknown format. */
			open_expect(key, "tip:1:record", out, outlen,
			    i == 3 || i == 4 ? STORAGE_ERR_FORMAT :
			    STORAGE_ERR_CORRUPT);
			out[i] ^= masks[m];
		}
	}
	open_expect(key, "tip:1:record", out, outlen, STORAGE_OK);
	free(out);
}

static void
test_truncation_and_appending_detected(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *out = NULL, *longer;
	size_t outlen = 0, i;

	(void)state;
	randombytes_buf(key, sizeof(key));
	seal_ok(key, "ad", "some record text", 16, &out, &outlen);
	for (i = 0; i < outlen; i++)
		open_expect(key, "ad", out, i, STORAGE_ERR_CORRUPT);
	longer = malloc(outlen + 16);
	assert_non_null(longer);
	memcpy(longer, out, outlen);
	memset(longer + outlen, 0, 16);
	open_expect(key, "ad", longer, outlen + 1, STORAGE_ERR_CORRUPT);
	open_expect(key, "ad", longer, outlen + 16, STORAGE_ERR_CORRUPT);
	open_expect(key, "ad", longer, outlen, STORAGE_OK);
	free(longer);
	free(out);
}

/* A ciphertext moved to another record's row does not open there. */
static void
test_swapped_between_records_detected(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	const char *ad_a = "tip:0001:record", *ad_b = "tip:0002:record";

	(void)state;
	randombytes_buf(key, sizeof(key));
	seal_ok(key, ad_a, "record A", 8, &a, &alen);
	seal_ok(key, ad_b, "record B", 8, &b, &blen);
	open_expect(key, ad_a, a, alen, STORAGE_OK);
	open_expect(key, ad_b, b, blen, STORAGE_OK);
	open_expect(key, ad_b, a, alen, STORAGE_ERR_CORRUPT);
	open_expect(key, ad_a, b, blen, STORAGE_ERR_CORRUPT);
	open_expect(key, "tip:0001:recor", a, alen, STORAGE_ERR_CORRUPT);
	open_expect(key, "", a, alen, STORAGE_ERR_CORRUPT);
	open_expect(key, NULL, a, alen, STORAGE_ERR_CORRUPT);
	free(a);
	free(b);
}

static void
test_empty_and_null_ad_are_the_same(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *a = NULL;
	size_t alen = 0;

	(void)state;
	randombytes_buf(key, sizeof(key));
	seal_ok(key, NULL, "x", 1, &a, &alen);
	open_expect(key, "", a, alen, STORAGE_OK);
	open_expect(key, NULL, a, alen, STORAGE_OK);
	open_expect(key, "y", a, alen, STORAGE_ERR_CORRUPT);
	free(a);
}

static void
test_wrong_key_detected(void **state)
{
	unsigned char k1[RECORD_KEY_BYTES], k2[RECORD_KEY_BYTES], *a = NULL;
	size_t alen = 0;

	(void)state;
	randombytes_buf(k1, sizeof(k1));
	memcpy(k2, k1, sizeof(k2));
	k2[31] ^= 1;
	seal_ok(k1, "ad", "secret", 6, &a, &alen);
	open_expect(k2, "ad", a, alen, STORAGE_ERR_CORRUPT);
	open_expect(k1, "ad", a, alen, STORAGE_OK);
	free(a);
}

static void
test_unknown_version_or_suite(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *a = NULL;
	size_t alen = 0;

	(void)state;
	randombytes_buf(key, sizeof(key));
	seal_ok(key, "ad", "v", 1, &a, &alen);
	a[3] = 0x02;
	open_expect(key, "ad", a, alen, STORAGE_ERR_FORMAT);
	a[3] = 0x01;
	a[4] = 0x02;	/* e.g. a future SM4/SM3 suite */
	open_expect(key, "ad", a, alen, STORAGE_ERR_FORMAT);
	/* Only the header: still a format error, not a crash. */
	open_expect(key, "ad", a, RECORD_HEADER_BYTES, STORAGE_ERR_FORMAT);
	a[4] = 0x01;
	a[0] = 'X';
	open_expect(key, "ad", a, alen, STORAGE_ERR_CORRUPT);
	free(a);
}

static void
test_limits_and_bad_arguments(void **state)
{
	unsigned char key[RECORD_KEY_BYTES], *out = NULL, *plain = NULL;
	unsigned char *big;
	size_t outlen = 0, plainlen = 0;

	(void)state;
	randombytes_buf(key, sizeof(key));
	big = calloc(1, RECORD_MAX_PLAIN + 1);
	assert_non_null(big);
	assert_int_equal(record_seal(key, "ad", big, RECORD_MAX_PLAIN + 1,
	    &out, &outlen), STORAGE_ERR_INVALID);
	assert_null(out);
	assert_int_equal(outlen, 0);
	seal_ok(key, "ad", big, RECORD_MAX_PLAIN, &out, &outlen);
	assert_int_equal(record_open(key, "ad", out, outlen, &plain,
	    &plainlen), STORAGE_OK);
	assert_int_equal(plainlen, RECORD_MAX_PLAIN);
	free(plain);
	free(out);
	free(big);

	assert_int_equal(record_seal(NULL, "ad", "x", 1, &out, &outlen),
	    STORAGE_ERR_INVALID);
	assert_int_equal(record_seal(key, "ad", NULL, 1, &out, &outlen),
	    STORAGE_ERR_INVALID);
	assert_int_equal(record_seal(key, "ad", NULL, 0, &out, &outlen),
	    STORAGE_OK);
	free(out);
	assert_int_equal(record_open(key, "ad", NULL, 10, &plain, &plainlen),
	    STORAGE_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_sizes),
		cmocka_unit_test(test_text_is_nul_terminated),
		cmocka_unit_test(test_nonce_is_fresh),
		cmocka_unit_test(test_format_matches_spec),
		cmocka_unit_test(test_every_flipped_byte_detected),
		cmocka_unit_test(test_truncation_and_appending_detected),
		cmocka_unit_test(test_swapped_between_records_detected),
		cmocka_unit_test(test_empty_and_null_ad_are_the_same),
		cmocka_unit_test(test_wrong_key_detected),
		cmocka_unit_test(test_unknown_version_or_suite),
		cmocka_unit_test(test_limits_and_bad_arguments),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
