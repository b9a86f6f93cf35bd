"""The verifier's status list client: a held list is used only while the draft allows it (§8.3
step 4: not past its ``exp``), never rolled back to an older one, and fetching ahead (Status List
Aggregation, draft §9) from what a listed institution says never follows an institution to another
origin, and one institution's broken answer costs only that institution's lists.

The issuers here are stand-ins answering over ``httpx.MockTransport``: what is under test is which
requests the client makes (tests/test_offline_qr.py runs the real issuer and verifier).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from credentials import status_list, trust_list
from credentials.institutions import demo_entity
from credentials.pki import create_entity_ca, issue_document_signer
from esspass.status_client import Prefetched, StatusClient

NOW = datetime.now(UTC).replace(microsecond=0)
TS = int(NOW.timestamp())
URI = "https://issuer.example.lv/vsaa/status/1"
REF = status_list.StatusReference(5, URI)  # the document under test


def _entity(entity_id: str, status_lists: str | None = None) -> trust_list.ListedEntity:
    return trust_list.ListedEntity(id=entity_id, country=entity_id[:2], name=entity_id, name_en=entity_id,
                                   roles=frozenset({"pda1_issuer"}), certificates=(), status_history=(),
                                   status_lists=status_lists)


def _issuers(*entities: trust_list.ListedEntity) -> trust_list.TrustList:
    return trust_list.TrustList(kind="issuers", sequence=1, issued_at=NOW, next_update=NOW + timedelta(days=1),
                                entities=entities)


def _client(answers: dict[str, object], asked: list[str], cache_dir: Path | None = None) -> StatusClient:
    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        body = answers.get(str(request.url))
        return httpx.Response(200, json=body) if body is not None else httpx.Response(404)
    return StatusClient(httpx.Client(transport=httpx.MockTransport(answer)), cache_dir=cache_dir)


def test_an_aggregation_naming_other_origins_or_broken_uris_is_counted_not_followed() -> None:
    ska, vsaa = "https://issuer.example.ee/ska/status-lists", "https://issuer.example.lv/vsaa/status-lists"
    asked: list[str] = []
    client = _client({ska: {"status_lists": [
        "https://[::1",  # not a URL at all
        "https://issuer.example.ee:6379/status/1",  # the same host, another port
        "http://issuer.example.ee/status/1",  # the same host, another scheme
        "https://metadata.internal/status/1",  # another host
        42,
        "https://issuer.example.ee/" + "a" * 3000,  # too long a URI
    ]}}, asked)
    prepared = client.prefetch(_issuers(_entity("EE:SKA", ska), _entity("LV:VSAA", vsaa)), NOW)
    assert prepared == Prefetched(status_lists=0, failed=7, institutions=0)  # six refused, one 404
    assert sorted(asked) == [ska, vsaa]  # the next institution was still asked


def test_a_list_cannot_send_the_verifier_to_another_host_through_its_aggregation_uri(tmp_path: Path) -> None:
    """An institution signs its lists, but the aggregation_uri in them must be on the list's origin."""
    for name, aggregation in (("a", "http://169.254.169.254/latest/meta-data"),
                              ("b", "https://issuer.example.ee:8443/status-lists")):
        (tmp_path / f"{name}.json").write_text(json.dumps({
            "uri": "https://issuer.example.ee/status/1", "aggregation_uri": aggregation, "entity_id": "EE:SKA"}))
    asked: list[str] = []
    _client({}, asked, cache_dir=tmp_path).prefetch(_issuers(_entity("EE:SKA")), NOW)
    assert asked == []


def test_the_trust_list_says_where_an_institution_lists_its_lists_not_its_own_lists(tmp_path: Path) -> None:
    listed = "https://status.example.ee/ska/status-lists"
    (tmp_path / "a.json").write_text(json.dumps({
        "uri": "https://issuer.example.ee/status/1", "aggregation_uri": "https://issuer.example.ee/status-lists",
        "entity_id": "EE:SKA"}))
    asked: list[str] = []
    _client({listed: {"status_lists": []}}, asked, cache_dir=tmp_path).prefetch(
        _issuers(_entity("EE:SKA", listed)), NOW)
    assert asked == [listed]


# --- held lists: exp and rollback (draft §8.3 step 4) -------------------------------------------------


class Institution:
    """LV:VSAA as the trust list gives it (its CA), signing status lists with a document signer under it."""

    def __init__(self) -> None:
        entity = demo_entity("LV:VSAA")
        self.ca_key, self.ca = create_entity_ca(entity, now=NOW - timedelta(days=1))  # the CA signs a new key too
        self.key, leaf = issue_document_signer(entity, self.ca_key, self.ca, now=NOW - timedelta(days=1))
        self.x5c = [leaf]
        listed = trust_list.ListedCertificate(self.ca.public_bytes(Encoding.DER), trust_list.CA,
                                              NOW - timedelta(days=1), NOW + timedelta(days=365))
        self.entity = trust_list.ListedEntity(id=entity.id, country="LV", name=entity.id, name_en=entity.id,
                                              roles=frozenset({"pda1_issuer"}), certificates=(listed,),
                                              status_history=())

    def token(self, *, iat: int, exp: int, withdrawn: bool = False) -> str:
        lst = status_list.StatusList(1024, bits=2)
        if withdrawn:
            lst.set(REF.idx, status_list.INVALID)
        return status_list.sign_token(lst, uri=URI, key=self.key, x5c=self.x5c, iat=iat, exp=exp, ttl=300)


