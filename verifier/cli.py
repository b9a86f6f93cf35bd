"""``esspass verifier serve|tokens|check|prefetch|records``: run the inspector's service, manage the
inspectors' tokens, check that wallets will answer its requests and what the device holds for checks
without network, get the lists for a site without network, and print the inspection records."""

from __future__ import annotations

import argparse
import sys
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
    from functools import partial

    from credentials import dcql, trust_list
    from credentials.errors import CredentialError
    from credentials.x509 import load_pem_certificates
    from esspass.config import require_file, service_http_client
    from esspass.pilot import unreachable
    from trust_registry.client import TrustListClient, TrustListUnavailable
    from verifier.service import PROFILES, profile_query
    from verifier.settings import VerifierSettings

    settings = VerifierSettings()
    now = datetime.now(UTC)
    if settings.access_key_file is None and settings.access_chain_file is None:
        # The demo access certificate: never made here, where it would be nobody's registry's.
        require_file(settings.pki_path() / "pki.json", "demo PKI", settings.data_dir)
    _key, chain = settings.access_certificate(now)  # a key or chain that is wrong stops here, named
    require_file(settings.root_path(), "registry root certificate (ESSPASS_VERIFIER_REGISTRY_ROOT)", settings.data_dir)
    root = load_pem_certificates(settings.root_path().read_bytes())[0]
    try:
        with service_http_client(settings.tls_ca, settings.pki_path()) as http:
            verifiers = TrustListClient(settings.registry_url, registry_root=root,
                                        http=http).refresh("verifiers", now)
    except TrustListUnavailable as exc:  # not reached: say where, never that the inspectorate is not trusted
        print(f"esspass: {unreachable('the trust registry', exc.registry_url, exc.detail)}", file=sys.stderr)
        _held(settings, root, now, fetch=False)  # what the device can still do without network
        return 1
    refused = 0
    for profile in PROFILES:
        left_out: tuple[tuple[str, str], ...] = ()
        try:
            # What a request asks: the profile's query without the optional claims the registration
            # does not allow (verifier.service VerifierService.within_registration).
            query = profile_query(profile)
            listed = trust_list.authorised_verifier(verifiers, chain, {}, at=now)
            query, left_out = dcql.within_registration(query, partial(trust_list.allowed_claims, listed))
            entity = trust_list.authorised_verifier(verifiers, chain, dcql.requested_claims(query), at=now)
            if entity.id != settings.entity_id:
                raise CredentialError(f"the access certificate belongs to {entity.id} on the trust list, not "
                                      f"{settings.entity_id}")
        except CredentialError as exc:
            refused += 1
            print(f"{profile:<6} REFUSED  wallets will decline this inspection: {exc.message}")
            continue
        print(f"{profile:<6} ok       {entity.name_en} ({entity.id}) may ask for what this inspection asks "
              f"(list sequence {verifiers.sequence})")
        if left_out:  # optional claims not asked: the inspection works, with less (widen may_request)
            names = ", ".join(sorted({name for _query, name in left_out}))
            print(f"{'':<6} trimmed  not registered to request, so not asked (optional): {names}")
    left = chain[0].not_valid_after_utc - now
    if left < timedelta(days=30):
        print(f"{'':<6} note     the access certificate expires in {left.days} days: have a new one issued")
    _held(settings, root, now, fetch=False)
    return 1 if refused else 0


def _prefetch(_args: argparse.Namespace) -> int:
    """Get the lists for a site without network, as the offline page's button does (the trust list,
    then every status list of the institutions on it and of those seen, in both forms), into the
    data directory the verifier reads them from (a running verifier takes them up at its next check);
    then what is held and until when. Exit 1 when some could not be fetched."""
    from datetime import UTC, datetime

    from credentials.x509 import load_pem_certificates
    from esspass.config import require_file
    from verifier.settings import VerifierSettings

    settings = VerifierSettings()
    require_file(settings.root_path(), "registry root certificate (ESSPASS_VERIFIER_REGISTRY_ROOT)", settings.data_dir)
    root = load_pem_certificates(settings.root_path().read_bytes())[0]
    return _held(settings, root, datetime.now(UTC), fetch=True)


