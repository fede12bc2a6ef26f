/* SPDX-License-Identifier: MIT */
/*
 * The HTTP guard (see http_guard.h): one struct http_guard per connection,
 * created by evhttp's bufferevent callback and freed with the filter
 * bufferevent.  Its input filter moves bytes from the socket to evhttp only
 * after the head they belong to has passed http_guard_check_head(), then
 * gathers the body (Content-Length bytes) into one allocation handed on
 * whole, then expects the next head.
 *
 * Load: one small state machine per connection; the head is linearised at
 * most once per read and never beyond HTTP_GUARD_HEAD_MAX + 1 bytes.
 * Guards are found again from their bufferevent through a small hash table
 * (loop thread only).
 */
#include "handlers/http_guard.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "service/memory.h"
#include "service/metrics.h"

/* The fixed reasons of 503 refusals (also told apart for GET /metrics). */
#define GUARD_REASON_NOMEM "out of memory"
#define GUARD_REASON_BUDGET "too many uploads in progress"
#define GUARD_REASON_CONNECTIONS "too many connections"

/* ------------------------------------------------------------------ */
/* The pure head check                                                 */

static bool
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static enum http_guard_verdict
guard_refuse(struct http_guard_head *out, int status, const char *reason)
{
	out->status = status;
	out->reason = reason;
	return HTTP_GUARD_REFUSE;
}

/* Whether line[0..len) contains a NUL or a CR (the CRLF's CR is gone). */
static bool
has_forbidden_byte(const char *line, size_t len)
{
	return memchr(line, '\0', len) != NULL || memchr(line, '\r', len) != NULL;
}

/* "METHOD SP URI SP HTTP/1.x".  Returns PASS, or REFUSE with out set. */
static enum http_guard_verdict
guard_request_line(const char *line, size_t len, struct http_guard_head *out,
    const char **path, size_t *path_len)
{
	const char *sp1, *sp2, *uri, *ver;
	size_t mlen, ulen, vlen;
	struct evhttp_uri *parsed;
	char *uristr;

	sp1 = memchr(line, ' ', len);
	if (sp1 == NULL)
		return guard_refuse(out, 400, "malformed request line");
	mlen = (size_t)(sp1 - line);
	uri = sp1 + 1;
	sp2 = memchr(uri, ' ', len - mlen - 1);
	if (sp2 == NULL)
		return guard_refuse(out, 400, "malformed request line");
	ulen = (size_t)(sp2 - uri);
	ver = sp2 + 1;
	vlen = len - mlen - ulen - 2;
	if (mlen == 0 || mlen > 32 || ulen == 0)
		return guard_refuse(out, 400, "malformed request line");
	for (size_t i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)line[i]))
			return guard_refuse(out, 400, "malformed request line");
	if (vlen < 8 || memcmp(ver, "HTTP/", 5) != 0)
		return guard_refuse(out, 400, "malformed request line");
	if (vlen != 8 || ver[5] < '0' || ver[5] > '9' || ver[6] != '.' ||
	    ver[7] < '0' || ver[7] > '9')
		return guard_refuse(out, 400, "malformed request line");
	if (ver[5] != '1')
		return guard_refuse(out, 505, "HTTP version not supported");
	if (ulen > HTTP_GUARD_URI_MAX)
		return guard_refuse(out, 414, "URI too long");
	for (size_t i = 0; i < ulen; i++) {
		unsigned char c = (unsigned char)uri[i];

		if (c <= 0x20 || c >= 0x7f)
			return guard_refuse(out, 400, "malformed request line");
	}
	if (uri[0] != '/')
		return guard_refuse(out, 400, "only origin-form request "
		    "targets are accepted");
	*path = uri;
	*path_len = 0;
	out->target = uri;
	out->target_len = ulen;
	while (*path_len < ulen && uri[*path_len] != '?' &&
	    uri[*path_len] != '#')
		(*path_len)++;

	if (mlen == 3 && memcmp(line, "GET", 3) == 0)
		out->method = HTTP_GUARD_GET;
	else if (mlen == 4 && memcmp(line, "HEAD", 4) == 0)
		out->method = HTTP_GUARD_HEAD;
	else if (mlen == 4 && memcmp(line, "POST", 4) == 0)
		out->method = HTTP_GUARD_POST;
	else {
		out->method = HTTP_GUARD_OTHER;
		return guard_refuse(out, 405, "method not allowed");
	}

	/* evhttp must accept the URI too, or it would answer on its own. */
	if ((uristr = malloc(ulen + 1)) == NULL)
		return guard_refuse(out, 503, GUARD_REASON_NOMEM);
	memcpy(uristr, uri, ulen);
	uristr[ulen] = '\0';
	parsed = evhttp_uri_parse_with_flags(uristr, EVHTTP_URI_NONCONFORMANT);
	free(uristr);
	if (parsed == NULL)
		return guard_refuse(out, 400, "malformed request target");
	evhttp_uri_free(parsed);
	return HTTP_GUARD_PASS;
}

