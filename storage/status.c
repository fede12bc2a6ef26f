/* SPDX-License-Identifier: MIT */
/*
 * Names and classes of storage_status values.
 */
#include "storage/status.h"

const char *
storage_status_str(enum storage_status st)
{
	switch (st) {
	case STORAGE_OK:		return "ok";
	case STORAGE_ERR_IO:		return "i/o error";
	case STORAGE_ERR_NOSPC:		return "no space left on device";
	case STORAGE_ERR_BUSY:		return "database busy";
	case STORAGE_ERR_NOMEM:		return "out of memory";
	case STORAGE_ERR_CORRUPT:	return "authentication failed or data corrupt";
	case STORAGE_ERR_FORMAT:	return "unknown format version or cipher suite";
	case STORAGE_ERR_NOTFOUND:	return "not found";
	case STORAGE_ERR_EXISTS:	return "already exists";
	case STORAGE_ERR_VERSION:	return "database is from a newer tipline";
	case STORAGE_ERR_KEY:		return "master key missing, unreadable or wrong";
	case STORAGE_ERR_INVALID:	return "invalid argument";
	case STORAGE_ERR_INTERNAL:	return "internal error";
	}
	return "unknown";
}

bool
storage_status_is_transient(enum storage_status st)
{
	return st == STORAGE_ERR_NOSPC || st == STORAGE_ERR_BUSY ||
	    st == STORAGE_ERR_NOMEM || st == STORAGE_ERR_IO;
}
