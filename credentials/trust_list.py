"""Signed trust lists: who may issue which credential type, and who may ask for which claims.

The trust registry publishes three lists (shared/domain.md "Trust"): the *issuers* list (each
institution's CA certificates, document-signer certificates, roles and status history), the
*verifiers* list (inspectorates and hospitals, their CA certificates and the claims each may
request) and the *wallet_providers* list (the providers whose wallet attestations issuers accept,
HAIP §9.2). Each list is a JWS (``typ: trust-list+jwt``) signed by the registry's list-signing key,
whose ``x5c`` chains to the registry root that every wallet and verifier pins and which carries the
trusted-list-signing extended key usage (:data:`LIST_SIGNING_EKU`). The same content is exported as
an ETSI TS 119 602 List of Trusted Entities (standards.md §8.2) by :func:`to_lote`, distributed
signed by the same key (:func:`sign_lote`, :func:`verify_lote`).

**One key, one institution.** A CA or signer key (its SPKI) is listed under one entity only (the
registry refuses a second registration, ``trust_registry.store``); should a list nevertheless name
one key under two entities, a chain anchored by it is refused as ambiguous, and a key revoked under
any entity anchors nothing under any other (:func:`authorised_issuer`).

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
import ipaddress
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509 as cx509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import Certificate

from credentials import status_list
from credentials.errors import IssuerKeyError, IssuerTrustError, MalformedError
from credentials.institutions import ROLE_FOR_VCT, Role
from credentials.jose import PrivateKey, UnverifiedJWS, b64url_encode, decode_jws, sign_jws, verify_jws
from credentials.x509 import ValidatedChain, load_x5c, spki_kid, validate_chain, x5c_header

__all__ = [
    "INACTIVE_AT_ISSUANCE",
    "KEY_REVOKED",
    "LIST_SIGNING_EKU",
    "LOTE_TYP",
    "MAX_POLICY_URI",
    "NOT_LISTED",
    "SUSPENDED_NOW",
    "TYP",
    "AuthorisedIssuer",
    "ListedCertificate",
    "ListedEntity",
    "Policy",
    "StatusPeriod",
    "TrustList",
    "active_entity_by_id",
    "allowed_claims",
    "anchors_for",
    "authorised_issuer",
    "authorised_verifier",
    "authorised_wallet_provider",
    "check_list_signer_certificate",
    "check_listed_signer",
    "check_policy_uri",
    "issuer_key_by_kid",
    "sign_lote",
    "sign_trust_list",
    "signer_listings",
    "to_lote",
    "verify_lote",
    "verify_status_list",
    "verify_trust_list",
]

TYP = "trust-list+jwt"
#: ETSI TS 119 612 ``id-tsl-kp-tslSigning`` (0.4.0.2231.3.0), the extended key usage of a trusted
#: list signing certificate. The registry root may certify other keys one day (a TLS server, an
#: operator's tooling); only a certificate carrying this purpose speaks for the lists.
LIST_SIGNING_EKU = cx509.ObjectIdentifier("0.4.0.2231.3.0")
KINDS = ("issuers", "verifiers", "wallet_providers")
ACTIVE, SUSPENDED, WITHDRAWN = "active", "suspended", "withdrawn"
STATUSES = (ACTIVE, SUSPENDED, WITHDRAWN)
CA, SIGNER = "ca", "signer"
#: The longest privacy notice address a verifier's registration holds (``policy_uri``).
MAX_POLICY_URI = 500


class Policy(StrEnum):
    """What a later suspension or withdrawal means for credentials signed before it (module docstring)."""

    AT_ISSUANCE = "at_issuance"
    STRICT = "strict"


def _ts(value: datetime) -> int:
    return int(value.timestamp())


def _dt(value: Any, name: str) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedError(f"trust list: {name} must be a NumericDate")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, ValueError, OSError) as exc:  # beyond the years a datetime holds
        raise MalformedError(f"trust list: {name} is not a representable date") from exc


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
        kid = _KID_CACHE.get(self.der)
        if kid is None:
            if len(_KID_CACHE) > 4096:
                _KID_CACHE.clear()
            kid = _KID_CACHE[self.der] = spki_kid(self.certificate)
        return kid

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
_KID_CACHE: dict[bytes, str] = {}  # every chain check compares keys across the list: hash each SPKI once


def _load_der(der: bytes) -> Certificate:
    # Parsing is pure and deterministic; a bounded memo keeps hot verifiers from re-parsing.
    cert = _DER_CACHE.get(der)
    if cert is None:
        if len(_DER_CACHE) > 4096:
            _DER_CACHE.clear()
        cert = _DER_CACHE[der] = cx509.load_der_x509_certificate(der)
    return cert


def _loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1): a pilot on one machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_policy_uri(value: Any) -> str:
    """``value`` if it may be a verifier's privacy notice address (``policy_uri``), else MalformedError.

    GDPR Art. 13 has the controller give the person its privacy information when it collects their
    data; the wallet links it on the consent screen, from the registration only (RFC 7591 §2 names
    the client metadata ``policy_uri``, "a human-readable privacy policy document", which a request
    could set to anything it likes). The address is published in the signed list and opened by the
    worker: an absolute ``https`` URL with a host and a valid port, or ``http`` only to a loopback host
    (a pilot on one machine, ``esspass up --http``); printable, without white space, user name or
    password, at most :data:`MAX_POLICY_URI` characters.
    """
    if not isinstance(value, str) or not 0 < len(value) <= MAX_POLICY_URI or not value.isprintable() \
            or any(c.isspace() for c in value):
        raise MalformedError(f"a privacy notice address is a URL of at most {MAX_POLICY_URI} printable characters")
    try:
        parts = urlsplit(value)
        port = parts.port  # ValueError unless 1..65535
    except ValueError as exc:
        raise MalformedError("the privacy notice address is not a URL") from exc
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host or port == 0:
        raise MalformedError("the privacy notice address must be an http(s) URL with a host")
    if parts.scheme == "http" and not _loopback(host):
        raise MalformedError("the privacy notice address must be https (http only to localhost)")
    if parts.username is not None or parts.password is not None:  # published in the signed list
        raise MalformedError("the privacy notice address must not hold a user name or password")
    return value


def _policy_uri(value: Any) -> str | None:
    """A listed ``policy_uri``, or None when there is none or it breaks :func:`check_policy_uri`: the
    registry refuses such an address on registration, so a list holding one anyway is not shown it,
    and the rest of the list stands (lists from before the member have none)."""
    try:
        return check_policy_uri(value) if value is not None else None
    except MalformedError:
        return None


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
    #: Verifiers: where their privacy notice is (GDPR Art. 13; :func:`check_policy_uri`), which wallets
    #: link on the consent screen. From the registration, never from a request.
    policy_uri: str | None = None

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
        if self.policy_uri:
            out["policy_uri"] = self.policy_uri
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
                policy_uri=_policy_uri(obj.get("policy_uri")),
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


def _list_signer(unverified: UnverifiedJWS, registry_root: Certificate, now: datetime) -> ValidatedChain:
    """The ``x5c`` chain of a list, validated to the pinned root, whose leaf is a list signer.

    Pinning the root alone would let any certificate under it with digitalSignature sign lists;
    the leaf must also assert :data:`LIST_SIGNING_EKU` (ETSI TS 119 612 tslSigning), which the
    registry's list signer carries (``credentials.pki.issue_list_signer``; an operator's own signer
    must carry it too, checked when the registry starts). An EKU rather than a pinned signer key:
    wallets and verifiers keep pinning one root, and the registry may renew its signer without
    reconfiguring every client. A missing EKU fails closed (IssuerKeyError).
    """
    chain = load_x5c(unverified.header.get("x5c"))  # type: ignore[arg-type]
    validated = validate_chain(chain, [registry_root], now=now)
    check_list_signer_certificate(validated.leaf)
    return validated


def check_list_signer_certificate(cert: Certificate) -> None:
    """IssuerKeyError unless ``cert`` carries the trusted-list-signing EKU (:func:`_list_signer`)."""
    try:
        usages = cert.extensions.get_extension_for_class(cx509.ExtendedKeyUsage).value
    except cx509.ExtensionNotFound:
        usages = None
    except ValueError as exc:  # a malformed extension
        raise IssuerKeyError("the list signer certificate has a malformed extension") from exc
    if usages is None or LIST_SIGNING_EKU not in usages:
        raise IssuerKeyError("the certificate that signed this list is not a trust list signer "
                             "(extended key usage tslSigning 0.4.0.2231.3.0 missing)")


def verify_trust_list(token: str, *, registry_root: Certificate, now: datetime, kind: str | None = None) -> TrustList:
    """Verify a published list against the pinned registry root and return its content.

    The signing certificate comes from ``x5c`` but must chain to ``registry_root`` (the pin) and
    carry :data:`LIST_SIGNING_EKU`, so a list signed by anyone else (even by another certificate
    under the root), or altered after signing, is refused (IssuerKeyError / IssuerSignatureError).
    A list past its ``next_update`` still verifies: the caller decides how old a list it accepts
    and shows the age (offline operation; ``trust_registry.client`` bounds it).
    """
    unverified = decode_jws(token, max_bytes=4 * 1024 * 1024)
    if unverified.header.get("typ") != TYP:
        raise MalformedError(f"trust list: typ must be {TYP}")
    validated = _list_signer(unverified, registry_root, now)
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


def _owners(entities: Iterable[ListedEntity], kid: str) -> tuple[set[str], bool]:
    """The ids of the entities listing a certificate for the key ``kid``, and whether any of them
    marks it revoked (module docstring: one key, one institution)."""
    owners: set[str] = set()
    revoked = False
    for entity in entities:
        for listed in entity.certificates:
            if listed.kid == kid:
                owners.add(entity.id)
                revoked = revoked or listed.revoked
    return owners, revoked


#: :attr:`IssuerTrustError.reason` of :func:`authorised_issuer`'s refusals: a key the institution revoked
#: (compromised; its document signer's, or the CA's its chain hangs from), the institution suspended now,
#: suspended or withdrawn when the document was issued, a certificate or key not listed (then).
KEY_REVOKED, SUSPENDED_NOW, INACTIVE_AT_ISSUANCE, NOT_LISTED = (
    "key_revoked", "suspended", "inactive_at_issuance", "not_listed")


def _ca_revoked() -> IssuerTrustError:
    return IssuerTrustError("the CA key that signed this chain is revoked on the trust list (compromised)",
                            reason=KEY_REVOKED)


def _entity_for_chain(
    entities: Sequence[ListedEntity], chain: ValidatedChain | Sequence[Certificate], *, at: datetime, now: datetime,
) -> tuple[ListedEntity, ListedCertificate]:
    """The entity one of whose listed CA certificates validates ``chain`` (leaf first, anchor optional).

    A :class:`ValidatedChain` (already validated by the caller against anchors from this list)
    is matched by its anchor alone, which saves re-validating on the verifier's hot path.
    The anchor's key decides, not its certificate: a key revoked under any entity anchors nothing,
    and a key listed under two entities is refused rather than given to whichever comes first (a
    rogue registering another institution's CA key under its own name).
    """
    if isinstance(chain, ValidatedChain):
        anchor_der = chain.anchor.public_bytes(serialization.Encoding.DER)
        for entity in entities:
            for listed in entity.certificates:
                if listed.usage == CA and listed.der == anchor_der and not listed.revoked:
                    return _sole_owner(entities, entity, listed)
        if any(listed.usage == CA and listed.der == anchor_der and listed.revoked
               for entity in entities for listed in entity.certificates):
            raise _ca_revoked()
        raise IssuerTrustError("the signing certificate does not belong to any institution on the trust list")
    if not chain:
        raise IssuerKeyError("empty certificate chain")
    leaf_and_intermediates = [c for c in chain if c.subject != c.issuer]
    if not leaf_and_intermediates:
        raise IssuerKeyError("no signing certificate in the chain (only self-signed certificates)")
    revoked_anchor = False
    for entity in entities:
        for listed in entity.certificates:
            if listed.usage != CA:
                continue
            anchor = listed.certificate
            if leaf_and_intermediates[-1].issuer != anchor.subject:
                continue
            try:
                validate_chain(leaf_and_intermediates, [anchor], now=now)
            except IssuerKeyError:
                continue
            if listed.revoked:  # it anchors nothing; said as such, not as a stranger's certificate
                revoked_anchor = True
                continue
            return _sole_owner(entities, entity, listed)
    if revoked_anchor:
        raise _ca_revoked()
    raise IssuerTrustError("the signing certificate does not belong to any institution on the trust list")


def _sole_owner(entities: Sequence[ListedEntity], entity: ListedEntity,
                listed: ListedCertificate) -> tuple[ListedEntity, ListedCertificate]:
    owners, revoked = _owners(entities, listed.kid)
    if revoked:
        raise _ca_revoked()
    if owners != {entity.id}:
        raise IssuerTrustError("the CA key that signed this chain is listed under more than one institution "
                               f"({', '.join(sorted(owners))}): it identifies none of them")
    return entity, listed


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
        raise IssuerTrustError(f"the certificate of {entity.id} was not listed when this credential was issued",
                               reason=NOT_LISTED)
    check_listed_signer(entity, chain.leaf if isinstance(chain, ValidatedChain) else chain[0], at)
    if entity.status_at(at) != ACTIVE:
        raise IssuerTrustError(f"{entity.id} was {entity.status_at(at)} when this credential was issued",
                               reason=INACTIVE_AT_ISSUANCE)
    status_now = entity.status_at(now)
    if status_now == SUSPENDED:
        raise IssuerTrustError(f"{entity.id} is suspended on the trust list", reason=SUSPENDED_NOW)
    if policy is Policy.STRICT and status_now != ACTIVE:
        raise IssuerTrustError(f"{entity.id} is {status_now} on the trust list")
    return AuthorisedIssuer(entity, anchor, status_now)


def check_listed_signer(entity: ListedEntity, leaf: Certificate, at: datetime) -> None:
    """An entity that lists its document-signer certificates signs only with their keys, each inside
    its window (module docstring): a signer key rotated out (``esspass registry rotate``) or never
    listed is refused, even though its certificate chains to the entity's CA. The key decides, as the
    offline ``kid`` does, so a certificate renewed for a listed key is accepted (its chain is checked
    on its own). An entity listing only CAs is judged by them."""
    windows = signer_listings(entity, leaf)
    if windows is None:
        return
    if not windows:
        raise IssuerTrustError(f"the document signer key is not one {entity.id} lists on the trust list",
                               reason=NOT_LISTED)
    if any(c.revoked for c in windows):
        raise IssuerTrustError(f"{entity.id} revoked this document signer key (compromised): nothing it signed "
                               "is trusted", reason=KEY_REVOKED)
    if not any(c.listed_at(at) for c in windows):
        raise IssuerTrustError(f"the document signer certificate of {entity.id} was not listed when this "
                               "credential was issued", reason=NOT_LISTED)


def signer_listings(entity: ListedEntity, leaf: Certificate) -> tuple[ListedCertificate, ...] | None:
    """Every listing of ``leaf``'s key (its SPKI) among ``entity``'s document-signer certificates, each
    with its window and whether revoked (empty: a key the entity does not list); None when the entity
    lists no signer at all and is judged by its CAs alone. For callers that must tell why a key is
    not listed at a time (:func:`check_listed_signer` only says that it is not)."""
    signers = [c for c in entity.certificates if c.usage == SIGNER]
    if not signers:
        return None
    kid = spki_kid(leaf)
    return tuple(c for c in signers if c.kid == kid)


def verify_status_list(token: str | bytes, *, uri: str, entity: ListedEntity,
                       now: datetime) -> status_list.VerifiedStatusList:
    """A Status List Token (a JWT as ``str``, a CWT as ``bytes``) verified as the list of ``entity``,
    the institution that issued the credential (draft-ietf-oauth-status-list §8.3, §11.3;
    standards.md §3.6).

    Only that institution's CA certificates anchor the token's chain, never every institution
    holding the same role: another PDA1 institution cannot vouch for (or revoke, or reinstate) this
    one's documents. The signing key must also be one the institution lists now
    (:func:`check_listed_signer`): a list speaks for the present, and its ``iat`` is the signer's to
    choose, so a key rotated out could otherwise backdate one into its window. Verifiers and the
    wallet both check status lists through here.
    """
    anchors = entity.anchors()
    if isinstance(token, bytes):
        verified = status_list.verify_cwt_token(token, uri=uri, anchors=anchors, now=now)
    else:
        verified = status_list.verify_token(token, uri=uri, anchors=anchors, now=now)
    check_listed_signer(entity, verified.chain.leaf, now)
    return verified


def authorised_verifier(
    tl: TrustList, chain: ValidatedChain | Sequence[Certificate], requested: Mapping[str, Collection[str]], *,
    at: datetime,
) -> ListedEntity:
    """The registered verifier owning ``chain``, if it is active and may request every claim asked.

    ``requested`` maps a vct to the top-level claim names asked for. Asking for a type or a claim
    the verifier is not registered for is refused (IssuerTrustError), never silently trimmed.
    """
    entity = _active_entity(tl, chain, "verifiers", Role.VERIFIER, "registered verifier", at=at)
    # Everything not registered is named at once: an operator widening a registration (or a wallet
    # telling its user why it declines) learns the whole of it, not one type or claim per attempt.
    types: list[str] = []
    extra: list[str] = []
    for vct, claims in requested.items():
        allowed = _allowed_claims(entity, vct)
        if allowed is None:
            types.append(vct)
        else:
            extra.extend(sorted(set(claims) - set(allowed)))
    claims_text = ", ".join(sorted(set(extra)))
    if types:
        types_text = (f"this credential type ({types[0]})" if len(types) == 1
                      else f"these credential types ({', '.join(types)})")
        tail = f", nor: {claims_text}" if extra else ""
        raise IssuerTrustError(f"{entity.name_en} is not registered to request {types_text}{tail}")
    if extra:
        raise IssuerTrustError(f"{entity.name_en} is not registered to request: {claims_text}")
    return entity


def authorised_wallet_provider(tl: TrustList, chain: Sequence[Certificate], *, at: datetime) -> ListedEntity:
    """The listed wallet provider owning ``chain`` (a wallet attestation's x5c), active at ``at``.

    Unlike a credential, an attestation is judged only now: a suspended or withdrawn provider's
    attestations are refused at once (HAIP §9.2, ARF: the provider list is the trust anchor).
    """
    return _active_entity(tl, chain, "wallet_providers", Role.WALLET_PROVIDER, "registered wallet provider", at=at)


def active_entity_by_id(tl: TrustList, entity_id: str, role: Role, *, at: datetime) -> ListedEntity:
    """The entity ``entity_id`` of ``tl``, holding ``role`` and active at ``at``; else IssuerTrustError.

    For a party whose signature was already verified earlier and is judged again later by its id
    alone: a wallet provider that vouched for a deferred credential request (OpenID4VCI §8.3, §9)
    when the issuer is about to sign (HAIP §9.2, ARF: only wallets whose provider is trusted get
    documents, and a suspended or withdrawn provider is trusted no more; unlike a credential's
    issuer, :class:`Policy`, its status *now* decides). An entity not on the list is as withdrawn.
    No certificate is looked at: whoever calls this has checked the signature (and its chain) before.
    """
    entity = tl.entity(entity_id)
    if entity is None:
        raise IssuerTrustError(f"{entity_id} is not on the {tl.kind.replace('_', ' ')} list")
    if role not in entity.roles:
        raise IssuerTrustError(f"{entity_id} does not hold the {role} role")
    status = entity.status_at(at)
    if status != ACTIVE:
        raise IssuerTrustError(f"{entity_id} is {status}")
    return entity


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


def allowed_claims(entity: ListedEntity, vct: str) -> tuple[str, ...] | None:
    """The claims ``entity`` may request of a ``vct`` as :func:`authorised_verifier` judges them (an
    alias's or an mdoc PID's by the type it stands for); None when it may request none of that type."""
    return _allowed_claims(entity, vct)


def _allowed_claims(entity: ListedEntity, vct: str) -> tuple[str, ...] | None:
    from credentials import ehic, eudi_pda1, pda1, pid

    if vct == pid.VCT and vct in entity.may_request:
        # A PID asked for as ISO mdoc names its data elements as the PID Rulebook's §3.1.1 does
        # (birth_date, nationality, portrait...; dcql.requested_claims files them under this vct):
        # the same facts as the SD-JWT VC claims the verifier is registered for, each of ours one of theirs.
        registered = entity.may_request[vct]
        return tuple(dict.fromkeys((*registered, *(pid.MDOC_ELEMENTS[n] for n in registered
                                                   if n in pid.MDOC_ELEMENTS))))
    if vct in entity.may_request:
        return entity.may_request[vct]
    if vct == eudi_pda1.VCT and pda1.VCT in entity.may_request:
        # The same facts under the EUDI model's names. One of theirs may hold several of ours
        # (legislation: the state, the period, the transitional rules): it is allowed only when all are.
        allowed = set(entity.may_request[pda1.VCT])
        theirs: dict[str, set[str]] = {}
        for ours in (*allowed, *eudi_pda1.CLAIM_NAMES):
            theirs.setdefault(eudi_pda1.CLAIM_NAMES.get(ours, ours), set()).add(ours)
        return tuple(sorted(name for name, needs in theirs.items() if needs <= allowed))
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

#: ``typ`` of the signed LoTE: explicit typing (RFC 8725 §3.11), so that neither of the two things the
#: list signer signs (this and ``trust-list+jwt``) can be passed off as the other. JAdES
#: (ETSI TS 119 182-1) leaves ``typ`` free and asks for the signing time (``iat``) and a reference
#: to the signing certificate (``x5t#S256``) in the protected header, which :func:`sign_lote` sets.
LOTE_TYP = "lote+jws"
_ETSI = "http://uri.etsi.org/19602"
_PROJECT = "https://esspass.eu/19602"


@dataclass(frozen=True, slots=True)
class _LoteProfile:
    """The LoTE type of one published list and the service status URIs its profile defines."""

    lote_type: str
    notified: str | None  # None: the profile defines no service status (a listed service is trusted)
    withdrawn: str | None


_PROFILES = {
    # Social-security institutions and PID providers are public-sector EAA providers (standards.md
    # §8.2); the EU profile's statuses are notified and withdrawn only.
    "issuers": _LoteProfile(f"{_ETSI}/LoTEType/EUPubEAAProvidersList",
                            f"{_ETSI}/PubEAAProvidersList/SvcStatus/notified",
                            f"{_ETSI}/PubEAAProvidersList/SvcStatus/withdrawn"),
    # No EU list names the inspectorates and hospitals that may request which claims: our own type.
    "verifiers": _LoteProfile(f"{_PROJECT}/LoTEType/RelyingPartiesList",
                              f"{_PROJECT}/RelyingPartiesList/SvcStatus/notified",
                              f"{_PROJECT}/RelyingPartiesList/SvcStatus/withdrawn"),
    # The EU wallet providers profile defines no status URI: only providers active now are listed.
    "wallet_providers": _LoteProfile(f"{_ETSI}/LoTEType/EUWalletProvidersList", None, None),
}

#: role -> (issuance, revocation) service types. The EU PubEAA profile has one issuance type for
#: every attestation; a consumer selecting services by type (standards.md §8.2, consumption) would
#: then take an EHIC institution for a PDA1 issuer. So each credential type gets its own type under
#: the project's namespace (a consumer that knows only the EU type finds no PDA1 issuer at all:
#: fail closed), and the service names its credential type in ``ServiceInformationExtensions``.
_SVC_TYPES: dict[str, tuple[str, str | None]] = {
    Role.PDA1_ISSUER: (f"{_PROJECT}/SvcType/PubEAA/PDA1/Issuance", f"{_PROJECT}/SvcType/PubEAA/PDA1/Revocation"),
    Role.EHIC_ISSUER: (f"{_PROJECT}/SvcType/PubEAA/EHIC/Issuance", f"{_PROJECT}/SvcType/PubEAA/EHIC/Revocation"),
    Role.PID_PROVIDER: (f"{_ETSI}/SvcType/PID/Issuance", f"{_ETSI}/SvcType/PID/Revocation"),
    Role.VERIFIER: ("https://esspass.eu/svctype/RelyingParty/Access", None),
    Role.WALLET_PROVIDER: (f"{_ETSI}/SvcType/WalletSolution/Issuance", None),
}
_VCT_FOR_ROLE = {str(role): vct for vct, role in ROLE_FOR_VCT.items()}
#: The supply point's own type: draft-ietf-oauth-status-list §9 names no media type for the
#: aggregation document, so the IANA-registered JWT claim that points to it stands for it.
_SUPPLY_STATUS_LISTS = "aggregation_uri"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _status_runs(entity: ListedEntity, notified: str, withdrawn: str, now: datetime) -> list[tuple[str, datetime, str]]:
    """(profile status URI, since, our status) of each run of periods up to ``now``, newest first.

    Our three statuses map onto the profile's two: active is notified; suspended and withdrawn are
    both withdrawn (a consumer must not trust the service now). Consecutive periods mapping to the
    same URI are one run, from the first's start; the run's own status (suspended or withdrawn)
    goes in an extension, so that a lifted suspension reads as such in ``ServiceHistory``.
    """
    runs: list[tuple[str, datetime, str]] = []
    for period in sorted(entity.status_history, key=lambda p: p.since):
        if period.since > now:
            break
        uri = notified if period.status == ACTIVE else withdrawn
        if runs and runs[-1][0] == uri:
            if period.status == WITHDRAWN:  # a suspension ended by a withdrawal: final, say so
                runs[-1] = (uri, runs[-1][1], WITHDRAWN)
            continue
        runs.append((uri, period.since, period.status))
    return runs[::-1]


def _lote_service(entity: ListedEntity, role: str, profile: _LoteProfile, now: datetime) -> list[dict[str, Any]]:
    """The LoTE services for one role of ``entity`` (issuance, and revocation when it publishes status lists)."""
    svc_type, revocation = _SVC_TYPES[role]
    qualifier: dict[str, Any] = {"esspass:role": role}
    if role in _VCT_FOR_ROLE:
        qualifier["esspass:credentialType"] = _VCT_FOR_ROLE[role]
    if entity.may_request:
        qualifier["esspass:mayRequest"] = {k: list(v) for k, v in sorted(entity.may_request.items())}
    name = [{"lang": "en", "value": f"{entity.name_en}: {role}"}]
    # Only certificates the signed list trusts from ``now`` on: a window a rotation closed (even at
    # this very second) or a revoked key leaves the export, since a LoTE consumer has no windows and
    # trusts every certificate it is given, for anything, at any time.
    identity = {"X509Certificates": [{"val": c.to_json()["x5c"]} for c in entity.certificates
                                     if not c.revoked and c.not_before <= now < c.not_after]}
    information: dict[str, Any] = {"ServiceName": name, "ServiceTypeIdentifier": svc_type,
                                   "ServiceDigitalIdentity": identity}
    history: list[dict[str, Any]] = []
    if profile.notified is not None and profile.withdrawn is not None:
        runs = _status_runs(entity, profile.notified, profile.withdrawn, now)
        if not runs:  # not listed yet at ``now``
            return []
        (uri, since, status), earlier = runs[0], runs[1:]
        information |= {"ServiceStatus": uri, "StatusStartingTime": _iso(since)}
        qualifier["esspass:status"] = status
        history = [{"ServiceName": name, "ServiceDigitalIdentity": identity, "ServiceTypeIdentifier": svc_type,
                    "ServiceStatus": h_uri, "StatusStartingTime": _iso(h_since),
                    "ServiceInformationExtensions": [{"esspass:status": h_status}]}
                   for h_uri, h_since, h_status in earlier]
    elif entity.status_at(now) != ACTIVE:  # no status to say it with: a service not trusted now is left out
        return []
    information["ServiceInformationExtensions"] = [qualifier]
    services: list[dict[str, Any]] = [{"ServiceInformation": information}]
    if entity.status_lists and revocation:
        # The institution's status lists are its revocation service; the supply point is where they
        # are all listed (Status List Aggregation).
        services.append({"ServiceInformation": {
            **information,
            "ServiceName": [{"lang": "en", "value": f"{entity.name_en}: {role} status lists"}],
            "ServiceTypeIdentifier": revocation,
            "ServiceSupplyPoints": [{"ServiceType": _SUPPLY_STATUS_LISTS, "uriValue": entity.status_lists}],
        }})
    if history:  # ETSI: present only when there is an earlier status, each under its service's own type
        for service in services:
            own = service["ServiceInformation"]
            service["ServiceHistory"] = [{**h, "ServiceName": own["ServiceName"],
                                          "ServiceTypeIdentifier": own["ServiceTypeIdentifier"]} for h in history]
    return services


def to_lote(tl: TrustList, *, now: datetime, distribution_point: str | None = None) -> dict[str, Any]:
    """The same list as an ETSI TS 119 602 List of Trusted Entities (JSON), for outside consumers.

    As of ``now`` (the registry uses the list's issue time, so the export and the signed list say
    the same): one service per role, typed by credential type (:data:`_SVC_TYPES`), with the
    profile's status URIs only and the earlier statuses in ``ServiceHistory``; only certificates
    whose listed window is open and whose key is not revoked. Distributed signed (:func:`sign_lote`).
    """
    profile = _PROFILES[tl.kind]
    entities = []
    for entity in tl.entities:
        services = [svc for role in sorted(entity.roles) if role in _SVC_TYPES  # an unknown role authorises nothing
                    for svc in _lote_service(entity, role, profile, now)]
        if not services:
            continue
        entities.append({
            "TrustedEntityInformation": {
                "TEName": [{"lang": "xx", "value": entity.name}, {"lang": "en", "value": entity.name_en}],
                "TETradeName": [{"lang": "en", "value": entity.id}],
                "TEAddress": {"TEPostalAddress": [{"lang": "en", "Country": entity.country}],
                              "TEElectronicAddress": []},
                # ETSI TS 119 602: where users find the entity's own information, here its privacy notice.
                "TEInformationURI": [{"lang": "en", "uriValue": entity.policy_uri}] if entity.policy_uri else [],
            },
            "TrustedEntityServices": services,
        })
    info: dict[str, Any] = {
        "LoTEVersionIdentifier": 1,
        "LoTESequenceNumber": tl.sequence,
        "LoTEType": profile.lote_type,
        "SchemeOperatorName": [{"lang": "en", "value": tl.issuer}],
        "SchemeName": [{"lang": "en", "value": f"ESSPASS {tl.kind} trusted list"}],
        "SchemeTerritory": "EU",
        "ListIssueDateTime": _iso(tl.issued_at),
        "NextUpdate": _iso(tl.next_update),
    }
    if distribution_point:
        info["DistributionPoints"] = [distribution_point]
    return {"LoTE": {"ListAndSchemeInformation": info, "TrustedEntitiesList": entities}}


def sign_lote(lote: Mapping[str, Any], *, key: PrivateKey, x5c: Sequence[Certificate], signed_at: datetime) -> str:
    """The LoTE as a compact JWS (standards.md §8.2: distributed signed, JAdES), by the list signer.

    Protected header: ``alg``, ``typ`` (:data:`LOTE_TYP`), ``x5c`` (without the root), ``x5t#S256``
    of the signing certificate and ``iat`` (signing time), as JAdES baseline B asks.
    """
    leaf_der = x5c[0].public_bytes(serialization.Encoding.DER)
    header = {"alg": "ES256", "typ": LOTE_TYP, "x5c": x5c_header(x5c),
              "x5t#S256": b64url_encode(hashlib.sha256(leaf_der).digest()), "iat": _ts(signed_at)}
    return sign_jws(header, dict(lote), key)


def verify_lote(token: str, *, registry_root: Certificate, now: datetime) -> dict[str, Any]:
    """A signed LoTE verified like a trust list (:func:`verify_trust_list`: chain to the pinned root,
    list-signing EKU, signature), returning the LoTE JSON. A tampered token, another signer, or a
    trust-list JWT offered as a LoTE is refused."""
    unverified = decode_jws(token, max_bytes=4 * 1024 * 1024)
    if unverified.header.get("typ") != LOTE_TYP:
        raise MalformedError(f"LoTE: typ must be {LOTE_TYP}")
    validated = _list_signer(unverified, registry_root, now)
    thumbprint = unverified.header.get("x5t#S256")
    leaf_der = validated.leaf.public_bytes(serialization.Encoding.DER)
    if thumbprint != b64url_encode(hashlib.sha256(leaf_der).digest()):
        raise IssuerKeyError("LoTE: x5t#S256 does not name the signing certificate")
    verify_jws(unverified, validated.leaf.public_key(), algorithms=("ES256",), typ=LOTE_TYP)  # type: ignore[arg-type]
    lote = unverified.payload.get("LoTE")
    if not isinstance(lote, dict) or not isinstance(lote.get("ListAndSchemeInformation"), dict):
        raise MalformedError("LoTE: the payload is not a List of Trusted Entities")
    return dict(unverified.payload)


def fingerprint(token: str) -> str:
    """A strong ETag for a published list."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:32]
