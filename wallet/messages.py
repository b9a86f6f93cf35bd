"""The wallet's own words in the five pilot languages (EN, LV, DE, FR, PL).

Credential descriptions come from the credential modules (``pda1.describe`` ...); this table
holds only the wallet's screens, buttons and plain-words explanations of failures.
:func:`t` falls back to English for a missing translation and never fails on a missing key.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from credentials import i18n
from credentials.i18n import LANGUAGES

__all__ = ["LANGUAGES", "MESSAGES", "STRINGS", "explain", "format_when", "normalise_lang", "pending_message", "t"]

# key -> (en, lv, de, fr, pl)
_T: dict[str, tuple[str, str, str, str, str]] = {
    # explain(): what follows is a technical detail in English (a server's or a check's own words).
    "detail_in_english": ("technical detail", "tehniska informācija angļu valodā", "technischer Hinweis auf Englisch",
                          "détail technique en anglais", "szczegół techniczny po angielsku"),
    "app.title": ("ESSPASS wallet", "ESSPASS maks", "ESSPASS-Wallet", "Portefeuille ESSPASS", "Portfel ESSPASS"),
    "nav.cards": ("My documents", "Mani dokumenti", "Meine Dokumente", "Mes documents", "Moje dokumenty"),
    "nav.receive": ("Add", "Pievienot", "Hinzufügen", "Ajouter", "Dodaj"),
    "nav.present": ("Show", "Uzrādīt", "Vorzeigen", "Présenter", "Okaż"),
    "nav.log": ("History", "Vēsture", "Verlauf", "Historique", "Historia"),
    "nav.lock": ("Lock", "Bloķēt", "Sperren", "Verrouiller", "Zablokuj"),
    # The button tapped while its form's answer comes (static/busy.js): the network may take seconds.
    "busy": ("Working…", "Notiek apstrāde…", "Wird bearbeitet…", "En cours…", "Trwa przetwarzanie…"),
    "setup.title": ("Create your wallet", "Izveidojiet savu maku", "Wallet anlegen", "Créer votre portefeuille",
                    "Utwórz portfel"),
    "setup.help": (
        "Choose a passphrase of at least 8 characters, not a common one such as 'password' or '12345678'. Your "
        "documents are encrypted with it; without it nobody can read them, and it cannot be recovered.",
        "Izvēlieties paroli, kurā ir vismaz 8 rakstzīmes un kas nav bieži lietota, piemēram, 'password' vai "
        "'12345678'. Ar to tiek šifrēti jūsu dokumenti; bez tās neviens tos nevar izlasīt, un to nevar atjaunot.",
        "Wählen Sie eine Passphrase mit mindestens 8 Zeichen, keine gängige wie „password“ oder „12345678“. Ihre "
        "Dokumente werden damit verschlüsselt; ohne sie kann niemand sie lesen, und sie kann nicht "
        "wiederhergestellt werden.",
        "Choisissez une phrase secrète d'au moins 8 caractères, pas une phrase courante comme « password » ou "
        "« 12345678 ». Vos documents sont chiffrés avec elle ; sans elle personne ne peut les lire, et elle ne "
        "peut pas être récupérée.",
        "Wybierz hasło o długości co najmniej 8 znaków, inne niż popularne, takie jak „password” czy „12345678”. "
        "Twoje dokumenty są nim szyfrowane; bez niego nikt ich nie odczyta, a hasła nie da się odzyskać.",
    ),
    "field.passphrase": ("Passphrase", "Parole", "Passphrase", "Phrase secrète", "Hasło"),
    "field.passphrase2": ("Passphrase again", "Parole vēlreiz", "Passphrase wiederholen", "Répétez la phrase secrète",
                          "Powtórz hasło"),
    "setup.mismatch": ("The two passphrases differ.", "Paroles nesakrīt.", "Die Passphrasen stimmen nicht überein.",
                       "Les deux phrases secrètes diffèrent.", "Hasła się różnią."),
    "setup.button": ("Create wallet", "Izveidot maku", "Wallet anlegen", "Créer le portefeuille", "Utwórz portfel"),
    "passphrase.link": ("Change passphrase", "Mainīt paroli", "Passphrase ändern", "Changer la phrase secrète",
                        "Zmień hasło"),
    "passphrase.help": (
        "Your documents are encrypted again with the new passphrase. Other open windows of this wallet "
        "will ask for it.",
        "Jūsu dokumenti tiks šifrēti no jauna ar jauno paroli. Citi atvērtie šī maka logi prasīs to.",
        "Ihre Dokumente werden mit der neuen Passphrase neu verschlüsselt. Andere offene Fenster dieser "
        "Wallet fragen danach.",
        "Vos documents sont chiffrés à nouveau avec la nouvelle phrase secrète. Les autres fenêtres "
        "ouvertes de ce portefeuille la demanderont.",
        "Twoje dokumenty zostaną ponownie zaszyfrowane nowym hasłem. Inne otwarte okna tego portfela "
        "o nie poproszą.",
    ),
    "field.current_passphrase": ("Current passphrase", "Pašreizējā parole", "Bisherige Passphrase",
                                 "Phrase secrète actuelle", "Obecne hasło"),
    "field.new_passphrase": ("New passphrase", "Jaunā parole", "Neue Passphrase", "Nouvelle phrase secrète",
                             "Nowe hasło"),
    "field.new_passphrase2": ("New passphrase again", "Jaunā parole vēlreiz", "Neue Passphrase wiederholen",
                              "Répétez la nouvelle phrase secrète", "Powtórz nowe hasło"),
    "passphrase.button": ("Change passphrase", "Mainīt paroli", "Passphrase ändern", "Changer la phrase secrète",
                          "Zmień hasło"),
    "passphrase.changed": ("Your passphrase was changed. Use the new one from now on.",
                           "Jūsu parole ir nomainīta. Turpmāk izmantojiet jauno.",
                           "Ihre Passphrase wurde geändert. Verwenden Sie ab jetzt die neue.",
                           "Votre phrase secrète a été changée. Utilisez désormais la nouvelle.",
                           "Hasło zostało zmienione. Od teraz używaj nowego."),
    "passphrase.same": ("The new passphrase is the current one. Nothing was changed.",
                        "Jaunā parole ir tāda pati kā pašreizējā. Nekas netika mainīts.",
                        "Die neue Passphrase ist die bisherige. Nichts wurde geändert.",
                        "La nouvelle phrase secrète est l'actuelle. Rien n'a été changé.",
                        "Nowe hasło jest takie samo jak obecne. Nic nie zmieniono."),
    "unlock.title": ("Unlock your wallet", "Atbloķējiet maku", "Wallet entsperren", "Déverrouiller le portefeuille",
                     "Odblokuj portfel"),
    "unlock.button": ("Unlock", "Atbloķēt", "Entsperren", "Déverrouiller", "Odblokuj"),
    # A forgotten passphrase: the way out, on the unlock page (review R2, 3; GDPR Art. 12(1)).
    "unlock.forgot_h": ("Forgot your passphrase?", "Aizmirsāt paroli?", "Passphrase vergessen?",
                        "Phrase secrète oubliée ?", "Nie pamiętasz hasła?"),
    "unlock.forgot": (
        "Nobody can recover it, not even the wallet's provider. The way out is a new, empty wallet: starting one "
        "erases this wallet and everything in it. Then ask each institution that gave you a document for a new "
        "offer, and add the document again; the new offer also ends this wallet's renewals.",
        "To nevar atjaunot neviens, arī maka nodrošinātājs ne. Izeja ir jauns, tukšs maks: to sākot, tiek "
        "izdzēsts šis maks un viss, kas tajā ir. Pēc tam lūdziet katrai iestādei, kas jums izsniedza dokumentu, "
        "jaunu piedāvājumu un pievienojiet dokumentu vēlreiz; jaunais piedāvājums arī izbeidz šī maka kopiju "
        "atjaunošanu.",
        "Niemand kann sie wiederherstellen, auch nicht der Anbieter der Wallet. Der Ausweg ist eine neue, leere "
        "Wallet: Wenn Sie eine anlegen, wird diese Wallet mit allem, was darin ist, gelöscht. Bitten Sie dann "
        "jede Stelle, die Ihnen ein Dokument gegeben hat, um ein neues Angebot, und fügen Sie das Dokument wieder "
        "hinzu; das neue Angebot beendet auch die Erneuerungen dieser Wallet.",
        "Personne ne peut la récupérer, pas même le fournisseur du portefeuille. La solution est un nouveau "
        "portefeuille vide : le créer efface celui-ci et tout ce qu'il contient. Demandez ensuite une nouvelle "
        "offre à chaque organisme qui vous a remis un document, et ajoutez à nouveau le document ; la nouvelle "
        "offre met aussi fin aux renouvellements de ce portefeuille.",
        "Nikt nie może go odzyskać, także dostawca portfela. Wyjściem jest nowy, pusty portfel: jego założenie "
        "usuwa ten portfel i wszystko, co w nim jest. Następnie poproś każdą instytucję, która wydała Ci "
        "dokument, o nową ofertę i dodaj dokument ponownie; nowa oferta kończy też odnawianie kopii w tym "
        "portfelu.",
    ),
    "unlock.start_over": ("Start a new wallet", "Sākt jaunu maku", "Neue Wallet anlegen",
                          "Créer un nouveau portefeuille", "Załóż nowy portfel"),
    "start_over.title": ("Erase this wallet and start a new one", "Izdzēst šo maku un sākt jaunu",
                         "Diese Wallet löschen und neu beginnen", "Effacer ce portefeuille et en créer un nouveau",
                         "Usuń ten portfel i załóż nowy"),
    "start_over.what": (
        "This erases the wallet file on this device ({path}) and everything in it: every document with its "
        "copies and keys, your history, and the wallet's access to renew copies. It cannot be undone. If you "
        "remember the passphrase after all, unlock the wallet instead.",
        "Tiek izdzēsts maka fails šajā ierīcē ({path}) un viss, kas tajā ir: visi dokumenti ar to kopijām un "
        "atslēgām, jūsu vēsture un maka piekļuve kopiju atjaunošanai. To nevar atsaukt. Ja tomēr atceraties "
        "paroli, labāk atbloķējiet maku.",
        "Damit wird die Wallet-Datei auf diesem Gerät ({path}) mit allem, was darin ist, gelöscht: alle "
        "Dokumente mit ihren Kopien und Schlüsseln, Ihr Verlauf und der Zugang der Wallet zum Erneuern von "
        "Kopien. Das lässt sich nicht rückgängig machen. Wenn Ihnen die Passphrase doch noch einfällt, "
        "entsperren Sie lieber die Wallet.",
        "Cela efface le fichier du portefeuille sur cet appareil ({path}) et tout ce qu'il contient : chaque "
        "document avec ses copies et ses clés, votre historique et l'accès du portefeuille au renouvellement des "
        "copies. C'est irréversible. Si vous vous souvenez finalement de la phrase secrète, déverrouillez plutôt "
        "le portefeuille.",
        "Spowoduje to usunięcie pliku portfela na tym urządzeniu ({path}) i wszystkiego, co w nim jest: każdego "
        "dokumentu wraz z kopiami i kluczami, Twojej historii oraz dostępu portfela do odnawiania kopii. Nie "
        "można tego cofnąć. Jeśli jednak pamiętasz hasło, odblokuj portfel.",
    ),
    "start_over.then": (
        "Then create the new wallet with a new passphrase, and ask each institution that gave you a document for "
        "a new offer: the new offer also ends the erased wallet's renewals.",
        "Pēc tam izveidojiet jauno maku ar jaunu paroli un lūdziet katrai iestādei, kas jums izsniedza "
        "dokumentu, jaunu piedāvājumu: jaunais piedāvājums arī izbeidz izdzēstā maka kopiju atjaunošanu.",
        "Legen Sie danach die neue Wallet mit einer neuen Passphrase an und bitten Sie jede Stelle, die Ihnen "
        "ein Dokument gegeben hat, um ein neues Angebot: Das neue Angebot beendet auch die Erneuerungen der "
        "gelöschten Wallet.",
        "Créez ensuite le nouveau portefeuille avec une nouvelle phrase secrète, et demandez une nouvelle offre à "
        "chaque organisme qui vous a remis un document : la nouvelle offre met aussi fin aux renouvellements du "
        "portefeuille effacé.",
        "Następnie załóż nowy portfel z nowym hasłem i poproś każdą instytucję, która wydała Ci dokument, o nową "
        "ofertę: nowa oferta kończy też odnawianie kopii w usuniętym portfelu.",
    ),
    #: The word typed to confirm erasing (any language's is taken, with or without its accents).
    "start_over.word": ("ERASE", "DZĒST", "LÖSCHEN", "EFFACER", "USUŃ"),
    "start_over.confirm": ("To confirm, type {word}", "Lai apstiprinātu, ierakstiet {word}",
                           "Geben Sie zur Bestätigung {word} ein", "Pour confirmer, saisissez {word}",
                           "Aby potwierdzić, wpisz {word}"),
    "start_over.button": ("Erase this wallet", "Izdzēst šo maku", "Diese Wallet löschen", "Effacer ce portefeuille",
                          "Usuń ten portfel"),
    "start_over.mistyped": ("Type {word} in the box to erase this wallet. Nothing was erased.",
                            "Ierakstiet lodziņā {word}, lai izdzēstu šo maku. Nekas netika izdzēsts.",
                            "Geben Sie {word} in das Feld ein, um diese Wallet zu löschen. Es wurde nichts gelöscht.",
                            "Saisissez {word} dans le champ pour effacer ce portefeuille. Rien n'a été effacé.",
                            "Wpisz {word} w polu, aby usunąć ten portfel. Nic nie usunięto."),
    "start_over.kept": ("Nothing was erased.", "Nekas netika izdzēsts.", "Es wurde nichts gelöscht.",
                        "Rien n'a été effacé.", "Nic nie usunięto."),
    "start_over.needs_yes": ("No terminal to confirm on: give --yes to erase the wallet. Nothing was erased.",
                             "Nav termināļa, kurā apstiprināt: norādiet --yes, lai izdzēstu maku. Nekas netika "
                             "izdzēsts.",
                             "Kein Terminal zum Bestätigen: Geben Sie --yes an, um die Wallet zu löschen. Es wurde "
                             "nichts gelöscht.",
                             "Pas de terminal pour confirmer : ajoutez --yes pour effacer le portefeuille. Rien n'a "
                             "été effacé.",
                             "Brak terminala do potwierdzenia: podaj --yes, aby usunąć portfel. Nic nie usunięto."),
    "setup.erased": (
        "The old wallet was erased. Create the new one, then ask each institution that gave you a document for a "
        "new offer.",
        "Vecais maks ir izdzēsts. Izveidojiet jauno un pēc tam lūdziet katrai iestādei, kas jums izsniedza "
        "dokumentu, jaunu piedāvājumu.",
        "Die alte Wallet wurde gelöscht. Legen Sie die neue an und bitten Sie dann jede Stelle, die Ihnen ein "
        "Dokument gegeben hat, um ein neues Angebot.",
        "L'ancien portefeuille a été effacé. Créez le nouveau, puis demandez une nouvelle offre à chaque "
        "organisme qui vous a remis un document.",
        "Stary portfel został usunięty. Załóż nowy, a potem poproś każdą instytucję, która wydała Ci dokument, "
        "o nową ofertę.",
    ),
    "start_over.done": (
        "The old wallet was erased and a new, empty one created: {path}. Now ask each institution that gave you a "
        "document for a new offer.",
        "Vecais maks ir izdzēsts, un ir izveidots jauns, tukšs maks: {path}. Tagad lūdziet katrai iestādei, kas "
        "jums izsniedza dokumentu, jaunu piedāvājumu.",
        "Die alte Wallet wurde gelöscht und eine neue, leere angelegt: {path}. Bitten Sie jetzt jede Stelle, die "
        "Ihnen ein Dokument gegeben hat, um ein neues Angebot.",
        "L'ancien portefeuille a été effacé et un nouveau, vide, a été créé : {path}. Demandez maintenant une "
        "nouvelle offre à chaque organisme qui vous a remis un document.",
        "Stary portfel został usunięty i założono nowy, pusty: {path}. Teraz poproś każdą instytucję, która "
        "wydała Ci dokument, o nową ofertę.",
    ),
    "cli.forgot": (
        "Forgot the passphrase? Nobody can recover it. `esspass wallet init --start-over` erases this wallet "
        "({path}: its documents, keys and history) and creates a new, empty one; then ask each institution that "
        "gave you a document for a new offer.",
        "Aizmirsāt paroli? To nevar atjaunot neviens. `esspass wallet init --start-over` izdzēš šo maku ({path}: "
        "tā dokumentus, atslēgas un vēsturi) un izveido jaunu, tukšu maku; pēc tam lūdziet katrai iestādei, kas "
        "jums izsniedza dokumentu, jaunu piedāvājumu.",
        "Passphrase vergessen? Niemand kann sie wiederherstellen. `esspass wallet init --start-over` löscht diese "
        "Wallet ({path}: ihre Dokumente, Schlüssel und ihren Verlauf) und legt eine neue, leere an; bitten Sie "
        "dann jede Stelle, die Ihnen ein Dokument gegeben hat, um ein neues Angebot.",
        "Phrase secrète oubliée ? Personne ne peut la récupérer. `esspass wallet init --start-over` efface ce "
        "portefeuille ({path} : ses documents, clés et historique) et en crée un nouveau, vide ; demandez ensuite "
        "une nouvelle offre à chaque organisme qui vous a remis un document.",
        "Nie pamiętasz hasła? Nikt nie może go odzyskać. `esspass wallet init --start-over` usuwa ten portfel "
        "({path}: jego dokumenty, klucze i historię) i zakłada nowy, pusty; następnie poproś każdą instytucję, "
        "która wydała Ci dokument, o nową ofertę.",
    ),
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
    # The code's holder proof lasts about a minute (credentials/compact.py): a screenshot is no paper copy (R2, 7).
    "card.offline_help": ("Show this code to the inspector from this screen. It renews itself every 30 seconds while "
                          "this page is open; a screenshot or photo of it stops working after about a minute.",
                          "Parādiet šo kodu inspektoram šajā ekrānā. Kamēr šī lapa ir atvērta, tas atjaunojas ik "
                          "pēc 30 sekundēm; tā ekrānuzņēmums vai foto pēc apmēram minūtes vairs nederēs.",
                          "Zeigen Sie diesen Code der Kontrollperson auf diesem Bildschirm. Solange diese Seite "
                          "offen ist, erneuert er sich alle 30 Sekunden; ein Bildschirmfoto oder Foto davon gilt "
                          "nach etwa einer Minute nicht mehr.",
                          "Montrez ce code à l'inspecteur sur cet écran. Il se renouvelle toutes les 30 secondes "
                          "tant que cette page est ouverte ; une capture d'écran ou une photo cesse de fonctionner "
                          "au bout d'une minute environ.",
                          "Pokaż ten kod inspektorowi na tym ekranie. Odnawia się co 30 sekund, dopóki ta strona "
                          "jest otwarta; zrzut ekranu lub zdjęcie kodu przestaje działać po około minucie."),
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
    # The trust list refuses the key the copies were signed with (revoked, or the institution suspended when it
    # signed: wallet.core.check_status): not the document, its copies; a new copy is the way on.
    "status.distrusted": ("Copies no longer accepted: the trust list refuses the key they were signed with.",
                          "Kopijas vairs netiek pieņemtas: uzticamības saraksts noraida atslēgu, ar kuru tās "
                          "parakstītas.",
                          "Kopien nicht mehr anerkannt: Die Vertrauensliste lehnt den Schlüssel ab, mit dem sie "
                          "signiert wurden.",
                          "Copies plus acceptées : la liste de confiance refuse la clé avec laquelle elles ont été "
                          "signées.",
                          "Kopie nie są już akceptowane: lista zaufania odrzuca klucz, którym je podpisano."),
    # STOPPED (0x0C): the institution stopped the copies on this phone (reported lost or stolen), not the document.
    "status.stopped": ("Stopped on this phone by the issuer (reported lost or stolen).",
                       "Izsniedzējs to šajā tālrunī ir apturējis (ziņots, ka tas pazaudēts vai nozagts).",
                       "Auf diesem Telefon von der ausstellenden Stelle gestoppt (als verloren oder gestohlen "
                       "gemeldet).",
                       "Arrêté sur ce téléphone par l'émetteur (déclaré perdu ou volé).",
                       "Zatrzymany na tym telefonie przez wystawcę (zgłoszony jako zgubiony lub skradziony)."),
    "status.replaced": ("Replaced by a newer document.", "Aizstāts ar jaunāku dokumentu.",
                        "Durch ein neueres Dokument ersetzt.", "Remplacé par un document plus récent.",
                        "Zastąpiony nowszym dokumentem."),
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
    # An error page's way back to the page the worker was on (the Add or Show page, a document, a request).
    "button.back_page": ("Back", "Atpakaļ", "Zurück", "Retour", "Wstecz"),
    "offer.title": ("Document offered", "Piedāvātais dokuments", "Angebotenes Dokument", "Document proposé",
                    "Oferowany dokument"),
    "offer.from": ("{issuer} offers you:", "{issuer} jums piedāvā:", "{issuer} bietet Ihnen an:",
                   "{issuer} vous propose :", "{issuer} oferuje:"),
    "offer.tx_code": ("Code you received separately", "Atsevišķi saņemtais kods", "Separat erhaltener Code",
                      "Code reçu séparément", "Kod otrzymany osobno"),
    # The wallet's own hint, from the offer's tx_code length and input_mode (OpenID4VCI 1.0 §4.1.1): an
    # issuer's description, when it sends one, is in its own language (review R10, 4).
    "offer.tx_code_help": ("{length} digits: the code the institution gave you separately.",
                           "{length} cipari: kods, ko iestāde jums iedeva atsevišķi.",
                           "{length} Ziffern: der Code, den Ihnen die Stelle separat gegeben hat.",
                           "{length} chiffres : le code que l'organisme vous a remis séparément.",
                           "{length} cyfr: kod, który instytucja przekazała Ci osobno."),
    "offer.tx_code_help_text": ("{length} characters: the code the institution gave you separately.",
                                "{length} rakstzīmes: kods, ko iestāde jums iedeva atsevišķi.",
                                "{length} Zeichen: der Code, den Ihnen die Stelle separat gegeben hat.",
                                "{length} caractères : le code que l'organisme vous a remis séparément.",
                                "{length} znaków: kod, który instytucja przekazała Ci osobno."),
    "offer.tx_code_help_any": ("The code the institution gave you separately.",
                               "Kods, ko iestāde jums iedeva atsevišķi.",
                               "Der Code, den Ihnen die Stelle separat gegeben hat.",
                               "Le code que l'organisme vous a remis séparément.",
                               "Kod, który instytucja przekazała Ci osobno."),
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
    # The verifier's privacy notice (GDPR Art. 13), from its registration on the verifiers list.
    "consent.policy": ("How {verifier} handles your data", "Kā {verifier} apstrādā jūsu datus",
                       "Wie {verifier} mit Ihren Daten umgeht", "Comment {verifier} traite vos données",
                       "Jak {verifier} przetwarza Twoje dane"),
    "consent.leaves": ("Only these data will leave your phone:", "Tikai šie dati atstās jūsu tālruni:",
                       "Nur diese Daten verlassen Ihr Telefon:", "Seules ces données quitteront votre téléphone :",
                       "Tylko te dane opuszczą Twój telefon:"),
    "consent.from_document": ("From: {title}", "No: {title}", "Aus: {title}", "De : {title}", "Z dokumentu: {title}"),
    "consent.always": ("Always included with this document (the issuer does not let it be hidden):",
                       "Vienmēr iekļauts šajā dokumentā (izsniedzējs neļauj to slēpt):",
                       "Immer in diesem Dokument enthalten (die ausstellende Stelle lässt es nicht verbergen):",
                       "Toujours inclus dans ce document (l'émetteur ne permet pas de le masquer) :",
                       "Zawsze dołączane do tego dokumentu (wystawca nie pozwala ich ukryć):"),
    "consent.nothing_else": ("Nothing else is sent.", "Nekas cits netiek nosūtīts.", "Sonst wird nichts gesendet.",
                             "Rien d'autre n'est envoyé.", "Nic więcej nie jest wysyłane."),
    "consent.share": ("Share", "Kopīgot", "Teilen", "Partager", "Udostępnij"),
    "consent.decline": ("Decline", "Atteikt", "Ablehnen", "Refuser", "Odmów"),
    "consent.unmatched": ("You do not hold the documents asked for.", "Jums nav pieprasīto dokumentu.",
                          "Sie besitzen die angefragten Dokumente nicht.",
                          "Vous ne détenez pas les documents demandés.", "Nie masz żądanych dokumentów."),
    # Which of the documents asked for the wallet holds none of (the worker may hold the A1 but not the
    # identity document the inspector also asks for): whom to ask is then plain.
    "consent.missing": ("Not in this wallet: {documents}.", "Šajā makā nav: {documents}.",
                        "Nicht in dieser Wallet: {documents}.", "Absent de ce portefeuille : {documents}.",
                        "Brak w tym portfelu: {documents}."),
    # Several documents answer one query (OpenID4VP §6.4: the wallet chooses; a parent's own EHIC and her
    # child's, Decision S1): the worker picks the one to show (wallet.core.choices).
    "consent.choose": ("Several of your documents answer this request. Choose the one to show:",
                       "Šim pieprasījumam atbilst vairāki jūsu dokumenti. Izvēlieties, kuru uzrādīt:",
                       "Mehrere Ihrer Dokumente passen zu dieser Anfrage. Wählen Sie, welches Sie vorzeigen:",
                       "Plusieurs de vos documents répondent à cette demande. Choisissez celui à présenter :",
                       "Tej prośbie odpowiada kilka Twoich dokumentów. Wybierz, który okazać:"),
    "consent.chosen": ("This one is shown", "Tiks uzrādīts šis", "Dieses wird vorgezeigt", "Celui-ci est présenté",
                       "Ten zostanie okazany"),
    "consent.use_this": ("Show this one instead", "Uzrādīt šo", "Stattdessen dieses vorzeigen",
                         "Présenter celui-ci à la place", "Okaż ten zamiast"),
    "consent.choose_cli": ("Several of your documents answer this request; the one marked * is shown (another: "
                           "--choose ID):",
                           "Šim pieprasījumam atbilst vairāki jūsu dokumenti; tiks uzrādīts ar * atzīmētais (cits: "
                           "--choose ID):",
                           "Mehrere Ihrer Dokumente passen zu dieser Anfrage; das mit * markierte wird vorgezeigt "
                           "(ein anderes: --choose ID):",
                           "Plusieurs de vos documents répondent à cette demande ; celui marqué * est présenté (un "
                           "autre : --choose ID) :",
                           "Tej prośbie odpowiada kilka Twoich dokumentów; okazany zostanie oznaczony * (inny: "
                           "--choose ID):"),
    "consent.choose_prompt": ("Show which one? (1-{n}, Enter: the one marked *) ",
                              "Kuru uzrādīt? (1-{n}, Enter: ar * atzīmēto) ",
                              "Welches vorzeigen? (1-{n}, Eingabe: das mit *) ",
                              "Lequel présenter ? (1-{n}, Entrée : celui marqué *) ",
                              "Który okazać? (1-{n}, Enter: oznaczony *) "),
    # Whom an EHIC insures, where it is not the worker (a child's card) or on the consent's choice.
    "card.whose": ("Card of {name}", "Apdrošinātā persona: {name}", "Karte von {name}", "Carte de {name}",
                   "Karta osoby: {name}"),
    "card.whose_prc": ("Certificate of {name}", "Apdrošinātā persona: {name}", "Bescheinigung von {name}",
                       "Certificat de {name}", "Certyfikat osoby: {name}"),
    # The sentence of a represented person's EHIC (credentials.ehic's without "you"). A Latvian date ends
    # with its own full stop ("01.11.2029."): the sentence adds none.
    "shared.title": ("Shared", "Kopīgots", "Geteilt", "Partagé", "Udostępniono"),
    "shared.text": ("{verifier} received the data you agreed to share.",
                    "{verifier} saņēma datus, kurus piekritāt kopīgot.",
                    "{verifier} hat die Daten erhalten, deren Weitergabe Sie zugestimmt haben.",
                    "{verifier} a reçu les données que vous avez accepté de partager.",
                    # Whatever the gender of the verifier (an inspekcja) and of the worker (review R10, 7).
                    "Dane, na których udostępnienie wyrażono zgodę, zostały przekazane: {verifier}."),
    "declined.title": ("Declined", "Atteikts", "Abgelehnt", "Refusé", "Odmówiono"),
    "declined.text": ("Nothing was shared. {verifier} was told that you declined.",
                      "Nekas netika kopīgots. {verifier} tika paziņots, ka atteicāt.",
                      "Es wurde nichts geteilt. {verifier} wurde mitgeteilt, dass Sie abgelehnt haben.",
                      "Rien n'a été partagé. {verifier} a été informé de votre refus.",
                      "Nic nie udostępniono. Informację o odmowie przekazano: {verifier}."),
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
    # A POST another site sent (another port of this computer too: wallet.app.from_own_pages, review R3, 1).
    "error.foreign": ("This form was not sent from the wallet's own pages, so nothing was done. Use the wallet's "
                      "own buttons.",
                      "Šī veidlapa netika nosūtīta no maka lapām, tāpēc nekas netika darīts. Izmantojiet maka "
                      "pogas.",
                      "Dieses Formular wurde nicht von den Seiten der Wallet gesendet, daher wurde nichts getan. "
                      "Verwenden Sie die Schaltflächen der Wallet.",
                      "Ce formulaire n'a pas été envoyé depuis les pages du portefeuille : rien n'a été fait. "
                      "Utilisez les boutons du portefeuille.",
                      "Ten formularz nie został wysłany ze stron portfela, więc nic nie zostało zrobione. Użyj "
                      "przycisków portfela."),
    "error.form": ("The form has expired. Please try again.", "Veidlapa ir novecojusi. Mēģiniet vēlreiz.",
                   "Das Formular ist abgelaufen. Bitte erneut versuchen.",
                   "Le formulaire a expiré. Veuillez réessayer.", "Formularz wygasł. Spróbuj ponownie."),
    # A form the wallet's pages never send (esspass.web.form_pages): more fields or files than Starlette reads
    # (1000), a body that is no form, a field missing or too long.
    "error.form_unreadable": ("The form could not be read: it is not one the wallet's pages send. Nothing was "
                              "done. Open the page again and try again.",
                              "Veidlapu nevarēja nolasīt: to nesūta maka lapas. Nekas netika darīts. Atveriet "
                              "lapu vēlreiz un mēģiniet vēlreiz.",
                              "Das Formular konnte nicht gelesen werden: Die Seiten der Wallet senden keines wie "
                              "dieses. Es wurde nichts getan. Öffnen Sie die Seite erneut und versuchen Sie es noch "
                              "einmal.",
                              "Le formulaire n'a pas pu être lu : les pages du portefeuille n'en envoient pas de "
                              "tel. Rien n'a été fait. Rouvrez la page et réessayez.",
                              "Nie udało się odczytać formularza: strony portfela nie wysyłają takiego. Nic nie "
                              "zostało zrobione. Otwórz stronę ponownie i spróbuj jeszcze raz."),
    # An address the wallet has not, opened in the browser (esspass.web.serve_not_found_page).
    "error.no_page": ("There is no page at this address in the wallet.", "Makā šajā adresē nav lapas.",
                      "Unter dieser Adresse gibt es in der Wallet keine Seite.",
                      "Il n'y a pas de page à cette adresse dans le portefeuille.",
                      "Pod tym adresem w portfelu nie ma strony."),
    "error.nothing": ("Paste a link or choose a picture.", "Ielīmējiet saiti vai izvēlieties attēlu.",
                      "Fügen Sie einen Link ein oder wählen Sie ein Bild.",
                      "Collez un lien ou choisissez une image.", "Wklej link lub wybierz obraz."),
    "error.wait": ("Too many wrong passphrases. Try again in {seconds} seconds.",
                   "Pārāk daudz nepareizu paroļu. Mēģiniet vēlreiz pēc {seconds} sekundēm.",
                   "Zu viele falsche Passphrasen. Versuchen Sie es in {seconds} Sekunden erneut.",
                   "Trop de phrases secrètes erronées. Réessayez dans {seconds} secondes.",
                   "Zbyt wiele błędnych haseł. Spróbuj ponownie za {seconds} s."),
    "nav.language": ("Language", "Valoda", "Sprache", "Langue", "Język"),
    "nav.skip": ("Skip to main content", "Pāriet uz galveno saturu", "Zum Hauptinhalt springen",
                 "Aller au contenu principal", "Przejdź do treści głównej"),
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
                         "Iestādei {institution} vispirms jāapstiprina šis dokuments. Maks to saņems, tiklīdz tas "
                         "būs "
                         "apstiprināts; kods nav jāskenē vēlreiz.",
                         "{institution} muss dieses Dokument zuerst freigeben. Die Wallet holt es ab, sobald es "
                         "freigegeben ist; Sie müssen den Code nicht erneut scannen.",
                         "{institution} doit d'abord approuver ce document. Le portefeuille le récupérera dès "
                         "qu'il sera approuvé ; inutile de scanner à nouveau le code.",
                         "Instytucja {institution} musi najpierw zatwierdzić ten dokument. Portfel pobierze go, "
                         "gdy tylko "
                         "zostanie zatwierdzony; nie trzeba ponownie skanować kodu."),
    "pending.deferred_terminal": ("{institution} must approve this document first. Once it is approved, run "
                                  "'esspass wallet fetch-pending' to fetch it ('esspass wallet pending' shows what "
                                  "waits); you do not need to scan the code again.",
                                  "Iestādei {institution} vispirms jāapstiprina šis dokuments. Kad tas būs "
                                  "apstiprināts, "
                                  "palaidiet 'esspass wallet fetch-pending', lai to saņemtu ('esspass wallet "
                                  "pending' parāda, kas gaida); kods nav jāskenē vēlreiz.",
                                  "{institution} muss dieses Dokument zuerst freigeben. Sobald es freigegeben ist, "
                                  "führen Sie 'esspass wallet fetch-pending' aus, um es abzuholen ('esspass wallet "
                                  "pending' zeigt, was wartet); Sie müssen den Code nicht erneut scannen.",
                                  "{institution} doit d'abord approuver ce document. Une fois qu'il est approuvé, "
                                  "lancez 'esspass wallet fetch-pending' pour le récupérer ('esspass wallet pending' "
                                  "montre ce qui attend) ; inutile de scanner à nouveau le code.",
                                  "Instytucja {institution} musi najpierw zatwierdzić ten dokument. Po zatwierdzeniu "
                                  "uruchom "
                                  "'esspass wallet fetch-pending', aby go pobrać ('esspass wallet pending' pokazuje, "
                                  "co czeka); nie trzeba ponownie skanować kodu."),
    "pending.waiting": ("Waiting for {institution} to approve {document}, asked {date}",
                        "Gaida, kad iestāde {institution} apstiprinās: {document}; pieprasīts {date}",
                        "Wartet auf Freigabe durch {institution}: {document}, angefragt am {date}",
                        "En attente de l'approbation de {institution} : {document}, demandé le {date}",
                        "Oczekuje na zatwierdzenie przez instytucję {institution}: {document}, wniosek z {date}"),
    "pending.check_now": ("Check now", "Pārbaudīt tagad", "Jetzt prüfen", "Vérifier maintenant",
                          "Sprawdź teraz"),
    "pending.none": ("No documents are waiting for an institution.", "Neviens dokuments negaida iestādi.",
                     "Keine Dokumente warten auf eine Stelle.", "Aucun document n'attend un organisme.",
                     "Żaden dokument nie czeka na instytucję."),
    "pending.still": ("{institution} has not approved {document} yet. The wallet will ask again later.",
                      "Iestāde {institution} vēl nav apstiprinājusi: {document}. Maks jautās vēlreiz vēlāk.",
                      "{institution} hat {document} noch nicht freigegeben. Die Wallet fragt später erneut.",
                      "L'organisme {institution} n'a pas encore approuvé {document}. Le portefeuille redemandera plus "
                      "tard.",
                      "Instytucja {institution} nie zatwierdziła jeszcze: {document}. Portfel zapyta ponownie "
                      "później."),
    "pending.unreachable": ("{institution} could not be asked about {document} now ({detail}). The wallet will "
                            "try again later.",
                            "Pašlaik neizdevās sazināties ar iestādi {institution} par: {document} ({detail}). Maks "
                            "mēģinās vēlreiz vēlāk.",
                            "{institution} konnte gerade nicht zu {document} befragt werden ({detail}). Die Wallet "
                            "versucht es später erneut.",
                            "L'organisme {institution} n'a pas pu être interrogé sur {document} ({detail}). Le "
                            "portefeuille "
                            "réessaiera plus tard.",
                            "Nie udało się teraz zapytać instytucji {institution} o: {document} ({detail}). Portfel "
                            "spróbuje "
                            "ponownie później."),
    "pending.received": ("{institution} approved {document}; it is now in your wallet.",
                         "Iestāde {institution} apstiprināja: {document}; tas tagad ir jūsu makā.",
                         "{institution} hat {document} freigegeben; es ist jetzt in Ihrer Wallet.",
                         "{institution} a approuvé {document} ; il est maintenant dans votre portefeuille.",
                         "Instytucja {institution} zatwierdziła: {document}; dokument jest teraz w portfelu."),
    "pending.partial": ("{institution} approved {document}; it is now in your wallet, but not all of it could be "
                        "fetched ({detail}). Ask the institution if you need the rest.",
                        "Iestāde {institution} apstiprināja: {document}; tas tagad ir jūsu makā, taču ne visu "
                        "izdevās "
                        "saņemt ({detail}). Ja vajag pārējo, vērsieties iestādē.",
                        "{institution} hat {document} freigegeben; es ist jetzt in Ihrer Wallet, aber nicht alles "
                        "konnte abgeholt werden ({detail}). Fragen Sie die Stelle, wenn Sie den Rest brauchen.",
                        "{institution} a approuvé {document} ; il est maintenant dans votre portefeuille, mais "
                        "tout n'a pas pu être récupéré ({detail}). Demandez le reste à l'organisme si besoin.",
                        "Instytucja {institution} zatwierdziła: {document}; dokument jest teraz w portfelu, ale nie "
                        "wszystko "
                        "udało się pobrać ({detail}). Jeśli potrzebujesz reszty, zwróć się do instytucji."),
    "pending.refused": ("{institution} refused to issue {document}. Contact the institution if you think this "
                        "is a mistake.",
                        "Iestāde {institution} atteica izsniegt: {document}. Sazinieties ar iestādi, ja uzskatāt, ka "
                        "tā ir "
                        "kļūda.",
                        "{institution} hat die Ausstellung von {document} abgelehnt. Wenden Sie sich an die "
                        "Stelle, wenn Sie dies für einen Fehler halten.",
                        "{institution} a refusé de délivrer {document}. Contactez l'organisme si vous pensez "
                        "qu'il s'agit d'une erreur.",
                        "Instytucja {institution} odmówiła wydania: {document}. Skontaktuj się z nią, jeśli uważasz, "
                        "że to błąd."),
    "pending.gone": ("{institution} no longer knows the request for {document}. Ask the institution for a new "
                     "offer.",
                     "Iestāde {institution} vairs nezina pieprasījumu: {document}. Lūdziet iestādei jaunu "
                     "piedāvājumu.",
                     "{institution} kennt die Anfrage für {document} nicht mehr. Bitten Sie die Stelle um ein "
                     "neues Angebot.",
                     "{institution} ne connaît plus la demande de {document}. Demandez une nouvelle offre à "
                     "l'organisme.",
                     "Instytucja {institution} nie zna już wniosku o: {document}. Poproś ją o nową ofertę."),
    "pending.expired": ("The wallet's access to {institution} for {document} has expired and could not be "
                        "renewed. Ask the institution for a new offer.",
                        "Maka piekļuve iestādē {institution} dokumentam {document} ir beigusies, un to neizdevās "
                        "atjaunot. Lūdziet iestādei jaunu piedāvājumu.",
                        "Der Zugang der Wallet bei {institution} für {document} ist abgelaufen und konnte nicht "
                        "erneuert werden. Bitten Sie die Stelle um ein neues Angebot.",
                        "L'accès du portefeuille auprès de {institution} pour {document} a expiré et n'a pas pu "
                        "être renouvelé. Demandez une nouvelle offre à l'organisme.",
                        "Dostęp portfela do instytucji {institution} dla dokumentu {document} wygasł i nie dało się go "
                        "odnowić. Poproś instytucję o nową ofertę."),
    "pending.failed": ("{document} from {institution} arrived but failed the wallet's checks, so it was not "
                       "kept ({detail}).",
                       "{document} no iestādes {institution} tika saņemts, bet neizturēja maka pārbaudes, tāpēc "
                       "netika "
                       "saglabāts ({detail}).",
                       "{document} von {institution} ist eingetroffen, hat aber die Prüfungen der Wallet nicht "
                       "bestanden und wurde nicht gespeichert ({detail}).",
                       "{document} de {institution} est arrivé mais n'a pas passé les contrôles du portefeuille ; "
                       "il n'a pas été gardé ({detail}).",
                       "{document} od instytucji {institution} dotarł, ale nie przeszedł kontroli portfela, więc go "
                       "nie "
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
                        "Maks vairs negaida: {document} no iestādes {institution}; tam glabātais ir dzēsts.",
                        "Die Wallet wartet nicht mehr auf {document} von {institution}; was sie dafür "
                        "aufbewahrt hat, ist gelöscht.",
                        "Le portefeuille n'attend plus {document} de {institution} ; ce qu'il gardait pour "
                        "lui est effacé.",
                        "Portfel nie czeka już na: {document} od instytucji {institution}; to, co dla niego "
                        "przechowywał, zostało usunięte."),
    "pending.next": ("next check after {when}", "nākamā pārbaude pēc {when}", "nächste Prüfung nach {when}",
                     "prochaine vérification après {when}", "następne sprawdzenie po {when}"),
    "card.offline_qr_alt": ("Offline QR code of this document, to show the inspector",
                            "Šī dokumenta bezsaistes QR kods, ko parādīt inspektoram",
                            "Offline-QR-Code dieses Dokuments für die Kontrollperson",
                            "Code QR hors ligne de ce document, à montrer à l'inspecteur",
                            "Kod QR offline tego dokumentu do pokazania inspektorowi"),
    # A document's own dates (wallet.core.document_period): the lists' words, and the status beside them.
    "state.ended": ("No longer valid: it ended on {date}", "Vairs nav derīgs: derīguma termiņš beidzās {date}",
                    "Nicht mehr gültig: die Gültigkeit endete am {date}",
                    "Plus valable : sa validité a pris fin le {date}",
                    "Już nieważny: termin ważności upłynął {date}"),
    # A document that certifies a period (an A1, a provisional replacement certificate) once it has ended:
    # still the proof of that period (wallet.service.covers_a_period), not an expired card.
    "state.period_ended": ("Covers {start} to {end} (ended)", "Attiecas uz laikposmu no {start} līdz {end} (beidzies)",
                           "Gilt für den Zeitraum vom {start} bis zum {end} (beendet)",
                           "Couvre la période du {start} au {end} (terminée)",
                           "Obejmuje okres od {start} do {end} (zakończony)"),
    # A document shown to be another person's than the wallet's PID (wallet.core.other_persons).
    # Whom another person's document names (wallet.service._other_named), beside "Not yours".
    "card.other_named": ("This document names {name}", "Šajā dokumentā norādīta persona: {name}",
                         "Dieses Dokument nennt {name}", "Ce document nomme {name}",
                         "Ten dokument wskazuje osobę: {name}"),
    "state.other_person": ("Not yours: another person's than your identity document (PID)",
                           "Nav jūsu: citas personas, nevis jūsu personas identifikācijas datu (PID) personas",
                           "Nicht Ihres: einer anderen Person als der Ihres Identitätsnachweises (PID)",
                           "Pas le vôtre : celui d'une autre personne que celle de votre pièce d'identité (PID)",
                           "Nie Twój: innej osoby niż Twój dokument tożsamości (PID)"),
    "received.other_person": (
        "This document names another person than the identity document (PID) in this wallet (another personal "
        "number, or another name or date of birth). An inspector checking it with your PID would find that it is "
        "not yours. If it is not yours, remove it and tell {issuer}.",
        "Šis dokuments attiecas uz citu personu, nevis to, kuras identifikācijas dati (PID) ir šajā makā (cits "
        "personas kods vai cits vārds vai dzimšanas datums). Inspektors, to pārbaudot kopā ar jūsu PID, "
        "konstatētu, ka tas nav jūsu. Ja tas nav jūsu, izdzēsiet to un paziņojiet iestādei {issuer}.",
        "Dieses Dokument nennt eine andere Person als der Identitätsnachweis (PID) in dieser Wallet (eine andere "
        "Kennnummer oder ein anderer Name oder ein anderes Geburtsdatum). Eine Kontrollperson, die es mit Ihrem "
        "PID prüft, würde feststellen, dass es nicht Ihres ist. Wenn es nicht Ihres ist, löschen Sie es und "
        "teilen Sie es {issuer} mit.",
        "Ce document désigne une autre personne que la pièce d'identité (PID) de ce portefeuille (un autre numéro "
        "d'identification, ou un autre nom ou une autre date de naissance). Un inspecteur qui le vérifierait avec "
        "votre PID constaterait qu'il n'est pas le vôtre. S'il n'est pas le vôtre, supprimez-le et prévenez "
        "{issuer}.",
        "Ten dokument wskazuje inną osobę niż dokument tożsamości (PID) w tym portfelu (inny numer identyfikacyjny "
        "albo inne imię, nazwisko lub data urodzenia). Inspektor sprawdzający go razem z Twoim PID stwierdziłby, "
        "że nie jest Twój. Jeśli nie jest Twój, usuń go i powiadom instytucję {issuer}.",
    ),
    "state.not_yet": ("Not valid yet: valid from {date}", "Vēl nav derīgs: derīgs no {date}",
                      "Noch nicht gültig: gültig ab {date}", "Pas encore valable : valable à partir du {date}",
                      "Jeszcze nieważny: ważny od {date}"),
    # Copy renewal (HAIP 1.0 §4 credential refresh; wallet.renewal, WalletService.renew).
    "card.renew": ("Renew copies", "Atjaunot kopijas", "Kopien erneuern", "Renouveler les copies", "Odnów kopie"),
    # In place of "Renew copies" where the wallet holds no grant for the card (WalletService.renews; review R2, 8).
    "card.renew_none": (
        "This wallet cannot renew these copies by itself: for new ones, ask {institution} for a new offer.",
        "Šis maks pats nevar atjaunot šīs kopijas: lai saņemtu jaunas, lūdziet iestādei {institution} jaunu "
        "piedāvājumu.",
        "Diese Wallet kann diese Kopien nicht selbst erneuern: Für neue bitten Sie {institution} um ein neues "
        "Angebot.",
        "Ce portefeuille ne peut pas renouveler ces copies lui-même : pour en avoir de nouvelles, demandez une "
        "nouvelle offre à {institution}.",
        "Ten portfel nie może sam odnowić tych kopii: aby dostać nowe, poproś instytucję {institution} o nową "
        "ofertę."),
    "card.renew_help": (
        "Asks the institution for new copies of this document with the access it gave this wallet, without a "
        "new offer. The copies you hold stay until the new ones have arrived and been checked.",
        "Lūdz iestādei jaunas šī dokumenta kopijas ar piekļuvi, ko tā devusi šim makam, bez jauna "
        "piedāvājuma. Jūsu kopijas paliek, līdz jaunās ir saņemtas un pārbaudītas.",
        "Bittet die Stelle mit dem Zugang, den sie dieser Wallet gegeben hat, ohne neues Angebot um neue "
        "Kopien dieses Dokuments. Ihre Kopien bleiben, bis die neuen angekommen und geprüft sind.",
        "Demande à l'organisme de nouvelles copies de ce document avec l'accès qu'il a donné à ce "
        "portefeuille, sans nouvelle offre. Vos copies restent jusqu'à ce que les nouvelles soient arrivées "
        "et vérifiées.",
        "Portfel poprosi instytucję o nowe kopie tego dokumentu bez nowej oferty, korzystając z dostępu, który "
        "od niej otrzymał. Twoje kopie pozostają, dopóki nowe nie nadejdą i nie zostaną sprawdzone."),
    "renew.done": (
        "New copies of {document} received from {institution}: they can be shown until {date}.",
        "No iestādes {institution} saņemtas jaunas dokumenta {document} kopijas: tās var uzrādīt līdz {date}.",
        "Neue Kopien von {document} von {institution} erhalten: Sie können bis {date} gezeigt werden.",
        "Nouvelles copies de {document} reçues de {institution} : elles peuvent être présentées jusqu'au "
        "{date}.",
        "Otrzymano nowe kopie dokumentu {document} od instytucji {institution}: można je okazywać do {date}."),
    "renew.partly": ("Not every form of it was renewed: {detail}", "Ne visi tā veidi tika atjaunoti: {detail}",
                     "Nicht jede Form davon wurde erneuert: {detail}",
                     "Toutes ses formes n'ont pas été renouvelées : {detail}",
                     "Nie wszystkie jego postacie zostały odnowione: {detail}"),
    "renew.refused": (
        "{institution} no longer renews the copies of {document} in this wallet: ask {institution} for a new "
        "offer. The copies you hold are kept until they end.",
        "Iestāde {institution} vairs neatjauno dokumenta {document} kopijas šajā makā: lūdziet iestādei "
        "{institution} jaunu piedāvājumu. Jūsu kopijas paliek, līdz to derīgums beidzas.",
        "{institution} erneuert die Kopien von {document} in dieser Wallet nicht mehr: Bitten Sie {institution} "
        "um ein neues Angebot. Ihre Kopien bleiben, bis sie ablaufen.",
        "{institution} ne renouvelle plus les copies de {document} dans ce portefeuille : demandez une nouvelle "
        "offre à {institution}. Vos copies sont gardées jusqu'à leur fin.",
        "Instytucja {institution} nie odnawia już kopii dokumentu {document} w tym portfelu: poproś instytucję "
        "{institution} o nową ofertę. Twoje kopie pozostają do końca ich ważności."),
    # The issuer's "not due" names a time after the copies held end (wallet.renewal.not_due_credible, review
    # R3, 4): said as why the renewal failed ("renew.failed"'s detail), never "they can still be shown".
    "renew.not_due_late": (
        "the institution would renew them only from {date}, but the copies you hold end before then. If they "
        "have ended, ask the institution for a new offer.",
        "iestāde tās atjaunotu tikai no {date}, bet jūsu kopijas beidzas pirms tam. Ja tās ir beigušās, "
        "lūdziet iestādei jaunu piedāvājumu.",
        "die Stelle würde sie erst ab {date} erneuern, Ihre Kopien enden aber vorher. Wenn sie abgelaufen sind, "
        "bitten Sie die Stelle um ein neues Angebot.",
        "l'organisme ne les renouvellerait qu'à partir du {date}, mais vos copies prennent fin avant. Si elles "
        "ont pris fin, demandez une nouvelle offre à l'organisme.",
        "instytucja odnowiłaby je dopiero od {date}, ale posiadane kopie wygasają wcześniej. Jeśli już wygasły, "
        "poproś instytucję o nową ofertę."),
    "renew.failed": (
        "The copies of {document} could not be renewed: {detail} The copies you hold are kept.",
        "Dokumenta {document} kopijas neizdevās atjaunot: {detail} Jūsu kopijas paliek.",
        "Die Kopien von {document} konnten nicht erneuert werden: {detail} Ihre Kopien bleiben erhalten.",
        "Les copies de {document} n'ont pas pu être renouvelées : {detail} Vos copies sont gardées.",
        "Nie udało się odnowić kopii dokumentu {document}: {detail} Twoje kopie pozostają."),
    # The issuer's "not due for renewal" (credential_request_denied with its date, review R10, 1): no refusal.
    "renew.not_due": (
        "The copies of {document} are not due for renewal yet: {institution} renews them from {date}. Your "
        "document stays valid, and the copies you hold can still be shown.",
        "Dokumenta {document} kopijas vēl nav jāatjauno: iestāde {institution} tās atjauno no {date}. Jūsu "
        "dokuments paliek derīgs, un jūsu kopijas joprojām var uzrādīt.",
        "Die Kopien von {document} sind noch nicht zur Erneuerung fällig: {institution} erneuert sie ab {date}. "
        "Ihr Dokument bleibt gültig, und Ihre Kopien können weiter gezeigt werden.",
        "Les copies de {document} ne sont pas encore à renouveler : {institution} les renouvelle à partir du "
        "{date}. Votre document reste valable, et vos copies peuvent toujours être présentées.",
        "Kopii dokumentu {document} nie trzeba jeszcze odnawiać: instytucja {institution} odnowi je od {date}. "
        "Twój dokument pozostaje ważny, a posiadane kopie nadal można okazywać."),
    "renew.none_due": ("No document's copies need renewing now.", "Nevienam dokumentam kopijas tagad nav jāatjauno.",
                       "Die Kopien keines Dokuments müssen jetzt erneuert werden.",
                       "Les copies d'aucun document ne doivent être renouvelées maintenant.",
                       "Kopie żadnego dokumentu nie wymagają teraz odnowienia."),
    # Every copy past its technical expiry (the issuer's signer certificate ended) while the document is
    # still valid (wallet.core.copies_expired): not "ended"; the institution gives a new copy.
    "state.copies_end": (
        "This copy can be shown until {date}; the document is valid until {until}: ask {institution} for a new "
        "copy before then",
        "Šo kopiju var uzrādīt līdz {date}; dokuments ir derīgs līdz {until}: pirms tam lūdziet iestādei "
        "{institution} jaunu kopiju",
        "Diese Kopie kann bis {date} gezeigt werden; das Dokument gilt bis {until}: Bitten Sie {institution} "
        "vorher um eine neue Kopie",
        "Cette copie peut être présentée jusqu'au {date} ; le document est valable jusqu'au {until} : demandez "
        "avant cette date une nouvelle copie à {institution}",
        "Tę kopię można okazywać do {date}; dokument jest ważny do {until}: wcześniej poproś instytucję "
        "{institution} o nową kopię"),
    "state.copy_expired": ("This copy expired on {date}; the document is valid until {until}: ask {institution} "
                           "for a new copy",
                           "Šīs kopijas derīgums beidzās {date}; dokuments ir derīgs līdz {until}: lūdziet iestādei "
                           "{institution} jaunu kopiju",
                           "Diese Kopie ist am {date} abgelaufen; das Dokument gilt bis {until}: Bitten Sie "
                           "{institution} um eine neue Kopie",
                           "Cette copie a expiré le {date} ; le document est valable jusqu'au {until} : demandez une "
                           "nouvelle copie à {institution}",
                           "Ta kopia wygasła {date}; dokument jest ważny do {until}: poproś instytucję {institution} o "
                           "nową kopię"),
    "state.copy_expired_open": ("This copy expired on {date}; the document itself has not ended: ask {institution} "
                                "for a new copy",
                                "Šīs kopijas derīgums beidzās {date}; pats dokuments nav beidzies: lūdziet iestādei "
                                "{institution} jaunu kopiju",
                                "Diese Kopie ist am {date} abgelaufen; das Dokument selbst ist nicht abgelaufen: "
                                "Bitten Sie {institution} um eine neue Kopie",
                                "Cette copie a expiré le {date} ; le document lui-même n'a pas pris fin : demandez "
                                "une nouvelle copie à {institution}",
                                "Ta kopia wygasła {date}; sam dokument nie wygasł: poproś instytucję {institution} o "
                                "nową kopię"),
    "status.not_withdrawn": ("Not withdrawn by the issuer.", "Izsniedzējs to nav atsaucis.",
                             "Von der ausstellenden Stelle nicht widerrufen.", "Non retiré par l'émetteur.",
                             "Nie został wycofany przez wystawcę."),
    # Before a document leaves (consent, offline QR) and after (the result page).
    "consent.warn_invalid": (
        "Warning: the issuer has withdrawn this document. The inspector will see that it is not valid. Whether "
        "to share it is your decision.",
        "Uzmanību: izsniedzējs šo dokumentu ir atsaucis. Inspektors redzēs, ka tas nav derīgs. Vai to kopīgot, "
        "izlemjat jūs.",
        "Achtung: Die ausstellende Stelle hat dieses Dokument widerrufen. Die Kontrollperson wird sehen, dass es "
        "nicht gültig ist. Ob Sie es teilen, entscheiden Sie.",
        "Attention : l'émetteur a retiré ce document. L'inspecteur verra qu'il n'est pas valable. C'est à vous "
        "de décider si vous le partagez.",
        "Uwaga: wystawca wycofał ten dokument. Inspektor zobaczy, że jest nieważny. Decyzja o udostępnieniu "
        "należy do Ciebie.",
    ),
    "consent.warn_distrusted": (
        "Warning: the trust list no longer accepts the key {institution} signed these copies with (revoked, or "
        "the institution was suspended when it signed). The inspector will see that they are not valid. Ask "
        "{institution} for a new copy.",
        "Uzmanību: uzticamības saraksts vairs nepieņem atslēgu, ar kuru {institution} parakstīja šīs kopijas "
        "(atsaukta, vai iestāde parakstīšanas brīdī bija apturēta). Inspektors redzēs, ka tās nav derīgas. "
        "Lūdziet iestādei {institution} jaunu kopiju.",
        "Achtung: Die Vertrauensliste akzeptiert den Schlüssel nicht mehr, mit dem {institution} diese Kopien "
        "signiert hat (widerrufen, oder die Stelle war beim Signieren ausgesetzt). Die Kontrollperson wird sehen, "
        "dass sie nicht gültig sind. Bitten Sie {institution} um eine neue Kopie.",
        "Attention : la liste de confiance n'accepte plus la clé avec laquelle {institution} a signé ces copies "
        "(révoquée, ou l'organisme était suspendu quand il a signé). L'inspecteur verra qu'elles ne sont pas "
        "valables. Demandez une nouvelle copie à {institution}.",
        "Uwaga: lista zaufania nie akceptuje już klucza, którym {institution} podpisała te kopie (unieważniony "
        "albo instytucja była wtedy zawieszona). Inspektor zobaczy, że są nieważne. Poproś instytucję "
        "{institution} o nową kopię.",
    ),
    "consent.warn_stopped": (
        "Warning: the issuer has stopped the copies of this document on this phone, as it was reported lost or "
        "stolen. The inspector will see that they are not valid. Show the document from your current phone, or "
        "ask the issuer for a new offer.",
        "Uzmanību: izsniedzējs ir apturējis šī dokumenta kopijas šajā tālrunī, jo par to ziņots, ka tas "
        "pazaudēts vai nozagts. Inspektors redzēs, ka tās nav derīgas. Uzrādiet dokumentu no sava pašreizējā "
        "tālruņa vai lūdziet izsniedzējam jaunu piedāvājumu.",
        "Achtung: Die ausstellende Stelle hat die Kopien dieses Dokuments auf diesem Telefon gestoppt, da es als "
        "verloren oder gestohlen gemeldet wurde. Die Kontrollperson wird sehen, dass sie nicht gültig sind. Zeigen "
        "Sie das Dokument von Ihrem aktuellen Telefon, oder bitten Sie die Stelle um ein neues Angebot.",
        "Attention : l'émetteur a arrêté les copies de ce document sur ce téléphone, déclaré perdu ou volé. "
        "L'inspecteur verra qu'elles ne sont pas valables. Présentez le document depuis votre téléphone actuel, "
        "ou demandez une nouvelle offre à l'émetteur.",
        "Uwaga: wystawca zatrzymał kopie tego dokumentu na tym telefonie, bo zgłoszono go jako zgubiony lub "
        "skradziony. Inspektor zobaczy, że są nieważne. Okaż dokument z obecnego telefonu albo poproś wystawcę o "
        "nową ofertę.",
    ),
    "consent.warn_replaced": (
        "Warning: the issuer has replaced this document with a newer one. The inspector will see that it is not "
        "valid and ask for the current one. Whether to share it is your decision.",
        "Uzmanību: izsniedzējs šo dokumentu ir aizstājis ar jaunāku. Inspektors redzēs, ka tas nav derīgs, un "
        "lūgs pašreizējo. Vai to kopīgot, izlemjat jūs.",
        "Achtung: Die ausstellende Stelle hat dieses Dokument durch ein neueres ersetzt. Die Kontrollperson wird "
        "sehen, dass es nicht gültig ist, und nach dem aktuellen fragen. Ob Sie es teilen, entscheiden Sie.",
        "Attention : l'émetteur a remplacé ce document par un plus récent. L'inspecteur verra qu'il n'est pas "
        "valable et demandera le document actuel. C'est à vous de décider si vous le partagez.",
        "Uwaga: wystawca zastąpił ten dokument nowszym. Inspektor zobaczy, że jest nieważny, i poprosi o aktualny. "
        "Decyzja o udostępnieniu należy do Ciebie.",
    ),
    # Beside the warning on a replaced card's page: how to get the new document (review R10, 6).
    "card.replaced_help": (
        "If the new document is not in your wallet yet, ask {institution} for an offer of it and add it from the "
        "link or QR code you are given. This one stays in your wallet until you remove it.",
        "Ja jaunā dokumenta vēl nav jūsu makā, lūdziet iestādei {institution} tā piedāvājumu un pievienojiet to "
        "no saņemtās saites vai QR koda. Šis dokuments paliek makā, līdz jūs to noņemat.",
        "Ist das neue Dokument noch nicht in Ihrer Wallet, bitten Sie {institution} um ein Angebot dafür und "
        "fügen Sie es über den erhaltenen Link oder QR-Code hinzu. Dieses bleibt in Ihrer Wallet, bis Sie es "
        "entfernen.",
        "Si le nouveau document n'est pas encore dans votre portefeuille, demandez-en une offre à {institution} "
        "et ajoutez-le avec le lien ou le code QR reçu. Celui-ci reste dans votre portefeuille jusqu'à ce que "
        "vous le retiriez.",
        "Jeśli nowego dokumentu nie ma jeszcze w Twoim portfelu, poproś instytucję {institution} o jego ofertę "
        "i dodaj go z otrzymanego linku lub kodu QR. Ten dokument pozostaje w portfelu, dopóki go nie usuniesz.",
    ),
    # A past document (wallet.service.Card.past: replaced, withdrawn, ended): said in the past tense in
    # place of its present-tense description, set apart in the lists, and whom to show instead.
    "card.past_tag": ("No longer current", "Vairs nav spēkā", "Nicht mehr aktuell", "N'est plus en vigueur",
                      "Już nieaktualny"),
    "past.replaced": ("This document was replaced by a newer one on {date}.",
                      "Šis dokuments {date} tika aizstāts ar jaunāku.",
                      "Dieses Dokument wurde am {date} durch ein neueres ersetzt.",
                      "Ce document a été remplacé par un document plus récent le {date}.",
                      "Ten dokument został zastąpiony nowszym dnia {date}."),
    "past.replaced_undated": ("This document was replaced by a newer one.", "Šis dokuments tika aizstāts ar jaunāku.",
                              "Dieses Dokument wurde durch ein neueres ersetzt.",
                              "Ce document a été remplacé par un document plus récent.",
                              "Ten dokument został zastąpiony nowszym."),
    "past.withdrawn": ("{institution} withdrew this document.", "Iestāde {institution} šo dokumentu atsauca.",
                       "{institution} hat dieses Dokument widerrufen.", "{institution} a retiré ce document.",
                       "Instytucja {institution} wycofała ten dokument."),
    "past.ended": ("This document expired on {date}.", "Šī dokumenta derīgums beidzās {date}",
                   "Dieses Dokument ist am {date} abgelaufen.", "Ce document a expiré le {date}.",
                   "Ten dokument wygasł {date}."),
    # A document that certifies a period (wallet.service.covers_a_period): still the proof of it once over.
    "past.period_ended": (
        "This document covered {start} to {end}, a period that is over. It remains the proof of that period.",
        "Šis dokuments attiecās uz laikposmu no {start} līdz {end}, un tas ir beidzies. Dokuments joprojām "
        "apliecina šo laikposmu.",
        "Dieses Dokument galt für den Zeitraum vom {start} bis zum {end}, der vorbei ist. Es bleibt der Nachweis "
        "für diesen Zeitraum.",
        "Ce document couvrait la période du {start} au {end}, qui est terminée. Il reste la preuve de cette période.",
        "Ten dokument obejmował okres od {start} do {end}, który się zakończył. Pozostaje dowodem za ten okres."),
    "past.issued_for": ("It was issued for {start} to {end}.", "Tas tika izsniegts laikposmam no {start} līdz {end}",
                        "Es wurde für den Zeitraum vom {start} bis zum {end} ausgestellt.",
                        "Il avait été délivré pour la période du {start} au {end}.",
                        "Został wydany na okres od {start} do {end}."),
    "past.kept": ("It is kept here for your records only.", "Makā tas paliek tikai jūsu ziņai.",
                  "Es bleibt nur für Ihre Unterlagen in der Wallet.",
                  "Il reste dans le portefeuille pour vos archives uniquement.",
                  "Pozostaje w portfelu wyłącznie do Twojej wiadomości."),
    # On a past document's page: the current one(s) of its kind, each a link; or that there is none.
    "card.show_instead": ("Show an inspector your current document instead:",
                          "Inspektoram tā vietā uzrādiet savu pašreizējo dokumentu:",
                          "Zeigen Sie der Kontrollperson stattdessen Ihr aktuelles Dokument:",
                          "Montrez plutôt à l'inspecteur votre document actuel :",
                          "Zamiast niego pokaż inspektorowi swój aktualny dokument:"),
    "card.no_current": (
        "Your wallet holds no current document of this kind. An inspector checking this one will see that it "
        "is not valid today.",
        "Jūsu makā nav pašreizēja šāda veida dokumenta. Inspektors, pārbaudot šo, redzēs, ka tas šodien nav "
        "derīgs.",
        "Ihre Wallet enthält kein aktuelles Dokument dieser Art. Eine Kontrollperson, die dieses prüft, sieht, "
        "dass es heute nicht gültig ist.",
        "Votre portefeuille ne contient aucun document actuel de ce type. Un inspecteur qui vérifie celui-ci "
        "verra qu'il n'est pas valable aujourd'hui.",
        "W Twoim portfelu nie ma aktualnego dokumentu tego rodzaju. Inspektor sprawdzający ten dokument zobaczy, "
        "że dziś nie jest ważny."),
    # On the page of the one current document of a kind of which the wallet also holds past ones.
    "card.show_this": (
        "This is the document to show an inspector. The earlier ones of this kind in your wallet are for your "
        "records only.",
        "Šis ir dokuments, kas jāuzrāda inspektoram. Agrākie šāda veida dokumenti jūsu makā ir tikai jūsu ziņai.",
        "Dies ist das Dokument, das Sie der Kontrollperson zeigen. Die früheren Dokumente dieser Art in Ihrer "
        "Wallet sind nur für Ihre Unterlagen.",
        "C'est ce document qu'il faut montrer à l'inspecteur. Les documents antérieurs de ce type dans votre "
        "portefeuille ne servent qu'à vos archives.",
        "To ten dokument należy pokazać inspektorowi. Wcześniejsze dokumenty tego rodzaju w Twoim portfelu "
        "służą wyłącznie do Twojej wiadomości."),
    # The grant of a deleted card its institution could not be told about (RFC 7009; wallet.revocation).
    "revoke.still_trying": (
        "{institution} has not yet been told that this wallet no longer needs the access it gave to renew a "
        "document you removed: the institution could not be reached. The wallet keeps trying until {date}.",
        "Iestādei {institution} vēl nav izdevies paziņot, ka šim makam vairs nav vajadzīga piekļuve, ko tā "
        "devusi jūsu noņemtā dokumenta atjaunošanai: iestāde nebija sasniedzama. Maks turpinās mēģināt līdz "
        "{date}",
        "{institution} konnte noch nicht mitgeteilt werden, dass diese Wallet den Zugang zum Erneuern eines von "
        "Ihnen entfernten Dokuments nicht mehr braucht: Die Stelle war nicht erreichbar. Die Wallet versucht es "
        "weiter bis zum {date}.",
        "{institution} n'a pas encore pu être informé que ce portefeuille n'a plus besoin de l'accès donné pour "
        "renouveler un document que vous avez retiré : l'organisme était injoignable. Le portefeuille réessaie "
        "jusqu'au {date}.",
        "Nie udało się jeszcze powiadomić instytucji {institution}, że ten portfel nie potrzebuje już dostępu do "
        "odnawiania usuniętego przez Ciebie dokumentu: instytucja była nieosiągalna. Portfel będzie próbował do "
        "{date}."),
    "revoke.gave_up": (
        "{institution} could not be told that this wallet no longer needs the access it gave to renew a document "
        "you removed. That access ends by itself on {date} at the latest. To end it sooner, ask {institution}.",
        "Iestādei {institution} neizdevās paziņot, ka šim makam vairs nav vajadzīga piekļuve, ko tā devusi jūsu "
        "noņemtā dokumenta atjaunošanai. Šī piekļuve beigsies pati ne vēlāk kā {date} Lai to izbeigtu ātrāk, "
        "sazinieties ar iestādi {institution}.",
        "{institution} konnte nicht mitgeteilt werden, dass diese Wallet den Zugang zum Erneuern eines von Ihnen "
        "entfernten Dokuments nicht mehr braucht. Dieser Zugang endet spätestens am {date} von selbst. Um ihn "
        "früher zu beenden, wenden Sie sich an {institution}.",
        "{institution} n'a pas pu être informé que ce portefeuille n'a plus besoin de l'accès donné pour "
        "renouveler un document que vous avez retiré. Cet accès prend fin de lui-même au plus tard le {date}. "
        "Pour y mettre fin plus tôt, adressez-vous à {institution}.",
        "Nie udało się powiadomić instytucji {institution}, że ten portfel nie potrzebuje już dostępu do "
        "odnawiania usuniętego przez Ciebie dokumentu. Ten dostęp wygaśnie sam najpóźniej {date}. Aby zakończyć "
        "go wcześniej, zwróć się do instytucji {institution}."),
    "revoke.gave_up_open": (
        "{institution} could not be told that this wallet no longer needs the access it gave to renew a document "
        "you removed. To end that access, ask {institution}.",
        "Iestādei {institution} neizdevās paziņot, ka šim makam vairs nav vajadzīga piekļuve, ko tā devusi jūsu "
        "noņemtā dokumenta atjaunošanai. Lai šo piekļuvi izbeigtu, sazinieties ar iestādi {institution}.",
        "{institution} konnte nicht mitgeteilt werden, dass diese Wallet den Zugang zum Erneuern eines von Ihnen "
        "entfernten Dokuments nicht mehr braucht. Um diesen Zugang zu beenden, wenden Sie sich an {institution}.",
        "{institution} n'a pas pu être informé que ce portefeuille n'a plus besoin de l'accès donné pour "
        "renouveler un document que vous avez retiré. Pour mettre fin à cet accès, adressez-vous à {institution}.",
        "Nie udało się powiadomić instytucji {institution}, że ten portfel nie potrzebuje już dostępu do "
        "odnawiania usuniętego przez Ciebie dokumentu. Aby zakończyć ten dostęp, zwróć się do instytucji "
        "{institution}."),
    "consent.warn_suspended": (
        "Warning: the issuer has suspended this document. The inspector will see that it is not valid at "
        "present. Whether to share it is your decision.",
        "Uzmanību: izsniedzējs šo dokumentu ir apturējis. Inspektors redzēs, ka tas pašlaik nav derīgs. Vai to "
        "kopīgot, izlemjat jūs.",
        "Achtung: Die ausstellende Stelle hat dieses Dokument ausgesetzt. Die Kontrollperson wird sehen, dass es "
        "derzeit nicht gültig ist. Ob Sie es teilen, entscheiden Sie.",
        "Attention : l'émetteur a suspendu ce document. L'inspecteur verra qu'il n'est pas valable en ce moment. "
        "C'est à vous de décider si vous le partagez.",
        "Uwaga: wystawca zawiesił ten dokument. Inspektor zobaczy, że obecnie jest nieważny. Decyzja o "
        "udostępnieniu należy do Ciebie.",
    ),
    "consent.warn_ended": (
        "Warning: this document's validity ended on {date}. The inspector will see that it is no longer valid. "
        "Whether to share it is your decision.",
        "Uzmanību: šī dokumenta derīguma termiņš beidzās {date}, un inspektors redzēs, ka tas vairs nav derīgs. "
        "Vai to kopīgot, izlemjat jūs.",
        "Achtung: Die Gültigkeit dieses Dokuments endete am {date}. Die Kontrollperson wird sehen, dass es nicht "
        "mehr gültig ist. Ob Sie es teilen, entscheiden Sie.",
        "Attention : la validité de ce document a pris fin le {date}. L'inspecteur verra qu'il n'est plus "
        "valable. C'est à vous de décider si vous le partagez.",
        "Uwaga: termin ważności tego dokumentu upłynął {date}. Inspektor zobaczy, że jest już nieważny. Decyzja "
        "o udostępnieniu należy do Ciebie.",
    ),
    "consent.warn_period_ended": (
        "Warning: this document covers {start} to {end}, a period that has ended. The inspector will see that it "
        "does not cover today. Whether to share it is your decision.",
        "Uzmanību: šis dokuments attiecas uz laikposmu no {start} līdz {end}, kas ir beidzies. Inspektors redzēs, "
        "ka tas neattiecas uz šodienu. Vai to kopīgot, izlemjat jūs.",
        "Achtung: Dieses Dokument gilt für den Zeitraum vom {start} bis zum {end}, der beendet ist. Die "
        "Kontrollperson wird sehen, dass es nicht für heute gilt. Ob Sie es teilen, entscheiden Sie.",
        "Attention : ce document couvre la période du {start} au {end}, qui a pris fin. L'inspecteur verra qu'il "
        "ne couvre pas la date d'aujourd'hui. C'est à vous de décider si vous le partagez.",
        "Uwaga: ten dokument obejmuje okres od {start} do {end}, który się zakończył. Inspektor zobaczy, że nie "
        "obejmuje on dnia dzisiejszego. Decyzja o udostępnieniu należy do Ciebie.",
    ),
    "consent.warn_other_person": (
        "Warning: this document names another person than the identity document (PID) in this wallet. The "
        "inspector will see that it is not yours. Whether to share it is your decision.",
        "Uzmanību: šis dokuments attiecas uz citu personu, nevis to, kuras identifikācijas dati (PID) ir šajā makā, "
        "un inspektors redzēs, ka tas nav jūsu. Vai to kopīgot, izlemjat jūs.",
        "Achtung: Dieses Dokument nennt eine andere Person als der Identitätsnachweis (PID) in dieser Wallet. Die "
        "Kontrollperson wird sehen, dass es nicht Ihres ist. Ob Sie es teilen, entscheiden Sie.",
        "Attention : ce document désigne une autre personne que la pièce d'identité (PID) de ce portefeuille. "
        "L'inspecteur verra qu'il n'est pas le vôtre. C'est à vous de décider si vous le partagez.",
        "Uwaga: ten dokument wskazuje inną osobę niż dokument tożsamości (PID) w tym portfelu. Inspektor zobaczy, "
        "że nie jest Twój. Decyzja o udostępnieniu należy do Ciebie.",
    ),
    "consent.warn_not_yet": (
        "Warning: this document is valid only from {date}. The inspector will see that it is not valid yet. "
        "Whether to share it is your decision.",
        "Uzmanību: šis dokuments ir derīgs tikai no {date}, un inspektors redzēs, ka tas vēl nav derīgs. Vai to "
        "kopīgot, izlemjat jūs.",
        "Achtung: Dieses Dokument gilt erst ab {date}. Die Kontrollperson wird sehen, dass es noch nicht gültig "
        "ist. Ob Sie es teilen, entscheiden Sie.",
        "Attention : ce document n'est valable qu'à partir du {date}. L'inspecteur verra qu'il n'est pas encore "
        "valable. C'est à vous de décider si vous le partagez.",
        "Uwaga: ten dokument jest ważny dopiero od {date}. Inspektor zobaczy, że jeszcze nie jest ważny. Decyzja "
        "o udostępnieniu należy do Ciebie.",
    ),
    "consent.warn_copy_expired": (
        "Warning: this copy of the document expired on {date}, though the document itself is valid until {until}. "
        "An inspector will not accept this copy: ask {institution} for a new one.",
        "Uzmanību: šīs dokumenta kopijas derīgums beidzās {date}, lai gan pats dokuments ir derīgs līdz {until}. "
        "Inspektors šo kopiju nepieņems: lūdziet iestādei {institution} jaunu kopiju.",
        "Achtung: Diese Kopie des Dokuments ist am {date} abgelaufen, das Dokument selbst gilt aber bis {until}. "
        "Die Kontrollperson wird diese Kopie nicht annehmen: Bitten Sie {institution} um eine neue.",
        "Attention : cette copie du document a expiré le {date}, alors que le document lui-même est valable "
        "jusqu'au {until}. L'inspecteur n'acceptera pas cette copie : demandez-en une nouvelle à {institution}.",
        "Uwaga: ta kopia dokumentu wygasła {date}, choć sam dokument jest ważny do {until}. Inspektor nie przyjmie "
        "tej kopii: poproś instytucję {institution} o nową.",
    ),
    "consent.warn_copy_expired_open": (
        "Warning: this copy of the document expired on {date}, though the document itself has not ended. An "
        "inspector will not accept this copy: ask {institution} for a new one.",
        "Uzmanību: šīs dokumenta kopijas derīgums beidzās {date}, lai gan pats dokuments nav beidzies. Inspektors "
        "šo kopiju nepieņems: lūdziet iestādei {institution} jaunu kopiju.",
        "Achtung: Diese Kopie des Dokuments ist am {date} abgelaufen, das Dokument selbst aber nicht. Die "
        "Kontrollperson wird diese Kopie nicht annehmen: Bitten Sie {institution} um eine neue.",
        "Attention : cette copie du document a expiré le {date}, alors que le document lui-même n'a pas pris fin. "
        "L'inspecteur n'acceptera pas cette copie : demandez-en une nouvelle à {institution}.",
        "Uwaga: ta kopia dokumentu wygasła {date}, choć sam dokument nie wygasł. Inspektor nie przyjmie tej kopii: "
        "poproś instytucję {institution} o nową.",
    ),
    "consent.held_ended": ("You hold a document of this kind, but it can no longer be shown:",
                           "Jums ir šāda veida dokuments, taču to vairs nevar uzrādīt:",
                           "Sie besitzen ein solches Dokument, es kann aber nicht mehr vorgezeigt werden:",
                           "Vous détenez un document de ce type, mais il ne peut plus être présenté :",
                           "Masz dokument tego rodzaju, ale nie można go już okazać:"),
    "shared.warned": ("The inspector sees that a document you shared is not valid:",
                      "Inspektors redz, ka kāds no jūsu kopīgotajiem dokumentiem nav derīgs:",
                      "Die Kontrollperson sieht, dass ein von Ihnen geteiltes Dokument nicht gültig ist:",
                      "L'inspecteur voit qu'un document que vous avez partagé n'est pas valable :",
                      "Inspektor widzi, że udostępniony przez Ciebie dokument jest nieważny:"),
    # What may be left out (DCQL claim_sets, OpenID4VP §6.4.1): the wallet answers the verifier's first
    # option it can satisfy, every item of it ticked; an item some later option does without may be unticked.
    "consent.leave_out_help": (
        "{verifier} asks for all of this first. You may untick an item that has a note beside it: the note says "
        "what leaving it out means, and the answer {verifier} also accepts without it is sent instead.",
        "{verifier} vispirms lūdz visu šo. Varat noņemt atzīmi vienumam, kuram blakus ir piezīme: tā pasaka, ko "
        "nozīmē to neiekļaut, un tad tiek nosūtīta atbilde, ko {verifier} pieņem arī bez tā.",
        "{verifier} fragt zuerst nach all dem. Sie können das Häkchen bei einer Angabe mit einem Hinweis daneben "
        "entfernen: Der Hinweis sagt, was das Weglassen bedeutet, und gesendet wird dann die Antwort, die "
        "{verifier} auch ohne sie annimmt.",
        "{verifier} demande d'abord tout ceci. Vous pouvez décocher un élément accompagné d'une note : la note dit "
        "ce que signifie l'omettre, et la réponse que {verifier} accepte aussi sans lui est alors envoyée.",
        "{verifier} prosi o wszystkie poniższe dane. Możesz odznaczyć pozycję z uwagą obok: uwaga mówi, co "
        "oznacza jej pominięcie; wyślemy wtedy odpowiedź bez tej pozycji, którą {verifier} również przyjmuje.",
    ),
    "consent.can_leave_out": (
        "Add --only-required to leave out the items below; the answer the verifier also accepts without them is "
        "sent instead:",
        "Pievienojiet --only-required, lai neiekļautu tālāk minētos vienumus; tad tiek nosūtīta atbilde, ko "
        "pārbaudītājs pieņem arī bez tiem:",
        "Mit --only-required werden die folgenden Angaben weggelassen; gesendet wird dann die Antwort, die die "
        "prüfende Stelle auch ohne sie annimmt:",
        "Ajoutez --only-required pour omettre les éléments ci-dessous ; la réponse que le vérificateur accepte "
        "aussi sans eux est alors envoyée :",
        "Dodaj --only-required, aby pominąć poniższe pozycje; zostanie wtedy wysłana odpowiedź, którą podmiot "
        "przyjmuje także bez nich:",
    ),
    "consent.left_out": (
        "Left out (--only-required); the verifier also accepts the answer without them:",
        "Neiekļauts (--only-required); pārbaudītājs pieņem atbildi arī bez tiem:",
        "Weggelassen (--only-required); die prüfende Stelle nimmt die Antwort auch ohne sie an:",
        "Omis (--only-required) ; le vérificateur accepte aussi la réponse sans eux :",
        "Pominięte (--only-required); podmiot przyjmuje odpowiedź także bez nich:",
    ),
    # What leaving an item out means for the worker (GDPR Art. 12(1): the choice explained beside it).
    "consent.without.portrait": (
        "Leaving out your photo: the inspector will ask for an identity document to see that the document is "
        "yours.",
        "Ja neiekļaujat fotoattēlu: inspektors lūgs personu apliecinošu dokumentu, lai pārliecinātos, ka dokuments "
        "ir jūsu.",
        "Ohne Ihr Foto: Die Kontrolle verlangt ein Ausweisdokument, um zu sehen, dass das Dokument Ihnen gehört.",
        "Sans votre photo : l'inspecteur demandera une pièce d'identité pour voir que le document est bien le "
        "vôtre.",
        "Bez zdjęcia: inspektor poprosi o dokument tożsamości, aby sprawdzić, że dokument należy do Ciebie.",
    ),
    "consent.without.places": (
        "Leaving out your places of work: the inspector cannot see whether your A1 covers this site, and may ask "
        "you to show it another way (the paper A1, for example).",
        "Ja neiekļaujat darba vietas: inspektors neredzēs, vai jūsu A1 attiecas uz šo objektu, un var lūgt to "
        "parādīt citādi (piemēram, papīra A1).",
        "Ohne Ihre Arbeitsorte: Die Kontrolle sieht nicht, ob Ihre A1 diesen Einsatzort abdeckt, und kann Sie "
        "bitten, es anders zu zeigen (etwa mit der A1 auf Papier).",
        "Sans vos lieux de travail : l'inspecteur ne voit pas si votre A1 couvre ce site et peut vous demander de "
        "le montrer autrement (l'A1 papier, par exemple).",
        "Bez miejsc pracy: inspektor nie zobaczy, czy Twoje A1 obejmuje to miejsce, i może poprosić o wykazanie "
        "tego w inny sposób (np. papierowym A1).",
    ),
    "consent.without.expiry": (
        "Leaving out the expiry date: the requester may not be able to confirm that the document is still valid.",
        "Ja neiekļaujat derīguma termiņu: pieprasītājs, iespējams, nevarēs apstiprināt, ka dokuments joprojām ir "
        "derīgs.",
        "Ohne das Ablaufdatum: Die anfragende Stelle kann vielleicht nicht bestätigen, dass das Dokument noch "
        "gültig ist.",
        "Sans la date d'expiration : le demandeur ne pourra peut-être pas confirmer que le document est encore "
        "valable.",
        "Bez daty ważności: podmiot może nie móc potwierdzić, że dokument jest nadal ważny.",
    ),
    "consent.without.other": (
        "Leaving this out: the requester also accepts the answer without it, though it asks for it first.",
        "Ja to neiekļaujat: pieprasītājs pieņem atbildi arī bez tā, lai gan vispirms to lūdz.",
        "Ohne diese Angabe: Die anfragende Stelle nimmt die Antwort auch ohne sie an, fragt aber zuerst danach.",
        "Sans cet élément : le demandeur accepte aussi la réponse sans lui, mais le demande d'abord.",
        "Bez tej pozycji: podmiot przyjmuje odpowiedź także bez niej, choć prosi o nią w pierwszej kolejności.",
    ),
    # How long the verifier keeps the check (its request's client_metadata ``retention``, Art. 13(2)(a)).
    "consent.retention": (
        "{verifier} says it keeps a record of this check (its result and a coded reference to the document, "
        "without your name) for {days} days.",
        "{verifier} norāda, ka glabā šīs pārbaudes ierakstu (tās rezultātu un šifrētu atsauci uz dokumentu, "
        "bez jūsu vārda) {days} dienas.",
        "{verifier} gibt an, einen Eintrag zu dieser Kontrolle (ihr Ergebnis und einen verschlüsselten Verweis "
        "auf das Dokument, ohne Ihren Namen) {days} Tage aufzubewahren.",
        "{verifier} indique conserver une trace de ce contrôle (son résultat et une référence codée au "
        "document, sans votre nom) pendant {days} jours.",
        "{verifier} podaje, że przechowuje zapis tej kontroli (jej wynik i zakodowane odniesienie do "
        "dokumentu, bez Twojego nazwiska) przez {days} dni.",
    ),
    "consent.retention_forever": (
        "{verifier} says it keeps a record of this check (its result and a coded reference to the document, "
        "without your name) with no end date.",
        "{verifier} norāda, ka glabā šīs pārbaudes ierakstu (tās rezultātu un šifrētu atsauci uz dokumentu, "
        "bez jūsu vārda) bez beigu termiņa.",
        "{verifier} gibt an, einen Eintrag zu dieser Kontrolle (ihr Ergebnis und einen verschlüsselten Verweis "
        "auf das Dokument, ohne Ihren Namen) ohne Enddatum aufzubewahren.",
        "{verifier} indique conserver une trace de ce contrôle (son résultat et une référence codée au "
        "document, sans votre nom) sans date de fin.",
        "{verifier} podaje, że przechowuje zapis tej kontroli (jej wynik i zakodowane odniesienie do "
        "dokumentu, bez Twojego nazwiska) bez terminu końcowego.",
    ),
    "consent.retention_person": (
        "{verifier} says it erases the data you share once the inspector has seen the result.",
        "{verifier} norāda, ka dzēš jūsu kopīgotos datus, tiklīdz inspektors ir redzējis rezultātu.",
        "{verifier} gibt an, die geteilten Daten zu löschen, sobald die Kontrolle das Ergebnis gesehen hat.",
        "{verifier} indique effacer les données partagées dès que l'inspecteur a vu le résultat.",
        "{verifier} podaje, że usuwa udostępnione dane, gdy inspektor zobaczy wynik.",
    ),
    "consent.retention_person_for": (
        "{verifier} says it keeps the data you share for {minutes} minutes after the inspector has seen the "
        "result, then erases them.",
        "{verifier} norāda, ka glabā jūsu kopīgotos datus {minutes} minūtes pēc tam, kad inspektors ir redzējis "
        "rezultātu, un pēc tam tos dzēš.",
        "{verifier} gibt an, die geteilten Daten noch {minutes} Minuten, nachdem die Kontrolle das Ergebnis "
        "gesehen hat, aufzubewahren und dann zu löschen.",
        "{verifier} indique conserver les données partagées {minutes} minutes après que l'inspecteur a vu le "
        "résultat, puis les effacer.",
        "{verifier} podaje, że przechowuje udostępnione dane przez {minutes} min po tym, jak inspektor zobaczy "
        "wynik, a następnie je usuwa.",
    ),
    # The privacy notice (GDPR Art. 13; Art. 12(1): concise, plain words), shown at first use.
    # An A1 employer entry's type code in words (wallet.core._text; rulebook v1.1 employer[].type).
    "claim.employer_type_01": ("employment", "darba attiecības", "Beschäftigung", "activité salariée",
                               "zatrudnienie"),
    "claim.employer_type_02": ("self-employment", "pašnodarbinātība", "selbstständige Tätigkeit",
                               "activité non salariée", "samozatrudnienie"),
    "privacy.link": ("Privacy notice", "Privātuma paziņojums", "Datenschutzhinweis", "Avis de confidentialité",
                     "Informacja o prywatności"),
    "privacy.title": ("How this wallet handles your personal data", "Kā šis maks apstrādā jūsu personas datus",
                      "Wie diese Wallet mit Ihren personenbezogenen Daten umgeht",
                      "Comment ce portefeuille traite vos données personnelles",
                      "Jak ten portfel przetwarza Twoje dane osobowe"),
    "privacy.first": ("Before you start, read how your personal data are handled:",
                      "Pirms sākat, izlasiet, kā tiek apstrādāti jūsu personas dati:",
                      "Bevor Sie beginnen, lesen Sie, wie Ihre personenbezogenen Daten behandelt werden:",
                      "Avant de commencer, lisez comment vos données personnelles sont traitées :",
                      "Zanim zaczniesz, przeczytaj, jak przetwarzane są Twoje dane osobowe:"),
    # Who provides the wallet when the deployment names nobody (WalletSettings.operator_name unset).
    "privacy.operator_default": ("the ESSPASS pilot", "ESSPASS izmēģinājuma projekts", "dem ESSPASS-Pilotprojekt",
                                 "le projet pilote ESSPASS", "projekt pilotażowy ESSPASS"),
    "privacy.who_h": ("Who provides the wallet", "Kas nodrošina maku", "Wer die Wallet bereitstellt",
                      "Qui fournit le portefeuille", "Kto udostępnia portfel"),
    "privacy.who": ("This wallet is provided by {operator}. Contact for questions about your personal data: "
                    "{contact}.",
                    "Šo maku nodrošina {operator}. Kontakts jautājumiem par jūsu personas datiem: {contact}.",
                    "Diese Wallet wird von {operator} bereitgestellt. Kontakt bei Fragen zu Ihren "
                    "personenbezogenen Daten: {contact}.",
                    "Ce portefeuille est fourni par {operator}. Contact pour les questions sur vos données "
                    "personnelles : {contact}.",
                    "Ten portfel udostępnia {operator}. Kontakt w sprawie Twoich danych osobowych: {contact}."),
    "privacy.who_no_contact": (
        "This wallet is provided by {operator}. Ask the organisation that gave it to you for its contact on "
        "personal data.",
        "Šo maku nodrošina {operator}. Jautājiet organizācijai, kas jums to iedeva, tās kontaktu personas datu "
        "jautājumos.",
        "Diese Wallet wird von {operator} bereitgestellt. Fragen Sie die Stelle, die sie Ihnen gegeben hat, nach "
        "ihrem Kontakt für Datenschutzfragen.",
        "Ce portefeuille est fourni par {operator}. Demandez à l'organisation qui vous l'a remis son contact "
        "pour les données personnelles.",
        "Ten portfel udostępnia {operator}. Zapytaj organizację, która Ci go przekazała, o kontakt w sprawie "
        "danych osobowych.",
    ),
    "privacy.stays_h": ("What stays on your phone", "Kas paliek jūsu tālrunī", "Was auf Ihrem Telefon bleibt",
                        "Ce qui reste sur votre téléphone", "Co zostaje w Twoim telefonie"),
    "privacy.stays": (
        "Your documents with the personal data in them (such as name, date of birth, personal number, photo, "
        "employer and places of work), their keys, and the history of what you shared. They are kept encrypted "
        "with your passphrase: nobody, not even the wallet's provider, can read them without it.",
        "Jūsu dokumenti ar tajos esošajiem personas datiem (piemēram, vārds, dzimšanas datums, personas kods, "
        "fotoattēls, darba devējs un darba vietas), to atslēgas un vēsture par to, ko esat kopīgojis. Tie tiek "
        "glabāti šifrēti ar jūsu paroli: bez tās neviens, pat maka nodrošinātājs, tos nevar izlasīt.",
        "Ihre Dokumente mit den personenbezogenen Daten darin (etwa Name, Geburtsdatum, persönliche Nummer, "
        "Foto, Arbeitgeber und Arbeitsorte), ihre Schlüssel und der Verlauf dessen, was Sie geteilt haben. Sie "
        "werden mit Ihrer Passphrase verschlüsselt gespeichert: ohne sie kann niemand sie lesen, auch nicht der "
        "Anbieter der Wallet.",
        "Vos documents et les données personnelles qu'ils contiennent (nom, date de naissance, numéro personnel, "
        "photo, employeur et lieux de travail, par exemple), leurs clés et l'historique de ce que vous avez "
        "partagé. Ils sont chiffrés avec votre phrase secrète : sans elle, personne ne peut les lire, pas même "
        "le fournisseur du portefeuille.",
        "Twoje dokumenty wraz z zawartymi w nich danymi osobowymi (np. imię i nazwisko, data urodzenia, numer "
        "identyfikacyjny, zdjęcie, pracodawca i miejsca pracy), ich klucze oraz historia tego, co udostępniono. "
        "Są przechowywane w postaci zaszyfrowanej Twoim hasłem: bez niego nikt, nawet dostawca portfela, nie "
        "może ich odczytać.",
    ),
    "privacy.leaves_h": ("What leaves your phone, and to whom", "Kas atstāj jūsu tālruni un kam",
                         "Was Ihr Telefon verlässt, und an wen", "Ce qui quitte votre téléphone, et vers qui",
                         "Co opuszcza Twój telefon i do kogo"),
    "privacy.leaves_share": (
        "Only what you approve, and only to the verifier named on the request screen (for example a labour "
        "inspectorate). The screen lists every item, and says why the verifier asks and how long it keeps the "
        "check; you may untick an item the verifier can do without, and the screen says what leaving it out means.",
        "Tikai tas, ko jūs apstiprināt, un tikai pieprasījuma ekrānā nosauktajam pārbaudītājam (piemēram, darba "
        "inspekcijai). Ekrānā ir uzskaitīts katrs vienums, norādīts, kāpēc pārbaudītājs to lūdz un cik ilgi "
        "glabā pārbaudi; vienumam, bez kura pārbaudītājs var iztikt, varat noņemt atzīmi, un ekrānā ir teikts, ko "
        "nozīmē to neiekļaut.",
        "Nur was Sie freigeben, und nur an die auf dem Anfragebildschirm genannte Stelle (etwa eine "
        "Arbeitsinspektion). Der Bildschirm nennt jede Angabe, warum die Stelle fragt und wie lange sie die "
        "Kontrolle aufbewahrt; eine Angabe, auf die die Stelle verzichten kann, können Sie abwählen, und der "
        "Bildschirm sagt, was das Weglassen bedeutet.",
        "Uniquement ce que vous approuvez, et uniquement au vérificateur nommé sur l'écran de la demande (une "
        "inspection du travail, par exemple). L'écran liste chaque élément, dit pourquoi il est demandé et "
        "combien de temps le contrôle est conservé ; vous pouvez décocher un élément dont le vérificateur peut se "
        "passer, et l'écran dit ce que signifie l'omettre.",
        "Tylko to, co zatwierdzisz, i tylko do podmiotu weryfikującego wskazanego na ekranie żądania (np. "
        "inspekcji pracy). Ekran wymienia każdą pozycję, podaje cel żądania i czas przechowywania zapisu kontroli; "
        "możesz odznaczyć pozycję, bez której podmiot może się obejść, a ekran mówi, co oznacza jej pominięcie.",
    ),
    # The offline QR code leaves the phone on its screen, to whoever sees it (GDPR Art. 13(1)(e); review R10, 2).
    "privacy.leaves_qr": (
        "The offline QR code (“Show QR for inspection”) is sent to nobody: it is shown on your screen. It "
        "carries your name, date of birth, the document's number and dates and, for an A1, your employer and "
        "the posting period (for an EHIC, your personal number and the institution that insures you), signed by "
        "the institution. Whoever sees or photographs the screen while it is shown can read all of it: no "
        "request screen names or checks who that is. Show it only to the inspector.",
        "Bezsaistes QR kods (“Rādīt QR kodu pārbaudei”) netiek nevienam nosūtīts: tas tiek parādīts jūsu "
        "ekrānā. Tajā ir jūsu vārds, dzimšanas datums, dokumenta numurs un datumi, bet A1 gadījumā arī darba "
        "devējs un norīkojuma periods (EVAK gadījumā – jūsu personas kods un iestāde, kas jūs apdrošina), un to "
        "ir parakstījusi iestāde. Ikviens, kas redz vai nofotografē ekrānu, kamēr kods ir parādīts, var to visu "
        "nolasīt: neviens pieprasījuma ekrāns nenosauc un nepārbauda, kas tas ir. Rādiet to tikai inspektoram.",
        "Der Offline-QR-Code („QR-Code für die Kontrolle zeigen“) wird an niemanden gesendet: Er wird auf Ihrem "
        "Bildschirm gezeigt. Er enthält Ihren Namen, Ihr Geburtsdatum, Nummer und Daten des Dokuments und bei "
        "einer A1 Ihren Arbeitgeber und den Entsendezeitraum (bei einer EKVK Ihre persönliche Nummer und die "
        "Stelle, bei der Sie versichert sind), von der Stelle signiert. Wer den Bildschirm sieht oder "
        "fotografiert, während er gezeigt wird, kann alles lesen: Kein Anfragebildschirm nennt oder prüft, wer "
        "das ist. Zeigen Sie ihn nur der Kontrollperson.",
        "Le code QR hors ligne (« Afficher le code QR pour le contrôle ») n'est envoyé à personne : il s'affiche "
        "sur votre écran. Il contient votre nom, votre date de naissance, le numéro et les dates du document et, "
        "pour un A1, votre employeur et la période de détachement (pour une CEAM, votre numéro personnel et "
        "l'institution qui vous assure), signés par l'institution. Quiconque voit ou photographie l'écran pendant "
        "qu'il est affiché peut tout lire : aucun écran de demande ne dit ni ne vérifie qui c'est. Ne le montrez "
        "qu'à l'inspecteur.",
        "Kod QR offline („Pokaż kod QR do kontroli”) nie jest nikomu wysyłany: wyświetla się na Twoim ekranie. "
        "Zawiera Twoje imię i nazwisko, datę urodzenia, numer i daty dokumentu, a w przypadku zaświadczenia A1 "
        "także pracodawcę i okres delegowania (w przypadku karty EKUZ: Twój numer identyfikacyjny i instytucję, "
        "w której jesteś ubezpieczony), podpisane przez instytucję. Każdy, kto widzi lub fotografuje ekran, gdy "
        "kod jest wyświetlany, może odczytać wszystkie te dane: żaden ekran żądania nie wskazuje ani nie "
        "sprawdza, kto to jest. Pokazuj go tylko inspektorowi.",
    ),
    "privacy.leaves_issuer": (
        "When you add or renew a document, the wallet talks to the institution that issues it: it sends the "
        "one-time code and proofs that the document's keys are held in this wallet, and receives the document. "
        "To check that a document is still valid, the wallet downloads its institution's status list, which "
        "covers many documents and does not say which one is yours.",
        "Kad pievienojat vai atjaunojat dokumentu, maks sazinās ar iestādi, kas to izsniedz: tas nosūta "
        "vienreizējo kodu un pierādījumus, ka dokumenta atslēgas glabājas šajā makā, un saņem dokumentu. Lai "
        "pārbaudītu, vai dokuments joprojām ir derīgs, maks lejupielādē iestādes statusa sarakstu, kas aptver "
        "daudzus dokumentus un nenorāda, kurš ir jūsējais.",
        "Wenn Sie ein Dokument hinzufügen oder erneuern, spricht die Wallet mit der ausstellenden Stelle: sie "
        "sendet den Einmalcode und Nachweise, dass die Schlüssel des Dokuments in dieser Wallet liegen, und "
        "erhält das Dokument. Um zu prüfen, ob ein Dokument noch gültig ist, lädt die Wallet die Statusliste der "
        "Stelle, die viele Dokumente umfasst und nicht verrät, welches Ihres ist.",
        "Quand vous ajoutez ou renouvelez un document, le portefeuille contacte l'institution qui le délivre : il "
        "envoie le code à usage unique et la preuve que les clés du document sont dans ce portefeuille, et reçoit "
        "le document. Pour vérifier qu'un document est encore valable, il télécharge la liste de statut de "
        "l'institution, qui couvre de nombreux documents sans dire lequel est le vôtre.",
        "Gdy dodajesz lub odnawiasz dokument, portfel łączy się z instytucją, która go wydaje: wysyła kod "
        "jednorazowy i dowody, że klucze dokumentu są w tym portfelu, oraz odbiera dokument. Aby sprawdzić, czy "
        "dokument jest nadal ważny, portfel pobiera listę statusów instytucji, która obejmuje wiele dokumentów i "
        "nie wskazuje, który jest Twój.",
    ),
    "privacy.retention_h": ("How long", "Cik ilgi", "Wie lange", "Combien de temps", "Jak długo"),
    "privacy.retention": (
        "Your documents and history stay on the phone until you remove them; the wallet sends nothing about "
        "them to its provider. A verifier keeps a check for as long as its request screen says. The institution "
        "that issued a document keeps its own file under the rules it tells you.",
        "Jūsu dokumenti un vēsture paliek tālrunī, līdz jūs tos noņemat; maks nesūta par tiem neko savam "
        "nodrošinātājam. Pārbaudītājs glabā pārbaudi tik ilgi, cik norādīts tā pieprasījuma ekrānā. Iestāde, "
        "kas izsniedza dokumentu, glabā savu lietu saskaņā ar noteikumiem, par kuriem tā jūs informē.",
        "Ihre Dokumente und der Verlauf bleiben auf dem Telefon, bis Sie sie entfernen; die Wallet sendet ihrem "
        "Anbieter nichts darüber. Eine prüfende Stelle bewahrt eine Kontrolle so lange auf, wie ihr "
        "Anfragebildschirm sagt. Die ausstellende Stelle führt ihre eigene Akte nach den Regeln, die sie Ihnen "
        "mitteilt.",
        "Vos documents et l'historique restent sur le téléphone jusqu'à ce que vous les supprimiez ; le "
        "portefeuille n'en envoie rien à son fournisseur. Un vérificateur conserve un contrôle aussi longtemps "
        "que l'indique l'écran de sa demande. L'institution qui a délivré un document tient son propre dossier "
        "selon les règles qu'elle vous communique.",
        "Twoje dokumenty i historia pozostają w telefonie, dopóki ich nie usuniesz; portfel nie wysyła o nich "
        "niczego swojemu dostawcy. Podmiot weryfikujący przechowuje zapis kontroli tak długo, jak podaje ekran jego "
        "żądania. Instytucja, która wydała dokument, prowadzi własną teczkę według zasad, o których Cię "
        "informuje.",
    ),
    "privacy.delete_h": ("How to delete your data", "Kā dzēst savus datus", "Wie Sie Ihre Daten löschen",
                         "Comment effacer vos données", "Jak usunąć swoje dane"),
    "privacy.delete": (
        "Remove a document, with all its copies and keys, from its page (Remove from this wallet). To delete "
        "everything, choose Start a new wallet where you unlock it (it erases the wallet file, {path}), delete that "
        "file yourself or uninstall the wallet: nothing else of yours is kept by the wallet.",
        "Noņemiet dokumentu ar visām tā kopijām un atslēgām tā lapā (Noņemt no šī maka). Lai dzēstu visu, "
        "atbloķēšanas lapā izvēlieties Sākt jaunu maku (tas izdzēš maka failu {path}), izdzēsiet šo failu paši vai "
        "atinstalējiet maku: maks citur neko jūsu neglabā.",
        "Entfernen Sie ein Dokument mit allen Kopien und Schlüsseln auf seiner Seite (Aus dieser Wallet "
        "entfernen). Um alles zu löschen, wählen Sie beim Entsperren Neue Wallet anlegen (das löscht die Wallet-Datei "
        "{path}), löschen Sie die Datei selbst oder deinstallieren Sie die Wallet: sonst bewahrt die Wallet nichts "
        "von Ihnen auf.",
        "Supprimez un document, avec toutes ses copies et clés, depuis sa page (Retirer de ce portefeuille). Pour "
        "tout effacer, choisissez Créer un nouveau portefeuille au déverrouillage (cela efface le fichier du "
        "portefeuille, {path}), supprimez ce fichier vous-même ou désinstallez le portefeuille : il ne garde rien "
        "d'autre de vous.",
        "Usuń dokument wraz ze wszystkimi kopiami i kluczami na jego stronie (Usuń z tego portfela). Aby usunąć "
        "wszystko, wybierz Załóż nowy portfel przy odblokowaniu (usuwa to plik portfela {path}), usuń ten plik "
        "samodzielnie lub odinstaluj portfel: portfel nie przechowuje o Tobie niczego więcej.",
    ),
    # A lost or stolen phone: what the worker can do (README: a new offer ends earlier grants; review R10, 3).
    "privacy.lost_h": ("If your phone is lost or stolen", "Ja tālrunis ir pazaudēts vai nozagts",
                       "Wenn Ihr Telefon verloren geht oder gestohlen wird", "Si votre téléphone est perdu ou volé",
                       "Jeśli telefon zginie lub zostanie skradziony"),
    "privacy.lost": (
        "The wallet on it is encrypted with your passphrase: without it nobody can open your documents. Tell "
        "each institution that gave you a document that the phone was lost or stolen: it stops the copies on the "
        "lost phone, which then fail every check, and the document stays valid. Ask it for a new offer, and add "
        "the document to the wallet on your new phone. A new offer alone ends the lost phone's renewals, but the "
        "copies already on it stay valid until they end.",
        "Maks tajā ir šifrēts ar jūsu paroli: bez tās neviens nevar atvērt jūsu dokumentus. Paziņojiet katrai "
        "iestādei, kas jums izsniedza dokumentu, ka tālrunis ir pazaudēts vai nozagts: tā aptur kopijas "
        "pazaudētajā tālrunī, kuras pēc tam neiztur nevienu pārbaudi, un dokuments paliek derīgs. Lūdziet tai "
        "jaunu piedāvājumu un pievienojiet dokumentu makam jaunajā tālrunī. Jauns piedāvājums vien izbeidz "
        "pazaudētā tālruņa kopiju atjaunošanu, bet kopijas, kas jau ir tajā, paliek derīgas līdz to beigām.",
        "Die Wallet darauf ist mit Ihrer Passphrase verschlüsselt: Ohne sie kann niemand Ihre Dokumente öffnen. "
        "Melden Sie jeder Stelle, die Ihnen ein Dokument gegeben hat, dass das Telefon verloren oder gestohlen "
        "ist: Sie stoppt die Kopien auf dem verlorenen Telefon, die danach keine Prüfung mehr bestehen, und das "
        "Dokument bleibt gültig. Bitten Sie sie um ein neues Angebot, und fügen Sie das Dokument der Wallet auf "
        "Ihrem neuen Telefon hinzu. Ein neues Angebot allein beendet die Erneuerungen des verlorenen Telefons, "
        "doch die Kopien darauf bleiben gültig, bis sie ablaufen.",
        "Le portefeuille qu'il contient est chiffré avec votre phrase secrète : sans elle, personne ne peut "
        "ouvrir vos documents. Signalez à chaque organisme qui vous a remis un document que le téléphone a été "
        "perdu ou volé : il arrête les copies du téléphone perdu, qui échouent ensuite à toute vérification, et "
        "le document reste valable. Demandez-lui une nouvelle offre, et ajoutez le document au portefeuille de "
        "votre nouveau téléphone. Une nouvelle offre seule met fin aux renouvellements du téléphone perdu, mais "
        "les copies qui s'y trouvent restent valables jusqu'à leur fin.",
        "Portfel w nim jest zaszyfrowany Twoim hasłem: bez niego nikt nie otworzy Twoich dokumentów. Zgłoś "
        "każdej instytucji, która wydała Ci dokument, że telefon zginął lub został skradziony: zatrzyma ona kopie "
        "w zgubionym telefonie, które potem nie przechodzą żadnej weryfikacji, a dokument pozostaje ważny. Poproś "
        "ją o nową ofertę i dodaj dokument do portfela w nowym telefonie. Sama nowa oferta kończy odnawianie "
        "kopii w zgubionym telefonie, ale kopie, które już w nim są, pozostają ważne do końca swojej ważności.",
    ),
    "lost.link": ("Phone lost or stolen?", "Tālrunis pazaudēts vai nozagts?", "Telefon verloren oder gestohlen?",
                  "Téléphone perdu ou volé ?", "Zgubiony lub skradziony telefon?"),
    "privacy.rights": (
        "You may ask the provider, a verifier or an institution about the personal data it holds on you, and "
        "complain to a data protection authority.",
        "Jūs varat jautāt nodrošinātājam, pārbaudītājam vai iestādei par jūsu personas datiem, kas tiem ir, un "
        "iesniegt sūdzību datu aizsardzības iestādē.",
        "Sie können den Anbieter, eine prüfende Stelle oder eine Behörde fragen, welche personenbezogenen Daten "
        "sie über Sie hat, und sich bei einer Datenschutzaufsichtsbehörde beschweren.",
        "Vous pouvez demander au fournisseur, à un vérificateur ou à une institution quelles données "
        "personnelles il détient sur vous, et saisir une autorité de protection des données.",
        "Możesz zapytać dostawcę, podmiot weryfikujący lub instytucję o dane osobowe, które o Tobie posiadają, "
        "oraz złożyć skargę do organu ochrony danych.",
    ),
    # The offline QR code, shown when the worker asks for it.
    "card.show_qr": ("Show QR for inspection", "Rādīt QR kodu pārbaudei", "QR-Code für die Kontrolle zeigen",
                     "Afficher le code QR pour le contrôle", "Pokaż kod QR do kontroli"),
    "card.show_qr_help": (
        "For an inspector without network. The code carries your name, date of birth, the document's number and "
        "dates and, for an A1, your employer and the posting period: whoever sees or photographs the screen can "
        "read them. Each showing uses one copy of this document and is written in your history.",
        "Inspektoram bez tīkla. Kodā ir jūsu vārds, dzimšanas datums, dokumenta numurs un datumi, bet A1 "
        "gadījumā arī darba devējs un norīkojuma periods: ikviens, kas redz vai nofotografē ekrānu, var tos "
        "nolasīt. Katra parādīšana izmanto vienu šī dokumenta kopiju un tiek ierakstīta jūsu vēsturē.",
        "Für eine Kontrolle ohne Netz. Der Code enthält Ihren Namen, Ihr Geburtsdatum, Nummer und Daten des "
        "Dokuments und bei einer A1 Ihren Arbeitgeber und den Entsendezeitraum: Wer den Bildschirm sieht oder "
        "fotografiert, kann sie lesen. Jedes Zeigen verbraucht eine Kopie dieses Dokuments und wird in Ihrem "
        "Verlauf vermerkt.",
        "Pour un inspecteur sans réseau. Le code contient votre nom, votre date de naissance, le numéro et les "
        "dates du document et, pour un A1, votre employeur et la période de détachement : quiconque voit ou "
        "photographie l'écran peut les lire. Chaque affichage utilise une copie de ce document et est noté dans "
        "votre historique.",
        "Dla inspektora bez dostępu do sieci. Kod zawiera Twoje imię i nazwisko, datę urodzenia, numer i daty "
        "dokumentu, a w przypadku zaświadczenia A1 także pracodawcę i okres delegowania: każdy, kto widzi lub "
        "fotografuje ekran, może je odczytać. Każde pokazanie zużywa jedną kopię tego dokumentu i jest "
        "zapisywane w historii.",
    ),
    # A represented person's card (a child's EHIC, wallet.core.whose_card): its code carries that person's name
    # and birth date, not the holder's (credentials.compact: the card's fields 3-5 are its subject).
    "card.show_qr_help_represented": (
        "For an inspector without network. The code carries the name and date of birth of the person this card "
        "insures, and the card's number and dates: whoever sees or photographs the screen can read them. Each "
        "showing uses one copy of this document and is written in your history.",
        "Inspektoram bez tīkla. Kodā ir šīs kartes apdrošinātās personas vārds un dzimšanas datums, kā arī "
        "kartes numurs un datumi: ikviens, kas redz vai nofotografē ekrānu, var tos nolasīt. Katra parādīšana "
        "izmanto vienu šī dokumenta kopiju un tiek ierakstīta jūsu vēsturē.",
        "Für eine Kontrolle ohne Netz. Der Code enthält Namen und Geburtsdatum der Person, die diese Karte "
        "versichert, sowie Nummer und Daten der Karte: Wer den Bildschirm sieht oder fotografiert, kann sie "
        "lesen. Jedes Zeigen verbraucht eine Kopie dieses Dokuments und wird in Ihrem Verlauf vermerkt.",
        "Pour un inspecteur sans réseau. Le code contient le nom et la date de naissance de la personne que "
        "cette carte assure, ainsi que le numéro et les dates de la carte : quiconque voit ou photographie "
        "l'écran peut les lire. Chaque affichage utilise une copie de ce document et est noté dans votre "
        "historique.",
        "Dla inspektora bez dostępu do sieci. Kod zawiera imię i nazwisko oraz datę urodzenia osoby "
        "ubezpieczonej na tej karcie, a także numer i daty karty: każdy, kto widzi lub fotografuje ekran, może "
        "je odczytać. Każde pokazanie zużywa jedną kopię tego dokumentu i jest zapisywane w historii.",
    ),
    "card.challenge_use": ("Use this code", "Izmantot šo kodu", "Diesen Code verwenden", "Utiliser ce code",
                           "Użyj tego kodu"),
    "card.qr_done": ("Back to the document", "Atpakaļ uz dokumentu", "Zurück zum Dokument", "Retour au document",
                     "Powrót do dokumentu"),
    "log.offline": ("Offline QR code", "Bezsaistes QR kods", "Offline-QR-Code", "Code QR hors ligne",
                    "Kod QR offline"),
    "setup.created": ("Wallet created: {path}", "Maks izveidots: {path}", "Wallet angelegt: {path}",
                      "Portefeuille créé : {path}", "Utworzono portfel: {path}"),
    "cli.picture": ("(picture, {size} KB)", "(attēls, {size} KB)", "(Bild, {size} KB)", "(image, {size} Ko)",
                    "(obraz, {size} KB)"),
    # Claims some documents carry that their type metadata does not label (wallet.core.claim_label).
    "claim.work_information": ("Place of work", "Darba vieta", "Arbeitsort", "Lieu de travail", "Miejsce pracy"),
    "claim.no_fixed_place_of_work": ("No fixed place of work", "Nav pastāvīgas darba vietas", "Kein fester Arbeitsort",
                                     "Pas de lieu de travail fixe", "Brak stałego miejsca pracy"),
}

# Plain-words explanation per error code (CredentialError.code / ProtocolError.error).
_EXPLAIN: dict[str, tuple[str, str, str, str, str]] = {
    "not_answered": ("The wallet could not send its answer, and has told the inspector that none comes. Ask the "
                     "inspector to start a new check.",
                     "Maks nevarēja nosūtīt atbildi un ir paziņojis inspektoram, ka tā nepienāks. Lūdziet "
                     "inspektoru sākt jaunu pārbaudi.",
                     "Die Wallet konnte ihre Antwort nicht senden und hat der Kontrollperson mitgeteilt, dass keine "
                     "kommt. Bitten Sie die Kontrollperson, eine neue Prüfung zu starten.",
                     "Le portefeuille n'a pas pu envoyer sa réponse et a informé l'inspecteur qu'aucune ne viendra. "
                     "Demandez à l'inspecteur de lancer un nouveau contrôle.",
                     "Portfel nie mógł wysłać odpowiedzi i powiadomił inspektora, że żadna nie nadejdzie. Poproś "
                     "inspektora o rozpoczęcie nowej kontroli."),
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
    "weak_passphrase": ("Choose a passphrase of at least 8 characters. Nothing was created.",
                        "Izvēlieties paroli, kurā ir vismaz 8 rakstzīmes. Nekas netika izveidots.",
                        "Wählen Sie eine Passphrase mit mindestens 8 Zeichen. Es wurde nichts angelegt.",
                        "Choisissez une phrase secrète d'au moins 8 caractères. Rien n'a été créé.",
                        "Wybierz hasło o długości co najmniej 8 znaków. Nic nie utworzono."),
    "withheld": ("The request cannot be answered without some of what you left out. Nothing was sent: tick more "
                 "items, or decline.",
                 "Pieprasījumu nevar izpildīt bez kaut kā no tā, ko neiekļāvāt. Nekas netika nosūtīts: atzīmējiet "
                 "vairāk vai atsakiet.",
                 "Die Anfrage lässt sich ohne einen Teil dessen, was Sie weggelassen haben, nicht beantworten. Es "
                 "wurde nichts gesendet: setzen Sie mehr Haken oder lehnen Sie ab.",
                 "La demande ne peut pas être satisfaite sans une partie de ce que vous avez retiré. Rien n'a été "
                 "envoyé : cochez davantage d'éléments ou refusez.",
                 "Nie można odpowiedzieć na prośbę bez części pominiętych danych. Nic nie wysłano: zaznacz więcej "
                 "pozycji lub odmów."),
    "renewal_differs": ("The institution sent new copies that do not carry the document you hold, so none was "
                        "kept; your copies are unchanged.",
                        "Iestāde atsūtīja jaunas kopijas, kurās nav jūsu dokuments, tāpēc neviena netika "
                        "saglabāta; jūsu kopijas nav mainītas.",
                        "Die Stelle hat neue Kopien gesendet, die nicht Ihr Dokument tragen; daher wurde keine "
                        "gespeichert, und Ihre Kopien sind unverändert.",
                        "L'organisme a envoyé de nouvelles copies qui ne portent pas votre document ; aucune n'a "
                        "donc été gardée, et vos copies sont inchangées.",
                        "Instytucja przesłała nowe kopie, które nie zawierają Twojego dokumentu, więc żadnej nie "
                        "zachowano; Twoje kopie pozostały bez zmian."),
    "cannot_renew": ("This wallet cannot renew the copies of this document: ask the institution for a new offer.",
                     "Šis maks nevar atjaunot šī dokumenta kopijas: lūdziet iestādei jaunu piedāvājumu.",
                     "Diese Wallet kann die Kopien dieses Dokuments nicht erneuern: Bitten Sie die Stelle um ein "
                     "neues Angebot.",
                     "Ce portefeuille ne peut pas renouveler les copies de ce document : demandez une nouvelle "
                     "offre à l'organisme.",
                     "Ten portfel nie może odnowić kopii tego dokumentu: poproś instytucję o nową ofertę."),
    "not_found": ("This was not found here.", "Tas šeit netika atrasts.", "Das wurde hier nicht gefunden.",
                  "Introuvable ici.", "Nie znaleziono tego tutaj."),
    "qr": ("The picture could not be read as a QR code.", "Attēlu neizdevās nolasīt kā QR kodu.",
           "Das Bild konnte nicht als QR-Code gelesen werden.", "L'image n'a pas pu être lue comme un code QR.",
           "Nie udało się odczytać obrazu jako kodu QR."),
    "wallet_not_found": ("There is no wallet here yet.", "Šeit vēl nav maka.", "Hier gibt es noch keine Wallet.",
                         "Il n'y a pas encore de portefeuille ici.", "Nie ma tu jeszcze portfela."),
    "wallet_exists": ("A wallet already exists here.", "Šeit jau ir maks.", "Hier gibt es bereits eine Wallet.",
                      "Un portefeuille existe déjà ici.", "Portfel już tu istnieje."),
    "wallet_corrupt": ("The wallet file is damaged.", "Maka fails ir bojāts.", "Die Wallet-Datei ist beschädigt.",
                       "Le fichier du portefeuille est endommagé.", "Plik portfela jest uszkodzony."),
    "wallet_locked": ("The wallet is locked. Unlock it again.", "Maks ir bloķēts. Atbloķējiet to vēlreiz.",
                      "Die Wallet ist gesperrt. Entsperren Sie sie erneut.",
                      "Le portefeuille est verrouillé. Déverrouillez-le à nouveau.",
                      "Portfel jest zablokowany. Odblokuj go ponownie."),
}

#: The wallet's own failure messages (and those of the QR reader it uses), each said whole in every
#: language: the message is the sentence the worker reads, with nothing more to add in English.
_MESSAGES: dict[str, tuple[str, str, str, str, str]] = {
    # wallet.service.ENDED_NO_RENEWAL, NO_RENEWAL, RENEWING_NOW
    "This document's own last day has passed: its copies are not renewed.": (
        "This document's own last day has passed: its copies are not renewed.",
        "Šī dokumenta pēdējā diena ir pagājusi: tā kopijas netiek atjaunotas.",
        "Der letzte Tag dieses Dokuments ist vorbei: Seine Kopien werden nicht erneuert.",
        "Le dernier jour de ce document est passé : ses copies ne sont pas renouvelées.",
        "Ostatni dzień ważności tego dokumentu minął: jego kopie nie są odnawiane."),
    ("This wallet cannot renew the copies of this document (it has no access from the institution for that): "
     "ask the institution for a new offer."): (
        "This wallet cannot renew the copies of this document (it has no access from the institution for that): "
        "ask the institution for a new offer.",
        "Šis maks nevar atjaunot šī dokumenta kopijas (tam nav iestādes piekļuves tam): lūdziet iestādei "
        "jaunu piedāvājumu.",
        "Diese Wallet kann die Kopien dieses Dokuments nicht erneuern (sie hat dafür keinen Zugang der Stelle): "
        "Bitten Sie die Stelle um ein neues Angebot.",
        "Ce portefeuille ne peut pas renouveler les copies de ce document (il n'a pas d'accès de l'organisme "
        "pour cela) : demandez une nouvelle offre à l'organisme.",
        "Ten portfel nie może odnowić kopii tego dokumentu (nie ma do tego dostępu od instytucji): poproś "
        "instytucję o nową ofertę."),
    # wallet.service.REPLACED_NO_RENEWAL (review R10, 6)
    ("This document was replaced by a newer one: its copies are not renewed. If the new one is not in your wallet "
     "yet, ask the institution for an offer of it."): (
        "This document was replaced by a newer one: its copies are not renewed. If the new one is not in your "
        "wallet yet, ask the institution for an offer of it.",
        "Šis dokuments ir aizstāts ar jaunāku: tā kopijas netiek atjaunotas. Ja jaunā dokumenta vēl nav jūsu "
        "makā, lūdziet iestādei tā piedāvājumu.",
        "Dieses Dokument wurde durch ein neueres ersetzt: Seine Kopien werden nicht erneuert. Ist das neue noch "
        "nicht in Ihrer Wallet, bitten Sie die Stelle um ein Angebot dafür.",
        "Ce document a été remplacé par un plus récent : ses copies ne sont pas renouvelées. Si le nouveau n'est "
        "pas encore dans votre portefeuille, demandez-en une offre à l'organisme.",
        "Ten dokument został zastąpiony nowszym: jego kopie nie są odnawiane. Jeśli nowego dokumentu nie ma "
        "jeszcze w Twoim portfelu, poproś instytucję o jego ofertę."),
    "This document was removed or renewed meanwhile; nothing was changed.": (
        "This document was removed or renewed meanwhile; nothing was changed.",
        "Šis dokuments pa to laiku tika noņemts vai atjaunots; nekas netika mainīts.",
        "Dieses Dokument wurde inzwischen entfernt oder erneuert; es wurde nichts geändert.",
        "Ce document a été retiré ou renouvelé entre-temps ; rien n'a été modifié.",
        "Ten dokument został w międzyczasie usunięty lub odnowiony; nic nie zmieniono."),
    # wallet.service.SOONER_KEPT (review J, L4)
    "The institution sent copies that end sooner than the ones held: the ones held are kept.": (
        "The institution sent copies that end sooner than the ones held: the ones held are kept.",
        "Iestāde atsūtīja kopijas, kuru derīgums beidzas agrāk nekā esošajām: esošās kopijas tiek paturētas.",
        "Die Stelle hat Kopien geschickt, die früher enden als die vorhandenen: Die vorhandenen werden behalten.",
        "L'organisme a envoyé des copies qui expirent plus tôt que celles détenues : celles-ci sont conservées.",
        "Instytucja przesłała kopie, które wygasają wcześniej niż posiadane: posiadane kopie zostają zachowane."),
    "The wallet is renewing the copies of this document right now (in another window or terminal).": (
        "The wallet is renewing the copies of this document right now (in another window or terminal). Try "
        "again in a minute.",
        "Maks šobrīd atjauno šī dokumenta kopijas (citā logā vai terminālī). Mēģiniet vēlreiz pēc minūtes.",
        "Die Wallet erneuert gerade die Kopien dieses Dokuments (in einem anderen Fenster oder Terminal). "
        "Versuchen Sie es in einer Minute erneut.",
        "Le portefeuille renouvelle en ce moment les copies de ce document (dans une autre fenêtre ou un "
        "terminal). Réessayez dans une minute.",
        "Portfel właśnie odnawia kopie tego dokumentu (w innym oknie lub terminalu). Spróbuj ponownie za "
        "minutę."),
    "There is no such document in this wallet.": (
        "There is no such document in this wallet.", "Šajā makā nav tāda dokumenta.",
        "In dieser Wallet gibt es kein solches Dokument.", "Ce portefeuille ne contient pas ce document.",
        "W tym portfelu nie ma takiego dokumentu."),
    "There is no such pending document in this wallet.": (
        "There is no such pending document in this wallet.", "Šajā makā nav tāda gaidoša dokumenta.",
        "In dieser Wallet gibt es kein solches wartendes Dokument.",
        "Ce portefeuille n'attend pas ce document.", "W tym portfelu nie ma takiego oczekującego dokumentu."),
    "This document has no offline QR form.": (
        "This document has no offline QR form.", "Šim dokumentam nav bezsaistes QR koda.",
        "Dieses Dokument hat keinen Offline-QR-Code.", "Ce document n'a pas de code QR hors ligne.",
        "Ten dokument nie ma kodu QR offline."),
    "This QR code is no longer on screen. Show it again from the document.": (
        "This QR code is no longer on screen. Show it again from the document.",
        "Šis QR kods vairs netiek rādīts. Parādiet to vēlreiz no dokumenta.",
        "Dieser QR-Code wird nicht mehr angezeigt. Zeigen Sie ihn erneut über das Dokument.",
        "Ce code QR n'est plus affiché. Affichez-le à nouveau depuis le document.",
        "Ten kod QR nie jest już wyświetlany. Pokaż go ponownie z poziomu dokumentu."),
    "This offer is no longer open here. Start again from the link or QR code.": (
        "This offer is no longer open here. Start again from the link or QR code.",
        "Šis piedāvājums šeit vairs nav atvērts. Sāciet no jauna ar saiti vai QR kodu.",
        "Dieses Angebot ist hier nicht mehr offen. Beginnen Sie erneut mit dem Link oder QR-Code.",
        "Cette offre n'est plus ouverte ici. Recommencez à partir du lien ou du code QR.",
        "Ta oferta nie jest już tu otwarta. Zacznij od nowa od linku lub kodu QR."),
    "This wallet did not send you to the institution, or it was too long ago. Start again from the link or QR code.": (
        "This wallet did not send you to the institution, or it was too long ago. Start again from the link or "
        "QR code.",
        "Šis maks jūs uz iestādi nenosūtīja, vai tas bija pārāk sen. Sāciet no jauna ar saiti vai QR kodu.",
        "Diese Wallet hat Sie nicht zur Einrichtung geschickt, oder es ist zu lange her. Beginnen Sie erneut mit "
        "dem Link oder QR-Code.",
        "Ce portefeuille ne vous a pas envoyé vers l'organisme, ou il y a trop longtemps. Recommencez à partir "
        "du lien ou du code QR.",
        "Ten portfel nie skierował Cię do instytucji albo było to zbyt dawno. Zacznij od nowa od linku lub kodu "
        "QR."),
    "This request is no longer open here. Scan the inspector's QR code again.": (
        "This request is no longer open here. Scan the inspector's QR code again.",
        "Šis pieprasījums šeit vairs nav atvērts. Noskenējiet inspektora QR kodu vēlreiz.",
        "Diese Anfrage ist hier nicht mehr offen. Scannen Sie den QR-Code der Kontrollperson erneut.",
        "Cette demande n'est plus ouverte ici. Scannez à nouveau le code QR de l'inspecteur.",
        "Ta prośba nie jest już tu otwarta. Zeskanuj ponownie kod QR inspektora."),
    "The institution cannot hand over the document just now; the offer and your code were not used up. Try "
    "again later with the same link or QR code.": (
        "The institution cannot hand over the document just now; the offer and your code were not used up. Try "
        "again later with the same link or QR code.",
        "Iestāde šobrīd nevar izsniegt dokumentu; piedāvājums un jūsu kods netika iztērēti. Mēģiniet vēlāk "
        "vēlreiz ar to pašu saiti vai QR kodu.",
        "Die Stelle kann das Dokument gerade nicht übergeben; das Angebot und Ihr Code wurden nicht verbraucht. "
        "Versuchen Sie es später mit demselben Link oder QR-Code erneut.",
        "L'organisme ne peut pas remettre le document pour l'instant ; l'offre et votre code n'ont pas été "
        "consommés. Réessayez plus tard avec le même lien ou code QR.",
        "Instytucja nie może teraz wydać dokumentu; oferta i kod nie zostały zużyte. Spróbuj później z tym "
        "samym linkiem lub kodem QR."),
    "This document was removed from the wallet; it was not sent, and the inspector is told. Ask the inspector "
    "to start a new check.": (
        "This document was removed from the wallet; it was not sent, and the inspector is told. Ask the inspector "
        "to start a new check.",
        "Šis dokuments tika noņemts no maka; tas netika nosūtīts, un inspektoram par to tiek paziņots. Lūdziet "
        "inspektoru sākt jaunu pārbaudi.",
        "Dieses Dokument wurde aus der Wallet entfernt; es wurde nicht gesendet, und die Kontrollperson wird "
        "benachrichtigt. Bitten Sie die Kontrollperson, eine neue Prüfung zu starten.",
        "Ce document a été retiré du portefeuille ; il n'a pas été envoyé, et l'inspecteur en est informé. "
        "Demandez à l'inspecteur de lancer un nouveau contrôle.",
        "Ten dokument usunięto z portfela; nie został wysłany, a inspektor zostaje o tym powiadomiony. Poproś "
        "inspektora o rozpoczęcie nowej kontroli."),
    "This document was removed from the wallet; its QR code is no longer shown.": (
        "This document was removed from the wallet; its QR code is no longer shown.",
        "Šis dokuments tika noņemts no maka; tā QR kods vairs netiek rādīts.",
        "Dieses Dokument wurde aus der Wallet entfernt; sein QR-Code wird nicht mehr angezeigt.",
        "Ce document a été retiré du portefeuille ; son code QR n'est plus affiché.",
        "Ten dokument usunięto z portfela; jego kod QR nie jest już wyświetlany."),
    "A document this request would show was renewed in the wallet meanwhile; nothing was sent. Scan the "
    "inspector's QR code again.": (
        "A document this request would show was renewed in the wallet meanwhile; nothing was sent. Scan the "
        "inspector's QR code again.",
        "Dokuments, ko šis pieprasījums parādītu, pa to laiku makā tika atjaunots; nekas netika nosūtīts. "
        "Noskenējiet inspektora QR kodu vēlreiz.",
        "Ein Dokument, das diese Anfrage zeigen würde, wurde inzwischen in der Wallet erneuert; es wurde nichts "
        "gesendet. Scannen Sie den QR-Code der Kontrollperson erneut.",
        "Un document que cette demande montrerait a été renouvelé entre-temps dans le portefeuille ; rien n'a "
        "été envoyé. Scannez à nouveau le code QR de l'inspecteur.",
        "Dokument, który ta prośba by pokazała, został w międzyczasie odnowiony w portfelu; nic nie wysłano. "
        "Zeskanuj ponownie kod QR inspektora."),
    "This document was renewed in the wallet meanwhile, and this QR code showed its old copy. Show it again "
    "from the document.": (
        "This document was renewed in the wallet meanwhile, and this QR code showed its old copy. Show it again "
        "from the document.",
        "Šis dokuments pa to laiku makā tika atjaunots, un šis QR kods rādīja tā veco kopiju. Parādiet to "
        "vēlreiz no dokumenta.",
        "Dieses Dokument wurde inzwischen in der Wallet erneuert, und dieser QR-Code zeigte seine alte Kopie. "
        "Zeigen Sie ihn erneut über das Dokument.",
        "Ce document a été renouvelé entre-temps dans le portefeuille, et ce code QR en montrait l'ancienne "
        "copie. Affichez-le à nouveau depuis le document.",
        "Ten dokument został w międzyczasie odnowiony w portfelu, a ten kod QR pokazywał jego starą kopię. "
        "Pokaż go ponownie z poziomu dokumentu."),
    "This request was already answered.": (
        "This request was already answered.", "Uz šo pieprasījumu jau ir atbildēts.",
        "Diese Anfrage wurde bereits beantwortet.", "Il a déjà été répondu à cette demande.",
        "Na tę prośbę już odpowiedziano."),
    # wallet.service.NOT_AN_ANSWER: a document chosen (consent page, present --choose) that no query takes.
    "That document does not answer this request. Nothing was sent.": (
        "That document does not answer this request. Nothing was sent.",
        "Šis dokuments neatbilst šim pieprasījumam. Nekas netika nosūtīts.",
        "Dieses Dokument passt nicht zu dieser Anfrage. Es wurde nichts gesendet.",
        "Ce document ne répond pas à cette demande. Rien n'a été envoyé.",
        "Ten dokument nie odpowiada tej prośbie. Nic nie zostało wysłane."),
    "There is no wallet here yet. Create one first (esspass wallet init).": (
        "There is no wallet here yet. Create one first (esspass wallet init).",
        "Šeit vēl nav maka. Vispirms izveidojiet to (esspass wallet init).",
        "Hier gibt es noch keine Wallet. Legen Sie zuerst eine an (esspass wallet init).",
        "Il n'y a pas encore de portefeuille ici. Créez-en d'abord un (esspass wallet init).",
        "Nie ma tu jeszcze portfela. Najpierw go utwórz (esspass wallet init)."),
    "The wallet file is damaged or is not a wallet file.": (
        "The wallet file is damaged or is not a wallet file.", "Maka fails ir bojāts vai nav maka fails.",
        "Die Wallet-Datei ist beschädigt oder keine Wallet-Datei.",
        "Le fichier du portefeuille est endommagé ou n'est pas un fichier de portefeuille.",
        "Plik portfela jest uszkodzony lub nie jest plikiem portfela."),
    "The wallet file was written by an unknown version of the wallet.": (
        "The wallet file was written by an unknown version of the wallet.",
        "Maka failu ir rakstījusi nezināma maka versija.",
        "Die Wallet-Datei wurde von einer unbekannten Version der Wallet geschrieben.",
        "Le fichier du portefeuille a été écrit par une version inconnue du portefeuille.",
        "Plik portfela zapisała nieznana wersja portfela."),
    "The wallet file names an unknown key derivation.": (
        "The wallet file names an unknown key derivation.",
        "Maka fails norāda nezināmu atslēgas atvasināšanas metodi.",
        "Die Wallet-Datei nennt ein unbekanntes Schlüsselableitungsverfahren.",
        "Le fichier du portefeuille indique une dérivation de clé inconnue.",
        "Plik portfela wskazuje nieznaną metodę wyprowadzania klucza."),
    "The wallet file's key derivation parameters are damaged.": (
        "The wallet file's key derivation parameters are damaged.",
        "Maka faila atslēgas atvasināšanas parametri ir bojāti.",
        "Die Parameter der Schlüsselableitung in der Wallet-Datei sind beschädigt.",
        "Les paramètres de dérivation de clé du fichier du portefeuille sont endommagés.",
        "Parametry wyprowadzania klucza w pliku portfela są uszkodzone."),
    "The wallet file is damaged.": (
        "The wallet file is damaged.", "Maka fails ir bojāts.", "Die Wallet-Datei ist beschädigt.",
        "Le fichier du portefeuille est endommagé.", "Plik portfela jest uszkodzony."),
    "The wallet content is damaged.": (
        "The wallet content is damaged.", "Maka saturs ir bojāts.", "Der Inhalt der Wallet ist beschädigt.",
        "Le contenu du portefeuille est endommagé.", "Zawartość portfela jest uszkodzona."),
    "The wallet content has an unknown version.": (
        "The wallet content has an unknown version.", "Maka saturam ir nezināma versija.",
        "Der Inhalt der Wallet hat eine unbekannte Version.", "Le contenu du portefeuille a une version inconnue.",
        "Zawartość portfela ma nieznaną wersję."),
    "Wrong passphrase (or the wallet file was altered). Nothing was changed.": (
        "Wrong passphrase (or the wallet file was altered). Nothing was changed.",
        "Nepareiza parole (vai maka fails ir mainīts). Nekas netika mainīts.",
        "Falsche Passphrase (oder die Wallet-Datei wurde verändert). Es wurde nichts geändert.",
        "Phrase secrète erronée (ou le fichier du portefeuille a été modifié). Rien n'a été modifié.",
        "Błędne hasło (lub plik portfela został zmieniony). Nic nie zmieniono."),
    "A wallet already exists here; it was left as it is.": (
        "A wallet already exists here; it was left as it is.", "Šeit jau ir maks; tas netika mainīts.",
        "Hier gibt es bereits eine Wallet; sie bleibt unverändert.",
        "Un portefeuille existe déjà ici ; il a été laissé tel quel.",
        "Portfel już tu istnieje; pozostawiono go bez zmian."),
    "The wallet was changed by another program; unlock it again.": (
        "The wallet was changed by another program; unlock it again.",
        "Maku mainīja cita programma; atbloķējiet to vēlreiz.",
        "Die Wallet wurde von einem anderen Programm geändert; entsperren Sie sie erneut.",
        "Le portefeuille a été modifié par un autre programme ; déverrouillez-le à nouveau.",
        "Portfel został zmieniony przez inny program; odblokuj go ponownie."),
    "Choose a passphrase of at least 8 characters.": (
        "Choose a passphrase of at least 8 characters. Nothing was created.",
        "Izvēlieties paroli, kurā ir vismaz 8 rakstzīmes. Nekas netika izveidots.",
        "Wählen Sie eine Passphrase mit mindestens 8 Zeichen. Es wurde nichts angelegt.",
        "Choisissez une phrase secrète d'au moins 8 caractères. Rien n'a été créé.",
        "Wybierz hasło o długości co najmniej 8 znaków. Nic nie utworzono."),
    # wallet.passphrase.TOO_COMMON, TOO_REPETITIVE, TOO_SEQUENTIAL (NIST SP 800-63B §5.1.1.2; review R2, 5)
    ("This passphrase is one of the most common ones, which are tried first. Choose another one: a few words of "
     "your own, for example."): (
        "This passphrase is one of the most common ones, which are tried first. Choose another one: a few words of "
        "your own, for example.",
        "Šī parole ir viena no visbiežāk lietotajām, kuras tiek izmēģinātas vispirms. Izvēlieties citu, "
        "piemēram, dažus savus vārdus.",
        "Diese Passphrase gehört zu den häufigsten, die zuerst ausprobiert werden. Wählen Sie eine andere, zum "
        "Beispiel ein paar eigene Wörter.",
        "Cette phrase secrète fait partie des plus courantes, qui sont essayées en premier. Choisissez-en une "
        "autre, par exemple quelques mots à vous.",
        "To hasło jest jednym z najczęściej używanych, które są sprawdzane w pierwszej kolejności. Wybierz inne, "
        "na przykład kilka własnych słów."),
    ("This passphrase only repeats the same characters (such as 'aaaaaaaa' or '12121212'), which are tried "
     "first. Choose another one."): (
        "This passphrase only repeats the same characters (such as 'aaaaaaaa' or '12121212'), which are tried "
        "first. Choose another one.",
        "Šajā parolē tikai atkārtojas tās pašas rakstzīmes (piemēram, 'aaaaaaaa' vai '12121212'), un tādas tiek "
        "izmēģinātas vispirms. Izvēlieties citu.",
        "Diese Passphrase wiederholt nur dieselben Zeichen (wie „aaaaaaaa“ oder „12121212“), die zuerst "
        "ausprobiert werden. Wählen Sie eine andere.",
        "Cette phrase secrète ne fait que répéter les mêmes caractères (comme « aaaaaaaa » ou « 12121212 »), qui "
        "sont essayés en premier. Choisissez-en une autre.",
        "To hasło tylko powtarza te same znaki (np. „aaaaaaaa” lub „12121212”), które są sprawdzane w pierwszej "
        "kolejności. Wybierz inne."),
    ("This passphrase is a run of characters in order (such as '12345678', 'abcdefgh' or 'qwertyui' along the "
     "keyboard), which are tried first. Choose another one."): (
        "This passphrase is a run of characters in order (such as '12345678', 'abcdefgh' or 'qwertyui' along the "
        "keyboard), which are tried first. Choose another one.",
        "Šī parole ir secīgu rakstzīmju virkne (piemēram, '12345678', 'abcdefgh' vai 'qwertyui' pa tastatūru), "
        "un tādas tiek izmēģinātas vispirms. Izvēlieties citu.",
        "Diese Passphrase ist eine Folge von Zeichen der Reihe nach (wie „12345678“, „abcdefgh“ oder „qwertzui“ "
        "entlang der Tastatur), die zuerst ausprobiert wird. Wählen Sie eine andere.",
        "Cette phrase secrète est une suite de caractères dans l'ordre (comme « 12345678 », « abcdefgh » ou "
        "« azertyui » sur le clavier), qui sont essayées en premier. Choisissez-en une autre.",
        "To hasło to ciąg kolejnych znaków (np. „12345678”, „abcdefgh” lub „qwertyui” wzdłuż klawiatury), które "
        "są sprawdzane w pierwszej kolejności. Wybierz inne."),
    "The request cannot be answered without some of what you left out. Nothing was sent.": _EXPLAIN["withheld"],
    # credentials.qr_picture, through wallet.qr
    "The picture is empty.": ("The picture is empty.", "Attēls ir tukšs.", "Das Bild ist leer.", "L'image est vide.",
                              "Obraz jest pusty."),
    "The picture is too large.": ("The picture is too large.", "Attēls ir pārāk liels.", "Das Bild ist zu groß.",
                                  "L'image est trop grande.", "Obraz jest za duży."),
    "This file is not a picture that can be read.": (
        "This file is not a picture that can be read.", "Šis fails nav nolasāms attēls.",
        "Diese Datei ist kein lesbares Bild.", "Ce fichier n'est pas une image lisible.",
        "Ten plik nie jest czytelnym obrazem."),
    "No QR code could be read in the picture. Try a sharper, closer photo.": (
        "No QR code could be read in the picture. Try a sharper, closer photo.",
        "Attēlā neizdevās nolasīt QR kodu. Mēģiniet ar asāku foto no tuvāka attāluma.",
        "Im Bild konnte kein QR-Code gelesen werden. Versuchen Sie ein schärferes Foto aus größerer Nähe.",
        "Aucun code QR n'a pu être lu dans l'image. Essayez une photo plus nette, prise de plus près.",
        "Nie udało się odczytać kodu QR na obrazie. Spróbuj ostrzejszego zdjęcia z bliska."),
    "The picture shows more than one QR code. Show only one.": (
        "The picture shows more than one QR code. Show only one.",
        "Attēlā ir vairāk nekā viens QR kods. Rādiet tikai vienu.",
        "Das Bild zeigt mehr als einen QR-Code. Zeigen Sie nur einen.",
        "L'image montre plus d'un code QR. N'en montrez qu'un.",
        "Na obrazie jest więcej niż jeden kod QR. Pokaż tylko jeden."),
}

#: What an institution's or inspector's server says (in English, after "<what the wallet did>: "),
#: recognised and said whole in the worker's language: key, the pattern, and its words.
_REMOTE: tuple[tuple[str, re.Pattern[str], tuple[str, str, str, str, str]], ...] = (
    # The last try, in the singular (the issuer says "1 attempts left").
    ("tx_code_last", re.compile(r"wrong transaction code \((1) attempts? left\)"), (
        "The code is wrong: {n} attempt left.", "Kods ir nepareizs. Atlikušie mēģinājumi: {n}.",
        "Der Code ist falsch. Verbleibende Versuche: {n}.", "Le code est erroné. Essais restants : {n}.",
        "Kod jest błędny. Pozostałe próby: {n}.")),
    ("tx_code_left", re.compile(r"wrong transaction code \((\d+) attempts? left\)"), (
        "The code is wrong: {n} attempts left.", "Kods ir nepareizs. Atlikušie mēģinājumi: {n}.",
        "Der Code ist falsch. Verbleibende Versuche: {n}.", "Le code est erroné. Essais restants : {n}.",
        "Kod jest błędny. Pozostałe próby: {n}.")),
    ("tx_code_locked", re.compile(r"wrong transaction code; the offer is now locked"), (
        "The code is wrong, and after too many wrong codes the offer is now locked. Ask the institution for a "
        "new offer.",
        "Kods ir nepareizs, un pēc pārāk daudziem nepareiziem kodiem piedāvājums tagad ir bloķēts. Lūdziet "
        "iestādei jaunu piedāvājumu.",
        "Der Code ist falsch; nach zu vielen falschen Codes ist das Angebot jetzt gesperrt. Bitten Sie die "
        "Stelle um ein neues Angebot.",
        "Le code est erroné ; après trop de codes erronés, l'offre est maintenant bloquée. Demandez une "
        "nouvelle offre à l'organisme.",
        "Kod jest błędny; po zbyt wielu błędnych próbach oferta jest teraz zablokowana. Poproś instytucję o "
        "nową ofertę.")),
    # The offer was locked by earlier wrong codes (on another visit, or Back to the offer's page).
    ("tx_code_locked_before", re.compile(r"too many wrong transaction codes"), (
        "After too many wrong codes this offer is locked. Ask the institution for a new offer.",
        "Pēc pārāk daudziem nepareiziem kodiem šis piedāvājums ir bloķēts. Lūdziet iestādei jaunu piedāvājumu.",
        "Nach zu vielen falschen Codes ist dieses Angebot gesperrt. Bitten Sie die Stelle um ein neues Angebot.",
        "Après trop de codes erronés, cette offre est bloquée. Demandez une nouvelle offre à l'organisme.",
        "Po zbyt wielu błędnych kodach ta oferta jest zablokowana. Poproś instytucję o nową ofertę.")),
    ("offer_gone", re.compile(r"this credential offer is unknown(, used or expired)?$"), (
        "The institution does not know this offer, or it was already used or has expired. Ask the institution "
        "for a new offer.",
        "Iestāde šo piedāvājumu nezina, vai tas jau ir izmantots vai beidzies. Lūdziet iestādei jaunu "
        "piedāvājumu.",
        "Die Stelle kennt dieses Angebot nicht, oder es wurde schon verwendet oder ist abgelaufen. Bitten Sie "
        "die Stelle um ein neues Angebot.",
        "L'organisme ne connaît pas cette offre, ou elle a déjà été utilisée ou a expiré. Demandez une "
        "nouvelle offre à l'organisme.",
        "Instytucja nie zna tej oferty albo została już użyta lub wygasła. Poproś instytucję o nową ofertę.")),
    # An offer made under an offer key the issuer no longer holds (issuer.service._VOID_OFFER): 404, invalid_grant.
    ("offer_void", re.compile(r"this credential offer is no longer valid \(the issuer's offer key was replaced\)"), (
        "This offer can no longer be used (the institution's system was changed since). Nothing was "
        "received and your code was not used up: ask the institution for a new offer.",
        "Šo piedāvājumu vairs nevar izmantot (iestādes sistēma kopš tā laika ir mainīta). Nekas netika "
        "saņemts, un jūsu kods netika iztērēts: lūdziet iestādei jaunu piedāvājumu.",
        "Dieses Angebot kann nicht mehr verwendet werden (das System der Stelle wurde inzwischen geändert). "
        "Nichts wurde empfangen und Ihr Code nicht verbraucht: Bitten Sie die Stelle um ein neues Angebot.",
        "Cette offre ne peut plus être utilisée (le système de l'organisme a changé depuis). Rien n'a été "
        "reçu et votre code n'a pas été consommé : demandez une nouvelle offre à l'organisme.",
        "Tej oferty nie można już użyć (system instytucji został od tego czasu zmieniony). Nic nie otrzymano, "
        "a kod nie został zużyty: poproś instytucję o nową ofertę.")),
    # The issuer refuses to sign under its expired document signer certificate (503, issuer.service).
    ("signer_expired", re.compile(r"the institution's signing certificate has expired"), (
        "The institution's signing certificate has expired, so it cannot issue documents until it renews it. "
        "Nothing was received: try again later, or ask the institution.",
        "Iestādes parakstīšanas sertifikāta derīgums ir beidzies, tāpēc tā nevar izsniegt dokumentus, kamēr to "
        "neatjauno. Nekas netika saņemts: mēģiniet vēlāk vai vērsieties iestādē.",
        "Das Signaturzertifikat der Stelle ist abgelaufen; bis sie es erneuert, kann sie keine Dokumente "
        "ausstellen. Es wurde nichts empfangen: Versuchen Sie es später erneut oder wenden Sie sich an die Stelle.",
        "Le certificat de signature de l'organisme a expiré : il ne peut pas délivrer de documents avant de l'avoir "
        "renouvelé. Rien n'a été reçu : réessayez plus tard ou adressez-vous à l'organisme.",
        "Certyfikat podpisu instytucji wygasł, więc nie może ona wydawać dokumentów, dopóki go nie odnowi. Nic nie "
        "odebrano: spróbuj później lub skontaktuj się z instytucją.")),
    # The issuer refuses to sign with a key the trust list revoked or replaced, or while the institution is
    # suspended or withdrawn there (503 signer.distrusted, issuer.signers).
    ("signer_distrusted", re.compile(r"the trust list no longer accepts the institution's signing key"), (
        "The trust list no longer accepts the institution's signing key (it was revoked or replaced there, or the "
        "institution is suspended or withdrawn), so it cannot issue documents now. Nothing was received: try "
        "again later, or ask the institution.",
        "Uzticamības saraksts vairs nepieņem iestādes parakstīšanas atslēgu (tā tajā ir atsaukta vai aizstāta, vai "
        "iestādes dalība ir apturēta vai izbeigta), tāpēc tā tagad nevar izsniegt dokumentus. Nekas netika saņemts: "
        "mēģiniet vēlāk vai vērsieties iestādē.",
        "Die Vertrauensliste akzeptiert den Signaturschlüssel der Stelle nicht mehr (er wurde dort widerrufen oder "
        "ersetzt, oder die Stelle ist ausgesetzt oder gestrichen); sie kann derzeit keine Dokumente ausstellen. Es "
        "wurde nichts empfangen: Versuchen Sie es später erneut oder wenden Sie sich an die Stelle.",
        "La liste de confiance n'accepte plus la clé de signature de l'organisme (révoquée ou remplacée, ou "
        "l'organisme est suspendu ou retiré) : il ne peut pas délivrer de documents pour l'instant. Rien n'a été "
        "reçu : réessayez plus tard ou adressez-vous à l'organisme.",
        "Lista zaufania nie akceptuje już klucza podpisu instytucji (został unieważniony lub zastąpiony albo "
        "instytucja jest zawieszona lub wycofana), więc nie może ona teraz wydawać dokumentów. Nic nie odebrano: "
        "spróbuj później lub skontaktuj się z instytucją.")),
    ("request_gone", re.compile(r"this request has expired or was already answered"), (
        "This request has expired or was already answered. Ask the inspector for a new one.",
        "Šis pieprasījums ir beidzies vai uz to jau ir atbildēts. Lūdziet inspektoram jaunu.",
        "Diese Anfrage ist abgelaufen oder wurde schon beantwortet. Bitten Sie die Kontrollperson um eine neue.",
        "Cette demande a expiré ou a déjà reçu une réponse. Demandez-en une nouvelle à l'inspecteur.",
        "Ta prośba wygasła lub już na nią odpowiedziano. Poproś inspektora o nową.")),
)

#: ``STRINGS[key][lang]``, registered with credentials.i18n under the ``wallet.`` prefix.
STRINGS: dict[str, dict[str, str]] = {
    key: dict(zip(LANGUAGES, values, strict=True)) for key, values in _T.items()
} | {f"explain.{key}": dict(zip(LANGUAGES, values, strict=True)) for key, values in _EXPLAIN.items()
     } | {f"remote.{key}": dict(zip(LANGUAGES, values, strict=True)) for key, _pattern, values in _REMOTE}
#: The wallet's own failure messages (:data:`_MESSAGES`) by their English words.
MESSAGES: dict[str, dict[str, str]] = {
    english: dict(zip(LANGUAGES, values, strict=True)) for english, values in _MESSAGES.items()}

i18n.register({f"wallet.{key}": texts for key, texts in STRINGS.items()})


def normalise_lang(lang: str | None) -> str:
    """One of :data:`LANGUAGES` (``de-AT`` -> ``de``; an Accept-Language header works too)."""
    return i18n.negotiate(lang, default="en")


def t(key: str, lang: str, **kw: Any) -> str:
    """The wallet string ``key`` in ``lang`` (English fallback), formatted with ``kw``."""
    return i18n.t(f"wallet.{key}", normalise_lang(lang), **kw)


def format_when(iso: str, lang: str) -> str:
    """An ISO 8601 time (UTC as the wallet records it) as the worker reads it: the page's date format
    (:func:`credentials.i18n.format_date`) and the phone's local time, to the minute; ``iso`` as it is
    when it is not a time."""
    try:
        at = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    local = (at if at.tzinfo is not None else at.replace(tzinfo=UTC)).astimezone()
    lang = normalise_lang(lang)
    # Latvian dates end in a full stop (DD.MM.YYYY.): a comma after it would read as a second stop.
    return f"{i18n.format_date(local.date(), lang)}{' ' if lang == 'lv' else ', '}{local:%H:%M}"


def explain(code: str, message: str, lang: str) -> str:
    """A failure in plain words, in ``lang``: a message the wallet knows (its own, :data:`_MESSAGES`,
    or a server's it recognises, :data:`_REMOTE`, with what it carries: the tries left) said whole;
    else the general sentence for its code, then what exactly failed (a technical detail, as the
    server or check said it); else the message as it is."""
    lang = normalise_lang(lang)
    own = MESSAGES.get(message.strip())
    if own is not None:
        return own[lang]
    for key, pattern, _words in _REMOTE:
        found = pattern.search(message)
        if found is not None:
            return t(f"remote.{key}", lang, n=found.group(1) or "") if found.groups() else t(f"remote.{key}", lang)
    if f"explain.{code}" not in STRINGS:
        return message
    text = t(f"explain.{code}", lang)
    if not message:
        return text
    if lang == "en":
        return f"{text} ({message})"
    # The detail is the server's or the check's own words, in English: said so, not passed off as the
    # worker's language, for whoever the worker asks for help.
    return f"{text} ({t('detail_in_english', lang)}{i18n.colon(lang)} {message})"


def pending_message(outcome: str, institution: str, titles: tuple[str, ...] | list[str], detail: str,
                    lang: str) -> str:
    """What asking about a pending document came to (:class:`wallet.service.PendingOutcome`), in words."""
    document = ", ".join(titles)
    key = {"pending": "pending.unreachable" if detail else "pending.still",
           "received": "pending.partial" if detail else "pending.received"}.get(outcome, f"pending.{outcome}")
    return t(key, lang, institution=institution, document=document, detail=detail)
