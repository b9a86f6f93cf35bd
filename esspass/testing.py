"""Run a real service on a loopback port, for tests and for the ``esspass up`` launcher.

``serve(app)`` starts uvicorn in a background thread on 127.0.0.1 with a free port and returns a
handle with ``.url``; ``.stop()`` shuts it down. This is real HTTP over a real socket: tests
talk to our services the way the other services and wallets do.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

__all__ = ["ServerHandle", "clerk_tab", "free_port", "pilot_started", "serve"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
