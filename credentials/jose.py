"""Compact JWS (RFC 7515) with ES256 (RFC 7518 §3.4), JWK (RFC 7517) and thumbprints (RFC 7638).

The signature maths is pyca/cryptography's; this module only frames it. It exists because the
hot paths (issuing and verifying SD-JWT VCs) need one ES256 operation and nothing more, and
because our policy, not the token, picks the algorithm (RFC 8725 §3.1):
:func:`verify_jws` takes the allowed algorithms as a required argument.

Every parser here enforces a size and a nesting limit before it trusts the input
(:func:`parse_json`); an input over a limit is :class:`MalformedError`, never parsed.

JSON goes through orjson (RFC 8259, UTF-8 in and out): on the issuing and verifying hot paths
the JSON work would otherwise cost as much as the signature itself (benchmarks/bench_core.py).
"""

from __future__ import annotations

import binascii
import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import pybase64
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

from credentials.errors import AlgorithmError, CredentialError, IssuerSignatureError, MalformedError

__all__ = [
    "ES256",
    "MAX_DEPTH",
    "MAX_TOKEN_BYTES",
    "PrivateKey",
    "PublicKey",
    "UnverifiedJWS",
    "b64url_bytes",
    "b64url_decode",
    "b64url_encode",
    "decode_jws",
    "dumps",
    "generate_key",
    "jwk_thumbprint",
    "parse_json",
    "public_jwk",
    "public_key_from_jwk",
    "sign_jws",
    "sign_raw",
    "verify_jws",
    "verify_raw",
]

PrivateKey = ec.EllipticCurvePrivateKey
PublicKey = ec.EllipticCurvePublicKey

ES256 = "ES256"
#: Largest token or JSON document any parser accepts (a PDA1 presentation is 4-7 KB).
MAX_TOKEN_BYTES = 256 * 1024
#: Deepest JSON nesting accepted; real credentials nest 3-4 levels.
MAX_DEPTH = 16

# alg -> (curve, hash, coordinate size). ES256 is the only one our policy enables by default
# (HAIP 1.0 §7); the others are listed so that a policy can opt in without code changes.
_EC_ALGS: dict[str, tuple[type[ec.EllipticCurve], type[hashes.HashAlgorithm], int]] = {
    "ES256": (ec.SECP256R1, hashes.SHA256, 32),
    "ES384": (ec.SECP384R1, hashes.SHA384, 48),
    "ES512": (ec.SECP521R1, hashes.SHA512, 66),
}
# The signature algorithm objects are immutable: made once, not on every signature.
_ECDSA = {alg: ec.ECDSA(hash_cls()) for alg, (_, hash_cls, _) in _EC_ALGS.items()}
_ECDSA_PREHASHED = {alg: ec.ECDSA(Prehashed(hash_cls())) for alg, (_, hash_cls, _) in _EC_ALGS.items()}
_HASHLIB = {"ES256": hashlib.sha256, "ES384": hashlib.sha384, "ES512": hashlib.sha512}
_CRV_NAMES: dict[str, ec.EllipticCurve] = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}
_CURVE_TO_CRV = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
_B64URL_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The value of each base64url character, to read the bits a last partial group leaves unused.
_B64URL_VALUE = {char: value for value, char in enumerate(_B64URL_CHARS)}
# Unused low bits of the last character when the length is 2 or 3 mod 4 (RFC 4648 §3.5).
_UNUSED_BITS = {2: 0x0F, 3: 0x03}
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
# Below this many bytes the standard library's base64 is faster than pybase64 (whose SIMD code
# wins on the payloads and certificates, but costs about a microsecond to call).
_SIMD_FROM = 400


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return b64url_bytes(data).decode("ascii")


def b64url_bytes(data: bytes) -> bytes:
    """base64url without padding, as ASCII bytes (to hash or join without a str round trip)."""
    if len(data) < _SIMD_FROM:
        return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")
    return pybase64.b64encode(data, altchars=b"-_").rstrip(b"=")


