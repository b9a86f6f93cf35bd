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
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

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
    "verify_jws_hashing",
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
_CRV_SIZES = {crv: (curve.key_size + 7) // 8 for crv, curve in _CRV_NAMES.items()}  # coordinate bytes
_CURVE_TO_CRV = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
_B64URL_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# The value of each byte as a base64url character (0 for the others, refused later), to read the
# bits a last partial group leaves unused.
_B64URL_VALUE = bytes(_B64URL_CHARS.find(b) if b in _B64URL_CHARS else 0 for b in range(256))
# Unused low bits of the last character, by length mod 4: only 2 and 3 leave some (RFC 4648 §3.5).
_UNUSED_BITS = (0, 0, 0x0F, 0x03)
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
# The short decoder's one pass: each base64url byte to its standard-alphabet byte ("-" and "_" to
# "+" and "/"), every other byte ("+", "/" and "=" among them) to "!", which a2b_base64 would skip
# and is therefore looked for. A fixed table: no deletion table is built on every call.
_TO_STANDARD = bytes(b if b in _B64URL_CHARS else ord("!") for b in range(256)).translate(_FROM_URLSAFE)
_PADDING = (b"", b"", b"==", b"=")  # by length mod 4; 1 is refused before
# Bytes looked for as ints: ``b"!" in data`` first tries the needle as an int, and raises and clears
# a TypeError (a formatted message) before it searches.
_BANG, _EQUALS, _PLUS, _SLASH = b"!=+/"
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
    tail = len(raw) % 4
    if tail > 1 and _B64URL_VALUE[raw[-1]] & _UNUSED_BITS[tail]:
        raise MalformedError("not base64url: the unused bits of the last character are not zero")
    try:
        if len(raw) < _SIMD_FROM:
            standard = raw.translate(_TO_STANDARD)
            if _BANG in standard or tail == 1:
                raise MalformedError("not base64url")
            return binascii.a2b_base64(standard + _PADDING[tail])
        # pybase64 validates the alphabet and padding; "+", "/" and "=" it would still let through.
        if _EQUALS in raw or _PLUS in raw or _SLASH in raw or tail == 1:
            raise MalformedError("not base64url")
        return pybase64.b64decode(raw + _PADDING[tail], altchars=b"-_", validate=True)
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


# The curve classes are ABCs: isinstance on them costs more than a signature's framing, so the exact
# class is looked up first (pyca's keys hold exactly these), isinstance being the fallback.
_ALG_BY_CURVE: dict[type[ec.EllipticCurve], str] = {curve: alg for alg, (curve, _, _) in _EC_ALGS.items()}


def _alg_for_key(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> str:
    curve = key.curve
    alg = _ALG_BY_CURVE.get(type(curve))
    if alg is not None:
        return alg
    for alg, (curve_cls, _, _) in _EC_ALGS.items():
        if isinstance(curve, curve_cls):
            return alg
    raise AlgorithmError(f"unsupported curve {curve.name}")


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
    if type(jwk) is not dict and not isinstance(jwk, Mapping):  # the exact type first: no ABC check
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
    size = _CRV_SIZES[crv]
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


def _der_integer(value: bytes) -> bytes:
    """The content of a DER INTEGER (X.690 §8.3) for an unsigned big-endian number: no leading zero
    byte unless the next one has its high bit set, where a zero byte keeps the number positive."""
    value = value.lstrip(b"\0") or b"\0"
    return b"\0" + value if value[0] & 0x80 else value


def _der_signature(signature: bytes, size: int) -> bytes:
    """Raw ``r || s`` as the DER ``ECDSA-Sig-Value`` OpenSSL verifies (RFC 3279 §2.2.3), byte for byte
    what ``encode_dss_signature`` makes, without going through Python integers. At most 67 bytes per
    INTEGER (P-521), so a one-byte length, and a body under 256 bytes (long form ``81``)."""
    r, s = _der_integer(signature[:size]), _der_integer(signature[size:])
    body = b"\x02%c%s\x02%c%s" % (len(r), r, len(s), s)
    return (b"\x30%c" % len(body) if len(body) < 0x80 else b"\x30\x81%c" % len(body)) + body


def verify_raw(key: PublicKey, alg: str, message: bytes, signature: bytes, *, prehashed: bool = False) -> None:
    """Check a raw ``r || s`` signature; raises IssuerSignatureError. Caller has vetted ``alg``.

    ``prehashed``: ``message`` is the digest, under ``alg``'s hash, of the signed bytes."""
    if alg not in _EC_ALGS:
        raise AlgorithmError(f"algorithm {alg!r} is not supported")
    curve, _, size = _EC_ALGS[alg]
    key_curve = key.curve
    if type(key_curve) is not curve and not isinstance(key_curve, curve):  # the exact class first (an ABC)
        raise AlgorithmError(f"{alg} does not match the key's curve")
    if len(signature) != 2 * size:
        raise IssuerSignatureError("signature has the wrong length")
    der = _der_signature(signature, size)
    try:
        key.verify(der, message, (_ECDSA_PREHASHED if prehashed else _ECDSA)[alg])
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


# Protected Header segment -> its parsed JSON. Every credential of one document signer carries the
# same header (alg, typ and its x5c chain, the largest part to decode and parse), and so does every
# KB-JWT. Each caller gets its own copy (:func:`_json_copy`), so no caller ever shares (or could
# alter) another's objects, or the cached one. An entry is found by the segment's length and last
# characters, and used only when the whole segment equals the token's first ``end`` characters
# (one comparison, without slicing or hashing the segment): a look-alike is a miss, never a hit.
_HEADERS: dict[tuple[int, str], tuple[str, dict[str, Any], tuple[str, ...]]] = {}
_HEADER_CACHE_MAX = 8192  # a chain of three certificates; a larger header is parsed but not kept
_HEADER_KEY_CHARS = 16


def _json_copy(obj: Any) -> Any:
    """A copy of parsed JSON (exact dicts, lists and immutable scalars) sharing no container."""
    if type(obj) is dict:
        return {k: _json_copy(v) if type(v) in _JSON_CONTAINERS else v for k, v in obj.items()}
    if type(obj) is list:
        return [_json_copy(v) if type(v) in _JSON_CONTAINERS else v for v in obj]
    return obj


def _parse_header(token: str, end: int) -> Any:
    """The JSON of the header segment ``token[:end]`` (RFC 7515 §5.2 steps 2-4)."""
    key = (end, token[max(0, end - _HEADER_KEY_CHARS):end])
    hit = _HEADERS.get(key)
    if hit is not None and token.startswith(hit[0]):  # the key's length: the same segment, exactly
        segment, template, nested = hit
        header = dict(template)
        for name in nested:  # x5c, a jwk: copied too; the strings and numbers are immutable
            header[name] = _json_copy(header[name])
        return header
    segment = token[:end]
    header = parse_json(b64url_decode(segment))
    if type(header) is dict and end <= _HEADER_CACHE_MAX:
        if len(_HEADERS) >= 256:
            _HEADERS.clear()
        nested = tuple(name for name, value in header.items() if type(value) in _JSON_CONTAINERS)
        _HEADERS[key] = (segment, _json_copy(header), nested)
    return header


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
    # find, not split: the dots are looked for in C (memchr) and no list of parts is made.
    first = token.find(".")
    second = token.find(".", first + 1) if first >= 0 else -1
    if second < 0 or token.find(".", second + 1) >= 0:
        raise MalformedError("JWS must have three parts")
    try:
        raw = token.encode("ascii")  # once: the signing input, payload and signature are its slices
    except UnicodeEncodeError as exc:
        raise MalformedError("JWS is not ASCII") from exc
    header = _parse_header(token, first)
    payload = parse_json(b64url_decode(raw[first + 1 : second]), max_bytes=max_bytes)
    signature = b64url_decode(raw[second + 1 :])
    signing_input = raw[:second]
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
    alg = _allowed_alg(parsed, algorithms, typ)
    try:
        verify_raw(key, alg, parsed.signing_input, parsed.signature)
    except IssuerSignatureError as exc:
        raise error(exc.message) from exc
    return parsed


def verify_jws_hashing(
    jws: UnverifiedJWS,
    key: PublicKey,
    *,
    algorithms: Collection[str],
    error: type[CredentialError] = IssuerSignatureError,
) -> hashlib._Hash:
    """:func:`verify_jws`, the signing input hashed here (under the hash of the allowed ``alg``) rather
    than inside OpenSSL, and that hash returned unfinished: for a caller whose own digest covers a
    text that starts with the signing input, which is then hashed once, not twice (RFC 9901 §4.3.1:
    ``sd_hash`` covers the issuer-signed JWT and the Disclosures after it)."""
    alg = _allowed_alg(jws, algorithms, None)
    state = _HASHLIB[alg](jws.signing_input)
    try:
        verify_raw(key, alg, state.digest(), jws.signature, prehashed=True)
    except IssuerSignatureError as exc:
        raise error(exc.message) from exc
    return state


def _allowed_alg(parsed: UnverifiedJWS, algorithms: Collection[str], typ: str | Collection[str] | None) -> str:
    """The header's ``alg`` if the caller's policy allows it (RFC 8725 §3.1), and ``typ`` if asked (§3.11)."""
    alg = parsed.header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms or alg not in _EC_ALGS:
        raise AlgorithmError(f"algorithm {alg!r} is not allowed")
    if typ is not None:
        allowed_typ = {typ} if isinstance(typ, str) else set(typ)
        if parsed.header.get("typ") not in allowed_typ:
            raise MalformedError(f"typ must be one of {sorted(allowed_typ)}")
    return alg
