"""Who read whose case (GDPR Art. 5(2) accountability, Art. 32(1)(b), (d); DPO review R4, defect 2).

A named clerk reading a case (the back office page, the API) is a ``viewed`` event in the case's
history, with the clerk and the time, once per clerk and case in ten minutes; a paper copy is a
``paper`` event; a search or listing of the cases is one record naming the clerk and how many cases
it showed, never the words searched for. Over real HTTP on loopback with two named clerks' tokens;
the ten-minute window on the service's clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials.demo_persons import DEMO_PERSONS
from esspass.stack import unnumbered
from esspass.testing import ServerHandle, free_port, serve
from issuer.app import create_app
from issuer.office import COOKIE
from issuer.settings import IssuerSettings

PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
#: Two named clerks of one institution (README: ``ESSPASS_ISSUER_CLERK_TOKENS``).
ANNA, PETERIS = "clerk-anna-0123456789abcdefghij", "clerk-peteris-0123456789abcdefgh"
CLERKS = {ANNA: "LV:VSAA/anna.berzina", PETERIS: "LV:VSAA/peteris.ozols"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("access-log")


@pytest.fixture(scope="module")
def issuer(data_dir: Path) -> Iterator[ServerHandle]:
    port = free_port()
    settings = IssuerSettings(data_dir=data_dir, public_url=f"http://127.0.0.1:{port}", clerk_tokens=CLERKS)
    with serve(create_app(settings), port=port) as handle:
        yield handle


def _api(issuer: ServerHandle, token: str) -> httpx.Client:
    return httpx.Client(base_url=f"{issuer.url}/lv-vsaa/api", headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def _new_case(issuer: ServerHandle) -> str:
    with _api(issuer, ANNA) as api:
        made = api.post("/cases", json={"configuration_id": "pda1", "claims": unnumbered(PERSON.pda1),
                                        "holder": HOLDER})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _views(issuer: ServerHandle, case_id: str, clerk: str) -> list[dict[str, Any]]:
    with _api(issuer, ANNA) as api:
        case = api.get(f"/cases/{case_id}").json()
    # Reads apart from the changes (an integrator's events[-1] stays the last change).
    assert all(e["action"] != "viewed" for e in case["events"])
    reads: list[dict[str, Any]] = case["reads"]
    return [e for e in reads if e["action"] == "viewed" and clerk in e["actor"]]


def test_gdpr_art_32_a_clerk_reading_a_persons_case_is_recorded_in_its_history(issuer: ServerHandle) -> None:
    """When named clerk B reads the case clerk A recorded (the API's case, as the back office page
    shows it), the case history says so, with B's name and the time (the API's ``reads``, apart from
    the ``events`` that changed the case; the page shows both)."""
    case_id = _new_case(issuer)
    with _api(issuer, PETERIS) as api:
        assert api.get(f"/cases/{case_id}").status_code == 200
    readers = _views(issuer, case_id, "peteris.ozols")
    assert len(readers) == 1, readers
    assert readers[0]["actor"] == "clerk:LV:VSAA/peteris.ozols" and readers[0]["at"]


def test_a_clerk_opening_a_case_page_is_in_its_history_and_shown_there_once_per_ten_minutes(
        issuer: ServerHandle) -> None:
    """The back office case page records the signed-in clerk's reading and lists it in the history
    table; reloading the page does not add a line per reload."""
    case_id = _new_case(issuer)
    signed = httpx.post(f"{issuer.url}/lv-vsaa/office/login", data={"token": PETERIS})
    assert signed.status_code == 303, signed.text
    with httpx.Client(base_url=f"{issuer.url}/lv-vsaa", cookies={COOKIE: signed.cookies[COOKIE]}, timeout=30,
                      headers={"Accept-Language": "en"}) as office:
        for _ in range(3):
            page = office.get(f"/office/cases/{case_id}")
            assert page.status_code == 200, page.text[:300]
    assert len(_views(issuer, case_id, "peteris.ozols")) == 1
    history = page.text.split('id="events"')[1].split("</table>")[0]
    assert re.search(r"case opened \(read\).*?clerk:LV:VSAA/peteris\.ozols", history, re.S), history


def test_reading_a_case_again_after_ten_minutes_is_recorded_again(tmp_path: Path) -> None:
    """The window spares the history a line per reload, not a later reading: the same clerk reading
    the case eleven minutes later is a second ``viewed``; another clerk meanwhile is their own."""
    from datetime import timedelta

    from esspass.db import make_engine
    from esspass.migrate import upgrade
    from issuer.app import MIGRATIONS
    from issuer.institutions import demo_institutions
    from issuer.service import VIEW_EVENT_EVERY, IssuerService

    engine = make_engine(f"sqlite:///{tmp_path / 'issuer.db'}")
    try:
        upgrade(engine, MIGRATIONS)
        clock = [datetime.now(UTC)]
        svc = IssuerService(engine, demo_institutions(tmp_path / "pki", "http://127.0.0.1:1", now=clock[0]),
                            clock=lambda: clock[0])
        vsaa = svc.institution("lv-vsaa")
        case = svc.create_case(vsaa, "pda1", unnumbered(PERSON.pda1), actor="clerk:LV:VSAA/anna", holder=HOLDER)
        for _ in range(2):
            svc.get_case(vsaa, case.id, reader="clerk:LV:VSAA/peteris")
        svc.get_case(vsaa, case.id, reader="clerk:LV:VSAA/anna")
        clock[0] += VIEW_EVENT_EVERY + timedelta(minutes=1)
        read = svc.get_case(vsaa, case.id, reader="clerk:LV:VSAA/peteris")
        events = read["events"] + read["reads"]
        # Shown back after a change (no reader): nothing recorded.
        assert svc.get_case(vsaa, case.id)["reads"] == read["reads"]
    finally:
        engine.dispose()
    assert [(e["actor"], e["action"]) for e in events] == [
        ("clerk:LV:VSAA/anna", "created"), ("clerk:LV:VSAA/peteris", "viewed"), ("clerk:LV:VSAA/anna", "viewed"),
        ("clerk:LV:VSAA/peteris", "viewed")]


def test_a_paper_copy_is_recorded_in_the_case_history_with_its_clerk(issuer: ServerHandle) -> None:
    """The paper copy hands the person's data out on paper: its clerk is in the history (``paper``)."""
    case_id = _new_case(issuer)
    with _api(issuer, PETERIS) as api:
        pdf = api.get(f"/cases/{case_id}/paper.pdf")
        assert pdf.status_code == 200, pdf.text[:300]
    with _api(issuer, ANNA) as api:
        events = api.get(f"/cases/{case_id}").json()["events"]
    assert ("clerk:LV:VSAA/peteris.ozols", "paper") in [(e["actor"], e["action"]) for e in events]


