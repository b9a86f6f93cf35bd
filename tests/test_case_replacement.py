"""An A1 is extended or corrected: the clerk records a new document in place of the old one, which
is marked replaced (not withdrawn) in the same step, through the API and on the back office page in Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import demo_entity
from credentials.jose import generate_key
from esspass.testing import ServerHandle, clerk_tab, free_port, serve
from issuer.app import create_app
from issuer.office import COOKIE, FIELDS, claims_from_form, form_values
from issuer.service import Institution
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
HOLDER = {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1988-04-12"}


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerHandle, httpx.Client, str]]:
    data_dir = tmp_path_factory.mktemp("replace")
    port = free_port()
    with serve(create_app(IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}")),
               port=port) as handle:
        tokens: dict[str, str] = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        with httpx.Client(base_url=f"{handle.url}/lv-vsaa/api",
                          headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}) as http:
            yield handle, http, tokens["LV:VSAA"]


def _case(http: httpx.Client, number: str) -> dict[str, Any]:
    created = http.post("/cases", json={"configuration_id": "pda1", "holder": HOLDER,
                                        "claims": {**PERSON.pda1, "document_number": number}})
    assert created.status_code == 201, created.text
    result: dict[str, Any] = created.json()
    return result


def test_an_extended_a1_replaces_the_old_one_which_is_marked_replaced_in_the_same_step(issuer: Any) -> None:
    _handle, http, _token = issuer
    old = _case(http, "DEMO-A1-LV-9001")
    extended = {**old["claims"], "document_number": "DEMO-A1-LV-9002", "ending_date": "2028-03-31"}
    replaced = http.post(f"/cases/{old['id']}/replace",
                         json={"claims": extended, "holder": HOLDER, "reason": "posting extended"})
    assert replaced.status_code == 201, replaced.text
    new = replaced.json()
    assert new["claims"]["ending_date"] == "2028-03-31" and new["state"] == "active"
    assert new["holder"] == HOLDER and new["events"][-1]["action"] == "replaces"
    assert new["events"][-1]["reason"] == f"case {old['id']}"  # by id: a label can be a person's name
    withdrawn = http.get(f"/cases/{old['id']}").json()
    assert withdrawn["state"] == "replaced" and withdrawn["replaced_by"] == new["id"]
    assert withdrawn["events"][-1]["action"] == "replaced"
    assert withdrawn["events"][-1]["reason"] == f"posting extended (case {new['id']})"
    again = http.post(f"/cases/{old['id']}/replace", json={"claims": extended, "reason": "twice"})
    assert again.status_code == 409 and again.json()["error"] == "invalid_request"


def test_a_replacement_that_breaks_a_rule_changes_nothing(issuer: Any) -> None:
    _handle, http, _token = issuer
    old = _case(http, "DEMO-A1-LV-9101")
    bad = {**old["claims"], "ending_date": "2020-01-01"}  # before it starts
    refused = http.post(f"/cases/{old['id']}/replace", json={"claims": bad, "reason": "correction"})
    assert refused.status_code == 400 and refused.json()["field"] == "ending_date"
    no_reason = http.post(f"/cases/{old['id']}/replace", json={"claims": old["claims"], "reason": " "})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    assert http.get(f"/cases/{old['id']}").json()["state"] == "active"
    assert [c["label"] for c in http.get("/cases", params={"q": "9101"}).json()] == ["DEMO-A1-LV-9101"]


def test_a_replacement_is_a_new_document_and_needs_a_new_number(issuer: Any) -> None:
    """The replaced document is replaced, not gone: a wallet, a paper copy or an inspector's proof
    still names it by its number, so the new one cannot have it, nor any other case's."""
    _handle, http, _token = issuer
    old = _case(http, "DEMO-A1-LV-9401")
    other = _case(http, "DEMO-A1-LV-9402")
    for number, words in (("DEMO-A1-LV-9401", "needs a new number"), ("demo-a1-lv-9402", other["id"])):
        refused = http.post(f"/cases/{old['id']}/replace", json={
            "claims": {**old["claims"], "document_number": number}, "reason": "corrected"})
        assert refused.status_code == 409, refused.text
        body = refused.json()
        assert body["error"] == "invalid_request" and body["field"] == "document_number" and words in body["rule"]
    assert http.get(f"/cases/{old['id']}").json()["state"] == "active"
    unnumbered = {k: v for k, v in old["claims"].items() if k != "document_number"}
    replaced = http.post(f"/cases/{old['id']}/replace", json={"claims": unnumbered, "reason": "corrected"})
    assert replaced.status_code == 201, replaced.text
    assert re.fullmatch(r"LV-VSAA-\d{4}-[2-9A-HJ-NP-Z]{8}", replaced.json()["claims"]["document_number"])
    assert http.get(f"/cases/{old['id']}").json()["state"] == "replaced"


