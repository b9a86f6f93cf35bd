"""Registry settings (env prefix ``ESSPASS_REGISTRY_``); nothing is read at import time."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from esspass.config import ServiceSettings

__all__ = ["RegistrySettings", "admin_tokens"]

READ, WRITE = "registry:read", "registry:write"


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ESSPASS_REGISTRY_", extra="ignore")

    port: int = 8101
    #: admin bearer token -> "name:scope1,scope2" (e.g. "ops-team:registry:read,registry:write").
    admin_tokens: dict[str, str] = Field(default_factory=dict)
    list_validity_hours: int = 24
    pki_dir: Path | None = None

    def pki_path(self) -> Path:
        return self.pki_dir or self.data_dir / "pki"


def admin_tokens(settings: RegistrySettings) -> dict[str, tuple[str, frozenset[str]]]:
    """token -> (who, scopes). Without configuration, one full-scope token in ``<data>/registry/admin-token`` (0600)."""
    if settings.admin_tokens:
        out = {}
        for token, spec in settings.admin_tokens.items():
            who, _, scopes = spec.partition(":")
            out[token] = (who or "admin", frozenset(s.strip() for s in scopes.split(",") if s.strip()))
        return out
    path = settings.data_dir / "registry" / "admin-token"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("admin-" + secrets.token_urlsafe(24))
    return {path.read_text().strip(): ("admin", frozenset({READ, WRITE}))}
