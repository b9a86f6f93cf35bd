"""The hospital desk checks an EHIC or a Provisional Replacement Certificate for the day the care was
given (review R1 of the EHIC desk, defects 3 and 4): a PRC is often issued after the treatment
(987/2009 Art. 25, Decision S2), and the bill to the competent institution needs to know that the
patient was covered on that day. The document's expiry and period are judged at the date of care;
its signature, chain and status now. The EHIC check's pages speak of a patient, the A1's of a worker;
the home page offers the check last started.

One test per requirement; the services run for real on loopback (esspass.stack.start_in_process).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from test_ehic_desk import JAN, Desk

from credentials import i18n
from esspass.stack import Clerk, InspectorAuth, start_in_process, unnumbered

JAN_HOLDER = {k: JAN.pid[k] for k in ("family_name", "given_name", "birthdate")}


@pytest.fixture(scope="module")
def hospital(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    data_dir = tmp_path_factory.mktemp("hospital-desk")
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=30, auth=InspectorAuth(stack.inspector_token)) as http:
        yield Desk(stack, http, Clerk(stack.issuer_url, data_dir, http), data_dir)


def _today() -> date:
    return datetime.now(UTC).date()


def _ended_prc(hospital: Desk) -> tuple[object, date, date]:
    """Jan's wallet with his PID and a PL:NFZ PRC covering 40 to 20 days ago (issued after the care)."""
    end = _today() - timedelta(days=20)
    start = end - timedelta(days=20)
    prc = {k: v for k, v in unnumbered(JAN.ehic).items() if k != "date_of_expiry"}
    prc.update(starting_date=start.isoformat(), ending_date=end.isoformat())
    w = hospital.wallet(person=JAN)
    hospital.card(w, prc, entity=JAN.ehic_issuer, holder=JAN_HOLDER)
    return w, start, end


def _bearer(hospital: Desk) -> dict[str, str]:
    """The home page (``/``) is no path InspectorAuth signs: the desk's token, given by hand."""
    return {"Authorization": f"Bearer {hospital.stack.inspector_token}"}


def _main_text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1])))


def _page_check(hospital: Desk, w: object, lang: str = "en", **form: str) -> str:
    base = hospital.stack.verifier_url
    r = hospital.http.post(f"{base}/inspect?lang={lang}", data={"profile": "ehic", **form})
    assert r.status_code == 303, r.text[:300]
    view = r.headers["location"].split("/inspect/")[1].split("?")[0]
    waiting = hospital.http.get(f"{base}/inspect/{view}").text
    link = html.unescape(re.search(r'(openid4vp://[^"<\s]+)', waiting).group(1))  # type: ignore[union-attr]
    consent = w.open_request(link, "en")  # type: ignore[attr-defined]
    w.share(consent.id)  # type: ignore[attr-defined]
    return hospital.http.get(f"{base}/inspect/{view}/verdict?lang={lang}").text


def test_a_prc_whose_period_has_ended_is_valid_for_a_date_of_care_within_it(hospital: Desk) -> None:
    """The reviewer's case: a genuine, not withdrawn PRC covering 21 Oct - 10 Nov, checked on 30 Nov
    for care given on 1 Nov, is valid for that day (and says so: "valid on", not "valid today")."""
    w, start, _ = _ended_prc(hospital)
    care = start + timedelta(days=5)
    verdict = hospital.api_check(w, care_date=care.isoformat())
    assert verdict["verdict"] == "valid", (verdict["verdict"], verdict["reason"])
    assert verdict["care_date"] == care.isoformat()
    steps = {s["code"]: s for c in verdict["credentials"] for s in c["steps"] if c["vct"] != "urn:eudi:pid:1"}
    assert steps["coverage_period"]["key"] == "coverage_period.care_date", steps["coverage_period"]
    assert steps["status"]["result"] == "passed"


