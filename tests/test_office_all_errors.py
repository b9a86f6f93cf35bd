"""Every mistake of a case at once (WCAG 2.2 SC 3.3.1, the GOV.UK error summary pattern): a clerk who
made three mistakes in the A1 or EHIC form sees all three in one answer, each beside its field and all in
a summary at the top linking to them, with what was typed kept; the back office API lists every problem
(``problems``) beside the first (the members it always had); an import row says each of its problems;
and each CSV template, as the import page offers it for download, imports as it is.

Against the real issuer over HTTP, and in Debian Chromium for the page (``browser``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import httpx
import pytest
from test_issuer_office import FIELD_ERROR, _csrf, _signed_in

from credentials import ehic, i18n, pda1, pid
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError
from esspass.stack import unnumbered
from esspass.testing import ServerHandle, free_port, office_form, serve, wait_until
from issuer.app import create_app
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
Issuer = tuple[ServerHandle, dict[str, str]]

#: An EHIC typed with three mistakes, each at its own field: a personal number too short, an expiry
#: before the day of issue, and a birth date that is no day of the calendar.
EHIC_MISTAKES = {"personal_administrative_number": "12", "document_number": "DEMO-EHIC-LV-7001",
                 "date_of_issuance": "2026-11-01", "date_of_expiry": "2026-10-01",
                 "holder.family_name": "Bērziņa", "holder.given_name": "Anna", "holder.birthdate": "1988-02-30"}
#: field -> (its element id, the rule key it breaks)
EHIC_BROKEN = {"personal_administrative_number": ("f-personal_administrative_number", "text.length"),
               "date_of_expiry": ("f-date_of_expiry", "date.not_before"),
               "holder.birthdate": ("f-holder-birthdate", "date.real")}


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    data_dir = tmp_path_factory.mktemp("all-errors")
    port = free_port()
    app = create_app(IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}"))
    with serve(app, port=port) as handle:
        tokens: dict[str, str] = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        yield handle, tokens


def _summary(html: str) -> list[tuple[str, str]]:
    """The error summary's entries: (the id its link goes to, its text)."""
    box = re.search(r'<div class="error" role="alert" id="error"[^>]*>(.*?)</div>', html, re.S)
    assert box is not None, "no error summary"
    return [(target, unescape(re.sub(r"<[^>]+>", "", text)).strip())
            for target, text in re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', box.group(1), re.S)]


def _field(html: str, dom_id: str) -> str:
    found = re.search(rf'<(?:input|select)[^>]*id="{dom_id}"[^>]*>', html)
    assert found is not None, dom_id
    return found.group(0)


def _field_error(html: str, dom_id: str) -> str:
    found = re.search(rf'<span class="field-error" id="error-{dom_id.removeprefix("f-")}">([^<]*)</span>', html)
    assert found is not None, dom_id
    return unescape(found.group(1))


def _count(api: httpx.Client) -> int:
    return len(api.get("/cases").json())


# --- the document models: every problem in one pass --------------------------------------------------


def test_the_models_find_every_independent_problem_and_skip_a_rule_on_a_broken_field() -> None:
    """One pass finds each rule broken; an end that is no date is not also said to be before its start;
    ``validate`` still raises the first (the others ride along), as its other callers read it."""
    claims = {**PERSON.pda1, "personal_administrative_number": "12", "ending_date": "2027-02-30",
              "employer": {**PERSON.pda1["employer"], "country": "XX"}}
    found = [(p.field, p.key) for p in pda1.problems(claims)]
    assert found == [("personal_administrative_number", "text.length"), ("ending_date", "date.real"),
                     ("employer.country", "country.iso")], found
    with pytest.raises(DataError) as raised:
        pda1.validate(claims)
    assert (raised.value.field, raised.value.key) == ("personal_administrative_number", "text.length")
    assert [(p.field, p.key) for p in raised.value.problems] == found
    # A real end before the start is said, once the end is a date.
    later = {**claims, "ending_date": "2026-09-01"}
    assert ("ending_date", "date.not_before") in [(p.field, p.key) for p in pda1.problems(later)]
    card = {**PERSON.ehic, "personal_administrative_number": "12", "date_of_expiry": "2026-10-01"}
    assert [(p.field, p.key) for p in ehic.problems(card)] == [
        ("personal_administrative_number", "text.length"), ("date_of_expiry", "date.not_before")]
    assert pda1.problems(PERSON.pda1) == [] and ehic.problems(PERSON.ehic) == []


# --- the form, over HTTP -------------------------------------------------------------------------------


def test_three_mistakes_in_the_ehic_form_are_all_shown_at_once_and_what_was_typed_is_kept(issuer: Issuer) -> None:
    handle, tokens = issuer
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        form = http.get("/lv-nvd/office/new/ehic?lang=en").text
        refused = http.post("/lv-nvd/office/new/ehic?lang=en", data={"csrf": _csrf(form), **EHIC_MISTAKES})
    assert refused.status_code == 400, refused.text
    html = refused.text
    assert '<h2 id="error-title">There is a problem</h2>' in html and "Please correct the fields marked below." in html
    summary = _summary(html)
    assert [target for target, _ in summary] == [dom_id for dom_id, _ in EHIC_BROKEN.values()], summary
    for (target, text), (field, (dom_id, key)) in zip(summary, EHIC_BROKEN.items(), strict=True):
        assert field in text and target == dom_id
        tag = _field(html, dom_id)
        assert 'aria-invalid="true"' in tag and f"error-{dom_id.removeprefix('f-')}" in tag
        rule = _field_error(html, dom_id)
        assert rule and rule in text  # the same words beside the field as in the summary
        assert rule.split("“")[0].strip() in i18n.t(f"rule.{key}", "en", lo=4, hi=50, other_field="x")
    assert html.count('class="field-error"') == 3
    for field, value in EHIC_MISTAKES.items():  # everything typed, right or wrong, is still there
        assert f'value="{value}"' in _field(html, "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", field))


