"""European Health Insurance Card (EHIC) as an SD-JWT VC, Administrative Commission Decision S2.

Card fields → claims (shared/domain.md): 2 → ``issuing_country``; 3-5 (surname, given names,
birth date) → ``family_name``, ``given_name``, ``birth_date`` (:func:`with_holder`), or
``subject{forenames, familynames, date_of_birth}`` for a represented person; 6 →
``personal_administrative_number``; 7 → ``authentic_source``; 8 → ``document_number``; 9 →
``date_of_expiry`` (required on a card). A Provisional Replacement Certificate is an EHIC with its
own ``starting_date`` / ``ending_date``.

A PRC repeats the card's fields 3 to 9 and adds its own validity period, (a) from (b) to, and (c) its
date of delivery (Decision S2, Annex 2, the model certificate): the hospital's claim (SED S080, E125)
quotes both. Fields 8 and 9 of the card it replaces are claims of their own, ``card_number`` and
``card_expiry`` (:data:`PRC_CARD_CLAIMS`, an ESSPASS extension beyond DC4EU's EHIC: its model has no
PRC of its own), optional (a person may have no card yet) and only on a PRC. Not in
``document_number`` and ``date_of_expiry``: a PRC's expiry may not pass its period (a wallet that
withholds both period dates, as an mdoc's elements all can be, would show a card valid until then),
and its ``document_number`` is its own, given once by the institution as every document's is (its
status entry, its case, a verifier's proof name it), where the card's number belongs to the card's
case. Its (c) is ``date_of_issuance`` (:func:`prc_label`). Signed in the clear (``sd: never``), as
the card's expiry is: the desk bills under them.

A card withdrawn, or replaced, fails every check, for any date of care, even one before the
withdrawal: a Token Status List says what a document's status is now, never since when, so a relying
party cannot date a withdrawal, and a check for a past day of care fails closed (the verifier tells the
desk the way out). The insurance having ended on a past day, the institution withdraws the card and
certifies the days the person was insured, and care given on them, with a PRC for those dates (Decision
S1; a PRC whose period has ended is still issued and offered, as the proof of that period); a card is
ended early by a replacement with a later day as its expiry only.

UK cards (a GHIC, or a UK EHIC) abroad (:func:`uk_card_condition`): in the EU the Trade and
Cooperation Agreement's Protocol on Social Security Coordination has them accepted as any EHIC; in
Switzerland and in Norway, Iceland and Liechtenstein, the UK's own conventions with those states,
dated, which a desk there is told of beside the verdict; and the same conventions for those states'
cards at a desk in the UK.

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
from credentials import holder_names, type_metadata
from credentials.countries import name as country_name
from credentials.errors import DataError
from credentials.i18n import format_date
from credentials.type_metadata import ClaimInfo

__all__ = ["ALIASES", "BEFORE_UK_AGREEMENT", "CH_IN_UK", "CONFIGURATION_ID", "HOLDER_CLAIMS", "HOLDER_SIGNED_FROM",
           "PRC_CARD_CLAIMS", "SD_PATHS", "UK_BEFORE_AGREEMENT", "UK_IN_CH", "VALID_MAX_YEARS", "VCT", "describe",
           "holder_of", "is_prc", "label", "prc_label", "problems", "title", "type_metadata_document",
           "uk_card_condition", "validate", "with_holder"]

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
#: made from (:mod:`credentials.holder_names`).
HOLDER_CLAIMS = holder_names.CLAIMS
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
    (``holder``: ``family_name``, ``given_name``, ``birthdate``; :func:`credentials.holder_names.signed`).
    Unchanged for a card of a represented person (its ``subject`` is fields 3-5: the case's holder is
    the one who represents them, not the insured person) or a case naming no holder (all three are
    needed: a card prints them all)."""
    if claims.get("subject"):
        return dict(claims)
    return holder_names.signed(claims, holder)


def holder_of(claims: Mapping[str, Any]) -> dict[str, str]:
    """The card's fields 3-5 as shown (:func:`credentials.holder_names.shown`): none on a card issued
    before they were signed into it, or, in its mdoc form, withheld by the holder."""
    return holder_names.shown(claims)


