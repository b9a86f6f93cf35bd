"""The trust registry's HTTP surface (issue #3): the published lists and the admin API.

Public (no authentication, cacheable):

* ``GET /lists/issuers``, ``GET /lists/verifiers``: the signed list (``application/trust-list+jwt``,
  :func:`credentials.trust_list.sign_trust_list`), with a strong ``ETag``
  (:func:`credentials.trust_list.fingerprint`), ``If-None-Match`` → 304 and
  ``Cache-Control: public, max-age=<seconds until next_update, at most 300>``.
* ``GET /lists/{kind}.lote.jws``: the same content as an ETSI TS 119 602 List of Trusted Entities,
  distributed signed as standards.md §8.2 asks: a compact JWS (``application/jose``,
  :func:`credentials.trust_list.sign_lote`) by the list signer, ``x5c`` chaining to the registry
  root. This is the machine-readable list the public page links.
* ``GET /lists/{kind}.lote.json``: that LoTE's payload as plain JSON, for people and tools to read;
  unsigned, so nothing should trust it (:func:`credentials.trust_list.to_lote`).
* ``GET /root.pem``: the registry root certificate, **for convenience only**. A client that
  fetched its trust anchor from the same server it is meant to check would trust anyone able to
  answer in the registry's name: wallets and verifiers must pin the root from an out-of-band
  channel (installed with the software, compared by fingerprint) and never from this URL.

Admin (``Authorization: Bearer <token>``; 401 ``invalid_token`` without or with an unknown token,
403 ``insufficient_scope`` without ``registry:write`` for changes, ``registry:read`` for reads; 429
``slow_down`` with ``Retry-After`` while the client's address waits after wrong tokens, esspass.throttle):
``GET|POST /admin/entities``, ``GET /admin/entities/{id}``, ``GET /admin/entities/{id}/history``,
``POST /admin/entities/{id}/certificates``, ``POST /admin/entities/{id}/suspend|reinstate|withdraw``,
``POST /admin/entities/{id}/keys/{kid}/revoke``, ``POST /admin/entities/{id}/certificates/{kid}/close``
(``{"at": "<ISO date-time>"}`` or ``{}`` for now: the end of a staged CA change, what the key signed
before stays trusted), ``PUT /admin/entities/{id}/status-lists``
(``{"status_lists": "<uri>"}``, as ``show`` returns it, ``null`` to stop publishing; ``{"uri": ...}``,
as earlier releases took it, too), ``PUT /admin/entities/{id}/path`` (``{"path": "<segment>"}``),
``PUT /admin/entities/{id}/roles`` (``{"roles": [...]}``), ``PUT /admin/entities/{id}/may-request``
(``{"may_request": {vct: [claim, ...]}}``, verifiers only) and ``PUT /admin/entities/{id}/policy-uri``
(``{"policy_uri": "<https URL>"}``, a verifier's privacy notice, ``null`` to stop publishing it).
The audit trail records the name bound to the token (``api:<name>``), never the token.

A signed list is cached per (kind, sequence) and re-signed only when the sequence changed or half
its validity has passed, and kept on disk too (:mod:`trust_registry.published`); while the database
does not answer, the newest of the one cached and the one on disk is served as long as it is valid
(``signed`` in :func:`create_app`), also by a registry started during the outage. Nothing (settings,
engine, keys) is created at import time: the PKI and the database are opened in the app's lifespan,
and the database's tables, when it does not answer then, on the first request once it does.
"""

# No ``from __future__ import annotations`` here: FastAPI resolves the local ``Reader``/``Writer``
# dependency aliases from the live annotations.
import hmac
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate
from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from credentials import i18n, trust_list
from credentials.countries import name as country_name
from credentials.errors import ProtocolError
from credentials.jose import PrivateKey
from esspass.db import make_engine, unavailable
from esspass.throttle import SignInThrottle, too_many
from esspass.web import etag_matches, install, language_links, page_language
from trust_registry import messages
from trust_registry.published import PublishedLists
from trust_registry.settings import READ, WRITE, RegistrySettings, admin_tokens
from trust_registry.store import Registry

__all__ = ["JWT_MEDIA_TYPE", "create_app"]

JWT_MEDIA_TYPE = "application/trust-list+jwt"
JWS_MEDIA_TYPE = "application/jose"  # RFC 7515 §9.2.1: a JWS in compact serialization
MAX_AGE_CAP = 300
log = logging.getLogger("esspass.registry")
HERE = Path(__file__).parent


