"""Finding a case as a clerk types it: by document number, personal number, name or employer.

Each case keeps one search text (``issuer_cases.search``), made when the case is recorded from
what a clerk is asked for on the phone. Text and query are folded alike, so that "berzins"
finds "Bērziņš", "SCHRODER" finds "Schröder" and "lodz" finds "Łódź": Unicode compatibility
decomposition without the combining marks, the letters that do not decompose (ø, ł, đ, æ, œ,
þ, ı) spelled out, then case folding. A query matches a case when every word of it is in the
case's text. Names in Greek or Cyrillic are found when typed in their own script (folded the
same way), not when transliterated.

Numbers are found with or without their separators: the text also holds each number (document,
personal, employer's) as :func:`credentials.holder_link.normalise_number` compares it, without
hyphens, spaces, dots or slashes, and a query word is also looked for in that form
(:func:`query_words`), so that "15037511111" and "150375.11111" find "150375-11111".

The text is made when a case is recorded; a change to :func:`search_text` needs a migration
that calls :func:`reindex` (as ``0006_case_search`` and ``0015`` do), or older cases keep the old text.

Folded alike, two document numbers are one (:func:`number_key`): the institution gives it to one
document only (``issuer_cases.number_key``, unique per institution, ``0010_document_numbers``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from credentials.holder_link import normalise_number
from credentials.pda1 import employers

__all__ = ["MAX_WORDS", "compact_number", "fold", "number_key", "person_shown", "query_forms", "query_words",
           "reindex", "search_text"]

#: Words of a query that count; more are ignored (a clerk types a number or a name or two).
MAX_WORDS = 5
_MAX_WORD = 60
_MAX_TEXT = 600
#: Latin letters with no decomposition to a base letter.
_SPELLED = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE",
                          "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ı": "i", "ħ": "h", "Ħ": "H",
                          "·": ""})  # Catalan l·l


def fold(text: str) -> str:
    """``text`` as searched: no accents, no case, single spaces, no invisible characters (a soft
    hyphen or a zero-width space pasted with a name, or a NUL no database takes)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED)).translate(_SPELLED)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c)[0] != "C")
    return " ".join(bare.casefold().split())


def number_key(number: object) -> str | None:
    """What tells one document number from another within an institution: the SHA-256 (hex) of the
    number folded as the clerks' search folds it, so that numbers a person reading them takes for
    one ("DEMO-A1-0001", "demo-a1-0001 ") are one; None for a case without a number. Hashed for a
    fixed length: folding may lengthen a number (ß to ss)."""
    folded = fold(number) if isinstance(number, str) else ""
    return hashlib.sha256(folded.encode("utf-8")).hexdigest() if folded else None


def compact_number(text: str) -> str | None:
    """``text`` (folded) as numbers are compared, without hyphens, spaces, dots or slashes
    (:func:`credentials.holder_link.normalise_number`); None when that changes nothing, or leaves nothing."""
    compact = normalise_number(text)
    folded = fold(compact) if compact else ""
    return folded if folded and folded != fold(text) else None


def search_text(claims: Mapping[str, Any], holder: Mapping[str, Any] | None, label: str) -> str:
    """What a case is found by: its label, document and personal numbers, the person's names
    (the holder's, a PID's own, an EHIC's represented person's) and each employer's name and number;
    then each number without its separators (:func:`compact_number`)."""
    subject = claims.get("subject")
    numbers = [claims.get("document_number"), claims.get("personal_administrative_number")]
    parts = [label, *numbers, claims.get("family_name"), claims.get("given_name")]
    if holder:
        parts += [holder.get("family_name"), holder.get("given_name")]
    if isinstance(subject, Mapping):
        parts += [subject.get("familynames"), subject.get("forenames")]
    for employer in employers(claims):
        parts += [employer.get("name"), employer.get("id")]
        numbers.append(employer.get("id"))
    # Last, so that a text cut at its length keeps the names rather than a second form of a number.
    parts += [compact_number(n) for n in numbers if isinstance(n, str)]
    return fold(" ".join(p for p in parts if isinstance(p, str)))[:_MAX_TEXT]