def _held(settings: Any, root: Any, now: Any, *, fetch: bool) -> int:
    """Print what the device holds for checks without network (verifier.service.readiness): the trust
    list and each institution's status lists, and until when each lets it decide; with ``fetch``,
    first get them all again (:meth:`esspass.status_client.StatusClient.prefetch`). Reads and writes the
    verifier's own caches (``<data dir>/verifier``). Returns 1 when the lists cannot answer (or some
    could not be fetched), else 0."""
    from datetime import timedelta

    from credentials.errors import CredentialError
    from esspass.config import service_http_client
    from esspass.pilot import unreachable
    from esspass.status_client import StatusClient
    from trust_registry.client import TrustListClient, TrustListTooOld, TrustListUnavailable
    from verifier.messages import duration_words
    from verifier.service import readiness

    zone = settings.zone()
    cache = settings.data_dir / "verifier"
    with service_http_client(settings.tls_ca, settings.pki_path()) as http:
        lists = TrustListClient(settings.registry_url, registry_root=root, http=http, cache_dir=cache / "trust-cache",
                                max_age=timedelta(seconds=settings.trust_list_max_age))
        status = StatusClient(http, max_age=settings.status_max_age, cache_dir=cache / "status-cache")
        try:
            issuers = lists.refresh("issuers", now) if fetch else lists.issuers(now)
        except CredentialError as exc:
            old = exc.too_old if isinstance(exc, TrustListUnavailable) else exc
            if fetch and isinstance(exc, TrustListUnavailable):
                print(f"esspass: {unreachable('the trust registry', exc.registry_url, exc.detail)}", file=sys.stderr)
            what = (f"the trust list held is {duration_words(old.age, 'en')} old, more than the "
                    f"{duration_words(old.max_age, 'en')} allowed" if isinstance(old, TrustListTooOld)
                    else "no trust list is held")
            print(f"{'lists':<6} NONE     {what}: checks without network show CANNOT BE CONFIRMED; get the lists "
                  "where there is network (esspass verifier prefetch)")
            return 1
        failed = 0
        if fetch:
            got = status.prefetch(issuers, now)
            failed = got.failed
            print(f"{'lists':<6} fetched  {got.status_lists} status lists of {got.institutions} institutions"
                  + (f"; {got.failed} could not be fetched" if got.failed else ""))
            marked = _recheck_records(settings, status, issuers, now, zone)
            if marked is not None:
                print(f"{'':<6} records  {marked} document{'' if marked == 1 else 's'} found withdrawn since "
                      "their check, marked in the records (later_status)")
        issued = issuers.issued_at.timestamp()
        state = readiness(status.held(issuers), issuers, trust_until=issued + settings.trust_list_max_age,
                          trust_issued=issued, zone=zone)

    def when(iso: str) -> str:
        from datetime import datetime

        moment = datetime.fromisoformat(iso)
        left = (moment - now).total_seconds()
        ago = f"in {duration_words(left, 'en')}" if left > 0 else f"{duration_words(-left, 'en')} ago, ENDED"
        return f"{moment:%Y-%m-%d %H:%M} ({ago})"

    trust = state["trust_list"]
    issued_at = trust["issued_at"][:16].replace("T", " ")
    print(f"{'lists':<6} trust    the trust list (issuers) of {issued_at}: used without network until "
          f"{when(trust['usable_until'])}")
    for institution in state["institutions_held"]:
        count = sum(1 for h in state["held_status_lists"] if h["institution"] == institution["id"])
        print(f"{'':<6} status   {institution['id']}: {count} status list{'' if count == 1 else 's'}, answering "
              f"without network until {when(institution['answers_until'])}")
    until = state["checks_without_network_until"]
    if until is None:
        print(f"{'':<6} NONE     no status list is held that can answer: checks without network show CANNOT BE "
              "CONFIRMED; get the lists where there is network (esspass verifier prefetch)")
        return 1
    print(f"{'':<6} ready    checks without network answer until {when(until)} ({zone}); after that CANNOT BE "
          "CONFIRMED (a withdrawal already known is still told): get the lists again before (esspass verifier "
          "prefetch)")
    return 1 if failed or _past(until, now) else 0


