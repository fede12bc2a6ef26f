/* SPDX-License-Identifier: MIT */
/*
 * The tip form page (see http_form.h).  GET / loads the code lists on a
 * worker (they live in the database) and renders on the loop thread.  No
 * script at all: a plain multipart form post that works with JavaScript
 * off; styles come from /static/tipline.css only; no cookie is set.
 * Every value written into the page is HTML-escaped.
 */
#include "handlers/http_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <sodium.h>

#include "handlers/http_public.h"
#include "handlers/http_routes.h"
#include "service/config.h"
#include "service/workers.h"

static const struct {
	const char *field;
	const char *label;
} http_form_labels[] = {
	{ "summary", N_("Summary") },
	{ "details", N_("What happened") },
	{ "institution", N_("Institution reported") },
	{ "county", N_("Where it happened") },
	{ "domain", N_("Area") },
	{ "violation", N_("Kind of problem") },
	{ "occurred_on", N_("When it happened") },
	{ "contact_name", N_("Your name") },
	{ "contact_phone", N_("Phone") },
	{ "contact_email", N_("E-mail") },
	{ "attachments", N_("Evidence files") },
	{ "text", N_("Your message") },
	{ "receipt", N_("Receipt code") },
	{ "nonce", N_("Form token") },
};

const char *
http_form_label(const char *field)
{
	if (field == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(http_form_labels) /
	    sizeof(http_form_labels[0]); i++)
		if (strcmp(http_form_labels[i].field, field) == 0)
			return http_form_labels[i].label;
	return NULL;
}

void
http_form_intake_text(enum i18n_lang lang, const struct intake_result *res,
    char *out, size_t outlen)
{
	const char *args[INTAKE_MSG_ARGS];
	char inner[600];

	if (res->msgid == NULL) {
		snprintf(out, outlen, "%s", i18n_tr(lang, res->message));
		return;
	}
	for (size_t i = 0; i < res->nargs && i < INTAKE_MSG_ARGS; i++) {
		const char *label = NULL;

		/* A field's name is shown as its label; other arguments
		 * (file names, limits, types) as they are. */
		if (res->field[0] != '\0' && strcmp(res->args[i],
		    res->field) == 0)
			label = http_form_label(res->field);
		args[i] = label != NULL ? i18n_tr(lang, label) : res->args[i];
	}
	i18n_format(inner, sizeof(inner), i18n_tr(lang, res->msgid), args,
	    res->nargs);
	if (res->file[0] != '\0') {
		const char *fargs[2] = { res->file, inner };

		i18n_format(out, outlen, i18n_tr(lang, "file \"%s\" %s"),
		    fargs, 2);
	} else {
		snprintf(out, outlen, "%s", inner);
	}
}

/* English names of county bureaus without the bureau part. */
static void
http_form_county_en(char *buf, size_t len, const char *name_en)
{
	static const char suffix[] = " Administration for Market Regulation";
	const char *cut = strstr(name_en, suffix);

	if (cut == NULL) {
		snprintf(buf, len, "%s", name_en);
		return;
	}
	snprintf(buf, len, "%.*s%s", (int)(cut - name_en), name_en,
	    cut + sizeof(suffix) - 1);
}

static void
http_form_select(struct evbuffer *b, enum i18n_lang lang,
    const struct public_codes *codes, enum public_codes_list list,
    const char *selected, bool county)
{
	char en[512];

	evbuffer_add_printf(b, "<option value=\"\">");
	http_public_put(b, lang, N_("Not sure"));
	evbuffer_add_printf(b, "</option>");
	for (size_t i = 0; codes != NULL && i < codes->n[list]; i++) {
		const struct public_code *c = &codes->items[list][i];

		if (county)
			http_form_county_en(en, sizeof(en), c->name_en);
		else
			snprintf(en, sizeof(en), "%s", c->name_en);
		evbuffer_add_printf(b, "<option value=\"");
		http_html_escape(b, c->code);
		evbuffer_add_printf(b, "\"%s>", selected != NULL &&
		    strcmp(selected, c->code) == 0 ? " selected" : "");
		http_html_escape(b, lang == I18N_EN ? en : c->name_zh);
		evbuffer_add_printf(b, " (");
		http_html_escape(b, lang == I18N_EN ? c->name_zh : en);
		evbuffer_add_printf(b, ")</option>");
	}
}

