# SPDX-License-Identifier: MIT
"""The global limit on wrong receipt codes (handlers/http_public.c
`receipts_all`: HTTP_PUBLIC_RECEIPT_GLOBAL = 1000 wrong codes in
HTTP_PUBLIC_RECEIPT_WINDOW = 600 s, every address together).

Every loopback address 127.0.0.x reaches the server as a client address
of its own, so 100 of them, 10 wrong codes each (each stays within its own
limit of 10), spend the global budget; an address that never sent a code
is then throttled as well, with the very answer the per-address throttle
gives, and even a right code is refused while the window lasts (counted
first, looked at only when allowed: handlers/http_follow_up.c).  Each
address uses one keep-alive connection; the whole test takes a few
seconds."""

import http.client
import json

from harness import HOST, REQUEST_TIMEOUT
from test_follow_up import new_tip

GLOBAL = 1000          # HTTP_PUBLIC_RECEIPT_GLOBAL
PER_ADDRESS = 10       # HTTP_PUBLIC_RECEIPT_LIMIT
WINDOW = 600           # HTTP_PUBLIC_RECEIPT_WINDOW

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}


class Client:
    """One keep-alive connection from the loopback address 127.0.0.n."""

    def __init__(self, port, n):
        self.conn = http.client.HTTPConnection(
            HOST, port, timeout=REQUEST_TIMEOUT,
            source_address=("127.0.0.%d" % n, 0))

    def post(self, path, body, headers):
        self.conn.request("POST", path, body=body, headers=headers)
        r = self.conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()

    def web(self, code):
        return self.post("/follow-up?lang=en",
                         ("receipt=%s" % code).encode(), FORM)

    def api(self, code):
        return self.post("/api/v1/follow-up",
                         json.dumps({"receipt": code}).encode(), JSON)

    def close(self):
        self.conn.close()


def same_answer(a, b):
    """Two 429s alike: status, body and the headers that are not the
    date or the seconds to wait."""
    skip = {"date", "retry-after"}
    assert a[0] == b[0] == 429, (a, b)
    assert a[2] == b[2], (a[2][:600], b[2][:600])
    assert {k: v for k, v in a[1].items() if k not in skip} == \
        {k: v for k, v in b[1].items() if k not in skip}, (a[1], b[1])
    for resp in (a, b):
        assert 0 < int(resp[1]["retry-after"]) <= WINDOW, resp[1]
        assert "set-cookie" not in resp[1], resp[1]


def test_global_wrong_code_budget(server):
    code = new_tip(server)
    wrong = "%016d" % (int(code) ^ 1)   # 16 digits, never the right ones

    # Address 2: its own 10 wrong codes, then the per-address throttle's
    # answers (a blocked address uses none of the global budget).
    first = Client(server.port, 2)
    assert [first.web(wrong)[0] for _ in range(PER_ADDRESS)] == \
        [404] * PER_ADDRESS
    own_web, own_api = first.web(wrong), first.api(wrong)
    assert own_web[0] == own_api[0] == 429, (own_web, own_api)
    first.close()

    # Addresses 3..101: 99 more addresses x 10 wrong codes, half of them
    # through the API: the budget is exactly spent, and every one of them
    # was still answered 404 (the 1000th included).
    for n in range(3, 3 + GLOBAL // PER_ADDRESS - 1):
        c = Client(server.port, n)
        statuses = [(c.api if i % 2 else c.web)(wrong)[0]
                    for i in range(PER_ADDRESS)]
        c.close()
        assert statuses == [404] * PER_ADDRESS, (n, statuses)

    # Address 200 never sent a code: throttled all the same, with the
    # answer of the per-address throttle, for a wrong and a right code,
    # through the form and the API.
    fresh = Client(server.port, 200)
    same_answer(fresh.web(wrong), own_web)
    same_answer(fresh.web(code), own_web)
    same_answer(fresh.api(wrong), own_api)
    same_answer(fresh.api(code), own_api)
    assert json.loads(own_api[2])["error"]["code"] == "rate_limited"
    fresh.close()

    # 127.0.0.1 too (the address the other tests use).
    r = server.request("POST", "/api/v1/follow-up",
                       body=json.dumps({"receipt": code}), headers=JSON)
    assert r.status == 429, r
    server.assert_alive()
