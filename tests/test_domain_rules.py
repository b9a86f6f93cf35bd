"""Domain rules of the A1 and the EHIC a case handler holds the documents to (review E, F3-F5, F9-F11, Q8).

Regulation (EC) 883/2004 Art. 11-13, 16, 87(8), 91 and 987/2009 Art. 5, 14, 15, 19, 97 (shared/domain.md
"PDA1"); Decision S2 (the EHIC and its Provisional Replacement Certificate). Each rule is refused by the
credential model with the field and the rule's key (said in five languages), and is held by the issuer
and the verifier alike where it concerns who is competent.
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_pda1 import _error as _refused
from test_pda1 import changed

from credentials import compact, ehic, i18n, pda1, verification
from credentials.claims import RULE_TEXTS
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError
from credentials.institutions import demo_entity
from esspass.stack import Clerk, start_in_process, unnumbered
from issuer.paper import paper_text, render_pdf

ANNA = DEMO_PERSONS[0]
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}
BERLIN = {"locality": "Berlin", "country": "DE"}
RIGA = {"locality": "Rīga", "country": "LV"}


def _a1(**changes: Any) -> dict[str, Any]:
    """Anna's A1 (VSAA, 01 posted employed person, LV legislation, place of work Berlin) with changes;
    a value None removes the claim."""
    claims = dict(ANNA.pda1)
    # Sections 4 and 5 in one rulebook version (pda1.mixed_shape): places given as v1.1
    # work_information take the employer as the v1.1 list (its type the status implies), an employer
    # list the place as work_information.work_address.
    if "work_information" in changes and "employer" not in changes:
        kind = pda1.IMPLIED_TYPE.get(changes.get("status_confirmation", "01"), "01")
        claims["employer"] = [{"type": kind, **claims["employer"]}]
    if isinstance(changes.get("employer"), list) and "work_address" not in changes:
        claims["work_information"] = {"work_address": [claims.pop("work_address")]}
    return changed(claims, **changes)


def _period(start: str, end: str, **changes: Any) -> dict[str, Any]:
    return _a1(starting_date=start, ending_date=end, date_of_issuance=end, **changes)


# --- F3: a posting is to another state (Art. 12 of 883/2004); Art. 13 names where the person works ------

def test_a_posting_that_names_no_place_of_work_is_refused() -> None:
    err = _refused(_a1(work_address=None))
    assert (err.field, err.key, err.params) == ("work_address", "pda1.posting_place", {"country": "LV"})


def test_a_posting_with_no_fixed_place_of_work_in_the_sending_state_is_refused() -> None:
    err = _refused(_a1(work_address=None, work_information={"no_fixed_place_of_work": "LV"}))
    assert (err.field, err.key) == ("work_information.no_fixed_place_of_work", "pda1.posting_place")


def test_a_posting_with_no_fixed_place_of_work_in_another_state_is_a_posting_there() -> None:
    pda1.validate(_a1(work_address=None, work_information={"no_fixed_place_of_work": "DE"}))
    pda1.validate(_a1(status_confirmation="03", work_address=None, work_information={"no_fixed_place_of_work": "EE"}))


def test_a_posting_whose_places_of_work_are_all_in_the_sending_state_is_refused_at_the_first() -> None:
    places = {"work_address": [RIGA, {"locality": "Liepāja", "country": "LV"}]}
    err = _refused(_a1(work_address=None, work_information=places))
    assert (err.field, err.key) == ("work_information.work_address.0.country", "pda1.posting_abroad")
    pda1.validate(_a1(work_address=None, work_information={"work_address": [RIGA, BERLIN]}))


@pytest.mark.parametrize("code", ["02", "04"])
def test_work_in_two_or_more_states_names_at_least_one_place_of_work(code: str) -> None:
    """Art. 13(1), (2): the A1 lists where the person works (section 5); a place, or the state of no
    fixed place of work, outside the legislation's state will do (the v1 shape holds one place only; the
    competent state may have none, Art. 13(1)(b)). Only the legislation's own state is refused (review
    R1, finding 6: tests/test_a1_hard_cases.py)."""
    kind = "01" if code == "02" else "02"
    employer = [{"type": kind, "id": "LV40000000001", "name": "Baltic Build SIA", "country": "LV"}]
    err = _refused(_a1(status_confirmation=code, employer=employer, work_address=None))
    assert (err.field, err.key) == ("work_address", "pda1.no_place_of_work")
    pda1.validate(_a1(status_confirmation=code, employer=employer, work_address=None,
                      work_information={"work_address": [BERLIN]}))
    pda1.validate(_a1(status_confirmation=code, employer=employer, work_address=None,
                      work_information={"no_fixed_place_of_work": "DE"}))


# --- F4: the transitional rules of Art. 87(8) ended 10 years after 883/2004 applied ---------------------

@pytest.mark.parametrize(("legislation", "place", "last_day"), [
    ("LV", BERLIN, "2020-04-30"),                              # EU: from 1 May 2010
    ("GB", BERLIN, "2020-04-30"),                              # the UK was a member state then
    ("LV", {"locality": "Oslo", "country": "NO"}, "2022-05-31"),  # EEA: from 1 June 2012
    ("NO", BERLIN, "2022-05-31"),
    ("CH", BERLIN, "2022-03-31"),                              # Switzerland: from 1 April 2012
])
def test_transitional_rules_are_certified_only_for_a_period_ending_while_they_applied(
        legislation: str, place: dict[str, str], last_day: str) -> None:
    start = (date.fromisoformat(last_day) - timedelta(days=200)).isoformat()
    pda1.validate(_period(start, last_day, legislation_country=legislation, work_address=place,
                          transitional_rules=True))
    one_more = (date.fromisoformat(last_day) + timedelta(days=1)).isoformat()
    err = _refused(_period(start, one_more, legislation_country=legislation, work_address=place,
                           transitional_rules=True))
    assert (err.field, err.key, err.params["date"]) == ("transitional_rules", "pda1.transitional_ended", last_day)


def test_transitional_rules_cannot_be_certified_for_todays_periods() -> None:
    err = _refused(_a1(transitional_rules=True))
    assert err.field == "transitional_rules"
    pda1.validate(_a1(transitional_rules=False))  # the box not ticked says nothing of them


# --- F5: the competent institution is of the issuing state ------------------------------------------------

def test_an_ehic_naming_a_competent_institution_of_another_state_is_not_competent() -> None:
    claims = ehic.validate({**ANNA.ehic, "authentic_source": {"id": "LV:NVD", "name": "NVD", "country": "DE"}})
    problem = verification.competence_problem(demo_entity("LV:NVD"), ehic, claims)
    assert problem is not None and problem[0] == "authentic_source.country"


def test_an_a1_naming_a_competent_institution_of_another_state_is_not_competent() -> None:
    claims = pda1.validate(_a1(authentic_source={"id": "LV:VSAA", "name": "VSAA", "country": "DE"}))
    problem = verification.competence_problem(demo_entity("LV:VSAA"), pda1, claims)
    assert problem is not None and problem[0] == "authentic_source.country"


def test_a_competent_institution_whose_eessi_id_is_of_another_state_is_not_competent() -> None:
    claims = pda1.validate(_a1(authentic_source={"id": "DE:DRV", "name": "Deutsche Rentenversicherung"}))
    problem = verification.competence_problem(demo_entity("LV:VSAA"), pda1, claims)
    assert problem is not None and problem[0] == "authentic_source.id" and "DE:DRV" in problem[1]
    # The offline QR code names the EHIC's institution as institution_id: the same rule.
    fields = {"issuing_country": "LV", "institution_id": "AT:OEGK", "institution_name": "ÖGK"}
    assert verification.competence_problem(demo_entity("LV:NVD"), ehic, fields) is not None


def test_another_institution_of_the_same_state_may_be_the_competent_one() -> None:
    """A regional branch (LV:NVD-KURZ) or an id without a state prefix names no other state."""
    for source in ({"id": "LV:NVD-KURZ", "name": "NVD Kurzemes nodaļa"}, {"id": "lv:NVD", "name": "NVD"},
                   {"id": "NVD-KURZ", "name": "NVD Kurzemes nodaļa", "country": "LV"}):
        claims = ehic.validate({**ANNA.ehic, "authentic_source": source})
        assert verification.competence_problem(demo_entity("LV:NVD"), ehic, claims) is None, source


# --- F11: what an A1's dates, entries and places must say of each other ---------------------------------

def test_an_a1_cannot_expire_before_the_end_of_its_period() -> None:
    err = _refused(_a1(starting_date="2027-01-01", ending_date="2027-12-31", date_of_expiry="2027-06-30"))
    assert (err.field, err.key, err.params) == ("date_of_expiry", "pda1.expiry_before_end",
                                                {"other_field": "ending_date"})
    pda1.validate(_a1(starting_date="2027-01-01", ending_date="2027-12-31", date_of_expiry="2027-12-31"))


@pytest.mark.parametrize(("legislation", "place", "first_day"), [
    ("LV", BERLIN, "2010-05-01"),                              # 883/2004 Art. 91, 987/2009 Art. 97
    ("LV", {"locality": "Oslo", "country": "NO"}, "2012-06-01"),  # EEA
    ("CH", BERLIN, "2012-04-01"),                              # Switzerland
    ("HR", BERLIN, "2013-07-01"),                              # Croatia, from its accession
])
def test_an_a1_cannot_certify_a_period_before_regulation_883_2004_applied(
        legislation: str, place: dict[str, str], first_day: str) -> None:
    """Before its day, a state under 1408/71 had form E 101; Croatia, which joined after 883/2004 had
    replaced 1408/71, never had one (review K, K10): its refusal names no E 101."""
    end = (date.fromisoformat(first_day) + timedelta(days=180)).isoformat()
    pda1.validate(_period(first_day, end, legislation_country=legislation, work_address=place))
    day_before = (date.fromisoformat(first_day) - timedelta(days=1)).isoformat()
    err = _refused(_period(day_before, end, legislation_country=legislation, work_address=place))
    key = "pda1.before_accession" if legislation == "HR" else "pda1.before_883"
    assert (err.field, err.key, err.params["date"]) == ("starting_date", key, first_day)
    assert ("E 101" in err.rule) == (legislation != "HR"), err.rule


@pytest.mark.parametrize("efta", ["IS", "LI", "NO"])
def test_between_switzerland_and_an_eea_efta_state_883_2004_applies_from_2016(efta: str) -> None:
    """The pair's own day (review K, K11): each state applied 883/2004 with the EU from 2012, but
    with each other only from 1 January 2016; a day earlier is refused, naming both states."""
    place = {"locality": "Zürich", "country": "CH"}
    pda1.validate(_period("2016-01-01", "2016-06-30", legislation_country=efta, work_address=place))
    err = _refused(_period("2015-12-31", "2016-06-30", legislation_country=efta, work_address=place))
    assert (err.field, err.key, err.params) == ("starting_date", "pda1.before_883_between",
                                                {"country": "CH", "other": efta, "date": "2016-01-01"})
    assert "E 101" in err.rule
    # With the EU, each of them keeps its 2012 day.
    pda1.validate(_period("2013-01-01", "2013-06-30", legislation_country=efta, work_address=BERLIN))
    pda1.validate(_period("2013-01-01", "2013-06-30", legislation_country="CH", work_address=BERLIN))


def test_between_switzerland_and_an_eea_efta_state_transitional_rules_ran_until_2025() -> None:
    """Art. 87(8): ten years from the pair's day, for an A1 naming only the pair; with an EU state
    named too, the EU relation's earlier end still binds."""
    oslo, zurich = {"locality": "Oslo", "country": "NO"}, {"locality": "Zürich", "country": "CH"}
    pda1.validate(_period("2025-06-01", "2025-12-31", legislation_country="CH", work_address=oslo,
                          transitional_rules=True))
    err = _refused(_period("2025-06-01", "2026-01-01", legislation_country="CH", work_address=oslo,
                           transitional_rules=True))
    assert (err.key, err.params["date"]) == ("pda1.transitional_ended", "2025-12-31")
    three_states = {"work_information": {"work_address": [zurich, oslo, BERLIN]}, "work_address": None}
    v11 = {"employer": [{"type": "01", "id": "NO-1", "name": "Bygg AS", "country": "NO"}]}
    err = _refused(_period("2022-01-01", "2022-12-31", legislation_country="NO", status_confirmation="02",
                           transitional_rules=True, **three_states, **v11))
    assert (err.key, err.params["date"]) == ("pda1.transitional_ended", "2022-05-31")


