/* SPDX-License-Identifier: MIT */
/*
 * The intake pipeline (see intake.h).  Order matters for "nothing accepted
 * is lost, nothing refused is stored":
 *   1. every field and every file is checked (the files by libmagic on
 *      their bytes) before anything is written;
 *   2. the tip gets a fresh content key and uid; each file is encrypted
 *      into the blob store, fsynced and renamed into place;
 *   3. one transaction stores the tip row, its key slot, the attachment
 *      rows and the audit entry;
 *   4. only then is the result OK.  If 2 or 3 fails, the blobs written so
 *      far are removed and the result says whether to retry.
 * Expected load: one call per submission on a worker; the cost is
 * dominated by encryption and fsync of the files (see scripts/bench).
 */
#include "service/intake.h"

#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "service/contact_mac.h"
#include "service/evidence.h"
#include "service/log.h"
#include "service/metrics.h"
#include "service/outbox_ack.h"
#include "service/report_macs.h"
#include "service/utf8.h"
#include "service/router.h"
#include "storage/key_slots.h"
#include "storage/messages.h"
#include "storage/record.h"
#include "storage/store_ad.h"
#include "storage/tip_lookup.h"
#include "storage/tip_store.h"

#define INTAKE_CITY_BUREAU "140500"
#define INTAKE_FILE_NAME_MAX 255	/* bytes */
#define INTAKE_PHONE_MAX 40
#define INTAKE_EMAIL_MAX 254
#define CST_OFFSET (8 * 3600)		/* China Standard Time, no DST */

static bool
intake_refuse(struct intake_result *res, enum intake_status st,
    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Keep each conversion of fmt, formatted, in res->args (see intake.h:
 * another language fills its own format with them).  fmt is one of this
 * file's literals; the conversions used are %s, %.Ns, %d, %zu, %llu.
 */
static void
intake_capture_args(struct intake_result *res, const char *fmt, va_list ap)
{
	res->nargs = 0;
	for (const char *p = fmt; *p != '\0'; p++) {
		char *out;
		size_t outlen = INTAKE_MSG_ARG_MAX, prec = (size_t)-1;
		int longs = 0;
		bool size = false;

		if (*p != '%')
			continue;
		if (*++p == '%')
			continue;
		if (res->nargs >= INTAKE_MSG_ARGS)
			return;
		out = res->args[res->nargs++];
		out[0] = '\0';
		if (*p == '.') {
			prec = 0;
			for (p++; *p >= '0' && *p <= '9'; p++)
				prec = prec * 10 + (size_t)(*p - '0');
		}
		for (; *p == 'l' || *p == 'z'; p++) {
			if (*p == 'l')
				longs++;
			else
				size = true;
		}
		switch (*p) {
		case 's': {
			const char *v = va_arg(ap, const char *);
			size_t n = v != NULL ? strnlen(v, outlen - 1) : 0;

			if (n > prec)
				n = prec;
			while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80 &&
			    n < strlen(v))
				n--;	/* whole characters only */
			if (n > 0)
				memcpy(out, v, n);
			out[n] = '\0';
			break;
		}
		case 'd':
		case 'i':
			if (size || longs > 0)
				snprintf(out, outlen, "%lld", longs > 1 ?
				    va_arg(ap, long long) : size ?
				    (long long)va_arg(ap, ssize_t) :
				    (long long)va_arg(ap, long));
			else
				snprintf(out, outlen, "%d", va_arg(ap, int));
			break;
		case 'u':
			if (size || longs > 0)
				snprintf(out, outlen, "%llu", longs > 1 ?
				    va_arg(ap, unsigned long long) : size ?
				    (unsigned long long)va_arg(ap, size_t) :
				    (unsigned long long)va_arg(ap,
				    unsigned long));
			else
				snprintf(out, outlen, "%u",
				    va_arg(ap, unsigned int));
			break;
		default:
			return;	/* not used in this file */
		}
		if (*p == '\0')
			return;
	}
}

/*
 * Refuse: status, field, the English message, and the format with its
 * arguments (intake.h).  file: the file at fault, or NULL.
 */
