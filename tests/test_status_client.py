"""The verifier's status list client fetching ahead (Status List Aggregation, draft §9) from what a
listed institution says: it never follows an institution to another origin, and one institution's
broken answer costs only that institution's lists.

The issuers here are stand-ins answering over ``httpx.MockTransport``: what is under test is which
requests the client makes (tests/test_offline_qr.py runs the real issuer and verifier).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from credentials import trust_list
from esspass.status_client import Prefetched, StatusClient

NOW = datetime.now(UTC).replace(microsecond=0)


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
