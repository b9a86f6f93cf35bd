"""``esspass init`` and ``esspass up``: the whole pilot on one machine, one process per service.

``init`` creates, once, the demo PKI and the data directory, and seeds the trust registry with
the demo institutions and inspectorates. ``up`` runs ``init`` if needed, starts the registry,
issuer, verifier and wallet as separate processes on their documented localhost ports (HTTPS
with the demo PKI's TLS certificate unless ``--http``), waits until each answers ``/healthz`` (60 s
in all, or ``--wait SECONDS``, or ``ESSPASS_UP_WAIT``: a loaded machine may need longer), prints
the URLs, and stops them all on Ctrl-C or SIGTERM (a service manager's or ``kill``'s stop): no
service outlives it. A second run reuses the data.

Before starting anything, ``up`` checks that each port is free on the loopback address (else one
line naming the port, and the processes of an earlier ``up`` of the data directory still holding
them). While the services run, ``<data dir>/pilot.json`` (mode 0600) records where: each service's
base URL, ``http`` or ``https``, and the process ids; it is removed at a clean stop. For as long
as it runs, ``up`` holds an exclusive ``flock`` on ``<data dir>/pilot.lock`` (which names its
process id): that lock, not a process id that may since have been reused, tells that the record's
``up`` still runs. The operator's commands on the same data directory (``esspass demo``, ``esspass
issuer check``, ``esspass verifier check``, ``esspass wallet ...``) take the addresses from it when
the corresponding setting is not given (:func:`pilot_url`); a record whose ``up`` no longer holds
the lock, or that is not the user's own file readable by the user alone, is ignored, and the next
``up`` replaces it. The services die with ``up`` even when it is killed outright (``kill -9``):
each asks the kernel for SIGTERM when its parent ends (Linux). The services' logs (``<data
dir>/logs``, 0700; files 0600) are JSON lines, uvicorn's own startup errors included, and a service
that cannot start has its error line printed by ``up``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import httpx

try:
    import fcntl
except ImportError:  # not a POSIX system: liveness falls back to the recorded process id
    fcntl = None  # type: ignore[assignment]

from esspass.config import INSTANCE_ENV, default_data_dir
from esspass.serve import PARENT_ENV

__all__ = ["DEFAULT_PORT_BASE", "RECORD_FILE", "SERVICES", "Pilot", "PilotRecord", "ServiceSpec", "busy_port",
           "last_error", "pilot_approval_setting", "pilot_loopback_origins", "pilot_loopback_setting", "pilot_url",
           "pilot_url_setting", "read_record", "register", "unreachable"]


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    name: str  # the CLI group: esspass <name> serve
    port: int
    title: str


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("registry", 8101, "Trust registry (signed lists of institutions and inspectorates)"),
    ServiceSpec("issuer", 8102, "Issuer: institutions' back office and OpenID4VCI endpoints"),
    ServiceSpec("verifier", 8103, "Verifier: the inspector's page"),
    ServiceSpec("wallet", 8104, "Wallet: the worker's phone wallet page"),
)


#: ``esspass up --port-base``'s default: the registry's port; the issuer, verifier and wallet follow.
DEFAULT_PORT_BASE = SERVICES[0].port
#: Seconds the four services have in all to answer /healthz (``up --wait``); a setting of its own too.
DEFAULT_WAIT = 60.0
WAIT_ENV = "ESSPASS_UP_WAIT"


def pki_dir(data_dir: Path) -> Path:
    return data_dir / "pki"


#: Where a running ``esspass up`` records its services, in its data directory.
RECORD_FILE = "pilot.json"
#: The file a running ``esspass up`` holds an exclusive ``flock`` on, for as long as it runs.
LOCK_FILE = "pilot.lock"
#: The settings of the services the record keeps besides the addresses (:class:`PilotRecord`).
_RECORDED_SETTINGS = ("ESSPASS_ISSUER_APPROVAL",)


@dataclass(frozen=True, slots=True)
class PilotRecord:
    """What ``<data dir>/pilot.json`` says: where the pilot of that data directory runs."""

    data_dir: Path
    scheme: str  # "https", or "http" for ``up --http``
    urls: dict[str, str]  # service name -> base URL (https://localhost:8101)
    pid: int  # ``esspass up`` itself
    pids: dict[str, int]  # service name -> process id
    #: Settings ``up`` gave its services beyond the addresses, that the operator's commands on the
    #: same data directory need to see what the services see (ESSPASS_ISSUER_APPROVAL).
    settings: dict[str, str]

    def port_base(self) -> int:
        return int(self.urls[SERVICES[0].name].rsplit(":", 1)[1])


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running, but not a pilot of ours
        return False
    return True


def _own_private_file(fd: int) -> bool:
    """The open file is this user's and neither its group nor others may read or write it."""
    st = os.fstat(fd)
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def _read_own(path: Path) -> str | None:
    """The text of ``path`` when it is this user's own private file (not through a symlink), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not _own_private_file(fd):
            return None
        return f.read(1024 * 1024).decode("utf-8", "replace")


def running_up(data_dir: Path, *, any_owner: bool = False) -> int | None:
    """The process id of the ``esspass up`` running from ``data_dir`` (it holds :data:`LOCK_FILE`,
    which names it; 0 when the lock names nobody readable), else None. A shared lock taken here
    (and released at once) would be granted if no ``up`` held it; readers' shared locks do not
    stand in each other's way. A lock file that is not this user's own private file names no pilot
    of theirs, unless ``any_owner`` (a command that must not run beside anyone's ``up``: another
    user's, root's)."""
    if fcntl is None:  # pragma: no cover - not Linux: no lock to ask
        return None
    try:
        fd = os.open(data_dir / LOCK_FILE, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if not any_owner and not _own_private_file(fd):
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # an `up` holds it
            named = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            return int(named) if named.isdigit() else 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _up_holds(data_dir: Path, pid: int) -> bool:
    """The ``esspass up`` with process id ``pid`` still runs from ``data_dir`` (:func:`running_up`)."""
    if fcntl is None:  # pragma: no cover - not Linux: only whether some process has the id
        return pid != os.getpid() and _running(pid)
    return running_up(data_dir) == pid


def _take_lock(data_dir: Path) -> int | None:
    """For ``up``: the lock on ``data_dir``'s :data:`LOCK_FILE`, held until the descriptor returned
    is closed (not inherited by the services), with this process's id written in it; None when
    another ``up`` holds it. A reader's brief shared lock (:func:`_up_holds`) is waited out."""
    path = data_dir / LOCK_FILE
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError:  # a symlink planted there, say: not ours to follow
        path.unlink(missing_ok=True)
        fd = os.open(path, flags | os.O_EXCL, 0o600)
    if not _own_private_file(fd):  # another user's file, or open to others: not one to trust or share
        os.close(fd)
        path.unlink(missing_ok=True)
        fd = os.open(path, flags | os.O_EXCL, 0o600)
    if fcntl is None:  # pragma: no cover - not Linux
        return fd
    deadline = time.monotonic() + 0.5
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                return None
            time.sleep(0.05)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


