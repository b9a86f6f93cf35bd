"""Run a real service on a loopback port, for tests and for the ``esspass up`` launcher.

``serve(app)`` starts uvicorn in a background thread on 127.0.0.1 with a free port and returns a
handle with ``.url``; ``.stop()`` shuts it down. This is real HTTP over a real socket: tests
talk to our services the way the other services and wallets do.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request  # at module level: FastAPI resolves the route's annotations here

__all__ = ["ListedVerifier", "ServerHandle", "clerk_tab", "form_collector", "free_port", "free_ports",
           "office_form", "pilot_started", "run_cli", "serve"]


@dataclass(frozen=True)
class ListedVerifier:
    """A wallet's trust source (:class:`wallet.core.TrustSource`) whose verifiers list names one
    entity active, by its CA certificate, allowed ``may_request``; its issuers list is empty."""

    ca: Any  # cryptography.x509.Certificate
    entity_id: str
    may_request: dict[str, tuple[str, ...]]

    def issuers(self, now: datetime) -> Any:
        from credentials import trust_list

        return trust_list.TrustList("issuers", 1, now, now + timedelta(days=1), ())

    def verifiers(self, now: datetime) -> Any:
        from cryptography.hazmat.primitives import serialization

        from credentials import trust_list
        from credentials.institutions import Role

        listed = trust_list.ListedCertificate(self.ca.public_bytes(serialization.Encoding.DER), trust_list.CA,
                                              now - timedelta(days=10), now + timedelta(days=10))
        country = self.entity_id.split(":")[0]
        entity = trust_list.ListedEntity(self.entity_id, country, self.entity_id, self.entity_id,
                                         frozenset({Role.VERIFIER}), (listed,),
                                         (trust_list.StatusPeriod("active", now - timedelta(days=5)),),
                                         may_request=self.may_request)
        return trust_list.TrustList("verifiers", 1, now, now + timedelta(days=1), (entity,))


@contextmanager
def form_collector() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A third party's ``response_uri`` on loopback: its URL, and the forms posted to it as they come."""
    app = FastAPI()
    received: list[dict[str, str]] = []

    @app.post("/collect")
    async def collect(request: Request) -> dict[str, str]:
        received.append({k: str(v) for k, v in (await request.form()).items()})
        return {}

    with serve(app) as server:
        yield f"{server.url}/collect", received


#: Ports handed out by this process, so that two servers picked before either binds never share one.
_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    """The first port the kernel gives outgoing connections (Linux: ip_local_port_range)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default; the BSDs and macOS start higher


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run_cli(args: Sequence[str], *, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``esspass ARGS`` run in this process with ``env`` as its whole environment and its output captured,
    read as a test reads a command's process (exit code, stdout, stderr) without starting one (about a
    second of imports each). A command that must be a process to be seen (a signal, a closed pipe, a
    terminal, a server) is run as one; so is one command of each family, for the real thing."""
    from esspass.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's own refusals and --help
                code = exc.code if isinstance(exc.code, int) else (1 if exc.code else 0)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(["esspass", *args], code, out.getvalue(), err.getvalue())


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive loopback ports a server started later can bind.

    They are taken below the kernel's ephemeral range: a port from ``bind(0)`` can be taken by any
    outgoing connection (a database client, an HTTP pool) between this check and the server's own
    bind, and a server process then fails to start; below that range only a listener takes one."""
    high = _ephemeral_low() - count
    low = 15000 if high > 16000 else 1024
    if high <= low:  # the ephemeral range starts low: take from above it instead
        low, high = _ephemeral_low(), 65536 - count
    rng = random.SystemRandom()
    for _ in range(500):
        base = rng.randrange(low, high)
        block = range(base, base + count)
        if not _handed_out.intersection(block) and all(_bindable(p) for p in block):
            _handed_out.update(block)
            return base
    raise RuntimeError(f"no {count} consecutive free loopback ports")


def free_port() -> int:
    """A loopback port a server started later can bind (see :func:`free_ports`)."""
    return free_ports(1)


@dataclass
class ServerHandle:
    url: str
    port: int
    server: uvicorn.Server
    thread: threading.Thread
    _sock: socket.socket = field(repr=False)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    app: Any,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    tls: tuple[Path, Path] | None = None,
    log_level: str = "warning",
) -> ServerHandle:
    """Start ``app`` on ``host:port`` (0 = any free port) and wait until it accepts connections.

    ``tls`` is ``(certfile, keyfile)`` for HTTPS.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    bound = int(sock.getsockname()[1])
    kwargs: dict[str, Any] = {}
    if tls is not None:
        kwargs = {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])}
    from esspass.serve import SERVER_LIMITS

    # The limits a served process has, so that tests meet the server as it runs.
    config = uvicorn.Config(app, log_level=log_level, lifespan="on", access_log=False, **SERVER_LIMITS, **kwargs)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    scheme = "https" if tls else "http"
    name = "localhost" if tls else host
    return ServerHandle(f"{scheme}://{name}:{bound}", bound, server, thread, sock)


def clerk_tab(browser: Any, issuer_url: str, path: str, token: str, *, lang: str = "en",
              locale: str = "en-GB") -> Any:
    """A browser tab signed in to an institution's back office through its sign-in form, on the
    cases page (Playwright; close its ``context`` when done)."""
    tab = browser.new_context(locale=locale).new_page()
    tab.goto(f"{issuer_url}/{path}/office/login?lang={lang}")
    tab.fill("#token", token)
    tab.click("#signin")
    tab.wait_for_selector("#cases")
    return tab


def office_form(page: str) -> dict[str, str]:
    """The hidden fields of a back office page's form, to post it as a browser would: its CSRF token, and
    an import form's one-time ``import_id`` (``issuer.service.import_once``)."""
    return dict(re.findall(r'<input type="hidden" name="(csrf|import_id)" value="([^"]+)">', page))


def wait_until(tab: Any, expression: str, *, timeout: float = 15.0) -> None:
    """Wait until the JavaScript ``expression`` is true in the Playwright ``tab``.

    Not ``page.wait_for_function``: its polling evaluates the predicate with ``eval`` inside the page,
    which our pages' Content-Security-Policy (``script-src 'self'``, no ``'unsafe-eval'``) refuses as
    soon as the first check is false. ``page.evaluate`` goes through the DevTools protocol, which the
    policy does not govern: poll it from here."""
    deadline = time.monotonic() + timeout
    while not tab.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout:g} s: {expression}")
        time.sleep(0.05)


def pilot_started(proc: subprocess.Popen[str], timeout: float) -> str:
    """What ``esspass up`` (``proc``, stdout piped as text) printed until it said it is running, or
    until it stopped or ``timeout`` seconds passed."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C stops everything" in line:
            break
    return "".join(lines)
