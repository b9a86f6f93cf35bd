"""The worker's authorization page of the authorization code flow (OpenID4VCI §5, HAIP §5).

The wallet pushed its request (``/par``) and opened ``/authorize?client_id=..&request_uri=..`` in
the worker's browser. The worker proves to be the person the clerk served by typing the one-time
code the clerk handed over separately, the same second factor as the pre-authorized code flow, and
is sent back to the wallet with an authorization code. The page is the institution's own, so an
eID login can replace the code later without the wallet noticing.

Errors about the request itself are shown here and never redirected (RFC 6749 §4.1.2.1): only a
pushed, checked redirect_uri receives answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from credentials import i18n
from credentials.authorization_code import single_valued
from credentials.errors import ProtocolError
from esspass.web import csp_source, read_form
from issuer.office import SECURITY_HEADERS, _lang, _type_name
from issuer.service import Institution, IssuerService

__all__ = ["mount_authorize"]

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    "title": ("Collect your document", "Saņemiet savu dokumentu", "Dokument abholen", "Recevoir votre document",
              "Odbierz dokument"),
    "language": ("Language", "Valoda", "Sprache", "Langue", "Język"),
    "heading": ("Your {document} for your wallet", "Jūsu {document} jūsu makam", "Ihr {document} für Ihre Wallet",
                "Votre {document} pour votre portefeuille", "Twój {document} do portfela"),
    "explain": ("Your wallet asks {institution} for this document. Enter the one-time code the institution gave "
                "you to confirm that it is for you.",
                "Jūsu maks prasa šo dokumentu iestādei {institution}. Ievadiet vienreizējo kodu, ko jums iedeva "
                "iestāde, lai apstiprinātu, ka tas ir jums.",
                "Ihre Wallet fordert dieses Dokument bei {institution} an. Geben Sie den Einmalcode ein, den Ihnen "
                "die Einrichtung gegeben hat, um zu bestätigen, dass es für Sie ist.",
                "Votre portefeuille demande ce document à {institution}. Saisissez le code à usage unique que "
                "l'organisme vous a remis pour confirmer qu'il vous est destiné.",
                "Twój portfel prosi {institution} o ten dokument. Wpisz jednorazowy kod otrzymany od instytucji, "
                "aby potwierdzić, że jest dla Ciebie."),
    "destination": ("The document will go to the wallet answering at {destination}. If you did not start "
                    "this in your own wallet just now, press Cancel and do not type the code.",
                    "Dokuments tiks nosūtīts makam, kas atbild adresē {destination}. Ja jūs tikko to neuzsākāt "
                    "savā makā, nospiediet \"Atcelt\" un neievadiet kodu.",
                    "Das Dokument geht an die Wallet unter {destination}. Wenn Sie dies nicht gerade in Ihrer "
                    "eigenen Wallet begonnen haben, drücken Sie „Abbrechen“ und geben Sie den Code nicht ein.",
                    "Le document ira au portefeuille qui répond à l'adresse {destination}. Si vous n'avez pas "
                    "commencé cette démarche dans votre propre portefeuille à l'instant, appuyez sur « Annuler » "
                    "et ne saisissez pas le code.",
                    "Dokument trafi do portfela odpowiadającego pod adresem {destination}. Jeśli nie rozpoczęto "
                    "tego przed chwilą we własnym portfelu, naciśnij „Anuluj” i nie wpisuj kodu."),
    "code": ("One-time code", "Vienreizējais kods", "Einmalcode", "Code à usage unique", "Kod jednorazowy"),
    "authorise": ("Send to my wallet", "Nosūtīt uz manu maku", "An meine Wallet senden", "Envoyer à mon portefeuille",
                  "Wyślij do portfela"),
    "cancel": ("Cancel", "Atcelt", "Abbrechen", "Annuler", "Anuluj"),
    "error_prefix": ("Error", "Kļūda", "Fehler", "Erreur", "Błąd"),
    "wrong_code": ("This code is not right. Check it and try again.",
                   "Kods nav pareizs. Pārbaudiet un mēģiniet vēlreiz.",
                   "Der Code stimmt nicht. Prüfen Sie ihn und versuchen Sie es erneut.",
                   "Ce code n'est pas correct. Vérifiez-le et réessayez.",
                   "Kod jest nieprawidłowy. Sprawdź go i spróbuj ponownie."),
    "invalid": ("This request cannot be completed here. Start again from your wallet.",
                "Šo pieprasījumu šeit nevar pabeigt. Sāciet no jauna savā makā.",
                "Diese Anfrage kann hier nicht abgeschlossen werden. Beginnen Sie in Ihrer Wallet neu.",
                "Cette demande ne peut pas aboutir ici. Recommencez depuis votre portefeuille.",
                "Tego żądania nie można tu dokończyć. Zacznij od nowa w portfelu."),
    "skip": ("Skip to main content", "Pāriet uz galveno saturu", "Zum Hauptinhalt springen",
             "Aller au contenu principal", "Przejdź do treści głównej"),
}
i18n.register({f"authorize.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _T.items()})



def _page_lang(request: Request) -> str:
    """The page's language (:func:`issuer.office._lang`: ``?lang=``, the cookie, Accept-Language), with
    the wallet's ``ui_locales`` before the cookie and the browser's (OpenID Connect Core §3.1.2.1: the
    end-user's preferred languages for this request, space-separated BCP 47 tags, the first one we have
    wins): a worker whose wallet speaks German gets the institution's page in German, whatever language
    the browser or an earlier visit left; a language chosen on the page itself (``?lang=``) still wins."""
    if not request.query_params.get("lang"):
        for tag in (request.query_params.get("ui_locales") or "")[:200].split():
            base = tag.split("-")[0].lower()
            if base in i18n.LANGUAGES:
                return base
    return _lang(request)

def _destination(redirect_uri: str) -> str:
    """Where the authorization code goes, as the worker can recognise it: the redirect's origin
    (https, or http on a loopback address: :func:`credentials.authorization_code.parse_pushed_request`). Any
    wallet may push a request naming its own redirect_uri (OpenID4VCI wallets are public clients),
    so a worker lured to this page by someone else's link must see where the code would go."""
    parts = urlsplit(redirect_uri)
    return f"{parts.scheme}://{parts.netloc}"


