"""Portable Document A1 (PDA1) as an SD-JWT VC, DC4EU rulebook (flat v1 shape; v1.1 accepted).

Regulation (EC) 883/2004 Title II and 987/2009 Art. 15, 16, 19: which single state's social
security legislation applies to a worker for a period. Section mapping (shared/domain.md):
1 holder → ``personal_administrative_number``; 2 → ``legislation_country``, ``starting_date``,
``ending_date``, ``transitional_rules``; 3 → ``status_confirmation`` (codes 01-12); 4 →
``employer`` (v1.1: ``employer[]`` with ``type``); 5 → ``work_address`` (v1.1:
``work_information``); 6 → the common block.

Project rules: the v1 shape is issued; an end date is required; multi-state A1s (codes 02, 04,
08, 09) cover at most 12 months at a time, postings (01, 03) at most 24 months (Art. 12).
``house_number`` is emitted; ``building_number`` is accepted and renamed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials import claims as c
from credentials import countries, eudi_pda1, type_metadata
from credentials.countries import name as country_name
from credentials.i18n import format_date
from credentials.type_metadata import ClaimInfo

__all__ = [
    "ALIASES",
    "CONFIGURATION_ID",
    "SD_PATHS",
    "STATUS_CODES",
    "VCT",
    "describe",
    "employers",
    "type_metadata_document",
    "validate",
    "work_places",
]

VCT = "urn:eudi:pda1:1"
#: The EUDI reference model's type, read through :mod:`credentials.eudi_pda1`.
ALIASES = (eudi_pda1.VCT,)
CONFIGURATION_ID = "pda1"

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
           "in zwei oder mehr Staaten selbstständig", "non salarié dans deux États ou plus",
           "samozatrudniony w dwóch lub więcej państwach"),
    "05": ("civil servant", "valsts ierēdnis", "Beamte/r", "fonctionnaire", "urzędnik służby cywilnej"),
    "06": ("contract staff", "līgumdarbinieks", "Vertragsbedienstete/r", "agent contractuel", "personel kontraktowy"),
    "07": ("mariner", "jūrnieks", "Seeleute", "marin", "marynarz"),
    "08": ("employed and self-employed in different states", "nodarbināts un pašnodarbināts dažādās valstīs",
           "in verschiedenen Staaten beschäftigt und selbstständig", "salarié et non salarié dans des États différents",
           "pracownik i samozatrudniony w różnych państwach"),
    "09": ("civil servant and employed/self-employed", "ierēdnis un nodarbināts/pašnodarbināts",
           "Beamte/r und beschäftigt/selbstständig", "fonctionnaire et salarié/non salarié",
           "urzędnik i pracownik/samozatrudniony"),
    "10": ("flight or cabin crew member", "lidojuma vai salona apkalpes loceklis", "Flug- oder Kabinenbesatzung",
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
})

_MULTI_STATE = {"02", "04", "08", "09"}
_POSTING = {"01", "03"}

SD_PATHS: tuple[tuple[str | int | None, ...], ...] = (
    ("personal_administrative_number",),
    ("document_number",),
    ("transitional_rules",),
    ("employer",),
    ("work_address",),
    ("work_information",),
)

_OWN = ("legislation_country", "status_confirmation", "transitional_rules", "employer", "work_address",
        "work_information")
_ADDRESS = ("formatted", "street_address", "house_number", "building_number", "postal_code", "locality", "region",
            "country", "company_name", "company_id", "flag_base_home")


def _employer(value: Any, field: str, *, v11: bool) -> dict[str, Any]:
    o = c.obj(value, field)
    c.no_unknown(o, ("type", "id", "name", "country"), field + ".")
    out: dict[str, Any] = {}
    if v11:
        kind = c.required(o, "type", field + ".")
        if kind not in ("01", "02"):
            raise c.invalid(field + ".type", "pda1.employer_type")
        out["type"] = kind
    out["id"] = c.text(c.required(o, "id", field + "."), field + ".id", 1, 20)
    out["name"] = c.text(c.required(o, "name", field + "."), field + ".name", 1, 100)
    out["country"] = c.country(c.required(o, "country", field + "."), field + ".country")
    return out


def _address(value: Any, field: str) -> dict[str, Any]:
    o = c.obj(value, field)
    c.no_unknown(o, _ADDRESS, field + ".")
    out: dict[str, Any] = {}
    for key, val in o.items():
        if val in (None, ""):
            continue
        if key == "flag_base_home":
            # Section 5 of the A1: a mariner's flag state or a crew member's home base (the EUDI
            # model's flag_base_home_state), as a state or place; a yes/no marker as first written.
            if isinstance(val, bool):
                out[key] = val
            else:
                out[key] = c.text(val, f"{field}.{key}", 1, 100)
        elif key == "country":
            out[key] = c.country(val, field + ".country")
        else:
            out["house_number" if key == "building_number" else key] = c.text(val, f"{field}.{key}", 1, 150,
                                                                              lines=key == "formatted")
    c.required(out, "locality", field + ".")
    c.required(out, "country", field + ".")
    return out


def validate(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a PDA1's claims, v1 or v1.1 shape, and return them normalised (same shape)."""
    c.obj(claims, "claims")
    c.no_unknown(claims, (*c.COMMON_REQUIRED, *c.COMMON_OPTIONAL, *_OWN))
    out = c.common_block(claims)
    out["legislation_country"] = c.country(c.required(claims, "legislation_country"), "legislation_country")
    code = c.required(claims, "status_confirmation")
    if not isinstance(code, str) or code not in STATUS_CODES:
        raise c.invalid("status_confirmation", "pda1.status_code")
    out["status_confirmation"] = code
    if "transitional_rules" in claims and claims["transitional_rules"] is not None:
        if not isinstance(claims["transitional_rules"], bool):
            raise c.invalid("transitional_rules", "boolean")
        out["transitional_rules"] = claims["transitional_rules"]
    start = c.required(out, "starting_date")
    end = c.required(out, "ending_date")
    if code in _MULTI_STATE and not c.within_months(start, end, 12):
        raise c.invalid("ending_date", "pda1.multi_state_months")
    if code in _POSTING and not c.within_months(start, end, 24):
        raise c.invalid("ending_date", "pda1.posting_months")
    employer = c.required(claims, "employer")
    if isinstance(employer, list):
        if not employer:
            raise c.invalid("employer", "pda1.no_employer")
        out["employer"] = [_employer(e, f"employer.{i}", v11=True) for i, e in enumerate(employer)]
    else:
        out["employer"] = _employer(employer, "employer", v11=False)
    if "work_address" in claims and "work_information" in claims:
        raise c.invalid("work_information", "pda1.work_either")
    if c.optional(claims, "work_address"):
        out["work_address"] = _address(claims["work_address"], "work_address")
    elif c.optional(claims, "work_information"):
        info = c.obj(claims["work_information"], "work_information")
        c.no_unknown(info, ("no_fixed_place_of_work", "work_address"), "work_information.")
        if c.optional(info, "no_fixed_place_of_work"):
            out["work_information"] = {"no_fixed_place_of_work": c.country(
                info["no_fixed_place_of_work"], "work_information.no_fixed_place_of_work")}
        else:
            places = c.required(info, "work_address", "work_information.")
            if not isinstance(places, list) or not places:
                raise c.invalid("work_information.work_address", "pda1.no_place_of_work")
            out["work_information"] = {"work_address": [
                _address(p, f"work_information.work_address.{i}") for i, p in enumerate(places)]}
    _check_situation(out, code)
    return out


