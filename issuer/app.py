"""The issuer's HTTP surface: OpenID4VCI endpoints per institution and the clerk's back office API.

Every institution hosted here has its own Credential Issuer Identifier ``<base>/<path>`` (e.g.
``https://localhost:8102/lv-vsaa``) and well-known documents inserted before the path
(OpenID4VCI §12.2.2, RFC 8414 §3.1). Routes only translate HTTP to :class:`IssuerService` calls.
"""


import asyncio
import gzip
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import segno
from fastapi import Depends, FastAPI, File, Header, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credentials import status_list
from credentials.authorization_code import single_valued
from credentials.client_attestation import ATTESTATION_HEADER, POP_HEADER
from credentials.errors import CredentialError, ProtocolError
from credentials.jose import parse_json
from credentials.key_attestation import KeyAttestationPolicy
from credentials.trust_list import TrustList
from esspass.config import service_http_client
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.throttle import SignInThrottle, too_many
from esspass.web import error_response, etag_matches, gzip_accepted, gzip_etag, install
from issuer.db import file_digest
from issuer.institutions import demo_institutions, load_institutions_file, require_approval
from issuer.office import MAX_UPLOAD, read_csv, refuse_nul
from issuer.service import ImportRepeated, Institution, IssuerService, NumberTaken, import_once
from issuer.settings import IssuerSettings, clerk_institution, clerk_name, clerk_tokens, configured_offer_key

if TYPE_CHECKING:
    from trust_registry.client import TrustListClient

__all__ = ["build_service", "create_app", "hosted_institutions"]

MIGRATIONS = __import__("pathlib").Path(__file__).parent / "migrations"
NO_STORE = {"Cache-Control": "no-store"}
log = logging.getLogger("esspass.issuer")


def _one_header(request: Request, name: str) -> str | None:
    """The header's one value. Repeated, it becomes "," so that the check refuses it: one ``DPoP``
    header (RFC 9449 §4.3 item 1), one attestation and one PoP header (draft-10 §6.1)."""
    values = request.headers.getlist(name)
    return None if not values else values[0] if len(values) == 1 else ","


def _dpop_header(request: Request) -> str | None:
    return _one_header(request, "dpop")


#: draft-ietf-httpapi-idempotency-key-header-06 §2.1: an sf-string (RFC 8941 §3.3.3: printable ASCII in
#: quotes, ``\"`` and ``\\`` escaped); taken bare too, as many clients send a UUID. At most 255 characters.
_IDEMPOTENCY_KEY = re.compile(r'"((?:[\x20-\x21\x23-\x5b\x5d-\x7e]|\\["\\]){1,255})"'  # quoted
                              r"|([\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]{1,255})")  # bare: no quote, comma, backslash


def _import_answer(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The API's answer to an import whose report is ``rows`` (or, replayed, the rows kept of it:
    :func:`issuer.service.replayable_rows`): the counts, the lines created and failed, and the rows."""
    return {"imported": sum(1 for r in rows if r["ok"]), "rejected": sum(1 for r in rows if not r["ok"]),
            "created": [r["row"] for r in rows if r["ok"]], "failed": [r["row"] for r in rows if not r["ok"]],
            "rows": rows}


def _idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header's key (:data:`_IDEMPOTENCY_KEY`), None without one; 400
    ``invalid_request`` for one repeated, empty, too long or not a string."""
    values = request.headers.getlist("idempotency-key")
    if not values:
        return None
    found = _IDEMPOTENCY_KEY.fullmatch(values[0].strip()) if len(values) == 1 else None
    if found is None:
        raise ProtocolError("invalid_request", "Idempotency-Key must be one string of 1 to 255 printable ASCII "
                            "characters (draft-ietf-httpapi-idempotency-key-header)")
    quoted = found.group(1)
    return re.sub(r'\\(["\\])', r"\1", quoted) if quoted is not None else found.group(2)