/* The opening of a field: wrapper, label, hint, error. */
static void
http_form_field_open(struct evbuffer *b, enum i18n_lang lang,
    const char *name, bool required, const char *hint,
    const char *err_field, const char *err_text)
{
	bool bad = err_field != NULL && strcmp(err_field, name) == 0;

	evbuffer_add_printf(b, "<div class=\"field%s\" id=\"field-%s\">"
	    "<label for=\"f-%s\">", bad ? " has-error" : "", name, name);
	http_public_put(b, lang, http_form_label(name));
	if (required) {
		evbuffer_add_printf(b, " <span class=\"req\">");
		http_public_put(b, lang, N_("(required)"));
		evbuffer_add_printf(b, "</span>");
	}
	evbuffer_add_printf(b, "</label>");
	if (hint != NULL) {
		evbuffer_add_printf(b, "<p class=\"hint\" id=\"h-%s\">", name);
		http_public_put(b, lang, hint);
		evbuffer_add_printf(b, "</p>");
	}
	if (bad && err_text != NULL) {
		evbuffer_add_printf(b, "<p class=\"error\" id=\"e-%s\">",
		    name);
		http_html_escape(b, err_text);
		evbuffer_add_printf(b, "</p>");
	}
}

static void
http_form_input(struct evbuffer *b, enum i18n_lang lang, const char *name,
    const char *type, bool required, int maxlength, const char *hint,
    const char *value, const char *err_field, const char *err_text,
    const char *autocomplete)
{
	http_form_field_open(b, lang, name, required, hint, err_field,
	    err_text);
	evbuffer_add_printf(b, "<input type=\"%s\" id=\"f-%s\" name=\"%s\"",
	    type, name, name);
	if (maxlength > 0)
		evbuffer_add_printf(b, " maxlength=\"%d\"", maxlength);
	if (required)
		evbuffer_add_printf(b, " required");
	if (hint != NULL)
		evbuffer_add_printf(b, " aria-describedby=\"h-%s\"", name);
	evbuffer_add_printf(b, " autocomplete=\"%s\"", autocomplete);
	if (value != NULL && value[0] != '\0') {
		evbuffer_add_printf(b, " value=\"");
		http_html_escape(b, value);
		evbuffer_add_printf(b, "\"");
	}
	evbuffer_add_printf(b, "></div>\n");
}