def _check_situation(out: Mapping[str, Any], code: str) -> None:
    """What the status code says of the work must hold of the employers and places it names:
    a posting (01, 03; Art. 12 of 883/2004) is to another state, and the v1.1 ``employer[].type``
    matches employment (01, 02) or self-employment (03, 04)."""
    home = countries.normalise(str(out["legislation_country"]))
    places = [p for p in work_places(out) if "country" in p]
    if code in _POSTING and places and all(countries.normalise(str(p["country"])) == home for p in places):
        field = "work_address" if "work_address" in out else "work_information"
        raise c.invalid(f"{field}.country", "pda1.posting_abroad", country=str(out["legislation_country"]))
    wanted = {"01": "01", "02": "01", "03": "02", "04": "02"}.get(code)
    listed = out["employer"] if isinstance(out["employer"], list) else []
    if wanted and listed and not any(e.get("type") == wanted for e in listed):
        raise c.invalid("employer", "pda1.employment_entry" if wanted == "01" else "pda1.self_employment_entry",
                        code=code)


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
    """The places of work, whichever shape; ``[{"no_fixed_place_of_work": "DE"}]`` when none is
    fixed; a part of neither shape is left out. DataError unless ``claims`` is a map."""
    if isinstance(c.obj(claims, "claims").get("work_address"), dict):
        return [claims["work_address"]]
    info = claims.get("work_information")
    if isinstance(info, dict):
        if "no_fixed_place_of_work" in info:
            return [{"no_fixed_place_of_work": info["no_fixed_place_of_work"]}]
        places = info.get("work_address")
        return [p for p in places if isinstance(p, dict)] if isinstance(places, list) else []
    return []


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
_EMPLOYER = {"en": ", employer {name}", "lv": ", darba devējs {name}", "de": ", Arbeitgeber {name}",
             "fr": ", employeur {name}", "pl": ", pracodawca {name}"}


def describe(claims: Mapping[str, Any], lang: str) -> str:
    """One plain-words sentence for the worker or inspector, in ``lang`` (English fallback).

    A date that is no YYYY-MM-DD date, or an employer's name that is no text, is DataError naming
    the field (a foreign A1 may hold anything there), which its callers show the type's title for."""
    names = []
    for field, entry in _employer_fields(claims):
        name = entry.get("name")
        if name not in (None, "") and not isinstance(name, str):
            raise c.invalid(f"{field}.name", "text.type")
        if name:
            names.append(name)
    lang = lang if lang in _SENTENCE else "en"
    employer = _EMPLOYER[lang].format(name=", ".join(names)) if names else ""
    country = country_name(str(claims.get("legislation_country", "")), lang)

    def day(field: str) -> str:
        return format_date(c.iso_date(claims[field], field), lang) if c.optional(claims, field) else "?"

    return _SENTENCE[lang].format(country=country, start=day("starting_date"), end=day("ending_date"),
                                  employer=employer)


_CLAIMS = (
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
    ClaimInfo(("employer",), ("Employer", "Darba devējs", "Arbeitgeber", "Employeur", "Pracodawca"), True, "always"),
    ClaimInfo(("employer", "name"), ("Employer name", "Darba devēja nosaukums", "Name des Arbeitgebers",
              "Nom de l'employeur", "Nazwa pracodawcy")),
    ClaimInfo(("work_address",), ("Place of work", "Darba vieta", "Arbeitsort", "Lieu de travail", "Miejsce pracy"),
              False, "always"),
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
