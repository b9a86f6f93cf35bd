"""Round 2 of the inspector's pages (review R7, a labour inspector on a building site, and the
pentest's offline date-of-care hole): what the verifier's pages tell the inspector when the worker
leaves the portrait or the places of work out, the PID has no number, the offline QR's photo is
unreadable, "More time" is pressed after the worker scanned; and a card issued after the day of care
checked through its offline QR code. Over real HTTP: registry, issuer, verifier, reference wallets
(esspass.stack.start_in_process); nothing of ours is mocked."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import pytest
from test_ehic_desk import Desk

from credentials import compact, i18n, pda1
from credentials.demo_persons import DEMO_PERSONS, portrait
from esspass.stack import Clerk, InspectorAuth, Stack, open_wallet, start_in_process, unnumbered

ANNA = DEMO_PERSONS[0]  # LV PID with her personal code; A1 of LV:VSAA naming Musterstraße 12, Berlin
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}


def _text(page: str) -> str:
    """A page's words as read: tags out, entities decoded, white space runs as one."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


@dataclass
class Site:
    stack: Stack
    http: httpx.Client
    wallets: dict[str, Any] = field(default_factory=dict)

    def wallet(self, name: str, *, picture: bool = True, pid_number: bool = True, pid_of: Any = ANNA) -> Any:
        """Anna's phone: her PID (with or without portrait / personal number; ``pid_of``: another demo person's
        PID, of their state) and her A1, made once."""
        if name not in self.wallets:
            data = self.stack.data_dir
            wallet = open_wallet(data / f"phone-{name}", self.stack.registry_url, "pw", fast_kdf=True,
                                 pki_dir=data / "pki")
            clerk = Clerk(self.stack.issuer_url, data, self.http)
            pid = dict(pid_of.pid)
            if picture:
                pid["picture"] = portrait(pid_of)
            if not pid_number:
                pid.pop("personal_administrative_number")
            clerk.hand_over(wallet, pid_of.pid_provider, "pid", pid)
            made = self.http.post(f"{self.stack.issuer_url}/lv-vsaa/api/cases",
                                  headers={"Authorization": f"Bearer {clerk.tokens[ANNA.pda1_issuer]}"},
                                  json={"configuration_id": "pda1", "claims": unnumbered(ANNA.pda1),
                                        "holder": HOLDER, "confirm_overlap": True})
            assert made.status_code == 201, made.text
            offer = clerk.offer(ANNA.pda1_issuer, made.json()["id"])
            wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])
            self.wallets[name] = wallet
        return self.wallets[name]

    def default_check(self, wallet: Any, lang: str = "en") -> tuple[dict[str, Any], str, str]:
        """An A1 inspection answered as the wallet page answers by default: the optional items (the
        portrait, the places of work) left unticked. The verdict, and the verdict page (HTML, text)."""
        request = self.http.post(f"{self.stack.verifier_url}/api/requests", json={"profile": "pda1"}).json()
        consent = wallet.open_request(request["link"], lang)
        wallet.share(consent.id, consent.optional_claims)
        page = self.http.get(f"{self.stack.verifier_url}/inspect/{request['transaction_id']}/verdict",
                             params={"lang": lang})
        assert page.status_code == 200, page.status_code
        verdict = self.http.get(f"{self.stack.verifier_url}{request['result_url']}").json()
        return verdict, page.text, _text(page.text)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("site")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        s = Site(stack, http)
        yield s
        for wallet in s.wallets.values():
            wallet.http.close()


def test_a_worker_not_sharing_the_portrait_has_the_inspector_told_to_check_an_identity_document(site: Site) -> None:
    """Domain "Inspection": the portrait lets the inspector see that the phone's owner is the worker.
    The wallet now leaves it unticked (its consent says: "without it, the inspector asks for another
    identity document"), yet the verdict page says VALID with a name and no photo, and never tells the
    inspector to check an identity document (the offline QR's verdict does: "Offline QR code without
    a photo: check an identity document")."""
    _verdict, page, text = site.default_check(site.wallet("anna"))
    assert 'class="portrait"' in page or "identity document" in text, text


