"""Issue #3: ``esspass registry ...`` administers the same database the service publishes from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _esspass(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ESSPASS_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "esspass.cli", "registry", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_seed_list_suspend_history_from_the_command_line(tmp_path: Path) -> None:
    assert _esspass(tmp_path, "seed").returncode == 0
    listing = _esspass(tmp_path, "list")
    assert listing.returncode == 0 and "LV:VSAA" in listing.stdout and "active" in listing.stdout
    refused = _esspass(tmp_path, "suspend", "LV:VSAA")
    assert refused.returncode == 1 and "reason" in refused.stderr and "Traceback" not in refused.stderr
    done = _esspass(tmp_path, "suspend", "LV:VSAA", "--reason", "key under investigation")
    assert done.returncode == 0, done.stderr
    history = json.loads(_esspass(tmp_path, "history", "LV:VSAA").stdout)
    assert [p["status"] for p in history["status_history"]] == ["active", "suspended"]
    assert history["audit"][-1]["who"].startswith("cli:")
    assert "suspended" in _esspass(tmp_path, "list").stdout
    assert _esspass(tmp_path, "show", "XX:NONE").returncode != 0


def test_an_operator_revokes_a_compromised_key_from_the_command_line(tmp_path: Path) -> None:
    assert _esspass(tmp_path, "seed").returncode == 0
    shown = json.loads(_esspass(tmp_path, "show", "LV:VSAA").stdout)
    kid = next(c["kid"] for c in shown["certificates"] if c["usage"] == "signer")
    refused = _esspass(tmp_path, "revoke-key", "LV:VSAA", "no-such-kid", "--reason", "leaked")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    done = _esspass(tmp_path, "revoke-key", "LV:VSAA", kid, "--reason", "signing server broken into")
    assert done.returncode == 0 and "nothing it signed is trusted" in done.stdout, done.stderr
    shown = json.loads(_esspass(tmp_path, "show", "LV:VSAA").stdout)
    assert [c.get("revoked") for c in shown["certificates"] if c["kid"] == kid] == [True]
