"""The inspector page's words in EN, LV, DE, FR, PL (registered with :mod:`credentials.i18n`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from credentials import i18n
from credentials.countries import name as country_name

__all__ = ["describe_document", "reason_text", "status_words", "translator"]

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
    "login.title": ("Inspector sign-in", "Inspektora pieteikšanās", "Anmeldung für Kontrollpersonal",
                    "Connexion de l'inspecteur", "Logowanie inspektora"),
    "login.token": ("Your access token", "Jūsu piekļuves pilnvara", "Ihr Zugangstoken", "Votre jeton d'accès",
                    "Twój token dostępu"),
    "login.submit": ("Sign in", "Pieteikties", "Anmelden", "Se connecter", "Zaloguj się"),
    "login.bad": ("This token is not an inspector's.", "Šī pilnvara nepieder inspektoram.",
                  "Dieses Token gehört keiner Kontrollperson.", "Ce jeton n'est pas celui d'un inspecteur.",
                  "Ten token nie należy do inspektora."),
    "login.help": ("Only the inspectorate's staff start checks here: a check asks workers for their data in "
                   "the inspectorate's name.",
                   "Pārbaudes šeit sāk tikai inspekcijas darbinieki: pārbaude inspekcijas vārdā lūdz "
                   "darbiniekiem viņu datus.",
                   "Nur das Personal der Kontrollbehörde startet hier Prüfungen: Eine Prüfung fragt Beschäftigte "
                   "im Namen der Behörde nach ihren Daten.",
                   "Seul le personnel de l'inspection lance des contrôles ici : un contrôle demande leurs données "
                   "aux travailleurs au nom de l'inspection.",
                   "Kontrole rozpoczynają tu tylko pracownicy inspekcji: kontrola prosi pracowników o ich dane w "
                   "imieniu inspekcji."),
    "logout": ("Sign out", "Iziet", "Abmelden", "Se déconnecter", "Wyloguj się"),
    "start.same_device": ("Check on this phone", "Pārbaudīt šajā tālrunī", "Auf diesem Telefon prüfen",
                          "Vérifier sur ce téléphone", "Sprawdź na tym telefonie"),
    "same_device.title": ("Share your documents from the wallet on this phone",
                          "Kopīgojiet dokumentus no maka šajā tālrunī",
                          "Teilen Sie Ihre Dokumente aus der Wallet auf diesem Telefon",
                          "Partagez vos documents depuis le portefeuille de ce téléphone",
                          "Udostępnij dokumenty z portfela na tym telefonie"),
    "same_device.open": ("Open my wallet", "Atvērt manu maku", "Meine Wallet öffnen", "Ouvrir mon portefeuille",
                         "Otwórz mój portfel"),
    "same_device.hint": ("The wallet asks before it shares anything, then brings you back here to the result.",
                         "Maks pajautās, pirms kaut ko kopīgos, un pēc tam atgriezīs jūs šeit pie rezultāta.",
                         "Die Wallet fragt, bevor sie etwas teilt, und bringt Sie dann hierher zum Ergebnis zurück.",
                         "Le portefeuille demande avant de partager quoi que ce soit, puis vous ramène ici au "
                         "résultat.",
                         "Portfel zapyta przed udostępnieniem czegokolwiek, a potem przywróci Cię tutaj do wyniku."),
    "error.session": ("This answer belongs to a check started in another browser. Start the check again here.",
                      "Šī atbilde pieder pārbaudei, kas sākta citā pārlūkā. Sāciet pārbaudi šeit no jauna.",
                      "Diese Antwort gehört zu einer Prüfung, die in einem anderen Browser begonnen wurde. "
                      "Starten Sie die Prüfung hier neu.",
                      "Cette réponse appartient à un contrôle commencé dans un autre navigateur. Recommencez le "
                      "contrôle ici.",
                      "Ta odpowiedź należy do kontroli rozpoczętej w innej przeglądarce. Rozpocznij kontrolę tutaj "
                      "od nowa."),
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
    # The country after a colon: a name in a sentence slot needs its article or case (credentials/pda1.py).
    "pda1.sentence": ("Social security legislation that applies until {end}: {country}.",
                      "Piemērojamie sociālās drošības tiesību akti līdz {end}: {country}.",
                      "Es gelten bis {end} die Rechtsvorschriften der sozialen Sicherheit dieses Staates: {country}.",
                      "Législation de sécurité sociale applicable jusqu'au {end} : {country}.",
                      "Obowiązuje ustawodawstwo w zakresie zabezpieczenia społecznego: {country}, do {end}."),
    "employer": ("Employer", "Darba devējs", "Arbeitgeber", "Employeur", "Pracodawca"),
    "insured_person": ("Insured person", "Apdrošinātā persona", "Versicherte Person", "Personne assurée",
                       "Osoba ubezpieczona"),
    "represented": ("This card insures another person, whom the holder represents: not the holder.",
                    "Šī karte apdrošina citu personu, kuru pārstāv turētājs, nevis pašu turētāju.",
                    "Diese Karte versichert eine andere Person, die der Inhaber vertritt, nicht den Inhaber.",
                    "Cette carte assure une autre personne, que le titulaire représente, et non le titulaire.",
                    "Ta karta ubezpiecza inną osobę, którą reprezentuje posiadacz, a nie samego posiadacza."),
    "status_code": ("Situation", "Statuss", "Situation", "Situation", "Status"),
    "ehic.sentence": ("Health insurance: {country}, card valid until {end}.",
                      "Veselības apdrošināšana: {country}, karte derīga līdz {end}.",
                      "Krankenversicherung: {country}, Karte gültig bis {end}.",
                      "Assurance maladie : {country}, carte valable jusqu'au {end}.",
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
    "offline.prepare": ("Get the lists for a site without network", "Saņemt sarakstus vietai bez tīkla",
                        "Listen für einen Ort ohne Netz laden", "Charger les listes pour un site sans réseau",
                        "Pobierz listy na miejsce bez sieci"),
    "offline.prepare_help": ("Fetches, while there is network, every status list of the institutions on the trust "
                             "list and of those seen so far.",
                             "Kamēr ir tīkls, ielādē visus uzticamības sarakstā iekļauto un līdz šim redzēto iestāžu "
                             "statusa sarakstus.",
                             "Lädt, solange Netz da ist, alle Statuslisten der Einrichtungen auf der Vertrauensliste "
                             "und der bisher gesehenen.",
                             "Charge, tant qu'il y a du réseau, toutes les listes de statut des institutions de la "
                             "liste de confiance et de celles déjà vues.",
                             "Pobiera, póki jest sieć, wszystkie listy statusów instytucji z listy zaufanych i "
                             "dotychczas widzianych."),
    "offline.prepared": ("{count} status lists of {institutions} institutions are ready for checks without network.",
                         "{count} statusa saraksti no {institutions} iestādēm ir gatavi pārbaudēm bez tīkla.",
                         "{count} Statuslisten von {institutions} Einrichtungen sind für Prüfungen ohne Netz bereit.",
                         "{count} listes de statut de {institutions} institutions sont prêtes pour des contrôles "
                         "sans réseau.",
                         "{count} list statusów z {institutions} instytucji jest gotowych do kontroli bez sieci."),
    "offline.prepare_failed": ("{failed} could not be fetched: without network, checks of documents on them will show "
                               "CANNOT BE CONFIRMED.",
                               "{failed} nevarēja ielādēt: bez tīkla to dokumentu pārbaudēs būs NEVAR APSTIPRINĀT.",
                               "{failed} konnten nicht geladen werden: ohne Netz zeigen Prüfungen der Dokumente darauf "
                               "NICHT BESTÄTIGBAR.",
                               "{failed} n'ont pas pu être chargées : sans réseau, le contrôle des documents concernés "
                               "affichera NON CONFIRMABLE.",
                               "{failed} nie udało się pobrać: bez sieci kontrola dokumentów z nich pokaże "
                               "NIE MOŻNA POTWIERDZIĆ."),
    "offline.marker": ("Checked offline with lists cached on this device", "Pārbaudīts bezsaistē ar šajā ierīcē "
                       "saglabātiem sarakstiem", "Offline geprüft mit auf diesem Gerät gespeicherten Listen",
                       "Vérifié hors ligne avec les listes gardées sur cet appareil",
                       "Sprawdzono offline na podstawie list zapisanych na tym urządzeniu"),
    "reason.status.withdrawn": ("The institution has withdrawn this document.",
                                "Iestāde šo dokumentu ir atsaukusi.",
                                "Die Einrichtung hat dieses Dokument widerrufen.",
                                "L'organisme a retiré ce document.", "Instytucja wycofała ten dokument."),
    "reason.status.suspended": ("The institution has suspended this document.",
                                "Iestāde šo dokumentu ir apturējusi.",
                                "Die Einrichtung hat dieses Dokument ausgesetzt.",
                                "L'organisme a suspendu ce document.", "Instytucja zawiesiła ten dokument."),
    "reason.status.not_run": ("The institution's status list could not be checked, so withdrawal cannot be "
                              "ruled out.", "Iestādes statusa sarakstu nevarēja pārbaudīt, tāpēc atsaukumu nevar "
                              "izslēgt.", "Die Statusliste der Einrichtung war nicht prüfbar; ein Widerruf ist nicht "
                              "ausgeschlossen.", "La liste de statut de l'organisme n'a pas pu être vérifiée ; un "
                              "retrait n'est pas exclu.", "Nie udało się sprawdzić listy statusów instytucji, więc "
                              "nie można wykluczyć wycofania."),
    "reason.status.failed": ("The status list is not signed by the issuing institution.",
                             "Statusa sarakstu nav parakstījusi izdevēja iestāde.",
                             "Die Statusliste ist nicht von der ausstellenden Einrichtung signiert.",
                             "La liste de statut n'est pas signée par l'organisme émetteur.",
                             "Lista statusów nie jest podpisana przez instytucję wydającą."),
    "reason.coverage_period.ended": ("The period covered by the document has ended.",
                                     "Dokumenta aptvertais periods ir beidzies.",
                                     "Der vom Dokument erfasste Zeitraum ist abgelaufen.",
                                     "La période couverte par le document est terminée.",
                                     "Okres objęty dokumentem się zakończył."),
    "reason.coverage_period.not_started": ("The period covered by the document has not started yet.",
                                           "Dokumenta aptvertais periods vēl nav sācies.",
                                           "Der vom Dokument erfasste Zeitraum hat noch nicht begonnen.",
                                           "La période couverte par le document n'a pas encore commencé.",
                                           "Okres objęty dokumentem jeszcze się nie rozpoczął."),
    "reason.document_validity.expiry_not_shown": (
        "The PID's expiry date was not shown, so its validity cannot be confirmed.",
        "PID derīguma termiņš netika uzrādīts, tāpēc tā derīgumu nevar apstiprināt.",
        "Das Ablaufdatum der PID wurde nicht gezeigt; ihre Gültigkeit ist nicht bestätigbar.",
        "La date d'expiration du PID n'a pas été présentée ; sa validité ne peut être confirmée.",
        "Nie okazano daty ważności PID, więc nie można potwierdzić jej ważności."),
    "reason.document_validity.document_expiry_not_shown": (
        "The document's expiry date was not shown, so its validity cannot be confirmed.",
        "Dokumenta derīguma termiņš netika uzrādīts, tāpēc tā derīgumu nevar apstiprināt.",
        "Das Ablaufdatum des Dokuments wurde nicht gezeigt; seine Gültigkeit ist nicht bestätigbar.",
        "La date d'expiration du document n'a pas été présentée ; sa validité ne peut être confirmée.",
        "Nie okazano daty ważności dokumentu, więc nie można potwierdzić jego ważności."),
    "reason.document_validity.failed": ("The document is outside its validity dates.",
                                        "Dokuments ir ārpus tā derīguma termiņa.",
                                        "Das Dokument ist außerhalb seiner Gültigkeit.",
                                        "Le document est hors de ses dates de validité.",
                                        "Dokument jest poza okresem ważności."),
    "reason.token_validity.failed": ("The signed credential has expired or is not valid yet.",
                                     "Parakstītais apliecinājums ir beidzies vai vēl nav derīgs.",
                                     "Der signierte Nachweis ist abgelaufen oder noch nicht gültig.",
                                     "L'attestation signée a expiré ou n'est pas encore valable.",
                                     "Podpisane poświadczenie wygasło lub nie jest jeszcze ważne."),
    "reason.issuer_chain.failed": ("The issuer is not on the trust list.", "Izdevējs nav uzticamības sarakstā.",
                                   "Der Aussteller steht nicht auf der Vertrauensliste.",
                                   "L'émetteur ne figure pas sur la liste de confiance.",
                                   "Wystawcy nie ma na liście zaufania."),
    "reason.issuer_authorised.failed": ("The issuing institution is not competent for this document.",
                                        "Izdevēja iestāde nav kompetenta izsniegt šo dokumentu.",
                                        "Die ausstellende Einrichtung ist für dieses Dokument nicht zuständig.",
                                        "L'organisme émetteur n'est pas compétent pour ce document.",
                                        "Instytucja wydająca nie jest właściwa dla tego dokumentu."),
    "reason.issuer_authorised.not_run": ("No trust list is available to check the institutions.",
                                         "Nav pieejams uzticamības saraksts iestāžu pārbaudei.",
                                         "Keine Vertrauensliste zur Prüfung der Einrichtungen verfügbar.",
                                         "Aucune liste de confiance n'est disponible pour vérifier les organismes.",
                                         "Brak listy zaufania do sprawdzenia instytucji."),
    "reason.issuer_signature.failed": ("The issuer's signature is not genuine.", "Izdevēja paraksts nav īsts.",
                                       "Die Signatur des Ausstellers ist nicht echt.",
                                       "La signature de l'émetteur n'est pas authentique.",
                                       "Podpis wystawcy nie jest autentyczny."),
    "reason.disclosures.failed": ("The document has been altered or cannot be read.",
                                  "Dokuments ir mainīts vai nav nolasāms.",
                                  "Das Dokument wurde verändert oder ist nicht lesbar.",
                                  "Le document a été modifié ou est illisible.",
                                  "Dokument został zmieniony lub jest nieczytelny."),
    "reason.key_binding.failed": ("The document was not shown by the phone it was issued to, or not for this "
                                  "check.", "Dokumentu neuzrādīja tālrunis, kuram tas izsniegts, vai ne šai "
                                  "pārbaudei.", "Das Dokument wurde nicht von dem Telefon vorgezeigt, für das es "
                                  "ausgestellt wurde, oder nicht für diese Prüfung.", "Le document n'a pas été "
                                  "présenté par le téléphone auquel il a été délivré, ou pas pour ce contrôle.",
                                  "Dokument nie został okazany przez telefon, dla którego go wydano, lub nie do "
                                  "tej kontroli."),
    "reason.query.failed": ("The answer does not contain what was asked for, or contains more.",
                            "Atbildē nav pieprasītā vai ir vairāk nekā pieprasīts.",
                            "Die Antwort enthält nicht das Verlangte oder mehr als das.",
                            "La réponse ne contient pas ce qui était demandé, ou davantage.",
                            "Odpowiedź nie zawiera tego, o co proszono, lub zawiera więcej."),
    "reason.query.partial": ("Valid for the documents shown; the worker did not show the ones the inspection "
                             "made optional.",
                             "Derīgs uzrādītajiem dokumentiem; darbinieks neuzrādīja pārbaudē neobligātos "
                             "dokumentus.",
                             "Gültig für die gezeigten Dokumente; die optionalen Dokumente der Prüfung wurden nicht "
                             "gezeigt.",
                             "Valable pour les documents présentés ; le travailleur n'a pas présenté ceux que le "
                             "contrôle rendait facultatifs.",
                             "Ważne dla okazanych dokumentów; pracownik nie okazał dokumentów, które kontrola "
                             "uznała za opcjonalne."),
    "reason.query.nothing_presented": ("The worker showed no document: every document of this inspection was "
                                       "optional.",
                                       "Darbinieks neuzrādīja nevienu dokumentu: visi šīs pārbaudes dokumenti bija "
                                       "neobligāti.",
                                       "Es wurde kein Dokument gezeigt: alle Dokumente dieser Prüfung waren optional.",
                                       "Le travailleur n'a présenté aucun document : tous les documents de ce "
                                       "contrôle étaient facultatifs.",
                                       "Pracownik nie okazał żadnego dokumentu: wszystkie dokumenty tej kontroli były "
                                       "opcjonalne."),
    "reason.holder_link.mismatch": ("The document and the PID are not the same person's: they carry different "
                                    "personal numbers.",
                                    "Dokuments un PID nepieder vienai personai: tajos ir atšķirīgi personas kodi.",
                                    "Das Dokument und die PID gehören nicht derselben Person: Sie tragen "
                                    "verschiedene persönliche Kennnummern.",
                                    "Le document et le PID ne sont pas ceux de la même personne : ils portent des "
                                    "numéros d'identification personnels différents.",
                                    "Dokument i PID nie należą do tej samej osoby: mają różne osobiste numery "
                                    "identyfikacyjne."),
    "reason.holder_link.withheld": ("The PID did not show the personal number (or the issuing country) that a "
                                    "PID of the document's state carries, so the document cannot be tied to the "
                                    "person shown.",
                                    "PID neuzrādīja personas kodu (vai izdevējvalsti), kas ir dokumenta valsts PID, "
                                    "tāpēc dokumentu nevar sasaistīt ar uzrādīto personu.",
                                    "Die PID hat die persönliche Kennnummer (oder den Ausstellungsstaat), die eine PID "
                                    "des Dokumentstaats trägt, nicht gezeigt: Das Dokument lässt sich der gezeigten "
                                    "Person nicht zuordnen.",
                                    "Le PID n'a pas montré le numéro d'identification personnel (ou le pays "
                                    "d'émission) que porte un PID de l'État du document : le document ne peut pas "
                                    "être rattaché à la personne présentée.",
                                    "PID nie pokazał osobistego numeru identyfikacyjnego (ani państwa wydania), który "
                                    "zawiera PID państwa dokumentu, więc dokumentu nie można powiązać z okazaną "
                                    "osobą."),
    "reason.holder_link.same_wallet": ("Valid; the document is tied to the PID only by the wallet that showed "
                                       "both: the PID shows no personal number of the document's state to match.",
                                       "Derīgs; dokumentu ar PID saista tikai maks, kas uzrādīja abus: PID "
                                       "neuzrāda dokumenta valsts personas kodu salīdzināšanai.",
                                       "Gültig; das Dokument ist mit der PID nur durch die Wallet verbunden, die "
                                       "beide gezeigt hat: Die PID zeigt keine persönliche Kennnummer des "
                                       "Dokumentstaats zum Abgleich.",
                                       "Valable ; le document n'est rattaché au PID que par le portefeuille qui a "
                                       "présenté les deux : le PID ne montre aucun numéro d'identification "
                                       "personnel de l'État du document à comparer.",
                                       "Ważne; dokument jest powiązany z PID tylko przez portfel, który okazał oba: "
                                       "PID nie pokazuje osobistego numeru identyfikacyjnego państwa dokumentu do "
                                       "porównania."),
    "reason.holder_link.represented": ("Valid; the EHIC is the card of someone the holder represents (the insured "
                                       "person it names), not of the person shown.",
                                       "Derīgs; EVAK ir karte personai, kuru pārstāv turētājs (tajā norādītajai "
                                       "apdrošinātajai personai), nevis uzrādītajai personai.",
                                       "Gültig; die EKVK ist die Karte einer von der Person vertretenen Person (der "
                                       "darin genannten versicherten Person), nicht der gezeigten Person.",
                                       "Valable ; la CEAM est la carte d'une personne que le titulaire représente "
                                       "(l'assuré qu'elle nomme), et non de la personne présentée.",
                                       "Ważne; EKUZ jest kartą osoby reprezentowanej przez posiadacza (wskazanej w "
                                       "niej osoby ubezpieczonej), a nie okazanej osoby."),
    "reason.holder_link.several": ("The answer holds more than one PID: the documents cannot be tied to one "
                                   "person.",
                                   "Atbildē ir vairāk nekā viens PID: dokumentus nevar sasaistīt ar vienu personu.",
                                   "Die Antwort enthält mehr als eine PID: Die Dokumente lassen sich nicht einer "
                                   "Person zuordnen.",
                                   "La réponse contient plus d'un PID : les documents ne peuvent pas être rattachés "
                                   "à une seule personne.",
                                   "Odpowiedź zawiera więcej niż jeden PID: dokumentów nie można powiązać z jedną "
                                   "osobą."),
    "reason.paper": ("Paper document: check an identity document to confirm the holder.",
                     "Papīra dokuments: pārbaudiet personu apliecinošu dokumentu.",
                     "Papierdokument: prüfen Sie einen Ausweis, um die Person zu bestätigen.",
                     "Document papier : vérifiez une pièce d'identité pour confirmer le titulaire.",
                     "Dokument papierowy: sprawdź dokument tożsamości, aby potwierdzić posiadacza."),
    "reason.refused": ("The worker declined to share the documents.", "Darbinieks atteicās kopīgot dokumentus.",
                       "Die Person hat die Weitergabe abgelehnt.", "Le travailleur a refusé de partager les "
                       "documents.", "Pracownik odmówił udostępnienia dokumentów."),
    "error.profile": ("Choose what to check.", "Izvēlieties, ko pārbaudīt.", "Wählen Sie aus, was geprüft wird.",
                      "Choisissez ce qu'il faut vérifier.", "Wybierz, co sprawdzić."),
    "language": ("Language", "Valoda", "Sprache", "Langue", "Język"),
    "page.waiting": ("Waiting for the wallet", "Gaida maku", "Warten auf die Wallet", "En attente du portefeuille",
                     "Oczekiwanie na portfel"),
    "qr_label": ("QR code of the request, for the worker's wallet", "Pieprasījuma QR kods darbinieka makam",
                 "QR-Code der Anfrage für die Wallet der Person",
                 "Code QR de la demande, pour le portefeuille du travailleur",
                 "Kod QR żądania dla portfela pracownika"),
    "link_label": ("Link of the request (for a wallet that cannot scan)",
                   "Pieprasījuma saite (makam, kas nevar skenēt)",
                   "Link der Anfrage (für eine Wallet, die nicht scannen kann)",
                   "Lien de la demande (pour un portefeuille qui ne peut pas scanner)",
                   "Link żądania (dla portfela, który nie może skanować)"),
    "photo_of": ("Photo of {name}", "{name} foto", "Foto von {name}", "Photo de {name}", "Zdjęcie: {name}"),
    "check.passed": ("passed", "izdevās", "bestanden", "réussi", "pozytywnie"),
    "check.failed": ("failed", "neizdevās", "nicht bestanden", "échoué", "negatywnie"),
    "check.not_run": ("not run", "nav veikta", "nicht ausgeführt", "non effectué", "nie wykonano"),
    "offline.read": ("QR code read. Press Check.", "QR kods nolasīts. Nospiediet “Pārbaudīt”.",
                     "QR-Code gelesen. Drücken Sie „Prüfen“.", "Code QR lu. Appuyez sur « Vérifier ».",
                     "Kod QR odczytany. Naciśnij „Sprawdź”."),
    "offline.unread": ("The code could not be read here: Check sends the photo for the server to read.",
                       "Kodu šeit nevarēja nolasīt: “Pārbaudīt” nosūtīs foto nolasīšanai serverī.",
                       "Der Code war hier nicht lesbar: „Prüfen“ sendet das Foto zum Lesen an den Server.",
                       "Le code n'a pas pu être lu ici : « Vérifier » envoie la photo au serveur pour la lire.",
                       "Nie udało się tu odczytać kodu: „Sprawdź” wyśle zdjęcie do odczytu na serwerze."),
}
#: The inspection records page (verifier/records.py): the day's checks, the document lookup, downloads.
_T.update({
    "records.link": ("Checks done", "Veiktās pārbaudes", "Durchgeführte Prüfungen", "Contrôles effectués",
                     "Przeprowadzone kontrole"),
    "records.title": ("Checks of the day", "Dienas pārbaudes", "Prüfungen des Tages", "Contrôles du jour",
                      "Kontrole dnia"),
    "records.day": ("Day", "Diena", "Tag", "Jour", "Dzień"),
    "records.show": ("Show", "Rādīt", "Anzeigen", "Afficher", "Pokaż"),
    "records.bad_date": ("This is not a date.", "Tas nav datums.", "Das ist kein Datum.", "Ce n'est pas une date.",
                         "To nie jest data."),
    "records.summary": ("Summary", "Kopsavilkums", "Übersicht", "Résumé", "Podsumowanie"),
    "records.count.checked": ("Checked", "Pārbaudīti", "Geprüft", "Contrôlés", "Sprawdzone"),
    "records.count.valid": ("Valid", "Derīgi", "Gültig", "Valides", "Ważne"),
    "records.count.invalid": ("Not valid", "Nederīgi", "Nicht gültig", "Non valides", "Nieważne"),
    "records.count.undetermined": ("Cannot be confirmed", "Nevar apstiprināt", "Nicht bestätigbar",
                                   "Non confirmables", "Nie można potwierdzić"),
    "records.count.refused": ("Declined", "Atteikti", "Abgelehnt", "Refusés", "Odmowy"),
    "records.col.date": ("Date", "Datums", "Datum", "Date", "Data"),
    "records.col.time": ("Time", "Laiks", "Uhrzeit", "Heure", "Godzina"),
    "records.col.verdict": ("Result", "Rezultāts", "Ergebnis", "Résultat", "Wynik"),
    "records.col.documents": ("Documents", "Dokumenti", "Dokumente", "Documents", "Dokumenty"),
    "records.col.institutions": ("Institutions", "Iestādes", "Einrichtungen", "Institutions", "Instytucje"),
    "records.col.inspector": ("Inspector", "Inspektors", "Kontrollperson", "Inspecteur", "Inspektor"),
    "records.col.flow": ("How", "Kā", "Wie", "Comment", "Sposób"),
    "records.flow.cross_device": ("QR code on this screen", "QR kods šajā ekrānā", "QR-Code auf diesem Bildschirm",
                                  "Code QR sur cet écran", "Kod QR na tym ekranie"),
    "records.flow.same_device": ("On the worker's phone", "Darbinieka tālrunī", "Auf dem Telefon der Person",
                                 "Sur le téléphone du travailleur", "Na telefonie pracownika"),
    "records.flow.offline": ("Offline QR code", "Bezsaistes QR kods", "Offline-QR-Code", "Code QR hors ligne",
                             "Kod QR offline"),
    "records.flow.api": ("Inspectorate's system", "Inspekcijas sistēma", "System der Behörde",
                         "Système de l'inspection", "System inspekcji"),
    "records.type.pda1": ("A1", "A1", "A1", "A1", "A1"),
    "records.type.ehic": ("EHIC", "EVAK", "EKVK", "CEAM", "EKUZ"),
    "records.type.pid": ("PID", "PID", "PID", "PID", "PID"),
    "records.type.other": ("Other", "Cits", "Sonstiges", "Autre", "Inny"),
    "records.none": ("No checks on this day.", "Šajā dienā pārbaužu nav.", "An diesem Tag keine Prüfungen.",
                     "Aucun contrôle ce jour-là.", "Brak kontroli tego dnia."),
    "records.more": ("Only the latest {shown} are shown: download the day for all {total}.",
                     "Parādītas tikai pēdējās {shown}: lejupielādējiet dienu, lai redzētu visas {total}.",
                     "Nur die letzten {shown} werden gezeigt: Laden Sie den Tag herunter, um alle {total} zu sehen.",
                     "Seuls les {shown} derniers sont affichés : téléchargez la journée pour les {total}.",
                     "Pokazano tylko ostatnie {shown}: pobierz dzień, aby zobaczyć wszystkie {total}."),
    "records.download": ("Download the day, with each check's signed proof",
                         "Lejupielādēt dienu ar katras pārbaudes parakstīto apliecinājumu",
                         "Den Tag herunterladen, mit dem signierten Nachweis jeder Prüfung",
                         "Télécharger la journée, avec la preuve signée de chaque contrôle",
                         "Pobierz dzień z podpisanym dowodem każdej kontroli"),
    "records.csv": ("CSV (spreadsheet)", "CSV (izklājlapa)", "CSV (Tabelle)", "CSV (tableur)", "CSV (arkusz)"),
    "records.jsonl": ("JSON lines", "JSON rindas", "JSON-Zeilen", "Lignes JSON", "Wiersze JSON"),
    "records.lookup.title": ("Was this document checked?", "Vai šis dokuments ir pārbaudīts?",
                             "Wurde dieses Dokument geprüft?", "Ce document a-t-il été contrôlé ?",
                             "Czy ten dokument był sprawdzany?"),
    "records.lookup.number": ("Document number", "Dokumenta numurs", "Dokumentnummer", "Numéro du document",
                              "Numer dokumentu"),
    "records.lookup.submit": ("Search", "Meklēt", "Suchen", "Rechercher", "Szukaj"),
    "records.lookup.help": ("Searches every day kept. The number itself is not stored: the records keep only a "
                            "keyed hash of it.",
                            "Meklē visās saglabātajās dienās. Pats numurs netiek glabāts: ierakstos ir tikai tā "
                            "jaucējkods ar atslēgu.",
                            "Durchsucht alle aufbewahrten Tage. Die Nummer selbst wird nicht gespeichert: Die "
                            "Einträge enthalten nur einen Hashwert mit Schlüssel.",
                            "Recherche dans tous les jours conservés. Le numéro lui-même n'est pas enregistré : "
                            "les enregistrements n'en gardent qu'une empreinte à clé.",
                            "Przeszukuje wszystkie przechowywane dni. Sam numer nie jest zapisywany: rejestry "
                            "zawierają tylko jego skrót z kluczem."),
    "records.lookup.found": ("Checks of this document: {count}", "Šī dokumenta pārbaudes: {count}",
                             "Prüfungen dieses Dokuments: {count}", "Contrôles de ce document : {count}",
                             "Kontrole tego dokumentu: {count}"),
    "records.lookup.none": ("No check of this document is on record.", "Par šī dokumenta pārbaudi ierakstu nav.",
                            "Keine Prüfung dieses Dokuments verzeichnet.",
                            "Aucun contrôle de ce document n'est enregistré.", "Brak zapisu kontroli tego dokumentu."),
    "records.lookup.empty": ("Type a document number.", "Ievadiet dokumenta numuru.",
                             "Geben Sie eine Dokumentnummer ein.", "Saisissez un numéro de document.",
                             "Wpisz numer dokumentu."),
    "reason.wallet_error": ("The wallet could not answer.", "Maks nevarēja atbildēt.",
                            "Die Wallet konnte nicht antworten.", "Le portefeuille n'a pas pu répondre.",
                            "Portfel nie mógł odpowiedzieć."),
})
i18n.register({f"verifier.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _T.items()})


def translator(lang: str) -> Callable[..., str]:
    return i18n.translator("verifier", lang)


def describe_document(doc: Mapping[str, Any], lang: str) -> str:
    """One sentence for the verdict screen: which legislation applies until when, or the EHIC's validity."""
    from credentials import pda1

    is_a1 = doc.get("vct") in (pda1.VCT, *pda1.ALIASES)
    # An A1 names the state whose legislation applies, never the issuing state in its place.
    country = doc.get("legislation_country") if is_a1 else doc.get("issuing_country")
    cname = country_name(country, lang) if isinstance(country, str) and country else "?"
    if is_a1:
        return i18n.t("verifier.pda1.sentence", lang, country=cname, end=_date_words(doc.get("ending_date"), lang))
    end = doc.get("date_of_expiry") or doc.get("ending_date")
    return i18n.t("verifier.ehic.sentence", lang, country=cname, end=_date_words(end, lang))


def _date_words(value: Any, lang: str) -> str:
    """An ISO full-date in words; "?" for anything else. A listed institution's document may hold a
    date that is none ("2025-13-45"): the verdict says so (document_validity), the page still shows."""
    if not isinstance(value, str):
        return "?"
    try:
        return i18n.format_date(value, lang)
    except ValueError:
        return "?"


def status_words(code: Any, lang: str) -> str:
    """A PDA1 section 3 status code in words ("01" -> "posted employed person"); "?" for a value that
    is no code (another implementation's array or object)."""
    from credentials import pda1

    if not isinstance(code, str):
        return "?"
    words = pda1.STATUS_CODES.get(code)
    if words is None:
        return code
    return f"{words[i18n.LANGUAGES.index(lang) if lang in i18n.LANGUAGES else 0]} ({code})"


def reason_text(verdict: Mapping[str, Any], lang: str) -> str:
    """The one-sentence reason in the page's language (the English detail when no translation exists)."""
    key = str(verdict.get("reason_key") or "")
    if key and f"verifier.reason.{key}" in i18n.catalogue_keys():
        return i18n.t(f"verifier.reason.{key}", lang)
    return str(verdict.get("reason") or "")