class StatusServer:
    """The institution's status endpoint: serves ``token`` with an ETag, answers 304 to a matching
    If-None-Match, or is unreachable while ``up`` is False."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.up = True

    def client(self, cache_dir: Path | None = None, *, max_age: int = 24 * 3600) -> StatusClient:
        return StatusClient(httpx.Client(transport=httpx.MockTransport(self._answer)), cache_dir=cache_dir,
                            max_age=max_age)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("offline", request=request)
        etag = f'"{hash(self.token)}"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"etag": etag})
        return httpx.Response(200, text=self.token, headers={"etag": etag,
                                                             "content-type": status_list.MEDIA_TYPE})


@pytest.fixture(scope="module")
def institution() -> Institution:
    return Institution()


def _at(seconds: int) -> datetime:
    return NOW + timedelta(seconds=seconds)


def test_a_status_list_past_its_exp_is_not_used_offline(institution: Institution) -> None:
    """The reviewer's case: a list valid ten minutes, then no network; an hour later it is no answer."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 600))
    client = server.client()
    assert client(REF, institution.entity, _at(60)).value == status_list.VALID
    server.up = False
    outcome = client(REF, institution.entity, _at(3600))
    assert (outcome.value, outcome.forged) == (None, False)  # undetermined, not a forgery
    assert outcome.message == "The status list has expired and no newer one could be fetched."


def test_a_status_list_past_its_exp_is_not_used_when_the_issuer_answers_not_modified(
        institution: Institution) -> None:
    """A 304 confirms the held token is the current one; it does not make an expired token valid."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 600))
    client = server.client()
    assert client(REF, institution.entity, _at(60)).value == status_list.VALID
    outcome = client(REF, institution.entity, _at(3600))
    assert (outcome.value, outcome.source, outcome.forged) == (None, "network", False)


def test_a_status_list_on_disk_past_its_exp_is_not_used_after_a_restart(institution: Institution,
                                                                        tmp_path: Path) -> None:
    """The disk copy is verified as of its fetch; it must still not be past its exp now."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 600))
    assert server.client(tmp_path)(REF, institution.entity, _at(60)).value == status_list.VALID
    server.up = False
    outcome = server.client(tmp_path)(REF, institution.entity, _at(3600))  # a restarted verifier
    assert (outcome.value, outcome.source, outcome.forged) == (None, "cache", False)


