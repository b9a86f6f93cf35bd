"""The clerk's back office as server-rendered pages, in EN, LV, DE, FR and PL (issue #4).

Same operations as the JSON API in :mod:`issuer.app`, through :class:`issuer.service.IssuerService`:
sign in with the institution's clerk token (kept in an HttpOnly, SameSite=Strict cookie), list
cases, find one by number, name or employer (posted, the pages of its results too: a personal number
or name typed in is in no URL, so in no browser history, proxy log or bookmark), create a PDA1 /
EHIC / PID case from a form (the credential model's field and rule shown next to the field; a
PDA1's employers and places of work a row each, in the DC4EU shape that holds them), hand
over an offer (QR code, link, one-time code shown once), print the paper copy, revoke / suspend /
reinstate with a reason, import a CSV file.

Every POST needs the session cookie *and* a CSRF token in a hidden field: the HMAC of the cookie
value under a random key made when the app is built (:func:`mount_office`), so it is never
guessable from outside and changes with every restart.

Languages: ``?lang=`` (remembered in a ``lang`` cookie), else the cookie, else Accept-Language;
the strings are registered in :mod:`credentials.i18n` under ``office.*``. A rule a form, a file or
an action breaks is said in that language too (:func:`rule_text`), by the key its error carries: a
document model's DataError (``credentials.claims.RULE_TEXTS``), the issuer's own DataErrors and
refusals (:mod:`issuer.rules`, a ProtocolError's ``key``), an import report's row (``rule_key``); a
field by its label. An error without a key is shown as the issuer words it.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

import jinja2
import segno
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from credentials import ehic, i18n, pda1
from credentials.claims import RULE_TEXTS, invalid, person_problems
from credentials.countries import COUNTRIES
from credentials.errors import CredentialError, DataError, ProtocolError, SignerUnavailableError
from esspass.signin_sessions import SignInSessions, token_hash
from esspass.signin_sessions import csrf_ok as session_csrf_ok
from esspass.throttle import SignInThrottle, retry_after
from esspass.web import language_links, page_language, read_form
from issuer import import_templates
from issuer.db import OfficeSession, file_digest
from issuer.rules import POSTING_STATUSES, refusal
from issuer.service import (
    CREDENTIAL_TYPES,
    FINAL_STATES,
    FourEyes,
    ImportRepeated,
    Institution,
    IssuerService,
    NumberTaken,
    SameFile,
    holder_min_age,
    import_once,
    new_document_number,
    unflatten,
)
from issuer.settings import IssuerSettings, clerk_institution, clerk_name

__all__ = ["COOKIE", "FIELDS", "MAX_ROWS", "MAX_UPLOAD", "CsvRows", "mount_office", "read_csv", "refuse_nul",
           "rule_text"]

HERE = Path(__file__).parent
log = logging.getLogger("esspass.issuer")
COOKIE = "esspass_clerk"
PAGE_SIZE = 50
_MIB = 1024 * 1024
#: The CSV file itself; the request body around it may be larger (3 MiB, issuer.app: the multipart
#: envelope), so that a file at the limit is refused with these words, not a bare 413.
MAX_UPLOAD = 2 * _MIB
MAX_ROWS = 5000
#: The import form's one-time id (:func:`mount_office` ``import_form``: ``secrets.token_urlsafe(24)``).
_IMPORT_ID = re.compile(r"[A-Za-z0-9_-]{32}")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    # script-src 'self': the one script the back office and authorize pages load, shared by the services
    # (esspass/static/language-switch.js: what was typed survives a change of language); nothing inline.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    "title": ("Back office", "Darba vide", "Sachbearbeitung", "Espace agent", "Panel urzędnika"),
    "language": ("Language", "Valoda", "Sprache", "Langue", "Język"),
    "skip": ("Skip to main content", "Pāriet uz galveno saturu", "Zum Hauptinhalt springen",
             "Aller au contenu principal", "Przejdź do treści głównej"),
    "login": ("Sign in", "Pieteikties", "Anmelden", "Se connecter", "Zaloguj się"),
    "token": ("Clerk token", "Darbinieka pilnvara", "Token der Sachbearbeitung", "Jeton de l'agent",
              "Token urzędnika"),
    "token_help": ("Paste the clerk token of your institution.", "Ielīmējiet savas iestādes darbinieka pilnvaru.",
                   "Fügen Sie den Token Ihrer Einrichtung ein.", "Collez le jeton d'agent de votre organisme.",
                   "Wklej token urzędnika swojej instytucji."),
    "bad_token": ("This token is not valid for this institution.", "Šī pilnvara nav derīga šai iestādei.",
                  "Dieser Token gilt nicht für diese Einrichtung.", "Ce jeton n'est pas valable pour cet organisme.",
                  "Ten token nie jest ważny dla tej instytucji."),
    "other_institution": ("You are signed in for another institution. Sign in with this institution's token.",
                          "Jūs esat pieteicies citas iestādes vārdā. Piesakieties ar šīs iestādes pilnvaru.",
                          "Sie sind für eine andere Einrichtung angemeldet. Melden Sie sich mit dem Token dieser "
                          "Einrichtung an.",
                          "Vous êtes connecté pour un autre organisme. Connectez-vous avec le jeton de cet organisme.",
                          "Jesteś zalogowany dla innej instytucji. Zaloguj się tokenem tej instytucji."),
    "logout": ("Sign out", "Iziet", "Abmelden", "Se déconnecter", "Wyloguj"),
    "cases": ("Cases", "Lietas", "Fälle", "Dossiers", "Sprawy"),
    "no_cases": ("No cases yet.", "Vēl nav nevienas lietas.", "Noch keine Fälle.", "Aucun dossier pour l'instant.",
                 "Brak spraw."),
    "find": ("Find", "Meklēt", "Suchen", "Rechercher", "Szukaj"),
    "find_help": ("Document or personal number, name or employer", "Dokumenta vai personas kods, vārds vai darba "
                  "devējs", "Dokument- oder Personennummer, Name oder Arbeitgeber",
                  "Numéro de document ou personnel, nom ou employeur",
                  "Numer dokumentu lub osobisty, nazwisko lub pracodawca"),
    "no_match": ("No case matches “{query}”.", "Neviena lieta neatbilst “{query}”.", "Kein Fall passt zu „{query}“.",
                 "Aucun dossier ne correspond à « {query} ».", "Żadna sprawa nie pasuje do „{query}”."),
    "show_all": ("Show all cases", "Rādīt visas lietas", "Alle Fälle zeigen", "Afficher tous les dossiers",
                 "Pokaż wszystkie sprawy"),
    "previous": ("Previous", "Iepriekšējās", "Zurück", "Précédents", "Poprzednie"),
    "next": ("Next", "Nākamās", "Weiter", "Suivants", "Następne"),
    "new_case": ("New case", "Jauna lieta", "Neuer Fall", "Nouveau dossier", "Nowa sprawa"),
    "choose_type": ("What do you want to issue?", "Ko vēlaties izsniegt?", "Was möchten Sie ausstellen?",
                    "Que souhaitez-vous délivrer ?", "Co chcesz wydać?"),
    "import": ("Import CSV", "Importēt CSV", "CSV importieren", "Importer un CSV", "Importuj CSV"),
    "document": ("Document", "Dokuments", "Dokument", "Document", "Dokument"),
    "type": ("Type", "Veids", "Art", "Type", "Rodzaj"),
    "state": ("State", "Stāvoklis", "Status", "État", "Stan"),
    "created": ("Created", "Izveidots", "Erstellt", "Créé", "Utworzono"),
    "credentials": ("Credentials issued", "Izsniegtie apliecinājumi", "Ausgestellte Nachweise",
                    "Attestations délivrées", "Wydane poświadczenia"),
    "no_credentials": ("The person has not collected the credential yet.", "Persona vēl nav saņēmusi apliecinājumu.",
                       "Die Person hat den Nachweis noch nicht abgeholt.",
                       "La personne n'a pas encore récupéré l'attestation.",
                       "Osoba nie odebrała jeszcze poświadczenia."),
    "active": ("active", "aktīvs", "aktiv", "actif", "aktywny"),
    "suspended": ("suspended", "apturēts", "ausgesetzt", "suspendu", "zawieszony"),
    "revoked": ("withdrawn", "atsaukts", "widerrufen", "retiré", "wycofany"),
    "replaced": ("replaced", "aizstāts", "ersetzt", "remplacé", "zastąpiony"),
    "create": ("Create", "Izveidot", "Anlegen", "Créer", "Utwórz"),
    "issued_by": ("Issued by", "Izdevējs", "Ausgestellt von", "Délivré par", "Wydane przez"),
    "choose": ("— choose —", "— izvēlieties —", "— bitte wählen —", "— choisir —", "— wybierz —"),
    "optional": ("optional", "nav obligāts", "freiwillig", "facultatif", "opcjonalne"),
    "hint.country": ("Two-letter code, e.g. LV", "Divu burtu kods, piem., LV", "Zweistelliger Code, z. B. LV",
                     "Code à deux lettres, p. ex. LV", "Kod dwuliterowy, np. LV"),
    "hint.countries": ("Two-letter codes separated by ; (e.g. LV;DE)", "Divu burtu kodi, atdalīti ar ; (piem., LV;DE)",
                       "Zweistellige Codes, getrennt durch ; (z. B. LV;DE)",
                       "Codes à deux lettres séparés par ; (p. ex. LV;DE)",
                       "Kody dwuliterowe oddzielone ; (np. LV;DE)"),
    "group.document": ("Document", "Dokuments", "Dokument", "Document", "Dokument"),
    "group.period": ("Period and legislation", "Periods un tiesību akti", "Zeitraum und Rechtsvorschriften",
                     "Période et législation", "Okres i ustawodawstwo"),
    "group.employer": ("Employer", "Darba devējs", "Arbeitgeber", "Employeur", "Pracodawca"),
    "group.work": ("Place of work", "Darba vieta", "Arbeitsort", "Lieu de travail", "Miejsce pracy"),
    "group.prc": ("Only for a provisional replacement certificate", "Tikai EVAK aizvietojošajam sertifikātam",
                  "Nur für eine provisorische Ersatzbescheinigung",
                  "Uniquement pour un certificat provisoire de remplacement",
                  "Tylko dla certyfikatu tymczasowo zastępującego kartę"),
    # The person the document is for: an A1's paper copy and its QR code print them.
    "group.holder": ("Holder: section 1 (required; signed into the A1 and printed on its paper copy)",
                     "Turētājs: 1. iedaļa (obligāti; ierakstīts A1 un izdrukāts papīra kopijā)",
                     "Inhaber/in: Abschnitt 1 (Pflichtangabe; in der A1 signiert und auf dem Papierausdruck)",
                     "Titulaire : section 1 (obligatoire ; signé dans l'A1 et imprimé sur la copie papier)",
                     "Posiadacz: sekcja 1 (wymagane; podpisane w A1 i drukowane na kopii papierowej)"),
    # An EHIC's: Decision S2 card fields 3-5, signed into every card of the holder's own
    # (IssuerService._offer_refused: no card without them); a child's card names the child instead.
    "group.cardholder": ("Insured person: card fields 3–5 (required; for a child's card, give the represented "
                         "person below instead)",
                         "Apdrošinātā persona: kartes 3.–5. lauks (obligāti; bērna kartei tā vietā norādiet "
                         "pārstāvēto personu zemāk)",
                         "Versicherte Person: Felder 3–5 der Karte (erforderlich; für die Karte eines Kindes "
                         "stattdessen unten die vertretene Person angeben)",
                         "Personne assurée : champs 3 à 5 de la carte (obligatoires ; pour la carte d'un enfant, "
                         "indiquez plutôt la personne représentée ci-dessous)",
                         "Osoba ubezpieczona: pola 3–5 karty (wymagane; w przypadku karty dziecka podaj zamiast "
                         "tego osobę reprezentowaną poniżej)"),
    "group.subject": ("Represented person (only if the card is for someone else, e.g. a child: then all three are "
                      "required, and the card names this person)",
                      "Pārstāvētā persona (tikai ja karte ir citai personai, piem., bērnam: tad visi trīs lauki ir "
                      "obligāti, un karte nosauc šo personu)",
                      "Vertretene Person (nur wenn die Karte für eine andere Person ist, z. B. ein Kind: dann sind "
                      "alle drei Felder erforderlich, und die Karte nennt diese Person)",
                      "Personne représentée (seulement si la carte est pour une autre personne, p. ex. un enfant : "
                      "les trois champs sont alors obligatoires, et la carte nomme cette personne)",
                      "Osoba reprezentowana (tylko gdy karta jest dla innej osoby, np. dziecka: wtedy wszystkie trzy "
                      "pola są wymagane, a karta wskazuje tę osobę)"),
    # The case page: whom the document names (an EHIC's fields 3-5: its holder's, or a child's).
    "person": ("Person on the document", "Persona dokumentā", "Person auf dem Dokument", "Personne sur le document",
               "Osoba w dokumencie"),
    "offer_refused": ("Not handed over to a wallet: {rule}.", "Netiek nodots makam: {rule}.",
                      "Keine Übergabe an eine Wallet: {rule}.", "Pas de remise au portefeuille : {rule}.",
                      "Brak przekazania do portfela: {rule}."),
    "group.person": ("Person", "Persona", "Person", "Personne", "Osoba"),
    "group.birth": ("Place of birth", "Dzimšanas vieta", "Geburtsort", "Lieu de naissance", "Miejsce urodzenia"),
    "offer": ("Hand over to the wallet", "Nodot uz maku", "An die Wallet übergeben", "Remettre au portefeuille",
              "Przekaż do portfela"),
    "offer_help": ("The person scans this code with the wallet, or opens the link on the phone.",
                   "Persona noskenē šo kodu ar maku vai atver saiti tālrunī.",
                   "Die Person scannt diesen Code mit der Wallet oder öffnet den Link auf dem Telefon.",
                   "La personne scanne ce code avec son portefeuille ou ouvre le lien sur son téléphone.",
                   "Osoba skanuje ten kod portfelem lub otwiera link w telefonie."),
    "offer_expires": ("The offer can be used until {time} (UTC).", "Piedāvājumu var izmantot līdz {time} (UTC).",
                      "Das Angebot gilt bis {time} (UTC).", "L'offre est valable jusqu'à {time} (UTC).",
                      "Oferta jest ważna do {time} (UTC)."),
    "qr_label": ("QR code of the credential offer", "Apliecinājuma piedāvājuma QR kods",
                 "QR-Code des Nachweisangebots", "Code QR de l'offre d'attestation", "Kod QR oferty poświadczenia"),
    "link": ("Link for the phone", "Saite tālrunim", "Link für das Telefon", "Lien pour le téléphone",
             "Link dla telefonu"),
    "tx_code_label": ("One-time code", "Vienreizējais kods", "Einmalcode", "Code à usage unique", "Kod jednorazowy"),
    "tx_code": ("Give this code to the person separately (by phone or letter, not with the QR code). "
                "It is shown only once.",
                "Nododiet šo kodu personai atsevišķi (pa tālruni vai vēstulē, ne kopā ar QR kodu). "
                "Tas tiek parādīts tikai vienreiz.",
                "Teilen Sie diesen Code der Person getrennt mit (telefonisch oder per Brief, nicht mit dem "
                "QR-Code). Er wird nur einmal angezeigt.",
                "Communiquez ce code à la personne séparément (par téléphone ou courrier, pas avec le code QR). "
                "Il n'est affiché qu'une fois.",
                "Przekaż ten kod osobie osobno (telefonicznie lub listownie, nie razem z kodem QR). "
                "Jest wyświetlany tylko raz."),
    # The page reached by a reload or a language link of the page that showed an offer (case_action_get):
    # the code is kept only as a MAC, so it cannot be shown again; a new offer replaces the one shown.
    "offer_gone": ("The one-time code was shown only once, with the offer, and cannot be shown again. If the person "
                   "does not have it, hand the document over to the wallet again: the new offer replaces the one "
                   "shown.",
                   "Vienreizējais kods tika parādīts tikai vienreiz, kopā ar piedāvājumu, un to nevar parādīt vēlreiz. "
                   "Ja personai tā nav, nododiet dokumentu uz maku vēlreiz: jaunais piedāvājums aizstāj parādīto.",
                   "Der Einmalcode wurde nur einmal, mit dem Angebot, angezeigt und kann nicht erneut angezeigt "
                   "werden. Hat die Person ihn nicht, übergeben Sie das Dokument erneut an die Wallet: Das neue "
                   "Angebot ersetzt das angezeigte.",
                   "Le code à usage unique n'a été affiché qu'une fois, avec l'offre, et ne peut pas l'être à nouveau. "
                   "Si la personne ne l'a pas, remettez de nouveau le document au portefeuille : la nouvelle offre "
                   "remplace celle qui a été affichée.",
                   "Kod jednorazowy został wyświetlony tylko raz, razem z ofertą, i nie można go wyświetlić ponownie. "
                   "Jeśli osoba go nie ma, przekaż dokument do portfela ponownie: nowa oferta zastępuje wyświetloną."),
    "offer_leave": ("Leaving this page, reloading it or changing its language hides the code for good.",
                    "Aizejot no šīs lapas, to pārlādējot vai mainot tās valodu, kods tiek paslēpts pavisam.",
                    "Wenn Sie diese Seite verlassen, neu laden oder ihre Sprache wechseln, ist der Code endgültig "
                    "ausgeblendet.",
                    "Quitter cette page, la recharger ou en changer la langue masque le code définitivement.",
                    "Opuszczenie tej strony, jej odświeżenie lub zmiana języka ukrywa kod na stałe."),
    "back": ("Back to the case", "Atpakaļ uz lietu", "Zurück zum Fall", "Retour au dossier", "Powrót do sprawy"),
    "revoke": ("Withdraw", "Atsaukt", "Widerrufen", "Retirer", "Wycofaj"),
    "suspend": ("Suspend", "Apturēt", "Aussetzen", "Suspendre", "Zawieś"),
    "reinstate": ("Reinstate", "Atjaunot", "Wieder in Kraft setzen", "Rétablir", "Przywróć"),
    # 987/2009 Art. 5: a withdrawal undoes the document from its start, for a wrong decision; an A1 whose
    # activity ended early is replaced with the shorter period, so the months worked stay covered.
    "revoke_help": ("Withdrawing is final: the document is void from its first day (a wrong decision). If an A1's "
                    "activity ended early, replace it with the shorter period instead: the months worked stay covered.",
                    "Atsaukšana ir galīga: dokuments nav spēkā no tā pirmās dienas (kļūdains lēmums). Ja A1 darbība "
                    "beidzās agrāk, aizstājiet to ar īsāku periodu: nostrādātie mēneši paliek segti.",
                    "Der Widerruf ist endgültig: das Dokument gilt von seinem ersten Tag an nicht (falsche "
                    "Entscheidung). Endete die Tätigkeit einer A1 früher, ersetzen Sie sie durch den kürzeren "
                    "Zeitraum: die gearbeiteten Monate bleiben abgedeckt.",
                    "Le retrait est définitif : le document est nul dès son premier jour (décision erronée). Si "
                    "l'activité d'un A1 a pris fin plus tôt, remplacez-le par la période plus courte : les mois "
                    "travaillés restent couverts.",
                    "Wycofanie jest ostateczne: dokument jest nieważny od pierwszego dnia (błędna decyzja). Jeśli "
                    "działalność objęta A1 zakończyła się wcześniej, zastąp go krótszym okresem: przepracowane "
                    "miesiące pozostają objęte."),
    # A PRC's (guide.ehic_prc below): a withdrawal fails it for its whole period; ended early, it is replaced.
    "revoke_help.ehic_prc": ("Withdrawing is final: from now on the certificate fails every check, for any date of "
                             "care, the days of its period included (a desk cannot tell when it was withdrawn): for a "
                             "certificate that should never have been issued. If the insurance ended earlier, replace "
                             "it with the shorter period instead: the days insured stay certified.",
                             "Atsaukšana ir galīga: no šī brīža sertifikāts neiztur nevienu pārbaudi nevienam aprūpes "
                             "datumam, arī tā perioda dienām (iestāde nevar noteikt, kad tas atsaukts): tikai "
                             "sertifikātam, kuru nevajadzēja izsniegt. Ja apdrošināšana beidzās agrāk, tā vietā "
                             "aizstājiet to ar īsāku periodu: apdrošinātās dienas paliek apliecinātas.",
                             "Der Widerruf ist endgültig: Ab jetzt besteht die Bescheinigung keine Prüfung mehr, für "
                             "kein Behandlungsdatum, auch nicht für die Tage ihres Zeitraums (eine Stelle kann nicht "
                             "erkennen, wann er erfolgte): nur für eine Bescheinigung, die nie hätte ausgestellt "
                             "werden dürfen. Endete die Versicherung früher, ersetzen Sie sie stattdessen durch den "
                             "kürzeren Zeitraum: Die versicherten Tage bleiben bescheinigt.",
                             "Le retrait est définitif : désormais le certificat échoue à toute vérification, pour "
                             "toute date des soins, y compris les jours de sa période (un service ne peut pas savoir "
                             "quand il a été retiré) : seulement pour un certificat qui n'aurait jamais dû être "
                             "délivré. Si l'assurance a pris fin plus tôt, remplacez-le plutôt par la période plus "
                             "courte : les jours assurés restent certifiés.",
                             "Wycofanie jest ostateczne: od teraz certyfikat nie przechodzi żadnej kontroli, na żaden "
                             "dzień świadczenia, także z jego okresu (placówka nie może ustalić, kiedy go wycofano): "
                             "tylko dla certyfikatu, którego nie należało wydać. Jeśli ubezpieczenie zakończyło się "
                             "wcześniej, zastąp go zamiast tego krótszym okresem: dni ubezpieczenia pozostają "
                             "poświadczone."),
    # An EHIC's: fail closed at every desk, for any date of care (a verifier cannot date a withdrawal from the
    # status list), so care given while the person was insured is certified by a PRC for those days
    # (Decision S1; credentials/ehic.py), never by keeping a card valid that the insurance no longer backs.
    "revoke_help.ehic": ("Withdrawing is final: from now on the card fails every check, for any date of care, days "
                         "before the withdrawal included (a desk cannot tell when it was withdrawn). For care given "
                         "while the person was insured, issue a provisional replacement certificate for those "
                         "dates.",
                         "Atsaukšana ir galīga: no šī brīža karte neiztur nevienu pārbaudi nevienam aprūpes datumam, "
                         "arī dienām pirms atsaukšanas (iestāde nevar noteikt, kad tā atsaukta). Aprūpei, kas "
                         "sniegta, kamēr persona bija apdrošināta, izsniedziet EVAK aizvietojošo sertifikātu par "
                         "šiem datumiem.",
                         "Der Widerruf ist endgültig: Ab jetzt besteht die Karte keine Prüfung mehr, für kein "
                         "Behandlungsdatum, auch nicht für Tage vor dem Widerruf (eine Stelle kann nicht erkennen, "
                         "wann er erfolgte). Für Behandlungen, solange die Person versichert war, stellen Sie eine "
                         "provisorische Ersatzbescheinigung für diese Daten aus.",
                         "Le retrait est définitif : désormais la carte échoue à toute vérification, pour toute date "
                         "des soins, y compris les jours antérieurs au retrait (un service ne peut pas savoir quand "
                         "elle a été retirée). Pour les soins donnés pendant que la personne était assurée, délivrez "
                         "un certificat provisoire de remplacement pour ces dates.",
                         "Wycofanie jest ostateczne: od teraz karta nie przechodzi żadnej kontroli, na żaden dzień "
                         "świadczenia, także sprzed wycofania (placówka nie może ustalić, kiedy ją wycofano). Dla "
                         "świadczeń udzielonych, gdy osoba była ubezpieczona, wydaj certyfikat tymczasowo "
                         "zastępujący kartę na te daty."),
    "reason": ("Reason", "Iemesls", "Grund", "Motif", "Powód"),
    # One name per state form: a screen reader's list of fields tells Withdraw from Suspend (WCAG 2.4.6).
    "reason_suspend": ("Reason for suspending", "Apturēšanas iemesls", "Grund für die Aussetzung",
                       "Motif de la suspension", "Powód zawieszenia"),
    "reason_revoke": ("Reason for withdrawing", "Atsaukšanas iemesls", "Grund für den Widerruf", "Motif du retrait",
                      "Powód wycofania"),
    "reason_reinstate": ("Reason for reinstating", "Atjaunošanas iemesls", "Grund für die Wiederinkraftsetzung",
                         "Motif du rétablissement", "Powód przywrócenia"),
    "reason_refuse": ("Reason for refusing", "Noraidīšanas iemesls", "Grund für die Ablehnung", "Motif du refus",
                      "Powód odmowy"),
    "reason_required": ("Please give a reason.", "Lūdzu, norādiet iemeslu.", "Bitte geben Sie einen Grund an.",
                        "Veuillez indiquer un motif.", "Podaj powód."),
    "withdrawn_final": ("This document was withdrawn; it cannot be handed over or reinstated.",
                        "Šis dokuments ir atsaukts; to nevar nodot vai atjaunot.",
                        "Dieses Dokument wurde widerrufen; es kann weder übergeben noch wieder in Kraft gesetzt "
                        "werden.",
                        "Ce document a été retiré ; il ne peut être ni remis ni rétabli.",
                        "Ten dokument został wycofany; nie można go przekazać ani przywrócić."),
    "history": ("History", "Vēsture", "Verlauf", "Historique", "Historia"),
    "when": ("When (UTC)", "Kad (UTC)", "Wann (UTC)", "Quand (UTC)", "Kiedy (UTC)"),
    "what": ("What", "Kas notika", "Was", "Quoi", "Co"),
    "who": ("By", "Kas", "Durch", "Par", "Kto"),
    "event.created": ("case created", "lieta izveidota", "Fall angelegt", "dossier créé", "utworzono sprawę"),
    "event.offered": ("offer handed over", "piedāvājums nodots", "Angebot übergeben", "offre remise",
                      "przekazano ofertę"),
    "event.wallet_authorised": ("wallet took the offer", "maks pieņēma piedāvājumu",
                                "Wallet hat das Angebot angenommen", "portefeuille a accepté l'offre",
                                "portfel przyjął ofertę"),
    "event.authorised": ("the person confirmed it on the institution's page", "persona apstiprināja iestādes lapā",
                         "die Person hat auf der Seite der Einrichtung bestätigt",
                         "la personne a confirmé sur la page de l'organisme",
                         "osoba potwierdziła na stronie instytucji"),
    "event.erased": ("personal data erased (retention period)", "personas dati dzēsti (glabāšanas termiņš)",
                     "personenbezogene Daten gelöscht (Aufbewahrungsfrist)",
                     "données personnelles effacées (durée de conservation)",
                     "dane osobowe usunięte (okres przechowywania)"),
    "erased_note": ("The document ended and this case's personal data was erased on {date} (retention period). "
                    "Its state can still be changed; a new document needs a new case.",
                    "Dokuments beidzās, un šīs lietas personas dati tika dzēsti {date} (glabāšanas termiņš). "
                    "Tās stāvokli joprojām var mainīt; jaunam dokumentam vajag jaunu lietu.",
                    "Das Dokument ist abgelaufen, die personenbezogenen Daten dieses Falls wurden am {date} gelöscht "
                    "(Aufbewahrungsfrist). Sein Status kann noch geändert werden; ein neues Dokument braucht einen "
                    "neuen Fall.",
                    "Le document a pris fin et les données personnelles de ce dossier ont été effacées le {date} "
                    "(durée de conservation). Son état peut encore être modifié ; un nouveau document demande un "
                    "nouveau dossier.",
                    "Dokument wygasł, a dane osobowe tej sprawy usunięto {date} (okres przechowywania). Jej stan "
                    "można nadal zmienić; nowy dokument wymaga nowej sprawy."),
    "erased": ("erased", "dzēsts", "gelöscht", "effacé", "usunięte"),
    "event.replaced": ("replaced by a new document", "aizstāts ar jaunu dokumentu",
                       "durch ein neues Dokument ersetzt", "remplacé par un nouveau document",
                       "zastąpiony nowym dokumentem"),
    "event.replaces": ("replaces an earlier document", "aizstāj agrāku dokumentu", "ersetzt ein früheres Dokument",
                       "remplace un document antérieur", "zastępuje wcześniejszy dokument"),
    # Not "extend": a posting is extended by a new A1 from the day after the old end, the old one staying
    # valid (issuer.rules "pda1.replacement_uncovers"; 987/2009 Art. 5).
    "replace": ("Replace (correct)", "Aizstāt (labot)", "Ersetzen (berichtigen)", "Remplacer (corriger)",
                "Zastąp (popraw)"),
    "replace_title": ("Replacement for {label}", "Aizstājējs dokumentam {label}", "Ersatz für {label}",
                      "Remplacement de {label}", "Zastąpienie dokumentu {label}"),
    "replace_help": ("Change what is needed below. The new document needs a new number: type it, or leave it "
                     "empty to have one given. When you record the new document, this one is withdrawn at "
                     "once; then hand the new one to the person's wallet.",
                     "Zemāk mainiet vajadzīgo. Jaunajam dokumentam vajag jaunu numuru: ierakstiet to vai atstājiet "
                     "tukšu, lai to piešķirtu. Kad reģistrēsiet jauno dokumentu, šis tiks nekavējoties atsaukts; "
                     "pēc tam nododiet jauno personas makam.",
                     "Ändern Sie unten, was nötig ist. Das neue Dokument braucht eine neue Nummer: Geben Sie sie ein "
                     "oder lassen Sie das Feld leer, damit eine vergeben wird. Sobald Sie das neue Dokument "
                     "erfassen, wird dieses sofort widerrufen; übergeben Sie dann das neue an die Wallet der Person.",
                     "Modifiez ci-dessous ce qui doit l'être. Le nouveau document a besoin d'un nouveau numéro : "
                     "saisissez-le ou laissez le champ vide pour qu'un numéro soit attribué. Dès que vous "
                     "enregistrez le nouveau document, celui-ci est retiré ; remettez ensuite le nouveau au "
                     "portefeuille de la personne.",
                     "Zmień poniżej, co trzeba. Nowy dokument potrzebuje nowego numeru: wpisz go lub pozostaw pole "
                     "puste, aby został nadany. Gdy zapiszesz nowy dokument, ten zostanie od razu wycofany; "
                     "potem przekaż nowy do portfela osoby."),
    "hint.document_number": ("Leave empty to have a new number given. A number is never given twice, not even a "
                             "withdrawn document's.",
                             "Atstājiet tukšu, lai piešķirtu jaunu numuru. Numuru nekad nepiešķir divreiz, arī "
                             "atsaukta dokumenta numuru ne.",
                             "Leer lassen, um eine neue Nummer zu erhalten. Eine Nummer wird nie zweimal vergeben, "
                             "auch nicht die eines widerrufenen Dokuments.",
                             "Laissez vide pour qu'un nouveau numéro soit attribué. Un numéro n'est jamais attribué "
                             "deux fois, pas même celui d'un document retiré.",
                             "Pozostaw puste, aby nadać nowy numer. Numer nigdy nie jest nadawany dwa razy, nawet "
                             "numer wycofanego dokumentu."),
    "event.number_shared": ("its number is also an earlier case's (recorded before numbers were unique): replace "
                            "this document",
                            "tā numurs ir arī agrākai lietai (reģistrēts, pirms numuri bija unikāli): aizstājiet šo "
                            "dokumentu",
                            "seine Nummer hat auch ein früherer Fall (erfasst, bevor Nummern eindeutig waren): dieses "
                            "Dokument ersetzen",
                            "son numéro est aussi celui d'un dossier antérieur (enregistré avant que les numéros "
                            "soient uniques) : remplacez ce document",
                            "jego numer ma też wcześniejsza sprawa (zapisana, zanim numery były unikalne): zastąp ten "
                            "dokument"),
    "replace_by_api": ("This document holds data the form cannot show (an address written out whole, a "
                       "portrait...). Replace it through the back office API, so that nothing is lost.",
                       "Šajā dokumentā ir dati, ko veidlapa nevar parādīt (pilnā rakstītā adrese, portrets...). "
                       "Aizstājiet to, izmantojot darba vides API, lai nekas nepazustu.",
                       "Dieses Dokument enthält Daten, die das Formular nicht zeigen kann (eine ausgeschriebene "
                       "Anschrift, ein Foto ...). Ersetzen Sie es über die API, damit nichts verloren geht.",
                       "Ce document contient des données que le formulaire ne peut pas afficher (une adresse rédigée "
                       "en entier, une photo...). Remplacez-le par l'API pour ne rien perdre.",
                       "Ten dokument zawiera dane, których formularz nie pokaże (adres zapisany w całości, "
                       "zdjęcie...). Zastąp go przez API, aby nic nie zginęło."),
    "replace_submit": ("Record the new document and withdraw this one", "Reģistrēt jauno dokumentu un atsaukt šo",
                       "Neues Dokument erfassen und dieses widerrufen",
                       "Enregistrer le nouveau document et retirer celui-ci",
                       "Zapisz nowy dokument i wycofaj ten"),
    # Where a second clerk approves each document (four-eyes), the old one is withdrawn only when the
    # replacement is approved (IssuerService.approve_case), and stays as it is if it is refused.
    "replace_help_approval": ("Change what is needed below. The new document needs a new number: type it, or leave "
                              "it empty to have one given. The new document then awaits a second clerk's approval; "
                              "this one stays as it is until then, and is withdrawn when the new one is approved (if "
                              "the new one is refused, this one stays). You can hand the new one to the person's "
                              "wallet meanwhile.",
                              "Zemāk mainiet vajadzīgo. Jaunajam dokumentam vajag jaunu numuru: ierakstiet to vai "
                              "atstājiet tukšu, lai to piešķirtu. Pēc tam jaunais dokuments gaida otra darbinieka "
                              "apstiprinājumu; līdz tam šis paliek nemainīgs un tiek atsaukts, kad jaunais ir "
                              "apstiprināts (ja jauno noraida, šis paliek spēkā). Jauno personas makam varat nodot jau "
                              "tagad.",
                              "Ändern Sie unten, was nötig ist. Das neue Dokument braucht eine neue Nummer: Geben Sie "
                              "sie ein oder lassen Sie das Feld leer, damit eine vergeben wird. Das neue Dokument "
                              "wartet dann auf die Freigabe durch eine zweite Sachbearbeitung; bis dahin bleibt dieses "
                              "unverändert und wird widerrufen, sobald das neue freigegeben ist (wird das neue "
                              "abgelehnt, bleibt dieses bestehen). Sie können das neue schon jetzt an die Wallet der "
                              "Person übergeben.",
                              "Modifiez ci-dessous ce qui doit l'être. Le nouveau document a besoin d'un nouveau "
                              "numéro : saisissez-le ou laissez le champ vide pour qu'un numéro soit attribué. Le "
                              "nouveau document attend ensuite l'approbation d'un second agent ; d'ici là, celui-ci "
                              "reste inchangé, et il est retiré lorsque le nouveau est approuvé (si le nouveau est "
                              "refusé, celui-ci reste valable). Vous pouvez dès maintenant remettre le nouveau au "
                              "portefeuille de la personne.",
                              "Zmień poniżej, co trzeba. Nowy dokument potrzebuje nowego numeru: wpisz go lub "
                              "pozostaw pole puste, aby został nadany. Nowy dokument czeka potem na zatwierdzenie "
                              "przez drugiego urzędnika; do tego czasu ten pozostaje bez zmian i zostanie wycofany, "
                              "gdy nowy zostanie zatwierdzony (jeśli nowy zostanie odrzucony, ten pozostaje ważny). "
                              "Nowy możesz już teraz przekazać do portfela osoby."),
    "replace_submit_approval": ("Record the new document (this one is withdrawn when it is approved)",
                                "Reģistrēt jauno dokumentu (šis tiks atsaukts, kad jauno apstiprinās)",
                                "Neues Dokument erfassen (dieses wird mit dessen Freigabe widerrufen)",
                                "Enregistrer le nouveau document (celui-ci sera retiré à son approbation)",
                                "Zapisz nowy dokument (ten zostanie wycofany po jego zatwierdzeniu)"),
    "replacement_awaiting": ("A replacement of this document awaits a second clerk's approval. Until then this "
                             "document stays as it is: it is withdrawn when the replacement is approved, and stays if "
                             "the replacement is refused.",
                             "Šī dokumenta aizstājējs gaida otra darbinieka apstiprinājumu. Līdz tam šis dokuments "
                             "paliek nemainīgs: to atsauc, kad aizstājēju apstiprina, un tas paliek spēkā, ja "
                             "aizstājēju noraida.",
                             "Ein Ersatz dieses Dokuments wartet auf die Freigabe durch eine zweite Sachbearbeitung. "
                             "Bis dahin bleibt dieses Dokument unverändert: Es wird widerrufen, wenn der Ersatz "
                             "freigegeben wird, und bleibt bestehen, wenn er abgelehnt wird.",
                             "Un remplacement de ce document attend l'approbation d'un second agent. D'ici là, ce "
                             "document reste inchangé : il est retiré lorsque le remplacement est approuvé, et reste "
                             "valable si le remplacement est refusé.",
                             "Zastępstwo tego dokumentu czeka na zatwierdzenie przez drugiego urzędnika. Do tego czasu "
                             "ten dokument pozostaje bez zmian: zostanie wycofany, gdy zastępstwo zostanie "
                             "zatwierdzone, a pozostanie ważny, jeśli zostanie odrzucone."),
    "open_replacement": ("Open the replacement", "Atvērt aizstājēju", "Ersatz öffnen", "Ouvrir le remplacement",
                         "Otwórz zastępstwo"),
    "replaces_note": ("This document replaces an earlier one, which was marked replaced when this one was "
                      "recorded.",
                      "Šis dokuments aizstāj agrāku, kas tika atzīmēts kā aizstāts, kad šo reģistrēja.",
                      "Dieses Dokument ersetzt ein früheres, das mit der Erfassung dieses Dokuments als ersetzt "
                      "markiert wurde.",
                      "Ce document remplace un document antérieur, marqué comme remplacé lors de l'enregistrement "
                      "de celui-ci.",
                      "Ten dokument zastępuje wcześniejszy, który oznaczono jako zastąpiony przy zapisaniu tego."),
    "replaces_approved_note": ("This document replaces an earlier one, which was marked replaced when this one "
                               "was approved.",
                               "Šis dokuments aizstāj agrāku, kas tika atzīmēts kā aizstāts, kad šo apstiprināja.",
                               "Dieses Dokument ersetzt ein früheres, das mit der Freigabe dieses Dokuments als "
                               "ersetzt markiert wurde.",
                               "Ce document remplace un document antérieur, marqué comme remplacé lors de "
                               "l'approbation de celui-ci.",
                               "Ten dokument zastępuje wcześniejszy, który oznaczono jako zastąpiony przy "
                               "zatwierdzeniu tego."),
    # A replaced case: which case replaced it (IssuerService.get_case "replaced_by"), and what is left to do.
    "replaced_by_note": ("This document was replaced by a newer one: the worker is to show the newer one. It can "
                         "still be withdrawn (if it was wrong from the start).",
                         "Šis dokuments ir aizstāts ar jaunāku: darba ņēmējam jāuzrāda jaunākais. To joprojām var "
                         "atsaukt (ja tas bija nepareizs jau no sākuma).",
                         "Dieses Dokument wurde durch ein neueres ersetzt: Die Person zeigt das neuere vor. Es kann "
                         "noch widerrufen werden (wenn es von Anfang an falsch war).",
                         "Ce document a été remplacé par un plus récent : le travailleur présente le plus récent. Il "
                         "peut encore être retiré (s'il était erroné dès le départ).",
                         "Ten dokument zastąpiono nowszym: pracownik okazuje nowszy. Nadal można go wycofać (jeśli "
                         "był błędny od początku)."),
    "open_replaced_by": ("Replaced by case {case}", "Aizstāts ar lietu {case}", "Ersetzt durch Fall {case}",
                         "Remplacé par le dossier {case}", "Zastąpiony sprawą {case}"),
    "replaces_awaiting_note": ("This document replaces an earlier one, which stays as it is until this one is "
                               "approved: approving this one marks it replaced, refusing this one leaves it.",
                               "Šis dokuments aizstāj agrāku, kas paliek nemainīgs, līdz šo apstiprina: apstiprinot "
                               "šo, agrāko atzīmē kā aizstātu, noraidot šo, agrākais paliek spēkā.",
                               "Dieses Dokument ersetzt ein früheres, das unverändert bleibt, bis dieses freigegeben "
                               "ist: Die Freigabe markiert es als ersetzt, die Ablehnung lässt es bestehen.",
                               "Ce document remplace un document antérieur, qui reste inchangé jusqu'à l'approbation "
                               "de celui-ci : l'approuver marque l'ancien comme remplacé, le refuser le laisse "
                               "valable.",
                               "Ten dokument zastępuje wcześniejszy, który pozostaje bez zmian do zatwierdzenia tego: "
                               "zatwierdzenie oznaczy go jako zastąpiony, odrzucenie pozostawi go "
                               "ważnym."),
    "replaces_unapproved_note": ("This document was to replace an earlier one, but it was not approved: the earlier "
                                 "one stays as it was.",
                                 "Šim dokumentam bija jāaizstāj agrāks, taču tas netika apstiprināts: agrākais "
                                 "paliek, kāds bija.",
                                 "Dieses Dokument sollte ein früheres ersetzen, wurde aber nicht freigegeben: Das "
                                 "frühere bleibt, wie es war.",
                                 "Ce document devait remplacer un document antérieur, mais il n'a pas été approuvé : "
                                 "l'ancien reste tel qu'il était.",
                                 "Ten dokument miał zastąpić wcześniejszy, ale nie został zatwierdzony: wcześniejszy "
                                 "pozostaje bez zmian."),
    "open_replaced": ("Open the earlier document", "Atvērt agrāko dokumentu", "Früheres Dokument öffnen",
                      "Ouvrir le document antérieur", "Otwórz wcześniejszy dokument"),
    # An EHIC card or a PID past its expiry; an A1 or PRC whose period has ended is handed over and printed.
    "ended_note": ("This document expired on {date}: it can no longer be handed over to a wallet or printed. A "
                   "renewal is a new document: record it, or replace this one.",
                   "Šī dokumenta derīguma termiņš beidzās {date}: to vairs nevar nodot makam vai izdrukāt. "
                   "Atjaunošana ir jauns dokuments: reģistrējiet to vai aizstājiet šo.",
                   "Dieses Dokument ist am {date} abgelaufen: Es kann weder an eine Wallet übergeben noch gedruckt "
                   "werden. Eine Erneuerung ist ein neues Dokument: Erfassen Sie es oder ersetzen Sie dieses.",
                   "Ce document a expiré le {date} : il ne peut plus être remis à un portefeuille ni imprimé. Un "
                   "renouvellement est un nouveau document : enregistrez-le ou remplacez celui-ci.",
                   "Ten dokument wygasł {date}: nie można go już przekazać do portfela ani wydrukować. Odnowienie "
                   "to nowy dokument: zapisz go lub zastąp nim ten."),
    "paper_refused": ("No paper copy: {rule}.", "Papīra kopija nav iespējama: {rule}.", "Kein Papierausdruck: {rule}.",
                      "Pas de copie papier : {rule}.", "Brak kopii papierowej: {rule}."),
    "event.renewed": ("the wallet renewed its copies", "maks atjaunoja savas kopijas",
                      "die Wallet hat ihre Kopien erneuert", "le portefeuille a renouvelé ses copies",
                      "portfel odnowił swoje kopie"),
    "event.grant_revoked": ("the wallet ended its renewals (the card was deleted)",
                            "maks beidza atjaunošanu (karte dzēsta)",
                            "die Wallet hat die Erneuerung beendet (Karte gelöscht)",
                            "le portefeuille a mis fin aux renouvellements (carte supprimée)",
                            "portfel zakończył odnawianie (karta usunięta)"),
    "event.keys_attested": ("wallet keys attested", "maka atslēgas apliecinātas", "Wallet-Schlüssel bestätigt",
                            "clés du portefeuille attestées", "klucze portfela poświadczone"),
    "event.wallet_failure": ("the wallet could not keep the document", "maks nevarēja saglabāt dokumentu",
                             "die Wallet konnte das Dokument nicht speichern",
                             "le portefeuille n'a pas pu garder le document", "portfel nie mógł zachować dokumentu"),
    "event.revoked": ("withdrawn", "atsaukts", "widerrufen", "retiré", "wycofano"),
    "event.suspended": ("suspended", "apturēts", "ausgesetzt", "suspendu", "zawieszono"),
    "event.reinstated": ("reinstated", "atjaunots", "wieder in Kraft gesetzt", "rétabli", "przywrócono"),
    "event.approved": ("approved by a second clerk", "apstiprināts (otrs darbinieks)",
                       "von einer zweiten Sachbearbeitung freigegeben", "approuvé par un second agent",
                       "zatwierdzono przez drugiego urzędnika"),
    "event.refused": ("refused at approval: withdrawn", "noraidīts apstiprināšanā: atsaukts",
                      "bei der Freigabe abgelehnt: widerrufen", "refusé à l'approbation : retiré",
                      "odrzucono przy zatwierdzaniu: wycofano"),
    "event.deferred": ("the wallet asked: it receives the document once approved",
                       "maks pieprasīja: tas saņems dokumentu, kad tas būs apstiprināts",
                       "die Wallet hat angefragt: sie erhält das Dokument nach der Freigabe",
                       "le portefeuille a demandé : il recevra le document une fois approuvé",
                       "portfel poprosił: otrzyma dokument po zatwierdzeniu"),
    "event.deferred_denied": ("the wallet got nothing: its provider is no longer trusted",
                              "maks neko nesaņēma: tā nodrošinātājam vairs neuzticas",
                              "die Wallet hat nichts erhalten: ihrem Anbieter wird nicht mehr vertraut",
                              "le portefeuille n'a rien reçu : son fournisseur n'est plus de confiance",
                              "portfel nic nie otrzymał: jego dostawca nie jest już zaufany"),
    "signed_in_as": ("Signed in as {name}", "Pieteicies: {name}", "Angemeldet als {name}",
                     "Connecté en tant que {name}", "Zalogowano jako {name}"),
    "awaiting": ("awaiting approval", "gaida apstiprinājumu", "wartet auf Freigabe", "en attente d'approbation",
                 "czeka na zatwierdzenie"),
    "to_approve": ("To approve ({n})", "Jāapstiprina ({n})", "Freizugeben ({n})", "À approuver ({n})",
                   "Do zatwierdzenia ({n})"),
    "to_approve_title": ("Cases to approve", "Apstiprināmās lietas", "Freizugebende Fälle", "Dossiers à approuver",
                         "Sprawy do zatwierdzenia"),
    "none_awaiting": ("No case is awaiting approval.", "Neviena lieta negaida apstiprinājumu.",
                      "Kein Fall wartet auf Freigabe.", "Aucun dossier n'attend d'approbation.",
                      "Żadna sprawa nie czeka na zatwierdzenie."),
    "approval_title": ("Awaiting a second clerk's approval", "Gaida otra darbinieka apstiprinājumu",
                       "Wartet auf die Freigabe durch eine zweite Sachbearbeitung",
                       "En attente de l'approbation d'un second agent",
                       "Czeka na zatwierdzenie przez drugiego urzędnika"),
    "approval_help": ("Nothing is issued from this case until another clerk approves it. Recorded by {who}.",
                      "No šīs lietas nekas netiek izsniegts, kamēr cits darbinieks to neapstiprina. "
                      "Reģistrēja: {who}.",
                      "Aus diesem Fall wird nichts ausgestellt, bis eine andere Sachbearbeitung ihn freigibt. "
                      "Erfasst von {who}.",
                      "Rien n'est délivré pour ce dossier tant qu'un autre agent ne l'a pas approuvé. "
                      "Enregistré par {who}.",
                      "Nic nie zostanie wydane z tej sprawy, dopóki inny urzędnik jej nie zatwierdzi. "
                      "Zapisano przez: {who}."),
    "approve": ("Approve", "Apstiprināt", "Freigeben", "Approuver", "Zatwierdź"),
    "refuse": ("Refuse", "Noraidīt", "Ablehnen", "Refuser", "Odrzuć"),
    "refuse_help": ("Refusing withdraws the case: nothing is ever issued from it.",
                    "Noraidot lieta tiek atsaukta: no tās nekad nekas netiks izsniegts.",
                    "Die Ablehnung widerruft den Fall: aus ihm wird nie etwas ausgestellt.",
                    "Refuser retire le dossier : rien ne sera jamais délivré pour lui.",
                    "Odrzucenie wycofuje sprawę: nic z niej nigdy nie zostanie wydane."),
    "record_unnamed": ("This institution has each case approved by a second clerk, so cases are recorded by "
                       "clerks signed in with their own token: the institution's shared token records none.",
                       "Šajā iestādē katru lietu apstiprina otrs darbinieks, tāpēc lietas reģistrē darbinieki, kas "
                       "pieteikušies ar savu pilnvaru: ar iestādes kopīgo pilnvaru lietas netiek reģistrētas.",
                       "In dieser Einrichtung gibt eine zweite Sachbearbeitung jeden Fall frei, daher erfassen nur "
                       "mit eigenem Token angemeldete Personen Fälle: Der gemeinsame Token der Einrichtung erfasst "
                       "keine.",
                       "Dans cet organisme, chaque dossier est approuvé par un second agent : les dossiers sont donc "
                       "enregistrés par des agents connectés avec leur propre jeton, jamais avec le jeton commun.",
                       "W tej instytucji każdą sprawę zatwierdza drugi urzędnik, dlatego sprawy zapisują urzędnicy "
                       "zalogowani własnym tokenem: wspólny token instytucji nie zapisuje żadnej."),
    "approve_shared_case": ("This case was recorded with the institution's shared token, so no one can tell who "
                            "recorded it: refuse it, and record it again signed in with your own token.",
                            "Šī lieta reģistrēta ar iestādes kopīgo pilnvaru, tāpēc nevar zināt, kas to reģistrēja: "
                            "noraidiet to un reģistrējiet vēlreiz, pieteicies ar savu pilnvaru.",
                            "Dieser Fall wurde mit dem gemeinsamen Token der Einrichtung erfasst, daher weiß niemand, "
                            "wer ihn erfasst hat: Lehnen Sie ihn ab und erfassen Sie ihn mit Ihrem eigenen Token neu.",
                            "Ce dossier a été enregistré avec le jeton commun de l'organisme : on ne peut savoir qui "
                            "l'a enregistré. Refusez-le, puis enregistrez-le à nouveau avec votre propre jeton.",
                            "Ta sprawa została zapisana wspólnym tokenem instytucji, więc nie wiadomo, kto ją zapisał: "
                            "odrzuć ją i zapisz ponownie, zalogowany własnym tokenem."),
    "not_awaiting": ("This case no longer awaits approval: another clerk has just decided on it, or it was withdrawn.",
                     "Šī lieta vairs negaida apstiprinājumu: cits darbinieks par to tikko lēma, vai tā tika atsaukta.",
                     "Dieser Fall wartet nicht mehr auf Freigabe: Eine andere Sachbearbeitung hat eben darüber "
                     "entschieden, oder er wurde widerrufen.",
                     "Ce dossier n'attend plus d'approbation : un autre agent vient de statuer, ou il a été retiré.",
                     "Ta sprawa nie czeka już na zatwierdzenie: inny urzędnik właśnie o niej zdecydował albo została "
                     "wycofana."),
    # IssuerService.approve_case: a suspended replacement is approved once reinstated; it can be refused.
    "approve_suspended": ("This case is suspended: reinstate it before approving it. Refusing it stays possible.",
                          "Šī lieta ir apturēta: pirms apstiprināšanas to atjaunojiet. To joprojām var noraidīt.",
                          "Dieser Fall ist ausgesetzt: Setzen Sie ihn wieder in Kraft, bevor Sie ihn freigeben. "
                          "Ablehnen bleibt möglich.",
                          "Ce dossier est suspendu : rétablissez-le avant de l'approuver. Il peut toujours être "
                          "refusé.",
                          "Ta sprawa jest zawieszona: przywróć ją przed zatwierdzeniem. Nadal można ją odrzucić."),
    "approve_own": ("You recorded this case, so another clerk approves it.",
                    "Jūs reģistrējāt šo lietu, tāpēc to apstiprina cits darbinieks.",
                    "Sie haben diesen Fall erfasst, daher gibt ihn eine andere Sachbearbeitung frei.",
                    "Vous avez enregistré ce dossier : un autre agent doit l'approuver.",
                    "Ta sprawa została zapisana przez Ciebie, więc zatwierdza ją inny urzędnik."),
    "approve_unnamed": ("You are signed in with the institution's shared token, which does not say which clerk "
                        "you are: whoever holds it may be the clerk who recorded this case, so it approves none. "
                        "Sign in with your own clerk token to approve.",
                        "Jūs esat pieteicies ar iestādes kopīgo pilnvaru, kas nenorāda, kurš darbinieks jūs esat: "
                        "tās turētājs var būt tas pats darbinieks, kas reģistrēja šo lietu, tāpēc ar to neapstiprina "
                        "nevienu lietu. Lai apstiprinātu, piesakieties ar savu darbinieka pilnvaru.",
                        "Sie sind mit dem gemeinsamen Token der Einrichtung angemeldet, der nicht sagt, wer Sie "
                        "sind: Wer ihn hat, kann den Fall selbst erfasst haben, daher gibt er keinen Fall frei. "
                        "Melden Sie sich zur Freigabe mit Ihrem eigenen Token an.",
                        "Vous êtes connecté avec le jeton commun de l'organisme, qui ne dit pas quel agent vous "
                        "êtes : qui le détient peut être l'agent qui a enregistré ce dossier, il n'en approuve "
                        "donc aucun. Connectez-vous avec votre propre jeton pour approuver.",
                        "Zalogowano wspólnym tokenem instytucji, który nie wskazuje, którym urzędnikiem jesteś: "
                        "jego posiadacz mógł sam zapisać tę sprawę, dlatego nie zatwierdza on żadnej. "
                        "Aby zatwierdzić, zaloguj się własnym tokenem urzędnika."),
    "offer_after_approval": ("You can hand it over now: the worker's wallet receives the document once it is "
                             "approved.",
                             "To var nodot jau tagad: darba ņēmēja maks saņems dokumentu, tiklīdz tas būs "
                             "apstiprināts.",
                             "Sie können es schon jetzt übergeben: Die Wallet der Person erhält das Dokument, sobald "
                             "es freigegeben ist.",
                             "Vous pouvez déjà le remettre : le portefeuille du travailleur recevra le document dès "
                             "qu'il sera approuvé.",
                             "Możesz przekazać go już teraz: portfel pracownika otrzyma dokument, gdy tylko zostanie "
                             "zatwierdzony."),
    "event.viewed": ("case opened (read)", "lieta atvērta (lasīta)", "Fall geöffnet (gelesen)", "dossier ouvert (lu)",
                     "otwarto sprawę (odczyt)"),
    "event.paper": ("paper copy printed", "izdrukāta papīra kopija", "Papierausdruck erstellt",
                    "copie papier imprimée", "wydrukowano kopię papierową"),
    "issued": ("Issued (UTC)", "Izsniegts (UTC)", "Ausgestellt (UTC)", "Délivré (UTC)", "Wydano (UTC)"),
    "expires": ("Valid until (UTC)", "Derīgs līdz (UTC)", "Gültig bis (UTC)", "Valable jusqu'au (UTC)",
                "Ważne do (UTC)"),
    "wallet_event": ("Wallet reported", "Maka ziņojums", "Meldung der Wallet", "Retour du portefeuille",
                     "Zgłoszenie portfela"),
    "status.0": ("valid", "derīgs", "gültig", "valide", "ważne"),
    "status.1": ("withdrawn", "atsaukts", "widerrufen", "retiré", "wycofane"),
    "status.2": ("suspended", "apturēts", "ausgesetzt", "suspendu", "zawieszone"),
    "status.3": ("replaced", "aizstāts", "ersetzt", "remplacé", "zastąpione"),
    "details": ("All fields", "Visi lauki", "Alle Felder", "Tous les champs", "Wszystkie pola"),
    "paper": ("Paper copy (PDF)", "Papīra kopija (PDF)", "Papierausdruck (PDF)", "Copie papier (PDF)",
              "Kopia papierowa (PDF)"),
    "paper_help": ("For a person without a smartphone: print it and hand it over.",
                   "Personai bez viedtālruņa: izdrukājiet un nododiet.",
                   "Für eine Person ohne Smartphone: ausdrucken und aushändigen.",
                   "Pour une personne sans smartphone : imprimez-la et remettez-la.",
                   "Dla osoby bez smartfona: wydrukuj i przekaż."),
    # The holder's columns are required of an A1 and a holder's own card (IssuerService._new_case).
    "csv_help": ("One case per row; download the template to see the columns. An A1, and a card of the holder's "
                 "own, needs the holder's columns: holder.family_name, holder.given_name, holder.birthdate.",
                 "Viena lieta katrā rindā; lejupielādējiet veidni, lai redzētu kolonnas. A1 un turētāja kartei "
                 "vajag turētāja kolonnas: holder.family_name, holder.given_name, holder.birthdate.",
                 "Ein Fall pro Zeile; laden Sie die Vorlage, um die Spalten zu sehen. Eine A1 und eine eigene Karte "
                 "brauchen die Spalten der Inhaberin/des Inhabers: holder.family_name, holder.given_name, "
                 "holder.birthdate.",
                 "Un dossier par ligne ; téléchargez le modèle pour voir les colonnes. Un A1, et une carte du "
                 "titulaire lui-même, exigent les colonnes du titulaire : holder.family_name, holder.given_name, "
                 "holder.birthdate.",
                 "Jedna sprawa w wierszu; pobierz szablon, aby zobaczyć kolumny. A1 oraz karta samego posiadacza "
                 "wymagają kolumn posiadacza: holder.family_name, holder.given_name, holder.birthdate."),
    "file": ("CSV file", "CSV fails", "CSV-Datei", "Fichier CSV", "Plik CSV"),
    "file_error": ("The file must be a UTF-8 CSV file of at most {size} MiB and {rows} rows.",
                   "Failam jābūt UTF-8 CSV failam, ne lielākam par {size} MiB un {rows} rindām.",
                   "Die Datei muss eine UTF-8-CSV-Datei mit höchstens {size} MiB und {rows} Zeilen sein.",
                   "Le fichier doit être un CSV UTF-8 d'au plus {size} Mio et {rows} lignes.",
                   "Plik musi być plikiem CSV w UTF-8, maks. {size} MiB i {rows} wierszy."),
    "file_empty": ("The file has no rows: below the header line, give one case per row (see the template).",
                   "Failā nav nevienas rindas: zem virsraksta rindas norādiet vienu lietu katrā rindā (skatiet "
                   "veidni).",
                   "Die Datei enthält keine Zeilen: Geben Sie unter der Kopfzeile einen Fall pro Zeile an (siehe "
                   "Vorlage).",
                   "Le fichier ne contient aucune ligne : sous la ligne d'en-tête, indiquez un dossier par ligne "
                   "(voir le modèle).",
                   "Plik nie zawiera żadnych wierszy: pod wierszem nagłówka podaj jedną sprawę w wierszu (zobacz "
                   "szablon)."),
    "file_refused": ("Nothing was imported: {rule}. Correct the file and import it again.",
                     "Nekas netika importēts: {rule}. Izlabojiet failu un importējiet to vēlreiz.",
                     "Es wurde nichts importiert: {rule}. Korrigieren Sie die Datei und importieren Sie sie erneut.",
                     "Rien n'a été importé : {rule}. Corrigez le fichier et importez-le à nouveau.",
                     "Nic nie zaimportowano: {rule}. Popraw plik i zaimportuj go ponownie."),
    "template": ("Template", "Veidne", "Vorlage", "Modèle", "Szablon"),
    # A CSV row has no box for the derogation of Decision A2 point 3(c) (the form's, the API's
    # "derogation"): the chained posting's rule asks for one, so the report says where it is given.
    "csv_derogation": ("A file cannot state a derogation: record this A1 on the new-case form, which asks for it "
                       "and its reason.",
                       "Failā atkāpi nevar norādīt: reģistrējiet šo A1 jaunas lietas veidlapā, kurā to un tās "
                       "iemeslu var norādīt.",
                       "Eine Datei kann keine Ausnahme angeben: Erfassen Sie diese A1 im Formular für einen neuen "
                       "Fall, das nach der Ausnahme und ihrem Grund fragt.",
                       "Un fichier ne peut pas indiquer de dérogation : enregistrez cet A1 avec le formulaire de "
                       "nouveau dossier, qui demande la dérogation et son motif.",
                       "W pliku nie można wskazać odstępstwa: zapisz to zaświadczenie A1 w formularzu nowej sprawy, "
                       "który pyta o odstępstwo i jego powód."),
    "numbers_taken": ("Nothing was imported: the rows below have document numbers already given. Change them, or "
                      "leave them empty to have new ones given, then import the file again.",
                      "Nekas netika importēts: zemāk norādītajās rindās ir jau piešķirti dokumentu numuri. Nomainiet "
                      "tos vai atstājiet tukšus, lai piešķirtu jaunus, un importējiet failu vēlreiz.",
                      "Es wurde nichts importiert: Die Zeilen unten haben bereits vergebene Dokumentnummern. Ändern "
                      "Sie sie oder lassen Sie sie leer, damit neue vergeben werden, und importieren Sie die Datei "
                      "erneut.",
                      "Rien n'a été importé : les lignes ci-dessous ont des numéros de document déjà attribués. "
                      "Modifiez-les ou laissez-les vides pour en obtenir de nouveaux, puis importez à nouveau le "
                      "fichier.",
                      "Nic nie zaimportowano: poniższe wiersze mają już nadane numery dokumentów. Zmień je lub "
                      "pozostaw puste, aby nadać nowe, i zaimportuj plik ponownie."),
    "imported": ("{n} rows imported, {m} rejected.", "Importētas {n} rindas, noraidītas {m}.",
                 "{n} Zeilen importiert, {m} abgelehnt.", "{n} lignes importées, {m} rejetées.",
                 "Zaimportowano {n} wierszy, odrzucono {m}."),
    # The import form sent again (a reload of its report, Back then Forward): issuer.service.ImportRepeated.
    "import_repeated_heading": ("Already imported", "Jau importēts", "Bereits importiert", "Déjà importé",
                                "Już zaimportowano"),
    "import_repeated": ("This file was already imported at {at} (UTC): {n} rows imported, {m} rejected. The page "
                        "was sent again (a reload, or Back and Forward): nothing was recorded twice.",
                        "Šis fails jau tika importēts {at} (UTC): importētas {n} rindas, noraidītas {m}. Lapa tika "
                        "nosūtīta vēlreiz (pārlādējot vai ar Atpakaļ un Uz priekšu): nekas netika reģistrēts "
                        "divreiz.",
                        "Diese Datei wurde bereits am {at} (UTC) importiert: {n} Zeilen importiert, {m} abgelehnt. "
                        "Die Seite wurde erneut gesendet (neu geladen oder mit Zurück und Vorwärts): Nichts wurde "
                        "doppelt erfasst.",
                        "Ce fichier a déjà été importé le {at} (UTC) : {n} lignes importées, {m} rejetées. La page a "
                        "été envoyée une seconde fois (rechargement, ou Précédent puis Suivant) : rien n'a été "
                        "enregistré deux fois.",
                        "Ten plik został już zaimportowany {at} (UTC): zaimportowano {n} wierszy, odrzucono {m}. "
                        "Strona została wysłana ponownie (odświeżenie lub Wstecz i Dalej): nic nie zapisano dwa "
                        "razy."),
    "import_unfinished": ("This file's import began at {at} (UTC) and has not finished: it is still running, or it "
                          "stopped. The page was sent again (a reload, or Back and Forward): nothing was recorded "
                          "twice. The cases list shows what the import recorded.",
                          "Šī faila imports sākās {at} (UTC) un nav pabeigts: tas vēl notiek vai ir apturēts. Lapa "
                          "tika nosūtīta vēlreiz (pārlādējot vai ar Atpakaļ un Uz priekšu): nekas netika reģistrēts "
                          "divreiz. Lietu sarakstā redzams, ko imports reģistrēja.",
                          "Der Import dieser Datei hat am {at} (UTC) begonnen und ist nicht abgeschlossen: Er läuft "
                          "noch oder wurde angehalten. Die Seite wurde erneut gesendet (neu geladen oder mit Zurück "
                          "und Vorwärts): Nichts wurde doppelt erfasst. Die Fallliste zeigt, was der Import erfasst "
                          "hat.",
                          "L'import de ce fichier a commencé le {at} (UTC) et n'est pas terminé : il est en cours ou "
                          "s'est arrêté. La page a été envoyée une seconde fois (rechargement, ou Précédent puis "
                          "Suivant) : rien n'a été enregistré deux fois. La liste des dossiers montre ce que l'import "
                          "a enregistré.",
                          "Import tego pliku rozpoczął się {at} (UTC) i nie został zakończony: nadal trwa lub został "
                          "przerwany. Strona została wysłana ponownie (odświeżenie lub Wstecz i Dalej): nic nie "
                          "zapisano dwa razy. Lista spraw pokazuje, co import zapisał."),
    # The import form sent without its one-time id: refused, nothing imported (mount_office import_upload).
    "import_form_outdated": ("Nothing was imported: the form sent is out of date (opened before the back office was "
                             "updated) and cannot make sure that the file is imported once only. Choose the file "
                             "again on this page and import it.",
                             "Nekas netika importēts: nosūtītā veidlapa ir novecojusi (atvērta pirms sistēmas "
                             "atjaunināšanas), un ar to nevar nodrošināt, ka fails tiek importēts tikai vienreiz. "
                             "Izvēlieties failu vēlreiz šajā lapā un importējiet to.",
                             "Es wurde nichts importiert: Das gesendete Formular ist veraltet (vor einer "
                             "Aktualisierung des Systems geöffnet) und kann nicht sicherstellen, dass die Datei nur "
                             "einmal importiert wird. Wählen Sie die Datei auf dieser Seite erneut aus und "
                             "importieren Sie sie.",
                             "Rien n'a été importé : le formulaire envoyé est périmé (ouvert avant une mise à jour "
                             "du système) et ne permet pas de garantir que le fichier n'est importé qu'une fois. "
                             "Choisissez à nouveau le fichier sur cette page et importez-le.",
                             "Nic nie zaimportowano: wysłany formularz jest nieaktualny (otwarty przed aktualizacją "
                             "systemu) i nie pozwala zapewnić, że plik zostanie zaimportowany tylko raz. Wybierz "
                             "plik ponownie na tej stronie i zaimportuj go."),
    # The same file brought again on a new form (issuer.service.SameFile): imported only when the box is ticked.
    "same_file": ("This exact file was already imported at {at} (UTC): {n} rows imported, {m} rejected. Nothing "
                  "was imported now: importing it again would record its cases a second time. If you really mean "
                  "to, tick the box below, choose the file again and import it.",
                  "Tieši šis fails jau tika importēts {at} (UTC): importētas {n} rindas, noraidītas {m}. Tagad "
                  "nekas netika importēts: importējot to vēlreiz, tā lietas tiktu reģistrētas otrreiz. Ja tiešām "
                  "to vēlaties, atzīmējiet izvēles rūtiņu zemāk, izvēlieties failu vēlreiz un importējiet to.",
                  "Genau diese Datei wurde bereits am {at} (UTC) importiert: {n} Zeilen importiert, {m} abgelehnt. "
                  "Jetzt wurde nichts importiert: Ein erneuter Import würde ihre Fälle ein zweites Mal erfassen. "
                  "Wenn Sie das wirklich wollen, kreuzen Sie das Kästchen unten an, wählen Sie die Datei erneut aus "
                  "und importieren Sie sie.",
                  "Ce fichier exact a déjà été importé le {at} (UTC) : {n} lignes importées, {m} rejetées. Rien n'a "
                  "été importé cette fois : l'importer à nouveau enregistrerait ses dossiers une seconde fois. Si "
                  "c'est vraiment ce que vous voulez, cochez la case ci-dessous, choisissez à nouveau le fichier et "
                  "importez-le.",
                  "Dokładnie ten plik został już zaimportowany {at} (UTC): zaimportowano {n} wierszy, odrzucono {m}. "
                  "Teraz nic nie zaimportowano: ponowny import zapisałby jego sprawy drugi raz. Jeśli naprawdę tego "
                  "chcesz, zaznacz pole poniżej, wybierz plik ponownie i zaimportuj go."),
    "same_file_unfinished": ("An import of this exact file began at {at} (UTC) and has not finished: it is still "
                             "running, or it stopped; the cases list shows what it recorded. Nothing was imported "
                             "now. If you really mean to import it again, tick the box below, choose the file again "
                             "and import it.",
                             "Tieši šī faila imports sākās {at} (UTC) un nav pabeigts: tas vēl notiek vai ir "
                             "apturēts; lietu sarakstā redzams, ko tas reģistrēja. Tagad nekas netika importēts. Ja "
                             "tiešām vēlaties to importēt vēlreiz, atzīmējiet izvēles rūtiņu zemāk, izvēlieties failu "
                             "vēlreiz un importējiet to.",
                             "Ein Import genau dieser Datei hat am {at} (UTC) begonnen und ist nicht abgeschlossen: Er "
                             "läuft noch oder wurde angehalten; die Fallliste zeigt, was er erfasst hat. Jetzt wurde "
                             "nichts importiert. Wenn Sie sie wirklich erneut importieren wollen, kreuzen Sie das "
                             "Kästchen unten an, wählen Sie die Datei erneut aus und importieren Sie sie.",
                             "Un import de ce fichier exact a commencé le {at} (UTC) et n'est pas terminé : il est en "
                             "cours ou s'est arrêté ; la liste des dossiers montre ce qu'il a enregistré. Rien n'a été "
                             "importé cette fois. Si vous voulez vraiment l'importer à nouveau, cochez la case "
                             "ci-dessous, choisissez à nouveau le fichier et importez-le.",
                             "Import dokładnie tego pliku rozpoczął się {at} (UTC) i nie został zakończony: nadal "
                             "trwa lub został przerwany; lista spraw pokazuje, co zapisał. Teraz nic nie "
                             "zaimportowano. Jeśli naprawdę chcesz zaimportować go ponownie, zaznacz pole poniżej, "
                             "wybierz plik ponownie i zaimportuj go."),
    "import_again": ("Import this file again: I know it was imported before, and its rows will be recorded as new "
                     "cases.",
                     "Importēt šo failu vēlreiz: zinu, ka tas jau tika importēts un tā rindas tiks reģistrētas kā "
                     "jaunas lietas.",
                     "Diese Datei erneut importieren: Ich weiß, dass sie bereits importiert wurde und ihre Zeilen als "
                     "neue Fälle erfasst werden.",
                     "Importer ce fichier à nouveau : je sais qu'il a déjà été importé et que ses lignes seront "
                     "enregistrées comme de nouveaux dossiers.",
                     "Zaimportuj ten plik ponownie: wiem, że został już zaimportowany, a jego wiersze zostaną "
                     "zapisane jako nowe sprawy."),
    "import_another": ("Import another file", "Importēt citu failu", "Eine andere Datei importieren",
                       "Importer un autre fichier", "Zaimportuj inny plik"),
    "row": ("Row", "Rinda", "Zeile", "Ligne", "Wiersz"),
    "result": ("Result", "Rezultāts", "Ergebnis", "Résultat", "Wynik"),
    "row_ok": ("imported", "importēta", "importiert", "importée", "zaimportowano"),
    "row_bad": ("rejected", "noraidīta", "abgelehnt", "rejetée", "odrzucono"),
    "field": ("Field", "Lauks", "Feld", "Champ", "Pole"),
    "rule": ("Rule", "Noteikums", "Regel", "Règle", "Reguła"),
    "form_error": ("Please correct the field marked below.", "Lūdzu, izlabojiet zemāk atzīmēto lauku.",
                   "Bitte korrigieren Sie das unten markierte Feld.", "Veuillez corriger le champ signalé ci-dessous.",
                   "Popraw pole zaznaczone poniżej."),
    "error.form": ("The form expired; please open the page again and retry.",
                   "Veidlapa ir novecojusi; atveriet lapu vēlreiz un mēģiniet vēlreiz.",
                   "Das Formular ist abgelaufen; bitte öffnen Sie die Seite erneut und versuchen Sie es noch einmal.",
                   "Le formulaire a expiré ; rouvrez la page et réessayez.",
                   "Formularz wygasł; otwórz stronę ponownie i spróbuj jeszcze raz."),
    "error.form_unreadable": ("The form could not be read: it has more fields or files than the back office's "
                              "forms send. Open the page again and retry.",
                              "Veidlapu nevarēja nolasīt: tajā ir vairāk lauku vai datņu, nekā sūta biroja "
                              "veidlapas. Atveriet lapu vēlreiz un mēģiniet vēlreiz.",
                              "Das Formular konnte nicht gelesen werden: Es hat mehr Felder oder Dateien, als die "
                              "Formulare der Sachbearbeitung senden. Öffnen Sie die Seite erneut und versuchen Sie "
                              "es noch einmal.",
                              "Le formulaire n'a pas pu être lu : il contient plus de champs ou de fichiers que "
                              "n'en envoient les formulaires du back-office. Rouvrez la page et réessayez.",
                              "Nie udało się odczytać formularza: ma więcej pól lub plików, niż wysyłają formularze "
                              "zaplecza. Otwórz stronę ponownie i spróbuj jeszcze raz."),
    "not_found": ("This page does not exist.", "Šī lapa neeksistē.", "Diese Seite gibt es nicht.",
                  "Cette page n'existe pas.", "Ta strona nie istnieje."),
    # The error page's h1 (office/error.html), by its status: what happened, its message says why.
    "error_heading": ("This could not be done", "To nevarēja izdarīt", "Das war nicht möglich",
                      "Cette action n'a pas pu aboutir", "Nie udało się tego zrobić"),
    "error_heading.403": ("Access denied", "Piekļuve liegta", "Zugriff verweigert", "Accès refusé",
                          "Odmowa dostępu"),
    "error_heading.404": ("Page not found", "Lapa nav atrasta", "Seite nicht gefunden", "Page introuvable",
                          "Nie znaleziono strony"),
    "home": ("Go to the start page", "Uz sākumlapu", "Zur Startseite", "Aller à la page d'accueil",
             "Przejdź do strony startowej"),
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
    "field.status_confirmation": ("Situation of the person", "Personas statuss", "Situation der Person",
                                  "Situation de la personne", "Sytuacja osoby"),
    "field.transitional_rules": ("Transitional rules apply", "Piemēro pārejas noteikumus",
                                 "Übergangsbestimmungen gelten", "Dispositions transitoires applicables",
                                 "Stosuje się przepisy przejściowe"),
    # Boxes 2.4 and 2.5 of the A1 (credentials/pda1.py: the ESSPASS extension), as its type metadata words them.
    **{f"field.{box}": (pda1.label(box, "en"), pda1.label(box, "lv"), pda1.label(box, "de"), pda1.label(box, "fr"),
                        pda1.label(box, "pl")) for box in ("applies_for_duration", "determination_provisional")},
    "hint.applies_for_duration": ("Box 2.4 of the A1. The period still needs its end date: inspections check the A1 "
                                  "against it.",
                                  "A1 2.4. aile. Periodam joprojām vajag beigu datumu: pārbaudēs A1 vērtē pēc tā.",
                                  "Feld 2.4 der A1. Der Zeitraum braucht weiterhin sein Enddatum: Kontrollen prüfen "
                                  "die A1 danach.",
                                  "Case 2.4 de l'A1. La période garde sa date de fin : les contrôles vérifient l'A1 "
                                  "par rapport à elle.",
                                  "Pole 2.4 zaświadczenia A1. Okres nadal wymaga daty końcowej: kontrole sprawdzają "
                                  "A1 według niej."),
    # A box of section 2 in the case's "All fields" table (_claim_rows), in the page's language.
    "box.yes": ("yes", "jā", "ja", "oui", "tak"),
    "box.no": ("no", "nē", "nein", "non", "nie"),
    "hint.determination_provisional": ("Box 2.5 of the A1: the legislation was determined provisionally (Art. 16(2) "
                                       "of Regulation 987/2009); it becomes definitive two months after the other "
                                       "states' institutions are informed, unless one contests it (Art. 16(3)). "
                                       "The worker's wallet and the inspector are told it may still change.",
                                       "A1 2.5. aile: piemērojamie tiesību akti noteikti provizoriski (Regulas "
                                       "987/2009 16. panta 2. punkts); lēmums kļūst galīgs divus mēnešus pēc tam, "
                                       "kad par to informētas pārējo valstu iestādes, ja vien kāda to neapstrīd "
                                       "(16. panta 3. punkts). Darba ņēmēja makam un inspektoram tiek norādīts, "
                                       "ka tas vēl var mainīties.",
                                       "Feld 2.5 der A1: Die Rechtsvorschriften wurden vorläufig festgelegt "
                                       "(Art. 16 Abs. 2 der Verordnung 987/2009); die Festlegung wird zwei Monate "
                                       "nach Unterrichtung der Träger der anderen Staaten endgültig, wenn keiner "
                                       "widerspricht (Art. 16 Abs. 3). Wallet und Kontrolle erfahren, dass sie sich "
                                       "noch ändern kann.",
                                       "Case 2.5 de l'A1 : la législation a été déterminée à titre provisoire "
                                       "(art. 16, par. 2, du règlement 987/2009) ; la détermination devient "
                                       "définitive deux mois après l'information des institutions des autres États, "
                                       "sauf contestation (art. 16, par. 3). Le portefeuille du travailleur et "
                                       "l'inspecteur sont avertis qu'elle peut encore changer.",
                                       "Pole 2.5 zaświadczenia A1: ustawodawstwo ustalono tymczasowo (art. 16 ust. 2 "
                                       "rozporządzenia 987/2009); ustalenie staje się ostateczne dwa miesiące po "
                                       "poinformowaniu instytucji pozostałych państw, chyba że któraś je zakwestionuje "
                                       "(art. 16 ust. 3). Portfel pracownika i inspektor dowiadują się, że może ono "
                                       "jeszcze ulec zmianie."),
    "field.employer.id": ("Employer id", "Darba devēja kods", "Arbeitgeber-Kennung", "Identifiant de l'employeur",
                          "Identyfikator pracodawcy"),
    "field.employer.name": ("Employer name", "Darba devēja nosaukums", "Name des Arbeitgebers",
                            "Nom de l'employeur", "Nazwa pracodawcy"),
    "field.employer.country": ("Employer country", "Darba devēja valsts", "Staat des Arbeitgebers",
                               "Pays de l'employeur", "Państwo pracodawcy"),
    "field.work_address.street_address": ("Street", "Iela", "Straße", "Rue", "Ulica"),
    "field.work_address.house_number": ("House number", "Mājas numurs", "Hausnummer", "Numéro", "Numer domu"),
    "field.work_address.postal_code": ("Postal code", "Pasta indekss", "Postleitzahl", "Code postal",
                                       "Kod pocztowy"),
    "field.work_address.locality": ("Place of work (town)", "Darba vieta (pilsēta)", "Arbeitsort (Ort)",
                                    "Lieu de travail (ville)", "Miejsce pracy (miejscowość)"),
    "field.work_address.country": ("Place of work (country)", "Darba vieta (valsts)", "Arbeitsort (Staat)",
                                   "Lieu de travail (pays)", "Miejsce pracy (państwo)"),
    "field.issuing_authority": ("Issued by", "Izdevējs", "Ausgestellt von", "Délivré par", "Wydane przez"),
    "field.issuing_country": ("Issuing country", "Izdevējvalsts", "Ausstellungsstaat", "Pays de délivrance",
                              "Państwo wydania"),
    "field.authentic_source": ("Competent institution", "Kompetentā iestāde", "Zuständiger Träger",
                               "Institution compétente", "Instytucja właściwa"),
    "field.family_name": ("Family name", "Uzvārds", "Familienname", "Nom", "Nazwisko"),
    "field.given_name": ("Given names", "Vārds", "Vornamen", "Prénoms", "Imiona"),
    "field.birthdate": ("Date of birth", "Dzimšanas datums", "Geburtsdatum", "Date de naissance", "Data urodzenia"),
    "field.nationalities": ("Nationality", "Pilsonība", "Staatsangehörigkeit", "Nationalité", "Obywatelstwo"),
    "field.place_of_birth.country": ("Country of birth", "Dzimšanas valsts", "Geburtsstaat", "Pays de naissance",
                                     "Państwo urodzenia"),
    "field.place_of_birth.locality": ("Town of birth", "Dzimšanas vieta (pilsēta)", "Geburtsort (Ort)",
                                      "Ville de naissance", "Miejscowość urodzenia"),
    "field.subject.familynames": ("Family name", "Uzvārds", "Familienname", "Nom", "Nazwisko"),
    "field.subject.forenames": ("Given names", "Vārds", "Vornamen", "Prénoms", "Imiona"),
    "field.subject.date_of_birth": ("Date of birth", "Dzimšanas datums", "Geburtsdatum", "Date de naissance",
                                    "Data urodzenia"),
    "field.employer.type": ("Employment (01) or self-employment (02)", "Darba ņēmējs (01) vai pašnodarbinātais (02)",
                            "Beschäftigung (01) oder selbständige Tätigkeit (02)",
                            "Activité salariée (01) ou non salariée (02)",
                            "Zatrudnienie (01) lub samozatrudnienie (02)"),
    "field.work_address.formatted": ("Place of work (address)", "Darba vieta (adrese)", "Arbeitsort (Anschrift)",
                                     "Lieu de travail (adresse)", "Miejsce pracy (adres)"),
    "field.work_address.region": ("Place of work (region)", "Darba vieta (reģions)", "Arbeitsort (Region)",
                                  "Lieu de travail (région)", "Miejsce pracy (region)"),
    "field.work_address.company_name": ("Company or ship", "Uzņēmums vai kuģis", "Unternehmen oder Schiff",
                                        "Entreprise ou navire", "Przedsiębiorstwo lub statek"),
    "field.work_address.company_id": ("Company or ship id", "Uzņēmuma vai kuģa kods", "Kennung des Unternehmens oder "
                                      "Schiffs", "Identifiant de l'entreprise ou du navire",
                                      "Identyfikator przedsiębiorstwa lub statku"),
    "field.work_address.flag_base_home": ("Flag state or home base", "Karoga valsts vai mājas bāze",
                                          "Flaggenstaat oder Heimatbasis", "État du pavillon ou base d'affectation",
                                          "Państwo bandery lub baza macierzysta"),
    "field.no_fixed_place_of_work": ("No fixed place of work (country)", "Nav pastāvīgas darba vietas (valsts)",
                                     "Kein fester Arbeitsort (Staat)", "Pas de lieu de travail fixe (pays)",
                                     "Brak stałego miejsca pracy (państwo)"),
    "field.place_of_birth.region": ("Region of birth", "Dzimšanas reģions", "Geburtsregion", "Région de naissance",
                                    "Region urodzenia"),
    "field.picture": ("Portrait", "Portrets", "Lichtbild", "Photographie", "Zdjęcie"),
    # The case's holder (the form's "Holder" group: an EHIC's card fields 3-5), named as such where the
    # field is named alone: in the error banner and the import report.
    # The holder as a whole (case.a1_holder_required, case.holder_required: none of the three given).
    "field.holder": ("Holder", "Turētājs", "Inhaber/in", "Titulaire", "Posiadacz"),
    "field.holder.family_name": ("Holder's family name", "Turētāja uzvārds", "Familienname der Inhaberin/des Inhabers",
                                 "Nom du titulaire", "Nazwisko posiadacza"),
    "field.holder.given_name": ("Holder's given names", "Turētāja vārds", "Vornamen der Inhaberin/des Inhabers",
                                "Prénoms du titulaire", "Imiona posiadacza"),
    "field.holder.birthdate": ("Holder's date of birth", "Turētāja dzimšanas datums",
                               "Geburtsdatum der Inhaberin/des Inhabers", "Date de naissance du titulaire",
                               "Data urodzenia posiadacza"),
    "field.configuration_id": ("Document type", "Dokumenta veids", "Dokumentart", "Type de document",
                               "Rodzaj dokumentu"),
    "field.reason": ("Reason", "Iemesls", "Grund", "Motif", "Powód"),
    "field.file": ("CSV file", "CSV fails", "CSV-Datei", "Fichier CSV", "Plik CSV"),
    # The members of an institution named as an object (issuing_authority, authentic_source).
    "part.id": ("identifier", "identifikators", "Kennung", "identifiant", "identyfikator"),
    "part.name": ("name", "nosaukums", "Name", "nom", "nazwa"),
    "part.country": ("country", "valsts", "Staat", "pays", "państwo"),
    # A rule broken by a PDA1's employers or places of work as a whole (no employer, a posting with no
    # place abroad), named in the error banner.
    "field.employer": ("Employer", "Darba devējs", "Arbeitgeber", "Employeur", "Pracodawca"),
    "field.work_address": ("Place of work", "Darba vieta", "Arbeitsort", "Lieu de travail", "Miejsce pracy"),
    "field.work_information": ("Place of work", "Darba vieta", "Arbeitsort", "Lieu de travail", "Miejsce pracy"),
    # A PDA1's employers and places of work, a row each (Art. 13 of 883/2004: every one of them).
    "row.employer": ("Employer {n}", "Darba devējs {n}", "Arbeitgeber {n}", "Employeur {n}", "Pracodawca {n}"),
    "row.work": ("Place of work {n}", "Darba vieta {n}", "Arbeitsort {n}", "Lieu de travail {n}",
                 "Miejsce pracy {n}"),
    "add.employer": ("Add another employer or self-employed activity",
                     "Pievienot vēl vienu darba devēju vai pašnodarbinātā darbību",
                     "Weiteren Arbeitgeber oder weitere selbständige Tätigkeit hinzufügen",
                     "Ajouter un autre employeur ou une autre activité non salariée",
                     "Dodaj kolejnego pracodawcę lub działalność na własny rachunek"),
    "add.work": ("Add another place of work", "Pievienot vēl vienu darba vietu", "Weiteren Arbeitsort hinzufügen",
                 "Ajouter un autre lieu de travail", "Dodaj kolejne miejsce pracy"),
    "more_rows": ("More rows for employers and places of work", "Vairāk rindu darba devējiem un darba vietām",
                  "Mehr Zeilen für Arbeitgeber und Arbeitsorte",
                  "Plus de lignes pour les employeurs et les lieux de travail",
                  "Więcej wierszy na pracodawców i miejsca pracy"),
    "more_rows_help": ("Keeps what you typed; records nothing.", "Saglabā ierakstīto; neko nereģistrē.",
                       "Behält das Eingegebene; erfasst nichts.",
                       "Conserve ce que vous avez saisi ; n'enregistre rien.",
                       "Zachowuje wpisane dane; niczego nie zapisuje."),
    "kind.01": ("01 – employment", "01 – darba ņēmējs", "01 – Beschäftigung", "01 – activité salariée",
                "01 – zatrudnienie"),
    "kind.02": ("02 – self-employment", "02 – pašnodarbinātais", "02 – selbständige Tätigkeit",
                "02 – activité non salariée", "02 – samozatrudnienie"),
    "hint.employer_type": ("Left empty, the situation gives it: 02 for 03 and 04, otherwise 01. For 08, 09 and 11, "
                           "say which each entry is.",
                           "Ja atstāj tukšu, to nosaka statuss: 03 un 04 — 02, citādi 01. Statusiem 08, 09 un 11 "
                           "norādiet katram ierakstam.",
                           "Leer gelassen, ergibt sie sich aus der Situation: 02 bei 03 und 04, sonst 01. Bei 08, 09 "
                           "und 11 geben Sie sie für jeden Eintrag an.",
                           "Laissé vide, il découle de la situation : 02 pour 03 et 04, sinon 01. Pour 08, 09 et 11, "
                           "indiquez-le pour chaque entrée.",
                           "Pozostawiony pusty wynika z sytuacji: 02 dla 03 i 04, w pozostałych przypadkach 01. Dla "
                           "08, 09 i 11 wskaż go dla każdego wpisu."),
    "hint.company_name": ("For a mariner, the ship's name; otherwise the company worked at",
                          "Jūrniekam — kuģa nosaukums; citādi uzņēmums, kurā strādā",
                          "Bei Seeleuten der Name des Schiffs, sonst das Unternehmen, in dem gearbeitet wird",
                          "Pour un marin, le nom du navire ; sinon l'entreprise où la personne travaille",
                          "Dla marynarza nazwa statku; w innym przypadku przedsiębiorstwo, w którym osoba pracuje"),
    "hint.company_id": ("A ship's IMO number (e.g. IMO9999999), or the company's registration number",
                        "Kuģa IMO numurs (piem., IMO9999999) vai uzņēmuma reģistrācijas numurs",
                        "IMO-Nummer des Schiffs (z. B. IMO9999999) oder Registernummer des Unternehmens",
                        "Numéro OMI du navire (p. ex. IMO9999999) ou numéro d'immatriculation de l'entreprise",
                        "Numer IMO statku (np. IMO9999999) lub numer rejestrowy przedsiębiorstwa"),
    "hint.flag_base_home": ("A mariner's flag state (e.g. LV), or a flight or cabin crew member's home base "
                            "(e.g. RIX)",
                            "Jūrniekam — karoga valsts (piem., LV); lidojuma vai salona apkalpes loceklim — "
                            "mājas bāze (piem., RIX)",
                            "Bei Seeleuten der Flaggenstaat (z. B. LV), bei Flug- oder Kabinenbesatzung die "
                            "Heimatbasis (z. B. RIX)",
                            "Pour un marin, l'État du pavillon (p. ex. LV) ; pour un membre d'équipage, la base "
                            "d'affectation (p. ex. RIX)",
                            "Dla marynarza państwo bandery (np. LV); dla członka załogi lotniczej lub pokładowej "
                            "baza macierzysta (np. RIX)"),
    "hint.no_fixed_place_of_work": ("Only when the person has no fixed place of work (e.g. in international "
                                    "transport): the state, as a two-letter code. Leave the places of work empty "
                                    "then.",
                                    "Tikai tad, ja personai nav pastāvīgas darba vietas (piem., starptautiskajos "
                                    "pārvadājumos): valsts divu burtu kods. Tad darba vietas atstājiet tukšas.",
                                    "Nur wenn die Person keinen festen Arbeitsort hat (z. B. im internationalen "
                                    "Verkehr): der Staat als zweistelliger Code. Lassen Sie die Arbeitsorte dann "
                                    "leer.",
                                    "Seulement si la personne n'a pas de lieu de travail fixe (p. ex. transport "
                                    "international) : l'État, en code à deux lettres. Laissez alors les lieux de "
                                    "travail vides.",
                                    "Tylko gdy osoba nie ma stałego miejsca pracy (np. w transporcie "
                                    "międzynarodowym): państwo jako kod dwuliterowy. Pozostaw wtedy miejsca pracy "
                                    "puste."),
    # The CSV import's lists (issuer.service.unflatten): numbered columns, an entry each.
    "csv_lists": ("Several employers or places of work: number the columns, one number per entry, from 0: "
                  "employer.0.type, employer.0.id, employer.0.name, employer.0.country, employer.1.type, …; "
                  "work_information.work_address.0.locality, work_information.work_address.0.country, "
                  "work_information.work_address.1.locality, …; or work_information.no_fixed_place_of_work. "
                  "An entry whose cells are all empty is left out. For one employer and one place of work, the "
                  "template's columns (employer.name, work_address.locality …) stay as they are.",
                  "Vairāki darba devēji vai darba vietas: numurējiet kolonnas, katram ierakstam savs numurs, "
                  "sākot ar 0: employer.0.type, employer.0.id, employer.0.name, employer.0.country, "
                  "employer.1.type, …; work_information.work_address.0.locality, "
                  "work_information.work_address.0.country, work_information.work_address.1.locality, …; vai "
                  "work_information.no_fixed_place_of_work. Ieraksts, kura visas šūnas ir tukšas, netiek ņemts "
                  "vērā. Vienam darba devējam un vienai darba vietai veidnes kolonnas (employer.name, "
                  "work_address.locality …) paliek kā ir.",
                  "Mehrere Arbeitgeber oder Arbeitsorte: Nummerieren Sie die Spalten, eine Nummer je Eintrag, ab 0: "
                  "employer.0.type, employer.0.id, employer.0.name, employer.0.country, employer.1.type, …; "
                  "work_information.work_address.0.locality, work_information.work_address.0.country, "
                  "work_information.work_address.1.locality, …; oder work_information.no_fixed_place_of_work. "
                  "Ein Eintrag mit lauter leeren Zellen entfällt. Für einen Arbeitgeber und einen Arbeitsort "
                  "bleiben die Spalten der Vorlage (employer.name, work_address.locality …) unverändert.",
                  "Plusieurs employeurs ou lieux de travail : numérotez les colonnes, un numéro par entrée, à partir "
                  "de 0 : employer.0.type, employer.0.id, employer.0.name, employer.0.country, employer.1.type, … ; "
                  "work_information.work_address.0.locality, work_information.work_address.0.country, "
                  "work_information.work_address.1.locality, … ; ou work_information.no_fixed_place_of_work. Une "
                  "entrée dont toutes les cellules sont vides est ignorée. Pour un employeur et un lieu de travail, "
                  "les colonnes du modèle (employer.name, work_address.locality …) restent telles quelles.",
                  "Kilku pracodawców lub kilka miejsc pracy: ponumeruj kolumny, jeden numer na wpis, od 0: "
                  "employer.0.type, employer.0.id, employer.0.name, employer.0.country, employer.1.type, …; "
                  "work_information.work_address.0.locality, work_information.work_address.0.country, "
                  "work_information.work_address.1.locality, …; albo work_information.no_fixed_place_of_work. "
                  "Wpis, którego wszystkie komórki są puste, jest pomijany. Dla jednego pracodawcy i jednego "
                  "miejsca pracy kolumny szablonu (employer.name, work_address.locality …) pozostają bez zmian."),
}
#: A PRC's fields 8 and 9 of the card it replaces (credentials/ehic.py PRC_CARD_CLAIMS), by their claims' labels
#: (what a rule broken at them is said under); the form labels them as the card replaced's (field.prc_card_*).
_T.update({f"field.{name}": (ehic.label(name, "en"), ehic.label(name, "lv"), ehic.label(name, "de"),
                             ehic.label(name, "fr"), ehic.label(name, "pl")) for name in ehic.PRC_CARD_CLAIMS})
i18n.register({f"office.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _T.items()})

#: The posting rules' words on the form (issuer.rules.posting_check).
_POSTING_T: dict[str, tuple[str, str, str, str, str]] = {
    "event.posting_derogation": ("recorded under a derogation from the two-month interval (Decision A2, point 3(c))",
                                 "reģistrēts kā atkāpe no divu mēnešu intervāla (Lēmuma A2 3. punkta c) "
                                 "apakšpunkts)",
                                 "als Ausnahme vom Zweimonatsabstand erfasst (Beschluss A2, Nr. 3 Buchst. c)",
                                 "enregistré par dérogation à l'intervalle de deux mois (décision A2, point 3 c))",
                                 "zapisano w drodze odstępstwa od dwumiesięcznego odstępu (decyzja A2, pkt 3 lit. c))"),
    "event.overlap_confirmed": ("recorded beside an overlapping A1, confirmed by the clerk",
                                "reģistrēts līdzās pārklājošam A1, darbiniekam apstiprinot",
                                "neben einer sich überschneidenden A1 erfasst, von der Sachbearbeitung bestätigt",
                                "enregistré à côté d'un A1 qui le chevauche, confirmé par l'agent",
                                "zapisano obok pokrywającego się A1, potwierdzone przez urzędnika"),
    "event.overlap_noted": ("recorded beside an overlapping A1", "reģistrēts līdzās pārklājošam A1",
                            "neben einer sich überschneidenden A1 erfasst",
                            "enregistré à côté d'un A1 qui le chevauche", "zapisano obok pokrywającego się A1"),
    "posting_warning": ("Not recorded yet:", "Vēl nav reģistrēts:", "Noch nicht erfasst:", "Pas encore enregistré :",
                        "Jeszcze nie zapisano:"),
    "derogation": ("Derogation from the two-month interval (Decision A2, point 3(c))",
                   "Atkāpe no divu mēnešu intervāla (Lēmuma A2 3. punkta c) apakšpunkts)",
                   "Ausnahme vom Zweimonatsabstand (Beschluss A2, Nr. 3 Buchst. c)",
                   "Dérogation à l'intervalle de deux mois (décision A2, point 3 c))",
                   "Odstępstwo od dwumiesięcznego odstępu (decyzja A2, pkt 3 lit. c))"),
    "derogation_reason": ("Reason for the derogation (kept in the case history)",
                          "Atkāpes iemesls (saglabā lietas vēsturē)",
                          "Grund der Ausnahme (im Verlauf des Falls festgehalten)",
                          "Motif de la dérogation (conservé dans l'historique du dossier)",
                          "Powód odstępstwa (zapisany w historii sprawy)"),
    "confirm_overlap": ("Record anyway: both A1s are meant", "Reģistrēt tomēr: ir domāti abi A1",
                        "Trotzdem erfassen: beide A1 sind gewollt", "Enregistrer quand même : les deux A1 sont voulus",
                        "Zapisz mimo to: oba A1 są zamierzone"),
}
i18n.register({f"office.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _POSTING_T.items()})
_T.update(_POSTING_T)  # one catalogue of the office's words (the history's event names are looked up in it)
#: The refusals the form answers with itself again, for the clerk to confirm (issuer.service._posting_rules).
_POSTING_WARNINGS = ("pda1.posting_chain", "pda1.overlap")
#: The form's error summary (the GOV.UK pattern, WCAG 2.2 SC 3.3.1): every problem at once, each a link to its field.
_FORM_T: dict[str, tuple[str, str, str, str, str]] = {
    "error_summary": ("There is a problem", "Radusies problēma", "Es gibt ein Problem", "Il y a un problème",
                      "Wystąpił problem"),
    "form_errors": ("Please correct the fields marked below.", "Lūdzu, izlabojiet zemāk atzīmētos laukus.",
                    "Bitte korrigieren Sie die unten markierten Felder.",
                    "Veuillez corriger les champs signalés ci-dessous.", "Popraw pola zaznaczone poniżej."),
}
i18n.register({f"office.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _FORM_T.items()})
_T.update(_FORM_T)


def _posting_options(values: Mapping[str, str]) -> tuple[str | None, bool]:
    """The clerk's answers to a posting warning on the form: the derogation's reason (None unless its
    box is ticked) and whether an overlapping A1 is meant."""
    derogation = values.get("derogation_reason", "")[:200] if values.get("derogation") else None
    return derogation, bool(values.get("confirm_overlap"))


@dataclass(frozen=True)
class Field:
    """One form field; ``name`` is the dotted claim path (``employer.name``) as in the CSV import.

    ``kind``: text, date, country, countries (``;``-separated, name ends in ``[]``), code (PDA1
    status select), kind (a PDA1 employer entry's type select), bool (checkbox). ``holder.*`` fields
    are the case's holder (an EHIC's card fields 3-5, an A1's paper copy's person).

    A ``repeat`` field is one of a row its group repeats (a PDA1's employers and places of work, DC4EU
    rulebook v1.1 lists): ``name`` is the first row's (``employer.name``), row ``n`` names it
    ``employer.n.name`` (:func:`_row_name`). A ``shaped`` field's claim is where the shape the form
    chooses puts it (:func:`_pda1_work`), not at its name.
    """

    name: str
    kind: str
    group: str
    required: bool = False
    hint: str = ""  # the translation key of a help text under the field
    repeat: bool = False
    shaped: bool = False
    label: str = ""  # the label's key (``field.<label>``) where the document names it otherwise than :attr:`key`

    @property
    def hint_key(self) -> str:
        """The field's help text (its own, or how to write a country), '' for none."""
        return self.hint or (f"hint.{self.kind}" if self.kind in ("country", "countries") else "")

    @property
    def key(self) -> str:
        """The translation key (``holder.`` prefix, a row's number and ``[]`` suffix dropped)."""
        return re.sub(r"\.\d+(?=\.)", "", self.name.removeprefix("holder.").removesuffix("[]"))

    @property
    def label_key(self) -> str:
        """The form label's translation key: the document's own word for the field, else its claim's."""
        return f"field.{self.label or self.key}"

    def row(self, number: int) -> Field:
        """This field of a repeated group's row ``number`` (0: itself)."""
        return self if number == 0 else replace(self, name=_row_name(self.name, number))

    @property
    def dom_id(self) -> str:
        return "f-" + _dom(self.name)


