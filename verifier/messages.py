"""The inspector page's words in EN, LV, DE, FR, PL (registered with :mod:`credentials.i18n`)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from credentials import countries, ehic, i18n
from credentials.countries import name as country_name
from credentials.verification import duration_parts

__all__ = ["age_words", "date_text", "datetime_text", "describe_document", "duration_words", "institution_name",
           "notice_text", "places_missing", "places_of_work", "reason_text", "status_words", "step_name", "step_text",
           "translator"]

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    # Shared by the A1 inspection and the EHIC desk: words of neither (review R1, defect 4).
    "title": ("ESSPASS check", "ESSPASS pārbaude", "ESSPASS-Prüfung", "Contrôle ESSPASS", "Kontrola ESSPASS"),
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
    "login.title": ("Staff sign-in", "Darbinieku pieteikšanās", "Anmeldung für das Personal",
                    "Connexion du personnel", "Logowanie personelu"),
    "login.token": ("Your access token", "Jūsu piekļuves pilnvara", "Ihr Zugangstoken", "Votre jeton d'accès",
                    "Twój token dostępu"),
    "login.submit": ("Sign in", "Pieteikties", "Anmelden", "Se connecter", "Zaloguj się"),
    "login.bad": ("This token is not one of this service's staff.", "Šī pilnvara nepieder šī dienesta darbiniekam.",
                  "Dieses Token gehört zu niemandem vom Personal.", "Ce jeton n'appartient pas au personnel de ce "
                  "service.", "Ten token nie należy do personelu tej usługi."),
    "login.help": ("Only this body's staff start checks here: a check asks people for their documents in its "
                   "name.",
                   "Pārbaudes šeit sāk tikai šīs iestādes darbinieki: pārbaude tās vārdā lūdz cilvēkiem viņu "
                   "dokumentus.",
                   "Nur das Personal dieser Stelle startet hier Prüfungen: Eine Prüfung fragt Personen in ihrem "
                   "Namen nach ihren Dokumenten.",
                   "Seul le personnel de cet organisme lance des contrôles ici : un contrôle demande leurs "
                   "documents aux personnes en son nom.",
                   "Kontrole rozpoczyna tu tylko personel tej instytucji: kontrola prosi osoby o ich dokumenty w "
                   "jej imieniu."),
    "logout": ("Sign out", "Iziet", "Abmelden", "Se déconnecter", "Wyloguj się"),
    # For a worker whose wallet is on the inspector's own device (a shared tablet or kiosk): the
    # result appears only in the browser that started the check (start.same_device_help).
    "start.same_device": ("Check with a wallet on this device", "Pārbaudīt ar maku šajā ierīcē",
                          "Mit einer Wallet auf diesem Gerät prüfen", "Vérifier avec un portefeuille sur cet appareil",
                          "Sprawdź portfelem na tym urządzeniu"),
    "same_device.title": ("Check with the wallet on this device", "Pārbaude ar maku šajā ierīcē",
                          "Prüfung mit der Wallet auf diesem Gerät", "Contrôle avec le portefeuille de cet appareil",
                          "Kontrola portfelem na tym urządzeniu"),
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
    # access_denied: the worker's no, or a wallet holding none of what was asked (OpenID4VP §8.5).
    "refused": ("NOT SHARED", "NAV KOPĪGOTS", "NICHT GETEILT", "NON PARTAGÉ", "NIE UDOSTĘPNIONO"),
    "reason": ("Reason", "Iemesls", "Grund", "Motif", "Powód"),
    "name": ("Name", "Vārds", "Name", "Nom", "Imię i nazwisko"),
    "birthdate": ("Date of birth", "Dzimšanas datums", "Geburtsdatum", "Date de naissance", "Data urodzenia"),
    "issuer": ("Issued by", "Izdevējs", "Ausgestellt von", "Délivré par", "Wydany przez"),
    "checks": ("Checks", "Pārbaudes", "Prüfungen", "Contrôles", "Kontrole"),
    # The ages as age_words writes them: "12 min", "30 hours", "8 days".
    "freshness": ("Trust list age: {trust} · status list age: {status}",
                  "Uzticamības saraksta vecums: {trust} · statusa saraksta vecums: {status}",
                  "Alter der Vertrauensliste: {trust} · Alter der Statusliste: {status}",
                  "Âge de la liste de confiance : {trust} · âge de la liste de statut : {status}",
                  "Wiek listy zaufania: {trust} · wiek listy statusów: {status}"),
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
    # An A1's section 4.2 entry: the person's own activity, not an employer (as credentials/pda1.py labels it).
    "self_employed_activity": ("Self-employed activity", "Pašnodarbinātā darbība", "Selbstständige Tätigkeit",
                               "Activité non salariée", "Działalność na własny rachunek"),
    "insured_person": ("Insured person", "Apdrošinātā persona", "Versicherte Person", "Personne assurée",
                       "Osoba ubezpieczona"),
    "represented": ("This card insures another person, whom the holder represents: not the holder.",
                    "Šī karte apdrošina citu personu, kuru pārstāv turētājs, nevis pašu turētāju.",
                    "Diese Karte versichert eine andere Person, die der Inhaber vertritt, nicht den Inhaber.",
                    "Cette carte assure une autre personne, que le titulaire représente, et non le titulaire.",
                    "Ta karta ubezpiecza inną osobę, którą reprezentuje posiadacz, a nie samego posiadacza."),
    "status_code": ("Situation", "Statuss", "Situation", "Situation", "Status"),
    # The card's field 9 as Decision S2 names it, "expiry date": the sentence stands beside any verdict, a
    # suspended or withdrawn card's too, which "valid until" would contradict.
    "ehic.sentence": ("Health insurance: {country}, card expiry date {end}.",
                      # A Latvian date ends with its own full stop ("01.11.2029."): the sentence adds none.
                      "Veselības apdrošināšana: {country}, kartes derīguma termiņš {end}",
                      "Krankenversicherung: {country}, Ablaufdatum der Karte {end}.",
                      "Assurance maladie : {country}, date d'expiration de la carte {end}.",
                      "Ubezpieczenie zdrowotne: {country}, data ważności karty {end}."),
    "offline.title": ("Check an offline QR code", "Pārbaudīt bezsaistes QR kodu", "Offline-QR-Code prüfen",
                      "Vérifier un code QR hors ligne", "Sprawdź kod QR offline"),
    "offline.challenge": ("Ask the person to enter this code in the wallet:",
                          "Lūdziet personai ievadīt šo kodu makā:",
                          "Bitten Sie die Person, diesen Code in der Wallet einzugeben:",
                          "Demandez à la personne de saisir ce code dans son portefeuille :",
                          "Poproś tę osobę o wpisanie tego kodu w portfelu:"),
    # The offline page of a browser not doing EHIC checks: the date-of-care field is a link away.
    "offline.care_date_offer": ("EHIC for a past date of care?", "EVAK par agrāku aprūpes datumu?",
                                "EKVK für ein früheres Behandlungsdatum?", "CEAM pour une date de soins passée ?",
                                "EKUZ za wcześniejszą datę świadczenia?"),
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
    "offline.withdrawn_since": ("{count} documents checked earlier have been withdrawn since: see Checks done.",
                                "{count} agrāk pārbaudīti dokumenti kopš tā laika ir atsaukti: skatiet Veiktās "
                                "pārbaudes.",
                                "{count} früher geprüfte Dokumente wurden seither widerrufen: siehe Durchgeführte "
                                "Prüfungen.",
                                "{count} documents contrôlés auparavant ont été retirés depuis : voir Contrôles "
                                "effectués.",
                                "{count} wcześniej sprawdzonych dokumentów wycofano od tego czasu: zobacz "
                                "Przeprowadzone kontrole."),
    # Until when the lists held let a device decide without network (verifier.service.readiness): a status list
    # until the earlier of its exp and the maximum age, the trust list its maximum age from its issuance.
    "offline.ready_until": ("Checks without network answer until {until}. After that they show CANNOT BE CONFIRMED "
                            "(a withdrawal already known is still shown): get the lists again before then, where "
                            "there is network.",
                            "Pārbaudes bez tīkla sniedz atbildi līdz {until}. Pēc tam tajās būs NEVAR APSTIPRINĀT "
                            "(jau zināms atsaukums joprojām tiek parādīts): pirms tam ielādējiet sarakstus vēlreiz "
                            "vietā, kur ir tīkls.",
                            "Prüfungen ohne Netz antworten bis {until}. Danach zeigen sie NICHT BESTÄTIGBAR (ein "
                            "bereits bekannter Widerruf wird weiter angezeigt): Laden Sie die Listen vorher erneut, wo "
                            "es Netz gibt.",
                            "Les contrôles sans réseau répondent jusqu'au {until}. Ensuite, ils affichent NON "
                            "CONFIRMABLE (un retrait déjà connu reste affiché) : rechargez les listes avant, là où il "
                            "y a du réseau.",
                            "Kontrole bez sieci dają odpowiedź do {until}. Potem pokażą NIE MOŻNA POTWIERDZIĆ (znane "
                            "już wycofanie nadal jest pokazywane): pobierz listy ponownie wcześniej, tam gdzie jest "
                            "sieć."),
    "offline.ready_past": ("Since {until} the lists held on this device are too old: checks without network show "
                           "CANNOT BE CONFIRMED (a withdrawal already known is still shown). Get the lists again "
                           "where there is network.",
                           "Kopš {until} šajā ierīcē saglabātie saraksti ir par vecu: pārbaudēs bez tīkla būs NEVAR "
                           "APSTIPRINĀT (jau zināms atsaukums joprojām tiek parādīts). Ielādējiet sarakstus vēlreiz "
                           "vietā, kur ir tīkls.",
                           "Seit {until} sind die auf diesem Gerät gespeicherten Listen zu alt: Prüfungen ohne Netz "
                           "zeigen NICHT BESTÄTIGBAR (ein bereits bekannter Widerruf wird weiter angezeigt). Laden Sie "
                           "die Listen erneut, wo es Netz gibt.",
                           "Depuis le {until}, les listes gardées sur cet appareil sont trop anciennes : les contrôles "
                           "sans réseau affichent NON CONFIRMABLE (un retrait déjà connu reste affiché). Rechargez les "
                           "listes là où il y a du réseau.",
                           "Od {until} listy zapisane na tym urządzeniu są za stare: kontrole bez sieci pokazują NIE "
                           "MOŻNA POTWIERDZIĆ (znane już wycofanie nadal jest pokazywane). Pobierz listy ponownie tam, "
                           "gdzie jest sieć."),
    "offline.ready_none": ("This device holds no status list that can answer: checks without network show CANNOT BE "
                           "CONFIRMED. Get the lists where there is network.",
                           "Šajā ierīcē nav neviena statusa saraksta, kas var sniegt atbildi: pārbaudēs bez tīkla būs "
                           "NEVAR APSTIPRINĀT. Ielādējiet sarakstus vietā, kur ir tīkls.",
                           "Dieses Gerät hat keine Statusliste, die antworten kann: Prüfungen ohne Netz zeigen NICHT "
                           "BESTÄTIGBAR. Laden Sie die Listen, wo es Netz gibt.",
                           "Cet appareil ne garde aucune liste de statut qui puisse répondre : les contrôles sans "
                           "réseau affichent NON CONFIRMABLE. Chargez les listes là où il y a du réseau.",
                           "To urządzenie nie ma żadnej listy statusów, która może dać odpowiedź: kontrole bez sieci "
                           "pokażą NIE MOŻNA POTWIERDZIĆ. Pobierz listy tam, gdzie jest sieć."),
    "offline.ready_institution": ("Status lists of {institution}: until {until}", "{institution} statusa saraksti: "
                                  "līdz {until}", "Statuslisten von {institution}: bis {until}",
                                  "Listes de statut de {institution} : jusqu'au {until}",
                                  "Listy statusów {institution}: do {until}"),
    "offline.ready_trust": ("Trust list: until {until}", "Uzticamības saraksts: līdz {until}",
                            "Vertrauensliste: bis {until}", "Liste de confiance : jusqu'au {until}",
                            "Lista zaufania: do {until}"),
    # Some lists fetched, some not: a copy fetched earlier of those still answers while recent enough
    # (esspass.status_client: up to its maximum age, never past the list's own exp).
    "offline.prepare_failed": ("{failed} could not be fetched now: documents on them are checked with the copies "
                               "fetched earlier while those are recent enough; without such a copy, checks without "
                               "network will show CANNOT BE CONFIRMED.",
                               "{failed} tagad nevarēja ielādēt: to dokumentus pārbauda ar agrāk ielādētajām kopijām, "
                               "kamēr tās nav par vecu; bez šādas kopijas pārbaudēs bez tīkla būs NEVAR APSTIPRINĀT.",
                               "{failed} konnten jetzt nicht geladen werden: Dokumente darauf werden mit früher "
                               "geladenen Kopien geprüft, solange diese aktuell genug sind; ohne eine solche Kopie "
                               "zeigen Prüfungen ohne Netz NICHT BESTÄTIGBAR.",
                               "{failed} n'ont pas pu être chargées maintenant : les documents concernés sont vérifiés "
                               "avec les copies chargées auparavant tant qu'elles sont assez récentes ; sans une telle "
                               "copie, les contrôles sans réseau afficheront NON CONFIRMABLE.",
                               "{failed} nie udało się teraz pobrać: dokumenty z nich są sprawdzane na podstawie "
                               "wcześniej pobranych kopii, dopóki nie są za stare; bez takiej kopii kontrole bez sieci "
                               "pokażą NIE MOŻNA POTWIERDZIĆ."),
    # Nothing fetched, something failed (no network): not "0 lists are ready", since the lists
    # fetched before still answer; until when, the page says below it (offline.ready_*).
    "offline.prepare_nothing": ("Nothing could be fetched now: there is no network, or the institutions' servers did "
                                "not answer. Status lists fetched earlier on this device still answer while they are "
                                "recent enough (each check shows their age); a document whose list this device does "
                                "not hold, or holds too old, will show CANNOT BE CONFIRMED. Get the lists again where "
                                "there is network.",
                                "Tagad neko nevarēja ielādēt: nav tīkla, vai iestāžu serveri neatbildēja. Šajā ierīcē "
                                "agrāk ielādētie statusa saraksti joprojām der, kamēr tie nav par vecu (katra pārbaude "
                                "rāda to vecumu); dokumentam, kura sarakstu šī ierīce neglabā vai glabā par vecu, būs "
                                "NEVAR APSTIPRINĀT. Ielādējiet sarakstus vēlreiz vietā, kur ir tīkls.",
                                "Jetzt konnte nichts geladen werden: Es gibt kein Netz, oder die Server der "
                                "Einrichtungen haben nicht geantwortet. Früher auf diesem Gerät geladene Statuslisten "
                                "gelten weiter, solange sie aktuell genug sind (jede Prüfung zeigt ihr Alter); ein "
                                "Dokument, dessen Liste dieses Gerät nicht oder zu alt hat, zeigt NICHT BESTÄTIGBAR. "
                                "Laden Sie die Listen erneut, wo es Netz gibt.",
                                "Rien n'a pu être chargé maintenant : il n'y a pas de réseau, ou les serveurs des "
                                "institutions n'ont pas répondu. Les listes de statut chargées auparavant sur cet "
                                "appareil restent utilisées tant qu'elles sont assez récentes (chaque contrôle indique "
                                "leur âge) ; un document dont cet appareil n'a pas la liste, ou l'a trop ancienne, "
                                "affichera NON CONFIRMABLE. Rechargez les listes là où il y a du réseau.",
                                "Nie udało się teraz niczego pobrać: brak sieci albo serwery instytucji nie "
                                "odpowiedziały. Listy statusów pobrane wcześniej na to urządzenie nadal obowiązują, "
                                "dopóki nie są za stare (każda kontrola pokazuje ich wiek); dokument, którego listy to "
                                "urządzenie nie ma lub ma za starą, pokaże NIE MOŻNA POTWIERDZIĆ. Pobierz listy "
                                "ponownie tam, gdzie jest sieć."),
    "offline.marker": ("Checked offline with lists cached on this device", "Pārbaudīts bezsaistē ar šajā ierīcē "
                       "saglabātiem sarakstiem", "Offline geprüft mit auf diesem Gerät gespeicherten Listen",
                       "Vérifié hors ligne avec les listes gardées sur cet appareil",
                       "Sprawdzono offline na podstawie list zapisanych na tym urządzeniu"),
    # A card checked for a past day of care whose date of issue is not shown (credentials/verification.py
    # _validity_steps): an offline QR code made before it carried one.
    "reason.document_validity.issue_date_not_shown": (
        "The card's date of issue is not shown, so whether it covered the date of care cannot be confirmed: check "
        "the card in the wallet (online), or ask for a provisional replacement certificate covering the date.",
        "Kartes izsniegšanas datums nav parādīts, tāpēc nevar apstiprināt, vai tā aptvēra aprūpes datumu: "
        "pārbaudiet karti makā (tiešsaistē) vai lūdziet EVAK aizvietojošo sertifikātu, kas to aptver.",
        "Das Ausstellungsdatum der Karte wird nicht gezeigt, daher lässt sich nicht bestätigen, ob sie das "
        "Behandlungsdatum abdeckte: Prüfen Sie die Karte in der Wallet (online), oder verlangen Sie eine "
        "provisorische Ersatzbescheinigung, die es abdeckt.",
        "La date de délivrance de la carte n'est pas présentée : on ne peut pas confirmer qu'elle couvrait la date "
        "des soins. Contrôlez la carte dans le portefeuille (en ligne), ou demandez un certificat provisoire de "
        "remplacement qui la couvre.",
        "Data wydania karty nie jest pokazana, więc nie można potwierdzić, czy obejmowała dzień świadczenia: "
        "sprawdź kartę w portfelu (online) albo poproś o certyfikat tymczasowo zastępujący kartę, który go "
        "obejmuje."),
    "reason.status.withdrawn": ("The institution has withdrawn this document.",
                                "Iestāde šo dokumentu ir atsaukusi.",
                                "Die Einrichtung hat dieses Dokument widerrufen.",
                                "L'organisme a retiré ce document.", "Instytucja wycofała ten dokument."),
    # Our REPLACED (0x03, credentials.status_list): superseded by a newer document of the institution,
    # not void from its first day as a withdrawn one is (987/2009 Art. 5).
    # Where the document's type is not known (the records page has the key alone); the verdict screen
    # says it per document (reason_text: the key with ".pda1" or ".ehic").
    "reason.status.replaced": ("The institution has replaced this document with a newer one: ask the holder for the "
                               "current document.",
                               "Iestāde šo dokumentu ir aizstājusi ar jaunāku: lūdziet turētājam pašreizējo "
                               "dokumentu.",
                               "Die Einrichtung hat dieses Dokument durch ein neueres ersetzt: Verlangen Sie das "
                               "aktuelle Dokument.",
                               "L'organisme a remplacé ce document par un plus récent : demandez au titulaire le "
                               "document actuel.",
                               "Instytucja zastąpiła ten dokument nowszym: poproś posiadacza o aktualny dokument."),
    # An A1 replaced to cut its period short (issuer: a case ended early) may have a current one that
    # has ended already: the inspector is told, so that "ask for the current one" is not a dead end.
    "reason.status.replaced.pda1": ("The institution has replaced this A1 with a newer one: ask the worker for the "
                                    "current A1. If the A1 was replaced to end it early, the current one may "
                                    "already have ended.",
                                    "Iestāde šo A1 ir aizstājusi ar jaunāku: lūdziet darba ņēmējam pašreizējo A1. "
                                    "Ja A1 tika aizstāts, lai to izbeigtu agrāk, pašreizējā derīgums var jau būt "
                                    "beidzies.",
                                    "Die Einrichtung hat diese A1 durch eine neuere ersetzt: Verlangen Sie die "
                                    "aktuelle A1. Wurde die A1 ersetzt, um sie früher zu beenden, kann die aktuelle "
                                    "bereits abgelaufen sein.",
                                    "L'organisme a remplacé cet A1 par un plus récent : demandez au travailleur l'A1 "
                                    "actuel. Si l'A1 a été remplacé pour y mettre fin plus tôt, l'actuel peut déjà "
                                    "avoir pris fin.",
                                    "Instytucja zastąpiła to zaświadczenie A1 nowszym: poproś pracownika o aktualne "
                                    "A1. Jeśli A1 zastąpiono, aby wcześniej je zakończyć, aktualne mogło już "
                                    "wygasnąć."),
    "reason.status.replaced.ehic": ("The institution has replaced this card with a newer one: ask the holder for "
                                    "the current card.",
                                    "Iestāde šo karti ir aizstājusi ar jaunāku: lūdziet turētājam pašreizējo karti.",
                                    "Die Einrichtung hat diese Karte durch eine neuere ersetzt: Verlangen Sie die "
                                    "aktuelle Karte.",
                                    "L'organisme a remplacé cette carte par une plus récente : demandez au titulaire "
                                    "la carte actuelle.",
                                    "Instytucja zastąpiła tę kartę nowszą: poproś posiadacza o aktualną kartę."),
    # Our STOPPED (0x0C, credentials.status_list): the copies on one phone stopped (reported lost or stolen,
    # issuer.service.stop_copies), the document not withdrawn: its own words, never "withdrawn".
    "reason.status.stopped": ("The institution has stopped this copy of the document: the phone it was issued to was "
                              "reported lost or stolen. Ask the holder to show the document from their current "
                              "phone, and compare the photo with them.",
                              "Iestāde ir apturējusi šo dokumenta kopiju: par tālruni, kuram tā izsniegta, ir "
                              "ziņots, ka tas pazaudēts vai nozagts. Lūdziet turētājam uzrādīt dokumentu no viņa "
                              "pašreizējā tālruņa un salīdziniet foto ar viņu.",
                              "Die Einrichtung hat diese Kopie des Dokuments gestoppt: Das Telefon, für das sie "
                              "ausgestellt wurde, wurde als verloren oder gestohlen gemeldet. Bitten Sie die Person, "
                              "das Dokument von ihrem aktuellen Telefon zu zeigen, und vergleichen Sie das Foto mit "
                              "ihr.",
                              "L'organisme a arrêté cette copie du document : le téléphone auquel elle a été "
                              "délivrée a été déclaré perdu ou volé. Demandez au titulaire de présenter le document "
                              "depuis son téléphone actuel, et comparez la photo avec lui.",
                              "Instytucja zatrzymała tę kopię dokumentu: telefon, dla którego ją wydano, zgłoszono "
                              "jako zgubiony lub skradziony. Poproś posiadacza o okazanie dokumentu z jego obecnego "
                              "telefonu i porównaj z nim zdjęcie."),
    # An A1 withdrawn or suspended by its institution, with whom to ask (the page names the institution below).
    "reason.status.withdrawn.pda1": (
        "The institution has withdrawn this A1: it certifies nothing. Ask the worker whether another A1 covers this "
        "work, or ask the institution that issued it.",
        "Iestāde šo A1 ir atsaukusi: tas neko neapliecina. Pajautājiet darba ņēmējam, vai šo darbu aptver cits A1, "
        "vai vaicājiet izdevējai iestādei.",
        "Die Einrichtung hat diese A1 widerrufen: Sie bescheinigt nichts. Fragen Sie die Person, ob eine andere A1 "
        "diese Arbeit abdeckt, oder fragen Sie die ausstellende Einrichtung.",
        "L'organisme a retiré cet A1 : il n'atteste rien. Demandez au travailleur si un autre A1 couvre ce travail, "
        "ou interrogez l'organisme qui l'a délivré.",
        "Instytucja wycofała to zaświadczenie A1: nie poświadcza ono niczego. Zapytaj pracownika, czy tę pracę "
        "obejmuje inne A1, albo zapytaj instytucję, która je wydała."),
    "reason.status.suspended.pda1": (
        "The institution has suspended this A1: it cannot be relied on until the institution reinstates it. Ask the "
        "institution that issued it why.",
        "Iestāde šo A1 ir apturējusi: uz to nevar paļauties, kamēr iestāde to neatjauno. Vaicājiet izdevējai "
        "iestādei, kāpēc.",
        "Die Einrichtung hat diese A1 ausgesetzt: Bis die Einrichtung sie wieder in Kraft setzt, kann man sich nicht "
        "auf sie stützen. Fragen Sie die ausstellende Einrichtung nach dem Grund.",
        "L'organisme a suspendu cet A1 : on ne peut pas s'y fier tant que l'organisme ne l'a pas rétabli. "
        "Demandez-en la raison à l'organisme qui l'a délivré.",
        "Instytucja zawiesiła to zaświadczenie A1: nie można na nim polegać, dopóki instytucja go nie przywróci. "
        "Zapytaj instytucję, która je wydała, o powód."),
    "reason.status.suspended": ("The institution has suspended this document.",
                                "Iestāde šo dokumentu ir apturējusi.",
                                "Die Einrichtung hat dieses Dokument ausgesetzt.",
                                "L'organisme a suspendu ce document.", "Instytucja zawiesiła ten dokument."),
    # The PID shown beside the A1 or card (the inspection asks both, domain.md): its status is the
    # identity's, not the document's, and the inspector must not read it as the A1's (reason_text).
    "reason.status.withdrawn.pid": ("The identity document (PID) shown with it has been withdrawn by its provider: "
                                    "confirm who the person is another way (an identity card or passport).",
                                    "Kopā uzrādīto personu apliecinošo dokumentu (PID) tā izdevējs ir atsaucis: "
                                    "pārliecinieties par personas identitāti citādi (ar personas apliecību vai pasi).",
                                    "Das mit vorgezeigte Identitätsdokument (PID) hat sein Aussteller widerrufen: "
                                    "Prüfen Sie die Identität der Person auf andere Weise (Personalausweis oder "
                                    "Reisepass).",
                                    "Le document d'identité (PID) présenté avec lui a été retiré par son fournisseur : "
                                    "vérifiez l'identité de la personne autrement (carte d'identité ou passeport).",
                                    "Dokument tożsamości (PID) okazany razem z nim został wycofany przez jego "
                                    "wystawcę: potwierdź tożsamość osoby w inny sposób (dowód osobisty lub paszport)."),
    "reason.status.suspended.pid": ("The identity document (PID) shown with it has been suspended by its provider: "
                                    "confirm who the person is another way (an identity card or passport).",
                                    "Kopā uzrādīto personu apliecinošo dokumentu (PID) tā izdevējs ir apturējis: "
                                    "pārliecinieties par personas identitāti citādi (ar personas apliecību vai pasi).",
                                    "Das mit vorgezeigte Identitätsdokument (PID) hat sein Aussteller ausgesetzt: "
                                    "Prüfen Sie die Identität der Person auf andere Weise (Personalausweis oder "
                                    "Reisepass).",
                                    "Le document d'identité (PID) présenté avec lui a été suspendu par son "
                                    "fournisseur : vérifiez l'identité de la personne autrement (carte d'identité ou "
                                    "passeport).",
                                    "Dokument tożsamości (PID) okazany razem z nim został zawieszony przez jego "
                                    "wystawcę: potwierdź tożsamość osoby w inny sposób (dowód osobisty lub paszport)."),
    "reason.status.replaced.pid": ("The identity document (PID) shown with it has been replaced by its provider with "
                                   "a newer one: ask the holder to show the current one.",
                                   "Kopā uzrādīto personu apliecinošo dokumentu (PID) tā izdevējs ir aizstājis ar "
                                   "jaunāku: lūdziet turētājam uzrādīt pašreizējo.",
                                   "Das mit vorgezeigte Identitätsdokument (PID) hat sein Aussteller durch ein "
                                   "neueres ersetzt: Bitten Sie die Person, das aktuelle zu zeigen.",
                                   "Le document d'identité (PID) présenté avec lui a été remplacé par son fournisseur "
                                   "par un plus récent : demandez au titulaire de présenter l'actuel.",
                                   "Dokument tożsamości (PID) okazany razem z nim został zastąpiony przez jego "
                                   "wystawcę nowszym: poproś posiadacza o okazanie aktualnego."),
    "reason.status.not_run": ("The institution's status list could not be checked, so withdrawal cannot be "
                              "ruled out.", "Iestādes statusa sarakstu nevarēja pārbaudīt, tāpēc atsaukumu nevar "
                              "izslēgt.", "Die Statusliste der Einrichtung war nicht prüfbar; ein Widerruf ist nicht "
                              "ausgeschlossen.", "La liste de statut de l'organisme n'a pas pu être vérifiée ; un "
                              "retrait n'est pas exclu.", "Nie udało się sprawdzić listy statusów instytucji, więc "
                              "nie można wykluczyć wycofania."),
    # A status list held past its exp or maximum age (esspass.status_client): no statement, but what it last
    # said of the document and of when ({listed}, its date), and what to do; a withdrawal it holds stays told.
    "reason.status.stale": ("The status list held on this device is too old to rely on; it said then that the "
                            "document was not withdrawn or suspended. Connect to the network to update the lists, or "
                            "check again later; the document's signature and issuer are fine.",
                            "Šajā ierīcē saglabātais statusa saraksts ir par vecu, lai uz to paļautos; toreiz tajā "
                            "dokuments nebija atsaukts vai apturēts. Pieslēdzieties tīklam, lai atjauninātu "
                            "sarakstus, vai pārbaudiet vēlāk; dokumenta paraksts un izdevējs ir kārtībā.",
                            "Die auf diesem Gerät gespeicherte Statusliste ist zu alt, um sich darauf zu verlassen; "
                            "damals war das Dokument weder widerrufen noch ausgesetzt. Verbinden Sie sich mit dem "
                            "Netz, um die Listen zu aktualisieren, oder prüfen Sie später erneut; Signatur und "
                            "Aussteller des Dokuments sind in Ordnung.",
                            "La liste de statut gardée sur cet appareil est trop ancienne pour s'y fier ; le document "
                            "n'y était alors ni retiré ni suspendu. Connectez-vous au réseau pour mettre à jour les "
                            "listes, ou vérifiez plus tard ; la signature et l'émetteur du document sont en ordre.",
                            "Lista statusów zapisana na tym urządzeniu jest za stara, by na niej polegać; dokument nie "
                            "był wtedy wycofany ani zawieszony. Połącz się z siecią, aby zaktualizować listy, albo "
                            "sprawdź ponownie później; podpis i wystawca dokumentu są w porządku."),
    "reason_detail.status.stale": (
        "The status list held on this device, of {listed}, is too old to rely on ({age} old); it said then that the "
        "document was not withdrawn or suspended. Connect to the network to update the lists, or check again later; "
        "the document's signature and issuer are fine.",
        "Šajā ierīcē saglabātais statusa saraksts no {listed} ir par vecu, lai uz to paļautos (vecums: {age}); "
        "toreiz tajā dokuments nebija atsaukts vai apturēts. Pieslēdzieties tīklam, lai atjauninātu sarakstus, vai "
        "pārbaudiet vēlāk; dokumenta paraksts un izdevējs ir kārtībā.",
        "Die auf diesem Gerät gespeicherte Statusliste vom {listed} ist zu alt, um sich darauf zu verlassen (Alter: "
        "{age}); damals war das Dokument weder widerrufen noch ausgesetzt. Verbinden Sie sich mit dem Netz, um die "
        "Listen zu aktualisieren, oder prüfen Sie später erneut; Signatur und Aussteller des Dokuments sind in "
        "Ordnung.",
        "La liste de statut gardée sur cet appareil, du {listed}, est trop ancienne pour s'y fier (âge : {age}) ; le "
        "document n'y était alors ni retiré ni suspendu. Connectez-vous au réseau pour mettre à jour les listes, ou "
        "vérifiez plus tard ; la signature et l'émetteur du document sont en ordre.",
        "Lista statusów zapisana na tym urządzeniu, z dnia {listed}, jest za stara, by na niej polegać (wiek: {age}); "
        "dokument nie był wtedy wycofany ani zawieszony. Połącz się z siecią, aby zaktualizować listy, albo sprawdź "
        "ponownie później; podpis i wystawca dokumentu są w porządku."),
    "reason.status.stale_suspended": ("The status list held on this device is too old to rely on; it said then that "
                                      "the document was suspended. Connect to the network to update the lists, or "
                                      "check again later; the document's signature and issuer are fine.",
                                      "Šajā ierīcē saglabātais statusa saraksts ir par vecu, lai uz to paļautos; "
                                      "toreiz tajā dokuments bija apturēts. Pieslēdzieties tīklam, lai atjauninātu "
                                      "sarakstus, vai pārbaudiet vēlāk; dokumenta paraksts un izdevējs ir kārtībā.",
                                      "Die auf diesem Gerät gespeicherte Statusliste ist zu alt, um sich darauf zu "
                                      "verlassen; damals war das Dokument ausgesetzt. Verbinden Sie sich mit dem "
                                      "Netz, um die Listen zu aktualisieren, oder prüfen Sie später erneut; Signatur "
                                      "und Aussteller des Dokuments sind in Ordnung.",
                                      "La liste de statut gardée sur cet appareil est trop ancienne pour s'y fier ; le "
                                      "document y était alors suspendu. Connectez-vous au réseau pour mettre à jour "
                                      "les listes, ou vérifiez plus tard ; la signature et l'émetteur du document "
                                      "sont en ordre.",
                                      "Lista statusów zapisana na tym urządzeniu jest za stara, by na niej polegać; "
                                      "dokument był wtedy zawieszony. Połącz się z siecią, aby zaktualizować listy, "
                                      "albo sprawdź ponownie później; podpis i wystawca dokumentu są w porządku."),
    "reason_detail.status.stale_suspended": (
        "The status list held on this device, of {listed}, is too old to rely on ({age} old); it said then that the "
        "document was suspended. Connect to the network to update the lists, or check again later; the document's "
        "signature and issuer are fine.",
        "Šajā ierīcē saglabātais statusa saraksts no {listed} ir par vecu, lai uz to paļautos (vecums: {age}); "
        "toreiz tajā dokuments bija apturēts. Pieslēdzieties tīklam, lai atjauninātu sarakstus, vai pārbaudiet "
        "vēlāk; dokumenta paraksts un izdevējs ir kārtībā.",
        "Die auf diesem Gerät gespeicherte Statusliste vom {listed} ist zu alt, um sich darauf zu verlassen (Alter: "
        "{age}); damals war das Dokument ausgesetzt. Verbinden Sie sich mit dem Netz, um die Listen zu "
        "aktualisieren, oder prüfen Sie später erneut; Signatur und Aussteller des Dokuments sind in Ordnung.",
        "La liste de statut gardée sur cet appareil, du {listed}, est trop ancienne pour s'y fier (âge : {age}) ; le "
        "document y était alors suspendu. Connectez-vous au réseau pour mettre à jour les listes, ou vérifiez plus "
        "tard ; la signature et l'émetteur du document sont en ordre.",
        "Lista statusów zapisana na tym urządzeniu, z dnia {listed}, jest za stara, by na niej polegać (wiek: {age}); "
        "dokument był wtedy zawieszony. Połącz się z siecią, aby zaktualizować listy, albo sprawdź ponownie później; "
        "podpis i wystawca dokumentu są w porządku."),
    # A withdrawal read from a list held past its end: still told (credentials.status_list.said_when_stale), with
    # the list's date.
    "reason_detail.status.withdrawn": (
        "The institution has withdrawn this document (as the status list of {listed} held on this device says).",
        "Iestāde šo dokumentu ir atsaukusi (kā norādīts šajā ierīcē saglabātajā statusa sarakstā no {listed}).",
        "Die Einrichtung hat dieses Dokument widerrufen (laut der auf diesem Gerät gespeicherten Statusliste vom "
        "{listed}).",
        "L'organisme a retiré ce document (selon la liste de statut du {listed} gardée sur cet appareil).",
        "Instytucja wycofała ten dokument (według listy statusów z dnia {listed} zapisanej na tym urządzeniu)."),
    "reason.status.failed": ("The status list is not signed by the issuing institution.",
                             "Statusa sarakstu nav parakstījusi izdevēja iestāde.",
                             "Die Statusliste ist nicht von der ausstellenden Einrichtung signiert.",
                             "La liste de statut n'est pas signée par l'organisme émetteur.",
                             "Lista statusów nie jest podpisana przez instytucję wydającą."),
    "reason.status.no_reference": ("The document names no status list, so it cannot be checked for withdrawal.",
                                   "Dokumentā nav norādīts statusa saraksts, tāpēc nevar pārbaudīt, vai tas nav "
                                   "atsaukts.",
                                   "Das Dokument nennt keine Statusliste; ein Widerruf lässt sich nicht prüfen.",
                                   "Le document n'indique aucune liste de statut : son retrait ne peut pas être "
                                   "vérifié.",
                                   "Dokument nie wskazuje listy statusów, więc nie można sprawdzić, czy nie został "
                                   "wycofany."),
    # An A1 that does not cover today, in the inspector's words with the next step (rulebook PDA1 §4.1: a negative
    # outcome says why; domain.md: the worker may fetch the current one and present again): which A1 to ask for,
    # or whom to ask. Chosen for the A1 by messages._per_document; the EHIC's PRC keeps the document's words.
    "reason.coverage_period.ended.pda1": (
        "The period this A1 covers has ended: ask the worker for the A1 that covers today's work (an extension is "
        "a new A1, which the institution sends to the wallet).",
        "Šā A1 aptvertais periods ir beidzies: lūdziet darba ņēmējam A1, kas aptver šodienas darbu (pagarinājums ir "
        "jauns A1, ko iestāde nosūta uz maku).",
        "Der von dieser A1 erfasste Zeitraum ist abgelaufen: Verlangen Sie die A1, die die heutige Arbeit abdeckt "
        "(eine Verlängerung ist eine neue A1, die die Einrichtung an die Wallet sendet).",
        "La période couverte par cet A1 a pris fin : demandez au travailleur l'A1 qui couvre le travail "
        "d'aujourd'hui (une prolongation est un nouvel A1, que l'organisme envoie au portefeuille).",
        "Okres objęty tym zaświadczeniem A1 zakończył się: poproś pracownika o A1 obejmujące dzisiejszą pracę "
        "(przedłużenie to nowe A1, które instytucja przesyła do portfela)."),
    "reason_detail.coverage_period.ended.pda1": (
        "The period this A1 covers ended on {end}: ask the worker for the A1 that covers today's work (an extension "
        "is a new A1, which the institution sends to the wallet).",
        "Šā A1 aptvertais periods beidzās {end}: lūdziet darba ņēmējam A1, kas aptver šodienas darbu (pagarinājums "
        "ir jauns A1, ko iestāde nosūta uz maku).",
        "Der von dieser A1 erfasste Zeitraum endete am {end}: Verlangen Sie die A1, die die heutige Arbeit abdeckt "
        "(eine Verlängerung ist eine neue A1, die die Einrichtung an die Wallet sendet).",
        "La période couverte par cet A1 a pris fin le {end} : demandez au travailleur l'A1 qui couvre le travail "
        "d'aujourd'hui (une prolongation est un nouvel A1, que l'organisme envoie au portefeuille).",
        "Okres objęty tym zaświadczeniem A1 zakończył się {end}: poproś pracownika o A1 obejmujące dzisiejszą pracę "
        "(przedłużenie to nowe A1, które instytucja przesyła do portfela)."),
    "reason.coverage_period.not_started.pda1": (
        "The period this A1 covers has not started yet, so it does not cover today's work: ask the worker for the "
        "A1 that covers today, if there is one.",
        "Šā A1 aptvertais periods vēl nav sācies, tāpēc tas neaptver šodienas darbu: lūdziet darba ņēmējam A1, kas "
        "aptver šodienu, ja tāds ir.",
        "Der von dieser A1 erfasste Zeitraum hat noch nicht begonnen, sie deckt die heutige Arbeit also nicht ab: "
        "Verlangen Sie die A1, die den heutigen Tag abdeckt, falls es eine gibt.",
        "La période couverte par cet A1 n'a pas encore commencé : il ne couvre donc pas le travail d'aujourd'hui ; "
        "demandez au travailleur l'A1 qui couvre aujourd'hui, s'il en existe un.",
        "Okres objęty tym zaświadczeniem A1 jeszcze się nie rozpoczął, więc nie obejmuje ono dzisiejszej pracy: "
        "poproś pracownika o A1 obejmujące dzień dzisiejszy, jeśli takie istnieje."),
    "reason_detail.coverage_period.not_started.pda1": (
        "The period this A1 covers starts only on {start}, so it does not cover today's work: ask the worker for "
        "the A1 that covers today, if there is one.",
        "Šā A1 aptvertais periods sākas tikai {start}, tāpēc tas neaptver šodienas darbu: lūdziet darba ņēmējam A1, "
        "kas aptver šodienu, ja tāds ir.",
        "Der von dieser A1 erfasste Zeitraum beginnt erst am {start}, sie deckt die heutige Arbeit also nicht ab: "
        "Verlangen Sie die A1, die den heutigen Tag abdeckt, falls es eine gibt.",
        "La période couverte par cet A1 ne commence que le {start} : il ne couvre donc pas le travail "
        "d'aujourd'hui ; demandez au travailleur l'A1 qui couvre aujourd'hui, s'il en existe un.",
        "Okres objęty tym zaświadczeniem A1 zaczyna się dopiero {start}, więc nie obejmuje ono dzisiejszej pracy: "
        "poproś pracownika o A1 obejmujące dzień dzisiejszy, jeśli takie istnieje."),
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
    "reason.coverage_period.partly_shown": (
        "Only one end of the period covered was shown, so whether it covers the day checked cannot be confirmed.",
        "Tika parādīts tikai viens aptvertā perioda gals, tāpēc nevar apstiprināt, vai tas aptver pārbaudāmo dienu.",
        "Nur ein Ende des erfassten Zeitraums wurde gezeigt; ob er den geprüften Tag umfasst, lässt sich nicht "
        "bestätigen.",
        "Une seule borne de la période couverte a été montrée : on ne peut pas confirmer qu'elle couvre le jour "
        "vérifié.",
        "Pokazano tylko jeden koniec okresu objętego dokumentem, więc nie można potwierdzić, czy obejmuje sprawdzany "
        "dzień."),
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
    # A genuine copy whose signer certificate ended after it was signed (credentials.verification.SIGNER_EXPIRED):
    # the words for a page that has the key alone (the records); reason_detail names the institution and the date.
    "reason.issuer_chain.signer_expired": (
        "Signed by a listed institution, but the certificate that signed this copy has expired: the holder should "
        "ask the institution for a new copy; check an identity document.",
        "Parakstījusi sarakstā iekļauta iestāde, taču sertifikāta, ar kuru parakstīta šī kopija, derīgums ir "
        "beidzies: turētājam jāpieprasa jauna kopija iestādē; pārbaudiet personu apliecinošu dokumentu.",
        "Von einer gelisteten Stelle signiert, doch das Zertifikat, mit dem diese Kopie signiert wurde, ist "
        "abgelaufen: Die Person sollte bei der ausstellenden Stelle eine neue Kopie anfordern; prüfen Sie ein "
        "Ausweisdokument.",
        "Signé par un organisme de la liste, mais le certificat qui a signé cette copie a expiré : le titulaire doit "
        "demander une nouvelle copie à l'organisme ; vérifiez une pièce d'identité.",
        "Podpisała instytucja z listy zaufania, ale certyfikat, którym podpisano tę kopię, wygasł: posiadacz "
        "powinien poprosić instytucję o nową kopię; sprawdź dokument tożsamości."),
    # {institution}: its name as the page names it; {expiry}: the date the certificate ended, in the page's words.
    # The name stands where no case or article is needed (after "Signed by", in brackets, after "instytucja").
    "reason_detail.issuer_chain.signer_expired": (
        "Signed by {institution}, but the certificate that signed this copy expired on {expiry}: the holder should "
        "ask {institution} for a new copy; check an identity document.",
        "Parakstītājs: {institution}, taču sertifikāta, ar kuru parakstīta šī kopija, derīgums beidzās {expiry}, "
        "tāpēc turētājam jāpieprasa jauna kopija iestādē ({institution}); pārbaudiet personu apliecinošu "
        "dokumentu.",
        "Signiert von {institution}, doch das Zertifikat, mit dem diese Kopie signiert wurde, ist am {expiry} "
        "abgelaufen: Die Person sollte bei der ausstellenden Stelle ({institution}) eine neue Kopie anfordern; "
        "prüfen Sie ein Ausweisdokument.",
        "Signé par {institution}, mais le certificat qui a signé cette copie a expiré le {expiry} : le titulaire "
        "doit demander une nouvelle copie à l'organisme ({institution}) ; vérifiez une pièce d'identité.",
        "Podpisała instytucja {institution}, ale certyfikat, którym podpisano tę kopię, wygasł {expiry}: "
        "posiadacz powinien poprosić tę instytucję o nową kopię; sprawdź dokument tożsamości."),
    "reason.issuer_authorised.failed": ("The issuing institution is not competent for this document.",
                                        "Izdevēja iestāde nav kompetenta izsniegt šo dokumentu.",
                                        "Die ausstellende Einrichtung ist für dieses Dokument nicht zuständig.",
                                        "L'organisme émetteur n'est pas compétent pour ce document.",
                                        "Instytucja wydająca nie jest właściwa dla tego dokumentu."),
    # Which rule of the trust list refused (credentials.trust_list.authorised_issuer, IssuerTrustError.reason):
    # a revoked key is not an institution "not competent", and the inspector must not be told it is.
    "reason.issuer_authorised.key_revoked": (
        "The issuing institution has revoked the key this document was signed with (compromised): nothing signed "
        "with it is trusted.",
        "Izdevēja iestāde ir atsaukusi atslēgu, ar kuru parakstīts šis dokuments (kompromitēta): nekam, kas ar to "
        "parakstīts, nevar uzticēties.",
        "Die ausstellende Einrichtung hat den Schlüssel widerrufen, mit dem dieses Dokument signiert wurde "
        "(kompromittiert): Nichts, was damit signiert wurde, ist vertrauenswürdig.",
        "L'organisme émetteur a révoqué la clé avec laquelle ce document a été signé (compromise) : rien de ce "
        "qu'elle a signé n'est fiable.",
        "Instytucja wydająca unieważniła klucz, którym podpisano ten dokument (przejęty): nic, co nim podpisano, "
        "nie jest wiarygodne."),
    "reason.issuer_authorised.suspended": (
        "The issuing institution is suspended on the trust list: its documents cannot be accepted for now.",
        "Izdevēja iestāde uzticamības sarakstā ir apturēta: tās dokumentus pašlaik nevar pieņemt.",
        "Die ausstellende Einrichtung ist auf der Vertrauensliste ausgesetzt: Ihre Dokumente können derzeit nicht "
        "anerkannt werden.",
        "L'organisme émetteur est suspendu sur la liste de confiance : ses documents ne peuvent pas être acceptés "
        "pour l'instant.",
        "Instytucja wydająca jest zawieszona na liście zaufania: jej dokumentów nie można obecnie przyjąć."),
    "reason.issuer_authorised.inactive_at_issuance": (
        "The issuing institution was suspended or withdrawn on the trust list when this document was issued.",
        "Izdevēja iestāde uzticamības sarakstā bija apturēta vai izslēgta, kad šis dokuments tika izsniegts.",
        "Die ausstellende Einrichtung war auf der Vertrauensliste ausgesetzt oder gestrichen, als dieses Dokument "
        "ausgestellt wurde.",
        "L'organisme émetteur était suspendu ou retiré de la liste de confiance quand ce document a été délivré.",
        "Instytucja wydająca była zawieszona lub wycofana z listy zaufania, gdy wydano ten dokument."),
    "reason.issuer_authorised.not_listed": (
        "The key this document was signed with is not listed for the issuing institution on the trust list, or "
        "was not when it was issued.",
        "Atslēga, ar kuru parakstīts šis dokuments, uzticamības sarakstā nav norādīta izdevējai iestādei vai nebija "
        "norādīta, kad tas tika izsniegts.",
        "Der Schlüssel, mit dem dieses Dokument signiert wurde, ist auf der Vertrauensliste nicht für die "
        "ausstellende Einrichtung eingetragen oder war es bei der Ausstellung nicht.",
        "La clé avec laquelle ce document a été signé n'est pas inscrite pour l'organisme émetteur sur la liste de "
        "confiance, ou ne l'était pas quand il a été délivré.",
        "Klucz, którym podpisano ten dokument, nie jest wpisany dla instytucji wydającej na liście zaufania lub nie "
        "był wpisany w chwili wydania."),
    "reason.issuer_authorised.not_run": ("No trust list is available to check the institutions.",
                                         "Nav pieejams uzticamības saraksts iestāžu pārbaudei.",
                                         "Keine Vertrauensliste zur Prüfung der Einrichtungen verfügbar.",
                                         "Aucune liste de confiance n'est disponible pour vérifier les organismes.",
                                         "Brak listy zaufania do sprawdzenia instytucji."),
    # A trust list held but older than the verifier's maximum age (credentials.verification._no_trust_list):
    # the words for a page that has the key alone (the records); reason_detail says how old, and the maximum.
    "reason.issuer_authorised.trust_list_too_old": (
        "The trust list held on this device is too old: get the lists again where there is network.",
        "Šajā ierīcē saglabātais uzticamības saraksts ir par vecu: ielādējiet sarakstus vēlreiz vietā, kur ir tīkls.",
        "Die auf diesem Gerät gespeicherte Vertrauensliste ist zu alt: Laden Sie die Listen erneut, wo es Netz gibt.",
        "La liste de confiance gardée sur cet appareil est trop ancienne : rechargez les listes là où il y a du "
        "réseau.",
        "Lista zaufania zapisana na tym urządzeniu jest za stara: pobierz listy ponownie tam, gdzie jest sieć."),
    "reason_detail.issuer_authorised.trust_list_too_old": (
        "The trust list held on this device is {age} old, more than the {max_age} allowed: get the lists again "
        "where there is network.",
        "Šajā ierīcē saglabātais uzticamības saraksts ir par vecu (vecums: {age}; atļauts ne vairāk kā {max_age}): "
        "ielādējiet sarakstus vēlreiz vietā, kur ir tīkls.",
        "Die auf diesem Gerät gespeicherte Vertrauensliste ist zu alt (Alter: {age}; erlaubt sind höchstens "
        "{max_age}): Laden Sie die Listen erneut, wo es Netz gibt.",
        "La liste de confiance gardée sur cet appareil est trop ancienne (âge : {age} ; au plus {max_age} permis) : "
        "rechargez les listes là où il y a du réseau.",
        "Lista zaufania zapisana na tym urządzeniu jest za stara (wiek: {age}; najwyżej dozwolone: {max_age}): "
        "pobierz listy ponownie tam, gdzie jest sieć."),
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
    # An offline code whose time says a clock is wrong, not that the code is old (credentials/compact.py
    # HolderClockError, IssuedAheadError): CANNOT BE CONFIRMED, with the direction and by how much ({offset}).
    "reason.key_binding.clock_ahead": ("The code's time is ahead of this device's: the phone's clock is ahead, or "
                                       "this device's clock is behind. Check the date and time of both, then ask for "
                                       "a fresh code.",
                                       "Koda laiks ir priekšā šīs ierīces laikam: tālruņa pulkstenis steidzas vai šīs "
                                       "ierīces pulkstenis atpaliek. Pārbaudiet abu datumu un laiku, tad lūdziet "
                                       "svaigu kodu.",
                                       "Die Zeit des Codes liegt vor der dieses Geräts: Die Uhr des Telefons geht vor, "
                                       "oder die dieses Geräts geht nach. Prüfen Sie Datum und Uhrzeit beider, dann "
                                       "verlangen Sie einen frischen Code.",
                                       "L'heure du code est en avance sur celle de cet appareil : l'horloge du "
                                       "téléphone avance, ou celle de cet appareil retarde. Vérifiez la date et "
                                       "l'heure des deux, puis demandez un code récent.",
                                       "Czas kodu wyprzedza czas tego urządzenia: zegar telefonu się spieszy albo "
                                       "zegar tego urządzenia się spóźnia. Sprawdź datę i godzinę na obu, potem "
                                       "poproś o świeży kod."),
    "reason_detail.key_binding.clock_ahead": (
        "The code's time is {offset} ahead of this device's: the phone's clock is ahead, or this device's clock is "
        "behind. Check the date and time of both, then ask for a fresh code.",
        "Koda laiks ir {offset} priekšā šīs ierīces laikam: tālruņa pulkstenis steidzas vai šīs ierīces pulkstenis "
        "atpaliek. Pārbaudiet abu datumu un laiku, tad lūdziet svaigu kodu.",
        "Die Zeit des Codes liegt {offset} vor der dieses Geräts: Die Uhr des Telefons geht vor, oder die dieses "
        "Geräts geht nach. Prüfen Sie Datum und Uhrzeit beider, dann verlangen Sie einen frischen Code.",
        "L'heure du code est en avance de {offset} sur celle de cet appareil : l'horloge du téléphone avance, ou "
        "celle de cet appareil retarde. Vérifiez la date et l'heure des deux, puis demandez un code récent.",
        "Czas kodu wyprzedza czas tego urządzenia o {offset}: zegar telefonu się spieszy albo zegar tego urządzenia "
        "się spóźnia. Sprawdź datę i godzinę na obu, potem poproś o świeży kod."),
    "reason.key_binding.clock_behind": ("The code was made over your code, but its time is behind this device's: "
                                        "the phone's clock is behind, or this device's clock is ahead. Check the "
                                        "date and time of both.",
                                        "Kods izveidots ar jūsu kodu, taču tā laiks atpaliek no šīs ierīces laika: "
                                        "tālruņa pulkstenis atpaliek vai šīs ierīces pulkstenis steidzas. "
                                        "Pārbaudiet abu datumu un laiku.",
                                        "Der Code wurde mit Ihrem Code erstellt, aber seine Zeit liegt hinter der "
                                        "dieses Geräts: Die Uhr des Telefons geht nach, oder die dieses Geräts geht "
                                        "vor. Prüfen Sie Datum und Uhrzeit beider.",
                                        "Le code a été fait avec votre code, mais son heure est en retard sur celle "
                                        "de cet appareil : l'horloge du téléphone retarde, ou celle de cet appareil "
                                        "avance. Vérifiez la date et l'heure des deux.",
                                        "Kod utworzono z Twoim kodem, ale jego czas jest opóźniony względem tego "
                                        "urządzenia: zegar telefonu się spóźnia albo zegar tego urządzenia się "
                                        "spieszy. Sprawdź datę i godzinę na obu."),
    "reason_detail.key_binding.clock_behind": (
        "The code was made over your code, but its time is {offset} behind this device's: the phone's clock is "
        "behind, or this device's clock is ahead. Check the date and time of both.",
        "Kods izveidots ar jūsu kodu, taču tā laiks atpaliek no šīs ierīces laika (starpība: {offset}): tālruņa "
        "pulkstenis atpaliek vai šīs ierīces pulkstenis steidzas. Pārbaudiet abu datumu un laiku.",
        "Der Code wurde mit Ihrem Code erstellt, aber seine Zeit liegt {offset} hinter der dieses Geräts: Die Uhr "
        "des Telefons geht nach, oder die dieses Geräts geht vor. Prüfen Sie Datum und Uhrzeit beider.",
        "Le code a été fait avec votre code, mais son heure est en retard de {offset} sur celle de cet appareil : "
        "l'horloge du téléphone retarde, ou celle de cet appareil avance. Vérifiez la date et l'heure des deux.",
        "Kod utworzono z Twoim kodem, ale jego czas jest opóźniony o {offset} względem tego urządzenia: zegar "
        "telefonu się spóźnia albo zegar tego urządzenia się spieszy. Sprawdź datę i godzinę na obu."),
    "reason.token_validity.clock_behind": ("This copy of the document was issued after this device's time: this "
                                           "device's clock is behind. Check its date and time.",
                                           "Šī dokumenta kopija izsniegta vēlāk, nekā rāda šīs ierīces laiks: šīs "
                                           "ierīces pulkstenis atpaliek. Pārbaudiet tās datumu un laiku.",
                                           "Diese Kopie des Dokuments wurde nach der Zeit dieses Geräts ausgestellt: "
                                           "Die Uhr dieses Geräts geht nach. Prüfen Sie Datum und Uhrzeit.",
                                           "Cette copie du document a été délivrée après l'heure de cet appareil : "
                                           "l'horloge de cet appareil retarde. Vérifiez sa date et son heure.",
                                           "Tę kopię dokumentu wydano później, niż wskazuje czas tego urządzenia: "
                                           "zegar tego urządzenia się spóźnia. Sprawdź jego datę i godzinę."),
    "reason_detail.token_validity.clock_behind": (
        "This copy of the document was issued {offset} after this device's time: this device's clock is behind. "
        "Check its date and time.",
        "Šī dokumenta kopija izsniegta {offset} vēlāk, nekā rāda šīs ierīces laiks: šīs ierīces pulkstenis "
        "atpaliek. Pārbaudiet tās datumu un laiku.",
        "Diese Kopie des Dokuments wurde {offset} nach der Zeit dieses Geräts ausgestellt: Die Uhr dieses Geräts "
        "geht nach. Prüfen Sie Datum und Uhrzeit.",
        "Cette copie du document a été délivrée {offset} après l'heure de cet appareil : l'horloge de cet appareil "
        "retarde. Vérifiez sa date et son heure.",
        "Tę kopię dokumentu wydano {offset} później, niż wskazuje czas tego urządzenia: zegar tego urządzenia się "
        "spóźnia. Sprawdź jego datę i godzinę."),
    # An offline code whose holder proof is too old (a screenshot, or the phone's clock off; credentials/compact.py):
    # not another phone's copy. The next step: a fresh code (review R2, 7).
    "reason.key_binding.stale": ("The QR code is too old (a screenshot, or the phone's clock is wrong): ask the "
                                 "worker to show a fresh code from the phone, or one made over your inspector's "
                                 "code.",
                                 "QR kods ir par vecu (ekrānuzņēmums vai tālruņa pulkstenis rāda nepareizi): "
                                 "lūdziet darba ņēmējam parādīt svaigu kodu no tālruņa vai kodu, kas izveidots ar "
                                 "jūsu inspektora kodu.",
                                 "Der QR-Code ist zu alt (ein Bildschirmfoto, oder die Uhr des Telefons geht "
                                 "falsch): Bitten Sie die Person, einen frischen Code vom Telefon zu zeigen, oder "
                                 "einen mit Ihrem Kontrollcode erstellten.",
                                 "Le code QR est trop ancien (une capture d'écran, ou l'horloge du téléphone est "
                                 "fausse) : demandez au travailleur de montrer un code récent depuis le téléphone, "
                                 "ou un code fait avec votre code d'inspecteur.",
                                 "Kod QR jest za stary (zrzut ekranu albo zły czas w telefonie): poproś pracownika "
                                 "o pokazanie świeżego kodu z telefonu albo kodu utworzonego z Twoim kodem "
                                 "inspektora."),
    "reason.query.failed": ("The answer does not contain what was asked for, or contains more.",
                            "Atbildē nav pieprasītā vai ir vairāk nekā pieprasīts.",
                            "Die Antwort enthält nicht das Verlangte oder mehr als das.",
                            "La réponse ne contient pas ce qui était demandé, ou davantage.",
                            "Odpowiedź nie zawiera tego, o co proszono, lub zawiera więcej."),
    # A presentation that cannot be decoded at all (credentials.verification._query_step).
    "reason.query.unreadable": ("A document in the answer could not be read: the request is not answered.",
                                "Atbildē esošo dokumentu nevarēja nolasīt: pieprasījums nav atbildēts.",
                                "Ein Dokument in der Antwort war nicht lesbar: Die Anfrage ist nicht beantwortet.",
                                "Un document de la réponse n'a pas pu être lu : la demande reste sans réponse.",
                                "Nie udało się odczytać dokumentu w odpowiedzi: żądanie pozostaje bez odpowiedzi."),
    # The query step not run because a document failed its own checks (which are then the reason).
    "reason.query.presentation_failed": ("Not compared with the request: a document in the answer failed its own "
                                         "checks.",
                                         "Nav salīdzināts ar pieprasījumu: atbildē esošs dokuments neizturēja savas "
                                         "pārbaudes.",
                                         "Nicht mit der Anfrage abgeglichen: Ein Dokument in der Antwort hat seine "
                                         "eigenen Prüfungen nicht bestanden.",
                                         "Non comparée à la demande : un document de la réponse a échoué à ses "
                                         "propres contrôles.",
                                         "Nie porównano z żądaniem: dokument w odpowiedzi nie przeszedł własnych "
                                         "kontroli."),
    "reason.query.partial": ("Valid for the documents shown; the person did not show the ones the check made "
                             "optional.",
                             "Derīgs uzrādītajiem dokumentiem; persona neuzrādīja pārbaudē neobligātos "
                             "dokumentus.",
                             "Gültig für die gezeigten Dokumente; die optionalen Dokumente der Prüfung wurden nicht "
                             "gezeigt.",
                             "Valable pour les documents présentés ; la personne n'a pas présenté ceux que le "
                             "contrôle rendait facultatifs.",
                             "Ważne dla okazanych dokumentów; osoba nie okazała dokumentów, które kontrola "
                             "uznała za opcjonalne."),
    "reason.query.nothing_presented": ("No document was shown: every document of this check was optional.",
                                       "Netika uzrādīts neviens dokuments: visi šīs pārbaudes dokumenti bija "
                                       "neobligāti.",
                                       "Es wurde kein Dokument gezeigt: alle Dokumente dieser Prüfung waren optional.",
                                       "Aucun document n'a été présenté : tous les documents de ce contrôle étaient "
                                       "facultatifs.",
                                       "Nie okazano żadnego dokumentu: wszystkie dokumenty tej kontroli były "
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
    # An EHIC naming another person than the PID (credentials/holder_link.py NAME_MISMATCH).
    "reason.holder_link.name_mismatch": ("The EHIC and the PID are not the same person's: the card names another "
                                         "person (surname, given names or date of birth differ).",
                                         "EVAK un PID nepieder vienai personai: kartē norādīta cita persona "
                                         "(atšķiras uzvārds, vārdi vai dzimšanas datums).",
                                         "Die EKVK und die PID gehören nicht derselben Person: Die Karte nennt eine "
                                         "andere Person (Name, Vornamen oder Geburtsdatum weichen ab).",
                                         "La CEAM et le PID ne sont pas ceux de la même personne : la carte nomme "
                                         "une autre personne (nom, prénoms ou date de naissance différents).",
                                         "EKUZ i PID nie należą do tej samej osoby: karta wskazuje inną osobę "
                                         "(różni się nazwisko, imiona lub data urodzenia)."),
    # SAME_NAME: the surname and the birth date compared and equal, the given names too where both show them.
    "reason.holder_link.same_name": ("The EHIC names the person of the PID: the same surname and date of birth "
                                     "(and given names, where the card shows them).",
                                     "EVAK norādīta PID persona: tas pats uzvārds un dzimšanas datums (un vārdi, ja "
                                     "karte tos uzrāda).",
                                     "Die EKVK nennt die Person der PID: derselbe Name und dasselbe Geburtsdatum "
                                     "(und dieselben Vornamen, wo die Karte sie zeigt).",
                                     "La CEAM nomme la personne du PID : mêmes nom et date de naissance (et "
                                     "prénoms, lorsque la carte les montre).",
                                     "EKUZ wskazuje osobę z PID: to samo nazwisko i data urodzenia (oraz imiona, "
                                     "jeśli karta je pokazuje)."),
    # An mdoc EHIC that carries its holder's names and did not show them (credentials/holder_link.py).
    "reason.holder_link.names_withheld": ("The EHIC did not show the surname, given names and date of birth it "
                                          "carries, so it cannot be tied to the person of the PID.",
                                          "EVAK neuzrādīja tajā norādīto uzvārdu, vārdus un dzimšanas datumu, tāpēc "
                                          "to nevar sasaistīt ar PID personu.",
                                          "Die EKVK hat den Namen, die Vornamen und das Geburtsdatum, die sie trägt, "
                                          "nicht gezeigt: Sie lässt sich der Person der PID nicht zuordnen.",
                                          "La CEAM n'a pas montré les nom, prénoms et date de naissance qu'elle "
                                          "porte : elle ne peut pas être rattachée à la personne du PID.",
                                          "EKUZ nie pokazała nazwiska, imion i daty urodzenia, które zawiera, więc "
                                          "nie można jej powiązać z osobą z PID."),
    # The same of an A1, whose section 1 names its holder (credentials/pda1.py with_holder).
    "reason.holder_link.a1_name_mismatch": ("The A1 and the PID are not the same person's: the A1 names another "
                                            "person (surname, given names or date of birth differ).",
                                            "A1 un PID nepieder vienai personai: A1 norādīta cita persona "
                                            "(atšķiras uzvārds, vārdi vai dzimšanas datums).",
                                            "Die A1-Bescheinigung und die PID gehören nicht derselben Person: Die "
                                            "A1-Bescheinigung nennt eine andere Person (Name, Vornamen oder "
                                            "Geburtsdatum weichen ab).",
                                            "L'A1 et le PID ne sont pas ceux de la même personne : l'A1 nomme une "
                                            "autre personne (nom, prénoms ou date de naissance différents).",
                                            "Zaświadczenie A1 i PID nie należą do tej samej osoby: A1 wskazuje inną "
                                            "osobę (różni się nazwisko, imiona lub data urodzenia)."),
    "reason.holder_link.a1_same_name": ("The A1 names the person of the PID: the same surname and date of birth "
                                        "(and given names, where the A1 shows them).",
                                        "A1 norādīta PID persona: tas pats uzvārds un dzimšanas datums (un vārdi, ja "
                                        "A1 tos uzrāda).",
                                        "Die A1-Bescheinigung nennt die Person der PID: derselbe Name und dasselbe "
                                        "Geburtsdatum (und dieselben Vornamen, wo sie sie zeigt).",
                                        "L'A1 nomme la personne du PID : mêmes nom et date de naissance (et prénoms, "
                                        "lorsque l'A1 les montre).",
                                        "Zaświadczenie A1 wskazuje osobę z PID: to samo nazwisko i data urodzenia "
                                        "(oraz imiona, jeśli A1 je pokazuje)."),
    "reason.holder_link.a1_names_withheld": ("The A1 did not show the surname, given names and date of birth of its "
                                             "holder, so it cannot be tied to the person of the PID.",
                                             "A1 neuzrādīja turētāja uzvārdu, vārdus un dzimšanas datumu, tāpēc to "
                                             "nevar sasaistīt ar PID personu.",
                                             "Die A1-Bescheinigung hat Name, Vornamen und Geburtsdatum der Person "
                                             "nicht gezeigt: Sie lässt sich der Person der PID nicht zuordnen.",
                                             "L'A1 n'a pas montré les nom, prénoms et date de naissance de son "
                                             "titulaire : il ne peut pas être rattaché à la personne du PID.",
                                             "Zaświadczenie A1 nie pokazało nazwiska, imion i daty urodzenia "
                                             "posiadacza, więc nie można go powiązać z osobą z PID."),
    # A PID not showing the names the document beside it shows (credentials/holder_link.py PID_NAMES_WITHHELD).
    "reason.holder_link.pid_names_withheld": (
        "The PID did not show the surname, given names and date of birth the document names, so the document "
        "cannot be tied to the person shown.",
        "PID neuzrādīja uzvārdu, vārdus un dzimšanas datumu, kas norādīti dokumentā, tāpēc dokumentu nevar "
        "sasaistīt ar uzrādīto personu.",
        "Die PID hat Name, Vornamen und Geburtsdatum, die das Dokument nennt, nicht gezeigt: Das Dokument lässt "
        "sich der gezeigten Person nicht zuordnen.",
        "Le PID n'a pas montré les nom, prénoms et date de naissance que nomme le document : le document ne peut "
        "pas être rattaché à la personne présentée.",
        "PID nie pokazał nazwiska, imion i daty urodzenia wskazanych w dokumencie, więc dokumentu nie można "
        "powiązać z okazaną osobą."),
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
    # The next step for the one who checks (review R7): the document's number is on the page (verdict.html).
    "next.holder_link.withheld": ("Compare the document's personal identification number below with the "
                                  "person's identity document, or ask for a PID that shows the number.",
                                  "Salīdziniet zemāk redzamo dokumenta personas kodu ar personas apliecinošo "
                                  "dokumentu vai lūdziet uzrādīt PID, kurā redzams personas kods.",
                                  "Vergleichen Sie die unten gezeigte persönliche Kennnummer des Dokuments mit dem "
                                  "Ausweis der Person, oder verlangen Sie eine PID, die die Nummer zeigt.",
                                  "Comparez le numéro d'identification personnel du document ci-dessous avec la "
                                  "pièce d'identité de la personne, ou demandez un PID qui montre ce numéro.",
                                  "Porównaj poniższy osobisty numer identyfikacyjny dokumentu z dokumentem "
                                  "tożsamości osoby albo poproś o PID, który pokazuje ten numer."),
    # An A1 naming another person than the PID (credentials/holder_link.py NAME_MISMATCH; its names are on the
    # page, verdict.html): what the inspector does next (QA of F1).
    "next.holder_link.a1_name_mismatch": ("Ask the worker for their own A1 (in the wallet or on paper) and an "
                                          "identity document: this A1 names the person shown below, not the "
                                          "holder of the PID.",
                                          "Lūdziet darba ņēmējam uzrādīt savu A1 (makā vai uz papīra) un personu "
                                          "apliecinošu dokumentu: šajā A1 norādīta zemāk redzamā persona, nevis "
                                          "PID turētājs.",
                                          "Verlangen Sie von der Person ihre eigene A1-Bescheinigung (in der Wallet "
                                          "oder auf Papier) und einen Ausweis: Diese A1-Bescheinigung nennt die "
                                          "unten gezeigte Person, nicht die Inhaberin oder den Inhaber der PID.",
                                          "Demandez au travailleur son propre A1 (dans le portefeuille ou sur "
                                          "papier) et une pièce d'identité : cet A1 nomme la personne indiquée "
                                          "ci-dessous, pas le titulaire du PID.",
                                          "Poproś pracownika o jego własne zaświadczenie A1 (w portfelu lub na "
                                          "papierze) i dokument tożsamości: to A1 wskazuje osobę podaną poniżej, a "
                                          "nie posiadacza PID."),
    # Tied by the wallet alone (a PID of another state than the document's), the document showing a number of
    # a state whose identity documents carry it (pid_number_states): the one check left to the inspector.
    "next.holder_link.same_wallet": ("Only the wallet ties this document to the person shown: to confirm it is "
                                     "theirs, compare the document's personal identification number below with an "
                                     "identity document that shows it.",
                                     "Šo dokumentu ar uzrādīto personu saista tikai maks: lai pārliecinātos, ka tas "
                                     "pieder šai personai, salīdziniet zemāk redzamo dokumenta personas kodu ar "
                                     "personu apliecinošu dokumentu, kurā tas norādīts.",
                                     "Nur die Wallet verbindet dieses Dokument mit der gezeigten Person: Um zu "
                                     "bestätigen, dass es ihr gehört, vergleichen Sie die unten gezeigte persönliche "
                                     "Kennnummer des Dokuments mit einem Ausweisdokument, das sie enthält.",
                                     "Seul le portefeuille rattache ce document à la personne présentée : pour "
                                     "confirmer qu'il est le sien, comparez le numéro d'identification personnel du "
                                     "document ci-dessous avec une pièce d'identité qui le porte.",
                                     "Tylko portfel wiąże ten dokument z okazaną osobą: aby potwierdzić, że należy do "
                                     "niej, porównaj poniższy osobisty numer identyfikacyjny dokumentu z dokumentem "
                                     "tożsamości, który go zawiera."),
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
                                       "Gültig; die EKVK ist die Karte einer Person, die der Inhaber vertritt (der "
                                       "darin genannten versicherten Person), nicht der vorgezeigten Person.",
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
    "reason.refused": ("The wallet did not share the documents: the person declined, or the wallet holds none of "
                       "those asked for.",
                       "Maks nekopīgoja dokumentus: persona atteicās, vai makā nav neviena no pieprasītajiem.",
                       "Die Wallet hat die Dokumente nicht geteilt: Die Person hat abgelehnt, oder die Wallet "
                       "enthält keines der angefragten.",
                       "Le portefeuille n'a pas partagé les documents : la personne a refusé, ou le portefeuille "
                       "ne contient aucun de ceux demandés.",
                       "Portfel nie udostępnił dokumentów: osoba odmówiła albo portfel nie zawiera żadnego z "
                       "żądanych."),
    "error.profile": ("Choose what to check.", "Izvēlieties, ko pārbaudīt.", "Wählen Sie aus, was geprüft wird.",
                      "Choisissez ce qu'il faut vérifier.", "Wybierz, co sprawdzić."),
    "language": ("Language", "Valoda", "Sprache", "Langue", "Język"),
    "skip": ("Skip to main content", "Pāriet uz galveno saturu", "Zum Hauptinhalt springen",
             "Aller au contenu principal", "Przejdź do treści głównej"),
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
    # Beside a portrait (verdict.html): the checks prove that the phone holds the document's key, not who holds
    # the phone; the photo ties it to the person (domain.md "Inspection", review R2, 6).
    "compare_photo": ("Compare this photo with the person in front of you: the checks prove that the phone holds the "
                      "document, not who holds the phone.",
                      "Salīdziniet šo foto ar personu, kas stāv jūsu priekšā: pārbaudes apliecina, ka dokuments ir "
                      "tālrunī, nevis to, kurš tur tālruni.",
                      "Vergleichen Sie dieses Foto mit der Person vor Ihnen: Die Prüfungen belegen, dass das Telefon "
                      "das Dokument hält, nicht, wer das Telefon hält.",
                      "Comparez cette photo avec la personne devant vous : les vérifications prouvent que le "
                      "téléphone détient le document, pas qui détient le téléphone.",
                      "Porównaj to zdjęcie z osobą przed Tobą: weryfikacja dowodzi, że telefon zawiera dokument, a "
                      "nie tego, kto trzyma telefon."),
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
    "records.count.refused": ("Not shared", "Nav kopīgoti", "Nicht geteilt", "Non partagés", "Nieudostępnione"),
    "records.col.date": ("Date", "Datums", "Datum", "Date", "Data"),
    "records.col.time": ("Time", "Laiks", "Uhrzeit", "Heure", "Godzina"),
    "records.col.verdict": ("Result", "Rezultāts", "Ergebnis", "Résultat", "Wynik"),
    "records.col.documents": ("Documents", "Dokumenti", "Dokumente", "Documents", "Dokumenty"),
    "records.col.institutions": ("Institutions", "Iestādes", "Einrichtungen", "Institutions", "Instytucje"),
    "records.col.inspector": ("Checked by", "Pārbaudīja", "Geprüft von", "Contrôlé par", "Sprawdzający"),
    "records.col.flow": ("How", "Kā", "Wie", "Comment", "Sposób"),
    "records.flow.cross_device": ("QR code on this screen", "QR kods šajā ekrānā", "QR-Code auf diesem Bildschirm",
                                  "Code QR sur cet écran", "Kod QR na tym ekranie"),
    # The wallet on the device whose browser asked: the worker's own phone (an inspectorate's portal)
    # or the inspector's shared tablet or kiosk (start.same_device).
    "records.flow.same_device": ("Wallet on the same device", "Maks tajā pašā ierīcē", "Wallet auf demselben Gerät",
                                 "Portefeuille sur le même appareil", "Portfel na tym samym urządzeniu"),
    "records.flow.offline": ("Offline QR code", "Bezsaistes QR kods", "Offline-QR-Code", "Code QR hors ligne",
                             "Kod QR offline"),
    "records.flow.api": ("Own system (API)", "Sava sistēma (API)", "Eigenes System (API)", "Système propre (API)",
                         "Własny system (API)"),
    "records.type.pda1": ("A1", "A1", "A1", "A1", "A1"),
    "records.type.ehic": ("EHIC", "EVAK", "EKVK", "CEAM", "EKUZ"),
    "records.type.pid": ("PID", "PID", "PID", "PID", "PID"),
    "records.type.other": ("Other", "Cits", "Sonstiges", "Autre", "Inny"),
    # A document found withdrawn when the lists were next fetched (verifier.records RecordStore.recheck).
    "records.later.withdrawn": ("Withdrawn since the check (learnt {date})", "Atsaukts pēc pārbaudes (uzzināts "
                                "{date})", "Seit der Prüfung widerrufen (bekannt seit {date})",
                                "Retiré depuis le contrôle (appris le {date})", "Wycofany po kontroli (ustalono "
                                "{date})"),
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
    "reason.wallet_error": ("The wallet could not answer: a technical error, not the person's refusal.",
                            "Maks nevarēja atbildēt: tehniska kļūda, nevis personas atteikums.",
                            "Die Wallet konnte nicht antworten: ein technischer Fehler, keine Ablehnung durch die "
                            "Person.",
                            "Le portefeuille n'a pas pu répondre : une erreur technique, pas un refus de la personne.",
                            "Portfel nie mógł odpowiedzieć: błąd techniczny, a nie odmowa tej osoby."),
})
#: The waiting page when no answer can come any more (verifier/static/verifier.js).
_T.update({
    "waiting.expired": ("This QR code has expired: the wallet can no longer answer it. Start a new check.",
                        "Šī QR koda derīgums ir beidzies: maks uz to vairs nevar atbildēt. Sāciet jaunu pārbaudi.",
                        "Dieser QR-Code ist abgelaufen: Die Wallet kann ihn nicht mehr beantworten. Starten Sie "
                        "eine neue Prüfung.",
                        "Ce code QR a expiré : le portefeuille ne peut plus y répondre. Lancez un nouveau contrôle.",
                        "Ten kod QR wygasł: portfel nie może już na niego odpowiedzieć. Rozpocznij nową kontrolę."),
    # Without JavaScript (verifier.js polls): the inspector looks with a link; the page's address leads to the
    # verdict once the answer has come.
    "waiting.no_script": ("This page does not update by itself without JavaScript: once the wallet has answered, "
                          "look for the answer.",
                          "Bez JavaScript šī lapa pati neatjaunojas: kad maks ir atbildējis, pārbaudiet atbildi.",
                          "Ohne JavaScript aktualisiert sich diese Seite nicht selbst: Sehen Sie nach der Antwort, "
                          "sobald die Wallet geantwortet hat.",
                          "Sans JavaScript, cette page ne se met pas à jour d'elle-même\u00a0: une fois que le "
                          "portefeuille a répondu, vérifiez la réponse.",
                          "Bez JavaScriptu ta strona nie odświeża się sama: gdy portfel odpowie, sprawdź odpowiedź."),
    "waiting.look_now": ("Look for the answer", "Pārbaudīt atbildi", "Nach der Antwort sehen", "Vérifier la réponse",
                         "Sprawdź odpowiedź"),
    "waiting.gone": ("This check no longer exists. Start a new check.",
                     "Šī pārbaude vairs nepastāv. Sāciet jaunu pārbaudi.",
                     "Diese Prüfung gibt es nicht mehr. Starten Sie eine neue Prüfung.",
                     "Ce contrôle n'existe plus. Lancez un nouveau contrôle.",
                     "Ta kontrola już nie istnieje. Rozpocznij nową kontrolę."),
    "waiting.signed_out": ("Your sign-in has ended. Sign in again to see the answer.",
                           "Jūsu pieteikšanās ir beigusies. Piesakieties vēlreiz, lai redzētu atbildi.",
                           "Ihre Anmeldung ist abgelaufen. Melden Sie sich erneut an, um die Antwort zu sehen.",
                           "Votre session a pris fin. Reconnectez-vous pour voir la réponse.",
                           "Twoja sesja logowania wygasła. Zaloguj się ponownie, aby zobaczyć odpowiedź."),
    "waiting.new_check": ("Start a new check", "Sākt jaunu pārbaudi", "Neue Prüfung starten",
                          "Lancer un nouveau contrôle", "Rozpocznij nową kontrolę"),
    "waiting.sign_in": ("Sign in again", "Pieteikties vēlreiz", "Erneut anmelden", "Se reconnecter",
                        "Zaloguj się ponownie"),
    # An offline code's holder_link step (credentials/verification.py _offline_holder_step).
    "reason.holder_link.check_identity": (
        "Offline QR code without a photo: check an identity document to confirm the holder.",
        "Bezsaistes QR kods bez fotoattēla: pārbaudiet personu apliecinošu dokumentu, lai apstiprinātu turētāju.",
        "Offline-QR-Code ohne Foto: Prüfen Sie einen Ausweis, um die Person zu bestätigen.",
        "Code QR hors ligne sans photo : vérifiez une pièce d'identité pour confirmer le titulaire.",
        "Kod QR offline bez zdjęcia: sprawdź dokument tożsamości, aby potwierdzić posiadacza."),
    # A PID shown without its portrait (credentials/verification.py NO_PORTRAIT): the holder left it out,
    # or the PID has none. The notice, and the reason where it is one (the records page).
    "notice.pid.no_portrait": (
        "No photo of the holder was shown: check an identity document to confirm the holder.",
        "Turētāja fotoattēls netika uzrādīts: pārbaudiet personu apliecinošu dokumentu, lai apstiprinātu turētāju.",
        "Kein Foto der Person gezeigt: Prüfen Sie einen Ausweis, um die Person zu bestätigen.",
        "Aucune photo du titulaire n'a été présentée : vérifiez une pièce d'identité pour confirmer le titulaire.",
        "Nie pokazano zdjęcia posiadacza: sprawdź dokument tożsamości, aby potwierdzić posiadacza."),
    "reason.pid.no_portrait": (
        "No photo of the holder was shown: check an identity document to confirm the holder.",
        "Turētāja fotoattēls netika uzrādīts: pārbaudiet personu apliecinošu dokumentu, lai apstiprinātu turētāju.",
        "Kein Foto der Person gezeigt: Prüfen Sie einen Ausweis, um die Person zu bestätigen.",
        "Aucune photo du titulaire n'a été présentée : vérifiez une pièce d'identité pour confirmer le titulaire.",
        "Nie pokazano zdjęcia posiadacza: sprawdź dokument tożsamości, aby potwierdzić posiadacza."),
    "reason.holder_link.no_holder": (
        "The document names no holder (name and date of birth): nothing can be compared with an identity "
        "document, so it cannot be tied to the person checked.",
        "Dokumentā nav norādīts turētājs (vārds un dzimšanas datums): nav ar ko salīdzināt personu apliecinošu "
        "dokumentu, tāpēc to nevar sasaistīt ar pārbaudāmo personu.",
        "Das Dokument nennt keinen Inhaber (Name und Geburtsdatum): Nichts lässt sich mit einem Ausweis "
        "vergleichen, daher ist es der geprüften Person nicht zuzuordnen.",
        "Le document ne désigne aucun titulaire (nom et date de naissance) : rien ne peut être comparé à une "
        "pièce d'identité, il ne peut donc pas être rattaché à la personne contrôlée.",
        "Dokument nie wskazuje posiadacza (imienia, nazwiska i daty urodzenia): nie ma czego porównać z "
        "dokumentem tożsamości, więc nie można go powiązać z kontrolowaną osobą."),
    # Why the inspectorate asks, for the worker's wallet (the request's purpose, verifier/service.py).
    "purpose.pda1": (
        "Labour inspection: check your Portable Document A1 (which country's social security legislation "
        "applies to you) and your identity.",
        "Darba inspekcija: pārbaudīt jūsu portatīvo dokumentu A1 (kuras valsts sociālās drošības tiesību akti uz "
        "jums attiecas) un jūsu identitāti.",
        "Arbeitsinspektion: Prüfung Ihres Portablen Dokuments A1 (welche Rechtsvorschriften der sozialen "
        "Sicherheit für Sie gelten) und Ihrer Identität.",
        "Inspection du travail : vérification de votre document portable A1 (la législation de sécurité sociale "
        "qui vous est applicable) et de votre identité.",
        "Inspekcja pracy: sprawdzenie Twojego dokumentu przenośnego A1 (ustawodawstwo w zakresie zabezpieczenia "
        "społecznego którego państwa ma do Ciebie zastosowanie) i Twojej tożsamości."),
    # Neutral: an EHIC is checked by whoever provides care (a hospital's admissions desk), not by a labour
    # inspection; a deployment states its own with ESSPASS_VERIFIER_PURPOSES (verifier/settings.py).
    "purpose.ehic": (
        "Check of your European Health Insurance Card, for the cost of your care, and of your identity.",
        "Jūsu Eiropas veselības apdrošināšanas kartes pārbaude jūsu veselības aprūpes izmaksu segšanai un jūsu "
        "identitātes pārbaude.",
        "Prüfung Ihrer Europäischen Krankenversicherungskarte für die Kosten Ihrer Behandlung und Prüfung Ihrer "
        "Identität.",
        "Vérification de votre carte européenne d'assurance maladie, pour le coût de vos soins, et de votre "
        "identité.",
        "Sprawdzenie Twojej Europejskiej Karty Ubezpieczenia Zdrowotnego na potrzeby kosztów Twojego leczenia oraz "
        "Twojej tożsamości."),
    # A query of the API's own that is neither check (verifier/service.py query_check): the A1 and the
    # EHIC together, the PID alone, another type. Neutral: who asks is named beside it by the wallet.
    "purpose.other": ("Check of the documents asked for.",
                      "Pieprasīto dokumentu pārbaude.",
                      "Prüfung der angefragten Dokumente.",
                      "Vérification des documents demandés.",
                      "Sprawdzenie żądanych dokumentów."),
})
#: The inspector's pages in the page's language (verifier/app.py, the templates): each check on the result
#: screen, the A1's period and the document number, the offline page's errors, an unknown check, a
#: same-device return link opened again, the list ages, and the check with a wallet on this device.
_T.update({
    "step.disclosures": ("Disclosed data", "Atklātie dati", "Offengelegte Daten", "Données divulguées",
                         "Ujawnione dane"),
    "step.issuer_signature": ("Issuer's signature", "Izdevēja paraksts", "Signatur des Ausstellers",
                              "Signature de l'émetteur", "Podpis wystawcy"),
    "step.issuer_chain": ("Issuer's certificate", "Izdevēja sertifikāts", "Zertifikat des Ausstellers",
                          "Certificat de l'émetteur", "Certyfikat wystawcy"),
    "step.issuer_authorised": ("Competent institution", "Kompetentā iestāde", "Zuständige Einrichtung",
                               "Organisme compétent", "Właściwa instytucja"),
    "step.key_binding": ("Tie to the holder", "Saikne ar turētāju", "Bindung an die Person", "Lien avec le titulaire",
                         "Powiązanie z posiadaczem"),
    "step.token_validity": ("Validity of the signed credential", "Parakstītā apliecinājuma derīgums",
                            "Gültigkeit des signierten Nachweises", "Validité de l'attestation signée",
                            "Ważność podpisanego poświadczenia"),
    "step.document_validity": ("Document's validity dates", "Dokumenta derīguma termiņš",
                               "Gültigkeitsdaten des Dokuments", "Dates de validité du document",
                               "Daty ważności dokumentu"),
    "step.coverage_period": ("Period covered", "Aptvertais periods", "Erfasster Zeitraum", "Période couverte",
                             "Okres objęty dokumentem"),
    "step.status": ("Withdrawal or suspension", "Atsaukšana vai apturēšana", "Widerruf oder Aussetzung",
                    "Retrait ou suspension", "Wycofanie lub zawieszenie"),
    "step.query": ("What was asked for", "Pieprasītais", "Angefragte Daten", "Données demandées", "Żądane dane"),
    "step.holder_link": ("Same person", "Tā pati persona", "Dieselbe Person", "Même personne", "Ta sama osoba"),
    "step.line": ("{name}: {text}", "{name}: {text}", "{name}: {text}", "{name} : {text}", "{name}: {text}"),
    # A passed check's sentence, where the pipeline's own (English) one says more: its dates, the institution.
    "step_passed.disclosures": ("Every disclosed item matches what the issuer signed.",
                                "Katrs atklātais elements atbilst izdevēja parakstītajam.",
                                "Jede offengelegte Angabe entspricht dem, was der Aussteller signiert hat.",
                                "Chaque donnée divulguée correspond à ce que l'émetteur a signé.",
                                "Każda ujawniona dana odpowiada temu, co podpisał wystawca."),
    "step_passed.issuer_signature": ("The issuer's signature is genuine.", "Izdevēja paraksts ir īsts.",
                                     "Die Signatur des Ausstellers ist echt.",
                                     "La signature de l'émetteur est authentique.",
                                     "Podpis wystawcy jest autentyczny."),
    "step_passed.issuer_chain": ("The trust list vouches for the issuer's certificate.",
                                 "Uzticamības saraksts apliecina izdevēja sertifikātu.",
                                 "Die Vertrauensliste bürgt für das Zertifikat des Ausstellers.",
                                 "La liste de confiance garantit le certificat de l'émetteur.",
                                 "Lista zaufania poświadcza certyfikat wystawcy."),
    "step_passed.issuer_authorised": ("The issuing institution is competent for this document.",
                                      "Izdevēja iestāde ir kompetenta izsniegt šo dokumentu.",
                                      "Die ausstellende Einrichtung ist für dieses Dokument zuständig.",
                                      "L'organisme émetteur est compétent pour ce document.",
                                      "Instytucja wydająca jest właściwa dla tego dokumentu."),
    "step_passed.key_binding": ("The phone the document was issued to showed it, for this check.",
                                "Dokumentu šai pārbaudei uzrādīja tālrunis, kuram tas izsniegts.",
                                "Das Telefon, für das das Dokument ausgestellt wurde, hat es für diese Prüfung "
                                "gezeigt.",
                                "Le téléphone auquel le document a été délivré l'a présenté pour ce contrôle.",
                                "Dokument okazał telefon, dla którego go wydano, na potrzeby tej kontroli."),
    "step_passed.token_validity": ("The signed credential is within its validity.",
                                   "Parakstītais apliecinājums ir derīgs.", "Der signierte Nachweis ist gültig.",
                                   "L'attestation signée est en cours de validité.",
                                   "Podpisane poświadczenie jest ważne."),
    "step_passed.document_validity": ("The document is within its own validity dates.",
                                      "Dokuments ir sava derīguma termiņa robežās.",
                                      "Das Dokument liegt innerhalb seiner Gültigkeitsdaten.",
                                      "Le document est dans ses dates de validité.",
                                      "Dokument jest w swoim okresie ważności."),
    "step_passed.coverage_period": ("Today lies within the period covered.", "Šodiena ir aptvertajā periodā.",
                                    "Heute liegt im erfassten Zeitraum.",
                                    "La date du jour est dans la période couverte.",
                                    "Dzisiejsza data mieści się w objętym okresie."),
    "step_passed.status": ("The institution has not withdrawn or suspended the document.",
                           "Iestāde dokumentu nav atsaukusi vai apturējusi.",
                           "Die Einrichtung hat das Dokument weder widerrufen noch ausgesetzt.",
                           "L'organisme n'a ni retiré ni suspendu le document.",
                           "Instytucja nie wycofała ani nie zawiesiła dokumentu."),
    "step_passed.query": ("The answer contains what was asked for and nothing more.",
                          "Atbildē ir pieprasītais un nekas vairāk.",
                          "Die Antwort enthält das Verlangte und nichts darüber hinaus.",
                          "La réponse contient ce qui était demandé, et rien de plus.",
                          "Odpowiedź zawiera to, o co proszono, i nic więcej."),
    "step_passed.holder_link": ("The document and the PID carry the same personal number.",
                                "Dokumentā un PID ir tas pats personas kods.",
                                "Das Dokument und die PID tragen dieselbe persönliche Kennnummer.",
                                "Le document et le PID portent le même numéro d'identification personnel.",
                                "Dokument i PID mają ten sam osobisty numer identyfikacyjny."),
    "pda1.sentence_period": ("Social security legislation that applies from {start} until {end}: {country}.",
                             "Piemērojamie sociālās drošības tiesību akti no {start} līdz {end}: {country}.",
                             "Es gelten vom {start} bis {end} die Rechtsvorschriften der sozialen Sicherheit "
                             "dieses Staates: {country}.",
                             "Législation de sécurité sociale applicable du {start} au {end} : {country}.",
                             "Obowiązuje ustawodawstwo w zakresie zabezpieczenia społecznego: {country}, od {start} "
                             "do {end}."),
    "document_number": ("Document number", "Dokumenta numurs", "Dokumentnummer", "Numéro du document",
                        "Numer dokumentu"),
    "freshness.trust": ("Trust list age: {trust}", "Uzticamības saraksta vecums: {trust}",
                        "Alter der Vertrauensliste: {trust}", "Âge de la liste de confiance : {trust}",
                        "Wiek listy zaufania: {trust}"),
    "freshness.status": ("Status list age: {status}", "Statusa saraksta vecums: {status}",
                         "Alter der Statusliste: {status}", "Âge de la liste de statut : {status}",
                         "Wiek listy statusów: {status}"),
    "unknown_check": ("This check is unknown or has expired.", "Šī pārbaude nav zināma vai ir beigusies.",
                      "Diese Prüfung ist unbekannt oder abgelaufen.", "Ce contrôle est inconnu ou a expiré.",
                      "Ta kontrola jest nieznana lub wygasła."),
    # A form the inspector's pages never send (esspass.web.form_pages, read_form): more fields or files than
    # Starlette reads (1000), a body that is no form, a field missing or too long.
    "form_unreadable": ("The form could not be read", "Veidlapu nevarēja nolasīt",
                        "Das Formular konnte nicht gelesen werden", "Le formulaire n'a pas pu être lu",
                        "Nie udało się odczytać formularza"),
    "form_unreadable.text": ("It is not one these pages send, so nothing was done. Open the page again and try "
                             "again.",
                             "Šīs lapas tādu nesūta, tāpēc nekas netika darīts. Atveriet lapu vēlreiz un "
                             "mēģiniet vēlreiz.",
                             "Diese Seiten senden keines wie dieses, daher wurde nichts getan. Öffnen Sie die "
                             "Seite erneut und versuchen Sie es noch einmal.",
                             "Ces pages n'en envoient pas de tel : rien n'a été fait. Rouvrez la page et "
                             "réessayez.",
                             "Te strony nie wysyłają takiego, więc nic nie zostało zrobione. Otwórz stronę "
                             "ponownie i spróbuj jeszcze raz."),
    # An address the inspector's pages have not, opened in the browser (esspass.web.serve_not_found_page).
    "not_found": ("Page not found", "Lapa nav atrasta", "Seite nicht gefunden", "Page introuvable",
                  "Nie znaleziono strony"),
    "not_found.text": ("There is no page at this address. Check the address, or go to the start page.",
                       "Šajā adresē nav lapas. Pārbaudiet adresi vai atveriet sākumlapu.",
                       "Unter dieser Adresse gibt es keine Seite. Prüfen Sie die Adresse oder gehen Sie zur "
                       "Startseite.",
                       "Il n'y a pas de page à cette adresse. Vérifiez l'adresse ou allez à la page d'accueil.",
                       "Pod tym adresem nie ma strony. Sprawdź adres lub przejdź do strony startowej."),
    "not_found.home": ("Go to the start page", "Uz sākumlapu", "Zur Startseite", "Aller à la page d'accueil",
                       "Przejdź do strony startowej"),
    "start_new": ("Start a new check", "Sākt jaunu pārbaudi", "Neue Prüfung starten", "Lancer un nouveau contrôle",
                  "Rozpocznij nową kontrolę"),
    "error.already_shown": ("The result of this check has already been shown: its return link works once. Start a "
                            "new check if you need it again.",
                            "Šīs pārbaudes rezultāts jau ir parādīts: atgriešanās saite darbojas vienreiz. Ja tas "
                            "vajadzīgs vēlreiz, sāciet jaunu pārbaudi.",
                            "Das Ergebnis dieser Prüfung wurde bereits angezeigt: Der Rückkehr-Link gilt nur einmal. "
                            "Starten Sie eine neue Prüfung, wenn Sie es erneut brauchen.",
                            "Le résultat de ce contrôle a déjà été affiché : le lien de retour ne sert qu'une fois. "
                            "Lancez un nouveau contrôle si vous en avez encore besoin.",
                            "Wynik tej kontroli został już wyświetlony: link powrotu działa tylko raz. Jeśli jest "
                            "potrzebny ponownie, rozpocznij nową kontrolę."),
    "start.same_device_help": ("The QR code is the usual way: the person scans it with their own phone. Check with "
                               "a wallet on this device only when the person's wallet is on this device, such as a "
                               "shared tablet or kiosk: the result then appears here, in this browser.",
                               "Parasti izmanto QR kodu: persona to noskenē ar savu tālruni. Pārbaudi ar maku šajā "
                               "ierīcē izmantojiet tikai tad, ja personas maks ir šajā ierīcē, piemēram, "
                               "koplietošanas planšetē vai kioskā: rezultāts tad parādās šeit, šajā pārlūkā.",
                               "Üblich ist der QR-Code: Die Person scannt ihn mit dem eigenen Telefon. Mit einer "
                               "Wallet auf diesem Gerät prüfen Sie nur, wenn die Wallet der Person auf diesem Gerät "
                               "ist, etwa einem gemeinsam genutzten Tablet oder Kiosk: Das Ergebnis erscheint dann "
                               "hier, in diesem Browser.",
                               "Le code QR est la voie habituelle : la personne le scanne avec son propre "
                               "téléphone. Ne vérifiez avec un portefeuille sur cet appareil que si le portefeuille "
                               "de la personne est sur cet appareil, par exemple une tablette ou une borne partagée : "
                               "le résultat s'affiche alors ici, dans ce navigateur.",
                               "Zwykle używa się kodu QR: osoba skanuje go własnym telefonem. Sprawdzaj "
                               "portfelem na tym urządzeniu tylko wtedy, gdy portfel tej osoby jest na tym "
                               "urządzeniu, np. na wspólnym tablecie lub w kiosku: wynik pojawi się wtedy tutaj, w "
                               "tej przeglądarce."),
    "same_device.for": ("For a worker whose wallet is on this device, such as a shared tablet or kiosk: hand it to "
                        "the worker, who presses “Open my wallet” and shares the documents. The result then "
                        "appears here, in this browser. A worker with their own phone scans the QR code of a new "
                        "check instead.",
                        "Darbiniekam, kura maks ir šajā ierīcē, piemēram, koplietošanas planšetē vai kioskā: "
                        "nododiet ierīci darbiniekam, kurš nospiež “Atvērt manu maku” un kopīgo dokumentus. "
                        "Rezultāts pēc tam parādās šeit, šajā pārlūkā. Darbinieks ar savu tālruni tā vietā noskenē "
                        "jaunas pārbaudes QR kodu.",
                        "Für eine Person, deren Wallet auf diesem Gerät ist, etwa einem gemeinsam genutzten Tablet "
                        "oder Kiosk: Geben Sie ihr das Gerät; sie drückt „Meine Wallet öffnen“ und teilt die "
                        "Dokumente. Das Ergebnis erscheint dann hier, in diesem Browser. Eine Person mit eigenem "
                        "Telefon scannt stattdessen den QR-Code einer neuen Prüfung.",
                        "Pour un travailleur dont le portefeuille est sur cet appareil, par exemple une tablette ou "
                        "une borne partagée : remettez-lui l'appareil ; il appuie sur « Ouvrir mon portefeuille » et "
                        "partage les documents. Le résultat s'affiche ensuite ici, dans ce navigateur. Un travailleur "
                        "muni de son propre téléphone scanne plutôt le code QR d'un nouveau contrôle.",
                        "Dla pracownika, którego portfel jest na tym urządzeniu, np. na wspólnym tablecie lub w "
                        "kiosku: przekaż mu urządzenie; naciska on „Otwórz mój portfel” i udostępnia dokumenty. Wynik "
                        "pojawi się potem tutaj, w tej przeglądarce. Pracownik z własnym telefonem skanuje zamiast "
                        "tego kod QR nowej kontroli."),
    # The offline page's errors (verifier.app.offline_scan, offline_prepare): what to do next, in words.
    "offline.error.nothing": ("Scan the QR code or choose a photo of it, then press Check.",
                              "Noskenējiet QR kodu vai izvēlieties tā foto, tad nospiediet “Pārbaudīt”.",
                              "Scannen Sie den QR-Code oder wählen Sie ein Foto davon, dann drücken Sie „Prüfen“.",
                              "Scannez le code QR ou choisissez-en une photo, puis appuyez sur « Vérifier ».",
                              "Zeskanuj kod QR lub wybierz jego zdjęcie, a potem naciśnij „Sprawdź”."),
    "offline.error.empty": ("The chosen file is empty. Choose a photo of the QR code.",
                            "Izvēlētais fails ir tukšs. Izvēlieties QR koda foto.",
                            "Die gewählte Datei ist leer. Wählen Sie ein Foto des QR-Codes.",
                            "Le fichier choisi est vide. Choisissez une photo du code QR.",
                            "Wybrany plik jest pusty. Wybierz zdjęcie kodu QR."),
    "offline.error.too_large": ("The photo is too large. Take one of the QR code alone, or scan it with the camera.",
                                "Foto ir pārāk liels. Nofotografējiet tikai QR kodu vai noskenējiet to ar kameru.",
                                "Das Foto ist zu groß. Fotografieren Sie nur den QR-Code oder scannen Sie ihn mit der "
                                "Kamera.",
                                "La photo est trop grande. Photographiez le code QR seul, ou scannez-le avec la "
                                "caméra.",
                                "Zdjęcie jest za duże. Sfotografuj sam kod QR albo zeskanuj go aparatem."),
    "offline.error.not_picture": ("This file is not a picture that can be read. Choose a photo of the QR code.",
                                  "Šis fails nav nolasāms attēls. Izvēlieties QR koda foto.",
                                  "Diese Datei ist kein lesbares Bild. Wählen Sie ein Foto des QR-Codes.",
                                  "Ce fichier n'est pas une image lisible. Choisissez une photo du code QR.",
                                  "Ten plik nie jest czytelnym obrazem. Wybierz zdjęcie kodu QR."),
    "offline.error.no_qr": ("No QR code could be read in the photo. Try a sharper, closer photo.",
                            "Foto nevarēja nolasīt QR kodu. Mēģiniet asāku foto no mazāka attāluma.",
                            "Auf dem Foto war kein QR-Code lesbar. Versuchen Sie ein schärferes Foto aus der Nähe.",
                            "Aucun code QR n'a pu être lu sur la photo. Essayez une photo plus nette, prise de plus "
                            "près.",
                            "Nie udało się odczytać kodu QR ze zdjęcia. Spróbuj ostrzejszego zdjęcia z bliska."),
    "offline.error.several_qr": ("The photo shows more than one QR code. Take one of the worker's code alone.",
                                 "Foto ir vairāk nekā viens QR kods. Nofotografējiet tikai darbinieka kodu.",
                                 "Das Foto zeigt mehr als einen QR-Code. Fotografieren Sie nur den Code der Person.",
                                 "La photo montre plus d'un code QR. Photographiez seulement celui du travailleur.",
                                 "Zdjęcie pokazuje więcej niż jeden kod QR. Sfotografuj tylko kod pracownika."),
    "offline.error.not_offline_qr": ("This is not an ESSPASS offline QR code. Ask the worker to show the document's "
                                     "QR code from the wallet or the paper copy.",
                                     "Tas nav ESSPASS bezsaistes QR kods. Lūdziet darbiniekam parādīt dokumenta QR "
                                     "kodu no maka vai papīra kopijas.",
                                     "Das ist kein ESSPASS-Offline-QR-Code. Bitten Sie die Person, den QR-Code des "
                                     "Dokuments aus der Wallet oder von der Papierkopie zu zeigen.",
                                     "Ce n'est pas un code QR hors ligne ESSPASS. Demandez au travailleur de montrer "
                                     "le code QR du document depuis son portefeuille ou sa copie papier.",
                                     "To nie jest kod QR offline ESSPASS. Poproś pracownika o pokazanie kodu QR "
                                     "dokumentu z portfela lub z kopii papierowej."),
    "offline.error.challenge": ("The code shown to the worker is unknown, already used or expired. Show a new code "
                                "and scan again.",
                                "Darbiniekam parādītais kods nav zināms, jau izmantots vai beidzies. Parādiet jaunu "
                                "kodu un skenējiet vēlreiz.",
                                "Der der Person gezeigte Code ist unbekannt, schon verwendet oder abgelaufen. Zeigen "
                                "Sie einen neuen Code und scannen Sie erneut.",
                                "Le code montré au travailleur est inconnu, déjà utilisé ou expiré. Affichez un "
                                "nouveau code et scannez à nouveau.",
                                "Kod pokazany pracownikowi jest nieznany, już użyty lub wygasł. Pokaż nowy kod i "
                                "zeskanuj ponownie."),
    "offline.error.no_status_lists": ("This verifier keeps no status lists, so there is nothing to fetch.",
                                      "Šis pārbaudītājs neglabā statusa sarakstus, tāpēc nav ko ielādēt.",
                                      "Dieser Prüfdienst speichert keine Statuslisten: Es gibt nichts zu laden.",
                                      "Ce vérificateur ne garde pas de listes de statut : il n'y a rien à charger.",
                                      "Ten weryfikator nie przechowuje list statusów, więc nie ma czego pobrać."),
    "offline.error.no_trust_list": ("No trust list is available: the lists cannot be fetched now. Try again where "
                                    "there is network.",
                                    "Uzticamības saraksts nav pieejams: sarakstus tagad nevar ielādēt. Mēģiniet "
                                    "vēlreiz vietā, kur ir tīkls.",
                                    "Keine Vertrauensliste verfügbar: Die Listen können jetzt nicht geladen werden. "
                                    "Versuchen Sie es erneut, wo es Netz gibt.",
                                    "Aucune liste de confiance n'est disponible : les listes ne peuvent pas être "
                                    "chargées maintenant. Réessayez là où il y a du réseau.",
                                    "Lista zaufania jest niedostępna: nie można teraz pobrać list. Spróbuj ponownie "
                                    "tam, gdzie jest sieć."),
    "offline.error.other": ("This code could not be checked. Scan it again, or start a check with the QR code.",
                            "Šo kodu nevarēja pārbaudīt. Noskenējiet to vēlreiz vai sāciet pārbaudi ar QR kodu.",
                            "Dieser Code konnte nicht geprüft werden. Scannen Sie ihn erneut oder starten Sie eine "
                            "Prüfung mit dem QR-Code.",
                            "Ce code n'a pas pu être vérifié. Scannez-le à nouveau, ou lancez un contrôle avec le "
                            "code QR.",
                            "Nie udało się sprawdzić tego kodu. Zeskanuj go ponownie albo rozpocznij kontrolę kodem "
                            "QR."),
})
#: The EHIC at a health care provider's desk (review of the EHIC desk): the certificate's period, the
#: competent institution, the card of the desk's own state, the card without a PID, printing the verdict.
_T.update({
    "ehic.prc_sentence": ("Health insurance: {country}, provisional replacement certificate, valid from {start} to "
                          "{end}.",
                          "Veselības apdrošināšana: {country}, EVAK aizvietojošais sertifikāts, derīgs no {start} līdz "
                          "{end}",
                          "Krankenversicherung: {country}, provisorische Ersatzbescheinigung, gültig vom {start} bis "
                          "{end}.",
                          "Assurance maladie : {country}, certificat provisoire de remplacement, valable du {start} "
                          "au {end}.",
                          "Ubezpieczenie zdrowotne: {country}, certyfikat tymczasowo zastępujący kartę, ważny od "
                          "{start} do {end}."),
    "competent_institution": ("Competent institution", "Kompetentā iestāde", "Zuständiger Träger",
                              "Institution compétente", "Instytucja właściwa"),
    # A withdrawn or replaced card fails for every date of care: the status list does not date a
    # withdrawal, so a check cannot tell care given before it (fail closed). The way out for care given
    # while the person was insured is a PRC for those days (Decision S1; 987/2009 Art. 25).
    "next.ehic.ended_prc": (
        "Care given while the card was valid? A withdrawal or replacement is not dated here, so the card fails "
        "for any date of care: ask the competent institution for a provisional replacement certificate covering "
        "the date of care.",
        "Aprūpe sniegta, kamēr karte bija derīga? Atsaukums vai aizstāšana šeit nav datēta, tāpēc karte neiztur "
        "pārbaudi nevienam aprūpes datumam: lūdziet kompetentajai iestādei EVAK aizvietojošo sertifikātu, kas "
        "aptver aprūpes datumu.",
        "Behandlung, als die Karte noch gültig war? Ein Widerruf oder eine Ersetzung ist hier nicht datiert, daher "
        "besteht die Karte für kein Behandlungsdatum die Prüfung: Verlangen Sie beim zuständigen Träger eine "
        "provisorische Ersatzbescheinigung, die das Behandlungsdatum abdeckt.",
        "Soins donnés quand la carte était valable ? Un retrait ou un remplacement n'est pas daté ici : la carte "
        "échoue pour toute date des soins. Demandez à l'institution compétente un certificat provisoire de "
        "remplacement couvrant la date des soins.",
        "Świadczenie udzielone, gdy karta była ważna? Wycofanie ani zastąpienie nie jest tu datowane, więc karta "
        "nie przechodzi kontroli na żaden dzień świadczenia: poproś instytucję właściwą o certyfikat tymczasowo "
        "zastępujący kartę, obejmujący dzień świadczenia."),
    # A UK card in Switzerland, Iceland, Liechtenstein or Norway (credentials/ehic.py uk_card_condition).
    "notice.ehic.uk_in_ch": (
        "This is a UK card (GHIC or UK EHIC): in Switzerland it covers care only for UK, Swiss and EU nationals, "
        "stateless persons and refugees, and their family members and survivors (UK-Switzerland Convention on "
        "Social Security Coordination, Art. 2(1), applied since 1 November 2021). Ask for proof of nationality.",
        "Šī ir Apvienotās Karalistes karte (GHIC vai UK EHIC): Šveicē tā sedz aprūpi tikai Apvienotās Karalistes, "
        "Šveices un ES valstu pilsoņiem, bezvalstniekiem un bēgļiem, kā arī viņu ģimenes locekļiem un "
        "apgādnieku zaudējušajām personām (Apvienotās Karalistes un Šveices Konvencija par sociālā nodrošinājuma "
        "koordināciju, 2. panta 1. punkts, piemēro kopš 2021. gada 1. novembra). Lūdziet pierādīt pilsonību.",
        "Dies ist eine Karte des Vereinigten Königreichs (GHIC oder UK EHIC): In der Schweiz deckt sie Behandlungen "
        "nur für Staatsangehörige des Vereinigten Königreichs, der Schweiz und der EU, Staatenlose und Flüchtlinge "
        "sowie ihre Familienangehörigen und Hinterbliebenen (Abkommen zwischen der Schweiz und dem Vereinigten "
        "Königreich zur Koordinierung der Sozialen Sicherheit, Art. 2 Abs. 1, angewendet seit 1. November 2021). "
        "Verlangen Sie einen Nachweis der Staatsangehörigkeit.",
        "Il s'agit d'une carte du Royaume-Uni (GHIC ou UK EHIC) : en Suisse, elle ne couvre les soins que des "
        "ressortissants du Royaume-Uni, de la Suisse et de l'UE, des apatrides et des réfugiés, ainsi que des "
        "membres de leur famille et de leurs survivants (convention de coordination de la sécurité sociale entre "
        "la Suisse et le Royaume-Uni, art. 2, par. 1, appliquée depuis le 1er novembre 2021). Demandez une preuve "
        "de nationalité.",
        "To karta Zjednoczonego Królestwa (GHIC lub UK EHIC): w Szwajcarii obejmuje leczenie tylko obywateli "
        "Zjednoczonego Królestwa, Szwajcarii i UE, bezpaństwowców i uchodźców oraz członków ich rodzin i osoby "
        "pozostałe przy życiu (Konwencja o koordynacji zabezpieczenia społecznego między Szwajcarią a "
        "Zjednoczonym Królestwem, art. 2 ust. 1, stosowana od 1 listopada 2021 r.). Poproś o dowód obywatelstwa."),
    "notice.ehic.uk_before_agreement": (
        "This is a UK card: for care in this state ({country}) before its convention with the UK applied "
        "(Switzerland: 1 November 2021; Iceland, Liechtenstein, Norway: 1 January 2024), a UK card covered only a "
        "person of the citizens' rights agreements, who holds a UK EHIC; a GHIC did not cover it. Check which card "
        "it is, or bill the care under national rules.",
        "Šī ir Apvienotās Karalistes karte: aprūpi šajā valstī ({country}) pirms tās konvencijas ar Apvienoto "
        "Karalisti piemērošanas (Šveicē no 2021. gada 1. novembra; Islandē, Lihtenšteinā, Norvēģijā no 2024. gada "
        "1. janvāra) Apvienotās Karalistes karte sedza tikai pilsoņu tiesību nolīgumu aptvertām personām, kurām ir "
        "UK EHIC; GHIC to nesedza. Pārbaudiet, kura karte tā ir, vai apmaksājiet aprūpi saskaņā ar valsts "
        "noteikumiem.",
        "Dies ist eine Karte des Vereinigten Königreichs: Behandlungen in diesem Staat ({country}) vor Anwendung "
        "seines Abkommens mit dem Vereinigten Königreich (Schweiz: 1. November 2021; Island, Liechtenstein, "
        "Norwegen: 1. Januar 2024) deckte eine solche Karte nur für Personen der Abkommen über die Rechte der "
        "Bürger, die eine UK EHIC besitzen; eine GHIC deckte sie nicht. Prüfen Sie, welche Karte es ist, oder "
        "rechnen Sie die Behandlung nach den nationalen Vorschriften ab.",
        "Il s'agit d'une carte du Royaume-Uni : pour des soins dans cet État ({country}) avant l'application de sa "
        "convention avec le Royaume-Uni (Suisse : 1er novembre 2021 ; Islande, Liechtenstein, Norvège : 1er "
        "janvier 2024), une carte du Royaume-Uni ne couvrait qu'une personne relevant des accords sur les droits "
        "des citoyens, titulaire d'une UK EHIC ; une GHIC ne les couvrait pas. Vérifiez de quelle carte il s'agit, "
        "ou facturez les soins selon les règles nationales.",
        "To karta Zjednoczonego Królestwa: leczenie w tym państwie ({country}) przed zastosowaniem jego konwencji "
        "ze Zjednoczonym Królestwem (Szwajcaria: 1 listopada 2021 r.; Islandia, Liechtenstein, Norwegia: 1 "
        "stycznia 2024 r.) karta Zjednoczonego Królestwa obejmowała tylko osoby objęte umowami o prawach "
        "obywateli, posiadające UK EHIC; GHIC go nie obejmowała. Sprawdź, która to karta, albo rozlicz leczenie "
        "według przepisów krajowych."),
    # A card of Switzerland, Iceland, Liechtenstein or Norway at a desk in the UK (the same conventions).
    "notice.ehic.ch_in_uk": (
        "This is a Swiss card: in the UK it covers care only for Swiss, UK and EU nationals, stateless persons and "
        "refugees, and their family members and survivors (UK-Switzerland Convention on Social Security "
        "Coordination, Art. 2(1), applied since 1 November 2021). Ask for proof of nationality.",
        "Šī ir Šveices karte: Apvienotajā Karalistē tā sedz aprūpi tikai Šveices, Apvienotās Karalistes un ES "
        "valstu pilsoņiem, bezvalstniekiem un bēgļiem, kā arī viņu ģimenes locekļiem un apgādnieku zaudējušajām "
        "personām (Apvienotās Karalistes un Šveices Konvencija par sociālā nodrošinājuma koordināciju, 2. panta 1. "
        "punkts, piemēro kopš 2021. gada 1. novembra). Lūdziet pierādīt pilsonību.",
        "Dies ist eine Schweizer Karte: Im Vereinigten Königreich deckt sie Behandlungen nur für Staatsangehörige "
        "der Schweiz, des Vereinigten Königreichs und der EU, Staatenlose und Flüchtlinge sowie ihre "
        "Familienangehörigen und Hinterbliebenen (Abkommen zwischen der Schweiz und dem Vereinigten Königreich zur "
        "Koordinierung der Sozialen Sicherheit, Art. 2 Abs. 1, angewendet seit 1. November 2021). Verlangen Sie "
        "einen Nachweis der Staatsangehörigkeit.",
        "Il s'agit d'une carte suisse : au Royaume-Uni, elle ne couvre les soins que des ressortissants de la "
        "Suisse, du Royaume-Uni et de l'UE, des apatrides et des réfugiés, ainsi que des membres de leur famille et "
        "de leurs survivants (convention de coordination de la sécurité sociale entre la Suisse et le Royaume-Uni, "
        "art. 2, par. 1, appliquée depuis le 1er novembre 2021). Demandez une preuve de nationalité.",
        "To karta szwajcarska: w Zjednoczonym Królestwie obejmuje leczenie tylko obywateli Szwajcarii, "
        "Zjednoczonego Królestwa i UE, bezpaństwowców i uchodźców oraz członków ich rodzin i osoby pozostałe przy "
        "życiu (Konwencja o koordynacji zabezpieczenia społecznego między Szwajcarią a Zjednoczonym Królestwem, "
        "art. 2 ust. 1, stosowana od 1 listopada 2021 r.). Poproś o dowód obywatelstwa."),
    "notice.ehic.before_uk_agreement": (
        "The card's state: {country}. For care in the UK before that state's convention with the UK applied "
        "(Switzerland: 1 November 2021; Iceland, Liechtenstein, Norway: 1 January 2024), the card covered only a "
        "person of the citizens' rights agreements (a stay or residence in the UK begun before 2021). Check that, "
        "or bill the care under national rules.",
        "Kartes valsts: {country}. Aprūpi Apvienotajā Karalistē pirms šīs valsts konvencijas ar Apvienoto "
        "Karalisti piemērošanas (Šveicē no 2021. gada 1. novembra; Islandē, Lihtenšteinā, Norvēģijā no 2024. gada "
        "1. janvāra) tā sedza tikai pilsoņu tiesību nolīgumu aptvertām personām (uzturēšanās vai dzīvesvieta "
        "Apvienotajā Karalistē, kas sākusies pirms 2021. gada). Pārbaudiet to vai apmaksājiet aprūpi saskaņā ar "
        "valsts noteikumiem.",
        "Staat der Karte: {country}. Behandlungen im Vereinigten Königreich vor Anwendung des Abkommens "
        "dieses Staates mit dem Vereinigten Königreich (Schweiz: 1. November 2021; Island, Liechtenstein, "
        "Norwegen: 1. Januar 2024) deckte sie nur für Personen der Abkommen über die Rechte der Bürger (ein "
        "Aufenthalt oder Wohnsitz im Vereinigten Königreich, der vor 2021 begann). Prüfen Sie dies, oder rechnen "
        "Sie die Behandlung nach den nationalen Vorschriften ab.",
        "État de la carte : {country}. Pour des soins au Royaume-Uni avant l'application de la convention de cet "
        "État avec le Royaume-Uni (Suisse : 1er novembre 2021 ; Islande, Liechtenstein, Norvège : 1er janvier "
        "2024), elle ne couvrait qu'une personne relevant des accords sur les droits des citoyens (un séjour ou une "
        "résidence au Royaume-Uni commencé avant 2021). Vérifiez-le, ou facturez les soins selon les règles "
        "nationales.",
        "Państwo karty: {country}. Leczenie w Zjednoczonym Królestwie przed zastosowaniem konwencji tego państwa ze "
        "Zjednoczonym Królestwem (Szwajcaria: 1 listopada 2021 r.; Islandia, Liechtenstein, Norwegia: 1 stycznia "
        "2024 r.) karta obejmowała tylko osoby objęte umowami o prawach obywateli (pobyt lub zamieszkanie w "
        "Zjednoczonym Królestwie rozpoczęte przed 2021 r.). Sprawdź to albo rozlicz leczenie według przepisów "
        "krajowych."),
    # The same, where the state is not at hand (the records page has the key alone).
    "reason.ehic.uk_in_ch": (
        "A UK card covers care in Switzerland only for UK, Swiss and EU nationals, stateless persons and refugees, "
        "and their families (UK-Switzerland Convention, Art. 2(1)): ask for proof of nationality.",
        "Apvienotās Karalistes karte Šveicē sedz aprūpi tikai Apvienotās Karalistes, Šveices un ES valstu "
        "pilsoņiem, bezvalstniekiem un bēgļiem un viņu ģimenēm (Apvienotās Karalistes un Šveices Konvencija, 2. "
        "panta 1. punkts): lūdziet pierādīt pilsonību.",
        "Eine Karte des Vereinigten Königreichs deckt Behandlungen in der Schweiz nur für Staatsangehörige des "
        "Vereinigten Königreichs, der Schweiz und der EU, Staatenlose und Flüchtlinge und ihre Familien (Abkommen "
        "Schweiz-Vereinigtes Königreich, Art. 2 Abs. 1): Verlangen Sie einen Nachweis der Staatsangehörigkeit.",
        "Une carte du Royaume-Uni ne couvre les soins en Suisse que des ressortissants du Royaume-Uni, de la Suisse "
        "et de l'UE, des apatrides et des réfugiés, et de leurs familles (convention Suisse-Royaume-Uni, art. 2, "
        "par. 1) : demandez une preuve de nationalité.",
        "Karta Zjednoczonego Królestwa obejmuje leczenie w Szwajcarii tylko obywateli Zjednoczonego Królestwa, "
        "Szwajcarii i UE, bezpaństwowców i uchodźców oraz ich rodziny (konwencja Szwajcaria-Zjednoczone "
        "Królestwo, art. 2 ust. 1): poproś o dowód obywatelstwa."),
    "reason.ehic.uk_before_agreement": (
        "Care before this state's convention with the UK applied was covered by a UK card only for a person of the "
        "citizens' rights agreements (a UK EHIC), not by a GHIC.",
        "Aprūpi pirms šīs valsts konvencijas ar Apvienoto Karalisti piemērošanas Apvienotās Karalistes karte sedza "
        "tikai pilsoņu tiesību nolīgumu aptvertām personām (UK EHIC), nevis GHIC.",
        "Behandlungen vor Anwendung des Abkommens dieses Staates mit dem Vereinigten Königreich deckte eine Karte "
        "des Vereinigten Königreichs nur für Personen der Abkommen über die Rechte der Bürger (UK EHIC), nicht "
        "eine GHIC.",
        "Les soins antérieurs à l'application de la convention de cet État avec le Royaume-Uni n'étaient couverts "
        "par une carte du Royaume-Uni que pour une personne relevant des accords sur les droits des citoyens (UK "
        "EHIC), pas par une GHIC.",
        "Leczenie przed zastosowaniem konwencji tego państwa ze Zjednoczonym Królestwem karta Zjednoczonego "
        "Królestwa obejmowała tylko dla osób objętych umowami o prawach obywateli (UK EHIC), nie GHIC."),
    "reason.ehic.ch_in_uk": (
        "A Swiss card covers care in the UK only for Swiss, UK and EU nationals, stateless persons and refugees, "
        "and their families (UK-Switzerland Convention, Art. 2(1)): ask for proof of nationality.",
        "Šveices karte Apvienotajā Karalistē sedz aprūpi tikai Šveices, Apvienotās Karalistes un ES valstu "
        "pilsoņiem, bezvalstniekiem un bēgļiem un viņu ģimenēm (Apvienotās Karalistes un Šveices Konvencija, 2. "
        "panta 1. punkts): lūdziet pierādīt pilsonību.",
        "Eine Schweizer Karte deckt Behandlungen im Vereinigten Königreich nur für Staatsangehörige der Schweiz, "
        "des Vereinigten Königreichs und der EU, Staatenlose und Flüchtlinge und ihre Familien (Abkommen "
        "Schweiz-Vereinigtes Königreich, Art. 2 Abs. 1): Verlangen Sie einen Nachweis der Staatsangehörigkeit.",
        "Une carte suisse ne couvre les soins au Royaume-Uni que des ressortissants de la Suisse, du Royaume-Uni et "
        "de l'UE, des apatrides et des réfugiés, et de leurs familles (convention Suisse-Royaume-Uni, art. 2, par. "
        "1) : demandez une preuve de nationalité.",
        "Karta szwajcarska obejmuje leczenie w Zjednoczonym Królestwie tylko obywateli Szwajcarii, Zjednoczonego "
        "Królestwa i UE, bezpaństwowców i uchodźców oraz ich rodziny (konwencja Szwajcaria-Zjednoczone "
        "Królestwo, art. 2 ust. 1): poproś o dowód obywatelstwa."),
    "reason.ehic.before_uk_agreement": (
        "Care in the UK before the card's state's convention with the UK applied was covered by the card only for "
        "a person of the citizens' rights agreements (a stay or residence begun before 2021).",
        "Aprūpi Apvienotajā Karalistē pirms kartes valsts konvencijas ar Apvienoto Karalisti piemērošanas karte "
        "sedza tikai pilsoņu tiesību nolīgumu aptvertām personām (uzturēšanās vai dzīvesvieta, kas sākusies pirms "
        "2021. gada).",
        "Behandlungen im Vereinigten Königreich vor Anwendung des Abkommens des Kartenstaates mit dem Vereinigten "
        "Königreich deckte die Karte nur für Personen der Abkommen über die Rechte der Bürger (ein Aufenthalt oder "
        "Wohnsitz, der vor 2021 begann).",
        "Les soins au Royaume-Uni antérieurs à l'application de la convention de l'État de la carte avec le "
        "Royaume-Uni n'étaient couverts par la carte que pour une personne relevant des accords sur les droits des "
        "citoyens (un séjour ou une résidence commencé avant 2021).",
        "Leczenie w Zjednoczonym Królestwie przed zastosowaniem konwencji państwa karty ze Zjednoczonym "
        "Królestwem karta obejmowała tylko dla osób objętych umowami o prawach obywateli (pobyt lub zamieszkanie "
        "rozpoczęte przed 2021 r.)."),
    "notice.ehic.competent_state": (
        "This card is of {country}, the state of this desk: an EHIC does not cover care in its own competent "
        "state (Regulation (EC) No 883/2004, Art. 19; Decision S1). Bill such care under national rules.",
        "Šī karte ir no šīs iestādes valsts ({country}): EVAK nesedz aprūpi savā kompetentajā valstī (Regula (EK) "
        "Nr. 883/2004, 19. pants; Lēmums S1). Šādu aprūpi apmaksā saskaņā ar valsts noteikumiem.",
        "Diese Karte stammt aus dem Staat dieser Stelle ({country}): Eine EKVK deckt keine Behandlung in ihrem "
        "eigenen zuständigen Staat (Verordnung (EG) Nr. 883/2004, Art. 19; Beschluss S1). Rechnen Sie solche "
        "Behandlungen nach den nationalen Vorschriften ab.",
        "Cette carte est de l'État de ce service ({country}) : une CEAM ne couvre pas les soins dans son propre "
        "État compétent (règlement (CE) n° 883/2004, art. 19 ; décision S1). Facturez ces soins selon les règles "
        "nationales.",
        "Ta karta pochodzi z państwa tej placówki ({country}): EKUZ nie obejmuje leczenia we własnym państwie "
        "właściwym (rozporządzenie (WE) nr 883/2004, art. 19; decyzja S1). Rozliczaj takie leczenie według "
        "przepisów krajowych."),
    # The same, where the state is not at hand (the records page has the key alone).
    "reason.ehic.competent_state": (
        "The card is of the state of this desk: an EHIC does not cover care in its own competent state "
        "(Regulation (EC) No 883/2004, Art. 19; Decision S1).",
        "Karte ir no šīs iestādes valsts: EVAK nesedz aprūpi savā kompetentajā valstī (Regula (EK) Nr. 883/2004, "
        "19. pants; Lēmums S1).",
        "Die Karte stammt aus dem Staat dieser Stelle: Eine EKVK deckt keine Behandlung in ihrem eigenen "
        "zuständigen Staat (Verordnung (EG) Nr. 883/2004, Art. 19; Beschluss S1).",
        "La carte est de l'État de ce service : une CEAM ne couvre pas les soins dans son propre État compétent "
        "(règlement (CE) n° 883/2004, art. 19 ; décision S1).",
        "Karta pochodzi z państwa tej placówki: EKUZ nie obejmuje leczenia we własnym państwie właściwym "
        "(rozporządzenie (WE) nr 883/2004, art. 19; decyzja S1)."),
    "reason.holder_link.no_pid": (
        "Valid; no PID was shown with the EHIC: check an identity document to confirm the holder (the name and "
        "date of birth on the card, its personal identification number, or the insured person it names).",
        "Derīgs; kopā ar EVAK netika uzrādīts PID: pārbaudiet personu apliecinošu dokumentu, lai apstiprinātu "
        "turētāju (kartē norādīto vārdu un dzimšanas datumu, kartes personas kodu vai tajā norādīto apdrošināto "
        "personu).",
        "Gültig; mit der EKVK wurde keine PID gezeigt: Prüfen Sie einen Ausweis, um die Person zu bestätigen (Name "
        "und Geburtsdatum auf der Karte, ihre persönliche Kennnummer oder die darin genannte versicherte Person).",
        "Valable ; aucun PID n'a été présenté avec la CEAM : vérifiez une pièce d'identité pour confirmer le "
        "titulaire (le nom et la date de naissance sur la carte, son numéro d'identification personnel, ou "
        "l'assuré qu'elle nomme).",
        "Ważne; razem z EKUZ nie okazano PID: sprawdź dokument tożsamości, aby potwierdzić posiadacza (imię, "
        "nazwisko i datę urodzenia z karty, jej osobisty numer identyfikacyjny lub wskazaną w niej osobę "
        "ubezpieczoną)."),
    "reason.holder_link.no_pid_unnamed": (
        "No PID was shown with the EHIC, and the card shows nothing an identity document shows (no insured "
        "person, no personal number of a state whose identity documents carry it): it cannot be tied to the "
        "person checked. Ask for the PID with the card.",
        "Kopā ar EVAK netika uzrādīts PID, un kartē nav nekā, kas redzams personu apliecinošā dokumentā (nav "
        "apdrošinātās personas, nav tādas valsts personas koda, kuras dokumentos tas ir norādīts): to nevar "
        "sasaistīt ar pārbaudāmo personu. Lūdziet uzrādīt PID kopā ar karti.",
        "Mit der EKVK wurde keine PID gezeigt, und die Karte zeigt nichts, was ein Ausweis zeigt (keine "
        "versicherte Person, keine persönliche Kennnummer eines Staates, dessen Ausweise sie tragen): Sie ist der "
        "geprüften Person nicht zuzuordnen. Bitten Sie um die PID zusammen mit der Karte.",
        "Aucun PID n'a été présenté avec la CEAM, et la carte ne montre rien de ce que montre une pièce "
        "d'identité (ni assuré, ni numéro personnel d'un État dont les pièces d'identité le portent) : elle ne "
        "peut pas être rattachée à la personne contrôlée. Demandez le PID avec la carte.",
        "Razem z EKUZ nie okazano PID, a karta nie pokazuje niczego, co pokazuje dokument tożsamości (ani osoby "
        "ubezpieczonej, ani numeru osobistego państwa, którego dokumenty tożsamości go zawierają): nie można jej "
        "powiązać z kontrolowaną osobą. Poproś o PID razem z kartą."),
    # An A1 shown without a PID (a query of the API's own): credentials/verification.py _a1_without_pid.
    "reason.holder_link.a1_no_pid": (
        "Valid; no PID was shown with the A1: check an identity document to confirm the worker (the name and date "
        "of birth on the A1, or its personal identification number).",
        "Derīgs; kopā ar A1 netika uzrādīts PID: pārbaudiet personu apliecinošu dokumentu, lai apstiprinātu darba "
        "ņēmēju (A1 norādīto vārdu un dzimšanas datumu vai A1 personas kodu).",
        "Gültig; mit der A1-Bescheinigung wurde keine PID gezeigt: Prüfen Sie einen Ausweis, um die Person zu "
        "bestätigen (Name und Geburtsdatum auf der A1-Bescheinigung oder ihre persönliche Kennnummer).",
        "Valable ; aucun PID n'a été présenté avec l'A1 : vérifiez une pièce d'identité pour confirmer le "
        "travailleur (le nom et la date de naissance sur l'A1, ou son numéro d'identification personnel).",
        "Ważne; razem z A1 nie okazano PID: sprawdź dokument tożsamości, aby potwierdzić pracownika (imię, "
        "nazwisko i datę urodzenia z zaświadczenia A1 lub jego osobisty numer identyfikacyjny)."),
    "reason.holder_link.a1_no_pid_unnamed": (
        "No PID was shown with the A1, and the A1 shows nothing an identity document shows (no holder's name and "
        "date of birth, no personal number of a state whose identity documents carry it): it cannot be tied to "
        "the worker checked. Ask for the PID with the A1.",
        "Kopā ar A1 netika uzrādīts PID, un A1 nav nekā, kas redzams personu apliecinošā dokumentā (nav turētāja "
        "vārda un dzimšanas datuma, nav tādas valsts personas koda, kuras dokumentos tas ir norādīts): to nevar "
        "sasaistīt ar pārbaudāmo darba ņēmēju. Lūdziet uzrādīt PID kopā ar A1.",
        "Mit der A1-Bescheinigung wurde keine PID gezeigt, und sie zeigt nichts, was ein Ausweis zeigt (weder "
        "Name und Geburtsdatum der Person noch eine persönliche Kennnummer eines Staates, dessen Ausweise sie "
        "tragen): Sie ist der geprüften Person nicht zuzuordnen. Bitten Sie um die PID zusammen mit der "
        "A1-Bescheinigung.",
        "Aucun PID n'a été présenté avec l'A1, et l'A1 ne montre rien de ce que montre une pièce d'identité (ni "
        "le nom et la date de naissance du titulaire, ni numéro personnel d'un État dont les pièces d'identité le "
        "portent) : il ne peut pas être rattaché au travailleur contrôlé. Demandez le PID avec l'A1.",
        "Razem z A1 nie okazano PID, a zaświadczenie A1 nie pokazuje niczego, co pokazuje dokument tożsamości "
        "(ani imienia, nazwiska i daty urodzenia posiadacza, ani numeru osobistego państwa, którego dokumenty "
        "tożsamości go zawierają): nie można go powiązać z kontrolowanym pracownikiem. Poproś o PID razem z "
        "zaświadczeniem A1."),
    # Printing the verdict (verifier/static/verifier.css @media print; the button: verifier.js).
    # The verdict's Print button: an inspector bills nothing (review R7); the EHIC desk prints for billing.
    "print": ("Print", "Drukāt", "Drucken", "Imprimer", "Drukuj"),
    "print.ehic": ("Print for the billing file", "Drukāt rēķinu lietai", "Für die Abrechnungsakte drucken",
                   "Imprimer pour le dossier de facturation", "Drukuj do dokumentacji rozliczeniowej"),
    "checked_at": ("Checked at", "Pārbaudes laiks", "Geprüft am", "Contrôlé le", "Sprawdzono"),
    "proof_id": ("Verification proof", "Pārbaudes apliecinājums", "Prüfnachweis", "Preuve de vérification",
                 "Dowód weryfikacji"),
    # The printed verdict names who checked: the body (this verifier's registration) and its staff member.
    "checking_body": ("Checking body", "Pārbaudes iestāde", "Prüfende Stelle", "Organisme de contrôle",
                      "Podmiot sprawdzający"),
})
#: The EHIC check for a day of care (credentials.verification._validity_steps ``care_date``; the home page,
#: the waiting and verdict pages), and the waiting page's time limit (WCAG 2.2.1, verifier.js).
_T.update({
    "care_date.label": ("Date of care (EHIC check only, optional)", "Aprūpes datums (tikai EVAK pārbaudei, "
                        "neobligāts)", "Behandlungsdatum (nur EKVK-Prüfung, optional)",
                        "Date des soins (contrôle CEAM uniquement, facultatif)",
                        "Data udzielenia świadczenia (tylko kontrola EKUZ, opcjonalnie)"),
    "offline.error.care_date": ("Give a date of care that is not after today and at most 5 years ago, or leave it "
                                "empty for today.",
                                "Norādiet aprūpes datumu, kas nav vēlāks par šodienu un ne senāks kā pirms 5 gadiem, "
                                "vai atstājiet tukšu šodienai.",
                                "Geben Sie ein Behandlungsdatum an, das nicht nach heute und höchstens 5 Jahre zurück "
                                "liegt, oder lassen Sie es für heute leer.",
                                "Indiquez une date des soins qui n'est pas postérieure à aujourd'hui et remonte à 5 "
                                "ans au plus, ou laissez vide pour aujourd'hui.",
                                "Podaj datę świadczenia nie późniejszą niż dziś i nie wcześniejszą niż 5 lat temu albo "
                                "zostaw puste dla dzisiejszej daty."),
    "care_date.label_short": ("Date of care", "Aprūpes datums", "Behandlungsdatum", "Date des soins",
                              "Data udzielenia świadczenia"),
    "care_date.help": ("Leave it empty to check the card for today. For care given earlier (at most 5 years ago), "
                       "the card or certificate is judged on that day; its signature and withdrawal are checked "
                       "as of now.",
                       "Atstājiet tukšu, lai pārbaudītu karti šodienai. Agrāk sniegtai aprūpei (ne senāk kā pirms "
                       "5 gadiem) karti vai sertifikātu vērtē uz šo dienu; parakstu un atsaukumu pārbauda uz šo "
                       "brīdi.",
                       "Leer lassen, um die Karte für heute zu prüfen. Für eine frühere Behandlung (höchstens 5 Jahre "
                       "zurück) wird die Karte oder Bescheinigung an diesem Tag beurteilt; Signatur und Widerruf "
                       "werden zum jetzigen Zeitpunkt geprüft.",
                       "Laissez vide pour vérifier la carte pour aujourd'hui. Pour des soins antérieurs (5 ans au "
                       "plus), la carte ou le certificat est apprécié à ce jour-là ; sa signature et son retrait "
                       "sont vérifiés à ce jour.",
                       "Pozostaw puste, aby sprawdzić kartę na dziś. Dla świadczeń udzielonych wcześniej (najwyżej "
                       "5 lat temu) karta lub certyfikat są oceniane na ten dzień; podpis i wycofanie sprawdza się "
                       "na chwilę obecną."),
    "care_date.error": ("Give a date of care, with the EHIC check, that is not after today and at most 5 years ago.",
                        "Norādiet aprūpes datumu EVAK pārbaudei, kas nav vēlāks par šodienu un ne senāks kā pirms "
                        "5 gadiem.",
                        "Geben Sie für die EKVK-Prüfung ein Behandlungsdatum an, das nicht nach heute und höchstens "
                        "5 Jahre zurück liegt.",
                        "Indiquez, avec le contrôle CEAM, une date des soins qui n'est pas postérieure à aujourd'hui "
                        "et remonte à 5 ans au plus.",
                        "Podaj dla kontroli EKUZ datę świadczenia nie późniejszą niż dziś i nie wcześniejszą niż 5 "
                        "lat temu."),
    "care_date.valid_on": ("Valid on {date}, the date of care.", "Derīgs {date} – aprūpes datumā.",
                           "Gültig am {date}, dem Behandlungsdatum.", "Valable le {date}, date des soins.",
                           "Ważny w dniu {date}, w dniu udzielenia świadczenia."),
    "care_date.for": ("Checked for the date of care: {date}.", "Pārbaudīts aprūpes datumam: {date}",
                      "Geprüft für das Behandlungsdatum: {date}.", "Contrôlé pour la date des soins : {date}.",
                      "Sprawdzono na dzień udzielenia świadczenia: {date}."),
    "care_date.offer": ("Care given earlier? Check the card or certificate for the date of care.",
                        "Aprūpe sniegta agrāk? Pārbaudiet karti vai sertifikātu aprūpes datumam.",
                        "Behandlung früher? Prüfen Sie die Karte oder Bescheinigung für das Behandlungsdatum.",
                        "Soins antérieurs ? Vérifiez la carte ou le certificat pour la date des soins.",
                        "Świadczenie udzielone wcześniej? Sprawdź kartę lub certyfikat na dzień świadczenia."),
    "reason.coverage_period.care_date": ("The date of care lies within the period covered.",
                                         "Aprūpes datums ir aptvertajā periodā.",
                                         "Das Behandlungsdatum liegt im erfassten Zeitraum.",
                                         "La date des soins se situe dans la période couverte.",
                                         "Data świadczenia mieści się w okresie objętym dokumentem."),
    "reason.document_validity.issued_after_care": (
        "The card was issued after the date of care: ask for a provisional replacement certificate covering it.",
        "Karte izsniegta pēc aprūpes datuma: lūdziet EVAK aizvietojošo sertifikātu, kas to aptver.",
        "Die Karte wurde nach dem Behandlungsdatum ausgestellt: Verlangen Sie eine provisorische "
        "Ersatzbescheinigung, die es abdeckt.",
        "La carte a été délivrée après la date des soins : demandez un certificat provisoire de remplacement qui la "
        "couvre.",
        "Kartę wydano po dniu świadczenia: poproś o certyfikat tymczasowo zastępujący kartę, który go obejmuje."),
    "reason_detail.document_validity.issued_after_care": (
        "The card was issued only on {issued}, after the date of care: ask for a provisional replacement "
        "certificate covering it.",
        "Karte izsniegta tikai {issued}, pēc aprūpes datuma: lūdziet EVAK aizvietojošo sertifikātu, kas to "
        "aptver.",
        "Die Karte wurde erst am {issued} ausgestellt, nach dem Behandlungsdatum: Verlangen Sie eine provisorische "
        "Ersatzbescheinigung, die es abdeckt.",
        "La carte n'a été délivrée que le {issued}, après la date des soins : demandez un certificat provisoire de "
        "remplacement qui la couvre.",
        "Kartę wydano dopiero {issued}, po dniu świadczenia: poproś o certyfikat tymczasowo zastępujący kartę, "
        "który go obejmuje."),
    "reason.document_validity.expired": ("The document has expired.",
                                         "Dokumenta derīguma termiņš ir beidzies.",
                                         "Das Dokument ist abgelaufen.",
                                         "Le document a expiré.",
                                         "Dokument stracił ważność."),
    # A Latvian date ends with its own full stop ("30.11.2026."): the sentence adds none.
    "reason_detail.document_validity.expired": ("The document expired on {expired}.",
                                                "Dokumenta derīguma termiņš beidzās {expired}",
                                                "Das Dokument ist am {expired} abgelaufen.",
                                                "Le document a expiré le {expired}.",
                                                "Dokument stracił ważność {expired}."),
    # The PID shown beside the A1 or card has expired: the identity's validity, not the document's, as for
    # its status (reason.status.withdrawn.pid); "The document expired" read as the A1's (QA inspection round).
    "reason.document_validity.expired.pid": (
        "The identity document (PID) shown with it has expired: confirm who the person is another way (an "
        "identity card or passport).",
        "Kopā uzrādītā personu apliecinošā dokumenta (PID) derīguma termiņš ir beidzies: pārliecinieties par "
        "personas identitāti citādi (ar personas apliecību vai pasi).",
        "Das mit vorgezeigte Identitätsdokument (PID) ist abgelaufen: Prüfen Sie die Identität der Person auf "
        "andere Weise (Personalausweis oder Reisepass).",
        "Le document d'identité (PID) présenté avec lui a expiré : vérifiez l'identité de la personne autrement "
        "(carte d'identité ou passeport).",
        "Dokument tożsamości (PID) okazany razem z nim stracił ważność: potwierdź tożsamość osoby w inny sposób "
        "(dowód osobisty lub paszport)."),
    "reason_detail.document_validity.expired.pid": (
        "The identity document (PID) shown with it expired on {expired}: confirm who the person is another way "
        "(an identity card or passport).",
        "Kopā uzrādītā personu apliecinošā dokumenta (PID) derīguma termiņš beidzās {expired}: pārliecinieties par "
        "personas identitāti citādi (ar personas apliecību vai pasi).",
        "Das mit vorgezeigte Identitätsdokument (PID) ist am {expired} abgelaufen: Prüfen Sie die Identität der "
        "Person auf andere Weise (Personalausweis oder Reisepass).",
        "Le document d'identité (PID) présenté avec lui a expiré le {expired} : vérifiez l'identité de la personne "
        "autrement (carte d'identité ou passeport).",
        "Dokument tożsamości (PID) okazany razem z nim stracił ważność {expired}: potwierdź tożsamość osoby w inny "
        "sposób (dowód osobisty lub paszport)."),
    "reason_detail.coverage_period.ended": ("The period covered by the document ended on {end}.",
                                            "Dokumenta aptvertais periods beidzās {end}",
                                            "Der vom Dokument erfasste Zeitraum endete am {end}.",
                                            "La période couverte par le document a pris fin le {end}.",
                                            "Okres objęty dokumentem zakończył się {end}."),
    "reason_detail.coverage_period.not_started": ("The period covered by the document starts only on {start}.",
                                                  "Dokumenta aptvertais periods sākas tikai {start}",
                                                  "Der vom Dokument erfasste Zeitraum beginnt erst am {start}.",
                                                  "La période couverte par le document ne commence que le {start}.",
                                                  "Okres objęty dokumentem zaczyna się dopiero {start}."),
    # {zone}: the verifier's time zone as an offset ("UTC+2"): an inspectorate's browser may be in another,
    # whose time and offset the page's script writes into the same words (static/local-time.js).
    "waiting.until": ("This code works until {time} ({zone}; {minutes} minutes).",
                      "Šis kods darbojas līdz {time} ({zone}; {minutes} min).",
                      "Dieser Code gilt bis {time} Uhr ({zone}; {minutes} Minuten).",
                      "Ce code fonctionne jusqu'à {time} ({zone} ; {minutes} minutes).",
                      "Ten kod działa do {time} ({zone}; {minutes} min)."),
    # The verifier's privacy notice (/privacy, GDPR Art. 13), which the verifiers list links and wallets
    # show on their consent screen; {body}: the inspectorate, as the list registers it.
    "privacy.title": ("How {body} handles your data", "Kā {body} apstrādā jūsu datus",
                      "Wie {body} mit Ihren Daten umgeht", "Comment {body} traite vos données",
                      "Jak {body} przetwarza Twoje dane"),
    "privacy.intro": (
        "{body} uses this service to check documents shown from a digital wallet: a worker's Portable Document A1, "
        "a European Health Insurance Card, and the identity of the person showing them.",
        "{body} izmanto šo pakalpojumu, lai pārbaudītu no digitālā maka uzrādītus dokumentus: darba ņēmēja "
        "portatīvo dokumentu A1, Eiropas veselības apdrošināšanas karti un tās personas identitāti, kas tos uzrāda.",
        "{body} prüft mit diesem Dienst Dokumente, die aus einer digitalen Wallet vorgezeigt werden: das Portable "
        "Dokument A1 von Beschäftigten, die Europäische Krankenversicherungskarte und die Identität der Person, die "
        "sie vorzeigt.",
        "{body} utilise ce service pour vérifier les documents présentés depuis un portefeuille numérique : le "
        "document portable A1 d'un travailleur, la carte européenne d'assurance maladie et l'identité de la personne "
        "qui les présente.",
        "{body} korzysta z tej usługi, aby sprawdzać dokumenty okazywane z portfela cyfrowego: dokument przenośny A1 "
        "pracownika, Europejską Kartę Ubezpieczenia Zdrowotnego oraz tożsamość osoby, która je okazuje."),
    "privacy.why_h": ("Why", "Kāpēc", "Warum", "Pourquoi", "Dlaczego"),
    "privacy.what_h": ("Which data", "Kādi dati", "Welche Daten", "Quelles données", "Jakie dane"),
    "privacy.what": (
        "Only the data your wallet lists on its consent screen, and only if you agree there. You may refuse; your "
        "wallet then sends nothing.",
        "Tikai tos datus, ko jūsu maks uzskaita savā piekrišanas ekrānā, un tikai tad, ja jūs tur piekrītat. Jūs "
        "varat atteikties; tad jūsu maks neko nenosūta.",
        "Nur die Daten, die Ihre Wallet auf ihrem Zustimmungsbildschirm aufführt, und nur wenn Sie dort zustimmen. "
        "Sie können ablehnen; dann sendet Ihre Wallet nichts.",
        "Uniquement les données que votre portefeuille énumère sur son écran de consentement, et seulement si vous "
        "y donnez votre accord. Vous pouvez refuser ; votre portefeuille n'envoie alors rien.",
        "Tylko dane, które Twój portfel wymienia na ekranie zgody, i tylko wtedy, gdy się tam zgodzisz. Możesz "
        "odmówić; wtedy portfel nic nie wysyła."),
    "privacy.how_long_h": ("How long", "Cik ilgi", "Wie lange", "Combien de temps", "Jak długo"),
    "privacy.person": ("The data you share are erased once the inspector has seen the result.",
                       "Jūsu kopīgotie dati tiek dzēsti, tiklīdz inspektors ir redzējis rezultātu.",
                       "Die geteilten Daten werden gelöscht, sobald die Kontrolle das Ergebnis gesehen hat.",
                       "Les données partagées sont effacées dès que l'inspecteur a vu le résultat.",
                       "Udostępnione dane są usuwane, gdy inspektor zobaczy wynik."),
    "privacy.person_for": (
        "The data you share are kept for {minutes} minutes after the inspector has seen the result, then erased.",
        "Jūsu kopīgotie dati tiek glabāti {minutes} minūtes pēc tam, kad inspektors ir redzējis rezultātu, un pēc "
        "tam dzēsti.",
        "Die geteilten Daten werden noch {minutes} Minuten, nachdem die Kontrolle das Ergebnis gesehen hat, "
        "aufbewahrt und dann gelöscht.",
        "Les données partagées sont conservées {minutes} minutes après que l'inspecteur a vu le résultat, puis "
        "effacées.",
        "Udostępnione dane są przechowywane przez {minutes} min po tym, jak inspektor zobaczy wynik, a następnie "
        "usuwane."),
    "privacy.records": (
        "A record of each check (its result, when and by whom it was made, and a coded reference to the document, "
        "without your name) is kept for {days} days.",
        "Katras pārbaudes ieraksts (tās rezultāts, kad un kas to veica, un šifrēta atsauce uz dokumentu, bez jūsu "
        "vārda) tiek glabāts {days} dienas.",
        "Ein Eintrag zu jeder Kontrolle (ihr Ergebnis, wann und von wem sie vorgenommen wurde, und ein "
        "verschlüsselter Verweis auf das Dokument, ohne Ihren Namen) wird {days} Tage aufbewahrt.",
        "Une trace de chaque contrôle (son résultat, quand et par qui il a été fait, et une référence codée au "
        "document, sans votre nom) est conservée pendant {days} jours.",
        "Zapis każdej kontroli (jej wynik, kiedy i kto ją przeprowadził oraz zakodowane odniesienie do dokumentu, "
        "bez Twojego nazwiska) jest przechowywany przez {days} dni."),
    "privacy.records_forever": (
        "A record of each check (its result, when and by whom it was made, and a coded reference to the document, "
        "without your name) is kept with no end date.",
        "Katras pārbaudes ieraksts (tās rezultāts, kad un kas to veica, un šifrēta atsauce uz dokumentu, bez jūsu "
        "vārda) tiek glabāts bez beigu termiņa.",
        "Ein Eintrag zu jeder Kontrolle (ihr Ergebnis, wann und von wem sie vorgenommen wurde, und ein "
        "verschlüsselter Verweis auf das Dokument, ohne Ihren Namen) wird ohne Enddatum aufbewahrt.",
        "Une trace de chaque contrôle (son résultat, quand et par qui il a été fait, et une référence codée au "
        "document, sans votre nom) est conservée sans date de fin.",
        "Zapis każdej kontroli (jej wynik, kiedy i kto ją przeprowadził oraz zakodowane odniesienie do dokumentu, "
        "bez Twojego nazwiska) jest przechowywany bez terminu końcowego."),
    "privacy.rights_h": ("Your rights", "Jūsu tiesības", "Ihre Rechte", "Vos droits", "Twoje prawa"),
    "privacy.rights": (
        "You may learn which data about you {body} holds, and have them corrected or erased, as the General Data "
        "Protection Regulation provides (Articles 15 to 17). You may also complain to a data protection authority.",
        "Jūs varat uzzināt, kādus datus par jums glabā {body}, un pieprasīt tos labot vai dzēst, kā to paredz "
        "Vispārīgā datu aizsardzības regula (15.–17. pants). Jūs varat arī iesniegt sūdzību datu aizsardzības "
        "uzraudzības iestādē.",
        "Sie können erfahren, welche Daten {body} über Sie gespeichert hat, und sie berichtigen oder löschen lassen, "
        "wie es die Datenschutz-Grundverordnung vorsieht (Artikel 15 bis 17). Sie können sich auch bei einer "
        "Datenschutzaufsichtsbehörde beschweren.",
        "Vous pouvez savoir quelles données vous concernant {body} conserve, et les faire rectifier ou effacer, "
        "comme le prévoit le règlement général sur la protection des données (articles 15 à 17). Vous pouvez aussi "
        "introduire une réclamation auprès d'une autorité de protection des données.",
        "Możesz dowiedzieć się, jakie dane o Tobie przechowuje {body}, oraz żądać ich sprostowania lub usunięcia, "
        "zgodnie z ogólnym rozporządzeniem o ochronie danych (art. 15–17). Możesz też złożyć skargę do organu "
        "ochrony danych."),
    # Before the end the same code gets more time (a worker may be reading it); after, a new code.
    "waiting.more_time": ("More time", "Vairāk laika", "Mehr Zeit", "Plus de temps", "Więcej czasu"),
    "waiting.ending": ("Less than a minute left for this code: press “More time” to extend it.",
                       "Šim kodam atlikusi mazāk nekā minūte: nospiediet “Vairāk laika”, lai to pagarinātu.",
                       "Dieser Code gilt weniger als eine Minute: Drücken Sie „Mehr Zeit“, um ihn zu verlängern.",
                       "Il reste moins d'une minute pour ce code : appuyez sur « Plus de temps » pour le prolonger.",
                       "Ten kod wygaśnie za mniej niż minutę: naciśnij „Więcej czasu”, aby go przedłużyć."),
    "waiting.expired_renew": ("This code has expired: the wallet can no longer answer it. Press “More time” for a new "
                              "code for the same check.",
                              "Šī koda derīgums ir beidzies: maks uz to vairs nevar atbildēt. Nospiediet “Vairāk "
                              "laika”, lai saņemtu jaunu kodu tai pašai pārbaudei.",
                              "Dieser Code ist abgelaufen: Die Wallet kann ihn nicht mehr beantworten. Drücken Sie "
                              "„Mehr Zeit“ für einen neuen Code derselben Prüfung.",
                              "Ce code a expiré : le portefeuille ne peut plus y répondre. Appuyez sur « Plus de "
                              "temps » pour un nouveau code du même contrôle.",
                              "Ten kod wygasł: portfel nie może już na niego odpowiedzieć. Naciśnij „Więcej czasu”, "
                              "aby dostać nowy kod tej samej kontroli."),
    # The EHIC check's own words on the waiting page: a patient (a card holder), not a worker.
    "scan.ehic": ("Ask the patient to scan this code with their wallet.",
                  "Lūdziet pacientam noskenēt šo kodu ar savu maku.",
                  "Bitten Sie die Patientin oder den Patienten, diesen Code mit der Wallet zu scannen.",
                  "Demandez au patient de scanner ce code avec son portefeuille.",
                  "Poproś pacjenta o zeskanowanie tego kodu swoim portfelem."),
    "qr_label.ehic": ("QR code of the request, for the patient's wallet", "Pieprasījuma QR kods pacienta makam",
                      "QR-Code der Anfrage für die Wallet der Patientin oder des Patienten",
                      "Code QR de la demande, pour le portefeuille du patient",
                      "Kod QR żądania dla portfela pacjenta"),
    "same_device.for.ehic": (
        "For a patient whose wallet is on this device, such as a shared tablet or kiosk: hand it to the patient, "
        "who presses “Open my wallet” and shares the card. The result then appears here, in this browser. A "
        "patient with their own phone scans the QR code of a new check instead.",
        "Pacientam, kura maks ir šajā ierīcē, piemēram, koplietošanas planšetē vai kioskā: nododiet ierīci "
        "pacientam, kurš nospiež “Atvērt manu maku” un kopīgo karti. Rezultāts pēc tam parādās šeit, šajā pārlūkā. "
        "Pacients ar savu tālruni tā vietā noskenē jaunas pārbaudes QR kodu.",
        "Für Patientinnen und Patienten, deren Wallet auf diesem Gerät ist, etwa einem gemeinsam genutzten Tablet "
        "oder Kiosk: Geben Sie ihnen das Gerät; sie drücken „Meine Wallet öffnen“ und teilen die Karte. Das "
        "Ergebnis erscheint dann hier, in diesem Browser. Wer ein eigenes Telefon hat, scannt stattdessen den "
        "QR-Code einer neuen Prüfung.",
        "Pour un patient dont le portefeuille est sur cet appareil, par exemple une tablette ou une borne "
        "partagée : remettez-lui l'appareil ; il appuie sur « Ouvrir mon portefeuille » et partage la carte. Le "
        "résultat s'affiche ensuite ici, dans ce navigateur. Un patient muni de son propre téléphone scanne "
        "plutôt le code QR d'un nouveau contrôle.",
        "Dla pacjenta, którego portfel jest na tym urządzeniu, np. na wspólnym tablecie lub w kiosku: przekaż mu "
        "urządzenie; naciska on „Otwórz mój portfel” i udostępnia kartę. Wynik pojawi się potem tutaj, w tej "
        "przeglądarce. Pacjent z własnym telefonem skanuje zamiast tego kod QR nowej kontroli."),
})
i18n.register({f"verifier.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _T.items()})
#: A PRC's own number and its (c) date of delivery, labelled as the certificate's beside the card's fields 8
#: and 9 it repeats (credentials/ehic.py prc_label; Decision S2, Annex 2).
i18n.register({f"verifier.prc_label.{claim}": {lang: ehic.prc_label(claim, lang) for lang in i18n.LANGUAGES}
               for claim in ("document_number", "date_of_issuance")})


def translator(lang: str) -> Callable[..., str]:
    return i18n.translator("verifier", lang)


def describe_document(doc: Mapping[str, Any], lang: str) -> str:
    """One sentence for the verdict screen: which legislation applies from when until when, or the EHIC's validity."""
    from credentials import pda1

    is_a1 = doc.get("vct") in (pda1.VCT, *pda1.ALIASES)
    # An A1 names the state whose legislation applies, never the issuing state in its place.
    country = doc.get("legislation_country") if is_a1 else doc.get("issuing_country")
    cname = country_name(country, lang) if isinstance(country, str) and country else "?"
    if is_a1:
        until = _date_words(doc.get("ending_date"), lang)
        if doc.get("starting_date") is not None:  # from when too: an A1 whose period has not started yet
            return i18n.t("verifier.pda1.sentence_period", lang, country=cname, end=until,
                          start=_date_words(doc.get("starting_date"), lang))
        return i18n.t("verifier.pda1.sentence", lang, country=cname, end=until)
    if doc.get("starting_date") is not None or doc.get("ending_date") is not None:
        # A Provisional Replacement Certificate (Decision S2): its own period, from when too (one not
        # started yet is not valid, and the desk sees from when it covers).
        return i18n.t("verifier.ehic.prc_sentence", lang, country=cname,
                      start=_date_words(doc.get("starting_date"), lang), end=_date_words(doc.get("ending_date"), lang))
    return i18n.t("verifier.ehic.sentence", lang, country=cname, end=_date_words(doc.get("date_of_expiry"), lang))


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


