"""The verifier's privacy notice from the registry to the wallet's consent screen, and the waiting page's
time limit in the browser's own time zone, in real headless Chromium (Debian's).

The registry, issuer, verifier and the wallet's page server run for real on loopback ports
(``test_pages_browser.wallet_site``); the demo seed is given the verifier's address, as ``esspass up``
gives it the issuer's, so that the demo inspectorate's registration names the verifier's ``/privacy``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from test_pages_browser import PASSPHRASE, Site, wallet_site

from credentials import i18n
from esspass.testing import wait_until
from trust_registry.seed import seed_data_dir
from verifier.app import _utc_offset

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("policy-pages")
    with wallet_site(data_dir) as served:
        seed_data_dir(data_dir, issuer_url=served.stack.issuer_url, verifier_url=served.stack.verifier_url)
        yield served


def _phone(site: Site, browser: Any) -> Any:
    """The worker's wallet pages on a phone, set up with a passphrase."""
    tab = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    tab.goto(site.wallet_page.url + "/")
    if tab.locator("#passphrase2").count():
        tab.fill("#passphrase", PASSPHRASE)
        tab.fill("#passphrase2", PASSPHRASE)
        tab.click("#create")
    return tab


def test_the_consent_screen_links_the_privacy_notice_of_the_verifiers_registration_end_to_end(
        site: Site, browser: Any) -> None:
    """Registry (the demo inspectorate's registration) → signed verifiers list → the wallet's consent
    screen: "How <verifier> handles your data" opens the registered address, the verifier's own
    privacy page, which anyone may read without signing in. The registry's page shows it too."""
    policy = f"{site.stack.verifier_url}/privacy"
    registry = browser.new_context().new_page()
    try:
        registry.goto(f"{site.stack.registry_url}/?lang=en")
        listed = registry.locator("#verifiers #entity-LV\\:VDI a.policy")
        assert listed.get_attribute("href") == policy
        assert listed.inner_text() == "How Valsts darba inspekcija handles personal data"
        assert registry.locator("#verifiers #entity-AT\\:FINPOL a.policy").count() == 0
    finally:
        registry.context.close()

    phone = _phone(site, browser)
    try:
        phone.goto(site.wallet_page.url + "/present?lang=en")
        phone.fill("#link", site.inspector.request("pda1")["link"])
        phone.click("#continue")
        phone.wait_for_selector("#consent")
        link = phone.locator("#policy a")
        assert link.get_attribute("href") == policy
        assert link.inner_text() == "How Valsts darba inspekcija (State Labour Inspectorate) handles your data"
        link.click()
        phone.wait_for_url(policy)
        assert phone.inner_text("h1") == "How State Labour Inspectorate (Valsts darba inspekcija) handles your data"
        assert "730 days" in phone.inner_text("#privacy-records")
        assert "Labour inspection" in phone.inner_text("#privacy-why")
    finally:
        phone.context.close()


def test_the_verifiers_privacy_page_is_open_to_anyone_in_the_five_languages(site: Site) -> None:
    with httpx.Client(timeout=10) as anonymous:  # no inspector's token or sign-in
        for lang in i18n.LANGUAGES:
            page = anonymous.get(f"{site.stack.verifier_url}/privacy?lang={lang}")
            assert page.status_code == 200 and f'<html lang="{lang}">' in page.text, (lang, page.status_code)
            assert i18n.t("verifier.privacy.how_long_h", lang) in page.text
            assert "default-src 'none'" in page.headers["content-security-policy"]


def _signed_in(site: Site, browser: Any, **context: Any) -> Any:
    tab = browser.new_context(**context).new_page()
    tab.goto(site.stack.verifier_url + "/login?lang=en&next=/%3Flang%3Dde")
    tab.fill("#token", site.stack.inspector_token)
    tab.click("#login")
    tab.wait_for_url(site.stack.verifier_url + "/?lang=de")
    return tab


def _limit_words(limit: datetime, zone: str, lang: str) -> str:
    at = limit.astimezone(ZoneInfo(zone))
    return i18n.t("verifier.waiting.until", lang, time=f"{at:%H:%M}", zone=_utc_offset(at), minutes=5)


@pytest.mark.parametrize(("zone", "button"), [("America/New_York", "#start"),
                                              ("Asia/Kolkata", "#start-same-device")])
def test_the_waiting_pages_time_limit_is_shown_in_the_browsers_own_time_zone(
        site: Site, browser: Any, zone: str, button: str) -> None:
    """The verifier's clock is Riga's (LV:VDI); the inspector's browser is in New York, or in India
    (UTC+5:30): the page says until when the code works in the browser's time and offset, in the
    page's language, and keeps the instant in ``<time datetime>``. Without JavaScript (another
    browser in the same zone), the server's words stay: Riga's time and offset."""
    tab = _signed_in(site, browser, timezone_id=zone)
    try:
        tab.click(button)
        tab.wait_for_selector("#time-limit")
        stamp = tab.get_attribute("#time-limit", "datetime")
        assert stamp is not None and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", stamp), stamp
        limit = datetime.fromisoformat(stamp)
        assert limit.utcoffset() == limit.astimezone(ZoneInfo("Europe/Riga")).utcoffset()  # the verifier's zone
        # The server's words (Riga's) are there at once; the page's script rewrites them once loaded.
        local = _limit_words(limit, zone, "de")
        try:
            wait_until(tab, f"document.getElementById('time-limit').innerText === {json.dumps(local)}")
        finally:
            assert tab.inner_text("#time-limit") == local
        assert tab.inner_text("#time-limit") != _limit_words(limit, "Europe/Riga", "de")
        address = tab.url
    finally:
        tab.context.close()

    plain = _signed_in(site, browser, timezone_id=zone, java_script_enabled=False)
    try:
        plain.goto(address)
        assert plain.get_attribute("#time-limit", "datetime") == stamp
        assert plain.inner_text("#time-limit") == _limit_words(limit, "Europe/Riga", "de")
    finally:
        plain.context.close()
