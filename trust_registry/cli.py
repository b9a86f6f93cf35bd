"""``esspass registry serve|seed|list|show|history|add|rotate|suspend|reinstate|withdraw``.

Admin subcommands work on the registry database directly (the operator's machine); each change is
recorded in the audit trail as ``cli:<user>`` and bumps the list's sequence number.
"""

from __future__ import annotations

import argparse
import getpass
import json
from pathlib import Path
from typing import Any

from esspass.serve import add_serve_parser

__all__ = ["register"]


def _app(args: argparse.Namespace) -> Any:
    from trust_registry.app import create_app
    from trust_registry.settings import RegistrySettings

    return create_app(RegistrySettings(port=args.port))


def _registry() -> Any:
    from esspass.db import make_engine
    from trust_registry.settings import RegistrySettings
    from trust_registry.store import Registry

    return Registry(make_engine(RegistrySettings().db_url("registry.db")))


def _who() -> str:
    return f"cli:{getpass.getuser()}"


def _print(obj: Any) -> int:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))
    return 0


def _seed(_args: argparse.Namespace) -> int:
    from trust_registry.seed import seed_data_dir
    from trust_registry.settings import RegistrySettings

    settings = RegistrySettings()
    seed_data_dir(settings.data_dir, database_url=settings.database_url)
    print(f"Seeded the demo institutions and inspectorates; PKI in {settings.pki_path()}.")
    return 0


def _list(_args: argparse.Namespace) -> int:
    reg = _registry()
    for e in reg.entities():
        print(f"{e.id:12} {e.country}  {e.status_at(reg.clock()):9}  {', '.join(sorted(e.roles)):30}  {e.name_en}")
    print(f"sequence {reg.sequence()}")
    return 0


def _add(args: argparse.Namespace) -> int:
    certs = [{"pem": Path(args.ca_pem).read_text(), "usage": "ca"}]
    if args.signer_pem:
        certs.append({"pem": Path(args.signer_pem).read_text(), "usage": "signer"})
    data = {"id": args.id, "country": args.country, "name": args.name, "name_en": args.name_en or args.name,
            "roles": args.role, "dns_name": args.dns_name, "certificates": certs,
            "may_request": json.loads(args.may_request) if args.may_request else {}}
    return _print(_registry().add_entity(data, who=_who()))


def register(sub: Any) -> None:
    parser = sub.add_parser("registry", help="the trust registry: signed lists of institutions and inspectorates")
    rsub = parser.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    add_serve_parser(rsub, port=8101, factory=_app, what="trust registry")
    rsub.add_parser("seed", help="load the demo institutions and inspectorates").set_defaults(func=_seed)
    rsub.add_parser("list", help="list the registered entities").set_defaults(func=_list)
    p = rsub.add_parser("show", help="one entity as published")
    p.add_argument("id")
    p.set_defaults(func=lambda a: _print(_registry().show(a.id)))
    p = rsub.add_parser("history", help="status history and audit trail of an entity")
    p.add_argument("id")
    p.set_defaults(func=lambda a: _print(_registry().history(a.id)))
    p = rsub.add_parser("add", help="register an institution or inspectorate")
    p.add_argument("--id", required=True)
    p.add_argument("--country", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--name-en")
    p.add_argument("--role", action="append", required=True,
                   choices=["pda1_issuer", "ehic_issuer", "pid_provider", "verifier"])
    p.add_argument("--ca-pem", required=True)
    p.add_argument("--signer-pem")
    p.add_argument("--dns-name")
    p.add_argument("--may-request", help='JSON: {"urn:eudi:pda1:1": ["document_number", ...]}')
    p.set_defaults(func=_add)
    p = rsub.add_parser("rotate", help="add a certificate, closing the current one of that usage")
    p.add_argument("id")
    p.add_argument("--pem", required=True)
    p.add_argument("--usage", choices=["ca", "signer"], default="ca")
    p.set_defaults(func=lambda a: _print(_registry().add_certificate(a.id, Path(a.pem).read_bytes(), a.usage,
                                                                      who=_who(), rotate=True)))
    for action, status in (("suspend", "suspended"), ("reinstate", "active"), ("withdraw", "withdrawn")):
        p = rsub.add_parser(action, help=f"{action} an entity (recorded with a reason)")
        p.add_argument("id")
        p.add_argument("--reason", default="")
        p.set_defaults(func=lambda a, _s=status: _print(_registry().set_status(a.id, _s, who=_who(),
                                                                                reason=a.reason)))