static bool
intake_vrefuse(struct intake_result *res, enum intake_status st,
    const char *field, const char *file, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

static bool
intake_vrefuse(struct intake_result *res, enum intake_status st,
    const char *field, const char *file, const char *fmt, va_list ap)
{
	char inner[sizeof(res->message)];
	va_list cap;

	res->status = st;
	snprintf(res->field, sizeof(res->field), "%s", field ? field : "");
	snprintf(res->file, sizeof(res->file), "%s", file ? file : "");
	res->msgid = fmt;
	va_copy(cap, ap);
	intake_capture_args(res, fmt, cap);
	va_end(cap);
	vsnprintf(inner, sizeof(inner), fmt, ap);
	if (file != NULL)
		snprintf(res->message, sizeof(res->message),
		    "file \"%.255s\" %.240s", file, inner);
	else
		memcpy(res->message, inner, sizeof(inner));
	return false;
}

static bool
intake_refuse(struct intake_result *res, enum intake_status st,
    const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	intake_vrefuse(res, st, field, NULL, fmt, ap);
	va_end(ap);
	return false;
}

/* The members of a JSON tip (intake_tip_from_json()); wo_12315 last. */
static const char *const intake_json_fields[] = {
	"summary", "details", "institution", "county", "domain", "violation",
	"occurred_on", "contact_name", "contact_phone", "contact_email",
	"wo_12315",
};
#define INTAKE_JSON_NFIELDS \
	(sizeof(intake_json_fields) / sizeof(intake_json_fields[0]))

bool
intake_tip_from_json(json_t *obj, bool with_wo, struct intake_tip *t,
    struct intake_result *res)
{
	const char **slot[INTAKE_JSON_NFIELDS] = { &t->summary, &t->details,
	    &t->institution, &t->county, &t->domain, &t->violation,
	    &t->occurred_on, &t->contact_name, &t->contact_phone,
	    &t->contact_email, &t->wo_12315 };
	const size_t n = INTAKE_JSON_NFIELDS - (with_wo ? 0 : 1);
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return intake_refuse(res, INTAKE_INVALID, NULL, "the body is "
		    "not a JSON object");
	json_object_foreach(obj, key, v) {
		size_t k = 0;

		while (k < n && strcmp(key, intake_json_fields[k]) != 0)
			k++;
		if (k == n)
			return intake_refuse(res, INTAKE_INVALID, NULL,
			    "unknown field \"%.60s\"", key);
		if (json_is_null(v))
			continue;
		if (!json_is_string(v))
			return intake_refuse(res, INTAKE_INVALID,
			    intake_json_fields[k], "%s must be a string",
			    intake_json_fields[k]);
		if (strlen(json_string_value(v)) != json_string_length(v))
			return intake_refuse(res, INTAKE_INVALID,
			    intake_json_fields[k], "%s contains a NUL "
			    "character", intake_json_fields[k]);
		*slot[k] = json_string_value(v);
	}
	return true;
}

int
intake_http_status(enum intake_status st)
{
	switch (st) {
	case INTAKE_OK:		return 201;
	case INTAKE_INVALID:	return 400;
	case INTAKE_TOO_LARGE:	return 413;
	case INTAKE_BAD_TYPE:	return 415;
	case INTAKE_TRANSIENT:	return 503;
	case INTAKE_FAILED:	return 500;
	}
	return 500;
}


static bool
is_empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/*
 * Check one text field: UTF-8, length in characters, no control characters
 * (line breaks and tabs allowed when multiline).
 */
static bool
intake_check_text(struct intake_result *res, const char *field,
    const char *value, bool required, size_t max, bool multiline)
{
	size_t chars;

	if (is_empty(value)) {
		if (required)
			return intake_refuse(res, INTAKE_INVALID, field,
			    "%s is required", field);
		return true;
	}
	if (!utf8_valid(value, strlen(value)))
		return intake_refuse(res, INTAKE_INVALID, field,
		    "%s is not valid UTF-8 text", field);
	for (const char *p = value; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\r' ||
		    c == '\t'))) || c == 0x7f)
			return multiline ? intake_refuse(res, INTAKE_INVALID,
			    field, "%s contains a control character", field) :
			    intake_refuse(res, INTAKE_INVALID, field,
			    "%s contains a control character (it must be one "
			    "line)", field);
	}
	chars = utf8_chars(value);
	if (chars > max)
		return intake_refuse(res, INTAKE_INVALID, field,
		    "%s is %zu characters long; at most %zu are allowed",
		    field, chars, max);
	return true;
}

static bool
valid_date(const char *s, struct tm *out)
{
	int y, m, d;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) ||
	    y % 400 == 0))
		return false;
	memset(out, 0, sizeof(*out));
	out->tm_year = y - 1900;
	out->tm_mon = m - 1;
	out->tm_mday = d;
	return true;
}

static bool
intake_check_fields(struct service_worker *w, const struct intake_tip *t,
    struct intake_result *res, const char *today)
{
	struct tm tm;

