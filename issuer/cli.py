"""``esspass issuer serve|tokens|check``: run the credential issuer, show the clerks' tokens, and
check that verifiers will accept what each hosted institution signs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from esspass.serve import add_serve_parser

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

    from credentials.trust_list import TrustList
    from issuer.service import Institution
    from issuer.signers import Signer

__all__ = ["register"]

#: ``issuer check`` warns this many days before a signer certificate expires.
_RENEW_DAYS = 30

#: What ``issuer check`` says of a signer the issuers list bars (:func:`issuer.signers.barred_by`), by
#: why, most serious first: the word of the institution's line when it signs nothing, and what to do.
_BARRED = {
    "revoked": "its signer key was revoked on the trust list (compromised): nothing it signs is trusted; have a new "
               "key certified, configure it (next_signer_key) and register it (esspass registry)",
    "withdrawn": "the institution is withdrawn from the trust list: nothing new it signs is accepted (its status "
                 "lists are still served: what it issued before stays valid until withdrawn there)",
    "suspended": "the institution is suspended on the trust list: nothing is accepted until the registry reinstates "
                 "it (its status lists are still served)",
    "rotated out": "the registry rotated its signer key out (its listed window closed): configure the key registered "
                   "in its place (next_signer_key)",
}


def _app(args: argparse.Namespace) -> Any:
    from issuer.app import create_app
    from issuer.settings import IssuerSettings

    overrides: dict[str, Any] = {"port": args.port}
    return create_app(IssuerSettings(**overrides))


def _preflight() -> None:
    from issuer.app import hosted_institutions
    from issuer.settings import IssuerSettings, configured_offer_key

    settings = IssuerSettings()
    hosted_institutions(settings)
    configured_offer_key(settings)  # a key file named but missing is an error, not a new key


def _require_institutions(settings: Any) -> None:
    """Refuse (:class:`~esspass.config.NoDeployment`) a command on a deployment whose institutions'
    keys are not where the settings say: the demo PKI, which ``esspass up``/``init`` make, unless
    an institutions file names them. Never made here: a fresh PKI would sign for nobody's registry."""
    from esspass.config import require_file

    if settings.institutions_file is None:
        require_file(settings.pki_path() / "pki.json", "demo PKI", settings.data_dir)


def _tokens(_args: argparse.Namespace) -> int:
    """The clerks' tokens: those of ``ESSPASS_ISSUER_CLERK_TOKENS`` (no data directory needed), else
    the deployment's token file, which this makes only in an existing deployment's data directory."""
    from issuer.settings import IssuerSettings

    settings = IssuerSettings()
    if settings.clerk_tokens:
        print(json.dumps({entity: token for token, entity in settings.clerk_tokens.items()}, indent=2,
                         sort_keys=True))
        return 0
    from esspass.config import require_data_dir
    from issuer.app import hosted_institutions
    from issuer.settings import clerk_tokens

    require_data_dir(settings.data_dir)
    _require_institutions(settings)
    hosted = list(hosted_institutions(settings).values())
    tokens = clerk_tokens(settings, [i.entity.id for i in hosted],
                          approving=[i.entity.id for i in hosted if i.approval_required])
    print(json.dumps({entity: token for token, entity in tokens.items()}, indent=2, sort_keys=True))
    return 0


def _days(text: str) -> int:
    from issuer.settings import MAX_KEEP_DAYS

    if not (text.isascii() and text.isdigit()) or int(text) > MAX_KEEP_DAYS:
        raise argparse.ArgumentTypeError(f"a number of days from 0 to {MAX_KEEP_DAYS}")
    return int(text)


def _erase(args: argparse.Namespace) -> int:
    """Storage limitation (GDPR Art. 5(1)(e)): erase what the retention period no longer covers
    (:meth:`issuer.service.IssuerService.erase_ended`), and leave no copy of it in the database's
    files. Exit 1 when a reader of the database kept the copy in SQLite's write-ahead log."""
    from issuer.app import build_service
    from issuer.settings import IssuerSettings

    settings = IssuerSettings()
    days = settings.retention_days if args.days is None else args.days
    settings.require_database("issuer.db", "issuer database",
                              made_by="the issuer's first start (`esspass up`) or `esspass migrate`")
    _require_institutions(settings)
    service = build_service(settings)
    # This process cannot know whether an earlier erasure (the service's, or this command's) left
    # its copy in the log: it empties the log whatever it erases itself, so running it again helps.
    service.erasure_unreleased = not args.dry_run and days > 0
    try:
        erased = service.erase_ended(days, dry_run=args.dry_run)
    finally:
        service.engine.dispose()
    verb = "would be" if args.dry_run else "were"
    print(f"{erased} cases {verb} erased: their documents ended (or they were refused, or withdrawn before "
          f"anything was issued, offered or printed from them), and they were recorded and last used, more than "
          f"{days} days ago." if days else "Retention is off (0 days): nothing is erased.")
    if service.erasure_unreleased:
        print("esspass: a reader of the issuer database (a backup, a long query) kept its write-ahead log from "
              "being emptied: the erased values may still be read in issuer.db-wal; run `esspass issuer erase` "
              "again once it is done", file=sys.stderr)
        return 1
    return 0


