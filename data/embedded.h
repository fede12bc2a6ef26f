/* SPDX-License-Identifier: MIT */
/*
 * The reference data files of data/, compiled into the binary.
 *
 * data/embed.py writes data_embedded.c at build time from the files listed
 * in data/meson.build: one read-only byte array per file, the table
 * embedded_files[] in the order of that list, and embedded_find().  The
 * bytes are exactly the file's; a NUL byte follows each array (not counted
 * in len) so that text files may also be read as C strings.  The whole set
 * is a few hundred KiB at most and is read once, by `tipline init`.
 */
#ifndef DATA_EMBEDDED_H
#define DATA_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name;		/* base file name, e.g. "bureaus.csv" */
	const unsigned char *data;	/* the file's bytes, then a NUL */
	size_t len;			/* length without the NUL */
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_files_count;

/*
 * The embedded file with base name `name`, or NULL if there is none.
 * The result points into static read-only data: never free it.
 */
const struct embedded_file *embedded_find(const char *name);

#endif
