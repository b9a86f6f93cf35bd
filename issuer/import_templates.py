"""The CSV import templates of an institution's back office: the columns of a document type, and an
example row that imports as it is at that institution (its own id and name as the issuing authority and
competent institution, its country as the issuing state and, on an A1, as the state whose legislation
applies: 987/2009 Art. 19(2); dates of issue today, a period that begins next month), with a holder and
an employer of that country.

A clerk fills the template in from their register, keeping the example's shape: an example of another
institution (a Latvian A1 at Deutsche Rentenversicherung) would be refused row by row for its
``legislation_country``, ``issuing_authority`` and ``authentic_source`` (the competence rule,
:func:`credentials.verification.competence_problem`).

Pure: the institution and today's date come in, the file's bytes go out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from credentials import ehic, pda1
from credentials.institutions import Entity
from issuer.rules import add_months

__all__ = ["COLUMNS", "FILES", "example_rows", "template_csv"]

#: configuration id -> the template's file name, served at ``/<institution path>/office/<file>``.
FILES = {pda1.CONFIGURATION_ID: "import-template.csv", ehic.CONFIGURATION_ID: "import-template-ehic.csv"}

_COMMON = ("configuration_id", "personal_administrative_number", "document_number", "issuing_authority.id",
           "issuing_authority.name", "issuing_authority.country", "issuing_country", "authentic_source.id",
           "authentic_source.name", "date_of_issuance")
#: configuration id -> the template's columns: the claim paths (issuer.service.unflatten), then the holder's
#: (an A1's section 1; the card's fields 3-5) and, on a card, a represented person's (a child's, Decision S1).
COLUMNS = {
    pda1.CONFIGURATION_ID: (*_COMMON, "date_of_expiry", "starting_date", "ending_date", "legislation_country",
                            "status_confirmation", "employer.id", "employer.name", "employer.country",
                            "work_address.street_address", "work_address.house_number", "work_address.postal_code",
                            "work_address.locality", "work_address.country", "holder.family_name",
                            "holder.given_name", "holder.birthdate"),
    ehic.CONFIGURATION_ID: (*_COMMON, "date_of_expiry", "starting_date", "ending_date", "holder.family_name",
                            "holder.given_name", "holder.birthdate", "subject.familynames", "subject.forenames",
                            "subject.date_of_birth"),
}


@dataclass(frozen=True, slots=True)
class _Person:
    family_name: str
    given_name: str
    birthdate: str
    number: str  # the personal number as that country's register writes it, marked DEMO


@dataclass(frozen=True, slots=True)
class _Sample:
    """One country's invented people and employer (every name and number marked as an example)."""

    worker: _Person  # an A1's holder
    employer_id: str
    employer_name: str
    #: Where the worker is posted to: street, house number, postal code, town, state (another state).
    abroad: tuple[str, str, str, str, str]
    insured: _Person  # a card's holder
    child: _Person  # the represented person of the holder's second card


_BERLIN = ("Hauptstraße", "1", "10115", "Berlin", "DE")
_SAMPLES = {
    "LV": _Sample(_Person("Paraugs", "Jānis", "1990-01-01", "DEMO-010190-99999"), "LV40000000009",
                  "Example Build SIA (demo)", _BERLIN,
                  _Person("Parauga", "Ilze", "1990-05-17", "DEMO-170590-99999"),
                  _Person("Paraugs", "Jānis", "2018-03-09", "DEMO-090318-99999")),
    "DE": _Sample(_Person("Mustermann", "Max", "1985-06-15", "DEMO-DE-150685-M999"), "DE999999999",
                  "Beispiel Montage GmbH (demo)", ("Mariahilfer Straße", "1", "1060", "Wien", "AT"),
                  _Person("Musterfrau", "Erika", "1986-08-12", "DEMO-DE-M986081299"),
                  _Person("Mustermann", "Paul", "2017-04-21", "DEMO-DE-P017042199")),
    "PL": _Sample(_Person("Nowak", "Piotr", "1987-02-14", "DEMO-87021499999"), "PL5259999999",
                  "Przykład Budowa Sp. z o.o. (demo)", _BERLIN,
                  _Person("Nowak", "Anna", "1989-09-23", "DEMO-89092399999"),
                  _Person("Nowak", "Zofia", "2016-05-30", "DEMO-16253099999")),
    "AT": _Sample(_Person("Mustermann", "Thomas", "1983-03-27", "DEMO-9999270383"), "ATU99999999",
                  "Beispiel Bau GmbH (demo)", ("Leopoldstraße", "1", "80802", "München", "DE"),
                  _Person("Musterfrau", "Maria", "1984-11-03", "DEMO-9998031184"),
                  _Person("Mustermann", "Lukas", "2015-07-19", "DEMO-9997190715")),
}


