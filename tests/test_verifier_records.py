"""Inspection records (verifier/records.py): the inspectorate's lasting account of its checks.

Every check that ends in a verdict (an online answer, the worker's refusal, an offline QR, the
machine API) leaves a record, written with its verdict or not at all, kept after its transaction
is deleted, for ``ESSPASS_VERIFIER_RECORDS_DAYS``; it holds the signed verification proof and
nothing about the worker (domain.md "Verification proof"). The registry, issuer and verifier run
for real on loopback ports and a real reference wallet answers (esspass.stack); nothing is mocked.
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from credentials import i18n, pda1, pid
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import CredentialError
from credentials.jose import decode_jws
from credentials.sd_jwt import present
from esspass.db import make_engine
from esspass.stack import (
    Inspector,
    InspectorAuth,
    Stack,
    renumbered,
    start_in_process,
    verifier_replica,
    wallet_holding,
)
from verifier import records
from verifier.service import VerifierService
from verifier.settings import VerifierSettings
from verifier.transactions import TransactionStore, load_storage_key
from wallet.keys import load_key

ROOT = Path(__file__).resolve().parent.parent
PERSON = DEMO_PERSONS[0]
#: The worker's PDA1 number, of its own (the demo person's fixed one goes to one case only).
NUMBER = str(renumbered(PERSON.pda1)["document_number"])


class World:
    def __init__(self, stack: Stack, http: httpx.Client, wallet: Any) -> None:
        self.stack, self.http, self.wallet = stack, http, wallet
        self.inspector = Inspector(stack.verifier_url, http)
        self.engine: Engine = make_engine(f"sqlite:///{stack.data_dir / 'verifier.db'}")

    @property
    def url(self) -> str:
        return self.stack.verifier_url

    def today(self) -> str:
        return datetime.now(VerifierSettings(data_dir=self.stack.data_dir).zone()).date().isoformat()

    def records_today(self) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.url}/api/records", params={"from": self.today(), "to": self.today(),
                                                                     "limit": 1000})
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["records"]
        return found

    def record(self, record_id: str) -> dict[str, Any]:
        return next(r for r in self.records_today() if r["id"] == record_id)

    def check_online(self) -> tuple[dict[str, Any], str]:
        """The inspector's system asks, the worker shares: the result and its proof."""
        request = self.inspector.request("pda1")
        consent = self.wallet.open_request(request["link"], "en")
        self.wallet.share(consent.id)
        result = self.inspector.result(request)
        assert result["verdict"]["verdict"] == "valid", result
        return result, self.http.get(f"{self.url}{result['proof_url']}").text

    def offline_qr(self) -> str:
        group = next(c.group for c in self.wallet.cards("en") if c.vct == pda1.VCT)
        return str(self.wallet.offline_qr(group))

    def count(self, table: str, where: str = "1=1") -> int:
        with self.engine.connect() as conn:
            # The table and condition are this module's own constants, never input.
            return int(conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one())  # noqa: S608


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("records")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        wallet = wallet_holding(stack, data_dir, http, PERSON, document_number=NUMBER)
        w = World(stack, http, wallet)
        yield w
        w.engine.dispose()
        wallet.http.close()


@contextmanager
def _replica(world: World, tmp_path: Path, **options: Any) -> Iterator[tuple[VerifierService, str]]:
    """Another verifier of the same inspectorate with a database of its own, whose records a test sets."""
    with verifier_replica(world.stack, database_url=f"sqlite:///{tmp_path / 'replica.db'}", **options) as found:
        yield found


@dataclass(frozen=True)
class _Made:
    verdict: str
    at: datetime


def _entry(service: VerifierService, made: _Made, n: int, *, ref: str | None = None) -> records.InspectionEntry:
    return records.InspectionEntry(
        id=f"rec-{n:05d}-{made.verdict}", checked_at=made.at.timestamp(), kind="online", flow="cross_device",
        verdict=made.verdict, reason_key="status.withdrawn" if made.verdict == "invalid" else "",
        inspector="anna.ozola", verifier_id=service.entity_id, policy_version=service.policy_version,
        proof=f"proof-{n}", documents=(records.RecordedDocument(pda1.VCT, "LV:VSAA", made.verdict, ref),))


def _write(service: VerifierService, entries: list[records.InspectionEntry]) -> None:
    with service.store.engine.begin() as conn:
        for entry in entries:
            records.insert(conn, entry)