#: Each unit of :func:`credentials.verification.duration_parts` by plural form (:func:`_plural`).
_UNITS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"day": ("day", "days"), "hour": ("hour", "hours"), "minute": ("minute", "minutes")},
    "lv": {"day": ("diena", "dienas"), "hour": ("stunda", "stundas"), "minute": ("minūte", "minūtes")},
    "de": {"day": ("Tag", "Tage"), "hour": ("Stunde", "Stunden"), "minute": ("Minute", "Minuten")},
    "fr": {"day": ("jour", "jours"), "hour": ("heure", "heures"), "minute": ("minute", "minutes")},
    "pl": {"day": ("dzień", "dni", "dni"), "hour": ("godzina", "godziny", "godzin"),
           "minute": ("minuta", "minuty", "minut")},
}
_AND = {"en": "and", "lv": "un", "de": "und", "fr": "et", "pl": "i"}


def _plural(count: int, lang: str) -> int:
    """The plural form of ``count`` in ``lang`` (CLDR plural rules, as a noun after a number takes them):
    Latvian singular after 1, 21, 31... but not 11; Polish 1 / 2-4, 22-24... but not 12-14 / the rest;
    French singular for 0 and 1; English and German for 1 only."""
    if lang == "lv":
        return 0 if count % 10 == 1 and count % 100 != 11 else 1
    if lang == "pl":
        return 0 if count == 1 else 1 if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14) else 2
    if lang == "fr":
        return 0 if count in (0, 1) else 1
    return 0 if count == 1 else 1


