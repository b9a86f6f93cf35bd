"""Run a service's Alembic migrations on an engine (each service has its own version table).

``esspass migrate [--service NAME]`` brings the registry's, the issuer's and the verifier's tables
to this release's schema and exits, saying what it did (``issuer: database schema 0019 -> 0020``);
``esspass <service> serve`` does the same before it starts. A database already migrated by a newer
release is refused in one line (:class:`SchemaTooNew`): this release's code cannot read what that
schema holds, and a downgrade would be a guess. ``esspass migrate --service NAME --to REV`` rolls
one service's tables back to an earlier revision of this release (its scripts' ``downgrade``), so
that the release whose head that is may run on them again.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, make_url

from credentials.errors import CredentialError
from credentials.files import exclusive_lock

if TYPE_CHECKING:  # alembic is imported where it runs: every ``esspass`` command imports this module
    from alembic.config import Config
    from alembic.util import CommandError

__all__ = ["SERVICES", "SchemaTooNew", "ServiceDatabase", "migrate_service", "register", "upgrade", "upgrade_service"]


class SchemaTooNew(CredentialError):
    """The database's schema revision is not one of this release's: a newer release wrote it."""

    code = "schema_too_new"

    def __init__(self, revision: str, heads: tuple[str, ...]) -> None:
        super().__init__(f"database schema {revision} is newer than this release (head {', '.join(heads)}); "
                         "upgrade ESSPASS")
        self.revision = revision
        self.heads = heads


@dataclass(frozen=True, slots=True)
class ServiceDatabase:
    """Where one service's tables live and how they are migrated; ``load`` imports the service's
    modules only when asked, since those modules import this one."""

    name: str  # esspass <name> ...
    env_prefix: str
    default_file: str  # the SQLite file in the data directory when no database URL is set
    load: Callable[[], tuple[Any, Path, Callable[[Connection], str | None] | None]]  # settings, migrations, adopt


def _registry() -> tuple[Any, Path, Callable[[Connection], str | None] | None]:
    from trust_registry.settings import RegistrySettings
    from trust_registry.store import MIGRATIONS, Registry

    return RegistrySettings(), MIGRATIONS, Registry._adopt_unversioned


def _issuer() -> tuple[Any, Path, Callable[[Connection], str | None] | None]:
    from issuer.app import MIGRATIONS
    from issuer.settings import IssuerSettings

    return IssuerSettings(), MIGRATIONS, None


def _verifier() -> tuple[Any, Path, Callable[[Connection], str | None] | None]:
    from verifier.settings import VerifierSettings
    from verifier.transactions import MIGRATIONS

    return VerifierSettings(), MIGRATIONS, None


#: The services with a database, by their command name.
SERVICES: dict[str, ServiceDatabase] = {
    s.name: s for s in (ServiceDatabase("registry", "ESSPASS_REGISTRY_", "registry.db", _registry),
                        ServiceDatabase("issuer", "ESSPASS_ISSUER_", "issuer.db", _issuer),
                        ServiceDatabase("verifier", "ESSPASS_VERIFIER_", "verifier.db", _verifier))
}


def upgrade(engine: Engine, script_location: Path, revision: str = "head", *,
            adopt: Callable[[Connection], str | None] | None = None) -> None:
    """Bring the service's tables to ``revision``; safe to call from several processes at once.

    ``adopt`` brings a database made before the service had migrations to the schema of one
    revision, in the same locked transaction, and returns that revision (``None``: nothing to
    adopt); the database is stamped with it and the later migrations run as on any other.

    Raises :class:`SchemaTooNew` when the database is at a revision this release does not have.
    """
    config = _config(script_location)
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        # Several worker processes start together on one SQLite file: one migrates, the others
        # then find the schema current (PostgreSQL takes an advisory lock below instead).
        with exclusive_lock(Path(f"{database}.migrate.lock")):
            _upgrade(engine, config, revision, adopt)
    else:
        _upgrade(engine, config, revision, adopt)


def _config(script_location: Path) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(script_location))
    return config


def _upgrade(engine: Engine, config: Config, revision: str,
             adopt: Callable[[Connection], str | None] | None) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Two workers starting together must not both create the tables.
            from sqlalchemy import text

            connection.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        config.attributes["connection"] = connection
        adopted = adopt(connection) if adopt is not None else None
        if adopted is not None:
            command.stamp(config, adopted)
        try:
            command.upgrade(config, revision)
        except CommandError as exc:
            unknown = _unknown_revision(exc, config, revision)
            if unknown is None:
                raise
            heads = tuple(ScriptDirectory.from_config(config).get_heads())
            raise SchemaTooNew(unknown, heads) from None  # alembic's 70-line trace says no more than this


def _unknown_revision(exc: CommandError, config: Config, target: str) -> str | None:
    """The database's revision, when ``exc`` is alembic finding it in none of this release's scripts."""
    from alembic.script import ScriptDirectory
    from alembic.script.revision import ResolutionError

    cause = exc.__cause__
    if not isinstance(cause, ResolutionError) or not isinstance(cause.argument, str) or cause.argument == target:
        return None
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    return cause.argument if cause.argument not in known else None


def upgrade_service(name: str | None = None, *, env_prefix: str | None = None) -> str | None:
    """Migrate the database of the service ``name`` (or the one whose settings use ``env_prefix``),
    as its settings in the environment name it; returns the service's name, or None when it has
    no database."""
    from esspass.db import make_engine

    found = SERVICES.get(name) if name is not None else next(
        (s for s in SERVICES.values() if s.env_prefix == env_prefix), None)
    if found is None:
        return None
    settings, migrations, adopt = found.load()
    engine = make_engine(settings.db_url(found.default_file))
    try:
        with _reaching(found, settings):
            upgrade(engine, migrations, adopt=adopt)
    finally:
        engine.dispose()
    return found.name


def _reaching(service: ServiceDatabase, settings: Any) -> AbstractContextManager[None]:
    """:func:`esspass.db.reaching` for ``service``'s database, named by the setting that names it."""
    from esspass.db import reaching

    configured = settings.configured_database_url()
    what = (f"the {service.name}'s database ({settings.database_variable()})" if configured
            else f"the {service.name}'s SQLite database in {settings.data_dir}")
    return reaching(what, configured)


