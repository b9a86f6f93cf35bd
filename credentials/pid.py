"""Person Identification Data, ``urn:eudi:pid:1``: ARF Annex 3.01 PID Rulebook (shared/domain.md "PID").

In real deployments a member state's PID provider issues the PID; ours is a demo provider. Both
encodings of the Rulebook are read and written here, as pure functions:

* **SD-JWT VC** (Rulebook chapter 4) is our model: the claim names of the §4.1 tables
  (``birthdate``, ``nationalities``, ``place_of_birth``, ``picture`` as a JPEG ``data:`` URI) and
  the mandatory metadata of §2.4 as its Private Names ``date_of_expiry``, ``issuing_authority``
  (words: the provider's name), ``issuing_country``. :func:`validate` is strict about what *we*
  issue; a verifier never runs it on a foreign PID, which may carry any other claim of the Rulebook
  (``address``, ``age_equal_or_over``...) or of its national type.
* **ISO/IEC 18013-5 mdoc** (chapter 3), doctype and namespace ``eu.europa.ec.eudi.pid.1``: the
  attribute identifiers and CBOR encodings of §3.1.1: ``birth_date`` full-date (tag 1004, RFC 8943),
  ``nationality`` an array of alpha-2 codes (§3.1.2), ``place_of_birth`` a map (§3.1.5), ``portrait``
  a byte string, ``expiry_date`` full-date. :func:`to_mdoc` turns validated claims into those data
  elements; :func:`from_mdoc` reads any PID's elements back into the SD-JWT VC names, so that the
  verdict, the pages and the wallet handle one model whatever the encoding.
* **Types** (§4.2): "all PIDs must use types in the namespace urn:eudi:pid:", a member state's
  national type extending the EU-wide one (``urn:eudi:pid:de:1``). :data:`ALIASES` are the national
  types of the 32 coordination states (EL and UK spellings too), accepted as PIDs wherever the trust
  list lets the provider issue PIDs, and by a provider of that state only (:func:`national_country`).

Selective disclosure (our stance; the Rulebook leaves it to the provider for SD-JWT VC): every
claim about the person is selectively disclosable, ``nationalities`` element by element. The
metadata are not. ``issuing_authority`` and ``issuing_country`` say no more than the ``x5c``
every verifier already sees (the provider's own certificate), and always disclosed they let every
verifier check that the signing provider is the one the PID names. ``date_of_expiry`` says no
more than the token's ``exp``, which ends with it, and always disclosed it lets every verifier
check the PID's administrative validity (the ``document_validity`` step).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from credentials import claims as c
from credentials import countries, type_metadata
from credentials.countries import name as country_name
from credentials.errors import DataError, MalformedError
from credentials.i18n import format_date
from credentials.type_metadata import ClaimInfo

__all__ = ["ADMINISTRATIVE_VALIDITY_YEARS", "ALIASES", "CONFIGURATION_ID", "MAX_PICTURE_BYTES", "MDOC_ELEMENTS",
           "SD_PATHS", "VCT", "describe", "from_mdoc", "is_pid_type", "national_country", "problems", "provider_expiry",
           "sd_jwt_path", "to_mdoc", "type_metadata_document", "validate", "with_jpeg_picture",
           "with_provider_metadata"]

VCT = "urn:eudi:pid:1"
#: §4.2: the national types ``urn:eudi:pid:<cc>:1`` (lower case) of the 32 coordination states.
ALIASES: tuple[str, ...] = tuple(f"urn:eudi:pid:{cc.lower()}:1" for cc in sorted({*countries.COUNTRIES, "EL", "UK"}))
_NATIONAL = {vct: vct.split(":")[3].upper() for vct in ALIASES}
CONFIGURATION_ID = "pid"
MAX_PICTURE_BYTES = 64 * 1024
#: A legacy PNG portrait converted to JPEG (:func:`_portrait_jpeg`): at most this many pixels read,
#: and scaled to fit this side so that the JPEG stays within MAX_PICTURE_BYTES.
_MAX_PORTRAIT_PIXELS, _PORTRAIT_SIDE = 2000 * 2000, 640
#: Our demo provider's administrative validity (§2.4 ``expiry_date``: the provider's decision).
ADMINISTRATIVE_VALIDITY_YEARS = 5

SD_PATHS: tuple[tuple[str | int | None, ...], ...] = (
    ("family_name",),
    ("given_name",),
    ("birthdate",),
    ("nationalities",),
    ("nationalities", None),
    ("place_of_birth",),
    ("personal_administrative_number",),
    ("picture",),
)

#: Our claims -> the Rulebook's mdoc attribute identifiers (§3.1.1 against §4.1), in the §3.1.1
#: table's order: what :func:`to_mdoc` writes.
MDOC_ELEMENTS: dict[str, str] = {
    "family_name": "family_name",
    "given_name": "given_name",
    "birthdate": "birth_date",
    "place_of_birth": "place_of_birth",
    "nationalities": "nationality",
    "personal_administrative_number": "personal_administrative_number",
    "picture": "portrait",
    "date_of_expiry": "expiry_date",
    "issuing_authority": "issuing_authority",
    "issuing_country": "issuing_country",
    "date_of_issuance": "issuance_date",
}

#: Every mdoc attribute identifier of §3.1.1 -> its SD-JWT VC claim path of §4.1 (``address.*``
#: for the resident_ attributes); ``age_over_NN`` is ``age_equal_or_over.NN`` (:data:`_AGE_OVER`).
_SD_JWT_PATHS: dict[str, tuple[str, ...]] = {
    "family_name": ("family_name",),
    "given_name": ("given_name",),
    "birth_date": ("birthdate",),
    "place_of_birth": ("place_of_birth",),
    "nationality": ("nationalities",),
    "resident_address": ("address", "formatted"),
    "resident_country": ("address", "country"),
    "resident_state": ("address", "region"),
    "resident_city": ("address", "locality"),
    "resident_postal_code": ("address", "postal_code"),
    "resident_street": ("address", "street_address"),
    "resident_house_number": ("address", "house_number"),
    "personal_administrative_number": ("personal_administrative_number",),
    "portrait": ("picture",),
    "family_name_birth": ("birth_family_name",),
    "given_name_birth": ("birth_given_name",),
    "sex": ("sex",),
    "email_address": ("email",),
    "mobile_phone_number": ("phone_number",),
    "expiry_date": ("date_of_expiry",),
    "issuing_authority": ("issuing_authority",),
    "issuing_country": ("issuing_country",),
    "document_number": ("document_number",),
    "issuing_jurisdiction": ("issuing_jurisdiction",),
    "issuance_date": ("date_of_issuance",),
    "age_in_years": ("age_in_years",),
    "age_birth_year": ("age_birth_year",),
    "trust_anchor": ("trust_anchor",),
}
_AGE_OVER = re.compile(r"age_over_(\d{1,3})")
#: §3.1.1: full-date (tag 1004) for the birth date, "tdate or full-date" for the two metadata dates.
_DATES = frozenset({"birth_date", "expiry_date", "issuance_date"})
_IMAGES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
_JPEG_URI = "data:image/jpeg;base64,"


def is_pid_type(vct: object) -> bool:
    """The EU-wide PID type or one of the national types of :data:`ALIASES` (§4.2)."""
    return vct == VCT or vct in _NATIONAL


def national_country(vct: str) -> str | None:
    """The state (upper case, as written in the type) of a national PID type; None for any other type."""
    return _NATIONAL.get(vct)


c.register_rules({
    "pid.picture_data_uri": ("must be a data: URI", "jābūt data: URI", "muss ein data:-URI sein",
                             "doit être une URI data:", "musi być identyfikatorem URI data:"),
    "pid.picture_jpeg_uri": ("must be a JPEG data: URI (PID Rulebook)", "jābūt JPEG attēla data: URI (PID noteikumi)",
                             "muss ein data:-URI eines JPEG-Bildes sein (PID Rulebook)",
                             "doit être une URI data: d'image JPEG (PID Rulebook)",
                             "musi być identyfikatorem URI data: obrazu JPEG (PID Rulebook)"),
    "pid.picture_base64": ("must be valid base64", "jābūt derīgam base64 kodējumam", "muss gültiges Base64 sein",
                           "doit être du base64 valide", "musi być poprawnym kodem base64"),
    "pid.picture_size": ("must be at most {kb} KB", "nedrīkst pārsniegt {kb} KB", "darf höchstens {kb} KB groß sein",
                         "ne doit pas dépasser {kb} Ko", "może mieć najwyżej {kb} KB"),
    "pid.picture_jpeg": ("must be a JPEG image", "jābūt JPEG attēlam", "muss ein JPEG-Bild sein",
                         "doit être une image JPEG", "musi być obrazem JPEG"),
    "pid.picture_too_large": ("is too large an image for a portrait", "ir pārāk liels attēls portretam",
                              "ist ein zu großes Bild für ein Lichtbild", "est une image trop grande pour une photo",
                              "jest zbyt dużym obrazem na zdjęcie"),
    "pid.picture_readable": ("must be a JPEG (or a readable PNG) data: URI",
                             "jābūt JPEG (vai nolasāma PNG) attēla data: URI",
                             "muss ein data:-URI eines JPEG-Bildes (oder eines lesbaren PNG) sein",
                             "doit être une URI data: d'image JPEG (ou PNG lisible)",
                             "musi być identyfikatorem URI data: obrazu JPEG (lub czytelnego PNG)"),
    "pid.no_nationality": ("must list at least one country code", "jānorāda vismaz viens valsts kods",
                           "muss mindestens einen Ländercode nennen", "doit indiquer au moins un code pays",
                           "musi zawierać co najmniej jeden kod kraju"),
    "pid.country_list": ("must list country codes", "jābūt valstu kodu sarakstam",
                         "muss eine Liste von Ländercodes sein",
                         "doit être une liste de codes pays", "musi być listą kodów krajów"),
    "pid.no_mdoc_element": ("has no ISO mdoc data element in the PID Rulebook",
                            "PID noteikumos tam nav ISO mdoc datu elementa",
                            "hat im PID Rulebook kein ISO-mdoc-Datenelement",
                            "n'a pas d'élément de données ISO mdoc dans le PID Rulebook",
                            "nie ma elementu danych ISO mdoc w PID Rulebook"),
})


def _picture(value: Any) -> str:
    """PID_03 / §4.1: a ``data:`` URL of the base64-encoded portrait in JPEG format."""
    if not isinstance(value, str):
        raise c.invalid("picture", "pid.picture_data_uri")
    if not value.startswith(_JPEG_URI):
        raise c.invalid("picture", "pid.picture_jpeg_uri")
    try:
        raw = base64.b64decode(value[len(_JPEG_URI):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise c.invalid("picture", "pid.picture_base64") from exc
    if len(raw) > MAX_PICTURE_BYTES:
        raise c.invalid("picture", "pid.picture_size", kb=MAX_PICTURE_BYTES // 1024)
    if not raw.startswith(_IMAGES[0][0]):
        raise c.invalid("picture", "pid.picture_jpeg")
    return value


def validate(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The claims of a PID our provider issues, normalised. DataError for the first rule broken (the
    field and the rule named), carrying the others (:func:`problems`)."""
    return c.Problems.validated(_read, claims)


