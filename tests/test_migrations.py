"""Every service's Alembic migrations build exactly the tables its models describe.

A model changed without a migration would work in tests that create tables from the models and
fail on an operator's upgraded database; here the database is made by the migrations alone and
compared with the models (alembic autogenerate finds no difference), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from esspass.db import make_engine
from esspass.migrate import upgrade


def _services() -> list[tuple[str, Path, MetaData, str]]:
    from issuer.app import MIGRATIONS as ISSUER
    from issuer.db import Base as IssuerBase
    from trust_registry.store import MIGRATIONS as REGISTRY
    from trust_registry.store import Base as RegistryBase
    from verifier.db import Base as VerifierBase
    from verifier.transactions import MIGRATIONS as VERIFIER

    return [("issuer", ISSUER, IssuerBase.metadata, "alembic_version_issuer"),
            ("registry", REGISTRY, RegistryBase.metadata, "alembic_version_registry"),
            ("verifier", VERIFIER, VerifierBase.metadata, "alembic_version_verifier")]


def _differences(url: str) -> dict[str, list[Any]]:
    engine = make_engine(url)
    try:
        out = {}
        for name, migrations, metadata, version_table in _services():
            upgrade(engine, migrations)
            ours = set(metadata.tables)

            def own(obj: Any, _name: Any, kind: str, _reflected: bool, _compare_to: Any, ours: set[str] = ours) -> bool:
                # The other services' tables in the same database are not this one's business.
                table = obj if kind == "table" else getattr(obj, "table", None)
                return table is None or table.name in ours

            with engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"version_table": version_table,
                                                                 "include_object": own})
                out[name] = list(compare_metadata(context, metadata))
        return out
    finally:
        engine.dispose()


def test_migrations_build_the_models_on_sqlite(tmp_path: Path) -> None:
    assert _differences(f"sqlite:///{tmp_path / 'all.db'}") == {"issuer": [], "registry": [], "verifier": []}


@pytest.mark.postgres
def test_migrations_build_the_models_on_postgresql(postgres_url: str) -> None:
    assert _differences(postgres_url) == {"issuer": [], "registry": [], "verifier": []}


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_cases_that_shared_a_number_before_the_upgrade_keep_it_and_no_new_case_can_take_it(
        database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Migration 0010 on a database that already holds duplicates (issuer/migrations/versions/0010_*).

    What was issued stays as it was, since the documents are in wallets and on paper with those
    numbers: the first case of each number keeps it under the unique index, the later ones are
    left outside it and told in their history to be replaced. No new case can take any of them.
    """
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from credentials.demo_persons import DEMO_PERSONS
    from issuer.app import MIGRATIONS
    from issuer.institutions import demo_institutions
    from issuer.service import IssuerService, NumberTaken

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}" if database == "sqlite"
                         else request.getfixturevalue("postgres_url"))  # skips without ESSPASS_TEST_POSTGRES_URL
    upgrade(engine, MIGRATIONS, revision="0009")
    cases = sa.table("issuer_cases", *(sa.column(c) for c in ("id", "entity_id", "configuration_id", "label",
                                                               "state", "created_by")),
                     sa.column("claims", sa.JSON), sa.column("created_at", sa.DateTime(timezone=True)),
                     sa.column("erased_at", sa.DateTime(timezone=True)))

    def case(case_id: str, entity: str, config: str, number: str | None, month: int, *, state: str = "active",
             erased: bool = False, label: str | None = None) -> dict[str, Any]:
        claims = {} if erased or number is None else {"document_number": number}
        return {"id": case_id, "entity_id": entity, "configuration_id": config, "label": label or number or "",
                "state": state, "created_by": "clerk", "claims": claims,
                "created_at": datetime(2025, month, 1, 10, tzinfo=UTC),
                "erased_at": datetime(2026, 1, 1, tzinfo=UTC) if erased else None}

    with engine.begin() as conn:
        conn.execute(cases.insert(), [
            case("copy", "LV:VSAA", "pda1", "demo-a1-lv-0001 ", 2),  # the same number to a reader
            case("original", "LV:VSAA", "pda1", "DEMO-A1-LV-0001", 1, state="revoked"),
            case("erased", "LV:VSAA", "pda1", "DEMO-A1-LV-0001", 3, erased=True),  # its number kept in the label
            case("own", "LV:VSAA", "pda1", "DEMO-A1-LV-0002", 4),
            case("drv", "DE:DRV", "pda1", "DEMO-A1-LV-0001", 5),  # another institution's series
            case("pid1", "LV:PID", "pid", None, 6, label="Anna Bērziņa"),
            case("pid2", "LV:PID", "pid", None, 7, label="Anna Bērziņa"),
            case("pid3", "LV:PID", "pid", None, 8, erased=True, label="PID 0a1b2c3d"),
        ])
    upgrade(engine, MIGRATIONS)
    with engine.connect() as conn:
        keys = {r[0]: r[1] for r in conn.execute(sa.text("SELECT id, number_key FROM issuer_cases"))}
        events = [tuple(r) for r in conn.execute(sa.text("SELECT case_id, action, reason FROM issuer_events"))]
    assert keys["original"] is not None and keys["copy"] is None and keys["erased"] is None  # the first keeps it
    assert keys["drv"] == keys["original"] and keys["own"] not in (None, keys["original"])
    assert keys["pid1"] is None and keys["pid2"] is None and keys["pid3"] is None
    assert sorted(events) == [("copy", "number_shared", "case original"), ("erased", "number_shared", "case original")]

    vsaa = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=datetime.now(UTC))["lv-vsaa"]
    service = IssuerService(engine, {"lv-vsaa": vsaa})
    for number, keeper in (("DEMO-A1-LV-0001", "original"), ("DEMO-A1-LV-0002", "own")):
        with pytest.raises(NumberTaken, match=f"case {keeper}"):
            service.create_case(vsaa, "pda1", {**DEMO_PERSONS[0].pda1, "document_number": number}, actor="clerk",
                                holder=DEMO_PERSONS[0].holder)
    engine.dispose()


