"""Hostile links to the wallet: an address the URL parser cannot read is refused in plain words, not a 500.

Whoever made the QR code the worker scans chooses every address in it; the wallet's pages must
answer a broken one with their error page (HTTP 400), as any other unusable link.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from credentials.errors import MalformedError
from esspass.testing import serve
from wallet.app import SESSION_COOKIE, create_app
from wallet.http import check_url
from wallet.settings import WalletSettings

UNREADABLE = ["http://[", "https://[", "https://[::1", "https://[zz]/", "https://[::1/", "https://host:port/",
              "https://host:99999/", "https://host:-1/"]


@pytest.mark.parametrize("url", UNREADABLE)
def test_an_address_urlsplit_cannot_read_is_malformed(url: str) -> None:
    for loopback in (False, True):
        with pytest.raises(MalformedError, match="not a usable https address"):
            check_url(url, "the offer address", allow_loopback_http=loopback)


def test_good_addresses_still_pass() -> None:
    assert check_url("https://issuer.example:8443/lv", "x") == "https://issuer.example:8443/lv"
    assert check_url("http://[::1]:8102/x", "x", allow_loopback_http=True) == "http://[::1]:8102/x"


class _NoTrust:
    """A broken link is refused before anything is fetched or looked up."""

    def issuers(self, now: datetime) -> Any:
        raise AssertionError("trust list consulted")

    def verifiers(self, now: datetime) -> Any:
        raise AssertionError("trust list consulted")


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, str]]:
    """A wallet's pages, set up and unlocked, and the session's CSRF token."""
    settings = WalletSettings(data_dir=tmp_path_factory.mktemp("wallet"), scrypt_n=16, lang="en",
                              allow_loopback_http=True)
    with serve(create_app(settings, trust=_NoTrust())) as handle, httpx.Client(base_url=handle.url) as client:
        token = client.get("/setup").text.split('name="csrf" value="')[1].split('"')[0]
        created = client.post("/setup", data={"passphrase": "fine phrase", "passphrase2": "fine phrase", "csrf": token})
        assert created.status_code == 303, created.text
        csrf = client.get("/receive").text.split('name="csrf" value="')[1].split('"')[0]
        yield client, csrf


@pytest.mark.parametrize("url", UNREADABLE[:4])
def test_an_offer_link_pointing_at_an_unreadable_address_is_a_400_page(wallet: tuple[httpx.Client, str],
                                                                        url: str) -> None:
    client, csrf = wallet
    link = f"openid-credential-offer://?credential_offer_uri={quote(url, safe='')}"
    response = client.post("/receive", data={"link": link, "csrf": csrf})
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("url", UNREADABLE[:4])
def test_a_request_link_pointing_at_an_unreadable_address_is_a_400_page(wallet: tuple[httpx.Client, str],
                                                                         url: str) -> None:
    client, csrf = wallet
    link = f"openid4vp://?client_id=x509_hash:abc&request_uri={quote(url, safe='')}"
    response = client.post("/present", data={"link": link, "csrf": csrf})
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert "text/html" in response.headers["content-type"]


_MANY = "&".join(f"p{i}=x" for i in range(25))


@pytest.mark.parametrize(("page", "link"), [
    ("/receive", "openid-credential-offer://["),
    ("/receive", f"openid-credential-offer://?{_MANY}"),
    ("/present", "openid4vp://["),
    ("/present", f"openid4vp://?client_id=x&{_MANY}"),
])
def test_a_link_the_parser_cannot_read_is_a_400_page(wallet: tuple[httpx.Client, str], page: str, link: str) -> None:
    """The link itself broken (an unclosed IPv6 bracket, more parameters than any offer or request has)."""
    client, csrf = wallet
    response = client.post(page, data={"link": link, "csrf": csrf})
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert "text/html" in response.headers["content-type"]


def test_another_sites_form_posted_to_lock_neither_clears_the_cookie_nor_ends_the_session(
        wallet: tuple[httpx.Client, str]) -> None:
    """Any page the worker opens can post a form to http://127.0.0.1:8104/lock (a loopback Host passes
    the rebinding check); without the cookie (SameSite=Strict) or the CSRF token it changes nothing."""
    client, _csrf = wallet
    forged = httpx.post(str(client.base_url.join("/lock")), data={}, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403  # refused by its Origin before anything is read (wallet.app from_own_pages)
    assert not [h for h in forged.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
    assert client.get("/receive").status_code == 200  # still unlocked


def test_lock_with_the_session_but_without_its_csrf_token_is_refused(wallet: tuple[httpx.Client, str]) -> None:
    client, _csrf = wallet
    refused = client.post("/lock", data={"csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert not [h for h in refused.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
    assert client.get("/receive").status_code == 200


def test_lock_with_its_csrf_token_ends_the_session(wallet: tuple[httpx.Client, str]) -> None:
    client, csrf = wallet
    locked = client.post("/lock", data={"csrf": csrf}, follow_redirects=False)
    assert locked.status_code == 303 and locked.headers["location"] == "/unlock"
    assert [h for h in locked.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
    assert client.get("/receive", follow_redirects=False).status_code == 303
