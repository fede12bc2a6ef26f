/* SPDX-License-Identifier: MIT */
/*
 * File-system helpers for durable writes (see fsutil.h).  Stateless and
 * thread-safe.
 */
#include "storage/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum storage_status
fsutil_status_from_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return STORAGE_ERR_NOSPC;
	case ENOMEM:
		return STORAGE_ERR_NOMEM;
	case EEXIST:
		return STORAGE_ERR_EXISTS;
	default:
		return STORAGE_ERR_IO;
	}
}

int
fsutil_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
fsutil_fsync(int fd)
{
	int rc;

	while ((rc = fsync(fd)) == -1 && errno == EINTR)
		;
	return rc;
}

int
fsutil_fsync_dirat(int dirfd, const char *rel)
{
	int fd, rc, saved;

	fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	rc = fsutil_fsync(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* mkdirs on a writable copy; see fsutil_mkdirs(). */
static int
fsutil_mkdirs_copy(char *dir, mode_t mode)
{
	struct stat sb;
	char *slash;
	int rc;

	if (stat(dir, &sb) == 0)
		return S_ISDIR(sb.st_mode) ? 0 : (errno = ENOTDIR, -1);
	if (errno != ENOENT)
		return -1;
	slash = strrchr(dir, '/');
	while (slash != NULL && slash > dir && slash[1] == '\0') {
		/* "a/b/": strip trailing slashes first. */
		*slash = '\0';
		slash = strrchr(dir, '/');
	}
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		rc = fsutil_mkdirs_copy(dir, mode);
		*slash = '/';
		if (rc == -1)
			return -1;
	}
	if (mkdir(dir, mode) == -1)
		return errno == EEXIST ? 0 : -1;
	if (slash == NULL)
		return fsutil_fsync_dirat(AT_FDCWD, ".");
	if (slash == dir)
		return fsutil_fsync_dirat(AT_FDCWD, "/");
	*slash = '\0';
	rc = fsutil_fsync_dirat(AT_FDCWD, dir);
	*slash = '/';
	return rc;
}

int
fsutil_mkdirs(const char *path, int mode)
{
	char *copy;
	int rc, saved;

	if (path == NULL || path[0] == '\0') {
		errno = EINVAL;
		return -1;
	}
	if ((copy = strdup(path)) == NULL)
		return -1;
	rc = fsutil_mkdirs_copy(copy, (mode_t)mode);
	saved = errno;
	free(copy);
	errno = saved;
	return rc;
}
