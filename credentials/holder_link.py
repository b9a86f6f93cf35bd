"""The holder link: are the A1 (or EHIC) and the PID presented together the same person's documents?

shared/domain.md: the PDA1 and the EHIC carry only the holder's ``personal_administrative_number``
("1 holder"; EHIC field 6); the name, birth date and portrait the inspector looks at come "from the
PID" (rulebook PDA1 use case §4.1: the document *and* the PID in one request). Nothing else ties
the two: both key bindings cover the same nonce and audience, which proves one wallet presented
them, not that they are one person's. A wallet holding person B's A1 (an offer code passed on) and
its owner A's PID would otherwise show A's face beside B's A1. So both documents now name their holder
too (:mod:`credentials.holder_names`), compared below where no number ties them.

The PID Rulebook (ARF Annex 3.01) §2.3 has the optional ``personal_administrative_number`` ("a value
assigned to the natural person that is unique among all personal administrative numbers issued by
the provider of person identification data"; mdoc element of the same name, §3.1.1), of the PID's
``issuing_country`` (§2.4). Where a state uses one number for both (Latvia's personal code,
Poland's PESEL), the document's and the PID's are compared; numbers of two national systems (a
Polish PESEL and a German number) never are.

Selective disclosure lets a wallet leave the PID's number out (the inspections offer claim sets
without it, for PIDs that have none), and the verifier cannot tell "not shown" from "none". So the
verifier's policy names the states whose PIDs carry the same personal number as their A1s and EHICs
(``number_states``; the pilot's verifier: Latvia and Poland, ``ESSPASS_VERIFIER_PID_NUMBER_STATES``):
beside a document of such a state, a PID of that state not showing its number leaves the link
undetermined (WITHHELD), never "presented by the same wallet".

A PID that does not show its ``issuing_country`` (an mdoc PID shows element by element) is of its
provider's state: the trust list names the provider's country, and the competence rule
(:func:`credentials.verification.competence_problem`) holds a provider to its own state's PIDs. Only
when that is not known either (a caller without the trust list's answer) could the PID be any
state's, and a listed state's document beside it is WITHHELD.

An EHIC also names its holder (Decision S2 fields 3-5, :func:`credentials.ehic.with_holder`), and
so does an A1 signed from :data:`credentials.pda1.HOLDER_SIGNED_FROM` (section 1,
:func:`credentials.pda1.with_holder`; QA finding F1: a German A1 beside a German PID, which has no
personal number, was tied by the wallet alone). What follows of the card holds for the A1 alike: where
no personal number ties it to the PID, its surname, given names and birth date are compared with the
PID's (:func:`same_names`), and a card naming another person is NAME_MISMATCH (a card lent, or an
offer code passed on: "valid" under the PID's name, the desk would bill the institution under the
wrong name). The same personal number beats the names (a card issued before a marriage keeps the
former surname). Names alone are no proof: a father and his son, or two women of one family, may
share a surname and given names (by the subset rule, "Anna Ozola" and "Anna Marija Bērziņa-Ozola"),
so the card names the PID's person (SAME_NAME) only when its birth date was compared too and agrees
(pentest R5, finding 2). An mdoc card's names can be withheld (every element is withholdable,
ISO/IEC 18013-5 §8.3.2.1.2.2, and its MSO does not say which elements it has): one signed from
:data:`credentials.ehic.HOLDER_SIGNED_FROM` not showing all three beside a PID leaves the link
undetermined (NAMES_WITHHELD), as a PID withholding its number does (WITHHELD). "Signed from" is
the issuer's signing time (the MSO's ``validityInfo.signed``, ISO/IEC 18013-5 §9.1.2.4; an SD-JWT
VC's ``iat``), which the institution signs and the holder cannot change, never the card's
``date_of_issuance``: that is case data a clerk types (the date the card was issued, a replacement
keeping the old card's), and a card dated before the cutover is signed with its names whenever it
is signed again (security review R9, finding 1).

Our issuers sign an SD-JWT VC card's names as plain claims (``sd: never``, :mod:`credentials.ehic`),
but type metadata is advice: another state's issuer may make them selectively disclosable, and decoy
digests (RFC 9901 §4.2.5) keep a verifier from telling a claim withheld from one never there. So an
SD-JWT VC card is judged the same way: one signed from the cutover showing no names beside a PID is
NAMES_WITHHELD too (security review R9, finding 3; also a card issued then without the names
Decision S2 requires). One signed before it had none to show, and is linked as before.

Pure: :func:`link` takes the verified claims of both (ours, an mdoc's and an EUDI-model A1's read
into our names by :mod:`credentials.verification`) and the policy, and says which of five outcomes
holds, with one sentence that carries no personal data. The caller runs it only on credentials that
passed their own checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from credentials import countries, ehic, pda1

__all__ = ["MISMATCH", "NAMES_WITHHELD", "NAME_MISMATCH", "PID_NAMES_WITHHELD", "REPRESENTED", "SAME_NAME",
           "SAME_NUMBER", "SAME_WALLET", "WITHHELD", "Link", "link", "normalise_name", "normalise_number", "same_names"]

#: Outcomes. Only MISMATCH and NAME_MISMATCH say the documents are not one person's; WITHHELD and
#: NAMES_WITHHELD that it cannot be told.
SAME_NUMBER, MISMATCH, REPRESENTED, SAME_WALLET, WITHHELD = (
    "same_number", "mismatch", "represented", "same_wallet", "withheld")
#: An EHIC's or A1's names and birth date (fields 3-5, section 1) are the PID's / are not.
SAME_NAME, NAME_MISMATCH = "same_name", "name_mismatch"
#: An EHIC or A1 that should name its holder (signed from its type's cutover) shown without its names.
NAMES_WITHHELD = "names_withheld"
#: A PID not showing the names (surname, given names, date of birth) the document beside it shows: a
#: relying party's own query not asking for them (the inspections always do). Undetermined: the names
#: are what ties the two where no number does (security review R25).
PID_NAMES_WITHHELD = "pid_names_withheld"

#: What national systems and clerks write inside one number: spaces (any Unicode white space),
#: hyphens and dashes, dots, slashes. NFKC first folds full-width and compatibility forms to these.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212./]+")


@dataclass(frozen=True, slots=True)
class Link:
    outcome: str  # one of the outcomes above
    message: str

    @property
    def holds(self) -> bool:
        """False only when the documents are shown not to be one person's."""
        return self.outcome not in (MISMATCH, NAME_MISMATCH)


