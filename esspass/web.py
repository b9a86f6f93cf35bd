"""What every ESSPASS service has: one error translation, health, metrics and JSON logs.

``install(app, service, ready=...)`` is the only entry point. It renders every
:class:`~credentials.errors.CredentialError` once, at the boundary (STYLE.md §7):

* :class:`ProtocolError` → its ``http_status`` and ``{"error", "error_description"}`` (RFC 6749 §5.2),
  with ``rule_key`` and ``rule_params`` beside them for a refusal that has a key (the issuer's back office);
* :class:`DataError` → 400 ``{"error": "invalid_request", "field", "rule", ...}`` (``rule_key``,
  ``rule_params`` too, for a rule that has a key);
* any other CredentialError → 400 ``{"error": <code>, "error_description": ...}``;
* request validation → 400 ``invalid_request``; anything unexpected → 500 ``server_error``
  with no trace and no detail (the trace goes to the log, which never carries request bodies);
* the database not answering (PostgreSQL stopped or unreachable, its connections ended, SQLite
  locked past its busy timeout) → 503 ``temporarily_unavailable`` with ``Retry-After`` and one
  warning line, no trace: nothing is wrong with the request or the code, and the service answers
  again by itself once the database does (``/readyz`` says 503 meanwhile).

An address a service does not have is a 404 with the JSON ``not_found`` body, except for a person's
browser (:func:`wants_page`) on a service that named its page (:func:`serve_not_found_page`).

A page's form that cannot be read (more fields or files than Starlette's limits, a multipart body that
is none) is the service's own error page, never Starlette's English JSON: a route reading its form
itself does so through :func:`read_form`; routes taking ``Form()`` parameters get it from
:func:`form_pages`.

``/healthz`` answers while the process runs; ``/readyz`` only once the service has started and
its database answers ``SELECT 1`` (else 503 with a JSON body naming the reason).

Every service also serves the scripts they all share (``esspass/static``) under
:data:`SHARED_STATIC_PATH`, and builds its pages' language links with :func:`language_links`.

Logs are one JSON object per line on the ``esspass`` logger. Access logs record the route
template (``/cases/{case_id}``), never the raw path's query string or any body, so personal data
cannot reach them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credentials.errors import CredentialError, DataError, ProtocolError
from esspass.config import INSTANCE_ENV
from esspass.db import unavailable

__all__ = ["DATABASE_RETRY_AFTER", "INSTANCE_ENV", "MAX_BODY_BYTES", "READY_TIMEOUT",
           "SHARED_STATIC_PATH", "JsonFormatter", "configure_logging", "csp_source", "database_unavailable",
           "error_response", "etag_matches", "form_pages", "gzip_accepted", "gzip_etag",
           "install", "language_links", "local_path", "page_language", "read_form", "serve_not_found_page",
           "wants_page"]

#: The largest request body a service reads (beyond it 413, before the body is read whole): every
#: protocol message is far smaller (a wallet's answer at most 512 KB), and a client may not make a
#: process hold hundreds of megabytes, authenticated or not. The few upload routes (a CSV import, a
#: photo of a QR code) name their own, larger limit (``install(uploads=...)``).
MAX_BODY_BYTES = 2 * 1024 * 1024


#: Where every service serves the files of ``esspass/static``: the scripts the four services' pages share
#: (``language-switch.js``: what was typed survives a change of language). Under ``/static/`` so that a
#: service's sign-in gate, which lets its own static files through, lets these through too; mounted by
#: :func:`install`, before the service's own ``/static``.
SHARED_STATIC_PATH = "/static/esspass"
_SHARED_STATIC = Path(__file__).parent / "static"

log = logging.getLogger("esspass")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and whitelisted extras."""

    EXTRAS = ("service", "method", "route", "status", "duration_ms", "event", "code", "entity")

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in self.EXTRAS:
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)

    def formatException(self, ei: Any) -> str:
        return exception_text(ei[1])


