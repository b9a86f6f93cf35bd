"""The clerk's back office as server-rendered pages, in EN, LV, DE, FR and PL (issue #4).

Same operations as the JSON API, through :class:`issuer.service.IssuerService`: sign in with the
institution's clerk token (kept in an HttpOnly, SameSite=Strict cookie), list cases, create a
PDA1 / EHIC / PID case from a form (the credential model's field and rule shown next to the
field), hand over an offer (QR, link, one-time code shown once), revoke / suspend / reinstate
with a reason, import a CSV. Every form carries a CSRF token bound to the session cookie.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from pathlib import Path
from typing import Any

import segno
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from credentials import i18n, pda1
from credentials.errors import CredentialError, DataError
from issuer.service import CREDENTIAL_TYPES, Institution, IssuerService, import_rows, unflatten

__all__ = ["mount_office"]

HERE = Path(__file__).parent
COOKIE = "esspass_clerk"

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    "title": ("Back office", "Darba vide", "Sachbearbeitung", "Espace agent", "Panel urzędnika"),
    "login": ("Sign in", "Pieteikties", "Anmelden", "Se connecter", "Zaloguj się"),
    "token": ("Clerk token", "Darbinieka pilnvara", "Token der Sachbearbeitung", "Jeton de l'agent",
              "Token urzędnika"),
    "bad_token": ("This token is not valid for this institution.", "Šī pilnvara nav derīga šai iestādei.",
                  "Dieser Token gilt nicht für diese Einrichtung.", "Ce jeton n'est pas valable pour cet organisme.",
                  "Ten token nie jest ważny dla tej instytucji."),
    "logout": ("Sign out", "Iziet", "Abmelden", "Se déconnecter", "Wyloguj"),
    "cases": ("Cases", "Lietas", "Fälle", "Dossiers", "Sprawy"),
    "new_case": ("New case", "Jauna lieta", "Neuer Fall", "Nouveau dossier", "Nowa sprawa"),
    "import": ("Import CSV", "Importēt CSV", "CSV importieren", "Importer un CSV", "Importuj CSV"),
    "document": ("Document", "Dokuments", "Dokument", "Document", "Dokument"),
    "type": ("Type", "Veids", "Art", "Type", "Rodzaj"),
    "state": ("State", "Stāvoklis", "Status", "État", "Stan"),
    "created": ("Created", "Izveidots", "Erstellt", "Créé", "Utworzono"),
    "credentials": ("Credentials issued", "Izsniegtie apliecinājumi", "Ausgestellte Nachweise",
                    "Attestations délivrées", "Wydane poświadczenia"),
    "active": ("active", "aktīvs", "aktiv", "actif", "aktywny"),
    "suspended": ("suspended", "apturēts", "ausgesetzt", "suspendu", "zawieszony"),
    "revoked": ("withdrawn", "atsaukts", "widerrufen", "retiré", "wycofany"),
    "create": ("Create", "Izveidot", "Anlegen", "Créer", "Utwórz"),
    "holder": ("Holder (printed in the offline QR code)", "Turētājs (bezsaistes QR kodā)",
               "Inhaber/in (im Offline-QR-Code)", "Titulaire (dans le code QR hors ligne)",
               "Posiadacz (w kodzie QR offline)"),
    "offer": ("Hand over to the wallet", "Nodot uz maku", "An die Wallet übergeben", "Remettre au portefeuille",
              "Przekaż do portfela"),
    "offer_help": ("The person scans this code with the wallet, or opens the link on the phone.",
                   "Persona noskenē šo kodu ar maku vai atver saiti tālrunī.",
                   "Die Person scannt diesen Code mit der Wallet oder öffnet den Link auf dem Telefon.",
                   "La personne scanne ce code avec son portefeuille ou ouvre le lien sur son téléphone.",
                   "Osoba skanuje ten kod portfelem lub otwiera link w telefonie."),
    "tx_code": ("One-time code: give it to the person separately (phone, letter). It is shown only once.",
                "Vienreizējais kods: nododiet to personai atsevišķi (tālrunis, vēstule). Tas tiek parādīts tikai "
                "vienreiz.",
                "Einmalcode: der Person getrennt mitteilen (Telefon, Brief). Er wird nur einmal angezeigt.",
                "Code à usage unique : à communiquer séparément (téléphone, courrier). Il n'est affiché qu'une fois.",
                "Kod jednorazowy: przekaż go osobie osobno (telefon, list). Jest wyświetlany tylko raz."),
    "revoke": ("Withdraw", "Atsaukt", "Widerrufen", "Retirer", "Wycofaj"),
    "suspend": ("Suspend", "Apturēt", "Aussetzen", "Suspendre", "Zawieś"),
    "reinstate": ("Reinstate", "Atjaunot", "Wieder in Kraft setzen", "Rétablir", "Przywróć"),
    "reason": ("Reason", "Iemesls", "Grund", "Motif", "Powód"),
    "history": ("History", "Vēsture", "Verlauf", "Historique", "Historia"),
    "paper": ("Paper copy (PDF)", "Papīra kopija (PDF)", "Papierausdruck (PDF)", "Copie papier (PDF)",
              "Kopia papierowa (PDF)"),
    "csv_help": ("One case per row; download the template to see the columns.",
                 "Viena lieta katrā rindā; lejupielādējiet veidni, lai redzētu kolonnas.",
                 "Ein Fall pro Zeile; laden Sie die Vorlage, um die Spalten zu sehen.",
                 "Un dossier par ligne ; téléchargez le modèle pour voir les colonnes.",
                 "Jedna sprawa w wierszu; pobierz szablon, aby zobaczyć kolumny."),
    "template": ("Template", "Veidne", "Vorlage", "Modèle", "Szablon"),
    "imported": ("{n} rows imported, {m} rejected.", "Importētas {n} rindas, noraidītas {m}.",
                 "{n} Zeilen importiert, {m} abgelehnt.", "{n} lignes importées, {m} rejetées.",
                 "Zaimportowano {n} wierszy, odrzucono {m}."),
    "row": ("Row", "Rinda", "Zeile", "Ligne", "Wiersz"),
    "error.form": ("The form expired; please try again.", "Veidlapa ir novecojusi; mēģiniet vēlreiz.",
                   "Das Formular ist abgelaufen; bitte erneut versuchen.", "Le formulaire a expiré ; réessayez.",
                   "Formularz wygasł; spróbuj ponownie."),
    "field.personal_administrative_number": ("Personal identification number", "Personas kods",
                                             "Persönliche Kennnummer", "Numéro d'identification personnel",
                                             "Osobisty numer identyfikacyjny"),
    "field.document_number": ("Document number", "Dokumenta numurs", "Dokumentnummer", "Numéro du document",
                              "Numer dokumentu"),
    "field.date_of_issuance": ("Date of issue", "Izdošanas datums", "Ausstellungsdatum", "Date de délivrance",
                               "Data wydania"),
    "field.date_of_expiry": ("Expiry date", "Derīguma termiņš", "Ablaufdatum", "Date d'expiration",
                             "Data ważności"),
    "field.starting_date": ("Period from", "Periods no", "Zeitraum von", "Période du", "Okres od"),
    "field.ending_date": ("Period until", "Periods līdz", "Zeitraum bis", "Période au", "Okres do"),
    "field.legislation_country": ("Legislation applicable (country)", "Piemērojamie tiesību akti (valsts)",
                                  "Anzuwendende Rechtsvorschriften (Staat)", "Législation applicable (pays)",
                                  "Właściwe ustawodawstwo (państwo)"),
    "field.status_confirmation": ("Situation", "Statuss", "Situation", "Situation", "Status"),
    "field.employer.id": ("Employer id", "Darba devēja kods", "Arbeitgeber-Kennung", "Identifiant de l'employeur",
                          "Identyfikator pracodawcy"),
    "field.employer.name": ("Employer name", "Darba devēja nosaukums", "Name des Arbeitgebers",
                            "Nom de l'employeur", "Nazwa pracodawcy"),
    "field.employer.country": ("Employer country", "Darba devēja valsts", "Staat des Arbeitgebers",
                               "Pays de l'employeur", "Państwo pracodawcy"),
    "field.work_address.locality": ("Place of work (town)", "Darba vieta (pilsēta)", "Arbeitsort (Ort)",
                                    "Lieu de travail (ville)", "Miejsce pracy (miejscowość)"),
    "field.work_address.country": ("Place of work (country)", "Darba vieta (valsts)", "Arbeitsort (Staat)",
                                   "Lieu de travail (pays)", "Miejsce pracy (państwo)"),
    "field.family_name": ("Family name", "Uzvārds", "Familienname", "Nom", "Nazwisko"),
    "field.given_name": ("Given names", "Vārds", "Vornamen", "Prénoms", "Imiona"),
    "field.birthdate": ("Date of birth", "Dzimšanas datums", "Geburtsdatum", "Date de naissance", "Data urodzenia"),
    "field.nationalities[]": ("Nationality", "Pilsonība", "Staatsangehörigkeit", "Nationalité", "Obywatelstwo"),
}
i18n.register({f"office.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _T.items()})

_COMMON = ("personal_administrative_number", "document_number", "date_of_issuance")
FIELDS: dict[str, tuple[str, ...]] = {
    "pda1": (*_COMMON, "starting_date", "ending_date", "legislation_country", "status_confirmation", "employer.id",
             "employer.name", "employer.country", "work_address.locality", "work_address.country"),
    "ehic": (*_COMMON, "date_of_expiry"),
    "pid": ("family_name", "given_name", "birthdate", "nationalities[]"),
}
_HOLDER = ("family_name", "given_name", "birthdate")
_DATES = {"date_of_issuance", "date_of_expiry", "starting_date", "ending_date", "birthdate"}


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    return lang if lang in i18n.LANGUAGES else i18n.negotiate(request.headers.get("accept-language"))


def mount_office(app: FastAPI, holder: dict[str, Any]) -> None:
    """Add the back office pages under ``/{path}/office``; ``holder`` has the service and clerk tokens."""
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    secret = secrets.token_bytes(32)  # CSRF key for this process; created when the app is built
    app.mount("/office-static", StaticFiles(directory=str(HERE / "static")), name="office-static")

    def svc() -> IssuerService:
        result: IssuerService = holder["service"]
        return result

    def csrf_for(token: str) -> str:
        return hmac.new(secret, token.encode(), hashlib.sha256).hexdigest()

    def signed_in(request: Request, path: str) -> tuple[Institution, str] | Response:
        inst = svc().institution(path)
        token = request.cookies.get(COOKIE)
        entity = holder["tokens"].get(token) if token else None
        if entity is None:
            return RedirectResponse(f"/{path}/office/login?lang={_lang(request)}", status_code=303)
        if entity != inst.entity.id:
            return page(request, path, "office/error.html", status_code=403, message=_t(request, "bad_token"))
        return inst, str(token)

    def _t(request: Request, key: str, **kw: Any) -> str:
        return i18n.t(f"office.{key}", _lang(request), **kw)

    def page(request: Request, path: str, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        lang = _lang(request)
        token = request.cookies.get(COOKIE) or ""
        inst = svc().institutions.get(path)
        response = templates.TemplateResponse(request, name, {
            "lang": lang, "languages": i18n.LANGUAGES, "path": path, "inst": inst,
            "t": lambda key, **kw: i18n.t(f"office.{key}", lang, **kw), "csrf": csrf_for(token), **context,
        }, status_code=status_code, headers={"Cache-Control": "no-store"})
        response.set_cookie("lang", lang, samesite="strict", httponly=True)
        return response

    async def form_of(request: Request, token: str) -> dict[str, Any] | None:
        form = await request.form()
        if not hmac.compare_digest(str(form.get("csrf", "")), csrf_for(token)):
            return None
        return dict(form)

    @app.get("/{path}/office/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, path: str) -> HTMLResponse:
        svc().institution(path)
        return page(request, path, "office/login.html")

    @app.post("/{path}/office/login", include_in_schema=False)
    async def login(request: Request, path: str) -> Response:
        inst = svc().institution(path)
        token = str((await request.form()).get("token", "")).strip()
        if holder["tokens"].get(token) != inst.entity.id:
            return page(request, path, "office/login.html", status_code=401, error=_t(request, "bad_token"))
        response = RedirectResponse(f"/{path}/office?lang={_lang(request)}", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path=f"/{path}")
        return response

    @app.post("/{path}/office/logout", include_in_schema=False)
    def logout(path: str) -> Response:
        response = RedirectResponse(f"/{path}/office/login", status_code=303)
        response.delete_cookie(COOKIE, path=f"/{path}")
        return response

    @app.get("/{path}/office", response_class=HTMLResponse, include_in_schema=False)
    def cases(request: Request, path: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        return page(request, path, "office/cases.html", cases=svc().list_cases(who[0]))

    @app.get("/{path}/office/new/{config}", response_class=HTMLResponse, include_in_schema=False)
    def new_case(request: Request, path: str, config: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        if config not in who[0].configurations:
            return RedirectResponse(f"/{path}/office", status_code=303)
        return page(request, path, "office/new.html", config=config, fields=FIELDS[config], values={},
                    holder_fields=_HOLDER if config != "pid" else (), dates=_DATES, codes=_codes(request))

    @app.post("/{path}/office/new/{config}", include_in_schema=False)
    async def create_case(request: Request, path: str, config: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        inst, token = who
        form = await form_of(request, token)
        if form is None:
            return page(request, path, "office/error.html", status_code=403, message=_t(request, "error.form"))
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        claims = unflatten({k: values.get(k) for k in FIELDS.get(config, ())})
        if config != "pid":
            entity = inst.entity
            authority = {"id": entity.id, "name": entity.name, "country": entity.country}
            claims.update(issuing_authority=authority, issuing_country=entity.country,
                          authentic_source={"id": entity.id, "name": entity.name})
        person = {k: values[f"holder.{k}"] for k in _HOLDER if values.get(f"holder.{k}")}
        try:
            case = svc().create_case(inst, config, claims, actor=f"clerk:{inst.entity.id}", holder=person or None)
        except DataError as exc:
            return page(request, path, "office/new.html", status_code=400, config=config, fields=FIELDS[config],
                        values=values, holder_fields=_HOLDER if config != "pid" else (), dates=_DATES,
                        codes=_codes(request), error_field=exc.field, error_rule=exc.rule)
        return RedirectResponse(f"/{path}/office/cases/{case.id}?lang={_lang(request)}", status_code=303)

    @app.get("/{path}/office/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    def case_page(request: Request, path: str, case_id: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        return page(request, path, "office/case.html", case=svc().get_case(who[0], case_id))

    @app.post("/{path}/office/cases/{case_id}/{action}", include_in_schema=False)
    async def case_action(request: Request, path: str, case_id: str, action: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        inst, token = who
        form = await form_of(request, token)
        if form is None:
            return page(request, path, "office/error.html", status_code=403, message=_t(request, "error.form"))
        try:
            if action == "offer":
                issued = svc().create_offer(inst, case_id, actor=f"clerk:{inst.entity.id}")
                buf = io.BytesIO()
                segno.make_qr(issued.link, error="m").save(buf, kind="svg", scale=5, border=4, xmldecl=False)
                return page(request, path, "office/case.html", case=svc().get_case(inst, case_id), offer=issued,
                            qr=buf.getvalue().decode())
            states = {"revoke": "revoked", "suspend": "suspended", "reinstate": "active"}
            if action not in states:
                return RedirectResponse(f"/{path}/office/cases/{case_id}", status_code=303)
            svc().set_state(inst, case_id, states[action], reason=str(form.get("reason", "")),
                            actor=f"clerk:{inst.entity.id}")
        except CredentialError as exc:
            return page(request, path, "office/case.html", status_code=400, case=svc().get_case(inst, case_id),
                        error=exc.message)
        return RedirectResponse(f"/{path}/office/cases/{case_id}?lang={_lang(request)}", status_code=303)

    @app.get("/{path}/office/import", response_class=HTMLResponse, include_in_schema=False)
    def import_page(request: Request, path: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        return page(request, path, "office/import.html", report=None)

    @app.post("/{path}/office/import", include_in_schema=False)
    async def import_upload(request: Request, path: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        inst, token = who
        form = await request.form()
        if not hmac.compare_digest(str(form.get("csrf", "")), csrf_for(token)):
            return page(request, path, "office/error.html", status_code=403, message=_t(request, "error.form"))
        upload = form.get("file")
        data = await upload.read(2 * 1024 * 1024) if upload is not None and not isinstance(upload, str) else b""
        try:
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        except UnicodeDecodeError:
            rows = []
        report = import_rows(svc(), inst, rows[:5000], actor=f"clerk:{inst.entity.id}")
        return page(request, path, "office/import.html", report=report,
                    imported=sum(1 for r in report if r["ok"]), rejected=sum(1 for r in report if not r["ok"]))


def _codes(request: Request) -> list[tuple[str, str]]:
    index = i18n.LANGUAGES.index(_lang(request))
    return [(code, f"{code} {words[index]}") for code, words in pda1.STATUS_CODES.items()]


assert set(FIELDS) == set(CREDENTIAL_TYPES)
