"""Database engines for the services: SQLite by default, PostgreSQL by URL, same code.

SQLite gets WAL and a busy timeout so that two processes of one service can share a file.
SQLite ignores ``SELECT ... FOR UPDATE``, so a write transaction there takes the write lock at
its start (``BEGIN IMMEDIATE``): otherwise two of them could both read a row and both act on it
(a case withdrawn while a credential is recorded for it, one code redeemed twice), where
PostgreSQL's row locks make them wait. A write transaction is one begun through
:class:`Sessions` ``.begin()`` (or on a connection with the :data:`WRITE` execution option);
everything else begins deferred, so that reads (status lists, metadata, trust lists) go on beside
a write under WAL instead of queueing behind it. PostgreSQL URLs written ``postgresql://`` are
routed to psycopg 3.

An erasure (the issuer's retention, the verifier's person data) must leave no readable copy in the
database's files: SQLite runs with ``secure_delete`` (freed cells zeroed, whatever the build's
default), and :func:`release_erased` moves the write-ahead log into the file and truncates it, since
until then the WAL holds the pages as they were before (GDPR Art. 5(1)(e), 17).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from credentials.errors import CredentialError

__all__ = ["CONNECT_TIMEOUT", "NAMING_CONVENTION", "TCP_OPTIONS", "WRITE", "DatabaseUnreachable", "Sessions",
           "make_engine", "normalise_url", "reaching", "release_erased", "release_erased_or_warn", "serialises_writes",
           "unavailable"]

_log = logging.getLogger("esspass.db")

#: Execution option of a connection whose transaction will write: on SQLite it begins IMMEDIATE.
WRITE = "esspass_write"

#: How long a SQLite statement waits for another process's write lock.
_BUSY_MS = 30000

#: Seconds a new PostgreSQL connection may take before it is given up (libpq's ``connect_timeout``).
CONNECT_TIMEOUT = 10

#: libpq's TCP options for every PostgreSQL connection (:func:`make_engine`). ``connect_timeout`` bounds
#: only a new connection: one taken from the pool to a server that froze (a host or VM halted, a
#: network partition, a failover leaving the old address dead) would wait on it for the operating
#: system's retransmission timeout, about 15 minutes on Linux, holding the request's thread. With
#: these, data left unacknowledged 30 s (``tcp_user_timeout``, ms; pool_pre_ping's query, a statement)
#: ends the connection, and an idle one is probed after 30 s, every 10 s, dead after 3 probes
#: unanswered: the request is a 503 (esspass.web) and the pool opens a new connection next time.
TCP_OPTIONS: dict[str, int] = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                               "keepalives_count": 3, "tcp_user_timeout": 30_000}

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
    # A database error's message otherwise quotes the statement's values (names, personal numbers),
    # and it ends up in the logs of whoever catches it.
    kwargs.setdefault("hide_parameters", True)
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
            cur.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        event.listen(engine, "begin", _sqlite_begin)

        return engine
    # Without connect_timeout a connection to a server that does not answer (a host gone, packets
    # dropped, a server hung in its start-up) waits for the operating system's TCP timeout, minutes,
    # holding the request's thread: with it the request is a 503 (esspass.web) after this many seconds.
    # TCP_OPTIONS do the same for a connection already open. The URL's own (?connect_timeout=N...) win.
    options = {"connect_timeout": CONNECT_TIMEOUT, **_tcp_options()}
    query = make_url(url).query
    kwargs["connect_args"] = {**{k: v for k, v in options.items() if k not in query},
                              **kwargs.get("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _tcp_options() -> dict[str, int]:
    """:data:`TCP_OPTIONS` that the libpq psycopg uses knows: ``tcp_user_timeout`` came with libpq 12
    (an older one refuses every connection naming it); the binary wheel brings a recent libpq."""
    try:
        from psycopg import pq

        version = pq.version()
    except ImportError:  # no psycopg: the engine's first connection says so
        return dict(TCP_OPTIONS)
    return {k: v for k, v in TCP_OPTIONS.items() if k != "tcp_user_timeout" or version >= 120000}


def unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be used now rather than that a statement is wrong: the
    server gone or refusing connections, a connection ended under the service (``pg_terminate_backend``,
    a restart, a failover), a serialisation failure or deadlock, no pooled connection free in time,
    SQLite locked past its busy timeout or its file not openable. SQLite reports a missing table as an
    ``OperationalError`` too: that one is the code's or the schema's, not an outage."""
    if isinstance(exc, (InterfaceError, DisconnectionError, PoolTimeout)):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if isinstance(exc.orig, sqlite3.Error):
        text = str(exc.orig).lower()
        return any(word in text for word in ("locked", "busy", "unable to open", "disk i/o"))
    return True