async def _json_body(request: Request, max_bytes: int, error: str) -> Any:
    """The request's JSON body; ``error`` (the endpoint's own code for a bad request) when it is not
    JSON, or is sent as another media type: OpenID4VCI §8.2, §9.1 and §11.1 send these requests as
    ``application/json`` (this issuer publishes no ``credential_request_encryption``, so no
    ``application/jwt``), and a body labelled otherwise is not the request the client meant to make."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise ProtocolError(error, "the body must be sent as application/json")
    body = await request.body()
    if len(body) > max_bytes:
        raise ProtocolError(error, f"the body is larger than {max_bytes // 1024} KiB", http_status=413)
    try:
        return parse_json(body, max_bytes=max_bytes)
    except CredentialError as exc:
        raise ProtocolError(error, "the body is not JSON") from exc


def _credential_status(result: dict[str, Any]) -> int:
    """OpenID4VCI §8.3, §9.2: 202 for the deferred answer (a ``transaction_id``), else 200."""
    return 202 if "transaction_id" in result else 200


#: The public status list routes, answered to HEAD as well as GET.
_STATUS_PATHS = re.compile(r"/[^/]+/(?:status/[^/]+|status-lists)")


class _HeadAsGet:
    """HEAD on ``paths`` answered as GET without the content (RFC 9110 §9.3.2: the same header
    fields, Content-Length and ETag included), so a client can ask whether a status list changed
    without downloading it.

    A middleware rather than a HEAD route: such a route's 4xx answers could not carry the JSON error
    body every 4xx of the API has (tests/test_no_server_errors.py holds each route to that). The scope
    is copied, never changed in place: the server reads the method in its own scope to know that a
    HEAD response goes without a body.
    """

    def __init__(self, app: ASGIApp, paths: re.Pattern[str]) -> None:
        self.app, self.paths = app, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or not self.paths.fullmatch(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


def build_service(settings: IssuerSettings) -> IssuerService:
    """Load and check the hosted institutions' keys and the offer key, open the database (migrated)."""
    institutions = hosted_institutions(settings)
    offer_key = configured_offer_key(settings)  # a key file named but missing stops the start, as a DataError
    engine = make_engine(settings.db_url("issuer.db"))
    upgrade(engine, MIGRATIONS)
    lists = _issuers_list(settings)
    service = IssuerService(engine, institutions, offer_ttl=settings.offer_ttl, token_ttl=settings.token_ttl,
                            nonce_ttl=settings.nonce_ttl, tx_code_attempts=settings.tx_code_attempts,
                            batch_size=settings.batch_size, status_list_size=settings.status_list_size,
                            status_ttl=settings.status_ttl, status_exp=settings.status_exp,
                            client_attestation=settings.wallet_attestation, dpop_nonces=settings.dpop_nonce,
                            key_attestation=settings.key_attestation,
                            attestation_challenge_required=settings.attestation_challenge,
                            deferred_interval=settings.deferred_interval, deferred_ttl=settings.deferred_ttl,
                            offer_key=offer_key,
                            key_attestation_policy=KeyAttestationPolicy(tuple(settings.key_storage_levels),
                                                                        tuple(settings.user_authentication_levels)),
                            wallet_providers=None if (settings.wallet_attestation, settings.key_attestation)
                            == ("off", "off") else _wallet_providers(settings),
                            issuers_list=None if lists is None else lists.issuers,
                            revalidate_issuers=None if lists is None else partial(lists.revalidate, "issuers"))
    return service


def hosted_institutions(settings: IssuerSettings) -> dict[str, Institution]:
    """The institutions of ``institutions_file``, or the demo ones (:mod:`issuer.institutions`), each
    asking for four-eyes approval when the file or the ``approval`` setting says so."""
    now = datetime.now(UTC)
    if settings.institutions_file is not None:
        hosted = load_institutions_file(settings.institutions_file, settings.base_url(), now=now)
    else:
        hosted = demo_institutions(settings.pki_path(), settings.base_url(), now=now)
    return require_approval(hosted, settings.approval)


def _wallet_providers(settings: IssuerSettings) -> Callable[[datetime], TrustList]:
    """The registry's wallet providers list, fetched when first needed and cached as verifiers do."""
    from credentials.x509 import load_pem_certificates
    from trust_registry.client import TrustListClient

    root = load_pem_certificates(settings.root_path().read_bytes())[0]
    client = TrustListClient(settings.registry_url, registry_root=root,
                             http=service_http_client(settings.tls_ca, settings.pki_path()),
                             cache_dir=settings.data_dir / "issuer" / "trust-cache",
                             max_age=timedelta(seconds=settings.trust_list_max_age))
    return client.wallet_providers


def _issuers_list(settings: IssuerSettings) -> "TrustListClient | None":
    """The client of the registry's issuers list, which the choice of each institution's signer heeds
    (:mod:`issuer.signers`: a next signer is taken once the list has shown it for five minutes), read
    from the registry as verifiers read it; None without the registry root to check it against
    (``ESSPASS_ISSUER_REGISTRY_ROOT``, the demo PKI's root.pem): the signers' dates alone decide."""
    from credentials.x509 import load_pem_certificates
    from trust_registry.client import TrustListClient

    try:
        root = load_pem_certificates(settings.root_path().read_bytes())[0]
    except (OSError, CredentialError, IndexError):
        log.warning("no registry root to check the issuers list with (ESSPASS_ISSUER_REGISTRY_ROOT): each "
                    "institution's signer is chosen by the certificates' dates alone",
                    extra={"service": "issuer", "event": "signer_list_off"})
        return None
    client = TrustListClient(settings.registry_url, registry_root=root,
                             http=service_http_client(settings.tls_ca, settings.pki_path()),
                             cache_dir=settings.data_dir / "issuer" / "trust-cache",
                             max_age=timedelta(seconds=settings.trust_list_max_age))
    return client


#: Seconds between two rounds of :func:`_signer_lists`: about how late a suspension stops the signing.
SIGNER_LIST_ROUND = 20


async def _signer_lists(service: IssuerService) -> None:
    """Every :data:`SIGNER_LIST_ROUND` seconds, the issuers list the choice of signer heeds
    (:meth:`IssuerService.refresh_signer_list`: asked again of the registry), in a thread: no request
    waits on it."""
    while True:
        try:
            await asyncio.to_thread(service.refresh_signer_list)
        except Exception as exc:  # noqa: BLE001
            # The signers are then chosen by their dates; the next round tries again.
            log.error("reading the issuers list failed (%s)", type(exc).__name__, extra={"service": "issuer"})
        await asyncio.sleep(SIGNER_LIST_ROUND)