def exception_text(exc: BaseException | None) -> str:
    """Where each exception of the chain was raised and its type, never its message: a message can
    quote personal data (PostgreSQL's "Key (pan)=(...) already exists", a value in a ValueError)."""
    parts: list[str] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = "".join(traceback.format_tb(exc.__traceback__))
        parts.append(f"Traceback:\n{frames}{type(exc).__module__}.{type(exc).__qualname__} (message not logged)")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n(while handling the above:)\n".join(reversed(parts))


class _NoExceptionMessages(logging.Filter):
    """For loggers we do not format (uvicorn's, which logs an error after our handler answered 500):
    the traceback they print is :func:`exception_text`'s (a formatter prints a record's ``exc_text``
    as it is)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = exception_text(record.exc_info[1])
        return True


def page_language(request: Request) -> str:
    """The page's language: ``?lang=``, else the ``lang`` cookie, else the browser's Accept-Language."""
    from credentials import i18n

    lang = request.query_params.get("lang") or request.cookies.get("lang")
    return lang if lang in i18n.LANGUAGES else i18n.negotiate(request.headers.get("accept-language"))


#: Media types of a page: what a browser names first when a person opens an address.
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_JSON_RANGES = ("application/json", "application/*", "*/*")


def _accept_weights(accept: str) -> dict[str, float]:
    """``{media range: q}`` of an Accept header (RFC 9110 §12.5.1), lower-cased; a malformed ``q`` is 0
    (refused), never an error: the header is anyone's to write."""
    weights: dict[str, float] = {}
    for item in accept.lower().split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                q = min(q, 1.0) if q > 0 else 0.0  # also "q=nan", which compares as nothing
        weights[media] = max(q, weights.get(media, 0.0))
    return weights


def wants_page(request: Request) -> bool:
    """Does the request prefer an HTML page to JSON? Only when its Accept header names ``text/html``
    (or XHTML) itself, weighted above what ``application/json`` gets (by its own name, else
    ``application/*``, else ``*/*``): a browser's navigation (``text/html,...,*/*;q=0.8``). An API client
    (``application/json``, ``*/*``, no Accept at all) gets JSON, and so does a tie: the JSON answers are
    the services' contract, the pages a courtesy to people."""
    weights = _accept_weights(request.headers.get("accept", ""))
    page = max((weights[media] for media in _PAGE_TYPES if media in weights), default=0.0)
    json_q = next((weights[media] for media in _JSON_RANGES if media in weights), 0.0)
    return page > json_q


def serve_not_found_page(app: FastAPI, render: Callable[[Request], Response]) -> None:
    """Answer a person's browser (:func:`wants_page`) at an address ``app`` does not have with
    ``render(request)``: the service's own error page (a 404, in the page's language, with a way back)
    instead of the JSON an API client keeps getting. Called by a service after :func:`install`."""
    app.state.not_found_page = render


async def read_form(request: Request, *, max_files: int = 1000, max_fields: int = 1000) -> FormData | None:
    """The form posted, or None when it cannot be read: more fields or files than ``max_fields`` and
    ``max_files`` (Starlette's limits, whose own answer is an English JSON error no person's page
    says), a part larger than Starlette's 1 MB, or a multipart body that is none. A page answers None
    with its own error page, a 4xx in the person's language. Read once: a later ``request.form()``
    of the same request gets this form."""
    try:
        return await request.form(max_files=max_files, max_fields=max_fields)
    except StarletteHTTPException as exc:
        if exc.status_code != 400:
            raise
        return None


def form_pages(app: FastAPI, unreadable: Callable[[Request], Response]) -> None:
    """Answer a form posted to a route ``app`` declares from here on with ``Form()`` or ``File()``
    parameters with ``unreadable(request)`` (the service's error page, in the person's language, a 4xx)
    when it cannot be read (:func:`read_form`) or does not fit those parameters (one missing, a file for
    a text, a value over its ``max_length``): FastAPI reads and checks such a form before the route
    runs, and would answer with its JSON 400, which no person's page says. Called by a service before
    its page routes; a route taking JSON, or reading its body itself, is left as it is."""

    class FormPageRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()
            if self.body_field is None or not isinstance(self.body_field.field_info, params.Form):
                return handler

            async def read_first(request: Request) -> Response:
                # Read here with Starlette's limits, which FastAPI reads with too (no route of ours
                # names its own form_limits): FastAPI's handler then gets this same form.
                try:
                    if await read_form(request) is not None:
                        return await handler(request)
                except RequestValidationError:  # raised before the route runs: the form does not fit it
                    pass
                # In the thread pool: a service's page may read its session store.
                return await run_in_threadpool(unreadable, request)

            return read_first

    app.router.route_class = FormPageRoute


