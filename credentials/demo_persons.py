"""Fictitious people for the pilot: a PID, a PDA1 case and an EHIC case each.

A PID carries the person's ``personal_administrative_number`` (PID Rulebook §2.3) where the state
has one number for the PID and the A1 (Latvia, Poland), so the inspection links them
(credentials/holder_link.py); Lena's German PID carries none, so the demo shows both outcomes.

Each person's EHIC is of the state whose legislation their A1 applies (883/2004 Art. 11(1): one
legislation, whose competent institution insures them for sickness and issues the card, Decision S1;
Art. 19): Anna's Latvian (NVD), Jan's Polish (NFZ), Lena's German (her health insurance fund, TK).

Every name and number here is invented; document numbers start with ``DEMO``. Portraits are
drawn on demand (:func:`portrait`), never at import.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = ["DEMO_PERSONS", "DemoPerson", "portrait"]


@dataclass(frozen=True, slots=True)
class DemoPerson:
    key: str
    pid_provider: str  # entity id of the demo PID provider
    pid: dict[str, Any]
    pda1_issuer: str
    pda1: dict[str, Any]
    ehic_issuer: str
    ehic: dict[str, Any]
    colour: tuple[int, int, int]

    @property
    def holder(self) -> dict[str, str]:
        """The holder of this person's cases (an A1's section 1, an EHIC's card fields 3-5): the PID's names
        and birth date."""
        return {k: self.pid[k] for k in ("family_name", "given_name", "birthdate")}


def _period(months: int) -> tuple[str, str]:
    start = datetime.now(UTC).date().replace(day=1) - timedelta(days=31)
    start = start.replace(day=1)
    end_year, end_month = divmod(start.month - 1 + months, 12)
    end = date(start.year + end_year, end_month + 1, 1) - timedelta(days=1)
    return start.isoformat(), end.isoformat()


def _issued() -> str:
    return (datetime.now(UTC).date() - timedelta(days=40)).isoformat()


def _expiry(years: int) -> str:
    today = datetime.now(UTC).date()
    return (today.replace(day=1).replace(year=today.year + years)).isoformat()


_VSAA = {"id": "LV:VSAA", "name": "Valsts sociālās apdrošināšanas aģentūra", "country": "LV"}
_NVD = {"id": "LV:NVD", "name": "Nacionālais veselības dienests", "country": "LV"}
_DRV = {"id": "DE:DRV", "name": "Deutsche Rentenversicherung", "country": "DE"}
_NFZ = {"id": "PL:NFZ", "name": "Narodowy Fundusz Zdrowia", "country": "PL"}
_TK = {"id": "DE:TK", "name": "Techniker Krankenkasse", "country": "DE"}
_ZUS = {"id": "PL:ZUS", "name": "Zakład Ubezpieczeń Społecznych", "country": "PL"}


def _source(authority: dict[str, str]) -> dict[str, str]:
    return {"id": authority["id"], "name": authority["name"]}


def _build() -> tuple[DemoPerson, ...]:
    posting = _period(12)
    multi = _period(6)
    return (
        DemoPerson(
            key="anna",
            pid_provider="LV:PID",
            # Latvia's personal code is the number of the PID, the A1 and the EHIC alike.
            pid={"family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1988-04-12", "nationalities": ["LV"],
                 "place_of_birth": {"country": "LV", "locality": "Rīga"},
                 "personal_administrative_number": "DEMO-120488-10001"},
            pda1_issuer="LV:VSAA",
            pda1={"personal_administrative_number": "DEMO-120488-10001", "issuing_authority": _VSAA,
                  "issuing_country": "LV", "authentic_source": _source(_VSAA), "document_number": "DEMO-A1-LV-0001",
                  "date_of_issuance": _issued(), "starting_date": posting[0], "ending_date": posting[1],
                  "legislation_country": "LV", "status_confirmation": "01",
                  "employer": {"id": "LV40000000001", "name": "Baltic Build SIA (demo)", "country": "LV"},
                  "work_address": {"street_address": "Musterstraße", "house_number": "12", "postal_code": "10115",
                                   "locality": "Berlin", "country": "DE"}},
            ehic_issuer="LV:NVD",
            ehic={"personal_administrative_number": "DEMO-120488-10001", "issuing_authority": _NVD,
                  "issuing_country": "LV", "authentic_source": _source(_NVD), "document_number": "DEMO-EHIC-LV-0001",
                  "date_of_issuance": _issued(), "date_of_expiry": _expiry(3)},
            colour=(190, 120, 90),
        ),
        DemoPerson(
            key="jan",
            pid_provider="PL:PID",
            # Poland's PESEL is the number of his PID, of ZUS's A1 and of NFZ's EHIC.
            pid={"family_name": "Kowalski", "given_name": "Jan", "birthdate": "1979-11-30", "nationalities": ["PL"],
                 "place_of_birth": {"country": "PL", "locality": "Kraków"},
                 "personal_administrative_number": "DEMO-79113000001"},
            pda1_issuer="PL:ZUS",
            pda1={"personal_administrative_number": "DEMO-79113000001", "issuing_authority": _ZUS,
                  "issuing_country": "PL", "authentic_source": _source(_ZUS), "document_number": "DEMO-A1-PL-0002",
                  "date_of_issuance": _issued(), "starting_date": multi[0], "ending_date": multi[1],
                  "legislation_country": "PL", "status_confirmation": "02",
                  # No fixed place of work is rulebook v1.1 work_information: the employer is its v1.1
                  # list too (a v1 object beside it is neither version's shape), type 01 employment.
                  "employer": [{"type": "01", "id": "PL5250000002", "name": "Wisła Transport Sp. z o.o. (demo)",
                                "country": "PL"}],
                  "work_information": {"no_fixed_place_of_work": "DE"}},
            ehic_issuer="PL:NFZ",
            ehic={"personal_administrative_number": "DEMO-79113000001", "issuing_authority": _NFZ,
                  "issuing_country": "PL", "authentic_source": _source(_NFZ), "document_number": "DEMO-EHIC-PL-0002",
                  "date_of_issuance": _issued(), "date_of_expiry": _expiry(2)},
            colour=(120, 140, 200),
        ),
        DemoPerson(
            key="lena",
            pid_provider="DE:PID",
            # Germany has no national personal number: her PID carries none, and her A1 is tied to it by the
            # names its section 1 carries (holder_link.a1_same_name). Her EHIC carries her health
            # insurance number (Krankenversichertennummer), another number than her pension insurance's.
            pid={"family_name": "Schäfer", "given_name": "Lena", "birthdate": "1995-07-03", "nationalities": ["DE"],
                 "place_of_birth": {"country": "DE", "locality": "Köln"}},
            pda1_issuer="DE:DRV",
            pda1={"personal_administrative_number": "DEMO-DE-030795-S001", "issuing_authority": _DRV,
                  "issuing_country": "DE", "authentic_source": _source(_DRV), "document_number": "DEMO-A1-DE-0003",
                  "date_of_issuance": _issued(), "starting_date": posting[0], "ending_date": posting[1],
                  "legislation_country": "DE", "status_confirmation": "03",
                  "employer": {"id": "DE-SELF-0003", "name": "Lena Schäfer Montage (demo)", "country": "DE"},
                  "work_address": {"locality": "Wien", "country": "AT"}},
            ehic_issuer="DE:TK",
            ehic={"personal_administrative_number": "DEMO-DE-S950703003", "issuing_authority": _TK,
                  "issuing_country": "DE", "authentic_source": _source(_TK), "document_number": "DEMO-EHIC-DE-0003",
                  "date_of_issuance": _issued(), "date_of_expiry": _expiry(1)},
            colour=(110, 170, 120),
        ),
    )


DEMO_PERSONS: tuple[DemoPerson, ...] = _build()


def portrait(person: DemoPerson) -> str:
    """A small drawn portrait as a JPEG ``data:`` URI (a face-like sketch, clearly not a photo): the PID
    Rulebook's portrait is a JPEG (Annex 3.01 §4.1 ``picture``, §3.1.1 ``portrait``)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (96, 120), (235, 235, 240))
    draw = ImageDraw.Draw(img)
    draw.ellipse((23, 14, 73, 72), fill=person.colour)
    draw.rectangle((18, 78, 78, 120), fill=(60, 60, 90))
    draw.ellipse((36, 36, 42, 42), fill=(20, 20, 20))
    draw.ellipse((54, 36, 60, 42), fill=(20, 20, 20))
    draw.arc((38, 46, 58, 60), 20, 160, fill=(20, 20, 20), width=2)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
