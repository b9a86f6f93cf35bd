"""The EHIC's Decision S2 fields on a provisional replacement certificate, on paper and on the desk's
printout; the Withdraw help of an EHIC; UK cards in Switzerland and the EEA; the demo persons' cards;
one Latvian name for the certificate (review R4, findings 3-8).

Reviewer R4's tests, adapted (a PRC carries the card's fields 8 and 9 in claims of its own,
``card_number`` and ``card_expiry``: see :func:`test_a_prc_records_the_expiry_date_of_the_card_it_replaces`),
and the requirements beside them. Over real HTTP on loopback: an issuer serving the demo institutions
(LV:NVD issues EHICs), its back office signed in through its own sign-in form, its API with a clerk's
Bearer token; the whole pilot in process for the desk (the verifier LV:VDI stands for a Latvian hospital,
as in tests/test_ehic_desk.py, whose Desk helper is used).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_ehic_desk import ANNA, HOLDER, Desk, text_of

from credentials import ehic, i18n
from credentials import verification as v
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError
from credentials.institutions import DEMO_ENTITIES, Role, demo_entity
from esspass.stack import Clerk, InspectorAuth, start_in_process, unnumbered
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import create_app
from issuer.office import COOKIE
from issuer.paper import paper_text
from issuer.settings import IssuerSettings

NVD = "clerk-s2-nvd-0123456789abcdefghijklm"
VSAA = "clerk-s2-vsaa-0123456789abcdefghijkl"
#: A branch of NVD as the competent institution (Decision S2 field 7), as tests/test_ehic_desk.py names one.
KURZEME = {"id": "LV:NVD-KURZ", "name": "NVD Kurzemes nodala"}


class _Nvd:
    id, name, name_en = "LV:NVD", "Nacionālais veselības dienests", "National Health Service"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    data_dir: Path = tmp_path_factory.mktemp("s2-office")
    port = free_port()
    settings = IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}",
                              clerk_tokens={NVD: "LV:NVD", VSAA: "LV:VSAA"})
    with serve(create_app(settings), port=port) as handle:
        yield handle


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("s2-desk")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        yield Desk(stack, http, Clerk(stack.issuer_url, data_dir, http), data_dir)


def _api(issuer: ServerHandle) -> httpx.Client:
    return httpx.Client(base_url=f"{issuer.url}/lv-nvd/api", headers={"Authorization": f"Bearer {NVD}"}, timeout=30)


def _office(issuer: ServerHandle, lang: str) -> httpx.Client:
    signed = httpx.post(f"{issuer.url}/lv-nvd/office/login", data={"token": NVD})
    assert signed.status_code == 303, signed.text[:300]
    return httpx.Client(base_url=f"{issuer.url}/lv-nvd", cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30,
                        headers={"Accept-Language": lang})


def _card(**changes: Any) -> dict[str, Any]:
    claims = {k: v for k, v in ANNA.ehic.items() if k != "document_number"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def _prc(**changes: Any) -> dict[str, Any]:
    """A PRC of Anna's for a stay of three weeks in October 2026, delivered after it."""
    return _card(date_of_expiry=None, starting_date="2026-10-01", ending_date="2026-10-21",
                 date_of_issuance="2026-11-20", **changes)


# 3. The Withdraw help of an EHIC ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "de", "fr", "lv", "pl"])
def test_the_withdraw_help_on_an_ehic_case_page_does_not_speak_of_an_a1_or_void_the_card_from_its_first_day(
        issuer: ServerHandle, lang: str) -> None:
    """The help under an EHIC's Withdraw button gives the card's own words: final, failing every check
    from now on, for any day of care (a desk cannot date a withdrawal from the status list), and a
    provisional replacement certificate for care given while the person was insured; never an A1's
    rule (987/2009 Art. 5, void from its first day), which contradicted the guide beside it."""
    with _api(issuer) as api:
        made = api.post("/cases", json={"configuration_id": "ehic", "claims": _card(), "holder": HOLDER})
    assert made.status_code == 201, made.text
    with _office(issuer, lang) as office:
        page = office.get(f"/office/cases/{made.json()['id']}?lang={lang}")
    assert page.status_code == 200
    match = re.search(r'id="revoke-help">(.*?)</p>', page.text, re.S)
    assert match is not None, "the Withdraw button has no help"
    words = _text(match.group(1))
    assert "A1" not in words, words
    first_day = {"en": "first day", "de": "ersten Tag", "fr": "premier jour", "lv": "pirmās dienas",
                 "pl": "pierwszego dnia"}[lang]
    assert first_day not in words, words
    prc = {"en": "provisional replacement certificate", "de": "provisorische Ersatzbescheinigung",
           "fr": "certificat provisoire de remplacement", "lv": "EVAK aizvietojošo sertifikātu",
           "pl": "certyfikat tymczasowo zastępujący kartę"}[lang]
    assert prc in words, words


