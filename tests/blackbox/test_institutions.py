# SPDX-License-Identifier: MIT
"""`tipline institutions import FILE.csv` through the real binary
(contract.md, "Command line" and "Codes"): a good file imports with its
counts, a re-import changes nothing, the same credit code updates, a bad
line fails the whole file with "line N" on stderr and imports nothing, the
import works while `serve` runs (and waits for a held write lock), every
import is audited and `verify` still passes."""

import os
import re
import sqlite3
import subprocess
import threading

from harness import (child_env, db_count, db_query, http_request,
                     run_tipline, tipline_bin)

HEADER = "name,credit_code,cma_cert_no,address,county_code,domains\n"

# Check characters computed with GB 32100 (tests/unit/test_institutions.c
# checks the algorithm; these are its output).
GOOD = HEADER + (
    "高平市华泰检测有限责任公司,91140581MA0K000016,160412050123,"
    "高平市米山镇,140581,food;building_materials\n"
    "\"晋城（华信）检测技术股份有限公司\",91140500MA0GR1234L,,"
    "\"城区\n泽州路\",140502,\n"
    "山西泽瑞工程质量检测有限公司,121405000123456785,CMA2019000123,,"
    "140525,carbon_verification\n")

class WriteLock:
    """The database's write lock, held from the test process and released
    from a timer thread (hence check_same_thread=False)."""

    def __init__(self, data_dir):
        self.mutex = threading.Lock()
        self.con = sqlite3.connect(os.path.join(str(data_dir), "tipline.db"),
                                   timeout=10, isolation_level=None,
                                   check_same_thread=False)
        self.con.execute("BEGIN EXCLUSIVE")

    def release(self):
        with self.mutex:
            if self.con is not None:
                self.con.execute("ROLLBACK")
                self.con.close()
                self.con = None


COUNTS_RE = re.compile(r"(\d+) rows?: (\d+) added, (\d+) updated, "
                       r"(\d+) unchanged")


def init_data(tmp_path):
    data = tmp_path / "data"
    p = run_tipline("init", "--data", data)
    assert p.returncode == 0, p.stderr
    return data


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_file(data, path, expect_rc=0):
    p = run_tipline("institutions", "import", path, "--data", data)
    assert p.returncode == expect_rc, \
        "exit %d, want %d\nstdout: %s\nstderr: %s" % (
            p.returncode, expect_rc, p.stdout, p.stderr)
    return p


def counts(p):
    m = COUNTS_RE.search(p.stdout)
    assert m, "no counts in stdout: %r" % p.stdout
    return tuple(int(x) for x in m.groups())


def test_import_good_and_idempotent(tmp_path):
    data = init_data(tmp_path)
    good = write(tmp_path, "good.csv", GOOD)

    p = import_file(data, good)
    assert counts(p) == (3, 3, 0, 0)
    assert db_count(data, "institutions") == 3
    rows = db_query(data, "SELECT credit_code, name_norm, county_code,"
                    " cma_cert_no, address FROM institutions"
                    " ORDER BY credit_code")
    assert rows[0] == ("121405000123456785", "山西泽瑞工程质量检测有限公司",
                       "140525", "CMA2019000123", None)
    assert rows[1] == ("91140500MA0GR1234L", "晋城(华信)检测技术有限公司",
                       "140502", None, "城区 泽州路")
    assert rows[2][1] == "高平市华泰检测有限公司"
    assert db_query(data, "SELECT group_concat(domain, ';') FROM (SELECT"
                    " domain FROM institution_domains ORDER BY domain)") \
        == [("building_materials;carbon_verification;food",)]

    # The same file again: nothing changes.
    stamp = db_query(data, "SELECT updated_at FROM institutions"
                     " ORDER BY id")
    p = import_file(data, good)
    assert counts(p) == (3, 0, 0, 3)
    assert db_count(data, "institutions") == 3
    assert db_query(data, "SELECT updated_at FROM institutions"
                    " ORDER BY id") == stamp

    # The same credit code updates in place; a new code adds.
    changed = GOOD.replace("高平市华泰检测有限责任公司",
                           "高平市华泰检测技术有限公司") + (
        "阳城县凤城检测站,91140525MA0L77770A,,阳城县凤城镇,140522,food\n")
    p = import_file(data, write(tmp_path, "changed.csv", changed))
    assert counts(p) == (4, 1, 1, 2)
    assert db_count(data, "institutions") == 4
    assert db_query(data, "SELECT name FROM institutions WHERE"
                    " credit_code = '91140581MA0K000016'") == \
        [("高平市华泰检测技术有限公司",)]

    # Every import is audited, with its counts; the chain still verifies.
    audit = db_query(data, "SELECT object, reason FROM audit WHERE"
                     " action = 'institutions.import' ORDER BY id")
    assert audit == [
        ("good.csv", "rows=3 added=3 updated=0 unchanged=0"),
        ("good.csv", "rows=3 added=0 updated=0 unchanged=3"),
        ("changed.csv", "rows=4 added=1 updated=1 unchanged=2"),
    ]
    p = run_tipline("verify", "--data", data)
    assert p.returncode == 0, p.stdout + p.stderr