class CertificateIn(BaseModel):
    pem: str = Field(max_length=20000)
    usage: str = Field(default="ca", max_length=8)
    rotate: bool = False


class EntityIn(BaseModel):
    id: str = Field(max_length=20)
    country: str = Field(max_length=2)
    name: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    roles: list[str] = Field(max_length=4)
    dns_name: str | None = Field(default=None, max_length=200)
    path: str | None = Field(default=None, max_length=64)
    status_lists: str | None = Field(default=None, max_length=300)
    may_request: dict[str, list[str]] = Field(default_factory=dict, max_length=16)
    policy_uri: str | None = Field(default=None, max_length=trust_list.MAX_POLICY_URI)
    certificates: list[CertificateIn] = Field(max_length=8)


class StatusListsIn(BaseModel):
    """``{"status_lists": "<uri>"}``, the member ``show`` returns (``null`` stops publishing); or
    ``{"uri": "<uri>"}``, the body earlier releases took (``status_lists`` wins when both are given)."""

    status_lists: str | None = Field(max_length=300)

    @model_validator(mode="before")
    @classmethod
    def _earlier_body(cls, data: Any) -> Any:
        if isinstance(data, dict) and "uri" in data and "status_lists" not in data:
            return {**data, "status_lists": data["uri"]}
        return data


class PolicyUriIn(BaseModel):
    """``{"policy_uri": "<https URL>"}``: a verifier's privacy notice (``null`` stops publishing it)."""

    policy_uri: str | None = Field(max_length=trust_list.MAX_POLICY_URI)


class PathIn(BaseModel):
    """``{"path": "<segment>"}``: the URL path segment its issuer or verifier serves under."""

    path: str = Field(max_length=64)


class RolesIn(BaseModel):
    """``{"roles": [role, ...]}``: all its roles, replacing those registered."""

    roles: list[str] = Field(min_length=1, max_length=4)


class MayRequestIn(BaseModel):
    may_request: dict[str, list[str]] = Field(max_length=16)


class CloseIn(BaseModel):
    """``{"at": "<ISO 8601 date-time>"}``: when the certificate's window closes, now or later (default now)."""

    at: datetime | None = None


class ReasonIn(BaseModel):
    reason: str = Field(default="", max_length=300)


@dataclass
class _Signed:
    token: str
    tl: trust_list.TrustList
    etag: str
    #: distribution point -> the signed LoTE of this list (made on first request, then kept with it)
    lote: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, token: str, tl: trust_list.TrustList) -> "_Signed":
        """``token`` (``tl`` signed) with its strong ETag, made from those bytes."""
        return cls(token, tl, f'"{trust_list.fingerprint(token)}"')

    def fresh(self, sequence: int, now: datetime) -> bool:
        half = (self.tl.next_update - self.tl.issued_at) / 2
        return self.tl.sequence == sequence and now < self.tl.issued_at + half