def test_the_withdraw_help_of_an_a1_keeps_the_a1s_rule(issuer: ServerHandle) -> None:
    """An A1's withdrawal does undo it from its start (987/2009 Art. 5): its help still says so."""
    headers = {"Authorization": f"Bearer {VSAA}"}
    made = httpx.post(f"{issuer.url}/lv-vsaa/api/cases", headers=headers, timeout=30,
                      json={"configuration_id": "pda1", "claims": unnumbered(ANNA.pda1), "holder": HOLDER})
    assert made.status_code == 201, made.text
    signed = httpx.post(f"{issuer.url}/lv-vsaa/office/login", data={"token": VSAA})
    page = httpx.get(f"{issuer.url}/lv-vsaa/office/cases/{made.json()['id']}?lang=en",
                     cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30).text
    match = re.search(r'id="revoke-help">(.*?)</p>', page, re.S)
    assert match is not None, page[:2000]
    words = _text(match.group(1))
    assert "first day" in words and "A1" in words, words


def test_a_withdrawn_card_tells_the_desk_to_ask_for_a_prc_for_care_given_while_it_was_valid(desk: Desk) -> None:
    """A withdrawal is not dated on the status list, so a withdrawn card fails every check, for any
    date of care (fail closed); the desk is told the way out: the competent institution certifies the
    days the person was insured with a provisional replacement certificate (Decision S1)."""
    w = desk.wallet(with_pid=False)
    case = desk.card(w, unnumbered(ANNA.ehic))
    desk.clerk.set_state(ANNA.ehic_issuer, case, "revoke", "insurance ended")
    care = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    verdict = desk.api_check(w, care_date=care)
    assert verdict["verdict"] == "invalid" and verdict["reason_key"] == "status.withdrawn", verdict
    for lang, words in (("en", "provisional replacement certificate"), ("lv", "EVAK aizvietojošo sertifikātu"),
                        ("de", "provisorische Ersatzbescheinigung"), ("fr", "certificat provisoire de remplacement"),
                        ("pl", "certyfikat tymczasowo zastępujący kartę")):
        _, page = desk.page_check(w, lang)
        step = page.split('id="next-step-prc"', 1)
        assert len(step) == 2, (lang, page[:3000])
        assert words in html.unescape(step[1].split("</p>", 1)[0]), (lang, step[1][:400])


# 4. A PRC carries the card's fields 8 and 9 ---------------------------------------------------------

def test_a_prc_records_the_expiry_date_of_the_card_it_replaces(issuer: ServerHandle) -> None:
    """Decision S2, Annex 2 (model of the provisional replacement certificate): a PRC repeats the
    card's fields 3 to 9 -- 8 the card's identification number, 9 its expiry date -- and adds its own
    validity period (a)-(b) and (c) its date of delivery. The card's fields are claims of their own
    (``card_number``, ``card_expiry``): the PRC's ``date_of_expiry`` may not pass its period (an mdoc
    holder withholding both period dates would show a card valid until then), and its
    ``document_number`` is its own, given once by the institution; the card's number, which the card's
    case has, is not refused as taken. (The reviewer's test put the card's expiry in ``date_of_expiry``:
    that is refused still, for that reason.)"""
    with _api(issuer) as api:
        card = api.post("/cases", json={"configuration_id": "ehic", "claims": _card(), "holder": HOLDER})
        assert card.status_code == 201, card.text
        number, expiry = card.json()["claims"]["document_number"], card.json()["claims"]["date_of_expiry"]
        start = ANNA.ehic["date_of_issuance"]
        end = (date.fromisoformat(start) + timedelta(days=21)).isoformat()
        claims = _card(date_of_expiry=None, starting_date=start, ending_date=end, card_number=number,
                       card_expiry=expiry)
        made = api.post("/cases", json={"configuration_id": "ehic", "claims": claims, "holder": HOLDER})
        assert made.status_code == 201, made.text
        assert made.json()["claims"]["card_expiry"] == expiry and made.json()["claims"]["card_number"] == number
        assert made.json()["claims"]["document_number"] != number
        beyond = api.post("/cases", json={"configuration_id": "ehic", "holder": HOLDER,
                                          "claims": {**claims, "date_of_expiry": expiry}})
        assert beyond.status_code == 400 and beyond.json()["field"] == "date_of_expiry", beyond.text


