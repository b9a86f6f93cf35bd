"""The issuer's status lists as served: when a token is signed again, which settings are refused, and
the HTTP surface of ``/{path}/status/{number}`` (draft-ietf-oauth-status-list §8.1, §8.4).

* A token is never served past (nor in the second half of) its own ``exp``, which a verifier must
  refuse (§8.3 step 4); ``ttl`` and ``exp`` that cannot work together are refused when the issuer
  starts, not on every list request.
* Lists are large (herd privacy) outside development, and whole bytes at 2 bits.
* The form follows the ``Accept`` weights (RFC 9110 §12.5.1), 406 when neither form is acceptable;
  ``?time=`` (historical resolution, not kept here) is 501; HEAD is answered; a list number that is
  not one is 404; the lists are readable from any origin (CORS).
* Content-Encoding gzip for a client that takes it (§8.1 SHOULD), under an entity tag of its own;
  If-None-Match compared weakly, with lists and ``*`` (RFC 9110 §13.1.2).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from credentials import status_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.jose import decode_jws
from credentials.trust_list import TrustList
from esspass.db import Sessions
from esspass.stack import unnumbered
from esspass.testing import serve
from issuer.app import build_service, create_app
from issuer.db import Case
from issuer.service import IssuerService
from issuer.settings import IssuerSettings
from issuer.status_lists import StatusLists

PATH = "lv-vsaa"


def _settings(data_dir: Path, **values: object) -> IssuerSettings:
    return IssuerSettings(data_dir=data_dir, public_url="http://testserver", wallet_attestation="off",
                          key_attestation="off", **values)  # type: ignore[arg-type]


@dataclass
class Issuer:
    service: IssuerService
    clock: list[datetime]


@pytest.fixture(scope="module")
def issuer(registry_dir: Path) -> Iterator[Issuer]:
    """The demo issuer with one credential of LV:VSAA recorded in its list 1, on a clock the test moves."""
    service = build_service(_settings(registry_dir, status_ttl=3600, status_exp=4 * 3600))
    clock = [datetime.now(UTC).replace(microsecond=0)]
    service.status.clock = lambda: clock[0]
    inst = service.institution(PATH)
    case = service.create_case(inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor="test",
                               holder=DEMO_PERSONS[0].holder)
    with service.sessions.begin() as s:
        recorded = s.get(Case, case.id)
        assert recorded is not None
        service.status.allocate(s, inst, recorded, "jkt", clock[0], clock[0] + timedelta(days=30), "n")
    yield Issuer(service, clock)
    service.engine.dispose()


@pytest.fixture(scope="module")
def http(issuer: Issuer, registry_dir: Path) -> Iterator[httpx.Client]:
    """The issuer over real HTTP on loopback, as verifiers and wallets reach it."""
    with serve(create_app(_settings(registry_dir), service=issuer.service)) as handle, \
            httpx.Client(base_url=handle.url) as client:
        yield client


# --- signing again ----------------------------------------------------------------------------------


def test_a_served_token_always_has_at_least_half_its_validity_left(issuer: Issuer) -> None:
    """Every 10 minutes over a day: the token served is never past, nor near, its exp."""
    inst = issuer.service.institution(PATH)
    start = issuer.clock[0]
    try:
        for step in range(0, 24 * 60, 10):
            issuer.clock[0] = start + timedelta(minutes=step)
            claims = decode_jws(str(issuer.service.status.token(inst, 1).token)).payload
            now = int(issuer.clock[0].timestamp())
            assert claims["exp"] - now >= (claims["exp"] - claims["iat"]) / 2, step
            assert now - claims["iat"] < min(claims["ttl"], claims["exp"] - claims["iat"]) / 2, step
    finally:
        issuer.clock[0] = start


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_withdrawal_signed_in_the_second_of_the_token_a_verifier_holds_is_signed_after_it(
        registry_dir: Path, registry_issuers: TrustList, tmp_path: Path, database: str,
        request: pytest.FixtureRequest) -> None:
    """A list changed within the second its last token was signed in had a token with the same iat
    (whole seconds, §5.1), and a verifier cannot tell which came last: one that held the list from
    before the withdrawal in memory kept it when `esspass verifier prefetch` wrote the withdrawn one to
    its cache directory (a flaky test showed it). The new version is signed one second later."""
    from esspass.status_client import StatusClient
    from esspass.testing import free_port

    port = free_port()
    settings = IssuerSettings(data_dir=registry_dir, public_url=f"http://127.0.0.1:{port}", wallet_attestation="off",
                              key_attestation="off", database_url=f"sqlite:///{tmp_path / 'issuer.db'}"
                              if database == "sqlite" else request.getfixturevalue("postgres_url"))
    service = build_service(settings)
    second = datetime.now(UTC).replace(microsecond=0)
    service.status.clock = lambda: second  # every token of this test signed within one second
    inst = service.institution(PATH)
    case = service.create_case(inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor="test",
                               holder=DEMO_PERSONS[0].holder)
    with service.sessions.begin() as s:
        recorded = s.get(Case, case.id)
        assert recorded is not None
        number, idx = service.status.allocate(s, inst, recorded, "jkt", second, second + timedelta(days=30), "n")
    ref = status_list.StatusReference(idx, f"{settings.public_url}/{PATH}/status/{number}")
    entity = registry_issuers.entity("LV:VSAA")
    assert entity is not None
    try:
        with httpx.Client(timeout=10) as http:
            inspector = StatusClient(http, cache_dir=tmp_path / "cache")  # the verifier's service
            with serve(create_app(settings, service=service), port=port):
                assert inspector(ref, entity, datetime.now(UTC)).value == status_list.VALID
                before = decode_jws(str(service.status.token(inst, number).token)).payload["iat"]
                service.set_state(inst, case.id, "revoked", reason="posting cancelled", actor="test")
                after = decode_jws(str(service.status.token(inst, number).token)).payload["iat"]
                assert after > before == int(second.timestamp())
                prefetch = StatusClient(http, cache_dir=tmp_path / "cache")  # another process, the same directory
                assert prefetch(ref, entity, datetime.now(UTC)).value == status_list.INVALID
            offline = inspector(ref, entity, datetime.now(UTC))  # the issuer out of reach now
            assert (offline.value, offline.source) == (status_list.INVALID, "cache")
    finally:
        service.engine.dispose()


def _case_on_a_list(issuer: Issuer) -> tuple[Any, Any, int]:
    """An A1 case of the institution at :data:`PATH` with one status entry (at the issuer's clock): the
    institution, the case, the number of the list its entry is on."""
    inst = issuer.service.institution(PATH)
    start = issuer.clock[0]
    case = issuer.service.create_case(inst, "pda1", unnumbered(DEMO_PERSONS[0].pda1), actor="test",
                                      holder=DEMO_PERSONS[0].holder)
    with issuer.service.sessions.begin() as s:
        recorded = s.get(Case, case.id)
        assert recorded is not None
        number, _ = issuer.service.status.allocate(s, inst, recorded, "jkt", start, start + timedelta(days=30), "n")
    return inst, case, number


def test_a_clock_set_back_signs_a_change_at_its_own_time_not_past_what_verifiers_accept(
        issuer: Issuer, caplog: pytest.LogCaptureFixture) -> None:
    """A new version comes after the last iat signed only up to 30 s ahead of the clock: a verifier
    refuses an iat more than a minute ahead of its own (§8.3 step 4, status_list.verify_token), so a
    last iat an hour ahead means the issuer's clock was set back, and a list signed after it would be
    refused by every verifier set right for that hour."""
    inst, case, number = _case_on_a_list(issuer)
    start = issuer.clock[0]
    try:
        issuer.clock[0] = start + timedelta(hours=1)
        issuer.service.set_state(inst, case.id, "suspended", reason="checking the posting", actor="test")
        issuer.service.status.token(inst, number)  # the first token of this version: its iat recorded
        issuer.clock[0] = start  # set right again
        issuer.service.set_state(inst, case.id, "revoked", reason="posting cancelled", actor="test")
        claims = decode_jws(str(issuer.service.status.token(inst, number).token)).payload
        assert claims["iat"] == int(start.timestamp())
        assert "was the clock set back?" in caplog.text
    finally:
        issuer.clock[0] = start


def test_changes_faster_than_one_a_second_never_sign_a_list_older_than_the_last(issuer: Issuer) -> None:
    """Each version is signed a second after the last iat, up to 30 s ahead of the clock. A clerk
    withdrawing or suspending a case after another (a script over the API), each change's list
    fetched at once (any verifier or anyone may ask for it), ran the iat to that limit within 30
    changes, and the next version was then signed at the clock's time: 30 s *before* the token
    verifiers held, which they keep as the newer (§8.3 step 4, rollback), missing every change
    after it offline. At the limit a version takes the limit's second (a tie, which a verifier
    settles by the list withdrawing more), never one before the last."""
    inst, case, number = _case_on_a_list(issuer)
    start = issuer.clock[0]
    iats = []
    for change in range(45):  # all within one second of the issuer's clock
        issuer.service.set_state(inst, case.id, "suspended" if change % 2 == 0 else "active",
                                 reason="checking the posting", actor="test")
        iats.append(decode_jws(str(issuer.service.status.token(inst, number).token)).payload["iat"])
    assert iats == sorted(iats)
    assert iats[-1] <= int(start.timestamp()) + 30


@pytest.mark.parametrize(("ttl", "exp"), [(7 * 86400, 86400), (0, 86400), (-1, 86400)])
def test_status_lists_refuse_a_ttl_that_is_not_positive_or_outlives_exp(ttl: int, exp: int) -> None:
    """With ttl 7 days and exp 1 day a token signed once was served for hours past its exp; with
    ttl 0 every list request failed (500)."""
    with pytest.raises(ValueError, match="ttl"):
        StatusLists(Sessions(), lambda: datetime.now(UTC), size=1024, ttl=ttl, exp=exp)


# --- settings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", [
    {"status_ttl": 7 * 86400, "status_exp": 86400},
    {"status_ttl": 0},
    {"status_exp": 0, "status_ttl": 0},
    {"status_list_size": 0},
    {"status_list_size": 8},
    {"status_list_size": 1002},  # not whole bytes at 2 bits
    {"status_list_size": 64, "environment": "production"},  # no herd to hide in
    {"status_list_size": 99_996, "environment": "production"},
])
def test_status_list_settings_that_cannot_work_are_refused_at_start(tmp_path: Path, values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _settings(tmp_path, **values)


def test_the_default_list_is_large_and_small_lists_stay_possible_in_development(tmp_path: Path) -> None:
    assert _settings(tmp_path).status_list_size >= 100_000
    assert _settings(tmp_path, environment="production").status_list_size >= 100_000
    assert _settings(tmp_path, status_list_size=64).status_list_size == 64  # tests that fill a list
    assert _settings(tmp_path, status_ttl=86400, status_exp=86400).status_ttl == 86400


# --- HTTP ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "served"), [
    (None, status_list.MEDIA_TYPE),
    ("application/statuslist+jwt", status_list.MEDIA_TYPE),
    ("application/statuslist+cwt", status_list.CWT_MEDIA_TYPE),
    ("application/statuslist+jwt;q=0, application/statuslist+cwt", status_list.CWT_MEDIA_TYPE),
    ("application/statuslist+cwt, application/statuslist+jwt;q=0.1", status_list.CWT_MEDIA_TYPE),
    ("*/*", status_list.MEDIA_TYPE),
])
def test_the_token_form_follows_the_accept_weights(http: httpx.Client, accept: str | None, served: str) -> None:
    response = http.get(f"/{PATH}/status/1", headers={"Accept": accept} if accept else {})
    assert (response.status_code, response.headers["content-type"]) == (200, served)
    assert response.headers["vary"] == "Accept, Accept-Encoding"


@pytest.mark.parametrize("accept", ["text/html", "application/statuslist+jwt;q=0", "*/*;q=0"])
def test_a_client_accepting_neither_form_gets_406_not_a_jwt(http: httpx.Client, accept: str) -> None:
    response = http.get(f"/{PATH}/status/1", headers={"Accept": accept})
    assert response.status_code == 406
    assert response.json()["error"] == "not_acceptable"


def test_historical_resolution_is_answered_not_implemented(http: httpx.Client) -> None:
    """§8.4: a server without it SHOULD answer 501, never the current list for a past time."""
    for query in ("time=1000000000", "time="):
        response = http.get(f"/{PATH}/status/1?{query}")
        assert response.status_code == 501, query
        assert response.json()["error"] == "not_implemented"


def test_head_answers_the_get_headers_without_the_token(http: httpx.Client) -> None:
    got = http.get(f"/{PATH}/status/1", headers={"Accept": status_list.CWT_MEDIA_TYPE})
    head = http.head(f"/{PATH}/status/1", headers={"Accept": status_list.CWT_MEDIA_TYPE})
    assert (head.status_code, head.content) == (200, b"")
    for name in ("content-type", "content-length", "etag"):
        assert head.headers[name] == got.headers[name], name
    assert http.head(f"/{PATH}/status-lists").status_code == 200


@pytest.mark.parametrize("number", ["abc", "01", "+1", "1.0", "0", "99999999999", "2"])
def test_a_list_number_that_names_no_list_is_404(http: httpx.Client, number: str) -> None:
    response = http.get(f"/{PATH}/status/{number}")
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "not_found"


def test_status_lists_can_be_read_by_a_verifier_in_a_browser(http: httpx.Client) -> None:
    origin = {"Origin": "https://inspector.example"}
    for path in (f"/{PATH}/status/1", f"/{PATH}/status-lists"):
        response = http.get(path, headers=origin)
        assert response.headers["access-control-allow-origin"] == "*", path
    token = http.get(f"/{PATH}/status/1", headers=origin)
    assert "ETag" in token.headers["access-control-expose-headers"]  # to revalidate with If-None-Match


@pytest.mark.parametrize("accept", [status_list.MEDIA_TYPE, status_list.CWT_MEDIA_TYPE])
def test_a_client_taking_gzip_gets_the_list_gzip_coded_under_an_entity_tag_of_its_own(
        http: httpx.Client, accept: str) -> None:
    """§8.1: the server SHOULD support Content-Encoding gzip; a strong ETag differs between the
    codings of one list (RFC 9110 §8.8.3), and a client that refuses gzip gets the list as it is."""
    plain = http.get(f"/{PATH}/status/1", headers={"Accept": accept, "Accept-Encoding": "identity"})
    with http.stream("GET", f"/{PATH}/status/1", headers={"Accept": accept, "Accept-Encoding": "gzip"}) as coded:
        raw = b"".join(coded.iter_raw())
    assert "content-encoding" not in plain.headers
    assert coded.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == plain.content and len(raw) < len(plain.content)
    assert coded.headers["etag"] != plain.headers["etag"]
    for refused in ("gzip;q=0", "gzip;q=0, *", "br"):
        response = http.get(f"/{PATH}/status/1", headers={"Accept": accept, "Accept-Encoding": refused})
        assert "content-encoding" not in response.headers, refused
    assert http.get(f"/{PATH}/status/1", headers={"Accept": accept, "Accept-Encoding": "*"}).headers[
        "content-encoding"] == "gzip"


def test_if_none_match_is_compared_weakly_with_lists_and_star(http: httpx.Client) -> None:
    """RFC 9110 §13.1.2: If-None-Match uses the weak comparison; it may list tags, or be ``*``."""
    headers = {"Accept-Encoding": "gzip"}
    etag = http.get(f"/{PATH}/status/1", headers=headers).headers["etag"]
    for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = http.get(f"/{PATH}/status/1", headers={**headers, "If-None-Match": condition})
        assert (response.status_code, response.content) == (304, b""), condition
        assert response.headers["etag"] == etag
    other = http.get(f"/{PATH}/status/1", headers={**headers, "If-None-Match": '"other", W/"x"'})
    assert other.status_code == 200
