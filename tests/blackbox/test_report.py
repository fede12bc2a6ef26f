# SPDX-License-Identifier: MIT
"""`tipline report summary` (contract.md, "Command line" and "Reports";
design.md, "Cases and deadlines"): a scripted campaign of institutions and
cases written straight into a fresh data directory, then every cell of the
summary table checked in XLSX (read back with python3-openpyxl: title,
merged header, one row per key domain in the campaign's order, the total
row as the column sum, money in 万元 with two decimals from integer fen),
CSV (byte order mark, the same numbers) and HTML (escaped); the --bureau
filter (and the city-wide table as the sum of the bureau tables); refusals
with exit 1; and a report taken while `serve` runs."""

import csv
import io
import os
import sqlite3
import subprocess
import time

import pytest

from harness import (RUN_TIMEOUT, assert_no_sanitizer_report, child_env,
                     run_tipline, tipline_bin)

openpyxl = pytest.importorskip("openpyxl")

CAMPAIGN = "jc-2022-testing"
TITLE_SUFFIX = "检查信息汇总表"
LEAF_HEADERS = ["存在违法违规行为的机构", "其中出具不实/虚假报告",
                "责令改正/整改", "撤销/注销", "罚没款(万元)",
                "移送公安司法机关(起)"]
SCRIPT = "<script>alert(1)</script>"

# (id, name, county)
INSTITUTIONS = [
    (1, "晋城某检测有限公司", "140581"),
    (2, "泽州某检验站", "140525"),
    (3, "泽州某质检中心", "140525"),
    (4, "泽州某计量所", "140525"),
    (5, "城区某建材检测公司", "140502"),
    (6, "开发区某碳核查公司", None),
    (7, "高平某检测公司", "140581"),
]

# One dict per case; columns not named take the schema's defaults.
CASES = [
    # Institution 1, medical: two cases, counted once; 1,234,567 fen.
    dict(inst=1, campaign=CAMPAIGN, domain="medical_ppe", bureau="140581",
         status="filed", joint="公安、卫健", violation_found=1,
         false_report=2, rectify_ordered=1, fines_fen=1000000,
         confiscated_fen=234567, referred_police=1),
    dict(inst=1, campaign=CAMPAIGN, domain="medical_ppe", bureau="140581",
         status="decided", joint="公安", violation_found=1,
         referred_police=1),
    # Food: 5,000 fen rounds half up to 0.01 万元; a <script> to escape.
    dict(inst=2, campaign=CAMPAIGN, domain="food", bureau="140525",
         status="closed", joint=SCRIPT, rectify_ordered=1, fines_fen=5000),
    dict(inst=3, campaign=CAMPAIGN, domain="food", bureau="140525",
         status="not_filed"),
    # Still verifying: counted nowhere.
    dict(inst=4, campaign=CAMPAIGN, domain="food", bureau="140525",
         status="verifying", joint="消防", violation_found=1,
         fines_fen=9990000),
    # Building materials: institution 5, and institution 1 again (so it
    # counts twice in the total).
    dict(inst=5, campaign=CAMPAIGN, domain="building_materials",
         bureau="140502", status="filed", violation_found=1, false_report=1,
         qualification_revoked=1, fines_fen=20000),
    dict(inst=1, campaign=CAMPAIGN, domain="building_materials",
         bureau="140581", status="filed"),
    # Carbon: 1,235,000 fen = 1.235 万元 -> 1.24 (half up).
    dict(inst=6, campaign=CAMPAIGN, domain="carbon_verification",
         bureau="140500-dz", status="closed", violation_found=1,
         confiscated_fen=1235000),
    # Another campaign (none): not in this table.
    dict(inst=7, campaign=None, domain="food", bureau="140581",
         status="filed", violation_found=1, fines_fen=100),
]

