"""Secrets generated on first start (registry admin token, clerk tokens): made once, whole, private."""

from __future__ import annotations

import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from credentials.files import write_private_file_once
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