def local_path(target: str) -> str:
    """``target`` if it is a path on this site, else ``/``: what a page may send the browser to after
    signing in or unlocking (never an open redirect)."""
    try:
        parts = urlsplit(target)
    except ValueError:  # "http://[": urlsplit refuses it, and it is no path of ours either
        return "/"
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def language_links(request: Request, back: str | None = None) -> dict[str, str]:
    """Where each language link of a page leads (``{"de": "/x?page=2&lang=de", ...}``): this page again,
    with its own query parameters (a list's page and filter, an authorization request's ``client_id``),
    only ``lang`` replaced. ``back``: the page (a GET) to return to instead, for a page answering a form
    whose own address a GET cannot reopen; without it, a page answering a form (a POST) returns to the
    same path with the form's action query (its ``?lang=``, never the fields sent), which the services'
    form pages also answer as a GET. Never off this site (:func:`local_path`)."""
    from credentials import i18n

    if back is None:
        path = quote(request.url.path)
        params = request.query_params.multi_items()
    else:
        path, _, query = local_path(back).partition("?")
        params = parse_qsl(query, keep_blank_values=True)
    path = local_path(path)
    kept = [(k, v) for k, v in params if k != "lang"]
    return {lang: f"{path}?{urlencode([*kept, ('lang', lang)])}" for lang in i18n.LANGUAGES}


_DNS_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")


def csp_source(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL for a CSP directive, or None when it cannot be one.

    Built from the parsed parts, never copied from the URL: a host carrying ``;`` or a space would
    otherwise add directives of its own to the policy (``frame-ancestors *``)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return None
    try:
        host = f"[{ipaddress.IPv6Address(host)}]" if ":" in host else str(ipaddress.IPv4Address(host))
    except ValueError:
        if not _DNS_NAME.fullmatch(host):
            return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def configure_logging(level: int = logging.INFO, stream: Any = None) -> None:
    """Route the ``esspass`` logger to ``stream`` (stderr) as JSON lines; idempotent."""
    root = logging.getLogger("esspass")
    root.setLevel(level)
    _json_lines_to(root, stream)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoExceptionMessages) for f in logger.filters):
            logger.addFilter(_NoExceptionMessages())  # kept when uvicorn configures its loggers later
    # uvicorn's own records (a port already in use, a worker that died) as JSON lines too: the
    # services run uvicorn with ``log_config=None`` (esspass.serve.SERVER_LIMITS), so these
    # handlers stay; uvicorn.error and uvicorn.asgi reach them through "uvicorn".
    _json_lines_to(logging.getLogger("uvicorn"), stream)


def _json_lines_to(logger: logging.Logger, stream: Any) -> None:
    """``logger``'s records as JSON lines on ``stream`` (stderr), replacing the handler an earlier
    call put there (idempotent), and not passed on to the root logger's own handlers."""
    for old in list(logger.handlers):
        if getattr(old, "_esspass", False):
            logger.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._esspass = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.propagate = False


#: RFC 6749 §5.2 (and the OpenID4VC error responses built on it): ``error_description`` is
#: %x20-21 / %x23-5B / %x5D-7E. A message may quote what a client sent, or cite a section (§).
_OAUTH_TEXT = {**{c: "?" for c in range(0x20)}, ord('"'): "'", ord("\\"): "/", ord("§"): "section ", 0x7F: "?"}


def oauth_text(text: str) -> str:
    """``text`` within the characters an OAuth ``error_description`` may hold (non-ASCII as ``?``)."""
    return text.translate(_OAUTH_TEXT).encode("ascii", "replace").decode("ascii")


