"""Data protection in the issuer, fourth review (/tmp/review-privacy/REPORT.md, findings 1-3).

* Storage limitation (GDPR Art. 5(1)(e), Art. 17): once a case is erased, no copy of its claims,
  holder or search text can be read from the issuer's SQLite files, whoever erased it (the running
  service at start or daily, ``esspass issuer erase`` beside it) and whenever it was recorded; a
  reader that keeps the write-ahead log from being emptied is logged without personal data and the
  next erasure empties it.
* A case that never was a document (refused by the second clerk, or withdrawn before anything was
  issued, offered or printed from it) is erased once the retention period has passed since its
  refusal or withdrawal, not since the end of the period the document would have covered; a
  withdrawn case from which something was issued keeps the period of its document, so that its
  status list shows the withdrawal as long as its credentials live. Cases refused or withdrawn
  before the upgrade are counted the same way (migration 0017).
* Personal numbers and names stay out of URLs (GDPR Art. 5(1)(f), Art. 25): the back office API
  searches by ``POST /{institution}/api/cases/search`` with the query in its JSON body; the query
  in ``GET /{institution}/api/cases?q=`` still answers, deprecated.

Over real HTTP on loopback, and on the service over SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select, update
from test_issuer_retention import ENDED, Office, _recorded_on

from credentials import status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.jose import decode_jws, generate_key, public_jwk, sign_jws
from credentials.pki import issue_document_signer, load_demo_pki
from esspass.db import make_engine
from esspass.migrate import upgrade
from issuer.app import MIGRATIONS
from issuer.db import Case, utc
from issuer.institutions import demo_institutions, require_approval
from issuer.service import Institution, IssuerService

PERSON = DEMO_PERSONS[0]
HOLDER = {"family_name": "Bērziņš", "given_name": "Jānis", "birthdate": "1988-04-12"}
#: Markers typed into the erased case only, so that finding them anywhere on disk can only mean a copy of it.
SECRET_PAN = "ZZPAN-7777-SECRET"
SECRET_NAME = "Qxwvutzkowska"
SECRETS = (SECRET_PAN.encode(), SECRET_NAME.encode(), SECRET_NAME.lower().encode())
ANNA, JANIS = "clerk:LV:VSAA/anna.berzina", "clerk:LV:VSAA/janis.ozols"
PRE = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
#: Today, to the second (a database keeps microseconds; these compare exactly).
NOW = datetime.now(UTC).replace(microsecond=0)
#: The demo PKI is made before the earliest moment these tests sign at: a signer is used only while
#: its certificate is valid (issuer.signers.can_sign), and these cases are recorded months before NOW.
PKI_MADE = NOW - timedelta(days=400)


def _files_holding(directory: Path, pattern: str, *needles: bytes) -> dict[str, list[bytes]]:
    """The files of ``directory`` matching ``pattern`` in which any of ``needles`` can be read."""
    found: dict[str, list[bytes]] = {}
    for f in sorted(directory.glob(pattern)):
        if f.is_file():
            data = f.read_bytes()
            hits = [n for n in needles if n in data]
            if hits:
                found[f.name] = hits
    return found


def _secret_case(http: httpx.Client) -> str:
    """A PDA1 that ended long ago, of a person known by the markers only: its id."""
    created = http.post("/cases", json={"configuration_id": "pda1",
                                        "claims": {**ENDED, "personal_administrative_number": SECRET_PAN},
                                        "holder": {**HOLDER, "family_name": SECRET_NAME}})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _clerks_go_on_working(http: httpx.Client) -> None:
    """A few cases recorded after the erasure, as on any day the issuer erases."""
    for n in range(3):
        made = http.post("/cases", json={"configuration_id": "pda1",
                                         "claims": {**PERSON.pda1, "document_number": f"DEMO-A1-LV-77{n:02d}"},
                                         "holder": PERSON.holder})
        assert made.status_code == 201, made.text


# --- finding 1: an erasure leaves no copy in the SQLite files --------------------------------------------


def test_erased_case_personal_data_leaves_no_copy_in_the_issuer_database_files(tmp_path: Path) -> None:
    """The running issuer erases at start (and daily): the write-ahead log then held the pages as they
    were before, and the database file the page as it was until the next checkpoint."""
    office = Office(tmp_path)
    with office.start(), office.http() as http:
        case_id = _secret_case(http)
    _recorded_on(tmp_path, case_id, datetime(2024, 12, 20, 10, tzinfo=UTC))  # its retention period has passed
    with office.start(retention_days=90), office.http() as http:  # the running issuer erases it at start
        deadline = time.monotonic() + 15
        while http.get(f"/cases/{case_id}").json()["erased_at"] is None:
            assert time.monotonic() < deadline, "the issuer did not erase the ended case"
            time.sleep(0.1)
        assert http.get(f"/cases/{case_id}").json()["claims"] == {}
        _clerks_go_on_working(http)
        left = _files_holding(tmp_path, "issuer.db*", *SECRETS)
    assert left == {}, f"the erased person is still on disk: {left}"


def test_a_case_erased_by_the_erase_command_beside_the_running_issuer_that_recorded_it_leaves_no_copy(
        tmp_path: Path) -> None:
    """Recorded in this run of the issuer, its pages are frames of the write-ahead log the running
    issuer writes to; ``esspass issuer erase`` erases it meanwhile from another process."""
    office = Office(tmp_path)
    with office.start(), office.http() as http:
        case_id = _secret_case(http)
        _recorded_on(tmp_path, case_id, datetime(2024, 12, 20, 10, tzinfo=UTC))
        assert "1 cases were erased" in office.erase()
        assert http.get(f"/cases/{case_id}").json()["claims"] == {}
        _clerks_go_on_working(http)
        left = _files_holding(tmp_path, "issuer.db*", *SECRETS)
    assert left == {}, f"the erased person is still on disk: {left}"


def _sqlite_service(tmp_path: Path, clock: list[datetime]) -> tuple[IssuerService, Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    upgrade(engine, MIGRATIONS)
    hosted = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=PKI_MADE)
    return IssuerService(engine, hosted, clock=lambda: clock[0]), engine


def _record_secret_case(service: IssuerService) -> str:
    case = service.create_case(service.institution("lv-vsaa"), "pda1",
                               {**ENDED, "personal_administrative_number": SECRET_PAN},
                               actor="clerk:LV:VSAA", holder={**HOLDER, "family_name": SECRET_NAME})
    return case.id


def test_a_case_recorded_and_erased_by_one_service_leaves_no_copy_in_the_database_files(tmp_path: Path) -> None:
    """One service, one engine, its connections open all along: the frames that recorded the case
    are still in the write-ahead log when the same process erases it."""
    clock = [datetime(2024, 12, 20, 10, tzinfo=UTC)]
    service, engine = _sqlite_service(tmp_path, clock)
    try:
        case_id = _record_secret_case(service)
        assert _files_holding(tmp_path, "issuer.db*", *SECRETS), "the case was not written where the test looks"
        clock[0] = NOW
        assert service.erase_ended(90, dry_run=True) == 1
        assert _files_holding(tmp_path, "issuer.db*", *SECRETS)  # a dry run changes nothing
        assert service.erase_ended(90) == 1
        assert service.get_case(service.institution("lv-vsaa"), case_id)["claims"] == {}
        assert _files_holding(tmp_path, "issuer.db*", *SECRETS) == {}
    finally:
        engine.dispose()


def test_an_erasure_a_reader_keeps_in_the_log_is_logged_without_personal_data_and_released_by_the_next_run(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A reader holding a snapshot from before the erasure (a backup, a long query) keeps the log from
    being emptied: the erasure stands, the warning names no one, and the next run empties the log
    although it erases nothing itself."""
    clock = [datetime(2024, 12, 20, 10, tzinfo=UTC)]
    service, engine = _sqlite_service(tmp_path, clock)
    reader = sqlite3.connect(tmp_path / "issuer.db", isolation_level=None)
    try:
        _record_secret_case(service)
        clock[0] = NOW
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM issuer_cases").fetchone() == (1,)  # its snapshot, held
        with caplog.at_level(logging.WARNING, logger="esspass.issuer"):
            assert service.erase_ended(90) == 1
        warned = [r for r in caplog.records if getattr(r, "event", None) == "erasure_unreleased"]
        assert len(warned) == 1 and warned[0].levelno == logging.WARNING
        said = warned[0].getMessage() + json.dumps([str(a) for a in (warned[0].args or ())])
        assert not any(secret.decode() in said for secret in SECRETS) and "Bērziņš" not in said
        assert _files_holding(tmp_path, "issuer.db*", *SECRETS), "the reader did not hold the log: nothing tested"
        reader.execute("ROLLBACK")
        assert service.erase_ended(90) == 0  # nothing more to erase; the log is emptied all the same
        assert _files_holding(tmp_path, "issuer.db*", *SECRETS) == {}
    finally:
        reader.close()
        engine.dispose()


