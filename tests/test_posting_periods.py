"""One posting counted over its A1s, and an early end that keeps the months worked.

883/2004 Art. 12(1): a posting lasts at most 24 months. Decision A2 point 3(c): the same worker, the
same undertaking and the same state: a new posting only two months after the previous one ended,
derogation only in specific circumstances. Art. 11(1): one legislation at a time. 987/2009 Art. 5: a
withdrawal works from the first day, so an early end is a replacement (the old copy superseded,
status value 3), never a withdrawal. Review E (F6, F8) and review K (K9), adapted: each test has its
own person, so that the issuer's other cases are its own.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from test_office_multi_state import Issuer, _csrf, clerk_api, office_issuer, signed_in

from credentials.demo_persons import DEMO_PERSONS
from esspass.testing import office_form
from issuer import rules

ANNA = DEMO_PERSONS[0]
HOLDER = {k: ANNA.pid[k] for k in ("family_name", "given_name", "birthdate")}
_PEOPLE = itertools.count(1)


def _person() -> str:
    """A personal number no other test uses."""
    return f"DEMO-0101{next(_PEOPLE):02d}-20001"


def _a1(pin: str, start: date, end: date, **changes: Any) -> dict[str, Any]:
    """Anna's A1 (VSAA, 01 posted employed person, LV legislation, Berlin) for ``pin``, unnumbered."""
    claims = copy.deepcopy(ANNA.pda1)
    claims.pop("document_number")
    claims.update(personal_administrative_number=pin, date_of_issuance=_today().isoformat(),
                  starting_date=start.isoformat(), ending_date=end.isoformat(), **changes)
    return claims


def _today() -> date:
    return datetime.now(UTC).date()


def _last_day(start: date, months: int) -> date:
    """The last day of a period of ``months`` months from ``start``."""
    return rules.add_months(start, months) - timedelta(days=1)


# --- the pure rule ---------------------------------------------------------------------------------------


def test_a_new_posting_may_start_two_whole_months_after_the_last_one_ended() -> None:
    assert rules.new_posting_from("2028-11-30") == date(2029, 2, 1)
    assert rules.new_posting_from("2029-01-30") == date(2029, 3, 31)
    assert rules.months_spanned("2026-12-01", "2028-11-30") == 24
    assert rules.months_spanned("2026-12-01", "2028-12-01") == 25


def _recorded(case_id: str, claims: dict[str, Any], state: str = "active") -> rules.Recorded:
    return rules.Recorded(case_id, claims, state)


def test_two_postings_less_than_two_months_apart_are_one_posting_of_their_months_together() -> None:
    pin = _person()
    first = _a1(pin, date(2026, 12, 1), date(2027, 11, 30))
    second = _a1(pin, date(2028, 1, 15), date(2029, 1, 14))
    check = rules.posting_check(second, [_recorded("a", first)])
    assert [o.case_id for o in check.gaps] == ["a"] and check.months == 26 and check.over_24_months
    later = _a1(pin, date(2028, 2, 1), date(2028, 12, 31))  # two whole months after 30 November
    assert rules.posting_check(later, [_recorded("a", first)]).chain == ()


def test_another_employer_another_host_state_or_another_status_is_another_posting() -> None:
    pin = _person()
    first = _a1(pin, date(2026, 12, 1), date(2027, 11, 30))
    start, end = date(2027, 12, 1), date(2028, 5, 31)
    others = [_a1(pin, start, end, employer={"id": "LV40000000002", "name": "Other SIA", "country": "LV"}),
              _a1(pin, start, end, work_address={"locality": "Wien", "country": "AT"}),
              _a1(pin, start, end, status_confirmation="02", work_address={"locality": "Tallinn", "country": "EE"}),
              _a1(_person(), start, end)]
    for other in others:
        assert rules.posting_check(other, [_recorded("a", first)]).chain == ()


def test_a_chain_is_counted_transitively_and_withdrawn_a1s_are_not_given_to_it() -> None:
    pin = _person()
    a = _a1(pin, date(2026, 1, 1), date(2026, 12, 31))
    b = _a1(pin, date(2027, 1, 20), date(2027, 12, 31))
    new = _a1(pin, date(2028, 1, 10), date(2028, 3, 31))
    check = rules.posting_check(new, [_recorded("b", b), _recorded("a", a)])
    assert [o.case_id for o in check.chain] == ["a", "b"] and check.start == "2026-01-01" and check.over_24_months


def test_an_overlapping_active_a1_of_the_person_of_any_status_is_found() -> None:
    pin = _person()
    posted = _a1(pin, date(2026, 12, 1), date(2027, 11, 30))
    multi = _a1(pin, date(2027, 6, 1), date(2027, 12, 31), status_confirmation="02",
                work_address={"locality": "Tallinn", "country": "EE"})
    check = rules.posting_check(multi, [_recorded("a", posted), _recorded("s", posted, "suspended")])
    assert [o.case_id for o in check.overlaps] == ["a"] and check.chain == ()