def test_the_cards_fields_8_and_9_are_only_on_a_prc() -> None:
    """A card is itself fields 8 and 9 (``document_number``, ``date_of_expiry``): a card naming another
    card's number or expiry is refused, with the rule in the clerk's words."""
    with pytest.raises(DataError) as refused:
        ehic.validate({**ANNA.ehic, "card_expiry": "2030-01-01"})
    assert refused.value.field == "card_expiry" and refused.value.key == "ehic.prc_only"
    with pytest.raises(DataError) as wrong:
        ehic.validate({**_prc(), "document_number": "DEMO-PRC-1", "card_expiry": "2026-13-01"})
    assert wrong.value.field == "card_expiry"
    assert "aizvietojoš" in i18n.t("rule.ehic.prc_only", "lv")


def test_the_prcs_card_fields_are_signed_in_the_clear_and_labelled() -> None:
    """Like the card's expiry, fields 8 and 9 of a PRC come with every presentation (sd: never), so the
    desk sees them without asking, labelled as the card labels them in every language."""
    metadata = ehic.type_metadata_document()
    claims = {tuple(c["path"]): c for c in metadata["claims"]}
    for name in ("card_number", "card_expiry"):
        assert claims[(name,)]["sd"] == "never"
        assert (name,) not in ehic.SD_PATHS
    assert ehic.label("card_number", "en") == ehic.label("document_number", "en")
    assert ehic.label("card_expiry", "de") == "Ablaufdatum der Karte"


# 6. Decision S2 fields on paper and on the desk's printout --------------------------------------------

def test_the_paper_copy_of_an_ehic_prints_field_7_the_competent_institutions_identification_number() -> None:
    """Decision S2 field 7 is the identification number of the competent institution (and its
    acronym); the hospital copies it onto its claim (E125 / SED S080). For a card of a branch
    (``authentic_source`` LV:NVD-KURZ) the paper names it, not only the issuer (LV:NVD)."""
    claims = _card(authentic_source=KURZEME, document_number="DEMO-EHIC-S2-7")
    for lang in ("en", "de"):
        _, lines = paper_text(ehic, claims, HOLDER, _Nvd(), lang)
        assert any("LV:NVD-KURZ" in line and ehic.label("authentic_source", lang) in line for line in lines), lines


def test_the_paper_copy_of_a_prc_prints_its_date_of_delivery() -> None:
    """Decision S2, Annex 2: a PRC states (c) the date of delivery of the certificate -- with a PRC
    often issued after the treatment, the date the institution certified the cover."""
    claims = _prc(document_number="DEMO-PRC-S2-1")
    for lang, day in (("en", "20 November 2026"), ("de", "20. November 2026")):
        _, lines = paper_text(ehic, claims, HOLDER, _Nvd(), lang)
        assert any(day in line for line in lines), (lang, lines)


def test_the_paper_copy_of_a_prc_prints_the_cards_fields_8_and_9() -> None:
    claims = _prc(document_number="DEMO-PRC-S2-2", card_number="DEMO-EHIC-LV-0001", card_expiry="2029-11-01")
    _, lines = paper_text(ehic, claims, HOLDER, _Nvd(), "en")
    assert "Card identification number: DEMO-EHIC-LV-0001" in lines, lines
    assert "Expiry date of the card: 1 November 2029" in lines, lines