def test_a_search_is_recorded_with_its_clerk_and_without_the_words_searched_for(
        issuer: ServerHandle, data_dir: Path) -> None:
    """One record per search or listing (API search, deprecated GET, back office list): the clerk,
    the time and how many cases it showed. The words (here the person's family name and personal
    number) are personal data: in no record, so not in the database outside the case itself."""
    _new_case(issuer)
    secret_words = f"{PERSON.pid['family_name']} {PERSON.pid.get('personal_administrative_number', '')}".strip()
    with _api(issuer, PETERIS) as api:
        found = api.post("/cases/search", json={"q": secret_words})
        assert found.status_code == 200 and found.json(), found.text
        assert api.get("/cases", params={"limit": 5}).status_code == 200
    signed = httpx.post(f"{issuer.url}/lv-vsaa/office/login", data={"token": ANNA})
    with httpx.Client(base_url=f"{issuer.url}/lv-vsaa", cookies={COOKIE: signed.cookies[COOKIE]},
                      timeout=30) as office:
        assert office.get("/office/cases").status_code == 200
    from sqlalchemy import create_engine, text

    database = next(data_dir.rglob("issuer.db"))
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT actor, action, found FROM issuer_case_searches ORDER BY id")).all()
            dumped = json.dumps([list(r) for r in conn.execute(text("SELECT * FROM issuer_case_searches")).all()],
                                default=str)
    finally:
        engine.dispose()
    mine = [tuple(r) for r in rows][-3:]
    assert mine[0][:2] == ("clerk:LV:VSAA/peteris.ozols", "searched") and mine[0][2] >= 1
    assert mine[1][:2] == ("clerk:LV:VSAA/peteris.ozols", "listed")
    assert mine[2][:2] == ("clerk:LV:VSAA/anna.berzina", "listed")
    for word in secret_words.split():
        assert word not in dumped
