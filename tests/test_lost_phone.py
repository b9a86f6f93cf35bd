"""A Latvian lorry driver whose phone (A1 from VSAA, EHIC from NVD, PID) is lost or stolen (review R2).

The reviewer's tests, over real HTTP on loopback (registry, issuer and verifier in-process; the reference
wallet as the worker's two phones; the back office and the inspector's pages in Debian's Chromium).

* Findings 1-2: the clerk stops the stolen phone's copies on the case page (IssuerService.stop_copies; a
  deliberate action, not a side effect of the new offer, which a worker also asks for to add a second
  phone), and the page's "Which action?" guide says so.
* Finding 6: a valid verdict with a portrait asks the inspector to compare it with the person.
* Finding 7: a stale offline QR code is "too old: ask for a fresh code", not another phone's copy.
* Finding 8: the old phone stops offering "Renew copies" once its access ended.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_issuer_office import _csrf as _office_csrf
from test_office_case_guidance import _office

from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.institutions import demo_entity
from esspass.stack import Clerk, Inspector, InspectorAuth, Stack, open_wallet, start_in_process, unnumbered
from esspass.testing import clerk_tab, free_port, serve

ANNA = DEMO_PERSONS[0]  # Latvian: LV:PID, VSAA's A1, NVD's EHIC
DOCUMENTS = (("pid", "LV:PID"), ("pda1", "LV:VSAA"), ("ehic", "LV:NVD"))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_in_process(tmp_path_factory.mktemp("lorry-driver")) as running:
        yield running


def _claims(kind: str) -> dict[str, Any]:
    if kind == "pid":
        return {**ANNA.pid, "picture": portrait(ANNA)}
    return unnumbered(ANNA.pda1 if kind == "pda1" else ANNA.ehic)


def _present(stack: Stack, http: httpx.Client, wallet: Any, profile: str) -> dict[str, Any]:
    inspector = Inspector(stack.verifier_url, http)
    request = inspector.request(profile)
    wallet.share(wallet.open_request(request["link"], "en").id)
    verdict: dict[str, Any] = inspector.result(request)["verdict"]
    return verdict


def stop_copies(stack: Stack, clerk: Clerk, entity_id: str, case_id: str, wallet: str,
                reason: str = "phone stolen") -> httpx.Response:
    """The clerk presses "Stop these copies" for ``wallet`` (a handle of the case's ``wallets``) on the
    case page, signed in to the back office with the institution's token."""
    with _office(stack.handles["issuer"], clerk.tokens[entity_id], demo_entity(entity_id).path) as office:
        page = office.get(f"/office/cases/{case_id}")
        assert page.status_code == 200, page.text[:300]
        return office.post(f"/office/cases/{case_id}/stop-copies",
                           data={"csrf": _office_csrf(page.text), "wallet": wallet, "reason": reason})


def test_the_clerks_lost_phone_action_stops_the_stolen_phones_copies_and_the_new_phone_stays_valid(
        stack: Stack, tmp_path: Path) -> None:
    """The reviewer's test encoded "the new offer stops the old phone's copies". The product's choice is a
    deliberate clerk action instead (the new offer is also how a worker adds a second phone, or asks
    again after a handover that seemed to fail, and must not break a phone that works): the worker
    reports the stolen phone, each institution's clerk stops the copies the stolen phone's wallet took
    (its one call, changed here) and makes the new offer. ARF Annex 2 Topic 38 (WURevocation_10, _18,
    _19) and Topic 7: a lost Wallet Unit's attestations are revoked, not left to expire. The stolen
    phone's copies then fail the status check, with their own reason (not "withdrawn"), while the new
    phone's are valid."""
    with httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        clerk = Clerk(stack.issuer_url, stack.data_dir, http)
        stolen = open_wallet(tmp_path / "old-phone", stack.registry_url, "kravas-auto-1", fast_kdf=True,
                             pki_dir=stack.data_dir / "pki")
        cases = {}
        for kind, entity in DOCUMENTS:
            cases[kind] = clerk.hand_over(stolen, entity, kind, _claims(kind),
                                          None if kind == "pid" else ANNA.holder)
        assert _present(stack, http, stolen, "pda1")["verdict"] == "valid"

        # The phone is stolen. The worker tells VSAA, NVD and the PID provider, whose clerks each stop the
        # stolen phone's copies and make a new offer, which the worker takes on a new phone.
        new = open_wallet(tmp_path / "new-phone", stack.registry_url, "jauns-telefons-2", fast_kdf=True,
                          pki_dir=stack.data_dir / "pki")
        for kind, entity in DOCUMENTS:
            offer = clerk.offer(entity, cases[kind])
            new.accept_offer(new.open_offer(offer["link"])[0], offer["tx_code"])
            wallets = clerk.case(entity, cases[kind])["wallets"]
            assert len(wallets) == 2 and wallets[0]["taken_at"] < wallets[1]["taken_at"]
            assert stop_copies(stack, clerk, entity, cases[kind], wallets[0]["wallet"]).status_code == 303
        assert _present(stack, http, new, "pda1")["verdict"] == "valid"
        assert _present(stack, http, new, "ehic")["verdict"] == "valid"

        # Whoever holds the stolen phone (the passphrase watched over the worker's shoulder, or the phone
        # taken unlocked) shows the worker's A1 and EHIC to an inspector.
        thief_a1 = _present(stack, http, stolen, "pda1")
        thief_card = _present(stack, http, stolen, "ehic")
    assert thief_a1["verdict"] != "valid", (
        "the stolen phone's A1 still passes as VALID after the worker's lost-phone procedure: "
        f"{thief_a1['verdict']} {thief_a1['reason']!r}")
    assert thief_card["verdict"] != "valid", (
        f"the stolen phone's EHIC still passes: {thief_card['verdict']} {thief_card['reason']!r}")
    assert thief_a1["reason_key"] == thief_card["reason_key"] == "status.stopped", thief_a1
    assert "withdrawn" not in thief_a1["reason"]


def test_the_back_office_tells_the_clerk_what_to_do_when_a_worker_reports_a_lost_phone(
        stack: Stack, browser: Any) -> None:
    """The worker is told to tell the institution. At VSAA's desk the clerk opens the case; its "Which
    action?" guide names a lost or stolen phone and what to do (EN and LV)."""
    with httpx.Client(timeout=60) as http:
        clerk = Clerk(stack.issuer_url, stack.data_dir, http)
        case_id = clerk.create_case("LV:VSAA", "pda1", _claims("pda1"), ANNA.holder)
        tab = clerk_tab(browser, stack.issuer_url, "lv-vsaa", clerk.tokens["LV:VSAA"])
        try:
            tab.goto(f"{stack.issuer_url}/lv-vsaa/office/cases/{case_id}?lang=en")
            text = tab.inner_text("main")
            lv = tab.goto(f"{stack.issuer_url}/lv-vsaa/office/cases/{case_id}?lang=lv")
            assert lv is not None
            text_lv = tab.inner_text("main")
        finally:
            tab.context.close()
    assert "lost" in text.lower() or "stolen" in text.lower(), \
        f"the case page says nothing about a lost or stolen phone: {text[:1500]}"
    assert "pazaud" in text_lv.lower() or "nozag" in text_lv.lower(), text_lv[:1500]


# --- what the inspector is told, and the old phone (test_r2_inspector_and_old_phone) ------------------------


def _phone(stack: Stack, data_dir: Path, http: httpx.Client, *, a1_case: str | None = None) -> tuple[Any, str]:
    """A wallet holding Anna's PID (with portrait) and A1: the wallet and the A1's case id."""
    clerk = Clerk(stack.issuer_url, stack.data_dir, http)
    wallet = open_wallet(data_dir, stack.registry_url, "kravas-auto-1", fast_kdf=True, pki_dir=stack.data_dir / "pki")
    clerk.hand_over(wallet, "LV:PID", "pid", {**ANNA.pid, "picture": portrait(ANNA)})
    if a1_case is None:
        a1_case = clerk.hand_over(wallet, "LV:VSAA", "pda1", unnumbered(ANNA.pda1), ANNA.holder)
    else:
        offer = clerk.offer("LV:VSAA", a1_case)
        wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])
    return wallet, a1_case