# --- finding 2: a case that never was a document is kept from its refusal or withdrawal ----------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """The issuer's database, migrated; PostgreSQL skips without ``ESSPASS_TEST_POSTGRES_URL``."""
    made = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}" if request.param == "sqlite"
                       else request.getfixturevalue("postgres_url"))
    yield made
    made.dispose()


def _hosted(tmp_path: Path) -> dict[str, Institution]:
    """The demo institutions, LV:VSAA approving each case by a second clerk (four-eyes)."""
    return require_approval(demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=PKI_MADE), ["LV:VSAA"])


def _a1_of_24_months(recorded: datetime) -> dict[str, Any]:
    """An A1 recorded at ``recorded`` whose posting began a little before and lasts 24 months."""
    start = (recorded - timedelta(days=10)).date().replace(day=1)
    return {**PERSON.pda1, "document_number": "", "date_of_issuance": (recorded - timedelta(days=5)).date().isoformat(),
            "starting_date": start.isoformat(),
            "ending_date": (start.replace(year=start.year + 2) - timedelta(days=1)).isoformat()}


def _ehic_for_5_years(recorded: datetime) -> dict[str, Any]:
    issued = recorded.date()
    return {**PERSON.ehic, "document_number": "", "date_of_issuance": issued.isoformat(),
            "date_of_expiry": issued.replace(year=issued.year + 5).isoformat()}


