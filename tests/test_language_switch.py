"""A change of language keeps what was typed: the clerk's case form, the inspector's check form, the
worker's one-time code, in real headless Chromium (esspass/static/language-switch.js).

The services and the wallet's pages run for real on loopback ports (test_pages_browser.wallet_site).
A language link loads the page again in another language; the shared script keeps the values of the
page's forms in the tab's sessionStorage on the click and puts them back on the next page, removing the
saved copy there. What it saved is read by holding the navigation back (a 204 answer, which a browser
does not navigate to): never a password, never the CSRF token.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_pages_browser import Site, _offer, _sign_in, phone_tab, wallet_site

from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import demo_entity
from esspass.stack import unnumbered
from esspass.testing import clerk_tab

pytestmark = pytest.mark.browser
PERSON = DEMO_PERSONS[1]
#: The one sessionStorage entry the script keeps (esspass/static/language-switch.js).
KEY = "esspass.language-switch"
SAVED = f"() => sessionStorage.getItem('{KEY}')"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with wallet_site(tmp_path_factory.mktemp("language-switch")) as served:
        yield served


@pytest.fixture(scope="module")
def phone(site: Site, browser: Any) -> Iterator[Any]:
    """The worker's wallet, set up, on a phone-sized screen."""
    with phone_tab(site, browser) as tab:
        yield tab


def _is_language_link(url: str, lang: str) -> bool:
    parts = urlsplit(url)
    return parts.path == f"/lang/{lang}" or parse_qs(parts.query).get("lang") == [lang]


def _held_back(tab: Any, lang: str) -> dict[str, Any] | None:
    """Click the page's ``lang`` link with the navigation answered 204 (the browser stays on the page):
    what the script saved for the next page, as that page would read it."""
    def link(url: str) -> bool:
        return _is_language_link(url, lang)

    def stay(route: Any) -> None:
        route.fulfill(status=204)

    tab.route(link, stay)
    try:
        with tab.expect_request(lambda request: link(request.url)):
            tab.click(f"a[hreflang={lang}]")
        raw = tab.evaluate(SAVED)
    finally:
        tab.unroute(link, stay)
    tab.evaluate(f"() => sessionStorage.removeItem('{KEY}')")
    return json.loads(raw) if raw else None


def _switch(tab: Any, lang: str) -> None:
    """Click the ``lang`` link and wait for the page in that language."""
    tab.click(f"a[hreflang={lang}]")
    tab.wait_for_selector(f"html[lang={lang}]", state="attached")
    tab.wait_for_load_state("load")


def _policy_refusals(tab: Any) -> list[str]:
    refused: list[str] = []
    tab.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def _fill_case_form(tab: Any) -> dict[str, str]:
    """Some of an A1's fields as a clerk types them, one in the second employer's row (behind "add another")."""
    typed = {"#f-personal_administrative_number": "DEMO-120380-11111", "#f-employer-name": "Būvnieks SIA",
             "#f-starting_date": "2026-03-02", "#f-holder-family_name": "Bērziņa"}
    for selector, value in typed.items():
        tab.fill(selector, value)
    tab.click("#more-employer-1 > summary")
    tab.fill("#f-employer-1-name", "Second Employer GmbH")
    typed["#f-employer-1-name"] = "Second Employer GmbH"
    tab.select_option("#f-status_confirmation", index=1)
    tab.check("#f-transitional_rules")
    return typed


def test_office_case_form_keeps_what_the_clerk_typed_in_german(site: Site, browser: Any) -> None:
    tab = clerk_tab(browser, site.stack.issuer_url, "lv-vsaa", site.clerk.tokens["LV:VSAA"])
    try:
        refused = _policy_refusals(tab)
        tab.goto(f"{site.stack.issuer_url}/lv-vsaa/office/new/pda1?lang=en")
        typed = _fill_case_form(tab)
        status = tab.input_value("#f-status_confirmation")
        _switch(tab, "de")
        assert urlsplit(tab.url).path == "/lv-vsaa/office/new/pda1" and "lang=de" in tab.url
        for selector, value in typed.items():
            assert tab.input_value(selector) == value, selector
        assert tab.input_value("#f-status_confirmation") == status and tab.is_checked("#f-transitional_rules")
        # The second employer's row it went into is open, not hidden behind its "add another".
        assert tab.evaluate("document.getElementById('more-employer-1').open")
        assert tab.evaluate(SAVED) is None  # the saved copy is gone once restored
        assert refused == []
    finally:
        tab.context.close()


