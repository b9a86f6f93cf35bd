"""A document number is given to one document of an institution only (issuer/service.py).

Inspectors, the verifier's proof (an HMAC of the number) and the institution tell documents apart
by their number: another case of the institution with a number already given, in any state
(withdrawn documents still exist for inspectors), is refused with a 409 when it is created or
imported (a CSV file then imports nothing and names the line); a number left empty is given one
by the issuer that no case has. The database holds the rule too (a unique index, migration 0010),
so that two clerks recording the same number at the same moment record one case. Through the API
over loopback HTTP, and on the service over SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from test_import_templates import vsaa_template

from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import ProtocolError
from credentials.institutions import Role, demo_entity
from credentials.jose import generate_key
from esspass.db import make_engine
from esspass.migrate import upgrade
from esspass.testing import free_port, serve
from issuer.app import MIGRATIONS, create_app
from issuer.db import Case
from issuer.service import Institution, IssuerService, NumberTaken
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
DRV_PERSON = next(p for p in DEMO_PERSONS if p.pda1_issuer == "DE:DRV")
TEMPLATE = vsaa_template()  # LV:VSAA's A1 template, as its office serves it today
#: What the issuer gives when the clerk leaves the number empty: institution, year, 8 characters.
GIVEN = re.compile(r"LV-VSAA-\d{4}-[2-9A-HJ-NP-Z]{8}")


def _pda1(number: str | None) -> dict[str, Any]:
    """The demo person's A1 with ``number`` (None: without one)."""
    claims = {k: v for k, v in PERSON.pda1.items() if k != "document_number"}
    return claims if number is None else {**claims, "document_number": number}


# --- over HTTP ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, httpx.Client]]:
    """The back office API of each demo institution, by institution id."""
    data_dir = tmp_path_factory.mktemp("numbers")
    port = free_port()
    with serve(create_app(IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}")),
               port=port) as handle:
        tokens: dict[str, str] = json.loads((data_dir / "issuer" / "clerk-tokens.json").read_text())
        made = {entity: httpx.Client(base_url=f"{handle.url}/{demo_entity(entity).path}/api",
                                     headers={"Authorization": f"Bearer {token}"})
                for entity, token in tokens.items()}
        yield made
        for client in made.values():
            client.close()


@pytest.fixture
def api(clients: dict[str, httpx.Client]) -> httpx.Client:
    return clients["LV:VSAA"]


def _create(api: httpx.Client, claims: dict[str, Any], configuration_id: str = "pda1",
            holder: dict[str, str] | None = None) -> httpx.Response:
    """A case recorded over the API; an A1 names its holder (section 1), the demo person's unless told."""
    body: dict[str, Any] = {"configuration_id": configuration_id, "claims": claims}
    if configuration_id == "pda1":
        body["holder"] = holder or PERSON.holder
    return api.post("/cases", json=body)


def _count(api: httpx.Client) -> int:
    return len(api.get("/cases", params={"limit": 1000}).json())


def _taken(response: httpx.Response) -> dict[str, Any]:
    """The body of a 409 for a number already given, checked to be one."""
    assert response.status_code == 409, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == "invalid_request" and body["field"] == "document_number", body
    return body


def test_a_number_the_institution_already_gave_is_refused_with_a_409_and_nothing_is_recorded(
        api: httpx.Client) -> None:
    first = _create(api, _pda1("DEMO-A1-LV-6001"))
    assert first.status_code == 201, first.text
    before = _count(api)
    body = _taken(_create(api, _pda1("DEMO-A1-LV-6001")))
    assert first.json()["id"] in body["error_description"] and "active" in body["rule"]
    # Told apart as a person reading it would: not by letter case or spacing.
    _taken(_create(api, _pda1(" demo-a1-lv-6001 ")))
    assert _count(api) == before


def test_a_withdrawn_documents_number_is_not_given_again(api: httpx.Client) -> None:
    """A withdrawn A1 still exists for an inspector (on paper, in a proof, as "withdrawn" on the status
    list): a new document with its number would be taken for it."""
    old = _create(api, _pda1("DEMO-A1-LV-6101")).json()
    assert api.post(f"/cases/{old['id']}/revoke", json={"reason": "posting cancelled"}).status_code == 200
    body = _taken(_create(api, _pda1("DEMO-A1-LV-6101")))
    assert "withdrawn" in body["rule"] and old["id"] in body["rule"]


def test_another_institution_may_give_the_same_number(clients: dict[str, httpx.Client]) -> None:
    """Numbers are each institution's own series: an A1 is named by its institution and its number."""
    vsaa = _create(clients["LV:VSAA"], _pda1("SHARED-0001"))
    drv = _create(clients["DE:DRV"], {**DRV_PERSON.pda1, "document_number": "SHARED-0001"}, holder=DRV_PERSON.holder)
    assert (vsaa.status_code, drv.status_code) == (201, 201), (vsaa.text, drv.text)