class DatabaseUnreachable(CredentialError):
    """A command or a service's start found its database not answering (PostgreSQL not running there,
    a wrong port, host, database or user): one line naming the setting and the driver's reason, exit 1
    (:func:`esspass.cli.main`), in place of the driver's hundred-line traceback."""

    code = "database_unreachable"


def _reason(exc: SQLAlchemyError, secret: str | None) -> str:
    """The driver's first line (``connection to server at "db", port 5433 failed: Connection refused``):
    what an operator needs to tell a wrong port from a wrong password. psycopg names the host, port,
    database and user, never the password; one is blanked all the same should a driver quote it."""
    first = next((line.strip() for line in str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()
                  if line.strip()), type(exc).__name__)
    first = first.removeprefix("connection failed: ")
    if secret:
        first = first.replace(secret, "***")
    return first[:300]


@contextmanager
def reaching(what: str, url: str | None) -> Iterator[None]:
    """Inside the block, a database that does not answer (``OperationalError``, ``InterfaceError``) is
    :class:`DatabaseUnreachable`, naming ``what`` (the service and its setting) and the reason."""
    try:
        yield
    except SQLAlchemyError as exc:
        if not unavailable(exc):
            raise
        from sqlalchemy.engine import make_url

        try:
            secret = make_url(normalise_url(url)).password if url else None
        except Exception:  # noqa: BLE001 - checked before (esspass.config.check_database_url); no secret then
            secret = None
        raise DatabaseUnreachable(f"{what} cannot be reached: {_reason(exc, str(secret) if secret else None)}; "
                                  "check that the database server runs there and takes this user and database, "
                                  "then try again (nothing was changed)") from None


def release_erased(engine: Engine, *, attempts: int = 5) -> bool:
    """After an erasure, leave none of the erased values readable in the database's files; True when done.

    SQLite: a ``TRUNCATE`` checkpoint writes the WAL into the file (where ``secure_delete`` has
    zeroed what was overwritten) and empties the WAL, which held the pages as they were before. A
    reader holding an older snapshot keeps it from finishing: tried again, a little later each time;
    False if it never could (the next erasure tries again). PostgreSQL leaves the old row versions
    to (auto)vacuum: nothing to do here.
    """
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    cur = raw.cursor()
    try:
        # The checkpoint waits for readers through the busy handler: a second, not the writers' 30.
        cur.execute("PRAGMA busy_timeout=1000")
        for attempt in range(attempts):
            if not cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]:
                return True
            time.sleep(0.05 * 2 ** attempt)
        return False
    finally:
        cur.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
        cur.close()
        raw.close()


def release_erased_or_warn(engine: Engine, service: str, *, attempts: int = 5,
                           ready: Callable[[], bool] = lambda: True) -> bool:
    """:func:`release_erased` for a service's erasure run (after ``ready()``, a cheaper check that may
    say not now): True when done. Otherwise the erasure itself stands, only its old copy is left: a
    warning naming the service and the cause's type, never anything erased, and the caller tries
    again at its next run."""
    try:
        released = ready() and release_erased(engine, attempts=attempts)
    except (SQLAlchemyError, sqlite3.Error) as exc:
        _log.warning("after erasing personal data, emptying the database's write-ahead log failed (%s): tried "
                     "again at the next erasure run", type(exc).__name__,
                     extra={"service": service, "event": "erasure_unreleased"})
        return False
    if not released:
        _log.warning("after erasing personal data, a reader of the database (a backup, a long query) kept its "
                     "write-ahead log from being emptied: the erased values stay in it until the next erasure run "
                     "empties it", extra={"service": service, "event": "erasure_unreleased"})
    return released


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def serialises_writes(engine: Engine) -> bool:
    """Whether ``engine`` serialises write transactions as :mod:`esspass.db` sets it up (any
    PostgreSQL engine with row locks; a SQLite engine only when made by :func:`make_engine`)."""
    return engine.dialect.name != "sqlite" or event.contains(engine, "begin", _sqlite_begin)


class Sessions(sessionmaker[Session]):
    """A service's sessions. ``begin()`` is a write transaction: on SQLite it holds the write
    lock from its first statement (module docstring); a session used without ``begin()`` reads."""

    @contextmanager
    def begin(self) -> Iterator[Session]:
        with self() as session, session.begin():
            session.connection(execution_options={WRITE: True})
            yield session
