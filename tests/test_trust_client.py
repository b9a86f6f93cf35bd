"""Issue #3: ``trust_registry.client.TrustListClient`` against real servers (``esspass.testing.serve``).

A held list is used within the registry's ``Cache-Control: max-age`` (at most five minutes), so a
suspension is seen minutes after the registry publishes it, and never once it is older than the
client's ``max_age``, whatever its ``next_update``.

The registry is the real service; where an attack needs a misbehaving registry (rollback to an
older list, a list signed by someone else, an oversized answer), a small real HTTP server plays
the attacker with genuinely signed tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Response

from credentials import trust_list
from credentials.errors import IssuerTrustError
from credentials.pki import DemoPki, create_registry_root, issue_list_signer
from esspass.db import make_engine
from esspass.testing import ServerHandle, free_port, serve
from trust_registry.app import create_app
from trust_registry.client import DEFAULT_MAX_AGE, REVALIDATE_AFTER, ListInfo, TrustListClient
from trust_registry.settings import RegistrySettings
from trust_registry.store import Registry


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture(scope="module")
def registry(registry_dir: Path) -> Iterator[Registry]:
    engine = make_engine(f"sqlite:///{registry_dir / 'registry.db'}")
    yield Registry(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def server(registry_dir: Path) -> Iterator[ServerHandle]:
    with serve(create_app(RegistrySettings(data_dir=registry_dir))) as handle:
        yield handle


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


@dataclass
class Attacker:
    """A real HTTP server answering ``/lists/{kind}`` with whatever tokens the test queues."""

    tokens: list[str] = field(default_factory=list)
    requests: int = 0
    cache_control: str | None = None  # sent as Cache-Control when set

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/lists/{kind}")
        def lists(kind: str) -> Response:
            self.requests += 1
            token = self.tokens.pop(0) if len(self.tokens) > 1 else self.tokens[0]
            headers = {"Cache-Control": self.cache_control} if self.cache_control else None
            return Response(token, media_type="application/trust-list+jwt", headers=headers)

        return app


@pytest.fixture
def attacker() -> Iterator[tuple[Attacker, ServerHandle]]:
    state = Attacker()
    with serve(state.app()) as handle:
        yield state, handle


def _signed(registry_pki: DemoPki, tl: trust_list.TrustList) -> str:
    key, cert = registry_pki.list_signer
    return trust_list.sign_trust_list(tl, key=key, x5c=[cert])


# --- fetching and caching ----------------------------------------------------------------------


def test_client_fetches_a_verified_list_and_caches_it_on_disk_atomically(server: ServerHandle, registry_pki: DemoPki,
                                                                          http: httpx.Client, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    client = TrustListClient(server.url, registry_root=registry_pki.root, http=http, cache_dir=cache)
    now = _now()
    issuers = client.issuers(now)
    verifiers = client.verifiers(now)
    assert issuers.kind == "issuers" and issuers.entity("LV:VSAA") is not None
    assert verifiers.kind == "verifiers" and verifiers.entity("LV:VDI") is not None
    info = client.info("issuers")
    assert isinstance(info, ListInfo) and info.source == "network" and not info.stale
    assert info.sequence == issuers.sequence and info.fetched_at == now
    assert sorted(p.name for p in cache.iterdir()) == ["issuers.jwt", "verifiers.jwt"]  # no temp files left
    on_disk = trust_list.verify_trust_list((cache / "issuers.jwt").read_text(), registry_root=registry_pki.root,
                                           now=now)
    assert on_disk == issuers


def test_client_reuses_a_list_within_the_registrys_max_age_and_asks_again_after_it_not_at_next_update(
        registry_pki: DemoPki, http: httpx.Client, attacker: tuple[Attacker, ServerHandle],
        registry: Registry) -> None:
    """Holding a list until its next_update (a day) hid suspensions for hours: the registry says
    how long its answer may be reused (here nothing, so the five-minute ceiling applies)."""
    state, handle = attacker
    now = _now().replace(microsecond=0)
    state.tokens = [_signed(registry_pki, registry.build_list("issuers", now))]
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http)
    client.issuers(now)
    client.issuers(now + timedelta(seconds=REVALIDATE_AFTER - 1))
    assert state.requests == 1
    client.issuers(now + timedelta(seconds=REVALIDATE_AFTER + 1))  # long before next_update: asked again
    assert state.requests == 2
    client.issuers(now + timedelta(hours=25))  # past next_update: fetched again
    assert state.requests == 3
    client.refresh("issuers", now + timedelta(hours=25, seconds=1))
    assert state.requests == 4


def test_a_suspension_on_the_registry_is_seen_after_the_lists_max_age(server: ServerHandle, registry_pki: DemoPki,
                                                                       http: httpx.Client, registry: Registry) -> None:
    """A suspended institution's documents are refused at once by the rules; the verifier must see
    the suspension within the registry's max-age (<= 300 s), not at the held list's next_update."""
    client = TrustListClient(server.url, registry_root=registry_pki.root, http=http)
    now = _now()
    first = client.issuers(now)
    registry.suspend("PL:ZUS", who="test", reason="key under investigation")
    try:
        soon = now + timedelta(seconds=10)
        assert client.issuers(soon).sequence == first.sequence  # within the registry's max-age: the held list
        later = now + timedelta(seconds=REVALIDATE_AFTER + 1)
        seen = client.issuers(later)
        assert seen.sequence == first.sequence + 1
        zus = seen.entity("PL:ZUS")
        assert zus is not None and zus.status_at(later) == trust_list.SUSPENDED
        assert client.info("issuers").source == "network"
    finally:
        registry.reinstate("PL:ZUS", who="test", reason="cleared")


@pytest.mark.parametrize(("cache_control", "asks_again_after"), [
    ("public, max-age=60", 60),  # the registry's own max-age
    # A proxy on the way (or a misconfigured registry) cannot stretch reuse beyond the ceiling.
    ("public, max-age=86400", REVALIDATE_AFTER),
])
def test_the_registrys_max_age_up_to_a_ceiling_sets_when_the_held_list_is_asked_for_again(
        registry_pki: DemoPki, http: httpx.Client, attacker: tuple[Attacker, ServerHandle],
        registry: Registry, cache_control: str, asks_again_after: int) -> None:
    state, handle = attacker
    now = _now().replace(microsecond=0)
    state.tokens = [_signed(registry_pki, registry.build_list("issuers", now))]
    state.cache_control = cache_control
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http)
    client.issuers(now)
    client.issuers(now + timedelta(seconds=asks_again_after - 1))
    assert state.requests == 1
    client.issuers(now + timedelta(seconds=asks_again_after + 1))
    assert state.requests == 2


# --- offline -------------------------------------------------------------------------------------


def test_offline_client_answers_from_cache_with_source_and_age_after_the_registry_stops(
        registry_dir: Path, registry_pki: DemoPki, http: httpx.Client, tmp_path: Path) -> None:
    handle = serve(create_app(RegistrySettings(data_dir=registry_dir)))
    cache = tmp_path / "cache"
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http, cache_dir=cache)
    try:
        online = client.issuers(_now())
        assert client.info("issuers").source == "network"
    finally:
        handle.stop()
    later = online.issued_at + timedelta(days=2)  # past next_update: the client tries the (stopped) registry
    offline = client.issuers(later)
    info = client.info("issuers")
    assert offline == online
    assert info.source == "cache" and info.stale and info.age_seconds == 2 * 86400
    assert info.sequence == online.sequence
    # A new process with only the disk cache still answers, and says where the list came from.
    fresh = TrustListClient(handle.url, registry_root=registry_pki.root, http=http, cache_dir=cache)
    assert fresh.issuers(later).entity("LV:VSAA") is not None
    assert fresh.info("issuers", later).source == "cache"
    # ...unless the caller set a maximum age the cached list exceeds: then it fails closed.
    strict = TrustListClient(handle.url, registry_root=registry_pki.root, http=http, cache_dir=cache,
                             max_age=timedelta(days=1))
    with pytest.raises(IssuerTrustError, match="trust list unavailable"):
        strict.issuers(later)


def test_the_held_list_is_used_when_the_registry_is_unreachable_at_revalidation(
        registry_dir: Path, registry_pki: DemoPki, http: httpx.Client) -> None:
    handle = serve(create_app(RegistrySettings(data_dir=registry_dir)))
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http,
                             max_age=timedelta(days=7))
    try:
        online = client.issuers(_now())
    finally:
        handle.stop()
    assert client.issuers(online.issued_at + timedelta(seconds=REVALIDATE_AFTER + 1)) == online
    assert client.info("issuers").source == "cache"


def test_a_held_list_older_than_max_age_is_not_used_even_before_its_next_update(
        registry_pki: DemoPki, http: httpx.Client, registry: Registry, tmp_path: Path) -> None:
    """ESSPASS_VERIFIER_TRUST_LIST_MAX_AGE bounds every held list, whatever next_update it names."""
    now = _now().replace(microsecond=0)
    held = registry.build_list("issuers", now)  # next_update a day later
    (tmp_path / "issuers.jwt").write_text(_signed(registry_pki, held))
    client = TrustListClient(f"http://127.0.0.1:{free_port()}", registry_root=registry_pki.root, http=http,
                             cache_dir=tmp_path, max_age=timedelta(hours=1))
    assert client.issuers(now + timedelta(minutes=30)).sequence == held.sequence
    later = now + timedelta(hours=2)
    assert not held.stale(later)
    with pytest.raises(IssuerTrustError, match="more than the 3600 s allowed"):
        client.issuers(later)


def test_client_with_no_list_at_all_fails_closed(registry_pki: DemoPki, http: httpx.Client, tmp_path: Path) -> None:
    client = TrustListClient(f"http://127.0.0.1:{free_port()}", registry_root=registry_pki.root, http=http,
                             cache_dir=tmp_path)
    with pytest.raises(IssuerTrustError, match="trust list unavailable"):
        client.issuers(_now())
    with pytest.raises(IssuerTrustError):
        client.info("issuers")


def test_client_ignores_a_damaged_or_planted_cache_file(registry_pki: DemoPki, http: httpx.Client, tmp_path: Path,
                                                         registry: Registry) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "issuers.jwt").write_text("not.a.list")
    with pytest.raises(IssuerTrustError):
        TrustListClient(unreachable, registry_root=registry_pki.root, http=http, cache_dir=tmp_path).issuers(_now())
    # A list signed under another root, planted in the cache directory, is not trusted either.
    root_key, root = create_registry_root(now=_now())
    key, cert = issue_list_signer(root_key, root, now=_now())
    planted = trust_list.sign_trust_list(registry.build_list("issuers", _now()), key=key, x5c=[cert])
    (tmp_path / "issuers.jwt").write_text(planted)
    with pytest.raises(IssuerTrustError):
        TrustListClient(unreachable, registry_root=registry_pki.root, http=http, cache_dir=tmp_path).issuers(_now())


# --- attacks -------------------------------------------------------------------------------------


def test_rollback_to_a_lower_sequence_is_refused(registry_pki: DemoPki, http: httpx.Client, registry: Registry,
                                                 attacker: tuple[Attacker, ServerHandle], tmp_path: Path) -> None:
    state, handle = attacker
    now = _now().replace(microsecond=0)
    newer = registry.build_list("issuers", now)
    older = trust_list.TrustList("issuers", newer.sequence - 1, now + timedelta(minutes=1),
                                 now + timedelta(hours=24), newer.entities)
    state.tokens = [_signed(registry_pki, newer), _signed(registry_pki, older)]
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http, cache_dir=tmp_path)
    assert client.issuers(now).sequence == newer.sequence
    replayed = client.refresh("issuers", now + timedelta(minutes=2))
    assert replayed.sequence == newer.sequence
    assert client.info("issuers").source == "cache"
    # A restarted client that only has the disk copy refuses the rollback too.
    restarted = TrustListClient(handle.url, registry_root=registry_pki.root, http=http, cache_dir=tmp_path)
    assert restarted.refresh("issuers", now + timedelta(minutes=3)).sequence == newer.sequence
    assert trust_list.verify_trust_list((tmp_path / "issuers.jwt").read_text(), registry_root=registry_pki.root,
                                        now=now).sequence == newer.sequence


def test_a_list_signed_under_another_root_is_refused_and_the_cache_served(
        registry_pki: DemoPki, http: httpx.Client, registry: Registry, attacker: tuple[Attacker, ServerHandle]) -> None:
    state, handle = attacker
    now = _now().replace(microsecond=0)
    genuine = registry.build_list("issuers", now)
    root_key, root = create_registry_root(now=now)
    key, cert = issue_list_signer(root_key, root, now=now)
    forged = trust_list.TrustList("issuers", genuine.sequence + 100, now, now + timedelta(days=365), ())
    state.tokens = [_signed(registry_pki, genuine), trust_list.sign_trust_list(forged, key=key, x5c=[cert])]
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http)
    assert client.issuers(now) == genuine
    assert client.refresh("issuers", now + timedelta(minutes=1)) == genuine
    assert client.info("issuers").source == "cache"


def test_a_tampered_list_from_the_network_is_refused(registry_pki: DemoPki, http: httpx.Client, registry: Registry,
                                                     attacker: tuple[Attacker, ServerHandle]) -> None:
    state, handle = attacker
    token = _signed(registry_pki, registry.build_list("issuers", _now()))
    header, payload, signature = token.split(".")
    i = len(payload) // 2
    state.tokens = [f"{header}.{payload[:i]}{'A' if payload[i] != 'A' else 'B'}{payload[i + 1:]}.{signature}"]
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http)
    with pytest.raises(IssuerTrustError, match="does not verify"):
        client.issuers(_now())


def test_the_issuers_list_is_not_accepted_as_the_verifiers_list(registry_pki: DemoPki, http: httpx.Client,
                                                                 registry: Registry,
                                                                 attacker: tuple[Attacker, ServerHandle]) -> None:
    state, handle = attacker
    state.tokens = [_signed(registry_pki, registry.build_list("issuers", _now()))]
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http)
    with pytest.raises(IssuerTrustError):
        client.verifiers(_now())


def test_an_oversized_answer_is_refused(registry_pki: DemoPki, http: httpx.Client,
                                        attacker: tuple[Attacker, ServerHandle]) -> None:
    state, handle = attacker
    state.tokens = ["A" * (5 * 1024 * 1024)]
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http)
    with pytest.raises(IssuerTrustError, match="too large"):
        client.issuers(_now())


def test_an_unchanged_list_is_revalidated_by_its_etag_not_downloaded_again(server: ServerHandle,
                                                                           registry_pki: DemoPki) -> None:
    """RFC 9110 §13.1.2: after the registry's max-age the client asks with If-None-Match, and a 304
    keeps the held list, confirmed as of now."""
    statuses: list[int] = []
    with httpx.Client(timeout=5, event_hooks={"response": [lambda r: statuses.append(r.status_code)]}) as http:
        client = TrustListClient(server.url, registry_root=registry_pki.root, http=http)
        start = _now()
        first = client.issuers(start)
        later = start + timedelta(seconds=REVALIDATE_AFTER + 1)
        assert client.issuers(later).sequence == first.sequence
        assert statuses == [200, 304]
        assert client.info("issuers", later).source == "network" and client.info("issuers", later).fetched_at == later
        assert client.issuers(later + timedelta(seconds=1)).sequence == first.sequence
        assert statuses == [200, 304]  # confirmed: used for the next max-age again


def test_while_one_check_waits_on_a_slow_registry_the_others_use_the_held_list(registry_pki: DemoPki,
                                                                               registry: Registry) -> None:
    """Revalidation runs outside the client's lock: other checks are not held up by the network."""
    import threading

    release = threading.Event()
    token = _signed(registry_pki, registry.build_list("issuers", _now()))
    app = FastAPI()

    @app.get("/lists/{kind}")
    def slow(kind: str) -> Response:
        release.wait(timeout=30)
        return Response(token, media_type="application/trust-list+jwt")

    with serve(app) as slow_registry, httpx.Client(timeout=40) as http:
        client = TrustListClient(slow_registry.url, registry_root=registry_pki.root, http=http)
        release.set()
        start = _now()
        client.issuers(start)  # held
        release.clear()
        due = start + timedelta(seconds=REVALIDATE_AFTER + 1)
        waiting = threading.Thread(target=client.issuers, args=(due,))
        waiting.start()
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while "issuers" not in client._fetching:  # the first check is now waiting on the registry
            assert datetime.now(UTC) < deadline
            threading.Event().wait(0.01)
        served = threading.Event()

        def another_check() -> None:
            client.issuers(due)
            served.set()

        other = threading.Thread(target=another_check)
        other.start()
        answered_meanwhile = served.wait(timeout=10)
        release.set()
        waiting.join(timeout=30)
        other.join(timeout=30)
        assert answered_meanwhile, "a check waited for another one's fetch"


