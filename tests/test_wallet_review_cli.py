"""``esspass wallet ...`` given a file it cannot read says so in plain words and exits 1, as for
every other failure, instead of ending in a Python traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _wallet(tmp_path: Path, *args: str, passphrase: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ESSPASS_DATA_DIR": str(tmp_path), "ESSPASS_WALLET_SCRYPT_N": "16"}
    env.pop("ESSPASS_WALLET_PASSPHRASE", None)
    if passphrase:
        env["ESSPASS_WALLET_PASSPHRASE"] = "correct horse battery"
    return subprocess.run([sys.executable, "-m", "esspass.cli", "wallet", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("args", [
    ("present", "--qr", "no-such-picture.png"),
    ("receive", "--qr", "no-such-picture.png"),
    ("--passphrase-file", "no-such-passphrase-file", "list"),
])
def test_a_file_the_wallet_cannot_read_is_an_error_in_plain_words(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert _wallet(tmp_path, "init").returncode == 0
    missing = [str(tmp_path / a) if a.startswith("no-such") else a for a in args]
    done = _wallet(tmp_path, *missing, passphrase="--passphrase-file" not in args)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "That did not work" in done.stderr and "no-such" in done.stderr


def test_output_cut_short_by_its_reader_ends_quietly_with_141(tmp_path: Path) -> None:
    """``esspass wallet ... | head -1``: the reader went away, which is no failure of the wallet's (README)."""
    assert _wallet(tmp_path, "init").returncode == 0
    env = {**os.environ, "ESSPASS_DATA_DIR": str(tmp_path), "ESSPASS_WALLET_SCRYPT_N": "16",
           "ESSPASS_WALLET_PASSPHRASE": "correct horse battery"}
    with subprocess.Popen([sys.executable, "-m", "esspass.cli", "wallet", "list"], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # before the wallet writes a word
        err = process.stderr.read().decode()
        assert process.wait(timeout=60) == 141, err
    assert "That did not work" not in err and "Broken pipe" not in err and "Traceback" not in err
