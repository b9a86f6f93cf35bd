"""The worker changes the wallet's passphrase, on its page or in a terminal (``esspass wallet passphrase``).

A passphrase someone may have seen must be replaceable; the change asks for the current one again
(someone at an unlocked phone must not take the wallet over) and is throttled as unlocking is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from esspass.testing import ServerHandle, serve
from wallet.app import create_app
from wallet.cli import main as wallet_main
from wallet.settings import WalletSettings
from wallet.store import WalletStore

OLD, NEW = "old passphrase 1", "new passphrase 2"


class _NoTrust:
    def issuers(self, now: datetime) -> Any:
        raise AssertionError("trust list consulted")

    def verifiers(self, now: datetime) -> Any:
        raise AssertionError("trust list consulted")


def _csrf(page: httpx.Response) -> str:
    return page.text.split('name="csrf" value="')[1].split('"')[0]


@pytest.fixture
def wallet(tmp_path: Path) -> Iterator[tuple[ServerHandle, Path]]:
    settings = WalletSettings(data_dir=tmp_path, scrypt_n=16, lang="en", allow_loopback_http=True)
    with serve(create_app(settings, trust=_NoTrust())) as handle:
        yield handle, settings.wallet_path()


@contextmanager
def _unlocked(handle: ServerHandle, passphrase: str = OLD, *, create: bool = False) -> Iterator[httpx.Client]:
    """A browser with the wallet open (made first when ``create``)."""
    with httpx.Client(base_url=handle.url) as client:
        page = client.get("/setup" if create else "/unlock")
        form = {"passphrase": passphrase, "csrf": _csrf(page)}
        answer = client.post("/setup", data={**form, "passphrase2": passphrase}) if create else client.post(
            "/unlock", data=form)
        assert answer.status_code == 303, answer.text
        yield client


def _change(client: httpx.Client, current: str, new: str, new2: str | None = None) -> httpx.Response:
    csrf = _csrf(client.get("/passphrase"))
    return client.post("/passphrase", data={"current": current, "new": new, "new2": new if new2 is None else new2,
                                            "csrf": csrf})


def test_the_worker_changes_the_passphrase_and_only_the_new_one_opens_the_wallet(
        wallet: tuple[ServerHandle, Path]) -> None:
    handle, path = wallet
    with _unlocked(handle, create=True) as client:
        assert 'href="/passphrase"' in client.get("/").text
        changed = _change(client, OLD, NEW)
        assert changed.status_code == 303 and changed.headers["location"] == "/passphrase?changed=1"
        assert "Your passphrase was changed" in client.get("/passphrase?changed=1").text
        assert client.get("/").status_code == 200  # this window goes on
    WalletStore.open(path, NEW)
    with pytest.raises(Exception, match="Wrong passphrase"):
        WalletStore.open(path, OLD)


def test_a_wrong_current_passphrase_changes_nothing(wallet: tuple[ServerHandle, Path]) -> None:
    handle, path = wallet
    with _unlocked(handle, create=True) as client:
        before = path.read_bytes()
        refused = _change(client, "not the passphrase", NEW)
        assert refused.status_code == 401 and "Wrong passphrase" in refused.text
        assert path.read_bytes() == before


@pytest.mark.parametrize(("new", "new2", "says"), [
    (NEW, NEW + "x", "The two passphrases differ."),
    ("short", "short", "at least 8 characters"),
    (OLD, OLD, "The new passphrase is the current one."),
], ids=["mismatch", "weak", "same"])
def test_a_new_passphrase_breaking_a_rule_changes_nothing(wallet: tuple[ServerHandle, Path], new: str, new2: str,
                                                         says: str) -> None:
    handle, path = wallet
    with _unlocked(handle, create=True) as client:
        before = path.read_bytes()
        refused = _change(client, OLD, new, new2)
        assert refused.status_code == 400 and says in refused.text
        assert path.read_bytes() == before


def test_a_change_without_the_pages_csrf_token_is_refused(wallet: tuple[ServerHandle, Path]) -> None:
    handle, path = wallet
    with _unlocked(handle, create=True) as client:
        before = path.read_bytes()
        forged = client.post("/passphrase", data={"current": OLD, "new": NEW, "new2": NEW, "csrf": "forged"})
        assert forged.status_code == 403
        assert path.read_bytes() == before


def test_guessing_the_current_passphrase_is_throttled_as_unlocking_is(wallet: tuple[ServerHandle, Path]) -> None:
    handle, _path = wallet
    with _unlocked(handle, create=True) as client:
        for _ in range(5):
            assert _change(client, "a wrong guess", NEW).status_code == 401
        waited = _change(client, OLD, NEW)
        assert waited.status_code == 429 and "Try again in" in waited.text


def test_another_open_window_asks_for_the_new_passphrase(wallet: tuple[ServerHandle, Path]) -> None:
    handle, _path = wallet
    with _unlocked(handle, create=True) as first, _unlocked(handle) as second:
        assert _change(first, OLD, NEW).status_code == 303
        elsewhere = second.get("/", follow_redirects=False)
        assert elsewhere.status_code == 303 and elsewhere.headers["location"].startswith("/unlock")


def test_the_terminal_changes_the_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ESSPASS_WALLET_SCRYPT_N", "16")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", OLD)
    assert wallet_main(["init"]) == 0
    new_file = tmp_path / "new.txt"
    new_file.write_text(NEW + "\n", encoding="utf-8")
    assert wallet_main(["passphrase", "--new-passphrase-file", str(new_file)]) == 0
    assert "Your passphrase was changed" in capsys.readouterr().out
    assert wallet_main(["list"]) == 1  # the old one no longer opens it
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", NEW)
    assert wallet_main(["list"]) == 0


def test_the_terminal_refuses_a_weak_new_passphrase_and_keeps_the_old(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ESSPASS_WALLET_SCRYPT_N", "16")
    monkeypatch.setenv("ESSPASS_WALLET_PASSPHRASE", OLD)
    assert wallet_main(["init"]) == 0
    new_file = tmp_path / "new.txt"
    new_file.write_text("short", encoding="utf-8")
    assert wallet_main(["passphrase", "--new-passphrase-file", str(new_file)]) == 1
    assert wallet_main(["list"]) == 0