def _load_record(data_dir: Path) -> PilotRecord | None:
    """What ``data_dir``'s record says, whether or not its ``up`` still runs; None when there is
    none, it is unreadable, not this user's own private file (0600), or another data directory's."""
    text = _read_own(data_dir / RECORD_FILE)
    if text is None:
        return None
    try:
        raw = json.loads(text)
        record = PilotRecord(Path(raw["data_dir"]), str(raw["scheme"]),
                             {str(k): str(v) for k, v in raw["services"].items()}, int(raw["pid"]),
                             {str(k): int(v) for k, v in raw.get("pids", {}).items()},
                             {str(k): str(v) for k, v in raw.get("settings", {}).items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if record.data_dir != data_dir or record.scheme not in ("http", "https"):
        return None
    if any(s.name not in record.urls for s in SERVICES):
        return None
    return record


def read_record(data_dir: Path | None) -> PilotRecord | None:
    """The record of the pilot running from ``data_dir``; None when there is none, it is not ours
    (another user's file, open to others, another data directory's copied here), unreadable, or
    its ``esspass up`` no longer runs (holds the lock no more, whatever runs with its process id)."""
    if data_dir is None:
        return None
    data_dir = Path(data_dir).resolve()
    record = _load_record(data_dir)
    if record is None or not _up_holds(data_dir, record.pid):
        return None
    return record


def _left_running(record: PilotRecord | None) -> list[int]:
    """The services of a stale record that still run (an ``up`` of an older release killed outright,
    or one on a system without the parent-death signal): process ids that are alive and, where
    ``/proc`` tells, an ``esspass`` service process."""
    found: list[int] = []
    for pid in (record.pids.values() if record is not None else ()):
        if pid <= 1 or pid == os.getpid() or not _running(pid):
            continue
        if not Path("/proc/self").exists():  # no /proc to tell what runs: named by its id alone
            found.append(pid)
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        if b"esspass" in cmdline and b"serve" in cmdline:
            found.append(pid)
    return sorted(set(found))


def pilot_url(data_dir: Path | None, service: str, default: str | None = None) -> str | None:
    """The base URL of ``service`` of the pilot running from ``data_dir`` (:func:`read_record`), else
    ``default``: the settings' default for the address of another service, so that an operator's
    command on the pilot's data directory finds the pilot whatever its ``--port-base`` and ``--http``
    (an explicit setting always wins over a default)."""
    record = read_record(data_dir)
    return record.urls[service] if record is not None else default


def pilot_loopback_origins(data_dir: Path | None) -> bool | list[str]:
    """The wallet's ``allow_loopback_http`` default: the origins of a pilot running with ``--http``
    from ``data_dir``, which a terminal wallet on that data directory may reach over plain http;
    else False (https only)."""
    record = read_record(data_dir)
    if record is None or record.scheme != "http":
        return False
    return sorted(record.urls.values())


def pilot_url_setting(data: Mapping[str, Any], service: str, default: str | None) -> Any:
    """A settings default (``Field(default_factory=...)``, given the fields validated so far):
    :func:`pilot_url` for the settings' ``data_dir``."""
    data_dir = data.get("data_dir")
    return pilot_url(data_dir if isinstance(data_dir, Path) else None, service, default)


def pilot_loopback_setting(data: Mapping[str, Any]) -> bool | list[str]:
    """The wallet settings' default for ``allow_loopback_http``: :func:`pilot_loopback_origins`."""
    data_dir = data.get("data_dir")
    return pilot_loopback_origins(data_dir if isinstance(data_dir, Path) else None)


def pilot_approval_setting(data: Mapping[str, Any]) -> list[str]:
    """The issuer settings' default for ``approval``: what the pilot running from ``data_dir`` gave its
    issuer (four-eyes at ZUS), so that ``esspass issuer check`` and ``tokens`` judge it as it runs."""
    data_dir = data.get("data_dir")
    record = read_record(data_dir if isinstance(data_dir, Path) else None)
    try:
        value = json.loads(record.settings.get("ESSPASS_ISSUER_APPROVAL", "[]")) if record is not None else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def unreachable(what: str, url: str, detail: str = "") -> str:
    """The one line for a service that cannot be reached: the address tried, and what to look at."""
    why = f" ({detail})" if detail else ""
    return (f"{what} at {url} cannot be reached{why}: `esspass up` may not be running, or runs with other "
            "options (--port-base, --http, another --data-dir); the commands on the pilot's data directory "
            "find it, or set the address (ESSPASS_REGISTRY_URL ...)")


def _write_record(pilot: Pilot) -> Path:
    path = pilot.data_dir / RECORD_FILE
    body = {"data_dir": str(pilot.data_dir), "scheme": pilot.scheme, "pid": os.getpid(),
            "services": {s.name: pilot.url(s.name) for s in SERVICES},
            "pids": {name: proc.pid for name, proc in pilot.procs.items()},
            "settings": {name: value for name, value in pilot.env().items() if name in _RECORDED_SETTINGS}}
    tmp = path.with_name(f".{RECORD_FILE}.{os.getpid()}")
    tmp.unlink(missing_ok=True)  # whatever a crashed run (or another user) left there: a new file of ours
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(body, out, indent=2)
        out.write("\n")
    os.replace(tmp, path)
    return path


def _remove_record(data_dir: Path) -> None:
    """At a clean stop: only the record this process wrote (another ``up`` may have written its own)."""
    path = data_dir / RECORD_FILE
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") != os.getpid():
            return
    except (OSError, ValueError, AttributeError):
        return
    with contextlib.suppress(OSError):
        path.unlink()


def busy_port(ports: Mapping[str, int], host: str = "127.0.0.1") -> tuple[str, int] | None:
    """The first service whose port cannot be bound on ``host`` (as uvicorn binds it), or None."""
    for name, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, port))
            except OSError:
                return name, port
    return None


