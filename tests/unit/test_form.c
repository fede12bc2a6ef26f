/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the multipart/form-data parser (service/form.c): plain
 * fields, several files under one name, the empty file field a browser
 * sends, byte-exact binary values (every byte value, text that looks like
 * a delimiter, parts declared message/rfc822 or multipart/related), file
 * names in raw UTF-8, RFC 2231, GB18030 and with backslashes, transfer
 * encodings, LF-only bodies, every error status with its message and
 * field, each limit exactly at and one over, and parsing in several
 * threads at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>
#include <glib.h>

#include "service/form.h"

#define BOUNDARY	"XyZzy42"
#define CT		"multipart/form-data; boundary=" BOUNDARY
#define MIB		((size_t)1024 * 1024)

/* A growing body under construction. */
struct body {
	unsigned char *p;
	size_t len, cap;
};

static void
body_add(struct body *b, const void *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
body_str(struct body *b, const char *s)
{
	body_add(b, s, strlen(s));
}

static void
body_free(struct body *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* A plain field, the way a browser sends it. */
static void
add_field(struct body *b, const char *name, const char *value)
{
	body_str(b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"");
	body_str(b, name);
	body_str(b, "\"\r\n\r\n");
	body_str(b, value);
	body_str(b, "\r\n");
}

/*
 * A file part; disp_params is the raw text after "form-data; " (e.g.
 * "name=\"attachments\"; filename=\"a.pdf\"").
 */
static void
add_file(struct body *b, const char *disp_params, const char *type,
    const void *data, size_t n)
{
	body_str(b, "--" BOUNDARY "\r\nContent-Disposition: form-data; ");
	body_str(b, disp_params);
	body_str(b, "\r\nContent-Type: ");
	body_str(b, type);
	body_str(b, "\r\n\r\n");
	body_add(b, data, n);
	body_str(b, "\r\n");
}

static void
add_close(struct body *b)
{
	body_str(b, "--" BOUNDARY "--\r\n");
}

static struct form_limits
big_limits(void)
{
	struct form_limits l = {
		.body_max = 100 * MIB,
		.parts_max = 100,
		.part_header_max = 8192,
		.field_max = 1 * MIB,
		.file_max = 50 * MIB,
		.files_max = 20,
		.boundary_max = 70,
	};

	return l;
}

/* Error output of the last parse. */
static char msg[256];
static const char *field;

static enum form_status
parse_ct(const char *ct, const struct body *b, const struct form_limits *l,
    struct form *f)
{
	enum form_status st;

	memset(msg, 'Z', sizeof(msg));
	field = "untouched";
	st = form_parse(ct, b->p, b->len, l, f, msg, sizeof(msg), &field);
	assert_non_null(memchr(msg, '\0', sizeof(msg)));
	assert_true(g_utf8_validate(msg, -1, NULL));
	if (st == FORM_OK) {
		assert_string_equal(msg, "");
		assert_null(field);
		for (size_t i = 0; i < f->nparts; i++) {
			const struct form_part *p = &f->parts[i];

			assert_non_null(p->name);
			assert_true(g_utf8_validate(p->name, -1, NULL));
			assert_non_null(p->data);
			/* A field is a copy with a NUL after it; a file sent
			 * as it is, a slice of the body (form.h). */
			if (p->copy != NULL) {
				assert_ptr_equal(p->copy, p->data);
				assert_int_equal(p->copy[p->len], 0);
			} else {
				assert_true(p->is_file);
				assert_true(p->data >= b->p &&
				    p->data + p->len <= b->p + b->len);
			}
			assert_int_equal(p->is_file, p->filename != NULL);
			if (p->filename != NULL)
				assert_true(g_utf8_validate(p->filename, -1,
				    NULL));
		}
	} else {
		/* Out is left empty; freeing it is harmless. */
		assert_null(f->parts);
		assert_int_equal(f->nparts, 0);
		assert_true(msg[0] != '\0');
		form_free(f);
	}
	return st;
}

static enum form_status
parse(const struct body *b, const struct form_limits *l, struct form *f)
{
	return parse_ct(CT, b, l, f);
}

/* Expect status st, a message containing want and *field == wantfield. */
static void
expect_error_ct(const char *ct, const struct body *b,
    const struct form_limits *l, enum form_status st, const char *want,
    const char *wantfield)
{
	struct form f;
	enum form_status got = parse_ct(ct, b, l, &f);

	if (got != st)
		fail_msg("status %d, want %d (msg \"%s\")", got, st, msg);
	if (strstr(msg, want) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", msg, want);
	if (wantfield == NULL)
		assert_null(field);
	else {
		assert_non_null(field);
		assert_string_equal(field, wantfield);
	}
}

static void
expect_error(const struct body *b, const struct form_limits *l,
    enum form_status st, const char *want, const char *wantfield)
{
	expect_error_ct(CT, b, l, st, want, wantfield);
}

/* Parse text as a whole body (CT boundary) and expect an error. */
static void
expect_text_error(const char *text, enum form_status st, const char *want)
{
	struct body b = { 0 };
	struct form_limits l = big_limits();

	body_str(&b, text);
	expect_error(&b, &l, st, want, NULL);
	body_free(&b);
}

static void
assert_part(const struct form_part *p, const char *name,
    const char *filename, const void *data, size_t len)
{
	assert_non_null(p);
	assert_string_equal(p->name, name);
	if (filename == NULL) {
		assert_null(p->filename);
		assert_false(p->is_file);
	} else {
		assert_non_null(p->filename);
		assert_string_equal(p->filename, filename);
		assert_true(p->is_file);
	}
	assert_int_equal(p->len, len);
	assert_memory_equal(p->data, data, len);
}

static void
test_fields(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();
	const struct form_part *p;

	(void)state;
	body_str(&b, "This is the preamble.\r\nIt is ignored.\r\n");
	add_field(&b, "summary", "Bribes at the county office");
	add_field(&b, "details", "line one\r\nline two\r\n");
	add_field(&b, "county", "");
	add_field(&b, "summary", "second summary");
	add_field(&b, "详细情况", "中文内容");
	add_close(&b);
	body_str(&b, "This is the epilogue.\r\n--" BOUNDARY "\r\nignored");

	assert_int_equal(parse_ct("Multipart/Form-Data; charset=utf-8; "
	    "boundary=\"" BOUNDARY "\"", &b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 5);
	assert_part(&f.parts[0], "summary", NULL,
	    "Bribes at the county office", 27);
	assert_part(&f.parts[1], "details", NULL, "line one\r\nline two\r\n",
	    20);
	assert_part(&f.parts[2], "county", NULL, "", 0);
	assert_part(&f.parts[4], "详细情况", NULL, "中文内容", 12);

	p = form_field(&f, "summary");
	assert_ptr_equal(p, &f.parts[0]);
	assert_string_equal((const char *)p->data,
	    "Bribes at the county office");
	assert_ptr_equal(form_field(&f, "county"), &f.parts[2]);
	assert_null(form_field(&f, "contact_name"));
	assert_null(form_field(&f, "Summary"));
	assert_null(form_field(NULL, "summary"));
	form_free(&f);
	assert_null(f.parts);
	assert_int_equal(f.nparts, 0);
	form_free(&f);
	form_free(NULL);
	body_free(&b);
}

static void
test_files_same_name(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	(void)state;
	add_field(&b, "summary", "s");
	add_file(&b, "name=\"attachments\"; filename=\"a.pdf\"",
	    "application/pdf", "%PDF-1.4 a", 10);
	add_file(&b, "name=\"attachments\"; filename=\"b.png\"", "image/png",
	    "\x89PNG\r\n\x1a\n", 8);
	add_file(&b, "name=\"attachments\"; filename=\"c.txt\"", "text/plain",
	    "third", 5);
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 4);
	assert_part(&f.parts[1], "attachments", "a.pdf", "%PDF-1.4 a", 10);
	assert_part(&f.parts[2], "attachments", "b.png",
	    "\x89PNG\r\n\x1a\n", 8);
	assert_part(&f.parts[3], "attachments", "c.txt", "third", 5);
	/* form_field() finds plain fields only. */
	assert_null(form_field(&f, "attachments"));
	form_free(&f);
	body_free(&b);
}

static void
test_empty_file_dropped(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	(void)state;
	/* What a browser sends when no file is chosen. */
	add_field(&b, "summary", "s");
	add_file(&b, "name=\"attachments\"; filename=\"\"",
	    "application/octet-stream", "", 0);
	add_field(&b, "details", "d");
	add_close(&b);
	l.files_max = 0;
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 2);
	assert_part(&f.parts[0], "summary", NULL, "s", 1);
	assert_part(&f.parts[1], "details", NULL, "d", 1);
	form_free(&f);
	body_free(&b);

	/*
	 * A named file of zero bytes is kept and does not count; a file
	 * without a name but with bytes is kept and counts.
	 */
	add_file(&b, "name=\"attachments\"; filename=\"empty.txt\"",
	    "text/plain", "", 0);
	add_file(&b, "name=\"attachments\"; filename=\"\"",
	    "application/octet-stream", "abc", 3);
	add_close(&b);
	l.files_max = 1;
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 2);
	assert_part(&f.parts[0], "attachments", "empty.txt", "", 0);
	assert_part(&f.parts[1], "attachments", "", "abc", 3);
	form_free(&f);
	l.files_max = 0;
	expect_error(&b, &l, FORM_ERR_TOO_MANY_FILES,
	    "attachments has more than 0 files", "attachments");
	body_free(&b);
}

static void
test_zero_parts(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	(void)state;
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_null(f.parts);
	assert_int_equal(f.nparts, 0);
	form_free(&f);
	body_free(&b);

	/* Only empty file fields: nothing left. */
	add_file(&b, "name=\"attachments\"; filename=\"\"",
	    "application/octet-stream", "", 0);
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_null(f.parts);
	assert_int_equal(f.nparts, 0);
	form_free(&f);
	body_free(&b);
}

/* Text a value may hold although it looks like a delimiter. */
static const char *const tricky[] = {
	"--" BOUNDARY "x\r\n",		/* at the very start of the value */
	"\r\n--" BOUNDARY "x",		/* boundary followed by more */
	"\r\n--" BOUNDARY "-\r\n",	/* one dash is no closing delimiter */
	"\r\n--" BOUNDARY " \tx\r\n",	/* padding then more */
	"\r\n--XyZzy4\r\n",		/* a prefix of the boundary */
	"\n--" BOUNDARY "\r\n",		/* bare LF: no delimiter with CRLF */
	"\r--" BOUNDARY "\r\n",		/* bare CR */
	"\r\n-" BOUNDARY "\r\n",	/* one dash */
	"text --" BOUNDARY "-- mid-line",
	"\r\n\r\n\r\n",
	"\0\0\0",
	"\r",				/* a CR right before the delimiter */
};

static void
test_binary_round_trip(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();
	unsigned char data[4 * 256 + 512];
	size_t n = 0, nt = sizeof(tricky) / sizeof(tricky[0]);
	static const char eml[] =
	    "From: someone@example.com\r\nSubject:   odd    spacing\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nbm90IGRlY29kZWQ=\r\n";
	static const char mht[] =
	    "MIME-Version: 1.0\r\nContent-Type: multipart/related; "
	    "boundary=\"inner\"\r\n\r\n--inner\r\n\r\nhello\r\n--inner--\r\n";

	(void)state;
	/* All 256 byte values, four times, in two orders. */
	for (int r = 0; r < 4; r++)
		for (int i = 0; i < 256; i++)
			data[n++] = (unsigned char)(r % 2 == 0 ? i : 255 - i);
	/* Followed by every tricky string. */
	for (size_t i = 0; i < nt - 2; i++) {
		size_t k = strlen(tricky[i]);

		memcpy(data + n, tricky[i], k);
		n += k;
	}
	assert_true(n <= sizeof(data));

	add_file(&b, "name=\"attachments\"; filename=\"all.bin\"",
	    "application/octet-stream", data, n);
	/* Each tricky string alone, as a whole value. */
	add_file(&b, "name=\"attachments\"; filename=\"t0\"", "text/plain",
	    tricky[0], strlen(tricky[0]));
	for (size_t i = 1; i < nt - 2; i++)
		add_field(&b, "t", tricky[i]);
	add_file(&b, "name=\"attachments\"; filename=\"nul\"",
	    "application/octet-stream", "\0\0\0", 3);
	add_file(&b, "name=\"attachments\"; filename=\"cr\"",
	    "application/octet-stream", "x\r", 2);
	/* Declared types must not make the parser look inside. */
	add_file(&b, "name=\"attachments\"; filename=\"a.eml\"",
	    "message/rfc822", eml, sizeof(eml) - 1);
	add_file(&b, "name=\"attachments\"; filename=\"a.mht\"",
	    "multipart/related; boundary=\"inner\"", mht, sizeof(mht) - 1);
	add_close(&b);

	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 2 + (nt - 3) + 2 + 2);
	assert_part(&f.parts[0], "attachments", "all.bin", data, n);
	assert_part(&f.parts[1], "attachments", "t0", tricky[0],
	    strlen(tricky[0]));
	for (size_t i = 1; i < nt - 2; i++)
		assert_part(&f.parts[1 + i], "t", NULL, tricky[i],
		    strlen(tricky[i]));
	assert_part(&f.parts[nt - 1], "attachments", "nul", "\0\0\0", 3);
	assert_part(&f.parts[nt], "attachments", "cr", "x\r", 2);
	assert_part(&f.parts[nt + 1], "attachments", "a.eml", eml,
	    sizeof(eml) - 1);
	assert_part(&f.parts[nt + 2], "attachments", "a.mht", mht,
	    sizeof(mht) - 1);
	form_free(&f);
	body_free(&b);
}

