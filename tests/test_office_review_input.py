"""The clerks' back office refuses input it cannot record whole, and records nothing of it.

* A NUL character (pasted from another system, or sent on purpose) cannot be stored in PostgreSQL
  text, the production database: in a claim, a holder's name, a reason or an id in the path it must
  be a 400 (404 for an id) naming the field, never a 500 whose trace quotes the case's data.
* A CSV import is refused as a whole, before any row is recorded, when the file itself is faulty:
  a NUL in it, a column named twice (which of the two values would a case get?), a row with more
  cells than the header (an unquoted comma shifts the cells; what is beyond is silently lost).

Each test runs on SQLite and, when ``ESSPASS_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL
database, against the real issuer over loopback HTTP.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_import_templates import vsaa_template

from credentials.demo_persons import DEMO_PERSONS
from esspass.testing import ServerHandle, free_port, office_form, serve
from issuer.app import create_app
from issuer.office import COOKIE
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
TEMPLATE = vsaa_template()  # LV:VSAA's A1 template, as its office serves it today
HOLDER = PERSON.holder


@pytest.fixture(params=["sqlite", "postgresql"])
def issuer(request: pytest.FixtureRequest, registry_dir: Path, tmp_path: Path) -> Iterator[ServerHandle]:
    url = None if request.param == "sqlite" else request.getfixturevalue("postgres_url")  # skips without one
    port = free_port()
    app = create_app(IssuerSettings(data_dir=tmp_path, pki_dir=registry_dir / "pki", database_url=url,
                                    public_url=f"http://127.0.0.1:{port}"))
    with serve(app, port=port) as handle:
        yield handle


def _token(tmp_path: Path) -> str:
    tokens: dict[str, str] = json.loads((tmp_path / "issuer" / "clerk-tokens.json").read_text())
    return tokens["LV:VSAA"]


@pytest.fixture
def api(issuer: ServerHandle, tmp_path: Path) -> Iterator[httpx.Client]:
    """The LV:VSAA clerks' API client."""
    headers = {"Authorization": f"Bearer {_token(tmp_path)}"}
    with httpx.Client(base_url=f"{issuer.url}/lv-vsaa", headers=headers, timeout=30) as client:
        yield client


@pytest.fixture
def office(issuer: ServerHandle, tmp_path: Path) -> Iterator[httpx.Client]:
    """A browser-like client signed in to LV:VSAA's back office pages."""
    signed = httpx.post(f"{issuer.url}/lv-vsaa/office/login", data={"token": _token(tmp_path)})
    assert signed.status_code == 303, signed.text
    with httpx.Client(base_url=issuer.url, cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30,
                      headers={"Accept-Language": "en"}) as client:
        yield client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _claims(document_number: str) -> dict[str, Any]:
    claims = copy.deepcopy(PERSON.pda1)
    claims["document_number"] = document_number
    return claims


def _case(api: httpx.Client, document_number: str) -> str:
    created = api.post("/api/cases", json={"configuration_id": "pda1", "claims": _claims(document_number),
                                           "holder": HOLDER})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _cases(api: httpx.Client) -> list[dict[str, Any]]:
    listed = api.get("/api/cases")
    assert listed.status_code == 200, listed.text
    result: list[dict[str, Any]] = listed.json()
    return result


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error"] == "invalid_request" and answer["field"] == field, answer


# --- the clerks' API -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "field"), [
    ("document_number", "document_number"), ("employer", "employer.name"), ("holder", "holder.family_name"),
])
def test_a_nul_in_a_new_case_is_a_400_naming_the_field_and_records_nothing(api: httpx.Client, where: str,
                                                                          field: str) -> None:
    claims = _claims("DEMO-A1-LV-7001")
    holder = dict(HOLDER)
    if where == "document_number":
        claims["document_number"] = "DEMO-A1\x00-7001"
    elif where == "employer":
        claims["employer"]["name"] = "Baltic\x00Build"
    else:
        holder["family_name"] = "Bērziņa\x00"
    response = api.post("/api/cases", json={"configuration_id": "pda1", "claims": claims, "holder": holder})
    _refused(response, field)
    assert _cases(api) == []


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_a_nul_in_a_reason_is_a_400_and_the_case_keeps_its_state(api: httpx.Client, action: str) -> None:
    case_id = _case(api, "DEMO-A1-LV-7002")
    _refused(api.post(f"/api/cases/{case_id}/{action}", json={"reason": "fraud\x00"}), "reason")
    case = api.get(f"/api/cases/{case_id}").json()
    assert case["state"] == "active" and [e["action"] for e in case["events"]] == ["created"]