def last_error(log: Path) -> str | None:
    """The message of the last error a service logged (JSON lines; a plain line as it is)."""
    try:
        with open(log, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 64 * 1024))
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        try:
            record: Any = json.loads(line)
        except ValueError:
            if line.startswith(("ERROR", "CRITICAL", "esspass:")):
                return line.strip()
            continue
        if isinstance(record, dict) and record.get("level") in ("error", "critical"):
            return str(record.get("message", "")).strip() or None
    return None


def init(data_dir: Path, *, database_url: str | None = None, issuer_url: str | None = None,
         verifier_url: str | None = None) -> None:
    """Create the demo PKI and seed the registry database, once; later runs change nothing but
    where the demo issuer (``issuer_url``) lists each institution's status lists and where the demo
    verifier (``verifier_url``) publishes its privacy notice."""
    from credentials.institutions import DEMO_ENTITIES
    from credentials.pki import ensure_demo_pki
    from trust_registry.seed import seed_data_dir

    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _private(data_dir, 0o700)  # one made beforehand (mkdir, umask 022): the deployment's keys go in it
    ensure_demo_pki(pki_dir(data_dir), DEMO_ENTITIES, now=datetime.now(UTC))
    seed_data_dir(data_dir, database_url=database_url, issuer_url=issuer_url, verifier_url=verifier_url)


