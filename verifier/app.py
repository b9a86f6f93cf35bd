"""The inspector's service: OpenID4VP requests and answers, the inspector page, ``POST /verify``.

Routes are thin adapters over :class:`verifier.service.VerifierService` (pure pipeline in
:mod:`credentials.verification`). The page works without a framework: a form to choose the
check, the request QR with polling for the answer, and a server-rendered verdict screen.
"""

import asyncio
import io
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import httpx
import segno
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import FastAPI, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from credentials import countries, dcql, ehic, i18n, pda1, trust_list
from credentials.errors import CredentialError, ProtocolError
from credentials.i18n import LANGUAGES, colon
from credentials.jose import parse_json
from esspass.config import service_http_client
from esspass.db import Sessions, make_engine
from esspass.migrate import upgrade
from esspass.signin_sessions import ABSOLUTE, SignInSessions
from esspass.status_client import StatusClient
from esspass.throttle import SignInThrottle, retry_after, too_many
from esspass.web import (
    error_response,
    form_pages,
    install,
    language_links,
    local_path,
    page_language,
    read_form,
    serve_not_found_page,
)
from verifier import messages, records
from verifier.db import InspectorSession
from verifier.service import FLOWS, PROFILES, VerifierService, earliest_care_date, entity_state, query_check
from verifier.settings import InspectorTokens, VerifierSettings
from verifier.transactions import MIGRATIONS, Transaction, TransactionStore, configured_storage_key

__all__ = ["build_service", "create_app"]

HERE = Path(__file__).parent
_log = logging.getLogger("esspass.verifier")
NO_STORE = {"Cache-Control": "no-store"}
#: The check this browser last started (a profile name), which the home page offers first.
CHECK_COOKIE = "check"
#: The inspector's pages: nothing inline, nothing from elsewhere, never framed (clickjacking). The
#: offline page reads a photo as a blob: URL and the camera; the verdict shows a data: portrait.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
                               "img-src 'self' data: blob:; media-src 'self' blob:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make the browser send "Origin: null" on its own forms
}


def build_service(settings: VerifierSettings) -> tuple[VerifierService, httpx.Client]:
    from credentials.x509 import load_pem_certificates
    from trust_registry.client import TrustListClient

    key, chain = settings.access_certificate(datetime.now(UTC))
    root = load_pem_certificates(settings.root_path().read_bytes())[0]
    http = service_http_client(settings.tls_ca, settings.pki_path())
    lists = TrustListClient(settings.registry_url, registry_root=root, http=http,
                            cache_dir=settings.data_dir / "verifier" / "trust-cache",
                            max_age=timedelta(seconds=settings.trust_list_max_age))

    def issuers(now: datetime) -> tuple[trust_list.TrustList | None, float | None]:
        tl = lists.issuers(now)
        return tl, tl.age(now)

    known: list[str] = []  # the verifier's state, once the verifiers list has named it

    def home_state(now: datetime) -> str | None:
        """This verifier's state: its entity's country on the verifiers list (the list held, as for
        the issuers list), else the state its id names (``LV:VDI``), until the list can be had."""
        if not known:
            try:
                entity = lists.verifiers(now).entity(settings.entity_id)
            except CredentialError:
                entity = None
            if entity is None:
                return entity_state(settings.entity_id)
            known.append(entity.country)
        return known[0]

    engine = make_engine(settings.db_url("verifier.db"))
    upgrade(engine, MIGRATIONS)
    storage_key = configured_storage_key(settings)
    store = TransactionStore(engine, storage_key)
    # A key of its own for document references, derived so that replicas share it (RFC 5869).
    document_ref_key = HKDF(hashes.SHA256(), 32, salt=None, info=b"esspass/verifier/document-ref").derive(storage_key)
    service = VerifierService(
        store=store, document_ref_key=document_ref_key, entity_id=settings.entity_id,
        access_key=key, access_x5c=list(chain), base_url=settings.base_url(),
        issuers=issuers, status_lookup=StatusClient(http, max_age=settings.status_max_age,
                                                    cache_dir=settings.data_dir / "verifier" / "status-cache"),
        request_ttl=settings.request_ttl, client_id_prefix=settings.client_id_prefix,
        response_mode=settings.response_mode, retention_seconds=settings.retention_seconds,
        policy_version=settings.policy_version, redirect_origins=settings.redirect_origins, zone=settings.zone(),
        request_uri_method=settings.request_uri_method, records_days=settings.records_days,
        pid_number_states=settings.pid_number_states, result_grace=settings.result_grace_seconds,
        purposes=settings.purposes, home_state=home_state, verifiers=lists.verifiers,
        revalidate_issuers=lambda now: lists.revalidate("issuers", now),
        refresh_issuers=lambda now: lists.refresh("issuers", now),
        trust_list_max_age=settings.trust_list_max_age)
    return service, http


class RequestIn(BaseModel):
    profile: str | None = Field(default=None, max_length=20)
    dcql_query: dict[str, Any] | None = None
    response_mode: str | None = Field(default=None, max_length=20)
    client_id_prefix: str | None = Field(default=None, max_length=20)
    purpose: str | None = Field(default=None, max_length=300)
    #: ``same_device`` needs ``redirect_uri``: the integrator's page the wallet sends the browser back
    #: to, with ``#response_code=``; the result is then given only with that code.
    flow: str = Field(default="cross_device", max_length=14)
    redirect_uri: str | None = Field(default=None, max_length=500)
    #: The EHIC check only: the day of care (YYYY-MM-DD) the card or PRC is judged at; today if absent
    #: (:func:`verifier.service.care_date_of`).
    care_date: str | None = Field(default=None, max_length=10)


class VerifyIn(BaseModel):
    """``POST /verify``: a VP Token (or one presentation) with the nonce and audience the caller expects."""

    vp_token: dict[str, list[str]] | None = None
    presentation: str | None = Field(default=None, max_length=512 * 1024)
    dcql_query: dict[str, Any] | None = None
    profile: str | None = Field(default=None, max_length=20)
    nonce: str = Field(max_length=512)
    audience: str = Field(max_length=512)


class OfflineIn(BaseModel):
    qr: str = Field(max_length=4296)
    challenge: str | None = Field(default=None, max_length=32)
    care_date: str | None = Field(default=None, max_length=10)  # an EHIC's day of care, as RequestIn's


class LookupIn(BaseModel):
    """``POST /api/records/lookup``: in the body, so that the number is in no URL or access log."""

    document_number: str = Field(min_length=1, max_length=200)


_lang = page_language


