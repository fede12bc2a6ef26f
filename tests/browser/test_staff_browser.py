# SPDX-License-Identifier: MIT
"""Browser test of the staff pages (suite 'browser'): headless Chromium
through python3-selenium.  The first admin logs in with the one-time
password that `serve` printed, is sent to the forced password change,
chooses a new password, lands on the tip list (seeing the tip of a
bureau it may see), opens the tip, logs out, and is back at the login
page with the session gone.  With JavaScript on and off: the staff pages
have no script.  Screenshots go to $TIPLINE_ARTIFACTS."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from chrome import (fill, path_of, shot,  # noqa: E402
                    submit)
from harness import serving  # noqa: E402
from staff_helpers import admin_password, submit_tip  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

NEW_PASSWORD = "管理员的新密码-browser-42"


@pytest.fixture
def server(tmp_path):
    yield from serving(tmp_path)


def test_login_forced_change_logout(server, browser):
    tag = "js" if browser.js_enabled else "nojs"
    one_time = admin_password(server)
    tip = submit_tip(server, "140581", summary="浏览器测试的举报")
    base = server.base_url

    # Not logged in: the staff pages lead to the login page.
    browser.get(base + "/staff/tips")
    assert path_of(browser) == "/staff/login"
    assert browser.find_elements(By.TAG_NAME, "script") == []
    assert "登录" in browser.page_source
    shot(browser, "staff-login-%s.png" % tag)

    # A wrong password first: same page, a plain message.
    fill(browser, "login", "admin")
    fill(browser, "password", "not the password")
    assert submit(browser, then_id="problem").text
    assert path_of(browser) == "/staff/login"

    fill(browser, "login", "admin")
    fill(browser, "password", one_time)
    # The one-time password must be changed before anything else.
    assert submit(browser, then_id="must-change").text
    assert path_of(browser) == "/staff/password"
    browser.get(base + "/staff/tips")
    assert path_of(browser) == "/staff/password"
    shot(browser, "staff-password-%s.png" % tag)

    # Two different new passwords: refused, still forced.
    fill(browser, "old", one_time)
    fill(browser, "new", NEW_PASSWORD)
    fill(browser, "new2", NEW_PASSWORD + "x")
    assert submit(browser, then_id="problem").text
    fill(browser, "old", one_time)
    fill(browser, "new", NEW_PASSWORD)
    fill(browser, "new2", NEW_PASSWORD)
    submit(browser)
    assert path_of(browser) == "/staff/tips"
    assert tip in browser.find_element(By.ID, "tips").text
    shot(browser, "staff-tips-%s.png" % tag)

    submit(browser, browser.find_element(By.LINK_TEXT, tip))
    assert path_of(browser) == "/staff/tips/%s" % tip
    assert "浏览器测试的举报" in browser.page_source
    assert "该机构未实际检测" in browser.find_element(By.ID, "details").text
    shot(browser, "staff-tip-%s.png" % tag)

    submit(browser, "#logout")
    assert path_of(browser) == "/staff/login"
    assert browser.get_cookie("tipline_session") is None
    browser.get(base + "/staff/tips")
    assert path_of(browser) == "/staff/login"

    # The new password is the one that works now.
    fill(browser, "login", "admin")
    fill(browser, "password", NEW_PASSWORD)
    submit(browser)
    assert path_of(browser) == "/staff/tips"