#: Latin letters with no decomposition to a base letter, spelled as the clerks' search spells them
#: (issuer/case_search.py ``fold``), so that "Łukasz" on a card typed as "Lukasz" is one name.
_SPELLED = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "æ": "ae", "Æ": "AE",
                          "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH", "ı": "i", "ħ": "h", "Ħ": "H"})
#: What separates the names within one field: spaces, hyphens and dashes, apostrophes, dots, commas.
_NAME_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212'\u2019.,·]+")
#: The letters machine-readable travel documents write out (ICAO Doc 9303 Part 3 §6: Ä AE, Ö OE, Ü UE,
#: Å AA, Ø OE, Æ AE), as registers without those letters spell them ("Schaefer" for "Schäfer"): the
#: second letter of AE, OE, UE and AA is dropped from every name, of both documents alike, once accents
#: are (so "Schäfer", "Schaefer" and "Schafer" are one name; "Sørensen" and "Soerensen" too).
_TRANSLITERATED = re.compile(r"(?<=[aou])e|(?<=a)a")


def normalise_name(value: Any) -> tuple[str, ...]:
    """A name field as compared: its names, each without accents (NFKD, combining marks dropped, the
    letters that do not decompose spelled out, as the clerks' search folds names) and case folded,
    split at spaces, hyphens and apostrophes ("Bērziņa-Ozola" -> ("berzina", "ozola")), each with the
    travel documents' transliterations folded (:data:`_TRANSLITERATED`: "Schaefer" -> "schafer", as
    "Schäfer"). Empty when there is nothing to compare (absent, not text)."""
    if not isinstance(value, str):
        return ()
    decomposed = unicodedata.normalize("NFKD", value.translate(_SPELLED)).translate(_SPELLED)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch)[0] != "C")
    return tuple(_TRANSLITERATED.sub("", n) for n in _NAME_SEPARATORS.split(bare.casefold()) if n)


def _names_agree(a: Any, b: Any) -> bool | None:
    """One name field of both (surname, given names): the same person's when the names of one are all
    among the other's (a card printing "Anna" and a PID "Anna Marija", a surname of two parts written
    with one); None when either has none to compare."""
    x, y = set(normalise_name(a)), set(normalise_name(b))
    if not x or not y:
        return None
    return x <= y or y <= x