def test_a_pid_without_a_portrait_has_the_inspector_told_to_check_an_identity_document(site: Site) -> None:
    """The same for a PID that has no portrait at all (optional in a PID): VALID, no photo, no word."""
    wallet = site.wallet("no-picture", picture=False)
    request = site.http.post(f"{site.stack.verifier_url}/api/requests", json={"profile": "pda1"}).json()
    consent = wallet.open_request(request["link"], "en")
    wallet.share(consent.id)  # everything it can: there is no portrait to share
    page = site.http.get(f"{site.stack.verifier_url}/inspect/{request['transaction_id']}/verdict?lang=en").text
    assert 'data-verdict="valid"' in page
    assert "identity document" in _text(page), _text(page)


def test_an_a1_whose_places_of_work_were_not_shared_tells_the_inspector_what_to_do(site: Site) -> None:
    """Directive 2014/67/EU Art. 9: the inspector's question is whether the A1 covers the work here.
    With the places of work unticked by default, the verdict says only "Places of work: not shown",
    the same words as for an A1 naming none, and no next step (ask the worker to show section 5 in
    the wallet, or the paper A1). Either the places reach the inspector or the page says what to do."""
    _verdict, page, _words = site.default_check(site.wallet("anna"))
    places = re.search(r'<dd class="places-of-work">(.*?)</dd>', page, re.S)
    assert places is not None, "the A1's places of work row is missing"
    words = _text(places.group(1))
    assert "Berlin" in words or "ask" in words.lower(), words


def test_an_a1_tied_to_a_pid_without_its_number_gives_the_inspector_a_way_to_confirm_the_holder(
        site: Site) -> None:
    """A Latvian PID without the personal code (one issued before it carried it, another provider's)
    answers the unnumbered query: the verdict is "cannot be confirmed: the document cannot be tied to
    the person shown", with no next step, and the page does not show the A1's personal number, which
    the inspector could compare with the worker's identity card."""
    _verdict, page, text = site.default_check(site.wallet("no-number", pid_number=False))
    assert 'data-verdict="undetermined"' in page, text
    assert ANNA.pda1["personal_administrative_number"] in text or "identity document" in text, text


def test_the_a1_verdict_page_speaks_to_an_inspector_not_to_a_billing_desk(site: Site) -> None:
    """The shared pages were made neutral (\"ESSPASS check\", \"Staff sign-in\", \"Checked by\"), but an A1
    inspection's verdict still offers "Print for the billing file" (DE "Für die Abrechnungsakte
    drucken"): an inspector bills nothing; the words fit the EHIC desk only."""
    for lang, word in (("en", "billing"), ("de", "Abrechnung")):
        _verdict, _page, text = site.default_check(site.wallet("anna"), lang)
        assert word not in text, text


def test_an_unreadable_photo_keeps_the_offline_challenge_so_the_retry_is_not_refused(site: Site) -> None:
    """Offline QR in bad light with the stronger check: the inspector shows a code, the worker's wallet
    signs over it, the photo is too dark to read. The error page drops the code (``challenge=None``
    in verifier/app.py offline_scan), so a second, good photo of the same QR is checked without it and
    the genuine worker gets NOT VALID: "The document was not shown by the phone it was issued to, or
    not for this check." The code was never used (take_challenge runs only on a readable QR): the
    error page must keep it."""
    url = site.stack.verifier_url
    wallet = site.wallet("anna")
    group = next(c.group for c in wallet.cards("en") if c.vct == pda1.VCT)
    first = site.http.get(f"{url}/offline", params={"with_challenge": "1", "lang": "en"}).text
    code = re.search(r'id="challenge-code">([^<]+)<', first)
    assert code is not None
    qr = wallet.offline_qr(group, code.group(1).strip().upper().encode())
    from PIL import Image  # a photo taken in the dark: nothing readable

    dark = io.BytesIO()
    Image.new("RGB", (400, 400), (8, 8, 8)).save(dark, "JPEG")
    failed = site.http.post(f"{url}/offline?lang=en", data={"challenge": code.group(1), "qr": ""},
                            files={"photo": ("dark.jpg", dark.getvalue(), "image/jpeg")})
    assert failed.status_code == 400
    kept = re.search(r'name="challenge" value="([^"]*)"', failed.text)
    assert kept is not None and kept.group(1) == code.group(1), "the error page lost the inspector's code"
    retry = site.http.post(f"{url}/offline?lang=en", data={"challenge": kept.group(1), "qr": ""},
                           files={"photo": ("qr.png", compact.qr_png(qr), "image/png")}, follow_redirects=True)
    assert 'data-verdict="valid"' in retry.text, _text(retry.text)[:400]


