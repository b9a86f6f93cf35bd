"""The project's test command: lint (ruff), types (mypy), then the test suite (pytest).

Run from the repository root with the project's virtual environment:
``.venv/bin/python scripts/check.py [pytest args...]``. Exits non-zero if any step fails. The tests
run in parallel, one pytest-xdist worker per CPU (``-n 0``: one process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(title: str, cmd: list[str]) -> int:
    print(f"==> {title}: {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=ROOT)


def _parallel(argv: list[str]) -> list[str]:
    """One pytest-xdist worker per CPU, each test file whole in one worker (its module fixtures,
    servers and browser pages are shared by its tests): the suite's servers and browsers wait on
    each other more than on the CPU. A caller choosing ``-n`` (or ``-p no:xdist``) chooses."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in argv) or "no:xdist" in argv:
        return []
    return ["-n", "auto", "--dist", "loadfile"]


def main(argv: list[str]) -> int:
    py = sys.executable
    failed = []
    if run("ruff", [py, "-m", "ruff", "check", "."]) != 0:
        failed.append("ruff")
    if run("mypy", [py, "-m", "mypy"]) != 0:
        failed.append("mypy")
    code = run("pytest", [py, "-m", "pytest", *_parallel(argv), *argv])
    if code not in (0,):
        failed.append(f"pytest (exit {code})")
    if failed:
        print(f"FAILED: {', '.join(failed)}", flush=True)
        return 1
    print("all checks passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
