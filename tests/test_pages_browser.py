"""Issues #5 and #6: the wallet's and the inspector's pages in real headless Chromium.

The registry, issuer, verifier and the wallet page server all run for real on loopback ports;
the browser receives credentials (pasting a link, uploading the offer QR), answers the
inspector's request (consent and refusal) and watches the inspector's page reach its verdict.
"""

from __future__ import annotations

import html
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import ehic, mdoc, pid
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.institutions import demo_entity
from esspass.stack import Clerk, Inspector, InspectorAuth, Stack, renumbered, start_in_process, unnumbered
from esspass.testing import ServerHandle, free_port, serve, wait_until

pytestmark = pytest.mark.browser
PERSON = DEMO_PERSONS[1]
#: The worker's PDA1, with a number of its own that the consent page for an ISO mdoc request shows, and
#: its own expiry date, without which an A1 as ISO mdoc is not confirmed valid (document_validity).
A1_VCT = "urn:eudi:pda1:1"
A1 = renumbered({**PERSON.pda1, "date_of_expiry": PERSON.pda1["ending_date"]})
PASSPHRASE = "correct horse battery"

#: What a screen reader announces for a form field besides its label: aria-invalid and the text of
#: the elements its aria-describedby names (WCAG 3.3.1, 1.3.1).
FIELD_ERROR = """sel => { const f = document.querySelector(sel);
  const ids = (f.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  return {invalid: f.getAttribute('aria-invalid'), missing: ids.filter(i => !document.getElementById(i)),
          text: ids.map(i => (document.getElementById(i) || {}).textContent || '').join(' ')}; }"""

#: WCAG 2.x contrast ratio of an element's text against the backgrounds it sits on, as painted.
CONTRAST = """el => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const layers = [];
  for (let n = el; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor); if (c[3] > 0) { layers.push(c); } }
  let bg = [255, 255, 255, 1];
  for (const c of layers.reverse()) { bg = over(c, bg); }
  const fg = over(parse(getComputedStyle(el).color), bg);
  const lum = c => c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05); }"""


class Site:
    def __init__(self, stack: Stack, wallet_page: ServerHandle, clerk: Clerk, http: httpx.Client) -> None:
        self.stack, self.wallet_page, self.clerk, self.http = stack, wallet_page, clerk, http
        self.inspector = Inspector(stack.verifier_url, http)


@contextmanager
def wallet_site(data_dir: Path) -> Iterator[Site]:
    """The services in process and the wallet's pages served on a loopback port, as a phone opens them."""
    from wallet.app import create_app
    from wallet.settings import WalletSettings

    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=20, auth=InspectorAuth(stack.inspector_token)) as http:
        port = free_port()
        settings = WalletSettings(data_dir=data_dir / "phone", pki_dir=data_dir / "pki",
                                  registry_url=stack.registry_url, allow_loopback_http=True, scrypt_n=2**10,
                                  public_url=f"http://127.0.0.1:{port}")
        with serve(create_app(settings), port=port) as page:
            yield Site(stack, page, Clerk(stack.issuer_url, data_dir, http), http)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with wallet_site(tmp_path_factory.mktemp("pages")) as served:
        yield served


@contextmanager
def phone_tab(site: Site, browser: Any) -> Iterator[Any]:
    """A phone-sized tab (390 x 844) on the wallet's pages, the wallet set up with :data:`PASSPHRASE`
    where it was not yet; its browser context closed after."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        tab.goto(site.wallet_page.url + "/")
        if tab.locator("#passphrase2").count():
            tab.fill("#passphrase", PASSPHRASE)
            tab.fill("#passphrase2", PASSPHRASE)
            tab.click("#create")
            tab.wait_for_selector("#nav-log")
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="module")
def phone(site: Site, browser: Any) -> Iterator[Any]:
    with phone_tab(site, browser) as tab:
        yield tab


@contextmanager
def clerk_client(site: Site) -> Iterator[httpx.Client]:
    """A browser (an HTTP client with its cookie) signed in to LV:VSAA's back office through its sign-in form."""
    from issuer.office import COOKIE

    signed = httpx.post(f"{site.stack.issuer_url}/lv-vsaa/office/login", data={"token": site.clerk.tokens["LV:VSAA"]})
    assert signed.status_code == 303, signed.text
    with httpx.Client(base_url=site.stack.issuer_url, cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30) as client:
        yield client


