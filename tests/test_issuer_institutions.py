"""An institution hosts its own credential issuer with its own signing key and certificates.

The institutions file is checked before anything is signed (each mistake named), and an A1 that
such an issuer signs is accepted by an inspector's verifier once the registry lists the
institution, over real HTTP between separate services.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError
from credentials.institutions import Entity, Role
from credentials.pki import create_entity_ca, issue_document_signer, write_certificates, write_private_key
from esspass.db import make_engine
from esspass.stack import Clerk, Inspector, open_wallet, start_in_process
from esspass.testing import free_port, serve
from issuer.institutions import load_institutions_file
from trust_registry.seed import seed_data_dir
from trust_registry.store import Registry

PERSON = DEMO_PERSONS[0]
HOLDER = {k: PERSON.pid[k] for k in ("family_name", "given_name", "birthdate")}
SKA = Entity("EE:SKA", "EE", "Sotsiaalkindlustusamet", "Social Insurance Board", frozenset({Role.PDA1_ISSUER}),
             "ee-ska")
NOW = datetime.now(UTC).replace(microsecond=0)
ROOT = Path(__file__).resolve().parent.parent


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


class Files:
    """The institution's key material as its own CA handed it over, and its institutions file."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.ca_key, self.ca = create_entity_ca(SKA, now=NOW)
        self.key, self.signer = issue_document_signer(SKA, self.ca_key, self.ca, now=NOW)
        write_private_key(directory / "signer.key.pem", self.key)
        write_certificates(directory / "chain.pem", [self.signer])
        write_certificates(directory / "ca.pem", [self.ca])

    def write(self, **changes: Any) -> Path:
        entry: dict[str, Any] = {"id": SKA.id, "country": "EE", "name": SKA.name, "name_en": SKA.name_en,
                                 "roles": ["pda1_issuer"], "path": SKA.path, "signer_key": "signer.key.pem",
                                 "signer_chain": "chain.pem", "ca_certificate": "ca.pem", **changes}
        lines = ["[[institution]]"]
        for name, value in entry.items():
            if value is not None:
                lines.append(f"{name} = {_toml(value)}")
        path = self.dir / "institutions.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def _toml(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _leaf(ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, key: Any, *, ca_flag: bool = False,
          signature: bool = True, days: tuple[int, int] = (-1, 365)) -> x509.Certificate:
    common_name = "Test intermediate CA" if ca_flag else "Test document signer"
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW + timedelta(days=days[0])).not_valid_after(NOW + timedelta(days=days[1]))
            .add_extension(x509.BasicConstraints(ca=ca_flag, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=signature, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=ca_flag, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))


def _load(path: Path) -> Any:
    return load_institutions_file(path, "https://issuer.example.ee", now=NOW)


# --- the institutions file, checked before anything is signed ------------------------------------


def test_an_institution_signs_with_the_key_and_chain_its_own_ca_issued(tmp_path: Path) -> None:
    files = Files(tmp_path)
    hosted = _load(files.write())
    inst = hosted["ee-ska"]
    assert inst.entity.id == "EE:SKA" and inst.entity.roles == {Role.PDA1_ISSUER}
    assert inst.issuer_url == "https://issuer.example.ee/ee-ska"
    assert inst.key.private_numbers() == files.key.private_numbers()
    assert inst.x5c == [files.signer]  # the CA stays out of x5c (HAIP: the anchor is never sent)


def test_a_full_chain_file_ending_in_the_root_is_sent_without_the_root(tmp_path: Path) -> None:
    files = Files(tmp_path)
    write_certificates(tmp_path / "fullchain.pem", [files.signer, files.ca])
    inst = _load(files.write(signer_chain="fullchain.pem", ca_certificate=None))["ee-ska"]
    assert inst.x5c == [files.signer]


def test_an_encrypted_key_is_read_with_its_password_file(tmp_path: Path) -> None:
    files = Files(tmp_path)
    encrypted = files.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.BestAvailableEncryption(b"correct horse"))
    fd = os.open(tmp_path / "encrypted.key.pem", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, encrypted)
    os.close(fd)
    (tmp_path / "key.pass").write_text("correct horse\n")
    inst = _load(files.write(signer_key="encrypted.key.pem", signer_key_password_file="key.pass"))["ee-ska"]
    assert inst.key.private_numbers() == files.key.private_numbers()
    (tmp_path / "key.pass").write_text("wrong\n")
    with pytest.raises(DataError) as refused:
        _load(files.write(signer_key="encrypted.key.pem", signer_key_password_file="key.pass"))
    assert refused.value.field == "institution EE:SKA.signer_key" and "correct horse" not in refused.value.message


def _another_key(files: Files) -> None:
    write_private_key(files.dir / "signer.key.pem", ec.generate_private_key(ec.SECP256R1()))


def _p384_key(files: Files) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    write_private_key(files.dir / "signer.key.pem", key)
    write_certificates(files.dir / "chain.pem", [_leaf(files.ca_key, files.ca, key)])


