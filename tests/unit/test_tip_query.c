/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of storage/scope.c and storage/tip_query.c: the scope is
 * enforced by the queries themselves.  Two tips, one of bureau 140581 (the
 * officer's) and one of 140525, each with an attachment, stored through
 * tip_store_commit() as intake stores them; then every query for every
 * role: admin and triage see both, an officer only the own one (the other
 * is NOTFOUND, like a tip that does not exist), an auditor and an empty
 * scope nothing.  A statement without the scope parameters is refused.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>

#include "storage/audit.h"
#include "storage/blob_store.h"
#include "storage/db.h"
#include "storage/keys.h"
#include "storage/record.h"
#include "storage/scope.h"
#include "storage/store_ad.h"
#include "storage/tip_query.h"
#include "storage/tip_store.h"

#define OWN "140581"
#define OTHER "140525"

struct fixture {
	char dir[256];
	struct db *db;
	struct blob_store *bs;
	struct keys_master mk;
	char own[TIP_PUBLIC_ID_MAX];
	char other[TIP_PUBLIC_ID_MAX];
	int64_t own_att, other_att;
};

static const char evidence[] = "a scanned false test report";

static void
exec(struct fixture *f, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(f->db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static int64_t
count(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(f->db), sql, -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* A tip of bureau with one attachment, as intake stores it. */
static void
add_tip(struct fixture *f, const char *bureau, const char *summary,
    int64_t at, char public_id[TIP_PUBLIC_ID_MAX], int64_t *att_id)
{
	struct tip_store_new t;
	struct tip_store_attachment a;
	unsigned char key[32], *rec = NULL, *name = NULL;
	char ad[STORE_AD_MAX], json[256];
	size_t reclen, namelen;

	memset(&t, 0, sizeof(t));
	memset(&a, 0, sizeof(a));
	keys_content_key_new(key);
	randombytes_buf(t.uid, sizeof(t.uid));
	randombytes_buf(t.receipt_hash, sizeof(t.receipt_hash));
	assert_int_equal(blob_store_put(f->bs, key, evidence,
	    sizeof(evidence) - 1, a.blob_name, NULL), STORAGE_OK);
	assert_int_equal(store_ad_tip_attachment_name(ad, sizeof(ad), t.uid,
	    a.blob_name), 0);
	assert_int_equal(record_seal(key, ad, "report.pdf", 10, &name,
	    &namelen), STORAGE_OK);
	a.size = sizeof(evidence) - 1;
	a.detected_type = "application/pdf";
	a.name_sealed = name;
	a.name_sealed_len = namelen;
	(void)snprintf(json, sizeof(json), "{\"v\":1,\"summary\":\"%s\","
	    "\"details\":\"details of %s\"}", summary, summary);
	assert_int_equal(store_ad_tip_record(ad, sizeof(ad), t.uid), 0);
	assert_int_equal(record_seal(key, ad, json, strlen(json), &rec,
	    &reclen), STORAGE_OK);
	t.channel = "web";
	t.status = "received";
	t.bureau = bureau;
	t.route_reason = "test";
	t.received_at = at;
	t.received_on = "2022-05-01";
	t.record_sealed = rec;
	t.record_sealed_len = reclen;
	t.content_key = key;
	t.attachments = &a;
	t.nattachments = 1;
	assert_int_equal(tip_store_commit(f->db, &f->mk, &t, public_id),
	    STORAGE_OK);
	*att_id = count(f, "SELECT max(id) FROM attachments");
	free(rec);
	free(name);
	sodium_memzero(key, sizeof(key));
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[400], err[256];

	if (f == NULL || sodium_init() < 0)
		return -1;
	(void)snprintf(f->dir, sizeof(f->dir), "/tmp/test_tq.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	(void)snprintf(p, sizeof(p), "%s/tipline.db", f->dir);
	if (db_open(p, DB_OPEN_CREATE, &f->db, err, sizeof(err)) != 0)
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
	    "('140500', '晋城市局', 'Jincheng'), ('140581', '高平', 'Gaoping'),"
	    " ('140525', '泽州', 'Zezhou')");
	add_tip(f, OWN, "own tip", 1000, f->own, &f->own_att);
	add_tip(f, OTHER, "other tip", 2000, f->other, &f->other_att);
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

static struct scope
mk_scope(const char *role, const char *bureau)
{
	struct scope s;

	(void)scope_set(&s, role, bureau);
	return s;
}

struct seen {
	int n;
	char ids[8][TIP_PUBLIC_ID_MAX];
	bool summaries_ok;
};

static int
collect(void *arg, const struct tip_query_tip *t)
{
	struct seen *s = arg;

	if (s->n < 8)
		(void)snprintf(s->ids[s->n], TIP_PUBLIC_ID_MAX, "%s",
		    t->public_id);
	s->n++;
	if (t->record == NULL || strstr(t->record, "tip") == NULL)
		s->summaries_ok = false;
	return 0;
}

/* The tips tip_query_list() hands out for flt; *more may be NULL. */
static struct seen
list_filter(struct fixture *f, const struct scope *s,
    const struct tip_query_filter *flt, bool *more)
{
	struct seen seen = { 0, { { 0 } }, true };
	bool m = false;

	assert_int_equal(tip_query_list(f->db, &f->mk, s, flt, collect,
	    &seen, &m), STORAGE_OK);
	if (more != NULL)
		*more = m;
	return seen;
}

static struct seen
list(struct fixture *f, const struct scope *s, const char *status,
    const char *bureau, int limit, bool *more)
{
	struct tip_query_filter flt = { .status = status, .bureau = bureau,
	    .limit = limit };

	return list_filter(f, s, &flt, more);
}

static void
test_scope_names(void **state)
{
	struct scope s;

	(void)state;
	assert_true(scope_set(&s, "officer", OWN));
	assert_int_equal(s.role, SCOPE_ROLE_OFFICER);
	assert_false(scope_set(&s, "officer", NULL));
	assert_int_equal(s.role, SCOPE_ROLE_NONE);
	assert_false(scope_set(&s, "officer", ""));
	assert_false(scope_set(&s, "root", NULL));
	assert_false(scope_sees_tips(&s));
	assert_true(scope_set(&s, "auditor", NULL));
	assert_false(scope_sees_tips(&s));
	assert_true(scope_set(&s, "triage", "140500"));
	assert_true(scope_sees_tips(&s));
	assert_string_equal(scope_role_name(SCOPE_ROLE_ADMIN), "admin");
	assert_string_equal(scope_role_name((enum scope_role)99), "none");
}

static void
test_scope_bind_refuses_unscoped_statement(void **state)
{
	struct fixture *f = *state;
	struct scope s = mk_scope("admin", NULL);
	sqlite3_stmt *st = NULL;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(f->db), "SELECT id FROM "
	    "tips WHERE id = ?1", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(scope_bind(st, &s), STORAGE_ERR_INTERNAL);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(f->db), "SELECT id FROM "
	    "tips t WHERE t.id = ?1 AND " SCOPE_SQL_TIP("t"), -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(scope_bind(st, &s), STORAGE_OK);
	sqlite3_finalize(st);
}

static void
test_list_by_role(void **state)
{
	struct fixture *f = *state;
	struct scope admin = mk_scope("admin", NULL);
	struct scope triage = mk_scope("triage", "140500");
	struct scope officer = mk_scope("officer", OWN);
	struct scope auditor = mk_scope("auditor", NULL);
	struct scope none;
	struct seen s;

	memset(&none, 0, sizeof(none));
	s = list(f, &admin, NULL, NULL, 50, NULL);
	assert_int_equal(s.n, 2);
	assert_true(s.summaries_ok);
	/* Newest first. */
	assert_string_equal(s.ids[0], f->other);
	assert_string_equal(s.ids[1], f->own);
	assert_int_equal(list(f, &triage, NULL, NULL, 50, NULL).n, 2);
	s = list(f, &officer, NULL, NULL, 50, NULL);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.ids[0], f->own);
	assert_int_equal(list(f, &auditor, NULL, NULL, 50, NULL).n, 0);
	assert_int_equal(list(f, &none, NULL, NULL, 50, NULL).n, 0);
	/* A bureau filter never widens the scope. */
	assert_int_equal(list(f, &officer, NULL, OTHER, 50, NULL).n, 0);
	assert_int_equal(list(f, &admin, NULL, OTHER, 50, NULL).n, 1);
	assert_int_equal(list(f, &admin, "closed", NULL, 50, NULL).n, 0);
	assert_int_equal(list(f, &admin, "received", NULL, 50, NULL).n, 2);
}

static void
test_list_cursor(void **state)
{
	struct fixture *f = *state;
	struct scope admin = mk_scope("admin", NULL);
	struct tip_query_filter flt = { .before_at = 2000, .limit = 1 };
	struct seen s;
	bool more = false;

	s = list(f, &admin, NULL, NULL, 1, &more);
	assert_int_equal(s.n, 1);
	assert_true(more);
	/* The page after (received_at 2000, id of the other tip). */
	flt.before_id = count(f, "SELECT id FROM tips WHERE bureau = '140525'");
	s = list_filter(f, &admin, &flt, &more);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.ids[0], f->own);
	assert_false(more);
	flt.limit = 0;
	assert_int_equal(tip_query_list(f->db, &f->mk, &admin, &flt, collect,
	    &s, &more), STORAGE_ERR_INVALID);
}

/* The queue's order: waiting for triage first, then priority, then
 * newest; the cursor walks that order. */
static void
test_list_queue_order(void **state)
{
	struct fixture *f = *state;
	struct scope admin = mk_scope("admin", NULL);
	struct tip_query_filter flt = { .limit = 1 };
	struct seen s;
	bool more = false;

	/* Both waiting, same priority: the newer (the other tip) first. */
	s = list(f, &admin, NULL, NULL, 50, NULL);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.ids[0], f->other);
	/* A higher priority goes first. */
	exec(f, "UPDATE tips SET priority = 2 WHERE bureau = '" OWN "'");
	s = list(f, &admin, NULL, NULL, 50, NULL);
	assert_string_equal(s.ids[0], f->own);
	/* A triaged tip goes after every tip still waiting. */
	exec(f, "UPDATE tips SET status = 'triaged' WHERE bureau = '" OWN "'");
	s = list(f, &admin, NULL, NULL, 50, NULL);
	assert_string_equal(s.ids[0], f->other);
	assert_string_equal(s.ids[1], f->own);
	/* After (group 0, priority 0, at 2000, other's id): the own tip. */
	flt.before_at = 2000;
	flt.before_id = count(f, "SELECT id FROM tips WHERE bureau = '"
	    OTHER "'");
	s = list_filter(f, &admin, &flt, &more);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.ids[0], f->own);
	assert_false(more);
	/* After the own tip's place (group 1): nothing more. */
	flt.before_group = 1;
	flt.before_priority = 2;
	flt.before_at = 1000;
	flt.before_id = count(f, "SELECT id FROM tips WHERE bureau = '"
	    OWN "'");
	assert_int_equal(list_filter(f, &admin, &flt, NULL).n, 0);
}

static void
test_detail_by_role(void **state)
{
	struct fixture *f = *state;
	struct scope officer = mk_scope("officer", OWN);
	struct scope triage = mk_scope("triage", "140500");
	struct scope auditor = mk_scope("auditor", NULL);
	struct tip_query_detail d;

	assert_int_equal(tip_query_detail(f->db, &f->mk, &officer, f->own, &d),
	    STORAGE_OK);
	assert_non_null(strstr(d.tip.record, "details of own tip"));
	assert_string_equal(d.tip.bureau, OWN);
	assert_int_equal(d.nattachments, 1);
	assert_string_equal(d.attachments[0].name, "report.pdf");
	assert_int_equal(d.attachments[0].id, f->own_att);
	tip_query_detail_free(&d);
	assert_null(d.tip.record);

	assert_int_equal(tip_query_detail(f->db, &f->mk, &officer, f->other,
	    &d), STORAGE_ERR_NOTFOUND);
	assert_int_equal(tip_query_detail(f->db, &f->mk, &officer,
	    "T-2099-000001", &d), STORAGE_ERR_NOTFOUND);
	assert_int_equal(tip_query_detail(f->db, &f->mk, &auditor, f->own,
	    &d), STORAGE_ERR_NOTFOUND);
	assert_int_equal(tip_query_detail(f->db, &f->mk, &triage, f->other,
	    &d), STORAGE_OK);
	tip_query_detail_free(&d);
}

static void
test_attachment_by_role(void **state)
{
	struct fixture *f = *state;
	struct scope officer = mk_scope("officer", OWN);
	struct scope admin = mk_scope("admin", NULL);
	struct scope auditor = mk_scope("auditor", NULL);
	struct tip_query_file file;

	assert_int_equal(tip_query_attachment(f->db, &f->mk, f->bs, &officer,
	    f->own, f->own_att, 1 << 20, &file), STORAGE_OK);
	assert_int_equal(file.len, sizeof(evidence) - 1);
	assert_memory_equal(file.data, evidence, file.len);
	assert_string_equal(file.name, "report.pdf");
	tip_query_file_free(&file);
	assert_null(file.data);
	/* Another bureau's, or another tip's attachment under one's own. */
	assert_int_equal(tip_query_attachment(f->db, &f->mk, f->bs, &officer,
	    f->other, f->other_att, 1 << 20, &file), STORAGE_ERR_NOTFOUND);
	assert_int_equal(tip_query_attachment(f->db, &f->mk, f->bs, &officer,
	    f->own, f->other_att, 1 << 20, &file), STORAGE_ERR_NOTFOUND);
	assert_int_equal(tip_query_attachment(f->db, &f->mk, f->bs, &auditor,
	    f->own, f->own_att, 1 << 20, &file), STORAGE_ERR_NOTFOUND);
	/* Larger than the caller allows. */
	assert_int_equal(tip_query_attachment(f->db, &f->mk, f->bs, &admin,
	    f->own, f->own_att, 4, &file), STORAGE_ERR_INVALID);
}

static void
test_message_by_role(void **state)
{
	struct fixture *f = *state;
	struct scope officer = mk_scope("officer", OWN);
	struct scope auditor = mk_scope("auditor", NULL);
	struct tip_query_detail d;
	int64_t mid = 0;

	assert_int_equal(tip_query_message_add(f->db, &f->mk, &officer,
	    f->other, 0, "hello", 5000, "o1", &mid), STORAGE_ERR_NOTFOUND);
	assert_int_equal(tip_query_message_add(f->db, &f->mk, &auditor,
	    f->own, 0, "hello", 5000, "a1", &mid), STORAGE_ERR_NOTFOUND);
	assert_int_equal(count(f, "SELECT count(*) FROM messages"), 0);
	assert_int_equal(tip_query_message_add(f->db, &f->mk, &officer,
	    f->own, 0, "", 5000, "o1", &mid), STORAGE_ERR_INVALID);
	assert_int_equal(tip_query_message_add(f->db, &f->mk, &officer,
	    f->own, 0, "请补充材料", 5000, "o1", &mid), STORAGE_OK);
	assert_true(mid > 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE user = "
	    "'o1' AND action = 'message.add'"), 1);
	assert_int_equal(tip_query_detail(f->db, &f->mk, &officer, f->own, &d),
	    STORAGE_OK);
	assert_int_equal(d.nmessages, 1);
	assert_string_equal(d.messages[0].text, "请补充材料");
	assert_string_equal(d.messages[0].sender, "bureau");
	assert_int_equal(d.messages[0].id, mid);
	tip_query_detail_free(&d);
}

