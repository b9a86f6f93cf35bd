"""Issue #3: the trust registry service and store (real HTTP through ``esspass.testing.serve``).

Each test is named after the requirement it checks or the attack it refuses. The store tests run
on SQLite and, when ``ESSPASS_TEST_POSTGRES_URL`` is set, also on a fresh PostgreSQL database.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine

from credentials import pda1, pid, trust_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import (
    CredentialError,
    DataError,
    IssuerKeyError,
    IssuerSignatureError,
    IssuerTrustError,
    ProtocolError,
)
from credentials.institutions import DEMO_ENTITIES, Entity, Role, demo_entity
from credentials.jose import b64url_decode, b64url_encode, decode_jws
from credentials.pki import DemoPki, create_entity_ca, issue_document_signer
from credentials.x509 import spki_kid, x5c_header
from esspass.db import make_engine
from esspass.stack import Inspector, InspectorAuth, start_in_process, wallet_holding
from esspass.testing import ServerHandle, serve
from trust_registry.app import create_app
from trust_registry.client import REVALIDATE_AFTER
from trust_registry.seed import seed_data_dir
from trust_registry.settings import READ, WRITE, RegistrySettings, admin_token, admin_tokens
from trust_registry.store import Registry, metadata

ADMIN = "registry-admin-token-for-tests"
READER = "registry-reader-token-for-tests"


def _now() -> datetime:
    return datetime.now(UTC)


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _entity(entity_id: str, roles: frozenset[Role] = frozenset({Role.PDA1_ISSUER})) -> Entity:
    return Entity(entity_id, entity_id[:2], "Testa iestāde", "Test institution", roles,
                  entity_id.lower().replace(":", "-"))


def _expired_ca() -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Expired test CA")])
    now = _now()
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=800)).not_valid_after(now - timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(registry_dir: Path) -> Iterator[ServerHandle]:
    settings = RegistrySettings(data_dir=registry_dir, admin_tokens={
        ADMIN: [READ, WRITE, "name:ops-team"], READER: [READ]})
    with serve(create_app(settings)) as handle:
        yield handle


@pytest.fixture
def http(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def _sequence(http: httpx.Client) -> int:
    return int(http.get("/admin/entities", headers=_auth(READER)).json()["sequence"])


def _entity_body(entity_id: str, ca: x509.Certificate, **extra: Any) -> dict[str, Any]:
    return {"id": entity_id, "country": entity_id[:2], "name": "Testa iestāde", "name_en": "Test institution",
            "roles": ["pda1_issuer"], "certificates": [{"pem": _pem(ca), "usage": "ca"}], **extra}


def _issuers(http: httpx.Client, registry_pki: DemoPki) -> trust_list.TrustList:
    return trust_list.verify_trust_list(http.get("/lists/issuers").text, registry_root=registry_pki.root, now=_now(),
                                        kind="issuers")


# --- settings ------------------------------------------------------------------------------------


def test_settings_default_admin_token_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = RegistrySettings(data_dir=tmp_path)
    token = admin_token(settings)
    path = tmp_path / "registry" / "admin-token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(token) >= 32 and admin_token(settings) == token
    assert admin_tokens(settings) == {token: ("admin", frozenset({READ, WRITE}))}
    assert settings.pki_dir == tmp_path / "pki"
    assert settings.db_url("registry.db").endswith("registry.db")


def test_settings_tokens_map_to_scopes_and_a_name_that_is_not_the_token(tmp_path: Path) -> None:
    settings = RegistrySettings(data_dir=tmp_path, admin_tokens={"secret-token-0001": [READ],
                                                                 "secret-token-0002": [WRITE, "name:bob"]})
    tokens = admin_tokens(settings)
    assert tokens["secret-token-0002"] == ("bob", frozenset({WRITE}))
    who, scopes = tokens["secret-token-0001"]
    assert scopes == {READ} and "secret-token-0001" not in who


# --- admin API: authentication ------------------------------------------------------------------


def test_admin_api_without_a_token_is_401_invalid_token(http: httpx.Client) -> None:
    response = http.get("/admin/entities")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert "Bearer" in response.headers["www-authenticate"]
    for header in ({"Authorization": "Basic YWRtaW46YWRtaW4="}, _auth("guessed-token"), _auth(ADMIN[:-1])):
        refused = http.post("/admin/entities/LV:VSAA/suspend", json={"reason": "x"}, headers=header)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"


def test_admin_change_with_a_read_only_token_is_403_insufficient_scope(http: httpx.Client) -> None:
    before = _sequence(http)
    response = http.post("/admin/entities/LV:VSAA/suspend", json={"reason": "x"}, headers=_auth(READER))
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"
    assert _sequence(http) == before


def test_admin_happy_path_add_rotate_suspend_reinstate_withdraw(http: httpx.Client, registry_pki: DemoPki) -> None:
    entity = _entity("EE:HAPPY")
    key, ca = create_entity_ca(entity, now=_now())
    _signer_key, signer = issue_document_signer(entity, key, ca, now=_now())
    start = _sequence(http)
    body = _entity_body(entity.id, ca, certificates=[{"pem": _pem(ca), "usage": "ca"},
                                                     {"pem": _pem(signer), "usage": "signer"}])
    added = http.post("/admin/entities", json=body, headers=_auth(ADMIN))
    assert added.status_code == 201, added.text
    assert {c["usage"] for c in added.json()["certificates"]} == {"ca", "signer"}
    assert added.headers["cache-control"] == "no-store"
    _new_signer_key, new_signer = issue_document_signer(entity, key, ca, now=_now())
    rotated = http.post(f"/admin/entities/{entity.id}/certificates", headers=_auth(ADMIN),
                        json={"pem": _pem(new_signer), "usage": "signer", "rotate": True})
    assert rotated.status_code == 201, rotated.text
    for action in ("suspend", "reinstate", "withdraw"):
        response = http.post(f"/admin/entities/{entity.id}/{action}", json={"reason": f"test {action}"},
                             headers=_auth(ADMIN))
        assert response.status_code == 200, response.text
    assert _sequence(http) == start + 5
    listed = _issuers(http, registry_pki).entity(entity.id)
    assert listed is not None
    assert [p.status for p in listed.status_history] == ["active", "suspended", "active", "withdrawn"]
    history = http.get(f"/admin/entities/{entity.id}/history", headers=_auth(READER)).json()
    assert [a["action"] for a in history["audit"]] == ["add_entity", "rotate_certificate", "suspended", "active",
                                                       "withdrawn"]
    assert {a["who"] for a in history["audit"]} == {"api:ops-team"}
    assert [a["sequence"] for a in history["audit"]] == list(range(start + 1, start + 6))
    assert ADMIN not in json.dumps(history)
    assert [p["status"] for p in history["status_history"]] == ["active", "suspended", "active", "withdrawn"]
    # A withdrawal is final.
    again = http.post(f"/admin/entities/{entity.id}/reinstate", json={}, headers=_auth(ADMIN))
    assert again.status_code == 409 and again.json()["error"] == "conflict"


def test_an_operator_revokes_a_compromised_key_over_the_api(http: httpx.Client, registry_pki: DemoPki) -> None:
    """Recorded with its reason, published as revoked; a second time is a conflict, no reason a 400,
    an unknown key a 404, and a read-only token a 403."""
    entity = _entity("EE:LEAK")
    key, ca = create_entity_ca(entity, now=_now())
    _signer_key, signer = issue_document_signer(entity, key, ca, now=_now())
    added = http.post("/admin/entities", headers=_auth(ADMIN), json=_entity_body(
        entity.id, ca, certificates=[{"pem": _pem(ca), "usage": "ca"}, {"pem": _pem(signer), "usage": "signer"}]))
    assert added.status_code == 201, added.text
    kid = next(c["kid"] for c in added.json()["certificates"] if c["usage"] == "signer")
    url = f"/admin/entities/{entity.id}/keys/{kid}/revoke"
    assert http.post(url, json={"reason": "leaked"}, headers=_auth(READER)).status_code == 403
    assert http.post(url, json={"reason": " "}, headers=_auth(ADMIN)).status_code == 400
    assert http.post(f"/admin/entities/{entity.id}/keys/unknown/revoke", json={"reason": "x"},
                     headers=_auth(ADMIN)).status_code == 404
    revoked = http.post(url, json={"reason": "signing server broken into"}, headers=_auth(ADMIN))
    assert revoked.status_code == 200, revoked.text
    again = http.post(url, json={"reason": "again"}, headers=_auth(ADMIN))
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    listed = _issuers(http, registry_pki).entity(entity.id)
    assert listed is not None and [c.revoked for c in listed.certificates if c.kid == kid] == [True]
    audit = http.get(f"/admin/entities/{entity.id}/history", headers=_auth(READER)).json()["audit"][-1]
    assert audit["action"] == "revoke_key" and audit["detail"]["reason"] == "signing server broken into"


def test_an_institution_publishes_where_it_lists_its_status_lists(http: httpx.Client,
                                                                  registry_pki: DemoPki) -> None:
    """Status List Aggregation on the trust list: set on registration, changed, recorded once, cleared."""
    entity = _entity("EE:SLA")
    _key, ca = create_entity_ca(entity, now=_now())
    first = "https://issuer.example.ee/ska/status-lists"
    added = http.post("/admin/entities", json=_entity_body(entity.id, ca, status_lists=first), headers=_auth(ADMIN))
    assert added.status_code == 201, added.text
    listed = _issuers(http, registry_pki).entity(entity.id)
    assert listed is not None and listed.status_lists == first
    start = _sequence(http)
    moved = "https://status.example.ee/ska/status-lists"
    for _ in range(2):  # the second time it is unchanged: nothing is recorded
        response = http.put(f"/admin/entities/{entity.id}/status-lists", json={"uri": moved}, headers=_auth(ADMIN))
        assert response.status_code == 200 and response.json()["status_lists"] == moved
    assert _sequence(http) == start + 1
    history = http.get(f"/admin/entities/{entity.id}/history", headers=_auth(READER)).json()
    assert history["audit"][-1]["action"] == "set_status_lists"
    assert history["audit"][-1]["detail"] == {"status_lists": moved}
    cleared = http.put(f"/admin/entities/{entity.id}/status-lists", json={"uri": None}, headers=_auth(ADMIN))
    assert cleared.status_code == 200 and "status_lists" not in cleared.json()
    listed = _issuers(http, registry_pki).entity(entity.id)
    assert listed is not None and listed.status_lists is None


@pytest.mark.parametrize("uri", ["ftp://issuer.example.ee/status-lists", "/ska/status-lists", "not a url",
                                 "https://issuer.example.ee/" + "a" * 300, "https://issuer.example.ee/a b",
                                 "https://user:secret@issuer.example.ee/status-lists"])
def test_a_status_list_endpoint_that_is_not_an_http_url_is_refused(http: httpx.Client, uri: str) -> None:
    start = _sequence(http)
    response = http.put("/admin/entities/LV:VSAA/status-lists", json={"uri": uri}, headers=_auth(ADMIN))
    assert response.status_code in (400, 422), response.text
    assert response.json()["error"] == "invalid_request"
    assert _sequence(http) == start


def test_only_issuing_institutions_publish_status_lists(http: httpx.Client) -> None:
    response = http.put("/admin/entities/LV:VDI/status-lists", json={"uri": "https://vdi.example.lv/status-lists"},
                        headers=_auth(ADMIN))
    assert response.status_code == 400 and "status_lists" in response.json()["error_description"]
    missing = http.put("/admin/entities/EE:NOBODY/status-lists", json={"uri": None}, headers=_auth(ADMIN))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    reader = http.put("/admin/entities/LV:VSAA/status-lists", json={"uri": None}, headers=_auth(READER))
    assert reader.status_code == 403


def _without(may_request: Any, vct: str, claim: str) -> dict[str, list[str]]:
    """``may_request`` as a release whose inspection did not ask for ``claim`` of ``vct`` registered it."""
    return {k: [c for c in v if not (k == vct and c == claim)] for k, v in may_request.items()}


def test_a_claim_widened_into_a_registration_is_asked_only_once_wallets_can_have_fetched_the_list(
        tmp_path: Path) -> None:
    """A wallet keeps the verifiers list it fetched for the registry's max-age (REVALIDATE_AFTER) and
    refuses a request asking beyond it: the verifier asks for a newly allowed claim only after that
    long, and in the meantime leaves it out (the wallet holding the older list answers)."""
    person = DEMO_PERSONS[0]
    vdi = demo_entity("LV:VDI")
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=20) as http:
        admin = _auth(admin_token(RegistrySettings(data_dir=tmp_path)))
        url = f"{stack.registry_url}/admin/entities/LV:VDI/may-request"
        assert http.put(url, json={"may_request": _without(vdi.may_request, pid.VCT, "date_of_expiry")},
                        headers=admin).status_code == 200
        wallet = wallet_holding(stack, tmp_path, http, person)  # holds the narrower list
        service = stack.restart_verifier()
        try:
            http.auth = InspectorAuth(stack.inspector_token)
            inspector = Inspector(stack.verifier_url, http)

            def asks_expiry() -> bool:
                link = parse_qs(urlsplit(inspector.request("pda1")["link"]).query)
                request_object = http.get(link["request_uri"][0]).text
                query = decode_jws(request_object).payload["dcql_query"]
                pids = [cq for cq in query["credentials"] if pid.VCT in (cq.get("meta") or {}).get("vct_values", [])]
                return any("date_of_expiry" in claim["path"] for cq in pids for claim in cq.get("claims", []))

            assert not asks_expiry()  # the registration as the verifier first found it
            consent = wallet.open_request(inspector.request("pda1")["link"], "en")  # which the wallet answers
            wallet.share(consent.id)
            assert http.put(url, json={"may_request": {k: list(v) for k, v in vdi.may_request.items()}},
                            headers=admin).status_code == 200
            service.clock = lambda: datetime.now(UTC) + timedelta(seconds=REVALIDATE_AFTER + 1)  # list fetched again
            assert not asks_expiry(), "asked while wallets may still hold the list without it"
            service.clock = lambda: datetime.now(UTC) + timedelta(seconds=2 * REVALIDATE_AFTER + 2)
            assert asks_expiry()
        finally:
            wallet.http.close()


def test_an_operator_widens_what_an_inspectorate_may_request_over_the_api_and_a_wallet_then_answers(
        tmp_path: Path) -> None:
    """An inspectorate registered before its inspection asked for the PID's date_of_expiry: its
    verifier leaves that optional claim out of its requests (a wallet would refuse more than the list
    allows), and the wallet answers. The operator widens its claims over the admin API; the change is
    in its history, and once the wallet fetches the list again (the registry's max-age) it answers a
    request asking for the claim, and the PID's expiry is checked."""
    person = DEMO_PERSONS[0]
    vdi = demo_entity("LV:VDI")
    with start_in_process(tmp_path) as stack, httpx.Client(timeout=20) as http:
        admin = _auth(admin_token(RegistrySettings(data_dir=tmp_path)))
        url = f"{stack.registry_url}/admin/entities/LV:VDI/may-request"
        older = _without(vdi.may_request, pid.VCT, "date_of_expiry")
        assert http.put(url, json={"may_request": older}, headers=admin).status_code == 200
        wallet = wallet_holding(stack, tmp_path, http, person)
        try:
            http.auth = InspectorAuth(stack.inspector_token)
            inspector = Inspector(stack.verifier_url, http)
            narrow = inspector.request("pda1")
            consent = wallet.open_request(narrow["link"], "en")
            assert not [p for _, paths in consent.selection.values() for p in paths if "date_of_expiry" in p]
            wallet.share(consent.id)
            assert inspector.result(narrow)["verdict"]["verdict"] == "valid"

            widened = http.put(url, json={"may_request": {k: list(v) for k, v in vdi.may_request.items()}},
                               headers=admin)
            assert widened.status_code == 200, widened.text
            assert "date_of_expiry" in widened.json()["may_request"][pid.VCT]
            audit = http.get(f"{stack.registry_url}/admin/entities/LV:VDI/history", headers=admin).json()["audit"][-1]
            assert (audit["action"], audit["who"]) == ("set_may_request", "api:admin")
            assert audit["detail"]["added"] == {pid.VCT: ["date_of_expiry"]} and audit["detail"]["removed"] == {}

            wallet.trust.verifiers(datetime.now(UTC) + timedelta(seconds=REVALIDATE_AFTER + 1))  # minutes later
            request = inspector.request("pda1")
            consent = wallet.open_request(request["link"], "en")
            wallet.share(consent.id)
            verdict = inspector.result(request)["verdict"]
            assert verdict["verdict"] == "valid", verdict
            pid_result = next(c for c in verdict["credentials"] if c["query_id"] in ("pid", "pid_mdoc"))
            assert {s["code"]: s["result"] for s in pid_result["steps"]}["document_validity"] == "passed"
        finally:
            wallet.http.close()


@pytest.mark.parametrize(("entity_id", "body", "field"), [
    ("LV:VSAA", {"may_request": {pda1.VCT: ["document_number"]}}, "may_request"),  # an institution, no verifier
    ("LV:VDI", {"may_request": {"urn:example:unknown:1": ["document_number"]}}, "may_request"),
    ("LV:VDI", {"may_request": {pda1.VCT: ["document number"]}}, "may_request"),
    ("LV:VDI", {"may_request": {pda1.VCT: [f"claim_{i}" for i in range(101)]}}, "may_request"),
    ("LV:VDI", {"may_request": {pda1.VCT: "document_number"}}, "may_request"),
    ("LV:VDI", {"may_request": ["document_number"]}, "may_request"),
    ("LV:VDI", {"claims": {pda1.VCT: ["document_number"]}}, "may_request"),
], ids=["issuer", "unknown_type", "bad_claim_name", "too_many_claims", "claims_not_a_list", "not_an_object",
        "missing"])
def test_may_request_for_a_non_verifier_or_a_malformed_value_is_a_json_4xx_and_changes_nothing(
        http: httpx.Client, entity_id: str, body: dict[str, Any], field: str) -> None:
    start = _sequence(http)
    before = http.get(f"/admin/entities/{entity_id}", headers=_auth(READER)).json()
    response = http.put(f"/admin/entities/{entity_id}/may-request", json=body, headers=_auth(ADMIN))
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request" and field in response.json()["error_description"]
    assert _sequence(http) == start
    assert http.get(f"/admin/entities/{entity_id}", headers=_auth(READER)).json() == before


def test_may_request_needs_a_write_token_and_a_registered_entity_and_records_only_changes(
        http: httpx.Client, registry_pki: DemoPki) -> None:
    url = "/admin/entities/AT:FINPOL/may-request"
    current = http.get("/admin/entities/AT:FINPOL", headers=_auth(READER)).json()["may_request"]
    assert http.put(url, json={"may_request": current}, headers=_auth(READER)).status_code == 403
    assert http.put(url, json={"may_request": current}, headers={}).status_code == 401
    missing = http.put("/admin/entities/EE:NOBODY/may-request", json={"may_request": current}, headers=_auth(ADMIN))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    start = _sequence(http)
    assert http.put(url, json={"may_request": current}, headers=_auth(ADMIN)).status_code == 200  # unchanged
    assert _sequence(http) == start
    wider = {**current, pid.VCT: [*current[pid.VCT], "place_of_birth"]}
    assert http.put(url, json={"may_request": wider}, headers=_auth(ADMIN)).status_code == 200
    assert _sequence(http) == start + 1
    verifiers = trust_list.verify_trust_list(http.get("/lists/verifiers").text, registry_root=registry_pki.root,
                                             now=_now(), kind="verifiers")
    chain = registry_pki.access_x5c("AT:FINPOL")
    assert trust_list.authorised_verifier(verifiers, chain, {pid.VCT: ["place_of_birth"]}, at=_now())
    history = http.get("/admin/entities/AT:FINPOL/history", headers=_auth(READER)).json()["audit"][-1]
    assert (history["action"], history["who"], history["sequence"]) == ("set_may_request", "api:ops-team", start + 1)
    assert history["detail"]["added"] == {pid.VCT: ["place_of_birth"]}
    # Put back as it was: the registry is shared by this module's tests.
    assert http.put(url, json={"may_request": current}, headers=_auth(ADMIN)).json()["may_request"] == current
    assert http.get("/admin/entities/AT:FINPOL/history", headers=_auth(READER)).json()["audit"][-1]["detail"][
        "removed"] == {pid.VCT: ["place_of_birth"]}


@pytest.mark.browser
def test_anyone_reads_who_is_trusted_on_the_registrys_page_in_their_language(server: ServerHandle, http: httpx.Client,
                                                                             browser: Any) -> None:
    """The public page shows the published lists for people: names, countries, what each may do and
    its status now, in five languages, with the signed lists a click away."""
    entity = _entity("EE:PAGE")
    _key, ca = create_entity_ca(entity, now=_now())
    body = _entity_body(entity.id, ca, name="<script>alert(1)</script> Amet")
    assert http.post("/admin/entities", json=body, headers=_auth(ADMIN)).status_code == 201
    assert http.post(f"/admin/entities/{entity.id}/suspend", json={"reason": "key check"},
                     headers=_auth(ADMIN)).status_code == 200
    page = http.get("/?lang=en")
    assert page.status_code == 200 and "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script>alert(1)</script>" not in page.text  # escaped, never run
    tab = browser.new_context(locale="lv-LV").new_page()
    tab.goto(f"{server.url}/")
    assert tab.locator("html").get_attribute("lang") == "lv"  # the browser's language
    vsaa = tab.inner_text("#issuers #entity-LV\\:VSAA")
    assert "Latvija" in vsaa and "izsniegt portatīvos dokumentus A1" in vsaa and "aktīvs kopš" in vsaa
    assert "apturēts kopš" in tab.inner_text("#issuers #entity-EE\\:PAGE")
    assert "document_number" in tab.inner_text("#verifiers #entity-LV\\:VDI")  # what it may ask for
    tab.click("text=DE")
    assert "Portable Dokumente A1 ausstellen" in tab.inner_text("#issuers")
    for link in ("#root", "a[href='/lists/issuers']", "a[href='/lists/issuers.lote.jws']",
                 "a[href='/lists/issuers.lote.json']"):
        href = tab.get_attribute(link, "href")
        assert href is not None and http.get(href).status_code == 200
    tab.context.close()


def test_admin_listing_shows_status_now_and_sequence(http: httpx.Client) -> None:
    listing = http.get("/admin/entities", headers=_auth(READER)).json()
    by_id = {e["id"]: e for e in listing["entities"]}
    assert by_id["LV:VSAA"]["status_now"] in ("active", "suspended")
    assert "certificates" not in by_id["LV:VSAA"]
    assert isinstance(listing["sequence"], int)


# --- admin API: bad input is refused and nothing is stored --------------------------------------


def _bad_inputs(registry_pki: DemoPki) -> dict[str, tuple[dict[str, Any], int, str]]:
    ee = _entity("EE:BAD")
    _key, ca = create_entity_ca(ee, now=_now())
    other = _entity("EE:OTHER")
    other_key, other_ca = create_entity_ca(other, now=_now())
    _k, foreign_signer = issue_document_signer(other, other_key, other_ca, now=_now())
    return {
        "unknown_country": (_entity_body("EE:BAD", ca, country="US"), 400, "country"),
        "malformed_pem": (_entity_body("EE:BAD", ca, certificates=[
            {"pem": "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n", "usage": "ca"}]),
            400, "certificates.0.pem"),
        "not_pem_at_all": (_entity_body("EE:BAD", ca, certificates=[{"pem": "hello", "usage": "ca"}]), 400,
                           "certificates.0.pem"),
        "leaf_posing_as_ca": (_entity_body("EE:BAD", ca, certificates=[
            {"pem": _pem(registry_pki.signers["LV:VSAA"][1][0]), "usage": "ca"}]), 400, "certificates.0.pem"),
        "expired_certificate": (_entity_body("EE:BAD", ca, certificates=[{"pem": _pem(_expired_ca()),
                                                                          "usage": "ca"}]), 400, "certificates.0.pem"),
        "signer_of_another_entity": (_entity_body("EE:BAD", ca, certificates=[
            {"pem": _pem(ca), "usage": "ca"}, {"pem": _pem(foreign_signer), "usage": "signer"}]), 400,
            "certificates.1.pem"),
        "unknown_role": (_entity_body("EE:BAD", ca, roles=["emperor"]), 400, "roles"),
        "malformed_id": (_entity_body("EE:BAD", ca, id="nocolon"), 400, "id"),
        "id_prefix_not_its_country": (_entity_body("LV:FAKE", ca, country="EE"), 400, "id"),
        "duplicate_id": (_entity_body("LV:VSAA", ca), 409, ""),
        "certificate_of_another_entity": (_entity_body("EE:BAD", registry_pki.cas["LV:VSAA"][1]), 409, ""),
        "verifier_rights_for_an_issuer": (_entity_body("EE:BAD", ca, may_request={pda1.VCT: ["document_number"]}),
                                          400, "may_request"),
    }


@pytest.mark.parametrize("case", ["unknown_country", "malformed_pem", "not_pem_at_all", "leaf_posing_as_ca",
                                  "expired_certificate", "signer_of_another_entity", "unknown_role", "malformed_id",
                                  "id_prefix_not_its_country", "duplicate_id", "certificate_of_another_entity",
                                  "verifier_rights_for_an_issuer"])
def test_bad_input_is_a_4xx_json_and_stores_nothing(http: httpx.Client, registry_pki: DemoPki, case: str) -> None:
    body, status, field = _bad_inputs(registry_pki)[case]
    before = _sequence(http)
    entities_before = http.get("/admin/entities", headers=_auth(READER)).json()["entities"]
    tl_before = _issuers(http, registry_pki)
    response = http.post("/admin/entities", json=body, headers=_auth(ADMIN))
    assert response.status_code == status, response.text
    answer = response.json()
    if status == 409:
        assert answer["error"] == "conflict"
    else:
        assert answer["error"] == "invalid_request" and answer["field"] == field and answer["rule"]
    assert _sequence(http) == before
    assert http.get("/admin/entities", headers=_auth(READER)).json()["entities"] == entities_before
    assert _issuers(http, registry_pki).sequence == tl_before.sequence
    if case != "duplicate_id":
        assert http.get(f"/admin/entities/{body['id']}", headers=_auth(READER)).status_code == 404


def test_bad_certificate_rotation_is_refused_and_stores_nothing(http: httpx.Client, registry_pki: DemoPki) -> None:
    before = _sequence(http)
    for body in ({"pem": _pem(_expired_ca()), "usage": "ca", "rotate": True},
                 {"pem": _pem(registry_pki.signers["LV:VSAA"][1][0]), "usage": "ca"},
                 {"pem": _pem(registry_pki.cas["DE:DRV"][1]), "usage": "ca"},
                 {"pem": _pem(registry_pki.signers["DE:DRV"][1][0]), "usage": "signer"},
                 {"pem": _pem(registry_pki.cas["LV:NVD"][1]), "usage": "root"}):
        response = http.post("/admin/entities/LV:VSAA/certificates", json=body, headers=_auth(ADMIN))
        assert response.status_code in (400, 409), response.text
        assert "error" in response.json()
    missing = http.post("/admin/entities/XX:NONE/suspend", json={"reason": "x"}, headers=_auth(ADMIN))
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    no_reason = http.post("/admin/entities/LV:VSAA/suspend", json={"reason": "  "}, headers=_auth(ADMIN))
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    assert _sequence(http) == before


def test_garbage_bodies_are_4xx_json_never_500(http: httpx.Client) -> None:
    paths = ("/admin/entities", "/admin/entities/LV:VSAA/certificates", "/admin/entities/LV:VSAA/suspend")
    bodies = (b"", b"{", b"[]", b'{"pem": 5}', b"\xff\xfe", b'{"id": "' + b"A" * 5000 + b'"}',
              b'{"id":"EE:X","country":"EE","name":"x","roles":"verifier","certificates":[]}')
    for path in paths:
        for body in bodies:
            response = http.post(path, content=body, headers={**_auth(ADMIN), "Content-Type": "application/json"})
            assert 400 <= response.status_code < 500, (path, body[:20], response.status_code)
            assert "error" in response.json()


# --- publication --------------------------------------------------------------------------------


def test_published_lists_verify_against_the_pinned_root(http: httpx.Client, registry_pki: DemoPki) -> None:
    issuers = _issuers(http, registry_pki)
    verifiers = trust_list.verify_trust_list(http.get("/lists/verifiers").text, registry_root=registry_pki.root,
                                             now=_now(), kind="verifiers")
    assert issuers.entity("LV:VSAA") is not None and issuers.entity("LV:VDI") is None
    assert verifiers.entity("LV:VDI") is not None and verifiers.entity("LV:VSAA") is None
    assert {c.usage for c in issuers.entity("LV:VSAA").certificates} == {"ca", "signer"}  # type: ignore[union-attr]
    vdi = verifiers.entity("LV:VDI")
    assert vdi is not None and vdi.dns_name == "vdi.verifier.localhost"
    assert "document_number" in vdi.may_request[pda1.VCT]
    assert issuers.next_update - issuers.issued_at == timedelta(hours=24)


def test_the_wallet_providers_list_holds_only_wallet_providers(http: httpx.Client, registry_pki: DemoPki) -> None:
    providers = trust_list.verify_trust_list(http.get("/lists/wallet_providers").text,
                                             registry_root=registry_pki.root, now=_now(), kind="wallet_providers")
    assert "LV:ESSPASS-WALLET" in [e.id for e in providers.entities]
    assert all(e.roles == {"wallet_provider"} for e in providers.entities)
    assert _issuers(http, registry_pki).entity("LV:ESSPASS-WALLET") is None
    lote = http.get("/lists/wallet_providers.lote.json").json()["LoTE"]
    assert lote["ListAndSchemeInformation"]["LoTEType"] == "http://uri.etsi.org/19602/LoTEType/EUWalletProvidersList"
    service = lote["TrustedEntitiesList"][0]["TrustedEntityServices"][0]["ServiceInformation"]
    assert service["ServiceTypeIdentifier"] == "http://uri.etsi.org/19602/SvcType/WalletSolution/Issuance"
    _key, chain = registry_pki.signers["LV:ESSPASS-WALLET"]
    assert trust_list.authorised_wallet_provider(providers, chain, at=_now()).id == "LV:ESSPASS-WALLET"
    with pytest.raises(IssuerTrustError):  # an institution's signer is no wallet provider
        trust_list.authorised_wallet_provider(providers, registry_pki.signers["LV:VSAA"][1], at=_now())


def test_an_operator_lists_another_wallet_provider_whose_attestations_issuers_then_accept(
        http: httpx.Client, registry_pki: DemoPki) -> None:
    """A member state certifies another wallet solution: the registry admin adds its provider, it
    appears on the wallet providers list, and an attestation it signs passes an issuer's check."""
    from credentials import client_attestation

    entity = _entity("EE:WALLET", frozenset({Role.WALLET_PROVIDER}))
    key, ca = create_entity_ca(entity, now=_now())
    signer_key, signer = issue_document_signer(entity, key, ca, now=_now())
    added = http.post("/admin/entities", headers=_auth(ADMIN),
                      json=_entity_body(entity.id, ca, roles=["wallet_provider"]))
    assert added.status_code == 201, added.text
    providers = trust_list.verify_trust_list(http.get("/lists/wallet_providers").text,
                                             registry_root=registry_pki.root, now=_now(), kind="wallet_providers")
    assert providers.entity("EE:WALLET") is not None
    assert _issuers(http, registry_pki).entity("EE:WALLET") is None
    instance = ec.generate_private_key(ec.SECP256R1())
    ts = int(_now().timestamp())
    attestation = client_attestation.attest(signer_key, [signer], client_id="rahakott",
                                            instance_key=instance.public_key(), iat=ts, lifetime=300)
    pop = client_attestation.proof_of_possession(instance, audience="https://issuer.example/lv-vsaa", iat=ts)
    client = client_attestation.verify(attestation, pop, providers=providers, audience="https://issuer.example/lv-vsaa",
                                       now=_now())
    assert (client.client_id, client.provider_id) == ("rahakott", "EE:WALLET")
    suspended = http.post("/admin/entities/EE:WALLET/suspend", json={"reason": "certification lapsed"},
                          headers=_auth(ADMIN))
    assert suspended.status_code == 200, suspended.text
    providers = trust_list.verify_trust_list(http.get("/lists/wallet_providers").text,
                                             registry_root=registry_pki.root, now=_now(), kind="wallet_providers")
    with pytest.raises(ProtocolError):
        client_attestation.verify(attestation, client_attestation.proof_of_possession(
            instance, audience="https://issuer.example/lv-vsaa", iat=ts), providers=providers,
            audience="https://issuer.example/lv-vsaa", now=_now())


def test_root_pem_is_the_registry_root(http: httpx.Client, registry_pki: DemoPki) -> None:
    response = http.get("/root.pem")
    assert response.status_code == 200
    assert x509.load_pem_x509_certificate(response.content) == registry_pki.root


def test_tampered_list_is_refused_flipped_payload_character(http: httpx.Client, registry_pki: DemoPki) -> None:
    token = http.get("/lists/issuers").text
    header, payload, signature = token.split(".")
    i = len(payload) // 2
    flipped = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1:]
    with pytest.raises(CredentialError):
        trust_list.verify_trust_list(f"{header}.{flipped}.{signature}", registry_root=registry_pki.root, now=_now())
    # A well-formed but altered payload (an attacker adding a day of validity) fails the signature.
    body = json.loads(b64url_decode(payload))
    body["next_update"] += 86400
    forged = f"{header}.{b64url_encode(json.dumps(body).encode())}.{signature}"
    with pytest.raises(IssuerSignatureError):
        trust_list.verify_trust_list(forged, registry_root=registry_pki.root, now=_now())


