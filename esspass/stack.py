"""The pilot's actors as code: a clerk, a worker's wallet, an inspector, over real HTTP.

Used by ``esspass demo`` against a running pilot and by the end-to-end tests (which start the
services in-process on loopback ports with :func:`start_in_process`, or as separate processes with
:class:`esspass.pilot.Pilot`). Nothing here reaches into a service's internals: every step is an
HTTP call the real users' software would make.

An institution gives a document number to one document only (issuer/service.py): the demo
persons' fixed numbers (``DEMO-A1-LV-0001``) go to the first case made from them. A clerk here
leaves the number empty for the issuer to give one (:func:`unnumbered`); a test that must know the
number before the case exists gives one of its own (:func:`renumbered`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from credentials.institutions import demo_entity
from esspass.testing import ServerHandle, free_port, serve

__all__ = ["Clerk", "Inspector", "InspectorAuth", "Stack", "inspector_token", "open_wallet", "renumbered",
           "start_in_process", "unnumbered", "wallet_holding"]


def unnumbered(claims: Mapping[str, Any]) -> dict[str, Any]:
    """``claims`` (a demo person's PDA1 or EHIC) with the document number left empty, as a clerk
    leaves it: the issuer gives the case a number no other case of the institution has."""
    return {k: v for k, v in claims.items() if k != "document_number"}


def renumbered(claims: Mapping[str, Any]) -> dict[str, Any]:
    """``claims`` with a document number of their own, known before the case is made: the one they
    have (or ``DEMO``) and 8 random characters, ``DEMO-A1-LV-0001-3F9A0C12``."""
    return {**claims, "document_number": f"{claims.get('document_number') or 'DEMO'}-{secrets.token_hex(4).upper()}"}


@dataclass
class Stack:
    data_dir: Path
    registry_url: str
    issuer_url: str
    verifier_url: str
    handles: dict[str, ServerHandle] = field(default_factory=dict)
    #: What a service started by :meth:`restart_verifier` holds beside its server (the HTTP client and
    #: database engine of its service, which its app does not close), closed when it stops.
    _closers: dict[str, list[Callable[[], None]]] = field(default_factory=dict, repr=False)

    @property
    def inspector_token(self) -> str:
        return inspector_token(self.data_dir)

    def stop(self, name: str | None = None) -> None:
        for key in [name] if name else list({**self.handles, **self._closers}):
            handle = self.handles.pop(key, None)
            if handle is not None:
                handle.stop()
            for close in self._closers.pop(key, []):
                close()

    def restart_verifier(self, *, ahead: timedelta = timedelta(0), **settings: Any) -> Any:
        """The verifier stopped and started again on its port and data directory, as a restart of the
        service does (its database, keys, trust and status list caches on disk are what it starts
        from): its :class:`verifier.service.VerifierService`. ``ahead``: its clock that far ahead of
        real time (days spent on a site without network); ``settings``: further ``VerifierSettings``."""
        from verifier.app import build_service, create_app
        from verifier.settings import VerifierSettings

        port = self.handles["verifier"].port
        self.stop("verifier")
        options = VerifierSettings(data_dir=self.data_dir, public_url=self.verifier_url,
                                   registry_url=self.registry_url, **settings)
        service, http = build_service(options)
        self._closers["verifier"] = [http.close, service.store.engine.dispose]
        if ahead:
            service.clock = lambda: datetime.now(UTC) + ahead
        self.handles["verifier"] = serve(create_app(options, service=service), port=port)
        return service


@contextmanager
def start_in_process(data_dir: Path, **issuer_overrides: Any) -> Iterator[Stack]:
    """Seed the registry and run registry, issuer and verifier on free loopback ports (plain HTTP)."""
    from issuer.app import create_app as issuer_app
    from issuer.settings import IssuerSettings
    from trust_registry.app import create_app as registry_app
    from trust_registry.seed import seed_data_dir
    from trust_registry.settings import RegistrySettings
    from verifier.app import create_app as verifier_app
    from verifier.settings import VerifierSettings

    rp, ip, vp = free_port(), free_port(), free_port()
    stack = Stack(data_dir, f"http://127.0.0.1:{rp}", f"http://127.0.0.1:{ip}", f"http://127.0.0.1:{vp}")
    seed_data_dir(data_dir, issuer_url=stack.issuer_url, verifier_url=stack.verifier_url)
    try:
        stack.handles["registry"] = serve(registry_app(RegistrySettings(data_dir=data_dir)), port=rp)
        stack.handles["issuer"] = serve(issuer_app(IssuerSettings(
            data_dir=data_dir, public_url=stack.issuer_url, registry_url=stack.registry_url, **issuer_overrides)),
            port=ip)
        stack.handles["verifier"] = serve(verifier_app(VerifierSettings(
            data_dir=data_dir, public_url=stack.verifier_url, registry_url=stack.registry_url)), port=vp)
        yield stack
    finally:
        stack.stop()


@contextmanager
def verifier_replica(stack: Stack, *, host: str = "127.0.0.1", **options: Any) -> Iterator[tuple[Any, str]]:
    """Another verifier of the stack's inspectorate on a free loopback port: its service (a
    :class:`verifier.service.VerifierService` a test may set up) and its URL. By default a replica
    of the stack's verifier (the same database); ``options`` are further settings, such as a
    ``database_url`` of its own. ``host``: the name in its public URL (``localhost``: the name its
    demo access certificate carries for ``x509_san_dns``, OpenID4VP §5.9.3)."""
    from verifier.app import build_service
    from verifier.app import create_app as verifier_app
    from verifier.settings import VerifierSettings

    port = free_port()
    settings = VerifierSettings(data_dir=stack.data_dir, public_url=f"http://{host}:{port}",
                                registry_url=stack.registry_url, **options)
    service, http = build_service(settings)
    try:
        with serve(verifier_app(settings, service=service), port=port) as handle:
            yield service, handle.url
    finally:
        http.close()
        service.store.engine.dispose()

class Clerk:
    """An institution's clerk using the back office API (tokens from ``<data>/issuer/clerk-tokens.json``)."""

    def __init__(self, issuer_url: str, data_dir: Path, http: httpx.Client,
                 paths: Mapping[str, str] | None = None) -> None:
        """``paths``: entity id -> URL path of institutions other than the demo ones."""
        self.url = issuer_url.rstrip("/")
        self.tokens: dict[str, str] = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text("utf-8"))
        self.http = http
        self.paths = dict(paths or {})

    def _headers(self, entity_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[entity_id]}"}

    def _call(self, method: str, entity_id: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """``entity_id``: the institution's id for its shared token, or ``<id>/<clerk>`` for a named clerk's."""
        institution = entity_id.partition("/")[0]
        at = self.paths.get(institution) or demo_entity(institution).path
        response = self.http.request(method, f"{self.url}/{at}/api/{path}", headers=self._headers(entity_id),
                                     **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"issuer answered {response.status_code}: {response.text[:300]}")
        result: dict[str, Any] = response.json()
        return result

    def create_case(self, entity_id: str, configuration_id: str, claims: dict[str, Any],
                    holder: dict[str, Any] | None = None) -> str:
        body = {"configuration_id": configuration_id, "claims": claims, "holder": holder}
        return str(self._call("POST", entity_id, "cases", json=body)["id"])

    def paper(self, entity_id: str, case_id: str) -> bytes:
        entity = demo_entity(entity_id)
        response = self.http.get(f"{self.url}/{entity.path}/api/cases/{case_id}/paper.pdf",
                                 headers=self._headers(entity_id))
        response.raise_for_status()
        return response.content

    def case(self, entity_id: str, case_id: str) -> dict[str, Any]:
        """The case with its history (who took the offer, which keys were attested)."""
        return self._call("GET", entity_id, f"cases/{case_id}")

    def offer(self, entity_id: str, case_id: str) -> dict[str, Any]:
        return self._call("POST", entity_id, f"cases/{case_id}/offer")

    def set_state(self, entity_id: str, case_id: str, action: str, reason: str) -> dict[str, Any]:
        return self._call("POST", entity_id, f"cases/{case_id}/{action}", json={"reason": reason})

    def approve(self, clerk: str, case_id: str) -> dict[str, Any]:
        """Four-eyes: ``clerk`` (``<id>/<name>``, another than the one who recorded it) approves the case."""
        return self._call("POST", clerk, f"cases/{case_id}/approve")

    def hand_over(self, wallet: Any, entity_id: str, configuration_id: str, claims: dict[str, Any],
                  holder: dict[str, Any] | None = None) -> str:
        """A new case, its offer, and ``wallet`` (a :class:`wallet.service.WalletService`) accepting
        it with the one-time code: the case id."""
        case_id = self.create_case(entity_id, configuration_id, claims, holder)
        offer = self.offer(entity_id, case_id)
        wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])
        return case_id