def duration_words(seconds: float, lang: str) -> str:
    """A duration as people read it, in ``lang`` ("8 days and 3 hours", "25 godzin", "21 diena"): the
    units :func:`credentials.verification.duration_parts` chooses, each in its plural form."""
    units = _UNITS.get(lang, _UNITS["en"])
    words = [f"{count} {units[unit][_plural(count, lang if lang in _UNITS else 'en')]}"
             for count, unit in duration_parts(seconds)]
    return f" {_AND.get(lang, 'and')} ".join(words)


#: A minute, abbreviated as each language writes it after a number.
_MIN = {"en": "min", "lv": "min", "de": "Min.", "fr": "min", "pl": "min"}


def age_words(seconds: Any, lang: str) -> str:
    """A list's age on the verdict screen: in minutes below two hours ("12 min", at a glance), then in
    hours and days as people read them (:func:`duration_words`: "30 hours", "8 days and 3 hours"),
    never "1800 min"; "?" for a value that is no number of seconds."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
        return "?"
    if seconds < 2 * 3600:
        return f"{max(0, int(seconds)) // 60} {_MIN.get(lang, 'min')}"
    return duration_words(seconds, lang)


def _detail(key: str, params: Any, lang: str, *, institution: str | None = None,
            zone: tzinfo | None = None) -> str | None:
    """The words of reason ``key`` with its numbers (``reason_detail.<key>``; a parameter ``<name>_seconds``
    written as ``{<name>}`` by :func:`duration_words`, one ``<name>_at``, Unix seconds, as ``{<name>}``, its
    date in ``zone``, UTC by default), and ``{institution}`` the name of the credential's institution, or
    None: no such words, or numbers or the institution missing, or numbers not numbers (a page never
    shows a placeholder, nor anything but our numbers and the trust list's names)."""
    if not isinstance(params, Mapping) or not params or f"verifier.reason_detail.{key}" not in i18n.catalogue_keys():
        return None
    values: dict[str, object] = {}
    for name, value in params.items():
        if not isinstance(name, str) or isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value):
            return None
        if name.endswith("_seconds"):
            values[name.removesuffix("_seconds")] = duration_words(value, lang)
        elif name.endswith("_at"):
            try:
                values[name.removesuffix("_at")] = i18n.format_date(datetime.fromtimestamp(value, zone or UTC).date(),
                                                                    lang)
            except (OverflowError, OSError, ValueError):
                return None
        else:
            values[name] = value
    if institution:
        values["institution"] = institution
    try:
        return i18n.t(f"verifier.reason_detail.{key}", lang, **values)
    except (KeyError, IndexError, ValueError):
        return None