def test_an_a1_of_1999_is_an_e101_and_refused() -> None:
    assert _refused(_a1(starting_date="1999-01-01", ending_date="1999-12-31")).field == "starting_date"


def test_status_08_needs_an_employment_and_a_self_employment_entry() -> None:
    """Art. 13(3): employed and self-employed in different states. The v1.1 employer list says which
    entry is which; one flat v1 employer cannot show two activities (review K, K3): refused."""
    self_employed = {"type": "02", "id": "LV-SELF-1", "name": "Anna Bērziņa IK", "country": "LV"}
    employed = {"type": "01", "id": "DE-1", "name": "Bau GmbH", "country": "DE"}
    period = {"status_confirmation": "08", "starting_date": "2027-01-01", "ending_date": "2027-12-31"}
    err = _refused(_a1(**period, employer=[self_employed]))
    assert (err.field, err.key, err.params) == ("employer", "pda1.employment_entry", {"code": "08"})
    err = _refused(_a1(**period, employer=[employed]))
    assert (err.field, err.key) == ("employer", "pda1.self_employment_entry")
    pda1.validate(_a1(**period, employer=[self_employed, employed]))
    err = _refused(_a1(**period))  # v1: one employer without a type
    assert (err.field, err.key, err.params) == ("employer", "pda1.two_activities", {"code": "08"})


