/* SPDX-License-Identifier: MIT */
/*
 * One-time GMime set-up (see mime.h).  Two once-controls: g_mime_init()
 * alone, for the form parser, and the mail parser options on top of it,
 * made on the first mail.  Both objects live until the process exits.
 */
#include "service/mime.h"

#include <pthread.h>

static pthread_once_t mime_once = PTHREAD_ONCE_INIT;
static pthread_once_t mime_mail_once = PTHREAD_ONCE_INIT;
/* Made once by mime_mail_init_once(), read-only afterwards. */
static GMimeParserOptions *mime_mail_opts;

static void
mime_init_once(void)
{
	g_mime_init();
}

void
mime_init(void)
{
	pthread_once(&mime_once, mime_init_once);
}

/*
 * GB18030 before Big5: the bureau's senders are mainland clients, and
 * GB18030 contains GB2312 and GBK, which they label their mail with.
 * GMime tries the list in order and takes the first charset that reads
 * the bytes without an error (g_mime_utils_decode_8bit()).
 */
static void
mime_mail_init_once(void)
{
	static const char *charsets[] = { "UTF-8", "GB18030", "BIG5", NULL };

	mime_init();
	mime_mail_opts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(mime_mail_opts, charsets);
}

GMimeParserOptions *
mime_mail_options(void)
{
	pthread_once(&mime_mail_once, mime_mail_init_once);
	return mime_mail_opts;
}
