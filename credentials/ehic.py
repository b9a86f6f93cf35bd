"""European Health Insurance Card (EHIC) as an SD-JWT VC, Administrative Commission Decision S2.

Card fields → claims (shared/domain.md): 2 → ``issuing_country``; 3-5 (name, birth date) come
from the PID, or ``subject{forenames, familynames, date_of_birth}`` for a represented person;
6 → ``personal_administrative_number``; 7 → ``authentic_source``; 8 → ``document_number``;
9 → ``date_of_expiry`` (required on a card). A Provisional Replacement Certificate is an EHIC
with its own ``starting_date`` / ``ending_date``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials import claims as c
from credentials import type_metadata
from credentials.countries import name as country_name
from credentials.i18n import format_date
from credentials.type_metadata import ClaimInfo

__all__ = ["ALIASES", "CONFIGURATION_ID", "SD_PATHS", "VCT", "describe", "is_prc", "label", "title",
           "type_metadata_document", "validate"]

VCT = "urn:eudi:ehic:1"
ALIASES = ("urn:eu.europa.ec.eudi:ehic:1",)
CONFIGURATION_ID = "ehic"

#: ``subject`` is not among them: a card for a represented person (a child) always names that
#: person, so that whoever checks it never takes it for the holder's own insurance.
SD_PATHS: tuple[tuple[str | int | None, ...], ...] = (
    ("personal_administrative_number",),
    ("document_number",),
)


c.register_rules({
    "ehic.prc_dates": ("a provisional replacement certificate needs both starting and ending dates",
                       "EVAK aizvietojošajam sertifikātam vajag gan sākuma, gan beigu datumu",
                       "eine provisorische Ersatzbescheinigung braucht ein Anfangs- und ein Enddatum",
                       "un certificat provisoire de remplacement exige une date de début et une date de fin",
                       "certyfikat tymczasowo zastępujący kartę wymaga daty początkowej i końcowej"),
})


def validate(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Validate an EHIC's claims and return them normalised."""
    c.obj(claims, "claims")
    c.no_unknown(claims, (*c.COMMON_REQUIRED, *c.COMMON_OPTIONAL, "subject"))
    out = c.common_block(claims)
    prc = "starting_date" in out or "ending_date" in out
    if prc and not ("starting_date" in out and "ending_date" in out):
        raise c.invalid("ending_date", "ehic.prc_dates")
    if not prc:
        c.required(out, "date_of_expiry")
    if c.optional(claims, "subject"):
        subject = c.obj(claims["subject"], "subject")
        c.no_unknown(subject, ("forenames", "familynames", "date_of_birth"), "subject.")
        out["subject"] = {
            "forenames": c.text(c.required(subject, "forenames", "subject."), "subject.forenames", 1, 100),
            "familynames": c.text(c.required(subject, "familynames", "subject."), "subject.familynames", 1, 100),
            "date_of_birth": c.iso_date(c.required(subject, "date_of_birth", "subject."), "subject.date_of_birth"),
        }
        # Born on or before the day the card was issued (which is never in the future): a birth date
        # after it (2031) is a typing mistake no inspection could ever take for the person's.
        if out["subject"]["date_of_birth"] > out["date_of_issuance"]:
            raise c.invalid("subject.date_of_birth", "date.not_after", other_field="date_of_issuance")
    return out


_SENTENCE = {
    "en": "You are covered by the health insurance of this state: {country} ({institution}); card {number}, "
          "valid until {end}.",
    # A Latvian date ends with its own full stop ("01.11.2029."): the sentence adds none.
    "lv": "Jums ir veselības apdrošināšana valstī {country} ({institution}); karte {number}, derīga līdz {end}",
    "de": "Sie sind krankenversichert in diesem Staat: {country} ({institution}); Karte {number}, gültig bis {end}.",
    "fr": "Vous êtes couvert par l'assurance maladie : {country} ({institution}) ; carte {number}, valable "
          "jusqu'au {end}.",
    "pl": "Masz ubezpieczenie zdrowotne w państwie {country} ({institution}); karta {number}, ważna do {end}.",
}


#: A Provisional Replacement Certificate (Decision S2): a document of its own, not a card, valid for
#: its own period from-to. Latvian: "EVAK aizvietojošais sertifikāts", the term of the Latvian
#: competent institution (NVD, vmnvd.gov.lv "EVAK aizvietojošais sertifikāts").
_PRC_SENTENCE = {
    "en": "You are covered by the health insurance of this state: {country} ({institution}); provisional replacement "
          "certificate {number}, valid from {start} to {end}.",
    "lv": "Jums ir veselības apdrošināšana valstī {country} ({institution}); EVAK aizvietojošais sertifikāts "
          "{number}, derīgs no {start} līdz {end}",
    "de": "Sie sind krankenversichert in diesem Staat: {country} ({institution}); provisorische Ersatzbescheinigung "
          "{number}, gültig vom {start} bis {end}.",
    "fr": "Vous êtes couvert par l'assurance maladie : {country} ({institution}) ; certificat provisoire de "
          "remplacement {number}, valable du {start} au {end}.",
    "pl": "Masz ubezpieczenie zdrowotne w państwie {country} ({institution}); certyfikat tymczasowo zastępujący "
          "kartę {number}, ważny od {start} do {end}.",
}
_PRC_TITLE = {
    "en": "Provisional Replacement Certificate of the European Health Insurance Card",
    "lv": "Eiropas veselības apdrošināšanas kartes (EVAK) aizvietojošais sertifikāts",
    "de": "Provisorische Ersatzbescheinigung für die Europäische Krankenversicherungskarte",
    "fr": "Certificat provisoire de remplacement de la carte européenne d'assurance maladie",
    "pl": "Certyfikat tymczasowo zastępujący Europejską Kartę Ubezpieczenia Zdrowotnego",
}


