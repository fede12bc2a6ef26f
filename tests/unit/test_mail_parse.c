/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of service/mail_parse.c.  The sample messages of
 * tests/data/mail/ (made by make_samples.py with Python's email package,
 * committed, so no Python is needed here) cover each charset the contract
 * names (GB2312, GBK, GB18030, Big5, UTF-8) with RFC 2047 B and Q words
 * and RFC 2231 continuations, and the shapes Chinese clients send
 * (Foxmail, QQ Mail HTML-only, Outlook multipart/related, an attached
 * .eml, raw 8-bit headers).  Hostile structure is built here: 10 000
 * nested multiparts, too many parts, oversized header blocks, long text,
 * binary garbage, no headers.  Every result is also checked for the
 * parser's promises (strict UTF-8, no control characters, bounds).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>

#include <glib.h>

#include "service/mail_parse.h"

/* Source files are compiled as "../tests/unit/test_mail_parse.c". */
#define SAMPLES_REL	"/../data/mail/"

static char sample_dir[4096];

/* Find tests/data/mail/ from __FILE__, the executable or the source root. */
static int
find_samples(void **state)
{
	char exe[4096], dir[4096];
	const char *env = getenv("TIPLINE_MAIL_SAMPLES");
	const char *cands[4];
	size_t n = 0;
	ssize_t k;
	char *slash;

	(void)state;
	if (env != NULL)
		cands[n++] = env;
	snprintf(dir, sizeof(dir), "%s", __FILE__);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	g_strlcat(dir, SAMPLES_REL, sizeof(dir));
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

/* Strict UTF-8 (GLib rejects surrogates, overlong forms, > U+10FFFF). */
static void
check_utf8(const char *s, bool one_line)
{
	assert_non_null(s);
	assert_true(g_utf8_validate(s, -1, NULL));
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (one_line)
			assert_true(*p >= 0x20 && *p != 0x7f);
		else
			assert_true((*p >= 0x20 && *p != 0x7f) || *p == '\n' ||
			    *p == '\t');
	}
}

/* The promises of mail_parse.h on any result. */
static void
check_promises(const struct mail_parsed *p, const struct mail_limits *l)
{
	check_utf8(p->subject, true);
	check_utf8(p->from_addr, true);
	check_utf8(p->from_name, true);
	check_utf8(p->message_id, true);
	check_utf8(p->text, false);
	assert_true(strlen(p->text) <= l->text_max);
	assert_true(p->natt <= l->parts_max);
	assert_true((p->natt == 0) == (p->att == NULL) || p->natt > 0);
	assert_true(memchr(p->problem, '\0', sizeof(p->problem)) != NULL);
	if (p->malformed)
		assert_true(p->problem[0] != '\0');
	for (size_t i = 0; i < p->natt; i++) {
		check_utf8(p->att[i].name, true);
		check_utf8(p->att[i].declared_type, true);
		assert_true(p->att[i].data != NULL);
	}
}

static void
parse_limits(const void *msg, size_t len, const struct mail_limits *l,
    struct mail_parsed *p)
{
	assert_int_equal(mail_parse(msg, len, l, p), 0);
	check_promises(p, l);
}

static void
parse(const void *msg, size_t len, struct mail_parsed *p)
{
	struct mail_limits l;

	mail_limits_default(&l);
	parse_limits(msg, len, &l, p);
}

static void
parse_sample(const char *name, struct mail_parsed *p)
{
	size_t len;
	unsigned char *m = load(name, &len);

	parse(m, len, p);
	free(m);
}

static void
parse_str(const char *s, struct mail_parsed *p)
{
	parse(s, strlen(s), p);
}

static const struct mail_attachment *
att_named(const struct mail_parsed *p, const char *name)
{
	for (size_t i = 0; i < p->natt; i++)
		if (strcmp(p->att[i].name, name) == 0)
			return &p->att[i];
	return NULL;
}

static bool
has_pdf(const struct mail_attachment *a)
{
	return a != NULL && a->len > 5 && memcmp(a->data, "%PDF-", 5) == 0;
}

/* Charsets and clients. */