	if (!intake_check_text(res, "summary", t->summary, true,
	    INTAKE_SUMMARY_MAX, false) ||
	    !intake_check_text(res, "details", t->details, true,
	    INTAKE_DETAILS_MAX, true) ||
	    !intake_check_text(res, "institution", t->institution, false,
	    INTAKE_SHORT_MAX, false) ||
	    !intake_check_text(res, "contact_name", t->contact_name, false,
	    INTAKE_SHORT_MAX, false) ||
	    !intake_check_text(res, "contact_phone", t->contact_phone, false,
	    INTAKE_PHONE_MAX, false) ||
	    !intake_check_text(res, "contact_email", t->contact_email, false,
	    INTAKE_EMAIL_MAX, false))
		return false;
	if (!is_empty(t->contact_phone))
		for (const char *p = t->contact_phone; *p != '\0'; p++)
			if (!strchr("0123456789+-() ", *p))
				return intake_refuse(res, INTAKE_INVALID,
				    "contact_phone", "contact_phone may hold "
				    "only digits, spaces and + - ( )");
	if (!is_empty(t->contact_email)) {
		const char *at = strchr(t->contact_email, '@');

		if (at == NULL || at == t->contact_email || at[1] == '\0' ||
		    strchr(at + 1, '@') != NULL ||
		    strpbrk(t->contact_email, " <>,;\"") != NULL)
			return intake_refuse(res, INTAKE_INVALID,
			    "contact_email", "contact_email is not an e-mail "
			    "address");
	}
	if (!is_empty(t->wo_12315)) {
		size_t n = strspn(t->wo_12315, "0123456789abcdefghijklmnopqrstu"
		    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");

		if (t->wo_12315[n] != '\0' || n > INTAKE_WO_MAX)
			return intake_refuse(res, INTAKE_INVALID, "wo_12315",
			    "wo_12315 must be a 12315 work-order number: "
			    "at most %d letters, digits and -",
			    INTAKE_WO_MAX);
	}
	if (!is_empty(t->county) && !tip_store_is_county(w->db, t->county))
		return intake_refuse(res, INTAKE_INVALID, "county", "county "
		    "\"%.20s\" is not a county code of GET /api/v1/bureaus",
		    t->county);
	if (!is_empty(t->domain) && !tip_store_is_domain(w->db, t->domain))
		return intake_refuse(res, INTAKE_INVALID, "domain", "domain "
		    "\"%.40s\" is not a code of GET /api/v1/domains",
		    t->domain);
	if (!is_empty(t->violation) &&
	    !tip_store_is_violation(w->db, t->violation))
		return intake_refuse(res, INTAKE_INVALID, "violation",
		    "violation \"%.40s\" is not a code of GET "
		    "/api/v1/violations", t->violation);
	if (!is_empty(t->occurred_on)) {
		if (!valid_date(t->occurred_on, &tm))
			return intake_refuse(res, INTAKE_INVALID, "occurred_on",
			    "occurred_on must be a date as YYYY-MM-DD");
		if (strcmp(t->occurred_on, today) > 0)
			return intake_refuse(res, INTAKE_INVALID, "occurred_on",
			    "occurred_on is in the future");
	}
	return true;
}

/*
 * Whether a file name loses the character cp: C0, DEL and C1 controls,
 * the line and paragraph separators, and the bidirectional controls that
 * make a name read in another order than it is (U+202E shows
 * "invoice\u202etxt.exe" as "invoiceexe.txt").
 */
static bool
intake_name_drops(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	    cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The name to keep for a file: the last path component (after the last
 * '/' or '\\'), without the characters of intake_name_drops(), at most
 * INTAKE_FILE_NAME_MAX bytes (and buflen - 1) cut between characters;
 * "" if nothing usable is left ("", "." or "..").  Writes into buf.
 */
static void
intake_clean_name(const char *name, char *buf, size_t buflen)
{
	const char *base = name;
	size_t n = 0, len, k, cap = buflen - 1;
	uint32_t cp;

	buf[0] = '\0';
	if (is_empty(name) || !utf8_valid(name, strlen(name)))
		return;
	if (cap > INTAKE_FILE_NAME_MAX)
		cap = INTAKE_FILE_NAME_MAX;
	for (const char *p = name; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	len = strlen(base);
	for (size_t i = 0; i < len; i += k) {
		k = utf8_seq((const unsigned char *)base + i, len - i, &cp);
		if (k == 0)
			break;		/* not reached: base is valid UTF-8 */
		if (intake_name_drops(cp))
			continue;
		if (n + k > cap)
			break;
		memcpy(buf + n, base + i, k);
		n += k;
	}
	buf[n] = '\0';
	if (strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0)
		buf[0] = '\0';
}

struct intake_checked_file {
	const struct intake_file *f;
	/* libmagic's answer, copied: magic_buffer() reuses its buffer. */
	char mime[128];
	char name[INTAKE_FILE_NAME_MAX + 1];
	char blob[BLOB_NAME_LEN + 1];
	unsigned char sha256[32];
	unsigned char *name_sealed;
	size_t name_sealed_len;
};

/*
 * Refuse the submission for a file, or, when the door asked for it
 * (drop_bad_files), leave the file out and note why.  Returns false to
 * stop (refused), true to go on without the file.
 */
static bool
intake_bad_file(const struct intake_tip *t, json_t *dropped,
    bool *flag, struct intake_result *res, enum intake_status st,
    const char *field, const char *name, const char *whyfmt, ...)
    __attribute__((format(printf, 8, 9)));

static bool
intake_bad_file(const struct intake_tip *t, json_t *dropped,
    bool *flag, struct intake_result *res, enum intake_status st,
    const char *field, const char *name, const char *whyfmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, whyfmt);
	if (!t->drop_bad_files) {
		intake_vrefuse(res, st, field, name, whyfmt, ap);
		va_end(ap);
		return false;
	}
	vsnprintf(why, sizeof(why), whyfmt, ap);
	va_end(ap);
	json_array_append_new(dropped, json_pack("{s:s, s:s}", "name", name,
	    "reason", why));
	*flag = true;
	return true;
}

static bool
intake_check_files(struct service_worker *w, const struct intake_tip *t,
    struct intake_checked_file *out, size_t *nout, json_t *dropped,
    bool *flag, struct intake_result *res)
{
	const struct config *cfg = w->svc->cfg;
	size_t n = 0;

	for (size_t i = 0; i < t->nfiles; i++) {
		const struct intake_file *f = &t->files[i];
		const char *field = f->field ? f->field : "attachments";
		char shown[INTAKE_FILE_NAME_MAX + 1];
		const char *mime;

		intake_clean_name(f->name, shown, sizeof(shown));
		if (f->len == 0 && shown[0] == '\0')
			continue;	/* a file input left empty */
		if (shown[0] == '\0')
			snprintf(shown, sizeof(shown), "%s", f->is_original_mail ?
			    "original.eml" : "attachment");
		if (n >= (size_t)cfg->attachments_max + (t->drop_bad_files ?
		    1 : 0)) {
			if (!t->drop_bad_files)
				return intake_refuse(res, INTAKE_TOO_LARGE,
				    field, "too many files: at most %d may be "
				    "attached", cfg->attachments_max);
			intake_bad_file(t, dropped, flag, res, INTAKE_TOO_LARGE,
			    field, shown, "is over the limit of %d files",
			    cfg->attachments_max);
			continue;
		}
		if (f->is_original_mail) {
			/* The evidence of an e-mail tip is the message as
			 * received, whatever libmagic makes of it; the door
			 * has bounded its size. */
			out[n].f = f;
			snprintf(out[n].mime, sizeof(out[n].mime), "%s",
			    "message/rfc822");
			memcpy(out[n].name, shown, sizeof(shown));
			n++;
			continue;
		}
		if (f->len > cfg->attachment_max) {
			if (!intake_bad_file(t, dropped, flag, res,
			    INTAKE_TOO_LARGE, field, shown,
			    "is larger than %llu MiB",
			    (unsigned long long)(cfg->attachment_max / MIB)))
				return false;
			continue;
		}
		if (f->len == 0) {
			if (!intake_bad_file(t, dropped, flag, res,
			    INTAKE_INVALID, field, shown, "is empty"))
				return false;
			continue;
		}
		mime = magic_buffer(w->magic, f->data, f->len);
		if (mime == NULL || !evidence_type_allowed(mime)) {
			if (!intake_bad_file(t, dropped, flag, res,
			    INTAKE_BAD_TYPE, field, shown, "was detected as %s, "
			    "which is not accepted as evidence (accepted: PDF, "
			    "images, audio, video, office documents, text, "
			    "e-mail, zip/rar/7z)", mime ? mime : "unknown"))
				return false;
			continue;
		}
		out[n].f = f;
		snprintf(out[n].mime, sizeof(out[n].mime), "%s", mime);
		memcpy(out[n].name, shown, sizeof(shown));
		n++;
	}
	*nout = n;
	return true;
}

/* Map a storage failure to the result. */
static void
intake_storage_failed(struct intake_result *res, enum storage_status st,
    const char *what)
{
	if (storage_status_is_transient(st)) {
		intake_refuse(res, INTAKE_TRANSIENT, NULL, "the tip could not "
		    "be stored just now (%s); nothing was kept, please try "
		    "again in a minute", storage_status_str(st));
		res->no_space = st == STORAGE_ERR_NOSPC;
		log_warnx("intake: %s: %s (transient)", what,
		    storage_status_str(st));
	} else {
		intake_refuse(res, INTAKE_FAILED, NULL, "the tip could not be "
		    "stored because of an internal error; nothing was kept");
		log_warnx("intake: %s: %s", what, storage_status_str(st));
	}
}

static void
hex_encode(char *out, const unsigned char *in, size_t n)
{
	sodium_bin2hex(out, n * 2 + 1, in, n);
}

/* The sealed record: everything the tipster wrote, and the file digests. */
static enum storage_status
intake_seal_record(const struct intake_tip *t,
    const struct intake_checked_file *files, size_t nfiles, json_t *dropped,
    const unsigned char key[32], const unsigned char uid[16],
    unsigned char **out, size_t *outlen)
{
	json_t *rec = json_object(), *contact = json_object(),
	    *atts = json_array();
	char ad[STORE_AD_MAX], hex[65];
	char *text = NULL;
	enum storage_status st;

#define SET_STR(obj, k, v) \
	json_object_set_new(obj, k, is_empty(v) ? json_null() : json_string(v))
	json_object_set_new(rec, "v", json_integer(1));
	SET_STR(rec, "summary", t->summary);
	SET_STR(rec, "details", t->details);
	SET_STR(rec, "institution", t->institution);
	SET_STR(rec, "county", t->county);
	SET_STR(rec, "domain", t->domain);
	SET_STR(rec, "violation", t->violation);
	SET_STR(rec, "occurred_on", t->occurred_on);
	SET_STR(contact, "name", t->contact_name);
	SET_STR(contact, "phone", t->contact_phone);
	SET_STR(contact, "email", t->contact_email);
#undef SET_STR
	json_object_set_new(rec, "contact", contact);
	for (size_t i = 0; i < nfiles; i++) {
		json_t *a = json_object();

		hex_encode(hex, files[i].sha256, 32);
		json_object_set_new(a, "blob", json_string(files[i].blob));
		json_object_set_new(a, "name", json_string(files[i].name));
		json_object_set_new(a, "sha256", json_string(hex));
		json_object_set_new(a, "size",
		    json_integer((json_int_t)files[i].f->len));
		json_object_set_new(a, "type", json_string(files[i].mime));
		json_array_append_new(atts, a);
	}
	json_object_set_new(rec, "attachments", atts);
	if (dropped != NULL && json_array_size(dropped) > 0)
		json_object_set(rec, "dropped", dropped);
	text = json_dumps(rec, JSON_COMPACT);
	json_decref(rec);
	if (text == NULL)
		return STORAGE_ERR_NOMEM;
	if (store_ad_tip_record(ad, sizeof(ad), uid) != 0) {
		free(text);
		return STORAGE_ERR_INTERNAL;
	}
	st = record_seal(key, ad, text, strlen(text), out, outlen);
	sodium_memzero(text, strlen(text));
	free(text);
	return st;
}

/*
 * Step 2 for checked files (a new tip's or a message's): each file becomes
 * a durable blob under the tip's content key, its name is sealed under
 * the attachment identity, and atts[i] describes the row to store.
 * *nwritten counts the blobs written, which the caller removes if the
 * commit does not happen.  false with res set on failure.
 */
static bool
intake_write_files(struct service *svc, const unsigned char key[32],
    const unsigned char uid[16], const unsigned char att_key[32],
    struct intake_checked_file *files, size_t nfiles,
    struct tip_store_attachment *atts, size_t *nwritten,
    struct intake_result *res)
{
	char ad[STORE_AD_MAX];
	enum storage_status st;

	for (size_t i = 0; i < nfiles; i++) {
		struct intake_checked_file *cf = &files[i];

		st = blob_store_put(svc->blobs, key, cf->f->data, cf->f->len,
		    cf->blob, cf->sha256);
		if (st != STORAGE_OK) {
			intake_storage_failed(res, st, "blob");
			return false;
		}
		(*nwritten)++;
		if (store_ad_tip_attachment_name(ad, sizeof(ad), uid,
		    cf->blob) != 0 ||
		    (st = record_seal(key, ad, cf->name, strlen(cf->name),
		    &cf->name_sealed, &cf->name_sealed_len)) != STORAGE_OK) {
			intake_storage_failed(res, STORAGE_ERR_NOMEM, "name");
			return false;
		}
		memcpy(atts[i].blob_name, cf->blob, sizeof(atts[i].blob_name));
		atts[i].size = cf->f->len;
		atts[i].detected_type = cf->mime;
		atts[i].name_sealed = cf->name_sealed;
		atts[i].name_sealed_len = cf->name_sealed_len;
		atts[i].is_original_mail = cf->f->is_original_mail;
		crypto_generichash(atts[i].content_mac, TIP_MAC_BYTES,
		    cf->sha256, 32, att_key, 32);
	}
	return true;
}

static void
intake_submit_tip(struct service_worker *w, const struct intake_tip *t,
    struct intake_result *res)
{
	struct service *svc = w->svc;
	struct intake_checked_file *files = NULL;
	struct tip_store_attachment *atts = NULL;
	struct tip_store_new row;
	unsigned char key[32], att_key[32], receipt_key[32], mac_key[32];
	unsigned char dedup_hash[TIP_MAC_BYTES], nonce_hash[TIP_MAC_BYTES];
	unsigned char *record = NULL;
	size_t nfiles = 0, nwritten = 0, record_len = 0;
	json_t *dropped = NULL;
	char today[16];
	struct router_decision dec;
	unsigned char report_macs[REPORT_NUMBERS_MAX][REPORT_MACS_BYTES];
	unsigned char contact_mac[CONTACT_MAC_BYTES];
	bool has_contact = false;
	struct outbox_ack ack;
	char public_id[TIP_PUBLIC_ID_MAX];
	time_t now = time(NULL);
	time_t local = now + CST_OFFSET;
	struct tm tm;
	enum storage_status st;

	memset(res, 0, sizeof(*res));
	memset(&row, 0, sizeof(row));
	gmtime_r(&local, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);

	/* 1. Check everything before writing anything. */
	if (!intake_check_fields(w, t, res, today))
		return;
	if (t->nfiles > 0 &&
	    (files = calloc(t->nfiles, sizeof(*files))) == NULL) {
		intake_storage_failed(res, STORAGE_ERR_NOMEM, "files");
		return;
	}
	if ((dropped = json_array()) == NULL ||
	    !intake_check_files(w, t, files, &nfiles, dropped,
	    &row.needs_review, res))
		goto out;

	/* Triage: the router decides bureau, domain, violation, priority
	 * and a reason a person can read (service/router.c). */
	{
		struct router_input rin = {
			.summary = t->summary, .details = t->details,
			.institution = t->institution, .county = t->county,
			.hint_bureau = t->hint_bureau, .domain = t->domain,
			.violation = t->violation,
		};
		const struct router *rt = service_worker_router(w);

		memset(&dec, 0, sizeof(dec));
		snprintf(dec.bureau, sizeof(dec.bureau), "%s",
		    INTAKE_CITY_BUREAU);
		snprintf(dec.reason, sizeof(dec.reason), "自动分派不可用，"
		    "转入市局分流队列待人工分派");
		/* Out of memory still leaves dec as the city queue; the
		 * report numbers are then found here, not by the router. */
		if (rt == NULL || router_route_prepared(rt, &rin, &dec) != 0) {
			dec.needs_review = true;
			dec.nreports = 0;
			if ((t->summary != NULL && report_numbers_find(
			    t->summary, strlen(t->summary), dec.reports,
			    &dec.nreports) != 0) ||
			    (t->details != NULL && report_numbers_find(
			    t->details, strlen(t->details), dec.reports,
			    &dec.nreports) != 0))
				dec.nreports = 0;
		}
		row.bureau = dec.bureau;
		row.domain = dec.domain[0] ? dec.domain : NULL;
		row.violation = dec.violation[0] ? dec.violation : NULL;
		row.priority = dec.priority;
		row.route_reason = dec.reason;
		row.institution_id = dec.institution_id;
		if (dec.needs_review || t->needs_review)
			row.needs_review = true;
	}

	/* The report numbers the router found, kept only as keyed hashes:
	 * they relate tips naming the same report (service/report_macs.h). */
	if (report_macs_compute(w->db, &svc->mk,
	    (const char (*)[REPORT_NUMBERS_LEN])dec.reports, dec.nreports,
	    report_macs) != 0) {
		intake_storage_failed(res, STORAGE_ERR_BUSY, "report numbers");
		goto out;
	}
	row.nreport_macs = dec.nreports;
	row.report_macs = (const unsigned char (*)[TIP_MAC_BYTES])report_macs;

	/* The tipster, as a keyed hash of the contact: the same tipster's
	 * repeated tips (order 121), never the contact in plaintext. */
	if (contact_mac_compute(w->db, &svc->mk, t->contact_email,
	    t->contact_phone, contact_mac, &has_contact) != 0) {
		intake_storage_failed(res, STORAGE_ERR_BUSY, "contact");
		goto out;
	}
	row.contact_mac = has_contact ? contact_mac : NULL;

	/* 2. Keys and blobs. */
	if ((st = key_slots_service_key(w->db, &svc->mk,
	    KEY_SLOTS_PURPOSE_ATTACHMENT, att_key)) != STORAGE_OK ||
	    (st = key_slots_service_key(w->db, &svc->mk,
	    KEY_SLOTS_PURPOSE_RECEIPT, receipt_key)) != STORAGE_OK) {
		intake_storage_failed(res, st, "service keys");
		goto out;
	}
	if (t->dedup_len > 0 || !is_empty(t->nonce)) {
		if ((st = key_slots_service_key(w->db, &svc->mk,
		    KEY_SLOTS_PURPOSE_NONCE, mac_key)) != STORAGE_OK) {
			intake_storage_failed(res, st, "service keys");
			goto out;
		}
		if (t->dedup_len > 0) {
			crypto_generichash(dedup_hash, sizeof(dedup_hash),
			    t->dedup, t->dedup_len, mac_key, sizeof(mac_key));
			row.dedup_hash = dedup_hash;
		}
		if (!is_empty(t->nonce)) {
			crypto_generichash(nonce_hash, sizeof(nonce_hash),
			    (const unsigned char *)t->nonce, strlen(t->nonce),
			    mac_key, sizeof(mac_key));
			row.nonce_hash = nonce_hash;
		}
	}
	keys_content_key_new(key);
	randombytes_buf(row.uid, sizeof(row.uid));
	if (nfiles > 0 && (atts = calloc(nfiles, sizeof(*atts))) == NULL) {
		intake_storage_failed(res, STORAGE_ERR_NOMEM, "attachments");
		goto out;
	}
	if (!intake_write_files(svc, key, row.uid, att_key, files, nfiles,
	    atts, &nwritten, res))
		goto out;
	if ((st = intake_seal_record(t, files, nfiles, dropped, key, row.uid,
	    &record, &record_len)) != STORAGE_OK) {
		intake_storage_failed(res, st, "record");
		goto out;
	}

	/* 3. The receipt, known only to the tipster; we keep a keyed hash. */
	for (int i = 0; i < INTAKE_RECEIPT_DIGITS; i++)
		res->receipt[i] = (char)('0' + randombytes_uniform(10));
	res->receipt[INTAKE_RECEIPT_DIGITS] = '\0';
	crypto_generichash(row.receipt_hash, TIP_MAC_BYTES,
	    (const unsigned char *)res->receipt, INTAKE_RECEIPT_DIGITS,
	    receipt_key, sizeof(receipt_key));

	row.channel = t->channel;
	row.status = "received";
	row.real_name = !is_empty(t->contact_name) ||
	    !is_empty(t->contact_phone) || !is_empty(t->contact_email);
	row.occurred_on = t->occurred_on;
	row.received_at = (int64_t)now;
	row.received_on = today;
	row.record_sealed = record;
	row.record_sealed_len = record_len;
	row.content_key = key;
	row.attachments = atts;
	row.nattachments = nfiles;
	row.wo_12315 = t->wo_12315;
	row.audit_user = t->staff_login;
	/* E-mail: the acknowledgement exists exactly when the tip does. */
	if (!is_empty(t->ack_to) && outbox_ack_wanted(svc->cfg, t->ack_to)) {
		memset(&ack, 0, sizeof(ack));
		ack.cfg = svc->cfg;
		ack.to = t->ack_to;
		ack.receipt = res->receipt;
		ack.uid = row.uid;
		ack.key = key;
		ack.now = (int64_t)now;
		row.in_commit = outbox_ack_in_commit;
		row.in_commit_arg = &ack;
	}

	/* 4. One transaction; only after it commits is the tip accepted. */
	st = tip_store_commit(w->db, &svc->mk, &row, public_id);
	if (st == STORAGE_ERR_EXISTS && (row.dedup_hash || row.nonce_hash)) {
		/* The same delivery or form post again: one tip, not two. */
		res->status = INTAKE_OK;
		res->duplicate = true;
		sodium_memzero(res->receipt, sizeof(res->receipt));
		snprintf(res->id, sizeof(res->id), "%s", public_id);
		log_info("intake duplicate of tip=%s channel=%s", public_id,
		    t->channel);
		goto out;
	}
	if (st != STORAGE_OK) {
		intake_storage_failed(res, st, "commit");
		goto out;
	}
	nwritten = 0;	/* the rows own the blobs now */
	res->status = INTAKE_OK;
	snprintf(res->id, sizeof(res->id), "%s", public_id);
	snprintf(res->bureau, sizeof(res->bureau), "%s", row.bureau);
	snprintf(res->tip_status, sizeof(res->tip_status), "received");
	gmtime_r(&now, &tm);
	strftime(res->received_at, sizeof(res->received_at),
	    "%Y-%m-%dT%H:%M:%SZ", &tm);
	log_info("intake tip=%s channel=%s bureau=%s files=%zu", public_id,
	    t->channel, row.bureau, nfiles);
out:
	if (res->status != INTAKE_OK)
		sodium_memzero(res->receipt, sizeof(res->receipt));
	for (size_t i = 0; i < nwritten; i++)
		blob_store_remove(svc->blobs, files[i].blob);
	for (size_t i = 0; files != NULL && i < nfiles; i++)
		free(files[i].name_sealed);
	free(files);
	free(atts);
	free(record);
	json_decref(dropped);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(att_key, sizeof(att_key));
	sodium_memzero(receipt_key, sizeof(receipt_key));
	sodium_memzero(mac_key, sizeof(mac_key));
}

_Static_assert(REPORT_MACS_BYTES == TIP_MAC_BYTES,
    "report number MACs are stored as tip MACs");
_Static_assert(CONTACT_MAC_BYTES == TIP_MAC_BYTES,
    "contact MACs are stored as tip MACs");

json_t *
intake_result_doc(const struct intake_result *res)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", res->id,
	    "receipt", res->receipt, "status", res->tip_status, "bureau",
	    res->bureau, "received_at", res->received_at);
}

