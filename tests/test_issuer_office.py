"""Issue #4: the clerk's back office pages (issuer/office.py) against the real issuer.

Browser tests drive headless Debian Chromium with Playwright (the suite's ``browser`` fixture);
the plain-HTTP tests (sign-in redirect, 403, CSRF, languages, headers) need no browser.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_ehic_clerk_review import recorded_before_the_rule
from test_import_templates import vsaa_template

from credentials import i18n
from credentials.demo_persons import DEMO_PERSONS
from credentials.qr_picture import read_qr
from esspass.testing import ServerHandle, free_port, office_form, serve
from issuer.app import create_app
from issuer.office import _T, COOKIE, FIELDS, error_slot
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
TEMPLATE = vsaa_template()  # LV:VSAA's A1 template, as its office serves it today
Issuer = tuple[ServerHandle, dict[str, str]]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> IssuerSettings:
    return IssuerSettings(data_dir=tmp_path_factory.mktemp("office"), public_url=f"http://127.0.0.1:{free_port()}")


@pytest.fixture(scope="module")
def issuer(settings: IssuerSettings) -> Iterator[Issuer]:
    assert settings.public_url is not None
    with serve(create_app(settings), port=int(settings.public_url.rsplit(":", 1)[1])) as handle:
        tokens: dict[str, str] = json.loads((settings.data_dir / "issuer" / "clerk-tokens.json").read_text())
        yield handle, tokens


def _a1(**changes: str) -> dict[str, Any]:
    """The API body of the demo person's A1 with ``changes`` to its claims, naming its holder (section 1)."""
    return {"configuration_id": "pda1", "claims": dict(PERSON.pda1, **changes), "holder": PERSON.holder}


@pytest.fixture
def clerk(issuer: Issuer, browser: Any) -> Iterator[Any]:
    """A tab signed in to LV:VSAA (PDA1) through the sign-in form, in English."""
    handle, tokens = issuer
    context = browser.new_context(locale="en-GB")
    tab = context.new_page()
    tab.goto(f"{handle.url}/lv-vsaa/office?lang=en")
    assert "/lv-vsaa/office/login" in tab.url  # no session yet: sent to sign in
    tab.fill("#token", tokens["LV:VSAA"])
    tab.click("#signin")
    tab.wait_for_selector("#cases")
    yield tab
    context.close()


def _fill_pda1(tab: Any, **override: str) -> None:
    pda1 = PERSON.pda1
    values = {"personal_administrative_number": pda1["personal_administrative_number"],
              "document_number": "DEMO-A1-LV-5001", "date_of_issuance": pda1["date_of_issuance"],
              "starting_date": pda1["starting_date"], "ending_date": pda1["ending_date"],
              "legislation_country": pda1["legislation_country"], "employer.id": pda1["employer"]["id"],
              "employer.name": pda1["employer"]["name"], "employer.country": pda1["employer"]["country"],
              "work_address.street_address": pda1["work_address"]["street_address"],
              "work_address.house_number": pda1["work_address"]["house_number"],
              "work_address.postal_code": pda1["work_address"]["postal_code"],
              "work_address.locality": pda1["work_address"]["locality"],
              "work_address.country": pda1["work_address"]["country"],
              "holder.family_name": PERSON.pid["family_name"], "holder.given_name": PERSON.pid["given_name"],
              "holder.birthdate": PERSON.pid["birthdate"], **override}
    for name, value in values.items():
        tab.fill(f"[name='{name}']", value)
    tab.select_option("[name='status_confirmation']", pda1["status_confirmation"])


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _signed_in(handle: ServerHandle, token: str) -> httpx.Client:
    """A client with the session the sign-in form gives for ``token`` (sent on every path, so that
    a session of one institution can be tried on another's pages)."""
    from credentials.institutions import DEMO_ENTITIES

    for path in (e.path for e in DEMO_ENTITIES if e.path):
        signed = httpx.post(f"{handle.url}/{path}/office/login", data={"token": token})
        if signed.status_code == 303:
            return httpx.Client(base_url=handle.url, cookies={COOKIE: signed.cookies[COOKIE]},
                                headers={"Accept-Language": "en"})
    raise AssertionError("the token signs in nowhere")


# --- in the browser ----------------------------------------------------------------------------------


@pytest.mark.browser
def test_clerk_issues_a_pda1_hands_it_over_suspends_and_withdraws_it(clerk: Any) -> None:
    clerk.click("#new-pda1")
    assert clerk.input_value("[name='date_of_issuance']")  # today, prefilled
    assert "LV:VSAA" in clerk.inner_text("#issuer")  # issuing authority comes from the institution
    _fill_pda1(clerk)
    clerk.click("#create")
    clerk.wait_for_selector("#describe")
    description = clerk.inner_text("#describe")
    assert "Latvia" in description and PERSON.pda1["employer"]["name"] in description
    assert clerk.inner_text("#state") == "active"
    case_url = clerk.url

    clerk.click("#make-offer")
    clerk.wait_for_selector("#offer svg")
    assert clerk.locator("#offer .qr[role='img']").count() == 1
    assert clerk.input_value("#offer-link").startswith("openid-credential-offer://")
    code = clerk.inner_text("#tx-code").strip()
    assert re.fullmatch(r"\d{6}", code)
    assert "only once" in clerk.inner_text("#offer")
    clerk.goto(case_url)  # the code is never shown again
    assert clerk.locator("#tx-code").count() == 0
    assert "offer handed over" in clerk.inner_text("#events")

    clerk.fill("#reason-suspend", "employer asked for a check")
    clerk.click("#suspend")
    clerk.wait_for_selector("#state.state-suspended")
    assert clerk.inner_text("#state") == "suspended"
    assert clerk.locator("#make-offer").count() == 0  # nothing to hand over while suspended
    clerk.fill("#reason-reinstate", "check done")
    clerk.click("#reinstate")
    clerk.wait_for_selector("#state.state-active")

    clerk.fill("#reason-revoke", "posting cancelled")
    clerk.click("#revoke")
    clerk.wait_for_selector("#state.state-revoked")
    assert clerk.inner_text("#state") == "withdrawn"
    events = clerk.inner_text("#events")
    for words in ("employer asked for a check", "check done", "posting cancelled", "reinstated"):
        assert words in events
    assert clerk.locator("#reinstate").count() == 0 and clerk.locator("#final").count() == 1

    clerk.click("#nav-cases")
    row = clerk.locator("#cases tr", has_text="DEMO-A1-LV-5001")
    assert "withdrawn" in row.inner_text()


@pytest.mark.browser
def test_a_bad_field_is_shown_with_its_rule_next_to_it(clerk: Any) -> None:
    clerk.click("#new-pda1")
    _fill_pda1(clerk, document_number="DEMO-A1-LV-5002", starting_date="2026-06-01", ending_date="2026-05-01")
    clerk.click("#create")
    clerk.wait_for_selector(".field-error")
    assert "/office/new/pda1" in clerk.url
    rule = clerk.inner_text("#error-ending_date")
    assert rule == "must not be before “Period from”"  # the other field by its label, as the clerk sees it
    assert clerk.get_attribute("#f-ending_date", "aria-invalid") == "true"
    assert "Period until" in clerk.inner_text("#error") and "ending_date" in clerk.inner_text("#error")
    assert clerk.input_value("[name='document_number']") == "DEMO-A1-LV-5002"  # what was typed is kept
    assert clerk.locator(".field-error").count() == 1


#: aria-invalid and the text of the elements aria-describedby names: what a screen reader says with a field.
FIELD_ERROR = """sel => { const f = document.querySelector(sel);
  const ids = (f.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  return {invalid: f.getAttribute('aria-invalid'), missing: ids.filter(i => !document.getElementById(i)),
          text: ids.map(i => (document.getElementById(i) || {}).textContent || '').join(' ')}; }"""


