"""A fetch from a server an attacker may choose ends at its deadline, whichever part of the
exchange the server drags out (esspass.fetch): the TLS handshake, the status line, the headers or
the body, each byte sent well within any per-read timeout. Over real sockets on loopback, against
a raw server that trickles bytes; each caller then fails closed as for any unreachable server.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Response

from credentials import status_list, trust_list
from credentials.errors import IssuerTrustError
from credentials.pki import DemoPki, create_tls, write_certificates, write_private_key
from esspass import fetch
from esspass.config import service_http_client
from esspass.status_client import StatusClient
from esspass.testing import serve
from trust_registry.client import TrustListClient
from wallet import http as wallet_http
from wallet.errors import TransportError

#: The deadline the tests give, and how much later than it a fetch may end: thread scheduling on a
#: busy machine, never another round of per-read timeouts.
DEADLINE = 0.5
MARGIN = 1.0
#: Per-operation timeout of the clients under test: every trickled byte comes well within it.
PER_READ = 3.0

_HEAD = b"HTTP/1.1 200 OK\r\n"
_HEADERS = _HEAD + b"Content-Type: application/json\r\nContent-Length: 64\r\n\r\n"
_DRIP = b"." * 60  # one byte every 0.1 s: six seconds in all, then silence


@contextmanager
def trickling(*answers: tuple[bytes, bytes], every: float = 0.1) -> Iterator[int]:
    """A raw TCP server on a loopback port (yielded). On each connection, after each thing the
    client sends, it answers with the next ``(at_once, trickled)`` pair: ``at_once`` in one go,
    then ``trickled`` one byte every ``every`` seconds, then silence until the test ends."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # accept() wakes up to see the test end
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        with conn:
            try:
                for at_once, trickled in answers:
                    conn.recv(65536)  # the request (or the TLS ClientHello)
                    conn.sendall(at_once)
                    for byte in trickled:
                        if stop.wait(every):
                            return
                        conn.sendall(bytes([byte]))
                stop.wait()
            except OSError:
                return  # the client gave up: what the tests want

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        acceptor.join(timeout=5)
        listener.close()


@contextmanager
def within_deadline() -> Iterator[None]:
    start = time.monotonic()
    yield
    took = time.monotonic() - start
    assert took < DEADLINE + MARGIN, f"the fetch took {took:.1f} s, its deadline is {DEADLINE} s"


def _client() -> httpx.Client:
    return httpx.Client(transport=fetch.transport(), timeout=PER_READ)


# --- the helper itself, phase by phase ---------------------------------------------------------------

PHASES = {
    "the TLS handshake": ("https", (b"\x16\x03\x03\x00\x60", _DRIP)),  # a handshake record, never complete
    "the status line": ("http", (b"", _HEAD + _DRIP)),
    "the headers": ("http", (_HEAD, b"X-Trickle: " + _DRIP)),
    "the body": ("http", (_HEADERS, _DRIP)),
}


@pytest.mark.parametrize("phase", list(PHASES))
def test_a_server_trickling_any_part_of_the_exchange_is_given_up_at_the_deadline(phase: str) -> None:
    scheme, answer = PHASES[phase]
    with trickling(answer) as port, _client() as client, within_deadline(), \
            pytest.raises(fetch.DeadlineExceeded), \
            fetch.stream(client, "GET", f"{scheme}://127.0.0.1:{port}/", seconds=DEADLINE) as response:
        fetch.read(response, limit=1024)


def test_a_kept_alive_connection_gets_the_deadline_of_the_request_that_reuses_it() -> None:
    """A connection opened by an earlier request (here one without a deadline) is held to the
    deadline of the next one: the limit belongs to the request, not to the connection."""
    prompt = (_HEAD + b"Content-Length: 2\r\n\r\n{}", b"")
    with trickling(prompt, (_HEAD, b"X-Trickle: " + _DRIP)) as port, _client() as client:
        url = f"http://127.0.0.1:{port}/"
        assert client.get(url).content == b"{}"
        with within_deadline(), pytest.raises(fetch.DeadlineExceeded), \
                fetch.stream(client, "GET", url, seconds=DEADLINE) as response:
            fetch.read(response, limit=1024)


def test_a_per_read_timeout_well_inside_the_deadline_stays_what_it_is() -> None:
    """Only running out of the whole request's time is DeadlineExceeded; a silent server past the
    client's own read timeout is the ReadTimeout it always was."""
    with trickling((_HEAD, b"")) as port, httpx.Client(transport=fetch.transport(), timeout=0.2) as client, \
            within_deadline(), pytest.raises(httpx.ReadTimeout) as raised, \
            fetch.stream(client, "GET", f"http://127.0.0.1:{port}/", seconds=30):
        pass
    assert not isinstance(raised.value, fetch.DeadlineExceeded)