void
http_form_render(struct evbuffer *b, enum i18n_lang lang,
    const struct config *cfg, const struct public_codes *codes,
    const struct http_form_values *values, const char *err_field,
    const char *err_text)
{
	static const struct http_form_values empty;
	const struct http_form_values *v = values != NULL ? values : &empty;
	unsigned char raw[16];
	char nonce[33], limits[256];
	char fmt_limits[256];
	const char *largs[3];
	char n1[32], n2[32], n3[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(nonce, sizeof(nonce), raw, sizeof(raw));

	http_public_page_begin(b, lang, N_("Report an inspection or testing "
	    "institution"), "/");
	evbuffer_add_printf(b, "<h1>");
	http_public_put(b, lang, N_("Report an inspection or testing "
	    "institution"));
	evbuffer_add_printf(b, "</h1>\n<section class=\"intro\"><p>");
	http_public_put(b, lang, N_("Tell us about an inspection or testing "
	    "institution that issued a false or inaccurate report, or broke "
	    "the testing rules in another way."));
	evbuffer_add_printf(b, "</p><h2>");
	http_public_put(b, lang, N_("What happens next"));
	evbuffer_add_printf(b, "</h2><p>");
	http_public_put(b, lang, N_("After you send the form you get a tip "
	    "reference and a 16-digit receipt code. The bureau of the county "
	    "where it happened looks into your tip; with the code you can see "
	    "its progress, answer questions and add evidence on the follow-up "
	    "page."));
	evbuffer_add_printf(b, "</p><h2>");
	http_public_put(b, lang, N_("You may stay anonymous"));
	evbuffer_add_printf(b, "</h2><p>");
	http_public_put(b, lang, N_("Your name and contact details are "
	    "optional. Leave them empty to stay anonymous. We do not record "
	    "your IP address or browser. What you write and the files you "
	    "send are stored encrypted."));
	evbuffer_add_printf(b, "</p></section>\n");

	if (err_text != NULL) {
		const char *label = http_form_label(err_field);

		evbuffer_add_printf(b, "<div class=\"error-summary\" "
		    "role=\"alert\" id=\"problem\"><h2>");
		http_public_put(b, lang, N_("The tip was not sent. Please "
		    "correct this:"));
		evbuffer_add_printf(b, "</h2><p>");
		if (label != NULL)
			evbuffer_add_printf(b, "<a href=\"#f-%s\">", err_field);
		http_html_escape(b, err_text);
		if (label != NULL)
			evbuffer_add_printf(b, "</a>");
		evbuffer_add_printf(b, "</p><p>");
		/* No values: the body was never read (too large). */
		http_public_put(b, lang, values != NULL ? N_("Your text has "
		    "been kept. Files cannot be kept by the browser: please "
		    "choose your files again.") : N_("The tip was too large "
		    "to be read, so your text could not be kept either. Your "
		    "browser's Back button may still show what you wrote."));
		evbuffer_add_printf(b, "</p></div>\n");
	}

	evbuffer_add_printf(b, "<form method=\"post\" action=\"/tips?lang=%s\""
	    " enctype=\"multipart/form-data\" accept-charset=\"utf-8\">\n"
	    "<input type=\"hidden\" name=\"nonce\" value=\"%s\">\n",
	    i18n_code(lang), nonce);

	http_form_input(b, lang, "summary", "text", true, INTAKE_SUMMARY_MAX,
	    N_("One line, at most 200 characters."), v->summary, err_field,
	    err_text, "off");

	http_form_field_open(b, lang, "details", true, N_("When and where, "
	    "which report or test, what was wrong, who was involved. At most "
	    "20 000 characters."), err_field, err_text);
	evbuffer_add_printf(b, "<textarea id=\"f-details\" name=\"details\" "
	    "rows=\"10\" maxlength=\"%d\" required aria-describedby="
	    "\"h-details\">", INTAKE_DETAILS_MAX);
	if (v->details != NULL)
		http_html_escape(b, v->details);
	evbuffer_add_printf(b, "</textarea></div>\n");

	http_form_input(b, lang, "institution", "text", false,
	    INTAKE_SHORT_MAX, N_("Its name, and if you know them its unified "
	    "social credit code or CMA certificate number."), v->institution,
	    err_field, err_text, "off");

	http_form_field_open(b, lang, "county", false, N_("The county or "
	    "district where it happened. Not sure? Leave it: the city bureau "
	    "will pass your tip on."), err_field, err_text);
	evbuffer_add_printf(b, "<select id=\"f-county\" name=\"county\" "
	    "aria-describedby=\"h-county\">");
	http_form_select(b, lang, codes, PUBLIC_CODES_COUNTIES, v->county,
	    true);
	evbuffer_add_printf(b, "</select></div>\n");

	http_form_field_open(b, lang, "domain", false, NULL, err_field,
	    err_text);
	evbuffer_add_printf(b, "<select id=\"f-domain\" name=\"domain\">");
	http_form_select(b, lang, codes, PUBLIC_CODES_DOMAINS, v->domain,
	    false);
	evbuffer_add_printf(b, "</select></div>\n");

	http_form_field_open(b, lang, "violation", false, NULL, err_field,
	    err_text);
	evbuffer_add_printf(b, "<select id=\"f-violation\" name=\"violation\">");
	http_form_select(b, lang, codes, PUBLIC_CODES_VIOLATIONS,
	    v->violation, false);
	evbuffer_add_printf(b, "</select></div>\n");

	http_form_input(b, lang, "occurred_on", "date", false, 10,
	    N_("If you know it: the date, as YYYY-MM-DD."), v->occurred_on,
	    err_field, err_text, "off");

	evbuffer_add_printf(b, "<fieldset><legend>");
	http_public_put(b, lang, N_("Contact details (optional)"));
	evbuffer_add_printf(b, "</legend><p class=\"hint\">");
	http_public_put(b, lang, N_("Leave all three empty to stay "
	    "anonymous. If you give them, the bureau may contact you and must "
	    "tell you whether a case is opened."));
	evbuffer_add_printf(b, "</p>\n");
	http_form_input(b, lang, "contact_name", "text", false,
	    INTAKE_SHORT_MAX, NULL, v->contact_name, err_field, err_text,
	    "name");
	http_form_input(b, lang, "contact_phone", "tel", false, 40, NULL,
	    v->contact_phone, err_field, err_text, "tel");
	http_form_input(b, lang, "contact_email", "email", false, 254, NULL,
	    v->contact_email, err_field, err_text, "email");
	evbuffer_add_printf(b, "</fieldset>\n");

	evbuffer_add_printf(b, "<fieldset><legend>");
	http_public_put(b, lang, N_("Evidence (optional)"));
	evbuffer_add_printf(b, "</legend><p class=\"warning\" "
	    "id=\"metadata-warning\"><strong>");
	http_public_put(b, lang, N_("Before you attach files:"));
	evbuffer_add_printf(b, "</strong> ");
	http_public_put(b, lang, N_("photos and documents can carry hidden "
	    "information such as the author's name, the phone or camera "
	    "model, and the place and time a photo was taken. If that could "
	    "identify you, remove it first (for example, take a screenshot "
	    "of the photo or save the document again as PDF)."));
	evbuffer_add_printf(b, "</p>\n");
	snprintf(n1, sizeof(n1), "%d", cfg->attachments_max);
	snprintf(n2, sizeof(n2), "%llu",
	    (unsigned long long)(cfg->attachment_max / MIB));
	snprintf(n3, sizeof(n3), "%llu",
	    (unsigned long long)(cfg->tip_max / MIB));
	largs[0] = n1;
	largs[1] = n2;
	largs[2] = n3;
	snprintf(fmt_limits, sizeof(fmt_limits), "%s", i18n_tr(lang,
	    N_("At most %s files, each at most %s MiB, %s MiB in all. "
	    "Accepted: PDF, images, audio, video, office documents, text, "
	    "e-mail files, zip/rar/7z archives.")));
	i18n_format(limits, sizeof(limits), fmt_limits, largs, 3);
	{
		bool bad = err_field != NULL &&
		    strcmp(err_field, "attachments") == 0;

		evbuffer_add_printf(b, "<div class=\"field%s\" "
		    "id=\"field-attachments\"><label for=\"f-attachments\">",
		    bad ? " has-error" : "");
		http_public_put(b, lang, http_form_label("attachments"));
		evbuffer_add_printf(b, "</label><p class=\"hint\" "
		    "id=\"h-attachments\">");
		http_html_escape(b, limits);
		evbuffer_add_printf(b, "</p>");
		if (bad && err_text != NULL) {
			evbuffer_add_printf(b, "<p class=\"error\" "
			    "id=\"e-attachments\">");
			http_html_escape(b, err_text);
			evbuffer_add_printf(b, "</p>");
		}
		if (err_text != NULL) {
			evbuffer_add_printf(b, "<p class=\"hint\">");
			http_public_put(b, lang, N_("Files you chose before "
			    "were not kept: choose them again."));
			evbuffer_add_printf(b, "</p>");
		}
		evbuffer_add_printf(b, "<input type=\"file\" "
		    "id=\"f-attachments\" name=\"attachments\" multiple "
		    "aria-describedby=\"metadata-warning h-attachments\">"
		    "</div>\n");
	}
	evbuffer_add_printf(b, "</fieldset>\n<p><button type=\"submit\">");
	http_public_put(b, lang, N_("Send the tip"));
	evbuffer_add_printf(b, "</button></p>\n</form>\n");
	http_public_page_end(b, lang);
	sodium_memzero(raw, sizeof(raw));
}

struct form_job {
	struct http_req *r;
	enum i18n_lang lang;
	const struct config *cfg;
	struct public_codes codes;
	int rc;
	int status;			/* 200, or 413 with err_text */
	char err_text[600];
};

static void
form_work(void *state, void *arg)
{
	struct form_job *j = arg;

	j->rc = public_codes_load(state, PUBLIC_CODES_FORM, &j->codes);
}

static void
form_done(void *arg)
{
	struct form_job *j = arg;
	struct evbuffer *b = evbuffer_new();

	if (j->rc != 0 || b == NULL) {
		http_req_add_header(j->r, "Retry-After", "30");
		http_reply_error(j->r, 503, "unavailable", "the form cannot "
		    "be shown just now; please try again in a minute", NULL);
	} else {
		http_form_render(b, j->lang, j->cfg, &j->codes, NULL,
		    j->status == 413 ? "attachments" : NULL,
		    j->status == 413 ? j->err_text : NULL);
		http_public_page_reply(j->r, j->status, b);
	}
	if (b != NULL)
		evbuffer_free(b);
	public_codes_free(&j->codes);
	free(j);
}

/* The form page as status, in lang, with err_text (status 413) beside
 * the file input: the code lists are loaded on a worker. */
static void
form_start(struct http_req *r, enum i18n_lang lang, int status,
    const char *err_text)
{
	const struct http_server_env *env = http_server_env(r->srv);
	struct form_job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
		return;
	}
	j->r = r;
	j->lang = lang;
	j->cfg = env->cfg;
	j->status = status;
	snprintf(j->err_text, sizeof(j->err_text), "%s",
	    err_text != NULL ? err_text : "");
	if (workers_submit(env->workers, form_work, form_done, j) == 0) {
		free(j);
		http_req_add_header(r, "Retry-After", "30");
		http_reply_error(r, 503, "unavailable", "out of memory", NULL);
	}
}

void
http_form_get(struct http_req *r)
{
	form_start(r, http_public_lang(r), 200, NULL);
}

/* See http_routes.h.  The body was never read, so nothing the tipster
 * typed can be filled in again: the page says so and names the limits. */
bool
http_form_too_large(struct http_req *r, const char *target, uint64_t limit)
{
	char text[600];
	enum i18n_lang l;

	if (!http_public_too_large(r, target, "/tips", limit, N_("The tip with "
	    "its files came to more than %s MiB, the most one tip may carry, so "
	    "it was not read and nothing was kept. Send fewer or smaller files "
	    "(each at most %s MiB); more can be added later on the follow-up "
	    "page."), text, sizeof(text), &l))
		return false;
	form_start(r, l, 413, text);
	return true;
}
