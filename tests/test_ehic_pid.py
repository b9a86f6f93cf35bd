"""EHIC (Decision S2) and PID models, countries and languages."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from credentials import countries, ehic, i18n, pid
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.errors import DataError


def test_demo_ehics_and_pids_are_valid() -> None:
    for person in DEMO_PERSONS:
        ehic.validate(person.ehic)
        out = pid.validate({**person.pid, "picture": portrait(person)})
        assert out["picture"].startswith("data:image/jpeg;base64,/9j/")  # PID Rulebook §4.1: a JPEG


def test_ehic_card_needs_an_expiry_date() -> None:
    claims = copy.deepcopy(DEMO_PERSONS[0].ehic)
    del claims["date_of_expiry"]
    with pytest.raises(DataError) as err:
        ehic.validate(claims)
    assert err.value.field == "date_of_expiry"


def test_provisional_replacement_certificate_has_its_own_period() -> None:
    claims = {**DEMO_PERSONS[0].ehic, "starting_date": "2026-11-01", "ending_date": "2026-12-31"}
    del claims["date_of_expiry"]
    assert ehic.validate(claims)["ending_date"] == "2026-12-31"


def test_a_provisional_replacement_certificates_token_ends_with_its_period() -> None:
    """domain.md: a PRC has its own period; its token (and the case's retention) ends with it, not
    five years after issuance. The last second of 31 December anywhere on earth is 1 January noon UTC."""
    from datetime import UTC, datetime

    from issuer.service import document_end

    claims = {**DEMO_PERSONS[0].ehic, "starting_date": "2026-11-01", "ending_date": "2026-12-31"}
    del claims["date_of_expiry"]
    assert document_end(ehic.validate(claims), datetime(2026, 11, 1, tzinfo=UTC)) == \
        datetime(2027, 1, 1, 11, 59, 59, tzinfo=UTC)


def test_ehic_for_a_represented_person_carries_a_subject() -> None:
    claims = {**DEMO_PERSONS[0].ehic, "subject": {"forenames": "Līga", "familynames": "Bērziņa",
                                                   "date_of_birth": "2019-02-01"}}
    assert ehic.validate(claims)["subject"]["forenames"] == "Līga"
    claims["subject"] = {"forenames": "Līga"}
    with pytest.raises(DataError) as err:
        ehic.validate(claims)
    assert err.value.field == "subject.familynames"


def test_a_represented_person_born_after_the_card_was_issued_is_refused() -> None:
    """A birth date in the future (2031) can never be right: a card is issued to someone born; the
    rule is a pure one (born on or before the date of issue), refused at ``subject.date_of_birth``."""
    card = {**DEMO_PERSONS[0].ehic, "date_of_issuance": "2026-11-01"}
    claims = {**card, "subject": {"forenames": "Kid", "familynames": "X", "date_of_birth": "2031-01-01"}}
    with pytest.raises(DataError) as err:
        ehic.validate(claims)
    assert (err.value.field, err.value.key) == ("subject.date_of_birth", "date.not_after")
    assert err.value.rule == "must not be after date_of_issuance"
    born_that_day = {**card, "subject": {"forenames": "Kid", "familynames": "X", "date_of_birth": "2026-11-01"}}
    assert ehic.validate(born_that_day)["subject"]["date_of_birth"] == "2026-11-01"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"birthdate": "1990-13-01"}, "birthdate"), ({"nationalities": []}, "nationalities"),
     ({"nationalities": ["LV", "ZZ"]}, "nationalities.1"), ({"picture": "http://x/y.png"}, "picture"),
     ({"picture": "data:image/png;base64,iVBORw0KGgo="}, "picture"), ({"given_name": ""}, "given_name"),
     ({"date_of_expiry": "2031-02-30"}, "date_of_expiry"), ({"issuing_country": "US"}, "issuing_country"),
     ({"issuing_authority": "x" * 151}, "issuing_authority"), ({"address": {"country": "LV"}}, "address")],
)
def test_pid_rules_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(DataError) as err:
        pid.validate({**DEMO_PERSONS[0].pid, **changes})
    assert err.value.field == field


def test_a_third_country_national_gets_a_pid() -> None:
    """Regulation 1231/2010: a Ukrainian worker posted by a Polish employer is covered, and the
    inspection needs the PID beside the A1; a nationality is any ISO 3166-1 code."""
    person = pid.validate({**DEMO_PERSONS[0].pid, "nationalities": ["ua", "XK"], "place_of_birth": {"country": "UA"}})
    assert person["nationalities"] == ["UA", "XK"] and person["place_of_birth"]["country"] == "UA"
    assert "national of UA, XK" in pid.describe(person, "en")


def test_every_claim_about_the_person_is_selectively_disclosable_and_the_metadata_are_not() -> None:
    """The issuer's name and state say what the x5c every verifier sees already says, the expiry
    what the token's exp says: always disclosed, so every verifier checks them."""
    for claim in (*DEMO_PERSONS[0].pid, "picture"):
        assert (claim,) in pid.SD_PATHS
    for claim in ("issuing_authority", "issuing_country", "date_of_expiry"):
        assert (claim,) not in pid.SD_PATHS
    sd = {c["path"][0]: c["sd"] for c in pid.type_metadata_document()["claims"]}
    assert {name for name, rule in sd.items() if rule == "always"} == {p[0] for p in pid.SD_PATHS}
    assert sd["issuing_authority"] == sd["issuing_country"] == sd["date_of_expiry"] == "never"


def test_thirty_two_states_in_five_languages() -> None:
    assert len(countries.COUNTRIES) == 32
    for names in countries.COUNTRIES.values():
        assert set(names) == set(i18n.LANGUAGES)
    assert countries.normalise("EL") == "GR" and countries.normalise("UK") == "GB"
    assert not countries.is_supported("US")


def test_accept_language_negotiation() -> None:
    assert i18n.negotiate("lv-LV,lv;q=0.9,en;q=0.8") == "lv"
    assert i18n.negotiate("ru, de;q=0.5") == "de"
    assert i18n.negotiate("ja") == "en"
    assert i18n.format_date("2026-03-01", "pl") == "1 marca 2026"