def _noon(service: VerifierService, day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), service.zone) + timedelta(hours=12)


# --- every kind of check leaves a record -----------------------------------------------------------------


def test_a_finished_online_check_leaves_a_record_that_outlives_the_transaction_sweep(world: World) -> None:
    result, proof = world.check_online()
    jti = decode_jws(proof).payload["jti"]
    # An hour later the transaction sweep has deleted the inspection in progress, verdict and all...
    key = load_storage_key(world.stack.data_dir / "verifier" / "storage.key", create=False)
    TransactionStore(world.engine, key).sweep(time.time() + 3600, retention=0, keep=600)
    assert world.http.get(f"{world.url}{result['proof_url']}").status_code == 404
    # ...and the inspectorate still knows what was checked, by whom, with which outcome.
    record = world.record(jti)
    assert record["kind"] == "online" and record["flow"] == "cross_device"
    assert record["verdict"] == "valid" and record["reason_key"] == ""
    assert record["inspector"] == "inspector" and record["verifier_id"] == "LV:VDI"
    assert record["proof"] == proof
    types = {d["credential_type"] for d in record["documents"]}
    assert pda1.VCT in types and any(pid.is_pid_type(t) for t in types)
    assert {d["issuer_id"] for d in record["documents"]} == {PERSON.pda1_issuer, PERSON.pid_provider}


def test_an_offline_check_and_a_refusal_each_leave_a_record(world: World) -> None:
    checked = world.http.post(f"{world.url}/api/offline/verify", json={"qr": world.offline_qr()})
    assert checked.status_code == 200 and checked.json()["verdict"] == "valid", checked.text
    proof = world.http.get(f"{world.url}/api/requests/{checked.json()['transaction_id']}/proof").text
    offline = world.record(decode_jws(proof).payload["jti"])
    assert (offline["kind"], offline["flow"], offline["verdict"]) == ("offline", None, "valid")
    assert [d["credential_type"] for d in offline["documents"]] == [pda1.VCT] and offline["proof"] == proof

    before = {r["id"] for r in world.records_today()}
    request = world.inspector.request("pda1")
    world.wallet.decline(world.wallet.open_request(request["link"], "en").id)
    assert world.inspector.result(request)["verdict"]["verdict"] == "refused"
    (refusal,) = [r for r in world.records_today() if r["id"] not in before]
    assert (refusal["kind"], refusal["verdict"], refusal["reason_key"]) == ("online", "refused", "refused")
    assert refusal["documents"] == [] and refusal["inspector"] == "inspector"
    # The refusal has a signed proof too: the inspectorate can show the worker declined.
    assert decode_jws(refusal["proof"]).payload["verdict"] == "refused"


def test_a_wallets_technical_error_is_undetermined_and_never_counted_as_a_refusal(world: World) -> None:
    """OpenID4VP §8.5: only ``access_denied`` is the worker's (or their wallet's) no; any other error
    (``invalid_request``, ``vp_formats_not_supported``, ``wallet_unavailable``...) is the wallet
    failing to answer. The verdict is "cannot be confirmed", with a translated reason that keeps the
    error's code for the inspector, and the record counts it as undetermined, not as declined."""
    before = {r["id"] for r in world.records_today()}
    request = world.inspector.request("pda1")
    state = decode_jws(world.http.get(request["request_uri"]).text).payload
    response = world.http.post(state["response_uri"], data={"error": "invalid_request", "state": state["state"]})
    assert response.status_code == 200, response.text
    result = world.inspector.result(request)
    verdict = result["verdict"]
    assert (verdict["verdict"], verdict["reason_key"]) == ("undetermined", "wallet_error"), verdict
    assert "invalid_request" in verdict["reason"] and verdict["wallet_error"] == "invalid_request"
    page = world.http.get(f"{world.url}/inspect/{request['transaction_id']}/verdict?lang=lv")
    assert 'data-verdict="undetermined"' in page.text and "ATTEIKTS" not in page.text
    assert "Maks nevarēja atbildēt" in page.text and "(invalid_request)" in page.text
    (record,) = [r for r in world.records_today() if r["id"] not in before]
    assert (record["verdict"], record["reason_key"]) == ("undetermined", "wallet_error")
    assert decode_jws(record["proof"]).payload["verdict"] == "undetermined"
    declined = world.http.get(f"{world.url}/api/records", params={"from": world.today(), "to": world.today(),
                                                                  "verdict": "refused", "limit": 1000})
    assert record["id"] not in {r["id"] for r in declined.json()["records"]}


