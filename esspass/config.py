"""Settings shared by every service: where data lives and which database to use.

Each service subclasses :class:`ServiceSettings` with its own env prefix
(``ESSPASS_REGISTRY_``, ``ESSPASS_ISSUER_`` ...). Nothing is read at import time: call
``Settings()`` (or pass values) when building an app.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    import httpx

__all__ = ["ServiceSettings", "default_data_dir", "private_sqlite_file", "tls_verify"]


def default_data_dir() -> Path:
    """``$ESSPASS_DATA_DIR`` or ``./.esspass``: the pilot's PKI, databases and caches."""
    return Path(os.environ.get("ESSPASS_DATA_DIR", ".esspass")).resolve()


class ServiceSettings(BaseSettings):
    """Common settings; ``database_url`` defaults to an SQLite file in the data directory."""

    model_config = SettingsConfigDict(env_prefix="ESSPASS_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    #: Public base URL of this service as others reach it (https://localhost:8102 ...).
    public_url: str | None = None
    environment: str = "development"

    def sqlite_url(self, name: str) -> str:
        """The SQLite file ``name`` in the data directory, made private (:func:`private_sqlite_file`)."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        database = self.data_dir / name
        private_sqlite_file(database)
        return f"sqlite:///{database}"

    def db_url(self, default_file: str) -> str:
        """The configured ``DATABASE_URL`` (env var without prefix also honoured) or SQLite."""
        return self.database_url or os.environ.get("DATABASE_URL") or self.sqlite_url(default_file)


def private_sqlite_file(database: Path) -> None:
    """Make the SQLite file ``database`` readable by its owner only (0600) before SQLite opens it.

    The services' databases hold personal data; SQLite creates a missing one with the process's
    umask (0644 by default) and its ``-wal`` and ``-shm`` files with the database file's own mode,
    so creating the file 0600 first keeps all three private. Files an earlier release left readable
    to others are tightened.

    An existing database is never opened here: closing any descriptor of a database file drops the
    POSIX locks every SQLite connection of this process holds on it, and another engine of this
    process may be using it."""
    try:
        os.close(os.open(database, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o600))  # empty file: empty database
    except FileExistsError:
        pass
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        if stat.st_mode & 0o077 and stat.st_uid == os.getuid():
            path.chmod(0o600)


def tls_verify(ca: Path | str | bool | None) -> ssl.SSLContext | bool:
    """httpx's ``verify``: an SSL context trusting the CA bundle ``ca`` (the demo TLS CA in the pilot),
    or True (the system store) when none is given. Verification is never switched off here."""
    if ca is None or ca is True or ca is False:
        return True
    return ssl.create_default_context(cafile=str(ca))


def service_http_client(tls_ca: Path | None, pki_dir: Path) -> httpx.Client:
    """A service's HTTPS client to the registry and other services: trusting ``tls_ca``, else the
    demo PKI's TLS CA when there is one, else the system store; no redirects followed. Built on
    :func:`esspass.fetch.client`, so that a status list or trust list fetch is held to its
    deadline from connecting to the last byte (an institution's server may be hostile or broken)."""
    from esspass import fetch

    ca = tls_ca if tls_ca is not None else (pki_dir / "tls" / "ca.pem")
    return fetch.client(verify=tls_verify(ca if ca.exists() or tls_ca is not None else None), timeout=10,
                        follow_redirects=False)
