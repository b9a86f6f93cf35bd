"""Token Status List, JWT form (draft-ietf-oauth-status-list-20; standards.md §3).

* :class:`StatusList` — the bit array (§4.1): ``bits`` ∈ {1, 2, 4, 8} per Referenced Token,
  index ``i`` in byte ``i // (8 // bits)`` starting at the least significant bit, compressed with
  DEFLATE in the ZLIB format at level 9 and base64url-encoded as ``lst`` (§4.2).
* :class:`StatusReference` — the ``status`` claim of a Referenced Token (§6.2).
* :func:`sign_token` / :func:`verify_token` — the Status List Token JWT (§5.1, typ
  ``statuslist+jwt``), with the HAIP 1.0 rule that its key comes in ``x5c`` and is validated
  against anchors the caller trusts (§11.3), never against the token itself.
* :func:`status_of` — the relying-party lookup (§8.3 step 5: an index out of range MUST be rejected).
* :func:`allocate_index` — random, unique index allocation (§13.7 / HAIP: unpredictable indices).
* :func:`negotiate_form` — which Token form a Status List request's ``Accept`` header asks for (§8.1,
  RFC 9110 §12.5.1 q-values).
* :func:`said_when_stale` — what an entry of a list past its ``exp`` or maximum age still says: only a
  final value (§7.1), never VALID.
* :func:`undoes_withdrawal` — whether a list would turn an INVALID (or REPLACED) entry of another back
  (§7.1; a verifier holding both from the same second keeps the withdrawal).
* :data:`REPLACED` (0x03) — our application-specific Status Type (§7.1 leaves 0x03 to the
  application): the institution replaced the document with a newer one of its own (a correction, an
  A1 ended early). Final like INVALID, but not void from its first day as a withdrawal is; only a list
  of ``bits`` >= 2 can carry it (:func:`require_bits_for`).
* :data:`STOPPED` (0x0C) — our second application-specific Status Type (§7.1 leaves 0x0C-0x0F to the
  application): the institution stopped this one copy (the phone holding it was reported lost or
  stolen, ARF Annex 2 Topic 38), the document itself staying valid. Final; needs ``bits`` = 4.

Error codes from :func:`verify_token`: ``malformed`` (not a JWS, wrong ``typ``, missing or ill-typed
claims, bad ``lst``, decompression bomb), ``algorithm`` (``alg`` not allowed), ``issuer_key``
(``x5c`` chain not valid to the caller's anchors), ``issuer_signature`` (signature),
``status`` (``sub`` is not the expected URI, expired, issued in the future, too old).

The CWT form (§5.2, ``application/statuslist+cwt``, for ISO mdoc) is :func:`sign_cwt_token` /
:func:`verify_cwt_token`: a COSE_Sign1 (tag 18, never CWT-tagged) with ``typ`` (label 16) in the
protected header, the signer's chain in ``x5chain`` (label 33) and claims 2 sub, 6 iat, 4 exp,
65534 ttl, 65533 status_list (``{"bits": uint, "lst": bstr}``). The same checks apply to both forms.
"""

from __future__ import annotations

import math
import re
import secrets
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import Certificate

from credentials import cose
from credentials.errors import AlgorithmError, MalformedError, StatusError
from credentials.jose import (
    PrivateKey,
    UnverifiedJWS,
    b64url_decode,
    b64url_encode,
    decode_jws,
    sign_jws,
    verify_jws,
)
from credentials.x509 import ValidatedChain, load_x5c, load_x5chain, validate_chain, x5c_header

__all__ = [
    "CWT_MEDIA_TYPE",
    "INVALID",
    "MAX_LIST_BYTES",
    "MAX_STATUS_TOKEN_BYTES",
    "MEDIA_TYPE",
    "REPLACED",
    "STOPPED",
    "SUSPENDED",
    "TYP",
    "VALID",
    "StatusList",
    "StatusReference",
    "VerifiedStatusList",
    "allocate_index",
    "is_final",
    "may_follow",
    "negotiate_form",
    "require_bits_for",
    "said_when_stale",
    "sign_cwt_token",
    "sign_token",
    "status_of",
    "undoes_withdrawal",
    "verify_cwt_token",
    "verify_token",
]