def service_env(data_dir: Path, scheme: str, base_env: Mapping[str, str]) -> dict[str, str]:
    """The environment every service process gets: where data lives and where the others are."""
    urls = {s.name: f"{scheme}://localhost:{s.port}" for s in SERVICES}
    env = dict(base_env)
    env.update(
        {
            "ESSPASS_DATA_DIR": str(data_dir),
            "ESSPASS_REGISTRY_URL": urls["registry"],
            "ESSPASS_REGISTRY_PUBLIC_URL": urls["registry"],
            "ESSPASS_ISSUER_PUBLIC_URL": urls["issuer"],
            "ESSPASS_VERIFIER_PUBLIC_URL": urls["verifier"],
            "ESSPASS_WALLET_PUBLIC_URL": urls["wallet"],
        }
    )
    # One institution of the pilot shows four-eyes approval (a second clerk approves each document
    # before it is signed; the wallet waits meanwhile): Poland's ZUS, which `esspass demo` calls last.
    # Not with an institutions file of the operator's: it may not host ZUS.
    if "ESSPASS_ISSUER_INSTITUTIONS_FILE" not in env:
        env.setdefault("ESSPASS_ISSUER_APPROVAL", '["PL:ZUS"]')
    if scheme == "https":
        env["ESSPASS_TLS_CA"] = str(pki_dir(data_dir) / "tls" / "ca.pem")
    else:
        # The wallet talks only https, but for a pilot on this computer without TLS (``--http``),
        # which it may allow for loopback addresses: else it refuses every offer of the pilot.
        env["ESSPASS_WALLET_ALLOW_LOOPBACK_HTTP"] = "true"
    return env


def _private(path: Path, mode: int) -> None:
    """``path`` to ``mode`` when an earlier release left it open to others (only our own files)."""
    with contextlib.suppress(OSError):
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o777 != mode:
            path.chmod(mode)


