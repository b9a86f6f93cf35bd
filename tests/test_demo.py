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