def wallet_holding(stack: Stack, data_dir: Path, http: httpx.Client, person: Any,
                   document_number: str | None = None) -> Any:
    """A fresh reference wallet (fast key derivation, for tests) holding ``person``'s PID, with the
    portrait, and PDA1, each handed over by a clerk of the demo institution that issues it; the
    PDA1 numbered ``document_number``, or by the issuer, its case naming the holder (the name and
    birth date its offline QR code carries, which the inspector compares with an identity document)."""
    from credentials.demo_persons import portrait

    clerk = Clerk(stack.issuer_url, data_dir, http)
    wallet = open_wallet(data_dir / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data_dir / "pki")
    a1 = unnumbered(person.pda1) if document_number is None else {**person.pda1, "document_number": document_number}
    for entity, config, claims, named in ((person.pid_provider, "pid", {**person.pid, "picture": portrait(person)},
                                           None),
                                          (person.pda1_issuer, "pda1", a1, person.holder)):
        clerk.hand_over(wallet, entity, config, claims, named)
    return wallet


def inspector_token(data_dir: Path) -> str:
    """The demo inspector's login token (``<data>/verifier/inspector-tokens.json``, made by the verifier)."""
    tokens: dict[str, str] = json.loads((data_dir / "verifier" / "inspector-tokens.json").read_text("utf-8"))
    return tokens["inspector"]


