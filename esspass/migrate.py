"""Run a service's Alembic migrations on an engine (each service has its own version table)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from credentials.files import exclusive_lock

__all__ = ["upgrade"]


def upgrade(engine: Engine, script_location: Path, revision: str = "head", *,
            adopt: Callable[[Connection], str | None] | None = None) -> None:
    """Bring the service's tables to ``revision``; safe to call from several processes at once.

    ``adopt`` brings a database made before the service had migrations to the schema of one
    revision, in the same locked transaction, and returns that revision (``None``: nothing to
    adopt); the database is stamped with it and the later migrations run as on any other.
    """
    config = Config()
    config.set_main_option("script_location", str(script_location))
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        # Several worker processes start together on one SQLite file: one migrates, the others
        # then find the schema current (PostgreSQL takes an advisory lock below instead).
        with exclusive_lock(Path(f"{database}.migrate.lock")):
            _upgrade(engine, config, revision, adopt)
    else:
        _upgrade(engine, config, revision, adopt)


def _upgrade(engine: Engine, config: Config, revision: str,
             adopt: Callable[[Connection], str | None] | None) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two workers starting together must not both create the tables.
            from sqlalchemy import text

            connection.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        config.attributes["connection"] = connection
        adopted = adopt(connection) if adopt is not None else None
        if adopted is not None:
            command.stamp(config, adopted)
        command.upgrade(config, revision)