def test_three_mistakes_in_the_pid_form_are_all_shown_at_once(issuer: Issuer) -> None:
    """The PID provider's clerk, as the A1's and the EHIC's: a birth date that is no day, a nationality
    that is no country and a personal number too short are all named in one answer, each at its field."""
    handle, tokens = issuer
    mistakes = {"family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1988-02-30",
                "nationalities[]": "LV;XX", "personal_administrative_number": "12"}
    with _signed_in(handle, tokens["LV:PID"]) as http:
        form = http.get("/lv-pid/office/new/pid?lang=en").text
        refused = http.post("/lv-pid/office/new/pid?lang=en", data={"csrf": _csrf(form), **mistakes})
    assert refused.status_code == 400, refused.text
    targets = [target for target, _ in _summary(refused.text)]
    assert targets == ["f-birthdate", "f-nationalities--", "f-personal_administrative_number"], targets
    assert refused.text.count('class="field-error"') == 3
    assert [(e.field, e.key) for e in pid.problems({**{k: v for k, v in mistakes.items() if "[" not in k},
                                                     "nationalities": ["LV", "XX"]})] == [
        ("birthdate", "date.real"), ("nationalities.1", "country.iso"),
        ("personal_administrative_number", "text.length")]


def test_the_summary_and_the_messages_are_in_the_pages_language(issuer: Issuer) -> None:
    handle, tokens = issuer
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        form = http.get("/lv-nvd/office/new/ehic?lang=lv").text
        refused = http.post("/lv-nvd/office/new/ehic?lang=lv", data={"csrf": _csrf(form), **EHIC_MISTAKES})
    assert refused.status_code == 400
    html = unescape(refused.text)
    assert i18n.t("office.error_summary", "lv") in html and i18n.t("office.form_errors", "lv") in html
    assert i18n.t("rule.text.length", "lv", lo=4, hi=50) in html
    assert i18n.t("rule.date.real", "lv") in html
    assert "nedrīkst būt pirms datuma" in html  # date.not_before, the other field by its Latvian label
    for english in ("There is a problem", "must be 4 to 50 characters", "must be a real date"):
        assert english not in html


