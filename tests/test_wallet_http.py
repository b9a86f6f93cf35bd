"""Whoever made the QR code the worker scans chooses the server the wallet talks to: nothing that
server sends may hold the wallet's memory or time (wallet.http.request), over real HTTP on loopback.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import Response, StreamingResponse

from esspass.testing import ServerHandle, serve
from wallet import http as wallet_http
from wallet.errors import TransportError


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
