"""DPoP, RFC 9449: the server side (standards §9.1; HAIP 1.0 requires support).

:func:`verify_proof` is §4.3 "Checking DPoP Proofs" for one request: a ``dpop+jwt`` signed with
the public key in its own ``jwk`` header (never a private key), under our algorithm policy,
for this method and URI (``htu`` without query or fragment, §4.3 item 9), recent ``iat``, and,
with an access token, ``ath`` = base64url(SHA-256(token)) (§4.3 item 11, §7). Whether the
``jti`` was seen before (§11.1) and whether the key is the one the token is bound to (§7.1,
``cnf.jkt``) are the caller's state, so the result carries both values, and so is whether its
``nonce`` is one the server handed out (§8, §9: the error ``use_dpop_nonce`` with a ``DPoP-Nonce``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from credentials.errors import CredentialError, ProtocolError
from credentials.jose import b64url_encode, decode_jws, jwk_thumbprint, public_key_from_jwk, verify_jws

__all__ = ["TYP", "DpopProof", "htu", "verify_proof"]

TYP = "dpop+jwt"
MAX_PROOF_BYTES = 4096


@dataclass(frozen=True, slots=True)
class DpopProof:
    """A proof that passed :func:`verify_proof`."""

    jkt: str  # RFC 7638 thumbprint of the proof key: what a token is bound to
    jti: str  # unique per proof: the caller refuses one it has seen (replay, §11.1)
    iat: int
    nonce: str | None = None  # the server nonce the proof carries (§8, §9); the caller judges it


_DEFAULT_PORTS = {"https": 443, "http": 80}


def htu(url: str) -> str:
    """The ``htu`` of a request URL: scheme, host and path, no query or fragment (§4.2), normalised
    as §4.3 item 9 asks ("servers SHOULD employ syntax-based normalization ... and scheme-based
    normalization", RFC 3986 §6.2.2, §6.2.3): scheme and host in lower case, the scheme's default
    port left out, an empty path as ``/``. Anything unreadable is kept as it is (and so matches nothing
    else)."""
    try:
        parts = urlsplit(url)  # ValueError on a broken IPv6 literal ("http://[::1")
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


def _invalid(description: str) -> ProtocolError:
    return ProtocolError("invalid_dpop_proof", description, http_status=400)


def verify_proof(proof: str | None, *, method: str, url: str, now: datetime, access_token: str | None = None,
                 max_age: int = 300, skew: int = 60, algorithms: Collection[str] = ("ES256",)) -> DpopProof:
    """§4.3 checks of the ``DPoP`` header value for ``method`` ``url``; ProtocolError ``invalid_dpop_proof``."""
    if not isinstance(proof, str) or not proof or len(proof) > MAX_PROOF_BYTES or "," in proof:
        raise _invalid("exactly one DPoP proof JWT is required")
    try:
        parsed = decode_jws(proof)
    except CredentialError as exc:
        raise _invalid(f"the DPoP proof is not a JWT: {exc.message}") from exc
    header, claims = parsed.header, parsed.payload
    if header.get("typ") != TYP:
        raise _invalid(f"the DPoP proof typ must be {TYP}")
    if header.get("alg") not in algorithms:
        raise _invalid("the DPoP proof algorithm is not allowed")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or "d" in jwk:
        raise _invalid("the DPoP proof must carry its public key as jwk")
    try:
        verify_jws(parsed, public_key_from_jwk(jwk), algorithms=algorithms)
        thumbprint = jwk_thumbprint(jwk)
    except (CredentialError, KeyError) as exc:
        raise _invalid("the DPoP proof signature does not verify with its jwk") from exc
    jti, iat = claims.get("jti"), claims.get("iat")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 256:
        raise _invalid("the DPoP proof needs a jti")
    if claims.get("htm") != method:
        raise _invalid("the DPoP proof is for another HTTP method")
    if not isinstance(claims.get("htu"), str) or htu(claims["htu"]) != htu(url):
        raise _invalid("the DPoP proof is for another URL")
    ts = now.timestamp()
    if not isinstance(iat, int) or isinstance(iat, bool) or iat > ts + skew or iat < ts - max_age - skew:
        raise _invalid("the DPoP proof iat is missing or outside the accepted window")
    if access_token is not None:
        expected = b64url_encode(hashlib.sha256(access_token.encode("ascii")).digest())
        ath = claims.get("ath")
        # As bytes: hmac.compare_digest raises TypeError on a str that is not ASCII (the prover chose it).
        if not isinstance(ath, str) or not hmac.compare_digest(ath.encode("utf-8", "surrogatepass"), expected.encode()):
            raise _invalid("the DPoP proof is not for this access token (ath)")
    nonce = claims.get("nonce")
    return DpopProof(thumbprint, jti, iat, nonce if isinstance(nonce, str) and 0 < len(nonce) <= 256 else None)
