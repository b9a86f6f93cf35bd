"""Issue #3: ``trust_registry.client.TrustListClient`` against real servers (``esspass.testing.serve``).

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
from trust_registry.client import ListInfo, TrustListClient
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

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/lists/{kind}")
        def lists(kind: str) -> Response:
            self.requests += 1
            token = self.tokens.pop(0) if len(self.tokens) > 1 else self.tokens[0]
            return Response(token, media_type="application/trust-list+jwt")

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


def test_client_does_not_refetch_before_next_update(registry_pki: DemoPki, http: httpx.Client,
                                                    attacker: tuple[Attacker, ServerHandle],
                                                    registry: Registry) -> None:
    state, handle = attacker
    now = _now().replace(microsecond=0)
    state.tokens = [_signed(registry_pki, registry.build_list("issuers", now))]
    client = TrustListClient(handle.url, registry_root=registry_pki.root, http=http)
    client.issuers(now)
    client.issuers(now + timedelta(hours=23))
    assert state.requests == 1
    client.issuers(now + timedelta(hours=25))  # past next_update: fetched again
    assert state.requests == 2
    client.refresh("issuers", now + timedelta(hours=25, seconds=1))
    assert state.requests == 3


def test_client_picks_up_a_newer_sequence_after_next_update(server: ServerHandle, registry_pki: DemoPki,
                                                            http: httpx.Client, registry: Registry) -> None:
    client = TrustListClient(server.url, registry_root=registry_pki.root, http=http)
    first = client.issuers(_now())
    registry.suspend("PL:ZUS", who="test", reason="key under investigation")
    try:
        assert client.issuers(_now()).sequence == first.sequence  # still fresh: the held list is used
        later = client.refresh("issuers", _now())
        assert later.sequence == first.sequence + 1
        assert client.info("issuers").source == "network"
    finally:
        registry.reinstate("PL:ZUS", who="test", reason="cleared")


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
