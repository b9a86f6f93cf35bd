"""COSE_Sign1 with ES256 and EC2 COSE_Key, the subset offline credentials need (RFC 9052, RFC 9053).

``Sig_structure = ["Signature1", protected, external_aad, payload]``; the ES256 signature is the
raw ``r || s`` (RFC 9053 §2.1). Only ``alg`` -7 is accepted, from our policy, never chosen by the
message; the key comes from the caller (resolved by ``kid`` from the trust list).

Header buckets (RFC 9052 §3): "Labels in each of the maps MUST be unique", and "Applications
SHOULD verify that the same label does not occur in both the protected and unprotected header
parameters"; :func:`decode_sign1` refuses either as malformed rather than choosing, so an
unprotected ``x5chain`` or ``kid`` can never stand in for a protected one. ``crit`` (label 2,
§3.1) must be protected, non-empty, and list only labels the caller understands (``understood``)
and that the protected header carries; anything else makes the message invalid.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials.errors import AlgorithmError, CredentialError, IssuerSignatureError, MalformedError
from credentials.jose import PrivateKey, PublicKey, sign_raw, verify_raw

__all__ = ["DECODE_ERRORS", "ES256", "TYP", "UNDERSTOOD", "X5CHAIN", "TagDecoder", "UnverifiedSign1", "cbor_decoder",
           "cose_key", "decode_fault", "decode_sign1", "decoded_sign1", "loads_one", "public_from_cose_key", "sign1",
           "verify_sign1"]

ES256 = -7
ALG, CRIT, KID, TYP, X5CHAIN = 1, 2, 4, 16, 33
#: The header labels acted on somewhere in ESSPASS (``typ`` by the status-list CWT check): the
#: default set a ``crit`` may name (RFC 9052 §3.1). Callers that act on fewer pass their own.
UNDERSTOOD = frozenset({ALG, KID, TYP, X5CHAIN})
TAG_SIGN1 = 18
MAX_BYTES = 8 * 1024
#: ``{1: -7}`` (alg ES256 and nothing else), the protected header of nearly every message we read:
#: taken as these three bytes rather than decoded (:func:`decoded_sign1`).
_ALG_ES256_ONLY = b"\xa1\x01\x26"


#: A cbor2 semantic decoder: the tag's content, decoded, and whether it must be immutable (a map
#: key) -> the value the tagged item stands for.
TagDecoder = Callable[[Any, bool], Any]
#: What cbor2 raises on input it cannot decode (ValueError, TypeError, EOFError from its semantic decoders).
DECODE_ERRORS = (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, EOFError)


def cbor_decoder(stream: IO[bytes], *, tags: Mapping[int, TagDecoder] | None = None) -> cbor2.CBORDecoder:
    """cbor2's decoder as COSE and mdoc structures are read: a map repeating a key, at any depth, is
    refused (RFC 8949 §5.6: not a valid map; RFC 9052 §3: a repeated label "MUST be rejected as
    malformed") where cbor2 would by default keep the last value and another reader the first.

    ``tags``: decoders replacing cbor2's own for those tags, for a structure that reads them its
    own way (mdoc's Mobile Security Object)."""
    return cbor2.CBORDecoder(stream, allow_duplicate_keys=False, semantic_decoders=tags)


def decode_fault(data: bytes, pos: int = 0) -> str:
    """Why the item at ``pos`` of ``data`` failed :func:`cbor_decoder`, for the error message: a
    repeated map key (what a lenient decoder takes) or anything else. Only called on failure."""
    stream = io.BytesIO(data)
    stream.seek(pos)
    try:
        cbor2.CBORDecoder(stream).decode()
    except DECODE_ERRORS:
        return "is not valid CBOR"
    return "repeats a map key"


def loads_one(data: bytes, what: str = "the CBOR input") -> Any:
    """Exactly one well-formed CBOR data item (RFC 8949 §5.1), no map in it repeating a key
    (:func:`cbor_decoder`); MalformedError otherwise.

    cbor2.loads decodes the first item and ignores any bytes after it, so one message would have
    many encodings that all verify; here trailing bytes are refused."""
    stream = io.BytesIO(data)
    try:
        obj = cbor_decoder(stream).decode()
    except DECODE_ERRORS as exc:
        raise MalformedError(f"{what} {decode_fault(data)}") from exc
    if stream.tell() != len(data):
        raise MalformedError(f"{what} has bytes after its CBOR data item")
    return obj


def _sig_structure(protected: bytes, external_aad: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, external_aad, payload])


def sign1(payload: bytes, key: PrivateKey, *, kid: bytes | None = None, external_aad: bytes = b"",
          tagged: bool = True, implicit_alg: bool = False, x5chain: Sequence[bytes] = (),
          detached: bool = False, protected: Mapping[int, Any] | None = None) -> bytes:
    """A COSE_Sign1 (RFC 9052 §4.2) with ``alg`` ES256 protected and ``kid`` unprotected.

    ``tagged`` adds tag 18; ``implicit_alg`` leaves ``alg`` out (empty protected header) where the
    verifier's policy fixes ES256 anyway; both are dropped in QR codes to save space. ``x5chain``
    (DER certificates, leaf first) goes in the unprotected header, label 33 (RFC 9360), as mdoc
    IssuerAuth wants it. ``detached`` signs ``payload`` but sends nil in its place (RFC 9052 §2).
    ``protected`` adds members to the protected header (``typ``, label 16, RFC 9596)."""
    members = {**({} if implicit_alg else {ALG: ES256}), **(protected or {})}
    protected_bytes = cbor2.dumps(members) if members else b""
    unprotected: dict[int, Any] = {KID: kid} if kid is not None else {}
    if x5chain:
        unprotected[X5CHAIN] = x5chain[0] if len(x5chain) == 1 else list(x5chain)
    if members.keys() & unprotected.keys():
        # RFC 9052 §3: decode_sign1 refuses a label in both buckets, so never emit one.
        raise ValueError("a header label cannot be both protected and unprotected")
    signature = sign_raw(key, _sig_structure(protected_bytes, external_aad, payload))
    message = [protected_bytes, unprotected, None if detached else payload, signature]
    return cbor2.dumps(cbor2.CBORTag(TAG_SIGN1, message) if tagged else message)


@dataclass(frozen=True, slots=True)
class UnverifiedSign1:
    """A decoded COSE_Sign1 whose signature has NOT been checked."""

    protected_bytes: bytes
    protected: dict[int, Any]
    unprotected: dict[int, Any]
    payload: bytes | None  # None: detached, the verifier supplies it
    signature: bytes

    def _header(self, label: int) -> Any:
        # RFC 9052 §3: "attributes MUST be obtained from the protected bucket" first. decode_sign1
        # already refuses a label in both buckets; the order still holds if that ever changes.
        return self.protected[label] if label in self.protected else self.unprotected.get(label)

    @property
    def kid(self) -> bytes | None:
        kid = self._header(KID)
        return kid if isinstance(kid, bytes) else None

    @property
    def x5chain(self) -> list[bytes]:
        """The DER certificates of label 33 (leaf first); MalformedError unless bytes or an array of them."""
        value = self._header(X5CHAIN)
        chain = [value] if isinstance(value, bytes) else list(value) if isinstance(value, list | tuple) else []
        if not chain or not all(isinstance(c, bytes) for c in chain):
            raise MalformedError("x5chain (label 33) must hold the signer's DER certificate(s)")
        return chain


def decode_sign1(data: bytes | Any, *, max_bytes: int = MAX_BYTES,
                 understood: Collection[int] = UNDERSTOOD) -> UnverifiedSign1:
    """Decode a COSE_Sign1 (tagged 18 or untagged), strictly; MalformedError otherwise.

    ``understood``: the header labels the caller acts on; a ``crit`` naming any other label makes
    the message invalid (RFC 9052 §3.1)."""
    if isinstance(data, bytes) and len(data) > max_bytes:
        raise MalformedError("COSE message too large")
    obj = loads_one(data, "the COSE message") if isinstance(data, bytes) else data
    return decoded_sign1(obj, understood=understood)


def decoded_sign1(obj: Any, *, understood: Collection[int] = UNDERSTOOD) -> UnverifiedSign1:
    """:func:`decode_sign1` for a COSE_Sign1 (RFC 9052 §4.2) its caller has already decoded from
    CBOR as one part of a larger item: ``obj`` is the decoded value itself, never bytes holding an
    encoding (a byte string there is not a COSE_Sign1)."""
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != TAG_SIGN1:
            raise MalformedError("not a COSE_Sign1")
        obj = obj.value
    if not isinstance(obj, list | tuple) or len(obj) != 4:
        raise MalformedError("a COSE_Sign1 is an array of four items")
    protected_bytes, unprotected, payload, signature = obj
    # cbor2 decodes maps inside a tag as immutable mappings.
    if not isinstance(protected_bytes, bytes) or not isinstance(unprotected, Mapping) \
            or not isinstance(payload, bytes | None) or not isinstance(signature, bytes):
        raise MalformedError("malformed COSE_Sign1 items")
    # The exact bytes are signed: one map and nothing after it, each label once (RFC 9052 §3).
    if protected_bytes == _ALG_ES256_ONLY:
        protected: Any = {ALG: ES256}
    else:
        protected = loads_one(protected_bytes, "the protected header") if protected_bytes else {}
    if not isinstance(protected, Mapping):
        raise MalformedError("the protected header must be a map")
    _check_buckets(protected, unprotected, understood)
    return UnverifiedSign1(protected_bytes, dict(protected), dict(unprotected), payload, signature)


def _check_buckets(protected: Mapping[Any, Any], unprotected: Mapping[Any, Any], understood: Collection[int]) -> None:
    """RFC 9052 §3 (one label, one bucket) and §3.1 (``crit``)."""
    both = protected.keys() & unprotected.keys()
    if both:
        raise MalformedError(f"header label(s) {sorted(map(repr, both))} in both the protected and unprotected "
                             "buckets (RFC 9052 §3)")
    if CRIT in unprotected:
        raise MalformedError("crit must be in the protected header (RFC 9052 §3.1)")
    if CRIT not in protected:
        return
    crit = protected[CRIT]
    # §3.1: "The array MUST have at least one value in it"; labels are int or tstr (§1.4), and a
    # critical label must name a protected parameter, which the caller must then act on.
    if not isinstance(crit, list | tuple) or not crit \
            or not all(isinstance(label, int | str) and not isinstance(label, bool) for label in crit):
        raise MalformedError("crit must be a non-empty array of header labels (RFC 9052 §3.1)")
    for label in crit:
        if label not in understood or label not in protected:
            raise MalformedError(f"critical header label {label!r} is not understood (RFC 9052 §3.1)")


def verify_sign1(msg: UnverifiedSign1, key: PublicKey, *, external_aad: bytes = b"",
                 error: type[CredentialError] = IssuerSignatureError, implicit_alg: bool = False,
                 detached_payload: bytes | None = None) -> bytes:
    """Check ``alg`` is ES256 (protected; or absent when ``implicit_alg``, our policy then says ES256)
    and the signature with ``key``; returns the payload (``detached_payload`` when it was detached)."""
    alg = msg.protected.get(ALG)
    if ALG in msg.unprotected or not (alg == ES256 or (implicit_alg and alg is None)):
        raise AlgorithmError("only ES256 is accepted")
    payload = msg.payload if detached_payload is None else detached_payload
    if payload is None or (msg.payload is not None and detached_payload is not None):
        raise MalformedError("the COSE payload must be either attached or supplied as detached")
    try:
        verify_raw(key, "ES256", _sig_structure(msg.protected_bytes, external_aad, payload), msg.signature)
    except IssuerSignatureError as exc:
        raise error("the COSE signature is not valid") from exc
    return payload


def cose_key(public: PublicKey, *, compressed: bool = False) -> dict[int, Any]:
    """EC2 P-256 COSE_Key ``{1: 2, -1: 1, -2: x, -3: y}``; ``compressed`` puts y's sign bit as a
    bool instead of y (RFC 9053 §7.1.1 point compression), 32 bytes fewer in a QR code."""
    if not isinstance(public, ec.EllipticCurvePublicKey) or not isinstance(public.curve, ec.SECP256R1):
        raise ValueError("only P-256 keys")
    point = public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)  # 04 || x || y
    y: bytes | bool = bool(point[64] & 1) if compressed else point[33:]
    return {1: 2, -1: 1, -2: point[1:33], -3: y}


def public_from_cose_key(key: Mapping[int, Any]) -> ec.EllipticCurvePublicKey:
    """The P-256 public key of an EC2 COSE_Key (RFC 9053 §7.1); its other labels (``kid``, ``alg``...,
    RFC 9052 §7.1) are not acted on."""
    # kty and crv are integers: CBOR true is no 2 or 1, although Python compares True equal to 1.
    if not isinstance(key, Mapping) or type(key.get(1)) is not int or key.get(1) != 2 \
            or type(key.get(-1)) is not int or key.get(-1) != 1:
        raise MalformedError("only EC2 P-256 COSE keys are accepted")
    x, y = key.get(-2), key.get(-3)
    if not isinstance(x, bytes) or len(x) != 32 or not (isinstance(y, bool) or (isinstance(y, bytes) and len(y) == 32)):
        raise MalformedError("malformed COSE key coordinates")
    try:
        if isinstance(y, bool):
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), (b"\x03" if y else b"\x02") + x)
        return ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                             ec.SECP256R1()).public_key()
    except ValueError as exc:
        raise MalformedError("the COSE key is not a point on P-256") from exc
