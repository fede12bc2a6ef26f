# SPDX-License-Identifier: MIT
"""Browser tests (suite 'browser'): headless Chromium driven by
python3-selenium through chromium-driver, against the real binary.

A person's path through the public side: open the form, fill it in,
attach two files, send it, read the receipt code off the page, open the
follow-up page, enter the code, see the status and a message from the
bureau, send an answer.  Once with JavaScript on and once with it off
(the pages have no script at all; the run proves nothing needs one).
Screenshots of the form and the receipt page are saved as artifacts in
$TIPLINE_ARTIFACTS (meson-logs/browser/ of the build directory).
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from chrome import shot, submit  # noqa: E402
from harness import serving  # noqa: E402
from web_helpers import counts, staff_message  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

WINDOW = "412,1800"


@pytest.fixture
def server(tmp_path):
    yield from serving(tmp_path, {"limits": {
        "attachment_max_mb": "2", "tip_max_mb": "8"}})


def test_tip_and_follow_up(server, browser, tmp_path):
    tag = "js" if browser.js_enabled else "nojs"
    base = server.base_url
    browser.get(base + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute(
        "lang") == "zh-CN"
    assert browser.find_elements(By.TAG_NAME, "script") == []
    browser.find_element(By.ID, "f-summary").send_keys("浏览器测试：报告造假")
    browser.find_element(By.ID, "f-details").send_keys(
        "某检测公司未经检验就出具了报告。")
    browser.find_element(By.ID, "f-institution").send_keys("某某检测有限公司")
    browser.find_element(By.CSS_SELECTOR,
                         "#f-county option[value='140581']").click()
    browser.find_element(By.CSS_SELECTOR,
                         "#f-domain option[value='food']").click()
    a = tmp_path / "现场照片说明.txt"
    a.write_text("照片说明\n", encoding="utf-8")
    b = tmp_path / "report.pdf"
    b.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
                  b"trailer<</Root 1 0 R>>\n%%EOF\n")
    browser.find_element(By.ID, "f-attachments").send_keys(
        "%s\n%s" % (a, b))
    shot(browser, "form-%s.png" % tag)
    before = counts(server)
    receipt = submit(browser, "form button[type=submit]", "receipt").text
    code = receipt.replace(" ", "")
    assert len(code) == 16 and code.isdigit(), receipt
    tip_id = browser.find_element(By.ID, "tip-id").text
    assert tip_id.startswith("T-")
    assert code not in browser.current_url
    shot(browser, "receipt-%s.png" % tag)
    after = counts(server)
    assert after[0] == before[0] + 1 and after[3] == before[3] + 2

    staff_message(server, code, "请说明报告编号。")
    submit(browser, "#follow-up-link")
    browser.find_element(By.ID, "f-receipt").send_keys(receipt)
    submit(browser, "form button[type=submit]", "tip-id")
    assert code not in browser.current_url
    assert browser.find_element(By.ID, "tip-id").text == tip_id
    assert "高平市" in browser.find_element(By.ID, "bureau").text
    assert "请说明报告编号。" in browser.find_element(By.ID,
                                                  "messages").text
    cookies = browser.get_cookies()
    assert [c for c in cookies if c["name"] == "tipline_tipster" and
            c["httpOnly"] and c.get("sameSite") == "Strict"], cookies
    shot(browser, "status-%s.png" % tag)

    browser.find_element(By.ID, "f-text").send_keys("报告编号是 2022-0001。")
    browser.find_element(By.ID, "f-attachments").send_keys(str(a))
    assert submit(browser, "form[action^='/follow-up/reply'] button",
                  "sent")
    assert "报告编号是 2022-0001。" in browser.find_element(
        By.ID, "messages").text
    final = counts(server)
    assert final[1] == after[1] + 2 and final[3] == after[3] + 1


def test_refused_form_comes_back_filled_in(server, browser, tmp_path):
    if not browser.js_enabled:
        pytest.skip("once is enough")
    browser.get(server.base_url + "/?lang=en")
    browser.find_element(By.ID, "f-summary").send_keys("Refused on purpose")
    browser.find_element(By.ID, "f-details").send_keys("Details kept.")
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"<!DOCTYPE html><html><body>not a photo</body></html>")
    browser.find_element(By.ID, "f-attachments").send_keys(str(bad))
    err = submit(browser, "form button[type=submit]", "e-attachments").text
    assert "photo.jpg" in err and "text/html" in err, err
    assert browser.find_element(By.ID, "f-summary").get_attribute(
        "value") == "Refused on purpose"
    assert browser.find_element(By.ID, "f-details").get_attribute(
        "value") == "Details kept."
    shot(browser, "refused-en.png")