def error_response(exc: CredentialError) -> JSONResponse:
    """The JSON body and status for one of our errors."""
    if isinstance(exc, ProtocolError):
        headers = {"Cache-Control": "no-store"}
        if exc.http_status == 401:
            headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
        headers.update(exc.headers)
        body = exc.to_dict()
        if "error_description" in body:
            body["error_description"] = oauth_text(body["error_description"])
        return JSONResponse(body, status_code=exc.http_status, headers=headers)
    if isinstance(exc, DataError):
        data: dict[str, Any] = {"error": "invalid_request", "error_description": exc.message, "field": exc.field,
                                "rule": exc.rule}
        if exc.key is not None:  # for a client that says the rule in its reader's language (credentials.claims)
            data.update(rule_key=exc.key, rule_params=exc.params)
        # Every problem found in the same pass, the first (above, as before) included: a client fixes all at once.
        data["problems"] = [problem.problem() for problem in exc.problems]
        return JSONResponse(data, status_code=400)
    return JSONResponse({"error": exc.code, "error_description": exc.message}, status_code=400)


def _validation_text(request: Request, exc: RequestValidationError) -> str:
    """What is wrong with a request FastAPI could not read into its parameters, in words: the body
    that is no JSON, or not the JSON object asked for, or the first parameter at fault and its rule.
    Never the value sent (pydantic's ``input``): it may be someone's personal data."""
    first = exc.errors()[0] if exc.errors() else {}
    loc = tuple(first.get("loc", ()))
    if first.get("type") == "json_invalid":
        return "the body is not valid JSON"
    if loc == ("body",):  # the body as a whole: absent, or not an object
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media and media != "application/json" and not media.endswith("+json"):
            return "the body must be JSON (Content-Type: application/json), an object"
        return "the body must be a JSON object"
    where = ".".join(str(p) for p in loc if p not in ("body", "query", "form"))
    return f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"


#: Seconds ``/readyz`` waits for the database to answer ``SELECT 1``.
READY_TIMEOUT = 2.0

#: What a client is told to wait before asking again while the database does not answer (seconds).
DATABASE_RETRY_AFTER = 5


def database_unavailable(service: str, exc: Exception) -> JSONResponse:
    """503 ``temporarily_unavailable`` for a request the database could not serve, and one warning
    line for the operator: the error's type only (a driver's message may quote the connection's
    parameters or a statement's values), what the clients are told, and that the service recovers by
    itself; no trace, since the code is not at fault and an outage would fill the log with them."""
    log.warning("database unavailable (%s): answered 503, clients asked to retry; the service recovers by itself "
                "once the database answers (check that it runs and that the service's database URL reaches it; "
                "/readyz says 503 meanwhile)", type(exc).__name__,
                extra={"service": service, "event": "database_unavailable"})
    return JSONResponse({"error": "temporarily_unavailable",
                         "error_description": "the service's database does not answer; try again shortly"},
                        status_code=503,
                        headers={"Retry-After": str(DATABASE_RETRY_AFTER), "Cache-Control": "no-store"})


