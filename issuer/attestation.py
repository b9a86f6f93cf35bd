"""The wallet's attestations as this issuer's policy judges them, against the registry's list of
wallet providers (HAIP §9.2: only wallets whose provider is trusted get documents).

* The wallet instance's client attestation at the token and PAR endpoints
  (draft-ietf-oauth-attestation-based-client-auth-10 §6.1).
* Key attestations (OpenID4VCI App. D): in a ``jwt`` key proof's header (App. F.1), or as the
  proof itself, the ``attestation`` proof type (App. F.3).

Each is ``required``, ``optional`` or ``off``. Without the providers list nothing is accepted:
the request is refused as temporarily unavailable (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from credentials import client_attestation, openid4vci, trust_list
from credentials import key_attestation as key_attestation_mod
from credentials.errors import IssuerTrustError, ProtocolError

__all__ = ["POLICIES", "Attestations"]

POLICIES = ("required", "optional", "off")


class Attestations:
    """``client`` and ``keys``: the policy for client and key attestations; ``wallet_providers``
    gives the registry's list at a time; ``key_policy`` says which key storage and user
    authentication levels are accepted."""

    def __init__(self, *, client: str, keys: str,
                 wallet_providers: Callable[[datetime], trust_list.TrustList] | None,
                 key_policy: key_attestation_mod.KeyAttestationPolicy | None = None) -> None:
        if client not in POLICIES or keys not in POLICIES:
            raise ValueError("client_attestation and key_attestation must be required, optional or off")
        if (client != "off" or keys != "off") and wallet_providers is None:
            raise ValueError("checking wallet and key attestations needs the wallet providers list")
        self.client_policy, self.key_policy_name = client, keys
        self.wallet_providers = wallet_providers
        self.key_policy = key_policy or key_attestation_mod.KeyAttestationPolicy()

    def providers(self, now: datetime) -> trust_list.TrustList:
        if self.wallet_providers is None:
            raise ProtocolError("server_error", "no wallet providers list is configured", http_status=500)
        try:
            return self.wallet_providers(now)
        except IssuerTrustError as exc:  # fail closed: no list, no attested wallet
            raise ProtocolError("temporarily_unavailable", "the list of trusted wallet providers cannot be "
                                "obtained now; try again later", http_status=503) from exc

    def client(self, audience: str, attestation: str | None, pop: str | None,
               now: datetime) -> client_attestation.AttestedClient | None:
        """The wallet's attestation-based client authentication (draft-10 §6.1), per our policy."""
        if self.client_policy == "off":
            return None
        if attestation is None and pop is None:
            if self.client_policy == "required":
                raise ProtocolError("invalid_client", "this issuer gives documents only to wallets attested by a "
                                    "wallet provider on the trust list (OAuth-Client-Attestation)", http_status=401)
            return None
        return client_attestation.verify(attestation, pop, providers=self.providers(now), audience=audience, now=now)

    def of_proofs(self, proofs: Sequence[str], now: datetime) -> list[key_attestation_mod.AttestedKeys | None]:
        """Each ``jwt`` proof's key attestation (App. F.1), verified once per distinct attestation."""
        headers = [openid4vci.proof_key_attestation(p) for p in proofs]
        if self.key_policy_name == "off":
            return [None] * len(proofs)
        if self.key_policy_name == "required" and any(h is None for h in headers):
            raise ProtocolError("invalid_proof", "this issuer requires a key attestation (key_attestation header) "
                                "in every key proof")
        if all(h is None for h in headers):
            return [None] * len(proofs)
        providers = self.providers(now)
        checked: dict[str, key_attestation_mod.AttestedKeys] = {}
        for h in headers:
            if h is not None and h not in checked:
                checked[h] = key_attestation_mod.verify(h, providers=providers, now=now, policy=self.key_policy)
        return [checked[h] if h is not None else None for h in headers]

    def proof(self, attestation: str, now: datetime, *, batch_size: int) -> key_attestation_mod.AttestedKeys:
        """An ``attestation`` proof (App. F.3): the provider's key attestation is the proof."""
        if self.key_policy_name == "off":
            raise ProtocolError("invalid_proof", "this issuer takes jwt key proofs only")
        attested = key_attestation_mod.verify(attestation, providers=self.providers(now), now=now,
                                              policy=self.key_policy)
        if len(attested.keys) > batch_size:
            # OpenID4VCI §8.3.1.2: a valid attestation of more keys than batch_size: not an invalid proof.
            raise ProtocolError("invalid_credential_request", f"at most {batch_size} keys per request (batch_size)")
        return attested

    def metadata_levels(self) -> tuple[dict[str, list[str]] | None, dict[str, list[str]] | None]:
        """For each credential configuration (§12.2.4): the ``key_attestations_required`` levels,
        and the levels an ``attestation`` proof is taken at (both ``None`` when not asked/taken)."""
        levels = self.key_policy.to_metadata()
        return (levels if self.key_policy_name == "required" else None,
                levels if self.key_policy_name != "off" else None)
