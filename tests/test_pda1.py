"""PDA1 model (DC4EU rulebook, flat v1 and v1.1): every rule names the field it protects."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest

from credentials import i18n, pda1, type_metadata
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError

BASE: dict[str, Any] = DEMO_PERSONS[0].pda1


def changed(claims: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``claims`` with ``changes``; a value None removes the claim."""
    claims = copy.deepcopy(claims)
    for key, value in changes.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


def _with(**changes: Any) -> dict[str, Any]:
    return changed(BASE, **changes)


def _error(claims: dict[str, Any]) -> DataError:
    with pytest.raises(DataError) as err:
        pda1.validate(claims)
    return err.value


def test_demo_pda1s_are_valid() -> None:
    for person in DEMO_PERSONS:
        assert pda1.validate(person.pda1)["legislation_country"] == person.pda1["legislation_country"]


@pytest.mark.parametrize("code", [f"{i:02d}" for i in range(1, 13)])
def test_all_twelve_status_codes_are_valid_and_described(code: str) -> None:
    start, end = ("2026-01-01", "2026-06-30")
    # Status 12 is work in the state whose legislation applies: Anna's place of work in Berlin is not that;
    # nor is it a crew member's (10) home base, whose state's legislation applies (Art. 11(5)).
    place = {"locality": "Rīga", "country": "LV"} if code in ("10", "12") else BASE["work_address"]
    if code in ("08", "09"):  # two activities (Art. 13(3), (4)): the v1.1 list, an entry each
        kinds = ("01", "02") if code == "08" else ("01", "01")
        pda1.validate(_with(status_confirmation=code, starting_date=start, ending_date=end, work_address=None,
                            employer=[{"type": kind, "id": f"LV{i}", "name": f"Entry {i}", "country": "LV"}
                                      for i, kind in enumerate(kinds)],
                            work_information={"work_address": [place]}))
    else:
        pda1.validate(_with(status_confirmation=code, starting_date=start, ending_date=end, work_address=place))
    assert all(pda1.STATUS_CODES[code])


def test_unknown_status_code_is_refused() -> None:
    assert _error(_with(status_confirmation="13")).field == "status_confirmation"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"legislation_country": "US"}, "legislation_country"),
        ({"legislation_country": None}, "legislation_country"),
        ({"ending_date": None}, "ending_date"),
        ({"starting_date": "2026-02-30"}, "starting_date"),
        ({"starting_date": "01.03.2026"}, "starting_date"),
        ({"personal_administrative_number": "123"}, "personal_administrative_number"),
        ({"document_number": "x" * 51}, "document_number"),
        ({"employer": {"id": "1", "name": "", "country": "LV"}}, "employer.name"),
        ({"employer": {"id": "x" * 21, "name": "A", "country": "LV"}}, "employer.id"),
        ({"issuing_country": "XX"}, "issuing_country"),
        ({"nickname": "Bob"}, "nickname"),
        ({"work_address": {"country": "DE"}}, "work_address.locality"),
        # domain.md "Common block": the issuing authority's country is required
        ({"issuing_authority": {"id": "LV:VSAA", "name": "VSAA"}}, "issuing_authority.country"),
        # a CSV column "status_confirmation[]" or a JSON client sending a list or an object
        ({"status_confirmation": ["01", "02"]}, "status_confirmation"),
        ({"status_confirmation": {"a": 1}}, "status_confirmation"),
        ({"employer": [{"type": ["01"], "id": "LV1", "name": "X", "country": "LV"}]}, "employer.0.type"),
    ],
)
def test_broken_rule_names_the_field(changes: dict[str, Any], field: str) -> None:
    err = _error(_with(**changes))
    assert err.field == field
    assert err.rule


def test_period_end_before_start_is_refused() -> None:
    err = _error(_with(starting_date="2026-05-01", ending_date="2026-04-01"))
    assert err.field == "ending_date"


