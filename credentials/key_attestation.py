"""Key attestations, OpenID4VCI 1.0 Appendix D (HAIP §9.3: wallets must support them).

A wallet provider states in a ``key-attestation+jwt`` (signed with ``x5c``) that the keys in
``attested_keys`` live in its wallet's key storage, how well that storage resists attack
(``key_storage``) and how the user unlocks them (``user_authentication``), each as ISO/IEC 18045
attack potential levels. A wallet puts it in the ``key_attestation`` header of its ``jwt`` key
proofs (App. F.1), or sends it alone as an ``attestation`` proof (App. F.3); either way its
``nonce`` is the issuer's ``c_nonce``. HAIP asks that one attestation cover every key of a batch.

:func:`attest` is the provider's half; :func:`verify` the issuer's: the signer must be a wallet
provider on the registry's list, active now (the same trust as wallet attestations), the JWT
unexpired, and the levels acceptable to the issuer's policy. Failures are ``invalid_proof``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.x509 import Certificate

from credentials import trust_list
from credentials.client_attestation import provider_signed
from credentials.errors import CredentialError, ProtocolError
from credentials.jose import PrivateKey, PublicKey, jwk_thumbprint, public_jwk, public_key_from_jwk, sign_jws
from credentials.x509 import x5c_header

__all__ = ["LEVELS", "TYP", "AttestedKeys", "KeyAttestationPolicy", "attest", "verify"]

TYP = "key-attestation+jwt"
#: App. D.2 attack potential resistance, strongest first.
LEVELS = ("iso_18045_high", "iso_18045_moderate", "iso_18045_enhanced-basic", "iso_18045_basic")
_MAX_KEYS = 20  # a batch: our issuer's batch_size is at most this


@dataclass(frozen=True, slots=True)
class KeyAttestationPolicy:
    """What an issuer accepts (``key_attestations_required`` in its metadata, §12.2.4): at least one
    of the attested ``key_storage`` and ``user_authentication`` levels must be among these."""

    key_storage: tuple[str, ...] = LEVELS
    user_authentication: tuple[str, ...] = LEVELS

    def to_metadata(self) -> dict[str, list[str]]:
        return {"key_storage": list(self.key_storage), "user_authentication": list(self.user_authentication)}


@dataclass(frozen=True, slots=True)
class AttestedKeys:
    thumbprints: frozenset[str]  # RFC 7638 thumbprints of the attested keys
    key_storage: tuple[str, ...]
    user_authentication: tuple[str, ...]
    provider_id: str
    provider_name: str
    #: The attested public keys (kty, crv, x, y), in the attestation's order.
    keys: tuple[dict[str, str], ...] = ()
    #: The issuer's ``c_nonce`` the attestation was made for (App. D.1, F.1, F.3), if any.
    nonce: str | None = None


def attest(provider_key: PrivateKey, x5c: Sequence[Certificate], *, keys: Sequence[PublicKey], iat: int,
           lifetime: int, key_storage: Sequence[str], user_authentication: Sequence[str],
           nonce: str | None = None) -> str:
    """The wallet provider's key attestation over ``keys`` (App. D.1)."""
    payload: dict[str, Any] = {"iat": iat, "exp": iat + lifetime, "attested_keys": [public_jwk(k) for k in keys],
                               "key_storage": list(key_storage), "user_authentication": list(user_authentication)}
    if nonce is not None:
        payload["nonce"] = nonce
    return sign_jws({"typ": TYP, "x5c": x5c_header(x5c)}, payload, provider_key)


def _invalid(description: str) -> ProtocolError:
    return ProtocolError("invalid_proof", description)


def _levels(claims: dict[str, Any], name: str) -> tuple[str, ...]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(f"the key attestation's {name} must be an array of strings")
    return tuple(value)


def verify(token: str, *, providers: trust_list.TrustList, now: datetime, policy: KeyAttestationPolicy,
           skew: int = 60, algorithms: Collection[str] = ("ES256",)) -> AttestedKeys:
    """App. D checks of a key attestation, and our ``policy`` on its levels."""
    entity, claims = provider_signed(token, typ=TYP, what="key attestation", providers=providers, now=now,
                                     algorithms=algorithms, error=_invalid, max_bytes=12 * 1024)
    iat, exp = claims.get("iat"), claims.get("exp")
    ts = now.timestamp()
    if not isinstance(iat, int) or isinstance(iat, bool) or iat > ts + skew:
        raise _invalid("the key attestation iat is missing or in the future")
    if not isinstance(exp, int) or isinstance(exp, bool) or exp <= ts - skew:
        raise _invalid("the key attestation has expired (App. D: exp is required with a jwt proof)")
    keys = claims.get("attested_keys")
    if not isinstance(keys, list) or not 0 < len(keys) <= _MAX_KEYS:
        raise _invalid(f"the key attestation must attest 1 to {_MAX_KEYS} keys")
    thumbprints = set()
    public: list[dict[str, str]] = []
    for jwk in keys:
        if not isinstance(jwk, dict) or "d" in jwk:
            raise _invalid("an attested key must be a public JWK")
        try:
            public.append(public_jwk(public_key_from_jwk(jwk)))
            thumbprints.add(jwk_thumbprint(jwk))
        except (CredentialError, KeyError) as exc:
            raise _invalid("an attested key is not a valid EC public key") from exc
    if len(thumbprints) != len(public):
        raise _invalid("the key attestation attests the same key twice")
    nonce = claims.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise _invalid("the key attestation nonce must be a string")
    key_storage, user_authentication = _levels(claims, "key_storage"), _levels(claims, "user_authentication")
    if not set(key_storage) & set(policy.key_storage):
        raise _invalid("the wallet's key storage does not meet this issuer's requirement")
    if not set(user_authentication) & set(policy.user_authentication):
        raise _invalid("the wallet's user authentication does not meet this issuer's requirement")
    return AttestedKeys(frozenset(thumbprints), key_storage, user_authentication, entity.id, entity.name_en,
                        tuple(public), nonce)