static int
count_rows(void *arg, const struct audit_row *row)
{
	int *n = arg;

	(void)row;
	(*n)++;
	return 0;
}

static int
audit_count(struct fixture *f, const char *user, const char *object,
    int64_t from, int64_t to)
{
	struct audit_filter flt = { user, object, from, to, 0, 100 };
	bool more = false;
	int n = 0;

	assert_int_equal(audit_list(f->db, &flt, count_rows, &n, &more),
	    STORAGE_OK);
	return n;
}

static void
test_audit_list_filters(void **state)
{
	struct fixture *f = *state;

	/* Two tip.receive entries from the fixture, then these. */
	assert_int_equal(audit_append(f->db, 100, "u1", "tip.view",
	    "T-2099-000001", NULL), STORAGE_OK);
	assert_int_equal(audit_append(f->db, 200, "u2", "attachment.download",
	    "T-2099-000001:attachment:1", NULL), STORAGE_OK);
	assert_int_equal(audit_append(f->db, 300, "u\n2", "login", NULL,
	    NULL), STORAGE_OK);
	assert_int_equal(audit_count(f, NULL, NULL, 0, 0), 5);
	assert_int_equal(audit_count(f, "u1", NULL, 0, 0), 1);
	assert_int_equal(audit_count(f, "u2", NULL, 0, 0), 1);
	/* The filter is escaped the way stored text is. */
	assert_int_equal(audit_count(f, "u\n2", NULL, 0, 0), 1);
	assert_int_equal(audit_count(f, NULL, "T-2099-000001", 0, 0), 2);
	assert_int_equal(audit_count(f, NULL, "T-2099-00000", 0, 0), 0);
	assert_int_equal(audit_count(f, NULL, NULL, 150, 250), 1);
	assert_int_equal(audit_count(f, NULL, NULL, 100, 100), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scope_names),
		cmocka_unit_test_setup_teardown(
		    test_scope_bind_refuses_unscoped_statement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_by_role, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list_cursor, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list_queue_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_detail_by_role, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_attachment_by_role, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_message_by_role, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_list_filters, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
