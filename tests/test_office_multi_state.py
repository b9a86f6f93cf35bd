"""The back office records every A1 situation (domain review E, finding F2): several employers or
self-employed activities and several places of work (Art. 13 of 883/2004, Art. 14(5)-(11) of 987/2009),
a mariner's ship and flag state (Art. 11(4)), a flight crew member's home base (Art. 11(5)), "no fixed
place of work", each in the DC4EU shape that holds it (the flat v1 by default, v1.1 where v1 cannot
hold what was typed: domain.md §PDA1); replaced through the form; listed readably on the case page;
imported from a CSV file with numbered columns. Over real HTTP against the issuer, with the office's
sign-in and CSRF token, and in headless Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_import_templates import vsaa_template
from test_pda1 import changed

from credentials import pda1
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import demo_entity
from credentials.jose import generate_key
from esspass.testing import ServerHandle, clerk_tab, free_port, office_form, serve
from issuer.app import create_app
from issuer.office import COOKIE, form_keeps, form_values
from issuer.service import Institution
from issuer.settings import IssuerSettings

ANNA = DEMO_PERSONS[0]
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}
BALTIC = {"type": "01", "id": "LV40000000001", "name": "Baltic Build SIA", "country": "LV"}
TALLINN = {"type": "01", "id": "EE10000001", "name": "Tallinna Ehitus OU", "country": "EE"}
TEMPLATE = vsaa_template()  # LV:VSAA's A1 template, as its office serves it today
Issuer = tuple[ServerHandle, str]


@contextmanager
def office_issuer(data_dir: Path) -> Iterator[Issuer]:
    """An issuer of the demo institutions on a loopback port, and LV:VSAA's clerk token."""
    port = free_port()
    with serve(create_app(IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}")),
               port=port) as handle:
        tokens: dict[str, str] = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        yield handle, tokens["LV:VSAA"]


@contextmanager
def signed_in(issuer: Issuer) -> Iterator[httpx.Client]:
    """A client signed in to LV:VSAA's back office through its sign-in form, in English."""
    handle, token = issuer
    signed = httpx.post(f"{handle.url}/lv-vsaa/office/login", data={"token": token})
    assert signed.status_code == 303, signed.text
    with httpx.Client(base_url=f"{handle.url}/lv-vsaa", cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30,
                      headers={"Accept-Language": "en"}) as client:
        yield client