def _warn_unapprovable(hosted: list[Institution], tokens: Mapping[str, str]) -> None:
    """Say at start which institution asks four-eyes approval with fewer than two named clerks to
    give it: none of its cases could ever be signed; and which clerk tokens name an institution this
    issuer does not host (a typo, most likely: those clerks can sign in nowhere)."""
    known = {inst.entity.id for inst in hosted}
    strangers = sorted({clerk_institution(who) for who in tokens.values()} - known)
    if strangers:
        log.warning("ESSPASS_ISSUER_CLERK_TOKENS names %s, which this issuer does not host (hosted: %s): "
                    "those tokens sign in nowhere", ", ".join(strangers), ", ".join(sorted(known)),
                    extra={"service": "issuer", "event": "clerk_tokens_unhosted"})
    for inst in hosted:
        named = {who for who in tokens.values() if clerk_institution(who) == inst.entity.id and clerk_name(who)}
        if inst.approval_required and len(named) < 2:
            log.warning("%s asks a second clerk's approval of each case but has %d named clerk token(s): "
                        "nothing it records can be approved; give its clerks named tokens "
                        "(ESSPASS_ISSUER_CLERK_TOKENS, \"%s/<name>\")", inst.entity.id, len(named), inst.entity.id,
                        extra={"service": "issuer", "event": "approval_unreachable"})


async def _housekeeping(service: IssuerService, retention_days: int, search_log_days: int = 0) -> None:
    """At start and then once a day: the retention period (``retention_days``; 0: off; the erasure
    leaves no copy in SQLite's write-ahead log, :meth:`IssuerService.erase_ended`, and tries again the
    next day when a reader kept it there), the search log's (``search_log_days``; 0: off;
    :meth:`IssuerService.purge_case_searches`), and the deletion of tokens and deferred transactions no
    one can use any more."""
    while True:
        if retention_days > 0:
            erased = await _guarded("erasing ended cases", service.erase_ended, retention_days)
            if erased:
                log.info("personal data of %d ended cases erased", erased,
                         extra={"service": "issuer", "event": "erased"})
        if search_log_days > 0:
            await _guarded("deleting old search log entries", service.purge_case_searches, search_log_days)
        await _guarded("deleting expired tokens", service.purge_expired)
        await asyncio.sleep(24 * 3600)


async def _guarded(what: str, task: Callable[..., int], *args: Any) -> int:
    """``task(*args)`` in a thread; a failure is logged and tried again tomorrow: the issuer keeps serving."""
    try:
        return await asyncio.to_thread(task, *args)
    except Exception as exc:  # noqa: BLE001
        # The type only: a database error's text can quote the rows, with their personal data.
        log.error("%s failed (%s)", what, type(exc).__name__, extra={"service": "issuer"})
        return 0


class DerogationIn(BaseModel):
    """Decision A2 point 3(c): why a posting is recorded less than two months after the last one ended."""

    reason: str = Field(max_length=200)


class CaseIn(BaseModel):
    configuration_id: str = Field(max_length=20)
    claims: dict[str, Any]
    #: The holder's family_name, given_name, birthdate (not after the date of issue).
    holder: dict[str, Any] | None = Field(default=None, description=(
        "The holder's family_name, given_name, birthdate. On an EHIC of the holder's own, required: they are card "
        "fields 3-5, signed into every form of the card (no offer without them, 409 case.no_holder_offer); on a "
        "represented person's card the claims' subject is required instead. On an A1, required too: its section 1, "
        "signed into every form of it and printed on its paper copy (409 case.a1_no_holder_offer without them)."))
    #: An A1 of the same posting less than two months apart (409 ``pda1.posting_chain`` without it).
    derogation: DerogationIn | None = None
    #: An active A1 of the person overlaps this one: false to be refused (409 ``pda1.overlap``) and asked;
    #: true (both are meant) or left out records it, the overlap named in its history.
    confirm_overlap: bool | None = None


class ReplacementIn(BaseModel):
    claims: dict[str, Any]
    #: Left out: the replaced case's holder is carried over; an object: it replaces it; ``null``: the
    #: new case has no holder (told from "left out" by ``model_fields_set``).
    holder: dict[str, Any] | None = None
    reason: str = Field(max_length=300)
    derogation: DerogationIn | None = None
    confirm_overlap: bool | None = None

    def holder_given(self) -> dict[str, Any] | None:
        """What :meth:`IssuerService.replace_case` is given: None to carry the holder over, ``{}`` to remove it."""
        if "holder" not in self.model_fields_set:
            return None
        return self.holder if self.holder is not None else {}


class StateIn(BaseModel):
    reason: str = Field(default="", max_length=300)


class StopCopiesIn(BaseModel):
    wallet: str = Field(max_length=64)
    reason: str = Field(default="", max_length=300)


class CaseSearchIn(BaseModel):
    """The body of ``POST /{institution}/api/cases/search``: what ``GET /{institution}/api/cases`` reads
    from its URL, posted, so that a personal number or name searched for is in no URL, hence in no
    proxy's or load balancer's log (GDPR Art. 5(1)(f), Art. 25). Every field optional (``{}``: the
    list); JSON types exactly (``"5"`` is no limit), no other field (a misspelt ``query`` would
    otherwise list every case), each within bounds: else 400 ``invalid_request``, the value unquoted."""

    model_config = ConfigDict(extra="forbid", strict=True)
    #: Words the case's number, person or employer must all have (:mod:`issuer.case_search`).
    q: str = Field(default="", max_length=300)
    #: ``awaiting``, ``approved``, ``refused`` or empty (:meth:`IssuerService.list_cases`).
    approval: str = Field(default="", max_length=20)
    limit: int = Field(default=200, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=2**31 - 1)  # within a database integer


