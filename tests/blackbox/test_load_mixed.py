# SPDX-License-Identifier: MIT
"""Everything at once (issue 8, "a run of the black-box suite against the
sanitizer build under load"): for TIPLINE_LOAD_SECONDS (default 10) one
server takes web form, JSON and LMTP tips with files, tipsters follow up
and write, an officer and the triage desk read the queue, classify, route,
confirm, message tipsters and open cases with outcomes, the summary
report is built, /metrics is scraped — all concurrently, on every door at
once.  scripts/test runs it in both builds, so under ASan + UBSan too,
where any sanitizer report of the server fails it (finish_server()).

Afterwards: every request got an answer of the kinds the contract allows
(never a dropped connection or a 5xx); every acknowledged tip is stored
exactly once with its files, opens with its receipt and carries every
message acknowledged for it; the number of tips equals the number of
acknowledgements; `tipline verify` is clean; the server stops cleanly."""

import json
import os
import re
import smtplib
import threading
import time

from harness import encode_multipart, make_png, tip_mail
from staff_helpers import (OWN_BUREAU, cli, db_one, import_institutions,
                           staff_server)
from web_helpers import receipt_of

SECONDS = float(os.environ.get("TIPLINE_LOAD_SECONDS", "10"))
COUNTIES = ("140581", "140522", "140524", "140525", "140502")
INSTITUTION = "高平市华泰检测有限责任公司"
INSTITUTIONS = (
    "name,credit_code,cma_cert_no,address,county_code,domains\n"
    "%s,91140581MA0K000016,160412050123,高平市米山镇,140581,"
    "food;building_materials\n" % INSTITUTION)


