"""Review R6, finding 1 and 8: the registry's operator corrects an institution it registered (its
path, the credential types it is competent for) without a new id, and the CLI's words are the ones
the operator can act on (`--ca-pem`, not an API field; `--reason` shown as required)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from credentials.institutions import Entity, Role
from credentials.pki import create_entity_ca, issue_document_signer, write_certificates, write_private_key
from esspass.db import make_engine
from esspass.testing import serve
from trust_registry.app import create_app
from trust_registry.seed import seed_data_dir
from trust_registry.settings import READ, WRITE, RegistrySettings
from trust_registry.store import Registry

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC).replace(microsecond=0)
SKA = Entity("EE:SKA", "EE", "Sotsiaalkindlustusamet", "Social Insurance Board", frozenset({Role.PDA1_ISSUER}),
             "ee-ska")
EHK = Entity("EE:EHK", "EE", "Eesti Haigekassa", "Estonian Health Insurance Fund", frozenset({Role.EHIC_ISSUER}),
             "ee-ehk")
ADMIN = "onboarding-admin-token-0123456789"


class Institution:
    """An institution's key material as its own CA handed it over (README "Own keys")."""

    def __init__(self, directory: Path, entity: Entity) -> None:
        self.entity, self.dir = entity, directory
        directory.mkdir(parents=True, exist_ok=True)
        ca_key, ca = create_entity_ca(entity, now=NOW)
        key, signer = issue_document_signer(entity, ca_key, ca, now=NOW)
        write_private_key(directory / "signer.key.pem", key)
        write_certificates(directory / "chain.pem", [signer])
        write_certificates(directory / "ca.pem", [ca])
        write_certificates(directory / "signer.pem", [signer])

    def toml(self, roles: list[str], *, approval: bool = False) -> str:
        e, d = self.entity, self.dir
        return "\n".join([
            "[[institution]]", f'id = "{e.id}"', f'country = "{e.country}"', f'name = "{e.name}"',
            f'name_en = "{e.name_en}"', "roles = [" + ", ".join(f'"{r}"' for r in roles) + "]", f'path = "{e.path}"',
            f'signer_key = "{d / "signer.key.pem"}"', f'signer_chain = "{d / "chain.pem"}"',
            f'ca_certificate = "{d / "ca.pem"}"', *(["approval = true"] if approval else [])]) + "\n"