/* Parse a Content-Length value: digits only, at most 18 of them. */
static bool
parse_content_length(const char *v, size_t len, uint64_t *out)
{
	uint64_t n = 0;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len == 0 || len > 18)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	*out = n;
	return true;
}

enum http_guard_verdict
http_guard_check_head(const char *buf, size_t len, http_guard_limit_fn limit,
    void *limit_arg, struct http_guard_head *out)
{
	size_t pos = 0, nheaders = 0, path_len = 0;
	bool have_cl = false, have_te = false;
	const char *path = NULL;
	enum http_guard_verdict v;

	memset(out, 0, sizeof(*out));
	out->method = HTTP_GUARD_OTHER;

	for (size_t lineno = 0;; lineno++) {
		size_t avail = len - pos, scan, llen;
		const char *line = buf + pos, *lf;

		scan = avail;
		if (pos + scan > HTTP_GUARD_HEAD_MAX)
			scan = pos < HTTP_GUARD_HEAD_MAX ?
			    HTTP_GUARD_HEAD_MAX - pos : 0;
		lf = memchr(line, '\n', scan);
		if (lf == NULL) {
			size_t judged = scan;

			/* A CR that ends the input may be the first half of
			 * a CRLF whose LF has not arrived yet (a client that
			 * writes slowly, a segment boundary): not bare yet. */
			if (judged > 0 && pos + judged == len &&
			    line[judged - 1] == '\r')
				judged--;
			if (has_forbidden_byte(line, judged))
				return guard_refuse(out, 400, "NUL or bare CR "
				    "in the request head");
			if (lineno == 0 && scan > HTTP_GUARD_URI_MAX + 48)
				return guard_refuse(out, 414, "URI too long");
			if (pos + avail > HTTP_GUARD_HEAD_MAX)
				return guard_refuse(out, 431, "request header "
				    "fields too large");
			return HTTP_GUARD_MORE;
		}
		llen = (size_t)(lf - line);
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		pos += (size_t)(lf - line) + 1;
		if (has_forbidden_byte(line, llen))
			return guard_refuse(out, 400, "NUL or bare CR in the "
			    "request head");

		if (lineno == 0) {
			if (llen == 0)
				return guard_refuse(out, 400, "malformed "
				    "request line");
			v = guard_request_line(line, llen, out, &path,
			    &path_len);
			if (v != HTTP_GUARD_PASS)
				return v;
			continue;
		}
		if (llen == 0)
			break;	/* the blank line ending the head */
		if (++nheaders > 100)
			return guard_refuse(out, 431, "too many header fields");
		if (line[0] == ' ' || line[0] == '\t')
			return guard_refuse(out, 400, "folded header line");
		{
			const char *colon = memchr(line, ':', llen);
			size_t nlen, vlen;
			const char *val;

			if (colon == NULL || colon == line)
				return guard_refuse(out, 400, "malformed header "
				    "line");
			nlen = (size_t)(colon - line);
			for (size_t i = 0; i < nlen; i++)
				if (!is_tchar((unsigned char)line[i]))
					return guard_refuse(out, 400, "malformed "
					    "header name");
			val = colon + 1;
			vlen = llen - nlen - 1;
			for (size_t i = 0; i < vlen; i++) {
				unsigned char c = (unsigned char)val[i];

				if ((c < 0x20 && c != '\t') || c == 0x7f)
					return guard_refuse(out, 400, "control "
					    "character in a header value");
			}
			if (nlen == 14 && !strncasecmp(line, "Content-Length",
			    14)) {
				uint64_t cl;

				if (!parse_content_length(val, vlen, &cl))
					return guard_refuse(out, 400, "malformed "
					    "Content-Length");
				if (have_cl && cl != out->content_length)
					return guard_refuse(out, 400, "conflicting "
					    "Content-Length");
				have_cl = true;
				out->content_length = cl;
			} else if (nlen == 17 && !strncasecmp(line,
			    "Transfer-Encoding", 17)) {
				have_te = true;
			}
		}
	}
	out->head_len = pos;
	if (have_cl && have_te)
		return guard_refuse(out, 400, "Content-Length together with "
		    "Transfer-Encoding");
	if (have_te)
		return guard_refuse(out, 411, "chunked request bodies are not "
		    "accepted; send Content-Length");
	out->body_limit = limit == NULL ? 0 : limit(path, path_len, limit_arg);
	if (out->content_length > out->body_limit)
		return guard_refuse(out, 413, "request body too large");
	return HTTP_GUARD_PASS;
}