def test_etag_if_none_match_304_and_cache_control(http: httpx.Client) -> None:
    first = http.get("/lists/issuers")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("application/trust-list+jwt")
    etag = first.headers["etag"]
    assert etag == f'"{trust_list.fingerprint(first.text)}"' and not etag.startswith("W/")
    cache_control = first.headers["cache-control"]
    assert cache_control.startswith("public, max-age=")
    assert 0 < int(cache_control.rsplit("=", 1)[1]) <= 300
    again = http.get("/lists/issuers", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    listed = http.get("/lists/issuers", headers={"If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304
    assert http.get("/lists/issuers", headers={"If-None-Match": '"stale-tag"'}).status_code == 200


def test_signed_list_is_cached_per_sequence_and_re_signed_after_a_change(http: httpx.Client) -> None:
    first = http.get("/lists/issuers")
    assert http.get("/lists/issuers").text == first.text  # not re-signed per request (ES256 is randomised)
    entity = _entity("EE:CACHE")
    _key, ca = create_entity_ca(entity, now=_now())
    assert http.post("/admin/entities", json=_entity_body(entity.id, ca), headers=_auth(ADMIN)).status_code == 201
    after = http.get("/lists/issuers", headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]


def test_sequence_bumps_on_each_change_and_is_published(http: httpx.Client, registry_pki: DemoPki) -> None:
    entity = _entity("EE:SEQ")
    _key, ca = create_entity_ca(entity, now=_now())
    start = _issuers(http, registry_pki).sequence
    assert http.post("/admin/entities", json=_entity_body(entity.id, ca), headers=_auth(ADMIN)).status_code == 201
    assert _issuers(http, registry_pki).sequence == start + 1
    http.post(f"/admin/entities/{entity.id}/suspend", json={"reason": "audit"}, headers=_auth(ADMIN))
    suspended = _issuers(http, registry_pki)
    assert suspended.sequence == start + 2
    assert suspended.entity(entity.id).status_at(_now() + timedelta(seconds=1)) == "suspended"  # type: ignore[union-attr]
    http.post(f"/admin/entities/{entity.id}/reinstate", json={}, headers=_auth(ADMIN))
    assert _issuers(http, registry_pki).sequence == start + 3


def test_lote_json_shape_etsi_ts_119_602(http: httpx.Client, registry_pki: DemoPki) -> None:
    response = http.get("/lists/issuers.lote.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    lote = response.json()["LoTE"]
    info = lote["ListAndSchemeInformation"]
    assert {"LoTEVersionIdentifier", "LoTESequenceNumber", "LoTEType", "SchemeOperatorName", "SchemeTerritory",
            "ListIssueDateTime", "NextUpdate", "DistributionPoints"} <= set(info)
    assert info["LoTESequenceNumber"] == _issuers(http, registry_pki).sequence
    assert info["DistributionPoints"][0].endswith("/lists/issuers.lote.jws")  # the signed form is distributed
    by_name = {e["TrustedEntityInformation"]["TETradeName"][0]["value"]: e for e in lote["TrustedEntitiesList"]}
    vsaa = by_name["LV:VSAA"]
    assert vsaa["TrustedEntityInformation"]["TEAddress"]["TEPostalAddress"][0]["Country"] == "LV"
    service = vsaa["TrustedEntityServices"][0]
    assert service["ServiceInformation"]["ServiceStatus"].startswith("http://uri.etsi.org/19602/")
    assert service["ServiceInformation"]["StatusStartingTime"].endswith("Z")
    assert service["ServiceInformation"]["ServiceDigitalIdentity"]["X509Certificates"][0]["val"]
    assert "ServiceHistory" not in service  # ETSI: earlier statuses only, and VSAA has had just one
    verifiers = http.get("/lists/verifiers.lote.json").json()["LoTE"]["TrustedEntitiesList"]
    assert {e["TrustedEntityInformation"]["TETradeName"][0]["value"] for e in verifiers} == {"LV:VDI", "AT:FINPOL"}
    etag = response.headers["etag"]
    assert http.get("/lists/issuers.lote.json", headers={"If-None-Match": etag}).status_code == 304


def test_an_entity_id_names_its_own_country_el_and_gr_alike(http: httpx.Client) -> None:
    """``LV:FAKE`` registered for Estonia would pass itself off as Latvian; Greece's two spellings match."""
    entity = _entity("EL:EFKA")
    _key, ca = create_entity_ca(entity, now=_now())
    refused = http.post("/admin/entities", json=_entity_body("LV:FAKE", ca, country="EE"), headers=_auth(ADMIN))
    assert refused.status_code == 400 and refused.json()["field"] == "id", refused.text
    assert "LV" in refused.json()["rule"] and "EE" in refused.json()["rule"]
    greek = http.post("/admin/entities", json=_entity_body("EL:EFKA", ca, country="GR"), headers=_auth(ADMIN))
    assert greek.status_code == 201, greek.text


# --- one key, one entity ------------------------------------------------------------------------------


def _certificate_for_key(public_key: ec.EllipticCurvePublicKey, *, subject: x509.Name,
                         issuer_key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None = None,
                         ca: bool = True) -> x509.Certificate:
    """A certificate for someone else's public key: nobody needs that key's private half to make one."""
    now = _now()
    usage = x509.KeyUsage(digital_signature=not ca, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                          encipher_only=False, decipher_only=False)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer or subject).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
            .add_extension(usage, critical=True)
            .sign(issuer_key, hashes.SHA256()))


def test_a_certificate_for_a_key_another_entity_lists_is_refused_409_key_already_registered(
        http: httpx.Client, registry_pki: DemoPki) -> None:
    """A rogue registering a certificate that carries VSAA's CA (or signer) public key, under its own
    name, would be taken for VSAA, and stay trusted once VSAA revoked that key."""
    vsaa_key, vsaa_ca = registry_pki.cas["LV:VSAA"]
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    forged_ca = _certificate_for_key(vsaa_ca.public_key(), subject=vsaa_ca.subject,  # type: ignore[arg-type]
                                     issuer_key=rogue_key)
    before = _sequence(http)
    refused = http.post("/admin/entities", json=_entity_body("EE:ROGUE", forged_ca), headers=_auth(ADMIN))
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "key_already_registered" and "LV:VSAA" in refused.json()["error_description"]
    assert _sequence(http) == before
    # Nor as a certificate added to an entity registered in its own right: CA or document signer.
    rogue = _entity("EE:ROGUE2")
    rogue_ca_key, rogue_ca = create_entity_ca(rogue, now=_now())
    assert http.post("/admin/entities", json=_entity_body(rogue.id, rogue_ca), headers=_auth(ADMIN)).status_code == 201
    vsaa_signer = registry_pki.signers["LV:VSAA"][1][0]
    forged_signer = _certificate_for_key(vsaa_signer.public_key(),  # type: ignore[arg-type]
                                         subject=vsaa_signer.subject, issuer=rogue_ca.subject,
                                         issuer_key=rogue_ca_key, ca=False)
    for body in ({"pem": _pem(forged_ca), "usage": "ca"}, {"pem": _pem(forged_signer), "usage": "signer"}):
        added = http.post(f"/admin/entities/{rogue.id}/certificates", json=body, headers=_auth(ADMIN))
        assert added.status_code == 409 and added.json()["error"] == "key_already_registered", added.text
    listed = _issuers(http, registry_pki)
    assert listed.entity("EE:ROGUE") is None
    assert [c.kid for c in listed.entity(rogue.id).certificates] == [spki_kid(rogue_ca)]  # type: ignore[union-attr]
    # The institution itself may list a renewed certificate for its own key.
    renewed = _certificate_for_key(vsaa_ca.public_key(), subject=vsaa_ca.subject, issuer_key=vsaa_key)  # type: ignore[arg-type]
    assert http.post("/admin/entities/LV:VSAA/certificates", json={"pem": _pem(renewed), "usage": "ca"},
                     headers=_auth(ADMIN)).status_code == 201


# --- the signed LoTE (ETSI TS 119 602, standards.md §8.2) ------------------------------------------------


def test_the_lote_is_served_signed_and_verifies_against_the_registry_root(http: httpx.Client,
                                                                          registry_pki: DemoPki) -> None:
    response = http.get("/lists/issuers.lote.jws")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/jose")
    token = response.text
    lote = trust_list.verify_lote(token, registry_root=registry_pki.root, now=_now())
    assert lote == http.get("/lists/issuers.lote.json").json()  # the readable form is the same content
    assert lote["LoTE"]["ListAndSchemeInformation"]["LoTESequenceNumber"] == _issuers(http, registry_pki).sequence
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header["alg"] == "ES256" and header["x5c"] and header["x5t#S256"] and isinstance(header["iat"], int)
    assert http.get("/lists/issuers.lote.jws").text == token  # signed once per list: the ETag holds
    assert http.get("/lists/issuers.lote.jws",
                    headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    # The public page links the signed form as the machine-readable list.
    assert 'href="/lists/issuers.lote.jws"' in http.get("/?lang=en").text


def test_a_tampered_or_foreign_lote_is_refused(http: httpx.Client, registry_pki: DemoPki) -> None:
    from credentials.pki import create_registry_root, issue_list_signer

    token = http.get("/lists/issuers.lote.jws").text
    header, payload, signature = token.split(".")
    body = json.loads(b64url_decode(payload))
    body["LoTE"]["ListAndSchemeInformation"]["NextUpdate"] = "2099-01-01T00:00:00Z"  # a longer life
    with pytest.raises(IssuerSignatureError):
        trust_list.verify_lote(f"{header}.{b64url_encode(json.dumps(body).encode())}.{signature}",
                               registry_root=registry_pki.root, now=_now())
    root_key, root = create_registry_root(now=_now())
    key, cert = issue_list_signer(root_key, root, now=_now())
    with pytest.raises(IssuerKeyError):  # a LoTE signed under another root
        trust_list.verify_lote(trust_list.sign_lote(body, key=key, x5c=[cert], signed_at=_now()),
                               registry_root=registry_pki.root, now=_now())
    with pytest.raises(CredentialError):  # the trust-list JWT is no LoTE, and the LoTE no trust list
        trust_list.verify_lote(http.get("/lists/issuers").text, registry_root=registry_pki.root, now=_now())
    with pytest.raises(CredentialError):
        trust_list.verify_trust_list(token, registry_root=registry_pki.root, now=_now())


def _services(lote: dict[str, Any], entity_id: str) -> list[dict[str, Any]]:
    for entity in lote["LoTE"]["TrustedEntitiesList"]:
        if entity["TrustedEntityInformation"]["TETradeName"][0]["value"] == entity_id:
            return list(entity["TrustedEntityServices"])
    return []


def _signed_lote(http: httpx.Client, registry_pki: DemoPki, kind: str = "issuers") -> dict[str, Any]:
    return trust_list.verify_lote(http.get(f"/lists/{kind}.lote.jws").text, registry_root=registry_pki.root,
                                  now=_now())


def test_lote_an_ehic_only_institution_is_not_listed_as_a_pda1_issuer(http: httpx.Client,
                                                                      registry_pki: DemoPki) -> None:
    """Each credential type has its own service type: a consumer selecting PDA1 issuers by type
    (standards.md §8.2) must not find the EHIC institution LV:NVD among them."""
    lote = _signed_lote(http, registry_pki)
    types = {entity_id: {svc["ServiceInformation"]["ServiceTypeIdentifier"] for svc in _services(lote, entity_id)}
             for entity_id in ("LV:VSAA", "LV:NVD", "LV:PID")}
    pda1_issuance = next(iter(types["LV:VSAA"]))
    assert types["LV:VSAA"] == {pda1_issuance} and "PDA1" in pda1_issuance
    assert pda1_issuance not in types["LV:NVD"] and len(types["LV:NVD"]) == 1 and "EHIC" in next(iter(types["LV:NVD"]))
    assert types["LV:PID"] == {"http://uri.etsi.org/19602/SvcType/PID/Issuance"}
    pda1_issuers = {e["TrustedEntityInformation"]["TETradeName"][0]["value"]
                    for e in lote["LoTE"]["TrustedEntitiesList"]
                    if any(svc["ServiceInformation"]["ServiceTypeIdentifier"] == pda1_issuance
                           for svc in e["TrustedEntityServices"])}
    assert {"LV:VSAA", "DE:DRV", "PL:ZUS"} <= pda1_issuers and not pda1_issuers & {"LV:NVD", "AT:OEGK"}
    nvd = _services(lote, "LV:NVD")[0]["ServiceInformation"]["ServiceInformationExtensions"][0]
    assert nvd["esspass:credentialType"] == "urn:eudi:ehic:1"
    verifiers = _signed_lote(http, registry_pki, "verifiers")["LoTE"]["ListAndSchemeInformation"]
    assert verifiers["LoTEType"].startswith("https://esspass.eu/")  # our own list type, not the PubEAA one


def test_lote_uses_only_the_profile_status_uris_and_a_suspension_goes_to_service_history(
        http: httpx.Client, registry_pki: DemoPki) -> None:
    notified = "http://uri.etsi.org/19602/PubEAAProvidersList/SvcStatus/notified"
    withdrawn = "http://uri.etsi.org/19602/PubEAAProvidersList/SvcStatus/withdrawn"
    entity = _entity("EE:LOTE")
    _key, ca = create_entity_ca(entity, now=_now())
    assert http.post("/admin/entities", json=_entity_body(entity.id, ca), headers=_auth(ADMIN)).status_code == 201
    assert http.post(f"/admin/entities/{entity.id}/suspend", json={"reason": "audit"},
                     headers=_auth(ADMIN)).status_code == 200
    lote = _signed_lote(http, registry_pki)
    statuses = {svc["ServiceInformation"].get("ServiceStatus") for e in lote["LoTE"]["TrustedEntitiesList"]
                for svc in e["TrustedEntityServices"]}
    statuses |= {h["ServiceStatus"] for e in lote["LoTE"]["TrustedEntitiesList"] for svc in e["TrustedEntityServices"]
                 for h in svc.get("ServiceHistory", [])}
    assert statuses <= {notified, withdrawn}
    suspended = _services(lote, entity.id)[0]
    assert suspended["ServiceInformation"]["ServiceStatus"] == withdrawn  # not to be trusted now
    assert suspended["ServiceInformation"]["ServiceInformationExtensions"][0]["esspass:status"] == "suspended"
    assert [h["ServiceStatus"] for h in suspended["ServiceHistory"]] == [notified]
    assert suspended["ServiceHistory"][0]["ServiceName"] and suspended["ServiceHistory"][0]["ServiceDigitalIdentity"]
    assert http.post(f"/admin/entities/{entity.id}/reinstate", json={}, headers=_auth(ADMIN)).status_code == 200
    reinstated = _services(_signed_lote(http, registry_pki), entity.id)[0]
    assert reinstated["ServiceInformation"]["ServiceStatus"] == notified
    assert [(h["ServiceStatus"], h["ServiceInformationExtensions"][0]["esspass:status"])
            for h in reinstated["ServiceHistory"]] == [(withdrawn, "suspended"), (notified, "active")]


def test_lote_leaves_out_certificates_rotated_out(http: httpx.Client, registry_pki: DemoPki) -> None:
    """As the signed list closes the old signer's window at the rotation, the LoTE (which has no
    windows: a consumer trusts every certificate it names) leaves the old signer out."""
    entity = _entity("EE:LROT")
    key, ca = create_entity_ca(entity, now=_now())
    _k, old_signer = issue_document_signer(entity, key, ca, now=_now())
    added = http.post("/admin/entities", headers=_auth(ADMIN), json=_entity_body(
        entity.id, ca, certificates=[{"pem": _pem(ca), "usage": "ca"}, {"pem": _pem(old_signer), "usage": "signer"}]))
    assert added.status_code == 201, added.text

    def listed() -> list[str]:
        svc = _services(_signed_lote(http, registry_pki), entity.id)[0]["ServiceInformation"]
        return [c["val"] for c in svc["ServiceDigitalIdentity"]["X509Certificates"]]

    def b64(cert: x509.Certificate) -> str:
        return x5c_header([cert])[0]

    assert listed() == [b64(ca), b64(old_signer)]
    _k2, new_signer = issue_document_signer(entity, key, ca, now=_now())
    rotated = http.post(f"/admin/entities/{entity.id}/certificates", headers=_auth(ADMIN),
                        json={"pem": _pem(new_signer), "usage": "signer", "rotate": True})
    assert rotated.status_code == 201, rotated.text
    assert listed() == [b64(ca), b64(new_signer)]
    assert b64(old_signer) not in json.dumps(http.get("/lists/issuers.lote.json").json())


# --- only the registry's list signer signs lists -------------------------------------------------------


def test_a_list_signed_by_another_certificate_under_the_registry_root_is_refused(
        http: httpx.Client, registry_pki: DemoPki) -> None:
    """The root may certify more than the list signer (a TLS server, an operator's tool): only a
    certificate with the tslSigning EKU (0.4.0.2231.3.0) speaks for the lists."""
    from cryptography.x509.oid import ExtendedKeyUsageOID

    assert registry_pki.root_key is not None
    genuine = _issuers(http, registry_pki)
    forged = trust_list.TrustList("issuers", genuine.sequence + 1, _now(), _now() + timedelta(days=1), ())
    for extra in ([], [x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])]):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tool")]))
        builder = (builder.issuer_name(registry_pki.root.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(_now() - timedelta(days=1)).not_valid_after(_now() + timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                                  critical=True))
        for ext in extra:
            builder = builder.add_extension(ext, critical=False)
        other = builder.sign(registry_pki.root_key, hashes.SHA256())
        token = trust_list.sign_trust_list(forged, key=key, x5c=[other])
        with pytest.raises(IssuerKeyError, match="not a trust list signer"):
            trust_list.verify_trust_list(token, registry_root=registry_pki.root, now=_now())
        with pytest.raises(IssuerKeyError, match="not a trust list signer"):
            trust_list.verify_lote(trust_list.sign_lote({"LoTE": {"ListAndSchemeInformation": {}}}, key=key,
                                                        x5c=[other], signed_at=_now()),
                                   registry_root=registry_pki.root, now=_now())


def test_a_demo_pki_whose_list_signer_predates_the_eku_gets_a_new_one_under_the_same_root(tmp_path: Path) -> None:
    """A PKI on disk from an earlier version: re-issued by the code that opens it, never by hand."""
    from credentials.institutions import DEMO_ENTITIES
    from credentials.pki import create_demo_pki, ensure_demo_pki, write_certificates, write_private_key

    demo = create_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=_now())
    assert demo.root_key is not None
    old_key = ec.generate_private_key(ec.SECP256R1())
    old = _certificate_for_key(old_key.public_key(), subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                                                             "old signer")]),
                               issuer=demo.root.subject, issuer_key=demo.root_key, ca=False)
    write_private_key(tmp_path / "pki" / "list-signer.key", old_key)
    write_certificates(tmp_path / "pki" / "list-signer.pem", [old])
    upgraded = ensure_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=_now())
    assert upgraded.root == demo.root and upgraded.list_signer[1] != old
    trust_list.check_list_signer_certificate(upgraded.list_signer[1])
    token = trust_list.sign_trust_list(trust_list.TrustList("issuers", 1, _now(), _now() + timedelta(days=1), ()),
                                       key=upgraded.list_signer[0], x5c=[upgraded.list_signer[1]])
    assert trust_list.verify_trust_list(token, registry_root=demo.root, now=_now()).sequence == 1


