"""The issuer's own rules and refusals, in EN, LV, DE, FR and PL, each by a stable key.

Beside the document models' rules (:data:`credentials.claims.RULE_TEXTS`), these are what the issuer
refuses of a case, an action on it or an import file: a :class:`~credentials.errors.DataError` at a
field (:func:`credentials.claims.invalid`) or a :class:`~credentials.errors.ProtocolError`
(:func:`refusal`: 409 "the case is suspended; reinstate it first"), each carrying its key and
parameters. The API says the English words (and ``rule_key``, ``rule_params`` beside them); the
back office says the clerk's language by the key (``rule.<key>`` in :mod:`credentials.i18n`),
never by matching the English words, so rewording a rule here changes every language's page at once.

A parameter named ``state`` is a case's state as the API words it (``active``, ``suspended``,
``revoked`` or ``withdrawn``), which a page shows in its language; one ending in ``field`` is a claim
path, shown by its label.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from credentials import countries, pda1
from credentials.claims import RULE_TEXTS, register_rules, within_months
from credentials.errors import ProtocolError

__all__ = ["ISSUER_RULES", "POSTING_RULES", "POSTING_STATUSES", "PostingCheck", "Recorded", "a1_params", "add_months",
           "months_spanned", "new_posting_from", "posting_check", "refusal", "rule_row", "same_person", "same_posting",
           "words"]

#: key -> words in (en, lv, de, fr, pl); ``{name}`` a parameter.
ISSUER_RULES: dict[str, tuple[str, str, str, str, str]] = {
    "issuer.does_not_issue": ("{institution} does not issue {configuration}",
                              "{institution} neizsniedz dokumentus, kuru veids ir {configuration}",
                              "{institution} stellt keine Dokumente der Art {configuration} aus",
                              "{institution} ne délivre pas de document de type {configuration}",
                              "{institution} nie wydaje dokumentów typu {configuration}"),
    "issuer.own_institution": ("must be this institution's ({id}, {country})",
                               "jāatbilst šai iestādei ({id}, {country})",
                               "muss zu dieser Einrichtung passen ({id}, {country})",
                               "doit correspondre à cet organisme ({id}, {country})",
                               "musi odpowiadać tej instytucji ({id}, {country})"),
    "issuer.provider_name": ("must be this provider's name ({name})", "jābūt šī nodrošinātāja nosaukumam ({name})",
                             "muss der Name dieses Anbieters sein ({name})",
                             "doit être le nom de ce fournisseur ({name})",
                             "musi być nazwą tego dostawcy ({name})"),
    "date.future": ("must not be in the future", "nedrīkst būt nākotnē", "darf nicht in der Zukunft liegen",
                    "ne doit pas être dans le futur", "nie może przypadać w przyszłości"),
    "reason.required": ("a reason is required", "jānorāda iemesls", "ein Grund ist erforderlich",
                        "un motif est obligatoire", "powód jest wymagany"),
    "text.nul": ("must not contain a NUL character", "nedrīkst saturēt rakstzīmi NUL",
                 "darf kein NUL-Zeichen enthalten",
                 "ne doit pas contenir de caractère NUL", "nie może zawierać znaku NUL"),
    "number.taken": ("document number {number} is already given to case {case} ({state}): a number is never given "
                     "twice, not even a withdrawn document's; type another, or leave it empty to have one given",
                     "dokumenta numurs {number} jau ir piešķirts lietai {case} ({state}): numuru nekad nepiešķir "
                     "divreiz, arī atsaukta dokumenta numuru ne; ierakstiet citu vai atstājiet tukšu, lai to "
                     "piešķirtu",
                     "die Dokumentnummer {number} ist bereits an den Fall {case} vergeben ({state}): Eine Nummer wird "
                     "nie zweimal vergeben, auch nicht die eines widerrufenen Dokuments; geben Sie eine andere ein "
                     "oder lassen Sie das Feld leer, damit eine vergeben wird",
                     "le numéro de document {number} est déjà attribué au dossier {case} ({state}) : un numéro n'est "
                     "jamais attribué deux fois, pas même celui d'un document retiré ; saisissez-en un autre ou "
                     "laissez le champ vide pour qu'un numéro soit attribué",
                     "numer dokumentu {number} jest już nadany sprawie {case} ({state}): numer nigdy nie jest "
                     "nadawany dwa razy, nawet numer wycofanego dokumentu; wpisz inny lub pozostaw puste, aby nadać "
                     "nowy"),
    "number.kept": ("document number {number} stays with the document this one replaces (case {case}): a "
                    "replacement is a new document and needs a new number; type another, or leave it empty to have "
                    "one given",
                    "dokumenta numurs {number} paliek aizstājamajam dokumentam (lieta {case}): aizstājējs ir jauns "
                    "dokuments, un tam vajag jaunu numuru; ierakstiet citu vai atstājiet tukšu, lai to piešķirtu",
                    "die Dokumentnummer {number} bleibt beim ersetzten Dokument (Fall {case}): Ein Ersatz ist ein "
                    "neues Dokument und braucht eine neue Nummer; geben Sie eine andere ein oder lassen Sie das Feld "
                    "leer, damit eine vergeben wird",
                    "le numéro de document {number} reste au document remplacé (dossier {case}) : un remplacement est "
                    "un nouveau document et demande un nouveau numéro ; saisissez-en un autre ou laissez le champ "
                    "vide pour qu'un numéro soit attribué",
                    "numer dokumentu {number} pozostaje przy zastępowanym dokumencie (sprawa {case}): zastępstwo to "
                    "nowy dokument i potrzebuje nowego numeru; wpisz inny lub pozostaw puste, aby nadać nowy"),
    "number.given": ("document number {number} is already given to case {case} ({state})",
                     "dokumenta numurs {number} jau ir piešķirts lietai {case} ({state})",
                     "die Dokumentnummer {number} ist bereits an den Fall {case} vergeben ({state})",
                     "le numéro de document {number} est déjà attribué au dossier {case} ({state})",
                     "numer dokumentu {number} jest już nadany sprawie {case} ({state})"),
    "number.on_row": ("document number {number} is also on row {row}", "dokumenta numurs {number} ir arī {row}. rindā",
                      "die Dokumentnummer {number} steht auch in Zeile {row}",
                      "le numéro de document {number} figure aussi à la ligne {row}",
                      "numer dokumentu {number} jest też w wierszu {row}"),
    "number.no_free": ("no free document number could be drawn; try again",
                       "neizdevās piešķirt brīvu dokumenta numuru; mēģiniet vēlreiz",
                       "es konnte keine freie Dokumentnummer vergeben werden; versuchen Sie es erneut",
                       "aucun numéro de document libre n'a pu être attribué ; réessayez",
                       "nie udało się nadać wolnego numeru dokumentu; spróbuj ponownie"),
    "case.not_active": ("the case is {state}; reinstate it first", "lietas stāvoklis: {state}; vispirms to atjaunojiet",
                        "der Fall ist {state}; setzen Sie ihn zuerst wieder in Kraft",
                        "le dossier est {state} ; rétablissez-le d'abord",
                        "stan sprawy: {state}; najpierw ją przywróć"),
    "case.state": ("the case is {state}", "lietas stāvoklis: {state}", "der Fall ist {state}", "le dossier est {state}",
                   "stan sprawy: {state}"),
    # Said to a reinstatement and to a suspension alike (IssuerService.set_state), in the office's word.
    "case.revoked_final": ("a withdrawn document is final: it cannot be reinstated or suspended",
                           "atsaukts dokuments ir galīgs: to nevar atjaunot vai apturēt",
                           "ein widerrufenes Dokument ist endgültig: es kann weder wieder in Kraft gesetzt noch "
                           "ausgesetzt werden",
                           "un document retiré est définitif : il ne peut être ni rétabli ni suspendu",
                           "wycofany dokument jest ostateczny: nie można go przywrócić ani zawiesić"),
    "case.replaced_final": ("a replaced document cannot be reinstated or suspended; it can only be withdrawn",
                            "aizstātu dokumentu nevar atjaunot vai apturēt; to var tikai atsaukt",
                            "ein ersetztes Dokument kann weder wieder in Kraft gesetzt noch ausgesetzt werden; es kann "
                            "nur widerrufen werden",
                            "un document remplacé ne peut être ni rétabli ni suspendu ; il peut seulement être retiré",
                            "zastąpionego dokumentu nie można przywrócić ani zawiesić; można go tylko wycofać"),
    "case.replaced": ("this document was replaced by a newer one: hand over, print or replace the newer one",
                      "šis dokuments ir aizstāts ar jaunāku: nododiet, drukājiet vai aizstājiet jaunāko",
                      "dieses Dokument wurde durch ein neueres ersetzt: übergeben, drucken oder ersetzen Sie das "
                      "neuere",
                      "ce document a été remplacé par un plus récent : remettez, imprimez ou remplacez le plus récent",
                      "ten dokument zastąpiono nowszym: przekaż, wydrukuj lub zastąp nowszy"),
    "case.already": ("the document is already {state}", "dokuments jau ir {state}", "das Dokument ist bereits {state}",
                     "le document est déjà {state}", "dokument jest już {state}"),
    "case.erased": ("the document has ended and its personal data was erased; record a new case",
                    "dokuments ir beidzies, un tā personas dati ir dzēsti; reģistrējiet jaunu lietu",
                    "das Dokument ist abgelaufen und seine personenbezogenen Daten wurden gelöscht; erfassen Sie "
                    "einen neuen Fall",
                    "le document a pris fin et ses données personnelles ont été effacées ; enregistrez un nouveau "
                    "dossier",
                    "dokument wygasł, a jego dane osobowe usunięto; zapisz nową sprawę"),
    "case.withdrawn": ("this document was withdrawn; record a new case",
                       "šis dokuments ir atsaukts; reģistrējiet jaunu lietu",
                       "dieses Dokument wurde widerrufen; erfassen Sie einen neuen Fall",
                       "ce document a été retiré ; enregistrez un nouveau dossier",
                       "ten dokument został wycofany; zapisz nową sprawę"),
    "case.awaiting": ("the case awaits a second clerk's approval", "lieta gaida otra darbinieka apstiprinājumu",
                      "der Fall wartet auf die Freigabe durch eine zweite Sachbearbeitung",
                      "le dossier attend l'approbation d'un second agent",
                      "sprawa czeka na zatwierdzenie przez drugiego urzędnika"),
    "case.not_awaiting": ("this case is not awaiting approval", "šī lieta negaida apstiprinājumu",
                          "dieser Fall wartet nicht auf Freigabe", "ce dossier n'attend pas d'approbation",
                          "ta sprawa nie czeka na zatwierdzenie"),
    # A withdrawn or ended document is neither offered nor printed; one replacement awaits approval at a
    # time; a paper copy needs the holder.
    "case.withdrawn_offer": ("the document was withdrawn, and a withdrawn document cannot be offered again (a "
                             "withdrawal is final): record a new case",
                             "dokuments ir atsaukts, un atsauktu dokumentu vairs nevar piedāvāt (atsaukšana ir "
                             "galīga): reģistrējiet jaunu lietu",
                             "das Dokument wurde widerrufen, und ein widerrufenes Dokument kann nicht erneut übergeben "
                             "werden (ein Widerruf ist endgültig): erfassen Sie einen neuen Fall",
                             "le document a été retiré, et un document retiré ne peut plus être remis (un retrait est "
                             "définitif) : enregistrez un nouveau dossier",
                             "dokument został wycofany, a wycofanego dokumentu nie można ponownie przekazać (wycofanie "
                             "jest ostateczne): zapisz nową sprawę"),
    "case.withdrawn_paper": ("the document was withdrawn, and a withdrawn document cannot be printed again (a "
                             "withdrawal is final): record a new case",
                             "dokuments ir atsaukts, un atsauktu dokumentu vairs nevar izdrukāt (atsaukšana ir "
                             "galīga): reģistrējiet jaunu lietu",
                             "das Dokument wurde widerrufen, und ein widerrufenes Dokument kann nicht erneut gedruckt "
                             "werden (ein Widerruf ist endgültig): erfassen Sie einen neuen Fall",
                             "le document a été retiré, et un document retiré ne peut plus être imprimé (un retrait "
                             "est définitif) : enregistrez un nouveau dossier",
                             "dokument został wycofany, a wycofanego dokumentu nie można ponownie wydrukować "
                             "(wycofanie jest ostateczne): zapisz nową sprawę"),
    # An EHIC card or a PID past its expiry (issuer.service.document_expired); never an A1 or a provisional
    # replacement certificate, which is the proof of its period once that has ended too.
    "case.ended_offer": ("the document expired on {date}: no offer can be made for it; a renewal is a new document "
                         "(record it, or replace this one)",
                         "dokumenta derīguma termiņš beidzās {date}: to vairs nevar piedāvāt; atjaunošana ir jauns "
                         "dokuments (reģistrējiet to vai aizstājiet šo)",
                         "das Dokument ist am {date} abgelaufen: es kann nicht mehr übergeben werden; eine Erneuerung "
                         "ist ein neues Dokument (erfassen Sie es oder ersetzen Sie dieses)",
                         "le document a expiré le {date} : il ne peut plus être remis ; un renouvellement est un "
                         "nouveau document (enregistrez-le ou remplacez celui-ci)",
                         "dokument wygasł {date}: nie można go już przekazać; odnowienie to nowy dokument (zapisz go "
                         "lub zastąp nim ten)"),
    "case.ended_paper": ("the document expired on {date}: no paper copy can be printed; a renewal is a new document "
                         "(record it, or replace this one)",
                         "dokumenta derīguma termiņš beidzās {date}: papīra kopiju vairs nevar izdrukāt; atjaunošana "
                         "ir jauns dokuments (reģistrējiet to vai aizstājiet šo)",
                         "das Dokument ist am {date} abgelaufen: es kann kein Papierausdruck mehr erstellt werden; "
                         "eine Erneuerung ist ein neues Dokument (erfassen Sie es oder ersetzen Sie dieses)",
                         "le document a expiré le {date} : aucune copie papier ne peut plus être imprimée ; un "
                         "renouvellement est un nouveau document (enregistrez-le ou remplacez celui-ci)",
                         "dokument wygasł {date}: nie można już wydrukować kopii papierowej; odnowienie to nowy "
                         "dokument (zapisz go lub zastąp nim ten)"),
    "case.replacement_awaiting": ("a replacement of this document (case {case}) awaits a second clerk's approval: "
                                  "approve or refuse it first",
                                  "šī dokumenta aizstājējs (lieta {case}) gaida otra darbinieka apstiprinājumu: "
                                  "vispirms to apstipriniet vai noraidiet",
                                  "ein Ersatz dieses Dokuments (Fall {case}) wartet auf die Freigabe durch eine zweite "
                                  "Sachbearbeitung: Geben Sie ihn zuerst frei oder lehnen Sie ihn ab",
                                  "un remplacement de ce document (dossier {case}) attend l'approbation d'un second "
                                  "agent : approuvez-le ou refusez-le d'abord",
                                  "zastępstwo tego dokumentu (sprawa {case}) czeka na zatwierdzenie przez drugiego "
                                  "urzędnika: najpierw je zatwierdź lub odrzuć"),
    # A case awaiting approval is not a document yet: a replacement of it could withdraw it only, never
    # what it was itself to replace (IssuerService.replace_case).
    "case.awaiting_replaced": ("the case awaits a second clerk's approval, so it cannot be replaced: approve or "
                               "refuse it first (to correct it, refuse it and record the corrected document again)",
                               "lieta gaida otra darbinieka apstiprinājumu, tāpēc to nevar aizstāt: vispirms to "
                               "apstipriniet vai noraidiet (lai to labotu, noraidiet to un reģistrējiet laboto "
                               "dokumentu no jauna)",
                               "der Fall wartet auf die Freigabe durch eine zweite Sachbearbeitung und kann daher "
                               "nicht ersetzt werden: Geben Sie ihn zuerst frei oder lehnen Sie ihn ab (um ihn zu "
                               "berichtigen, lehnen Sie ihn ab und erfassen Sie das berichtigte Dokument erneut)",
                               "le dossier attend l'approbation d'un second agent et ne peut donc pas être remplacé : "
                               "approuvez-le ou refusez-le d'abord (pour le corriger, refusez-le et enregistrez à "
                               "nouveau le document corrigé)",
                               "sprawa czeka na zatwierdzenie przez drugiego urzędnika, więc nie można jej zastąpić: "
                               "najpierw ją zatwierdź lub odrzuć (aby ją poprawić, odrzuć ją i zapisz poprawiony "
                               "dokument ponownie)"),
    "case.no_holder_paper": ("the case has no holder's name and birth date: the paper copy prints them for the "
                             "inspector to compare with an identity document; replace the case giving the holder "
                             "(family_name, given_name, birthdate)",
                             "lietā nav turētāja vārda, uzvārda un dzimšanas datuma: papīra kopijā tos izdrukā, lai "
                             "inspektors tos salīdzinātu ar personu apliecinošu dokumentu; aizstājiet lietu, norādot "
                             "turētāju",
                             "der Fall hat weder Namen noch Geburtsdatum der Inhaberin/des Inhabers: der "
                             "Papierausdruck nennt sie, damit die Kontrolle sie mit einem Ausweis vergleicht; ersetzen "
                             "Sie den Fall mit Angabe der Inhaberin/des Inhabers",
                             "le dossier n'a ni le nom ni la date de naissance du titulaire : la copie papier les "
                             "imprime pour que l'inspecteur les compare à une pièce d'identité ; remplacez le dossier "
                             "en indiquant le titulaire",
                             "sprawa nie zawiera imienia, nazwiska ani daty urodzenia posiadacza: kopia papierowa je "
                             "drukuje, aby kontroler porównał je z dokumentem tożsamości; zastąp sprawę, podając "
                             "posiadacza"),
    "case.no_holder_offer": ("the card has no holder's surname, given names and date of birth (card fields 3-5, "
                             "signed into every card of the holder's own): replace the case giving the holder "
                             "(family_name, given_name, birthdate), or, for a child's card, the represented person",
                             "kartei nav turētāja uzvārda, vārdu un dzimšanas datuma (kartes 3.–5. lauks, kas "
                             "ierakstīts katrā turētāja kartē): aizstājiet lietu, norādot turētāju vai, bērna kartei, "
                             "pārstāvēto personu",
                             "die Karte hat weder Name, Vornamen noch Geburtsdatum der Inhaberin/des Inhabers (Felder "
                             "3–5, auf jeder eigenen Karte signiert): ersetzen Sie den Fall mit Angabe der "
                             "Inhaberin/des Inhabers oder, für die Karte eines Kindes, der vertretenen Person",
                             "la carte n'a ni le nom, ni les prénoms, ni la date de naissance du titulaire (champs "
                             "3 à 5, signés sur toute carte du titulaire) : remplacez le dossier en indiquant le "
                             "titulaire ou, pour la carte d'un enfant, la personne représentée",
                             "karta nie zawiera nazwiska, imion ani daty urodzenia posiadacza (pola 3–5, podpisane "
                             "na każdej karcie posiadacza): zastąp sprawę, podając posiadacza lub, w przypadku karty "
                             "dziecka, osobę reprezentowaną"),
    "case.a1_no_holder_offer": ("the A1 has no holder's surname, forenames and date of birth (section 1, signed into "
                                "every A1): replace the case giving the holder (family_name, given_name, birthdate)",
                                "A1 nav turētāja uzvārda, vārdu un dzimšanas datuma (1. iedaļa, kas ierakstīta katrā "
                                "A1): aizstājiet lietu, norādot turētāju",
                                "die A1 hat weder Name, Vornamen noch Geburtsdatum der Inhaberin/des Inhabers "
                                "(Abschnitt 1, auf jeder A1 signiert): ersetzen Sie den Fall mit Angabe der "
                                "Inhaberin/des Inhabers",
                                "l'A1 n'a ni le nom, ni les prénoms, ni la date de naissance du titulaire (section 1, "
                                "signée sur tout A1) : remplacez le dossier en indiquant le titulaire",
                                "A1 nie zawiera nazwiska, imion ani daty urodzenia posiadacza (sekcja 1, podpisana na "
                                "każdym A1): zastąp sprawę, podając posiadacza"),
    "case.a1_holder_required": ("an A1 carries the holder's surname, forenames and date of birth (section 1): give the "
                                "holder (family_name, given_name, birthdate)",
                                "A1 ir turētāja uzvārds, vārdi un dzimšanas datums (1. iedaļa): norādiet turētāju",
                                "eine A1 trägt Name, Vornamen und Geburtsdatum der Inhaberin/des Inhabers (Abschnitt "
                                "1): geben Sie die Inhaberin/den Inhaber an",
                                "un A1 porte le nom, les prénoms et la date de naissance du titulaire (section 1) : "
                                "indiquez le titulaire",
                                "A1 zawiera nazwisko, imiona i datę urodzenia posiadacza (sekcja 1): podaj "
                                "posiadacza"),
    "case.holder_required": ("a card of the holder's own carries the holder's surname, given names and date of "
                             "birth (card fields 3-5): give the holder (family_name, given_name, birthdate), or, for "
                             "a child's card, the represented person (subject)",
                             "turētāja kartē ir turētāja uzvārds, vārdi un dzimšanas datums (kartes 3.–5. lauks): "
                             "norādiet turētāju vai, bērna kartei, pārstāvēto personu",
                             "eine eigene Karte trägt Name, Vornamen und Geburtsdatum der Inhaberin/des Inhabers "
                             "(Felder 3–5): geben Sie die Inhaberin/den Inhaber an oder, für die Karte eines Kindes, "
                             "die vertretene Person",
                             "la carte du titulaire porte son nom, ses prénoms et sa date de naissance (champs 3 à "
                             "5) : indiquez le titulaire ou, pour la carte d'un enfant, la personne représentée",
                             "karta posiadacza zawiera jego nazwisko, imiona i datę urodzenia (pola 3–5): podaj "
                             "posiadacza lub, w przypadku karty dziecka, osobę reprezentowaną"),
    "case.pid_paper": ("a PID has no paper form", "PID nav papīra formas", "für eine PID gibt es keine Papierform",
                       "un PID n'a pas de version papier", "PID nie ma wersji papierowej"),
    "approval.value": ("must be awaiting, approved or refused", "jābūt “awaiting”, “approved” vai “refused”",
                       "muss „awaiting“, „approved“ oder „refused“ sein",
                       "doit être « awaiting », « approved » ou « refused »",
                       "musi mieć wartość „awaiting”, „approved” lub „refused”"),
    "state.value": ("must be active, suspended or revoked", "jābūt “active”, “suspended” vai “revoked”",
                    "muss „active“, „suspended“ oder „revoked“ sein",
                    "doit être « active », « suspended » ou « revoked »",
                    "musi mieć wartość „active”, „suspended” lub „revoked”"),
    "signer.unavailable": ("the signing service is temporarily unavailable; try again",
                           "parakstīšanas pakalpojums īslaicīgi nav pieejams; mēģiniet vēlreiz",
                           "der Signaturdienst ist vorübergehend nicht verfügbar; versuchen Sie es erneut",
                           "le service de signature est temporairement indisponible ; réessayez",
                           "usługa podpisywania jest chwilowo niedostępna; spróbuj ponownie"),
    "csv.column_conflict": ("conflicts with another column", "ir pretrunā ar citu kolonnu",
                            "steht im Widerspruch zu einer anderen Spalte", "entre en conflit avec une autre colonne",
                            "koliduje z inną kolumną"),
    "csv.numbers_taken_row": ("nothing was imported: document numbers already given, on row {row}; change them or "
                              "leave them empty to have new ones given, then import the file again",
                              "nekas netika importēts: {row}. rindā ir jau piešķirts dokumenta numurs; mainiet to "
                              "vai atstājiet tukšu, lai piešķirtu jaunu, un importējiet failu vēlreiz",
                              "nichts wurde importiert: In Zeile {row} steht eine bereits vergebene Dokumentnummer; "
                              "ändern Sie sie oder lassen Sie das Feld leer, damit eine neue vergeben wird, und "
                              "importieren Sie die Datei erneut",
                              "rien n'a été importé : la ligne {row} porte un numéro de document déjà attribué ; "
                              "modifiez-le ou laissez-le vide pour qu'un nouveau soit attribué, puis importez à "
                              "nouveau le fichier",
                              "nic nie zaimportowano: wiersz {row} ma już nadany numer dokumentu; zmień go lub "
                              "pozostaw puste, aby nadać nowy, i zaimportuj plik ponownie"),
    "csv.numbers_taken_rows": ("nothing was imported: document numbers already given, on rows {rows}; change them "
                               "or leave them empty to have new ones given, then import the file again",
                               "nekas netika importēts: rindās {rows} ir jau piešķirti dokumentu numuri; mainiet tos "
                               "vai atstājiet tukšus, lai piešķirtu jaunus, un importējiet failu vēlreiz",
                               "nichts wurde importiert: In den Zeilen {rows} stehen bereits vergebene "
                               "Dokumentnummern; ändern Sie sie oder lassen Sie die Felder leer, damit neue vergeben "
                               "werden, und importieren Sie die Datei erneut",
                               "rien n'a été importé : les lignes {rows} portent des numéros de document déjà "
                               "attribués ; modifiez-les ou laissez-les vides pour que de nouveaux soient attribués, "
                               "puis importez à nouveau le fichier",
                               "nic nie zaimportowano: wiersze {rows} mają już nadane numery dokumentów; zmień je lub "
                               "pozostaw puste, aby nadać nowe, i zaimportuj plik ponownie"),
    "csv.row_shape": ("the cells of this row do not fit the fields of this document",
                      "šīs rindas šūnas neatbilst šī dokumenta laukiem",
                      "die Zellen dieser Zeile passen nicht zu den Feldern dieses Dokuments",
                      "les cellules de cette ligne ne correspondent pas aux champs de ce document",
                      "komórki tego wiersza nie pasują do pól tego dokumentu"),
    "csv.database": ("not imported: the database failed; import this row again",
                     "nav importēta: datubāzes kļūme; importējiet šo rindu vēlreiz",
                     "nicht importiert: Fehler der Datenbank; importieren Sie diese Zeile erneut",
                     "non importée : la base de données a échoué ; importez à nouveau cette ligne",
                     "nie zaimportowano: błąd bazy danych; zaimportuj ten wiersz ponownie"),
    "csv.stopped": ("not imported: an error of the issuer stopped the import here; import this row again",
                    "nav importēta: izdevēja kļūda šeit apturēja importu; importējiet šo rindu vēlreiz",
                    "nicht importiert: ein Fehler des Ausstellers hat den Import hier angehalten; importieren "
                    "Sie diese Zeile erneut",
                    "non importée : une erreur de l'émetteur a arrêté l'import ici ; importez à nouveau cette ligne",
                    "nie zaimportowano: błąd wystawcy zatrzymał tu import; zaimportuj ten wiersz ponownie"),
    "csv.too_large": ("at most {mib} MiB per import", "ne vairāk kā {mib} MiB vienā importā",
                      "höchstens {mib} MiB pro Import", "au plus {mib} Mio par import",
                      "najwyżej {mib} MiB na jeden import"),
    "csv.too_many_rows": ("at most {rows} rows per import", "ne vairāk kā {rows} rindas vienā importā",
                          "höchstens {rows} Zeilen pro Import", "au plus {rows} lignes par import",
                          "najwyżej {rows} wierszy na jeden import"),
    "csv.utf8": ("must be UTF-8 CSV", "jābūt UTF-8 CSV failam", "muss eine UTF-8-CSV-Datei sein",
                 "doit être un fichier CSV en UTF-8", "musi być plikiem CSV w UTF-8"),
    "csv.nul": ("line {line} holds a NUL character", "{line}. rindā ir rakstzīme NUL", "Zeile {line} enthält ein "
                "NUL-Zeichen", "la ligne {line} contient un caractère NUL", "wiersz {line} zawiera znak NUL"),
    "csv.unreadable": ("is not readable CSV (line {line}: {detail})",
                       "nav nolasāms CSV fails ({line}. rinda: {detail})",
                       "ist keine lesbare CSV-Datei (Zeile {line}: {detail})",
                       "n'est pas un CSV lisible (ligne {line} : {detail})",
                       "nie jest czytelnym plikiem CSV (wiersz {line}: {detail})"),
    "csv.column_twice": ("the column {column} is named twice in the header",
                         "kolonna {column} virsraksta rindā ir nosaukta divreiz",
                         "die Spalte {column} kommt in der Kopfzeile zweimal vor",
                         "la colonne {column} figure deux fois dans l'en-tête",
                         "kolumna {column} występuje w nagłówku dwa razy"),
    "csv.extra_cells": ("row {row} has more cells than the header", "{row}. rindā ir vairāk šūnu nekā virsraksta rindā",
                        "Zeile {row} hat mehr Zellen als die Kopfzeile",
                        "la ligne {row} a plus de cellules que l'en-tête",
                        "wiersz {row} ma więcej komórek niż nagłówek"),
    "csv.unnamed_column": ("row {row} has a value in column {column}, whose header is empty",
                           "{row}. rindā ir vērtība {column}. kolonnā, kurai virsraksta rindā nav nosaukuma",
                           "Zeile {row} hat einen Wert in Spalte {column}, deren Kopfzeile leer ist",
                           "la ligne {row} a une valeur dans la colonne {column}, dont l'en-tête est vide",
                           "wiersz {row} ma wartość w kolumnie {column}, której nagłówek jest pusty"),
    "csv.file_required": ("a CSV file is required", "vajag CSV failu", "eine CSV-Datei ist erforderlich",
                          "un fichier CSV est requis", "wymagany jest plik CSV"),
    "csv.no_rows": ("the file has no rows", "failā nav nevienas rindas", "die Datei enthält keine Zeilen",
                    "le fichier ne contient aucune ligne", "plik nie zawiera żadnych wierszy"),
    # An import sent again under its one-time id (issuer.service.ImportRepeated): refused, nothing recorded twice.
    "csv.imported_before": ("this import was already made at {at} (UTC): {imported} rows imported, {rejected} "
                            "rejected; nothing was recorded again",
                            "šis imports jau tika veikts {at} (UTC): importētas {imported} rindas, noraidītas "
                            "{rejected}; nekas netika reģistrēts vēlreiz",
                            "dieser Import wurde bereits am {at} (UTC) ausgeführt: {imported} Zeilen importiert, "
                            "{rejected} abgelehnt; nichts wurde erneut erfasst",
                            "cet import a déjà été effectué le {at} (UTC) : {imported} lignes importées, {rejected} "
                            "rejetées ; rien n'a été enregistré une seconde fois",
                            "ten import został już wykonany {at} (UTC): zaimportowano {imported} wierszy, odrzucono "
                            "{rejected}; nic nie zapisano ponownie"),
    "csv.import_unfinished": ("this import began at {at} (UTC) and has not finished (it is still running, or it "
                              "stopped); nothing was recorded again: the cases list shows what it recorded",
                              "šis imports sākās {at} (UTC) un nav pabeigts (tas vēl notiek vai ir apturēts); nekas "
                              "netika reģistrēts vēlreiz: lietu sarakstā redzams, ko tas reģistrēja",
                              "dieser Import hat am {at} (UTC) begonnen und ist nicht abgeschlossen (er läuft noch "
                              "oder wurde angehalten); nichts wurde erneut erfasst: die Fallliste zeigt, was er "
                              "erfasst hat",
                              "cet import a commencé le {at} (UTC) et n'est pas terminé (il est en cours ou s'est "
                              "arrêté) ; rien n'a été enregistré une seconde fois : la liste des dossiers montre ce "
                              "qu'il a enregistré",
                              "ten import rozpoczął się {at} (UTC) i nie został zakończony (nadal trwa lub został "
                              "przerwany); nic nie zapisano ponownie: lista spraw pokazuje, co zapisał"),
    # An Idempotency-Key sent again with another file (issuer.service.ImportKeyReused): 422, nothing recorded.
    "csv.key_reused": ("this key was used at {at} (UTC) for an import of another file; nothing was recorded: send "
                       "each file under a key of its own",
                       "šī atslēga {at} (UTC) jau tika izmantota cita faila importam; nekas netika reģistrēts: "
                       "katru failu sūtiet ar savu atslēgu",
                       "dieser Schlüssel wurde am {at} (UTC) für den Import einer anderen Datei verwendet; nichts "
                       "wurde erfasst: senden Sie jede Datei mit einem eigenen Schlüssel",
                       "cette clé a été utilisée le {at} (UTC) pour l'import d'un autre fichier ; rien n'a été "
                       "enregistré : envoyez chaque fichier sous une clé qui lui est propre",
                       "ten klucz został użyty {at} (UTC) do importu innego pliku; nic nie zapisano: wysyłaj każdy "
                       "plik z własnym kluczem"),
    # The same file brought again under another id (issuer.service.SameFile): imported only when confirmed.
    "csv.same_file": ("this file (the same content) was already imported at {at} (UTC): {imported} rows imported, "
                      "{rejected} rejected; nothing was recorded now: to import it again all the same, send it "
                      "again with again=true",
                      "šis fails (tāds pats saturs) jau tika importēts {at} (UTC): importētas {imported} rindas, "
                      "noraidītas {rejected}; tagad nekas netika reģistrēts: lai to tomēr importētu vēlreiz, "
                      "nosūtiet to vēlreiz ar again=true",
                      "diese Datei (derselbe Inhalt) wurde bereits am {at} (UTC) importiert: {imported} Zeilen "
                      "importiert, {rejected} abgelehnt; jetzt wurde nichts erfasst: um sie dennoch erneut zu "
                      "importieren, senden Sie sie erneut mit again=true",
                      "ce fichier (le même contenu) a déjà été importé le {at} (UTC) : {imported} lignes importées, "
                      "{rejected} rejetées ; rien n'a été enregistré cette fois : pour l'importer quand même à "
                      "nouveau, renvoyez-le avec again=true",
                      "ten plik (ta sama treść) został już zaimportowany {at} (UTC): zaimportowano {imported} "
                      "wierszy, odrzucono {rejected}; teraz nic nie zapisano: aby mimo to zaimportować go ponownie, "
                      "wyślij go ponownie z again=true"),
    "csv.same_file_unfinished": ("an import of this file (the same content) began at {at} (UTC) and has not finished "
                                 "(it is still running, or it stopped); nothing was recorded now: to import it "
                                 "again all the same, send it again with again=true",
                                 "šī faila (tāds pats saturs) imports sākās {at} (UTC) un nav pabeigts (tas vēl "
                                 "notiek vai ir apturēts); tagad nekas netika reģistrēts: lai to tomēr importētu "
                                 "vēlreiz, nosūtiet to vēlreiz ar again=true",
                                 "ein Import dieser Datei (derselbe Inhalt) hat am {at} (UTC) begonnen und ist nicht "
                                 "abgeschlossen (er läuft noch oder wurde angehalten); jetzt wurde nichts erfasst: um "
                                 "sie dennoch erneut zu importieren, senden Sie sie erneut mit again=true",
                                 "un import de ce fichier (le même contenu) a commencé le {at} (UTC) et n'est pas "
                                 "terminé (il est en cours ou s'est arrêté) ; rien n'a été enregistré cette fois : "
                                 "pour l'importer quand même à nouveau, renvoyez-le avec again=true",
                                 "import tego pliku (ta sama treść) rozpoczął się {at} (UTC) i nie został "
                                 "zakończony (nadal trwa lub został przerwany); teraz nic nie zapisano: aby mimo to "
                                 "zaimportować go ponownie, wyślij go ponownie z again=true"),
}

register_rules(ISSUER_RULES)


def words(key: str, **params: str | int) -> str:
    """The English words of rule ``key`` with ``params`` filled in (what the API says)."""
    return RULE_TEXTS[key][0].format(**params)


def refusal(key: str, *, error: str = "invalid_request", http_status: int = 409,
            **params: str | int) -> ProtocolError:
    """The ProtocolError of refusal ``key`` (of :data:`ISSUER_RULES`): its English words as the
    ``error_description``, and the key and parameters for a page to say it in its language."""
    return ProtocolError(error, words(key, **params), http_status=http_status, key=key, params=params)


def rule_row(key: str, **params: str | int) -> dict[str, Any]:
    """Rule ``key`` as a row of an import report says it: ``rule`` (the English words), ``rule_key``
    and ``rule_params``."""
    return {"rule": words(key, **params), "rule_key": key, "rule_params": params}


# --- one posting counted over its A1s (883/2004 Art. 12(1), Decision A2 point 3(c)) ------------------------

#: The posting rules the issuer applies across a person's cases (:func:`posting_check`), in the five
#: languages. Dates are ISO days; ``number`` an A1's document number.
POSTING_RULES: dict[str, tuple[str, str, str, str, str]] = {
    "pda1.posting_chain_months": (
        "with the earlier A1 {number} ({start} to {end}), this posting would last {months} months without a "
        "two-month break; a posting lasts at most 24 months (Art. 12 of Regulation 883/2004, Decision A2): for a "
        "longer period the states concerned must first agree an exception under Art. 16 (status 11)",
        "kopā ar iepriekšējo A1 {number} ({start} – {end}) šis norīkojums bez divu mēnešu pārtraukuma ilgtu "
        "{months} mēnešus; norīkojums ilgst ne vairāk kā 24 mēnešus (Regulas 883/2004 12. pants, Lēmums A2): "
        "ilgākam periodam attiecīgajām valstīm vispirms jāvienojas par izņēmumu saskaņā ar 16. pantu (statuss 11)",
        "zusammen mit der früheren A1 {number} ({start} – {end}) dauerte diese Entsendung ohne zweimonatige "
        "Unterbrechung {months} Monate; eine Entsendung dauert höchstens 24 Monate (Art. 12 der Verordnung "
        "883/2004, Beschluss A2): für einen längeren Zeitraum müssen die beteiligten Staaten zuvor eine "
        "Ausnahmevereinbarung nach Art. 16 treffen (Status 11)",
        "avec l'A1 antérieur {number} ({start} – {end}), ce détachement durerait {months} mois sans interruption "
        "de deux mois ; un détachement dure au plus 24 mois (art. 12 du règlement 883/2004, décision A2) : pour "
        "une période plus longue, les États concernés doivent d'abord convenir d'une exception au titre de "
        "l'art. 16 (statut 11)",
        "wraz z wcześniejszym A1 {number} ({start} – {end}) to delegowanie trwałoby {months} miesięcy bez "
        "dwumiesięcznej przerwy; delegowanie trwa najwyżej 24 miesiące (art. 12 rozporządzenia 883/2004, decyzja "
        "A2): na dłuższy okres zainteresowane państwa muszą najpierw uzgodnić wyjątek na podstawie art. 16 "
        "(status 11)"),
    "pda1.posting_chain": (
        "A1 {number} of this person, employer and host state ({start} to {end}) is less than two months apart from "
        "this one (Decision A2, point 3(c)): the two count as one posting of {months} months; record this one only "
        "under a derogation, and say why",
        "šīs personas, darba devēja un uzņēmējas valsts A1 {number} ({start} – {end}) no šī ir mazāk nekā divu "
        "mēnešu attālumā (Lēmuma A2 3. punkta c) apakšpunkts): abi veido vienu {months} mēnešu norīkojumu; "
        "reģistrējiet šo tikai kā atkāpi un norādiet iemeslu",
        "die A1 {number} dieser Person, dieses Arbeitgebers und dieses Beschäftigungsstaats ({start} – {end}) liegt "
        "weniger als zwei Monate von dieser entfernt (Beschluss A2, Nr. 3 Buchst. c): beide gelten als eine "
        "Entsendung von {months} Monaten; erfassen Sie diese nur als Ausnahme und geben Sie den Grund an",
        "l'A1 {number} de cette personne, de cet employeur et de cet État d'emploi ({start} – {end}) est à moins de "
        "deux mois de celui-ci (décision A2, point 3 c)) : les deux comptent comme un seul détachement de {months} "
        "mois ; n'enregistrez celui-ci que par dérogation, et dites pourquoi",
        "A1 {number} tej osoby, tego pracodawcy i tego państwa przyjmującego ({start} – {end}) dzielą od tego mniej "
        "niż dwa miesiące (decyzja A2, pkt 3 lit. c)): oba liczą się jako jedno delegowanie trwające {months} "
        "miesięcy; zapisz to tylko w drodze odstępstwa i podaj powód"),
    "pda1.overlap": (
        "this person already has A1 {number} for {start} to {end}, which overlaps this period: only one legislation "
        "applies at a time (Art. 11(1) of Regulation 883/2004); to change that A1, replace it; "
        "record this one anyway only if both are meant",
        "šai personai jau ir A1 {number} periodam {start} – {end}, kas pārklājas ar šo periodu: vienlaikus "
        "piemēro tikai vienas valsts tiesību aktus (Regulas 883/2004 11. panta 1. punkts); lai mainītu to A1, "
        "aizstājiet to; reģistrējiet šo tomēr tikai tad, ja ir domāti abi",
        "diese Person hat bereits die A1 {number} für {start} – {end}, die sich mit diesem Zeitraum überschneidet: "
        "es gelten jeweils nur die Rechtsvorschriften eines Staates (Art. 11 Abs. 1 der Verordnung 883/2004); um "
        "jene A1 zu ändern, ersetzen Sie sie; erfassen Sie diese trotzdem nur, wenn "
        "beide gewollt sind",
        "cette personne a déjà l'A1 {number} pour {start} – {end}, qui chevauche cette période : une seule "
        "législation s'applique à la fois (art. 11, par. 1, du règlement 883/2004) ; pour modifier cet A1, "
        "remplacez-le ; n'enregistrez celui-ci quand même que si les deux "
        "sont voulus",
        "ta osoba ma już A1 {number} na okres {start} – {end}, który pokrywa się z tym okresem: jednocześnie stosuje "
        "się ustawodawstwo tylko jednego państwa (art. 11 ust. 1 rozporządzenia 883/2004); aby zmienić tamto A1, "
        "zastąp je; zapisz to mimo to tylko wtedy, gdy oba są zamierzone"),
    "pda1.replacement_uncovers": (
        "the A1 this replaces began on {old_start}: a replacement starting later would leave the days from "
        "{old_start} without an A1; to extend the posting, record a new A1 from the day after the old end "
        "({next_day}); to shorten or correct it, keep the start",
        "aizstājamais A1 sākās {old_start}: vēlāk sākts aizstājējs atstātu dienas no {old_start} bez A1; lai "
        "pagarinātu norīkojumu, reģistrējiet jaunu A1 no dienas pēc vecā beigām ({next_day}); lai to saīsinātu "
        "vai labotu, saglabājiet sākuma datumu",
        "die ersetzte A1 begann am {old_start}: ein später beginnender Ersatz ließe die Tage ab {old_start} ohne "
        "A1; um die Entsendung zu verlängern, erfassen Sie eine neue A1 ab dem Tag nach dem alten Ende "
        "({next_day}); zum Verkürzen oder Berichtigen behalten Sie das Anfangsdatum",
        "l'A1 remplacé a commencé le {old_start} : un remplacement commençant plus tard laisserait les jours à "
        "partir du {old_start} sans A1 ; pour prolonger le détachement, enregistrez un nouvel A1 à partir du "
        "lendemain de l'ancienne fin ({next_day}) ; pour l'écourter ou le corriger, gardez la date de début",
        "zastępowane A1 zaczęło się {old_start}: zastępstwo zaczynające się później zostawiłoby dni od "
        "{old_start} bez A1; aby przedłużyć delegowanie, zapisz nowe A1 od dnia po dawnym końcu ({next_day}); aby "
        "je skrócić lub poprawić, zachowaj datę początku"),
}

register_rules(POSTING_RULES)

#: Statuses that are a posting (Art. 12(1) employed, Art. 12(2) self-employed).
POSTING_STATUSES = frozenset({"01", "03"})


@dataclass(frozen=True)
class Recorded:
    """Another A1 of the institution as the posting rules see it: its case, claims and state."""

    case_id: str
    claims: Mapping[str, Any]
    state: str


@dataclass(frozen=True)
class PostingCheck:
    """What :func:`posting_check` found for a new A1 among the person's other A1s.

    ``chain``: the A1s of the same posting (same person, status, legislation, employer and a host state
    in common) less than two months apart from it or from each other, the new one's own period in
    ``start`` .. ``end`` with them, ``months`` long; ``gaps``: those of the chain that do not overlap it
    (a derogation under Decision A2 point 3(c) is needed); ``overlaps``: active A1s of the person, of
    any status, whose period overlaps the new one's (Art. 11(1): one legislation at a time)."""

    start: str
    end: str
    months: int
    chain: tuple[Recorded, ...]
    gaps: tuple[Recorded, ...]
    overlaps: tuple[Recorded, ...]

    @property
    def over_24_months(self) -> bool:
        """Art. 12(1): the posting, counted over its chained A1s, lasts more than 24 months."""
        return not within_months(self.start, self.end, 24)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day when it has no such day."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_posting_from(end: str) -> date:
    """The first day a new posting may start after one that ended on ``end`` without counting as the
    same one: two whole months after it (Decision A2 point 3(c): "at least two months after the end
    of the previous posting period"); a posting ending 30 November: 1 February."""
    return add_months(date.fromisoformat(end) + timedelta(days=1), 2)