def test_a_fetch_that_fails_unexpectedly_does_not_stop_later_checks_from_asking(registry_pki: DemoPki,
                                                                               registry: Registry) -> None:
    """Whatever goes wrong in one fetch (here the HTTP client raises), the next due check asks again."""
    token = _signed(registry_pki, registry.build_list("issuers", _now()))
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the client broke once")
        return httpx.Response(200, text=token, headers={"content-type": "application/trust-list+jwt"})

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = TrustListClient("http://127.0.0.1:1", registry_root=registry_pki.root, http=http, retry_after=0)
        start = _now()
        client.issuers(start)
        later = start + timedelta(seconds=REVALIDATE_AFTER + 1)
        assert client.issuers(later).sequence and client.info("issuers", later).source == "cache"
        client.issuers(later + timedelta(seconds=1))
        assert len(calls) == 3 and client.info("issuers").source == "network"


def test_a_slow_failed_fetch_never_puts_back_an_older_list_than_one_fetched_meanwhile(registry_pki: DemoPki,
                                                                                      registry: Registry) -> None:
    import threading

    old = _signed(registry_pki, registry.build_list("issuers", _now()))
    newer_list = registry.build_list("issuers", _now())
    newer = _signed(registry_pki, trust_list.TrustList(kind="issuers", sequence=newer_list.sequence + 1,
                                                       issued_at=newer_list.issued_at,
                                                       next_update=newer_list.next_update,
                                                       entities=newer_list.entities))
    slow_started, release = threading.Event(), threading.Event()
    answers = [old, "slow", newer]

    def answer(request: httpx.Request) -> httpx.Response:
        body = answers.pop(0)
        if body == "slow":
            slow_started.set()
            release.wait(timeout=20)
            raise httpx.ConnectError("gone", request=request)
        return httpx.Response(200, text=body, headers={"content-type": "application/trust-list+jwt"})

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = TrustListClient("http://127.0.0.1:1", registry_root=registry_pki.root, http=http)
        start = _now()
        first = client.issuers(start).sequence
        due = start + timedelta(seconds=REVALIDATE_AFTER + 1)
        slow = threading.Thread(target=client.issuers, args=(due,))
        slow.start()
        assert slow_started.wait(timeout=20)
        assert client.refresh("issuers", due).sequence == first + 1  # a forced refresh gets the newer list
        release.set()
        slow.join(timeout=30)
        assert client.issuers(due).sequence == first + 1


