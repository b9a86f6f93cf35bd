"""QA: the trust registry took any CA certificate for any institution (the demo TLS CA, without a
country, as LV:VSAA's CA), so that every leaf under it with digitalSignature would have chained as
an LV:VSAA document signer.

The rule (trust_registry.store.check_certificate_country): a CA or document-signer certificate is
registered for an entity only if its subject's countryName (C) is the entity's country (EL/GR and
UK/GB alike); one without C is refused too. Every path: ``registry add``, ``add-certificate``,
``rotate``, the admin API and seeding. A refusal is one line (CLI exit 1) or a 400 JSON, and nothing
is written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import test_registry_staged_change as staged
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from test_registry_staged_change import ADMIN, STG, _bearer, _cli, _registry

from credentials.institutions import DEMO_ENTITIES, Entity, Role, demo_entity
from credentials.jose import PrivateKey, generate_key
from credentials.pki import DemoPki, create_entity_ca, issue_document_signer, write_certificates
from esspass.db import make_engine
from trust_registry.seed import seed, seed_data_dir
from trust_registry.store import Registry

# The staged-change tests' fixtures: an empty registry database the CLI works on, and the admin API over it.
data = staged.data
admin = staged.admin

VSAA = "LV:VSAA"
RULE = "countryName"


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _seeded(data_dir: Path) -> DemoPki:
    """The demo registry (every demo institution, its PKI under ``data_dir/pki``)."""
    return seed_data_dir(data_dir)


def _state(data_dir: Path, entity_id: str = VSAA) -> tuple[int, list[str]]:
    """The list sequence and the entity's certificate kids: what a refused change must leave as it was."""
    registry = _registry(data_dir)
    try:
        return registry.sequence(), [c["kid"] for c in registry.show(entity_id)["certificates"]]
    finally:
        registry.engine.dispose()


def _refused_in_one_line(code: int, out: str, err: str) -> None:
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and RULE in err and "Traceback" not in err, err


def _without_country(*, ca: tuple[PrivateKey, x509.Certificate] | None = None) -> x509.Certificate:
    """A certificate naming VSAA in every way but its country: O, organizationIdentifier and CN, no C.
    Self-signed CA, or (``ca``) a document signer under that CA."""
    key = generate_key()
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, demo_entity(VSAA).name),
                      x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, VSAA),
                      x509.NameAttribute(NameOID.COMMON_NAME, "State Social Insurance Agency")])
    issuer_key, issuer = ca if ca is not None else (key, None)
    start = datetime.now(UTC) - timedelta(days=1)
    builder = (x509.CertificateBuilder().subject_name(name)
               .issuer_name(issuer.subject if issuer is not None else name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start)
               .not_valid_after(start + timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca is None, path_length=0 if ca is None else None),
                              critical=True)
               .add_extension(x509.KeyUsage(digital_signature=ca is not None, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=ca is None, crl_sign=ca is None, encipher_only=False,
                                            decipher_only=False), critical=True))
    if issuer is not None:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                        critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def test_the_demo_tls_ca_is_refused_as_a_ca_of_lv_vsaa_by_add_certificate_rotate_and_the_admin_api(
        data: Path, admin: httpx.Client, capsys: pytest.CaptureFixture[str]) -> None:
    """QA's attack: ``registry add-certificate LV:VSAA --pem D/pki/tls/ca.pem`` (CN=ESSPASS Demo TLS CA,
    O=ESSPASS demo, no C). Refused in one line naming the rule, on every path, and nothing listed."""
    _seeded(data)
    tls_ca = data / "pki" / "tls" / "ca.pem"
    before = _state(data)
    for command in ("add-certificate", "rotate"):
        _refused_in_one_line(*_cli(capsys, command, VSAA, "--pem", str(tls_ca)))
    # Nor does its server certificate (digitalSignature) pass as VSAA's document signer.
    _refused_in_one_line(*_cli(capsys, "add-certificate", VSAA, "--pem", str(data / "pki" / "tls" / "server.pem"),
                               "--usage", "signer"))
    for rotate in (False, True):
        refused = admin.post(f"/admin/entities/{VSAA}/certificates", headers=_bearer(ADMIN),
                             json={"pem": tls_ca.read_text("ascii"), "usage": "ca", "rotate": rotate})
        assert refused.status_code == 400 and RULE in refused.json()["error_description"], refused.text
    assert _state(data) == before