def test_office_case_form_sent_back_with_a_problem_keeps_its_values_in_another_language(
        site: Site, browser: Any) -> None:
    """The form sent back with a problem (a POST's answer, whose values the page shows) and no key
    pressed since: the language link opens the form again (a GET) and the values come with it."""
    tab = clerk_tab(browser, site.stack.issuer_url, "lv-vsaa", site.clerk.tokens["LV:VSAA"])
    try:
        tab.goto(f"{site.stack.issuer_url}/lv-vsaa/office/new/pda1?lang=en")
        tab.fill("#f-personal_administrative_number", "DEMO-120380-22222")
        tab.fill("#f-holder-family_name", "Ozola")
        with tab.expect_navigation():
            tab.click("#create")
        assert tab.input_value("#f-holder-family_name") == "Ozola"  # sent back, not recorded
        _switch(tab, "fr")
        assert tab.input_value("#f-personal_administrative_number") == "DEMO-120380-22222"
        assert tab.input_value("#f-holder-family_name") == "Ozola"
        assert tab.evaluate(SAVED) is None
    finally:
        tab.context.close()


def test_a_password_or_csrf_field_is_never_saved(site: Site, browser: Any) -> None:
    tab = clerk_tab(browser, site.stack.issuer_url, "lv-vsaa", site.clerk.tokens["LV:VSAA"])
    try:
        tab.goto(f"{site.stack.issuer_url}/lv-vsaa/office/new/pda1?lang=en")
        csrf = tab.get_attribute("form.case-form input[name=csrf]", "value")
        assert csrf
        _fill_case_form(tab)
        saved = _held_back(tab, "de")
        assert saved is not None
        fields = {name for form in saved["forms"].values() for name in form}
        assert "personal_administrative_number" in fields and "employer.1.name" in fields
        assert "csrf" not in fields and csrf not in json.dumps(saved)
    finally:
        tab.context.close()
    # The sign-in page: the clerk's token (a password field) typed, nothing else: nothing saved.
    signin = browser.new_context().new_page()
    try:
        signin.goto(f"{site.stack.issuer_url}/lv-vsaa/office/login?lang=en")
        signin.fill("#token", site.clerk.tokens["LV:VSAA"])
        assert _held_back(signin, "lv") is None
        _switch(signin, "lv")
        assert signin.input_value("#token") == ""
    finally:
        signin.context.close()


def test_verifier_check_form_keeps_the_chosen_check_and_care_date_in_german(site: Site, browser: Any) -> None:
    tab = browser.new_context().new_page()
    try:
        refused = _policy_refusals(tab)
        _sign_in(site, tab)
        tab.goto(site.stack.verifier_url + "/?lang=en")
        tab.check("input[name=profile][value=ehic]")
        day = (date.today() - timedelta(days=3)).isoformat()
        tab.fill("#care_date", day)
        saved = _held_back(tab, "de")
        assert saved is not None and {"profile": ["ehic"], "care_date": [day]}.items() <= next(
            iter(saved["forms"].values())).items()
        _switch(tab, "de")
        assert tab.is_checked("input[name=profile][value=ehic]") and tab.input_value("#care_date") == day
        assert tab.evaluate(SAVED) is None
        assert refused == []
    finally:
        tab.context.close()


