"""The processes an operator runs: ``esspass up`` stops its services on SIGTERM as on Ctrl-C, and
``esspass demo --port-base`` finds a pilot started on other ports; ``serve --workers N`` logs from
every worker and fails as one process would; the wallet's pages log too. Real processes on
loopback ports, nothing mocked."""

from __future__ import annotations

import json
import os
import shutil
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

from esspass.pilot import SERVICES
from esspass.testing import free_port, free_ports, pilot_started

ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
    return {**env, "ESSPASS_DATA_DIR": str(data_dir), **extra}


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_healthy(url: str, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"exited with {proc.returncode}"
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not become healthy")


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Up:
    proc: subprocess.Popen[str]
    base: int
    data_dir: Path
    ports: list[int]


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    """``esspass up --http --port-base <free>`` with its own data directory, until it prints its URLs."""
    data_dir = tmp_path_factory.mktemp("up")
    base = free_ports(len(SERVICES))
    proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "up", "--http", "--port-base", str(base),
                             "--data-dir", str(data_dir)], cwd=ROOT, env=_env(data_dir), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    ports = [base + i for i in range(len(SERVICES))]
    try:
        printed = pilot_started(proc, 120)
        assert "ESSPASS pilot is running" in printed, printed
        yield Up(proc, base, data_dir, ports)
    finally:
        _stop(proc)
        # Never leave a service behind, whatever the test found: its own session holds exactly
        # `esspass up` and the services it started.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_demo_finds_a_pilot_started_with_another_port_base(up: Up) -> None:
    assert up.base != SERVICES[0].port
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "demo", "--http", "--port-base", str(up.base),
                           "--data-dir", str(up.data_dir)], cwd=ROOT, env=_env(up.data_dir), capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The pilot is not running" not in done.stdout
    assert "Done: the story went as expected." in done.stdout, done.stdout


def test_sigterm_to_esspass_up_stops_every_service(up: Up) -> None:
    for service_port in up.ports:
        assert httpx.get(f"http://127.0.0.1:{service_port}/healthz", timeout=5).status_code == 200
    up.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    while any(_answers(p) for p in up.ports) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in up.ports if _answers(p)], "services still answer after SIGTERM to esspass up"
    rest, _ = up.proc.communicate(timeout=15)
    assert up.proc.returncode == 0, rest
    assert "Stopped." in rest


