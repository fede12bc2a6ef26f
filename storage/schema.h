/* SPDX-License-Identifier: MIT */
/*
 * The ordered schema migrations.  Migration i (1-based) brings a database
 * from user_version i-1 to i.  Never edit a released migration; add one.
 */
#ifndef STORAGE_SCHEMA_H
#define STORAGE_SCHEMA_H

#include <stddef.h>

/* The migrations, in order; schema_migrations[i] yields user_version i+1. */
extern const char *const schema_migrations[];
extern const size_t schema_migration_count;

#endif
