"""Whoever made the QR code the worker scans chooses the server the wallet talks to: nothing that
server sends may hold the wallet's memory or time (wallet.http.request), over real HTTP on loopback.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse

from esspass.testing import ServerHandle, serve
from wallet import http as wallet_http
from wallet.errors import TransportError
from wallet.present_client import post_response


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/huge")
    def huge() -> StreamingResponse:
        def body() -> Iterator[bytes]:  # no Content-Length: only counting what arrives stops it
            for _ in range(64):
                yield b"x" * (256 * 1024)
        return StreamingResponse(body(), media_type="application/json")

    @app.get("/bomb")
    def bomb() -> Response:
        return Response(gzip.compress(b"{" + b" " * (8 * 1024 * 1024) + b"}"), media_type="application/json",
                        headers={"Content-Encoding": "gzip"})

    @app.get("/drip")
    def drip() -> StreamingResponse:
        def body() -> Iterator[bytes]:
            for _ in range(60):
                time.sleep(0.2)
                yield b" "
        return StreamingResponse(body(), media_type="application/json")

    @app.post("/responses/1")
    def answer(to: str) -> Response:  # a verifier's response endpoint, naming where the browser goes
        return Response(json.dumps({"redirect_uri": to}), media_type="application/json")

    @app.get("/fine")
    def fine() -> Response:
        return Response(b'{"ok": true}', media_type="application/json")

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with serve(_app()) as handle:
        yield handle


def test_an_answer_larger_than_the_limit_is_given_up_while_it_arrives(server: ServerHandle) -> None:
    with wallet_http.make_client(verify=True, timeout=5) as client, pytest.raises(TransportError, match="too large"):
        wallet_http.send(client, "GET", f"{server.url}/huge", "Fetching the request")


def test_a_compressed_answer_is_refused_unread(server: ServerHandle) -> None:
    """A few KB of gzip can unpack to gigabytes: the wallet asks for identity and takes nothing else."""
    with wallet_http.make_client(verify=True, timeout=5) as client, pytest.raises(TransportError, match="compressed"):
        wallet_http.send(client, "GET", f"{server.url}/bomb", "Fetching the offer")


def test_a_server_sending_a_byte_now_and_then_does_not_hold_the_wallet(server: ServerHandle,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Each byte comes within the per-read timeout; the whole answer still has a time limit."""
    monkeypatch.setattr(wallet_http, "MAX_RESPONSE_SECONDS", 1.0)
    with wallet_http.make_client(verify=True, timeout=5) as client, pytest.raises(TransportError, match="too slow"):
        wallet_http.send(client, "GET", f"{server.url}/drip", "Fetching the request")


def test_a_usable_answer_is_read_as_before(server: ServerHandle) -> None:
    with wallet_http.make_client(verify=True, timeout=5) as client:
        response = wallet_http.send(client, "GET", f"{server.url}/fine", "Fetching")
        assert wallet_http.read_json(response, "Fetching") == {"ok": True}


@pytest.mark.parametrize(("redirect", "followed"), [
    ("https://vdi.example/done?response_code=abc", True),
    ("http://vdi.example/done?response_code=abc", False),  # anyone on the network could rewrite it
    ("javascript:alert(1)", False),
    ("https://user:pw@vdi.example/done", False),
])
def test_the_verifiers_return_address_is_followed_only_over_https(server: ServerHandle, redirect: str,
                                                                   followed: bool) -> None:
    """OpenID4VP §8.2: the browser goes back to the verifier carrying the response_code; the wallet
    sends it only to an https address, as it talks to every server."""
    with wallet_http.make_client(verify=True, timeout=5) as client:
        got = post_response(client, f"{server.url}/responses/1?to={quote(redirect)}", {"state": "s"},
                            allow_loopback_http=True)
    assert got == (redirect if followed else None)
