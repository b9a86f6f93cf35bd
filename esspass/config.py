"""Settings shared by every service: where data lives and which database to use.

Each service subclasses :class:`ServiceSettings` with its own env prefix
(``ESSPASS_REGISTRY_``, ``ESSPASS_ISSUER_`` ...). Nothing is read at import time: call
``Settings()`` (or pass values) when building an app.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    import httpx

__all__ = ["INSTANCE_ENV", "MIN_TOKEN_LENGTH", "NoDeployment", "ServiceSettings", "check_configured_tokens",
           "check_database_url", "default_data_dir", "private_sqlite_file", "require_data_dir", "require_file",
           "settings_error_line", "tls_verify"]

#: The environment variable whose value ``/healthz`` repeats as ``instance`` (set by ``esspass up``). Here,
#: not in esspass.web, so that the command line does not import the web stack for it.
INSTANCE_ENV = "ESSPASS_INSTANCE"


def default_data_dir() -> Path:
    """``$ESSPASS_DATA_DIR`` (which ``esspass --data-dir DIR`` sets) or ``./.esspass``: the pilot's
    PKI, databases and caches. Only what makes a deployment (``up``, ``init``, a service's first
    start) creates it; a command that reads or changes one calls :func:`require_data_dir` first."""
    return Path(os.environ.get("ESSPASS_DATA_DIR", ".esspass")).resolve()


#: The fewest characters of a bearer token an operator configures (``ESSPASS_REGISTRY_ADMIN_TOKENS``,
#: ``ESSPASS_ISSUER_CLERK_TOKENS``, ``ESSPASS_VERIFIER_INSPECTOR_TOKENS``). A token's entropy cannot
#: be known from the token, so its length is the rule that can be checked: 16 characters at least, so
#: that a word or a short code is never a credential (the generated tokens carry 256 random bits).
MIN_TOKEN_LENGTH = 16


def check_configured_tokens(tokens: typing.Iterable[str], variable: str) -> None:
    """Refuse (ValueError, one line naming ``variable`` and the rule, never a token) a configured
    token shorter than :data:`MIN_TOKEN_LENGTH`; for a settings validator, so it stops at load."""
    if any(len(token) < MIN_TOKEN_LENGTH for token in tokens):
        raise ValueError(f"{variable} has a token shorter than {MIN_TOKEN_LENGTH} characters: each token must have "
                         f"at least {MIN_TOKEN_LENGTH} (a random one: python -c \"import secrets; "
                         "print(secrets.token_urlsafe(32))\")")


class NoDeployment(Exception):
    """A command that reads or changes a deployment found no data directory, or not what it needs
    in it: refused in one line (exit 1, :func:`esspass.cli.main`), never made afresh, since a fresh
    one would hold tokens, keys and databases that the running services do not know."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


#: How an operator names the deployment meant: said with every :class:`NoDeployment`.
_NAME_IT = "or name the deployment's data directory with `esspass --data-dir DIR ...` or ESSPASS_DATA_DIR"


def require_data_dir(data_dir: Path) -> None:
    """Refuse (:class:`NoDeployment`) unless the data directory ``data_dir`` exists."""
    if not data_dir.is_dir():
        raise NoDeployment(f"no ESSPASS data directory at {data_dir}: run `esspass up` (or `esspass init`) to "
                           f"make one, {_NAME_IT}")