@pytest.mark.browser
def test_errors_belong_to_their_fields_and_the_form_fits_a_narrow_screen(issuer: Issuer, browser: Any) -> None:
    """WCAG 3.3.1 / 1.3.1: a wrong token or a missing reason is said with its field; 1.4.10: the
    new-case form fits 320 CSS px; 2.4.1: the skip link says where it goes."""
    handle, tokens = issuer
    context = browser.new_context(locale="en-GB")
    try:
        tab = context.new_page()
        tab.goto(f"{handle.url}/lv-vsaa/office/login?lang=en")
        assert tab.inner_text("a.skip") == "Skip to main content"
        tab.fill("#token", "clerk-not-a-token")
        tab.click("#signin")
        tab.wait_for_selector("#error")
        said = tab.evaluate(FIELD_ERROR, "#token")
        assert said["invalid"] == "true" and not said["missing"], said
        assert "not valid for this institution" in said["text"] and "Paste the clerk token" in said["text"], said
        tab.fill("#token", tokens["LV:VSAA"])
        tab.click("#signin")
        tab.wait_for_selector("#cases")

        tab.click("#new-pda1")
        tab.set_viewport_size({"width": 320, "height": 640})
        assert tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        tab.set_viewport_size({"width": 1280, "height": 800})
        _fill_pda1(tab, document_number="DEMO-A1-LV-5003")
        tab.click("#create")
        tab.wait_for_selector("#reason-suspend")
        tab.fill("#reason-suspend", "   ")  # past the browser's "required", empty once trimmed
        tab.click("#suspend")
        tab.wait_for_selector("#error")
        said = tab.evaluate(FIELD_ERROR, "#reason-suspend")
        assert said["invalid"] == "true" and not said["missing"] and "give a reason" in said["text"], said
        assert tab.get_attribute("#reason-revoke", "aria-invalid") is None
        assert tab.get_attribute("#reason-revoke", "aria-describedby") == "revoke-help"
    finally:
        context.close()


@pytest.mark.browser
def test_the_pages_switch_to_latvian(clerk: Any) -> None:
    clerk.click("#lang-lv")
    clerk.wait_for_selector("html[lang='lv']")
    assert clerk.inner_text("h1") == "Lietas"
    clerk.click("#new-pda1")
    labels = clerk.inner_text("form.case-form")
    for words in ("Dokumenta numurs", "Periods līdz", "Darba devēja nosaukums", "Personas kods"):
        assert words in labels
    assert "norīkots darba ņēmējs" in clerk.inner_text("[name='status_confirmation']")
    clerk.goto(clerk.url.split("?")[0])  # no ?lang= any more: the cookie remembers Latvian
    assert clerk.inner_text("#create") == "Izveidot"


@pytest.mark.browser
def test_the_browser_language_chooses_the_page_language(issuer: Issuer, browser: Any) -> None:
    handle, _tokens = issuer
    context = browser.new_context(locale="de-DE")
    try:
        tab = context.new_page()
        tab.goto(f"{handle.url}/lv-vsaa/office")
        assert tab.inner_text("h1") == "Anmelden"
        assert tab.inner_text("label[for='token']") == "Token der Sachbearbeitung"
    finally:
        context.close()


@pytest.mark.browser
def test_importing_the_template_reports_each_row(clerk: Any, tmp_path: Path) -> None:
    header, good = TEMPLATE.strip().splitlines()[:2]
    bad = good.replace("DEMO-A1-LV-9001", "DEMO-A1-LV-9002").replace(",Berlin,DE", ",Berlin,XX")
    upload = tmp_path / "cases.csv"
    upload.write_text(f"{header}\n{good}\n{bad}\n", encoding="utf-8")
    clerk.click("#nav-import")
    assert clerk.get_attribute("#template", "href") == "/lv-vsaa/office/import-template.csv"
    clerk.set_input_files("#file", str(upload))
    clerk.click("#upload")
    clerk.wait_for_selector("#summary")
    assert "1 rows imported, 1 rejected" in clerk.inner_text("#summary")
    rejected = clerk.inner_text("#report tr.bad")
    assert "work_address.country" in rejected and "two-letter code" in rejected
    clerk.click("#report tr.ok a")
    clerk.wait_for_selector("#describe")
    assert "DEMO-A1-LV-9001" in clerk.inner_text("h1")


@pytest.mark.browser
def test_signing_out_ends_the_session(clerk: Any) -> None:
    clerk.click("#logout")
    clerk.wait_for_selector("#token")
    clerk.goto(clerk.url.replace("/login", ""))
    assert "/office/login" in clerk.url


# --- WCAG 2.2 SC 1.4.10 Reflow: every page at 320 CSS px ---------------------------------------------------

#: Long words as clerks meet them: a number with no place to break it (the model allows 50
#: characters), an employer's full legal name (100 allowed), a German street, double names, a
#: reason quoting a letter's reference, a search for a word no case has.
LONG_NUMBER = "LVVSAA2026" + "7KQ3M9XT" * 5
LONG_EMPLOYER = "Starptautiskā Būvniecības, Inženiertehnisko un Loģistikas Pakalpojumu Sabiedrība «Daugavgrīva»"
LONG_STREET = "Bundesautobahnraststättenzufahrtsstraße"
LONG_HOLDER = {"family_name": "Vanaga-Bērziņa-Ozoliņa-Kalniņa", "given_name": "Anna-Marija Katrīna",
               "birthdate": PERSON.pid["birthdate"]}
LONG_REASON = "the employer's letter LV-VSAA/2026/ĀRĒJĀ-SARAKSTE/000000000000012345678 asks for a check"
NO_SUCH_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsnummer"
REFLOW_PAGES = ("login", "cases", "cases-found", "cases-no-match", "case", "new-with-error", "replace", "import",
                "import-refused", "offer")

#: What would make a reader scroll sideways at this width, or lose text: the page wider than the
#: window, an element running off it, or an element whose content is wider than the element (text
#: spilling over its neighbours, or clipped, or in a box of its own to scroll). Inputs scroll their
#: own value; text clipped to be visually hidden (read by screen readers only) and the skip link
#: (off screen until focused) are meant to be so.
REFLOW = """() => {
  const doc = document.documentElement, width = doc.clientWidth, found = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  const clipped = el => { for (let e = el; e; e = e.parentElement) {
    const style = getComputedStyle(e);
    if ((style.position === 'absolute' && style.clip !== 'auto') || style.clipPath !== 'none') return true; } };
  for (const el of document.body.querySelectorAll('*')) {
    if (el.ownerSVGElement || el.closest('.skip, option, datalist') || clipped(el)) continue;
    const style = getComputedStyle(el), box = el.getBoundingClientRect();
    if (style.display === 'none' || !box.width) continue;
    if (box.right > width + 1 || box.left < -1) found.push([el, `${name(el)} spans ${box.left}..${box.right} px`]);
    if (!['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) && style.display !== 'inline' && el.clientWidth
        && el.scrollWidth > el.clientWidth + 1) {
      found.push([el, `${name(el)} holds ${el.scrollWidth} px in ${el.clientWidth}`]);
    }
  }
  const innermost = found.filter(([el]) => !found.some(([other]) => other !== el && el.contains(other)));
  return {scrollWidth: doc.scrollWidth, clientWidth: width, found: innermost.map(([, said]) => said)};
}"""

#: On a laptop the tables stay tables, with their header row and no cell labels of the narrow layout.
AS_TABLES = """() => [...document.querySelectorAll('main table')].filter(t => t.getBoundingClientRect().width)
  .map(t => ({display: getComputedStyle(t).display, header: t.tHead ? t.tHead.getBoundingClientRect().height : -1,
              labels: [...t.querySelectorAll('td')].filter(td => getComputedStyle(td, '::before').content !== 'none')
                .length}))"""


