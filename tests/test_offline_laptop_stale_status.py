"""Reviewer R5 (offline laptop) (labour inspectorate, offline sites): what the verdict says once the status lists the
laptop fetched in the office are past their own ``exp`` / the verifier's maximum age.

standards.md §3.5 step 4 (draft-ietf-oauth-status-list §8.3): an expired list gives no statement,
so the check is "undetermined", never "valid" (README "Offline inspection"). But what the laptop does
know must still reach the inspector: the last known status and its date (a document INVALID in a
genuine list stays withdrawn: draft §7.1 "revoked, annulled, taken back"; 987/2009 Art. 5 voids it
from its first day, and the project's institutions never reinstate one, esspass/status_client.py).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from offline_laptop_site import Site, days_later, prepared_site

from credentials import i18n
from verifier.settings import VerifierSettings


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with prepared_site(tmp_path) as s:
        yield s


def _status(verdict: dict[str, Any]) -> dict[str, Any]:
    return next(s for c in verdict["credentials"] for s in c["steps"] if s["code"] == "status")


def test_a_withdrawal_the_laptop_knows_is_still_told_apart_once_its_list_is_past_exp(site: Site) -> None:
    """Day 2 on a site without network (the lists were fetched yesterday in the office; exp and the
    status max age are one day). The A1 the institution withdrew BEFORE the trip, which the list held
    shows as withdrawn, must not read exactly like a document that is fine: today both are "CANNOT
    BE CONFIRMED: withdrawal cannot be ruled out", so the inspector lets a withdrawn A1 pass as
    "just no network"."""
    assert site.withdrawn is not None
    assert site.check(site.qr(site.withdrawn))["verdict"] == "invalid"  # in the office, online
    site.go_offline()
    shift = days_later(site, 30)
    at = datetime.now(UTC) + shift
    good = site.check(site.qr(at=at))
    withdrawn = site.check(site.qr(site.withdrawn, at=at))
    assert good["verdict"] != "valid" and withdrawn["verdict"] != "valid"  # fail closed: never valid
    assert "withdrawn" in withdrawn["reason"].lower() and "not withdrawn" not in withdrawn["reason"].lower(), \
        withdrawn["reason"]
    assert (withdrawn["verdict"], withdrawn["reason"]) != (good["verdict"], good["reason"])
    page = site.page(site.qr(site.withdrawn, at=at))
    assert "withdrawn" in page.split("Reason:", 1)[1][:300].lower(), page[:600]


def test_a_stale_status_says_the_last_known_status_and_its_date(site: Site) -> None:
    """Undetermined, but useful (brief: "signature and issuer fine, status last known on <date>"): the
    status step says what the list held said (not withdrawn) and of which day it is, in words an
    inspector reads, not only "the cached copy is 1800 minutes old"."""
    zone = VerifierSettings(data_dir=site.stack.data_dir).zone()
    listed_on = i18n.format_date(datetime.now(zone).date(), "en")
    site.go_offline()
    shift = days_later(site, 30)
    verdict = site.check(site.qr(at=datetime.now(UTC) + shift))
    assert verdict["verdict"] == "undetermined"
    status = _status(verdict)
    assert "not withdrawn" in status["message"].lower(), status
    assert listed_on in status["message"], (listed_on, status)


def test_list_ages_are_written_in_hours_or_days_not_thousands_of_minutes(site: Site) -> None:
    """The verdict page's freshness line after 30 hours (and 6 days) without network: "status list
    age: 1800 min", "Trust list age: 8640 min" is not something an inspector reads at a glance; the
    trust list's own reason already says "8 days"."""
    site.go_offline()
    shift = days_later(site, 30)
    page = site.page(site.qr(at=datetime.now(UTC) + shift))
    assert "1800 min" not in page, page[-900:]


def test_the_latvian_page_tells_a_withdrawal_known_from_a_list_past_its_end_with_the_lists_date(site: Site) -> None:
    zone = VerifierSettings(data_dir=site.stack.data_dir).zone()
    listed_on = i18n.format_date(datetime.now(zone).date(), "lv")
    assert site.withdrawn is not None
    site.go_offline()
    shift = days_later(site, 30)
    page = site.page(site.qr(site.withdrawn, at=datetime.now(UTC) + shift), lang="lv")
    reason = page.split("Iemesls:", 1)[1][:300]
    assert "atsaukusi" in reason and listed_on in reason, reason
