"""A real deployment brings its own keys: the registry its root and list signer, an inspectorate
its access certificate (the issuer's institutions: tests/test_issuer_institutions.py).

Each is checked before the service starts; a mistake is one plain line naming the setting and
the rule. Then lists and requests are signed with those keys, and the other services accept them.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from credentials import trust_list
from credentials.demo_persons import DEMO_PERSONS
from credentials.errors import DataError, IssuerKeyError
from credentials.institutions import DEMO_ENTITIES, Entity, Role
from credentials.jose import b64url_decode
from credentials.pki import (
    create_entity_ca,
    create_registry_root,
    issue_access_certificate,
    issue_document_signer,
    issue_list_signer,
    load_demo_pki,
    write_certificates,
    write_private_key,
)
from esspass.db import make_engine
from esspass.stack import Clerk, Inspector, inspector_token, open_wallet, start_in_process, unnumbered
from esspass.testing import free_port, serve
from trust_registry.seed import seed_data_dir
from trust_registry.settings import RegistrySettings
from trust_registry.store import Registry
from verifier.settings import VerifierSettings

NOW = datetime.now(UTC).replace(microsecond=0)
ROOT = Path(__file__).resolve().parent.parent
PERSON = DEMO_PERSONS[0]
VDI = next(e for e in DEMO_ENTITIES if e.id == "LV:VDI")
TI = Entity("EE:TI", "EE", "Tööinspektsioon", "Labour Inspectorate", frozenset({Role.VERIFIER}), "ee-ti",
            dns_name="ti.verifier.example.ee", may_request=dict(VDI.may_request))
NARROW = Entity("EE:NARROW", "EE", "Kitsas Amet", "Narrow Office", frozenset({Role.VERIFIER}), "ee-narrow",
                dns_name="narrow.verifier.example.ee")


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "esspass.cli", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60)


# --- the registry's root and list signer -----------------------------------------------------------


def _registry_keys(directory: Path) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=True)
    root_key, root = create_registry_root(now=NOW)
    key, signer = issue_list_signer(root_key, root, now=NOW)
    write_private_key(directory / "list-signer.key.pem", key)
    write_certificates(directory / "list-signer.pem", [signer])
    write_certificates(directory / "root.pem", [root])
    return {"root_file": directory / "root.pem", "list_signer_key_file": directory / "list-signer.key.pem",
            "list_signer_chain_file": directory / "list-signer.pem"}


def test_the_registry_signs_its_lists_with_its_own_key_under_its_own_root(tmp_path: Path) -> None:
    from trust_registry.app import create_app

    seed_data_dir(tmp_path)  # the demo institutions, listed; the demo root is NOT the one in use
    keys = _registry_keys(tmp_path / "operator")
    own_root = x509.load_pem_x509_certificate(keys["root_file"].read_bytes())
    with serve(create_app(RegistrySettings(data_dir=tmp_path, **keys))) as registry, httpx.Client() as http:
        assert x509.load_pem_x509_certificate(http.get(f"{registry.url}/root.pem").content) == own_root
        token = http.get(f"{registry.url}/lists/issuers").text
        listed = trust_list.verify_trust_list(token, registry_root=own_root, now=NOW, kind="issuers")
        assert listed.entity("LV:VSAA") is not None
        with pytest.raises(IssuerKeyError):  # a verifier still pinning the demo root refuses it
            trust_list.verify_trust_list(token, registry_root=load_demo_pki(tmp_path / "pki").root, now=NOW)


def test_a_list_signer_that_is_not_under_the_root_stops_the_registry_with_one_line(tmp_path: Path) -> None:
    keys = _registry_keys(tmp_path / "operator")
    _other_key, other_root = create_registry_root(now=NOW)
    write_certificates(Path(keys["root_file"]), [other_root])
    with pytest.raises(DataError) as refused:
        RegistrySettings(data_dir=tmp_path, **keys).list_signer(NOW)
    assert refused.value.field == "ESSPASS_REGISTRY_LIST_SIGNER_CHAIN_FILE"
    env = {"ESSPASS_DATA_DIR": str(tmp_path), **{f"ESSPASS_REGISTRY_{k.upper()}": str(v) for k, v in keys.items()},
           "ESSPASS_REGISTRY_PORT": str(free_port())}
    started = _cli("registry", "serve", "--port", env["ESSPASS_REGISTRY_PORT"], env=env)
    assert started.returncode == 1 and "Traceback" not in started.stderr, started.stderr
    assert "ESSPASS_REGISTRY_LIST_SIGNER_CHAIN_FILE" in started.stderr and "does not validate" in started.stderr


def test_the_registry_needs_every_key_file_once_one_is_given(tmp_path: Path) -> None:
    """A typo in one setting must never leave the registry signing with the demo key."""
    keys = _registry_keys(tmp_path / "operator")
    with pytest.raises(DataError, match="ESSPASS_REGISTRY_ROOT_FILE"):
        RegistrySettings(data_dir=tmp_path, list_signer_key_file=keys["list_signer_key_file"],
                         list_signer_chain_file=keys["list_signer_chain_file"]).list_signer(NOW)
    with pytest.raises(DataError, match="ESSPASS_REGISTRY_LIST_SIGNER_KEY_FILE"):
        RegistrySettings(data_dir=tmp_path, root_file=keys["root_file"]).list_signer(NOW)


def test_a_verifier_given_part_of_its_own_keys_never_signs_with_the_demo_key(tmp_path: Path) -> None:
    files, _ca, _leaf = _access_files(tmp_path / "ti-keys")
    with pytest.raises(DataError, match="ESSPASS_VERIFIER_ACCESS_KEY_FILE"):
        VerifierSettings(data_dir=tmp_path, entity_id=TI.id,
                         access_ca_file=files["access_ca_file"]).access_certificate(NOW)
    assert not (tmp_path / "pki").exists()


# --- an inspectorate's access certificate ------------------------------------------------------------


def _access_files(directory: Path, entity: Entity = TI, *, signature: bool = True) -> tuple[
        dict[str, Any], x509.Certificate, x509.Certificate]:
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca = create_entity_ca(entity, now=NOW)
    if signature:
        key, leaf = issue_access_certificate(entity, ca_key, ca, now=NOW)
    else:  # a document signer's shape, without the DNS name the x509_san_dns client id needs
        key, leaf = issue_document_signer(entity, ca_key, ca, now=NOW)
    write_private_key(directory / "access.key.pem", key)
    write_certificates(directory / "access.pem", [leaf])
    write_certificates(directory / "ca.pem", [ca])
    return ({"access_key_file": directory / "access.key.pem", "access_chain_file": directory / "access.pem",
             "access_ca_file": directory / "ca.pem"}, ca, leaf)


def _registered(entity: Entity, ca: x509.Certificate, may_request: Any) -> dict[str, Any]:
    return {"id": entity.id, "country": entity.country, "name": entity.name, "name_en": entity.name_en,
            "roles": ["verifier"], "dns_name": entity.dns_name, "path": entity.path,
            "may_request": {k: list(v) for k, v in may_request.items()},
            "certificates": [{"pem": _pem(ca), "usage": "ca"}]}


def test_an_access_certificate_without_the_dns_name_it_is_known_by_is_refused_at_start(tmp_path: Path) -> None:
    files, _ca, _leaf = _access_files(tmp_path, signature=False)
    settings = VerifierSettings(data_dir=tmp_path, entity_id=TI.id, client_id_prefix="x509_san_dns", **files)
    with pytest.raises(DataError) as refused:
        settings.access_certificate(NOW)
    assert refused.value.field == "ESSPASS_VERIFIER_ACCESS_CHAIN_FILE" and "dNSName" in refused.value.rule
    env = {"ESSPASS_DATA_DIR": str(tmp_path), "ESSPASS_VERIFIER_ENTITY_ID": TI.id,
           "ESSPASS_VERIFIER_CLIENT_ID_PREFIX": "x509_san_dns",
           **{f"ESSPASS_VERIFIER_{k.upper()}": str(v) for k, v in files.items()}}
    started = _cli("verifier", "serve", "--port", str(free_port()), env=env)
    assert started.returncode == 1 and "Traceback" not in started.stderr, started.stderr
    assert "ESSPASS_VERIFIER_ACCESS_CHAIN_FILE" in started.stderr


def test_an_inspectorate_asks_with_its_own_access_certificate_and_the_wallet_answers(tmp_path: Path) -> None:
    data = tmp_path / "pilot"
    seed_data_dir(data)
    files, ca, leaf = _access_files(tmp_path / "ti-keys")
    ti_dir = tmp_path / "ti-verifier"
    with start_in_process(data) as stack, httpx.Client(timeout=30) as http:
        from verifier.app import create_app

        env = {"ESSPASS_DATA_DIR": str(ti_dir), "ESSPASS_VERIFIER_ENTITY_ID": TI.id,
               "ESSPASS_VERIFIER_PKI_DIR": str(data / "pki"), "ESSPASS_VERIFIER_REGISTRY_URL": stack.registry_url,
               **{f"ESSPASS_VERIFIER_{k.upper()}": str(v) for k, v in files.items()}}
        before = _cli("verifier", "check", env=env)  # not registered: wallets would decline
        assert before.returncode == 1 and before.stdout.count("REFUSED") == 2, before
        registry = Registry(make_engine(f"sqlite:///{data / 'registry.db'}"))
        registry.add_entity(_registered(TI, ca, TI.may_request), who="test")
        after = _cli("verifier", "check", env=env)
        assert after.returncode == 0 and after.stdout.count(" ok ") == 2, after
        # Another inspectorate, registered for less than an inspection asks: told before any worker is.
        narrow_files, narrow_ca, _ = _access_files(tmp_path / "narrow-keys", NARROW)
        registry.add_entity(_registered(NARROW, narrow_ca, {"urn:eudi:pda1:1": ("document_number",)}), who="test")
        narrow = _cli("verifier", "check", env={**env, "ESSPASS_DATA_DIR": str(tmp_path / "narrow"),
                                                "ESSPASS_VERIFIER_ENTITY_ID": NARROW.id,
                                                **{f"ESSPASS_VERIFIER_{k.upper()}": str(v)
                                                   for k, v in narrow_files.items()}})
        assert narrow.returncode == 1 and "not registered to request" in narrow.stdout, narrow
        port = free_port()
        verifier = serve(create_app(VerifierSettings(
            data_dir=ti_dir, pki_dir=data / "pki", public_url=f"http://127.0.0.1:{port}",
            registry_url=stack.registry_url, entity_id=TI.id, **files)), port=port)
        wallet = open_wallet(data / "phone", stack.registry_url, "pw", fast_kdf=True, pki_dir=data / "pki")
        try:
            assert not (ti_dir / "pki").exists()  # no demo key was made for it
            clerk = Clerk(stack.issuer_url, data, http)
            for entity, config, claims, holder in ((PERSON.pid_provider, "pid", PERSON.pid, None),
                                                   (PERSON.pda1_issuer, "pda1", unnumbered(PERSON.pda1), {
                                                       k: PERSON.pid[k] for k in ("family_name", "given_name",
                                                                                  "birthdate")})):
                offer = clerk.offer(entity, clerk.create_case(entity, config, claims, holder))
                wallet.accept_offer(wallet.open_offer(offer["link"])[0], offer["tx_code"])
            inspector = Inspector(f"http://127.0.0.1:{port}", http, inspector_token(ti_dir))
            request = inspector.request("pda1")
            signed = http.get(request["request_uri"]).text
            header: dict[str, Any] = json.loads(b64url_decode(signed.split(".")[0]))
            assert x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0])) == leaf
            consent = wallet.open_request(request["link"], "en")
            assert (consent.verifier_id, consent.verifier_country) == ("EE:TI", "EE")  # the worker sees who asks
            wallet.share(consent.id)
            verdict = inspector.result(request)["verdict"]
            assert verdict["verdict"] == "valid", verdict
        finally:
            verifier.stop()
            wallet.http.close()
