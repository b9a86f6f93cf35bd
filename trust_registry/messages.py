"""The registry's public page in EN, LV, DE, FR, PL (registered with :mod:`credentials.i18n`)."""

from __future__ import annotations

from collections.abc import Callable

from credentials import i18n

__all__ = ["translator"]

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    "title": ("ESSPASS trust registry", "ESSPASS uzticamības reģistrs", "ESSPASS-Vertrauensregister",
              "Registre de confiance ESSPASS", "Rejestr zaufania ESSPASS"),
    "intro": ("Who may issue which document, who may check which data, and whose wallets are trusted. Wallets, "
              "issuers and verifiers use the signed lists below; this page shows the same content.",
              "Kas drīkst izsniegt kādu dokumentu, kas drīkst pārbaudīt kādus datus un kuru maki ir uzticami. Maki, "
              "izdevēji un pārbaudītāji izmanto zemāk esošos parakstītos sarakstus; šajā lapā ir tas pats saturs.",
              "Wer welches Dokument ausstellen, wer welche Daten prüfen darf und wessen Wallets vertraut wird. "
              "Wallets, Aussteller und Prüfstellen verwenden die signierten Listen unten; diese Seite zeigt "
              "denselben Inhalt.",
              "Qui peut délivrer quel document, qui peut vérifier quelles données et à quels portefeuilles on fait "
              "confiance. Portefeuilles, émetteurs et vérificateurs utilisent les listes signées ci-dessous ; cette "
              "page en montre le même contenu.",
              "Kto może wydawać jakie dokumenty, kto może sprawdzać jakie dane i którym portfelom się ufa. Portfele, "
              "wydawcy i weryfikatorzy korzystają z podpisanych list poniżej; ta strona pokazuje tę samą treść."),
    "kind.issuers": ("Institutions that issue documents", "Iestādes, kas izsniedz dokumentus",
                     "Einrichtungen, die Dokumente ausstellen", "Institutions qui délivrent des documents",
                     "Instytucje wydające dokumenty"),
    "kind.verifiers": ("Inspectorates and others that check documents", "Inspekcijas un citi, kas pārbauda "
                       "dokumentus", "Kontrollbehörden und andere, die Dokumente prüfen",
                       "Inspections et autres organismes qui vérifient les documents",
                       "Inspekcje i inni sprawdzający dokumenty"),
    "kind.wallet_providers": ("Wallet providers", "Maku nodrošinātāji", "Wallet-Anbieter",
                              "Fournisseurs de portefeuilles", "Dostawcy portfeli"),
    "institution": ("Institution", "Iestāde", "Einrichtung", "Institution", "Instytucja"),
    "country": ("Country", "Valsts", "Land", "Pays", "Kraj"),
    "may": ("May", "Drīkst", "Darf", "Peut", "Może"),
    "status": ("Status", "Statuss", "Status", "Statut", "Status"),
    "role.pda1_issuer": ("issue Portable Documents A1", "izsniegt portatīvos dokumentus A1",
                         "Portable Dokumente A1 ausstellen", "délivrer des documents portables A1",
                         "wydawać dokumenty przenośne A1"),
    "role.ehic_issuer": ("issue European Health Insurance Cards", "izsniegt Eiropas veselības apdrošināšanas kartes",
                         "Europäische Krankenversicherungskarten ausstellen",
                         "délivrer des cartes européennes d'assurance maladie",
                         "wydawać europejskie karty ubezpieczenia zdrowotnego"),
    "role.pid_provider": ("issue person identification data (PID)", "izsniegt personas identifikācijas datus (PID)",
                          "Personenidentifizierungsdaten (PID) ausstellen",
                          "délivrer des données d'identification personnelle (PID)",
                          "wydawać dane identyfikacyjne osoby (PID)"),
    "role.verifier": ("check documents", "pārbaudīt dokumentus", "Dokumente prüfen", "vérifier des documents",
                      "sprawdzać dokumenty"),
    "role.wallet_provider": ("attest its wallets to issuers", "apliecināt savus makus izdevējiem",
                             "seine Wallets gegenüber Ausstellern bestätigen",
                             "attester ses portefeuilles auprès des émetteurs",
                             "poświadczać swoje portfele wydawcom"),
    "may_request": ("data it may ask for: {claims}", "dati, ko drīkst pieprasīt: {claims}",
                    "Daten, die sie anfordern darf: {claims}", "données qu'il peut demander : {claims}",
                    "dane, o które może prosić: {claims}"),
    # A verifier's privacy notice (GDPR Art. 13), as its registration names it.
    "policy": ("How {name} handles personal data", "Kā {name} apstrādā personas datus",
               "Wie {name} mit personenbezogenen Daten umgeht", "Comment {name} traite les données personnelles",
               "Jak {name} przetwarza dane osobowe"),
    "status.active": ("active since {date}", "aktīvs kopš {date}", "aktiv seit {date}", "actif depuis le {date}",
                      "aktywny od {date}"),
    "status.suspended": ("suspended since {date}", "apturēts kopš {date}", "ausgesetzt seit {date}",
                         "suspendu depuis le {date}", "zawieszony od {date}"),
    "status.withdrawn": ("withdrawn since {date}", "atsaukts kopš {date}", "widerrufen seit {date}",
                         "retiré depuis le {date}", "wycofany od {date}"),
    "none": ("None registered.", "Neviens nav reģistrēts.", "Keine eingetragen.", "Aucun enregistré.",
             "Brak wpisów."),
    "lists": ("The signed lists", "Parakstītie saraksti", "Die signierten Listen", "Les listes signées",
              "Podpisane listy"),
    "list_info": ("List {sequence}, issued {date}, next update by {next}.", "Saraksts {sequence}, izdots {date}, "
                  "nākamā atjaunināšana līdz {next}.", "Liste {sequence}, ausgestellt am {date}, nächste "
                  "Aktualisierung bis {next}.", "Liste {sequence}, émise le {date}, prochaine mise à jour avant le "
                  "{next}.", "Lista {sequence}, wydana {date}, następna aktualizacja do {next}."),
    "jwt": ("signed (JWT)", "parakstīts (JWT)", "signiert (JWT)", "signée (JWT)", "podpisana (JWT)"),
    "lote": ("ETSI TS 119 602, signed (JWS)", "ETSI TS 119 602, parakstīts (JWS)", "ETSI TS 119 602, signiert (JWS)",
             "ETSI TS 119 602, signée (JWS)", "ETSI TS 119 602, podpisana (JWS)"),
    "lote_json": ("the same as JSON to read, unsigned", "tas pats JSON formātā lasīšanai, neparakstīts",
                  "dasselbe als JSON zum Lesen, unsigniert", "la même en JSON à lire, non signée",
                  "to samo w JSON do czytania, bez podpisu"),
    "root": ("The registry's root certificate, which wallets, issuers and verifiers pin",
             "Reģistra saknes sertifikāts, ko maki, izdevēji un pārbaudītāji piesaista",
             "Das Wurzelzertifikat des Registers, das Wallets, Aussteller und Prüfstellen festlegen",
             "Le certificat racine du registre, que portefeuilles, émetteurs et vérificateurs épinglent",
             "Certyfikat główny rejestru, który przypinają portfele, wydawcy i weryfikatorzy"),
    "language": ("Language", "Valoda", "Sprache", "Langue", "Język"),
    "skip": ("Skip to main content", "Pāriet uz galveno saturu", "Zum Hauptinhalt springen",
             "Aller au contenu principal", "Przejdź do treści głównej"),
}
i18n.register({f"registry.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _T.items()})


def translator(lang: str) -> Callable[..., str]:
    return i18n.translator("registry", lang)
