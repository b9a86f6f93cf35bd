"""Portable Document A1 (PDA1) as an SD-JWT VC, DC4EU rulebook (flat v1 shape; v1.1 accepted).

Regulation (EC) 883/2004 Title II and 987/2009 Art. 15, 16, 19: which single state's social
security legislation applies to a worker for a period. Section mapping (shared/domain.md):
1 holder → ``personal_administrative_number``, and surname, forenames, date of birth →
``family_name``, ``given_name``, ``birth_date`` (:func:`with_holder`); 2 → ``legislation_country``, ``starting_date``,
``ending_date``, ``applies_for_duration`` (2.4), ``determination_provisional`` (2.5),
``transitional_rules`` (2.6); 3 → ``status_confirmation`` (codes 01-12); 4 →
``employer`` (v1.1: ``employer[]`` with ``type``); 5 → ``work_address`` (v1.1:
``work_information``); 6 → the common block.

Project rules: the v1 shape is issued; an end date is required; multi-state A1s (codes 02, 04,
08, 09) cover at most 12 months at a time, postings (01, 03) at most 24 months (Art. 12).
``house_number`` is emitted; ``building_number`` is accepted and renamed.

ESSPASS extension beyond DC4EU v1.1: two boxes of the paper A1's section 2 that the rulebook's
schema lacks, as optional booleans (absent: not ticked, so an A1 issued before them reads as a
definitive determination, as it was). ``determination_provisional`` (box 2.5): the institution of the
state of residence determined the legislation provisionally (987/2009 Art. 16(2)); it becomes
definitive two months after the institutions of the other states concerned are informed, unless one
of them contests it (Art. 16(3)), so the inspector must see that it may still change, while the A1
is valid meanwhile (Art. 5(1)). ``applies_for_duration`` (box 2.4): the certification applies for
the duration of the activity. Named as other pilots name these boxes (the WeBuild PWN rulebook's
``determination_provisional``, ``applies_for_duration``; SUNET's ``determination_provisional``), and
never selectively disclosable, like the rest of section 2 (``legislation_country`` and the period;
WeBuild's PDA1 rulebook: "Section 2 claims ... are Non-SD"): a worker who could withhold the flag
would show a provisional determination as a definitive one. A reader of DC4EU v1.1 alone ignores
them; the SD-JWT VC type metadata labels them (:data:`_CLAIMS`).

What the sections must say of each other (:func:`_check_situation`, :func:`_check_regulation_dates`):
a posting names a place of work (or no fixed place of work) outside the legislation's state; Art. 13
(02, 04) names at least one, one of them outside it; status 12 not only places elsewhere; crew (10)
not only places in one other state; 08 has an employment and a self-employment entry (v1.1 list); no
expiry before the period ends (987/2009 Art. 5(1)); no period before 883/2004 applied to a state named
(Art. 91; EEA, CH, HR later) or between two of them (CH with the EEA EFTA states, HR with either); the
transitional rules of Art. 87(8) only for a period ending while they applied; no date of issue before
883/2004 applied to the issuing state (:func:`_check_issued_under_883`). An employer (section 4)
may be established in any state (987/2009 Art. 14(11)); the places of work lie in the 32 states.

Section 1's names and date of birth. domain.md left them to the PID, but where no personal number ties
the A1 to the PID beside it (a German or Austrian PID, which carries none; a PID of another state than
the A1's) only the wallet did: a wallet holding another worker's A1 (an offer code passed on) was
"valid" under its owner's name and photo (QA finding F1). Our issuers sign them as the paper A1 prints
them, from the case's holder, as the EHIC's fields 3-5 (:mod:`credentials.holder_names`), never
selectively disclosable, and :mod:`credentials.holder_link` compares them with the PID's. They are the
case's holder, not claims a case records (:func:`validate` refuses them as unknown). An A1 signed before
:data:`HOLDER_SIGNED_FROM` is linked as before; one signed from it that shows no names beside such a
PID leaves the link undetermined (another issuer may have made them selectively disclosable; an mdoc
shows an element only when asked and released).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from credentials import claims as c
from credentials import countries, eudi_pda1, holder_names, type_metadata
from credentials.countries import name as country_name
from credentials.errors import DataError
from credentials.i18n import format_date
from credentials.type_metadata import ClaimInfo

__all__ = [
    "ALIASES",
    "CONFIGURATION_ID",
    "HOLDER_CLAIMS",
    "HOLDER_SIGNED_FROM",
    "IMPLIED_TYPE",
    "SD_PATHS",
    "STATUS_CODES",
    "VCT",
    "WORKER_MIN_AGE",
    "describe",
    "employer_text",
    "employers",
    "holder_of",
    "label",
    "one_shape",
    "place_text",
    "problems",
    "status_text",
    "type_metadata_document",
    "validate",
    "with_holder",
    "work_places",
]

VCT = "urn:eudi:pda1:1"
#: The EUDI reference model's type, read through :mod:`credentials.eudi_pda1`.
ALIASES = (eudi_pda1.VCT,)
CONFIGURATION_ID = "pda1"
#: The youngest an A1's worker may be on the first day of its period (:func:`credentials.claims.person`):
#: Directive 94/33/EC on young people at work lets a state allow light work from 13 (Art. 4(2)(b)), the
#: lowest age of its general rules; a younger one (a birth year 2021 typed for 1991) is a typing mistake.
#: Art. 5's authorised child performers, younger still, are not provided for (their A1 is issued on paper).
WORKER_MIN_AGE = 13

#: Section 3 status codes -> meaning in (en, lv, de, fr, pl).
STATUS_CODES: dict[str, tuple[str, str, str, str, str]] = {
    "01": ("posted employed person", "norīkots darba ņēmējs", "entsandte/r Beschäftigte/r",
           "travailleur salarié détaché", "pracownik delegowany"),
    "02": ("employed in two or more states", "nodarbināts divās vai vairākās valstīs",
           "in zwei oder mehr Staaten beschäftigt", "salarié dans deux États ou plus",
           "pracownik w dwóch lub więcej państwach"),
    "03": ("posted self-employed person", "norīkota pašnodarbināta persona", "entsandte/r Selbstständige/r",
           "travailleur non salarié détaché", "delegowana osoba samozatrudniona"),
    "04": ("self-employed in two or more states", "pašnodarbināts divās vai vairākās valstīs",
           "in zwei oder mehr Staaten selbständig", "non salarié dans deux États ou plus",
           "samozatrudniony w dwóch lub więcej państwach"),
    "05": ("civil servant", "valsts ierēdnis", "Beamte/r", "fonctionnaire", "urzędnik służby cywilnej"),
    "06": ("contract staff", "līgumdarbinieks", "Vertragsbedienstete/r", "agent contractuel", "personel kontraktowy"),
    "07": ("mariner", "jūrnieks", "Seemann/Seefrau", "marin", "marynarz"),
    "08": ("employed and self-employed in different states", "nodarbināts un pašnodarbināts dažādās valstīs",
           "in verschiedenen Staaten beschäftigt und selbständig", "salarié et non salarié dans des États différents",
           "pracownik i samozatrudniony w różnych państwach"),
    "09": ("civil servant and employed/self-employed", "ierēdnis un nodarbināts/pašnodarbināts",
           "Beamte/r und beschäftigt/selbständig", "fonctionnaire et salarié/non salarié",
           "urzędnik i pracownik/samozatrudniony"),
    "10": ("flight or cabin crew member", "lidojuma vai salona apkalpes loceklis",
           "Flug- oder Kabinenbesatzungsmitglied",
           "membre d'équipage de conduite ou de cabine", "członek załogi lotniczej lub pokładowej"),
    "11": ("exception (Article 16 agreement)", "izņēmums (16. panta vienošanās)",
           "Ausnahme (Vereinbarung nach Art. 16)",
           "exception (accord au titre de l'article 16)", "wyjątek (porozumienie na mocy art. 16)"),
    "12": ("working in the state whose legislation applies", "strādā valstī, kuras tiesību akti piemērojami",
           "tätig im Staat, dessen Rechtsvorschriften gelten", "travaille dans l'État dont la législation s'applique",
           "praca w państwie, którego ustawodawstwo ma zastosowanie"),
}
c.register_rules({
    "pda1.employer_type": ("must be 01 (employment) or 02 (self-employment)",
                           "jābūt 01 (darba ņēmējs) vai 02 (pašnodarbinātais)",
                           "muss 01 (Beschäftigung) oder 02 (selbständige Tätigkeit) sein",
                           "doit être 01 (activité salariée) ou 02 (activité non salariée)",
                           "musi być 01 (zatrudnienie) lub 02 (samozatrudnienie)"),
    "pda1.status_code": ("must be one of the codes 01 to 12", "jābūt vienam no kodiem 01 līdz 12",
                         "muss einer der Codes 01 bis 12 sein", "doit être l'un des codes 01 à 12",
                         "musi być jednym z kodów od 01 do 12"),
    "pda1.multi_state_months": ("a multi-state PDA1 covers at most 12 months",
                                "A1 par darbu vairākās valstīs aptver ne vairāk kā 12 mēnešus",
                                "eine A1-Bescheinigung für mehrere Staaten gilt für höchstens 12 Monate",
                                "un A1 pour plusieurs États couvre au plus 12 mois",
                                "zaświadczenie A1 dla kilku państw obejmuje najwyżej 12 miesięcy"),
    "pda1.posting_months": ("a posting covers at most 24 months (Art. 12 of Regulation 883/2004)",
                            "norīkojums aptver ne vairāk kā 24 mēnešus (Regulas 883/2004 12. pants)",
                            "eine Entsendung dauert höchstens 24 Monate (Art. 12 der Verordnung 883/2004)",
                            "un détachement couvre au plus 24 mois (art. 12 du règlement 883/2004)",
                            "delegowanie obejmuje najwyżej 24 miesiące (art. 12 rozporządzenia 883/2004)"),
    "pda1.no_employer": ("must name at least one employer", "jānorāda vismaz viens darba devējs",
                         "muss mindestens einen Arbeitgeber nennen", "doit indiquer au moins un employeur",
                         "musi wskazywać co najmniej jednego pracodawcę"),
    "pda1.work_either": ("give either work_address (v1) or work_information (v1.1)",
                         "norādiet vai nu work_address (v1), vai work_information (v1.1)",
                         "geben Sie entweder work_address (v1) oder work_information (v1.1) an",
                         "indiquez soit work_address (v1), soit work_information (v1.1)",
                         "podaj albo work_address (v1), albo work_information (v1.1)"),
    "pda1.no_place_of_work": ("must list at least one place of work", "jānorāda vismaz viena darba vieta",
                              "muss mindestens einen Arbeitsort nennen", "doit indiquer au moins un lieu de travail",
                              "musi wskazywać co najmniej jedno miejsce pracy"),
    "pda1.posting_abroad": ("a posting is to another state: name a place of work outside {country}",
                            "norīkojums ir uz citu valsti: norādiet darba vietu ārpus valsts {country}",
                            "eine Entsendung erfolgt in einen anderen Staat: Geben Sie einen Arbeitsort außerhalb "
                            "von {country} an",
                            "un détachement se fait vers un autre État : indiquez un lieu de travail hors de {country}",
                            "delegowanie następuje do innego państwa: podaj miejsce pracy poza {country}"),
    "pda1.employment_entry": ("status {code} needs an employer entry of type employment (01)",
                              "statusam {code} vajag darba devēja ierakstu ar veidu “darba ņēmējs” (01)",
                              "Status {code} erfordert einen Arbeitgebereintrag der Art Beschäftigung (01)",
                              "le statut {code} exige une entrée d'employeur de type activité salariée (01)",
                              "status {code} wymaga wpisu pracodawcy typu zatrudnienie (01)"),
    "pda1.self_employment_entry": ("status {code} needs an employer entry of type self-employment (02)",
                                   "statusam {code} vajag darba devēja ierakstu ar veidu “pašnodarbinātais” (02)",
                                   "Status {code} erfordert einen Arbeitgebereintrag der Art selbständige "
                                   "Tätigkeit (02)",
                                   "le statut {code} exige une entrée d'employeur de type activité non salariée (02)",
                                   "status {code} wymaga wpisu pracodawcy typu samozatrudnienie (02)"),
    "pda1.posting_place": ("a posting (Art. 12 of Regulation 883/2004) is to another state: name a place of work, "
                           "or the state of no fixed place of work, outside {country}",
                           "norīkojums (Regulas 883/2004 12. pants) ir uz citu valsti: norādiet darba vietu vai "
                           "valsti bez pastāvīgas darba vietas ārpus valsts {country}",
                           "eine Entsendung (Art. 12 der Verordnung 883/2004) erfolgt in einen anderen Staat: Geben "
                           "Sie einen Arbeitsort oder den Staat ohne festen Arbeitsort außerhalb von {country} an",
                           "un détachement (art. 12 du règlement 883/2004) se fait vers un autre État : indiquez un "
                           "lieu de travail, ou l'État sans lieu de travail fixe, hors de {country}",
                           "delegowanie (art. 12 rozporządzenia 883/2004) następuje do innego państwa: podaj miejsce "
                           "pracy albo państwo bez stałego miejsca pracy poza {country}"),
    "pda1.state_of_work": ("status 12 is work in the state whose legislation applies: name a place of work in "
                           "{country}",
                           "statuss 12 ir darbs valstī, kuras tiesību akti piemērojami: norādiet darba vietu valstī "
                           "{country}",
                           "Status 12 ist eine Tätigkeit im Staat, dessen Rechtsvorschriften gelten: Geben Sie einen "
                           "Arbeitsort in {country} an",
                           "le statut 12 est un travail dans l'État dont la législation s'applique : indiquez un "
                           "lieu de travail en {country}",
                           "status 12 to praca w państwie, którego ustawodawstwo ma zastosowanie: podaj miejsce "
                           "pracy w {country}"),
    "pda1.expiry_before_end": ("an A1 is valid for the whole period it certifies: it must not expire before "
                               "{other_field}",
                               "A1 ir derīgs visu periodu, ko tas apliecina: tā derīguma termiņš nedrīkst beigties "
                               "pirms datuma {other_field}",
                               "eine A1-Bescheinigung gilt für den ganzen bescheinigten Zeitraum: sie darf nicht vor "
                               "dem Datum {other_field} ablaufen",
                               "un A1 vaut pour toute la période qu'il certifie : il ne doit pas expirer avant la "
                               "date {other_field}",
                               "zaświadczenie A1 jest ważne przez cały poświadczany okres: nie może wygasać przed "
                               "datą {other_field}"),
    "pda1.before_883": ("Regulation 883/2004 applies to {country} from {date}: an earlier period is certified under "
                        "Regulation 1408/71 (form E 101), not by an A1",
                        "Regula 883/2004 attiecībā uz {country} piemērojama no {date}: agrāku periodu apliecina "
                        "saskaņā ar Regulu 1408/71 (veidlapa E 101), nevis ar A1",
                        "die Verordnung 883/2004 gilt für {country} ab dem {date}: ein früherer Zeitraum wird nach "
                        "der Verordnung 1408/71 (Vordruck E 101) bescheinigt, nicht mit einer A1",
                        "le règlement 883/2004 s'applique à {country} à partir du {date} : une période antérieure "
                        "est certifiée au titre du règlement 1408/71 (formulaire E 101), non par un A1",
                        "rozporządzenie 883/2004 ma zastosowanie do {country} od {date}: wcześniejszy okres "
                        "poświadcza się na podstawie rozporządzenia 1408/71 (formularz E 101), a nie zaświadczeniem "
                        "A1"),
    "pda1.before_883_between": ("Regulation 883/2004 applies between {country} and {other} from {date}: an earlier "
                                "period is certified under Regulation 1408/71 (form E 101), not by an A1",
                                "Regula 883/2004 starp {country} un {other} piemērojama no {date}: agrāku periodu "
                                "apliecina saskaņā ar Regulu 1408/71 (veidlapa E 101), nevis ar A1",
                                "die Verordnung 883/2004 gilt zwischen {country} und {other} ab dem {date}: ein "
                                "früherer Zeitraum wird nach der Verordnung 1408/71 (Vordruck E 101) bescheinigt, "
                                "nicht mit einer A1",
                                "le règlement 883/2004 s'applique entre {country} et {other} à partir du {date} : une "
                                "période antérieure est certifiée au titre du règlement 1408/71 (formulaire E 101), "
                                "non par un A1",
                                "rozporządzenie 883/2004 ma zastosowanie między {country} a {other} od {date}: "
                                "wcześniejszy okres poświadcza się na podstawie rozporządzenia 1408/71 (formularz "
                                "E 101), a nie zaświadczeniem A1"),
    "pda1.issued_before_883": ("Regulation 883/2004 applies to {country} from {date}: no A1 was issued there before "
                               "that day (the applicable legislation was certified under Regulation 1408/71, form "
                               "E 101)",
                               "Regula 883/2004 attiecībā uz {country} piemērojama no {date}: pirms šīs dienas tur "
                               "neviens A1 netika izdots (piemērojamos tiesību aktus apliecināja saskaņā ar Regulu "
                               "1408/71, veidlapa E 101)",
                               "die Verordnung 883/2004 gilt für {country} ab dem {date}: vor diesem Tag wurde dort "
                               "keine A1-Bescheinigung ausgestellt (die anzuwendenden Rechtsvorschriften wurden nach "
                               "der Verordnung 1408/71 bescheinigt, Vordruck E 101)",
                               "le règlement 883/2004 s'applique à {country} à partir du {date} : aucun A1 n'y a été "
                               "délivré avant ce jour (la législation applicable était certifiée au titre du "
                               "règlement 1408/71, formulaire E 101)",
                               "rozporządzenie 883/2004 ma zastosowanie do {country} od {date}: przed tym dniem nie "
                               "wydano tam żadnego zaświadczenia A1 (właściwe ustawodawstwo poświadczano na podstawie "
                               "rozporządzenia 1408/71, formularz E 101)"),
    "pda1.before_accession": ("Regulation 883/2004 applies to {country} from {date}, its accession; before that no EU "
                              "coordination regulation applied there, so no A1 can certify an earlier period (only a "
                              "bilateral agreement could, where there was one)",
                              "Regula 883/2004 attiecībā uz {country} piemērojama no {date}, tās pievienošanās dienas; "
                              "pirms tam tur netika piemērota neviena ES koordinācijas regula, tāpēc agrāku periodu A1 "
                              "nevar apliecināt (to varēja tikai divpusējs līgums, ja tāds bija)",
                              "die Verordnung 883/2004 gilt für {country} ab dem {date}, dem Beitritt; zuvor galt dort "
                              "keine Koordinierungsverordnung der EU, daher kann eine A1 keinen früheren Zeitraum "
                              "bescheinigen (nur ein bilaterales Abkommen, wo es eines gab)",
                              "le règlement 883/2004 s'applique à {country} à partir du {date}, date de son adhésion ; "
                              "aucun règlement de coordination de l'UE ne s'y appliquait auparavant : un A1 ne peut "
                              "pas certifier une période antérieure (seule une convention bilatérale le pouvait, s'il "
                              "y en avait une)",
                              "rozporządzenie 883/2004 ma zastosowanie do {country} od {date}, dnia przystąpienia; "
                              "wcześniej nie obowiązywało tam żadne unijne rozporządzenie koordynacyjne, więc "
                              "zaświadczenie A1 nie może poświadczyć wcześniejszego okresu (mogła to tylko umowa "
                              "dwustronna, jeśli istniała)"),
    "pda1.before_accession_between": ("Regulation 883/2004 applies between {country} and {other} from {date}; before "
                                      "that no EU coordination regulation applied between them, so no A1 can certify "
                                      "an earlier period (only a bilateral agreement could, where there was one)",
                                      "Regula 883/2004 starp {country} un {other} piemērojama no {date}; pirms tam "
                                      "starp tām netika piemērota neviena ES koordinācijas regula, tāpēc agrāku "
                                      "periodu A1 nevar apliecināt (to varēja tikai divpusējs līgums, ja tāds bija)",
                                      "die Verordnung 883/2004 gilt zwischen {country} und {other} ab dem {date}; "
                                      "zuvor galt zwischen ihnen keine Koordinierungsverordnung der EU, daher kann "
                                      "eine A1 keinen früheren Zeitraum bescheinigen (nur ein bilaterales Abkommen, "
                                      "wo es eines gab)",
                                      "le règlement 883/2004 s'applique entre {country} et {other} à partir du "
                                      "{date} ; aucun règlement de coordination de l'UE ne s'appliquait entre eux "
                                      "auparavant : un A1 ne peut pas certifier une période antérieure (seule une "
                                      "convention bilatérale le pouvait, s'il y en avait une)",
                                      "rozporządzenie 883/2004 ma zastosowanie między {country} a {other} od {date}; "
                                      "wcześniej nie obowiązywało między nimi żadne unijne rozporządzenie "
                                      "koordynacyjne, więc zaświadczenie A1 nie może poświadczyć wcześniejszego "
                                      "okresu (mogła to tylko umowa dwustronna, jeśli istniała)"),
    "pda1.multi_state_abroad": ("status {code} is work in two or more states (Art. 13 of Regulation 883/2004): name a "
                                "place of work, or the state of no fixed place of work, outside {country}",
                                "statuss {code} ir darbs divās vai vairākās valstīs (Regulas 883/2004 13. pants): "
                                "norādiet darba vietu vai valsti bez pastāvīgas darba vietas ārpus valsts {country}",
                                "Status {code} ist eine Tätigkeit in zwei oder mehr Staaten (Art. 13 der Verordnung "
                                "883/2004): Geben Sie einen Arbeitsort oder den Staat ohne festen Arbeitsort außerhalb "
                                "von {country} an",
                                "le statut {code} est une activité dans deux États ou plus (art. 13 du règlement "
                                "883/2004) : indiquez un lieu de travail, ou l'État sans lieu de travail fixe, hors de "
                                "{country}",
                                "status {code} to praca w dwóch lub więcej państwach (art. 13 rozporządzenia "
                                "883/2004): podaj miejsce pracy albo państwo bez stałego miejsca pracy poza "
                                "{country}"),
    "pda1.crew_home_base": ("status 10 is a flight or cabin crew member, whose work counts as done where the home "
                            "base is (Art. 11(5) of Regulation 883/2004): name the home base in {country}; a crew "
                            "member based in one other state only is posted (status 01) or covered by an Art. 16 "
                            "agreement (status 11)",
                            "statuss 10 ir lidojuma vai salona apkalpes loceklis, kura darbu uzskata par veiktu "
                            "mājas bāzes valstī (Regulas 883/2004 11. panta 5. punkts): norādiet mājas bāzi valstī "
                            "{country}; apkalpes loceklis, kura bāze ir tikai vienā citā valstī, ir norīkots "
                            "(statuss 01) vai uz viņu attiecas vienošanās saskaņā ar 16. pantu (statuss 11)",
                            "Status 10 ist ein Flug- oder Kabinenbesatzungsmitglied, dessen Tätigkeit als im Staat "
                            "der Heimatbasis ausgeübt gilt (Art. 11 Abs. 5 der Verordnung 883/2004): Geben Sie die "
                            "Heimatbasis in {country} an; ein Besatzungsmitglied mit Heimatbasis nur in einem anderen "
                            "Staat ist entsandt (Status 01) oder fällt unter eine Vereinbarung nach Art. 16 (Status "
                            "11)",
                            "le statut 10 est un membre d'équipage de conduite ou de cabine, dont l'activité est "
                            "réputée exercée dans l'État de la base d'affectation (art. 11, par. 5, du règlement "
                            "883/2004) : indiquez la base d'affectation en {country} ; un membre d'équipage basé dans "
                            "un seul autre État est détaché (statut 01) ou relève d'un accord au titre de l'art. 16 "
                            "(statut 11)",
                            "status 10 to członek załogi lotniczej lub pokładowej, którego pracę uważa się za "
                            "wykonywaną w państwie bazy macierzystej (art. 11 ust. 5 rozporządzenia 883/2004): podaj "
                            "bazę macierzystą w {country}; członek załogi z bazą tylko w jednym innym państwie jest "
                            "delegowany (status 01) albo objęty porozumieniem na podstawie art. 16 (status 11)"),
    "pda1.mixed_shape": ("the employer and the places of work must be of one rulebook version: the employer object "
                         "with work_address (v1), or the employer list with work_information (v1.1)",
                         "darba devējam un darba vietām jābūt vienā noteikumu versijā: darba devēja objekts ar "
                         "work_address (v1) vai darba devēju saraksts ar work_information (v1.1)",
                         "Arbeitgeber und Arbeitsorte müssen derselben Fassung des Regelwerks folgen: das "
                         "Arbeitgeber-Objekt mit work_address (v1) oder die Arbeitgeberliste mit work_information "
                         "(v1.1)",
                         "l'employeur et les lieux de travail doivent suivre la même version du référentiel : l'objet "
                         "employeur avec work_address (v1), ou la liste d'employeurs avec work_information (v1.1)",
                         "pracodawca i miejsca pracy muszą być w jednej wersji zasad: obiekt pracodawcy z "
                         "work_address (v1) albo lista pracodawców z work_information (v1.1)"),
    "pda1.two_activities": ("status {code} is two activities (Art. 13 of Regulation 883/2004): list each as its own "
                            "employer entry, with its type (01 employment, 02 self-employment)",
                            "statuss {code} ir divas darbības (Regulas 883/2004 13. pants): norādiet katru kā "
                            "atsevišķu darba devēja ierakstu ar tā veidu (01 darba ņēmējs, 02 pašnodarbinātais)",
                            "Status {code} sind zwei Tätigkeiten (Art. 13 der Verordnung 883/2004): Geben Sie jede als "
                            "eigenen Arbeitgebereintrag mit ihrer Art an (01 Beschäftigung, 02 selbständige "
                            "Tätigkeit)",
                            "le statut {code} correspond à deux activités (art. 13 du règlement 883/2004) : indiquez "
                            "chacune comme une entrée d'employeur distincte, avec sa nature (01 activité salariée, "
                            "02 activité non salariée)",
                            "status {code} to dwie działalności (art. 13 rozporządzenia 883/2004): podaj każdą jako "
                            "osobny wpis pracodawcy wraz z rodzajem (01 zatrudnienie, 02 samozatrudnienie)"),
    "pda1.employer_type_needed": ("status {code} does not say whether this is employment or self-employment: "
                                  "choose 01 or 02",
                                  "statuss {code} nenosaka, vai tas ir darbs kā darba ņēmējam vai "
                                  "pašnodarbinātība: izvēlieties 01 vai 02",
                                  "Status {code} sagt nicht, ob es sich um eine Beschäftigung oder eine selbständige "
                                  "Tätigkeit handelt: Wählen Sie 01 oder 02",
                                  "le statut {code} ne dit pas s'il s'agit d'une activité salariée ou non salariée : "
                                  "choisissez 01 ou 02",
                                  "status {code} nie określa, czy jest to zatrudnienie, czy samozatrudnienie: "
                                  "wybierz 01 lub 02"),
    "pda1.transitional_ended": ("the transitional rules of Art. 87(8) of Regulation 883/2004 applied to {country} "
                                "until {date} at the latest: a period ending later cannot be certified under them",
                                "Regulas 883/2004 87. panta 8. punkta pārejas noteikumi attiecībā uz {country} "
                                "bija piemērojami ne ilgāk kā līdz {date}: periodu, kas beidzas vēlāk, saskaņā ar "
                                "tiem nevar apliecināt",
                                "die Übergangsbestimmungen des Art. 87 Abs. 8 der Verordnung 883/2004 galten für "
                                "{country} längstens bis zum {date}: ein später endender Zeitraum kann nicht nach "
                                "ihnen bescheinigt werden",
                                "les dispositions transitoires de l'art. 87, par. 8, du règlement 883/2004 se sont "
                                "appliquées à {country} au plus tard jusqu'au {date} : une période qui se termine "
                                "plus tard ne peut pas être certifiée à ce titre",
                                "przepisy przejściowe art. 87 ust. 8 rozporządzenia 883/2004 stosowano do {country} "
                                "najpóźniej do {date}: okresu kończącego się później nie można na ich podstawie "
                                "poświadczyć"),
})

#: When Regulation 883/2004 (and 987/2009) began to apply to a state: 1 May 2010 (883/2004 Art. 91,
#: 987/2009 Art. 97) for the EU and the UK (then a member); Croatia from its accession, 1 July 2013;
#: Switzerland from 1 April 2012 (Decision 1/2012 of the EU-CH Joint Committee); Iceland,
#: Liechtenstein and Norway from 1 June 2012 (EEA Joint Committee Decision 76/2011). Before that, the
#: applicable legislation was certified under Regulation 1408/71 on form E 101.
_APPLIES_FROM: dict[str, str] = {"HR": "2013-07-01", "CH": "2012-04-01", "IS": "2012-06-01", "LI": "2012-06-01",
                                 "NO": "2012-06-01"}
_EU_APPLIES_FROM = "2010-05-01"
#: Dates that belong to a pair of states, not to either alone: between Switzerland and Iceland,
#: Liechtenstein or Norway, 883/2004 applies from 1 January 2016 (the EFTA Convention's Appendix 2 to
#: Annex K, as updated by EFTA Council Decision 5/2015); before that, 1408/71 still applied between
#: them, so its Art. 87(8) transitional rules ran there until 31 December 2025.
#: Croatia's accession (1 July 2013) brought it in with the EU only: with Switzerland from 1 January
#: 2017 (Protocol III to the EU-CH Agreement on the Free Movement of Persons, in force that day), with
#: Iceland, Liechtenstein and Norway from 12 April 2014 (the EEA enlargement agreement for Croatia,
#: provisionally applied from that day). 1408/71 never applied to Croatia, so no transitional rules.
_PAIR_APPLIES_FROM: dict[frozenset[str], str] = {
    **{frozenset({"CH", other}): "2016-01-01" for other in ("IS", "LI", "NO")},
    frozenset({"CH", "HR"}): "2017-01-01",
    **{frozenset({"HR", other}): "2014-04-12" for other in ("IS", "LI", "NO")},
}
_PAIR_TRANSITIONAL_UNTIL: dict[frozenset[str], str] = {frozenset({"CH", other}): "2025-12-31"
                                                       for other in ("IS", "LI", "NO")}
#: States that joined after 883/2004 had replaced 1408/71: no E 101 was ever issued for them; before
#: their date only a bilateral agreement, if any, applied.
_NEVER_1408 = frozenset({"HR"})
#: The last day of the transitional rules of Art. 87(8) of 883/2004: the legislation determined under
#: 1408/71 continues while the situation is unchanged, "in any case for no longer than 10 years from
#: the date of application": 30 April 2020 (EU and the UK), 31 March 2022 (CH), 31 May 2022 (EEA).
#: Croatia, never under 1408/71, has no such situation, and its A1s start on 1 July 2013 at the
#: earliest, so the EU's day is the bound there too.
_TRANSITIONAL_UNTIL: dict[str, str] = {"CH": "2022-03-31", "IS": "2022-05-31", "LI": "2022-05-31",
                                       "NO": "2022-05-31"}
_EU_TRANSITIONAL_UNTIL = "2020-04-30"

_MULTI_STATE = {"02", "04", "08", "09"}
_TWO_ACTIVITIES = {"08", "09"}
_POSTING = {"01", "03"}

#: Section 2's boxes 2.4 and 2.5 (the ESSPASS extension, module docstring): optional booleans, never
#: selectively disclosable (not in :data:`SD_PATHS`).
_SECTION_2_BOXES = ("applies_for_duration", "determination_provisional")

SD_PATHS: tuple[tuple[str | int | None, ...], ...] = (
    ("personal_administrative_number",),
    ("document_number",),
    ("transitional_rules",),
    ("employer",),
    ("work_address",),
    ("work_information",),
)

#: Section 1's surname, forenames and date of birth -> the case holder's fields they are made from
#: (:mod:`credentials.holder_names`).
HOLDER_CLAIMS = holder_names.CLAIMS
#: The cutover: the day (UTC) of the release from which our issuers sign section 1's names into every
#: A1 (:func:`with_holder`), judged by the issuer's signing time (an SD-JWT VC's ``iat``, an mdoc's
#: ``validityInfo.signed``), never by the clerk-typed ``date_of_issuance`` (as the EHIC's,
#: :data:`credentials.ehic.HOLDER_SIGNED_FROM`).
HOLDER_SIGNED_FROM = date(2026, 12, 1)


def with_holder(claims: Mapping[str, Any], holder: Mapping[str, Any] | None) -> dict[str, Any]:
    """The A1's claims as signed: ``claims`` with section 1's names and date of birth of the holder the
    institution recorded (:func:`credentials.holder_names.signed`); unchanged without all three."""
    return holder_names.signed(claims, holder)


def holder_of(claims: Mapping[str, Any]) -> dict[str, str]:
    """Section 1's names and date of birth as shown (:func:`credentials.holder_names.shown`)."""
    return holder_names.shown(claims)


