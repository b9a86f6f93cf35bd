"""Issue #8: the whole story with each service in its own process, over HTTPS, on SQLite and PostgreSQL.

These tests start real ``esspass <service> serve`` processes (the same commands ``esspass up``
runs) on free loopback ports and walk the demo story through them; nothing is mocked.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from credentials.demo_persons import DEMO_PERSONS
from credentials.pki import create_tls
from esspass.config import tls_verify
from esspass.demo import run_pilot_demo
from esspass.pilot import SERVICES, Pilot, init
from esspass.testing import free_port, free_ports, pilot_started

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("ESSPASS_TEST_POSTGRES_URL")


def _personal_data(data_dir: Path) -> list[str]:
    """Every name, birth date and number of the demo persons, and the document numbers the issuer
    (its SQLite database in ``data_dir``) gave: none may appear in any log."""
    values: list[str] = []
    for person in DEMO_PERSONS:
        values += [person.pid["family_name"], person.pid["given_name"], person.pid["birthdate"]]
        for doc in (person.pda1, person.ehic):
            values += [doc["personal_administrative_number"], doc["document_number"]]
    from sqlalchemy import text as sql

    from esspass.db import make_engine

    engine = make_engine(f"sqlite:///{data_dir / 'issuer.db'}")
    with engine.connect() as conn:
        given = conn.execute(sql("SELECT label FROM issuer_cases WHERE configuration_id IN ('pda1', 'ehic')"))
        numbers = list(given.scalars())
    engine.dispose()
    assert len(numbers) >= 2, numbers  # the story's PDA1 and EHIC
    return values + numbers


def _run_story(data_dir: Path, *, times: int = 1, **pilot_kwargs: object) -> tuple[list[tuple[int, str]], Path]:
    """The demo story told ``times`` against one running pilot: each telling's exit code and text,
    and the pilot's log directory."""
    ports = {spec.name: free_port() for spec in SERVICES}
    # As `esspass up` seeds: the registry lists where the pilot's issuer serves each institution's
    # status lists, the address a wallet keeps a deferral from (ZUS, steps 9-10) only when listed.
    env = pilot_kwargs.get("extra_env")
    init(data_dir, database_url=env.get("DATABASE_URL") if isinstance(env, dict) else None,
         issuer_url=f"https://localhost:{ports['issuer']}")
    tellings = []
    with Pilot(data_dir, tls=True, ports=ports, **pilot_kwargs) as pilot:  # type: ignore[arg-type]
        ca = data_dir / "pki" / "tls" / "ca.pem"
        with httpx.Client(verify=tls_verify(ca)) as http:
            for spec in SERVICES:
                assert http.get(f"{pilot.url(spec.name)}/healthz").status_code == 200
            for name in ("registry", "issuer", "verifier"):
                assert http.get(f"{pilot.url(name)}/readyz").status_code == 200
                metrics = http.get(f"{pilot.url(name)}/metrics").text
                assert "esspass_http_requests" in metrics
        for _ in range(times):
            out = io.StringIO()
            code = run_pilot_demo(out, data_dir=data_dir, registry_url=pilot.url("registry"),
                                  issuer_url=pilot.url("issuer"), verifier_url=pilot.url("verifier"), tls_ca=ca)
            tellings.append((code, out.getvalue()))
    return tellings, pilot.log_dir


def test_the_whole_story_runs_across_four_processes_over_https_and_again_on_the_same_data(tmp_path: Path) -> None:
    """Told twice against one running pilot (`esspass demo` run again): the clerks leave the document
    numbers for the issuer to give, which gives each new document a number of its own."""
    init(tmp_path)
    tellings, _logs = _run_story(tmp_path, times=2)
    for code, text in tellings:
        assert code == 0, text
        assert "Verdict: VALID" in text
        assert "Verdict: NOT VALID - The institution has withdrawn this document." in text
        assert "wallet checks its status: suspended" in text
        assert "wallet checks again: valid" in text
        # Four-eyes at ZUS: deferred while awaiting the second clerk, then fetched (OpenID4VCI §8.3, §9).
        assert "the wallet is told to wait (1 document pending, nothing signed yet)" in text
        assert "10. Clerk 2 approves it; the wallet asks again and receives it: " in text


def test_no_personal_data_in_any_log(tmp_path: Path) -> None:
    init(tmp_path)
    [(code, text)], logs = _run_story(tmp_path)
    assert code == 0, text
    files = list(logs.glob("*.log"))
    assert {f.stem for f in files} == {s.name for s in SERVICES}
    assert any(f.stat().st_size > 0 for f in files)
    personal = _personal_data(tmp_path)
    for f in files:
        content = f.read_text(encoding="utf-8", errors="replace")
        for value in personal:
            assert value not in content, f"{value!r} found in {f.name}"


