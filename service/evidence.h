/* SPDX-License-Identifier: MIT */
/*
 * The evidence allow-list: which detected content types (libmagic MIME
 * types of the bytes themselves, never the declared type or the file name)
 * are accepted as evidence, for the web form and e-mail alike.
 */
#ifndef SERVICE_EVIDENCE_H
#define SERVICE_EVIDENCE_H

#include <stdbool.h>

/* Whether a detected MIME type is allowed as evidence. */
bool evidence_type_allowed(const char *mime);

/* A short Chinese description of an allowed type ("PDF 文档"), or NULL. */
const char *evidence_type_label(const char *mime);

#endif