def test_the_registry_will_not_start_with_its_own_list_signer_lacking_the_eku(tmp_path: Path) -> None:
    from credentials.pki import create_registry_root, write_certificates, write_private_key

    root_key, root = create_registry_root(now=_now())
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate_for_key(key.public_key(), subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "s")]),
                                issuer=root.subject, issuer_key=root_key, ca=False)
    write_private_key(tmp_path / "signer.key", key)
    write_certificates(tmp_path / "signer.pem", [leaf])
    write_certificates(tmp_path / "root.pem", [root])
    with pytest.raises(DataError) as refused:
        RegistrySettings(data_dir=tmp_path, root_file=tmp_path / "root.pem",
                         list_signer_key_file=tmp_path / "signer.key",
                         list_signer_chain_file=tmp_path / "signer.pem").list_signer(_now())
    assert refused.value.field == "ESSPASS_REGISTRY_LIST_SIGNER_CHAIN_FILE" and "tslSigning" in refused.value.rule


def test_seed_lists_every_demo_institution_and_inspectorate(http: httpx.Client) -> None:
    ids = {e["id"] for e in http.get("/admin/entities", headers=_auth(READER)).json()["entities"]}
    assert {"LV:VSAA", "LV:NVD", "DE:DRV", "AT:OEGK", "PL:ZUS", "LV:PID", "LV:VDI", "AT:FINPOL"} <= ids


