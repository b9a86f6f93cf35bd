"""A hospital admissions desk (and its claims clerk) checking a patient's European Health Insurance
Card with the verifier: what Decision S2 has the desk copy onto a claim is on the verdict, in the
desk's language, and can be printed for the billing file (review of the EHIC desk, findings 1-7).

The pilot's verifier (LV:VDI, Europe/Riga) stands for a Latvian hospital here. Each requirement has
one test named after it.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import ehic, i18n, mdoc
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.jose import decode_jws
from esspass.stack import Clerk, InspectorAuth, Stack, open_wallet, start_in_process, unnumbered, verifier_replica
from verifier import messages
from verifier.service import profile_query

ANNA, JAN = DEMO_PERSONS[0], DEMO_PERSONS[1]
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}
CHILD = {"forenames": "Līga", "familynames": "Bērziņa", "date_of_birth": "2019-02-01"}
KURZEME = {"id": "LV:NVD-KURZ", "name": "NVD Kurzemes nodala"}


class Desk:
    """The verifier used as an admissions desk uses it: its pages (a sign-in session of their own,
    through the inspector's Bearer token) and its API."""

    def __init__(self, stack: Stack, http: httpx.Client, clerk: Clerk, tmp: Path) -> None:
        self.stack, self.http, self.clerk, self.tmp = stack, http, clerk, tmp
        self.n = 0

    def wallet(self, *, person: Any = ANNA, pid_claims: dict[str, Any] | None = None, with_pid: bool = True) -> Any:
        self.n += 1
        w = open_wallet(self.tmp / f"phone{self.n}", self.stack.registry_url, "pw", fast_kdf=True,
                        pki_dir=self.stack.data_dir / "pki")
        if with_pid:
            claims = {**person.pid, "picture": portrait(person), **(pid_claims or {})}
            self.clerk.hand_over(w, person.pid_provider, "pid", claims)
        return w

    def card(self, w: Any, claims: dict[str, Any], entity: str = ANNA.ehic_issuer,
             holder: dict[str, Any] | None = None) -> str:
        return self.clerk.hand_over(w, entity, "ehic", claims, holder or HOLDER)

    def page_check(self, w: Any, lang: str = "en") -> tuple[Any, str]:
        """The desk's page: the EHIC check, the patient's wallet answers, the verdict page."""
        base = self.stack.verifier_url
        r = self.http.post(f"{base}/inspect?lang={lang}", data={"profile": "ehic"})
        assert r.status_code == 303, r.text[:300]
        view = r.headers["location"].split("/inspect/")[1].split("?")[0]
        waiting = self.http.get(f"{base}/inspect/{view}").text
        link = html.unescape(re.search(r'(openid4vp://[^"<\s]+)', waiting).group(1))  # type: ignore[union-attr]
        consent = w.open_request(link, "en")
        if consent.satisfiable:
            w.share(consent.id)
        else:
            w.decline_consent(consent)
        return consent, self.http.get(f"{base}/inspect/{view}/verdict?lang={lang}").text

    def api_check(self, w: Any, **request: Any) -> dict[str, Any]:
        req = self.http.post(f"{self.stack.verifier_url}/api/requests", json={"profile": "ehic", **request}).json()
        consent = w.open_request(req["link"], "en")
        assert consent.satisfiable, consent
        w.share(consent.id)
        verdict: dict[str, Any] = self.http.get(f"{self.stack.verifier_url}{req['result_url']}").json()["verdict"]
        return verdict

    def qr(self, w: Any) -> str:
        group = next(c.group for c in w.cards("en") if c.vct == ehic.VCT)
        text: str = w.offline_qr(group)
        return text

    def offline_page(self, w: Any, lang: str = "en") -> str:
        r = self.http.post(f"{self.stack.verifier_url}/offline?lang={lang}", data={"qr": self.qr(w)})
        assert r.status_code == 303, r.text[:300]
        return self.http.get(f"{self.stack.verifier_url}{r.headers['location']}").text

    def offline_api(self, w: Any) -> dict[str, Any]:
        r = self.http.post(f"{self.stack.verifier_url}/api/offline/verify", json={"qr": self.qr(w)})
        assert r.status_code == 200, r.text
        verdict: dict[str, Any] = r.json()
        return verdict


def visible(page: str) -> str:
    """The verdict's person block as the desk reads it (without the collapsed list of checks)."""
    body = page.split('<section class="person">', 1)[-1].split("<details>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("ehic-desk")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        yield Desk(stack, http, Clerk(stack.issuer_url, data_dir, http), data_dir)


# 1. Decision S2 field 6 ------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["online", "offline"])
def test_the_verdict_page_shows_the_personal_identification_number(desk: Desk, how: str) -> None:
    w = desk.wallet()
    desk.card(w, unnumbered(ANNA.ehic))
    page = desk.page_check(w, "lv")[1] if how == "online" else desk.offline_page(w, "lv")
    shown = visible(page)
    assert f"{ehic.label('personal_administrative_number', 'lv')} {ANNA.ehic['personal_administrative_number']}" \
        in shown, shown


def test_a_childs_card_shows_the_childs_personal_identification_number(desk: Desk) -> None:
    w = desk.wallet()
    desk.card(w, {**unnumbered(ANNA.ehic), "personal_administrative_number": "DEMO-010219-20002", "subject": CHILD})
    shown = visible(desk.page_check(w)[1])
    assert "Personal identification number DEMO-010219-20002" in shown, shown
    assert ANNA.ehic["personal_administrative_number"] not in shown


# 2. Decision S2 field 7: the competent institution ----------------------------------------------------

def test_the_verdict_page_names_the_competent_institution_by_id_and_name(desk: Desk) -> None:
    w = desk.wallet()
    desk.card(w, {**unnumbered(ANNA.ehic), "authentic_source": KURZEME})
    for shown in (visible(desk.page_check(w, "de")[1]), visible(desk.offline_page(w, "de"))):
        assert "Zuständiger Träger LV:NVD-KURZ, NVD Kurzemes nodala" in shown, shown
        assert "Ausgestellt von National Health Service" in shown  # the signer, as before


def test_the_verdict_json_keeps_the_competent_institution(desk: Desk) -> None:
    w = desk.wallet()
    desk.card(w, {**unnumbered(ANNA.ehic), "authentic_source": KURZEME})
    assert desk.api_check(w)["person"]["documents"][0]["authentic_source"] == KURZEME
    offline = desk.offline_api(w)["person"]["documents"][0]
    assert offline["authentic_source"] == KURZEME and "institution_id" not in offline


def test_the_ehic_mdoc_is_asked_for_its_competent_institution(desk: Desk) -> None:
    """An mdoc's elements may all be withheld: the EHIC's is asked for ``authentic_source`` in every
    option, as its SD-JWT VC always shows it; the A1's query does not ask for more than before."""
    ehic_mdoc = next(q for q in profile_query("ehic")["credentials"] if q["id"] == "ehic_mdoc")
    ids = {c["id"] for c in ehic_mdoc["claims"] if c["path"] == [mdoc.DOCTYPES["ehic"], "authentic_source"]}
    assert len(ids) == 1 and all(ids <= set(option) for option in ehic_mdoc["claim_sets"])
    pda1_mdoc = next(q for q in profile_query("pda1")["credentials"] if q["id"] == "pda1_mdoc")
    assert not [c for c in pda1_mdoc["claims"] if c["path"][1] == "authentic_source"]
    # A wallet answering with the EHIC as ISO mdoc: the verdict keeps the institution it showed.
    w = desk.wallet()
    desk.card(w, {**unnumbered(ANNA.ehic), "authentic_source": KURZEME})
    query = profile_query("ehic")
    query["credentials"] = [q for q in query["credentials"] if q["id"] in ("ehic_mdoc", "pid")]
    query["credential_sets"] = [{"options": [["ehic_mdoc"]]}, {"options": [["pid"]]}]
    verdict = desk.api_check(w, profile=None, dcql_query=query)
    doc = verdict["person"]["documents"][0]
    assert verdict["credentials"][0]["query_id"] == "ehic_mdoc" and doc["authentic_source"] == KURZEME, verdict


# 3. A card of the desk's own state --------------------------------------------------------------------

def test_a_card_of_the_desks_own_state_gets_a_notice_not_another_verdict(desk: Desk) -> None:
    w = desk.wallet()
    desk.card(w, unnumbered(ANNA.ehic))
    verdict = desk.api_check(w)
    assert verdict["verdict"] == "valid"  # genuine and valid: the checks decide, the notice only tells
    assert verdict["notices"] == [{"key": "ehic.competent_state", "message": verdict["notices"][0]["message"],
                                   "params": {"country": "LV"}}], verdict["notices"]
    assert verdict["reason_key"] == "ehic.competent_state" and "883/2004" in verdict["reason"]
    for lang, words in (("en", "Latvia, the state of this desk"), ("lv", "Latvija"), ("de", "Lettland"),
                        ("fr", "Lettonie"), ("pl", "Łotwa")):
        page = desk.offline_page(w, lang)
        notice = page.split('id="notice-ehic-competent_state"', 1)[1].split("</p>", 1)[0]
        assert words in html.unescape(notice) and "883/2004" in notice, (lang, notice)
        assert 'data-verdict="valid"' in page
    assert desk.offline_api(w)["notices"][0]["key"] == "ehic.competent_state"


def test_a_card_of_another_state_gets_no_such_notice(desk: Desk) -> None:
    w = desk.wallet(person=JAN)
    desk.card(w, unnumbered(JAN.ehic), entity=JAN.ehic_issuer,
              holder={k: JAN.pid[k] for k in ("family_name", "given_name", "birthdate")})
    verdict = desk.api_check(w)
    assert verdict["verdict"] == "valid" and verdict["notices"] == [], verdict


# 4. The Provisional Replacement Certificate ------------------------------------------------------------

def test_a_provisional_replacement_certificate_is_described_with_its_period(desk: Desk) -> None:
    start = datetime.now(UTC).date() + timedelta(days=15)
    end = start + timedelta(days=60)
    prc = {k: v for k, v in unnumbered(ANNA.ehic).items() if k != "date_of_expiry"}
    prc.update(starting_date=start.isoformat(), ending_date=end.isoformat())
    w = desk.wallet()
    desk.card(w, prc)
    shown = visible(desk.page_check(w)[1])
    assert (f"provisional replacement certificate, valid from {i18n.format_date(start, 'en')} to "
            f"{i18n.format_date(end, 'en')}") in shown, shown
    assert "card expiry date" not in shown
    doc = {"vct": ehic.VCT, "issuing_country": "LV", "starting_date": start.isoformat(),
           "ending_date": end.isoformat()}
    for lang in i18n.LANGUAGES:
        sentence = messages.describe_document(doc, lang)
        assert i18n.format_date(start, lang) in sentence and i18n.format_date(end, lang) in sentence, sentence
        assert ".." not in sentence
    card = messages.describe_document({"vct": ehic.VCT, "issuing_country": "LV", "date_of_expiry": "2029-11-01"},
                                      "lv")
    assert card.endswith("01.11.2029.") and ".." not in card  # a Latvian date brings its own full stop


# 5. The purpose the patient reads ------------------------------------------------------------------------

def test_the_ehic_purpose_is_neutral_in_every_language(desk: Desk) -> None:
    req = desk.http.post(f"{desk.stack.verifier_url}/api/requests", json={"profile": "ehic"}).json()
    payload = decode_jws(desk.http.get(req["request_uri"]).text).payload
    texts = [payload["purpose"], *(payload[f"purpose#{lang}"] for lang in i18n.LANGUAGES[1:])]
    for text in texts:
        assert not any(word in text for word in ("Labour", "Darba inspekcija", "Arbeitsinspektion",
                                                 "Inspection du travail", "Inspekcja pracy")), text
    assert texts[0] == ("Check of your European Health Insurance Card, for the cost of your care, and of your "
                        "identity.")
    assert "Krankenversicherungskarte" in texts[2] and "Ubezpieczenia Zdrowotnego" in texts[4]


def test_a_deployment_states_its_own_purpose_per_check(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from verifier.settings import VerifierSettings

    own = {"en": "Riga East Hospital: your EHIC, to bill your treatment", "lv": "Rīgas Austrumu slimnīca: jūsu EVAK"}
    with verifier_replica(desk.stack, purposes={"ehic": own, "pda1": "Site check"}) as (service, _url):
        ehic_request = decode_jws(service.create_request(profile="ehic").request_object).payload
        a1_request = decode_jws(service.create_request(profile="pda1").request_object).payload
    assert ehic_request["purpose"] == own["en"] and ehic_request["purpose#lv"] == own["lv"]
    assert not {"purpose#de", "purpose#fr", "purpose#pl"} & set(ehic_request)
    assert a1_request["purpose"] == "Site check" and not any(k.startswith("purpose#") for k in a1_request)
    monkeypatch.setenv("ESSPASS_VERIFIER_PURPOSES", json.dumps({"ehic": own}))
    assert VerifierSettings().purposes == {"ehic": own}


@pytest.mark.parametrize("value", ['{"ehic": ""}', '{"dentist": "x"}', '{"ehic": {"english": "x"}}', '["ehic"]',
                                   '{"ehic": "' + "x" * 301 + '"}', "not json"])
def test_a_bad_purposes_setting_is_one_line_naming_it_and_exit_2(tmp_path: Path, value: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_")}
    env.update(ESSPASS_DATA_DIR=str(tmp_path / "data"), ESSPASS_VERIFIER_PURPOSES=value)
    (tmp_path / "data").mkdir()
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "verifier", "serve", "--port", "1"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("esspass: ESSPASS_VERIFIER_PURPOSES "), lines
    assert list((tmp_path / "data").iterdir()) == []  # refused before anything was made


# 6. An EHIC without a PID ------------------------------------------------------------------------------

def test_a_patient_with_an_ehic_and_no_pid_is_checked_online_and_told_to_check_an_identity_document(
        desk: Desk) -> None:
    w = desk.wallet(with_pid=False)
    desk.card(w, unnumbered(ANNA.ehic))
    consent, page = desk.page_check(w, "de")
    assert consent.satisfiable
    assert 'data-verdict="valid"' in page
    assert "Prüfen Sie einen Ausweis" in text_of(page.split('class="reason"', 1)[1].split("</p>", 1)[0])
    verdict = desk.api_check(w)
    assert verdict["verdict"] == "valid" and verdict["reason_key"] == "holder_link.no_pid", verdict
    assert [s["key"] for s in verdict["steps"] if s["code"] == "holder_link"] == ["holder_link.no_pid"]
    assert "ehic.competent_state" in [n["key"] for n in verdict["notices"]]  # still said, beside the reason


def test_the_pda1_check_keeps_its_pid_required() -> None:
    ehic_sets, a1_sets = profile_query("ehic")["credential_sets"], profile_query("pda1")["credential_sets"]
    assert ehic_sets[1] == {"options": [["pid"], ["pid_mdoc"], ["pid_unnumbered"], ["pid_unnumbered_mdoc"]],
                            "required": False}
    assert "required" not in ehic_sets[0]
    assert all(s.get("required", True) for s in a1_sets)


def test_an_ehic_with_a_pid_is_still_linked_by_the_personal_number(desk: Desk) -> None:
    w = desk.wallet()
    desk.card(w, unnumbered(ANNA.ehic))
    verdict = desk.api_check(w)
    assert verdict["verdict"] == "valid"
    assert [(s["result"], s["key"]) for s in verdict["steps"] if s["code"] == "holder_link"] == \
        [("passed", "holder_link.passed")]
    assert {c["query_id"] for c in verdict["credentials"]} == {"ehic", "pid"}
    assert verdict["person"]["family_name"] == ANNA.pid["family_name"]


def test_a_pid_of_another_person_beside_the_ehic_still_makes_it_invalid(desk: Desk) -> None:
    w = desk.wallet(pid_claims={"personal_administrative_number": "DEMO-010190-99999"})
    desk.card(w, unnumbered(ANNA.ehic))
    verdict = desk.api_check(w)
    assert verdict["verdict"] == "invalid" and verdict["reason_key"] == "holder_link.mismatch", verdict


# 7. Printing the verdict for the billing file ------------------------------------------------------------

@pytest.mark.browser
def test_the_verdict_prints_for_the_billing_file(desk: Desk, browser: Any) -> None:
    """The signed-in desk's browser starts the check and prints the verdict (Chromium, print media):
    the person, the S2 data, the verdict, the time and the proof id; no navigation, no buttons."""
    w = desk.wallet()
    desk.card(w, unnumbered(ANNA.ehic))
    tab = browser.new_context().new_page()
    tab.goto(desk.stack.verifier_url + "/?lang=en")
    tab.fill("#token", desk.stack.inspector_token)
    tab.click("#login")
    tab.wait_for_url("**/?lang=en")
    tab.check("input[value=ehic]")
    tab.click("#start")
    tab.wait_for_selector("#qr svg")
    w.share(w.open_request(tab.input_value("#link"), "en").id)
    tab.wait_for_selector("#verdict", timeout=15000)
    tab.wait_for_load_state()
    assert tab.is_visible("#print") and not tab.is_visible("#proof-id")
    tab.evaluate("window.print = () => { window.printed = true; }")
    tab.click("#print")
    assert tab.evaluate("window.printed === true")  # verifier.js, no inline script (CSP)
    tab.emulate_media(media="print")
    for hidden in ("header", "#print", ".checks", "a.button", ".langs"):
        assert not tab.locator(hidden).first.is_visible(), hidden
    printed = tab.inner_text("main")
    for fact in ("VALID", "Anna", ANNA.pid["family_name"], "12 April 1988", "DEMO-120488-10001", "LV:NVD",
                 "Nacionālais veselības dienests", "Latvia", i18n.format_date(ANNA.ehic["date_of_expiry"], "en"),
                 "Checked at"):
        assert fact in printed, (fact, printed)
    assert tab.is_visible("#proof-id") and re.fullmatch(r"[0-9a-f]{32}", tab.inner_text("#proof-id").strip())
    assert tab.is_visible(".document-number") and tab.inner_text(".document-number").strip() in printed
    tab.context.close()


# The pure rules behind 3 and 6 (credentials/verification.py) ------------------------------------------

def _vouched_ehic(claims: dict[str, Any], issuer_id: str | None = "LV:NVD") -> Any:
    from credentials import verification as v

    return v.CredentialResult("ehic", vct=ehic.VCT, claims=claims, issuer_id=issuer_id, issuer_country="LV",
                              steps=[v.Step("key_binding", v.PASSED, "ok"), v.Step("status", v.PASSED, "ok")])


def test_the_competent_state_notice_is_for_a_vouched_card_of_the_verifiers_own_state() -> None:
    from credentials import verification as v

    card = _vouched_ehic({"issuing_country": "LV"})
    assert [n.key for n in v.notices([card], "lv")] == [v.COMPETENT_STATE]
    assert v.notices([card], "AT") == [] and v.notices([card], None) == []
    assert v.notices([_vouched_ehic({"issuing_country": "LV"}, issuer_id=None)], "LV") == []  # not vouched
    assert v.notices([_vouched_ehic({"issuing_country": "UK"})], "GB")[0].params == (("country", "GB"),)
    a1 = v.CredentialResult("pda1", vct="urn:eudi:pda1:1", claims={"issuing_country": "LV"}, issuer_id="LV:VSAA")
    assert v.notices([a1], "LV") == []  # an EHIC's rule only


def test_an_ehic_without_a_pid_showing_nothing_to_compare_is_not_confirmed() -> None:
    from credentials import verification as v

    states = ("LV", "PL")  # whose identity documents carry the number their cards carry
    lv_number = {"personal_administrative_number": "DEMO-1", "issuing_country": "LV"}
    [named] = v._holder_link_steps([_vouched_ehic(lv_number)], states)
    assert (named.result, named.key) == (v.PASSED, "holder_link.no_pid")
    [child] = v._holder_link_steps([_vouched_ehic({"subject": CHILD})], states)
    assert (child.result, child.key) == (v.PASSED, "holder_link.no_pid")
    [nothing] = v._holder_link_steps([_vouched_ehic({"personal_administrative_number": " - ",
                                                     "issuing_country": "LV"})], states)
    assert (nothing.result, nothing.key) == (v.NOT_RUN, "holder_link.no_pid_unnamed")
    unreadable = v.CredentialResult("pid", steps=[v.Step("disclosures", v.FAILED, "bad")])
    assert v._holder_link_steps([_vouched_ehic(lv_number), unreadable], states) == []


def test_an_ehic_without_a_pid_whose_number_no_identity_document_carries_is_not_confirmed() -> None:
    """Jan, Polish, holds an Austrian card: its number (an Austrian insurance number) is on no identity
    document he carries. Shown alone (the PID left out), the desk is shown no name, no birth date, no
    photo: "valid, check an identity document" would pass anyone holding his phone."""
    from credentials import verification as v

    austrian = {"personal_administrative_number": "DEMO-AT-7911300001", "issuing_country": "AT"}
    [step] = v._holder_link_steps([_vouched_ehic(austrian, "AT:OEGK")], ("LV", "PL"))
    assert (step.result, step.key) == (v.NOT_RUN, "holder_link.no_pid_unnamed")
    [step] = v._holder_link_steps([_vouched_ehic({**austrian, "issuing_country": "LV"})], ())
    assert step.result == v.NOT_RUN  # no state's documents named by the verifier's policy


def test_a_cards_sentence_names_its_expiry_date_without_calling_it_valid() -> None:
    """The sentence stands beside every verdict, a suspended or withdrawn card's too: it gives Decision S2's
    field 9, the expiry date, never "valid until", which would contradict a NOT VALID verdict."""
    doc = {"vct": ehic.VCT, "issuing_country": "pl", "date_of_expiry": "2028-12-01"}
    for lang in i18n.LANGUAGES:
        sentence = messages.describe_document(doc, lang)
        assert i18n.format_date("2028-12-01", lang) in sentence and "?" not in sentence, sentence
    assert messages.describe_document(doc, "en") == "Health insurance: Poland, card expiry date 1 December 2028."