def _revision(engine: Engine, service: ServiceDatabase) -> str | None:
    """The revision ``service``'s tables are at in ``engine``'s database (None: not made yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": f"alembic_version_{service.name}"})
        heads = sorted(context.get_current_heads())
    return ", ".join(heads) or None


def _downgrade(engine: Engine, config: Config, revision: str) -> None:
    from alembic import command

    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    lock: AbstractContextManager[object] = (exclusive_lock(Path(f"{database}.migrate.lock"))
                                            if database and database != ":memory:" else nullcontext())
    with lock, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def migrate_service(name: str, to: str | None = None) -> tuple[str | None, str | None]:
    """Bring the tables of the service ``name`` to this release's head, or to the revision ``to``
    of this release: up to it, or down (each later script's ``downgrade``) when the tables are past
    it. Returns the revisions before and after (None: no tables). A revision this release does not
    have is refused (:class:`~credentials.errors.CredentialError`), naming those it has."""
    from alembic.script import ScriptDirectory

    from esspass.db import make_engine

    service = SERVICES[name]
    settings, migrations, adopt = service.load()
    config = _config(migrations)
    script = ScriptDirectory.from_config(config)
    known = [s.revision for s in script.walk_revisions()]
    if to is not None and to not in known:
        raise CredentialError(f"{name}: {to!r} is not a revision of this release's {name} schema (it has "
                              f"{min(known)} to {max(known)})")
    engine = make_engine(settings.db_url(service.default_file))
    try:
        with _reaching(service, settings):
            before = _revision(engine, service)
            if to is not None and before is not None and before in known and to != before \
                    and to in {s.revision for s in script.iterate_revisions(before, "base")}:
                _downgrade(engine, config, to)
            else:
                upgrade(engine, migrations, to or "head", adopt=adopt)
            return before, _revision(engine, service)
    finally:
        engine.dispose()


def pending(service: ServiceDatabase) -> bool:
    """Whether ``service``'s database (as its settings name it) is not at this release's head: behind
    it, not made yet, or at a revision of another release."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from esspass.db import make_engine

    settings, migrations, _adopt = service.load()
    configured = settings.configured_database_url()
    database = make_url(configured).database if configured and configured.startswith("sqlite") else None
    if configured is None:
        database = str(settings.data_dir / service.default_file)
    if database and database != ":memory:" and not Path(database).exists():
        return True  # asked, not made: db_url and an engine would make the file
    engine = make_engine(settings.db_url(service.default_file))
    try:
        with _reaching(service, settings), engine.connect() as connection:
            # Each service's env.py keeps its revision in a table of its own (one database may hold all three).
            context = MigrationContext.configure(connection, opts={"version_table": f"alembic_version_{service.name}"})
            current = set(context.get_current_heads())
    finally:
        engine.dispose()
    return current != set(ScriptDirectory.from_config(_config(migrations)).get_heads())


def beside_running_up(services: Sequence[ServiceDatabase], who: str, started_by: int | None = None) -> str | None:
    """The one-line refusal of a migration of ``services`` while an ``esspass up`` other than
    ``started_by`` (the ``up`` that started this service) runs from their data directory, else None.
    Its services, of whichever release started them, would go on over a schema they may not know
    (an earlier issuer cannot serve the offers of a later one): stopped first, then migrated
    (``migrate``, or a service's ``serve``, which migrates at start). A database already at this
    release's head needs nothing: a service of the same release may start beside it."""
    from esspass.pilot import running_up

    data_dir = services[0].load()[0].data_dir
    up = running_up(data_dir, any_owner=True)
    if up is None or (started_by is not None and up == started_by) or not any(pending(s) for s in services):
        return None
    return (f"{who}: `esspass up` (process {up}) is running from {data_dir}: stop it first, and every other "
            "service of the earlier release, then migrate")


#: Open lock files of the services this process serves (:func:`hold_serving`): kept open for its life.
_SERVING: list[int] = []


def _serving_lock(service: ServiceDatabase) -> Path:
    return Path(service.load()[0].data_dir) / f"{service.name}.serving.lock"


def hold_serving(service: ServiceDatabase) -> None:
    """Mark ``service`` as served by this process until it ends: a shared lock on
    ``<data dir>/<name>.serving.lock``, which every replica and worker holds at once and which
    :func:`beside_serving` finds taken. Where locks cannot be had, nothing is marked."""
    import fcntl
    import os

    try:
        fd = os.open(_serving_lock(service), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError:
        os.close(fd)
        return
    _SERVING.append(fd)


def beside_serving(services: Sequence[ServiceDatabase], who: str, *, rollback: bool = False) -> str | None:
    """The one-line refusal of a migration of ``services`` while a process started with ``esspass
    <service> serve`` serves one of them from this data directory (:func:`hold_serving`; ``up``'s are
    :func:`beside_running_up`'s), else None: it would go on over a schema it may not know (a rollback
    took a table it reads: its next search answered 500). Only a service with something to change is
    refused (``rollback``: always). Services of another host on the same PostgreSQL are not seen."""
    import fcntl
    import os

    for service in services:
        if not rollback and not pending(service):
            continue
        path = _serving_lock(service)
        busy = (f"{who}: the {service.name} is being served from {path.parent} (esspass {service.name} serve): "
                "stop it first, then migrate")
        try:
            fd = os.open(path, os.O_RDONLY)  # flock needs no write access: another user's lock is read too
        except FileNotFoundError:
            continue  # never served from here
        except OSError:  # cannot tell (another user's directory): refused, not run under a live service
            return f"{busy} (or run this as the user that serves it: {path} cannot be read)"
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return busy
        except OSError:
            continue  # no locks on this file system: none was held by a service either (hold_serving)
        finally:
            os.close(fd)  # and with it the lock just taken
    return None


def service_of(env_prefix: str) -> ServiceDatabase | None:
    """The service whose settings use ``env_prefix`` (``ESSPASS_ISSUER_``), if it has a database."""
    return next((s for s in SERVICES.values() if s.env_prefix == env_prefix), None)


def _cmd(args: argparse.Namespace) -> int:
    from esspass.config import require_data_dir

    names = [args.service] if args.service else list(SERVICES)
    if args.to is not None and not args.service:
        print("esspass migrate: --to needs --service (each service's schema has revisions of its own)",
              file=sys.stderr)
        return 2
    refused = beside_running_up([SERVICES[n] for n in names], "esspass migrate")
    if refused is None and args.to is not None:  # a rollback: whatever runs reads the schema taken back
        from esspass.pilot import running_up

        data_dir = SERVICES[args.service].load()[0].data_dir
        up = running_up(data_dir, any_owner=True)
        if up is not None:
            refused = f"esspass migrate: `esspass up` (process {up}) is running from {data_dir}: stop it first"
    if refused is None:  # an `up`'s services hold the serving lock too: named as the `up` above
        refused = beside_serving([SERVICES[n] for n in names], "esspass migrate", rollback=args.to is not None)
    if refused is not None:
        print(refused, file=sys.stderr)
        return 1
    for name in names:  # each database in SQLite in a data directory that is not there: refused, not made
        settings = SERVICES[name].load()[0]
        if settings.configured_database_url() is None:
            require_data_dir(settings.data_dir)
    for name in names:
        before, after = migrate_service(name, args.to)
        if before == after:
            print(f"{name}: database schema {after} is current, nothing to do")
        elif before is None:
            print(f"{name}: database schema made, at {after}")
        else:
            print(f"{name}: database schema {before} -> {after}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("migrate", help="bring the services' database tables to this release's schema, then exit")
    p.add_argument("--service", choices=list(SERVICES), help="only this service's database (default: all three)")
    p.add_argument("--to", metavar="REVISION",
                   help="bring the service's tables to this revision of this release instead of its latest: an "
                        "earlier one rolls them back (each later migration's downgrade), for the release whose "
                        "latest it is; back up first, stop every service, and name --service")
    p.set_defaults(func=_cmd)
