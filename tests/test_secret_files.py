"""Secrets generated on first start (registry admin token, clerk tokens): made once, whole, private."""

from __future__ import annotations

import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from credentials.errors import DataError
from credentials.files import configured_secret_key, secret_key, write_private_file_once
from issuer.settings import IssuerSettings, clerk_tokens
from trust_registry.settings import RegistrySettings, admin_token

_T = TypeVar("_T")


def _together(n: int, start: Callable[[], _T]) -> list[_T]:
    """``n`` threads released at the same instant, as workers starting together; what each got."""
    barrier = threading.Barrier(n)
    results: list[_T] = []

    def run() -> None:
        barrier.wait()
        results.append(start())

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "token"
    assert write_private_file_once(path, "first") is True
    assert write_private_file_once(path, "second") is False
    assert path.read_text() == "first"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["token"]  # no temporary file left behind


def test_processes_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    """Sixteen starts at once: every one reads the same whole token, never an empty or half file."""
    registry = RegistrySettings(data_dir=tmp_path)
    issuer = IssuerSettings(data_dir=tmp_path)
    starts = _together(16, lambda: (admin_token(registry), clerk_tokens(issuer, ["LV:VSAA", "DE:DRV"])))
    admins, clerks = [a for a, _ in starts], [c for _, c in starts]
    assert len(admins) == 16 and len(set(admins)) == 1 and admins[0].startswith("admin-")
    assert all(c == clerks[0] for c in clerks) and sorted(clerks[0].values()) == ["DE:DRV", "LV:VSAA"]


def test_an_institution_added_later_gets_one_clerk_token_and_the_others_keep_theirs(tmp_path: Path) -> None:
    """Workers restarted together after PL:ZUS joined agree on its one new token."""
    settings = IssuerSettings(data_dir=tmp_path)
    before = clerk_tokens(settings, ["LV:VSAA"])
    seen = _together(8, lambda: clerk_tokens(settings, ["LV:VSAA", "PL:ZUS"]))
    assert len(seen) == 8 and all(s == seen[0] for s in seen)
    assert set(before) <= set(seen[0]) and sorted(seen[0].values()) == ["LV:VSAA", "PL:ZUS"]


def test_a_shared_key_made_by_workers_starting_together_is_one_key(tmp_path: Path) -> None:
    keys = _together(8, lambda: secret_key(tmp_path / "shared.key"))
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert stat.S_IMODE((tmp_path / "shared.key").stat().st_mode) == 0o600


def test_a_named_key_file_that_is_missing_or_not_a_key_is_one_error_naming_the_setting(tmp_path: Path) -> None:
    default = tmp_path / "default.key"
    with pytest.raises(DataError, match="SETTING_FILE") as missing:
        configured_secret_key(tmp_path / "absent.key", default, "SETTING_FILE")
    assert "does not exist" in str(missing.value) and not default.exists()
    for content in (b"\xff\xfe not ascii", b"not base64url!!", b"c2hvcnQ"):
        named = tmp_path / "bad.key"
        named.write_bytes(content)
        with pytest.raises(DataError, match="does not hold a readable 256-bit key"):
            configured_secret_key(named, default, "SETTING_FILE")