def test_a_replacement_without_a_holder_keeps_the_old_cases_holder(issuer: Any) -> None:
    """The back office form carries the holder over; so does the API when the body gives none, and a
    body that gives one replaces it."""
    _handle, http, _token = issuer
    old = _case(http, "DEMO-A1-LV-9601")
    unnumbered = {**old["claims"], "document_number": ""}
    kept = http.post(f"/cases/{old['id']}/replace", json={"claims": unnumbered, "reason": "extended"})
    assert kept.status_code == 201, kept.text
    assert kept.json()["holder"] == HOLDER
    assert http.get(f"/cases/{kept.json()['id']}/paper.pdf").status_code == 200  # the paper copy names them
    other = {"family_name": "Bērziņa", "given_name": "Jana", "birthdate": "1988-04-12"}
    changed = http.post(f"/cases/{kept.json()['id']}/replace",
                        json={"claims": unnumbered, "holder": other, "reason": "name corrected"})
    assert changed.status_code == 201, changed.text
    assert changed.json()["holder"] == other


def test_a_replacement_with_holder_null_removes_the_holder_which_an_a1_cannot_be_without(issuer: Any) -> None:
    """The API tells ``"holder": null`` (no holder: the wrong person was recorded) from a body that leaves
    it out (carried over). An A1 names its holder (section 1, ``case.a1_holder_required``): the
    replacement without one is refused and the old case stays as it was."""
    _handle, http, _token = issuer
    old = _case(http, "DEMO-A1-LV-9701")
    unnumbered = {**old["claims"], "document_number": ""}
    removed = http.post(f"/cases/{old['id']}/replace",
                        json={"claims": unnumbered, "holder": None, "reason": "holder was the wrong person"})
    assert removed.status_code == 400, removed.text
    assert (removed.json()["field"], removed.json()["rule_key"]) == ("holder", "case.a1_holder_required")
    kept = http.get(f"/cases/{old['id']}").json()
    assert kept["state"] == "active" and kept["holder"] == HOLDER and kept.get("replaced_by") is None


def test_the_replacement_form_with_every_holder_field_cleared_removes_the_holder_which_an_a1_cannot_be_without(
        issuer: Any) -> None:
    """The form always states the holder: its holder fields all emptied mean "no holder", never "keep the
    old one" (which the form showed, and the clerk removed). An A1 names its holder (section 1,
    ``case.a1_holder_required``): the form says so at the holder's fields and nothing is replaced."""
    handle, http, token = issuer
    old = _case(http, "DEMO-A1-LV-9801")
    session = httpx.post(f"{handle.url}/lv-vsaa/office/login", data={"token": token}).cookies[COOKIE]
    with httpx.Client(base_url=handle.url, cookies={COOKIE: session}) as office:
        page = office.get(f"/lv-vsaa/office/cases/{old['id']}/replace?lang=en")
        assert 'value="Bērziņš"' in page.text  # the form shows the holder, to keep, change or clear
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
        assert csrf is not None
        form = {**form_values("pda1", old["claims"], HOLDER), "csrf": csrf.group(1), "document_number": "",
                "replace_reason": "holder was the wrong person"}
        cleared = {**form, **{f.name: "" for f in FIELDS["pda1"] if f.name.startswith("holder.")}}
        replaced = office.post(f"/lv-vsaa/office/cases/{old['id']}/replace?lang=en",
                               data={**cleared, "confirm_overlap": "true"})  # beside other A1s of the person
    assert replaced.status_code == 400, replaced.text
    assert 'id="error-holder-family_name"' in replaced.text and "(section 1)" in replaced.text
    assert 'id="f-replace-reason" name="replace_reason"' in replaced.text  # still the replacement form
    kept = http.get(f"/cases/{old['id']}").json()
    assert kept["state"] == "active" and kept["holder"] == HOLDER and kept.get("replaced_by") is None


