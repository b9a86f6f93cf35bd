"""Verifier settings (env prefix ``ESSPASS_VERIFIER_``); nothing is read at import time."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from credentials.files import named_tokens
from esspass.config import ServiceSettings

__all__ = ["InspectorTokens", "VerifierSettings", "inspector_tokens", "tokens_file"]


class VerifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ESSPASS_VERIFIER_", extra="ignore", populate_by_name=True)

    port: int = 8103
    #: The inspectorate this service acts for (its access certificate signs the requests).
    entity_id: str = "LV:VDI"
    #: (``ESSPASS_VERIFIER_REGISTRY_URL``, else the pilot-wide ``ESSPASS_REGISTRY_URL``)
    registry_url: str = Field(default="https://localhost:8101", validation_alias=AliasChoices(
        "ESSPASS_VERIFIER_REGISTRY_URL", "ESSPASS_REGISTRY_URL", "registry_url"))
    #: The pinned registry root (PEM); default: the demo PKI's root.pem.
    registry_root: Path | None = None
    pki_dir: Path | None = None
    #: CA bundle for HTTPS to the registry and issuers (the demo PKI's TLS CA in the pilot).
    tls_ca: Path | None = Field(default=None, validation_alias=AliasChoices(
        "ESSPASS_VERIFIER_TLS_CA", "ESSPASS_TLS_CA", "tls_ca"))
    client_id_prefix: str = "x509_hash"  # HAIP 1.0: x509_hash for signed requests
    response_mode: str = "direct_post.jwt"
    request_ttl: int = 300
    #: Status lists older than this give "undetermined" (offline tolerance).
    status_max_age: int = 24 * 3600
    #: The oldest trust list (seconds since the registry issued it) still used when no newer one can
    #: be fetched; past it the trust step is "undetermined". A week covers an inspector offline on a
    #: remote site; the registry reissues its lists daily.
    trust_list_max_age: int = Field(default=7 * 24 * 3600, gt=0)
    #: Seconds personal data of a verdict stays available after the check (0: until first shown).
    retention_seconds: int = 0
    policy_version: str = "esspass-2026-11"
    #: The AES-256 key that seals transactions at rest (the answer's decryption key, the person);
    #: every replica must share it. Default ``<data_dir>/verifier/storage.key``, made on first start.
    storage_key_file: Path | None = None
    #: Origins an integrator's same-device request may name as redirect_uri (JSON list,
    #: e.g. ``["https://portal.inspectorate.example"]``); none by default.
    redirect_origins: list[str] = Field(default_factory=list)
    #: Who may start checks and read verdicts (the pages and the API, not the wallet's endpoints):
    #: ``tokens`` (inspectors sign in with a token; API clients send it as a Bearer token) or ``off``
    #: (a deployment whose own gateway authenticates inspectors in front of this service).
    auth: Literal["tokens", "off"] = "tokens"
    #: Login tokens, token -> inspector name (JSON); default: one demo inspector's token kept in
    #: ``<data>/verifier/inspector-tokens.json`` (``esspass verifier tokens`` prints it).
    inspector_tokens: dict[str, str] | None = None

    def pki_path(self) -> Path:
        return self.pki_dir or self.data_dir / "pki"

    def storage_key_path(self) -> Path:
        return self.storage_key_file or self.data_dir / "verifier" / "storage.key"

    def root_path(self) -> Path:
        return self.registry_root or self.pki_path() / "root.pem"

    def base_url(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")


def inspector_tokens(settings: VerifierSettings, *, add: Collection[str] = (),
                     revoke: Collection[str] = ()) -> dict[str, str]:
    """token -> inspector: the configured tokens, else those of ``<data>/verifier/inspector-tokens.json``
    (a demo inspector's made on first start), after giving tokens to ``add`` and taking those of ``revoke``."""
    if settings.inspector_tokens:
        return dict(settings.inspector_tokens)
    path = tokens_file(settings)
    names = [*(["inspector"] if not path.exists() else []), *add]
    by_name = named_tokens(path, names, "inspector-", revoke=revoke)
    return {token: name for name, token in by_name.items()}


def tokens_file(settings: VerifierSettings) -> Path:
    return settings.data_dir / "verifier" / "inspector-tokens.json"


class InspectorTokens:
    """Who a token signs in, re-read when the tokens file changes: inspectors are added and revoked
    (``esspass verifier tokens --add/--revoke``) without restarting any worker."""

    def __init__(self, settings: VerifierSettings) -> None:
        self._settings = settings
        self._stamp: int | None = None
        self._tokens = inspector_tokens(settings)

    def name(self, token: str) -> str | None:
        if not self._settings.inspector_tokens:
            try:
                stamp = tokens_file(self._settings).stat().st_mtime_ns
            except FileNotFoundError:
                return None  # the file was removed: nobody signs in (fail closed)
            if stamp != self._stamp:
                self._tokens, self._stamp = inspector_tokens(self._settings), stamp
        return self._tokens.get(token)