# §7.1 Status Types.
VALID, INVALID, SUSPENDED = 0, 1, 2
#: §7.1 reserves 0x03 for application-specific use; ours: REPLACED. The issuing institution replaced
#: the document by a newer one of its own (a correction, or an A1 ended early: the replacement has the
#: shorter period). Not a withdrawal (987/2009 Art. 5: a withdrawn A1 is void from its first day): the
#: inspector asks for the current document, and the months the newer one covers stay covered. Final
#: like INVALID: a list never turns it back to VALID or SUSPENDED, but may turn it INVALID (a replaced
#: document withdrawn later). A relying party that does not know the value fails closed (§7.1).
REPLACED = 3
#: §7.1 leaves 0x0C-0x0F to the application too; ours: STOPPED. The institution stopped this one copy
#: (one entry per copy, §13.7), not the document: the phone holding it was reported lost or stolen
#: (ARF Annex 2 Topic 38, a Wallet Unit's attestations revoked), while the document stays valid on the
#: worker's other phone. Its own value, not INVALID, because a relying party reads INVALID as a
#: withdrawn document (987/2009 Art. 5: void from its first day), which this is not: the inspector asks
#: for the document from the worker's current phone. Final: never VALID or SUSPENDED again, but may
#: turn INVALID or REPLACED (the document withdrawn or replaced later). Needs lists of ``bits`` = 4 (the
#: draft's values 0x04-0x0B are reserved); a relying party that does not know it fails closed (§7.1).
STOPPED = 0x0C
#: The Status Types after which an entry never becomes VALID or SUSPENDED again (§7.1: INVALID is
#: final; REPLACED and STOPPED are ours, final too).
_FINAL = frozenset({INVALID, REPLACED, STOPPED})

TYP = "statuslist+jwt"
MEDIA_TYPE = "application/statuslist+jwt"
CWT_MEDIA_TYPE = "application/statuslist+cwt"
# §5.2 CWT claim keys (RFC 8392 sub 2, exp 4, iat 6; status list token ttl and status_list).
_CWT_SUB, _CWT_EXP, _CWT_IAT, _CWT_TTL, _CWT_STATUS_LIST = 2, 4, 6, 65534, 65533
#: The Token form a Referenced Token's status list is fetched in: JWT for SD-JWT VC, CWT for mdoc.
JWT, CWT = "jwt", "cwt"
_TYPS = frozenset({TYP, MEDIA_TYPE})  # RFC 7515 §4.1.9: "application/" may be omitted
_BITS = frozenset({1, 2, 4, 8})