def _csrf(page: str) -> str:
    return html.unescape(page.split('name="csrf" value="')[1].split('"')[0])


def _text(page: str) -> str:
    main = page.split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


@pytest.mark.parametrize(("lang", "compare"), [("en", "compare"), ("lv", "salīdzin")])
def test_a_valid_verdict_with_a_portrait_asks_the_inspector_to_compare_it_with_the_person(
        stack: Stack, browser: Any, tmp_path: Path, lang: str, compare: str) -> None:
    """Key binding proves only that *the phone* holds the key: a stolen or borrowed phone passes the same.
    domain.md ("the portrait lets the inspector see that the phone's owner is the worker") rests on the
    inspector looking at the photo: the page says to compare it with the person presenting."""
    with httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet, _case = _phone(stack, tmp_path / "phone", http)
        context = browser.new_context(locale="lv-LV" if lang == "lv" else "en-GB")
        try:
            tab = context.new_page()
            tab.goto(f"{stack.verifier_url}/login?lang={lang}")
            tab.fill("#token", stack.inspector_token)
            tab.click("#login")
            tab.goto(f"{stack.verifier_url}/?lang={lang}")
            tab.check("input[value=pda1]")
            tab.click("#start")
            tab.wait_for_selector("#qr svg")
            wallet.share(wallet.open_request(tab.input_value("#link"), "en").id)
            tab.wait_for_selector("#verdict", timeout=20000)
            assert tab.get_attribute("#verdict", "data-verdict") == "valid"
            assert tab.locator(".portrait").count() == 1
            text = tab.inner_text("main")
        finally:
            context.close()
    assert compare in text.lower(), f"the verdict does not ask to compare the photo with the person: {text!r}"


