"""The verifier (registry, issuer, verifier on loopback) against answers made by hand: credentials
signed with the demo institutions' own keys but holding what another implementation might put in
them, or signed by an institution that may not issue them. Each test is a requirement or an attack.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from credentials import openid4vp, pda1, pid, sd_jwt_vc, status_list
from credentials.demo_persons import DEMO_PERSONS, portrait
from credentials.jose import b64url_decode, generate_key, public_jwk
from credentials.pki import DemoPki, load_demo_pki
from credentials.sd_jwt import present
from esspass.db import make_engine
from esspass.stack import Inspector, InspectorAuth, Stack, start_in_process
from esspass.testing import free_port, serve
from verifier.app import create_app as verifier_app
from verifier.settings import VerifierSettings

PERSON = DEMO_PERSONS[0]
PDA1_CLAIMS = ("personal_administrative_number", "document_number", "legislation_country", "status_confirmation",
               "starting_date", "ending_date", "employer", "issuing_country")
PID_CLAIMS = ("family_name", "given_name", "birthdate", "picture", "date_of_expiry", "personal_administrative_number")
UNREACHABLE = status_list.StatusReference(idx=1, uri="http://127.0.0.1:9/status/1")


class World:
    def __init__(self, stack: Stack, http: httpx.Client, pki: DemoPki) -> None:
        self.stack, self.http, self.pki = stack, http, pki
        self.inspector = Inspector(stack.verifier_url, http)

    def request(self, profile: str = "pda1") -> tuple[dict[str, Any], dict[str, Any]]:
        """A new inspection answered in plain direct_post: the API's answer and its Request Object."""
        request = self.inspector.request(profile, response_mode="direct_post")
        payload: dict[str, Any] = json.loads(b64url_decode(self.http.get(request["request_uri"]).text.split(".")[1]))
        return request, payload

    def forge(self, signer: str, module: Any, claims: dict[str, Any], payload: dict[str, Any],
              names: tuple[str, ...], status: status_list.StatusReference = UNREACHABLE) -> str:
        """A presentation for ``payload`` of a credential ``signer`` signed with its real key."""
        key, chain = self.pki.signers[signer]
        holder = generate_key()
        now = int(time.time())
        credential = sd_jwt_vc.issue_vc(vct=module.VCT, claims=claims, sd_paths=module.SD_PATHS,
                                        holder_jwk=public_jwk(holder), issuer_key=key, x5c=chain, iss="https://x",
                                        iat=now, nbf=now, exp=now + 86400, status=status)
        return present(credential, select=[(n,) for n in names if n in claims], holder_key=holder,
                       nonce=payload["nonce"], aud=payload["client_id"], iat=now)

    def answer(self, payload: dict[str, Any], vp_token: dict[str, list[str]]) -> httpx.Response:
        form = openid4vp.build_response_form(payload, {"vp_token": vp_token})
        with httpx.Client(timeout=20) as wallet:  # a wallet of its own: no cookie, no token
            return wallet.post(payload["response_uri"], data=form)

    def pid(self, payload: dict[str, Any], signer: str | None = None, **changes: Any) -> str:
        claims = {**pid.validate({**PERSON.pid, "picture": portrait(PERSON)}), **changes}
        return self.forge(signer or PERSON.pid_provider, pid, claims, payload, PID_CLAIMS)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("verifier-review")
    with start_in_process(data_dir) as stack, httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(stack.inspector_token)
        http.post(f"{stack.verifier_url}/login", data={"token": stack.inspector_token})
        yield World(stack, http, load_demo_pki(data_dir / "pki"))


@pytest.mark.parametrize("changes", [
    {"status_confirmation": ["01"]},
    {"status_confirmation": {"code": "01"}},
    {"ending_date": "2025-13-45"},
    {"ending_date": "31.12.2099"},
], ids=["status-as-array", "status-as-object", "month-13", "not-iso"])
def test_a_listed_institutions_odd_claim_shapes_never_break_the_verdict_page(world: World,
                                                                            changes: dict[str, Any]) -> None:
    """A PDA1 signed by a listed institution (another implementation, an old version) whose claims
    are not of the shape ours are: the verdict is computed (the dates fail document_validity), and
    the inspector's verdict page shows it, never a 500 in the middle of an inspection."""
    request, payload = world.request()
    a1 = world.forge(PERSON.pda1_issuer, pda1, {**pda1.validate(PERSON.pda1), **changes}, payload, PDA1_CLAIMS)
    assert world.answer(payload, {"pda1": [a1], "pid": [world.pid(payload)]}).status_code == 200
    page = world.http.get(f"{world.stack.verifier_url}/inspect/{request['transaction_id']}/verdict")
    assert page.status_code == 200, page.text
    assert PERSON.pid["family_name"] in page.text
    assert 'data-verdict="valid"' not in page.text


