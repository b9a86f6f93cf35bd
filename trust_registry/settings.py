"""Registry settings (env prefix ``ESSPASS_REGISTRY_``); nothing is read at import time.

Admin tokens (issue #3): ``ESSPASS_REGISTRY_ADMIN_TOKENS`` is a JSON object mapping each bearer
token to its scopes, e.g. ``{"<token>": ["registry:read", "registry:write"]}``. The audit trail
never records a token: each token is bound to a name, either given as ``"name:<who>"`` among its
scopes or derived from a hash of the token (``token-1a2b3c4d``). The older form
``{"<token>": "<who>:registry:read,registry:write"}`` is still accepted. With no tokens
configured, one full-scope token is created on first use in ``<data_dir>/registry/admin-token``
(mode 0600) and read from there afterwards (:func:`admin_token`). A configured token shorter than
16 characters is refused at settings load (:func:`esspass.config.check_configured_tokens`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.x509 import Certificate
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from credentials.errors import DataError, IssuerKeyError
from credentials.files import write_private_file_once
from credentials.jose import PrivateKey
from credentials.signing_key import load_signing_key
from credentials.trust_list import check_list_signer_certificate
from esspass.config import ServiceSettings, check_configured_tokens

__all__ = ["READ", "WRITE", "RegistrySettings", "admin_token", "admin_tokens"]

READ, WRITE = "registry:read", "registry:write"
_NAME_PREFIX = "name:"


def _default_pki_dir(data: dict[str, Any]) -> Path:
    return Path(data["data_dir"]) / "pki"


class RegistrySettings(ServiceSettings):
    """``ESSPASS_REGISTRY_*``; ``database_url`` falls back to ``DATABASE_URL`` then ``<data_dir>/registry.db``."""

    # hide_input_in_errors: the keys of admin_tokens are the tokens, never quoted in an error.
    model_config = SettingsConfigDict(env_prefix="ESSPASS_REGISTRY_", extra="ignore", hide_input_in_errors=True)

    port: int = 8101
    #: bearer token -> scopes (``registry:read``, ``registry:write``, optionally ``name:<who>``).
    admin_tokens: dict[str, list[str]] = Field(default_factory=dict)
    #: How long a published list is valid (its ``next_update`` = issue time + this).
    list_validity_hours: int = Field(default=24, ge=1, le=24 * 31)
    #: The demo PKI (registry root, list signer, entity CAs): ``<data_dir>/pki`` unless set.
    pki_dir: Path = Field(default_factory=_default_pki_dir)
    #: The registry's own keys: the root every wallet, issuer and verifier pins (published at
    #: ``/root.pem``) and the list signer under it, a P-256 key (mode 0600, optionally encrypted
    #: with the password file) with its chain, leaf first. Unset: the demo PKI's.
    root_file: Path | None = None
    #: A PEM file, or a PKCS #11 URI (kept as the text given: a Path would fold its "//").
    list_signer_key_file: str | Path | None = None
    list_signer_chain_file: Path | None = None
    list_signer_key_password_file: Path | None = None

    @field_validator("admin_tokens", mode="before")
    @classmethod
    def _legacy_token_form(cls, value: Any) -> Any:
        """Accept ``{"token": "who:scope1,scope2"}`` as well as ``{"token": ["scope1", ...]}``."""
        if not isinstance(value, dict):
            return value
        out: dict[Any, Any] = {}
        for token, spec in value.items():
            if isinstance(spec, str):
                who, _, scopes = spec.partition(":")
                out[token] = [s.strip() for s in scopes.split(",") if s.strip()] + [_NAME_PREFIX + (who or "admin")]
            else:
                out[token] = spec
        return out

    @field_validator("admin_tokens")
    @classmethod
    def _long_tokens(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        """Refused at load, never quoting a token: one shorter than 16 characters could be guessed."""
        check_configured_tokens(value, "ESSPASS_REGISTRY_ADMIN_TOKENS")
        return value

    def published_lists_dir(self) -> Path:
        """Where the lists last signed are kept (:mod:`trust_registry.published`), beside the admin token."""
        return self.data_dir / "registry" / "lists"

    def pki_path(self) -> Path:
        """Same as :attr:`pki_dir` (the name the other services' settings use)."""
        return self.pki_dir

    def list_signer(self, now: datetime) -> tuple[PrivateKey, list[Certificate], Certificate]:
        """The key and ``x5c`` chain that sign the lists, and the root they validate to."""
        own = (self.list_signer_key_file, self.list_signer_chain_file, self.list_signer_key_password_file,
               self.root_file)
        if all(path is None for path in own):  # any one set means own keys: never the demo key by a typo
            from credentials.institutions import DEMO_ENTITIES
            from credentials.pki import ensure_demo_pki

            pki = ensure_demo_pki(self.pki_dir, DEMO_ENTITIES, now=now)
            return pki.list_signer[0], [pki.list_signer[1]], pki.root
        names = {"key": "list_signer_key_file", "chain": "list_signer_chain_file",
                 "password_file": "list_signer_key_password_file", "ca": "root_file"}
        for field, name in names.items():
            if field != "password_file" and getattr(self, name) is None:
                raise DataError(f"ESSPASS_REGISTRY_{name.upper()}", "is required with the other key files (PEM)")
        assert self.list_signer_key_file is not None and self.list_signer_chain_file is not None
        try:
            signer = load_signing_key(self.list_signer_key_file, self.list_signer_chain_file, now=now,
                                      password_file=self.list_signer_key_password_file, ca=self.root_file)
        except DataError as exc:
            raise DataError(f"ESSPASS_REGISTRY_{names[exc.field].upper()}", exc.rule) from exc
        try:  # clients refuse lists signed without it (trust_list.LIST_SIGNING_EKU): say so now, not then
            check_list_signer_certificate(signer.chain[0])
        except IssuerKeyError as exc:
            raise DataError("ESSPASS_REGISTRY_LIST_SIGNER_CHAIN_FILE", "the list signer certificate must carry "
                            "the extended key usage tslSigning (0.4.0.2231.3.0)") from exc
        assert signer.anchor is not None  # root_file is required above
        return signer.key, signer.chain, signer.anchor


def _token_file(settings: RegistrySettings) -> Path:
    return settings.data_dir / "registry" / "admin-token"


def admin_token(settings: RegistrySettings) -> str:
    """The generated admin token in ``<data_dir>/registry/admin-token``, created (0600, random) on first use."""
    path = _token_file(settings)
    if not path.exists():
        write_private_file_once(path, "admin-" + secrets.token_urlsafe(32) + "\n")
    token = path.read_text(encoding="ascii").strip()
    if not token:
        raise RuntimeError(f"{path} is empty; delete it to generate a new admin token")
    return token


def _name_for(token: str, scopes: list[str]) -> str:
    for scope in scopes:
        if scope.startswith(_NAME_PREFIX) and scope[len(_NAME_PREFIX):].strip():
            return scope[len(_NAME_PREFIX):].strip()[:60]
    return "token-" + hashlib.sha256(token.encode()).hexdigest()[:8]


def admin_tokens(settings: RegistrySettings) -> dict[str, tuple[str, frozenset[str]]]:
    """token -> (who, scopes): the configured tokens, or the generated full-scope one (:func:`admin_token`)."""
    if settings.admin_tokens:
        return {token: (_name_for(token, scopes), frozenset(s for s in scopes if not s.startswith(_NAME_PREFIX)))
                for token, scopes in settings.admin_tokens.items() if token}
    return {admin_token(settings): ("admin", frozenset({READ, WRITE}))}
