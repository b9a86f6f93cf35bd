"""The demo PKI: chains that pass validate_chain, HAIP-ready x5c, files with private keys 0600."""

from __future__ import annotations

import dataclasses
import ipaddress
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import pki
from credentials.errors import IssuerKeyError
from credentials.institutions import DEMO_ENTITIES, Entity, Role, demo_entity
from credentials.jose import generate_key
from credentials.x509 import dns_names, validate_chain

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ISSUERS = [e for e in DEMO_ENTITIES if e.roles & {Role.PDA1_ISSUER, Role.EHIC_ISSUER, Role.PID_PROVIDER}]
VERIFIERS = [e for e in DEMO_ENTITIES if Role.VERIFIER in e.roles]


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pki") / "demo"


@pytest.fixture(scope="module")
def demo(pki_dir: Path) -> pki.DemoPki:
    return pki.create_demo_pki(pki_dir, DEMO_ENTITIES, now=NOW)


def _all_certs(demo: pki.DemoPki) -> list[x509.Certificate]:
    certs = [demo.root, demo.list_signer[1], demo.tls[1], demo.tls[2]]
    certs += [cert for _, cert in demo.cas.values()]
    certs += [chain[0] for _, chain in demo.signers.values()]
    certs += [chain[0] for _, chain in demo.access.values()]
    return certs


def test_every_issuing_entity_has_a_ca_and_a_document_signer(demo: pki.DemoPki) -> None:
    assert set(demo.cas) == {e.id for e in DEMO_ENTITIES}
    # A wallet provider signs too: its signer attests wallet instances (HAIP §9.2).
    providers = {e.id for e in DEMO_ENTITIES if Role.WALLET_PROVIDER in e.roles}
    assert providers
    assert set(demo.signers) == {e.id for e in ISSUERS} | providers
    assert set(demo.access) == {e.id for e in VERIFIERS}


@pytest.mark.parametrize("entity_id", [e.id for e in ISSUERS])
def test_document_signer_x5c_validates_to_its_entity_ca_only(demo: pki.DemoPki, entity_id: str) -> None:
    x5c = demo.signer_x5c(entity_id)
    ca = demo.cas[entity_id][1]
    assert x5c == demo.signers[entity_id][1]
    assert ca not in x5c  # HAIP: the anchor is never in x5c
    assert validate_chain(x5c, [ca], now=NOW).anchor == ca
    other = next(c for eid, (_, c) in demo.cas.items() if eid != entity_id)
    with pytest.raises(IssuerKeyError):
        validate_chain(x5c, [other], now=NOW)


@pytest.mark.parametrize("entity", VERIFIERS, ids=[e.id for e in VERIFIERS])
def test_access_certificate_has_the_verifier_dns_name(demo: pki.DemoPki, entity: Entity) -> None:
    x5c = demo.access_x5c(entity.id)
    assert dns_names(x5c[0]) == [entity.dns_name, pki.PILOT_HOST]  # and the pilot's host (OpenID4VP §5.9.3)
    validate_chain(x5c, [demo.cas[entity.id][1]], now=NOW)


def test_list_signer_validates_to_the_registry_root(demo: pki.DemoPki) -> None:
    assert validate_chain([demo.list_signer[1]], [demo.root], now=NOW).anchor == demo.root


def test_tls_server_certificate_names_localhost_loopback_and_the_compose_services(demo: pki.DemoPki) -> None:
    _, cert, ca = demo.tls
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["localhost", "registry", "issuer", "verifier", "wallet",
                                                     "registry.localhost", "issuer.localhost", "verifier.localhost",
                                                     "wallet.localhost"]
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in eku
    validate_chain([cert], [ca], now=NOW)


def test_all_certificates_are_p256_sha256(demo: pki.DemoPki) -> None:
    for cert in _all_certs(demo):
        key = cert.public_key()
        assert isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
        assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)


def test_validity_is_ten_years_for_cas_and_two_for_leaves_from_a_day_back(demo: pki.DemoPki) -> None:
    start = NOW - timedelta(days=1)
    for cert in [demo.root, demo.tls[2], *(c for _, c in demo.cas.values())]:
        assert cert.not_valid_before_utc == start
        assert cert.not_valid_after_utc == start + timedelta(days=3650)
    for cert in [demo.list_signer[1], demo.tls[1], *(ch[0] for _, ch in demo.signers.values())]:
        assert cert.not_valid_before_utc == start
        assert cert.not_valid_after_utc == start + timedelta(days=730)


def test_cas_have_path_length_zero_and_key_cert_sign(demo: pki.DemoPki) -> None:
    for _, ca in demo.cas.values():
        bc = ca.extensions.get_extension_for_class(x509.BasicConstraints)
        assert bc.critical and bc.value.ca and bc.value.path_length == 0
        assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
        assert ca.issuer == ca.subject


def test_private_key_files_are_mode_0600(demo: pki.DemoPki, pki_dir: Path) -> None:
    keys = sorted(pki_dir.rglob("*.key"))
    # root, list signer, TLS CA + server, one CA per entity, one signer/access leaf per entity
    assert len(keys) == 4 + 2 * len(DEMO_ENTITIES)
    for path in keys:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(pki_dir.stat().st_mode) == 0o700