@pytest.mark.parametrize(("after_exp", "value"), [(59, status_list.VALID), (60, None)])
def test_a_held_status_list_is_used_until_its_exp_within_the_usual_clock_skew(
        institution: Institution, after_exp: int, value: int | None) -> None:
    """The same 60 s status_list.verify_token allows: a held copy stops when a fresh one would."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 600))
    client = server.client()
    client(REF, institution.entity, _at(60))
    server.up = False
    assert client(REF, institution.entity, _at(600 + after_exp)).value == value


def test_an_older_status_list_does_not_replace_a_newer_one(institution: Institution) -> None:
    """Rollback: a genuinely signed list from before the withdrawal, replayed by an attacker on the
    path or served by a stale mirror, must not bring the withdrawn document back."""
    older = institution.token(iat=TS - 3600, exp=TS + 20 * 3600)
    server = StatusServer(institution.token(iat=TS, exp=TS + 24 * 3600, withdrawn=True))
    client = server.client()
    assert client(REF, institution.entity, _at(10)).value == status_list.INVALID
    server.token = older
    replayed = client(REF, institution.entity, _at(20))
    assert (replayed.value, replayed.source) == (status_list.INVALID, "cache")
    assert client(REF, institution.entity, _at(30)).value == status_list.INVALID


def test_an_older_status_list_does_not_replace_the_newer_one_kept_on_disk_after_a_restart(
        institution: Institution, tmp_path: Path) -> None:
    """The high-water mark survives a restart: the disk holds the newer token."""
    older = institution.token(iat=TS - 3600, exp=TS + 20 * 3600)
    server = StatusServer(institution.token(iat=TS, exp=TS + 24 * 3600, withdrawn=True))
    assert server.client(tmp_path)(REF, institution.entity, _at(10)).value == status_list.INVALID
    server.token = older
    assert server.client(tmp_path)(REF, institution.entity, _at(20)).value == status_list.INVALID
    server.up = False  # and the newer one is still what a later restart finds
    assert server.client(tmp_path)(REF, institution.entity, _at(30)).value == status_list.INVALID


def _rotated_out_at(institution: Institution, closed: datetime) -> trust_list.ListedEntity:
    """LV:VSAA after ``esspass registry rotate`` at ``closed``: its signer key listed until then, not revoked."""
    leaf, ca = institution.x5c[0], institution.entity.certificates[0]
    rotated_out = trust_list.ListedCertificate(leaf.public_bytes(Encoding.DER), trust_list.SIGNER,
                                               NOW - timedelta(days=1), closed)
    return trust_list.ListedEntity(id="LV:VSAA", country="LV", name="LV:VSAA", name_en="LV:VSAA",
                                   roles=frozenset({"pda1_issuer"}), certificates=(ca, rotated_out),
                                   status_history=())


def test_a_status_list_signed_by_a_signer_key_after_its_rotation_makes_no_statement(
        institution: Institution) -> None:
    """The institution lists its signer keys. After a rotation the old key's window is closed but the
    key is not revoked: a list it signed since (an issuer not yet restarted with its new key) is not
    taken, so its word on a withdrawn document counts for nothing, yet nothing says it is forged: no
    statement (undetermined), not a failed status. With the key listed, the same list answers."""
    outcome = StatusServer(institution.token(iat=TS, exp=TS + 3600)).client()(
        REF, _rotated_out_at(institution, NOW - timedelta(hours=1)), _at(10))
    assert (outcome.value, outcome.source, outcome.forged) == (None, "network", False)
    assert "LV:VSAA rotated out the key that signed this status list" in outcome.message, outcome.message
    assert "not a revocation" in outcome.message and "signed after that" in outcome.message
    assert StatusServer(institution.token(iat=TS, exp=TS + 3600)).client()(
        REF, _signer_listed(institution), _at(10)).value == status_list.VALID


def test_a_key_rotated_out_cannot_backdate_a_status_list_into_its_old_window(institution: Institution) -> None:
    """The list's iat is the signer's to choose: a list first fetched after the key's window closed is
    not taken, whatever iat it claims (no statement: the key was not revoked)."""
    backdated = institution.token(iat=TS - 7200, exp=TS + 86400)  # two hours ago: inside the old window
    outcome = StatusServer(backdated).client()(REF, _rotated_out_at(institution, NOW - timedelta(hours=1)), _at(10))
    assert (outcome.value, outcome.forged) == (None, False)
    assert "fetched only after that" in outcome.message, outcome.message


# --- what is kept: the verified bytes and one newest-list record per URI (review of the status client) -----


def _cwt(institution: Institution, *, iat: int, exp: int, withdrawn: bool = False) -> bytes:
    lst = status_list.StatusList(1024, bits=2)
    if withdrawn:
        lst.set(REF.idx, status_list.INVALID)
    return status_list.sign_cwt_token(lst, uri=URI, key=institution.key, x5c=institution.x5c, iat=iat, exp=exp,
                                      ttl=300)


class TwoFormServer:
    """The institution's endpoint answering the JWT or, to ``Accept: application/statuslist+cwt``, the CWT."""

    def __init__(self, jwt: str | None, cwt: bytes | None) -> None:
        self.jwt, self.cwt = jwt, cwt

    def client(self, cache_dir: Path | None = None) -> StatusClient:
        return StatusClient(httpx.Client(transport=httpx.MockTransport(self._answer)), cache_dir=cache_dir)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if status_list.CWT_MEDIA_TYPE in request.headers["accept"]:
            return httpx.Response(200, content=self.cwt) if self.cwt is not None else httpx.Response(503)
        return httpx.Response(200, text=self.jwt) if self.jwt is not None else httpx.Response(503)


CWT_REF = status_list.StatusReference(REF.idx, URI, token_form=status_list.CWT)  # the same document's mdoc copy


def test_a_status_list_served_with_a_trailing_newline_is_still_held_after_a_restart(
        institution: Institution, tmp_path: Path) -> None:
    """A static file or a CDN adds "\\n" after the JWT: it verified live, so its disk copy must load
    again, and remain the newest list, when the verifier restarts offline or is served an older one."""
    server = StatusServer(institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True) + "\n")
    assert server.client(tmp_path)(REF, institution.entity, NOW).value == status_list.INVALID
    kept = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert not kept["token"].endswith("Cg==")  # base64 of "\n": the verified bytes, not the body as served
    server.up = False
    offline = server.client(tmp_path)(REF, institution.entity, NOW)
    assert (offline.value, offline.source) == (status_list.INVALID, "cache")
    server.up, server.token = True, institution.token(iat=TS - 3600, exp=TS + 80000)  # signed before the withdrawal
    assert server.client(tmp_path)(REF, institution.entity, NOW).value == status_list.INVALID