def problems(claims: Mapping[str, Any]) -> list[DataError]:
    """Every rule of :func:`validate` the claims break, found in one pass ([] for claims it accepts):
    what the provider's clerk is told at once, as for an A1 or an EHIC."""
    return c.Problems.of(_read, claims)


def _read(claims: Mapping[str, Any], found: c.Problems) -> dict[str, Any]:
    """The claims normalised, each problem recorded in ``found`` (the fields read are returned)."""
    if not found.an_object(claims):
        return {}
    c.no_unknown(claims, ("family_name", "given_name", "birthdate", "nationalities", "place_of_birth",
                          "personal_administrative_number", "picture", "date_of_expiry", "issuing_authority",
                          "issuing_country"), problems=found)
    out: dict[str, Any] = {}
    for name in ("family_name", "given_name"):
        with found.rule():
            out[name] = c.text(c.required(claims, name), name, 1, 100)
    with found.rule():
        out["birthdate"] = c.iso_date(c.required(claims, "birthdate"), "birthdate")
    with found.rule():
        nationalities = c.required(claims, "nationalities")
        if not isinstance(nationalities, list) or not nationalities:
            raise c.invalid("nationalities", "pid.no_nationality")
        # A third-country national posted from a coordination state needs a PID too (Regulation 1231/2010).
        out["nationalities"] = [c.any_country(n, f"nationalities.{i}") for i, n in enumerate(nationalities)]
    if c.optional(claims, "place_of_birth"):
        with found.rule():
            place = c.obj(claims["place_of_birth"], "place_of_birth")
            c.no_unknown(place, ("country", "region", "locality"), "place_of_birth.")
            read = {"country": c.any_country(c.required(place, "country", "place_of_birth."), "place_of_birth.country")}
            for key in ("region", "locality"):
                if c.optional(place, key):
                    read[key] = c.text(place[key], f"place_of_birth.{key}", 1, 100)
            out["place_of_birth"] = read
    if c.optional(claims, "personal_administrative_number"):
        # §2.3, optional: the number of the issuing state's register, where it has one for everybody
        # (none in Germany). The A1 and the EHIC carry that number too (4-50, domain.md "Common
        # block"): the verifier's holder_link step compares the two (credentials/holder_link.py).
        with found.rule():
            out["personal_administrative_number"] = c.text(claims["personal_administrative_number"],
                                                           "personal_administrative_number", 4, 50)
    if c.optional(claims, "picture"):
        with found.rule():
            out["picture"] = _picture(claims["picture"])
    # §2.4 mandatory metadata: the provider states them (with_provider_metadata) on every PID it issues.
    if c.optional(claims, "date_of_expiry"):
        with found.rule():
            out["date_of_expiry"] = c.iso_date(claims["date_of_expiry"], "date_of_expiry")
    if c.optional(claims, "issuing_authority"):
        with found.rule():
            out["issuing_authority"] = c.text(claims["issuing_authority"], "issuing_authority", 1, 150)  # §3.1.1
    if c.optional(claims, "issuing_country"):
        with found.rule():
            out["issuing_country"] = c.country(claims["issuing_country"], "issuing_country")
    return out