@pytest.mark.parametrize("lang", ["en", "de", "fr", "pl", "lv"])
def test_the_verdict_labels_field_8_of_a_card_as_the_card_identification_number(desk: Desk, lang: str) -> None:
    """The verdict labels field 8 as the card does (ehic.label), as the claims clerk copying it onto the
    claim (E125, SED S080 "identification number of the card") and the patient's wallet name it."""
    w = desk.wallet(with_pid=False)
    desk.card(w, unnumbered(ANNA.ehic))
    _, page = desk.page_check(w, lang)
    assert _row(page, "document-number") == ehic.label("document_number", lang)


def test_the_printout_of_a_prc_for_the_billing_file_gives_its_date_of_delivery(desk: Desk) -> None:
    """Decision S2, Annex 2: a PRC carries (c) its date of delivery beside its period (a)-(b), and the
    card's fields 8 and 9 where it replaces one: the printout for the billing file gives them."""
    today = datetime.now(UTC).date()
    issued = today - timedelta(days=2)
    prc = {k: v for k, v in unnumbered(ANNA.ehic).items() if k != "date_of_expiry"}
    prc.update(date_of_issuance=issued.isoformat(), starting_date=(today - timedelta(days=20)).isoformat(),
               ending_date=(today + timedelta(days=20)).isoformat(), card_number="DEMO-EHIC-LV-0001",
               card_expiry="2029-11-01")
    w = desk.wallet(with_pid=False)
    desk.card(w, prc)
    _, page = desk.page_check(w)
    person = text_of(page.split('<section class="person">', 1)[1].split("</section>", 1)[0])
    assert f"{ehic.prc_label('date_of_issuance', 'en')} {i18n.format_date(issued, 'en')}" in person, person
    assert f"{ehic.label('card_number', 'en')} DEMO-EHIC-LV-0001" in person, person
    assert f"{ehic.label('card_expiry', 'en')} {i18n.format_date('2029-11-01', 'en')}" in person, person
    # The PRC's own number is the certificate's, not the card's: labelled so.
    assert _row(page, "document-number") == ehic.prc_label("document_number", "en")


def _row(page: str, dd_class: str) -> str:
    """The label (``<dt>``) of the verdict row whose value has class ``dd_class``."""
    match = re.search(r"<dt[^>]*>([^<]*)</dt><dd[^>]*class=\"" + re.escape(dd_class) + '"', page)
    assert match is not None, page[:2000]
    return html.unescape(match.group(1).strip())


# 5. UK cards in Switzerland and the EEA ---------------------------------------------------------------

def _vouched(claims: dict[str, Any], issuer_id: str, country: str) -> v.CredentialResult:
    return v.CredentialResult("ehic", vct=ehic.VCT, claims=claims, issuer_id=issuer_id, issuer_country=country,
                              steps=[v.Step("key_binding", v.PASSED, "ok"), v.Step("status", v.PASSED, "ok")])


UK = _vouched({"issuing_country": "UK", "personal_administrative_number": "QQ123456C"}, "UK:NHSBSA", "GB")
AT = _vouched({"issuing_country": "AT", "personal_administrative_number": "1234010180"}, "AT:OEGK", "AT")


def test_a_uk_card_at_a_swiss_desk_is_told_of_the_nationality_condition() -> None:
    """A UK card (the UK's EHIC or GHIC) is accepted in Switzerland under the UK-Switzerland Convention
    on Social Security Coordination (applied from 1 November 2021), as Switzerland applies it (Art.
    2(1)), only for UK, Swiss and EU nationals, stateless persons and refugees, and their family
    members and survivors. The EU/EEA rules (883/2004, the EU-CH agreement) know no such condition."""
    assert v.notices([AT], "CH") == []  # an EU card in Switzerland: the Agreement on the free movement of persons
    [notice] = v.notices([UK], "CH")
    assert notice.key == ehic.UK_IN_CH and dict(notice.params) == {"country": "CH"}
    assert v.notices([UK], "CH", day=date(2026, 11, 30)) == [notice]
    assert v.notices([UK], "AT") == [] and v.notices([UK], "LV", day=date(2022, 5, 1)) == []