class Ledger:
    """What the clients were told, under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tips = {}          # id -> (receipt, files, channel)
        self.messages = {}      # id -> messages acknowledged by tipsters
        self.errors = []
        self.counts = {}

    def ack_tip(self, tip_id, receipt, files, channel):
        with self.lock:
            assert tip_id not in self.tips, tip_id
            self.tips[tip_id] = (receipt, files, channel)

    def receipts(self):
        with self.lock:
            return [(k, v[0]) for k, v in self.tips.items()
                    if v[0] is not None]

    def tip_ids(self):
        with self.lock:
            return list(self.tips)

    def count(self, what):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def error(self, text):
        with self.lock:
            self.errors.append(text)


def expect(ledger, what, r, allowed):
    """Record a request's answer; anything but an allowed status (a 5xx,
    a dropped connection) is an error."""
    ledger.count(what)
    if r.status not in allowed:
        ledger.error("%s: %d %s" % (what, r.status, r.body[:200]))
        return False
    return True


def loop(stop, ledger, name, fn):
    """Run fn(i) until stop is set; exceptions are errors."""
    i = 0
    while not stop.is_set():
        try:
            fn(i)
        except Exception as e:  # noqa: BLE001 - every failure is recorded
            ledger.error("%s: %r" % (name, e))
            time.sleep(0.05)
        i += 1


def web_tip(srv, ledger, tag, i, api):
    fields = [("summary", "负载测试 %s %d" % (tag, i)),
              ("details", "检测机构未检测出具报告 load %s %d" % (tag, i)),
              ("institution", INSTITUTION if i % 2 == 0 else ""),
              ("county", COUNTIES[i % len(COUNTIES)]),
              ("contact_email", "t%s%d@example.org" % (tag, i))]
    files = [("attachments", "现场照片%d.png" % i, "image/png",
              make_png(8 + i % 9, 8))]
    ctype, body = encode_multipart(fields, files)
    r = srv.request("POST", "/api/v1/tips" if api else "/tips", body=body,
                    headers={"Content-Type": ctype})
    if not expect(ledger, "tip." + tag, r, (201,)):
        return
    if api:
        doc = json.loads(r.body)
        ledger.ack_tip(doc["id"], doc["receipt"], 1, "api")
    else:
        m = re.search(rb"T-\d{4}-\d{6}", r.body)
        ledger.ack_tip(m.group(0).decode(), receipt_of(r.body), 1, "web")


def mail_tip(srv, ledger, i):
    data = tip_mail("邮件举报 负载 %d" % i, "邮件负载 %d" % i,
                    sender="mailer%d@example.org" % i,
                    domain="load.example.org", png=("照片.png", 12, 12))
    with smtplib.LMTP("127.0.0.1", srv.lmtp_port, timeout=30) as c:
        c.ehlo_or_helo_if_needed()
        refused = c.sendmail("mailer@example.org", ["tips@localhost"],
                             data)
        ledger.count("tip.mail")
        if refused:
            ledger.error("mail refused: %r" % refused)
            return
    # The reply carries no id: find it by its Message-ID later.
    with ledger.lock:
        ledger.counts["mail.acked"] = ledger.counts.get("mail.acked", 0) + 1


def follow_up(srv, ledger, i):
    rs = ledger.receipts()
    if not rs:
        time.sleep(0.05)
        return
    tip_id, receipt = rs[i % len(rs)]
    r = srv.request("POST", "/api/v1/follow-up",
                    body=json.dumps({"receipt": receipt}),
                    headers={"Content-Type": "application/json"})
    if not expect(ledger, "follow-up", r, (200,)):
        return
    if json.loads(r.body)["id"] != tip_id:
        ledger.error("follow-up of %s opened another tip" % tip_id)
    r = srv.request("POST", "/api/v1/follow-up/messages",
                    body=json.dumps({"receipt": receipt,
                                     "text": "补充 %d" % i}),
                    headers={"Content-Type": "application/json"})
    if expect(ledger, "follow-up.message", r, (201,)):
        with ledger.lock:
            ledger.messages[tip_id] = ledger.messages.get(tip_id, 0) + 1


def triage(s, ledger, i):
    r = s.get("/api/v1/staff/tips")
    if not expect(ledger, "staff.list", r, (200,)):
        return
    tips = json.loads(r.body)["tips"]
    if not tips:
        return
    tip = tips[i % len(tips)]["id"]
    r = s.get("/api/v1/staff/tips/%s" % tip)
    expect(ledger, "staff.tip", r, (200,))
    step = i % 4
    if step == 0:
        r = s.post_json("/api/v1/staff/tips/%s/classify" % tip,
                        {"domain": "food"})
        expect(ledger, "staff.classify", r, (200,))
    elif step == 1:
        r = s.post_json("/api/v1/staff/tips/%s/route" % tip,
                        {"bureau": COUNTIES[i % len(COUNTIES)],
                         "reason": "负载改派"})
        expect(ledger, "staff.route", r, (200, 400))  # 400: same bureau
    elif step == 2:
        r = s.post_json("/api/v1/staff/tips/%s/status" % tip,
                        {"status": "triaged", "note": "确认"})
        expect(ledger, "staff.status", r, (200, 400))  # 400: in a case
    else:
        r = s.post_json("/api/v1/staff/tips/%s/messages" % tip,
                        {"text": "请补充材料 %d" % i})
        expect(ledger, "staff.message", r, (201, 200))


def officer(s, ledger, i):
    r = s.get("/api/v1/staff/tips?status=received")
    if not expect(ledger, "officer.list", r, (200,)):
        return
    tips = json.loads(r.body)["tips"]
    if i % 3 == 0 and tips:
        r = s.post_json("/api/v1/staff/cases",
                        {"from_tip": tips[0]["id"],
                         "domain": "food",
                         "campaign": "jc-2022-testing"})
        # 400: no registry institution; 404: re-routed away meanwhile;
        # 409: in a case already
        expect(ledger, "officer.case", r, (201, 400, 404, 409))
        if r.status == 201:
            case = json.loads(r.body)["id"]
            r = s.post_json("/api/v1/staff/cases/%s/status" % case,
                            {"status": "filed"})
            expect(ledger, "officer.file", r, (200,))
            r = s.post_json("/api/v1/staff/cases/%s/outcome" % case,
                            {"rectify_ordered": True, "fines_fen": 123456})
            expect(ledger, "officer.outcome", r, (200,))
    elif i % 3 == 1:
        r = s.get("/api/v1/staff/overdue")
        expect(ledger, "officer.overdue", r, (200,))
        r = s.get("/api/v1/staff/reports/summary?campaign=jc-2022-testing"
                  "&format=%s" % ("json", "xlsx")[i // 3 % 2])
        expect(ledger, "officer.report", r, (200,))
    else:
        r = s.get("/api/v1/staff/cases")
        expect(ledger, "officer.cases", r, (200,))


def metrics(srv, ledger, i):
    r = srv.request("GET", "/metrics")
    expect(ledger, "metrics", r, (200,))
    time.sleep(0.2)


def test_every_door_and_desk_at_once(tmp_path):
    users = (("load_triage", "triage", None),
             ("load_officer", "officer", OWN_BUREAU))
    ledger = Ledger()
    stop = threading.Event()
    with staff_server(tmp_path, users) as (srv, s):
        import_institutions(srv, INSTITUTIONS, tmp_path)
        jobs = [
            ("form", lambda i: web_tip(srv, ledger, "form", i, False)),
            ("api", lambda i: web_tip(srv, ledger, "api", i, True)),
            ("api2", lambda i: web_tip(srv, ledger, "api2", i, True)),
            ("mail", lambda i: mail_tip(srv, ledger, i)),
            ("follow-up", lambda i: follow_up(srv, ledger, i)),
            ("triage", lambda i: triage(s["load_triage"], ledger, i)),
            ("officer", lambda i: officer(s["load_officer"], ledger, i)),
            ("metrics", lambda i: metrics(srv, ledger, i)),
        ]
        threads = [threading.Thread(target=loop, args=(stop, ledger, n, f),
                                    daemon=True) for n, f in jobs]
        for t in threads:
            t.start()
        time.sleep(SECONDS)
        stop.set()
        for t in threads:
            t.join(120)
            assert not t.is_alive(), "a client hung"

        assert not ledger.errors, ledger.errors[:10]
        c = ledger.counts
        for what in ("tip.form", "tip.api", "tip.mail", "follow-up",
                     "staff.list", "officer.list", "officer.case",
                     "officer.outcome", "metrics"):
            assert c.get(what, 0) > 0, (what, c)
        print("load: %.0f s, %s" % (SECONDS, json.dumps(c, sort_keys=True)))

        # Every acknowledged tip once, with its files, and nothing else.
        stored = db_one(srv, "SELECT count(*) FROM tips")
        acked = len(ledger.tips) + c.get("mail.acked", 0)
        assert stored == acked, (stored, acked)
        for tip_id, (receipt, files, _) in ledger.tips.items():
            n = db_one(srv, "SELECT count(*) FROM attachments a JOIN tips t "
                       "ON t.id = a.tip_id WHERE t.public_id = ?", (tip_id,))
            assert n == files, (tip_id, n, files)
            want = ledger.messages.get(tip_id, 0)
            got = db_one(srv, "SELECT count(*) FROM messages m JOIN tips t "
                         "ON t.id = m.tip_id WHERE t.public_id = ? AND "
                         "m.sender = 'tipster'", (tip_id,))
            assert got == want, (tip_id, got, want)
        # A mail tip: the original message and the photo.
        assert db_one(srv, "SELECT count(*) FROM tips t WHERE t.channel = "
                      "'email' AND (SELECT count(*) FROM attachments a "
                      "WHERE a.tip_id = t.id) <> 2") == 0
        p = cli(srv, "verify")
        assert p.returncode == 0, p.stdout + p.stderr
