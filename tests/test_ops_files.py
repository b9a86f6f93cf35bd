"""The services' SQLite databases hold personal data: the data directory is made 0700 and the
database with its ``-wal`` and ``-shm`` files 0600, whatever the process's umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from esspass.config import ServiceSettings
from esspass.db import make_engine


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common default umask (0022), under which files are made readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_and_its_sqlite_files_are_private(tmp_path: Path, usual_umask: None) -> None:
    settings = ServiceSettings(data_dir=tmp_path / "data")
    engine = make_engine(settings.sqlite_url("service.db"))
    try:
        with engine.begin() as conn:  # WAL mode: the write leaves -wal and -shm beside the database
            conn.execute(text("CREATE TABLE person (name TEXT)"))
            conn.execute(text("INSERT INTO person VALUES ('Anna')"))
        files = {p.name: _mode(p) for p in (tmp_path / "data").iterdir()}
    finally:
        engine.dispose()
    assert _mode(tmp_path / "data") == 0o700
    assert {"service.db", "service.db-wal", "service.db-shm"} <= set(files)
    assert files["service.db"] == files["service.db-wal"] == files["service.db-shm"] == 0o600


def test_a_data_directory_made_beforehand_open_to_others_is_made_private_by_init(tmp_path: Path,
                                                                                 usual_umask: None) -> None:
    """``mkdir data && esspass init --data-dir data`` (umask 022: 0755): the keys and databases go in
    a directory others could list and enter; init makes it 0700 as README says."""
    from esspass.pilot import init

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    init(data)
    assert _mode(data) == 0o700


def test_a_database_an_earlier_release_left_readable_is_made_private(tmp_path: Path, usual_umask: None) -> None:
    for name in ("old.db", "old.db-wal"):
        (tmp_path / name).touch(mode=0o644)
    ServiceSettings(data_dir=tmp_path).sqlite_url("old.db")
    assert _mode(tmp_path / "old.db") == _mode(tmp_path / "old.db-wal") == 0o600



def test_asking_for_the_url_again_keeps_the_locks_of_an_open_database(tmp_path: Path) -> None:
    """Closing any descriptor of an SQLite file drops every lock this process holds on it: making
    the file private must not open one that an engine of this process is using (another replica in
    the same process starting), or another process could change the database under its readers."""
    settings = ServiceSettings(data_dir=tmp_path)
    engine = make_engine(settings.sqlite_url("shared.db"))
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
        with engine.connect() as conn, conn.begin():
            conn.execute(text("SELECT * FROM t")).all()  # a read transaction: a shared lock on the file
            settings.sqlite_url("shared.db")
            # Leaving WAL needs the database to itself: another process must be refused.
            script = ("import sqlite3, sys\n"
                      "c = sqlite3.connect(sys.argv[1], timeout=0.1, isolation_level=None)\n"
                      "try:\n    print(c.execute('PRAGMA journal_mode=DELETE').fetchone()[0])\n"
                      "except sqlite3.OperationalError as exc:\n    print(exc)\n")
            other = subprocess.run([sys.executable, "-c", script, str(tmp_path / "shared.db")], capture_output=True,
                                   text=True, timeout=30)
    finally:
        engine.dispose()
    assert other.stdout.strip() == "database is locked", other.stdout + other.stderr


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_database_error_never_quotes_the_values_it_was_given(tmp_path: Path, database: str,
                                                               request: pytest.FixtureRequest) -> None:
    """A failed statement's message would otherwise quote all its bound values (SQLAlchemy's
    "[parameters: ...]"), whoever turns it into text. (PostgreSQL's own detail names the key that
    clashed; logs never print exception messages, esspass.web.exception_text.)"""
    from sqlalchemy.exc import IntegrityError

    url = (f"sqlite:///{tmp_path / 'x.db'}" if database == "sqlite"
           else request.getfixturevalue("postgres_url"))
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE people (pan VARCHAR(20) PRIMARY KEY, name VARCHAR(50))"))
        row = {"pan": "010190-12345", "name": "Jānis Bērziņš"}
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO people VALUES (:pan, :name)"), row)
        with pytest.raises(IntegrityError) as failed, engine.begin() as conn:
            conn.execute(text("INSERT INTO people VALUES (:pan, :name)"), row)
        assert "Bērziņš" not in str(failed.value) and "parameters hidden" in str(failed.value)
    finally:
        engine.dispose()
