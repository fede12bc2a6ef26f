/* SPDX-License-Identifier: MIT */
/*
 * The whole-store check of `tipline verify` (see store_verify.h for what it
 * checks).  It walks, in this order: db_check (integrity_check and
 * foreign_key_check); audit_verify; the blob directory, noting files no
 * attachment row names; then, inside one read transaction so that every
 * row is seen at the same moment, each tip with its content key slots,
 * sealed record, messages and attachments (name and blob), and the service
 * key slots; last, the blob files noted at the start are looked at again
 * and reported as orphans if they still have no row (an upload in flight
 * writes its file before its row commits).
 *
 * Decrypted text and content keys exist only briefly in memory and are
 * wiped; problem texts name rows and blobs, never content.  Memory: one
 * tip's largest record at a time, and at most SV_ORPHANS_MAX remembered
 * orphan candidates (beyond that they are reported at once).
 */
#include "storage/store_verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "storage/db.h"
#include "storage/audit.h"
#include "storage/blob_store.h"
#include "storage/keys.h"
#include "storage/record.h"
#include "storage/store_ad.h"

_Static_assert(KEYS_KEY_BYTES == RECORD_KEY_BYTES &&
    KEYS_KEY_BYTES == BLOB_KEY_BYTES, "one content key for all");

#define SV_ORPHANS_MAX 1024
#define SV_PATH_MAX 4096
#define SV_SLOT_KIND_BUREAU_BOX "bureau_box"	/* cannot be opened here */

/*
 * SQL: whether the slot has a replacement, a master slot for the same tip
 * and purpose under the loaded key (its id bound at KEY).  A slot under
 * another key that has one is left by an unfinished `keys rotate` (killed
 * after re-wrapping, before dropping the old slots): the store opens with
 * the loaded key, so it is no problem; the next rotation drops it.
 */
#define SV_REPLACED(TIP, PURPOSE, KEY)					\
	"EXISTS (SELECT 1 FROM key_slots n WHERE n.tip_id " TIP		\
	" AND n.purpose = " PURPOSE " AND n.kind = '"			\
	KEYS_SLOT_KIND_MASTER "' AND n.key_id = " KEY ")"

struct sv {
	struct db		 *db;
	sqlite3			 *sq;
	struct blob_store	 *bs;
	const struct keys_master *mk;
	void			(*report)(void *, const char *);
	void			 *arg;
	long			  problems;
	bool			  failed;	/* could not run: -1 */
	sqlite3_stmt		 *referenced;
	sqlite3_stmt		 *slots;
	sqlite3_stmt		 *messages;
	sqlite3_stmt		 *attachments;
	sqlite3_stmt		 *outbox;
	char			(*orphans)[BLOB_NAME_LEN + 1];
	size_t			  norphans;
};

/* One tip as the walk sees it. */
struct sv_tip {
	int64_t			 id;
	const char		*pid;		/* public id, for messages */
	const unsigned char	*uid;		/* NULL if malformed */
	unsigned char		 key[KEYS_KEY_BYTES];
	bool			 have_key;
};

