"""Finding a case as a clerk types it: by document number, personal number, name or employer.

Each case keeps one search text (``issuer_cases.search``), made when the case is recorded from
what a clerk is asked for on the phone. Text and query are folded alike, so that "berzins"
finds "Bērziņš", "SCHRODER" finds "Schröder" and "lodz" finds "Łódź": Unicode compatibility
decomposition without the combining marks, the letters that do not decompose (ø, ł, đ, æ, œ,
þ, ı) spelled out, then case folding. A query matches a case when every word of it is in the
case's text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_WORDS", "fold", "query_words", "search_text"]

#: Words of a query that count; more are ignored (a clerk types a number or a name or two).
MAX_WORDS = 5
_MAX_WORD = 60
_MAX_TEXT = 600
#: Latin letters with no decomposition to a base letter.
_SPELLED = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE",
                          "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ı": "i", "ħ": "h", "Ħ": "H"})


def fold(text: str) -> str:
    """``text`` as searched: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def search_text(claims: Mapping[str, Any], holder: Mapping[str, Any] | None, label: str) -> str:
    """What a case is found by: its label, document and personal numbers, the person's names
    (the holder's, or a PID's own) and the employer's name and number."""
    employer = claims.get("employer")
    parts = [label, claims.get("document_number"), claims.get("personal_administrative_number"),
             claims.get("family_name"), claims.get("given_name")]
    if holder:
        parts += [holder.get("family_name"), holder.get("given_name")]
    if isinstance(employer, Mapping):
        parts += [employer.get("name"), employer.get("id")]
    return fold(" ".join(p for p in parts if isinstance(p, str)))[:_MAX_TEXT]


def query_words(query: str) -> list[str]:
    """The folded words of a clerk's query (at most :data:`MAX_WORDS`, each at most 60 characters)."""
    return [w[:_MAX_WORD] for w in fold(query).split()][:MAX_WORDS]