def test_status_12_is_refused_when_every_place_of_work_is_in_another_state() -> None:
    err = _refused(_a1(status_confirmation="12"))
    assert (err.field, err.key, err.params) == ("work_address.country", "pda1.state_of_work", {"country": "LV"})
    err = _refused(_a1(status_confirmation="12", work_address=None, work_information={"no_fixed_place_of_work": "DE"}))
    assert err.field == "work_information.no_fixed_place_of_work"
    pda1.validate(_a1(status_confirmation="12", work_address=RIGA))
    pda1.validate(_a1(status_confirmation="12", work_address=None,
                      work_information={"work_address": [RIGA, BERLIN]}))


def test_the_demo_documents_keep_every_rule() -> None:
    for person in DEMO_PERSONS:
        pda1.validate(person.pda1)
        ehic.validate(person.ehic)
        for module, claims, issuer in ((pda1, person.pda1, person.pda1_issuer),
                                       (ehic, person.ehic, person.ehic_issuer)):
            assert verification.competence_problem(demo_entity(issuer), module, claims) is None


NEW_RULES = ("pda1.posting_place", "pda1.state_of_work", "pda1.expiry_before_end", "pda1.before_883",
             "pda1.transitional_ended", "pda1.before_accession", "pda1.mixed_shape", "pda1.two_activities",
             "pda1.employer_type_needed", "pda1.before_883_between", "pda1.issued_before_883")


