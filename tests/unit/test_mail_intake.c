/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of service/mail_intake.c: the recipient rules
 * (mail_intake_recipient: tip addresses, bureau addresses, +CODE
 * sub-addresses, case, angle brackets), the mapping of a parsed message to
 * a tip (mail_intake_tip_build: summary, details, contact, anonymity, the
 * original first, dedup bytes, review flag), and, end to end in a
 * temporary data directory, mail_intake_submit(): a message with an
 * executable attachment is stored with the executable left out, the same
 * delivery twice is one tip, a malformed message is stored.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "service/config.h"
#include "service/datadir.h"
#include "service/log.h"
#include "service/mail_intake.h"
#include "service/mail_parse.h"
#include "service/service.h"

static char sample_dir[4096];

/* Find tests/data/mail/ (as test_mail_parse.c does). */
static int
setup(void **state)
{
	char exe[4096], dir[4096];
	const char *env = getenv("TIPLINE_MAIL_SAMPLES");
	const char *cands[4];
	size_t n = 0;
	ssize_t k;
	char *slash;

	(void)state;
	log_init("test_mail_intake", false);
	if (sodium_init() < 0)
		return -1;
	if (env != NULL)
		cands[n++] = env;
	snprintf(dir, sizeof(dir), "%s", __FILE__);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	g_strlcat(dir, "/../data/mail/", sizeof(dir));
	cands[n++] = dir;
	if ((k = readlink("/proc/self/exe", exe, sizeof(exe) - 64)) > 0) {
		exe[k] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		g_strlcat(exe, "/../../tests/data/mail/", sizeof(exe));
		cands[n++] = exe;
	}
	cands[n++] = "tests/data/mail/";
	for (size_t i = 0; i < n; i++) {
		char probe[4200];

		snprintf(probe, sizeof(probe), "%s/gbk.eml", cands[i]);
		if (access(probe, R_OK) == 0) {
			snprintf(sample_dir, sizeof(sample_dir), "%s",
			    cands[i]);
			return 0;
		}
	}
	fprintf(stderr, "tests/data/mail not found; "
	    "set TIPLINE_MAIL_SAMPLES\n");
	return -1;
}

static unsigned char *
load(const char *name, size_t *len)
{
	char path[4400];
	gchar *data = NULL;
	gsize n = 0;
	unsigned char *out;

	snprintf(path, sizeof(path), "%s/%s", sample_dir, name);
	assert_true(g_file_get_contents(path, &data, &n, NULL));
	out = malloc(n > 0 ? n : 1);
	assert_non_null(out);
	memcpy(out, data, n);
	g_free(data);
	*len = n;
	return out;
}

/* Recipients. */

static void
cfg_mail(struct config *cfg, const char *tips, const char *bureaus)
{
	config_defaults(cfg);
	snprintf(cfg->tip_addresses, sizeof(cfg->tip_addresses), "%s", tips);
	snprintf(cfg->bureau_addresses, sizeof(cfg->bureau_addresses), "%s",
	    bureaus);
}

static int
rcpt(const struct config *cfg, const char *addr, char *code, size_t n)
{
	return mail_intake_recipient(cfg, addr, code, n);
}

static void
test_recipient_tip_addresses(void **state)
{
	struct config cfg;
	char code[32];

	(void)state;
	cfg_mail(&cfg, "tips@localhost, Report@Example.ORG", "");
	assert_int_equal(rcpt(&cfg, "tips@localhost", code, sizeof(code)), 0);
	assert_string_equal(code, "");
	assert_int_equal(rcpt(&cfg, "TIPS@LocalHost", code, sizeof(code)), 0);
	assert_int_equal(rcpt(&cfg, "<tips@localhost>", code, sizeof(code)),
	    0);
	assert_int_equal(rcpt(&cfg, "  <report@example.org>  ", code,
	    sizeof(code)), 0);
	assert_int_equal(rcpt(&cfg, "report@example.org", code, sizeof(code)),
	    0);
	assert_int_equal(rcpt(&cfg, "other@localhost", code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "tips@localhost.evil", code, sizeof(code)),
	    -1);
	assert_int_equal(rcpt(&cfg, "xtips@localhost", code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "", code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, NULL, code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "<>", code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "tips", code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "@localhost", code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "tips@", code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "tips @localhost", code, sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "tips@local\x01host", code, sizeof(code)),
	    -1);
}

