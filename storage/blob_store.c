/* SPDX-License-Identifier: MIT */
/*
 * The encrypted blob store: one file per evidence file (attachment, original
 * mail), encrypted with crypto_secretstream_xchacha20poly1305 under its
 * tip's content key, under a random name that says nothing about the
 * content.
 *
 * On disk, below the store's directory <dir>:
 *   <dir>/tmp/<name>       a blob being written (swept at start-up)
 *   <dir>/<aa>/<name>      a committed blob; aa = the name's first two chars
 * All 256 <aa> directories are created (and made durable) when the store is
 * opened, so that a commit never depends on another thread's directory
 * creation having reached the disk.
 *
 * File format (see blob_store.h):
 *   "TLB" | 0x01 version | 0x01 suite | secretstream header[24] | chunks
 * Every chunk but the last holds exactly BLOB_CHUNK_BYTES of plaintext
 * (BLOB_CHUNK_BYTES + 17 bytes on disk) with TAG_MESSAGE; the last holds
 * 0..BLOB_CHUNK_BYTES bytes with TAG_FINAL (0 only for an empty blob).  The
 * first chunk's associated data is the 5 header bytes followed by
 * "tipline-blob-v1:" and the blob's name, so a changed header or a file moved
 * to another name fails authentication; the secretstream header is bound in
 * as the stream's nonce.  A reader accepts nothing else: a short or changed
 * chunk, a missing final chunk, another tag or any byte after the final
 * chunk is STORAGE_ERR_CORRUPT.
 *
 * Durability: the writer fsyncs the temporary file, renames it into place
 * with RENAME_NOREPLACE and fsyncs the <aa> directory before commit returns.
 * On any failure the temporary file (and a renamed file whose directory
 * could not be synced) is removed, so a failed commit leaves nothing.
 *
 * Threads: a struct blob_store is read-only after blob_store_open() (a
 * directory fd and the path) and every operation goes through *at() calls
 * relative to it, so any number of threads may use one store; a writer
 * belongs to one thread.  Memory: a writer holds two chunk buffers (about
 * 128 KiB), a reader the same, for any blob size.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "storage/blob_store.h"
#include "storage/fsutil.h"

#define BLOB_MAGIC "TLB"
#define BLOB_MAGIC_LEN 3
#define BLOB_VERSION 0x01
#define BLOB_SUITE_XCHACHA20POLY1305 0x01
#define BLOB_PREFIX_BYTES 5	/* magic, version, suite */
#define BLOB_SS_HEADER_BYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define BLOB_HEADER_BYTES (BLOB_PREFIX_BYTES + BLOB_SS_HEADER_BYTES)
#define BLOB_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define BLOB_CIPHER_CHUNK (BLOB_CHUNK_BYTES + BLOB_ABYTES)
#define BLOB_TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define BLOB_TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL
#define BLOB_AD_LABEL "tipline-blob-v1:"
#define BLOB_AD_BYTES \
	(BLOB_PREFIX_BYTES + sizeof(BLOB_AD_LABEL) - 1 + BLOB_NAME_LEN)
#define BLOB_TMP_DIR "tmp"
/* "tmp/" + name, or "aa/" + name, and a NUL. */
#define BLOB_REL_LEN (sizeof(BLOB_TMP_DIR) + BLOB_NAME_LEN + 1)
#define BLOB_NAME_TRIES 4

_Static_assert(BLOB_KEY_BYTES ==
    crypto_secretstream_xchacha20poly1305_KEYBYTES, "key size");
_Static_assert(BLOB_SS_HEADER_BYTES == 24, "header size in the format");
_Static_assert(BLOB_ABYTES == 17, "chunk overhead in the format");

struct blob_store {
	char *dir;		/* as given to open, for blob_store_path() */
	int dirfd;		/* the store's root directory */
};

struct blob_writer {
	struct blob_store *bs;
	int fd;			/* the temporary file; -1 once closed */
	bool has_tmp;		/* the temporary file exists on disk */
	bool first_done;	/* the first chunk (with its AD) is written */
	enum storage_status failed;	/* first error, returned from then on */
	char name[BLOB_NAME_LEN + 1];
	char tmp_rel[BLOB_REL_LEN];	/* "tmp/<name>", relative to dirfd */
	unsigned char ad[BLOB_AD_BYTES];
	crypto_secretstream_xchacha20poly1305_state ss;
	crypto_hash_sha256_state sha;
	uint64_t size;		/* plaintext bytes accepted */
	size_t plain_len;	/* bytes waiting in plain */
	unsigned char *plain;	/* BLOB_CHUNK_BYTES */
	unsigned char *cipher;	/* BLOB_CIPHER_CHUNK */
};

/*
 * read(2) until len bytes or end of file, retrying on EINTR.  Returns the
 * number of bytes read (less than len only at end of file), or -1.
 */
