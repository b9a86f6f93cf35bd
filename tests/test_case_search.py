"""A clerk finds a case by what the person or employer on the phone says: a document or personal
number, a name typed without its accents, an employer (issuer/case_search.py), through the API
and on the back office page in Chromium, and only among the institution's own cases.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from esspass.testing import ServerHandle, clerk_tab, free_port, serve
from issuer.app import create_app
from issuer.case_search import MAX_WORDS, fold, query_forms, query_words, search_text
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
PEOPLE = [("Bērziņš", "Jānis", "DEMO-A1-LV-7001", "Baltic Build SIA (demo)"),
          ("Schröder", "Łukasz", "DEMO-A1-LV-7002", "Rīgas Tilti AS (demo)"),
          ("Ozoliņa", "Anna", "DEMO-A1-LV-7003", "Baltic Build SIA (demo)")]


def test_names_are_found_without_their_accents_and_case() -> None:
    assert fold("Bērziņš  JĀNIS") == "berzins janis"
    assert fold("Łódź Søren Ærø") == "lodz soren aero"
    assert fold("Straße") == "strasse"
    assert fold("Ǿrsted Col·legi") == "orsted collegi"
    assert fold("Bēr\u00adziņš\u200b\x00") == "berzins"  # a soft hyphen, a zero-width space and a NUL pasted in
    assert fold("Παπαδόπουλος") == fold("ΠΑΠΑΔΟΠΟΥΛΟΣ") == "παπαδοπουλοσ"
    assert query_words("  BERZINS   janis ") == ["berzins", "janis"]
    assert len(query_words(" ".join("w" * 100 for _ in range(20)))) == MAX_WORDS


def test_a_case_is_found_by_its_numbers_the_persons_names_and_the_employer() -> None:
    claims = {"document_number": "DEMO-A1-LV-7001", "personal_administrative_number": "DEMO-120488-10001",
              "employer": {"id": "LV40000000001", "name": "Baltic Build SIA"}}
    text = search_text(claims, {"family_name": "Bērziņš", "given_name": "Jānis"}, "DEMO-A1-LV-7001")
    for word in ("demo-a1-lv-7001", "120488", "berzins", "janis", "baltic", "lv40000000001"):
        assert word in text
    assert "berzins" in search_text({"family_name": "Bērziņš", "given_name": "Jānis"}, None, "Jānis Bērziņš")
    v11 = search_text({"employer": [{"id": "LV1", "name": "Rīgas Tilti"}, {"id": "DE2", "name": "Köln Bau"}]},
                      None, "A1")
    assert "rigas tilti" in v11 and "koln bau" in v11  # a PDA1 v1.1 lists its employers
    ehic = search_text({"subject": {"familynames": "Ozoliņa", "forenames": "Anna"}}, None, "EHIC-1")
    assert "ozolina anna" in ehic  # an EHIC for a represented person


def test_numbers_are_found_without_their_hyphens_spaces_dots_or_slashes() -> None:
    """As credentials/holder_link.normalise_number compares numbers: the text holds each number also
    without its separators, and a query word is also looked for without them."""
    claims = {"document_number": "LV-VSAA-2026-7KQ3M9XT", "personal_administrative_number": "150375-11111",
              "employer": {"id": "LV 4000 0000 001", "name": "Rīgas Ūdens SIA"}}
    text = search_text(claims, {"family_name": "Ozoliņa-Bērziņa", "given_name": "Līga"}, "LV-VSAA-2026-7KQ3M9XT")
    for word in ("150375-11111", "15037511111", "lvvsaa20267kq3m9xt", "lv40000000001", "ozolina-berzina"):
        assert word in text, word
    assert query_forms("150375.11111 Ozoliņa") == [("150375.11111", "15037511111"), ("ozolina",)]
    assert query_forms("150375/11111") == [("150375/11111", "15037511111")]
    assert search_text({"document_number": "A1-7"}, None, "A1-7").count("a17") == 1  # once, not per mention


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerHandle, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("search")
    port = free_port()
    with serve(create_app(IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}")),
               port=port) as handle:
        tokens: dict[str, str] = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        with httpx.Client(base_url=handle.url, headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}) as http:
            for family, given, number, employer in PEOPLE:
                claims = {**PERSON.pda1, "document_number": number,
                          "employer": {**PERSON.pda1["employer"], "name": employer}}
                holder = {"family_name": family, "given_name": given, "birthdate": "1988-04-12"}
                created = http.post("/lv-vsaa/api/cases", json={"configuration_id": "pda1", "claims": claims,
                                                                "holder": holder})
                assert created.status_code == 201, created.text
        yield handle, tokens


def _found(issuer: tuple[ServerHandle, dict[str, str]], query: str, entity: str = "LV:VSAA",
           path: str = "lv-vsaa") -> list[str]:
    handle, tokens = issuer
    response = httpx.get(f"{handle.url}/{path}/api/cases", params={"q": query},
                         headers={"Authorization": f"Bearer {tokens[entity]}"})
    assert response.status_code == 200, response.text
    return sorted(c["label"] for c in response.json())


def test_the_clerk_finds_a_case_by_document_number_name_or_employer(issuer: Any) -> None:
    assert _found(issuer, "7002") == ["DEMO-A1-LV-7002"]
    assert _found(issuer, "berzins") == ["DEMO-A1-LV-7001"]  # typed without the accents
    assert _found(issuer, "SCHRÖDER lukasz") == ["DEMO-A1-LV-7002"]
    assert _found(issuer, "baltic build") == ["DEMO-A1-LV-7001", "DEMO-A1-LV-7003"]
    assert _found(issuer, "baltic anna") == ["DEMO-A1-LV-7003"]  # every word must match
    assert _found(issuer, "nobody") == []
    assert len(_found(issuer, "")) == len(PEOPLE)


def test_the_clerk_finds_a_case_by_a_number_typed_without_its_separators(issuer: Any) -> None:
    assert _found(issuer, "DEMOA1LV7002") == ["DEMO-A1-LV-7002"]
    assert _found(issuer, "demo.a1.lv/7003") == ["DEMO-A1-LV-7003"]
    assert _found(issuer, "demo 12048810001") == [number for _, _, number, _ in PEOPLE]  # one person's three A1s
    assert _found(issuer, "12048810001 ozolina") == ["DEMO-A1-LV-7003"]


def test_wildcards_in_a_query_are_letters_not_patterns(issuer: Any) -> None:
    assert _found(issuer, "%") == [] and _found(issuer, "_") == [] and _found(issuer, "7%01") == []


def test_a_clerk_finds_only_the_own_institutions_cases(issuer: Any) -> None:
    assert _found(issuer, "berzins", entity="LV:NVD", path="lv-nvd") == []


@pytest.mark.browser
def test_the_clerk_searches_on_the_cases_page(issuer: Any, browser: Any) -> None:
    handle, tokens = issuer
    tab = clerk_tab(browser, handle.url, "lv-vsaa", tokens["LV:VSAA"], lang="lv", locale="lv-LV")
    tab.fill("#q", "ozolina")
    tab.click("#find")
    tab.wait_for_selector("#show-all")
    rows = tab.locator("#cases tbody tr")
    assert rows.count() == 1 and "DEMO-A1-LV-7003" in rows.inner_text()
    assert tab.input_value("#q") == "ozolina"
    assert "ozolina" not in tab.url and "q=" not in tab.url  # posted: a name is in no URL (office.py find_cases)
    tab.fill("#q", "nav tāda")
    tab.click("#find")
    tab.wait_for_selector("#show-all")
    assert "Neviena lieta neatbilst" in tab.inner_text("#cases")  # in Latvian, with the query
    tab.click("#show-all")
    tab.wait_for_selector("#cases")
    assert tab.locator("#cases tbody tr").count() == len(PEOPLE)
    tab.context.close()


def test_cases_recorded_before_the_search_are_found_after_the_upgrade(tmp_path: Path) -> None:
    from sqlalchemy import text

    from esspass.db import make_engine
    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS, revision="0005")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO issuer_cases (id, entity_id, configuration_id, claims, holder, label, state, "
                          "created_at, created_by) VALUES ('c1', 'LV:VSAA', 'pda1', :claims, :holder, "
                          "'DEMO-A1-LV-7001', 'active', '2026-11-01 10:00:00', 'clerk')"),
                     {"claims": json.dumps({"document_number": "DEMO-A1-LV-7001"}),
                      "holder": json.dumps({"family_name": "Bērziņš", "given_name": "Jānis"})})
    upgrade(engine, MIGRATIONS)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search FROM issuer_cases WHERE id = 'c1'")).scalar_one() == \
            "demo-a1-lv-7001 demo-a1-lv-7001 berzins janis demoa1lv7001"
    engine.dispose()


def test_cases_recorded_before_numbers_were_found_without_separators_are_found_so_after_the_upgrade(
        tmp_path: Path) -> None:
    """Migration 0015 makes the search text of the cases recorded before again; an erased case's stays erased."""
    from sqlalchemy import text

    from esspass.db import make_engine
    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS
    from issuer.institutions import demo_institutions
    from issuer.service import IssuerService

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS, revision="0014")
    insert = text("INSERT INTO issuer_cases (id, entity_id, configuration_id, claims, holder, label, state, "
                  "created_at, created_by, search, erased_at) VALUES (:id, 'LV:VSAA', 'pda1', :claims, NULL, :label, "
                  "'active', '2026-11-01 10:00:00', 'clerk', :search, :erased)")
    with engine.begin() as conn:
        conn.execute(insert, {"id": "c1", "claims": json.dumps({"document_number": "DEMO-A1-LV-7101",
                                                                 "personal_administrative_number": "150375-11111"}),
                              "label": "DEMO-A1-LV-7101", "search": "demo-a1-lv-7101 demo-a1-lv-7101 150375-11111",
                              "erased": None})
        conn.execute(insert, {"id": "c2", "claims": "{}", "label": "DEMO-A1-LV-7102", "search": None,
                              "erased": "2026-11-02 10:00:00"})
    upgrade(engine, MIGRATIONS)
    vsaa = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=datetime.now(UTC))["lv-vsaa"]
    service = IssuerService(engine, {"lv-vsaa": vsaa})
    assert [c["id"] for c in service.list_cases(vsaa, query="15037511111")] == ["c1"]
    assert [c["id"] for c in service.list_cases(vsaa, query="DEMOA1LV7101")] == ["c1"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search FROM issuer_cases WHERE id = 'c2'")).scalar_one() is None
    engine.dispose()
