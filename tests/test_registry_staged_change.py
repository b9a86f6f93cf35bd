"""Operator review H1: a staged CA change from the command line and the admin API, and operator-configured
bearer tokens of at least 16 characters.

A staged change (README "Trust registry"): the new CA is listed beside the old one
(``registry add-certificate``), the institution gets a signer under it and switches, then the old
CA's window is closed (``registry close-certificate``). What the old signer signed before the close
stays trusted; what it would sign after is not; the new signer is trusted throughout.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from pydantic import BaseModel, ValidationError

from credentials import pda1, trust_list
from credentials.errors import IssuerTrustError
from credentials.institutions import Entity, Role
from credentials.pki import create_entity_ca, issue_document_signer, write_certificates
from credentials.x509 import spki_kid
from esspass.cli import main
from esspass.config import settings_error_line
from esspass.db import make_engine
from esspass.testing import serve
from issuer.settings import IssuerSettings
from trust_registry.app import create_app
from trust_registry.settings import READ, WRITE, RegistrySettings
from trust_registry.store import Registry
from verifier.settings import VerifierSettings

STG = Entity("EE:STG", "EE", "Sotsiaalkindlustusamet", "Staged Board", frozenset({Role.PDA1_ISSUER}), "ee-stg")
ADMIN = "staged-change-admin-token-0123456789"
READER = "staged-change-reader-token-0123456789"


class Keys:
    """An institution's old CA and signer, and the new CA and signer it moves to, as PEM files."""

    def __init__(self, directory: Path) -> None:
        now = datetime.now(UTC)
        directory.mkdir(parents=True, exist_ok=True)
        old_key, self.old_ca = create_entity_ca(STG, now=now)
        self.old_signer = issue_document_signer(STG, old_key, self.old_ca, now=now)[1]
        new_key, self.new_ca = create_entity_ca(STG, now=now)
        self.new_signer = issue_document_signer(STG, new_key, self.new_ca, now=now)[1]
        self.files: dict[str, Path] = {}
        for name in ("old_ca", "old_signer", "new_ca", "new_signer"):
            self.files[name] = directory / f"{name}.pem"
            write_certificates(self.files[name], [getattr(self, name)])

    def pem(self, name: str) -> str:
        return self.files[name].read_text("ascii")