def test_a_copy_kept_with_its_trailing_newline_by_an_earlier_version_still_loads(
        institution: Institution, tmp_path: Path) -> None:
    server = StatusServer(institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True))
    server.client(tmp_path)(REF, institution.entity, NOW)
    path = next(tmp_path.glob("*.json"))
    record = json.loads(path.read_text())
    record["token"] = base64.b64encode(base64.b64decode(record["token"]) + b"\n").decode()
    path.write_text(json.dumps(record))
    server.up = False
    assert server.client(tmp_path)(REF, institution.entity, NOW).value == status_list.INVALID


def test_an_older_cwt_does_not_replace_a_newer_jwt_of_the_same_list(institution: Institution) -> None:
    """One list, two encodings: the mdoc copy of a withdrawn document is not brought back by a CWT
    signed an hour before the JWT that withdrew it; the newer JWT answers for it."""
    server = TwoFormServer(institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True),
                           _cwt(institution, iat=TS - 3600, exp=TS + 80000))
    client = server.client()
    assert client(REF, institution.entity, NOW).value == status_list.INVALID
    outcome = client(CWT_REF, institution.entity, NOW)
    assert (outcome.value, outcome.source) == (status_list.INVALID, "cache")


def test_the_newest_list_record_of_a_uri_survives_a_restart_without_the_list_itself(
        institution: Institution, tmp_path: Path) -> None:
    """The record is kept beside the cache: even with the newer JWT's copy gone, an older CWT served
    after a restart gives no statement rather than VALID."""
    server = TwoFormServer(institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True),
                           _cwt(institution, iat=TS - 3600, exp=TS + 80000))
    assert server.client(tmp_path)(REF, institution.entity, NOW).value == status_list.INVALID
    assert server.client(tmp_path)(CWT_REF, institution.entity, NOW).value == status_list.INVALID  # held JWT
    for copy in tmp_path.glob("*.json"):
        copy.unlink()
    outcome = server.client(tmp_path)(CWT_REF, institution.entity, NOW)
    assert (outcome.value, outcome.source) == (None, "none")
    assert "older status list" in outcome.message


def test_a_list_of_the_same_second_does_not_reinstate_a_withdrawn_entry(institution: Institution) -> None:
    """Two genuine lists signed within one second (a withdrawal between them): which came last cannot
    be told from iat, and a withdrawal is final, so the one withdrawing is kept."""
    server = StatusServer(institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True))
    client = server.client()
    assert client(REF, institution.entity, NOW).value == status_list.INVALID
    server.token = institution.token(iat=TS - 60, exp=TS + 86400)
    assert client(REF, institution.entity, _at(10)).value == status_list.INVALID
    # The other way round is a withdrawal within the same second: taken.
    server = StatusServer(institution.token(iat=TS - 60, exp=TS + 86400))
    client = server.client()
    assert client(REF, institution.entity, NOW).value == status_list.VALID
    server.token = institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True)
    assert client(REF, institution.entity, _at(10)).value == status_list.INVALID


def test_a_withdrawal_of_the_same_second_that_another_process_kept_on_disk_replaces_the_list_held(
        institution: Institution, tmp_path: Path) -> None:
    """The verifier's service holds a list in memory; `esspass verifier prefetch` (another process, the
    same cache directory) fetches a list of the same second that withdraws the document. The service
    reads it back, and keeps it rather than its own: which came last cannot be told, and a withdrawal
    is final (as when it fetches that list itself, above). It kept its own, VALID offline."""
    server = StatusServer(institution.token(iat=TS - 60, exp=TS + 86400))
    inspector = server.client(tmp_path)
    assert inspector(REF, institution.entity, NOW).value == status_list.VALID
    server.token = institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True)
    assert server.client(tmp_path)(REF, institution.entity, _at(10)).value == status_list.INVALID  # the prefetch
    server.up = False
    offline = inspector(REF, institution.entity, _at(20))
    assert (offline.value, offline.source) == (status_list.INVALID, "cache")


def test_a_newer_list_another_process_kept_on_disk_within_the_same_clock_tick_is_read(
        institution: Institution, tmp_path: Path) -> None:
    """A file system keeps a file's time in ticks (milliseconds, or whole seconds): a list written by
    `esspass verifier prefetch` within the tick of the service's own record has the same time, and the
    service, telling records apart by their time alone, never read it."""
    server = StatusServer(institution.token(iat=TS - 60, exp=TS + 86400))
    inspector = server.client(tmp_path)
    assert inspector(REF, institution.entity, NOW).value == status_list.VALID
    [record] = tmp_path.glob("*.json")
    written = record.stat()
    server.token = institution.token(iat=TS, exp=TS + 86400, withdrawn=True)
    assert server.client(tmp_path)(REF, institution.entity, _at(10)).value == status_list.INVALID  # the prefetch
    os.utime(record, ns=(written.st_atime_ns, written.st_mtime_ns))  # within the same tick
    server.up = False
    assert inspector(REF, institution.entity, _at(20)).value == status_list.INVALID


