/* SPDX-License-Identifier: MIT */
/*
 * What the public routes (the tip form, the follow-up pages, the public
 * JSON API) share: the request's language, the client id that rate limits
 * are keyed by, the limits themselves, tipster sessions and their cookie,
 * and the page frame every public HTML page is written into.
 *
 * The client address is read from the connection only to be hashed at
 * once (ratelimit_client_id(): keyed BLAKE2b under a key replaced daily);
 * it is never stored, logged or passed on.  The limits and sessions live
 * in memory owned by the loop thread (every function here runs on it).
 */
#ifndef HANDLERS_HTTP_PUBLIC_H
#define HANDLERS_HTTP_PUBLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "handlers/http_server.h"
#include "handlers/i18n.h"
#include "service/ratelimit.h"
#include "service/tipster_session.h"

#define HTTP_PUBLIC_COOKIE "tipline_tipster"
#define HTTP_PUBLIC_RECEIPT_LIMIT 10		/* wrong codes per address */
#define HTTP_PUBLIC_RECEIPT_WINDOW 600		/* seconds */
#define HTTP_PUBLIC_RECEIPT_GLOBAL 1000		/* wrong codes, everyone */

struct evbuffer;

/* Seconds of the monotonic clock (rate limits, sessions). */
int64_t http_public_now(void);

/* The request's language: ?lang=en|zh, else Accept-Language. */
enum i18n_lang http_public_lang(struct http_req *r);

/*
 * The request's client id (the hashed peer address).  false when the
 * connection is gone.
 */
bool http_public_client_id(struct http_req *r,
    unsigned char id[RATELIMIT_ID_BYTES]);

/*
 * Count one tip submission (POST /tips, /api/v1/tips) against
 * submissions_per_hour.  false when over it: *retry_after gets seconds.
 */
bool http_public_take_submission(struct http_req *r, int64_t *retry_after);

/*
 * Count one receipt attempt before it is checked (so that attempts in
 * flight count too): false when this address or everyone is over the
 * limit of wrong codes, *retry_after then set.  When the code turns out
 * right, call http_public_receipt_was_right() with the same id.
 */
bool http_public_take_receipt(struct http_req *r,
    unsigned char id[RATELIMIT_ID_BYTES], int64_t *retry_after);
void http_public_receipt_was_right(const unsigned char id[RATELIMIT_ID_BYTES]);

/* The live tipster session of the request's cookie, or NULL. */
const struct tipster_session *http_public_session(struct http_req *r);

/* Start a tipster session for tip_id: sets the cookie; csrf gets the
 * form token. */
void http_public_session_start(struct http_req *r, int64_t tip_id,
    char csrf[TIPSTER_SESSION_CSRF_HEX + 1]);

/* End the request's session (if any) and expire its cookie. */
void http_public_session_end(struct http_req *r);

/* Add "Retry-After: seconds". */
void http_public_retry_after(struct http_req *r, int64_t seconds);

/*
 * The page frame: doctype, <html lang>, head with the title and our
 * stylesheet, the header with the language switch (to path with ?lang=),
 * and <main>; http_public_page_end() closes them with the footer.
 */
void http_public_page_begin(struct evbuffer *b, enum i18n_lang lang,
    const char *title, const char *path);
void http_public_page_end(struct evbuffer *b, enum i18n_lang lang);

/* Send the page in b as text/html (b is drained, not freed).  Frees r. */
void http_public_page_reply(struct http_req *r, int status,
    struct evbuffer *b);

/* Escape and translate: http_html_escape(b, i18n_tr(lang, msgid)). */
void http_public_put(struct evbuffer *b, enum i18n_lang lang,
    const char *msgid);

/*
 * For a POST the guard refused with 413 (its body over limit bytes): when
 * target (its path and query, as the guard kept them) has the path path,
 * *lang gets the language of its ?lang= (the default when none: the
 * request's headers are gone) and text (len bytes) gets
 * msgid translated with its two %s as limit and attachment_max in MiB
 * with one decimal; returns false, doing nothing, for another path.
 */
bool http_public_too_large(struct http_req *r, const char *target,
    const char *path, uint64_t limit, const char *msgid, char *text,
    size_t len, enum i18n_lang *lang);

/* A Unix time as "YYYY-MM-DD HH:MM" in China Standard Time. */
void http_public_time(char *buf, size_t len, int64_t t);

#endif
