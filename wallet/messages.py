"""The wallet's own words in the five pilot languages (EN, LV, DE, FR, PL).

Credential descriptions come from the credential modules (``pda1.describe`` ...); this table
holds only the wallet's screens, buttons and plain-words explanations of failures.
:func:`t` falls back to English for a missing translation and never fails on a missing key.
"""

from __future__ import annotations

from typing import Any

from credentials import i18n
from credentials.i18n import LANGUAGES

__all__ = ["LANGUAGES", "STRINGS", "explain", "normalise_lang", "pending_message", "t"]

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    "app.title": ("ESSPASS wallet", "ESSPASS maks", "ESSPASS-Wallet", "Portefeuille ESSPASS", "Portfel ESSPASS"),
    "nav.cards": ("My documents", "Mani dokumenti", "Meine Dokumente", "Mes documents", "Moje dokumenty"),
    "nav.receive": ("Add", "Pievienot", "Hinzufügen", "Ajouter", "Dodaj"),
    "nav.present": ("Show", "Uzrādīt", "Vorzeigen", "Présenter", "Okaż"),
    "nav.log": ("History", "Vēsture", "Verlauf", "Historique", "Historia"),
    "nav.lock": ("Lock", "Bloķēt", "Sperren", "Verrouiller", "Zablokuj"),
    "setup.title": ("Create your wallet", "Izveidojiet savu maku", "Wallet anlegen", "Créer votre portefeuille",
                    "Utwórz portfel"),
    "setup.help": (
        "Choose a passphrase. Your documents are encrypted with it; without it nobody can read them, "
        "and it cannot be recovered.",
        "Izvēlieties paroli. Ar to tiek šifrēti jūsu dokumenti; bez tās neviens tos nevar izlasīt, "
        "un to nevar atjaunot.",
        "Wählen Sie eine Passphrase. Ihre Dokumente werden damit verschlüsselt; ohne sie kann niemand "
        "sie lesen, und sie kann nicht wiederhergestellt werden.",
        "Choisissez une phrase secrète. Vos documents sont chiffrés avec elle ; sans elle personne ne "
        "peut les lire, et elle ne peut pas être récupérée.",
        "Wybierz hasło. Twoje dokumenty są nim szyfrowane; bez niego nikt ich nie odczyta, "
        "a hasła nie da się odzyskać.",
    ),
    "field.passphrase": ("Passphrase", "Parole", "Passphrase", "Phrase secrète", "Hasło"),
    "field.passphrase2": ("Passphrase again", "Parole vēlreiz", "Passphrase wiederholen", "Répétez la phrase secrète",
                          "Powtórz hasło"),
    "setup.mismatch": ("The two passphrases differ.", "Paroles nesakrīt.", "Die Passphrasen stimmen nicht überein.",
                       "Les deux phrases secrètes diffèrent.", "Hasła się różnią."),
    "setup.button": ("Create wallet", "Izveidot maku", "Wallet anlegen", "Créer le portefeuille", "Utwórz portfel"),
    "unlock.title": ("Unlock your wallet", "Atbloķējiet maku", "Wallet entsperren", "Déverrouiller le portefeuille",
                     "Odblokuj portfel"),
    "unlock.button": ("Unlock", "Atbloķēt", "Entsperren", "Déverrouiller", "Odblokuj"),
    "cards.empty": (
        "No documents yet. Add one from the link or QR code your institution gave you.",
        "Vēl nav dokumentu. Pievienojiet tos no saites vai QR koda, ko jums deva iestāde.",
        "Noch keine Dokumente. Fügen Sie eines über den Link oder QR-Code Ihrer Behörde hinzu.",
        "Aucun document. Ajoutez-en un avec le lien ou le QR code donné par votre organisme.",
        "Brak dokumentów. Dodaj dokument z linku lub kodu QR od instytucji.",
    ),
    "card.issued_by": ("Issued by", "Izsniedza", "Ausgestellt von", "Délivré par", "Wydane przez"),
    "card.received": ("Received", "Saņemts", "Erhalten", "Reçu", "Otrzymano"),
    "card.valid_until": ("Valid until", "Derīgs līdz", "Gültig bis", "Valable jusqu'au", "Ważne do"),
    "card.copies": ("Unused copies", "Neizmantotas kopijas", "Unbenutzte Kopien", "Copies inutilisées",
                    "Niewykorzystane kopie"),
    "card.status": ("Status", "Statuss", "Status", "Statut", "Status"),
    "card.check_status": ("Check status now", "Pārbaudīt statusu", "Status jetzt prüfen", "Vérifier le statut",
                          "Sprawdź status"),
    "card.offline_qr": ("Offline QR code for an inspection without network",
                        "Bezsaistes QR kods pārbaudei bez tīkla", "Offline-QR-Code für eine Kontrolle ohne Netz",
                        "Code QR hors ligne pour un contrôle sans réseau", "Kod QR offline do kontroli bez sieci"),
    "card.offline_help": ("Show this code to the inspector. It renews itself every 30 seconds.",
                          "Parādiet šo kodu inspektoram. Tas atjaunojas ik pēc 30 sekundēm.",
                          "Zeigen Sie diesen Code der Kontrollperson. Er erneuert sich alle 30 Sekunden.",
                          "Montrez ce code à l'inspecteur. Il se renouvelle toutes les 30 secondes.",
                          "Pokaż ten kod inspektorowi. Odnawia się co 30 sekund."),
    "card.challenge": ("Inspector's code (if shown)", "Inspektora kods (ja parādīts)",
                       "Code der Kontrolle (falls angezeigt)", "Code de l'inspecteur (s'il est affiché)",
                       "Kod inspektora (jeśli pokazano)"),
    "card.details": ("All data in this document", "Visi dokumenta dati", "Alle Daten dieses Dokuments",
                     "Toutes les données du document", "Wszystkie dane dokumentu"),
    "status.valid": ("Valid: the issuer has not withdrawn it.", "Derīgs: izsniedzējs to nav atsaucis.",
                     "Gültig: die ausstellende Stelle hat es nicht widerrufen.",
                     "Valide : l'émetteur ne l'a pas retiré.", "Ważny: wystawca go nie wycofał."),
    "status.invalid": ("Withdrawn by the issuer.", "Izsniedzējs to ir atsaucis.",
                       "Von der ausstellenden Stelle widerrufen.", "Retiré par l'émetteur.",
                       "Wycofany przez wystawcę."),
    "status.suspended": ("Suspended by the issuer.", "Izsniedzējs to ir apturējis.",
                         "Von der ausstellenden Stelle ausgesetzt.", "Suspendu par l'émetteur.",
                         "Zawieszony przez wystawcę."),
    "status.unknown": ("Not checked yet.", "Vēl nav pārbaudīts.", "Noch nicht geprüft.", "Pas encore vérifié.",
                       "Jeszcze nie sprawdzono."),
    "status.unreachable": ("Could not check: {detail}", "Neizdevās pārbaudīt: {detail}",
                           "Prüfung nicht möglich: {detail}", "Vérification impossible : {detail}",
                           "Nie udało się sprawdzić: {detail}"),
    "status.checked_at": ("checked {when}", "pārbaudīts {when}", "geprüft {when}", "vérifié le {when}",
                          "sprawdzono {when}"),
    "receive.title": ("Add a document", "Pievienot dokumentu", "Dokument hinzufügen", "Ajouter un document",
                      "Dodaj dokument"),
    "receive.help": (
        "Paste the link that starts with openid-credential-offer:// or upload a photo of the QR code.",
        "Ielīmējiet saiti, kas sākas ar openid-credential-offer://, vai augšupielādējiet QR koda foto.",
        "Fügen Sie den Link ein, der mit openid-credential-offer:// beginnt, oder laden Sie ein Foto "
        "des QR-Codes hoch.",
        "Collez le lien qui commence par openid-credential-offer:// ou envoyez une photo du QR code.",
        "Wklej link zaczynający się od openid-credential-offer:// lub prześlij zdjęcie kodu QR.",
    ),
    "field.link": ("Link", "Saite", "Link", "Lien", "Link"),
    "field.qr": ("or a photo of the QR code", "vai QR koda foto", "oder ein Foto des QR-Codes",
                 "ou une photo du QR code", "lub zdjęcie kodu QR"),
    "button.continue": ("Continue", "Turpināt", "Weiter", "Continuer", "Dalej"),
    "button.back_to_verifier": ("Back to {verifier}", "Atpakaļ uz {verifier}", "Zurück zu {verifier}",
                                "Retour à {verifier}", "Wróć do {verifier}"),
    "button.back": ("Back to my documents", "Atpakaļ uz dokumentiem", "Zurück zu meinen Dokumenten",
                    "Retour à mes documents", "Powrót do dokumentów"),
    "offer.title": ("Document offered", "Piedāvātais dokuments", "Angebotenes Dokument", "Document proposé",
                    "Oferowany dokument"),
    "offer.from": ("{issuer} offers you:", "{issuer} jums piedāvā:", "{issuer} bietet Ihnen an:",
                   "{issuer} vous propose :", "{issuer} oferuje:"),
    "offer.tx_code": ("Code you received separately", "Atsevišķi saņemtais kods", "Separat erhaltener Code",
                      "Code reçu séparément", "Kod otrzymany osobno"),
    "offer.tx_code_help": ("{length} digits", "{length} cipari", "{length} Ziffern", "{length} chiffres",
                           "{length} cyfr"),
    "offer.accept": ("Add to my wallet", "Pievienot makam", "Zur Wallet hinzufügen", "Ajouter au portefeuille",
                     "Dodaj do portfela"),
    "offer.or": ("or", "vai", "oder", "ou", "lub"),
    "offer.at_institution": ("Enter the code on the institution's page", "Ievadīt kodu iestādes lapā",
                             "Code auf der Seite der Einrichtung eingeben", "Saisir le code sur la page de l'organisme",
                             "Wpisz kod na stronie instytucji"),
    "cli.open_page": ("Open this page in a browser and enter the code the institution gave you:",
                      "Atveriet šo lapu pārlūkā un ievadiet kodu, ko jums iedeva iestāde:",
                      "Öffnen Sie diese Seite im Browser und geben Sie den Code der Einrichtung ein:",
                      "Ouvrez cette page dans un navigateur et saisissez le code remis par l'organisme :",
                      "Otwórz tę stronę w przeglądarce i wpisz kod otrzymany od instytucji:"),
    "cli.no_answer": ("The institution's page did not send you back in time. Start again.",
                      "Iestādes lapa jūs laikā neatgrieza. Sāciet no jauna.",
                      "Die Seite der Einrichtung hat Sie nicht rechtzeitig zurückgeschickt. Beginnen Sie neu.",
                      "La page de l'organisme ne vous a pas renvoyé à temps. Recommencez.",
                      "Strona instytucji nie odesłała Cię na czas. Zacznij od nowa."),
    "authorized.title": ("Back from the institution", "Atpakaļ no iestādes", "Zurück von der Einrichtung",
                         "Retour de l'organisme", "Powrót z instytucji"),
    "authorized.ready": ("The institution has confirmed it is you. Store the document in your wallet.",
                         "Iestāde apstiprināja, ka tas esat jūs. Saglabājiet dokumentu savā makā.",
                         "Die Einrichtung hat bestätigt, dass Sie es sind. Speichern Sie das Dokument in Ihrer Wallet.",
                         "L'organisme a confirmé votre identité. Enregistrez le document dans votre portefeuille.",
                         "Instytucja potwierdziła, że to Ty. Zapisz dokument w portfelu."),
    "authorized.denied": ("The institution did not hand over the document.", "Iestāde dokumentu neizsniedza.",
                          "Die Einrichtung hat das Dokument nicht übergeben.", "L'organisme n'a pas remis le document.",
                          "Instytucja nie wydała dokumentu."),
    "authorized.store": ("Store in my wallet", "Saglabāt makā", "In der Wallet speichern",
                         "Enregistrer dans le portefeuille", "Zapisz w portfelu"),
    "received.title": ("Document added", "Dokuments pievienots", "Dokument hinzugefügt", "Document ajouté",
                       "Dokument dodany"),
    "received.checked": (
        "Checked: signed by {issuer}, an institution on the trusted list, and bound to a key on this device.",
        "Pārbaudīts: parakstījusi {issuer}, uzticamo sarakstā iekļauta iestāde, un piesaistīts atslēgai šajā ierīcē.",
        "Geprüft: signiert von {issuer}, einer Stelle auf der Vertrauensliste, und an einen Schlüssel auf "
        "diesem Gerät gebunden.",
        "Vérifié : signé par {issuer}, organisme de la liste de confiance, et lié à une clé de cet appareil.",
        "Sprawdzono: podpisany przez {issuer}, instytucję z listy zaufanych, i powiązany z kluczem na tym urządzeniu.",
    ),
    "present.title": ("Show a document", "Uzrādīt dokumentu", "Dokument vorzeigen", "Présenter un document",
                      "Okaż dokument"),
    "present.help": (
        "Paste the link that starts with openid4vp:// or upload a photo of the inspector's QR code.",
        "Ielīmējiet saiti, kas sākas ar openid4vp://, vai augšupielādējiet inspektora QR koda foto.",
        "Fügen Sie den Link ein, der mit openid4vp:// beginnt, oder laden Sie ein Foto des QR-Codes der "
        "Kontrollperson hoch.",
        "Collez le lien qui commence par openid4vp:// ou envoyez une photo du QR code de l'inspecteur.",
        "Wklej link zaczynający się od openid4vp:// lub prześlij zdjęcie kodu QR inspektora.",
    ),
    "consent.title": ("Request for your data", "Datu pieprasījums", "Anfrage nach Ihren Daten",
                      "Demande de vos données", "Prośba o Twoje dane"),
    "consent.who": ("{verifier} ({country}) asks to see:", "{verifier} ({country}) lūdz parādīt:",
                    "{verifier} ({country}) möchte sehen:", "{verifier} ({country}) demande à voir :",
                    "{verifier} ({country}) prosi o:"),
    "consent.checked": (
        "This requester is on the trusted list of verifiers and may ask for these data.",
        "Pieprasītājs ir uzticamo pārbaudītāju sarakstā un drīkst prasīt šos datus.",
        "Diese Stelle steht auf der Vertrauensliste der Prüfstellen und darf diese Daten anfragen.",
        "Ce demandeur figure sur la liste de confiance des vérificateurs et peut demander ces données.",
        "Ten podmiot jest na liście zaufanych weryfikatorów i może prosić o te dane.",
    ),
    "consent.purpose": ("Purpose", "Mērķis", "Zweck", "Finalité", "Cel"),
    "consent.leaves": ("Only these data will leave your phone:", "Tikai šie dati atstās jūsu tālruni:",
                       "Nur diese Daten verlassen Ihr Telefon:", "Seules ces données quitteront votre téléphone :",
                       "Tylko te dane opuszczą Twój telefon:"),
    "consent.from_document": ("From: {title}", "No: {title}", "Aus: {title}", "De : {title}", "Z: {title}"),
    "consent.always": ("Always included with this document (the issuer does not let it be hidden):",
                       "Vienmēr iekļauts šajā dokumentā (izsniedzējs neļauj to slēpt):",
                       "Immer in diesem Dokument enthalten (die ausstellende Stelle lässt es nicht verbergen):",
                       "Toujours inclus dans ce document (l'émetteur ne permet pas de le masquer) :",
                       "Zawsze dołączane do tego dokumentu (wystawca nie pozwala go ukryć):"),
    "consent.nothing_else": ("Nothing else is sent.", "Nekas cits netiek nosūtīts.", "Sonst wird nichts gesendet.",
                             "Rien d'autre n'est envoyé.", "Nic więcej nie jest wysyłane."),
    "consent.share": ("Share", "Kopīgot", "Teilen", "Partager", "Udostępnij"),
    "consent.decline": ("Decline", "Atteikt", "Ablehnen", "Refuser", "Odmów"),
    "consent.unmatched": ("You do not hold the documents asked for.", "Jums nav pieprasīto dokumentu.",
                          "Sie besitzen die angefragten Dokumente nicht.",
                          "Vous ne détenez pas les documents demandés.", "Nie masz żądanych dokumentów."),
    "shared.title": ("Shared", "Kopīgots", "Geteilt", "Partagé", "Udostępniono"),
    "shared.text": ("{verifier} received the data you agreed to share.",
                    "{verifier} saņēma datus, kurus piekritāt kopīgot.",
                    "{verifier} hat die Daten erhalten, deren Weitergabe Sie zugestimmt haben.",
                    "{verifier} a reçu les données que vous avez accepté de partager.",
                    "{verifier} otrzymał dane, na których udostępnienie się zgodziłeś."),
    "declined.title": ("Declined", "Atteikts", "Abgelehnt", "Refusé", "Odmówiono"),
    "declined.text": ("Nothing was shared. {verifier} was told that you declined.",
                      "Nekas netika kopīgots. {verifier} tika paziņots, ka atteicāt.",
                      "Es wurde nichts geteilt. {verifier} wurde mitgeteilt, dass Sie abgelehnt haben.",
                      "Rien n'a été partagé. {verifier} a été informé de votre refus.",
                      "Nic nie udostępniono. {verifier} otrzymał informację o odmowie."),
    "card.delete": ("Remove from this wallet", "Noņemt no šī maka", "Aus dieser Wallet entfernen",
                    "Retirer de ce portefeuille", "Usuń z tego portfela"),
    "card.delete_help": (
        "The document and the keys that prove it is yours are erased from this device. The institution "
        "keeps its record: ask it for a new offer to have the document here again.",
        "Dokuments un atslēgas, kas apliecina, ka tas ir jūsu, tiek dzēstas no šīs ierīces. Iestāde savu "
        "ierakstu saglabā: lūdziet tai jaunu piedāvājumu, lai dokuments atkal būtu šeit.",
        "Das Dokument und die Schlüssel, die belegen, dass es Ihnen gehört, werden von diesem Gerät gelöscht. "
        "Die Behörde behält ihren Eintrag: Bitten Sie sie um ein neues Angebot, um das Dokument wieder hier "
        "zu haben.",
        "Le document et les clés qui prouvent qu'il vous appartient sont effacés de cet appareil. L'institution "
        "garde son dossier : demandez-lui une nouvelle offre pour retrouver le document ici.",
        "Dokument i klucze potwierdzające, że należy do Ciebie, zostaną usunięte z tego urządzenia. Instytucja "
        "zachowuje swój zapis: poproś ją o nową ofertę, aby dokument znów był tutaj.",
    ),
    "card.delete_confirm": ("Remove this document", "Noņemt šo dokumentu", "Dieses Dokument entfernen",
                            "Retirer ce document", "Usuń ten dokument"),
    "cards.deleted": ("The document was removed from this wallet.", "Dokuments ir noņemts no šī maka.",
                      "Das Dokument wurde aus dieser Wallet entfernt.", "Le document a été retiré de ce portefeuille.",
                      "Dokument został usunięty z tego portfela."),
    "log.title": ("What you showed, to whom, when", "Ko, kam un kad uzrādījāt", "Was Sie wem wann gezeigt haben",
                  "Ce que vous avez montré, à qui, quand", "Co, komu i kiedy pokazano"),
    "log.empty": ("Nothing shown yet.", "Vēl nekas nav uzrādīts.", "Noch nichts vorgezeigt.",
                  "Rien n'a encore été montré.", "Jeszcze nic nie pokazano."),
    "log.shared": ("shared", "kopīgots", "geteilt", "partagé", "udostępniono"),
    "log.declined": ("declined", "atteikts", "abgelehnt", "refusé", "odmówiono"),
    "log.failed": ("failed", "neizdevās", "fehlgeschlagen", "échec", "niepowodzenie"),
    "log.cancelled": ("pending document removed", "gaidošs dokuments noņemts", "wartendes Dokument entfernt",
                      "document en attente retiré", "usunięto oczekujący dokument"),
    "log.shown": ("shown as QR code", "parādīts kā QR kods", "als QR-Code gezeigt", "montré en code QR",
                  "pokazano jako kod QR"),
    "error.title": ("That did not work", "Neizdevās", "Das hat nicht geklappt", "Cela n'a pas fonctionné",
                    "Nie udało się"),
    "error.registry": ("The trust registry at {url} could not be reached ({detail}), so the wallet cannot check who "
                       "is trusted; nothing was received or shown. Try again when online.",
                       "Uzticamības reģistrs {url} nav sasniedzams ({detail}), tāpēc maks nevar pārbaudīt, kam "
                       "uzticēties; nekas netika saņemts vai parādīts. Mēģiniet vēlreiz, kad būs savienojums.",
                       "Das Vertrauensregister unter {url} ist nicht erreichbar ({detail}); die Wallet kann nicht "
                       "prüfen, wem sie vertrauen darf, und hat nichts empfangen oder gezeigt. Versuchen Sie es "
                       "wieder, wenn Sie online sind.",
                       "Le registre de confiance à {url} est injoignable ({detail}) : le portefeuille ne peut pas "
                       "vérifier à qui se fier ; rien n'a été reçu ni montré. Réessayez une fois en ligne.",
                       "Rejestr zaufania pod adresem {url} jest nieosiągalny ({detail}), więc portfel nie może "
                       "sprawdzić, komu ufać; nic nie odebrano ani nie pokazano. Spróbuj ponownie po połączeniu."),
    "error.pilot": ("On a pilot computer: `esspass up` may not be running, or runs with other options (--port-base, "
                    "--http) or another data directory (ESSPASS_DATA_DIR).",
                    "Pilota datorā: `esspass up` varbūt nedarbojas vai darbojas ar citām opcijām (--port-base, "
                    "--http) vai citu datu direktoriju (ESSPASS_DATA_DIR).",
                    "Auf einem Pilotrechner: `esspass up` läuft vielleicht nicht, oder mit anderen Optionen "
                    "(--port-base, --http) oder einem anderen Datenverzeichnis (ESSPASS_DATA_DIR).",
                    "Sur un ordinateur pilote : `esspass up` ne tourne peut-être pas, ou avec d'autres options "
                    "(--port-base, --http) ou un autre répertoire de données (ESSPASS_DATA_DIR).",
                    "Na komputerze pilotażowym: `esspass up` może nie działać albo działa z innymi opcjami "
                    "(--port-base, --http) lub innym katalogiem danych (ESSPASS_DATA_DIR)."),
    "error.session": ("Your session has ended. Unlock the wallet again.", "Sesija beigusies. Atbloķējiet maku vēlreiz.",
                      "Ihre Sitzung ist abgelaufen. Entsperren Sie die Wallet erneut.",
                      "Votre session a expiré. Déverrouillez à nouveau le portefeuille.",
                      "Sesja wygasła. Odblokuj portfel ponownie."),
    "error.form": ("The form has expired. Please try again.", "Veidlapa ir novecojusi. Mēģiniet vēlreiz.",
                   "Das Formular ist abgelaufen. Bitte erneut versuchen.",
                   "Le formulaire a expiré. Veuillez réessayer.", "Formularz wygasł. Spróbuj ponownie."),
    "error.nothing": ("Paste a link or choose a picture.", "Ielīmējiet saiti vai izvēlieties attēlu.",
                      "Fügen Sie einen Link ein oder wählen Sie ein Bild.",
                      "Collez un lien ou choisissez une image.", "Wklej link lub wybierz obraz."),
    "error.wait": ("Too many wrong passphrases. Try again in {seconds} seconds.",
                   "Pārāk daudz nepareizu paroļu. Mēģiniet vēlreiz pēc {seconds} sekundēm.",
                   "Zu viele falsche Passphrasen. Versuchen Sie es in {seconds} Sekunden erneut.",
                   "Trop de phrases secrètes erronées. Réessayez dans {seconds} secondes.",
                   "Zbyt wiele błędnych haseł. Spróbuj ponownie za {seconds} s."),
    "nav.language": ("Language", "Valoda", "Sprache", "Langue", "Język"),
    "nav.sections": ("Wallet sections", "Maka sadaļas", "Bereiche der Wallet", "Rubriques du portefeuille",
                     "Sekcje portfela"),
    "claim.photo": ("Photo", "Foto", "Foto", "Photo", "Zdjęcie"),
    # An A1's status_confirmation (DC4EU section 3: posted employed person ...), not labelled "Status":
    # that is the card's word for whether the issuer withdrew the document.
    "claim.status_confirmation": ("Work situation", "Darba situācija", "Arbeitssituation", "Situation professionnelle",
                                  "Sytuacja zawodowa"),
    "pending.title": ("Waiting for approval", "Gaida apstiprinājumu", "Wartet auf Freigabe",
                      "En attente d'approbation", "Oczekuje na zatwierdzenie"),
    "pending.deferred": ("{institution} must approve this document first. The wallet will fetch it as soon as "
                         "it is approved; you do not need to scan the code again.",
                         "{institution} vispirms jāapstiprina šis dokuments. Maks to saņems, tiklīdz tas būs "
                         "apstiprināts; kods nav jāskenē vēlreiz.",
                         "{institution} muss dieses Dokument zuerst freigeben. Die Wallet holt es ab, sobald es "
                         "freigegeben ist; Sie müssen den Code nicht erneut scannen.",
                         "{institution} doit d'abord approuver ce document. Le portefeuille le récupérera dès "
                         "qu'il sera approuvé ; inutile de scanner à nouveau le code.",
                         "{institution} musi najpierw zatwierdzić ten dokument. Portfel pobierze go, gdy tylko "
                         "zostanie zatwierdzony; nie trzeba ponownie skanować kodu."),
    "pending.deferred_terminal": ("{institution} must approve this document first. Once it is approved, run "
                                  "'esspass wallet fetch-pending' to fetch it ('esspass wallet pending' shows what "
                                  "waits); you do not need to scan the code again.",
                                  "{institution} vispirms jāapstiprina šis dokuments. Kad tas būs apstiprināts, "
                                  "palaidiet 'esspass wallet fetch-pending', lai to saņemtu ('esspass wallet "
                                  "pending' parāda, kas gaida); kods nav jāskenē vēlreiz.",
                                  "{institution} muss dieses Dokument zuerst freigeben. Sobald es freigegeben ist, "
                                  "führen Sie 'esspass wallet fetch-pending' aus, um es abzuholen ('esspass wallet "
                                  "pending' zeigt, was wartet); Sie müssen den Code nicht erneut scannen.",
                                  "{institution} doit d'abord approuver ce document. Une fois qu'il est approuvé, "
                                  "lancez 'esspass wallet fetch-pending' pour le récupérer ('esspass wallet pending' "
                                  "montre ce qui attend) ; inutile de scanner à nouveau le code.",
                                  "{institution} musi najpierw zatwierdzić ten dokument. Po zatwierdzeniu uruchom "
                                  "'esspass wallet fetch-pending', aby go pobrać ('esspass wallet pending' pokazuje, "
                                  "co czeka); nie trzeba ponownie skanować kodu."),
    "pending.waiting": ("Waiting for {institution} to approve {document}, asked {date}",
                        "Gaida, kad {institution} apstiprinās: {document}; pieprasīts {date}",
                        "Wartet auf Freigabe durch {institution}: {document}, angefragt am {date}",
                        "En attente de l'approbation de {institution} : {document}, demandé le {date}",
                        "Oczekuje na zatwierdzenie przez {institution}: {document}, wniosek z {date}"),
    "pending.check_now": ("Check now", "Pārbaudīt tagad", "Jetzt prüfen", "Vérifier maintenant",
                          "Sprawdź teraz"),
    "pending.none": ("No documents are waiting for an institution.", "Neviens dokuments negaida iestādi.",
                     "Keine Dokumente warten auf eine Stelle.", "Aucun document n'attend un organisme.",
                     "Żaden dokument nie czeka na instytucję."),
    "pending.still": ("{institution} has not approved {document} yet. The wallet will ask again later.",
                      "{institution} vēl nav apstiprinājusi: {document}. Maks jautās vēlreiz vēlāk.",
                      "{institution} hat {document} noch nicht freigegeben. Die Wallet fragt später erneut.",
                      "{institution} n'a pas encore approuvé {document}. Le portefeuille redemandera plus tard.",
                      "{institution} nie zatwierdziła jeszcze: {document}. Portfel zapyta ponownie później."),
    "pending.unreachable": ("{institution} could not be asked about {document} now ({detail}). The wallet will "
                            "try again later.",
                            "Pašlaik neizdevās sazināties ar {institution} par: {document} ({detail}). Maks "
                            "mēģinās vēlreiz vēlāk.",
                            "{institution} konnte gerade nicht zu {document} befragt werden ({detail}). Die Wallet "
                            "versucht es später erneut.",
                            "{institution} n'a pas pu être interrogé sur {document} ({detail}). Le portefeuille "
                            "réessaiera plus tard.",
                            "Nie udało się teraz zapytać {institution} o: {document} ({detail}). Portfel spróbuje "
                            "ponownie później."),
    "pending.received": ("{institution} approved {document}; it is now in your wallet.",
                         "{institution} apstiprināja: {document}; tas tagad ir jūsu makā.",
                         "{institution} hat {document} freigegeben; es ist jetzt in Ihrer Wallet.",
                         "{institution} a approuvé {document} ; il est maintenant dans votre portefeuille.",
                         "{institution} zatwierdziła: {document}; dokument jest teraz w portfelu."),
    "pending.partial": ("{institution} approved {document}; it is now in your wallet, but not all of it could be "
                        "fetched ({detail}). Ask the institution if you need the rest.",
                        "{institution} apstiprināja: {document}; tas tagad ir jūsu makā, taču ne visu izdevās "
                        "saņemt ({detail}). Ja vajag pārējo, vērsieties iestādē.",
                        "{institution} hat {document} freigegeben; es ist jetzt in Ihrer Wallet, aber nicht alles "
                        "konnte abgeholt werden ({detail}). Fragen Sie die Stelle, wenn Sie den Rest brauchen.",
                        "{institution} a approuvé {document} ; il est maintenant dans votre portefeuille, mais "
                        "tout n'a pas pu être récupéré ({detail}). Demandez le reste à l'organisme si besoin.",
                        "{institution} zatwierdziła: {document}; dokument jest teraz w portfelu, ale nie wszystko "
                        "udało się pobrać ({detail}). Jeśli potrzebujesz reszty, zwróć się do instytucji."),
    "pending.refused": ("{institution} refused to issue {document}. Contact the institution if you think this "
                        "is a mistake.",
                        "{institution} atteica izsniegt: {document}. Sazinieties ar iestādi, ja uzskatāt, ka tā ir "
                        "kļūda.",
                        "{institution} hat die Ausstellung von {document} abgelehnt. Wenden Sie sich an die "
                        "Stelle, wenn Sie dies für einen Fehler halten.",
                        "{institution} a refusé de délivrer {document}. Contactez l'organisme si vous pensez "
                        "qu'il s'agit d'une erreur.",
                        "{institution} odmówiła wydania: {document}. Skontaktuj się z instytucją, jeśli uważasz, "
                        "że to błąd."),
    "pending.gone": ("{institution} no longer knows the request for {document}. Ask the institution for a new "
                     "offer.",
                     "{institution} vairs nezina pieprasījumu: {document}. Lūdziet iestādei jaunu piedāvājumu.",
                     "{institution} kennt die Anfrage für {document} nicht mehr. Bitten Sie die Stelle um ein "
                     "neues Angebot.",
                     "{institution} ne connaît plus la demande de {document}. Demandez une nouvelle offre à "
                     "l'organisme.",
                     "{institution} nie zna już wniosku o: {document}. Poproś instytucję o nową ofertę."),
    "pending.expired": ("The wallet's access to {institution} for {document} has expired and could not be "
                        "renewed. Ask the institution for a new offer.",
                        "Maka piekļuve {institution} dokumentam {document} ir beigusies, un to neizdevās "
                        "atjaunot. Lūdziet iestādei jaunu piedāvājumu.",
                        "Der Zugang der Wallet bei {institution} für {document} ist abgelaufen und konnte nicht "
                        "erneuert werden. Bitten Sie die Stelle um ein neues Angebot.",
                        "L'accès du portefeuille auprès de {institution} pour {document} a expiré et n'a pas pu "
                        "être renouvelé. Demandez une nouvelle offre à l'organisme.",
                        "Dostęp portfela do {institution} dla dokumentu {document} wygasł i nie dało się go "
                        "odnowić. Poproś instytucję o nową ofertę."),
    "pending.failed": ("{document} from {institution} arrived but failed the wallet's checks, so it was not "
                       "kept ({detail}).",
                       "{document} no {institution} tika saņemts, bet neizturēja maka pārbaudes, tāpēc netika "
                       "saglabāts ({detail}).",
                       "{document} von {institution} ist eingetroffen, hat aber die Prüfungen der Wallet nicht "
                       "bestanden und wurde nicht gespeichert ({detail}).",
                       "{document} de {institution} est arrivé mais n'a pas passé les contrôles du portefeuille ; "
                       "il n'a pas été gardé ({detail}).",
                       "{document} od {institution} dotarł, ale nie przeszedł kontroli portfela, więc go nie "
                       "zachowano ({detail})."),
    "pending.remove": ("Remove", "Noņemt", "Entfernen", "Retirer", "Usuń"),
    "pending.remove_help": (
        "The wallet stops waiting for this document and erases the keys it kept for it. The institution is "
        "not told: there is no way to tell it before it issues the document. If it approves later, the "
        "document cannot reach this wallet; ask the institution for a new offer if you want it after all.",
        "Maks vairs negaidīs šo dokumentu un dzēsīs atslēgas, ko tam glabāja. Iestādei par to netiek "
        "paziņots: pirms dokumenta izsniegšanas to nav iespējams paziņot. Ja iestāde to apstiprinās vēlāk, "
        "dokuments šajā makā nenonāks; ja tomēr to vēlaties, lūdziet iestādei jaunu piedāvājumu.",
        "Die Wallet wartet nicht mehr auf dieses Dokument und löscht die dafür aufbewahrten Schlüssel. Die "
        "Stelle wird nicht benachrichtigt: Vor der Ausstellung gibt es keinen Weg, es ihr mitzuteilen. Gibt "
        "sie es später frei, kann das Dokument diese Wallet nicht mehr erreichen; bitten Sie die Stelle um ein "
        "neues Angebot, wenn Sie es doch möchten.",
        "Le portefeuille cesse d'attendre ce document et efface les clés gardées pour lui. L'organisme n'en "
        "est pas informé : il n'existe aucun moyen de le lui dire avant qu'il délivre le document. S'il "
        "l'approuve plus tard, le document ne pourra pas arriver dans ce portefeuille ; demandez une nouvelle "
        "offre à l'organisme si vous le voulez finalement.",
        "Portfel przestanie czekać na ten dokument i usunie klucze przechowywane dla niego. Instytucja nie "
        "zostanie o tym powiadomiona: przed wydaniem dokumentu nie ma sposobu, by ją powiadomić. Jeśli "
        "zatwierdzi go później, dokument nie trafi do tego portfela; jeśli jednak go chcesz, poproś "
        "instytucję o nową ofertę.",
    ),
    "pending.remove_confirm": ("Remove this pending document", "Noņemt šo gaidošo dokumentu",
                               "Dieses wartende Dokument entfernen", "Retirer ce document en attente",
                               "Usuń ten oczekujący dokument"),
    "pending.removed": ("The wallet no longer waits for {document} from {institution}; what it kept for it "
                        "is erased.",
                        "Maks vairs negaida: {document} no {institution}; tam glabātais ir dzēsts.",
                        "Die Wallet wartet nicht mehr auf {document} von {institution}; was sie dafür "
                        "aufbewahrt hat, ist gelöscht.",
                        "Le portefeuille n'attend plus {document} de {institution} ; ce qu'il gardait pour "
                        "lui est effacé.",
                        "Portfel nie czeka już na: {document} od {institution}; to, co dla niego "
                        "przechowywał, zostało usunięte."),
    "pending.next": ("next check after {when}", "nākamā pārbaude pēc {when}", "nächste Prüfung nach {when}",
                     "prochaine vérification après {when}", "następne sprawdzenie po {when}"),
    "card.offline_qr_alt": ("Offline QR code of this document, to show the inspector",
                            "Šī dokumenta bezsaistes QR kods, ko parādīt inspektoram",
                            "Offline-QR-Code dieses Dokuments für die Kontrollperson",
                            "Code QR hors ligne de ce document, à montrer à l'inspecteur",
                            "Kod QR offline tego dokumentu do pokazania inspektorowi"),
}

