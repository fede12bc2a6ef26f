/* SPDX-License-Identifier: MIT */
/*
 * GET /static/tipline.css: the one stylesheet of the public pages, served
 * from our own origin (the pages' Content-Security-Policy allows styles
 * from 'self' only, and nothing inline).  Compiled in; a few KiB.  Built
 * for a phone first (one column, large touch targets, 16px inputs so that
 * mobile browsers do not zoom), wider screens get a centred column; a
 * print section turns the receipt page into a clean printable sheet.
 */
#include <string.h>

#include "handlers/http_routes.h"

static const char http_static_css[] =
"*{box-sizing:border-box}\n"
"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
"body{margin:0;font-family:system-ui,-apple-system,\"PingFang SC\","
"\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;font-size:16px;"
"line-height:1.6;color:#1b1b1b;background:#f4f5f7}\n"
"header.site,footer.site{background:#7a1212;color:#fff;padding:.75rem 1rem;"
"display:flex;flex-wrap:wrap;justify-content:space-between;gap:.5rem}\n"
"header.site a,footer.site a{color:#fff}\n"
"header.site .home{font-weight:700;text-decoration:none}\n"
"footer.site{display:block;font-size:.9rem;margin-top:2rem}\n"
"footer.site p{margin:.25rem 0}\n"
"main{max-width:44rem;margin:0 auto;padding:1rem;background:#fff}\n"
"h1{font-size:1.5rem;line-height:1.3;margin:.5rem 0 1rem}\n"
"h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\n"
".intro{background:#eef4fb;border-left:4px solid #1d5fa7;padding:.5rem 1rem;"
"margin-bottom:1rem}\n"
".field{margin:0 0 1.25rem}\n"
"label,legend{display:block;font-weight:600;margin-bottom:.25rem}\n"
".req{color:#a10000;font-weight:400}\n"
".hint{color:#555;font-size:.9rem;margin:.1rem 0 .35rem}\n"
"input[type=text],input[type=email],input[type=tel],input[type=date],"
"input[type=password],select,textarea{width:100%;font:inherit;"
"font-size:16px;padding:.55rem .6rem;border:1px solid #888;"
"border-radius:4px;background:#fff;color:inherit}\n"
"textarea{min-height:10rem;resize:vertical}\n"
"input[type=file]{font:inherit;max-width:100%}\n"
"fieldset{border:1px solid #ccc;border-radius:4px;padding:.75rem 1rem;"
"margin:0 0 1.25rem}\n"
"button{font:inherit;font-weight:600;padding:.7rem 1.5rem;border:0;"
"border-radius:4px;background:#7a1212;color:#fff;cursor:pointer;"
"min-height:44px}\n"
"button.secondary{background:#555}\n"
".warning{background:#fff6d6;border-left:4px solid #c98a00;"
"padding:.5rem 1rem;margin:.5rem 0}\n"
".error{color:#a10000;font-weight:600;margin:.2rem 0}\n"
".has-error input,.has-error textarea,.has-error select{"
"border:2px solid #a10000}\n"
".error-summary{border:3px solid #a10000;padding:.5rem 1rem;"
"margin-bottom:1rem}\n"
".error-summary h2{margin-top:.25rem;color:#a10000}\n"
".notice{background:#e7f5e9;border-left:4px solid #2e7d32;"
"padding:.5rem 1rem}\n"
".receipt{font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;"
"font-size:1.6rem;letter-spacing:.08em;font-weight:700;"
"background:#f4f5f7;border:2px dashed #7a1212;padding:.5rem;"
"display:inline-block;word-break:break-all}\n"
"dl.facts{display:grid;grid-template-columns:max-content 1fr;"
"gap:.25rem 1rem}\n"
"dl.facts dt{font-weight:600}\n"
"dl.facts dd{margin:0}\n"
"ol.messages{list-style:none;padding:0}\n"
"ol.messages li{border:1px solid #ddd;border-radius:4px;padding:.5rem .75rem;"
"margin:.5rem 0}\n"
"ol.messages li.bureau{background:#eef4fb}\n"
"ol.messages li.tipster{background:#fafafa}\n"
".meta{color:#555;font-size:.85rem}\n"
".text{white-space:pre-wrap;word-wrap:break-word}\n"
".print-only{display:none}\n"
"@media (max-width:30rem){main{padding:.75rem}"
"dl.facts{grid-template-columns:1fr}"
"button{width:100%}}\n"
"@media print{header.site,footer.site,nav,form,.no-print{display:none}"
"body{background:#fff}main{max-width:none;padding:0}"
".print-only{display:block}"
".receipt{border:2px solid #000;font-size:20pt}"
"a{color:#000;text-decoration:none}}\n";

void
http_static_css_get(struct http_req *r)
{
	http_reply(r, 200, "text/css; charset=utf-8", http_static_css,
	    sizeof(http_static_css) - 1);
}