def test_the_replacement_form_asks_for_a_new_number(issuer: Any) -> None:
    """Filled in from the case, but for the number: the one field a replacement must not keep."""
    handle, http, token = issuer
    old = _case(http, "DEMO-A1-LV-9501")
    session = httpx.post(f"{handle.url}/lv-vsaa/office/login", data={"token": token}).cookies[COOKIE]
    with httpx.Client(base_url=handle.url, cookies={COOKIE: session}) as office:
        page = office.get(f"/lv-vsaa/office/cases/{old['id']}/replace?lang=en")
        assert page.status_code == 200
        assert 'id="f-document_number" value=""' in page.text and "new number" in page.text
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
        assert csrf is not None
        form = {**form_values("pda1", old["claims"], HOLDER), "csrf": csrf.group(1), "replace_reason": "corrected"}
        refused = office.post(f"/lv-vsaa/office/cases/{old['id']}/replace?lang=en", data=form)
        assert refused.status_code == 409
        assert 'id="error-document_number"' in refused.text and "needs a new number" in refused.text
        assert 'id="f-replace-reason" name="replace_reason"' in refused.text  # still the replacement form
        replaced = office.post(f"/lv-vsaa/office/cases/{old['id']}/replace?lang=en",
                               data={**form, "document_number": "", "confirm_overlap": "true"})  # beside other A1s
        assert replaced.status_code == 303
    assert http.get(f"/cases/{old['id']}").json()["state"] == "replaced"


def test_the_replacement_form_dates_the_new_document_today_not_the_old_ones_day(issuer: Any) -> None:
    """QA office: the correction is a new document, issued the day it is recorded (a new case's form
    starts at today too); the form used to keep the old document's date of issue, so a corrected A1
    recorded months later was dated before the decision that made it. The old one keeps its own day."""
    handle, http, token = issuer
    today = datetime.now(UTC).date()
    month_ago = (today - timedelta(days=30)).isoformat()
    created = http.post("/cases", json={"configuration_id": "pda1", "holder": HOLDER, "claims": {
        **PERSON.pda1, "document_number": "DEMO-A1-LV-9761", "date_of_issuance": month_ago}})
    assert created.status_code == 201, created.text
    old = created.json()
    session = httpx.post(f"{handle.url}/lv-vsaa/office/login", data={"token": token}).cookies[COOKIE]
    with httpx.Client(base_url=handle.url, cookies={COOKIE: session}) as office:
        page = office.get(f"/lv-vsaa/office/cases/{old['id']}/replace?lang=en")
        assert page.status_code == 200
        assert f'id="f-date_of_issuance" value="{today.isoformat()}"' in page.text, page.text
        shown = dict(re.findall(r'<input name="([^"]+)" id="f-[^"]*" value="([^"]*)"', page.text))
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
        assert csrf is not None
        replaced = office.post(f"/lv-vsaa/office/cases/{old['id']}/replace?lang=en", data={
            **form_values("pda1", old["claims"], HOLDER), "document_number": "",
            "date_of_issuance": shown["date_of_issuance"], "csrf": csrf.group(1),
            "replace_reason": "employer's name corrected", "confirm_overlap": "true"})
        assert replaced.status_code == 303, replaced.text
    new_id = replaced.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert http.get(f"/cases/{new_id}").json()["claims"]["date_of_issuance"] == today.isoformat()
    assert http.get(f"/cases/{old['id']}").json()["claims"]["date_of_issuance"] == month_ago