#: What a downgrade deliberately changes in the rows it keeps, by service and revision (its docstring
#: says why): 0020 makes a replaced case ``revoked``, 0016 ends the open offers of the offer-key scheme.
_CHANGED_ON_PURPOSE: dict[tuple[str, str], set[tuple[str, str]]] = {
    ("issuer", "0020"): {("issuer_cases", "state")},
    ("issuer", "0016"): {("issuer_offers", "state")},
}


def _fill_issuer(url: str, tmp_path: Path) -> None:
    """An issuer that has worked: an A1 case naming its holder, its offer taken by a wallet (token,
    refresh token, DPoP proofs, three copies with their status list entries), the grant refreshed,
    a case replaced, a clerk's search, and the history of all of it."""
    from test_refresh_grants import CLERK, _world

    from credentials.demo_persons import DEMO_PERSONS
    from credentials.jose import generate_key
    from esspass.stack import unnumbered

    world, engine = _world(tmp_path, tmp_path / "pki", url)
    try:
        key = generate_key()
        _case, first = world.first_token(key)
        world.credential(first["access_token"], key)
        world.refresh(first["refresh_token"], key)
        service, inst = world.service, world.inst
        old = service.create_case(inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor=CLERK,
                                  holder=DEMO_PERSONS[0].holder)
        service.replace_case(inst, old.id, unnumbered(DEMO_PERSONS[0].pda1), actor=CLERK, reason="ended early")
        service.list_cases(inst, query=DEMO_PERSONS[0].holder["family_name"], reader=CLERK)
    finally:
        engine.dispose()


def _fill_registry(url: str, tmp_path: Path) -> None:
    """The demo registry as ``esspass up`` seeds it: entities, their certificates, status periods, audit."""
    from trust_registry.seed import seed_data_dir

    seed_data_dir(tmp_path, database_url=url)


