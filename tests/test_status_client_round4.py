"""The verifier's status list client on a poor network, and reading back its damaged disk records
(review of offline inspections, findings 1 and 3).

draft-ietf-oauth-status-list §8.3 (standards.md §3.5): a relying party fetches the list at the
reference's ``uri``, and may use a held copy (here up to ``max_age`` offline, never past its ``exp``).
An institution's server that gave no answer is not asked again for a while, per origin (30 s,
doubling to 5 min, as trust_registry.client spaces out its attempts): the held lists answer at once
meanwhile, with every check and age as after a failed fetch, so a check does not wait the fetch
deadline out again for each list while the worker's wallet waits on the verdict.

A status cache record on disk that is valid JSON of the wrong kind is no copy (fail closed), never
a server error.

The institutions here answer over ``httpx.MockTransport`` (what is under test is which requests the
client makes, and when); the first and the last tests run the real issuer and verifier
(esspass.stack), as the reviewer did.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_status_client import NOW, TS, URI, Institution, _at, _cwt

from credentials import pda1, status_list, trust_list
from credentials.demo_persons import DEMO_PERSONS
from esspass import fetch
from esspass.stack import InspectorAuth, Stack, start_in_process, wallet_holding
from esspass.status_client import Prefetched, StatusClient
from wallet import core

SAME_ORIGIN = "https://issuer.example.lv/vsaa/status/2"  # another list on URI's server
PORT_WRITTEN_OUT = "https://issuer.example.lv:443/vsaa/status/3"  # URI's origin too (RFC 6454)
OTHER_PORT = "https://issuer.example.lv:8443/vsaa/status/1"  # the same host, another origin
OTHER_HOST = "https://status.example.lv/vsaa/status/1"
AGGREGATION = "https://issuer.example.lv/vsaa/status-lists"
URIS = (URI, SAME_ORIGIN, PORT_WRITTEN_OUT, OTHER_PORT, OTHER_HOST)


def _ref(uri: str = URI, form: str = status_list.JWT) -> status_list.StatusReference:
    return status_list.StatusReference(5, uri, token_form=form)


@pytest.fixture(scope="module")
def institution() -> Institution:
    return Institution()


class _Stall:
    """One request held: ``entered`` once it reaches the server, no answer until ``release``."""

    def __init__(self) -> None:
        self.entered, self.release = threading.Event(), threading.Event()


class Servers:
    """LV:VSAA's status endpoints on several origins: each list's JWT (with an ETag, 304 to a matching
    If-None-Match), no CWT (404), its Status List Aggregation at AGGREGATION; while an origin
    (``netloc``) is in ``silent``, its requests get no answer (the fetch deadline runs out: a dead
    link, a host that takes connections and never answers), and one in ``failing`` answers 503.
    ``asked`` lists every request made."""

    def __init__(self, institution: Institution, *, exp: int = TS + 86400) -> None:
        self.tokens = {uri: _token(institution, uri, iat=TS, exp=exp) for uri in URIS}
        self.silent: set[str] = set()
        self.failing: set[str] = set()
        self.asked: list[str] = []
        self.conditional: list[str | None] = []  # the If-None-Match of each request
        self.stall: _Stall | None = None  # the next request is held, then gets no answer
        self._lock = threading.Lock()

    def client(self, cache_dir: Path | None = None, *, max_age: int = 24 * 3600) -> StatusClient:
        return StatusClient(httpx.Client(transport=httpx.MockTransport(self._answer)), cache_dir=cache_dir,
                            max_age=max_age)

    def asks(self, uri: str) -> int:
        return sum(1 for asked in self.asked if httpx.URL(asked) == httpx.URL(uri))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.asked.append(str(request.url))
            self.conditional.append(request.headers.get("if-none-match"))
            stall, self.stall = self.stall, None
        if stall is not None:
            stall.entered.set()
            stall.release.wait(30)
            raise fetch.DeadlineExceeded("no answer within the deadline", request=request)
        if request.url.netloc.decode() in self.silent:
            raise fetch.DeadlineExceeded("no answer within the deadline", request=request)
        if request.url.netloc.decode() in self.failing:
            return httpx.Response(503)
        if str(request.url) == AGGREGATION:
            return httpx.Response(200, json={"status_lists": [URI]})
        token = next((t for u, t in self.tokens.items() if httpx.URL(u) == request.url), None)
        if token is None or status_list.CWT_MEDIA_TYPE in request.headers.get("accept", ""):
            return httpx.Response(404)
        etag = f'"{abs(hash(token))}"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"etag": etag})
        return httpx.Response(200, text=token, headers={"etag": etag, "content-type": status_list.MEDIA_TYPE})


def _token(institution: Institution, uri: str, *, iat: int, exp: int) -> str:
    return status_list.sign_token(status_list.StatusList(1024, bits=2), uri=uri, key=institution.key,
                                  x5c=institution.x5c, iat=iat, exp=exp, ttl=300)


ISSUER = "issuer.example.lv"  # URI's origin, as Servers.silent names it


def _online(servers: Servers, client: StatusClient, institution: Institution, *uris: str) -> None:
    """Each of ``uris`` fetched and held, at +10 s."""
    for uri in uris or (URI,):
        outcome = client(_ref(uri), institution.entity, _at(10))
        assert (outcome.value, outcome.source) == (status_list.VALID, "network"), outcome


# --- finding 1: an institution's server that gave no answer is left alone for a while ----------------


def test_after_a_fetch_got_no_answer_the_held_list_answers_without_asking_again(institution: Institution) -> None:
    """The first check after the link died waits for the fetch deadline; the next ones, moments later,
    answer from the held list at once, as after a failed fetch (source "cache")."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    first = client(_ref(), institution.entity, _at(400))  # past the list's ttl
    assert (first.value, first.source, servers.asks(URI)) == (status_list.VALID, "cache", 2), first
    for seconds in (401, 415, 429):
        outcome = client(_ref(), institution.entity, _at(seconds))
        assert (outcome.value, outcome.source) == (status_list.VALID, "cache"), outcome
    assert servers.asks(URI) == 2  # not asked again within the 30 s