@pytest.mark.parametrize("key", NEW_RULES)
def test_each_rule_is_said_in_the_clerks_language(key: str) -> None:
    params = {"country": "LV", "date": "2020-04-30", "other_field": "ending_date", "code": "08", "other": "NO"}
    said = {lang: i18n.t(f"rule.{key}", lang, **params) for lang in i18n.LANGUAGES}
    assert len(set(said.values())) == 5 and said["en"] == RULE_TEXTS[key][0].format(**params)
    assert all("{" not in text for text in said.values())


# --- F10: a Provisional Replacement Certificate is no card ---------------------------------------------

def _prc() -> dict[str, Any]:
    return ehic.validate({**{k: v for k, v in ANNA.ehic.items() if k != "date_of_expiry"},
                          "starting_date": "2026-11-20", "ending_date": "2026-12-31"})


def test_a_prc_cannot_expire_after_its_period() -> None:
    """A PRC is valid for its own period: an expiry beyond it would read, with both period dates
    withheld (any mdoc element can be), as a card valid until then (security review R9)."""
    prc = {**{k: v for k, v in ANNA.ehic.items() if k != "date_of_expiry"},
           "starting_date": "2026-11-20", "ending_date": "2026-12-31"}
    with pytest.raises(DataError) as refused:
        ehic.validate({**prc, "date_of_expiry": "2027-12-31"})
    err = refused.value
    assert (err.field, err.key, err.params) == ("date_of_expiry", "date.not_after", {"other_field": "ending_date"})
    ehic.validate({**prc, "date_of_expiry": "2026-12-31"})


def test_a_prc_is_described_as_a_certificate_with_its_own_period() -> None:
    text = ehic.describe(_prc(), "en")
    assert "card" not in text.lower().replace("health insurance card", "")
    assert "provisional replacement certificate" in text.lower()
    assert "from 20 November 2026 to 31 December 2026" in text
    for lang in i18n.LANGUAGES:
        sentence = ehic.describe(_prc(), lang)
        assert i18n.format_date("2026-11-20", lang) in sentence and i18n.format_date("2026-12-31", lang) in sentence
    assert "EVAK aizvietojošais sertifikāts" in ehic.describe(_prc(), "lv")  # NVD's own term


