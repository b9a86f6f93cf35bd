"""Issue #4 atomicity: an index is never given twice, also with two worker processes on PostgreSQL.

Two real OS processes issue credentials concurrently through the same database (small status
lists, so that indexes collide and lists roll over); afterwards every (list, index) is unique and
every credential that reached a "wallet" has its committed record.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from esspass.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("ESSPASS_TEST_POSTGRES_URL")
PER_WORKER = 40
PRE = "urn:ietf:params:oauth:grant-type:pre-authorized_code"

WORKER = r"""
import sys, time
from pathlib import Path
from credentials.demo_persons import DEMO_PERSONS
from credentials.jose import generate_key, public_jwk, sign_jws
from credentials.sd_jwt import parse
from esspass.stack import unnumbered
from issuer.app import build_service
from issuer.settings import IssuerSettings

data_dir, url, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
# Index allocation under concurrency is the subject here, not client authentication.
service = build_service(IssuerSettings(data_dir=data_dir, database_url=url, status_list_size=64,
                                       public_url="http://127.0.0.1:1", wallet_attestation="off"))
inst = service.institution("lv-vsaa")
delivered = 0
for _ in range(count):
    case = service.create_case(inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor="worker",
                               holder=DEMO_PERSONS[0].holder)
    offer = service.create_offer(inst, case.id, actor="worker")
    code = service.offer_json(inst, offer.offer_id)["grants"][
        "urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
    token = service.token(inst, {"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                                 "pre-authorized_code": code, "tx_code": offer.tx_code})["access_token"]
    nonce = service.nonces.c_nonce(inst.issuer_url)
    keys = [generate_key() for _ in range(2)]
    proofs = [sign_jws({"typ": "openid4vci-proof+jwt", "jwk": public_jwk(k)},
                       {"aud": inst.issuer_url, "iat": int(time.time()), "nonce": nonce}, k) for k in keys]
    body = service.credential(inst, "Bearer " + token, {"credential_configuration_id": "pda1",
                                                        "proofs": {"jwt": proofs}})
    for item in body["credentials"]:
        status = parse(item["credential"]).issuer_jws.payload["status"]["status_list"]
        print(status["uri"].rsplit("/", 1)[1], status["idx"], flush=True)
        delivered += 1
print("delivered", delivered, flush=True)
"""


def _drop_issuer_tables(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in inspect(conn).get_table_names():
            if table.startswith("issuer_") or table == "alembic_version_issuer":
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


def _run_two_workers(data_dir: Path, url: str) -> None:
    # Migrate and create the PKI once, so that the workers race on issuance, not on setup.
    subprocess.run([sys.executable, "-c", WORKER, str(data_dir), url, "0"], cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(data_dir), url, str(PER_WORKER)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    delivered: list[tuple[int, int]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        lines = out.strip().splitlines()
        assert lines[-1] == f"delivered {PER_WORKER * 2}"
        delivered += [(int(a), int(b)) for a, b in (line.split() for line in lines[:-1])]
    assert len(delivered) == 2 * 2 * PER_WORKER
    assert len(set(delivered)) == len(delivered), "a status list index was handed out twice"
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT l.number, c.idx FROM issuer_credentials c JOIN issuer_status_lists l ON l.id = c.list_id")).all()
    engine.dispose()
    recorded = {(int(n), int(i)) for n, i in rows}
    assert set(delivered) <= recorded, "a credential reached a wallet without its committed record"
    assert len({n for n, _ in delivered}) > 1, "the small lists should have rolled over"


def test_two_workers_on_sqlite_never_share_an_index(tmp_path: Path) -> None:
    _run_two_workers(tmp_path, f"sqlite:///{tmp_path / 'issuer.db'}")


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_share_an_index(tmp_path: Path) -> None:
    if not PG_URL:
        pytest.skip("ESSPASS_TEST_POSTGRES_URL is not set")
    _drop_issuer_tables(PG_URL)
    try:
        _run_two_workers(tmp_path, PG_URL)
    finally:
        _drop_issuer_tables(PG_URL)


def _replace_at_once(service: Any, inst: Any, case_id: str, claims: dict[str, Any]) -> list[str]:
    """Two clerks replace one case at the same moment: what each of them got."""
    from credentials.errors import ProtocolError

    start = threading.Barrier(2)
    outcomes: list[str] = []

    def replace(clerk: str) -> None:
        start.wait()
        try:
            service.replace_case(inst, case_id, claims, actor=clerk, reason="extended")
            outcomes.append("replaced")
        except ProtocolError as exc:
            outcomes.append(str(exc.http_status))

    threads = [threading.Thread(target=replace, args=(clerk,)) for clerk in ("clerk-a", "clerk-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture(params=["sqlite", "postgresql"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """An issuer on SQLite (which ignores FOR UPDATE, so transactions take the write lock at BEGIN)
    and on PostgreSQL (row locks) when configured."""
    from issuer.app import build_service
    from issuer.settings import IssuerSettings

    url = (f"sqlite:///{tmp_path / 'issuer.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))  # skips without ESSPASS_TEST_POSTGRES_URL
    service = build_service(IssuerSettings(data_dir=tmp_path, database_url=url, public_url="http://127.0.0.1:1",
                                           wallet_attestation="off"))
    try:
        yield service
    finally:
        service.engine.dispose()


def _at_once(*actions: Callable[[], object]) -> list[object]:
    """Run ``actions`` in threads released together; each one's result or its OAuth error code."""
    from credentials.errors import ProtocolError

    start = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)
    unexpected: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            outcomes[n] = actions[n]()
        except ProtocolError as exc:
            outcomes[n] = exc.error
        except Exception as exc:  # noqa: BLE001 - reported to the test below, never swallowed
            unexpected.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not unexpected, unexpected
    return outcomes


def _offer(service: Any, inst: Any, number: int) -> tuple[Any, Any, str]:
    from credentials.demo_persons import DEMO_PERSONS

    claims = {**DEMO_PERSONS[0].pda1, "document_number": f"DEMO-A1-LV-96{number:02d}"}
    case = service.create_case(inst, "pda1", claims, actor="clerk", holder=DEMO_PERSONS[0].holder)
    offer = service.create_offer(inst, case.id, actor="clerk")
    code = service.offer_json(inst, offer.offer_id)["grants"][PRE]["pre-authorized_code"]
    return case, offer, code


def _credential_request(service: Any, inst: Any, token: str, keys: list[Any] | None = None) -> Callable[[], object]:
    """A request over ``keys`` (default: two new ones), proven with a c_nonce of its own."""
    from credentials.jose import generate_key, public_jwk, sign_jws

    nonce = service.nonces.c_nonce(inst.issuer_url)
    keys = keys or [generate_key() for _ in range(2)]
    proofs = [sign_jws({"typ": "openid4vci-proof+jwt", "jwk": public_jwk(k)},
                       {"aud": inst.issuer_url, "iat": int(time.time()), "nonce": nonce}, k) for k in keys]
    return lambda: service.credential(inst, "Bearer " + token, {"credential_configuration_id": "pda1",
                                                                "proofs": {"jwt": proofs}})


def _statuses(service: Any, case_id: str) -> list[int]:
    from sqlalchemy import select

    from issuer.db import CredentialRecord

    with service.sessions() as s:
        return list(s.scalars(select(CredentialRecord.status).where(CredentialRecord.case_id == case_id)))


def _withdraw_after(delay: float, service: Any, inst: Any, case_id: str) -> object:
    time.sleep(delay)
    return service.set_state(inst, case_id, "revoked", reason="fraud", actor="clerk")


def test_a_case_withdrawn_while_its_credential_is_issued_keeps_no_valid_credential(service: Any) -> None:
    inst = service.institution("lv-vsaa")
    issued_first = 0
    for n in range(16):
        case, offer, code = _offer(service, inst, n)
        token = service.token(inst, {"grant_type": PRE, "pre-authorized_code": code,
                                     "tx_code": offer.tx_code})["access_token"]
        # The withdrawal starts at once or a little later, so that both orders happen.
        _at_once(_credential_request(service, inst, token), functools.partial(_withdraw_after, (n % 4) * 0.01,
                                                                              service, inst, case.id))
        assert service.get_case(inst, case.id)["state"] == "revoked"
        statuses = _statuses(service, case.id)
        assert all(status == 1 for status in statuses), "a withdrawn A1 still reads valid"
        issued_first += bool(statuses)
    assert issued_first, "no round issued before the withdrawal: the race was not exercised"


def test_one_access_token_sent_twice_at_once_issues_once(service: Any) -> None:
    inst = service.institution("lv-vsaa")
    for n in range(10):
        case, offer, code = _offer(service, inst, n)
        token = service.token(inst, {"grant_type": PRE, "pre-authorized_code": code,
                                     "tx_code": offer.tx_code})["access_token"]
        outcomes = _at_once(_credential_request(service, inst, token), _credential_request(service, inst, token))
        assert sorted(map(type, outcomes), key=str) == sorted([dict, str], key=str), outcomes
        assert len(_statuses(service, case.id)) == 2  # one batch of two keys


def test_one_access_token_asked_twice_at_once_for_the_same_keys_delivers_once(service: Any) -> None:
    """A wallet asking again while its first request (its answer lost to it) is still being answered:
    both are given the one response (IssuerService._delivered), one batch of status entries taken."""
    from credentials.jose import generate_key

    inst = service.institution("lv-vsaa")
    for n in range(5):
        case, offer, code = _offer(service, inst, n)
        token = service.token(inst, {"grant_type": PRE, "pre-authorized_code": code,
                                     "tx_code": offer.tx_code})["access_token"]
        keys = [generate_key(), generate_key()]
        outcomes = _at_once(_credential_request(service, inst, token, keys),
                            _credential_request(service, inst, token, keys))
        assert all(isinstance(o, dict) for o in outcomes), outcomes
        assert len({o["notification_id"] for o in outcomes if isinstance(o, dict)}) == 1
        assert len(_statuses(service, case.id)) == 2


def test_one_pre_authorized_code_redeemed_twice_at_once_gives_one_token(service: Any) -> None:
    inst = service.institution("lv-vsaa")
    for n in range(10):
        _, offer, code = _offer(service, inst, n)
        request = {"grant_type": PRE, "pre-authorized_code": code, "tx_code": offer.tx_code}
        redeem = functools.partial(service.token, inst, request)
        outcomes = _at_once(redeem, redeem)
        assert sorted(o if isinstance(o, str) else "token" for o in outcomes) == ["invalid_grant", "token"]


def test_wrong_tx_codes_sent_in_parallel_count_against_the_attempt_limit(service: Any) -> None:
    inst = service.institution("lv-vsaa")
    _, offer, code = _offer(service, inst, 0)
    wrong = f"{(int(offer.tx_code) + 1) % 10**6:06d}"
    guesses = [lambda: service.token(inst, {"grant_type": PRE, "pre-authorized_code": code, "tx_code": wrong})
               for _ in range(20)]
    assert set(_at_once(*guesses)) == {"invalid_grant"}
    # Five wrong guesses lock the code (errata: limit failed tx_code attempts): the right one comes too late.
    assert _at_once(lambda: service.token(inst, {"grant_type": PRE, "pre-authorized_code": code,
                                                 "tx_code": offer.tx_code})) == ["invalid_grant"]


def test_two_clerks_replacing_one_case_at_once_make_one_replacement(service: Any) -> None:
    """The case row is locked while it is replaced: the second clerk waits, then finds it withdrawn."""
    from credentials.demo_persons import DEMO_PERSONS

    inst = service.institution("lv-vsaa")
    for round_number in range(5):
        old = {**DEMO_PERSONS[0].pda1, "document_number": f"DEMO-A1-LV-95{round_number:02d}"}
        new = {**old, "document_number": f"DEMO-A1-LV-94{round_number:02d}"}  # a new document, a new number
        case = service.create_case(inst, "pda1", old, actor="clerk", holder=DEMO_PERSONS[0].holder)
        assert sorted(_replace_at_once(service, inst, case.id, new)) == ["409", "replaced"]
        found = [c["state"] for claims in (old, new) for c in service.list_cases(inst, query=claims["document_number"])]
        assert found == ["replaced", "active"]  # the old one and one new one


def test_reads_go_on_while_a_write_transaction_holds_the_lock(service: Any) -> None:
    """A status list, an offer and a case are read while a clerk's write transaction is open: on
    SQLite only write transactions take the write lock (esspass.db), so readers never queue behind it."""
    inst = service.institution("lv-vsaa")
    _, offer, code = _offer(service, inst, 0)
    token = service.token(inst, {"grant_type": PRE, "pre-authorized_code": code,
                                 "tx_code": offer.tx_code})["access_token"]
    _credential_request(service, inst, token)()  # its status list now exists
    _case, offer, _code = _offer(service, inst, 1)
    done = threading.Event()
    read: list[object] = []

    def reader() -> None:
        read.append(service.status.token(inst, 1).etag)
        read.append(service.offer_json(inst, offer.offer_id)["credential_issuer"])
        read.append(service.get_case(inst, _case.id)["state"])
        done.set()

    with service.sessions.begin() as s:  # a write transaction, holding the lock until the block ends
        s.execute(text("UPDATE issuer_cases SET label = label"))
        thread = threading.Thread(target=reader)
        thread.start()
        finished_while_locked = done.wait(timeout=20)
    thread.join(timeout=60)
    assert finished_while_locked, "a read waited for a write transaction to end"
    assert read[1:] == [inst.issuer_url, "active"]