def _sample(country: str) -> _Sample:
    """The sample of ``country``; for a state without one of its own, invented names and numbers carrying
    its country code, the worker posted to Berlin (to Vienna from Germany)."""
    if country in _SAMPLES:
        return _SAMPLES[country]
    return _Sample(_Person("Example", "Alex", "1990-01-01", f"DEMO-{country}-010190-99"), f"{country}0000000009",
                   "Example Company (demo)", _BERLIN if country != "DE" else _SAMPLES["DE"].abroad,
                   _Person("Example", "Sam", "1990-05-17", f"DEMO-{country}-170590-99"),
                   _Person("Example", "Robin", "2018-03-09", f"DEMO-{country}-090318-99"))


def example_rows(entity: Entity, configuration_id: str, today: date) -> list[dict[str, str]]:
    """The template's example rows for ``entity`` on ``today``: an A1 of a posted worker (status 01, Art.
    12(1)) for twelve months from the first of next month; a card of the holder's own and one of a child
    they represent, valid five years less a day (:data:`credentials.ehic.VALID_MAX_YEARS`). KeyError for a
    type without a template."""
    sample, country = _sample(entity.country), entity.country
    institution = {"issuing_authority.id": entity.id, "issuing_authority.name": entity.name,
                   "issuing_authority.country": country, "issuing_country": country,
                   "authentic_source.id": entity.id, "authentic_source.name": entity.name,
                   "date_of_issuance": today.isoformat()}
    if configuration_id == pda1.CONFIGURATION_ID:
        start = add_months(today.replace(day=1), 1)
        worker, street = sample.worker, sample.abroad
        return [_row(configuration_id, {
            "personal_administrative_number": worker.number, "document_number": f"DEMO-A1-{country}-9001",
            **institution, "starting_date": start.isoformat(),
            "ending_date": (add_months(start, 12) - timedelta(days=1)).isoformat(), "legislation_country": country,
            "status_confirmation": "01", "employer.id": sample.employer_id, "employer.name": sample.employer_name,
            "employer.country": country, "work_address.street_address": street[0],
            "work_address.house_number": street[1], "work_address.postal_code": street[2],
            "work_address.locality": street[3], "work_address.country": street[4],
            **_holder(worker)})]
    if configuration_id != ehic.CONFIGURATION_ID:
        raise KeyError(configuration_id)
    expiry = (add_months(today, 12 * ehic.VALID_MAX_YEARS) - timedelta(days=1)).isoformat()
    card = {**institution, "date_of_expiry": expiry, **_holder(sample.insured)}
    child = sample.child
    return [_row(configuration_id, {**card, "personal_administrative_number": sample.insured.number,
                                    "document_number": f"DEMO-EHIC-{country}-9001"}),
            _row(configuration_id, {**card, "personal_administrative_number": child.number,
                                    "document_number": f"DEMO-EHIC-{country}-9002",
                                    "subject.familynames": child.family_name, "subject.forenames": child.given_name,
                                    "subject.date_of_birth": child.birthdate})]


def template_csv(entity: Entity, configuration_id: str, today: date) -> bytes:
    """The template of ``entity`` for ``configuration_id`` (:func:`example_rows`) as a UTF-8 CSV file, the
    header line first, as :func:`issuer.office.read_csv` reads it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[configuration_id], lineterminator="\n")
    writer.writeheader()
    writer.writerows(example_rows(entity, configuration_id, today))
    return out.getvalue().encode()


def _holder(person: _Person) -> dict[str, str]:
    return {"holder.family_name": person.family_name, "holder.given_name": person.given_name,
            "holder.birthdate": person.birthdate}


def _row(configuration_id: str, cells: dict[str, str]) -> dict[str, str]:
    """A row with every column of the type's template, in its order, empty where ``cells`` says nothing."""
    return {"configuration_id": configuration_id, **{c: cells.get(c, "") for c in COLUMNS[configuration_id][1:]}}