def _rsa_key(files: Files) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    (files.dir / "signer.key.pem").write_bytes(data)


def _leaf_variant(**kwargs: Any) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        write_certificates(files.dir / "chain.pem", [_leaf(files.ca_key, files.ca, files.key, **kwargs)])
    return change


def _readable_by_everyone(files: Files) -> None:
    (files.dir / "signer.key.pem").chmod(0o644)


def _signed_by_another_ca(files: Files) -> None:
    other_key, other = create_entity_ca(SKA, now=NOW)
    write_certificates(files.dir / "chain.pem", [_leaf(other_key, other, files.key)])


def _wrong_order(files: Files) -> None:
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = _leaf(files.ca_key, files.ca, inter_key, ca_flag=True)
    write_certificates(files.dir / "chain.pem", [inter, _leaf(inter_key, inter, files.key)])


def _rekeyed_intermediate(files: Files) -> None:
    """The intermediate's name is right, but another key signed the signer: names chain, signatures do not."""
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = _leaf(files.ca_key, files.ca, inter_key, ca_flag=True)
    impostor = ec.generate_private_key(ec.SECP256R1())
    write_certificates(files.dir / "chain.pem", [_leaf(impostor, inter, files.key), inter])


def _expired_intermediate(files: Files) -> None:
    inter_key = ec.generate_private_key(ec.SECP256R1())
    inter = _leaf(files.ca_key, files.ca, inter_key, ca_flag=True, days=(-400, -1))
    write_certificates(files.dir / "chain.pem", [_leaf(inter_key, inter, files.key), inter])


