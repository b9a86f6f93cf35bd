"""X.509 certificate chains for ``x5c`` headers (RFC 7515 §4.1.6, RFC 5280 §6, HAIP 1.0).

Issuers put their document-signer certificate (and any intermediates) in the ``x5c`` header of
SD-JWT VCs and Status List Tokens; verifiers validate that chain against trust anchors that
*they* take from a trust list, never from the token (standards.md §8.4 item 4).

HAIP 1.0 rules enforced here on top of RFC 5280 path validation:

* the trust anchor MUST NOT be included in ``x5c``;
* the signing (leaf) certificate MUST NOT be self-signed.

Path validation is pyca/cryptography's ``cryptography.x509.verification.PolicyBuilder``
(its path builder checks every link's signature, issuer/subject name chaining, validity of
every certificate at ``now`` including the anchor, ``basicConstraints`` cA and ``pathLenConstraint``,
and, through ``ExtensionPolicy.webpki_defaults_ca()``, ``keyUsage.keyCertSign`` on every CA).
Its end-entity defaults are the Web PKI server/client profile (SAN and EKU required), which a
document signer does not follow, so the leaf gets our own extension policy:
``ExtensionPolicy.permit_all()`` plus a required ``keyUsage`` asserting the usage the caller
asks for (``digitalSignature`` by default) and ``basicConstraints`` cA false when present.
No EKU is profiled for document signers in the pilot (the draft's ``id-kp-oauthStatusSigning``
OID is still TBD), so an EKU on the leaf is neither required nor checked.
This needs cryptography >= 45 (``extension_policies``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from credentials.errors import IssuerKeyError, MalformedError
from credentials.jose import b64url_encode

__all__ = [
    "KEY_USAGES",
    "MAX_CHAIN_DEPTH",
    "MAX_PEM_BYTES",
    "MAX_X5C_CERTS",
    "MAX_X5C_CERT_CHARS",
    "ChainValidator",
    "ValidatedChain",
    "chain_ended_since",
    "dns_names",
    "load_pem_certificates",
    "load_x5c",
    "load_x5chain",
    "spki_kid",
    "validate_chain",
    "x5c_header",
    "x509_hash",
]

Certificate = x509.Certificate

#: Most certificates accepted in one ``x5c`` header (leaf + a few intermediates).
MAX_X5C_CERTS = 5
#: Largest base64 text of one ``x5c`` entry (our DER certificates are ~600 bytes).
MAX_X5C_CERT_CHARS = 16 * 1024
#: Longest path (leaf, intermediates, anchor) the path builder may try.
MAX_CHAIN_DEPTH = 6
#: Largest PEM bundle :func:`load_pem_certificates` parses.
MAX_PEM_BYTES = 1024 * 1024

#: keyUsage bits (``cryptography.x509.KeyUsage`` attribute names) a caller may require on the leaf.
KEY_USAGES = frozenset(
    {
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
    }
)


@dataclass(frozen=True, slots=True)
class ValidatedChain:
    """A chain that passed :func:`validate_chain`.

    ``chain`` is the validated path, leaf first and ending with ``anchor`` (the trust anchor
    comes from the caller's anchors, never from ``x5c``).
    """

    leaf: Certificate
    chain: list[Certificate]
    anchor: Certificate


def load_x5c(x5c: Sequence[str]) -> list[Certificate]:
    """Decode an ``x5c`` header value: standard base64 (not base64url) DER, leaf first (RFC 7515 §4.1.6).

    Limits: 1..MAX_X5C_CERTS entries of at most MAX_X5C_CERT_CHARS each. Nothing is validated
    except the encoding; use :func:`validate_chain` before trusting any of them.
    """
    certs: list[Certificate] = []
    for entry in _x5c_entries(x5c):
        try:
            der = base64.b64decode(entry.encode("ascii"), validate=True)
            certs.append(x509.load_der_x509_certificate(der))
        except (UnicodeEncodeError, binascii.Error, ValueError, x509.InvalidVersion) as exc:
            raise MalformedError("x5c entry is not a base64 DER certificate") from exc
    return certs


def _x5c_entries(x5c: object) -> tuple[str, ...]:
    """The entries of an unverified ``x5c`` value, checked for shape and size only (RFC 7515 §4.1.6:
    a non-empty array of base64 strings); anything else is MalformedError before it is used."""
    if not isinstance(x5c, list | tuple) or not x5c:
        raise MalformedError("x5c must be a non-empty array")
    if len(x5c) > MAX_X5C_CERTS:
        raise MalformedError(f"x5c has more than {MAX_X5C_CERTS} certificates")
    for entry in x5c:
        if not isinstance(entry, str) or not entry:
            raise MalformedError("x5c entries must be non-empty strings")
        if len(entry) > MAX_X5C_CERT_CHARS:
            raise MalformedError("x5c certificate too large")
    return tuple(x5c)


def load_x5chain(ders: Sequence[bytes]) -> list[Certificate]:
    """Decode a COSE ``x5chain`` (label 33, RFC 9360): DER certificates, leaf first, same limits as x5c."""
    if not ders or len(ders) > MAX_X5C_CERTS:
        raise MalformedError(f"x5chain must hold 1 to {MAX_X5C_CERTS} certificates")
    try:
        return [x509.load_der_x509_certificate(der) for der in ders]
    except (ValueError, x509.InvalidVersion) as exc:  # a version byte no X.509 has is no certificate
        raise MalformedError("x5chain holds something that is not a DER certificate") from exc


_T = TypeVar("_T")


class _ByIdentity(Generic[_T]):
    """A bounded memo of ``compute(cert)`` keyed by the certificate object's identity.

    Hashing a Certificate as a dict key re-hashes its DER on every lookup, which costs more than
    the lookup is meant to save. Each entry holds its certificate, so the id cannot be reused
    while it is cached, and the hit is confirmed with ``is``.
    """

    def __init__(self, compute: Callable[[Certificate], _T], limit: int) -> None:
        self._compute, self._limit = compute, limit
        self._entries: dict[int, tuple[Certificate, _T]] = {}

    def __call__(self, cert: Certificate) -> _T:
        entry = self._entries.get(id(cert))
        if entry is not None and entry[0] is cert:
            return entry[1]
        if len(self._entries) >= self._limit:
            self._entries.clear()
        value = self._compute(cert)
        self._entries[id(cert)] = (cert, value)
        return value


# An issuer puts the same signer certificate in every credential it signs.
_x5c_entry = _ByIdentity(lambda cert: base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii"),
                         256)


def x5c_header(chain: Sequence[Certificate]) -> list[str]:
    """The ``x5c`` header value for ``chain`` (leaf first; the caller leaves the anchor out, HAIP)."""
    return [_x5c_entry(cert) for cert in chain]


_ChainKey = tuple[tuple[str, ...], tuple[bytes, ...], str]


class ChainValidator:
    """:func:`load_x5c` + :func:`validate_chain`, remembering results for the same x5c and anchors.

    A verifier sees the same issuer certificates over and over; a chain that validated once is
    valid again at any ``now`` inside the validity window common to every certificate on its path,
    so the remembered result is only reused inside that window. One instance per verifier (no
    module state), shared by its threads; at most ``size`` chains are remembered.
    """

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        # Anchors come from the same parsed trust list again and again: hash each once.
        self._fingerprint = _ByIdentity(lambda cert: cert.fingerprint(hashes.SHA256()), 4 * size)
        self._cache: OrderedDict[_ChainKey, tuple[ValidatedChain, datetime, datetime]] = OrderedDict()
        self._lock = threading.Lock()  # verifications run in a thread pool: the order is one shared state

    def __call__(
        self, x5c: Sequence[str], anchors: Sequence[Certificate], *, now: datetime,
        require_key_usage: str = "digital_signature",
    ) -> ValidatedChain:
        # The x5c comes from an unverified header: its shape is checked before it becomes a cache
        # key, or a list or object inside it would fail as unhashable instead of as malformed.
        entries = _x5c_entries(x5c)
        key = (entries, tuple(map(self._fingerprint, anchors)), require_key_usage)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[1] <= now <= hit[2]:
                self._cache.move_to_end(key)
                return hit[0]
        validated = validate_chain(load_x5c(entries), anchors, now=now, require_key_usage=require_key_usage)
        start = max(c.not_valid_before_utc for c in validated.chain)
        end = min(c.not_valid_after_utc for c in validated.chain)
        with self._lock:
            self._cache[key] = (validated, start, end)
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return validated


def load_pem_certificates(data: bytes) -> list[Certificate]:
    """All certificates of a PEM bundle; an empty, oversized or malformed bundle is MalformedError."""
    if not isinstance(data, bytes):
        raise MalformedError("PEM data must be bytes")
    if len(data) > MAX_PEM_BYTES:
        raise MalformedError(f"PEM data larger than {MAX_PEM_BYTES} bytes")
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise MalformedError("not a PEM certificate bundle") from exc
    if not certs:
        raise MalformedError("no certificate in PEM data")
    return certs


def dns_names(cert: Certificate) -> list[str]:
    """The dNSName entries of the subjectAltName extension (empty when there is none)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return list(san.get_values_for_type(x509.DNSName))


def x509_hash(cert: Certificate) -> str:
    """base64url(SHA-256(DER certificate)): the ``x509_hash:`` client identifier value (OpenID4VP §5.9.3)."""
    return b64url_encode(hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest())


def spki_kid(cert: Certificate) -> str:
    """base64url(SHA-256(DER SubjectPublicKeyInfo)): the project's ``kid`` for a signer (ARCHITECTURE.md)."""
    return _spki_kids(cert)


# A verifier asks for the kid of the same signer (its cached chain's leaf, the trust list's parsed
# certificates) with every presentation: computed once per certificate object.
_spki_kids = _ByIdentity(lambda cert: b64url_encode(hashlib.sha256(_spki(cert)).digest()), 1024)


def _der(cert: Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _spki(cert: Certificate) -> bytes:
    return cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _leaf_policy(require_key_usage: str) -> ExtensionPolicy:
    """End-entity extension policy for document signers, status list signers and access certificates."""

    def key_usage(_policy: Policy, _cert: Certificate, ku: x509.KeyUsage) -> None:
        if not getattr(ku, require_key_usage):
            raise ValueError(f"leaf keyUsage does not assert {require_key_usage}")

    def basic_constraints(_policy: Policy, _cert: Certificate, bc: x509.BasicConstraints | None) -> None:
        # RFC 5280 §4.2.1.9: a CA certificate is not an end-entity signing certificate.
        if bc is not None and bc.ca:
            raise ValueError("leaf is a CA certificate")

    return (
        ExtensionPolicy.permit_all()
        .require_present(x509.KeyUsage, Criticality.AGNOSTIC, key_usage)
        .may_be_present(x509.BasicConstraints, Criticality.AGNOSTIC, basic_constraints)
    )


def validate_chain(
    chain: Sequence[Certificate],
    anchors: Sequence[Certificate],
    *,
    now: datetime,
    require_key_usage: str = "digital_signature",
) -> ValidatedChain:
    """Validate an ``x5c`` chain (leaf first) to one of the caller's ``anchors`` at ``now``.

    RFC 5280 §6.1 path validation via PolicyBuilder (see the module docstring for what it
    covers) plus the HAIP rules: no anchor inside ``chain`` and a leaf that is not self-signed.
    ``require_key_usage`` is the keyUsage bit the leaf must assert (``digital_signature``).
    Any failure raises :class:`IssuerKeyError`; an empty anchor set fails closed.
    """
    if require_key_usage not in KEY_USAGES:
        raise ValueError(f"unknown key usage {require_key_usage!r}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if not chain:
        raise IssuerKeyError("certificate chain is empty")
    if not anchors:
        raise IssuerKeyError("no trust anchors configured for this check")
    try:
        return _validate(chain, anchors, now, require_key_usage)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # A certificate that parsed but whose name or key cannot be read (an unknown algorithm, a
        # malformed extension) is a chain we cannot check: refused, never a server error.
        raise IssuerKeyError("a certificate of the chain cannot be read") from exc


def _validate(chain: Sequence[Certificate], anchors: Sequence[Certificate], now: datetime,
              require_key_usage: str) -> ValidatedChain:
    leaf = chain[0]
    # HAIP 1.0 §6.1 / OpenID4VCI App. D: the signing certificate MUST NOT be self-signed.
    if leaf.issuer == leaf.subject:
        raise IssuerKeyError("signing certificate is self-signed")
    # HAIP 1.0: the trust anchor MUST NOT be included in x5c. A certificate with an anchor's
    # subject and key counts as the anchor even if re-encoded or re-issued.
    anchor_ids = {(a.subject.public_bytes(), _spki(a)) for a in anchors}
    anchor_ders = {_der(a) for a in anchors}
    for cert in chain:
        if _der(cert) in anchor_ders or (cert.subject.public_bytes(), _spki(cert)) in anchor_ids:
            raise IssuerKeyError("x5c contains a trust anchor")
    verifier = (
        PolicyBuilder()
        .store(Store(list(anchors)))
        .time(now.astimezone(UTC))
        .max_chain_depth(MAX_CHAIN_DEPTH)
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(),
            ee_policy=_leaf_policy(require_key_usage),
        )
        .build_client_verifier()
    )
    try:
        verified = verifier.verify(leaf, list(chain[1:]))
    except VerificationError as exc:
        raise IssuerKeyError(f"certificate chain rejected: {exc}") from exc
    path: list[Certificate] = list(verified.chain)
    return ValidatedChain(leaf=path[0], chain=path, anchor=path[-1])


def chain_ended_since(
    validate: Callable[[datetime], ValidatedChain], *, issued_at: datetime, now: datetime,
) -> tuple[ValidatedChain, datetime] | None:
    """A chain that failed at ``now``, judged at the time it signed: the path as it validates at
    ``issued_at`` and the moment it stopped validating (the earliest ``notAfter`` on it), when the
    only thing wrong with it at ``now`` is that a certificate's validity has ended since; else None.

    ``validate(at)`` is :func:`validate_chain` (or a :class:`ChainValidator`) of the same ``x5c`` and
    anchors at ``at``. RFC 5280 §6.1.3 (a)(2) judges every certificate of the path at the time of
    validation, and nothing else of the path depends on that time: signatures, names, basic
    constraints, key usage and anchors are what they were. So a path that validates at
    ``issued_at``, with ``issued_at`` not after ``now`` and a certificate of it ended before ``now``,
    failed at ``now`` for that end alone. ``issued_at`` is what the signer claims (a credential's
    ``iat``, an MSO's ``signed``): whoever holds the key may backdate it, so this says only that the
    chain *was* good, never that the signature was made then (the caller's verdict cannot be valid).
    """
    if issued_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("issued_at and now must be timezone-aware")
    if issued_at > now:
        return None
    try:
        validated = validate(issued_at)
    except IssuerKeyError:
        return None
    ended = min(cert.not_valid_after_utc for cert in validated.chain)
    if ended >= now:
        return None  # it failed at now for another reason than an end
    return validated, ended