def test_the_wait_doubles_after_each_fetch_without_an_answer_up_to_five_minutes(institution: Institution) -> None:
    """30 s, 60 s, 120 s, 240 s, then 300 s at most: a list the institution publishes once its server
    answers again is seen within minutes, as with the trust list."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    asked_at = [400]
    for wait in (30, 60, 120, 240, 300, 300):
        asked_at.append(asked_at[-1] + wait)
    client(_ref(), institution.entity, _at(asked_at[0]))
    for previous, due in itertools.pairwise(asked_at):
        before = servers.asks(URI)
        assert client(_ref(), institution.entity, _at(due - 1)).value == status_list.VALID
        assert servers.asks(URI) == before, f"asked again {due - 1 - previous} s after a failure"
        client(_ref(), institution.entity, _at(due))
        assert servers.asks(URI) == before + 1, f"not asked again {due - previous} s after a failure"


def test_an_answer_from_the_institution_ends_the_wait(institution: Institution) -> None:
    """Once the server answers again, the next check asks it as usual; a later failure waits 30 s
    again, not the doubled wait of the failures before the answer."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    for seconds in (400, 430, 490):  # waits of 30 s, then 60 s
        client(_ref(), institution.entity, _at(seconds))
    servers.silent.clear()
    back = client(_ref(), institution.entity, _at(610))
    assert (back.value, back.source) == (status_list.VALID, "network"), back
    asked = servers.asks(URI)
    assert client(_ref(), institution.entity, _at(611)).source == "network"
    servers.silent.add(ISSUER)
    client(_ref(), institution.entity, _at(612))
    assert servers.asks(URI) == asked + 2
    client(_ref(), institution.entity, _at(641))
    assert servers.asks(URI) == asked + 2
    client(_ref(), institution.entity, _at(642))
    assert servers.asks(URI) == asked + 3


