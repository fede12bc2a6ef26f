/* SPDX-License-Identifier: MIT */
/*
 * Tips, their key slots and attachments in the database.  The caller (the
 * intake pipeline in service/) has already sealed every tipster-written
 * value and made every blob durable; tip_store_commit() stores the rows in
 * one transaction.
 */
#ifndef STORAGE_TIP_STORE_H
#define STORAGE_TIP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/blob_store.h"
#include "storage/db.h"

#define TIP_UID_BYTES 16
#define TIP_PUBLIC_ID_MAX 32

/* Whether any attachment row names blob `name`: 1 yes, 0 no, -1 error. */
int tip_store_blob_is_referenced(struct db *db, const char *name);

#endif
