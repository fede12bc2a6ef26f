/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of storage/store_verify.c with the real keys, record and blob
 * store modules: a store built with the store_ad.h identities verifies
 * clean; each kind of damage (orphan blob, missing blob, flipped blob byte,
 * wrong size, records swapped between tips, a message renumbered, a slot
 * removed, a service slot renamed, an edited audit entry) is reported with
 * a sentence naming the tip or blob.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sodium.h>

#include "storage/audit.h"
#include "storage/db.h"
#include "storage/blob_store.h"
#include "storage/keys.h"
#include "storage/record.h"
#include "storage/store_ad.h"
#include "storage/store_verify.h"

struct fixture {
	char			 dir[256];
	char			 path[300];
	struct db		*db;
	struct blob_store	*bs;
	struct keys_master	 mk;
	char			 blob1[BLOB_NAME_LEN + 1];
};

#define MAX_REPORTS 16

struct reports {
	int	n;
	char	msg[MAX_REPORTS][512];
};

static void
collect(void *arg, const char *problem)
{
	struct reports *r = arg;

	if (r->n < MAX_REPORTS)
		(void)snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", problem);
	r->n++;
}

static bool
has_report(const struct reports *r, const char *needle)
{
	int i;

	for (i = 0; i < r->n && i < MAX_REPORTS; i++)
		if (strstr(r->msg[i], needle) != NULL)
			return true;
	return false;
}

static long
verify(struct fixture *f, struct reports *r)
{
	long n;
	int i;

	memset(r, 0, sizeof(*r));
	n = store_verify(f->db, f->bs, &f->mk, collect, r);
	for (i = 0; i < r->n && i < MAX_REPORTS; i++)
		print_message("  report: %s\n", r->msg[i]);
	return n;
}

