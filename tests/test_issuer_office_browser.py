"""Issue #4: the clerk's back office pages, in real headless Chromium and over plain HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import create_app
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerHandle, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("office")
    port = free_port()
    with serve(create_app(IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}")),
               port=port) as handle:
        tokens = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        yield handle, tokens


@pytest.fixture
def clerk(issuer: tuple[ServerHandle, dict[str, str]], browser: Any) -> Iterator[Any]:
    handle, tokens = issuer
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{handle.url}/lv-vsaa/office?lang=en")
    tab.fill("#token", tokens["LV:VSAA"])
    tab.click("#signin")
    tab.wait_for_selector("#cases")
    yield tab
    context.close()


def _fill_pda1(tab: Any, **override: str) -> None:
    values = {"personal_administrative_number": PERSON.pda1["personal_administrative_number"],
              "document_number": "DEMO-A1-LV-7777", "date_of_issuance": PERSON.pda1["date_of_issuance"],
              "starting_date": PERSON.pda1["starting_date"], "ending_date": PERSON.pda1["ending_date"],
              "legislation_country": "LV", "employer.id": "LV40000000001", "employer.name": "Baltic Build SIA",
              "employer.country": "LV", "work_address.locality": "Berlin", "work_address.country": "DE", **override}
    for name, value in values.items():
        tab.fill(f"[name='{name}']", value)
    tab.select_option("#f-status_confirmation", "01")
    for name in ("family_name", "given_name", "birthdate"):
        tab.fill(f"[name='holder.{name}']", PERSON.pid[name])


@pytest.mark.browser
def test_clerk_creates_a_pda1_offers_it_and_withdraws_it(clerk: Any) -> None:
    clerk.click("#new-pda1")
    _fill_pda1(clerk)
    clerk.click("#create")
    clerk.wait_for_selector("#describe")
    assert "Latvia" in clerk.inner_text("#describe")
    clerk.click("#make-offer")
    clerk.wait_for_selector("#offer svg")
    assert clerk.input_value("#offer-link").startswith("openid-credential-offer://")
    code = clerk.inner_text("#tx-code").strip()
    assert code.isdigit() and len(code) == 6
    clerk.goto(clerk.url.replace("/offer?", "?"))  # back on the case page: the code is shown only once
    assert clerk.locator("#tx-code").count() == 0
    clerk.fill("#reason-revoke", "posting cancelled")
    clerk.click("#revoke")
    clerk.wait_for_selector("#state")
    assert clerk.inner_text("#state") == "withdrawn"
    assert "posting cancelled" in clerk.inner_text("#events")


@pytest.mark.browser
def test_bad_field_shows_the_rule_next_to_it(clerk: Any) -> None:
    clerk.click("#new-pda1")
    _fill_pda1(clerk, ending_date="2020-01-01")
    clerk.click("#create")
    clerk.wait_for_selector(".field-error")
    assert "ending_date" in clerk.inner_text("#error")
    assert clerk.locator("#error-ending_date").count() == 1


@pytest.mark.browser
def test_pages_speak_latvian(clerk: Any) -> None:
    clerk.goto(clerk.url.split("?")[0] + "?lang=lv")
    assert "Lietas" in clerk.content()
    clerk.click("#new-pda1")
    assert "Dokumenta numurs" in clerk.content()


@pytest.mark.browser
def test_csv_import_reports_each_row(clerk: Any, tmp_path: Path) -> None:
    template = (Path(__file__).resolve().parent.parent / "issuer" / "import-template.csv").read_text()
    header, good = template.strip().splitlines()[:2]
    bad = good.replace(",LV,01,", ",XX,01,")
    upload = tmp_path / "cases.csv"
    upload.write_text(f"{header}\n{good}\n{bad}\n")
    clerk.click("text=Import CSV")
    clerk.set_input_files("#file", str(upload))
    clerk.click("#upload")
    clerk.wait_for_selector("#summary")
    assert "1 rows imported, 1 rejected" in clerk.inner_text("#summary")
    assert "legislation_country" in clerk.inner_text("#report")


def test_pages_redirect_to_sign_in_without_a_session(issuer: tuple[ServerHandle, dict[str, str]]) -> None:
    handle, tokens = issuer
    with httpx.Client(base_url=handle.url) as http:
        response = http.get("/lv-vsaa/office")
        assert response.status_code == 303 and "/lv-vsaa/office/login" in response.headers["location"]
        response = http.post("/lv-vsaa/office/login", data={"token": tokens["LV:NVD"]})
        assert response.status_code == 401


def test_another_institutions_session_is_forbidden(issuer: tuple[ServerHandle, dict[str, str]]) -> None:
    handle, tokens = issuer
    with httpx.Client(base_url=handle.url, cookies={"esspass_clerk": tokens["LV:NVD"]}) as http:
        assert http.get("/lv-vsaa/office").status_code == 403


def test_a_post_without_the_csrf_token_is_refused(issuer: tuple[ServerHandle, dict[str, str]]) -> None:
    handle, tokens = issuer
    with httpx.Client(base_url=handle.url, cookies={"esspass_clerk": tokens["LV:VSAA"]}) as http:
        response = http.post("/lv-vsaa/office/new/pda1", data={"document_number": "X"})
        assert response.status_code == 403
        cases = http.get("/lv-vsaa/api/cases", headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}).json()
        assert all(c["label"] != "X" for c in cases)