def test_the_old_phone_stops_offering_renew_copies_once_the_institution_ended_its_access(
        stack: Stack, tmp_path: Path) -> None:
    """The worker moved to a new phone (a new offer of the same case); the old phone's grant is ended.
    Pressing "Renew copies" there says the institution "no longer renews the copies ... in this wallet",
    and the wallet drops the grant: the card then no longer offers "Renew copies", whose help says it
    asks "with the access it gave this wallet"."""
    from wallet.app import create_app
    from wallet.settings import WalletSettings

    with httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        old, case_id = _phone(stack, tmp_path / "old-phone", http)
        group = next(c.group for c in old.cards("en") if c.vct == "urn:eudi:pda1:1")
        _phone(stack, tmp_path / "new-phone", http, a1_case=case_id)  # the new offer ends the old grant
    port = free_port()
    settings = WalletSettings(data_dir=tmp_path / "old-phone", pki_dir=stack.data_dir / "pki",
                              registry_url=stack.registry_url, allow_loopback_http=True, scrypt_n=2**10,
                              public_url=f"http://127.0.0.1:{port}")
    with serve(create_app(settings), port=port) as handle, \
            httpx.Client(base_url=handle.url, timeout=60, follow_redirects=True) as page:
        form = page.get("/unlock")
        page.post("/unlock", data={"passphrase": "kravas-auto-1", "csrf": _csrf(form.text), "next": "/"})
        card = page.get(f"/cards/{group}")
        assert 'id="renew"' in card.text  # the grant is still held: the wallet learns it ended on asking
        renewed = page.post(f"/cards/{group}/renew", data={"csrf": _csrf(card.text)})
        told = _text(renewed.text)
        assert "no longer renews" in told, told[:600]
        again = page.get(f"/cards/{group}")
    assert 'id="renew"' not in again.text, \
        f"the card still offers Renew copies 'with the access it gave this wallet': {_text(again.text)[:900]!r}"
    assert 'id="renew-none"' in again.text, _text(again.text)[:900]  # and whom to ask for new copies instead