def test_a_verifier_asking_more_than_registered_is_refused(http: httpx.Client, registry_pki: DemoPki) -> None:
    now = _now()
    verifiers = trust_list.verify_trust_list(http.get("/lists/verifiers").text, registry_root=registry_pki.root,
                                             now=now, kind="verifiers")
    chain = registry_pki.access_x5c("AT:FINPOL")
    assert trust_list.authorised_verifier(verifiers, chain, {pda1.VCT: ["document_number"]}, at=now).id == "AT:FINPOL"
    with pytest.raises(IssuerTrustError, match="not registered to request"):
        trust_list.authorised_verifier(verifiers, chain, {"urn:eudi:ehic:1": ["document_number"]}, at=now)
    with pytest.raises(IssuerTrustError, match="place_of_birth"):
        trust_list.authorised_verifier(verifiers, chain, {"urn:eudi:pid:1": ["place_of_birth"]}, at=now)


def test_a_refused_request_names_every_type_and_claim_not_registered_at_once(
        http: httpx.Client, registry_pki: DemoPki) -> None:
    """An operator widening a registration learns all of it from one answer, not one item per try."""
    now = _now()
    verifiers = trust_list.verify_trust_list(http.get("/lists/verifiers").text, registry_root=registry_pki.root,
                                             now=now, kind="verifiers")
    chain = registry_pki.access_x5c("AT:FINPOL")
    asked = {"urn:eudi:ehic:1": ["document_number"], "urn:example:other:1": ["x"],
             "urn:eudi:pid:1": ["place_of_birth", "family_name"]}
    with pytest.raises(IssuerTrustError) as refused:
        trust_list.authorised_verifier(verifiers, chain, asked, at=now)
    message = refused.value.message
    assert "these credential types (urn:eudi:ehic:1, urn:example:other:1)" in message, message
    assert message.endswith("nor: place_of_birth"), message

