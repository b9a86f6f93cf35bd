"""``esspass issuer serve|tokens``: run the credential issuer, show the clerks' tokens."""

from __future__ import annotations

import argparse
import json
from typing import Any

from esspass.serve import add_serve_parser

__all__ = ["register"]


def _app(args: argparse.Namespace) -> Any:
    from issuer.app import create_app
    from issuer.settings import IssuerSettings

    overrides: dict[str, Any] = {"port": args.port}
    return create_app(IssuerSettings(**overrides))


def _tokens(_args: argparse.Namespace) -> int:
    from credentials.institutions import DEMO_ENTITIES, Role
    from issuer.settings import IssuerSettings, clerk_tokens

    issuing = {Role.PDA1_ISSUER, Role.EHIC_ISSUER, Role.PID_PROVIDER}
    tokens = clerk_tokens(IssuerSettings(), [e.id for e in DEMO_ENTITIES if e.roles & issuing])
    print(json.dumps({entity: token for token, entity in tokens.items()}, indent=2, sort_keys=True))
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("issuer", help="the institutions' credential issuer (OpenID4VCI) and back office")
    isub = parser.add_subparsers(dest="issuer_command", metavar="ACTION", required=True)
    add_serve_parser(isub, port=8102, factory=_app, what="credential issuer",
                     app_factory="issuer.app:create_app", env_prefix="ESSPASS_ISSUER_")
    isub.add_parser("tokens", help="print each institution's clerk token (demo logins)").set_defaults(func=_tokens)