/* ------------------------------------------------------------------ */
/* The connection filter                                               */

enum guard_state {
	GUARD_STATE_HEAD,	/* waiting for a complete head */
	GUARD_STATE_BODY,	/* counting body_left bytes through */
	GUARD_STATE_DISCARD,	/* refused: drop everything */
};

struct http_guard {
	struct http_guard_conf conf;
	struct bufferevent *bev;	/* the filter, evhttp's bufferevent */
	struct event *deadline;
	enum guard_state state;
	uint64_t body_left;
	unsigned char *body;		/* the current body as it arrives */
	size_t body_got;
	uint64_t reserved;		/* budget held for the current body */
	int refused_status;
	const char *refused_reason;
	uint64_t refused_limit;		/* a 413's body limit */
	/* A refused POST's target (413 only), "" otherwise. */
	char refused_target[HTTP_GUARD_REFUSED_TARGET_MAX + 1];
	bool closing;			/* close once the output is flushed */
	unsigned int undispatched;	/* heads passed on, not yet dispatched */
	struct evbuffer_cb_entry *flush_cb;	/* on the socket's output */
	struct evbuffer_cb_entry *kick_cb;	/* on evhttp's output */
	struct event *kick;
	struct http_guard *hnext;
};

/*
 * A body is gathered here into one allocation of exactly Content-Length
 * bytes as it arrives, and handed to evhttp whole, as one reference chain
 * that owns it (guard_body_free).  evhttp 2.1 moves a body into the
 * request only once all of it is there (evhttp_read_body), and moving
 * chains relinks them, so the request's input buffer then holds that one
 * allocation: the handler (and its worker) see the body contiguous without
 * evbuffer_pullup() copying it, and an upload is held once, never as
 * chains of 8 KiB half filled by 4 KiB reads (libevent 2.1's
 * EVBUFFER_MAX_READ) beside a contiguous copy.  A large allocation is a
 * mapping of its own (serve sets M_MMAP_THRESHOLD, service/memory.h): its
 * pages are touched only as bytes arrive and go back to the system when it
 * is freed.  While gathering, the filter answers BEV_OK, which restarts
 * evhttp's idle timeout although evhttp is handed nothing yet; the guard's
 * own body deadline bounds the whole.
 */
static void
guard_body_free(const void *data, size_t len, void *arg)
{
	(void)arg;
	memory_free_large((void *)(uintptr_t)data, len);
}

/*
 * Once the socket's buffered bytes are taken, read more of the body from
 * the socket straight into it, up to GUARD_DIRECT_READ bytes: libevent 2.1
 * reads 4 KiB per call (EVBUFFER_MAX_READ, after a FIONREAD ioctl), and a
 * 20 MiB upload would cost the loop thread 5 000 rounds of epoll, ioctl,
 * readv, a copy and the filter and evhttp callbacks.  Reading here is safe
 * behind libevent's back: its read event is level-triggered, and a read
 * that finds nothing gets EAGAIN and waits.  End of file and errors are
 * left for libevent's own next read to find (a socket keeps reporting
 * them).  Returns whether bytes came.
 *
 * The size was measured (tests/bench/bench_http.py's 8 x 20 MiB phase,
 * 2 cores): 128 KiB halves the loop's CPU per upload (about 70 -> 36 ms)
 * with the /healthz p99 unchanged; 1 MiB saves no more CPU but doubles
 * the p99, each read being one long stretch in the kernel (copy and page
 * faults) that a request arriving meanwhile waits behind.
 */