def test_unknown_list_is_404_json(http: httpx.Client) -> None:
    for path in ("/lists/everyone", "/lists/everyone.lote.json"):
        response = http.get(path)
        assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_seed_is_idempotent(registry_dir: Path, http: httpx.Client) -> None:
    before = _sequence(http)
    seed_data_dir(registry_dir)
    assert _sequence(http) == before


def test_seed_publishes_the_demo_issuers_status_lists_and_follows_the_issuer_to_new_ports(
        engine: Engine, registry_pki: DemoPki) -> None:
    from trust_registry.seed import seed

    registry = Registry(engine)
    seed(registry, registry_pki)
    assert all(e.status_lists is None for e in registry.list_entities())
    before = registry.sequence()
    for url in ("https://localhost:8102", "https://localhost:9102", "https://localhost:9102"):
        seed(registry, registry_pki, issuer_url=url)
    entities = {e.id: e for e in registry.list_entities()}
    assert entities["LV:VSAA"].status_lists == "https://localhost:9102/lv-vsaa/status-lists"
    assert entities["LV:PID"].status_lists == "https://localhost:9102/lv-pid/status-lists"
    assert entities["LV:VDI"].status_lists is None
    issuing = sum(1 for e in entities.values() if e.roles & {"pda1_issuer", "ehic_issuer", "pid_provider"})
    assert registry.sequence() == before + 2 * issuing  # two moves; the third seed changed nothing