def test_the_wallets_offline_qr_page_says_a_screenshot_of_the_code_stops_working_after_about_a_minute(
        stack: Stack, tmp_path: Path) -> None:
    """A driver keeps a screenshot as a paper-like backup, as of a boarding pass: the page showing the code
    says it renews itself and that a screenshot or photo of it stops working after about a minute (the
    holder proof's age, credentials/compact.py), so a stale code is no surprise at an inspection."""
    from wallet.app import create_app
    from wallet.settings import WalletSettings

    with httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet, _case = _phone(stack, tmp_path / "phone", http)
    group = next(c.group for c in wallet.cards("en") if c.vct == "urn:eudi:pda1:1")
    wallet.http.close()
    port = free_port()
    settings = WalletSettings(data_dir=tmp_path / "phone", pki_dir=stack.data_dir / "pki",
                              registry_url=stack.registry_url, allow_loopback_http=True, scrypt_n=2**10,
                              public_url=f"http://127.0.0.1:{port}")
    with serve(create_app(settings), port=port) as handle, \
            httpx.Client(base_url=handle.url, timeout=60, follow_redirects=True) as page:
        form = page.get("/unlock")
        page.post("/unlock", data={"passphrase": "kravas-auto-1", "csrf": _csrf(form.text), "next": "/"})
        card = page.get(f"/cards/{group}")
        showing = page.post(f"/cards/{group}/qr", data={"csrf": _csrf(card.text), "challenge": ""})
        lv = page.get(str(showing.url), headers={"Accept-Language": "lv"})
    assert 'id="offline-qr"' in showing.text
    assert "a screenshot or photo of it stops working after about a minute" in _text(showing.text)
    assert "ekrānuzņēmums vai foto pēc apmēram minūtes vairs nederēs" in _text(lv.text)


def test_a_stale_offline_qr_tells_the_inspector_to_ask_for_a_fresh_code_not_that_another_phone_showed_it(
        stack: Stack, browser: Any, tmp_path: Path) -> None:
    """Scenario (d): the worker's offline QR code, screenshotted, is shown again five minutes later. The
    verifier finds the holder proof too old, and the inspector's page says so with the next step (a
    fresh code), not "not shown by the phone it was issued to" (key_binding.failed), which reads as a
    forgery to a worker with a genuine A1."""
    from datetime import UTC, datetime, timedelta

    from credentials.compact import qr_png
    from wallet import core

    with httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet, _case = _phone(stack, tmp_path / "phone", http)
    a1 = next(c for c in wallet.credentials() if c.vct == "urn:eudi:pda1:1" and c.extra.get("compact"))
    screenshot = core.offline_qr(a1, now=datetime.now(UTC) - timedelta(minutes=5))
    picture = tmp_path / "screenshot.png"
    picture.write_bytes(qr_png(screenshot))
    context = browser.new_context(locale="en-GB")
    try:
        tab = context.new_page()
        tab.goto(f"{stack.verifier_url}/login?lang=en")
        tab.fill("#token", stack.inspector_token)
        tab.click("#login")
        tab.goto(f"{stack.verifier_url}/offline?lang=en")
        tab.set_input_files("#photo", str(picture))
        tab.click("#check")
        tab.wait_for_selector("#verdict", timeout=20000)
        text = tab.inner_text("main")
    finally:
        context.close()
    assert "fresh" in text.lower() or "too old" in text.lower(), \
        f"the page does not say the code is stale and a fresh one can be shown: {text!r}"
    assert "not shown by the phone it was issued to" not in text