def b64url_decode(data: str | bytes) -> bytes:
    """Strict base64url decode: only the URL-safe alphabet, no padding (RFC 7515 §2), and only the
    canonical encoding: the bits a last partial group leaves unused must be zero (RFC 4648 §3.5).
    Decoders ignore them, so otherwise one signature or digest had several texts and a changed
    token (its last character) would still verify."""
    try:
        raw = data.encode("ascii") if isinstance(data, str) else data
    except UnicodeEncodeError as exc:
        raise MalformedError("not base64url") from exc
    unused = _UNUSED_BITS.get(len(raw) % 4)
    if unused is not None and _B64URL_VALUE.get(raw[-1], 0) & unused:
        raise MalformedError("not base64url: the unused bits of the last character are not zero")
    try:
        if len(raw) < _SIMD_FROM:
            if raw.translate(None, _B64URL_CHARS) or len(raw) % 4 == 1:
                raise MalformedError("not base64url")
            return binascii.a2b_base64(raw.translate(_FROM_URLSAFE) + b"=" * (-len(raw) % 4))
        # pybase64 validates the alphabet and padding; "+", "/" and "=" it would still let through.
        if b"=" in raw or b"+" in raw or b"/" in raw or len(raw) % 4 == 1:
            raise MalformedError("not base64url")
        return pybase64.b64decode(raw + b"=" * (-len(raw) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedError("not base64url") from exc


_JSON_CONTAINERS = (dict, list)
# Dates and dataclasses are refused (TypeError), as the standard library would: a credential's
# claims are validated strings and numbers, and an object slipping through must not be guessed at.
_DUMPS_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(obj: Any) -> bytes:
    """Compact JSON as we sign it (UTF-8, no insignificant whitespace); TypeError on anything else."""
    return orjson.dumps(obj, option=_DUMPS_OPTIONS)


def _depth_exceeds(obj: Any, limit: int) -> bool:
    """Is any object or array of ``obj`` (as parsed: exact dicts and lists) nested deeper than ``limit``?"""
    level: list[Any] = [obj] if type(obj) in _JSON_CONTAINERS else []
    depth = 1
    while level:  # breadth first, one level at a time; scalars are never visited
        if depth > limit:
            return True
        below: list[Any] = []
        for node in level:
            values = node.values() if type(node) is dict else node
            below.extend(v for v in values if type(v) in _JSON_CONTAINERS)
        level, depth = below, depth + 1
    return False


def parse_json(data: str | bytes, *, max_bytes: int = MAX_TOKEN_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse untrusted JSON within a size and depth limit; anything else is MalformedError."""
    if len(data) > max_bytes:
        raise MalformedError(f"input larger than {max_bytes} bytes")
    try:
        obj = orjson.loads(data)
    except (orjson.JSONDecodeError, UnicodeEncodeError) as exc:  # lone surrogates in a str input
        raise MalformedError("not valid JSON") from exc
    # Nesting deeper than max_depth needs more than max_depth brackets: counting them (in C) is
    # enough to skip the walk for the small documents on the hot path.
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") > max_depth and _depth_exceeds(obj, max_depth):
        raise MalformedError(f"JSON nested deeper than {max_depth}")
    return obj


def generate_key() -> PrivateKey:
    """A fresh P-256 key (HAIP 1.0 §7)."""
    return ec.generate_private_key(ec.SECP256R1())


def _alg_for_key(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> str:
    for alg, (curve, _, _) in _EC_ALGS.items():
        if isinstance(key.curve, curve):
            return alg
    raise AlgorithmError(f"unsupported curve {key.curve.name}")


def public_jwk(key: PrivateKey | PublicKey) -> dict[str, str]:
    """The public JWK of an EC key (RFC 7518 §6.2.1); never includes ``d``."""
    pub = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    size = _EC_ALGS[_alg_for_key(pub)][2]
    numbers = pub.public_numbers()
    return {
        "kty": "EC",
        "crv": _CURVE_TO_CRV[pub.curve.name],
        "x": b64url_encode(numbers.x.to_bytes(size, "big")),
        "y": b64url_encode(numbers.y.to_bytes(size, "big")),
    }


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKey:
    """Load a public EC JWK. A JWK carrying a private member is refused (OpenID4VCI App. F.4)."""
    if not isinstance(jwk, Mapping):
        raise MalformedError("jwk is not an object")
    if "d" in jwk:
        raise MalformedError("jwk contains a private key")
    crv, x_text, y_text = jwk.get("crv"), jwk.get("x"), jwk.get("y")
    # crv is checked to be a string before the lookup: an array or object there (the JWK comes from
    # an unverified header) is unhashable, which must be a refusal, not a crash.
    if jwk.get("kty") != "EC" or not isinstance(crv, str) or crv not in _CRV_NAMES:
        raise AlgorithmError("only EC keys on P-256, P-384, P-521 are accepted")
    # RFC 7518 §6.2.1.2/3: x and y are base64url strings; str() of a number or array is not one.
    if not isinstance(x_text, str) or not isinstance(y_text, str):
        raise MalformedError("invalid EC JWK: x and y must be base64url strings")
    curve = _CRV_NAMES[crv]
    size = (curve.key_size + 7) // 8
    x, y = b64url_decode(x_text), b64url_decode(y_text)
    if len(x) != size or len(y) != size:  # RFC 7518 §6.2.1.2/3: the full coordinate length
        raise MalformedError("invalid EC JWK: a coordinate has the wrong length")
    try:
        # An uncompressed SEC 1 point; cryptography refuses one that is not on the curve.
        return ec.EllipticCurvePublicKey.from_encoded_point(curve, b"\x04" + x + y)
    except ValueError as exc:
        raise MalformedError("invalid EC JWK: the point is not on the curve") from exc


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint (EC required members, sorted, no whitespace), base64url.

    The members must be strings (RFC 7638 §3.2 hashes the JWK's own member values): one missing or
    of another type is MalformedError."""
    if not isinstance(jwk, Mapping):  # it comes from an unverified header: an array is refused, not a crash
        raise MalformedError("a JWK must be an object")
    required = {k: jwk.get(k) for k in ("crv", "kty", "x", "y")}
    if not all(isinstance(v, str) for v in required.values()):
        raise MalformedError("a JWK thumbprint needs crv, kty, x and y as strings")
    canonical = json.dumps(required, sort_keys=True, separators=(",", ":")).encode()
    return b64url_encode(hashlib.sha256(canonical).digest())


def sign_raw(key: PrivateKey, message: bytes, *, alg: str | None = None) -> bytes:
    """ECDSA over ``message`` as JOSE/COSE want it: raw ``r || s`` (RFC 7518 §3.4).

    ``alg`` is the one the caller already derived from this key (never from a token)."""
    alg = alg or _alg_for_key(key)
    return _raw_signature(key.sign(message, _ECDSA[alg]), _EC_ALGS[alg][2])


def _raw_signature(der: bytes, size: int) -> bytes:
    """OpenSSL's DER ``ECDSA-Sig-Value`` (RFC 3279 §2.2.3) as fixed-size ``r || s``.

    Read by hand because the input is our own signer's output, always well formed, and going
    through integers costs a third of a PDA1's JSON work. A long-form length (P-521) moves
    the first INTEGER by one byte; each INTEGER may carry a sign byte or be shorter than ``size``.
    """
    offset = 4 if der[1] < 0x80 else 5
    r_len = der[offset - 1]
    r = der[offset : offset + r_len]
    s_len = der[offset + r_len + 1]
    s = der[offset + r_len + 2 : offset + r_len + 2 + s_len]
    return r[-size:].rjust(size, b"\0") + s[-size:].rjust(size, b"\0")


def verify_raw(key: PublicKey, alg: str, message: bytes, signature: bytes) -> None:
    """Check a raw ``r || s`` signature; raises IssuerSignatureError. Caller has vetted ``alg``."""
    if alg not in _EC_ALGS:
        raise AlgorithmError(f"algorithm {alg!r} is not supported")
    curve, _, size = _EC_ALGS[alg]
    if not isinstance(key.curve, curve):
        raise AlgorithmError(f"{alg} does not match the key's curve")
    if len(signature) != 2 * size:
        raise IssuerSignatureError("signature has the wrong length")
    der = encode_dss_signature(int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big"))
    try:
        key.verify(der, message, _ECDSA[alg])
    except InvalidSignature as exc:
        raise IssuerSignatureError("signature does not verify") from exc


def sign_jws(header: Mapping[str, Any], payload: Mapping[str, Any] | bytes, key: PrivateKey) -> str:
    """Compact JWS; ``alg`` is set from the key, overriding nothing the caller chose."""
    alg = _alg_for_key(key)
    hdr = {"alg": alg, **header}
    body = b64url_bytes(payload if isinstance(payload, bytes) else dumps(payload))
    try:
        # A caller that passes x5c as a tuple makes the members hashable as they are.
        encoded_header, prefix = _encoded_header(tuple(hdr.items()))
    except TypeError:
        try:
            encoded_header, prefix = _encoded_header(
                tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in hdr.items()))
        except TypeError:  # an unhashable member (a JWK): encode it each time
            encoded_header = b64url_bytes(dumps(hdr))
            prefix = _HASHLIB[alg](b"%s." % encoded_header)
    digest = prefix.copy()
    digest.update(body)
    der = key.sign(digest.digest(), _ECDSA_PREHASHED[alg])
    signature = b64url_bytes(_raw_signature(der, _EC_ALGS[alg][2]))
    return (b"%s.%s.%s" % (encoded_header, body, signature)).decode("ascii")


# Protected Header segment -> its JSON. Every credential of one document signer carries the same
# header (alg, typ and its x5c chain, the largest part to decode), and so does every KB-JWT. The
# JSON is parsed again each time, so no caller ever shares (or could alter) another's objects.
_HEADERS: dict[str, bytes] = {}
_HEADER_CACHE_MAX = 8192  # a chain of three certificates; a larger header is decoded but not kept


def _parse_header(segment: str) -> Any:
    raw = _HEADERS.get(segment)
    if raw is None:
        raw = b64url_decode(segment)
        if len(segment) <= _HEADER_CACHE_MAX:
            if len(_HEADERS) >= 256:
                _HEADERS.clear()
            _HEADERS[segment] = raw
    return parse_json(raw)


@lru_cache(maxsize=64)
def _encoded_header(members: tuple[tuple[str, Any], ...]) -> tuple[bytes, Any]:
    # An issuer signs every credential under the same header (alg, typ, its x5c chain), whose
    # certificates make it the largest part to encode, and the largest part of the signing input
    # to hash: the hash state after "<header>." is kept and copied for each signature.
    encoded = b64url_bytes(dumps(dict(members)))
    return encoded, _HASHLIB[dict(members)["alg"]](b"%s." % encoded)


@dataclass(frozen=True, slots=True)
class UnverifiedJWS:
    """A parsed compact JWS whose signature has NOT been checked. Do not trust its contents."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def decode_jws(token: str, *, max_bytes: int = MAX_TOKEN_BYTES) -> UnverifiedJWS:
    """Split and parse a compact JWS without verifying it (RFC 7515 §5.2 steps 1-7)."""
    if not isinstance(token, str):
        raise MalformedError("JWS is not a string")
    if len(token) > max_bytes:
        raise MalformedError(f"JWS larger than {max_bytes} bytes")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedError("JWS must have three parts")
    try:
        header = _parse_header(parts[0])
        payload = parse_json(b64url_decode(parts[1]), max_bytes=max_bytes)
        signature = b64url_decode(parts[2])
        signing_input = token[: len(parts[0]) + 1 + len(parts[1])].encode("ascii")
    except UnicodeEncodeError as exc:
        raise MalformedError("JWS is not ASCII") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise MalformedError("JWS header and payload must be JSON objects")
    if "crit" in header:
        # RFC 7515 §4.1.11: we understand no extensions, so any crit makes the JWS invalid.
        raise MalformedError("JWS has critical header parameters we do not understand")
    return UnverifiedJWS(header, payload, signing_input, signature)


def verify_jws(
    jws: UnverifiedJWS | str,
    key: PublicKey,
    *,
    algorithms: Collection[str],
    typ: str | Collection[str] | None = None,
    error: type[CredentialError] = IssuerSignatureError,
) -> UnverifiedJWS:
    """Verify a compact JWS with ``key`` under the caller's algorithm allow-list.

    ``typ`` (explicit typing, RFC 8725 §3.11) is checked when given. Signature failures are
    raised as ``error`` so that each caller reports its own code (issuer_signature, kb_signature).
    Returns the same object, now verified.
    """
    parsed = decode_jws(jws) if isinstance(jws, str) else jws
    alg = parsed.header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms or alg not in _EC_ALGS:
        raise AlgorithmError(f"algorithm {alg!r} is not allowed")
    if typ is not None:
        allowed_typ = {typ} if isinstance(typ, str) else set(typ)
        if parsed.header.get("typ") not in allowed_typ:
            raise MalformedError(f"typ must be one of {sorted(allowed_typ)}")
    try:
        verify_raw(key, alg, parsed.signing_input, parsed.signature)
    except IssuerSignatureError as exc:
        raise error(exc.message) from exc
    return parsed
