"""Database engines for the services: SQLite by default, PostgreSQL by URL, same code.

SQLite gets WAL and a busy timeout so that two processes of one service can share a file, and
every transaction starts with ``BEGIN IMMEDIATE``: SQLite ignores ``SELECT ... FOR UPDATE``, so
without it two transactions could both read a row and both act on it (a case withdrawn while a
credential is recorded for it, one code redeemed twice). Taking the write lock at BEGIN makes
them run one after another, as the row locks do on PostgreSQL. PostgreSQL URLs written
``postgresql://`` are routed to psycopg 3.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

__all__ = ["NAMING_CONVENTION", "make_engine", "normalise_url"]

#: Constraint and index names every service's metadata uses, so that migrations name them alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # The driver's own implicit BEGIN (deferred, and only before writes) is turned off:
            # SQLAlchemy's "begin" below opens every transaction instead.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)
