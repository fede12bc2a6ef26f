/* SPDX-License-Identifier: MIT */
/*
 * The small file-system steps every durable write in storage/ takes: write
 * everything, fsync a directory, create missing directories (and fsync the
 * parents that gained them), and the mapping of errno to a storage status
 * (a full disk is transient: the caller answers "try again").
 */
#ifndef STORAGE_FSUTIL_H
#define STORAGE_FSUTIL_H

#include <stddef.h>

#include "storage/status.h"

/* ENOSPC/EDQUOT -> NOSPC, ENOMEM -> NOMEM, EEXIST -> EXISTS, else IO. */
enum storage_status fsutil_status_from_errno(int e);

/* write(2) all of buf, retrying on EINTR and short writes.  0, or -1 with
 * errno set (EIO for a write that returns 0). */
int fsutil_write_all(int fd, const void *buf, size_t len);

/* fsync(2), retrying on EINTR.  0 or -1 with errno set. */
int fsutil_fsync(int fd);

/* fsync the directory rel, relative to dirfd (AT_FDCWD for a path).  0 or
 * -1 with errno set. */
int fsutil_fsync_dirat(int dirfd, const char *rel);

/*
 * Make sure directory path exists: create it and any missing parent with
 * mode, fsyncing each directory that gained an entry.  0 or -1 with errno
 * set.
 */
int fsutil_mkdirs(const char *path, int mode);

#endif