def _check(_args: argparse.Namespace) -> int:
    """Each hosted institution as a verifier will judge it: its chain validated to a CA the
    registry lists for it, and every credential type it issues within its roles there."""
    from datetime import UTC

    from credentials import trust_list
    from credentials.errors import CredentialError
    from credentials.institutions import ROLE_FOR_VCT, Role
    from credentials.x509 import load_pem_certificates
    from esspass.config import require_file, service_http_client
    from esspass.pilot import read_record, unreachable
    from issuer.app import hosted_institutions
    from issuer.settings import IssuerSettings
    from issuer.signers import (
        SIGNER_MARGIN,
        accepted_by,
        barred_by,
        can_sign,
        current_signer,
        type_label,
        unlisted_role,
    )
    from trust_registry.client import TrustListClient, TrustListUnavailable

    settings = IssuerSettings()
    now = datetime.now(UTC)
    _require_institutions(settings)  # a deployment that is not there is said so, not made afresh
    require_file(settings.root_path(), "registry root certificate (ESSPASS_ISSUER_REGISTRY_ROOT)", settings.data_dir)
    institutions = hosted_institutions(settings)  # a key or chain that is wrong stops here, named
    root = load_pem_certificates(settings.root_path().read_bytes())[0]
    where = ("ESSPASS_ISSUER_PUBLIC_URL" if "ESSPASS_ISSUER_PUBLIC_URL" in os.environ
             else f"the pilot running from {settings.data_dir}" if read_record(settings.data_dir) is not None
             else "the default: set ESSPASS_ISSUER_PUBLIC_URL to the address wallets and verifiers use")
    print(f"This issuer: {settings.base_url()} ({where}); trust registry: {settings.registry_url}")
    try:
        with service_http_client(settings.tls_ca, settings.pki_path()) as http:
            issuers = TrustListClient(settings.registry_url, registry_root=root, http=http).refresh("issuers", now)
    except TrustListUnavailable as exc:
        print(f"esspass: {unreachable('the trust registry', exc.registry_url, exc.detail)}", file=sys.stderr)
        return 1
    refused = 0
    for inst in institutions.values():
        types = [vct for vct, role in ROLE_FOR_VCT.items() if role in inst.entity.roles]
        listed, barred = accepted_by(issuers, inst.entity), barred_by(issuers, inst.entity)
        signer = current_signer(inst.signers, now, listed=listed, barred=barred)
        if signer is None:  # each signer that could sign by its dates is barred by the list: why, worst first
            why = {barred(s, now) for s in inst.signers if can_sign(s, now)}
            word = next((w for w in _BARRED if w in why), None)
            if word is not None:
                refused += 1
                served = "" if word in ("suspended", "withdrawn") else " or served as status list"
                print(f"{inst.entity.id:<14} {word.upper():<8} {inst.issuer_url}: {_BARRED[word]}; nothing is "
                      f"issued, printed{served} (503 signer.distrusted)")
                for line in _signer_lines(issuers, inst, signer, now):
                    print(f"{'':<14} {line}")
                continue
        # Per type: one the list names the institution without the role for is refused by this issuer
        # (issuer.signers.unlisted_role: not recorded, offered, signed nor advertised); its others go on.
        lacking = {vct: role for vct in types if (role := unlisted_role(issuers, inst.entity, vct)) is not None}
        for vct in lacking:
            refused += 1
            named = issuers.entity(inst.entity.id)  # named by the list, or nothing would lack
            listed_roles = named.roles if named is not None else frozenset()
            wanted = [str(r) for r in Role if str(r) in listed_roles or str(r) in lacking.values()]
            print(f"{inst.entity.id:<14} REFUSED  {inst.issuer_url}: the trust registry does not list "
                  f"{inst.entity.id} as competent to issue {type_label(vct)}: nothing of this type is recorded, "
                  f"offered or signed (its operator: esspass registry roles {inst.entity.id} {' '.join(wanted)})")
        types = [vct for vct in types if vct not in lacking]
        if not types and signer is not None:  # nothing left to judge (a signer that cannot sign is still said)
            continue
        wrong: tuple[str, bool] | None = None
        try:
            if signer is None:
                raise CredentialError("none of its signer certificates can sign now (each ended, ends within a "
                                      "minute or has not begun): nothing is issued, printed or served as status list")
            for vct in types:
                entity = trust_list.authorised_issuer(issuers, signer.chain, vct, at=now, now=now).entity
                if entity.id != inst.entity.id:
                    raise CredentialError(f"its certificate belongs to {entity.id} on the trust list")
                wrong = _listed_address(entity, inst.entity.path, inst.issuer_url, approval=inst.approval_required)
        except CredentialError as exc:
            refused += 1
            print(f"{inst.entity.id:<14} REFUSED  {inst.issuer_url}: verifiers will refuse what it signs: "
                  f"{exc.message}")
            for line in _signer_lines(issuers, inst, signer, now):
                print(f"{'':<14} {line}")
            continue
        if wrong is not None and wrong[1]:  # wallets keep a deferral only from the address listed
            refused += 1
            print(f"{inst.entity.id:<14} REFUSED  {inst.issuer_url}: it has a second clerk approve each document, "
                  f"but wallets will not wait for its deferred documents: {wrong[0]} (the registry's operator: "
                  f"esspass registry path {inst.entity.id} {inst.entity.path}, and esspass registry status-lists "
                  f"{inst.entity.id} {inst.issuer_url}/status-lists)")
            continue
        print(f"{inst.entity.id:<14} ok       {inst.issuer_url}: listed (sequence {issuers.sequence}) for "
              f"{', '.join(types)}; signer valid until {signer.end:%Y-%m-%d}")
        if wrong is not None:
            print(f"{'':<14} warning  {wrong[0]}: verifiers getting its status lists ahead of an inspection "
                  f"without network look there (esspass registry status-lists {inst.entity.id} "
                  f"{inst.issuer_url}/status-lists)")
        for line in _signer_lines(issuers, inst, signer, now):
            print(f"{'':<14} {line}")
        # The notice period: when the last signer configured ends soon (a next one configured beside it
        # takes over by itself, issuer.signers, and lasts longer).
        remaining = [s for s in inst.signers if s.end - SIGNER_MARGIN > now]
        note = _renewal_note(max(remaining, key=lambda s: s.end).chain, now) if remaining else None
        if note is not None:
            print(f"{'':<14} note     {note}")
        try:  # the offline QR names its signer by kid: only a listed signer certificate is found
            trust_list.issuer_key_by_kid(issuers, signer.kid, types[0], at=now, now=now)
        except CredentialError:
            print(f"{'':<14} note     offline QR codes will not verify until the registry lists this "
                  "signer certificate as its document signer")
    for entity_id, kinds in _unnamed_cards(settings).items():  # a note: the exit status stays the chain's
        for configuration_id, count in sorted(kinds.items()):
            kind = "A1" if configuration_id == "pda1" else "EHIC"
            many = count != 1
            print(f"{entity_id:<14} note     {count} {kind} case{'s name' if many else ' names'} no holder: "
                  f"{'they are' if many else 'it is'} neither offered nor renewed until replaced with the holder's "
                  "surname, given names and birth date")
    return 1 if refused else 0


