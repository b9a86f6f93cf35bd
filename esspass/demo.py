"""``esspass demo --core``: the credential core's story in plain words, with no services.

An institution issues a PDA1; the worker presents only what an inspector needs, bound to the
inspector's nonce; the inspector verifies it against the institution's CA; the institution revokes
it in its status list; the inspector checks again and sees it withdrawn. Every step runs the real
core (``credentials``): real keys, real signatures, real certificate chains.
"""

from __future__ import annotations

import argparse
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, TextIO

from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import DEMO_ENTITIES, demo_entity

__all__ = ["register", "run_core_demo"]

INSPECTOR_CLAIMS: tuple[tuple[str | int | None, ...], ...] = (
    ("legislation_country",),
    ("status_confirmation",),
    ("starting_date",),
    ("ending_date",),
    ("employer",),
    ("document_number",),
)


def run_core_demo(out: TextIO, *, now: datetime | None = None) -> int:
    """Run the core story, writing plain-words steps to ``out``; returns 0 when it went as expected."""
    # Here, not at the top: every ``esspass`` command imports this module to list ``demo``.
    from credentials import pda1, sd_jwt_vc, status_list
    from credentials.errors import CredentialError
    from credentials.jose import generate_key, public_jwk
    from credentials.pki import create_demo_pki
    from credentials.sd_jwt import KeyBindingPolicy, present

    now = now or datetime.now(UTC).replace(microsecond=0)

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    institution = demo_entity("LV:VSAA")
    with TemporaryDirectory() as tmp:
        pki = create_demo_pki(Path(tmp), DEMO_ENTITIES, now=now)
    signer_key, chain = pki.signers[institution.id]
    anchors = [pki.cas[institution.id][1]]
    issuer_url = "https://localhost:8102/lv-vsaa"
    list_uri = f"{issuer_url}/status/1"

    say(f"1. {institution.name_en} ({institution.id}) set up its signing key, certified by its own CA.")
    person = DEMO_PERSONS[0]
    claims = pda1.with_holder(pda1.validate(person.pda1), person.holder)  # section 1 names the worker
    wallet_key = generate_key()
    statuses = status_list.StatusList(131072, bits=2)
    idx = status_list.allocate_index(statuses.size, lambda i: False)
    iat = int(now.timestamp())
    credential = sd_jwt_vc.issue_vc(
        vct=pda1.VCT, claims=claims, sd_paths=pda1.SD_PATHS, holder_jwk=public_jwk(wallet_key),
        issuer_key=signer_key, x5c=chain, iss=issuer_url, iat=iat, nbf=iat, exp=iat + 365 * 86400,
        status=status_list.StatusReference(idx=idx, uri=list_uri),
    )
    say(f"2. It issued a PDA1 to the worker's wallet key ({len(credential)} bytes, status list entry {idx}):")
    say(f"   {pda1.describe(claims, 'en')}")

    nonce = secrets.token_urlsafe(16)
    audience = "x509_san_dns:vdi.verifier.localhost"
    presentation = present(credential, select=INSPECTOR_CLAIMS, holder_key=wallet_key, nonce=nonce, aud=audience,
                           iat=iat + 60)
    disclosed = ", ".join(p[0] for p in INSPECTOR_CLAIMS if isinstance(p[0], str))
    say(f"3. The worker showed the labour inspector only: {disclosed}; signed for the inspector's nonce.")

    def inspect(step: int) -> str:
        at = now + timedelta(seconds=90)
        token = status_list.sign_token(statuses, uri=list_uri, key=signer_key, x5c=chain, iat=iat + 80,
                                       exp=iat + 80 + 600, ttl=300)
        try:
            verified = sd_jwt_vc.verify_vc(presentation, anchors=anchors, now=at,
                                           key_binding=KeyBindingPolicy(nonce=nonce, aud=audience))
            assert verified.status is not None
            lst = status_list.verify_token(token, uri=list_uri, anchors=anchors, now=at)
            value = status_list.status_of(lst, verified.status)
        except CredentialError as exc:
            say(f"{step}. The inspector's check failed ({exc.code}): {exc.message}")
            return "invalid"
        hidden = sorted(set(claims) - set(verified.claims))
        if value == status_list.VALID:
            say(f"{step}. The inspector checked signature, certificate chain, key binding and status: VALID.")
            say(f"   Legislation of {verified.claims['legislation_country']} applies until "
                f"{verified.claims['ending_date']}; not shown to the inspector: {', '.join(hidden)}.")
            return "valid"
        word = {status_list.INVALID: "WITHDRAWN", status_list.SUSPENDED: "SUSPENDED"}.get(value, "UNKNOWN")
        say(f"{step}. The inspector checked again: the signature is still genuine, but the status list says "
            f"{word}, so the PDA1 is NOT valid.")
        return "invalid"

    first = inspect(4)
    statuses.set(idx, status_list.INVALID)
    say(f"5. {institution.name_en} withdrew the PDA1: entry {idx} of its status list is now 'invalid'.")
    second = inspect(6)
    ok = first == "valid" and second == "invalid"
    say("Done: the core behaved as expected." if ok else "Unexpected outcome: see the steps above.")
    return 0 if ok else 1


