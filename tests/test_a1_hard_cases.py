"""A1 hard cases (review R1, findings 2-7 and 10): an Art. 13 A1 of an employer established outside the
Union (987/2009 Art. 14(11)); crew (Art. 11(5)) and Art. 13 A1s whose places of work contradict their
status; a posted self-employed person is not called an employer, and the verdict page tells the two
apart with each entry's number and state; when 883/2004 applied between Croatia and Switzerland or the
EEA EFTA states; the case page's guide speaks of a posting only for a posting. With each refusal, the
legitimate A1s beside it that stay accepted.

Over real HTTP against the registry, issuer and verifier started in process on loopback ports
(esspass.stack.start_in_process), the reference wallet receiving and presenting as a phone does; the back
office through its sign-in form and CSRF token, as tests/test_office_multi_state.py does.

The provisional A1 and box 2.4 (findings 1, 8, 9): section 2.5 of the paper A1, "determination
provisional" (Regulation (EC) No 987/2009 Art. 16(2)-(3)), and 2.4, "the certification applies for the
duration of the activity", are recorded by the clerk (form, CSV, API), carried in the credential (claims
``determination_provisional`` and ``applies_for_duration``, an ESSPASS extension of DC4EU v1.1, never
selectively disclosable) and shown by the wallet, the paper copy and the inspector's verdict; French dates
write the first of a month "1er"; the paper copy writes the birth date as the other dates.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import i18n, pda1
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.errors import DataError
from esspass.stack import Clerk, Inspector, InspectorAuth, Stack, open_wallet, start_in_process
from esspass.testing import office_form
from issuer.office import COOKIE

LENA = DEMO_PERSONS[2]  # a German PID without a personal number: tied to her A1 by its section 1 names
HOLDER = {k: LENA.pid[k] for k in ("family_name", "given_name", "birthdate")}
VSAA = {"id": "LV:VSAA", "name": "Valsts sociālās apdrošināšanas aģentūra"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_in_process(tmp_path_factory.mktemp("r1")) as started:
        yield started


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as client:
        yield client


@pytest.fixture
def api(stack: Stack) -> Iterator[httpx.Client]:
    tokens = json.loads((stack.data_dir / "issuer" / "clerk-tokens.json").read_text())
    with httpx.Client(base_url=f"{stack.issuer_url}/lv-vsaa/api", timeout=30,
                      headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}) as client:
        yield client


@pytest.fixture
def office(stack: Stack) -> Iterator[httpx.Client]:
    tokens = json.loads((stack.data_dir / "issuer" / "clerk-tokens.json").read_text())
    signed = httpx.post(f"{stack.issuer_url}/lv-vsaa/office/login", data={"token": tokens["LV:VSAA"]})
    assert signed.status_code == 303, signed.text
    with httpx.Client(base_url=f"{stack.issuer_url}/lv-vsaa", cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30,
                      headers={"Accept-Language": "en"}) as client:
        yield client


_counter = iter(range(1000, 10_000))


def _number() -> str:
    """A personal number of its own per case: no A1 of one test overlaps another's (Art. 11(1) warning)."""
    return f"DEMO-R1-{next(_counter)}"


def a1(**changes: Any) -> dict[str, Any]:
    """An LV:VSAA A1 covering today (2026-10-01 to 2027-09-30), with ``changes``."""
    claims: dict[str, Any] = {
        "personal_administrative_number": _number(),
        "issuing_authority": {**VSAA, "country": "LV"}, "issuing_country": "LV", "authentic_source": dict(VSAA),
        "date_of_issuance": "2026-10-21", "starting_date": "2026-10-01", "ending_date": "2027-09-30",
        "legislation_country": "LV",
    }
    claims.update(changes)
    return claims


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _wallet(stack: Stack, http: httpx.Client, where: Path) -> Any:
    """A fresh reference wallet holding Lena's German PID (with portrait)."""
    wallet = open_wallet(where, stack.registry_url, "pw-r1-wallet", fast_kdf=True, pki_dir=stack.data_dir / "pki")
    Clerk(stack.issuer_url, stack.data_dir, http).hand_over(wallet, LENA.pid_provider, "pid",
                                                            {**LENA.pid, "picture": portrait(LENA)})
    return wallet


def _hand_over(api: httpx.Client, wallet: Any, case_id: str) -> None:
    offer = api.post(f"/cases/{case_id}/offer")
    assert offer.status_code in (200, 201), offer.text
    wallet.accept_offer(wallet.open_offer(offer.json()["link"])[0], offer.json()["tx_code"])


def _inspect_page(stack: Stack, wallet: Any, lang: str = "en") -> tuple[dict[str, Any], str]:
    """An inspector's check on the verifier's pages (signed in, "Start"), the wallet answering it: the
    API's verdict and the verdict page's text."""
    with httpx.Client(base_url=stack.verifier_url, timeout=30) as browser:
        signed = browser.post("/login", data={"token": stack.inspector_token, "next": "/"})
        assert signed.status_code == 303, signed.text
        started = browser.post(f"/inspect?lang={lang}", data={"profile": "pda1"})
        assert started.status_code == 303, started.text
        view = started.headers["location"].split("?")[0].rsplit("/", 1)[1]
        waiting = browser.get(started.headers["location"]).text
        found = re.search(r'(openid4vp://[^"<\s]+)', waiting)
        assert found, waiting
        link = html.unescape(found.group(1))
        consent = wallet.open_request(link, lang)
        wallet.share(consent.id)
        page = browser.get(f"/inspect/{view}/verdict?lang={lang}")
        assert page.status_code == 200, page.text
        result = browser.get(f"/api/requests/{view}/result",
                             headers={"Authorization": f"Bearer {stack.inspector_token}"})
        text = html.unescape(re.sub(r"<[^>]+>", " ", page.text))
        return result.json().get("verdict") or {}, " ".join(text.split())


