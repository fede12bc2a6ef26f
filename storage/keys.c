/* SPDX-License-Identifier: MIT */
/*
 * The service master key file and key slots.
 *
 * The master key file is 37 bytes: magic "TLMK" | version 0x01 | key[32].
 * It is created once (tipline init, keys rotate) with mode 0600, written
 * under a temporary name and renamed into place without replacing anything,
 * fsynced with its directory, and loaded once at start-up; a file that group
 * or others may access, of the wrong length or with the wrong magic is
 * refused with a reason, so that a misplaced or copied key is noticed.
 *
 * The key id names a master key without revealing it: the hex of the first
 * 8 bytes of BLAKE2b-256 (crypto_generichash) over the fixed context string
 * KEYS_ID_CONTEXT followed by the key.  Slots store it, so that a slot
 * wrapped under another master key is reported as a wrong key rather than
 * as corruption.  The id is part of the stored format: never change the
 * context string.
 *
 * A master slot is record_seal(master key, "tipline-slot-v1:" + owner,
 * content key), i.e. 32 + RECORD_OVERHEAD bytes.  Everything here is
 * stateless and safe to call from any thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "storage/keys.h"
#include "storage/fsutil.h"
#include "storage/record.h"

#define KEYS_FILE_MAGIC "TLMK"
#define KEYS_FILE_MAGIC_LEN 4
#define KEYS_FILE_VERSION 0x01
#define KEYS_FILE_BYTES (KEYS_FILE_MAGIC_LEN + 1 + KEYS_KEY_BYTES)
#define KEYS_ID_CONTEXT "tipline-master-key-id-v1"
#define KEYS_SLOT_AD_PREFIX "tipline-slot-v1:"

_Static_assert(KEYS_KEY_BYTES == RECORD_KEY_BYTES, "slot key is a record key");
_Static_assert(KEYS_ID_LEN == 16, "8 bytes of hash in hex");

/* Write a reason into err (if the caller gave room for one). */
static void
keys_err(char *err, size_t errlen, const char *what, const char *path,
    int errnum)
{
	if (err == NULL || errlen == 0)
		return;
	if (errnum != 0)
		snprintf(err, errlen, "%s: %s: %s", path, what,
		    strerror(errnum));
	else
		snprintf(err, errlen, "%s: %s", path, what);
}

/*
 * The directory part of path as a malloc'd string ("." when there is none).
 * NULL when out of memory.
 */
static char *
keys_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n;
	char *dir;

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	n = (size_t)(slash - path);
	if ((dir = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return dir;
}

/* The id of key into id (KEYS_ID_LEN hex characters and a NUL). */
static void
keys_id_compute(const unsigned char key[KEYS_KEY_BYTES],
    char id[KEYS_ID_LEN + 1])
{
	crypto_generichash_state st;
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)KEYS_ID_CONTEXT,
	    sizeof(KEYS_ID_CONTEXT) - 1);
	crypto_generichash_update(&st, key, KEYS_KEY_BYTES);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(id, KEYS_ID_LEN + 1, h, KEYS_ID_LEN / 2);
	sodium_memzero(&st, sizeof(st));
}

/*
 * Create a new random master key file at path.  Called by init and key
 * rotation only.  Returns STORAGE_ERR_EXISTS if path exists (nothing is
 * touched), STORAGE_ERR_NOSPC when the disk is full, STORAGE_ERR_IO for other
 * failures, STORAGE_ERR_INVALID for a NULL or empty path.  On any error no
 * new file is left behind.
 *
 * The key is written and fsynced under PATH.tmp and only then renamed to
 * path (RENAME_NOREPLACE keeps the O_EXCL promise), so that a process killed
 * while writing never leaves a short or empty file under the real name: a
 * resumed `keys rotate` would take it for the new key and refuse it for
 * ever.  A PATH.tmp left by such a kill is overwritten by the next call.
 */