def months_spanned(start: str, end: str) -> int:
    """How many calendar months ``start`` .. ``end`` spans, rounded up (as :func:`within_months` counts)."""
    months = 1
    while not within_months(start, end, months) and months < 1200:
        months += 1
    return months


def _folded(value: object) -> str:
    return " ".join(str(value).casefold().split()) if isinstance(value, str) else ""


def _host_states(claims: Mapping[str, Any]) -> set[str]:
    """The states the A1 posts to: each place of work's (or no fixed place of work's) outside the
    legislation's state."""
    home = countries.normalise(str(claims.get("legislation_country", "")))
    named = {countries.normalise(str(p.get("country") or p.get("no_fixed_place_of_work") or ""))
             for p in pda1.work_places(claims)}
    return {state for state in named if state and state != home}


def _employer_keys(claims: Mapping[str, Any]) -> set[str]:
    """Each employer's id and name, folded: "the same undertaking" is found by either."""
    return {f"{kind}:{_folded(e.get(kind))}" for e in pda1.employers(claims) for kind in ("id", "name")
            if _folded(e.get(kind))}


def same_person(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Both A1s name the same personal number (spacing and case aside)."""
    number = _folded(a.get("personal_administrative_number"))
    return bool(number) and number == _folded(b.get("personal_administrative_number"))


def same_posting(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Decision A2 point 3(c): "the same worker, the same undertakings and the same Member State":
    the same personal number, the same posting status (01 or 03), legislation and employer (id or
    name), and a host state in common."""
    code = a.get("status_confirmation")
    return (code in POSTING_STATUSES and code == b.get("status_confirmation") and same_person(a, b)
            and a.get("legislation_country") == b.get("legislation_country")
            and bool(_employer_keys(a) & _employer_keys(b)) and bool(_host_states(a) & _host_states(b)))


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return str(a["starting_date"]) <= str(b["ending_date"]) and str(b["starting_date"]) <= str(a["ending_date"])


def _near(start: str, end: str, other: Mapping[str, Any]) -> bool:
    """Is ``other``'s period less than two months apart from ``start`` .. ``end`` (or overlapping it)?"""
    return (start < new_posting_from(str(other["ending_date"])).isoformat()
            and str(other["starting_date"]) < new_posting_from(end).isoformat())


def posting_check(new: Mapping[str, Any], others: Sequence[Recorded]) -> PostingCheck:
    """The new A1 ``new`` (validated claims) among the institution's ``others`` (not withdrawn, not
    superseded: a superseded A1's period is its replacement's): the chain of the same posting it
    belongs to, and the person's active A1s its period overlaps. Pure: the caller finds ``others``."""
    start, end = str(new["starting_date"]), str(new["ending_date"])
    mine = [o for o in others if same_person(new, o.claims)]
    chain: list[Recorded] = []
    if new.get("status_confirmation") in POSTING_STATUSES:
        candidates = [o for o in mine if same_posting(new, o.claims)]
        grown = True
        while grown:  # transitively: A1s each less than two months apart from the next are one posting
            grown = False
            for other in candidates:
                if other not in chain and _near(start, end, other.claims):
                    chain.append(other)
                    start = min(start, str(other.claims["starting_date"]))
                    end = max(end, str(other.claims["ending_date"]))
                    grown = True
    chain.sort(key=lambda o: str(o.claims["starting_date"]))
    return PostingCheck(start=start, end=end, months=months_spanned(start, end), chain=tuple(chain),
                        gaps=tuple(o for o in chain if not _overlap(new, o.claims)),
                        overlaps=tuple(o for o in mine if o.state == "active" and _overlap(new, o.claims)))


def a1_params(other: Recorded) -> dict[str, str | int]:
    """An A1 as a rule's parameters name it: its number (its case's id when it has none), start and end."""
    return {"number": str(other.claims.get("document_number") or other.case_id),
            "start": str(other.claims["starting_date"]), "end": str(other.claims["ending_date"])}
