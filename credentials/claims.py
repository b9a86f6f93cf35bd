"""Validation rules shared by the PDA1, EHIC and PID models (shared/domain.md, DC4EU rulebook v1.1).

Each function checks one value against one rule and returns it normalised, or raises
:class:`~credentials.errors.DataError` naming the dotted field and the rule in plain English, with
the rule's key and parameters (:func:`invalid`), by which a page says it in EN, LV, DE, FR or PL:
every rule's words are in :data:`RULE_TEXTS` (each model registers its own, :func:`register_rules`),
and in :mod:`credentials.i18n` as ``rule.<key>``.

A model checks its rules in one pass (:class:`Problems`): every independent rule a document breaks
is found at once, for a form or an import row to say them all (WCAG 2.2 SC 3.3.1, the GOV.UK error
summary pattern), and its ``validate`` raises the first, carrying the others (``DataError.others``).
A rule that rests on another field's value (an end not before its start) is skipped while that value
is itself broken: it could not be compared, and a second message about it would mislead.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Collection, Mapping
from datetime import date
from types import TracebackType
from typing import Any

from credentials import i18n
from credentials.countries import is_iso_code, is_supported
from credentials.errors import DataError

__all__ = [
    "BIRTH_MAX_YEARS",
    "RULE_TEXTS",
    "Problems",
    "birth_problem",
    "common_block",
    "country",
    "invalid",
    "iso_date",
    "no_unknown",
    "obj",
    "optional",
    "period",
    "person",
    "person_problems",
    "register_rules",
    "text",
]

#: rule key -> its words in (en, lv, de, fr, pl); ``{name}`` a parameter (a parameter ending in
#: ``field`` is a claim path, which a page shows by its label). The English text is the one the API
#: says (``DataError.rule``); a key is never reused for other words.
RULE_TEXTS: dict[str, tuple[str, str, str, str, str]] = {}


def register_rules(rules: Mapping[str, tuple[str, str, str, str, str]]) -> None:
    """Add rules (key -> words in the five languages) to :data:`RULE_TEXTS` and to the i18n catalogue."""
    RULE_TEXTS.update(rules)
    i18n.register({f"rule.{key}": dict(zip(i18n.LANGUAGES, texts, strict=True)) for key, texts in rules.items()})


def invalid(field: str, key: str, **params: str | int) -> DataError:
    """The DataError of rule ``key`` (of :data:`RULE_TEXTS`) broken at ``field``: its English words
    with ``params`` filled in, and the key and parameters for a page to say it in its language."""
    return DataError(field, RULE_TEXTS[key][0].format(**params), key=key, params=params)


class Problems:
    """The problems of one document found in one pass: each independent rule runs in its own
    ``with problems.rule():`` block, whose DataError is recorded (with any others it carries) and
    the pass goes on after the block. A rule that rests on a value read by an earlier block runs only
    where that value was read (its normalised value is in the output: ``if "ending_date" in out``),
    so that a broken field is named once, by its own rule.

    :meth:`raise_first` ends a ``validate``: the first problem, in the order the rules are checked
    (the one a check that stops at the first would raise), carrying the others.

    At most :attr:`LIMIT` are kept (all are counted, for :meth:`clean_since`): a row of an import file
    with thousands of unknown columns is told its first ones, and its report stays the size of the file's."""

    LIMIT = 25

    def __init__(self) -> None:
        self.found: list[DataError] = []
        self._seen = 0

    def __len__(self) -> int:
        """How many problems were found, those beyond :attr:`LIMIT` included."""
        return self._seen

    def rule(self) -> Problems:
        """A block checking one rule (or one field's rules); its DataError is recorded, not raised."""
        return self

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> bool:
        if isinstance(exc, DataError):
            self.add(exc)
            return True
        return False

    def add(self, error: DataError) -> None:
        """Record ``error`` and the others it carries (one flat list, in their order)."""
        found = error.problems
        error.others = ()
        self._seen += len(found)
        self.found.extend(found[:self.LIMIT - len(self.found)])

    def clean_since(self, mark: int) -> bool:
        """No problem was found since ``mark`` (``len(problems)`` taken before)."""
        return self._seen == mark

    def raise_first(self) -> None:
        """Raise the first problem found, carrying the others (``DataError.others``); nothing when none."""
        if self.found:
            first, *others = self.found
            first.others = tuple(others)
            raise first

    def an_object(self, claims: Any) -> bool:
        """Whether ``claims`` is an object, the problem recorded when not (and then no field can be read)."""
        with self.rule():
            obj(claims, "claims")
        return not self.found

    @classmethod
    def validated(cls, read: Reader, claims: Mapping[str, Any]) -> dict[str, Any]:
        """A document type's ``validate``: the claims as ``read`` normalises them, or DataError for the
        first problem it found, carrying the others (:meth:`raise_first`)."""
        found = cls()
        out = read(claims, found)
        found.raise_first()
        return out

    @classmethod
    def of(cls, read: Reader, claims: Mapping[str, Any]) -> list[DataError]:
        """A document type's ``problems``: every problem ``read`` finds in one pass, in its order."""
        found = cls()
        read(claims, found)
        return found.found


