"""A parent's wallet holding her own EHIC and her child's, and the record of a check for a date of care
(review R4, findings 1 and 2).

Decision S1: every insured person and every family member has a card of their own; the pilot issues a
child's card to the parent's wallet (a represented person, ``subject``). At the hospital desk the parent
shows whichever card is for the patient. OpenID4VP 1.0 leaves the choice among the credentials that match
a query to the wallet (§6.4: any credential satisfying the query may be presented): the consent screen
(and ``esspass wallet present``) lets the worker choose, the wallet pre-selecting her own card, never a
past document. A check made for a date of care names that date in its signed proof and its record.

The services run for real on loopback (esspass.stack.start_in_process); the pilot's verifier (LV:VDI)
stands for a Latvian hospital, as in tests/test_ehic_desk.py, whose Desk helper is used. The page tests
drive the wallet's pages in Debian's headless Chromium (tests/test_pages_browser.py).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_ehic_desk import ANNA, CHILD, HOLDER, Desk
from test_pages_browser import PASSPHRASE, _paste_offer, wallet_site

from credentials import ehic
from esspass.stack import Clerk, InspectorAuth, start_in_process, unnumbered
from wallet.errors import NotFoundError

#: The child's card: her own personal number, and the child as the insured person (fields 3-5).
CHILDS = {**unnumbered(ANNA.ehic), "personal_administrative_number": "DEMO-010219-20002", "subject": CHILD}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("family-desk")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        yield Desk(stack, http, Clerk(stack.issuer_url, data_dir, http), data_dir)


def _number(w: Any, group: str) -> str:
    return str(next(c.claims["document_number"] for c in w.credentials() if c.group == group))


def _card(desk: Desk, w: Any, claims: dict[str, Any]) -> str:
    """A card of the parent's case handed over to ``w``: its group (the id ``list`` shows)."""
    before = {c.group for c in w.credentials()}
    desk.card(w, claims)
    return str(next(c.group for c in w.credentials() if c.group not in before))


def _family(desk: Desk, *, with_pid: bool = True) -> tuple[Any, str, str]:
    """A parent's wallet (with her PID, or not), her own card handed over first, her child's second."""
    w = desk.wallet(with_pid=with_pid)
    own = _card(desk, w, unnumbered(ANNA.ehic))
    childs = _card(desk, w, dict(CHILDS))
    return w, own, childs


def _choices(consent: Any) -> tuple[str, ...]:
    return tuple(c.group for c in consent.choices["ehic"])


# --- finding 1: the parent picks the card of the person treated ----------------------------------------------


def _two_cards(site: Any, phone: Any) -> tuple[str, str]:
    """The parent's wallet set up, her own card handed over first, her child's second: their numbers."""
    phone.goto(site.wallet_page.url + "/")
    phone.fill("#passphrase", PASSPHRASE)
    phone.fill("#passphrase2", PASSPHRASE)
    phone.click("#create")
    numbers = []
    for claims in (unnumbered(ANNA.ehic), CHILDS):
        case_id = site.clerk.create_case(ANNA.ehic_issuer, "ehic", claims, HOLDER)
        numbers.append(site.clerk.case(ANNA.ehic_issuer, case_id)["claims"]["document_number"])
        _paste_offer(site, phone, site.clerk.offer(ANNA.ehic_issuer, case_id))
    return numbers[0], numbers[1]


@pytest.mark.browser
def test_a_parent_can_show_the_desk_her_own_card_or_her_childs(browser: Any, tmp_path: Path) -> None:
    """The desk's EHIC check asks for "an EHIC"; both cards answer it. The consent screen offers both, each
    named by whose card it is and its number, her own pre-selected; choosing her child's lists what that
    card sends, and sharing sends it: the desk's verdict is on the child's card."""
    with wallet_site(tmp_path / "site") as site:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        phone = context.new_page()
        try:
            own, childs = _two_cards(site, phone)
            request = site.inspector.request("ehic")
            phone.goto(site.wallet_page.url + "/present")
            phone.fill("#link", request["link"])
            phone.click("#continue")
            phone.wait_for_selector("#consent")
            consent = phone.inner_text("#consent")
            assert childs in consent and own in consent, consent
            chosen = phone.inner_text("#choices-ehic .choice.chosen")
            assert own in chosen and "Līga" not in chosen, chosen
            other = phone.locator("#choices-ehic .choice:not(.chosen)")
            assert "Card of Līga Bērziņa" in other.inner_text() and childs in other.inner_text()
            here = site.wallet_page.url + str(phone.get_attribute("#share-form", "action")).rsplit("/", 1)[0]
            # A form sent with a document no query takes: said in words, nothing sent, the request still open.
            other.locator("input[name=doc]").evaluate("e => e.value = 'ehic:no-such-card'")
            other.locator("button").click()
            phone.wait_for_selector("#error")
            assert "does not answer this request" in phone.inner_text("#error")
            phone.goto(here)
            phone.wait_for_selector("#consent")
            phone.locator("#choices-ehic .choice:not(.chosen) button").click()
            phone.wait_for_selector("#consent")
            leaves = phone.inner_text(".leaving[data-query='ehic']")
            assert childs in leaves and "Līga" in leaves, leaves
            phone.click("#share")
            phone.wait_for_selector("#shared")
            received = json.dumps(site.inspector.result(request)["verdict"], ensure_ascii=False)
            assert childs in received and own not in received and "Līga" in received, received
        finally:
            context.close()