def same_names(card: Mapping[str, Any], person: Mapping[str, Any]) -> bool | None:
    """Whether the EHIC's fields 3-5 or the A1's section 1 (``card``: ``family_name``, ``given_name``,
    ``birthdate``, as :func:`credentials.holder_names.shown` reads them) name the PID's person (``person``, the
    PID's SD-JWT VC claim names): False when a field both show disagrees (the birth date exactly, the names as
    :func:`_names_agree` compares them); True only when both the surname and the birth date were compared and
    agree (and the given names, where both show them); None otherwise, when what agrees is no proof: names
    without a birth date are a namesake's as well (a father's card, a relative's by the subset rule), a birth
    date without a surname anyone's born that day."""
    surname, given = (_names_agree(card.get(f), person.get(f)) for f in ("family_name", "given_name"))
    born, theirs = card.get("birthdate"), person.get("birthdate")
    same_day = born.strip() == theirs.strip() if isinstance(born, str) and isinstance(theirs, str) else None
    if False in (surname, given, same_day):
        return False
    return True if surname and same_day else None


def normalise_number(value: Any) -> str | None:
    """A personal number as compared: Unicode NFKC, case folded, spaces, hyphens, dots and slashes
    removed. None when there is no number to compare (absent, not text, or nothing but separators)."""
    if not isinstance(value, str):
        return None
    folded = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value).casefold())
    return folded or None


def _country(value: Any) -> str | None:
    # EL/GR and UK/GB are one state each (domain.md "Scope"), in any letter case.
    return countries.normalise(value.strip().upper()) if isinstance(value, str) and value.strip() else None


def link(document_vct: str, document: Mapping[str, Any], person: Mapping[str, Any],
         number_states: Collection[str] = (), *, pid_provider_country: str | None = None,
         withholdable: bool = False, signed_at: datetime | None = None) -> Link:
    """How the document of type ``document_vct`` (claims ``document``) is tied to the PID (claims
    ``person``), both as verified. ``number_states``: the states (ISO codes; EL/GR, UK/GB alike, any
    case) whose PIDs carry the personal number their A1s and EHICs carry (the verifier's policy).
    ``pid_provider_country``: the PID provider's state on the trust list, the PID's state when it does
    not show its ``issuing_country``. ``withholdable``: an EHIC's fields 3-5 (an A1's names) may have been left out
    of this presentation (an mdoc, whose every element is; an SD-JWT VC card another issuer made them
    selectively disclosable in, module docstring). ``signed_at``: when the issuer signed the card (the
    MSO's ``validityInfo.signed``, the SD-JWT VC's ``iat``); unknown, it may be from the cutover.

    * An EHIC naming a ``subject`` is the card of someone the holder represents (a child): its number
      is theirs, so it is not compared (REPRESENTED).
    * A document showing no number: SAME_WALLET, which is all that can be said.
    * Both numbers there and the PID's ``issuing_country`` (or its provider's) the document's: SAME_NUMBER
      when equal once normalised (:func:`normalise_number`), else MISMATCH.
    * A document of a state of ``number_states`` beside a PID of that state showing no number, or a PID
      whose state is not known (neither shown nor its provider's given): WITHHELD (the PID may hold the
      number and not have shown it).
    * Otherwise (no number on the PID, or the PID another state's): SAME_WALLET.

    Where no number ties an EHIC or A1 to the PID (every case but SAME_NUMBER and MISMATCH), its
    fields 3-5 (the A1's section 1) where it shows them: NAME_MISMATCH when they name another person than the PID
    (:func:`same_names`), before WITHHELD (whatever the PID withheld, the card is not its person's);
    SAME_NAME instead of SAME_WALLET when they name the PID's person (surname and birth date compared).
    A ``withholdable`` card of the holder's own signed from :data:`credentials.ehic.HOLDER_SIGNED_FROM`,
    an A1 from :data:`credentials.pda1.HOLDER_SIGNED_FROM` (``signed_at``, or when that is not known), that does
    not show all three: NAMES_WITHHELD, undetermined, since it had them and the holder left them out (WITHHELD
    where the PID withheld its number as well); one signed before it is linked as before. Its
    ``date_of_issuance`` does not count: a clerk types it (module docstring). A PID not showing one of the
    names the document shows: PID_NAMES_WITHHELD, undetermined (the names are all that tie them).
    """
    module = ehic if document_vct in (ehic.VCT, *ehic.ALIASES) else pda1
    name = "EHIC" if module is ehic else "A1"
    found = _by_number(name, document, person, number_states, pid_provider_country)
    if found.outcome in (REPRESENTED, SAME_NUMBER, MISMATCH):
        return found
    shown = module.holder_of(document)
    names = same_names(shown, person)
    if names is False:
        return Link(NAME_MISMATCH, f"The {name} names another person than the PID (surname, given names or date of "
                                   f"birth differ): it is not the {_WHOSE[name]} of the person shown.")
    if withholdable and len(shown) < len(module.HOLDER_CLAIMS) and _names_signed(signed_at, module.HOLDER_SIGNED_FROM) \
            and found.outcome != WITHHELD:  # both undetermined: the PID's withheld number is said
        carried = "it carries" if module is ehic else "of its holder"  # another issuer's A1 may have none
        return Link(NAMES_WITHHELD, f"The {name} did not show the surname, given names and date of birth {carried}, "
                                    "so it cannot be tied to the person of the PID.")
    if found.outcome == SAME_WALLET and shown and not all(_shows(person, field) for field in shown):
        # A PID must carry all three (PID Rulebook §2.2): not shown, the document cannot be tied by them.
        return Link(PID_NAMES_WITHHELD, f"The PID did not show the surname, given names and date of birth the "
                                        f"{name} names, so the {name} cannot be tied to the person shown.")
    if names and found.outcome == SAME_WALLET:
        if "given_name" in shown and isinstance(person.get("given_name"), str):
            return Link(SAME_NAME, f"The {name} names the person of the PID: the same surname, given names and date "
                                   "of birth.")
        return Link(SAME_NAME, f"The {name} names the person of the PID: the same surname and date of birth (given "
                               "names not compared).")
    return found


