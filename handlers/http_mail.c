/* SPDX-License-Identifier: MIT */
/*
 * POST /api/v1/mail: one RFC 5322 message as a `message/rfc822` body, for
 * a mail gateway that speaks HTTP rather than LMTP.  The third door to the
 * mail intake (service/mail_intake.h), beside LMTP and `ingest-mail`.
 *
 * The guard has already bounded the body by mail_max and the in-flight
 * budget; the loop thread only moves it into a job.  Parsing, storing and
 * triage run on a worker; the reply is written when the job is done:
 * 201 {"id", "status", "bureau", "received_at"}, or 200 with
 * "duplicate": true when the same message was stored before.  No receipt
 * code in the answer: the gateway is not the tipster (the acknowledgement
 * mail carries it).  The optional header X-Tipline-Recipient names the
 * address the message was sent to, a routing hint like an LMTP RCPT; an
 * address we do not know is logged and ignored, never a reason to refuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "handlers/http_routes.h"
#include "service/config.h"
#include "service/intake.h"
#include "service/log.h"
#include "service/mail_intake.h"
#include "service/workers.h"

#define MAIL_HINT_MAX 32
#define MAIL_RECIPIENT_MAX 320

struct mail_job {
	struct http_req *r;
	struct evbuffer *body;
	char hint[MAIL_HINT_MAX];
	bool nomem;
	struct intake_result res;
};

static void
mail_job_free(struct mail_job *j)
{
	if (j == NULL)
		return;
	if (j->body != NULL)
		evbuffer_free(j->body);
	free(j);
}

/* Whether ct is type/subtype want, parameters allowed. */
static bool
mail_content_type_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	while (ct != NULL && (*ct == ' ' || *ct == '\t'))
		ct++;
	return ct != NULL && strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

/* Whether the body holds nothing but white space (looked at only when
 * short: a long body is not empty). */
static bool
mail_body_is_empty(struct evbuffer *in)
{
	size_t len = evbuffer_get_length(in);
	const unsigned char *p;

	if (len == 0)
		return true;
	if (len > 4096 || (p = evbuffer_pullup(in, -1)) == NULL)
		return false;
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' &&
		    p[i] != '\n')
			return false;
	return true;
}

/* Worker: one intake for the whole message. */
static void
mail_work(void *state, void *arg)
{
	struct mail_job *j = arg;
	size_t len = evbuffer_get_length(j->body);
	const unsigned char *data = evbuffer_pullup(j->body, -1);

	if (data == NULL && len > 0) {
		j->nomem = true;
		return;
	}
	mail_intake_submit(state, data, len, j->hint[0] ? j->hint : NULL,
	    &j->res);
	/* Here, not on the loop: unmapping a large body takes milliseconds. */
	evbuffer_free(j->body);
	j->body = NULL;
}

static const char *
mail_error_code(enum intake_status st)
{
	switch (st) {
	case INTAKE_INVALID:	return "invalid";
	case INTAKE_TOO_LARGE:	return "too_large";
	case INTAKE_BAD_TYPE:	return "unsupported_type";
	case INTAKE_TRANSIENT:	return "unavailable";
	default:		return "internal";
	}
}

static void
mail_reply_stored(struct http_req *r, const struct intake_result *res)
{
	json_t *o = json_object();
	char *text = NULL;

	if (o != NULL) {
		json_object_set_new(o, "id", json_string(res->id));
		json_object_set_new(o, "status", json_string("received"));
		if (res->duplicate) {
			json_object_set_new(o, "duplicate", json_true());
		} else {
			json_object_set_new(o, "bureau",
			    json_string(res->bureau));
			json_object_set_new(o, "received_at",
			    json_string(res->received_at));
		}
		text = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	if (text == NULL) {
		/* Stored all the same; the id is what the gateway needs. */
		char fallback[96];
		int n = snprintf(fallback, sizeof(fallback), "{\"id\":\"%s\","
		    "\"status\":\"received\"}", res->id);

		http_reply(r, res->duplicate ? 200 : 201, "application/json",
		    fallback, n > 0 ? (size_t)n : 0);
		return;
	}
	http_reply(r, res->duplicate ? 200 : 201, "application/json", text,
	    strlen(text));
	free(text);
}

/* Loop thread: the job is done; answer. */
static void
mail_done(void *arg)
{
	struct mail_job *j = arg;
	struct http_req *r = j->r;

	if (j->nomem) {
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory, try "
		    "again later", NULL);
	} else if (j->res.status == INTAKE_OK) {
		mail_reply_stored(r, &j->res);
	} else if (j->res.status == INTAKE_TRANSIENT ||
	    j->res.status == INTAKE_FAILED) {
		/* The gateway keeps the message and retries: nothing lost. */
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, mail_error_code(j->res.status),
		    j->res.message, NULL);
	} else {
		http_reply_error(r, intake_http_status(j->res.status),
		    mail_error_code(j->res.status), j->res.message,
		    j->res.field[0] ? j->res.field : NULL);
	}
	mail_job_free(j);
}

/*
 * POST /api/v1/mail.  Ends r with one reply, now (415, 400, 503) or when
 * the worker is done.
 */
void
http_mail_post(struct http_req *r)
{
	const struct http_server_env *env = http_server_env(r->srv);
	struct evbuffer *in = http_req_body(r);
	const char *ct = http_req_header(r, "Content-Type");
	const char *rcpt = http_req_header(r, "X-Tipline-Recipient");
	struct mail_job *j;

	if (!mail_content_type_is(ct, "message/rfc822")) {
		http_reply_error(r, 415, "unsupported_media_type", "send the "
		    "message as message/rfc822", NULL);
		return;
	}
	if (in == NULL || mail_body_is_empty(in)) {
		http_reply_error(r, 400, "invalid", "the message is empty",
		    NULL);
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->body = evbuffer_new()) == NULL) {
		mail_job_free(j);
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	j->r = r;
	if (rcpt != NULL && strlen(rcpt) <= MAIL_RECIPIENT_MAX) {
		int kind = mail_intake_recipient(env->cfg, rcpt, j->hint,
		    sizeof(j->hint));

		if (kind != 1)
			j->hint[0] = '\0';
		if (kind < 0)
			log_warnx("http mail: X-Tipline-Recipient is not an "
			    "address of ours; storing without a routing hint");
	} else if (rcpt != NULL) {
		log_warnx("http mail: X-Tipline-Recipient too long; ignored");
	}
	/* Move (not copy) the body's chains to the job. */
	evbuffer_add_buffer(j->body, in);
	if (workers_submit(env->workers, mail_work, mail_done, j) == 0) {
		mail_job_free(j);
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
	}
}