def test_bad_lines_import_nothing(tmp_path):
    data = init_data(tmp_path)
    bad = HEADER + (
        "高平市华泰检测有限公司,91140581MA0K000016,,,140581,food\n"
        "坏代码,91140581MA0K000017,,,140581,\n"         # line 3
        "无县,121405000123456785,,,140599,\n"            # line 4
        "无领域,91140500MA0GR1234L,,,140502,no_such\n")  # line 5
    p = import_file(data, write(tmp_path, "bad.csv", bad), expect_rc=1)
    for n in (3, 4, 5):
        assert re.search(r"\bline %d\b" % n, p.stderr), p.stderr
    assert "line 2" not in p.stderr, p.stderr
    assert "should be 6" in p.stderr, p.stderr
    assert "nothing imported" in p.stderr, p.stderr
    assert db_count(data, "institutions") == 0
    assert db_count(data, "audit", "action = 'institutions.import'") == 0

    # A CSV syntax error names its line too.
    broken = HEADER + "A,\"121405000123456785,,,140525,\n"
    p = import_file(data, write(tmp_path, "broken.csv", broken),
                    expect_rc=1)
    assert re.search(r"\bline \d+\b", p.stderr), p.stderr

    # A wrong header is line 1.
    p = import_file(data, write(tmp_path, "header.csv", "name,code\nA,B\n"),
                    expect_rc=1)
    assert re.search(r"\bline 1\b", p.stderr), p.stderr
    assert db_count(data, "institutions") == 0


def test_usage_and_missing_file(tmp_path):
    data = init_data(tmp_path)
    p = run_tipline("institutions", "--data", data)
    assert p.returncode == 64, p.stderr
    p = run_tipline("institutions", "import", "--data", data)
    assert p.returncode == 64, p.stderr
    p = run_tipline("institutions", "export", "x.csv", "--data", data)
    assert p.returncode == 64, p.stderr
    p = run_tipline("institutions", "import", tmp_path / "none.csv",
                    "--data", data)
    assert p.returncode == 1
    assert "none.csv" in p.stderr
    p = run_tipline("institutions", "--help")
    assert p.returncode == 0
    assert "import FILE.csv" in p.stdout + p.stderr


def test_import_while_serving(start_server, tmp_path):
    srv = start_server()
    good = write(tmp_path, "good.csv", GOOD)
    p = import_file(srv.data_dir, good)
    assert counts(p) == (3, 3, 0, 0)
    assert db_count(srv.data_dir, "institutions") == 3

    # A writer holds the lock for a moment: the import waits for it (the
    # busy timeout) instead of failing.  Whenever the import starts, before
    # or after the release, it must succeed.
    lock = WriteLock(srv.data_dir)
    changed = GOOD.replace("CMA2019000123", "CMA2019000124")
    path = write(tmp_path, "changed.csv", changed)
    proc = subprocess.Popen(
        [tipline_bin(), "institutions", "import", str(path), "--data",
         srv.data_dir], env=child_env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(1.0, lock.release)
    timer.start()
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        timer.cancel()
        lock.release()
    assert proc.returncode == 0, err
    assert "1 updated" in out, out
    assert db_query(srv.data_dir, "SELECT cma_cert_no FROM institutions"
                    " WHERE credit_code = '121405000123456785'") == \
        [("CMA2019000124",)]
    # The server still answers.
    r = http_request(srv.port, "GET", "/healthz")
    assert r.status == 200 and r.body == b"ok", r