_OWN = ("legislation_country", "status_confirmation", "transitional_rules", "employer", "work_address",
        "work_information", *_SECTION_2_BOXES)
_ADDRESS = ("formatted", "street_address", "house_number", "building_number", "postal_code", "locality", "region",
            "country", "company_name", "company_id", "flag_base_home")


def _employer(value: Any, field: str, *, v11: bool, found: c.Problems) -> dict[str, Any] | None:
    """An employer entry (v1 object, or a v1.1 list's entry with its ``type``), each member's problems
    recorded in ``found``; None when any was found."""
    mark = len(found)
    out: dict[str, Any] = {}
    with found.rule():
        o = c.obj(value, field)
        # The v1 object has no type: one given there would be dropped unseen (v1.1 lists carry it).
        c.no_unknown(o, ("type", "id", "name", "country") if v11 else ("id", "name", "country"), field + ".", found)
        if v11:
            with found.rule():
                kind = c.required(o, "type", field + ".")
                if kind not in ("01", "02"):
                    raise c.invalid(field + ".type", "pda1.employer_type")
                out["type"] = kind
        with found.rule():
            out["id"] = c.text(c.required(o, "id", field + "."), field + ".id", 1, 20)
        with found.rule():
            out["name"] = c.text(c.required(o, "name", field + "."), field + ".name", 1, 100)
        with found.rule():
            # Any state's code: section 4 gives the employer's address wherever it is, and 987/2009
            # Art. 14(11) has an Art. 13 A1 name an employer established outside the Union.
            out["country"] = c.any_country(c.required(o, "country", field + "."), field + ".country")
    return out if found.clean_since(mark) else None


