"""The registry keeps the lists it last signed on disk (README "PostgreSQL", trust_registry.published), so
that a registry restarted while its database does not answer still publishes them to the verifiers and
wallets that start then: the same bytes, the same ETag, the same caching headers, while they are valid.
A file that is damaged, truncated, signed by another certificate or past its ``next_update`` is never
served (503, fail closed), and the database back, the list signed anew replaces the file. Real HTTP
servers on loopback, a real PostgreSQL database that refuses connections (as test_ops_database_outage)."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from test_ops_database_outage import _refusing
from test_ops_database_url import SECRET, _one_line
from test_ops_processes import ROOT, _env, _stop, _wait_healthy

from credentials import trust_list
from credentials.institutions import DEMO_ENTITIES
from credentials.pki import ensure_demo_pki, issue_list_signer
from esspass.testing import free_port, serve
from trust_registry.app import create_app
from trust_registry.published import PublishedLists
from trust_registry.seed import seed_data_dir
from trust_registry.settings import RegistrySettings, admin_token

pytestmark = pytest.mark.postgres


@contextmanager
def _registry(data_dir: Path) -> Iterator[httpx.Client]:
    """One run of the registry (its own process's memory) on ``data_dir``, over real HTTP."""
    with serve(create_app(RegistrySettings(data_dir=data_dir))) as registry, \
            httpx.Client(base_url=registry.url, timeout=30) as http:
        yield http


def _signed_in_an_earlier_run(data_dir: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> httpx.Response:
    """The issuers list as a registry served it before it was stopped."""
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    seed_data_dir(data_dir)
    with _registry(data_dir) as http:
        signed = http.get("/lists/issuers")
    assert signed.status_code == 200
    return signed


def _file(data_dir: Path, kind: str = "issuers") -> Path:
    return RegistrySettings(data_dir=data_dir).published_lists_dir() / f"{kind}.jwt"


def test_a_registry_started_while_its_database_refuses_connections_serves_the_lists_an_earlier_run_signed(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    signed = _signed_in_an_earlier_run(tmp_path, postgres_url, monkeypatch)
    assert _file(tmp_path).read_bytes() == signed.content
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="esspass"), _refusing(postgres_url), _registry(tmp_path) as http:
        held = http.get("/lists/issuers")
        assert (held.status_code, held.content, held.headers["etag"]) == (200, signed.content, signed.headers["etag"])
        assert held.headers["content-type"] == signed.headers["content-type"]
        assert held.headers["cache-control"].startswith("public, max-age=")
        assert 0 < int(held.headers["cache-control"].rpartition("=")[2]) <= 300
        assert http.get("/lists/issuers", headers={"If-None-Match": signed.headers["etag"]}).status_code == 304
        lote = http.get("/lists/issuers.lote.jws")  # the same list as a LoTE, signed with the registry's key
        assert lote.status_code == 200 and lote.headers["etag"] == signed.headers["etag"][:-1] + '-lote-jws"'
        never = http.get("/lists/verifiers")  # no earlier run signed it: nothing to serve
        assert (never.status_code, never.json()["error"]) == (503, "temporarily_unavailable")
        admin = {"Authorization": f"Bearer {admin_token(RegistrySettings(data_dir=tmp_path))}"}
        assert http.get("/readyz").json()["reason"] == "database"
        assert http.get("/admin/entities", headers=admin).json()["error"] == "temporarily_unavailable"
    events = {getattr(r, "event", None) for r in caplog.records if r.levelno == logging.WARNING}
    assert {"database_unavailable_at_start", "database_unavailable_list_served"} <= events
    assert not [r for r in caplog.records if r.exc_info or getattr(r, "event", None) == "server_error"]


def test_esspass_registry_serve_started_while_its_database_refuses_connections_serves_the_lists_kept(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a service manager restarts it: the process starts, says in one warning line what it serves."""
    signed = _signed_in_an_earlier_run(tmp_path, postgres_url, monkeypatch)
    port = free_port()
    log = tmp_path / "registry.log"
    with _refusing(postgres_url), log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "registry", "serve", "--port", str(port)],
                                cwd=ROOT, env=_env(tmp_path, DATABASE_URL=postgres_url), stdout=subprocess.DEVNULL,
                                stderr=err, text=True)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", proc)
            held = httpx.get(f"http://127.0.0.1:{port}/lists/issuers", timeout=30)
        finally:
            _stop(proc)
    assert (held.status_code, held.content, held.headers["etag"]) == (200, signed.content, signed.headers["etag"])
    said = [line for line in log.read_text().splitlines() if "database_unavailable_at_start" in line]
    assert said and "the issuers list kept on disk (sequence" in said[0] and "Traceback" not in log.read_text()


def test_esspass_registry_serve_keeping_no_list_does_not_start_while_its_database_does_not_answer(
        tmp_path: Path) -> None:
    """Nothing to serve: refused in one line naming the setting, as every service is (test_ops_database_url)."""
    (tmp_path / "pki").mkdir(mode=0o700)
    url = f"postgresql://esspass:{SECRET}@127.0.0.1:{free_port()}/esspass"
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "registry", "serve", "--port", str(free_port())],
                          cwd=ROOT, env=_env(tmp_path, DATABASE_URL=url), capture_output=True, text=True, timeout=120)
    line = _one_line(done)
    assert done.returncode == 1 and line.startswith("esspass: the registry's database (DATABASE_URL) cannot be "
                                                    "reached"), line


@pytest.mark.parametrize("damage", ["truncated", "altered", "empty", "not_a_list"])
def test_a_damaged_list_on_disk_is_not_served(tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch,
                                              damage: str) -> None:
    signed = _signed_in_an_earlier_run(tmp_path, postgres_url, monkeypatch)
    body = signed.content
    header, payload, signature = body.split(b".")
    _file(tmp_path).write_bytes({
        "truncated": body[: len(body) // 2],
        "altered": b".".join((header, payload[:-4] + (b"AAAA" if payload[-4:] != b"AAAA" else b"BBBB"), signature)),
        "empty": b"",
        "not_a_list": b"\xff\x00 not a list",
    }[damage])
    with _refusing(postgres_url), _registry(tmp_path) as http:
        answer = http.get("/lists/issuers")
    assert (answer.status_code, answer.json()["error"]) == (503, "temporarily_unavailable")


def test_a_list_on_disk_signed_by_another_list_signer_under_the_same_root_is_not_served(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients would accept it (it chains to the root, with the tslSigning usage); the registry serves
    only what its own list-signing certificate signed, as a file planted in its directory is not."""
    signed = _signed_in_an_earlier_run(tmp_path, postgres_url, monkeypatch)
    now = datetime.now(UTC)
    pki = ensure_demo_pki(RegistrySettings(data_dir=tmp_path).pki_dir, DEMO_ENTITIES, now=now)
    assert pki.root_key is not None
    other_key, other_cert = issue_list_signer(pki.root_key, pki.root, now=now)
    tl = trust_list.verify_trust_list(signed.text, registry_root=pki.root, now=now)
    _file(tmp_path).write_text(trust_list.sign_trust_list(tl, key=other_key, x5c=[other_cert]), encoding="ascii")
    with _refusing(postgres_url), _registry(tmp_path) as http:
        assert http.get("/lists/issuers").status_code == 503


def test_an_expired_list_on_disk_is_not_served(tmp_path: Path, postgres_url: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Genuinely signed by the registry, but past its next_update: the rule the list held in memory follows."""
    signed = _signed_in_an_earlier_run(tmp_path, postgres_url, monkeypatch)
    now = datetime.now(UTC).replace(microsecond=0)
    key, chain, root = RegistrySettings(data_dir=tmp_path).list_signer(now)
    tl = trust_list.verify_trust_list(signed.text, registry_root=root, now=now)
    ended = replace(tl, issued_at=now - timedelta(days=1), next_update=now - timedelta(seconds=1))
    _file(tmp_path).write_text(trust_list.sign_trust_list(ended, key=key, x5c=chain), encoding="ascii")
    with _refusing(postgres_url), _registry(tmp_path) as http:
        answer = http.get("/lists/issuers")
    assert (answer.status_code, answer.json()["error"]) == (503, "temporarily_unavailable")


def test_once_the_database_answers_a_change_is_signed_and_replaces_the_list_on_disk(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    signed = _signed_in_an_earlier_run(tmp_path, postgres_url, monkeypatch)
    admin = {"Authorization": f"Bearer {admin_token(RegistrySettings(data_dir=tmp_path))}"}
    with ExitStack() as running:
        with _refusing(postgres_url):  # started during the outage, which then ends
            http = running.enter_context(_registry(tmp_path))
            assert http.get("/lists/issuers").content == signed.content
        suspended = http.post("/admin/entities/LV:VSAA/suspend", json={"reason": "audit"}, headers=admin)
        assert suspended.status_code == 200, suspended.text
        after = http.get("/lists/issuers")
    assert after.status_code == 200 and after.headers["etag"] != signed.headers["etag"]
    assert _file(tmp_path).read_bytes() == after.content
    _key, _chain, root = RegistrySettings(data_dir=tmp_path).list_signer(datetime.now(UTC))
    tl = trust_list.verify_trust_list(after.text, registry_root=root, now=datetime.now(UTC))
    assert tl.entity("LV:VSAA").status_at(datetime.now(UTC)) == trust_list.SUSPENDED  # type: ignore[union-attr]
    with _refusing(postgres_url), _registry(tmp_path) as http:  # and a restart during the next outage serves it
        assert http.get("/lists/issuers").headers["etag"] == after.headers["etag"]


def test_workers_sharing_the_data_directory_never_put_an_older_list_back_nor_show_half_a_file(
        tmp_path: Path) -> None:
    """A worker that read the database before a suspension writes after the one that signed it: the
    newer list stays. Meanwhile a worker reading the file always finds a whole list that verifies."""
    now = datetime.now(UTC).replace(microsecond=0)
    key, chain, root = RegistrySettings(data_dir=tmp_path).list_signer(now)
    lists = PublishedLists(tmp_path / "registry" / "lists", root=root, signer_chain=chain)
    older = trust_list.TrustList("issuers", 4, now, now + timedelta(hours=24), ())
    newer = replace(older, sequence=5)
    assert lists.store("issuers", trust_list.sign_trust_list(newer, key=key, x5c=chain), newer)
    assert not lists.store("issuers", trust_list.sign_trust_list(older, key=key, x5c=chain), older)
    assert lists.load("issuers", now)[1].sequence == 5  # type: ignore[index]

    tokens = [(trust_list.sign_trust_list(replace(newer, sequence=n), key=key, x5c=chain), replace(newer, sequence=n))
              for n in range(6, 46)]
    seen: list[int | None] = []

    def write(mine: list[tuple[str, trust_list.TrustList]]) -> None:
        for token, tl in mine:
            lists.store("issuers", token, tl)

    writers = [threading.Thread(target=write, args=(tokens[i::2],)) for i in range(2)]
    for thread in writers:
        thread.start()
    while any(thread.is_alive() for thread in writers):
        loaded = lists.load("issuers", now)
        seen.append(None if loaded is None else loaded[1].sequence)
    for thread in writers:
        thread.join()
    sequences = [s for s in seen if s is not None]
    assert sequences == seen and seen == sorted(sequences)
    assert lists.load("issuers", now)[1].sequence == 45  # type: ignore[index]
