/* SPDX-License-Identifier: MIT */
/*
 * Shared state and helpers of the public routes (see http_public.h).
 *
 * State: one struct in static storage, made ready on first use with the
 * server's config: the address key, three rate limits (tip submissions
 * per address, wrong receipt codes per address and in total) and the
 * tipster sessions.  Fixed-size tables, no allocation, nothing to free at
 * exit; about 2.5 MB, touched only as it fills.  One HTTP server per
 * process and only its loop thread comes here.
 */
#include "handlers/http_public.h"

#include <stdio.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "handlers/http_cookie.h"
#include "service/config.h"

#define CST_OFFSET (8 * 3600)

static struct {
	bool ready;
	struct ratelimit_key key;
	struct ratelimit submissions;
	struct ratelimit receipts;
	struct ratelimit receipts_all;
	struct tipster_sessions sessions;
	bool cookie_secure;
} pub;

static const unsigned char everyone[RATELIMIT_ID_BYTES];

static void
http_public_ready(struct http_req *r)
{
	const struct config *cfg = http_server_env(r->srv)->cfg;

	if (pub.ready)
		return;
	pub.submissions.limit = (uint32_t)cfg->submissions_per_hour;
	pub.submissions.window = 3600;
	pub.receipts.limit = HTTP_PUBLIC_RECEIPT_LIMIT;
	pub.receipts.window = HTTP_PUBLIC_RECEIPT_WINDOW;
	pub.receipts_all.limit = HTTP_PUBLIC_RECEIPT_GLOBAL;
	pub.receipts_all.window = HTTP_PUBLIC_RECEIPT_WINDOW;
	pub.cookie_secure = cfg->cookie_secure;
	pub.ready = true;
}

int64_t
http_public_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec + 1;	/* never 0: 0 means "unset" */
}

enum i18n_lang
http_public_lang(struct http_req *r)
{
	const struct evhttp_uri *uri;
	const char *query, *lang = NULL;
	struct evkeyvalq q;
	enum i18n_lang l;

	if (r->req == NULL)
		return I18N_ZH;
	TAILQ_INIT(&q);
	uri = evhttp_request_get_evhttp_uri(r->req);
	query = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (query != NULL && evhttp_parse_query_str(query, &q) == 0)
		lang = evhttp_find_header(&q, "lang");
	l = i18n_choose(lang, http_req_header(r, "Accept-Language"));
	evhttp_clear_headers(&q);
	return l;
}

bool
http_public_client_id(struct http_req *r, unsigned char id[RATELIMIT_ID_BYTES])
{
	struct evhttp_connection *evcon;
	char *addr = NULL;
	ev_uint16_t port = 0;

	http_public_ready(r);
	if (r->req == NULL ||
	    (evcon = evhttp_request_get_connection(r->req)) == NULL)
		return false;
	evhttp_connection_get_peer(evcon, &addr, &port);
	/* Hashed at once; the address goes no further than this call. */
	if (ratelimit_client_id(&pub.key, addr, http_public_now(), id)) {
		ratelimit_clear(&pub.submissions);
		ratelimit_clear(&pub.receipts);
	}
	return true;
}

bool
http_public_take_submission(struct http_req *r, int64_t *retry_after)
{
	unsigned char id[RATELIMIT_ID_BYTES];

	if (!http_public_client_id(r, id))
		return true;	/* gone: the reply goes nowhere anyway */
	return ratelimit_take(&pub.submissions, id, http_public_now(),
	    retry_after);
}

bool
http_public_take_receipt(struct http_req *r,
    unsigned char id[RATELIMIT_ID_BYTES], int64_t *retry_after)
{
	int64_t now = http_public_now();

	if (!http_public_client_id(r, id))
		memset(id, 0, RATELIMIT_ID_BYTES);
	/* Blocked addresses do not use up everyone's allowance. */
	if (ratelimit_is_blocked(&pub.receipts, id, now, retry_after))
		return false;
	if (!ratelimit_take(&pub.receipts_all, everyone, now, retry_after))
		return false;
	if (!ratelimit_take(&pub.receipts, id, now, retry_after)) {
		ratelimit_give_back(&pub.receipts_all, everyone);
		return false;
	}
	return true;
}

void
http_public_receipt_was_right(const unsigned char id[RATELIMIT_ID_BYTES])
{
	ratelimit_give_back(&pub.receipts, id);
	ratelimit_give_back(&pub.receipts_all, everyone);
}

const struct tipster_session *
http_public_session(struct http_req *r)
{
	const char *cookie = http_req_header(r, "Cookie");
	char token[TIPSTER_SESSION_TOKEN_HEX + 1];

	http_public_ready(r);
	if (cookie == NULL || !http_cookie_get(cookie, HTTP_PUBLIC_COOKIE,
	    token, sizeof(token)))
		return NULL;
	return tipster_session_find(&pub.sessions, token, http_public_now());
}