def run_pilot_demo(out: TextIO, *, data_dir: Path, registry_url: str, issuer_url: str, verifier_url: str,
                   tls_ca: Path | None) -> int:
    """The whole story against running services (``esspass up``), each step over real HTTP."""
    import httpx

    from credentials.demo_persons import portrait
    from esspass.stack import Clerk, Inspector, inspector_token, open_wallet, unnumbered
    from verifier.messages import describe_document

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    person = DEMO_PERSONS[0]
    from esspass.config import tls_verify

    http = httpx.Client(verify=tls_verify(tls_ca), timeout=20)
    clerk = Clerk(issuer_url, data_dir, http)
    inspector = Inspector(verifier_url, http, inspector_token(data_dir))
    with TemporaryDirectory() as tmp:
        wallet = open_wallet(Path(tmp), registry_url, secrets.token_urlsafe(12), tls_ca=tls_ca,
                             pki_dir=data_dir / "pki")
        say(f"The worker {person.pid['given_name']} installs a fresh wallet (encrypted with her passphrase).")
        cases = {}
        # The clerks leave the document numbers empty for the issuer to give new ones, so that the
        # story can be told again against the same pilot (an institution gives a number once).
        steps = (("a PID", person.pid_provider, "pid", {**person.pid, "picture": portrait(person)}),
                 ("a PDA1", person.pda1_issuer, "pda1", unnumbered(person.pda1)),
                 ("an EHIC", person.ehic_issuer, "ehic", unnumbered(person.ehic)))
        for n, (label, entity_id, config, claims) in enumerate(steps, start=1):
            name = demo_entity(entity_id).name_en
            holder = None if config == "pid" else person.holder
            case_id = clerk.create_case(entity_id, config, claims, holder)
            cases[config] = (entity_id, case_id)
            offer = clerk.offer(entity_id, case_id)
            say(f"{n}. A clerk at {name} ({entity_id}) creates {label} and hands over an offer link "
                f"with a one-time code.")
            offer_id, _resolved = wallet.open_offer(offer["link"])
            wallet.accept_offer(offer_id, offer["tx_code"])
            say(f"   The wallet received it (one key per copy, made on the phone), checked the signature and that "
                f"{name} may issue {label}, and stored it.")
        for card in wallet.cards("en"):
            say(f"   In the wallet: {card.description}")

        def inspect(step: str, profile: str = "pda1") -> dict[str, Any]:
            request = inspector.request(profile)
            consent = wallet.open_request(request["link"], "en")
            # Per document, as the consent screen lists them: whose claims each is is the point of it.
            asked = "; ".join(f"from the {item.title}: {', '.join(str(c.path[0]) for c in item.claims)}"
                              for item in consent.items)
            say(f"{step} The labour inspector ({consent.verifier_name}) asks for, {asked}. The worker agrees.")
            wallet.share(consent.id)  # as the wallet page by default: the verifier's first option it satisfies
            verdict = inspector.result(request)["verdict"]
            word = {"valid": "VALID", "invalid": "NOT VALID"}.get(str(verdict["verdict"]), "CANNOT BE CONFIRMED")
            say(f"   Verdict: {word}" + (f" - {verdict['reason']}" if verdict.get("reason") else ""))
            person = verdict.get("person") or {}
            for doc in person.get("documents", []):
                say(f"   {person.get('given_name', '')} {person.get('family_name', '')}: "
                    f"{describe_document(doc, 'en')}")
            result: dict[str, Any] = verdict
            return result

        first = inspect("4.")
        entity_id, case_id = cases["pda1"]
        # A withdrawal (987/2009 Art. 5) undoes the A1 from its start: for a wrong determination. A posting
        # that merely ended early is a replacement with the shorter period, the months worked still covered.
        reason = "issued in error: the posting never took place"
        clerk.set_state(entity_id, case_id, "revoke", reason)
        say(f"5. {demo_entity(entity_id).name_en} withdraws the PDA1 (reason: {reason}).")
        second = inspect("6.")
        ehic_entity, ehic_case = cases["ehic"]
        group = next(c.group for c in wallet.cards("en") if "ehic" in c.vct)
        clerk.set_state(ehic_entity, ehic_case, "suspend", "insurance being re-checked")
        status = wallet.check_status(group)
        say(f"7. {demo_entity(ehic_entity).name_en} suspends the EHIC; the wallet checks its status: {status.value}.")
        clerk.set_state(ehic_entity, ehic_case, "reinstate", "insurance confirmed")
        status_after = wallet.check_status(group)
        say(f"8. It reinstates the EHIC; the wallet checks again: {status_after.value}.")
        wallet.http.close()
        approved = _four_eyes(say, clerk, Path(tmp), registry_url, tls_ca, data_dir)
    http.close()
    ok = (first["verdict"] == "valid" and second["verdict"] == "invalid" and status.value == "suspended"
          and status_after.value == "valid" and approved)
    say("Done: the story went as expected." if ok else "Unexpected outcome: see the steps above.")
    return 0 if ok else 1


