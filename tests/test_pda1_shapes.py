"""An A1's sections 4 and 5 in one DC4EU rulebook version (review K: K1, K2, K3, K4, K8, K10, K13).

Rulebook v1: ``employer{}`` and ``work_address{}``; v1.1 (Annex 1): ``employer[]{type, id, name, country}``
and ``work_information`` (``anyOf`` [``no_fixed_place_of_work``, ``work_address[]``]). The model keeps
every part given, refuses a mix of the two versions (``pda1.mixed_shape``), and the back office's form
and CSV import issue one version throughout, the employer's type from the status where it says one.
Over real HTTP against the issuer (sign-in form, CSRF token, clerk API), and the pure model.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from test_office_multi_state import Issuer, _csrf, clerk_api, office_issuer, signed_in
from test_pda1 import _error as _refused
from test_pda1 import changed

from credentials import pda1
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError
from credentials.institutions import demo_entity
from esspass.testing import office_form
from issuer.office import form_values
from issuer.paper import paper_text

ANNA = DEMO_PERSONS[0]
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}
BALTIC = {"id": "LV40000000001", "name": "Baltic Build SIA", "country": "LV"}
RIGA = {"locality": "Rīga", "country": "LV"}
TALLINN = {"locality": "Tallinn", "country": "EE"}
#: A personal number per case recorded: each test's A1 is another person's, so no overlap with another.
_PEOPLE = (f"DEMO-SHAPES-{n:04d}" for n in itertools.count(1))


def _a1(**changes: Any) -> dict[str, Any]:
    """Anna's A1 (01 posted, LV legislation, Berlin, v1) under a new personal number; None removes a claim."""
    claims = dict(ANNA.pda1)
    claims["personal_administrative_number"] = next(_PEOPLE)
    return changed(claims, **changes)


def _unnumbered(claims: dict[str, Any]) -> dict[str, Any]:
    """Claims for the API: the issuer gives the document number."""
    return {k: v for k, v in claims.items() if k != "document_number"}


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    with office_issuer(tmp_path_factory.mktemp("pda1-shapes")) as started:
        yield started


@pytest.fixture
def office(issuer: Issuer) -> Iterator[httpx.Client]:
    with signed_in(issuer) as client:
        yield client


@pytest.fixture
def api(issuer: Issuer) -> Iterator[httpx.Client]:
    with clerk_api(issuer) as client:
        yield client


def _form(status: str, **fields: str) -> dict[str, str]:
    a1 = ANNA.pda1
    return {"personal_administrative_number": next(_PEOPLE), "date_of_issuance": a1["date_of_issuance"],
            "starting_date": a1["starting_date"], "ending_date": a1["ending_date"], "legislation_country": "LV",
            "status_confirmation": status, **{f"holder.{k}": v for k, v in HOLDER.items()}, **fields}


def _post_form(office: httpx.Client, form: dict[str, str]) -> httpx.Response:
    return office.post("/office/new/pda1?lang=en", data={"csrf": _csrf(office.get("/office/new/pda1").text), **form})


def _record(office: httpx.Client, api: httpx.Client, form: dict[str, str]) -> dict[str, Any]:
    response = _post_form(office, form)
    assert response.status_code == 303, response.text[-3000:]
    case: dict[str, Any] = api.get(f"/cases/{response.headers['location'].split('?')[0].rsplit('/', 1)[1]}").json()
    return case


def _import(office: httpx.Client, api: httpx.Client, row: dict[str, str]) -> httpx.Response:
    a1 = ANNA.pda1
    full = {"configuration_id": "pda1", "personal_administrative_number": next(_PEOPLE),
            "issuing_authority.id": "LV:VSAA", "issuing_authority.name": a1["issuing_authority"]["name"],
            "issuing_authority.country": "LV", "issuing_country": "LV", "authentic_source.id": "LV:VSAA",
            "authentic_source.name": a1["authentic_source"]["name"], "date_of_issuance": a1["date_of_issuance"],
            "starting_date": a1["starting_date"], "ending_date": a1["ending_date"], "legislation_country": "LV",
            **{f"holder.{k}": v for k, v in HOLDER.items()}, **row}
    upload = "\n".join([",".join(full), ",".join(f'"{v}"' for v in full.values())]).encode()
    return office.post("/office/import?lang=en", data=office_form(office.get("/office/import").text),
                       files={"file": ("cases.csv", upload, "text/csv")})


