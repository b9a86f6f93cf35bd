"""``esspass wallet ...`` from a terminal: init, wrong passphrase, empty list and log."""

from __future__ import annotations

from pathlib import Path

import pytest

from wallet.cli import main as wallet_main


def main(argv: list[str]) -> int:
    assert argv[0] == "wallet"
    return wallet_main(argv[1:])


@pytest.fixture
def wallet_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ESSPASS_WALLET_SCRYPT_N", "16")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "correct horse battery")
    return tmp_path / "wallet" / "wallet.enc"


def test_init_creates_an_encrypted_wallet(wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wallet", "init"]) == 0
    assert wallet_env.exists()
    assert main(["wallet", "list"]) == 0
    assert "No documents yet" in capsys.readouterr().out


def test_init_twice_keeps_the_first_wallet(wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wallet", "init"]) == 0
    before = wallet_env.read_bytes()
    assert main(["wallet", "init"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert wallet_env.read_bytes() == before


def test_wrong_passphrase_is_reported_in_plain_words(
    wallet_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["wallet", "init"]) == 0
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", "wrong")
    assert main(["wallet", "--lang", "lv", "log"]) == 1
    assert "Nepareiza parole" in capsys.readouterr().err


def test_empty_log_in_german(wallet_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wallet", "init"]) == 0
    assert main(["wallet", "--lang", "de", "log"]) == 0
    assert "Noch nichts vorgezeigt." in capsys.readouterr().out


def test_serve_refuses_a_non_loopback_address(wallet_env: Path) -> None:
    assert main(["wallet", "serve", "--host", "0.0.0.0"]) == 2  # noqa: S104 - the refused case