enum storage_status
keys_master_create(const char *path)
{
	unsigned char buf[KEYS_FILE_BYTES];
	char *dir = NULL, *tmp = NULL;
	size_t plen;
	struct stat sb;
	int fd = -1, tmp_made = 0, installed = 0, rc;
	enum storage_status st = STORAGE_ERR_IO;

	if (path == NULL || path[0] == '\0')
		return STORAGE_ERR_INVALID;
	if (sodium_init() < 0)
		return STORAGE_ERR_INTERNAL;
	if (lstat(path, &sb) == 0)
		return STORAGE_ERR_EXISTS;
	plen = strlen(path);
	if ((dir = keys_dirname(path)) == NULL ||
	    (tmp = malloc(plen + sizeof(".tmp"))) == NULL) {
		st = STORAGE_ERR_NOMEM;
		goto done;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", sizeof(".tmp"));
	if (fsutil_mkdirs(dir, 0700) == -1) {
		st = fsutil_status_from_errno(errno);
		goto done;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		st = fsutil_status_from_errno(errno);
		goto done;
	}
	tmp_made = 1;
	/* The umask may only narrow 0600, and a leftover may be wider. */
	if (fchmod(fd, 0600) == -1)
		goto fail;
	memcpy(buf, KEYS_FILE_MAGIC, KEYS_FILE_MAGIC_LEN);
	buf[KEYS_FILE_MAGIC_LEN] = KEYS_FILE_VERSION;
	randombytes_buf(buf + KEYS_FILE_MAGIC_LEN + 1, KEYS_KEY_BYTES);
	if (fsutil_write_all(fd, buf, sizeof(buf)) == -1)
		goto fail;
	while ((rc = fsync(fd)) == -1 && errno == EINTR)
		;
	if (rc == -1)
		goto fail;
	rc = close(fd);
	fd = -1;
	if (rc == -1 && errno != EINTR)
		goto fail;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == -1) {
		st = fsutil_status_from_errno(errno);
		goto done;
	}
	tmp_made = 0;
	installed = 1;
	if (fsutil_fsync_dirat(AT_FDCWD, dir) == -1)
		goto fail;
	st = STORAGE_OK;
	goto done;
fail:
	st = fsutil_status_from_errno(errno);
	if (st == STORAGE_ERR_EXISTS)
		st = STORAGE_ERR_IO;
done:
	sodium_memzero(buf, sizeof(buf));
	if (fd != -1)
		close(fd);
	if (tmp_made)
		unlink(tmp);
	if (st != STORAGE_OK && installed)
		unlink(path);
	free(tmp);
	free(dir);
	return st;
}

/*
 * Load the master key file at path into *out (key and id).  Called once at
 * start-up.  STORAGE_ERR_KEY when the file is missing, unreadable, not a
 * regular file, accessible by group or others, of the wrong length, or has
 * the wrong magic or version; err (may be NULL) gets a reason naming path.
 * STORAGE_ERR_INVALID for NULL arguments.  On error *out is zeroed.
 */
enum storage_status
keys_master_load(const char *path, struct keys_master *out, char *err,
    size_t errlen)
{
	unsigned char buf[KEYS_FILE_BYTES + 1];
	struct stat sb;
	size_t got = 0;
	int fd = -1;
	enum storage_status st = STORAGE_ERR_KEY;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out != NULL)
		sodium_memzero(out, sizeof(*out));
	if (path == NULL || out == NULL) {
		keys_err(err, errlen, "no key file given", "(null)", 0);
		return STORAGE_ERR_INVALID;
	}
	if (sodium_init() < 0) {
		keys_err(err, errlen, "cannot initialise libsodium", path, 0);
		return STORAGE_ERR_INTERNAL;
	}
	/*
	 * A symlink is followed (secrets are often mounted that way); the
	 * mode and type checks below apply to its target.  O_NONBLOCK: a FIFO
	 * in its place must not hang start-up.
	 */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		keys_err(err, errlen, "cannot open master key file", path,
		    errno);
		goto done;
	}
	if (fstat(fd, &sb) == -1) {
		keys_err(err, errlen, "cannot stat master key file", path,
		    errno);
		goto done;
	}
	if (!S_ISREG(sb.st_mode)) {
		keys_err(err, errlen, "master key is not a regular file", path,
		    0);
		goto done;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: master key file has mode "
			    "%04o; it must not be accessible by group or "
			    "others (chmod 600)", path,
			    (unsigned int)(sb.st_mode & 07777));
		goto done;
	}
	/* Read one byte more than a key file holds, to see a longer file. */
	while (got < sizeof(buf)) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			keys_err(err, errlen, "cannot read master key file",
			    path, errno);
			goto done;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != KEYS_FILE_BYTES) {
		keys_err(err, errlen, "not a master key file (wrong length)",
		    path, 0);
		goto done;
	}
	if (memcmp(buf, KEYS_FILE_MAGIC, KEYS_FILE_MAGIC_LEN) != 0) {
		keys_err(err, errlen, "not a master key file (bad magic)",
		    path, 0);
		goto done;
	}
	if (buf[KEYS_FILE_MAGIC_LEN] != KEYS_FILE_VERSION) {
		keys_err(err, errlen, "unknown master key file version", path,
		    0);
		goto done;
	}
	memcpy(out->key, buf + KEYS_FILE_MAGIC_LEN + 1, KEYS_KEY_BYTES);
	keys_id_compute(out->key, out->id);
	st = STORAGE_OK;