REFUSED: dict[str, tuple[Callable[[Files], None] | None, dict[str, Any], str, str]] = {
    "key of another certificate": (_another_key, {}, "signer_chain", "does not hold the key"),
    "P-384 key": (_p384_key, {}, "signer_key", "P-256"),
    "RSA key": (_rsa_key, {}, "signer_key", "P-256"),
    "key readable by everyone": (_readable_by_everyone, {}, "signer_key", "chmod 600"),
    "expired signer": (_leaf_variant(days=(-400, -1)), {}, "signer_chain", "not now"),
    "signer not yet valid": (_leaf_variant(days=(2, 30)), {}, "signer_chain", "not now"),
    "CA certificate as signer": (_leaf_variant(ca_flag=True), {}, "signer_chain", "CA certificate"),
    "no digitalSignature": (_leaf_variant(signature=False), {}, "signer_chain", "digitalSignature"),
    "signer of another CA": (_signed_by_another_ca, {}, "signer_chain", "does not validate"),
    "chain out of order": (_wrong_order, {"ca_certificate": None}, "signer_chain", "does not hold the key"),
    "intermediate re-keyed under its name": (_rekeyed_intermediate, {"ca_certificate": None}, "signer_chain",
                                             "issued by the next one"),
    "expired intermediate": (_expired_intermediate, {"ca_certificate": None}, "signer_chain", "not valid now"),
    "missing key file": (None, {"signer_key": "nowhere.pem"}, "signer_key", "cannot be read"),
    "role it cannot have": (None, {"roles": ["verifier"]}, "roles", "pda1_issuer"),
    "country not its id's": (None, {"country": "LV"}, "id", "country code"),
    "unknown country": (None, {"country": "US"}, "country", "ESSPASS countries"),
    "bad path": (None, {"path": "EE/SKA"}, "path", "URL path segment"),
    "unknown setting": (None, {"signing_key": "x"}, "signing_key", "not a setting"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_mistake_in_the_institutions_file_is_refused_by_name(tmp_path: Path, case: str) -> None:
    change, settings, field, rule = REFUSED[case]
    files = Files(tmp_path)
    if change is not None:
        change(files)
    with pytest.raises(DataError) as refused:
        _load(files.write(**settings))
    assert refused.value.field.endswith(f".{field}"), refused.value.field
    assert rule in refused.value.rule


def test_two_institutions_on_one_path_are_refused(tmp_path: Path) -> None:
    files = Files(tmp_path)
    text = files.write().read_text()
    (tmp_path / "institutions.toml").write_text(text + "\n" + text.replace('"EE:SKA"', '"EE:SKA2"'))
    with pytest.raises(DataError, match="used by another institution"):
        _load(tmp_path / "institutions.toml")


def test_a_file_that_is_not_toml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "institutions.toml").write_text("[[institution]\nid = ")
    with pytest.raises(DataError, match="not valid TOML"):
        _load(tmp_path / "institutions.toml")


# --- end to end: its own issuer, the registry, an inspector ---------------------------------------


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "esspass.cli", "issuer", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_an_institution_runs_its_own_issuer_and_inspectors_accept_its_a1(tmp_path: Path) -> None:
    data = tmp_path / "pilot"
    seed_data_dir(data)
    files = Files(tmp_path / "ska-keys")
    institutions_file = files.write()
    ska_dir = tmp_path / "ska-issuer"
    with start_in_process(data) as stack, httpx.Client(timeout=30) as http:
        env = {**os.environ, "ESSPASS_DATA_DIR": str(ska_dir),
               "ESSPASS_ISSUER_INSTITUTIONS_FILE": str(institutions_file),
               "ESSPASS_ISSUER_REGISTRY_URL": stack.registry_url,
               "ESSPASS_ISSUER_REGISTRY_ROOT": str(data / "pki" / "root.pem")}
        env.pop("DATABASE_URL", None)
        before = _check(env)  # not on the trust list yet: what it would sign is refused
        assert before.returncode == 1 and "EE:SKA" in before.stdout and "REFUSED" in before.stdout, before
        Registry(make_engine(f"sqlite:///{data / 'registry.db'}")).add_entity(
            {"id": SKA.id, "country": "EE", "name": SKA.name, "name_en": SKA.name_en, "roles": ["pda1_issuer"],
             "path": SKA.path, "certificates": [{"pem": _pem(files.ca), "usage": "ca"},
                                                {"pem": _pem(files.signer), "usage": "signer"}]}, who="test")
        after = _check(env)
        assert after.returncode == 0 and "EE:SKA" in after.stdout and " ok " in after.stdout, after
        assert "offline QR" not in after.stdout and "expires in" not in after.stdout  # its signer is listed too
        chain = files.dir / "chain.pem"
        listed = chain.read_bytes()
        write_certificates(chain, [_leaf(files.ca_key, files.ca, files.key, days=(-1, 20))])  # the same key
        soon = _check(env)
        assert soon.returncode == 0 and "expires in 19 days" in soon.stdout, soon
        chain.write_bytes(listed)

        from issuer.app import create_app
        from issuer.settings import IssuerSettings

        port = free_port()
        ska_url = f"http://127.0.0.1:{port}"
        ska_issuer = serve(create_app(IssuerSettings(
            data_dir=ska_dir, institutions_file=institutions_file, public_url=ska_url,
            registry_url=stack.registry_url, registry_root=data / "pki" / "root.pem")), port=port)
        try:
            assert not (ska_dir / "pki").exists()  # no demo key was made for it
            metadata = http.get(f"{ska_url}/.well-known/openid-credential-issuer/ee-ska").json()
            assert metadata["credential_issuer"] == f"{ska_url}/ee-ska"
            wallet = open_wallet(data / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data / "pki")
            demo = Clerk(stack.issuer_url, data, http)
            demo.hand_over(wallet, PERSON.pid_provider, "pid", PERSON.pid)
            ska = Clerk(ska_url, ska_dir, http, paths={SKA.id: SKA.path})
            authority = {"id": SKA.id, "name": SKA.name}
            a1 = {**PERSON.pda1, "issuing_authority": {**authority, "country": "EE"}, "issuing_country": "EE",
                  "authentic_source": authority, "legislation_country": "EE", "document_number": "EE-A1-0001"}
            case = ska.create_case(SKA.id, "pda1", a1, HOLDER)
            offer = ska.offer(SKA.id, case)
            wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])

            inspector = Inspector(stack.verifier_url, http, stack.inspector_token)
            request = inspector.request("pda1")
            consent = wallet.open_request(request["link"], "en")
            wallet.share(consent.id)
            verdict = inspector.result(request)["verdict"]
            assert verdict["verdict"] == "valid", verdict
            assert verdict["person"]["documents"][0]["legislation_country"] == "EE"

            ska.set_state(SKA.id, case, "revoke", "posting cancelled")  # its own status list is honoured
            request = inspector.request("pda1")
            wallet.share(wallet.open_request(request["link"], "en").id)
            verdict = inspector.result(request)["verdict"]
            assert verdict["verdict"] == "invalid" and "withdrawn" in verdict["reason"], verdict
        finally:
            ska_issuer.stop()
            wallet.http.close()


@pytest.mark.parametrize("content", [None, b"", b"not = [toml"])
def test_an_institutions_file_that_cannot_be_used_is_named_by_its_setting(tmp_path: Path,
                                                                          content: bytes | None) -> None:
    """README: a file a setting names that cannot be used stops the issuer in one line naming the
    setting (exit 1): ESSPASS_ISSUER_INSTITUTIONS_FILE, not the settings field's name."""
    from esspass.testing import run_cli

    path = tmp_path / "institutions.toml"
    if content is not None:
        path.write_bytes(content)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESSPASS_") and k != "DATABASE_URL"}
    done = run_cli(["issuer", "serve", "--port", "0"],
                   env={**env, "ESSPASS_DATA_DIR": str(tmp_path), "ESSPASS_ISSUER_INSTITUTIONS_FILE": str(path)})
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("esspass: ESSPASS_ISSUER_INSTITUTIONS_FILE: ") and done.stderr.count("\n") == 1, \
        done.stderr
    assert "institutions_file" not in done.stderr