def test_the_verdict_shows_no_person_from_a_pid_of_an_institution_not_competent_to_issue_it(world: World) -> None:
    """The health insurance fund (LV:NVD, on the list for EHICs) signs a "PID" of someone else: the
    signature and chain pass, issuer_authorised fails. The verdict is invalid, and neither the page
    nor the result may show that name and photo as the person's: they were not vouched for by
    anyone allowed to say who someone is."""
    request, payload = world.request()
    a1 = world.forge(PERSON.pda1_issuer, pda1, pda1.validate(PERSON.pda1), payload, PDA1_CLAIMS)
    fake = world.pid(payload, signer="LV:NVD", family_name="Mallory", given_name="Eve")
    assert world.answer(payload, {"pda1": [a1], "pid": [fake]}).status_code == 200
    result = world.inspector.result(request)
    assert result["verdict"]["verdict"] == "invalid"
    assert "Mallory" not in json.dumps(result)
    page = world.http.get(f"{world.stack.verifier_url}/inspect/{request['transaction_id']}/verdict")
    assert page.status_code == 200 and 'data-verdict="invalid"' in page.text
    assert "Mallory" not in page.text and "data:image" not in page.text
    # The genuine A1 beside it is still shown: its institution vouched for it.
    assert "Latvia" in page.text or "LV" in page.text


def test_a_pda1_stating_another_state_than_its_signers_is_not_shown_as_the_workers(world: World) -> None:
    """The competence rule (issuer_authorised) also refuses an A1 whose issuing country is not its
    signer's: the facts it states are not shown as a document of the worker's."""
    request, payload = world.request()
    claims = {**pda1.validate(PERSON.pda1), "document_number": "FORGED-A1-0001", "issuing_country": "DE",
              "legislation_country": "DE"}
    a1 = world.forge(PERSON.pda1_issuer, pda1, claims, payload, PDA1_CLAIMS)
    assert world.answer(payload, {"pda1": [a1], "pid": [world.pid(payload)]}).status_code == 200
    result = world.inspector.result(request)
    assert result["verdict"]["verdict"] == "invalid", result
    assert "FORGED-A1-0001" not in json.dumps(result)
    assert result["verdict"]["person"]["family_name"] == PERSON.pid["family_name"]  # the genuine PID is


@pytest.mark.parametrize("uri", ["https://a..b/status/1", "https://xn--/status/1"])
def test_a_status_uri_whose_host_cannot_be_looked_up_gives_a_verdict_not_a_server_error(world: World,
                                                                                     uri: str) -> None:
    """A listed institution's credential naming a status list on a host name IDNA refuses: the
    wallet's answer is taken (200) and the status step is undetermined, never a 500 to the wallet."""
    request, payload = world.request()
    a1 = world.forge(PERSON.pda1_issuer, pda1, pda1.validate(PERSON.pda1), payload, PDA1_CLAIMS,
                     status=status_list.StatusReference(idx=1, uri=uri))
    response = world.answer(payload, {"pda1": [a1], "pid": [world.pid(payload)]})
    assert response.status_code == 200, response.text
    verdict = world.inspector.result(request)["verdict"]
    assert verdict["verdict"] == "undetermined"
    steps = {s["code"]: s["result"] for s in verdict["credentials"][0]["steps"]}
    assert steps["status"] == "not_run"


def test_personal_data_is_erased_when_its_retention_ends_even_if_nobody_uses_the_verifier(
        world: World, tmp_path: Path) -> None:
    """``retention_seconds`` after the verdict was shown the person is erased from the database, not
    only hidden from the next reader: it used to go only when someone next read that verdict or
    started another check, so a verifier left alone after the day's last inspection kept it."""
    with _own_verifier(world, tmp_path, retention_seconds=1, sweep_interval=0.2) as (inspector, database):
        request = _answered_check(world, inspector)
        page = inspector.http.get(f"{inspector.url}/inspect/{request['transaction_id']}/verdict")
        assert PERSON.pid["family_name"] in page.text
        assert _people(database) == 1  # kept for the retention time
        time.sleep(2.5)  # nothing happens at the verifier meanwhile
        assert _people(database) == 0