void
http_public_session_start(struct http_req *r, int64_t tip_id,
    char csrf[TIPSTER_SESSION_CSRF_HEX + 1])
{
	char token[TIPSTER_SESSION_TOKEN_HEX + 1], header[256];

	http_public_ready(r);
	tipster_session_create(&pub.sessions, tip_id, http_public_now(), token,
	    csrf);
	snprintf(header, sizeof(header), "%s=%s; Path=/follow-up; Max-Age=%d;"
	    " HttpOnly; SameSite=Strict%s", HTTP_PUBLIC_COOKIE, token,
	    TIPSTER_SESSION_TTL, pub.cookie_secure ? "; Secure" : "");
	http_req_add_header(r, "Set-Cookie", header);
	memset(token, 0, sizeof(token));
}

void
http_public_session_end(struct http_req *r)
{
	const char *cookie = http_req_header(r, "Cookie");
	char token[TIPSTER_SESSION_TOKEN_HEX + 1], header[160];

	http_public_ready(r);
	if (cookie != NULL && http_cookie_get(cookie, HTTP_PUBLIC_COOKIE,
	    token, sizeof(token)))
		tipster_session_end(&pub.sessions, token);
	snprintf(header, sizeof(header), "%s=; Path=/follow-up; Max-Age=0;"
	    " HttpOnly; SameSite=Strict%s", HTTP_PUBLIC_COOKIE,
	    pub.cookie_secure ? "; Secure" : "");
	http_req_add_header(r, "Set-Cookie", header);
}

void
http_public_retry_after(struct http_req *r, int64_t seconds)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)(seconds > 0 ? seconds : 1));
	http_req_add_header(r, "Retry-After", v);
}

void
http_public_put(struct evbuffer *b, enum i18n_lang lang, const char *msgid)
{
	http_html_escape(b, i18n_tr(lang, msgid));
}

void
http_public_page_begin(struct evbuffer *b, enum i18n_lang lang,
    const char *title, const char *path)
{
	enum i18n_lang other = lang == I18N_EN ? I18N_ZH : I18N_EN;

	evbuffer_add_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\""
	    "width=device-width, initial-scale=1\"><title>", i18n_tag(lang));
	http_public_put(b, lang, title);
	evbuffer_add_printf(b, " - ");
	http_public_put(b, lang, N_("Jincheng Market Regulation tip line"));
	evbuffer_add_printf(b, "</title><link rel=\"stylesheet\" href=\""
	    "/static/tipline.css\"></head>\n<body><header class=\"site\">"
	    "<a class=\"home\" href=\"/?lang=%s\">", i18n_code(lang));
	http_public_put(b, lang, N_("Jincheng Market Regulation tip line"));
	evbuffer_add_printf(b, "</a> <a class=\"lang\" lang=\"%s\" "
	    "href=\"%s?lang=%s\">%s</a></header>\n<main>\n", i18n_tag(other),
	    path, i18n_code(other), other == I18N_EN ? "English" : "中文");
}

void
http_public_page_end(struct evbuffer *b, enum i18n_lang lang)
{
	evbuffer_add_printf(b, "</main>\n<footer class=\"site\"><p>");
	http_public_put(b, lang,
	    N_("Jincheng Administration for Market Regulation"));
	evbuffer_add_printf(b, "</p><p><a href=\"/follow-up?lang=%s\">",
	    i18n_code(lang));
	http_public_put(b, lang, N_("Check a tip you sent"));
	evbuffer_add_printf(b, "</a></p></footer>\n</body></html>\n");
}

void
http_public_page_reply(struct http_req *r, int status, struct evbuffer *b)
{
	size_t len = evbuffer_get_length(b);
	const unsigned char *page = evbuffer_pullup(b, -1);

	if (page == NULL && len > 0) {
		http_reply_error(r, 500, "internal", "out of memory", NULL);
		return;
	}
	http_reply(r, status, "text/html; charset=utf-8", page, len);
	evbuffer_drain(b, len);
}

void
http_public_time(char *buf, size_t len, int64_t t)
{
	time_t local = (time_t)t + CST_OFFSET;
	struct tm tm;

	gmtime_r(&local, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

/* Whether target has the path path; if so, *lang from its ?lang=. */
static bool
http_public_target_is(const char *target, const char *path,
    enum i18n_lang *lang)
{
	const char *query = strchr(target, '?'), *value = NULL;
	size_t plen = query != NULL ? (size_t)(query - target) : strlen(target);
	struct evkeyvalq q;

	if (plen != strlen(path) || memcmp(target, path, plen) != 0)
		return false;
	TAILQ_INIT(&q);
	if (query != NULL && evhttp_parse_query_str(query + 1, &q) == 0)
		value = evhttp_find_header(&q, "lang");
	*lang = i18n_choose(value, NULL);
	evhttp_clear_headers(&q);
	return true;
}

bool
http_public_too_large(struct http_req *r, const char *target,
    const char *path, uint64_t limit, const char *msgid, char *text,
    size_t len, enum i18n_lang *lang)
{
	const struct config *cfg = http_server_env(r->srv)->cfg;
	char all_mb[32], file_mb[32];
	const char *args[2] = { all_mb, file_mb };

	if (!http_public_target_is(target, path, lang))
		return false;
	snprintf(all_mb, sizeof(all_mb), "%.1f", (double)limit /
	    (1024.0 * 1024.0));
	snprintf(file_mb, sizeof(file_mb), "%.1f", (double)cfg->attachment_max /
	    (1024.0 * 1024.0));
	i18n_format(text, len, i18n_tr(*lang, msgid), args, 2);
	return true;
}