static void
test_gb2312_labelled_gbk(void **state)
{
	struct mail_parsed p;
	const struct mail_attachment *a;

	(void)state;
	parse_sample("gb2312.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "举报某检测公司出具虚假报告");
	/* 堃 is GBK, not GB2312: read as GB18030, the superset. */
	assert_string_equal(p.from_name, "王堃");
	assert_string_equal(p.from_addr, "wangkun@example.cn");
	assert_string_equal(p.message_id, "gb2312.0001@example.cn");
	assert_string_equal(p.text, "您好：\n\n我要举报晋城市某检测有限公司"
	    "出具虚假检验报告。联系人：王堃。\n\n此致");
	assert_int_equal(p.natt, 1);
	a = att_named(&p, "检测报告.pdf");
	assert_true(has_pdf(a));
	assert_string_equal(a->declared_type, "application/pdf");
	assert_false(a->inline_part);
	assert_false(a->is_message);
	assert_false(p.anonymous);
	mail_parsed_free(&p);
}

/*
 * A subject split into several B words, each padded: GMime alone decoded
 * only the first of a run in one charset; labels iconv does not know
 * (Python's big5_tw, eucgb2312_cn) read as Big5 and GB18030.
 */
static void
test_split_padded_encoded_words(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_str("From: a@example.cn\r\nSubject: =?GBK?b?vtmxqMSzvOyy4g==?= "
	    "=?gbk?b?uavLvsr9vt0=?=\r\n =?gbk?b?1Oy82Q==?= and "
	    "=?eucgb2312_cn?q?=BC=EC=B2=E2?=\r\n\r\nbody\r\n", &p);
	assert_string_equal(p.subject, "举报某检测公司数据造假 and 检测");
	mail_parsed_free(&p);
	parse_str("From: =?big5_tw?b?wMu0+qS9pXE=?= <b@example.tw>\r\n"
	    "Subject: =?big5_tw?b?wMu0+qS9pXE=?= =?big5_tw?b?teqwsrP4p2k=?="
	    "\r\n\r\nbody\r\n", &p);
	assert_string_equal(p.subject, "檢測公司虛假報告");
	assert_string_equal(p.from_name, "檢測公司");
	mail_parsed_free(&p);
}

static void
test_gbk_q_and_rfc2231_continuations(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("gbk.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "关于高平市检测站的举报");
	assert_string_equal(p.from_name, "李明");
	assert_string_equal(p.text, "检测机构：高平市某检测站\n"
	    "问题：未检测即出具报告，签字人王喆。");
	assert_int_equal(p.natt, 1);
	/* Three continuations; 报 is split between the first two. */
	assert_true(has_pdf(att_named(&p,
	    "王喆的检测报告-2022年第三季度.pdf")));
	mail_parsed_free(&p);
}

static void
test_gb18030_four_byte(void **state)
{
	struct mail_parsed p;
	const struct mail_attachment *a;

	(void)state;
	parse_sample("gb18030.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "𠮷野家检测中心的问题");
	assert_string_equal(p.from_name, "𠮷先生");
	assert_string_equal(p.text, "𠮷野家检测中心出具的报告与实际不符。");
	a = att_named(&p, "𠮷野家.png");
	assert_non_null(a);
	assert_string_equal(a->declared_type, "image/png");
	assert_memory_equal(a->data, "\x89PNG", 4);
	mail_parsed_free(&p);
}

static void
test_big5(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("big5.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "檢舉檢驗機構出具不實報告");
	assert_string_equal(p.from_name, "陳大文");
	assert_string_equal(p.from_addr, "chen@example.tw");
	assert_string_equal(p.text, "我是檢舉人，這是一個出具不實報告的檢驗機構。");
	assert_true(has_pdf(att_named(&p, "檢驗報告影本.pdf")));
	mail_parsed_free(&p);
}

static void
test_utf8_and_named_text_part(void **state)
{
	struct mail_parsed p;
	const struct mail_attachment *a;

	(void)state;
	parse_sample("utf8.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "举报：检验检测机构 — 虚假报告");
	assert_string_equal(p.from_name, "赵六");
	assert_string_equal(p.text, "举报内容：检验检测机构出具虚假报告 ✓\n"
	    "第二行 😀");
	assert_int_equal(p.natt, 2);
	assert_true(has_pdf(att_named(&p, "证据材料（第一批）说明.pdf")));
	/* A text part with a file name is an attachment, decoded. */
	a = att_named(&p, "说明.txt");
	assert_non_null(a);
	assert_string_equal(a->declared_type, "text/plain");
	assert_int_equal(a->len, strlen("附件说明：共三页。\n"));
	assert_memory_equal(a->data, "附件说明：共三页。\n", a->len);
	mail_parsed_free(&p);
}

static void
test_foxmail(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("foxmail.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "泽州县检测公司报告造假");
	/* The plain text once: the HTML alternative is not read again. */
	assert_string_equal(p.text, "泽州县某检测公司报告造假，涉及王堃签字。");
	assert_int_equal(p.natt, 1);
	/* RFC 2047 inside a quoted file name, as Foxmail writes it. */
	assert_true(has_pdf(att_named(&p, "整改通知书.pdf")));
	/* A display name saying 匿名 is no request for anonymity. */
	assert_string_equal(p.from_name, "匿名群众");
	assert_false(p.anonymous);
	mail_parsed_free(&p);
}

static void
test_qqmail_html_only(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("qqmail_html.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "阳城县检测站问题");
	assert_string_equal(p.text,
	    "您好 领导：\n"
	    "\n"
	    "阳城县某检测站&其分站，出具<虚假>报告中文。\n"
	    "证据如下：\n"
	    "报告一\n"
	    "报告二\n"
	    "联系电话：13800000000\n"
	    "谢谢");
	assert_int_equal(p.natt, 0);
	mail_parsed_free(&p);
}

static void
test_outlook_related(void **state)
{
	struct mail_parsed p;
	const struct mail_attachment *img;

	(void)state;
	parse_sample("outlook_related.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "陵川县检测公司报告截图");
	assert_string_equal(p.from_name, "刘洋");
	assert_string_equal(p.text, "陵川县某检测公司的报告见截图。\n\n"
	    "[cid:image001.png@01D8F8A1.12345670]");
	assert_int_equal(p.natt, 2);
	img = att_named(&p, "image001.png");
	assert_non_null(img);
	assert_true(img->inline_part);
	assert_string_equal(img->declared_type, "image/png");
	assert_true(has_pdf(att_named(&p, "整改通知书.pdf")));
	assert_false(att_named(&p, "整改通知书.pdf")->inline_part);
	mail_parsed_free(&p);
}

static void
test_attached_message(void **state)
{
	struct mail_parsed p;
	const struct mail_attachment *a;

	(void)state;
	parse_sample("attached_eml.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "转发：原始举报材料");
	/* Only the outer text; the attached message is not entered. */
	assert_string_equal(p.text, "转发一份举报，请查收。");
	assert_int_equal(p.natt, 1);
	a = &p.att[0];
	assert_string_equal(a->name, "原始举报材料.eml");
	assert_true(a->is_message);
	assert_string_equal(a->declared_type, "message/rfc822");
	assert_non_null(g_strstr_len((const char *)a->data, (gssize)a->len,
	    "Message-ID: <inner.0009@example.org>"));
	/* Its own PDF stays inside it. */
	assert_non_null(g_strstr_len((const char *)a->data, (gssize)a->len,
	    "JVBERi0x"));
	mail_parsed_free(&p);
}

static void
test_encoded_attached_message(void **state)
{
	struct mail_parsed p;

	(void)state;
	/* base64 message/rfc822: GMime keeps it a leaf; still an .eml. */
	parse_str("Subject: e\r\nContent-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n--b\r\n\r\ntext\r\n--b\r\nContent-Type: message/rfc822\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "U3ViamVjdDogaW5uZXINCg0KYm9keQ0K\r\n--b--\r\n", &p);
	assert_false(p.malformed);
	assert_string_equal(p.text, "text");
	assert_int_equal(p.natt, 1);
	assert_string_equal(p.att[0].name, "message-1.eml");
	assert_true(p.att[0].is_message);
	assert_int_equal(p.att[0].len,
	    strlen("Subject: inner\r\n\r\nbody\r\n"));
	assert_memory_equal(p.att[0].data, "Subject: inner\r\n", 16);
	mail_parsed_free(&p);
}

static void
test_raw_8bit_gbk_headers(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("raw8bit_gbk.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "沁水县检测站虚假报告");
	assert_string_equal(p.from_name, "张三");
	assert_string_equal(p.from_addr, "zhangsan@example.cn");
	assert_string_equal(p.text, "沁水县某检测站出具虚假报告。");
	assert_true(has_pdf(att_named(&p, "报告.pdf")));
	mail_parsed_free(&p);
}

static void
test_raw_8bit_big5(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("raw8bit_big5.eml", &p);
	assert_string_equal(p.subject, "我是檢舉人，這是一個的報告");
	assert_string_equal(p.text, "我是檢舉人，這是一個出具不實報告的檢驗機構。");
	mail_parsed_free(&p);
}

static void
test_forged_headers_decide_nothing(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("forged_headers.eml", &p);
	assert_false(p.malformed);
	assert_string_equal(p.subject, "Forged headers");
	assert_string_equal(p.text, "普通举报内容。");
	assert_null(strstr(p.text, "140581"));
	assert_int_equal(p.natt, 0);
	mail_parsed_free(&p);
}

static void
test_exe_attachment_kept_for_intake(void **state)
{
	struct mail_parsed p;
	const struct mail_attachment *a;

	(void)state;
	parse_sample("exe_attachment.eml", &p);
	a = att_named(&p, "setup.exe");
	assert_non_null(a);
	assert_memory_equal(a->data, "MZ", 2);
	mail_parsed_free(&p);
}

/* Anonymity. */

static void
test_anonymous_subject(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("anonymous.eml", &p);
	assert_true(p.anonymous);
	assert_string_equal(p.from_addr, "someone@example.org");
	mail_parsed_free(&p);
}

static void
test_anonymous_text_window(void **state)
{
	struct mail_parsed p;
	GString *s;

	(void)state;
	parse_str("Subject: x\r\n\r\nPlease keep me AnOnYmOuS.\r\n", &p);
	assert_true(p.anonymous);
	mail_parsed_free(&p);

	/* 匿名 as characters 199 and 200: inside the first 200. */
	s = g_string_new("Subject: x\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\n\r\n");
	for (int i = 0; i < 198; i++)
		g_string_append(s, "字");
	g_string_append(s, "匿名\r\n");
	parse(s->str, s->len, &p);
	assert_true(p.anonymous);
	mail_parsed_free(&p);
	g_string_free(s, TRUE);

	/* As characters 200 and 201: not. */
	s = g_string_new("Subject: x\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\n\r\n");
	for (int i = 0; i < 199; i++)
		g_string_append(s, "字");
	g_string_append(s, "匿名 anonymous\r\n");
	parse(s->str, s->len, &p);
	assert_false(p.anonymous);
	mail_parsed_free(&p);
	g_string_free(s, TRUE);

	parse_str("Subject: =?utf-8?B?5Yy/5ZCN?=\r\n\r\nhi\r\n", &p);
	assert_string_equal(p.subject, "匿名");
	assert_true(p.anonymous);
	mail_parsed_free(&p);
}

/* Broken input. */

static void
test_no_headers(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("no_headers.eml", &p);
	assert_true(p.malformed);
	assert_string_equal(p.subject, "");
	assert_string_equal(p.text, "");
	assert_string_equal(p.from_addr, "");
	assert_string_equal(p.message_id, "");
	assert_int_equal(p.natt, 0);
	assert_null(p.att);
	mail_parsed_free(&p);
}

static void
test_garbage_and_empty(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_sample("garbage.eml", &p);
	assert_true(p.malformed);
	assert_int_equal(p.natt, 0);
	mail_parsed_free(&p);

	parse("", 0, &p);
	assert_true(p.malformed);
	assert_string_equal(p.subject, "");
	mail_parsed_free(&p);

	parse("\0\0\0\n\n\0", 6, &p);
	mail_parsed_free(&p);
}

static void
test_truncated_multipart(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_str("Subject: t\r\nContent-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n--b\r\n\r\nbody\r\n", &p);
	assert_true(p.malformed);
	assert_non_null(strstr(p.problem, "truncated"));
	assert_string_equal(p.text, "body");
	mail_parsed_free(&p);

	/* A single part without a final line break is fine. */
	parse_str("Subject: t\r\n\r\nbody", &p);
	assert_false(p.malformed);
	assert_string_equal(p.problem, "");
	mail_parsed_free(&p);
}

static void
test_mbox_from_line(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_str("From someone@example.org Tue Nov 15 09:30:00 2022\r\n"
	    "Subject: mbox\r\n\r\nbody\r\n", &p);
	assert_string_equal(p.subject, "mbox");
	assert_string_equal(p.text, "body");
	mail_parsed_free(&p);
}

/* Hostile structure. */

static GString *
nested(int depth, const char *leaf)
{
	GString *s = g_string_new("From: a@example.org\r\nSubject: deep\r\n"
	    "Message-ID: <deep@example.org>\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n");

	for (int i = 0; i < depth; i++)
		g_string_append_printf(s, "--b%d\r\nContent-Type: multipart/"
		    "mixed; boundary=\"b%d\"\r\n\r\n", i, i + 1);
	g_string_append_printf(s, "--b%d\r\nContent-Type: text/plain\r\n\r\n"
	    "%s\r\n--b%d--\r\n", depth, leaf, depth);
	for (int i = depth - 1; i >= 0; i--)
		g_string_append_printf(s, "--b%d--\r\n", i);
	return s;
}

static void
test_nested_10000(void **state)
{
	struct mail_parsed p;
	GString *s = nested(10000, "deep text");
	gint64 t0 = g_get_monotonic_time();

	(void)state;
	parse(s->str, s->len, &p);
	/* The pre-scan stops it; GMime is given only the headers. */
	assert_true(g_get_monotonic_time() - t0 < 10 * G_USEC_PER_SEC);
	assert_true(p.malformed);
	assert_non_null(strstr(p.problem, "nesting"));
	assert_string_equal(p.subject, "deep");
	assert_string_equal(p.from_addr, "a@example.org");
	assert_string_equal(p.message_id, "deep@example.org");
	assert_string_equal(p.text, "");
	assert_int_equal(p.natt, 0);
	mail_parsed_free(&p);
	g_string_free(s, TRUE);
}

static void
test_nested_within_limits(void **state)
{
	struct mail_parsed p;
	GString *s;

	(void)state;
	/* 7 + the top: 8 multiparts, the limit. */
	s = nested(7, "at depth eight");
	parse(s->str, s->len, &p);
	assert_false(p.malformed);
	assert_string_equal(p.text, "at depth eight");
	mail_parsed_free(&p);
	g_string_free(s, TRUE);

	/* 12: GMime parses it, the walk stops at 8. */
	s = nested(11, "too deep");
	parse(s->str, s->len, &p);
	assert_true(p.malformed);
	assert_non_null(strstr(p.problem, "deeper than 8"));
	assert_string_equal(p.text, "");
	assert_string_equal(p.subject, "deep");
	mail_parsed_free(&p);
	g_string_free(s, TRUE);
}

static void
test_nested_messages(void **state)
{
	struct mail_parsed p;
	GString *s = g_string_new("Subject: outer\r\n");

	(void)state;
	for (int i = 0; i < 10000; i++)
		g_string_append(s, "Content-Type: message/rfc822\r\n\r\n"
		    "Subject: inner\r\n");
	g_string_append(s, "\r\nhi\r\n");
	parse(s->str, s->len, &p);
	assert_true(p.malformed);
	assert_string_equal(p.subject, "outer");
	mail_parsed_free(&p);
	g_string_free(s, TRUE);
}

static void
test_too_many_parts(void **state)
{
	struct mail_parsed p;
	GString *s = g_string_new("Subject: parts\r\nContent-Type: multipart/"
	    "mixed; boundary=x\r\n\r\n");

	(void)state;
	for (int i = 0; i < 300; i++)
		g_string_append_printf(s, "--x\r\nContent-Type: application/"
		    "octet-stream; name=\"f%d.bin\"\r\n\r\ndata%d\r\n", i, i);
	g_string_append(s, "--x--\r\n");
	parse(s->str, s->len, &p);
	assert_true(p.malformed);
	assert_non_null(strstr(p.problem, "more than 200 MIME parts"));
	/* The top multipart counts as one part. */
	assert_int_equal(p.natt, 199);
	assert_string_equal(p.att[0].name, "f0.bin");
	assert_memory_equal(p.att[0].data, "data0", 5);
	mail_parsed_free(&p);
	g_string_free(s, TRUE);

	/* Far more: the pre-scan gives GMime only the headers. */
	s = g_string_new("Subject: many\r\nContent-Type: multipart/mixed; "
	    "boundary=x\r\n\r\n");
	for (int i = 0; i < 100000; i++)
		g_string_append(s, "--x\r\n\r\ny\r\n");
	parse(s->str, s->len, &p);
	assert_true(p.malformed);
	assert_non_null(strstr(p.problem, "only the headers"));
	assert_string_equal(p.subject, "many");
	assert_int_equal(p.natt, 0);
	mail_parsed_free(&p);
	g_string_free(s, TRUE);
}

static void
test_boundary_lines_flood(void **state)
{
	struct mail_parsed p;
	GString *s = g_string_new("Subject: deep\r\nContent-Type: multipart/"
	    "mixed; boundary=\"b0\"\r\n\r\n");

	(void)state;
	/* Lines that look like boundaries inside 21 open multiparts: GMime
	 * compares each with every boundary (its costly case). */
	for (int i = 0; i < 20; i++)
		g_string_append_printf(s, "--b%d\r\nContent-Type: multipart/"
		    "mixed; boundary=\"b%d\"\r\n\r\n", i, i + 1);
	g_string_append(s, "--b20\r\nContent-Type: text/plain\r\n\r\n");
	for (int i = 0; i < 2000000; i++)
		g_string_append(s, "--zzzzzzzzzzzz\r\n");
	parse(s->str, s->len, &p);
	assert_true(p.malformed);
	assert_non_null(strstr(p.problem, "look like MIME boundaries"));
	assert_string_equal(p.subject, "deep");
	mail_parsed_free(&p);
	g_string_free(s, TRUE);
}

static void
test_header_block_too_large(void **state)
{
	struct mail_parsed p;
	GString *s = g_string_new("Subject: first\r\nFrom: a@example.org\r\n");

	(void)state;
	for (int i = 0; i < 20000; i++)
		g_string_append(s, "X-Pad: padding\r\n");
	g_string_append(s, "Message-ID: <late@example.org>\r\n\r\n"
	    "the body\r\n");
	parse(s->str, s->len, &p);
	assert_true(p.malformed);
	assert_non_null(strstr(p.problem, "header block was over 65536"));
	assert_string_equal(p.subject, "first");
	assert_string_equal(p.from_addr, "a@example.org");
	assert_string_equal(p.message_id, "");	/* past the cut */
	assert_string_equal(p.text, "the body");
	mail_parsed_free(&p);
	g_string_free(s, TRUE);

	/* In a part's header block: the part is still read. */
	s = g_string_new("Subject: part\r\nContent-Type: multipart/mixed; "
	    "boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n");
	for (int i = 0; i < 5000; i++)
		g_string_append(s, "X-Pad: padding padding padding\r\n");
	g_string_append(s, "\r\npart text\r\n--b--\r\n");
	parse(s->str, s->len, &p);
	assert_true(p.malformed);
	assert_string_equal(p.text, "part text");
	mail_parsed_free(&p);
	g_string_free(s, TRUE);
}

static void
test_text_max(void **state)
{
	static const char five[] = "Subject: c\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\n\r\n一二三四五\r\n";
	struct mail_parsed p;
	struct mail_limits l;
	GString *s = g_string_new("Subject: long\r\n\r\n");

	(void)state;
	for (int i = 0; i < 300000; i++)
		g_string_append(s, "0123456\r\n");
	parse(s->str, s->len, &p);
	/* Cut, noted, not malformed. */
	assert_false(p.malformed);
	assert_true(strlen(p.text) <= 1024 * 1024);
	assert_true(strlen(p.text) > 1000 * 1000);
	assert_non_null(strstr(p.problem, "cut to 1048576 bytes"));
	mail_parsed_free(&p);
	g_string_free(s, TRUE);

	/* At a character boundary. */
	mail_limits_default(&l);
	l.text_max = 10;
	parse_limits(five, strlen(five), &l, &p);
	assert_string_equal(p.text, "一二三");
	assert_false(p.malformed);
	mail_parsed_free(&p);
}

/* Text conversion. */

static void
test_html_to_text(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_str("Subject: h\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
	    "<p>a &lt; b &amp;&amp; c &gt; d</p>"
	    "<p>&#0;&#xD800;&#x110000;&#99999999999;&#65&#x42;&unknown; &</p>"
	    "<div title=\"x > y\">attr</div>"
	    "<pre>  two\n  lines</pre>"
	    "<table><tr><td>c1</td><td>c2</td></tr></table>"
	    "x<br>y<br><br><br><br>z"
	    "<SCRIPT type=x>var a = '</p>';</SCRIPT >after"
	    "<style>p{}</style><!-- c --><!doctype html><?xml x?>"
	    "<p>1 < 2</p><script>never closed", &p);
	assert_string_equal(p.text,
	    "a < b && c > d\n"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "AB&unknown; &\n"
	    "attr\n"
	    "  two\n  lines\n"
	    "c1 c2\n"
	    "x\ny\n\nz"
	    "after\n"
	    "1 < 2");
	mail_parsed_free(&p);

	/* A <meta> charset when the part names none. */
	parse_str("Subject: m\r\nContent-Type: text/html\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "PG1ldGEgY2hhcnNldD1nYms+PGI+suLK1DwvYj4=\r\n", &p);
	assert_string_equal(p.text, "测试");
	mail_parsed_free(&p);
}

static void
test_charset_bad_bytes(void **state)
{
	static const char ctl[] = "Subject: a\x01" "b\r\n\r\n"
	    "x\x00y\x07z\tt\r\nu\rv\x7f";
	struct mail_parsed p;

	(void)state;
	/* Invalid GBK bytes are replaced, the rest kept. */
	parse_str("Subject: b\r\nContent-Type: text/plain; charset=gbk\r\n\r\n"
	    "\xb2\xe2\xff\xca\xd4 ok\r\n", &p);
	assert_string_equal(p.text, "测\xef\xbf\xbd试 ok");
	mail_parsed_free(&p);

	/* Declared UTF-8 with a bad byte: only that byte goes. */
	parse_str("Subject: b\r\nContent-Type: text/plain; "
	    "charset=utf-8\r\n\r\n好\xc3(坏\xed\xa0\x80\r\n", &p);
	assert_string_equal(p.text, "好\xef\xbf\xbd(坏"
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	mail_parsed_free(&p);

	/* An unknown charset: guessed (GBK here). */
	parse_str("Subject: b\r\nContent-Type: text/plain; charset=x-nonsense"
	    "\r\n\r\n\xb2\xe2\xca\xd4\r\n", &p);
	assert_string_equal(p.text, "测试");
	mail_parsed_free(&p);

	/* Control characters and NUL go; tabs and lines stay. */
	parse(ctl, sizeof(ctl) - 1, &p);
	assert_string_equal(p.subject, "a b");
	assert_string_equal(p.text, "xyz\tt\nu\nv");
	mail_parsed_free(&p);

	/* Quoted-printable with a soft break inside a character. */
	parse_str("Subject: q\r\nContent-Type: text/plain; charset=gb2312\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "=B2=E2=\r\n=CA=D4\r\n", &p);
	assert_string_equal(p.text, "测试");
	mail_parsed_free(&p);
}

static void
test_rfc2231_and_2047_names(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_str("Subject: n\r\nContent-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n--b\r\n\r\ntext\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment;\r\n"
	    " filename*0*=utf-8''%E4%B8;\r\n filename*1*=%AD%E6%96%87.txt\r\n"
	    "\r\nA\r\n"
	    "--b\r\nContent-Type: application/octet-stream;\r\n"
	    " name=\"=?big5?B?pOWl8y5kb2M=?=\"\r\n\r\nB\r\n"
	    "--b\r\nContent-Type: application/octet-stream\r\n"
	    "Content-Disposition: attachment; filename=\"../../etc/passwd\"\r\n"
	    "\r\nC\r\n--b--\r\n", &p);
	assert_int_equal(p.natt, 3);
	assert_string_equal(p.att[0].name, "中文.txt");
	assert_string_equal(p.att[1].name, "文件.doc");
	/* Paths are intake's to clean (it keeps the last component). */
	assert_string_equal(p.att[2].name, "../../etc/passwd");
	mail_parsed_free(&p);
}

static void
test_several_plain_parts_joined(void **state)
{
	struct mail_parsed p;

	(void)state;
	parse_str("Subject: j\r\nContent-Type: multipart/mixed; boundary=b\r\n"
	    "\r\n--b\r\nContent-Type: text/plain\r\n\r\nfirst\r\n"
	    "--b\r\nContent-Type: image/png\r\n\r\nPNG\r\n"
	    "--b\r\nContent-Type: text/plain\r\n\r\nsecond\r\n--b--\r\n", &p);
	assert_string_equal(p.text, "first\n\nsecond");
	assert_int_equal(p.natt, 1);
	assert_string_equal(p.att[0].name, "");
	mail_parsed_free(&p);
}

static void
test_limits_and_free(void **state)
{
	struct mail_limits l;
	struct mail_parsed p;

	(void)state;
	mail_limits_default(&l);
	assert_int_equal(l.depth_max, 8);
	assert_int_equal(l.parts_max, 200);
	assert_int_equal(l.header_max, 64 * 1024);
	assert_int_equal(l.text_max, 1024 * 1024);
	mail_parsed_free(NULL);
	parse_sample("outlook_related.eml", &p);
	mail_parsed_free(&p);
	assert_null(p.subject);
	assert_int_equal(p.natt, 0);
	mail_parsed_free(&p);	/* again: harmless */

	/* Zero limits: nothing read, nothing broken. */
	memset(&l, 0, sizeof(l));
	{
		size_t len;
		unsigned char *m = load("foxmail.eml", &len);

		parse_limits(m, len, &l, &p);
		assert_true(p.malformed);
		assert_int_equal(p.natt, 0);
		mail_parsed_free(&p);
		free(m);
	}
}

/* Threads: GMime set up once, parses in parallel agree. */

struct thread_arg {
	const unsigned char *msg;
	size_t len;
	char subject[256];
	size_t natt;
};

static void *
thread_main(void *v)
{
	struct thread_arg *a = v;
	struct mail_limits l;
	struct mail_parsed p;

	mail_limits_default(&l);
	for (int i = 0; i < 20; i++) {
		if (mail_parse(a->msg, a->len, &l, &p) != 0)
			return NULL;
		snprintf(a->subject, sizeof(a->subject), "%s", p.subject);
		a->natt = p.natt;
		mail_parsed_free(&p);
	}
	return a;
}

static void
test_threads(void **state)
{
	pthread_t th[4];
	struct thread_arg args[4];
	size_t len;
	unsigned char *m = load("outlook_related.eml", &len);

	(void)state;
	for (int i = 0; i < 4; i++) {
		memset(&args[i], 0, sizeof(args[i]));
		args[i].msg = m;
		args[i].len = len;
		assert_int_equal(pthread_create(&th[i], NULL, thread_main,
		    &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		void *r;

		assert_int_equal(pthread_join(th[i], &r), 0);
		assert_ptr_equal(r, &args[i]);
		assert_string_equal(args[i].subject, "陵川县检测公司报告截图");
		assert_int_equal(args[i].natt, 2);
	}
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gb2312_labelled_gbk),
		cmocka_unit_test(test_gbk_q_and_rfc2231_continuations),
		cmocka_unit_test(test_split_padded_encoded_words),
		cmocka_unit_test(test_gb18030_four_byte),
		cmocka_unit_test(test_big5),
		cmocka_unit_test(test_utf8_and_named_text_part),
		cmocka_unit_test(test_foxmail),
		cmocka_unit_test(test_qqmail_html_only),
		cmocka_unit_test(test_outlook_related),
		cmocka_unit_test(test_attached_message),
		cmocka_unit_test(test_encoded_attached_message),
		cmocka_unit_test(test_raw_8bit_gbk_headers),
		cmocka_unit_test(test_raw_8bit_big5),
		cmocka_unit_test(test_forged_headers_decide_nothing),
		cmocka_unit_test(test_exe_attachment_kept_for_intake),
		cmocka_unit_test(test_anonymous_subject),
		cmocka_unit_test(test_anonymous_text_window),
		cmocka_unit_test(test_no_headers),
		cmocka_unit_test(test_garbage_and_empty),
		cmocka_unit_test(test_truncated_multipart),
		cmocka_unit_test(test_mbox_from_line),
		cmocka_unit_test(test_nested_10000),
		cmocka_unit_test(test_nested_within_limits),
		cmocka_unit_test(test_nested_messages),
		cmocka_unit_test(test_too_many_parts),
		cmocka_unit_test(test_boundary_lines_flood),
		cmocka_unit_test(test_header_block_too_large),
		cmocka_unit_test(test_text_max),
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_charset_bad_bytes),
		cmocka_unit_test(test_rfc2231_and_2047_names),
		cmocka_unit_test(test_several_plain_parts_joined),
		cmocka_unit_test(test_limits_and_free),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, find_samples, NULL);
}