# --- 2. An employer established outside the coordination states (987/2009 Art. 14(11)) ----------------------

def test_art13_employer_established_outside_the_union_is_accepted(api: httpx.Client) -> None:
    """987/2009 Art. 14(11): a person employed in two or more Member States on behalf of an employer
    established outside the Union, residing in one without substantial activity there, is subject to the
    legislation of residence: the A1 (status 02) names that employer, whose registered office is, say, in
    the United States. Section 4 of the A1 gives the employer's address in any state."""
    claims = a1(status_confirmation="02",
                employer=[{"type": "01", "id": "US-EIN-123456", "name": "Acme Shipping Inc.", "country": "US"}],
                work_information={"work_address": [{"locality": "Tallinn", "country": "EE"},
                                                   {"locality": "Vilnius", "country": "LT"}]})
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 201, created.text


# --- 3. Flight and cabin crew: the legislation of the home base (883/2004 Art. 11(5)) -----------------------

def test_crew_status_with_home_base_only_in_another_state_is_refused(api: httpx.Client) -> None:
    """Status 10 says the legislation was determined by Art. 11(5): the activity of a flight or cabin crew
    member is deemed pursued in the state of the home base, so its legislation is that state's (Art.
    11(3)(a)). A Latvian A1 with status 10 whose only place of work, the home base, is Vienna contradicts
    itself (a crew member temporarily based abroad is a posting, 01; one based in two states, 02), as
    status 12 naming only places abroad does, which the issuer already refuses."""
    claims = a1(status_confirmation="10",
                employer=[{"type": "01", "id": "LV40003000001", "name": "airBaltic Demo AS", "country": "LV"}],
                work_information={"work_address": [{"locality": "Schwechat", "country": "AT",
                                                    "flag_base_home": "VIE"}]})
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 400, created.text


# --- 4. "Employed in two or more states" naming one state only (883/2004 Art. 13(1)) ------------------------

def test_two_or_more_states_naming_only_the_competent_state_is_refused(api: httpx.Client) -> None:
    """Status 02 is activity in two or more states (Art. 13(1); 987/2009 Art. 14(8)-(10) decide from
    where the work is): an A1 whose every place of work is in the legislation's own state names no other
    state, and tells the host inspector nothing of where abroad the person works. The issuer refuses a
    posting that names no place abroad (pda1.posting_abroad); the same holds here."""
    claims = a1(status_confirmation="02",
                employer=[{"type": "01", "id": "LV40000000088", "name": "Rīgas Ceļi SIA", "country": "LV"}],
                work_information={"work_address": [{"locality": "Rīga", "country": "LV"},
                                                   {"locality": "Liepāja", "country": "LV"}]})
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 400, created.text


# --- 5. A posted self-employed person is no employer of their own (883/2004 Art. 12(2)) ---------------------

def test_posted_self_employed_form_entry_is_not_called_an_employer(office: httpx.Client, api: httpx.Client) -> None:
    """The form's hint says a type left empty is given by the situation ("02 for 03 and 04"); but with one
    entry and one place the case stays v1, untyped, and every text of it (the case's sentence, the paper
    copy, the wallet, the verdict) says "employer Jānis Kalniņš Būvdarbi" of a posted self-employed person.
    Section 4 of the A1 tells employment (4.1) from self-employment (4.2)."""
    page = office.get("/office/new/pda1?lang=en").text
    claims = a1(status_confirmation="03")
    form = {"csrf": _csrf(page), "personal_administrative_number": claims["personal_administrative_number"],
            "date_of_issuance": "2026-10-21", "starting_date": "2026-10-01", "ending_date": "2027-09-30",
            "legislation_country": "LV", "status_confirmation": "03",
            "employer.id": "LV-SELF-0042", "employer.name": "Jānis Kalniņš Būvdarbi", "employer.country": "LV",
            "work_address.locality": "Berlin", "work_address.country": "DE",
            **{f"holder.{k}": v for k, v in HOLDER.items()}}
    created = office.post("/office/new/pda1?lang=en", data=form)
    assert created.status_code == 303, created.text
    case_id = created.headers["location"].split("?")[0].rsplit("/", 1)[1]
    case = api.get(f"/cases/{case_id}").json()
    for lang, wrong, right in (("en", "employer", "self-employed"), ("de", "Arbeitgeber", "selbständig"),
                               ("fr", "employeur", "non salariée")):
        sentence = case["description"][lang]
        assert wrong not in sentence and right in sentence, (lang, sentence)


