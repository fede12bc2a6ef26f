/* SPDX-License-Identifier: MIT */
/*
 * The route handlers, one file per resource (http_<resource>.c), dispatched
 * from the table in http_server.c.  Each ends its request with exactly one
 * http_reply*() call.
 */
#ifndef HANDLERS_HTTP_ROUTES_H
#define HANDLERS_HTTP_ROUTES_H

#include "handlers/http_server.h"

/* GET /healthz */
void http_health_get(struct http_req *r);

/* POST /tips: the web form (answers HTML). */
void http_tips_post_form(struct http_req *r);
/* POST /api/v1/tips: multipart or JSON (answers JSON). */
void http_tips_post_api(struct http_req *r);

#endif