def test_a_ca_of_another_country_is_refused_for_lv_vsaa(
        tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An Estonian institution's CA (C=EE) listed under LV:VSAA would make Estonian signers Latvian."""
    _seeded(data)
    _, estonian = create_entity_ca(STG, now=datetime.now(UTC))
    pem = tmp_path / "ee-ca.pem"
    write_certificates(pem, [estonian])
    before = _state(data)
    for command in ("add-certificate", "rotate"):
        code, out, err = _cli(capsys, command, VSAA, "--pem", str(pem))
        _refused_in_one_line(code, out, err)
        assert "C=LV" in err and "C=EE" in err, err
    assert _state(data) == before


def test_a_certificate_without_a_country_is_refused_however_else_it_names_the_institution(
        tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No C at all, though O, organizationIdentifier and CN say VSAA: a CA, and a document signer
    under VSAA's own registered CA."""
    pki = _seeded(data)
    files = {"ca": _without_country(), "signer": _without_country(ca=pki.cas[VSAA])}
    before = _state(data)
    for usage, cert in files.items():
        pem = tmp_path / f"{usage}.pem"
        write_certificates(pem, [cert])
        code, out, err = _cli(capsys, "add-certificate", VSAA, "--pem", str(pem), "--usage", usage)
        _refused_in_one_line(code, out, err)
        assert "no countryName" in err, err
    assert _state(data) == before


def test_a_certificate_naming_the_entitys_country_is_accepted(
        tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """VSAA's new CA and a signer under it, both C=LV: listed, on the CLI as before."""
    _seeded(data)
    ca_key, ca = create_entity_ca(demo_entity(VSAA), now=datetime.now(UTC))
    _, signer = issue_document_signer(demo_entity(VSAA), ca_key, ca, now=datetime.now(UTC))
    sequence, kids = _state(data)
    for usage, cert in (("ca", ca), ("signer", signer)):
        pem = tmp_path / f"{usage}.pem"
        write_certificates(pem, [cert])
        code, _, err = _cli(capsys, "add-certificate", VSAA, "--pem", str(pem), "--usage", usage)
        assert code == 0, err
    assert _state(data)[0] == sequence + 2 and len(_state(data)[1]) == len(kids) + 2


@pytest.mark.parametrize(("entity_id", "registered_as", "named"), [
    ("GR:EFKA", "GR", "EL"), ("GR:EFKA", "EL", "GR"), ("UK:DWP", "GB", "UK"), ("UK:DWP", "UK", "GB"),
    ("LV:LOWER", "LV", "lv")])
def test_el_and_gr_uk_and_gb_and_either_case_are_one_country(
        tmp_path: Path, entity_id: str, registered_as: str, named: str) -> None:
    """credentials.countries.normalise: Greece is EL (EESSI) or GR (ISO), the United Kingdom UK or GB;
    X.520 compares a PrintableString without case (RFC 5280 §7.1)."""
    named_as = Entity(entity_id, named, "Testa iestāde", "Test institution", frozenset({Role.PDA1_ISSUER}), "t")
    ca_key, ca = create_entity_ca(named_as, now=datetime.now(UTC))
    _, signer = issue_document_signer(named_as, ca_key, ca, now=datetime.now(UTC))
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        shown = Registry(engine).add_entity(
            {"id": entity_id, "country": registered_as, "name": "Testa iestāde", "roles": ["pda1_issuer"],
             "certificates": [{"pem": _pem(ca), "usage": "ca"}, {"pem": _pem(signer), "usage": "signer"}]},
            who="test")
    finally:
        engine.dispose()
    assert len(shown["certificates"]) == 2


def test_adding_a_new_entity_with_a_ca_or_signer_of_another_country_is_refused_and_nothing_is_written(
        tmp_path: Path, data: Path, admin: httpx.Client, capsys: pytest.CaptureFixture[str]) -> None:
    """``registry add`` (and ``POST /admin/entities``) of EE:STG with a Latvian CA, or with its own
    CA and a Latvian-named signer under it: refused naming the option at fault, no entity, no change."""
    now = datetime.now(UTC)
    _, latvian_ca = create_entity_ca(demo_entity(VSAA), now=now)
    own_key, own_ca = create_entity_ca(STG, now=now)
    _, latvian_signer = issue_document_signer(demo_entity(VSAA), own_key, own_ca, now=now)
    files = {}
    for name, cert in (("latvian_ca", latvian_ca), ("own_ca", own_ca), ("latvian_signer", latvian_signer)):
        files[name] = tmp_path / f"{name}.pem"
        write_certificates(files[name], [cert])
    add = ["add", "--id", STG.id, "--country", "EE", "--name", STG.name, "--role", "pda1_issuer"]
    sequence = _registry(data).sequence()

    code, out, err = _cli(capsys, *add, "--ca-pem", str(files["latvian_ca"]))
    _refused_in_one_line(code, out, err)
    assert "--ca-pem" in err and "C=EE" in err, err
    code, out, err = _cli(capsys, *add, "--ca-pem", str(files["own_ca"]), "--signer-pem", str(files["latvian_signer"]))
    _refused_in_one_line(code, out, err)
    assert "--signer-pem" in err, err
    refused = admin.post("/admin/entities", headers=_bearer(ADMIN), json={
        "id": STG.id, "country": "EE", "name": STG.name, "roles": ["pda1_issuer"],
        "certificates": [{"pem": _pem(latvian_ca), "usage": "ca"}]})
    assert refused.status_code == 400 and refused.json()["field"] == "certificates.0.pem", refused.text

    registry = _registry(data)
    try:
        assert registry.sequence() == sequence and not registry.list_entities()
    finally:
        registry.engine.dispose()


def test_every_demo_certificate_names_its_entitys_country_so_the_demo_still_seeds(tmp_path: Path) -> None:
    """credentials/pki.py: every institution CA, document signer, verifier access certificate, wallet
    provider and PID provider certificate carries C = its entity's country; seeding registers them all."""
    pki = seed_data_dir(tmp_path)
    for entity in DEMO_ENTITIES:
        certs = [pki.cas[entity.id][1], *pki.signers.get(entity.id, (None, []))[1],
                 *pki.access.get(entity.id, (None, []))[1]]
        for cert in certs:
            assert [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)] == [entity.country]
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    try:
        registry = Registry(engine)
        assert {e.id for e in registry.list_entities()} == {e.id for e in DEMO_ENTITIES}
        assert seed(registry, pki) == 0  # idempotent, as before
    finally:
        engine.dispose()