def test_more_time_after_the_worker_scanned_does_not_void_the_answer(site: Site) -> None:
    """WCAG 2.2.1 "More time" on the waiting page: pressed while the worker already reads the consent
    screen (the page still says "Waiting for the answer…", and at under a minute asks to press it), it
    closes the scanned request: the worker's Share then fails with "this request has expired" and the
    worker has to scan again. More time should extend the time, not void an answer on its way."""
    url = site.stack.verifier_url
    wallet = site.wallet("anna")
    request = site.http.post(f"{url}/api/requests", json={"profile": "pda1"}).json()
    consent = wallet.open_request(request["link"], "en")
    renewed = site.http.post(f"{url}/inspect/{request['transaction_id']}/renew?lang=en")
    assert renewed.status_code in (200, 303)
    wallet.share(consent.id, consent.optional_claims)  # raises ProtocolError "this request has expired"


def test_attack_a_card_issued_today_is_valid_offline_for_care_a_year_before_it_existed(
        site: Site, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Pentest P3. Online, a card issued after the day of care fails (``document_validity.issued_after_care``:
    for an earlier day the institution issues a PRC). The offline QR code of the same card carried no
    date of issue (credentials/compact.py FIELDS), so the check was skipped and the desk's offline
    verdict was "valid" for care given a year before the card was issued."""
    from datetime import date, timedelta

    hospital = Desk(site.stack, site.http, Clerk(site.stack.issuer_url, site.stack.data_dir, site.http),
                    tmp_path_factory.mktemp("desk"))
    today = date.today()
    care = (today - timedelta(days=365)).isoformat()
    w = hospital.wallet(person=ANNA)
    hospital.card(w, {**unnumbered(ANNA.ehic), "date_of_issuance": today.isoformat()})
    online = hospital.api_check(w, care_date=care)
    assert online["verdict"] != "valid", online  # the online rule holds
    r = hospital.http.post(f"{hospital.stack.verifier_url}/api/offline/verify",
                           json={"qr": hospital.qr(w), "care_date": care})
    assert r.status_code == 200, r.text
    offline = r.json()
    assert offline["verdict"] != "valid", (offline["verdict"], offline.get("reason_key"), offline.get("reason"))


def test_the_offline_verdict_of_an_a1_shows_the_places_of_work_its_code_carries(site: Site) -> None:
    """The offline code carries section 5's states and localities (credentials/compact.py field 20); one
    made before it says where to look instead (tests/test_offline_qr_places.py)."""
    wallet = site.wallet("anna")
    group = next(c.group for c in wallet.cards("en") if c.vct == pda1.VCT)
    r = site.http.post(f"{site.stack.verifier_url}/offline?lang=en", data={"qr": wallet.offline_qr(group)})
    assert r.status_code == 303, r.text[:300]
    page = site.http.get(f"{site.stack.verifier_url}{r.headers['location']}").text
    places = re.search(r'<dd class="places-of-work">(.*?)</dd>', page, re.S)
    assert places is not None
    assert _text(places.group(1)) == "Berlin, Germany", _text(places.group(1))


def test_an_a1_whose_places_were_left_out_says_the_worker_left_them_out(site: Site) -> None:
    """A posting's A1 (status 01) always names where the work is (credentials/pda1.py
    _check_situation): not shown, the worker left them out, and the page says so and what to ask."""
    _verdict, page, _words = site.default_check(site.wallet("anna"), "de")
    places = re.search(r'<dd class="places-of-work">(.*?)</dd>', page, re.S)
    assert places is not None
    words = _text(places.group(1))
    assert "weggelassen" in words and "Abschnitt 5" in words, words


def test_the_a1_verdict_shows_the_a1s_personal_number_and_a_next_step_when_the_pid_has_none(site: Site) -> None:
    """A PID without its number leaves the A1 untied: the page shows the A1's personal number (to
    compare with an identity document) and says so, a next step rather than a dead end."""
    _verdict, page, text = site.default_check(site.wallet("no-number", pid_number=False))
    number = re.search(r'<dd class="personal-number">([^<]*)</dd>', page)
    assert number is not None and number.group(1) == ANNA.pda1["personal_administrative_number"], text
    assert 'id="next-step"' in page and "identity document" in text


def test_the_print_button_names_the_billing_file_for_the_ehic_check_only(site: Site) -> None:
    """The EHIC desk prints for its billing file; an A1 inspection's button is just "Print"."""
    from verifier.messages import _T

    assert _T["print"][2] == "Drucken" and "Abrechnungsakte" in _T["print.ehic"][2]
    _verdict, page, _words = site.default_check(site.wallet("anna"), "de")
    assert re.search(r'id="print"[^>]*>Drucken<', page), page


