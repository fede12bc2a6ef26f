/* SPDX-License-Identifier: MIT */
/*
 * The associated-data and key-owner strings of the encrypted store: the
 * identity each sealed value and each key slot is bound to.  They are part
 * of the on-disk contract: the intake code that seals a value and the
 * verifier that opens it (store_verify.c) must build the same bytes, so
 * both call these functions and nobody formats the strings by hand.
 * Changing one makes every existing value of that kind unreadable.
 *
 *   key slot of a tip's content key    tip:<uid>
 *   tips.record_sealed                 tip:<uid>:record
 *   messages.body_sealed               tip:<uid>:message:<messages.id>
 *   attachments.name_sealed            tip:<uid>:attachment:<blob_name>:name
 *   outbox.recipient_sealed            tip:<uid>:outbox:<outbox.id>:recipient
 *   outbox.body_sealed                 tip:<uid>:outbox:<outbox.id>:body
 *   key slot of a service key          service:<key_slots.purpose>
 *
 * <uid> is the 16 bytes of tips.uid as 32 lowercase hex digits;
 * <messages.id> is the row's id in decimal without leading zeros (so the
 * id must be known before the body is sealed); <blob_name> is the 32
 * lowercase hex digit name from the blob store.  A content key slot's
 * purpose is "content" and its kind "master" (KEYS_SLOT_KIND_MASTER).
 */
#ifndef STORAGE_STORE_AD_H
#define STORAGE_STORE_AD_H

#include <stddef.h>
#include <stdint.h>

#define STORE_AD_UID_BYTES 16
#define STORE_AD_PURPOSE_MAX 64	/* bytes of a service key's purpose */
#define STORE_AD_MAX 128	/* a buffer this size fits every string */
#define STORE_AD_SLOT_PURPOSE_CONTENT "content"

/*
 * Each function writes its string, NUL-terminated, into buf of len bytes
 * and returns 0; -1 (buf set to "" when len > 0) if an argument is bad or
 * the string does not fit.  They keep no state and are thread-safe.
 */

/* "tip:<uid>": the owner of a tip's content key slot. */
int store_ad_tip_owner(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES]);

/* "tip:<uid>:record": the AD of tips.record_sealed. */
int store_ad_tip_record(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES]);

/* "tip:<uid>:message:<id>": the AD of messages.body_sealed; id > 0. */
int store_ad_tip_message(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES], int64_t message_id);

/*
 * "tip:<uid>:attachment:<blob_name>:name": the AD of
 * attachments.name_sealed; blob_name must be 32 lowercase hex digits.
 */
int store_ad_tip_attachment_name(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES], const char *blob_name);

/*
 * "tip:<uid>:outbox:<id>:<part>": the AD of an outbox row's sealed
 * columns (under the tip's content key); id > 0, part "recipient" or
 * "body".
 */
int store_ad_tip_outbox(char *buf, size_t len,
    const unsigned char uid[STORE_AD_UID_BYTES], int64_t outbox_id,
    const char *part);

/*
 * "service:<purpose>": the owner of a service key slot (tip_id NULL).
 * purpose: 1 to STORE_AD_PURPOSE_MAX of [a-z0-9_.-].
 */
int store_ad_service_owner(char *buf, size_t len, const char *purpose);

#endif