def _four_eyes(say: Any, clerk: Any, tmp: Path, registry_url: str, tls_ca: Path | None, data_dir: Path) -> bool:
    """Steps 9-10: an institution that has a second clerk approve each document (the pilot's ZUS):
    the wallet is told to wait (OpenID4VCI §8.3, deferred), and fetches the document once approved (§9)."""
    from esspass.stack import open_wallet, unnumbered

    worker = DEMO_PERSONS[1]
    zus = worker.pda1_issuer
    name = demo_entity(zus).name_en
    recorder, approver = f"{zus}/clerk.1", f"{zus}/clerk.2"
    if recorder not in clerk.tokens or approver not in clerk.tokens:
        say(f"9. (Four-eyes approval is off at {name} in this pilot, ESSPASS_ISSUER_APPROVAL: nothing more to show.)")
        return True
    case_id = clerk.create_case(recorder, "pda1", unnumbered(worker.pda1), worker.holder)
    offer = clerk.offer(recorder, case_id)
    wallet = open_wallet(tmp / "second-worker", registry_url, secrets.token_urlsafe(12), tls_ca=tls_ca,
                         pki_dir=data_dir / "pki")
    try:
        received = wallet.accept(wallet.open_offer(offer["link"])[0], offer["tx_code"])
        if not received.pending:  # named clerks from an earlier pilot, approval since turned off
            say(f"9. {name} ({zus}) issued a PDA1 to a second worker at once: four-eyes approval is off in this "
                "pilot (ESSPASS_ISSUER_APPROVAL).")
            return bool(received.groups)
        say(f"9. {name} ({zus}) has a second clerk approve each document. Clerk 1 records a PDA1 for "
            f"{worker.pid['given_name']} {worker.pid['family_name']} and hands over the offer; the wallet is told "
            f"to wait ({len(received.pending)} document pending, nothing signed yet).")
        clerk.approve(approver, case_id)
        outcomes = wallet.fetch_pending(force=True)
        cards = [c.description for c in wallet.cards("en")]
        say(f"10. Clerk 2 approves it; the wallet asks again and receives it: {cards[0] if cards else 'nothing'}")
        return bool(received.pending) and [o.outcome for o in outcomes] == ["received"] and len(cards) == 1
    finally:
        wallet.http.close()


