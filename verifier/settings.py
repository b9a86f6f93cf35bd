"""Verifier settings (env prefix ``ESSPASS_VERIFIER_``); nothing is read at import time."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.x509 import Certificate
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import SettingsConfigDict

from credentials import countries
from credentials.errors import DataError, SettingError
from credentials.files import LOGIN_NAME, TokenNameError, named_tokens
from credentials.jose import PrivateKey
from credentials.openid4vp import LANGUAGE_TAG, MAX_PURPOSE, client_id_for
from credentials.signing_key import load_signing_key
from esspass.config import ServiceSettings, check_configured_tokens
from esspass.pilot import pilot_url_setting as _pilot_url

__all__ = ["PID_NUMBER_STATES", "PROFILES", "InspectorTokens", "VerifierSettings", "inspector_tokens", "tokens_file"]

#: The states whose PIDs carry the personal number their A1s and EHICs carry, in this pilot: those
#: whose PID provider issues it (Latvia's personal code, Poland's PESEL; credentials/holder_link.py).
PID_NUMBER_STATES = ("LV", "PL")
#: The checks the pages offer (verifier/service.py profile_query), which ``purposes`` may name.
PROFILES = ("pda1", "ehic")
_PURPOSES_RULE = ("ESSPASS_VERIFIER_PURPOSES must map a check (pda1, ehic) to its purpose: a text of 1 to "
                  f"{MAX_PURPOSE} characters, or {{language tag: such a text}}, such as "
                  "{\"ehic\": {\"en\": \"...\", \"lv\": \"...\"}}")


class VerifierSettings(ServiceSettings):
    # hide_input_in_errors: the keys of inspector_tokens are the tokens, never quoted in an error.
    model_config = SettingsConfigDict(env_prefix="ESSPASS_VERIFIER_", extra="ignore", populate_by_name=True,
                                      hide_input_in_errors=True)

    port: int = 8103
    #: The inspectorate this service acts for (its access certificate signs the requests).
    entity_id: str = "LV:VDI"
    #: (``ESSPASS_VERIFIER_REGISTRY_URL``, else the pilot-wide ``ESSPASS_REGISTRY_URL``)
    #: Default: the registry of the pilot (``esspass up``) running from ``data_dir``, as its record says
    #: (whatever its ``--port-base`` and ``--http``), else https://localhost:8101.
    registry_url: str = Field(default_factory=lambda data: _pilot_url(data, "registry", "https://localhost:8101"),
                              validation_alias=AliasChoices("ESSPASS_VERIFIER_REGISTRY_URL", "ESSPASS_REGISTRY_URL",
                                                            "registry_url"))
    #: The pinned registry root (PEM); default: the demo PKI's root.pem.
    registry_root: Path | None = None
    pki_dir: Path | None = None
    #: The inspectorate's own access certificate, which signs every request to a wallet: its P-256
    #: key (mode 0600, optionally encrypted with the password file) and its chain, leaf first, as
    #: its CA issued them; with the CA's certificate, the chain is validated to it at start.
    #: Unset: the demo PKI's certificate for ``entity_id``.
    #: A PEM file, or a PKCS #11 URI (kept as the text given: a Path would fold its "//").
    access_key_file: str | Path | None = None
    access_chain_file: Path | None = None
    access_key_password_file: Path | None = None
    access_ca_file: Path | None = None
    #: CA bundle for HTTPS to the registry and issuers (the demo PKI's TLS CA in the pilot).
    tls_ca: Path | None = Field(default=None, validation_alias=AliasChoices(
        "ESSPASS_VERIFIER_TLS_CA", "ESSPASS_TLS_CA", "tls_ca"))
    client_id_prefix: str = "x509_hash"  # HAIP 1.0: x509_hash for signed requests
    response_mode: str = "direct_post.jwt"
    #: How wallets fetch the Request Object (OpenID4VP §5.1 ``request_uri_method``, case-sensitive):
    #: ``get`` (RFC 9101), or ``post``, which the request link then says, so that a wallet may POST its
    #: ``wallet_nonce`` and get the Request Object signed with it (§5.10; a GET is still served).
    request_uri_method: Literal["get", "post"] = "get"
    request_ttl: int = 300
    #: Status lists older than this give "undetermined" (offline tolerance).
    status_max_age: int = 24 * 3600
    #: The oldest trust list (seconds since the registry issued it) still used when no newer one can
    #: be fetched; past it the trust step is "undetermined". A week covers an inspector offline on a
    #: remote site; the registry reissues its lists daily.
    trust_list_max_age: int = Field(default=7 * 24 * 3600, gt=0)
    #: The IANA time zone whose date an inspection is judged on ("valid today"; an A1 that ended
    #: yesterday there is not valid). Unset: the inspectorate's country's (``LV:VDI``: Europe/Riga).
    time_zone: str | None = Field(default=None, max_length=64)
    #: Seconds personal data of a verdict stays available after the check (0: until first shown).
    retention_seconds: int = 0
    #: Seconds the inspector's browser session that first showed a verdict sees it again, person and
    #: all (a language switch, a reload of the verdict screen), whatever ``retention_seconds``; the
    #: person is erased after it, or when that session starts another check. 0: no second showing.
    result_grace_seconds: int = Field(default=120, ge=0, le=3600)
    #: Days an inspection record (verifier/records.py: what was checked, when, by whom, with which
    #: outcome and its signed proof; nothing about the worker) is kept; 0 keeps them for ever. Two
    #: years cover the follow-up of an inspection (a fine, its appeal); set it as national law says.
    records_days: int = Field(default=730, ge=0)
    #: Seconds between two rounds of erasing what the retention time no longer allows (a shown
    #: verdict's person, transactions long expired, used-up challenges), whether or not anyone
    #: uses the verifier meanwhile.
    sweep_interval: float = Field(default=30.0, gt=0)
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
    #: The states whose PIDs carry the same personal number as their A1s and EHICs (JSON list of
    #: ISO codes, e.g. ``["LV", "PL"]``): beside a document of one of them, a PID that does not show its
    #: number (selective disclosure: "not shown" cannot be told from "none"), or not its issuing
    #: country, leaves the verdict undetermined (credentials/holder_link.py). The default names the
    #: states whose PID provider issues the number in this pilot; an inspectorate sets its own list,
    #: from what each state's PID provider issues.
    pid_number_states: list[str] = Field(default_factory=lambda: list(PID_NUMBER_STATES), max_length=40)
    #: Why each check asks, as the deployment (a hospital, an inspectorate) states it to the person
    #: whose wallet is asked (JSON): check (``pda1``, ``ehic``) -> one text for every language, or
    #: -> {language tag: text}, e.g. ``{"ehic": {"en": "Riga East Hospital: ...", "lv": "..."}}``;
    #: a check not named keeps ours, in the five languages of the pages. A query of the API's own for
    #: EHICs (or A1s) alone states that check's purpose too (verifier/service.py query_check); one for
    #: anything else, ours, a neutral one. Normalised to check -> {tag: text}, with the tag "" for one
    #: text for every language.
    purposes: dict[str, dict[str, str]] = Field(default_factory=dict)
    #: Login tokens, token -> inspector name (JSON); default: one demo inspector's token kept in
    #: ``<data>/verifier/inspector-tokens.json`` (``esspass verifier tokens`` prints it).
    inspector_tokens: dict[str, str] | None = None

    @field_validator("inspector_tokens")
    @classmethod
    def _long_tokens(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        """Refused at load, never quoting a token: one shorter than 16 characters could be guessed."""
        check_configured_tokens(value or {}, "ESSPASS_VERIFIER_INSPECTOR_TOKENS")
        return value

    @field_validator("pid_number_states")
    @classmethod
    def _states(cls, value: list[str]) -> list[str]:
        """Coordination states' codes, in capitals, EL and UK as GR and GB; refused at settings load."""
        codes = [countries.normalise(code.strip().upper()) for code in value]
        if not all(countries.is_supported(code) for code in codes):
            raise ValueError("ESSPASS_VERIFIER_PID_NUMBER_STATES must list ISO codes of coordination states, "
                             "such as [\"LV\", \"PL\"]")
        return list(dict.fromkeys(codes))

    @field_validator("purposes", mode="before")
    @classmethod
    def _purposes(cls, value: Any) -> dict[str, dict[str, str]]:
        """Each named check's purpose as texts by language tag, refused at settings load (one line
        naming the setting, never its value): an unknown check, a tag that is none, a text empty or
        longer than a request carries."""
        if not isinstance(value, dict):
            raise ValueError(_PURPOSES_RULE)
        out: dict[str, dict[str, str]] = {}
        for profile, given in value.items():
            texts = {"": given} if isinstance(given, str) else given
            if profile not in PROFILES or not isinstance(texts, dict) or not texts:
                raise ValueError(_PURPOSES_RULE)
            for tag, text in texts.items():
                one_for_all = tag == "" and len(texts) == 1
                if not isinstance(tag, str) or not (one_for_all or LANGUAGE_TAG.fullmatch(tag)) \
                        or not isinstance(text, str) or not text.strip() or len(text.strip()) > MAX_PURPOSE:
                    raise ValueError(_PURPOSES_RULE)
            out[profile] = {tag: text.strip() for tag, text in texts.items()}
        return out

    @field_validator("time_zone")
    @classmethod
    def _iana_zone(cls, value: str | None) -> str | None:
        """Refused at settings load, before the service starts, not by its first inspection."""
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a directory (Europe)
                raise ValueError("ESSPASS_VERIFIER_TIME_ZONE must be an IANA time zone, such as "
                                 "Europe/Riga") from exc
        return value

    def pki_path(self) -> Path:
        return self.pki_dir or self.data_dir / "pki"

    def access_certificate(self, now: datetime) -> tuple[PrivateKey, list[Certificate]]:
        """The key and ``x5c`` chain that sign this verifier's requests (own files, else the demo PKI)."""
        own = (self.access_key_file, self.access_chain_file, self.access_key_password_file, self.access_ca_file)
        if all(path is None for path in own):  # any one set means own keys: never the demo key by a typo
            from credentials.institutions import DEMO_ENTITIES
            from credentials.pki import ensure_demo_pki

            pki = ensure_demo_pki(self.pki_path(), DEMO_ENTITIES, now=now)
            if self.entity_id not in pki.access:
                raise SettingError("ESSPASS_VERIFIER_ENTITY_ID", "is not a demo inspectorate: give its own access "
                                "certificate (ESSPASS_VERIFIER_ACCESS_KEY_FILE, ..._ACCESS_CHAIN_FILE)")
            key, chain = pki.access[self.entity_id]
            try:  # x509_san_dns: refused here, at start and by `esspass verifier check`, not per request
                client_id_for(chain[0], self.client_id_prefix, host=urlsplit(self.base_url()).hostname or "")
            except ValueError as exc:
                hint = (" (the demo access certificate names localhost: serve on https://localhost:<port>, "
                        "or give the inspectorate's own certificate)" if self.client_id_prefix == "x509_san_dns"
                        else "")
                raise DataError("ESSPASS_VERIFIER_CLIENT_ID_PREFIX", f"{exc}{hint}") from exc
            return key, list(chain)
        names = {"key": "access_key_file", "chain": "access_chain_file", "password_file": "access_key_password_file",
                 "ca": "access_ca_file"}
        if self.access_key_file is None or self.access_chain_file is None:
            missing = "key" if self.access_key_file is None else "chain"
            raise DataError(f"ESSPASS_VERIFIER_{names[missing].upper()}", "is required with its pair (a PEM file)")
        try:
            access = load_signing_key(self.access_key_file, self.access_chain_file, now=now,
                                      password_file=self.access_key_password_file, ca=self.access_ca_file)
            # x509_san_dns: the host this verifier answers on among the certificate's names (§5.9.3).
            client_id_for(access.chain[0], self.client_id_prefix, host=urlsplit(self.base_url()).hostname or "")
        except DataError as exc:
            raise DataError(f"ESSPASS_VERIFIER_{names[exc.field].upper()}", exc.rule) from exc
        except ValueError as exc:  # x509_san_dns with a certificate not naming this verifier's host
            raise DataError("ESSPASS_VERIFIER_ACCESS_CHAIN_FILE", str(exc)) from exc
        return access.key, access.chain

    def storage_key_path(self) -> Path:
        return self.storage_key_file or self.data_dir / "verifier" / "storage.key"

    def root_path(self) -> Path:
        return self.registry_root or self.pki_path() / "root.pem"

    def base_url(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    def zone(self) -> ZoneInfo:
        """The time zone of "today" for this inspectorate's inspections (``time_zone``)."""
        country = self.entity_id.partition(":")[0]
        name = self.time_zone or (countries.time_zone(country) if countries.is_supported(country) else "UTC")
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingError("ESSPASS_VERIFIER_TIME_ZONE", f"{name!r} is not an IANA time zone") from exc


def inspector_tokens(settings: VerifierSettings, *, add: Collection[str] = (),
                     revoke: Collection[str] = ()) -> dict[str, str]:
    """token -> inspector: the configured tokens, else those of ``<data>/verifier/inspector-tokens.json``
    (a demo inspector's made on first start), after giving tokens to ``add`` and taking those of ``revoke``.
    A name of ``add`` that is not a :data:`~credentials.files.LOGIN_NAME` (as a clerk's) or has a
    token already, or one of ``revoke`` that has none, raises
    :class:`~credentials.files.TokenNameError` and changes nothing.

    With tokens configured (``ESSPASS_VERIFIER_INSPECTOR_TOKENS``) ``add`` and ``revoke`` are refused:
    the file they would change is not read, so doing nothing would leave a revoked inspector signed in."""
    if settings.inspector_tokens:
        if add or revoke:
            raise DataError("ESSPASS_VERIFIER_INSPECTOR_TOKENS", "is set, so the inspectors' tokens are that "
                            "setting's: change it there (--add and --revoke change only the tokens file, not read now)")
        return dict(settings.inspector_tokens)
    path = tokens_file(settings)
    for name in add:
        if not LOGIN_NAME.fullmatch(name):
            raise TokenNameError(name, "invalid")
    if revoke and not path.exists():  # nobody has a token yet: refused before anything is made
        raise TokenNameError(next(iter(revoke)), "unknown")
    names = ["inspector"] if not path.exists() else []
    by_name = named_tokens(path, names, "inspector-", add=add, revoke=revoke)
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

    def _current(self) -> dict[str, str]:
        if not self._settings.inspector_tokens:
            try:
                stamp = tokens_file(self._settings).stat().st_mtime_ns
            except FileNotFoundError:
                return {}  # the file was removed: nobody signs in (fail closed)
            if stamp != self._stamp:
                self._tokens, self._stamp = inspector_tokens(self._settings), stamp
        return self._tokens

    def name(self, token: str) -> str | None:
        return self._current().get(token)

    def token_hashes(self, name: str) -> set[str]:
        """The hashes of the tokens that sign ``name`` in now (a session of a revoked token ends)."""
        from esspass.signin_sessions import token_hash

        return {token_hash(token) for token, who in self._current().items() if who == name}
