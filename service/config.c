/* SPDX-License-Identifier: MIT */
/*
 * INI configuration through inih.  inih calls config_handler() once per
 * key; the handler checks the key against the table below, validates the
 * value, and on the first problem records a reason and returns 0, which
 * makes inih report that line number.  The whole text is bounded by
 * CONFIG_FILE_MAX and every value by its field's size.
 */
#include "service/config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum config_kind {
	CONFIG_KIND_PATH,
	CONFIG_KIND_LISTEN,
	CONFIG_KIND_URL,
	CONFIG_KIND_INT,
	CONFIG_KIND_MIB,
	CONFIG_KIND_BOOL,
	CONFIG_KIND_ADDRESSES,
	CONFIG_KIND_BUREAU_ADDRESSES,
	CONFIG_KIND_TEXT,
};

struct config_key {
	const char *section;
	const char *name;
	enum config_kind kind;
	size_t offset;
	size_t size;		/* for strings: buffer size */
	long long min, max;	/* for numbers (MiB for sizes) */
	size_t set_offset;	/* offset of a bool "was set", or SIZE_MAX */
};

#define STR(sec, key, kind, field, setf) \
	{ sec, #field, kind, offsetof(struct config, field), \
	  sizeof(((struct config *)0)->field), 0, 0, setf }
#define NUM(sec, field, kind, lo, hi) \
	{ sec, #field, kind, offsetof(struct config, field), 0, lo, hi, SIZE_MAX }

static const struct config_key config_keys[] = {
	STR("server", data_dir, CONFIG_KIND_PATH, data_dir,
	    offsetof(struct config, data_dir_set)),
	STR("server", key_file, CONFIG_KIND_PATH, key_file,
	    offsetof(struct config, key_file_set)),
	STR("server", http_listen, CONFIG_KIND_LISTEN, http_listen, SIZE_MAX),
	STR("server", lmtp_listen, CONFIG_KIND_LISTEN, lmtp_listen, SIZE_MAX),
	STR("server", public_url, CONFIG_KIND_URL, public_url, SIZE_MAX),
	NUM("server", workers, CONFIG_KIND_INT, 1, 64),
	{ "limits", "attachment_max_mb", CONFIG_KIND_MIB,
	  offsetof(struct config, attachment_max), 0, 1, 1024, SIZE_MAX },
	NUM("limits", attachments_max, CONFIG_KIND_INT, 0, 100),
	{ "limits", "tip_max_mb", CONFIG_KIND_MIB,
	  offsetof(struct config, tip_max), 0, 1, 4096, SIZE_MAX },
	{ "limits", "inflight_max_mb", CONFIG_KIND_MIB,
	  offsetof(struct config, inflight_max), 0, 1, 65536, SIZE_MAX },
	{ "limits", "mail_max_mb", CONFIG_KIND_MIB,
	  offsetof(struct config, mail_max), 0, 1, 1024, SIZE_MAX },
	NUM("limits", submissions_per_hour, CONFIG_KIND_INT, 0, 1000000),
	STR("mail", tip_addresses, CONFIG_KIND_ADDRESSES, tip_addresses,
	    SIZE_MAX),
	STR("mail", bureau_addresses, CONFIG_KIND_BUREAU_ADDRESSES,
	    bureau_addresses, SIZE_MAX),
	STR("mail", sendmail_command, CONFIG_KIND_TEXT, sendmail_command,
	    SIZE_MAX),
	NUM("mail", outbox_retry_sec, CONFIG_KIND_INT, 1, 21600),
	{ "security", "cookie_secure", CONFIG_KIND_BOOL,
	  offsetof(struct config, cookie_secure), 0, 0, 0, SIZE_MAX },
};

#define CONFIG_NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

struct config_parse {
	struct config *cfg;
	char reason[512];
	bool failed;
	bool seen[CONFIG_NKEYS];
};

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./var");
	snprintf(cfg->key_file, sizeof(cfg->key_file), "./var/keys/master.key");
	snprintf(cfg->http_listen, sizeof(cfg->http_listen), "127.0.0.1:8080");
	snprintf(cfg->lmtp_listen, sizeof(cfg->lmtp_listen), "127.0.0.1:2424");
	snprintf(cfg->public_url, sizeof(cfg->public_url),
	    "http://127.0.0.1:8080");
	cfg->workers = 4;
	cfg->attachment_max = 20 * MIB;
	cfg->attachments_max = 10;
	cfg->tip_max = 50 * MIB;
	cfg->inflight_max = 256 * MIB;
	cfg->mail_max = 50 * MIB;
	cfg->submissions_per_hour = 30;
	snprintf(cfg->tip_addresses, sizeof(cfg->tip_addresses),
	    "tips@localhost");
	cfg->outbox_retry_sec = 60;
	cfg->cookie_secure = false;
}