#: Largest decompressed status list accepted (16 MiB = 134 million 1-bit entries).
MAX_LIST_BYTES = 16 * 1024 * 1024
#: Largest Status List Token accepted. Larger than jose.MAX_TOKEN_BYTES on purpose: a 10M-entry
#: list with 10 % revocations compresses to ~670 KB (draft Appendix "Size Comparison").
MAX_STATUS_TOKEN_BYTES = 4 * 1024 * 1024
#: Longest ``uri`` accepted in a status reference.
MAX_URI_CHARS = 2048


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class StatusList:
    """A Status List (§4.1): ``size`` entries of ``bits`` bits, packed LSB first, all VALID at start.

    ``get``/``set`` with an index outside ``0 <= i < size`` raise :class:`StatusError`
    (§8.3: out of bounds MUST be rejected); a value that does not fit ``bits`` is ValueError.
    """

    __slots__ = ("_bits", "_data", "_size")

    def __init__(self, size: int, bits: int = 2) -> None:
        if not _is_int(bits) or bits not in _BITS:
            raise ValueError("bits must be 1, 2, 4 or 8")
        if not _is_int(size) or size < 1:
            raise ValueError("size must be a positive integer")
        self._bits = bits
        self._size = size
        self._data = bytearray(-(-size * bits // 8))

    @property
    def bits(self) -> int:
        return self._bits

    @property
    def size(self) -> int:
        return self._size

    def __len__(self) -> int:
        return self._size

    def _locate(self, index: int) -> tuple[int, int]:
        if not _is_int(index) or not 0 <= index < self._size:
            raise StatusError(f"status list index {index!r} is out of range (size {self._size})")
        per_byte = 8 // self._bits
        return index // per_byte, (index % per_byte) * self._bits

    def get(self, index: int) -> int:
        """The status of entry ``index`` (§4.1: ``(byte >> shift) & mask``)."""
        byte, shift = self._locate(index)
        return (self._data[byte] >> shift) & ((1 << self._bits) - 1)

    def set(self, index: int, value: int) -> None:
        """Set entry ``index`` to ``value`` (0 .. 2**bits - 1; REPLACED needs 2 bits, :func:`require_bits_for`)."""
        if not _is_int(value):
            raise ValueError(f"status value must be in 0..{(1 << self._bits) - 1}")
        if not 0 <= value < (1 << self._bits):  # the common case stays one comparison (10M-entry lists)
            require_bits_for(value, self._bits)
        byte, shift = self._locate(index)
        mask = ((1 << self._bits) - 1) << shift
        self._data[byte] = (self._data[byte] & ~mask & 0xFF) | (value << shift)

    def to_bytes(self) -> bytes:
        """The uncompressed byte array (§4.1)."""
        return bytes(self._data)

    @classmethod
    def from_bytes(cls, data: bytes, bits: int, size: int | None = None) -> StatusList:
        """A list over ``data``; ``size`` defaults to every entry the bytes can hold."""
        if not _is_int(bits) or bits not in _BITS:
            raise MalformedError("bits must be 1, 2, 4 or 8")
        if not data:
            raise MalformedError("status list is empty")
        capacity = len(data) * 8 // bits
        if size is None:
            size = capacity
        if not _is_int(size) or not 0 < size <= capacity:
            raise MalformedError("status list size does not match its bytes")
        new = cls.__new__(cls)
        new._bits = bits
        new._size = size
        new._data = bytearray(data[: -(-size * bits // 8)])
        return new

    def to_lst(self) -> str:
        """``lst``: base64url(zlib(bytes, level 9)) (§4.2; DEFLATE in ZLIB format, best compression)."""
        return b64url_encode(zlib.compress(self._data, 9))

    @classmethod
    def from_lst(cls, lst: str, bits: int, max_bytes: int = MAX_LIST_BYTES) -> StatusList:
        """Decode ``lst``; decompression stops at ``max_bytes`` so a zlib bomb is MalformedError."""
        if not isinstance(lst, str) or not lst:
            raise MalformedError("lst must be a non-empty string")
        return cls.from_bytes(_inflate(b64url_decode(lst), max_bytes), bits)

    def to_claim(self) -> dict[str, Any]:
        """The JSON StatusList object (§4.2): ``{"bits": .., "lst": ..}``."""
        return {"bits": self._bits, "lst": self.to_lst()}

    @classmethod
    def from_claim(cls, obj: Any, max_bytes: int = MAX_LIST_BYTES) -> StatusList:
        """Parse a JSON StatusList object (§4.2); ``aggregation_uri`` is read by the token's verification."""
        if not isinstance(obj, Mapping):
            raise MalformedError("status_list must be an object")
        bits = obj.get("bits")
        if not _is_int(bits) or bits not in _BITS:
            raise MalformedError("status_list.bits must be 1, 2, 4 or 8")
        lst = obj.get("lst")
        if not isinstance(lst, str):
            raise MalformedError("status_list.lst must be a string")
        return cls.from_lst(lst, bits, max_bytes)


    def to_cbor(self) -> dict[str, Any]:
        """The CBOR StatusList (§4.3): ``{"bits": uint, "lst": bstr}``, ``lst`` the zlib bytes."""
        return {"bits": self._bits, "lst": zlib.compress(self._data, 9)}

    @classmethod
    def from_cbor(cls, obj: Any, max_bytes: int = MAX_LIST_BYTES) -> StatusList:
        if not isinstance(obj, Mapping):
            raise MalformedError("status_list must be a map")
        bits, lst = obj.get("bits"), obj.get("lst")
        if not _is_int(bits) or bits not in _BITS:
            raise MalformedError("status_list.bits must be 1, 2, 4 or 8")
        if not isinstance(lst, bytes) or not lst:
            raise MalformedError("status_list.lst must be a non-empty byte string")
        return cls.from_bytes(_inflate(lst, max_bytes), bits)


def _inflate(data: bytes, max_bytes: int) -> bytes:
    """Bounded zlib decompression: never produces more than ``max_bytes + 1`` bytes."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise MalformedError("lst is not zlib data") from exc
    if len(out) > max_bytes:
        raise MalformedError(f"status list decompresses to more than {max_bytes} bytes")
    if not inflater.eof:
        raise MalformedError("lst is truncated")
    if inflater.unused_data:
        raise MalformedError("lst has trailing data")
    return out


@lru_cache(maxsize=256)
def _check_uri(uri: str) -> None:
    """Fetched over HTTP (§8.1), so an absolute http(s) URI with a host. Cached: an issuer has a
    handful of lists, and every credential it signs names one of them."""
    try:
        parts = urlsplit(uri)
    except ValueError as exc:
        raise MalformedError("status_list.uri is not a URI") from exc
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise MalformedError("status_list.uri must be an absolute http(s) URI")


@dataclass(frozen=True, slots=True)
class StatusReference:
    """The ``status`` claim of a Referenced Token (§6.2): ``{"status_list": {"idx", "uri"}}``."""

    idx: int
    uri: str
    #: The form to fetch the list in (not part of the claim): CWT when it comes from an mdoc's MSO.
    token_form: str = field(default=JWT, compare=False)

    def __post_init__(self) -> None:
        if not _is_int(self.idx) or not 0 <= self.idx < 2**63:
            raise MalformedError("status_list.idx must be a non-negative integer")
        if not isinstance(self.uri, str) or not 0 < len(self.uri) <= MAX_URI_CHARS:
            raise MalformedError("status_list.uri must be a non-empty string")
        _check_uri(self.uri)

    def to_claim(self) -> dict[str, Any]:
        return {"status_list": {"idx": self.idx, "uri": self.uri}}

    @classmethod
    def from_claim(cls, obj: Any, token_form: str = JWT) -> StatusReference:
        """Parse the value of a ``status`` claim (or an MSO's ``status``, with ``token_form`` CWT);
        other status mechanisms in it are ignored."""
        if not isinstance(obj, Mapping):
            raise MalformedError("status must be an object")
        ref = obj.get("status_list")
        if not isinstance(ref, Mapping):
            raise MalformedError("status.status_list must be an object")
        # idx and uri are checked in __post_init__
        return cls(idx=ref.get("idx"), uri=ref.get("uri"), token_form=token_form)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class VerifiedStatusList:
    """A Status List Token that passed :func:`verify_token`. ``uri`` is its ``sub``."""

    status_list: StatusList
    uri: str
    iat: int
    exp: int
    ttl: int | None
    chain: ValidatedChain
    #: §9: where the issuer lists all its status lists (a verifier prefetches them for offline use).
    aggregation_uri: str | None = None


def sign_token(
    status_list: StatusList,
    *,
    uri: str,
    key: PrivateKey,
    x5c: Sequence[Certificate],
    iat: int,
    exp: int,
    ttl: int,
    aggregation_uri: str | None = None,
) -> str:
    """A Status List Token JWT (§5.1): header ``typ`` statuslist+jwt, ``alg`` from the key (ES256
    for P-256), ``x5c`` leaf first without the trust anchor (HAIP); claims sub, iat, exp, ttl, status_list
    (with ``aggregation_uri``, §9, when given).
    """
    _check_signing(uri=uri, key=key, x5c=x5c, iat=iat, exp=exp, ttl=ttl, aggregation_uri=aggregation_uri)
    header = {"typ": TYP, "x5c": x5c_header(x5c)}
    claim = status_list.to_claim()
    if aggregation_uri is not None:
        claim["aggregation_uri"] = aggregation_uri
    payload = {"sub": uri, "iat": iat, "exp": exp, "ttl": ttl, "status_list": claim}
    return sign_jws(header, payload, key)


def _check_signing(*, uri: str, key: PrivateKey, x5c: Sequence[Certificate], iat: int, exp: int, ttl: int,
                   aggregation_uri: str | None = None) -> None:
    if not x5c:
        raise ValueError("x5c must hold the signing certificate")
    if any(cert.issuer == cert.subject for cert in x5c):
        raise ValueError("x5c must not contain a self-signed certificate (trust anchor), HAIP 1.0")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, spki) != x5c[0].public_key().public_bytes(
        serialization.Encoding.DER, spki
    ):
        raise ValueError("key does not match the x5c leaf certificate")
    if not (_is_int(iat) and _is_int(exp) and _is_int(ttl)) or exp <= iat or ttl <= 0:
        raise ValueError("need integer iat < exp and a positive ttl")
    StatusReference(0, uri)  # same URI rules as the references that will point here
    if aggregation_uri is not None:
        StatusReference(0, aggregation_uri)


def sign_cwt_token(status_list: StatusList, *, uri: str, key: PrivateKey, x5c: Sequence[Certificate], iat: int,
                   exp: int, ttl: int, aggregation_uri: str | None = None) -> bytes:
    """A Status List Token CWT (§5.2): COSE_Sign1 tag 18, protected ``alg`` ES256 and ``typ``
    application/statuslist+cwt, ``x5chain`` leaf first without the anchor; claims 2, 6, 4, 65534, 65533."""
    _check_signing(uri=uri, key=key, x5c=x5c, iat=iat, exp=exp, ttl=ttl, aggregation_uri=aggregation_uri)
    cbor_list = status_list.to_cbor()
    if aggregation_uri is not None:
        cbor_list["aggregation_uri"] = aggregation_uri
    claims = {_CWT_SUB: uri, _CWT_IAT: iat, _CWT_EXP: exp, _CWT_TTL: ttl, _CWT_STATUS_LIST: cbor_list}
    return cose.sign1(cbor2.dumps(claims), key, protected={cose.TYP: CWT_MEDIA_TYPE},
                      x5chain=[c.public_bytes(serialization.Encoding.DER) for c in x5c])


def _decode(token: str) -> UnverifiedJWS:
    """jose.decode_jws with the larger status-list size limit (a 10M-entry list is ~140 KB)."""
    return decode_jws(token, max_bytes=MAX_STATUS_TOKEN_BYTES)


def _numeric_date(payload: Mapping[str, Any], name: str) -> int:
    value = payload.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise MalformedError(f"{name} must be a NumericDate")
    return int(value)


def verify_token(
    token: str,
    *,
    uri: str,
    anchors: Sequence[Certificate],
    now: datetime,
    algorithms: Sequence[str] = ("ES256",),
    skew: int = 60,
    max_age: int | None = None,
    max_bytes: int = MAX_LIST_BYTES,
) -> VerifiedStatusList:
    """Validate a Status List Token for the Referenced Token's ``uri`` (§8.3 steps 3-5).

    Checks, in order: size and JWS form; ``typ``; ``alg`` in ``algorithms`` (our policy, not the
    token's); the ``x5c`` chain against the caller's ``anchors`` at ``now``
    (:func:`credentials.x509.validate_chain`); the signature with the leaf key; ``sub == uri``;
    ``iat`` not later than ``now + skew``; ``exp`` (required by our profile) not reached
    (``now >= exp + skew`` is expired); ``iat`` not older than ``max_age`` when given; ``ttl`` a
    positive number when present; ``status_list`` decodes within ``max_bytes``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    parsed = _decode(token)
    header = parsed.header
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in _TYPS:
        raise MalformedError(f"typ must be {TYP}")
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        raise AlgorithmError(f"algorithm {alg!r} is not allowed")
    if "x5c" not in header:
        raise MalformedError("status list token has no x5c header")
    chain = validate_chain(load_x5c(header["x5c"]), anchors, now=now)
    public_key = chain.leaf.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise AlgorithmError("status list signing key is not an EC key")
    verify_jws(parsed, public_key, algorithms=algorithms)

    claims = parsed.payload
    return _checked(claims.get("sub"), claims.get("iat"), claims.get("exp"), claims.get("ttl", _ABSENT),
                    lambda: StatusList.from_claim(claims.get("status_list"), max_bytes) if "status_list" in claims
                    else None, uri=uri, chain=chain, now=now, skew=skew, max_age=max_age,
                    aggregation=claims.get("status_list"))


_ABSENT = object()


def _checked(sub: Any, iat_value: Any, exp_value: Any, ttl_value: Any, status_list: Callable[[], StatusList | None],
             *, uri: str, chain: ValidatedChain, now: datetime, skew: int, max_age: int | None,
             aggregation: Any = None) -> VerifiedStatusList:
    """The claim checks both forms share (§8.3 step 4): sub, iat, exp, ttl, then the list itself
    and its ``aggregation_uri`` (§9), which must be a URI like the list's own when present."""
    if sub != uri:
        raise StatusError("status list token sub does not match the referenced uri")
    iat = _numeric_date({"iat": iat_value}, "iat")
    exp = _numeric_date({"exp": exp_value}, "exp")
    ts = int(now.timestamp())
    if iat > ts + skew:
        raise StatusError("status list token is issued in the future")
    if ts >= exp + skew:
        raise StatusError("status list token has expired")
    if max_age is not None and ts - iat > max_age:
        raise StatusError("status list token is older than allowed")
    ttl: int | None = None
    if ttl_value is not _ABSENT:
        if not _is_int(ttl_value) or ttl_value <= 0:
            raise MalformedError("ttl must be a positive integer")
        ttl = ttl_value
    parsed = status_list()
    if parsed is None:
        raise MalformedError("status list token has no status_list claim")
    aggregation_uri = aggregation.get("aggregation_uri") if isinstance(aggregation, Mapping) else None
    if aggregation_uri is not None:
        if not isinstance(aggregation_uri, str):
            raise MalformedError("status_list.aggregation_uri must be a string")
        StatusReference(0, aggregation_uri)  # the same URI rules
    return VerifiedStatusList(status_list=parsed, uri=uri, iat=iat, exp=exp, ttl=ttl, chain=chain,
                              aggregation_uri=aggregation_uri)


def verify_cwt_token(
    token: bytes,
    *,
    uri: str,
    anchors: Sequence[Certificate],
    now: datetime,
    skew: int = 60,
    max_age: int | None = None,
    max_bytes: int = MAX_LIST_BYTES,
) -> VerifiedStatusList:
    """Validate a Status List Token CWT (§5.2) for ``uri``: the checks of :func:`verify_token`.

    Tag 61 (CWT) is refused, so is a ``typ`` other than application/statuslist+cwt; ``alg`` must be
    ES256 in the protected header (our policy); ``x5chain`` must validate to ``anchors``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if not isinstance(token, bytes):
        raise MalformedError("a status list CWT is bytes")
    msg = cose.decode_sign1(token, max_bytes=MAX_STATUS_TOKEN_BYTES)
    if msg.protected.get(cose.TYP) != CWT_MEDIA_TYPE:
        raise MalformedError(f"typ (label 16) must be {CWT_MEDIA_TYPE} in the protected header")
    chain = validate_chain(load_x5chain(msg.x5chain), anchors, now=now)
    public_key = chain.leaf.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise AlgorithmError("status list signing key is not an EC key")
    payload = cose.verify_sign1(msg, public_key)
    try:
        claims = cbor2.loads(payload)
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError) as exc:
        raise MalformedError("the status list CWT claims are not CBOR") from exc
    if not isinstance(claims, Mapping):
        raise MalformedError("the status list CWT claims must be a map")
    return _checked(claims.get(_CWT_SUB), claims.get(_CWT_IAT), claims.get(_CWT_EXP), claims.get(_CWT_TTL, _ABSENT),
                    lambda: StatusList.from_cbor(claims[_CWT_STATUS_LIST], max_bytes) if _CWT_STATUS_LIST in claims
                    else None, uri=uri, chain=chain, now=now, skew=skew, max_age=max_age,
                    aggregation=claims.get(_CWT_STATUS_LIST))


def status_of(verified: VerifiedStatusList, ref: StatusReference) -> int:
    """The status value for ``ref`` (§8.3 step 5); a foreign uri or an index out of range is StatusError."""
    if ref.uri != verified.uri:
        raise StatusError("status reference points to another status list")
    if ref.idx >= verified.status_list.size:
        raise StatusError(f"status list index {ref.idx} is out of range")
    return verified.status_list.get(ref.idx)


class _RandBelow(Protocol):
    def randbelow(self, exclusive_upper_bound: int, /) -> int: ...


def allocate_index(
    size: int,
    taken: Callable[[int], bool],
    rng: _RandBelow = secrets,
    *,
    attempts: int = 64,
    scan_limit: int = 65536,
) -> int:
    """A random unused index in ``0 .. size-1`` (§13.7; HAIP: unique and unpredictable per credential).

    Tries ``attempts`` uniformly random indices, asking ``taken(i)``. If all were taken the list
    is (nearly) full: a list of at most ``scan_limit`` entries is then scanned from a random
    start, a larger one raises :class:`StatusError` so the issuer opens a new list instead of
    calling ``taken`` millions of times. This does not reserve the index: the caller records it
    under a unique (uri, idx) constraint and calls again on a conflict.
    """
    if not _is_int(size) or size < 1:
        raise ValueError("size must be a positive integer")
    for _ in range(attempts):
        index = rng.randbelow(size)
        if not taken(index):
            return index
    if size <= scan_limit:
        start = rng.randbelow(size)
        for offset in range(size):
            index = (start + offset) % size
            if not taken(index):
                return index
        raise StatusError("status list is full")
    raise StatusError(f"no free status list index after {attempts} random attempts; the list is (nearly) full")


def is_final(value: int) -> bool:
    """Whether an entry of ``value`` is final (INVALID, §7.1; REPLACED and STOPPED, ours): never VALID or
    SUSPENDED again."""
    return value in _FINAL


def said_when_stale(value: int) -> int | None:
    """What an entry of ``value`` still says when read from a genuine list that is past its ``exp``
    (§8.3 step 4) or the relying party's maximum age (§13.7 policy): ``value`` when it is final
    (:func:`is_final`: §7.1 INVALID, "revoked, annulled, taken back, recalled or cancelled", is never
    VALID again; REPLACED and STOPPED, ours, only ever become another final value), else None, no
    statement (§8.3 step 6: the relying party SHOULD reject).

    A VALID or SUSPENDED entry may have changed since the list was signed, so a stale list answers
    neither (fail closed, never VALID). A final one cannot have changed back: telling it only makes
    the answer stricter, and the inspector learns of a withdrawal the device knows of, instead of
    reading it like a document whose list is merely old (987/2009 Art. 5: a withdrawn A1 is void
    from its first day)."""
    return value if is_final(value) else None


def may_follow(was: int, now: int) -> bool:
    """Whether an entry may go from ``was`` to ``now`` (§7.1): INVALID stays INVALID; REPLACED stays
    REPLACED or becomes INVALID (a replaced document withdrawn later); STOPPED (a copy) stays STOPPED or
    becomes INVALID or REPLACED (its document withdrawn or replaced later); any other may become anything."""
    if was == INVALID:
        return now == INVALID
    if was == REPLACED:
        return now in (REPLACED, INVALID)
    if was == STOPPED:
        return now in _FINAL
    return True


def require_bits_for(value: int, bits: int) -> None:
    """ValueError when a list of ``bits`` cannot carry ``value``: REPLACED (3) and SUSPENDED (2) need
    ``bits`` >= 2 (§4.1: a 1-bit list has VALID and INVALID only), STOPPED (12) ``bits`` >= 4."""
    if value < 0 or value > 255:
        raise ValueError("status value must be in 0..255")
    if value >= 1 << bits:
        name = {SUSPENDED: "SUSPENDED (2)", REPLACED: "REPLACED (3)", STOPPED: "STOPPED (12)"}.get(value, str(value))
        raise ValueError(f"status value {name} does not fit a list of {bits} bit(s) per entry "
                         f"(0..{(1 << bits) - 1}): it needs {max(2, value.bit_length())} bits or more")


def undoes_withdrawal(held: StatusList, new: StatusList, *, suspensions: bool = False) -> bool:
    """Whether ``new`` has an entry that ``held``'s final one may not become (:func:`may_follow`:
    anything but INVALID where ``held`` has INVALID, anything but REPLACED or INVALID where it has
    REPLACED); with ``suspensions``, also VALID where ``held`` has SUSPENDED: what an older list may
    not do.

    For two lists of one URI with the same ``iat`` (signed within one second): which came last
    cannot be told, and a withdrawal is final for our issuers (§7.1 INVALID; ``issuer.service``
    refuses to reinstate), so a verifier keeps the list that withdraws. Lists of another ``bits``
    or size cannot be compared entry by entry and count as undoing (the held one is kept).
    Compares 4 KiB blocks first, so two equal 16 MiB lists cost no per-entry work.
    """
    if held.bits != new.bits or held.size != new.size:
        return True
    old, fresh = held.to_bytes(), new.to_bytes()
    bits = held.bits
    per_byte, mask = 8 // bits, (1 << bits) - 1
    block = 4096
    for start in range(0, len(old), block):
        if old[start:start + block] == fresh[start:start + block]:
            continue
        for at in range(start, min(start + block, len(old))):
            if old[at] == fresh[at]:
                continue
            for slot in range(per_byte):
                shift = slot * bits
                was, now = (old[at] >> shift) & mask, (fresh[at] >> shift) & mask
                if not may_follow(was, now) or (suspensions and was == SUSPENDED and now == VALID):
                    return True
    return False


#: RFC 9110 §12.4.2 qvalue: 0 to 1 with at most three decimals.
_QVALUE = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")
_FORMS = ((JWT, MEDIA_TYPE), (CWT, CWT_MEDIA_TYPE))  # in order of preference when q ties


def negotiate_form(accept: str | None) -> str | None:
    """The Token form (:data:`JWT` or :data:`CWT`) to answer a Status List Request with (§8.1), or
    None when the ``Accept`` header accepts neither (the server answers 406 Not Acceptable).

    RFC 9110 §12.5.1: no header (or an empty one) accepts anything, so the JWT; otherwise each form
    takes the weight of the most specific range matching it (``type/subtype`` over ``type/*`` over
    ``*/*``), ``q=0`` means "not acceptable", the higher weight wins and a tie goes to the JWT. A
    range that is not ``type/subtype`` or whose ``q`` is not a qvalue is ignored, not guessed at.
    """
    if accept is None or not accept.strip():
        return JWT
    ranges: list[tuple[str, str, float]] = []
    for element in accept.split(","):
        media_range, *params = (part.strip() for part in element.split(";"))
        kind, slash, subtype = media_range.lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        weight: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                weight = float(value) if _QVALUE.fullmatch(value) else None
        if weight is not None:
            ranges.append((kind, subtype, weight))
    best: tuple[float, str] | None = None
    for form, media_type in _FORMS:
        kind, _, subtype = media_type.partition("/")
        specificity, weight = -1, 0.0
        for r_kind, r_subtype, r_weight in ranges:
            rank = (2 if (r_kind, r_subtype) == (kind, subtype) else 1 if (r_kind, r_subtype) == (kind, "*")
                    else 0 if (r_kind, r_subtype) == ("*", "*") else -1)
            if rank > specificity or (rank == specificity and rank >= 0 and r_weight > weight):
                specificity, weight = rank, r_weight
        if specificity >= 0 and weight > 0 and (best is None or weight > best[0]):
            best = (weight, form)
    return None if best is None else best[1]