def create_app(settings: VerifierSettings | None = None, *, service: VerifierService | None = None,
               throttle: SignInThrottle | None = None) -> FastAPI:
    """The verifier app. ``throttle`` counts wrong inspector tokens per client address, at the sign-in
    page and as the API's Bearer alike (this process's own by default; a test's, with its clock)."""
    settings = settings or VerifierSettings()
    throttle = throttle or SignInThrottle("verifier")
    holder: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        http = None
        if settings.auth == "tokens":
            holder["tokens"] = InspectorTokens(settings)
        if service is None:
            holder["service"], http = build_service(settings)
        else:
            holder["service"] = service
        eraser = asyncio.create_task(_erase_periodically(holder["service"], settings.sweep_interval))
        try:
            yield
        finally:
            eraser.cancel()
            with suppress(asyncio.CancelledError):
                await eraser  # a round under way ends before the database is closed below
        if http is not None:  # what build_service opened
            http.close()
            holder["service"].store.engine.dispose()

    # No interactive docs page: it loads its script from a CDN onto the origin of the inspector's
    # cookie. /openapi.json describes the API for integrators.
    app = FastAPI(title="ESSPASS verifier", version="1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="The inspector's check of PDA1, EHIC and PID over OpenID4VP 1.0.")

    def inspector(request: Request) -> str | None:
        """The signed-in inspector: a Bearer token (API clients) or the login cookie (the pages)."""
        if settings.auth == "off":
            return "inspector"
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        tokens: InspectorTokens | None = holder.get("tokens")
        if tokens is None:
            return None
        if scheme.lower() == "bearer":  # the inspectorate's systems
            token = credentials.strip()
            return tokens.name(token) if token else None
        return browser_inspector(request, tokens)

    def browser_inspector(request: Request, tokens: InspectorTokens | None) -> str | None:
        """The inspector signed in by the login cookie: a session of the verifier's, never the token
        (esspass.signin_sessions). What a page shows as signed in: a Bearer token sent to a page anyone
        may open is judged nowhere, so that the page does not say, uncounted, whether it is an inspector's."""
        if tokens is None:
            return None
        found = signin().find(request.cookies.get(LOGIN_COOKIE), tokens.token_hashes)
        return found.subject if found is not None else None

    def recorded(request: Request) -> str | None:
        """Who an inspection record names: the signed-in inspector or API token's name; nobody when a
        gateway in front signs inspectors in (auth off), which this service cannot tell apart."""
        return inspector(request) if settings.auth == "tokens" else None

    def signin() -> SignInSessions:
        return SignInSessions(Sessions(holder["service"].store.engine), lambda: datetime.now(UTC), InspectorSession)

    @app.middleware("http")
    async def _same_origin_posts(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # A page or signed-in API call changes state only when this site itself sent it: another
        # site (or another port on the same host, which the browser counts as the same site and
        # sends the inspector's cookie to) cannot start checks, prepare lists or sign anyone out.
        # Systems calling the API send no Origin; the wallet's request_uri POST (/requests/, which
        # changes nothing but a capped count of signatures, and only with request_uri_method post)
        # and its answers (/responses/) come from anywhere.
        if request.method == "POST" and not request.url.path.startswith(("/requests/", "/responses/")):
            fetch_site = request.headers.get("sec-fetch-site")
            origin = request.headers.get("origin")
            own = f"{request.url.scheme}://{request.url.netloc}"
            # Sec-Fetch-Site when the browser sends it (all current ones); else the Origin.
            if (fetch_site not in ("same-origin", "none") if fetch_site is not None
                    else origin is not None and origin != own):
                return JSONResponse({"error": "invalid_request", "error_description": "this request did not come "
                                     "from the verifier's own pages"}, status_code=403, headers=NO_STORE)
        return await call_next(request)

    # Added before install(): its access log and metrics, outside, also count the refusals.
    @app.middleware("http")
    async def _signed_in(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # Starting checks and reading verdicts is for the inspectorate's staff; else anyone could
        # ask workers for their data in the inspectorate's name. The wallet's endpoints stay open.
        kind = _access(request.url.path)
        if kind is None:
            return await call_next(request)
        # A Bearer token is a sign-in of its own: counted per client address with the sign-in page's
        # (esspass.throttle), and refused unread, the right one too, while the address waits.
        address = request.client.host if request.client else None
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        bearer = settings.auth == "tokens" and scheme.lower() == "bearer" and bool(credentials.strip())
        if bearer:
            wait = throttle.wait(address)
            if wait:
                return error_response(too_many(wait))
        if inspector(request) is not None:
            if bearer:
                throttle.succeeded(address)
            return await call_next(request)
        if bearer:
            throttle.failed(address)
        if kind == "api":
            return JSONResponse({"error": "invalid_token", "error_description": "sign in: a Bearer token of an "
                                 "inspector is required"}, status_code=401,
                                headers={"WWW-Authenticate": 'Bearer realm="verifier"', **NO_STORE})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    # The inspector's photo of an offline QR code (at most 8 MB, in a multipart body) is the one larger upload.
    install(app, "verifier", uploads=[("/offline", 9 * 1024 * 1024)],
            ready=lambda: holder["service"].store.engine if "service" in holder else False)
    templates = Jinja2Templates(directory=str(HERE / "templates"))

    def svc() -> VerifierService:
        result: VerifierService = holder["service"]
        return result

    def page(request: Request, name: str, status_code: int = 200, *, back: str | None = None,
             **context: Any) -> HTMLResponse:
        """``name`` in the page's language. ``back``: the page (a GET) the language links lead to when
        this one answers a form, which has no address of its own (a POST, or a one-time link)."""
        lang = _lang(request)
        response = templates.TemplateResponse(request, name, {"lang": lang, "t": messages.translator(lang),
                                                              "colon": colon(lang),
                                                              "languages": LANGUAGES,
                                                              "lang_links": _language_links(request, back),
                                                              "signed": settings.auth == "tokens"
                                                              and browser_inspector(request, holder.get("tokens"))
                                                              is not None, **context},
                                              status_code=status_code, headers={**NO_STORE, **PAGE_HEADERS})
        response.set_cookie("lang", lang, samesite="strict", httponly=True)
        return response

    # A person's browser at an address these pages have not: a page with the way to the start page
    # (API clients keep the JSON 404).
    serve_not_found_page(app, lambda request: page(request, "not_found.html", 404))

    def unreadable(request: Request) -> HTMLResponse:
        """A form these pages never send (too many fields or files, no form at all, a field missing or too
        long): a page in the inspector's language, never FastAPI's JSON; nothing was done."""
        return page(request, "unreadable.html", 400, back="/")

    form_pages(app, unreadable)

    # --- sign in -----------------------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return page(request, "login.html", next=local_path(next))

    @app.post("/login", include_in_schema=False)
    def login(request: Request, token: Annotated[str, Form(max_length=200)] = "",
              next: Annotated[str, Form(max_length=500)] = "/") -> Response:
        token = token.strip()
        back = "/login?" + urlencode({"next": local_path(next)})
        address = request.client.host if request.client else None
        wait = throttle.wait(address)
        if wait:
            # Refused unread, the right token too: waiting out the pause is the only way on.
            locked = page(request, "login.html", status_code=429, back=back, next=local_path(next), error=True,
                          wait_text=i18n.t("signin.wait", _lang(request), seconds=retry_after(wait)))
            locked.headers["Retry-After"] = str(retry_after(wait))
            return locked
        tokens: InspectorTokens | None = holder.get("tokens")
        if not token or tokens is None or tokens.name(token) is None:
            if token and tokens is not None:
                throttle.failed(address)
            return page(request, "login.html", status_code=401, back=back, next=local_path(next), error=True)
        throttle.succeeded(address)
        name = tokens.name(token)
        assert name is not None
        response = RedirectResponse(local_path(next), status_code=303)
        # Lax, not Strict: the wallet's redirect back to a same-device check is a cross-site navigation.
        response.set_cookie(LOGIN_COOKIE, signin().open(name, token), httponly=True, samesite="lax",
                            max_age=int(ABSOLUTE.total_seconds()), secure=request.url.scheme == "https")
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        session_id = request.cookies.get(LOGIN_COOKIE)
        if session_id and "service" in holder:
            signin().close(session_id)  # ended here, not only forgotten by this browser
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(LOGIN_COOKIE, httponly=True, samesite="lax")
        return response

    def tx_json(tx: Transaction) -> dict[str, Any]:
        # transaction_id is the inspector's handle; the request_uri's id is public (it is in the QR).
        view = tx.view
        return {"transaction_id": view, "link": svc().link(tx), "request_uri": f"{svc().base_url}/requests/{tx.id}",
                "client_id": tx.client_id, "nonce": tx.nonce, "expires_in": int(tx.expires - tx.created),
                "result_url": f"/api/requests/{view}/result", "status_url": f"/api/requests/{view}/status",
                "qr_svg": f"/api/requests/{view}/qr.svg"}

    # --- OpenID4VP ---------------------------------------------------------------------------

    @app.post("/api/requests", tags=["OpenID4VP"], status_code=201)
    def create_request(body: RequestIn, request: Request) -> JSONResponse:
        """Create a presentation request for a profile (``pda1``, ``ehic``) or any DCQL query."""
        if body.flow == "same_device" and body.redirect_uri is None:
            raise ProtocolError("invalid_request", "a same_device request through the API needs a redirect_uri")
        tx = svc().create_request(profile=body.profile, query=body.dcql_query, response_mode=body.response_mode,
                                  flow=body.flow, redirect_uri=body.redirect_uri,
                                  client_id_prefix=body.client_id_prefix, purpose=body.purpose,
                                  inspector=recorded(request), care_date=body.care_date)
        return JSONResponse(tx_json(tx), status_code=201, headers=NO_STORE)

    @app.get("/requests/{tx_id}", tags=["OpenID4VP"])
    def request_object(tx_id: str) -> Response:
        """JAR by reference (RFC 9101): the signed Request Object."""
        return PlainTextResponse(svc().request_object(tx_id[:64]), media_type="application/oauth-authz-req+jwt",
                                 headers=NO_STORE)

    @app.post("/requests/{tx_id}", tags=["OpenID4VP"])
    async def request_object_post(tx_id: str, request: Request) -> Response:
        """``request_uri_method=post`` (OpenID4VP §5.10): the wallet's ``wallet_metadata`` and
        ``wallet_nonce`` in, the Request Object signed with that ``wallet_nonce`` out. Only when the
        verifier's links say so (else 405), a few times per request (then 429)."""
        svc().check_request_uri_post()  # before the body is read
        form = await _form(request, 64 * 1024)
        token = await run_in_threadpool(svc().request_object, tx_id[:64], form)
        return PlainTextResponse(token, media_type="application/oauth-authz-req+jwt", headers=NO_STORE)

    @app.post("/responses/{tx_id}", tags=["OpenID4VP"])
    async def response(tx_id: str, request: Request) -> JSONResponse:
        """The response_uri (§8.2 direct_post, §8.3.1 direct_post.jwt)."""
        form = await _form(request, 1024 * 1024)
        # Verifying takes signatures, status lists and the database: in the thread pool, not on the event loop.
        return JSONResponse(await run_in_threadpool(svc().receive, tx_id[:64], form), headers=NO_STORE)

    @app.get("/api/requests/{view}/result", tags=["OpenID4VP"])
    def result(view: str, response_code: Annotated[str | None, Query(max_length=64)] = None) -> JSONResponse:
        """The verdict, by the ``transaction_id`` the request was created with (never the request_uri's id);
        for a same-device request, with the ``response_code`` the wallet's redirect brought. Reading a
        verdict shows it: the retention time of its personal data starts (with none, this read is the last
        to carry the person)."""
        return JSONResponse(svc().result(view[:64], consume=True, response_code=response_code), headers=NO_STORE)

    @app.get("/api/requests/{view}/status", tags=["OpenID4VP"])
    def progress(view: str) -> JSONResponse:
        """Whether the answer is in (``pending``, ``done`` or ``error``), without the verdict: what
        a page waiting for the answer polls, so that polling never starts the retention time.
        ``expired``: the request's time ran out with no answer; its QR code can no longer be
        answered, so stop polling and start a new check (404 once the inspection is deleted)."""
        return JSONResponse({"status": svc().result(view[:64])["status"]}, headers=NO_STORE)

    @app.get("/api/requests/{view}/proof", tags=["verification proof"])
    def proof(view: str) -> Response:
        tx = svc().inspection(view[:64])
        if tx.proof is None:
            raise ProtocolError("not_found", "no verification proof for this request yet", http_status=404)
        return PlainTextResponse(tx.proof, media_type="application/jwt", headers=NO_STORE)

    @app.get("/api/requests/{view}/qr.svg", tags=["OpenID4VP"])
    def qr(view: str) -> Response:
        tx = svc().inspection(view[:64])
        buf = io.BytesIO()
        segno.make_qr(svc().link(tx), error="m").save(buf, kind="svg", scale=5, border=4, xmldecl=False)
        return Response(buf.getvalue(), media_type="image/svg+xml", headers=NO_STORE)

    @app.post("/verify", tags=["machine API"])
    def verify(body: VerifyIn, request: Request) -> JSONResponse:
        """Verify a presentation for inspectorates' own systems; returns the structured verdict and its
        signed verification ``proof``, once the check's inspection record is written."""
        # The caller's query is checked before anything reads it (its first credential query's id
        # names the presentation below): a malformed one is invalid_request, never an index error.
        query = (dcql.validate(body.dcql_query) if body.dcql_query is not None
                 else svc_profile(body.profile) if body.profile else None)
        if body.vp_token is None and body.presentation is None:
            raise ProtocolError("invalid_request", "vp_token or presentation is required")
        if body.vp_token is None:
            assert body.presentation is not None
            vct = _unverified_vct(body.presentation)
            query = query or {"credentials": [{"id": "credential", "format": "dc+sd-jwt",
                                               "meta": {"vct_values": [vct]}}]}
            vp_token = {query["credentials"][0]["id"]: [body.presentation]}
        else:
            vp_token = body.vp_token
        if query is None:
            raise ProtocolError("invalid_request", "dcql_query or profile is required with a vp_token")
        verdict, signed = svc().verify_recorded(vp_token, query=query, nonce=body.nonce, audience=body.audience,
                                                inspector=recorded(request))
        return JSONResponse({**verdict.to_json(), "proof": signed}, headers=NO_STORE)

    def svc_profile(profile: str) -> dict[str, Any]:
        from verifier.service import profile_query

        return profile_query(profile)

    # --- offline QR (issue #7) ------------------------------------------------------------------

    @app.post("/api/offline/challenge", tags=["offline"])
    def challenge() -> JSONResponse:
        """A short code to show the worker before scanning; the wallet signs over it."""
        return JSONResponse({"challenge": svc().new_challenge()}, headers=NO_STORE)

    @app.post("/api/offline/verify", tags=["offline"])
    def verify_offline(body: OfflineIn, request: Request) -> JSONResponse:
        """Verify a scanned offline QR text with the cached trust and status lists (no network needed).
        The answer carries the person: the verdict is shown with it (the retention time starts now)."""
        return JSONResponse(svc().verify_offline(body.qr, challenge=body.challenge, inspector=recorded(request),
                                                 shown=True, care_date=body.care_date), headers=NO_STORE)

    @app.post("/api/status/prefetch", tags=["offline"])
    def prefetch() -> JSONResponse:
        """Before going where there is no network: fetch every status list of the institutions this
        verifier has seen (Status List Aggregation), so that checks there still see withdrawals; with
        what is then held and until when each list answers (as ``GET /api/offline/readiness``)."""
        return JSONResponse(svc().prepare_offline(), headers=NO_STORE)

    @app.get("/api/offline/readiness", tags=["offline"])
    def offline_readiness() -> JSONResponse:
        """What this verifier holds for checks without network, and until when each list lets it decide
        (``checks_without_network_until``: the earliest), fetching no status list."""
        return JSONResponse(svc().readiness(), headers=NO_STORE)

    def ready(lang: str, held: dict[str, Any] | None = None) -> dict[str, Any]:
        """The offline page's words of what the device holds, until when (:meth:`VerifierService.readiness`)."""
        state = held if held is not None else svc().readiness()
        until = state.get("checks_without_network_until")
        past = until is not None and datetime.fromisoformat(until) <= svc().clock()
        t = messages.translator(lang)
        lines = [t("offline.ready_institution", until=messages.datetime_text(i["answers_until"], lang),
                   institution=messages.institution_name(i["name"], i["name_en"], i["country"], lang)
                   if i["name"] or i["name_en"] else i["id"]) for i in state.get("institutions_held", [])]
        trust = state.get("trust_list")
        if trust:
            lines.append(t("offline.ready_trust", until=messages.datetime_text(trust["usable_until"], lang)))
        return {"until": messages.datetime_text(until, lang) if until else None, "past": past, "lines": lines}

    def care_field(request: Request, sent: object = None) -> bool:
        """Whether the offline page shows the date-of-care field: for the EHIC check only (``profile``
        on the page's address, else the check this browser last started, its cookie), or when one was
        sent (its error is shown at it). An inspector of A1s is not shown a desk's field."""
        asked = request.query_params.get("profile")
        return (asked or request.cookies.get(CHECK_COOKIE)) == "ehic" or (isinstance(sent, str) and bool(sent))

    @app.get("/offline", response_class=HTMLResponse, include_in_schema=False)
    def offline_page(request: Request, with_challenge: bool = False) -> HTMLResponse:
        code = svc().new_challenge() if with_challenge else None
        return page(request, "offline.html", challenge=code, care_field=care_field(request),
                    ready=ready(_lang(request)))

    @app.post("/offline/prepare", include_in_schema=False)
    async def offline_prepare(request: Request) -> HTMLResponse:
        # The code shown to the worker (if any) stays on the page: fetching the lists does not use it.
        form = await read_form(request)
        if form is None:
            return unreadable(request)
        kept = _challenge_code(form.get("challenge"))
        care = care_field(request)
        try:
            prepared = await run_in_threadpool(svc().prepare_offline)
        except CredentialError as exc:
            return page(request, "offline.html", status_code=503, back="/offline", challenge=kept, care_field=care,
                        error=_OFFLINE_ERRORS.get(exc.message, "other"), ready=ready(_lang(request)))
        return page(request, "offline.html", back="/offline", challenge=kept, care_field=care, prepared=prepared,
                    ready=ready(_lang(request), prepared))

    @app.post("/offline", include_in_schema=False)
    async def offline_scan(request: Request) -> Response:
        form = await read_form(request)
        if form is None:
            return unreadable(request)
        text = form.get("qr")
        kept = _challenge_code(form.get("challenge"))
        care_date = form.get("care_date")
        upload = form.get("photo")
        try:
            if not isinstance(text, str) or not text.strip():
                # With nothing chosen a browser still sends the file part: no name, no bytes.
                if upload is None or isinstance(upload, str) or not upload.filename:
                    raise _OfflineInputError("nothing")
                data = await upload.read(8 * 1024 * 1024 + 1)
                if len(data) > 8 * 1024 * 1024:
                    raise _OfflineInputError("too_large")
                from credentials.qr_picture import read_qr

                text = await run_in_threadpool(read_qr, data)
            from credentials.compact import PREFIX

            if not text.strip().startswith(PREFIX):
                raise _OfflineInputError("not_offline_qr")
            result = await run_in_threadpool(svc().verify_offline, text.strip(), challenge=kept,
                                             inspector=recorded(request), viewer=request.cookies.get(LOGIN_COOKIE),
                                             # Strict: the whole field is the date (care_date_of), never a prefix.
                                             care_date=care_date if isinstance(care_date, str) else None)
        except _OfflineInputError as exc:
            # The QR was never read, so the code was never used (take_challenge runs only on a readable
            # offline QR): the page keeps it, and a second photo of the same QR is checked against it.
            return page(request, "offline.html", status_code=400, back="/offline", challenge=kept, error=exc.key,
                        care_field=care_field(request, care_date))
        except CredentialError as exc:
            why = "care_date" if exc.message.startswith("care_date") else _OFFLINE_ERRORS.get(exc.message, "other")
            # A wrong day of care is refused before the code is taken (VerifierService.verify_offline);
            # an unknown, used or expired code is not offered again.
            return page(request, "offline.html", status_code=400, back="/offline",
                        challenge=None if why == "challenge" else kept, error=why,
                        care_field=care_field(request, care_date))
        return RedirectResponse(f"/inspect/{result['transaction_id']}/verdict?lang={_lang(request)}", status_code=303)

    # --- the inspector's page --------------------------------------------------------------------

    def home_page(request: Request, status_code: int = 200, *, chosen: str | None = None,
                  **context: Any) -> HTMLResponse:
        """The choice of check: ``chosen`` (else the last one this browser started, its cookie, else
        the first) preselected, so that a desk making one kind of check does not switch every time."""
        last = request.cookies.get(CHECK_COOKIE)
        chosen = chosen if chosen in PROFILES else last if last in PROFILES else PROFILES[0]
        today = svc().clock().astimezone(svc().zone).date()
        earliest = earliest_care_date(today)
        return page(request, "home.html", status_code, profiles=PROFILES, chosen=chosen, today=today.isoformat(),
                    earliest=earliest.isoformat(), **context)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, profile: Annotated[str | None, Query(max_length=20)] = None) -> HTMLResponse:
        return home_page(request, chosen=profile)

    @app.post("/inspect", include_in_schema=False)
    def inspect(request: Request, profile: Annotated[str, Form(max_length=20)],
                flow: Annotated[str, Form(max_length=14)] = "cross_device",
                care_date: Annotated[str, Form(max_length=100)] = "") -> Response:
        # care_date's bound is loose: what is no YYYY-MM-DD date (verifier.service.care_date_of, strict) is
        # refused on this page, in its language, beside the field; a tight bound here answered a date typed in
        # words ("20 November 2026", a browser without a date picker) with the API's JSON error instead.
        if profile not in PROFILES or flow not in FLOWS:
            return home_page(request, 400, back="/", error=True)
        try:
            tx = svc().create_request(profile=profile, flow=flow, inspector=recorded(request),
                                      viewer=request.cookies.get(LOGIN_COOKIE), care_date=care_date or None)
        except ProtocolError as exc:
            if exc.error != "invalid_request" or not care_date:
                raise
            return home_page(request, 400, back="/", chosen=profile, care_error=True, care_date=care_date)
        return started(request, tx, profile)

    def started(request: Request, tx: Transaction, profile: str | None) -> Response:
        """The waiting page of a request just made (a new check, or a new code for one)."""
        response = RedirectResponse(f"/inspect/{tx.view}?lang={_lang(request)}", status_code=303)
        if profile in PROFILES:  # the check the home page offers first next time
            response.set_cookie(CHECK_COOKIE, str(profile), max_age=400 * 86400, httponly=True, samesite="strict")
        if tx.flow == "same_device":
            # This browser's proof that it made the request: the wallet's redirect must come back to it.
            response.set_cookie(_session_cookie(tx.id), str(tx.view), max_age=svc().request_ttl + 600,
                                path="/inspect", httponly=True, samesite="lax",
                                secure=svc().base_url.startswith("https://"))
        return response

    @app.get("/inspect/done/{tx_id}", response_class=HTMLResponse, include_in_schema=False)
    def done(request: Request, tx_id: str, response_code: Annotated[str, Query(max_length=64)] = "") -> Response:
        """Where the wallet sends this browser back after answering a same-device request."""
        cookie = _session_cookie(tx_id[:64])
        try:
            view = svc().redeem(tx_id[:64], response_code, request.cookies.get(cookie))
        except ProtocolError:
            # Why, without a word of the check itself: it is gone; its answer was already taken (this
            # link works once, and the browser that took it has the verdict); or this browser did not
            # start it.
            try:
                taken = svc().get(tx_id[:64]).redeemed
            except ProtocolError:
                why = "unknown_check"
            else:
                why = "error.already_shown" if taken else "error.session"
            return home_page(request, 403, session_error=why)
        response = RedirectResponse(f"/inspect/{view}/verdict?lang={_lang(request)}", status_code=303)
        response.delete_cookie(cookie, path="/inspect")
        return response

    @app.get("/inspect/{view}", response_class=HTMLResponse, include_in_schema=False)
    def waiting(request: Request, view: str) -> HTMLResponse:
        try:
            tx = svc().inspection(view[:64])
        except ProtocolError as exc:
            return unknown_check(request, exc)
        # Answered: the verdict (a page reloaded without JavaScript). A same-device check's only once the
        # wallet's redirect came back (VerifierService.result): its verdict page would send it back here.
        if tx.status in ("done", "error") and (tx.flow != "same_device" or tx.redeemed):
            return RedirectResponse(f"/inspect/{view[:64]}/verdict?lang={_lang(request)}",  # type: ignore[return-value]
                                    status_code=303)
        buf = io.BytesIO()
        segno.make_qr(svc().link(tx), error="m").save(buf, kind="svg", scale=5, border=4, xmldecl=False,
                                                       svgclass="qr")
        until = datetime.fromtimestamp(tx.expires, svc().zone)
        check, lang = query_check(tx.query), _lang(request)
        return page(request, "waiting.html", view=view[:64], link=svc().link(tx), qr=buf.getvalue().decode(),
                    same_device=tx.flow == "same_device", until=f"{until:%H:%M}", zone=_utc_offset(until),
                    until_iso=until.isoformat(timespec="seconds"),
                    minutes=max(1, round(svc().request_ttl / 60)), expires_ms=int(tx.expires * 1000),
                    care_date=tx.care_date, date_text=lambda value: messages.date_text(value, lang),
                    # The EHIC check's own words (a patient, a card holder), the A1's a worker's.
                    check_words=lambda key: f"{key}.ehic" if check == "ehic" else key)

    @app.post("/inspect/{view}/renew", include_in_schema=False)
    def renew(request: Request, view: str) -> Response:
        """More time (WCAG 2.2.1 Timing Adjustable): the same code for longer before it ends, a new code
        for the same check (its kind, flow and day of care) after; one already answered goes to its
        verdict (VerifierService.renew)."""
        try:
            tx = svc().renew(view[:64], viewer=request.cookies.get(LOGIN_COOKIE))
        except ProtocolError as exc:
            return unknown_check(request, exc)
        if tx.view == view[:64] and tx.status != "pending" and (tx.flow != "same_device" or tx.redeemed):
            # answered first: its verdict (a same-device one's once the wallet's redirect came back)
            return RedirectResponse(f"/inspect/{tx.view}/verdict?lang={_lang(request)}", status_code=303)
        return started(request, tx, None)  # the same code with more time, or a new one

    @app.get("/inspect/{view}/verdict", response_class=HTMLResponse, include_in_schema=False)
    def verdict_page(request: Request, view: str) -> HTMLResponse:
        # The browser session that first shows it sees it again for a short grace (a language switch).
        try:
            data = svc().result(view[:64], consume=True, viewer=request.cookies.get(LOGIN_COOKIE))
        except ProtocolError as exc:
            return unknown_check(request, exc)
        if data["status"] in ("pending", "expired"):  # no verdict: the waiting page says which
            return RedirectResponse(f"/inspect/{view[:64]}", status_code=303)  # type: ignore[return-value]
        lang = _lang(request)
        verdict = data.get("verdict") or {}
        # Who checked, for the printed copy: the staff member as the inspection record names them.
        try:
            checked_by = svc().inspection(view[:64]).inspector
        except ProtocolError:  # swept since: the verdict read above is shown all the same
            checked_by = None
        return page(request, "verdict.html", tx_id=view[:64], data=data, checking_body=checking_body(lang),
                    checked_by=checked_by,
                    **verdict_context(verdict, lang, institutions(verdict, lang),
                                      number_states=svc().pid_number_states))

    def checking_body(lang: str) -> str:
        """This verifier's body in ``lang`` as the verifiers list registers it (its own name, or its English
        one with its own: :func:`messages.institution_name`); its entity id when the list cannot be had."""
        service = svc()
        try:
            entity = service.verifiers(service.clock()).entity(service.entity_id) if service.verifiers else None
        except CredentialError:
            entity = None
        if entity is None:
            return service.entity_id
        return messages.institution_name(entity.name, entity.name_en, entity.country, lang)

    @app.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
    def privacy(request: Request) -> HTMLResponse:
        """The inspectorate's privacy notice (GDPR Art. 13), open to anyone: the address the demo seed
        registers on the verifiers list (``policy_uri``), which wallets link on their consent screen.
        Why (each check's purpose, as the requests state it), what (only what the wallet lists), how long
        (as the requests' ``retention`` says: :meth:`VerifierService.create_request`) and the rights."""
        lang = _lang(request)
        t = messages.translator(lang)
        service = svc()
        kept = max(service.retention, service.result_grace, 0)  # as the requests' personal_data_seconds
        person = t("privacy.person_for", minutes=max(1, -(-kept // 60))) if kept else t("privacy.person")
        records_words = (t("privacy.records", days=service.records_days) if service.records_days
                         else t("privacy.records_forever"))
        return page(request, "privacy.html", body=checking_body(lang), person=person, records=records_words,
                    purposes=[purpose_text(profile, lang) for profile in PROFILES])

    def purpose_text(profile: str, lang: str) -> str:
        """Why a check asks, in ``lang``: the deployment's own words for it (``purposes``), else ours."""
        own = svc().purposes.get(profile)
        if own:
            return own.get(lang) or own.get("") or own.get("en") or next(iter(own.values()))
        return messages.translator(lang)(f"purpose.{profile}")

    def unknown_check(request: Request, exc: ProtocolError) -> HTMLResponse:
        """A browser asking for a check that is unknown or deleted: a page in its language, with the way
        to a new check (the API's routes answer 404 JSON)."""
        if exc.error != "not_found":
            raise exc
        return page(request, "unknown.html", status_code=404)

    def institutions(verdict: dict[str, Any], lang: str) -> Callable[[dict[str, Any]], str]:
        """A document's institution named in the page's language: by its own name, or its English one
        with its own (:func:`messages.institution_name`), from the trust list the check used; the
        English name the verdict holds when the list has none (or no list is held)."""
        ids = {(c.get("vct"), c.get("issuer_name")): c.get("issuer_id")
               for c in verdict.get("credentials") or [] if isinstance(c, dict)}
        held: list[trust_list.TrustList | None] = []  # asked for once, and only for a page naming one

        def name(doc: dict[str, Any]) -> str:
            english = str(doc.get("issuer_name") or "")
            entity_id = ids.get((doc.get("vct"), doc.get("issuer_name")))
            if not isinstance(entity_id, str):
                return english
            if not held:
                try:
                    held.append(svc().issuers(svc().clock())[0])
                except CredentialError:
                    held.append(None)
            entity = held[0].entity(entity_id) if held[0] is not None else None
            if entity is None:
                return english
            return messages.institution_name(entity.name, entity.name_en, entity.country, lang)
        return name

    # --- inspection records (verifier/records.py) ---------------------------------------------------

    def day_of(text: str | None) -> Any:
        """The day asked for (today unless ``text``), one whose records can be asked for: a date the
        records cannot be read of (9999-12-31) is ``invalid_request`` here, before anything is read or sent."""
        day = records.parse_day(text, "date") if text else svc().records.today(svc().clock())
        records.check_range(day, day, svc().records.zone)
        return day

    def records_page(request: Request, day: Any, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        shown = svc().records.day(day, limit=RECORDS_SHOWN)
        return page(request, "records.html", status_code=status_code, day=day.isoformat(), entries=shown,
                    summary=svc().records.summary(day, day), zone=svc().zone, type_key=records.type_key,
                    reason=lambda entry: record_reason(entry, _lang(request)), **context)

    def record_reason(entry: records.InspectionEntry, lang: str) -> str:
        """A record's reason as its verdict said it: where one document alone was not valid, in that document's
        words (a PID's status or expiry is the identity's, not the A1's: messages.reason_text), which the
        record's key alone cannot tell."""
        failing = [d for d in entry.documents if d.verdict != "valid"]
        of = [{"vct": d.credential_type, "steps": [{"key": entry.reason_key}]} for d in failing] \
            if len(failing) == 1 else []
        return messages.reason_text({"reason_key": entry.reason_key, "credentials": of}, lang)

    def download(day: Any, kind: str) -> StreamingResponse:
        lines = (records.csv_lines if kind == "csv" else records.jsonl_lines)(
            svc().records.all_between(day, day), svc().zone)
        media = "text/csv; charset=utf-8" if kind == "csv" else "application/jsonl; charset=utf-8"
        return StreamingResponse(lines, media_type=media, headers={
            **NO_STORE, "Content-Disposition": f'attachment; filename="inspections-{day.isoformat()}.{kind}"'})

    @app.get("/records", response_class=HTMLResponse, include_in_schema=False)
    def records_day(request: Request, day: Annotated[str | None, Query(alias="date", max_length=10)] = None
                    ) -> HTMLResponse:
        """The day's checks (today in the verifier's zone unless ``date``), newest first, with counts."""
        try:
            return records_page(request, day_of(day))
        except ProtocolError:
            return records_page(request, day_of(None), status_code=400, bad_date=True)

    @app.post("/records/lookup", response_class=HTMLResponse, include_in_schema=False)
    def records_lookup(request: Request, document_number: Annotated[str, Form(max_length=200)] = "",
                       day: Annotated[str, Form(alias="date", max_length=10)] = "") -> HTMLResponse:
        """"Was this document checked?": posted, so that the number is in no URL, history or log."""
        try:
            when = day_of(day)
        except ProtocolError:
            when = day_of(None)
        back = f"/records?date={when.isoformat()}"  # the day's page: this one's address is a POST's
        if not document_number.strip():
            return records_page(request, when, status_code=400, back=back, lookup_error=True)
        return records_page(request, when, back=back, lookup=svc().records.lookup(document_number))

    @app.get("/records/day.csv", include_in_schema=False)
    def records_day_csv(day: Annotated[str | None, Query(alias="date", max_length=10)] = None) -> Response:
        return download(day_of(day), "csv")

    @app.get("/records/day.jsonl", include_in_schema=False)
    def records_day_jsonl(day: Annotated[str | None, Query(alias="date", max_length=10)] = None) -> Response:
        return download(day_of(day), "jsonl")

    def range_of(first: str | None, last: str | None) -> tuple[Any, Any]:
        return records.parse_range(first, last, svc().records.today(svc().clock()), svc().records.zone)

    @app.get("/api/records", tags=["inspection records"])
    def list_records(first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                     last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
                     limit: Annotated[int, Query()] = 100,
                     cursor: Annotated[str | None, Query(max_length=200)] = None,
                     verdict: Annotated[str | None, Query(max_length=20)] = None,
                     inspector: Annotated[str | None, Query(max_length=100)] = None) -> JSONResponse:
        """The inspection records of ``from`` .. ``to`` (``YYYY-MM-DD``, the verifier's time zone, at most
        366 days; default today), oldest first, ``limit`` (1-1000) at a time: ask again with
        ``cursor`` = ``next_cursor`` (and the same filters) until it is null. ``verdict`` (valid,
        invalid, undetermined, refused) and ``inspector`` keep only those records. Each record carries
        its signed proof."""
        start, end = range_of(first, last)
        only = records.RecordFilter(verdict=verdict, inspector=inspector)
        found = svc().records.between(start, end, limit=limit, cursor=cursor, only=only)
        return JSONResponse({"from": start.isoformat(), "to": end.isoformat(),
                             "records": [r.to_json(svc().zone) for r in found.records],
                             "next_cursor": found.next_cursor}, headers=NO_STORE)

    @app.get("/api/records.csv", tags=["inspection records"])
    def records_csv(first: Annotated[str | None, Query(alias="from", max_length=10)] = None,
                    last: Annotated[str | None, Query(alias="to", max_length=10)] = None,
                    verdict: Annotated[str | None, Query(max_length=20)] = None,
                    inspector: Annotated[str | None, Query(max_length=100)] = None) -> Response:
        """The same records as CSV, the whole range in one download (streamed), with the same filters."""
        start, end = range_of(first, last)
        only = records.RecordFilter(verdict=verdict, inspector=inspector)
        return StreamingResponse(records.csv_lines(svc().records.all_between(start, end, only=only), svc().zone),
                                 media_type="text/csv; charset=utf-8", headers={
                                     **NO_STORE, "Content-Disposition":
                                     f'attachment; filename="inspections-{start.isoformat()}-{end.isoformat()}.csv"'})

    @app.post("/api/records/lookup", tags=["inspection records"])
    def lookup_records(body: LookupIn) -> JSONResponse:
        """The records (any day, newest first, at most 200) of the document numbered ``document_number``,
        found by the HMAC the proofs carry (``document_ref``)."""
        found = svc().records.lookup(body.document_number)
        return JSONResponse({"records": [r.to_json(svc().zone) for r in found]}, headers=NO_STORE)

    app.mount("/static", __import__("fastapi.staticfiles", fromlist=["StaticFiles"]).StaticFiles(
        directory=str(HERE / "static")), name="static")
    return app


async def _erase_periodically(service: VerifierService, interval: float) -> None:
    """The retention time applied every ``interval`` seconds, not only when the verifier is next used:
    a shown verdict's person is erased once ``retention_seconds`` have passed, expired inspections
    are deleted. Every replica does it; each round is idempotent."""
    while True:
        await asyncio.sleep(interval)
        try:
            await asyncio.to_thread(service.sweep)
        except Exception as exc:  # noqa: BLE001 - tried again next round; the verifier keeps serving
            # The type only: a database error's text can quote the rows.
            _log.error("erasing expired personal data failed (%s)", type(exc).__name__,
                       extra={"service": "verifier"})


async def _form(request: Request, limit: int) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body of at most ``limit`` bytes, or invalid_request."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise ProtocolError("invalid_request", "the body must be form-encoded")
    body = await request.body()
    if len(body) > limit:
        raise ProtocolError("invalid_request", "the body is too large")
    from urllib.parse import parse_qsl

    try:
        return dict(parse_qsl(body.decode("ascii"), keep_blank_values=True, max_num_fields=20))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError("invalid_request", "the body is not a valid form") from exc


LOGIN_COOKIE = "inspector"
#: Records the day's page lists (newest first); a busier day is downloaded whole.
RECORDS_SHOWN = 500
_OPEN = ("/requests/", "/responses/", "/inspect/done/", "/static/", "/login", "/logout", "/healthz", "/readyz",
         "/metrics", "/openapi.json", "/privacy")


def _access(path: str) -> str | None:
    """Which sign-in ``path`` needs: ``api`` (a Bearer token), ``page`` (the login cookie), or none
    (the wallet's request_uri and response_uri, the same-device return, health and metrics, the privacy
    notice)."""
    if path.startswith(_OPEN):
        return None
    if path.startswith("/api/") or path == "/verify":
        return "api"
    return "page"


def _language_links(request: Request, back: str | None) -> dict[str, str]:
    """Where each language link of a page leads: the same page (a GET) with its other parameters
    (``/records?date=...``), or ``back`` for a page that answers a form, whose address would be a 405
    (``/records/lookup``) or redo what it did: the home page when such a page names none
    (:func:`esspass.web.language_links`, never off this site)."""
    return language_links(request, back if back is not None or request.method == "GET" else "/")


#: What the offline page says (``verifier.offline.error.<key>``) for an error of reading the photo
#: (credentials.qr_picture) or of the service; any other is ``other``, never the service's English.
_OFFLINE_ERRORS = {
    "The picture is empty.": "empty",
    "The picture is too large.": "too_large",
    "This file is not a picture that can be read.": "not_picture",
    "No QR code could be read in the picture. Try a sharper, closer photo.": "no_qr",
    "The picture shows more than one QR code. Show only one.": "several_qr",
    "this is not an ESSPASS offline QR code": "not_offline_qr",
    "this challenge is unknown, used or expired": "challenge",
    "this verifier keeps no status lists to prepare": "no_status_lists",
    "no trust list is available": "no_trust_list",
}


def _utc_offset(moment: datetime) -> str:
    """``moment``'s offset from UTC in words every language reads ("UTC+2", "UTC-3:30", "UTC"): the
    waiting page's time limit is the verifier's clock, which an inspector's may not be."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def _challenge_code(value: object) -> str | None:
    """The offline page's code as the form sent it back (VerifierService.new_challenge: base32 letters
    and digits), or None: anything else is not put back on the page."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z2-7]{1,32}", value.strip()):
        return value.strip().upper()
    return None


class _OfflineInputError(Exception):
    """What the inspector sent to the offline page cannot be checked: ``key`` says why, in words."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def verdict_context(verdict: dict[str, Any], lang: str, issuer_of: Callable[[dict[str, Any]], str], *,
                    number_states: Collection[str] = ()) -> dict[str, Any]:
    """What verdict.html reads besides the page's own context: the verdict and its words in ``lang``;
    ``issuer_of`` names a document's institution; ``number_states``, the states whose identity documents
    carry the personal number their A1s and EHICs carry (:func:`compare_number`)."""
    return {"verdict": verdict, "describe": messages.describe_document,
            "compare_number": compare_number(verdict, number_states),
            "status_words": lambda code: messages.status_words(code, lang),
            "places_of_work": lambda doc: messages.places_of_work(doc, lang),
            "places_missing": lambda doc: messages.places_missing(doc, lang, offline=bool(verdict.get("offline"))),
            "reason": messages.reason_text(verdict, lang, issuer_of),
            "notice_text": lambda notice: messages.notice_text(notice, lang),
            "ehic_types": (ehic.VCT, *ehic.ALIASES),
            "ehic_label": lambda claim: ehic.label(claim, lang),
            "pda1_label": lambda claim: pda1.label(claim, lang),
            "country_text": lambda code: countries.name(code, lang) if countries.is_supported(code) else str(code),
            "datetime_text": lambda value: messages.datetime_text(value, lang),
            "step_name": lambda code: messages.step_name(code, lang),
            # A credential's check names its institution as the page does (issuer_of), a date in the verdict's zone.
            "step_text": lambda step, credential=None: messages.step_text(
                step, lang, institution=issuer_of(credential) if isinstance(credential, dict) else None,
                checked_at=verdict.get("checked_at")),
            "date_text": lambda value: messages.date_text(value, lang),
            "age_text": lambda seconds: messages.age_words(seconds, lang),
            "document_type": lambda cred: _document_type(cred, lang),
            "issuer_of": issuer_of}


def compare_number(verdict: dict[str, Any], number_states: Collection[str]) -> bool:
    """Whether the verdict page gives the next step of comparing a document's personal number with an
    identity document: a document tied to the PID by the wallet alone (``holder_link.same_wallet``: a PID
    of another state, which carries no number of the document's, credentials/holder_link.py) shows a
    number of a state of ``number_states``, whose identity documents carry it. "Valid" then rests on the
    wallet only (an A1 signed before A1s named their holder, credentials/pda1.py ``HOLDER_SIGNED_FROM``,
    has no name to compare), and that number is what the inspector can check; another state's (a German
    insurance number) is on no identity document: nothing is said."""
    steps = verdict.get("steps")
    if not isinstance(steps, list) or not any(isinstance(s, dict) and s.get("key") == "holder_link.same_wallet"
                                              for s in steps):
        return False
    person = verdict.get("person")
    documents = person.get("documents") if isinstance(person, dict) else None
    listed = {countries.normalise(str(c).strip().upper()) for c in number_states}
    return any(isinstance(d, dict) and isinstance(d.get("personal_administrative_number"), str)
               and d["personal_administrative_number"].strip() and isinstance(d.get("issuing_country"), str)
               and countries.normalise(d["issuing_country"].strip().upper()) in listed
               for d in documents or ())


def _document_type(credential: Any, lang: str) -> str:
    """A checked credential's kind in words (A1, EHIC, PID): its steps say which document they are of."""
    vct = credential.get("vct") if isinstance(credential, dict) else None
    kind = records.type_key(vct if isinstance(vct, str) else None)
    if kind == "other" and isinstance(credential, dict) and credential.get("query_id"):
        return str(credential["query_id"])
    return messages.translator(lang)(f"records.type.{kind}")


def _session_cookie(tx_id: str) -> str:
    return f"inspection-{tx_id}"


def _unverified_vct(presentation: str) -> str:
    """Only to build a default query; the pipeline re-checks the vct after the signature."""
    try:
        from credentials.jose import b64url_decode

        payload = parse_json(b64url_decode(presentation.split("~")[0].split(".")[1]))
    except (CredentialError, IndexError, ValueError) as exc:
        raise ProtocolError("invalid_request", "the presentation is not an SD-JWT") from exc
    vct = payload.get("vct") if isinstance(payload, dict) else None
    if not isinstance(vct, str):
        raise ProtocolError("invalid_request", "the presentation has no vct")
    return vct