def _erased(service: IssuerService, path: str, case_id: str) -> bool:
    case = service.get_case(service.institution(path), case_id)
    if case["erased_at"] is None:
        return False
    assert case["claims"] == {} and case["holder"] is None
    return True


def test_a_refused_case_is_erased_after_the_retention_period_counted_from_its_refusal(
        engine: Engine, tmp_path: Path) -> None:
    """A second clerk refused it (the wrong person, the wrong data): nothing was ever signed,
    offered or shown, yet the period of the A1 it would have been (24 months) kept the person."""
    upgrade(engine, MIGRATIONS)
    hosted = _hosted(tmp_path)
    vsaa = hosted["lv-vsaa"]
    clock = [NOW - timedelta(days=200)]
    service = IssuerService(engine, hosted, clock=lambda: clock[0])
    case = service.create_case(vsaa, "pda1", _a1_of_24_months(clock[0]), actor=ANNA, holder=HOLDER)
    service.refuse_case(vsaa, case.id, actor=JANIS, reason="wrong person")
    clock[0] += timedelta(days=89)  # the clerks still have it, to see what was refused and why
    assert service.erase_ended(90) == 0 and not _erased(service, "lv-vsaa", case.id)
    clock[0] = NOW  # 200 days after the refusal
    assert service.erase_ended(90) == 1 and _erased(service, "lv-vsaa", case.id)
    erased = service.get_case(vsaa, case.id)["events"][-1]
    assert erased["action"] == "erased" and "refused" in erased["reason"]


def test_a_case_withdrawn_before_anything_was_issued_is_erased_after_the_retention_period_counted_from_its_withdrawal(
        engine: Engine, tmp_path: Path) -> None:
    """Withdrawn before an offer, a paper copy or a credential was made from it: no document ever
    existed. The period counts from the withdrawal, so the clerks keep the whole of it."""
    upgrade(engine, MIGRATIONS)
    hosted = _hosted(tmp_path)
    nvd = hosted["lv-nvd"]
    clock = [NOW - timedelta(days=200)]
    service = IssuerService(engine, hosted, clock=lambda: clock[0])
    card = service.create_case(nvd, "ehic", _ehic_for_5_years(clock[0]), actor="clerk:LV:NVD", holder=HOLDER)
    clock[0] = NOW - timedelta(days=120)
    service.set_state(nvd, card.id, "revoked", reason="recorded for the wrong person", actor="clerk:LV:NVD")
    clock[0] += timedelta(days=89)
    assert service.erase_ended(90) == 0 and not _erased(service, "lv-nvd", card.id)
    clock[0] = NOW  # 120 days after the withdrawal
    assert service.erase_ended(90) == 1 and _erased(service, "lv-nvd", card.id)
    erased = service.get_case(nvd, card.id)["events"][-1]
    assert "withdrawn" in erased["reason"] and "nothing" in erased["reason"]


