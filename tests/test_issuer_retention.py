"""Storage limitation: a set time after a document ended, the issuer erases the case's personal
data (GDPR Art. 5(1)(e)); the document's state and history stay, and nothing more can be issued.
The time runs from the document's end, or from when the case was recorded or last used when that
is later: an A1 issued after its period (987/2009 Art. 15) keeps the whole period too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from esspass.testing import ServerHandle, clerk_tab, free_port, run_cli, serve
from issuer.app import create_app
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
ROOT = Path(__file__).resolve().parent.parent
HOLDER = {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1988-04-12"}
ENDED = {**PERSON.pda1, "document_number": "DEMO-A1-LV-8001", "date_of_issuance": "2024-12-20",
         "starting_date": "2025-01-01", "ending_date": "2025-06-30"}  # ended long before today (2026-11)
CURRENT = {**PERSON.pda1, "document_number": "DEMO-A1-LV-8002"}


class Office:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self, **settings: Any) -> ServerHandle:
        return serve(create_app(IssuerSettings(data_dir=self.data_dir, public_url=self.url, **settings)),
                     port=self.port)

    def http(self) -> httpx.Client:
        tokens = json.loads((self.data_dir / "issuer" / "clerk-tokens.json").read_text())
        return httpx.Client(base_url=f"{self.url}/lv-vsaa/api",
                            headers={"Authorization": f"Bearer {tokens['LV:VSAA']}"}, timeout=20)

    def erase(self, *args: str) -> str:
        env = {**os.environ, "ESSPASS_DATA_DIR": str(self.data_dir), "ESSPASS_ISSUER_PUBLIC_URL": self.url}
        env.pop("DATABASE_URL", None)
        done = subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "erase", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout


def _recorded_on(data_dir: Path, case_id: str, when: datetime) -> None:
    """As if ``case_id`` had been recorded, and all its history written, at ``when``."""
    from sqlalchemy import update

    from esspass.db import make_engine
    from issuer.db import Case, Event

    engine = make_engine(IssuerSettings(data_dir=data_dir).db_url("issuer.db"))
    try:
        with engine.begin() as conn:
            conn.execute(update(Case).where(Case.id == case_id).values(created_at=when))
            conn.execute(update(Event).where(Event.case_id == case_id).values(at=when))
    finally:
        engine.dispose()


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[Office, dict[str, str]]]:
    office = Office(tmp_path)
    with office.start(), office.http() as http:
        cases = {}
        for name, claims in (("ended", ENDED), ("current", CURRENT)):
            created = http.post("/cases", json={"configuration_id": "pda1", "claims": claims, "holder": HOLDER})
            assert created.status_code == 201, created.text
            cases[name] = created.json()["id"]
        # A clerk's free-text reason that names the person: gone with the rest when the case is erased.
        for action, reason in (("suspend", "Jānis Bērziņš called about his posting"), ("reinstate", "checked")):
            assert http.post(f"/cases/{cases['ended']}/{action}", json={"reason": reason}).status_code == 200
    # Recorded when it was issued, at the start of its period: its retention period has passed.
    _recorded_on(tmp_path, cases["ended"], datetime(2024, 12, 20, 10, tzinfo=UTC))
    yield office, cases


def test_the_personal_data_of_an_ended_case_is_erased_after_the_retention_period(
        office: tuple[Office, dict[str, str]]) -> None:
    issuer, cases = office
    assert "1 cases would be erased" in issuer.erase("--dry-run")
    assert "1 cases were erased" in issuer.erase()
    assert "0 cases were erased" in issuer.erase()  # once
    with issuer.start(retention_days=0), issuer.http() as http:
        ended = http.get(f"/cases/{cases['ended']}").json()
        assert ended["claims"] == {} and ended["erased_at"] and ended["description"]["en"] == ""
        assert ended["label"] == "DEMO-A1-LV-8001"  # the institution's own reference stays
        assert ended["events"][-1]["action"] == "erased" and ended["events"][-1]["actor"] == "retention"
        assert [e["action"] for e in ended["events"]] == ["created", "suspended", "reinstated", "erased"]
        assert "Bērziņš" not in json.dumps(ended, ensure_ascii=False)
        offer = http.post(f"/cases/{cases['ended']}/offer")
        assert offer.status_code == 409 and "erased" in offer.json()["error_description"]
        assert [c["label"] for c in http.get("/cases", params={"q": "berzins"}).json()] == ["DEMO-A1-LV-8002"]
        withdrawn = http.post(f"/cases/{cases['ended']}/revoke", json={"reason": "posting cancelled"})
        assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "revoked"  # its status still changes
        current = http.get(f"/cases/{cases['current']}").json()
        assert current["erased_at"] is None and current["claims"]["document_number"] == "DEMO-A1-LV-8002"


def test_the_running_issuer_erases_at_start_and_zero_days_keeps_everything(
        office: tuple[Office, dict[str, str]]) -> None:
    issuer, cases = office
    assert "nothing is erased" in issuer.erase("--days", "0")
    with issuer.start(retention_days=90), issuer.http() as http:
        deadline = time.monotonic() + 10
        while http.get(f"/cases/{cases['ended']}").json()["erased_at"] is None:
            assert time.monotonic() < deadline, "the issuer did not erase the ended case at start"
            time.sleep(0.05)
        assert http.get(f"/cases/{cases['current']}").json()["erased_at"] is None


@pytest.mark.browser
def test_the_clerk_sees_that_the_case_was_erased(office: tuple[Office, dict[str, str]], browser: Any) -> None:
    issuer, cases = office
    issuer.erase()
    with issuer.start(retention_days=0):
        tokens = json.loads((issuer.data_dir / "issuer" / "clerk-tokens.json").read_text())
        tab = clerk_tab(browser, issuer.url, "lv-vsaa", tokens["LV:VSAA"])
        assert "erased" in tab.locator("#cases tr", has_text="DEMO-A1-LV-8001").inner_text()
        tab.goto(f"{issuer.url}/lv-vsaa/office/cases/{cases['ended']}?lang=en")
        assert "personal data was erased" in tab.inner_text("#erased")
        assert tab.locator("#make-offer").count() == 0 and tab.locator("#describe").count() == 0
        assert "personal data erased (retention period)" in tab.inner_text("#events")
        tab.context.close()


def test_cases_recorded_before_retention_existed_are_counted_from_their_documents_end(tmp_path: Path) -> None:
    from sqlalchemy import text

    from esspass.db import make_engine
    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS
    from issuer.service import IssuerService

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS, revision="0006")
    with engine.begin() as conn:
        for case_id, claims in (("ended", ENDED), ("current", CURRENT)):
            conn.execute(text("INSERT INTO issuer_cases (id, entity_id, configuration_id, claims, holder, label, "
                              "state, created_at, created_by) VALUES (:id, 'LV:VSAA', 'pda1', :claims, NULL, "
                              ":label, 'active', '2024-12-20 10:00:00', 'clerk')"),
                         {"id": case_id, "claims": json.dumps(claims), "label": claims["document_number"]})
    upgrade(engine, MIGRATIONS)
    with engine.connect() as conn:
        ends = {str(row[0]): row[1] for row in conn.execute(text("SELECT id, ends_at FROM issuer_cases"))}
    assert str(ends["ended"]).startswith("2025-07-01 11:59:59")  # 30 June ends last at UTC-12
    assert IssuerService(engine, {}).erase_ended(90) == 1
    engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_large_backlog_is_erased_batch_by_batch_and_a_dry_run_changes_nothing(
        database: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    from sqlalchemy import text

    from esspass.db import make_engine
    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS
    from issuer.institutions import demo_institutions
    from issuer.service import IssuerService

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}" if database == "sqlite"
                         else request.getfixturevalue("postgres_url"))  # skips without ESSPASS_TEST_POSTGRES_URL
    upgrade(engine, MIGRATIONS)
    vsaa = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=datetime.now(UTC))["lv-vsaa"]
    # Recorded when they were issued (the ended ones at the start of their period), erased today.
    clock = [datetime(2024, 12, 20, 10, tzinfo=UTC)]
    service = IssuerService(engine, {"lv-vsaa": vsaa}, clock=lambda: clock[0])
    ended: list[str] = []
    current: list[str] = []
    for n in range(7):
        clock[0] = datetime(2024, 12, 20, 10, tzinfo=UTC) if n < 5 else datetime.now(UTC)
        claims = {**(ENDED if n < 5 else CURRENT), "document_number": f"DEMO-A1-LV-81{n:02d}"}
        case = service.create_case(vsaa, "pda1", claims, actor="clerk", holder=HOLDER)
        (ended if n < 5 else current).append(case.id)
    clock[0] = datetime.now(UTC)
    # Recorded by a worker that did not know the end date column yet: one ended, one current.
    with engine.begin() as conn:
        conn.execute(text("UPDATE issuer_cases SET ends_at = NULL WHERE id IN (:a, :b)"),
                     {"a": ended[0], "b": current[0]})

    def rows() -> dict[str, tuple[Any, ...]]:
        with engine.connect() as conn:
            return {r[0]: (json.loads(r[1]) if isinstance(r[1], str) else r[1], *r[2:])
                    for r in conn.execute(text("SELECT id, claims, ends_at, erased_at FROM issuer_cases"))}

    before = rows()
    # One case per batch: a case kept (its document is current) must not stop the run from moving on.
    assert service.erase_ended(90, dry_run=True, batch=1) == 5
    assert rows() == before
    assert service.erase_ended(90, batch=3) == 5
    after = rows()
    assert all(after[c][2] is not None and after[c][0] == {} for c in ended)
    assert all(after[c][2] is None and after[c][1] is not None for c in current)  # ends_at now recorded
    assert service.erase_ended(90, batch=3) == 0


def test_the_running_issuer_deletes_expired_tokens_at_start_even_with_retention_off(
        office: tuple[Office, dict[str, str]]) -> None:
    """Tokens no one can use any more go daily whatever the retention (tokens are not personal
    data kept for the clerks; retention 0 keeps cases, not every wallet's spent token)."""
    from issuer.app import build_service
    from issuer.db import Token

    issuer, cases = office
    service = build_service(IssuerSettings(data_dir=issuer.data_dir, public_url=issuer.url))
    with service.sessions.begin() as s:
        s.add(Token(token_hash="0" * 64, case_id=cases["current"], grant_id="g" * 32,
                    expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    with issuer.start(retention_days=0):
        deadline = time.monotonic() + 10
        while True:
            with service.sessions() as s:
                if s.get(Token, "0" * 64) is None:
                    break
            assert time.monotonic() < deadline, "the issuer did not delete the expired token at start"
            time.sleep(0.05)
    service.engine.dispose()


# --- the retention period runs from the case's recording and last use too ---------------------------------


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[Any, list[datetime]]]:
    """The issuer's service over SQLite, on a clock the test moves (``clock[0]``)."""
    from esspass.db import make_engine
    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS
    from issuer.institutions import demo_institutions
    from issuer.service import IssuerService

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    clock = [datetime.now(UTC)]
    hosted = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=clock[0])
    yield IssuerService(engine, hosted, clock=lambda: clock[0]), clock
    engine.dispose()


def _erased(service: Any, case_id: str, path: str = "lv-vsaa") -> bool:
    return service.get_case(service.institution(path), case_id)["erased_at"] is not None


def test_a_document_recorded_after_it_ended_keeps_the_whole_retention_period_from_its_recording(
        service: tuple[Any, list[datetime]]) -> None:
    """An A1 issued after its period (987/2009 Art. 15), and a card typed with an expiry already
    past, are not erased at the next run: the period runs from the case's recording."""
    svc, clock = service
    today = clock[0].date().isoformat()
    vsaa, nvd = svc.institution("lv-vsaa"), svc.institution("lv-nvd")
    retroactive = svc.create_case(vsaa, "pda1", {**ENDED, "document_number": "", "date_of_issuance": today},
                                  actor="clerk:LV:VSAA", holder=HOLDER)
    card = svc.create_case(nvd, "ehic", {**DEMO_PERSONS[0].ehic, "document_number": "",
                                         "date_of_issuance": "2024-01-10", "date_of_expiry": "2025-01-31"},
                           actor="clerk:LV:NVD", holder=HOLDER)
    assert svc.erase_ended(90, dry_run=True) == 0 and svc.erase_ended(90) == 0
    assert svc.get_case(vsaa, retroactive.id)["claims"]["ending_date"] == "2025-06-30"
    clock[0] += timedelta(days=89)
    assert svc.erase_ended(90, dry_run=True) == 0 and svc.erase_ended(90) == 0
    clock[0] += timedelta(days=2)
    assert svc.erase_ended(90, dry_run=True) == 2  # the dry run counts by the same rule
    assert svc.erase_ended(90) == 2
    assert _erased(svc, retroactive.id) and _erased(svc, card.id, "lv-nvd")
    erased = svc.get_case(vsaa, retroactive.id)["events"][-1]
    assert erased["action"] == "erased" and "last recorded or used" in erased["reason"]


def test_the_retention_period_runs_again_from_a_replacement_or_approval(
        service: tuple[Any, list[datetime]]) -> None:
    svc, clock = service
    start = clock[0]
    vsaa = svc.institution("lv-vsaa")
    old = svc.create_case(vsaa, "pda1", {**ENDED, "document_number": "", "date_of_issuance": start.date().isoformat()},
                          actor="clerk:LV:VSAA", holder=HOLDER)
    clock[0] = start + timedelta(days=60)  # corrected two months later: a new case, the old one withdrawn
    new = svc.replace_case(vsaa, old.id, {**ENDED, "document_number": "", "date_of_issuance": start.date().isoformat(),
                                          "ending_date": "2025-05-31"}, actor="clerk:LV:VSAA", reason="corrected")
    clock[0] = start + timedelta(days=91)
    assert svc.erase_ended(90, dry_run=True) == 0 and svc.erase_ended(90) == 0
    assert not _erased(svc, old.id) and not _erased(svc, new.id)
    clock[0] = start + timedelta(days=151)
    assert svc.erase_ended(90) == 2


def test_an_ended_document_recorded_long_ago_and_unused_since_is_erased_as_before(
        service: tuple[Any, list[datetime]]) -> None:
    svc, clock = service
    clock[0] = datetime(2024, 12, 20, 10, tzinfo=UTC)
    case = svc.create_case(svc.institution("lv-vsaa"), "pda1", ENDED, actor="clerk:LV:VSAA", holder=HOLDER)
    clock[0] = datetime.now(UTC)
    assert svc.erase_ended(90) == 1 and _erased(svc, case.id)
    erased = svc.get_case(svc.institution("lv-vsaa"), case.id)["events"][-1]
    assert erased["reason"] == "90 days after the document ended (2025-07-01)"


@pytest.mark.parametrize(("args", "env"), [
    (["--days", "800000"], {}), (["--days", "99999999999999999999"], {}), (["--days", "٣"], {}),
    ([], {"ESSPASS_ISSUER_RETENTION_DAYS": "800000"}),
])
def test_a_retention_period_beyond_a_century_is_refused_in_one_line(tmp_path: Path, args: list[str],
                                                                     env: dict[str, str]) -> None:
    """Past a century the cut-off date is before any a calendar holds: the option or setting is named,
    exit 2, never a traceback (it was an OverflowError)."""
    done = run_cli(["--data-dir", str(tmp_path), "issuer", "erase", "--dry-run", *args],
                   env={"PATH": os.environ.get("PATH", ""), **env})
    assert done.returncode == 2, done
    assert "36500" in done.stderr and "Traceback" not in done.stderr + done.stdout