#: What the document is to its holder, in :func:`link`'s sentences.
_WHOSE = {"EHIC": "card", "A1": "A1"}


def _shows(person: Mapping[str, Any], field: str) -> bool:
    """Whether the PID shows ``field`` (a name or ``birthdate``) with something in it."""
    value = person.get(field)
    return isinstance(value, str) and bool(value.strip())


def _names_signed(signed_at: datetime | None, cutover: date) -> bool:
    """Whether the document was signed from the day its type's holder names are signed into every one
    (``cutover``: :data:`credentials.ehic.HOLDER_SIGNED_FROM` for the holder's own
    card, :data:`credentials.pda1.HOLDER_SIGNED_FROM`), by the issuer's signing time as a UTC day; one
    whose signing time is not known may have been."""
    if signed_at is None:
        return True
    day = signed_at.date() if signed_at.tzinfo is None else signed_at.astimezone(UTC).date()
    return day >= cutover


def _by_number(name: str, document: Mapping[str, Any], person: Mapping[str, Any], number_states: Collection[str],
               pid_provider_country: str | None) -> Link:
    """:func:`link` by the personal numbers alone (and an EHIC's represented person)."""
    if name == "EHIC" and document.get("subject") is not None:
        return Link(REPRESENTED, "The EHIC is the card of someone the holder represents (the insured person it "
                                 "names), so its personal number is not compared with the PID's; both were "
                                 "presented together by the same wallet.")
    ours, theirs = (normalise_number(document.get("personal_administrative_number")),
                    normalise_number(person.get("personal_administrative_number")))
    state = _country(document.get("issuing_country"))
    pid_state = _country(person.get("issuing_country")) or _country(pid_provider_country)
    if ours is None:
        return Link(SAME_WALLET, f"The {name} and the PID were presented together by the same wallet; the {name} "
                                 "shows no personal number to match with the PID's.")
    if state is not None and state == pid_state and theirs is not None:
        if ours == theirs:
            return Link(SAME_NUMBER, f"The {name} and the PID carry the same personal number.")
        return Link(MISMATCH, f"The {name} and the PID carry different personal numbers: they are not the same "
                              f"person's documents.")
    if state is not None and state in {c for c in map(_country, number_states) if c is not None}:
        where = countries.name(state) if countries.is_supported(state) else state
        if pid_state is None:
            return Link(WITHHELD, f"The PID did not show its issuing country: a PID of {where} carries the holder's "
                                  f"personal number, so the {name} of {where} cannot be tied to the person shown.")
        if pid_state == state:
            return Link(WITHHELD, f"A PID of {where} carries the holder's personal number, but this one did not "
                                  f"show it, so the {name} cannot be tied to the person shown.")
    return Link(SAME_WALLET, f"The {name} and the PID were presented together by the same wallet; the PID shows no "
                             f"personal number of the {name}'s issuing country to match, so only the wallet ties "
                             "them.")