def _issue_credential(service: IssuerService, inst: Institution, case_id: str, now: datetime) -> None:
    """The worker's wallet takes the offer and gets the A1 (pre-authorized code, one key proof)."""
    offer = service.create_offer(inst, case_id, actor="clerk:LV:VSAA")
    code = service.offer_json(inst, offer.offer_id)["grants"][PRE]["pre-authorized_code"]
    token = service.token(inst, {"grant_type": PRE, "pre-authorized_code": code, "tx_code": offer.tx_code})
    key = generate_key()
    proof = sign_jws({"typ": "openid4vci-proof+jwt", "jwk": public_jwk(key)},
                     {"aud": inst.issuer_url, "iat": int(now.timestamp()),
                      "nonce": service.nonces.c_nonce(inst.issuer_url)}, key)
    issued = service.credential(inst, "Bearer " + token["access_token"],
                                {"credential_configuration_id": "pda1", "proofs": {"jwt": [proof]}})
    assert issued["credentials"], issued


def _renewed(inst: Institution, tmp_path: Path, now: datetime) -> Institution:
    """``inst`` with a new document signer certificate from its demo CA, valid at ``now``."""
    ca_key, ca_cert = load_demo_pki(tmp_path / "pki").cas[inst.entity.id]
    key, cert = issue_document_signer(inst.entity, ca_key, ca_cert, now=now)
    return replace(inst, key=key, x5c=[cert])


def _listed_status(service: IssuerService, inst: Institution, case_id: str) -> list[int]:
    """The status of each credential of the case, as its status list token says it now."""
    out = []
    for record in service.get_case(inst, case_id)["credential_records"]:
        token = service.status.token(inst, record["status_list"]).token
        assert isinstance(token, str)  # the JWT form
        payload = decode_jws(token).payload
        listed = status_list.StatusList.from_lst(payload["status_list"]["lst"], payload["status_list"]["bits"])
        out.append(listed.get(record["idx"]))
    return out


def test_a_withdrawn_case_from_which_a_credential_was_issued_is_kept_while_its_credentials_live(
        engine: Engine, tmp_path: Path) -> None:
    """The wallet holds the A1: the case keeps the period of its document (and of its credentials),
    and the status list shows the withdrawal meanwhile, as before."""
    upgrade(engine, MIGRATIONS)
    clock = [NOW - timedelta(days=200)]
    # Made the day before it signs: its certificate (2 years) outlives the A1, whose end the copy has.
    hosted = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=clock[0] - timedelta(days=1))
    vsaa = hosted["lv-vsaa"]
    service = IssuerService(engine, hosted, clock=lambda: clock[0])
    case = service.create_case(vsaa, "pda1", _a1_of_24_months(clock[0]), actor="clerk:LV:VSAA", holder=HOLDER)
    _issue_credential(service, vsaa, case.id, clock[0])
    clock[0] += timedelta(days=1)
    service.set_state(vsaa, case.id, "revoked", reason="posting cancelled", actor="clerk:LV:VSAA")
    clock[0] = NOW  # 199 days after the withdrawal
    assert service.erase_ended(90) == 0 and not _erased(service, "lv-vsaa", case.id)
    assert _listed_status(service, vsaa, case.id) == [status_list.INVALID]
    with service.sessions() as s:
        ends = s.scalar(select(Case.ends_at).where(Case.id == case.id))
    assert ends is not None and utc(ends) > NOW + timedelta(days=300)  # the A1's period, not the withdrawal
    expires = max(datetime.fromisoformat(c["expires_at"])
                  for c in service.get_case(vsaa, case.id)["credential_records"])
    clock[0] = expires + timedelta(days=89)
    assert service.erase_ended(90) == 0
    clock[0] = expires + timedelta(days=91)
    assert service.erase_ended(90) == 1 and _erased(service, "lv-vsaa", case.id)
    # The copies ended with their signer certificate: the list is signed now by its renewed one.
    assert _listed_status(service, _renewed(vsaa, tmp_path, clock[0]), case.id) == [status_list.INVALID]