static void
test_lf_and_padding(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	(void)state;
	/* LF line breaks throughout: a CR before a delimiter is content. */
	body_str(&b, "--" BOUNDARY "\n"
	    "Content-Disposition: form-data; name=\"a\"\n\none\r\n"
	    "--" BOUNDARY "\n"
	    "Content-Disposition: form-data; name=\"b\"\n\ntwo\n"
	    "--" BOUNDARY "--\n");
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 2);
	assert_part(&f.parts[0], "a", NULL, "one\r", 4);
	assert_part(&f.parts[1], "b", NULL, "two", 3);
	form_free(&f);
	body_free(&b);

	/* Transport padding after boundaries; a folded header. */
	body_str(&b, "--" BOUNDARY " \t \r\n"
	    "content-disposition: FORM-DATA;\r\n\tNAME=\"a\";\r\n"
	    "  filename=\"f.txt\"\r\n\r\none\r\n"
	    "--" BOUNDARY "\t\r\n"
	    "X-Other: ignored\r\n"
	    "Content-Disposition: form-data; name=b\r\n\r\ntwo\r\n"
	    "--" BOUNDARY "--  \r\n");
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 2);
	assert_part(&f.parts[0], "a", "f.txt", "one", 3);
	assert_part(&f.parts[1], "b", NULL, "two", 3);
	form_free(&f);
	body_free(&b);

	/* A part that ends in its header: an empty value. */
	body_str(&b, "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n"
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"b\"\r\n\r\n"
	    "--" BOUNDARY "--");
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 2);
	assert_part(&f.parts[0], "a", NULL, "", 0);
	assert_part(&f.parts[1], "b", NULL, "", 0);
	form_free(&f);
	body_free(&b);
}

