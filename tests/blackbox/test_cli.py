# SPDX-License-Identifier: MIT
"""The command line: --version, --help, init, the data directory's
precedence, config errors, and verify on a fresh store (contract.md,
"Command line" and "Config file")."""

import os
import re
import stat

import pytest

from harness import child_env, run_tipline, write_config

PASSWORD_RE = re.compile(r"^password: \S+", re.MULTILINE)
ALREADY_RE = re.compile(r"already initiali[sz]ed", re.IGNORECASE)
SERVE_ARGS = ("--http", "127.0.0.1:0", "--lmtp", "127.0.0.1:0")


def assert_initialised(data_dir):
    data_dir = str(data_dir)
    db = os.path.join(data_dir, "tipline.db")
    key = os.path.join(data_dir, "keys", "master.key")
    assert os.path.isfile(db), "no %s" % db
    assert os.path.isfile(key), "no %s" % key
    mode = stat.S_IMODE(os.stat(key).st_mode)
    assert mode == 0o600, "master key mode is %o, not 600" % mode


# ---- --version and --help

def test_version():
    p = run_tipline("--version")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^tipline \d+\.\d+\.\d+", p.stdout, re.MULTILINE), \
        "stdout: %r" % p.stdout


def test_help_lists_subcommands():
    p = run_tipline("--help")
    assert p.returncode == 0, p.stderr
    out = p.stdout + p.stderr
    for cmd in ("serve", "init", "verify"):
        assert re.search(r"\b%s\b" % cmd, out), "%s missing:\n%s" % (cmd, out)
    for opt in ("--config", "--data", "--version"):
        assert opt in out, "%s missing:\n%s" % (opt, out)


def test_serve_help_lists_options():
    p = run_tipline("serve", "--help")
    assert p.returncode == 0, p.stderr
    out = p.stdout + p.stderr
    for opt in ("--http", "--lmtp", "--config", "--data"):
        assert opt in out, "%s missing:\n%s" % (opt, out)


@pytest.mark.parametrize("cmd", ["init", "verify"])
def test_subcommand_help(cmd, tmp_path):
    p = run_tipline(cmd, "--help", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "--data" in p.stdout + p.stderr
    # --help does nothing else: no data directory appears.
    assert not (tmp_path / "var").exists()


def test_unknown_subcommand_fails(tmp_path):
    p = run_tipline("no-such-command", cwd=tmp_path)
    assert p.returncode != 0
    assert p.stderr.strip(), "no message for an unknown subcommand"


# ---- init

def test_init_twice(tmp_path):
    data = tmp_path / "data"
    p = run_tipline("init", "--data", data)
    assert p.returncode == 0, p.stderr
    assert PASSWORD_RE.search(p.stdout), "stdout: %r" % p.stdout
    assert_initialised(data)
    with open(data / "keys" / "master.key", "rb") as f:
        key_before = f.read()

    p = run_tipline("init", "--data", data)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert ALREADY_RE.search(p.stderr), "stderr: %r" % p.stderr
    assert not PASSWORD_RE.search(p.stdout), "a second admin password?"
    # The second init changed nothing.
    with open(data / "keys" / "master.key", "rb") as f:
        assert f.read() == key_before


# ---- where the data directory comes from:
#      --data > config data_dir > $TIPLINE_DATA > ./var

def test_data_default_is_dot_var(tmp_path):
    p = run_tipline("init", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert_initialised(tmp_path / "var")


def test_data_from_environment(tmp_path):
    env_data = tmp_path / "envdata"
    p = run_tipline("init", cwd=tmp_path,
                    env=child_env(TIPLINE_DATA=str(env_data)))
    assert p.returncode == 0, p.stderr
    assert_initialised(env_data)
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize("before", [True, False],
                         ids=["config-before-cmd", "config-after-cmd"])
def test_data_from_config_beats_environment(tmp_path, before):
    cfg_data = tmp_path / "cfgdata"
    env_data = tmp_path / "envdata"
    cfg = write_config(tmp_path / "t.ini",
                       {"server": {"data_dir": str(cfg_data)}})
    args = (["--config", cfg, "init"] if before
            else ["init", "--config", cfg])
    p = run_tipline(*args, cwd=tmp_path,
                    env=child_env(TIPLINE_DATA=str(env_data)))
    assert p.returncode == 0, p.stderr
    assert_initialised(cfg_data)
    assert not env_data.exists()
    assert not (tmp_path / "var").exists()

    # The same config, in the other position, sees the same store.
    args = (["init", "--config", cfg] if before
            else ["--config", cfg, "init"])
    p = run_tipline(*args, cwd=tmp_path)
    assert p.returncode == 1
    assert ALREADY_RE.search(p.stderr), "stderr: %r" % p.stderr


@pytest.mark.parametrize("before", [True, False],
                         ids=["data-before-cmd", "data-after-cmd"])
def test_data_flag_beats_config(tmp_path, before):
    cfg_data = tmp_path / "cfgdata"
    flag_data = tmp_path / "flagdata"
    cfg = write_config(tmp_path / "t.ini",
                       {"server": {"data_dir": str(cfg_data)}})
    args = (["--data", flag_data, "--config", cfg, "init"] if before
            else ["init", "--config", cfg, "--data", flag_data])
    p = run_tipline(*args, cwd=tmp_path,
                    env=child_env(TIPLINE_DATA=str(tmp_path / "envdata")))
    assert p.returncode == 0, p.stderr
    assert_initialised(flag_data)
    assert not cfg_data.exists()


# ---- config errors name PATH:LINE

CONFIG_ERRORS = {
    # name: (text, line of the fault)
    "unknown-key": ("[server]\nworkers = 2\n\n[limits]\ncolour = blue\n", 5),
    "bad-workers": ("[server]\nworkers = many\n", 2),
    "bad-size": ("[server]\nworkers = 2\n[limits]\ntip_max_mb = 1x\n", 4),
    "bad-bool": ("[server]\n\n[security]\ncookie_secure = maybe\n", 4),
}


@pytest.mark.parametrize("case", sorted(CONFIG_ERRORS))
@pytest.mark.parametrize("before", [True, False],
                         ids=["config-before-cmd", "config-after-cmd"])
def test_bad_config_stops_serve(tmp_path, case, before):
    text, line = CONFIG_ERRORS[case]
    cfg = write_config(tmp_path / "bad.ini", text=text)
    data = tmp_path / "data"
    if before:
        args = ["--config", cfg, "serve", "--data", data, *SERVE_ARGS]
    else:
        args = ["serve", "--config", cfg, "--data", data, *SERVE_ARGS]
    p = run_tipline(*args, cwd=tmp_path, timeout=20)
    assert p.returncode != 0, "serve started with a bad config"
    where = "%s:%d" % (cfg, line)
    assert where in p.stderr, "stderr does not name %s: %r" % (where, p.stderr)


def test_missing_config_file_fails(tmp_path):
    missing = tmp_path / "nope.ini"
    p = run_tipline("serve", "--config", missing, "--data", tmp_path / "d",
                    *SERVE_ARGS, cwd=tmp_path, timeout=20)
    assert p.returncode != 0
    assert str(missing) in p.stderr, p.stderr


# ---- verify on a fresh store

def test_verify_fresh_store(tmp_path):
    data = tmp_path / "data"
    p = run_tipline("init", "--data", data)
    assert p.returncode == 0, p.stderr
    p = run_tipline("verify", "--data", data)
    assert p.returncode == 0, "verify failed on a fresh store:\n%s%s" % (
        p.stdout, p.stderr)