def test_seeding_an_existing_registry_widens_a_demo_inspectorate_and_leaves_an_operators_alone(
        engine: Engine, registry_pki: DemoPki) -> None:
    """A pilot data directory from a release whose inspection did not ask for the PID's
    date_of_expiry: seeding after the upgrade adds that claim to each demo inspectorate lacking it,
    recorded as the seed's change. An inspectorate whose claims an operator has set is theirs: the
    seed neither adds to it nor puts back a claim they removed."""
    from trust_registry.seed import SEED_WHO, seed

    registry = Registry(engine)
    older = tuple(dataclasses.replace(e, may_request={k: tuple(v) for k, v in _without(
        e.may_request, pid.VCT, "date_of_expiry").items()}) for e in DEMO_ENTITIES)
    seed(registry, registry_pki, older)
    finpol = {k: list(v) for k, v in demo_entity("AT:FINPOL").may_request.items()}
    operators = {**_without(finpol, pid.VCT, "date_of_expiry"), "urn:eudi:ehic:1": ["document_number"]}
    operators[pid.VCT] = [c for c in operators[pid.VCT] if c != "picture"]  # narrowed on purpose
    registry.set_may_request("AT:FINPOL", operators, who="api:ops-team")
    before = registry.sequence()
    seed(registry, registry_pki)
    verifiers = registry.build_list("verifiers", _now())
    vdi, at = verifiers.entity("LV:VDI"), verifiers.entity("AT:FINPOL")
    assert vdi is not None and at is not None
    assert vdi.may_request == {k: tuple(v) for k, v in demo_entity("LV:VDI").may_request.items()}
    assert at.may_request == {k: tuple(v) for k, v in operators.items()}  # neither widened nor "mended"
    assert registry.sequence() == before + 1
    audit = registry.history("LV:VDI")["audit"][-1]
    assert (audit["action"], audit["who"]) == ("set_may_request", SEED_WHO)
    assert audit["detail"]["added"] == {pid.VCT: ["date_of_expiry"]} and audit["detail"]["removed"] == {}
    seed(registry, registry_pki)
    assert registry.sequence() == before + 1  # nothing lacking any more: nothing recorded