def test_the_offline_page_offers_the_date_of_care_to_the_ehic_check_only(site: Site) -> None:
    """An inspector (another check last started) sees no date-of-care field, only a link to it; the
    EHIC desk's page (profile=ehic, or its last check) has it."""
    url = site.stack.verifier_url
    inspector = site.http.get(f"{url}/offline?lang=de").text
    assert 'id="care_date"' not in inspector and 'id="care-date-offer"' in inspector
    desk = site.http.get(f"{url}/offline", params={"lang": "de", "profile": "ehic"}).text
    assert 'id="care_date"' in desk and 'id="care-date-offer"' not in desk


def test_a_date_of_care_with_anything_after_it_is_refused_not_cut_short(site: Site) -> None:
    """Pentest note: the offline form took ``care_date[:10]``, so "2024-01-01garbage" was read as a
    date. The whole field is the date or it is refused, in words, never a 500."""
    wallet = site.wallet("anna")
    group = next(c.group for c in wallet.cards("en") if c.vct == pda1.VCT)
    r = site.http.post(f"{site.stack.verifier_url}/offline?lang=en",
                       data={"qr": wallet.offline_qr(group), "care_date": "2024-01-01garbage"})
    assert r.status_code == 400 and 'aria-invalid="true"' in r.text, r.text[:300]


def test_the_replaced_reason_is_worded_for_the_document_checked() -> None:
    """A replaced A1 is asked of the worker as "the current A1" (and may have ended early), a card as
    "the current card"; never "the current one (the current A1 or card)"."""
    from credentials import ehic
    from verifier.messages import reason_text

    def replaced(vct: str) -> dict[str, Any]:
        return {"reason_key": "status.replaced", "reason": "replaced",
                "credentials": [{"vct": vct, "steps": [{"code": "status", "key": "status.replaced"}]}]}

    a1, card = reason_text(replaced(pda1.VCT), "de"), reason_text(replaced(ehic.VCT), "de")
    assert "die aktuelle A1" in a1 and "Karte" not in a1, a1
    assert "die aktuelle Karte" in card and "A1" not in card, card
    assert "A1 oder Karte" not in reason_text({"reason_key": "status.replaced"}, "de")


def test_the_waiting_page_states_the_time_limit_with_its_time_zone(site: Site) -> None:
    """The code's time limit is the verifier's clock: an inspectorate in another zone reads it with
    the offset it is in ("until 11:04 (UTC+2; 5 minutes)")."""
    r = site.http.post(f"{site.stack.verifier_url}/inspect?lang=en", data={"profile": "pda1"})
    assert r.status_code == 303
    page = site.http.get(f"{site.stack.verifier_url}{r.headers['location']}").text
    limit = re.search(r'id="time-limit">([^<]*)<', page)
    assert limit is not None and re.search(r"until \d{2}:\d{2} \(UTC([+-]\d{1,2}(:\d{2})?)?;", limit.group(1)), page


def test_an_offline_code_without_the_date_of_issue_is_not_confirmed_for_a_past_day_of_care() -> None:
    """A QR code made before the compact form carried field 15 (date_of_issuance) stays readable,
    and the card in it is neither valid nor invalid for an earlier day of care: not confirmed."""
    from datetime import date, timedelta

    from credentials import ehic, verification

    today = date.today()
    old_form = {"issuing_country": "LV", "document_number": "X",
                "date_of_expiry": (today + timedelta(days=400)).isoformat()}
    assert compact._named({1: "LV", 99: "a later field"}, ehic.VCT) == {"issuing_country": "LV"}
    steps = verification._validity_steps(ehic, old_form, today, care_date=today - timedelta(days=30))
    assert [(s.result, s.reason_key) for s in steps] == [
        (verification.NOT_RUN, "document_validity.issue_date_not_shown")], steps
    # For today, nothing is missing: the card is judged as it always was.
    assert [s.result for s in verification._validity_steps(ehic, old_form, today)] == [verification.PASSED]