def _address(value: Any, field: str, found: c.Problems) -> dict[str, Any] | None:
    """A place of work, each member's problems recorded in ``found``; None when any was found."""
    mark = len(found)
    out: dict[str, Any] = {}
    with found.rule():
        o = c.obj(value, field)
        c.no_unknown(o, _ADDRESS, field + ".", found)
        for key, val in o.items():
            if val in (None, "") or key not in _ADDRESS:
                continue
            with found.rule():
                if key == "flag_base_home":
                    # Section 5 of the A1: a mariner's flag state or a crew member's home base (the EUDI
                    # model's flag_base_home_state): rulebook v1.1 Annex 1, a string of at most 20 (no
                    # yes/no marker: a CSV cell "true" is refused, not printed as nothing).
                    out[key] = c.text(val, f"{field}.{key}", 1, 20)
                elif key == "country":
                    out[key] = c.country(val, field + ".country")
                else:
                    out["house_number" if key == "building_number" else key] = c.text(
                        val, f"{field}.{key}", 1, 150, lines=key == "formatted")
        # Required, not merely broken: a locality or state typed wrong is named by its own rule.
        with found.rule():
            if not c.optional(o, "locality"):
                c.required(out, "locality", field + ".")
        with found.rule():
            if not c.optional(o, "country"):
                c.required(out, "country", field + ".")
    return out if found.clean_since(mark) else None