@pytest.mark.parametrize("value", [None, [], 0, False, "", {pda1.VCT: []}])
def test_may_request_that_is_not_an_object_of_claim_lists_is_refused(engine: Engine, value: Any) -> None:
    """What the signed list publishes is an object of non-empty claim lists: null, an array or an
    empty grant is a mistake, not "may ask for nothing" (that is {}); a claim named twice is once."""
    registry = Registry(engine)
    entity = _entity("EE:INSP")
    _key, ca = create_entity_ca(entity, now=_now())
    registry.add_entity({"id": "EE:INSP", "country": "EE", "name": "Tööinspektsioon", "roles": ["verifier"],
                         "may_request": {pda1.VCT: ["document_number"]},
                         "certificates": [{"pem": _pem(ca), "usage": "ca"}]}, who="test")
    if value is None:
        registry.set_may_request("EE:INSP", {pda1.VCT: ["document_number", "document_number"]}, who="test")
        assert registry.show("EE:INSP")["may_request"] == {pda1.VCT: ["document_number"]}
        return
    with pytest.raises(DataError, match="may_request"):
        registry.set_may_request("EE:INSP", value, who="test")


def test_store_may_request_changes_only_a_verifiers_and_validates_as_on_registration(engine: Engine) -> None:
    registry = Registry(engine)
    _register(registry, "EE:ISSR", since=_now())
    before = registry.sequence()
    with pytest.raises(DataError, match="only verifiers"):
        registry.set_may_request("EE:ISSR", {pda1.VCT: ["document_number"]}, who="test")
    with pytest.raises(DataError, match="only verifiers"):
        registry.widen_may_request("EE:ISSR", {pda1.VCT: ["document_number"]}, who="test")
    with pytest.raises(ProtocolError) as missing:
        registry.set_may_request("EE:NONE", {}, who="test")
    assert missing.value.http_status == 404
    assert registry.sequence() == before and len(registry.history("EE:ISSR")["audit"]) == 1


# --- store (SQLite, and PostgreSQL when configured) ---------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'registry.db'}"
    else:
        url = request.getfixturevalue("postgres_url")  # a fresh database; skips without ESSPASS_TEST_POSTGRES_URL
    eng = make_engine(url)
    if request.param == "postgresql":
        metadata.drop_all(eng)
    try:
        yield eng
    finally:
        if request.param == "postgresql":
            metadata.drop_all(eng)
        eng.dispose()


def _register(registry: Registry, entity_id: str, *, since: datetime, signer: bool = False,
              ca_start: datetime | None = None) -> tuple[Entity, Any, x509.Certificate, x509.Certificate | None]:
    entity = _entity(entity_id)
    key, ca = create_entity_ca(entity, now=ca_start or since)
    leaf = issue_document_signer(entity, key, ca, now=ca_start or since)[1] if signer else None
    certs = [{"pem": _pem(ca), "usage": "ca"}] + ([{"pem": _pem(leaf), "usage": "signer"}] if leaf else [])
    registry.add_entity({"id": entity_id, "country": entity_id[:2], "name": "Testa", "roles": ["pda1_issuer"],
                         "certificates": certs}, who="test", since=since)
    return entity, key, ca, leaf


def test_store_history_key_valid_last_year_withdrawn_today(engine: Engine) -> None:
    registry = Registry(engine)
    today = _now().replace(microsecond=0)
    last_year = today - timedelta(days=365)
    _e, _key, _ca, signer = _register(registry, "EE:HIST", since=last_year, signer=True,
                                      ca_start=last_year - timedelta(days=1))
    assert signer is not None
    registry.withdraw("EE:HIST", who="test", reason="merged into another institution", since=today)
    tl = registry.build_list("issuers", today)
    granted = trust_list.authorised_issuer(tl, [signer], pda1.VCT, at=last_year + timedelta(hours=1), now=today)
    assert granted.entity.id == "EE:HIST" and granted.status_now == "withdrawn"
    with pytest.raises(IssuerTrustError, match="withdrawn"):
        trust_list.authorised_issuer(tl, [signer], pda1.VCT, at=today, now=today)
    history = registry.history("EE:HIST")
    assert [p["status"] for p in history["status_history"]] == ["active", "withdrawn"]
    assert history["status_history"][1]["reason"] == "merged into another institution"
    assert [(a["action"], a["who"]) for a in history["audit"]] == [("add_entity", "test"), ("withdrawn", "test")]
    assert history["status_now"] == "withdrawn"


def test_store_rotation_closes_the_previous_window(engine: Engine) -> None:
    registry = Registry(engine)
    now = _now().replace(microsecond=0)
    entity, _key, old_ca, old_signer = _register(registry, "EE:ROT", since=now - timedelta(days=30), signer=True,
                                              ca_start=now - timedelta(days=31))
    assert old_signer is not None
    new_key, new_ca = create_entity_ca(entity, now=now)
    with pytest.raises(ProtocolError, match="add-certificate"):  # its only signer is under the old CA
        registry.add_certificate("EE:ROT", _pem(new_ca), "ca", who="test", rotate=True)
    registry.add_certificate("EE:ROT", _pem(new_ca), "ca", who="test")
    new_signer = issue_document_signer(entity, new_key, new_ca, now=now)[1]
    registry.add_certificate("EE:ROT", _pem(new_signer), "signer", who="test", rotate=True)
    signers = [c for c in registry.build_list("issuers", now).entity("EE:ROT").certificates  # type: ignore[union-attr]
               if c.usage == "signer"]
    assert len(signers) == 2 and signers[0].not_after <= signers[1].not_before + timedelta(seconds=1)
    tl = registry.build_list("issuers", now)
    assert trust_list.authorised_issuer(tl, [old_signer], pda1.VCT, at=now - timedelta(days=1), now=now)
    with pytest.raises(IssuerTrustError, match="not listed"):
        trust_list.authorised_issuer(tl, [old_signer], pda1.VCT, at=now + timedelta(hours=1), now=now)
    registry.close_certificate("EE:ROT", spki_kid(old_ca), who="test")  # the new signer is under the new CA
    listed = registry.build_list("issuers", now).entity("EE:ROT")
    assert listed is not None
    old, new = [c for c in listed.certificates if c.usage == "ca"]
    assert old.not_after <= _now() and new.not_after > _now()


def test_store_revoking_a_key_revokes_it_under_every_entity_that_lists_it(engine: Engine) -> None:
    """A database from before keys were one entity's only may list an institution's CA key under a
    rogue entity too. The chain is then ambiguous (refused), and revoking the key at the institution
    revokes the rogue's copy as well: nothing signed with it is trusted under either name."""
    from trust_registry.store import AuditRow, CertificateRow

    registry = Registry(engine)
    now = _now().replace(microsecond=0)
    _e, _key, ca, signer = _register(registry, "EE:INST", since=now - timedelta(days=2), signer=True,
                                    ca_start=now - timedelta(days=3))
    _register(registry, "EE:RGUE", since=now - timedelta(days=2), ca_start=now - timedelta(days=3))
    assert signer is not None
    copy = _certificate_for_key(ca.public_key(), subject=ca.subject,  # type: ignore[arg-type]
                                issuer_key=ec.generate_private_key(ec.SECP256R1()))
    with registry.sessions.begin() as s:  # as an older registry would have let it in
        s.add(CertificateRow(entity_id="EE:RGUE", der=copy.public_bytes(serialization.Encoding.DER), usage="ca",
                             not_before=now - timedelta(days=1), not_after=copy.not_valid_after_utc))
    with pytest.raises(IssuerTrustError, match="more than one institution"):
        trust_list.authorised_issuer(registry.build_list("issuers", now), [signer], pda1.VCT, at=now, now=now)
    registry.revoke_key("EE:INST", spki_kid(ca), who="test", reason="CA key stolen")
    tl = registry.build_list("issuers", now)
    copies = [c for e in tl.entities for c in e.certificates if c.kid == spki_kid(ca)]
    assert len(copies) == 2 and all(c.revoked for c in copies)
    for chain in ([signer], [signer, ca]):
        with pytest.raises(IssuerTrustError):
            trust_list.authorised_issuer(tl, chain, pda1.VCT, at=now - timedelta(days=1), now=now)
    rogue_audit = registry.history("EE:RGUE")["audit"][-1]
    assert rogue_audit["action"] == "revoke_key" and rogue_audit["detail"]["revoked_via"] == "EE:INST"
    assert registry.history("EE:INST")["audit"][-1]["detail"]["also_listed_by"] == ["EE:RGUE"]
    with registry.sessions() as s:
        assert s.query(AuditRow).filter(AuditRow.action == "revoke_key").count() == 2