def _fill_verifier(url: str, tmp_path: Path) -> None:
    """An offline check as the verifier stores it: its transaction and its inspection record with the
    document checked (its status list reference and age), for a day of care."""
    import os
    import time

    from credentials import pda1
    from verifier import records
    from verifier.transactions import MIGRATIONS, Transaction, TransactionStore

    engine = make_engine(url)
    try:
        upgrade(engine, MIGRATIONS)
        now = time.time()
        tx = Transaction(os.urandom(9).hex(), "offline", "", "", "", {}, "offline", "", None, now, now + 300,
                         "offline inspection", status="done", verdict={"verdict": "valid"},
                         view=os.urandom(12).hex(), inspector="anna.ozola", care_date="2026-03-10")
        document = records.RecordedDocument(pda1.VCT, "LV:VSAA", "valid", records.document_ref(b"k" * 32, "A1-7"),
                                            "network", 12.0, "https://issuer.example/status/1", 7)
        TransactionStore(engine, os.urandom(32)).add(tx, records.InspectionEntry(
            id=tx.id, checked_at=now, kind="offline", flow=None, verdict="valid", reason_key="", inspector="anna.ozola",
            verifier_id="LV:VDI", policy_version="p1", proof="proof", documents=(document,), care_date="2026-03-10"))
    finally:
        engine.dispose()


_FILLS = {"issuer": _fill_issuer, "registry": _fill_registry, "verifier": _fill_verifier}
#: The tables each fill leaves rows in.
_FILLED = {
    "issuer": ("issuer_cases", "issuer_events", "issuer_offers", "issuer_tokens", "issuer_refresh_tokens",
               "issuer_dpop_jtis", "issuer_status_lists", "issuer_credentials", "issuer_case_searches"),
    "registry": ("registry_entities", "registry_certificates", "registry_status_periods", "registry_audit"),
    "verifier": ("verifier_transactions", "verifier_inspection_records", "verifier_inspection_documents"),
}


def _rows(engine: Any) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table's columns and rows (but the version tables')."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        out = {}
        for table in inspector.get_table_names():
            if not table.startswith("alembic_version"):
                columns = [c["name"] for c in inspector.get_columns(table)]
                rows = conn.execute(sa.select(*map(sa.column, columns)).select_from(sa.table(table))).all()
                out[table] = (columns, [tuple(r) for r in rows])
        return out


def _kept(rows: tuple[list[str], list[tuple[Any, ...]]], columns: list[str]) -> list[str]:
    """The rows as ``columns`` hold them, in a stable order."""
    names, values = rows
    return sorted(repr([row[names.index(c)] for c in columns]) for row in values)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("service", sorted(_FILLS))
def test_every_downgrade_to_base_succeeds_on_a_database_in_use_and_keeps_the_rows_the_older_schema_holds(
        service: str, database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """An operator rolling a release back (``esspass migrate --service S --to REV``) runs each later
    migration's downgrade on a database full of what the service did. On SQLite a downgrade that
    dropped a column by copying the table and dropping the original failed (FOREIGN KEY constraint
    failed) when other tables' rows point at it, as issuer_cases', issuer_status_lists' and
    registry_entities' do, or deleted those rows silently through ON DELETE CASCADE, as
    verifier_inspection_records' documents. Here every step from head to base must succeed, and
    each table that stays keeps every row, unchanged in the columns that stay (but for what
    :data:`_CHANGED_ON_PURPOSE` names)."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    url = (f"sqlite:///{tmp_path / 'service.db'}" if database == "sqlite"
           else request.getfixturevalue("postgres_url"))  # skips without ESSPASS_TEST_POSTGRES_URL
    _FILLS[service](url, tmp_path)
    config = Config()
    config.set_main_option("script_location", str(next(m for name, m, *_ in _services() if name == service)))
    engine = make_engine(url)
    try:
        before = _rows(engine)
        assert not [t for t in _FILLED[service] if not before[t][1]], "the service's tables are to hold rows"
        for script in ScriptDirectory.from_config(config).walk_revisions():  # head first
            with engine.begin() as conn:
                config.attributes["connection"] = conn
                command.downgrade(config, "-1")  # to the revision before
            after = _rows(engine)
            changed = _CHANGED_ON_PURPOSE.get((service, script.revision), set())
            for table in before.keys() & after.keys():
                columns = [c for c in after[table][0] if (table, c) not in changed]
                assert _kept(after[table], columns) == _kept(before[table], columns), (script.revision, table)
            before = after
        assert before == {}
    finally:
        engine.dispose()
