"""WCAG 2.2.1 Timing Adjustable on the inspector's and the desk's waiting page (accessibility review,
defect 4): the request behind the QR code ends after ``request_ttl`` (5 minutes). The page says until
when the code works, warns before it ends, and offers more time (a new code for the same check: its
kind, flow and day of care), before and after it ends. Debian's Chromium renders the pages; the
services run for real on loopback (esspass.stack).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from credentials import i18n
from esspass.stack import InspectorAuth, Stack, start_in_process, verifier_replica
from esspass.testing import wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_in_process(tmp_path_factory.mktemp("a11y-timing")) as running:
        yield running


def _signed_in(browser: Any, url: str, token: str) -> Any:
    tab = browser.new_context().new_page()
    tab.goto(url + "/login?lang=en&next=/%3Flang%3Den")
    tab.fill("#token", token)
    tab.click("#login")
    tab.wait_for_url(url + "/?lang=en")
    return tab


def test_2_2_1_inspection_code_time_limit_is_stated_or_can_be_extended(stack: Stack, browser: Any) -> None:
    """The reviewer's case: the waiting page said neither until when the code can be answered nor
    offered more time, and a worker who needs longer (screen reader, motor or cognitive disability)
    found the answer refused. It now says "until HH:MM (5 minutes)" and has a More time button."""
    tab = _signed_in(browser, stack.verifier_url, stack.inspector_token)
    try:
        tab.click("#start")
        tab.wait_for_selector("#qr")
        text = tab.inner_text("main")
        assert re.search(r"until \d{2}:\d{2} \(UTC[+-]?[0-9:]*; 5 minutes\)", text), text
        assert tab.locator("main button").filter(has_text=re.compile("More time")).count() == 1
    finally:
        tab.context.close()


def test_2_2_1_more_time_before_the_end_extends_the_same_code(stack: Stack, browser: Any) -> None:
    """More time before the end: the same code (the same request) of the same check, here the EHIC
    check for a day of care, answerable for longer: a worker who scanned it may be reading the consent
    screen, and a new code would void their answer (review R7)."""
    care = datetime.now(UTC).date() - timedelta(days=3)
    tab = _signed_in(browser, stack.verifier_url, stack.inspector_token)
    try:
        tab.check("input[value=ehic]")
        tab.fill("#care_date", care.isoformat())
        tab.click("#start")
        tab.wait_for_selector("#qr svg")
        first = tab.url.split("/inspect/")[1].split("?")[0]
        link = tab.input_value("#link")
        tab.click("#renew")
        tab.wait_for_load_state()
        tab.wait_for_selector("#qr svg")
        assert tab.url.split("/inspect/")[1].split("?")[0] == first
        assert tab.input_value("#link") == link
        assert "patient" in tab.inner_text("h1")
        assert i18n.format_date(care, "en") in tab.inner_text("#care-date")
        with httpx.Client(timeout=10, auth=InspectorAuth(stack.inspector_token)) as http:
            still = http.get(f"{stack.verifier_url}/api/requests/{first}/status").json()
        assert still["status"] == "pending", still
    finally:
        tab.context.close()


def test_2_2_1_after_the_code_expired_more_time_starts_it_again(stack: Stack, browser: Any) -> None:
    """After the end the page says so, and More time is still there: the same check goes on with a
    new code, no settings to choose again."""
    with verifier_replica(stack) as (service, url):
        tab = _signed_in(browser, url, stack.inspector_token)
        try:
            tab.click("#start-same-device")
            tab.wait_for_selector("#open-wallet")
            assert re.search(r"until \d{2}:\d{2}", tab.inner_text("#time-limit"))
            tab.goto(url + "/?lang=en")
            tab.check("input[value=pda1]")
            tab.click("#start")
            tab.wait_for_selector("#qr svg")
            service.clock = lambda: datetime.now(UTC) + timedelta(seconds=service.request_ttl + 1)
            tab.wait_for_selector("#new-check")
            assert "More time" in tab.inner_text("#state")
            assert not tab.is_visible("#time-limit")  # "works until ..." no longer, beside "has expired"
            tab.click("#renew")
            tab.wait_for_selector("#qr svg")
            assert "worker" in tab.inner_text("h1")
            assert tab.locator("#new-check").count() == 0
        finally:
            service.clock = lambda: datetime.now(UTC)
            tab.context.close()


def test_2_2_1_a_minute_before_the_end_the_page_warns(stack: Stack, browser: Any) -> None:
    """Warned before it ends (2.2.1 b, "warned before time expires"), through the live region."""
    with verifier_replica(stack) as (service, url):
        tab = _signed_in(browser, url, stack.inspector_token)
        try:
            service.clock = lambda: datetime.now(UTC) - timedelta(seconds=service.request_ttl - 30)
            tab.click("#start")
            tab.wait_for_selector("#qr svg")
            wait_until(tab, "document.getElementById('state').textContent.includes('minute')")
            assert tab.get_attribute("#state", "aria-live") == "polite"
        finally:
            service.clock = lambda: datetime.now(UTC)
            tab.context.close()