def test_a_replacement_with_a_nul_is_a_400_and_the_old_document_stays_valid(api: httpx.Client) -> None:
    case_id = _case(api, "DEMO-A1-LV-7003")
    _refused(api.post(f"/api/cases/{case_id}/replace", json={"claims": _claims("DEMO-A1-LV-7004"),
                                                             "reason": "extended\x00"}), "reason")
    _refused(api.post(f"/api/cases/{case_id}/replace", json={"claims": _claims("DEMO-A1\x00-7004"),
                                                             "reason": "extended"}), "document_number")
    assert [c["id"] for c in _cases(api)] == [case_id]
    assert api.get(f"/api/cases/{case_id}").json()["state"] == "active"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/cases/a%00b"), ("POST", "/api/cases/a%00b/offer"), ("GET", "/api/cases/a%00b/paper.pdf"),
    ("POST", "/api/cases/a%00b/suspend"), ("GET", "/api/offers/a%00b/qr.png"), ("GET", "/offers/a%00b"),
])
def test_an_id_with_a_nul_in_the_path_is_not_found_never_a_server_error(api: httpx.Client, method: str,
                                                                        path: str) -> None:
    response = api.request(method, path, json={"reason": "x"} if method == "POST" else None)
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "not_found"


# --- CSV import -----------------------------------------------------------------------------------------


def _row(document_number: str) -> str:
    """The template's row, with another document number."""
    return TEMPLATE.strip().split("\n")[1].replace("DEMO-A1-LV-9001", document_number)


def _csv(*rows: str, header: str | None = None) -> bytes:
    """A file of the template's header (or ``header``) and ``rows``."""
    lines = [header or TEMPLATE.split("\n")[0], *rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _import(api: httpx.Client, data: bytes) -> httpx.Response:
    return api.post("/api/import", files={"file": ("cases.csv", data, "text/csv")})


def _faulty_files() -> dict[str, bytes]:
    """Files with good rows around the fault: none of them may be recorded."""
    twice = TEMPLATE.split("\n")[0] + ",document_number"
    return {
        "nul": _csv(_row("DEMO-A1-LV-8001"), _row("DEMO-A1-LV-8002").replace("Berlin", "Ber\x00lin"),
                    _row("DEMO-A1-LV-8003")),
        "column_twice": _csv(_row("DEMO-A1-LV-8001") + ",DEMO-A1-LV-8101", _row("DEMO-A1-LV-8002") + ",DEMO-A1-LV-8102",
                             header=twice),
        "row_longer_than_header": _csv(_row("DEMO-A1-LV-8001"), _row("DEMO-A1-LV-8002") + ",Mitte",
                                       _row("DEMO-A1-LV-8003")),
    }


@pytest.mark.parametrize("fault", ["nul", "column_twice", "row_longer_than_header"])
def test_a_faulty_csv_file_is_refused_whole_and_imports_nothing(api: httpx.Client, fault: str) -> None:
    response = _import(api, _faulty_files()[fault])
    _refused(response, "file")
    assert _cases(api) == []


def test_a_row_ending_in_empty_cells_beyond_the_header_is_imported(api: httpx.Client) -> None:
    """What a spreadsheet exports when a cell to the right was once used: nothing is lost, so it is fine."""
    response = _import(api, _csv(_row("DEMO-A1-LV-8201") + ",,"))
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 1


def test_a_semicolon_separated_file_as_excel_saves_it_in_european_locales_is_imported(api: httpx.Client) -> None:
    """Excel in a Latvian, German, French or Polish locale saves "CSV" with ``;`` between the cells:
    every row was refused as "does not issue ''" (the whole line read as one column)."""
    header = TEMPLATE.split("\n")[0].replace(",", ";")
    rows = [_row(number).replace(",", ";") for number in ("DEMO-A1-LV-8301", "DEMO-A1-LV-8302")]
    response = _import(api, _csv(*rows, header=header))
    assert response.status_code == 200, response.text
    assert response.json()["imported"] == 2 and response.json()["created"] == [2, 3]


def test_wholly_empty_rows_are_skipped_and_each_row_is_numbered_by_its_line_in_the_file(api: httpx.Client) -> None:
    """A blank line, or a row of empty cells (",,,", what a spreadsheet writes for a row it once
    used), is no case to refuse; every other row is reported by the line the clerk sees it on."""
    empty = "," * TEMPLATE.split("\n")[0].count(",")
    bad = _row("DEMO-A1-LV-8402").replace(",LV,01,", ",LV,13,")
    response = _import(api, _csv("", _row("DEMO-A1-LV-8401"), empty, bad, ""))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["imported"], answer["rejected"]) == (1, 1), answer
    assert (answer["created"], answer["failed"]) == ([3], [5]), answer
    assert answer["rows"][1]["field"] == "status_confirmation"
    assert answer["rows"][1]["rule_key"] == "pda1.status_code"  # for a client to say it in its reader's language