static void
test_recipient_sub_address(void **state)
{
	struct config cfg;
	char code[32];

	(void)state;
	cfg_mail(&cfg, "tips@localhost", "");
	assert_int_equal(rcpt(&cfg, "tips+140581@localhost", code,
	    sizeof(code)), 1);
	assert_string_equal(code, "140581");
	assert_int_equal(rcpt(&cfg, "<Tips+140500-DZ@LOCALHOST>", code,
	    sizeof(code)), 1);
	assert_string_equal(code, "140500-dz");
	/* Not code-shaped: a plain tip address. */
	assert_int_equal(rcpt(&cfg, "tips+hello@localhost", code,
	    sizeof(code)), 0);
	assert_string_equal(code, "");
	assert_int_equal(rcpt(&cfg, "tips+@localhost", code, sizeof(code)), 0);
	assert_int_equal(rcpt(&cfg, "tips+14058_1@localhost", code,
	    sizeof(code)), 0);
	assert_int_equal(rcpt(&cfg, "tips+12345678901234567@localhost", code,
	    sizeof(code)), 0);
	/* The base must be a tip address. */
	assert_int_equal(rcpt(&cfg, "other+140581@localhost", code,
	    sizeof(code)), -1);
	assert_int_equal(rcpt(&cfg, "+140581@localhost", code, sizeof(code)),
	    -1);
	/* A code that does not fit the caller's buffer: no hint. */
	assert_int_equal(rcpt(&cfg, "tips+140581@localhost", code, 4), 0);
}

static void
test_recipient_bureau_addresses(void **state)
{
	struct config cfg;
	char code[32];

	(void)state;
	cfg_mail(&cfg, "tips@localhost",
	    "140581:gaoping@localhost, 140525 : ZeZhou@Example.org,bad,"
	    ":nocode@localhost,140500-dz:<dz@localhost>");
	assert_int_equal(rcpt(&cfg, "gaoping@localhost", code, sizeof(code)),
	    1);
	assert_string_equal(code, "140581");
	assert_int_equal(rcpt(&cfg, "<zezhou@EXAMPLE.ORG>", code,
	    sizeof(code)), 1);
	assert_string_equal(code, "140525");
	assert_int_equal(rcpt(&cfg, "dz@localhost", code, sizeof(code)), 1);
	assert_string_equal(code, "140500-dz");
	/* A +tag on a bureau address is that bureau. */
	assert_int_equal(rcpt(&cfg, "gaoping+x@localhost", code, sizeof(code)),
	    1);
	assert_string_equal(code, "140581");
	assert_int_equal(rcpt(&cfg, "nocode@localhost", code, sizeof(code)),
	    -1);
	assert_int_equal(rcpt(&cfg, "tips@localhost", code, sizeof(code)), 0);
	/* No configured addresses at all. */
	cfg_mail(&cfg, "", "");
	assert_int_equal(rcpt(&cfg, "tips@localhost", code, sizeof(code)), -1);
}

/* The mapping. */

static void
parse_sample(const char *name, struct mail_parsed *p, unsigned char **msg,
    size_t *len)
{
	struct mail_limits l;

	*msg = load(name, len);
	mail_limits_default(&l);
	assert_int_equal(mail_parse(*msg, *len, &l, p), 0);
}

static void
hex_sha256(const unsigned char *m, size_t n, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, m, n);
	sodium_bin2hex(out, 65, d, sizeof(d));
}

