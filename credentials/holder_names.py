"""The holder a document names: section 1 of the A1, fields 3-5 of the EHIC (surname, given names,
date of birth), signed into the document from the holder the institution recorded.

domain.md left them to the PID ("name, birth date ... from the PID"), but nothing else ties a
document to the PID beside it when their personal numbers are of two national systems, or the PID
has none (a German or Austrian PID): both key bindings prove one wallet presented them, not that
they are one person's. A wallet holding person B's document (an offer code passed on) and its owner
A's PID would be "valid" under A's name and face (pentest R5 for the EHIC; QA finding F1 for the
A1). With the names signed in, :mod:`credentials.holder_link` compares them with the PID's.

They carry the PID Rulebook's names (ARF Annex 3.01 §2.2 ``family_name``, ``given_name``,
``birth_date``, the mdoc element names; standards.md §10.1's EHIC example), and are never
selectively disclosable (``sd: never``): a verifier cannot tell a claim withheld from one the
document never had (SD-JWT VC §3.2.2.2), so names that could be left out would make the link
skippable. The paper forms print them (the A1's section 1, the card's fields 3-5).

Each document type has its cutover (``HOLDER_SIGNED_FROM`` of :mod:`credentials.ehic` and
:mod:`credentials.pda1`): the day of the release from which our issuers sign them into every
document of that type, judged by the issuer's signing time, never a date a clerk types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials.type_metadata import ClaimInfo

__all__ = ["CLAIMS", "CLAIM_INFO", "full_name", "shown", "signed"]

#: The document's claim -> the case holder's field it is made from (issuer.service ``_holder``: a
#: PID's SD-JWT VC names, ``birthdate``).
CLAIMS = {"family_name": "family_name", "given_name": "given_name", "birth_date": "birthdate"}

#: Their SD-JWT VC type metadata: labels as the paper forms print them, never selectively disclosable,
#: not mandatory (a document signed before its type's cutover lacks them).
CLAIM_INFO = (
    ClaimInfo(("family_name",), ("Surname", "Uzvārds", "Name", "Nom", "Nazwisko"), False, "never"),
    ClaimInfo(("given_name",), ("Given names", "Vārdi", "Vornamen", "Prénoms", "Imiona"), False, "never"),
    ClaimInfo(("birth_date",), ("Date of birth", "Dzimšanas datums", "Geburtsdatum", "Date de naissance",
              "Data urodzenia"), False, "never"),
)


def signed(claims: Mapping[str, Any], holder: Mapping[str, Any] | None) -> dict[str, Any]:
    """``claims`` with the names and birth date of ``holder`` (``family_name``, ``given_name``,
    ``birthdate``) as the document carries them, first, as the paper forms print them (a wallet lists
    a document's claims in their order); unchanged unless all three are given (a document prints them
    all)."""
    values = {claim: holder.get(field) for claim, field in CLAIMS.items()} if holder else {}
    if not values or not all(isinstance(x, str) and x.strip() for x in values.values()):
        return dict(claims)
    return {**values, **{k: v for k, v in claims.items() if k not in values}}


def shown(claims: Mapping[str, Any]) -> dict[str, str]:
    """The holder's fields the document shows (any of them; none on one signed before its type's
    cutover, or withheld), under the PID's SD-JWT VC names (``birthdate``): what the holder link
    compares with the PID and an offline form's holder fields are."""
    return {field: claims[claim] for claim, field in CLAIMS.items() if isinstance(claims.get(claim), str)}


def full_name(claims: Mapping[str, Any]) -> str | None:
    """Whom the document names as its holder, in words: given names, then surname ("Tobias Krause"), as
    :func:`shown` has them; None for a document naming no holder of its own (signed before its type's
    cutover)."""
    named = shown(claims)
    words = " ".join(named[k].strip() for k in ("given_name", "family_name") if named.get(k, "").strip())
    return words or None