def _status(exc: DataError | NumberTaken) -> int:
    """A form refused at a field: 400 for a model's rule, 409 for a number another case has."""
    return exc.http_status if isinstance(exc, NumberTaken) else 400


def _dom(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", name)


_COMMON = (Field("personal_administrative_number", "text", "document", True),
           # Left empty, the issuer gives one no other document has (IssuerService.create_case).
           Field("document_number", "text", "document", hint="hint.document_number"),
           Field("date_of_issuance", "date", "document", True))
#: An A1's holder: its section 1, signed into every A1 (credentials/pda1.py with_holder) and printed on
#: its paper copy; no A1 is recorded without it (IssuerService._new_case, ``case.a1_holder_required``).
_HOLDER = (Field("holder.family_name", "text", "holder", True), Field("holder.given_name", "text", "holder", True),
           Field("holder.birthdate", "date", "holder", True))
#: An EHIC's holder: card fields 3-5 of the holder's own card, which is not offered without them
#: (a child's card names its ``subject`` instead, as the group's legend says).
_CARDHOLDER = tuple(replace(f, group="cardholder", required=True) for f in _HOLDER)
#: An EHIC's document number is its field 8, the card's identification number: labelled as the
#: card and the verifier's pages label it (the type metadata, credentials/ehic.py), not as an A1's.
i18n.register({"office.field.card_number": {lang: ehic.label("document_number", lang) for lang in i18n.LANGUAGES}})
#: A PRC's fields 8 and 9 of the card it replaces (credentials/ehic.py PRC_CARD_CLAIMS): named as that card's,
#: apart from the certificate's own number above them.
i18n.register({
    "office.field.prc_card_number": dict(zip(i18n.LANGUAGES, (
        "Number of the card replaced", "Aizvietotās kartes numurs", "Nummer der ersetzten Karte",
        "Numéro de la carte remplacée", "Numer zastępowanej karty"), strict=True)),
    "office.field.prc_card_expiry": dict(zip(i18n.LANGUAGES, (
        "Expiry date of the card replaced", "Aizvietotās kartes derīguma termiņš", "Ablaufdatum der ersetzten Karte",
        "Date d'expiration de la carte remplacée", "Data ważności zastępowanej karty"), strict=True)),
})

#: configuration id -> the form's fields, in order (every claim a clerk types; the issuer's own
#: blocks ``issuing_authority``, ``issuing_country``, ``authentic_source`` come from the institution).
FIELDS: dict[str, tuple[Field, ...]] = {
    # Section 1 first, as the paper A1 prints it: the holder, then the document.
    "pda1": (*_HOLDER, *_COMMON, Field("date_of_expiry", "date", "document"),
             Field("starting_date", "date", "period", True), Field("ending_date", "date", "period", True),
             Field("legislation_country", "country", "period", True),
             Field("status_confirmation", "code", "period", True),
             # Section 2's boxes in the A1's order: 2.4, 2.5, 2.6.
             Field("applies_for_duration", "bool", "period", hint="hint.applies_for_duration"),
             Field("determination_provisional", "bool", "period", hint="hint.determination_provisional"),
             Field("transitional_rules", "bool", "period"),
             # Sections 4 and 5 of the A1, a row per employer (or self-employed activity) and per place
             # of work (Art. 13 of 883/2004: every one of them); their claims' shape, flat v1 or
             # rulebook v1.1 lists, is the one that holds what was typed (_pda1_work).
             *(Field(f"employer.{name}", kind, "employer", required, hint, repeat=True, shaped=True)
               for name, kind, required, hint in (("id", "text", True, ""), ("name", "text", True, ""),
                                                  ("country", "country", True, ""),
                                                  ("type", "kind", False, "hint.employer_type"))),
             *(Field(f"work_address.{name}", kind, "work", hint=hint, repeat=True, shaped=True)
               for name, kind, hint in (("street_address", "text", ""), ("house_number", "text", ""),
                                        ("postal_code", "text", ""), ("locality", "text", ""),
                                        ("region", "text", ""), ("country", "country", ""),
                                        # Art. 11(4) of 883/2004: a mariner's ship and flag state;
                                        # Art. 11(5): a flight or cabin crew member's home base.
                                        ("company_name", "text", "hint.company_name"),
                                        ("company_id", "text", "hint.company_id"),
                                        ("flag_base_home", "text", "hint.flag_base_home"))),
             Field("no_fixed_place_of_work", "country", "work", hint="hint.no_fixed_place_of_work", shaped=True)),
    "ehic": (*(replace(f, label="card_number") if f.name == "document_number" else f for f in _COMMON),
             Field("date_of_expiry", "date", "document"),
             Field("starting_date", "date", "prc"), Field("ending_date", "date", "prc"),
             Field("card_number", "text", "prc", label="prc_card_number"),
             Field("card_expiry", "date", "prc", label="prc_card_expiry"),
             *_CARDHOLDER,
             Field("subject.familynames", "text", "subject"), Field("subject.forenames", "text", "subject"),
             Field("subject.date_of_birth", "date", "subject")),
    "pid": (Field("family_name", "text", "person", True), Field("given_name", "text", "person", True),
            Field("birthdate", "date", "person", True), Field("nationalities[]", "countries", "person", True),
            # PID Rulebook §2.3, optional: the state's personal number where it has one (the A1's and
            # the EHIC's too, which the inspection compares, credentials/holder_link.py).
            Field("personal_administrative_number", "text", "person"),
            Field("place_of_birth.country", "country", "birth"), Field("place_of_birth.locality", "text", "birth"),
            # Left empty, the provider's own term (pid.provider_expiry); issuing_authority and
            # issuing_country are the provider's, as the other types' issuer blocks are.
            Field("date_of_expiry", "date", "document")),
}
_STATES = {"revoke": "revoked", "suspend": "suspended", "reinstate": "active"}
#: The case page's action ending every wallet's copy renewals (IssuerService.end_renewals), by its URL.
_END_RENEWALS = "end-renewals"

#: The case page's guidance on which action fits (beside the buttons), the search results' person, the
#: administrators' search log page and the end of copy renewals: key -> (en, lv, de, fr, pl). Each says
#: what the service's action does (IssuerService.set_state, replace_case, end_renewals), nothing more.
_CASE_T: dict[str, tuple[str, str, str, str, str]] = {
    "guide_title": ("Which action?", "Kuru darbību izvēlēties?", "Welche Maßnahme?", "Quelle action ?",
                    "Które działanie?"),
    "guide.ehic.typo.when": ("A misspelt name or a wrong date of birth",
                             "Kļūdaini uzrakstīts vārds vai nepareizs dzimšanas datums",
                             "Ein falsch geschriebener Name oder ein falsches Geburtsdatum",
                             "Un nom mal orthographié ou une date de naissance erronée",
                             "Błędnie zapisane imię lub nazwisko albo zła data urodzenia"),
    "guide.ehic.typo.do": ("Replace (correct): the corrected card takes this one's place under a new number, and "
                           "this one becomes “replaced”; verifiers are told to ask for the current card.",
                           "Aizstāt (labot): labotā karte ar jaunu numuru stājas šīs vietā, un šī kļūst "
                           "“aizstāta”; pārbaudītājiem tiek norādīts prasīt pašreizējo karti.",
                           "Ersetzen (berichtigen): Die berichtigte Karte tritt unter einer neuen Nummer an die "
                           "Stelle dieser Karte, und diese wird „ersetzt“; Prüfstellen werden aufgefordert, die "
                           "aktuelle Karte zu verlangen.",
                           "Remplacer (corriger) : la carte corrigée prend la place de celle-ci sous un nouveau "
                           "numéro, et celle-ci devient « remplacée » ; les vérificateurs sont invités à demander la "
                           "carte actuelle.",
                           "Zastąp (popraw): poprawiona karta zajmuje miejsce tej pod nowym numerem, a ta staje się "
                           "„zastąpiona”; weryfikujący są proszeni o aktualną kartę."),
    "guide.ehic.ended.when": ("The insurance ended early", "Apdrošināšana beidzās agrāk",
                              "Die Versicherung endete vorzeitig", "L'assurance a pris fin plus tôt",
                              "Ubezpieczenie zakończyło się wcześniej"),
    "guide.ehic.ended.do": ("Withdraw: from now on the card fails every check, for any date of care, and this cannot "
                            "be undone; for care given while the person was insured, issue a provisional replacement "
                            "certificate for those dates. If the cover ends on a later day, end the card early "
                            "instead: replace it with that day as its expiry date, and the new card is valid until "
                            "then.",
                            "Atsaukt: no šī brīža karte neiztur nevienu pārbaudi nevienam aprūpes datumam, un to nevar "
                            "atcelt; aprūpei, kas sniegta, kamēr persona bija apdrošināta, izsniedziet EVAK "
                            "aizvietojošo sertifikātu par šiem datumiem. Ja segums beidzas vēlākā dienā, tā vietā "
                            "izbeidziet karti agrāk: aizstājiet to, norādot šo dienu kā derīguma termiņu, un jaunā "
                            "karte ir derīga līdz tai.",
                            "Widerrufen: Ab jetzt besteht die Karte keine Prüfung mehr, für kein Behandlungsdatum; das "
                            "lässt sich nicht rückgängig machen. Für Behandlungen, solange die Person versichert war, "
                            "stellen Sie eine provisorische Ersatzbescheinigung für diese Daten aus. Endet der Schutz "
                            "an einem späteren Tag, beenden Sie die Karte stattdessen vorzeitig: Ersetzen Sie sie mit "
                            "diesem Tag als Ablaufdatum, die neue Karte gilt bis dahin.",
                            "Retirer : désormais la carte échoue à toute vérification, pour toute date des soins, et "
                            "c'est définitif ; pour les soins donnés pendant que la personne était assurée, délivrez "
                            "un certificat provisoire de remplacement pour ces dates. Si la couverture prend fin à une "
                            "date ultérieure, mettez plutôt fin à la carte plus tôt : remplacez-la avec cette date "
                            "comme date d'expiration, la nouvelle carte est valable jusque-là.",
                            "Wycofaj: od teraz karta nie przechodzi żadnej kontroli, na żaden dzień świadczenia, i nie "
                            "można tego cofnąć; dla świadczeń udzielonych, gdy osoba była ubezpieczona, wydaj "
                            "certyfikat tymczasowo zastępujący kartę na te daty. Jeśli ubezpieczenie kończy się w "
                            "późniejszym dniu, zamiast tego zakończ kartę wcześniej: zastąp ją, podając ten dzień jako "
                            "datę ważności, a nowa karta jest ważna do tego dnia."),
    # A Provisional Replacement Certificate (credentials/ehic.py) certifies a period of its own: it is
    # corrected and ended early as an A1 is, by a replacement, and a withdrawal would fail it for every
    # day of care, the days the person was insured included; the card's words (its expiry, "issue a PRC
    # for those dates") do not fit it (QA review of the EHIC end to end).
    "guide.ehic_prc.typo.do": ("Replace (correct), keeping the period: the corrected certificate takes this one's "
                               "place under a new number, and this one becomes “replaced”; verifiers are told to ask "
                               "for the current certificate.",
                               "Aizstāt (labot), saglabājot periodu: labotais sertifikāts ar jaunu numuru stājas šī "
                               "vietā, un šis kļūst “aizstāts”; pārbaudītājiem tiek norādīts prasīt pašreizējo "
                               "sertifikātu.",
                               "Ersetzen (berichtigen), mit demselben Zeitraum: Die berichtigte Bescheinigung tritt "
                               "unter einer neuen Nummer an die Stelle dieser, und diese wird „ersetzt“; Prüfstellen "
                               "werden aufgefordert, die aktuelle Bescheinigung zu verlangen.",
                               "Remplacer (corriger), en gardant la période : le certificat corrigé prend la place de "
                               "celui-ci sous un nouveau numéro, et celui-ci devient « remplacé » ; les vérificateurs "
                               "sont invités à demander le certificat actuel.",
                               "Zastąp (popraw), zachowując okres: poprawiony certyfikat zajmuje miejsce tego pod "
                               "nowym numerem, a ten staje się „zastąpiony”; weryfikujący są proszeni o aktualny "
                               "certyfikat."),
    "guide.ehic_prc.ended.do": ("End it early: replace it with the shorter period (the same start, the new end), not "
                                "Withdraw: the days the person was insured stay certified.",
                                "Izbeigt agrāk: aizstājiet to ar īsāku periodu (tas pats sākums, jaunās beigas), "
                                "nevis atsauciet: dienas, kad persona bija apdrošināta, paliek apliecinātas.",
                                "Vorzeitig beenden: Ersetzen Sie sie durch den kürzeren Zeitraum (gleicher Beginn, "
                                "neues Ende), nicht widerrufen: Die Tage, an denen die Person versichert war, bleiben "
                                "bescheinigt.",
                                "Y mettre fin plus tôt : remplacez-le par la période plus courte (même début, "
                                "nouvelle fin), sans le retirer : les jours où la personne était assurée restent "
                                "certifiés.",
                                "Zakończ wcześniej: zastąp go krótszym okresem (ten sam początek, nowy koniec), nie "
                                "wycofuj: dni, w których osoba była ubezpieczona, pozostają poświadczone."),
    "guide.pda1.wrong.when": ("The wrong legislation or state (a wrong decision)",
                              "Nepareiza likumdošana vai valsts (kļūdains lēmums)",
                              "Falsche Rechtsvorschriften oder falscher Staat (eine falsche Entscheidung)",
                              "La mauvaise législation ou le mauvais État (une décision erronée)",
                              "Niewłaściwe ustawodawstwo lub państwo (błędna decyzja)"),
    "guide.pda1.wrong.do": ("Withdraw: the A1 is void from its first day (Art. 5 of Regulation 987/2009), and this "
                            "cannot be undone. Record the right decision as a new A1.",
                            "Atsaukt: A1 nav spēkā no tā pirmās dienas (Regulas 987/2009 5. pants), un to nevar "
                            "atcelt. Pareizo lēmumu reģistrējiet kā jaunu A1.",
                            "Widerrufen: Die A1 gilt von ihrem ersten Tag an nicht (Art. 5 der Verordnung 987/2009); "
                            "das lässt sich nicht rückgängig machen. Erfassen Sie die richtige Entscheidung als neue "
                            "A1.",
                            "Retirer : l'A1 est nul dès son premier jour (art. 5 du règlement 987/2009), et c'est "
                            "définitif. Enregistrez la bonne décision comme un nouvel A1.",
                            "Wycofaj: A1 jest nieważne od pierwszego dnia (art. 5 rozporządzenia 987/2009) i nie "
                            "można tego cofnąć. Zapisz właściwą decyzję jako nowe A1."),
    "guide.pda1.typo.when": ("A typo in the worker's or the employer's details",
                             "Drukas kļūda darba ņēmēja vai darba devēja datos",
                             "Ein Tippfehler in den Angaben zur Person oder zum Arbeitgeber",
                             "Une faute de frappe dans les données du travailleur ou de l'employeur",
                             "Literówka w danych pracownika lub pracodawcy"),
    "guide.pda1.typo.do": ("Replace (correct), keeping the period: the corrected A1 takes this one's place under a "
                           "new number, and this one becomes “replaced”; inspectors are told to ask for the current "
                           "A1.",
                           "Aizstāt (labot), saglabājot periodu: labotais A1 ar jaunu numuru stājas šī vietā, un šis "
                           "kļūst “aizstāts”; inspektoriem tiek norādīts prasīt pašreizējo A1.",
                           "Ersetzen (berichtigen), mit demselben Zeitraum: Die berichtigte A1 tritt unter einer "
                           "neuen Nummer an die Stelle dieser, und diese wird „ersetzt“; Kontrollen werden "
                           "aufgefordert, die aktuelle A1 zu verlangen.",
                           "Remplacer (corriger), en gardant la période : l'A1 corrigé prend la place de celui-ci "
                           "sous un nouveau numéro, et celui-ci devient « remplacé » ; les inspecteurs sont invités à "
                           "demander l'A1 actuel.",
                           "Zastąp (popraw), zachowując okres: poprawione A1 zajmuje miejsce tego pod nowym numerem, "
                           "a to staje się „zastąpione”; inspektorzy są proszeni o aktualne A1."),
    "guide.pda1.ended.when": ("The posting ended early", "Norīkojums beidzās agrāk", "Die Entsendung endete vorzeitig",
                              "Le détachement a pris fin plus tôt", "Delegowanie zakończyło się wcześniej"),
    # The same situation for an A1 that certifies no posting (Art. 13, a civil servant's, a mariner's...).
    "guide.pda1.ended_activity.when": ("The activity ended early", "Darbība beidzās agrāk",
                                       "Die Tätigkeit endete vorzeitig", "L'activité a pris fin plus tôt",
                                       "Działalność zakończyła się wcześniej"),
    "guide.pda1.ended.do": ("End it early: replace it with the shorter period (the same start, the new end), not "
                            "Withdraw: the months worked stay covered.",
                            "Izbeigt agrāk: aizstājiet to ar īsāku periodu (tas pats sākums, jaunās beigas), nevis "
                            "atsauciet: nostrādātie mēneši paliek segti.",
                            "Vorzeitig beenden: Ersetzen Sie sie durch den kürzeren Zeitraum (gleicher Beginn, neues "
                            "Ende), nicht widerrufen: Die gearbeiteten Monate bleiben gedeckt.",
                            "Y mettre fin plus tôt : remplacez-le par la période plus courte (même début, nouvelle "
                            "fin), sans le retirer : les mois travaillés restent couverts.",
                            "Zakończ wcześniej: zastąp je krótszym okresem (ten sam początek, nowy koniec), nie "
                            "wycofuj: przepracowane miesiące pozostają objęte."),
    "guide.suspend.when": ("Facts still to be checked", "Fakti vēl jāpārbauda", "Sachverhalt noch zu prüfen",
                           "Des faits encore à vérifier", "Fakty wciąż do sprawdzenia"),
    "guide.suspend.do": ("Suspend: the document is not valid meanwhile; reinstate it, or withdraw it, once you know.",
                         "Apturēt: dokuments pa to laiku nav derīgs; kad zināt, atjaunojiet vai atsauciet to.",
                         "Aussetzen: Das Dokument gilt so lange nicht; setzen Sie es wieder in Kraft oder widerrufen "
                         "Sie es, sobald Sie es wissen.",
                         "Suspendre : le document n'est pas valable entre-temps ; rétablissez-le ou retirez-le une "
                         "fois fixé.",
                         "Zawieś: dokument w tym czasie nie jest ważny; gdy będzie wiadomo, przywróć go lub wycofaj."),
    # A lost or stolen phone (IssuerService.stop_copies), said on every active case: the clerk stops that
    # phone's copies, then makes a new offer for the new one (review R2, 1-2).
    "guide.lost.when": ("The person's phone was lost or stolen", "Personas tālrunis ir pazaudēts vai nozagts",
                        "Das Telefon der Person ist verloren oder gestohlen",
                        "Le téléphone de la personne a été perdu ou volé",
                        "Telefon osoby zginął lub został skradziony"),
    "guide.lost.do": ("Stop that phone's copies: under “{section}”, find the wallet that took the document on it (by "
                      "the date) and press “{button}”. From then on its copies fail every check, with or without "
                      "network, and it gets no new ones; the document stays valid. Then hand the document to the new "
                      "phone with a new offer: an offer alone stops no copy.",
                      "Apturiet šī tālruņa kopijas: sadaļā “{section}” atrodiet maku, kas tajā saņēma dokumentu "
                      "(pēc datuma), un nospiediet “{button}”. No tā brīža tā kopijas neiztur nevienu pārbaudi, ar "
                      "tīklu vai bez tā, un tas vairs nesaņem jaunas; dokuments paliek derīgs. Pēc tam nododiet "
                      "dokumentu jaunajam tālrunim ar jaunu piedāvājumu: piedāvājums vien neaptur nevienu kopiju.",
                      "Stoppen Sie die Kopien dieses Telefons: Suchen Sie unter „{section}“ die Wallet, die das "
                      "Dokument darauf erhalten hat (nach dem Datum), und drücken Sie „{button}“. Ab dann bestehen "
                      "ihre Kopien keine Prüfung mehr, mit oder ohne Netz, und sie erhält keine neuen; das Dokument "
                      "bleibt gültig. Übergeben Sie das Dokument dann mit einem neuen Angebot an das neue Telefon: "
                      "Ein Angebot allein stoppt keine Kopie.",
                      "Arrêtez les copies de ce téléphone : sous « {section} », repérez le portefeuille qui y a reçu "
                      "le document (d'après la date) et appuyez sur « {button} ». Dès lors, ses copies échouent à "
                      "toute vérification, avec ou sans réseau, et il n'en reçoit plus de nouvelles ; le document "
                      "reste valable. Remettez ensuite le document au nouveau téléphone par une nouvelle offre : une "
                      "offre seule n'arrête aucune copie.",
                      "Zatrzymaj kopie z tego telefonu: w sekcji „{section}” znajdź portfel, który pobrał na nim "
                      "dokument (według daty), i naciśnij „{button}”. Od tej chwili jego kopie nie przechodzą żadnej "
                      "weryfikacji, z siecią lub bez, i nie dostaje on nowych; dokument pozostaje ważny. Następnie "
                      "przekaż dokument na nowy telefon nową ofertą: sama oferta nie zatrzymuje żadnej kopii."),
    "guide.renewals.when": ("A phone the person no longer uses (not lost)",
                            "Tālrunis, ko persona vairs neizmanto (nav pazaudēts)",
                            "Ein Telefon, das die Person nicht mehr nutzt (nicht verloren)",
                            "Un téléphone que la personne n'utilise plus (non perdu)",
                            "Telefon, którego osoba już nie używa (nie zgubiony)"),
    "guide.renewals.do": ("End copy renewals: no wallet gets new copies, and the copies already held stay valid until "
                          "they end; the document stays valid. A new offer ends earlier renewals too.",
                          "Beigt kopiju atjaunošanu: neviens maks vairs nesaņem jaunas kopijas, un jau saņemtās "
                          "kopijas paliek derīgas līdz to beigām; dokuments paliek derīgs. Jauns piedāvājums arī "
                          "izbeidz agrākās atjaunošanas.",
                          "Erneuerung der Kopien beenden: Keine Wallet erhält mehr neue Kopien, die vorhandenen "
                          "bleiben gültig, bis sie ablaufen; das Dokument bleibt gültig. Ein neues Angebot beendet "
                          "frühere Erneuerungen ebenfalls.",
                          "Arrêter le renouvellement des copies : aucun portefeuille ne reçoit plus de nouvelles "
                          "copies, et celles déjà détenues restent valables jusqu'à leur fin ; le document reste "
                          "valable. Une nouvelle offre arrête aussi les renouvellements antérieurs.",
                          "Zakończ odnawianie kopii: żaden portfel nie dostaje już nowych kopii, a kopie już "
                          "posiadane pozostają ważne do końca ich ważności; dokument pozostaje ważny. Nowa oferta "
                          "także kończy wcześniejsze odnawianie."),
    "guide.approval": ("Here a second clerk approves each document: a replacement takes effect once it is approved; "
                       "until then this document stays as it is.",
                       "Šeit katru dokumentu apstiprina otrs darbinieks: aizstājējs stājas spēkā, kad to apstiprina; "
                       "līdz tam šis dokuments paliek, kāds ir.",
                       "Hier gibt eine zweite Sachbearbeitung jedes Dokument frei: Ein Ersatz wirkt mit seiner "
                       "Freigabe; bis dahin bleibt dieses Dokument, wie es ist.",
                       "Ici, un second agent approuve chaque document : un remplacement prend effet à son "
                       "approbation ; jusque-là, ce document reste tel quel.",
                       "Tutaj każdy dokument zatwierdza drugi urzędnik: zastąpienie działa od zatwierdzenia; do tego "
                       "czasu ten dokument pozostaje bez zmian."),
    "end_renewals": ("End copy renewals", "Beigt kopiju atjaunošanu", "Erneuerung der Kopien beenden",
                     "Arrêter le renouvellement des copies", "Zakończ odnawianie kopii"),
    "reason_end_renewals": ("Reason for ending the renewals", "Atjaunošanas beigšanas iemesls",
                            "Grund für das Beenden der Erneuerung", "Motif de l'arrêt des renouvellements",
                            "Powód zakończenia odnawiania"),
    "end_renewals_help": ("Wallets renewing this document's copies by themselves: {n}. Ending this stops them; the "
                          "document stays valid, and the copies a wallet holds stay until they end.",
                          "Maki, kas paši atjauno šī dokumenta kopijas: {n}. To beidzot, tie apstājas; dokuments "
                          "paliek derīgs, un makā esošās kopijas paliek līdz to beigām.",
                          "Wallets, die die Kopien dieses Dokuments selbst erneuern: {n}. Das Beenden stoppt sie; das "
                          "Dokument bleibt gültig, und die Kopien in einer Wallet bleiben, bis sie ablaufen.",
                          "Portefeuilles qui renouvellent eux-mêmes les copies de ce document : {n}. Les arrêter y "
                          "met fin ; le document reste valable, et les copies détenues par un portefeuille restent "
                          "jusqu'à leur fin.",
                          "Portfele same odnawiające kopie tego dokumentu: {n}. Zakończenie je zatrzymuje; dokument "
                          "pozostaje ważny, a kopie w portfelu pozostają do ich wygaśnięcia."),
    "event.renewals_ended": ("copy renewals ended by the institution (the document stays valid)",
                             "iestāde beidza kopiju atjaunošanu (dokuments paliek derīgs)",
                             "Erneuerung der Kopien von der Einrichtung beendet (das Dokument bleibt gültig)",
                             "renouvellement des copies arrêté par l'organisme (le document reste valable)",
                             "instytucja zakończyła odnawianie kopii (dokument pozostaje ważny)"),
    "born": ("born {date}", "dzim. {date}", "geboren am {date}", "né(e) le {date}", "ur. {date}"),
    "represented_card": ("a represented person's card (a child's): it names the child, not the insured holder",
                         "pārstāvētas personas (bērna) karte: tajā ir bērna vārds, nevis apdrošinātā turētāja",
                         "Karte einer vertretenen Person (eines Kindes): Sie nennt das Kind, nicht die versicherte "
                         "Person",
                         "carte d'une personne représentée (un enfant) : elle nomme l'enfant, pas le titulaire assuré",
                         "karta osoby reprezentowanej (dziecka): wskazuje dziecko, a nie ubezpieczonego posiadacza"),
    "insured_holder": ("insured holder: {name}", "apdrošinātais turētājs: {name}", "versicherte Person: {name}",
                       "titulaire assuré : {name}", "ubezpieczony posiadacz: {name}"),
    "no_person": ("no name recorded", "vārds nav reģistrēts", "kein Name erfasst", "aucun nom enregistré",
                  "nie zapisano nazwiska"),
    "searches_nav": ("Search log", "Meklēšanas žurnāls", "Suchprotokoll", "Journal des recherches",
                     "Dziennik wyszukiwań"),
    "searches_help": ("Every search and listing of the cases by a clerk: who, when, and how many cases it showed. "
                      "The words searched for are never kept: they are a person's name or number.",
                      "Katra darbinieka veikta lietu meklēšana un saraksta skatīšana: kas, kad un cik lietu tā "
                      "parādīja. Meklētie vārdi netiek glabāti: tie ir personas vārds vai numurs.",
                      "Jede Suche und Auflistung der Fälle durch die Sachbearbeitung: wer, wann und wie viele Fälle "
                      "sie zeigte. Die Suchbegriffe werden nie gespeichert: Sie sind Name oder Nummer einer Person.",
                      "Chaque recherche et liste des dossiers par un agent : qui, quand et combien de dossiers elle a "
                      "affichés. Les mots recherchés ne sont jamais conservés : ce sont le nom ou le numéro d'une "
                      "personne.",
                      "Każde wyszukiwanie i wyświetlenie listy spraw przez urzędnika: kto, kiedy i ile spraw "
                      "pokazano. Wyszukiwanych słów nigdy się nie przechowuje: to imię, nazwisko lub numer osoby."),
    "searches_kept": ("Entries are kept {days} days, then deleted every day.",
                      "Ieraksti tiek glabāti {days} dienas, pēc tam katru dienu dzēsti.",
                      "Einträge werden {days} Tage aufbewahrt und danach täglich gelöscht.",
                      "Les entrées sont conservées {days} jours, puis supprimées chaque jour.",
                      "Wpisy są przechowywane przez {days} dni, a następnie codziennie usuwane."),
    "searches_kept_all": ("Entries are kept until the operator deletes them (no retention period is set).",
                          "Ieraksti tiek glabāti, līdz operators tos dzēš (glabāšanas termiņš nav iestatīts).",
                          "Einträge werden aufbewahrt, bis der Betrieb sie löscht (keine Aufbewahrungsfrist gesetzt).",
                          "Les entrées sont conservées jusqu'à ce que l'exploitant les supprime (aucune durée de "
                          "conservation n'est fixée).",
                          "Wpisy są przechowywane, dopóki operator ich nie usunie (nie ustawiono okresu "
                          "przechowywania)."),
    "no_searches": ("No searches recorded.", "Nav reģistrētu meklējumu.", "Keine Suchen erfasst.",
                    "Aucune recherche enregistrée.", "Brak zapisanych wyszukiwań."),
    "search.searched": ("searched", "meklēja", "gesucht", "recherche", "wyszukiwanie"),
    "search.listed": ("listed", "skatīja sarakstu", "aufgelistet", "liste", "lista"),
    "found_count": ("Cases shown", "Parādītās lietas", "Angezeigte Fälle", "Dossiers affichés", "Pokazane sprawy"),
    "purge": ("Delete entries older than {days} days now", "Dzēst ierakstus, kas vecāki par {days} dienām, tagad",
              "Einträge älter als {days} Tage jetzt löschen",
              "Supprimer maintenant les entrées de plus de {days} jours", "Usuń teraz wpisy starsze niż {days} dni"),
    "purged": ("Entries older than {days} days deleted: {n}.", "Dzēsti ieraksti, kas vecāki par {days} dienām: {n}.",
               "Gelöschte Einträge älter als {days} Tage: {n}.",
               "Entrées de plus de {days} jours supprimées : {n}.", "Usunięte wpisy starsze niż {days} dni: {n}."),
    "admins_only": ("This page is for the institution's administrators: named clerks whom the issuer's operator "
                    "lists in ESSPASS_ISSUER_ADMINS.",
                    "Šī lapa ir iestādes administratoriem: darbiniekiem ar vārdu, kurus izsniedzēja operators "
                    "norāda ESSPASS_ISSUER_ADMINS.",
                    "Diese Seite ist für die Administration der Einrichtung: namentliche Sachbearbeiterinnen und "
                    "Sachbearbeiter, die der Betrieb des Ausstellers in ESSPASS_ISSUER_ADMINS einträgt.",
                    "Cette page est réservée aux administrateurs de l'organisme : les agents nommés que "
                    "l'exploitant de l'émetteur inscrit dans ESSPASS_ISSUER_ADMINS.",
                    "Ta strona jest dla administratorów instytucji: imiennych urzędników, których operator wydawcy "
                    "wpisuje do ESSPASS_ISSUER_ADMINS."),
}
i18n.register({f"office.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _CASE_T.items()})
_T.update(_CASE_T)  # one catalogue of the office's words (the history's event names are looked up in it)
#: Which situations each document type's guidance names, in the order shown (key ``guide.<type>.<n>``).
_GUIDES = {ehic.CONFIGURATION_ID: ("typo", "ended"), pda1.CONFIGURATION_ID: ("wrong", "typo", "ended")}
#: The case page's action stopping the copies one wallet took (IssuerService.stop_copies), by its URL.
_STOP_COPIES = "stop-copies"
#: The case page's copies by the wallet that took them, and their stopping (IssuerService.stop_copies,
#: get_case ``wallets``): key -> (en, lv, de, fr, pl).
_COPIES_T: dict[str, tuple[str, str, str, str, str]] = {
    "wallets_help": ("Each wallet that took this document is one phone: its copies are listed under it, with when it "
                     "took them. The issuer records nothing of the device.",
                     "Katrs maks, kas saņēma šo dokumentu, ir viens tālrunis: tā kopijas ir uzskaitītas zem tā, ar "
                     "saņemšanas laiku. Izsniedzējs nereģistrē neko par ierīci.",
                     "Jede Wallet, die dieses Dokument erhalten hat, ist ein Telefon: Ihre Kopien stehen darunter, "
                     "mit dem Zeitpunkt des Erhalts. Der Aussteller erfasst nichts über das Gerät.",
                     "Chaque portefeuille qui a reçu ce document est un téléphone : ses copies sont listées en "
                     "dessous, avec la date de réception. L'émetteur n'enregistre rien de l'appareil.",
                     "Każdy portfel, który pobrał ten dokument, to jeden telefon: jego kopie są wymienione pod nim, "
                     "z datą pobrania. Wydawca nie zapisuje niczego o urządzeniu."),
    "wallet_n": ("Wallet {n}", "Maks {n}", "Wallet {n}", "Portefeuille {n}", "Portfel {n}"),
    "wallet_latest": ("the latest", "jaunākais", "die neueste", "le plus récent", "najnowszy"),
    "wallet_taken": ("Took the document {date} UTC", "Saņēma dokumentu {date} UTC",
                     "Hat das Dokument am {date} UTC erhalten", "A reçu le document le {date} UTC",
                     "Pobrał dokument {date} UTC"),
    "wallet_renewed": ("last renewed {date} UTC", "pēdējoreiz atjaunots {date} UTC", "zuletzt erneuert am {date} UTC",
                       "dernier renouvellement le {date} UTC", "ostatnio odnowiono {date} UTC"),
    "wallet_live": ("valid copies: {live} of {n}", "derīgas kopijas: {live} no {n}", "gültige Kopien: {live} von {n}",
                    "copies valables : {live} sur {n}", "ważne kopie: {live} z {n}"),
    "wallet_stopped": ("copies stopped", "kopijas apturētas", "Kopien gestoppt", "copies arrêtées",
                       "kopie zatrzymane"),
    "wallet_renews": ("renews its copies", "atjauno savas kopijas", "erneuert ihre Kopien", "renouvelle ses copies",
                      "odnawia swoje kopie"),
    "wallet_no_renewals": ("renews no more", "vairs neatjauno", "erneuert nicht mehr", "ne renouvelle plus",
                           "już nie odnawia"),
    "stop_copies": ("Stop these copies", "Apturēt šīs kopijas", "Diese Kopien stoppen", "Arrêter ces copies",
                    "Zatrzymaj te kopie"),
    # Named by their wallet: two wallets' forms are told apart by a screen reader too (WCAG 2.4.6).
    "reason_stop_copies": ("Reason for stopping the copies of wallet {n}", "Maka {n} kopiju apturēšanas iemesls",
                           "Grund für das Stoppen der Kopien von Wallet {n}",
                           "Motif de l'arrêt des copies du portefeuille {n}",
                           "Powód zatrzymania kopii portfela {n}"),
    "stop_copies_help": ("For a phone lost or stolen: this wallet's copies fail every check from now on, and it gets "
                         "no new ones; this cannot be undone. The document and other wallets' copies stay valid.",
                         "Pazaudētam vai nozagtam tālrunim: šī maka kopijas no šī brīža neiztur nevienu pārbaudi, un "
                         "tas vairs nesaņem jaunas; to nevar atcelt. Dokuments un citu maku kopijas paliek derīgas.",
                         "Für ein verlorenes oder gestohlenes Telefon: Die Kopien dieser Wallet bestehen ab jetzt "
                         "keine Prüfung mehr, und sie erhält keine neuen; das lässt sich nicht rückgängig machen. Das "
                         "Dokument und die Kopien anderer Wallets bleiben gültig.",
                         "Pour un téléphone perdu ou volé : les copies de ce portefeuille échouent désormais à toute "
                         "vérification, et il n'en reçoit plus de nouvelles ; c'est définitif. Le document et les "
                         "copies des autres portefeuilles restent valables.",
                         "Dla zgubionego lub skradzionego telefonu: kopie tego portfela od teraz nie przechodzą żadnej "
                         "weryfikacji i nie dostaje on nowych; nie można tego cofnąć. Dokument i kopie innych "
                         "portfeli pozostają ważne."),
    "other_copies": ("Copies no wallet took (paper copies)", "Kopijas, ko nesaņēma neviens maks (papīra kopijas)",
                     "Kopien ohne Wallet (Papierkopien)", "Copies sans portefeuille (copies papier)",
                     "Kopie bez portfela (kopie papierowe)"),
    "status.12": ("stopped", "apturēts", "gestoppt", "arrêtée", "zatrzymane"),
    "event.copies_stopped": ("one wallet's copies stopped (lost or stolen phone; the document stays valid)",
                             "viena maka kopijas apturētas (pazaudēts vai nozagts tālrunis; dokuments paliek derīgs)",
                             "Kopien einer Wallet gestoppt (verlorenes oder gestohlenes Telefon; das Dokument bleibt "
                             "gültig)",
                             "copies d'un portefeuille arrêtées (téléphone perdu ou volé ; le document reste valable)",
                             "zatrzymano kopie jednego portfela (zgubiony lub skradziony telefon; dokument pozostaje "
                             "ważny)"),
}
i18n.register({f"office.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _COPIES_T.items()})
_T.update(_COPIES_T)


def _guide_key(case: Mapping[str, Any], situation: str, part: str) -> str:
    """The words of a guide's ``situation`` for ``case``: an A1 ends early as a posting only where it
    certifies one (status 01 or 03, Art. 12 of 883/2004), else as the activity it covers; a provisional
    replacement certificate is corrected and ended early as its period, not as a card."""
    key = f"guide.{case['configuration_id']}.{situation}.{part}"
    if case["configuration_id"] == ehic.CONFIGURATION_ID and part == "do" and ehic.is_prc(case.get("claims") or {}):
        return f"guide.ehic_prc.{situation}.do"  # a PRC is corrected and ended as the period it certifies
    if key == "guide.pda1.ended.when" and (case.get("claims") or {}).get("status_confirmation") not in POSTING_STATUSES:
        return "guide.pda1.ended_activity.when"
    return key


def _revoke_help_key(case: Mapping[str, Any]) -> str:
    """The words under the Withdraw button: an A1's (void from its first day), a card's, or a provisional
    replacement certificate's (its whole period fails; ended early, it is replaced)."""
    if case["configuration_id"] != ehic.CONFIGURATION_ID:
        return "revoke_help"
    return "revoke_help.ehic_prc" if ehic.is_prc(case.get("claims") or {}) else "revoke_help.ehic"


@dataclass
class FormGroup:
    """A fieldset of the form: its ``fields``, and for a repeated group (a PDA1's employers, places of
    work) its ``row_fields`` (the first row's), the ``rows`` offered and how many of them are ``shown``
    (the rest each behind an "add another")."""

    name: str
    fields: list[Field]
    row_fields: list[Field]
    shown: int
    rows: list[list[Field]]


class Clerk(NamedTuple):
    """Who is signed in to a back office: the institution, the session id (the cookie) and the value
    of the clerk token signed in with, kept as the session's subject: ``LV:VSAA`` for an
    institution's unnamed token, ``LV:VSAA/anna.berzina`` for a named clerk's."""

    inst: Institution
    session_id: str
    who: str

    @property
    def actor(self) -> str:
        """Who the case history names for what is done in this session (as the API's Bearer token would)."""
        return f"clerk:{self.who}"


def awaiting(case: Mapping[str, Any]) -> bool:
    """Is ``case`` (a case's JSON) one a second clerk can still approve?"""
    return case.get("approval") == "awaiting" and case.get("state") not in FINAL_STATES and not case.get("erased_at")


_lang = page_language


def _t(lang: str, key: str, **kw: Any) -> str:
    return i18n.t(f"office.{key}", lang, **kw)


@cache
def _type_names(configuration_id: str) -> dict[str, str]:
    doc = CREDENTIAL_TYPES[configuration_id].type_metadata_document()
    return {d["locale"]: d["name"] for d in doc.get("display", [])}


def _type_name(configuration_id: str, lang: str) -> str:
    names = _type_names(configuration_id) if configuration_id in CREDENTIAL_TYPES else {}
    return names.get(lang) or names.get("en") or configuration_id.upper()


def _codes(lang: str) -> list[tuple[str, str]]:
    index = i18n.LANGUAGES.index(lang)
    return [(code, f"{code} – {words[index]}") for code, words in pda1.STATUS_CODES.items()]


def _countries(lang: str) -> list[tuple[str, str]]:
    return sorted(((code, names[lang]) for code, names in COUNTRIES.items()), key=lambda x: x[1])


def _when(value: str) -> str:
    """An ISO timestamp as ``YYYY-MM-DD HH:MM`` (UTC)."""
    return value[:16].replace("T", " ")


def _refusal(lang: str, exc: CredentialError) -> str:
    """The clerk's words for a refusal (the service says it in English, for the API): a four-eyes
    one by its rule, a decision on a case no longer awaiting it, a model's rule at its field, or any
    other by its key (:func:`rule_text`); one without a key, as the service words it."""
    if isinstance(exc, FourEyes):
        return _t(lang, exc.rule)
    if isinstance(exc, DataError):
        return f"{_label(lang, exc.field)}: {_error_rule(lang, exc)}"
    if isinstance(exc, SignerUnavailableError):  # said alike by every service (credentials.errors)
        return rule_text(lang, exc.message, "signer.unavailable")
    if isinstance(exc, ProtocolError):
        if exc.key == "case.not_awaiting":  # another clerk decided first, or it was withdrawn meanwhile
            return _t(lang, "not_awaiting")
        return rule_text(lang, exc.message, exc.key, exc.params)
    return exc.message


#: How each language quotes a field's label inside a sentence.
_QUOTES = {"en": "“{}”", "lv": "“{}”", "de": "„{}“", "fr": "« {} »", "pl": "„{}”"}
#: A case's state as the service words it -> its word on the pages.
_STATE_WORDS = {"active": "active", "suspended": "suspended", "revoked": "revoked", "withdrawn": "revoked",
                "replaced": "replaced"}


def _rule_param(lang: str, name: str, value: object) -> str:
    if name.endswith("field"):  # a claim path: by its label
        return _QUOTES.get(lang, "“{}”").format(_label(lang, str(value)))
    if name == "state" and str(value) in _STATE_WORDS:
        return _t(lang, _STATE_WORDS[str(value)])
    return str(value)


def rule_text(lang: str, english: str, key: str | None = None, params: Mapping[str, object] | None = None) -> str:
    """A rule in ``lang`` by its key and parameters; ``english`` (the words the issuer said) for a
    rule without a key, or with one no rule has."""
    if key is None or key not in RULE_TEXTS:
        return english
    shown = {name: _rule_param(lang, name, value) for name, value in (params or {}).items()}
    try:
        return i18n.t(f"rule.{key}", lang, **shown)
    except (KeyError, IndexError):  # parameters that do not fit the words: the words as the issuer said them
        return english


def _error_rule(lang: str, exc: DataError | NumberTaken) -> str:
    """The rule of a refusal at a field, in ``lang``."""
    return rule_text(lang, exc.rule, exc.key, exc.params)


def _report_rule(lang: str, row: Mapping[str, Any]) -> str:
    """The rule of an import report's row, in ``lang``."""
    return rule_text(lang, str(row.get("rule") or ""), row.get("rule_key"), row.get("rule_params"))


def _label(lang: str, key: str) -> str:
    """A claim path's label in ``lang``, or the path itself when there is none.

    A PDA1 of DC4EU v1.1 holds its places of work under ``work_information``: labelled as v1's
    ``work_address``. An institution given as an object (``issuing_authority.id``) is its label
    with the member's: "Issued by (identifier)"."""
    path = re.sub(r"\.\d+", "", key).removesuffix("[]").removeprefix("work_information.")
    known = i18n.catalogue_keys()
    if f"office.field.{path}" in known:
        return i18n.t(f"office.field.{path}", lang)
    parent, _, member = path.rpartition(".")
    if f"office.field.{parent}" in known and f"office.part.{member}" in known:
        return f"{i18n.t(f'office.field.{parent}', lang)} ({i18n.t(f'office.part.{member}', lang)})"
    return key


_DATA_IMAGE = re.compile(r"data:image/([a-z]+);base64,")


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Claims as (dotted path, text) rows for the "all fields" table."""
    if isinstance(value, Mapping):
        return [row for k, v in value.items() for row in _flatten(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(value, list):
        if all(not isinstance(v, Mapping | list) for v in value):
            return [(prefix, ", ".join(str(v) for v in value))]
        return [row for i, v in enumerate(value) for row in _flatten(v, f"{prefix}.{i}")]
    text = "yes" if value is True else "no" if value is False else str(value)
    picture = _DATA_IMAGE.match(text)
    if picture:  # a portrait (PID Rulebook §4.1 data: URL), not its base64; said alike in every language
        return [(prefix, f"{picture[1].upper()}, {max(1, len(text) * 3 // 4 // 1024)} KB")]
    return [(prefix, text if len(text) <= 120 else text[:117] + "…")]


#: A list entry's claim path (a PDA1's employers, places of work: rulebook v1.1) -> the row it is.
_ENTRY = re.compile(r"(employer|work_information\.work_address)\.(\d+)\.")
#: An A1's section 2 boxes (2.4, 2.5, 2.6): booleans, said in the page's language.
_BOXES = ("applies_for_duration", "determination_provisional", "transitional_rules")
#: Claims that hold a state's two-letter code (the last part of the path).
_STATE_CLAIMS = ("country", "legislation_country", "issuing_country", "no_fixed_place_of_work")


def _claim_rows(lang: str, claims: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The "All fields" table of a case, in ``lang``: each claim by its label, an entry of a list
    under its number ("Employer 2 – Employer name"), and codes in words: the situation (section 3),
    an employer entry's type, a state by its name ("Estonia (EE)"; a flag state too, where the flag
    or home base is a state's code)."""
    rows = []
    for path, text in _flatten(claims):
        label = _label(lang, path)
        entry = _ENTRY.match(path)
        if entry:
            row = "row.employer" if entry[1] == "employer" else "row.work"
            label = f"{_t(lang, row, n=int(entry[2]) + 1)} – {label}"
        last = path.rpartition(".")[2]
        if last == "status_confirmation" and text in pda1.STATUS_CODES:
            text = f"{text} – {pda1.STATUS_CODES[text][i18n.LANGUAGES.index(lang)]}"
        elif entry and entry[1] == "employer" and last == "type" and text in ("01", "02"):
            text = _t(lang, f"kind.{text}")
        elif (last in _STATE_CLAIMS or last == "flag_base_home") and text in COUNTRIES:
            text = f"{COUNTRIES[text][lang]} ({text})"
        elif path in _BOXES and text in ("yes", "no"):  # _flatten's words for a box's true or false
            text = _t(lang, f"box.{text}")
        rows.append((label, text))
    return rows


def _person_rows(lang: str, case: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Whom the document names, for the clerk who checks it or corrects a misspelt name: an EHIC's
    Decision S2 fields 3-5 as its card carries them (surname first, labelled as the wallet's card
    labels them), the represented person's on a child's card (and then the holder who represents
    them); any other document's holder, as its paper copy prints them. Dates in ``lang``."""
    claims: Mapping[str, Any] = case.get("claims") or {}
    holder: Mapping[str, Any] = case.get("holder") or {}

    def day(value: Any) -> str:
        try:
            return i18n.format_date(str(value), lang)
        except ValueError:
            return str(value)

    def holder_rows() -> list[tuple[str, str]]:
        return [(_label(lang, f"holder.{field}"), day(holder[field]) if field == "birthdate" else str(holder[field]))
                for field in ("family_name", "given_name", "birthdate") if holder.get(field)]

    if case.get("configuration_id") != ehic.CONFIGURATION_ID:
        return holder_rows()
    subject = claims.get("subject")
    if isinstance(subject, Mapping):
        person = {"family_name": subject.get("familynames"), "given_name": subject.get("forenames"),
                  "birth_date": subject.get("date_of_birth")}
        rows = [(ehic.label(claim, lang), day(value) if claim == "birth_date" else str(value))
                for claim, value in person.items() if value]
        return rows + holder_rows()
    return [(ehic.label(claim, lang), day(holder[field]) if claim == "birth_date" else str(holder[field]))
            for claim, field in ehic.HOLDER_CLAIMS.items() if holder.get(field)]


def _found_person(lang: str, person: Mapping[str, Any] | None) -> list[str]:
    """A search result's person (:meth:`IssuerService.list_cases` ``persons``) as lines in ``lang``: the
    name and birth date the document names (a represented person's card said so), then only the fields
    the clerk's words matched. Empty for a case that names no one to show (erased, a listing)."""
    if person is None:
        return []
    name = ", ".join(str(person[k]) for k in ("family_name", "given_name") if person.get(k))
    first = name or _t(lang, "no_person")
    if person.get("birthdate"):
        try:
            born = i18n.format_date(str(person["birthdate"]), lang)
        except ValueError:
            born = str(person["birthdate"])
        first = f"{first} · {_t(lang, 'born', date=born)}"
    lines = [first]
    if person.get("represented"):
        lines.append(_t(lang, "represented_card"))
    if person.get("holder"):
        lines.append(_t(lang, "insured_holder", name=person["holder"]))
    if person.get("personal_number"):
        lines.append(f"{_label(lang, 'personal_administrative_number')}: {person['personal_number']}")
    for employer in person.get("employers") or ():
        lines.append(f"{_label(lang, 'employer.name')}: {employer}")
    return lines


def form_values(configuration_id: str, claims: Mapping[str, Any], holder: Mapping[str, Any] | None) -> dict[str, str]:
    """A case's claims and holder as the new-case form's fields hold them (the inverse of
    :func:`claims_from_form`), to start a replacement from."""
    values: dict[str, str] = _pda1_values(claims) if configuration_id == "pda1" else {}
    for f in FIELDS[configuration_id]:
        if f.shaped:
            continue
        of_holder = f.name.startswith("holder.")
        value: Any = (holder or {}) if of_holder else claims
        for part in (f.key if of_holder else f.name.removesuffix("[]")).split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, bool):
            value = "on" if value else None
        elif isinstance(value, list):
            value = ";".join(str(v) for v in value)
        if value is not None:
            values[f.name] = str(value)
    return values


def form_keeps(inst: Institution, configuration_id: str, claims: Mapping[str, Any], values: Mapping[str, str]) -> bool:
    """Does the form hold everything of ``claims``? (It has no place for a second employer, for
    example: replacing such a document through the form would lose data.)"""
    try:
        again = CREDENTIAL_TYPES[configuration_id].validate(claims_from_form(
            inst, configuration_id, values, competent=_competent(claims))[0])
    except CredentialError:
        return False
    if configuration_id == "pda1":
        try:  # a document of a mixed shape (recorded before the form made one) comes back whole in v1.1
            claims = pda1.one_shape(claims)
        except CredentialError:
            pass
    # The form states the issuer itself (it issues in its own name): those are not lost.
    own = {"issuing_authority", "issuing_country"}
    return {k: v for k, v in again.items() if k not in own} == {k: v for k, v in claims.items() if k not in own}


def _competent(claims: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The competent institution (``authentic_source``) a case names, which its replacement keeps."""
    source = claims.get("authentic_source")
    return source if isinstance(source, Mapping) else None


def error_slot(fields: tuple[Field, ...], error_field: str) -> str | None:
    """Which form field a model error belongs to (``nationalities.0`` -> ``nationalities[]``,
    ``employer`` -> ``employer.id``, ``holder.birthdate`` -> itself); None when none matches."""
    names = [f.name for f in fields]
    if error_field in names:
        return error_field
    base = re.sub(r"\.\d+$", "", error_field)
    if base + "[]" in names:
        return base + "[]"
    for name in names:
        if name.startswith(error_field + ".") or error_field.startswith(name + "."):
            return name
    return None


#: The repeated groups of a form -> the first part of their fields' names.
_ROW_PREFIX = {"employer": "employer", "work": "work_address"}
#: A row's field beyond the first row (which has the plain name): ``employer.2.name``. At most 999
#: rows, written without leading zeros, so that one field has one name.
_ROW_NAME = re.compile(r"(employer|work_address)\.([1-9][0-9]{0,2})\.([a-z_]+)")
#: Rows offered beyond those filled in, each revealed by its "add another" (a <details>, no script).
EXTRA_ROWS = 3


def _row_name(name: str, number: int) -> str:
    """The name of a row field (given as the first row's, ``employer.name``) in row ``number``."""
    prefix, _, member = name.partition(".")
    return name if number == 0 else f"{prefix}.{number}.{member}"


def _rows(fields: tuple[Field, ...], group: str, values: Mapping[str, str]) -> list[dict[str, str]]:
    """The rows of a repeated group that were filled in, in their order, each as member -> text
    (stripped, empty members left out); a row left empty is none, wherever it is."""
    members = [f for f in fields if f.repeat and f.group == group]
    prefix = _ROW_PREFIX[group]
    numbers = sorted({0} | {int(m[2]) for m in map(_ROW_NAME.fullmatch, values) if m and m[1] == prefix})
    rows = []
    for number in numbers:
        row = {f.name.partition(".")[2]: (values.get(_row_name(f.name, number)) or "").strip() for f in members}
        if any(row.values()):
            rows.append({member: text for member, text in row.items() if text})
    return rows


def compact_rows(configuration_id: str, values: Mapping[str, str]) -> dict[str, str]:
    """The form's values with its filled rows numbered 0, 1, 2... (a row left empty between two
    filled ones closed up), as the claims list them: so that a model's error at ``employer.1.name``
    is at the form's ``employer.1.name``, and the form shown again has no gap."""
    fields = FIELDS[configuration_id]
    rowed = {_row_name(f.name, 0) for f in fields if f.repeat}
    out = {k: v for k, v in values.items() if k not in rowed and not _ROW_NAME.fullmatch(k)}
    for group, prefix in _ROW_PREFIX.items():
        if not any(f.repeat and f.group == group for f in fields):
            continue
        for number, row in enumerate(_rows(fields, group, values)):
            out.update({_row_name(f"{prefix}.{member}", number): text for member, text in row.items()})
    return out


def _pda1_work(values: Mapping[str, str]) -> dict[str, Any]:
    """Sections 4 and 5 of an A1 typed into the form (domain.md §PDA1): the flat v1 (``employer{}``,
    ``work_address{}``: what the pilot wallets read) when one employer and one place of work say it
    all; otherwise the rulebook v1.1 throughout, which :func:`claims_from_form` completes with
    :func:`credentials.pda1.one_shape` (never a v1 object beside v1.1 places, or the reverse).

    Several employers, or one whose type (employment 01, self-employment 02) is given, are
    ``employer[]``. Several places of work, or "no fixed place of work" (with places of work or
    without: rulebook v1.1 Annex 1, ``anyOf``), are ``work_information``."""
    fields = FIELDS["pda1"]
    employers: list[dict[str, Any]] = list(_rows(fields, "employer", values))
    places: list[dict[str, Any]] = list(_rows(fields, "work", values))
    no_fixed = (values.get("no_fixed_place_of_work") or "").strip()
    out: dict[str, Any] = {}
    if len(employers) > 1 or any("type" in e for e in employers):
        out["employer"] = employers
    elif employers:
        out["employer"] = employers[0]
    if len(places) > 1 or no_fixed:
        out["work_information"] = {**({"work_address": places} if places else {}),
                                   **({"no_fixed_place_of_work": no_fixed} if no_fixed else {})}
    elif places:
        out["work_address"] = places[0]
    return out


def _pda1_values(claims: Mapping[str, Any]) -> dict[str, str]:
    """The employer and place-of-work rows of an A1, either shape (the inverse of :func:`_pda1_work`)."""
    values: dict[str, str] = {}
    for number, employer in enumerate(pda1.employers(claims)):
        values.update({_row_name(f"employer.{k}", number): str(v) for k, v in employer.items()})
    info = claims.get("work_information")
    info = info if isinstance(info, Mapping) else {}
    if "no_fixed_place_of_work" in info:
        values["no_fixed_place_of_work"] = str(info["no_fixed_place_of_work"])
    places = [claims["work_address"]] if isinstance(claims.get("work_address"), Mapping) else info.get("work_address")
    for number, place in enumerate(places if isinstance(places, list) else []):
        if isinstance(place, Mapping):
            values.update({_row_name(f"work_address.{k}", number): str(v) for k, v in place.items()})
    return values


def _form_path(error: DataError | NumberTaken, values: Mapping[str, str]) -> str:
    """The form's name for the claim path a model's error names: a v1.1 list's entry is that row
    (``work_information.work_address.1.locality`` -> ``work_address.1.locality``, entry 0 the first
    row's plain name), ``work_information`` as a whole the no-fixed-place field where that was given,
    else the first place of work; an employer entry's missing type (status 01 to 04) that field."""
    field = error.field
    if error.key in ("pda1.employment_entry", "pda1.self_employment_entry"):
        return "employer.type"
    field = field.removeprefix("work_information.") if field.startswith("work_information.work_address") else field
    entry = re.fullmatch(r"(employer|work_address)\.(\d+)(\.[a-z_]+)?", field)
    if entry:
        number = int(entry[2])
        if entry[3]:
            return _row_name(f"{entry[1]}{entry[3]}", number)
        return entry[1] if number == 0 else f"{entry[1]}.{number}"
    if field == "work_address":  # none given where one is needed
        return "work_address.locality"
    if field == "work_information" or (field.startswith("work_information.")
                                       and field != "work_information.no_fixed_place_of_work"):
        return "no_fixed_place_of_work" if (values.get("no_fixed_place_of_work") or "").strip() \
            else "work_address.country"
    return field.removeprefix("work_information.")


class FormError(NamedTuple):
    """A problem as the form shows it: in the summary (``label``, ``field``, ``rule``, a link to
    ``target``, the element id of its field, None for one the form has no field for) and beside its field
    (``slot``, the form field's name)."""

    field: str
    label: str
    rule: str
    slot: str | None
    target: str | None


def form_errors(lang: str, errors: list[DataError | NumberTaken], fields: tuple[Field, ...],
                values: Mapping[str, str]) -> list[FormError]:
    """Every problem of a refused form, in ``lang``, in the order of the fields on the page (those the
    form has no field for first), as the summary lists them (GOV.UK error summary, WCAG 2.2 SC 3.3.1)."""
    order = {f.name: i for i, f in enumerate(fields)}
    ids = {f.name: f.dom_id for f in fields} | {"reason": "f-replace-reason"}
    shown = []
    for error in errors:
        slot = "reason" if error.field == "reason" else error_slot(fields, _form_path(error, values))
        shown.append(FormError(error.field, _label(lang, error.field), _error_rule(lang, error), slot,
                               ids.get(slot) if slot else None))
    return sorted(shown, key=lambda e: -1 if e.slot is None else order.get(e.slot, -1))


def _claim_problems(inst: Institution, config: str, values: Mapping[str, str],
                    competent: Mapping[str, Any] | None) -> list[DataError]:
    """Every problem of the claims and holder typed into the form (the model's one pass,
    :func:`credentials.claims.person_problems`), for a refusal that came before they were read (a
    replacement's missing reason): the clerk corrects everything at once."""
    try:
        claims, person = claims_from_form(inst, config, values, competent=competent)
    except DataError as exc:
        return list(exc.problems)
    if any(f.name == "document_number" for f in FIELDS[config]) and not claims.get("document_number"):
        # Left empty, the issuer gives one (IssuerService.create_case): not a problem of the form.
        claims["document_number"] = new_document_number(inst.entity.id, datetime.now(UTC).date())
    found: list[DataError] = []
    try:
        CREDENTIAL_TYPES[config].validate(claims)
    except DataError as exc:
        found = list(exc.problems)
    return found + (person_problems(person, claims, min_age=holder_min_age(CREDENTIAL_TYPES[config]))
                    if person else [])


def _page_number(raw: str) -> int:
    """The page of a list asked for (1 unless a plausible page number)."""
    return max(int(raw), 1) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def _field(form: Mapping[str, Any], name: str) -> str:
    """A text field of a posted form ("" when missing or a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _earlier_import(lang: str, exc: ImportRepeated, done: str, running: str) -> str:
    """What the earlier import ``exc`` names did, in the clerk's language: text ``done`` (when, how many
    rows imported and rejected) once it finished, else ``running`` (when it began)."""
    if exc.imported is None:
        return _t(lang, running, at=exc.params["at"])
    return _t(lang, done, at=exc.params["at"], n=exc.imported, m=exc.rejected or 0)


def refuse_nul(value: Any, field: str) -> None:
    """DataError naming the field of the first NUL character in ``value`` (text, or objects and lists
    of it). PostgreSQL text cannot hold one: refused here, it is a 400 naming the field, not a
    database error (a 500 whose trace would quote the case's data) after the rest was checked."""
    if isinstance(value, str):
        if "\x00" in value:
            raise invalid(field or "form", "text.nul")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            refuse_nul(key, name)
            refuse_nul(item, name)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            refuse_nul(item, f"{field}.{i}")


class CsvRows(list[dict[str, str]]):
    """The rows of an import file (:func:`read_csv`), each with the line of the file it begins on
    (``lines``, as a text editor or spreadsheet numbers them: blank lines and the header counted),
    by which the import report names it (``import_file(..., lines=rows.lines)``)."""

    def __init__(self, rows: list[dict[str, str]], lines: list[int]) -> None:
        super().__init__(rows)
        self.lines = lines


def _delimiter(text: str) -> str:
    """``;`` for a file whose header line has more ``;`` than ``,`` (what Excel saves as "CSV" in the
    European locales, where ``,`` is the decimal mark), else ``,``. Read from the header alone: a
    cell may hold either character (a ``;``-separated list, a name with a comma), a column name neither."""
    header = next((line for line in text.splitlines() if line.strip(" \t,;")), "")
    return ";" if header.count(";") > header.count(",") else ","


def read_csv(data: bytes) -> CsvRows:
    """The rows of an import file, or DataError ``file`` when the file as a whole is faulty, before
    any row is recorded: not UTF-8, a NUL in it, a cell the csv module cannot read, a column named
    twice (which value would the case get?), a row with non-empty cells beyond the header (an
    unquoted comma shifts the cells: what is beyond would be lost unseen), a value in a column
    whose header is empty (it would be dropped unseen too), no row at all (an empty file, or a
    header alone: "imported 0" would read as done), more than MAX_ROWS rows.

    The cells are separated by ``,``, or by ``;`` as Excel saves them in European locales
    (:func:`_delimiter`). A row whose every cell is empty (a blank line, or ``,,,`` where a
    spreadsheet once had a row) is no case and is left out. Each row is numbered by the line of the
    file it begins on (``CsvRows.lines``; the header is line 1 when it is the first)."""
    if len(data) > MAX_UPLOAD:
        raise invalid("file", "csv.too_large", mib=MAX_UPLOAD // _MIB)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid("file", "csv.utf8") from exc
    if "\x00" in text:
        raise invalid("file", "csv.nul", line=text.count("\n", 0, text.index("\x00")) + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    read: list[tuple[int, list[str]]] = []  # (the line each row begins on, its cells)
    ended = 0  # the line the row before ended on (a quoted cell may hold line breaks)
    try:
        # Read whole before any row is imported: a file the csv module cannot read (a cell over
        # its 128 KiB field limit) is refused as a whole, not half imported.
        for cells in reader:
            read.append((ended + 1, cells))
            ended = reader.line_num
    except csv.Error as exc:
        raise invalid("file", "csv.unreadable", line=reader.line_num, detail=str(exc)) from exc
    filled = [(line, cells) for line, cells in read if any(cell.strip() for cell in cells)]
    if not filled:
        raise invalid("file", "csv.no_rows")
    header = filled[0][1]
    names = [name for name in header if name]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise invalid("file", "csv.column_twice", column=repr(twice[0]))
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    for line, cells in filled[1:]:
        if any(cell.strip() for cell in cells[len(header):]):
            raise invalid("file", "csv.extra_cells", row=line)
        unnamed = [i for i, cell in enumerate(cells[:len(header)]) if not header[i] and cell.strip()]
        if unnamed:  # the row and the column only: the cell may be someone's personal data
            raise invalid("file", "csv.unnamed_column", row=line, column=unnamed[0] + 1)
        rows.append({name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name})
        lines.append(line)
    if not rows:
        raise invalid("file", "csv.no_rows")
    if len(rows) > MAX_ROWS:
        raise invalid("file", "csv.too_many_rows", rows=MAX_ROWS)
    return CsvRows(rows, lines)


def claims_from_form(inst: Institution, configuration_id: str, values: Mapping[str, str], *,
                     competent: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The claims and the holder typed into the new-case form: the holder's fields, an
    empty dict when they are all left empty (no holder: a replacement removes the old case's, as
    :meth:`IssuerService.replace_case` reads it), None only for a form without them (a PID's).
    ``competent``: the ``authentic_source`` a replaced case names (kept; the issuer's competence rule
    still judges it), else the signing institution."""
    fields = FIELDS[configuration_id]
    flat = {f.name: values.get(f.name) for f in fields if not f.name.startswith("holder.") and not f.shaped}
    for box in (f.name for f in fields if f.kind == "bool"):  # a ticked box is true, an unticked one not said
        flat[box] = "true" if values.get(box) else None
    claims = unflatten(flat)
    if configuration_id == "pda1":
        claims.update(_pda1_work(values))
        claims = pda1.one_shape(claims)
    if configuration_id != "pid":
        entity = inst.entity
        # A replacement keeps the case's competent institution (a branch, 987/2009 Art. 19(2);
        # Decision S2 field 7): the form has no field for it, and the signer is not it by default.
        source = dict(competent) if competent else {"id": entity.id, "name": entity.name}
        claims.update(issuing_authority={"id": entity.id, "name": entity.name, "country": entity.country},
                      issuing_country=entity.country, authentic_source=source)
    if not any(f.name.startswith("holder.") for f in fields):
        return claims, None
    return claims, {f.key: values[f.name].strip() for f in fields
                    if f.name.startswith("holder.") and (values.get(f.name) or "").strip()}


def mount_office(app: FastAPI, holder: dict[str, Any], settings: IssuerSettings, throttle: SignInThrottle) -> None:
    """Add the back office pages under ``/{path}/office``; ``holder`` has the service and clerk tokens;
    ``settings``: the institutions' administrators (``admins``) and the search log's retention;
    ``throttle``: the wrong tokens counted per client address, the API's too (esspass.throttle)."""
    admins = frozenset(settings.admins)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.globals["language_links"] = language_links  # office/base.html: each page's own, query kept
    env.globals["import_templates"] = import_templates.FILES  # office/import.html: the institution's own
    templates = Jinja2Templates(env=env)
    app.mount("/office-static", StaticFiles(directory=str(HERE / "static")), name="office-static")

    def svc() -> IssuerService:
        result: IssuerService = holder["service"]
        return result

    def template_of(inst: Institution, configuration_id: str) -> Response:
        """``inst``'s CSV import template of ``configuration_id``, its example dated on the issuer's today."""
        today = svc().clock().astimezone(UTC).date()
        name = import_templates.FILES[configuration_id]
        return Response(import_templates.template_csv(inst.entity, configuration_id, today), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"',
                                 "Cache-Control": "no-store"})  # its dates are today's

    def mount_templates(configuration_id: str, name: str) -> None:
        """The routes of ``configuration_id``'s template (a closure each: a default argument would be a
        query parameter FastAPI lets the client set)."""

        @app.get(f"/{{path}}/office/{name}", tags=["back office"], name=f"import_template_{configuration_id}",
                 response_class=Response)
        def institutions_template(request: Request, path: str) -> Response:
            """The institution's CSV import template (:mod:`issuer.import_templates`): the columns, and an
            example row that imports as it is at this institution (its country's legislation, holder and
            employer; today's dates). 404 for an institution that does not issue the type."""
            inst = svc().institutions.get(path)
            if inst is None or configuration_id not in inst.configurations:
                return message(request, path, "not_found", 404)
            return template_of(inst, configuration_id)

        @app.get(f"/{name}", tags=["back office"], name=f"default_import_template_{configuration_id}",
                 response_class=Response)
        def default_template(request: Request) -> Response:
            """The template at the issuer's root, where links made before each institution served its own
            lead: the first hosted institution's that issues the type (the demo's LV:VSAA, LV:NVD)."""
            inst = next((i for i in svc().institutions.values() if configuration_id in i.configurations), None)
            if inst is None:
                return message(request, "", "not_found", 404)
            return template_of(inst, configuration_id)

    for configuration_id, name in import_templates.FILES.items():
        mount_templates(configuration_id, name)

    def office_sessions() -> SignInSessions:
        return SignInSessions(svc().sessions, svc().clock, OfficeSession)

    def current_tokens(entity_id: str) -> set[str]:
        return {token_hash(t) for t, entity in holder["tokens"].items() if entity == entity_id}

    def csrf_ok(form: Mapping[str, Any], session_id: str) -> bool:
        return session_csrf_ok(form.get("csrf"), session_id)

    def page(request: Request, path: str, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        lang = _lang(request)
        inst = svc().institutions.get(path)
        found = office_sessions().find(request.cookies.get(COOKIE), current_tokens) if inst is not None else None
        signed = inst is not None and found is not None and clerk_institution(found.subject) == inst.entity.id
        who = found.subject if signed and found else ""
        response = templates.TemplateResponse(request, name, {
            "lang": lang, "languages": i18n.LANGUAGES, "path": path, "inst": inst, "signed": signed,
            "clerk_actor": f"clerk:{who}" if who else "", "clerk_name": clerk_name(who) if who else None,
            "is_admin": bool(who) and who in admins,  # the search log's link (search_log)
            "awaiting": awaiting,
            # Four-eyes: where each case is approved, the shared token records none (IssuerService.may_record).
            "may_record": not (inst is not None and inst.approval_required and signed and not clerk_name(who)),
            "t": lambda key, **kw: _t(lang, key, **kw), "colon": i18n.colon(lang),
            "csrf": found.csrf if signed and found else "",
            "type_name": lambda cid: _type_name(cid, lang), "when": _when,
            "label": lambda key: _label(lang, key), "row_rule": lambda row: _report_rule(lang, row), **context,
        }, status_code=status_code, headers=SECURITY_HEADERS)
        if request.query_params.get("lang") in i18n.LANGUAGES:
            response.set_cookie("lang", lang, samesite="strict", httponly=True, max_age=365 * 86400)
        return response

    def message(request: Request, path: str, key: str, status_code: int, *, text: str | None = None) -> HTMLResponse:
        return page(request, path, "office/error.html", status_code=status_code,
                    message=text or _t(_lang(request), key), status=status_code)

    async def form_of(request: Request, path: str, *, max_files: int = 1000,
                      max_fields: int = 1000) -> FormData | HTMLResponse:
        """The form posted, or the page saying it could not be read (400, in the clerk's language;
        :func:`esspass.web.read_form`)."""
        form = await read_form(request, max_files=max_files, max_fields=max_fields)
        return form if form is not None else message(request, path, "error.form_unreadable", 400)

    def failed(request: Request, path: str, exc: CredentialError) -> HTMLResponse:
        status = exc.http_status if isinstance(exc, ProtocolError) else 400
        return message(request, path, "not_found", status,
                       text=None if status == 404 else _refusal(_lang(request), exc))

    def to(path: str, rest: str, request: Request) -> RedirectResponse:
        return RedirectResponse(f"/{path}/office{rest}?lang={_lang(request)}", status_code=303)

    def signed_in(request: Request, path: str) -> Clerk | Response:
        """Who is signed in, or the response to send instead (login, 403, 404)."""
        inst = svc().institutions.get(path)
        if inst is None:
            return message(request, path, "not_found", 404)
        found = office_sessions().find(request.cookies.get(COOKIE), current_tokens)
        if found is None:
            return to(path, "/login", request)
        if clerk_institution(found.subject) != inst.entity.id:
            return message(request, path, "other_institution", 403)
        return Clerk(inst, found.session_id, found.subject)

    # --- sign in / out -----------------------------------------------------------------------------

    @app.get("/{path}/office/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, path: str) -> Response:
        if path not in svc().institutions:
            return message(request, path, "not_found", 404)
        return page(request, path, "office/login.html")

    @app.post("/{path}/office/login", include_in_schema=False)
    async def login(request: Request, path: str) -> Response:
        inst = svc().institutions.get(path)
        if inst is None:
            return message(request, path, "not_found", 404)
        form = await form_of(request, path)
        if isinstance(form, Response):
            return form
        address = request.client.host if request.client else None
        # Looked at once the form is read, with nothing awaited between the look and the count: a
        # sign-in begun before a pause and finished during it (many held open at once) is judged never.
        wait = throttle.wait(address)
        if wait:
            # Refused unread, the right token too: waiting out the pause is the only way on
            # (esspass.throttle; the API's Bearer tokens count towards the same pause).
            locked = page(request, path, "office/login.html", status_code=429,
                          error=i18n.t("signin.wait", _lang(request), seconds=retry_after(wait)))
            locked.headers["Retry-After"] = str(retry_after(wait))
            return locked
        token = str(form.get("token") or "").strip()
        who = holder["tokens"].get(token) if token else None
        if who is None or clerk_institution(who) != inst.entity.id:
            if who is None and token:  # a guess; another institution's token is a clerk's own mistake
                throttle.failed(address)
            return page(request, path, "office/login.html", status_code=401, error=_t(_lang(request), "bad_token"))
        throttle.succeeded(address)
        response = to(path, "", request)
        # The cookie holds a session of the issuer's, never the token (the API's credential too). The
        # session's subject is the token's value: a named clerk's name is in it, and so in every
        # actor of the session (Clerk.actor); the session ends when that clerk's token is taken away.
        response.set_cookie(COOKIE, office_sessions().open(who, token), httponly=True, samesite="strict",
                            path=f"/{path}", secure=request.url.scheme == "https")
        return response

    @app.post("/{path}/office/logout", include_in_schema=False)
    async def logout(request: Request, path: str) -> Response:
        if path not in svc().institutions:  # the path goes into the cookie's Path: only ours
            return message(request, path, "not_found", 404)
        session_id = request.cookies.get(COOKIE) or ""
        form = await form_of(request, path)
        if isinstance(form, Response):
            return form
        if session_id and not csrf_ok(form, session_id):
            return message(request, path, "error.form", 403)
        if session_id:
            office_sessions().close(session_id)  # ended here, not only forgotten by this browser
        response = to(path, "/login", request)
        response.delete_cookie(COOKIE, path=f"/{path}", httponly=True, samesite="strict")
        return response

    @app.get("/{path}/office/logout", include_in_schema=False)
    def logout_get(request: Request, path: str) -> Response:
        return to(path, "", request)

    # --- the search log (administrators) -------------------------------------------------------------

    def administrator(request: Request, path: str) -> Clerk | Response:
        """The signed-in clerk when an administrator of this institution (``ESSPASS_ISSUER_ADMINS``, a
        named clerk), else the response to send instead (sign in, 403 for another institution's clerk
        or for one who is not an administrator)."""
        who = signed_in(request, path)
        if isinstance(who, Response) or who.who in admins:
            return who
        return message(request, path, "admins_only", 403)

    def search_log_page(request: Request, path: str, who: Clerk, number: int, *, status_code: int = 200,
                        purged: int | None = None) -> HTMLResponse:
        rows = svc().case_searches(who.inst, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
        return page(request, path, "office/searches.html", status_code=status_code, entries=rows[:PAGE_SIZE],
                    page_number=number, more=len(rows) > PAGE_SIZE, days=settings.search_log_days, purged=purged)

    @app.get("/{path}/office/searches", response_class=HTMLResponse, include_in_schema=False)
    def search_log(request: Request, path: str) -> Response:
        """The institution's search log (GDPR Art. 5(2)): who searched or listed its cases, when, and how
        many cases each showed (never the words), newest first, by pages; for its administrators."""
        who = administrator(request, path)
        if isinstance(who, Response):
            return who
        return search_log_page(request, path, who, _page_number(request.query_params.get("page", "1")))

    @app.post("/{path}/office/searches", response_class=HTMLResponse, include_in_schema=False)
    async def purge_search_log(request: Request, path: str) -> Response:
        """Delete the institution's search log entries older than the retention period now (the daily
        housekeeping does it too, issuer.app): answered with the log's first page and how many went."""
        who = administrator(request, path)
        if isinstance(who, Response):
            return who
        form = await form_of(request, path, max_files=0, max_fields=5)
        if isinstance(form, Response):
            return form
        if not csrf_ok(form, who.session_id):
            return message(request, path, "error.form", 403)
        purged = await run_in_threadpool(svc().purge_case_searches, settings.search_log_days, inst=who.inst)
        log.info("%d search log entries older than %d days deleted by an administrator", purged,
                 settings.search_log_days, extra={"service": "issuer", "event": "search_log_purged",
                                                  "entity": who.inst.entity.id})
        return search_log_page(request, path, who, 1, purged=purged)

    # --- cases --------------------------------------------------------------------------------------

    def case_list(request: Request, path: str, who: Clerk, *, number: int, query: str,
                  approval: str) -> HTMLResponse:
        rows = svc().list_cases(who.inst, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE, query=query,
                                approval=approval, reader=who.actor, persons=True)
        lang = _lang(request)
        # Whom each case found is for, to tell namesakes apart (a search's results only).
        rows = [{**r, "person_lines": _found_person(lang, r.get("person"))} for r in rows]
        return page(request, path, "office/cases.html", cases=rows[:PAGE_SIZE], page_number=number,
                    more=len(rows) > PAGE_SIZE, query=query, approval=approval,
                    to_approve=svc().awaiting_approval(who.inst))

    @app.get("/{path}/office", response_class=HTMLResponse, include_in_schema=False)
    @app.get("/{path}/office/cases", response_class=HTMLResponse, include_in_schema=False)
    def cases(request: Request, path: str) -> Response:
        """The institution's cases (or those awaiting approval), newest first, by pages of plain links:
        no personal data in their addresses. A search is posted (:func:`find_cases`)."""
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        approval = "awaiting" if request.query_params.get("approval") == "awaiting" else ""
        if request.query_params.get("q"):
            # An old bookmark or a typed ?q=: no longer a search, and the query is said in no Location.
            only = "approval=awaiting&" if approval else ""
            return RedirectResponse(f"/{path}/office/cases?{only}lang={_lang(request)}", status_code=303)
        return case_list(request, path, who, number=_page_number(request.query_params.get("page", "1")),
                         query="", approval=approval)

    @app.post("/{path}/office/cases", response_class=HTMLResponse, include_in_schema=False)
    async def find_cases(request: Request, path: str) -> Response:
        """The search, and each page of its results: posted with the session's CSRF token and answered
        with the results (no redirect), so that a personal number or name typed in is in no URL, so in
        no browser history, proxy's or load balancer's log, or bookmark."""
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        form = await form_of(request, path, max_files=0, max_fields=10)
        if isinstance(form, Response):
            return form
        if not csrf_ok(form, who.session_id):
            return message(request, path, "error.form", 403)
        approval = "awaiting" if _field(form, "approval") == "awaiting" else ""
        return await run_in_threadpool(case_list, request, path, who, number=_page_number(_field(form, "page")),
                                       query=_field(form, "q")[:300], approval=approval)

    @app.get("/{path}/office/new", response_class=HTMLResponse, include_in_schema=False)
    def choose(request: Request, path: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        if len(who.inst.configurations) == 1:
            return to(path, f"/new/{who.inst.configurations[0]}", request)
        return page(request, path, "office/choose.html")

    def form_page(request: Request, path: str, inst: Institution, config: str, values: Mapping[str, str],
                  status_code: int = 200, error: DataError | NumberTaken | None = None,
                  replacing: Mapping[str, Any] | None = None, more: bool = False,
                  warning: ProtocolError | None = None) -> HTMLResponse:
        """The new-case (or replacement) form with ``values``: a repeated group's rows filled in
        shown, then EXTRA_ROWS more each behind its "add another" (one more shown when the clerk
        asked for ``more`` rows); ``error`` and the others it carries (``DataError.others``) each beside
        its field, and all in the summary at the top, each a link to its field."""
        lang = _lang(request)
        groups: list[FormGroup] = []
        for f in FIELDS[config]:
            if not groups or groups[-1].name != f.group:
                groups.append(FormGroup(f.group, [], [], 0, []))
            (groups[-1].row_fields if f.repeat else groups[-1].fields).append(f)
        for group in groups:
            if group.row_fields:  # the values' rows are numbered without gaps (compact_rows)
                group.shown = max(len(_rows(FIELDS[config], group.name, values)), 1) + (1 if more else 0)
                group.rows.extend([f.row(n) for f in group.row_fields] for n in range(group.shown + EXTRA_ROWS))
        every = tuple(f for group in groups for f in (*group.fields, *(f for row in group.rows for f in row)))
        problems: list[DataError | NumberTaken] = [*error.problems] if isinstance(error, DataError) else \
            [error] if error else []
        errors = form_errors(lang, problems, every, values)
        slots: dict[str, list[str]] = {}  # form field -> its problems' rules, said beside it
        for shown in errors:
            if shown.slot is not None:
                slots.setdefault(shown.slot, []).append(shown.rule)
        return page(request, path, "office/new.html", status_code=status_code, config=config, groups=groups,
                    values=values, codes=_codes(lang), kinds=[(k, _t(lang, f"kind.{k}")) for k in ("01", "02")],
                    countries=_countries(lang), errors=errors, slots=slots, dom=_dom, replacing=replacing,
                    warning=_refusal(lang, warning) if warning else "", warning_key=warning.key if warning else "")

    @app.get("/{path}/office/new/{config}", response_class=HTMLResponse, include_in_schema=False)
    def new_case(request: Request, path: str, config: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        if config not in who.inst.configurations:
            return message(request, path, "not_found", 404)
        unlisted = svc().type_refused(who.inst, config)
        if unlisted is not None:  # said before the clerk types a whole form the service would refuse
            return failed(request, path, unlisted)
        today = datetime.now(UTC).date().isoformat()
        return form_page(request, path, who.inst, config, {"date_of_issuance": today} if config != "pid" else {})

    @app.post("/{path}/office/new/{config}", include_in_schema=False)
    async def create_case(request: Request, path: str, config: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        inst, token = who.inst, who.session_id
        form = await form_of(request, path)
        if isinstance(form, Response):
            return form
        if not csrf_ok(form, token):
            return message(request, path, "error.form", 403)
        if config not in inst.configurations:
            return message(request, path, "not_found", 404)
        values = compact_rows(config, {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"})
        if values.pop("more", None) is not None:  # more rows asked for: the form again, nothing recorded
            return form_page(request, path, inst, config, values, more=True)
        try:
            refuse_nul(values, "")
            claims, person = claims_from_form(inst, config, values)
            derogation, overlap = _posting_options(values)
            case = await run_in_threadpool(svc().create_case, inst, config, claims, actor=who.actor, holder=person,
                                           derogation=derogation, confirm_overlap=overlap)
        except (DataError, NumberTaken) as exc:  # at its field: a model's rule, or a number already given
            return form_page(request, path, inst, config, values, status_code=_status(exc), error=exc)
        except ProtocolError as exc:
            if exc.key not in _POSTING_WARNINGS:
                return failed(request, path, exc)
            # The form again with the warning and its box to tick: nothing recorded (issuer.rules.posting_check).
            return form_page(request, path, inst, config, values, status_code=exc.http_status, warning=exc)
        except CredentialError as exc:
            return failed(request, path, exc)
        return to(path, f"/cases/{case.id}", request)

    def signed_in_case(request: Request, path: str, case_id: str,
                       viewed: bool = True) -> tuple[Clerk, dict[str, Any]] | Response:
        """Who is signed in and the case, or the response to send instead. ``viewed``: the clerk reads
        the case, recorded in its history (IssuerService.get_case ``reader``)."""
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        try:
            return who, svc().get_case(who.inst, case_id[:64], reader=who.actor if viewed else None)
        except CredentialError as exc:
            return failed(request, path, exc)

    @app.get("/{path}/office/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    def case_page(request: Request, path: str, case_id: str) -> Response:
        found = signed_in_case(request, path, case_id)
        if isinstance(found, Response):
            return found
        return show_case(request, path, found[1], offer_gone=request.query_params.get("shown") == "offer")

    def show_case(request: Request, path: str, case: dict[str, Any], status_code: int = 200,
                  **context: Any) -> HTMLResponse:
        lang = _lang(request)
        rows = _claim_rows(lang, case["claims"])
        # The history shows who read the case among what was done with it, in time order (GDPR Art. 5(2)).
        history = sorted([*case["events"], *case.get("reads", [])], key=lambda e: str(e["at"]))
        # Which action fits which situation, said beside the buttons (an A1's, an EHIC's).
        guides = [(_t(lang, _guide_key(case, g, "when")), _t(lang, _guide_key(case, g, "do")))
                  for g in _GUIDES.get(case["configuration_id"], ())]
        return page(request, path, "office/case.html", status_code=status_code, case={**case, "events": history},
                    claims=rows, person=_person_rows(lang, case), guides=guides, end_renewals=_END_RENEWALS,
                    stop_copies=_STOP_COPIES, revoke_help=_revoke_help_key(case), **context)

    @app.get("/{path}/office/cases/{case_id}/replace", response_class=HTMLResponse, include_in_schema=False)
    def replace_page(request: Request, path: str, case_id: str) -> Response:
        """The new-case form filled in with this case's data, to extend or correct it."""
        found = signed_in_case(request, path, case_id)
        if isinstance(found, Response):
            return found
        who, case = found
        inst = who.inst
        if case["state"] in FINAL_STATES or case["erased_at"]:
            return to(path, f"/cases/{case['id']}", request)
        if awaiting(case):  # not a document yet (IssuerService.replace_case): approved or refused first
            return show_case(request, path, case, status_code=409,
                             error=_refusal(_lang(request), refusal("case.awaiting_replaced")))
        values = form_values(case["configuration_id"], case["claims"], case["holder"])
        if not form_keeps(inst, case["configuration_id"], case["claims"], values):
            # Several employers, a ship's flag, a portrait...: the form would drop them unseen.
            return show_case(request, path, case, status_code=409, error=_t(_lang(request), "replace_by_api"))
        values.pop("document_number", None)  # the one thing a replacement cannot keep (IssuerService.replace_case)
        if "date_of_issuance" in values:
            # The replacement is a new document, issued the day it is recorded, as a new case's form
            # starts: kept, the old day would date the corrected A1 before the decision that made it.
            values["date_of_issuance"] = datetime.now(UTC).date().isoformat()
        return form_page(request, path, inst, case["configuration_id"], values, replacing=case)

    @app.post("/{path}/office/cases/{case_id}/replace", include_in_schema=False)
    async def replace(request: Request, path: str, case_id: str) -> Response:
        found = signed_in_case(request, path, case_id, viewed=False)  # a change, with its own event
        if isinstance(found, Response):
            return found
        who, old = found
        inst, token = who.inst, who.session_id
        form = await form_of(request, path)
        if isinstance(form, Response):
            return form
        if not csrf_ok(form, token):
            return message(request, path, "error.form", 403)
        config = old["configuration_id"]
        values = compact_rows(config, {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf"})
        if values.pop("more", None) is not None:
            return form_page(request, path, inst, config, values, replacing=old, more=True)
        try:
            refuse_nul(values, "")
            claims, person = claims_from_form(inst, config, values, competent=_competent(old["claims"]))
            derogation, overlap = _posting_options(values)
            case = await run_in_threadpool(svc().replace_case, inst, old["id"], claims, actor=who.actor,
                                           reason=values.get("replace_reason", "")[:300], holder=person,
                                           derogation=derogation, confirm_overlap=overlap)
        except (DataError, NumberTaken) as exc:
            if isinstance(exc, DataError) and exc.field == "reason":  # refused before its claims were read
                exc.others += tuple(_claim_problems(inst, config, values, _competent(old["claims"])))
            return form_page(request, path, inst, config, values, status_code=_status(exc), error=exc,
                             replacing=old)
        except ProtocolError as exc:
            if exc.key in _POSTING_WARNINGS:
                return form_page(request, path, inst, config, values, status_code=exc.http_status, warning=exc,
                                 replacing=old)
            return show_case(request, path, svc().get_case(inst, old["id"]), status_code=exc.http_status,
                             error=_refusal(_lang(request), exc))
        except CredentialError as exc:
            return failed(request, path, exc)
        return to(path, f"/cases/{case.id}", request)

    @app.get("/{path}/office/cases/{case_id}/{action}", include_in_schema=False)
    def case_action_get(request: Request, path: str, case_id: str, action: str) -> Response:
        """A reload or language switch on a POST result (offer shown): back to the case page, which then
        says why the offer's one-time code is not on it (``offer_gone``)."""
        if action != "offer":
            return to(path, f"/cases/{case_id[:64]}", request)
        return RedirectResponse(f"/{path}/office/cases/{quote(case_id[:64], safe='')}?"
                                f"{urlencode({'lang': _lang(request), 'shown': 'offer'})}", status_code=303)

    @app.post("/{path}/office/cases/{case_id}/{action}", include_in_schema=False)
    async def case_action(request: Request, path: str, case_id: str, action: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        inst, token = who.inst, who.session_id
        form = await form_of(request, path)
        if isinstance(form, Response):
            return form
        if not csrf_ok(form, token):
            return message(request, path, "error.form", 403)
        case_id = case_id[:64]
        lang = _lang(request)
        try:
            if action == "offer":
                issued = await run_in_threadpool(svc().create_offer, inst, case_id, actor=who.actor)
                # A viewBox, no fixed size: the page sizes the code, and scales it down where the
                # screen is narrower (office.css .qr svg, WCAG 1.4.10).
                qr = segno.make_qr(issued.link, error="m").svg_inline(scale=5, border=4, omitsize=True)
                return show_case(request, path, svc().get_case(inst, case_id), offer=issued, qr=qr,
                                 offer_until=issued.expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"))
            if action == "paper":
                pdf = await run_in_threadpool(svc().paper, inst, case_id, actor=who.actor, lang=lang)
                headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{case_id}.pdf"'}
                return Response(pdf, media_type="application/pdf", headers=headers)
            if action == "approve":  # four-eyes: the service refuses the clerk who recorded it (403)
                await run_in_threadpool(svc().approve_case, inst, case_id, actor=who.actor)
                return to(path, f"/cases/{case_id}", request)
            if action not in _STATES and action not in ("refuse", _END_RENEWALS, _STOP_COPIES):
                return message(request, path, "not_found", 404)
            wallet = str(form.get("wallet") or "")[:32]  # stop-copies: which wallet's (get_case "wallets")
            reason = str(form.get("reason") or "").strip()[:300]
            refuse_nul(reason, "reason")
            if not reason:
                return show_case(request, path, svc().get_case(inst, case_id), status_code=400,
                                 error=_t(lang, "reason_required"), error_action=action, error_wallet=wallet)
            if action == "refuse":
                await run_in_threadpool(svc().refuse_case, inst, case_id, actor=who.actor, reason=reason)
            elif action == _END_RENEWALS:  # the document stays as it is (IssuerService.end_renewals)
                await run_in_threadpool(svc().end_renewals, inst, case_id, actor=who.actor, reason=reason)
            elif action == _STOP_COPIES:  # one wallet's copies, the document staying (IssuerService.stop_copies)
                await run_in_threadpool(svc().stop_copies, inst, case_id, wallet, actor=who.actor, reason=reason)
            else:
                await run_in_threadpool(svc().set_state, inst, case_id, _STATES[action], reason=reason,
                                        actor=who.actor)
        except ProtocolError as exc:
            if exc.http_status == 404:
                return failed(request, path, exc)
            return show_case(request, path, svc().get_case(inst, case_id), status_code=exc.http_status,
                             error=_refusal(lang, exc))
        except CredentialError as exc:
            return show_case(request, path, svc().get_case(inst, case_id), status_code=400,
                             error=_refusal(lang, exc))
        return to(path, f"/cases/{case_id}", request)

    # --- CSV import -----------------------------------------------------------------------------------

    @app.get("/{path}/office/import", response_class=HTMLResponse, include_in_schema=False)
    def import_page(request: Request, path: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        return import_form(request, path, report=None)

    def import_form(request: Request, path: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """The import page, its form with a new one-time ``import_id`` (:func:`issuer.service.import_once`):
        each page shown, the form of a new import; the page sent again (a reload of its report, Back then
        Forward) sends the id its first sending used, and is refused without recording anything twice."""
        return page(request, path, "office/import.html", status_code=status_code,
                    import_id=secrets.token_urlsafe(24), **context)

    def import_repeated(request: Request, path: str, exc: ImportRepeated) -> HTMLResponse:
        """This form sent again: what its first sending did, in the clerk's language; nothing recorded now."""
        said = _earlier_import(_lang(request), exc, "import_repeated", "import_unfinished")
        return page(request, path, "office/import_repeated.html", status_code=409, message=said)

    @app.post("/{path}/office/import", include_in_schema=False)
    async def import_upload(request: Request, path: str) -> Response:
        who = signed_in(request, path)
        if isinstance(who, Response):
            return who
        inst, token = who.inst, who.session_id
        form = await form_of(request, path, max_files=1, max_fields=10)
        if isinstance(form, Response):
            return form
        if not csrf_ok(form, token):
            return message(request, path, "error.form", 403)
        lang = _lang(request)
        try:  # four-eyes first: a token that records nothing here is told so, whatever form it sent
            IssuerService.may_record(inst, who.actor)
        except FourEyes as exc:
            return import_form(request, path, status_code=exc.http_status, report=None, error=_refusal(lang, exc))
        import_id = _field(form, "import_id")
        if not import_id:
            # A form without its one-time id (a page opened before the guard came, a form made elsewhere)
            # could be sent again unseen, each time recording the file's cases anew: fail closed, and give
            # the clerk this page's form, which has one. Scripts use the API (its Idempotency-Key).
            return import_form(request, path, status_code=400, report=None, error=_t(lang, "import_form_outdated"))
        if not _IMPORT_ID.fullmatch(import_id):
            return message(request, path, "error.form", 400)
        upload = form.get("file")
        again = _field(form, "again") == "true"  # the clerk confirmed importing the same file again (SameFile)
        try:
            await run_in_threadpool(svc().refuse_repeated_import, inst, import_id)
            if not isinstance(upload, UploadFile):
                raise invalid("file", "csv.file_required")
            data = await upload.read(MAX_UPLOAD + 1)
            rows = read_csv(data)
        except DataError as exc:
            if exc.key == "csv.no_rows":
                said = _t(lang, "file_empty")
            elif exc.key in ("csv.too_large", "csv.utf8", "csv.too_many_rows"):  # what files the office takes
                said = f"{_t(lang, 'file_error', size=MAX_UPLOAD // _MIB, rows=MAX_ROWS)} ({_error_rule(lang, exc)})"
            else:  # a fault in the file's lines: said as it is
                said = _t(lang, "file_refused", rule=_error_rule(lang, exc))
            return import_form(request, path, status_code=400, report=None, error=said)
        except ImportRepeated as exc:
            return import_repeated(request, path, exc)
        try:
            report = await run_in_threadpool(import_once, svc(), inst, rows, import_id=import_id,
                                             file_hash=file_digest(data), again=again, actor=who.actor,
                                             lines=rows.lines)
        except SameFile as exc:  # the clerk is asked: the form again, with the box that confirms it
            said = _earlier_import(lang, exc, "same_file", "same_file_unfinished")
            return import_form(request, path, status_code=409, report=None, error=said, same_file=True)
        except ImportRepeated as exc:  # sent twice at once: the other request makes the import
            return import_repeated(request, path, exc)
        except NumberTaken as exc:  # the file refused whole: its rows at fault shown, none imported
            return import_form(request, path, status_code=409, report=exc.rows, imported=0,
                               rejected=len(rows), error=_t(lang, "numbers_taken"))
        except ProtocolError as exc:  # four-eyes: the shared token records no case where approval is asked
            return import_form(request, path, status_code=exc.http_status, report=None, error=_refusal(lang, exc))
        except DataError as exc:
            return import_form(request, path, status_code=400, report=None,
                               error=_t(lang, "file_empty") if exc.key == "csv.no_rows" else _refusal(lang, exc))
        return import_form(request, path, report=report,
                           imported=sum(1 for r in report if r["ok"]), rejected=sum(1 for r in report if not r["ok"]))


assert set(FIELDS) == set(CREDENTIAL_TYPES)