def crowd(url: str, token: str) -> dict[str, str]:
    """LV:VSAA cases with long numbers, names and reasons; ``case``: one with a history (numbered
    :data:`LONG_NUMBER`, it replaces another, was suspended and reinstated); ``number``: the number
    the issuer gave the case it replaced."""
    claims = {**PERSON.pda1, "document_number": "", "employer": {**PERSON.pda1["employer"], "name": LONG_EMPLOYER},
              "work_address": {**PERSON.pda1["work_address"], "street_address": LONG_STREET}}
    with httpx.Client(base_url=f"{url}/lv-vsaa/api", headers={"Authorization": f"Bearer {token}"}) as api:

        def made(where: str, body: dict[str, Any]) -> dict[str, Any]:
            response = api.post(where, json=body)
            assert response.status_code in (200, 201), response.text
            result: dict[str, Any] = response.json()
            return result

        first = made("/cases", {"configuration_id": "pda1", "claims": claims, "holder": LONG_HOLDER})
        case = made(f"/cases/{first['id']}/replace", {"claims": {**claims, "document_number": LONG_NUMBER},
                                                      "holder": LONG_HOLDER, "reason": LONG_REASON})
        for action in ("suspend", "reinstate"):
            made(f"/cases/{case['id']}/{action}", {"reason": LONG_REASON})
        made("/cases", {"configuration_id": "pda1", "claims": claims, "holder": LONG_HOLDER})
        withdrawn = made("/cases", {"configuration_id": "pda1",
                                    "claims": {**claims, "document_number": "DEMO-A1-LV-7001"}, "holder": LONG_HOLDER})
        made(f"/cases/{withdrawn['id']}/revoke", {"reason": LONG_REASON})
    assert re.fullmatch(r"LV-VSAA-\d{4}-\w{8}", first["label"]), first["label"]
    return {"case": case["id"], "number": first["label"]}


@pytest.fixture(scope="module")
def crowded(issuer: Issuer) -> dict[str, str]:
    handle, tokens = issuer
    return crowd(handle.url, tokens["LV:VSAA"])


def _refused_import(path: Path, crowded: dict[str, str]) -> Path:
    """A CSV file the import refuses whole (409): numbers already given, and one given twice in it."""
    rows = list(csv.DictReader(io.StringIO(TEMPLATE)))[:1]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for number in (crowded["number"], LONG_NUMBER, "DEMO-A1-LV-7002", "DEMO-A1-LV-7002"):
        writer.writerow({**rows[0], "document_number": number, "employer.name": LONG_EMPLOYER})
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def open_office_page(tab: Any, url: str, token: str, crowded: dict[str, str], name: str, upload: Path) -> None:
    """Go to one of :data:`REFLOW_PAGES` the way a clerk does, signing in through the form first."""
    tab.goto(f"{url}/lv-vsaa/office/login?lang=en")
    if name == "login":
        return
    tab.fill("#token", token)
    tab.click("#signin")
    tab.wait_for_selector("#cases")
    if name.startswith("cases-"):
        tab.fill("#q", "inženiertehnisko daugavgrīva" if name == "cases-found" else NO_SUCH_WORD)
        tab.click("#find")
        tab.wait_for_selector("#show-all")
    elif name in ("case", "offer", "replace"):
        tab.goto(f"{url}/lv-vsaa/office/cases/{crowded['case']}?lang=en")
        tab.click({"case": "#claims summary", "offer": "#make-offer", "replace": "#replace"}[name])
        tab.wait_for_selector({"case": "#claims[open] table", "offer": "#offer svg", "replace": "#replace-help"}[name])
    elif name == "new-with-error":
        tab.click("#new-pda1")
        _fill_pda1(tab, document_number=LONG_NUMBER, starting_date="2026-06-01", ending_date="2026-05-01",
                   **{"employer.name": LONG_EMPLOYER, "work_address.street_address": LONG_STREET})
        tab.click("#create")
        tab.wait_for_selector(".field-error")
    elif name.startswith("import"):
        tab.click("#nav-import")
        tab.wait_for_selector("#upload")
        if name == "import-refused":
            tab.set_input_files("#file", str(_refused_import(upload, crowded)))
            tab.click("#upload")
            tab.wait_for_selector("#report tr.bad")


@pytest.mark.browser
@pytest.mark.parametrize("name", REFLOW_PAGES)
def test_reflow_every_office_page_reads_at_320_css_px_without_scrolling_sideways(
        issuer: Issuer, crowded: dict[str, str], browser: Any, name: str, tmp_path: Path) -> None:
    """WCAG 2.2 SC 1.4.10 Reflow: a clerk on a phone, or at 400 % zoom (1280 px / 4), reads every
    page at 320 CSS px scrolling only up and down: tables become stacked rows, long numbers and
    names wrap; so too at 700 px (200 %), where the tables are tables again. At a laptop's width
    the pages stay as they were, tables with their header rows."""
    handle, tokens = issuer
    context = browser.new_context(locale="en-GB", viewport={"width": 320, "height": 640})
    try:
        tab = context.new_page()
        open_office_page(tab, handle.url, tokens["LV:VSAA"], crowded, name, tmp_path / "cases.csv")
        for width, height in ((320, 640), (700, 640), (1280, 800)):
            tab.set_viewport_size({"width": width, "height": height})
            seen = tab.evaluate(REFLOW)
            assert seen["scrollWidth"] <= seen["clientWidth"] + 1 and not seen["found"], "\n".join(
                [f"{name} at {width} px: {seen['scrollWidth']} px wide", *seen["found"]])
            if name == "offer":  # the QR code scaled to the screen, not cut: it still reads as the link
                assert read_qr(tab.locator("#offer .qr svg").screenshot()) == tab.input_value("#offer-link")
        for table in tab.evaluate(AS_TABLES):
            assert table["display"] == "table" and table["header"] != 0 and not table["labels"], table
    finally:
        context.close()


# --- over plain HTTP -----------------------------------------------------------------------------------


def test_pages_without_a_session_redirect_to_sign_in(issuer: Issuer) -> None:
    handle, _tokens = issuer
    with httpx.Client(base_url=handle.url) as http:
        for url in ("/lv-vsaa/office", "/lv-vsaa/office/new/pda1", "/lv-vsaa/office/import",
                    "/lv-vsaa/office/cases/0123"):
            response = http.get(url)
            assert response.status_code == 303, url
            assert response.headers["location"].startswith("/lv-vsaa/office/login")
        response = http.post("/lv-vsaa/office/new/pda1", data={"document_number": "X"})
        assert response.status_code == 303 and "/office/login" in response.headers["location"]


def test_sign_in_sets_a_strict_http_only_cookie_and_rejects_wrong_tokens(issuer: Issuer) -> None:
    handle, tokens = issuer
    with httpx.Client(base_url=handle.url) as http:
        wrong = http.post("/lv-vsaa/office/login?lang=en", data={"token": "clerk-not-a-token"})
        assert wrong.status_code == 401 and "not valid for this institution" in wrong.text
        other = http.post("/lv-vsaa/office/login?lang=en", data={"token": tokens["LV:NVD"]})
        assert other.status_code == 401
        good = http.post("/lv-vsaa/office/login?lang=en", data={"token": tokens["LV:VSAA"]})
        assert good.status_code == 303 and good.headers["location"].startswith("/lv-vsaa/office")
        cookie = next(c for c in good.headers.get_list("set-cookie") if c.startswith(COOKIE + "="))
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "Path=/lv-vsaa" in cookie
        assert http.get("/lv-vsaa/office").status_code == 200


def test_another_institutions_session_gets_403(issuer: Issuer) -> None:
    handle, tokens = issuer
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        response = http.get("/lv-vsaa/office")
        assert response.status_code == 403 and "another institution" in response.text
        assert response.headers["content-type"].startswith("text/html")
        assert http.get("/lv-vsaa/office/new/pda1").status_code == 403
        assert http.post("/lv-vsaa/office/import", files={"file": ("a.csv", b"x")}).status_code == 403