def test_a_card_is_still_described_as_a_card_until_its_expiry() -> None:
    card = ehic.validate(ANNA.ehic)
    assert "card" in ehic.describe(card, "en") and "valid until" in ehic.describe(card, "en")
    assert ehic.title(card, "de") == "Europäische Krankenversicherungskarte"


def test_a_prc_paper_copy_is_titled_as_a_certificate() -> None:
    for lang in i18n.LANGUAGES:
        title, _ = paper_text(ehic, _prc(), HOLDER, demo_entity("LV:NVD"), lang)
        assert title == ehic.title(_prc(), lang) != ehic.title(ehic.validate(ANNA.ehic), lang)
    assert paper_text(ehic, _prc(), HOLDER, demo_entity("LV:NVD"), "en")[0].startswith(
        "Provisional Replacement Certificate")


# --- F9: the paper A1 prints what its sections show ---------------------------------------------------

def test_the_paper_a1_says_status_number_places_and_transitional_rules_in_each_language() -> None:
    claims = pda1.validate(_period("2019-01-01", "2019-12-31", transitional_rules=True))
    for lang in i18n.LANGUAGES:
        _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), lang)
        text = "\n".join(lines)
        assert claims["document_number"] in text and claims["personal_administrative_number"] in text
        assert pda1.STATUS_CODES["01"][i18n.LANGUAGES.index(lang)] in text
        assert "Berlin" in text and "883/2004" in text, text
    _, lines = paper_text(pda1, pda1.validate(_a1()), HOLDER, demo_entity("LV:VSAA"), "en")
    assert "883/2004" not in "\n".join(lines)  # the box not ticked: not printed


def test_the_paper_a1_says_no_fixed_place_of_work() -> None:
    claims = pda1.validate(_a1(work_address=None, work_information={"no_fixed_place_of_work": "DE"}))
    _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), "en")
    assert "Place of work: no fixed place of work in Germany" in lines
    _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), "de")
    assert "Arbeitsort: kein fester Arbeitsort, Staat: Deutschland" in lines


def test_every_language_of_the_paper_a1_prints_with_the_shipped_font() -> None:
    claims = pda1.validate(_period("2019-01-01", "2019-12-31", transitional_rules=True))
    for lang in i18n.LANGUAGES:
        title, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), lang)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # fpdf2 warns of every glyph its font lacks
            render_pdf(title=title, lines=lines, qr_png=compact.qr_png("HC1:TEST"), footer="—")