def mount_authorize(app: FastAPI, holder: dict[str, Any]) -> None:
    """Add ``GET`` and ``POST /{path}/authorize``; ``holder["service"]`` is the IssuerService."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    templates = Jinja2Templates(env=env)

    def svc() -> IssuerService:
        result: IssuerService = holder["service"]
        return result

    def page(request: Request, inst: Institution, status_code: int = 200, *, redirect_uri: str | None = None,
             **context: Any) -> HTMLResponse:
        lang = _page_lang(request)
        headers = dict(SECURITY_HEADERS)
        source = csp_source(redirect_uri) if redirect_uri is not None else None
        if source is not None:  # CSP form-action also governs where the form's redirect may go
            headers["Content-Security-Policy"] = headers["Content-Security-Policy"].replace(
                "form-action 'self'", f"form-action 'self' {source}")
        return templates.TemplateResponse(request, "authorize/page.html", {
            "lang": lang, "languages": i18n.LANGUAGES, "inst": inst,
            "t": lambda key, **kw: i18n.t(f"authorize.{key}", lang, **kw), "colon": i18n.colon(lang), **context,
        }, status_code=status_code, headers=headers)

    def show(request: Request, inst: Institution, client_id: str | None, request_uri: str | None,
             error: str | None = None) -> HTMLResponse:
        lang = _page_lang(request)
        try:
            row, case = svc().pending_authorization(inst, client_id, request_uri)
        except ProtocolError:
            return page(request, inst, 400, message=i18n.t("authorize.invalid", lang))
        return page(request, inst, 400 if error else 200, redirect_uri=row.redirect_uri, client_id=client_id,
                    request_uri=request_uri, document=_type_name(case.configuration_id, lang), error=error,
                    destination=_destination(row.redirect_uri))

    @app.get("/{path}/authorize", tags=["OpenID4VCI"], response_class=HTMLResponse)
    def authorize_page(path: str, request: Request) -> Response:
        inst = svc().institution(path)
        return show(request, inst, request.query_params.get("client_id"), request.query_params.get("request_uri"))

    @app.post("/{path}/authorize", tags=["OpenID4VCI"], response_class=HTMLResponse)
    async def authorize(path: str, request: Request) -> Response:
        inst = svc().institution(path)
        form = await read_form(request)
        if form is None:  # more fields or files than the page sends, or no form: its message, never JSON
            return show(request, inst, None, None)
        try:
            # RFC 6749 §3.1: a repeated tx_code must not spend one of the holder's tries on a guess.
            fields = single_valued((k, v) for k, v in form.multi_items() if isinstance(v, str))
        except ProtocolError:
            return show(request, inst, None, None)
        client_id, request_uri = fields.get("client_id"), fields.get("request_uri")
        try:
            if fields.get("action") == "cancel":
                target = svc().deny(inst, client_id, request_uri, "access_denied", "the person declined")
            else:
                target = svc().authorize(inst, client_id, request_uri, fields.get("tx_code", "")[:12])
        except ProtocolError as exc:
            if exc.error == "invalid_grant" and exc.message.startswith("wrong transaction code"):
                return show(request, inst, client_id, request_uri,
                            error=i18n.t("authorize.wrong_code", _page_lang(request)))
            # RFC 6749 §4.1.2.1: the server's own "try later" (an expired signer certificate: nothing was
            # spent) as such; a locked, used or expired offer as access_denied.
            error = "temporarily_unavailable" if exc.error == "temporarily_unavailable" else "access_denied"
            try:
                target = svc().deny(inst, client_id, request_uri, error, exc.message)
            except ProtocolError:  # no pushed request to answer: say so here
                return show(request, inst, client_id, request_uri)
        return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