def test_posts_without_the_right_csrf_token_are_refused(issuer: Issuer) -> None:
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:VSAA']}"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        case_id = http.post("/lv-vsaa/api/cases", json=_a1(document_number="DEMO-A1-LV-5004"),
                            headers=api).json()["id"]
        before = len(http.get("/lv-vsaa/api/cases", headers=api).json())
        with _signed_in(handle, tokens["DE:DRV"]) as other:  # a valid token, but of another session
            foreign = _csrf(other.get("/de-drv/office").text)
        for csrf in (None, "", foreign, "0" * 64):
            data = {"reason": "forged"} | ({"csrf": csrf} if csrf is not None else {})
            response = http.post(f"/lv-vsaa/office/cases/{case_id}/revoke", data=data)
            assert response.status_code == 403, csrf
            form = {"document_number": "DEMO-A1-LV-FORGED"} | ({"csrf": csrf} if csrf is not None else {})
            assert http.post("/lv-vsaa/office/new/pda1", data=form).status_code == 403
            assert http.post(f"/lv-vsaa/office/cases/{case_id}/offer", data=data).status_code == 403
            files = {"file": ("c.csv", TEMPLATE.encode())}
            assert http.post("/lv-vsaa/office/import", data=data, files=files).status_code == 403
            assert http.post("/lv-vsaa/office/logout", data=data).status_code == 403
        assert http.get(f"/lv-vsaa/api/cases/{case_id}", headers=api).json()["state"] == "active"
        assert len(http.get("/lv-vsaa/api/cases", headers=api).json()) == before  # nothing created or imported
        # With the token from the page it works.
        csrf = _csrf(http.get(f"/lv-vsaa/office/cases/{case_id}").text)
        response = http.post(f"/lv-vsaa/office/cases/{case_id}/suspend", data={"csrf": csrf, "reason": ""})
        assert response.status_code == 400 and "Please give a reason." in response.text
        response = http.post(f"/lv-vsaa/office/cases/{case_id}/suspend", data={"csrf": csrf, "reason": "check"})
        assert response.status_code == 303
        assert http.get(f"/lv-vsaa/api/cases/{case_id}", headers=api).json()["state"] == "suspended"


def _pda1_form(csrf: str, document_number: str) -> dict[str, str]:
    pda1 = PERSON.pda1
    return {"csrf": csrf, "personal_administrative_number": pda1["personal_administrative_number"],
            "document_number": document_number, "date_of_issuance": pda1["date_of_issuance"],
            "starting_date": pda1["starting_date"], "ending_date": pda1["ending_date"],
            "legislation_country": pda1["legislation_country"], "status_confirmation": "01",
            "employer.id": pda1["employer"]["id"], "employer.name": pda1["employer"]["name"],
            "employer.country": pda1["employer"]["country"],
            # A posting names its place of work abroad (Art. 12 of 883/2004).
            "work_address.locality": pda1["work_address"]["locality"],
            "work_address.country": pda1["work_address"]["country"],
            **{f"holder.{k}": v for k, v in PERSON.holder.items()}}


def test_a_number_already_given_is_shown_at_its_field_and_an_empty_one_is_given(issuer: Issuer) -> None:
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:VSAA']}"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        first = http.post("/lv-vsaa/api/cases", headers=api, json=_a1(document_number="DEMO-A1-LV-5101")).json()
        before = len(http.get("/lv-vsaa/api/cases", headers=api).json())
        page = http.get("/lv-vsaa/office/new/pda1?lang=en").text
        number = re.search(r'<input name="document_number"[^>]*>', page)
        assert number is not None and "required" not in number.group(0)  # left empty, one is given
        assert 'aria-describedby="hint-document_number"' in number.group(0)
        assert "Leave empty to have a new number given" in page
        refused = http.post("/lv-vsaa/office/new/pda1?lang=en", data=_pda1_form(_csrf(page), "demo-a1-lv-5101"))
        assert refused.status_code == 409, refused.text
        field = re.search(r'<input name="document_number"[^>]*>', refused.text)
        assert field is not None and 'aria-invalid="true"' in field.group(0)
        assert 'value="demo-a1-lv-5101"' in field.group(0)  # what was typed is kept
        assert 'id="error-document_number"' in refused.text and first["id"] in refused.text
        assert len(http.get("/lv-vsaa/api/cases", headers=api).json()) == before
        given = http.post("/lv-vsaa/office/new/pda1?lang=en",  # beside the module's other A1s of the person
                          data={**_pda1_form(_csrf(page), ""), "confirm_overlap": "true"})
        assert given.status_code == 303
        assert re.search(r"<h1>[^<]*LV-VSAA-\d{4}-[2-9A-HJ-NP-Z]{8}", http.get(given.headers["location"]).text)


def test_a_csv_file_with_a_number_already_given_is_refused_whole_on_the_import_page(issuer: Issuer) -> None:
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:VSAA']}"}
    header, row = TEMPLATE.strip().split("\n")[:2]
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        http.post("/lv-vsaa/api/cases", headers=api, json=_a1(document_number="DEMO-A1-LV-5201"))
        before = len(http.get("/lv-vsaa/api/cases", headers=api).json())
        data = "\n".join([header, row.replace("DEMO-A1-LV-9001", "DEMO-A1-LV-5202"),
                          row.replace("DEMO-A1-LV-9001", "DEMO-A1-LV-5201")]).encode()
        form = office_form(http.get("/lv-vsaa/office/import").text)
        response = http.post("/lv-vsaa/office/import?lang=en", data=form,
                             files={"file": ("cases.csv", data, "text/csv")})
        assert response.status_code == 409, response.text
        assert 'id="error"' in response.text and "Nothing was imported" in response.text
        assert re.search(r'<tr class="bad"><td[^>]*>3</td>.*DEMO-A1-LV-5201', response.text)
        assert "0 rows imported, 2 rejected" in response.text
        assert len(http.get("/lv-vsaa/api/cases", headers=api).json()) == before


def test_an_ehic_case_through_the_form_and_its_paper_copy(issuer: Issuer) -> None:
    handle, tokens = issuer
    ehic = PERSON.ehic
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        page = http.get("/lv-nvd/office/new")  # one type only: straight to its form
        assert page.status_code == 303 and page.headers["location"].startswith("/lv-nvd/office/new/ehic")
        assert http.get("/lv-nvd/office/new/pda1").status_code == 404  # LV:NVD issues no PDA1
        form = http.get("/lv-nvd/office/new/ehic").text
        assert "Represented person" in form and 'name="holder.birthdate"' in form
        data = {"csrf": _csrf(form), "personal_administrative_number": ehic["personal_administrative_number"],
                "document_number": "DEMO-EHIC-LV-5001", "date_of_issuance": ehic["date_of_issuance"],
                "date_of_expiry": ehic["date_of_expiry"], "holder.family_name": PERSON.pid["family_name"],
                "holder.given_name": PERSON.pid["given_name"], "holder.birthdate": PERSON.pid["birthdate"]}
        created = http.post("/lv-nvd/office/new/ehic?lang=lv", data=data)
        assert created.status_code == 303
        case = http.get(created.headers["location"])
        assert "veselības apdrošināšana" in case.text and "Nacionālais veselības dienests" in case.text
        paper = http.post(created.headers["location"].split("?")[0] + "/paper",
                          data={"csrf": _csrf(case.text)})
        assert paper.status_code == 200 and paper.headers["content-type"] == "application/pdf"
        assert paper.content.startswith(b"%PDF")
        # A represented person with only half the fields: the rule lands on that field.
        half = dict(data, **{"document_number": "DEMO-EHIC-LV-5002", "subject.forenames": "Mārtiņš"})
        refused = http.post("/lv-nvd/office/new/ehic?lang=en", data=half)
        assert refused.status_code == 400
        assert 'id="error-subject-familynames"' in refused.text and "is required" in refused.text
        assert 'value="Mārtiņš"' in refused.text


def test_a_pid_error_on_a_list_element_is_shown_at_its_field(issuer: Issuer) -> None:
    handle, tokens = issuer
    with _signed_in(handle, tokens["LV:PID"]) as http:
        form = http.get("/lv-pid/office/new/pid?lang=en").text
        data = {"csrf": _csrf(form), "family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1988-04-12",
                "nationalities[]": "LV;XX"}
        refused = http.post("/lv-pid/office/new/pid?lang=en", data=data)
        assert refused.status_code == 400
        assert 'id="error-nationalities--"' in refused.text and "nationalities.1" in refused.text
        created = http.post("/lv-pid/office/new/pid?lang=en", data=dict(data, **{"nationalities[]": "LV;DE"}))
        assert created.status_code == 303
        assert "Bērziņa" in http.get(created.headers["location"]).text