def test_a_verdict_read_through_the_api_is_shown_and_its_person_erased_with_no_retention(
        world: World, tmp_path: Path) -> None:
    """An inspectorate's system reading the verdict by the API has been shown it as much as the verdict
    page: with no retention (the default) that read is the only one carrying the person, who is then
    gone from the database. The API read used to leave the person stored until the request expired."""
    with _own_verifier(world, tmp_path) as (inspector, database):
        request = _answered_check(world, inspector)
        first = inspector.result(request)["verdict"]
        assert first["person"]["family_name"] == PERSON.pid["family_name"]
        assert _people(database) == 0
        again = inspector.result(request)["verdict"]
        assert "person" not in again and again["personal_data_removed"] is True
        assert again["verdict"] == first["verdict"]


def test_the_waiting_page_polls_a_status_that_neither_carries_nor_shows_the_verdict(
        world: World, tmp_path: Path) -> None:
    """The inspector's waiting page polls ``status_url`` to know when to open the verdict screen: that
    answer holds only the status, and polling it does not start the retention time, so the verdict
    screen that follows still shows the person."""
    with _own_verifier(world, tmp_path) as (inspector, database):
        request = inspector.request("pda1", response_mode="direct_post")
        status_url = f"{inspector.url}{request['status_url']}"
        assert inspector.http.get(status_url).json() == {"status": "pending"}
        _answer(world, inspector, request)
        for _ in range(3):
            assert inspector.http.get(status_url).json() == {"status": "done"}
        assert _people(database) == 1
        page = inspector.http.get(f"{inspector.url}/inspect/{request['transaction_id']}/verdict")
        assert PERSON.pid["family_name"] in page.text
        assert _people(database) == 0


@contextmanager
def _own_verifier(world: World, tmp_path: Path, **settings: Any) -> Iterator[tuple[Inspector, Path]]:
    """A verifier of its own (``settings`` over the defaults) on a database file the test can read."""
    database, port = tmp_path / "verifier.db", free_port()
    with serve(verifier_app(VerifierSettings(
            data_dir=world.stack.data_dir, registry_url=world.stack.registry_url, public_url=f"http://127.0.0.1:{port}",
            database_url=f"sqlite:///{database}", **settings)), port=port) as verifier, \
            httpx.Client(timeout=20) as http:
        http.auth = InspectorAuth(world.stack.inspector_token)
        yield Inspector(verifier.url, http), database


def _answered_check(world: World, inspector: Inspector) -> dict[str, Any]:
    """A PDA1 + PID check on ``inspector``'s verifier, answered with valid documents."""
    request = inspector.request("pda1", response_mode="direct_post")
    _answer(world, inspector, request)
    return request


def _answer(world: World, inspector: Inspector, request: dict[str, Any]) -> None:
    payload = json.loads(b64url_decode(inspector.http.get(request["request_uri"]).text.split(".")[1]))
    a1 = world.forge(PERSON.pda1_issuer, pda1, pda1.validate(PERSON.pda1), payload, PDA1_CLAIMS)
    assert world.answer(payload, {"pda1": [a1], "pid": [world.pid(payload)]}).status_code == 200


def _people(database: Path) -> int:
    """Rows of the verifier's database that still hold a person."""
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM verifier_transactions "
                                         "WHERE sealed_person IS NOT NULL")).scalar_one())
    finally:
        engine.dispose()


def test_of_two_readers_of_a_verdict_at_one_moment_with_no_retention_only_one_gets_the_person(
        world: World, tmp_path: Path) -> None:
    """With no retention the first read is the last to carry the person: readers racing for it (two
    of the inspectorate's systems, a double click) must not both get it. Starting the retention
    clock is a conditional update that only one reader wins."""
    with _own_verifier(world, tmp_path) as (inspector, database):
        request = _answered_check(world, inspector)
        with ThreadPoolExecutor(max_workers=6) as pool:
            verdicts = list(pool.map(lambda _: inspector.result(request)["verdict"], range(6)))
        assert sum("person" in v for v in verdicts) == 1
        assert _people(database) == 0


