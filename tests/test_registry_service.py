"""Issue #3: the trust registry service, its signed lists and the caching client (real HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from credentials import pda1, trust_list
from credentials.errors import IssuerKeyError, IssuerSignatureError, IssuerTrustError, MalformedError
from credentials.institutions import Entity, Role
from credentials.jose import b64url_decode, b64url_encode
from credentials.pki import DemoPki, create_entity_ca, issue_document_signer, load_demo_pki
from esspass.db import make_engine
from esspass.testing import ServerHandle, free_port, serve
from trust_registry.app import create_app
from trust_registry.client import TrustListClient
from trust_registry.seed import seed_data_dir
from trust_registry.settings import RegistrySettings
from trust_registry.store import Registry

NOW = datetime.now(UTC)
ADMIN = "admin-token-for-tests"
READER = "reader-token-for-tests"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("registry")
    seed_data_dir(d)
    return d


@pytest.fixture(scope="module")
def pki(data_dir: Path) -> DemoPki:
    return load_demo_pki(data_dir / "pki")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[ServerHandle]:
    settings = RegistrySettings(data_dir=data_dir, admin_tokens={
        ADMIN: "ops:registry:read,registry:write", READER: "auditor:registry:read"})
    with serve(create_app(settings)) as handle:
        yield handle


@pytest.fixture
def http(server: ServerHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        yield client


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _new_entity(entity_id: str, country: str = "EE", *, since: datetime = NOW) -> tuple[Entity, Any,
                                                                                     x509.Certificate]:
    entity = Entity(entity_id, country, "Test asutus", "Test institution", frozenset({Role.PDA1_ISSUER}),
                    entity_id.lower().replace(":", "-"))
    key, ca = create_entity_ca(entity, now=since)
    return entity, key, ca


def _sequence(http: httpx.Client) -> int:
    return int(http.get("/admin/entities", headers=_auth(ADMIN)).json()["sequence"])


# --- admin API ----------------------------------------------------------------------------------


def test_admin_api_requires_a_token(http: httpx.Client) -> None:
    response = http.get("/admin/entities")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert http.get("/admin/entities", headers=_auth("wrong")).status_code == 401


def test_admin_write_needs_the_write_scope(http: httpx.Client) -> None:
    assert http.get("/admin/entities", headers=_auth(READER)).status_code == 200
    response = http.post("/admin/entities/LV:VSAA/suspend", json={"reason": "x"}, headers=_auth(READER))
    assert response.status_code == 403
    assert response.json()["error"] == "insufficient_scope"


def test_seed_lists_every_demo_institution_and_inspectorate(http: httpx.Client) -> None:
    ids = {e["id"] for e in http.get("/admin/entities", headers=_auth(READER)).json()["entities"]}
    assert {"LV:VSAA", "LV:NVD", "DE:DRV", "AT:OEGK", "PL:ZUS", "LV:PID", "LV:VDI", "AT:FINPOL"} <= ids


def test_add_entity_bumps_the_sequence_and_is_published(http: httpx.Client, pki: DemoPki) -> None:
    _entity, _key, ca = _new_entity("EE:SKA")
    before = _sequence(http)
    body = {"id": "EE:SKA", "country": "EE", "name": "Sotsiaalkindlustusamet", "name_en": "Social Insurance Board",
            "roles": ["pda1_issuer"], "certificates": [{"pem": _pem(ca), "usage": "ca"}]}
    response = http.post("/admin/entities", json=body, headers=_auth(ADMIN))
    assert response.status_code == 201, response.text
    assert _sequence(http) == before + 1
    tl = trust_list.verify_trust_list(http.get("/lists/issuers").text, registry_root=pki.root, now=NOW)
    assert tl.sequence == before + 1
    assert tl.entity("EE:SKA") is not None
    history = http.get("/admin/entities/EE:SKA/history", headers=_auth(READER)).json()
    assert history["audit"][0]["who"] == "api:ops"
    assert history["audit"][0]["action"] == "add_entity"


@pytest.mark.parametrize(("change", "field"), [
    ({"country": "US"}, "country"),
    ({"id": "nocolon"}, "id"),
    ({"roles": ["emperor"]}, "roles"),
    ({"certificates": [{"pem": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", "usage": "ca"}]},
     "certificates.0.pem"),
])
def test_bad_input_gets_a_4xx_naming_the_field_and_stores_nothing(http: httpx.Client, change: dict[str, Any],
                                                                   field: str) -> None:
    _entity, _key, ca = _new_entity("FI:KELA")
    body = {"id": "FI:KELA", "country": "FI", "name": "Kela", "roles": ["ehic_issuer"],
            "certificates": [{"pem": _pem(ca), "usage": "ca"}], **change}
    before = _sequence(http)
    response = http.post("/admin/entities", json=body, headers=_auth(ADMIN))
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert _sequence(http) == before
    assert http.get(f"/admin/entities/{body['id']}", headers=_auth(READER)).status_code == 404


def test_a_certificate_that_is_not_a_ca_is_refused(http: httpx.Client, pki: DemoPki) -> None:
    leaf = pki.signers["LV:VSAA"][1][0]
    body = {"id": "FI:ETK", "country": "FI", "name": "ETK", "roles": ["pda1_issuer"],
            "certificates": [{"pem": _pem(leaf), "usage": "ca"}]}
    response = http.post("/admin/entities", json=body, headers=_auth(ADMIN))
    assert response.status_code == 400
    assert "not a CA" in response.json()["rule"]


def test_an_expired_certificate_is_refused(http: httpx.Client) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old CA")])
    old = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
           .serial_number(1).not_valid_before(NOW - timedelta(days=800)).not_valid_after(NOW - timedelta(days=1))
           .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(key, hashes.SHA256()))
    body = {"id": "FI:OLD", "country": "FI", "name": "Old", "roles": ["pda1_issuer"],
            "certificates": [{"pem": _pem(old), "usage": "ca"}]}
    response = http.post("/admin/entities", json=body, headers=_auth(ADMIN))
    assert response.status_code == 400
    assert "expired" in response.json()["rule"]


def test_a_duplicate_id_is_a_conflict(http: httpx.Client, pki: DemoPki) -> None:
    body = {"id": "LV:VSAA", "country": "LV", "name": "dup", "roles": ["pda1_issuer"],
            "certificates": [{"pem": _pem(pki.cas["LV:VSAA"][1]), "usage": "ca"}]}
    response = http.post("/admin/entities", json=body, headers=_auth(ADMIN))
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"


def test_garbage_bodies_never_give_a_500(http: httpx.Client) -> None:
    for path in ("/admin/entities", "/admin/entities/LV:VSAA/certificates", "/admin/entities/LV:VSAA/suspend"):
        for body in (b"", b"{", b"[]", b'{"pem": 5}', b"\xff\xfe"):
            response = http.post(path, content=body, headers={**_auth(ADMIN), "Content-Type": "application/json"})
            assert 400 <= response.status_code < 500, (path, body, response.status_code)
            assert "error" in response.json()


# --- publication ----------------------------------------------------------------------------------


def test_published_lists_verify_against_the_pinned_root(http: httpx.Client, pki: DemoPki) -> None:
    issuers = trust_list.verify_trust_list(http.get("/lists/issuers").text, registry_root=pki.root, now=NOW,
                                           kind="issuers")
    verifiers = trust_list.verify_trust_list(http.get("/lists/verifiers").text, registry_root=pki.root, now=NOW,
                                             kind="verifiers")
    assert issuers.entity("LV:VSAA") is not None and issuers.entity("LV:VDI") is None
    vdi = verifiers.entity("LV:VDI")
    assert vdi is not None and "document_number" in vdi.may_request[pda1.VCT]
    assert issuers.next_update > issuers.issued_at


def test_a_tampered_list_is_refused(http: httpx.Client, pki: DemoPki) -> None:
    token = http.get("/lists/issuers").text
    header, payload, sig = token.split(".")
    body = json.loads(b64url_decode(payload))
    body["entities"] = body["entities"][:1]
    forged = f"{header}.{b64url_encode(json.dumps(body).encode())}.{sig}"
    with pytest.raises(IssuerSignatureError):
        trust_list.verify_trust_list(forged, registry_root=pki.root, now=NOW)


def test_a_list_signed_under_another_root_is_refused(http: httpx.Client, pki: DemoPki, tmp_path: Path) -> None:
    from credentials.institutions import DEMO_ENTITIES
    from credentials.pki import create_demo_pki

    other = create_demo_pki(tmp_path, DEMO_ENTITIES[:1], now=NOW)
    token = http.get("/lists/issuers").text
    with pytest.raises(IssuerKeyError):
        trust_list.verify_trust_list(token, registry_root=other.root, now=NOW)


def test_lists_carry_etag_and_cache_control(http: httpx.Client) -> None:
    first = http.get("/lists/issuers")
    assert first.headers["content-type"].startswith("application/trust-list+jwt")
    assert "max-age" in first.headers["cache-control"]
    again = http.get("/lists/issuers", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_the_same_content_as_etsi_lote_json(http: httpx.Client) -> None:
    lote = http.get("/lists/issuers.lote.json").json()["LoTE"]
    info = lote["ListAndSchemeInformation"]
    assert {"LoTEVersionIdentifier", "LoTESequenceNumber", "SchemeOperatorName", "ListIssueDateTime",
            "NextUpdate"} <= set(info)
    names = [e["TrustedEntityInformation"]["TETradeName"][0]["value"] for e in lote["TrustedEntitiesList"]]
    assert "LV:VSAA" in names
    service = lote["TrustedEntitiesList"][0]["TrustedEntityServices"][0]["ServiceInformation"]
    assert service["ServiceDigitalIdentity"]["X509Certificates"][0]["val"]


def test_unknown_list_is_404_json(http: httpx.Client) -> None:
    response = http.get("/lists/everyone")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


# --- client: caching and offline ----------------------------------------------------------------


def test_client_caches_on_disk_and_serves_offline_when_the_registry_stops(data_dir: Path, pki: DemoPki,
                                                                          tmp_path: Path) -> None:
    port = free_port()
    handle = serve(create_app(RegistrySettings(data_dir=data_dir)), port=port)
    cache = tmp_path / "cache"
    with httpx.Client() as http:
        client = TrustListClient(handle.url, registry_root=pki.root, http=http, cache_dir=cache)
        online = client.issuers(NOW)
        info = client.info("issuers", NOW)
        assert info is not None and info.source == "network"
        assert (cache / "issuers.jwt").exists()
        handle.stop()
        later = online.issued_at + timedelta(days=2)  # past next_update: the client tries the registry (down)
        offline = client.issuers(later)
        info = client.info("issuers", later)
        assert offline.sequence == online.sequence
        assert info is not None and info.source == "cache" and info.stale
        assert info.age_seconds == 2 * 86400
        # A new process (fresh client) with only the disk cache still answers.
        fresh = TrustListClient(handle.url, registry_root=pki.root, http=http, cache_dir=cache)
        assert fresh.issuers(later).entity("LV:VSAA") is not None


def test_client_without_any_list_fails_closed(pki: DemoPki) -> None:
    with httpx.Client() as http:
        client = TrustListClient(f"http://127.0.0.1:{free_port()}", registry_root=pki.root, http=http)
        with pytest.raises(IssuerTrustError):
            client.issuers(NOW)


def test_client_ignores_a_damaged_cache_file(pki: DemoPki, tmp_path: Path) -> None:
    (tmp_path / "issuers.jwt").write_text("not.a.list")
    with httpx.Client() as http:
        client = TrustListClient(f"http://127.0.0.1:{free_port()}", registry_root=pki.root, http=http,
                                 cache_dir=tmp_path)
        with pytest.raises(IssuerTrustError):
            client.issuers(NOW)


def test_client_refuses_a_rollback_to_a_lower_sequence(pki: DemoPki, data_dir: Path, tmp_path: Path) -> None:
    registry = Registry(make_engine(f"sqlite:///{data_dir / 'registry.db'}"))
    newer = registry.build_list("issuers", NOW)
    older = trust_list.TrustList("issuers", newer.sequence - 1, NOW, NOW + timedelta(hours=1), newer.entities)
    signer_key, signer = pki.list_signer
    tokens = iter([trust_list.sign_trust_list(newer, key=signer_key, x5c=[signer]),
                   trust_list.sign_trust_list(older, key=signer_key, x5c=[signer])])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=next(tokens))

    # A transport that replays two recorded publications: the registry itself is not mocked here,
    # the rollback attacker is (it serves an older, genuinely signed list).
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        client = TrustListClient("http://registry.test", registry_root=pki.root, http=http)
        assert client.issuers(NOW).sequence == newer.sequence
        assert client.refresh("issuers", NOW + timedelta(minutes=1)).sequence == newer.sequence


# --- history questions ------------------------------------------------------------------------------


def test_a_key_valid_last_year_and_withdrawn_today(data_dir: Path, tmp_path: Path) -> None:
    registry = Registry(make_engine(f"sqlite:///{tmp_path / 'history.db'}"))
    last_year = NOW - timedelta(days=365)
    entity, ca_key, ca = _new_entity("EE:HIST", since=last_year - timedelta(days=2))
    _signer_key, signer = issue_document_signer(entity, ca_key, ca, now=last_year - timedelta(days=1))
    registry.add_entity({"id": entity.id, "country": "EE", "name": "Ajalugu", "roles": ["pda1_issuer"],
                         "certificates": [{"pem": _pem(ca), "usage": "ca"}]}, who="test", since=last_year)
    registry.set_status(entity.id, "withdrawn", who="test", reason="merged into another institution", since=NOW)
    tl = registry.build_list("issuers", NOW + timedelta(seconds=1))
    chain = [signer]
    granted = trust_list.authorised_issuer(tl, chain, pda1.VCT, at=last_year + timedelta(days=1), now=NOW)
    assert granted.entity.id == entity.id and granted.status_now == "withdrawn"
    with pytest.raises(IssuerTrustError, match="withdrawn"):
        trust_list.authorised_issuer(tl, chain, pda1.VCT, at=NOW + timedelta(seconds=2), now=NOW)
    with pytest.raises(IssuerTrustError):
        trust_list.authorised_issuer(tl, chain, pda1.VCT, at=last_year + timedelta(days=1), now=NOW,
                                     policy=trust_list.Policy.STRICT)
    history = registry.history(entity.id)
    assert [p["status"] for p in history["status_history"]] == ["active", "withdrawn"]
    assert [a["action"] for a in history["audit"]] == ["add_entity", "withdrawn"]


def test_a_suspension_in_force_refuses_even_older_credentials(tmp_path: Path) -> None:
    registry = Registry(make_engine(f"sqlite:///{tmp_path / 'susp.db'}"))
    entity, ca_key, ca = _new_entity("EE:SUSP", since=NOW - timedelta(days=40))
    _signer_key, signer = issue_document_signer(entity, ca_key, ca, now=NOW - timedelta(days=35))
    registry.add_entity({"id": entity.id, "country": "EE", "name": "Peatatud", "roles": ["pda1_issuer"],
                         "certificates": [{"pem": _pem(ca), "usage": "ca"}]}, who="test",
                        since=NOW - timedelta(days=30))
    registry.set_status(entity.id, "suspended", who="test", reason="key under investigation", since=NOW)
    tl = registry.build_list("issuers", NOW + timedelta(seconds=1))
    with pytest.raises(IssuerTrustError, match="suspended"):
        trust_list.authorised_issuer(tl, [signer], pda1.VCT, at=NOW - timedelta(days=10),
                                     now=NOW + timedelta(seconds=1))
    registry.set_status(entity.id, "active", who="test", reason="cleared", since=NOW + timedelta(seconds=2))
    tl = registry.build_list("issuers", NOW + timedelta(seconds=2))
    assert trust_list.authorised_issuer(tl, [signer], pda1.VCT, at=NOW - timedelta(days=10),
                                        now=NOW + timedelta(seconds=3)).entity.id == entity.id


def test_rotating_a_ca_closes_the_old_window(tmp_path: Path) -> None:
    registry = Registry(make_engine(f"sqlite:///{tmp_path / 'rot.db'}"))
    entity, ca_key, ca = _new_entity("EE:ROT", since=NOW - timedelta(days=40))
    _k, old_signer = issue_document_signer(entity, ca_key, ca, now=NOW - timedelta(days=35))
    registry.add_entity({"id": entity.id, "country": "EE", "name": "Rotatsioon", "roles": ["pda1_issuer"],
                         "certificates": [{"pem": _pem(ca), "usage": "ca"}]}, who="test",
                        since=NOW - timedelta(days=30))
    _new_key, new_ca = create_entity_ca(entity, now=NOW)
    registry.add_certificate(entity.id, _pem(new_ca), "ca", who="test", rotate=True)
    tl = registry.build_list("issuers", NOW + timedelta(seconds=5))
    assert trust_list.authorised_issuer(tl, [old_signer], pda1.VCT, at=NOW - timedelta(days=1), now=NOW).entity
    with pytest.raises(IssuerTrustError, match="not listed"):
        trust_list.authorised_issuer(tl, [old_signer], pda1.VCT, at=NOW + timedelta(hours=1), now=NOW)


def test_verifier_asking_more_than_registered_is_refused(http: httpx.Client, pki: DemoPki) -> None:
    verifiers = trust_list.verify_trust_list(http.get("/lists/verifiers").text, registry_root=pki.root, now=NOW)
    chain = pki.access_x5c("AT:FINPOL")
    entity = trust_list.authorised_verifier(verifiers, chain, {pda1.VCT: ["document_number"]}, at=NOW)
    assert entity.id == "AT:FINPOL"
    with pytest.raises(IssuerTrustError, match="not registered to request"):
        trust_list.authorised_verifier(verifiers, chain, {"urn:eudi:ehic:1": ["document_number"]}, at=NOW)
    with pytest.raises(IssuerTrustError, match="place_of_birth"):
        trust_list.authorised_verifier(verifiers, chain, {"urn:eudi:pid:1": ["place_of_birth"]}, at=NOW)


def test_an_issuers_list_is_not_accepted_where_the_verifiers_list_is_expected(http: httpx.Client,
                                                                              pki: DemoPki) -> None:
    with pytest.raises(MalformedError):
        trust_list.verify_trust_list(http.get("/lists/issuers").text, registry_root=pki.root, now=NOW,
                                     kind="verifiers")
