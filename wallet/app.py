"""The wallet's local web pages: a phone-like wallet in the browser, served on 127.0.0.1 only.

Same actions as the CLI (create/unlock, receive, list/show, status, present with consent, log),
all through :class:`~wallet.service.WalletService`. The unlocked store lives only in this
process's memory, keyed by a random session cookie (HttpOnly, SameSite=Strict) that expires
after ``session_ttl`` seconds without use. Every form carries a CSRF token bound to the session
(or, before unlocking, to a pre-session cookie that this page server signed), and a POST that Fetch
Metadata or its ``Origin`` says another site sent (another port of this host too) does nothing
(:func:`from_own_pages`). Requests whose ``Host`` is not a loopback name
are refused, so a web page elsewhere cannot reach the wallet through DNS rebinding.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from credentials.errors import CredentialError, ProtocolError
from credentials.i18n import colon, format_date
from esspass.throttle import retry_after
from esspass.web import csp_source, form_pages, install, local_path, serve_not_found_page
from wallet import core
from wallet.errors import NoRenewalError, PendingBusyError, WalletError, WalletLockedError, WrongPassphraseError
from wallet.http import make_client
from wallet.messages import LANGUAGES, explain, format_when, normalise_lang, pending_message, t
from wallet.passphrase import UnlockThrottle, confirmed_erase
from wallet.qr import MAX_IMAGE_BYTES, decode_qr
from wallet.service import (
    SHOWING_OVER,
    OpenItems,
    WalletService,
    code_may_be_retried,
    copies_end_words,
    link_kind,
    logged_claims,
    offered_names,
    renewal_words,
    standing_words,
    utcnow,
    warning_words,
)
from wallet.settings import WalletSettings
from wallet.store import WalletStore, check_new_passphrase

__all__ = ["create_app", "from_own_pages", "own_navigation"]

_HERE = Path(__file__).parent
SESSION_COOKIE = "esspass_wallet_session"
PRE_COOKIE = "esspass_wallet_pre"
LANG_COOKIE = "esspass_wallet_lang"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
#: Longest authorization response parameter (code, state, iss) carried from the callback to the wallet.
MAX_CALLBACK_VALUE = 4096
#: Seconds the list page gives each question about a pending document, and all of them together: the
#: page answers at once whatever the institutions do (the rest is asked on the next visit).
_PENDING_SECONDS = 3.0
_PENDING_BUDGET = 4.0
#: Seconds "Check now", "Check status now" and "Renew copies" give each question to one institution.
_CHECK_NOW_SECONDS = 10.0
#: Seconds the list and card pages give each question of the copies' renewal they begin by themselves
#: (wallet.renewal), and all the renewals together: the page answers at once (the rest on a later visit).
_RENEW_SECONDS = 3.0
_RENEW_BUDGET = 6.0
#: Token errors that mean the one-time code was not accepted (OpenID4VCI §6.3, RFC 6749 §5.2).
_WRONG_CODE = frozenset({"invalid_grant", "invalid_tx_code"})


#: Wrong passphrases in a row, counted beside the wallet file so that a restart does not forget them
#: (wallet.passphrase; review R2, 4). The old name, for what imported it from here.
_UnlockAttempts = UnlockThrottle


@dataclass
class _Session:
    service: WalletService
    csrf: str
    touched: float = field(default_factory=time.monotonic)
    #: What a form's action came to, for the page it redirects to (Post/Redirect/Get): read once.
    notes: dict[str, Any] = field(default_factory=dict)
    #: What a share, a decline or a receipt came to, by the address of the page that shows it (Post/
    #: Redirect/Get): that page shows it again when reloaded, and repeats nothing. The newest few.
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def note(self, **values: Any) -> None:
        self.notes.update(values)

    def keep(self, where: str, **outcome: Any) -> None:
        self.outcomes.pop(where, None)
        self.outcomes[where] = outcome
        while len(self.outcomes) > _OUTCOMES_KEPT:
            del self.outcomes[next(iter(self.outcomes))]

    def take_notes(self) -> dict[str, Any]:
        notes, self.notes = self.notes, {}
        return notes


#: Outcome pages a session can show again (:meth:`_Session.keep`).
_OUTCOMES_KEPT = 16


class _Sessions:
    def __init__(self, ttl: int) -> None:
        self._ttl = ttl
        self._items: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def get(self, sid: str | None) -> _Session | None:
        if not sid:
            return None
        with self._lock:
            now = time.monotonic()
            for key in [k for k, s in self._items.items() if now - s.touched > self._ttl]:
                del self._items[key]
            session = self._items.get(sid)
            if session is not None:
                session.touched = now
            return session

    def new(self, service: WalletService) -> tuple[str, _Session]:
        sid = secrets.token_urlsafe(32)
        session = _Session(service, secrets.token_urlsafe(32))
        with self._lock:
            self._items[sid] = session
        return sid, session

    def drop(self, sid: str | None) -> None:
        with self._lock:
            self._items.pop(sid or "", None)

    def clear(self) -> None:
        """Every session ends (the wallet they opened was erased)."""
        with self._lock:
            self._items.clear()


def own_navigation(request: Request) -> bool:
    """Whether a GET was made by the wallet's own pages or typed by the worker (Fetch Metadata,
    ``Sec-Fetch-Site`` ``same-origin`` or ``none``; absent: a client that is no browser), the only
    ones on which the card pages renew copies (a request with effects, RFC 9110 §9.2.1): never a
    navigation from another site, nor from another port of the same host (``same-site``: the
    issuer's or verifier's pages on localhost), whatever the SameSite cookie lets through."""
    return request.headers.get("sec-fetch-site", "none") in ("same-origin", "none")


def from_own_pages(request: Request) -> bool:
    """Whether a POST was sent by the wallet's own pages (review R3, 1; OWASP CSRF Prevention Cheat
    Sheet, "Fetch Metadata headers" and "Verifying Origin with standard headers").

    ``Sec-Fetch-Site``, when the browser sends it (every current one), must be ``same-origin`` (or
    ``none``: the worker's own action, which no page can cause), and ``Origin``, when sent, the wallet's
    own (scheme, host and port of this request). Another port of the same host is *same-site*: its
    cookies are the wallet's (RFC 6265 §8.5) and SameSite=Strict lets its forms through, so only these
    tell its POST from the wallet's. ``Origin: null`` says nothing (a browser sends it for a same-origin
    form under ``Referrer-Policy: no-referrer``, the wallet's; Fetch §3.1 "append a request Origin
    header"): the signed form token still holds. A client that sends neither (the terminal, scripts,
    tests) is no browser another site could drive."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.url.netloc}".lower()
    return origin is None or origin == "null" or origin.lower() == own


