"""What one client may make a service hold: request bodies, unfinished requests, dropped connections.

Each service runs as it is served (esspass.serve.SERVER_LIMITS, FastAPI max_body_size) on loopback;
the attacks are sent over raw sockets where an HTTP client would not send them.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from esspass.stack import Stack, start_in_process
from esspass.web import MAX_BODY_BYTES, local_path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_in_process(Path(tmp_path_factory.mktemp("limits"))) as running:
        yield running


def _raw(url: str, head: bytes, body: bytes = b"", *, close_after: bool = False, timeout: float = 10) -> bytes:
    """Send ``head`` (request line and headers) and ``body`` as given; the first answer bytes, or b""."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=timeout) as sock:
        try:
            sock.sendall(head + body)
            return b"" if close_after else sock.recv(4096)
        except (ConnectionResetError, BrokenPipeError, TimeoutError):  # the server hung up: refused
            return b""


def test_a_declared_body_over_the_limit_is_refused_unread_and_unauthenticated(stack: Stack) -> None:
    """A 300 MB upload announced to the registry's admin API gets 413 before a byte of it is read."""
    start = time.monotonic()
    answer = _raw(stack.registry_url, b"POST /admin/entities HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 300000000\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - start < 5


def test_a_streamed_body_over_the_limit_is_cut_off_with_a_json_413(stack: Stack) -> None:
    """Without a Content-Length (chunked), the count of what arrives stops it: the wallet's answer
    endpoint, which anyone who saw the QR code can reach."""
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // (64 * 1024) + 8):
            yield b"a" * (64 * 1024)

    response = httpx.post(f"{stack.verifier_url}/responses/unknown", content=chunks(),
                          headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=20)
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"


def test_a_header_line_of_megabytes_is_refused_and_stalls_nobody(stack: Stack) -> None:
    """h11 holds at most 64 KiB of an unfinished request: a 20 MB header is refused, and the
    service answers others meanwhile."""
    huge = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: " + b"a" * (20 * 1024 * 1024) + b"\r\n\r\n"
    result: dict[str, bytes] = {}
    sender = threading.Thread(target=lambda: result.setdefault("answer", _raw(stack.issuer_url, huge)))
    sender.start()
    start = time.monotonic()
    assert httpx.get(f"{stack.issuer_url}/healthz", timeout=10).status_code == 200
    assert time.monotonic() - start < 2
    sender.join(timeout=30)
    assert not result.get("answer", b"").startswith(b"HTTP/1.1 200")


def test_a_client_that_leaves_in_the_middle_of_its_body_is_no_server_error(stack: Stack) -> None:
    """One byte of a promised thousand, then gone: logged as a dropped client, never counted as a 500."""
    for path in (b"/lv-vsaa/token", b"/responses/unknown"):
        url = stack.issuer_url if path.startswith(b"/lv") else stack.verifier_url
        _raw(url, b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
             b"\r\nContent-Length: 1000\r\n\r\n", b"a", close_after=True)
    time.sleep(0.5)
    for url in (stack.issuer_url, stack.verifier_url):
        metrics = httpx.get(f"{url}/metrics").text
        assert 'status="500"' not in metrics, [line for line in metrics.splitlines() if 'status="500"' in line]


def test_a_next_address_the_url_parser_cannot_read_goes_home() -> None:
    assert local_path("http://[") == "/" and local_path("/cases/1") == "/cases/1"


def test_the_inspectors_sign_in_page_survives_an_unreadable_next(stack: Stack) -> None:
    assert httpx.get(f"{stack.verifier_url}/login", params={"next": "http://["}).status_code == 200


def test_an_upload_route_has_its_own_larger_limit_and_only_it(stack: Stack) -> None:
    """The inspector's photo of an offline QR code may be 8 MB: /offline reads it (and then answers
    as it would, here "sign in first"); the wallet's answer endpoint refuses the same body."""
    photo = b"\xff" * (3 * 1024 * 1024)
    files = {"photo": ("qr.jpg", photo, "image/jpeg")}
    assert httpx.post(f"{stack.verifier_url}/offline", files=files, timeout=20).status_code != 413
    refused = httpx.post(f"{stack.verifier_url}/responses/unknown", files=files, timeout=20)
    assert refused.status_code == 413 and refused.json()["error"] == "invalid_request"
    token = httpx.post(f"{stack.issuer_url}/lv-vsaa/token", files=files, timeout=20)
    assert token.status_code == 413
