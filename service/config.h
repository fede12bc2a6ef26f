/* SPDX-License-Identifier: MIT */
/*
 * The configuration: embedded defaults, then an INI file (contract.md,
 * "Config file"), then the command line.  Parsing is pure (text in, struct
 * out) so a fuzzer can drive config_parse_text() directly.  An unknown
 * section or key, a repeated key or a bad value is an error that names the
 * file, the line and the reason.
 */
#ifndef SERVICE_CONFIG_H
#define SERVICE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_PATH_MAX 1024
#define CONFIG_TEXT_MAX 4096
#define CONFIG_FILE_MAX (1024 * 1024)
#define CONFIG_ERR_MAX 1400
#define MIB ((uint64_t)1 << 20)

struct config {
	/* [server] */
	char data_dir[CONFIG_PATH_MAX];
	char key_file[CONFIG_PATH_MAX];
	char http_listen[256];
	char lmtp_listen[256];
	char public_url[512];
	int workers;
	/* [limits], sizes in bytes */
	uint64_t attachment_max;
	int attachments_max;
	uint64_t tip_max;
	uint64_t inflight_max;
	uint64_t mail_max;
	int submissions_per_hour;
	/* [mail] */
	char tip_addresses[CONFIG_TEXT_MAX];
	char bureau_addresses[CONFIG_TEXT_MAX];
	char sendmail_command[CONFIG_TEXT_MAX];
	int outbox_retry_sec;		/* first retry of an ack; doubles */
	/* [security] */
	bool cookie_secure;

	/* Which paths the file set (the command line and defaults fill in). */
	bool data_dir_set;
	bool key_file_set;
};

/* Fill cfg with the embedded defaults (contract.md). */
void config_defaults(struct config *cfg);

/*
 * Parse INI text (NUL-terminated) into cfg, on top of what cfg holds.  name
 * is the file name used in messages.  Returns 0, or -1 with err set to
 * "NAME:LINE: reason".
 */
int config_parse_text(struct config *cfg, const char *text, const char *name,
    char *err, size_t errlen);

/* Read path (at most CONFIG_FILE_MAX bytes) and parse it. */
int config_load_file(struct config *cfg, const char *path, char *err,
    size_t errlen);

/*
 * Settle the paths after file and command line: data_dir from the command
 * line (data_arg, may be NULL), else the file, else $TIPLINE_DATA, else
 * ./var; key_file from the file, else DATA/keys/master.key.  -1 if a path
 * does not fit.
 */
int config_resolve_paths(struct config *cfg, const char *data_arg,
    char *err, size_t errlen);

/*
 * Split "ADDR:PORT" (IPv4, or [IPv6]:PORT) into host and port.  Returns 0,
 * or -1 if malformed.  Port 0 means "any free port".
 */
int config_split_listen(const char *spec, char *host, size_t hostlen,
    uint16_t *port);

#endif
