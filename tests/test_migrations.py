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