def test_languages_headers_and_errors(issuer: Issuer) -> None:
    handle, tokens = issuer
    with httpx.Client(base_url=handle.url) as http:
        for accept, words in (("fr-FR,fr;q=0.9", "Se connecter"), ("pl", "Zaloguj się"), ("lv", "Pieteikties"),
                              ("ja, de;q=0.5", "Anmelden"), ("ja", "Sign in")):
            page = http.get("/lv-vsaa/office/login", headers={"Accept-Language": accept})
            assert page.status_code == 200 and f"<h1>{words}</h1>" in page.text, accept
        chosen = http.get("/lv-vsaa/office/login?lang=pl", headers={"Accept-Language": "de"})
        assert 'lang="pl"' in chosen.text and "lang=pl" in chosen.headers["set-cookie"]
        assert "Zaloguj się" in http.get("/lv-vsaa/office/login", headers={"Accept-Language": "de"}).text
        assert chosen.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in chosen.headers["content-security-policy"]
        assert chosen.headers["cache-control"] == "no-store"
        css = http.get("/office-static/office.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert http.get("/no-such-institution/office/login").status_code == 404
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        missing = http.get("/lv-vsaa/office/cases/does-not-exist")
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
        assert '<a href="/lv-vsaa/office?lang=lv"' in http.get("/lv-vsaa/office").text


# --- rules and refusals in the clerk's language -------------------------------------------------------

#: A rule broken in the A1 form: (the fields changed, the field at fault, the rule's key).
BROKEN_IN_THE_FORM: dict[str, tuple[dict[str, str], str, str]] = {
    "end_before_start": ({"starting_date": "2026-06-01", "ending_date": "2026-05-01"}, "ending_date",
                         "date.not_before"),
    "posting_of_three_years": ({"starting_date": "2026-06-01", "ending_date": "2029-05-31"}, "ending_date",
                               "pda1.posting_months"),
    "number_of_two_characters": ({"personal_administrative_number": "12"}, "personal_administrative_number",
                                 "text.length"),
    "expiry_before_start": ({"starting_date": "2027-02-01", "ending_date": "2027-12-31",
                             "date_of_expiry": "2027-01-31"}, "date_of_expiry", "date.not_before"),
    "holder_without_given_name": ({"holder.family_name": "Bērziņa", "holder.given_name": ""}, "holder.given_name",
                                  "field.required"),
}
#: What the reviewer saw in English on a Latvian page, said in each language instead.
END_BEFORE_START = {"lv": "nedrīkst būt pirms datuma “Periods no”", "de": "darf nicht vor dem Datum „Zeitraum von“ "
                    "liegen", "fr": "ne doit pas précéder la date « Période du »",
                    "pl": "nie może przypadać przed datą „Okres od”"}


def _page_text(html_text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", html_text))


def _literal_words(key: str, lang: str) -> list[str]:
    """The words of a rule's translation between its parameters (what a page must show of it)."""
    import string

    return [literal.strip() for literal, *_ in string.Formatter().parse(i18n.t(f"rule.{key}", lang))
            if literal.strip()]


@pytest.mark.parametrize("lang", ["lv", "de", "fr", "pl"])
@pytest.mark.parametrize("broken", sorted(BROKEN_IN_THE_FORM))
def test_a_rule_broken_in_the_form_is_said_in_the_page_language(issuer: Issuer, lang: str, broken: str) -> None:
    """The banner and the field's own message say the rule in the clerk's language, and name the
    field by its label (a holder's field too), never the English rule or a bare claim path."""
    handle, tokens = issuer
    changes, field, key = BROKEN_IN_THE_FORM[broken]
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        form = http.get(f"/lv-vsaa/office/new/pda1?lang={lang}").text
        refused = http.post(f"/lv-vsaa/office/new/pda1?lang={lang}",
                            data={**_pda1_form(_csrf(form), ""), **changes})
    assert refused.status_code == 400, refused.text
    shown = _page_text(refused.text)
    english = i18n.t(f"rule.{key}", "en").split("{")[0].strip()
    assert english not in shown, (lang, broken)
    for words in _literal_words(key, lang):
        assert words in shown, (lang, broken, words)
    error = re.search(r'<span class="field-error" id="error-([^"]+)">([^<]*)</span>', refused.text)
    assert error is not None and error.group(1) == field.replace(".", "-")
    assert f"{field} ({field})" not in shown  # a label, not the claim path twice
    from issuer.office import _label

    assert _label(lang, field) != field and _label(lang, field) in shown
    if broken == "end_before_start":
        assert END_BEFORE_START[lang] in shown


@pytest.mark.parametrize(("lang", "words"), [
    ("lv", ("jābūt no 4 līdz 50 rakstzīmēm", "neizsniedz dokumentus, kuru veids ir")),
    ("de", ("muss 4 bis 50 Zeichen lang sein", "stellt keine Dokumente der Art")),
    ("fr", ("doit comporter de 4 à 50 caractères", "ne délivre pas de document de type")),
    ("pl", ("musi mieć od 4 do 50 znaków", "nie wydaje dokumentów typu")),
])
def test_an_import_report_says_each_rule_in_the_page_language(issuer: Issuer, lang: str,
                                                              words: tuple[str, str]) -> None:
    handle, tokens = issuer
    header, row = TEMPLATE.strip().split("\n")[:2]
    short = row.replace("DEMO-010190-99999", "12").replace("DEMO-A1-LV-9001", "")
    other_type = row.replace("pda1,", "ehic,", 1).replace("DEMO-A1-LV-9001", "")
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        form = office_form(http.get("/lv-vsaa/office/import").text)
        response = http.post(f"/lv-vsaa/office/import?lang={lang}", data=form,
                             files={"file": ("cases.csv", f"{header}\n{short}\n{other_type}\n".encode(), "text/csv")})
    assert response.status_code == 200, response.text
    shown = _page_text(response.text)
    for said in words:
        assert said in shown, (lang, said)
    assert "must be 4 to 50 characters" not in shown and "does not issue" not in shown
    assert _label(lang, "personal_administrative_number") in shown


def _label(lang: str, field: str) -> str:
    from issuer.office import _label as label

    return label(lang, field)


@pytest.mark.parametrize(("lang", "suspended", "withdrawn"), [
    ("lv", "lietas stāvoklis: apturēts; vispirms to atjaunojiet",
     "atsaukts dokuments ir galīgs: to nevar atjaunot vai apturēt"),
    ("de", "der Fall ist ausgesetzt; setzen Sie ihn zuerst wieder in Kraft",
     "ein widerrufenes Dokument ist endgültig"),
    ("fr", "le dossier est suspendu ; rétablissez-le d'abord", "un document retiré est définitif"),
    ("pl", "stan sprawy: zawieszony; najpierw ją przywróć", "wycofany dokument jest ostateczny"),
], ids=["lv", "de", "fr", "pl"])
def test_a_refusal_on_the_case_page_is_said_in_the_page_language(issuer: Issuer, lang: str, suspended: str,
                                                                 withdrawn: str) -> None:
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:VSAA']}"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        case = http.post("/lv-vsaa/api/cases", headers=api, json=_a1(document_number="")).json()
        assert http.post(f"/lv-vsaa/api/cases/{case['id']}/suspend", headers=api,
                         json={"reason": "check"}).status_code == 200
        page = f"/lv-vsaa/office/cases/{case['id']}"
        csrf = _csrf(http.get(page).text)
        offered = http.post(f"{page}/offer?lang={lang}", data={"csrf": csrf})
        assert offered.status_code == 409, offered.text
        assert suspended in _page_text(offered.text) and "reinstate it first" not in offered.text
        again = http.post(f"{page}/suspend?lang={lang}", data={"csrf": csrf, "reason": "again"})
        assert again.status_code == 409 and "is already" not in again.text
        assert _literal_words("case.already", lang)[0] in _page_text(again.text)
        assert http.post(f"/lv-vsaa/api/cases/{case['id']}/revoke", headers=api,
                         json={"reason": "ended"}).status_code == 200
        reinstated = http.post(f"{page}/reinstate?lang={lang}", data={"csrf": csrf, "reason": "mistake"})
        assert reinstated.status_code == 409, reinstated.text
        assert withdrawn in _page_text(reinstated.text) and "cannot be reinstated" not in reinstated.text


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_language_link_on_the_offer_says_the_code_is_gone_and_how_to_hand_over_again(issuer: Issuer,
                                                                                         lang: str) -> None:
    """The one-time code is kept only as a MAC: the offer's page warns that leaving it hides the code, and
    the case page a reload or language link leads to says why the code is not on it, in its language."""
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:VSAA']}"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        case = http.post("/lv-vsaa/api/cases", headers=api, json=_a1(document_number="")).json()
        page = f"/lv-vsaa/office/cases/{case['id']}"
        offered = http.post(f"{page}/offer?lang=en", data={"csrf": _csrf(http.get(page).text)})
        assert offered.status_code == 200 and 'id="tx-code"' in offered.text
        assert i18n.t("office.offer_leave", "en") in _page_text(offered.text)
        switched = http.get(f"{page}/offer?lang={lang}", follow_redirects=True)
        assert switched.status_code == 200 and 'id="tx-code"' not in switched.text
        assert 'id="offer-gone"' in switched.text and 'id="make-offer"' in switched.text
        assert i18n.t("office.offer_gone", lang) in _page_text(switched.text)
        assert 'id="offer-gone"' not in http.get(page).text  # the case page itself says nothing of it

#: An EHIC card that expired on 30 June 2025: not handed over nor printed (a card is for care now). An A1
#: whose period has ended is (the proof of that period: tests/test_retroactive_a1.py).
EXPIRED_CARD = dict(PERSON.ehic, document_number="", date_of_issuance="2024-01-10", date_of_expiry="2025-06-30")


@pytest.mark.parametrize(("lang", "words"), [("lv", "dokumenta derīguma termiņš beidzās 2025-06-30"),
                                             ("de", "das Dokument ist am 2025-06-30 abgelaufen"),
                                             ("fr", "le document a expiré le 2025-06-30"),
                                             ("pl", "dokument wygasł 2025-06-30")])
def test_an_offer_of_an_expired_card_is_refused_in_the_page_language(issuer: Issuer, lang: str, words: str) -> None:
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:NVD']}"}
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        case = http.post("/lv-nvd/api/cases", headers=api, json={"configuration_id": "ehic", "claims": EXPIRED_CARD,
                                                                 "holder": DEMO_PERSONS[0].holder}).json()
        page = f"/lv-nvd/office/cases/{case['id']}"
        offered = http.post(f"{page}/offer?lang={lang}", data={"csrf": _csrf(http.get(page).text)})
    assert offered.status_code == 409, offered.text
    assert words in _page_text(offered.text) and "expired on" not in offered.text


def test_the_api_names_the_rule_key_beside_the_english_rule(issuer: Issuer) -> None:
    """The API keeps its English words and adds the rule's key and parameters, for a client's own translation."""
    handle, tokens = issuer
    response = httpx.post(f"{handle.url}/lv-vsaa/api/cases", headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"},
                          json=_a1(document_number="", personal_administrative_number="12"))
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_description"] == "personal_administrative_number: must be 4 to 50 characters"
    assert (body["field"], body["rule"]) == ("personal_administrative_number", "must be 4 to 50 characters")
    assert (body["rule_key"], body["rule_params"]) == ("text.length", {"lo": 4, "hi": 50})


def test_the_api_names_the_key_of_each_refusal_beside_its_english_words(issuer: Issuer) -> None:
    """A 409 the back office shows (an offer of a suspended case, a reinstatement of a withdrawn one)
    keeps its OAuth shape and English words, and names its key and parameters as a 400's rule does;
    the case says beforehand what an offer or a paper copy would be refused for."""
    handle, tokens = issuer
    with httpx.Client(base_url=f"{handle.url}/lv-vsaa/api",
                      headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}) as api:
        case = api.post("/cases", json=_a1(document_number="")).json()
        assert (case["offer_refusal"], case["paper_refusal"]) == (None, None)
        api.post(f"/cases/{case['id']}/suspend", json={"reason": "check"}).raise_for_status()
        assert api.get(f"/cases/{case['id']}").json()["paper_refusal"] == {
            "rule": "the case is suspended", "rule_key": "case.state", "rule_params": {"state": "suspended"}}
        offered = api.post(f"/cases/{case['id']}/offer")
        assert offered.status_code == 409, offered.text
        assert offered.json() == {"error": "invalid_request",
                                  "error_description": "the case is suspended; reinstate it first",
                                  "rule_key": "case.not_active", "rule_params": {"state": "suspended"}}
        assert api.get(f"/cases/{case['id']}").json()["offer_refusal"] == {
            "rule": "the case is suspended; reinstate it first", "rule_key": "case.not_active",
            "rule_params": {"state": "suspended"}}
        api.post(f"/cases/{case['id']}/revoke", json={"reason": "ended"}).raise_for_status()
        reinstated = api.post(f"/cases/{case['id']}/reinstate", json={"reason": "mistake"})
        assert reinstated.status_code == 409 and reinstated.json()["rule_key"] == "case.revoked_final"
        assert reinstated.json()["error_description"] == ("a withdrawn document is final: it cannot be "
                                                          "reinstated or suspended")
        suspended = api.post(f"/cases/{case['id']}/suspend", json={"reason": "check"})
        assert suspended.status_code == 409 and suspended.json()["rule_key"] == "case.revoked_final"


def test_a_refusal_is_said_in_the_clerks_language_by_its_key_whatever_its_english_words() -> None:
    """The office never recognises a refusal by its English words: reworded, it is still said in the
    page language; one without a key is shown as the issuer words it."""
    from credentials.errors import ProtocolError
    from issuer.office import _refusal

    reworded = ProtocolError("invalid_request", "this case is on hold: reinstate it before handing it over",
                             http_status=409, key="case.not_active", params={"state": "suspended"})
    assert _refusal("lv", reworded) == "lietas stāvoklis: apturēts; vispirms to atjaunojiet"
    assert _refusal("de", reworded) == "der Fall ist ausgesetzt; setzen Sie ihn zuerst wieder in Kraft"
    keyless = ProtocolError("invalid_request", "the case is suspended; reinstate it first", http_status=409)
    assert _refusal("lv", keyless) == "the case is suspended; reinstate it first"


#: What raises a rule by its key in the issuer's source: the first string of the call that looks like a key.
_RAISES_A_KEY = re.compile(r'\b(?:invalid|refusal|rule_row|NumberTaken|_ended|rule_text)\('
                           r'(?:[^()"]|\([^()]*\)|"[^".]*")*?"([a-z_]+\.[a-z_.]+)"|"rule_key": "([a-z_]+\.[a-z_.]+)"')


def test_every_rule_the_issuer_raises_has_its_key_said_in_all_five_languages() -> None:
    """The issuer's own DataErrors and the refusals the back office shows carry a key (issuer.rules),
    never English words alone for a page to recognise; every key raised in issuer/ is said in EN, LV,
    DE, FR and PL (with the same parameters: test_every_rule_key_has_its_words_in_all_five_languages)."""
    from credentials import claims
    from issuer import office  # noqa: F401  (its rules registered)

    root = Path(__file__).resolve().parents[1] / "issuer"
    raised = {key for path in root.glob("*.py")
              for found in _RAISES_A_KEY.findall(path.read_text(encoding="utf-8")) for key in found if key}
    assert {"issuer.does_not_issue", "issuer.own_institution", "issuer.provider_name", "date.future",
            "reason.required", "csv.column_conflict", "case.not_active", "case.already", "case.revoked_final",
            "case.erased", "case.awaiting", "case.not_awaiting", "case.withdrawn_offer", "case.withdrawn_paper",
            "case.ended_offer", "case.ended_paper", "case.replacement_awaiting", "case.no_holder_paper",
            "number.taken", "number.kept", "number.given", "number.on_row", "csv.numbers_taken_row",
            "csv.row_shape", "csv.database", "signer.unavailable"} <= raised
    for key in sorted(raised):
        texts = claims.RULE_TEXTS.get(key)
        assert texts is not None, f"{key} is raised but has no words"
        for lang, text in zip(i18n.LANGUAGES, texts, strict=True):
            assert text.strip() and i18n.t(f"rule.{key}", lang) == text, (key, lang)
    service = (root / "service.py").read_text(encoding="utf-8")
    assert "DataError(" not in service  # each through credentials.claims.invalid, with its key
    assert not re.search(r"ProtocolError\([^()]*http_status=409", service)  # each 409 through issuer.rules.refusal


def test_every_rule_key_has_its_words_in_all_five_languages() -> None:
    """Every rule a document model (and the issuer, for what the office shows) can break has its key
    and is said in EN, LV, DE, FR and PL with the same parameters; no model raises a rule without one."""
    import string

    from credentials import claims, ehic, pda1, pid
    from issuer import office

    assert office.FIELDS and pda1.VCT and ehic.VCT and pid.VCT  # every table registered
    assert len(claims.RULE_TEXTS) > 40
    for key, texts in claims.RULE_TEXTS.items():
        assert len(texts) == len(i18n.LANGUAGES) and all(text.strip() for text in texts), key
        assert texts[1] != texts[0], key  # Latvian is not English
        fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in texts]
        assert all(names == fields[0] for names in fields), key
        for lang, text in zip(i18n.LANGUAGES, texts, strict=True):
            assert i18n.t(f"rule.{key}", lang) == text, (key, lang)
    root = Path(__file__).resolve().parents[1] / "credentials"
    for name in ("pda1.py", "ehic.py", "pid.py"):
        assert "DataError(" not in (root / name).read_text(encoding="utf-8"), name  # each rule through claims.invalid
    assert (root / "claims.py").read_text(encoding="utf-8").count("DataError(") == 1