#: A document type's one pass over its claims: the claims normalised, each problem recorded (:class:`Problems`).
Reader = Callable[[Mapping[str, Any], Problems], dict[str, Any]]


register_rules({
    "text.type": ("must be text", "jābūt tekstam", "muss Text sein", "doit être du texte", "musi być tekstem"),
    "text.characters": ("must not contain control or text-direction characters",
                        "nedrīkst saturēt vadības vai teksta virziena rakstzīmes",
                        "darf keine Steuer- oder Textrichtungszeichen enthalten",
                        "ne doit pas contenir de caractères de contrôle ou de direction du texte",
                        "nie może zawierać znaków sterujących ani znaków kierunku tekstu"),
    "text.length": ("must be {lo} to {hi} characters", "jābūt no {lo} līdz {hi} rakstzīmēm",
                    "muss {lo} bis {hi} Zeichen lang sein", "doit comporter de {lo} à {hi} caractères",
                    "musi mieć od {lo} do {hi} znaków"),
    "country.supported": ("must be the two-letter code of an EU/EEA state, Switzerland or the UK",
                          "jābūt ES/EEZ valsts, Šveices vai Apvienotās Karalistes divu burtu kodam",
                          "muss der zweistellige Code eines EU-/EWR-Staates, der Schweiz oder des Vereinigten "
                          "Königreichs sein",
                          "doit être le code à deux lettres d'un État de l'UE/EEE, de la Suisse ou du Royaume-Uni",
                          "musi być dwuliterowym kodem państwa UE/EOG, Szwajcarii lub Wielkiej Brytanii"),
    "country.iso": ("must be a two-letter ISO 3166-1 country code", "jābūt divu burtu ISO 3166-1 valsts kodam",
                    "muss ein zweistelliger Ländercode nach ISO 3166-1 sein",
                    "doit être un code pays à deux lettres ISO 3166-1", "musi być dwuliterowym kodem kraju ISO 3166-1"),
    "date.format": ("must be a date written YYYY-MM-DD", "jābūt datumam formātā GGGG-MM-DD (piem., 2026-03-01)",
                    "muss ein Datum im Format JJJJ-MM-TT sein (z. B. 2026-03-01)",
                    "doit être une date au format AAAA-MM-JJ (p. ex. 2026-03-01)",
                    "musi być datą w formacie RRRR-MM-DD (np. 2026-03-01)"),
    "date.real": ("must be a real date written YYYY-MM-DD",
                  "jābūt esošam kalendāra datumam formātā GGGG-MM-DD (piem., 2026-03-01)",
                  "muss ein gültiges Kalenderdatum im Format JJJJ-MM-TT sein (z. B. 2026-03-01)",
                  "doit être une date existante au format AAAA-MM-JJ (p. ex. 2026-03-01)",
                  "musi być istniejącą datą w formacie RRRR-MM-DD (np. 2026-03-01)"),
    "date.too_late": ("must be before {limit}: a document covers a real period (an open end is not written "
                      "as 9999-12-31; leave an optional date empty)",
                      "jābūt datumam pirms {limit}: dokuments attiecas uz reālu laikposmu (beztermiņa beigas "
                      "neraksta kā 9999-12-31; neobligātu datumu atstājiet tukšu)",
                      "muss vor dem {limit} liegen: ein Dokument gilt für einen echten Zeitraum (ein offenes Ende "
                      "wird nicht als 9999-12-31 geschrieben; ein optionales Datum bleibt leer)",
                      "doit être antérieure au {limit} : un document couvre une période réelle (une fin ouverte "
                      "ne s'écrit pas 9999-12-31 ; laissez vide une date facultative)",
                      "musi być datą przed {limit}: dokument obejmuje rzeczywisty okres (otwartego końca nie "
                      "zapisuje się jako 9999-12-31; datę opcjonalną pozostaw pustą)"),
    "date.not_before": ("must not be before {other_field}", "nedrīkst būt pirms datuma {other_field}",
                        "darf nicht vor dem Datum {other_field} liegen", "ne doit pas précéder la date {other_field}",
                        "nie może przypadać przed datą {other_field}"),
    "date.years_after": ("must not be more than {years} years after {other_field}",
                         "nedrīkst būt vairāk nekā {years} gadus pēc datuma {other_field}",
                         "darf nicht mehr als {years} Jahre nach dem Datum {other_field} liegen",
                         "ne doit pas dépasser de plus de {years} ans la date {other_field}",
                         "nie może przypadać później niż {years} lat po dacie {other_field}"),
    "date.years_before": ("must not be more than {years} years before {other_field}",
                          "nedrīkst būt vairāk nekā {years} gadus pirms datuma {other_field}",
                          "darf nicht mehr als {years} Jahre vor dem Datum {other_field} liegen",
                          "ne doit pas précéder de plus de {years} ans la date {other_field}",
                          "nie może przypadać wcześniej niż {years} lat przed datą {other_field}"),
    "person.min_age": ("the person must be at least {years} years old on {other_field}",
                       "personai dienā {other_field} jābūt vismaz {years} gadus vecai",
                       "die Person muss am Datum {other_field} mindestens {years} Jahre alt sein",
                       "la personne doit avoir au moins {years} ans à la date {other_field}",
                       "osoba musi mieć co najmniej {years} lat w dniu {other_field}"),
    "date.not_after": ("must not be after {other_field}", "nedrīkst būt pēc datuma {other_field}",
                       "darf nicht nach dem Datum {other_field} liegen", "ne doit pas dépasser la date {other_field}",
                       "nie może przypadać po dacie {other_field}"),
    "object": ("must be an object", "jābūt objektam", "muss ein Objekt sein", "doit être un objet",
               "musi być obiektem"),
    "field.unknown": ("is not a field of this document", "nav šī dokumenta lauks", "ist kein Feld dieses Dokuments",
                      "n'est pas un champ de ce document", "nie jest polem tego dokumentu"),
    "field.required": ("is required", "šis lauks ir obligāts", "ist ein Pflichtfeld", "ce champ est obligatoire",
                       "to pole jest wymagane"),
    "boolean": ("must be true or false", "jābūt “true” vai “false”", "muss „true“ oder „false“ sein",
                "doit être « true » ou « false »", "musi mieć wartość „true” lub „false”"),
})

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
        raise invalid(field, "text.type")
    if lines:
        value = value.replace("\r\n", "\n")  # either line break of §5.1.1, kept as one
    if _NOT_IN_TEXT.search(value.replace("\n", "") if lines else value):
        raise invalid(field, "text.characters")
    stripped: str = value.strip()
    if not lo <= len(stripped) <= hi:
        raise invalid(field, "text.length", lo=lo, hi=hi)
    return stripped