def _unnamed_cards(settings: Any) -> dict[str, dict[str, int]]:
    """Each institution's EHIC and A1 cases naming no holder, by configuration id
    (:meth:`issuer.service.IssuerService.unnamed_cards`),
    from the issuer database when it is at this release's schema: none before the issuer's first start,
    nor from a database still to be migrated (a check changes nothing: ``esspass migrate`` does that,
    once the earlier release is stopped)."""
    from esspass.migrate import pending, service_of
    from issuer.app import build_service

    if settings.configured_database_url() is None and not (settings.data_dir / "issuer.db").exists():
        return {}
    database = service_of("ESSPASS_ISSUER_")
    if database is None or pending(database):
        return {}
    service = build_service(settings)
    try:
        return service.unnamed_cards()
    finally:
        service.engine.dispose()


def _listed_owner(issuers: TrustList, signer: Signer, vcts: list[str], at: datetime) -> str:
    """The entity the trust list authorises ``signer`` under, for the first of ``vcts`` it does; the
    first type's refusal (CredentialError) when it does for none."""
    from credentials import trust_list
    from credentials.errors import CredentialError

    first: CredentialError | None = None
    for vct in vcts:
        try:
            return trust_list.authorised_issuer(issuers, signer.chain, vct, at=at, now=at).entity.id
        except CredentialError as exc:
            first = first or exc
    raise first or CredentialError("it issues no type the trust list knows")


