/* SPDX-License-Identifier: MIT */
/*
 * tipline's entry point: options, configuration, then the subcommand.
 *
 * Exit codes: 0 success; 1 failure (a message on stderr); 64 a usage error.
 */
#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_build.h"
#include "service/backup.h"
#include "service/config.h"
#include "service/datadir.h"
#include "service/ingest_mail.h"
#include "service/institutions.h"
#include "service/refdata_admin.h"
#include "service/keys_rotate.h"
#include "service/log.h"
#include "service/options.h"
#include "service/report_cmd.h"
#include "service/serve.h"
#include "service/user_cmd.h"
#include "service/verify.h"

#define EXIT_USAGE 64

int
main(int argc, char *argv[])
{
	struct options o;
	struct config cfg;
	char err[CONFIG_ERR_MAX];
	/* An MTA pipe reads 75 as "try again later": ingest-mail never
	 * answers a set-up fault with 1 (contract.md, "Command line"). */
	int fail = 1;

	/* Everything tipline creates is for its own user only. */
	umask(077);
	setlocale(LC_ALL, "");
	log_init("tipline", false);
	if (options_parse(argc, argv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: %s\nTry `tipline --help`.\n", err);
		return EXIT_USAGE;
	}
	if (o.version) {
		printf("tipline %s\n", TIPLINE_VERSION);
		return 0;
	}
	if (o.help) {
		options_usage(o.command, stdout);
		return 0;
	}
	if (o.command == NULL) {
		options_usage(NULL, stderr);
		return EXIT_USAGE;
	}
	log_init("tipline", o.debug);
	if (strcmp(o.command, "ingest-mail") == 0)
		fail = INGEST_MAIL_EX_TEMPFAIL;
	if (sodium_init() < 0) {
		fprintf(stderr, "tipline: cannot initialise libsodium\n");
		return fail;
	}

	config_defaults(&cfg);
	if (o.config_path != NULL &&
	    config_load_file(&cfg, o.config_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: %s\n", err);
		return fail;
	}
	if (config_resolve_paths(&cfg, o.data_dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "tipline: %s\n", err);
		return fail;
	}

	if (strcmp(o.command, "serve") == 0)
		return serve_main(&cfg, &o);
	if (strcmp(o.command, "verify") == 0)
		return verify_main(&cfg);
	if (strcmp(o.command, "report") == 0)
		return report_cmd_main(&cfg, &o);
	if (strcmp(o.command, "institutions") == 0)
		return institutions_main(&cfg, &o);
	if (strcmp(o.command, "refdata") == 0 ||
	    strcmp(o.command, "calendar") == 0)
		return refdata_admin_main(&cfg, &o);
	if (strcmp(o.command, "user") == 0)
		return user_cmd_main(&cfg, &o, stdin, stdout);
	if (strcmp(o.command, "ingest-mail") == 0)
		return ingest_mail_main(&cfg, &o);
	if (strcmp(o.command, "backup") == 0 || strcmp(o.command, "restore") ==
	    0 || strcmp(o.command, "keys") == 0) {
		if (o.nargs != 1 || (strcmp(o.command, "keys") == 0 &&
		    strcmp(o.args[0], "rotate") != 0)) {
			options_usage(o.command, stderr);
			return EXIT_USAGE;
		}
		if (strcmp(o.command, "backup") == 0)
			return backup_main(&cfg, o.args[0]);
		if (strcmp(o.command, "restore") == 0)
			return restore_main(&cfg, o.args[0]);
		return keys_rotate_main(&cfg);
	}
	if (strcmp(o.command, "init") == 0) {
		int rc = datadir_init(&cfg, stdout, err, sizeof(err));

		if (rc != 0)
			fprintf(stderr, "tipline: %s\n", err);
		return rc == 0 ? 0 : 1;
	}
	fprintf(stderr, "tipline: unknown command %s\n", o.command);
	return EXIT_USAGE;
}
