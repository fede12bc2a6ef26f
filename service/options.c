/* SPDX-License-Identifier: MIT */
/*
 * The option table and usage texts.  Each option names the commands that
 * take it; "*" means every command (the global ones).  `--opt=value` and
 * `--opt value` are both accepted; `--` ends the options.
 */
#include "service/options.h"

#include <stdio.h>
#include <stddef.h>
#include <string.h>

struct option_def {
	const char *name;
	bool has_arg;
	const char *commands;		/* space-separated, or "*" */
	size_t offset;			/* of a const char * or bool */
	const char *help;
};

#define OPT_STR(name, cmds, field, help) \
	{ name, true, cmds, offsetof(struct options, field), help }
#define OPT_FLAG(name, cmds, field, help) \
	{ name, false, cmds, offsetof(struct options, field), help }

static const struct option_def option_defs[] = {
	OPT_STR("--config", "*", config_path, "FILE  configuration file (INI)"),
	OPT_STR("--data", "*", data_dir, "DIR  data directory"),
	OPT_FLAG("--help", "*", help, "  show this help"),
	OPT_FLAG("-h", "*", help, NULL),
	OPT_FLAG("--debug", "*", debug, "  debug log lines"),
	OPT_STR("--http", "serve", http, "ADDR:PORT  HTTP listen address"),
	OPT_STR("--lmtp", "serve", lmtp, "ADDR:PORT  LMTP listen address"),
	OPT_STR("--recipient", "ingest-mail", recipient,
	    "ADDR  the address the message was delivered to (routing hint)"),
	OPT_STR("--role", "user", role,
	    "ROLE  user add: admin, triage, officer or auditor"),
	/* One entry per option name: the parser takes the last of a name. */
	OPT_STR("--bureau", "user report", bureau,
	    "CODE  user add: the bureau (required for an officer); report: "
	    "only that bureau's cases"),
	OPT_STR("--campaign", "report", campaign,
	    "CODE  report summary: the campaign (e.g. jc-2022-testing)"),
	OPT_STR("--format", "report", format,
	    "FMT  report summary: html, csv or xlsx"),
	OPT_STR("-o", "report refdata calendar", output,
	    "FILE  report summary, refdata and calendar export: write to FILE "
	    "(default: standard output)"),
};

struct command_def {
	const char *name;
	const char *args;
	const char *summary;
	int max_args;
};

static const struct command_def command_defs[] = {
	{ "serve", "[--http ADDR:PORT] [--lmtp ADDR:PORT]",
	  "run the service (initialises an empty data directory first)", 0 },
	{ "init", "", "create the data directory, database, master key and "
	  "the first admin account", 0 },
	{ "verify", "", "check every blob, record, reference and the audit "
	  "chain", 0 },
	{ "ingest-mail", "[--recipient ADDR]", "store one e-mail message from "
	  "standard input as a tip (MTA pipe: 0 stored, 65 refused, 75 retry)",
	  0 },
	{ "backup", "DIR", "consistent copy of the database and blobs into a "
	  "new directory (not the key file)", 1 },
	{ "restore", "DIR", "restore a backup into an empty data directory", 1 },
	{ "keys", "rotate", "keys rotate: a new master key, every key slot "
	  "re-wrapped (serve stopped)", 1 },
	{ "user", "add LOGIN --role ROLE [--bureau CODE] | passwd LOGIN | "
	  "disable LOGIN | list", "staff accounts: add prints a one-time "
	  "password, passwd reads the new one from standard input", 2 },
	{ "report", "summary --campaign CODE [--bureau CODE] --format "
	  "html|csv|xlsx [-o FILE]", "the campaign summary table (works "
	  "while serve runs)", 1 },
	{ "institutions", "import FILE.csv", "load or update the institution "
	  "registry (all lines or none; works while serve runs)", 2 },
	{ "refdata", "export TABLE [-o FILE] | import TABLE FILE.csv",
	  "reference data (places, domain-keywords, violations, bureaus) as "
	  "CSV; import replaces the table, all lines or none (extension)", 3 },
	{ "calendar", "import FILE.csv | export [-o FILE]", "the working-day "
	  "calendar's holidays and adjusted workdays (date,kind); import "
	  "replaces the years the file covers", 2 },
};

#define NOPTS (sizeof(option_defs) / sizeof(option_defs[0]))
#define NCMDS (sizeof(command_defs) / sizeof(command_defs[0]))