/* Whether every byte is printable (no control characters, valid-ish). */
static bool
is_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Parse a decimal integer in [min, max]; the whole string must be used. */
static bool
valid_number(const char *s, long long min, long long max, long long *out)
{
	char *end = NULL;
	long long v;

	if (*s == '\0' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
valid_address(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);

	if (at == NULL || at == s || at == s + len - 1)
		return false;
	if (memchr(at + 1, '@', len - (size_t)(at + 1 - s)) != NULL)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '<' || s[i] == '>' ||
		    s[i] == '"' || s[i] == ',' || s[i] == ';')
			return false;
	return true;
}

/*
 * Check a comma-separated list of addresses, or of CODE:address pairs when
 * with_code.  An empty list is fine.  On failure reason says which item.
 */
static bool
valid_address_list(const char *s, bool with_code, char *reason, size_t rlen)
{
	const char *p = s;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *item;
		size_t ilen;

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		item = p;
		ilen = len;
		if (with_code) {
			const char *colon = memchr(p, ':', len);
			size_t clen;

			if (colon == NULL) {
				snprintf(reason, rlen, "\"%.*s\" is not "
				    "CODE:address", (int)(len > 80 ? 80 : len),
				    p);
				return false;
			}
			clen = (size_t)(colon - p);
			if (clen < 6 || clen > 16) {
				snprintf(reason, rlen, "\"%.*s\" is not a bureau "
				    "code", (int)(clen > 80 ? 80 : clen), p);
				return false;
			}
			item = colon + 1;
			ilen = len - clen - 1;
		}
		if (ilen == 0 && !with_code && len == 0 && end == NULL)
			break;
		if (!valid_address(item, ilen)) {
			snprintf(reason, rlen, "\"%.*s\" is not an e-mail "
			    "address", (int)(ilen > 80 ? 80 : ilen), item);
			return false;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return true;
}

int
config_split_listen(const char *spec, char *host, size_t hostlen,
    uint16_t *port)
{
	const char *colon;
	size_t hlen;
	long long v;
	const char *h = spec;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		h = spec + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL)
			return -1;
		hlen = (size_t)(colon - spec);
		if (memchr(spec, ':', hlen) != NULL)
			return -1;	/* bare IPv6 needs brackets */
	}
	if (hlen == 0 || hlen >= hostlen)
		return -1;
	if (!valid_number(colon + 1, 0, 65535, &v))
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	for (size_t i = 0; i < hlen; i++) {
		char c = host[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '.' || c == ':' ||
		    c == '-'))
			return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

static bool
parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcmp(v, "1") || !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcmp(v, "0") || !strcasecmp(v, "off"))
		*out = false;
	else
		return false;
	return true;
}

/* Validate and store one value; on failure write the reason. */
static bool
config_set(struct config *cfg, const struct config_key *k, const char *value,
    char *reason, size_t rlen)
{
	char *base = (char *)cfg;
	long long n;

	switch (k->kind) {
	case CONFIG_KIND_PATH:
	case CONFIG_KIND_LISTEN:
	case CONFIG_KIND_URL:
	case CONFIG_KIND_ADDRESSES:
	case CONFIG_KIND_BUREAU_ADDRESSES:
	case CONFIG_KIND_TEXT:
		if (strlen(value) >= k->size) {
			snprintf(reason, rlen, "value of %s is too long "
			    "(at most %zu bytes)", k->name, k->size - 1);
			return false;
		}
		if (!is_printable(value)) {
			snprintf(reason, rlen, "value of %s contains a control "
			    "character", k->name);
			return false;
		}
		break;
	default:
		break;
	}

	switch (k->kind) {
	case CONFIG_KIND_PATH:
		if (value[0] == '\0') {
			snprintf(reason, rlen, "%s must not be empty", k->name);
			return false;
		}
		break;
	case CONFIG_KIND_LISTEN: {
		char host[256];
		uint16_t port;

		if (config_split_listen(value, host, sizeof(host), &port)) {
			snprintf(reason, rlen, "bad value for %s: \"%.100s\" is "
			    "not ADDRESS:PORT", k->name, value);
			return false;
		}
		break;
	}
	case CONFIG_KIND_URL:
		if (strncmp(value, "http://", 7) != 0 &&
		    strncmp(value, "https://", 8) != 0) {
			snprintf(reason, rlen, "bad value for %s: \"%.100s\" is "
			    "not an http:// or https:// URL", k->name, value);
			return false;
		}
		break;
	case CONFIG_KIND_ADDRESSES:
	case CONFIG_KIND_BUREAU_ADDRESSES: {
		char why[256];

		if (!valid_address_list(value,
		    k->kind == CONFIG_KIND_BUREAU_ADDRESSES, why, sizeof(why))) {
			snprintf(reason, rlen, "bad value for %s: %s", k->name,
			    why);
			return false;
		}
		break;
	}
	case CONFIG_KIND_TEXT:
		break;
	case CONFIG_KIND_INT:
	case CONFIG_KIND_MIB:
		if (!valid_number(value, k->min, k->max, &n)) {
			snprintf(reason, rlen, "bad value for %s: \"%.40s\" is "
			    "not a whole number from %lld to %lld%s", k->name,
			    value, k->min, k->max,
			    k->kind == CONFIG_KIND_MIB ? " (MiB)" : "");
			return false;
		}
		if (k->kind == CONFIG_KIND_INT)
			*(int *)(base + k->offset) = (int)n;
		else
			*(uint64_t *)(base + k->offset) = (uint64_t)n * MIB;
		return true;
	case CONFIG_KIND_BOOL:
		if (!parse_bool(value, (bool *)(base + k->offset))) {
			snprintf(reason, rlen, "bad value for %s: \"%.40s\" is "
			    "not true or false", k->name, value);
			return false;
		}
		return true;
	}
	snprintf(base + k->offset, k->size, "%s", value);
	if (k->set_offset != SIZE_MAX)
		*(bool *)(base + k->set_offset) = true;
	return true;
}