def _signer_lines(issuers: TrustList, inst: Institution, used: Signer | None, now: datetime) -> list[str]:
    """``issuer check``'s lines on an institution's signers (:mod:`issuer.signers`): each one's kid and
    validity, whether the trust list accepts it, the one signing now, and when the next switch comes.
    A single signer listed and signing says nothing more than the institution's line."""
    from credentials.errors import CredentialError
    from credentials.institutions import ROLE_FOR_VCT
    from issuer.signers import SIGNER_MARGIN, accepted_by, barred_by, list_changes, next_switch

    vcts = [v for v, role in ROLE_FOR_VCT.items() if role in inst.entity.roles]
    barred = barred_by(issuers, inst.entity)
    lines = []
    quiet = len(inst.signers) == 1 and used is not None
    for signer in inst.signers:
        at = max(now, signer.not_before)  # a next certificate: as a verifier will judge it once it begins
        why = barred(signer, at)
        try:
            if why is not None:  # it signs nothing, whatever else the list says of it
                signs = "its status lists only" if why in ("suspended", "withdrawn") else "nothing"
                listing, quiet = f"{why.upper()} on the trust list (signs {signs})", False
            elif not vcts:
                raise CredentialError("it issues no type the trust list knows")
            else:  # as the issuer judges it (issuer.signers.accepted_by): listed for any of its types
                owner = _listed_owner(issuers, signer, vcts, at)
                listing = "listed" if owner == inst.entity.id else f"listed for {owner}, not {inst.entity.id}"
        except CredentialError as exc:
            listing = f"NOT accepted by the trust list ({exc.message}): register it with the registry"
            quiet = False
        role = ("signs now" if used is not None and signer.kid == used.kid
                else "next: not valid yet" if signer.not_before > now
                else "ended" if signer.end - SIGNER_MARGIN <= now else "not used now")
        if not quiet:
            lines.append(f"signer   {signer.kid[:12]}: valid {signer.not_before:%Y-%m-%d %H:%M} to "
                         f"{signer.end:%Y-%m-%d %H:%M} UTC; {listing}; {role}")
    if len(inst.signers) == 1:  # its end is the renewal note's
        return lines
    switch = next_switch(inst.signers, now, listed=accepted_by(issuers, inst.entity), barred=barred,
                         times=list_changes(issuers, inst.entity.id))
    if switch is not None:
        when, then = switch
        lines.append(f"switch   {when:%Y-%m-%d %H:%M} UTC: " + (
            f"signing with {then.kid[:12]} from then" if then is not None
            else "no signer can sign from then: nothing is issued, printed or served as status list until a new "
                 "one is configured"))
    return lines


def _renewal_note(chain: Sequence[Certificate], now: datetime) -> str | None:
    """What ``esspass issuer check`` says of a signer chain ending within :data:`_RENEW_DAYS` days, or
    None. Every copy issued now ends by then (:func:`issuer.service.credential_end`: a credential never
    outlives its signer chain, as ISO/IEC 18013-5 keeps an MSO within its signer certificate), so a
    worker whose document runs longer will need a new copy: renewing in time spares them a short one.
    Said of the last signer configured (an institution with a next signer beside the current one
    has its copies signed by that one from the switch)."""
    from issuer.service import signer_end

    end = signer_end(chain)
    left = end - now
    if left >= timedelta(days=_RENEW_DAYS):
        return None
    return (f"the signer certificate expires in {left.days} days ({end:%Y-%m-%d}): documents issued now get copies "
            f"ending {end:%Y-%m-%d}, after which their holders need new ones, and from then nothing is issued "
            "or printed; have a new one issued, configure it beside this one (next_signer_key, next_signer_chain "
            "in the institutions file), register it with the registry and restart the issuer: it takes over by "
            "itself")


def _listed_address(listed: Any, path: str, issuer_url: str, *, approval: bool) -> tuple[str, bool] | None:
    """What is wrong with the address the trust list gives an institution (``path`` and
    ``status_lists``, README "Own keys in a real deployment") for this issuer serving it at
    ``issuer_url``, and whether wallets will refuse its deferrals for it; None when nothing is.

    A wallet deferred by an institution keeps waiting only when the list names its address: ``path``
    the address's last segment, ``status_lists`` on its origin (wallet.core). That matters for an
    institution with four-eyes approval (``approval``), which defers every document: a failure.
    Otherwise what is listed must still match, since verifiers prefetch status lists from there."""
    from urllib.parse import urlsplit

    expected = f"{issuer_url}/status-lists"
    if listed.path != path and (listed.path or approval):
        return (f"the trust list gives it the path {listed.path!r}, this issuer serves it at /{path}" if listed.path
                else f"the trust list gives it no path (this issuer serves it at /{path})"), approval
    if not listed.status_lists:
        return (f"the trust list names no status lists address for it (this issuer serves {expected})", True) \
            if approval else None
    if listed.status_lists.rstrip("/") == expected:
        return None
    here, there = urlsplit(expected), urlsplit(listed.status_lists)
    elsewhere = (here.scheme, here.netloc.lower()) != (there.scheme, there.netloc.lower())
    return (f"the trust list names its status lists at {listed.status_lists}, on another "
            f"{'server' if elsewhere else 'path'} than this issuer's {expected}"), approval and elsewhere


