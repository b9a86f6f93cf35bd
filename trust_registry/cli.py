"""``esspass registry serve|seed|list|show|history|add|add-certificate|close-certificate|rotate|revoke-key|path|
roles|status-lists|may-request|policy-uri|suspend|reinstate|withdraw`` (issue #3).

``serve`` runs the HTTP service (uvicorn); started while its database does not answer, it serves the
lists it kept on disk while they are valid (:mod:`trust_registry.published`), and without any it
refuses to start, in one line. The admin subcommands work on the registry database
directly (the operator's machine, same :class:`~trust_registry.store.Registry` as the admin API);
each change is recorded in the audit trail as ``cli:<os user>`` and bumps the lists' sequence
number. Refusals (bad input, unknown entity, conflicts) are one plain line on stderr, exit code 1;
so is a registry database that is not there (no data directory, or none in it): only ``seed``
(and ``esspass up``/``init``) make one.

A staged CA change (README "Trust registry") is ``add-certificate ID --pem NEW-CA`` (listed beside
the old one), the institution's new signer under it (``add-certificate ID --pem SIGNER --usage
signer``, or ``rotate --usage signer``), then ``close-certificate ID OLD-CA-KID``. ``rotate`` does
the change in one step: for an institution listing its CAs only (with a signer listed under the old CA
it is refused, as such a close is).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credentials.institutions import Role
from esspass.serve import add_serve_parser

__all__ = ["register"]

_ROLES = sorted(r.value for r in Role)


def _settings() -> Any:
    from trust_registry.settings import RegistrySettings

    return RegistrySettings()


def _app(args: argparse.Namespace) -> Any:
    from trust_registry.app import create_app
    from trust_registry.settings import RegistrySettings

    return create_app(RegistrySettings(host=args.host, port=args.port))


def _lists_kept() -> str | None:
    """What a registry started while its database does not answer serves: the lists it kept on disk
    that are still valid (:mod:`trust_registry.published`), said in words; None when there is none,
    and ``serve`` then refuses to start, as with nothing to serve it would be no use to anyone."""
    from credentials.trust_list import KINDS
    from trust_registry.published import PublishedLists

    settings = _settings()
    now = datetime.now(UTC)
    _key, chain, root = settings.list_signer(now)
    kept = PublishedLists(settings.published_lists_dir(), root=root, signer_chain=chain)
    valid = [(kind, found[1]) for kind in KINDS if (found := kept.load(kind, now)) is not None]
    return ", ".join(f"the {kind} list kept on disk (sequence {tl.sequence}, valid until "
                     f"{tl.next_update.isoformat()})" for kind, tl in valid) or None


def _registry(*, create: bool = False) -> Any:
    """The registry database; unless ``create``, one that exists: a command on the registry never
    makes an empty one, which would answer for a registry nobody publishes."""
    from esspass.db import make_engine
    from trust_registry.store import Registry

    settings = _settings()
    if not create:
        settings.require_database("registry.db", "registry database", made_by="`esspass up` (or `esspass init`)")
    return Registry(make_engine(settings.db_url("registry.db")))


def _who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}"


def _print(obj: Any) -> int:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str))
    return 0


def _read(path: str, option: str) -> str:
    from credentials.errors import DataError

    try:
        return Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(option, "the file cannot be read as PEM text") from exc


def _seed(args: argparse.Namespace) -> int:
    from trust_registry.seed import seed_data_dir

    settings = _settings()
    before = _registry(create=True).sequence()
    seed_data_dir(settings.data_dir, database_url=settings.database_url, issuer_url=args.issuer_url,
                  verifier_url=args.verifier_url)
    after = _registry().sequence()
    print(f"Seeded the demo institutions and inspectorates ({after - before} changes, sequence {after}); "
          f"PKI in {settings.pki_dir}.")
    return 0


def _list(_args: argparse.Namespace) -> int:
    reg = _registry()
    now = datetime.now(UTC)
    entities = reg.list_entities()
    rows = [(e.id, e.country, e.status_at(now), ", ".join(sorted(e.roles)), e.name_en) for e in entities]
    # Each column as wide as its longest cell: an id or a list of roles longer than any before shifts nothing.
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(4)]
    for row in rows:
        print("  ".join(f"{cell:{width}}" for cell, width in zip(row, (*widths, 0), strict=True)).rstrip())
    print(f"{len(entities)} entities, list sequence {reg.sequence()}")
    return 0


def _add(args: argparse.Namespace) -> int:
    from credentials.errors import DataError

    certs = [{"pem": _read(args.ca_pem, "--ca-pem"), "usage": "ca"}]
    if args.signer_pem:
        certs.append({"pem": _read(args.signer_pem, "--signer-pem"), "usage": "signer"})
    may_request = _json_object(args.may_request, "--may-request") if args.may_request else {}
    data = {"id": args.id, "country": args.country, "name": args.name, "name_en": args.name_en or args.name,
            "roles": args.role, "dns_name": args.dns_name, "path": args.path, "status_lists": args.status_lists,
            "policy_uri": args.policy_uri, "certificates": certs,
            "may_request": may_request}
    reg = _registry()
    try:
        reg.add_entity(data, who=_who())
    except DataError as exc:
        # The operator typed options, not the API's fields: name the option at fault.
        option = _ADD_OPTIONS.get(exc.field.removesuffix(".pem"), exc.field)
        raise DataError(option, exc.rule) from exc
    print(f"Registered {args.id} ({', '.join(args.role)}); list sequence {reg.sequence()}.")
    return 0


#: ``registry add``'s options by the admin API field they fill (``certificates.0`` is always the CA).
_ADD_OPTIONS = {"id": "--id", "country": "--country", "name": "--name", "name_en": "--name-en", "roles": "--role",
                "dns_name": "--dns-name", "path": "--path", "status_lists": "--status-lists",
                "may_request": "--may-request", "policy_uri": "--policy-uri", "certificates.0": "--ca-pem",
                "certificates.1": "--signer-pem", "certificates": "--ca-pem/--signer-pem"}


def _path(args: argparse.Namespace) -> int:
    reg = _registry()
    reg.set_path(args.id, args.path, who=_who())
    print(f"{args.id}: its issuer or verifier serves under /{args.path}; list sequence {reg.sequence()}.")
    return 0


def _roles(args: argparse.Namespace) -> int:
    reg = _registry()
    shown = reg.set_roles(args.id, args.roles, who=_who())
    print(f"{args.id}: roles {', '.join(shown.get('roles') or [])}; list sequence {reg.sequence()}.")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    reg = _registry()
    reg.add_certificate(args.id, _read(args.pem, "--pem"), args.usage, who=_who(), rotate=True)
    print(f"Rotated the {args.usage} certificate of {args.id}: the previous one is listed until now; "
          f"list sequence {reg.sequence()}.")
    return 0


def _add_certificate(args: argparse.Namespace) -> int:
    reg = _registry()
    reg.add_certificate(args.id, _read(args.pem, "--pem"), args.usage, who=_who())
    print(f"Added a {args.usage} certificate to {args.id}, listed beside its others (none closed); "
          f"list sequence {reg.sequence()}.")
    return 0


def _when(text: str | None) -> datetime | None:
    """``--at``: an ISO 8601 date and time; one without a UTC offset is taken as UTC."""
    from credentials.errors import DataError

    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise DataError("--at", "must be an ISO 8601 date and time, e.g. 2026-12-01T00:00:00+00:00") from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _close_certificate(args: argparse.Namespace) -> int:
    from credentials.errors import DataError

    reg = _registry()
    try:
        shown = reg.close_certificate(args.id, args.kid, who=_who(), at=_when(args.at))
    except DataError as exc:
        raise DataError("--at" if exc.field == "at" else exc.field, exc.rule) from exc
    until = max((c["not_after"] for c in shown["certificates"] if c["kid"] == args.kid), default=None)
    when = datetime.fromtimestamp(until, UTC).isoformat() if isinstance(until, int) else "now"
    print(f"Closed the window of the certificate {args.kid} of {args.id} at {when}: what it signed before stays "
          f"trusted; list sequence {reg.sequence()}.")
    return 0


def _show(args: argparse.Namespace) -> int:
    """The entity as published, each certificate with its subject and listed window in words."""
    from credentials.trust_list import ListedCertificate

    shown = _registry().show(args.id)
    now = datetime.now(UTC)
    for entry in shown.get("certificates", []):
        listed = ListedCertificate.from_json(entry)
        state = ("revoked" if listed.revoked else "not yet open" if now < listed.not_before
                 else "open" if now < listed.not_after else "closed")
        entry["subject"] = listed.certificate.subject.rfc4514_string()
        entry["window"] = {"from": listed.not_before.isoformat(), "until": listed.not_after.isoformat(),
                           "now": state}
    return _print(shown)


def _revoke_key(args: argparse.Namespace) -> int:
    reg = _registry()
    reg.revoke_key(args.id, args.kid, who=_who(), reason=args.reason)
    print(f"Revoked the key {args.kid} of {args.id}: nothing it signed is trusted any more, whenever it was "
          f"signed; list sequence {reg.sequence()}.")
    return 0


def _status_lists(args: argparse.Namespace) -> int:
    reg = _registry()
    shown = reg.set_status_lists(args.id, None if args.clear else args.uri, who=_who())
    where = shown.get("status_lists")
    print(f"{args.id}: " + (f"status lists published at {where}" if where else "no status list endpoint published")
          + f"; list sequence {reg.sequence()}.")
    return 0


def _policy_uri(args: argparse.Namespace) -> int:
    reg = _registry()
    shown = reg.set_policy_uri(args.id, None if args.clear else args.uri, who=_who())
    where = shown.get("policy_uri")
    print(f"{args.id}: " + (f"privacy notice published at {where}" if where else "no privacy notice published")
          + f"; list sequence {reg.sequence()}.")
    return 0


def _json_object(text: str, option: str) -> Any:
    from credentials.errors import DataError

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(option, "must be a JSON object") from exc


def _may_request(args: argparse.Namespace) -> int:
    reg = _registry()
    shown = reg.set_may_request(args.id, _json_object(args.may_request, "may_request"), who=_who())
    granted = shown.get("may_request") or {}
    what = "; ".join(f"{vct}: {', '.join(claims)}" for vct, claims in granted.items()) or "nothing"
    print(f"{args.id} may request {what}; list sequence {reg.sequence()}.")
    return 0


def _status(status: str, verb: str) -> Any:
    def run(args: argparse.Namespace) -> int:
        reg = _registry()
        reg.set_status(args.id, status, who=_who(), reason=args.reason)
        print(f"{args.id} {verb}; list sequence {reg.sequence()}.")
        return 0
    return run


def register(sub: Any) -> None:
    parser = sub.add_parser("registry", help="the trust registry: signed lists of institutions and inspectorates")
    rsub = parser.add_subparsers(dest="registry_command", metavar="ACTION", required=True)
    add_serve_parser(rsub, port=8101, factory=_app, what="trust registry",
                     app_factory="trust_registry.app:create_app", env_prefix="ESSPASS_REGISTRY_",
                     preflight=lambda: _settings().list_signer(datetime.now(UTC)), without_database=_lists_kept)
    p = rsub.add_parser("seed", help="load the demo institutions and inspectorates (idempotent)")
    p.add_argument("--issuer-url", default=os.environ.get("ESSPASS_ISSUER_PUBLIC_URL"),
                   help="the demo issuer's public URL, to publish where each institution lists its status lists "
                        "(default: $ESSPASS_ISSUER_PUBLIC_URL)")
    p.add_argument("--verifier-url", default=os.environ.get("ESSPASS_VERIFIER_PUBLIC_URL"),
                   help="the demo verifier's public URL, to publish its privacy notice (<URL>/privacy) on the "
                        "verifiers list (default: $ESSPASS_VERIFIER_PUBLIC_URL)")
    p.set_defaults(func=_seed)
    rsub.add_parser("list", help="list the registered entities and their status").set_defaults(func=_list)
    p = rsub.add_parser("show", help="one entity as published (JSON); each certificate also with its subject and "
                                     "listed window (from, until, open or closed now)")
    p.add_argument("id")
    p.set_defaults(func=_show)
    p = rsub.add_parser("history", help="status history, certificate windows and audit trail of an entity (JSON)")
    p.add_argument("id")
    p.set_defaults(func=lambda a: _print(_registry().history(a.id)))
    p = rsub.add_parser("add", help="register an institution or inspectorate")
    p.add_argument("--id", required=True, help="CC:NAME, e.g. EE:SKA")
    p.add_argument("--country", required=True, help="ISO 3166-1 alpha-2")
    p.add_argument("--name", required=True, help="name in the local language")
    p.add_argument("--name-en")
    p.add_argument("--role", action="extend", nargs="+", required=True, choices=_ROLES)
    p.add_argument("--ca-pem", required=True, help="the entity's CA certificate (PEM file)")
    p.add_argument("--signer-pem", help="a document-signer certificate under that CA (PEM file)")
    p.add_argument("--dns-name", help="verifiers: DNS name in the access certificate")
    p.add_argument("--path", help="URL path segment of its issuer or verifier")
    p.add_argument("--status-lists", help="issuers: URL where it lists all its status lists (Status List Aggregation)")
    p.add_argument("--may-request", help='verifiers, JSON: {"urn:eudi:pda1:1": ["document_number", ...]}')
    p.add_argument("--policy-uri", help="verifiers: the https URL of its privacy notice, which wallets link")
    p.set_defaults(func=_add)
    p = rsub.add_parser("revoke-key", help="a key was compromised: distrust everything it signed (unlike rotate, "
                                           "which keeps what the old key signed before)")
    p.add_argument("id")
    p.add_argument("kid", help="the key's kid, as `esspass registry show ID` lists it (one starting with '-' "
                               "after `--`: revoke-key --reason R -- ID KID)")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=_revoke_key)
    p = rsub.add_parser("status-lists", help="publish where an institution lists all its status lists, for "
                                             "verifiers preparing to work without network")
    p.add_argument("id")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("uri", nargs="?", help="its Status List Aggregation URL")
    where.add_argument("--clear", action="store_true", help="stop publishing it")
    p.set_defaults(func=_status_lists)
    p = rsub.add_parser("path", help="correct the URL path segment an institution's issuer or inspectorate's "
                                     "verifier serves under (refused when another entity has it)")
    p.add_argument("id")
    p.add_argument("path", help="e.g. ee-ehk")
    p.set_defaults(func=_path)
    p = rsub.add_parser("roles", help="replace an entity's roles, the credential types it is competent for "
                                      "(documents of a removed type are refused from then on, earlier ones too)")
    p.add_argument("id")
    p.add_argument("roles", nargs="+", choices=_ROLES, metavar="ROLE", help=f"all its roles: {', '.join(_ROLES)}")
    p.set_defaults(func=_roles)
    p = rsub.add_parser("may-request", help="replace which claims an inspectorate may ask wallets for (verifiers "
                                            "only; wallets follow once they fetch the new list)")
    p.add_argument("id")
    p.add_argument("may_request", metavar="JSON",
                   help='all it may request, e.g. {"urn:eudi:pda1:1": ["document_number", ...], '
                        '"urn:eudi:pid:1": [...]}')
    p.set_defaults(func=_may_request)
    p = rsub.add_parser("policy-uri", help="publish where an inspectorate's privacy notice is, which wallets link "
                                           "on their consent screen (verifiers only)")
    p.add_argument("id")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("uri", nargs="?", help="the https URL of its privacy notice")
    where.add_argument("--clear", action="store_true", help="stop publishing it")
    p.set_defaults(func=_policy_uri)
    p = rsub.add_parser("add-certificate", help="list a CA or document-signer certificate beside the entity's "
                                                "others, closing none (step 1 of a staged CA change)")
    p.add_argument("id")
    p.add_argument("--pem", required=True, help="the certificate (PEM file); a signer must chain to a CA of the entity")
    p.add_argument("--usage", choices=["ca", "signer"], default="ca")
    p.set_defaults(func=_add_certificate)
    p = rsub.add_parser("close-certificate", help="end one listed certificate's window, now or at --at (the last "
                                                  "step of a staged CA change; unlike revoke-key, what it signed "
                                                  "before stays trusted)")
    p.add_argument("id")
    p.add_argument("kid", help="the certificate's kid, as `esspass registry show ID` lists it (one starting with "
                               "'-' after `--`: close-certificate --at T -- ID KID)")
    p.add_argument("--at", help="ISO 8601 date and time to close it at, now or later (default now; UTC without an "
                                "offset)")
    p.set_defaults(func=_close_certificate)
    p = rsub.add_parser("rotate", help="add a certificate, closing at once the window of the current one of that "
                                       "usage: a one-step CA change only for an institution listing its CAs only "
                                       "(refused when it would leave no signer under an open CA: add-certificate, "
                                       "a signer under the new CA, then close-certificate)")
    p.add_argument("id")
    p.add_argument("--pem", required=True)
    p.add_argument("--usage", choices=["ca", "signer"], default="ca")
    p.set_defaults(func=_rotate)
    for action, status, verb in (("suspend", "suspended", "is suspended"),
                                 ("reinstate", "active", "is active again"),
                                 ("withdraw", "withdrawn", "is withdrawn")):
        # A reason is required to suspend or withdraw: the usage line says so. The store refuses one
        # without (one line, exit 1, as every refusal), so argparse is left not to require it.
        needed = status != "active"
        p = rsub.add_parser(action, help=f"{action} an entity (recorded with a reason)",
                            usage="%(prog)s [-h] ID --reason REASON" if needed else None)
        p.add_argument("id")
        p.add_argument("--reason", default="", required=False,
                       help="why; required" if needed else "why (optional)")
        p.set_defaults(func=_status(status, verb))