/* inih callback: returns 1 to go on, 0 to mark this line as the error. */
static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_parse *cp = user;

	if (cp->failed)
		return 1;	/* keep the first error only */
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_key *k = &config_keys[i];

		if (strcmp(section, k->section) != 0 ||
		    strcmp(name, k->name) != 0)
			continue;
		if (cp->seen[i]) {
			snprintf(cp->reason, sizeof(cp->reason),
			    "%s is set twice in [%s]", name, section);
			cp->failed = true;
			return 0;
		}
		cp->seen[i] = true;
		if (!config_set(cp->cfg, k, value, cp->reason,
		    sizeof(cp->reason))) {
			cp->failed = true;
			return 0;
		}
		return 1;
	}
	for (size_t i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(section, config_keys[i].section) == 0) {
			snprintf(cp->reason, sizeof(cp->reason),
			    "unknown key \"%.60s\" in [%s]", name, section);
			cp->failed = true;
			return 0;
		}
	}
	snprintf(cp->reason, sizeof(cp->reason), "unknown section [%.60s]",
	    section);
	cp->failed = true;
	return 0;
}

int
config_parse_text(struct config *cfg, const char *text, const char *name,
    char *err, size_t errlen)
{
	struct config_parse cp;
	int line;

	memset(&cp, 0, sizeof(cp));
	cp.cfg = cfg;
	line = ini_parse_string(text, config_handler, &cp);
	if (line == 0 && !cp.failed)
		return 0;
	if (line < 0) {
		snprintf(err, errlen, "%s: cannot parse (out of memory)", name);
		return -1;
	}
	if (!cp.failed)
		snprintf(cp.reason, sizeof(cp.reason), "syntax error (expected "
		    "[section] or key = value)");
	snprintf(err, errlen, "%s:%d: %s", name, line, cp.reason);
	return -1;
}

int
config_load_file(struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t len;
	int rc = -1;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		goto out;
	}
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	len = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path,
		    strerror(errno));
		goto out;
	}
	if (len > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    CONFIG_FILE_MAX);
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		goto out;
	}
	text[len] = '\0';
	rc = config_parse_text(cfg, text, path, err, errlen);
out:
	free(text);
	if (f != NULL)
		fclose(f);
	return rc;
}

int
config_resolve_paths(struct config *cfg, const char *data_arg, char *err,
    size_t errlen)
{
	const char *env = getenv("TIPLINE_DATA");
	const char *data = "./var";

	if (data_arg != NULL && data_arg[0] != '\0')
		data = data_arg;
	else if (cfg->data_dir_set)
		data = cfg->data_dir;
	else if (env != NULL && env[0] != '\0')
		data = env;
	if (strlen(data) >= sizeof(cfg->data_dir)) {
		snprintf(err, errlen, "data directory path is too long");
		return -1;
	}
	if (data != cfg->data_dir)
		snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", data);
	if (!cfg->key_file_set) {
		if (snprintf(cfg->key_file, sizeof(cfg->key_file),
		    "%s/keys/master.key", cfg->data_dir) >=
		    (int)sizeof(cfg->key_file)) {
			snprintf(err, errlen, "key file path is too long");
			return -1;
		}
	}
	return 0;
}
