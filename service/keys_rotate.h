/* SPDX-License-Identifier: MIT */
/*
 * `tipline keys rotate`: a new master key, every key slot re-wrapped.
 * Runs only while serve is stopped (the data directory lock), because a
 * running serve would go on wrapping new tips' keys under the old key.
 */
#ifndef SERVICE_KEYS_ROTATE_H
#define SERVICE_KEYS_ROTATE_H

#include "service/config.h"

/* 0 rotated, 1 failed (with a message). */
int keys_rotate_main(const struct config *cfg);

#endif
