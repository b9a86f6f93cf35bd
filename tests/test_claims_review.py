"""Review regressions for credentials.claims (the PDA1 / EHIC / PID model rules)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from credentials import ehic, pda1
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError


@pytest.mark.parametrize(("module", "sample"), [(pda1, DEMO_PERSONS[0].pda1), (ehic, DEMO_PERSONS[0].ehic)])
@pytest.mark.parametrize("name", [65533, -1, b"x", (1, 2)])
def test_claims_with_a_member_name_that_is_not_text_are_invalid_data(module: Any, sample: dict[str, Any],
                                                                     name: Any) -> None:
    """Decoded CBOR (an mdoc element's map) can have integer or byte-string keys: the unknown-member
    rule sorted them with text and joined them to a text prefix (TypeError) instead of naming the field."""
    claims = {**sample, "issuing_authority": {**sample["issuing_authority"], name: "x"}}
    with pytest.raises(DataError) as refused:
        module.validate(claims)
    assert refused.value.field == f"issuing_authority.{name}"


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\u202e", "\u2066", "\u200f", "\x85", "line\nbreak"])
@pytest.mark.parametrize("field", ["document_number", "employer.name"])
def test_a_control_or_text_direction_character_in_a_claim_is_invalid_data(field: str, bad: str) -> None:
    """A NUL crashed PostgreSQL; U+202E makes a document number show reversed on the inspector's page
    and the paper copy, so what is read differs from what was signed."""
    claims = json.loads(json.dumps(DEMO_PERSONS[0].pda1))
    if field == "employer.name":
        claims["employer"]["name"] = f"Būve {bad} SIA"
    else:
        claims[field] = f"A1-{bad}-2026"
    with pytest.raises(DataError) as refused:
        pda1.validate(claims)
    assert refused.value.field == field and "control or text-direction" in refused.value.rule


def test_a_formatted_work_address_may_span_lines() -> None:
    """OpenID Connect Core §5.1.1: ``formatted`` "MAY contain multiple lines, separated by newlines"."""
    claims = json.loads(json.dumps(DEMO_PERSONS[0].pda1))
    claims["work_address"] = {"formatted": "Musterstraße 12\n10115 Berlin", "locality": "Berlin", "country": "DE"}
    assert pda1.validate(claims)["work_address"]["formatted"] == "Musterstraße 12\n10115 Berlin"
    claims["work_address"]["formatted"] = "Musterstraße 12\r\n10115 Berlin"  # "\r\n" too, read as "\n"
    assert pda1.validate(claims)["work_address"]["formatted"] == "Musterstraße 12\n10115 Berlin"
    claims["work_address"]["formatted"] = "Musterstraße 12\u202e\n10115 Berlin"
    with pytest.raises(DataError):
        pda1.validate(claims)


@pytest.mark.parametrize(("module", "changes", "field"), [
    (pda1, {"status_confirmation": "05", "ending_date": "9999-12-31"}, "ending_date"),
    (pda1, {"status_confirmation": "01", "starting_date": "9999-01-01", "ending_date": "9999-06-30"},
     "starting_date"),
    (pda1, {"status_confirmation": "02", "starting_date": "9999-06-01", "ending_date": "9999-12-31"},
     "starting_date"),
    (ehic, {"date_of_expiry": "9999-12-31"}, "date_of_expiry"),
    (ehic, {"date_of_expiry": "2200-01-01"}, "date_of_expiry"),
])
def test_a_back_offices_no_end_date_is_refused_by_name_not_signed_or_crashed_on(
        module: Any, changes: dict[str, str], field: str) -> None:
    """9999-12-31 ("no end" in many registers) overflowed the period and token-expiry arithmetic
    (a 500, an import stopped half-way); a document date from 2200 on is refused as such."""
    sample = DEMO_PERSONS[0].pda1 if module is pda1 else DEMO_PERSONS[0].ehic
    with pytest.raises(DataError) as refused:
        module.validate({**sample, **changes})
    assert (refused.value.field, refused.value.key) == (field, "date.too_late")
    assert "2200-01-01" in refused.value.rule
    just_before = {**sample, **changes, **{k: v.replace("9999", "2199").replace("2200", "2199")
                                           for k, v in changes.items() if k != "status_confirmation"}}
    if module is ehic:  # a card is valid five years at most (ehic.VALID_MAX_YEARS): refused by that rule
        with pytest.raises(DataError) as refused:
            module.validate(just_before)
        assert (refused.value.field, refused.value.key) == (field, "date.years_after")
    else:
        assert module.validate(just_before)