def _printed(pdf: bytes) -> str:
    """The text a PDF of :func:`render_pdf` prints, without spaces (fpdf2 spaces words by kerning):
    its content streams' strings of glyph ids, read through the font's ToUnicode map."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    glyphs: dict[int, str] = {}
    for stream in streams:
        for body in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for code, text in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", body):
                glyphs[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    out = []
    for stream in streams:
        if b"Tj" not in stream and b"TJ" not in stream:
            continue
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)", stream, re.S):
            # PDF 32000-1 §7.3.4.2: \ddd is an octal code; before any other character (\8, \9 too) the
            # backslash is dropped.
            data = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: escapes.get(m.group(1), bytes([int(m.group(1), 8)])
                          if m.group(1)[0] in b"01234567" else m.group(1)), literal, flags=re.S)
            out.append("".join(glyphs.get(int.from_bytes(data[i:i + 2], "big"), "?") for i in range(0, len(data), 2)))
    return "".join(out).replace(" ", "")


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Clerk, httpx.Client]]:
    data_dir: Path = tmp_path_factory.mktemp("domain-rules")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=30) as http:
        yield Clerk(stack.issuer_url, data_dir, http), http


def test_the_printed_a1_shows_its_number_and_status_in_the_clerks_language(pilot: tuple[Clerk, httpx.Client]) -> None:
    clerk, http = pilot
    today = datetime.now(UTC).date()
    claims = unnumbered(_a1(work_address=None, work_information={"work_address": [
        {"company_name": "Bau GmbH", "locality": "Berlin", "country": "DE"},
        {"locality": "Wien", "country": "AT"}]}, date_of_issuance=today.isoformat()))
    case_id = clerk.create_case("LV:VSAA", "pda1", claims, HOLDER)
    number = clerk.case("LV:VSAA", case_id)["claims"]["document_number"]
    response = http.get(f"{clerk.url}/lv-vsaa/api/cases/{case_id}/paper.pdf?lang=de",
                        headers={"Authorization": f"Bearer {clerk.tokens['LV:VSAA']}"})
    assert response.status_code == 200, response.text
    printed = _printed(response.content)
    for expected in ("Portables Dokument A1", f"Dokumentnummer: {number}", "Status: 01 entsandte/r Beschäftigte/r",
                     "Arbeitsort: Bau GmbH, Berlin, Deutschland", "Arbeitsort: Wien, Österreich"):
        assert expected.replace(" ", "") in printed, (expected, printed)


def test_the_printed_prc_is_titled_as_a_certificate(pilot: tuple[Clerk, httpx.Client]) -> None:
    clerk, _ = pilot
    today = datetime.now(UTC).date()
    prc = {k: v for k, v in unnumbered(ANNA.ehic).items() if k != "date_of_expiry"}
    prc.update(starting_date=today.isoformat(), ending_date=(today + timedelta(days=30)).isoformat())
    case_id = clerk.create_case("LV:NVD", "ehic", prc, HOLDER)
    printed = _printed(clerk.paper("LV:NVD", case_id))
    assert "ProvisionalReplacementCertificateoftheEuropeanHealthInsuranceCard" in printed, printed
    assert "provisionalreplacementcertificate" in printed


def test_the_issuer_refuses_to_record_a_competent_institution_of_another_state(
        pilot: tuple[Clerk, httpx.Client]) -> None:
    clerk, http = pilot
    for entity, configuration, claims, field in (
            ("LV:NVD", "ehic", {**unnumbered(ANNA.ehic), "authentic_source": {"id": "LV:NVD", "name": "NVD",
                                                                              "country": "DE"}},
             "authentic_source.country"),
            ("LV:VSAA", "pda1", {**unnumbered(ANNA.pda1), "authentic_source": {"id": "DE:DRV", "name": "DRV"}},
             "authentic_source.id")):
        response = http.post(f"{clerk.url}/{demo_entity(entity).path}/api/cases",
                             headers={"Authorization": f"Bearer {clerk.tokens[entity]}"},
                             json={"configuration_id": configuration, "claims": claims, "holder": HOLDER})
        assert response.status_code == 400, response.text
        body = response.json()
        assert (body["field"], body["rule_key"]) == (field, "issuer.own_institution"), body


def test_the_issuer_refuses_a_posting_to_nowhere_naming_the_field_and_rule(pilot: tuple[Clerk, httpx.Client]) -> None:
    clerk, http = pilot
    response = http.post(f"{clerk.url}/lv-vsaa/api/cases",
                         headers={"Authorization": f"Bearer {clerk.tokens['LV:VSAA']}"},
                         json={"configuration_id": "pda1", "claims": unnumbered(_a1(work_address=None))})
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["field"], body["rule_key"], body["rule_params"]) == ("work_address", "pda1.posting_place",
                                                                      {"country": "LV"})


# --- Q8: the German status words name the person --------------------------------------------------------

def test_the_german_status_words_name_one_person() -> None:
    assert pda1.status_text("07", "de") == "07 Seemann/Seefrau"
    assert pda1.status_text("10", "de") == "10 Flug- oder Kabinenbesatzungsmitglied"


# --- QA office: an A1 is not dated before Regulation 883/2004 applied to the issuing state --------------

@pytest.mark.parametrize(("legislation", "first_day"), [("LV", "2010-05-01"), ("CH", "2012-04-01"),
                                                         ("NO", "2012-06-01"), ("HR", "2013-07-01")])
def test_an_a1_dated_before_883_2004_applied_to_the_issuing_state_is_refused(legislation: str,
                                                                             first_day: str) -> None:
    """987/2009 Art. 19(2), 97: the A1 exists from the day 883/2004 applied to the issuing state; a
    date of issue before it (a slip: 2005 for 2025) would sign a document that could not exist."""
    claims = _a1(legislation_country=legislation, starting_date="2025-01-01", ending_date="2025-12-31")
    pda1.validate({**claims, "date_of_issuance": first_day})
    day_before = (date.fromisoformat(first_day) - timedelta(days=1)).isoformat()
    err = _refused({**claims, "date_of_issuance": day_before})
    assert (err.field, err.key, err.params) == ("date_of_issuance", "pda1.issued_before_883",
                                                {"country": legislation, "date": first_day})
    assert "E 101" in err.rule



# --- An EHIC valid for at most five years ---------------------------------------------------------------

def test_an_ehic_expiring_more_than_five_years_after_its_issue_is_refused() -> None:
    """A card's expiry is at most five years after its date of issue (ehic.VALID_MAX_YEARS, the longest
    the verifier takes a day of care back): 2199 typed for 2029 is refused by name, in the clerk's
    language, and the fifth anniversary itself is kept (28 February for a card issued on a 29th)."""
    card = {**ANNA.ehic, "date_of_issuance": "2028-02-29"}
    with pytest.raises(DataError) as refused:
        ehic.validate({**card, "date_of_expiry": "2199-02-28"})
    err = refused.value
    assert (err.field, err.key, err.params) == ("date_of_expiry", "date.years_after",
                                                {"years": 5, "other_field": "date_of_issuance"})
    said = {lang: i18n.t("rule.date.years_after", lang, **err.params) for lang in i18n.LANGUAGES}
    assert len(set(said.values())) == 5 and all("{" not in text and "5" in text for text in said.values())
    with pytest.raises(DataError):
        ehic.validate({**card, "date_of_expiry": "2033-03-01"})
    ehic.validate({**card, "date_of_expiry": "2033-02-28"})


# --- A holder's age is a person's ---------------------------------------------------------------------------

def test_a_person_born_more_than_120_years_before_the_date_of_issue_is_refused() -> None:
    """A birth date more than claims.BIRTH_MAX_YEARS before the date of issue (1850, 1095 for 1995) is a
    typing mistake, refused by name for the holder and a represented person's card alike; 120 years
    to the day is kept."""
    from credentials.claims import person

    issued = ANNA.ehic["date_of_issuance"]
    oldest = f"{int(issued[:4]) - 120}{issued[4:]}"
    with pytest.raises(DataError) as refused:
        person({**HOLDER, "birthdate": "1850-01-01"}, issued)
    assert (refused.value.field, refused.value.key, refused.value.params) == (
        "holder.birthdate", "date.years_before", {"years": 120, "other_field": "date_of_issuance"})
    assert person({**HOLDER, "birthdate": oldest}, issued)["birthdate"] == oldest
    child = {"forenames": "Zoë", "familynames": "Bērziņa", "date_of_birth": "1850-01-01"}
    with pytest.raises(DataError) as refused:
        ehic.validate({**ANNA.ehic, "subject": child})
    assert (refused.value.field, refused.value.key) == ("subject.date_of_birth", "date.years_before")
    said = {lang: i18n.t("rule.date.years_before", lang, **refused.value.params) for lang in i18n.LANGUAGES}
    assert len(set(said.values())) == 5 and all("{" not in text and "120" in text for text in said.values())


def test_an_a1_worker_younger_than_13_is_refused_but_a_newborn_has_an_ehic(
        pilot: tuple[Clerk, httpx.Client]) -> None:
    """An A1 certifies work: its worker is pda1.WORKER_MIN_AGE (13, light work under Directive 94/33/EC
    Art. 4(2)(b)) on the first day of its period at least; a birth date that makes them younger (2023
    for 1983) is refused by name. An EHIC has no such rule: a child born on the day its card is
    issued is insured from birth."""
    clerk, http = pilot
    a1 = unnumbered(ANNA.pda1)
    start = date.fromisoformat(a1["starting_date"])
    too_young = start.replace(year=start.year - 12).isoformat()
    response = http.post(f"{clerk.url}/lv-vsaa/api/cases",
                         headers={"Authorization": f"Bearer {clerk.tokens['LV:VSAA']}"},
                         json={"configuration_id": "pda1", "claims": a1, "holder": {**HOLDER, "birthdate": too_young}})
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["field"], body["rule_key"], body["rule_params"]) == (
        "holder.birthdate", "person.min_age", {"years": 13, "other_field": "starting_date"}), body
    card = unnumbered(ANNA.ehic)
    clerk.create_case("LV:NVD", "ehic", card, {**HOLDER, "birthdate": card["date_of_issuance"]})