def is_prc(claims: Mapping[str, Any]) -> bool:
    """Is this EHIC a Provisional Replacement Certificate (a period of its own, domain.md "EHIC")?"""
    return c.optional(claims, "starting_date") or c.optional(claims, "ending_date")


def title(claims: Mapping[str, Any], lang: str) -> str:
    """The document's name in ``lang`` (English fallback): the card's, or the certificate's for a PRC."""
    if is_prc(claims):
        return _PRC_TITLE.get(lang, _PRC_TITLE["en"])
    names = type_metadata_document()
    return next((d["name"] for d in names["display"] if d["locale"] == lang), str(names["name"]))


def describe(claims: Mapping[str, Any], lang: str) -> str:
    """One plain-words sentence for the holder or inspector, in ``lang`` (English fallback): a card
    with its expiry, a Provisional Replacement Certificate with its own period from-to. A date that
    is no YYYY-MM-DD date is DataError naming the field."""
    c.obj(claims, "claims")
    lang = lang if lang in _SENTENCE else "en"

    def day(field: str) -> str:
        return format_date(c.iso_date(claims[field], field), lang) if c.optional(claims, field) else "?"

    source = claims.get("authentic_source")
    words = {"country": country_name(str(claims.get("issuing_country", "")), lang),
             "institution": source.get("name", "") if isinstance(source, dict) else "",
             "number": claims.get("document_number", "…")}
    if is_prc(claims):
        return _PRC_SENTENCE[lang].format(**words, start=day("starting_date"), end=day("ending_date"))
    return _SENTENCE[lang].format(**words, end=day("date_of_expiry"))


_CLAIMS = (
    ClaimInfo(("personal_administrative_number",), ("Personal identification number", "Personas kods",
              "Persönliche Kennnummer", "Numéro d'identification personnel", "Osobisty numer identyfikacyjny"),
              True, "always"),
    ClaimInfo(("document_number",), ("Card identification number", "Kartes numurs", "Kennnummer der Karte",
              "Numéro d'identification de la carte", "Numer identyfikacyjny karty"), True, "always"),
    ClaimInfo(("issuing_country",), ("Issuing state", "Izdevējvalsts", "Ausstellungsstaat", "État émetteur",
              "Państwo wydające"), True, "never"),
    ClaimInfo(("authentic_source",), ("Institution", "Iestāde", "Träger", "Institution", "Instytucja"), True, "never"),
    ClaimInfo(("issuing_authority",), ("Issued by", "Izdevējs", "Ausgestellt von", "Délivré par", "Wydane przez"),
              True, "never"),
    ClaimInfo(("date_of_issuance",), ("Date of issue", "Izdošanas datums", "Ausstellungsdatum", "Date de délivrance",
              "Data wydania"), True, "never"),
    ClaimInfo(("date_of_expiry",), ("Expiry date", "Derīguma termiņš", "Ablaufdatum", "Date d'expiration",
              "Data ważności"), False, "never"),
    ClaimInfo(("starting_date",), ("Valid from", "Derīga no", "Gültig ab", "Valable à partir du", "Ważna od")),
    ClaimInfo(("ending_date",), ("Valid until", "Derīga līdz", "Gültig bis", "Valable jusqu'au", "Ważna do")),
    ClaimInfo(("subject",), ("Insured person", "Apdrošinātā persona", "Versicherte Person", "Personne assurée",
              "Osoba ubezpieczona"), False, "never"),
)


def label(claim: str, lang: str) -> str:
    """A top-level claim's label in ``lang`` (English fallback), as the type metadata gives it: the
    words the verifier's pages show beside a card's value ("Personal identification number").
    KeyError for a claim the card does not have."""
    from credentials.i18n import LANGUAGES

    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0
    for info in _CLAIMS:
        if info.path == (claim,):
            return info.labels[index]
    raise KeyError(claim)


def type_metadata_document() -> dict[str, Any]:
    return type_metadata.build(
        vct=VCT,
        names=("European Health Insurance Card", "Eiropas veselības apdrošināšanas karte",
               "Europäische Krankenversicherungskarte", "Carte européenne d'assurance maladie",
               "Europejska Karta Ubezpieczenia Zdrowotnego"),
        descriptions=("Proof of health insurance in an EU/EEA state, Switzerland or the UK",
                      "Veselības apdrošināšanas apliecinājums ES/EEZ valstī, Šveicē vai Apvienotajā Karalistē",
                      "Nachweis der Krankenversicherung in einem EU/EWR-Staat, der Schweiz oder dem Vereinigten "
                      "Königreich",
                      "Preuve d'assurance maladie dans un État de l'UE/EEE, en Suisse ou au Royaume-Uni",
                      "Potwierdzenie ubezpieczenia zdrowotnego w państwie UE/EOG, Szwajcarii lub Wielkiej Brytanii"),
        claims=_CLAIMS,
        background_color="#003399",
    )