def _registry(data: Path) -> Registry:
    return Registry(make_engine(f"sqlite:///{data / 'registry.db'}"))


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["registry", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An (empty) registry database in a data directory, the one the CLI works on."""
    directory = tmp_path / "data"
    directory.mkdir()
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(directory))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ESSPASS_REGISTRY_DATABASE_URL", raising=False)
    _registry(directory).engine.dispose()
    return directory


def _authorised(registry: Registry, signer: x509.Certificate, *, at: datetime) -> trust_list.AuthorisedIssuer:
    """The trust list's judgement of a PDA1 signed by ``signer`` at ``at``, with the list and the clock at ``at``."""
    return trust_list.authorised_issuer(registry.build_list("issuers", at), [signer], pda1.VCT, at=at, now=at)


def test_a_staged_ca_change_from_the_command_line_keeps_old_documents_and_switches_to_the_new_signer(
        tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys = Keys(tmp_path / "keys")
    code, _, err = _cli(capsys, "add", "--id", STG.id, "--country", "EE", "--name", STG.name, "--role", "pda1_issuer",
                        "--ca-pem", str(keys.files["old_ca"]), "--signer-pem", str(keys.files["old_signer"]))
    assert code == 0, err
    old_kid = spki_kid(keys.old_ca)

    # (a) the new CA beside the old one: both listed, nothing closed.
    code, out, err = _cli(capsys, "add-certificate", STG.id, "--pem", str(keys.files["new_ca"]))
    assert code == 0 and "none closed" in out, err
    registry = _registry(data)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    cas = [c for c in registry.build_list("issuers", start).entity(STG.id).certificates  # type: ignore[union-attr]
           if c.usage == "ca"]
    assert len(cas) == 2 and all(c.listed_at(start + timedelta(days=1)) for c in cas)
    # Closing the old CA before the institution has a signer under the new one would stop it signing.
    code, out, err = _cli(capsys, "close-certificate", "--", STG.id, old_kid)
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and "signer" in err, err

    # (b) the institution's signer under the new CA.
    code, _, err = _cli(capsys, "add-certificate", STG.id, "--pem", str(keys.files["new_signer"]), "--usage", "signer")
    assert code == 0, err
    assert _authorised(registry, keys.old_signer, at=start + timedelta(hours=1)).entity.id == STG.id
    assert _authorised(registry, keys.new_signer, at=start + timedelta(hours=1)).entity.id == STG.id

    # (c) the old CA's window closes tomorrow: a time in the past is refused, one line naming --at.
    code, _, err = _cli(capsys, "close-certificate", "--at", "2001-01-01T00:00:00+00:00", "--", STG.id, old_kid)
    assert code == 1 and "--at" in err and len(err.splitlines()) == 1, err
    close = start + timedelta(days=1)
    code, out, err = _cli(capsys, "close-certificate", "--at", close.isoformat(), "--", STG.id, old_kid)
    assert code == 0 and "stays trusted" in out, err

    before, after = close - timedelta(hours=1), close + timedelta(hours=1)
    assert _authorised(registry, keys.old_signer, at=before).anchor.kid == old_kid  # signed before the close
    assert _authorised(registry, keys.new_signer, at=before).anchor.kid == spki_kid(keys.new_ca)
    assert _authorised(registry, keys.new_signer, at=after).anchor.kid == spki_kid(keys.new_ca)
    with pytest.raises(IssuerTrustError, match="not listed"):
        _authorised(registry, keys.old_signer, at=after)
    # ... and a document the old signer signed before the close is still trusted after it.
    tl = registry.build_list("issuers", after)
    assert trust_list.authorised_issuer(tl, [keys.old_signer], pda1.VCT, at=before, now=after).entity.id == STG.id

    # `registry show` lists each certificate's window; `history` who did what.
    code, out, _ = _cli(capsys, "show", STG.id)
    shown = json.loads(out)
    windows = {c["kid"]: c["window"] for c in shown["certificates"]}
    assert windows[old_kid]["until"] == close.isoformat() and windows[old_kid]["now"] == "open"
    assert windows[spki_kid(keys.new_ca)]["now"] == "open" and all("subject" in c for c in shown["certificates"])
    audit = registry.history(STG.id)["audit"]
    assert [a["action"] for a in audit] == ["add_entity", "add_certificate", "add_certificate", "close_certificate"]
    assert all(a["who"].startswith("cli:") for a in audit) and audit[-1]["detail"]["kid"] == old_kid


def test_rotate_still_closes_the_current_ca_at_once(
        tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``rotate`` is kept as the one-step change (for an institution already signing under the new CA)."""
    keys = Keys(tmp_path / "keys")
    assert _cli(capsys, "add", "--id", STG.id, "--country", "EE", "--name", STG.name, "--role", "pda1_issuer",
                "--ca-pem", str(keys.files["old_ca"]))[0] == 0
    code, out, err = _cli(capsys, "rotate", STG.id, "--pem", str(keys.files["new_ca"]))
    assert code == 0 and "listed until now" in out, err
    old = next(c for c in _registry(data).show(STG.id)["certificates"] if c["kid"] == spki_kid(keys.old_ca))
    assert old["not_after"] <= int(datetime.now(UTC).timestamp())


@pytest.fixture
def admin(data: Path) -> Iterator[httpx.Client]:
    settings = RegistrySettings(data_dir=data, admin_tokens={ADMIN: [READ, WRITE, "name:ops"], READER: [READ]})
    with serve(create_app(settings)) as handle, httpx.Client(base_url=handle.url, timeout=20) as client:
        yield client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _register(admin: httpx.Client, keys: Keys, *usages: str) -> None:
    certificates = [{"pem": keys.pem(name), "usage": "signer" if "signer" in name else "ca"} for name in usages]
    added = admin.post("/admin/entities", headers=_bearer(ADMIN), json={
        "id": STG.id, "country": "EE", "name": STG.name, "roles": ["pda1_issuer"], "certificates": certificates})
    assert added.status_code == 201, added.text


def test_the_staged_change_over_the_admin_api_closes_the_old_ca_now_and_keeps_what_it_signed(
        tmp_path: Path, data: Path, admin: httpx.Client) -> None:
    keys = Keys(tmp_path / "keys")
    _register(admin, keys, "old_ca", "old_signer")
    for name in ("new_ca", "new_signer"):
        added = admin.post(f"/admin/entities/{STG.id}/certificates", headers=_bearer(ADMIN),
                           json={"pem": keys.pem(name), "usage": "signer" if "signer" in name else "ca"})
        assert added.status_code == 201, added.text
    old_kid = spki_kid(keys.old_ca)
    registered = next(c for c in admin.get(f"/admin/entities/{STG.id}", headers=_bearer(READER)).json()[
        "certificates"] if c["kid"] == old_kid)
    signed_at = datetime.fromtimestamp(registered["not_before"], UTC)  # a document signed before the close

    closed = admin.post(f"/admin/entities/{STG.id}/certificates/{old_kid}/close", headers=_bearer(ADMIN), json={})
    assert closed.status_code == 200, closed.text
    ended = datetime.fromtimestamp(next(c["not_after"] for c in closed.json()["certificates"] if c["kid"] == old_kid),
                                   UTC)
    assert signed_at <= ended <= datetime.now(UTC)
    again = admin.post(f"/admin/entities/{STG.id}/certificates/{old_kid}/close", headers=_bearer(ADMIN))
    assert again.status_code == 409 and again.json()["error"] == "conflict"

    registry = _registry(data)
    later = ended + timedelta(minutes=5)
    tl = registry.build_list("issuers", later)
    assert trust_list.authorised_issuer(tl, [keys.old_signer], pda1.VCT, at=signed_at, now=later).entity.id == STG.id
    with pytest.raises(IssuerTrustError, match="not listed"):
        trust_list.authorised_issuer(tl, [keys.old_signer], pda1.VCT, at=later, now=later)
    assert trust_list.authorised_issuer(tl, [keys.new_signer], pda1.VCT, at=later, now=later).entity.id == STG.id
    history = admin.get(f"/admin/entities/{STG.id}/history", headers=_bearer(READER)).json()
    assert (history["audit"][-1]["action"], history["audit"][-1]["who"]) == ("close_certificate", "api:ops")


def test_closing_the_last_open_ca_while_a_signer_is_open_under_it_is_refused_unless_withdrawn(
        tmp_path: Path, data: Path, admin: httpx.Client, capsys: pytest.CaptureFixture[str]) -> None:
    keys = Keys(tmp_path / "keys")
    _register(admin, keys, "old_ca", "old_signer")
    kid = spki_kid(keys.old_ca)
    sequence = _registry(data).sequence()
    refused = admin.post(f"/admin/entities/{STG.id}/certificates/{kid}/close", headers=_bearer(ADMIN), json={})
    assert refused.status_code == 409 and "signer" in refused.json()["error_description"], refused.text
    code, out, err = _cli(capsys, "close-certificate", "--", STG.id, kid)
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and STG.id in err, err
    assert _registry(data).sequence() == sequence  # nothing changed
    withdrawn = admin.post(f"/admin/entities/{STG.id}/withdraw", headers=_bearer(ADMIN), json={"reason": "merged"})
    assert withdrawn.status_code == 200, withdrawn.text
    code, _, err = _cli(capsys, "close-certificate", "--", STG.id, kid)
    assert code == 0, err


def test_rotating_a_new_ca_in_over_the_ca_of_the_listed_signers_is_refused_as_such_a_close_is(
        tmp_path: Path, data: Path, admin: httpx.Client, capsys: pytest.CaptureFixture[str]) -> None:
    """``rotate`` closes the old CA at once: with the institution's only signer under it, nothing it
    signs would be trusted until a signer under the new CA is listed. The staged change is the way."""
    keys = Keys(tmp_path / "keys")
    _register(admin, keys, "old_ca", "old_signer")
    sequence = _registry(data).sequence()
    code, out, err = _cli(capsys, "rotate", STG.id, "--pem", str(keys.files["new_ca"]))
    assert code == 1 and out == "" and len(err.splitlines()) == 1 and "add-certificate" in err, err
    refused = admin.post(f"/admin/entities/{STG.id}/certificates", headers=_bearer(ADMIN),
                         json={"pem": keys.pem("new_ca"), "usage": "ca", "rotate": True})
    assert refused.status_code == 409 and refused.json()["error"] == "conflict", refused.text
    assert _registry(data).sequence() == sequence  # nothing changed, the new CA not listed either
    # A signer rotated in under the CA that stays open leaves it signing: allowed.
    assert _cli(capsys, "add-certificate", STG.id, "--pem", str(keys.files["new_ca"]))[0] == 0
    code, _, err = _cli(capsys, "rotate", STG.id, "--pem", str(keys.files["new_signer"]), "--usage", "signer")
    assert code == 0, err


def test_a_withdrawal_set_for_later_does_not_let_a_close_leave_the_institution_without_a_signer_until_then(
        tmp_path: Path, data: Path, admin: httpx.Client, capsys: pytest.CaptureFixture[str]) -> None:
    keys = Keys(tmp_path / "keys")
    _register(admin, keys, "old_ca", "old_signer")
    _registry(data).withdraw(STG.id, who="operator", reason="merged", since=datetime.now(UTC) + timedelta(days=30))
    code, _, err = _cli(capsys, "close-certificate", "--", STG.id, spki_kid(keys.old_ca))
    assert code == 1 and "signer" in err, err
    later = (datetime.now(UTC) + timedelta(days=31)).isoformat()
    code, _, err = _cli(capsys, "close-certificate", "--at", later, "--", STG.id, spki_kid(keys.old_ca))
    assert code == 0, err  # withdrawn by then: nothing new of it is trusted anyway


@pytest.mark.parametrize("body", [{"at": "2001-01-01T00:00:00Z"}, {"at": "not a time"}, {"at": 5}])
def test_the_close_route_refuses_a_past_or_malformed_time_with_a_4xx_json_error(
        tmp_path: Path, data: Path, admin: httpx.Client, body: dict[str, Any]) -> None:
    keys = Keys(tmp_path / "keys")
    _register(admin, keys, "old_ca", "new_ca")
    refused = admin.post(f"/admin/entities/{STG.id}/certificates/{spki_kid(keys.old_ca)}/close",
                         headers=_bearer(ADMIN), json=body)
    assert refused.status_code == 400 and refused.json()["error"], refused.text
    unknown = admin.post(f"/admin/entities/{STG.id}/certificates/no-such-kid/close", headers=_bearer(ADMIN))
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"


def test_the_close_route_needs_the_write_scope(tmp_path: Path, data: Path, admin: httpx.Client) -> None:
    keys = Keys(tmp_path / "keys")
    _register(admin, keys, "old_ca", "new_ca")
    url = f"/admin/entities/{STG.id}/certificates/{spki_kid(keys.old_ca)}/close"
    assert admin.post(url, json={}).status_code == 401
    reader = admin.post(url, headers=_bearer(READER), json={})
    assert reader.status_code == 403 and reader.json()["error"] == "insufficient_scope"
    assert admin.post(url, headers=_bearer(ADMIN), json={}).status_code == 200


TOKEN_SETTINGS: list[tuple[type[BaseModel], str, str]] = [
    (RegistrySettings, "ESSPASS_REGISTRY_ADMIN_TOKENS", '["registry:read"]'),
    (IssuerSettings, "ESSPASS_ISSUER_CLERK_TOKENS", '"LV:VSAA"'),
    (VerifierSettings, "ESSPASS_VERIFIER_INSPECTOR_TOKENS", '"anna"'),
]


@pytest.mark.parametrize(("settings", "variable", "value"), TOKEN_SETTINGS, ids=[v for _, v, _ in TOKEN_SETTINGS])
def test_a_configured_token_shorter_than_16_characters_is_refused_at_settings_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: type[BaseModel], variable: str, value: str) -> None:
    monkeypatch.setenv("ESSPASS_DATA_DIR", str(tmp_path))
    short = "short-secret-15"  # 15 characters
    monkeypatch.setenv(variable, f'{{"{"x" * 40}": {value}, "{short}": {value}}}')
    with pytest.raises(ValidationError) as refused:
        settings()
    line = settings_error_line(refused.value)
    assert line.startswith(f"esspass: {variable} ") and "16 characters" in line, line
    assert short not in line and short not in str(refused.value)  # the token is a secret: never quoted
    monkeypatch.setenv(variable, f'{{"{short}x": {value}}}')  # 16 characters: accepted
    assert settings() is not None


def test_a_short_admin_token_stops_a_registry_command_in_one_line(
        data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ESSPASS_REGISTRY_ADMIN_TOKENS", '{"admin": ["registry:read", "registry:write"]}')
    code, out, err = _cli(capsys, "list")
    assert code == 2 and out == "" and err.startswith("esspass: ESSPASS_REGISTRY_ADMIN_TOKENS "), err
    assert "admin\"" not in err and len(err.splitlines()) == 1