# --- a real issuer, its back office and its clerk API ----------------------------------------------------


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    with office_issuer(tmp_path_factory.mktemp("posting-periods")) as started:
        yield started


@pytest.fixture
def office(issuer: Issuer) -> Iterator[httpx.Client]:
    with signed_in(issuer) as client:
        yield client


@pytest.fixture
def api(issuer: Issuer) -> Iterator[httpx.Client]:
    with clerk_api(issuer) as client:
        yield client



def _record(api: httpx.Client, claims: dict[str, Any], **body: Any) -> httpx.Response:
    return api.post("/cases", json={"configuration_id": "pda1", "holder": HOLDER, "claims": claims, **body})


def _recorded_case(api: httpx.Client, claims: dict[str, Any]) -> dict[str, Any]:
    created = _record(api, claims)
    assert created.status_code == 201, created.text
    case: dict[str, Any] = created.json()
    return case


def test_K9_a_posting_chained_within_two_months_beyond_24_months_is_refused_naming_art_16(
        api: httpx.Client) -> None:
    pin, start = _person(), _today() + timedelta(days=7)
    first = _recorded_case(api, _a1(pin, start, _last_day(start, 24)))
    second_start = _last_day(start, 24) + timedelta(days=1)
    second = _record(api, _a1(pin, second_start, _last_day(second_start, 6)), derogation={"reason": "asked"})
    assert second.status_code == 400, second.text
    body = second.json()
    assert body["rule_key"] == "pda1.posting_chain_months" and body["field"] == "ending_date"
    assert body["rule_params"]["number"] == first["claims"]["document_number"] and body["rule_params"]["months"] == 30
    assert "Art. 16" in body["rule"] and "status 11" in body["rule"]


def test_K9_an_extension_by_replacement_beyond_24_months_is_refused(api: httpx.Client) -> None:
    """Adapted: the replaced A1 began a month ago, so its months count (a replacement of an A1 not yet
    begun moves the posting, and counts from its own start)."""
    pin, start = _person(), _today() - timedelta(days=30)
    first = _recorded_case(api, _a1(pin, start, _last_day(start, 24)))
    for later_start in (start, rules.add_months(start, 12)):
        replaced = api.post(f"/cases/{first['id']}/replace", json={
            "reason": "extension of the posting",
            "claims": _a1(pin, later_start, _last_day(rules.add_months(start, 12), 24))})
        assert replaced.status_code == 400, replaced.text
        assert replaced.json()["rule_key"] in ("pda1.posting_months", "pda1.replacement_uncovers")
    assert api.get(f"/cases/{first['id']}").json()["state"] == "active"


def test_K9_an_extension_by_replacement_does_not_take_away_the_months_already_covered(api: httpx.Client) -> None:
    """The old advice "to extend it, replace it": a replacement starting after the begun A1's start is
    refused, pointing to a new A1 from the day after the old end; the old A1 stays valid."""
    pin, start = _person(), _today() - timedelta(days=60)
    end = _last_day(start, 6)
    first = _recorded_case(api, _a1(pin, start, end))
    extension_start = end + timedelta(days=1)
    replaced = api.post(f"/cases/{first['id']}/replace", json={
        "reason": "extension", "claims": _a1(pin, extension_start, _last_day(extension_start, 6))})
    assert replaced.status_code == 400, replaced.text
    assert replaced.json()["rule_key"] == "pda1.replacement_uncovers"
    assert replaced.json()["rule_params"]["next_day"] == extension_start.isoformat()
    assert api.get(f"/cases/{first['id']}").json()["state"] == "active"


def test_a_posting_less_than_two_months_after_the_last_needs_a_stated_derogation(api: httpx.Client) -> None:
    pin, start = _person(), _today() + timedelta(days=7)
    first = _recorded_case(api, _a1(pin, start, _last_day(start, 6)))
    second_start = _last_day(start, 6) + timedelta(days=20)
    claims = _a1(pin, second_start, _last_day(second_start, 6))
    refused = _record(api, claims)
    assert refused.status_code == 409, refused.text
    assert refused.json()["rule_key"] == "pda1.posting_chain"
    assert refused.json()["rule_params"]["number"] == first["claims"]["document_number"]
    assert _record(api, claims, derogation={"reason": " "}).status_code == 400
    recorded = _record(api, claims, derogation={"reason": "the site's handover slipped by three weeks"})
    assert recorded.status_code == 201, recorded.text
    events = {e["action"]: e["reason"] for e in recorded.json()["events"]}
    assert "handover slipped" in events["posting_derogation"]
    assert first["claims"]["document_number"] in events["posting_derogation"]