@pytest.mark.browser
def test_the_wallet_list_says_whose_card_a_childs_card_is(browser: Any, tmp_path: Path) -> None:
    """On the list the child's card says whose card it is ("Card of Līga Bērziņa"), and its sentence does
    not say "you" of a card that insures the child; the parent's own card reads as before."""
    with wallet_site(tmp_path / "site") as site:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        phone = context.new_page()
        try:
            own, childs = _two_cards(site, phone)
            tiles = phone.locator(f"a.card.doc[data-vct='{ehic.VCT}']")
            assert tiles.count() == 2
            texts = [tiles.nth(n).inner_text() for n in range(2)]
            child_tile = next(t for t in texts if childs in t)
            own_tile = next(t for t in texts if own in t)
            assert CHILD["forenames"] in child_tile, texts
            assert "Card of Līga Bērziņa" in child_tile and "You are" not in child_tile, child_tile
            assert "You are covered" in own_tile and "Card of" not in own_tile, own_tile
        finally:
            context.close()


def test_the_childs_card_says_whose_it_is_in_every_language(desk: Desk) -> None:
    w, _, childs = _family(desk, with_pid=False)
    words = {"en": "Card of Līga Bērziņa", "lv": "Apdrošinātā persona: Līga Bērziņa", "de": "Karte von Līga Bērziņa",
             "fr": "Carte de Līga Bērziņa", "pl": "Karta osoby: Līga Bērziņa"}
    for lang, whose in words.items():
        card = w.card(childs, lang)
        assert card.person == whose, (lang, card.person)
        assert _number(w, childs) in card.description and not re.search(
            r"\b(You|Jums|Sie|Vous|Masz)\b", card.description), (lang, card.description)


def test_with_her_pid_asked_the_parents_own_card_is_preselected_though_her_childs_is_newer(desk: Desk) -> None:
    """The EHIC check asks for her PID too: the card whose fields 3-5 are the PID's person is hers."""
    w, own, childs = _family(desk)
    consent = w.open_request(desk.http.post(f"{desk.stack.verifier_url}/api/requests",
                                            json={"profile": "ehic"}).json()["link"], "en")
    assert consent.selection["ehic"][0].group == own
    assert _choices(consent) == (own, childs)
    assert [c.chosen for c in consent.choices["ehic"]] == [True, False]
    labels = [c.label for c in consent.choices["ehic"]]
    assert labels[0].startswith("Card of Anna Bērziņa") and _number(w, own) in labels[0], labels
    assert labels[1].startswith("Card of Līga Bērziņa") and _number(w, childs) in labels[1], labels
    assert "Valid until" in labels[1], labels
    w.decline(consent.id)


def test_without_a_pid_the_holders_own_card_is_preselected_before_a_represented_persons(desk: Desk) -> None:
    w, own, childs = _family(desk, with_pid=False)
    consent = w.open_request(desk.http.post(f"{desk.stack.verifier_url}/api/requests",
                                            json={"profile": "ehic"}).json()["link"], "en")
    assert consent.selection["ehic"][0].group == own and _choices(consent) == (own, childs)
    w.decline(consent.id)


def test_the_parent_sends_her_childs_card_when_she_chooses_it_and_nothing_of_her_own(desk: Desk) -> None:
    w, own, childs = _family(desk)
    req = desk.http.post(f"{desk.stack.verifier_url}/api/requests", json={"profile": "ehic"}).json()
    consent = w.open_request(req["link"], "en")
    chosen = w.choose(consent.id, "ehic", childs)
    item = next(i for i in chosen.items if i.query_id == "ehic")
    assert item.group == childs and _number(w, childs) in json.dumps([c.value for c in item.claims])
    assert [c.chosen for c in chosen.choices["ehic"]] == [False, True]
    assert w.pending_request(consent.id).selection["ehic"][0].group == childs  # what the page shows again
    w.share(consent.id)
    verdict = desk.http.get(f"{desk.stack.verifier_url}{req['result_url']}").json()["verdict"]
    assert "holder_link.represented" in json.dumps(verdict), verdict  # "a card of someone represented"
    assert w.log()[0].credentials[0] != own and childs in w.log()[0].credentials