/* See intake.h: the pipeline above, counted for GET /metrics. */
void
intake_submit(struct service_worker *w, const struct intake_tip *t,
    struct intake_result *res)
{
	intake_submit_tip(w, t, res);
	metrics_intake(t->channel, res);
}

void
intake_add_message(struct service_worker *w, const struct intake_reply *m,
    struct intake_result *res)
{
	struct service *svc = w->svc;
	struct intake_checked_file *files = NULL;
	struct tip_store_attachment *atts = NULL;
	struct intake_tip t;
	struct tip_lookup tip;
	struct messages_new msg;
	unsigned char key[32], att_key[32];
	size_t nfiles = 0, nwritten = 0;
	bool flag = false;
	time_t now = time(NULL);
	struct tm tm;
	enum storage_status st;
	const char *text = m->text != NULL ? m->text : "";

	memset(res, 0, sizeof(*res));
	memset(&t, 0, sizeof(t));
	t.files = m->files;
	t.nfiles = m->nfiles;

	/* 1. Check everything before writing anything. */
	if (!intake_check_text(res, "text", text, false, INTAKE_MESSAGE_MAX,
	    true))
		return;
	if (m->nfiles > 0 &&
	    (files = calloc(m->nfiles, sizeof(*files))) == NULL) {
		intake_storage_failed(res, STORAGE_ERR_NOMEM, "files");
		return;
	}
	if (!intake_check_files(w, &t, files, &nfiles, NULL, &flag, res))
		goto out;
	if (nfiles == 0 && is_empty(text)) {
		intake_refuse(res, INTAKE_INVALID, "text", "%s is required",
		    "text");
		goto out;
	}
	if ((st = tip_lookup_by_id(w->db, m->tip_id, &tip)) != STORAGE_OK) {
		intake_storage_failed(res, st, "tip");
		goto out;
	}