def _work_information(value: Any, found: c.Problems) -> dict[str, Any] | None:
    """Rulebook v1.1 ``work_information`` (Annex 1: ``anyOf`` [``no_fixed_place_of_work``,
    ``work_address``]): the places of work, the state of no fixed place of work, or both (section 5
    of the A1 lists fixed places and states with none, e.g. a driver employed at a depot in Rīga who
    drives with no fixed place in DE). Each part given is kept. Problems recorded in ``found``; None
    when any was found."""
    mark = len(found)
    out: dict[str, Any] = {}
    with found.rule():
        info = c.obj(value, "work_information")
        c.no_unknown(info, ("no_fixed_place_of_work", "work_address"), "work_information.", found)
        given = False
        if c.optional(info, "work_address"):
            given = True
            with found.rule():
                places = info["work_address"]
                if not isinstance(places, list) or not places:
                    raise c.invalid("work_information.work_address", "pda1.no_place_of_work")
                read = [_address(p, f"work_information.work_address.{i}", found) for i, p in enumerate(places)]
                out["work_address"] = read
        if c.optional(info, "no_fixed_place_of_work"):
            given = True
            with found.rule():
                out["no_fixed_place_of_work"] = c.country(info["no_fixed_place_of_work"],
                                                          "work_information.no_fixed_place_of_work")
        if not given:
            raise c.invalid("work_information.work_address", "pda1.no_place_of_work")
    return out if found.clean_since(mark) else None