def test_only_a_document_that_answers_the_query_can_be_chosen(desk: Desk) -> None:
    """Choosing is among the documents that answer the query (DCQL §6): the PID is not an EHIC."""
    w, own, _ = _family(desk)
    consent = w.open_request(desk.http.post(f"{desk.stack.verifier_url}/api/requests",
                                            json={"profile": "ehic"}).json()["link"], "en")
    pid_group = next(c.group for c in w.credentials() if c.vct != ehic.VCT)
    for query_id, group in (("ehic", pid_group), ("ehic", "no-such-card"), ("nothing", own)):
        with pytest.raises(NotFoundError, match="does not answer this request"):
            w.choose(consent.id, query_id, group)
    assert w.pending_request(consent.id).selection["ehic"][0].group == own
    w.decline(consent.id)


def test_a_past_document_is_never_preselected_but_can_be_chosen_for_a_date_of_care(desk: Desk) -> None:
    """A provisional replacement certificate whose period has ended (a past document), handed over after
    her current card: the card is pre-selected. For care given within the certificate's period the desk
    checks that date, and the worker chooses the certificate: valid on the date of care."""
    today = datetime.now(UTC).date()
    end = today - timedelta(days=20)
    start = end - timedelta(days=20)
    w = desk.wallet(with_pid=False)
    card = _card(desk, w, unnumbered(ANNA.ehic))
    prc = {k: v for k, v in unnumbered(ANNA.ehic).items() if k != "date_of_expiry"}
    certificate = _card(desk, w, {**prc, "starting_date": start.isoformat(), "ending_date": end.isoformat()})
    assert w.card(certificate, "en").past == "ended"
    req = desk.http.post(f"{desk.stack.verifier_url}/api/requests",
                         json={"profile": "ehic", "care_date": (start + timedelta(days=5)).isoformat()}).json()
    consent = w.open_request(req["link"], "en")
    assert consent.selection["ehic"][0].group == card and _choices(consent) == (card, certificate)
    past = consent.choices["ehic"][1]
    assert "(ended)" in past.label and past.past == "ended", past
    w.choose(consent.id, "ehic", certificate)
    w.share(consent.id)
    verdict = desk.http.get(f"{desk.stack.verifier_url}{req['result_url']}").json()["verdict"]
    assert verdict["verdict"] == "valid", verdict


def _in_process_cli(desk: Desk, w: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``esspass wallet ...`` in this process on ``w``'s file (its passphrase, the stack's registry)."""
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(w.settings.data_dir))
    monkeypatch.setenv("ESSPASS_WALLET_PKI_DIR", str(desk.stack.data_dir / "pki"))
    monkeypatch.setenv("ESSPASS_WALLET_REGISTRY_URL", desk.stack.registry_url)
    monkeypatch.setenv("ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP", "true")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "pw")


def test_the_terminal_lists_the_cards_that_answer_and_sends_the_one_chosen(
        desk: Desk, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``present`` names every document answering a query with its id, the one it sends marked;
    ``--choose ID`` sends another; an id that answers nothing is refused and nothing is sent."""
    from wallet.cli import main as wallet_main

    w, own, childs = _family(desk)
    _in_process_cli(desk, w, monkeypatch)
    req = desk.http.post(f"{desk.stack.verifier_url}/api/requests", json={"profile": "ehic"}).json()
    assert wallet_main(["present", req["link"], "--no"]) == 3
    listed = capsys.readouterr().out
    assert f"* [{own}] Card of Anna Bērziņa" in listed and f"  [{childs}] Card of Līga Bērziņa" in listed, listed
    assert "--choose" in listed
    req = desk.http.post(f"{desk.stack.verifier_url}/api/requests", json={"profile": "ehic"}).json()
    assert wallet_main(["present", req["link"], "--yes", "--choose", childs]) == 0
    out = capsys.readouterr().out
    assert f"* [{childs}] Card of Līga Bērziņa" in out, out
    assert childs in w.log()[0].credentials and own not in w.log()[0].credentials
    req = desk.http.post(f"{desk.stack.verifier_url}/api/requests", json={"profile": "ehic"}).json()
    assert wallet_main(["present", req["link"], "--yes", "--choose", "no-such-card"]) == 1
    said = capsys.readouterr()
    assert "does not answer this request" in said.err, said
    assert desk.http.get(f"{desk.stack.verifier_url}{req['result_url']}").json()["status"] == "pending"


