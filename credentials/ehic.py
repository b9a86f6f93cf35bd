"""European Health Insurance Card (EHIC) as an SD-JWT VC, Administrative Commission Decision S2.

Card fields → claims (shared/domain.md): 2 → ``issuing_country``; 3-5 (surname, given names,
birth date) → ``family_name``, ``given_name``, ``birth_date`` (:func:`with_holder`), or
``subject{forenames, familynames, date_of_birth}`` for a represented person; 6 →
``personal_administrative_number``; 7 → ``authentic_source``; 8 → ``document_number``; 9 →
``date_of_expiry`` (required on a card). A Provisional Replacement Certificate is an EHIC with its
own ``starting_date`` / ``ending_date``.

Fields 3-5 of the holder's own card. domain.md's mapping left them to the PID, but a card is shown
without one (a UK or Swiss resident, a state whose PID provider is not live), and the claim to the
competent institution (E125, SED S080) needs them as the card prints them; beside a PID they tell
a card of another person (:mod:`credentials.holder_link`). They are signed as the card's own
claims, with the PID Rulebook's names (ARF Annex 3.01 §2.2 ``family_name``, ``given_name``,
``birth_date``, the mdoc element names and standards.md §10.1's EHIC SD-JWT VC example), not in
DC4EU's ``subject{forenames, familynames, date_of_birth}``: here ``subject`` means a represented
person (a child), always disclosed and never compared with the PID (the holder link's
REPRESENTED), and a verifier reading the holder's own card as a represented person's would both
skip the comparison and tell the desk the card is someone else's.

They are not selectively disclosable (``sd: never``), unlike a PID's names: the card prints them
(Decision S2), every desk needs them (the claim is billed under them), and above all the holder
link must not be skippable. A verifier cannot tell a claim withheld from one the card never had
(SD-JWT VC §3.2.2.2: an undisclosed claim leaves only a digest), so a card whose names could be
left out would be "presented by the same wallet" beside anybody's PID (pentest R5, finding 1).
Plain claims come with every presentation, asked for or not: the EHIC check does not ask for them
(verifier/service.py), so an inspectorate registered before them is not refused by wallets. An
SD-JWT VC EHIC signed before :data:`HOLDER_SIGNED_FROM` without them is linked as before; one signed
from it without them beside a PID leaves the link undetermined, as another issuer may have made them
selectively disclosable (:mod:`credentials.holder_link`).

The mdoc form cannot do the same: every data element of an ISO mdoc is returned only when asked
and released (ISO/IEC 18013-5 §8.3.2.1.2.2), and the MSO's digests do not say which elements a
document has. An mdoc EHIC of the holder's own signed from :data:`HOLDER_SIGNED_FROM` that comes
without its names beside a PID leaves the holder link undetermined
(:func:`credentials.holder_link.link`, ``withholdable``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from credentials import claims as c
from credentials import type_metadata
from credentials.countries import name as country_name
from credentials.i18n import format_date
from credentials.type_metadata import ClaimInfo

__all__ = ["ALIASES", "CONFIGURATION_ID", "HOLDER_CLAIMS", "HOLDER_SIGNED_FROM", "SD_PATHS", "VCT", "describe",
           "holder_of", "is_prc", "label", "title", "type_metadata_document", "validate", "with_holder"]

VCT = "urn:eudi:ehic:1"
ALIASES = ("urn:eu.europa.ec.eudi:ehic:1",)
CONFIGURATION_ID = "ehic"

#: ``subject`` is not among them: a card for a represented person (a child) always names that
#: person, so that whoever checks it never takes it for the holder's own insurance. Nor are the
#: holder's own fields 3-5 (:data:`HOLDER_CLAIMS`), for the same reason: the card always names
#: whose it is (module docstring).
SD_PATHS: tuple[tuple[str | int | None, ...], ...] = (
    ("personal_administrative_number",),
    ("document_number",),
)

#: Decision S2 card fields 3, 4, 5 of the holder's own card -> the case holder's fields they are
#: made from (issuer.service ``_holder``: a PID's SD-JWT VC names, ``birthdate``).
HOLDER_CLAIMS = {"family_name": "family_name", "given_name": "given_name", "birth_date": "birthdate"}
#: The cutover: the day (UTC) of the release from which the institutions' issuers sign fields 3-5
#: into every card of the holder's own (:func:`with_holder`), whenever they sign it. A card signed
#: before it cannot have them; one signed from it that does not show them beside a PID had them
#: withheld, as far as a verifier can tell (:func:`credentials.holder_link.link`). Judged by the
#: issuer's signing time (an mdoc's MSO ``validityInfo.signed``, an SD-JWT VC's ``iat``), which the
#: institution signs and no holder can change; never by the card's ``date_of_issuance``, which a
#: clerk types (a case recorded before the release and signed again, a replacement keeping the old
#: card's date: security review R9, finding 1).
HOLDER_SIGNED_FROM = date(2026, 11, 30)


def with_holder(claims: Mapping[str, Any], holder: Mapping[str, Any] | None) -> dict[str, Any]:
    """The card's claims as signed: ``claims`` with fields 3-5 of the holder the institution recorded
    (``holder``: ``family_name``, ``given_name``, ``birthdate``), written as the card prints them.
    Unchanged for a card of a represented person (its ``subject`` is fields 3-5: the case's holder is
    the one who represents them, not the insured person) or a case naming no holder (all three are
    needed: a card prints them all)."""
    out = dict(claims)
    if out.get("subject") or not holder:
        return out
    values = {claim: holder.get(field) for claim, field in HOLDER_CLAIMS.items()}
    if all(isinstance(x, str) and x.strip() for x in values.values()):
        out.update(values)
    return out


def holder_of(claims: Mapping[str, Any]) -> dict[str, str]:
    """The card's fields 3-5 as shown (any of them; none on a card issued before they were signed into
    it, or, in its mdoc form, withheld by the holder), under the PID's SD-JWT VC names (``birthdate``): what the holder
    link compares with the PID and an offline form's holder fields are."""
    return {field: claims[claim] for claim, field in HOLDER_CLAIMS.items() if isinstance(claims.get(claim), str)}


