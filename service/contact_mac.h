/* SPDX-License-Identifier: MIT */
/*
 * The relation key of a tipster: a keyed hash of the contact a tip gives
 * (BLAKE2b-256 under the "contact_mac" service key, like the report number
 * and attachment MACs), stored in tips.contact_mac so that the same
 * tipster's repeated tips can be found (order 121 第三十五条第二款,
 * storage/tip_triage.h "same_tipster") without the contact being stored
 * in plaintext anywhere.
 *
 * The normalised contact is the e-mail address when there is one
 * (surrounding blanks removed, ASCII lower-cased), else the phone number's
 * digits (China's +86 or 0086 before an 11-digit mobile number dropped);
 * "email:" or "phone:" in front keeps the two apart.  A tip with
 * neither (a name alone, or nothing) has no contact MAC.
 *
 * contact_mac_normalise() is pure (unit test, fuzz target);
 * contact_mac_compute() reads the service key (worker thread).
 */
#ifndef SERVICE_CONTACT_MAC_H
#define SERVICE_CONTACT_MAC_H

#include <stdbool.h>
#include <stddef.h>

#include "storage/db.h"
#include "storage/keys.h"

#define CONTACT_MAC_BYTES 32
/* Bytes of a normalised contact and its NUL: "email:", an address of at
 * most 254 characters (intake's limit) of up to 4 bytes each, and NUL;
 * a phone number (at most 40 characters) is shorter. */
#define CONTACT_MAC_NORM_MAX 1024

/*
 * The normalised contact of e-mail address email and phone number phone
 * (either may be NULL or empty) into out (outlen bytes, at least
 * CONTACT_MAC_NORM_MAX for any input intake accepts).  1 when there is
 * one, 0 when there is none (out ""), -1 when it does not fit (out "").
 */
int contact_mac_normalise(const char *email, const char *phone, char *out,
    size_t outlen);

/*
 * The keyed hash of the normalised contact into out; *has false (and out
 * untouched) when there is no contact.  0, or -1 when the service key
 * cannot be read (the caller refuses the tip as a transient failure) or
 * the contact does not fit.
 */
int contact_mac_compute(struct db *db, const struct keys_master *mk,
    const char *email, const char *phone,
    unsigned char out[CONTACT_MAC_BYTES], bool *has);

#endif
