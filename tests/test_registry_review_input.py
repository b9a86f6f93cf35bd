"""The registry's admin API refuses what it could not store or a client could not use, and stores nothing.

What the registry publishes is signed and read by every wallet and verifier: a name with a control
character, a DNS name or path with a trailing line break, a status list endpoint no HTTP client can
fetch would be signed into the lists as they are. On PostgreSQL (the production database) a NUL
character in an id or a text is a database error: it must be a 4xx JSON answer, never a 500.

Each test runs on SQLite and, when ``ESSPASS_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL
database, against the real registry over loopback HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from credentials.institutions import Entity, Role
from credentials.pki import DemoPki, create_entity_ca
from esspass.db import make_engine
from esspass.testing import serve
from trust_registry.app import create_app
from trust_registry.seed import seed
from trust_registry.settings import READ, WRITE, RegistrySettings
from trust_registry.store import Registry

ADMIN = "registry-review-admin-token"
AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def http(request: pytest.FixtureRequest, registry_dir: Path, registry_pki: DemoPki,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A registry with the demo entities, on its own database, and a client to it: one per module and
    database (every test here but the last is a refusal that must change nothing, which each checks)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('registry-input') / 'registry.db'}"
    else:
        url = request.getfixturevalue("module_postgres_url")  # skips without ESSPASS_TEST_POSTGRES_URL
    engine = make_engine(url)
    try:
        seed(Registry(engine), registry_pki)
    finally:
        engine.dispose()
    settings = RegistrySettings(data_dir=registry_dir, database_url=url,
                                admin_tokens={ADMIN: [READ, WRITE, "name:review"]})
    with serve(create_app(settings)) as handle, httpx.Client(base_url=handle.url, timeout=10) as client:
        yield client


def _sequence(http: httpx.Client) -> int:
    return int(http.get("/admin/entities", headers=AUTH).json()["sequence"])


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _body(entity_id: str, roles: list[str], **extra: Any) -> dict[str, Any]:
    entity = Entity(entity_id, entity_id[:2], "Testa iestāde", "Test body", frozenset(Role(r) for r in roles),
                    entity_id.lower().replace(":", "-"))
    _key, ca = create_entity_ca(entity, now=datetime.now(UTC))
    return {"id": entity_id, "country": entity_id[:2], "name": "Testa iestāde", "name_en": "Test body",
            "roles": roles, "certificates": [{"pem": _pem(ca), "usage": "ca"}], **extra}


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["error"] == "invalid_request" and answer["field"] == field, answer


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Testa\x00iestāde"), ("name_en", "Test\x00body"), ("name", "Testa\x07iestāde"),
    ("name_en", "Test body\x1b[2J"),
    ("dns_name", "inspect.example.ee\n"), ("path", "ee-insp\n"),
])
def test_a_registration_with_a_control_character_or_trailing_line_break_is_refused_and_stores_nothing(
        http: httpx.Client, field: str, value: str) -> None:
    before = _sequence(http)
    response = http.post("/admin/entities", json=_body("EE:INSP", ["verifier"], **{field: value}), headers=AUTH)
    _refused(response, field)
    assert _sequence(http) == before
    assert http.get("/admin/entities/EE:INSP", headers=AUTH).status_code == 404


def test_a_claim_name_with_a_trailing_line_break_is_refused(http: httpx.Client) -> None:
    before = _sequence(http)
    response = http.put("/admin/entities/LV:VDI/may-request",
                        json={"may_request": {"urn:eudi:pda1:1": ["document_number\n"]}}, headers=AUTH)
    _refused(response, "may_request")
    assert _sequence(http) == before


@pytest.mark.parametrize("action", ["suspend", "withdraw"])
def test_a_reason_with_a_nul_or_control_character_is_refused_and_changes_nothing(http: httpx.Client,
                                                                                 action: str) -> None:
    before = _sequence(http)
    for reason in ("fraud\x00", "fraud\x1b[2J"):
        _refused(http.post(f"/admin/entities/LV:VSAA/{action}", json={"reason": reason}, headers=AUTH), "reason")
    assert http.get("/admin/entities/LV:VSAA/history", headers=AUTH).json()["status_now"] == "active"
    assert _sequence(http) == before


def test_a_key_revocation_reason_with_a_nul_is_refused_and_the_key_stays_trusted(http: httpx.Client) -> None:
    before = _sequence(http)
    kid = http.get("/admin/entities/LV:VSAA/history", headers=AUTH).json()["certificates"][0]["kid"]
    response = http.post(f"/admin/entities/LV:VSAA/keys/{kid}/revoke", json={"reason": "leaked\x00"}, headers=AUTH)
    _refused(response, "reason")
    assert _sequence(http) == before


@pytest.mark.parametrize("path", ["/admin/entities/LV:V%00SAA", "/admin/entities/LV:V%00SAA/history"])
def test_an_entity_id_with_a_nul_is_not_found_never_a_server_error(http: httpx.Client, path: str) -> None:
    response = http.get(path, headers=AUTH)
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("action", ["suspend", "reinstate", "withdraw"])
def test_a_change_to_an_entity_id_with_a_nul_is_not_found_never_a_server_error(http: httpx.Client,
                                                                               action: str) -> None:
    before = _sequence(http)
    response = http.post(f"/admin/entities/LV:V%00SAA/{action}", json={"reason": "x"}, headers=AUTH)
    assert response.status_code == 404, response.text
    assert response.json()["error"] == "not_found"
    for put in ("status-lists", "may-request"):
        body: dict[str, Any] = {"uri": None} if put == "status-lists" else {"may_request": {}}
        answer = http.put(f"/admin/entities/LV:V%00SAA/{put}", json=body, headers=AUTH)
        assert answer.status_code == 404 and answer.json()["error"] == "not_found", answer.text
    assert _sequence(http) == before


@pytest.mark.parametrize("uri", [
    "https:///status-lists",  # no host
    "https://:443/status-lists",  # no host either
    "https://issuer.example.ee:abc/status-lists",  # a port that is not a number
    "https://issuer.example.ee:99999/status-lists",  # a port out of range
    "https://issuer.example.ee:0/status-lists",  # a port no server listens on
    "https://issuer.example.ee/status-lists\x00",  # httpx: "Invalid non-printable ASCII character in URL"
    "https://issuer.example.ee/status-lists\x7f",
    "https://issuer.example.ee/\u202estatus-lists",  # a right-to-left override in what operators read
])
def test_a_status_list_endpoint_no_client_can_fetch_is_refused_and_not_published(http: httpx.Client,
                                                                                 uri: str) -> None:
    before = _sequence(http)
    response = http.put("/admin/entities/LV:VSAA/status-lists", json={"uri": uri}, headers=AUTH)
    _refused(response, "status_lists")
    assert _sequence(http) == before
    added = http.post("/admin/entities", json=_body("EE:SKA", ["pda1_issuer"], status_lists=uri), headers=AUTH)
    _refused(added, "status_lists")


def test_a_usable_status_list_endpoint_with_a_port_is_still_published(http: httpx.Client) -> None:
    uri = "https://issuer.example.lv:8443/lv-vsaa/status-lists"
    response = http.put("/admin/entities/LV:VSAA/status-lists", json={"uri": uri}, headers=AUTH)
    assert response.status_code == 200 and response.json()["status_lists"] == uri, response.text
