"""``/readyz``: ready once the service has started and its database answers ``SELECT 1``; else 503
with a JSON body, so that a load balancer takes the replica out of rotation. Real HTTP, real
databases (an SQLite file, PostgreSQL when a server is given, a PostgreSQL port nobody listens on)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from esspass.db import make_engine
from esspass.testing import free_port, serve
from esspass.web import READY_TIMEOUT, install


def _readyz(ready: Callable[[], bool | Engine]) -> httpx.Response:
    app = FastAPI()
    install(app, "test", ready=ready)
    with serve(app) as server:
        return httpx.get(f"{server.url}/readyz", timeout=READY_TIMEOUT + 5)


def test_a_service_still_starting_is_not_ready() -> None:
    response = _readyz(lambda: False)
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "service": "test", "reason": "starting"}


def test_a_service_whose_sqlite_database_answers_is_ready(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ready.db'}")
    try:
        response = _readyz(lambda: engine)
    finally:
        engine.dispose()
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "service": "test"}


def test_a_service_whose_database_does_not_answer_is_not_ready() -> None:
    # A PostgreSQL URL on a loopback port nobody listens on: the connection is refused.
    engine = make_engine(f"postgresql://esspass:secret-password@127.0.0.1:{free_port()}/esspass")
    try:
        started = time.monotonic()
        response = _readyz(lambda: engine)
        elapsed = time.monotonic() - started
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "not_ready", "service": "test", "reason": "database"}
    assert "secret-password" not in response.text
    assert elapsed < READY_TIMEOUT + 3


@pytest.mark.postgres
def test_a_service_whose_postgresql_database_answers_is_ready(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    try:
        response = _readyz(lambda: engine)
    finally:
        engine.dispose()
    assert response.status_code == 200