def test_a_server_answering_with_an_error_is_asked_again_at_the_next_check(institution: Institution) -> None:
    """Only a fetch that got no answer starts a wait: an error answer costs the check no wait, and
    the server may have its list again at the next check (the held list answers meanwhile)."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.failing.add(ISSUER)
    for seconds in (400, 401, 402):
        outcome = client(_ref(), institution.entity, _at(seconds))
        assert (outcome.value, outcome.source) == (status_list.VALID, "cache"), outcome
    assert servers.asks(URI) == 4


def test_the_wait_is_per_origin(institution: Institution) -> None:
    """One server (scheme, host and port) holds an institution's lists: its other lists are not asked
    for within the wait either (a default port written out is the same origin), while lists on
    another port or host are asked for as usual."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution, *URIS)
    servers.silent.add(ISSUER)
    client(_ref(), institution.entity, _at(400))
    for uri in (SAME_ORIGIN, PORT_WRITTEN_OUT):
        outcome = client(_ref(uri), institution.entity, _at(401))
        assert (outcome.value, outcome.source, servers.asks(uri)) == (status_list.VALID, "cache", 1), uri
    for uri in (OTHER_PORT, OTHER_HOST):
        outcome = client(_ref(uri), institution.entity, _at(401))
        assert (outcome.value, outcome.source, servers.asks(uri)) == (status_list.VALID, "network", 2), uri


def test_a_list_held_nowhere_is_tried_once_within_each_wait(institution: Institution) -> None:
    """A list the verifier never fetched has no other answer, so one check of it may still ask the
    server within the wait; the next checks within the wait then answer at once, undetermined."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    client(_ref(), institution.entity, _at(400))  # a held list's check: the wait begins
    first = client(_ref(SAME_ORIGIN), institution.entity, _at(401))
    assert (first.value, first.source, servers.asks(SAME_ORIGIN)) == (None, "none", 1), first
    again = client(_ref(SAME_ORIGIN), institution.entity, _at(402))
    assert (again.value, again.source, again.forged, servers.asks(SAME_ORIGIN)) == (None, "none", False, 1), again
    assert "did not answer" in again.message, again.message
    assert client(_ref(), institution.entity, _at(403)).value == status_list.VALID
    assert servers.asks(URI) == 2


def test_a_list_held_nowhere_is_fetched_within_the_wait_once_the_server_answers(institution: Institution) -> None:
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    client(_ref(), institution.entity, _at(400))
    servers.silent.clear()
    fetched = client(_ref(SAME_ORIGIN), institution.entity, _at(401))
    assert (fetched.value, fetched.source) == (status_list.VALID, "network"), fetched
    assert client(_ref(), institution.entity, _at(402)).source == "network"  # the answer ended the wait


@pytest.mark.parametrize(("max_age", "exp", "last_valid"), [(3600, TS + 86400, 3600), (86400, TS + 600, 659)],
                         ids=["max_age", "exp"])
def test_within_the_wait_a_held_list_answers_no_longer_than_its_age_allows(
        institution: Institution, max_age: int, exp: int, last_valid: int) -> None:
    """The wait only spares the network: the held list stops answering at ``max_age`` (since its
    ``iat``) and at its ``exp`` (within the clock skew), as after any failed fetch; never VALID past it."""
    servers = Servers(institution, exp=exp)
    client = servers.client(max_age=max_age)
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    assert client(_ref(), institution.entity, _at(last_valid - 20)).value == status_list.VALID  # the wait begins
    assert client(_ref(), institution.entity, _at(last_valid)).value == status_list.VALID
    outcome = client(_ref(), institution.entity, _at(last_valid + 1))
    assert (outcome.value, outcome.forged) == (None, False), outcome


def test_prefetch_asks_an_institution_within_its_wait_and_its_answer_ends_the_wait(
        institution: Institution) -> None:
    """The inspector asks for the lists explicitly: every one is fetched whatever the wait, and the
    server's answers end it, so the next check asks the server again."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    client(_ref(), institution.entity, _at(400))
    servers.silent.clear()
    assert client(_ref(), institution.entity, _at(401)).source == "cache"  # still within the wait
    listing = dataclasses.replace(institution.entity, status_lists=AGGREGATION)
    issuers = trust_list.TrustList(kind="issuers", sequence=1, issued_at=NOW, next_update=NOW + timedelta(days=1),
                                   entities=(listing,))
    assert client.prefetch(issuers, _at(402)) == Prefetched(status_lists=1, failed=1, institutions=1)  # no CWT
    assert servers.asks(AGGREGATION) == 1 and servers.asks(URI) == 4  # the JWT, then the CWT
    assert client(_ref(), institution.entity, _at(403)).source == "network"


