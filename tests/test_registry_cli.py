"""Issue #3: ``esspass registry ...`` administers the same database the service publishes from."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from credentials import pid
from credentials.demo_persons import DEMO_PERSONS
from credentials.institutions import demo_entity
from esspass.stack import Inspector, InspectorAuth, start_in_process, wallet_holding
from esspass.testing import run_cli
from trust_registry.client import REVALIDATE_AFTER


def _esspass(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``esspass registry ARGS`` on ``data_dir``, in this process (as a process: tests/test_registry_onboarding.py)."""
    return run_cli(["registry", *args], env={**os.environ, "ESSPASS_DATA_DIR": str(data_dir)})


def test_seed_list_suspend_history_from_the_command_line(tmp_path: Path) -> None:
    assert _esspass(tmp_path, "seed").returncode == 0
    listing = _esspass(tmp_path, "list")
    assert listing.returncode == 0 and "LV:VSAA" in listing.stdout and "active" in listing.stdout
    rows = listing.stdout.splitlines()[:-1]  # the last line counts them
    # Every row's columns start where the others' do, whatever an id's length (LV:ESSPASS-WALLET).
    assert any(len(row.split()[0]) > 12 for row in rows)
    starts = {tuple(m.start() for m in re.finditer(r"(?<=  )\S", row))[:3] for row in rows}
    assert len(starts) == 1, listing.stdout
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
    # A kid is base64url: one in 32 starts with "-", which only "--" keeps from reading as an option.
    done = _esspass(tmp_path, "revoke-key", "--reason", "signing server broken into", "--", "LV:VSAA", kid)
    assert done.returncode == 0 and "nothing it signed is trusted" in done.stdout, done.stderr
    shown = json.loads(_esspass(tmp_path, "show", "LV:VSAA").stdout)
    assert [c.get("revoked") for c in shown["certificates"] if c["kid"] == kid] == [True]


def test_an_operator_widens_what_an_inspectorate_may_request_from_the_command_line_and_a_wallet_then_answers(
        tmp_path: Path) -> None:
    """``esspass registry may-request ID JSON`` on the database the running registry publishes from:
    an older registration without the PID's date_of_expiry makes the inspectorate's verifier leave it
    out of its requests, which the wallet answers; once the operator widened the claims and the wallet
    fetched the list again, a request is answered as well; a malformed value or an institution that is no verifier is
    one line on stderr."""
    person = DEMO_PERSONS[0]
    granted = {k: list(v) for k, v in demo_entity("LV:VDI").may_request.items()}
    older = {**granted, pid.VCT: [c for c in granted[pid.VCT] if c != "date_of_expiry"]}
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=20) as http:
        assert _esspass(tmp_path, "may-request", "LV:VDI", json.dumps(older)).returncode == 0
        for args, why in ((("LV:VDI", "{not json"), "may_request"), (("LV:VDI", '["family_name"]'), "may_request"),
                          (("LV:VSAA", json.dumps(granted)), "only verifiers")):
            refused = _esspass(tmp_path, "may-request", *args)
            assert refused.returncode == 1 and why in refused.stderr and "Traceback" not in refused.stderr, refused
        wallet = wallet_holding(stack, tmp_path, http, person)
        try:
            http.auth = InspectorAuth(stack.inspector_token)
            inspector = Inspector(stack.verifier_url, http)
            narrow = wallet.open_request(inspector.request("pda1")["link"], "en")
            assert not [p for _, paths in narrow.selection.values() for p in paths if "date_of_expiry" in p]

            widened = _esspass(tmp_path, "may-request", "LV:VDI", json.dumps(granted))
            assert widened.returncode == 0 and "date_of_expiry" in widened.stdout, widened.stderr
            audit = json.loads(_esspass(tmp_path, "history", "LV:VDI").stdout)["audit"][-1]
            assert audit["action"] == "set_may_request" and audit["who"].startswith("cli:")
            assert audit["detail"]["added"] == {pid.VCT: ["date_of_expiry"]}

            wallet.trust.verifiers(datetime.now(UTC) + timedelta(seconds=REVALIDATE_AFTER + 1))  # minutes later
            request = inspector.request("pda1")
            consent = wallet.open_request(request["link"], "en")
            wallet.share(consent.id)
            verdict = inspector.result(request)["verdict"]
            assert verdict["verdict"] == "valid", verdict
        finally:
            wallet.http.close()
