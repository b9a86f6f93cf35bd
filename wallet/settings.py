"""Wallet settings (env prefix ``ESSPASS_WALLET_``); nothing is read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from esspass.config import ServiceSettings
from esspass.pilot import pilot_loopback_setting as _pilot_loopback
from esspass.pilot import pilot_url_setting as _pilot_url
from wallet.store import ScryptParams

__all__ = ["WalletSettings"]


class WalletSettings(ServiceSettings):
    """Where the wallet file lives, whom it trusts, and how it reaches the services."""

    model_config = SettingsConfigDict(env_prefix="ESSPASS_WALLET_", extra="ignore", populate_by_name=True)

    port: int = 8104
    #: The encrypted wallet file; default ``<data_dir>/wallet/wallet.enc``.
    store_path: Path | None = None
    #: scrypt cost for a new wallet (tests lower ``scrypt_n``; the file records what was used).
    scrypt_n: int = 2**15
    scrypt_r: int = 8
    scrypt_p: int = 1
    #: The demo PKI directory; default ``<data_dir>/pki``. The pinned registry root and the
    #: demo TLS CA are taken from it unless set below.
    pki_dir: Path | None = None
    #: The trust registry whose signed lists decide which issuers and verifiers are trusted.
    #: (``ESSPASS_WALLET_REGISTRY_URL``, else the pilot-wide ``ESSPASS_REGISTRY_URL``)
    #: Default: the registry of the pilot (``esspass up``) running from ``data_dir``, as its record says.
    registry_url: str = Field(
        default_factory=lambda data: _pilot_url(data, "registry", "https://localhost:8101"),
        validation_alias=AliasChoices("ESSPASS_WALLET_REGISTRY_URL", "ESSPASS_REGISTRY_URL", "registry_url"),
    )
    #: Pinned trust-registry root certificate (PEM); default ``<pki_dir>/root.pem``.
    registry_root: Path | None = None
    #: CA bundle (PEM) for TLS to the services; default ``<pki_dir>/tls/ca.pem`` when it exists,
    #: else the system CAs. Verification is never switched off.
    #: (``ESSPASS_WALLET_VERIFY``, else the pilot-wide ``ESSPASS_TLS_CA``)
    verify: Path | None = Field(
        default=None, validation_alias=AliasChoices("ESSPASS_WALLET_VERIFY", "ESSPASS_TLS_CA", "verify")
    )
    #: The wallet provider (a registry entity) whose signer in the PKI directory attests this
    #: wallet's instance keys to issuers (HAIP §9.2); without it the wallet sends no attestation.
    provider_id: str = "LV:ESSPASS-WALLET"
    #: Who provides this wallet, and whom to ask about personal data (the privacy notice, GDPR Art. 13(1)(a),
    #: (b)): the deployment's operator, said as it is in every language. None set: "the ESSPASS pilot" in
    #: the page's language (``privacy.operator_default``). No contact: the notice says to ask who gave the wallet.
    operator_name: str = ""
    operator_contact: str = ""
    #: Default language of the wallet pages and CLI: en, lv, de, fr, pl.
    lang: str = "en"
    #: How many copies of each credential to ask for (one key each), capped by the issuer's batch_size.
    batch_size: int = Field(default=3, ge=1, le=20)
    #: Seconds an unlocked web session lives without use.
    session_ttl: int = Field(default=900, ge=30)
    #: Days before a document's copies end (while the document itself does not) in which its card says
    #: when they end, and the wallet renews them by itself (wallet.renewal).
    copies_notice_days: int = Field(default=30, ge=1, le=365)
    #: Seconds a received offer or a pending presentation request waits for the user.
    pending_ttl: int = Field(default=600, ge=30)
    #: Accept plain http:// service addresses on loopback hosts (a local pilot without TLS only): true,
    #: or a JSON list of the origins allowed (``["http://localhost:8102"]``). Default: the origins of
    #: a pilot running with ``--http`` from ``data_dir`` (``esspass up``'s record), else none.
    allow_loopback_http: bool | list[str] = Field(default_factory=lambda data: _pilot_loopback(data))
    #: Timeout of every HTTP call to an issuer, verifier or the registry.
    http_timeout: float = 15.0
    #: The oldest trust list (seconds since the registry issued it) the wallet relies on, whether
    #: fetched or kept from an earlier visit; past it the wallet neither presents to nor receives
    #: from anyone until it gets a newer list. A week, as for verifiers: the registry reissues daily.
    trust_list_max_age: int = Field(default=7 * 24 * 3600, gt=0)

    def trust_cache_path(self) -> Path:
        """Where the last verified trust lists are kept: offline use, and the rollback high-water
        mark (trust_registry.client) surviving a restart."""
        return self.data_dir / "wallet" / "trust-cache"

    def wallet_path(self) -> Path:
        return self.store_path or self.data_dir / "wallet" / "wallet.enc"

    def pki_path(self) -> Path:
        return self.pki_dir or self.data_dir / "pki"

    def registry_root_path(self) -> Path:
        return self.registry_root or self.pki_path() / "root.pem"

    def tls_verify(self) -> str | bool:
        """The ``verify`` argument for httpx: a CA bundle path, or True for the system CAs."""
        if self.verify is not None:
            return str(self.verify)
        demo_ca = self.pki_path() / "tls" / "ca.pem"
        return str(demo_ca) if demo_ca.exists() else True

    def scrypt_params(self) -> ScryptParams:
        return ScryptParams(self.scrypt_n, self.scrypt_r, self.scrypt_p)