def reindex(bind: Connection, batch: int = 500, *, held_only: bool = False) -> None:
    """Make the search text of every case again (in batches, by id); ``held_only``: only of the cases
    whose personal data is held, an erased case's text staying erased (``erased_at``, from 0007)."""
    columns = [sa.column("id", sa.String), sa.column("claims", sa.JSON), sa.column("holder", sa.JSON),
               sa.column("label", sa.String), sa.column("search", sa.String)]
    if held_only:
        columns.append(sa.column("erased_at", sa.DateTime(timezone=True)))
    cases = sa.table("issuer_cases", *columns)
    last = ""
    while True:
        found = sa.select(cases.c.id, cases.c.claims, cases.c.holder, cases.c.label).where(cases.c.id > last)
        if held_only:
            found = found.where(cases.c.erased_at.is_(None))
        rows = bind.execute(found.order_by(cases.c.id).limit(batch)).all()
        if not rows:
            return
        bind.execute(cases.update().where(cases.c.id == sa.bindparam("case_id")),
                     [{"case_id": r.id, "search": search_text(r.claims or {}, r.holder, r.label or "")}
                      for r in rows])
        last = rows[-1].id


def query_words(query: str) -> list[str]:
    """The folded words of a clerk's query (at most :data:`MAX_WORDS`, each at most 60 characters)."""
    return [w[:_MAX_WORD] for w in fold(query).split()][:MAX_WORDS]


def query_forms(query: str) -> list[tuple[str, ...]]:
    """Per word of a clerk's query (:func:`query_words`), the forms it is found by: itself, and
    a word with separators also without them (:func:`compact_number`): "150375.11111" is found as
    "15037511111" too. A case matches when, for every word, its text holds one of the forms."""
    forms: list[tuple[str, ...]] = []
    for word in query_words(query):
        compact = compact_number(word)
        forms.append((word, compact) if compact else (word,))
    return forms


def _matches(value: object, forms: list[tuple[str, ...]]) -> bool:
    """Whether a word of the query (any of its :func:`query_forms`) is in ``value`` as it is searched."""
    if not isinstance(value, str) or not value.strip():
        return False
    texts = [fold(value)]
    compact = compact_number(value)
    if compact:
        texts.append(compact)
    return any(form in text for word in forms for form in word for text in texts)


def person_shown(configuration_id: str, claims: Mapping[str, Any], holder: Mapping[str, Any] | None,
                 query: str) -> dict[str, Any]:
    """Whom a case found by ``query`` is for, as a clerk's search results show it, to pick the right
    case among namesakes (GDPR Art. 5(1)(c), data minimisation: no more than that):

    * ``family_name``, ``given_name``, ``birthdate``: the person the document names: an EHIC's holder
      (Decision S2 fields 3-5), or on a card for a represented person (``subject``, a child's) that
      person, ``represented`` True; an A1's worker (the case's holder); a PID's own person. Absent when
      the case does not say (a card recorded before its holder was asked for).
    * of the other fields the search text holds (:func:`search_text`), only those a word of the query
      is in: ``personal_number``; ``employers`` (an A1's names, with the id when that matched);
      ``holder`` (on a represented person's card, the insured holder's names). The document number is
      the result's own label already.
    """
    forms = query_forms(query)
    out: dict[str, Any] = {}
    subject = claims.get("subject")
    if isinstance(subject, Mapping):
        person: Mapping[str, Any] = {"family_name": subject.get("familynames"), "given_name": subject.get("forenames"),
                                     "birthdate": subject.get("date_of_birth")}
        out["represented"] = True
        named = [holder.get(k) for k in ("given_name", "family_name")] if holder else []
        if any(_matches(n, forms) for n in named):
            out["holder"] = " ".join(n for n in named if isinstance(n, str) and n)
    elif holder:
        person = holder
    else:
        person = claims  # a PID names its own person; another case without a holder names no one
    for field in ("family_name", "given_name", "birthdate"):
        value = person.get(field)
        if isinstance(value, str) and value:
            out[field] = value
    number = claims.get("personal_administrative_number")
    if _matches(number, forms):
        out["personal_number"] = number
    matched = []
    for employer in employers(claims):
        name, employer_id = employer.get("name"), employer.get("id")
        if _matches(name, forms) or _matches(employer_id, forms):
            shown = name if isinstance(name, str) else ""
            if _matches(employer_id, forms) and isinstance(employer_id, str):
                shown = f"{shown} ({employer_id})" if shown else employer_id
            matched.append(shown)
    if matched:
        out["employers"] = matched
    return out