def test_a_prompt_answer_is_read_whole_and_an_oversized_one_refused() -> None:
    body = b'{"status_lists": []}'
    answer = (_HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body, b"")
    with trickling(answer, answer) as port, _client() as client:
        url = f"http://127.0.0.1:{port}/"
        with fetch.stream(client, "GET", url, seconds=DEADLINE) as response:
            assert fetch.read(response, limit=len(body)) == body
        with pytest.raises(fetch.TooLarge), fetch.stream(client, "GET", url, seconds=DEADLINE) as response:
            fetch.read(response, limit=len(body) - 1)


def test_a_prompt_answer_over_verified_tls_comes_through_the_deadline(tmp_path: Path) -> None:
    """The transport connects to the address it resolved itself for ``localhost``, yet checks the
    certificate for the name asked for, against the CA the client was given and no other."""
    key, cert, ca, _ = create_tls(now=datetime.now(UTC))
    write_private_key(tmp_path / "key.pem", key)
    write_certificates(tmp_path / "cert.pem", [cert])
    write_certificates(tmp_path / "ca.pem", [ca])
    app = FastAPI()

    @app.get("/fine")
    def fine() -> Response:
        return Response(b'{"ok": true}', media_type="application/json")

    with serve(app, tls=(tmp_path / "cert.pem", tmp_path / "key.pem")) as server, \
            wallet_http.make_client(verify=str(tmp_path / "ca.pem"), timeout=PER_READ) as client:
        response = wallet_http.send(client, "GET", f"{server.url}/fine", "Fetching")
        assert wallet_http.read_json(response, "Fetching") == {"ok": True}
    with serve(app, tls=(tmp_path / "cert.pem", tmp_path / "key.pem")) as server, \
            wallet_http.make_client(verify=True, timeout=PER_READ) as client, \
            pytest.raises(TransportError, match="could not be reached"):
        wallet_http.send(client, "GET", f"{server.url}/fine", "Fetching")  # not a CA the system trusts


# --- every caller fails closed, as for an unreachable server ------------------------------------------

def _entity(status_lists: str | None = None) -> trust_list.ListedEntity:
    return trust_list.ListedEntity(id="LV:VSAA", country="LV", name="VSAA", name_en="VSAA",
                                   roles=frozenset({"pda1_issuer"}), certificates=(), status_history=(),
                                   status_lists=status_lists)


def test_a_status_list_server_trickling_its_headers_leaves_the_status_undetermined_at_the_deadline() -> None:
    with trickling((_HEAD, b"X-Trickle: " + _DRIP)) as port, _client() as http, within_deadline():
        ref = status_list.StatusReference(5, f"http://127.0.0.1:{port}/status/1")
        outcome = StatusClient(http, fetch_deadline=DEADLINE)(ref, _entity(), datetime.now(UTC))
    assert outcome.value is None and outcome.source == "none"  # undetermined, never valid


def test_a_status_list_aggregation_trickling_its_headers_is_counted_as_failed_at_the_deadline() -> None:
    with trickling((_HEAD, b"X-Trickle: " + _DRIP)) as port, _client() as http, within_deadline():
        issuers = trust_list.TrustList(kind="issuers", sequence=1, issued_at=datetime.now(UTC),
                                       next_update=datetime.now(UTC),
                                       entities=(_entity(f"http://127.0.0.1:{port}/status-lists"),))
        got = StatusClient(http, fetch_deadline=DEADLINE).prefetch(issuers, datetime.now(UTC))
    assert (got.status_lists, got.failed) == (0, 1)


def test_a_registry_trickling_its_headers_gives_no_trust_list_at_the_deadline(registry_pki: DemoPki) -> None:
    with trickling((_HEAD, b"X-Trickle: " + _DRIP)) as port, _client() as http, within_deadline(), \
            pytest.raises(IssuerTrustError, match="within"):
        TrustListClient(f"http://127.0.0.1:{port}", registry_root=registry_pki.root, http=http,
                        deadline=DEADLINE).issuers(datetime.now(UTC))


def test_a_server_the_wallet_was_sent_to_trickling_its_headers_is_given_up_at_the_deadline(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wallet_http, "MAX_RESPONSE_SECONDS", DEADLINE)
    with trickling((_HEAD, b"X-Trickle: " + _DRIP)) as port, \
            wallet_http.make_client(verify=True, timeout=PER_READ) as client, within_deadline(), \
            pytest.raises(TransportError, match="too slow"):
        wallet_http.send(client, "GET", f"http://127.0.0.1:{port}/request", "Fetching the request")