def _csr(args: argparse.Namespace) -> int:
    """A certificate request for a document signer whose key the institution holds (a PEM file,
    or a key that never leaves its HSM, named by a PKCS #11 URI), for its CA to certify."""
    from pathlib import Path

    from cryptography.hazmat.primitives import serialization

    from credentials.countries import COUNTRIES, normalise
    from credentials.errors import CredentialError, DataError
    from credentials.institutions import Entity, Role
    from credentials.pki import document_signer_request
    from credentials.signing_key import open_key

    country = normalise(args.country.upper())
    if country not in COUNTRIES or not args.id.upper().startswith(country + ":"):
        print("error: --country must be an ESSPASS country and --id start with it (EE:SKA)", file=sys.stderr)
        return 2
    entity = Entity(args.id, country, args.name, args.name_en or args.name, frozenset({Role.PDA1_ISSUER}), "")
    try:
        key = open_key(args.key, password_file=Path(args.password_file) if args.password_file else None)
        request = document_signer_request(entity, key)
    except DataError as exc:
        print(f"error: --key: {exc.rule}", file=sys.stderr)
        return 1
    except CredentialError:  # the token does not sign (SignerUnavailableError), the cause logged
        print("error: --key: the token does not sign; see the log above", file=sys.stderr)
        return 1
    if not request.is_signature_valid:  # a token whose public key object is not its private key's
        print("error: --key: the request's signature does not verify with the key's public half", file=sys.stderr)
        return 1
    pem = request.public_bytes(serialization.Encoding.PEM)
    if args.out:
        Path(args.out).write_bytes(pem)
        print(f"Certificate request written to {args.out}: have the institution's CA sign it, then name the "
              "certificate as signer_chain in the institutions file and run `esspass issuer check`.")
    else:
        sys.stdout.write(pem.decode("ascii"))
    return 0


def register(sub: Any) -> None:
    parser = sub.add_parser("issuer", help="the institutions' credential issuer (OpenID4VCI) and back office")
    isub = parser.add_subparsers(dest="issuer_command", metavar="ACTION", required=True)
    add_serve_parser(isub, port=8102, factory=_app, what="credential issuer",
                     app_factory="issuer.app:create_app", env_prefix="ESSPASS_ISSUER_", preflight=_preflight)
    isub.add_parser("tokens", help="print each institution's clerk token (demo logins)").set_defaults(func=_tokens)
    p = isub.add_parser("erase", help="erase the personal data of cases whose documents ended (or that were "
                                      "refused, or withdrawn before anything was issued, offered or printed from "
                                      "them), and which were "
                                      "recorded and last used, more than the retention period ago (also done "
                                      "daily by the service)")
    p.add_argument("--days", type=_days, help="the retention period (default: ESSPASS_ISSUER_RETENTION_DAYS, 90)")
    p.add_argument("--dry-run", action="store_true", help="only count them")
    p.set_defaults(func=_erase)
    isub.add_parser("check", help="check each hosted institution's key and certificates, and that the trust "
                                  "registry lists it for what it issues").set_defaults(func=_check)
    p = isub.add_parser("csr", help="write a certificate request (PKCS #10) for a document signer key, a PEM file "
                                    "or a key in an HSM (PKCS #11 URI), for the institution's CA")
    p.add_argument("--key", required=True,
                   help="PEM file, or pkcs11:token=...;object=...?module-path=...&pin-source=...")
    p.add_argument("--password-file", help="the PEM key's password, or the token's PIN, in a file")
    p.add_argument("--id", required=True, help="the institution's id on the trust list, e.g. EE:SKA")
    p.add_argument("--country", required=True, help="its country code, e.g. EE")
    p.add_argument("--name", required=True, help="its name (the certificate's organizationName)")
    p.add_argument("--name-en", help="its English name (the certificate's commonName)")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.set_defaults(func=_csr)