def esspass(*args: str, data: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The `esspass` command as an operator runs it, on ``data``."""
    full = {**os.environ, **(env or {}), "ESSPASS_DATA_DIR": str(data)}
    full.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "esspass.cli", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=120, check=False)


def add(inst: Institution, data: Path, *extra: str) -> None:
    e = inst.entity
    added = esspass("registry", "add", "--id", e.id, "--country", e.country, "--name", e.name,
                    "--role", *sorted(r.value for r in e.roles), "--ca-pem", str(inst.dir / "ca.pem"),
                    "--signer-pem", str(inst.dir / "signer.pem"), *extra, data=data)
    assert added.returncode == 0, added.stderr


def registry(data: Path) -> Registry:
    return Registry(make_engine(f"sqlite:///{data / 'registry.db'}"))


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    directory = tmp_path / "registry-data"
    seed_data_dir(directory)
    return directory


@pytest.fixture()
def admin(data: Path) -> Iterator[httpx.Client]:
    settings = RegistrySettings(data_dir=data, admin_tokens={ADMIN: [READ, WRITE, "name:ops"]})
    with serve(create_app(settings)) as handle, httpx.Client(
            base_url=handle.url, timeout=10, headers={"Authorization": f"Bearer {ADMIN}"}) as client:
        yield client


# --- finding 1: a registration can be corrected -------------------------------------------------


def test_an_institution_registered_without_its_path_can_be_given_it_later(tmp_path: Path, data: Path) -> None:
    ehk = Institution(tmp_path / "ehk", EHK)
    add(ehk, data)
    again = esspass("registry", "add", "--id", EHK.id, "--country", "EE", "--name", EHK.name, "--role",
                    "ehic_issuer", "--ca-pem", str(ehk.dir / "ca.pem"), "--path", EHK.path, data=data)
    assert again.returncode == 1 and "already exists" in again.stderr  # "registered again" is no way out
    fixed = esspass("registry", "path", EHK.id, EHK.path, data=data)
    assert fixed.returncode == 0, (fixed.stdout, fixed.stderr)
    assert registry(data).show(EHK.id).get("path") == EHK.path


def test_the_operator_can_authorise_a_registered_institution_for_another_credential_type(
        tmp_path: Path, data: Path) -> None:
    add(Institution(tmp_path / "ska", SKA), data, "--path", SKA.path)
    changed = esspass("registry", "roles", SKA.id, "pda1_issuer", "ehic_issuer", data=data)
    assert changed.returncode == 0, (changed.stdout, changed.stderr)
    assert set(registry(data).show(SKA.id)["roles"]) == {"pda1_issuer", "ehic_issuer"}


def test_a_path_another_entity_uses_is_refused(tmp_path: Path, data: Path) -> None:
    add(Institution(tmp_path / "ehk", EHK), data)
    taken = esspass("registry", "path", EHK.id, "lv-vsaa", data=data)
    assert taken.returncode == 1 and "LV:VSAA" in taken.stderr and "Traceback" not in taken.stderr
    assert registry(data).show(EHK.id).get("path") is None


def test_a_role_not_known_is_refused(tmp_path: Path, data: Path) -> None:
    add(Institution(tmp_path / "ska", SKA), data)
    unknown = esspass("registry", "roles", SKA.id, "pda1_issuer", "tax_issuer", data=data)
    assert unknown.returncode == 2 and "tax_issuer" in unknown.stderr
    assert registry(data).show(SKA.id)["roles"] == ["pda1_issuer"]


def test_the_admin_api_corrects_path_and_roles_audited_and_in_the_signed_list(
        tmp_path: Path, data: Path, admin: httpx.Client) -> None:
    add(Institution(tmp_path / "ehk", EHK), data)
    before = admin.get("/admin/entities").json()["sequence"]
    assert admin.put(f"/admin/entities/{EHK.id}/path", json={"path": EHK.path}).status_code == 200
    assert admin.put(f"/admin/entities/{EHK.id}/roles", json={"roles": ["ehic_issuer", "pda1_issuer"]}).status_code \
        == 200
    assert admin.put(f"/admin/entities/{EHK.id}/path", json={"path": "lv-vsaa"}).status_code == 409
    assert admin.put(f"/admin/entities/{EHK.id}/roles", json={"roles": ["tax_issuer"]}).status_code == 400
    assert admin.get("/admin/entities").json()["sequence"] == before + 2
    audit = admin.get(f"/admin/entities/{EHK.id}/history").json()["audit"]
    assert [(a["action"], a["who"]) for a in audit[-2:]] == [("set_path", "api:ops"), ("set_roles", "api:ops")]
    token = admin.get("/lists/issuers").text
    signed = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=" * (-len(token.split(".")[1]) % 4)))
    listed = next(e for e in signed["entities"] if e["id"] == EHK.id)
    assert listed["path"] == EHK.path and set(listed["roles"]) == {"ehic_issuer", "pda1_issuer"}


def test_issuer_check_never_tells_the_admin_to_register_the_institution_again(tmp_path: Path, data: Path) -> None:
    from esspass.stack import start_in_process

    ehk = Institution(tmp_path / "ehk", EHK)
    add(ehk, data)
    institutions = tmp_path / "institutions.toml"
    institutions.write_text(ehk.toml(["ehic_issuer"], approval=True), encoding="utf-8")
    with start_in_process(data) as stack:
        env = {"ESSPASS_ISSUER_INSTITUTIONS_FILE": str(institutions), "ESSPASS_ISSUER_REGISTRY_URL": stack.registry_url,
               "ESSPASS_ISSUER_REGISTRY_ROOT": str(data / "pki" / "root.pem"),
               "ESSPASS_ISSUER_PUBLIC_URL": "http://127.0.0.1:9/"}
        check = esspass("issuer", "check", env=env, data=tmp_path / "ehk-issuer")
    assert "EE:EHK" in check.stdout and "REFUSED" in check.stdout, (check.stdout, check.stderr)
    assert "registered again" not in check.stdout, check.stdout
    assert f"esspass registry path {EHK.id} {EHK.path}" in check.stdout, check.stdout


# --- finding 8: words the operator can act on ---------------------------------------------------


def test_registry_add_names_the_option_at_fault_not_the_api_field(tmp_path: Path, data: Path) -> None:
    ska = Institution(tmp_path / "ska", SKA)
    wrong = esspass("registry", "add", "--id", SKA.id, "--country", "EE", "--name", SKA.name, "--role", "pda1_issuer",
                    "--ca-pem", str(ska.dir / "signer.pem"), data=data)
    assert wrong.returncode == 1
    assert "--ca-pem" in wrong.stderr and "certificates.0" not in wrong.stderr, wrong.stderr
    other = Institution(tmp_path / "other", SKA)
    wrong = esspass("registry", "add", "--id", SKA.id, "--country", "EE", "--name", SKA.name, "--role", "pda1_issuer",
                    "--ca-pem", str(ska.dir / "ca.pem"), "--signer-pem", str(other.dir / "signer.pem"), data=data)
    assert wrong.returncode == 1
    assert "--signer-pem" in wrong.stderr and "certificates.1" not in wrong.stderr, wrong.stderr


def test_suspend_and_withdraw_say_in_their_help_that_a_reason_is_required(data: Path) -> None:
    for action in ("suspend", "withdraw"):
        shown = esspass("registry", action, "--help", data=data)
        assert "[--reason REASON]" not in shown.stdout and "--reason REASON" in shown.stdout, shown.stdout


def test_registry_show_after_a_correction_is_json(tmp_path: Path, data: Path) -> None:
    add(Institution(tmp_path / "ska", SKA), data)
    assert esspass("registry", "path", SKA.id, SKA.path, data=data).returncode == 0
    assert json.loads(esspass("registry", "show", SKA.id, data=data).stdout)["path"] == SKA.path
