"""``esspass verifier serve|tokens|check``: run the inspector's service, manage the inspectors'
tokens, and check that wallets will answer its requests."""

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
    from verifier.transactions import configured_storage_key

    settings = VerifierSettings()
    settings.access_certificate(datetime.now(UTC))
    configured_storage_key(settings)  # a key file named but missing is an error, not a new key


def _check(_args: argparse.Namespace) -> int:
    """The access certificate as a wallet will judge it (OpenID4VP request authentication): the
    registry lists this inspectorate, its certificate validates to one of its CAs, and it may
    ask for everything each inspection profile asks for."""
    from datetime import UTC, datetime, timedelta

    from credentials import dcql, trust_list
    from credentials.errors import CredentialError
    from credentials.x509 import load_pem_certificates
    from esspass.config import service_http_client
    from trust_registry.client import TrustListClient
    from verifier.service import PROFILES, profile_query
    from verifier.settings import VerifierSettings

    settings = VerifierSettings()
    now = datetime.now(UTC)
    _key, chain = settings.access_certificate(now)  # a key or chain that is wrong stops here, named
    root = load_pem_certificates(settings.root_path().read_bytes())[0]
    with service_http_client(settings.tls_ca, settings.pki_path()) as http:
        verifiers = TrustListClient(settings.registry_url, registry_root=root, http=http).refresh("verifiers", now)
    refused = 0
    for profile in PROFILES:
        try:
            entity = trust_list.authorised_verifier(verifiers, chain, dcql.requested_claims(profile_query(profile)),
                                                    at=now)
            if entity.id != settings.entity_id:
                raise CredentialError(f"the access certificate belongs to {entity.id} on the trust list, not "
                                      f"{settings.entity_id}")
        except CredentialError as exc:
            refused += 1
            print(f"{profile:<6} REFUSED  wallets will decline this inspection: {exc.message}")
            continue
        print(f"{profile:<6} ok       {entity.name_en} ({entity.id}) may ask for what this inspection asks "
              f"(list sequence {verifiers.sequence})")
    left = chain[0].not_valid_after_utc - now
    if left < timedelta(days=30):
        print(f"{'':<6} note     the access certificate expires in {left.days} days: have a new one issued")
    return 1 if refused else 0


def _tokens(args: argparse.Namespace) -> int:
    """Print the inspectors' tokens after ``--add``/``--revoke``; those are refused (exit 2) while the
    tokens are configured in ``ESSPASS_VERIFIER_INSPECTOR_TOKENS``, which they cannot change."""
    import json
    import sys

    from credentials.errors import DataError
    from verifier.settings import VerifierSettings, inspector_tokens

    try:
        tokens = inspector_tokens(VerifierSettings(), add=args.add or (), revoke=args.revoke or ())
    except DataError as exc:
        if exc.field != "ESSPASS_VERIFIER_INSPECTOR_TOKENS":
            raise
        print(f"esspass: {exc.field} {exc.rule}", file=sys.stderr)
        return 2
    print(json.dumps({name: token for token, name in tokens.items()}, indent=2, sort_keys=True))
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("verifier", help="the inspector's service and page (OpenID4VP)")
    vsub = parser.add_subparsers(dest="verifier_command", metavar="ACTION", required=True)
    add_serve_parser(vsub, port=8103, factory=_app, what="verifier",
                     app_factory="verifier.app:create_app", env_prefix="ESSPASS_VERIFIER_", preflight=_preflight)
    vsub.add_parser("check", help="check the access certificate, and that the trust registry lets this "
                                  "inspectorate ask for what each inspection asks").set_defaults(func=_check)
    p = vsub.add_parser("tokens", help="the inspectors' login tokens: print them, give new inspectors one, revoke")
    p.add_argument("--add", action="append", metavar="NAME", help="give this inspector a token (repeatable)")
    p.add_argument("--revoke", action="append", metavar="NAME", help="take this inspector's token away")
    p.set_defaults(func=_tokens)
