/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of service/config.c: defaults, every key of the contract's
 * example, and each kind of error naming the file, the line and the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "service/config.h"

static const char contract_example[] =
    "[server]\n"
    "data_dir = /srv/tipline\n"
    "key_file = /etc/tipline/master.key\n"
    "http_listen = 127.0.0.1:8081\n"
    "lmtp_listen = [::1]:2525\n"
    "public_url = https://tips.example.cn\n"
    "workers = 8\n"
    "\n"
    "[limits]\n"
    "attachment_max_mb = 25\n"
    "attachments_max = 12\n"
    "tip_max_mb = 60\n"
    "inflight_max_mb = 512\n"
    "mail_max_mb = 40\n"
    "submissions_per_hour = 0      ; 0 = no limit\n"
    "\n"
    "[mail]\n"
    "tip_addresses = tips@localhost, jubao@jcsjj.gov.cn\n"
    "bureau_addresses =  140581:gaoping@localhost,140522:yc@localhost\n"
    "sendmail_command =             ; empty\n"
    "\n"
    "[security]\n"
    "cookie_secure = true\n";

static void
test_defaults(void **state)
{
	struct config c;

	(void)state;
	config_defaults(&c);
	assert_string_equal(c.http_listen, "127.0.0.1:8080");
	assert_string_equal(c.lmtp_listen, "127.0.0.1:2424");
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.attachment_max, 20 * MIB);
	assert_int_equal(c.attachments_max, 10);
	assert_int_equal(c.tip_max, 50 * MIB);
	assert_int_equal(c.inflight_max, 256 * MIB);
	assert_int_equal(c.mail_max, 50 * MIB);
	assert_int_equal(c.submissions_per_hour, 30);
	assert_string_equal(c.tip_addresses, "tips@localhost");
	assert_false(c.cookie_secure);
}

static void
test_every_key(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_parse_text(&c, contract_example, "t.ini", err,
	    sizeof(err)), 0);
	assert_string_equal(c.data_dir, "/srv/tipline");
	assert_true(c.data_dir_set);
	assert_string_equal(c.key_file, "/etc/tipline/master.key");
	assert_string_equal(c.http_listen, "127.0.0.1:8081");
	assert_string_equal(c.lmtp_listen, "[::1]:2525");
	assert_string_equal(c.public_url, "https://tips.example.cn");
	assert_int_equal(c.workers, 8);
	assert_int_equal(c.attachment_max, 25 * MIB);
	assert_int_equal(c.attachments_max, 12);
	assert_int_equal(c.tip_max, 60 * MIB);
	assert_int_equal(c.inflight_max, 512 * MIB);
	assert_int_equal(c.mail_max, 40 * MIB);
	assert_int_equal(c.submissions_per_hour, 0);
	assert_string_equal(c.tip_addresses,
	    "tips@localhost, jubao@jcsjj.gov.cn");
	assert_string_equal(c.sendmail_command, "");
	assert_true(c.cookie_secure);
}

/* Parse text and expect failure with an error starting with want. */
static void
expect_error(const char *text, const char *want)
{
	struct config c;
	char err[CONFIG_ERR_MAX] = "";

	config_defaults(&c);
	assert_int_equal(config_parse_text(&c, text, "/etc/t.ini", err,
	    sizeof(err)), -1);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("error \"%s\" does not start with \"%s\"", err, want);
}

