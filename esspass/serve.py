"""``esspass <service> serve``: the same options and uvicorn launch for every service."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_serve_parser"]


def add_serve_parser(sub: Any, *, port: int, factory: Callable[[argparse.Namespace], Any], what: str) -> None:
    """Add ``serve [--host --port --tls-cert --tls-key]`` whose ``factory(args)`` builds the ASGI app."""
    p = sub.add_parser("serve", help=f"run the {what} (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=port)
    p.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", type=Path, help="private key of --tls-cert")

    def run(args: argparse.Namespace) -> int:
        import uvicorn

        from esspass.web import configure_logging

        configure_logging()
        kwargs: dict[str, Any] = {}
        if args.tls_cert:
            kwargs = {"ssl_certfile": str(args.tls_cert), "ssl_keyfile": str(args.tls_key)}
        uvicorn.run(factory(args), host=args.host, port=args.port, access_log=False, log_level="warning",
                    timeout_graceful_shutdown=3, **kwargs)
        return 0

    p.set_defaults(func=run)
