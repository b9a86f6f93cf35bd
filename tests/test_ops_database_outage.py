"""PostgreSQL going away under running services and coming back (README "PostgreSQL", "Every service has
`/healthz`, `/readyz`"): while the database refuses connections, every service answers a request that
needs it with 503 ``temporarily_unavailable``, a JSON body and ``Retry-After``, logs one warning line
without a trace, and serves again by itself once the database answers. Real HTTP servers on loopback,
a real PostgreSQL database whose connections the test ends (``pg_terminate_backend``) and refuses
(``ALLOW_CONNECTIONS false``), as a failover or a stopped server does."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import Clerk, inspector_token, start_in_process, unnumbered
from trust_registry.settings import RegistrySettings, admin_token

pytestmark = pytest.mark.postgres


@contextmanager
def _refusing(database_url: str) -> Iterator[None]:
    """The database refuses new connections and its open ones are ended, until the block ends."""
    import psycopg

    admin = make_url(os.environ["ESSPASS_TEST_POSTGRES_URL"].replace("postgresql+psycopg://", "postgresql://"))
    name = make_url(database_url).database
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        try:
            yield
        finally:
            conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_while_postgresql_refuses_connections_every_service_answers_503_json_and_recovers_by_itself(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_url)  # the registry, the issuer and the verifier share it (README)
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=30) as http:
        person = DEMO_PERSONS[0]
        clerk = Clerk(stack.issuer_url, tmp_path, http)
        case_id = clerk.create_case(person.pda1_issuer, "pda1", unnumbered(person.pda1), person.holder)
        office = {"Authorization": f"Bearer {clerk.tokens[person.pda1_issuer]}"}
        inspector = {"Authorization": f"Bearer {inspector_token(tmp_path)}"}
        registry_admin = {"Authorization": f"Bearer {admin_token(RegistrySettings(data_dir=tmp_path))}"}
        case_url = f"{stack.issuer_url}/lv-vsaa/api/cases/{case_id}"
        calls: dict[str, Callable[[], httpx.Response]] = {
            "issuer case": lambda: http.get(case_url, headers=office),
            "issuer status list": lambda: http.get(f"{stack.issuer_url}/lv-vsaa/status/1"),
            # Its lists are served while valid (test below): its admin API needs the database.
            "registry entities": lambda: http.get(f"{stack.registry_url}/admin/entities", headers=registry_admin),
            "verifier request": lambda: http.post(f"{stack.verifier_url}/api/requests", headers=inspector,
                                                  json={"profile": "pda1"}),
        }
        # A status list no credential has used yet is 404: it too is read from the database.
        before = {what: call().status_code for what, call in calls.items()}
        assert before == {"issuer case": 200, "issuer status list": 404, "registry entities": 200,
                          "verifier request": 201}, before

        caplog.clear()
        with caplog.at_level(logging.INFO, logger="esspass"), _refusing(postgres_url):
            for what, call in calls.items():
                answer = call()
                assert answer.status_code == 503, (what, answer.status_code, answer.text[:200])
                assert answer.json()["error"] == "temporarily_unavailable", what
                assert answer.headers["Retry-After"].isdigit(), what
                assert "Traceback" not in answer.text and "psycopg" not in answer.text, what
            for service in ("registry", "issuer", "verifier"):
                ready = http.get(f"{getattr(stack, f'{service}_url')}/readyz")
                assert (ready.status_code, ready.json()["reason"]) == (503, "database"), service
        outage = [r for r in caplog.records if getattr(r, "event", None) == "database_unavailable"]
        assert {getattr(r, "service", None) for r in outage} == {"registry", "issuer", "verifier"}
        assert all(r.levelno == logging.WARNING for r in outage)
        # The operator reads what happened in one line each, not a trace per request.
        assert not [r for r in caplog.records if r.exc_info or getattr(r, "event", None) == "server_error"]

        after = {what: call().status_code for what, call in calls.items()}
        assert after == before
        assert http.get(case_url, headers=office).json()["id"] == case_id


def test_while_postgresql_refuses_connections_the_registry_serves_the_lists_it_signed_while_they_are_valid(
        tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A verifier or wallet started during the outage, or whose list has ended, got a 503 and had no trust
    list at all, though the registry held a signed one valid for hours: it gets that one (the same bytes,
    the same ETag). A list this process never signed has nothing to serve: 503 as before."""
    from esspass.testing import serve
    from trust_registry.app import create_app
    from trust_registry.seed import seed_data_dir

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    seed_data_dir(tmp_path)
    with serve(create_app(RegistrySettings(data_dir=tmp_path))) as registry, \
            httpx.Client(base_url=registry.url, timeout=30) as http:
        signed = http.get("/lists/issuers")
        assert signed.status_code == 200
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="esspass"), _refusing(postgres_url):
            held = http.get("/lists/issuers")
            assert (held.status_code, held.content, held.headers["etag"]) == (200, signed.content,
                                                                               signed.headers["etag"])
            assert http.get("/lists/issuers", headers={"If-None-Match": signed.headers["etag"]}).status_code == 304
            never = http.get("/lists/verifiers")
            assert (never.status_code, never.json()["error"]) == (503, "temporarily_unavailable")
        served = [r for r in caplog.records if getattr(r, "event", None) == "database_unavailable_list_served"]
        assert served and all(r.levelno == logging.WARNING for r in served)
        assert not [r for r in caplog.records if r.exc_info]
        assert http.get("/lists/verifiers").status_code == 200  # signed once the database answers


