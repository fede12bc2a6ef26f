# SPDX-License-Identifier: MIT
"""What the browser suite shares: starting headless Chromium (desktop, with
JavaScript on or off, or a phone with WeChat's user agent), screenshots,
and moving between pages.

Chromium runs with a fresh profile directory, no sandbox (tests may run as
root), and no background networking: it talks to 127.0.0.1 only.

A click on a submit button returns before the next page is there (the
server may be busy: a login runs Argon2id on a worker), so every click
that leaves a page goes through submit(), which waits until the old page
is gone; reading the page before that reads the page being left."""

import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "blackbox"))


webdriver = pytest.importorskip(
    "selenium.webdriver", reason="python3-selenium is not installed "
    "(scripts/setup installs it)")
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException, StaleElementReferenceException,
    WebDriverException)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
WAIT = 60   # seconds; a loaded CI machine under ASan is slow

WECHAT_UA = ("Mozilla/5.0 (Linux; Android 12; M2102J2SC) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 "
             "XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 MMWEBID/1 "
             "MicroMessenger/8.0.28.2240(0x28001C57) WeChat/arm64 Weixin "
             "NetType/WIFI Language/zh_CN ABI/arm64")




def start_chromium(profile, js=True, window="1200,1400", phone=False):
    """A headless Chromium asking for zh-CN pages.  phone: a 360 px wide
    touch screen with WeChat's user agent instead of a desktop window."""
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium / chromium-driver are not installed "
                    "(scripts/setup installs them)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    opts.binary_location = CHROMIUM
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--user-data-dir=%s" % profile]
    if phone:
        opts.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 3.0,
                              "mobile": True, "touch": True},
            "userAgent": WECHAT_UA})
    else:
        args += ["--window-size=%s" % window, "--lang=zh-CN"]
    for arg in args:
        opts.add_argument(arg)
    prefs = {"intl.accept_languages": "zh-CN,zh"}
    if not js:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    opts.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(WAIT)
    driver.js_enabled = js
    return driver


def artifacts_dir():
    path = os.environ.get("TIPLINE_ARTIFACTS") or os.path.join(
        tempfile.gettempdir(), "tipline-browser")
    os.makedirs(path, exist_ok=True)
    return path


def shot(driver, name):
    """A screenshot saved as an artifact; returns its path."""
    path = os.path.join(artifacts_dir(), name)
    driver.save_screenshot(path)
    assert os.path.getsize(path) > 1000
    return path


def path_of(driver):
    url = driver.current_url
    return url[url.index("/", len("http://")):]


def fill(driver, field, text):
    el = driver.find_element(By.ID, field)
    el.clear()
    el.send_keys(text)


def gone(element):
    """A wait condition: element's document has been replaced.  While the
    page changes, chromedriver may answer "does not belong to the
    document" instead of a stale element; any other error is asked again."""
    def condition(_driver):
        try:
            element.tag_name
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            return "does not belong to the document" in str(exc)
        return False
    return condition


def submit(driver, target="#submit", then_id=None, script_click=False):
    """Click target (a CSS selector or an element), wait until the page
    it was on has been replaced, and (with then_id) until the new page has
    that element, which is returned.  script_click: the element's own
    click(), for touch emulation, where WebDriver's pointer click can land
    beside a button."""
    old = driver.find_element(By.TAG_NAME, "html")
    if isinstance(target, str):
        target = driver.find_element(By.CSS_SELECTOR, target)
    if script_click:
        driver.execute_script("arguments[0].click();", target)
    else:
        target.click()
    wait = WebDriverWait(driver, WAIT, ignored_exceptions=(
        WebDriverException,))
    wait.until(gone(old))
    wait.until(lambda d: d.execute_script(
        "return document.readyState") == "complete")
    if then_id is None:
        return None
    return wait.until(expected_conditions.presence_of_element_located(
        (By.ID, then_id)))


def wait_text(driver, element_id, text, timeout=WAIT):
    """Wait until element element_id holds text (stale and missing
    elements are waited out); returns its text."""
    WebDriverWait(driver, timeout, ignored_exceptions=(
        NoSuchElementException, StaleElementReferenceException)).until(
        lambda d: text in d.find_element(By.ID, element_id).text)
    return driver.find_element(By.ID, element_id).text