# The expected table, counted by hand: label -> (joint, inspected,
# violating, false report, rectify, revoke, money, referred cases).
EXPECTED = {
    "medical_ppe": ("公安、卫健", 1, 1, 1, 1, 0, "1.23", 2),
    "food": (SCRIPT, 2, 0, 0, 1, 0, "0.01", 0),
    "ppe": ("", 0, 0, 0, 0, 0, "0.00", 0),
    "building_materials": ("", 2, 1, 1, 0, 1, "0.02", 0),
    "dangerous_goods_tanks": ("", 0, 0, 0, 0, 0, "0.00", 0),
    "carbon_verification": ("", 1, 1, 0, 0, 0, "1.24", 0),
}
EXPECTED_TOTAL = ("公安、卫健、" + SCRIPT, 6, 3, 2, 2, 1, "2.50", 2)


def insert_campaign(data_dir):
    """Write the scripted institutions and cases (plaintext columns only)
    into DATA/tipline.db with Debian's sqlite3 module."""
    now = int(time.time())
    con = sqlite3.connect(os.path.join(str(data_dir), "tipline.db"),
                          timeout=10)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        with con:
            for iid, name, county in INSTITUTIONS:
                con.execute(
                    "INSERT INTO institutions (id, name, name_norm,"
                    " county_code, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (iid, name, name, county, now, now))
            for n, c in enumerate(CASES, 1):
                cols = {
                    "public_id": "C-2022-%06d" % n,
                    "institution_id": c["inst"],
                    "campaign": c["campaign"],
                    "domain": c["domain"],
                    "bureau": c["bureau"],
                    "status": c["status"],
                    "joint_departments": c.get("joint"),
                    "created_at": now,
                    "updated_at": now,
                }
                for key in ("violation_found", "false_report",
                            "rectify_ordered", "qualification_revoked",
                            "fines_fen", "confiscated_fen",
                            "referred_police"):
                    cols[key] = c.get(key, 0)
                con.execute(
                    "INSERT INTO cases (%s) VALUES (%s)"
                    % (", ".join(cols), ", ".join("?" * len(cols))),
                    list(cols.values()))
    finally:
        con.close()


def domain_order(data_dir):
    """The campaign's domains (code, name) in the attachment's order."""
    con = sqlite3.connect("file:%s?mode=ro"
                          % os.path.join(str(data_dir), "tipline.db"),
                          uri=True, timeout=10)
    try:
        return con.execute(
            "SELECT d.code, d.name_zh FROM campaign_domains cd"
            " JOIN domains d ON d.code = cd.domain"
            " WHERE cd.campaign = ? ORDER BY cd.position",
            (CAMPAIGN,)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def campaign_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("report") / "data"
    p = run_tipline("init", "--data", data)
    assert p.returncode == 0, p.stderr
    insert_campaign(data)
    return data


def report(data_dir, *args):
    return run_tipline("report", "summary", "--data", data_dir,
                       "--campaign", CAMPAIGN, *args)


def report_bytes(data_dir, *args):
    """Like report(), with standard output as raw bytes (CRLF kept)."""
    cmd = [tipline_bin(), "report", "summary", "--data", str(data_dir),
           "--campaign", CAMPAIGN] + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, env=child_env(),
                          timeout=RUN_TIMEOUT)
    stderr = proc.stderr.decode("utf-8", errors="replace")
    assert_no_sanitizer_report(stderr, " ".join(cmd))
    assert proc.returncode == 0, stderr
    return proc.stdout


def cents(text):
    """'1.23' -> 123, exactly."""
    whole, _, frac = text.partition(".")
    assert len(frac) == 2, text
    return int(whole) * 100 + int(frac)


def read_xlsx(path):
    wb = openpyxl.load_workbook(path)
    assert len(wb.worksheets) == 1, wb.sheetnames
    return wb.worksheets[0]


# ---- XLSX

def test_xlsx_layout_and_cells(campaign_dir, tmp_path):
    out = tmp_path / "summary.xlsx"
    p = report(campaign_dir, "--format", "xlsx", "-o", out)
    assert p.returncode == 0, p.stderr
    ws = read_xlsx(out)
    domains = domain_order(campaign_dir)
    assert [c for c, _ in domains] == list(EXPECTED), domains

    # The title row: the campaign's name and 检查信息汇总表, across A:I.
    title = ws["A1"].value
    assert title.endswith(TITLE_SUFFIX), title
    assert "检验检测市场专项整治行动" in title, title
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A1:I1" in merged, merged
    assert "填报单位" in ws["A2"].value

    # The two-level header (rows 3 and 4).
    for rng in ("A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:I3"):
        assert rng in merged, (rng, merged)
    assert ws["A3"].value == "重点领域"
    assert ws["B3"].value == "部门联合情况"
    assert ws["C3"].value == "检查机构数"
    assert ws["D3"].value and ws["F3"].value
    assert [ws.cell(4, col).value for col in range(4, 10)] == LEAF_HEADERS

    # One row per domain in the campaign's order, then the total.
    rows = []
    for i, (code, name) in enumerate(domains):
        r = 5 + i
        assert ws.cell(r, 1).value == name
        rows.append([ws.cell(r, col).value for col in range(2, 10)])
    total_row = 5 + len(domains)
    assert ws.cell(total_row, 1).value == "合计"
    total = [ws.cell(total_row, col).value for col in range(2, 10)]
    assert ws.cell(total_row + 1, 1).value is None

    for (code, _), got in zip(domains, rows):
        want = EXPECTED[code]
        assert (got[0] or "") == want[0], (code, got)
        assert got[1:6] == list(want[1:6]), (code, got)
        assert round(got[6] * 100) == cents(want[6]), (code, got)
        assert got[7] == want[7], (code, got)
        money_cell = ws.cell(5 + [c for c, _ in domains].index(code), 8)
        assert money_cell.number_format == "0.00", money_cell.number_format

    # The total row is the column sum (an institution in two domains
    # counts twice; money sums the rounded cells).
    for k in range(1, 6):
        assert total[k] == sum(r[k] for r in rows), (k, total, rows)
    assert round(total[6] * 100) == sum(round(r[6] * 100) for r in rows)
    assert total[7] == sum(r[7] for r in rows)
    assert (total[0] or "") == EXPECTED_TOTAL[0]
    assert total[1:6] == list(EXPECTED_TOTAL[1:6])
    assert round(total[6] * 100) == cents(EXPECTED_TOTAL[6])
    assert ws.cell(total_row, 8).number_format == "0.00"

    # Prints on one A4 landscape page.
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"


def test_xlsx_to_stdout_when_redirected(campaign_dir, tmp_path):
    """Without -o the workbook goes to standard output (not a terminal)."""
    out = tmp_path / "stdout.xlsx"
    out.write_bytes(report_bytes(campaign_dir, "--format", "xlsx"))
    ws = read_xlsx(out)
    assert ws["A1"].value.endswith(TITLE_SUFFIX)


# ---- CSV

def parse_csv(raw):
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    text = raw[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_same_numbers(campaign_dir, tmp_path):
    out = tmp_path / "summary.csv"
    p = report(campaign_dir, "--format", "csv", "-o", out)
    assert p.returncode == 0, p.stderr
    raw = out.read_bytes()
    rows = parse_csv(raw)
    domains = domain_order(campaign_dir)
    # The two header rows, as the attachment's merged header.
    assert rows[0][:3] == ["重点领域", "部门联合情况", "检查机构数"]
    assert rows[0][3] and rows[0][4] == "" and rows[0][5]
    assert rows[0][6:] == ["", "", ""]
    assert rows[1][:3] == ["", "", ""]
    assert rows[1][3:] == LEAF_HEADERS
    body = rows[2:]
    assert len(body) == len(domains) + 1
    for (code, name), row in zip(domains, body):
        want = EXPECTED[code]
        assert row[0] == name
        assert row[1] == want[0]
        assert [int(x) for x in row[2:7]] == list(want[1:6]), (code, row)
        assert row[7] == want[6], (code, row)
        assert int(row[8]) == want[7]
    total = body[-1]
    assert total[0] == "合计"
    assert total[1] == EXPECTED_TOTAL[0]
    assert [int(x) for x in total[2:7]] == list(EXPECTED_TOTAL[1:6])
    assert total[7] == EXPECTED_TOTAL[6]
    for k in range(2, 7):
        assert int(total[k]) == sum(int(r[k]) for r in body[:-1])
    assert cents(total[7]) == sum(cents(r[7]) for r in body[:-1])

    # The same bytes on standard output.
    assert report_bytes(campaign_dir, "--format", "csv") == raw


# ---- HTML

def test_html_escapes(campaign_dir, tmp_path):
    out = tmp_path / "summary.html"
    p = report(campaign_dir, "--format", "html", "-o", out)
    assert p.returncode == 0, p.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert TITLE_SUFFIX in html
    assert "<td>1.23</td>" in html and "<td>2.50</td>" in html
    assert "合计" in html


# ---- --bureau

def csv_table(data_dir, *args):
    return parse_csv(report_bytes(data_dir, "--format", "csv", *args))[2:]


def test_bureau_filter(campaign_dir):
    rows = csv_table(campaign_dir, "--bureau", "140581")
    by_label = {r[0]: r for r in rows}
    domains = dict(domain_order(campaign_dir))
    medical = by_label[domains["medical_ppe"]]
    assert medical[1:] == ["公安、卫健", "1", "1", "1", "1", "0", "1.23", "2"]
    building = by_label[domains["building_materials"]]
    assert building[2:] == ["1", "0", "0", "0", "0", "0.00", "0"]
    food = by_label[domains["food"]]
    assert food[2:] == ["0", "0", "0", "0", "0", "0.00", "0"]
    assert by_label["合计"][2:] == ["2", "1", "1", "1", "0", "1.23", "2"]

    # The filling unit is the bureau's own name.
    p = report(campaign_dir, "--bureau", "140581", "--format", "html")
    assert p.returncode == 0, p.stderr
    assert "高平市" in p.stdout


def test_city_table_is_sum_of_bureau_tables(campaign_dir):
    city = csv_table(campaign_dir)
    bureaus = ["140500", "140502", "140521", "140522", "140524", "140525",
               "140581", "140500-dz"]
    sums = [[0] * 6 for _ in city]
    for code in bureaus:
        for i, row in enumerate(csv_table(campaign_dir, "--bureau", code)):
            for k in range(5):
                sums[i][k] += int(row[2 + k])
            sums[i][5] += cents(row[7])
    for i, row in enumerate(city):
        assert [int(x) for x in row[2:7]] == sums[i][:5], (row, sums[i])
        assert cents(row[7]) == sums[i][5], (row, sums[i])


# ---- refusals

@pytest.mark.parametrize("args, message", [
    (("--campaign", "no-such-campaign", "--format", "csv"),
     "unknown campaign"),
    (("--campaign", CAMPAIGN, "--bureau", "999999", "--format", "csv"),
     "unknown bureau"),
    (("--campaign", CAMPAIGN, "--format", "pdf"), "format"),
    (("--campaign", CAMPAIGN), "--format"),
    (("--format", "csv"), "--campaign"),
])
def test_refusals_exit_1(campaign_dir, tmp_path, args, message):
    out = tmp_path / "nothing.csv"
    p = run_tipline("report", "summary", "--data", campaign_dir, *args,
                    "-o", out)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert message in p.stderr, p.stderr
    assert not out.exists()
    assert os.listdir(tmp_path) == [], os.listdir(tmp_path)


def test_not_initialised_exit_1(tmp_path):
    p = run_tipline("report", "summary", "--data", tmp_path / "none",
                    "--campaign", CAMPAIGN, "--format", "csv")
    assert p.returncode == 1
    assert "init" in p.stderr


def test_wrong_report_name(campaign_dir):
    p = run_tipline("report", "overdue", "--data", campaign_dir,
                    "--campaign", CAMPAIGN, "--format", "csv")
    assert p.returncode == 1
    assert "summary" in p.stderr


def test_help():
    p = run_tipline("report", "--help")
    assert p.returncode == 0
    for opt in ("--campaign", "--bureau", "--format", "-o"):
        assert opt in p.stdout


# ---- while serve runs

def test_report_while_serving(start_server, tmp_path):
    srv = start_server()
    insert_campaign(srv.data_dir)
    out = tmp_path / "live.xlsx"
    p = report(srv.data_dir, "--format", "xlsx", "-o", out)
    assert p.returncode == 0, p.stderr
    ws = read_xlsx(out)
    assert ws["A1"].value.endswith(TITLE_SUFFIX)
    p = report(srv.data_dir, "--format", "csv")
    assert p.returncode == 0, p.stderr
    srv.assert_alive()