def test_a_postgresql_server_that_accepts_but_never_answers_is_a_503_within_the_connect_timeout(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A host that takes the connection and says nothing (a server hung in its start-up, a firewall
    that drops what follows): the request's new connection gives up after ``CONNECT_TIMEOUT`` seconds
    and the request is a 503, not a thread held for the operating system's minutes-long TCP timeout."""
    import socket
    import time

    from fastapi import FastAPI
    from sqlalchemy import text

    from esspass import db
    from esspass.testing import serve
    from esspass.web import install

    monkeypatch.setattr(db, "CONNECT_TIMEOUT", 2, raising=False)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; nothing ever answers the start-up message
        engine = db.make_engine(f"postgresql://esspass:secret@127.0.0.1:{silent.getsockname()[1]}/esspass")
        app = FastAPI()
        install(app, "test")

        @app.get("/cases")
        def cases() -> dict[str, int]:
            with engine.connect() as connection:
                return {"n": int(connection.execute(text("SELECT 1")).scalar_one())}

        try:
            with serve(app) as server:
                started = time.monotonic()
                answer = httpx.get(f"{server.url}/cases", timeout=15)
                elapsed = time.monotonic() - started
        finally:
            engine.dispose()
    assert (answer.status_code, answer.json()["error"]) == (503, "temporarily_unavailable")
    assert elapsed < 2 + 5, elapsed


@pytest.mark.parametrize(("query", "user_timeout_ms"), [("", 30_000), ("?tcp_user_timeout=5000", 5000)])
def test_a_pooled_postgresql_connection_to_a_frozen_server_is_given_up_within_bounded_time(
        postgres_url: str, query: str, user_timeout_ms: int) -> None:
    """connect_timeout bounds a new connection only: one taken from the pool to a server that froze (a
    host halted, a partition) waited on it for the kernel's retransmission timeout (about 15 minutes).
    The connection's own socket has TCP keepalives and TCP_USER_TIMEOUT (the URL's own value wins)."""
    import socket

    from sqlalchemy import text

    from esspass.db import make_engine

    engine = make_engine(postgres_url + query)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            raw = connection.connection.dbapi_connection
            assert raw is not None
            with socket.socket(fileno=os.dup(raw.pgconn.socket)) as sock:  # a copy: the connection keeps its own
                options = {"user timeout": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
                           "keepalive": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                           "idle": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                           "interval": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                           "probes": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT)}
    finally:
        engine.dispose()
    assert options == {"user timeout": user_timeout_ms, "keepalive": 1, "idle": 30, "interval": 10, "probes": 3}
