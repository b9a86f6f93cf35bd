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