def _select_one(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


class _BodyLimit:
    """Request bodies over ``limit`` bytes are refused with 413 ``invalid_request``, as JSON like every
    error of ours: at once when ``Content-Length`` says so (nothing is read), else as soon as more has
    arrived: the route is then told the client left (it stops reading and answers nobody) and the
    client gets the 413 in place of that answer. Starlette's own limiter would answer in plain text."""

    def __init__(self, app: ASGIApp, limit: int, uploads: Sequence[tuple[re.Pattern[str], int]]) -> None:
        self.app, self.default, self.uploads = app, limit, uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = next((size for path, size in self.uploads if path.fullmatch(scope["path"])), self.default)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large()(scope, receive, send)
            return
        seen, over, answered = 0, False, False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def answer(message: Message) -> None:
            nonlocal answered
            if not over:
                await send(message)
            elif not answered and message["type"] == "http.response.start":
                answered = True
                await _too_large()(scope, receive, send)

        await self.app(scope, counted, answer)


class _RelativeSlashRedirect:
    """Starlette's trailing-slash redirect (``/cases/`` to ``/cases``, and back) names the host from the
    request's Host header, which the client chooses: a forged one, cached by a proxy, would send the
    next visitor elsewhere. That redirect is rewritten as a relative reference (RFC 9110 §10.2.2);
    any other redirect, a route's own, is left as it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")

        async def relative(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (307, 308):
                headers = message.get("headers", [])
                for i, (name, value) in enumerate(headers):
                    if name.lower() != b"location":
                        continue
                    target = urlsplit(value.decode("latin-1"))
                    toggled = path[:-1] if path.endswith("/") else f"{path}/"
                    if target.netloc and target.path == toggled and target.query == query:
                        # "//x" would be a network-path reference (another host): "/.//x" is the same path here.
                        here = f"/.{toggled}" if toggled.startswith("//") else toggled
                        relative_ref = (here + (f"?{query}" if query else "")).encode("latin-1")
                        message = {**message, "headers": [*headers[:i], (name, relative_ref), *headers[i + 1:]]}
                    break
            await send(message)

        await self.app(scope, receive, relative)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: ``*`` or any listed tag (weak comparison, as If-None-Match requires)."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def gzip_accepted(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` (RFC 9110 §12.5.3) takes ``gzip`` (or ``x-gzip``, or ``*``) at a
    weight above 0; a coding named with ``q=0`` is refused even when ``*`` is accepted."""
    named: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding:
            named[coding.lower()] = weight
    for coding in ("gzip", "x-gzip"):
        if coding in named:
            return named[coding] > 0
    return named.get("*", 0.0) > 0


def gzip_etag(etag: str) -> str:
    """The entity tag of the gzip-coded representation of what ``etag`` tags: a strong validator
    differs between content codings of the same data (RFC 9110 §8.8.3)."""
    return f'{etag[:-1]}-gzip"' if etag.endswith('"') else etag


def _too_large() -> Response:
    return JSONResponse({"error": "invalid_request", "error_description": "the request body is too large"},
                        status_code=413, headers={"Connection": "close"})


def install(app: FastAPI, service: str, *, ready: Callable[[], bool | Engine] | None = None,
            uploads: Sequence[tuple[str, int]] = ()) -> None:
    """Add error handlers, ``/healthz``, ``/readyz``, ``/metrics``, the shared scripts
    (:data:`SHARED_STATIC_PATH`), access logs and the request body limit to ``app``:
    :data:`MAX_BODY_BYTES`, or for a path matching one of ``uploads`` (a regular expression, the whole
    path) its own size.

    ``ready`` says whether the service has started: False (not yet), True, or the database engine
    it serves from, which ``/readyz`` then asks ``SELECT 1`` (within :data:`READY_TIMEOUT`): a
    replica whose database does not answer is taken out of the load balancer's rotation, with a
    503 and a JSON body saying why."""
    registry = CollectorRegistry()
    requests = Counter(
        "esspass_http_requests", "HTTP requests", ["service", "method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "esspass_http_request_seconds", "HTTP request latency", ["service", "method", "route"], registry=registry
    )
    app.state.metrics_registry = registry
    app.mount(SHARED_STATIC_PATH, StaticFiles(directory=str(_SHARED_STATIC)), name="esspass-static")
    app.add_middleware(_RelativeSlashRedirect)
    app.add_middleware(_BodyLimit, limit=MAX_BODY_BYTES,
                       uploads=[(re.compile(pattern), size) for pattern, size in uploads])

    @app.exception_handler(CredentialError)
    async def _credential_error(_request: Request, exc: CredentialError) -> Response:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"error": "invalid_request", "error_description": _validation_text(request, exc)},
                            status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = exc.headers
        page: Callable[[Request], Response] | None = getattr(app.state, "not_found_page", None)
        if exc.status_code == 404 and page is not None:
            if wants_page(request):
                # In the thread pool: a service's page may read its session store.
                response = await run_in_threadpool(page, request)
                response.status_code = 404
                response.headers["Vary"] = "Accept"
                return response
            # One address, two answers by the Accept header: a cache keeps them apart.
            headers = {**(exc.headers or {}), "Vary": "Accept"}
        code = {401: "invalid_token", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "invalid_request"
        )
        detail = exc.detail if isinstance(exc.detail, str) else code
        return JSONResponse(
            {"error": code, "error_description": detail}, status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(ClientDisconnect)
    async def _gone(_request: Request, _exc: ClientDisconnect) -> Response:
        # The client left while its body was being read: nobody reads this answer, and it is no
        # server error (a trace per dropped connection would let anyone fill the logs).
        log.info("client disconnected", extra={"service": service, "event": "client_disconnect"})
        return Response(status_code=400)

    async def _database_error(_request: Request, exc: Exception) -> Response:
        if unavailable(exc):
            return database_unavailable(service, exc)
        return _server_error(exc)  # a statement at fault (a missing table): the code's, with its trace

    app.add_exception_handler(SQLAlchemyError, _database_error)  # raised by a route

    def _server_error(exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc, extra={"service": service, "event": "server_error"})
        return JSONResponse({"error": "server_error", "error_description": "internal error"}, status_code=500)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> Response:
        if unavailable(exc):  # raised by a middleware (a sign-in session read)
            return database_unavailable(service, exc)
        log.error("unhandled error", exc_info=exc, extra={"service": service, "event": "server_error"})
        return JSONResponse({"error": "server_error", "error_description": "internal error"}, status_code=500)

    @app.middleware("http")
    async def _no_nul_in_the_path(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # No id of any service holds a NUL, and PostgreSQL refuses one in a query (a 500): not found,
        # before any route reads the path.
        if "\x00" in request.url.path:
            return JSONResponse({"error": "not_found", "error_description": "no such resource"}, status_code=404)
        return await call_next(request)

    @app.middleware("http")
    async def _access_log(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = getattr(request.scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - start
            requests.labels(service, request.method, route, str(status)).inc()
            latency.labels(service, request.method, route).observe(elapsed)
            log.info(
                "request",
                extra={
                    "service": service,
                    "method": request.method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )

    # A supervisor that starts this process (esspass up) names it, so that it can tell its own
    # process's answer from another's on the same port: a random value per run, nothing secret.
    health = {"status": "ok", "service": service}
    if os.environ.get(INSTANCE_ENV):
        health["instance"] = os.environ[INSTANCE_ENV][:64]

    @app.get("/healthz", include_in_schema=False)
    async def _healthz() -> dict[str, str]:
        return health

    # One database check at a time: while a database does not answer, probes must not pile up
    # threads (each waiting for its connect to time out) that the service's own work needs.
    checking: dict[str, asyncio.Future[None]] = {}

    async def _database_answers(engine: Engine) -> bool:
        check = checking.get("check")
        if check is None or check.done() or check.get_loop() is not asyncio.get_running_loop():
            check = checking["check"] = asyncio.ensure_future(asyncio.to_thread(_select_one, engine))
        try:
            await asyncio.wait_for(asyncio.shield(check), timeout=READY_TIMEOUT)
        except TimeoutError:
            log.warning("database did not answer in time", extra={"service": service, "event": "not_ready"})
            return False
        except SQLAlchemyError as exc:
            # The type only: a driver's message may quote the connection's parameters.
            log.warning("database unreachable (%s)", type(exc).__name__,
                        extra={"service": service, "event": "not_ready"})
            return False
        return True

    @app.get("/readyz", include_in_schema=False)
    async def _readyz() -> Response:
        started = ready() if ready is not None else True
        if not isinstance(started, Engine) and not started:
            return JSONResponse({"status": "not_ready", "service": service, "reason": "starting"}, status_code=503)
        if isinstance(started, Engine) and not await _database_answers(started):
            return JSONResponse({"status": "not_ready", "service": service, "reason": "database"}, status_code=503)
        return JSONResponse({"status": "ready", "service": service})

    @app.get("/metrics", include_in_schema=False)
    async def _metrics() -> Response:
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
