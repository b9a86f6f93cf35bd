"""esspass.throttle: wrong sign-in tokens counted per client address, then a growing wait (NIST SP
800-63B §5.2.2, OWASP ASVS V2.2.1), at every sign-in point of the services over real HTTP: the issuer's
back office and its API, the inspector's sign-in page and the verifier's API, the registry's admin API.

Each test signs in from loopback addresses of its own (127.0.x.y, :func:`_addresses`), so that the
services' counts, kept for the whole module, never meet; the services' throttles share one clock the
tests move on (``now``), never a sleep.
"""

from __future__ import annotations

import itertools
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from esspass.stack import inspector_token
from esspass.testing import free_port, serve
from esspass.throttle import FREE, LONGEST, SignInThrottle, backoff, network_of

#: The services' throttles' clock (seconds), moved on by the tests.
now = [1000.0]
_hosts = itertools.count(10)


def _clock() -> float:
    return now[0]


def _addresses(count: int = 1) -> list[str]:
    """Loopback addresses no other test signs in from (Linux answers the whole of 127/8)."""
    return [f"127.0.{n // 250}.{n % 250 + 2}" for n in itertools.islice(_hosts, count)]


def _from(address: str) -> httpx.Client:
    """A client whose connections come from ``address``: what the services count by."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=20)


# --- the throttle itself ---------------------------------------------------------------------------


def test_the_wait_doubles_after_the_free_tries_up_to_the_longest() -> None:
    waits = [backoff(n, free=FREE, longest=LONGEST) for n in range(1, FREE + 11)]
    assert waits == [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert backoff(10**6, free=FREE, longest=LONGEST) == LONGEST  # no overflow


def test_a_waiting_address_waits_until_the_pause_ends_and_others_go_on() -> None:
    clock = [0.0]
    throttle = SignInThrottle("test", clock=lambda: clock[0])
    for _ in range(FREE - 1):
        assert throttle.failed("203.0.113.7") == 0
    assert throttle.failed("203.0.113.7") == 2 and throttle.wait("203.0.113.7") == 2
    assert throttle.wait("203.0.113.8") == 0  # another address
    clock[0] += 2
    assert throttle.wait("203.0.113.7") == 0
    assert throttle.failed("203.0.113.7") == 4  # the next wrong one waits longer
    throttle.succeeded("203.0.113.7")
    assert throttle.wait("203.0.113.7") == 0 and throttle.failed("203.0.113.7") == 0  # a fresh count


def test_an_hour_without_a_wrong_token_forgets_the_count() -> None:
    clock = [0.0]
    throttle = SignInThrottle("test", clock=lambda: clock[0])
    for _ in range(FREE - 1):
        throttle.failed("203.0.113.9")
    clock[0] += 3601
    assert throttle.failed("203.0.113.9") == 0 and throttle.addresses == 1


def test_addresses_rotated_by_an_attacker_are_held_at_most_max_addresses() -> None:
    throttle = SignInThrottle("test", max_addresses=100, clock=lambda: 0.0)
    for n in range(10_000):
        throttle.failed(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    assert throttle.addresses == 100
    assert throttle.wait("10.0.39.15") == 0  # the least recently failed went first


def test_an_ipv6_client_is_counted_by_its_64_network() -> None:
    throttle = SignInThrottle("test", clock=lambda: 0.0)
    for n in range(FREE):
        throttle.failed(f"2001:db8:1:2::{n + 1:x}")  # one host's /64 holds every address in it
    assert throttle.wait("2001:db8:1:2:ffff::1") > 0 and throttle.wait("2001:db8:1:3::1") == 0
    assert throttle.wait("::ffff:192.0.2.1") == 0 and throttle.addresses == 1


def test_a_pause_is_logged_with_the_network_never_the_address(caplog: pytest.LogCaptureFixture) -> None:
    throttle = SignInThrottle("issuer", clock=lambda: 0.0)
    with caplog.at_level(logging.INFO, logger="esspass"):
        for _ in range(FREE):
            throttle.failed("198.51.100.77")
        throttle.failed("2001:db8:aaaa:bbbb::77")
    paused = [r for r in caplog.records if getattr(r, "event", None) == "signin_throttled"]
    assert len(paused) == 1 and paused[0].service == "issuer"  # type: ignore[attr-defined]
    assert "198.51.100.0/24" in paused[0].getMessage() and "198.51.100.77" not in caplog.text
    assert network_of("2001:db8:aaaa:bbbb::77") == "2001:db8:aaaa::/48" and network_of("testclient") == "unknown"


# --- every sign-in point, over HTTP ----------------------------------------------------------------


@dataclass
class Services:
    registry: str
    issuer: str
    verifier: str
    clerk: str
    inspector: str
    admin: str


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    from issuer.app import create_app as issuer_app
    from issuer.settings import IssuerSettings
    from trust_registry.app import create_app as registry_app
    from trust_registry.seed import seed_data_dir
    from trust_registry.settings import RegistrySettings, admin_token
    from verifier.app import create_app as verifier_app
    from verifier.settings import VerifierSettings

    data_dir: Path = tmp_path_factory.mktemp("throttle")
    # Every interface: the clients connect from addresses of their own.
    rp, ip, vp = free_port(), free_port(), free_port()
    registry, issuer, verifier = (f"http://127.0.0.1:{port}" for port in (rp, ip, vp))
    seed_data_dir(data_dir, issuer_url=issuer, verifier_url=verifier)
    registry_settings = RegistrySettings(data_dir=data_dir)
    with serve(registry_app(registry_settings, throttle=SignInThrottle("registry", clock=_clock)), port=rp), \
            serve(issuer_app(IssuerSettings(data_dir=data_dir, public_url=issuer, registry_url=registry),
                             throttle=SignInThrottle("issuer", clock=_clock)), port=ip), \
            serve(verifier_app(VerifierSettings(data_dir=data_dir, public_url=verifier, registry_url=registry),
                               throttle=SignInThrottle("verifier", clock=_clock)), port=vp):
        clerks = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        yield Services(registry, issuer, verifier, clerks["LV:VSAA"], inspector_token(data_dir),
                       admin_token(registry_settings))


@dataclass(frozen=True)
class Point:
    """A sign-in point: how a token is sent to it, the status of the right one, whether it is a page."""

    sign_in: Callable[[Services, httpx.Client, str], httpx.Response]
    right: Callable[[Services], str]
    signed_in: int
    page: bool


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


POINTS = {
    "back office": Point(lambda s, c, token: c.post(f"{s.issuer}/lv-vsaa/office/login", data={"token": token}),
                         lambda s: s.clerk, 303, True),
    "issuer API": Point(lambda s, c, token: c.get(f"{s.issuer}/lv-vsaa/api/cases?limit=1", headers=_bearer(token)),
                        lambda s: s.clerk, 200, False),
    "inspector page": Point(lambda s, c, token: c.post(f"{s.verifier}/login", data={"token": token}),
                            lambda s: s.inspector, 303, True),
    "verifier API": Point(lambda s, c, token: c.get(f"{s.verifier}/api/offline/readiness", headers=_bearer(token)),
                          lambda s: s.inspector, 200, False),
    "registry admin API": Point(lambda s, c, token: c.get(f"{s.registry}/admin/entities", headers=_bearer(token)),
                                lambda s: s.admin, 200, False),
}


def _guess(point: Point, services: Services, client: httpx.Client, times: int) -> list[int]:
    return [point.sign_in(services, client, f"guess-{n}-not-a-token").status_code for n in range(times)]


@pytest.mark.parametrize("name", sorted(POINTS))
def test_after_the_free_wrong_tokens_even_the_right_one_is_answered_429_with_retry_after(
        services: Services, name: str) -> None:
    point, (address,) = POINTS[name], _addresses()
    with _from(address) as client:
        assert _guess(point, services, client, FREE) == [401] * FREE
        for token in ("one-more-guess", point.right(services)):  # the right one is refused unread
            refused = point.sign_in(services, client, token)
            assert refused.status_code == 429, (name, refused.text)
            assert refused.headers["retry-after"] == "3"  # the pause of 2 s, in whole seconds past it
            assert refused.headers["cache-control"] == "no-store"
            if point.page:
                assert "Sign-in is paused: try again in 3 s." in refused.text
            else:
                assert refused.json()["error"] == "slow_down" and "3 s" in refused.json()["error_description"]


@pytest.mark.parametrize("name", sorted(POINTS))
def test_another_address_signs_in_while_one_waits(services: Services, name: str) -> None:
    point, (attacker, clerk) = POINTS[name], _addresses(2)
    with _from(attacker) as storm, _from(clerk) as client:
        _guess(point, services, storm, FREE + 1)
        assert point.sign_in(services, storm, point.right(services)).status_code == 429
        assert point.sign_in(services, client, point.right(services)).status_code == point.signed_in


@pytest.mark.parametrize("name", sorted(POINTS))
def test_the_pause_ends_by_itself_and_the_right_token_starts_the_count_again(services: Services, name: str) -> None:
    point, (address,) = POINTS[name], _addresses()
    with _from(address) as client:
        _guess(point, services, client, FREE)
        assert point.sign_in(services, client, point.right(services)).status_code == 429
        now[0] += 2
        assert point.sign_in(services, client, point.right(services)).status_code == point.signed_in
        # A fresh count: the free tries again before any pause.
        assert _guess(point, services, client, FREE) == [401] * FREE
        assert point.sign_in(services, client, "one-more-guess").status_code == 429


def test_wrong_tokens_at_the_issuer_api_pause_the_back_office_sign_in_too(services: Services) -> None:
    """One count per service: alternating its sign-in points gives no more tries."""
    (address,) = _addresses()
    with _from(address) as client:
        _guess(POINTS["issuer API"], services, client, FREE)
        assert POINTS["back office"].sign_in(services, client, services.clerk).status_code == 429


@pytest.mark.parametrize(("name", "lang", "words"), [
    ("back office", "lv", "Pieteikšanās ir apturēta: mēģiniet vēlreiz pēc 3 s."),
    ("inspector page", "de", "Die Anmeldung ist angehalten: Versuchen Sie es in 3 s erneut."),
])
def test_the_paused_sign_in_page_says_when_to_try_again_in_the_readers_language(
        services: Services, name: str, lang: str, words: str) -> None:
    point, (address,) = POINTS[name], _addresses()
    with _from(address) as client:
        client.headers["Accept-Language"] = lang
        _guess(point, services, client, FREE)
        refused = point.sign_in(services, client, point.right(services))
    assert refused.status_code == 429 and words in refused.text and f'lang="{lang}"' in refused.text


def test_a_client_naming_other_addresses_in_x_forwarded_for_is_still_counted_by_its_own(services: Services) -> None:
    """Only a proxy the server trusts (uvicorn's FORWARDED_ALLOW_IPS, by default the host's own
    loopback address 127.0.0.1) names the client: anyone else rotating X-Forwarded-For gains no tries."""
    point, (address,) = POINTS["issuer API"], _addresses()
    with _from(address) as client:
        for n in range(FREE + 1):
            client.headers["X-Forwarded-For"] = f"198.51.100.{n}"
            last = point.sign_in(services, client, "guess-not-a-token")
    assert last.status_code == 429


def _half_sent_sign_in(services: Services, address: str, token: str) -> tuple[socket.socket, bytes]:
    """A back office sign-in from ``address`` whose headers and all but the form's last byte are sent
    (the server has begun it, and waits for the rest), and that last byte."""
    body = urlencode({"token": token}).encode()
    host, port = services.issuer.removeprefix("http://").split(":")
    conn = socket.create_connection((host, int(port)), timeout=20, source_address=(address, 0))
    conn.sendall(f"POST /lv-vsaa/office/login HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
                 f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                 + body[:-1])
    return conn, body[-1:]


def _finished(begun: tuple[socket.socket, bytes]) -> int:
    """The status of a sign-in begun by :func:`_half_sent_sign_in`, once its last byte is sent."""
    conn, rest = begun
    conn.sendall(rest)
    with conn, conn.makefile("rb") as answer:
        return int(answer.readline().split()[1])


def test_wrong_tokens_sent_slowly_all_at_once_are_not_all_judged(services: Services) -> None:
    """Sign-ins begun together, before the first wrong one is counted, and finished together: each is
    judged only if the address does not wait when its token is read, so that no more than the free tries
    are judged however many connections an attacker holds open (else each pause lets a thousand through)."""
    (address,) = _addresses()
    begun = [_half_sent_sign_in(services, address, f"guess-{n}-not-a-token") for n in range(FREE + 5)]
    time.sleep(0.5)  # the server has taken up each of them and waits for its form
    statuses = sorted(_finished(b) for b in begun)
    assert statuses == [401] * FREE + [429] * 5


@pytest.mark.parametrize("name", sorted(POINTS))
def test_a_holder_of_one_token_signing_in_between_guesses_gains_no_more_tries(services: Services, name: str) -> None:
    """The right token forgives the wrong ones before it once an hour at most: else whoever holds one
    token (any clerk, inspector, a read-only admin) could guess others for ever, ``FREE - 1`` at a time."""
    point, (address,) = POINTS[name], _addresses()
    with _from(address) as client:
        for _ in range(2):
            assert _guess(point, services, client, FREE - 1) == [401] * (FREE - 1)
            assert point.sign_in(services, client, point.right(services)).status_code == point.signed_in
        assert _guess(point, services, client, 2) == [401, 429]


def test_the_right_token_forgives_once_an_hour_at_most() -> None:
    clock = [0.0]
    throttle = SignInThrottle("test", clock=lambda: clock[0])
    for _ in range(FREE - 1):
        throttle.failed("203.0.113.20")
    throttle.succeeded("203.0.113.20")  # a clerk who mistyped, then signed in: a fresh count
    assert throttle.failed("203.0.113.20") == 0
    throttle.succeeded("203.0.113.20")  # forgiven already: the count stands
    for _ in range(FREE - 1):
        throttle.failed("203.0.113.20")
    assert throttle.wait("203.0.113.20") == 2
    clock[0] += 3601  # an hour without a wrong token: all forgotten, forgiveness too
    assert throttle.wait("203.0.113.20") == 0
    for _ in range(FREE - 1):
        throttle.failed("203.0.113.20")
    throttle.succeeded("203.0.113.20")
    assert throttle.failed("203.0.113.20") == 0


@pytest.mark.parametrize("path", ["/privacy", "/login"])
def test_an_open_page_of_the_verifier_tells_nothing_of_a_bearer_token_sent_to_it(services: Services, path: str) -> None:
    """A page anyone may open (uncounted: esspass.throttle counts sign-ins) shows the sign-out button
    for the inspector's sign-in cookie only: else it would answer, for any token sent as Bearer, whether
    it is an inspector's, as often as asked and during a pause too."""
    (address,) = _addresses()
    with _from(address) as client:
        for which, token in (("a guess", "guess-not-a-token"), ("the right token", services.inspector)):
            shown = client.get(f"{services.verifier}{path}", headers=_bearer(token))
            assert shown.status_code == 200 and 'id="logout"' not in shown.text, which
        assert POINTS["inspector page"].sign_in(services, client, services.inspector).status_code == 303
        assert 'id="logout"' in client.get(f"{services.verifier}{path}").text  # signed in by the cookie
