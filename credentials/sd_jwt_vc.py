"""SD-JWT-based Verifiable Credentials, draft-ietf-oauth-sd-jwt-vc-18, with the HAIP 1.0 §6.1 envelope.

The issuer key is resolved by inline X.509 only ("Issuer Verification Key Discovery and
Validation", x5c in the protected header): the chain must validate to one of the anchors the
caller passes, which come from the trust list, never from the credential. Registered claims
that must never be selectively disclosable are refused both when issuing and when verifying.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeGuard

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import Certificate

from credentials import sd_jwt
from credentials.errors import (
    ClaimError,
    DisclosureError,
    IssuerKeyError,
    MalformedError,
    ValidityError,
    VctError,
)
from credentials.jose import PrivateKey
from credentials.sd_jwt import ClaimPath, KeyBindingPolicy
from credentials.status_list import StatusReference
from credentials.x509 import ChainValidator, ValidatedChain, chain_ended_since, load_x5c, validate_chain, x5c_header

__all__ = [
    "LEGACY_TYP",
    "NEVER_DISCLOSABLE",
    "TYP",
    "VerifiedCredential",
    "issue_vc",
    "verify_vc",
]

TYP = "dc+sd-jwt"
#: Accepted on input only (the media type until November 2024).
LEGACY_TYP = "vc+sd-jwt"
#: "Registered JWT Claims": these MUST NOT be disclosures, nor may anything below them.
NEVER_DISCLOSABLE = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
#: Latest NumericDate accepted (9999-12-31T23:59:59Z), as for the offline credential (compact.MAX_TIME).
MAX_TIME = 253_402_300_799
#: Claims the envelope sets; the credential's own claims may not use these names.
_ENVELOPE = NEVER_DISCLOSABLE | {"iat", "_sd", "_sd_alg"}


@lru_cache(maxsize=64)
def _forbidden_paths(sd_paths: tuple[ClaimPath, ...]) -> tuple[str, ...]:
    # Per credential type (its SD_PATHS), checked once rather than on every credential.
    return tuple(str(p[0]) for p in sd_paths if p and p[0] in NEVER_DISCLOSABLE)


def issue_vc(
    *,
    vct: str,
    claims: Mapping[str, Any],
    sd_paths: Collection[ClaimPath],
    holder_jwk: Mapping[str, Any],
    issuer_key: PrivateKey,
    x5c: Sequence[Certificate],
    iss: str,
    iat: int,
    nbf: int | None,
    exp: int,
    status: StatusReference | None,
    decoys: int = 2,
) -> str:
    """Issue an SD-JWT VC (typ dc+sd-jwt, x5c = signer chain without the trust anchor)."""
    clash = _ENVELOPE.intersection(claims)
    if clash:
        raise ClaimError(f"claims may not set the envelope claims {sorted(clash)}")
    forbidden = _forbidden_paths(tuple(sd_paths))
    if forbidden:
        raise ClaimError(f"{forbidden[0]} must never be selectively disclosable")
    if not x5c:
        raise IssuerKeyError("an SD-JWT VC needs the signer's certificate in x5c")
    payload: dict[str, Any] = {"iss": iss, "iat": iat, "exp": exp, "vct": vct, "cnf": {"jwk": dict(holder_jwk)}}
    if nbf is not None:
        payload["nbf"] = nbf
    if status is not None:
        payload["status"] = status.to_claim()
    payload.update(claims)
    header = {"typ": TYP, "x5c": tuple(x5c_header(x5c))}  # hashable: the signer reuses its encoding
    return sd_jwt.issue(payload, sd_paths=sd_paths, key=issuer_key, header=header, decoys=decoys)


@dataclass(frozen=True, slots=True)
class VerifiedCredential:
    """A verified SD-JWT VC: what the issuer signed, as far as the holder disclosed it."""

    vct: str
    iss: str | None
    claims: dict[str, Any]
    issuer_chain: ValidatedChain
    status: StatusReference | None
    holder_jwk: dict[str, Any] | None
    iat: int
    nbf: int | None
    exp: int | None
    disclosed: tuple[ClaimPath, ...]
    kb: dict[str, Any] | None
    #: Set only with ``verify_vc(allow_expired_signer=True)``: the x5c chain failed at ``now`` because a
    #: certificate of it ended then (this moment), and it validated at the credential's ``iat``
    #: (:func:`credentials.x509.chain_ended_since`); ``issuer_chain`` is the path as it was then.
    signer_expired_at: datetime | None = None


# Key classes seen to be EC public keys. isinstance against the ABC costs more than the rest of
# this check, and every signer certificate's key has the same class (pyca's).
_EC_KEY_TYPES: set[type] = set()


def _is_ec_public_key(key: object) -> TypeGuard[ec.EllipticCurvePublicKey]:
    if type(key) in _EC_KEY_TYPES:
        return True
    if isinstance(key, ec.EllipticCurvePublicKey):
        _EC_KEY_TYPES.add(type(key))
        return True
    return False


def _timestamp(claims: Mapping[str, Any], name: str, *, required: bool) -> int | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise ValidityError(f"the credential has no {name}")
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedError(f"{name} must be an integer NumericDate")
    if not 0 <= value <= MAX_TIME:  # a verifier turns iat into a datetime, which cannot hold these
        raise MalformedError(f"{name} is outside the years 1970 to 9999")
    return value


def verify_vc(
    presentation: str,
    *,
    anchors: Sequence[Certificate],
    now: datetime,
    key_binding: KeyBindingPolicy | None,
    algorithms: Collection[str] = ("ES256",),
    expected_vct: Collection[str] | None = None,
    skew: int = 60,
    chains: ChainValidator | None = None,
    allow_expired_signer: bool = False,
) -> VerifiedCredential:
    """Verify an SD-JWT VC ("Verification and Processing").

    Checks, in order: typ; x5c in the protected header validating to one of ``anchors`` at
    ``now``; the issuer signature with the leaf key; the RFC 9901 §7 processing (and key binding
    when ``key_binding`` is given); no registered claim disclosed; vct; iat/nbf/exp with ``skew``.
    ``chains`` (a :class:`~credentials.x509.ChainValidator`) lets a long-lived verifier reuse chain
    validations.

    ``allow_expired_signer``: a chain that fails at ``now`` only because a certificate of it has
    ended since the credential's ``iat`` (it validates at that ``iat``, :func:`chain_ended_since`) does
    not stop the check: every other check runs as above, at ``now``, and the result says when the
    chain ended (:attr:`VerifiedCredential.signer_expired_at`). A credential issued with an ``exp``
    beyond its signer certificate's end is genuine, but the ``iat`` is the key holder's to choose and
    revocation need not be published after a certificate's end (RFC 5280 §3.3), so the caller must
    not call such a credential valid. Any other chain failure is raised as without it.
    """
    parsed = sd_jwt.parse(presentation)
    header = parsed.issuer_jws.header
    if header.get("typ") not in (TYP, LEGACY_TYP):
        raise MalformedError("an SD-JWT VC must have typ dc+sd-jwt")
    x5c = header.get("x5c")
    if not isinstance(x5c, list) or not x5c:
        raise IssuerKeyError("the issuer's certificate (x5c) is missing from the protected header")

    def validate(at: datetime) -> ValidatedChain:
        return chains(x5c, anchors, now=at) if chains is not None else validate_chain(load_x5c(x5c), anchors, now=at)

    signer_expired_at: datetime | None = None
    claimed_iat: int | None = None
    try:
        chain = validate(now)
    except IssuerKeyError:
        ended = _ended_at_issuance(parsed.issuer_jws.payload, validate, now) if allow_expired_signer else None
        if ended is None:
            raise
        claimed_iat, chain, signer_expired_at = ended
    issuer_key = chain.leaf.public_key()
    if not _is_ec_public_key(issuer_key):
        raise IssuerKeyError("the issuer's certificate does not hold an EC key")
    result = sd_jwt.verify(parsed, issuer_key=issuer_key, algorithms=algorithms, key_binding=key_binding, now=now)
    for path in result.disclosed:
        if path and path[0] in NEVER_DISCLOSABLE:
            raise DisclosureError(f"{path[0]} must never be selectively disclosable")
    claims = result.claims
    vct = claims.get("vct")
    if not isinstance(vct, str) or not vct:
        raise VctError("the credential has no vct")
    if expected_vct is not None and vct not in expected_vct:
        raise VctError(f"credential type {vct} was not expected")
    ts = now.timestamp()
    iat = _timestamp(claims, "iat", required=True)
    nbf = _timestamp(claims, "nbf", required=False)
    exp = _timestamp(claims, "exp", required=False)
    assert iat is not None
    if claimed_iat is not None and iat != claimed_iat:  # the chain was judged at another time than the one signed
        raise IssuerKeyError("the credential's iat is not the one its certificate chain was judged at")
    if iat > ts + skew:
        raise ValidityError("the credential was issued in the future")
    if nbf is not None and nbf > ts + skew:
        raise ValidityError("the credential is not valid yet")
    if exp is not None and exp <= ts - skew:
        raise ValidityError("the credential has expired")
    status = StatusReference.from_claim(claims["status"]) if "status" in claims else None
    cnf = claims.get("cnf")
    holder_jwk = cnf.get("jwk") if isinstance(cnf, dict) and isinstance(cnf.get("jwk"), dict) else None
    iss = claims.get("iss") if isinstance(claims.get("iss"), str) else None
    return VerifiedCredential(
        vct=vct,
        iss=iss,
        claims=claims,
        issuer_chain=chain,
        status=status,
        holder_jwk=holder_jwk,
        iat=iat,
        nbf=nbf,
        exp=exp,
        disclosed=result.disclosed,
        kb=result.kb,
        signer_expired_at=signer_expired_at,
    )


def _ended_at_issuance(payload: Mapping[str, Any], validate: Callable[[datetime], ValidatedChain],
                       now: datetime) -> tuple[int, ValidatedChain, datetime] | None:
    """The issuer JWT's own ``iat`` (not yet verified: the signature is checked next, with the key of
    the chain returned), the chain as it validated then and when it ended, if it failed at ``now``
    only for a certificate's end (:func:`credentials.x509.chain_ended_since`); else None."""
    try:
        iat = _timestamp(payload, "iat", required=True)
    except (ValidityError, MalformedError):
        return None
    assert iat is not None
    ended = chain_ended_since(validate, issued_at=datetime.fromtimestamp(iat, UTC), now=now)
    return None if ended is None else (iat, *ended)