@contextmanager
def inspector_client(site: Site) -> Iterator[httpx.Client]:
    """A browser (an HTTP client with its cookie) signed in to the inspector's pages through their sign-in form."""
    with httpx.Client(base_url=site.stack.verifier_url, timeout=30) as client:
        signed = client.post("/login", data={"token": site.stack.inspector_token, "next": "/"})
        assert signed.status_code == 303, signed.text
        yield client


def _paste_request(site: Site, phone: Any, link: str) -> None:
    """The worker pastes an inspector's request link in the wallet and is shown the consent screen."""
    phone.goto(site.wallet_page.url + "/present")
    phone.fill("#link", link)
    phone.click("#continue")
    phone.wait_for_selector("#consent")


def _sign_in(site: Site, tab: Any) -> None:
    """The inspector's sign-in page: asked for first, then back to where the inspector was going."""
    tab.goto(site.stack.verifier_url + "/offline?lang=en")
    assert "/login" in tab.url
    tab.fill("#token", site.stack.inspector_token)
    tab.click("#login")
    tab.wait_for_url("**/offline*")


def _inspector_page(site: Site, browser: Any) -> Any:
    tab = browser.new_context().new_page()
    _sign_in(site, tab)
    return tab


def _offer(site: Site, entity: str, config: str, claims: dict[str, Any]) -> dict[str, Any]:
    holder = None if config == "pid" else {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
    return site.clerk.offer(entity, site.clerk.create_case(entity, config, claims, holder))


def _paste_offer(site: Site, phone: Any, offer: dict[str, Any]) -> None:
    """The worker pastes the offer link, types the code, and is back on the list of documents."""
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.fill("#tx_code", offer["tx_code"])
    phone.click("#accept")
    phone.wait_for_selector("#received")
    phone.goto(site.wallet_page.url + "/")


def test_wallet_receives_by_pasting_the_offer_link(site: Site, phone: Any) -> None:
    offer = _offer(site, PERSON.pid_provider, "pid", {**PERSON.pid, "picture": portrait(PERSON)})
    _paste_offer(site, phone, offer)
    assert PERSON.pid["family_name"] in phone.content()


def test_wallet_receives_by_uploading_the_offer_qr(site: Site, phone: Any, tmp_path: Path) -> None:
    offer = _offer(site, PERSON.pda1_issuer, "pda1", A1)
    png = site.http.get(f"{site.stack.issuer_url}{offer['qr_png']}", headers=site.clerk._headers(PERSON.pda1_issuer))
    picture = tmp_path / "offer.png"
    picture.write_bytes(png.content)
    phone.goto(site.wallet_page.url + "/receive")
    phone.set_input_files("#qr", str(picture))
    phone.click("#continue")
    phone.fill("#tx_code", offer["tx_code"])
    phone.click("#accept")
    phone.wait_for_selector("#received")
    phone.goto(site.wallet_page.url + "/")
    assert "Poland" in phone.content() or "Polish" in phone.content()


def test_wallet_collects_through_the_institutions_page_with_the_authorization_code_flow(site: Site,
                                                                                      phone: Any) -> None:
    """OpenID4VCI §5 / HAIP: the wallet pushes its request, the worker types the code on the
    institution's own page, comes back to the wallet and stores the document."""
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.click("#at-institution")
    institution = demo_entity(PERSON.ehic_issuer)
    phone.wait_for_url(f"{site.stack.issuer_url}/{institution.path}/authorize**")
    assert institution.name in phone.inner_text("#explain")
    phone.fill("#tx_code", offer["tx_code"])
    phone.click("#authorise")
    phone.wait_for_url(site.wallet_page.url + "/receive/callback**")
    phone.click("#finish")
    phone.wait_for_selector("#received")
    assert "Health Insurance" in phone.inner_text("#received")


def test_wallet_tells_the_worker_when_the_institution_was_declined(site: Site, phone: Any) -> None:
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.click("#at-institution")
    phone.wait_for_url(f"{site.stack.issuer_url}/{demo_entity(PERSON.ehic_issuer).path}/authorize**")
    phone.fill("#tx_code", "999999" if offer["tx_code"] != "999999" else "111111")
    phone.click("#authorise")
    phone.wait_for_selector("#error")
    field = phone.evaluate(FIELD_ERROR, "#tx_code")
    assert field["invalid"] == "true" and not field["missing"] and "not right" in field["text"], field
    # Cancel is a text button on the white form: readable, not white on white (WCAG 1.4.3).
    assert phone.locator("#cancel").evaluate(CONTRAST) >= 4.5
    phone.click("#cancel")
    phone.wait_for_url(site.wallet_page.url + "/receive/callback**")
    assert "did not hand over" in phone.inner_text("#outcome")
    phone.click("#finish")
    assert "did not hand over" in phone.content()


def test_wallet_wrong_tx_code_says_what_failed(site: Site, phone: Any) -> None:
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    phone.fill("#tx_code", "999999" if offer["tx_code"] != "999999" else "111111")
    phone.click("#accept")
    assert phone.locator("#received").count() == 0
    assert re.search(r"code", phone.content(), re.I)
    # The same offer page again, to correct the code: the error is the code field's, with the tries left.
    assert phone.locator("#accept").count() == 1 and phone.inner_text("h1") == "Document offered"
    field = phone.evaluate(FIELD_ERROR, "#tx_code")
    assert field["invalid"] == "true" and not field["missing"], field
    assert "code is wrong" in field["text"] and "4 attempts left" in field["text"], field
    assert phone.title().startswith("That did not work: Document offered")
    phone.fill("#tx_code", offer["tx_code"])
    phone.click("#accept")
    phone.wait_for_selector("#received")


def test_back_after_a_wrong_code_and_the_right_one_resends_no_code(site: Site, phone: Any) -> None:
    """Post/Redirect/Get: the wrong code's answer is the offer's own page (a GET), so that Back from the
    documents received, or a reload, never sends the form again (a browser's resend of a code, a try
    spent, or a "Confirm Form Resubmission" page)."""
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    posted: list[str] = []

    def post(request: Any) -> None:
        if request.method == "POST":
            posted.append(request.url)
    phone.on("request", post)
    phone.fill("#tx_code", "999999" if offer["tx_code"] != "999999" else "111111")
    phone.click("#accept")
    phone.wait_for_selector("#tx_code[aria-invalid=true]")
    phone.fill("#tx_code", offer["tx_code"])
    phone.click("#accept")
    phone.wait_for_selector("#received")
    assert len(posted) == 2, posted
    phone.go_back()
    phone.wait_for_load_state()
    phone.reload()
    phone.wait_for_selector("#received")  # the offer taken: its page is what it gave
    assert len(posted) == 2, posted
    phone.remove_listener("request", post)


def test_an_offer_locked_by_wrong_codes_is_not_offered_for_another_try(site: Site, phone: Any) -> None:
    """After the issuer locks the offer (five wrong codes), the wallet says so and no longer shows a
    code field that could only fail again."""
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    phone.goto(site.wallet_page.url + "/receive")
    phone.fill("#link", offer["link"])
    phone.click("#continue")
    wrong = "999999" if offer["tx_code"] != "999999" else "111111"
    for _ in range(4):
        phone.fill("#tx_code", wrong)
        phone.click("#accept")
        assert phone.locator("#accept").count() == 1
    phone.fill("#tx_code", wrong)
    phone.click("#accept")
    assert phone.locator("#accept").count() == 0 and "locked" in phone.content()


def test_consent_page_reflows_at_320_px_and_shows_the_portrait_as_a_picture(site: Site, phone: Any) -> None:
    """WCAG 1.4.10: at 320 CSS px nothing scrolls sideways; the PID's portrait (a data: URI) is a
    picture with a name in the page's language, never 800 characters of base64."""
    request = site.inspector.request("pda1")
    phone.set_viewport_size({"width": 320, "height": 640})
    try:
        phone.goto(site.wallet_page.url + "/present")
        phone.fill("#link", request["link"])
        phone.click("#continue")
        phone.wait_for_selector("#consent")
        assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        photo = phone.locator("#consent img.claim-photo")
        assert photo.count() == 1 and photo.get_attribute("alt") == "Photo"
        assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
        assert "data:image" not in phone.inner_text("#consent")
        assert phone.title() == "Request for your data · ESSPASS wallet"
        phone.click("#decline")
        phone.wait_for_selector("#declined")
    finally:
        phone.set_viewport_size({"width": 390, "height": 844})


def test_inspector_sign_in_error_belongs_to_the_token_field(site: Site, browser: Any) -> None:
    tab = browser.new_context().new_page()
    tab.goto(site.stack.verifier_url + "/login?lang=en")
    assert tab.title() == "Staff sign-in – ESSPASS check"
    tab.fill("#token", "not-a-token")
    tab.click("#login")
    tab.wait_for_selector("#login-error")
    field = tab.evaluate(FIELD_ERROR, "#token")
    assert field["invalid"] == "true" and not field["missing"], field
    assert "not one of this service's staff" in field["text"], field
    _sign_in(site, tab)
    tab.goto(site.stack.verifier_url + "/?lang=en")
    # The kinds of check are one group, named by the page's question (WCAG 1.3.1).
    assert tab.locator("fieldset legend h1").inner_text() == "What do you want to check?"
    assert tab.locator("fieldset input[type=radio]").count() >= 2
    tab.context.close()


def test_inspector_page_from_start_to_valid_verdict_with_wallet_consent(site: Site, phone: Any,
                                                                       browser: Any) -> None:
    inspector = _inspector_page(site, browser)
    inspector.goto(site.stack.verifier_url + "/?lang=en")
    inspector.check("input[value=pda1]")
    inspector.click("#start")
    inspector.wait_for_selector("#qr svg")
    link = inspector.input_value("#link")
    assert link.startswith("openid4vp://")

    _paste_request(site, phone, link)
    assert "State Labour Inspectorate" in phone.inner_text("#verifier")
    consent_text = phone.inner_text("#consent")
    assert "Employer" in consent_text or "employer" in consent_text.lower()
    # The portrait is in the inspector's first claim set, so ticked (OpenID4VP §6.4.1); the worker may
    # untick it, and is told what leaving it out means.
    portrait_box = phone.locator("#consent li.optional input[value^='pid:']")
    assert portrait_box.is_checked()
    assert "Leaving out your photo" in phone.inner_text("#consent")
    phone.click("#share")
    phone.wait_for_selector("#shared")

    inspector.wait_for_selector("#verdict", timeout=15000)
    assert inspector.get_attribute("#verdict", "data-verdict") == "valid"
    assert PERSON.pid["family_name"] in inspector.inner_text("#name")
    assert "VALID" in inspector.inner_text("#verdict")
    # The verdict is the page's one h1 and starts its title, and has the focus when the page opens
    # by itself after the wallet answered: a screen reader says it at once.
    assert inspector.locator("h1").all_inner_texts() == ["VALID"]
    assert inspector.title() == "VALID – ESSPASS check"
    wait_until(inspector, "document.activeElement && document.activeElement.id === 'verdict-word'")
    name = f"{PERSON.pid['given_name']} {PERSON.pid['family_name']}"
    assert inspector.get_attribute(".portrait", "alt") == f"Photo of {name}"
    checks = inspector.locator(".checks li").all_text_contents()  # in the closed <details>
    assert checks and all(c.startswith(("✓ passed", "✗ failed", "– not run")) for c in checks), checks
    # Another language reloads the page: the same result, the person too, for this browser (a grace).
    inspector.goto(inspector.url.split("?")[0] + "?lang=lv")
    assert "DERĪGS" in inspector.inner_text("#verdict") and PERSON.pid["family_name"] in inspector.inner_text("#name")
    inspector.context.close()


def test_same_device_check_goes_to_the_wallet_and_back_to_the_verdict(site: Site, phone: Any) -> None:
    """HAIP §5 same-device flow: the page on the phone opens the wallet, which sends the browser
    back to the verifier with a response_code; the verdict shows only there."""
    _sign_in(site, phone)  # the inspectorate's page, here on the worker's phone
    phone.goto(site.stack.verifier_url + "/?lang=en")
    phone.check("input[value=pda1]")
    phone.click("#start-same-device")
    phone.wait_for_selector("#open-wallet")
    link = phone.get_attribute("#open-wallet", "href")
    assert link is not None and link.startswith("openid4vp://") and phone.locator("#qr").count() == 0

    # The phone's system hands the openid4vp:// link to the wallet app (here: the wallet's page).
    _paste_request(site, phone, link)
    phone.click("#share")
    phone.wait_for_selector("#verdict", timeout=15000)  # the wallet's redirect, then the verifier's
    assert phone.url.startswith(site.stack.verifier_url + "/inspect/")
    assert phone.get_attribute("#verdict", "data-verdict") == "valid"
    assert PERSON.pid["family_name"] in phone.inner_text("#name")


def test_without_javascript_the_waiting_page_still_comes_to_the_verdict(site: Site, phone: Any,
                                                                       browser: Any) -> None:
    """The waiting page polls with a script; in a browser without JavaScript it says so, with a link to
    look for the answer (no timed reload: WCAG 2.2.1), and its address leads to the verdict once the
    wallet has answered (before, it stayed on "Waiting for the answer" for ever)."""
    inspector = browser.new_context(java_script_enabled=False).new_page()
    _sign_in(site, inspector)
    inspector.goto(site.stack.verifier_url + "/?lang=en")
    inspector.check("input[value=pda1]")
    inspector.click("#start")
    inspector.wait_for_selector("#qr svg")
    assert "does not update by itself" in inspector.inner_text("#no-script")
    link = inspector.input_value("#link")
    _paste_request(site, phone, link)
    phone.click("#share")
    phone.wait_for_selector("#shared")
    inspector.click("#look-now")
    inspector.wait_for_url("**/verdict*", timeout=15000)
    assert inspector.get_attribute("#verdict", "data-verdict") == "valid"
    inspector.context.close()


def test_wallet_refusal_reaches_the_inspector(site: Site, phone: Any, browser: Any) -> None:
    inspector = _inspector_page(site, browser)
    inspector.goto(site.stack.verifier_url + "/")
    inspector.click("#start")
    link = inspector.input_value("#link")
    _paste_request(site, phone, link)
    phone.click("#decline")
    phone.wait_for_selector("#declined")
    inspector.wait_for_selector("#verdict", timeout=15000)
    assert inspector.get_attribute("#verdict", "data-verdict") == "refused"
    assert inspector.title() == "NOT SHARED – ESSPASS check"
    assert inspector.locator("#verdict").evaluate(CONTRAST) >= 4.5  # white on amber
    inspector.context.close()


def test_inspector_sees_a_revoked_pda1_as_not_valid_with_the_reason(site: Site, phone: Any, browser: Any) -> None:
    case = next(c["id"] for c in site.http.get(
        f"{site.stack.issuer_url}/pl-zus/api/cases", headers=site.clerk._headers(PERSON.pda1_issuer)).json())
    site.clerk.set_state(PERSON.pda1_issuer, case, "revoke", "the posting ended")
    inspector = _inspector_page(site, browser)
    inspector.goto(site.stack.verifier_url + "/")
    inspector.click("#start")
    link = inspector.input_value("#link")
    phone.goto(site.wallet_page.url + "/present")
    phone.fill("#link", link)
    phone.click("#continue")
    phone.click("#share")
    inspector.wait_for_selector("#verdict", timeout=15000)
    assert inspector.get_attribute("#verdict", "data-verdict") == "invalid"
    assert "NOT VALID" in inspector.inner_text("#verdict")
    assert "withdrawn" in inspector.inner_text(".reason")
    inspector.context.close()


def test_wallet_shows_the_offline_qr_on_the_card(site: Site, phone: Any) -> None:
    phone.goto(site.wallet_page.url + "/")
    cards = phone.locator("a[href^='/cards/']")
    hrefs = [cards.nth(i).get_attribute("href") for i in range(cards.count())]
    shown = False
    for href in hrefs:
        phone.goto(site.wallet_page.url + href)
        if phone.locator("#show-qr").count():
            phone.click("#show-qr")  # the worker asks for it: a card view signs and counts nothing
            phone.wait_for_selector("#offline-qr")
            phone.wait_for_load_state("load")  # the code's picture in
            assert phone.evaluate("document.getElementById('offline-qr').naturalWidth") > 100
            # The inspector's challenge typed in: the page's own script (allowed by its CSP) signs over it.
            phone.fill("#challenge", "K7Q2")
            phone.dispatch_event("#challenge", "change")
            wait_until(phone, "document.getElementById('offline-qr').src.includes('challenge=K7Q2')")
            shown = True
    assert shown


def test_inspector_scans_an_offline_qr_photo_with_the_served_js_decoder(site: Site, phone: Any, browser: Any,
                                                                        tmp_path: Path) -> None:
    phone.goto(site.wallet_page.url + "/")
    cards = phone.locator("a[href^='/cards/']")
    groups = [str(cards.nth(i).get_attribute("href")).rsplit("/", 1)[1] for i in range(cards.count())]
    cookies = {c["name"]: c["value"] for c in phone.context.cookies()}
    pictures = []
    with httpx.Client(cookies=cookies, follow_redirects=True) as wallet_session:
        for group in groups:
            card = wallet_session.get(f"{site.wallet_page.url}/cards/{group}").text
            if 'id="show-qr"' not in card:
                continue
            csrf = card.split('name="csrf" value="')[1].split('"')[0]
            showing = wallet_session.post(f"{site.wallet_page.url}/cards/{group}/qr", data={"csrf": csrf}).text
            image = showing.split('<img id="offline-qr" src="')[1].split('"')[0]
            response = wallet_session.get(site.wallet_page.url + html.unescape(image))
            if response.headers.get("content-type") == "image/png":
                pictures.append(response.content)
    assert pictures, "no offline QR in the wallet"
    picture = tmp_path / "offline.png"
    picture.write_bytes(pictures[0])
    inspector = _inspector_page(site, browser)
    submitted: list[str] = []
    inspector.on("request", lambda r: submitted.append(r.post_data or "") if r.method == "POST" else None)
    inspector.goto(site.stack.verifier_url + "/offline")
    inspector.set_input_files("#photo", str(picture))
    # Choosing the photo only reads it (WCAG 3.2.2); the inspector sends it with Check.
    wait_until(inspector, "document.getElementById('photo-state').textContent.length > 0")
    assert "QR code read" in inspector.inner_text("#photo-state") and "/offline" in inspector.url
    assert submitted == []
    inspector.click("#check")
    inspector.wait_for_selector("#verdict", timeout=15000)
    assert inspector.locator("#offline-marker").count() == 1
    # The browser decoded the QR itself (jsQR): the form carried the QR text, not the picture.
    assert any("EP1" in body for body in submitted)
    inspector.context.close()


def test_inspector_gets_the_status_lists_for_a_site_without_network(site: Site, browser: Any) -> None:
    """The offline page's button fetches every institution's status lists, found on the trust list."""
    import re

    inspector = _inspector_page(site, browser)
    inspector.goto(site.stack.verifier_url + "/offline?lang=en")
    inspector.click("#prepare")
    inspector.wait_for_selector("#prepared", timeout=15000)
    said = re.search(r"(\d+) status lists of (\d+) institutions are ready", inspector.inner_text("#prepared"))
    assert said is not None and int(said[1]) >= 2 and int(said[2]) >= 1, inspector.inner_text("#prepared")
    assert inspector.locator("#prepare-failed").count() == 0
    inspector.context.close()


def test_the_offline_check_with_nothing_chosen_says_what_to_do_in_the_pages_language(site: Site,
                                                                                      browser: Any) -> None:
    """Check pressed before any scan or photo: the browser sends an empty file part, which is no photo.
    The page says so in its language, and its language links lead back to the offline page (the
    address it shows is the form's, a POST), never to a 405."""
    from credentials import i18n

    inspector = _inspector_page(site, browser)
    inspector.goto(site.stack.verifier_url + "/offline?lang=de")
    inspector.click("#check")
    inspector.wait_for_selector("#error")
    assert inspector.inner_text("#error") == i18n.t("verifier.offline.error.nothing", "de")
    inspector.click("a[hreflang=fr]")
    inspector.wait_for_selector("#offline-form")
    assert inspector.url.endswith("/offline?lang=fr") and inspector.locator("html[lang=fr]").count() == 1
    inspector.context.close()


def test_the_waiting_page_stops_at_an_expired_code_a_deleted_check_or_a_lapsed_sign_in(site: Site,
                                                                                      browser: Any) -> None:
    """The waiting page polls until the answer comes, not for ever: once the request's time is up
    (``expired``), the check is gone (404) or the inspector's sign-in has ended (401), it stops
    polling, takes the dead QR code away and says so in the page's language, with the way on
    (a new check, or signing in again)."""
    from datetime import UTC, datetime, timedelta

    from esspass.stack import verifier_replica

    with verifier_replica(site.stack) as (service, url):
        tab = browser.new_context().new_page()
        tab.goto(url + "/login?lang=de&next=/%3Flang%3Dde")
        tab.fill("#token", site.stack.inspector_token)
        tab.click("#login")
        tab.wait_for_url(url + "/?lang=de")
        polls: list[str] = []
        tab.on("request", lambda r: polls.append(r.url) if r.url.endswith("/status") else None)

        def start() -> None:
            tab.goto(url + "/?lang=de")
            tab.click("#start")
            tab.wait_for_selector("#qr svg")

        def stopped() -> None:
            seen = len(polls)
            tab.wait_for_timeout(1600)
            assert len(polls) == seen, "the page still polls"
            assert tab.locator("#qr").count() == 0 and tab.locator("#link").count() == 0

        start()
        service.clock = lambda: datetime.now(UTC) + timedelta(seconds=service.request_ttl + 1)
        tab.wait_for_selector("#new-check")
        assert "abgelaufen" in tab.inner_text("#state")
        stopped()
        tab.click("#new-check")
        tab.wait_for_selector("#start")

        service.clock = lambda: datetime.now(UTC)
        start()
        service.clock = lambda: datetime.now(UTC) + timedelta(hours=2)
        service.sweep()  # expired long ago: the check is deleted, its status 404
        tab.wait_for_selector("#new-check")
        stopped()

        service.clock = lambda: datetime.now(UTC)
        start()
        view = tab.url.split("/inspect/")[1].split("?")[0]
        tab.context.clear_cookies()  # the sign-in has ended
        tab.wait_for_selector("#sign-in-again")
        assert "Melden Sie sich erneut an" in tab.inner_text("#state")
        stopped()
        tab.click("#sign-in-again")
        tab.wait_for_selector("#token")
        tab.fill("#token", site.stack.inspector_token)
        tab.click("#login")
        tab.wait_for_selector("#qr svg")  # back at the same check, which can still be answered
        assert f"/inspect/{view}" in tab.url
        tab.context.close()


def test_wallet_page_consents_to_an_iso_mdoc_request_with_readable_labels(site: Site, phone: Any) -> None:
    """A verifier asking for the PDA1 as ISO mdoc only: the consent page names the elements in words."""
    doctype = mdoc.DOCTYPES["pda1"]
    query = {"credentials": [{"id": "a1", "format": "mso_mdoc", "meta": {"doctype_value": doctype},
                              "claims": [{"path": [doctype, name]} for name in
                                         ("document_number", "legislation_country", "starting_date", "ending_date",
                                          "date_of_expiry")]}]}
    request = site.inspector.request(dcql_query=query)
    phone.goto(site.wallet_page.url + "/present")
    phone.fill("#link", request["link"])
    phone.click("#continue")
    phone.wait_for_selector("#consent")
    consent_text = phone.inner_text("#consent")
    assert A1["document_number"] in consent_text and doctype not in consent_text
    phone.click("#share")
    phone.wait_for_selector("#shared")
    verdict = site.inspector.result(request)["verdict"]
    steps = {s["code"]: s["result"] for c in verdict["credentials"] for s in c["steps"]}
    assert steps["key_binding"] == steps["issuer_authorised"] == steps["disclosures"] == "passed", verdict
    # An earlier test of this module withdraws this worker's PDA1: then, and only then, status fails.
    assert all(result == "passed" for code, result in steps.items() if code != "status"), verdict


def test_check_status_now_says_it_is_working_and_answers_in_time_when_the_status_server_hangs(
        tmp_path: Path, browser: Any) -> None:
    """The issuer's host takes connections and never answers: "Check status now" says "Working…" on its
    button at once (busy.js) and the card page comes back with the check unconfirmed within the page's
    own bound (wallet.app _CHECK_NOW_SECONDS, 10 s), not the client's (15 s and more)."""
    with wallet_site(tmp_path) as own, phone_tab(own, browser) as tab:
        _paste_offer(own, tab, _offer(own, PERSON.pda1_issuer, "pda1", unnumbered(PERSON.pda1)))
        tab.locator(f"a.card.doc[data-vct='{A1_VCT}']").first.click()
        tab.wait_for_selector("#check-status")
        tab.wait_for_load_state("load")  # busy.js (deferred) set up: a loaded machine ran it after the click
        port = own.stack.handles["issuer"].port
        own.stack.stop("issuer")
        hole = socket.socket()
        hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hole.bind(("127.0.0.1", port))
        hole.listen(16)
        held: list[socket.socket] = []

        def accept() -> None:
            while True:
                try:
                    held.append(hole.accept()[0])
                except OSError:
                    return
        threading.Thread(target=accept, daemon=True).start()
        # What the button said once the form was sent (busy.js's listener runs first), kept across the
        # navigation: read after the click, it raced the answer on a loaded machine.
        tab.evaluate("""() => document.addEventListener("submit", () => sessionStorage.setItem(
            "label", document.querySelector("#check-status").textContent))""")
        try:
            start = time.monotonic()
            with tab.expect_navigation(timeout=20000):
                tab.click("#check-status", no_wait_after=True)
            took = time.monotonic() - start
            assert tab.evaluate("() => sessionStorage.getItem('label')") == "Working…"
            assert took < 13, took
            assert tab.locator("#check-status").inner_text() == "Check status now"
            assert "too slow" in tab.inner_text("main"), tab.inner_text("main")
        finally:
            hole.close()
            for conn in held:
                conn.close()


def test_the_worker_removes_a_document_from_the_wallet(site: Site, phone: Any) -> None:
    """The document and its keys leave the device; the other documents stay."""
    offer = _offer(site, PERSON.ehic_issuer, "ehic", unnumbered(PERSON.ehic))
    _paste_offer(site, phone, offer)
    before = phone.locator("a.card.doc").count()
    ehic_cards = phone.locator(f"a.card.doc[data-vct='{ehic.VCT}']")
    phone.goto(site.wallet_page.url + ehic_cards.last.get_attribute("href"))
    phone.click("#delete summary")
    phone.click("#delete-confirm")
    phone.wait_for_selector("#deleted")
    assert phone.locator("a.card.doc").count() == before - 1
    assert phone.locator(f"a.card.doc[data-vct='{pid.VCT}']").count() >= 1