c.register_rules({
    "ehic.prc_dates": ("a provisional replacement certificate needs both starting and ending dates",
                       "EVAK aizvietojošajam sertifikātam vajag gan sākuma, gan beigu datumu",
                       "eine provisorische Ersatzbescheinigung braucht ein Anfangs- und ein Enddatum",
                       "un certificat provisoire de remplacement exige une date de début et une date de fin",
                       "certyfikat tymczasowo zastępujący kartę wymaga daty początkowej i końcowej"),
})


def validate(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Validate an EHIC's claims, as a case records them, and return them normalised. Fields 3-5 of
    the holder's own card are the case's holder, not claims (:func:`with_holder` signs them in)."""
    c.obj(claims, "claims")
    c.no_unknown(claims, (*c.COMMON_REQUIRED, *c.COMMON_OPTIONAL, "subject"))
    out = c.common_block(claims)
    prc = "starting_date" in out or "ending_date" in out
    if prc and not ("starting_date" in out and "ending_date" in out):
        raise c.invalid("ending_date", "ehic.prc_dates")
    if not prc:
        c.required(out, "date_of_expiry")
    elif "date_of_expiry" in out and out["date_of_expiry"] > out["ending_date"]:
        # A PRC is valid for its period (Decision S2, Annex 2): an expiry beyond it would let a wallet that
        # withholds both period dates (an mdoc's elements all can be) show it as a card valid until then.
        raise c.invalid("date_of_expiry", "date.not_after", other_field="ending_date")
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
    # Decision S2 fields 3-5 first, as the card prints them (surname, given names, date of birth);
    # never selectively disclosable (module docstring), but not mandatory: older cards lack them.
    ClaimInfo(("family_name",), ("Surname", "Uzvārds", "Name", "Nom", "Nazwisko"), False, "never"),
    ClaimInfo(("given_name",), ("Given names", "Vārdi", "Vornamen", "Prénoms", "Imiona"), False, "never"),
    ClaimInfo(("birth_date",), ("Date of birth", "Dzimšanas datums", "Geburtsdatum", "Date de naissance",
              "Data urodzenia"), False, "never"),
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