def _imported(api: httpx.Client, report: str) -> dict[str, Any]:
    found = re.search(r'<tr class="ok">.*?/office/cases/([^?"]+)', report, re.S)
    assert found, report[-3000:]
    case: dict[str, Any] = api.get(f"/cases/{found.group(1)}").json()
    return case


# --- K1: places of work beside "no fixed place of work" are kept (v1.1 Annex 1: anyOf) ---------------------

BOTH = {"work_address": [RIGA], "no_fixed_place_of_work": "DE"}


def test_places_of_work_beside_no_fixed_place_of_work_are_both_kept() -> None:
    """A driver employed at a depot in Rīga, driving with no fixed place in DE: section 5 lists both."""
    out = pda1.validate(_a1(status_confirmation="02", work_address=None, employer=[{"type": "01", **BALTIC}],
                            work_information=BOTH))
    assert out["work_information"] == BOTH
    assert pda1.work_places(out) == [RIGA, {"no_fixed_place_of_work": "DE"}]


def test_the_api_records_places_of_work_beside_no_fixed_place_of_work(api: httpx.Client) -> None:
    claims = _a1(status_confirmation="02", work_address=None, employer=[{"type": "01", **BALTIC}],
                 work_information=BOTH)
    response = api.post("/cases", json={"configuration_id": "pda1", "claims": _unnumbered(claims), "holder": HOLDER})
    assert response.status_code == 201, response.text
    assert response.json()["claims"]["work_information"] == BOTH


def test_the_form_records_places_of_work_beside_no_fixed_place_of_work(office: httpx.Client,
                                                                       api: httpx.Client) -> None:
    case = _record(office, api, _form("02", **{f"employer.{k}": v for k, v in BALTIC.items()},
                                      **{"work_address.locality": "Rīga", "work_address.country": "LV"},
                                      no_fixed_place_of_work="DE"))
    assert case["claims"]["work_information"] == BOTH
    assert case["claims"]["employer"] == [{"type": "01", **BALTIC}]


def test_the_csv_import_keeps_places_of_work_beside_no_fixed_place_of_work(office: httpx.Client,
                                                                           api: httpx.Client) -> None:
    response = _import(office, api, {"status_confirmation": "02",
                                     **{f"employer.0.{k}": v for k, v in {"type": "01", **BALTIC}.items()},
                                     "work_information.no_fixed_place_of_work": "DE",
                                     "work_information.work_address.0.locality": "Rīga",
                                     "work_information.work_address.0.country": "LV"})
    assert "1 rows imported, 0 rejected" in response.text, response.text[-3000:]
    assert _imported(api, response.text)["claims"]["work_information"] == BOTH


# --- K2: one rulebook version throughout ---------------------------------------------------------------------


@pytest.mark.parametrize(("status", "places", "kind"), [
    ("02", {"work_address.locality": "Rīga", "work_address.country": "LV",
            "work_address.1.locality": "Tallinn", "work_address.1.country": "EE"}, "01"),
    ("02", {"no_fixed_place_of_work": "DE"}, "01"),
    ("04", {"work_address.locality": "Rīga", "work_address.country": "LV",
            "work_address.1.locality": "Tallinn", "work_address.1.country": "EE"}, "02"),
], ids=["two-places", "no-fixed-place", "self-employed-two-places"])
def test_the_form_never_issues_a_flat_employer_beside_v11_work_information(
        office: httpx.Client, api: httpx.Client, status: str, places: dict[str, str], kind: str) -> None:
    """The v1.1 places take the v1.1 employer list; the type left empty is the one the status implies."""
    claims = _record(office, api, _form(status, **{f"employer.{k}": v for k, v in BALTIC.items()}, **places))["claims"]
    assert claims["employer"] == [{"type": kind, **BALTIC}] and "work_information" in claims
    assert "work_address" not in claims


def test_an_employer_typed_with_one_place_of_work_gives_the_place_as_v11_work_information(
        office: httpx.Client, api: httpx.Client) -> None:
    claims = _record(office, api, _form("01", **{f"employer.{k}": v for k, v in {**BALTIC, "type": "01"}.items()},
                                        **{"work_address.locality": "Berlin", "work_address.country": "DE"}))["claims"]
    assert claims["employer"] == [{"type": "01", **BALTIC}]
    assert claims["work_information"] == {"work_address": [{"locality": "Berlin", "country": "DE"}]}


