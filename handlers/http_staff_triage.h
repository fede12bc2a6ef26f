/* SPDX-License-Identifier: MIT */
/*
 * The triage parts of the staff tip pages (http_staff_triage.c), drawn
 * by http_staff_tips.c: the queue's extra columns, and on a tip's page
 * its related tips, the triage forms (confirm, status, re-route,
 * classify) and its history.  The routes themselves are in
 * http_routes.h.
 */
#ifndef HANDLERS_HTTP_STAFF_TRIAGE_H
#define HANDLERS_HTTP_STAFF_TRIAGE_H

#include <jansson.h>

#include "handlers/http_staff.h"

struct evbuffer;
struct service_worker;

/* The queue's extra header cells, and the cells of list row t. */
void http_staff_triage_list_head(struct evbuffer *b);
void http_staff_triage_list_cells(struct evbuffer *b, json_t *t);

/*
 * On the worker of a tip page: load the code lists the forms offer into
 * j->extra (when it is free); without them the forms take typed codes.
 */
void http_staff_triage_page_work(struct service_worker *w,
    struct http_staff_job *j);

/* The tip page's triage sections for the detail document j->out. */
void http_staff_triage_page(struct evbuffer *b, struct http_staff_job *j);

#endif