def _same_token(expected: str | None, given: str) -> bool:
    """Whether the form's token is the expected one, in constant time; never for an empty one, nor an
    error for text that is not ASCII (``hmac.compare_digest`` refuses such ``str``)."""
    if not expected:
        return False
    return hmac.compare_digest(expected.encode("utf-8", "replace"), given.encode("utf-8", "replace"))


def _pre_mac(key: bytes, nonce: str) -> str:
    """The signature of a pre-session token's random part (HMAC-SHA256 under the page server's key)."""
    digest = hmac.new(key, b"esspass-wallet-pre:" + nonce.encode("utf-8", "replace"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def create_app(
    settings: WalletSettings,
    *,
    http: httpx.Client | None = None,
    trust: core.TrustSource | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """The wallet page server (``esspass wallet serve``; 127.0.0.1:8104 by default)."""
    client = http or make_client(verify=settings.tls_verify(), timeout=settings.http_timeout)
    trust_source = trust or core.registry_trust(settings, client)
    sessions = _Sessions(settings.session_ttl)
    attempts = UnlockThrottle(settings.wallet_path())
    # Signs the pre-session tokens this process gives out (:func:`pre_of`): a cookie planted by another
    # port of this host (cookies are not isolated by port, RFC 6265 §8.5) matches no form (review R3, 1).
    pre_key = secrets.token_bytes(32)
    templates = Jinja2Templates(directory=str(_HERE / "templates"))
    path = settings.wallet_path()
    # Open offers, requests and QR showings outlive a session: after unlocking, the worker goes on.
    items = OpenItems()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if http is None:
            client.close()

    app = FastAPI(title="ESSPASS wallet", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    # A photo of a QR code (MAX_IMAGE_BYTES, in a multipart body) on the two pages that take one.
    install(app, "wallet", uploads=[(r"/(receive|present)", MAX_IMAGE_BYTES + 1024 * 1024)])
    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")

    @app.middleware("http")
    async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if _host(request.headers.get("host", "")) not in _LOOPBACK_HOSTS:
            return Response("wallet pages are served to this computer only", status_code=421)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not from_own_pages(request):
            # Another site's form (another port of this host, whose cookies are the wallet's): nothing done,
            # whatever tokens it carries (review R3, 1). The page shows the worker why.
            response: Response = render(request, "error.html", status=403, session=session_of(request),
                                        error=t("error.foreign", lang_of(request)), back="/")
        else:
            response = await call_next(request)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'",
        )
        return response

    def lang_of(request: Request) -> str:
        cookie = request.cookies.get(LANG_COOKIE)
        if cookie:
            return normalise_lang(cookie)
        return normalise_lang(request.headers.get("accept-language") or settings.lang)

    def render(request: Request, name: str, *, status: int = 200, session: _Session | None = None,
               pre: str | None = None, **ctx: Any) -> HTMLResponse:
        lang = lang_of(request)
        csrf = session.csrf if session is not None else (pre or pre_of(request) or "")
        context = {
            "lang": lang,
            "languages": LANGUAGES,
            "t": lambda key, **kw: t(key, lang, **kw),
            "colon": colon(lang),
            "d": lambda value: format_date(str(value)[:10], lang) if value else "",
            # A time the wallet recorded (ISO 8601 UTC): the page's date format, the phone's local time.
            "dt": lambda value: format_when(str(value), lang) if value else "",
            "unlocked": session is not None,
            "csrf": csrf,
            "here": _here(request),
            "title": "",
            "error": None,
            **ctx,
        }
        response = templates.TemplateResponse(request, name, context, status_code=status)
        if pre is not None:
            response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict")
        return response

    def pre_page(request: Request, name: str, *, status: int = 200, **ctx: Any) -> HTMLResponse:
        nonce = secrets.token_urlsafe(24)
        pre = pre_of(request) or f"{nonce}.{_pre_mac(pre_key, nonce)}"
        return render(request, name, status=status, pre=pre, **ctx)

    def pre_of(request: Request) -> str | None:
        """The pre-session token of the request's cookie (the form token of /setup, /unlock and
        /start-over, OWASP's "signed double-submit cookie"), when this page server signed it; else None
        (planted by another site, or from before a restart: the page gives a new one)."""
        value = request.cookies.get(PRE_COOKIE) or ""
        nonce, _, mac = value.partition(".")
        return value if nonce and _same_token(_pre_mac(pre_key, nonce), mac) else None

    def session_of(request: Request) -> _Session | None:
        return sessions.get(request.cookies.get(SESSION_COOKIE))

    def csrf_ok(expected: str | None, given: str) -> bool:
        return _same_token(expected, given)

    def to_unlock(request: Request, resume: str | None = None) -> Response:
        """To the unlock page, and from there back to ``resume``: the page the worker was on (a form's
        action is POST only, so its page: the request or offer it answers is still open)."""
        if not path.exists():
            return RedirectResponse("/setup", status_code=303)
        back = resume or (request.url.path if request.method == "GET" else "/")
        return RedirectResponse(f"/unlock?{urlencode({'next': back})}", status_code=303)

    def fail(request: Request, session: _Session | None, exc: CredentialError, back: str) -> HTMLResponse:
        code = exc.error if isinstance(exc, ProtocolError) else exc.code
        status = 404 if exc.code == "not_found" else 409 if exc.code == "pending_busy" else 400
        return render(request, "error.html", status=status, session=session,
                      error=explain(code, exc.message, lang_of(request)), back=back)

    # A person's browser at an address the wallet has not: the error page as for an unknown card, with
    # the tabs when unlocked and the way back to the documents (API clients keep the JSON 404).
    serve_not_found_page(app, lambda request: render(
        request, "error.html", status=404, session=session_of(request),
        error=t("error.no_page", lang_of(request)), back="/"))
    # A form no page of the wallet sends (too many fields or files, no form at all, a field missing): the
    # error page too, never FastAPI's JSON; nothing is done.
    form_pages(app, lambda request: render(
        request, "error.html", status=400, session=session_of(request),
        error=t("error.form_unreadable", lang_of(request)), back="/"))

    def new_service(store: WalletStore) -> WalletService:
        service = WalletService(settings, store, http=client, trust=trust_source, clock=clock, items=items)
        # The wallet opens: the grants of deleted cards that their institutions could not be told about
        # are tried again (in the background; wallet.revocation).
        service.retry_revocations(all_pending=True)
        return service

    # --- create, unlock, lock ------------------------------------------------------------------

    @app.get("/setup", response_class=HTMLResponse)
    def setup_page(request: Request, erased: str = "") -> Response:
        if path.exists():
            return RedirectResponse("/unlock", status_code=303)
        return pre_page(request, "setup.html", erased=erased == "1")

    @app.post("/setup")
    def setup(request: Request, passphrase: str = Form(""), passphrase2: str = Form(""),
              csrf: str = Form("")) -> Response:
        if not csrf_ok(pre_of(request), csrf):
            return pre_page(request, "setup.html", status=403, error=t("error.form", lang_of(request)))
        if passphrase != passphrase2:
            return pre_page(request, "setup.html", status=400, error=t("setup.mismatch", lang_of(request)))
        try:
            check_new_passphrase(passphrase)  # the page's minlength is the browser's; this is the rule
            store = WalletStore.create(path, passphrase, params=settings.scrypt_params())
        except WalletError as exc:
            return pre_page(request, "setup.html", status=400, error=explain(exc.code, exc.message, lang_of(request)))
        sid, _ = sessions.new(new_service(store))
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict")
        return response

    @app.get("/unlock", response_class=HTMLResponse)
    def unlock_page(request: Request, next: str = "/") -> Response:
        if not path.exists():
            return RedirectResponse("/setup", status_code=303)
        return pre_page(request, "unlock.html", next=local_path(next))

    @app.post("/unlock")
    def unlock(request: Request, passphrase: str = Form(...), csrf: str = Form(""), next: str = Form("/")) -> Response:
        if not csrf_ok(pre_of(request), csrf):
            return pre_page(request, "unlock.html", status=403, error=t("error.form", lang_of(request)), next=next)
        with attempts.turn() as wait:
            if wait:
                # Refused before scrypt runs: waiting out the delay is the only way to try again.
                page = pre_page(request, "unlock.html", status=429, next=local_path(next),
                                error=t("error.wait", lang_of(request), seconds=retry_after(wait)))
                page.headers["Retry-After"] = str(retry_after(wait))
                return page
            try:
                store = WalletStore.open(path, passphrase)
            except WalletError as exc:
                if isinstance(exc, WrongPassphraseError):
                    attempts.failed()
                return pre_page(request, "unlock.html", status=401, next=local_path(next),
                                error=explain(exc.code, exc.message, lang_of(request)))
            attempts.succeeded()
        sid, _ = sessions.new(new_service(store))
        response = RedirectResponse(local_path(next), status_code=303)
        response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="strict")
        return response

    # --- a forgotten passphrase: erase this wallet and start a new one (review R2, 3) ----------------

    @app.get("/start-over", response_class=HTMLResponse)
    def start_over_page(request: Request) -> Response:
        if not path.exists():
            return RedirectResponse("/setup", status_code=303)
        return pre_page(request, "unlock_start_over.html", wallet_file=str(path))

    @app.post("/start-over")
    def start_over(request: Request, confirm: str = Form(""), csrf: str = Form("")) -> Response:
        """Erase the wallet file (no passphrase: nothing of it is read) after the typed word; the worker
        then makes a new wallet and asks each institution for a new offer. Another site's form, or one
        without the word, erases nothing."""
        lang = lang_of(request)

        def again(status: int, error: str) -> Response:
            return pre_page(request, "unlock_start_over.html", status=status, error=error, wallet_file=str(path))

        if not csrf_ok(pre_of(request), csrf):
            return again(403, t("error.form", lang))
        if not confirmed_erase(confirm):
            return again(400, t("start_over.mistyped", lang, word=t("start_over.word", lang)))
        WalletStore.erase(path)
        attempts.forget()
        sessions.clear()  # their store is gone
        response = RedirectResponse("/setup?erased=1", status_code=303)
        if SESSION_COOKIE in request.cookies:
            response.delete_cookie(SESSION_COOKIE)
        return response

    @app.post("/lock")
    def lock(request: Request, csrf: str = Form("")) -> Response:
        session = session_of(request)
        if session is not None and not csrf_ok(session.csrf, csrf):
            # Another site's form (the Host check lets loopback names through) changes nothing.
            return render(request, "error.html", status=403, session=session,
                          error=t("error.form", lang_of(request)), back="/")
        response = RedirectResponse("/unlock", status_code=303)
        if session is not None:
            sessions.drop(request.cookies.get(SESSION_COOKIE))
        if SESSION_COOKIE in request.cookies:
            # Only a same-site request carries the cookie (SameSite=Strict): a stale one goes too.
            response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/privacy", response_class=HTMLResponse)
    def privacy(request: Request) -> Response:
        """The privacy notice (GDPR Art. 13; Art. 12(1): concise, easily accessible): linked from the
        set-up page (first use) and every page's footer, readable locked or not."""
        return render(request, "privacy.html", session=session_of(request), operator=settings.operator_name,
                      contact=settings.operator_contact, wallet_file=str(path))

    @app.get("/lang/{code}")
    def set_lang(code: str, next: str = "/") -> Response:
        response = RedirectResponse(local_path(next), status_code=303)
        response.set_cookie(LANG_COOKIE, normalise_lang(code), samesite="strict")
        return response

    # --- guarded pages -------------------------------------------------------------------------

    def guarded(
        handler: Callable[[Request, _Session], Response], *, back: str = "/", form_csrf: str | None = None,
        resume: str | None = None,
    ) -> Callable[[Request], Response]:
        """``handler`` in the unlocked session; else to the unlock page, and back to ``resume`` (a
        form's page), or to this page when it is one (GET)."""
        def run(request: Request) -> Response:
            session = session_of(request)
            if session is None:
                return to_unlock(request, resume)
            if form_csrf is not None and not csrf_ok(session.csrf, form_csrf):
                return render(request, "error.html", status=403, session=session,
                              error=t("error.form", lang_of(request)), back=back)
            try:
                return handler(request, session)
            except WalletLockedError:
                sessions.drop(request.cookies.get(SESSION_COOKIE))
                return to_unlock(request, resume)
            except CredentialError as exc:
                return fail(request, session, exc, back)
        return run

    def cards_page(req: Request, s: _Session, outcomes: list[Any], **ctx: Any) -> Response:
        """The documents, those institutions have still to approve (OpenID4VCI §9), and what asking
        about them just came to."""
        lang = lang_of(req)
        notices = [(o.outcome, pending_message(o.outcome, o.issuer_name, o.titles, o.detail, lang))
                   for o in outcomes]
        cards = s.service.cards(lang)
        return render(req, "cards.html", session=s, cards=cards, pending=s.service.pending(lang),
                      standing={c.group: standing_words(c, lang) for c in cards}, notices=notices,
                      revocations=s.service.revocation_notices(lang), **ctx)

    def done(s: _Session, where: str, **notes: Any) -> Response:
        """Post/Redirect/Get: what the form did is kept for the page ``where`` shows it on, so that
        reloading that page repeats nothing."""
        s.note(**notes)
        return RedirectResponse(where, status_code=303)

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        def page(req: Request, s: _Session) -> Response:
            notes = s.take_notes()
            # The pending documents that are due are asked about on the way, briefly: the page never hangs.
            outcomes = s.service.fetch_pending(seconds=_PENDING_SECONDS, budget=_PENDING_BUDGET, lang=lang_of(req))
            asked = notes.get("outcomes", [])
            shown = [*asked, *(o for o in outcomes if (o.outcome != "pending" or o.detail)
                               and o.id not in {a.id for a in asked})]
            # Copies close to their end (or ended, or used up) are renewed on the way, as briefly.
            renewed = s.service.renew_due(seconds=_RENEW_SECONDS, budget=_RENEW_BUDGET, lang=lang_of(req)) \
                if own_navigation(req) else []
            # A renewal the wallet started by itself that the issuer says is not due yet: nothing to tell.
            return cards_page(req, s, shown, deleted=bool(notes.get("deleted")), removed=notes.get("removed"),
                              renewals=[(o.outcome, renewal_words(o, lang_of(req))) for o in renewed
                                        if o.outcome != "not_due"])
        return guarded(page)(request)

    @app.post("/pending/{pending_id}/check", response_class=HTMLResponse)
    def check_pending(request: Request, pending_id: str, csrf: str = Form("")) -> Response:
        """"Check now": ask the institution about one pending document, whatever its interval."""
        def page(req: Request, s: _Session) -> Response:
            outcomes = s.service.fetch_pending(only=pending_id, seconds=_CHECK_NOW_SECONDS, lang=lang_of(req))
            return done(s, "/", outcomes=outcomes)
        return guarded(page, form_csrf=csrf)(request)

    @app.post("/pending/{pending_id}/cancel", response_class=HTMLResponse)
    def cancel_pending(request: Request, pending_id: str, csrf: str = Form("")) -> Response:
        """"Remove": the worker confirmed (the disclosure beside "Check now" holds the button, as a
        card's removal does); the wallet stops waiting and erases what it kept for the document."""
        def page(req: Request, s: _Session) -> Response:
            lang = lang_of(req)
            gone = s.service.cancel_pending(pending_id, lang=lang)
            return done(s, "/", removed=t("pending.removed", lang, institution=gone.issuer_name,
                                          document=", ".join(gone.titles)))
        return guarded(page, form_csrf=csrf)(request)

    @app.get("/cards/{group}", response_class=HTMLResponse)
    def show(request: Request, group: str) -> Response:
        def page(req: Request, s: _Session) -> Response:
            notes = s.take_notes()
            renewals = [notes["renewal"]] if "renewal" in notes else [
                (o.outcome, renewal_words(o, lang_of(req)))
                for o in (s.service.renew_due(only=group, seconds=_RENEW_SECONDS, budget=_RENEW_BUDGET,
                                              lang=lang_of(req)) if own_navigation(req) else [])
                if o.outcome != "not_due"]
            return _card_page(req, s, group, unconfirmed=notes.get("unconfirmed"), renewals=renewals)
        return guarded(page)(request)

    @app.post("/cards/{group}/renew", response_class=HTMLResponse)
    def renew(request: Request, group: str, csrf: str = Form("")) -> Response:
        """"Renew copies": new copies of the document now, with the access the institution gave this
        wallet (HAIP 1.0 §4 credential refresh); what it came to is said on the card's page."""
        def page(req: Request, s: _Session) -> Response:
            lang = lang_of(req)
            try:
                out = s.service.renew(group, lang=lang, seconds=_CHECK_NOW_SECONDS)
            except (NoRenewalError, PendingBusyError) as exc:  # no grant, or being renewed: said on the page
                return done(s, f"/cards/{group}", renewal=("failed", explain(exc.code, exc.message, lang)))
            return done(s, f"/cards/{group}", renewal=(out.outcome, renewal_words(out, lang)))
        return guarded(page, back=f"/cards/{group}", form_csrf=csrf, resume=f"/cards/{group}")(request)

    def _card_page(req: Request, s: _Session, group: str, status: int = 200,
                   unconfirmed: str | None = None, renewals: list[tuple[str, str]] | None = None) -> Response:
        """A document: its facts, where it stands, the "Show QR for inspection" button (nothing is
        signed or counted by viewing it), all its data, its removal."""
        lang = lang_of(req)
        card = s.service.card(group, lang)
        # The document's own last day (an A1's ending_date, an EHIC's or PID's date_of_expiry), not the
        # token's exp: the issuer sets that to the day's end anywhere on earth, the next day in UTC.
        if card.valid_until:
            expires: str | None = format_date(card.valid_until, lang)
        else:
            expires = format_date(datetime.fromtimestamp(card.exp, UTC).date(), lang) if card.exp else None
        status_text = ""
        if card.status is not None:
            status_text = t(f"status.{card.status.value}", lang)
            if card.status.value == "valid" and card.period != "current":
                status_text = t("status.not_withdrawn", lang)  # "valid" would say more than the list knows
            if card.status.value == "unknown" and card.status.detail:
                status_text = t("status.unreachable", lang, detail=card.status.detail)
            elif unconfirmed is not None:  # the check just asked for could not read the list
                status_text += "; " + t("status.unreachable", lang, detail=unconfirmed)
        period_text = standing_words(card, lang) if card.period != "current" else ""
        # A past document's page links the current ones of its kind, each by what it says.
        described = {c.group: c.description for c in s.service.cards(lang)} if card.past and card.current else {}
        instead = [(g, described[g]) for g in card.current if g in described]
        return render(req, "card.html", status=status, session=s, card=card, expires=expires, instead=instead,
                      status_text=status_text, period_text=period_text, warning=warning_words(card, lang),
                      copies_end=copies_end_words(card, lang), title=card.title, renewals=renewals or [],
                      renews=s.service.renews(group))

    @app.post("/cards/{group}/qr", response_class=HTMLResponse)
    def show_qr(request: Request, group: str, csrf: str = Form(""), challenge: str = Form("")) -> Response:
        """"Show QR for inspection": one showing begins (one copy counted, one line in the history)."""
        def page(req: Request, s: _Session) -> Response:
            code = _challenge(challenge)
            showing = s.service.show_offline_qr(group, code)
            return RedirectResponse(f"/showings/{showing.id}" + (f"?{urlencode({'challenge': code.decode()})}"
                                                                 if code else ""), status_code=303)
        return guarded(page, back=f"/cards/{group}", form_csrf=csrf, resume=f"/cards/{group}")(request)

    @app.get("/showings/{showing_id}", response_class=HTMLResponse)
    def showing_page(request: Request, showing_id: str, challenge: str = "") -> Response:
        """The offline QR on screen, renewed every 30 s by the page's script (or over the inspector's
        challenge) with the same copy: a reload or a renewal counts nothing again."""
        def page(req: Request, s: _Session) -> Response:
            lang = lang_of(req)
            showing = s.service.showing(showing_id)
            card = s.service.card(showing.group, lang)
            code = core.inspector_code(challenge)
            image = f"/showings/{showing_id}/qr.png" + (f"?{urlencode({'challenge': code})}" if code else "")
            return render(req, "showing.html", session=s, card=card, showing=showing, image=image, challenge=code,
                          warning=warning_words(card, lang), over=explain("not_found", SHOWING_OVER, lang),
                          title=card.title)
        return guarded(page)(request)

    @app.get("/showings/{showing_id}/qr.png")
    def showing_image(request: Request, showing_id: str, challenge: str = "") -> Response:
        def image(req: Request, s: _Session) -> Response:
            from credentials.compact import qr_png

            text = s.service.renew_offline_qr(showing_id, _challenge(challenge)).text
            return Response(qr_png(text), media_type="image/png", headers={"Cache-Control": "no-store"})
        return guarded(image)(request)

    @app.post("/cards/{group}/delete", response_class=HTMLResponse)
    def delete(request: Request, group: str, csrf: str = Form("")) -> Response:
        def page(req: Request, s: _Session) -> Response:
            s.service.delete(group)
            return done(s, "/", deleted=True)
        return guarded(page, back=f"/cards/{group}", form_csrf=csrf, resume=f"/cards/{group}")(request)

    @app.post("/cards/{group}/status", response_class=HTMLResponse)
    def check_status(request: Request, group: str, csrf: str = Form("")) -> Response:
        def page(req: Request, s: _Session) -> Response:
            check = s.service.check_status(group, seconds=_CHECK_NOW_SECONDS)
            return done(s, f"/cards/{group}", unconfirmed=None if check.confirmed else check.detail)
        return guarded(page, back=f"/cards/{group}", form_csrf=csrf, resume=f"/cards/{group}")(request)

    @app.get("/log", response_class=HTMLResponse)
    def log_page(request: Request) -> Response:
        def page(req: Request, s: _Session) -> Response:
            lang = lang_of(req)
            entries = [(e, logged_claims(e, lang)) for e in s.service.log()]
            return render(req, "log.html", session=s, entries=entries)
        return guarded(page)(request)

    # --- passphrase ----------------------------------------------------------------------------

    @app.get("/passphrase", response_class=HTMLResponse)
    def passphrase_page(request: Request, changed: str = "") -> Response:
        return guarded(lambda req, s: render(req, "passphrase.html", session=s, changed=changed == "1"))(request)

    @app.post("/passphrase", response_class=HTMLResponse)
    def passphrase_change(request: Request, current: str = Form(""), new: str = Form(""), new2: str = Form(""),
                          csrf: str = Form("")) -> Response:
        def page(req: Request, s: _Session) -> Response:
            lang = lang_of(req)

            def again(status: int, error: str) -> Response:
                return render(req, "passphrase.html", status=status, session=s, error=error)

            if new != new2:
                return again(400, t("setup.mismatch", lang))
            # The current passphrase again: someone at an unlocked phone must not take the wallet over,
            # and guessing it here is throttled as at the unlock page.
            with attempts.turn() as wait:
                if wait:
                    return again(429, t("error.wait", lang, seconds=retry_after(wait)))
                try:
                    WalletStore.open(path, current)
                except WalletError as exc:
                    if isinstance(exc, WrongPassphraseError):
                        attempts.failed()
                    return again(401, explain(exc.code, exc.message, lang))
                attempts.succeeded()
            if new == current:
                return again(400, t("passphrase.same", lang))
            try:
                check_new_passphrase(new)
                s.service.store.change_passphrase(new, params=settings.scrypt_params())
            except WalletError as exc:
                return again(400, explain(exc.code, exc.message, lang))
            return RedirectResponse("/passphrase?changed=1", status_code=303)
        return guarded(page, form_csrf=csrf, resume="/passphrase")(request)

    # --- receive -------------------------------------------------------------------------------

    @app.get("/receive", response_class=HTMLResponse)
    def receive_page(request: Request) -> Response:
        return guarded(lambda req, s: render(req, "receive.html", session=s))(request)

    @app.post("/receive", response_class=HTMLResponse)
    async def receive_start(request: Request, link: str = Form(""), qr: UploadFile | None = File(None),
                            csrf: str = Form("")) -> Response:
        text, qr_error = await _link_from(link, qr)

        def page(req: Request, s: _Session) -> Response:
            if qr_error is not None:
                raise qr_error
            if not text:
                return render(req, "receive.html", status=400, session=s, error=t("error.nothing", lang_of(req)))
            if link_kind(text) == "request":  # the inspector's QR code scanned here: its consent page
                return open_request_page(req, s, text)
            return open_offer_page(s, text)
        # Fetching the offer or request goes over the network: not on the event loop.
        return await run_in_threadpool(guarded(page, back="/receive", form_csrf=csrf, resume="/receive"), request)

    def open_offer_page(s: _Session, link: str) -> Response:
        """The offer ``link`` fetched and kept open; Post/Redirect/Get: the offer's own page, which Back
        and a reload come to without a resend."""
        offer_id, _offer = s.service.open_offer(link)
        return RedirectResponse(f"/receive/{quote(offer_id, safe='')}", status_code=303)

    def open_request_page(req: Request, s: _Session, link: str) -> Response:
        """The request ``link`` fetched and verified; Post/Redirect/Get: its consent page, which Back and
        a reload come to without a resend. Nothing leaves before the worker's Share there."""
        consent = s.service.open_request(link, lang_of(req))
        return RedirectResponse(f"/present/{quote(consent.id, safe='')}", status_code=303)

    def offer_page(req: Request, s: _Session, offer_id: str, *, status: int = 200,
                   error: str | None = None) -> Response:
        """The open offer: what it holds, the one-time code field, and (again, with ``error`` tied to
        the code field) after a wrong code."""
        offer = s.service.pending_offer(offer_id)
        lang = lang_of(req)
        # here: its own address, also after a form (a language link returns to the code field, not home).
        response = render(req, "offer.html", status=status, session=s, offer_id=offer_id,
                          here=f"/receive/{quote(offer_id, safe='')}",
                          issuer_name=offer.issuer_name(lang), offered=offered_names(offer, lang),
                          tx_code=offer.tx_code, code_flow=offer.authorization_endpoint is not None,
                          error=error, tx_code_error=error is not None)
        target = csp_source(offer.authorization_endpoint) if offer.authorization_endpoint else None
        if target is not None:  # the form's redirect goes to the institution's page
            response.headers["Content-Security-Policy"] = (
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                f"form-action 'self' {target}; frame-ancestors 'none'")
        return response

    @app.post("/receive/{offer_id}/authorize", response_class=HTMLResponse)
    def receive_at_institution(request: Request, offer_id: str, csrf: str = Form("")) -> Response:
        """The authorization code flow: off to the institution's page, back at /receive/callback."""
        def page(req: Request, s: _Session) -> Response:
            callback = f"{str(req.base_url).rstrip('/')}/receive/callback"
            return RedirectResponse(s.service.begin_authorization(offer_id, callback, lang_of(req)), status_code=303)
        return guarded(page, back="/receive", form_csrf=csrf, resume=f"/receive/{offer_id}")(request)

    @app.get("/receive/callback", response_class=HTMLResponse)
    def receive_callback(request: Request) -> Response:
        """Where the institution sends the worker back (RFC 6749 §4.1.2). A browser does not send the
        wallet's strict session cookie on that cross-site arrival, so this page only carries the
        answer on to our own form; the POST does the work in the session."""
        q = request.query_params

        def param(name: str) -> str:
            # RFC 6749 §4.1.2: the code's size is the server's choice. A value is carried on whole or,
            # past a generous bound, not at all: a code cut short could only fail at the token endpoint.
            value = q.get(name, "")
            return value if len(value) <= MAX_CALLBACK_VALUE else ""

        code = param("code")
        return pre_page(request, "authorized.html", state=param("state"), code=code, iss=param("iss"),
                        oauth_error=q.get("error", "")[:64], denied=bool(q.get("error")) or not code)

    @app.post("/receive/callback", response_class=HTMLResponse)
    def receive_callback_finish(request: Request, state: str = Form(""), code: str = Form(""), iss: str = Form(""),
                                error: str = Form("")) -> Response:
        # No form CSRF token: the state must name an authorization this session started, which an
        # attacker cannot know (RFC 6749 §10.12).
        def page(req: Request, s: _Session) -> Response:
            received = s.service.complete_authorization(state, code=code or None, iss=iss or None,
                                                        error=error or None)
            return received_page(req, s, received)
        return guarded(page, back="/receive", resume="/receive")(request)

    @app.get("/receive/{offer_id}", response_class=HTMLResponse)
    def offer_again(request: Request, offer_id: str) -> Response:
        """An offer still open (after unlocking again, say): the same page, to accept it; one taken in
        this session (Back from what it gave): what it gave."""
        def page(req: Request, s: _Session) -> Response:
            done = f"/receive/{quote(offer_id, safe='')}/done"
            if done in s.outcomes:
                return RedirectResponse(done, status_code=303)
            wrong = s.take_notes().get("wrong_code")
            if wrong is not None and wrong[0] == offer_id:  # the code just typed (receive_finish), said once
                return offer_page(req, s, offer_id, status=400, error=explain(wrong[1], wrong[2], lang_of(req)))
            return offer_page(req, s, offer_id)
        return guarded(page, back="/receive")(request)

    @app.post("/receive/{offer_id}", response_class=HTMLResponse)
    def receive_finish(request: Request, offer_id: str, tx_code: str = Form(""), csrf: str = Form("")) -> Response:
        def page(req: Request, s: _Session) -> Response:
            try:
                received = s.service.accept(offer_id, tx_code or None)
            except ProtocolError as exc:
                # A wrong one-time code (RFC 6749 §5.2 invalid_grant): the offer stays open here, so
                # the worker corrects the code on the same page; the issuer's words say how many
                # tries are left. Anything else, or an offer no longer open (locked, used, expired:
                # invalid_grant too), is the error page; trying again could not help.
                if exc.error not in _WRONG_CODE or not tx_code or not code_may_be_retried(exc.message):
                    raise
                # Post/Redirect/Get: the offer's page says it, so that Back from what the right code
                # gives (or a reload) comes to that page, never resending a code (a try spent).
                return done(s, f"/receive/{quote(offer_id, safe='')}", wrong_code=(offer_id, exc.error, exc.message))
            where = f"/receive/{quote(offer_id, safe='')}/done"
            s.keep(where, received=received)
            return RedirectResponse(where, status_code=303)
        return guarded(page, back="/receive", form_csrf=csrf, resume=f"/receive/{offer_id}")(request)

    @app.get("/receive/{offer_id}/done", response_class=HTMLResponse)
    def received_again(request: Request, offer_id: str) -> Response:
        """The documents an offer gave (Post/Redirect/Get: a reload shows them again); an offer not
        taken in this session goes to its own page, which says whether it is still open."""
        def page(req: Request, s: _Session) -> Response:
            kept = s.outcomes.get(req.url.path)
            if kept is None:
                return RedirectResponse(f"/receive/{quote(offer_id, safe='')}", status_code=303)
            return received_page(req, s, kept["received"])
        return guarded(page, back="/receive")(request)

    def received_page(req: Request, s: _Session, received: Any) -> Response:
        """The documents stored, and those the institution must approve first (OpenID4VCI §8.3)."""
        lang = lang_of(req)
        waiting = [p for p in s.service.pending(lang) if p.id in received.pending]
        return render(req, "received.html", session=s, cards=[s.service.card(g, lang) for g in received.groups],
                      deferred=[t("pending.deferred", lang, institution=p.issuer_name) + " (" + ", ".join(p.titles)
                                + ")" for p in waiting])

    # --- present -------------------------------------------------------------------------------

    @app.get("/present", response_class=HTMLResponse)
    def present_page(request: Request) -> Response:
        return guarded(lambda req, s: render(req, "present.html", session=s))(request)

    @app.post("/present", response_class=HTMLResponse)
    async def present_start(request: Request, link: str = Form(""), qr: UploadFile | None = File(None),
                            csrf: str = Form("")) -> Response:
        text, qr_error = await _link_from(link, qr)

        def page(req: Request, s: _Session) -> Response:
            if qr_error is not None:
                raise qr_error
            if not text:
                return render(req, "present.html", status=400, session=s, error=t("error.nothing", lang_of(req)))
            if link_kind(text) == "offer":  # an institution's offer scanned here: its page, the code asked there
                return open_offer_page(s, text)
            return open_request_page(req, s, text)
        # Fetching the offer or request goes over the network: not on the event loop.
        return await run_in_threadpool(guarded(page, back="/present", form_csrf=csrf, resume="/present"), request)

    @app.get("/present/{request_id}", response_class=HTMLResponse)
    def consent_again(request: Request, request_id: str) -> Response:
        """A request still open (after unlocking again, say): its consent page, to answer it; one
        answered in this session (Back from the answer's page): what the answer came to."""
        def page(req: Request, s: _Session) -> Response:
            done = f"/present/{quote(request_id, safe='')}/done"
            if done in s.outcomes:
                return RedirectResponse(done, status_code=303)
            return render(req, "consent.html", session=s, consent=s.service.pending_request(request_id))
        return guarded(page, back="/present")(request)

    @app.post("/present/{request_id}/share", response_class=HTMLResponse)
    def share(request: Request, request_id: str, csrf: str = Form(""), keep: list[str] = Form([]),
              choosing: str = Form("")) -> Response:
        """Consent given: what is listed leaves (the verifier's first option the documents satisfy,
        OpenID4VP §6.4.1), but a claim the worker unticked: the form says it offered the choice
        (``choosing``) and ``keep`` holds "<query id>:<n>" of each such claim still ticked (consent.html,
        all ticked at first); then the first later option without what was unticked is answered. A form
        without the choice sends what it listed."""
        kept = set(keep)

        def page(req: Request, s: _Session) -> Response:
            consent = s.service.pending_request(request_id)
            withhold = [(item.query_id, claim.path) for item in consent.items
                        for n, claim in enumerate(item.claims)
                        if choosing and claim.optional and f"{item.query_id}:{n}" not in kept]
            out = s.service.share(request_id, withhold)
            return answered(s, request_id, outcome=out.outcome, verifier=out.verifier_name,
                            redirect_uri=out.redirect_uri, warnings=out.warnings)
        return guarded(page, back=f"/present/{request_id}", form_csrf=csrf, resume=f"/present/{request_id}")(request)

    def answered(s: _Session, request_id: str, **outcome: Any) -> Response:
        """Post/Redirect/Get for an answer sent or declined: its page shows it, reloaded too."""
        where = f"/present/{quote(request_id, safe='')}/done"
        s.keep(where, **outcome)
        return RedirectResponse(where, status_code=303)

    @app.get("/present/{request_id}/done", response_class=HTMLResponse)
    def answered_again(request: Request, request_id: str) -> Response:
        """What the answer to a request came to; a request not answered in this session goes to its
        consent page, which says whether it is still open."""
        def page(req: Request, s: _Session) -> Response:
            kept = s.outcomes.get(req.url.path)
            if kept is None:
                return RedirectResponse(f"/present/{quote(request_id, safe='')}", status_code=303)
            return render(req, "result.html", session=s, **kept)
        return guarded(page, back="/present")(request)

    @app.post("/present/{request_id}/choose", response_class=HTMLResponse)
    def choose(request: Request, request_id: str, csrf: str = Form(""), doc: str = Form("")) -> Response:
        """The worker shows another of the documents answering one of the request's queries
        (consent.html: ``doc`` is "<query id>:<document>"; OpenID4VP §6.4): the consent page again,
        listing what that one sends. Nothing leaves before Share."""
        query_id, _, group = doc.partition(":")  # a DCQL id has no ":" (§6.1)

        def page(req: Request, s: _Session) -> Response:
            consent = s.service.choose(request_id, query_id, group)
            return RedirectResponse(f"/present/{quote(consent.id, safe='')}", status_code=303)
        return guarded(page, back=f"/present/{request_id}", form_csrf=csrf, resume=f"/present/{request_id}")(request)

    @app.post("/present/{request_id}/decline", response_class=HTMLResponse)
    def decline(request: Request, request_id: str, csrf: str = Form("")) -> Response:
        def page(req: Request, s: _Session) -> Response:
            out = s.service.decline(request_id)
            return answered(s, request_id, outcome=out.outcome, verifier=out.verifier_name,
                            redirect_uri=out.redirect_uri)
        return guarded(page, back="/present", form_csrf=csrf, resume=f"/present/{request_id}")(request)

    return app


async def _link_from(link: str, qr: UploadFile | None) -> tuple[str, CredentialError | None]:
    """The pasted link, else the text of the uploaded QR picture (or why it could not be read)."""
    if link.strip():
        return link.strip(), None
    if qr is None or not qr.filename:
        return "", None
    data = await qr.read(MAX_IMAGE_BYTES + 1)
    try:
        return decode_qr(data), None
    except CredentialError as exc:
        return "", exc


def _challenge(text: str) -> bytes | None:
    """The inspector's challenge as typed, read as the verifier wrote it (:func:`core.inspector_code`), or None."""
    return core.inspector_code(text).encode() or None


def _host(header: str) -> str:
    """The host name of a Host header, without the port (``[::1]:8104`` -> ``[::1]``)."""
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0] if ":" in header else header


def _here(request: Request) -> str:
    """Where a language link returns to: this page with its query (a showing's challenge), or, for a
    page answering a form (a POST, which has no address to return to), the home page."""
    if request.method != "GET":
        return "/"
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
