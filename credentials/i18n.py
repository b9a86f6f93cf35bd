"""The five pilot languages (EN, LV, DE, FR, PL): a string catalogue, dates, and negotiation.

Each package registers its own strings with :func:`register` (a mapping key -> {lang: text});
:func:`t` falls back to English, then to the key itself, so a missing translation never breaks
a page. Dates are written the way each language writes them ("1 March 2026", "01.03.2026.",
"1. März 2026", "1er mars 2026", "1 marca 2026").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

__all__ = ["LANGUAGES", "catalogue_keys", "colon", "format_date", "negotiate", "register", "t", "translator"]

LANGUAGES = ("en", "lv", "de", "fr", "pl")

_CATALOGUE: dict[str, dict[str, str]] = {}

_MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    # Latvian: for the month names the pages show; dates are written numerically (format_date).
    "lv": ["janvāris", "februāris", "marts", "aprīlis", "maijs", "jūnijs", "jūlijs", "augusts", "septembris",
           "oktobris", "novembris", "decembris"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    # Polish dates take the genitive: "1 marca 2026".
    "pl": ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
           "października", "listopada", "grudnia"],
}


def register(catalogue: Mapping[str, Mapping[str, str]]) -> None:
    """Add a package's strings; a key registered twice keeps the later text (tests re-import)."""
    for key, texts in catalogue.items():
        _CATALOGUE.setdefault(key, {}).update(texts)


def catalogue_keys() -> frozenset[str]:
    """Every registered key (for callers that fall back when a text is missing)."""
    return frozenset(_CATALOGUE)


def t(key: str, lang: str, **kw: object) -> str:
    texts = _CATALOGUE.get(key, {})
    text = texts.get(lang) or texts.get("en") or key
    return text.format(**kw) if kw else text


def colon(lang: str) -> str:
    """The colon after a label ("Purpose: ..."): French typography puts a no-break space before it
    ("Finalité : ...", Lexique des règles typographiques), so that it never starts a line alone."""
    return "\u00a0:" if lang == "fr" else ":"


def translator(prefix: str, lang: str) -> Callable[..., str]:
    """``t(key, **kw)``: one package's strings (registered as ``<prefix>.<key>``) in ``lang``, for its pages."""
    def translate(key: str, **kw: object) -> str:
        return t(f"{prefix}.{key}", lang, **kw)
    return translate


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """Pick one of our languages from an Accept-Language header (RFC 9110 §12.5.4), by q-value."""
    if not accept_language:
        return default
    choices: list[tuple[float, int, str]] = []
    for pos, part in enumerate(accept_language.split(",")):
        fields = part.strip().split(";")
        tag = fields[0].strip().lower().split("-")[0]
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag in LANGUAGES and q > 0:
            choices.append((-q, pos, tag))
    return sorted(choices)[0][2] if choices else default


def format_date(value: date | str, lang: str) -> str:
    d = date.fromisoformat(value) if isinstance(value, str) else value
    months = _MONTHS.get(lang, _MONTHS["en"])
    month = months[d.month - 1]
    if lang == "lv":
        # Numeric (DD.MM.YYYY.): the written month would need the case of its preposition
        # ("līdz 31. decembrim", "no 1. marta"), which no single form gives.
        return f"{d.day:02d}.{d.month:02d}.{d.year}."
    if lang == "de":
        return f"{d.day}. {month} {d.year}"
    if lang == "fr" and d.day == 1:
        # French writes the first of a month as an ordinal, "1er octobre 2026" (premier), every other
        # day as a cardinal ("2 octobre 2026").
        return f"1er {month} {d.year}"
    return f"{d.day} {month} {d.year}"