def test_verdict_page_tells_self_employment_from_employment_and_names_the_employers(
        stack: Stack, api: httpx.Client, http: httpx.Client, tmp_path: Path) -> None:
    """Status 08 (883/2004 Art. 13(3)): employed by Daugava Logistics SIA in Latvia, self-employed in
    Estonia. The wallet and the paper copy say "Employer: ..." and "Self-employed activity: ..." with each
    one's registration number and state; the inspector's verdict page lists both names under "Employer",
    without number or state, so the inspector cannot tell the employer at the site from the person's own
    business, nor check the registration number the posting declaration gives (Directive 2014/67/EU Art. 9)."""
    claims = a1(status_confirmation="08",
                employer=[{"type": "01", "id": "LV40000000077", "name": "Daugava Logistics SIA", "country": "LV"},
                          {"type": "02", "id": "EE-FIE-14000001", "name": "Own design studio", "country": "EE"}],
                work_information={"work_address": [{"locality": "Rīga", "country": "LV"},
                                                   {"locality": "Tartu", "country": "EE"}]})
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 201, created.text
    wallet = _wallet(stack, http, tmp_path / "phone")
    _hand_over(api, wallet, created.json()["id"])
    verdict, text = _inspect_page(stack, wallet)
    assert verdict["verdict"] == "valid", verdict
    assert "Self-employed activity" in text, text
    assert "LV40000000077" in text and "EE-FIE-14000001" in text, text


# --- 8. Croatia with Switzerland and the EEA EFTA states ------------------------------------------------------

@pytest.mark.parametrize(("legislation", "host", "start", "applies_from"), [
    ("CH", "HR", "2015-03-01", "2017-01-01"),  # Protocol III to the EU-CH agreement (AFMP), in force 2017-01-01
    ("HR", "CH", "2016-06-01", "2017-01-01"),
    ("NO", "HR", "2013-09-01", "2014-04-12"),  # EEA enlargement agreement for Croatia, applied from 2014-04-12
])
def test_croatia_with_switzerland_or_the_eea_only_from_when_the_regulation_applied_between_them(
        legislation: str, host: str, start: str, applies_from: str) -> None:
    """Regulation 883/2004 reached Croatia on its accession (1 July 2013) for the EU only: between Croatia
    and Switzerland from 1 January 2017 (Protocol III to the Agreement on the Free Movement of Persons),
    between Croatia and Iceland, Liechtenstein and Norway from the EEA enlargement agreement's provisional
    application (12 April 2014). Before that no A1 could certify a period between them; the model knows
    such pair dates (CH with the EEA EFTA states, 2016) but not these."""
    claims = {"personal_administrative_number": "DEMO-R1-HR-0001",
              "issuing_authority": {"id": f"{legislation}:X", "name": "X", "country": legislation},
              "issuing_country": legislation, "authentic_source": {"id": f"{legislation}:X", "name": "X"},
              "document_number": "R1-HR-0001", "date_of_issuance": start, "starting_date": start,
              "ending_date": f"{int(start[:4])}-12-31", "legislation_country": legislation,
              "status_confirmation": "01", "employer": {"id": "E-1", "name": "Employer", "country": legislation},
              "work_address": {"locality": "Town", "country": host}}
    with pytest.raises(DataError) as refused:
        pda1.validate(claims)
    assert refused.value.field == "starting_date"
    assert applies_from in str(refused.value)


# --- 9. The case page's guide speaks of a posting for every A1 -------------------------------------------------

def test_case_guide_of_an_art13_a1_does_not_speak_of_a_posting(office: httpx.Client, api: httpx.Client) -> None:
    """The guide beside the actions of an A1 says "The posting ended early" (DE "Die Entsendung endete
    vorzeitig", FR "Le détachement a pris fin plus tôt") whatever its status: an A1 for work in two or more
    states (02, Art. 13), a civil servant's (05), a mariner's (07) certifies no posting. "The activity
    ended early" says it of every A1."""
    claims = a1(status_confirmation="02",
                employer=[{"type": "01", "id": "LV40000000077", "name": "Daugava Logistics SIA", "country": "LV"}],
                work_information={"work_address": [{"locality": "Rīga", "country": "LV"},
                                                   {"locality": "Tallinn", "country": "EE"}]})
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 201, created.text
    for lang, posting in (("en", "posting"), ("de", "Entsendung"), ("fr", "détachement")):
        page = office.get(f"/office/cases/{created.json()['id']}?lang={lang}")
        assert page.status_code == 200
        text = html.unescape(re.sub(r"<[^>]+>", " ", page.text))
        assert posting not in text, (lang, [line for line in text.splitlines() if posting in line])


# --- what stays accepted beside the refusals ------------------------------------------------------------------

def _valid(**changes: Any) -> dict[str, Any]:
    """``a1(**changes)`` numbered, as pda1.validate reads it (the issuer gives the number otherwise)."""
    return pda1.validate({**a1(**changes), "document_number": "R1-HARD-0001"})


CREW = [{"type": "01", "id": "LV40003000001", "name": "airBaltic Demo AS", "country": "LV"}]