def test_fetching_the_lists_keeps_the_code_shown_to_the_worker(site: Site) -> None:
    """"Prepare for no network" on the offline page does not use the code the worker's wallet may
    already be signing over: the page that answers keeps it."""
    url = site.stack.verifier_url
    first = site.http.get(f"{url}/offline", params={"with_challenge": "1", "lang": "en"}).text
    code = re.search(r'id="challenge-code">([^<]+)<', first)
    assert code is not None
    prepared = site.http.post(f"{url}/offline/prepare?lang=en", data={"challenge": code.group(1)})
    assert f'id="challenge-code">{code.group(1)}<' in prepared.text, _text(prepared.text)[:400]


def test_an_a1_beside_a_pid_of_another_state_is_tied_by_its_holders_names_not_by_the_wallet_alone(
        site: Site) -> None:
    """A Latvian A1 beside a Polish PID (a Polish national insured in Latvia, or someone else's A1 taken into
    this wallet): the numbers of two states are never compared, so "VALID" rested on the wallet alone
    (holder_link.same_wallet), the A1 naming no one, and the page gave the A1's personal code to compare
    with an identity document. Now the A1 names its holder (section 1, QA finding F1): beside a PID naming
    her, it is tied by her names and birth date (holder_link.a1_same_name), nothing left to compare; beside
    another person's PID, the A1 is not that person's (holder_link.a1_name_mismatch). The number to compare
    is given for a document tied by the wallet alone (one signed before its type's cutover, without names:
    test_the_number_to_compare_is_given_only_for_a_state_whose_identity_documents_carry_it)."""
    jan = DEMO_PERSONS[1]  # a Polish PID: PESEL, of the Polish provider
    hers = site.wallet("anna-polish-pid", pid_of=replace(jan, pid={**jan.pid, **HOLDER}))
    for lang in ("en", "pl"):
        result, page, text = site.default_check(hers, lang)
        verdict = result["verdict"]
        linked = [(st["result"], st["key"]) for st in verdict["steps"] if st["code"] == "holder_link"]
        assert verdict["verdict"] == "valid" and linked == [("passed", "holder_link.a1_same_name")], verdict
        assert 'id="next-step-number"' not in page
        assert i18n.t("verifier.next.holder_link.same_wallet", lang) not in text, (lang, text)
    # Jan's PID beside Anna's A1: her A1 in his wallet, "valid" under his name and face before.
    verdict = site.default_check(site.wallet("jan-pid", pid_of=jan))[0]["verdict"]
    assert verdict["verdict"] == "invalid" and verdict["reason_key"] == "holder_link.a1_name_mismatch", verdict
    # Anna's own PID ties her A1 by its number: nothing to compare.
    page = site.default_check(site.wallet("anna"))[1]
    assert 'id="next-step-number"' not in page


def test_the_number_to_compare_is_given_only_for_a_state_whose_identity_documents_carry_it() -> None:
    from verifier.app import compare_number

    def verdict(country: str, key: str = "holder_link.same_wallet") -> dict[str, Any]:
        return {"steps": [{"code": "holder_link", "result": "passed", "key": key}],
                "person": {"documents": [{"vct": pda1.VCT, "issuing_country": country,
                                          "personal_administrative_number": "DEMO-1"}]}}

    assert compare_number(verdict("LV"), ("LV", "PL")) and compare_number(verdict("pl"), ("LV", "PL"))
    assert not compare_number(verdict("DE"), ("LV", "PL"))  # a German insurance number: on no identity document
    assert not compare_number(verdict("LV", "holder_link.passed"), ("LV", "PL"))  # tied by the number already
    assert not compare_number({**verdict("LV"), "person": {}}, ("LV", "PL"))  # the person erased: no number shown
    assert all(i18n.t("verifier.next.holder_link.same_wallet", lang) for lang in i18n.LANGUAGES)