# Plain-words explanation per error code (CredentialError.code / ProtocolError.error).
_EXPLAIN: dict[str, tuple[str, str, str, str, str]] = {
    "issuer_signature": ("The document's signature is not valid: it may have been altered.",
                         "Dokumenta paraksts nav derīgs: tas, iespējams, ir mainīts.",
                         "Die Signatur des Dokuments ist ungültig: es wurde möglicherweise verändert.",
                         "La signature du document n'est pas valide : il a peut-être été modifié.",
                         "Podpis dokumentu jest nieważny: mógł zostać zmieniony."),
    "issuer_key": ("The signer's certificate does not lead to an institution on the trusted list.",
                   "Parakstītāja sertifikāts neved pie iestādes uzticamo sarakstā.",
                   "Das Zertifikat des Unterzeichners führt zu keiner Stelle auf der Vertrauensliste.",
                   "Le certificat du signataire ne mène à aucun organisme de la liste de confiance.",
                   "Certyfikat podpisującego nie prowadzi do instytucji z listy zaufanych."),
    "issuer_trust": ("The sender is not on the trusted list for this kind of document or request.",
                     "Sūtītājs nav uzticamo sarakstā šāda veida dokumentiem vai pieprasījumiem.",
                     "Der Absender steht für diese Art von Dokument oder Anfrage nicht auf der Vertrauensliste.",
                     "L'expéditeur ne figure pas sur la liste de confiance pour ce type de document ou de demande.",
                     "Nadawca nie jest na liście zaufanych dla tego rodzaju dokumentu lub żądania."),
    "vct": ("The document is not of the kind that was offered.", "Dokuments nav piedāvātā veida.",
            "Das Dokument ist nicht von der angebotenen Art.", "Le document n'est pas du type proposé.",
            "Dokument nie jest oferowanego rodzaju."),
    "key_binding": ("The document is not bound to a key of this wallet.", "Dokuments nav piesaistīts šī maka atslēgai.",
                    "Das Dokument ist an keinen Schlüssel dieser Wallet gebunden.",
                    "Le document n'est pas lié à une clé de ce portefeuille.",
                    "Dokument nie jest powiązany z kluczem tego portfela."),
    "credential_validity": ("The document is not valid at this time (not yet valid or expired).",
                            "Dokuments šobrīd nav derīgs (vēl nav spēkā vai beidzies).",
                            "Das Dokument ist derzeit nicht gültig (noch nicht oder nicht mehr).",
                            "Le document n'est pas valable en ce moment (pas encore ou plus).",
                            "Dokument nie jest teraz ważny (jeszcze nie lub już nie)."),
    "status": ("The issuer's status list could not be used.", "Izsniedzēja statusu sarakstu neizdevās izmantot.",
               "Die Statusliste der ausstellenden Stelle war nicht verwendbar.",
               "La liste de statut de l'émetteur n'a pas pu être utilisée.",
               "Nie udało się użyć listy statusów wystawcy."),
    "copies_differ": ("The institution sent copies of this document that do not all say the same thing, so none "
                      "was kept. Ask the institution to issue it again.",
                      "Iestāde atsūtīja šī dokumenta kopijas, kurās nav rakstīts viens un tas pats, tāpēc neviena "
                      "netika saglabāta. Lūdziet iestādei to izsniegt vēlreiz.",
                      "Die Stelle hat Kopien dieses Dokuments gesendet, die nicht alle dasselbe aussagen; daher "
                      "wurde keine gespeichert. Bitten Sie die Stelle, es erneut auszustellen.",
                      "L'organisme a envoyé des copies de ce document qui ne disent pas toutes la même chose ; "
                      "aucune n'a donc été gardée. Demandez à l'organisme de le délivrer à nouveau.",
                      "Instytucja przesłała kopie tego dokumentu, które nie mówią tego samego, więc żadnej nie "
                      "zachowano. Poproś instytucję o ponowne wydanie."),
    "forms_differ": ("The institution sent this document in two forms that do not say the same thing, so nothing "
                     "was kept. Ask the institution to issue it again.",
                     "Iestāde atsūtīja šo dokumentu divos veidos, kuros nav rakstīts viens un tas pats, tāpēc nekas "
                     "netika saglabāts. Lūdziet iestādei to izsniegt vēlreiz.",
                     "Die Stelle hat dieses Dokument in zwei Formen gesendet, die nicht dasselbe aussagen; daher "
                     "wurde nichts gespeichert. Bitten Sie die Stelle, es erneut auszustellen.",
                     "L'organisme a envoyé ce document sous deux formes qui ne disent pas la même chose ; rien "
                     "n'a donc été gardé. Demandez à l'organisme de le délivrer à nouveau.",
                     "Instytucja przesłała ten dokument w dwóch postaciach, które nie mówią tego samego, więc nic "
                     "nie zachowano. Poproś instytucję o ponowne wydanie."),
    "offline_form_differs": ("The QR code for inspections without network that came with this document says "
                             "something else than the document, so nothing was kept. Ask the institution to "
                             "issue it again.",
                             "QR kods pārbaudēm bez tīkla, kas tika atsūtīts kopā ar šo dokumentu, saka ko citu "
                             "nekā dokuments, tāpēc nekas netika saglabāts. Lūdziet iestādei to izsniegt vēlreiz.",
                             "Der QR-Code für Kontrollen ohne Netz, der mit diesem Dokument kam, sagt etwas "
                             "anderes als das Dokument; daher wurde nichts gespeichert. Bitten Sie die Stelle, "
                             "es erneut auszustellen.",
                             "Le code QR pour les contrôles sans réseau reçu avec ce document dit autre chose que "
                             "le document ; rien n'a donc été gardé. Demandez à l'organisme de le délivrer à "
                             "nouveau.",
                             "Kod QR do kontroli bez sieci, który przyszedł z tym dokumentem, mówi co innego niż "
                             "dokument, więc nic nie zachowano. Poproś instytucję o ponowne wydanie."),
    "invalid_grant": ("The offer has expired, was already used, or the code is wrong.",
                      "Piedāvājums ir beidzies, jau izmantots, vai kods ir nepareizs.",
                      "Das Angebot ist abgelaufen, wurde schon verwendet, oder der Code ist falsch.",
                      "L'offre a expiré, a déjà été utilisée, ou le code est erroné.",
                      "Oferta wygasła, została już użyta lub kod jest błędny."),
    "invalid_tx_code": ("The code is wrong.", "Kods ir nepareizs.", "Der Code ist falsch.", "Le code est erroné.",
                        "Kod jest błędny."),
    "transport": ("A server could not be reached or gave an unusable answer.",
                  "Serveris nebija sasniedzams vai atbildēja nederīgi.",
                  "Ein Server war nicht erreichbar oder antwortete unbrauchbar.",
                  "Un serveur était injoignable ou a donné une réponse inutilisable.",
                  "Serwer był nieosiągalny lub odpowiedział niepoprawnie."),
    "malformed": ("The data received is damaged or not in the expected form.",
                  "Saņemtie dati ir bojāti vai neatbilst gaidītajai formai.",
                  "Die empfangenen Daten sind beschädigt oder nicht in der erwarteten Form.",
                  "Les données reçues sont endommagées ou pas dans la forme attendue.",
                  "Otrzymane dane są uszkodzone lub w nieoczekiwanej formie."),
    "credential_request_denied": ("The institution refused to issue this document.",
                                  "Iestāde atteica izsniegt šo dokumentu.",
                                  "Die Stelle hat die Ausstellung dieses Dokuments abgelehnt.",
                                  "L'organisme a refusé de délivrer ce document.",
                                  "Instytucja odmówiła wydania tego dokumentu."),
    "invalid_transaction_id": ("The institution no longer knows this request. Ask it for a new offer.",
                               "Iestāde vairs nezina šo pieprasījumu. Lūdziet tai jaunu piedāvājumu.",
                               "Die Stelle kennt diese Anfrage nicht mehr. Bitten Sie sie um ein neues Angebot.",
                               "L'organisme ne connaît plus cette demande. Demandez-lui une nouvelle offre.",
                               "Instytucja nie zna już tego wniosku. Poproś ją o nową ofertę."),
    "pending_busy": ("The wallet is asking the institution about this document right now (in another window "
                     "or terminal). Try again in a minute.",
                     "Maks šobrīd jautā iestādei par šo dokumentu (citā logā vai terminālī). Mēģiniet vēlreiz "
                     "pēc minūtes.",
                     "Die Wallet fragt die Stelle gerade zu diesem Dokument (in einem anderen Fenster oder "
                     "Terminal). Versuchen Sie es in einer Minute erneut.",
                     "Le portefeuille interroge l'organisme sur ce document en ce moment (dans une autre "
                     "fenêtre ou un terminal). Réessayez dans une minute.",
                     "Portfel właśnie pyta instytucję o ten dokument (w innym oknie lub terminalu). Spróbuj "
                     "ponownie za minutę."),
    "wrong_passphrase": ("Wrong passphrase. Nothing was changed.", "Nepareiza parole. Nekas netika mainīts.",
                         "Falsche Passphrase. Es wurde nichts geändert.",
                         "Phrase secrète erronée. Rien n'a été modifié.", "Błędne hasło. Nic nie zmieniono."),
}