def require_file(path: Path, what: str, data_dir: Path, *, made_by: str = "`esspass up` (or `esspass init`)") -> None:
    """Refuse (:class:`NoDeployment`) unless ``path`` exists, naming the missing data directory
    first when that is what is missing, else ``what`` is missing there and what makes it."""
    if path.exists():
        return
    require_data_dir(data_dir)
    raise NoDeployment(f"no {what} at {path}: {made_by} makes it, {_NAME_IT}")


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

    def configured_database_url(self) -> str | None:
        """The service's database URL, or ``DATABASE_URL`` (without prefix); None: SQLite in the data directory.

        A URL that names no database ESSPASS runs on (not a URL, another scheme) is refused here, the one
        place every command and service reads it, in one line naming the variable, never the value (it
        holds the password): :class:`~credentials.errors.SettingError`, exit 2. A PostgreSQL URL without
        its driver installed is a refusal saying how to install it (exit 1)."""
        url = self.database_url or os.environ.get("DATABASE_URL")
        if url:
            check_database_url(url, self.database_variable())
        return url or None

    def database_variable(self) -> str:
        """The environment variable that names this service's database: its own (``ESSPASS_ISSUER_DATABASE_URL``)
        when set, else ``DATABASE_URL``, the one all services share."""
        own = f"{self.model_config.get('env_prefix', '')}DATABASE_URL".upper()
        return own if self.database_url else "DATABASE_URL"

    def db_url(self, default_file: str) -> str:
        """The configured ``DATABASE_URL`` (env var without prefix also honoured) or SQLite."""
        return self.configured_database_url() or self.sqlite_url(default_file)

    def require_database(self, default_file: str, what: str, *, made_by: str) -> None:
        """For a command on an existing deployment: refuse (:class:`NoDeployment`) when no database
        URL is configured and the data directory holds no ``default_file``, which
        :meth:`db_url` would otherwise create empty."""
        if self.configured_database_url() is None:
            require_file(self.data_dir / default_file, what, self.data_dir, made_by=made_by)


#: The database URLs the services run on: ``make_url``'s backend name, the form the README gives.
_DATABASE_FORMS = {"postgresql": "postgresql://USER:PASSWORD@HOST:5432/DATABASE", "sqlite": "sqlite:///FILE"}


def check_database_url(url: str, variable: str) -> None:
    """Refuse a database URL no service can use, naming ``variable`` and the rule, never the value:
    one that is not a URL, or names another database than PostgreSQL or SQLite, stops the command at
    once (:class:`~credentials.errors.SettingError`, exit 2) rather than as a driver's traceback; a
    PostgreSQL URL where its driver is not installed says how to install it (exit 1)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from credentials.errors import CredentialError, SettingError
    from esspass.db import normalise_url

    forms = " or ".join(_DATABASE_FORMS.values())
    try:
        parsed = make_url(normalise_url(url))
    except (ArgumentError, ValueError):
        raise SettingError(variable, f"is not a database URL: it must be {forms}") from None
    backend = parsed.get_backend_name()
    if backend not in _DATABASE_FORMS or parsed.get_driver_name() not in ("psycopg", "pysqlite"):
        raise SettingError(variable, f"names a database ESSPASS does not run on: it must be {forms}")
    if backend == "postgresql":
        import importlib.util

        if importlib.util.find_spec("psycopg") is None:
            raise CredentialError(f"{variable} names PostgreSQL, whose driver is not installed: "
                                  "pip install -e '.[postgres]' (or 'esspass[postgres]')")


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


def settings_error_line(exc: ValueError) -> str:
    """One line for a setting that a service's settings refused (pydantic's ``ValidationError``, or
    pydantic-settings' ``SettingsError`` for a value that is not the JSON it must be): the
    environment variable and the rule, never the value. The keys of a token setting are the
    secrets themselves, and pydantic names a dict entry by its key, so only the field is named."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        errors = [e for e in exc.errors(include_url=False, include_context=False, include_input=False)
                  if e["type"] != "default_factory_not_called"] or exc.errors(include_input=False)
        cls = _settings_class(exc.title)
        first = errors[0]
        loc = first["loc"]
        rule = str(first["msg"]).removeprefix("Value error, ")
        # A union field's errors are one per member type, each under the member's name (not an entry):
        # one mistake, told by what the setting accepts.
        def member(loc: tuple[int | str, ...]) -> bool:
            return len(loc) > 1 and isinstance(loc[1], str) and bool(_union_members(cls, str(loc[0])))

        mistakes = {(e["loc"][0],) if member(e["loc"]) else (e["loc"], e["type"]) for e in errors}
        more = f" (and {len(mistakes) - 1} more mistakes in the settings)" if len(mistakes) > 1 else ""
        if member(loc):
            accepts = ", or ".join(_accepts(t) for t in _union_members(cls, str(loc[0])))
            return f"esspass: {_env_name(cls, str(loc[0]))} is not valid: it must be {accepts}{more}"
        if not loc:  # a rule across fields (a model validator): name each field it names
            for name in (cls.model_fields if cls is not None else {}):
                rule = re.sub(rf"\b{name}\b", _env_name(cls, name), rule)
            return f"esspass: {rule}{more}"
        variable = _env_name(cls, str(loc[0]))
        if rule.startswith(variable):  # the project's own rules name their variable already
            return f"esspass: {rule}{more}"
        where = " (in one of its entries)" if len(loc) > 1 else ""
        return f"esspass: {variable} is not valid: {rule[:1].lower()}{rule[1:]}{where}{more}"
    source, field = _failed_source(exc)
    cls = getattr(source, "settings_cls", None)
    variable = _env_name(cls, field) if field else "a setting"
    if isinstance(exc.__cause__, json.JSONDecodeError):
        return f"esspass: {variable} is not valid JSON: it must be {_json_kind(cls, field)}"
    return f"esspass: {variable} cannot be read ({type(exc.__cause__ or exc).__name__})"


