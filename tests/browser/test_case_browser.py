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

sys.path.insert(0, os.path.dirname(__file__))

from chrome import (fill, path_of, shot,  # noqa: E402
                    submit, wait_text)
from harness import serving  # noqa: E402
from staff_helpers import (add_user, admin_password,  # noqa: E402
                           import_institutions)
from test_cases import (CAMPAIGN, INSTITUTIONS,  # noqa: E402
                        tip_with_institution)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402


@pytest.fixture
def server(tmp_path):
    yield from serving(tmp_path)


def submit_form(driver, form_id):
    submit(driver, "#%s button[type=submit]" % form_id)


def test_officer_case_outcome_reaches_tipster(server, browser, tmp_path):
    tag = "js" if browser.js_enabled else "nojs"
    base = server.base_url
    import_institutions(server, INSTITUTIONS, tmp_path)
    add_user(server, "gaoping", "officer", "140581")
    tip, receipt = tip_with_institution(server)

    browser.get(base + "/staff/login")
    fill(browser, "login", "gaoping")
    fill(browser, "password", admin_password(server))
    submit(browser)
    assert path_of(browser) == "/staff/tips"

    # The tip's page: its deadlines and the form that opens a case.
    browser.get(base + "/staff/tips/%s" % tip)
    assert browser.find_element(By.ID, "deadlines").text
    fill(browser, "campaign", CAMPAIGN)
    submit(browser, "#open-case-button")
    assert path_of(browser).startswith("/staff/cases/C-")
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
    submit(browser, "form button[type=submit]")
    wait_text(browser, "status", "The case is closed")
    outcome = browser.find_element(By.ID, "outcome").text
    assert "Violations were found." in outcome, outcome
    assert "Ordered to rectify." in outcome, outcome
    assert "20000.00" in outcome, outcome
    shot(browser, "case-follow-up-%s.png" % tag)
    server.assert_alive()


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