def test_crew_based_in_two_other_states_or_under_the_transitional_rules_is_not_refused() -> None:
    """Art. 11(5) only deems the work done at the home base; the legislation then follows Title II: home
    bases in two states are Art. 13 (the employer's seat may decide, 13(1)(b)), which a clerk may file as
    10; Art. 87a(1) of 883/2004 kept the legislation that applied before 28 June 2012 for crew. Only a
    single home base abroad, with neither, is refused; a home base in the legislation's state is fine."""
    two_bases = {"work_address": [{"locality": "Schwechat", "country": "AT", "flag_base_home": "VIE"},
                                  {"locality": "Frankfurt am Main", "country": "DE", "flag_base_home": "FRA"}]}
    assert _valid(status_confirmation="10", employer=CREW, work_information=two_bases)["status_confirmation"] == "10"
    transitional = {"starting_date": "2019-01-01", "ending_date": "2019-12-31", "date_of_issuance": "2019-01-01",
                    "transitional_rules": True}
    vienna = {"work_address": [{"locality": "Schwechat", "country": "AT", "flag_base_home": "VIE"}]}
    assert _valid(status_confirmation="10", employer=CREW, work_information=vienna, **transitional)
    at_home = {"work_address": [{"locality": "Rīga airport", "country": "LV", "flag_base_home": "RIX"}]}
    assert _valid(status_confirmation="10", employer=CREW, work_information=at_home)
    with pytest.raises(DataError) as refused:
        _valid(status_confirmation="10", employer=CREW, work_information=vienna)
    assert (refused.value.field, refused.value.key) == ("work_information.work_address.0.country",
                                                        "pda1.crew_home_base")


def test_two_or_more_states_naming_a_state_abroad_is_accepted_even_with_no_place_in_the_competent_state() -> None:
    """Art. 13(1)(b)(i): a person working in Estonia and Lithuania for a Latvian employer, with no
    substantial activity in the state of residence, is under Latvian legislation with no place of work in
    Latvia; a depot in Rīga with no fixed place of work in Germany names a state abroad too, as does a
    flat v1 A1's one place abroad. Self-employment (04) alike."""
    employer = [{"type": "01", "id": "LV40000000077", "name": "Daugava Logistics SIA", "country": "LV"}]
    for places in ({"work_address": [{"locality": "Tallinn", "country": "EE"},
                                     {"locality": "Vilnius", "country": "LT"}]},
                   {"work_address": [{"locality": "Rīga", "country": "LV"}], "no_fixed_place_of_work": "DE"}):
        assert _valid(status_confirmation="02", employer=employer, work_information=places)
    assert _valid(status_confirmation="02", employer={"id": "LV40000000077", "name": "Daugava Logistics SIA",
                                                      "country": "LV"},
                  work_address={"locality": "Tallinn", "country": "EE"})
    own = [{"type": "02", "id": "LV-SELF-7", "name": "Own studio", "country": "LV"}]
    with pytest.raises(DataError) as refused:
        _valid(status_confirmation="04", employer=own, work_information={"no_fixed_place_of_work": "LV"})
    assert (refused.value.field, refused.value.key) == ("work_information.no_fixed_place_of_work",
                                                        "pda1.multi_state_abroad")
    assert "04" in str(refused.value) and "outside LV" in str(refused.value)


@pytest.mark.parametrize(("legislation", "host", "applies_from", "before"), [
    ("CH", "HR", "2017-01-01", "2016-06-01"), ("HR", "NO", "2014-04-12", "2014-01-01"),
    ("IS", "HR", "2014-04-12", "2014-04-11"), ("HR", "LI", "2014-04-12", "2013-07-01")])
def test_croatia_with_switzerland_or_the_eea_from_that_day_and_the_refusal_names_no_e101(
        legislation: str, host: str, applies_from: str, before: str) -> None:
    """From the pair's day an A1 is issued; before it, the words say that no coordination regulation
    applied between them (Croatia was never under 1408/71: no E 101 either), only a bilateral agreement."""
    def claims(start: str) -> dict[str, Any]:
        return {"personal_administrative_number": "DEMO-R1-HR-0002",
                "issuing_authority": {"id": f"{legislation}:X", "name": "X", "country": legislation},
                "issuing_country": legislation, "authentic_source": {"id": f"{legislation}:X", "name": "X"},
                "document_number": "R1-HR-0002", "date_of_issuance": start, "starting_date": start,
                "ending_date": f"{start[:4]}-12-31", "legislation_country": legislation, "status_confirmation": "01",
                "employer": {"id": "E-1", "name": "Employer", "country": legislation},
                "work_address": {"locality": "Town", "country": host}}

    assert pda1.validate(claims(applies_from))["starting_date"] == applies_from
    with pytest.raises(DataError) as refused:
        pda1.validate(claims(before))
    assert refused.value.key == "pda1.before_accession_between"
    assert "E 101" not in str(refused.value) and "bilateral agreement" in str(refused.value)


def test_an_a1_naming_switzerland_norway_and_croatia_is_refused_with_the_latest_pair_day() -> None:
    """Three states, three pairs (CH-NO 2016, CH-HR 2017, HR-NO 2014): the latest decides."""
    claims = _valid(status_confirmation="02", work_information={"work_address": [
        {"locality": "Zürich", "country": "CH"}, {"locality": "Oslo", "country": "NO"}]},
        employer=[{"type": "01", "id": "E-1", "name": "Employer", "country": "LV"}])
    claims = {**claims, "issuing_country": "HR", "legislation_country": "HR",
              "issuing_authority": {"id": "HR:X", "name": "X", "country": "HR"},
              "starting_date": "2016-06-01", "ending_date": "2017-05-31", "date_of_issuance": "2016-06-01"}
    with pytest.raises(DataError) as refused:
        pda1.validate(claims)
    assert "2017-01-01" in str(refused.value) and "CH and HR" in str(refused.value)