def test_a_withdrawn_case_that_was_offered_or_printed_keeps_the_period_of_its_document(
        engine: Engine, tmp_path: Path) -> None:
    """An offer handed to the worker, a paper copy printed: something of it left the institution."""
    upgrade(engine, MIGRATIONS)
    hosted = demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=PKI_MADE)
    vsaa = hosted["lv-vsaa"]
    clock = [NOW - timedelta(days=200)]
    service = IssuerService(engine, hosted, clock=lambda: clock[0])
    offered = service.create_case(vsaa, "pda1", _a1_of_24_months(clock[0]), actor="clerk:LV:VSAA", holder=HOLDER)
    printed = service.create_case(vsaa, "pda1", _a1_of_24_months(clock[0]), actor="clerk:LV:VSAA", holder=HOLDER)
    service.create_offer(vsaa, offered.id, actor="clerk:LV:VSAA")
    service.paper(vsaa, printed.id, actor="clerk:LV:VSAA")
    for case in (offered, printed):
        service.set_state(vsaa, case.id, "revoked", reason="posting cancelled", actor="clerk:LV:VSAA")
    clock[0] = NOW
    assert service.erase_ended(90) == 0
    assert not _erased(service, "lv-vsaa", offered.id) and not _erased(service, "lv-vsaa", printed.id)
    assert _listed_status(service, vsaa, printed.id) == [status_list.INVALID]  # the paper copy's entry


def test_cases_refused_or_withdrawn_unused_before_the_upgrade_are_counted_from_their_refusal_or_withdrawal(
        engine: Engine, tmp_path: Path) -> None:
    """Migration 0017: the cases a release before it refused or withdrew, nothing issued, offered or
    printed from them, end at their refusal or withdrawal too; the others keep their end. The cases are
    recorded by this release, then the schema taken back to 0016, as the earlier release left it."""
    upgrade(engine, MIGRATIONS)
    hosted = _hosted(tmp_path)
    vsaa, nvd = hosted["lv-vsaa"], hosted["lv-nvd"]
    recorded, refused_at, withdrawn_at = NOW - timedelta(days=300), NOW - timedelta(days=250), NOW - timedelta(days=240)
    clock = [recorded]
    service = IssuerService(engine, hosted, clock=lambda: clock[0])
    refused = service.create_case(vsaa, "pda1", _a1_of_24_months(recorded), actor=ANNA, holder=HOLDER)
    unused = service.create_case(nvd, "ehic", _ehic_for_5_years(recorded), actor="clerk:LV:NVD", holder=HOLDER)
    printed = service.create_case(nvd, "ehic", _ehic_for_5_years(recorded), actor="clerk:LV:NVD", holder=HOLDER)
    erased = service.create_case(nvd, "ehic", _ehic_for_5_years(recorded), actor="clerk:LV:NVD", holder=HOLDER)
    service.paper(nvd, printed.id, actor="clerk:LV:NVD")
    clock[0] = refused_at
    service.refuse_case(vsaa, refused.id, actor=JANIS, reason="wrong person")
    clock[0] = withdrawn_at
    for case in (unused, printed, erased):
        service.set_state(nvd, case.id, "revoked", reason="recorded in error", actor="clerk:LV:NVD")
    ids = [refused.id, unused.id, printed.id, erased.id]
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0016")
    with engine.begin() as conn:  # as a release before 0017 left them: each ending with its document
        for case in (refused, unused, printed, erased):
            conn.execute(update(Case).where(Case.id == case.id).values(ends_at=case.ends_at))
        # One already erased (as if by an earlier rule): the upgrade leaves it as it is.
        conn.execute(update(Case).where(Case.id == erased.id).values(
            claims={}, holder=None, search=None, erased_at=withdrawn_at + timedelta(days=91)))

    def ends() -> dict[str, datetime | None]:
        with service.sessions() as s:
            return {i: (utc(e) if e is not None else None)
                    for i, e in s.execute(select(Case.id, Case.ends_at).where(Case.id.in_(ids)))}

    before = ends()
    upgrade(engine, MIGRATIONS)
    after = ends()
    assert after[refused.id] == refused_at and after[unused.id] == withdrawn_at
    assert after[printed.id] == before[printed.id] and after[erased.id] == before[erased.id]
    clock[0] = NOW
    assert service.erase_ended(90) == 2
    assert _erased(service, "lv-vsaa", refused.id) and _erased(service, "lv-nvd", unused.id)
    assert not _erased(service, "lv-nvd", printed.id)


# --- finding 3: the API's case search keeps the query out of the URL -------------------------------------------


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Office, httpx.Client]]:
    """The issuer with three of LV:VSAA's cases, two of one person, and the clerks' API client."""
    office = Office(tmp_path_factory.mktemp("api-search"))
    with office.start(), office.http() as http:
        for number, pan in (("DEMO-A1-LV-6601", SECRET_PAN), ("DEMO-A1-LV-6602", SECRET_PAN),
                            ("DEMO-A1-LV-6603", "DEMO-010101-00000")):
            made = http.post("/cases", json={"configuration_id": "pda1", "holder": HOLDER, "claims": {
                **PERSON.pda1, "document_number": number, "personal_administrative_number": pan}})
            assert made.status_code == 201, made.text
        yield office, http