@dataclass
class _State:
    engine: Engine
    list_validity: timedelta
    signer_key: PrivateKey
    signer_chain: list[Certificate]
    root: Certificate
    tokens: dict[str, tuple[str, frozenset[str]]]
    published: PublishedLists
    opened: Registry | None = None
    signed: dict[str, _Signed] = field(default_factory=dict)
    #: kind -> the list on disk as last read (by the file's stamp, PublishedLists.stamp), None if refused
    stored: dict[str, tuple[tuple[int, int, int], _Signed | None]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def registry(self) -> Registry:
        """The registry's records, its tables migrated when first opened: at start, or for a registry
        started while its database did not answer, at the first request once it answers (until then
        this raises the database's error, a 503). Two requests opening it at once are harmless: the
        migration takes a lock of its own and the tables are opened twice."""
        if self.opened is None:
            self.opened = Registry(self.engine, list_validity=self.list_validity)
        return self.opened


def _max_age(tl: trust_list.TrustList, now: datetime) -> int:
    return max(0, min(MAX_AGE_CAP, int((tl.next_update - now).total_seconds())))


PAGE_HEADERS = {"Cache-Control": "no-cache",
                "Content-Security-Policy": "default-src 'none'; style-src 'self'; frame-ancestors 'none'; "
                                           "base-uri 'none'; form-action 'none'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _page_list(tl: trust_list.TrustList, lang: str, now: datetime) -> dict[str, Any]:
    """One list as the public page shows it: names, country names, what each may do, status now."""
    entities = []
    for entity in tl.entities:
        status = entity.status_at(now)
        since = max((p.since for p in entity.status_history if p.since <= now), default=tl.issued_at)
        claims = sorted({c for v in entity.may_request.values() for c in v})
        entities.append({"id": entity.id, "name": entity.name, "name_en": entity.name_en,
                         "country": country_name(entity.country, lang), "roles": sorted(entity.roles),
                         "status": status, "since": i18n.format_date(since.date(), lang),
                         "may_request": ", ".join(claims), "policy_uri": entity.policy_uri})
    return {"kind": tl.kind, "entities": sorted(entities, key=lambda e: (e["country"], e["name"])),
            "sequence": tl.sequence, "issued": i18n.format_date(tl.issued_at.date(), lang),
            "next": i18n.format_date(tl.next_update.date(), lang)}


def create_app(settings: RegistrySettings | None = None, *, throttle: SignInThrottle | None = None) -> FastAPI:
    """The registry app; settings default to the environment (``ESSPASS_REGISTRY_*``), read here, not at import.
    ``throttle`` counts wrong admin tokens per client address (this process's own by default; a test's,
    with its clock)."""
    settings = settings or RegistrySettings()
    throttle = throttle or SignInThrottle("registry")
    holder: dict[str, _State] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        key, chain, root = settings.list_signer(datetime.now(UTC))
        engine = make_engine(settings.db_url("registry.db"))
        try:
            st = _State(engine, timedelta(hours=settings.list_validity_hours), key, chain, root,
                        admin_tokens(settings),
                        PublishedLists(settings.published_lists_dir(), root=root, signer_chain=chain))
            try:
                st.opened = st.registry
            except SQLAlchemyError as exc:
                if not unavailable(exc):
                    raise
                # Started during an outage: what verifiers starting now need is the lists, kept on disk.
                log.warning("database unavailable at start (%s): the lists kept on disk are served while they are "
                            "valid; the service opens its database once it answers", type(exc).__name__,
                            extra={"service": "registry", "event": "database_unavailable_at_start"})
            holder["state"] = st
            yield
        finally:
            holder.clear()
            engine.dispose()

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app = FastAPI(title="ESSPASS trust registry", version="1.0", lifespan=lifespan,
                  description="Signed lists of which institutions may issue which credentials, and which "
                              "inspectorates may request which claims (issuers and verifiers lists; also as "
                              "ETSI TS 119 602 LoTE JSON). Pin the registry root out of band.")
    install(app, "registry", ready=lambda: holder["state"].engine if "state" in holder else False)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def state() -> _State:
        if "state" not in holder:
            raise ProtocolError("temporarily_unavailable", "the registry is starting", http_status=503)
        return holder["state"]

    def admin(scope: str) -> Any:
        def check(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
            scheme, _, token = (authorization or "").partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token:
                raise ProtocolError("invalid_token", "an admin Bearer token is required", http_status=401)
            # Counted per client address (esspass.throttle): while it waits, refused unread, the right token too.
            address = request.client.host if request.client else None
            wait = throttle.wait(address)
            if wait:
                raise too_many(wait)
            entry = None
            for known, value in state().tokens.items():  # constant-time comparison with every token
                if hmac.compare_digest(known.encode(), token.encode()):
                    entry = value
            if entry is None:
                throttle.failed(address)
                raise ProtocolError("invalid_token", "unknown admin token", http_status=401)
            throttle.succeeded(address)
            if scope not in entry[1]:
                raise ProtocolError("insufficient_scope", f"this token lacks the {scope} scope", http_status=403)
            return f"api:{entry[0]}"
        return Depends(check)

    Reader = Annotated[str, admin(READ)]
    Writer = Annotated[str, admin(WRITE)]

    def signed(kind: str) -> _Signed:
        """The list for ``kind``, re-signed only when its sequence changed or half its validity passed.

        Each list signed is kept on disk too (:mod:`trust_registry.published`). While the database does
        not answer, the list last signed, as long as it is valid (before its ``next_update``): the one
        held in memory or the one on disk (signed by this process before, by a worker sharing the data
        directory, or by the registry before it restarted), whichever is newer. A wallet or verifier
        without a list (started during the outage, or whose own has ended) gets one it can use rather
        than a 503, and one holding it already loses nothing. It says what it said when it was signed,
        as a copy a verifier holds does; any change recorded since was recorded before the outage, with
        a sequence not yet read, and is published once the database answers. Past ``next_update``, or
        with none signed (nor a file on disk that verifies), the 503 stands
        (:func:`esspass.web.database_unavailable`)."""
        if kind not in trust_list.KINDS:
            raise ProtocolError("not_found", f"the lists are: {', '.join(trust_list.KINDS)}", http_status=404)
        st = state()
        now = datetime.now(UTC)
        try:
            sequence = st.registry.sequence()
            with st.lock:
                cached = st.signed.get(kind)
                if cached is not None and cached.fresh(sequence, now):
                    return cached
                tl = st.registry.build_list(kind, now)
                token = trust_list.sign_trust_list(tl, key=st.signer_key, x5c=st.signer_chain)
                st.signed[kind] = entry = _Signed.of(token, tl)
                log.info("trust list signed", extra={"service": "registry", "event": f"signed_{kind}"})
        except SQLAlchemyError as exc:
            held = last_signed(st, kind, now) if unavailable(exc) else None
            if held is None:
                raise
            log.warning("database unavailable (%s): served the %s list signed at %s (sequence %d, valid until %s); "
                        "the service signs again once the database answers", type(exc).__name__, kind,
                        held.tl.issued_at.isoformat(), held.tl.sequence, held.tl.next_update.isoformat(),
                        extra={"service": "registry", "event": "database_unavailable_list_served"})
            return held
        try:
            st.published.store(kind, entry.token, entry.tl)
        except OSError as exc:  # a full or read-only disk: the answer is served all the same
            log.warning("the %s list signed could not be kept on disk (%s): a registry started while the database "
                        "does not answer cannot serve it", kind, type(exc).__name__,
                        extra={"service": "registry", "event": "list_not_kept"})
        return entry

    def last_signed(st: _State, kind: str, now: datetime) -> _Signed | None:
        """The newest valid list of ``kind`` signed before (``signed``): held in memory or on disk."""
        with st.lock:
            cached = st.signed.get(kind)
            stamp, stored = st.stored.get(kind, (None, None))
        on_disk = st.published.stamp(kind)
        if on_disk is not None and on_disk != stamp:  # a file not read yet: read and verified once
            loaded = st.published.load(kind, now)
            stored = None if loaded is None else _Signed.of(*loaded)
            with st.lock:
                st.stored[kind] = (on_disk, stored)
        valid = [entry for entry in (cached, stored if on_disk is not None else None)
                 if entry is not None and now < entry.tl.next_update]
        return max(valid, key=lambda entry: (entry.tl.sequence, entry.tl.issued_at), default=None)

    def publication(kind: str, if_none_match: str | None, etag: str, tl: trust_list.TrustList,
                    body: Callable[[dict[str, str]], Response]) -> Response:
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={_max_age(tl, datetime.now(UTC))}"}
        if etag_matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)
        return body(headers)

    def lote_point(kind: str, request: Request) -> str:
        """Where the signed LoTE is distributed (its ``DistributionPoints``)."""
        return (f"{settings.public_url.rstrip('/')}/lists/{kind}.lote.jws" if settings.public_url
                else str(request.url_for("get_lote_jws", kind=kind)))

    @app.get("/lists/{kind}.lote.jws", tags=["publication"])
    def get_lote_jws(kind: str, request: Request, if_none_match: Annotated[str | None, Header()] = None) -> Response:
        """The list as an ETSI TS 119 602 List of Trusted Entities, signed (compact JWS, standards.md §8.2).

        Made as of the signed list's issue time, so it says what ``/lists/{kind}`` says, and signed
        once per signed list (ES256 is randomised: re-signing per request would defeat the ETag).
        """
        entry = signed(kind)
        point = lote_point(kind, request)
        st = state()
        with st.lock:
            token = entry.lote.get(point)
            if token is None:
                if len(entry.lote) >= 8:  # the point follows the Host header when no public_url is set
                    entry.lote.clear()
                lote = trust_list.to_lote(entry.tl, now=entry.tl.issued_at, distribution_point=point)
                token = entry.lote[point] = trust_list.sign_lote(lote, key=st.signer_key, x5c=st.signer_chain,
                                                                 signed_at=entry.tl.issued_at)
        return publication(kind, if_none_match, entry.etag[:-1] + '-lote-jws"', entry.tl, lambda headers: Response(
            token, media_type=JWS_MEDIA_TYPE, headers=headers))

    @app.get("/lists/{kind}.lote.json", tags=["publication"])
    def get_lote(kind: str, request: Request, if_none_match: Annotated[str | None, Header()] = None) -> Response:
        """The signed LoTE's content as plain JSON, to read (unsigned: trust ``.lote.jws``, not this)."""
        entry = signed(kind)
        etag = entry.etag[:-1] + '-lote"'
        point = lote_point(kind, request)  # the signed form is the one to distribute
        return publication(kind, if_none_match, etag, entry.tl, lambda headers: JSONResponse(
            trust_list.to_lote(entry.tl, now=entry.tl.issued_at, distribution_point=point), headers=headers))

    @app.get("/lists/{kind}", tags=["publication"])
    def get_list(kind: str, if_none_match: Annotated[str | None, Header()] = None) -> Response:
        """The signed list (``typ: trust-list+jwt``, ``x5c`` = list signer, chaining to the pinned registry root)."""
        entry = signed(kind)
        return publication(kind, if_none_match, entry.etag, entry.tl, lambda headers: Response(
            entry.token, media_type=JWT_MEDIA_TYPE, headers=headers))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        """The published lists for people: who may issue what, who may check what, in five languages."""
        lang = page_language(request)
        now = datetime.now(UTC)
        lists = [_page_list(signed(kind).tl, lang, now) for kind in trust_list.KINDS]
        response = templates.TemplateResponse(request, "index.html", {
            "lang": lang, "languages": i18n.LANGUAGES, "lang_links": language_links(request),
            "t": messages.translator(lang), "lists": lists},
            headers=PAGE_HEADERS)
        if request.query_params.get("lang") in i18n.LANGUAGES:
            response.set_cookie("lang", lang, samesite="strict", httponly=True, max_age=365 * 86400)
        return response

    @app.get("/root.pem", tags=["publication"])
    def root_pem() -> Response:
        """The registry root, for convenience only: clients must pin it from a trusted, out-of-band channel."""
        return Response(state().root.public_bytes(serialization.Encoding.PEM),
                        media_type="application/x-pem-file", headers={"Cache-Control": "public, max-age=3600"})

    def changed(action: str, entity_id: str) -> None:
        log.info("registry change", extra={"service": "registry", "event": action, "entity": entity_id})

    @app.get("/admin/entities", tags=["admin"])
    def list_entities(_who: Reader) -> JSONResponse:
        """Every entity (without certificates), its status now, and the current sequence."""
        reg = state().registry
        now = datetime.now(UTC)
        entities = reg.list_entities()
        return JSONResponse({"sequence": reg.sequence(), "entities": [
            {**{k: v for k, v in e.to_json().items() if k != "certificates"}, "status_now": e.status_at(now)}
            for e in entities]})

    @app.post("/admin/entities", tags=["admin"], status_code=201)
    def add_entity(body: EntityIn, who: Writer) -> JSONResponse:
        data = body.model_dump()
        result = state().registry.add_entity(data, who=who)
        changed("add_entity", body.id)
        return JSONResponse(result, status_code=201)

    @app.get("/admin/entities/{entity_id}", tags=["admin"])
    def show(entity_id: str, _who: Reader) -> JSONResponse:
        return JSONResponse(state().registry.show(entity_id))

    @app.get("/admin/entities/{entity_id}/history", tags=["admin"])
    def history(entity_id: str, _who: Reader) -> JSONResponse:
        """Status periods, certificate windows and the audit trail."""
        return JSONResponse(state().registry.history(entity_id))

    @app.post("/admin/entities/{entity_id}/certificates", tags=["admin"], status_code=201)
    def add_certificate(entity_id: str, body: CertificateIn, who: Writer) -> JSONResponse:
        result = state().registry.add_certificate(entity_id, body.pem, body.usage, who=who, rotate=body.rotate)
        changed("rotate_certificate" if body.rotate else "add_certificate", entity_id)
        return JSONResponse(result, status_code=201)

    @app.post("/admin/entities/{entity_id}/certificates/{kid}/close", tags=["admin"])
    def close_certificate(entity_id: str, kid: str, who: Writer, body: CloseIn | None = None) -> JSONResponse:
        """End the listed window of one certificate (its key ``kid``) now or at ``at``; what it signed
        before stays trusted (unlike a revoked key). 409 when it would leave the entity nothing to sign with."""
        at = body.at if body else None
        if at is not None and at.tzinfo is None:  # as the CLI's --at: no offset is UTC
            at = at.replace(tzinfo=UTC)
        result = state().registry.close_certificate(entity_id, kid[:64], who=who, at=at)
        changed("close_certificate", entity_id)
        return JSONResponse(result)

    @app.post("/admin/entities/{entity_id}/keys/{kid}/revoke", tags=["admin"])
    def revoke_key(entity_id: str, kid: str, body: ReasonIn, who: Writer) -> JSONResponse:
        """A key was compromised: nothing it signed is trusted any more (unlike a rotation)."""
        result = state().registry.revoke_key(entity_id, kid[:64], who=who, reason=body.reason)
        changed("revoke_key", entity_id)
        return JSONResponse(result)

    @app.put("/admin/entities/{entity_id}/status-lists", tags=["admin"])
    def set_status_lists(entity_id: str, body: StatusListsIn, who: Writer) -> JSONResponse:
        """Publish where the institution lists all its status lists (Status List Aggregation), so
        that verifiers fetch them before going where there is no network; ``null`` stops it."""
        result = state().registry.set_status_lists(entity_id, body.status_lists, who=who)
        changed("set_status_lists", entity_id)
        return JSONResponse(result)

    @app.put("/admin/entities/{entity_id}/path", tags=["admin"])
    def set_path(entity_id: str, body: PathIn, who: Writer) -> JSONResponse:
        """Correct the URL path segment its issuer or verifier serves under (409 when another
        entity has it). Wallets follow once they fetch the new list."""
        result = state().registry.set_path(entity_id, body.path, who=who)
        changed("set_path", entity_id)
        return JSONResponse(result)

    @app.put("/admin/entities/{entity_id}/roles", tags=["admin"])
    def set_roles(entity_id: str, body: RolesIn, who: Writer) -> JSONResponse:
        """Replace the entity's roles (the credential types it is competent for), keeping its id.
        A removed role is judged strictly: its documents issued earlier are refused too."""
        result = state().registry.set_roles(entity_id, body.roles, who=who)
        changed("set_roles", entity_id)
        return JSONResponse(result)

    @app.put("/admin/entities/{entity_id}/may-request", tags=["admin"])
    def set_may_request(entity_id: str, body: MayRequestIn, who: Writer) -> JSONResponse:
        """Replace which claims of which credential types the inspectorate may ask wallets for
        (validated as on registration; verifiers only). Wallets follow once they fetch the new list."""
        result = state().registry.set_may_request(entity_id, body.may_request, who=who)
        changed("set_may_request", entity_id)
        return JSONResponse(result)

    @app.put("/admin/entities/{entity_id}/policy-uri", tags=["admin"])
    def set_policy_uri(entity_id: str, body: PolicyUriIn, who: Writer) -> JSONResponse:
        """Publish where the verifier's privacy notice is (GDPR Art. 13), which wallets link on their
        consent screen (https; verifiers only); ``null`` stops it. Wallets follow once they fetch the list."""
        result = state().registry.set_policy_uri(entity_id, body.policy_uri, who=who)
        changed("set_policy_uri", entity_id)
        return JSONResponse(result)

    def status_route(action: str, status: str) -> None:
        def handler(entity_id: str, who: Writer, body: ReasonIn | None = None) -> JSONResponse:
            result = state().registry.set_status(entity_id, status, who=who, reason=body.reason if body else "")
            changed(status, entity_id)
            return JSONResponse(result)

        handler.__doc__ = f"{action.capitalize()} the entity (a reason is required except to reinstate)."
        app.post(f"/admin/entities/{{entity_id}}/{action}", tags=["admin"], name=action)(handler)

    status_route("suspend", trust_list.SUSPENDED)
    status_route("reinstate", trust_list.ACTIVE)
    status_route("withdraw", trust_list.WITHDRAWN)

    @app.middleware("http")
    async def _no_store_admin(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.url.path.startswith("/admin"):
            response.headers["Cache-Control"] = "no-store"
        return response

    return app
