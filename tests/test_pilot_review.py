"""A new operator's review of ``esspass up`` and the commands beside it (findings 4, 5, 6, 7, 9, 14):
one test per finding, each against real processes on loopback ports, nothing mocked.

One pilot (``esspass up --http --port-base <free>``, its own data directory) serves the module; the
commands an operator types run as processes on that data directory, with no address set."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from esspass.pilot import SERVICES, Pilot
from esspass.testing import free_ports, pilot_started

ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: Path | None, **extra: str) -> dict[str, str]:
    """The operator's environment: no ESSPASS_ setting but the data directory (and ``extra``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
    if data_dir is not None:
        env["ESSPASS_DATA_DIR"] = str(data_dir)
    return {**env, **extra}


def _esspass(*args: str, data_dir: Path | None, cwd: Path = ROOT, timeout: float = 120,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "esspass.cli", *args], cwd=cwd, env=_env(data_dir, **(env or {})),
                          capture_output=True, text=True, timeout=timeout)


@dataclass
class Up:
    proc: subprocess.Popen[str]
    base: int
    data_dir: Path
    printed: str

    def url(self, offset: int) -> str:
        return f"http://localhost:{self.base + offset}"


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    try:  # never leave a service behind: its own session holds `esspass up` and its services
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    """``esspass up --http --port-base <free>``; logs left open to others by an earlier release."""
    data_dir = tmp_path_factory.mktemp("up")
    (data_dir / "logs").mkdir(mode=0o755)
    (data_dir / "logs").chmod(0o755)
    (data_dir / "logs" / "registry.log").write_text("")
    (data_dir / "logs" / "registry.log").chmod(0o644)
    base = free_ports(len(SERVICES))
    proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "up", "--http", "--port-base", str(base),
                             "--data-dir", str(data_dir)], cwd=ROOT, env=_env(data_dir), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        printed = pilot_started(proc, 120)
        assert "ESSPASS pilot is running" in printed, printed
        yield Up(proc, base, data_dir, printed)
    finally:
        _stop(proc)


def _free_port() -> int:
    return free_ports(1)


def test_finding_4_checks_and_the_terminal_wallet_find_a_pilot_on_other_ports_and_say_where_they_looked(
        up: Up, tmp_path: Path) -> None:
    record = json.loads((up.data_dir / "pilot.json").read_text())
    assert stat.S_IMODE((up.data_dir / "pilot.json").stat().st_mode) == 0o600
    assert record["scheme"] == "http" and record["services"]["registry"] == up.url(0)
    assert set(record["pids"]) == {s.name for s in SERVICES}

    issuer = _esspass("issuer", "check", data_dir=up.data_dir)
    assert issuer.returncode == 0, issuer.stdout + issuer.stderr
    verifier = _esspass("verifier", "check", data_dir=up.data_dir)
    assert verifier.returncode == 0, verifier.stdout + verifier.stderr

    # The terminal wallet receives an offer of the --http pilot, with no setting at all.
    from credentials.demo_persons import DEMO_PERSONS
    from esspass.stack import Clerk, unnumbered

    person = DEMO_PERSONS[0]
    with httpx.Client(timeout=20) as http:
        clerk = Clerk(up.url(1), up.data_dir, http)
        holder = {k: person.pid[k] for k in ("family_name", "given_name", "birthdate")}
        case_id = clerk.create_case("LV:VSAA", "pda1", unnumbered(person.pda1), holder)
        offer = clerk.offer("LV:VSAA", case_id)
    wallet = {"ESSPASS_WALLET_PASSPHRASE": "correct horse battery", "ESSPASS_WALLET_SCRYPT_N": "1024"}
    store = str(tmp_path / "wallet.enc")
    init = _esspass("wallet", "--wallet", store, "init", data_dir=up.data_dir, env=wallet)
    assert init.returncode == 0, init.stderr
    got = _esspass("wallet", "--wallet", store, "--lang", "en", "receive", offer["link"], "--tx-code",
                   offer["tx_code"], data_dir=up.data_dir, env=wallet)
    assert got.returncode == 0, got.stdout + got.stderr
    assert "usable https address" not in got.stderr

    # Plain http only to the pilot's own addresses: any other loopback port is refused.
    from credentials.errors import MalformedError
    from wallet.http import check_url
    from wallet.settings import WalletSettings

    allowed = WalletSettings(data_dir=up.data_dir).allow_loopback_http
    assert allowed == sorted(record["services"].values())
    assert check_url(f"{up.url(1)}/lv-vsaa", "x", allow_loopback_http=allowed)
    with pytest.raises(MalformedError):
        check_url(f"http://localhost:{_free_port()}/lv-vsaa", "x", allow_loopback_http=allowed)
    assert WalletSettings(data_dir=tmp_path).allow_loopback_http is False  # no pilot there

    # A registry that does not answer: the address tried and what to look at, never "not trusted".
    dead = f"http://127.0.0.1:{_free_port()}"
    for command in (("issuer", "check"), ("verifier", "check")):
        done = _esspass(*command, data_dir=up.data_dir, env={"ESSPASS_REGISTRY_URL": dead})
        assert done.returncode == 1
        assert f"the trust registry at {dead} cannot be reached" in done.stderr, done.stderr
        assert "`esspass up` may not be running" in done.stderr and "Traceback" not in done.stderr
    fresh = tmp_path / "elsewhere"  # no trust list held from an earlier visit
    with httpx.Client(timeout=20) as http:
        offer = Clerk(up.url(1), up.data_dir, http).offer("LV:VSAA", case_id)
    done = _esspass("wallet", "--wallet", str(tmp_path / "other.enc"), "init", data_dir=fresh, env=wallet)
    assert done.returncode == 0, done.stderr
    done = _esspass("wallet", "--wallet", str(tmp_path / "other.enc"), "--lang", "en", "receive", offer["link"],
                    "--tx-code", offer["tx_code"], data_dir=fresh,
                    env={"ESSPASS_WALLET_PKI_DIR": str(up.data_dir / "pki"),
                         "ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP": "true", **wallet})
    assert done.returncode == 1
    assert "not on the trusted list" not in done.stderr, done.stderr
    assert "https://localhost:8101" in done.stderr and "could not be reached" in done.stderr
    assert "`esspass up` may not be running" in done.stderr