def test_the_machine_api_verify_leaves_a_record(world: World) -> None:
    cred = next(c for c in world.wallet.credentials() if c.vct == pda1.VCT and c.format == "dc+sd-jwt")
    presentation = present(cred.credential, select=[("document_number",), ("legislation_country",)],
                           holder_key=load_key(cred.private_key), nonce="n-records-1", aud="x509_hash:records",
                           iat=int(time.time()))
    response = world.http.post(f"{world.url}/verify", json={"presentation": presentation, "nonce": "n-records-1",
                                                             "audience": "x509_hash:records"})
    assert response.status_code == 200, response.text
    record = world.record(decode_jws(response.json()["proof"]).payload["jti"])
    assert (record["kind"], record["flow"], record["inspector"]) == ("api", None, "inspector")
    assert record["verdict"] == response.json()["verdict"]


def test_a_record_holds_no_personal_data(world: World) -> None:
    world.check_online()
    world.http.post(f"{world.url}/api/offline/verify", json={"qr": world.offline_qr()}).raise_for_status()
    personal = {PERSON.pid["family_name"], PERSON.pid["given_name"], PERSON.pid["birthdate"],
                PERSON.pda1["personal_administrative_number"], NUMBER}
    if PERSON.pid.get("personal_administrative_number"):
        personal.add(PERSON.pid["personal_administrative_number"])
    found = []
    with world.engine.connect() as conn:
        for table in ("verifier_inspection_records", "verifier_inspection_documents"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 - our own table names
            assert rows
            for row in rows:
                found.append(" ".join(str(v) for v in row))
                proof = row._mapping.get("proof")
                if proof:  # the proof's payload, as anyone holding it can read it
                    found.append(json.dumps(decode_jws(str(proof)).payload, ensure_ascii=False))
    haystack = "\n".join(found).casefold()
    assert not [value for value in personal if value.casefold() in haystack]
    # The reason is kept as a key, never as text that could quote a document.
    with world.engine.connect() as conn:
        keys = set(conn.execute(text("SELECT reason_key FROM verifier_inspection_records")).scalars())
    assert all(re.fullmatch(r"[a-z_.]*", k) for k in keys), keys


def test_the_document_lookup_finds_the_record_by_number_and_not_by_another(world: World) -> None:
    _result, proof = world.check_online()
    jti = decode_jws(proof).payload["jti"]

    def lookup(number: object) -> httpx.Response:
        return world.http.post(f"{world.url}/api/records/lookup", json={"document_number": number})

    for typed in (NUMBER, f"  {NUMBER.lower()} "):  # as printed, or as an inspector types it
        response = lookup(typed)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
        assert jti in [r["id"] for r in response.json()["records"]], typed
    assert lookup(f"{NUMBER}X").json()["records"] == []
    assert lookup("DEMO-A1-LV-0001").json()["records"] == []
    # A database holding no number: the lookup is by the index of its HMAC.
    with world.engine.connect() as conn:
        plan = " ".join(str(r) for r in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT record_id FROM verifier_inspection_documents WHERE document_ref = 'x'")))
    assert "ix_verifier_inspection_documents_document_ref" in plan


def test_retention_deletes_old_records_and_zero_keeps_them(world: World, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    for days, expect_kept in ((30, 1), (0, 1202)):
        replica_dir = tmp_path / f"days-{days}"
        replica_dir.mkdir()
        with _replica(world, replica_dir, records_days=days) as (service, _url):
            old = [_entry(service, _Made("valid", now - timedelta(days=31)), n) for n in range(1201)]
            _write(service, [*old, _entry(service, _Made("invalid", now - timedelta(days=29)), 9999)])
            service.sweep()  # the periodic sweep, in batches of 500
            with service.store.engine.connect() as conn:
                kept = conn.execute(text("SELECT count(*) FROM verifier_inspection_records")).scalar_one()
                docs = conn.execute(text("SELECT count(*) FROM verifier_inspection_documents")).scalar_one()
            assert (kept, docs) == (expect_kept, expect_kept), days


def test_the_records_page_lists_the_days_records_with_the_right_counts(world: World, tmp_path: Path) -> None:
    with _replica(world, tmp_path) as (service, url):
        today = service.records.today(datetime.now(UTC))
        yesterday = today - timedelta(days=1)
        made = [_Made("valid", _noon(service, today)), _Made("valid", _noon(service, today) + timedelta(hours=1)),
                _Made("invalid", _noon(service, today) - timedelta(hours=2)), _Made("refused", _noon(service, today)),
                _Made("undetermined", _noon(service, yesterday))]
        _write(service, [_entry(service, m, n) for n, m in enumerate(made)])
        page = world.http.get(f"{url}/records", params={"date": today.isoformat(), "lang": "en"})
        assert page.status_code == 200, page.text
        assert "style-src 'self'" in page.headers["content-security-policy"]
        counts = dict(re.findall(r'id="count-(\w+)"[^>]*>(\d+)<', page.text))
        assert counts == {"checked": "4", "valid": "2", "invalid": "1", "undetermined": "0", "refused": "1"}
        rows = re.findall(r'<tr class="record" data-id="([^"]+)" data-verdict="(\w+)"', page.text)
        # Newest first: 13:00, then the two at noon (by id), then 10:00; yesterday's is not there.
        assert [v for _id, v in rows] == ["valid", "refused", "valid", "invalid"]
        assert "anna.ozola" in page.text and "LV:VSAA" in page.text and "<script>" not in page.text
        other = world.http.get(f"{url}/records", params={"date": yesterday.isoformat()})
        assert re.findall(r'data-verdict="(\w+)"', other.text) == ["undetermined"]
        assert world.http.get(f"{url}/records", params={"date": "2026-02-30"}).status_code == 400

        csv_day = world.http.get(f"{url}/records/day.csv", params={"date": today.isoformat()})
        assert csv_day.headers["content-type"].startswith("text/csv")
        lines = csv_day.text.strip().splitlines()
        assert lines[0].startswith("id,checked_at,") and len(lines) == 5 and "proof-0" in csv_day.text
        jsonl = world.http.get(f"{url}/records/day.jsonl", params={"date": today.isoformat()})
        assert sorted(json.loads(line)["proof"] for line in jsonl.text.splitlines()) == \
            ["proof-0", "proof-1", "proof-2", "proof-3"]
        # The page is the inspectorate's: without sign-in, the sign-in page.
        with httpx.Client() as anonymous:
            assert anonymous.get(f"{url}/records").status_code == 303


def test_the_api_pages_a_range_with_a_cursor(world: World, tmp_path: Path) -> None:
    with _replica(world, tmp_path) as (service, url):
        today = service.records.today(datetime.now(UTC))
        entries = [_entry(service, _Made("valid", _noon(service, today - timedelta(days=n))), n) for n in range(5)]
        _write(service, entries)
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(4):
            params: dict[str, Any] = {"from": (today - timedelta(days=10)).isoformat(), "to": today.isoformat(),
                                      "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = world.http.get(f"{url}/api/records", params=params).json()
            seen += [r["id"] for r in page["records"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [e.id for e in reversed(entries)]  # oldest first, each once
        body = world.http.get(f"{url}/api/records.csv", params={"from": (today - timedelta(days=3)).isoformat(),
                                                                  "to": today.isoformat()}).text
        assert len(body.strip().splitlines()) == 1 + 4


def test_the_api_the_csv_and_the_cli_keep_one_verdicts_or_one_inspectors_records(world: World,
                                                                                 tmp_path: Path) -> None:
    """An inspectorate's questions: which checks were not valid, what did this inspector check. The
    filters hold across pages (the cursor is asked with them) and in the CLI's counts."""
    with _replica(world, tmp_path) as (service, url):
        today = service.records.today(datetime.now(UTC))
        verdicts = ["valid", "invalid", "valid", "undetermined", "invalid", "refused", "invalid"]
        entries = [replace(_entry(service, _Made(v, _noon(service, today) - timedelta(minutes=len(verdicts) - n)), n),
                           inspector="janis.liepa" if n % 2 else "anna.ozola") for n, v in enumerate(verdicts)]
        _write(service, entries)
        day = {"from": today.isoformat(), "to": today.isoformat()}

        def api(**params: Any) -> list[str]:
            seen: list[str] = []
            cursor = None
            while True:
                page = world.http.get(f"{url}/api/records", params={**day, "limit": 1, **params,
                                                                    **({"cursor": cursor} if cursor else {})})
                assert page.status_code == 200, page.text
                seen += [r["id"] for r in page.json()["records"]]
                if (cursor := page.json()["next_cursor"]) is None:
                    return seen

        invalid = [e.id for e in entries if e.verdict == "invalid"]
        janis = [e.id for e in entries if e.inspector == "janis.liepa"]
        assert api(verdict="invalid") == invalid
        assert api(inspector="janis.liepa") == janis
        assert api(verdict="invalid", inspector="janis.liepa") == [i for i in invalid if i in janis]
        assert api(inspector="nobody") == [] and len(api()) == len(entries)
        body = world.http.get(f"{url}/api/records.csv", params={**day, "verdict": "invalid"}).text
        assert [line.split(",")[0] for line in body.strip().splitlines()[1:]] == invalid
        replica_db = {"ESSPASS_VERIFIER_DATABASE_URL": f"sqlite:///{tmp_path / 'replica.db'}"}
        out = _cli(world, "--inspector", "janis.liepa", **replica_db)
        assert out.returncode == 0, out.stderr
        assert all(i in out.stdout for i in janis) and not any(e.id in out.stdout for e in entries
                                                               if e.id not in janis)
        assert "3 checked: 0 valid, 1 not valid, 1 cannot be confirmed, 1 not shared" in out.stdout, out.stdout
        refused = _cli(world, "--verdict", "refused", "--format", "jsonl", **replica_db)
        assert [json.loads(line)["verdict"] for line in refused.stdout.splitlines()] == ["refused"]
        wrong = _cli(world, "--verdict", "ok")
        assert wrong.returncode == 2 and "Traceback" not in wrong.stderr


@pytest.mark.parametrize(("path", "params"), [
    ("/api/records", {"from": "2026-13-01"}),
    ("/api/records", {"from": "yesterday"}),
    ("/api/records", {"from": "2026-01-01", "to": "2025-12-31"}),
    ("/api/records", {"from": "2025-01-01", "to": "2026-06-01"}),  # more than 366 days
    ("/api/records", {"verdict": "ok"}),
    ("/api/records", {"inspector": ""}),
    ("/api/records.csv", {"verdict": "VALID"}),
    ("/api/records", {"cursor": "not-a-cursor"}),
    ("/api/records", {"cursor": "WzEsMl0"}),  # [1,2]: JSON, but not a cursor this API gave
    ("/api/records", {"limit": "0"}),
    ("/api/records", {"limit": "5000"}),
    ("/api/records.csv", {"from": "2026-01-01", "to": "2027-06-01"}),
    ("/api/records.csv", {"to": "20260101"}),
])
def test_the_api_caps_the_range_and_refuses_bad_dates_with_400_json(world: World, path: str,
                                                                    params: dict[str, str]) -> None:
    response = world.http.get(f"{world.url}{path}", params=params)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request" and response.json()["error_description"]


@pytest.mark.parametrize("body", [{}, {"document_number": ""}, {"document_number": "   "}, {"document_number": 5},
                                  {"document_number": "x" * 201}, [1]])
def test_the_lookup_refuses_a_missing_or_bad_number_with_400_json(world: World, body: Any) -> None:
    response = world.http.post(f"{world.url}/api/records/lookup", json=body)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request", response.text


def _cli(world: World, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """``esspass verifier records ARGS`` on the world's data directory, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ESSPASS_", "DATABASE_URL"))}
    env["ESSPASS_DATA_DIR"] = str(world.stack.data_dir)
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "esspass.cli", "verifier", "records", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_cli_prints_the_days_records(world: World) -> None:
    _result, proof = world.check_online()
    jti = decode_jws(proof).payload["jti"]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return _cli(world, *args)

    table = cli()
    assert table.returncode == 0, table.stderr
    assert jti in table.stdout and "valid" in table.stdout and "inspector" in table.stdout
    csv_out = cli("--from", world.today(), "--to", world.today(), "--format", "csv")
    assert csv_out.stdout.startswith("id,checked_at,") and proof in csv_out.stdout
    jsonl = [json.loads(line) for line in cli("--format", "jsonl").stdout.splitlines()]
    assert jti in [r["id"] for r in jsonl]
    bad = cli("--from", "2026-02-30")
    assert bad.returncode == 2 and "from" in bad.stderr


def test_finding_3_a_far_future_date_is_refused_on_the_api_the_page_each_download_and_the_cli(
        world: World) -> None:
    """9999-12-31 is a date, but the day after it is not: its records cannot be asked for. Refused
    before anything is sent (400, never a 500, never a download of 200 cut off after its header),
    and in the CLI in one line, exit 2; the first day there is still works in any time zone."""
    for path, params in (("/api/records", {"from": "9999-12-31"}), ("/api/records", {"to": "9999-12-31"}),
                         ("/api/records", {"from": "9999-12-30", "to": "9999-12-31"}),
                         ("/api/records.csv", {"from": "9999-12-31"}),
                         ("/api/records.csv", {"from": "9999-12-30", "to": "9999-12-31"}),
                         ("/records/day.csv", {"date": "9999-12-31"}), ("/records/day.jsonl", {"date": "9999-12-31"})):
        response = world.http.get(f"{world.url}{path}", params=params)
        assert response.status_code == 400, (path, params, response.status_code, response.text)
        assert response.json()["error"] == "invalid_request" and response.json()["error_description"], path
        assert "content-disposition" not in response.headers, path
    page = world.http.get(f"{world.url}/records", params={"date": "9999-12-31", "lang": "en"})
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html"), page.text
    assert 'id="date-error"' in page.text and 'id="count-checked"' in page.text  # today's, with the error
    assert world.http.get(f"{world.url}/api/records", params={"from": "9999-12-30"}).status_code == 200
    for args in (("--from", "9999-12-31"), ("--to", "9999-12-31"), ("--from", "9999-12-30", "--to", "9999-12-31")):
        for fmt in ("table", "csv"):
            out = _cli(world, *args, "--format", fmt)
            assert out.returncode == 2, (args, fmt, out.stderr)
            assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
            assert out.stderr.startswith("esspass: ") and out.stdout == "", (out.stderr, out.stdout)
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):  # UTC+14 and UTC-12: the earliest day is still readable
        first = _cli(world, "--from", "0001-01-01", ESSPASS_VERIFIER_TIME_ZONE=zone)
        assert first.returncode == 0 and "0 checked" in first.stdout, (zone, first.stderr)


def test_finding_4_a_record_id_never_starts_with_a_formula_character_and_the_csv_id_is_the_apis(
        world: World, tmp_path: Path) -> None:
    """The record's id is the proof's jti, by which the CSV, the JSON lines, the API and the proof join:
    it never starts like a spreadsheet formula, so the CSV's guard never alters it. The guard stays
    for the free-text columns, and a login name never starts with '-', '.' or '_'."""
    from credentials.files import LOGIN_NAME
    from credentials.verification import Verdict

    formula = ("=", "+", "-", "@", "\t", "\r")
    with _replica(world, tmp_path) as (service, url):
        now = datetime.now(UTC)
        verdict = Verdict(verdict="valid", reason="", steps=[], credentials=[], trust_list_age=None, checked_at=now)
        # A random jti starting with '-' one time in 64 (token_urlsafe) would be among 1000 all but surely.
        jtis = [str(decode_jws(service.proof(verdict, now)).payload["jti"]) for _ in range(1000)]
        assert not [j for j in jtis if j.startswith(formula)], [j for j in jtis if j.startswith(formula)][:3]
        made = [records.entry_from_proof(service.proof(verdict, now), checked_at=now.timestamp(), kind="api",
                                         flow=None, inspector="anna.ozola", reason_key="") for _ in range(3)]
        # A record of before this rule (an id of token_urlsafe's, an inspector's name of the old rule).
        legacy = records.InspectionEntry(
            id="-Xq3vJ0kq8mR0Zl2aV9Fhw", checked_at=now.timestamp(), kind="api", flow=None, verdict="valid",
            reason_key="", inspector="-ops", verifier_id=service.entity_id, policy_version=service.policy_version,
            proof="eyJ.x.y")
        _write(service, [*made, legacy])
        today = service.records.today(now).isoformat()
        api = world.http.get(f"{url}/api/records", params={"from": today}).json()["records"]
        body = world.http.get(f"{url}/api/records.csv", params={"from": today}).text
        csv_rows = list(csv.DictReader(body.splitlines()))
        jsonl = [json.loads(line) for line in world.http.get(f"{url}/records/day.jsonl",
                                                             params={"date": today}).text.splitlines()]
        assert sorted(r["id"] for r in csv_rows) == sorted(r["id"] for r in api) == sorted(r["id"] for r in jsonl)
        assert sorted(r["id"] for r in api) == sorted([e.id for e in made] + [legacy.id])
        signed = [row for row in csv_rows if row["proof"] != legacy.proof]
        assert len(signed) == 3 and all(row["id"] == decode_jws(row["proof"]).payload["jti"] for row in signed)
        assert {r["inspector"] for r in csv_rows} == {"anna.ozola", "'-ops"}  # free text: still guarded
    for name in ("-ops", ".ops", "_ops"):
        assert not LOGIN_NAME.fullmatch(name), name
    assert all(LOGIN_NAME.fullmatch(n) for n in ("anna.berzina", "ops-2", "x", "9a_b.c-d"))


def test_finding_5_the_cli_to_alone_lists_that_day(world: World) -> None:
    """``--to`` alone is that one day, as ``to`` alone is in the API (not "today .. to", refused)."""
    _result, proof = world.check_online()
    jti = decode_jws(proof).payload["jti"]
    alone = _cli(world, "--to", world.today())
    assert alone.returncode == 0 and jti in alone.stdout, alone.stderr
    past = _cli(world, "--to", "2020-01-01")
    assert past.returncode == 0, past.stderr
    assert "0 checked" in past.stdout and "(2020-01-01 to 2020-01-01," in past.stdout, past.stdout


def test_a_failure_writing_the_record_leaves_no_verdict_either(world: World) -> None:
    """The record and the verdict are one database transaction: when the record cannot be written
    (here the database refuses it, as a full disk or a lost connection would), no verdict is kept."""
    records_before = world.count("verifier_inspection_records")
    offline_before = world.count("verifier_transactions", "kind = 'offline'")
    with world.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TRIGGER records_refused BEFORE INSERT ON verifier_inspection_records "
                             "BEGIN SELECT RAISE(ABORT, 'no room for records'); END")
    try:
        request = world.inspector.request("pda1")
        with pytest.raises(CredentialError):
            world.wallet.share(world.wallet.open_request(request["link"], "en").id)
        assert world.inspector.result(request) == {"status": "pending"}  # no verdict, given back
        offline = world.http.post(f"{world.url}/api/offline/verify", json={"qr": world.offline_qr()})
        assert offline.status_code == 500 and offline.json()["error"] == "server_error"
        assert world.count("verifier_transactions", "kind = 'offline'") == offline_before
        assert world.count("verifier_inspection_records") == records_before
    finally:
        with world.engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER records_refused")
    # The request was given back: the worker's next answer is taken, with its record.
    world.wallet.share(world.wallet.open_request(request["link"], "en").id)
    assert world.inspector.result(request)["verdict"]["verdict"] == "valid"
    assert world.count("verifier_inspection_records") == records_before + 1


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_record_store_reads_pages_looks_up_and_sweeps_alike_on_sqlite_and_postgresql(
        database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The queries the page, the API and the sweep make (keyset paging by row value, the lookup's
    subquery, the counts), on both databases a deployment may use."""
    from zoneinfo import ZoneInfo

    from esspass.migrate import upgrade
    from verifier.transactions import MIGRATIONS

    engine = make_engine(f"sqlite:///{tmp_path / 'records.db'}" if database == "sqlite"
                         else request.getfixturevalue("postgres_url"))  # skips without ESSPASS_TEST_POSTGRES_URL
    upgrade(engine, MIGRATIONS)
    key, zone = b"k" * 32, ZoneInfo("Europe/Riga")
    store = records.RecordStore(engine, key, zone)
    day = date(2026, 3, 10)
    noon = datetime.combine(day, datetime.min.time(), zone) + timedelta(hours=12)
    ref = records.document_ref(key, "LV-VSAA-2026-7KQ3M9XT")
    with engine.begin() as conn:
        for n in range(7):
            records.insert(conn, records.InspectionEntry(
                id=f"r{n}", checked_at=(noon + timedelta(minutes=n // 2)).timestamp(), kind="offline", flow=None,
                verdict=("valid", "invalid")[n % 2], reason_key="", inspector="i", verifier_id="LV:VDI",
                policy_version="p", proof=f"proof-{n}",
                documents=(records.RecordedDocument(pda1.VCT, "LV:VSAA", "valid", ref if n == 3 else None),)))
    seen, cursor = [], None
    while True:
        page = store.between(day, day, limit=3, cursor=cursor)
        seen += [r.id for r in page.records]
        if (cursor := page.next_cursor) is None:
            break
    assert seen == [f"r{n}" for n in range(7)]
    assert store.summary(day, day) == {"checked": 7, "valid": 4, "invalid": 3, "undetermined": 0, "refused": 0}
    assert [r.id for r in store.lookup("lv-vsaa-2026-7kq3m9xt")] == ["r3"]
    assert [r.id for r in store.day(day)][:2] == ["r6", "r5"]  # newest first
    assert store.sweep(noon.timestamp() + 40 * 86400, days=30, batch=2) == 7
    assert store.summary(day, day)["checked"] == 0
    engine.dispose()


def _language_links(page: str) -> dict[str, str]:
    """The header's language links: language -> where each leads."""
    return {lang: html.unescape(href) for href, lang in re.findall(r'<a href="([^"]*)" hreflang="(\w+)"', page)}


def test_the_language_links_keep_the_chosen_day_and_lead_from_a_lookup_back_to_that_day(world: World) -> None:
    """A language link keeps the page's other parameters; after "Was this document checked?" (a POST,
    whose page has no address of its own) it leads to the day's page, never to a 405."""
    day = (date.fromisoformat(world.today()) - timedelta(days=3)).isoformat()
    page = world.http.get(f"{world.url}/records", params={"date": day, "lang": "en"})
    assert _language_links(page.text)["lv"] == f"/records?date={day}&lang=lv"
    looked = world.http.post(f"{world.url}/records/lookup", params={"lang": "fr"},
                             data={"document_number": "X-404", "date": day})
    assert looked.status_code == 200 and 'id="lookup-none"' in looked.text
    links = _language_links(looked.text)
    assert set(links) == set(i18n.LANGUAGES) and links["de"] == f"/records?date={day}&lang=de"
    followed = world.http.get(f"{world.url}{links['de']}")
    assert followed.status_code == 200 and '<html lang="de">' in followed.text and f'value="{day}"' in followed.text


@pytest.mark.browser
def test_the_inspector_finds_the_days_checks_and_a_document_in_the_browser(world: World, browser: Any) -> None:
    _result, proof = world.check_online()
    jti = decode_jws(proof).payload["jti"]
    tab = browser.new_context().new_page()
    problems: list[str] = []
    # What the page's Content-Security-Policy refused (an inline style or script) is told on the console.
    tab.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    tab.goto(world.url + "/?lang=en")
    tab.fill("#token", world.stack.inspector_token)
    tab.click("#login")
    tab.wait_for_selector("#records-link")
    tab.click("#records-link")
    tab.wait_for_selector("#records")
    assert tab.title().startswith("Checks of the day")
    assert tab.locator(f"tr[data-id='{jti}']").count() == 1
    assert int(tab.inner_text("#count-checked")) >= 1
    tab.fill("#document_number", NUMBER.lower())
    tab.click("#lookup")
    tab.wait_for_selector("#lookup-results")
    assert tab.locator(f"#lookup-results tr[data-id='{jti}']").count() == 1
    assert NUMBER.lower() not in tab.url and NUMBER not in tab.url  # posted, never in the address
    tab.goto(world.url + "/records?lang=lv")
    assert tab.title() == "Dienas pārbaudes – ESSPASS pārbaude" and tab.locator("#count-checked").count() == 1
    assert not problems, problems
    tab.context.close()


def test_a_record_keeps_the_documents_status_reference_but_not_the_pids() -> None:
    """The A1's status list reference is kept to learn of a later withdrawal (RecordStore.recheck); the
    PID's is not: its withdrawal changes nothing about the A1 inspected, and its index, kept two years,
    would let its provider tie the inspectorate's checks of that person together (GDPR Art. 5(1)(c))."""
    from credentials.jose import generate_key, sign_jws
    from credentials.status_list import StatusReference
    from verifier.records import entry_from_proof

    proof = sign_jws({"typ": "JWT"}, {
        "jti": "r-1", "iss": "LV:VDI", "policy_version": "1", "verdict": "valid",
        "credentials": [{"credential_type": pda1.VCT, "issuer_id": "LV:VSAA", "verdict": "valid"},
                        {"credential_type": pid.VCT, "issuer_id": "LV:PID", "verdict": "valid"}]}, generate_key())
    a1_ref = StatusReference(idx=17, uri="https://issuer.example/lv-vsaa/status/1")
    pid_ref = StatusReference(idx=4711, uri="https://issuer.example/lv-pid/status/1")
    entry = entry_from_proof(proof, checked_at=time.time(), kind="online", flow="cross_device", inspector=None,
                             reason_key="", status_refs=[a1_ref, pid_ref])
    a1, person = entry.documents
    assert (a1.status_uri, a1.status_idx) == (a1_ref.uri, 17)
    assert (person.status_uri, person.status_idx) == (None, None)