def test_a_mixed_shape_from_the_api_is_refused_naming_the_rule(api: httpx.Client) -> None:
    """v1 employer object beside v1.1 work_information, and a v1.1 list beside v1 work_address."""
    for claims in (_a1(status_confirmation="02", work_address=None, employer=BALTIC,
                       work_information={"no_fixed_place_of_work": "DE"}),
                   _a1(employer=[{"type": "01", **BALTIC}])):
        response = api.post("/cases", json={"configuration_id": "pda1", "claims": _unnumbered(claims),
                                            "holder": HOLDER})
        assert response.status_code == 400, response.text
        assert (response.json()["field"], response.json()["rule_key"]) == ("employer", "pda1.mixed_shape")


def test_a_flat_employer_with_a_type_is_refused_not_dropped() -> None:
    assert _refused(_a1(employer={"type": "02", **BALTIC})).field == "employer.type"


def test_a_csv_row_of_mixed_columns_is_recorded_in_one_shape(office: httpx.Client, api: httpx.Client) -> None:
    """``employer.0.*`` with the template's flat ``work_address.*``: the place becomes work_information."""
    response = _import(office, api, {"status_confirmation": "01",
                                     **{f"employer.0.{k}": v for k, v in BALTIC.items()},
                                     "work_address.locality": "Berlin", "work_address.country": "DE"})
    assert "1 rows imported, 0 rejected" in response.text, response.text[-3000:]
    claims = _imported(api, response.text)["claims"]
    assert claims["employer"] == [{"type": "01", **BALTIC}]
    assert claims["work_information"] == {"work_address": [{"locality": "Berlin", "country": "DE"}]}


@pytest.mark.parametrize(("code", "kind"), [*((c, "01") for c in ("01", "02", "05", "06", "07", "10", "12")),
                                             ("03", "02"), ("04", "02")])
def test_the_employer_type_is_the_one_the_status_implies(code: str, kind: str) -> None:
    shaped = pda1.one_shape({"status_confirmation": code, "employer": BALTIC, "work_information": BOTH})
    assert shaped["employer"] == [{"type": kind, **BALTIC}]


@pytest.mark.parametrize("code", ["08", "09", "11"])
def test_the_employer_type_is_asked_for_where_the_status_implies_none(code: str) -> None:
    with pytest.raises(DataError) as err:
        pda1.one_shape({"status_confirmation": code, "employer": BALTIC, "work_information": BOTH})
    assert (err.value.field, err.value.key) == ("employer.type", "pda1.employer_type_needed")


def test_one_employer_and_one_place_stay_the_flat_v1() -> None:
    claims = {"status_confirmation": "01", "employer": BALTIC, "work_address": RIGA}
    assert pda1.one_shape(claims) == claims


def test_the_demo_persons_are_each_of_one_shape() -> None:
    for person in DEMO_PERSONS:
        claims = pda1.validate(person.pda1)
        assert isinstance(claims["employer"], list) == ("work_information" in claims), person.key


# --- K3: 08 and 09 are two activities (Art. 13(3), (4)) ----------------------------------------------------


@pytest.mark.parametrize("code", ["08", "09"])
def test_status_08_or_09_with_a_single_flat_employer_is_refused(code: str) -> None:
    err = _refused(_a1(status_confirmation=code, work_address=RIGA, starting_date="2027-01-01",
                       ending_date="2027-06-30"))
    assert (err.field, err.key, err.params) == ("employer", "pda1.two_activities", {"code": code})


def test_status_09_with_one_entry_is_refused() -> None:
    err = _refused(_a1(status_confirmation="09", work_address=None, employer=[{"type": "01", **BALTIC}],
                       work_information={"work_address": [RIGA, TALLINN]}, ending_date="2027-06-30"))
    assert err.key == "pda1.two_activities"


def test_the_form_does_not_record_status_08_with_one_employer(office: httpx.Client) -> None:
    """The type left empty is asked for (08 implies none); given, the missing second activity is refused."""
    places = {"work_address.locality": "Rīga", "work_address.country": "LV",
              "work_address.1.locality": "Tallinn", "work_address.1.country": "EE"}
    response = _post_form(office, _form("08", **{f"employer.{k}": v for k, v in BALTIC.items()}, **places))
    assert response.status_code == 400
    assert re.search(r'id="f-employer-type"[^>]*aria-invalid="true"', response.text)
    response = _post_form(office, _form("08", **{f"employer.{k}": v for k, v in {**BALTIC, "type": "01"}.items()},
                                        **places))
    assert response.status_code == 400 and "self-employment (02)" in response.text


