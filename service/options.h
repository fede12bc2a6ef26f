/* SPDX-License-Identifier: MIT */
/*
 * Command-line parsing: `tipline [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]`,
 * where the global options (--config, --data) may also follow the command
 * (contract.md, "Command line").  Pure: argv in, struct out.
 */
#ifndef SERVICE_OPTIONS_H
#define SERVICE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#define OPTIONS_MAX_ARGS 8

struct options {
	const char *command;		/* NULL: none given */
	const char *config_path;
	const char *data_dir;
	const char *http;		/* serve --http */
	const char *lmtp;		/* serve --lmtp */
	const char *recipient;		/* ingest-mail --recipient */
	const char *role;		/* user add --role */
	const char *bureau;		/* user add --bureau, report --bureau */
	const char *campaign;		/* report --campaign */
	const char *format;		/* report --format */
	const char *output;		/* report -o */
	bool help;
	bool version;
	bool debug;
	int nargs;
	const char *args[OPTIONS_MAX_ARGS];
};

/*
 * Parse argv.  Options are accepted only by the commands they belong to.
 * Returns 0, or -1 with err naming the problem.
 */
int options_parse(int argc, char *const argv[], struct options *o,
    char *err, size_t errlen);

/* Print the usage of cmd (NULL: the whole program) to f. */
void options_usage(const char *cmd, void *f);

/* Whether cmd is a command this binary has. */
bool options_valid_command(const char *cmd);

#endif