def test_store_a_suspension_in_force_refuses_even_older_credentials(engine: Engine) -> None:
    registry = Registry(engine)
    now = _now().replace(microsecond=0)
    _e, _key, _ca, signer = _register(registry, "EE:SUSP", since=now - timedelta(days=30), signer=True,
                                      ca_start=now - timedelta(days=31))
    assert signer is not None
    registry.suspend("EE:SUSP", who="test", reason="key under investigation", since=now)
    with pytest.raises(IssuerTrustError, match="suspended"):
        trust_list.authorised_issuer(registry.build_list("issuers", now), [signer], pda1.VCT,
                                     at=now - timedelta(days=10), now=now)
    registry.reinstate("EE:SUSP", who="test", reason="cleared", since=now + timedelta(seconds=1))
    later = now + timedelta(seconds=2)
    assert trust_list.authorised_issuer(registry.build_list("issuers", later), [signer], pda1.VCT,
                                        at=now - timedelta(days=10), now=later).entity.id == "EE:SUSP"


def test_a_chain_of_only_self_signed_certificates_is_refused_not_crashed(engine: Engine) -> None:
    registry = Registry(engine)
    now = _now().replace(microsecond=0)
    _e, _key, ca, _signer = _register(registry, "EE:SELF", since=now - timedelta(days=1))
    with pytest.raises(CredentialError, match="no signing certificate"):
        trust_list.authorised_issuer(registry.build_list("issuers", now), [ca], pda1.VCT, at=now, now=now)


def test_store_failed_change_leaves_no_trace(engine: Engine) -> None:
    registry = Registry(engine)
    now = _now()
    _register(registry, "EE:ONE", since=now)
    before = registry.sequence()
    entity = _entity("EE:TWO")
    _key, ca = create_entity_ca(entity, now=now)
    with pytest.raises(DataError):
        registry.add_entity({"id": "EE:TWO", "country": "EE", "name": "x", "roles": ["pda1_issuer"],
                             "certificates": [{"pem": _pem(ca), "usage": "ca"}, {"pem": "garbage", "usage": "ca"}]},
                            who="test")
    with pytest.raises(ProtocolError) as conflict:
        registry.add_entity({"id": "EE:ONE", "country": "EE", "name": "x", "roles": ["pda1_issuer"],
                             "certificates": [{"pem": _pem(ca), "usage": "ca"}]}, who="test")
    assert conflict.value.http_status == 409
    with pytest.raises(ProtocolError):
        registry.reinstate("EE:ONE", who="test")  # already active
    with pytest.raises(DataError):
        registry.suspend("EE:ONE", who="test", reason="back-dated", since=now - timedelta(days=400))
    assert registry.sequence() == before
    assert [e.id for e in registry.list_entities()] == ["EE:ONE"]
    assert len(registry.history("EE:ONE")["audit"]) == 1


def test_store_concurrent_changes_each_get_their_own_sequence_number(engine: Engine) -> None:
    registry = Registry(engine)
    now = _now()
    ids = [f"EE:C{i}" for i in range(6)]
    for entity_id in ids:
        _register(registry, entity_id, since=now)
    start = registry.sequence()
    errors: list[BaseException] = []

    def flip(entity_id: str) -> None:
        try:
            for _ in range(3):
                registry.suspend(entity_id, who="test", reason="drill")
                registry.reinstate(entity_id, who="test")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=flip, args=(entity_id,)) for entity_id in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert registry.sequence() == start + 6 * 6
    sequences = [a["sequence"] for entity_id in ids for a in registry.history(entity_id)["audit"][1:]]
    assert sorted(sequences) == list(range(start + 1, start + 37))


def test_store_lists_split_issuers_and_verifiers(engine: Engine) -> None:
    registry = Registry(engine)
    now = _now()
    _register(registry, "EE:ISS", since=now)
    inspect = _entity("EE:INSP", frozenset({Role.VERIFIER}))
    _key, ca = create_entity_ca(inspect, now=now)
    registry.add_entity({"id": "EE:INSP", "country": "EE", "name": "Tööinspektsioon", "roles": ["verifier"],
                         "dns_name": "insp.verifier.localhost",
                         "may_request": {pda1.VCT: ["document_number"]},
                         "certificates": [{"pem": _pem(ca), "usage": "ca"}]}, who="test")
    issuers, verifiers = registry.build_list("issuers", now), registry.build_list("verifiers", now)
    assert [e.id for e in issuers.entities] == ["EE:ISS"]
    assert [e.id for e in verifiers.entities] == ["EE:INSP"]
    assert verifiers.entities[0].may_request == {pda1.VCT: ("document_number",)}
    assert issuers.sequence == verifiers.sequence == registry.sequence() == 2


def test_cli_admin_works_on_the_same_database(tmp_path: Path) -> None:
    import subprocess

    from esspass.testing import run_cli

    env = {**os.environ, "ESSPASS_DATA_DIR": str(tmp_path)}
    env.pop("ESSPASS_REGISTRY_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_cli(["registry", *args], env=env)  # as a process: tests/test_registry_onboarding.py

    assert run("seed").returncode == 0
    entity = _entity("EE:CLI")
    _key, ca = create_entity_ca(entity, now=_now())
    (tmp_path / "ca.pem").write_text(_pem(ca))
    added = run("add", "--id", "EE:CLI", "--country", "EE", "--name", "Klient", "--role", "pda1_issuer",
                "--ca-pem", str(tmp_path / "ca.pem"))
    assert added.returncode == 0, added.stderr
    refused = run("add", "--id", "EE:CLI2", "--country", "ZZ", "--name", "x", "--role", "pda1_issuer",
                  "--ca-pem", str(tmp_path / "ca.pem"))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr and "country" in refused.stderr
    published = run("status-lists", "EE:CLI", "https://issuer.example.ee/cli/status-lists")
    assert published.returncode == 0 and "https://issuer.example.ee/cli/status-lists" in published.stdout
    assert json.loads(run("show", "EE:CLI").stdout)["status_lists"] == "https://issuer.example.ee/cli/status-lists"
    refused = run("status-lists", "EE:CLI", "ftp://x")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr and "status_lists" in refused.stderr
    assert run("status-lists", "EE:CLI", "--clear").returncode == 0
    assert "status_lists" not in json.loads(run("show", "EE:CLI").stdout)
    assert run("withdraw", "EE:CLI", "--reason", "test").returncode == 0
    history = json.loads(run("history", "EE:CLI").stdout)
    assert history["audit"][-1]["who"].startswith("cli:") and history["audit"][-1]["action"] == "withdrawn"
    assert "withdrawn" in run("list").stdout


def test_store_adopts_the_first_schema_once(tmp_path: Path) -> None:
    """A data dir seeded by the first registry version keeps its status history and sequence number."""
    from sqlalchemy import text

    eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    now = _now().replace(microsecond=0)
    entity = _entity("EE:OLD")
    _key, ca = create_entity_ca(entity, now=now)
    with eng.begin() as conn:  # the tables as the first version made them
        conn.execute(text("CREATE TABLE registry_entities (id VARCHAR(20) PRIMARY KEY, country VARCHAR(2), "
                          "name VARCHAR(200), name_en VARCHAR(200), roles JSON, dns_name VARCHAR(200), "
                          "path VARCHAR(64), may_request JSON)"))
        conn.execute(text("CREATE TABLE registry_certificates (id INTEGER PRIMARY KEY, entity_id VARCHAR(20), "
                          "der BLOB, usage VARCHAR(8), not_before DATETIME, not_after DATETIME)"))
        conn.execute(text("CREATE TABLE registry_status (id INTEGER PRIMARY KEY, entity_id VARCHAR(20), "
                          "status VARCHAR(10), since DATETIME, reason VARCHAR(300))"))
        conn.execute(text("CREATE TABLE registry_sequence (id INTEGER PRIMARY KEY, value INTEGER)"))
    with eng.begin() as conn:
        conn.execute(metadata.tables["registry_entities"].insert().values(
            id="EE:OLD", country="EE", name="Vana", name_en="Old", roles=["pda1_issuer"], may_request={}))
        conn.execute(metadata.tables["registry_certificates"].insert().values(
            entity_id="EE:OLD", der=ca.public_bytes(serialization.Encoding.DER), usage="ca",
            not_before=ca.not_valid_before_utc, not_after=ca.not_valid_after_utc))
        conn.execute(text("INSERT INTO registry_status (entity_id, status, since, reason) VALUES "
                          "('EE:OLD', 'active', :a, 'registered'), ('EE:OLD', 'suspended', :b, 'check')"),
                     {"a": (now - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S.000000"),
                      "b": (now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.000000")})
        conn.execute(text("INSERT INTO registry_sequence (id, value) VALUES (1, 7)"))
    for _ in range(2):  # adopting twice copies nothing twice
        registry = Registry(eng)
        assert registry.sequence() == 7
        listed = registry.build_list("issuers", now).entity("EE:OLD")
        assert listed is not None and [p.status for p in listed.status_history] == ["active", "suspended"]
    assert registry.reinstate("EE:OLD", who="test")["id"] == "EE:OLD" and registry.sequence() == 8
    # The columns later migrations add are there too.
    assert registry.set_status_lists("EE:OLD", "https://old.example/status-lists", who="test")["status_lists"]
    with eng.connect() as conn:  # from now on an ordinary migrated database
        assert conn.execute(text("SELECT version_num FROM alembic_version_registry")).scalar_one() == _head()
    eng.dispose()


def _head() -> str:
    from alembic.script import ScriptDirectory

    from trust_registry.store import MIGRATIONS

    return str(ScriptDirectory(str(MIGRATIONS)).get_current_head())


def test_store_a_new_database_is_made_by_the_migrations(engine: Engine) -> None:
    from sqlalchemy import inspect, text

    registry = Registry(engine)
    assert registry.sequence() == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version_registry")).scalar_one() == _head()
        tables = set(inspect(conn).get_table_names())
    assert set(metadata.tables) <= tables and not tables & {"registry_status", "registry_sequence"}
    Registry(engine)  # a second start (another worker) changes nothing
    assert registry.sequence() == 0
