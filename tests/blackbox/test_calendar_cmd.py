# SPDX-License-Identifier: MIT
"""`tipline calendar import FILE.csv` (issue 7): a year with no calendar
data still gets deadlines, on weekends alone, with a warning; importing
that year's holidays and adjusted workdays (`date,kind`) changes the
deadlines of a running server at once, without a rebuild or a restart;
the other years stay as they were; a bad file changes nothing and names
its lines; the change is audited; `calendar export` gives the table back.
"""

import calendar
import datetime
import json

from staff_helpers import OWN_BUREAU, audit_rows, cli, db_exec, \
    staff_server, submit_tip

# 2027's Spring Festival as a notice might set it (made up for the test):
# Monday 8 to Friday 12 February off, Saturday 6 February a workday.
CAL_2027 = ("date,kind\n"
            "2027-01-01,holiday\n"
            "2027-02-06,workday\n"
            "2027-02-08,holiday\n"
            "2027-02-09,holiday\n"
            "2027-02-10,holiday\n"
            "2027-02-11,holiday\n"
            "2027-02-12,holiday\n")
# Received Monday 1 February 2027 (Beijing time), the filing decision is
# due within 15 working days, counted from the next day:
#   weekends only: 2-5 Feb (4), 8-12 (9), 15-19 (14), 22 (15) -> 22 Feb;
#   with CAL_2027: 2-5 (4), Sat 6 (5), 15-19 (10), 22-26 (15) -> 26 Feb.
RECEIVED = int(calendar.timegm(datetime.datetime(2027, 2, 1, 2, 0).
                               timetuple()))    # 10:00 in Beijing
DUE_WEEKENDS_ONLY = "2027-02-22"
DUE_WITH_CALENDAR = "2027-02-26"


def filing_deadline(session, tip):
    r = session.get("/api/v1/staff/tips/%s" % tip)
    assert r.status == 200, r
    doc = json.loads(r.body)
    d = [x for x in doc["deadlines"] if x["rule"] == "report_filing_decision"]
    assert len(d) == 1, doc["deadlines"]
    return d[0], doc


def test_calendar_import_changes_deadlines_live(tmp_path):
    with staff_server(tmp_path, [("cal_officer", "officer", OWN_BUREAU)]) \
            as (srv, s):
        officer = s["cal_officer"]
        tip = submit_tip(srv, OWN_BUREAU)
        db_exec(srv, "UPDATE tips SET received_at = ?, received_on = "
                "'2027-02-01' WHERE public_id = ?", (RECEIVED, tip))
        before_2026 = cli(srv, "calendar", "export").stdout
        assert "2026-10-01,holiday" in before_2026

        d, doc = filing_deadline(officer, tip)
        assert d["calendar_unknown"] is True, d
        assert doc["calendar_warning"], doc
        assert d["due"] == DUE_WEEKENDS_ONLY, d

        # A bad file: every bad line named, nothing changed.
        bad = tmp_path / "bad.csv"
        bad.write_text("date,kind\n2027-01-01,holiday\n2027-02-30,holiday\n"
                       "2027-02-08,rest\n2027-02-09,holiday\n"
                       "2027-02-09,workday\n2028-03-01,holiday\n",
                       encoding="utf-8")
        p = cli(srv, "calendar", "import", str(bad))
        assert p.returncode == 1, p
        for line in ("line 3", "line 4", "line 6", "line 7"):
            assert line in p.stderr, p.stderr
        assert "2028-01-01,holiday" in p.stderr, p.stderr
        assert "nothing imported" in p.stderr
        assert filing_deadline(officer, tip)[0]["due"] == DUE_WEEKENDS_ONLY

        good = tmp_path / "holidays-2027.csv"
        good.write_text(CAL_2027, encoding="utf-8")
        p = cli(srv, "calendar", "import", str(good))
        assert p.returncode == 0, p.stderr
        d, doc = filing_deadline(officer, tip)
        assert d["calendar_unknown"] is False, d
        assert not doc["calendar_warning"], doc
        assert d["due"] == DUE_WITH_CALENDAR, d

        # The other years are untouched; the export holds 2027 too.
        after = cli(srv, "calendar", "export").stdout
        assert after.startswith("date,kind\n")
        assert [line for line in after.splitlines()
                if not line.startswith("2027")] == before_2026.splitlines()
        assert [line for line in after.splitlines()
                if line.startswith("2027")] == CAL_2027.splitlines()[1:]
        # Importing 2027 again with one day fewer replaces 2027 only.
        good.write_text(CAL_2027.replace("2027-02-12,holiday\n", ""),
                        encoding="utf-8")
        assert cli(srv, "calendar", "import", str(good)).returncode == 0
        again = cli(srv, "calendar", "export").stdout
        assert "2027-02-12" not in again and "2026-10-01,holiday" in again
        assert any(r[3] == "calendar" and r[2] == "refdata.import"
                   for r in audit_rows(srv, "refdata.import"))


def test_calendar_usage():
    from harness import run_tipline
    p = run_tipline("calendar", "--help")
    assert p.returncode == 0 and "import FILE.csv" in p.stdout, p
    p = run_tipline("calendar", "import")
    assert p.returncode == 64, p
