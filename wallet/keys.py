"""Holder keys: one fresh P-256 key per credential, generated here and never sent anywhere.

HAIP 1.0 §7 fixes ES256 on P-256. Only the public JWK leaves the wallet (in the OpenID4VCI proof
and, through the issuer, in the credential's ``cnf``); the private key is serialised only into
the encrypted store (:mod:`wallet.store`), as unencrypted PKCS#8 PEM *inside* that AES-GCM
envelope, so no second passphrase is needed.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from credentials.errors import MalformedError
from credentials.jose import PrivateKey, generate_key, jwk_thumbprint, public_jwk

__all__ = ["key_to_pem", "load_key", "new_key", "thumbprint"]


def new_key() -> PrivateKey:
    """A fresh P-256 holder key (one per credential, one per copy of a batch)."""
    return generate_key()


def key_to_pem(key: PrivateKey) -> str:
    """PKCS#8 PEM for the encrypted store only."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def load_key(pem: str) -> PrivateKey:
    """Load a key written by :func:`key_to_pem`; anything but a P-256 key is refused."""
    try:
        key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError) as exc:
        raise MalformedError("stored holder key is damaged") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise MalformedError("stored holder key is not a P-256 key")
    return key


def thumbprint(key: PrivateKey) -> str:
    """RFC 7638 thumbprint of the public key: how ``cnf.jwk`` is matched to our key."""
    return jwk_thumbprint(public_jwk(key))