/* Parse one file part with these disposition parameters; its name. */
static void
expect_filename(const char *disp_params, const char *want)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	add_file(&b, disp_params, "application/pdf", "x", 1);
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 1);
	if (want != NULL)
		assert_string_equal(f.parts[0].filename, want);
	assert_true(f.parts[0].is_file);
	form_free(&f);
	body_free(&b);
}

static void
test_file_names(void **state)
{
	(void)state;
	/* Browsers: raw UTF-8 in quotes. */
	expect_filename("name=\"attachments\"; filename=\"举报材料.pdf\"",
	    "举报材料.pdf");
	/* RFC 2231. */
	expect_filename("name=\"attachments\"; filename*=UTF-8''"
	    "%E4%B8%BE%E6%8A%A5%E6%9D%90%E6%96%99.pdf", "举报材料.pdf");
	expect_filename("name=\"attachments\"; filename*=utf-8'zh'"
	    "%E4%B8%BE%E6%8A%A5.pdf", "举报.pdf");
	expect_filename("name=\"attachments\"; filename*=GB2312''"
	    "%BE%D9%B1%A8.pdf", "举报.pdf");
	expect_filename("name=\"attachments\"; filename*0*=UTF-8''%E4%B8%BE;"
	    " filename*1*=%E6%8A%A5; filename*2=.pdf", "举报.pdf");
	/* filename* wins over filename, in either order (RFC 6266). */
	expect_filename("name=\"attachments\"; filename=\"fallback.pdf\"; "
	    "filename*=UTF-8''%E4%B8%BE%E6%8A%A5.pdf", "举报.pdf");
	expect_filename("name=\"attachments\"; "
	    "filename*=UTF-8''%E4%B8%BE%E6%8A%A5.pdf; "
	    "filename=\"fallback.pdf\"", "举报.pdf");
	/* Old Windows clients: raw GBK. */
	expect_filename("name=\"attachments\"; filename=\"\xbe\xd9\xb1\xa8.pdf\"",
	    "举报.pdf");
	/* Backslashes are kept, except as escapes of '"' and '\'. */
	expect_filename("name=\"attachments\"; "
	    "filename=\"C:\\Users\\me\\a.pdf\"", "C:\\Users\\me\\a.pdf");
	expect_filename("name=\"attachments\"; filename=\"a\\\"b\\\\c.pdf\"",
	    "a\"b\\c.pdf");
	/* Percent escapes of filename="..." are left as sent. */
	expect_filename("name=\"attachments\"; filename=\"say %22hi%22.pdf\"",
	    "say %22hi%22.pdf");
	expect_filename("name=attachments; filename=plain.pdf", "plain.pdf");
	expect_filename("name=\"attachments\"; filename=\"\"", "");
	/* Bytes that are no charset at all still come out as UTF-8. */
	expect_filename("name=\"attachments\"; filename*=UTF-8''%FF%FE%80.pdf",
	    NULL);
	expect_filename("name=\"attachments\"; filename*=x-bogus''%FF.pdf",
	    NULL);
	expect_filename("name=\"attachments\"; filename=\"\xff\xfe\x80.pdf\"",
	    NULL);
	/* GMime passes F5..F7 lead bytes through: each becomes U+FFFD. */
	expect_filename("name=\"attachments\"; filename=\"\xf5\x80\x80\x97.pdf\"",
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd.pdf");
	/* Two- and four-byte characters. */
	expect_filename("name=\"attachments\"; filename=\"café 📎.pdf\"",
	    "café 📎.pdf");
	expect_filename("name=\"attachments\"; filename*=UTF-8''"
	    "caf%C3%A9%20%F0%9F%93%8E.pdf", "café 📎.pdf");
}

static void
test_transfer_encodings(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	(void)state;
	body_str(&b, "--" BOUNDARY "\r\nContent-Disposition: form-data; "
	    "name=\"attachments\"; filename=\"h.txt\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "aGVsbG8g\r\nd29ybGQ=\r\n"
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"q\"\r\n"
	    "Content-Transfer-Encoding: Quoted-Printable\r\n\r\n"
	    "caf=C3=A9 =\r\nsoft\r\n"
	    "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"s\"\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n"
	    "=C3=A9\r\n");
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 3);
	assert_part(&f.parts[0], "attachments", "h.txt", "hello world", 11);
	assert_part(&f.parts[1], "q", NULL, "café soft", 10);
	assert_part(&f.parts[2], "s", NULL, "=C3=A9", 6);
	form_free(&f);

	/* The limits apply to the decoded bytes. */
	l.file_max = 11;
	l.field_max = 10;
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	form_free(&f);
	l.file_max = 10;
	expect_error(&b, &l, FORM_ERR_FILE_TOO_LARGE,
	    "file \"h.txt\" in attachments is larger than 10 bytes",
	    "attachments");
	l.file_max = 11;
	l.field_max = 9;
	expect_error(&b, &l, FORM_ERR_FIELD_TOO_LONG,
	    "field \"q\" is longer than 9 bytes", "q");
	body_free(&b);

	expect_text_error("--" BOUNDARY "\r\nContent-Disposition: form-data; "
	    "name=\"u\"\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
	    "x\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "part 1 (u) has an unsupported Content-Transfer-Encoding");
	expect_text_error("--" BOUNDARY "\r\nContent-Disposition: form-data; "
	    "name=\"u\"\r\nContent-Transfer-Encoding: rot13\r\n\r\n"
	    "x\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "unsupported Content-Transfer-Encoding");
}

static void
test_content_type_errors(void **state)
{
	struct body b = { 0 };
	struct form_limits l = big_limits();
	char b70[71], ct[200], *huge;

	(void)state;
	add_field(&b, "a", "b");
	add_close(&b);
	expect_error_ct(NULL, &b, &l, FORM_ERR_CONTENT_TYPE,
	    "no Content-Type", NULL);
	expect_error_ct("", &b, &l, FORM_ERR_CONTENT_TYPE,
	    "not multipart/form-data", NULL);
	expect_error_ct("text/plain", &b, &l, FORM_ERR_CONTENT_TYPE,
	    "not multipart/form-data", NULL);
	expect_error_ct("application/x-www-form-urlencoded", &b, &l,
	    FORM_ERR_CONTENT_TYPE, "not multipart/form-data", NULL);
	expect_error_ct("multipart/mixed; boundary=" BOUNDARY, &b, &l,
	    FORM_ERR_CONTENT_TYPE, "not multipart/form-data", NULL);
	expect_error_ct("multipart/form-data", &b, &l, FORM_ERR_CONTENT_TYPE,
	    "has no boundary", NULL);
	expect_error_ct("multipart/form-data; boundary=", &b, &l,
	    FORM_ERR_CONTENT_TYPE, "has no boundary", NULL);
	expect_error_ct("multipart/form-data; boundary=\"\"", &b, &l,
	    FORM_ERR_CONTENT_TYPE, "has no boundary", NULL);
	expect_error_ct("multipart/form-data; boundary=\"a{b\"", &b, &l,
	    FORM_ERR_CONTENT_TYPE, "RFC 2046", NULL);
	expect_error_ct("multipart/form-data; boundary=\"ab \"", &b, &l,
	    FORM_ERR_CONTENT_TYPE, "RFC 2046", NULL);
	expect_error_ct("multipart/form-data; boundary=\"a\xc3\xa9\"", &b, &l,
	    FORM_ERR_CONTENT_TYPE, "RFC 2046", NULL);

	/* A Content-Type header over 1 KiB is not looked at. */
	huge = malloc(2000);
	assert_non_null(huge);
	memset(huge, ' ', 1999);
	huge[1999] = '\0';
	memcpy(huge, CT ";", strlen(CT ";"));
	expect_error_ct(huge, &b, &l, FORM_ERR_CONTENT_TYPE,
	    "longer than 1024 bytes", NULL);
	free(huge);
	body_free(&b);

	/* Boundary length: 70 passes, 71 does not; a smaller maximum. */
	memset(b70, 'b', 70);
	b70[70] = '\0';
	for (int len = 69; len <= 71; len++) {
		struct form f;

		body_free(&b);
		body_str(&b, "--");
		body_add(&b, b70, (size_t)(len < 70 ? len : 70));
		if (len == 71)
			body_str(&b, "c");
		body_str(&b, "\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "v\r\n--");
		body_add(&b, b70, (size_t)(len < 70 ? len : 70));
		if (len == 71)
			body_str(&b, "c");
		body_str(&b, "--\r\n");
		snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%.*s%s",
		    len < 70 ? len : 70, b70, len == 71 ? "c" : "");
		if (len <= 70) {
			assert_int_equal(parse_ct(ct, &b, &l, &f), FORM_OK);
			assert_part(&f.parts[0], "a", NULL, "v", 1);
			form_free(&f);
			l.boundary_max = (size_t)len - 1;
			expect_error_ct(ct, &b, &l, FORM_ERR_CONTENT_TYPE,
			    "boundary is longer than", NULL);
			l.boundary_max = 70;
		} else
			expect_error_ct(ct, &b, &l, FORM_ERR_CONTENT_TYPE,
			    "the multipart boundary is longer than 70 "
			    "characters", NULL);
	}
	body_free(&b);
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	expect_text_error("", FORM_ERR_SYNTAX, "no multipart boundary line");
	expect_text_error("no boundary at all\r\n", FORM_ERR_SYNTAX,
	    "no multipart boundary line");
	expect_text_error("--" BOUNDARY "x\r\n", FORM_ERR_SYNTAX,
	    "no multipart boundary line");
	expect_text_error("--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n",
	    FORM_ERR_SYNTAX, "no closing boundary");
	expect_text_error("--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"
	    "--" BOUNDARY, FORM_ERR_SYNTAX, "no closing boundary");
	expect_text_error("--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"
	    "--" BOUNDARY "-", FORM_ERR_SYNTAX, "no closing boundary");
	expect_text_error("--" BOUNDARY "\r\n", FORM_ERR_SYNTAX,
	    "no closing boundary");
	expect_text_error("--" BOUNDARY "\r\nContent-Type: text/plain\r\n\r\n"
	    "v\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "part 1 has no Content-Disposition header");
	expect_text_error("--" BOUNDARY "\r\n\r\nv\r\n--" BOUNDARY "--\r\n",
	    FORM_ERR_SYNTAX, "part 1 has no Content-Disposition header");
	expect_text_error("--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=a\r\n\r\nv\r\n"
	    "--" BOUNDARY "\r\n"
	    "Content-Disposition: attachment; name=\"b\"\r\n\r\nv\r\n"
	    "--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX, "part 2 is not form-data");
	expect_text_error("--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; filename=\"a.pdf\"\r\n\r\nv\r\n"
	    "--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX, "part 1 has no field name");
	expect_text_error("--" BOUNDARY "\r\n"
	    "Content-Disposition: \r\n\r\nv\r\n"
	    "--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX, "part 1 is not form-data");
	expect_text_error("--" BOUNDARY "\r\nContent-Disposition form-data\r\n"
	    "\r\nv\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "part 1 has a malformed header line");
	expect_text_error("--" BOUNDARY "\r\nBad Name: x\r\n"
	    "Content-Disposition: form-data; name=a\r\n"
	    "\r\nv\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "part 1 has a malformed header line");
	expect_text_error("--" BOUNDARY "\r\n: empty name\r\n"
	    "\r\nv\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "part 1 has a malformed header line");
	expect_text_error("--" BOUNDARY "\r\n continued\r\n"
	    "Content-Disposition: form-data; name=a\r\n"
	    "\r\nv\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "part 1 has a malformed header line");
	expect_text_error("--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=a\r\n"
	    "Content-Disposition: form-data; name=b\r\n"
	    "\r\nv\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "has the header Content-Disposition twice");
	expect_text_error("--" BOUNDARY "\r\n"
	    "Content-Disposition: form-data; name=a\rb\r\n"
	    "\r\nv\r\n--" BOUNDARY "--\r\n", FORM_ERR_SYNTAX,
	    "part 1 has a control character in its header");

	/* A NUL byte in a header. */
	{
		static const char text[] = "--" BOUNDARY "\r\n"
		    "Content-Disposition: form-data; name=a\0b\r\n"
		    "\r\nv\r\n--" BOUNDARY "--\r\n";
		struct body b = { 0 };
		struct form_limits l = big_limits();

		body_add(&b, text, sizeof(text) - 1);
		expect_error(&b, &l, FORM_ERR_SYNTAX,
		    "part 1 has a control character in its header", NULL);
		body_free(&b);
	}
}

/* A body of n fields "f0".."f<n-1>". */
static void
make_fields(struct body *b, size_t n)
{
	char name[16];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		add_field(b, name, "v");
	}
	add_close(b);
}

static void
test_parts_max(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	(void)state;
	l.parts_max = 3;
	make_fields(&b, 3);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 3);
	form_free(&f);
	body_free(&b);

	make_fields(&b, 4);
	expect_error(&b, &l, FORM_ERR_TOO_MANY_PARTS,
	    "the form has more than 3 parts", NULL);
	body_free(&b);

	/* A dropped empty file field is still a part of the body. */
	add_field(&b, "a", "1");
	add_file(&b, "name=\"attachments\"; filename=\"\"",
	    "application/octet-stream", "", 0);
	add_field(&b, "b", "2");
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 2);
	form_free(&f);
	l.parts_max = 2;
	expect_error(&b, &l, FORM_ERR_TOO_MANY_PARTS,
	    "more than 2 parts", NULL);
	body_free(&b);

	/*
	 * Counted as the delimiters are found, before the closing one is
	 * looked for: the third delimiter ends a second part.
	 */
	l.parts_max = 1;
	add_field(&b, "a", "1");
	add_field(&b, "b", "2");
	add_field(&b, "c", "3");
	expect_error(&b, &l, FORM_ERR_TOO_MANY_PARTS,
	    "the form has more than 1 part", NULL);
	assert_string_equal(msg, "the form has more than 1 part");
	body_free(&b);
}

static void
test_part_header_max(void **state)
{
	static const char hdr[] =
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\n";
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();
	char want[80];

	(void)state;
	add_field(&b, "b", "first");
	add_field(&b, "a", "value");
	add_close(&b);
	/* The block counts up to and including the empty line. */
	l.part_header_max = sizeof(hdr) - 1;
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_part(&f.parts[1], "a", NULL, "value", 5);
	form_free(&f);
	l.part_header_max = sizeof(hdr) - 2;
	snprintf(want, sizeof(want), "the header of part 1 is larger than "
	    "%zu bytes", sizeof(hdr) - 2);
	expect_error(&b, &l, FORM_ERR_HEADER_TOO_LARGE, want, NULL);
	body_free(&b);

	/* A long ignored header counts too; KiB in the message. */
	body_str(&b, "--" BOUNDARY "\r\nX-Pad: ");
	for (size_t i = 0; i < 1024 - 7 - 2 - (sizeof(hdr) - 1); i++)
		body_str(&b, "p");
	body_str(&b, "\r\n");
	body_str(&b, hdr);
	body_str(&b, "v\r\n");
	add_close(&b);
	l.part_header_max = 1024;
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_part(&f.parts[0], "a", NULL, "v", 1);
	form_free(&f);
	l.part_header_max = 1023;
	expect_error(&b, &l, FORM_ERR_HEADER_TOO_LARGE,
	    "the header of part 1 is larger than 1023 bytes", NULL);
	body_free(&b);

	/* A part with no end of header at all. */
	body_str(&b, "--" BOUNDARY "\r\nX-Pad: ");
	for (int i = 0; i < 3000; i++)
		body_str(&b, "p");
	body_str(&b, "\r\n--" BOUNDARY "--\r\n");
	l.part_header_max = 2048;
	expect_error(&b, &l, FORM_ERR_HEADER_TOO_LARGE,
	    "the header of part 1 is larger than 2 KiB", NULL);
	body_free(&b);
}

static void
test_field_max(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	(void)state;
	l.field_max = 5;
	add_field(&b, "county", "");
	add_field(&b, "summary", "12345");
	add_file(&b, "name=\"attachments\"; filename=\"big.txt\"",
	    "text/plain", "longer than five", 16);
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_part(&f.parts[1], "summary", NULL, "12345", 5);
	form_free(&f);
	body_free(&b);

	add_field(&b, "summary", "123456");
	add_close(&b);
	expect_error(&b, &l, FORM_ERR_FIELD_TOO_LONG,
	    "field \"summary\" is longer than 5 bytes", "summary");
	assert_string_equal(msg, "field \"summary\" is longer than 5 bytes");
	body_free(&b);

	/* Zero allows only empty fields; "1 byte". */
	l.field_max = 0;
	add_field(&b, "county", "");
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	form_free(&f);
	body_free(&b);
	l.field_max = 1;
	add_field(&b, "详细情况", "12");
	add_close(&b);
	expect_error(&b, &l, FORM_ERR_FIELD_TOO_LONG,
	    "field \"详细情况\" is longer than 1 byte", "详细情况");
	body_free(&b);
}

static void
test_file_max(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();
	unsigned char *big;

	(void)state;
	big = malloc(20 * MIB + 1);
	assert_non_null(big);
	for (size_t i = 0; i < 20 * MIB + 1; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 13));
	l.file_max = 20 * MIB;
	l.field_max = 10;
	add_file(&b, "name=\"attachments\"; filename=\"x.pdf\"",
	    "application/pdf", big, 20 * MIB);
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_part(&f.parts[0], "attachments", "x.pdf", big, 20 * MIB);
	form_free(&f);
	body_free(&b);

	add_file(&b, "name=\"attachments\"; filename=\"x.pdf\"",
	    "application/pdf", big, 20 * MIB + 1);
	add_close(&b);
	expect_error(&b, &l, FORM_ERR_FILE_TOO_LARGE,
	    "file \"x.pdf\" in attachments is larger than 20 MiB",
	    "attachments");
	assert_string_equal(msg,
	    "file \"x.pdf\" in attachments is larger than 20 MiB");
	body_free(&b);
	free(big);

	/* Small: at and one over. */
	l.file_max = 4;
	add_file(&b, "name=\"evidence\"; filename=\"举报.pdf\"",
	    "application/pdf", "1234", 4);
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	form_free(&f);
	l.file_max = 3;
	expect_error(&b, &l, FORM_ERR_FILE_TOO_LARGE,
	    "file \"举报.pdf\" in evidence is larger than 3 bytes", "evidence");
	body_free(&b);
}

static void
test_files_max(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();

	(void)state;
	l.files_max = 2;
	add_file(&b, "name=\"attachments\"; filename=\"1\"", "text/plain",
	    "1", 1);
	add_file(&b, "name=\"attachments\"; filename=\"\"",
	    "application/octet-stream", "", 0);
	add_file(&b, "name=\"attachments\"; filename=\"empty\"", "text/plain",
	    "", 0);
	add_file(&b, "name=\"attachments\"; filename=\"2\"", "text/plain",
	    "2", 1);
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	assert_int_equal(f.nparts, 3);
	form_free(&f);
	body_free(&b);

	add_file(&b, "name=\"attachments\"; filename=\"1\"", "text/plain",
	    "1", 1);
	add_file(&b, "name=\"attachments\"; filename=\"2\"", "text/plain",
	    "2", 1);
	add_file(&b, "name=\"more\"; filename=\"3\"", "text/plain", "3", 1);
	add_close(&b);
	expect_error(&b, &l, FORM_ERR_TOO_MANY_FILES,
	    "more has more than 2 files", "more");
	l.files_max = 1;
	expect_error(&b, &l, FORM_ERR_TOO_MANY_FILES,
	    "attachments has more than 1 file", "attachments");
	body_free(&b);
}

static void
test_body_max(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();
	char want[64];

	(void)state;
	add_field(&b, "summary", "s");
	add_close(&b);
	l.body_max = b.len;
	assert_int_equal(parse(&b, &l, &f), FORM_OK);
	form_free(&f);
	l.body_max = b.len - 1;
	snprintf(want, sizeof(want), "the request body is larger than %zu "
	    "bytes", b.len - 1);
	expect_error(&b, &l, FORM_ERR_BODY_TOO_LARGE, want, NULL);
	l.body_max = 0;
	expect_error(&b, &l, FORM_ERR_BODY_TOO_LARGE,
	    "larger than 0 bytes", NULL);
	body_free(&b);
}

static void
test_messages(void **state)
{
	struct body b = { 0 };
	struct form f;
	struct form_limits l = big_limits();
	char small[10], longname[300], want[72];
	const char *fld = "x";

	(void)state;
	/* Cut to the caller's size at a character boundary. */
	l.field_max = 1;
	add_field(&b, "详细情况", "12");
	add_close(&b);
	memset(small, 'Z', sizeof(small));
	assert_int_equal(form_parse(CT, b.p, b.len, &l, &f, small,
	    sizeof(small), &fld), FORM_ERR_FIELD_TOO_LONG);
	assert_string_equal(small, "field \"");
	assert_string_equal(fld, "详细情况");
	/* msg and field may be NULL. */
	assert_int_equal(form_parse(CT, b.p, b.len, &l, &f, NULL, 0, NULL),
	    FORM_ERR_FIELD_TOO_LONG);
	assert_int_equal(form_parse(CT, b.p, b.len, &l, &f, small, 0, NULL),
	    FORM_ERR_FIELD_TOO_LONG);
	assert_int_equal(small[0], 'f');
	assert_int_equal(form_parse(CT, b.p, b.len, &l, &f, small, 1, NULL),
	    FORM_ERR_FIELD_TOO_LONG);
	assert_string_equal(small, "");
	body_free(&b);

	/*
	 * A long name: clipped with "..." in the message, whole in *field
	 * up to 255 bytes; control characters become '?'.
	 */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	longname[1] = '\t';
	add_field(&b, longname, "12");
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_ERR_FIELD_TOO_LONG);
	memset(want, 'n', 64);
	want[1] = '?';
	memcpy(want + 64, "...", 4);
	assert_int_equal(strncmp(msg, "field \"", 7), 0);
	assert_int_equal(strncmp(msg + 7, want, 67), 0);
	assert_string_equal(msg + 7 + 67, "\" is longer than 1 byte");
	assert_int_equal(strlen(field), 255);
	assert_memory_equal(field, longname, 255);
	body_free(&b);

	/* Both cuts fall inside a three-byte character. */
	memcpy(longname, "ab", 2);
	for (int i = 0; i < 90; i++)
		memcpy(longname + 2 + 3 * i, "举", 4);
	add_field(&b, longname, "12");
	add_close(&b);
	assert_int_equal(parse(&b, &l, &f), FORM_ERR_FIELD_TOO_LONG);
	assert_int_equal(strncmp(msg + 7, longname, 62), 0);
	assert_int_equal(strncmp(msg + 7 + 62, "...\"", 4), 0);
	assert_int_equal(strlen(field), 254);
	assert_memory_equal(field, longname, 254);
	body_free(&b);
}

/* Several threads parse the same bodies at once, the first call too. */
struct thread_arg {
	const struct body *b;
	int ok;
};

static void *
thread_main(void *p)
{
	struct thread_arg *a = p;
	struct form_limits l = big_limits();
	struct form f;
	char m[128];
	const char *fld;

	a->ok = 1;
	for (int i = 0; i < 300; i++) {
		l.file_max = i % 2 == 0 ? 50 * MIB : 3;
		if (form_parse(CT, a->b->p, a->b->len, &l, &f, m, sizeof(m),
		    &fld) != (i % 2 == 0 ? FORM_OK : FORM_ERR_FILE_TOO_LARGE)) {
			a->ok = 0;
			break;
		}
		if (i % 2 == 0) {
			if (f.nparts != 3 || strcmp(f.parts[2].filename,
			    "举报材料.pdf") != 0 || f.parts[2].len != 4 ||
			    memcmp(f.parts[2].data, "\0\r\n\xff", 4) != 0)
				a->ok = 0;
			form_free(&f);
		} else if (strcmp(fld, "attachments") != 0 ||
		    strstr(m, "举报材料.pdf") == NULL)
			a->ok = 0;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct body b = { 0 };
	pthread_t t[8];
	struct thread_arg a[8];

	(void)state;
	add_field(&b, "summary", "s");
	add_field(&b, "details", "d");
	add_file(&b, "name=\"attachments\"; filename*=UTF-8''"
	    "%E4%B8%BE%E6%8A%A5%E6%9D%90%E6%96%99.pdf", "application/pdf",
	    "\0\r\n\xff", 4);
	add_close(&b);
	for (int i = 0; i < 8; i++) {
		a[i].b = &b;
		assert_int_equal(pthread_create(&t[i], NULL, thread_main,
		    &a[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_true(a[i].ok);
	}
	body_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* First, so that the first form_parse() runs in threads. */
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_files_same_name),
		cmocka_unit_test(test_empty_file_dropped),
		cmocka_unit_test(test_zero_parts),
		cmocka_unit_test(test_binary_round_trip),
		cmocka_unit_test(test_lf_and_padding),
		cmocka_unit_test(test_file_names),
		cmocka_unit_test(test_transfer_encodings),
		cmocka_unit_test(test_content_type_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_parts_max),
		cmocka_unit_test(test_part_header_max),
		cmocka_unit_test(test_field_max),
		cmocka_unit_test(test_file_max),
		cmocka_unit_test(test_files_max),
		cmocka_unit_test(test_body_max),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
