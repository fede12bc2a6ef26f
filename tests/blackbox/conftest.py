# SPDX-License-Identifier: MIT
"""pytest fixtures for the black-box suite; the helpers are in harness.py."""

import pytest

from harness import finish_server, launch_server, serving


# --------------------------------------------------------------------------
# Fixtures

@pytest.fixture
def start_server(tmp_path):
    """Factory: start_server(config={section: {key: value}}, ...) -> Server.
    Every server it started is stopped with SIGTERM at the end of the test
    and must exit 0 (unless the test stopped it itself and checked)."""
    started = []

    def _start(config=None, config_text=None, data_dir=None, extra_args=(),
               env=None):
        workdir = tmp_path / ("srv%d" % len(started))
        workdir.mkdir()
        server = launch_server(workdir, config, config_text, data_dir,
                               extra_args, env)
        started.append(server)
        return server

    yield _start
    errors = []
    for server in started:
        try:
            finish_server(server)
        except AssertionError as exc:
            errors.append(str(exc))
        except BaseException:
            server.kill()
            raise
    assert not errors, "\n\n".join(errors)


@pytest.fixture
def server(start_server):
    """A server with the default test config on an empty data dir."""
    return start_server()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for a module of request-level tests (each test checks it
    still answers afterwards); stopped with SIGTERM, exit 0, at the end."""
    yield from serving(tmp_path_factory.mktemp("shared"))