def _serve_not_found_page(app: FastAPI, holder: dict[str, Any]) -> None:
    """A person's browser at an address the issuer has not (a mistyped back-office page): the back
    office's error page (office/error.html), in its look and the page's language, with the way to the
    institution's office, or to the front door (``/``) when the address names none. API clients keep
    the JSON 404 (:func:`esspass.web.serve_not_found_page`)."""
    import jinja2
    from fastapi.templating import Jinja2Templates

    from credentials import i18n
    from esspass.web import language_links, serve_not_found_page
    from issuer.office import HERE, SECURITY_HEADERS, _lang, _t

    # The office's own environment (issuer.office.mount_office): its templates read the same globals.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["language_links"] = language_links
    templates = Jinja2Templates(env=env)

    def render(request: Request) -> Response:
        lang = _lang(request)
        path = request.url.path.strip("/").partition("/")[0]
        service: IssuerService | None = holder.get("service")
        inst = service.institutions.get(path) if service is not None else None
        # Signed in or not is the office's to say (its session store): the link leads to its sign-in.
        return templates.TemplateResponse(request, "office/error.html", {
            "lang": lang, "languages": i18n.LANGUAGES, "path": path, "inst": inst, "signed": False,
            "t": lambda key, **kw: _t(lang, key, **kw), "colon": i18n.colon(lang),
            "message": _t(lang, "not_found"), "status": 404,
        }, status_code=404, headers=SECURITY_HEADERS)

    serve_not_found_page(app, render)


