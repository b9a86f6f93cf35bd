"""Signed trust lists: who may issue which credential type, and who may ask for which claims.

The trust registry publishes three lists (shared/domain.md "Trust"): the *issuers* list (each
institution's CA certificates, document-signer certificates, roles and status history), the
*verifiers* list (inspectorates and hospitals, their CA certificates and the claims each may
request) and the *wallet_providers* list (the providers whose wallet attestations issuers accept,
HAIP §9.2). Each list is a JWS (``typ: trust-list+jwt``) signed by the registry's list-signing key,
whose ``x5c`` chains to the registry root that every wallet and verifier pins. The same content is
exported as an ETSI TS 119 602 List of Trusted Entities (standards.md §8.2) by :func:`to_lote`.

Pure: every function takes the list, the certificates and ``now``; nothing is fetched here (the
fetching, caching client is ``trust_registry.client``).

**Policy for credentials signed before a later suspension or withdrawal** (:class:`Policy`):
by default (``Policy.AT_ISSUANCE``) an issuer is judged at the credential's issuance time: it must
have held the role, been *active* and had the signing certificate inside its listed window then.
A later **withdrawal** (competence ended, institution merged) does not void documents already
issued: each is withdrawn individually through its status list. A **suspension in force now** is a
precautionary measure (suspected key compromise, investigation) and refuses every credential of
that entity until it is lifted. ``Policy.STRICT`` also refuses credentials of an entity that is not
active now.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate

from credentials.errors import IssuerKeyError, IssuerTrustError, MalformedError
from credentials.institutions import ROLE_FOR_VCT, Role
from credentials.jose import PrivateKey, decode_jws, sign_jws, verify_jws
from credentials.x509 import ValidatedChain, load_x5c, spki_kid, validate_chain, x5c_header

__all__ = [
    "TYP",
    "AuthorisedIssuer",
    "ListedCertificate",
    "ListedEntity",
    "Policy",
    "StatusPeriod",
    "TrustList",
    "anchors_for",
    "authorised_issuer",
    "authorised_verifier",
    "authorised_wallet_provider",
    "check_listed_signer",
    "issuer_key_by_kid",
    "sign_trust_list",
    "to_lote",
    "verify_trust_list",
]

TYP = "trust-list+jwt"
KINDS = ("issuers", "verifiers", "wallet_providers")
ACTIVE, SUSPENDED, WITHDRAWN = "active", "suspended", "withdrawn"
STATUSES = (ACTIVE, SUSPENDED, WITHDRAWN)
CA, SIGNER = "ca", "signer"


class Policy(StrEnum):
    """What a later suspension or withdrawal means for credentials signed before it (module docstring)."""

    AT_ISSUANCE = "at_issuance"
    STRICT = "strict"


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def _dt(value: Any, name: str) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedError(f"trust list: {name} must be a NumericDate")
    return datetime.fromtimestamp(value, UTC)


@dataclass(frozen=True, slots=True)
class StatusPeriod:
    """From ``since`` on (until the next period), the entity is ``status``."""

    status: str
    since: datetime
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "since": _ts(self.since), "reason": self.reason}

    @classmethod
    def from_json(cls, obj: Any) -> StatusPeriod:
        if not isinstance(obj, dict) or obj.get("status") not in STATUSES:
            raise MalformedError("trust list: bad status period")
        return cls(obj["status"], _dt(obj.get("since"), "since"), str(obj.get("reason", "")))


@dataclass(frozen=True, slots=True)
class ListedCertificate:
    """A CA (trust anchor) or document-signer certificate of an entity, with the window it is listed for.

    ``not_before``/``not_after`` are the registry's window (a rotation closes the old one), inside
    the certificate's own validity. ``revoked``: the key was compromised (``esspass registry
    revoke-key``): nothing it signed is trusted, whatever time the signature claims, since whoever
    holds the key also chooses that time.
    """

    der: bytes
    usage: str  # CA or SIGNER
    not_before: datetime
    not_after: datetime
    revoked: bool = False

    @property
    def certificate(self) -> Certificate:
        return _load_der(self.der)

    @property
    def kid(self) -> str:
        return spki_kid(self.certificate)

    def listed_at(self, at: datetime) -> bool:
        return self.not_before <= at <= self.not_after

    def to_json(self) -> dict[str, Any]:
        return {
            "x5c": x5c_header([self.certificate])[0],
            "usage": self.usage,
            "kid": self.kid,
            "not_before": _ts(self.not_before),
            "not_after": _ts(self.not_after),
            **({"revoked": True} if self.revoked else {}),
        }

    @classmethod
    def from_json(cls, obj: Any) -> ListedCertificate:
        if not isinstance(obj, dict) or obj.get("usage") not in (CA, SIGNER):
            raise MalformedError("trust list: bad certificate entry")
        cert = load_x5c([obj.get("x5c")])[0]  # type: ignore[list-item]
        revoked = obj.get("revoked", False)
        if not isinstance(revoked, bool):
            raise MalformedError("trust list: revoked must be a boolean")
        return cls(cert.public_bytes(serialization.Encoding.DER), obj["usage"],
                   _dt(obj.get("not_before"), "not_before"), _dt(obj.get("not_after"), "not_after"), revoked)


_DER_CACHE: dict[bytes, Certificate] = {}


def _load_der(der: bytes) -> Certificate:
    # Parsing is pure and deterministic; a bounded memo keeps hot verifiers from re-parsing.
    cert = _DER_CACHE.get(der)
    if cert is None:
        if len(_DER_CACHE) > 4096:
            _DER_CACHE.clear()
        cert = _DER_CACHE[der] = cx509.load_der_x509_certificate(der)
    return cert


@dataclass(frozen=True, slots=True)
class ListedEntity:
    """An institution, PID provider or inspectorate as the registry lists it."""

    id: str
    country: str
    name: str
    name_en: str
    roles: frozenset[str]
    certificates: tuple[ListedCertificate, ...]
    status_history: tuple[StatusPeriod, ...]
    may_request: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dns_name: str | None = None
    path: str | None = None
    #: The institution's Status List Aggregation endpoint (draft-ietf-oauth-status-list §9): a
    #: verifier that has never met the institution still fetches all its lists before going offline.
    status_lists: str | None = None

    def status_at(self, at: datetime) -> str:
        """The status in force at ``at``; before the first period the entity was not listed (withdrawn)."""
        current = WITHDRAWN
        for period in sorted(self.status_history, key=lambda p: p.since):
            if period.since <= at:
                current = period.status
        return current

    def anchors(self, at: datetime | None = None) -> list[Certificate]:
        """The entity's CA certificates (listed at ``at``); a revoked CA anchors nothing."""
        return [c.certificate for c in self.certificates
                if c.usage == CA and not c.revoked and (at is None or c.listed_at(at))]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "country": self.country,
            "name": self.name,
            "name_en": self.name_en,
            "roles": sorted(self.roles),
            "certificates": [c.to_json() for c in self.certificates],
            "status_history": [p.to_json() for p in self.status_history],
        }
        if self.may_request:
            out["may_request"] = {k: list(v) for k, v in sorted(self.may_request.items())}
        if self.dns_name:
            out["dns_name"] = self.dns_name
        if self.path:
            out["path"] = self.path
        if self.status_lists:
            out["status_lists"] = self.status_lists
        return out

    @classmethod
    def from_json(cls, obj: Any) -> ListedEntity:
        if not isinstance(obj, dict):
            raise MalformedError("trust list: entity must be an object")
        try:
            may = obj.get("may_request") or {}
            return cls(
                id=str(obj["id"]),
                country=str(obj["country"]),
                name=str(obj["name"]),
                name_en=str(obj.get("name_en", obj["name"])),
                roles=frozenset(str(r) for r in obj["roles"]),
                certificates=tuple(ListedCertificate.from_json(c) for c in obj["certificates"]),
                status_history=tuple(StatusPeriod.from_json(p) for p in obj["status_history"]),
                may_request={str(k): tuple(str(c) for c in v) for k, v in dict(may).items()},
                dns_name=obj.get("dns_name") if isinstance(obj.get("dns_name"), str) else None,
                path=obj.get("path") if isinstance(obj.get("path"), str) else None,
                status_lists=obj.get("status_lists") if isinstance(obj.get("status_lists"), str) else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedError(f"trust list: malformed entity ({exc.__class__.__name__})") from exc


@dataclass(frozen=True, slots=True)
class TrustList:
    """One published list. ``sequence`` grows with every change the registry records."""

    kind: str
    sequence: int
    issued_at: datetime
    next_update: datetime
    entities: tuple[ListedEntity, ...]
    issuer: str = "ESSPASS trust registry"

    def age(self, now: datetime) -> float:
        """Seconds since the list was issued (shown to inspectors as freshness)."""
        return max(0.0, (now - self.issued_at).total_seconds())

    def stale(self, now: datetime) -> bool:
        return now > self.next_update

    def entity(self, entity_id: str) -> ListedEntity | None:
        for entity in self.entities:
            if entity.id == entity_id:
                return entity
        return None

    def to_payload(self) -> dict[str, Any]:
        return {
            "iss": self.issuer,
            "kind": self.kind,
            "sequence": self.sequence,
            "iat": _ts(self.issued_at),
            "next_update": _ts(self.next_update),
            "entities": [e.to_json() for e in self.entities],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> TrustList:
        kind = payload.get("kind")
        if kind not in KINDS:
            raise MalformedError("trust list: unknown kind")
        sequence = payload.get("sequence")
        entities = payload.get("entities")
        if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
            raise MalformedError("trust list: sequence must be a non-negative integer")
        if not isinstance(entities, list):
            raise MalformedError("trust list: entities must be an array")
        return cls(
            kind=kind,
            sequence=sequence,
            issued_at=_dt(payload.get("iat"), "iat"),
            next_update=_dt(payload.get("next_update"), "next_update"),
            entities=tuple(ListedEntity.from_json(e) for e in entities),
            issuer=str(payload.get("iss", "")),
        )


def sign_trust_list(tl: TrustList, *, key: PrivateKey, x5c: Sequence[Certificate]) -> str:
    """The list as a compact JWS signed by the registry's list-signing key (x5c without the root)."""
    header = {"alg": "ES256", "typ": TYP, "x5c": x5c_header(x5c)}
    return sign_jws(header, tl.to_payload(), key)


def verify_trust_list(token: str, *, registry_root: Certificate, now: datetime, kind: str | None = None) -> TrustList:
    """Verify a published list against the pinned registry root and return its content.

    The signing certificate comes from ``x5c`` but must chain to ``registry_root`` (the pin), so
    a list signed by anyone else, or altered after signing, is refused (IssuerKeyError /
    IssuerSignatureError). A list past its ``next_update`` still verifies: the caller decides how
    old a list it accepts and shows the age (offline operation).
    """
    unverified = decode_jws(token, max_bytes=4 * 1024 * 1024)
    if unverified.header.get("typ") != TYP:
        raise MalformedError(f"trust list: typ must be {TYP}")
    chain = load_x5c(unverified.header.get("x5c"))  # type: ignore[arg-type]
    validated = validate_chain(chain, [registry_root], now=now)
    verify_jws(unverified, validated.leaf.public_key(), algorithms=("ES256",), typ=TYP)  # type: ignore[arg-type]
    tl = TrustList.from_payload(unverified.payload)
    if kind is not None and tl.kind != kind:
        raise MalformedError(f"trust list: expected the {kind} list, got the {tl.kind} list")
    return tl


def _role_for(vct: str) -> str:
    from credentials import ehic, pda1, pid

    for module in (pda1, ehic, pid):
        if vct == module.VCT or vct in module.ALIASES:
            return str(ROLE_FOR_VCT[module.VCT])
    raise IssuerTrustError(f"no institution may issue the credential type {vct!r}")


def anchors_for(tl: TrustList, vct: str) -> list[Certificate]:
    """Every listed CA certificate of an entity holding the role that issues ``vct`` (any time)."""
    role = _role_for(vct)
    return [cert for entity in tl.entities if role in entity.roles for cert in entity.anchors()]


@dataclass(frozen=True, slots=True)
class AuthorisedIssuer:
    entity: ListedEntity
    anchor: ListedCertificate
    status_now: str


def _entity_for_chain(
    entities: Iterable[ListedEntity], chain: ValidatedChain | Sequence[Certificate], *, at: datetime, now: datetime,
) -> tuple[ListedEntity, ListedCertificate]:
    """The entity one of whose listed CA certificates validates ``chain`` (leaf first, anchor optional).

    A :class:`ValidatedChain` (already validated by the caller against anchors from this list)
    is matched by its anchor alone, which saves re-validating on the verifier's hot path.
    """
    if isinstance(chain, ValidatedChain):
        anchor_der = chain.anchor.public_bytes(serialization.Encoding.DER)
        for entity in entities:
            for listed in entity.certificates:
                if listed.usage == CA and listed.der == anchor_der and not listed.revoked:
                    return entity, listed
        raise IssuerTrustError("the signing certificate does not belong to any institution on the trust list")
    if not chain:
        raise IssuerKeyError("empty certificate chain")
    leaf_and_intermediates = [c for c in chain if c.subject != c.issuer]
    if not leaf_and_intermediates:
        raise IssuerKeyError("no signing certificate in the chain (only self-signed certificates)")
    for entity in entities:
        for listed in entity.certificates:
            if listed.usage != CA or listed.revoked:
                continue
            anchor = listed.certificate
            if leaf_and_intermediates[-1].issuer != anchor.subject:
                continue
            try:
                validate_chain(leaf_and_intermediates, [anchor], now=now)
            except IssuerKeyError:
                continue
            return entity, listed
    raise IssuerTrustError("the signing certificate does not belong to any institution on the trust list")


def authorised_issuer(
    tl: TrustList, chain: ValidatedChain | Sequence[Certificate], vct: str, *, at: datetime, now: datetime,
    policy: Policy = Policy.AT_ISSUANCE,
) -> AuthorisedIssuer:
    """Is the entity owning ``chain`` allowed to issue ``vct``, for a credential issued at ``at``?

    Raises IssuerTrustError naming the reason (unknown entity, role missing, not active at ``at``,
    suspended now, certificate not listed at ``at``). See the module docstring for the policy.
    """
    if tl.kind != "issuers":
        raise IssuerTrustError("this is not the issuers list")
    role = _role_for(vct)
    entity, anchor = _entity_for_chain(tl.entities, chain, at=at, now=now)
    if role not in entity.roles:
        raise IssuerTrustError(f"{entity.name_en} ({entity.id}) is not competent to issue this credential type")
    if not anchor.listed_at(at):
        raise IssuerTrustError(f"the certificate of {entity.id} was not listed when this credential was issued")
    check_listed_signer(entity, chain.leaf if isinstance(chain, ValidatedChain) else chain[0], at)
    if entity.status_at(at) != ACTIVE:
        raise IssuerTrustError(f"{entity.id} was {entity.status_at(at)} when this credential was issued")
    status_now = entity.status_at(now)
    if status_now == SUSPENDED:
        raise IssuerTrustError(f"{entity.id} is suspended on the trust list")
    if policy is Policy.STRICT and status_now != ACTIVE:
        raise IssuerTrustError(f"{entity.id} is {status_now} on the trust list")
    return AuthorisedIssuer(entity, anchor, status_now)


def check_listed_signer(entity: ListedEntity, leaf: Certificate, at: datetime) -> None:
    """An entity that lists its document-signer certificates signs only with their keys, each inside
    its window (module docstring): a signer key rotated out (``esspass registry rotate``) or never
    listed is refused, even though its certificate chains to the entity's CA. The key decides, as the
    offline ``kid`` does, so a certificate renewed for a listed key is accepted (its chain is checked
    on its own). An entity listing only CAs is judged by them."""
    signers = [c for c in entity.certificates if c.usage == SIGNER]
    if not signers:
        return
    kid = spki_kid(leaf)
    windows = [c for c in signers if c.kid == kid]
    if not windows:
        raise IssuerTrustError(f"the document signer key is not one {entity.id} lists on the trust list")
    if any(c.revoked for c in windows):
        raise IssuerTrustError(f"{entity.id} revoked this document signer key (compromised): nothing it signed "
                               "is trusted")
    if not any(c.listed_at(at) for c in windows):
        raise IssuerTrustError(f"the document signer certificate of {entity.id} was not listed when this "
                               "credential was issued")


def authorised_verifier(
    tl: TrustList, chain: ValidatedChain | Sequence[Certificate], requested: Mapping[str, Collection[str]], *,
    at: datetime,
) -> ListedEntity:
    """The registered verifier owning ``chain``, if it is active and may request every claim asked.

    ``requested`` maps a vct to the top-level claim names asked for. Asking for a type or a claim
    the verifier is not registered for is refused (IssuerTrustError), never silently trimmed.
    """
    entity = _active_entity(tl, chain, "verifiers", Role.VERIFIER, "registered verifier", at=at)
    for vct, claims in requested.items():
        allowed = _allowed_claims(entity, vct)
        if allowed is None:
            raise IssuerTrustError(f"{entity.name_en} is not registered to request this credential type ({vct})")
        extra = sorted(set(claims) - set(allowed))
        if extra:
            raise IssuerTrustError(f"{entity.name_en} is not registered to request: {', '.join(extra)}")
    return entity


def authorised_wallet_provider(tl: TrustList, chain: Sequence[Certificate], *, at: datetime) -> ListedEntity:
    """The listed wallet provider owning ``chain`` (a wallet attestation's x5c), active at ``at``.

    Unlike a credential, an attestation is judged only now: a suspended or withdrawn provider's
    attestations are refused at once (HAIP §9.2, ARF: the provider list is the trust anchor).
    """
    return _active_entity(tl, chain, "wallet_providers", Role.WALLET_PROVIDER, "registered wallet provider", at=at)


def _active_entity(tl: TrustList, chain: ValidatedChain | Sequence[Certificate], kind: str, role: Role, what: str, *,
                   at: datetime) -> ListedEntity:
    """The entity of the ``kind`` list owning ``chain``, holding ``role``, listed and active at ``at``."""
    if tl.kind != kind:
        raise IssuerTrustError(f"this is not the {kind.replace('_', ' ')} list")
    entity, anchor = _entity_for_chain(tl.entities, chain, at=at, now=at)
    if role not in entity.roles:
        raise IssuerTrustError(f"{entity.id} is not a {what}")
    if not anchor.listed_at(at) or entity.status_at(at) != ACTIVE:
        raise IssuerTrustError(f"{entity.id} is not an active {what}")
    return entity


def _allowed_claims(entity: ListedEntity, vct: str) -> tuple[str, ...] | None:
    if vct in entity.may_request:
        return entity.may_request[vct]
    from credentials import ehic, pda1, pid

    for module in (pda1, ehic, pid):
        if vct in module.ALIASES and module.VCT in entity.may_request:
            return entity.may_request[module.VCT]
    return None


def issuer_key_by_kid(tl: TrustList, kid: str, vct: str, *, at: datetime, now: datetime) -> tuple[
        ListedEntity, Certificate]:
    """Offline compact credentials (issue 7): the document-signer certificate listed under ``kid``.

    ``kid`` may be a prefix (the QR code carries 8 bytes of the SHA-256): a prefix matching two
    listed keys is refused. The signer must itself validate against a CA certificate of the same
    entity, and that entity must be authorised for ``vct`` at ``at`` (:func:`authorised_issuer`).
    """
    from credentials.jose import b64url_decode

    wanted = b64url_decode(kid)
    if len(wanted) < 8:
        raise IssuerTrustError("the kid is too short to identify a key")
    matches = [(entity, listed) for entity in tl.entities for listed in entity.certificates
               if listed.usage == SIGNER and b64url_decode(listed.kid).startswith(wanted)]
    if not matches:
        raise IssuerTrustError("no institution on the trust list has a signing key with this kid")
    if len(matches) > 1:
        raise IssuerTrustError("the kid matches more than one listed key")
    entity, listed = matches[0]
    signer = listed.certificate
    authorised = authorised_issuer(tl, [signer], vct, at=at, now=now)
    if authorised.entity.id != entity.id:
        raise IssuerTrustError("signer certificate listed under another institution")
    return entity, signer


# --- ETSI TS 119 602 LoTE export (standards.md §8.2) --------------------------------------------

_LOTE_TYPE = "http://uri.etsi.org/19602/LoTEType/EUPubEAAProvidersList"
_SVC_ISSUANCE = "http://uri.etsi.org/19602/SvcType/PubEAA/Issuance"
_SVC_PID = "http://uri.etsi.org/19602/SvcType/PID/Issuance"
_SVC_STATUS = {
    ACTIVE: "http://uri.etsi.org/19602/PubEAAProvidersList/SvcStatus/notified",
    SUSPENDED: "http://uri.etsi.org/19602/PubEAAProvidersList/SvcStatus/suspended",
    WITHDRAWN: "http://uri.etsi.org/19602/PubEAAProvidersList/SvcStatus/withdrawn",
}
_SVC_VERIFIER = "https://esspass.eu/svctype/RelyingParty/Access"
_SVC_WALLET = "http://uri.etsi.org/19602/SvcType/WalletSolution/Issuance"
_SVC_TYPES: dict[str, str] = {Role.PID_PROVIDER: _SVC_PID, Role.VERIFIER: _SVC_VERIFIER,
                              Role.WALLET_PROVIDER: _SVC_WALLET}
_SVC_REVOCATION = {_SVC_ISSUANCE: "http://uri.etsi.org/19602/SvcType/PubEAA/Revocation",
                   _SVC_PID: "http://uri.etsi.org/19602/SvcType/PID/Revocation"}
#: The supply point's own type: draft-ietf-oauth-status-list §9 names no media type for the
#: aggregation document, so the IANA-registered JWT claim that points to it stands for it.
_SUPPLY_STATUS_LISTS = "aggregation_uri"
_LOTE_TYPES = {"wallet_providers": "http://uri.etsi.org/19602/LoTEType/EUWalletProvidersList"}


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_lote(tl: TrustList, *, now: datetime, distribution_point: str | None = None) -> dict[str, Any]:
    """The same list as an ETSI TS 119 602 List of Trusted Entities (JSON), for outside consumers."""
    entities = []
    for entity in tl.entities:
        services: list[dict[str, Any]] = []
        for role in sorted(entity.roles):
            svc_type = _SVC_TYPES.get(role, _SVC_ISSUANCE)
            history = sorted(entity.status_history, key=lambda p: p.since)
            current = entity.status_at(now)
            since = max((p.since for p in history if p.since <= now), default=tl.issued_at)
            information: dict[str, Any] = {
                "ServiceName": [{"lang": "en", "value": f"{entity.name_en}: {role}"}],
                "ServiceTypeIdentifier": svc_type,
                "ServiceStatus": _SVC_STATUS[current],
                "StatusStartingTime": _iso(since),
                "ServiceDigitalIdentity": {
                    # A revoked key's certificates leave the export: a LoTE consumer would trust them.
                    "X509Certificates": [{"val": c.to_json()["x5c"]} for c in entity.certificates
                                         if not c.revoked],
                },
                "ServiceInformationExtensions": [{"esspass:role": role,
                                                  "esspass:mayRequest": {k: list(v) for k, v in
                                                                          entity.may_request.items()}}],
            }
            history_json = [{"ServiceStatus": _SVC_STATUS[p.status], "StatusStartingTime": _iso(p.since)}
                            for p in history]
            services.append({"ServiceInformation": information, "ServiceHistory": history_json})
            revocation = _SVC_REVOCATION.get(svc_type)
            if entity.status_lists and revocation:
                # The institution's status lists are its revocation service; the supply point is
                # where they are all listed (Status List Aggregation).
                services.append({"ServiceInformation": {
                    **information,
                    "ServiceName": [{"lang": "en", "value": f"{entity.name_en}: {role} status lists"}],
                    "ServiceTypeIdentifier": revocation,
                    "ServiceSupplyPoints": [{"ServiceType": _SUPPLY_STATUS_LISTS, "uriValue": entity.status_lists}],
                }, "ServiceHistory": history_json})
        entities.append({
            "TrustedEntityInformation": {
                "TEName": [{"lang": "xx", "value": entity.name}, {"lang": "en", "value": entity.name_en}],
                "TETradeName": [{"lang": "en", "value": entity.id}],
                "TEAddress": {"TEPostalAddress": [{"lang": "en", "Country": entity.country}],
                              "TEElectronicAddress": []},
                "TEInformationURI": [],
            },
            "TrustedEntityServices": services,
        })
    info: dict[str, Any] = {
        "LoTEVersionIdentifier": 1,
        "LoTESequenceNumber": tl.sequence,
        "LoTEType": _LOTE_TYPES.get(tl.kind, _LOTE_TYPE),
        "SchemeOperatorName": [{"lang": "en", "value": tl.issuer}],
        "SchemeName": [{"lang": "en", "value": f"ESSPASS {tl.kind} trusted list"}],
        "SchemeTerritory": "EU",
        "ListIssueDateTime": _iso(tl.issued_at),
        "NextUpdate": _iso(tl.next_update),
    }
    if distribution_point:
        info["DistributionPoints"] = [distribution_point]
    return {"LoTE": {"ListAndSchemeInformation": info, "TrustedEntitiesList": entities}}


def fingerprint(token: str) -> str:
    """A strong ETag for a published list."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:32]