def test_a_posting_two_whole_months_after_the_last_is_a_new_posting(api: httpx.Client) -> None:
    pin, start = _person(), _today() + timedelta(days=7)
    _recorded_case(api, _a1(pin, start, _last_day(start, 24)))
    new_start = rules.new_posting_from(_last_day(start, 24).isoformat())
    _recorded_case(api, _a1(pin, new_start, _last_day(new_start, 24)))


def test_an_overlapping_a1_of_the_same_person_is_refused_when_asked_and_named_in_the_history(api: httpx.Client) -> None:
    pin, start = _person(), _today() + timedelta(days=7)
    first = _recorded_case(api, _a1(pin, start, _last_day(start, 12)))
    duplicate = _a1(pin, start, _last_day(start, 12))
    warned = _record(api, duplicate, confirm_overlap=False)
    assert warned.status_code == 409, warned.text
    assert warned.json()["rule_key"] == "pda1.overlap"
    assert warned.json()["rule_params"]["number"] == first["claims"]["document_number"]
    confirmed = _record(api, duplicate, confirm_overlap=True)
    assert confirmed.status_code == 201, confirmed.text
    assert any(e["action"] == "overlap_confirmed" for e in confirmed.json()["events"])
    noted = _record(api, duplicate)  # left out (an integrator that does not know the member): kept in the history
    assert noted.status_code == 201, noted.text
    assert any(e["action"] == "overlap_noted" and first["claims"]["document_number"] in e["reason"]
               for e in noted.json()["events"])


def test_a_correction_of_the_same_period_is_neither_a_chain_nor_an_overlap(api: httpx.Client) -> None:
    pin, start = _person(), _today() - timedelta(days=30)
    first = _recorded_case(api, _a1(pin, start, _last_day(start, 24)))
    corrected = api.post(f"/cases/{first['id']}/replace", json={
        "reason": "address corrected",
        "claims": _a1(pin, start, _last_day(start, 24), work_address={"locality": "Potsdam", "country": "DE"})})
    assert corrected.status_code == 201, corrected.text


def _form(pin: str, start: date, end: date) -> dict[str, str]:
    a1 = ANNA.pda1
    return {"personal_administrative_number": pin, "date_of_issuance": _today().isoformat(),
            "starting_date": start.isoformat(), "ending_date": end.isoformat(), "legislation_country": "LV",
            "status_confirmation": "01", "employer.id": a1["employer"]["id"], "employer.name": a1["employer"]["name"],
            "employer.country": "LV", "work_address.locality": "Berlin", "work_address.country": "DE",
            **{f"holder.{k}": v for k, v in HOLDER.items()}}


def test_the_form_asks_for_the_derogation_and_the_overlap_and_records_them(office: httpx.Client,
                                                                           api: httpx.Client) -> None:
    pin, start = _person(), _today() + timedelta(days=7)
    _recorded_case(api, _a1(pin, start, _last_day(start, 6)))
    second_start = _last_day(start, 6) + timedelta(days=10)
    form = _form(pin, second_start, _last_day(second_start, 6))
    page = office.post("/office/new/pda1?lang=en", data={"csrf": _csrf(office.get("/office/new/pda1").text), **form})
    assert page.status_code == 409, page.text[:2000]
    assert "Decision A2, point 3(c)" in page.text and 'name="derogation"' in page.text
    lv = office.post("/office/new/pda1?lang=lv", data={"csrf": _csrf(page.text), **form})
    assert "Lēmuma A2 3. punkta c) apakšpunkts" in lv.text
    done = office.post("/office/new/pda1?lang=en", data={"csrf": _csrf(page.text), **form, "derogation": "true",
                                                         "derogation_reason": "weather delayed the site"})
    assert done.status_code == 303, done.text[:2000]
    case_id = done.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert any(e["action"] == "posting_derogation" and "weather" in e["reason"]
               for e in api.get(f"/cases/{case_id}").json()["events"])
    overlap = office.post("/office/new/pda1?lang=en", data={"csrf": _csrf(page.text), **form, "derogation": "true",
                                                            "derogation_reason": "second site"})
    assert overlap.status_code == 409 and 'name="confirm_overlap"' in overlap.text, overlap.text[:2000]
    # The warning, focused, leads to the box at the form's end, which it describes (WCAG 2.4.3, 1.3.1).
    assert 'id="posting-warning" tabindex="-1" autofocus' in overlap.text
    assert 'href="#f-confirm-overlap"' in overlap.text and 'aria-describedby="posting-warning-text"' in overlap.text
    anyway = office.post("/office/new/pda1?lang=en", data={
        "csrf": _csrf(page.text), **form, "derogation": "true", "derogation_reason": "second site",
        "confirm_overlap": "true"})
    assert anyway.status_code == 303, anyway.text[:2000]