def create_app(settings: IssuerSettings | None = None, *, service: IssuerService | None = None,
               throttle: SignInThrottle | None = None) -> FastAPI:
    """The issuer app. ``throttle`` counts wrong clerk tokens per client address, at the back office's
    sign-in and the API's alike (this process's own by default; a test's, with its clock)."""
    settings = settings or IssuerSettings()
    throttle = throttle or SignInThrottle("issuer")
    holder: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        svc = service or build_service(settings)
        holder["service"] = svc
        hosted = list(svc.institutions.values())
        holder["tokens"] = clerk_tokens(settings, [i.entity.id for i in hosted],
                                        approving=[i.entity.id for i in hosted if i.approval_required])
        _warn_unapprovable(hosted, holder["tokens"])
        eraser = asyncio.create_task(_housekeeping(svc, settings.retention_days, settings.search_log_days))
        lists = asyncio.create_task(_signer_lists(svc)) if svc.signer_choice.consults_list else None
        yield
        eraser.cancel()
        if lists is not None:
            lists.cancel()
        svc.engine.dispose()

    # No interactive docs page: it loads its script from a CDN onto the origin of the clerks'
    # cookies. /openapi.json describes the API for integrators.
    app = FastAPI(title="ESSPASS credential issuer", version="1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="OpenID4VCI 1.0 issuer for PDA1, EHIC and PID, with the institutions' back office.")
    @app.middleware("http")
    async def _back_office_not_cached(request: Request,
                                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # The back office's API answers carry people's data: no cache on the way keeps them.
        response = await call_next(request)
        if "/api/" in request.url.path:
            response.headers["Cache-Control"] = "no-store"
        return response

    # The clerks' CSV import (a file of at most 2 MiB, in a multipart body) is the one larger upload.
    install(app, "issuer", uploads=[(r"/[^/]+/(api|office)/import", 3 * 1024 * 1024)],
            ready=lambda: holder["service"].engine if "service" in holder else False)
    _serve_not_found_page(app, holder)

    def svc() -> IssuerService:
        result: IssuerService = holder["service"]
        return result

    def inst(path: str) -> Institution:
        return svc().institution(path)

    def clerk(path: str, request: Request,
              authorization: Annotated[str | None, Header()] = None) -> tuple[Institution, str]:
        """Bearer clerk token bound to one institution: 401 without a valid one, 403 for another
        institution; 429 while the client's address waits after wrong tokens (esspass.throttle), the
        right one refused too. The actor is the token's clerk (``clerk:LV:VSAA/anna.berzina``), or the
        institution (``clerk:LV:VSAA``) for its unnamed token."""
        if not authorization or not authorization.startswith("Bearer "):
            raise ProtocolError("invalid_token", "a clerk's Bearer token is required", http_status=401)
        address = request.client.host if request.client else None
        wait = throttle.wait(address)
        if wait:
            raise too_many(wait)
        who = holder["tokens"].get(authorization[7:].strip())
        if who is None:
            throttle.failed(address)
            raise ProtocolError("invalid_token", "unknown clerk token", http_status=401)
        throttle.succeeded(address)
        institution = inst(path)
        if institution.entity.id != clerk_institution(who):
            raise ProtocolError("insufficient_scope", "this token belongs to another institution", http_status=403)
        return institution, f"clerk:{who}"

    Clerk = Annotated[tuple[Institution, str], Depends(clerk)]

    # --- well-known metadata -------------------------------------------------------------------

    @app.get("/.well-known/openid-credential-issuer/{path}", tags=["OpenID4VCI"])
    def issuer_metadata(path: str) -> JSONResponse:
        return JSONResponse(svc().metadata(inst(path)))

    @app.get("/.well-known/oauth-authorization-server/{path}", tags=["OpenID4VCI"])
    def as_metadata(path: str) -> JSONResponse:
        from credentials.openid4vci import as_metadata as build

        return JSONResponse(build(inst(path).issuer_url, client_attestation=svc().attestations.client_policy))

    @app.post("/{path}/challenge", tags=["OpenID4VCI"])
    def challenge(path: str) -> JSONResponse:
        """draft-10 §8: a challenge for the next client attestation PoP."""
        inst(path)
        return JSONResponse({"attestation_challenge": svc().nonces.attestation_challenge()}, headers=NO_STORE)

    @app.get("/.well-known/jwt-vc-issuer/{path}", tags=["SD-JWT VC"])
    def jwt_vc_issuer(path: str) -> JSONResponse:
        """SD-JWT VC §5 JWT VC Issuer Metadata: the institution's current signer keys, each with its
        ``kid`` and ``x5c`` (:func:`issuer.service.jwt_vc_issuer_metadata`)."""
        # standards.md §2.4: issuers SHOULD say how long to cache it; a rotated-in key shows within minutes.
        return JSONResponse(svc().jwt_vc_issuer_metadata(inst(path)), headers={"Cache-Control": "public, max-age=300"})

    @app.get("/type-metadata/{configuration_id}", tags=["SD-JWT VC"])
    def type_metadata(configuration_id: str) -> JSONResponse:
        return JSONResponse(svc().type_metadata(configuration_id))

    # --- OpenID4VCI protocol -------------------------------------------------------------------

    @app.get("/{path}/offers/{offer_id}", tags=["OpenID4VCI"])
    def offer(path: str, offer_id: str) -> JSONResponse:
        return JSONResponse(svc().offer_json(inst(path), offer_id[:64]), headers=NO_STORE)

    async def form_fields(request: Request, what: str) -> dict[str, str]:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            raise ProtocolError("invalid_request", f"the {what} must be form-encoded")
        form = await request.form()
        # Every value, not form.items() (the last of each name): a repeated parameter is refused
        # before the service sees the request, so it spends no code and no tx_code try.
        return single_valued((k, v) for k, v in form.multi_items() if isinstance(v, str))

    @app.post("/{path}/token", tags=["OpenID4VCI"])
    async def token(path: str, request: Request) -> JSONResponse:
        fields = await form_fields(request, "token request")
        # The service's work (database, signing, a trust list fetch) runs in the thread pool, as in
        # the sync routes: on the event loop it would hold up every other request meanwhile.
        result = await run_in_threadpool(svc().token, inst(path), fields, _dpop_header(request),
                                         attestation=_one_header(request, ATTESTATION_HEADER),
                                         attestation_pop=_one_header(request, POP_HEADER))
        return JSONResponse(result, headers=NO_STORE)

    @app.post("/{path}/revoke", tags=["OpenID4VCI"])
    async def revoke(path: str, request: Request) -> JSONResponse:
        """RFC 7009 §2: the wallet ends a grant (its card deleted); 200 also for a token unknown (§2.2)."""
        fields = await form_fields(request, "revocation request")
        await run_in_threadpool(svc().revoke, inst(path), fields, _dpop_header(request),
                                attestation=_one_header(request, ATTESTATION_HEADER),
                                attestation_pop=_one_header(request, POP_HEADER))
        return JSONResponse({}, headers=NO_STORE)

    @app.post("/{path}/par", tags=["OpenID4VCI"], status_code=201)
    async def par(path: str, request: Request) -> JSONResponse:
        """RFC 9126 pushed authorization request (HAIP §5: the only way to start the code flow)."""
        fields = await form_fields(request, "pushed authorization request")
        result = await run_in_threadpool(svc().push_authorization, inst(path), fields,
                                         attestation=_one_header(request, ATTESTATION_HEADER),
                                         attestation_pop=_one_header(request, POP_HEADER))
        return JSONResponse(result, status_code=201, headers=NO_STORE)

    @app.post("/{path}/nonce", tags=["OpenID4VCI"])
    def nonce(path: str) -> JSONResponse:
        institution = inst(path)
        service = svc()
        # OpenID4VCI §7.2: the nonce endpoint may also hand out the DPoP nonce (RFC 9449 §8).
        headers = {**NO_STORE, "DPoP-Nonce": service.nonces.dpop_nonce()} if service.nonces.dpop_nonces else NO_STORE
        return JSONResponse({"c_nonce": service.nonces.c_nonce(institution.issuer_url)}, headers=headers)

    @app.post("/{path}/credential", tags=["OpenID4VCI"])
    async def credential(path: str, request: Request) -> JSONResponse:
        institution = inst(path)
        body = await _json_body(request, 256 * 1024, "invalid_credential_request")
        result = await run_in_threadpool(svc().credential, institution, request.headers.get("authorization"), body,
                                         _dpop_header(request))
        return JSONResponse(result, status_code=_credential_status(result), headers=NO_STORE)

    @app.post("/{path}/deferred_credential", tags=["OpenID4VCI"])
    async def deferred_credential(path: str, request: Request) -> JSONResponse:
        """OpenID4VCI §9: the credentials of a request deferred while its document awaits approval."""
        institution = inst(path)
        body = await _json_body(request, 16 * 1024, "invalid_credential_request")
        result = await run_in_threadpool(svc().deferred_credential, institution, request.headers.get("authorization"),
                                         body, _dpop_header(request))
        return JSONResponse(result, status_code=_credential_status(result), headers=NO_STORE)

    @app.post("/{path}/notification", tags=["OpenID4VCI"], status_code=204)
    async def notification(path: str, request: Request) -> Response:
        institution = inst(path)
        body = await _json_body(request, 16 * 1024, "invalid_notification_request")
        await run_in_threadpool(svc().notification, institution, request.headers.get("authorization"), body,
                                _dpop_header(request))
        return Response(status_code=204)

    # Status lists are public (draft-ietf-oauth-status-list §8.1 SHOULD support CORS): a verifier in a
    # browser reads them, and revalidates with the ETag. A GET with Accept needs no preflight.
    public = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag"}

    @app.get("/{path}/status/{number}", tags=["Token Status List"], responses={
        304: {"description": "Not Modified (If-None-Match)"}, 404: {"description": "No such status list"},
        406: {"description": "Neither application/statuslist+jwt nor application/statuslist+cwt is acceptable"},
        501: {"description": "Historical resolution (the time parameter) is not supported"}})
    def status(path: str, number: str, request: Request,
               if_none_match: Annotated[str | None, Header()] = None) -> Response:
        """The Status List Token (draft-ietf-oauth-status-list §8.1), JWT or CWT by the ``Accept``
        header's weights (:func:`credentials.status_list.negotiate_form`); 406 when it accepts
        neither. Clients revalidate with the ETag; HEAD is answered too (:class:`_HeadAsGet`).

        ``time`` (§8.4, historical resolution) is read from the query, not declared: no list history
        is kept, and the draft's answer for a server without it is 501 Not Implemented.
        """
        institution = inst(path)
        if not (number.isascii() and number.isdigit() and len(number) <= 10 and str(int(number)) == number):
            raise ProtocolError("not_found", "no such status list", http_status=404, headers=public)
        if "time" in request.query_params:
            raise ProtocolError("not_implemented", "historical status lists (time) are not supported",
                                http_status=501, headers=public)
        form = status_list.negotiate_form(",".join(request.headers.getlist("accept")) or None)
        if form is None:
            raise ProtocolError("not_acceptable", f"this list is served as {status_list.MEDIA_TYPE} or "
                                f"{status_list.CWT_MEDIA_TYPE}", http_status=406, headers={**public, "Vary": "Accept"})
        result = svc().status.token(institution, int(number), form)
        # §8.1 SHOULD: Content-Encoding gzip (the x5c certificates and the base64 of the list shrink by
        # about a quarter), with an entity tag of its own (RFC 9110 §8.8.3).
        gzipped = gzip_accepted(request.headers.get("accept-encoding"))
        etag = gzip_etag(result.etag) if gzipped else result.etag
        headers = {**public, "ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept, Accept-Encoding"}
        if etag_matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)
        body = result.token if isinstance(result.token, bytes) else result.token.encode("ascii")
        if gzipped:
            body, headers["Content-Encoding"] = gzip.compress(body, mtime=0), "gzip"
        cwt = form == status_list.CWT
        return Response(body, media_type=status_list.CWT_MEDIA_TYPE if cwt else status_list.MEDIA_TYPE,
                        headers=headers)

    @app.get("/{path}/status-lists", tags=["Token Status List"])
    def status_lists(path: str) -> JSONResponse:
        """Status List Aggregation (§9): the URIs of all this institution's status lists."""
        return JSONResponse(svc().status.aggregation(inst(path)), headers={**public, "Cache-Control": "no-cache"})

    app.add_middleware(_HeadAsGet, paths=_STATUS_PATHS)

    # --- back office API (clerks) ----------------------------------------------------------------

    @app.post("/{path}/api/cases", tags=["back office"], status_code=201)
    def create_case(body: CaseIn, who: Clerk) -> JSONResponse:
        refuse_nul(body.claims, "")
        refuse_nul(body.holder, "holder")
        refuse_nul(body.derogation.reason if body.derogation else None, "derogation.reason")
        case = svc().create_case(who[0], body.configuration_id, body.claims, actor=who[1], holder=body.holder,
                                 derogation=body.derogation.reason if body.derogation else None,
                                 confirm_overlap=body.confirm_overlap)
        return JSONResponse(svc().get_case(who[0], case.id), status_code=201)

    @app.post("/{path}/api/cases/search", tags=["back office"])
    def search_cases(body: CaseSearchIn, who: Clerk) -> JSONResponse:
        """The institution's cases, newest first, found by document or personal number, name or
        employer (``q``: every word must match, accents and case aside), or by ``approval``, a page
        (``limit``, ``offset``) at a time: what ``GET /{institution}/api/cases`` answers, with the
        query in the body, never in a URL (GDPR Art. 5(1)(f), Art. 25). Not cached (``no-store``)."""
        return JSONResponse(svc().list_cases(who[0], limit=body.limit, offset=body.offset, query=body.q,
                                             approval=body.approval, reader=who[1]), headers=NO_STORE)

    @app.get("/{path}/api/cases", tags=["back office"], deprecated=True)
    def list_cases(request: Request, who: Clerk, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                   offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
                   q: Annotated[str, Query(deprecated=True, description="deprecated: a personal number or name "
                                           "in a URL is kept in every proxy's log; post it to "
                                           "/{institution}/api/cases/search")] = "",
                   approval: str = "") -> JSONResponse:
        """Deprecated: ``POST /{institution}/api/cases/search`` answers the same with the query in its
        body. The institution's cases, newest first; ``q`` finds them by document or personal number,
        name or employer, accents and case aside (every word must match); ``approval=awaiting`` those
        a second clerk is to approve (``approved``, ``refused``: those approved or refused).

        Kept for existing integrators. An answer to a request with ``q`` says so: ``Deprecation: true``
        (draft-ietf-httpapi-deprecation-header; RFC 9745 later made its value a date) and a ``Link`` to
        the search (RFC 8288, relation ``successor-version`` of RFC 5829), so that the person searched
        for leaves the URL. An answer without ``q`` has no personal data in its URL: no header."""
        headers = {}
        if "q" in request.query_params:
            # The institution's own path, not the one asked: a header carries nothing the client sent.
            headers = {"Deprecation": "true",
                       "Link": f'</{who[0].entity.path}/api/cases/search>; rel="successor-version"'}
        return JSONResponse(svc().list_cases(who[0], limit=limit, offset=offset, query=q[:300],
                                             approval=approval[:20], reader=who[1]), headers=headers)

    @app.get("/{path}/api/cases/{case_id}", tags=["back office"])
    def get_case(case_id: str, who: Clerk) -> JSONResponse:
        """The case; the clerk's reading is recorded in its history (``viewed``, IssuerService.get_case)."""
        return JSONResponse(svc().get_case(who[0], case_id, reader=who[1]))

    @app.post("/{path}/api/cases/{case_id}/offer", tags=["back office"], status_code=201)
    def create_offer(path: str, case_id: str, who: Clerk) -> JSONResponse:
        """A new offer: the link and QR for the wallet, and the tx_code to hand over separately (shown once)."""
        issued = svc().create_offer(who[0], case_id, actor=who[1])
        base = f"/{path}/api/offers/{issued.offer_id}"
        return JSONResponse({"offer_id": issued.offer_id, "link": issued.link, "credential_offer_uri": issued.offer_uri,
                             "tx_code": issued.tx_code, "expires_at": issued.expires_at.isoformat(),
                             "qr_png": f"{base}/qr.png", "qr_svg": f"{base}/qr.svg"},
                            status_code=201, headers=NO_STORE)

    @app.post("/{path}/api/cases/{case_id}/replace", tags=["back office"], status_code=201)
    def replace_case(case_id: str, body: ReplacementIn, who: Clerk) -> JSONResponse:
        """A new document in place of this one (extended, corrected): recorded, and this one withdrawn
        with ``reason``, in one step. Offer the new case to the worker's wallet as any other.
        ``holder`` left out: this case's holder is carried over; given: it replaces it; ``null``: the
        new case has no holder."""
        refuse_nul(body.reason, "reason")
        refuse_nul(body.claims, "")
        refuse_nul(body.holder, "holder")
        refuse_nul(body.derogation.reason if body.derogation else None, "derogation.reason")
        case = svc().replace_case(who[0], case_id, body.claims, actor=who[1], reason=body.reason,
                                  holder=body.holder_given(),
                                  derogation=body.derogation.reason if body.derogation else None,
                                  confirm_overlap=body.confirm_overlap)
        return JSONResponse(svc().get_case(who[0], case.id), status_code=201)

    @app.get("/{path}/api/cases/{case_id}/paper.pdf", tags=["back office"])
    def paper(case_id: str, who: Clerk, lang: str = "en") -> Response:
        """The paper fallback: a PDF with the offline QR code (not holder-bound) for the worker."""
        pdf = svc().paper(who[0], case_id, actor=who[1], lang=lang if lang in ("en", "lv", "de", "fr", "pl") else "en")
        return Response(pdf, media_type="application/pdf", headers=NO_STORE)

    @app.get("/{path}/api/offers/{offer_id}/qr.{fmt}", tags=["back office"])
    def offer_qr(path: str, offer_id: str, fmt: str, who: Clerk) -> Response:
        from credentials.openid4vci import offer_link

        if fmt not in ("png", "svg"):
            raise ProtocolError("not_found", "QR formats: png, svg", http_status=404)
        svc().offer_json(who[0], offer_id[:64])  # 404 unless open
        link = offer_link(offer_uri=f"{who[0].issuer_url}/offers/{offer_id}")
        qr = segno.make_qr(link, error="m")
        buf = io.BytesIO()
        if fmt == "png":
            qr.save(buf, kind="png", scale=6, border=4)
            return Response(buf.getvalue(), media_type="image/png", headers=NO_STORE)
        qr.save(buf, kind="svg", scale=6, border=4, xmldecl=False)
        return Response(buf.getvalue(), media_type="image/svg+xml", headers=NO_STORE)

    @app.post("/{path}/api/cases/{case_id}/approve", tags=["back office"])
    def approve_case(case_id: str, who: Clerk) -> JSONResponse:
        """Four-eyes: a second, named clerk approves a case awaiting approval (no body, or ``{}``);
        403 ``access_denied`` for the clerk who recorded it and for an institution's unnamed token,
        409 for a case not awaiting approval."""
        return JSONResponse(svc().approve_case(who[0], case_id[:64], actor=who[1]))

    @app.post("/{path}/api/cases/{case_id}/refuse", tags=["back office"])
    def refuse_case(case_id: str, who: Clerk, body: StateIn | None = None) -> JSONResponse:
        """A case awaiting approval refused with ``reason`` (required): withdrawn, nothing signed for it."""
        reason = body.reason if body is not None else ""
        refuse_nul(reason, "reason")
        return JSONResponse(svc().refuse_case(who[0], case_id[:64], actor=who[1], reason=reason))

    @app.post("/{path}/api/cases/{case_id}/end-renewals", tags=["back office"])
    def end_renewals(case_id: str, who: Clerk, body: StateIn | None = None) -> JSONResponse:
        """Every wallet's renewal of the case's copies ended with ``reason`` (required), the document
        staying valid (a lost phone): their next refresh is ``invalid_grant``; 409 ``case.no_renewals``
        when no wallet holds a live grant (:meth:`IssuerService.end_renewals`)."""
        reason = body.reason if body is not None else ""
        refuse_nul(reason, "reason")
        return JSONResponse(svc().end_renewals(who[0], case_id[:64], actor=who[1], reason=reason))

    @app.post("/{path}/api/cases/{case_id}/stop-copies", tags=["back office"])
    def stop_copies(case_id: str, who: Clerk, body: StopCopiesIn) -> JSONResponse:
        """The copies one wallet took (``wallet``: its handle in the case's ``wallets``) stopped, with
        ``reason`` (required): the phone holding them was lost or stolen; the document and other wallets'
        copies stay valid (:meth:`IssuerService.stop_copies`)."""
        refuse_nul(body.reason, "reason")
        refuse_nul(body.wallet, "wallet")
        return JSONResponse(svc().stop_copies(who[0], case_id[:64], body.wallet, actor=who[1], reason=body.reason))

    # The body (``{"reason": ...}``) may be left out: a reinstatement's reason is optional, and a
    # withdrawal or suspension without one is refused naming ``reason``, not as an unreadable request.
    for action, state in (("revoke", "revoked"), ("suspend", "suspended"), ("reinstate", "active")):
        def _handler(case_id: str, who: Clerk, body: StateIn | None = None, _state: str = state) -> JSONResponse:
            reason = body.reason if body is not None else ""
            refuse_nul(reason, "reason")
            return JSONResponse(svc().set_state(who[0], case_id, _state, reason=reason, actor=who[1]))

        app.post(f"/{{path}}/api/cases/{{case_id}}/{action}", tags=["back office"], name=action)(_handler)

    # Read from the request (a repeated header refused), described here for integrators.
    idempotency_header = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"},
                          "description": "Optional (draft-ietf-httpapi-idempotency-key-header): a new random string "
                          "for each file, the same for each retry of it. A request with a key an earlier import of "
                          "the institution used records nothing. With the same file, once that import finished, it "
                          "gets that import's answer again (200, header `Idempotent-Replayed: true`; a refused row "
                          "with its `field` and `rule_key` only); while it runs, or when it stopped, 409 with when it "
                          "began and, once done, how many rows it imported and rejected (`import`). With another "
                          "file: 422 `csv.key_reused`. A key is remembered 7 days. Without the header, each request "
                          "is an import of its own: a client that may retry sends one."}
    again_description = ("true: import the file even though an import of the same file (the same bytes) was made "
                         "in the last 7 days. Without it, such a file records nothing: 409 `csv.same_file` (or "
                         "`csv.same_file_unfinished`), naming that import in `import`.")

    @app.post("/{path}/api/import", tags=["back office"], openapi_extra={"parameters": [idempotency_header]})
    async def import_csv(request: Request, who: Clerk, file: Annotated[UploadFile, File()],
                         again: Annotated[bool, Query(description=again_description)] = False) -> JSONResponse:
        """Bulk import from CSV (the institution's template: ``/{path}/office/import-template.csv``,
        ``import-template-ehic.csv``): a report line per row. A file
        faulty as a whole (:func:`issuer.office.read_csv`) is refused before any row is recorded, and
        so is one with a document number already given (409, ``rows`` naming each such row). With an
        ``Idempotency-Key``, a retry (after a timeout) of an import made or under way records nothing
        twice: it gets the first answer again, or 409 while that one runs, or 422 for another file
        (:class:`issuer.service.ImportRepeated`, draft-ietf-httpapi-idempotency-key-header-06). A file an
        import of the last 7 days brought records nothing either (409, :class:`issuer.service.SameFile`)
        unless ``again=true``."""
        key = _idempotency_key(request)
        data = await file.read(MAX_UPLOAD + 1)
        digest = file_digest(data)  # the request's fingerprint: the file is all the request carries
        try:
            if key is not None:  # before the file is judged: a retry is answered by what the first request did
                await run_in_threadpool(svc().refuse_repeated_import, who[0], key, digest)
            rows = read_csv(data)
            report = await run_in_threadpool(import_once, svc(), who[0], rows, import_id=key, file_hash=digest,
                                             again=again, replay=key is not None, actor=who[1], lines=rows.lines)
        except ImportRepeated as exc:
            if exc.replay is None:
                raise
            # A non-standard header many APIs send (the draft names none): the client may tell a replay apart.
            return JSONResponse(_import_answer(exc.replay), headers={"Idempotent-Replayed": "true"})
        except NumberTaken as exc:
            refused = error_response(exc)  # the 409 every API answer has for it, with the rows it names
            return JSONResponse({**json.loads(bytes(refused.body)), "imported": 0, "rows": exc.rows},
                                status_code=refused.status_code, headers=NO_STORE)
        body = _import_answer(report)
        if any(r.get("rule_key") == "csv.stopped" for r in report):
            # Stopped by a fault of the issuer's, not by the file: as below, with what is recorded.
            return JSONResponse({"error": "server_error", "error_description": "the import stopped: an error of "
                                 "the issuer; the rows not created may be imported again", **body}, status_code=500)
        if any(r.get("retry") for r in report):
            # Stopped by the database, not by the file: the rows listed as created are recorded,
            # the others may be sent again.
            return JSONResponse({"error": "temporarily_unavailable", "error_description": "the import stopped: "
                                 "the database failed; the rows not created may be imported again", **body},
                                status_code=503)
        return JSONResponse(body)

    from issuer.authorize import mount_authorize
    from issuer.office import mount_office

    mount_office(app, holder, settings, throttle)
    mount_authorize(app, holder)
    from issuer.home import mount_home

    mount_home(app, holder)  # last: "/" and "/{institution}" match only what no other route does
    return app