@pytest.fixture
def postgres_clean() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("ESSPASS_TEST_POSTGRES_URL is not set")
    from sqlalchemy import inspect, text

    from esspass.db import make_engine

    engine = make_engine(PG_URL)

    def drop() -> None:
        with engine.begin() as conn:
            for table in inspect(conn).get_table_names():
                if table.startswith(("registry_", "issuer_", "verifier_", "alembic_version_")):
                    conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))

    drop()
    yield PG_URL
    drop()
    engine.dispose()


@pytest.mark.postgres
def test_the_whole_story_runs_with_every_service_on_postgresql(tmp_path: Path, postgres_clean: str) -> None:
    # The same variable the compose file sets for every service.
    init(tmp_path, database_url=postgres_clean)
    [(code, text)], _logs = _run_story(tmp_path, extra_env={"DATABASE_URL": postgres_clean})
    assert code == 0, text
    assert not any((tmp_path / f"{name}.db").exists() for name in ("issuer", "registry", "verifier"))
    from sqlalchemy import text as sql

    from esspass.db import make_engine

    engine = make_engine(postgres_clean)
    with engine.connect() as conn:
        assert conn.execute(sql("SELECT count(*) FROM issuer_credentials")).scalar_one() >= 3
        assert conn.execute(sql("SELECT count(*) FROM registry_entities")).scalar_one() >= 11
        assert conn.execute(sql("SELECT count(*) FROM verifier_transactions")).scalar_one() >= 1
    engine.dispose()


def test_esspass_up_starts_prints_urls_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    base = free_ports(len(SERVICES))
    env = {**os.environ, "ESSPASS_DATA_DIR": str(tmp_path)}
    for run in ("first", "second"):
        proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "up", "--port-base", str(base)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        text = pilot_started(proc, 90)
        assert "ESSPASS pilot is running" in text, text
        assert f"https://localhost:{base + 1}/" in text
        assert ("First run" in text) == (run == "first")
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0, rest
        assert "Stopped." in rest


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="Debian's docker-compose is not installed")
def test_compose_file_is_valid() -> None:
    result = subprocess.run(["docker-compose", "-f", str(ROOT / "docker" / "compose.yml"), "config", "-q"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_compose_public_urls_reach_their_service_from_host_and_containers() -> None:
    """Every public URL is the serving container's network alias, a *.localhost name (loopback for
    the host's browser, RFC 6761) and a name in the demo TLS certificate."""
    compose = yaml.safe_load((ROOT / "docker" / "compose.yml").read_text())
    env = compose["x-env"]
    tls_names = set(create_tls.__kwdefaults__["dns"])  # type: ignore[index]
    publics = {key.removeprefix("ESSPASS_").removesuffix("_PUBLIC_URL").lower(): urlsplit(value)
               for key, value in env.items() if key.endswith("_PUBLIC_URL")}
    assert set(publics) == {"issuer", "registry", "verifier"}
    for service, url in publics.items():
        spec = compose["services"][service]
        assert url.hostname == f"{service}.localhost" and url.hostname in tls_names
        assert url.hostname in spec["networks"]["default"]["aliases"]
        command = spec["command"]
        assert spec["ports"] == [f"{url.port}:{url.port}"] and command[command.index("--port") + 1] == str(url.port)


def test_the_pilot_shows_four_eyes_at_zus_unless_the_operator_says_otherwise(tmp_path: Path) -> None:
    """ZUS asks approval in the pilot; an operator's own setting, even [], is kept, and an operator's
    institutions file (which may not host ZUS) gets no setting it did not ask for."""
    from esspass.pilot import service_env

    assert service_env(tmp_path, "https", {})["ESSPASS_ISSUER_APPROVAL"] == '["PL:ZUS"]'
    assert service_env(tmp_path, "https", {"ESSPASS_ISSUER_APPROVAL": "[]"})["ESSPASS_ISSUER_APPROVAL"] == "[]"
    own = service_env(tmp_path, "https", {"ESSPASS_ISSUER_INSTITUTIONS_FILE": str(tmp_path / "institutions.toml")})
    assert "ESSPASS_ISSUER_APPROVAL" not in own


def test_the_story_tells_four_eyes_is_off_when_the_operator_turned_it_off(tmp_path: Path) -> None:
    init(tmp_path)
    [(code, text)], _logs = _run_story(tmp_path, extra_env={"ESSPASS_ISSUER_APPROVAL": "[]"})
    assert code == 0, text
    assert "9. (Four-eyes approval is off at Social Insurance Institution in this pilot" in text