def test_every_string_is_translated_into_all_five_languages() -> None:
    for key, texts in _T.items():
        assert len(texts) == len(i18n.LANGUAGES) and all(t.strip() for t in texts), key
        for lang, text in zip(i18n.LANGUAGES, texts, strict=True):
            assert i18n.t(f"office.{key}", lang) == text
    assert len({texts[1] for texts in _T.values()} - {texts[0] for texts in _T.values()}) > 100  # LV is not EN
    for config, fields in FIELDS.items():
        for f in fields:
            assert f"field.{f.key}" in _T, (config, f.name)


def test_the_authorization_page_is_translated_into_all_five_languages() -> None:
    from issuer.authorize import _T as AUTHORIZE

    for key, texts in AUTHORIZE.items():
        assert len(texts) == len(i18n.LANGUAGES) and all(t.strip() for t in texts), key
        assert len(set(texts)) > 1, key


def test_every_event_the_issuer_records_has_a_name_in_the_history() -> None:
    """The case history shows each recorded action by name, never the raw key."""
    issuer = Path(__file__).parents[1] / "issuer"
    sources = [issuer / "service.py", *sorted((issuer / "migrations" / "versions").glob("*.py"))]
    source = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    actions = set(re.findall(r'action=["\']([a-z_]+)["\']', source)) | {"revoked", "suspended", "reinstated"}
    assert {"created", "offered", "wallet_authorised", "keys_attested", "authorised", "number_shared"} <= actions
    for action in actions:
        assert f"event.{action}" in _T, action


