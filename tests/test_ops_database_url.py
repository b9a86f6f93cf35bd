"""A database URL that is wrong, or names a database that does not answer (README "A setting that breaks
its rule stops any command or service in one line naming the variable and the rule, never the value",
"PostgreSQL"): `migrate`, a service's `serve` and the commands on a deployment say so in one line naming
the setting (`DATABASE_URL`, or the service's own), exit 2 for a URL no service can use and 1 for a
database that does not answer, with the driver's reason (refused, no such database, no such user) and
never the password nor a traceback. Real commands; PostgreSQL where a server is given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from esspass.testing import free_port, run_cli

SECRET = "s3cret-Passw0rd"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
    return {**env, "ESSPASS_DATA_DIR": str(data_dir), **extra}


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr[-2000:]
    assert SECRET not in done.stderr + done.stdout and "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize("url", [f"mysql://esspass:{SECRET}@db/esspass", f"not a url {SECRET}",
                                 f"postgresql+psycopg2://esspass:{SECRET}@db/esspass"])
@pytest.mark.parametrize("command", [["migrate", "--service", "registry"], ["registry", "list"],
                                     ["issuer", "serve", "--port", "0"]])
def test_a_database_url_no_service_can_use_is_refused_in_one_line_naming_the_variable_exit_2(
        tmp_path: Path, url: str, command: list[str]) -> None:
    service = command[0] if command[0] != "migrate" else "registry"
    variable = f"ESSPASS_{service.upper()}_DATABASE_URL"
    done = run_cli(command, env=_env(tmp_path, **{variable: url}))
    line = _one_line(done)
    assert done.returncode == 2, line
    assert line.startswith(f"esspass: {variable} ") and "postgresql://" in line, line
    assert not (tmp_path / f"{service}.db").exists()  # nothing made in SQLite in its place


def test_a_database_url_up_cannot_use_is_refused_before_anything_starts(tmp_path: Path) -> None:
    done = run_cli(["up", "--http", "--data-dir", str(tmp_path)],
                   env=_env(tmp_path, DATABASE_URL=f"mysql://esspass:{SECRET}@db/esspass"))
    assert (done.returncode, _one_line(done).split(" ")[1]) == (2, "DATABASE_URL")
    assert not (tmp_path / "pki").exists()


@pytest.mark.parametrize("command", [["migrate"], ["migrate", "--service", "issuer"], ["registry", "list"],
                                     ["verifier", "records"], ["init"]])
def test_a_postgresql_server_that_does_not_answer_is_one_line_naming_the_setting_and_why_exit_1(
        tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "pki").mkdir(mode=0o700)  # a deployment's data directory (what `init` makes it first)
    url = f"postgresql://esspass:{SECRET}@127.0.0.1:{free_port()}/esspass"
    done = run_cli(command, env=_env(tmp_path, DATABASE_URL=url))
    line = _one_line(done)
    assert done.returncode == 1, line
    service = next((s for s in ("issuer", "verifier") if s in command), "registry")
    assert line.startswith(f"esspass: the {service}'s database (DATABASE_URL) cannot be reached: "), line
    assert "Connection refused" in line and "check that the database server runs" in line, line


def test_a_service_whose_own_database_url_does_not_answer_does_not_start_and_says_which_setting(
        tmp_path: Path) -> None:
    """As a process, as a service manager starts it: exit 1, one line, no server."""
    port = free_port()
    env = _env(tmp_path, ESSPASS_VERIFIER_DATABASE_URL=f"postgresql://esspass:{SECRET}@127.0.0.1:{free_port()}/x")
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "verifier", "serve", "--port", str(port)],
                          env=env, capture_output=True, text=True, timeout=120)
    line = _one_line(done)
    assert done.returncode == 1, line
    assert line.startswith("esspass: the verifier's database (ESSPASS_VERIFIER_DATABASE_URL) cannot be reached"), line


@pytest.mark.postgres
def test_a_postgresql_database_that_is_not_there_is_named_as_the_server_says(tmp_path: Path) -> None:
    base = os.environ["ESSPASS_TEST_POSTGRES_URL"].rsplit("/", 1)[0]
    done = run_cli(["migrate", "--service", "verifier"],
                   env=_env(tmp_path, ESSPASS_VERIFIER_DATABASE_URL=f"{base}/esspass_never_made_{free_port()}"))
    line = _one_line(done)
    assert done.returncode == 1 and "(ESSPASS_VERIFIER_DATABASE_URL)" in line and "does not exist" in line, line
