"""The inspector page's words in EN, LV, DE, FR, PL (registered with :mod:`credentials.i18n`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from credentials import i18n
from credentials.countries import name as country_name

__all__ = ["describe_document", "status_words", "translator"]

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    "title": ("ESSPASS inspection", "ESSPASS pārbaude", "ESSPASS-Kontrolle", "Contrôle ESSPASS", "Kontrola ESSPASS"),
    "choose": ("What do you want to check?", "Ko vēlaties pārbaudīt?", "Was möchten Sie prüfen?",
               "Que voulez-vous vérifier ?", "Co chcesz sprawdzić?"),
    "profile.pda1": ("Portable Document A1 and identity", "Portatīvais dokuments A1 un identitāte",
                     "Portables Dokument A1 und Identität", "Document portable A1 et identité",
                     "Dokument przenośny A1 i tożsamość"),
    "profile.ehic": ("European Health Insurance Card and identity", "Eiropas veselības apdrošināšanas karte un "
                     "identitāte", "Europäische Krankenversicherungskarte und Identität",
                     "Carte européenne d'assurance maladie et identité", "Europejska Karta Ubezpieczenia "
                     "Zdrowotnego i tożsamość"),
    "start": ("Show the QR code", "Parādīt QR kodu", "QR-Code anzeigen", "Afficher le code QR", "Pokaż kod QR"),
    "scan": ("Ask the worker to scan this code with the wallet.", "Lūdziet darbiniekam noskenēt šo kodu ar maku.",
             "Bitten Sie die Person, diesen Code mit der Wallet zu scannen.",
             "Demandez au travailleur de scanner ce code avec son portefeuille.",
             "Poproś pracownika o zeskanowanie tego kodu portfelem."),
    "waiting": ("Waiting for the answer…", "Gaida atbildi…", "Warte auf die Antwort…", "En attente de la réponse…",
                "Oczekiwanie na odpowiedź…"),
    "valid": ("VALID", "DERĪGS", "GÜLTIG", "VALIDE", "WAŻNY"),
    "invalid": ("NOT VALID", "NAV DERĪGS", "NICHT GÜLTIG", "NON VALIDE", "NIEWAŻNY"),
    "undetermined": ("CANNOT BE CONFIRMED", "NEVAR APSTIPRINĀT", "NICHT BESTÄTIGBAR", "NON CONFIRMABLE",
                     "NIE MOŻNA POTWIERDZIĆ"),
    "refused": ("DECLINED", "ATTEIKTS", "ABGELEHNT", "REFUSÉ", "ODMÓWIONO"),
    "reason": ("Reason", "Iemesls", "Grund", "Motif", "Powód"),
    "name": ("Name", "Vārds", "Name", "Nom", "Imię i nazwisko"),
    "birthdate": ("Date of birth", "Dzimšanas datums", "Geburtsdatum", "Date de naissance", "Data urodzenia"),
    "issuer": ("Issued by", "Izdevējs", "Ausgestellt von", "Délivré par", "Wydany przez"),
    "checks": ("Checks", "Pārbaudes", "Prüfungen", "Contrôles", "Kontrole"),
    "freshness": ("Trust list age: {trust} min · status list age: {status} min",
                  "Uzticamības saraksta vecums: {trust} min · statusa saraksta vecums: {status} min",
                  "Alter der Vertrauensliste: {trust} Min. · Alter der Statusliste: {status} Min.",
                  "Âge de la liste de confiance : {trust} min · âge de la liste de statut : {status} min",
                  "Wiek listy zaufania: {trust} min · wiek listy statusów: {status} min"),
    "again": ("New check", "Jauna pārbaude", "Neue Prüfung", "Nouveau contrôle", "Nowa kontrola"),
    "proof": ("Verification proof (no personal data)", "Pārbaudes apliecinājums (bez personas datiem)",
              "Prüfnachweis (ohne personenbezogene Daten)", "Preuve de vérification (sans données personnelles)",
              "Dowód weryfikacji (bez danych osobowych)"),
    "removed": ("Personal data of this check has been removed.", "Šīs pārbaudes personas dati ir dzēsti.",
                "Die personenbezogenen Daten dieser Prüfung wurden gelöscht.",
                "Les données personnelles de ce contrôle ont été supprimées.",
                "Dane osobowe tej kontroli zostały usunięte."),
    "pda1.sentence": ("The social security legislation of {country} applies until {end}.",
                      "Piemērojami {country} sociālās drošības tiesību akti līdz {end}.",
                      "Es gelten die Rechtsvorschriften der sozialen Sicherheit von {country} bis {end}.",
                      "La législation de sécurité sociale de {country} s'applique jusqu'au {end}.",
                      "Obowiązuje ustawodawstwo w zakresie zabezpieczenia społecznego: {country}, do {end}."),
    "employer": ("Employer", "Darba devējs", "Arbeitgeber", "Employeur", "Pracodawca"),
    "status_code": ("Situation", "Statuss", "Situation", "Situation", "Status"),
    "ehic.sentence": ("Health insurance in {country}, card valid until {end}.",
                      "Veselības apdrošināšana: {country}, karte derīga līdz {end}.",
                      "Krankenversichert in {country}, Karte gültig bis {end}.",
                      "Assurance maladie en {country}, carte valable jusqu'au {end}.",
                      "Ubezpieczenie zdrowotne: {country}, karta ważna do {end}."),
    "offline.title": ("Check an offline QR code", "Pārbaudīt bezsaistes QR kodu", "Offline-QR-Code prüfen",
                      "Vérifier un code QR hors ligne", "Sprawdź kod QR offline"),
    "offline.challenge": ("Ask the worker to enter this code in the wallet:",
                          "Lūdziet darbiniekam ievadīt šo kodu makā:",
                          "Bitten Sie die Person, diesen Code in der Wallet einzugeben:",
                          "Demandez au travailleur de saisir ce code dans son portefeuille :",
                          "Poproś pracownika o wpisanie tego kodu w portfelu:"),
    "offline.use_challenge": ("Show a code first (stronger check)", "Vispirms parādīt kodu (stingrāka pārbaude)",
                              "Zuerst einen Code zeigen (stärkere Prüfung)",
                              "Afficher d'abord un code (contrôle renforcé)",
                              "Najpierw pokaż kod (silniejsza kontrola)"),
    "offline.scan": ("Scan with the camera", "Skenēt ar kameru", "Mit der Kamera scannen", "Scanner avec la caméra",
                     "Skanuj aparatem"),
    "offline.photo": ("or a photo of the QR code", "vai QR koda foto", "oder ein Foto des QR-Codes",
                      "ou une photo du code QR", "lub zdjęcie kodu QR"),
    "offline.check": ("Check", "Pārbaudīt", "Prüfen", "Vérifier", "Sprawdź"),
    "offline.marker": ("Checked offline with lists cached on this device", "Pārbaudīts bezsaistē ar šajā ierīcē "
                       "saglabātiem sarakstiem", "Offline geprüft mit auf diesem Gerät gespeicherten Listen",
                       "Vérifié hors ligne avec les listes gardées sur cet appareil",
                       "Sprawdzono offline na podstawie list zapisanych na tym urządzeniu"),
    "error.profile": ("Choose what to check.", "Izvēlieties, ko pārbaudīt.", "Wählen Sie aus, was geprüft wird.",
                      "Choisissez ce qu'il faut vérifier.", "Wybierz, co sprawdzić."),
}
i18n.register({f"verifier.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _T.items()})


def translator(lang: str) -> Callable[..., str]:
    def t(key: str, **kw: Any) -> str:
        return i18n.t(f"verifier.{key}", lang, **kw)
    return t


def describe_document(doc: Mapping[str, Any], lang: str) -> str:
    """One sentence for the verdict screen: which legislation applies until when, or the EHIC's validity."""
    from credentials import pda1

    country = doc.get("legislation_country") or doc.get("issuing_country") or ""
    cname = country_name(country, lang) if country else "?"
    if doc.get("vct") in (pda1.VCT, *pda1.ALIASES):
        end = doc.get("ending_date")
        return i18n.t("verifier.pda1.sentence", lang, country=cname,
                      end=i18n.format_date(end, lang) if isinstance(end, str) else "?")
    end = doc.get("date_of_expiry") or doc.get("ending_date")
    return i18n.t("verifier.ehic.sentence", lang, country=cname,
                  end=i18n.format_date(end, lang) if isinstance(end, str) else "?")


def status_words(code: str, lang: str) -> str:
    """A PDA1 section 3 status code in words ("01" -> "posted employed person")."""
    from credentials import pda1

    words = pda1.STATUS_CODES.get(code)
    if words is None:
        return code
    return f"{words[i18n.LANGUAGES.index(lang) if lang in i18n.LANGUAGES else 0]} ({code})"