static ssize_t
blob_read_full(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static bool
is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Whether s is one of the 256 directory names "00" .. "ff". */
static bool
is_aa_dir_name(const char *s)
{
	return is_lower_hex(s[0]) && is_lower_hex(s[1]) && s[2] == '\0';
}

/*
 * Whether name is a blob name: exactly BLOB_NAME_LEN lowercase hex
 * characters.  Used on every name that comes from outside before it becomes
 * part of a path.
 */
bool
blob_store_valid_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return false;
	for (i = 0; i < BLOB_NAME_LEN; i++)
		if (!is_lower_hex(name[i]))
			return false;
	return name[BLOB_NAME_LEN] == '\0';
}

/* "aa/<name>" into rel (BLOB_REL_LEN bytes); name must be valid. */
static void
blob_rel_path(const char *name, char rel[BLOB_REL_LEN])
{
	rel[0] = name[0];
	rel[1] = name[1];
	rel[2] = '/';
	memcpy(rel + 3, name, BLOB_NAME_LEN + 1);
}

/* A fresh random name. */
static void
blob_name_new(char name[BLOB_NAME_LEN + 1])
{
	unsigned char r[BLOB_NAME_LEN / 2];

	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(name, BLOB_NAME_LEN + 1, r, sizeof(r));
}

/*
 * mkdirat(dirfd, rel, 0700); *created tells whether it was new.  An existing
 * directory is fine.  0 or -1 with errno set.
 */