def _recheck_records(settings: Any, status: Any, issuers: Any, now: Any, zone: Any) -> int | None:
    """As the page's prefetch: the inspection records' documents looked up again in the lists just
    fetched (:func:`verifier.service.recheck_records`); None where this verifier keeps no records yet
    (no database), or they cannot be read (a schema of another release: its own start migrates it)."""
    from sqlalchemy.exc import SQLAlchemyError

    from esspass.db import make_engine
    from verifier import records
    from verifier.service import recheck_records

    if settings.configured_database_url() is None and not (settings.data_dir / "verifier.db").exists():
        return None
    engine = make_engine(settings.db_url("verifier.db"))
    try:
        return recheck_records(records.RecordStore(engine, b"", zone), status, issuers, now)
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def _past(iso: str, now: Any) -> bool:
    """Whether the ISO 8601 moment ``iso`` is not after ``now``."""
    from datetime import datetime

    return bool(datetime.fromisoformat(iso) <= now)


def _tokens(args: argparse.Namespace) -> int:
    """Print the inspectors' tokens after ``--add``/``--revoke``; those are refused (exit 2) while the
    tokens are configured in ``ESSPASS_VERIFIER_INSPECTOR_TOKENS``, which they cannot change. The tokens
    file is the deployment's: a data directory that is not there is refused (exit 1), never made, and
    so is a name to add that is taken or not a login name, or one to revoke that has no token."""
    import json
    import sys

    from credentials.errors import DataError
    from credentials.files import TokenNameError
    from esspass.config import require_data_dir
    from verifier.settings import VerifierSettings, inspector_tokens

    settings = VerifierSettings()
    if not settings.inspector_tokens:
        require_data_dir(settings.data_dir)
    try:
        tokens = inspector_tokens(settings, add=args.add or (), revoke=args.revoke or ())
    except DataError as exc:
        if exc.field != "ESSPASS_VERIFIER_INSPECTOR_TOKENS":
            raise
        print(f"esspass: {exc.field} {exc.rule}", file=sys.stderr)
        return 2
    except TokenNameError as exc:
        print(f"esspass: {_token_name_refusal(exc)}", file=sys.stderr)
        return 1
    print(json.dumps({name: token for token, name in tokens.items()}, indent=2, sort_keys=True))
    return 0


def _token_name_refusal(exc: Any) -> str:
    """The one line for a :class:`~credentials.files.TokenNameError`: the name and what is wrong with it."""
    if exc.problem == "invalid":
        return (f"--add {exc.name!r}: an inspector's name is 1 to 30 lower-case letters, digits, '.', '_' or "
                "'-', starting with a letter or digit, as a clerk's (anna.berzina)")
    if exc.problem == "taken":
        return (f"--add {exc.name}: that inspector has a token already (`--revoke {exc.name} --add {exc.name}` "
                "gives a new one)")
    known = exc.known
    those = (f"those with one: {', '.join(known)}" if 0 < len(known) <= 10 else
             f"{len(known)} inspectors have one: `esspass verifier tokens` lists them" if known else
             "no inspector has one yet")
    return f"--revoke {exc.name}: no inspector of that name has a token ({those})"


def _day(text: str) -> Any:
    from datetime import date

    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date, YYYY-MM-DD") from exc


