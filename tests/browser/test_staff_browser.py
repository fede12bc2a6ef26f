# SPDX-License-Identifier: MIT
"""Browser test of the staff pages (suite 'browser'): headless Chromium
through python3-selenium.  The first admin logs in with the one-time
password that `serve` printed, is sent to the forced password change,
chooses a new password, lands on the tip list (seeing the tip of a
bureau it may see), opens the tip, logs out, and is back at the login
page with the session gone.  With JavaScript on and off: the staff pages
have no script.  Screenshots go to $TIPLINE_ARTIFACTS."""

import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "blackbox"))

from harness import finish_server, launch_server  # noqa: E402
from staff_helpers import admin_password, submit_tip  # noqa: E402

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="python3-selenium is not installed "
    "(scripts/setup installs it)")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
NEW_PASSWORD = "管理员的新密码-browser-42"


@pytest.fixture
def server(tmp_path):
    srv = launch_server(tmp_path)
    yield srv
    try:
        finish_server(srv)
    finally:
        if srv.returncode is None:
            srv.kill()


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def browser(request, tmp_path):
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium / chromium-driver are not installed "
                    "(scripts/setup installs them)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,1400",
                "--user-data-dir=%s" % (tmp_path / "profile"),
                "--lang=zh-CN"):
        opts.add_argument(arg)
    prefs = {"intl.accept_languages": "zh-CN,zh"}
    if not request.param:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    opts.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    driver.js_enabled = request.param
    yield driver
    driver.quit()


def shot(driver, name):
    path = os.environ.get("TIPLINE_ARTIFACTS") or os.path.join(
        tempfile.gettempdir(), "tipline-browser")
    os.makedirs(path, exist_ok=True)
    path = os.path.join(path, name)
    driver.save_screenshot(path)
    assert os.path.getsize(path) > 1000
    return path


def arrive_at(driver, path, timeout=20):
    """The path the browser lands on after a submit, waiting for the
    navigation (a login runs Argon2id on a worker, which may take a moment
    on a loaded machine) rather than reading the page it is leaving."""
    try:
        WebDriverWait(driver, timeout).until(
            lambda d: path_of(d) == path)
    except Exception:
        pass
    return path_of(driver)


def path_of(driver):
    url = driver.current_url
    return url[url.index("/", len("http://")):]


def fill(driver, field, text):
    el = driver.find_element(By.ID, field)
    el.clear()
    el.send_keys(text)


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
    browser.find_element(By.ID, "submit").click()
    assert path_of(browser) == "/staff/login"
    assert browser.find_element(By.ID, "problem").text

    fill(browser, "login", "admin")
    fill(browser, "password", one_time)
    browser.find_element(By.ID, "submit").click()
    # The one-time password must be changed before anything else.
    assert path_of(browser) == "/staff/password"
    assert browser.find_element(By.ID, "must-change").text
    browser.get(base + "/staff/tips")
    assert path_of(browser) == "/staff/password"
    shot(browser, "staff-password-%s.png" % tag)

    # Two different new passwords: refused, still forced.
    fill(browser, "old", one_time)
    fill(browser, "new", NEW_PASSWORD)
    fill(browser, "new2", NEW_PASSWORD + "x")
    browser.find_element(By.ID, "submit").click()
    assert browser.find_element(By.ID, "problem").text
    fill(browser, "old", one_time)
    fill(browser, "new", NEW_PASSWORD)
    fill(browser, "new2", NEW_PASSWORD)
    browser.find_element(By.ID, "submit").click()
    assert arrive_at(browser, "/staff/tips") == "/staff/tips"
    assert tip in browser.find_element(By.ID, "tips").text
    shot(browser, "staff-tips-%s.png" % tag)

    browser.find_element(By.LINK_TEXT, tip).click()
    assert arrive_at(browser, "/staff/tips/%s" % tip) == \
        "/staff/tips/%s" % tip
    assert "浏览器测试的举报" in browser.page_source
    assert "该机构未实际检测" in browser.find_element(By.ID, "details").text
    shot(browser, "staff-tip-%s.png" % tag)

    browser.find_element(By.ID, "logout").click()
    assert arrive_at(browser, "/staff/login") == "/staff/login"
    assert browser.get_cookie("tipline_session") is None
    browser.get(base + "/staff/tips")
    assert path_of(browser) == "/staff/login"

    # The new password is the one that works now.
    fill(browser, "login", "admin")
    fill(browser, "password", NEW_PASSWORD)
    browser.find_element(By.ID, "submit").click()
    assert arrive_at(browser, "/staff/tips") == "/staff/tips"