def test_a_posted_self_employed_persons_own_activity_is_labelled_so_on_paper_lines_and_the_verdict() -> None:
    """A flat v1 entry has no type: the status says it (03, 04: Art. 12(2), 13(2)), as section 4.2 of
    the A1 would; an employee's (01) stays "Employer"."""
    from test_verification import _verdict_page

    from credentials import verification

    entry = {"id": "LV-SELF-0042", "name": "Jānis Kalniņš Būvdarbi", "country": "LV"}
    assert pda1.employer_text(entry, "de", "03") == "Selbstständige Tätigkeit: Jānis Kalniņš Būvdarbi, LV-SELF-0042, " \
                                                   "Lettland"
    assert pda1.employer_text(entry, "en", "01").startswith("Employer: ")
    assert pda1.employer_text(entry, "en").startswith("Employer: ")  # no status: as before
    claims = _valid(status_confirmation="03", employer=entry, work_address={"locality": "Berlin", "country": "DE"})
    page = _verdict_page(verification.CredentialResult("pda1", vct=pda1.VCT, claims=claims, issuer_id="LV:VSAA"))
    assert '<dt>Self-employed activity</dt><dd class="employer" id="employer">Jānis Kalniņš Būvdarbi, LV-SELF-0042, ' \
           'Latvia</dd>' in page
    assert "<dt>Employer</dt>" not in page


def test_an_employer_outside_the_union_is_named_by_its_code_and_a_place_of_work_there_is_still_refused(
        api: httpx.Client) -> None:
    """The employer's state may be any (987/2009 Art. 14(11)); the places of work stay in the 32 states
    whose legislation the A1 coordinates, and a code that is no state at all is refused."""
    employer = [{"type": "01", "id": "US-EIN-123456", "name": "Acme Shipping Inc.", "country": "US"}]
    claims = _valid(status_confirmation="02", employer=employer, work_information={
        "work_address": [{"locality": "Tallinn", "country": "EE"}, {"locality": "Vilnius", "country": "LT"}]})
    assert pda1.employer_text(claims["employer"][0], "en") == "Employer: Acme Shipping Inc., US-EIN-123456, US"
    for field, value in (("work_information.work_address.1.country", "US"), ("employer.0.country", "XX")):
        changed = json.loads(json.dumps(a1(status_confirmation="02", employer=employer, work_information={
            "work_address": [{"locality": "Tallinn", "country": "EE"}, {"locality": "Vilnius", "country": "LT"}]})))
        where: Any = changed
        *path, last = field.split(".")
        for part in path:
            where = where[int(part)] if part.isdigit() else where[part]
        where[last] = value
        refused = api.post("/cases", json={"configuration_id": "pda1", "claims": changed, "holder": HOLDER})
        assert refused.status_code == 400 and refused.json()["field"] == field, refused.text


def test_case_guide_says_the_activity_ended_early_for_an_a1_that_is_no_posting(office: httpx.Client,
                                                                               api: httpx.Client) -> None:
    """The same guide, in each language, for an Art. 13 A1; a posting's (01) still says "posting"."""
    claims = a1(status_confirmation="02",
                employer=[{"type": "01", "id": "LV40000000077", "name": "Daugava Logistics SIA", "country": "LV"}],
                work_information={"work_address": [{"locality": "Rīga", "country": "LV"},
                                                   {"locality": "Tallinn", "country": "EE"}]})
    posting = a1(status_confirmation="01", employer={"id": "LV40000000099", "name": "Baltic Build SIA",
                                                     "country": "LV"},
                 work_address={"locality": "Berlin", "country": "DE"})
    ids = []
    for one in (claims, posting):
        created = api.post("/cases", json={"configuration_id": "pda1", "claims": one, "holder": HOLDER})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    words = {"en": ("The activity ended early", "The posting ended early"),
             "lv": ("Darbība beidzās agrāk", "Norīkojums beidzās agrāk"),
             "de": ("Die Tätigkeit endete vorzeitig", "Die Entsendung endete vorzeitig"),
             "fr": ("L'activité a pris fin plus tôt", "Le détachement a pris fin plus tôt"),
             "pl": ("Działalność zakończyła się wcześniej", "Delegowanie zakończyło się wcześniej")}
    for lang, (activity, posted) in words.items():
        for case_id, said in zip(ids, (activity, posted), strict=True):
            page = office.get(f"/office/cases/{case_id}?lang={lang}")
            assert page.status_code == 200
            assert said in html.unescape(page.text), (lang, said)


# --- 1, 8, 9. The provisional determination and box 2.4 ------------------------------------------------------

