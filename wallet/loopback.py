"""The loopback redirect of a native app (RFC 8252 §7.3): where the institution's page sends the
worker's browser back to ``esspass wallet receive --at-institution``.

A one-shot HTTP listener on 127.0.0.1 and a free port; it takes the first ``GET /callback``,
answers with a short page, and hands the query parameters to the waiting command.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

__all__ = ["LoopbackCallback"]

#: Longest query parameter taken from the callback (an authorization code, state, iss).
MAX_VALUE = 4096
_PAGE = (b"<!doctype html><meta charset=utf-8><title>ESSPASS wallet</title>"
         b"<p>Done. You can return to the terminal.</p>")


class LoopbackCallback:
    """``with LoopbackCallback() as cb:`` use ``cb.redirect_uri``, then ``cb.wait(timeout)``."""

    def __init__(self) -> None:
        self._params: dict[str, str] | None = None
        self._arrived = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/callback" or owner._arrived.is_set():
                    self.send_error(404)
                    return
                # RFC 6749 §4.1.2: the code's size is the server's choice; carried whole, or past a
                # generous bound not at all (a code cut short could only fail at the token endpoint).
                owner._params = {k: v[0] for k, v in parse_qs(parts.query).items() if len(v[0]) <= MAX_VALUE}
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                self.wfile.write(_PAGE)
                owner._arrived.set()

            def log_message(self, *args: object) -> None:  # the query holds the code: never logged
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/callback"

    def wait(self, timeout: float) -> dict[str, str] | None:
        """The callback's query parameters, or None when nobody came back within ``timeout`` seconds."""
        return self._params if self._arrived.wait(timeout) else None

    def __enter__(self) -> LoopbackCallback:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
