"""``esspass bench``: run every benchmark in ``benchmarks/`` and print one table.

A benchmark module is a file ``benchmarks/bench_<name>.py`` with ``run(quick: bool) -> list[Row]``.
Figures are reported next to a baseline measured in the same run (for example the bare ES256
signature that an issuance must contain), as a ratio, so that they mean something on any machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Row", "compare", "measure", "met", "register", "render", "run_all"]

BENCH_DIR = Path(__file__).resolve().parent.parent / "benchmarks"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table: ``value`` in ``unit``; ``ratio`` = value / baseline value."""

    group: str
    name: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""


def measure(fn: Callable[[], object], *, min_time: float = 0.3, repeats: int = 5) -> float:
    """Median seconds per call over ``repeats`` rounds of at least ``min_time`` each."""
    per_round = _calls_for(fn, min_time)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(per_round):
            fn()
        samples.append((time.perf_counter() - start) / per_round)
    return statistics.median(samples)


def _calls_for(fn: Callable[[], object], min_time: float) -> int:
    fn()  # warm caches and imports
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time / 4:
            return max(1, int(n * (min_time / max(elapsed, 1e-9))))
        n *= 2


def compare(fn: Callable[[], object], baseline: Callable[[], object], *, min_time: float = 0.3,
            repeats: int = 7) -> tuple[float, float, float]:
    """Seconds per call of ``fn`` and of ``baseline``, and the ratio between them.

    The two are measured in alternating rounds and the ratio is the median of the per-round
    ratios, so a change of CPU clock or a noisy neighbour during the run moves both sides alike.
    """
    n_fn, n_base = _calls_for(fn, min_time), _calls_for(baseline, min_time)
    fn_samples, base_samples, ratios = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n_base):
            baseline()
        base = (time.perf_counter() - start) / n_base
        start = time.perf_counter()
        for _ in range(n_fn):
            fn()
        cost = (time.perf_counter() - start) / n_fn
        fn_samples.append(cost)
        base_samples.append(base)
        ratios.append(cost / base)
    return statistics.median(fn_samples), statistics.median(base_samples), statistics.median(ratios)


_TARGET = re.compile(r"<= ([0-9.]+) ?(x|\S+)")


def met(row: Row) -> str:
    """Whether ``row`` meets its target (``<= 2x`` of its ratio, ``<= 140 KB`` of its value in that unit):
    ``yes`` or ``NO``, so a reader sees a missed target without comparing numbers; "" with none."""
    found = _TARGET.fullmatch(row.target.strip())
    if found is None:
        return ""
    limit, unit = float(found.group(1)), found.group(2)
    measured = row.ratio if unit == "x" else row.value if unit == row.unit else None
    return "" if measured is None else "yes" if measured <= limit else "NO"


def render(rows: list[Row]) -> str:
    head = ("benchmark", "measure", "value", "unit", "baseline (same run)", "ratio", "target", "met")
    body = [
        (
            r.group,
            r.name,
            f"{r.value:,.1f}" if r.value >= 10 else f"{r.value:.3g}",
            r.unit,
            r.baseline,
            "" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target,
            met(r),
        )
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=False)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), sep, *(line(b) for b in body)])


def run_all(only: list[str] | None = None, quick: bool = False) -> list[Row]:
    rows: list[Row] = []
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        spec = importlib.util.spec_from_file_location(f"esspass_bench_{name}", path)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        rows.extend(module.run(quick=quick))
    return rows


def _cmd(args: argparse.Namespace) -> int:
    rows = run_all(args.only or None, quick=args.quick)
    print(render(rows))
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bench", help="run every benchmark and print one table")
    p.add_argument("only", nargs="*", help="benchmark names (core, issuer, verifier, ...); default all")
    p.add_argument("--quick", action="store_true", help="shorter runs, rougher figures")
    p.set_defaults(func=_cmd)