def _settings_class(name: str) -> type[BaseSettings] | None:
    """The settings class that pydantic names ``name`` in an error (its title)."""
    todo: list[type[BaseSettings]] = [BaseSettings]
    while todo:
        cls = todo.pop()
        if cls.__name__ == name:
            return cls
        todo.extend(cls.__subclasses__())
    return None


def _env_name(cls: type[BaseSettings] | None, field: str) -> str:
    """The environment variable that sets ``field`` of ``cls``: its first alias, else prefix and name."""
    info = cls.model_fields.get(field) if cls is not None else None
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices):
        alias = next((choice for choice in alias.choices if isinstance(choice, str)), None)
    if isinstance(alias, str):
        return alias.upper()
    prefix = str(cls.model_config.get("env_prefix", "")) if cls is not None else ""
    return f"{prefix}{field}".upper()


def _failed_source(exc: ValueError) -> tuple[object, str | None]:
    """The settings source (it knows its settings class) and the field it failed on, read from the
    frame that raised ``exc``: pydantic-settings names the field in its message only."""
    source: object = None
    field: str | None = None
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame.f_locals
        if hasattr(frame.get("self"), "settings_cls") and isinstance(frame.get("field_name"), str):
            source, field = frame["self"], frame["field_name"]
        tb = tb.tb_next
    if field is None:
        found = re.search(r'field "(\w+)"', str(exc))
        field = found.group(1) if found else None
    return source, field


def _union_members(cls: type[BaseSettings] | None, field: str) -> tuple[Any, ...]:
    """The member types of ``field`` when it is a union of two or more (``None`` left out: pydantic
    tells an optional field's errors as the other type's), else ()."""
    info = cls.model_fields.get(field) if cls is not None else None
    annotation = info.annotation if info is not None else None
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return ()
    members = tuple(t for t in typing.get_args(annotation) if t is not type(None))
    return members if len(members) > 1 else ()


def _accepts(kind: Any) -> str:
    """What a setting of type ``kind`` is written as, in the words of a settings error."""
    kind = typing.get_origin(kind) or kind
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text",
            list: 'a JSON list (["...", ...])', dict: 'a JSON object ({"...": ...})'}.get(
        kind, getattr(kind, "__name__", str(kind)))


def _json_kind(cls: type[BaseSettings] | None, field: str | None) -> str:
    """What a JSON setting must hold, by its type: an object for a dict, a list for a list."""
    info = cls.model_fields.get(field) if cls is not None and field is not None else None
    annotation = info.annotation if info is not None else None
    union = typing.get_origin(annotation) in (typing.Union, types.UnionType)
    kinds = {typing.get_origin(t) or t for t in (typing.get_args(annotation) if union else (annotation,))}
    if dict in kinds:
        return 'a JSON object ({"...": ...})'
    if list in kinds:
        return 'a JSON list (["...", ...])'
    return "JSON"
