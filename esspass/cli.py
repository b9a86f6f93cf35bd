"""``esspass``: one command for the whole pilot.

Each package contributes its subcommands through ``<package>.cli.register(subparsers)``; a
subcommand sets ``func`` on its parser, which receives the parsed arguments and returns an exit
code. ``esspass --help`` lists them all.

``esspass --data-dir DIR COMMAND`` names the deployment's data directory for every command, as
``ESSPASS_DATA_DIR`` does. Exit codes besides a command's own: 1 for a refusal (a credential
error, or no deployment where the command looked), 2 for a malformed setting (as argparse exits 2
for a malformed argument), 130 for Ctrl-C, and 141 when the reader of the output went away
(``esspass ... | head``): 128 + SIGPIPE, what the shell reports for any program stopped that way,
so that a script tells it from a failure.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["main"]

#: Exit code when standard output's reader is gone: 128 + SIGPIPE, as the shell reports a program
#: that SIGPIPE stopped (``cat big | head``). Python ignores SIGPIPE, so the write raises instead.
EXIT_BROKEN_PIPE = 141

#: Exit code of a malformed setting (argparse's for a malformed argument).
EXIT_SETTINGS = 2

#: Modules that add subcommands, in the order ``--help`` lists them.
_COMMAND_MODULES = (
    "esspass.pilot",
    "esspass.demo",
    "esspass.migrate",
    "trust_registry.cli",
    "issuer.cli",
    "wallet.cli",
    "verifier.cli",
    "esspass.bench",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="esspass",
        description="European Social Security Pass: issue, hold and check PDA1 and EHIC credentials.",
        allow_abbrev=False,  # --data-dir is read before parsing (_take_data_dir): no --data abbreviation
    )
    parser.add_argument("--data-dir", dest="global_data_dir", metavar="DIR",
                        help="the deployment's data directory, for every command (default $ESSPASS_DATA_DIR, "
                             "else ./.esspass); made by up, init, a service's first serve, registry seed "
                             "and wallet init, refused by the other commands where it is not")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # A package still being built contributes nothing yet; any other import error is a bug.
            if exc.name is not None and (exc.name == name or name.startswith(exc.name + ".")):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _main(list(sys.argv[1:] if argv is None else argv))
        finally:
            sys.stdout.flush()  # here, not at exit, where a reader gone away would cost a traceback
    except BrokenPipeError:
        if not _stdout_gone():
            raise  # a socket's, not the output's reader: a real failure
        # The standard recipe: nothing more can be written; point stdout at devnull so that
        # Python's own flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE


def _main(argv: list[str]) -> int:
    from pydantic import ValidationError
    from pydantic_settings import SettingsError
    from sqlalchemy.exc import SQLAlchemyError

    from credentials.errors import CredentialError, DataError, SettingError
    from esspass.config import NoDeployment, settings_error_line
    from esspass.db import unavailable

    _take_data_dir(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0 if args.command is None else 2

    try:
        if args.command == "up":
            _check_pilot_settings(args)
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValidationError, SettingsError) as exc:
        # A setting that breaks its rule: the variable and the rule, never the value (token keys are secrets).
        print(settings_error_line(exc), file=sys.stderr)
        return EXIT_SETTINGS
    except SettingError as exc:  # broken only against what the deployment holds: still the setting's mistake
        print(f"esspass: {exc.field} {exc.rule}", file=sys.stderr)
        return EXIT_SETTINGS
    except NoDeployment as exc:
        print(f"esspass: {exc.message}", file=sys.stderr)
        return 1
    except CredentialError as exc:
        # A refusal is an answer, not a crash: one plain line, no traceback.
        where = f" ({exc.field})" if isinstance(exc, DataError) else ""
        print(f"esspass: {exc.message}{where}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        if not unavailable(exc):
            raise  # a statement at fault: the code's, with its trace
        # A command on a database that does not answer (`registry list` with PostgreSQL down): as
        # `migrate` and `serve` say it (esspass.db.reaching), not the driver's hundred-line traceback.
        print(f"esspass: {_unreachable(args.command, exc)}", file=sys.stderr)
        return 1


def _unreachable(command: str, exc: Exception) -> str:
    """The line for ``command``'s database not answering: the service's setting and the reason."""
    from esspass.db import DatabaseUnreachable
    from esspass.migrate import SERVICES, _reaching

    # `up` and `init` reach a database themselves only to seed the registry (up's services say their own).
    service = SERVICES.get("registry" if command in ("up", "init") else command)
    try:
        if service is None:
            raise DatabaseUnreachable(f"a database cannot be reached ({type(exc).__name__}): check that the "
                                      "database server runs and that the services' database URLs reach it")
        with _reaching(service, service.load()[0]):
            raise exc
    except DatabaseUnreachable as said:
        return said.message


def _take_data_dir(argv: list[str]) -> None:
    """``esspass --data-dir DIR COMMAND ...``: set ``ESSPASS_DATA_DIR`` before the parser is built,
    since ``up`` and ``init`` take their ``--data-dir`` default from it, and every service's settings
    read it. Only the options before the command are the global ones."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "--data-dir" and i + 1 < len(argv):
            os.environ["ESSPASS_DATA_DIR"] = str(Path(argv[i + 1]).resolve())
            i += 2
        elif argv[i].startswith("--data-dir="):
            os.environ["ESSPASS_DATA_DIR"] = str(Path(argv[i].partition("=")[2]).resolve())
            i += 1
        else:
            i += 1


def _check_pilot_settings(args: argparse.Namespace) -> None:
    """``esspass up`` runs each service in a process of its own, which would refuse a malformed
    setting in its log only: the four services' settings are loaded here first, with the
    environment those processes get, so that the mistake is told here in one line."""
    from esspass.pilot import service_env
    from issuer.settings import IssuerSettings
    from trust_registry.settings import RegistrySettings
    from verifier.settings import VerifierSettings
    from wallet.settings import WalletSettings

    env = service_env(Path(args.data_dir).resolve(), "http" if args.http else "https", os.environ)
    with _environment(env):
        for settings in (RegistrySettings, IssuerSettings, VerifierSettings, WalletSettings):
            loaded = settings()
            if not isinstance(loaded, WalletSettings):  # a database URL no service can use: said here too
                loaded.configured_database_url()


@contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """``os.environ`` is ``env`` inside the block, and as it was after it."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _stdout_gone() -> bool:
    """Whether standard output is a pipe or socket whose reader has closed it."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (OSError, ValueError):  # no descriptor to ask about: the error can only have been stdout's
        return True


if __name__ == "__main__":
    sys.exit(main())
