"""The wallet's pages and the CLI's loopback listener carry the institution's answer on unchanged.

RFC 6749 §4.1.2 leaves the size of an authorization code to the authorization server ("The client
should avoid making assumptions about code value sizes"): institutions whose servers issue long
codes (a signed JWT as the code is common) must still be able to hand over their documents, so the
wallet may bound what it carries but must never cut a code short into one that cannot work.
"""

from __future__ import annotations

import html
from pathlib import Path

import httpx

from esspass.testing import serve
from wallet.app import create_app
from wallet.loopback import LoopbackCallback
from wallet.settings import WalletSettings

#: A code as long as a signed JWT an authorization server may issue as its code.
LONG_CODE = "eyJhbGciOiJFUzI1NiJ9." + "A" * 1200 + "." + "B" * 86
LONG_STATE = "s" * 400


def _hidden(page: str, name: str) -> str:
    return html.unescape(page.split(f'name="{name}" value="')[1].split('"')[0])


def test_the_callback_page_carries_a_long_authorization_code_on_whole(tmp_path: Path) -> None:
    settings = WalletSettings(data_dir=tmp_path, scrypt_n=16, pki_dir=tmp_path / "no-pki")
    with serve(create_app(settings)) as server, httpx.Client(base_url=server.url) as page:
        answer = page.get("/receive/callback", params={"code": LONG_CODE, "state": LONG_STATE,
                                                       "iss": "https://issuer.example/lv-vsaa"})
    assert answer.status_code == 200
    assert _hidden(answer.text, "code") == LONG_CODE
    assert _hidden(answer.text, "state") == LONG_STATE


def test_the_terminals_loopback_listener_keeps_a_long_authorization_code_whole() -> None:
    with LoopbackCallback() as callback:
        httpx.get(callback.redirect_uri, params={"code": LONG_CODE, "state": LONG_STATE})
        params = callback.wait(5)
    assert params is not None
    assert params["code"] == LONG_CODE and params["state"] == LONG_STATE