# --- K4: a replacement through the form keeps the competent institution ----------------------------------


def test_replacing_through_the_form_keeps_the_competent_institution(office: httpx.Client,
                                                                    api: httpx.Client) -> None:
    """987/2009 Art. 19(2), domain.md common block: a branch named as competent stays so; the page says so."""
    branch = {"id": "LV:VSAA-RIGA", "name": "VSAA Rīgas reģionālā nodaļa"}
    created = api.post("/cases", json={"configuration_id": "pda1", "holder": HOLDER,
                                       "claims": _unnumbered(_a1(authentic_source=branch))})
    assert created.status_code == 201, created.text
    case = created.json()
    page = office.get(f"/office/cases/{case['id']}/replace?lang=en")
    assert page.status_code == 200, page.text[-2000:]
    assert 'id="competent"' in page.text and "LV:VSAA-RIGA" in page.text
    values = form_values("pda1", case["claims"], case["holder"])
    values.pop("document_number", None)
    response = office.post(f"/office/cases/{case['id']}/replace?lang=en",
                           data={"csrf": _csrf(page.text), "replace_reason": "address corrected", **values})
    assert response.status_code == 303, response.text[-2000:]
    new_id = response.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert api.get(f"/cases/{new_id}").json()["claims"]["authentic_source"] == branch


# --- K8: the type metadata describes the v1.1 claims -------------------------------------------------------


def test_the_type_metadata_describes_work_information_and_the_employer_list() -> None:
    claims = {tuple(c["path"]): c for c in pda1.type_metadata_document()["claims"]}
    for path in (("employer", None), ("employer", None, "type"), ("employer", None, "id"),
                 ("employer", None, "country"), ("work_information",),
                 ("work_information", "no_fixed_place_of_work"), ("work_information", "work_address", None),
                 ("work_information", "work_address", None, "company_name"),
                 ("work_information", "work_address", None, "company_id"),
                 ("work_information", "work_address", None, "flag_base_home")):
        labels = {d["locale"]: d["label"] for d in claims[path]["display"]}
        assert len(labels) == 5 and all(labels.values()), (path, labels)


# --- K10: Croatia was never under 1408/71 ------------------------------------------------------------------


def test_a_croatian_period_before_accession_is_not_sent_to_form_e101() -> None:
    err = _refused(_a1(starting_date="2012-01-01", ending_date="2012-12-31", date_of_issuance="2012-12-31",
                       work_address={"locality": "Zagreb", "country": "HR"}))
    assert err.key == "pda1.before_accession" and "E 101" not in err.rule and "1408/71" not in err.rule


# --- K13: flag_base_home is a string of at most 20; the paper names each entry ---------------------------


@pytest.mark.parametrize("value", [True, "X" * 21])
def test_flag_base_home_is_a_string_of_at_most_20(value: Any) -> None:
    place = {"company_name": "MV Daugava", "locality": "Rīga", "country": "LV", "flag_base_home": value}
    assert _refused(_a1(status_confirmation="07", work_address=place)).field == "work_address.flag_base_home"


def test_the_paper_names_a_self_employed_activity_as_such_with_each_entrys_id_and_state() -> None:
    claims = pda1.validate(_a1(status_confirmation="08", work_address=None, ending_date="2027-06-30",
                               employer=[{"type": "01", **BALTIC},
                                         {"type": "02", "id": "EE-SELF-1", "name": "Anna Bērziņa FIE",
                                          "country": "EE"}],
                               work_information={"work_address": [RIGA, TALLINN]}))
    _, lines = paper_text(pda1, claims, HOLDER, demo_entity("LV:VSAA"), "en")
    assert "Employer: Baltic Build SIA, LV40000000001, Latvia" in lines, lines
    assert "Self-employed activity: Anna Bērziņa FIE, EE-SELF-1, Estonia" in lines, lines
    assert "self-employed activity Anna Bērziņa FIE" in lines[0] and "employer Baltic Build SIA" in lines[0]