def provider_expiry(issued: date) -> date:
    """Our demo provider's ``date_of_expiry`` for a PID issued on ``issued``."""
    try:
        return issued.replace(year=issued.year + ADMINISTRATIVE_VALIDITY_YEARS)
    except ValueError:  # 29 February
        return issued.replace(year=issued.year + ADMINISTRATIVE_VALIDITY_YEARS, day=28)


def with_provider_metadata(claims: Any, *, authority: str, country: str, expiry: date) -> Any:
    """``claims`` with the §2.4 mandatory metadata our provider states, where they are missing:
    ``issuing_authority`` (its name), ``issuing_country`` (its state), ``date_of_expiry``. Anything
    that is not a mapping is returned as it is, for :func:`validate` to refuse."""
    if not isinstance(claims, Mapping):
        return claims
    defaults = {"issuing_authority": authority, "issuing_country": country, "date_of_expiry": expiry.isoformat()}
    return {**claims, **{k: v for k, v in defaults.items() if claims.get(k) in (None, "")}}


# --------------------------------------------------------------------------- ISO mdoc (chapter 3)


def to_mdoc(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Validated claims (:func:`validate`) as the Rulebook's mdoc data elements (§3.1.1), CBOR-ready:
    the dates as :class:`datetime.date` (cbor2 writes full-date, tag 1004), the portrait as the JPEG's
    bytes (bstr), ``nationality`` an array (§3.1.2), ``place_of_birth`` a map (§3.1.5).

    A claim with no data element of the Rulebook is refused (DataError), never dropped unseen; so is
    anything but a map of claims, or a claim of another shape than :func:`validate` gives it."""
    for name in c.obj(claims, "claims"):
        if name not in MDOC_ELEMENTS:
            raise c.invalid(str(name), "pid.no_mdoc_element")
    out: dict[str, Any] = {}
    for name, element in MDOC_ELEMENTS.items():
        if name not in claims:
            continue
        value = claims[name]
        if element in _DATES:
            out[element] = date.fromisoformat(c.iso_date(value, name))
        elif element == "portrait":
            out[element] = _portrait_jpeg(value)
        elif element == "nationality":
            if not isinstance(value, list):
                raise c.invalid(name, "pid.country_list")
            out[element] = [str(n) for n in value]
        elif element == "place_of_birth":
            out[element] = {str(k): str(v) for k, v in c.obj(value, name).items()}
        else:
            out[element] = value
    return out


def with_jpeg_picture(claims: Mapping[str, Any]) -> Mapping[str, Any]:
    """``claims`` with a legacy PNG ``picture`` as the JPEG ``data:`` URI its mdoc ``portrait`` is
    (:func:`_portrait_jpeg`; PID_03): the issuer signs both forms of one PID with the same image,
    which a wallet compares byte for byte (it cannot tell whether two images show one face)."""
    picture = claims.get("picture")
    if isinstance(picture, str) and picture.startswith("data:image/png;base64,"):
        return {**claims, "picture": _JPEG_URI + base64.b64encode(_portrait_jpeg(picture)).decode("ascii")}
    return claims


def _portrait_jpeg(value: Any) -> bytes:
    """The portrait's JPEG bytes (§3.1.1 ``portrait``, PID_03). A case recorded before the Rulebook's
    JPEG rule may hold a PNG ``data:`` URI: it is converted, so that its PID still gets its mdoc form."""
    png = "data:image/png;base64,"
    if isinstance(value, str) and value.startswith(png):
        from io import BytesIO

        from PIL import Image, UnidentifiedImageError

        try:
            raw = base64.b64decode(value[len(png):], validate=True)
            with Image.open(BytesIO(raw), formats=["PNG"]) as image:
                # The size is in the header: a small file may declare a huge image (a decompression
                # bomb), refused before any pixel is decoded. A portrait needs no more than this.
                if image.width * image.height > _MAX_PORTRAIT_PIXELS:
                    raise c.invalid("picture", "pid.picture_too_large")
                image.thumbnail((_PORTRAIT_SIDE, _PORTRAIT_SIDE))
                out = BytesIO()
                image.convert("RGB").save(out, format="JPEG", quality=85)
        except (binascii.Error, ValueError, OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
            raise c.invalid("picture", "pid.picture_readable") from exc
        value = _JPEG_URI + base64.b64encode(out.getvalue()).decode("ascii")
    return base64.b64decode(_picture(value)[len(_JPEG_URI):], validate=True)


def _date_text(value: Any, element: str) -> Any:
    """A CBOR full-date (:class:`date`) or tdate (:class:`datetime`, its UTC day) as ISO 8601
    ``YYYY-MM-DD``; any other value unchanged (the verifier's date checks then refuse it)."""
    if isinstance(value, datetime):
        try:
            return (value.astimezone(UTC) if value.tzinfo is not None else value).date().isoformat()
        except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 has no day in UTC
            raise MalformedError(f"the PID's {element} is not a date in the years 1 to 9999") from exc
    if isinstance(value, date):
        return value.isoformat()
    return value


def _data_uri(value: Any) -> Any:
    """§4.1 ``picture``: the portrait's bytes as a ``data:`` URL (its media type from its first bytes)."""
    if not isinstance(value, bytes):
        return value
    media_type = next((t for magic, t in _IMAGES if value.startswith(magic)), "application/octet-stream")
    return f"data:{media_type};base64,{base64.b64encode(value).decode('ascii')}"


def _sd_jwt_path(element: str) -> tuple[str, ...] | None:
    path = _SD_JWT_PATHS.get(element)
    if path is None:
        age = _AGE_OVER.fullmatch(element)
        if age is not None:  # §4.1: age_over_NN -> age_equal_or_over.NN
            path = ("age_equal_or_over", age.group(1))
    return path


def sd_jwt_path(element: str) -> tuple[str, ...]:
    """The SD-JWT VC claim path of an mdoc PID data element (§3.1.1 against §4.1); an element the
    Rulebook does not define (a national one) keeps its own name."""
    return _sd_jwt_path(element) or (element,)


#: §3.1.1 types of the Rulebook's elements (as decoded from CBOR, or as JSON in a wallet's store:
#: dates as text there, the portrait as a data: URI); the uint, bool, array and map ones are read in
#: :func:`_well_typed` (CBOR true is no uint, although Python counts it an int).
_TEXT = ("family_name", "given_name", "issuing_authority", "issuing_country", "resident_address", "resident_country",
         "resident_state", "resident_city", "resident_postal_code", "resident_street", "resident_house_number",
         "personal_administrative_number", "family_name_birth", "given_name_birth", "email_address",
         "mobile_phone_number", "document_number", "issuing_jurisdiction", "trust_anchor")
_ELEMENT_TYPES: dict[str, type | tuple[type, ...]] = {
    **dict.fromkeys(_TEXT, str), "birth_date": (date, str), "expiry_date": (date, str), "issuance_date": (date, str),
    "portrait": (bytes, str),
}
_UINT = frozenset({"sex", "age_in_years", "age_birth_year"})


def _well_typed(element: str, value: Any) -> bool:
    """Whether ``value`` has the §3.1.1 type of the Rulebook element ``element``."""
    if element in _UINT:
        return type(value) is int and value >= 0
    if _AGE_OVER.fullmatch(element):
        return isinstance(value, bool)
    if element == "nationality":  # §3.1.2: an array of alpha-2 codes
        return isinstance(value, list | tuple) and all(isinstance(n, str) for n in value)
    if element == "place_of_birth":  # §3.1.5: country, region, locality, each text
        return isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    return isinstance(value, _ELEMENT_TYPES[element])


def from_mdoc(elements: Mapping[str, Any]) -> dict[str, Any]:
    """Any PID's mdoc data elements (ours or a member state's, as decoded or as JSON) read as the
    SD-JWT VC claims of the same PID (§3.1.1 -> §4.1): ``birthdate`` and the metadata dates as
    ``YYYY-MM-DD``, ``nationalities``, ``picture`` a ``data:`` URI, ``address.*`` from the
    ``resident_*`` elements, ``age_equal_or_over.NN`` from ``age_over_NN``.

    Elements the Rulebook does not define keep their names and values (a national type may add
    some); a Rulebook element wins over one of them under the same name. A Rulebook element must
    have its §3.1.1 type (a provider's name as bytes, a birth date as a number...): any other is
    MalformedError naming it, never shown under our claim's name as if it were one; so is anything
    but a map of elements."""
    if not isinstance(elements, Mapping):
        raise MalformedError("the PID's data elements must be a map of element identifiers to values")
    out: dict[str, Any] = {}
    other: dict[str, Any] = {}
    for element, value in elements.items():
        path = _sd_jwt_path(element) if isinstance(element, str) else None
        if path is None:
            other[str(element)] = value
            continue
        if not _well_typed(element, value):
            raise MalformedError(f"the PID's {element} is not of the type the PID Rulebook gives it (§3.1.1)")
        if element in _DATES:
            value = _date_text(value, element)
        elif element == "portrait":
            value = _data_uri(value)
        elif element == "nationality" and isinstance(value, tuple):
            value = list(value)
        if len(path) == 1:
            out[path[0]] = value
        else:
            parent = out.setdefault(path[0], {})
            if isinstance(parent, dict):
                parent[path[1]] = value
    for name, value in other.items():
        out.setdefault(name, value)
    return out


# ---------------------------------------------------------------------------------------- display


_SENTENCE = {
    "en": "{given} {family}, born {birth}, national of {nationality}.",
    "lv": "{given} {family}, dzimis(-usi) {birth}, pilsonība: {nationality}.",
    "de": "{given} {family}, geboren am {birth}, Staatsangehörigkeit: {nationality}.",
    "fr": "{given} {family}, né(e) le {birth}, nationalité : {nationality}.",
    "pl": "{given} {family}, urodzony(-a) {birth}, obywatelstwo: {nationality}.",
}


def _birth(value: Any, lang: str) -> str:
    if not isinstance(value, str):
        return "?"
    try:
        return format_date(value, lang)
    except ValueError:  # a foreign PID's date written otherwise: shown as it is
        return value


def describe(claims: Mapping[str, Any], lang: str) -> str:
    """One plain-words sentence for the holder, in ``lang`` (English fallback); a foreign PID's
    birth date written otherwise is shown as it is."""
    c.obj(claims, "claims")
    lang = lang if lang in _SENTENCE else "en"
    nationalities = claims.get("nationalities")
    return _SENTENCE[lang].format(
        given=claims.get("given_name", ""), family=claims.get("family_name", ""),
        birth=_birth(claims.get("birthdate"), lang),
        nationality=", ".join(country_name(n, lang) for n in
                              (nationalities if isinstance(nationalities, list) else []) if isinstance(n, str)),
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
    ClaimInfo(("personal_administrative_number",), ("Personal identification number", "Personas kods",
              "Persönliche Kennnummer", "Numéro d'identification personnel", "Osobisty numer identyfikacyjny"),
              False, "always"),
    ClaimInfo(("picture",), ("Portrait", "Portrets", "Lichtbild", "Photo", "Zdjęcie"), False, "always"),
    ClaimInfo(("date_of_expiry",), ("Expiry date", "Derīguma termiņš", "Ablaufdatum", "Date d'expiration",
              "Data ważności"), True, "never"),
    ClaimInfo(("issuing_authority",), ("Issued by", "Izdevējs", "Ausgestellt von", "Délivré par", "Wydane przez"),
              True, "never"),
    ClaimInfo(("issuing_country",), ("Issuing country", "Izdevējvalsts", "Ausstellungsstaat", "Pays de délivrance",
              "Państwo wydania"), True, "never"),
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