#define GUARD_DIRECT_READ (128 * 1024)

static bool
guard_body_read_direct(struct http_guard *g)
{
	struct bufferevent *under = bufferevent_get_underlying(g->bev);
	evutil_socket_t fd = under != NULL ? bufferevent_getfd(under) : -1;
	size_t want = g->body_left > GUARD_DIRECT_READ ? GUARD_DIRECT_READ :
	    (size_t)g->body_left;
	ssize_t n;

	if (fd < 0 || want == 0)
		return false;
	n = recv(fd, g->body + g->body_got, want, MSG_DONTWAIT);
	if (n <= 0)
		return false;
	g->body_got += (size_t)n;
	g->body_left -= (uint64_t)n;
	return true;
}

static void
guard_body_drop(struct http_guard *g)
{
	free(g->body);
	g->body = NULL;
	g->body_got = 0;
}

#define GUARD_BUCKETS 1024
static struct http_guard *guard_table[GUARD_BUCKETS];
static size_t guard_count;
static size_t guard_max = HTTP_GUARD_CONN_MAX;

static size_t
guard_bucket(const struct bufferevent *bev)
{
	uintptr_t p = (uintptr_t)bev;

	return (size_t)((p >> 4) ^ (p >> 14)) % GUARD_BUCKETS;
}

struct http_guard *
http_guard_find(struct bufferevent *bev)
{
	struct http_guard *g;

	for (g = guard_table[guard_bucket(bev)]; g != NULL; g = g->hnext)
		if (g->bev == bev)
			return g;
	return NULL;
}

size_t
http_guard_connections(void)
{
	return guard_count;
}

void
http_guard_set_max_connections(size_t max)
{
	guard_max = max > 0 ? max : 1;
}

static bool guard_output_flushed(struct http_guard *g);

size_t
http_guard_receiving(void)
{
	size_t n = 0;

	for (size_t b = 0; b < GUARD_BUCKETS; b++)
		for (struct http_guard *g = guard_table[b]; g != NULL;
		    g = g->hnext) {
			struct bufferevent *under =
			    bufferevent_get_underlying(g->bev);

			/* An answer not yet written out counts too: a reply
			 * handed to evhttp sits in the filter's and the
			 * socket's output until the loop writes it. */
			if (g->state == GUARD_STATE_BODY || g->undispatched > 0 ||
			    (g->state == GUARD_STATE_HEAD && under != NULL &&
			    evbuffer_get_length(bufferevent_get_input(under)) >
			    0) || !guard_output_flushed(g))
				n++;
		}
	return n;
}

void
http_budget_release(struct http_budget *b, uint64_t bytes)
{
	if (b == NULL)
		return;
	b->used = bytes > b->used ? 0 : b->used - bytes;
}

uint64_t
http_guard_take_reservation(struct http_guard *g)
{
	uint64_t r;

	if (g == NULL)
		return 0;
	r = g->reserved;
	g->reserved = 0;
	if (g->undispatched > 0)
		g->undispatched--;
	return r;
}

int
http_guard_refused_status(const struct http_guard *g)
{
	return g == NULL ? 0 : g->refused_status;
}

const char *
http_guard_refused_reason(const struct http_guard *g)
{
	return g == NULL || g->refused_reason == NULL ? "" : g->refused_reason;
}

uint64_t
http_guard_refused_limit(const struct http_guard *g)
{
	return g == NULL || g->refused_status != 413 ? 0 : g->refused_limit;
}

const char *
http_guard_refused_target(const struct http_guard *g)
{
	return g == NULL || g->refused_status != 413 ? "" : g->refused_target;
}

/* Keep a POST's target for its 413 answer (before the input is drained). */
static void
guard_keep_target(struct http_guard *g, const struct http_guard_head *h)
{
	g->refused_target[0] = '\0';
	if (h->status != 413 || h->method != HTTP_GUARD_POST ||
	    h->target == NULL || h->target_len > HTTP_GUARD_REFUSED_TARGET_MAX)
		return;
	memcpy(g->refused_target, h->target, h->target_len);
	g->refused_target[h->target_len] = '\0';
}

