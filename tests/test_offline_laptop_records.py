"""Reviewer R5 (offline laptop): the inspector's records of checks done without network.

README "Inspection records": each check leaves a record (when, how, verdict, reason key, inspector,
per document its type, institution, verdict and document_ref) kept two years, downloadable as CSV.
domain.md "Verification proof": the record holds "the result of each check, status source and age".

A check on day 2 of a trip rests on a status list fetched in the office; a withdrawal published in
between is unknown to it. 987/2009 Art. 5: a withdrawn A1 is void from its first day, so the "valid"
record of such a check is wrong once the laptop learns of the withdrawal. Today nothing in the record
(API, CSV) says how old the status was, and nothing notes a withdrawal learnt later.
"""
from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from offline_laptop_site import Site, days_later, prepared_site

from esspass.testing import serve
from verifier.settings import VerifierSettings


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with prepared_site(tmp_path, with_withdrawn=False) as s:
        yield s


def _day(site: Site) -> str:
    return datetime.now(VerifierSettings(data_dir=site.stack.data_dir).zone()).date().isoformat()


def _record(site: Site, proof_id: str) -> dict[str, Any]:
    day = _day(site)
    records = site.http.get(f"{site.stack.verifier_url}/api/records", params={"from": day, "to": day}).json()
    return next(r for r in records["records"] if r["id"] == proof_id)


def _proof_id(site: Site, verdict: dict[str, Any]) -> str:
    from credentials.jose import decode_jws

    proof = site.http.get(f"{site.stack.verifier_url}/api/requests/{verdict['transaction_id']}/proof").text
    return str(decode_jws(proof).payload["jti"])


def _back_in_the_office(site: Site, registry_port: int, issuer_port: int) -> None:
    from issuer.app import create_app as issuer_app
    from issuer.settings import IssuerSettings
    from trust_registry.app import create_app as registry_app
    from trust_registry.settings import RegistrySettings

    d = site.stack.data_dir
    site.stack.handles["registry"] = serve(registry_app(RegistrySettings(data_dir=d)), port=registry_port)
    site.stack.handles["issuer"] = serve(issuer_app(IssuerSettings(
        data_dir=d, public_url=site.stack.issuer_url, registry_url=site.stack.registry_url)), port=issuer_port)


def test_the_csv_of_a_check_without_network_says_how_old_the_status_it_relied_on_was(site: Site) -> None:
    """20 hours into a trip: the check is "valid" from the list fetched in the office. The day's CSV
    (what the inspectorate files and audits) must say what the status rested on (its age, or the
    time of the list), as the signed proof does inside its JWT, not in a column anyone can read."""
    site.go_offline()
    shift = days_later(site, 20)
    verdict = site.check(site.qr(at=datetime.now().astimezone() + shift))
    assert verdict["verdict"] == "valid", verdict
    when = (datetime.now().astimezone() + shift).astimezone(VerifierSettings(data_dir=site.stack.data_dir).zone())
    rows = list(csv.DictReader(io.StringIO(site.http.get(
        f"{site.stack.verifier_url}/api/records.csv", params={"from": when.date().isoformat(),
                                                              "to": when.date().isoformat()}).text)))
    row = next(r for r in rows if r["id"] == _proof_id(site, verdict))
    status_columns = [c for c in row if "status" in c.lower() or "list" in c.lower()]
    assert status_columns and any(row[c] for c in status_columns), list(row)


@pytest.mark.parametrize("prepared_by", ["page", "command"])
def test_a_withdrawal_learnt_after_a_trip_is_noted_on_the_valid_records_of_that_document(
        site: Site, prepared_by: str) -> None:
    """The institution withdraws the A1 after the laptop left the office; on site the check is
    "valid" (list held, within a day). Back in the office the lists are fetched again (the same
    button, or `esspass verifier prefetch`, README: each prefetch checks the records again): the
    withdrawal is now known, and the inspectorate must see it on the record of that check (a note, a
    later verdict), or it never follows up a worker it let go."""
    from offline_laptop_site import HOLDER, PERSON

    before = {c.id for c in site.wallet.credentials()}
    case_id = site.clerk.hand_over(site.wallet, "LV:VSAA", "pda1",
                                   {**PERSON.pda1, "document_number": "LV-R5-LATER-0001"}, HOLDER)
    a1 = next(c for c in site.wallet.credentials() if c.id not in before and c.extra.get("compact"))
    assert site.check(site.qr(a1))["verdict"] == "valid"
    site.http.post(f"{site.stack.verifier_url}/api/status/prefetch")  # the office, before leaving
    site.clerk.set_state("LV:VSAA", case_id, "revoke", "posting cancelled")  # after the laptop left
    registry_port, issuer_port = site.stack.handles["registry"].port, site.stack.handles["issuer"].port
    site.go_offline()
    on_site = site.check(site.qr(a1))
    assert on_site["verdict"] == "valid", on_site  # the list held: it could not know
    proof_id = _proof_id(site, on_site)
    _back_in_the_office(site, registry_port, issuer_port)
    # Later, as a trip is: a list the institution signs in the same second as the one the laptop took
    # away has the same iat (draft-ietf-oauth-status-list §5.1: seconds), and which came last cannot be
    # told (esspass.status_client). Run within one second, this test failed about one time in ten.
    time.sleep(1.1)
    if prepared_by == "page":
        prepared = site.http.post(f"{site.stack.verifier_url}/api/status/prefetch").json()
        assert prepared["status_lists"] > 0, prepared
        assert prepared["documents_withdrawn_since"] >= 1, prepared  # this check's A1, and the office's check of it
    else:
        import os

        from esspass.testing import run_cli

        done = run_cli(["verifier", "prefetch"], env={
            **os.environ, "ESSPASS_DATA_DIR": str(site.stack.data_dir),
            "ESSPASS_REGISTRY_URL": site.stack.registry_url, "ESSPASS_VERIFIER_PUBLIC_URL": site.stack.verifier_url})
        assert done.returncode == 0, done.stdout + done.stderr
        assert "found withdrawn since their check, marked in the records" in done.stdout, done.stdout
        assert " 0 documents found withdrawn" not in done.stdout, done.stdout
    assert site.check(site.qr(a1))["verdict"] == "invalid"  # the laptop knows now
    record = {k: v for k, v in _record(site, proof_id).items() if k != "proof"}
    assert "withdrawn" in json.dumps(record).lower(), record
    assert [d["later_status"] for d in record["documents"]] == ["withdrawn"] and record["verdict"] == "valid", record
    page = site.http.get(f"{site.stack.verifier_url}/records", params={"date": _day(site), "lang": "en"}).text
    assert "Withdrawn since the check" in page