def _checkboxes(page: str) -> dict[str, str]:
    """The form's check boxes: name -> the words of their label (wrapping or ``for``)."""
    boxes: dict[str, str] = {}
    for m in re.finditer(r'<label[^>]*>\s*<input type="checkbox" name="([^"]+)"[^>]*>(.*?)</label>', page, re.S):
        boxes[m.group(1)] = html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).strip()
    for m in re.finditer(r'<input[^>]*type="checkbox"[^>]*>', page):
        name, ident = re.search(r'name="([^"]+)"', m.group(0)), re.search(r'id="([^"]+)"', m.group(0))
        if name and ident and name.group(1) not in boxes:
            label = re.search(rf'<label[^>]*for="{re.escape(ident.group(1))}"[^>]*>(.*?)</label>', page, re.S)
            if label:
                boxes[name.group(1)] = html.unescape(re.sub(r"<[^>]+>", "", label.group(1))).strip()
    return boxes


def _inspect_api(stack: Stack, http: httpx.Client, wallet: Any) -> dict[str, Any]:
    """An inspectorate's system checking through the verifier's API, the wallet answering: the verdict,
    read once (with no retention, the one read that carries the person: a second check, not a second
    read of the page's, is what the API is asked here)."""
    inspector = Inspector(stack.verifier_url, http)
    request = inspector.request("pda1")
    wallet.share(wallet.open_request(request["link"], "en").id)
    verdict: dict[str, Any] = inspector.result(request)["verdict"]
    return verdict


# --- 1. Section 2.5 of the A1: "Determination provisional" (987/2009 Art. 16(2)-(3)) -----------------------


def test_provisional_determination_is_recorded_carried_and_shown(stack: Stack, office: httpx.Client,
                                                                 api: httpx.Client, http: httpx.Client,
                                                                 tmp_path: Path) -> None:
    """An Art. 13 case decided under 987/2009 Art. 16: the institution of residence determines the
    legislation provisionally (Art. 16(2)); it becomes definitive two months later unless contested
    (Art. 16(3)). The paper A1 has a box for it (section 2.5, beside 2.6 "transitional rules"), and the
    host state's inspector must be able to see that the A1 is provisional. The clerk needs a box on the
    form; the credential must carry it; the wallet and the verdict must say it."""
    form_page = office.get("/office/new/pda1?lang=en").text
    boxes = _checkboxes(form_page)
    provisional = [name for name, words in boxes.items() if "provisional" in words.lower()]
    assert provisional, (f"the A1 form offers no 'determination provisional' box (section 2.5); its boxes: {boxes}")
    claims = a1(status_confirmation="02")
    form = {"csrf": _csrf(form_page), "personal_administrative_number": claims["personal_administrative_number"],
            "date_of_issuance": "2026-10-21", "starting_date": "2026-10-01", "ending_date": "2027-09-30",
            "legislation_country": "LV", "status_confirmation": "02",
            "employer.id": "LV40000000077", "employer.name": "Daugava Logistics SIA", "employer.country": "LV",
            "work_address.locality": "Rīga", "work_address.country": "LV",
            "work_address.1.locality": "Tallinn", "work_address.1.country": "EE",
            provisional[0]: "true", **{f"holder.{k}": v for k, v in HOLDER.items()}}
    created = office.post("/office/new/pda1?lang=en", data=form)
    assert created.status_code == 303, created.text
    case_id = created.headers["location"].split("?")[0].rsplit("/", 1)[1]
    case = api.get(f"/cases/{case_id}").json()
    flags = {k: v for k, v in case["claims"].items() if "provisional" in k}
    assert flags and all(v is True for v in flags.values()), case["claims"]

    wallet = _wallet(stack, http, tmp_path / "phone")
    _hand_over(api, wallet, case_id)
    card = next(c for c in wallet.cards("en") if c.vct == pda1.VCT)
    shown = " ".join(f"{k} {v}" for k, v in wallet.card(card.group, "en").claims) + " " + card.description
    assert "provisional" in shown.lower(), shown
    text = _inspect_page(stack, wallet)[1]
    assert "provisional" in text.lower(), text
    verdict = _inspect_api(stack, http, wallet)
    doc = verdict["person"]["documents"][0]
    assert any("provisional" in k and v is True for k, v in doc.items()), doc


# --- 6. French dates: "1er" for the first day of the month ---------------------------------------------------

def test_french_dates_write_the_first_of_the_month_as_1er(api: httpx.Client) -> None:
    """French writes the first day of a month as an ordinal: "du 1er octobre 2026", never "du 1 octobre
    2026". Every A1 that starts on the 1st (most do) is dated so on the case, the paper copy, the wallet
    card and the verdict page in French."""
    claims = a1(status_confirmation="01", employer={"id": "LV40000000099", "name": "Baltic Build SIA",
                                                    "country": "LV"},
                work_address={"locality": "Berlin", "country": "DE"})
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 201, created.text
    sentence = created.json()["description"]["fr"]
    assert "1er octobre 2026" in sentence, sentence


# --- 7. The paper copy's birth date, in the clerk's language -------------------------------------------------

def test_paper_copy_writes_the_birth_date_as_the_other_dates(api: httpx.Client) -> None:
    """The paper A1 is read by a host-state inspector without a scanner: every date on it is written in
    the language chosen ("1. Oktober 2026", "10 janvier 2026"), but the holder's birth date, which the
    inspector compares with the identity document, is printed as 1995-07-03."""
    from credentials.institutions import demo_entity
    from issuer.paper import paper_text

    claims = pda1.validate({**a1(status_confirmation="01"), "document_number": "R1-PAPER-0001",
                            "employer": {"id": "LV40000000099", "name": "Baltic Build SIA", "country": "LV"},
                            "work_address": {"locality": "Berlin", "country": "DE"}})
    for lang, day in (("de", "3. Juli 1995"), ("fr", "3 juillet 1995"), ("en", "3 July 1995")):
        _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), lang)
        assert any(day in line for line in lines), (lang, lines)




