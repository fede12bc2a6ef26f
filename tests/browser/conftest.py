# SPDX-License-Identifier: MIT
"""pytest fixtures for the browser suite; the helpers are in chrome.py.
A module sets WINDOW ("width,height") for another desktop window size."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from chrome import start_chromium  # noqa: E402


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def browser(request, tmp_path):
    """A desktop Chromium, once with JavaScript on and once with it off
    (the pages have no script: the run proves nothing needs one)."""
    driver = start_chromium(tmp_path / "profile", js=request.param,
                            window=getattr(request.module, "WINDOW",
                                           "1200,1400"))
    yield driver
    driver.quit()


@pytest.fixture
def phone(tmp_path):
    """Chromium emulating a 360 px wide phone with WeChat's user agent."""
    driver = start_chromium(tmp_path / "profile", phone=True)
    yield driver
    driver.quit()
