# SPDX-License-Identifier: MIT
"""Browser test of inspection cases (issue 7, suite 'browser'): headless
Chromium through python3-selenium, with JavaScript on and off.  An officer
logs in, opens a case from a tip on the tip's page, files it, records an
outcome (ordered to rectify, a fine in yuan), decides and closes it; the
tipster then enters the receipt on the follow-up page and reads the new
status and the outcome in plain words.  Screenshots go to
$TIPLINE_ARTIFACTS."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "blackbox"))

from staff_helpers import add_user, admin_password, cli  # noqa: E402
from test_cases import (CAMPAIGN, INSTITUTIONS,  # noqa: E402
                        tip_with_institution)
from test_staff_browser import (arrive_at, browser, fill,  # noqa: E402,F401
                                path_of, server, shot)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


def wait_text(driver, element_id, text, timeout=20):
    """Wait until element element_id holds text (across the navigation
    a form post causes: stale and missing elements are waited out)."""
    from selenium.common.exceptions import (NoSuchElementException,
                                            StaleElementReferenceException)
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, timeout, ignored_exceptions=(
        NoSuchElementException, StaleElementReferenceException)).until(
        lambda d: text in d.find_element(By.ID, element_id).text)
    return driver.find_element(By.ID, element_id).text


def submit_form(driver, form_id):
    driver.find_element(By.CSS_SELECTOR,
                        "#%s button[type=submit]" % form_id).click()


def test_officer_case_outcome_reaches_tipster(server, browser, tmp_path):
    tag = "js" if browser.js_enabled else "nojs"
    base = server.base_url
    path = tmp_path / "institutions.csv"
    path.write_text(INSTITUTIONS, encoding="utf-8")
    assert cli(server, "institutions", "import", str(path)).returncode == 0
    add_user(server, "gaoping", "officer", "140581")
    tip, receipt = tip_with_institution(server)

    browser.get(base + "/staff/login")
    fill(browser, "login", "gaoping")
    fill(browser, "password", admin_password(server))
    browser.find_element(By.ID, "submit").click()
    assert arrive_at(browser, "/staff/tips") == "/staff/tips"

    # The tip's page: its deadlines and the form that opens a case.
    browser.get(base + "/staff/tips/%s" % tip)
    assert browser.find_element(By.ID, "deadlines").text
    fill(browser, "campaign", CAMPAIGN)
    browser.find_element(By.ID, "open-case-button").click()
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 20).until(
        lambda d: path_of(d).startswith("/staff/cases/C-"))
    case = path_of(browser).rsplit("/", 1)[1]
    assert browser.find_element(By.ID, "case-id").text == case
    assert "核查中" in browser.find_element(By.ID, "case-status").text
    assert tip in browser.page_source
    shot(browser, "case-new-%s.png" % tag)

    # File it, record the outcome, decide and close it.
    Select(browser.find_element(By.ID, "new-status")).select_by_value(
        "filed")
    submit_form(browser, "status-form")
    wait_text(browser, "case-status", "已立案")
    Select(browser.find_element(By.ID, "violation_found")).select_by_value(
        "1")
    Select(browser.find_element(By.ID, "rectify_ordered")).select_by_value(
        "1")
    fill(browser, "fines_yuan", "20000")
    submit_form(browser, "outcome-form")
    assert "2.00 万元" in wait_text(browser, "fines", "20000.00")
    for status, words in (("decided", "已作出处理决定"), ("closed", "已结案")):
        Select(browser.find_element(By.ID, "new-status")).select_by_value(
            status)
        submit_form(browser, "status-form")
        wait_text(browser, "case-status", words)
    shot(browser, "case-closed-%s.png" % tag)

    # The tipster's follow-up page shows it in plain words.
    browser.delete_all_cookies()
    browser.get(base + "/follow-up?lang=en")
    fill(browser, "f-receipt", receipt)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_text(browser, "status", "The case is closed")
    outcome = browser.find_element(By.ID, "outcome").text
    assert "Violations were found." in outcome, outcome
    assert "Ordered to rectify." in outcome, outcome
    assert "20000.00" in outcome, outcome
    shot(browser, "case-follow-up-%s.png" % tag)
    server.assert_alive()


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
