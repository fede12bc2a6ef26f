/* SPDX-License-Identifier: MIT */
/*
 * Builders of the associated-data and key-owner strings that bind each
 * sealed value and key slot to its row (the list is in store_ad.h).  Pure
 * string formatting into the caller's buffer: no allocation, no state.
 */
#include "storage/store_ad.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define STORE_AD_BLOB_NAME_LEN 32	/* BLOB_NAME_LEN of blob_store.h */

/* printf into buf; -1 (and buf emptied) if it does not fit. */
static int store_ad_format(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
store_ad_format(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (buf == NULL || len == 0)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

static int
store_ad_fail(char *buf, size_t len)
{
	if (buf != NULL && len > 0)
		buf[0] = '\0';
	return -1;
}

/* uid as 32 lowercase hex digits into hex[33]. */
static void
store_ad_uid_hex(const unsigned char uid[STORE_AD_UID_BYTES],
    char hex[2 * STORE_AD_UID_BYTES + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < STORE_AD_UID_BYTES; i++) {
		hex[2 * i] = digits[uid[i] >> 4];
		hex[2 * i + 1] = digits[uid[i] & 0x0f];
	}
	hex[2 * STORE_AD_UID_BYTES] = '\0';
}

static bool
store_ad_valid_blob_name(const char *name)
{
	size_t i;

	for (i = 0; i < STORE_AD_BLOB_NAME_LEN; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return name[STORE_AD_BLOB_NAME_LEN] == '\0';
}

static bool
store_ad_valid_purpose(const char *p)
{
	size_t i;

	for (i = 0; p[i] != '\0'; i++) {
		if (i >= STORE_AD_PURPOSE_MAX)
			return false;
		if (!((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= '0' && p[i] <= '9') ||
		    p[i] == '_' || p[i] == '.' || p[i] == '-'))
			return false;
	}
	return i > 0;
}

/* "tip:<uid>" (store_ad.h). */
int
store_ad_tip_owner(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES])
{
	char hex[2 * STORE_AD_UID_BYTES + 1];

	if (uid == NULL)
		return store_ad_fail(buf, len);
	store_ad_uid_hex(uid, hex);
	return store_ad_format(buf, len, "tip:%s", hex);
}

/* "tip:<uid>:record" (store_ad.h). */
int
store_ad_tip_record(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES])
{
	char hex[2 * STORE_AD_UID_BYTES + 1];

	if (uid == NULL)
		return store_ad_fail(buf, len);
	store_ad_uid_hex(uid, hex);
	return store_ad_format(buf, len, "tip:%s:record", hex);
}

/* "tip:<uid>:message:<id>" (store_ad.h). */
int
store_ad_tip_message(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES], int64_t message_id)
{
	char hex[2 * STORE_AD_UID_BYTES + 1];

	if (uid == NULL || message_id <= 0)
		return store_ad_fail(buf, len);
	store_ad_uid_hex(uid, hex);
	return store_ad_format(buf, len, "tip:%s:message:%lld", hex,
	    (long long)message_id);
}

/* "tip:<uid>:outbox:<id>:<part>" (store_ad.h). */
int
store_ad_tip_outbox(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES], int64_t outbox_id,
    const char *part)
{
	char hex[2 * STORE_AD_UID_BYTES + 1];

	if (uid == NULL || outbox_id <= 0 || part == NULL ||
	    (strcmp(part, "recipient") != 0 && strcmp(part, "body") != 0))
		return store_ad_fail(buf, len);
	store_ad_uid_hex(uid, hex);
	return store_ad_format(buf, len, "tip:%s:outbox:%lld:%s", hex,
	    (long long)outbox_id, part);
}

/* "tip:<uid>:attachment:<blob_name>:name" (store_ad.h). */
int
store_ad_tip_attachment_name(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES], const char *blob_name)
{
	char hex[2 * STORE_AD_UID_BYTES + 1];

	if (uid == NULL || blob_name == NULL ||
	    !store_ad_valid_blob_name(blob_name))
		return store_ad_fail(buf, len);
	store_ad_uid_hex(uid, hex);
	return store_ad_format(buf, len, "tip:%s:attachment:%s:name", hex,
	    blob_name);
}

/* "service:<purpose>" (store_ad.h). */
int
store_ad_service_owner(char *buf, size_t len, const char *purpose)
{
	if (purpose == NULL || !store_ad_valid_purpose(purpose))
		return store_ad_fail(buf, len);
	return store_ad_format(buf, len, "service:%s", purpose);
}