def test_a_verdict_another_replica_just_showed_never_carries_the_person_whatever_the_clocks(
        world: World, tmp_path: Path) -> None:
    """Replicas share the database, not a clock: one that showed the verdict (its clock a little ahead)
    has marked it shown and not yet erased the person when another reads it. With no retention that
    read must not carry the person: it used to, whenever the reader's clock was behind the mark."""
    with _own_verifier(world, tmp_path) as (inspector, database):
        request = _answered_check(world, inspector)
        engine = make_engine(f"sqlite:///{database}")
        try:
            with engine.begin() as conn:  # the other replica's mark, 5 s ahead of ours
                conn.execute(text("UPDATE verifier_transactions SET shown_at = :t WHERE sealed_person IS NOT NULL"),
                             {"t": time.time() + 5})
        finally:
            engine.dispose()
        verdict = inspector.result(request)["verdict"]
        assert "person" not in verdict and verdict["personal_data_removed"] is True


def test_the_verdict_screen_shows_its_own_browser_the_same_result_for_a_short_grace_then_erases_it(
        world: World, tmp_path: Path) -> None:
    """Switching the page's language or reloading the verdict screen reloads it: with no retention the
    person used to be erased by the first showing, so the second said only "personal data was
    removed". The browser session that first showed it (the inspector's sign-in) sees the same result
    for ``result_grace_seconds`` (2 minutes); nobody else does (another browser, the API), and once the
    grace is over, or that browser starts another check, the person is erased, by the sweep too."""
    from datetime import UTC, datetime, timedelta

    from esspass.stack import verifier_replica

    database = tmp_path / "grace.db"
    name = PERSON.pid["family_name"]
    with verifier_replica(world.stack, database_url=f"sqlite:///{database}") as (service, url), \
            httpx.Client(timeout=20) as browser, httpx.Client(timeout=20) as elsewhere:
        for client in (browser, elsewhere):  # two signed-in browsers of the same inspector
            assert client.post(f"{url}/login", data={"token": world.stack.inspector_token}).status_code == 303
        inspector = Inspector(url, world.http)
        request = _answered_check(world, inspector)
        verdict = f"{url}/inspect/{request['transaction_id']}/verdict"
        assert name in browser.get(verdict, params={"lang": "en"}).text
        switched = browser.get(verdict, params={"lang": "pl"}).text
        assert name in switched and 'lang="pl"' in switched
        assert name not in elsewhere.get(verdict, params={"lang": "en"}).text
        assert "person" not in inspector.result(request)["verdict"]
        service.sweep()
        assert _people(database) == 1 and name in browser.get(verdict, params={"lang": "lv"}).text

        later = datetime.now(UTC) + timedelta(seconds=service.result_grace + 1)
        service.clock = lambda: later
        service.sweep()  # the periodic round, whether or not the page is read again
        assert _people(database) == 0
        page = browser.get(verdict, params={"lang": "en"}).text
        assert name not in page and "Personal data of this check has been removed." in page

        service.clock = lambda: datetime.now(UTC)
        request = _answered_check(world, inspector)
        verdict = f"{url}/inspect/{request['transaction_id']}/verdict"
        assert name in browser.get(verdict, params={"lang": "en"}).text
        assert browser.post(f"{url}/inspect", data={"profile": "pda1"}).status_code == 303  # the next check
        assert _people(database) == 0 and name not in browser.get(verdict, params={"lang": "en"}).text