def test_existing_key_file_with_a_loose_mode_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "loose.key"
    path.write_text("old")
    path.chmod(0o644)
    pki.write_private_key(path, generate_key())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pki.read_private_key(path).curve.name == "secp256r1"


def test_load_returns_what_was_created(demo: pki.DemoPki, pki_dir: Path) -> None:
    loaded = pki.load_demo_pki(pki_dir)
    assert loaded.root == demo.root
    assert loaded.list_signer[1] == demo.list_signer[1]
    assert loaded.tls[1:] == demo.tls[1:]
    assert {k: c for k, (_, c) in loaded.cas.items()} == {k: c for k, (_, c) in demo.cas.items()}
    assert {k: ch for k, (_, ch) in loaded.signers.items()} == {k: ch for k, (_, ch) in demo.signers.items()}
    assert {k: ch for k, (_, ch) in loaded.access.items()} == {k: ch for k, (_, ch) in demo.access.items()}
    key, chain = loaded.signers["LV:VSAA"]
    assert key.public_key() == chain[0].public_key()
    assert loaded.root_key is not None and loaded.root_key.public_key() == demo.root.public_key()


def test_load_refuses_a_key_that_does_not_match_its_certificate(tmp_path: Path) -> None:
    directory = tmp_path / "pki"
    pki.create_demo_pki(directory, DEMO_ENTITIES[:1], now=NOW)
    pki.write_private_key(directory / "list-signer.key", generate_key())
    with pytest.raises(ValueError, match="does not match"):
        pki.load_demo_pki(directory)


def test_ensure_creates_once_then_loads(tmp_path: Path) -> None:
    first = pki.ensure_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=NOW)
    second = pki.ensure_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=NOW + timedelta(days=3))
    assert second.root == first.root
    assert second.signers["PL:ZUS"][1] == first.signers["PL:ZUS"][1]


def test_ensure_adds_entities_an_older_pki_lacks_and_keeps_the_rest(tmp_path: Path) -> None:
    older = [e for e in DEMO_ENTITIES if Role.WALLET_PROVIDER not in e.roles]
    first = pki.ensure_demo_pki(tmp_path / "pki", older, now=NOW)
    assert "LV:ESSPASS-WALLET" not in first.signers
    upgraded = pki.ensure_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=NOW + timedelta(days=1))
    assert upgraded.root == first.root
    assert upgraded.signers["LV:VSAA"][1] == first.signers["LV:VSAA"][1]
    _key, chain = upgraded.signers["LV:ESSPASS-WALLET"]
    validate_chain(chain, [upgraded.cas["LV:ESSPASS-WALLET"][1]], now=NOW + timedelta(days=1))
    assert pki.load_demo_pki(tmp_path / "pki").entity_paths == upgraded.entity_paths


def test_creation_is_fast(tmp_path: Path) -> None:
    start = time.perf_counter()
    pki.create_demo_pki(tmp_path / "pki", DEMO_ENTITIES, now=NOW)
    assert time.perf_counter() - start < 1.0


def test_rotated_signer_is_a_new_key_under_the_same_ca(demo: pki.DemoPki) -> None:
    entity = demo_entity("LV:VSAA")
    ca_key, ca = demo.cas[entity.id]
    key, cert = pki.issue_document_signer(entity, ca_key, ca, now=NOW + timedelta(days=100))
    assert cert.public_key() != demo.signers[entity.id][1][0].public_key()
    assert cert.public_key() == key.public_key()
    validate_chain([cert], [ca], now=NOW + timedelta(days=100))


def test_new_ca_for_an_entity_outside_the_demo_set() -> None:
    entity = Entity("SE:FK", "SE", "Försäkringskassan", "Swedish Social Insurance Agency",
                    frozenset({Role.EHIC_ISSUER}), "se-fk")
    ca_key, ca = pki.create_entity_ca(entity, now=NOW)
    _, signer = pki.issue_document_signer(entity, ca_key, ca, now=NOW)
    assert validate_chain([signer], [ca], now=NOW).anchor == ca
    assert ca.subject.get_attributes_for_oid(x509.oid.NameOID.ORGANIZATION_IDENTIFIER)[0].value == "SE:FK"


def test_leaf_never_outlives_its_ca() -> None:
    entity = demo_entity("DE:DRV")
    ca_key, ca = pki.create_entity_ca(entity, now=NOW)
    _, late = pki.issue_document_signer(entity, ca_key, ca, now=NOW + timedelta(days=3000))
    assert late.not_valid_after_utc == ca.not_valid_after_utc


def test_access_certificate_needs_a_dns_name() -> None:
    entity = demo_entity("LV:VSAA")
    ca_key, ca = pki.create_entity_ca(entity, now=NOW)
    with pytest.raises(ValueError, match="dns_name"):
        pki.issue_access_certificate(entity, ca_key, ca, now=NOW)


def test_unsafe_entity_path_is_refused(tmp_path: Path) -> None:
    evil = dataclasses.replace(DEMO_ENTITIES[0], path="../../etc")
    with pytest.raises(ValueError, match="safe directory"):
        pki.create_demo_pki(tmp_path / "pki", [evil], now=NOW)
    assert not (tmp_path / "pki").exists()


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        pki.create_registry_root(now=NOW.replace(tzinfo=None))