# --- the section 2 boxes: the API, the CSV import, the inspection, the model --------------------------------

def _provisional_a1(api: httpx.Client, **changes: Any) -> str:
    """An Art. 13 A1 (02) recorded through the clerk API, with ``changes``: its case id."""
    claims = a1(status_confirmation="02", employer={"id": "LV40000000077", "name": "Daugava Logistics SIA",
                                                    "country": "LV"},
                work_address={"locality": "Tallinn", "country": "EE"}, **changes)
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 201, created.text
    case_id: str = created.json()["id"]
    return case_id


def test_a_provisional_a1_stays_valid_and_the_inspector_is_told_it_may_still_change(
        stack: Stack, api: httpx.Client, http: httpx.Client, tmp_path: Path) -> None:
    """987/2009 Art. 16(2)-(3): a provisional determination binds the other states until it changes (Art.
    5(1)), so the verdict is valid; the API's verdict carries the notice (its key and words) and both boxes,
    the page says it in the inspector's language and lists box 2.4, and the worker's card says it too."""
    case_id = _provisional_a1(api, determination_provisional=True, applies_for_duration=True)
    case = api.get(f"/cases/{case_id}").json()
    assert case["claims"]["determination_provisional"] is True and case["claims"]["applies_for_duration"] is True
    assert "La détermination est provisoire" in case["description"]["fr"]
    wallet = _wallet(stack, http, tmp_path / "phone")
    _hand_over(api, wallet, case_id)
    card = next(c for c in wallet.cards("de") if c.vct == pda1.VCT)
    rows = dict(wallet.card(card.group, "de").claims)
    assert rows["Vorläufige Festlegung"] == "✓" and rows["Die Bescheinigung gilt für die Dauer der Tätigkeit"] == "✓"
    assert "Die Festlegung ist vorläufig" in card.description

    text = _inspect_page(stack, wallet, "fr")[1]
    assert "La législation applicable a été déterminée à titre provisoire" in text, text
    assert "Le certificat s'applique pour la durée de l'activité Oui" in text, text
    assert "Détermination provisoire Oui" in text, text

    verdict = _inspect_api(stack, http, wallet)
    assert verdict["verdict"] == "valid", verdict
    assert [n["key"] for n in verdict["notices"]] == ["pda1.provisional"], verdict["notices"]
    assert "may still change" in verdict["notices"][0]["message"]
    doc = verdict["person"]["documents"][0]
    assert doc["determination_provisional"] is True and doc["applies_for_duration"] is True


def test_a_provisional_a1_that_is_not_valid_is_not_said_to_be_valid_meanwhile(
        stack: Stack, api: httpx.Client, http: httpx.Client, tmp_path: Path) -> None:
    """A provisional A1 its institution suspended: the page said "NOT VALID", then "The A1 is valid
    meanwhile" (the provisional notice, 987/2009 Art. 16(2)-(3)). The notice is for an A1 whose own checks
    passed; the document still shows box 2.5, in every language."""
    case_id = _provisional_a1(api, determination_provisional=True)
    wallet = _wallet(stack, http, tmp_path / "phone")
    _hand_over(api, wallet, case_id)
    assert api.post(f"/cases/{case_id}/suspend", json={"reason": "under review"}).status_code == 200
    verdict = _inspect_api(stack, http, wallet)
    assert verdict["verdict"] == "invalid" and verdict["reason_key"] == "status.suspended", verdict
    assert "pda1.provisional" not in [n["key"] for n in verdict["notices"]], verdict["notices"]
    assert verdict["person"]["documents"][0]["determination_provisional"] is True
    for lang in i18n.LANGUAGES:
        text = _inspect_page(stack, wallet, lang)[1]
        assert i18n.t("verifier.notice.pda1.provisional", lang) not in text, (lang, text)
        assert f"{pda1.label('determination_provisional', lang)} {i18n.t('verifier.box_ticked', lang)}" in text, \
            (lang, text)


def test_an_a1_without_the_boxes_reads_as_a_definitive_determination(stack: Stack, api: httpx.Client,
                                                                       http: httpx.Client, tmp_path: Path) -> None:
    """An A1 issued before the boxes existed (or with neither ticked) says nothing of them: its verdict
    has no provisional notice, its document no box, and its sentence reads as it always did."""
    case_id = _provisional_a1(api)
    case = api.get(f"/cases/{case_id}").json()
    assert not {"determination_provisional", "applies_for_duration"} & set(case["claims"])
    assert "provisional" not in case["description"]["en"]
    wallet = _wallet(stack, http, tmp_path / "phone")
    _hand_over(api, wallet, case_id)
    verdict = _inspect_api(stack, http, wallet)
    assert verdict["verdict"] == "valid", verdict
    assert "pda1.provisional" not in [n["key"] for n in verdict["notices"]]
    assert not {"determination_provisional", "applies_for_duration"} & set(verdict["person"]["documents"][0])