@pytest.mark.parametrize(("host", "day", "expected"), [
    ("NO", date(2023, 12, 31), ehic.UK_BEFORE_AGREEMENT), ("IS", date(2022, 6, 1), ehic.UK_BEFORE_AGREEMENT),
    ("LI", date(2021, 1, 1), ehic.UK_BEFORE_AGREEMENT), ("NO", date(2024, 1, 1), None),
    ("CH", date(2021, 10, 31), ehic.UK_BEFORE_AGREEMENT), ("CH", date(2021, 11, 1), ehic.UK_IN_CH),
    ("NO", date(2020, 12, 31), None), ("CH", date(2020, 12, 31), None), ("FR", date(2022, 6, 1), None),
])
def test_a_uk_card_in_norway_iceland_or_liechtenstein_for_care_before_2024_is_told_it_did_not_cover_it(
        host: str, day: date, expected: str | None) -> None:
    """Norway, Iceland and Liechtenstein accepted UK cards (GHIC, UK EHIC) only from 1 January 2024,
    under their social security convention with the UK (helsenorge.no: "From 1 January 2024, a new
    social security agreement between the United Kingdom and Norway applies"); from 2021 until then
    only a person covered by the EEA EFTA citizens' rights agreement was covered there, with a UK EHIC
    (NHS 111 Wales, "Within the EEA, EFTA, Switzerland"). Switzerland likewise before the convention
    applied (1 November 2021). The card does not say which of the two it is, so the desk is told, not
    refused. Before 2021 the UK applied the EU rules (the transition period)."""
    assert ehic.uk_card_condition("UK", host, day) == expected
    assert ehic.uk_card_condition("GB", host, day) == expected
    told = [n.key for n in v.notices([UK], host, day=day)]
    assert told == ([expected] if expected else [])


def test_a_swiss_desk_sees_the_nationality_condition_on_the_verdict_page() -> None:
    """The notice reads in the desk's language, naming Switzerland, the convention and the nationalities."""
    from verifier import messages

    [notice] = v.notices([UK], "CH")
    for lang, words in (("en", "Switzerland"), ("de", "Schweiz"), ("fr", "Suisse"), ("lv", "Šveic"),
                        ("pl", "Szwajcari")):
        text = messages.notice_text(notice.to_json(), lang)
        assert words in text and "2021" in text, (lang, text)
    assert "GHIC" in messages.notice_text(v.notices([UK], "NO", day=date(2023, 1, 1))[0].to_json(), "en")


CH = _vouched({"issuing_country": "CH", "personal_administrative_number": "7561234567897"}, "CH:SVK", "CH")
NO = _vouched({"issuing_country": "NO", "personal_administrative_number": "01018012345"}, "NO:HELFO", "NO")


@pytest.mark.parametrize(("card", "day", "expected"), [
    (CH, date(2021, 10, 31), ehic.BEFORE_UK_AGREEMENT), (CH, date(2021, 11, 1), ehic.CH_IN_UK),
    (CH, None, ehic.CH_IN_UK), (NO, date(2023, 12, 31), ehic.BEFORE_UK_AGREEMENT), (NO, date(2024, 1, 1), None),
    (NO, None, None), (NO, date(2020, 12, 31), None), (AT, date(2022, 6, 1), None),
], ids=["ch_before", "ch_from_nov_2021", "ch_now", "no_before_2024", "no_from_2024", "no_now",
        "no_in_transition", "eu_card"])
def test_a_card_of_switzerland_or_norway_iceland_liechtenstein_at_a_uk_desk_is_told_the_conventions_condition(
        card: v.CredentialResult, day: date | None, expected: str | None) -> None:
    """The same conventions bind the other way: a Swiss card in the UK covers, from 1 November 2021,
    only Swiss, UK and EU nationals, stateless persons, refugees and their families (Art. 2(1)); a card of
    Norway, Iceland or Liechtenstein was accepted in the UK from 1 January 2024 (NHS 111 Wales, "Within
    the EEA, EFTA, Switzerland"; helsenorge.no), before that only for a person of the citizens' rights
    agreements. An EU card in the UK: the Trade and Cooperation Agreement, no condition."""
    told = v.notices([card], "GB", day=day)
    assert [n.key for n in told] == ([expected] if expected else [])
    if told:
        assert dict(told[0].params) == {"country": card.issuer_country}  # the card's state, not the desk's
    assert v.notices([card], "UK", day=day) == told  # the desk's state written either way