def country(value: Any, field: str) -> str:
    if not isinstance(value, str) or not is_supported(value.upper()):
        raise invalid(field, "country.supported")
    return value.upper()


def any_country(value: Any, field: str) -> str:
    """A nationality or birthplace: any state's ISO 3166-1 alpha-2 code."""
    if not isinstance(value, str) or not is_iso_code(value.upper()):
        raise invalid(field, "country.iso")
    return value.upper()


def iso_date(value: Any, field: str) -> str:
    if isinstance(value, date):
        return str(value.isoformat())
    if not isinstance(value, str) or len(value) != 10:
        raise invalid(field, "date.format")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise invalid(field, "date.real") from exc


#: The first day no document date may be on [project]: no social security document is issued for
#: centuries, and a back office's "no end" (9999-12-31) is refused by name rather than signed.
DATES_END = date(2200, 1, 1)


def document_date(value: Any, field: str) -> str:
    """A date of the document itself (issue, expiry, period): :func:`iso_date`, before :data:`DATES_END`."""
    out = iso_date(value, field)
    if out >= DATES_END.isoformat():
        raise invalid(field, "date.too_late", limit=DATES_END.isoformat())
    return out


def obj(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise invalid(field, "object")
    return value


def no_unknown(claims: Mapping[str, Any], allowed: Collection[str], prefix: str = "",
               problems: Problems | None = None) -> None:
    """DataError for the first field not ``allowed`` (in name order); with ``problems``, each is recorded there."""
    # As text: decoded CBOR may have integer or byte-string keys, which neither sort with text nor join it.
    unknown = sorted(str(name) for name in set(claims) - set(allowed))
    if not unknown:
        return
    if problems is None:
        raise invalid(prefix + unknown[0], "field.unknown")
    for name in unknown:
        problems.add(invalid(prefix + name, "field.unknown"))


def required(claims: Mapping[str, Any], field: str, prefix: str = "") -> Any:
    if claims.get(field) in (None, ""):
        raise invalid(prefix + field, "field.required")
    return claims[field]


def optional(claims: Mapping[str, Any], field: str) -> bool:
    return claims.get(field) not in (None, "")


def period(start: str, end: str, start_field: str, end_field: str) -> None:
    if start > end:
        raise invalid(end_field, "date.not_before", other_field=start_field)


def years_after(day: str, years: int) -> str:
    """The day ``years`` years after ``day`` (YYYY-MM-DD), its anniversary: 28 February for a 29th
    in a year without one."""
    d = date.fromisoformat(day)
    year = d.year + years
    if not date.min.year <= year <= date.max.year:
        return (date.max if years > 0 else date.min).isoformat()
    return date(year, d.month, 28 if (d.month, d.day) == (2, 29) and not calendar.isleap(year) else d.day).isoformat()


def within_months(start: str, end: str, months: int) -> bool:
    """Does the period ``start``..``end`` (both days included) last at most ``months`` calendar
    months? 1 March 2025 to 28 February 2027 is 24 months; to 1 March 2027 one day more. A start on
    a day the last month lacks counts to that month's end (31 January + 1 month: 28 February)."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    year, month = divmod(a.month - 1 + months, 12)
    year, month = a.year + year, month + 1
    if year > date.max.year:  # the months end past the last day a date can hold, so any end is within
        return True
    last = calendar.monthrange(year, month)[1]
    if a.day > last:  # the month has no such day: the period runs to that month's end, inclusive
        return b <= date(year, month, last)
    return b < date(year, month, a.day)


def _id_name(value: Any, field: str, *, with_country: bool, problems: Problems) -> dict[str, str] | None:
    """An institution (``id``, ``name``, ``country``), each member's problems recorded in ``problems``;
    None when any was found."""
    mark = len(problems)
    out: dict[str, str] = {}
    with problems.rule():
        o = obj(value, field)
        no_unknown(o, ("id", "name", "country"), field + ".", problems)
        with problems.rule():
            out["id"] = text(required(o, "id", field + "."), field + ".id", 1, 20)
        with problems.rule():
            out["name"] = text(required(o, "name", field + "."), field + ".name", 1, 100)
        with problems.rule():
            if with_country:
                out["country"] = country(required(o, "country", field + "."), field + ".country")
            elif optional(o, "country"):
                out["country"] = country(o["country"], field + ".country")
    return out if problems.clean_since(mark) else None


def common_block(claims: Mapping[str, Any], problems: Problems | None = None) -> dict[str, Any]:
    """The common block of PDA1 and EHIC, validated; dates kept as YYYY-MM-DD strings.

    With ``problems``, every problem is recorded there and the fields read are returned (a broken one
    left out, and the rules comparing it skipped); without, the first problem is raised."""
    found = Problems() if problems is None else problems
    out: dict[str, Any] = {}
    with found.rule():
        out["personal_administrative_number"] = text(required(claims, "personal_administrative_number"),
                                                     "personal_administrative_number", 4, 50)
    with found.rule():
        authority = _id_name(required(claims, "issuing_authority"), "issuing_authority", with_country=True,
                             problems=found)
        if authority is not None:
            out["issuing_authority"] = authority
    with found.rule():
        out["issuing_country"] = country(required(claims, "issuing_country"), "issuing_country")
    with found.rule():
        source = _id_name(required(claims, "authentic_source"), "authentic_source", with_country=False,
                          problems=found)
        if source is not None:
            out["authentic_source"] = source
    with found.rule():
        out["document_number"] = text(required(claims, "document_number"), "document_number", 4, 50)
    with found.rule():
        out["date_of_issuance"] = document_date(required(claims, "date_of_issuance"), "date_of_issuance")
    for name in COMMON_OPTIONAL:
        if optional(claims, name):
            with found.rule():
                out[name] = document_date(claims[name], name)
    with found.rule():
        if "date_of_expiry" in out and "date_of_issuance" in out:
            period(out["date_of_issuance"], out["date_of_expiry"], "date_of_issuance", "date_of_expiry")
    with found.rule():
        if "starting_date" in out and "ending_date" in out:
            period(out["starting_date"], out["ending_date"], "starting_date", "ending_date")
    with found.rule():
        if "date_of_expiry" in out and "starting_date" in out:
            # A document that expires before the period it covers begins is never valid on any day of it.
            period(out["starting_date"], out["date_of_expiry"], "starting_date", "date_of_expiry")
    if problems is None:
        found.raise_first()
    return out


#: The oldest a person on a document may be on its date of issue [project]: a birth date further back
#: (1850, 1095 for 1995) is a typing mistake; the oldest person on record lived 122 years.
BIRTH_MAX_YEARS = 120


def birth_problem(born: str, issued: str | None, field: str) -> DataError | None:
    """The rule a birth date ``born`` at ``field`` breaks against the document's date of issue
    ``issued`` (all YYYY-MM-DD): after it, or more than :data:`BIRTH_MAX_YEARS` before it; None when
    it breaks neither (or no date of issue is known)."""
    if issued is None:
        return None
    if born > issued:
        return invalid(field, "date.not_after", other_field="date_of_issuance")
    if years_after(born, BIRTH_MAX_YEARS) < issued:
        return invalid(field, "date.years_before", years=BIRTH_MAX_YEARS, other_field="date_of_issuance")
    return None


def person(holder: Any, issued: str | None = None, problems: Problems | None = None, *,
           started: str | None = None, min_age: int = 0) -> dict[str, str]:
    """The person a document is for, as a case records them beside its claims (an EHIC's Decision S2
    card fields 3-5, an A1's paper copy): ``family_name`` and ``given_name`` (1 to 100 characters)
    and ``birthdate``, all three at ``holder.*``; a birth date not after the document's date of issue
    ``issued`` (a typing mistake, refused as a child's on its card is), nor more than
    :data:`BIRTH_MAX_YEARS` before it, nor after the first day of the period it certifies ``started``
    (an A1's ``starting_date``, issued afterwards for a period already begun: nobody works, nor is
    insured, before being born), and the person ``min_age`` years old at least on that first day (or,
    without one, on the date of issue): an A1's worker (:data:`credentials.pda1.WORKER_MIN_AGE`). With
    ``problems``, every problem is recorded there and the fields read are returned; without, the first
    is raised."""
    found = Problems() if problems is None else problems
    out: dict[str, str] = {}
    with found.rule():
        o = obj(holder, "holder")
        no_unknown(o, ("family_name", "given_name", "birthdate"), "holder.", found)
        with found.rule():
            out["family_name"] = text(required(o, "family_name", "holder."), "holder.family_name", 1, 100)
        with found.rule():
            out["given_name"] = text(required(o, "given_name", "holder."), "holder.given_name", 1, 100)
        with found.rule():
            out["birthdate"] = iso_date(required(o, "birthdate", "holder."), "holder.birthdate")
        with found.rule():
            born = out.get("birthdate")
            problem = birth_problem(born, issued, "holder.birthdate") if born else None
            if problem is not None:
                raise problem
            if started is not None and born and born > started:
                raise invalid("holder.birthdate", "date.not_after", other_field="starting_date")
            aged_on = ("starting_date", started) if started is not None else ("date_of_issuance", issued)
            if min_age and born and aged_on[1] is not None and years_after(born, min_age) > aged_on[1]:
                raise invalid("holder.birthdate", "person.min_age", years=min_age, other_field=aged_on[0])
    if problems is None:
        found.raise_first()
    return out


def person_problems(holder: Any, claims: Mapping[str, Any], *, min_age: int = 0) -> list[DataError]:
    """Every problem of the person a case of ``claims`` is for (:func:`person`, ``min_age`` as there),
    the date of issue and the period's start compared only where the claims give real ones (a broken
    one is the claims' own problem)."""
    found = Problems()
    person(holder, _real_date(claims, "date_of_issuance"), found, started=_real_date(claims, "starting_date"),
           min_age=min_age)
    return found.found


def _real_date(claims: Any, name: str) -> str | None:
    """The claims' date ``name`` where it is a real one, else None (a broken one is the claims' own
    problem, said at its field)."""
    try:
        return iso_date(claims.get(name), name) if isinstance(claims, Mapping) and claims.get(name) else None
    except DataError:
        return None
