"""What an operator's commands refuse, in one line and with the documented exit code: a token
change the configuration would ignore, half a TLS pair, a named storage key that is missing, a
database of a newer release; and ``esspass migrate``. Every command runs as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from esspass.db import make_engine
from esspass.testing import free_port

ROOT = Path(__file__).resolve().parent.parent



def _head(migrations: Path) -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _heads() -> dict[str, tuple[str, str]]:
    from issuer.app import MIGRATIONS as ISSUER
    from trust_registry.store import MIGRATIONS as REGISTRY
    from verifier.transactions import MIGRATIONS as VERIFIER

    return {"registry": ("alembic_version_registry", _head(REGISTRY)),
            "issuer": ("alembic_version_issuer", _head(ISSUER)),
            "verifier": ("alembic_version_verifier", _head(VERIFIER))}


#: Each service's Alembic version table and this release's head there.
HEADS = _heads()


def _esspass(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``esspass ARGS`` in its own process; a command that should have refused but serves instead
    runs into ``timeout``, which fails the test."""
    return subprocess.run([sys.executable, "-m", "esspass.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
    return {**env, "ESSPASS_DATA_DIR": str(data_dir), **extra}


@pytest.fixture(scope="module")
def pilot_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the demo PKI and the seeded registry (``esspass init``)."""
    data_dir = tmp_path_factory.mktemp("pilot")
    done = _esspass("init", "--data-dir", str(data_dir), env=_env(data_dir))
    assert done.returncode == 0, done.stderr
    return data_dir


@pytest.mark.parametrize("change", ["--revoke", "--add"])
def test_a_token_change_while_inspector_tokens_are_configured_is_refused(tmp_path: Path, change: str) -> None:
    env = _env(tmp_path, ESSPASS_VERIFIER_INSPECTOR_TOKENS=json.dumps({"inspector-abc-0123456789": "anna"}))
    done = _esspass("verifier", "tokens", change, "anna", env=env)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("esspass: ESSPASS_VERIFIER_INSPECTOR_TOKENS is set"), done.stderr


def test_printing_the_configured_inspector_tokens_still_works(tmp_path: Path) -> None:
    env = _env(tmp_path, ESSPASS_VERIFIER_INSPECTOR_TOKENS=json.dumps({"inspector-abc-0123456789": "anna"}))
    done = _esspass("verifier", "tokens", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"anna": "inspector-abc-0123456789"}


@pytest.mark.parametrize(("service", "given"), [("verifier", "--tls-cert"), ("verifier", "--tls-key"),
                                                ("registry", "--tls-cert"), ("issuer", "--tls-key"),
                                                ("wallet", "--tls-cert"), ("wallet", "--tls-key")])
def test_serve_with_half_a_tls_pair_is_refused_in_one_line(tmp_path: Path, service: str, given: str) -> None:
    pem = tmp_path / "half.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    done = _esspass(service, "serve", "--port", str(free_port()), given, str(pem), env=_env(tmp_path), timeout=120)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    missing = "--tls-key" if given == "--tls-cert" else "--tls-cert"
    assert len(lines) == 1 and f"{given} needs {missing}" in lines[0], done.stderr


def test_a_named_storage_key_file_that_does_not_exist_stops_the_verifier(pilot_data: Path, tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "storage.key"
    env = _env(pilot_data, ESSPASS_VERIFIER_STORAGE_KEY_FILE=str(missing))
    done = _esspass("verifier", "serve", "--port", str(free_port()), env=env, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "ESSPASS_VERIFIER_STORAGE_KEY_FILE" in lines[0] and "does not exist" in lines[0], \
        done.stderr
    assert not missing.exists()  # never made there: the other replicas would not have it


def test_the_storage_key_is_made_at_the_default_path_only(tmp_path: Path) -> None:
    from credentials.errors import DataError
    from verifier.settings import VerifierSettings
    from verifier.transactions import configured_storage_key

    key = configured_storage_key(VerifierSettings(data_dir=tmp_path))
    assert len(key) == 32 and (tmp_path / "verifier" / "storage.key").stat().st_mode & 0o777 == 0o600
    named = tmp_path / "named.key"
    with pytest.raises(DataError) as refused:
        configured_storage_key(VerifierSettings(data_dir=tmp_path, storage_key_file=named))
    assert refused.value.field == "ESSPASS_VERIFIER_STORAGE_KEY_FILE" and not named.exists()
    named.write_bytes((tmp_path / "verifier" / "storage.key").read_bytes())
    assert configured_storage_key(VerifierSettings(data_dir=tmp_path, storage_key_file=named)) == key


def _versions(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {name: conn.execute(text(f"SELECT version_num FROM {table}")).scalar_one()  # noqa: S608
                    for name, (table, _head) in HEADS.items()}
    finally:
        engine.dispose()


def test_esspass_migrate_brings_every_service_to_this_release(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'all.db'}"
    done = _esspass("migrate", env=_env(tmp_path, DATABASE_URL=url))
    assert done.returncode == 0, done.stderr
    assert _versions(url) == {name: head for name, (_table, head) in HEADS.items()}
    assert done.stdout.splitlines() == [f"{name}: database schema made, at {head}"
                                        for name, (_table, head) in HEADS.items()]


def test_esspass_migrate_one_service_leaves_the_others(tmp_path: Path) -> None:
    done = _esspass("migrate", "--service", "issuer", env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "issuer.db").exists() and not (tmp_path / "verifier.db").exists()


def test_esspass_migrate_refuses_while_an_up_runs_from_the_data_directory(tmp_path: Path) -> None:
    """Its services (of the earlier release, in an upgrade) would go on over a schema they may not
    know: an earlier issuer cannot serve a later one's offers (it answered 404 "used", then 500)."""
    from esspass.pilot import _take_lock

    held = _take_lock(tmp_path)  # what a running `esspass up` holds, naming itself
    assert held is not None
    try:
        done = _esspass("migrate", env=_env(tmp_path))
        assert done.returncode == 1
        assert f"`esspass up` (process {os.getpid()}) is running" in done.stderr and "stop it first" in done.stderr
        assert not (tmp_path / "issuer.db").exists()
    finally:
        os.close(held)
    assert _esspass("migrate", env=_env(tmp_path)).returncode == 0


def test_esspass_migrate_beside_a_running_up_of_this_release_has_nothing_to_refuse(tmp_path: Path) -> None:
    """Databases already at this release's head: nothing would change under the running services."""
    from esspass.pilot import _take_lock

    assert _esspass("migrate", env=_env(tmp_path)).returncode == 0
    held = _take_lock(tmp_path)
    assert held is not None
    try:
        done = _esspass("migrate", env=_env(tmp_path))
        assert done.returncode == 0, done.stderr
    finally:
        os.close(held)


def test_a_service_started_beside_a_running_up_does_not_migrate_its_database(tmp_path: Path) -> None:
    """``esspass <service> serve`` migrates at start (how one service of a new release is started, and
    what a systemd unit runs): beside another ``up`` it refuses as ``esspass migrate`` does."""
    from esspass.pilot import _take_lock

    held = _take_lock(tmp_path)
    assert held is not None
    try:
        done = _esspass("registry", "serve", "--port", str(free_port()), env=_env(tmp_path))
        assert done.returncode == 1
        assert "`esspass up` (process" in done.stderr and "stop it first" in done.stderr
        assert not (tmp_path / "registry.db").exists()
    finally:
        os.close(held)


def test_esspass_migrate_refuses_to_roll_back_under_a_service_serving_on_its_own(tmp_path: Path) -> None:
    """A service started with ``esspass <service> serve`` (a systemd unit, a second host's replica), not
    by ``up``: ``migrate --to`` took a table it reads from under it (its next search answered 500). The
    serving process marks its service (``<data dir>/<name>.serving.lock``, shared by its replicas);
    a rollback, or a migration with something to change, is refused while it runs, and goes once it
    stopped."""
    import time

    import httpx

    earlier = f"{int(HEADS['issuer'][1]) - 1:04d}"
    port = free_port()
    env = _env(tmp_path)
    server = subprocess.Popen([sys.executable, "-m", "esspass.cli", "issuer", "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the issuer did not start"
            time.sleep(0.2)
        refused = _esspass("migrate", "--service", "issuer", "--to", earlier, env=env)
        assert refused.returncode == 1, refused
        assert "the issuer is being served from" in refused.stderr and "stop it first" in refused.stderr
        assert _esspass("migrate", env=env).returncode == 0  # nothing to change: nothing refused
    finally:
        server.terminate()
        server.wait(30)
    back = _esspass("migrate", "--service", "issuer", "--to", earlier, env=env)
    assert back.returncode == 0 and back.stdout.strip() == f"issuer: database schema {HEADS['issuer'][1]} -> {earlier}"


def test_a_rollback_beside_a_running_up_names_the_up_not_its_services(tmp_path: Path) -> None:
    """The services an `up` started hold the serving lock too: the refusal names what the operator
    started (`esspass up`, its process), not an `esspass issuer serve` they never ran."""
    import fcntl

    from esspass.pilot import _take_lock

    assert _esspass("migrate", env=_env(tmp_path)).returncode == 0
    held = _take_lock(tmp_path)
    assert held is not None
    serving = os.open(tmp_path / "issuer.serving.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(serving, fcntl.LOCK_SH)  # as the up's issuer holds it
    try:
        earlier = f"{int(HEADS['issuer'][1]) - 1:04d}"
        refused = _esspass("migrate", "--service", "issuer", "--to", earlier, env=_env(tmp_path))
        assert refused.returncode == 1 and "`esspass up` (process" in refused.stderr, refused.stderr
        assert "issuer serve" not in refused.stderr
    finally:
        os.close(serving)
        os.close(held)


@pytest.fixture
def postgres_clean_env(postgres_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    yield _env(tmp_path, DATABASE_URL=postgres_url)


@pytest.mark.postgres
def test_esspass_migrate_on_postgresql(postgres_clean_env: dict[str, str], postgres_url: str) -> None:
    done = _esspass("migrate", env=postgres_clean_env)
    assert done.returncode == 0, done.stderr
    assert _versions(postgres_url) == {name: head for name, (_table, head) in HEADS.items()}


def _newer(url: str, table: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"UPDATE {table} SET version_num = '0099'"))  # noqa: S608
    finally:
        engine.dispose()


def test_a_database_of_a_newer_release_is_refused_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'verifier.db'}"
    env = _env(tmp_path, ESSPASS_VERIFIER_DATABASE_URL=url)
    assert _esspass("migrate", "--service", "verifier", env=env).returncode == 0
    _newer(url, "alembic_version_verifier")
    done = _esspass("migrate", "--service", "verifier", env=env)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"esspass: database schema 0099 is newer than this release (head {HEADS['verifier'][1]}); upgrade ESSPASS"]


def test_serve_refuses_a_database_of_a_newer_release_in_one_line(pilot_data: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'issuer.db'}"
    env = _env(pilot_data, ESSPASS_ISSUER_DATABASE_URL=url)
    assert _esspass("migrate", "--service", "issuer", env=env).returncode == 0
    _newer(url, "alembic_version_issuer")
    done = _esspass("issuer", "serve", "--port", str(free_port()), env=env, timeout=60)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"esspass: database schema 0099 is newer than this release (head {HEADS['issuer'][1]}); upgrade ESSPASS"]


@pytest.mark.postgres
def test_a_postgresql_database_of_a_newer_release_is_refused_in_one_line(postgres_clean_env: dict[str, str],
                                                                         postgres_url: str) -> None:
    assert _esspass("migrate", "--service", "registry", env=postgres_clean_env).returncode == 0
    _newer(postgres_url, "alembic_version_registry")
    done = _esspass("migrate", "--service", "registry", env=postgres_clean_env)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"esspass: database schema 0099 is newer than this release (head {HEADS['registry'][1]}); upgrade ESSPASS"]


def test_a_pilot_without_tls_lets_its_wallet_reach_its_own_services(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``esspass up --http``: the wallet, which talks https only, may use plain http to loopback
    addresses, else it refuses every offer of the pilot; with TLS it may not."""
    from esspass.pilot import Pilot
    from wallet.settings import WalletSettings

    for tls, allowed in ((False, True), (True, False)):
        monkeypatch.delenv("ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP", raising=False)
        for name, value in Pilot(tmp_path, tls=tls).env().items():
            if name.startswith("ESSPASS_WALLET_"):
                monkeypatch.setenv(name, value)
        assert WalletSettings(data_dir=tmp_path).allow_loopback_http is allowed
