# SPDX-License-Identifier: MIT
"""Login throttling (contract.md, "JSON API"): after 5 failures for one
account, attempts get 429 with a Retry-After that grows (at most 15
minutes); attempts while blocked cost nothing and do not count; there is
no permanent lock-out, so the right password works once the block is
over; unknown accounts are throttled exactly like real ones.  The first
block lasts 1 to 2 seconds, so the test waits seconds, not minutes."""

import json
import time

from staff_helpers import (login_page_post, add_user, admin_password, cookie_of,
                           login_response)

MAX_RETRY_AFTER = 15 * 60


def retry_after(r):
    value = r.header("retry-after")
    assert value is not None and value.isdigit(), r
    seconds = int(value)
    assert 1 <= seconds <= MAX_RETRY_AFTER, r
    return seconds


def hammer(server, login, n=100):
    """n wrong passwords in a row; returns the answers."""
    return [login_response(server, login, "wrong password %d" % i)
            for i in range(n)]


def test_hundred_wrong_passwords_then_the_right_one(server):
    pw = admin_password(server)
    add_user(server, "target", "officer", "140581")
    started = time.monotonic()
    answers = hammer(server, "target")
    statuses = [r.status for r in answers]
    assert set(statuses) <= {401, 429}, statuses
    assert statuses[:5] == [401] * 5, statuses[:10]
    throttled = [r for r in answers if r.status == 429]
    assert len(throttled) >= 80, "barely slowed: %r" % statuses
    for r in throttled:
        retry_after(r)
        assert json.loads(r.body)["error"]["code"] == "too_many_requests"
        assert cookie_of(r) is None
    # While blocked, even the right password is refused.
    r = login_response(server, "target", pw)
    if r.status == 429:
        wait = retry_after(r)
    else:
        assert r.status == 200, r     # the block ran out meanwhile
        wait = None
    if wait is not None:
        time.sleep(wait + 0.2)        # waiting out the block is the test
        r = login_response(server, "target", pw)
        assert r.status == 200, "no way back in after the block: %r" % r
    assert time.monotonic() - started < 120
    server.assert_alive()


def test_delay_grows(server):
    pw = admin_password(server)
    add_user(server, "grow", "triage", "140500")
    for _ in range(5):
        assert login_response(server, "grow", "nope nope nope").status \
            == 401
    first = login_response(server, "grow", "nope nope nope")
    assert first.status == 429, first
    d1 = retry_after(first)
    time.sleep(d1 + 0.2)
    assert login_response(server, "grow", "nope nope nope").status == 401
    second = login_response(server, "grow", "nope nope nope")
    assert second.status == 429, second
    d2 = retry_after(second)
    assert d2 > d1, (d1, d2)
    time.sleep(d2 + 0.2)
    assert login_response(server, "grow", pw).status == 200
    # A success clears the account's count.
    for _ in range(4):
        assert login_response(server, "grow", "nope nope nope").status \
            == 401
    assert login_response(server, "grow", pw).status == 200


def test_unknown_account_throttled_alike(server):
    answers = hammer(server, "no-such-account", n=10)
    assert [r.status for r in answers[:5]] == [401] * 5
    assert answers[5].status == 429, answers[5]
    retry_after(answers[5])
    # Another account from the same address is not blocked by it.
    pw = admin_password(server)
    add_user(server, "bystander", "triage", "140500")
    assert login_response(server, "bystander", pw).status == 200


def test_page_login_throttled(server):
    statuses = []
    for i in range(8):
        r = login_page_post(server, {"login": "pageuser",
                                     "password": "wrong %d" % i})
        statuses.append(r.status)
        if r.status == 429:
            retry_after(r)
            assert "text/html" in r.header("content-type")
    assert statuses[:5] == [401] * 5 and 429 in statuses, statuses