def test_the_case_search_api_takes_the_query_in_a_posted_body_and_answers_as_the_case_list(
        searched: tuple[Office, httpx.Client]) -> None:
    office, http = searched
    queries: list[dict[str, str | int]] = [{"q": SECRET_PAN}, {"q": "6603"}, {}, {"approval": "refused"},
                                           {"q": SECRET_PAN, "limit": 1, "offset": 1}]
    for query in queries:  # the body posted, as the URL's query of the list
        posted = http.post("/cases/search", json=query)
        assert posted.status_code == 200, posted.text
        assert posted.headers["cache-control"] == "no-store" and "deprecation" not in posted.headers
        assert posted.json() == http.get("/cases", params=query).json(), query
    assert [c["label"] for c in http.post("/cases/search", json={"q": SECRET_PAN}).json()] == [
        "DEMO-A1-LV-6602", "DEMO-A1-LV-6601"]
    anonymous = httpx.post(f"{office.url}/lv-vsaa/api/cases/search", json={"q": SECRET_PAN})
    assert (anonymous.status_code, anonymous.json()["error"]) == (401, "invalid_token")  # a clerk's only


@pytest.mark.parametrize("body", [
    {"q": "x" * 301}, {"q": 7}, {"q": None}, {"q": ["a"]}, {"approval": "x" * 21}, {"approval": "maybe"},
    {"limit": 0}, {"limit": 1001}, {"limit": "5"}, {"limit": 1.5}, {"limit": True}, {"offset": -1},
    {"offset": 2**31}, {"query": SECRET_PAN}, [SECRET_PAN], SECRET_PAN, None])
def test_the_case_search_api_refuses_a_bad_body_with_invalid_request_never_quoting_it(
        searched: tuple[Office, httpx.Client], body: Any) -> None:
    _office, http = searched
    answer = http.post("/cases/search", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_request" and SECRET_PAN not in answer.text


def test_the_case_search_api_refuses_a_body_that_is_not_json(searched: tuple[Office, httpx.Client]) -> None:
    _office, http = searched
    for content, media_type in ((b"q=" + SECRET_PAN.encode(), "application/x-www-form-urlencoded"),
                                (b"{", "application/json"), (b"", "application/json")):
        answer = http.post("/cases/search", content=content, headers={"Content-Type": media_type})
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request"), content
        assert SECRET_PAN not in answer.text


@pytest.mark.parametrize("params", [{"limit": "-1"}, {"limit": "0"}, {"limit": "1001"}, {"offset": "-1"},
                                    {"offset": str(2**31)}])
def test_the_deprecated_case_list_keeps_to_the_searchs_limits(searched: tuple[Office, httpx.Client],
                                                               params: dict[str, str]) -> None:
    """``limit`` 1 to 1000 and ``offset`` within a database integer, as the search takes them: a
    negative limit listed every case of the institution in one answer."""
    _office, http = searched
    answer = http.get("/cases", params=params)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request"), answer.text


def test_the_case_list_with_q_in_its_url_still_answers_deprecated_naming_its_successor(
        searched: tuple[Office, httpx.Client]) -> None:
    """Existing integrators go on working; each answer that used ``q`` says it is deprecated and
    where the search went (the ``Deprecation`` header, the ``successor-version`` link relation)."""
    office, http = searched
    used = http.get("/cases", params={"q": SECRET_PAN})
    assert used.status_code == 200 and len(used.json()) == 2
    assert used.headers["deprecation"] == "true"
    assert used.headers["link"] == '</lv-vsaa/api/cases/search>; rel="successor-version"'
    plain = http.get("/cases", params={"approval": "awaiting"})
    assert plain.status_code == 200 and "deprecation" not in plain.headers and "link" not in plain.headers
    schema = httpx.get(f"{office.url}/openapi.json").json()
    listing = schema["paths"]["/{path}/api/cases"]["get"]
    assert listing["deprecated"] is True
    assert [p.get("deprecated") for p in listing["parameters"] if p["name"] == "q"] == [True]
    search = schema["paths"]["/{path}/api/cases/search"]["post"]
    assert not search.get("deprecated") and "requestBody" in search