def test_a_number_left_empty_is_given_one_no_other_case_has(api: httpx.Client) -> None:
    labels = []
    for claims in (_pda1(None), _pda1(""), _pda1("   ")):
        created = _create(api, claims)
        assert created.status_code == 201, created.text
        case = created.json()
        assert GIVEN.fullmatch(case["claims"]["document_number"]), case["claims"]["document_number"]
        assert case["label"] == case["claims"]["document_number"]
        labels.append(case["label"])
    assert len(set(labels)) == 3


def test_a_pid_without_a_number_is_not_given_one(clients: dict[str, httpx.Client]) -> None:
    """A PID's document number is optional (PID Rulebook): none is made up, and PIDs without one
    never clash."""
    for _ in range(2):
        created = _create(clients["LV:PID"], PERSON.pid, "pid")
        assert created.status_code == 201, created.text
        assert "document_number" not in created.json()["claims"]


# --- CSV import -----------------------------------------------------------------------------------------


def _csv(*numbers: str) -> bytes:
    """The template's header and its row once per number."""
    header, row = TEMPLATE.strip().split("\n")[:2]
    return "\n".join([header, *(row.replace("DEMO-A1-LV-9001", n) for n in numbers)]).encode() + b"\n"


def _import(api: httpx.Client, data: bytes) -> httpx.Response:
    return api.post("/import", files={"file": ("cases.csv", data, "text/csv")})


def test_a_csv_file_with_a_number_already_given_imports_nothing_and_names_the_line(api: httpx.Client) -> None:
    existing = _create(api, _pda1("DEMO-A1-LV-6201")).json()
    before = _count(api)
    body = _taken(_import(api, _csv("DEMO-A1-LV-6202", "DEMO-A1-LV-6201", "DEMO-A1-LV-6203")))
    assert body["imported"] == 0 and [r["row"] for r in body["rows"]] == [3]
    assert body["rows"][0]["field"] == "document_number" and existing["id"] in body["rows"][0]["rule"]
    assert (body["rows"][0]["rule_key"], body["rows"][0]["rule_params"]) == (
        "number.given", {"number": "DEMO-A1-LV-6201", "case": existing["id"], "state": "active"})
    assert "row 3" in body["error_description"] and "nothing was imported" in body["error_description"]
    assert _count(api) == before  # not even the good rows before and after it


def test_a_csv_file_with_a_number_twice_imports_nothing_and_names_the_second_line(api: httpx.Client) -> None:
    before = _count(api)
    body = _taken(_import(api, _csv("DEMO-A1-LV-6301", "DEMO-A1-LV-6302", "demo-a1-lv-6301")))
    assert [r["row"] for r in body["rows"]] == [4] and "row 2" in body["rows"][0]["rule"]
    assert _count(api) == before


def test_the_empty_number_cells_of_a_csv_file_are_given_numbers_of_their_own(api: httpx.Client) -> None:
    response = _import(api, _csv("", "", "DEMO-A1-LV-6401"))
    assert response.status_code == 200, response.text
    labels = [r["label"] for r in response.json()["rows"]]
    assert all(GIVEN.fullmatch(label) for label in labels[:2]) and labels[2] == "DEMO-A1-LV-6401"
    assert len(set(labels)) == 3


# --- the service over SQLite and PostgreSQL --------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IssuerService]:
    url = (f"sqlite:///{tmp_path / 'issuer.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))  # skips without ESSPASS_TEST_POSTGRES_URL
    engine = make_engine(url)
    upgrade(engine, MIGRATIONS)
    from issuer.institutions import demo_institutions

    yield IssuerService(engine, demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=datetime.now(UTC)))
    engine.dispose()


def _cases_numbered(service: IssuerService, number: str) -> int:
    with service.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Case).where(Case.label == number)) or 0)