def test_the_csv_import_takes_the_section_2_boxes_as_columns(office: httpx.Client, api: httpx.Client) -> None:
    """The import's columns are the claims' names: ``determination_provisional`` and
    ``applies_for_duration`` with ``true`` tick the boxes, as the form's check boxes do."""
    from test_office_multi_state import _imported

    claims = a1(status_confirmation="02")
    row = {"configuration_id": "pda1", "personal_administrative_number": claims["personal_administrative_number"],
           "issuing_authority.id": "LV:VSAA", "issuing_authority.name": VSAA["name"], "issuing_authority.country": "LV",
           "issuing_country": "LV", "authentic_source.id": "LV:VSAA", "authentic_source.name": VSAA["name"],
           **{k: claims[k] for k in ("date_of_issuance", "starting_date", "ending_date", "legislation_country",
                                     "status_confirmation")},
           "employer.id": "LV40000000077", "employer.name": "Daugava Logistics SIA", "employer.country": "LV",
           "work_address.locality": "Tallinn", "work_address.country": "EE",
           "determination_provisional": "true", "applies_for_duration": "true",
           **{f"holder.{k}": v for k, v in HOLDER.items()}}
    upload = "\n".join([",".join(row), ",".join(f'"{v}"' for v in row.values())]).encode()
    form = office_form(office.get("/office/import").text)
    response = office.post("/office/import?lang=en", data=form,
                           files={"file": ("cases.csv", upload, "text/csv")})
    assert "1 rows imported, 0 rejected" in response.text, response.text
    case = api.get(f"/cases/{_imported(response.text)}").json()
    assert case["claims"]["determination_provisional"] is True and case["claims"]["applies_for_duration"] is True


def test_a_section_2_box_is_true_or_false(api: httpx.Client) -> None:
    """A box is ticked or not: any other value (a CSV's "yes", a number) is refused by name, never read as one."""
    for box in ("determination_provisional", "applies_for_duration"):
        refused = api.post("/cases", json={"configuration_id": "pda1", "claims": a1(
            status_confirmation="02", employer={"id": "LV40000000077", "name": "Daugava Logistics SIA",
                                                "country": "LV"},
            work_address={"locality": "Tallinn", "country": "EE"}, **{box: "yes"}), "holder": HOLDER})
        assert refused.status_code == 400, refused.text
        assert box in refused.text


def test_the_section_2_boxes_are_never_selectively_disclosable() -> None:
    """Like the rest of section 2 (the state and the period), the boxes are in the clear: a worker who
    could withhold box 2.5 would show a provisional determination as a definitive one. The type metadata
    says so and labels them in the five languages."""
    from credentials import sd_jwt
    from credentials.jose import generate_key

    metadata = {c["path"][0]: c for c in pda1.type_metadata_document()["claims"] if len(c["path"]) == 1}
    for box in ("determination_provisional", "applies_for_duration"):
        assert (box,) not in pda1.SD_PATHS
        assert metadata[box]["sd"] == "never" and len({d["label"] for d in metadata[box]["display"]}) == 5
    claims = pda1.validate({**a1(status_confirmation="02", document_number="R1-SD-0001",
                                 employer={"id": "LV40000000077", "name": "Daugava", "country": "LV"},
                                 work_address={"locality": "Tallinn", "country": "EE"}),
                            "determination_provisional": True, "applies_for_duration": True})
    issued = sd_jwt.issue(claims, sd_paths=pda1.SD_PATHS, key=generate_key(), header={"alg": "ES256"})
    in_the_clear = sd_jwt.parse(issued).issuer_jws.payload
    assert in_the_clear["determination_provisional"] is True and in_the_clear["applies_for_duration"] is True
    assert not {("determination_provisional",), ("applies_for_duration",)} & set(sd_jwt.disclosable_paths(issued))


def test_the_paper_copy_says_the_section_2_boxes() -> None:
    """The paper A1's reader has no wallet: box 2.4 is a line of its own, 2.5 is said in the sentence."""
    from credentials.institutions import demo_entity
    from issuer.paper import paper_text

    claims = pda1.validate({**a1(status_confirmation="02", document_number="R1-PAPER-0002",
                                 employer={"id": "LV40000000077", "name": "Daugava", "country": "LV"},
                                 work_address={"locality": "Tallinn", "country": "EE"}),
                            "determination_provisional": True, "applies_for_duration": True})
    _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), "pl")
    assert "Ustalenie jest tymczasowe" in lines[0], lines
    assert "Zaświadczenie obowiązuje przez cały okres wykonywania działalności." in lines, lines


def test_the_case_page_lists_the_section_2_boxes_in_the_clerks_language(office: httpx.Client,
                                                                         api: httpx.Client) -> None:
    """The clerk checks what was recorded: the boxes by the A1's words and ticked in the page's language,
    and the case's sentence saying that the determination is provisional."""
    case_id = _provisional_a1(api, determination_provisional=True, applies_for_duration=True)
    page = html.unescape(re.sub(r"<[^>]+>", " ", office.get(f"/office/cases/{case_id}?lang=lv").text))
    words = " ".join(page.split())
    assert "Provizorisks lēmums jā" in words and "Apliecinājums attiecas uz visu darbības laiku jā" in words, words
    assert "Lēmums ir provizorisks" in words, words
