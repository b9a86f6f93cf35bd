"""The verifier's status list client: a held list is used only while the draft allows it (§8.3
step 4: not past its ``exp``), never rolled back to an older one, and fetching ahead (Status List
Aggregation, draft §9) from what a listed institution says never follows an institution to another
origin, and one institution's broken answer costs only that institution's lists.

The issuers here are stand-ins answering over ``httpx.MockTransport``: what is under test is which
requests the client makes (tests/test_offline_qr.py runs the real issuer and verifier).
"""

from __future__ import annotations

import json
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
        ca_key, ca = create_entity_ca(entity, now=NOW - timedelta(days=1))
        self.key, leaf = issue_document_signer(entity, ca_key, ca, now=NOW - timedelta(days=1))
        self.x5c = [leaf]
        listed = trust_list.ListedCertificate(ca.public_bytes(Encoding.DER), trust_list.CA, NOW - timedelta(days=1),
                                              NOW + timedelta(days=365))
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

    def client(self, cache_dir: Path | None = None) -> StatusClient:
        return StatusClient(httpx.Client(transport=httpx.MockTransport(self._answer)), cache_dir=cache_dir)

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


def test_a_status_list_signed_by_a_signer_key_rotated_out_is_not_trusted(institution: Institution) -> None:
    """The institution lists its signer keys; after a rotation (a suspected compromise, say), a list
    signed by the old key claiming a withdrawn document is valid again is refused as a forgery."""
    leaf = institution.x5c[0]
    ca = institution.entity.certificates[0]
    rotated_out = trust_list.ListedCertificate(leaf.public_bytes(Encoding.DER), trust_list.SIGNER,
                                               NOW - timedelta(days=1), NOW - timedelta(hours=1))
    entity = trust_list.ListedEntity(id="LV:VSAA", country="LV", name="LV:VSAA", name_en="LV:VSAA",
                                     roles=frozenset({"pda1_issuer"}), certificates=(ca, rotated_out),
                                     status_history=())
    outcome = StatusServer(institution.token(iat=TS, exp=TS + 3600)).client()(REF, entity, _at(10))
    assert (outcome.value, outcome.forged) == (None, True)
    listed = trust_list.ListedCertificate(leaf.public_bytes(Encoding.DER), trust_list.SIGNER,
                                          NOW - timedelta(days=1), NOW + timedelta(days=1))
    entity = trust_list.ListedEntity(id="LV:VSAA", country="LV", name="LV:VSAA", name_en="LV:VSAA",
                                     roles=frozenset({"pda1_issuer"}), certificates=(ca, listed), status_history=())
    assert StatusServer(institution.token(iat=TS, exp=TS + 3600)).client()(REF, entity, _at(10)).value == 0


def test_a_key_rotated_out_cannot_backdate_a_status_list_into_its_old_window(institution: Institution) -> None:
    """The list's iat is the signer's to choose: the key must be listed now, not at that iat."""
    leaf, ca = institution.x5c[0], institution.entity.certificates[0]
    rotated_out = trust_list.ListedCertificate(leaf.public_bytes(Encoding.DER), trust_list.SIGNER,
                                               NOW - timedelta(days=1), NOW - timedelta(hours=1))
    entity = trust_list.ListedEntity(id="LV:VSAA", country="LV", name="LV:VSAA", name_en="LV:VSAA",
                                     roles=frozenset({"pda1_issuer"}), certificates=(ca, rotated_out),
                                     status_history=())
    backdated = institution.token(iat=TS - 7200, exp=TS + 86400)  # two hours ago: inside the old window
    outcome = StatusServer(backdated).client()(REF, entity, _at(10))
    assert (outcome.value, outcome.forged) == (None, True)
