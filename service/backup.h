/* SPDX-License-Identifier: MIT */
/*
 * `tipline backup DIR` and `tipline restore DIR`.
 *
 * A backup is a directory: tipline.db (a consistent copy made with SQLite's
 * online backup API, safe while serve runs), blobs/ (every blob the copy
 * refers to, still encrypted, copied as they are), and MANIFEST.json,
 * written last, which marks the backup complete and names the master key
 * it needs.  The master key file is never part of a backup: keep it apart
 * (design.md), restore needs it at the configured key_file.
 */
#ifndef SERVICE_BACKUP_H
#define SERVICE_BACKUP_H

#include "service/config.h"

/* Back up the data directory into dir (new or empty).  0, or 1. */
int backup_main(const struct config *cfg, const char *dir);

/* Restore the backup in dir into the (empty) data directory.  0, or 1. */
int restore_main(const struct config *cfg, const char *dir);

#endif
