"""Person Identification Data (demo provider), ``urn:eudi:pid:1`` (shared/domain.md "PID").

Every claim is selectively disclosable, nationalities element by element. ``picture`` is a
``data:`` URI (SD-JWT VC "binary data SHOULD be data: URIs") of a JPEG or PNG portrait for the
inspector's visual check.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from credentials import claims as c
from credentials import type_metadata
from credentials.countries import name as country_name
from credentials.errors import DataError
from credentials.i18n import format_date
from credentials.type_metadata import ClaimInfo

__all__ = ["CONFIGURATION_ID", "MAX_PICTURE_BYTES", "SD_PATHS", "VCT", "describe", "type_metadata_document",
           "validate"]

VCT = "urn:eudi:pid:1"
ALIASES: tuple[str, ...] = ()
CONFIGURATION_ID = "pid"
MAX_PICTURE_BYTES = 64 * 1024

SD_PATHS: tuple[tuple[str | int | None, ...], ...] = (
    ("family_name",),
    ("given_name",),
    ("birthdate",),
    ("nationalities",),
    ("nationalities", None),
    ("place_of_birth",),
    ("picture",),
)


def _picture(value: Any) -> str:
    if not isinstance(value, str):
        raise DataError("picture", "must be a data: URI")
    for prefix in ("data:image/jpeg;base64,", "data:image/png;base64,"):
        if value.startswith(prefix):
            try:
                raw = base64.b64decode(value[len(prefix):], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise DataError("picture", "must be valid base64") from exc
            if len(raw) > MAX_PICTURE_BYTES:
                raise DataError("picture", f"must be at most {MAX_PICTURE_BYTES // 1024} KB")
            return value
    raise DataError("picture", "must be a JPEG or PNG data: URI")


def validate(claims: Mapping[str, Any]) -> dict[str, Any]:
    c.obj(claims, "claims")
    c.no_unknown(claims, ("family_name", "given_name", "birthdate", "nationalities", "place_of_birth", "picture"))
    out: dict[str, Any] = {
        "family_name": c.text(c.required(claims, "family_name"), "family_name", 1, 100),
        "given_name": c.text(c.required(claims, "given_name"), "given_name", 1, 100),
        "birthdate": c.iso_date(c.required(claims, "birthdate"), "birthdate"),
    }
    nationalities = c.required(claims, "nationalities")
    if not isinstance(nationalities, list) or not nationalities:
        raise DataError("nationalities", "must list at least one country code")
    # A third-country national posted from a coordination state needs a PID too (Regulation 1231/2010).
    out["nationalities"] = [c.any_country(n, f"nationalities.{i}") for i, n in enumerate(nationalities)]
    if c.optional(claims, "place_of_birth"):
        place = c.obj(claims["place_of_birth"], "place_of_birth")
        c.no_unknown(place, ("country", "region", "locality"), "place_of_birth.")
        out["place_of_birth"] = {"country": c.any_country(c.required(place, "country", "place_of_birth."),
                                                          "place_of_birth.country")}
        for key in ("region", "locality"):
            if c.optional(place, key):
                out["place_of_birth"][key] = c.text(place[key], f"place_of_birth.{key}", 1, 100)
    if c.optional(claims, "picture"):
        out["picture"] = _picture(claims["picture"])
    return out


_SENTENCE = {
    "en": "{given} {family}, born {birth}, national of {nationality}.",
    "lv": "{given} {family}, dzimis(-usi) {birth}, pilsonība: {nationality}.",
    "de": "{given} {family}, geboren am {birth}, Staatsangehörigkeit: {nationality}.",
    "fr": "{given} {family}, né(e) le {birth}, nationalité : {nationality}.",
    "pl": "{given} {family}, urodzony(-a) {birth}, obywatelstwo: {nationality}.",
}


def describe(claims: Mapping[str, Any], lang: str) -> str:
    lang = lang if lang in _SENTENCE else "en"
    birth = claims.get("birthdate")
    return _SENTENCE[lang].format(
        given=claims.get("given_name", ""), family=claims.get("family_name", ""),
        birth=format_date(birth, lang) if isinstance(birth, str) else "?",
        nationality=", ".join(country_name(n, lang) for n in claims.get("nationalities", []) if isinstance(n, str)),
    )


_CLAIMS = (
    ClaimInfo(("family_name",), ("Family name", "Uzvārds", "Familienname", "Nom", "Nazwisko"), True, "always"),
    ClaimInfo(("given_name",), ("Given names", "Vārds", "Vornamen", "Prénoms", "Imiona"), True, "always"),
    ClaimInfo(("birthdate",), ("Date of birth", "Dzimšanas datums", "Geburtsdatum", "Date de naissance",
              "Data urodzenia"), True, "always"),
    ClaimInfo(("nationalities",), ("Nationality", "Pilsonība", "Staatsangehörigkeit", "Nationalité",
              "Obywatelstwo"), True, "always"),
    ClaimInfo(("place_of_birth",), ("Place of birth", "Dzimšanas vieta", "Geburtsort", "Lieu de naissance",
              "Miejsce urodzenia"), False, "always"),
    ClaimInfo(("picture",), ("Portrait", "Portrets", "Lichtbild", "Photo", "Zdjęcie"), False, "always"),
)


def type_metadata_document() -> dict[str, Any]:
    return type_metadata.build(
        vct=VCT,
        names=("Person identification data", "Personas identifikācijas dati", "Personenidentifizierungsdaten",
               "Données d'identification personnelle", "Dane identyfikacyjne osoby"),
        descriptions=("Demo PID for the pilot", "Demonstrācijas PID pilotprojektam", "Demo-PID für das Pilotprojekt",
                      "PID de démonstration pour le pilote", "Demonstracyjny PID dla pilotażu"),
        claims=_CLAIMS,
        background_color="#2d6a4f",
    )