# --- every list is held to max_age, from wherever it comes ---------------------------------------------

WEEK = timedelta(days=7)


@pytest.mark.parametrize("source", ["network", "revalidated_by_304", "memory", "disk"])
def test_no_source_serves_a_list_older_than_max_age_even_when_the_caller_names_none(
        source: str, registry_pki: DemoPki, registry: Registry, tmp_path: Path) -> None:
    """A genuinely signed list replayed long after it was issued (from before a verifier was
    withdrawn or an issuer suspended) is refused whether it comes over the network, is confirmed by
    a 304, is held in memory or read from disk; a client built without ``max_age`` gets the default
    week, counted from the list's issuance, whatever its ``next_update`` says."""
    now = _now().replace(microsecond=0)
    replayed = source in ("network", "disk")
    tl = registry.build_list("issuers", now - WEEK - timedelta(hours=1) if replayed else now)
    token = _signed(registry_pki, tl)
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers.get("if-none-match", ""))
        if source == "disk" or (source == "memory" and len(asked) > 1):
            raise httpx.ConnectError("offline", request=request)
        if source == "revalidated_by_304" and request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"etag": '"v1"'})
        return httpx.Response(200, text=token, headers={"content-type": "application/trust-list+jwt", "etag": '"v1"'})

    if source == "disk":
        (tmp_path / "issuers.jwt").write_text(token)
    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = TrustListClient("http://registry.invalid", registry_root=registry_pki.root, http=http,
                                 cache_dir=tmp_path, retry_after=0)
        if not replayed:
            assert client.issuers(now).sequence == tl.sequence  # fresh: used
        later = tl.issued_at + WEEK + timedelta(hours=1)
        with pytest.raises(IssuerTrustError, match=f"more than the {int(WEEK.total_seconds())} s allowed"):
            client.issuers(later)
        with pytest.raises(IssuerTrustError):
            client.refresh("issuers", later)
    if source == "revalidated_by_304":
        assert asked[1:] == ['"v1"', '"v1"']  # the registry's 304 confirmed the old list: still refused


def test_a_client_cannot_be_built_without_a_bound_on_the_lists_age(registry_pki: DemoPki) -> None:
    with httpx.Client() as http:
        for unbounded in (timedelta(0), timedelta(seconds=-1), None):
            with pytest.raises(ValueError, match="max_age"):
                TrustListClient("http://registry.invalid", registry_root=registry_pki.root, http=http,
                                max_age=unbounded)  # type: ignore[arg-type]
        assert TrustListClient("http://registry.invalid", registry_root=registry_pki.root,
                               http=http)._max_age == DEFAULT_MAX_AGE == WEEK
