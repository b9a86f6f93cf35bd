"""Reviewer R5 (offline laptop): preparing a laptop in the office before days on sites without network.

README "Offline inspection": the verifier works from the lists it holds "showing their age", for at
most ESSPASS_VERIFIER_STATUS_MAX_AGE (one day) and the list's own exp (the issuer's
ESSPASS_ISSUER_STATUS_EXP, one day) for withdrawals, and ESSPASS_VERIFIER_TRUST_LIST_MAX_AGE (a week)
for the trust list (standards.md §3.5 step 4, §3.3 ``exp``/``ttl``). An IT lead preparing laptops, and
the inspector pressing "Get the lists for a site without network", must learn UNTIL WHEN checks
without network will answer: with the defaults, about 24 hours, after which every check is "cannot be
confirmed". Today the page says only "6 status lists of 3 institutions are ready", the API only
counts, and `esspass verifier check` says nothing about the lists held at all.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from offline_laptop_site import Site, prepared_site, text_of

from credentials import i18n
from esspass.testing import run_cli
from verifier.settings import VerifierSettings


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with prepared_site(tmp_path, with_withdrawn=False) as s:
        yield s


def _times(value: Any) -> list[datetime]:
    """Every moment written in ``value`` (ISO 8601 text, or unix seconds), nested anywhere."""
    found: list[datetime] = []
    if isinstance(value, dict):
        for v in value.values():
            found += _times(v)
    elif isinstance(value, list):
        for v in value:
            found += _times(v)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                found.append(moment)
        except ValueError:
            pass
    elif isinstance(value, int | float) and not isinstance(value, bool) and 1.5e9 < value < 4e9:
        found.append(datetime.fromtimestamp(value).astimezone())
    return found


def test_getting_the_lists_says_until_when_checks_without_network_answer(site: Site) -> None:
    zone = VerifierSettings(data_dir=site.stack.data_dir).zone()
    now = datetime.now(zone)
    page = site.http.post(f"{site.stack.verifier_url}/offline/prepare?lang=en")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "ready for checks without network" in text, text[:400]
    # The status lists just fetched answer for about a day (exp, STATUS_MAX_AGE): the page says until when.
    tomorrow = i18n.format_date((now + timedelta(hours=24)).date(), "en")
    assert tomorrow in text, text[:600]
    answer = site.http.post(f"{site.stack.verifier_url}/api/status/prefetch").json()
    ends = [t for t in _times(answer) if now + timedelta(hours=20) < t < now + timedelta(hours=26)]
    assert ends, answer


def test_verifier_check_tells_the_operator_what_the_laptop_holds_for_work_without_network(site: Site) -> None:
    """`esspass verifier check`, the operator's command before handing out a laptop, checks the access
    certificate against the registry only: nothing on the trust list and status lists held on disk,
    their age, or until when they answer."""
    env = {**os.environ, "ESSPASS_DATA_DIR": str(site.stack.data_dir), "ESSPASS_REGISTRY_URL": site.stack.registry_url,
           "ESSPASS_VERIFIER_PUBLIC_URL": site.stack.verifier_url}
    run = run_cli(["verifier", "check"], env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout.lower()
    assert "status list" in out, run.stdout
    assert "trust list" in out or "issuers list" in out, run.stdout


def test_the_operator_gets_the_lists_from_the_command_line_and_learns_until_when(site: Site) -> None:
    """`esspass verifier prefetch`: what the page's button does, for an IT lead preparing laptops."""
    env = {**os.environ, "ESSPASS_DATA_DIR": str(site.stack.data_dir), "ESSPASS_REGISTRY_URL": site.stack.registry_url,
           "ESSPASS_VERIFIER_PUBLIC_URL": site.stack.verifier_url}
    run = run_cli(["verifier", "prefetch"], env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "status lists of 2 institutions" in run.stdout and "checks without network answer until" in run.stdout, \
        run.stdout


def test_what_the_laptop_holds_is_told_without_network_too(site: Site) -> None:
    """On site, the API and the offline page still say until when the lists held answer."""
    zone = VerifierSettings(data_dir=site.stack.data_dir).zone()
    now = datetime.now(zone)
    site.go_offline()
    held = site.http.get(f"{site.stack.verifier_url}/api/offline/readiness").json()
    until = datetime.fromisoformat(held["checks_without_network_until"])
    assert now + timedelta(hours=20) < until < now + timedelta(hours=26), held
    assert {i["id"] for i in held["institutions_held"]} >= {"LV:VSAA"}, held
    page = text_of(site.http.get(f"{site.stack.verifier_url}/offline?lang=lv").text)
    assert i18n.format_date(until.date(), "lv") in page, page[:600]


def test_getting_the_lists_takes_the_trust_list_as_the_registry_publishes_it_now(site: Site) -> None:
    """The lists a laptop takes to a site are those of the moment it is prepared: a change the registry
    published minutes ago (here: the A1 institution no longer listed as competent for A1s; a key revoked or
    an institution suspended alike) is in them, not left out for the days without network because the
    verifier still held the list it fetched before (for up to its revalidation time, minutes)."""
    from esspass.db import make_engine
    from trust_registry.store import Registry

    assert site.check(site.qr())["verdict"] == "valid"  # the list held authorises it
    engine = make_engine(f"sqlite:///{site.stack.data_dir / 'registry.db'}")
    try:
        Registry(engine).set_roles(site.good.issuer_id, ["ehic_issuer"], who="operator")
    finally:
        engine.dispose()
    prepared = site.http.post(f"{site.stack.verifier_url}/api/status/prefetch")
    assert prepared.status_code == 200, prepared.text
    verdict = site.check(site.qr())
    assert verdict["verdict"] == "invalid", verdict