def _zone_of(checked_at: Any) -> tzinfo | None:
    """The zone (its offset) of a verdict's ``checked_at``, the verifier's: where a date it says is a date."""
    try:
        return datetime.fromisoformat(str(checked_at)).tzinfo if checked_at else None
    except ValueError:
        return None


def _per_document(verdict: Mapping[str, Any], key: str) -> str:
    """``key`` with the kind of the credential whose check gave it (``status.replaced.pda1``) where the
    pages word it per document (an A1 is asked of the worker, a card of the holder), else ``key``."""
    from credentials import ehic, pda1, pid

    credentials = verdict.get("credentials")
    for credential in credentials if isinstance(credentials, list) else []:
        steps = credential.get("steps") if isinstance(credential, dict) else None
        if isinstance(steps, list) and any(isinstance(s, Mapping) and s.get("key") == key for s in steps):
            vct = credential.get("vct")
            kind = ("pda1" if vct in (pda1.VCT, *pda1.ALIASES) else "ehic" if vct in (ehic.VCT, *ehic.ALIASES)
                    else "pid" if vct in (pid.VCT, *pid.ALIASES) else "")
            own = f"{key}.{kind}"
            return own if f"verifier.reason.{own}" in i18n.catalogue_keys() else key
    return key


def _institution_of(verdict: Mapping[str, Any], key: str,
                    issuer_of: Callable[[dict[str, Any]], str] | None) -> str | None:
    """The institution of the credential whose check gave reason ``key``: as ``issuer_of`` names it (the
    page's language), else by the English name the verdict holds; None when no credential has it."""
    credentials = verdict.get("credentials")
    for credential in credentials if isinstance(credentials, list) else []:
        steps = credential.get("steps") if isinstance(credential, dict) else None
        if isinstance(steps, list) and any(isinstance(s, Mapping) and s.get("key") == key for s in steps):
            name = issuer_of(credential) if issuer_of is not None else credential.get("issuer_name")
            return name if isinstance(name, str) and name else None
    return None


