/* SPDX-License-Identifier: MIT */
/*
 * Test helper for the black-box and browser suites: store a message from
 * the bureau on a tip through the storage layer, as the staff pages will
 * once they exist (the staff issue).  The tip is named by its receipt
 * code, the way a test knows it.
 *
 *   staff_message DATA_DIR KEY_FILE RECEIPT TEXT
 *
 * Exit 0 when stored, 1 on any failure (with a reason on stderr).  Safe
 * while `tipline serve` runs (SQLite WAL, BEGIN IMMEDIATE).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "storage/db.h"
#include "storage/key_slots.h"
#include "storage/keys.h"
#include "storage/messages.h"
#include "storage/tip_lookup.h"

int
main(int argc, char *argv[])
{
	struct keys_master mk;
	struct db *db = NULL;
	struct tip_lookup t;
	struct messages_new m;
	unsigned char rkey[32], hash[32], key[32];
	char path[4096], err[512];
	enum storage_status st;
	int64_t id = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: staff_message DATA_DIR KEY_FILE "
		    "RECEIPT TEXT\n");
		return 1;
	}
	if (sodium_init() < 0 ||
	    keys_master_load(argv[2], &mk, err, sizeof(err)) != STORAGE_OK) {
		fprintf(stderr, "staff_message: master key: %s\n", err);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/tipline.db", argv[1]);
	if ((st = db_open(path, 0, &db, err, sizeof(err))) != STORAGE_OK ||
	    (st = key_slots_service_key(db, &mk, KEY_SLOTS_PURPOSE_RECEIPT,
	    rkey)) != STORAGE_OK)
		goto fail;
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)argv[3],
	    strlen(argv[3]), rkey, sizeof(rkey));
	if ((st = tip_lookup_by_receipt(db, hash, &t)) != STORAGE_OK ||
	    (st = key_slots_content_key(db, t.id, t.uid, &mk, key)) !=
	    STORAGE_OK)
		goto fail;
	memset(&m, 0, sizeof(m));
	m.tip_id = t.id;
	m.uid = t.uid;
	m.key = key;
	m.public_id = t.public_id;
	m.sender = "bureau";
	m.audit_user = "test-helper";
	m.text = argv[4];
	m.len = strlen(argv[4]);
	m.at = (int64_t)time(NULL);
	if ((st = messages_add(db, &m, &id)) != STORAGE_OK)
		goto fail;
	printf("message %lld on %s\n", (long long)id, t.public_id);
	db_close(&db);
	keys_master_wipe(&mk);
	return 0;
fail:
	fprintf(stderr, "staff_message: %s %s\n", storage_status_str(st), err);
	db_close(&db);
	keys_master_wipe(&mk);
	return 1;
}