@pytest.fixture(scope="module")
def pilot_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the demo PKI and the seeded registry (``esspass init``)."""
    data_dir = tmp_path_factory.mktemp("pilot")
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "init", "--data-dir", str(data_dir)], cwd=ROOT,
                          env=_env(data_dir), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return data_dir


def _json_lines(text: str) -> list[dict[str, object]]:
    out = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


def test_every_worker_of_serve_workers_writes_json_logs_and_private_files(pilot_data: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(pilot_data, data_dir)
    port = free_port()
    log = tmp_path / "verifier.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "verifier", "serve", "--workers", "2",
                                 "--port", str(port)], cwd=ROOT, env=_env(data_dir), stdout=subprocess.DEVNULL,
                                stderr=err, text=True)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", proc)
            for _ in range(20):  # new connections, so that both workers are likely to answer some
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    assert proc.returncode == 0
    requests = [r for r in _json_lines(log.read_text()) if r.get("message") == "request"]
    assert requests and all(r["service"] == "verifier" and r["route"] == "/healthz" for r in requests)
    for name in ("verifier.db", "verifier.db-wal", "verifier.db-shm"):
        if (data_dir / name).exists():
            assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name
    made = [p for p in (data_dir / "verifier").rglob("*")]
    assert made and all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in [data_dir / "verifier", *made])


def test_serve_workers_exits_3_when_the_workers_cannot_start(pilot_data: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(pilot_data, data_dir)
    # Passes the preflight (the access certificate) and fails in each worker's start-up.
    env = _env(data_dir, ESSPASS_VERIFIER_REGISTRY_ROOT=str(tmp_path / "missing-root.pem"))
    done = subprocess.run([sys.executable, "-m", "esspass.cli", "verifier", "serve", "--workers", "2",
                           "--port", str(free_port())], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=90)
    assert done.returncode == 3, done.stderr


def test_the_wallet_pages_write_json_logs(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "wallet.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "esspass.cli", "wallet", "serve", "--port", str(port)],
                                cwd=ROOT, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=err, text=True)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", proc)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    records = _json_lines(log.read_text())
    assert any(r.get("service") == "wallet" and r.get("route") == "/healthz" for r in records), log.read_text()


@pytest.mark.skipif(not Path("/proc/sys/net/ipv4/ip_local_port_range").exists(), reason="Linux's port ranges")
def test_ports_for_a_later_server_are_never_ones_an_outgoing_connection_can_hold() -> None:
    """A port from bind(0) can be held by any client socket (here one to a listener of ours) when
    the server process binds it: ``esspass up`` then fails to start (uvicorn exit code 3). Ports
    for servers started later come from below the ephemeral range, each handed out once."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            held = client.getsockname()[1]
            blocks = [free_ports(len(SERVICES)) for _ in range(20)] + [free_port() for _ in range(20)]
    ports = [b + i for b in blocks[:20] for i in range(len(SERVICES))] + blocks[20:]
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    assert held >= low and all(p < low for p in ports)
    assert len(set(ports)) == len(ports)
    for port in ports:
        with socket.socket() as server:
            server.bind(("127.0.0.1", port))


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _workers(supervisor: int) -> list[int]:
    """The uvicorn worker processes ``supervisor`` started (multiprocessing's spawned children)."""
    found = []
    for pid in _children(supervisor):
        try:
            if b"--multiprocessing-fork" in Path(f"/proc/{pid}/cmdline").read_bytes() \
                    and b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_serve_workers_end_when_their_supervisor_is_killed_outright_so_the_service_restarts(
        pilot_data: Path, tmp_path: Path) -> None:
    """``kill -9`` of ``serve --workers 2`` (or the out-of-memory killer): its workers end with it,
    leaving the port free for the restart, not serving on as orphans that hold it."""
    data_dir = tmp_path / "data"
    shutil.copytree(pilot_data, data_dir)
    port = free_port()
    command = [sys.executable, "-m", "esspass.cli", "registry", "serve", "--workers", "2", "--port", str(port)]
    log = tmp_path / "registry.log"
    with log.open("w") as err:
        proc = subprocess.Popen(command, cwd=ROOT, env=_env(data_dir), stdout=subprocess.DEVNULL,
                                stderr=err, text=True, start_new_session=True)
    again: subprocess.Popen[str] | None = None
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc)
        deadline = time.monotonic() + 30
        while len(workers := _workers(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, workers
        # One worker killed (the out-of-memory killer): replaced, and the log says so.
        killed = workers[0]
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while (len(workers := _workers(proc.pid)) < 2 or not [
                r for r in _json_lines(log.read_text()) if "died" in str(r.get("message"))]) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        lines = _json_lines(log.read_text())
        assert [r for r in lines if r.get("event") == "serving" and f":{port}" in str(r["message"])], lines
        assert [r for r in lines if f"[{killed}] died" in str(r.get("message"))], lines
        assert len(workers) == 2, workers
        _wait_healthy(f"http://127.0.0.1:{port}", proc)
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 20
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [w for w in workers if _alive(w)], "the workers served on without their supervisor"
        assert not _answers(port)
        again = subprocess.Popen(command, cwd=ROOT, env=_env(data_dir), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        _wait_healthy(f"http://127.0.0.1:{port}", again)
    finally:
        for started in (proc, again):
            if started is not None:
                try:
                    os.killpg(started.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                started.wait(timeout=10)
