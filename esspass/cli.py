"""``esspass``: one command for the whole pilot.

Each package contributes its subcommands through ``<package>.cli.register(subparsers)``; a
subcommand sets ``func`` on its parser, which receives the parsed arguments and returns an exit
code. ``esspass --help`` lists them all.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main"]

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
    )
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
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 0 if args.command is None else 2
    from credentials.errors import CredentialError, DataError

    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CredentialError as exc:
        # A refusal is an answer, not a crash: one plain line, no traceback.
        where = f" ({exc.field})" if isinstance(exc, DataError) else ""
        print(f"esspass: {exc.message}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