static void
guard_deadline_start(struct http_guard *g, int seconds)
{
	struct timeval tv = { seconds, 0 };

	evtimer_add(g->deadline, &tv);
}

static void
guard_deadline_stop(struct http_guard *g)
{
	evtimer_del(g->deadline);
}

/*
 * The request took longer than its absolute deadline: close the connection
 * the way evhttp closes on its own timeouts (deferred, so that evhttp frees
 * the connection, and with it this guard, outside this callback).
 */
static void
guard_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_guard *g = arg;

	(void)fd;
	(void)what;
	g->state = GUARD_STATE_DISCARD;
	guard_body_drop(g);		/* not kept until the close */
	metrics_refused(METRICS_REFUSED_DEADLINE);
	bufferevent_trigger_event(g->bev, BEV_EVENT_READING | BEV_EVENT_TIMEOUT,
	    BEV_TRIG_DEFER_CALLBACKS);
}

/* End the connection the way evhttp ends it on a read error (deferred). */
static void
guard_end_connection(struct http_guard *g)
{
	bufferevent_trigger_event(g->bev, BEV_EVENT_READING | BEV_EVENT_EOF,
	    BEV_TRIG_DEFER_CALLBACKS);
}

static bool
guard_output_flushed(struct http_guard *g)
{
	struct bufferevent *under = bufferevent_get_underlying(g->bev);

	return evbuffer_get_length(bufferevent_get_output(g->bev)) == 0 &&
	    (under == NULL ||
	    evbuffer_get_length(bufferevent_get_output(under)) == 0);
}

static void
guard_flush_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_guard *g = arg;

	(void)buf;
	(void)info;
	if (g->closing && guard_output_flushed(g)) {
		g->closing = false;
		guard_end_connection(g);
	}
}

void
http_guard_close_after_flush(struct http_guard *g)
{
	struct bufferevent *under;

	if (g == NULL)
		return;
	g->state = GUARD_STATE_DISCARD;
	guard_deadline_stop(g);
	if (guard_output_flushed(g)) {
		guard_end_connection(g);
		return;
	}
	g->closing = true;
	under = bufferevent_get_underlying(g->bev);
	if (g->flush_cb == NULL && under != NULL)
		g->flush_cb = evbuffer_add_cb(bufferevent_get_output(under),
		    guard_flush_cb, g);
}

/* The metrics reason of a refusal (status and fixed reason). */
static enum metrics_refusal
guard_refusal_kind(int status, const char *reason)
{
	switch (status) {
	case 405: return METRICS_REFUSED_METHOD;
	case 411: return METRICS_REFUSED_CHUNKED;
	case 413: return METRICS_REFUSED_TOO_LARGE;
	case 414: return METRICS_REFUSED_URI_TOO_LONG;
	case 431: return METRICS_REFUSED_HEAD_TOO_LARGE;
	case 505: return METRICS_REFUSED_VERSION;
	case 503:
		if (strcmp(reason, GUARD_REASON_BUDGET) == 0)
			return METRICS_REFUSED_BUDGET;
		if (strcmp(reason, GUARD_REASON_CONNECTIONS) == 0)
			return METRICS_REFUSED_CONNECTIONS;
		return METRICS_REFUSED_NOMEM;
	default: return METRICS_REFUSED_MALFORMED;
	}
}

/* Replace the rest of the input by the internal refusal request. */
static void
guard_refuse_conn(struct http_guard *g, struct evbuffer *src,
    struct evbuffer *dst, int status, const char *reason)
{
	metrics_refused(guard_refusal_kind(status, reason));
	evbuffer_drain(src, evbuffer_get_length(src));
	guard_body_drop(g);
	g->refused_status = status;
	g->refused_reason = reason;
	g->state = GUARD_STATE_DISCARD;
	guard_deadline_stop(g);
	http_budget_release(g->conf.budget, g->reserved);
	g->reserved = 0;
	evbuffer_add_printf(dst, "GET %s HTTP/1.1\r\nHost: guard\r\n\r\n",
	    HTTP_GUARD_REFUSED_PATH);
	g->undispatched++;
}