done:
	sodium_memzero(buf, sizeof(buf));
	if (fd != -1)
		close(fd);
	return st;
}

/*
 * Zero the key and id in memory (before freeing or leaving scope).  Accepts
 * NULL.
 */
void
keys_master_wipe(struct keys_master *mk)
{
	if (mk != NULL)
		sodium_memzero(mk, sizeof(*mk));
}

/*
 * Fill key with a fresh random content key.  Cannot fail: without a working
 * random source there is no safe key to return, and libsodium itself aborts
 * in randombytes_buf() in that case, so an init failure aborts here too.
 */
void
keys_content_key_new(unsigned char key[KEYS_KEY_BYTES])
{
	if (sodium_init() < 0)
		abort();
	randombytes_buf(key, KEYS_KEY_BYTES);
}

/* "tipline-slot-v1:" + owner, malloc'd; NULL when out of memory. */
static char *
keys_slot_ad(const char *owner)
{
	size_t plen = sizeof(KEYS_SLOT_AD_PREFIX) - 1, olen = strlen(owner);
	char *ad;

	if ((ad = malloc(plen + olen + 1)) == NULL)
		return NULL;
	memcpy(ad, KEYS_SLOT_AD_PREFIX, plen);
	memcpy(ad + plen, owner, olen + 1);
	return ad;
}

/*
 * Wrap the content key for owner under the master key.  On STORAGE_OK the
 * caller owns *out (*outlen bytes), to be stored with kind
 * KEYS_SLOT_KIND_MASTER and key_id mk->id.  STORAGE_ERR_INVALID for NULL
 * arguments, STORAGE_ERR_NOMEM.
 */
enum storage_status
keys_slot_wrap(const struct keys_master *mk,
    const unsigned char key[KEYS_KEY_BYTES], const char *owner,
    unsigned char **out, size_t *outlen)
{
	enum storage_status st;
	char *ad;

	if (out != NULL)
		*out = NULL;
	if (outlen != NULL)
		*outlen = 0;
	if (mk == NULL || key == NULL || owner == NULL || out == NULL ||
	    outlen == NULL)
		return STORAGE_ERR_INVALID;
	if ((ad = keys_slot_ad(owner)) == NULL)
		return STORAGE_ERR_NOMEM;
	st = record_seal(mk->key, ad, key, KEYS_KEY_BYTES, out, outlen);
	free(ad);
	return st;
}

/*
 * Unwrap a master slot of owner into key.  STORAGE_ERR_KEY when key_id is
 * not mk->id (the slot belongs to another master key), STORAGE_ERR_CORRUPT
 * when the slot does not authenticate (changed bytes, another owner's slot,
 * a different key claiming this id), STORAGE_ERR_FORMAT for an unknown
 * record version, STORAGE_ERR_INVALID for NULL arguments.  key is written
 * only on STORAGE_OK.
 */
enum storage_status
keys_slot_unwrap(const struct keys_master *mk, const char *key_id,
    const unsigned char *wrapped, size_t len, const char *owner,
    unsigned char key[KEYS_KEY_BYTES])
{
	unsigned char *plain = NULL;
	size_t plainlen = 0;
	enum storage_status st;
	char *ad;

	if (mk == NULL || key_id == NULL || wrapped == NULL || owner == NULL ||
	    key == NULL)
		return STORAGE_ERR_INVALID;
	if (strcmp(key_id, mk->id) != 0)
		return STORAGE_ERR_KEY;
	if ((ad = keys_slot_ad(owner)) == NULL)
		return STORAGE_ERR_NOMEM;
	st = record_open(mk->key, ad, wrapped, len, &plain, &plainlen);
	free(ad);
	if (st != STORAGE_OK)
		return st;
	if (plainlen != KEYS_KEY_BYTES)
		st = STORAGE_ERR_CORRUPT;
	else
		memcpy(key, plain, KEYS_KEY_BYTES);
	sodium_memzero(plain, plainlen);
	free(plain);
	return st;
}