def test_a_uk_desk_reads_the_condition_in_its_language_naming_the_cards_state() -> None:
    from verifier import messages

    [before] = v.notices([NO], "GB", day=date(2023, 6, 1))
    [swiss] = v.notices([CH], "GB")
    for lang, norway in (("en", "Norway"), ("de", "Norwegen"), ("fr", "Norvège"), ("lv", "Norvēģija"),
                         ("pl", "Norwegia")):
        text = messages.notice_text(before.to_json(), lang)
        assert norway in text and "2024" in text and "{" not in text, (lang, text)
        assert "2021" in messages.notice_text(swiss.to_json(), lang)
    assert "{" not in messages.notice_text(swiss.to_json(), "en")


# 7. The demo persons' cards ------------------------------------------------------------------------

def test_each_demo_persons_ehic_is_of_the_state_whose_legislation_their_a1_applies() -> None:
    """883/2004 Art. 11(1): a person is subject to one state's legislation, whose competent institution
    insures them for sickness and issues their EHIC (Decision S1; Art. 19)."""
    wrong = [(p.key, p.pda1["legislation_country"], p.ehic["issuing_country"]) for p in DEMO_PERSONS
             if p.pda1["legislation_country"] != p.ehic["issuing_country"]]
    assert wrong == []
    for person in DEMO_PERSONS:
        entity = demo_entity(person.ehic_issuer)
        assert Role.EHIC_ISSUER in entity.roles and entity.country == person.ehic["issuing_country"]
        assert person.ehic["authentic_source"]["id"] == entity.id == person.ehic["issuing_authority"]["id"]
        ehic.validate(person.ehic)


def test_the_demo_ehic_institutions_are_seeded_in_the_trust_registry(tmp_path: Path) -> None:
    """The trust registry seeds every demo institution, the new EHIC issuers too, as EHIC issuers."""
    from esspass.db import make_engine
    from trust_registry.seed import seed_data_dir
    from trust_registry.settings import RegistrySettings
    from trust_registry.store import Registry

    seed_data_dir(tmp_path)
    engine = make_engine(RegistrySettings(data_dir=tmp_path).db_url("registry.db"))
    try:
        listed = {e.id: e for e in Registry(engine).list_entities()}
    finally:
        engine.dispose()
    for entity in DEMO_ENTITIES:
        if Role.EHIC_ISSUER in entity.roles:
            assert Role.EHIC_ISSUER.value in listed[entity.id].roles, entity.id
    assert {p.ehic_issuer for p in DEMO_PERSONS} <= set(listed)


# 8. One Latvian name for the certificate -------------------------------------------------------------

def test_the_latvian_pages_call_the_provisional_replacement_certificate_by_one_name() -> None:
    """NVD, the Latvian competent institution, calls it "EVAK aizvietojošais sertifikāts" (vmnvd.gov.lv,
    latvija.lv "Eiropas veselības apdrošināšanas karte un aizvietojošais sertifikāts"); the document
    title, the wallet, the back office and the verifier say the same."""
    from verifier import messages

    title = ehic.title({"starting_date": "2026-10-01", "ending_date": "2026-10-31"}, "lv")
    assert "aizvietojošais sertifikāts" in title
    office = i18n.t("office.group.prc", "lv")
    verdict = messages.describe_document({"vct": ehic.VCT, "issuing_country": "LV", "starting_date": "2026-10-01",
                                          "ending_date": "2026-10-31"}, "lv")
    latvian = [office, verdict, *(i18n.t(f"verifier.{k}", "lv") for k in (
        "reason.document_validity.issue_date_not_shown", "reason.document_validity.issued_after_care"))]
    for words in latvian:
        assert "aizstājējsertifik" not in words, words
    assert all("aizvietojoš" in words for words in latvian), latvian
