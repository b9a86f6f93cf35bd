"""The wallet's local pages in headless Chromium: create, unlock, lock, receive input errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from esspass.testing import ServerHandle, serve
from wallet.app import create_app
from wallet.settings import WalletSettings

pytestmark = pytest.mark.browser


class _NoTrust:
    """These pages never consult the trust registry; reaching it would be a bug."""

    def issuers(self, now: datetime) -> Any:
        raise AssertionError("trust list consulted")

    def verifiers(self, now: datetime) -> Any:
        raise AssertionError("trust list consulted")


@pytest.fixture
def wallet_server(tmp_path: Path) -> Iterator[ServerHandle]:
    settings = WalletSettings(data_dir=tmp_path, scrypt_n=16, lang="en")
    with serve(create_app(settings, trust=_NoTrust())) as handle:
        yield handle


def _blank_png(tmp_path: Path) -> Path:
    path = tmp_path / "blank.png"
    Image.new("RGB", (120, 120), (255, 255, 255)).save(path)
    return path


def test_create_lock_and_unlock_in_the_browser(browser: Any, wallet_server: ServerHandle, tmp_path: Path) -> None:
    page = browser.new_page()
    try:
        page.goto(wallet_server.url + "/")
        assert page.url.endswith("/setup")
        page.fill("#passphrase", "correct horse battery")
        page.fill("#passphrase2", "correct horse battery")
        page.click("#create")
        page.wait_for_selector("#empty")
        assert "No documents yet" in page.inner_text("#empty")
        assert (tmp_path / "wallet" / "wallet.enc").exists()
        page.click("#lock")
        page.wait_for_selector("#unlock")
        page.fill("#passphrase", "wrong horse")
        page.click("#unlock")
        page.wait_for_selector("#error")
        assert "Wrong passphrase" in page.inner_text("#error")
        page.fill("#passphrase", "correct horse battery")
        page.click("#unlock")
        page.wait_for_selector("#empty")
    finally:
        page.close()


def test_change_the_passphrase_in_the_browser(browser: Any, wallet_server: ServerHandle) -> None:
    page = browser.new_page()
    try:
        page.goto(wallet_server.url + "/setup")
        page.fill("#passphrase", "correct horse battery")
        page.fill("#passphrase2", "correct horse battery")
        page.click("#create")
        page.wait_for_selector("#empty")
        page.click("#passphrase-link")
        page.fill("#current", "correct horse battery")
        page.fill("#new", "staple battery horse")
        page.fill("#new2", "staple battery horse")
        page.click("#change")
        page.wait_for_selector("#changed")
        page.click("#lock")
        page.wait_for_selector("#unlock")
        page.fill("#passphrase", "staple battery horse")
        page.click("#unlock")
        page.wait_for_selector("#empty")
    finally:
        page.close()


#: aria-invalid and the text of the elements aria-describedby names: what a screen reader says with a field.
FIELD_ERROR = """sel => { const f = document.querySelector(sel);
  const ids = (f.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  return {invalid: f.getAttribute('aria-invalid'), missing: ids.filter(i => !document.getElementById(i)),
          text: ids.map(i => (document.getElementById(i) || {}).textContent || '').join(' ')}; }"""


def test_passphrase_errors_belong_to_their_fields_and_each_page_has_its_title(
    browser: Any, wallet_server: ServerHandle
) -> None:
    page = browser.new_page()
    try:
        page.goto(wallet_server.url + "/setup")
        assert page.title() == "Create your wallet · ESSPASS wallet"
        assert page.get_attribute("#passphrase", "aria-invalid") is None
        page.fill("#passphrase", "correct horse battery")
        page.fill("#passphrase2", "correct horse battle")
        page.click("#create")
        page.wait_for_selector("#error")
        assert page.title() == "That did not work: Create your wallet · ESSPASS wallet"
        for field in ("#passphrase", "#passphrase2"):
            said = page.evaluate(FIELD_ERROR, field)
            assert said["invalid"] == "true" and not said["missing"], said
            assert "The two passphrases differ." in said["text"], said
        page.fill("#passphrase", "correct horse battery")
        page.fill("#passphrase2", "correct horse battery")
        page.click("#create")
        page.wait_for_selector("#empty")
        assert page.title() == "My documents · ESSPASS wallet"
        assert page.get_attribute("#nav-cards", "aria-current") == "page"
        page.click("#lock")
        page.wait_for_selector("#unlock")
        assert page.title() == "Unlock your wallet · ESSPASS wallet"
        page.fill("#passphrase", "wrong horse")
        page.click("#unlock")
        page.wait_for_selector("#error")
        said = page.evaluate(FIELD_ERROR, "#passphrase")
        assert said["invalid"] == "true" and not said["missing"] and "Wrong passphrase" in said["text"], said
        # The language links: named, current one marked, each at least 24 by 24 px (WCAG 2.5.8).
        langs = page.locator("nav.langs")
        assert langs.get_attribute("aria-label") == "Language"
        assert langs.locator("a[aria-current='true']").get_attribute("hreflang") == "en"
        sizes = langs.locator("a").evaluate_all("links => links.map(a => a.getBoundingClientRect())"
                                               ".map(r => Math.min(r.width, r.height))")
        assert len(sizes) == 5 and min(sizes) >= 24, sizes
    finally:
        page.close()


def test_language_switch_changes_the_words(browser: Any, wallet_server: ServerHandle) -> None:
    page = browser.new_page()
    try:
        page.goto(wallet_server.url + "/setup")
        page.click("a[lang=lv]")
        page.wait_for_selector("#create")
        assert page.inner_text("#create") == "Izveidot maku"
        page.click("a[lang=de]")
        page.wait_for_selector("#create")
        assert page.inner_text("#create") == "Wallet anlegen"
    finally:
        page.close()


def test_uploading_a_picture_without_qr_explains_in_plain_words(
    browser: Any, wallet_server: ServerHandle, tmp_path: Path
) -> None:
    page = browser.new_page()
    try:
        page.goto(wallet_server.url + "/setup")
        page.fill("#passphrase", "correct horse battery")
        page.fill("#passphrase2", "correct horse battery")
        page.click("#create")
        page.wait_for_selector("#empty")
        page.click("#nav-receive")
        page.set_input_files("#qr", str(_blank_png(tmp_path)))
        page.click("#continue")
        page.wait_for_selector("#error")
        assert "No QR code could be read" in page.inner_text("#error")
        page.goto(wallet_server.url + "/present")
        page.fill("#link", "https://example.org/not-a-request")
        page.click("#continue")
        page.wait_for_selector("#error")
        assert "not a presentation request link" in page.inner_text("#error")
    finally:
        page.close()


def test_forms_without_the_csrf_token_are_refused(wallet_server: ServerHandle) -> None:
    with httpx.Client(base_url=wallet_server.url) as client:
        response = client.post("/setup", data={"passphrase": "fine phrase", "passphrase2": "fine phrase",
                                               "csrf": "guess"})
        assert response.status_code == 403
        page = client.get("/setup")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        created = client.post("/setup", data={"passphrase": "fine phrase", "passphrase2": "fine phrase", "csrf": token})
        assert created.status_code == 303
        forged = client.post("/receive", data={"link": "openid-credential-offer://?x", "csrf": token})
        assert forged.status_code == 403  # the session has its own token; the pre-session one is void


def test_pages_refuse_a_foreign_host_header(wallet_server: ServerHandle) -> None:
    response = httpx.get(wallet_server.url + "/setup", headers={"Host": "attacker.example"})
    assert response.status_code == 421


def test_pages_need_an_unlocked_session(wallet_server: ServerHandle) -> None:
    with httpx.Client(base_url=wallet_server.url) as client:
        assert client.get("/log").headers["location"] == "/setup"


def test_unlock_and_sign_in_never_redirect_off_site() -> None:
    from esspass.web import local_path

    assert local_path("//evil.example/") == "/" and local_path("https://evil.example/") == "/"
    assert local_path("/cards/abc") == "/cards/abc"


def test_qr_upload_limit_is_enforced_before_decoding() -> None:
    from wallet.errors import QrError
    from wallet.qr import MAX_IMAGE_BYTES, decode_qr

    with pytest.raises(QrError, match="too large"):
        decode_qr(b"\x89PNG" + bytes(MAX_IMAGE_BYTES))


def test_wrong_passphrases_in_a_row_make_the_next_try_wait(wallet_server: ServerHandle) -> None:
    """Like a phone's PIN: after five wrong passphrases the wallet refuses tries (even the right
    one, before any key derivation) until the delay has passed, and says how long."""
    import time

    right = "correct horse battery"
    with httpx.Client(base_url=wallet_server.url) as client:
        token = client.get("/setup").text.split('name="csrf" value="')[1].split('"')[0]
        assert client.post("/setup", data={"passphrase": right, "passphrase2": right, "csrf": token}).status_code == 303
        client.cookies.clear()
        token = client.get("/unlock").text.split('name="csrf" value="')[1].split('"')[0]
        for _ in range(5):
            assert client.post("/unlock", data={"passphrase": "guess", "csrf": token}).status_code == 401
        refused = client.post("/unlock", data={"passphrase": right, "csrf": token})
        assert refused.status_code == 429 and refused.headers["retry-after"] in ("1", "2")
        assert "Try again in" in refused.text
        time.sleep(int(refused.headers["retry-after"]) + 0.1)
        assert client.post("/unlock", data={"passphrase": right, "csrf": token}).status_code == 303


def test_the_wait_doubles_with_each_wrong_passphrase_up_to_five_minutes() -> None:
    from wallet.app import _UnlockAttempts

    now = [0.0]
    attempts = _UnlockAttempts(clock=lambda: now[0])
    waits = []
    for _ in range(16):
        attempts.failed()
        with attempts.turn() as wait:
            waits.append(wait)
    assert waits[:4] == [0.0] * 4 and waits[4:8] == [2.0, 4.0, 8.0, 16.0] and waits[-1] == 300.0
    for _ in range(2000):  # days of waiting out each delay: the wait stays at its longest, never lapses
        attempts.failed()
    with attempts.turn() as wait:
        assert wait == 300.0
    attempts.succeeded()
    with attempts.turn() as wait:
        assert wait == 0.0


@pytest.mark.parametrize("passphrase", ["ab", "seven77", ""])
def test_the_server_refuses_a_passphrase_shorter_than_eight_characters(
        wallet_server: ServerHandle, tmp_path: Path, passphrase: str) -> None:
    """The page's minlength is a convenience of the browser: a form sent without it is refused too."""
    with httpx.Client(base_url=wallet_server.url) as client:
        token = client.get("/setup").text.split('name="csrf" value="')[1].split('"')[0]
        refused = client.post("/setup", data={"passphrase": passphrase, "passphrase2": passphrase, "csrf": token})
        assert refused.status_code == 400
        assert "at least 8 characters" in refused.text and "Wrong passphrase" not in refused.text
        assert not (tmp_path / "wallet" / "wallet.enc").exists()
