# SPDX-License-Identifier: MIT
"""Browser tests of the public pages' looks (issue 3 audit): on a phone
screen with WeChat's user agent every page fits its width (no sideways
scrolling); the receipt's print view keeps the reference, the code and the
full follow-up address and drops the site's header, footer and links (a
PDF of it is saved as an artifact); and an upload over tip_max_mb, which
the server refuses before reading it, still shows the form with the limit
named beside the file input.  Needs JavaScript (layout is read with
scripts run by the driver), so it runs once, with JavaScript on."""

import base64
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "blackbox"))

from harness import finish_server, launch_server  # noqa: E402
from test_browser import CHROMIUM, DRIVER, artifacts_dir, shot  # noqa: E402
from web_helpers import counts  # noqa: E402

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="python3-selenium is not installed "
    "(scripts/setup installs it)")
from selenium.webdriver.common.by import By  # noqa: E402

PUBLIC_URL = "https://tips.example.gov.cn"
WECHAT_UA = ("Mozilla/5.0 (Linux; Android 12; M2102J2SC) AppleWebKit/537.36 "
             "(KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 "
             "XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 MMWEBID/1 "
             "MicroMessenger/8.0.28.2240(0x28001C57) WeChat/arm64 Weixin "
             "NetType/WIFI Language/zh_CN ABI/arm64")


@pytest.fixture
def server(tmp_path):
    srv = launch_server(tmp_path, {
        "server": {"public_url": PUBLIC_URL},
        "limits": {"attachment_max_mb": "1", "tip_max_mb": "2"}})
    yield srv
    try:
        finish_server(srv)
    finally:
        if srv.returncode is None:
            srv.kill()


@pytest.fixture
def phone(tmp_path):
    """Chromium emulating a 360 px wide phone with WeChat's user agent."""
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
                "--disable-dev-shm-usage",
                "--user-data-dir=%s" % (tmp_path / "profile")):
        opts.add_argument(arg)
    opts.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 3.0,
                          "mobile": True, "touch": True},
        "userAgent": WECHAT_UA})
    opts.add_experimental_option("prefs",
                                 {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def assert_fits(driver, what):
    """Laid out at the device width, nothing wider than the screen."""
    width = driver.execute_script("return window.innerWidth")
    assert width <= 400, "%s: laid out %d px wide (no viewport?)" % (
        what, width)
    over = driver.execute_script(
        "return document.documentElement.scrollWidth")
    assert over <= width, "%s: %d px of content in a %d px screen" % (
        what, over, width)


def press(driver, css, then_id):
    """Click a button and wait for the element then_id of the next page:
    with touch emulation WebDriver's pointer click can land beside the
    button, so the element's own click() is used (which WebDriver does not
    wait on)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait
    old = driver.find_element(By.TAG_NAME, "html")
    driver.execute_script("arguments[0].click();",
                          driver.find_element(By.CSS_SELECTOR, css))
    wait = WebDriverWait(driver, 60)
    wait.until(expected_conditions.staleness_of(old))
    return wait.until(expected_conditions.presence_of_element_located(
        (By.ID, then_id)))


def visible(driver, element_id):
    return driver.execute_script(
        "var e = document.getElementById(arguments[0]);"
        "return e !== null && e.getClientRects().length > 0 && "
        "getComputedStyle(e).visibility !== 'hidden';", element_id)


def test_phone_pages_fit_and_receipt_prints(server, phone):
    phone.get(server.base_url + "/")
    assert_fits(phone, "form")
    phone.find_element(By.ID, "f-summary").send_keys("手机微信里提交的举报")
    phone.find_element(By.ID, "f-details").send_keys(
        "在微信内置浏览器中填写。" * 20)
    receipt = press(phone, "form button[type=submit]", "receipt")
    code = receipt.text.replace(" ", "")
    assert len(code) == 16 and code.isdigit()
    assert_fits(phone, "receipt")
    shot(phone, "receipt-phone.png")

    # The print view: the browser's own Print, no script of ours.
    phone.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        for element_id in ("tip-id", "receipt"):
            assert visible(phone, element_id), element_id
        assert not visible(phone, "follow-up-link")
        hidden = phone.execute_script(
            "return ['header.site', 'footer.site', '.no-print', 'form']"
            ".every(function (s) { return Array.prototype.every.call("
            "document.querySelectorAll(s), function (e) {"
            "return e.getClientRects().length === 0; }); });")
        assert hidden, "header, footer or links in the print view"
        printed = phone.find_element(By.CSS_SELECTOR, ".print-only").text
        assert PUBLIC_URL + "/follow-up" in printed, printed
        pdf = phone.execute_cdp_cmd("Page.printToPDF",
                                    {"printBackground": False})
        path = os.path.join(artifacts_dir(), "receipt-print.pdf")
        with open(path, "wb") as f:
            f.write(base64.b64decode(pdf["data"]))
        assert os.path.getsize(path) > 1000
    finally:
        phone.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    phone.find_element(By.ID, "follow-up-link").click()
    assert_fits(phone, "follow-up entry")
    phone.find_element(By.ID, "f-receipt").send_keys(code)
    tip_id = press(phone, "form button[type=submit]", "tip-id")
    assert tip_id.text.startswith("T-")
    assert_fits(phone, "status")
    shot(phone, "status-phone.png")


def test_upload_over_the_whole_limit_shows_the_form(server, phone,
                                                    tmp_path):
    phone.get(server.base_url + "/?lang=en")
    phone.find_element(By.ID, "f-summary").send_keys("Too much at once")
    phone.find_element(By.ID, "f-details").send_keys("Two big files.")
    paths = []
    for i in range(2):
        p = tmp_path / ("big%d.txt" % i)
        p.write_bytes(b"a" * (1024 * 1024 + 512 * 1024))
        paths.append(str(p))
    phone.find_element(By.ID, "f-attachments").send_keys("\n".join(paths))
    before = counts(server)
    err = press(phone, "form button[type=submit]", "e-attachments").text
    assert "more than 2.0 MiB" in err and "1.0 MiB" in err, err
    assert phone.find_element(By.TAG_NAME, "html").get_attribute(
        "lang") == "en"
    assert_fits(phone, "refused form")
    shot(phone, "refused-too-large-phone.png")
    assert counts(server) == before