def test_a_given_number_that_a_case_already_has_is_drawn_again(service: IssuerService,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The unique index, not the odds, keeps a given number apart from one a clerk typed."""
    import issuer.service

    vsaa = service.institution("lv-vsaa")
    service.create_case(vsaa, "pda1", _pda1("LV-VSAA-2026-AAAAAAAA"), actor="clerk", holder=PERSON.holder)
    draws = iter(["LV-VSAA-2026-AAAAAAAA", "lv-vsaa-2026-aaaaaaaa", "LV-VSAA-2026-BBBBBBBB"])
    monkeypatch.setattr(issuer.service, "new_document_number", lambda _entity, _today: next(draws))
    case = service.create_case(vsaa, "pda1", _pda1(None), actor="clerk", holder=PERSON.holder)
    assert case.claims["document_number"] == "LV-VSAA-2026-BBBBBBBB"
    assert _cases_numbered(service, "LV-VSAA-2026-AAAAAAAA") == 1


def test_a_number_that_cannot_be_drawn_free_is_a_503_and_records_nothing(service: IssuerService,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import issuer.service

    vsaa = service.institution("lv-vsaa")
    service.create_case(vsaa, "pda1", _pda1("LV-VSAA-2026-CCCCCCCC"), actor="clerk", holder=PERSON.holder)
    monkeypatch.setattr(issuer.service, "new_document_number", lambda _entity, _today: "LV-VSAA-2026-CCCCCCCC")
    with pytest.raises(ProtocolError) as refused:
        service.create_case(vsaa, "pda1", _pda1(None), actor="clerk", holder=PERSON.holder)
    assert refused.value.http_status == 503
    assert len(service.list_cases(vsaa)) == 1


def test_a_number_is_the_institutions_whatever_the_document_type(service: IssuerService) -> None:
    """domain.md gives one document_number to the common block of PDA1 and EHIC, with no numbering
    per type: an institution issuing both gives a number once."""
    entity = replace(demo_entity("LV:NVD"), roles=frozenset({Role.PDA1_ISSUER, Role.EHIC_ISSUER}))
    both = Institution(entity, generate_key(), [], "http://127.0.0.1:1/lv-nvd")
    nvd = {k: PERSON.ehic[k] for k in ("issuing_authority", "authentic_source")}
    service.create_case(both, "pda1", {**_pda1("LV-NVD-0001"), **nvd}, actor="clerk", holder=PERSON.holder)
    with pytest.raises(NumberTaken):
        service.create_case(both, "ehic", {**PERSON.ehic, "document_number": "LV-NVD-0001"}, actor="clerk",
                            holder=PERSON.holder)


def test_an_erased_cases_number_is_not_given_again(service: IssuerService) -> None:
    """Erasure after the retention period takes the person's data, not the number: the withdrawal
    of that document still shows on its status list."""
    vsaa = service.institution("lv-vsaa")
    ended = {**_pda1("DEMO-A1-LV-6701"), "date_of_issuance": "2023-12-01", "starting_date": "2024-01-01",
             "ending_date": "2024-12-31"}
    # Recorded when it was issued: the retention period also runs from the case's recording.
    then = IssuerService(service.engine, service.institutions, clock=lambda: datetime(2023, 12, 1, 10, tzinfo=UTC))
    then.create_case(vsaa, "pda1", ended, actor="clerk", holder=PERSON.holder)
    assert service.erase_ended(90) == 1
    with pytest.raises(NumberTaken, match="DEMO-A1-LV-6701"):
        service.create_case(vsaa, "pda1", _pda1("DEMO-A1-LV-6701"), actor="clerk", holder=PERSON.holder)


def test_two_clerks_recording_one_number_at_the_same_moment_record_one_case(
        service: IssuerService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both pass the check before either commits (on PostgreSQL: READ COMMITTED, no lock to wait
    for); the unique index refuses the second, which is told as a 409, never a 500. On SQLite the
    second transaction cannot even begin before the first ends (BEGIN IMMEDIATE)."""
    vsaa = service.institution("lv-vsaa")
    both_checked = threading.Barrier(2, timeout=2)
    check = IssuerService._number_free

    def check_then_wait(self: IssuerService, *args: Any, **kwargs: Any) -> None:
        check(self, *args, **kwargs)
        try:
            both_checked.wait()
        except threading.BrokenBarrierError:
            pass  # SQLite: the other clerk waits for the write lock, not here

    monkeypatch.setattr(IssuerService, "_number_free", check_then_wait)
    outcomes: list[object] = []

    def record() -> None:
        try:
            outcomes.append(service.create_case(vsaa, "pda1", _pda1("DEMO-A1-LV-6501"), actor="clerk",
                                                holder=PERSON.holder))
        except Exception as exc:  # noqa: BLE001 - whatever it is, the assertion below names it
            outcomes.append(exc)

    clerks = [threading.Thread(target=record) for _ in range(2)]
    for clerk in clerks:
        clerk.start()
    for clerk in clerks:
        clerk.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes) == ["Case", "NumberTaken"], outcomes
    refused = next(o for o in outcomes if isinstance(o, NumberTaken))
    assert refused.http_status == 409 and refused.field == "document_number"
    assert _cases_numbered(service, "DEMO-A1-LV-6501") == 1


def test_the_database_refuses_a_second_case_with_a_number_of_the_institution(service: IssuerService) -> None:
    """What a writer that did not check first but gives the number its key (a script, a race past
    the check) meets: the unique index. A worker of an earlier release gives none: the issuer is
    stopped for the upgrade (ARCHITECTURE.md)."""
    vsaa = service.institution("lv-vsaa")
    case = service.create_case(vsaa, "pda1", _pda1("DEMO-A1-LV-6601"), actor="clerk", holder=PERSON.holder)
    insert = text("INSERT INTO issuer_cases (id, entity_id, configuration_id, claims, label, state, created_at, "
                  "created_by, number_key) VALUES (:id, :entity, 'pda1', '{}', 'x', 'active', :at, 'script', :key)")
    with service.engine.begin() as conn:  # another institution, and cases without a number: no clash
        conn.execute(insert, {"id": "other", "entity": "DE:DRV", "at": datetime.now(UTC), "key": case.number_key})
        for n in range(2):
            conn.execute(insert, {"id": f"none{n}", "entity": "LV:VSAA", "at": datetime.now(UTC), "key": None})
    with pytest.raises(IntegrityError), service.engine.begin() as conn:
        conn.execute(insert, {"id": "twin", "entity": "LV:VSAA", "at": datetime.now(UTC), "key": case.number_key})