@contextmanager
def clerk_api(issuer: Issuer) -> Iterator[httpx.Client]:
    """LV:VSAA's clerk API with its bearer token."""
    handle, token = issuer
    with httpx.Client(base_url=f"{handle.url}/lv-vsaa/api", headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    with office_issuer(tmp_path_factory.mktemp("multi-state")) as started:
        yield started


@pytest.fixture
def office(issuer: Issuer) -> Iterator[httpx.Client]:
    with signed_in(issuer) as client:
        yield client


@pytest.fixture
def api(issuer: Issuer) -> Iterator[httpx.Client]:
    with clerk_api(issuer) as client:
        yield client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _a1(**changes: Any) -> dict[str, Any]:
    """Anna's A1 (posted employed person, LV legislation, Berlin) with changes; None removes a claim."""
    claims = dict(ANNA.pda1)
    return changed(claims, **changes)


def _form(number: str, status: str, **fields: str) -> dict[str, str]:
    """The new-case form of Anna's A1 (holder included) with ``status``, and its employer and place
    of work fields as given (``employer.1.name``: the second employer's name)."""
    a1 = ANNA.pda1
    # A person per form (the number's own): no case overlaps another person's A1 (Art. 11(1) warning).
    return {"personal_administrative_number": f"DEMO-P-{number}", "document_number": number,
            "date_of_issuance": a1["date_of_issuance"], "starting_date": a1["starting_date"],
            "ending_date": a1["ending_date"], "legislation_country": "LV", "status_confirmation": status,
            **{f"holder.{k}": v for k, v in HOLDER.items()}, **fields}


def _employer(row: int, employer: dict[str, str]) -> dict[str, str]:
    prefix = "employer." if row == 0 else f"employer.{row}."
    return {prefix + k: v for k, v in employer.items()}


def _place(row: int, **place: str) -> dict[str, str]:
    prefix = "work_address." if row == 0 else f"work_address.{row}."
    return {prefix + k: v for k, v in place.items()}


def _record(office: httpx.Client, api: httpx.Client, form: dict[str, str]) -> dict[str, Any]:
    """Post the new-case form (its CSRF token from the page); the case recorded, as the API shows it."""
    response = office.post("/office/new/pda1?lang=en", data={"csrf": _csrf(office.get("/office/new/pda1").text),
                                                             **form})
    assert response.status_code == 303, response.text
    case_id = response.headers["location"].split("?")[0].rsplit("/", 1)[1]
    case: dict[str, Any] = api.get(f"/cases/{case_id}").json()
    return case


def _imported(report: str) -> str:
    """The case the import page's report links its one imported row to."""
    found = re.search(r'<tr class="ok">.*?/office/cases/([^?"]+)', report)
    assert found, report
    return found.group(1)


def _kept_by_the_form(claims: dict[str, Any]) -> bool:
    inst = Institution(demo_entity("LV:VSAA"), generate_key(), [], "https://issuer.example/lv-vsaa")
    normalised = pda1.validate(claims)
    return form_keeps(inst, "pda1", normalised, form_values("pda1", normalised, HOLDER))


# --- the reviewer's four situations (F2), typed into the form ----------------------------------------------


def test_an_art13_a1_with_two_employers_and_two_places_of_work_is_recorded_from_the_form(
        office: httpx.Client, api: httpx.Client) -> None:
    """Art. 13(1) of 883/2004: every employer and every place of work is on the A1 (sections 4 and 5); the
    flat v1 holds one of each, so the form records the rulebook v1.1 lists."""
    case = _record(office, api, _form("DEMO-A1-LV-6001", "02", **_employer(0, BALTIC), **_employer(1, TALLINN),
                                      **_place(0, locality="Rīga", country="LV"),
                                      **_place(1, locality="Tallinn", country="EE")))
    claims = case["claims"]
    assert claims["employer"] == [BALTIC, TALLINN]
    assert claims["work_information"] == {"work_address": [{"locality": "Rīga", "country": "LV"},
                                                           {"locality": "Tallinn", "country": "EE"}]}
    assert "work_address" not in claims
    assert _kept_by_the_form(claims)


def test_a_mariners_ship_and_flag_state_are_recorded_from_the_form(office: httpx.Client, api: httpx.Client) -> None:
    """Art. 11(4) of 883/2004: the ship and its flag state, in the flat v1 place of work that holds them."""
    ship = {"company_name": "MV Daugava", "company_id": "IMO9999999", "locality": "Rīga", "country": "LV",
            "flag_base_home": "LV"}
    case = _record(office, api, _form("DEMO-A1-LV-6002", "07", **_employer(0, {k: v for k, v in BALTIC.items()
                                                                                 if k != "type"}),
                                      **_place(0, **ship)))
    assert case["claims"]["work_address"] == ship and case["claims"]["employer"] == {
        "id": BALTIC["id"], "name": BALTIC["name"], "country": "LV"}
    assert _kept_by_the_form(case["claims"])


def test_a_flight_crew_members_home_base_is_recorded_from_the_form(office: httpx.Client, api: httpx.Client) -> None:
    """Art. 11(5) of 883/2004: the home base of a flight or cabin crew member."""
    case = _record(office, api, _form("DEMO-A1-LV-6003", "10", **_employer(0, {k: v for k, v in BALTIC.items()
                                                                                 if k != "type"}),
                                      **_place(0, locality="Rīga airport", country="LV", flag_base_home="RIX")))
    assert case["claims"]["work_address"] == {"locality": "Rīga airport", "country": "LV", "flag_base_home": "RIX"}
    assert _kept_by_the_form(case["claims"])


def test_no_fixed_place_of_work_is_recorded_from_the_form(office: httpx.Client, api: httpx.Client) -> None:
    """v1.1 work_information with the employer as the v1.1 list, its type from the status (02: employment)."""
    case = _record(office, api, _form("DEMO-A1-LV-6004", "02", **_employer(0, {k: v for k, v in BALTIC.items()
                                                                                 if k != "type"}),
                                      no_fixed_place_of_work="DE"))
    assert case["claims"]["work_information"] == {"no_fixed_place_of_work": "DE"}
    assert case["claims"]["employer"] == [BALTIC]
    assert "work_address" not in case["claims"]
    assert _kept_by_the_form(case["claims"])


@pytest.mark.parametrize("claims", [
    _a1(status_confirmation="02", work_address=None, employer=[BALTIC, TALLINN],
        work_information={"work_address": [{"locality": "Rīga", "country": "LV"},
                                           {"locality": "Tallinn", "country": "EE"}]}),
    _a1(status_confirmation="07", work_address={"company_name": "MV Daugava", "company_id": "IMO9999999",
                                                "locality": "Rīga", "country": "LV", "flag_base_home": "LV"}),
    _a1(status_confirmation="10", work_address={"locality": "Rīga airport", "country": "LV", "flag_base_home": "RIX"}),
    _a1(status_confirmation="02", work_address=None, employer=[BALTIC],
        work_information={"no_fixed_place_of_work": "DE"}),
    _a1(status_confirmation="08", work_address=None, employer=[BALTIC, {**TALLINN, "type": "02"}],
        work_information={"work_address": [{"locality": "Rīga", "region": "Rīga", "country": "LV"}]}),
], ids=["art13", "mariner", "flight-crew", "no-fixed-place", "employed-and-self-employed"])
def test_the_form_holds_every_situation_the_api_records(claims: dict[str, Any]) -> None:
    """The reviewer's four cases (and an 08 with one place): what the form starts a replacement from is
    the same document again, nothing dropped."""
    assert _kept_by_the_form(claims)


def test_one_employer_and_one_place_of_work_stay_the_flat_v1_the_pilot_wallets_read(office: httpx.Client,
                                                                                     api: httpx.Client) -> None:
    a1 = ANNA.pda1
    case = _record(office, api, _form("DEMO-A1-LV-6005", "01", **_employer(0, a1["employer"]),
                                      **_place(0, **a1["work_address"])))
    assert case["claims"]["employer"] == a1["employer"] and case["claims"]["work_address"] == a1["work_address"]
    assert "work_information" not in case["claims"]


def test_rows_left_empty_between_filled_ones_are_no_entries(office: httpx.Client, api: httpx.Client) -> None:
    """A clerk who skips a row (fills the first and third) records two entries, in their order."""
    case = _record(office, api, _form("DEMO-A1-LV-6006", "02", **_employer(0, BALTIC), **_employer(2, TALLINN),
                                      **_place(0, locality="Rīga", country="LV"),
                                      **_place(3, locality="Tallinn", country="EE")))
    assert case["claims"]["employer"] == [BALTIC, TALLINN]
    assert [p["locality"] for p in case["claims"]["work_information"]["work_address"]] == ["Rīga", "Tallinn"]


# --- errors beside the row's field, values kept --------------------------------------------------------------


def test_a_mistake_in_the_second_employer_is_shown_beside_its_field_and_the_rows_are_kept(
        office: httpx.Client, api: httpx.Client) -> None:
    before = len(api.get("/cases").json())
    form = _form("DEMO-A1-LV-6101", "02", **_employer(0, BALTIC), **_employer(2, {**TALLINN, "country": "XX"}),
                 **_place(0, locality="Rīga", country="LV"), **_place(1, locality="Tallinn", country="EE"))
    response = office.post("/office/new/pda1?lang=en", data={"csrf": _csrf(office.get("/office/new/pda1").text),
                                                             **form})
    assert response.status_code == 400, response.text
    # The third row typed was the second entry: shown again as the second row, its country marked.
    assert re.search(r'id="f-employer-1-country" value="XX"[^>]*aria-invalid="true"', response.text)
    assert 'id="error-employer-1-country"' in response.text and "two-letter code" in response.text
    assert 'name="employer.1.name" id="f-employer-1-name" value="Tallinna Ehitus OU"' in response.text
    assert 'name="work_address.1.locality" id="f-work_address-1-locality" value="Tallinn"' in response.text
    assert 'aria-invalid="true"' not in response.text.split('id="f-employer-1-country"')[0]  # that field alone
    assert len(api.get("/cases").json()) == before


def test_a_second_employer_without_its_kind_is_asked_for_it(office: httpx.Client, api: httpx.Client) -> None:
    """Rulebook v1.1: each entry says whether it is employment (01) or self-employment (02); left empty,
    the status gives it (02: employment), except where it gives none (08: one of each, Art. 13(3))."""
    form = _form("DEMO-A1-LV-6102", "08", **_employer(0, BALTIC),
                 **_employer(1, {k: v for k, v in TALLINN.items() if k != "type"}),
                 **_place(0, locality="Rīga", country="LV"))
    response = office.post("/office/new/pda1?lang=en", data={"csrf": _csrf(office.get("/office/new/pda1").text),
                                                             **form})
    assert response.status_code == 400, response.text
    assert re.search(r'id="f-employer-1-type"[^>]*aria-invalid="true"', response.text)


def test_places_of_work_and_no_fixed_place_together_are_both_recorded(office: httpx.Client,
                                                                       api: httpx.Client) -> None:
    """Rulebook v1.1 Annex 1: work_information is ``anyOf`` [no_fixed_place_of_work, work_address]; section 5
    lists the fixed places and the state of no fixed place (a depot in Rīga, driving in DE): both kept."""
    case = _record(office, api, _form("DEMO-A1-LV-6103", "02", **_employer(0, BALTIC),
                                      **_place(0, locality="Rīga", country="LV"), no_fixed_place_of_work="DE"))
    assert case["claims"]["work_information"] == {"work_address": [{"locality": "Rīga", "country": "LV"}],
                                                  "no_fixed_place_of_work": "DE"}
    assert _kept_by_the_form(case["claims"])


def test_more_rows_keeps_what_was_typed_and_records_nothing(office: httpx.Client, api: httpx.Client) -> None:
    before = len(api.get("/cases").json())
    form = _form("DEMO-A1-LV-6104", "02", **_employer(0, BALTIC), **_employer(1, TALLINN),
                 **_place(0, locality="Rīga", country="LV"))
    response = office.post("/office/new/pda1?lang=en", data={"csrf": _csrf(office.get("/office/new/pda1").text),
                                                             **form, "more": "1"})
    assert response.status_code == 200, response.text
    assert 'value="Tallinna Ehitus OU"' in response.text and 'name="employer.2.name"' in response.text
    assert 'name="work_address.1.locality"' in response.text and 'id="error"' not in response.text
    assert len(api.get("/cases").json()) == before


# --- replace, the case page, CSV -----------------------------------------------------------------------------


def test_an_art13_a1_is_replaced_through_the_form(office: httpx.Client, api: httpx.Client) -> None:
    """Correcting such a case no longer sends the clerk to the API: the form starts from its rows."""
    claims = _a1(document_number="DEMO-A1-LV-6201", personal_administrative_number="DEMO-P-6201",
                 status_confirmation="02", work_address=None,
                 employer=[BALTIC, TALLINN], work_information={"work_address": [
                     {"locality": "Rīga", "country": "LV"}, {"locality": "Tallinn", "country": "EE"}]})
    created = api.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
    assert created.status_code == 201, created.text
    old = created.json()
    page = office.get(f"/office/cases/{old['id']}/replace?lang=en")
    assert page.status_code == 200, page.text
    assert 'name="employer.1.name" id="f-employer-1-name" value="Tallinna Ehitus OU"' in page.text
    assert 'name="work_address.1.locality" id="f-work_address-1-locality" value="Tallinn"' in page.text
    form = {**form_values("pda1", old["claims"], HOLDER), "document_number": "", "csrf": _csrf(page.text),
            "ending_date": "2027-06-30", "work_address.1.locality": "Tartu", "replace_reason": "corrected"}
    replaced = office.post(f"/office/cases/{old['id']}/replace?lang=en", data=form)
    assert replaced.status_code == 303, replaced.text
    new = api.get(f"/cases/{replaced.headers['location'].split('?')[0].rsplit('/', 1)[1]}").json()
    assert new["replaces"] == old["id"] and new["claims"]["employer"] == [BALTIC, TALLINN]
    assert [p["locality"] for p in new["claims"]["work_information"]["work_address"]] == ["Rīga", "Tartu"]
    assert api.get(f"/cases/{old['id']}").json()["state"] == "replaced"


def test_the_case_page_lists_each_employer_and_place_with_codes_in_words(office: httpx.Client,
                                                                         api: httpx.Client) -> None:
    case = _record(office, api, _form("DEMO-A1-LV-6301", "08", **_employer(0, BALTIC),
                                      **_employer(1, {**TALLINN, "type": "02"}),
                                      **_place(0, locality="Rīga", country="LV"),
                                      **_place(1, locality="Tallinn", country="EE")))
    page = office.get(f"/office/cases/{case['id']}?lang=en").text
    table = page.split('id="claims"')[1]
    assert re.search(r"Employer 2 – Employer name</th><td[^>]*>Tallinna Ehitus OU<", table)
    assert re.search(r"Employer 1 – [^<]*</th><td[^>]*>01 – employment<", table)
    assert re.search(r"Employer 2 – [^<]*</th><td[^>]*>02 – self-employment<", table)
    assert re.search(r"Place of work 2 – Place of work \(country\)</th><td[^>]*>Estonia \(EE\)<", table)
    assert "08 – employed and self-employed in different states" in table
    latvian = office.get(f"/office/cases/{case['id']}?lang=lv").text.split('id="claims"')[1]
    assert "Darba devējs 2 – " in latvian and "02 – pašnodarbinātais" in latvian


def test_a_csv_file_gives_several_employers_and_places_in_numbered_columns(office: httpx.Client,
                                                                           api: httpx.Client) -> None:
    """``employer.0.name``, ``employer.1.name``, ``work_information.work_address.0.locality``...: each
    number an entry of the list (rulebook v1.1), beside files of the flat v1 columns, which still import."""
    a1 = ANNA.pda1
    common = {"configuration_id": "pda1", "personal_administrative_number": a1["personal_administrative_number"],
              "issuing_authority.id": "LV:VSAA", "issuing_authority.name": a1["issuing_authority"]["name"],
              "issuing_authority.country": "LV", "issuing_country": "LV", "authentic_source.id": "LV:VSAA",
              "authentic_source.name": a1["authentic_source"]["name"], "date_of_issuance": a1["date_of_issuance"],
              "starting_date": a1["starting_date"], "ending_date": a1["ending_date"], "legislation_country": "LV",
              **{f"holder.{k}": v for k, v in HOLDER.items()}}
    lists = {**common, "document_number": "DEMO-A1-LV-6401", "status_confirmation": "02",
             "personal_administrative_number": "DEMO-P-6401",
             **{f"employer.0.{k}": v for k, v in BALTIC.items()}, **{f"employer.1.{k}": v for k, v in TALLINN.items()},
             "work_information.work_address.0.locality": "Rīga", "work_information.work_address.0.country": "LV",
             "work_information.work_address.1.locality": "Tallinn", "work_information.work_address.1.country": "EE"}
    header = list(lists)
    lines = [",".join(header), ",".join(f'"{lists[h]}"' for h in header)]
    upload = "\n".join(lines).encode()
    response = office.post("/office/import?lang=en", data=office_form(office.get("/office/import").text),
                           files={"file": ("cases.csv", upload, "text/csv")})
    assert response.status_code == 200, response.text
    assert "1 rows imported, 0 rejected" in response.text
    case = api.get(f"/cases/{_imported(response.text)}").json()
    assert case["claims"]["employer"] == [BALTIC, TALLINN]
    assert case["claims"]["work_information"]["work_address"][1] == {"locality": "Tallinn", "country": "EE"}
    flat = TEMPLATE.encode().replace(b"DEMO-A1-LV-9001", b"DEMO-A1-LV-6402")
    response = office.post("/office/import?lang=en", data=office_form(office.get("/office/import").text),
                           files={"file": ("template.csv", flat, "text/csv")})
    assert "1 rows imported, 0 rejected" in response.text, response.text
    case = api.get(f"/cases/{_imported(response.text)}").json()
    assert isinstance(case["claims"]["employer"], dict) and "work_address" in case["claims"]


# --- in the browser ------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_clerk_adds_a_second_place_of_work_and_records_the_case(issuer: Issuer, browser: Any,
                                                                   api: httpx.Client) -> None:
    handle, token = issuer
    tab = clerk_tab(browser, handle.url, "lv-vsaa", token)
    tab.goto(f"{handle.url}/lv-vsaa/office/new/pda1?lang=en")
    for name, value in _form("DEMO-A1-LV-6501", "02", **_employer(0, {k: v for k, v in BALTIC.items()
                                                                     if k != "type"}),
                             **_place(0, locality="Berlin", country="DE")).items():
        if name == "status_confirmation":
            tab.select_option(f"[name='{name}']", value)
        else:
            tab.fill(f"[name='{name}']", value)
    assert not tab.is_visible("[name='work_address.1.locality']")  # revealed on demand, no script needed
    tab.click("#more-work-1 > summary")
    tab.fill("[name='work_address.1.locality']", "Tallinn")
    tab.fill("[name='work_address.1.country']", "EE")
    tab.click("#create")
    tab.wait_for_selector("#describe")
    case_id = tab.url.split("?")[0].rsplit("/", 1)[1]
    claims = api.get(f"/cases/{case_id}").json()["claims"]
    assert [p["locality"] for p in claims["work_information"]["work_address"]] == ["Berlin", "Tallinn"]
    tab.click("#claims summary")
    assert "Place of work 2 – Place of work (town)" in tab.inner_text("#claims")
    tab.context.close()
