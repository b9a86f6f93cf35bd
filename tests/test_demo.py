"""The README's first command runs `esspass demo`: the core story in plain words."""

from __future__ import annotations

import io
import subprocess
import sys

from esspass.demo import run_core_demo


def test_core_demo_issues_presents_verifies_revokes_and_verifies_again() -> None:
    out = io.StringIO()
    assert run_core_demo(out) == 0
    text = out.getvalue()
    assert "VALID" in text and "WITHDRAWN" in text and "NOT valid" in text
    assert "not shown to the inspector: personal_administrative_number" in text


def test_esspass_help_lists_the_commands() -> None:
    result = subprocess.run([sys.executable, "-m", "esspass.cli", "--help"], capture_output=True, text=True, check=True)
    assert "demo" in result.stdout and "bench" in result.stdout


def test_the_benchmark_command_runs_every_benchmark_and_prints_one_table() -> None:
    """`esspass bench` is the one command the brief promises; --quick keeps it to seconds (no timing asserted)."""
    result = subprocess.run([sys.executable, "-m", "esspass.cli", "bench", "--quick"], capture_output=True, text=True,
                            timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    table = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert table[0].split("|")[1].strip() == "benchmark" and set(table[1]) <= {"|", "-"}
    measures = {row.split("|")[2].strip() for row in table[2:]}
    assert {"issue one PDA1 SD-JWT VC", "verify PDA1 presentation + KB", "10M entries, 1% revoked: compressed size",
            "POST /verify over HTTP, PDA1+PID"} <= measures
    ratios = [row.split("|")[6].strip() for row in table[2:] if "presentation + KB" in row or "issue one" in row]
    assert ratios and all(r.endswith("x") and float(r[:-1]) > 1 for r in ratios)
    # A row with a target says whether it is met (a missed one reads NO, not only a bigger number).
    assert table[0].split("|")[8].strip() == "met"
    verdicts = {row.split("|")[2].strip(): row.split("|")[8].strip() for row in table[2:] if row.split("|")[7].strip()}
    assert verdicts and set(verdicts.values()) <= {"yes", "NO"}, verdicts


def test_a_benchmark_row_says_whether_its_target_is_met() -> None:
    from esspass.bench import Row, met

    assert met(Row("core", "issue", 33.0, "µs", "ES256 sign", 1.9, "<= 2x")) == "yes"
    assert met(Row("core", "verify", 147.0, "µs", "2 ES256 verify", 1.6, "<= 1.25x")) == "NO"
    assert met(Row("status list", "size", 135.7, "KB", target="<= 140 KB")) == "yes"
    assert met(Row("status list", "size", 141.0, "KB", target="<= 140 KB")) == "NO"
    assert met(Row("core", "sign", 17.5, "µs")) == ""
