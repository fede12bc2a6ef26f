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

from chrome import artifacts_dir, shot, submit  # noqa: E402
from harness import serving  # noqa: E402
from web_helpers import counts  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

PUBLIC_URL = "https://tips.example.gov.cn"


@pytest.fixture
def server(tmp_path):
    yield from serving(tmp_path, {
        "server": {"public_url": PUBLIC_URL},
        "limits": {"attachment_max_mb": "1", "tip_max_mb": "2"}})


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
    """Submit on a touch screen: WebDriver's pointer click can land beside
    the button there, so the element's own click() is used."""
    return submit(driver, css, then_id, script_click=True)


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

    press(phone, "#follow-up-link", "f-receipt")
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