def test_prefetch_asks_an_institution_that_gave_no_answer_moments_ago(institution: Institution) -> None:
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    listing = dataclasses.replace(institution.entity, status_lists=AGGREGATION)
    issuers = trust_list.TrustList(kind="issuers", sequence=1, issued_at=NOW, next_update=NOW + timedelta(days=1),
                                   entities=(listing,))
    assert client.prefetch(issuers, _at(400)) == Prefetched(status_lists=0, failed=1, institutions=0)
    assert client.prefetch(issuers, _at(401)) == Prefetched(status_lists=0, failed=1, institutions=0)
    assert servers.asks(AGGREGATION) == 2
    assert client(_ref(), institution.entity, _at(402)).source == "cache"  # its failures started a wait
    assert servers.asks(URI) == 1


def test_checks_at_the_same_time_do_not_each_wait_for_a_server_that_does_not_answer(
        institution: Institution) -> None:
    """The verifier checks in several threads at once: while one check asks a server that failed
    before (its wait over), the others answer from the held lists without asking it too."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.silent.add(ISSUER)
    client(_ref(), institution.entity, _at(400))
    servers.stall = stall = _Stall()
    asking = threading.Thread(target=client, args=(_ref(), institution.entity, _at(430)), daemon=True)
    asking.start()
    try:
        assert stall.entered.wait(10)
        started = time.monotonic()
        outcome = client(_ref(), institution.entity, _at(431))
        assert (outcome.value, outcome.source) == (status_list.VALID, "cache"), outcome
        assert client(_ref(SAME_ORIGIN), institution.entity, _at(431)).value is None  # held nowhere: no second try
        assert time.monotonic() - started < 5
    finally:
        stall.release.set()
        asking.join(10)
    assert servers.asks(URI) == 3 and servers.asks(SAME_ORIGIN) == 0


def test_a_failure_of_a_fetch_begun_before_an_answer_starts_no_wait(institution: Institution) -> None:
    """Two checks at once on a poor link: one fetch got no answer, the other, begun later, did. The
    server answers, so the next check asks it as usual."""
    servers = Servers(institution)
    client = servers.client()
    _online(servers, client, institution)
    servers.stall = stall = _Stall()
    slow = threading.Thread(target=client, args=(_ref(), institution.entity, _at(400)), daemon=True)
    slow.start()
    try:
        assert stall.entered.wait(10)
        assert client(_ref(), institution.entity, _at(401)).source == "network"
    finally:
        stall.release.set()
        slow.join(10)
    assert client(_ref(), institution.entity, _at(402)).source == "network"
    assert servers.asks(URI) == 4


# --- prefetching: a list the server confirms is fetched, whichever form is newer ---------------------


class _BothForms:
    """LV:VSAA's endpoint for URI: the JWT, or the CWT to ``Accept: application/statuslist+cwt``, each
    with its ETag (304 to a matching If-None-Match), as the issuer serves them."""

    def __init__(self, jwt: str, cwt: bytes) -> None:
        self.jwt, self.cwt = jwt, cwt

    def client(self) -> StatusClient:
        return StatusClient(httpx.Client(transport=httpx.MockTransport(self.answer)))

    def answer(self, request: httpx.Request) -> httpx.Response:
        body: str | bytes = self.cwt if status_list.CWT_MEDIA_TYPE in request.headers["accept"] else self.jwt
        etag = f'"{abs(hash(body))}"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"etag": etag})
        return httpx.Response(200, content=body if isinstance(body, bytes) else body.encode(), headers={"etag": etag})


def test_a_list_the_server_confirms_unchanged_is_fetched_though_its_other_form_is_newer(
        institution: Institution) -> None:
    """The issuer signs each form at its own time: the JWT held since a check, the CWT signed a second
    later at the prefetch. A 304 for the JWT then confirms an older copy of the same list: the newer
    answers from the network, as when the JWT comes whole, so a second prefetch counts no failure."""
    server = _BothForms(_token(institution, URI, iat=TS, exp=TS + 86400), _cwt(institution, iat=TS + 1, exp=TS + 86400))
    listing = dataclasses.replace(institution.entity, status_lists=AGGREGATION)

    def aggregation(request: httpx.Request) -> httpx.Response:
        if str(request.url) == AGGREGATION:
            return httpx.Response(200, json={"status_lists": [URI]})
        return server.answer(request)
    client = StatusClient(httpx.Client(transport=httpx.MockTransport(aggregation)))
    issuers = trust_list.TrustList(kind="issuers", sequence=1, issued_at=NOW, next_update=NOW + timedelta(days=1),
                                   entities=(listing,))
    assert client(_ref(), institution.entity, _at(10)).source == "network"
    for seconds in (11, 12):
        assert client.prefetch(issuers, _at(seconds)) == Prefetched(status_lists=2, failed=0, institutions=1)
    confirmed = client(_ref(), institution.entity, _at(13))
    assert (confirmed.value, confirmed.source) == (status_list.VALID, "network"), confirmed


def test_a_list_the_server_confirms_unchanged_does_not_lift_a_withdrawal_in_its_newer_other_form(
        institution: Institution) -> None:
    server = _BothForms(_token(institution, URI, iat=TS, exp=TS + 86400), _cwt(institution, iat=TS + 1,
                                                                              exp=TS + 86400, withdrawn=True))
    client = server.client()
    assert client(_ref(), institution.entity, _at(10)).value == status_list.VALID
    assert client(_ref(URI, status_list.CWT), institution.entity, _at(11)).value == status_list.INVALID
    outcome = client(_ref(), institution.entity, _at(12))  # a 304: the JWT is current, and older
    assert (outcome.value, outcome.forged) == (status_list.INVALID, False), outcome


# --- finding 3: a damaged status cache record is no copy, never a server error ------------------------


DAMAGED = [
    pytest.param("etag", 5, id="etag-number"),
    pytest.param("etag", ["a"], id="etag-list"),
    pytest.param("etag", {"a": 1}, id="etag-object"),
    pytest.param("fetched", 1e300, id="fetched-1e300"),
    pytest.param("fetched", math.inf, id="fetched-infinity"),
    pytest.param("fetched", -math.inf, id="fetched-minus-infinity"),
    pytest.param("fetched", math.nan, id="fetched-nan"),
    pytest.param("fetched", 10**400, id="fetched-huge-integer"),
    pytest.param("fetched", -1e300, id="fetched-minus-1e300"),
    pytest.param("fetched", "1700000000", id="fetched-string"),
    pytest.param("fetched", True, id="fetched-boolean"),
    pytest.param("fetched", None, id="fetched-null"),
    pytest.param("obtained", "x", id="obtained-string"),
    pytest.param("obtained", 1e300, id="obtained-1e300"),
    pytest.param("obtained", math.inf, id="obtained-infinity"),
    pytest.param("obtained", math.nan, id="obtained-nan"),
    pytest.param("obtained", str(TS), id="obtained-numeric-string"),
    pytest.param("obtained", [TS], id="obtained-list"),
    pytest.param("token", 5, id="token-number"),
    pytest.param("token", "not base64!", id="token-not-base64"),
    pytest.param("entity_id", 5, id="entity_id-number"),
    pytest.param("uri", None, id="uri-null"),
]
WRONG_KIND = [pytest.param([], id="list"), pytest.param("record", id="string"), pytest.param(5, id="number"),
              pytest.param(None, id="null"), pytest.param(json.loads("[" * 50 + "]" * 50), id="nested")]


def _kept(institution: Institution, cache_dir: Path) -> tuple[Servers, Path]:
    """URI's list fetched and kept on disk by one verifier: the record, and its institution's servers."""
    servers = Servers(institution)
    _online(servers, servers.client(cache_dir), institution)
    (path,) = cache_dir.glob("*.json")
    return servers, path


def _damage(path: Path, field: str, value: object) -> None:
    record = json.loads(path.read_text())
    path.write_text(json.dumps({**record, field: value}))  # NaN and infinities as JSON's Python extension has them


@pytest.mark.parametrize(("field", "value"), DAMAGED)
def test_a_damaged_status_cache_record_is_no_copy_offline(
        institution: Institution, tmp_path: Path, field: str, value: object) -> None:
    """A field of the wrong kind or out of range: as if nothing were held (undetermined), never an
    exception out of the lookup (the inspector's check answered 500)."""
    servers, path = _kept(institution, tmp_path)
    _damage(path, field, value)
    servers.silent.add(ISSUER)
    outcome = servers.client(tmp_path)(_ref(), institution.entity, _at(20))  # a restarted verifier
    assert (outcome.value, outcome.source, outcome.forged) == (None, "none", False), outcome


@pytest.mark.parametrize(("field", "value"), DAMAGED)
def test_a_damaged_status_cache_record_is_no_copy_online(
        institution: Institution, tmp_path: Path, field: str, value: object) -> None:
    """Online, the list is fetched whole (no conditional request from a damaged ETag) and answers."""
    servers, path = _kept(institution, tmp_path)
    _damage(path, field, value)
    outcome = servers.client(tmp_path)(_ref(), institution.entity, _at(20))
    assert (outcome.value, outcome.source) == (status_list.VALID, "network"), outcome
    assert servers.conditional[-1] is None


@pytest.mark.parametrize("record", WRONG_KIND)
def test_a_status_cache_record_that_is_no_json_object_is_no_copy(
        institution: Institution, tmp_path: Path, record: object) -> None:
    servers, path = _kept(institution, tmp_path)
    path.write_text(json.dumps(record))
    servers.silent.add(ISSUER)
    outcome = servers.client(tmp_path)(_ref(), institution.entity, _at(20))
    assert (outcome.value, outcome.source, outcome.forged) == (None, "none", False), outcome


def test_an_etag_that_cannot_be_sent_back_is_not_kept(institution: Institution, tmp_path: Path) -> None:
    """An ETag with a line break or beyond ASCII (RFC 9110 §8.8.3) would break every conditional
    request, and the held list would answer in place of every newer one: the copy is kept without it,
    and the list is fetched whole."""
    servers, path = _kept(institution, tmp_path)
    _damage(path, "etag", '"a\r\nX-Injected: 1"')
    outcome = servers.client(tmp_path)(_ref(), institution.entity, _at(20))
    assert (outcome.value, outcome.source) == (status_list.VALID, "network"), outcome
    assert servers.conditional[-1] is None


@pytest.mark.parametrize("iat", [10**30, -1, 1e300, True], ids=["huge", "negative", "float", "boolean"])
def test_a_damaged_newest_list_record_is_ignored_and_the_lists_held_set_the_mark(
        institution: Institution, tmp_path: Path, iat: object) -> None:
    """The newest-``iat`` record outside what a verified list can carry (an integer from 1970 to 9999)
    is damaged: ignored as an unreadable one is, never a lookup answering nothing for ever."""
    servers, _ = _kept(institution, tmp_path)
    (mark,) = tmp_path.glob("*.newest")
    mark.write_text(json.dumps({"uri": URI, "iat": iat}))
    outcome = servers.client(tmp_path)(_ref(), institution.entity, _at(400))
    assert (outcome.value, outcome.source) == (status_list.VALID, "network"), outcome


@pytest.mark.parametrize("record", [*WRONG_KIND, pytest.param({"uri": URI, "aggregation_uri": AGGREGATION,
                                                                "entity_id": 5}, id="entity_id-number"),
                                    pytest.param({"uri": "https://xn--/status/1", "entity_id": "LV:VSAA",
                                                  "aggregation_uri": "https://xn--/status-lists"},
                                                 id="host-idna-refuses")])
def test_prefetch_skips_a_damaged_status_cache_record(tmp_path: Path, record: object) -> None:
    """The records on disk name aggregations to fetch ahead (draft §9): a damaged one names none."""
    (tmp_path / "damaged.json").write_text(json.dumps(record))
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(404)
    client = StatusClient(httpx.Client(transport=httpx.MockTransport(answer)), cache_dir=tmp_path)
    issuers = trust_list.TrustList(kind="issuers", sequence=1, issued_at=NOW, next_update=NOW + timedelta(days=1),
                                   entities=())
    assert client.prefetch(issuers, NOW) == Prefetched(0, 0, 0)
    assert asked == []


def test_an_aggregation_naming_a_host_idna_refuses_is_counted_not_raised(institution: Institution) -> None:
    """An institution's Status List Aggregation naming ``https://xn--/...`` (IDNA refuses the host
    with a UnicodeError, no httpx.InvalidURL): that list failed, the prefetch goes on."""
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status_lists": ["https://xn--/status/1"]})
    client = StatusClient(httpx.Client(transport=httpx.MockTransport(answer)))
    listing = dataclasses.replace(institution.entity, status_lists=AGGREGATION)
    issuers = trust_list.TrustList(kind="issuers", sequence=1, issued_at=NOW, next_update=NOW + timedelta(days=1),
                                   entities=(listing,))
    assert client.prefetch(issuers, NOW) == Prefetched(status_lists=0, failed=1, institutions=0)


# --- the reviewer's reproductions, on the real services -----------------------------------------------


PERSON = DEMO_PERSONS[0]


class Site:
    """An inspection site: the stack (esspass.stack), a worker's wallet holding a PID and a PDA1, and
    the inspector's HTTP client (tests/test_verdict_reasons_round4.py goes to the same site)."""

    def __init__(self, stack: Stack, wallet: Any, http: httpx.Client) -> None:
        self.stack, self.wallet, self.http = stack, wallet, http
        self.cred = next(c for c in wallet.credentials() if c.vct == pda1.VCT and c.extra.get("compact"))

    def qr(self, now: datetime | None = None) -> str:
        """The PDA1's offline QR code as the wallet shows it at ``now`` (default: now)."""
        return core.offline_qr(self.cred, now=now or datetime.now(UTC))

    def offline(self, now: datetime | None = None) -> httpx.Response:
        return self.http.post(f"{self.stack.verifier_url}/api/offline/verify", json={"qr": self.qr(now)})


@contextmanager
def prepared_site(data_dir: Path) -> Iterator[Site]:
    """The stack on ``data_dir`` and a worker's wallet; the verifier has checked the PDA1's offline QR
    code and fetched every status list ahead (the inspector's button), as before going where there is
    no network."""
    with start_in_process(data_dir) as stack, \
            httpx.Client(timeout=60, auth=InspectorAuth(stack.inspector_token)) as http:
        wallet = wallet_holding(stack, data_dir, http, PERSON)
        s = Site(stack, wallet, http)
        try:
            assert s.offline().json()["verdict"] == "valid"
            prepared = http.post(f"{stack.verifier_url}/api/status/prefetch").json()
            assert prepared["failed"] == 0 and prepared["status_lists"] > 0, prepared
            yield s
        finally:
            wallet.http.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with prepared_site(tmp_path) as s:
        yield s


@pytest.fixture
def black_hole() -> Iterator[Callable[[int], None]]:
    """Listens on a port given, accepts connections and never answers (a dead mobile link, a captive
    portal): every fetch from it runs into its deadline."""
    sockets: list[socket.socket] = []

    def listen(port: int) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(64)
        sockets.append(server)

        def accept() -> None:
            while True:
                try:
                    sockets.append(server.accept()[0])
                except OSError:
                    return
        threading.Thread(target=accept, daemon=True).start()
    yield listen
    for held in sockets:
        held.close()


def test_with_the_issuer_unreachable_each_check_does_not_wait_again_for_its_status_list(
        site: Site, black_hole: Callable[[int], None]) -> None:
    """Finding 1: the issuer's host takes connections but never answers. The first check may wait
    for the fetch deadline; the next ones, moments later, answer from the prefetched lists at once
    (each waited the 5 s out again, and with a trust list refresh the wallet's answer timed out)."""
    port = site.stack.handles["issuer"].port
    site.stack.stop("issuer")
    black_hole(port)
    first = site.offline()
    assert first.json()["verdict"] == "valid", first.json()
    took = []
    for _ in range(2):
        start = time.monotonic()
        verdict = site.offline().json()
        took.append(time.monotonic() - start)
        assert verdict["verdict"] == "valid", verdict
    assert max(took) < 2.0, f"each offline scan waited {[round(t, 1) for t in took]} s for an unreachable issuer"


@pytest.mark.parametrize(("field", "value"), [("etag", 5), ("fetched", 1e300)], ids=["etag-5", "fetched-1e300"])
def test_a_damaged_status_cache_record_is_no_copy_never_a_server_error(site: Site, field: str, value: object) -> None:
    """Finding 3: every status cache record damaged on disk (valid JSON, a field of the wrong kind),
    the verifier restarted offline: the verdict is undetermined (fail closed), on the API and the page."""
    site.stack.stop("issuer")
    site.stack.stop("registry")
    for path in (site.stack.data_dir / "verifier" / "status-cache").glob("*.json"):
        record = json.loads(path.read_text())
        assert base64.b64decode(record["token"])
        path.write_text(json.dumps({**record, field: value}))
    site.stack.restart_verifier()
    response = site.offline()
    assert response.status_code == 200, response.text[:300]
    assert response.json()["verdict"] == "undetermined"
    page = site.http.post(f"{site.stack.verifier_url}/offline", data={"qr": site.qr(), "challenge": ""},
                          follow_redirects=True)
    assert page.status_code == 200, page.status_code


def test_checks_in_flight_together_when_the_link_drops_start_one_30_s_wait_not_a_doubled_one() -> None:
    """Two inspections at the same moment (the verifier checks in threads), both fetches without an
    answer: one outage, one failure. Counting each would double the wait (N in flight: 30*2**(N-1) s,
    5 min from 5 on), and a withdrawal published after the server answers again would stay unseen,
    the held list answering VALID, that much longer."""
    institution = Institution()
    servers = Servers(institution)
    inner = servers._answer
    both_in = threading.Barrier(2, timeout=10)
    dropping = threading.Event()

    def answer(request: httpx.Request) -> httpx.Response:
        if dropping.is_set():
            both_in.wait()  # both requests are on the wire when the link drops
            raise fetch.DeadlineExceeded("no answer within the deadline", request=request)
        return inner(request)

    client = servers.client()
    client._http = httpx.Client(transport=httpx.MockTransport(answer))
    _online(servers, client, institution)
    dropping.set()
    threads = [threading.Thread(target=client, args=(_ref(), institution.entity, _at(400)), daemon=True)
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    dropping.clear()
    withdrawn = status_list.StatusList(1024, bits=2)
    withdrawn.set(5, status_list.INVALID)
    servers.tokens[URI] = status_list.sign_token(withdrawn, uri=URI, key=institution.key, x5c=institution.x5c,
                                                 iat=TS + 420, exp=TS + 86400, ttl=300)
    before = servers.asks(URI)
    outcome = client(_ref(), institution.entity, _at(431))  # 31 s after the (one) outage
    assert servers.asks(URI) == before + 1, "not asked 31 s after one outage: the wait was doubled"
    assert outcome.value == status_list.INVALID, outcome


def test_the_status_cache_is_readable_by_its_owner_alone_whatever_the_umask(institution: Institution,
                                                                            tmp_path: Path) -> None:
    """README: the verifier's data is readable by its own user only; ``esspass verifier prefetch`` run from
    an operator's shell (umask 022) wrote the status-list cache 0644 (which institutions' lists a laptop
    holds, and when it fetched them)."""
    import os
    import stat

    servers = Servers(institution)
    cache = tmp_path / "status-cache"
    old = os.umask(0o022)
    try:
        _online(servers, servers.client(cache), institution)
    finally:
        os.umask(old)
    written = list(cache.iterdir())
    assert written and {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o600}
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