def _cmd(args: argparse.Namespace) -> int:
    import sys

    import httpx

    from esspass.config import default_data_dir
    from esspass.pilot import DEFAULT_PORT_BASE, SERVICES, read_record, unreachable

    if args.core:
        return run_core_demo(sys.stdout)
    data_dir = Path(args.data_dir or default_data_dir()).resolve()
    record = read_record(data_dir)
    asked = args.port_base is not None or args.http
    scheme = "http" if args.http else "https"
    base = DEFAULT_PORT_BASE if args.port_base is None else args.port_base
    if record is not None:  # `esspass up` on this data directory says where it runs
        if asked and (record.scheme, record.port_base()) != (scheme, base):
            options = f"--port-base {record.port_base()}" + (" --http" if record.scheme == "http" else "")
            _refuse(f"the pilot of {data_dir} runs at {record.urls['registry']} (`esspass up {options}`), not "
                    f"{scheme}://localhost:{base} as asked: run `esspass demo` without --port-base and --http, "
                    "or with the same ones as `esspass up`")
            return 1
        urls, scheme = dict(record.urls), record.scheme
    else:
        # The ports `esspass up --port-base` gave the services, in the same order.
        urls = {spec.name: f"{scheme}://localhost:{base + i}" for i, spec in enumerate(SERVICES)}
    # A setting naming a service's address always wins (README), as for `issuer check` and the wallet:
    # services started on their own (`esspass <service> serve`) have no record to find them by.
    named = {name: os.environ[variable].rstrip("/") for name, variable in _ADDRESS_SETTINGS.items()
             if os.environ.get(variable)}
    if named:
        urls.update(named)
        scheme = "https" if any(urls[name].startswith("https://") for name in _ADDRESS_SETTINGS) else "http"
    tls_ca = data_dir / "pki" / "tls" / "ca.pem" if scheme == "https" else None
    if tls_ca is not None and not tls_ca.is_file():
        _refuse(f"the pilot's TLS CA is not at {tls_ca}: run the demo with the same data directory as `esspass up` "
                "(--data-dir, or ESSPASS_DATA_DIR)")
        return 1
    refused = _probe(urls["registry"], tls_ca)
    if refused is not None:
        _refuse(refused)
        return 1
    try:
        return run_pilot_demo(sys.stdout, data_dir=data_dir, registry_url=urls["registry"],
                              issuer_url=urls["issuer"], verifier_url=urls["verifier"], tls_ca=tls_ca)
    except httpx.TransportError as exc:  # a service stopped during the story
        try:
            where = f"{exc.request.url.scheme}://{exc.request.url.netloc.decode('ascii')}"
        except RuntimeError:  # no request recorded on the error
            where = urls["registry"]
        _refuse(unreachable("a service of the pilot", where, type(exc).__name__))
        return 1


#: The settings that name the services the demo walks through, by service: the registry's address as
#: the other services and the wallet reach it, the issuer's and the verifier's public addresses.
_ADDRESS_SETTINGS = {"registry": "ESSPASS_REGISTRY_URL", "issuer": "ESSPASS_ISSUER_PUBLIC_URL",
                     "verifier": "ESSPASS_VERIFIER_PUBLIC_URL"}


def _refuse(line: str) -> None:
    import sys

    print(f"esspass demo: {line} (`esspass demo --core` shows the credential core without services)",
          file=sys.stderr)


def _probe(registry_url: str, tls_ca: Path | None) -> str | None:
    """Why the pilot's registry at ``registry_url`` does not answer as this demo expects, or None."""
    import ssl

    import httpx

    from esspass.config import tls_verify
    from esspass.pilot import unreachable

    try:
        answer = httpx.get(f"{registry_url}/healthz", verify=tls_verify(tls_ca), timeout=5)
    except httpx.ConnectError as exc:
        if isinstance(exc.__context__, ssl.SSLError) or "SSL" in str(exc):
            return (f"{registry_url} does not answer over https: does the pilot run with --http? Use the same "
                    "--port-base and --http as `esspass up`")
        return unreachable("the pilot's registry", registry_url, "nothing answers")
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        if registry_url.startswith("http:"):
            return (f"{registry_url} does not answer over plain http ({type(exc).__name__}): does the pilot run "
                    "with HTTPS (without --http)? Use the same --port-base and --http as `esspass up`")
        return unreachable("the pilot's registry", registry_url, type(exc).__name__)
    except httpx.HTTPError as exc:
        return unreachable("the pilot's registry", registry_url, type(exc).__name__)
    try:
        service = answer.json().get("service") if answer.status_code == 200 else None
    except (ValueError, AttributeError):  # not JSON, or not an object
        service = None
    if service != "registry":
        return (f"{registry_url} answers, but not as the pilot's trust registry (HTTP {answer.status_code}): "
                "is another program on that port? Use the same --port-base as `esspass up`")
    return None


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from esspass.pilot import DEFAULT_PORT_BASE

    p = sub.add_parser("demo", help="walk through the whole story in plain words (against `esspass up`)")
    p.add_argument("--core", action="store_true", help="the credential core's story alone, without services")
    p.add_argument("--data-dir", help="the pilot's data directory (default $ESSPASS_DATA_DIR or ./.esspass)")
    p.add_argument("--http", action="store_true",
                   help="the pilot runs with --http (default: as the pilot of the data directory runs)")
    p.add_argument("--port-base", type=int, default=None,
                   help=f"the pilot's `esspass up --port-base` (the registry's port; default: where the pilot of "
                        f"the data directory runs, else {DEFAULT_PORT_BASE})")
    p.set_defaults(func=_cmd)