def test_model_errors_find_their_form_field() -> None:
    assert error_slot(FIELDS["pda1"], "ending_date") == "ending_date"
    assert error_slot(FIELDS["pda1"], "employer") == "employer.id"
    assert error_slot(FIELDS["pda1"], "holder.birthdate") == "holder.birthdate"
    assert error_slot(FIELDS["pid"], "nationalities.0") == "nationalities[]"
    assert error_slot(FIELDS["pda1"], "issuing_authority.id") is None


def test_a_clerks_session_is_the_issuers_not_the_institutions_token_and_ends_at_sign_out(issuer: Issuer) -> None:
    """The cookie is a session id: not usable as the API's Bearer token, and dead once signed out
    (a copied cookie signs nobody in afterwards)."""
    handle, tokens = issuer
    signed = httpx.post(f"{handle.url}/lv-vsaa/office/login", data={"token": tokens["LV:VSAA"]})
    session = signed.cookies[COOKIE]
    assert session != tokens["LV:VSAA"]
    with httpx.Client(base_url=handle.url, cookies={COOKIE: session}) as http:
        assert http.get("/lv-vsaa/office").status_code == 200
        assert http.get("/lv-vsaa/api/cases", headers={"Authorization": f"Bearer {session}"}).status_code == 401
        csrf = _csrf(http.get("/lv-vsaa/office").text)
        assert http.post("/lv-vsaa/office/logout", data={"csrf": csrf}).status_code == 303
    with httpx.Client(base_url=handle.url, cookies={COOKIE: session}) as copied:
        after = copied.get("/lv-vsaa/office")
        assert after.status_code == 303 and after.headers["location"].startswith("/lv-vsaa/office/login")