def test_an_expiry_date_before_the_period_starts_is_refused() -> None:
    """A document that expires before the period it covers begins can never be valid: refused at
    ``date_of_expiry``, with a rule key the back office translates."""
    err = _error(_with(starting_date="2026-01-15", ending_date="2026-12-31", date_of_issuance="2026-01-10",
                       date_of_expiry="2026-01-12"))
    assert (err.field, err.key, err.params) == ("date_of_expiry", "date.not_before", {"other_field": "starting_date"})
    assert err.rule == "must not be before starting_date"
    # Expiring on the last day of the period is the period itself: not refused (an expiry inside the
    # period is, test_domain_rules.py).
    pda1.validate(_with(starting_date="2026-01-15", ending_date="2026-12-31", date_of_issuance="2026-01-10",
                        date_of_expiry="2026-12-31"))


def test_posting_over_24_months_is_refused() -> None:
    err = _error(_with(status_confirmation="01", starting_date="2026-01-01", ending_date="2028-03-01"))
    assert "24 months" in err.rule


def test_multi_state_over_12_months_is_refused() -> None:
    err = _error(_with(status_confirmation="02", starting_date="2026-01-01", ending_date="2027-03-01"))
    assert "12 months" in err.rule


@pytest.mark.parametrize(("code", "start", "last_day_allowed"), [
    ("01", "2025-03-01", "2027-02-28"),  # Art. 12 of 883/2004: 24 months
    ("02", "2026-01-01", "2026-12-31"),  # VSAA practice for two or more states: 12 months
    ("02", "2026-01-31", "2027-01-30"),
    ("01", "2024-02-29", "2026-02-28"),  # a start on 29 February: to the end of February
    ("02", "2025-01-31", "2026-01-30"),
])
def test_a_period_may_last_its_calendar_months_and_not_a_day_more(code: str, start: str,
                                                                   last_day_allowed: str) -> None:
    pda1.validate(_with(status_confirmation=code, starting_date=start, ending_date=last_day_allowed))
    one_more = (date.fromisoformat(last_day_allowed) + timedelta(days=1)).isoformat()
    assert _error(_with(status_confirmation=code, starting_date=start, ending_date=one_more)).field == "ending_date"


def test_greece_and_uk_spellings_are_both_accepted() -> None:
    for code in ("EL", "GR", "UK", "GB"):
        pda1.validate(_with(legislation_country=code))


def test_v11_shape_is_accepted_and_read_through_one_view() -> None:
    claims = _with(
        employer=[{"type": "01", "id": "LV1", "name": "Baltic Build", "country": "LV"},
                  {"type": "02", "id": "LV2", "name": "Own firm", "country": "LV"}],
        work_address=None,
        work_information={"work_address": [{"locality": "Berlin", "country": "DE", "building_number": "7"}]},
    )
    out = pda1.validate(claims)
    assert [e["name"] for e in pda1.employers(out)] == ["Baltic Build", "Own firm"]
    assert pda1.work_places(out)[0]["house_number"] == "7"  # building_number accepted, house_number emitted


def test_a_mariners_flag_state_is_recorded_with_the_ship() -> None:
    """Status 07 (mariner): section 5 names the ship and its flag state (v1.1 flag_base_home)."""
    ship = {"company_name": "MV Daugava", "flag_base_home": "MT", "locality": "Valletta", "country": "MT"}
    out = pda1.validate(_with(status_confirmation="07", work_address=None, work_information={"work_address": [ship]},
                              employer=[{"type": "01", **BASE["employer"]}]))
    assert pda1.work_places(out)[0]["flag_base_home"] == "MT"


def test_a_posting_names_a_place_of_work_in_another_state() -> None:
    """Status 01 (posted employed person, Art. 12 of 883/2004): posted *to* another state; a posting
    whose only place of work is in the state of the applicable legislation is a mistake."""
    home = {"locality": "Rīga", "country": "LV"}
    err = _error(_with(status_confirmation="01", legislation_country="LV", work_address=home))
    assert err.field == "work_address.country" and "another state" in err.rule
    pda1.validate(_with(status_confirmation="12", legislation_country="LV", work_address=home))


