"""``esspass <service> serve``: the same options and uvicorn launch for every service."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_serve_parser"]


def add_serve_parser(sub: Any, *, port: int, factory: Callable[[argparse.Namespace], Any], what: str,
                     app_factory: str | None = None, env_prefix: str | None = None,
                     preflight: Callable[[], object] | None = None) -> None:
    """Add ``serve [--host --port --tls-cert --tls-key]`` whose ``factory(args)`` builds the ASGI app.

    ``preflight`` loads and checks the service's keys and certificates before uvicorn starts, so
    that a mistake in them is one plain error line (the setting and the rule), not a traceback
    from every worker.

    With ``app_factory`` (``"verifier.app:create_app"``) and ``env_prefix`` (``"ESSPASS_VERIFIER_"``)
    it also takes ``--workers N``: N processes, each building the app from the environment. Only for
    services whose state is all in their database, so that any worker may answer any request."""
    p = sub.add_parser("serve", help=f"run the {what} (uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=port)
    p.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", type=Path, help="private key of --tls-cert")
    if app_factory is not None:
        p.add_argument("--workers", type=int, default=1,
                       help="worker processes sharing the database (each has its own /metrics)")

    def run(args: argparse.Namespace) -> int:
        import uvicorn

        from esspass.web import configure_logging

        configure_logging()
        if preflight is not None:
            preflight()
        kwargs: dict[str, Any] = {}
        if args.tls_cert:
            kwargs = {"ssl_certfile": str(args.tls_cert), "ssl_keyfile": str(args.tls_key)}
        workers = getattr(args, "workers", 1)
        if workers < 1:
            raise SystemExit("--workers must be at least 1")
        if workers > 1 and app_factory is not None and env_prefix is not None:
            # Each worker process builds its own app from the environment.
            os.environ[f"{env_prefix}PORT"], os.environ[f"{env_prefix}HOST"] = str(args.port), args.host
            uvicorn.run(app_factory, factory=True, workers=workers, host=args.host, port=args.port,
                        access_log=False, log_level="warning", timeout_graceful_shutdown=3, **kwargs)
            return 0
        uvicorn.run(factory(args), host=args.host, port=args.port, access_log=False, log_level="warning",
                    timeout_graceful_shutdown=3, **kwargs)
        return 0

    p.set_defaults(func=run)