#: An A1's places of work (section 5) on the verdict screen, and the notice that they lie only in other
#: states than the inspectorate's (credentials.verification.WORK_ELSEWHERE).
_PLACES: dict[str, tuple[str, str, str, str, str]] = {
    "places_of_work": ("Places of work", "Darba vietas", "Arbeitsorte", "Lieux de travail", "Miejsca pracy"),
    "no_fixed_place": ("No fixed place of work: {country}", "Nav pastāvīgas darba vietas: {country}",
                       "Kein fester Arbeitsort: {country}", "Pas de lieu de travail fixe : {country}",
                       "Brak stałego miejsca pracy: {country}"),
    # The answer showed none (places_missing): the worker left them out, or the A1 names none (the two
    # look alike, except for a situation whose A1 always names them); and what to ask for.
    "places_not_shown": ("not shown: the worker left them out, or this A1 names none. Ask the worker to show the "
                         "places of work (section 5) in the wallet, or the paper A1.",
                         "nav parādītas: darba ņēmējs tās neuzrādīja, vai šajā A1 tās nav norādītas. Lūdziet darba "
                         "ņēmējam parādīt darba vietas (5. iedaļa) makā vai papīra A1.",
                         "nicht gezeigt: Die Person hat sie weggelassen, oder diese A1 nennt keine. Bitten Sie die "
                         "Person, die Arbeitsorte (Abschnitt 5) in der Wallet zu zeigen, oder um die A1 auf Papier.",
                         "non présentés : le travailleur les a omis, ou cet A1 n'en mentionne aucun. Demandez au "
                         "travailleur de montrer les lieux de travail (section 5) dans le portefeuille, ou l'A1 "
                         "papier.",
                         "nie pokazano: pracownik je pominął albo to zaświadczenie A1 ich nie wskazuje. Poproś "
                         "pracownika o pokazanie miejsc pracy (sekcja 5) w portfelu albo o papierowe A1."),
    # A posting or work in two or more states (01 to 04): its A1 names them (pda1._check_situation).
    "places_left_out": ("not shown: the worker left them out (an A1 for this situation names them). Ask the worker "
                        "to show the places of work (section 5) in the wallet, or the paper A1.",
                        "nav parādītas: darba ņēmējs tās neuzrādīja (šādas situācijas A1 tās norāda). Lūdziet darba "
                        "ņēmējam parādīt darba vietas (5. iedaļa) makā vai papīra A1.",
                        "nicht gezeigt: Die Person hat sie weggelassen (eine A1 für diese Situation nennt sie). "
                        "Bitten Sie die Person, die Arbeitsorte (Abschnitt 5) in der Wallet zu zeigen, oder um die "
                        "A1 auf Papier.",
                        "non présentés : le travailleur les a omis (un A1 pour cette situation les mentionne). "
                        "Demandez au travailleur de montrer les lieux de travail (section 5) dans le portefeuille, "
                        "ou l'A1 papier.",
                        "nie pokazano: pracownik je pominął (A1 w tej sytuacji je wskazuje). Poproś pracownika o "
                        "pokazanie miejsc pracy (sekcja 5) w portfelu albo o papierowe A1."),
    # An offline code made before it carried them (credentials/compact.py field 20) has none.
    "places_not_in_code": ("not in the offline QR code: see section 5 of the A1 (in the worker's wallet, or on "
                           "paper).",
                           "bezsaistes QR kodā nav: skatiet A1 5. iedaļu (darba ņēmēja makā vai uz papīra).",
                           "nicht im Offline-QR-Code: Siehe Abschnitt 5 der A1 (in der Wallet der Person oder auf "
                           "Papier).",
                           "absents du code QR hors ligne : voir la section 5 de l'A1 (dans le portefeuille du "
                           "travailleur, ou sur papier).",
                           "brak w kodzie QR offline: zobacz sekcję 5 zaświadczenia A1 (w portfelu pracownika lub "
                           "na papierze)."),
    # The offline code carries at most a few places (credentials/compact.py field 20): how many it left out.
    "places_more": ("and {count} more: see section 5 of the A1", "un vēl {count}: skatiet A1 5. iedaļu",
                    "und {count} weitere: siehe Abschnitt 5 der A1", "et {count} autres : voir la section 5 de l'A1",
                    "i {count} więcej: zobacz sekcję 5 zaświadczenia A1"),
    # Section 5's flag_base_home, named by the status (section 3): a mariner's flag state (883/2004 Art.
    # 11(4)), a crew member's home base (Art. 11(5); Annex III to Reg. 3922/91, LV "mājas bāze"), or
    # either, as the paper A1 says it, when the status is not shown.
    "flag_state": ("flag state: {value}", "karoga valsts: {value}", "Flaggenstaat: {value}",
                   "État du pavillon : {value}", "państwo bandery: {value}"),
    "home_base": ("home base: {value}", "mājas bāze: {value}", "Heimatbasis: {value}",
                  "base d'affectation : {value}", "baza macierzysta: {value}"),
    "flag_or_base": ("flag state or home base: {value}", "karoga valsts vai mājas bāze: {value}",
                     "Flaggenstaat oder Heimatbasis: {value}", "État du pavillon ou base d'affectation : {value}",
                     "państwo bandery lub baza macierzysta: {value}"),
    "notice.pda1.work_elsewhere": (
        "This A1 names places of work only in: {places}. The work checked here is in this inspectorate's "
        "state: {country}. Check whether the A1 covers it.",
        "Šajā A1 darba vietas norādītas tikai šādās valstīs: {places}. Šeit pārbaudītais darbs notiek šīs "
        "inspekcijas valstī: {country}. Pārbaudiet, vai A1 to aptver.",
        "Diese A1 nennt Arbeitsorte nur in: {places}. Die hier geprüfte Arbeit findet im Staat dieser Behörde "
        "statt: {country}. Prüfen Sie, ob die A1 sie abdeckt.",
        "Cet A1 ne mentionne des lieux de travail que dans : {places}. Le travail contrôlé ici a lieu dans l'État "
        "de cette inspection : {country}. Vérifiez si l'A1 le couvre.",
        "To zaświadczenie A1 wskazuje miejsca pracy tylko w: {places}. Praca kontrolowana tutaj odbywa się w "
        "państwie tej inspekcji: {country}. Sprawdź, czy A1 ją obejmuje."),
    # The same, where the states are not at hand (the records page has the key alone).
    "reason.pda1.work_elsewhere": (
        "The A1 names places of work only in other states than this inspectorate's: check whether it covers "
        "the work checked.",
        "A1 norāda darba vietas tikai citās valstīs, ne šīs inspekcijas valstī: pārbaudiet, vai tas aptver "
        "pārbaudīto darbu.",
        "Die A1 nennt Arbeitsorte nur in anderen Staaten als dem dieser Behörde: Prüfen Sie, ob sie die "
        "geprüfte Arbeit abdeckt.",
        "L'A1 ne mentionne des lieux de travail que dans d'autres États que celui de cette inspection : "
        "vérifiez s'il couvre le travail contrôlé.",
        "Zaświadczenie A1 wskazuje miejsca pracy tylko w innych państwach niż państwo tej inspekcji: sprawdź, "
        "czy obejmuje kontrolowaną pracę."),
}
i18n.register({f"verifier.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _PLACES.items()})

#: Boxes 2.4 and 2.5 of an A1 (credentials/pda1.py, the ESSPASS extension): the notice that its
#: determination is provisional (verifier.service._provisional; 987/2009 Art. 16(2)-(3)), and a ticked
#: box's value on the verdict page.
_BOXES: dict[str, tuple[str, str, str, str, str]] = {
    "notice.pda1.provisional": (
        "The determination of the applicable legislation is provisional (Art. 16(2) of Regulation (EC) No "
        "987/2009): it may still change. It becomes definitive two months after the institutions of the other "
        "states concerned are informed, unless one of them contests it (Art. 16(3)). The A1 is valid meanwhile.",
        "Piemērojamie tiesību akti noteikti provizoriski (Regulas (EK) Nr. 987/2009 16. panta 2. punkts): lēmums "
        "vēl var mainīties. Tas kļūst galīgs divus mēnešus pēc tam, kad par to informētas pārējo attiecīgo valstu "
        "iestādes, ja vien kāda no tām to neapstrīd (16. panta 3. punkts). Līdz tam A1 ir derīgs.",
        "Die anzuwendenden Rechtsvorschriften wurden vorläufig festgelegt (Art. 16 Abs. 2 der Verordnung (EG) "
        "Nr. 987/2009): Die Festlegung kann sich noch ändern. Sie wird zwei Monate nach Unterrichtung der Träger "
        "der anderen betroffenen Staaten endgültig, wenn keiner von ihnen widerspricht (Art. 16 Abs. 3). Bis dahin "
        "ist die A1 gültig.",
        "La législation applicable a été déterminée à titre provisoire (art. 16, par. 2, du règlement (CE) "
        "n° 987/2009) : la détermination peut encore changer. Elle devient définitive deux mois après l'information "
        "des institutions des autres États concernés, sauf contestation de l'une d'elles (art. 16, par. 3). L'A1 "
        "est valable entre-temps.",
        "Właściwe ustawodawstwo ustalono tymczasowo (art. 16 ust. 2 rozporządzenia (WE) nr 987/2009): ustalenie "
        "może jeszcze ulec zmianie. Staje się ostateczne dwa miesiące po poinformowaniu instytucji pozostałych "
        "zainteresowanych państw, chyba że któraś z nich je zakwestionuje (art. 16 ust. 3). Do tego czasu "
        "zaświadczenie A1 jest ważne."),
    "box_ticked": ("Yes", "Jā", "Ja", "Oui", "Tak"),
}
i18n.register({f"verifier.{k}": dict(zip(i18n.LANGUAGES, v, strict=True)) for k, v in _BOXES.items()})


def _country_words(code: Any, lang: str) -> str:
    """A state's code as its name in ``lang``; "?" for a value that is no coordination state's code."""
    return country_name(code, lang) if isinstance(code, str) and countries.is_supported(code.upper()) else "?"


def places_of_work(doc: Mapping[str, Any], lang: str) -> list[str] | None:
    """An A1's places of work (section 5; v1 ``work_address``, v1.1 ``work_information``, the EUDI
    model's read as v1.1) as the verdict screen writes them, one line each: the address ("Baustelle
    Prater, 1020 Wien, Austria"), or "No fixed place of work: Germany"; [] when the answer shows none
    (the worker left them out, or the A1 names none: the two cannot be told apart); None for a
    document that is no A1; "and k more" last where an offline code left places out (its ``more``,
    credentials/compact.py field 20). Only text is written: a foreign A1 may hold anything there."""
    from credentials import pda1

    if doc.get("vct") not in (pda1.VCT, *pda1.ALIASES):
        return None
    address, info = doc.get("work_address"), doc.get("work_information")
    places: list[Any] = [address] if isinstance(address, Mapping) else []
    states: Any = None
    if isinstance(info, Mapping):
        listed = info.get("work_address")
        places += listed if isinstance(listed, list) else []
        states = info.get("no_fixed_place_of_work")  # a state's code; the EUDI model's, a list of them
    status = doc.get("status_confirmation")
    lines = [_address_line(place, lang, status) for place in places if isinstance(place, Mapping)]
    for state in states if isinstance(states, list) else [] if states in (None, "") else [states]:
        lines.append(i18n.t("verifier.no_fixed_place", lang, country=_country_words(state, lang)))
    more = info.get("more") if isinstance(info, Mapping) else None
    if type(more) is int and more > 0:  # places the offline code left out (credentials/compact.py field 20)
        lines.append(i18n.t("verifier.places_more", lang, count=more))
    return lines


#: Section 3 statuses whose A1 names a place of work or the state of no fixed place (a posting, 01 and 03,
#: Art. 12 of 883/2004; work in two or more states, 02 and 04, Art. 13: credentials.pda1._check_situation).
_NAMES_PLACES = frozenset({"01", "02", "03", "04"})


def places_missing(doc: Mapping[str, Any], lang: str, *, offline: bool = False) -> str:
    """What the verdict screen says for an A1 that shows no place of work (:func:`places_of_work` []),
    with what the inspector asks for (Directive 2014/67/EU Art. 9: does the A1 cover the work here?):
    an offline code made before field 20 carries none (``offline``); for a situation whose A1 always names them
    (:data:`_NAMES_PLACES`) the worker left them out; else either could be so."""
    if offline:
        return i18n.t("verifier.places_not_in_code", lang)
    status = doc.get("status_confirmation")  # another institution's A1 may hold anything there
    left_out = isinstance(status, str) and status in _NAMES_PLACES
    return i18n.t("verifier.places_left_out" if left_out else "verifier.places_not_shown", lang)


def _address_line(place: Mapping[str, Any], lang: str, status: Any = None) -> str:
    """One place of work in a line: the company or ship with its number (a ship's IMO number, which
    identifies it), the street and number, the postal code and town, the region (or the address as
    ``formatted``), the state, and the flag state or home base, labelled by ``status`` (section 3:
    07 mariner, 10 crew; either, as the paper A1 says it, for another or none shown): "MS Elbe
    (IMO9876543), Hamburg, Germany, flag state: Germany"."""

    def text(name: str) -> str:
        value = place.get(name)
        return " ".join(value.split()) if isinstance(value, str) else ""

    formatted = text("formatted")
    company, number = text("company_name"), text("company_id")
    parts = [f"{company} ({number})" if company and number else company or number,
             *([formatted] if formatted else [" ".join(p for p in (text("street_address"), text("house_number")) if p),
                                              " ".join(p for p in (text("postal_code"), text("locality")) if p),
                                              text("region")]),
             _country_words(place.get("country"), lang) if place.get("country") is not None else "",
             _flag_base(text("flag_base_home"), lang, status)]
    return ", ".join(p for p in parts if p) or "?"


def _flag_base(value: str, lang: str, status: Any) -> str:
    """Section 5's flag state or home base, labelled; a state's code written as its name (a flag
    state; a home base is an airport, never two letters), another value as it stands; "" for none
    (a yes/no marker of an early A1 says neither which nor where)."""
    if not value:
        return ""
    label = {"07": "flag_state", "10": "home_base"}.get(status if isinstance(status, str) else "", "flag_or_base")
    named = label != "home_base" and countries.is_supported(value.upper())
    return i18n.t(f"verifier.{label}", lang, value=country_name(value.upper(), lang) if named else value)


def notice_text(notice: Mapping[str, Any], lang: str) -> str:
    """A verdict's notice (:class:`credentials.verification.Notice` as JSON) in the page's language, a
    state's code written as its name ("?" for one that is none); its English message when it has no
    translation."""
    key = notice.get("key")
    if not isinstance(key, str) or f"verifier.notice.{key}" not in i18n.catalogue_keys():
        return str(notice.get("message") or "")
    params = notice.get("params") if isinstance(notice.get("params"), Mapping) else {}
    code = params.get("country") if isinstance(params, Mapping) else None
    where = country_name(code, lang) if isinstance(code, str) and countries.is_supported(code) else "?"
    # ``places``: the states an A1 names its places of work in, ISO codes separated by commas.
    codes = params.get("places") if isinstance(params, Mapping) else None
    places = ", ".join(_country_words(c, lang) for c in codes.split(",")) if isinstance(codes, str) else "?"
    return i18n.t(f"verifier.notice.{key}", lang, country=where, places=places)


def reason_text(verdict: Mapping[str, Any], lang: str,
                issuer_of: Callable[[dict[str, Any]], str] | None = None) -> str:
    """The one-sentence reason in the page's language (the English detail when no translation exists);
    with the numbers it says (``reason_params``: a trust list's age and maximum, the date a signer
    certificate ended) where the verdict has them, and the institution of the credential it is about
    (named by ``issuer_of``, the page's naming, else by the verdict's English name), and the words of
    its notice, with the state it names, when a notice is the reason (:func:`notice_text`)."""
    key = str(verdict.get("reason_key") or "")
    told = verdict.get("notices")
    for notice in told if isinstance(told, list) else []:
        if key and isinstance(notice, Mapping) and notice.get("key") == key:
            return notice_text(notice, lang)
    if key and f"verifier.reason.{key}" in i18n.catalogue_keys():
        own = _per_document(verdict, key)
        # The document's own words with their numbers first (a PID's expiry is the identity's), then the key's.
        institution, zone = _institution_of(verdict, key, issuer_of), _zone_of(verdict.get("checked_at"))
        params = verdict.get("reason_params")
        own_detail = _detail(own, params, lang, institution=institution, zone=zone) if own != key else None
        text = own_detail or _detail(key, params, lang, institution=institution, zone=zone) \
            or i18n.t(f"verifier.reason.{own}", lang)
        code = verdict.get("wallet_error")  # the wallet's error code (RFC 6749 syntax), for the inspector
        if key == "wallet_error" and isinstance(code, str) and code:
            text = f"{text.rstrip('.')} ({code})."
        return text
    return str(verdict.get("reason") or "")


# --- the result screen's checks, dates and institutions, in the page's language ---------------------

def step_name(code: Any, lang: str) -> str:
    """A check of the pipeline by name ("coverage_period" -> "Period covered"); an unknown code as it is."""
    key = f"verifier.step.{code}"
    return i18n.t(key, lang) if key in i18n.catalogue_keys() else str(code)


def step_text(step: Mapping[str, Any], lang: str, *, institution: str | None = None,
              checked_at: Any = None) -> str:
    """What a check found, for the Checks list. In English, the pipeline's own sentence (it says the
    most: dates, the institution); otherwise the translation of its key where there is one (as the
    verdict's reason, :func:`reason_text`, with the credential's ``institution`` and the verdict's
    ``checked_at`` for the zone of a date), or of a passed check, and else the English sentence."""
    message = str(step.get("message") or "")
    if lang == "en":
        return message
    code, result = step.get("code"), step.get("result")
    key = str(step.get("key") or f"{code}.{result}")
    if code == "key_binding" and result == "passed" and message.startswith("Paper document"):
        key = "paper"  # a paper copy is tied to nobody's phone: the inspector compares an identity document
    keys = i18n.catalogue_keys()
    if f"verifier.reason.{key}" in keys:
        return _detail(key, step.get("params"), lang, institution=institution, zone=_zone_of(checked_at)) \
            or i18n.t(f"verifier.reason.{key}", lang)
    if result == "passed" and f"verifier.step_passed.{code}" in keys:
        return i18n.t(f"verifier.step_passed.{code}", lang)
    return message


def date_text(value: Any, lang: str) -> str:
    """A date of the person or a document written out in the page's language, like the others on the
    page; a value that is no ISO full-date (another implementation's "1988") as it is."""
    if value is None:
        return ""
    try:
        return i18n.format_date(str(value), lang)
    except ValueError:
        return str(value)


def datetime_text(value: Any, lang: str) -> str:
    """A moment (ISO 8601, with the offset of the verifier's zone, as a verdict's ``checked_at``) as its
    date in the page's language and its hour and minute there; a value that is none as it is."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    day = i18n.format_date(moment.date(), lang)
    return f"{day} {moment:%H:%M}" if day.endswith(".") else f"{day}, {moment:%H:%M}"


def institution_name(name: str, name_en: str, country: str, lang: str) -> str:
    """An institution as the trust list names it: in its own language on a page in that language,
    else by its English name with its own beside it (as on its documents and letterhead)."""
    try:
        own = countries.language(country)
    except KeyError:
        own = None
    if lang == own or not name_en:
        return name or name_en
    return f"{name_en} ({name})" if name and name != name_en else name_en