def test_a_self_employed_status_needs_a_self_employment_entry() -> None:
    """Status 03 (posted self-employed): the v1.1 employer list holds a type 02 (self-employment) entry."""
    err = _error(_with(status_confirmation="03", employer=[{"type": "01", "id": "LV1", "name": "X", "country": "LV"}],
                       work_address=None, work_information={"work_address": [BASE["work_address"]]}))
    assert err.field == "employer" and "self-employment" in err.rule


def test_v11_employer_type_must_be_01_or_02() -> None:
    err = _error(_with(employer=[{"type": "03", "id": "LV1", "name": "X", "country": "LV"}]))
    assert err.field == "employer.0.type"


def test_describe_in_all_five_languages() -> None:
    claims = pda1.validate(BASE)
    sentences = {lang: pda1.describe(claims, lang) for lang in i18n.LANGUAGES}
    assert "Latvia" in sentences["en"] and "Latvija" in sentences["lv"] and "Lettland" in sentences["de"]
    assert "Lettonie" in sentences["fr"] and "Łotwa" in sentences["pl"]
    assert len(set(sentences.values())) == 5


def test_type_metadata_has_labels_in_five_languages_and_matches_sd_paths() -> None:
    doc = pda1.type_metadata_document()
    assert doc["vct"] == pda1.VCT
    assert {d["locale"] for d in doc["display"]} == set(i18n.LANGUAGES)
    sd_always = {tuple(c["path"]) for c in doc["claims"] if c["sd"] == "always"}
    assert ("personal_administrative_number",) in sd_always
    for claim in doc["claims"]:
        assert {d["locale"] for d in claim["display"]} == set(i18n.LANGUAGES)
        if claim["sd"] == "never":
            assert tuple(claim["path"]) not in pda1.SD_PATHS
    assert type_metadata.integrity(doc).startswith("sha256-")


def test_a_country_is_named_where_no_article_or_case_is_needed() -> None:
    """"the Netherlands", "der Niederlande", "des Pays-Bas", "Nīderlandes", "Niderlandów": every
    sentence names the state after a colon, in the form the country list gives."""
    from credentials import countries, ehic
    from credentials.demo_persons import DEMO_PERSONS
    from verifier import messages

    a1 = pda1.validate({**BASE, "legislation_country": "NL"})
    card = {**ehic.validate(DEMO_PERSONS[0].ehic), "issuing_country": "NL"}
    for lang in i18n.LANGUAGES:
        netherlands = countries.name("NL", lang)
        for sentence in (pda1.describe(a1, lang), messages.describe_document({"vct": pda1.VCT, **a1}, lang)):
            assert f": {netherlands}" in sentence or f" : {netherlands}" in sentence, sentence
        if lang not in ("lv", "pl"):  # "valstī Nīderlande", "w państwie Niderlandy": apposition, no case needed
            assert f": {netherlands}" in ehic.describe(card, lang), ehic.describe(card, lang)


def test_a_country_code_in_lower_case_is_named_as_its_state() -> None:
    """The claim rules read "lv" as LV (another issuer's document): its pages name Latvia, never "lv"."""
    from credentials import countries

    assert countries.name("lv", "de") == countries.name("LV", "de") == "Lettland"
    assert countries.name("el") == countries.name("GR") and countries.name("uk") == countries.name("GB")
    assert countries.name("zz") == "zz"  # no state: shown as it came

def test_latvian_dates_are_numeric_so_every_preposition_fits() -> None:
    """"līdz 31. decembrim" needs the dative, "no 1. marta" the genitive: DD.MM.YYYY. fits both."""
    assert i18n.format_date("2026-12-31", "lv") == "31.12.2026."