static enum bufferevent_filter_result
guard_input(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t dst_limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct http_guard *g = arg;
	bool moved = false;		/* consumed input (see above) */

	(void)dst_limit;
	(void)mode;
	for (;;) {
		size_t avail = evbuffer_get_length(src);

		switch (g->state) {
		case GUARD_STATE_DISCARD:
			evbuffer_drain(src, avail);
			return moved ? BEV_OK : BEV_NEED_MORE;

		case GUARD_STATE_BODY: {
			size_t n = avail;

			if ((uint64_t)n > g->body_left)
				n = (size_t)g->body_left;
			if (n > INT_MAX)
				n = INT_MAX;
			/* Copies and drains: the socket's chains go at once. */
			if (n > 0 && evbuffer_remove(src, g->body +
			    g->body_got, n) != (int)n) {
				guard_refuse_conn(g, src, dst, 503,
				    GUARD_REASON_NOMEM);
				return BEV_OK;
			}
			if (n > 0)
				moved = true;
			g->body_got += n;
			g->body_left -= n;
			if (g->body_left > 0 && evbuffer_get_length(src) == 0 &&
			    guard_body_read_direct(g))
				moved = true;
			if (g->body_left > 0)
				return moved ? BEV_OK : BEV_NEED_MORE;
			guard_deadline_stop(g);
			g->state = GUARD_STATE_HEAD;
			if (evbuffer_add_reference(dst, g->body, g->body_got,
			    guard_body_free, NULL) != 0) {
				guard_refuse_conn(g, src, dst, 503,
				    GUARD_REASON_NOMEM);
				return BEV_OK;
			}
			g->body = NULL;		/* dst owns it now */
			g->body_got = 0;
			moved = true;
			continue;
		}

		case GUARD_STATE_HEAD: {
			struct http_guard_head h;
			enum http_guard_verdict v;
			size_t n = avail, skip = 0;
			const char *p;

			if (avail == 0)
				return moved ? BEV_OK : BEV_NEED_MORE;
			if (!evtimer_pending(g->deadline, NULL))
				guard_deadline_start(g, g->conf.head_timeout_sec);
			if (n > HTTP_GUARD_HEAD_MAX + 1)
				n = HTTP_GUARD_HEAD_MAX + 1;
			p = (const char *)evbuffer_pullup(src, (ev_ssize_t)n);
			if (p == NULL) {
				guard_refuse_conn(g, src, dst, 503,
				    GUARD_REASON_NOMEM);
				return BEV_OK;
			}
			/* RFC 9112 2.2: ignore empty lines before a request. */
			while (skip < n && skip < 8 &&
			    (p[skip] == '\r' || p[skip] == '\n'))
				skip++;
			if (skip > 0) {
				evbuffer_drain(src, skip);
				continue;
			}
			v = http_guard_check_head(p, n, g->conf.limit,
			    g->conf.limit_arg, &h);
			if (v == HTTP_GUARD_MORE)
				return moved ? BEV_OK : BEV_NEED_MORE;
			if (v == HTTP_GUARD_REFUSE) {
				guard_keep_target(g, &h);
				guard_refuse_conn(g, src, dst, h.status,
				    h.reason);
				g->refused_limit = h.body_limit;
				return BEV_OK;
			}
			if (h.content_length > 0) {
				struct http_budget *b = g->conf.budget;

				if (b != NULL &&
				    b->used + h.content_length > b->max) {
					guard_refuse_conn(g, src, dst, 503,
					    GUARD_REASON_BUDGET);
					return BEV_OK;
				}
				/* Address space only: pages come as bytes do. */
				if ((g->body = malloc((size_t)
				    h.content_length)) == NULL) {
					guard_refuse_conn(g, src, dst, 503,
					    GUARD_REASON_NOMEM);
					return BEV_OK;
				}
				memory_prefault(g->body, (size_t)
				    h.content_length);
				g->body_got = 0;
				if (b != NULL)
					b->used += h.content_length;
				g->reserved += h.content_length;
			}
			evbuffer_remove_buffer(src, dst, h.head_len);
			g->undispatched++;
			moved = true;
			guard_deadline_stop(g);
			if (h.content_length > 0) {
				uint64_t extra = g->conf.body_rate > 0 ?
				    h.content_length / g->conf.body_rate : 0;

				g->state = GUARD_STATE_BODY;
				g->body_left = h.content_length;
				guard_deadline_start(g, g->conf.body_timeout_sec +
				    (int)(extra > 3600 ? 3600 : extra));
			}
			continue;
		}
		}
	}
}