#: ``STRINGS[key][lang]``, registered with credentials.i18n under the ``wallet.`` prefix.
STRINGS: dict[str, dict[str, str]] = {
    key: dict(zip(LANGUAGES, values, strict=True)) for key, values in _T.items()
} | {f"explain.{key}": dict(zip(LANGUAGES, values, strict=True)) for key, values in _EXPLAIN.items()}

i18n.register({f"wallet.{key}": texts for key, texts in STRINGS.items()})


def normalise_lang(lang: str | None) -> str:
    """One of :data:`LANGUAGES` (``de-AT`` -> ``de``; an Accept-Language header works too)."""
    return i18n.negotiate(lang, default="en")


def t(key: str, lang: str, **kw: Any) -> str:
    """The wallet string ``key`` in ``lang`` (English fallback), formatted with ``kw``."""
    return i18n.t(f"wallet.{key}", normalise_lang(lang), **kw)


def explain(code: str, message: str, lang: str) -> str:
    """A failure in plain words: the general sentence for its code, then what exactly failed."""
    if f"explain.{code}" not in STRINGS:
        return message
    text = t(f"explain.{code}", lang)
    return f"{text} ({message})" if message else text


def pending_message(outcome: str, institution: str, titles: tuple[str, ...] | list[str], detail: str,
                    lang: str) -> str:
    """What asking about a pending document came to (:class:`wallet.service.PendingOutcome`), in words."""
    document = ", ".join(titles)
    key = {"pending": "pending.unreachable" if detail else "pending.still",
           "received": "pending.partial" if detail else "pending.received"}.get(outcome, f"pending.{outcome}")
    return t(key, lang, institution=institution, document=document, detail=detail)
