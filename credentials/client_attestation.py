"""OAuth 2.0 Attestation-Based Client Authentication (draft-10), as OpenID4VCI App. E and HAIP use it.

A wallet proves to an issuer's authorization server that it is an instance of a wallet solution
whose provider is on the registry's *wallet providers* list (standards §9.2, HAIP §9.2):

* the **Client Attestation** (``OAuth-Client-Attestation`` header): ``typ
  oauth-client-attestation+jwt``, signed by the wallet provider with ``x5c``; ``sub`` is the
  wallet solution's client_id (shared by all its instances, so no unique instance id), ``exp``,
  ``cnf.jwk`` the instance key, and the OpenID4VCI extras ``wallet_name``, ``wallet_link``;
* the **PoP** (``OAuth-Client-Attestation-PoP`` header): ``typ oauth-client-attestation-pop+jwt``,
  signed by that instance key, with ``aud`` (the authorization server's issuer identifier),
  ``jti`` and ``iat``.

:func:`attest` and :func:`proof_of_possession` are the wallet provider's and the wallet's halves;
:func:`verify` is the authorization server's. Whether a PoP ``jti`` was seen before is the
caller's state (the result carries it). Failures are :class:`ProtocolError` with the draft's
codes: ``use_fresh_attestation`` for an expired attestation, ``invalid_client`` otherwise.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import Certificate

from credentials import trust_list
from credentials.errors import CredentialError, ProtocolError
from credentials.jose import PrivateKey, decode_jws, public_jwk, public_key_from_jwk, sign_jws, verify_jws
from credentials.x509 import load_x5c, x5c_header

__all__ = [
    "ATTESTATION_HEADER",
    "AUTH_METHOD",
    "CHALLENGE_HEADER",
    "POP_HEADER",
    "POP_TYP",
    "TYP",
    "AttestedClient",
    "attest",
    "proof_of_possession",
    "provider_signed",
    "verify",
]

TYP = "oauth-client-attestation+jwt"
POP_TYP = "oauth-client-attestation-pop+jwt"
ATTESTATION_HEADER = "OAuth-Client-Attestation"
POP_HEADER = "OAuth-Client-Attestation-PoP"
#: Response header with a fresh challenge (draft-10 §8), sent with ``use_attestation_challenge``.
CHALLENGE_HEADER = "OAuth-Client-Attestation-Challenge"
#: RFC 7591 token endpoint authentication method name (draft-10 §13.4).
AUTH_METHOD = "attest_jwt_client_auth"
_MAX_BYTES = 8192  # both travel as HTTP headers (draft-10 "Web Server Default Maximum HTTP Header Sizes")


@dataclass(frozen=True, slots=True)
class AttestedClient:
    """A client instance whose attestation and PoP passed :func:`verify`."""

    client_id: str  # the attestation's sub: the wallet solution, the same for all its instances
    provider_id: str  # the registry entity that signed the attestation
    provider_name: str
    wallet_name: str | None
    instance_jwk: dict[str, Any]
    pop_jti: str  # the caller refuses a PoP it has seen (replay)
    expires: int
    #: The server-provided challenge the PoP carries (draft-10 §8), for the caller to check and spend.
    challenge: str | None = None


def attest(provider_key: PrivateKey, x5c: Sequence[Certificate], *, client_id: str,
           instance_key: ec.EllipticCurvePublicKey, iat: int, lifetime: int, wallet_name: str | None = None,
           wallet_link: str | None = None) -> str:
    """The wallet provider's Client Attestation for one instance key (OpenID4VCI App. E.1)."""
    payload: dict[str, Any] = {"sub": client_id, "iat": iat, "exp": iat + lifetime,
                               "cnf": {"jwk": public_jwk(instance_key)}}
    if wallet_name:
        payload["wallet_name"] = wallet_name
    if wallet_link:
        payload["wallet_link"] = wallet_link
    return sign_jws({"typ": TYP, "x5c": x5c_header(x5c)}, payload, provider_key)


def proof_of_possession(instance_key: PrivateKey, *, audience: str, iat: int, challenge: str | None = None) -> str:
    """The instance's PoP for one request to the authorization server ``audience`` (draft-10 §5.2)."""
    payload: dict[str, Any] = {"aud": audience, "jti": secrets.token_urlsafe(16), "iat": iat}
    if challenge is not None:
        payload["challenge"] = challenge
    return sign_jws({"typ": POP_TYP}, payload, instance_key)