def test_a_cwt_of_the_same_second_does_not_reinstate_what_the_jwt_withdrew(institution: Institution) -> None:
    server = TwoFormServer(institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True),
                           _cwt(institution, iat=TS - 60, exp=TS + 86400))
    client = server.client()
    client(REF, institution.entity, NOW)
    assert client(CWT_REF, institution.entity, NOW).value == status_list.INVALID


def test_an_older_copy_of_the_same_list_in_the_other_form_is_taken(institution: Institution) -> None:
    """An issuer signs each form (and each worker its own copy) at its own time: a CWT signed a
    minute before the JWT, saying the same, answers from the network and is no rollback."""
    server = TwoFormServer(institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True),
                           _cwt(institution, iat=TS - 120, exp=TS + 80000, withdrawn=True))
    client = server.client()
    assert client(REF, institution.entity, NOW).value == status_list.INVALID
    outcome = client(CWT_REF, institution.entity, NOW)
    assert (outcome.value, outcome.source) == (status_list.INVALID, "network")


def test_an_older_list_from_before_a_suspension_does_not_lift_it(institution: Institution) -> None:
    """A replay of the list from before a suspension says VALID: refused, the held list answers."""
    suspended = status_list.StatusList(1024, bits=2)
    suspended.set(REF.idx, status_list.SUSPENDED)
    server = StatusServer(status_list.sign_token(suspended, uri=URI, key=institution.key, x5c=institution.x5c,
                                                 iat=TS - 60, exp=TS + 86400, ttl=300))
    client = server.client()
    assert client(REF, institution.entity, NOW).value == status_list.SUSPENDED
    server.token = institution.token(iat=TS - 3600, exp=TS + 86400)
    outcome = client(REF, institution.entity, NOW + timedelta(seconds=400))
    assert outcome.value == status_list.SUSPENDED and outcome.source == "cache"


# --- a held list speaks only while its signer is listed (draft §8.3, §11.3; review of the status cache) ---


def _signer_listed(institution: Institution, *, revoked: bool = False,
                   until: datetime | None = None) -> trust_list.ListedEntity:
    """LV:VSAA listing its CA and the key signing its status lists (``esspass registry revoke-key``
    sets ``revoked``; ``rotate`` closes the window at ``until``)."""
    leaf, ca = institution.x5c[0], institution.entity.certificates[0]
    signer = trust_list.ListedCertificate(leaf.public_bytes(Encoding.DER), trust_list.SIGNER,
                                          NOW - timedelta(days=1), until or NOW + timedelta(days=1), revoked=revoked)
    return trust_list.ListedEntity(id="LV:VSAA", country="LV", name="LV:VSAA", name_en="LV:VSAA",
                                   roles=frozenset({"pda1_issuer"}), certificates=(ca, signer), status_history=())


def test_a_held_list_signed_by_a_key_revoked_since_does_not_answer_offline(institution: Institution) -> None:
    """The registry marks the signer key compromised, and the institution's server is unreachable (or
    an attacker on the path blocks it): the held list is refused as the same token fetched now would
    be, as a forgery, never VALID."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    revoked = _signer_listed(institution, revoked=True)
    assert StatusServer(server.token).client()(REF, revoked, _at(20)).forged  # fetched now: refused
    server.up = False
    outcome = client(REF, revoked, _at(20))
    assert (outcome.value, outcome.source, outcome.forged) == (None, "cache", True)
    assert "revoked this document signer key" in outcome.message


def test_a_not_modified_answer_does_not_revalidate_a_list_signed_by_a_key_revoked_since(
        institution: Institution) -> None:
    """A 304 says the token is unchanged, not that its signer is still trusted: the held copy is not
    offered for revalidation, the token is fetched whole and refused as a fresh one is."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    outcome = client(REF, _signer_listed(institution, revoked=True), _at(20))
    assert (outcome.value, outcome.source, outcome.forged) == (None, "network", True)


