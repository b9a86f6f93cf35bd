"""The reference wallet's provider: it attests wallet instances and their keys to issuers
(HAIP §9.2, §9.3; OpenID4VCI App. D and E).

A wallet provider vouches that a key lives in a genuine instance of its wallet solution; issuers
accept the attestation when the provider is on the registry's wallet providers list. A phone
wallet's provider checks the device (key storage, app integrity) before it signs; the reference
wallet runs as a service its operator controls, so the provider's signing key and chain come from
the service's PKI directory (the ``signer`` of the provider entity).

Every attestation covers a fresh instance key made for one token request: attestations are not
reused across issuers (HAIP §9.2), and the key says nothing that links two issuances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import Certificate

from credentials import client_attestation, key_attestation
from credentials.jose import PrivateKey
from credentials.pki import load_demo_pki

__all__ = ["CLIENT_ID", "WALLET_NAME", "WalletProvider"]

#: The wallet solution's client_id: the ``sub`` of every attestation, the same for all instances.
CLIENT_ID = "esspass-reference-wallet"
WALLET_NAME = "ESSPASS reference wallet"
#: Seconds an attestation is valid; each is used for one token request moments after it is made.
LIFETIME = 600


@dataclass(frozen=True)
class WalletProvider:
    key: PrivateKey
    x5c: list[Certificate]
    #: What the reference wallet's keys honestly reach (OpenID4VCI App. D.2): software keys in a
    #: passphrase-encrypted file, unlocked by that passphrase. A phone wallet with a secure element
    #: would attest more; an issuer asking for more refuses this wallet, as it should.
    key_storage: tuple[str, ...] = ("iso_18045_basic",)
    user_authentication: tuple[str, ...] = ("iso_18045_basic",)
    client_id: str = CLIENT_ID

    def attest(self, instance_key: ec.EllipticCurvePublicKey, now: datetime) -> str:
        """A Client Attestation of ``instance_key`` for one token request."""
        return client_attestation.attest(self.key, self.x5c, client_id=self.client_id, instance_key=instance_key,
                                         iat=int(now.timestamp()), lifetime=LIFETIME, wallet_name=WALLET_NAME)

    def attest_keys(self, keys: Sequence[ec.EllipticCurvePublicKey], now: datetime, nonce: str | None) -> str:
        """A key attestation over all ``keys`` of one batch (App. D.1; HAIP §9.3)."""
        return key_attestation.attest(self.key, self.x5c, keys=keys, iat=int(now.timestamp()), lifetime=LIFETIME,
                                      key_storage=self.key_storage, user_authentication=self.user_authentication,
                                      nonce=nonce)

    @classmethod
    def from_pki(cls, pki_dir: Path, provider_id: str) -> WalletProvider | None:
        """The provider entity's signer in the demo PKI directory, or None when it has none."""
        try:
            pki = load_demo_pki(pki_dir)
        except (FileNotFoundError, ValueError):
            return None
        signer = pki.signers.get(provider_id)
        return cls(signer[0], list(signer[1])) if signer is not None else None