class InspectorAuth(httpx.Auth):
    """An inspectorate's system signing its calls to a verifier (the API: ``/api/requests``,
    ``/api/offline``, ``/api/records``, ``/verify``; the pages: ``/inspect``, ``/offline``, ``/records``)
    with an inspector's Bearer token, unless a call brings its own. Other services' paths are left alone."""

    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        path = request.url.path
        if "authorization" not in request.headers and (
                path.startswith(("/api/requests", "/api/offline", "/api/status", "/api/records", "/inspect",
                                 "/offline", "/records"))
                or path == "/verify"):
            request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class Inspector:
    """The inspectorate's systems talking to the verifier's API with an inspector's token."""

    def __init__(self, verifier_url: str, http: httpx.Client, token: str | None = None) -> None:
        self.url = verifier_url.rstrip("/")
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, profile: str = "pda1", **extra: Any) -> dict[str, Any]:
        response = self.http.post(f"{self.url}/api/requests", json={"profile": profile, **extra},
                                  headers=self.headers)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def result(self, request: dict[str, Any]) -> dict[str, Any]:
        response = self.http.get(f"{self.url}{request['result_url']}", headers=self.headers)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def open_wallet(data_dir: Path, registry_url: str, passphrase: str, *, tls_ca: Path | None = None,
                fast_kdf: bool = False, pki_dir: Path | None = None) -> Any:
    """The worker's wallet (created on first use) as a :class:`wallet.service.WalletService`."""
    from wallet import core
    from wallet.service import WalletService
    from wallet.settings import WalletSettings
    from wallet.store import WalletStore

    overrides: dict[str, Any] = {"data_dir": data_dir, "registry_url": registry_url,
                                 "allow_loopback_http": tls_ca is None}
    if tls_ca is not None:
        overrides["verify"] = tls_ca
    if pki_dir is not None:
        overrides["pki_dir"] = pki_dir
    if fast_kdf:
        overrides["scrypt_n"] = 2**10
    settings = WalletSettings(**overrides)
    path = settings.wallet_path()
    store = (WalletStore.open(path, passphrase) if WalletStore.exists(path)
             else WalletStore.create(path, passphrase, params=settings.scrypt_params()))
    from wallet.http import make_client

    http = make_client(verify=settings.tls_verify(), timeout=settings.http_timeout)
    return WalletService(settings, store, http=http, trust=core.registry_trust(settings, http))