def provider_signed(token: str, *, typ: str, what: str, providers: trust_list.TrustList, now: datetime,
                    algorithms: Collection[str], error: Callable[[str], ProtocolError], max_bytes: int = _MAX_BYTES,
                    ) -> tuple[trust_list.ListedEntity, dict[str, Any]]:
    """A JWT of ``typ`` signed with an ``x5c`` chaining to a wallet provider on ``providers`` that is
    active now: its entity and claims. Shared by client and key attestations (HAIP §9.2, §9.3)."""
    try:
        parsed = decode_jws(token, max_bytes=max_bytes)
    except CredentialError as exc:
        raise error(f"the {what} is not a JWT: {exc.message}") from exc
    if parsed.header.get("typ") != typ:
        raise error(f"the {what} typ must be {typ}")
    try:
        chain = load_x5c(parsed.header.get("x5c"))  # type: ignore[arg-type]
        entity = trust_list.authorised_wallet_provider(providers, chain, at=now)
        verify_jws(parsed, chain[0].public_key(), algorithms=algorithms)  # type: ignore[arg-type]
    except CredentialError as exc:
        raise error(f"the {what} is not from a listed wallet provider: {exc.message}") from exc
    return entity, parsed.payload


def _invalid(description: str) -> ProtocolError:
    return ProtocolError("invalid_client", description, http_status=401)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def verify(attestation: str | None, pop: str | None, *, providers: trust_list.TrustList, audience: str,
           now: datetime, max_pop_age: int = 300, skew: int = 60,
           algorithms: Collection[str] = ("ES256",)) -> AttestedClient:
    """Check both headers of one request (draft-10 §5.1-§5.3, §6.1; HAIP §9.2).

    The attestation's ``x5c`` must chain to a CA of an entity on ``providers`` (the registry's
    wallet providers list) that holds the wallet provider role and is active now; the list, not the
    token, decides whom to trust. The algorithm comes from our policy, never from the headers.
    """
    for name, value in ((ATTESTATION_HEADER, attestation), (POP_HEADER, pop)):
        if not isinstance(value, str) or not value or len(value) > _MAX_BYTES or "," in value:
            raise _invalid(f"exactly one {name} header is required")
    assert attestation is not None and pop is not None
    try:
        proof = decode_jws(pop, max_bytes=_MAX_BYTES)
    except CredentialError as exc:
        raise _invalid(f"the client attestation PoP is not a JWT: {exc.message}") from exc
    entity, claims = provider_signed(attestation, typ=TYP, what="client attestation", providers=providers, now=now,
                                     algorithms=algorithms, error=_invalid)
    sub, exp, iat = claims.get("sub"), _int(claims.get("exp")), claims.get("iat")
    if not isinstance(sub, str) or not sub:
        raise _invalid("the client attestation has no sub (client_id)")
    if exp is None:
        raise _invalid("the client attestation has no exp")
    ts = now.timestamp()
    if iat is not None and (_int(iat) is None or iat > ts + skew):
        raise _invalid("the client attestation iat is not a past NumericDate")
    if exp <= ts - skew:
        raise ProtocolError("use_fresh_attestation", "the client attestation has expired")
    cnf = claims.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, Mapping) else None
    if not isinstance(jwk, dict) or "d" in jwk:
        raise _invalid("the client attestation must hold the instance's public key in cnf.jwk")
    if proof.header.get("typ") != POP_TYP:
        raise _invalid(f"the client attestation PoP typ must be {POP_TYP}")
    try:
        verify_jws(proof, public_key_from_jwk(jwk), algorithms=algorithms)
    except CredentialError as exc:
        raise _invalid("the client attestation PoP is not signed by the attested instance key") from exc
    body = proof.payload
    if body.get("aud") != audience:
        raise _invalid("the client attestation PoP is for another authorization server")
    jti, pop_iat = body.get("jti"), _int(body.get("iat"))
    if not isinstance(jti, str) or not 8 <= len(jti) <= 256:
        raise _invalid("the client attestation PoP needs a jti")
    if pop_iat is None or pop_iat > ts + skew or pop_iat < ts - max_pop_age - skew:
        raise _invalid("the client attestation PoP iat is missing or outside the accepted window")
    wallet_name, challenge = claims.get("wallet_name"), body.get("challenge")
    if challenge is not None and (not isinstance(challenge, str) or not 0 < len(challenge) <= 256):
        raise _invalid("the client attestation PoP challenge must be a string")
    return AttestedClient(client_id=sub, provider_id=entity.id, provider_name=entity.name_en,
                          wallet_name=wallet_name if isinstance(wallet_name, str) else None, instance_jwk=jwk,
                          pop_jti=jti, expires=exp, challenge=challenge)
