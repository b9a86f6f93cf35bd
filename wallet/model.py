"""What the wallet keeps inside its encrypted store: credentials (with their keys) and the log.

Each issued credential is one :class:`StoredCredential` with its own P-256 private key (the key
its ``cnf`` names). The batches of one document in one offer share a ``group`` (one card): the
copies carry the same document, its SD-JWT VC and ISO mdoc forms agree, and each copy's offline QR
form (``extra["compact"]``) says what the copy says (checked on receipt: :func:`wallet.core.same_document`,
:func:`wallet.core.same_forms`, :func:`wallet.core.check_compact`). The wallet presents an unused
copy each time, so two verifiers cannot link the worker by a repeated signature or key (OpenID4VCI
1.0 §8 batch issuance; HAIP 1.0 §4.5 "one-time use").
The store keeps them as plain JSON; these frozen dataclasses are the typed view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = ["LogEntry", "StatusCheck", "StoredCredential", "in_language"]


@dataclass(frozen=True, slots=True)
class StatusCheck:
    """The result of the last status check: ``valid`` | ``invalid`` | ``suspended`` | ``replaced`` |
    ``unknown`` (``replaced``: the Token Status List value REPLACED, 0x03, our application-specific one).

    ``list_iat`` is the ``iat`` of the newest Status List Token read for this entry: the wallet
    refuses a list older than the newest it has read for the same URI (draft-ietf-oauth-status-list
    §8.3 step 4 and §13; a replay of a list from before a withdrawal). None for no list, or for a
    check recorded before the wallet kept it.
    """

    value: str
    checked_at: str  # ISO 8601 UTC
    detail: str = ""
    list_iat: int | None = None
    #: False when this check could not read the list and ``value`` is the one known from before.
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class StoredCredential:
    id: str
    group: str
    format: str  # "dc+sd-jwt"
    vct: str
    credential: str  # the SD-JWT VC exactly as issued ("<jwt>~<d1>~...~")
    private_key: str  # PKCS#8 PEM of the holder key; only ever inside the encrypted store
    issuer_url: str  # credential_issuer of the offer
    issuer_id: str  # entity id on the issuers trusted list, e.g. "LV:VSAA"
    issuer_name: str  # the institution's name as the trusted list gives it
    configuration_id: str
    received_at: str  # ISO 8601 UTC
    claims: dict[str, Any]  # processed claims, as verified on receipt
    iat: int
    exp: int | None
    status: dict[str, Any] | None = None  # {"idx", "uri"} of the status list entry
    last_status: StatusCheck | None = None
    used: int = 0  # presentations made with this copy
    notification_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredCredential:
        values = dict(data)
        status = values.get("last_status")
        fields = set(StatusCheck.__dataclass_fields__)
        values["last_status"] = (StatusCheck(**{k: v for k, v in status.items() if k in fields})
                                 if isinstance(status, Mapping) else None)
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})

    def with_status(self, check: StatusCheck) -> StoredCredential:
        return replace(self, last_status=check)


def in_language(texts: Mapping[str, str], lang: str) -> str:
    """A text given in several languages (``{lang: text}``, under "" the untagged one, as RFC 7591 §2.2
    tags human-readable metadata): the one in ``lang``, else the untagged one."""
    return texts.get(lang) or texts.get("", "")


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One line of the worker's own record: what was (or was not) shown to whom and when."""

    time: str  # ISO 8601 UTC
    outcome: str  # "shared" | "declined" | "failed" | "shown" (an offline QR code: verifier_id "offline")
    verifier_id: str
    verifier_name: str
    client_id: str
    purpose: str
    credentials: list[str]  # credential group ids involved
    vcts: list[str]
    claims: list[str]  # dotted paths of the claims that left (empty when declined)
    detail: str = ""
    #: The verifier's purpose in each language its request gave it (``purpose#<lang>``), under "" the
    #: untagged one: the record reads in the language of the page, not the one of the moment of sharing.
    purposes: dict[str, str] = field(default_factory=dict)

    def purpose_in(self, lang: str) -> str:
        """The purpose in ``lang`` where the request gave it, else its untagged one (lines recorded
        before ``purposes`` was kept: the one shown then)."""
        return in_language(self.purposes, lang) if self.purposes else self.purpose

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogEntry:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in dict(data).items() if k in known})