def test_a_disk_copy_signed_by_a_key_revoked_since_does_not_answer_after_a_restart(
        institution: Institution, tmp_path: Path) -> None:
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    assert server.client(tmp_path)(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.up = False
    outcome = server.client(tmp_path)(REF, _signer_listed(institution, revoked=True), _at(20))  # restarted
    assert (outcome.value, outcome.forged) == (None, True)


def test_a_held_list_signed_by_a_key_rotated_out_and_then_revoked_is_a_forgery(institution: Institution) -> None:
    """Revocation wins over the rotation before it: the window closed, and then the key was marked
    compromised; the list held from before the rotation answers nothing."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.up = False
    outcome = client(REF, _signer_listed(institution, until=_at(15), revoked=True), _at(20))
    assert (outcome.value, outcome.forged) == (None, True) and "revoked" in outcome.message


# --- a key rotated out (not revoked) keeps what it signed while listed (review of the status cache) -------


def test_a_held_list_signed_before_its_key_was_rotated_out_still_answers_offline(institution: Institution) -> None:
    """``esspass registry rotate`` closes the old key's window: a normal key change, nothing compromised.
    A list it signed, and the verifier fetched, while it was listed keeps answering like any held list
    when the status server cannot be reached; a genuine, unwithdrawn A1 is not made INVALID by it."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.up = False
    outcome = client(REF, _signer_listed(institution, until=_at(15)), _at(20))
    assert (outcome.value, outcome.source, outcome.forged) == (status_list.VALID, "cache", False)


def test_a_not_modified_answer_still_confirms_a_list_signed_before_the_rotation(institution: Institution) -> None:
    """The registry rotated before the issuer switched keys: the issuer still serves the list the
    verifier holds, and its 304 keeps that list answering."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    outcome = client(REF, _signer_listed(institution, until=_at(15)), _at(20))
    assert (outcome.value, outcome.source, outcome.forged) == (status_list.VALID, "network", False)
    server.up = False  # the 304 at 20 s, after the window closed, is no fetch of a new list
    assert client(REF, _signer_listed(institution, until=_at(15)), _at(30)).value == status_list.VALID


def test_the_same_list_sent_again_without_an_etag_after_the_rotation_leaves_the_held_copy_answering(
        institution: Institution) -> None:
    """A server without ETags sends the held list whole again: refused as a new fetch (first fetched
    after the window closed), it adds nothing the held copy does not say, which answers."""
    server = TwoFormServer(institution.token(iat=TS, exp=TS + 86400), None)
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    outcome = client(REF, _signer_listed(institution, until=_at(15)), _at(20))
    assert (outcome.value, outcome.source, outcome.forged) == (status_list.VALID, "cache", False)


def test_a_list_the_old_key_signs_after_the_rotation_makes_no_statement_though_an_older_one_is_held(
        institution: Institution) -> None:
    """Between the rotation and the issuer's restart with its new key the old key signs newer lists:
    the held one is no longer the institution's latest word and the new one cannot be taken."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.token = institution.token(iat=TS + 20, exp=TS + 86400, withdrawn=True)
    outcome = client(REF, _signer_listed(institution, until=_at(15)), _at(30))
    assert (outcome.value, outcome.source, outcome.forged) == (None, "network", False)
    assert "signed after that" in outcome.message, outcome.message


def test_a_disk_copy_signed_before_the_rotation_answers_after_a_restart(institution: Institution,
                                                                        tmp_path: Path) -> None:
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    assert server.client(tmp_path)(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.up = False
    outcome = server.client(tmp_path)(REF, _signer_listed(institution, until=_at(15)), _at(20))  # restarted
    assert (outcome.value, outcome.source, outcome.forged) == (status_list.VALID, "cache", False)


def test_a_list_held_from_before_the_rotation_answers_only_within_max_age(institution: Institution) -> None:
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    client = server.client(max_age=3600)
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.up = False
    assert client(REF, _signer_listed(institution, until=_at(15)), _at(3600)).value == status_list.VALID
    outcome = client(REF, _signer_listed(institution, until=_at(15)), _at(3601))
    assert (outcome.value, outcome.source, outcome.forged) == (None, "none", False)


def test_a_held_list_fetched_after_its_key_was_rotated_out_does_not_answer(institution: Institution) -> None:
    """The verifier fetched the list with a trust list that did not show the rotation yet: the window
    had closed before the fetch, so the held copy speaks no more than a list fetched now would."""
    server = StatusServer(institution.token(iat=TS - 60, exp=TS + 86400))
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.up = False
    outcome = client(REF, _signer_listed(institution, until=_at(5)), _at(20))
    assert (outcome.value, outcome.forged) == (None, False)
    assert "rotated out the key" in outcome.message and "fetched only after that" in outcome.message


def test_a_held_list_whose_ca_is_no_longer_listed_does_not_answer_offline(institution: Institution) -> None:
    """Only the institution's CA certificates on the trust list anchor its lists (§11.3)."""
    server = StatusServer(institution.token(iat=TS, exp=TS + 86400))
    client = server.client()
    assert client(REF, institution.entity, _at(10)).value == status_list.VALID
    server.up = False
    unlisted = trust_list.ListedEntity(id="LV:VSAA", country="LV", name="LV:VSAA", name_en="LV:VSAA",
                                       roles=frozenset({"pda1_issuer"}), certificates=(), status_history=())
    outcome = client(REF, unlisted, _at(20))
    assert (outcome.value, outcome.forged) == (None, True)
    assert client(REF, institution.entity, _at(30)).value == status_list.VALID  # listed again: it answers


def test_the_rollback_mark_outlives_the_trust_in_the_list_that_set_it(institution: Institution) -> None:
    """After a revocation the institution signs with a new key: its newer list is taken, while an
    older one (a replay from before the withdrawal) is still refused though the list that set the
    newest iat no longer answers; no answer is VALID."""
    new_key, new_leaf = issue_document_signer(demo_entity("LV:VSAA"), institution.ca_key, institution.ca,
                                              now=NOW - timedelta(days=1))
    server = StatusServer(institution.token(iat=TS - 60, exp=TS + 86400, withdrawn=True))
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.INVALID
    old_key = _signer_listed(institution, revoked=True)
    rotated = dataclasses.replace(old_key, certificates=(*old_key.certificates, trust_list.ListedCertificate(
        new_leaf.public_bytes(Encoding.DER), trust_list.SIGNER, NOW - timedelta(days=1), NOW + timedelta(days=1))))
    server.token = status_list.sign_token(status_list.StatusList(1024, bits=2), uri=URI, key=new_key, x5c=[new_leaf],
                                          iat=TS - 3600, exp=TS + 86400, ttl=300)  # before the withdrawal
    replayed = client(REF, rotated, _at(20))  # genuinely signed, so no statement rather than a forgery
    assert (replayed.value, replayed.forged) == (None, False) and "older status list" in replayed.message
    withdrawn = status_list.StatusList(1024, bits=2)
    withdrawn.set(REF.idx, status_list.INVALID)
    server.token = status_list.sign_token(withdrawn, uri=URI, key=new_key, x5c=[new_leaf], iat=TS, exp=TS + 86400,
                                          ttl=300)
    assert client(REF, rotated, _at(30)).value == status_list.INVALID


# --- no held list answers past a newer one, whoever signed it (review of the status client, round 3) -----


class _ServerOfBothForms:
    """The institution's endpoint: the JWT, or the CWT to ``Accept: application/statuslist+cwt``, without
    ETags; unreachable while ``up`` is False."""

    def __init__(self, jwt: str | None, cwt: bytes | None) -> None:
        self.jwt, self.cwt, self.up = jwt, cwt, True

    def client(self, cache_dir: Path | None = None) -> StatusClient:
        return StatusClient(httpx.Client(transport=httpx.MockTransport(self._answer)), cache_dir=cache_dir)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("offline", request=request)
        body = self.cwt if status_list.CWT_MEDIA_TYPE in request.headers["accept"] else self.jwt
        if body is None:
            return httpx.Response(503)
        return httpx.Response(200, content=body) if isinstance(body, bytes) else httpx.Response(200, text=body)


def _withdrawn_with_old_key_after_a_rotation_seen_late(institution: Institution) -> tuple[_ServerOfBothForms,
                                                                                           StatusClient]:
    """The JWT (document valid) held from before the rotation at +15 s; the institution, not yet
    restarted with its new key, withdraws the document with the old one at +20 s, and the verifier,
    its trust list one refresh behind, takes that CWT at +30 s."""
    server = _ServerOfBothForms(institution.token(iat=TS, exp=TS + 86400), None)
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.cwt = _cwt(institution, iat=TS + 20, exp=TS + 86400, withdrawn=True)
    assert client(CWT_REF, _signer_listed(institution), _at(30)).value == status_list.INVALID
    return server, client


def test_a_held_list_does_not_answer_offline_past_a_newer_one_refused_since(institution: Institution) -> None:
    """Once the verifier sees the rotation the withdrawing CWT is refused (fetched after the window
    closed); the older JWT is not the institution's latest word, so offline there is no statement."""
    server, client = _withdrawn_with_old_key_after_a_rotation_seen_late(institution)
    server.up = False
    outcome = client(REF, _signer_listed(institution, until=_at(15)), _at(400))  # past the JWT's ttl
    assert (outcome.value, outcome.forged) == (None, False), outcome


def test_an_older_list_sent_again_does_not_answer_past_a_newer_one_refused_since(institution: Institution) -> None:
    """Online, the server (or an attacker on the path) sends the older JWT again: neither it nor the
    held copy of it answers past the newer, withdrawing CWT."""
    _, client = _withdrawn_with_old_key_after_a_rotation_seen_late(institution)
    outcome = client(REF, _signer_listed(institution, until=_at(15)), _at(400))
    assert (outcome.value, outcome.forged) == (None, False), outcome


def test_a_held_list_does_not_answer_past_a_newer_one_whose_key_was_revoked_since(institution: Institution) -> None:
    """The old key rotated out normally; the new key withdrew the document, and was revoked later: the
    list from before the rotation does not answer (below the newest iat seen), never VALID."""
    new_key, new_leaf = issue_document_signer(demo_entity("LV:VSAA"), institution.ca_key, institution.ca,
                                              now=NOW - timedelta(days=1))

    def rotated(new_key_revoked: bool) -> trust_list.ListedEntity:
        old = _signer_listed(institution, until=_at(15))
        return dataclasses.replace(old, certificates=(*old.certificates, trust_list.ListedCertificate(
            new_leaf.public_bytes(Encoding.DER), trust_list.SIGNER, _at(15), NOW + timedelta(days=1),
            revoked=new_key_revoked)))
    server = _ServerOfBothForms(institution.token(iat=TS, exp=TS + 86400), None)
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    withdrawn = status_list.StatusList(1024, bits=2)
    withdrawn.set(REF.idx, status_list.INVALID)
    server.cwt = status_list.sign_cwt_token(withdrawn, uri=URI, key=new_key, x5c=[new_leaf], iat=TS + 20,
                                            exp=TS + 86400, ttl=300)
    assert client(CWT_REF, rotated(False), _at(30)).value == status_list.INVALID
    server.up = False
    outcome = client(REF, rotated(True), _at(400))
    assert outcome.value is None, outcome


def test_within_its_ttl_a_held_list_does_not_answer_past_a_newer_one_in_the_other_form(
        institution: Institution) -> None:
    """The JWT is fresh (within its ttl), but the CWT of the same URI fetched since withdrew the
    document: offline, the newer one answers for both forms."""
    server = _ServerOfBothForms(institution.token(iat=TS, exp=TS + 86400), None)
    client = server.client()
    assert client(REF, institution.entity, _at(10)).value == status_list.VALID
    server.cwt = _cwt(institution, iat=TS + 20, exp=TS + 86400, withdrawn=True)
    assert client(CWT_REF, institution.entity, _at(30)).value == status_list.INVALID
    server.up = False
    assert client(REF, institution.entity, _at(40)).value == status_list.INVALID


def test_the_same_list_fetched_again_without_an_etag_keeps_when_it_was_first_fetched(
        institution: Institution) -> None:
    """Fetched whole again (no ETag) while the trust list does not show the rotation yet, the same list
    is still the one first fetched before the rotation: once the rotation is seen, it answers as a
    verifier that skipped the second fetch would have it answer."""
    server = _ServerOfBothForms(institution.token(iat=TS, exp=TS + 86400), None)
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID  # first fetched
    assert client(REF, _signer_listed(institution), _at(20)).value == status_list.VALID  # the same, again
    online = client(REF, _signer_listed(institution, until=_at(15)), _at(30))
    assert (online.value, online.forged) == (status_list.VALID, False), online
    server.up = False
    assert client(REF, _signer_listed(institution, until=_at(15)), _at(400)).value == status_list.VALID


def test_a_list_signed_by_a_key_not_yet_on_the_trust_list_makes_no_statement(institution: Institution) -> None:
    """The issuer signs with its new key right after the rotation; the verifier's trust list is one
    refresh behind: the list is no statement (undetermined), not a forgery, and the document is not
    made INVALID. A revoked key, or a list not under the institution's CA, stays a forgery."""
    new_key, new_leaf = issue_document_signer(demo_entity("LV:VSAA"), institution.ca_key, institution.ca,
                                              now=NOW - timedelta(days=1))
    server = _ServerOfBothForms(institution.token(iat=TS, exp=TS + 86400), None)
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.VALID
    server.jwt = status_list.sign_token(status_list.StatusList(1024, bits=2), uri=URI, key=new_key, x5c=[new_leaf],
                                        iat=TS + 400, exp=TS + 86400, ttl=300)
    outcome = client(REF, _signer_listed(institution), _at(420))
    assert (outcome.value, outcome.forged) == (None, False), outcome
    assert "not (yet) listed" in outcome.message, outcome.message
    revoked = StatusServer(institution.token(iat=TS, exp=TS + 86400)).client()(
        REF, _signer_listed(institution, revoked=True), _at(10))
    assert (revoked.value, revoked.forged) == (None, True)


def test_a_list_signed_by_a_key_the_trust_list_does_not_list_never_makes_a_withdrawn_document_valid(
        institution: Institution) -> None:
    """A key under the institution's CA that it does not list (an attacker's, or one not yet listed)
    signs a newer list reinstating the document: not taken, the held withdrawal still answers; with
    nothing held, no statement. Never VALID."""
    other_key, other_leaf = issue_document_signer(demo_entity("LV:VSAA"), institution.ca_key, institution.ca,
                                                  now=NOW - timedelta(days=1))
    server = _ServerOfBothForms(institution.token(iat=TS, exp=TS + 86400, withdrawn=True), None)
    client = server.client()
    assert client(REF, _signer_listed(institution), _at(10)).value == status_list.INVALID
    server.jwt = status_list.sign_token(status_list.StatusList(1024, bits=2), uri=URI, key=other_key,
                                        x5c=[other_leaf], iat=TS + 400, exp=TS + 86400, ttl=300)
    for verifier in (client, server.client()):  # one holding the withdrawal, one holding nothing
        outcome = verifier(REF, _signer_listed(institution), _at(420))
        assert outcome.value != status_list.VALID and not outcome.forged, outcome
    server.up = False
    assert client(REF, _signer_listed(institution), _at(430)).value == status_list.INVALID