def test_the_verdict_page_and_printout_say_valid_on_the_date_of_care(hospital: Desk) -> None:
    w, start, _ = _ended_prc(hospital)
    care = start + timedelta(days=1)
    page = _page_check(hospital, w, care_date=care.isoformat())
    assert 'data-verdict="valid"' in page
    words = i18n.format_date(care, "en")
    assert f"Valid on {words}, the date of care." in _main_text(page)
    printed = page.split('id="care-date-printed">', 1)[1].split("<", 1)[0]
    assert printed == words
    assert "Today lies within" not in page


def test_a_prc_whose_period_has_ended_checked_for_today_says_when_and_offers_the_date_of_care(
        hospital: Desk) -> None:
    """Without a date of care the PRC stays not valid today, but the reason gives the period's end
    (API and page, in the page's language) and the page offers the check for a date of care."""
    w, _, end = _ended_prc(hospital)
    verdict = hospital.api_check(w)
    assert verdict["verdict"] == "invalid"
    assert end.isoformat() in verdict["reason"], verdict["reason"]
    w2, _, end = _ended_prc(hospital)
    page = _page_check(hospital, w2, "fr")
    text = _main_text(page)
    assert f"La période couverte par le document a pris fin le {i18n.format_date(end, 'fr')}." in text, text
    link = re.search(r'<a href="([^"]+)" id="care-date-check">', page)
    assert link is not None, text
    home = hospital.http.get(f"{hospital.stack.verifier_url}{html.unescape(link.group(1))}",
                             headers=_bearer(hospital)).text
    assert re.search(r'value="ehic"\s+checked', home), home
    assert 'id="care_date"' in home


def test_the_offline_qr_of_a_prc_is_checked_for_the_date_of_care_too(hospital: Desk) -> None:
    """The PRC's offline QR code (the page's form and the API): the same judgement at the date of care."""
    w, start, end = _ended_prc(hospital)
    base = hospital.stack.verifier_url
    r = hospital.http.post(f"{base}/api/offline/verify", json={"qr": hospital.qr(w), "care_date": end.isoformat()})
    assert r.status_code == 200 and r.json()["verdict"] == "valid", r.json()["reason"]
    r = hospital.http.post(f"{base}/offline?lang=de", data={"qr": hospital.qr(w),
                                                          "care_date": (end + timedelta(days=1)).isoformat()})
    assert r.status_code == 303, r.text[:300]
    page = hospital.http.get(f"{base}{r.headers['location']}").text
    assert 'data-verdict="invalid"' in page
    assert f"Geprüft für das Behandlungsdatum: {i18n.format_date(end + timedelta(days=1), 'de')}." in \
        _main_text(page)
    r = hospital.http.post(f"{base}/offline?lang=en", data={"qr": hospital.qr(w), "care_date": "2999-01-01"})
    assert r.status_code == 400 and 'aria-invalid="true"' in r.text and "Give a date of care" in r.text
    assert start < end


def test_a_card_issued_after_the_date_of_care_is_not_valid_for_it(hospital: Desk) -> None:
    """A card (no period of its own) shows cover from its issue on: for an earlier day of care the
    institution issues a PRC (Decision S2). Its own dates are still judged at the date of care."""
    w = hospital.wallet(person=JAN)
    card = {**unnumbered(JAN.ehic), "date_of_issuance": (_today() - timedelta(days=1)).isoformat()}
    hospital.card(w, card, entity=JAN.ehic_issuer, holder=JAN_HOLDER)
    verdict = hospital.api_check(w, care_date=(_today() - timedelta(days=3)).isoformat())
    assert verdict["verdict"] == "invalid"
    assert verdict["reason_key"] == "document_validity.issued_after_care", verdict["reason"]