static const struct command_def *
find_command(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(command_defs[i].name, name) == 0)
			return &command_defs[i];
	return NULL;
}

bool
options_valid_command(const char *cmd)
{
	return cmd != NULL && find_command(cmd) != NULL;
}

/* Whether the option belongs to cmd (NULL: before the command). */
static bool
option_applies(const struct option_def *d, const char *cmd)
{
	const char *p;
	size_t n;

	if (strcmp(d->commands, "*") == 0)
		return true;
	if (cmd == NULL)
		return false;
	n = strlen(cmd);
	for (p = d->commands; (p = strstr(p, cmd)) != NULL; p += n)
		if ((p == d->commands || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

int
options_parse(int argc, char *const argv[], struct options *o, char *err,
    size_t errlen)
{
	bool no_more_options = false;

	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct option_def *d = NULL;
		const char *eq, *value = NULL;
		size_t nlen;

		if (no_more_options || a[0] != '-' || a[1] == '\0') {
			if (o->command == NULL) {
				if (!options_valid_command(a)) {
					snprintf(err, errlen, "unknown command "
					    "\"%.60s\"", a);
					return -1;
				}
				o->command = a;
				continue;
			}
			if (o->nargs >= OPTIONS_MAX_ARGS ||
			    o->nargs >= find_command(o->command)->max_args) {
				snprintf(err, errlen, "unexpected argument "
				    "\"%.60s\"", a);
				return -1;
			}
			o->args[o->nargs++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			no_more_options = true;
			continue;
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			o->version = true;
			continue;
		}
		eq = strchr(a, '=');
		nlen = eq != NULL ? (size_t)(eq - a) : strlen(a);
		for (size_t k = 0; k < NOPTS; k++)
			if (strlen(option_defs[k].name) == nlen &&
			    memcmp(option_defs[k].name, a, nlen) == 0)
				d = &option_defs[k];
		if (d == NULL) {
			snprintf(err, errlen, "unknown option \"%.60s\"", a);
			return -1;
		}
		if (!option_applies(d, o->command)) {
			snprintf(err, errlen, "option %s does not apply to %s",
			    d->name, o->command ? o->command :
			    "tipline without a command");
			return -1;
		}
		if (d->has_arg) {
			if (eq != NULL)
				value = eq + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else {
				snprintf(err, errlen, "option %s needs a value",
				    d->name);
				return -1;
			}
			*(const char **)((char *)o + d->offset) = value;
		} else {
			if (eq != NULL) {
				snprintf(err, errlen, "option %s takes no value",
				    d->name);
				return -1;
			}
			*(bool *)((char *)o + d->offset) = true;
		}
	}
	return 0;
}

void
options_usage(const char *cmd, void *fp)
{
	FILE *f = fp;
	const struct command_def *c = cmd != NULL ? find_command(cmd) : NULL;

	if (c == NULL) {
		fprintf(f, "usage: tipline [--config FILE] [--data DIR] COMMAND "
		    "[OPTIONS]\n       tipline --version\n\n"
		    "tipline takes tips from the public by web form and "
		    "e-mail, stores them\nencrypted and routes them to the "
		    "county bureau in charge.\n\ncommands:\n");
		for (size_t i = 0; i < NCMDS; i++)
			fprintf(f, "  %-8s %s\n", command_defs[i].name,
			    command_defs[i].summary);
		fprintf(f, "\nTry `tipline COMMAND --help` for a command's "
		    "options.\n");
	} else {
		fprintf(f, "usage: tipline %s [--config FILE] [--data DIR] %s\n"
		    "\n%s\n", c->name, c->args, c->summary);
	}
	fprintf(f, "\noptions:\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct option_def *d = &option_defs[i];
		const char *sp;

		if (d->help == NULL || (c != NULL && !option_applies(d, c->name))
		    || (c == NULL && strcmp(d->commands, "*") != 0))
			continue;
		sp = strchr(d->help, ' ');
		fprintf(f, "  %s %-*.*s %s\n", d->name,
		    (int)(22 - strlen(d->name)),
		    sp ? (int)(sp - d->help) : 0, d->help,
		    sp ? sp + 2 : d->help);
	}
	fprintf(f, "\nThe data directory is --data, else the config's data_dir, "
	    "else $TIPLINE_DATA,\nelse ./var.\n");
}
