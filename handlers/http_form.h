/* SPDX-License-Identifier: MIT */
/*
 * The tip form (GET /, and POST /tips when it comes back refused): the
 * server-rendered page and the translation of intake's refusals into the
 * page language.  Used by http_tips.c and http_follow_up.c.
 */
#ifndef HANDLERS_HTTP_FORM_H
#define HANDLERS_HTTP_FORM_H

#include <stddef.h>

#include "handlers/http_server.h"
#include "handlers/i18n.h"
#include "service/intake.h"
#include "service/public_codes.h"

struct evbuffer;
struct config;

/* What the tipster typed, to fill the form in again (NULL: empty). */
struct http_form_values {
	const char *summary;
	const char *details;
	const char *institution;
	const char *county;
	const char *domain;
	const char *violation;
	const char *occurred_on;
	const char *contact_name;
	const char *contact_phone;
	const char *contact_email;
};

/*
 * Write the whole form page to b in lang: the explanation, every field
 * labelled, the code lists with both names, the metadata warning before
 * the file input, a fresh nonce.  values (may be NULL) fill the fields;
 * err_field/err_text (may be NULL) put the problem beside its field and
 * in a summary at the top, with a note that files must be chosen again
 * (or, when values is NULL, that the text could not be kept either).
 */
void http_form_render(struct evbuffer *b, enum i18n_lang lang,
    const struct config *cfg, const struct public_codes *codes,
    const struct http_form_values *values, const char *err_field,
    const char *err_text);

/*
 * The msgid of a form field's label ("summary" -> "Summary"), or NULL for
 * a name that is no field of ours.
 */
const char *http_form_label(const char *field);

/*
 * An intake refusal in lang, into out: the captured format translated and
 * filled (field names shown as their labels), prefixed with the file name
 * when a file is at fault; intake's English message when nothing was
 * captured.
 */
void http_form_intake_text(enum i18n_lang lang,
    const struct intake_result *res, char *out, size_t outlen);

/* GET /: the form. */
void http_form_get(struct http_req *r);

#endif