def validate(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a PDA1's claims, v1 or v1.1 shape, and return them normalised (same shape).
    DataError for the first rule broken, carrying the others (:func:`problems`)."""
    return c.Problems.validated(_read, claims)


def problems(claims: Mapping[str, Any]) -> list[DataError]:
    """Every rule of :func:`validate` the claims break, found in one pass, in the order they are
    checked ([] for claims it accepts): what a clerk's form or import row says at once. A rule that
    rests on a field (a period's length on its dates, a posting's place of work on the legislation's
    state and the places typed) is skipped while that field is broken."""
    return c.Problems.of(_read, claims)


def _read(claims: Mapping[str, Any], found: c.Problems) -> dict[str, Any]:
    """The claims normalised, each problem recorded in ``found`` (the fields read are returned)."""
    if not found.an_object(claims):
        return {}
    c.no_unknown(claims, (*c.COMMON_REQUIRED, *c.COMMON_OPTIONAL, *_OWN), problems=found)
    out = c.common_block(claims, found)
    with found.rule():
        out["legislation_country"] = c.country(c.required(claims, "legislation_country"), "legislation_country")
    code: str | None = None
    with found.rule():
        given = c.required(claims, "status_confirmation")
        if not isinstance(given, str) or given not in STATUS_CODES:
            raise c.invalid("status_confirmation", "pda1.status_code")
        out["status_confirmation"] = code = given
    for box in ("transitional_rules", *_SECTION_2_BOXES):  # section 2's boxes, each optional
        if box in claims and claims[box] is not None:
            with found.rule():
                if not isinstance(claims[box], bool):
                    raise c.invalid(box, "boolean")
                out[box] = claims[box]
    for name in ("starting_date", "ending_date"):  # required here (optional in the common block)
        with found.rule():
            c.required(claims, name)
    start, end = out.get("starting_date"), out.get("ending_date")
    with found.rule():
        if code in _MULTI_STATE and start and end and not c.within_months(start, end, 12):
            raise c.invalid("ending_date", "pda1.multi_state_months")
    with found.rule():
        if code in _POSTING and start and end and not c.within_months(start, end, 24):
            raise c.invalid("ending_date", "pda1.posting_months")
    with found.rule():
        if "date_of_expiry" in out and end and out["date_of_expiry"] < end:
            # The A1 binds the other states for the period it certifies (987/2009 Art. 5(1)); an expiry
            # inside it would end the token before the period the inspector is shown.
            raise c.invalid("date_of_expiry", "pda1.expiry_before_end", other_field="ending_date")
    with found.rule():
        employer = c.required(claims, "employer")
        if isinstance(employer, list):
            if not employer:
                raise c.invalid("employer", "pda1.no_employer")
            entries = [_employer(e, f"employer.{i}", v11=True, found=found) for i, e in enumerate(employer)]
            if all(entry is not None for entry in entries):
                out["employer"] = entries
        else:
            entry = _employer(employer, "employer", v11=False, found=found)
            if entry is not None:
                out["employer"] = entry
    # Sections 4 and 5 as read: the rules on what the places of work say wait for every one of them.
    work_read = True
    with found.rule():
        if "work_address" in claims and "work_information" in claims:
            work_read = False
            raise c.invalid("work_information", "pda1.work_either")
    if c.optional(claims, "work_address"):
        address = _address(claims["work_address"], "work_address", found)
        if address is None:
            work_read = False
        else:
            out["work_address"] = address
    elif c.optional(claims, "work_information"):
        information = _work_information(claims["work_information"], found)
        if information is None:
            work_read = False
        else:
            out["work_information"] = information
    if code is not None and "legislation_country" in out:
        _check_situation(out, code, found, places_read=work_read)
    if work_read and "legislation_country" in out and start and end:
        with found.rule():
            _check_regulation_dates(out)
    with found.rule():
        _check_issued_under_883(out)
    # One rulebook version or the other, never a mix (checked last: a rule of the situation says
    # more): a v1-only reader finds no work_address (its section 2.5 requires one) beside
    # work_information; a v1.1-only one (Annex 1: "employer": {"type": "array"}) cannot read the v1
    # object. one_shape() lifts a clerk's typing to v1.1; an API client sends one shape.
    with found.rule():
        if work_read and "employer" in out and (
                ("work_address" in out) if isinstance(out["employer"], list) else ("work_information" in out)):
            raise c.invalid("employer", "pda1.mixed_shape")
    return out


def _states(out: Mapping[str, Any]) -> list[str]:
    """The states the A1 names as involved, ISO spelling: the legislation's, then each place of work's
    (or the state of no fixed place of work)."""
    named = [out["legislation_country"]]
    for place in work_places(out):
        named.append(place.get("country") or place.get("no_fixed_place_of_work"))
    return [countries.normalise(str(state)) for state in named if isinstance(state, str)]


def _check_regulation_dates(out: Mapping[str, Any]) -> None:
    """The period lies where Regulation 883/2004 applies to every state the A1 names (Art. 91 with
    987/2009 Art. 97; EEA and CH later, :data:`_APPLIES_FROM`), and the transitional rules of
    Art. 87(8) are certified only for a period ending while they applied to those states
    (:data:`_TRANSITIONAL_UNTIL`): for a posting from LV to NO the EEA's days, not the EU's. Between
    Switzerland and an EEA EFTA state, and between Croatia and either, the pair's own days
    (:data:`_PAIR_APPLIES_FROM`; the latest of the pairs named)."""
    states = _states(out)
    first = max(states, key=lambda state: _APPLIES_FROM.get(state, _EU_APPLIES_FROM))
    applies_from = _APPLIES_FROM.get(first, _EU_APPLIES_FROM)
    if out["starting_date"] < applies_from:
        key = "pda1.before_accession" if first in _NEVER_1408 else "pda1.before_883"
        raise c.invalid("starting_date", key, country=first, date=applies_from)
    pairs = [pair for pair in _PAIR_APPLIES_FROM if pair <= set(states)]
    late = max(pairs, key=lambda pair: _PAIR_APPLIES_FROM[pair], default=None)
    if late is not None and out["starting_date"] < _PAIR_APPLIES_FROM[late]:
        one, other = sorted(late)
        # Croatia was never under 1408/71: before the pair's day only a bilateral agreement applied.
        key = "pda1.before_accession_between" if late & _NEVER_1408 else "pda1.before_883_between"
        raise c.invalid("starting_date", key, country=one, other=other, date=_PAIR_APPLIES_FROM[late])
    if out.get("transitional_rules") is True:
        last = max(states, key=lambda state: _TRANSITIONAL_UNTIL.get(state, _EU_TRANSITIONAL_UNTIL))
        until = _TRANSITIONAL_UNTIL.get(last, _EU_TRANSITIONAL_UNTIL)
        country = last
        for pair in pairs:  # between these two alone, the rules ran longer than with the EU
            if pair == set(states) and pair in _PAIR_TRANSITIONAL_UNTIL:
                until, country = _PAIR_TRANSITIONAL_UNTIL[pair], "–".join(sorted(pair))
        if out["ending_date"] > until:
            raise c.invalid("transitional_rules", "pda1.transitional_ended", country=country, date=until)


def _check_issued_under_883(out: Mapping[str, Any]) -> None:
    """The A1 is a portable document of Regulation 987/2009 (Art. 19(2), Art. 97: applying from the day
    883/2004 did), so its date of issue is not before 883/2004 applied to the issuing state, the
    legislation's (:data:`_APPLIES_FROM`): a certificate dated earlier was an E 101 under 1408/71, and
    an A1 dated so is a typing slip (2005 for 2025) that would be signed as a document. Checked once
    the legislation's state and the date are read."""
    issued, state = out.get("date_of_issuance"), out.get("legislation_country")
    if not isinstance(issued, str) or not isinstance(state, str):
        return
    applies_from = _APPLIES_FROM.get(countries.normalise(state), _EU_APPLIES_FROM)
    if issued < applies_from:
        raise c.invalid("date_of_issuance", "pda1.issued_before_883", country=state, date=applies_from)


def _place_fields(out: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each place of work as (the dotted field of its state, its state in ISO spelling)."""
    if "work_address" in out:
        return [("work_address.country", countries.normalise(str(out["work_address"]["country"])))]
    info = out.get("work_information") or {}
    fields = [(f"work_information.work_address.{i}.country", countries.normalise(str(p["country"])))
              for i, p in enumerate(info.get("work_address", []))]
    if "no_fixed_place_of_work" in info:
        fields.append(("work_information.no_fixed_place_of_work",
                       countries.normalise(str(info["no_fixed_place_of_work"]))))
    return fields


def _check_situation(out: Mapping[str, Any], code: str, found: c.Problems, *, places_read: bool) -> None:
    """What the status code says of the work must hold of the employers and places it names, each
    rule broken recorded in ``found``: those on the places of work only where they were all read
    (``places_read``), those on the employers only where every entry was.

    - A posting (01, 03; Art. 12 of 883/2004: "to another Member State") names a place of work, or
      the state of no fixed place of work, outside the legislation's state (section 5 of the A1 names
      the host state; 987/2009 Art. 15(1) informs its institution).
    - Work in two or more states (02, 04; Art. 13(1), (2)) names at least one place of work, or the
      state of no fixed place of work: the A1 lists where the person works (section 5), and which
      state's legislation applies is decided from it (987/2009 Art. 14(8) to (10)); and one outside
      the legislation's state, or it names no second state at all (the competent state may itself
      have no place of work: the employer's seat under Art. 13(1)(b), the residence under 14(11)).
      Whether they lie in two states or more is not judged: the v1 shape holds one place only.
    - Status 12 (working in the state whose legislation applies, lex loci laboris, Art. 11(3)(a))
      names no place of work only outside that state.
    - Status 10 (flight or cabin crew): the work counts as done in the home base's state (Art. 11(5))
      and that state's legislation applies (11(3)(a)), so its places do not all lie in one other
      state: that is a posting (01) or an Art. 16 agreement (11). Places in two or more other states
      are not judged (home bases in two states are Art. 13, which a clerk may still file as 10), nor
      is an A1 under the transitional rules (Art. 87a(1): crew under the legislation applying before
      28 June 2012 keep it).
    - The v1.1 ``employer[].type`` matches employment (01, 02), self-employment (03, 04), or both
      (08: employed and self-employed in different states, Art. 13(3)). The flat v1 ``employer``
      has no type, so it is not judged there; but 08 and 09 (Art. 13(3), (4)) are two activities,
      which need the v1.1 list with an entry each."""
    home = countries.normalise(str(out["legislation_country"]))
    places = _place_fields(out) if places_read else []
    country = str(out["legislation_country"])
    if places_read and code in _POSTING and not any(state != home for _, state in places):
        field = places[0][0] if places else "work_address"
        # A place named with its address in the sending state: "name a place outside"; none, or
        # no fixed place in the sending state: the rule says no fixed place outside it would do too.
        key = "pda1.posting_abroad" if places and field.endswith(".country") else "pda1.posting_place"
        found.add(c.invalid(field, key, country=country))
    if places_read and code in ("02", "04") and not places:
        found.add(c.invalid("work_address", "pda1.no_place_of_work"))
    if code in ("02", "04") and places and not any(state != home for _, state in places):
        found.add(c.invalid(places[0][0], "pda1.multi_state_abroad", code=code, country=country))
    if (code == "10" and places and out.get("transitional_rules") is not True
            and {state for _, state in places} == {places[0][1]} != {home}):
        found.add(c.invalid(places[0][0], "pda1.crew_home_base", country=country))
    if code == "12" and places and not any(state == home for _, state in places):
        found.add(c.invalid(places[0][0], "pda1.state_of_work", country=country))
    if "employer" not in out:
        return
    listed = out["employer"] if isinstance(out["employer"], list) else []
    wanted = {"01": ("01",), "02": ("01",), "03": ("02",), "04": ("02",), "08": ("01", "02")}.get(code, ())
    for kind in wanted if listed else ():
        if not any(e.get("type") == kind for e in listed):
            found.add(c.invalid("employer", "pda1.employment_entry" if kind == "01" else "pda1.self_employment_entry",
                                code=code))
    if code in _TWO_ACTIVITIES and len(listed) < 2:
        # Art. 13(3) (08: employed in one state, self-employed in another) and 13(4) (09: a civil
        # servant with another activity) are two activities: one flat employer cannot show them.
        found.add(c.invalid("employer", "pda1.two_activities", code=code))


def _employer_fields(claims: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The employers with their dotted field, whichever shape (v1 object or v1.1 list) the
    credential uses; an entry of neither shape is left out. DataError unless ``claims`` is a map."""
    employer = c.obj(claims, "claims").get("employer")
    if isinstance(employer, list):
        return [(f"employer.{i}", e) for i, e in enumerate(employer) if isinstance(e, dict)]
    return [("employer", employer)] if isinstance(employer, dict) else []


def employers(claims: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The employers, whichever shape (v1 object or v1.1 list) the credential uses."""
    return [employer for _, employer in _employer_fields(claims)]


def work_places(claims: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The places of work, whichever shape, then ``{"no_fixed_place_of_work": "DE"}`` where a state
    of no fixed place of work is named (v1.1 allows both); a part of neither shape is left out.
    DataError unless ``claims`` is a map."""
    if isinstance(c.obj(claims, "claims").get("work_address"), dict):
        return [claims["work_address"]]
    info = claims.get("work_information")
    if not isinstance(info, dict):
        return []
    places = info.get("work_address")
    out = [p for p in places if isinstance(p, dict)] if isinstance(places, list) else []
    if info.get("no_fixed_place_of_work") not in (None, "", []):
        out.append({"no_fixed_place_of_work": info["no_fixed_place_of_work"]})
    return out


#: The employer entry's type (rulebook v1.1: "01" employment, "02" self-employment) that a status
#: implies, where it implies one: Art. 12(1), 13(1), 11(3)(b), (4), (5), Annex-staff and lex loci
#: laboris situations are employment; 12(2) and 13(2) self-employment. 08 and 09 are two activities
#: (Art. 13(3), (4)) and 11 (an Art. 16 agreement) may be either: their types are stated, not guessed.
IMPLIED_TYPE: dict[str, str] = {"01": "01", "02": "01", "05": "01", "06": "01", "07": "01", "10": "01", "12": "01",
                                "03": "02", "04": "02"}


def one_shape(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Claims typed by a clerk (the back-office form, a CSV row) in one rulebook version throughout:
    where any part needs v1.1 (an employer list or a type, ``work_information``, status 08 or 09),
    the whole of sections 4 and 5 is v1.1: the employer object becomes a one-entry list, a flat
    place of work ``work_information.work_address[0]``, and an entry without its type gets the one
    the status implies (:data:`IMPLIED_TYPE`). Otherwise the claims are returned as they are (v1).

    DataError ``employer[.n].type``, ``pda1.employer_type_needed``, where the status implies no type
    (08, 09, 11): the clerk says which. What is not of either shape is left for :func:`validate`."""
    out = dict(claims)
    employer, address, code = out.get("employer"), out.get("work_address"), out.get("status_confirmation")
    if isinstance(employer, Mapping):
        needs = "type" in employer or "work_information" in out or code in _TWO_ACTIVITIES
        if not needs:
            return out
        employer = [employer]
    if not isinstance(employer, list):
        return out
    entries: list[Any] = []
    for i, entry in enumerate(employer):
        if isinstance(entry, Mapping) and entry.get("type") in (None, ""):
            field = "employer.type" if len(employer) == 1 else f"employer.{i}.type"
            if code not in IMPLIED_TYPE:
                if code in STATUS_CODES:
                    raise c.invalid(field, "pda1.employer_type_needed", code=code)
                return out  # no status, or none of the twelve: validate says so first
            entry = {"type": IMPLIED_TYPE[code], **entry}
        entries.append(entry)
    out["employer"] = entries
    if isinstance(address, Mapping) and "work_information" not in out:
        del out["work_address"]
        out["work_information"] = {"work_address": [address]}
    return out


# The country is named after a colon in every language: a name in a sentence slot would need its
# article or grammatical case ("the Netherlands", "der Niederlande", "des Pays-Bas", "Niderlandów").
_SENTENCE = {
    "en": "From {start} to {end}, the social security legislation that applies to you is that of this state: "
          "{country}{employer}.",
    "lv": "No {start} līdz {end} jums piemērojami šīs valsts sociālās drošības tiesību akti: {country}{employer}.",
    "de": "Vom {start} bis {end} gelten für Sie die Rechtsvorschriften der sozialen Sicherheit dieses Staates: "
          "{country}{employer}.",
    "fr": "Du {start} au {end}, la législation de sécurité sociale applicable est celle de : {country}{employer}.",
    "pl": "Od {start} do {end} podlegasz przepisom o zabezpieczeniu społecznym państwa: {country}{employer}.",
}
#: :data:`_SENTENCE` of another person's A1 (``describe(..., other_person=True)``): of the holder its section 1
#: names, by name in the nominative (no case ending needed: "für", "à", a subject; Latvian "personai" in the
#: dative before it, as the wallet's "norādīta persona: ..." has it).
_NAMED_SENTENCE = {
    "en": "From {start} to {end}, the social security legislation that applies to {name} is that of this state: "
          "{country}{employer}.",
    "lv": "No {start} līdz {end} personai {name} piemērojami šīs valsts sociālās drošības tiesību akti: "
          "{country}{employer}.",
    "de": "Vom {start} bis {end} gelten für {name} die Rechtsvorschriften der sozialen Sicherheit dieses Staates: "
          "{country}{employer}.",
    "fr": "Du {start} au {end}, la législation de sécurité sociale applicable à {name} est celle de : "
          "{country}{employer}.",
    "pl": "Od {start} do {end} {name} podlega przepisom o zabezpieczeniu społecznym państwa: {country}{employer}.",
}
#: Of another person's A1 naming no holder (signed before :data:`HOLDER_SIGNED_FROM`): of nobody, never "you".
_UNNAMED_SENTENCE = {
    "en": "From {start} to {end}, the social security legislation that applies is that of this state: "
          "{country}{employer}.",
    "lv": "No {start} līdz {end} piemērojami šīs valsts sociālās drošības tiesību akti: {country}{employer}.",
    "de": "Vom {start} bis {end} gelten die Rechtsvorschriften der sozialen Sicherheit dieses Staates: "
          "{country}{employer}.",
    "fr": _SENTENCE["fr"],  # already says no "vous"
    "pl": "Od {start} do {end} obowiązują przepisy o zabezpieczeniu społecznym państwa: {country}{employer}.",
}
_EMPLOYER = {"en": ", employer {name}", "lv": ", darba devējs {name}", "de": ", Arbeitgeber {name}",
             "fr": ", employeur {name}", "pl": ", pracodawca {name}"}
#: A v1.1 entry of type 02 is the person's own activity, not an employer (Art. 13(2), (3)).
_SELF = {"en": ", self-employed activity {name}", "lv": ", pašnodarbinātā darbība {name}",
         "de": ", selbständige Tätigkeit {name}", "fr": ", activité non salariée {name}",
         "pl": ", działalność na własny rachunek {name}"}
#: Section 4 on paper, an entry a line: its label by its type.
_ENTRY_LABEL = {"01": ("Employer", "Darba devējs", "Arbeitgeber", "Employeur", "Pracodawca"),
                "02": ("Self-employed activity", "Pašnodarbinātā darbība", "Selbstständige Tätigkeit",
                       "Activité non salariée", "Działalność na własny rachunek")}


def describe(claims: Mapping[str, Any], lang: str, *, other_person: bool = False) -> str:
    """One plain-words sentence for the worker or inspector, in ``lang`` (English fallback); for a
    provisional determination (box 2.5) a second saying so. It speaks to the holder ("applies to you");
    of ``other_person``'s A1 (a wallet found it not its owner's, :func:`wallet.core.other_persons`: an
    offer code passed on) it speaks of the person section 1 names ("applies to Tobias Krause"), or, naming
    none, of nobody.

    A date that is no YYYY-MM-DD date, or an employer's name that is no text, is DataError naming
    the field (a foreign A1 may hold anything there), which its callers show the type's title for."""
    names: list[str] = []
    own: list[str] = []  # entries of type 02 (or of a posted self-employed person): not employers
    for field, entry in _employer_fields(claims):
        name = entry.get("name")
        if name not in (None, "") and not isinstance(name, str):
            raise c.invalid(f"{field}.name", "text.type")
        if name:
            (own if _entry_type(entry, claims.get("status_confirmation")) == "02" else names).append(name)
    lang = lang if lang in _SENTENCE else "en"
    employer = (_EMPLOYER[lang].format(name=", ".join(names)) if names else "") + \
        (_SELF[lang].format(name=", ".join(own)) if own else "")
    country = country_name(str(claims.get("legislation_country", "")), lang)

    def day(field: str) -> str:
        return format_date(c.iso_date(claims[field], field), lang) if c.optional(claims, field) else "?"

    named = holder_names.full_name(claims) if other_person else None
    sentences = _NAMED_SENTENCE if named else _UNNAMED_SENTENCE if other_person else _SENTENCE
    sentence = sentences[lang].format(country=country, start=day("starting_date"), end=day("ending_date"),
                                      employer=employer, name=named)
    # Box 2.5: the worker, the clerk and the paper's reader are told what the inspector is told.
    return sentence + _PROVISIONAL[lang] if claims.get("determination_provisional") is True else sentence


#: Said after :func:`describe`'s sentence of an A1 whose box 2.5 is ticked (987/2009 Art. 16(2)-(3)).
_PROVISIONAL = {
    "en": " The determination is provisional (Art. 16 of Regulation (EC) No 987/2009): it may still change.",
    "lv": " Lēmums ir provizorisks (Regulas (EK) Nr. 987/2009 16. pants): tas vēl var mainīties.",
    "de": " Die Festlegung ist vorläufig (Art. 16 der Verordnung (EG) Nr. 987/2009): sie kann sich noch ändern.",
    "fr": " La détermination est provisoire (art. 16 du règlement (CE) n° 987/2009) : elle peut encore changer.",
    "pl": " Ustalenie jest tymczasowe (art. 16 rozporządzenia (WE) nr 987/2009): może jeszcze ulec zmianie.",
}


def status_text(code: str, lang: str) -> str:
    """Section 3 in words: ``"01 posted employed person"``, in ``lang`` (English fallback); a code
    that is none of the twelve is given as it is."""
    words = STATUS_CODES.get(code)
    return f"{code} {words[_LANG.get(lang, 0)]}" if words else code


_LANG = {"en": 0, "lv": 1, "de": 2, "fr": 3, "pl": 4}
_NO_FIXED = {"en": "no fixed place of work in {country}", "lv": "nav pastāvīgas darba vietas; valsts: {country}",
             "de": "kein fester Arbeitsort, Staat: {country}", "fr": "pas de lieu de travail fixe, État : {country}",
             "pl": "brak stałego miejsca pracy, państwo: {country}"}
_FLAG_BASE = {"en": "flag state or home base", "lv": "karoga valsts vai mājas bāze",
              "de": "Flaggenstaat oder Heimatbasis", "fr": "État du pavillon ou base d'affectation",
              "pl": "państwo bandery lub baza macierzysta"}


def _entry_type(entry: Mapping[str, Any], status: object) -> str | None:
    """A section-4 entry's type: its own (v1.1), else the one the A1's ``status`` implies
    (:data:`IMPLIED_TYPE`), since a flat v1 entry has none: a posted self-employed person's (03,
    Art. 12(2)) is their own activity, not an employer (section 4.2 of the A1, not 4.1)."""
    kind = entry.get("type")
    if kind in ("01", "02"):
        return str(kind)
    return IMPLIED_TYPE.get(status) if isinstance(status, str) else None


def employer_text(entry: Mapping[str, Any], lang: str, status: object = None) -> str:
    """An entry of section 4 on one line, labelled by its type ("Self-employed activity" for a v1.1
    type 02, or an untyped entry of an A1 whose ``status`` is self-employment, 03 or 04; else
    "Employer"): its name, id (the registration number a host inspector checks) and state:
    ``"Employer: Baltic Build SIA, LV40000000001, Latvia"``."""
    label = _ENTRY_LABEL["02" if _entry_type(entry, status) == "02" else "01"][_LANG.get(lang, 0)]
    parts = [str(entry[k]) for k in ("name", "id") if isinstance(entry.get(k), str) and entry[k]]
    if isinstance(entry.get("country"), str) and entry["country"]:
        parts.append(country_name(entry["country"], lang))
    return f"{label}: {', '.join(parts)}"


def place_text(place: Mapping[str, Any], lang: str) -> str:
    """A place of work of :func:`work_places` on one line, as section 5 of the A1 gives it: the company
    or ship, the address, the state, the flag state or home base; or "no fixed place of work"."""
    lang = lang if lang in _LANG else "en"
    if "no_fixed_place_of_work" in place:
        return _NO_FIXED[lang].format(country=country_name(str(place["no_fixed_place_of_work"]), lang))

    def part(*keys: str) -> str:
        return " ".join(str(place[k]) for k in keys if isinstance(place.get(k), str) and place[k])

    if isinstance(place.get("formatted"), str) and place["formatted"]:
        address = [" ".join(place["formatted"].split())]
    else:
        address = [part("street_address", "house_number"), part("postal_code", "locality"), part("region")]
    parts = [part("company_name", "company_id"), *address,
             country_name(str(place["country"]), lang) if isinstance(place.get("country"), str) else ""]
    flag = place.get("flag_base_home")
    if isinstance(flag, str) and flag:
        parts.append(f"{_FLAG_BASE[lang]}: {flag}")
    return ", ".join(p for p in parts if p)


_EMPLOYER_ID = ("Registration number", "Reģistrācijas numurs", "Kennnummer", "Numéro d'immatriculation",
                "Numer rejestracyjny")
_EMPLOYER_COUNTRY = ("State", "Valsts", "Staat", "État", "Państwo")
_LOCALITY = ("Town", "Pilsēta", "Ort", "Localité", "Miejscowość")
_STATE = ("State", "Valsts", "Staat", "État", "Państwo")
_FLAG_BASE_LABEL: type_metadata.Labels = (
    _FLAG_BASE["en"].capitalize(), _FLAG_BASE["lv"].capitalize(), _FLAG_BASE["de"], _FLAG_BASE["fr"].capitalize(),
    _FLAG_BASE["pl"].capitalize())

_CLAIMS = (
    *holder_names.CLAIM_INFO,  # section 1 first, as the paper A1 prints it
    ClaimInfo(("personal_administrative_number",), ("Personal identification number", "Personas kods",
              "Persönliche Kennnummer", "Numéro d'identification personnel", "Osobisty numer identyfikacyjny"),
              True, "always"),
    ClaimInfo(("document_number",), ("Document number", "Dokumenta numurs", "Dokumentnummer", "Numéro du document",
              "Numer dokumentu"), True, "always"),
    ClaimInfo(("legislation_country",), ("Legislation applicable", "Piemērojamie tiesību akti",
              "Anzuwendende Rechtsvorschriften", "Législation applicable", "Właściwe ustawodawstwo"), True, "never"),
    ClaimInfo(("status_confirmation",), ("Status", "Statuss", "Status", "Statut", "Status"), True, "never"),
    ClaimInfo(("transitional_rules",), ("Transitional rules apply", "Piemēro pārejas noteikumus",
              "Übergangsbestimmungen gelten", "Dispositions transitoires applicables",
              "Stosuje się przepisy przejściowe"), False, "always"),
    ClaimInfo(("starting_date",), ("From", "No", "Von", "Du", "Od"), True, "never"),
    ClaimInfo(("ending_date",), ("Until", "Līdz", "Bis", "Au", "Do"), True, "never"),
    # Boxes 2.4 and 2.5 of the paper A1, worded as it words them: the ESSPASS extension (module docstring).
    ClaimInfo(("applies_for_duration",), ("Certification applies for the duration of the activity",
              "Apliecinājums attiecas uz visu darbības laiku", "Die Bescheinigung gilt für die Dauer der Tätigkeit",
              "Le certificat s'applique pour la durée de l'activité",
              "Zaświadczenie obowiązuje przez cały okres wykonywania działalności"), False, "never"),
    ClaimInfo(("determination_provisional",), ("Determination provisional", "Provizorisks lēmums",
              "Vorläufige Festlegung", "Détermination provisoire", "Tymczasowe ustalenie"), False, "never"),
    ClaimInfo(("employer",), ("Employer", "Darba devējs", "Arbeitgeber", "Employeur", "Pracodawca"), True, "always"),
    ClaimInfo(("employer", "name"), ("Employer name", "Darba devēja nosaukums", "Name des Arbeitgebers",
              "Nom de l'employeur", "Nazwa pracodawcy")),
    ClaimInfo(("employer", "id"), _EMPLOYER_ID),
    ClaimInfo(("employer", "country"), _EMPLOYER_COUNTRY),
    # Rulebook v1.1 (Annex 1): employer[] of {type, id, name, country}, an entry per employment or
    # self-employed activity (Art. 13 of 883/2004).
    ClaimInfo(("employer", None), ("Employer or self-employed activity", "Darba devējs vai pašnodarbinātā darbība",
              "Arbeitgeber oder selbständige Tätigkeit", "Employeur ou activité non salariée",
              "Pracodawca lub działalność na własny rachunek")),
    ClaimInfo(("employer", None, "type"), ("Type (01 employment, 02 self-employment)",
              "Veids (01 darba ņēmējs, 02 pašnodarbinātais)", "Art (01 Beschäftigung, 02 selbständige Tätigkeit)",
              "Nature (01 activité salariée, 02 activité non salariée)",
              "Rodzaj (01 zatrudnienie, 02 samozatrudnienie)")),
    ClaimInfo(("employer", None, "id"), _EMPLOYER_ID),
    ClaimInfo(("employer", None, "name"), ("Name", "Nosaukums", "Name", "Nom", "Nazwa")),
    ClaimInfo(("employer", None, "country"), _EMPLOYER_COUNTRY),
    ClaimInfo(("work_address",), ("Place of work", "Darba vieta", "Arbeitsort", "Lieu de travail", "Miejsce pracy"),
              False, "always"),
    ClaimInfo(("work_address", "locality"), _LOCALITY),
    ClaimInfo(("work_address", "country"), _STATE),
    # Rulebook v1.1: work_information {no_fixed_place_of_work, work_address[]}, section 5 of the A1.
    ClaimInfo(("work_information",), ("Places of work", "Darba vietas", "Arbeitsorte", "Lieux de travail",
              "Miejsca pracy"), False, "always"),
    ClaimInfo(("work_information", "no_fixed_place_of_work"), ("No fixed place of work (state)",
              "Nav pastāvīgas darba vietas (valsts)", "Kein fester Arbeitsort (Staat)",
              "Pas de lieu de travail fixe (État)", "Brak stałego miejsca pracy (państwo)")),
    ClaimInfo(("work_information", "work_address"), ("Places of work", "Darba vietas", "Arbeitsorte",
              "Lieux de travail", "Miejsca pracy")),
    ClaimInfo(("work_information", "work_address", None), ("Place of work", "Darba vieta", "Arbeitsort",
              "Lieu de travail", "Miejsce pracy")),
    ClaimInfo(("work_information", "work_address", None, "company_name"), ("Company or ship", "Uzņēmums vai kuģis",
              "Unternehmen oder Schiff", "Entreprise ou navire", "Przedsiębiorstwo lub statek")),
    ClaimInfo(("work_information", "work_address", None, "company_id"), ("Company or ship id (IMO)",
              "Uzņēmuma vai kuģa kods (IMO)", "Kennung des Unternehmens oder Schiffs (IMO)",
              "Identifiant de l'entreprise ou du navire (IMO)", "Identyfikator przedsiębiorstwa lub statku (IMO)")),
    ClaimInfo(("work_information", "work_address", None, "flag_base_home"), _FLAG_BASE_LABEL),
    ClaimInfo(("work_information", "work_address", None, "locality"), _LOCALITY),
    ClaimInfo(("work_information", "work_address", None, "country"), _STATE),
    ClaimInfo(("issuing_authority",), ("Issued by", "Izdevējs", "Ausgestellt von", "Délivré par", "Wydane przez"),
              True, "never"),
    ClaimInfo(("issuing_country",), ("Issuing country", "Izdevējvalsts", "Ausstellungsstaat", "Pays de délivrance",
              "Państwo wydania"), True, "never"),
    ClaimInfo(("authentic_source",), ("Competent institution", "Kompetentā iestāde", "Zuständiger Träger",
              "Institution compétente", "Instytucja właściwa"), True, "never"),
    ClaimInfo(("date_of_issuance",), ("Date of issue", "Izdošanas datums", "Ausstellungsdatum", "Date de délivrance",
              "Data wydania"), True, "never"),
    ClaimInfo(("date_of_expiry",), ("Expiry date", "Derīguma termiņš", "Ablaufdatum", "Date d'expiration",
              "Data ważności")),
)


def label(claim: str, lang: str) -> str:
    """A top-level claim's label in ``lang`` (English fallback), as the type metadata gives it.
    KeyError for a claim the A1 does not have."""
    for info in _CLAIMS:
        if info.path == (claim,):
            return info.labels[_LANG.get(lang, 0)]
    raise KeyError(claim)


def type_metadata_document() -> dict[str, Any]:
    return type_metadata.build(
        vct=VCT,
        names=("Portable Document A1", "Portatīvais dokuments A1", "Portables Dokument A1", "Document portable A1",
               "Zaświadczenie A1"),
        descriptions=("Which country's social security legislation applies to the holder",
                      "Kuras valsts sociālās drošības tiesību akti piemērojami turētājam",
                      "Welche Rechtsvorschriften der sozialen Sicherheit für den Inhaber gelten",
                      "Législation de sécurité sociale applicable au titulaire",
                      "Ustawodawstwo w zakresie zabezpieczenia społecznego właściwe dla posiadacza"),
        claims=_CLAIMS,
        background_color="#12107c",
    )