def test_a_number_given_twice_is_named_by_the_lines_of_the_file(api: httpx.Client) -> None:
    response = _import(api, _csv("", _row("DEMO-A1-LV-8501"), "", _row("DEMO-A1-LV-8501")))
    assert response.status_code == 409, response.text
    answer = response.json()
    assert [r["row"] for r in answer["rows"]] == [5], answer
    assert "on row 5" in answer["error_description"] and "also on row 3" in answer["rows"][0]["rule"], answer
    assert (answer["rule_key"], answer["rule_params"]) == ("csv.numbers_taken_row", {"row": 5}), answer
    assert (answer["rows"][0]["rule_key"], answer["rows"][0]["rule_params"]) == (
        "number.on_row", {"number": "DEMO-A1-LV-8501", "row": 3}), answer
    assert _cases(api) == []


def test_a_value_under_a_column_without_a_header_is_refused_whole(api: httpx.Client) -> None:
    """A cell whose column has no name would be dropped unseen: the file is refused naming the row
    and the column, without quoting the cell (it may be someone's personal data)."""
    header = TEMPLATE.split("\n")[0] + ",,"
    columns = header.count(",") + 1
    response = _import(api, _csv(_row("DEMO-A1-LV-8601") + ",,", _row("DEMO-A1-LV-8602") + ",,Bērziņa 120488",
                                 header=header))
    _refused(response, "file")
    rule = response.json()["rule"]
    assert "row 3" in rule and f"column {columns}" in rule and "header is empty" in rule, rule
    assert "Bērziņa" not in response.text
    assert _cases(api) == []
    # Columns without a name and without a value (a spreadsheet's trailing commas) are nothing lost.
    fine = _import(api, _csv(_row("DEMO-A1-LV-8603") + ",,", header=header))
    assert fine.status_code == 200 and fine.json()["imported"] == 1, fine.text


def test_reinstating_needs_no_body_and_withdrawing_without_one_asks_for_the_reason(api: httpx.Client) -> None:
    """The reason of a reinstatement is optional: no body at all is no "invalid request"."""
    case_id = _case(api, "DEMO-A1-LV-7020")
    assert api.post(f"/api/cases/{case_id}/suspend", json={"reason": "checking"}).status_code == 200
    reinstated = api.post(f"/api/cases/{case_id}/reinstate")
    assert reinstated.status_code == 200, reinstated.text
    assert reinstated.json()["state"] == "active"
    _refused(api.post(f"/api/cases/{case_id}/revoke"), "reason")
    assert api.get(f"/api/cases/{case_id}").json()["state"] == "active"


def test_a_case_sent_as_a_form_or_as_broken_json_is_told_what_the_body_must_be(api: httpx.Client) -> None:
    """"invalid request" and "0: JSON decode error" said nothing a clerk's integrator could act on."""
    number = PERSON.pda1["personal_administrative_number"]
    form = api.post("/api/cases", data={"configuration_id": "pda1", "personal_administrative_number": number})
    broken = api.post("/api/cases", content=b'{"configuration_id": "pda1", "claims": {"x": "' + number.encode(),
                      headers={"Content-Type": "application/json"})
    for answer, said in ((form, "the body must be JSON (Content-Type: application/json), an object"),
                         (broken, "the body is not valid JSON")):
        assert answer.status_code == 400, answer.text
        assert answer.json() == {"error": "invalid_request", "error_description": said}
    assert _cases(api) == []


