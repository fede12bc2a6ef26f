/* SPDX-License-Identifier: MIT */
/*
 * Login throttling, in memory, on the loop thread only.
 *
 * Failures are counted per account (the login as typed, whether or not it
 * exists, so that unknown and real accounts behave alike) and per client
 * address (kept only as a keyed hash whose key changes every day).  After
 * LOGIN_THROTTLE_ACCOUNT_FREE failures of one account, or
 * LOGIN_THROTTLE_ADDRESS_FREE from one address, each further failure
 * blocks the next attempt for a delay that doubles from 1 second up to
 * LOGIN_THROTTLE_DELAY_MAX (15 minutes; time is counted in whole seconds
 * and a block lasts at least its delay: 1 to 2 s for the first); attempts
 * while blocked are
 * refused without looking at the password and do not count.  A success
 * clears the account's count; counts are forgotten
 * LOGIN_THROTTLE_WINDOW seconds after the last failure.  Nothing is ever
 * locked for good.  Attempts in flight count against the allowance, so
 * that a burst of parallel guesses cannot slip past it.
 *
 * Memory: at most LOGIN_THROTTLE_ENTRIES entries; when full, the stalest
 * entry not in flight is dropped.
 */
#ifndef SERVICE_LOGIN_THROTTLE_H
#define SERVICE_LOGIN_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#define LOGIN_THROTTLE_ACCOUNT_FREE 5
#define LOGIN_THROTTLE_ADDRESS_FREE 20
#define LOGIN_THROTTLE_WINDOW (15 * 60)
#define LOGIN_THROTTLE_DELAY_MAX (15 * 60)
#define LOGIN_THROTTLE_ENTRIES 4096

struct login_throttle;

/* A new, empty throttle; NULL if out of memory. */
struct login_throttle *login_throttle_new(void);

/* Free t.  Accepts NULL; NULLs *t. */
void login_throttle_free(struct login_throttle **t);

/*
 * Before a password is checked.  Returns 0 when the attempt may go on
 * (it is then in flight until login_throttle_end()), or the number of
 * seconds to wait (for Retry-After; the attempt must be refused).  addr
 * may be NULL (unknown); now is Unix seconds.
 */
int64_t login_throttle_begin(struct login_throttle *t, const char *login,
    const char *addr, int64_t now);

/* After the check of an attempt that login_throttle_begin() let through. */
void login_throttle_end(struct login_throttle *t, const char *login,
    const char *addr, bool success, int64_t now);

#endif