def test_the_csv_import_refuses_a_chained_posting_with_its_rule(api: httpx.Client) -> None:
    pin, start = _person(), _today() + timedelta(days=7)
    _recorded_case(api, _a1(pin, start, _last_day(start, 24)))
    second_start = _last_day(start, 24) + timedelta(days=1)
    claims = _a1(pin, second_start, _last_day(second_start, 3))
    report = api.post("/import", files={"file": ("a1.csv", _csv_row(pin, claims), "text/csv")})
    assert report.status_code == 200, report.text
    assert report.json()["rows"][0]["rule_key"] == "pda1.posting_chain_months", report.text


def _csv_row(pin: str, claims: dict[str, Any]) -> bytes:
    """An import file (issuer/import-template.csv's columns) of one posting to Berlin: ``claims``'s A1,
    naming Anna as its holder (section 1)."""
    vsaa = claims["issuing_authority"]
    columns = {"configuration_id": "pda1", "personal_administrative_number": pin,
               "date_of_issuance": claims["date_of_issuance"], "starting_date": claims["starting_date"],
               "ending_date": claims["ending_date"], "legislation_country": "LV", "status_confirmation": "01",
               "employer.id": claims["employer"]["id"], "employer.name": claims["employer"]["name"],
               "employer.country": "LV", "work_address.locality": "Berlin", "work_address.country": "DE",
               "issuing_authority.id": vsaa["id"], "issuing_authority.name": vsaa["name"],
               "issuing_authority.country": "LV", "issuing_country": "LV", "authentic_source.id": vsaa["id"],
               "authentic_source.name": vsaa["name"], **{f"holder.{k}": v for k, v in HOLDER.items()}}
    return (",".join(columns) + "\n" + ",".join(columns.values()) + "\n").encode()


def test_a_chained_posting_refused_in_a_csv_says_where_its_derogation_can_be_given(
        office: httpx.Client, api: httpx.Client) -> None:
    """QA office: the rule asks to record the A1 "only under a derogation, and say why", which a CSV
    row cannot: the import's report now says, in the page's language, that the new-case form asks for
    it; the row stays refused, nothing recorded."""
    pin, start = _person(), _today() + timedelta(days=7)
    _recorded_case(api, _a1(pin, start, _last_day(start, 6)))
    second_start = _last_day(start, 6) + timedelta(days=10)
    claims = _a1(pin, second_start, _last_day(second_start, 6))
    csv = _csv_row(pin, claims)
    page = office.post("/office/import?lang=lv", data=office_form(office.get("/office/import").text),
                       files={"file": ("a1.csv", csv, "text/csv")})
    assert page.status_code == 200, page.text[:2000]
    assert 'class="bad"' in page.text and "Lēmuma A2 3. punkta c) apakšpunkts" in page.text
    said = re.search(r'<span class="csv-derogation">([^<]*)</span>', page.text)
    assert said is not None and said.group(1).startswith("Failā atkāpi nevar norādīt"), page.text[-3000:]
    assert len(api.get("/cases", params={"q": pin}).json()) == 1


def test_a_csv_imported_twice_says_at_each_row_the_overlapping_a1_it_was_recorded_beside(
        office: httpx.Client, api: httpx.Client) -> None:
    """QA office, Art. 11(1): a CSV file without document numbers imported a second time (a reload of
    the import's answer resends the file) recorded every person's A1 again, the report saying only
    "imported": nobody had ticked "record anyway", and nobody was told. Each such row now names, in the
    report's rule column (the page's and the API's), the A1 it overlaps; the first import says nothing."""
    pin, start = _person(), _today() + timedelta(days=7)
    claims = _a1(pin, start, _last_day(start, 6))
    csv = _csv_row(pin, claims)
    first = api.post("/import", files={"file": ("a1.csv", csv, "text/csv")}).json()["rows"][0]
    assert first["ok"] and "overlaps" not in first, first
    # The same file again: imported only when the clerk confirms it (issuer.service.SameFile).
    again = api.post("/import", params={"again": "true"}, files={"file": ("a1.csv", csv, "text/csv")}).json()["rows"][0]
    assert again["ok"] and again["overlaps"] == f"A1 {first['label']}", again
    form = {**office_form(office.get("/office/import").text), "again": "true"}
    page = office.post("/office/import?lang=en", data=form, files={"file": ("a1.csv", csv, "text/csv")})
    assert page.status_code == 200, page.text[:2000]
    said = re.search(r'<span class="overlap-noted">([^<]*)</span>', page.text)
    assert said is not None, page.text[:3000]
    prefix = "recorded beside an overlapping A1: A1 "
    assert said.group(1).startswith(prefix), said.group(1)
    assert set(said.group(1).removeprefix(prefix).split(", ")) == {first["label"], again["label"]}
