"""An erasure leaves no readable copy of what it erased in SQLite's files (esspass.db.release_erased).

GDPR Art. 5(1)(e), 17: once a person's data is erased, a copy of the data directory (a backup)
must not hold it. SQLite keeps the pages as they were in its write-ahead log until a checkpoint,
and, without ``secure_delete``, in freed cells of the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from esspass.db import make_engine, release_erased

SECRET = b"ZZPAN-7777-SECRET"


def _files_holding(directory: Path, needle: bytes) -> list[str]:
    return sorted(p.name for p in directory.glob("store.db*") if needle in p.read_bytes())


def test_an_erased_value_is_in_no_file_of_the_database_after_release(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, number TEXT)"))
        conn.execute(text("INSERT INTO person (number) VALUES (:n)"), {"n": SECRET.decode() + "x" * 3000})
    with engine.begin() as conn:
        conn.execute(text("UPDATE person SET number = ''"))
    assert _files_holding(tmp_path, SECRET), "the test needs the value written somewhere first"
    assert release_erased(engine)
    assert _files_holding(tmp_path, SECRET) == []
    engine.dispose()


def test_a_reader_holding_an_old_snapshot_delays_the_release_without_failing_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE person (id INTEGER PRIMARY KEY, number TEXT)"))
        conn.execute(text("INSERT INTO person (number) VALUES (:n)"), {"n": SECRET.decode()})
    reader = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT number FROM person").fetchall()  # a snapshot from before the erasure
    with engine.begin() as conn:
        conn.execute(text("UPDATE person SET number = ''"))
    assert release_erased(engine, attempts=2) is False  # said, not hidden: the next erasure tries again
    reader.execute("COMMIT")
    reader.close()
    assert release_erased(engine)
    assert _files_holding(tmp_path, SECRET) == []
    engine.dispose()


def test_sqlite_connections_zero_what_they_free() -> None:
    engine = make_engine("sqlite://")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
