"""``esspass init`` and ``esspass up``: the whole pilot on one machine, one process per service.

``init`` creates, once, the demo PKI and the data directory, and seeds the trust registry with
the demo institutions and inspectorates. ``up`` runs ``init`` if needed, starts the registry,
issuer, verifier and wallet as separate processes on their documented localhost ports (HTTPS
with the demo PKI's TLS certificate unless ``--http``), waits until each answers ``/healthz``,
prints the URLs, and stops them all on Ctrl-C or SIGTERM (a service manager's or ``kill``'s stop):
no service outlives it. A second run reuses the data.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import httpx

from esspass.config import default_data_dir

__all__ = ["DEFAULT_PORT_BASE", "SERVICES", "Pilot", "ServiceSpec", "register"]


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


def pki_dir(data_dir: Path) -> Path:
    return data_dir / "pki"


def init(data_dir: Path, *, database_url: str | None = None, issuer_url: str | None = None) -> None:
    """Create the demo PKI and seed the registry database, once; later runs change nothing but
    where the demo issuer (``issuer_url``) lists each institution's status lists."""
    from credentials.institutions import DEMO_ENTITIES
    from credentials.pki import ensure_demo_pki
    from trust_registry.seed import seed_data_dir

    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ensure_demo_pki(pki_dir(data_dir), DEMO_ENTITIES, now=datetime.now(UTC))
    seed_data_dir(data_dir, database_url=database_url, issuer_url=issuer_url)


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


class Pilot:
    """The four service processes; a context manager that stops them all on exit."""

    def __init__(self, data_dir: Path, *, tls: bool = True, ports: Mapping[str, int] | None = None,
                 log_dir: Path | None = None, extra_env: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.extra_env = dict(extra_env or {})
        self.tls = tls
        self.ports = {s.name: (ports or {}).get(s.name, s.port) for s in SERVICES}
        self.scheme = "https" if tls else "http"
        self.log_dir = log_dir or data_dir / "logs"
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def url(self, name: str) -> str:
        return f"{self.scheme}://localhost:{self.ports[name]}"

    def env(self) -> dict[str, str]:
        env = service_env(self.data_dir, self.scheme, os.environ)
        for s in SERVICES:
            url = self.url(s.name)
            env[f"ESSPASS_{s.name.upper()}_PUBLIC_URL"] = url
        env["ESSPASS_REGISTRY_URL"] = self.url("registry")
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.env()
        tls_args: list[str] = []
        if self.tls:
            tls = pki_dir(self.data_dir) / "tls"
            tls_args = ["--tls-cert", str(tls / "server.pem"), "--tls-key", str(tls / "server.key")]
        for spec in SERVICES:
            log = open(self.log_dir / f"{spec.name}.log", "ab")
            cmd = [sys.executable, "-m", "esspass.cli", spec.name, "serve", "--host", "127.0.0.1",
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
                        raise RuntimeError(f"{spec.name} exited with code {proc.returncode}; "
                                           f"see {self.log_dir / (spec.name + '.log')}")
                    try:
                        if http.get(f"{self.url(spec.name)}/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{spec.name} did not become healthy in {timeout:.0f} s")
                    time.sleep(0.2)

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
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _cmd_init(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    init(data_dir, issuer_url=os.environ.get("ESSPASS_ISSUER_PUBLIC_URL"))
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


def _up(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    first = not (pki_dir(data_dir) / "pki.json").exists()
    print("First run: creating the demo PKI and seeding the trust registry ..." if first
          else f"Reusing the data in {data_dir}")
    ports = {spec.name: args.port_base + i for i, spec in enumerate(SERVICES)}
    pilot = Pilot(data_dir, tls=not args.http, ports=ports)
    init(data_dir, issuer_url=pilot.url("issuer"))
    print("Starting the four services ...", flush=True)
    try:
        with pilot:
            print("\nESSPASS pilot is running:\n")
            for spec in SERVICES:
                print(f"  {spec.title:<64} {pilot.url(spec.name)}/")
            print(f"\n  Back office of the Latvian State Social Insurance Agency: {pilot.url('issuer')}/lv-vsaa/office"
                  "\n  (clerks' demo logins: `esspass issuer tokens`; the inspector's: `esspass verifier tokens`)")
            if pilot.tls:
                print(f"\nHTTPS uses the demo TLS CA: {pki_dir(data_dir) / 'tls' / 'ca.pem'}"
                      " (import it in your browser, or run with --http).")
            print(f"Logs (JSON, no personal data): {pilot.log_dir}")
            # The demo command that finds this pilot: the same data, ports and scheme.
            demo = "" if data_dir == default_data_dir() else f" --data-dir {data_dir}"
            demo += "" if args.port_base == DEFAULT_PORT_BASE else f" --port-base {args.port_base}"
            demo += " --http" if args.http else ""
            print(f"\nNext: in another terminal run `esspass demo{demo}` to watch the whole story, "
                  "or open the pages above. Ctrl-C stops everything.", flush=True)
            while all(p.poll() is None for p in pilot.procs.values()):
                time.sleep(0.5)
            print("A service stopped unexpectedly; stopping the others.", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        # Whenever Ctrl-C (or SIGTERM) lands, leaving the with block has already stopped every service.
        print("\nStopping ...")
    print("Stopped.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("up", help="start the whole pilot (registry, issuer, verifier, wallet) on localhost")
    p.add_argument("--data-dir", default=str(default_data_dir()), help="where the PKI, databases and logs live")
    p.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS with the demo TLS certificate")
    p.add_argument("--port-base", type=int, default=DEFAULT_PORT_BASE,
                   help="registry port; issuer, verifier, wallet follow")
    p.set_defaults(func=_cmd_up)
    p = sub.add_parser("init", help="create the demo PKI and seed the trust registry (done by `up` too)")
    p.add_argument("--data-dir", default=str(default_data_dir()))
    p.set_defaults(func=_cmd_init)