static enum bufferevent_filter_result
guard_output(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t dst_limit,
    enum bufferevent_flush_mode mode, void *arg)
{
	(void)dst_limit;
	(void)mode;
	(void)arg;
	evbuffer_add_buffer(dst, src);
	return BEV_OK;
}

/*
 * libevent 2.1's filter only moves output on when its EV_WRITE is enabled
 * at the moment data is added; evhttp adds a reply first and enables
 * writing after, so a reply could sit in the filter until some unrelated
 * event.  Whenever evhttp adds output, flush the filter once the current
 * callback (which enables writing) has returned.
 */
static void
guard_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_guard *g = arg;

	(void)fd;
	(void)what;
	bufferevent_flush(g->bev, EV_WRITE, BEV_NORMAL);
}

static void
guard_output_added(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct http_guard *g = arg;

	(void)buf;
	if (info->n_added > 0)
		event_active(g->kick, 0, 0);
}

/* Called when the filter bufferevent is freed: the only place g is freed. */
static void
guard_free(void *arg)
{
	struct http_guard *g = arg;
	struct http_guard **pp;

	if (g == NULL)
		return;
	for (pp = &guard_table[guard_bucket(g->bev)]; *pp != NULL;
	    pp = &(*pp)->hnext) {
		if (*pp == g) {
			*pp = g->hnext;
			guard_count--;
			break;
		}
	}
	http_budget_release(g->conf.budget, g->reserved);
	guard_body_drop(g);
	if (g->flush_cb != NULL) {
		struct bufferevent *under = bufferevent_get_underlying(g->bev);

		if (under != NULL)
			evbuffer_remove_cb_entry(bufferevent_get_output(under),
			    g->flush_cb);
	}
	if (g->kick_cb != NULL)
		evbuffer_remove_cb_entry(bufferevent_get_output(g->bev),
		    g->kick_cb);
	if (g->kick != NULL)
		event_free(g->kick);
	if (g->deadline != NULL)
		event_free(g->deadline);
	free(g);
}

struct bufferevent *
http_guard_new_bev(const struct http_guard_conf *conf)
{
	struct bufferevent *under = NULL, *filter = NULL;
	struct http_guard *g = NULL;
	size_t b;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->conf = *conf;
	g->state = GUARD_STATE_HEAD;
	g->deadline = evtimer_new(conf->base, guard_deadline_cb, g);
	g->kick = event_new(conf->base, -1, 0, guard_kick_cb, g);
	under = bufferevent_socket_new(conf->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (g->deadline == NULL || g->kick == NULL || under == NULL)
		goto fail;
	filter = bufferevent_filter_new(under, guard_input, guard_output,
	    BEV_OPT_CLOSE_ON_FREE, guard_free, g);
	if (filter == NULL)
		goto fail;
	g->bev = filter;
	g->kick_cb = evbuffer_add_cb(bufferevent_get_output(filter),
	    guard_output_added, g);
	if (g->kick_cb == NULL) {
		bufferevent_free(filter);	/* frees under and g */
		return NULL;
	}
	b = guard_bucket(filter);
	g->hnext = guard_table[b];
	guard_table[b] = g;
	guard_count++;
	/*
	 * Over the cap: evhttp finds the refusal request already in its
	 * input when it starts reading (it reads pending input on its next
	 * turn of the loop), answers it 503 and closes; what the client
	 * sends is dropped unread.
	 */
	if (guard_count > guard_max)
		guard_refuse_conn(g, bufferevent_get_input(under),
		    bufferevent_get_input(filter), 503, GUARD_REASON_CONNECTIONS);
	/* A connection that never sends a complete head is cut off too. */
	guard_deadline_start(g, conf->head_timeout_sec);
	return filter;
fail:
	if (under != NULL)
		bufferevent_free(under);
	if (g->kick != NULL)
		event_free(g->kick);
	if (g->deadline != NULL)
		event_free(g->deadline);
	free(g);
	return NULL;
}
