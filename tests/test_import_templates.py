"""Each institution's CSV import templates (issuer/import_templates.py): its back office links its own,
served under ``/<institution path>/office/``, whose example rows import as they are at that institution
(its state's legislation, a holder and employer of that state, today's dates): a clerk of Deutsche
Rentenversicherung following the template no longer gets a Latvian A1 refused row by row. The
templates at the issuer's root, where older links lead, are the first hosted institution's.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from credentials import countries, pda1, verification
from credentials.institutions import DEMO_ENTITIES, Entity, Role, demo_entity
from esspass.testing import ServerHandle, free_port, office_form, serve
from issuer.app import create_app
from issuer.import_templates import FILES, template_csv
from issuer.service import CREDENTIAL_TYPES, unflatten
from issuer.settings import IssuerSettings

#: The seeded demo institutions that issue a document with a template (A1s, EHICs), each with its types.
ISSUING = [(e, [cid for cid, role in (("pda1", Role.PDA1_ISSUER), ("ehic", Role.EHIC_ISSUER)) if role in e.roles])
           for e in DEMO_ENTITIES if e.roles & {Role.PDA1_ISSUER, Role.EHIC_ISSUER}]
Issuer = tuple[ServerHandle, dict[str, str]]


def vsaa_template(today: date | None = None) -> str:
    """LV:VSAA's A1 template (the one at the issuer's root too), dated ``today`` (default: today, UTC)."""
    return template_csv(demo_entity("LV:VSAA"), "pda1", today or datetime.now(UTC).date()).decode()


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    """An issuer of the demo institutions, and every institution's clerk token."""
    data_dir = tmp_path_factory.mktemp("templates")
    port = free_port()
    settings = IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}")
    with serve(create_app(settings), port=port) as handle:
        yield handle, json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _template_links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" id="template[^"]*" download>', page)


@pytest.mark.parametrize(("entity", "configurations"), ISSUING, ids=[e.id for e, _ in ISSUING])
def test_every_institutions_template_imports_without_error_where_its_import_page_links_it(
        issuer: Issuer, entity: Entity, configurations: list[str]) -> None:
    """The requirement: the clerk downloads the template from the import page and imports it as it is:
    every row imported, none rejected."""
    # Here: those modules take vsaa_template from this one.
    from test_issuer_office import _signed_in

    handle, tokens = issuer
    with _signed_in(handle, tokens[entity.id]) as office:
        page = office.get(f"/{entity.path}/office/import?lang=en").text
        links = _template_links(page)
        assert links == [f"/{entity.path}/office/{FILES[cid]}" for cid in configurations], links
        imported: dict[str, list[dict[str, str]]] = {}
        for cid, link in zip(configurations, links, strict=True):
            got = office.get(link)
            assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv"), got.text
            rows = _rows(got.text)
            assert rows and all(r["issuing_country"] == entity.country == r["issuing_authority.id"][:2] for r in rows)
            assert all(r.get("legislation_country", entity.country) == entity.country for r in rows), rows
            form = office_form(office.get(f"/{entity.path}/office/import?lang=en").text)
            done = office.post(f"/{entity.path}/office/import?lang=en", data=form,
                               files={"file": (link.rsplit("/", 1)[1], got.content, "text/csv")})
            assert done.status_code == 200, done.text[-2000:]
            assert f"{len(rows)} rows imported, 0 rejected." in done.text, done.text[-3000:]
            imported[cid] = rows
    # A card of the holder's own and a represented child's, each naming the holder (fields 3-5).
    cards = imported.get("ehic")
    if cards:
        with httpx.Client(base_url=f"{handle.url}/{entity.path}/api",
                          headers={"Authorization": f"Bearer {tokens[entity.id]}"}) as api:
            recorded = [api.get(f"/cases/{c['id']}").json() for c in api.get("/cases").json()
                        if c["configuration_id"] == "ehic"]
        assert len(recorded) == 2 and all(c["holder"]["family_name"] == cards[0]["holder.family_name"]
                                          for c in recorded), recorded
        assert sum(1 for c in recorded if c["claims"].get("subject")) == 1


def test_the_templates_at_the_issuers_root_are_still_served(issuer: Issuer) -> None:
    """Links made before each institution served its own still work: the first hosted institution's."""
    handle, _tokens = issuer
    for name, institution in (("import-template.csv", "LV:VSAA"), ("import-template-ehic.csv", "LV:NVD")):
        got = httpx.get(f"{handle.url}/{name}")
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv"), got.text
        assert {r["issuing_authority.id"] for r in _rows(got.text)} == {institution}, got.text


def test_an_institution_serves_no_template_of_a_type_it_does_not_issue(issuer: Issuer) -> None:
    handle, _tokens = issuer
    for path in ("de-drv/office/import-template-ehic.csv", "de-tk/office/import-template.csv",
                 "lv-pid/office/import-template.csv", "xx-none/office/import-template.csv"):
        assert httpx.get(f"{handle.url}/{path}").status_code == 404, path


@pytest.mark.parametrize("today", [date(2027, 2, 28), date(2028, 2, 29), date(2029, 12, 31)])
def test_an_institution_of_any_state_gets_an_a1_its_rules_take(today: date) -> None:
    """An institution of a state without a sample of its own (a deployment's institutions file): its
    example A1 is of its own state, and the A1's rules and the competence rule take it on any day."""
    for country in sorted(countries.COUNTRIES):
        entity = Entity(f"{country}:SSI", country, "Social Security Institution", "Social Security Institution",
                        frozenset({Role.PDA1_ISSUER, Role.EHIC_ISSUER}), country.lower() + "-ssi")
        for configuration_id in FILES:
            module: Any = CREDENTIAL_TYPES[configuration_id]
            for row in _rows(template_csv(entity, configuration_id, today).decode()):
                claims = unflatten({k: v for k, v in row.items() if k != "configuration_id" and
                                    not k.startswith("holder.")})
                claims = pda1.one_shape(claims) if module is pda1 else claims
                assert verification.competence_problem(entity, module, module.validate(claims)) is None, row
                assert claims["date_of_issuance"] == today.isoformat()


def test_the_vsaa_template_is_written_as_the_clerks_read_it() -> None:
    """One header line and LV:VSAA's row, no quoted cell (the tests and clerks edit it by its commas)."""
    header, row = vsaa_template().strip().split("\n")
    assert header.startswith("configuration_id,") and row.startswith("pda1,") and '"' not in row
    assert len(row.split(",")) == len(header.split(","))