class ServiceFailed(RuntimeError):
    """A service process ended: which, its exit code, and the error it logged last."""

    def __init__(self, name: str, code: int | None, log: Path) -> None:
        self.name, self.code, self.log, self.error = name, code, log, last_error(log)
        super().__init__(f"the {name} stopped (exit code {code})" + (f": {self.error}" if self.error else "")
                         + f"; its log: {log}")


class Pilot:
    """The four service processes; a context manager that stops them all on exit."""

    def __init__(self, data_dir: Path, *, tls: bool = True, ports: Mapping[str, int] | None = None,
                 log_dir: Path | None = None, extra_env: Mapping[str, str] | None = None,
                 wait: float = DEFAULT_WAIT) -> None:
        self.data_dir = data_dir
        #: Seconds the services have in all to answer /healthz once started (:meth:`wait_healthy`).
        self.wait = wait
        self.extra_env = dict(extra_env or {})
        self.tls = tls
        self.ports = {s.name: (ports or {}).get(s.name, s.port) for s in SERVICES}
        self.scheme = "https" if tls else "http"
        self.log_dir = log_dir or data_dir / "logs"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        #: Repeated by each service's /healthz: an answer without it comes from another process.
        self.instance = secrets.token_hex(8)

    def url(self, name: str) -> str:
        return f"{self.scheme}://localhost:{self.ports[name]}"

    def env(self) -> dict[str, str]:
        env = service_env(self.data_dir, self.scheme, os.environ)
        for s in SERVICES:
            url = self.url(s.name)
            env[f"ESSPASS_{s.name.upper()}_PUBLIC_URL"] = url
        env["ESSPASS_REGISTRY_URL"] = self.url("registry")
        env.update(self.extra_env)
        env[INSTANCE_ENV] = self.instance
        return env

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self) -> None:
        # The logs are the services' own files: readable by this user only, as the services make theirs.
        self.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        _private(self.log_dir, 0o700)
        env = self.env()
        if threading.current_thread() is threading.main_thread():
            # Each service ends when this process does, even killed outright (esspass.serve): the
            # kernel's parent-death signal follows the thread that started the child, so only the
            # main thread's children ask for it (a worker thread may end before the process does).
            env[PARENT_ENV] = str(os.getpid())
        tls_args: list[str] = []
        if self.tls:
            tls = pki_dir(self.data_dir) / "tls"
            tls_args = ["--tls-cert", str(tls / "server.pem"), "--tls-key", str(tls / "server.key")]
        for spec in SERVICES:
            fd = os.open(self.log(spec.name), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            _private(self.log(spec.name), 0o600)
            log = os.fdopen(fd, "ab")
            # esspass.serve: the esspass command, once it has asked to end with this process (PARENT_ENV).
            cmd = [sys.executable, "-m", "esspass.serve", spec.name, "serve", "--host", "127.0.0.1",
                   "--port", str(self.ports[spec.name]), *tls_args]
            self.procs[spec.name] = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
            log.close()

    def wait_healthy(self, timeout: float = 60) -> None:
        from esspass.config import tls_verify

        verify = tls_verify(pki_dir(self.data_dir) / "tls" / "ca.pem" if self.tls else None)
        deadline = time.monotonic() + timeout
        with httpx.Client(verify=verify, timeout=2) as http:
            for spec in SERVICES:
                while True:
                    proc = self.procs[spec.name]
                    if proc.poll() is not None:
                        raise ServiceFailed(spec.name, proc.returncode, self.log(spec.name))
                    try:
                        answer = http.get(f"{self.url(spec.name)}/healthz")
                        if answer.status_code == 200 and answer.json().get("instance") == self.instance:
                            break  # our process answers, not another on the same port
                    except (httpx.TransportError, ValueError, AttributeError):
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{spec.name} did not become healthy in {timeout:.0f} s (a loaded "
                                           "machine may need longer: `esspass up --wait SECONDS`, or "
                                           f"{WAIT_ENV})")
                    time.sleep(0.2)
        # A /healthz answer may have come from another process on the port (another pilot) while ours
        # failed to bind it: only services still running are healthy.
        failed = self.failed()
        if failed is not None:
            raise failed

    def failed(self) -> ServiceFailed | None:
        """The first service whose process has ended, if any."""
        for spec in SERVICES:
            proc = self.procs.get(spec.name)
            if proc is not None and proc.poll() is not None:
                return ServiceFailed(spec.name, proc.returncode, self.log(spec.name))
        return None

    def stop(self, name: str | None = None) -> None:
        names = [name] if name else list(self.procs)
        for n in names:
            proc = self.procs.get(n)
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for n in names:
            proc = self.procs.get(n)
            if proc is None:
                continue
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> Pilot:
        try:
            self.start()  # inside: an interrupt between two starts must stop the ones started
            self.wait_healthy(self.wait)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _wait_arg(text: str) -> float:
    try:
        return _wait_seconds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds, more than 0 and at most 86400") \
            from exc


def _cmd_init(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    init(data_dir, issuer_url=os.environ.get("ESSPASS_ISSUER_PUBLIC_URL"),
         verifier_url=os.environ.get("ESSPASS_VERIFIER_PUBLIC_URL"))
    print(f"Demo PKI and trust registry ready in {data_dir}")
    return 0


def _terminated(_signum: int, _frame: object) -> NoReturn:
    """SIGTERM takes Ctrl-C's way out, so that leaving the ``with Pilot`` block stops the services;
    by default it would end this process alone and leave the four running."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the stopping short
    raise KeyboardInterrupt


def _cmd_up(args: argparse.Namespace) -> int:
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        return _up(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _wait_seconds(text: str) -> float:
    """A number of seconds to wait, more than 0 and at most a day (``--wait``, :data:`WAIT_ENV`)."""
    seconds = float(text)  # ValueError for anything else
    if not 0 < seconds <= 86400:
        raise ValueError(text)
    return seconds


def _up(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    if args.wait is None:
        try:
            args.wait = _wait_seconds(os.environ.get(WAIT_ENV) or str(DEFAULT_WAIT))
        except ValueError:
            print(f"esspass up: {WAIT_ENV} must be a number of seconds, more than 0 and at most 86400",
                  file=sys.stderr)
            return 2
    ports = {spec.name: args.port_base + i for i, spec in enumerate(SERVICES)}
    if not all(0 < port < 65536 for port in ports.values()):
        print(f"esspass up: --port-base {args.port_base} leaves no room for the four ports (1 to 65535)",
              file=sys.stderr)
        return 2
    made = not data_dir.exists()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _private(data_dir, 0o700)
    lock = _take_lock(data_dir)
    if lock is not None and fcntl is None and read_record(data_dir) is not None:  # pragma: no cover - not Linux
        os.close(lock)
        lock = None
    if lock is None:
        running = _load_record(data_dir)
        where = (f" (process {running.pid}, registry at {running.urls['registry']})" if running is not None
                 else "")
        print(f"esspass up: a pilot already runs from {data_dir}{where}; stop it first (Ctrl-C in its terminal)",
              file=sys.stderr)
        return 1
    try:
        return _up_locked(args, data_dir, ports)
    finally:
        os.close(lock)  # releases the lock: the record, if any is left, is stale from now on
        if made:
            _unmake(data_dir)


def _unmake(data_dir: Path) -> None:
    """A data directory this ``up`` made and then refused to use (a port in use) holds its lock file
    alone: both go, so that a refusal leaves nothing behind (README: "refuses, starting nothing"), and
    no later command takes the empty directory for a deployment."""
    with contextlib.suppress(OSError):
        if {p.name for p in data_dir.iterdir()} <= {LOCK_FILE}:
            (data_dir / LOCK_FILE).unlink(missing_ok=True)
            data_dir.rmdir()


def _up_locked(args: argparse.Namespace, data_dir: Path, ports: dict[str, int]) -> int:
    """``up`` once it holds the data directory's lock: any record there is stale, and is replaced."""
    busy = busy_port(ports)
    if busy is not None:
        name, port = busy
        left = _left_running(_load_record(data_dir))
        if left:
            listed = ("processes " if len(left) > 1 else "process ") + ", ".join(str(pid) for pid in left)
            kill = " ".join(str(pid) for pid in left)
            print(f"esspass up: port {port} (the {name}) is in use on 127.0.0.1: services of an earlier "
                  f"`esspass up` on {data_dir} still run ({listed}); stop them (kill {kill}) "
                  "or choose other ports with --port-base", file=sys.stderr)
        else:
            print(f"esspass up: port {port} (the {name}) is in use on 127.0.0.1: is another `esspass up` running? "
                  "(or choose other ports with --port-base)", file=sys.stderr)
        return 1
    first = not (pki_dir(data_dir) / "pki.json").exists()
    print("First run: creating the demo PKI and seeding the trust registry ..." if first
          else f"Reusing the data in {data_dir}")
    pilot = Pilot(data_dir, tls=not args.http, ports=ports, wait=args.wait)
    init(data_dir, issuer_url=pilot.url("issuer"), verifier_url=pilot.url("verifier"))
    print("Starting the four services ...", flush=True)
    try:
        with pilot:
            record = _write_record(pilot)
            try:
                _running_banner(args, pilot, data_dir, record)
                while (failed := pilot.failed()) is None:
                    time.sleep(0.5)
                print(f"esspass up: {failed}; stopping the others.", file=sys.stderr)
                return 1
            finally:
                _remove_record(data_dir)
    except RuntimeError as exc:  # a service that did not start (ServiceFailed), or not in time
        print(f"esspass up: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # Whenever Ctrl-C (or SIGTERM) lands, leaving the with block has already stopped every service.
        print("\nStopping ...")
    print("Stopped.")
    return 0


def _running_banner(args: argparse.Namespace, pilot: Pilot, data_dir: Path, record: Path) -> None:
    print("\nESSPASS pilot is running:\n")
    for spec in SERVICES:
        print(f"  {spec.title:<64} {pilot.url(spec.name)}/")
    print(f"\n  Back office of the Latvian State Social Insurance Agency: {pilot.url('issuer')}/lv-vsaa/office"
          "\n  (clerks' demo logins: `esspass issuer tokens`; the inspector's: `esspass verifier tokens`)")
    if pilot.tls:
        print(f"\nHTTPS uses the demo TLS CA: {pki_dir(data_dir) / 'tls' / 'ca.pem'}"
              " (import it in your browser, or run with --http).")
    print(f"Logs (JSON, no personal data): {pilot.log_dir}")
    # The commands on this data directory find the pilot in the record, whatever the ports and scheme.
    data = "" if data_dir == default_data_dir() else f" --data-dir {data_dir}"
    print(f"Where it runs: {record} (read by `esspass demo`, `esspass issuer check`, `esspass verifier check` "
          "and `esspass wallet ...` on this data directory)")
    print(f"\nNext: in another terminal run `esspass demo{data}` to watch the whole story, "
          "or open the pages above. Ctrl-C stops everything.", flush=True)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("up", help="start the whole pilot (registry, issuer, verifier, wallet) on localhost")
    p.add_argument("--data-dir", default=str(default_data_dir()), help="where the PKI, databases and logs live")
    p.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS with the demo TLS certificate")
    p.add_argument("--port-base", type=int, default=DEFAULT_PORT_BASE,
                   help="registry port; issuer, verifier, wallet follow")
    p.add_argument("--wait", type=_wait_arg, default=None, metavar="SECONDS",
                   help=f"how long the services have in all to start ({DEFAULT_WAIT:.0f} s, or {WAIT_ENV}); a "
                        "loaded machine may need longer")
    p.set_defaults(func=_cmd_up)
    p = sub.add_parser("init", help="create the demo PKI and seed the trust registry (done by `up` too)")
    p.add_argument("--data-dir", default=str(default_data_dir()))
    p.set_defaults(func=_cmd_init)
