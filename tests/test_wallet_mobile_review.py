"""QA review of the reference wallet's pages at phone size, as a posted worker uses them.

A 390 x 844 tab in real headless Chromium on the wallet's pages; the registry, issuer and verifier run
for real on loopback ports (test_pages_browser.wallet_site). Each test is named after what the worker
must be able to rely on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_pages_browser import PERSON, Site, _inspector_page, _offer, _paste_offer, phone_tab, wallet_site

from esspass.stack import unnumbered
from wallet.service import link_kind

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with wallet_site(tmp_path_factory.mktemp("mobile")) as served:
        yield served


@pytest.fixture(scope="module")
def phone(site: Site, browser: Any) -> Iterator[Any]:
    with phone_tab(site, browser) as tab:
        yield tab


def _a1_offer(site: Site) -> dict[str, Any]:
    return _offer(site, PERSON.pda1_issuer, "pda1", unnumbered(PERSON.pda1))


def _inspector_link(site: Site) -> str:
    link: str = site.inspector.request("pda1")["link"]
    return link


def test_links_are_told_apart_by_their_scheme() -> None:
    assert link_kind("openid-credential-offer://?credential_offer_uri=x") == "offer"
    assert link_kind(" OPENID4VP://?request_uri=x ") == "request"
    assert link_kind("haip-vp://?request_uri=x") == "request"
    assert link_kind("https://example.org/offer") is None and link_kind("hello") is None


def test_an_inspectors_qr_scanned_under_add_opens_its_consent_page_and_shares_nothing_yet(
        site: Site, phone: Any) -> None:
    """The worker scans the inspector's code in the wrong tab: not "damaged data", but the consent page,
    where nothing leaves before Share (OpenID4VP §13.1 openid4vp://)."""
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", _inspector_link(site))
    phone.click("#continue")
    phone.wait_for_selector("#consent")
    assert "/present/" in phone.url and phone.locator("#error").count() == 0
    phone.click("#decline")
    phone.wait_for_selector("#declined")


def test_an_institutions_offer_scanned_under_show_opens_the_offer_page_asking_the_code(
        site: Site, phone: Any) -> None:
    offer = _a1_offer(site)
    phone.goto(site.wallet_page.url + "/present")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.wait_for_selector("#tx_code")
    assert "/receive/" in phone.url and phone.locator("#error").count() == 0
    phone.fill("#tx_code", offer["tx_code"])
    phone.click("#accept")
    phone.wait_for_selector("#received")


def test_a_one_time_code_typed_in_groups_is_taken_as_its_digits(site: Site, phone: Any) -> None:
    """A code read out or pasted as "647 781" or "647-781": the field lets the groups in (a reader's
    spaces and dashes, no digit code contains them) and the wallet sends the digits (TxCodeSpec.typed)."""
    from wallet.receive import TxCodeSpec

    assert TxCodeSpec(length=6).typed(" 647 781\u00a0") == TxCodeSpec(length=6).typed("647-781") == "647781"
    assert TxCodeSpec(input_mode="text").typed(" ab c-d ") == "ab c-d"  # a text code is the person's own
    offer = _a1_offer(site)
    code = offer["tx_code"]
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.wait_for_selector("#tx_code")
    phone.fill("#tx_code", f"{code[:3]} {code[3:]}")
    assert phone.eval_on_selector("#tx_code", "e => e.checkValidity()")
    phone.click("#accept")
    phone.wait_for_selector("#received")

def test_a_second_tap_on_accept_is_not_sent_while_the_first_is_answered(site: Site, phone: Any) -> None:
    """A slow site network and a second tap: the offer's one-time code would be spent twice (the first
    tap receives the document, the second would answer "already used"). The tapped button says the
    wallet is working, and the second sending is held back (static/busy.js)."""
    from wallet import messages

    offer = _a1_offer(site)
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.wait_for_selector("#tx_code")
    phone.fill("#tx_code", offer["tx_code"])
    label, held_back = phone.evaluate("""() => {
        const button = document.querySelector('#accept'), form = button.form;
        let held = 0;
        window.addEventListener('submit', e => { if (e.defaultPrevented) held++; });
        form.requestSubmit(button);
        const label = button.textContent;
        form.requestSubmit(button);
        return [label, held];
    }""")
    assert (label, held_back) == (messages.t("busy", "en"), 1)
    phone.wait_for_selector("#received")
    assert phone.locator("#error").count() == 0

def test_an_error_pages_button_says_where_it_goes(site: Site, phone: Any) -> None:
    """"Back to my documents" only when it goes to the documents: after a failed link on the Add page it
    goes back to that page, and says "Back", in each language."""
    from credentials.i18n import LANGUAGES
    from wallet import messages

    for lang in LANGUAGES:
        phone.goto(f"{site.wallet_page.url}/lang/{lang}?next=/receive")
        phone.fill("#link", "openid-credential-offer://?nothing=here")
        phone.click("#continue")
        phone.wait_for_selector("#error")
        back = phone.locator("#back")
        assert back.get_attribute("href") == "/receive"
        assert back.inner_text() == messages.t("button.back_page", lang) != messages.t("button.back", lang)
        phone.goto(f"{site.wallet_page.url}/cards/no-such-card")
        assert phone.locator("#back").get_attribute("href") == "/"
        assert phone.locator("#back").inner_text() == messages.t("button.back", lang)
    phone.goto(f"{site.wallet_page.url}/lang/en?next=/")


def test_a_request_the_wallet_cannot_answer_names_the_documents_it_does_not_hold(site: Site, phone: Any) -> None:
    """The worker holds the A1 but not the identity document (PID) the inspector's check also asks for:
    the consent page says which one is missing, not only that "the documents" are not held."""
    from credentials import pda1, pid
    from wallet import core

    phone.goto(site.wallet_page.url + "/")
    if phone.locator(f"a.card.doc[data-vct='{pda1.VCT}']").count() == 0:
        _paste_offer(site, phone, _a1_offer(site))
    phone.goto(site.wallet_page.url + "/present")
    phone.fill("#link", _inspector_link(site))
    phone.click("#continue")
    phone.wait_for_selector("#unmatched")
    missing = phone.inner_text("#missing")
    assert missing == f"Not in this wallet: {core.type_title(pid.VCT, 'en')}."
    assert core.type_title(pda1.VCT, "en") not in missing
    phone.click("#decline")


def test_the_last_try_of_the_one_time_code_is_said_in_the_singular() -> None:
    from wallet.messages import explain

    assert explain("invalid_grant", "wrong transaction code (1 attempts left)", "en") == \
        "The code is wrong: 1 attempt left."
    assert explain("invalid_grant", "wrong transaction code (2 attempts left)", "en") == \
        "The code is wrong: 2 attempts left."
    assert explain("invalid_grant", "wrong transaction code (1 attempts left)", "lv") == \
        "Kods ir nepareizs. Atlikušie mēģinājumi: 1."


def test_the_list_says_when_a_documents_valid_was_checked(site: Site, phone: Any) -> None:
    """The list shows the status list's word from the last check; the institution may have withdrawn the
    document since. "Valid" without a date reads as today's: the list says when it was checked."""
    from credentials.i18n import format_date
    from wallet import messages

    _paste_offer(site, phone, _a1_offer(site))
    newest = phone.locator("a.card.doc").first
    newest.click()
    phone.click("#check-status")
    phone.wait_for_selector("#checked-at")
    group = phone.url.rsplit("/", 1)[1]
    phone.goto(site.wallet_page.url + "/")
    badge = phone.locator(f"a.card.doc[href='/cards/{group}'] .badge")
    today = format_date(phone.evaluate("new Date().toISOString().slice(0, 10)"), "en")
    assert messages.t("status.valid", "en") in badge.inner_text()
    assert badge.locator(".checked-at").inner_text() == f"(checked {today})"


def test_a_document_removed_while_the_inspector_waits_is_refused_on_the_inspectors_page(
        site: Site, phone: Any, browser: Any) -> None:
    """The worker removes a document (in another tab) while its consent page is open: Share sends nothing
    and says what to do next, and the inspector's page, waiting, is told at once (OpenID4VP 1.0 §8.5
    access_denied: the wallet does not hold what was asked) instead of waiting for the request to expire."""
    from credentials.demo_persons import portrait
    from wallet.service import REMOVED_REQUEST

    for config, entity, claims in (("pid", PERSON.pid_provider, {**PERSON.pid, "picture": portrait(PERSON)}),
                                   ("pda1", PERSON.pda1_issuer, unnumbered(PERSON.pda1))):
        _paste_offer(site, phone, _offer(site, entity, config, claims))
    inspector = _inspector_page(site, browser)
    inspector.goto(site.stack.verifier_url + "/?lang=en")
    inspector.check("input[value=pda1]")
    inspector.click("#start")
    phone.goto(site.wallet_page.url + "/present")
    phone.fill("#link", inspector.input_value("#link"))
    phone.click("#continue")
    phone.wait_for_selector("#share")
    other = phone.context.new_page()
    try:
        other.goto(site.wallet_page.url + "/")
        other.locator("a.card.doc[data-vct='urn:eudi:pid:1']").first.click()
        other.click("#delete summary")
        other.click("#delete-confirm")
        other.wait_for_selector("#deleted")
    finally:
        other.close()
    inspector.wait_for_selector("#verdict", timeout=15000)
    assert inspector.get_attribute("#verdict", "data-verdict") == "refused"
    inspector.context.close()
    phone.click("#share")
    phone.wait_for_selector("#error")
    assert phone.inner_text("#error-text") == REMOVED_REQUEST and "new check" in REMOVED_REQUEST


def test_the_offline_qr_screen_says_which_of_several_a1s_it_shows(site: Site, phone: Any) -> None:
    """Two A1s of different postings: the QR screen names the one on it (its period, state and employer),
    not only "Portable Document A1"."""
    from credentials import pda1

    first = {**unnumbered(PERSON.pda1), "starting_date": "2026-01-05", "ending_date": "2026-03-27"}
    for claims in (first, unnumbered(PERSON.pda1)):
        _paste_offer(site, phone, _offer(site, PERSON.pda1_issuer, "pda1", claims))
    tiles = phone.locator(f"a.card.doc[data-vct='{pda1.VCT}']")
    described = {tiles.nth(n).get_attribute("href"): tiles.nth(n).locator(".describe").inner_text()
                 for n in range(tiles.count())}
    assert len(set(described.values())) >= 2
    for href, words in described.items():
        phone.goto(site.wallet_page.url + str(href))
        if phone.locator("#show-qr").count() == 0:
            continue
        phone.click("#show-qr")
        phone.wait_for_selector("#offline-qr")
        assert phone.inner_text("#offline-describe") == words


def test_the_history_names_an_a1s_status_confirmation_as_the_consent_screen_does() -> None:
    """The consent screen and the card say "Work situation" for an A1's status_confirmation; the history
    said "Status", the word the card uses for whether the issuer withdrew the document."""
    from credentials import pda1
    from credentials.i18n import LANGUAGES
    from wallet import messages
    from wallet.model import LogEntry
    from wallet.service import logged_claims

    for outcome, claims in (("shared", ["document_number", "status_confirmation"]),
                            ("shown", ["document_number", "status_confirmation", "employer_name"])):
        entry = LogEntry(time="2026-12-01T01:00:00+00:00", outcome=outcome, verifier_id="x", verifier_name="",
                         client_id="", purpose="", credentials=["g"], vcts=[pda1.VCT], claims=claims)
        for lang in LANGUAGES:
            words = logged_claims(entry, lang)
            assert messages.t("claim.status_confirmation", lang) in words, (lang, words)
            assert messages.t("card.status", lang) not in words, (lang, words)


def test_an_offer_locked_by_wrong_codes_does_not_ask_for_the_code_again_on_its_page(
        site: Site, phone: Any) -> None:
    """After the fifth wrong code the institution locks the offer. Back (or reloading) to the offer's page
    asked for the code again, and the right code then gave the offer page once more, with "the offer has
    expired, was already used, or the code is wrong": a loop. Now the page says the offer is no longer
    open, and the institution's later answer is said as a lock, not as a wrong code."""
    from wallet.messages import explain

    offer = _a1_offer(site)
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    page = phone.url
    wrong = "999999" if offer["tx_code"] != "999999" else "111111"
    for _ in range(5):
        phone.fill("#tx_code", wrong)
        phone.click("#accept")
    assert "locked" in phone.inner_text("#error-text")
    phone.goto(page)
    assert phone.locator("#tx_code").count() == 0
    assert "no longer open" in phone.inner_text("#error-text")
    said = explain("invalid_grant", "too many wrong transaction codes: ask for a new offer", "en")
    assert said == "After too many wrong codes this offer is locked. Ask the institution for a new offer."


def test_a_documents_disclosures_are_tall_enough_to_tap(site: Site, phone: Any) -> None:
    """ "All data in this document" and "Remove from this wallet" were 23 px tall, under WCAG 2.5.8's 24;
    now as tall as the other controls (44 px)."""
    phone.goto(site.wallet_page.url + "/")
    if phone.locator("a.card.doc").count() == 0:
        _paste_offer(site, phone, _a1_offer(site))
    phone.locator("a.card.doc").first.click()
    phone.wait_for_selector("#delete")
    heights = phone.evaluate("() => [...document.querySelectorAll('details.card > summary')]"
                             ".map(s => s.getBoundingClientRect().height)")
    assert len(heights) == 2 and min(heights) >= 44, heights