static void
test_errors_name_file_line_reason(void **state)
{
	(void)state;
	expect_error("[server]\nworkers = many\n",
	    "/etc/t.ini:2: bad value for workers");
	expect_error("[server]\n\n\nworkers = 0\n",
	    "/etc/t.ini:4: bad value for workers");
	expect_error("[server]\ncolour = blue\n",
	    "/etc/t.ini:2: unknown key \"colour\" in [server]");
	expect_error("[nope]\nx = 1\n", "/etc/t.ini:2: unknown section [nope]");
	expect_error("[limits]\ntip_max_mb = 10MB\n",
	    "/etc/t.ini:2: bad value for tip_max_mb");
	expect_error("[limits]\ntip_max_mb = -1\n",
	    "/etc/t.ini:2: bad value for tip_max_mb");
	expect_error("[limits]\nattachment_max_mb = 99999999999999999999\n",
	    "/etc/t.ini:2: bad value for attachment_max_mb");
	expect_error("[server]\nhttp_listen = localhost\n",
	    "/etc/t.ini:2: bad value for http_listen");
	expect_error("[server]\nhttp_listen = 1.2.3.4:70000\n",
	    "/etc/t.ini:2: bad value for http_listen");
	expect_error("[server]\npublic_url = ftp://x\n",
	    "/etc/t.ini:2: bad value for public_url");
	expect_error("[security]\ncookie_secure = maybe\n",
	    "/etc/t.ini:2: bad value for cookie_secure");
	expect_error("[mail]\ntip_addresses = not-an-address\n",
	    "/etc/t.ini:2: bad value for tip_addresses");
	expect_error("[mail]\nbureau_addresses = gaoping@localhost\n",
	    "/etc/t.ini:2: bad value for bureau_addresses");
	expect_error("[server]\nworkers = 2\nworkers = 3\n",
	    "/etc/t.ini:3: workers is set twice");
	expect_error("[server]\nthis line has no equals sign\n",
	    "/etc/t.ini:2: syntax error");
	expect_error("[server]\ndata_dir =\n",
	    "/etc/t.ini:2: data_dir must not be empty");
}

static void
test_first_error_wins(void **state)
{
	(void)state;
	expect_error("[server]\nworkers = x\nbogus = 1\n",
	    "/etc/t.ini:2: bad value for workers");
}

static void
test_resolve_paths(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	/* --data beats the file, the file beats $TIPLINE_DATA. */
	config_defaults(&c);
	assert_int_equal(config_parse_text(&c, "[server]\ndata_dir = /f\n",
	    "t", err, sizeof(err)), 0);
	setenv("TIPLINE_DATA", "/env", 1);
	assert_int_equal(config_resolve_paths(&c, "/arg", err, sizeof(err)),
	    0);
	assert_string_equal(c.data_dir, "/arg");
	assert_string_equal(c.key_file, "/arg/keys/master.key");

	config_defaults(&c);
	assert_int_equal(config_parse_text(&c, "[server]\ndata_dir = /f\n",
	    "t", err, sizeof(err)), 0);
	assert_int_equal(config_resolve_paths(&c, NULL, err, sizeof(err)), 0);
	assert_string_equal(c.data_dir, "/f");

	config_defaults(&c);
	assert_int_equal(config_resolve_paths(&c, NULL, err, sizeof(err)), 0);
	assert_string_equal(c.data_dir, "/env");

	unsetenv("TIPLINE_DATA");
	config_defaults(&c);
	assert_int_equal(config_resolve_paths(&c, NULL, err, sizeof(err)), 0);
	assert_string_equal(c.data_dir, "./var");
	assert_string_equal(c.key_file, "./var/keys/master.key");

	/* An explicit key_file stays. */
	config_defaults(&c);
	assert_int_equal(config_parse_text(&c, "[server]\nkey_file = /k\n",
	    "t", err, sizeof(err)), 0);
	assert_int_equal(config_resolve_paths(&c, "/d", err, sizeof(err)), 0);
	assert_string_equal(c.key_file, "/k");
}

static void
test_load_file(void **state)
{
	struct config c;
	char err[CONFIG_ERR_MAX] = "", path[] = "/tmp/tipline-cfg-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[limits]\ntip_max_mb = 2\n", 24), 24);
	close(fd);
	config_defaults(&c);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
	assert_int_equal(c.tip_max, 2 * MIB);
	unlink(path);
	assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
}

static void
test_split_listen(void **state)
{
	char host[64];
	uint16_t port;

	(void)state;
	assert_int_equal(config_split_listen("127.0.0.1:0", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 0);
	assert_int_equal(config_split_listen("[::1]:8080", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "::1");
	assert_int_equal(port, 8080);
	assert_int_equal(config_split_listen("::1:80", host, sizeof(host),
	    &port), -1);
	assert_int_equal(config_split_listen(":80", host, sizeof(host),
	    &port), -1);
	assert_int_equal(config_split_listen("a b:80", host, sizeof(host),
	    &port), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_errors_name_file_line_reason),
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_resolve_paths),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_split_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