def test_a_session_ends_after_eight_hours_or_an_idle_hour_and_with_its_token(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from esspass.db import Sessions, make_engine
    from esspass.migrate import upgrade
    from esspass.signin_sessions import SignInSessions, token_hash
    from issuer.app import MIGRATIONS
    from issuer.db import OfficeSession

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    now = [datetime.now(UTC)]
    sessions = SignInSessions(Sessions(engine, expire_on_commit=False), lambda: now[0], OfficeSession)

    def current(token: str) -> Callable[[str], set[str]]:
        return lambda subject: {token_hash(token)} if subject == "LV:VSAA" else set()

    start = now[0]
    busy = sessions.open("LV:VSAA", "token-a")
    for minutes in range(50, 8 * 60, 50):  # used every 50 minutes: alive until the eighth hour
        now[0] = start + timedelta(minutes=minutes)
        assert sessions.find(busy, current("token-a")) is not None, minutes
    now[0] = start + timedelta(hours=8)
    assert sessions.find(busy, current("token-a")) is None
    now[0] = start
    idle = sessions.open("LV:VSAA", "token-a")
    now[0] = start + timedelta(minutes=61)
    assert sessions.find(idle, current("token-a")) is None
    now[0] = start
    revoked = sessions.open("LV:VSAA", "token-a")
    assert sessions.find(revoked, current("token-b")) is None  # the institution's token was replaced
    engine.dispose()


@pytest.mark.parametrize(("field", "value"), [("legislation_country", "AT"), ("issuing_country", "DE"),
                                              ("issuing_authority", {"id": "DE:DRV", "name": "DRV", "country": "DE"}),
                                              ("legislation_country", "DE")])
def test_an_institution_records_only_documents_of_its_own_state(issuer: Issuer, field: str, value: Any) -> None:
    """987/2009 Art. 15/16/19: VSAA issues A1s under Latvian legislation only. A case the verifiers
    would refuse as "not competent" is refused when the clerk records it, at the field at fault; judged
    before the model's other rules (German legislation with the place of work in Germany, status 01,
    is refused for its legislation_country, not as a posting that does not leave its state)."""
    handle, tokens = issuer
    response = httpx.post(f"{handle.url}/lv-vsaa/api/cases", headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"},
                          json={"configuration_id": "pda1", "claims": {**PERSON.pda1, field: value}})
    assert response.status_code == 400, response.text
    assert response.json()["field"].startswith(field), response.json()


def _every_shape() -> list[tuple[str, dict[str, Any]]]:
    """Each credential type's claims as the demo persons have them, and a PDA1 in the v1.1 shape
    with every member a place of work may have (a ship's, a company's, none fixed)."""
    from datetime import date

    from credentials import ehic, pda1, pid
    from credentials.demo_persons import portrait

    shapes: list[tuple[str, dict[str, Any]]] = []
    for person in DEMO_PERSONS:
        recorded = pid.with_provider_metadata({**person.pid, "picture": portrait(person)}, authority="PMLP",
                                              country="LV", expiry=date(2031, 1, 1))  # as the issuer records a PID
        shapes += [("pda1", pda1.validate(person.pda1)), ("ehic", ehic.validate(person.ehic)),
                   ("pid", pid.validate(recorded))]
    place = {"formatted": "Dock 4, Valletta", "street_address": "Triq il-Port", "building_number": "4",
             "postal_code": "VLT 1000", "locality": "Valletta", "region": "Malta", "country": "MT",
             "company_name": "MV Daugava", "company_id": "IMO9876543", "flag_base_home": "MT"}
    v11 = {**{k: v for k, v in DEMO_PERSONS[0].pda1.items() if k != "work_address"}, "status_confirmation": "07",
           "employer": [{"type": "01", "id": "LV1", "name": "Baltic Build", "country": "LV"}]}
    shapes.append(("pda1", pda1.validate({**v11, "work_information": {"work_address": [place]}})))
    shapes.append(("pda1", pda1.validate({**v11, "status_confirmation": "06",
                                          "work_information": {"no_fixed_place_of_work": "DE"}})))
    return shapes


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_field_of_every_document_shape_has_a_label_in_the_case_page_language(lang: str) -> None:
    """The case page's "All fields" names each field in the clerk's language, never by its claim
    path (``issuing_authority.id``, ``work_information.no_fixed_place_of_work``)."""
    from issuer.office import _flatten, _label

    unlabelled = {(kind, path) for kind, claims in _every_shape() for path, _ in _flatten(claims)
                  if _label(lang, path) == path}
    assert unlabelled == set()


def test_a_portrait_is_told_as_a_picture_in_all_fields_not_as_its_base64() -> None:
    from credentials import pid
    from credentials.demo_persons import portrait
    from issuer.office import _flatten

    rows = dict(_flatten(pid.validate({**DEMO_PERSONS[0].pid, "picture": portrait(DEMO_PERSONS[0])})))
    assert re.fullmatch(r"(JPEG|PNG), \d+ KB", rows["picture"])


def test_no_paper_copy_of_a_case_without_the_holders_name_and_birth_date(issuer: Issuer,
                                                                         settings: IssuerSettings) -> None:
    """The paper copy prints the holder for the inspector to compare with an identity document: a case
    without them (an A1 recorded before every A1 had to name its holder) gets none, 409 with the reason,
    on the API and on the case page, and nothing is recorded for it."""
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:VSAA']}"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        case = http.post("/lv-vsaa/api/cases", headers=api, json=_a1(document_number="")).json()
        recorded_before_the_rule(settings, case["id"])
        refused = http.get(f"/lv-vsaa/api/cases/{case['id']}/paper.pdf", headers=api)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"] == "invalid_request" and "birth date" in refused.json()["error_description"]
        page = f"/lv-vsaa/office/cases/{case['id']}"
        printed = http.post(f"{page}/paper?lang=en", data={"csrf": _csrf(http.get(page).text)})
        assert printed.status_code == 409 and printed.headers["content-type"].startswith("text/html")
        assert "birth date" in _page_text(printed.text)
        after = http.get(f"/lv-vsaa/api/cases/{case['id']}", headers=api).json()
        assert after["credential_records"] == [] and "paper" not in [e["action"] for e in after["events"]]


def test_no_paper_copy_of_a_card_that_has_expired(issuer: Issuer) -> None:
    """A card is for care now: an expired one proves nothing. (An A1 whose period has ended is printed:
    tests/test_retroactive_a1.py.)"""
    from datetime import UTC, datetime, timedelta

    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:NVD']}"}
    today = datetime.now(UTC).date()
    ended = dict(PERSON.ehic, document_number="", date_of_issuance=(today - timedelta(days=200)).isoformat(),
                 date_of_expiry=(today - timedelta(days=2)).isoformat())
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        case = http.post("/lv-nvd/api/cases", headers=api, json={
            "configuration_id": "ehic", "claims": ended,
            "holder": {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1988-04-12"}}).json()
        refused = http.get(f"/lv-nvd/api/cases/{case['id']}/paper.pdf", headers=api)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"] == "invalid_request"
        assert f"expired on {ended['date_of_expiry']}" in refused.json()["error_description"]
        page = f"/lv-nvd/office/cases/{case['id']}"
        printed = http.post(f"{page}/paper?lang=en", data={"csrf": _csrf(http.get(page).text)})
        assert printed.status_code == 409 and f"expired on {ended['date_of_expiry']}" in _page_text(printed.text)
        offered = http.post(f"{page}/offer?lang=en", data={"csrf": _csrf(http.get(page).text)})
        assert offered.status_code == 409 and f"expired on {ended['date_of_expiry']}" in _page_text(offered.text)
        assert http.get(f"/lv-nvd/api/cases/{case['id']}", headers=api).json()["credential_records"] == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_case_without_the_holder_shows_why_it_has_no_paper_copy_instead_of_the_button(
        issuer: Issuer, settings: IssuerSettings, lang: str) -> None:
    """The paper copy prints the holder's name and birth date: a case without them (an A1 recorded
    before every A1 had to name its holder) has no paper button that would answer 409, but says why in
    the page language; nor is it handed over to a wallet (every A1 signs section 1), which the page
    says too. With the holder, the button is there."""
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:VSAA']}"}
    with _signed_in(handle, tokens["LV:VSAA"]) as http:
        nameless = http.post("/lv-vsaa/api/cases", headers=api, json=_a1(document_number="")).json()
        recorded_before_the_rule(settings, nameless["id"])
        page = http.get(f"/lv-vsaa/office/cases/{nameless['id']}?lang={lang}").text
        assert 'id="paper"' not in page and 'id="paper-refused"' in page
        assert 'id="make-offer"' not in page and 'id="offer-refused"' in page
        assert i18n.t("rule.case.no_holder_paper", lang) in _page_text(page)
        assert i18n.t("rule.case.a1_no_holder_offer", lang) in _page_text(page)
        named = http.post("/lv-vsaa/api/cases", headers=api, json={
            "configuration_id": "pda1", "claims": dict(PERSON.pda1, document_number=""),
            "holder": {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1988-04-12"}}).json()
        page = http.get(f"/lv-vsaa/office/cases/{named['id']}?lang={lang}").text
        assert 'id="paper"' in page and 'id="paper-refused"' not in page


@pytest.mark.parametrize(("lang", "words"), [("en", "This document expired on 2025-06-30"),
                                             ("lv", "Šī dokumenta derīguma termiņš beidzās 2025-06-30"),
                                             ("de", "Dieses Dokument ist am 2025-06-30 abgelaufen"),
                                             ("fr", "Ce document a expiré le 2025-06-30"),
                                             ("pl", "Ten dokument wygasł 2025-06-30")])
def test_an_expired_card_says_so_instead_of_offering_a_hand_over_or_a_paper_copy(issuer: Issuer, lang: str,
                                                                                 words: str) -> None:
    """Both would be refused (409): the case page says the card expired, and that a renewal is a new
    document (record it, or replace this one), which stays possible. (An A1 whose period has ended is
    handed over and printed: tests/test_retroactive_a1.py.)"""
    handle, tokens = issuer
    api = {"Authorization": f"Bearer {tokens['LV:NVD']}"}
    with _signed_in(handle, tokens["LV:NVD"]) as http:
        case = http.post("/lv-nvd/api/cases", headers=api, json={
            "configuration_id": "ehic", "claims": EXPIRED_CARD,
            "holder": {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1988-04-12"}}).json()
        page = http.get(f"/lv-nvd/office/cases/{case['id']}?lang={lang}").text
    assert 'id="make-offer"' not in page and 'id="paper"' not in page and 'id="replace"' in page
    assert 'id="ended"' in page and words in _page_text(page)