def test_the_verifier_and_issuer_client_holds_each_fetch_to_its_deadline(tmp_path: Path) -> None:
    """The client the verifier and the issuer fetch status lists and trust lists with
    (esspass.config.service_http_client) is built on the deadline's transport: without it, a
    server trickling its headers would hold an inspector's check past any deadline."""
    with trickling((_HEAD, b"X-Trickle: " + _DRIP)) as port, service_http_client(None, tmp_path) as http, \
            within_deadline(), pytest.raises(fetch.DeadlineExceeded), \
            fetch.stream(http, "GET", f"http://127.0.0.1:{port}/status/1", seconds=DEADLINE) as response:
        fetch.read(response, limit=1024)


@contextmanager
def proxy_recording(answer: bytes, *, wait: float = 5) -> Iterator[tuple[int, list[bytes]]]:
    """An HTTP proxy on a loopback port that records the request line of each request it is given
    (within ``wait`` seconds) and answers ``answer``: yields its port and the request lines."""
    seen: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(wait)

    def serve_one() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            seen.append(conn.recv(65536).split(b"\r\n", 1)[0])
            conn.sendall(answer)

    server = threading.Thread(target=serve_one, daemon=True)
    server.start()
    try:
        yield listener.getsockname()[1], seen
    finally:
        server.join(timeout=5)
        listener.close()


@pytest.mark.parametrize("client", ["service", "wallet"])
def test_the_proxy_the_environment_names_is_used_as_a_plain_httpx_client_would(
        client: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A site that reaches the internet only through a proxy (HTTP_PROXY) keeps fetching status lists,
    trust lists and the wallet's answers through it: a client given its own transport would read no
    proxy from the environment, and go straight to a server it cannot reach."""
    body = b'{"ok": true}'
    with proxy_recording(_HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body) as (port, seen):
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        http = service_http_client(None, tmp_path) if client == "service" else \
            wallet_http.make_client(verify=True, timeout=PER_READ)
        with http, fetch.stream(http, "GET", "http://status.example.invalid/status/1", seconds=5) as response:
            assert fetch.read(response, limit=1024) == body
    assert seen == [b"GET http://status.example.invalid/status/1 HTTP/1.1"]


def test_a_proxy_trickling_its_answer_is_given_up_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    with trickling((_HEAD, b"X-Trickle: " + _DRIP)) as port:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        with fetch.client(timeout=PER_READ) as http, within_deadline(), pytest.raises(fetch.DeadlineExceeded), \
                fetch.stream(http, "GET", "http://status.example.invalid/status/1", seconds=DEADLINE) as response:
            fetch.read(response, limit=1024)


def test_a_wallet_fetch_in_a_hurry_is_given_up_at_its_own_shorter_deadline() -> None:
    """A status list fetched while the worker waits to present has seconds, not the wallet's usual
    whole-answer limit (wallet.core passes its timeout as the fetch's deadline)."""
    with trickling((_HEAD, b"X-Trickle: " + _DRIP)) as port, \
            wallet_http.make_client(verify=True, timeout=PER_READ) as http, within_deadline(), \
            pytest.raises(TransportError, match="too slow"):
        wallet_http.send(http, "GET", f"http://127.0.0.1:{port}/status/1", "Fetching", seconds=DEADLINE)


@pytest.mark.parametrize(("no_proxy", "through_proxy"), [("10.0.0.0/8, 127.0.0.0/8", False), ("10.0.0.0/8", True),
                                                         ("::1/128,127.0.0.1/32", False)])
def test_no_proxy_network_ranges_reach_servers_in_them_directly(
        no_proxy: str, through_proxy: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_PROXY may name networks (``10.0.0.0/8``), as curl reads it: an institution's status list
    server on the site network is reached directly, any other address through the proxy. httpx alone
    compares hosts as names, so a range never matches and the proxy would be asked for an address
    it cannot reach."""
    body = b'{"ok": true}'
    answer = _HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body
    with proxy_recording(answer, wait=1) as (proxy_port, via_proxy), \
            proxy_recording(answer, wait=1) as (port, direct):
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy_port}")
        monkeypatch.setenv("NO_PROXY", no_proxy)
        with fetch.client(timeout=PER_READ) as http, \
                fetch.stream(http, "GET", f"http://127.0.0.1:{port}/status/1", seconds=5) as response:
            assert fetch.read(response, limit=1024) == body
    assert (len(via_proxy), len(direct)) == ((1, 0) if through_proxy else (0, 1))