@pytest.mark.parametrize("given", ["tomorrow", "six_years_ago", "not_a_date", "a1"])
def test_a_date_of_care_in_the_future_too_old_unreadable_or_for_an_a1_is_refused(hospital: Desk, given: str) -> None:
    """Not after today (care given, not booked), at most five years back (CARE_DATE_MAX_YEARS), a
    date, and for the EHIC check only: an A1 is inspected for today. A 400 in words, never a 500."""
    today = _today()
    care = {"tomorrow": (today + timedelta(days=2)).isoformat(), "six_years_ago": f"{today.year - 6}-01-01",
            "not_a_date": "2025-13-45", "a1": (today - timedelta(days=1)).isoformat()}[given]
    profile = "pda1" if given == "a1" else "ehic"
    base = hospital.stack.verifier_url
    r = hospital.http.post(f"{base}/api/requests", json={"profile": profile, "care_date": care})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
    page = hospital.http.post(f"{base}/inspect?lang=lv", data={"profile": profile, "care_date": care})
    assert page.status_code == 400
    assert 'id="care-date-error"' in page.text and 'aria-invalid="true"' in page.text


@pytest.mark.parametrize("typed", ["20 November 2026", "2026-11-20 ", "2026-11-20\x00"])
def test_a_date_of_care_typed_longer_than_a_date_is_refused_on_the_page_not_as_the_apis_json(
        hospital: Desk, typed: str) -> None:
    """A browser without a date picker sends what the desk typed: the page says, in its language and
    beside the field, that it is no date (400), as for any other unreadable date; never the API's JSON."""
    page = hospital.http.post(f"{hospital.stack.verifier_url}/inspect?lang=pl",
                              data={"profile": "ehic", "care_date": typed})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html"), page.text[:300]
    assert 'id="care-date-error"' in page.text and 'aria-invalid="true"' in page.text


def test_the_ehic_checks_waiting_page_does_not_call_the_patient_a_worker(hospital: Desk) -> None:
    """The reviewer's case: the EHIC check's waiting page said "Ask the worker to scan this code with
    the wallet". In every language the EHIC check speaks of the patient; the A1 check keeps its worker."""
    base = hospital.stack.verifier_url
    worker = {"en": "worker", "lv": "darbiniek", "de": "Beschäftigt", "fr": "travailleur", "pl": "pracownik"}
    patient = {"en": "patient", "lv": "pacient", "de": "Patient", "fr": "patient", "pl": "pacjent"}
    for lang in i18n.LANGUAGES:
        for flow in ("cross_device", "same_device"):
            r = hospital.http.post(f"{base}/inspect?lang={lang}", data={"profile": "ehic", "flow": flow})
            assert r.status_code == 303, r.text[:300]
            page = hospital.http.get(f"{base}{r.headers['location']}").text
            main = page.split("<main", 1)[1]
            assert worker[lang].lower() not in main.lower(), (lang, flow, _main_text(page))
            assert patient[lang].lower() in main.lower(), (lang, flow, _main_text(page))
    r = hospital.http.post(f"{base}/inspect?lang=en", data={"profile": "pda1"})
    assert "Ask the worker to scan this code" in _main_text(hospital.http.get(f"{base}{r.headers['location']}").text)


def test_the_home_page_offers_the_check_last_started(hospital: Desk) -> None:
    """A desk making EHIC checks all day does not switch from the A1 on every check."""
    base = hospital.stack.verifier_url
    with httpx.Client(timeout=30, auth=hospital.http.auth, headers=_bearer(hospital)) as desk:
        assert re.search(r'value="pda1"\s+checked', desk.get(f"{base}/?lang=en").text)
        assert desk.post(f"{base}/inspect?lang=en", data={"profile": "ehic"}).status_code == 303
        home = desk.get(f"{base}/?lang=en").text
        assert re.search(r'value="ehic"\s+checked', home) and not re.search(r'value="pda1"\s+checked', home)
        assert desk.post(f"{base}/inspect?lang=en", data={"profile": "pda1"}).status_code == 303
        assert re.search(r'value="pda1"\s+checked', desk.get(f"{base}/?lang=en").text)
