"""``esspass verifier serve``: run the inspector's service."""

from __future__ import annotations

import argparse
from typing import Any

from esspass.serve import add_serve_parser

__all__ = ["register"]


def _app(args: argparse.Namespace) -> Any:
    from verifier.app import create_app
    from verifier.settings import VerifierSettings

    return create_app(VerifierSettings(port=args.port))


def _preflight() -> None:
    from datetime import UTC, datetime

    from verifier.settings import VerifierSettings

    VerifierSettings().access_certificate(datetime.now(UTC))


def _tokens(args: argparse.Namespace) -> int:
    import json

    from verifier.settings import VerifierSettings, inspector_tokens

    tokens = inspector_tokens(VerifierSettings(), add=args.add or (), revoke=args.revoke or ())
    print(json.dumps({name: token for token, name in tokens.items()}, indent=2, sort_keys=True))
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("verifier", help="the inspector's service and page (OpenID4VP)")
    vsub = parser.add_subparsers(dest="verifier_command", metavar="ACTION", required=True)
    add_serve_parser(vsub, port=8103, factory=_app, what="verifier",
                     app_factory="verifier.app:create_app", env_prefix="ESSPASS_VERIFIER_", preflight=_preflight)
    p = vsub.add_parser("tokens", help="the inspectors' login tokens: print them, give new inspectors one, revoke")
    p.add_argument("--add", action="append", metavar="NAME", help="give this inspector a token (repeatable)")
    p.add_argument("--revoke", action="append", metavar="NAME", help="take this inspector's token away")
    p.set_defaults(func=_tokens)
