"""Validation rules shared by the PDA1, EHIC and PID models (shared/domain.md, DC4EU rulebook v1.1).

Each function checks one value against one rule and returns it normalised, or raises
:class:`~credentials.errors.DataError` naming the dotted field and the rule in plain English.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from credentials.countries import is_iso_code, is_supported
from credentials.errors import DataError

__all__ = [
    "common_block",
    "country",
    "iso_date",
    "no_unknown",
    "obj",
    "optional",
    "period",
    "text",
]

#: The common block of PDA1 and EHIC (domain.md "Common block"); required ones first.
COMMON_REQUIRED = ("personal_administrative_number", "issuing_authority", "issuing_country", "authentic_source",
                   "document_number", "date_of_issuance")
COMMON_OPTIONAL = ("date_of_expiry", "starting_date", "ending_date")


#: Characters no name, number or address holds: control characters (NUL, line breaks, escapes) and
#: the bidirectional formatting ones, with which a text shows other than it reads (U+202E turns
#: "A1-2024-10" around on a page or the paper copy).
_NOT_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def text(value: Any, field: str, lo: int, hi: int, *, lines: bool = False) -> str:
    """``value`` stripped, of ``lo`` to ``hi`` characters; ``lines``: line breaks allowed (a formatted
    address, written over several lines as OpenID Connect Core §5.1.1 allows)."""
    if not isinstance(value, str):
        raise DataError(field, "must be text")
    if lines:
        value = value.replace("\r\n", "\n")  # either line break of §5.1.1, kept as one
    if _NOT_IN_TEXT.search(value.replace("\n", "") if lines else value):
        raise DataError(field, "must not contain control or text-direction characters")
    stripped: str = value.strip()
    if not lo <= len(stripped) <= hi:
        raise DataError(field, f"must be {lo} to {hi} characters")
    return stripped


def country(value: Any, field: str) -> str:
    if not isinstance(value, str) or not is_supported(value.upper()):
        raise DataError(field, "must be the two-letter code of an EU/EEA state, Switzerland or the UK")
    return value.upper()


def any_country(value: Any, field: str) -> str:
    """A nationality or birthplace: any state's ISO 3166-1 alpha-2 code."""
    if not isinstance(value, str) or not is_iso_code(value.upper()):
        raise DataError(field, "must be a two-letter ISO 3166-1 country code")
    return value.upper()


def iso_date(value: Any, field: str) -> str:
    if isinstance(value, date):
        return str(value.isoformat())
    if not isinstance(value, str) or len(value) != 10:
        raise DataError(field, "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise DataError(field, "must be a real date written YYYY-MM-DD") from exc


def obj(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DataError(field, "must be an object")
    return value


def no_unknown(claims: Mapping[str, Any], allowed: Collection[str], prefix: str = "") -> None:
    # As text: decoded CBOR may have integer or byte-string keys, which neither sort with text nor join it.
    unknown = sorted(str(name) for name in set(claims) - set(allowed))
    if unknown:
        raise DataError(prefix + unknown[0], "is not a field of this document")


def required(claims: Mapping[str, Any], field: str, prefix: str = "") -> Any:
    if claims.get(field) in (None, ""):
        raise DataError(prefix + field, "is required")
    return claims[field]


def optional(claims: Mapping[str, Any], field: str) -> bool:
    return claims.get(field) not in (None, "")


def period(start: str, end: str, start_field: str, end_field: str) -> None:
    if start > end:
        raise DataError(end_field, f"must not be before {start_field}")


def within_months(start: str, end: str, months: int) -> bool:
    """Does the period ``start``..``end`` (both days included) last at most ``months`` calendar
    months? 1 March 2025 to 28 February 2027 is 24 months; to 1 March 2027 one day more. A start on
    a day the last month lacks counts to that month's end (31 January + 1 month: 28 February)."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    year, month = divmod(a.month - 1 + months, 12)
    year, month = a.year + year, month + 1
    last = calendar.monthrange(year, month)[1]
    if a.day > last:  # the month has no such day: the period runs to that month's end, inclusive
        return b <= date(year, month, last)
    return b < date(year, month, a.day)


def _id_name(value: Any, field: str, *, with_country: bool) -> dict[str, str]:
    o = obj(value, field)
    no_unknown(o, ("id", "name", "country"), field + ".")
    out = {"id": text(required(o, "id", field + "."), field + ".id", 1, 20),
           "name": text(required(o, "name", field + "."), field + ".name", 1, 100)}
    if with_country:
        out["country"] = country(required(o, "country", field + "."), field + ".country")
    elif optional(o, "country"):
        out["country"] = country(o["country"], field + ".country")
    return out


def common_block(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The common block of PDA1 and EHIC, validated; dates kept as YYYY-MM-DD strings."""
    out: dict[str, Any] = {
        "personal_administrative_number": text(required(claims, "personal_administrative_number"),
                                               "personal_administrative_number", 4, 50),
        "issuing_authority": _id_name(required(claims, "issuing_authority"), "issuing_authority", with_country=True),
        "issuing_country": country(required(claims, "issuing_country"), "issuing_country"),
        "authentic_source": _id_name(required(claims, "authentic_source"), "authentic_source", with_country=False),
        "document_number": text(required(claims, "document_number"), "document_number", 4, 50),
        "date_of_issuance": iso_date(required(claims, "date_of_issuance"), "date_of_issuance"),
    }
    for name in COMMON_OPTIONAL:
        if optional(claims, name):
            out[name] = iso_date(claims[name], name)
    if "date_of_expiry" in out:
        period(out["date_of_issuance"], out["date_of_expiry"], "date_of_issuance", "date_of_expiry")
    if "starting_date" in out and "ending_date" in out:
        period(out["starting_date"], out["ending_date"], "starting_date", "ending_date")
    return out