def test_wallet_one_time_code_is_kept_in_german_and_still_collects_the_document(site: Site, phone: Any) -> None:
    refused = _policy_refusals(phone)
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.wait_for_selector("#tx_code")
    # The offer page is the answer to the link's form (POST /receive): the language link returns to it.
    phone.fill("#tx_code", offer["tx_code"])
    _switch(phone, "de")
    assert urlsplit(phone.url).path.startswith("/receive/")
    assert phone.input_value("#tx_code") == offer["tx_code"]
    assert phone.evaluate(SAVED) is None
    phone.click("#accept")
    phone.wait_for_selector("#received")
    _switch(phone, "en")
    assert refused == []


def test_wallet_one_time_code_typed_again_after_a_wrong_one_is_kept(site: Site, phone: Any) -> None:
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.fill("#tx_code", "999999" if offer["tx_code"] != "999999" else "111111")
    phone.click("#accept")
    phone.wait_for_selector("#error")
    phone.fill("#tx_code", offer["tx_code"])
    saved = _held_back(phone, "fr")
    assert saved is not None and "csrf" not in json.dumps(saved)
    phone.fill("#tx_code", offer["tx_code"])
    _switch(phone, "fr")
    assert phone.input_value("#tx_code") == offer["tx_code"]
    phone.click("#accept")
    phone.wait_for_selector("#received")
    _switch(phone, "en")


def test_institutions_one_time_code_page_keeps_the_code_and_its_request_in_german(site: Site, phone: Any) -> None:
    """The issuer's own page of the authorization code flow: after a wrong code (a POST's answer) the
    language link keeps the request's client_id and request_uri, and the code typed again."""
    refused = _policy_refusals(phone)
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.click("#at-institution")
    institution = demo_entity(PERSON.ehic_issuer)
    phone.wait_for_url(f"{site.stack.issuer_url}/{institution.path}/authorize**")
    request = parse_qs(urlsplit(phone.url).query)
    phone.fill("#tx_code", "999999" if offer["tx_code"] != "999999" else "111111")
    phone.click("#authorise")
    phone.wait_for_selector("#error")
    phone.fill("#tx_code", offer["tx_code"])
    _switch(phone, "de")
    kept = parse_qs(urlsplit(phone.url).query)
    assert kept["client_id"] == request["client_id"] and kept["request_uri"] == request["request_uri"]
    assert phone.input_value("#tx_code") == offer["tx_code"] and phone.evaluate(SAVED) is None
    phone.click("#authorise")
    phone.wait_for_url(site.wallet_page.url + "/receive/callback**")
    phone.click("#finish")
    phone.wait_for_selector("#received")
    assert refused == []
    phone.goto(site.wallet_page.url + "/")
    _switch(phone, "en")


def test_an_untouched_form_is_not_saved(site: Site, browser: Any) -> None:
    """The check form as the page gave it (no other check chosen, no date): nothing is kept."""
    tab = browser.new_context().new_page()
    try:
        _sign_in(site, tab)
        tab.goto(site.stack.verifier_url + "/?lang=en")
        assert _held_back(tab, "pl") is None
    finally:
        tab.context.close()


def test_a_copy_older_than_a_few_minutes_is_dropped_unread(site: Site, browser: Any) -> None:
    """A copy left by a switch whose page never came (the network failed): a later visit does not fill
    the form with it, and removes it."""
    tab = clerk_tab(browser, site.stack.issuer_url, "lv-vsaa", site.clerk.tokens["LV:VSAA"])
    try:
        tab.goto(f"{site.stack.issuer_url}/lv-vsaa/office/new/pda1?lang=en")
        form = {"/lv-vsaa/office/new/pda1#1": {"holder.family_name": ["Ozola"]}}
        leave = "([key, forms, age]) => sessionStorage.setItem(key, JSON.stringify({at: Date.now() - age, forms}))"
        tab.evaluate(leave, [KEY, form, 600_000])
        tab.reload()
        assert tab.input_value("#f-holder-family_name") == "" and tab.evaluate(SAVED) is None
        tab.evaluate(leave, [KEY, form, 1_000])  # the same copy, a second old: this form's, restored
        tab.reload()
        assert tab.input_value("#f-holder-family_name") == "Ozola" and tab.evaluate(SAVED) is None
    finally:
        tab.context.close()