static void
exec(struct fixture *f, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(f->db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static void
seal(const unsigned char key[32], const char *ad, const char *text,
    sqlite3_stmt *st, int col)
{
	unsigned char *out = NULL;
	size_t outlen;

	assert_int_equal(record_seal(key, ad, text, strlen(text), &out,
	    &outlen), STORAGE_OK);
	sqlite3_bind_blob(st, col, out, (int)outlen, SQLITE_TRANSIENT);
	free(out);
}

/* One tip with a slot, a record, a message and an attachment. */
static void
add_tip(struct fixture *f, int64_t id, char blob[BLOB_NAME_LEN + 1])
{
	sqlite3 *sq = db_sqlite(f->db);
	unsigned char uid[16], key[32], rh[32], *wrapped = NULL;
	char ad[STORE_AD_MAX], pid[32];
	const char *evidence = "a scanned false test report";
	size_t wlen;
	sqlite3_stmt *st = NULL;

	randombytes_buf(uid, sizeof(uid));
	randombytes_buf(rh, sizeof(rh));
	keys_content_key_new(key);
	(void)snprintf(pid, sizeof(pid), "T-2022-%06lld", (long long)id);

	assert_int_equal(sqlite3_prepare_v2(sq, "INSERT INTO tips (id, "
	    "public_id, uid, channel, bureau, received_at, received_on, "
	    "updated_at, receipt_hash, record_sealed) VALUES (?1, ?2, ?3, "
	    "'web', '140500', 1, '2022-05-01', 1, ?4, ?5)", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, pid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 3, uid, 16, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 4, rh, 32, SQLITE_TRANSIENT);
	assert_int_equal(store_ad_tip_record(ad, sizeof(ad), uid), 0);
	seal(key, ad, "{\"summary\":\"fake reports\"}", st, 5);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);

	assert_int_equal(store_ad_tip_owner(ad, sizeof(ad), uid), 0);
	assert_int_equal(keys_slot_wrap(&f->mk, key, ad, &wrapped, &wlen),
	    STORAGE_OK);
	assert_int_equal(sqlite3_prepare_v2(sq, "INSERT INTO key_slots "
	    "(tip_id, purpose, kind, key_id, wrapped, created_at) VALUES "
	    "(?1, 'content', 'master', ?2, ?3, 1)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, f->mk.id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 3, wrapped, (int)wlen, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(wrapped);

	assert_int_equal(sqlite3_prepare_v2(sq, "INSERT INTO messages (id, "
	    "tip_id, sender, at, body_sealed) VALUES (?1, ?2, 'tipster', 1, "
	    "?3)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id * 10);
	sqlite3_bind_int64(st, 2, id);
	assert_int_equal(store_ad_tip_message(ad, sizeof(ad), uid, id * 10),
	    0);
	seal(key, ad, "more details", st, 3);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);

	assert_int_equal(blob_store_put(f->bs, key, evidence, strlen(evidence),
	    blob, NULL), STORAGE_OK);
	assert_int_equal(sqlite3_prepare_v2(sq, "INSERT INTO attachments "
	    "(tip_id, blob_name, size, detected_type, content_mac, "
	    "name_sealed, created_at) VALUES (?1, ?2, ?3, 'application/pdf', "
	    "x'00', ?4, 1)", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, blob, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (int64_t)strlen(evidence));
	assert_int_equal(store_ad_tip_attachment_name(ad, sizeof(ad), uid,
	    blob), 0);
	seal(key, ad, "report.pdf", st, 4);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sodium_memzero(key, sizeof(key));
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	unsigned char skey[32], *wrapped = NULL;
	char p[400], err[256], owner[STORE_AD_MAX], blob2[BLOB_NAME_LEN + 1];
	sqlite3_stmt *st = NULL;
	size_t wlen;

	if (f == NULL)
		return -1;
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/test_sv.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	(void)snprintf(f->path, sizeof(f->path), "%s/tipline.db", f->dir);
	if (db_open(f->path, DB_OPEN_CREATE, &f->db, err, sizeof(err)) != 0)
		return -1;
	(void)snprintf(p, sizeof(p), "%s/blobs", f->dir);
	if (blob_store_open(p, &f->bs) != STORAGE_OK)
		return -1;
	(void)snprintf(p, sizeof(p), "%s/keys/master.key", f->dir);
	if (keys_master_create(p) != STORAGE_OK ||
	    keys_master_load(p, &f->mk, err, sizeof(err)) != STORAGE_OK)
		return -1;
	*state = f;
	exec(f, "INSERT INTO bureaus (code, name_zh, name_en) VALUES "
	    "('140500', '晋城市局', 'Jincheng')");
	add_tip(f, 1, f->blob1);
	add_tip(f, 2, blob2);

	randombytes_buf(skey, sizeof(skey));
	assert_int_equal(store_ad_service_owner(owner, sizeof(owner),
	    "receipt_mac"), 0);
	assert_int_equal(keys_slot_wrap(&f->mk, skey, owner, &wrapped, &wlen),
	    STORAGE_OK);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(f->db), "INSERT INTO "
	    "key_slots (tip_id, purpose, kind, key_id, wrapped, created_at) "
	    "VALUES (NULL, 'receipt_mac', 'master', ?1, ?2, 1)", -1, &st,
	    NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, f->mk.id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, wrapped, (int)wlen, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(wrapped);
	assert_int_equal(audit_append(f->db, 1, "admin", "tip.view", "tip:1",
	    NULL), STORAGE_OK);
	assert_int_equal(audit_append(f->db, 2, "admin", "tip.view", "tip:2",
	    NULL), STORAGE_OK);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[400];

	db_close(&f->db);
	blob_store_close(&f->bs);
	keys_master_wipe(&f->mk);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
test_clean(void **state)
{
	struct fixture *f = *state;
	struct reports r;

	assert_int_equal(verify(f, &r), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(store_verify(NULL, f->bs, &f->mk, NULL, NULL), -1);
	assert_int_equal(store_verify(f->db, f->bs, &f->mk, NULL, NULL), 0);
}

static void
test_orphan_and_missing(void **state)
{
	struct fixture *f = *state;
	unsigned char key[32] = { 0 };
	char orphan[BLOB_NAME_LEN + 1], want[80];
	struct reports r;

	assert_int_equal(blob_store_put(f->bs, key, "x", 1, orphan, NULL),
	    STORAGE_OK);
	assert_int_equal(verify(f, &r), 1);
	(void)snprintf(want, sizeof(want), "orphan blob %s", orphan);
	assert_true(has_report(&r, want));
	assert_int_equal(blob_store_remove(f->bs, orphan), STORAGE_OK);

	assert_int_equal(blob_store_remove(f->bs, f->blob1), STORAGE_OK);
	assert_int_equal(verify(f, &r), 1);
	assert_true(has_report(&r, "tip T-2022-000001: attachment"));
	assert_true(has_report(&r, "is missing"));
}

static void
test_flipped_blob(void **state)
{
	struct fixture *f = *state;
	char path[512];
	struct reports r;
	FILE *fp;
	int c;

	assert_int_equal(blob_store_path(f->bs, f->blob1, path, sizeof(path)),
	    0);
	assert_non_null(fp = fopen(path, "r+b"));
	assert_int_equal(fseek(fp, 40, SEEK_SET), 0);
	c = fgetc(fp);
	assert_int_equal(fseek(fp, 40, SEEK_SET), 0);
	fputc(c ^ 1, fp);
	fclose(fp);
	assert_int_equal(verify(f, &r), 1);
	assert_true(has_report(&r, "does not decrypt"));
}

static void
test_wrong_size(void **state)
{
	struct fixture *f = *state;
	struct reports r;

	exec(f, "UPDATE attachments SET size = size + 1 WHERE tip_id = 2");
	assert_int_equal(verify(f, &r), 1);
	assert_true(has_report(&r, "tip T-2022-000002: attachment"));
	assert_true(has_report(&r, "the row says"));
}

static void
test_swapped_records(void **state)
{
	struct fixture *f = *state;
	struct reports r;

	exec(f, "CREATE TEMP TABLE r AS SELECT id, record_sealed FROM tips;"
	    "UPDATE tips SET record_sealed = (SELECT record_sealed FROM "
	    "temp.r WHERE r.id = 3 - tips.id)");
	assert_int_equal(verify(f, &r), 2);
	assert_true(has_report(&r, "tip T-2022-000001: record does not open"));
	assert_true(has_report(&r, "tip T-2022-000002: record does not open"));
}

static void
test_renumbered_message(void **state)
{
	struct fixture *f = *state;
	struct reports r;

	exec(f, "UPDATE messages SET id = 11 WHERE id = 10");
	assert_int_equal(verify(f, &r), 1);
	assert_true(has_report(&r, "tip T-2022-000001: message 11 does not "
	    "open"));
}

static void
test_slots(void **state)
{
	struct fixture *f = *state;
	struct reports r;

	exec(f, "UPDATE key_slots SET purpose = 'nonce_mac' "
	    "WHERE tip_id IS NULL");
	exec(f, "UPDATE key_slots SET key_id = '0123456789abcdef' "
	    "WHERE tip_id = 2");
	exec(f, "DELETE FROM key_slots WHERE tip_id = 1");
	assert_int_equal(verify(f, &r), 3);
	assert_true(has_report(&r, "tip T-2022-000001: no content key slot"));
	assert_true(has_report(&r, "tip T-2022-000002: content key slot"));
	assert_true(has_report(&r, "wrapped under master key 0123456789abcdef"));
	assert_true(has_report(&r, "service key slot"));
}

static void
test_audit_and_fk(void **state)
{
	struct fixture *f = *state;
	struct reports r;
	sqlite3 *sq = NULL;

	assert_int_equal(sqlite3_open(f->path, &sq), SQLITE_OK);
	assert_int_equal(sqlite3_exec(sq, "DROP TRIGGER audit_no_update; "
	    "UPDATE audit SET user = 'x' WHERE id = 2; "
	    "INSERT INTO messages (tip_id, sender, at, body_sealed) "
	    "VALUES (99, 'tipster', 1, x'00')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(sq);
	assert_int_equal(verify(f, &r), 2);
	assert_true(has_report(&r, "audit entry 2: hash mismatch (edited)"));
	assert_true(has_report(&r, "foreign key violation"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_and_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flipped_blob, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_swapped_records, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_renumbered_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_and_fk, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("store_verify", tests, NULL, NULL);
}