c.register_rules({
    "ehic.prc_dates": ("a provisional replacement certificate needs both starting and ending dates",
                       "EVAK aizvietojošajam sertifikātam vajag gan sākuma, gan beigu datumu",
                       "eine provisorische Ersatzbescheinigung braucht ein Anfangs- und ein Enddatum",
                       "un certificat provisoire de remplacement exige une date de début et une date de fin",
                       "certyfikat tymczasowo zastępujący kartę wymaga daty początkowej i końcowej"),
    "ehic.prc_only": ("only a provisional replacement certificate names the card it replaces (a card is itself "
                      "fields 8 and 9)",
                      "aizvietoto karti norāda tikai EVAK aizvietojošais sertifikāts (karte pati ir 8. un 9. lauks)",
                      "nur eine provisorische Ersatzbescheinigung nennt die Karte, die sie ersetzt (eine Karte ist "
                      "selbst die Felder 8 und 9)",
                      "seul un certificat provisoire de remplacement indique la carte qu'il remplace (une carte est "
                      "elle-même les champs 8 et 9)",
                      "tylko certyfikat tymczasowo zastępujący kartę wskazuje zastępowaną kartę (karta sama jest "
                      "polami 8 i 9)"),
})

#: The longest an EHIC is valid [project]: its expiry at most this many years after its date of issue,
#: the anniversary included. Decision S2 leaves a card's validity to the institution (most issue cards
#: for one to five years); a longer one is a typing mistake (2199 for 2029) that no desk could tell
#: from a real expiry. The verifier takes care dates this far back (verifier.service CARE_DATE_MAX_YEARS).
VALID_MAX_YEARS = 5

#: Decision S2 fields 8 (identification number) and 9 (expiry date) of the card a PRC replaces
#: (module docstring): a PRC's own claims, never a card's.
PRC_CARD_CLAIMS = ("card_number", "card_expiry")