static void
test_build_gb2312(void **state)
{
	struct mail_parsed p;
	struct mail_intake_tip mt;
	unsigned char *msg;
	size_t len;
	char hex[65], want[256];

	(void)state;
	parse_sample("gb2312.eml", &p, &msg, &len);
	assert_int_equal(mail_intake_tip_build(&p, msg, len, "140581", &mt),
	    0);
	assert_string_equal(mt.tip.channel, "email");
	assert_string_equal(mt.tip.summary, "举报某检测公司出具虚假报告");
	assert_string_equal(mt.tip.details, p.text);
	assert_string_equal(mt.tip.contact_email, "wangkun@example.cn");
	assert_string_equal(mt.tip.contact_name, "王堃");
	assert_null(mt.tip.contact_phone);
	assert_null(mt.tip.county);
	assert_string_equal(mt.tip.hint_bureau, "140581");
	assert_true(mt.tip.drop_bad_files);
	assert_false(mt.tip.needs_review);
	assert_int_equal(mt.tip.nfiles, 2);
	assert_string_equal(mt.tip.files[0].field, "original");
	assert_string_equal(mt.tip.files[0].name, "original.eml");
	assert_true(mt.tip.files[0].is_original_mail);
	assert_ptr_equal(mt.tip.files[0].data, msg);
	assert_int_equal(mt.tip.files[0].len, len);
	assert_string_equal(mt.tip.files[1].field, "attachments");
	assert_string_equal(mt.tip.files[1].name, "检测报告.pdf");
	assert_false(mt.tip.files[1].is_original_mail);
	hex_sha256(msg, len, hex);
	snprintf(want, sizeof(want), "msgid:gb2312.0001@example.cn\n%s", hex);
	assert_int_equal(mt.tip.dedup_len, strlen(want));
	assert_memory_equal(mt.tip.dedup, want, strlen(want));
	mail_intake_tip_free(&mt);
	mail_intake_tip_free(&mt);	/* zeroed: harmless */
	mail_intake_tip_free(NULL);
	mail_parsed_free(&p);
	free(msg);
}

static void
test_build_anonymous_and_forged(void **state)
{
	struct mail_parsed p;
	struct mail_intake_tip mt;
	unsigned char *msg;
	size_t len;

	(void)state;
	parse_sample("anonymous.eml", &p, &msg, &len);
	assert_true(p.anonymous);
	assert_int_equal(mail_intake_tip_build(&p, msg, len, NULL, &mt), 0);
	assert_null(mt.tip.contact_email);
	assert_null(mt.tip.contact_name);
	assert_null(mt.tip.hint_bureau);
	mail_intake_tip_free(&mt);
	mail_parsed_free(&p);
	free(msg);

	/* X-Tipline-Bureau and X-Priority reach nothing. */
	parse_sample("forged_headers.eml", &p, &msg, &len);
	assert_int_equal(mail_intake_tip_build(&p, msg, len, NULL, &mt), 0);
	assert_null(mt.tip.hint_bureau);
	assert_null(mt.tip.county);
	assert_false(mt.tip.needs_review);
	assert_string_equal(mt.tip.summary, "Forged headers");
	mail_intake_tip_free(&mt);
	mail_parsed_free(&p);
	free(msg);
}

/* A hand-made parse result (the builder only reads it). */
static void
fake(struct mail_parsed *p, const char *subject, const char *text,
    const char *addr, const char *name, const char *msgid)
{
	memset(p, 0, sizeof(*p));
	p->subject = (char *)(uintptr_t)subject;
	p->text = (char *)(uintptr_t)text;
	p->from_addr = (char *)(uintptr_t)addr;
	p->from_name = (char *)(uintptr_t)name;
	p->message_id = (char *)(uintptr_t)msgid;
}