def test_three_mistakes_in_the_a1_form_reach_their_fields_a_second_employer_row_included(issuer: Issuer) -> None:
    """A1: an end before the start, a second employer's state that is none, a holder's birth date after
    the day of issue; each beside its own field (the second employer's in its row)."""
    handle, tokens = issuer
    a1 = PERSON.pda1
    data = {"personal_administrative_number": a1["personal_administrative_number"],
            "document_number": "DEMO-A1-LV-7101", "date_of_issuance": a1["date_of_issuance"],
            "starting_date": a1["starting_date"], "ending_date": "2026-09-01",
            "legislation_country": "LV", "status_confirmation": "01",
            "employer.id": "LV40000000001", "employer.name": "Baltic Build SIA", "employer.country": "LV",
            "employer.type": "01", "employer.1.id": "LV40000000002", "employer.1.name": "Rīgas Būve SIA",
            "employer.1.country": "XX", "employer.1.type": "01",
            "work_address.locality": "Berlin", "work_address.country": "DE",
            "holder.family_name": "Bērziņa", "holder.given_name": "Anna", "holder.birthdate": "2031-01-01"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        form = http.get("/lv-vsaa/office/new/pda1?lang=en").text
        refused = http.post("/lv-vsaa/office/new/pda1?lang=en", data={"csrf": _csrf(form), **data})
    assert refused.status_code == 400, refused.text
    html = refused.text
    targets = [target for target, _ in _summary(html)]
    assert targets == ["f-holder-birthdate", "f-ending_date", "f-employer-1-country"], targets  # the form's order
    for dom_id in targets:
        assert 'aria-invalid="true"' in _field(html, dom_id)
    assert "Period from" in _field_error(html, "f-ending_date")
    assert "two-letter ISO 3166-1 country code" in _field_error(html, "f-employer-1-country")
    assert 'value="Rīgas Būve SIA"' in _field(html, "f-employer-1-name")  # the second row kept, as typed


def test_an_a1_dated_before_883_2004_applied_is_refused_at_its_field_in_the_clerks_language(
        issuer: Issuer) -> None:
    """QA office: a date of issue typed 2005 for 2025 was recorded and signed, an A1 dated five years
    before the A1 existed (987/2009 Art. 97). Refused beside the field, in Latvian, nothing recorded."""
    handle, tokens = issuer
    a1 = PERSON.pda1
    data = {"personal_administrative_number": "DEMO-P-7201", "document_number": "",
            "date_of_issuance": "2005-01-01", "starting_date": a1["starting_date"], "ending_date": a1["ending_date"],
            "legislation_country": "LV", "status_confirmation": "01",
            "employer.id": "LV40000000001", "employer.name": "Baltic Build SIA", "employer.country": "LV",
            "work_address.locality": "Berlin", "work_address.country": "DE",
            "holder.family_name": "Bērziņa", "holder.given_name": "Anna", "holder.birthdate": "1988-02-01"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http, httpx.Client(
            base_url=f"{handle.url}/lv-vsaa/api", headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}) as api:
        before = _count(api)
        form = http.get("/lv-vsaa/office/new/pda1?lang=lv").text
        refused = http.post("/lv-vsaa/office/new/pda1?lang=lv", data={"csrf": _csrf(form), **data})
        assert _count(api) == before
    assert refused.status_code == 400, refused.text
    assert [target for target, _ in _summary(refused.text)] == ["f-date_of_issuance"]
    said = _field_error(refused.text, "f-date_of_issuance")
    assert said == i18n.t("rule.pda1.issued_before_883", "lv", country="LV", date="2010-05-01"), said


def test_a_holder_born_after_the_a1s_period_began_is_refused_at_the_birth_date(issuer: Issuer) -> None:
    """QA office: a retroactive A1 (issued after its period began) for a holder whose birth date was
    typed inside the period (2026 for 1986) was recorded, and printed on the paper copy the inspector
    compares with an identity document. Refused beside the birth date, naming "Period from"; a holder
    of working age on the period's first day (pda1.WORKER_MIN_AGE) is recorded."""
    handle, tokens = issuer
    a1 = PERSON.pda1
    data = {"personal_administrative_number": "DEMO-P-7301", "document_number": "",
            "date_of_issuance": "2026-11-30", "starting_date": "2026-03-01", "ending_date": "2026-10-31",
            "legislation_country": "LV", "status_confirmation": "01", "employer.id": a1["employer"]["id"],
            "employer.name": a1["employer"]["name"], "employer.country": "LV", "work_address.locality": "Berlin",
            "work_address.country": "DE", "holder.family_name": "Bērziņa", "holder.given_name": "Anna",
            "holder.birthdate": "2026-06-01"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        form = http.get("/lv-vsaa/office/new/pda1?lang=en").text
        refused = http.post("/lv-vsaa/office/new/pda1?lang=en", data={"csrf": _csrf(form), **data})
        assert refused.status_code == 400, refused.text
        assert [target for target, _ in _summary(refused.text)] == ["f-holder-birthdate"]
        assert "Period from" in _field_error(refused.text, "f-holder-birthdate")
        recorded = http.post("/lv-vsaa/office/new/pda1?lang=en", data={
            "csrf": _csrf(form), **data, "holder.birthdate": "2013-03-01"})
        assert recorded.status_code == 303, recorded.text


def test_a_replacement_without_its_reason_also_names_the_mistakes_in_its_claims(issuer: Issuer) -> None:
    handle, tokens = issuer
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        form = http.get("/lv-nvd/office/new/ehic?lang=en").text
        good = {**EHIC_MISTAKES, "personal_administrative_number": PERSON.ehic["personal_administrative_number"],
                "date_of_expiry": "2031-10-31", "holder.birthdate": "1988-04-12",
                "document_number": "DEMO-EHIC-LV-7011"}
        made = http.post("/lv-nvd/office/new/ehic?lang=en", data={"csrf": _csrf(form), **good})
        assert made.status_code == 303, made.text
        case = made.headers["location"].split("?")[0]
        page = http.get(f"{case}/replace?lang=en").text
        refused = http.post(f"{case}/replace?lang=en", data={
            "csrf": _csrf(page), **good, "document_number": "", "date_of_expiry": "2026-10-01",
            "replace_reason": ""})
    assert refused.status_code == 400, refused.text
    assert [t for t, _ in _summary(refused.text)] == ["f-replace-reason", "f-date_of_expiry"]
    assert 'aria-describedby="error-replace-reason"' in _field(refused.text, "f-replace-reason")


# --- the form, in Chromium -----------------------------------------------------------------------------


@pytest.mark.browser
def test_the_clerk_sees_every_mistake_at_once_and_the_summary_leads_to_each_field(issuer: Issuer,
                                                                                   browser: Any) -> None:
    handle, tokens = issuer
    context = browser.new_context(locale="en-GB")
    try:
        tab = context.new_page()
        tab.goto(f"{handle.url}/lv-nvd/office/login?lang=en")
        tab.fill("#token", tokens["LV:NVD"])
        tab.click("#signin")
        tab.wait_for_selector("#cases")
        tab.goto(f"{handle.url}/lv-nvd/office/new/ehic?lang=en")
        # A date field holds no impossible day in a browser: the birth date after the day of issue instead.
        typed = {**EHIC_MISTAKES, "holder.birthdate": "2027-01-01", "document_number": "DEMO-EHIC-LV-7021"}
        for name, value in typed.items():
            tab.fill(f"[name='{name}']", value)
        tab.click("#create")
        tab.wait_for_selector("#error-list")
        assert tab.evaluate("document.activeElement.id") == "error"  # the summary is where the clerk starts
        assert tab.get_attribute("#error", "role") == "alert"
        assert tab.locator("#error-list a").count() == 3
        for dom_id, key in EHIC_BROKEN.values():
            said = tab.evaluate(FIELD_ERROR, f"#{dom_id}")
            assert said["invalid"] == "true" and not said["missing"], said
            assert said["text"].strip(), said
            assert tab.locator(f"#error-list a[href='#{dom_id}']").count() == 1, key
        for name, value in typed.items():
            assert tab.input_value(f"[name='{name}']") == value
        assert "must not be after" in tab.inner_text("#error-holder-birthdate")
        tab.click("#error-list a[href='#f-holder-birthdate']")
        wait_until(tab, "location.hash === '#f-holder-birthdate'")
        assert tab.evaluate("document.querySelector(':target').id") == "f-holder-birthdate"
        assert tab.evaluate("(() => { const r = document.getElementById('f-holder-birthdate')"
                            ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()")
        # Corrected all at once: one more submission records the card.
        tab.fill("[name='personal_administrative_number']", PERSON.ehic["personal_administrative_number"])
        tab.fill("[name='date_of_expiry']", "2031-10-31")
        tab.fill("[name='holder.birthdate']", "1988-04-12")
        tab.click("#create")
        tab.wait_for_selector("#describe")
    finally:
        context.close()


# --- the back office API ---------------------------------------------------------------------------------


def test_the_api_answers_a_case_with_every_problem_and_keeps_the_first_at_the_top(issuer: Issuer) -> None:
    handle, tokens = issuer
    claims = {**PERSON.ehic, "personal_administrative_number": "12", "date_of_expiry": "2026-10-01",
              "document_number": "DEMO-EHIC-LV-7201"}
    holder = {"family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1988-02-30"}
    with httpx.Client(base_url=f"{handle.url}/lv-nvd/api",
                      headers={"Authorization": f"Bearer {tokens['LV:NVD']}"}) as api:
        before = _count(api)
        answer = api.post("/cases", json={"configuration_id": "ehic", "claims": claims, "holder": holder})
        assert answer.status_code == 400, answer.text
        body = answer.json()
        assert _count(api) == before
    # The members an integrator reads already: the first problem.
    assert (body["error"], body["field"], body["rule_key"]) == ("invalid_request", "personal_administrative_number",
                                                               "text.length")
    assert body["rule"] == "must be 4 to 50 characters" and body["rule_params"] == {"lo": 4, "hi": 50}
    assert [(p["field"], p["rule_key"]) for p in body["problems"]] == [
        ("personal_administrative_number", "text.length"), ("date_of_expiry", "date.not_before"),
        ("holder.birthdate", "date.real")]
    assert all(p["rule"] and "rule_params" in p for p in body["problems"])
    assert body["problems"][1]["rule_params"] == {"other_field": "date_of_issuance"}


# --- the CSV import ----------------------------------------------------------------------------------------


def _template(handle: ServerHandle, name: str) -> str:
    got = httpx.get(f"{handle.url}/{name}")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv"), got.text
    return got.text


def test_a_csv_row_with_two_problems_reports_both(issuer: Issuer) -> None:
    handle, tokens = issuer
    rows = list(csv.DictReader(io.StringIO(_template(handle, "import-template-ehic.csv"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerow({**rows[0], "document_number": "DEMO-EHIC-LV-7301", "date_of_expiry": "2026-10-01",
                     "holder.birthdate": "1988-13-01"})
    writer.writerow({**rows[0], "document_number": "DEMO-EHIC-LV-7302"})
    data = out.getvalue().encode()
    with httpx.Client(base_url=f"{handle.url}/lv-nvd/api",
                      headers={"Authorization": f"Bearer {tokens['LV:NVD']}"}) as api:
        answer = api.post("/import", files={"file": ("cards.csv", data, "text/csv")})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["imported"], report["rejected"], report["failed"]) == (1, 1, [2]), report
    bad = report["rows"][0]
    assert (bad["field"], bad["rule_key"]) == ("date_of_expiry", "date.not_before")  # the first, as before
    assert [(p["field"], p["rule_key"]) for p in bad["problems"]] == [("date_of_expiry", "date.not_before"),
                                                                      ("holder.birthdate", "date.real")]
    # The office page says both, each on its own line of the report, in the clerk's language.
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        page = http.get("/lv-nvd/office/import?lang=de").text
        shown = http.post("/lv-nvd/office/import?lang=de", data=office_form(page),
                          files={"file": ("cards.csv", data.replace(b"730", b"731"), "text/csv")})
    assert shown.status_code == 200, shown.text
    lines = re.findall(r'<tr class="bad">(.*?)</tr>', shown.text, re.S)
    assert len(lines) == 2 and all(">2<" in line for line in lines), lines
    assert "date_of_expiry" in lines[0] and "holder.birthdate" in lines[1]
    assert i18n.t("rule.date.real", "de") in unescape(lines[1])


def test_a_document_with_very_many_problems_is_told_its_first_ones_only() -> None:
    """An import row (or API body) with thousands of unknown columns answers with the first
    ``Problems.LIMIT``, not a report thousands of times the size of the row."""
    from credentials.claims import Problems

    claims = {**PERSON.ehic, **{f"column{n:04}": "x" for n in range(3000)}, "date_of_expiry": "2026-10-01"}
    found = ehic.problems(claims)
    assert len(found) == Problems.LIMIT and found[0].field == "column0000"
    with pytest.raises(DataError) as raised:
        ehic.validate(claims)
    assert len(raised.value.problems) == Problems.LIMIT


def test_a_form_with_more_fields_or_files_than_the_office_sends_is_a_page_in_the_clerks_language(
        issuer: Issuer) -> None:
    """A POST of more than 1000 fields (or files) to a back office form, or more than the few a small
    form has, was answered with Starlette's English JSON ("Too many fields. Maximum number of fields
    is 1000."); now with the office's error page, a 400 in the clerk's language, as its other form
    errors are."""
    handle, tokens = issuer
    with httpx.Client(base_url=f"{handle.url}/lv-vsaa/api",
                      headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}) as api:
        made = api.post("/cases", json={"configuration_id": "pda1", "claims": unnumbered(PERSON.pda1),
                                        "holder": {k: PERSON.pid[k] for k in ("family_name", "given_name",
                                                                              "birthdate")}})
        assert made.status_code == 201, made.text
    case = made.json()["id"]
    many = {f"f{i}": "x" for i in range(1001)}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        for where in ("login", "logout", "new/pda1", "cases", "import", f"cases/{case}/replace",
                      f"cases/{case}/revoke"):
            answer = http.post(f"/lv-vsaa/office/{where}?lang=de", data=many)
            assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html"), \
                (where, answer.status_code, answer.text[:200])
            text = unescape(re.sub(r"<[^>]+>", " ", answer.text))
            assert "Das Formular konnte nicht gelesen werden" in text, (where, text)
        files = http.post("/lv-vsaa/office/new/pda1?lang=de",
                          files={f"f{i}": ("a.txt", b"x") for i in range(1001)})
        assert files.status_code == 400 and "Das Formular konnte nicht gelesen werden" in files.text, files.text[:200]