static int
blob_mkdirat(int dirfd, const char *rel, bool *created)
{
	struct stat sb;

	if (mkdirat(dirfd, rel, 0700) == 0) {
		*created = true;
		return 0;
	}
	if (errno != EEXIST)
		return -1;
	if (fstatat(dirfd, rel, &sb, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/*
 * Open the store at dir, creating dir, dir/tmp and the 256 <aa>
 * directories (mode 0700) as needed and fsyncing the directories that
 * gained entries.  Called once at start-up; the store may then be shared by
 * all threads.  STORAGE_ERR_INVALID for a NULL or empty dir,
 * STORAGE_ERR_NOSPC, STORAGE_ERR_IO, STORAGE_ERR_NOMEM.  On STORAGE_OK the
 * caller owns *out and closes it with blob_store_close().
 */
enum storage_status
blob_store_open(const char *dir, struct blob_store **out)
{
	struct blob_store *bs = NULL;
	bool root_created = false, created = false;
	char aa[3];
	unsigned int i;
	enum storage_status st = STORAGE_ERR_IO;

	if (out != NULL)
		*out = NULL;
	if (dir == NULL || dir[0] == '\0' || out == NULL)
		return STORAGE_ERR_INVALID;
	if (sodium_init() < 0)
		return STORAGE_ERR_INTERNAL;
	if ((bs = calloc(1, sizeof(*bs))) == NULL)
		return STORAGE_ERR_NOMEM;
	bs->dirfd = -1;
	if ((bs->dir = strdup(dir)) == NULL) {
		st = STORAGE_ERR_NOMEM;
		goto fail;
	}
	if (blob_mkdirat(AT_FDCWD, dir, &root_created) == -1)
		goto fail_errno;
	bs->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bs->dirfd == -1)
		goto fail_errno;
	if (blob_mkdirat(bs->dirfd, BLOB_TMP_DIR, &created) == -1)
		goto fail_errno;
	for (i = 0; i < 256; i++) {
		static const char hex[] = "0123456789abcdef";

		aa[0] = hex[i >> 4];
		aa[1] = hex[i & 0xf];
		aa[2] = '\0';
		if (blob_mkdirat(bs->dirfd, aa, &created) == -1)
			goto fail_errno;
	}
	if (created && fsutil_fsync(bs->dirfd) == -1)
		goto fail_errno;
	if (root_created) {
		/* Make the new root's own entry durable in its parent. */
		char *parent = strdup(dir), *slash;
		int rc;

		if (parent == NULL) {
			st = STORAGE_ERR_NOMEM;
			goto fail;
		}
		while ((slash = strrchr(parent, '/')) != NULL &&
		    slash != parent && slash[1] == '\0')
			*slash = '\0';
		if (slash == NULL)
			rc = fsutil_fsync_dirat(AT_FDCWD, ".");
		else if (slash == parent)
			rc = fsutil_fsync_dirat(AT_FDCWD, "/");
		else {
			*slash = '\0';
			rc = fsutil_fsync_dirat(AT_FDCWD, parent);
		}
		free(parent);
		if (rc == -1)
			goto fail_errno;
	}
	*out = bs;
	return STORAGE_OK;
fail_errno:
	st = fsutil_status_from_errno(errno);
fail:
	blob_store_close(&bs);
	return st;
}

/*
 * Close the store and NULL *bs.  Accepts NULL and *bs == NULL.  No writer
 * or reader of this store may still be running.
 */
void
blob_store_close(struct blob_store **bs)
{
	if (bs == NULL || *bs == NULL)
		return;
	if ((*bs)->dirfd != -1)
		close((*bs)->dirfd);
	free((*bs)->dir);
	free(*bs);
	*bs = NULL;
}

/*
 * The one teardown of a writer: close the file, remove the temporary file
 * if it is still there, wipe and free.  Accepts NULL.
 */
static void
blob_writer_free(struct blob_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd != -1)
		close(w->fd);
	if (w->has_tmp)
		unlinkat(w->bs->dirfd, w->tmp_rel, 0);
	if (w->plain != NULL) {
		sodium_memzero(w->plain, BLOB_CHUNK_BYTES);
		free(w->plain);
	}
	free(w->cipher);
	sodium_memzero(w, sizeof(*w));
	free(w);
}

/*
 * Encrypt m[0..mlen) as the next chunk with tag and append it to the file.
 * Records the first failure in w->failed and returns it.
 */
static enum storage_status
blob_writer_push(struct blob_writer *w, const unsigned char *m, size_t mlen,
    unsigned char tag)
{
	unsigned long long clen = 0;
	const unsigned char *ad = NULL;
	size_t adlen = 0;

	if (!w->first_done) {
		ad = w->ad;
		adlen = sizeof(w->ad);
	}
	if (crypto_secretstream_xchacha20poly1305_push(&w->ss, w->cipher,
	    &clen, m, mlen, ad, adlen, tag) != 0 ||
	    clen != (unsigned long long)mlen + BLOB_ABYTES) {
		w->failed = STORAGE_ERR_INTERNAL;
		return w->failed;
	}
	if (fsutil_write_all(w->fd, w->cipher, (size_t)clen) == -1) {
		w->failed = fsutil_status_from_errno(errno);
		return w->failed;
	}
	w->first_done = true;
	return STORAGE_OK;
}

/*
 * Start a new blob under key with a fresh random name: creates
 * tmp/<name> (O_EXCL, mode 0600) and writes the file header.  The key is not
 * kept (only the stream state derived from it).  STORAGE_ERR_INVALID for
 * NULL arguments, STORAGE_ERR_NOSPC, STORAGE_ERR_IO, STORAGE_ERR_NOMEM.  On
 * STORAGE_OK the caller owns *out and must end it with blob_writer_commit()
 * or blob_writer_abort(); on error nothing is left on disk.
 */
enum storage_status
blob_writer_begin(struct blob_store *bs,
    const unsigned char key[BLOB_KEY_BYTES], struct blob_writer **out)
{
	struct blob_writer *w = NULL;
	unsigned char header[BLOB_HEADER_BYTES];
	enum storage_status st;
	int tries;

	if (out != NULL)
		*out = NULL;
	if (bs == NULL || key == NULL || out == NULL)
		return STORAGE_ERR_INVALID;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return STORAGE_ERR_NOMEM;
	w->bs = bs;
	w->fd = -1;
	w->failed = STORAGE_OK;
	if ((w->plain = malloc(BLOB_CHUNK_BYTES)) == NULL ||
	    (w->cipher = malloc(BLOB_CIPHER_CHUNK)) == NULL) {
		st = STORAGE_ERR_NOMEM;
		goto fail;
	}
	for (tries = 0; tries < BLOB_NAME_TRIES; tries++) {
		blob_name_new(w->name);
		snprintf(w->tmp_rel, sizeof(w->tmp_rel), "%s/%s", BLOB_TMP_DIR,
		    w->name);
		w->fd = openat(bs->dirfd, w->tmp_rel, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (w->fd != -1 || errno != EEXIST)
			break;
	}
	if (w->fd == -1) {
		st = fsutil_status_from_errno(errno);
		goto fail;
	}
	w->has_tmp = true;

	memcpy(header, BLOB_MAGIC, BLOB_MAGIC_LEN);
	header[3] = BLOB_VERSION;
	header[4] = BLOB_SUITE_XCHACHA20POLY1305;
	if (crypto_secretstream_xchacha20poly1305_init_push(&w->ss,
	    header + BLOB_PREFIX_BYTES, key) != 0) {
		st = STORAGE_ERR_INTERNAL;
		goto fail;
	}
	memcpy(w->ad, header, BLOB_PREFIX_BYTES);
	memcpy(w->ad + BLOB_PREFIX_BYTES, BLOB_AD_LABEL,
	    sizeof(BLOB_AD_LABEL) - 1);
	memcpy(w->ad + BLOB_PREFIX_BYTES + sizeof(BLOB_AD_LABEL) - 1, w->name,
	    BLOB_NAME_LEN);
	crypto_hash_sha256_init(&w->sha);
	if (fsutil_write_all(w->fd, header, sizeof(header)) == -1) {
		st = fsutil_status_from_errno(errno);
		goto fail;
	}
	*out = w;
	return STORAGE_OK;
fail:
	blob_writer_free(w);
	return st;
}

/*
 * Append plaintext to the blob.  Full chunks are encrypted and written as
 * soon as it is known that more data follows; the rest waits for the next
 * call or for commit.  After a failure every later call (and commit) returns
 * the same status.  STORAGE_ERR_INVALID for NULL arguments,
 * STORAGE_ERR_NOSPC, STORAGE_ERR_IO.
 */
enum storage_status
blob_writer_write(struct blob_writer *w, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n;

	if (w == NULL || (buf == NULL && len > 0))
		return STORAGE_ERR_INVALID;
	if (w->failed != STORAGE_OK)
		return w->failed;
	if (len == 0)
		return STORAGE_OK;
	crypto_hash_sha256_update(&w->sha, p, len);
	w->size += len;
	while (len > 0) {
		/* A full buffer is not the last chunk: more data is here. */
		if (w->plain_len == BLOB_CHUNK_BYTES) {
			if (blob_writer_push(w, w->plain, BLOB_CHUNK_BYTES,
			    BLOB_TAG_MESSAGE) != STORAGE_OK)
				return w->failed;
			w->plain_len = 0;
		}
		/* Whole chunks with more to follow skip the copy. */
		if (w->plain_len == 0 && len > BLOB_CHUNK_BYTES) {
			if (blob_writer_push(w, p, BLOB_CHUNK_BYTES,
			    BLOB_TAG_MESSAGE) != STORAGE_OK)
				return w->failed;
			p += BLOB_CHUNK_BYTES;
			len -= BLOB_CHUNK_BYTES;
			continue;
		}
		n = BLOB_CHUNK_BYTES - w->plain_len;
		if (n > len)
			n = len;
		memcpy(w->plain + w->plain_len, p, n);
		w->plain_len += n;
		p += n;
		len -= n;
	}
	return STORAGE_OK;
}

/*
 * Finish the blob: the waiting plaintext as the TAG_FINAL chunk, fsync,
 * close, rename tmp/<name> to <aa>/<name> (never over an existing file),
 * fsync <aa>.  Only after STORAGE_OK may a database row name the blob.
 * Frees *w and NULLs it in every case.  On STORAGE_OK fills name, *size and
 * sha256 (each may be NULL); on error name (if given) is "" and nothing is
 * left on disk.  STORAGE_ERR_NOSPC when the disk or quota is full,
 * STORAGE_ERR_IO, STORAGE_ERR_EXISTS if the name was taken meanwhile,
 * STORAGE_ERR_INVALID when w or *w is NULL, or the status of an earlier
 * failed write.
 */
enum storage_status
blob_writer_commit(struct blob_writer **wp, char name[BLOB_NAME_LEN + 1],
    uint64_t *size, unsigned char sha256[32])
{
	struct blob_writer *w;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char rel[BLOB_REL_LEN], aa[3];
	enum storage_status st;
	int rc;

	if (name != NULL)
		name[0] = '\0';
	if (wp == NULL || *wp == NULL)
		return STORAGE_ERR_INVALID;
	w = *wp;
	*wp = NULL;

	if ((st = w->failed) != STORAGE_OK)
		goto done;
	if ((st = blob_writer_push(w, w->plain, w->plain_len,
	    BLOB_TAG_FINAL)) != STORAGE_OK)
		goto done;
	if (fsutil_fsync(w->fd) == -1)
		goto fail_errno;
	rc = close(w->fd);
	w->fd = -1;
	/* Linux closes the fd even on EINTR; the data is synced already. */
	if (rc == -1 && errno != EINTR)
		goto fail_errno;

	blob_rel_path(w->name, rel);
	memcpy(aa, w->name, 2);
	aa[2] = '\0';
	/* Normally made by open; recreate if someone removed it since. */
	if (mkdirat(w->bs->dirfd, aa, 0700) == 0) {
		if (fsutil_fsync(w->bs->dirfd) == -1)
			goto fail_errno;
	} else if (errno != EEXIST)
		goto fail_errno;
	rc = renameat2(w->bs->dirfd, w->tmp_rel, w->bs->dirfd, rel,
	    RENAME_NOREPLACE);
	if (rc == -1 && (errno == EINVAL || errno == ENOSYS))
		rc = renameat(w->bs->dirfd, w->tmp_rel, w->bs->dirfd, rel);
	if (rc == -1) {
		st = errno == EEXIST ? STORAGE_ERR_EXISTS :
		    fsutil_status_from_errno(errno);
		goto done;
	}
	w->has_tmp = false;
	if (fsutil_fsync_dirat(w->bs->dirfd, aa) == -1) {
		st = fsutil_status_from_errno(errno);
		/* Not known to be durable: take it back rather than lie. */
		unlinkat(w->bs->dirfd, rel, 0);
		goto done;
	}

	crypto_hash_sha256_final(&w->sha, digest);
	if (sha256 != NULL)
		memcpy(sha256, digest, sizeof(digest));
	if (size != NULL)
		*size = w->size;
	if (name != NULL)
		memcpy(name, w->name, BLOB_NAME_LEN + 1);
	st = STORAGE_OK;
	goto done;
fail_errno:
	st = fsutil_status_from_errno(errno);
done:
	blob_writer_free(w);
	return st;
}

/*
 * Give up on a blob: remove the temporary file, free *w and NULL it.
 * Accepts NULL and *w == NULL.
 */
void
blob_writer_abort(struct blob_writer **w)
{
	if (w == NULL)
		return;
	blob_writer_free(*w);
	*w = NULL;
}

/*
 * Store buf[0..len) as one new blob (begin, write, commit).  On STORAGE_OK
 * name and sha256 (either may be NULL) are filled; the statuses are those of
 * blob_writer_commit().  The caller keeps buf.
 */
enum storage_status
blob_store_put(struct blob_store *bs, const unsigned char key[BLOB_KEY_BYTES],
    const void *buf, size_t len, char name[BLOB_NAME_LEN + 1],
    unsigned char sha256[32])
{
	struct blob_writer *w = NULL;
	enum storage_status st;

	if (name != NULL)
		name[0] = '\0';
	if ((st = blob_writer_begin(bs, key, &w)) != STORAGE_OK)
		return st;
	if ((st = blob_writer_write(w, buf, len)) != STORAGE_OK) {
		blob_writer_abort(&w);
		return st;
	}
	return blob_writer_commit(&w, name, NULL, sha256);
}

/*
 * Open the committed blob name for reading into *fd.  STORAGE_ERR_INVALID
 * for a malformed name, STORAGE_ERR_NOTFOUND, STORAGE_ERR_CORRUPT for
 * something other than a regular file, STORAGE_ERR_IO.
 */
static enum storage_status
blob_open_read(struct blob_store *bs, const char *name, int *fd)
{
	char rel[BLOB_REL_LEN];
	struct stat sb;

	*fd = -1;
	if (bs == NULL || !blob_store_valid_name(name))
		return STORAGE_ERR_INVALID;
	blob_rel_path(name, rel);
	/* O_NONBLOCK: a FIFO planted here must not hang the reader. */
	*fd = openat(bs->dirfd, rel,
	    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (*fd == -1)
		return errno == ENOENT ? STORAGE_ERR_NOTFOUND :
		    errno == ELOOP ? STORAGE_ERR_CORRUPT :
		    fsutil_status_from_errno(errno);
	if (fstat(*fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(*fd);
		*fd = -1;
		return STORAGE_ERR_CORRUPT;
	}
	return STORAGE_OK;
}

/*
 * Decrypt the blob open on fd (named name) and hand each chunk's plaintext
 * to sink once the chunk has authenticated.  The final chunk goes to sink
 * only after the end of the file has been checked.  See blob_store_read().
 */
static enum storage_status
blob_read_fd(int fd, const unsigned char key[BLOB_KEY_BYTES],
    const char *name, int (*sink)(void *arg, const void *buf, size_t len),
    void *arg)
{
	crypto_secretstream_xchacha20poly1305_state ss;
	unsigned char header[BLOB_HEADER_BYTES], ad[BLOB_AD_BYTES], extra;
	unsigned char *cipher = NULL, *plain = NULL, tag = 0;
	unsigned long long mlen = 0;
	bool first = true;
	ssize_t n;
	enum storage_status st = STORAGE_ERR_CORRUPT;

	n = blob_read_full(fd, header, sizeof(header));
	if (n == -1)
		return fsutil_status_from_errno(errno);
	if (n < BLOB_PREFIX_BYTES ||
	    memcmp(header, BLOB_MAGIC, BLOB_MAGIC_LEN) != 0)
		return STORAGE_ERR_CORRUPT;
	if (header[3] != BLOB_VERSION ||
	    header[4] != BLOB_SUITE_XCHACHA20POLY1305)
		return STORAGE_ERR_FORMAT;
	if (n < (ssize_t)sizeof(header))
		return STORAGE_ERR_CORRUPT;
	if (crypto_secretstream_xchacha20poly1305_init_pull(&ss,
	    header + BLOB_PREFIX_BYTES, key) != 0)
		return STORAGE_ERR_CORRUPT;
	memcpy(ad, header, BLOB_PREFIX_BYTES);
	memcpy(ad + BLOB_PREFIX_BYTES, BLOB_AD_LABEL,
	    sizeof(BLOB_AD_LABEL) - 1);
	memcpy(ad + BLOB_PREFIX_BYTES + sizeof(BLOB_AD_LABEL) - 1, name,
	    BLOB_NAME_LEN);

	if ((cipher = malloc(BLOB_CIPHER_CHUNK)) == NULL ||
	    (plain = malloc(BLOB_CHUNK_BYTES)) == NULL) {
		st = STORAGE_ERR_NOMEM;
		goto done;
	}
	for (;;) {
		n = blob_read_full(fd, cipher, BLOB_CIPHER_CHUNK);
		if (n == -1) {
			st = fsutil_status_from_errno(errno);
			goto done;
		}
		/* Nothing, or too little for a chunk: no final tag seen. */
		if (n < (ssize_t)BLOB_ABYTES) {
			st = STORAGE_ERR_CORRUPT;
			goto done;
		}
		if (crypto_secretstream_xchacha20poly1305_pull(&ss, plain,
		    &mlen, &tag, cipher, (unsigned long long)n,
		    first ? ad : NULL, first ? sizeof(ad) : 0) != 0) {
			st = STORAGE_ERR_CORRUPT;
			goto done;
		}
		first = false;
		if (tag == BLOB_TAG_FINAL) {
			/* A short read already met the end of the file. */
			if (n == (ssize_t)BLOB_CIPHER_CHUNK) {
				ssize_t e = blob_read_full(fd, &extra, 1);

				if (e == -1) {
					st = fsutil_status_from_errno(errno);
					goto done;
				}
				if (e != 0) {
					st = STORAGE_ERR_CORRUPT;
					goto done;
				}
			}
			if (mlen > 0 && sink(arg, plain, (size_t)mlen) != 0) {
				st = STORAGE_ERR_INTERNAL;
				goto done;
			}
			st = STORAGE_OK;
			goto done;
		}
		/*
		 * The writer uses TAG_MESSAGE for full chunks only; a short one
		 * means the file ends without its final chunk.
		 */
		if (tag != BLOB_TAG_MESSAGE ||
		    n != (ssize_t)BLOB_CIPHER_CHUNK) {
			st = STORAGE_ERR_CORRUPT;
			goto done;
		}
		if (sink(arg, plain, (size_t)mlen) != 0) {
			st = STORAGE_ERR_INTERNAL;
			goto done;
		}
	}
done:
	if (plain != NULL) {
		sodium_memzero(plain, BLOB_CHUNK_BYTES);
		free(plain);
	}
	free(cipher);
	sodium_memzero(&ss, sizeof(ss));
	return st;
}

/*
 * Decrypt blob name under key, handing plaintext to sink in order.  sink
 * returns 0 to go on, non-zero to stop (then STORAGE_ERR_INTERNAL).
 * Plaintext handed out before an error must be discarded by the caller.
 * STORAGE_ERR_CORRUPT for a bad or short header, a chunk that does not
 * authenticate (wrong key, changed byte, file under another name), a missing
 * final chunk or bytes after it; STORAGE_ERR_FORMAT for an unknown version or
 * suite; STORAGE_ERR_NOTFOUND for no such blob; STORAGE_ERR_INVALID for a
 * malformed name or NULL arguments; STORAGE_ERR_IO, STORAGE_ERR_NOMEM.
 */
enum storage_status
blob_store_read(struct blob_store *bs, const unsigned char key[BLOB_KEY_BYTES],
    const char *name, int (*sink)(void *arg, const void *buf, size_t len),
    void *arg)
{
	enum storage_status st;
	int fd = -1;

	if (key == NULL || sink == NULL)
		return STORAGE_ERR_INVALID;
	if ((st = blob_open_read(bs, name, &fd)) != STORAGE_OK)
		return st;
	st = blob_read_fd(fd, key, name, sink, arg);
	close(fd);
	return st;
}

struct blob_get_ctx {
	unsigned char *buf;
	size_t len;
	size_t cap;
	size_t max;
	bool too_big;
	bool nomem;
};

/* Grow ctx->buf to at least need bytes without leaving plaintext behind. */
static int
blob_get_grow(struct blob_get_ctx *ctx, size_t need)
{
	unsigned char *nbuf;
	size_t ncap = ctx->cap;

	if (need > ctx->max)
		return -1;
	while (ncap < need)
		ncap = ncap > ctx->max / 2 ? ctx->max : ncap * 2;
	if ((nbuf = malloc(ncap)) == NULL)
		return -1;
	if (ctx->len > 0)
		memcpy(nbuf, ctx->buf, ctx->len);
	sodium_memzero(ctx->buf, ctx->cap);
	free(ctx->buf);
	ctx->buf = nbuf;
	ctx->cap = ncap;
	return 0;
}

static int
blob_get_sink(void *arg, const void *buf, size_t len)
{
	struct blob_get_ctx *ctx = arg;

	if (len > ctx->max - ctx->len) {
		ctx->too_big = true;
		return -1;
	}
	if (ctx->len + len > ctx->cap && blob_get_grow(ctx, ctx->len + len)) {
		ctx->nomem = true;
		return -1;
	}
	memcpy(ctx->buf + ctx->len, buf, len);
	ctx->len += len;
	return 0;
}

/*
 * Decrypt blob name into memory.  On STORAGE_OK the caller owns *out (*len
 * bytes; never NULL, even for an empty blob) and should sodium_memzero it
 * before freeing.  STORAGE_ERR_INVALID when the plaintext is longer than max
 * bytes (or for bad arguments); otherwise the statuses of blob_store_read().
 * On error *out is NULL and no plaintext is left in memory.
 */
enum storage_status
blob_store_get(struct blob_store *bs, const unsigned char key[BLOB_KEY_BYTES],
    const char *name, size_t max, unsigned char **out, size_t *len)
{
	struct blob_get_ctx ctx = { .buf = NULL, .max = max };
	enum storage_status st;
	struct stat sb;
	uint64_t body, chunks, guess = 0;
	int fd = -1;

	if (out != NULL)
		*out = NULL;
	if (len != NULL)
		*len = 0;
	if (key == NULL || out == NULL || len == NULL)
		return STORAGE_ERR_INVALID;
	if ((st = blob_open_read(bs, name, &fd)) != STORAGE_OK)
		return st;
	/* Size the buffer from the file size: one allocation when intact. */
	if (fstat(fd, &sb) == 0 && sb.st_size > BLOB_HEADER_BYTES) {
		body = (uint64_t)sb.st_size - BLOB_HEADER_BYTES;
		chunks = (body + BLOB_CIPHER_CHUNK - 1) / BLOB_CIPHER_CHUNK;
		if (body > chunks * BLOB_ABYTES)
			guess = body - chunks * BLOB_ABYTES;
	}
	if (guess > max)
		guess = max;
	ctx.cap = guess > 0 ? (size_t)guess : 1;
	if ((ctx.buf = malloc(ctx.cap)) == NULL) {
		close(fd);
		return STORAGE_ERR_NOMEM;
	}
	st = blob_read_fd(fd, key, name, blob_get_sink, &ctx);
	close(fd);
	if (st == STORAGE_ERR_INTERNAL && ctx.too_big)
		st = STORAGE_ERR_INVALID;
	else if (st == STORAGE_ERR_INTERNAL && ctx.nomem)
		st = STORAGE_ERR_NOMEM;
	if (st != STORAGE_OK) {
		sodium_memzero(ctx.buf, ctx.cap);
		free(ctx.buf);
		return st;
	}
	*out = ctx.buf;
	*len = ctx.len;
	return STORAGE_OK;
}

/*
 * Remove blob name and fsync its directory (when its row is deleted, or by
 * the start-up sweep of blobs without a row).  STORAGE_ERR_NOTFOUND if
 * absent, STORAGE_ERR_INVALID for a malformed name, STORAGE_ERR_IO.
 */
enum storage_status
blob_store_remove(struct blob_store *bs, const char *name)
{
	char rel[BLOB_REL_LEN], aa[3];

	if (bs == NULL || !blob_store_valid_name(name))
		return STORAGE_ERR_INVALID;
	blob_rel_path(name, rel);
	if (unlinkat(bs->dirfd, rel, 0) == -1)
		return errno == ENOENT ? STORAGE_ERR_NOTFOUND :
		    fsutil_status_from_errno(errno);
	memcpy(aa, name, 2);
	aa[2] = '\0';
	if (fsutil_fsync_dirat(bs->dirfd, aa) == -1)
		return fsutil_status_from_errno(errno);
	return STORAGE_OK;
}

enum storage_status
blob_store_copy(struct blob_store *from, struct blob_store *to,
    const char *name)
{
	char rel[BLOB_REL_LEN], tmp[BLOB_REL_LEN], aa[3];
	unsigned char *buf = NULL;
	enum storage_status st = STORAGE_OK;
	int in = -1, out = -1;
	bool have_tmp = false;
	ssize_t n;

	if (from == NULL || to == NULL || !blob_store_valid_name(name))
		return STORAGE_ERR_INVALID;
	blob_rel_path(name, rel);
	if (faccessat(to->dirfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return STORAGE_OK;	/* already there: copies are resumable */
	snprintf(tmp, sizeof(tmp), "%s/%s", BLOB_TMP_DIR, name);
	if ((in = openat(from->dirfd, rel, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return errno == ENOENT ? STORAGE_ERR_NOTFOUND :
		    fsutil_status_from_errno(errno);
	if ((buf = malloc(BLOB_CHUNK_BYTES)) == NULL) {
		st = STORAGE_ERR_NOMEM;
		goto out;
	}
	out = openat(to->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (out == -1) {
		st = fsutil_status_from_errno(errno);
		goto out;
	}
	have_tmp = true;
	while ((n = read(in, buf, BLOB_CHUNK_BYTES)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			st = fsutil_status_from_errno(errno);
			goto out;
		}
		if (fsutil_write_all(out, buf, (size_t)n) == -1) {
			st = fsutil_status_from_errno(errno);
			goto out;
		}
	}
	if (fsutil_fsync(out) == -1 || close(out) == -1) {
		out = -1;
		st = fsutil_status_from_errno(errno);
		goto out;
	}
	out = -1;
	memcpy(aa, name, 2);
	aa[2] = '\0';
	if (renameat(to->dirfd, tmp, to->dirfd, rel) == -1 ||
	    fsutil_fsync_dirat(to->dirfd, aa) == -1) {
		st = fsutil_status_from_errno(errno);
		goto out;
	}
	have_tmp = false;
out:
	if (out != -1)
		close(out);
	if (have_tmp)
		unlinkat(to->dirfd, tmp, 0);
	if (in != -1)
		close(in);
	free(buf);
	return st;
}

/* Whether entry de of the directory open on dfd is a regular file. */
static bool
is_regular_entry(int dfd, const struct dirent *de)
{
	struct stat sb;

	if (de->d_type == DT_REG)
		return true;
	if (de->d_type != DT_UNKNOWN)
		return false;
	return fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode);
}

/*
 * Walk one <aa> directory, calling cb for each valid blob name that
 * belongs there.  *stop is set when cb asks to stop.
 */
static enum storage_status
blob_list_aa(struct blob_store *bs, const char *aa,
    int (*cb)(void *arg, const char *name), void *arg, bool *stop)
{
	struct dirent *de;
	DIR *d;
	int fd;
	enum storage_status st = STORAGE_OK;

	fd = openat(bs->dirfd, aa, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ?
		    STORAGE_OK : fsutil_status_from_errno(errno);
	if ((d = fdopendir(fd)) == NULL) {
		st = fsutil_status_from_errno(errno);
		close(fd);
		return st;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				st = fsutil_status_from_errno(errno);
			break;
		}
		if (!blob_store_valid_name(de->d_name) ||
		    de->d_name[0] != aa[0] || de->d_name[1] != aa[1] ||
		    !is_regular_entry(dirfd(d), de))
			continue;
		if (cb(arg, de->d_name) != 0) {
			*stop = true;
			break;
		}
	}
	closedir(d);
	return st;
}

/*
 * Call cb for every committed blob (a regular file with a valid name in
 * the right <aa> directory), in no particular order; anything else in the
 * store is ignored.  Stops early, with STORAGE_OK, if cb returns non-zero.
 * Blobs committed or removed during the walk may or may not be reported.
 * STORAGE_ERR_INVALID for NULL arguments, STORAGE_ERR_IO.
 */
enum storage_status
blob_store_list(struct blob_store *bs, int (*cb)(void *arg, const char *name),
    void *arg)
{
	struct dirent *de;
	DIR *d;
	int fd;
	bool stop = false;
	enum storage_status st = STORAGE_OK;

	if (bs == NULL || cb == NULL)
		return STORAGE_ERR_INVALID;
	/* Our own open file description: readdir offsets are per stream. */
	fd = openat(bs->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return fsutil_status_from_errno(errno);
	if ((d = fdopendir(fd)) == NULL) {
		st = fsutil_status_from_errno(errno);
		close(fd);
		return st;
	}
	while (!stop && st == STORAGE_OK) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				st = fsutil_status_from_errno(errno);
			break;
		}
		if (is_aa_dir_name(de->d_name))
			st = blob_list_aa(bs, de->d_name, cb, arg, &stop);
	}
	closedir(d);
	return st;
}

/*
 * Remove every file in <dir>/tmp: what a crash left of unfinished blobs.
 * Call at start-up, before any writer begins (a running writer's file would
 * be removed too).  *removed (may be NULL) counts the files removed.
 * STORAGE_ERR_INVALID for a NULL store, STORAGE_ERR_IO.
 */
enum storage_status
blob_store_sweep_tmp(struct blob_store *bs, size_t *removed)
{
	struct dirent *de;
	DIR *d;
	size_t count = 0;
	int fd;
	enum storage_status st = STORAGE_OK;

	if (removed != NULL)
		*removed = 0;
	if (bs == NULL)
		return STORAGE_ERR_INVALID;
	fd = openat(bs->dirfd, BLOB_TMP_DIR, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return fsutil_status_from_errno(errno);
	if ((d = fdopendir(fd)) == NULL) {
		st = fsutil_status_from_errno(errno);
		close(fd);
		return st;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				st = fsutil_status_from_errno(errno);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
			count++;
			continue;
		}
		/* Gone already, or a directory: not ours to remove. */
		if (errno != ENOENT && errno != EISDIR && errno != EPERM) {
			st = fsutil_status_from_errno(errno);
			break;
		}
	}
	if (count > 0 && fsutil_fsync(dirfd(d)) == -1 && st == STORAGE_OK)
		st = fsutil_status_from_errno(errno);
	closedir(d);
	if (removed != NULL)
		*removed = count;
	return st;
}

/*
 * Write the path of blob name ("<dir>/<aa>/<name>") into buf of buflen
 * bytes, for tests and verify messages.  0, or -1 if it does not fit or
 * name is malformed.
 */
int
blob_store_path(const struct blob_store *bs, const char *name, char *buf,
    size_t buflen)
{
	int n;

	if (bs == NULL || buf == NULL || buflen == 0 ||
	    !blob_store_valid_name(name))
		return -1;
	n = snprintf(buf, buflen, "%s/%c%c/%s", bs->dir, name[0], name[1],
	    name);
	if (n < 0 || (size_t)n >= buflen) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}
