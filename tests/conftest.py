"""Fixtures shared by the whole suite: PostgreSQL databases, Chromium, a clock."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from credentials.pki import DemoPki
    from credentials.trust_list import TrustList

#: The files that take longest (``pytest --durations`` on a quiet two-core machine, 2026-11-30), most first.
#: ``--dist loadfile`` gives each worker whole files in collection order: a long file handed out last keeps
#: one worker busy while the others have finished, so these are handed out first (longest first).
SLOW_FIRST = ("test_no_server_errors.py", "test_pilot_review.py", "test_ops_cli_review.py", "test_pilot_e2e.py",
              "test_registry_onboarding.py", "test_ops_cli.py", "test_pages_browser.py", "test_registry_cli.py",
              "test_trust_registry.py", "test_verifier_records.py", "test_wallet_cli_e2e.py",
              "test_wallet_deferred.py", "test_ops_processes.py", "test_verifier_policy.py",
              "test_issuer_authorised_types.py", "test_issuer_office.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run :data:`SLOW_FIRST` first; every other file, and every file's tests, keep their order (a stable
    sort, the same on every xdist worker, which requires the same order everywhere)."""
    rank = {name: n for n, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards.

    Skips unless ``ESSPASS_TEST_POSTGRES_URL`` names a server (``.ci/run`` sets it when one
    answers on 127.0.0.1:5432). The URL's own database is only used to create and drop ours.
    """
    base = os.environ.get("ESSPASS_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("ESSPASS_TEST_POSTGRES_URL is not set")
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base.replace("postgresql+psycopg://", "postgresql://"))
    name = f"esspass_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (:func:`fresh_postgres`)."""
    with fresh_postgres() as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for a module's tests, which must then not depend on what
    each other leave (:func:`fresh_postgres`)."""
    with fresh_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium for page tests; skipped where it is not installed (never downloaded)."""
    path = os.environ.get("ESSPASS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        if os.environ.get("CI"):
            pytest.fail("CI must have Debian's chromium (.ci/run installs it)")
        pytest.skip("Debian's chromium is not installed")
    return path


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (``executable_path``, no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the demo PKI and the seeded registry database, one per test module."""
    from trust_registry.seed import seed_data_dir

    d = tmp_path_factory.mktemp("registry")
    seed_data_dir(d)
    return d


@pytest.fixture(scope="module")
def registry_issuers(registry_dir: Path) -> TrustList:
    """The issuers list of :func:`registry_dir`'s registry, as a wallet or verifier reads it."""
    from esspass.db import make_engine
    from trust_registry.store import Registry

    engine = make_engine(f"sqlite:///{registry_dir / 'registry.db'}")
    try:
        return Registry(engine).build_list("issuers", datetime.now(UTC).replace(microsecond=0))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def registry_pki(registry_dir: Path) -> DemoPki:
    """The demo PKI of :func:`registry_dir` (registry root, list signer, institution CAs)."""
    from credentials.pki import load_demo_pki

    return load_demo_pki(registry_dir / "pki")