/* Report a problem and count it. */
static void sv_problem(struct sv *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sv_problem(struct sv *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->problems++;
	if (c->report == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->report(c->arg, msg);
}

/* Give up: report why (once) and make store_verify return -1. */
static void sv_fail(struct sv *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sv_fail(struct sv *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->failed)
		return;
	c->failed = true;
	if (c->report == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->report(c->arg, msg);
}

/*
 * A printable copy of a string that came from the database or the disk and
 * may be anything (a key id, a malformed name): ASCII graphic characters
 * kept, everything else '?', at most out's size.
 */
static const char *
sv_clean(char *out, size_t outlen, const char *s)
{
	size_t i;

	if (s == NULL)
		s = "(null)";
	for (i = 0; i + 1 < outlen && s[i] != '\0'; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
	return out;
}

static int
sv_run(sqlite3 *sq, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq, sql, -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Whether an attachment row names the blob: 1 yes, 0 no, -1 error. */
static int
sv_is_referenced(struct sv *c, const char *name)
{
	int rc;

	sqlite3_reset(c->referenced);
	if (sqlite3_bind_text(c->referenced, 1, name, -1, SQLITE_STATIC) !=
	    SQLITE_OK)
		return -1;
	rc = sqlite3_step(c->referenced);
	sqlite3_reset(c->referenced);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Whether the blob's file exists: 1 yes, 0 no, -1 error (errno set). */
static int
sv_blob_exists(struct sv *c, const char *name)
{
	char path[SV_PATH_MAX];
	struct stat sb;

	if (blob_store_path(c->bs, name, path, sizeof(path)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (lstat(path, &sb) == 0)
		return S_ISREG(sb.st_mode) ? 1 : 0;
	return (errno == ENOENT || errno == ENOTDIR) ? 0 : -1;
}

/*
 * blob_store_list callback of the first pass: remember (or, past
 * SV_ORPHANS_MAX, report at once) each blob no row names.
 */
static int
sv_orphan_cb(void *arg, const char *name)
{
	struct sv *c = arg;
	char clean[80];
	int r;

	if (!blob_store_valid_name(name)) {
		sv_problem(c, "unexpected file %s in the blob store",
		    sv_clean(clean, sizeof(clean), name));
		return 0;
	}
	if ((r = sv_is_referenced(c, name)) < 0) {
		sv_fail(c, "could not read the attachments table: %s",
		    db_errmsg(c->db));
		return 1;
	}
	if (r == 1)
		return 0;
	if (c->norphans < SV_ORPHANS_MAX) {
		memcpy(c->orphans[c->norphans], name, BLOB_NAME_LEN + 1);
		c->norphans++;
	} else
		sv_problem(c, "orphan blob %s", name);
	return 0;
}

/* The plaintext sink of a blob being checked: count and discard. */
static int
sv_count_sink(void *arg, const void *buf, size_t len)
{
	uint64_t *n = arg;

	(void)buf;
	*n += len;
	return 0;
}

/*
 * Open a sealed value only to see that it authenticates; the plaintext is
 * wiped at once.
 */
static enum storage_status
sv_open_sealed(const unsigned char key[KEYS_KEY_BYTES], const char *ad,
    const void *sealed, int len)
{
	unsigned char *plain = NULL;
	size_t plainlen = 0;
	enum storage_status st;

	if (sealed == NULL || len <= 0)
		return STORAGE_ERR_CORRUPT;
	st = record_open(key, ad, sealed, (size_t)len, &plain, &plainlen);
	if (st == STORAGE_OK && plain != NULL) {
		sodium_memzero(plain, plainlen);
		free(plain);
	}
	return st;
}

/*
 * The tip's content key slots (purpose "content"): each of kind master must
 * unwrap for the tip's owner string, and all must hold the same key, which
 * is left in t->key.  Slots sealed to a bureau cannot be opened here and
 * are passed over.
 */
static void
sv_tip_key(struct sv *c, struct sv_tip *t)
{
	unsigned char other[KEYS_KEY_BYTES];
	char owner[STORE_AD_MAX], kid[KEYS_ID_LEN + 8];
	const char *kind, *key_id;
	enum storage_status st;
	int64_t slot;
	size_t nmaster = 0;
	int rc;

	if (store_ad_tip_owner(owner, sizeof(owner), t->uid) != 0) {
		sv_fail(c, "could not build the key owner of tip %s", t->pid);
		return;
	}
	sqlite3_reset(c->slots);
	sqlite3_bind_int64(c->slots, 1, t->id);
	while ((rc = sqlite3_step(c->slots)) == SQLITE_ROW) {
		slot = sqlite3_column_int64(c->slots, 0);
		kind = (const char *)sqlite3_column_text(c->slots, 1);
		if (kind == NULL || strcmp(kind, KEYS_SLOT_KIND_MASTER) != 0) {
			if (kind == NULL ||
			    strcmp(kind, SV_SLOT_KIND_BUREAU_BOX) != 0)
				sv_problem(c, "tip %s: key slot %lld has an "
				    "unknown kind %s", t->pid, (long long)slot,
				    sv_clean(kid, sizeof(kid), kind));
			continue;
		}
		nmaster++;
		key_id = (const char *)sqlite3_column_text(c->slots, 2);
		st = keys_slot_unwrap(c->mk, key_id != NULL ? key_id : "",
		    sqlite3_column_blob(c->slots, 3),
		    (size_t)sqlite3_column_bytes(c->slots, 3), owner, other);
		if (st == STORAGE_ERR_KEY && sqlite3_column_int(c->slots, 4))
			;	/* see SV_REPLACED */
		else if (st == STORAGE_ERR_KEY)
			sv_problem(c, "tip %s: content key slot %lld is "
			    "wrapped under master key %s, not the loaded key "
			    "%s", t->pid, (long long)slot,
			    sv_clean(kid, sizeof(kid), key_id), c->mk->id);
		else if (st != STORAGE_OK)
			sv_problem(c, "tip %s: content key slot %lld does not "
			    "open (%s)", t->pid, (long long)slot,
			    storage_status_str(st));
		else if (!t->have_key) {
			memcpy(t->key, other, sizeof(t->key));
			t->have_key = true;
		} else if (sodium_memcmp(t->key, other, sizeof(other)) != 0)
			sv_problem(c, "tip %s: content key slot %lld holds "
			    "another key than the tip's first slot", t->pid,
			    (long long)slot);
		sodium_memzero(other, sizeof(other));
	}
	sqlite3_reset(c->slots);
	if (rc != SQLITE_DONE) {
		sv_fail(c, "could not read the key slots of tip %s: %s",
		    t->pid, db_errmsg(c->db));
		return;
	}
	if (nmaster == 0)
		sv_problem(c, "tip %s: no content key slot for the master key",
		    t->pid);
}

/* Every message body of the tip opens under its key and identity. */
static void
sv_tip_messages(struct sv *c, struct sv_tip *t)
{
	char ad[STORE_AD_MAX];
	enum storage_status st;
	int64_t mid;
	int rc;

	sqlite3_reset(c->messages);
	sqlite3_bind_int64(c->messages, 1, t->id);
	while ((rc = sqlite3_step(c->messages)) == SQLITE_ROW) {
		mid = sqlite3_column_int64(c->messages, 0);
		if (store_ad_tip_message(ad, sizeof(ad), t->uid, mid) != 0) {
			sv_problem(c, "tip %s: message %lld has an invalid id",
			    t->pid, (long long)mid);
			continue;
		}
		st = sv_open_sealed(t->key, ad,
		    sqlite3_column_blob(c->messages, 1),
		    sqlite3_column_bytes(c->messages, 1));
		if (st != STORAGE_OK)
			sv_problem(c, "tip %s: message %lld does not open (%s)",
			    t->pid, (long long)mid, storage_status_str(st));
	}
	sqlite3_reset(c->messages);
	if (rc != SQLITE_DONE)
		sv_fail(c, "could not read the messages of tip %s: %s",
		    t->pid, db_errmsg(c->db));
}

/* Every acknowledgement of the tip in the outbox opens, both columns. */
static void
sv_tip_outbox(struct sv *c, struct sv_tip *t)
{
	static const char *const parts[] = { "recipient", "body" };
	char ad[STORE_AD_MAX];
	enum storage_status st;
	int64_t oid;
	int rc;

	sqlite3_reset(c->outbox);
	sqlite3_bind_int64(c->outbox, 1, t->id);
	while ((rc = sqlite3_step(c->outbox)) == SQLITE_ROW) {
		oid = sqlite3_column_int64(c->outbox, 0);
		for (int i = 0; i < 2; i++) {
			if (store_ad_tip_outbox(ad, sizeof(ad), t->uid, oid,
			    parts[i]) != 0)
				st = STORAGE_ERR_CORRUPT;
			else
				st = sv_open_sealed(t->key, ad,
				    sqlite3_column_blob(c->outbox, i + 1),
				    sqlite3_column_bytes(c->outbox, i + 1));
			if (st != STORAGE_OK)
				sv_problem(c, "tip %s: outbox %lld %s does not "
				    "open (%s)", t->pid, (long long)oid,
				    parts[i], storage_status_str(st));
		}
	}
	sqlite3_reset(c->outbox);
	if (rc != SQLITE_DONE)
		sv_fail(c, "could not read the outbox of tip %s: %s", t->pid,
		    db_errmsg(c->db));
}

/*
 * Every attachment of the tip: its blob exists; with the key, its file
 * name opens and its blob decrypts and authenticates to the end and holds
 * as many bytes as the row says.
 */
static void
sv_tip_attachments(struct sv *c, struct sv_tip *t)
{
	char ad[STORE_AD_MAX], clean[80];
	const char *name;
	enum storage_status st;
	int64_t aid, size;
	uint64_t got;
	int rc, exists;

	sqlite3_reset(c->attachments);
	sqlite3_bind_int64(c->attachments, 1, t->id);
	while ((rc = sqlite3_step(c->attachments)) == SQLITE_ROW) {
		aid = sqlite3_column_int64(c->attachments, 0);
		name = (const char *)sqlite3_column_text(c->attachments, 1);
		size = sqlite3_column_int64(c->attachments, 2);
		if (name == NULL || !blob_store_valid_name(name)) {
			sv_problem(c, "tip %s: attachment %lld names an "
			    "invalid blob %s", t->pid, (long long)aid,
			    sv_clean(clean, sizeof(clean), name));
			continue;
		}
		exists = sv_blob_exists(c, name);
		if (exists == 0) {
			sv_problem(c, "tip %s: attachment %lld: blob %s is "
			    "missing", t->pid, (long long)aid, name);
			continue;
		}
		if (exists < 0) {
			sv_problem(c, "tip %s: attachment %lld: blob %s cannot "
			    "be examined (%s)", t->pid, (long long)aid, name,
			    strerror(errno));
			continue;
		}
		if (!t->have_key || t->uid == NULL)
			continue;
		if (store_ad_tip_attachment_name(ad, sizeof(ad), t->uid,
		    name) != 0) {
			sv_fail(c, "could not build the identity of "
			    "attachment %lld", (long long)aid);
			break;
		}
		st = sv_open_sealed(t->key, ad,
		    sqlite3_column_blob(c->attachments, 3),
		    sqlite3_column_bytes(c->attachments, 3));
		if (st != STORAGE_OK)
			sv_problem(c, "tip %s: attachment %lld: file name does "
			    "not open (%s)", t->pid, (long long)aid,
			    storage_status_str(st));
		got = 0;
		st = blob_store_read(c->bs, t->key, name, sv_count_sink, &got);
		if (st != STORAGE_OK)
			sv_problem(c, "tip %s: attachment %lld: blob %s does "
			    "not decrypt (%s)", t->pid, (long long)aid, name,
			    storage_status_str(st));
		else if (size < 0 || got != (uint64_t)size)
			sv_problem(c, "tip %s: attachment %lld: blob %s holds "
			    "%llu bytes, the row says %lld", t->pid,
			    (long long)aid, name, (unsigned long long)got,
			    (long long)size);
	}
	sqlite3_reset(c->attachments);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		sv_fail(c, "could not read the attachments of tip %s: %s",
		    t->pid, db_errmsg(c->db));
}

/* One tip: key slots, then the record, messages and attachments. */
static void
sv_tip(struct sv *c, sqlite3_stmt *row)
{
	struct sv_tip t;
	char ad[STORE_AD_MAX];
	enum storage_status st;

	memset(&t, 0, sizeof(t));
	t.id = sqlite3_column_int64(row, 0);
	t.pid = (const char *)sqlite3_column_text(row, 1);
	if (t.pid == NULL)
		t.pid = "(no public id)";
	if (sqlite3_column_type(row, 2) == SQLITE_BLOB &&
	    sqlite3_column_bytes(row, 2) == STORE_AD_UID_BYTES)
		t.uid = sqlite3_column_blob(row, 2);
	if (t.uid == NULL)
		sv_problem(c, "tip %s: its uid is not %d bytes, so none of its "
		    "sealed data can be checked", t.pid, STORE_AD_UID_BYTES);
	else
		sv_tip_key(c, &t);

	if (t.have_key && !c->failed) {
		if (store_ad_tip_record(ad, sizeof(ad), t.uid) != 0)
			sv_fail(c, "could not build the identity of tip %s",
			    t.pid);
		else {
			st = sv_open_sealed(t.key, ad,
			    sqlite3_column_blob(row, 3),
			    sqlite3_column_bytes(row, 3));
			if (st != STORAGE_OK)
				sv_problem(c, "tip %s: record does not open "
				    "(%s)", t.pid, storage_status_str(st));
		}
	}
	if (t.have_key && !c->failed)
		sv_tip_messages(c, &t);
	if (t.have_key && !c->failed)
		sv_tip_outbox(c, &t);
	if (!c->failed)
		sv_tip_attachments(c, &t);
	sodium_memzero(t.key, sizeof(t.key));
}

/* Every tip, in id order. */
static void
sv_tips(struct sv *c)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(c->sq, "SELECT id, public_id, uid, "
	    "record_sealed FROM tips ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		sv_fail(c, "could not read the tips: %s", db_errmsg(c->db));
		return;
	}
	while (!c->failed && (rc = sqlite3_step(st)) == SQLITE_ROW)
		sv_tip(c, st);
	if (!c->failed && rc != SQLITE_DONE)
		sv_fail(c, "could not read the tips: %s", db_errmsg(c->db));
	sqlite3_finalize(st);
}

/* Every service key slot (tip_id NULL) of kind master unwraps. */
static void
sv_service_slots(struct sv *c)
{
	unsigned char key[KEYS_KEY_BYTES];
	char owner[STORE_AD_MAX], cp[STORE_AD_PURPOSE_MAX + 1];
	char kid[KEYS_ID_LEN + 8], ck[40];
	const char *purpose, *kind, *key_id;
	sqlite3_stmt *st = NULL;
	enum storage_status s;
	int64_t slot;
	int rc;

	rc = sqlite3_prepare_v2(c->sq, "SELECT id, purpose, kind, key_id, "
	    "wrapped, " SV_REPLACED("IS NULL", "key_slots.purpose", "?1")
	    " FROM key_slots WHERE tip_id IS NULL ORDER BY id", -1,
	    &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_text(st, 1, c->mk->id, -1, SQLITE_STATIC);
	if (rc != SQLITE_OK) {
		sv_fail(c, "could not read the service key slots: %s",
		    db_errmsg(c->db));
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		slot = sqlite3_column_int64(st, 0);
		purpose = (const char *)sqlite3_column_text(st, 1);
		kind = (const char *)sqlite3_column_text(st, 2);
		key_id = (const char *)sqlite3_column_text(st, 3);
		sv_clean(cp, sizeof(cp), purpose);
		if (kind == NULL || strcmp(kind, KEYS_SLOT_KIND_MASTER) != 0) {
			if (kind == NULL ||
			    strcmp(kind, SV_SLOT_KIND_BUREAU_BOX) != 0)
				sv_problem(c, "service key slot %lld (%s) has "
				    "an unknown kind %s", (long long)slot, cp,
				    sv_clean(ck, sizeof(ck), kind));
			continue;
		}
		if (purpose == NULL || store_ad_service_owner(owner,
		    sizeof(owner), purpose) != 0) {
			sv_problem(c, "service key slot %lld has an invalid "
			    "purpose %s", (long long)slot, cp);
			continue;
		}
		s = keys_slot_unwrap(c->mk, key_id != NULL ? key_id : "",
		    sqlite3_column_blob(st, 4),
		    (size_t)sqlite3_column_bytes(st, 4), owner, key);
		sodium_memzero(key, sizeof(key));
		if (s == STORAGE_ERR_KEY && sqlite3_column_int(st, 5))
			;	/* see SV_REPLACED */
		else if (s == STORAGE_ERR_KEY)
			sv_problem(c, "service key slot %lld (%s) is wrapped "
			    "under master key %s, not the loaded key %s",
			    (long long)slot, cp,
			    sv_clean(kid, sizeof(kid), key_id), c->mk->id);
		else if (s != STORAGE_OK)
			sv_problem(c, "service key slot %lld (%s) does not "
			    "open (%s)", (long long)slot, cp,
			    storage_status_str(s));
	}
	if (rc != SQLITE_DONE)
		sv_fail(c, "could not read the service key slots: %s",
		    db_errmsg(c->db));
	sqlite3_finalize(st);
}

/* Second look at the orphan candidates, outside the snapshot. */
static void
sv_orphans_recheck(struct sv *c)
{
	size_t i;
	int r;

	for (i = 0; i < c->norphans && !c->failed; i++) {
		r = sv_blob_exists(c, c->orphans[i]);
		if (r == 0)
			continue;	/* removed meanwhile (a sweep) */
		if (r == 1 && (r = sv_is_referenced(c, c->orphans[i])) == 1)
			continue;	/* its row committed meanwhile */
		if (r < 0)
			sv_fail(c, "could not look at blob %s again",
			    c->orphans[i]);
		else
			sv_problem(c, "orphan blob %s", c->orphans[i]);
	}
}

/*
 * Check the whole store (store_verify.h).  Keeps no state; the caller keeps
 * db, bs and mk.
 */
long
store_verify(struct db *db, struct blob_store *bs,
    const struct keys_master *mk,
    void (*report)(void *arg, const char *problem), void *arg)
{
	struct sv c;
	enum storage_status st;
	bool own_txn = false;
	long r;
	int rc;

	memset(&c, 0, sizeof(c));
	c.db = db;
	c.bs = bs;
	c.mk = mk;
	c.report = report;
	c.arg = arg;
	if (db == NULL || bs == NULL || mk == NULL) {
		sv_fail(&c, "store verification could not run: no database, "
		    "blob store or master key");
		return -1;
	}
	c.sq = db_sqlite(db);

	if ((r = db_check(db, report, arg)) < 0) {
		sv_fail(&c, "could not run the database integrity checks: %s",
		    db_errmsg(db));
		goto out;
	}
	c.problems += r;
	if ((r = audit_verify(db, report, arg)) < 0) {
		sv_fail(&c, "could not read the audit log: %s", db_errmsg(db));
		goto out;
	}
	c.problems += r;

	rc = sqlite3_prepare_v2(c.sq, "SELECT 1 FROM attachments "
	    "WHERE blob_name = ?1", -1, &c.referenced, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c.sq, "SELECT id, kind, key_id, "
		    "wrapped, " SV_REPLACED("= ?1", "'"
		    STORE_AD_SLOT_PURPOSE_CONTENT "'", "?2")
		    " FROM key_slots WHERE tip_id = ?1 AND purpose = '"
		    STORE_AD_SLOT_PURPOSE_CONTENT "' ORDER BY id", -1,
		    &c.slots, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_text(c.slots, 2, mk->id, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c.sq, "SELECT id, body_sealed "
		    "FROM messages WHERE tip_id = ?1 ORDER BY id", -1,
		    &c.messages, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c.sq, "SELECT id, blob_name, size, "
		    "name_sealed FROM attachments WHERE tip_id = ?1 "
		    "ORDER BY id", -1, &c.attachments, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(c.sq, "SELECT id, recipient_sealed, "
		    "body_sealed FROM outbox WHERE tip_id = ?1 ORDER BY id", -1,
		    &c.outbox, NULL);
	if (rc != SQLITE_OK) {
		sv_fail(&c, "could not read the database: %s", db_errmsg(db));
		goto out;
	}
	c.orphans = calloc(SV_ORPHANS_MAX, sizeof(*c.orphans));
	if (c.orphans == NULL) {
		sv_fail(&c, "store verification ran out of memory");
		goto out;
	}

	st = blob_store_list(bs, sv_orphan_cb, &c);
	if (c.failed)
		goto out;
	if (st != STORAGE_OK) {
		sv_fail(&c, "could not list the blob store: %s",
		    storage_status_str(st));
		goto out;
	}

	/* One snapshot for all rows; a deferred BEGIN takes no write lock. */
	if (sqlite3_get_autocommit(c.sq)) {
		if ((rc = sv_run(c.sq, "BEGIN")) != SQLITE_OK) {
			sv_fail(&c, "could not start a read transaction: %s",
			    db_errmsg(db));
			goto out;
		}
		own_txn = true;
	}
	sv_tips(&c);
	if (!c.failed)
		sv_service_slots(&c);
	if (own_txn) {
		db_rollback(db);	/* nothing was written */
		own_txn = false;
	}
	if (!c.failed)
		sv_orphans_recheck(&c);
out:
	if (own_txn)
		db_rollback(db);
	sqlite3_finalize(c.referenced);
	sqlite3_finalize(c.slots);
	sqlite3_finalize(c.messages);
	sqlite3_finalize(c.attachments);
	sqlite3_finalize(c.outbox);
	free(c.orphans);
	return c.failed ? -1 : c.problems;
}