def test_starting_another_check_ends_the_grace_but_never_erases_before_the_retention_time(
        world: World, tmp_path: Path) -> None:
    """With ``retention_seconds`` set, the inspectorate keeps a shown verdict's person that long:
    starting another check in the same browser ends only that browser's grace (its extra viewing
    beyond the retention time), it does not erase the earlier person before the retention is up.
    With no retention (the default) it still erases at once (the grace test above)."""
    from datetime import UTC, datetime, timedelta

    from esspass.stack import verifier_replica

    database = tmp_path / "retained.db"
    name = PERSON.pid["family_name"]
    for retention in (300, 30):  # longer, and shorter, than the 120 s grace
        with verifier_replica(world.stack, database_url=f"sqlite:///{database}", retention_seconds=retention) as (
                service, url), httpx.Client(timeout=20) as browser:
            assert browser.post(f"{url}/login", data={"token": world.stack.inspector_token}).status_code == 303
            request = _answered_check(world, Inspector(url, world.http))
            verdict = f"{url}/inspect/{request['transaction_id']}/verdict"
            assert name in browser.get(verdict, params={"lang": "en"}).text
            assert browser.post(f"{url}/inspect", data={"profile": "pda1"}).status_code == 303  # the next check
            assert _people(database) == 1 and name in browser.get(verdict, params={"lang": "en"}).text
            shown = datetime.now(UTC)
            clock = {"now": shown + timedelta(seconds=retention - 5)}
            service.clock = lambda: clock["now"]  # noqa: B023 - this round's clock
            service.sweep()
            assert _people(database) == 1, retention  # within the retention time, grace or none
            clock["now"] = shown + timedelta(seconds=retention + 1)
            service.sweep()
            assert _people(database) == 0, retention  # not kept for the grace: it was ended
        database.unlink()


def _offline_code(world: World) -> str:
    """An offline code of the person's A1, as the wallet shows it (its status list out of reach)."""
    from datetime import UTC, datetime

    from credentials import compact
    from credentials.x509 import spki_kid

    key, chain = world.pki.signers[PERSON.pda1_issuer]
    phone, now = generate_key(), int(time.time())
    holder = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
    raw = compact.issue_compact(vct=pda1.VCT, claims=pda1.validate(PERSON.pda1), holder=holder,
                                holder_jwk=public_jwk(phone), issuer_key=key, kid=spki_kid(chain[0]), iat=now - 60,
                                exp=now + 86400, status=UNREACHABLE)
    return compact.present_compact(raw, phone, now=datetime.now(UTC))


@pytest.mark.parametrize("retention", [0, 60])
def test_an_offline_check_answered_through_the_api_keeps_its_person_no_longer_than_the_retention(
        world: World, tmp_path: Path, retention: int) -> None:
    """``/api/offline/verify`` hands the caller the person in its answer: the verdict is shown then.
    With no retention the person is not kept at all; with one, it is erased once that time is up.
    It used to stay stored, never marked shown, until the inspection was deleted (15 minutes)."""
    from datetime import UTC, datetime, timedelta

    from esspass.stack import verifier_replica

    database = tmp_path / "offline.db"
    with verifier_replica(world.stack, database_url=f"sqlite:///{database}", retention_seconds=retention) as (
            service, url):
        answer = world.http.post(f"{url}/api/offline/verify", json={"qr": _offline_code(world)}).json()
        assert answer["person"]["family_name"] == PERSON.pid["family_name"]
        assert _people(database) == (1 if retention else 0)
        later = datetime.now(UTC) + timedelta(seconds=retention + 1)
        service.clock = lambda: later
        service.sweep()
        assert _people(database) == 0


def test_an_offline_scan_whose_verdict_page_is_never_opened_has_its_person_erased_soon(
        world: World, tmp_path: Path) -> None:
    """The offline page scans the code and sends the browser on to the verdict screen, which shows it
    (and starts the retention clock). If that redirect is never followed (the tab closed, the network
    gone), the person is erased by the sweep a minute later all the same, as if shown then; opened
    after that, the verdict says its personal data was removed."""
    from datetime import UTC, datetime, timedelta

    from esspass.stack import verifier_replica

    database = tmp_path / "offline-page.db"
    with verifier_replica(world.stack, database_url=f"sqlite:///{database}") as (service, url), \
            httpx.Client(timeout=20) as browser:
        assert browser.post(f"{url}/login", data={"token": world.stack.inspector_token}).status_code == 303
        scanned = browser.post(f"{url}/offline", data={"qr": _offline_code(world)})
        assert scanned.status_code == 303
        service.sweep()
        assert _people(database) == 1  # the browser is on its way to the verdict screen
        later = datetime.now(UTC) + timedelta(seconds=61)
        service.clock = lambda: later
        service.sweep()
        assert _people(database) == 0
        page = browser.get(f"{url}{scanned.headers['location']}").text
        assert PERSON.pid["family_name"] not in page and "Personal data of this check has been removed." in page