def test_finding_5_demo_reports_a_mismatch_or_a_missing_ca_in_one_line_and_exit_1(up: Up, tmp_path: Path) -> None:
    other = _free_port()
    for options, said in ((("--port-base", str(up.base)), f"runs at {up.url(0)}"),
                          (("--http", "--port-base", str(other)), f"runs at {up.url(0)}")):
        done = _esspass("demo", *options, data_dir=up.data_dir)
        assert done.returncode == 1, done.stdout + done.stderr
        assert said in done.stderr and "--http" in done.stderr and "Traceback" not in done.stderr
        assert "core" not in done.stdout and "story" not in done.stdout

    # The data directory not exported: no traceback, where it looked, and what to do.
    done = _esspass("demo", "--port-base", str(other), data_dir=None, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert str(tmp_path / ".esspass" / "pki" / "tls" / "ca.pem") in done.stderr
    assert "same data directory as `esspass up`" in done.stderr

    # Nothing on those ports: said so, exit 1, no core story passed off as the demo.
    done = _esspass("demo", "--http", "--port-base", str(other), data_dir=tmp_path)
    assert done.returncode == 1 and "cannot be reached" in done.stderr and f":{other}" in done.stderr

    # Without a record (a pilot of an older release): the scheme that does not fit is named.
    from esspass.demo import _probe

    refused = _probe(f"https://localhost:{up.base}", up.data_dir / "pki" / "tls" / "ca.pem")
    assert refused is not None and "does not answer over https" in refused and "--http" in refused

    # Without options the demo finds the pilot of its data directory.
    done = _esspass("demo", data_dir=up.data_dir, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Done: the story went as expected." in done.stdout


def test_finding_6_a_second_up_on_ports_in_use_refuses_at_once_naming_the_port(up: Up, tmp_path: Path) -> None:
    done = _esspass("up", "--http", "--port-base", str(up.base), "--data-dir", str(tmp_path), data_dir=tmp_path,
                    timeout=60)
    assert done.returncode == 1
    assert f"port {up.base} (the registry) is in use" in done.stderr
    assert "another `esspass up` running?" in done.stderr
    assert "pilot is running" not in done.stdout and not (tmp_path / "pki").exists()  # nothing started
    fresh = tmp_path / "not-made"  # a data directory the refused up would have made: not left behind
    done = _esspass("up", "--http", "--port-base", str(up.base), "--data-dir", str(fresh), data_dir=tmp_path,
                    timeout=60)
    assert done.returncode == 1 and "is in use" in done.stderr and not fresh.exists()
    done = _esspass("up", "--http", "--port-base", str(_free_port()), "--data-dir", str(up.data_dir),
                    data_dir=up.data_dir, timeout=60)
    assert done.returncode == 1 and "a pilot already runs from" in done.stderr

    # A port taken once the check passed (another program answering /healthz there too): the
    # child's own error, not the other program's health, and nothing left running.
    pilot_dir = tmp_path / "race"
    from fastapi import FastAPI

    from esspass.pilot import ServiceFailed, init
    from esspass.testing import serve

    init(pilot_dir)
    impostor = FastAPI()

    @impostor.get("/healthz")
    def _healthz() -> dict[str, str]:
        return {"status": "ok", "service": "issuer"}

    base = free_ports(len(SERVICES))
    with serve(impostor, port=base + 1):
        pilot = Pilot(pilot_dir, tls=False, ports={s.name: base + i for i, s in enumerate(SERVICES)})
        with pytest.raises(ServiceFailed) as failed:
            with pilot:
                pass
    assert failed.value.name == "issuer"
    assert failed.value.error is not None and "address already in use" in failed.value.error
    assert all(p.poll() is not None for p in pilot.procs.values())


def test_finding_7_the_issuer_address_up_prints_names_its_institutions(up: Up) -> None:
    issuer = up.url(1)
    assert f"{issuer}/" in up.printed
    with httpx.Client(timeout=10) as http:
        page = http.get(f"{issuer}/", headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        assert "style-src 'self'" in csp and "script-src" not in csp and "default-src 'none'" in csp
        assert "<script" not in page.text and "style=" not in page.text
        assert 'href="/lv-vsaa/office?lang=en"' in page.text
        assert 'href="/.well-known/openid-credential-issuer/lv-vsaa"' in page.text
        assert "Latvian" in page.text or "Valsts" in page.text
        assert "Wystawca" in http.get(f"{issuer}/?lang=pl").text

        listed = http.get(f"{issuer}/", headers={"Accept": "application/json"}).json()["institutions"]
        vsaa = next(i for i in listed if i["id"] == "LV:VSAA")
        assert vsaa["credential_issuer"] == f"{issuer}/lv-vsaa" and vsaa["back_office"] == f"{issuer}/lv-vsaa/office"
        metadata = http.get(vsaa["credential_issuer_metadata"]).json()
        assert metadata["credential_issuer"] == f"{issuer}/lv-vsaa"
        assert next(i for i in listed if i["id"] == "PL:ZUS")["approval"] is True

        bare = http.get(f"{issuer}/lv-vsaa")
        assert bare.status_code == 303 and bare.headers["location"] == "/lv-vsaa/office"
        assert http.get(f"{issuer}/lv-vsaa", follow_redirects=True).status_code == 200  # the sign-in page
        assert http.get(f"{issuer}/no-such-institution").status_code == 404
        assert http.get(f"{issuer}/import-template.csv").status_code == 200  # earlier routes still first


def test_finding_9_issuer_check_names_the_pilots_address_and_the_listed_one(up: Up) -> None:
    done = _esspass("issuer", "check", data_dir=up.data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"This issuer: {up.url(1)} (the pilot running from {up.data_dir})" in done.stdout
    assert f"LV:VSAA        ok       {up.url(1)}/lv-vsaa: listed" in done.stdout
    assert "127.0.0.1:8102" not in done.stdout and "warning" not in done.stdout

    # The registry lists ZUS (four-eyes) and VSAA elsewhere: ZUS's deferrals would be refused by
    # wallets (a failure); VSAA's status lists are looked for in the wrong place (a warning).
    def status_lists(entity: str, url: str) -> None:
        changed = _esspass("registry", "status-lists", entity, url, data_dir=up.data_dir)
        assert changed.returncode == 0, changed.stderr

    try:
        status_lists("PL:ZUS", "https://zus.example/pl-zus/status-lists")
        status_lists("LV:VSAA", f"{up.url(1)}/elsewhere/status-lists")
        done = _esspass("issuer", "check", data_dir=up.data_dir)
        assert done.returncode == 1, done.stdout
        zus = next(line for line in done.stdout.splitlines() if line.startswith("PL:ZUS"))
        assert "REFUSED" in zus and "wallets will not wait for its deferred documents" in zus
        assert "https://zus.example/pl-zus/status-lists, on another server" in zus
        vsaa = done.stdout.split("LV:VSAA", 1)[1].split("\n", 2)
        assert " ok " in vsaa[0] and "warning" in vsaa[1] and "on another path" in vsaa[1]
    finally:
        status_lists("PL:ZUS", f"{up.url(1)}/pl-zus/status-lists")
        status_lists("LV:VSAA", f"{up.url(1)}/lv-vsaa/status-lists")


def test_finding_14_logs_are_private_and_all_json(up: Up, tmp_path: Path) -> None:
    logs = up.data_dir / "logs"
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    for spec in SERVICES:
        assert stat.S_IMODE((logs / f"{spec.name}.log").stat().st_mode) == 0o600, spec.name

    # uvicorn's own startup error (the port taken) goes through the JSON formatter too.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _esspass("registry", "serve", "--port", str(port), data_dir=up.data_dir, timeout=60)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, done.stdout
    records = [json.loads(line) for line in lines]  # every line is JSON
    assert any(r["level"] == "error" and "address already in use" in r["message"] for r in records), records
    for spec in SERVICES:
        for line in (logs / f"{spec.name}.log").read_text().splitlines():
            assert isinstance(json.loads(line), dict), (spec.name, line)


def _plant_record(data_dir: Path, base: int, pid: int, *, mode: int = 0o600) -> Path:
    """A pilot.json as ``up`` writes it, for ``pid``, naming ``base`` and the ports after it."""
    body = {"data_dir": str(data_dir.resolve()), "scheme": "http", "pid": pid,
            "services": {s.name: f"http://127.0.0.1:{base + i}" for i, s in enumerate(SERVICES)},
            "pids": {s.name: pid for s in SERVICES}, "settings": {}}
    path = data_dir / "pilot.json"
    path.write_text(json.dumps(body))
    path.chmod(mode)
    return path


def _serving(pid: int) -> bool:
    """``pid`` runs (a zombie, ended but not yet reaped by its new parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_finding_1_a_stale_or_foreign_pilot_record_is_ignored_and_up_replaces_it(tmp_path: Path) -> None:
    from esspass.pilot import read_record
    from wallet.settings import WalletSettings

    data_dir = tmp_path / "d"
    data_dir.mkdir(mode=0o700)
    base = free_ports(len(SERVICES))
    # Alive processes, but no `esspass up` of this data directory: pid 1 (a container's `up` after a
    # restart) and this test process (an `up` that would find its own pid in an old record).
    for pid in (1, os.getpid()):
        _plant_record(data_dir, _free_port(), pid)
        assert read_record(data_dir) is None
        settings = WalletSettings(data_dir=data_dir)
        assert settings.allow_loopback_http is False and settings.registry_url == "https://localhost:8101"

    # `up` starts over the stale record (its pid 1 and its ports are no refusal) and replaces it.
    record = _plant_record(data_dir, _free_port(), 1)
    proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "up", "--http", "--port-base", str(base),
                             "--data-dir", str(data_dir)], cwd=ROOT, env=_env(data_dir), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        printed = pilot_started(proc, 120)
        assert "ESSPASS pilot is running" in printed, printed
        running = read_record(data_dir)
        assert running is not None and running.pid == proc.pid and running.port_base() == base
        # The record of the running pilot, but open to others, or another user's: not trusted.
        record.chmod(0o644)
        assert read_record(data_dir) is None
        assert WalletSettings(data_dir=data_dir).allow_loopback_http is False
        record.chmod(0o600)
        assert read_record(data_dir) is not None
        if os.getuid() == 0:
            import pwd

            os.chown(record, pwd.getpwnam("nobody").pw_uid, -1)
            assert read_record(data_dir) is None
            assert WalletSettings(data_dir=data_dir).registry_url == "https://localhost:8101"
            os.chown(record, 0, -1)
            assert read_record(data_dir) is not None
        # A second `up` on the same data directory still refuses: the first holds it.
        again = _esspass("up", "--http", "--port-base", str(_free_port()), "--data-dir", str(data_dir),
                         data_dir=data_dir, timeout=60)
        assert again.returncode == 1 and "a pilot already runs from" in again.stderr, again.stderr
        assert f"process {proc.pid}" in again.stderr
    finally:
        _stop(proc)


def test_finding_2_services_end_with_an_up_killed_by_sigkill(tmp_path: Path) -> None:
    from esspass.pilot import busy_port

    data_dir = tmp_path / "d"
    base = free_ports(len(SERVICES))
    ports = {s.name: base + i for i, s in enumerate(SERVICES)}
    proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "up", "--http", "--port-base", str(base),
                             "--data-dir", str(data_dir)], cwd=ROOT, env=_env(data_dir), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    serve: subprocess.Popen[bytes] | None = None
    try:
        printed = pilot_started(proc, 120)
        assert "ESSPASS pilot is running" in printed, printed
        children = list(json.loads((data_dir / "pilot.json").read_text())["pids"].values())
        assert children and all(_serving(pid) for pid in children)
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while (any(_serving(pid) for pid in children) or busy_port(ports)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_serving(pid) for pid in children), [p for p in children if _serving(p)]
        assert busy_port(ports) is None

        # A service of a stale record that still holds its port (an older release's, or one started
        # by hand): the new `up` names it in its refusal.
        serve = subprocess.Popen([sys.executable, "-m", "esspass.cli", "registry", "serve", "--port", str(base)],
                                 cwd=ROOT, env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while busy_port({"registry": base}) is None and time.monotonic() < deadline:
            assert serve.poll() is None
            time.sleep(0.2)
        stale = json.loads((data_dir / "pilot.json").read_text())
        stale["pids"]["registry"] = serve.pid
        (data_dir / "pilot.json").write_text(json.dumps(stale))
        done = _esspass("up", "--http", "--port-base", str(base), "--data-dir", str(data_dir), data_dir=data_dir,
                        timeout=60)
        assert done.returncode == 1
        assert f"port {base} (the registry) is in use" in done.stderr, done.stderr
        assert f"process {serve.pid}" in done.stderr and "earlier `esspass up`" in done.stderr, done.stderr
    finally:
        _stop(proc)
        if serve is not None:
            serve.kill()
            serve.wait()


def test_finding_3_unknown_paths_on_the_issuer_are_json_404_whatever_the_host(up: Up) -> None:
    with httpx.Client(timeout=10) as http:
        for host in (None, "evil.example"):
            headers = {"Host": host} if host else {}
            for path in ("/nope/", "/nope", "/no-such-institution/"):
                answer = http.get(f"{up.url(1)}{path}", headers=headers)
                assert answer.status_code == 404, (path, host, answer.headers.get("location"))
                assert answer.json()["error"] == "not_found"
            for path in ("/lv-vsaa", "/lv-vsaa/"):
                answer = http.get(f"{up.url(1)}{path}", headers=headers, params={"lang": "lv"})
                assert answer.status_code == 303, (path, answer.status_code)
                assert answer.headers["location"] == "/lv-vsaa/office?lang=lv"


def test_finding_4_a_union_setting_error_names_what_it_accepts(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    from pydantic import ValidationError

    from esspass.config import settings_error_line
    from wallet.settings import WalletSettings

    for value in ('"http://x"', "[1]", "maybe"):
        monkeypatch.setenv("ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP", value)
        with pytest.raises(ValidationError) as refused:
            WalletSettings(data_dir=tmp_path)
        line = settings_error_line(refused.value)
        assert line == ("esspass: ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP is not valid: it must be true or false, "
                        'or a JSON list (["...", ...])'), line
    done = _esspass("wallet", "--wallet", str(tmp_path / "w.enc"), "init", data_dir=tmp_path,
                    env={"ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP": '"http://secret-x"'})
    assert done.returncode != 0 and "secret-x" not in done.stderr
    assert done.stderr.strip().splitlines() == [line], done.stderr


def test_finding_4_the_record_goes_at_a_clean_stop(up: Up) -> None:
    """Last (it stops the module's pilot): Ctrl-C removes pilot.json; commands then use the defaults."""
    assert (up.data_dir / "pilot.json").exists()
    up.proc.send_signal(signal.SIGINT)
    rest, _ = up.proc.communicate(timeout=60)
    assert up.proc.returncode == 0, rest
    deadline = time.monotonic() + 5
    while (up.data_dir / "pilot.json").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not (up.data_dir / "pilot.json").exists()
    from wallet.settings import WalletSettings

    assert WalletSettings(data_dir=up.data_dir).registry_url == "https://localhost:8101"
