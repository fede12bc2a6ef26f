/* SPDX-License-Identifier: MIT */
/*
 * GET /healthz: answered on the loop thread without touching the disk, so
 * it stays fast however busy the workers are; a monitor that sees it fail
 * knows the loop itself is stuck.
 */
#include "handlers/http_routes.h"

void
http_health_get(struct http_req *r)
{
	http_reply(r, 200, "text/plain; charset=utf-8", "ok", 2);
}