	/* 2. The tip's key and the blobs. */
	if ((st = key_slots_content_key(w->db, tip.id, tip.uid, &svc->mk,
	    key)) != STORAGE_OK ||
	    (st = key_slots_service_key(w->db, &svc->mk,
	    KEY_SLOTS_PURPOSE_ATTACHMENT, att_key)) != STORAGE_OK) {
		intake_storage_failed(res, st, "keys");
		goto out;
	}
	if (nfiles > 0 && (atts = calloc(nfiles, sizeof(*atts))) == NULL) {
		intake_storage_failed(res, STORAGE_ERR_NOMEM, "attachments");
		goto out;
	}
	if (!intake_write_files(svc, key, tip.uid, att_key, files, nfiles,
	    atts, &nwritten, res))
		goto out;

	/* 3. One transaction; only after it commits is the message taken. */
	memset(&msg, 0, sizeof(msg));
	msg.tip_id = tip.id;
	msg.uid = tip.uid;
	msg.key = key;
	msg.public_id = tip.public_id;
	msg.sender = "tipster";
	msg.text = text;
	msg.len = strlen(text);
	msg.attachments = atts;
	msg.nattachments = nfiles;
	msg.at = (int64_t)now;
	if ((st = messages_add(w->db, &msg, &res->message_id)) != STORAGE_OK) {
		intake_storage_failed(res, st, "message");
		goto out;
	}
	nwritten = 0;	/* the rows own the blobs now */
	res->status = INTAKE_OK;
	snprintf(res->id, sizeof(res->id), "%s", tip.public_id);
	snprintf(res->bureau, sizeof(res->bureau), "%.31s", tip.bureau);
	snprintf(res->tip_status, sizeof(res->tip_status), "%s", tip.status);
	gmtime_r(&now, &tm);
	strftime(res->received_at, sizeof(res->received_at),
	    "%Y-%m-%dT%H:%M:%SZ", &tm);
	log_info("intake message tip=%s channel=%s files=%zu", tip.public_id,
	    m->channel != NULL ? m->channel : "-", nfiles);
out:
	for (size_t i = 0; i < nwritten; i++)
		blob_store_remove(svc->blobs, files[i].blob);
	for (size_t i = 0; files != NULL && i < nfiles; i++)
		free(files[i].name_sealed);
	free(files);
	free(atts);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(att_key, sizeof(att_key));
}
