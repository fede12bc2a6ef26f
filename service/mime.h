/* SPDX-License-Identifier: MIT */
/*
 * GMime, set up once per process for every module that parses MIME (the
 * form parser, form.c, and the mail parser, mail_parse.c).  g_mime_init()
 * keeps an unlocked counter and registers GObject types, so two threads
 * calling it at once on their first request would race; mime_init() runs
 * it exactly once under pthread_once.  The shared parser options made here
 * are never changed afterwards, so any thread may read them.
 */
#ifndef SERVICE_MIME_H
#define SERVICE_MIME_H

#include <gmime/gmime.h>

/*
 * Initialise GMime once for the process; cheap after the first call and
 * safe to call from any thread, any number of times.  Never undone:
 * g_mime_shutdown() is not called, the few one-time allocations live as
 * long as the process.
 */
void mime_init(void);

/*
 * Parser options for e-mail (mail_parse.c): loose RFC compliance (GMime's
 * default: encoded words inside quoted parameters are decoded, as Foxmail
 * and Outlook send them) and the fallback charsets UTF-8, GB18030, Big5
 * for 8-bit text whose charset is unknown or undeclared, tried in that
 * order.  Calls mime_init().  Read-only: callers that need a warning
 * callback clone it (g_mime_parser_options_clone()).  Never NULL.
 */
GMimeParserOptions *mime_mail_options(void);

#endif