static void
test_build_fields(void **state)
{
	struct mail_parsed p;
	struct mail_intake_tip mt;
	GString *subj = g_string_new(""), *text = g_string_new(""),
	    *name = g_string_new("");
	const char *raw = "raw bytes";

	(void)state;
	/* Empty subject and text: the placeholders. */
	fake(&p, "  ", "\n\n", "", "", "");
	assert_int_equal(mail_intake_tip_build(&p, raw, 9, NULL, &mt), 0);
	assert_string_equal(mt.tip.summary, "(无主题)");
	assert_string_equal(mt.tip.details, "(邮件无正文)");
	assert_null(mt.tip.contact_email);
	assert_null(mt.tip.contact_name);
	assert_false(mt.tip.needs_review);
	/* No Message-ID: the digest alone. */
	assert_int_equal(mt.tip.dedup_len, 64);
	mail_intake_tip_free(&mt);

	/* Over-long fields are cut on character boundaries. */
	for (int i = 0; i < 250; i++)
		g_string_append(subj, "题");
	g_string_append(subj, "\nline two");
	for (int i = 0; i < 20010; i++)
		g_string_append(text, "文");
	for (int i = 0; i < 210; i++)
		g_string_append(name, "名");
	fake(&p, subj->str, text->str, "a@example.org", name->str, "id@x");
	assert_int_equal(mail_intake_tip_build(&p, raw, 9, NULL, &mt), 0);
	assert_int_equal(g_utf8_strlen(mt.tip.summary, -1), 200);
	assert_true(g_utf8_validate(mt.tip.summary, -1, NULL));
	assert_int_equal(g_utf8_strlen(mt.tip.details, -1), 20000);
	assert_true(mt.details_cut);
	assert_true(mt.tip.needs_review);	/* the text was cut */
	assert_int_equal(g_utf8_strlen(mt.tip.contact_name, -1), 200);
	mail_intake_tip_free(&mt);

	/* Newlines in a subject become spaces; malformed: review. */
	fake(&p, "a\r\nb\tc", "x", "a@example.org", "N", "");
	p.malformed = true;
	assert_int_equal(mail_intake_tip_build(&p, raw, 9, NULL, &mt), 0);
	assert_string_equal(mt.tip.summary, "a  b c");
	assert_true(mt.tip.needs_review);
	mail_intake_tip_free(&mt);

	g_string_free(subj, TRUE);
	g_string_free(text, TRUE);
	g_string_free(name, TRUE);
}

static void
test_build_contact_email_check(void **state)
{
	static const char *bad[] = { "a b@c", "x@y@z", "@x", "x@", "nobody",
	    "<a@b>", "a,b@c", "a;b@c", "\"q\"@c", NULL };
	struct mail_parsed p;
	struct mail_intake_tip mt;
	char longaddr[300];

	(void)state;
	for (int i = 0; bad[i] != NULL; i++) {
		fake(&p, "s", "t", bad[i], "Name", "");
		assert_int_equal(mail_intake_tip_build(&p, "m", 1, NULL, &mt),
		    0);
		assert_null(mt.tip.contact_email);
		/* The name is kept even when the address is not. */
		assert_string_equal(mt.tip.contact_name, "Name");
		mail_intake_tip_free(&mt);
	}
	memset(longaddr, 'a', sizeof(longaddr) - 1);
	longaddr[sizeof(longaddr) - 1] = '\0';
	longaddr[100] = '@';
	fake(&p, "s", "t", longaddr, "", "");
	assert_int_equal(mail_intake_tip_build(&p, "m", 1, NULL, &mt), 0);
	assert_null(mt.tip.contact_email);
	mail_intake_tip_free(&mt);
}

static void
test_build_dedup(void **state)
{
	struct mail_parsed p;
	struct mail_intake_tip a, b;

	(void)state;
	fake(&p, "s", "t", "", "", "same@id");
	assert_int_equal(mail_intake_tip_build(&p, "one", 3, NULL, &a), 0);
	assert_int_equal(mail_intake_tip_build(&p, "one", 3, NULL, &b), 0);
	assert_int_equal(a.tip.dedup_len, b.tip.dedup_len);
	assert_memory_equal(a.tip.dedup, b.tip.dedup, a.tip.dedup_len);
	mail_intake_tip_free(&b);
	/* Same Message-ID, other bytes: another delivery. */
	assert_int_equal(mail_intake_tip_build(&p, "two", 3, NULL, &b), 0);
	assert_int_equal(a.tip.dedup_len, b.tip.dedup_len);
	assert_true(memcmp(a.tip.dedup, b.tip.dedup, a.tip.dedup_len) != 0);
	mail_intake_tip_free(&a);
	mail_intake_tip_free(&b);
}