# --- finding 2: the proof and the record of a check for a date of care name that date ---------------------


def test_the_verification_proof_and_record_of_a_check_for_a_date_of_care_name_that_date(desk: Desk) -> None:
    """A PRC whose period ended, checked on a later day for care given within it, is "valid on <date>,
    the date of care": the verdict holds for that day only (today it is "not valid: the period covered
    ended"). The signed verification proof (rulebook §4: what was checked, with which result) and the
    inspection record (API, CSV) -- what the hospital's billing file keeps by its proof id, and what an
    institution disputing the claim is shown -- name the day it was judged for."""
    today = datetime.now(UTC).date()
    end = today - timedelta(days=20)
    start = end - timedelta(days=20)
    care = start + timedelta(days=5)
    prc = {k: v for k, v in unnumbered(ANNA.ehic).items() if k != "date_of_expiry"}
    prc.update(starting_date=start.isoformat(), ending_date=end.isoformat())
    w = desk.wallet(with_pid=False)
    desk.card(w, prc, holder=HOLDER)
    base = desk.stack.verifier_url
    req = desk.http.post(f"{base}/api/requests", json={"profile": "ehic", "care_date": care.isoformat()}).json()
    consent = w.open_request(req["link"], "en")
    w.share(consent.id)
    verdict = desk.http.get(f"{base}{req['result_url']}").json()["verdict"]
    assert verdict["verdict"] == "valid" and verdict["care_date"] == care.isoformat()
    view = req["result_url"].split("/api/requests/")[1].split("/")[0]
    proof = desk.http.get(f"{base}/api/requests/{view}/proof").text
    payload = proof.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["care_date"] == care.isoformat(), claims
    records = desk.http.get(f"{base}/api/records").json()["records"]
    mine = next(r for r in records if r["id"] == claims["jti"])
    assert mine["care_date"] == care.isoformat(), mine
    csv = desk.http.get(f"{base}/api/records.csv").text
    row = next(line for line in csv.splitlines() if line.startswith(claims["jti"]))
    assert care.isoformat() in row.rsplit(",", 1)[0], csv.splitlines()[0]
    assert "care_date" in csv.splitlines()[0].split(",")


def test_a_check_for_today_names_no_date_of_care(desk: Desk) -> None:
    w = desk.wallet(with_pid=False)
    desk.card(w, unnumbered(ANNA.ehic))
    verdict = desk.api_check(w)
    assert "care_date" not in verdict
    records = desk.http.get(f"{desk.stack.verifier_url}/api/records").json()["records"]
    assert records[-1]["care_date"] is None and "care_date" not in json.dumps(
        json.loads(base64.urlsafe_b64decode(records[-1]["proof"].split(".")[1] + "==")))


def test_the_records_page_says_which_checks_were_for_a_date_of_care(desk: Desk) -> None:
    today = datetime.now(UTC).date()
    care = today - timedelta(days=3)
    w = desk.wallet(with_pid=False)
    desk.card(w, unnumbered(ANNA.ehic))
    desk.api_check(w, care_date=care.isoformat())
    for lang, words in (("en", "Checked for the date of care"), ("lv", "Pārbaudīts aprūpes datumam"),
                        ("de", "Geprüft für das Behandlungsdatum")):
        page = desk.http.get(f"{desk.stack.verifier_url}/records", params={"lang": lang}).text
        assert f"{words}: {care.isoformat()}" in page, page[-3000:]


def test_the_paper_copy_of_a_childs_card_says_no_you_as_the_wallet_does() -> None:
    """The paper copy prints the card's sentence (issuer.paper): of a represented person's card it is the
    sentence without "you" that the wallet shows, whose card it is being said by the holder lines after it."""
    from credentials import i18n
    from credentials.institutions import demo_entity
    from issuer.paper import paper_text
    from wallet import core

    card = {**ehic.validate({**CHILDS, "document_number": "LV-NVD-2026-00000001"})}
    holder = {"family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1988-04-12"}
    for lang in i18n.LANGUAGES:
        _title, lines = paper_text(ehic, card, holder, demo_entity("LV:NVD"), lang)
        assert lines[0] == core.describe(ehic.VCT, card, lang) == ehic.describe(card, lang), lines[0]
        own = ehic.describe({k: v for k, v in card.items() if k != "subject"}, lang)
        assert lines[0] != own and own.split()[0] not in lines[0].split()[:1], (lines[0], own)