# --- the back office pages ------------------------------------------------------------------------------


def test_a_nul_typed_into_the_case_form_is_shown_at_its_field_and_records_nothing(office: httpx.Client,
                                                                                 api: httpx.Client) -> None:
    csrf = _csrf(office.get("/lv-vsaa/office/new/pda1").text)
    pda1 = PERSON.pda1
    form = {"csrf": csrf, "personal_administrative_number": pda1["personal_administrative_number"],
            "document_number": "DEMO-A1-LV-7101", "date_of_issuance": pda1["date_of_issuance"],
            "starting_date": pda1["starting_date"], "ending_date": pda1["ending_date"],
            "legislation_country": pda1["legislation_country"], "status_confirmation": "01",
            "employer.id": pda1["employer"]["id"], "employer.name": "Baltic\x00Build",
            "employer.country": pda1["employer"]["country"],
            **{f"holder.{k}": v for k, v in HOLDER.items()}}
    response = office.post("/lv-vsaa/office/new/pda1", data=form)
    assert response.status_code == 400, response.text
    assert 'id="f-employer-name"' in response.text and 'aria-invalid="true"' in response.text
    assert _cases(api) == []


def test_a_nul_in_a_reason_on_the_case_page_is_refused_and_the_case_keeps_its_state(office: httpx.Client,
                                                                                   api: httpx.Client) -> None:
    case_id = _case(api, "DEMO-A1-LV-7102")
    csrf = _csrf(office.get(f"/lv-vsaa/office/cases/{case_id}").text)
    response = office.post(f"/lv-vsaa/office/cases/{case_id}/suspend", data={"csrf": csrf, "reason": "fraud\x00"})
    assert response.status_code == 400, response.text
    assert api.get(f"/api/cases/{case_id}").json()["state"] == "active"
    page = office.get("/lv-vsaa/office/cases/a%00b")
    assert page.status_code == 404, page.text


def test_a_faulty_csv_file_on_the_import_page_is_refused_whole(office: httpx.Client, api: httpx.Client) -> None:
    form = office_form(office.get("/lv-vsaa/office/import").text)
    for data in _faulty_files().values():  # each refused whole: the form's one-time id is not spent
        response = office.post("/lv-vsaa/office/import", data=form,
                               files={"file": ("cases.csv", data, "text/csv")})
        assert response.status_code == 400, response.text
        assert 'id="error"' in response.text
    assert _cases(api) == []


@pytest.mark.parametrize(("first", "again"), [(None, "reinstate"), ("suspend", "suspend"), ("revoke", "revoke")])
def test_a_state_change_that_changes_nothing_is_a_409_and_leaves_no_trace(api: httpx.Client, first: str | None,
                                                                         again: str) -> None:
    """Reinstating an active document (or suspending a suspended one) wrote a false event in its
    history and a new status list version, as if something had happened to the worker's document."""
    case_id = _case(api, "DEMO-A1-LV-7010")
    if first is not None:
        assert api.post(f"/api/cases/{case_id}/{first}", json={"reason": "checking"}).status_code == 200
    before = api.get(f"/api/cases/{case_id}").json()
    answer = api.post(f"/api/cases/{case_id}/{again}", json={"reason": "again"})
    assert answer.status_code == 409 and answer.json()["error"] == "invalid_request", answer.text
    assert api.get(f"/api/cases/{case_id}").json()["events"] == before["events"]


def test_a_document_issued_in_the_future_is_refused(api: httpx.Client) -> None:
    """An EHIC dated 2030 would be recorded and then judged not yet valid by every verifier."""
    from datetime import date, timedelta

    claims = _claims("DEMO-A1-LV-7011")
    claims["date_of_issuance"] = (date.today() + timedelta(days=30)).isoformat()
    _refused(api.post("/api/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER}),
             "date_of_issuance")
    assert _cases(api) == []
    claims["date_of_issuance"] = date.today().isoformat()
    assert api.post("/api/cases", json={"configuration_id": "pda1", "claims": claims,
                                        "holder": HOLDER}).status_code == 201