/* End to end in a temporary data directory. */

struct e2e {
	char dir[256];
	struct config cfg;
	struct service *svc;
	void *worker;
};

static int
e2e_setup(void **state)
{
	struct e2e *e = calloc(1, sizeof(*e));
	const char *tmp = getenv("TMPDIR");
	char err[2048];
	FILE *devnull;

	if (e == NULL)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "%s/mail_intake.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	config_defaults(&e->cfg);
	if (config_resolve_paths(&e->cfg, e->dir, err, sizeof(err)) != 0 ||
	    (devnull = fopen("/dev/null", "w")) == NULL)
		return -1;
	if (datadir_init(&e->cfg, devnull, err, sizeof(err)) != 0) {
		fprintf(stderr, "datadir_init: %s\n", err);
		fclose(devnull);
		return -1;
	}
	fclose(devnull);
	if (service_open(&e->cfg, &e->svc, err, sizeof(err)) != 0 ||
	    service_worker_init(e->svc, &e->worker) != 0) {
		fprintf(stderr, "service: %s\n", err);
		return -1;
	}
	*state = e;
	return 0;
}

static void
rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *name;

	if (d != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			char *sub = g_build_filename(path, name, NULL);

			if (g_file_test(sub, G_FILE_TEST_IS_DIR) &&
			    !g_file_test(sub, G_FILE_TEST_IS_SYMLINK))
				rm_rf(sub);
			else
				g_unlink(sub);
			g_free(sub);
		}
		g_dir_close(d);
	}
	g_rmdir(path);
}

static int
e2e_teardown(void **state)
{
	struct e2e *e = *state;

	if (e == NULL)
		return 0;
	service_worker_fini(e->svc, e->worker);
	service_close(&e->svc);
	rm_rf(e->dir);
	free(e);
	return 0;
}

static void
test_e2e_submit(void **state)
{
	struct e2e *e = *state;
	struct intake_result r1, r2, r3;
	unsigned char *msg;
	size_t len;

	/* An executable attachment: stored, the executable left out. */
	msg = load("exe_attachment.eml", &len);
	mail_intake_submit(e->worker, msg, len, NULL, &r1);
	if (r1.status != INTAKE_OK)
		print_error("status %d: %s\n", r1.status, r1.message);
	assert_int_equal(r1.status, INTAKE_OK);
	assert_false(r1.duplicate);
	assert_true(r1.id[0] != '\0');
	assert_int_equal(strlen(r1.receipt), INTAKE_RECEIPT_DIGITS);

	/* The same delivery again: the same tip. */
	mail_intake_submit(e->worker, msg, len, NULL, &r2);
	assert_int_equal(r2.status, INTAKE_OK);
	assert_true(r2.duplicate);
	assert_string_equal(r2.id, r1.id);
	free(msg);

	/* Garbage is still a tip (flagged), with a bureau hint. */
	msg = load("garbage.eml", &len);
	mail_intake_submit(e->worker, msg, len, "140581", &r3);
	assert_int_equal(r3.status, INTAKE_OK);
	assert_false(r3.duplicate);
	assert_string_not_equal(r3.id, r1.id);
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recipient_tip_addresses),
		cmocka_unit_test(test_recipient_sub_address),
		cmocka_unit_test(test_recipient_bureau_addresses),
		cmocka_unit_test(test_build_gb2312),
		cmocka_unit_test(test_build_anonymous_and_forged),
		cmocka_unit_test(test_build_fields),
		cmocka_unit_test(test_build_contact_email_check),
		cmocka_unit_test(test_build_dedup),
		cmocka_unit_test_setup_teardown(test_e2e_submit, e2e_setup,
		    e2e_teardown),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
