"""Reviewer R5 (offline laptop): the laptop's clock and the worker's phone's clock on a site without network.

The offline QR's holder proof must be at most 60 s old and at most 30 s in the future
(credentials/compact.py verify_compact, max_age=60, skew=30), even when the inspector showed a
challenge ("Show a code first (stronger check)"), which already proves the code was made now for
this inspector (single use, 5 minutes). A laptop whose clock is two minutes off (offline for days,
no NTP) then calls every genuine A1 "NOT VALID", and the reason says "too old" for a code made in
the verifier's future. standards.md §13: allow a window for iat checks, a KB-JWT window of e.g.
5 minutes (the online check allows 300 s, verification.py kb_max_age).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from offline_laptop_site import Site, days_later, prepared_site


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with prepared_site(tmp_path, with_withdrawn=False) as s:
        yield s


def test_with_the_inspectors_code_a_laptop_clock_two_minutes_fast_does_not_make_a_genuine_a1_not_valid(
        site: Site) -> None:
    days_later(site, 2 / 60)  # the laptop's clock two minutes ahead
    code = site.http.post(f"{site.stack.verifier_url}/api/offline/challenge").json()["challenge"]
    verdict = site.check(site.qr(challenge=code), challenge=code)  # the phone, on time, signs over the code
    assert verdict["verdict"] != "invalid", verdict["reason"]


def test_a_code_from_the_phones_future_is_not_called_too_old(site: Site) -> None:
    """The phone's clock three minutes ahead of the laptop's: the reason must not tell the inspector
    the QR code is "too old" (and to ask for a fresh one, which fails the same way): the clocks differ."""
    verdict = site.check(site.qr(at=datetime.now(UTC) + timedelta(minutes=3)))
    assert verdict["verdict"] != "valid"
    assert "too old" not in verdict["reason"], verdict["reason"]
