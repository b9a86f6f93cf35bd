"""The issuer's front door: ``/`` names the institutions this server hosts, with links to each
one's back office and credential issuer metadata (OpenID4VCI §12.2.2), so that whoever opens the
address ``esspass up`` prints is not left on a 404.

An HTML page (the back office's look and Content-Security-Policy: ``style-src 'self'``, no
script), in EN, LV, DE, FR and PL as the back office chooses (``?lang=``, cookie, Accept-Language);
with ``Accept: application/json`` the same list as JSON. ``/<institution>`` alone (its Credential
Issuer Identifier, which a person may type) sends the browser on to that institution's back office,
and so does ``/<institution>/``, by a relative address. The route matches only the paths of the
institutions hosted here: any other ``/<word>`` or ``/<word>/`` is the usual JSON 404 (were it
matched, Starlette would answer ``/<word>/`` with a redirect built from the request's Host header).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from credentials import i18n
from esspass.web import language_links, page_language
from issuer.office import SECURITY_HEADERS
from issuer.service import Institution, IssuerService

__all__ = ["metadata_url", "mount_home"]

HERE = Path(__file__).parent

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    "title": ("Credential issuer", "Dokumentu izdevējs", "Nachweis-Aussteller", "Émetteur d'attestations",
              "Wystawca poświadczeń"),
    "intro": ("This server issues digital documents for the institutions below. Clerks sign in to their "
              "institution's back office; wallets read each institution's credential issuer metadata.",
              "Šis serveris izdod digitālos dokumentus zemāk minētajām iestādēm. Darbinieki piesakās savas "
              "iestādes darba vidē; maki nolasa katras iestādes izdevēja metadatus.",
              "Dieser Server stellt digitale Dokumente für die folgenden Einrichtungen aus. Sachbearbeiter melden "
              "sich in der Sachbearbeitung ihrer Einrichtung an; Wallets lesen die Aussteller-Metadaten jeder "
              "Einrichtung.",
              "Ce serveur délivre des documents numériques pour les institutions ci-dessous. Les agents se "
              "connectent à l'espace agent de leur institution ; les portefeuilles lisent les métadonnées "
              "d'émetteur de chaque institution.",
              "Ten serwer wydaje dokumenty cyfrowe dla poniższych instytucji. Urzędnicy logują się do panelu "
              "swojej instytucji; portfele odczytują metadane wystawcy każdej instytucji."),
    "institution": ("Institution", "Iestāde", "Einrichtung", "Institution", "Instytucja"),
    "office": ("Back office", "Darba vide", "Sachbearbeitung", "Espace agent", "Panel urzędnika"),
    "metadata": ("Issuer metadata", "Izdevēja metadati", "Aussteller-Metadaten", "Métadonnées d'émetteur",
                 "Metadane wystawcy"),
    "approval": ("a second clerk approves each document", "katru dokumentu apstiprina otrs darbinieks",
                 "ein zweiter Sachbearbeiter genehmigt jedes Dokument", "un second agent approuve chaque document",
                 "każdy dokument zatwierdza drugi urzędnik"),
    "none": ("This issuer hosts no institution.", "Šis izdevējs neapkalpo nevienu iestādi.",
             "Dieser Aussteller betreut keine Einrichtung.", "Cet émetteur n'héberge aucune institution.",
             "Ten wystawca nie obsługuje żadnej instytucji."),
    "language": ("Language", "Valoda", "Sprache", "Langue", "Język"),
    "skip": ("Skip to main content", "Pāriet uz galveno saturu", "Zum Hauptinhalt springen",
             "Aller au contenu principal", "Przejdź do treści głównej"),
}
i18n.register({f"issuer_home.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _T.items()})


def metadata_url(issuer_url: str) -> str:
    """Where a wallet reads the metadata of the Credential Issuer Identifier ``issuer_url``:
    ``/.well-known/openid-credential-issuer`` inserted before its path (OpenID4VCI §12.2.2)."""
    parts = urlsplit(issuer_url)
    return urlunsplit((parts.scheme, parts.netloc, "/.well-known/openid-credential-issuer" + parts.path, "", ""))


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return "application/json" in accept and "text/html" not in accept


def _entry(service: IssuerService, inst: Institution) -> dict[str, Any]:
    """One hosted institution, with the configurations it issues now: not those the issuers list held
    refuses it (:meth:`issuer.service.IssuerService.issued_configurations`), as its metadata says."""
    return {"id": inst.entity.id, "name": inst.entity.name, "name_en": inst.entity.name_en,
            "country": inst.entity.country, "credential_issuer": inst.issuer_url,
            "credential_issuer_metadata": metadata_url(inst.issuer_url), "back_office": f"{inst.issuer_url}/office",
            "credential_configurations": service.issued_configurations(inst), "approval": inst.approval_required}


def mount_home(app: FastAPI, holder: dict[str, Any]) -> None:
    """Add ``/`` and ``/{institution}``; ``holder["service"]`` is the running issuer's service.
    Mounted last: every other route of the issuer is matched first."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    template = env.get_template("home.html")

    def hosted() -> list[Institution]:
        service: IssuerService = holder["service"]
        return sorted(service.institutions.values(), key=lambda i: i.entity.id)

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        institutions = hosted()
        if _wants_json(request):
            return JSONResponse({"institutions": [_entry(holder["service"], i) for i in institutions]},
                                headers={"Vary": "Accept"})
        lang = page_language(request)
        html = template.render(lang=lang, languages=i18n.LANGUAGES, lang_links=language_links(request),
                               institutions=institutions,
                               metadata_path=lambda inst: urlsplit(metadata_url(inst.issuer_url)).path,
                               office_path=lambda inst: urlsplit(inst.issuer_url).path + "/office",
                               t=i18n.translator("issuer_home", lang))
        # No form here, so no script either: the back office's policy without its script-src.
        policy = SECURITY_HEADERS["Content-Security-Policy"].replace("script-src 'self'; ", "")
        response = HTMLResponse(html, headers={**SECURITY_HEADERS, "Content-Security-Policy": policy,
                                               "Vary": "Accept, Accept-Language, Cookie"})
        if request.query_params.get("lang") in i18n.LANGUAGES:
            response.set_cookie("lang", lang, samesite="strict", httponly=True, max_age=365 * 86400)
        return response

    class InstitutionRoute(APIRoute):
        """A route of ``/{path}`` that matches only a hosted institution's path (none before startup)."""

        def matches(self, scope: Scope) -> tuple[Match, Scope]:
            match, child = super().matches(scope)
            service: IssuerService | None = holder.get("service")
            if match != Match.NONE and (service is None or child["path_params"].get("path") not in
                                        service.institutions):
                return Match.NONE, {}
            return match, child

    def institution(request: Request, path: str) -> Response:
        query = f"?lang={request.query_params['lang']}" if request.query_params.get("lang") in i18n.LANGUAGES else ""
        return RedirectResponse(f"/{path}/office{query}", status_code=303)

    for route in ("/{path}", "/{path}/"):
        app.router.add_api_route(route, institution, methods=["GET"], include_in_schema=False,
                                 route_class_override=InstitutionRoute)