def test_the_form_starts_from_the_cases_own_data() -> None:
    """form_values is the inverse of claims_from_form, so that an unchanged form is the same document."""
    claims = {**PERSON.pda1, "transitional_rules": True}
    values = form_values("pda1", claims, HOLDER)
    assert values["employer.name"] == PERSON.pda1["employer"]["name"] and values["transitional_rules"] == "on"
    assert values["holder.family_name"] == "Bērziņš"
    assert {f.name for f in FIELDS["pda1"] if f.required} <= set(values)
    inst = Institution(demo_entity("LV:VSAA"), generate_key(), [], "https://issuer.example/lv-vsaa")
    again, holder = claims_from_form(inst, "pda1", values)
    assert holder == HOLDER
    cleared = {k: "" if k.startswith("holder.") else v for k, v in values.items()}
    assert claims_from_form(inst, "pda1", cleared)[1] == {}  # stated: no holder (not "left out")
    kept = ("employer", "work_address", "starting_date", "ending_date", "document_number", "transitional_rules")
    assert {k: again[k] for k in kept} == {k: claims[k] for k in kept}


def test_a_document_the_form_cannot_hold_is_not_replaced_through_it(issuer: Any) -> None:
    """An address written out whole (``formatted``) has no field in the form: replacing through it
    would drop it unseen. (Several employers and places of work do fit: test_office_multi_state.py.)"""
    handle, http, token = issuer
    place = {**PERSON.pda1["work_address"], "formatted": "Musterstraße 12\n10115 Berlin"}
    created = http.post("/cases", json={"configuration_id": "pda1", "holder": HOLDER, "claims": {
        **PERSON.pda1, "document_number": "DEMO-A1-LV-9301", "work_address": place}})
    assert created.status_code == 201, created.text
    session = httpx.post(f"{handle.url}/lv-vsaa/office/login", data={"token": token}).cookies[COOKIE]
    with httpx.Client(base_url=handle.url, cookies={COOKIE: session}) as office:
        page = office.get(f"/lv-vsaa/office/cases/{created.json()['id']}/replace?lang=en")
    assert page.status_code == 409 and "cannot show" in page.text
    assert http.get(f"/cases/{created.json()['id']}").json()["state"] == "active"


@pytest.mark.browser
def test_the_clerk_extends_an_a1_on_the_case_page(issuer: Any, browser: Any) -> None:
    handle, http, token = issuer
    old = _case(http, "DEMO-A1-LV-9201")
    tab = clerk_tab(browser, handle.url, "lv-vsaa", token)
    tab.goto(f"{handle.url}/lv-vsaa/office/cases/{old['id']}?lang=en")
    tab.click("#replace")
    tab.wait_for_selector("#replace-help")
    assert tab.input_value("[name='document_number']") == ""  # a new document: a new number
    assert tab.input_value("[name='holder.family_name']") == "Bērziņš"
    tab.fill("[name='document_number']", "DEMO-A1-LV-9202")
    tab.fill("[name='ending_date']", "2028-06-30")
    tab.click("#create")
    tab.wait_for_selector("#error")  # no reason given: asked for, nothing changed
    assert "reason" in tab.inner_text("#error").lower()
    assert http.get(f"/cases/{old['id']}").json()["state"] == "active"
    tab.fill("#f-replace-reason", "posting extended")
    tab.click("#create")
    tab.wait_for_selector("#describe, #posting-warning")
    if tab.locator("#posting-warning").count():  # the module's other A1s of the person overlap: both are meant
        tab.check("#f-confirm-overlap")
        tab.click("#create")
        tab.wait_for_selector("#describe")
    assert "DEMO-A1-LV-9202" in tab.inner_text("h1") and tab.locator("#make-offer").count() == 1
    assert "replaces an earlier document" in tab.inner_text("#events")
    tab.goto(f"{handle.url}/lv-vsaa/office/cases/{old['id']}?lang=en")
    assert tab.inner_text("#state") == "replaced"
    assert "replaced by a new document" in tab.inner_text("#events")
    assert tab.locator("#replace").count() == 0
    tab.context.close()