def _records(args: argparse.Namespace) -> int:
    """The inspection records of ``--from`` .. ``--to`` (either alone is that one day, as in the API;
    neither is today, in the verifier's time zone), read from the verifier's database directly
    (verifier/records.py): the service need not run."""
    import os
    import sys
    from datetime import datetime

    from sqlalchemy.exc import SQLAlchemyError

    from credentials.errors import ProtocolError
    from esspass.db import make_engine, unavailable
    from verifier import records
    from verifier.settings import VerifierSettings

    settings = VerifierSettings()
    configured = settings.database_url or os.environ.get("DATABASE_URL")
    if not configured and not (settings.data_dir / "verifier.db").exists():  # never make an empty one
        print(f"esspass: no verifier database in {settings.data_dir} (ESSPASS_DATA_DIR)", file=sys.stderr)
        return 1
    url = settings.db_url("verifier.db")
    zone = settings.zone()
    first = args.first or args.last or datetime.now(zone).date()  # --to alone is that day, as in the API
    last = args.last or first
    try:
        records.check_range(first, last, zone)  # every range it refuses, before anything is printed
        only = records.RecordFilter(verdict=args.verdict, inspector=args.inspector)
    except ProtocolError as exc:
        print(f"esspass: {exc.message}", file=sys.stderr)
        return 2
    engine = make_engine(url)
    # Listing needs no key: the document_ref HMAC key is only for lookups, which the service does.
    store = records.RecordStore(engine, b"", zone)
    out = sys.stdout
    try:
        entries = store.all_between(first, last, only=only)
        if args.format == "csv":
            out.writelines(records.csv_lines(entries, zone))
        elif args.format == "jsonl":
            out.writelines(records.jsonl_lines(entries, zone))
        else:
            _records_table(out, entries, zone)
            counts = store.summary(first, last, only=only)
            print(f"{counts['checked']} checked: {counts['valid']} valid, {counts['invalid']} not valid, "
                  f"{counts['undetermined']} cannot be confirmed, {counts['refused']} not shared "
                  f"({first.isoformat()} to {last.isoformat()}, {zone})", file=out)
    except SQLAlchemyError as exc:  # the type only: a database error's text can quote rows
        if unavailable(exc):
            raise  # not answering: esspass.cli says so, with the setting and the reason, not "is it migrated?"
        print(f"esspass: the verifier's database cannot be read ({type(exc).__name__}): is it migrated "
              "(esspass migrate --service verifier)?", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def _records_table(out: Any, entries: Any, zone: Any) -> None:
    from verifier import records

    labels = {"pda1": "A1", "ehic": "EHIC", "pid": "PID", "other": "other"}
    print(f"{'checked at':<25} {'verdict':<12} {'documents':<12} {'institutions':<22} {'inspector':<16} "
          f"{'how':<12} id", file=out)
    for e in entries:
        docs = ",".join(labels[records.type_key(d.credential_type)] for d in e.documents) or "-"
        issuers = ",".join(dict.fromkeys(d.issuer_id for d in e.documents if d.issuer_id)) or "-"
        how = e.flow if e.kind == "online" and e.flow else e.kind
        print(f"{e.checked_at_in(zone).isoformat(timespec='seconds'):<25} {e.verdict:<12} {docs:<12} "
              f"{issuers:<22} {e.inspector or '-':<16} {how:<12} {e.id}", file=out)


def register(sub: Any) -> None:
    parser = sub.add_parser("verifier", help="the inspector's service and page (OpenID4VP)")
    vsub = parser.add_subparsers(dest="verifier_command", metavar="ACTION", required=True)
    add_serve_parser(vsub, port=8103, factory=_app, what="verifier",
                     app_factory="verifier.app:create_app", env_prefix="ESSPASS_VERIFIER_", preflight=_preflight)
    vsub.add_parser("check", help="check the access certificate, and that the trust registry lets this "
                                  "inspectorate ask for what each inspection asks; then what the device holds for "
                                  "checks without network (trust list, status lists) and until when"
                    ).set_defaults(func=_check)
    vsub.add_parser("prefetch", help="get the lists for a site without network (the trust list and every status "
                                     "list), and say until when checks without network answer"
                    ).set_defaults(func=_prefetch)
    p = vsub.add_parser("tokens", help="the inspectors' login tokens: print them, give new inspectors one, revoke")
    p.add_argument("--add", action="append", metavar="NAME", help="give this inspector a token (repeatable)")
    p.add_argument("--revoke", action="append", metavar="NAME", help="take this inspector's token away")
    p.set_defaults(func=_tokens)
    p = vsub.add_parser("records", help="the inspection records (what was checked, when, by whom, with which "
                                        "outcome; no personal data) of a day or a range of days")
    p.add_argument("--from", dest="first", type=_day, metavar="DATE", help="first day, YYYY-MM-DD (default --to, "
                   "else today in the verifier's time zone)")
    p.add_argument("--to", dest="last", type=_day, metavar="DATE", help="last day, YYYY-MM-DD (default --from; "
                   "at most 366 days in all)")
    p.add_argument("--verdict", choices=("valid", "invalid", "undetermined", "refused"),
                   help="only the checks with this verdict")
    p.add_argument("--inspector", metavar="NAME", help="only the checks of this inspector (login name)")
    p.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                   help="table (default), csv or jsonl (these two with each record's signed proof)")
    p.set_defaults(func=_records)