def validate(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Validate an EHIC's claims, as a case records them, and return them normalised. Fields 3-5 of
    the holder's own card are the case's holder, not claims (:func:`with_holder` signs them in).
    DataError for the first rule broken, carrying the others (:func:`problems`)."""
    return c.Problems.validated(_read, claims)


def problems(claims: Mapping[str, Any]) -> list[DataError]:
    """Every rule of :func:`validate` the claims break, found in one pass, in the order they are
    checked ([] for claims it accepts): what a clerk's form or import row says at once. A rule
    comparing two fields is skipped while either is broken."""
    return c.Problems.of(_read, claims)


def _read(claims: Mapping[str, Any], found: c.Problems) -> dict[str, Any]:
    """The claims normalised, each problem recorded in ``found`` (the fields read are returned)."""
    if not found.an_object(claims):
        return {}
    c.no_unknown(claims, (*c.COMMON_REQUIRED, *c.COMMON_OPTIONAL, "subject", *PRC_CARD_CLAIMS), problems=found)
    out = c.common_block(claims, found)
    # Which dates are given, not which were read: a PRC's date typed wrong is still a PRC's.
    prc = is_prc(claims)
    with found.rule():
        if prc and not (c.optional(claims, "starting_date") and c.optional(claims, "ending_date")):
            raise c.invalid("ending_date", "ehic.prc_dates")
    with found.rule():
        if not prc:
            c.required(claims, "date_of_expiry")
        elif "date_of_expiry" in out and "ending_date" in out and out["date_of_expiry"] > out["ending_date"]:
            # A PRC is valid for its period (Decision S2, Annex 2): an expiry beyond it would let a wallet
            # that withholds both period dates (an mdoc's elements all can be) show it as a card valid until
            # then.
            raise c.invalid("date_of_expiry", "date.not_after", other_field="ending_date")
    with found.rule():
        if ("date_of_expiry" in out and "date_of_issuance" in out
                and out["date_of_expiry"] > c.years_after(out["date_of_issuance"], VALID_MAX_YEARS)):
            raise c.invalid("date_of_expiry", "date.years_after", years=VALID_MAX_YEARS,
                            other_field="date_of_issuance")
    for name in PRC_CARD_CLAIMS:
        if c.optional(claims, name):
            with found.rule():
                if not prc:
                    raise c.invalid(name, "ehic.prc_only")
                # The card's number as the model's document_number is (4-50), its expiry a date; the
                # card's own rules (after its date of issue) are its case's, not this certificate's.
                out[name] = c.text(claims[name], name, 4, 50) if name == "card_number" \
                    else c.iso_date(claims[name], name)
    if c.optional(claims, "subject"):
        with found.rule():
            subject = c.obj(claims["subject"], "subject")
            c.no_unknown(subject, ("forenames", "familynames", "date_of_birth"), "subject.", found)
            person: dict[str, str] = {}
            with found.rule():
                person["forenames"] = c.text(c.required(subject, "forenames", "subject."), "subject.forenames",
                                             1, 100)
            with found.rule():
                person["familynames"] = c.text(c.required(subject, "familynames", "subject."),
                                               "subject.familynames", 1, 100)
            with found.rule():
                person["date_of_birth"] = c.iso_date(c.required(subject, "date_of_birth", "subject."),
                                                     "subject.date_of_birth")
            # Born on or before the day the card was issued (which is never in the future), and not more
            # than c.BIRTH_MAX_YEARS before it: a birth date after it (2031) or a century and more before
            # (1850) is a typing mistake no inspection could ever take for the person's.
            with found.rule():
                if "date_of_birth" in person:
                    problem = c.birth_problem(person["date_of_birth"], out.get("date_of_issuance"),
                                              "subject.date_of_birth")
                    if problem is not None:
                        raise problem
            out["subject"] = {k: person[k] for k in ("forenames", "familynames", "date_of_birth") if k in person}
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


#: :data:`_SENTENCE` and :data:`_PRC_SENTENCE` of a represented person's card: no "you".
_REPRESENTED_SENTENCE = {
    "en": "Covered by the health insurance of this state: {country} ({institution}); card {number}, valid until {end}.",
    "lv": "Veselības apdrošināšana valstī {country} ({institution}); karte {number}, derīga līdz {end}",
    "de": "Krankenversichert in diesem Staat: {country} ({institution}); Karte {number}, gültig bis {end}.",
    "fr": "Couverture par l'assurance maladie : {country} ({institution}) ; carte {number}, valable jusqu'au {end}.",
    "pl": "Ubezpieczenie zdrowotne w państwie {country} ({institution}); karta {number}, ważna do {end}.",
}
_REPRESENTED_PRC_SENTENCE = {
    "en": "Covered by the health insurance of this state: {country} ({institution}); provisional replacement "
          "certificate {number}, valid from {start} to {end}.",
    "lv": "Veselības apdrošināšana valstī {country} ({institution}); EVAK aizvietojošais sertifikāts {number}, "
          "derīgs no {start} līdz {end}",
    "de": "Krankenversichert in diesem Staat: {country} ({institution}); provisorische Ersatzbescheinigung {number}, "
          "gültig vom {start} bis {end}.",
    "fr": "Couverture par l'assurance maladie : {country} ({institution}) ; certificat provisoire de remplacement "
          "{number}, valable du {start} au {end}.",
    "pl": "Ubezpieczenie zdrowotne w państwie {country} ({institution}); certyfikat tymczasowo zastępujący kartę "
          "{number}, ważny od {start} do {end}.",
}


#: :data:`_SENTENCE` and :data:`_PRC_SENTENCE` of another person's card (``describe(..., other_person=True)``): of
#: the holder its fields 3-5 name, by name as the subject (no case ending, no gendered "couvert(e)"; Latvian
#: "personai" in the dative before it).
_NAMED_SENTENCE = {
    "en": "{name} is covered by the health insurance of this state: {country} ({institution}); card {number}, "
          "valid until {end}.",
    "lv": "Personai {name} ir veselības apdrošināšana valstī {country} ({institution}); karte {number}, derīga "
          "līdz {end}",
    "de": "{name} ist krankenversichert in diesem Staat: {country} ({institution}); Karte {number}, gültig bis {end}.",
    "fr": "{name} bénéficie de l'assurance maladie : {country} ({institution}) ; carte {number}, valable "
          "jusqu'au {end}.",
    "pl": "{name} ma ubezpieczenie zdrowotne w państwie {country} ({institution}); karta {number}, ważna do {end}.",
}
_NAMED_PRC_SENTENCE = {
    "en": "{name} is covered by the health insurance of this state: {country} ({institution}); provisional "
          "replacement certificate {number}, valid from {start} to {end}.",
    "lv": "Personai {name} ir veselības apdrošināšana valstī {country} ({institution}); EVAK aizvietojošais "
          "sertifikāts {number}, derīgs no {start} līdz {end}",
    "de": "{name} ist krankenversichert in diesem Staat: {country} ({institution}); provisorische "
          "Ersatzbescheinigung {number}, gültig vom {start} bis {end}.",
    "fr": "{name} bénéficie de l'assurance maladie : {country} ({institution}) ; certificat provisoire de "
          "remplacement {number}, valable du {start} au {end}.",
    "pl": "{name} ma ubezpieczenie zdrowotne w państwie {country} ({institution}); certyfikat tymczasowo "
          "zastępujący kartę {number}, ważny od {start} do {end}.",
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


def describe(claims: Mapping[str, Any], lang: str, *, other_person: bool = False) -> str:
    """One plain-words sentence for the holder or inspector, in ``lang`` (English fallback): a card
    with its expiry, a Provisional Replacement Certificate with its own period from-to. The card of a
    represented person (``subject``, a child's, Decision S1) is not the holder's own insurance: its
    sentence says no "you" (the wallet, the paper copy say whose it is). Nor does ``other_person``'s card
    (a wallet found it not its owner's, :func:`wallet.core.other_persons`: an offer code passed on): it
    speaks of the person its fields 3-5 name ("Tobias Krause is covered ..."), or, naming none, of
    nobody. A date that is no YYYY-MM-DD date is DataError naming the field."""
    c.obj(claims, "claims")
    lang = lang if lang in _SENTENCE else "en"

    def day(field: str) -> str:
        return format_date(c.iso_date(claims[field], field), lang) if c.optional(claims, field) else "?"

    source = claims.get("authentic_source")
    words = {"country": country_name(str(claims.get("issuing_country", "")), lang),
             "institution": source.get("name", "") if isinstance(source, dict) else "",
             "number": claims.get("document_number", "…")}
    represented = isinstance(claims.get("subject"), Mapping)
    named = holder_names.full_name(claims) if other_person and not represented else None
    unnamed = represented or other_person
    if is_prc(claims):
        sentences = _NAMED_PRC_SENTENCE if named else _REPRESENTED_PRC_SENTENCE if unnamed else _PRC_SENTENCE
        return sentences[lang].format(**words, name=named, start=day("starting_date"), end=day("ending_date"))
    sentences = _NAMED_SENTENCE if named else _REPRESENTED_SENTENCE if unnamed else _SENTENCE
    return sentences[lang].format(**words, name=named, end=day("date_of_expiry"))


_CLAIMS = (
    # Decision S2 fields 3-5 first, as the card prints them (surname, given names, date of birth);
    # never selectively disclosable (module docstring), but not mandatory: older cards lack them.
    *holder_names.CLAIM_INFO,
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
    # Decision S2 fields 8 and 9 of the card a PRC replaces (module docstring), as the card labels them.
    ClaimInfo(("card_number",), ("Card identification number", "Kartes numurs", "Kennnummer der Karte",
              "Numéro d'identification de la carte", "Numer identyfikacyjny karty"), False, "never"),
    ClaimInfo(("card_expiry",), ("Expiry date of the card", "Kartes derīguma termiņš", "Ablaufdatum der Karte",
              "Date d'expiration de la carte", "Data ważności karty"), False, "never"),
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


#: A PRC's own number and its (c) date of delivery (Decision S2, Annex 2) are the certificate's, not a
#: card's: labelled so wherever a PRC is shown beside the card's fields 8 and 9 (:func:`prc_label`).
_PRC_LABELS = {
    "document_number": ("Certificate number", "Sertifikāta numurs", "Nummer der Bescheinigung",
                        "Numéro du certificat", "Numer certyfikatu"),
    "date_of_issuance": ("Date of delivery of the certificate", "Sertifikāta izsniegšanas datums",
                         "Ausstellungsdatum der Bescheinigung", "Date de délivrance du certificat",
                         "Data wydania certyfikatu"),
}


def prc_label(claim: str, lang: str) -> str:
    """A PRC's claim's label in ``lang`` (English fallback): its own number and date of delivery as the
    certificate's, every other claim as :func:`label` gives it (KeyError for a claim it does not have)."""
    from credentials.i18n import LANGUAGES

    if claim in _PRC_LABELS:
        return _PRC_LABELS[claim][LANGUAGES.index(lang) if lang in LANGUAGES else 0]
    return label(claim, lang)


#: The key of the notice that a UK card in Switzerland covers only some nationalities (:func:`uk_card_condition`).
UK_IN_CH = "ehic.uk_in_ch"
#: The key of the notice that a UK card covered care in Switzerland or Norway, Iceland, Liechtenstein,
#: before the UK's convention with that state applied, only for persons of the citizens' rights agreements.
UK_BEFORE_AGREEMENT = "ehic.uk_before_agreement"
#: The key of the notice that a Swiss card in the UK covers only some nationalities (:func:`uk_card_condition`).
CH_IN_UK = "ehic.ch_in_uk"
#: The key of the notice that a card of Switzerland, Iceland, Liechtenstein or Norway covered care in the UK,
#: before that state's convention with the UK applied, only for persons of the citizens' rights agreements.
BEFORE_UK_AGREEMENT = "ehic.before_uk_agreement"
#: The end of the transition period (Withdrawal Agreement Art. 126-127): until 31 December 2020 the UK
#: applied Regulation 883/2004 with every EU, EEA state and Switzerland, and its cards were EHICs there.
_UK_LEFT = date(2021, 1, 1)
#: The day the UK's convention with each of these states applied to cards for a temporary stay: the
#: UK-Switzerland Convention on Social Security Coordination, provisionally applied from 1 November 2021
#: (in force 1 October 2023); the convention of Iceland, Liechtenstein and Norway with the UK, from 1
#: January 2024 (helsenorge.no, "Right to healthcare in the United Kingdom"; NHS 111 Wales, "Within the
#: EEA, EFTA, Switzerland").
_UK_AGREEMENT_FROM = {"CH": date(2021, 11, 1), "IS": date(2024, 1, 1), "LI": date(2024, 1, 1), "NO": date(2024, 1, 1)}


def uk_card_condition(card_state: str, host_state: str, day: date | None = None) -> str | None:
    """What a desk of ``host_state`` must know of a card of ``card_state`` for care on ``day`` (None:
    the rules in force now), beyond what 883/2004 says: a key, or None. ISO codes, UK/GB alike.

    Only UK cards (a GHIC or a UK EHIC) in Switzerland, Iceland, Liechtenstein and Norway have one;
    in the EU both are accepted as an EHIC (the Trade and Cooperation Agreement's Protocol on Social
    Security Coordination), before 2021 the UK applied 883/2004 itself.

    - :data:`UK_IN_CH`: in Switzerland, from the UK-Switzerland Convention (1 November 2021), a UK
      card covers UK, Swiss and EU nationals, stateless persons and refugees, and their family
      members and survivors only (Art. 2(1), the convention as Switzerland applies it): the desk
      asks for proof of nationality.
    - :data:`UK_BEFORE_AGREEMENT`: care in Switzerland before that day, or in Iceland, Liechtenstein
      or Norway before 1 January 2024, was covered by a UK card only for a person of the citizens'
      rights agreements (the Swiss and the EEA EFTA one), who holds a UK EHIC; a GHIC did not.

    The same conventions bind the other way, for a card of one of those states at a desk in the UK
    (NHS 111 Wales, "Within the EEA, EFTA, Switzerland"; helsenorge.no, "Right to healthcare in the
    United Kingdom"):

    - :data:`CH_IN_UK`: a Swiss card in the UK, from 1 November 2021, covers the same persons only
      (the convention's Art. 2(1) binds both parties).
    - :data:`BEFORE_UK_AGREEMENT`: care in the UK before that state's convention applied was covered
      by its card only for a person of the citizens' rights agreements (a stay or residence in the UK
      begun before 2021).

    All are notices, never a refusal: the card does not say which of the two it is, nor the holder's
    nationality (the GHIC and the UK EHIC are one credential type here: in the EU, where most care is
    given, the difference does not matter)."""
    from credentials.countries import normalise

    card = normalise(card_state.strip().upper()) if isinstance(card_state, str) else ""
    host = normalise(host_state.strip().upper()) if isinstance(host_state, str) else ""
    if day is not None and day < _UK_LEFT:
        return None
    if card == "GB" and host in _UK_AGREEMENT_FROM:
        if day is not None and day < _UK_AGREEMENT_FROM[host]:
            return UK_BEFORE_AGREEMENT
        return UK_IN_CH if host == "CH" else None
    if host == "GB" and card in _UK_AGREEMENT_FROM:
        if day is not None and day < _UK_AGREEMENT_FROM[card]:
            return BEFORE_UK_AGREEMENT
        return CH_IN_UK if card == "CH" else None
    return None


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
