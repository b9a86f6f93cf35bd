"""Issuer settings (env prefix ``ESSPASS_ISSUER_``); nothing is read at import time."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from credentials.files import LOGIN_NAME, configured_secret_key, named_tokens
from credentials.key_attestation import LEVELS as KEY_LEVELS
from esspass.config import ServiceSettings, check_configured_tokens
from esspass.pilot import pilot_approval_setting as _pilot_approval
from esspass.pilot import pilot_url_setting as _pilot_url

__all__ = ["CLERK_NAME", "MIN_PRIVATE_LIST_SIZE", "IssuerSettings", "clerk_institution", "clerk_name",
           "clerk_tokens", "configured_offer_key"]

#: Smallest status list outside development (domain.md "Revocation": >= 100 000 entries).
MIN_PRIVATE_LIST_SIZE = 100_000

#: The longest a retention period may be, in days (a century): a longer one keeps everything as 0
#: does, and a date that far back is not one a computer's calendar holds.
MAX_KEEP_DAYS = 36_500

#: A clerk's name after the institution in a clerk token's value (``LV:VSAA/anna.berzina``): the same
#: rule as an inspector's name (``esspass verifier tokens --add``).
CLERK_NAME = LOGIN_NAME


class IssuerSettings(ServiceSettings):
    # hide_input_in_errors: a refused setting is named, never quoted whole (clerk tokens are secrets).
    model_config = SettingsConfigDict(env_prefix="ESSPASS_ISSUER_", extra="ignore", hide_input_in_errors=True)

    port: int = 8102
    #: This issuer's public base URL; default: the issuer's of the pilot (``esspass up``) running from
    #: ``data_dir``, so that ``esspass issuer check`` names the address the pilot serves.
    public_url: str | None = Field(default_factory=lambda data: _pilot_url(data, "issuer", None))
    #: clerk bearer token -> institution id (e.g. ``LV:VSAA``), or institution id and a clerk's name
    #: (``LV:VSAA/anna.berzina``, :data:`CLERK_NAME`): what that token does is then recorded as that
    #: clerk's (``clerk:LV:VSAA/anna.berzina``), who may approve another clerk's case (``approval``).
    #: Empty = generated token file, one unnamed token per institution (see clerk_tokens).
    clerk_tokens: dict[str, str] = Field(default_factory=dict)
    #: Four-eyes approval: the institutions (ids, or ``["*"]`` for every one hosted) whose new cases
    #: wait for a second, named clerk's approval before anything is signed. An institution of the
    #: institutions file may also ask for it there (``approval = true``).
    #: Default: what the pilot (``esspass up``) running from ``data_dir`` gave its issuer.
    approval: list[str] = Field(default_factory=lambda data: _pilot_approval(data))
    #: Seconds a credential offer (pre-authorized code) stays usable, an access token and a nonce
    #: live: more than 0 (0 or less would show the clerk an offer, or hand a wallet a token, that has
    #: already expired).
    offer_ttl: int = Field(default=15 * 60, gt=0)
    token_ttl: int = Field(default=600, gt=0)
    nonce_ttl: int = Field(default=300, gt=0)
    #: Seconds a wallet deferred while its case awaits approval waits between two deferred credential
    #: requests (OpenID4VCI §8.3 ``interval``).
    deferred_interval: int = Field(default=60, gt=0)
    #: Seconds a deferred transaction (§9) and the refresh tokens of its grant (RFC 6749 §6) live:
    #: the longest a second clerk's approval may take for the wallet to still get the document.
    deferred_ttl: int = Field(default=30 * 24 * 3600, gt=0)
    #: Wrong one-time codes (the offer's tx_code, 6 digits here) an offer takes before it locks: 1 to
    #: 10. The code is what protects an offer whose link or QR code was seen by someone else
    #: (OpenID4VCI 1.0, Pre-Authorized Code security considerations; the token endpoint SHOULD limit
    #: failed tx_code attempts, then invalidate the code): with at most 10 tries whoever holds the link
    #: alone guesses it once in 100 000 offers, where an unbounded count would let them try them all.
    tx_code_attempts: int = Field(default=5, ge=1, le=10)
    #: The 256-bit secret from which each offer's pre-authorized code and the MACs of its tx_code
    #: and ``issuer_state`` are derived, kept out of the database so that a copy of it (a backup, a
    #: replica, a read-only SQL account) gives no offer away. Every replica must share it. Default
    #: ``<data_dir>/issuer/offer.key``, made (mode 0600) on first start; a file named here must exist.
    offer_key_file: Path | None = None
    #: Most keys (and credentials) one credential request may ask for (OpenID4VCI §12.2.4 batch_size).
    batch_size: int = Field(default=10, ge=1, le=100)
    #: Entries per status list (4 bits each: STOPPED, 0x0C, needs them). Herd privacy
    #: (draft-ietf-oauth-status-list, Privacy Considerations; domain.md "Revocation"): fetching a list
    #: must not tell the issuer whose document is being checked, so a list is shared by >= 100 000
    #: entries. Smaller lists (down to 64, for tests that fill one) are refused outside
    #: ``environment = "development"``. A multiple of 4: whole bytes at 2 or 4 bits (§4.1, a size in
    #: bits divisible by 8 is RECOMMENDED).
    status_list_size: int = Field(default=131072, ge=64, multiple_of=4)
    #: Seconds a verifier may cache a Status List Token (``ttl``, §5.1) and its validity (``exp - iat``):
    #: 0 < status_ttl <= status_exp. The issuer signs a list again after half the shorter of the two.
    status_ttl: int = Field(default=300, gt=0)
    status_exp: int = Field(default=24 * 3600, gt=0)
    #: Days after a document ended (and its credentials expired) before the case's personal data is
    #: erased (GDPR storage limitation), checked at start and daily, or by ``esspass issuer erase``;
    #: 0 keeps everything.
    retention_days: int = Field(default=90, ge=0, le=MAX_KEEP_DAYS)
    #: Days a clerk's search or listing of the cases stays in the search log (``issuer_case_searches``:
    #: who, when, how many cases shown; GDPR Art. 5(2) accountability), deleted daily after that, or at
    #: once by an administrator (``admins``) on the log's page; 0 keeps them. Two years, as the
    #: verifier keeps its inspection records (``ESSPASS_VERIFIER_RECORDS_DAYS``): long enough to answer a
    #: person who asks months later who looked their case up, no longer (Art. 5(1)(e)).
    search_log_days: int = Field(default=730, ge=0, le=MAX_KEEP_DAYS)
    #: The institution's administrators: named clerks' token values (``["LV:VSAA/dpo.kalnina"]``, as in
    #: ``clerk_tokens``), who may read the back office's search log and purge it. A shared (unnamed)
    #: institution token is never one: whoever holds it cannot be told apart. Default: none.
    admins: list[str] = Field(default_factory=list)
    #: Where the demo PKI lives (keys of every demo institution hosted here).
    pki_dir: Path | None = None
    #: The institutions this issuer hosts, each with its own signing key and certificate chain
    #: (TOML, see :mod:`issuer.institutions`); unset: the demo institutions with the demo PKI.
    institutions_file: Path | None = None
    #: DPoP proofs must carry a nonce the issuer handed out (RFC 9449 §8, §9; in ``DPoP-Nonce`` on the
    #: nonce endpoint and with every ``use_dpop_nonce`` error), so proofs made in advance are useless.
    dpop_nonce: bool = True
    #: Wallet attestation at the token endpoint (OAuth attestation-based client authentication,
    #: HAIP §9.2): ``required`` gives documents only to wallets whose provider is on the registry's
    #: wallet providers list; ``optional`` checks an attestation when one is sent; ``off`` ignores them.
    wallet_attestation: Literal["required", "optional", "off"] = "required"
    #: Client attestation PoPs must carry a challenge from ``/<inst>/challenge`` (draft-10 §8); without
    #: it a PoP is fresh by its jti and iat window alone.
    attestation_challenge: bool = False
    #: Key attestations (OpenID4VCI App. D) in the key proofs, from a provider on the same list:
    #: ``required``, ``optional`` (checked when sent) or ``off``. With ``required`` the levels below are
    #: advertised as ``key_attestations_required`` and at least one attested level must be among them.
    key_attestation: Literal["required", "optional", "off"] = "optional"
    key_storage_levels: list[str] = Field(default_factory=lambda: list(KEY_LEVELS))
    user_authentication_levels: list[str] = Field(default_factory=lambda: list(KEY_LEVELS))
    #: The trust registry publishing the wallet providers list
    #: (``ESSPASS_ISSUER_REGISTRY_URL``, else the pilot-wide ``ESSPASS_REGISTRY_URL``).
    #: Default: the registry of the pilot (``esspass up``) running from ``data_dir``, as its record says
    #: (whatever its ``--port-base`` and ``--http``), else https://localhost:8101.
    registry_url: str = Field(default_factory=lambda data: _pilot_url(data, "registry", "https://localhost:8101"),
                              validation_alias=AliasChoices("ESSPASS_ISSUER_REGISTRY_URL", "ESSPASS_REGISTRY_URL",
                                                            "registry_url"))
    #: The pinned registry root (PEM); default: the demo PKI's root.pem.
    registry_root: Path | None = None
    #: CA bundle for HTTPS to the registry (the demo PKI's TLS CA in the pilot).
    tls_ca: Path | None = Field(default=None, validation_alias=AliasChoices(
        "ESSPASS_ISSUER_TLS_CA", "ESSPASS_TLS_CA", "tls_ca"))
    #: The oldest wallet providers list (seconds since the registry issued it) still used when the
    #: registry cannot be reached; past it token requests with an attestation get 503.
    trust_list_max_age: int = Field(default=7 * 24 * 3600, gt=0)

    @field_validator("clerk_tokens")
    @classmethod
    def _clerk_names(cls, value: dict[str, str]) -> dict[str, str]:
        """Refused at start, never quoting the token: a name a clerk could not be told apart by."""
        for who in value.values():
            entity_id, slash, name = who.partition("/")
            if not entity_id.strip() or (slash and not CLERK_NAME.fullmatch(name)):
                # The value is not quoted either: for simplicity no refused setting's value is.
                raise ValueError("ESSPASS_ISSUER_CLERK_TOKENS has a value that is not an institution id (LV:VSAA), "
                                 "or an institution id, '/' and a clerk's name (LV:VSAA/anna.berzina): "
                                 "1 to 30 lower-case letters, digits, '.', '_' or '-', starting with a "
                                 "letter or digit")
        return value

    @field_validator("clerk_tokens")
    @classmethod
    def _long_tokens(cls, value: dict[str, str]) -> dict[str, str]:
        """Refused at start, never quoting a token: one shorter than 16 characters could be guessed."""
        check_configured_tokens(value, "ESSPASS_ISSUER_CLERK_TOKENS")
        return value

    @field_validator("approval")
    @classmethod
    def _approval_ids(cls, value: list[str]) -> list[str]:
        """Which hosted institution each id names is checked once they are known (issuer.app)."""
        if any(not isinstance(v, str) or not v.strip() for v in value):
            raise ValueError('ESSPASS_ISSUER_APPROVAL must list institution ids (["LV:VSAA"]), or be ["*"] for '
                             "every institution hosted")
        return [v.strip() for v in value]

    @field_validator("admins")
    @classmethod
    def _admin_names(cls, value: list[str]) -> list[str]:
        """Refused at start: an administrator is a named clerk (``LV:VSAA/anna.berzina``), never an
        institution's shared token, whose holder no log could name."""
        for who in value:
            entity_id, slash, name = who.strip().partition("/") if isinstance(who, str) else ("", "", "")
            if not entity_id.strip() or not slash or not CLERK_NAME.fullmatch(name):
                raise ValueError("ESSPASS_ISSUER_ADMINS must list named clerks as their tokens name them, an "
                                 "institution id, '/' and a clerk's name (\"LV:VSAA/anna.berzina\"), never an "
                                 "institution's shared token")
        return [who.strip() for who in value]

    @model_validator(mode="after")
    def _status_lists(self) -> IssuerSettings:
        """Refused at start, not on the first list request: a ttl past exp would have verifiers cache
        a list beyond its validity (§13.7), and a small list tells who is being checked."""
        if self.status_ttl > self.status_exp:
            raise ValueError("status_ttl must not exceed status_exp")
        if self.status_list_size < MIN_PRIVATE_LIST_SIZE and self.environment != "development":
            raise ValueError(f"status_list_size must be at least {MIN_PRIVATE_LIST_SIZE} outside development "
                             "(herd privacy)")
        return self

    def pki_path(self) -> Path:
        return self.pki_dir or self.data_dir / "pki"

    def root_path(self) -> Path:
        return self.registry_root or self.pki_path() / "root.pem"

    def base_url(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    def offer_key_path(self) -> Path:
        return self.offer_key_file or self.data_dir / "issuer" / "offer.key"


def configured_offer_key(settings: IssuerSettings) -> bytes:
    """The issuer's offer key (read when the service is built, never at import; every replica shares
    it: :func:`credentials.files.configured_secret_key`), ``ESSPASS_ISSUER_OFFER_KEY_FILE``."""
    return configured_secret_key(settings.offer_key_file, settings.offer_key_path(), "ESSPASS_ISSUER_OFFER_KEY_FILE")


def clerk_tokens(settings: IssuerSettings, entity_ids: list[str], *, approving: Collection[str] = ()) -> dict[str, str]:
    """The configured clerk tokens, or per-institution tokens kept in ``<data>/issuer/clerk-tokens.json``.

    The file is created once with mode 0600 so a newcomer's pilot has working logins; operators
    configure ``ESSPASS_ISSUER_CLERK_TOKENS`` instead. An institution in ``approving`` (four-eyes)
    also gets two named clerks there, ``<id>/clerk.1`` and ``<id>/clerk.2``: one records, the other
    approves.
    """
    if settings.clerk_tokens:
        return dict(settings.clerk_tokens)
    names = [*entity_ids, *(f"{e}/clerk.{n}" for e in entity_ids if e in approving for n in (1, 2))]
    by_name = named_tokens(settings.data_dir / "issuer" / "clerk-tokens.json", names, "clerk-")
    return {token: name for name, token in by_name.items()}


def clerk_institution(who: str) -> str:
    """The institution of a clerk token's value: ``LV:VSAA`` of ``LV:VSAA/anna.berzina`` and of ``LV:VSAA``."""
    return who.partition("/")[0]


def clerk_name(who: str) -> str | None:
    """The clerk's name in a clerk token's value, None for an institution's unnamed token."""
    return who.partition("/")[2] or None
