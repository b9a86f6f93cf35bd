"""Key attestations (OpenID4VCI 1.0 App. D; HAIP §9.3): the issuer's checks, one per rule or attack."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from credentials import key_attestation
from credentials.errors import ProtocolError
from credentials.jose import generate_key, jwk_thumbprint, public_jwk, sign_jws
from credentials.pki import DemoPki
from credentials.trust_list import ACTIVE, CA, ListedCertificate, ListedEntity, StatusPeriod, TrustList
from credentials.x509 import x5c_header

PROVIDER = "LV:ESSPASS-WALLET"
NOW = datetime.now(UTC).replace(microsecond=0)
TS = int(NOW.timestamp())
ANY = key_attestation.KeyAttestationPolicy()


def _providers(pki: DemoPki) -> TrustList:
    ca = pki.cas[PROVIDER][1]
    listed = ListedCertificate(ca.public_bytes(serialization.Encoding.DER), CA, ca.not_valid_before_utc,
                               ca.not_valid_after_utc)
    entity = ListedEntity(PROVIDER, "LV", "x", "ESSPASS reference wallet provider", frozenset({"wallet_provider"}),
                          (listed,), (StatusPeriod(ACTIVE, NOW - timedelta(days=30)),))
    return TrustList("wallet_providers", 1, NOW, NOW + timedelta(days=1), (entity,))


def _attest(pki: DemoPki, keys: list[Any], *, signer: str = PROVIDER, iat: int = TS, lifetime: int = 600,
            storage: tuple[str, ...] = ("iso_18045_basic",)) -> str:
    key, chain = pki.signers[signer]
    return key_attestation.attest(key, chain, keys=[k.public_key() for k in keys], iat=iat, lifetime=lifetime,
                                  key_storage=storage, user_authentication=("iso_18045_basic",), nonce="n")


def _error(pki: DemoPki, token: str, policy: key_attestation.KeyAttestationPolicy = ANY) -> str:
    with pytest.raises(ProtocolError) as info:
        key_attestation.verify(token, providers=_providers(pki), now=NOW, policy=policy)
    return info.value.error


def test_a_listed_provider_attests_every_key_of_a_batch(registry_pki: DemoPki) -> None:
    keys = [generate_key() for _ in range(3)]
    checked = key_attestation.verify(_attest(registry_pki, keys), providers=_providers(registry_pki), now=NOW,
                                     policy=ANY)
    assert checked.thumbprints == {jwk_thumbprint(public_jwk(k)) for k in keys}
    assert (checked.key_storage, checked.user_authentication) == (("iso_18045_basic",), ("iso_18045_basic",))
    assert checked.provider_id == PROVIDER


def test_levels_below_the_issuers_policy_are_refused(registry_pki: DemoPki) -> None:
    strict = key_attestation.KeyAttestationPolicy(key_storage=("iso_18045_high", "iso_18045_moderate"))
    assert _error(registry_pki, _attest(registry_pki, [generate_key()]), strict) == "invalid_proof"
    high = _attest(registry_pki, [generate_key()], storage=("iso_18045_high",))
    assert key_attestation.verify(high, providers=_providers(registry_pki), now=NOW, policy=strict)


def test_an_institution_is_no_key_attester(registry_pki: DemoPki) -> None:
    assert _error(registry_pki, _attest(registry_pki, [generate_key()], signer="LV:VSAA")) == "invalid_proof"


def test_an_expired_key_attestation_is_refused(registry_pki: DemoPki) -> None:
    assert _error(registry_pki, _attest(registry_pki, [generate_key()], iat=TS - 3600)) == "invalid_proof"


def test_a_key_attestation_from_the_future_is_refused(registry_pki: DemoPki) -> None:
    assert _error(registry_pki, _attest(registry_pki, [generate_key()], iat=TS + 3600)) == "invalid_proof"


_SAME_KEY = public_jwk(generate_key())


def _resigned(pki: DemoPki, header: dict[str, Any], payload: dict[str, Any]) -> str:
    key, chain = pki.signers[PROVIDER]
    return sign_jws({"x5c": x5c_header(chain), **header}, payload, key)


@pytest.mark.parametrize("payload", [
    {"exp": TS + 600},
    {"iat": TS, "exp": TS + 600, "attested_keys": []},
    {"iat": TS, "exp": TS + 600, "attested_keys": [{**public_jwk(generate_key()), "d": "AAAA"}]},
    {"iat": TS, "exp": TS + 600, "attested_keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}]},
    {"iat": TS, "attested_keys": [public_jwk(generate_key())]},
    {"iat": TS, "exp": TS + 600, "attested_keys": [public_jwk(generate_key())] * 21},
    {"iat": TS, "exp": TS + 600, "attested_keys": [public_jwk(generate_key())], "key_storage": "iso_18045_high"},
    {"iat": TS, "exp": TS + 600, "attested_keys": [_SAME_KEY, _SAME_KEY]},
    {"iat": TS, "exp": TS + 600, "attested_keys": [public_jwk(generate_key())], "nonce": 7},
], ids=["no-iat", "no-keys", "private-key", "not-a-point", "no-exp", "too-many-keys", "levels-not-an-array",
        "same-key-twice", "nonce-not-a-string"])
def test_a_malformed_key_attestation_is_refused(registry_pki: DemoPki, payload: dict[str, Any]) -> None:
    token = _resigned(registry_pki, {"typ": key_attestation.TYP}, payload)
    assert _error(registry_pki, token) == "invalid_proof"


def test_a_key_attestation_with_another_typ_is_refused(registry_pki: DemoPki) -> None:
    token = _resigned(registry_pki, {"typ": "JWT"}, {"iat": TS, "exp": TS + 600,
                                                    "attested_keys": [public_jwk(generate_key())]})
    assert _error(registry_pki, token) == "invalid_proof"


def test_the_reference_wallet_declines_an_issuer_asking_more_than_its_keys_reach(registry_pki: DemoPki) -> None:
    """Its keys are software keys (iso_18045_basic); it says so in plain words instead of sending proofs."""
    from wallet.provider import WalletProvider
    from wallet.receive import _key_attestation

    provider = WalletProvider(*registry_pki.signers[PROVIDER])
    keys = [generate_key()]
    demanding: dict[str, tuple[str, ...]] = {"key_storage": ("iso_18045_high",),
                                            "user_authentication": ("iso_18045_high",)}
    with pytest.raises(ProtocolError, match="more secure key storage"):
        _key_attestation(demanding, provider, keys, NOW, "c-nonce")
    with pytest.raises(ProtocolError, match="no provider"):
        _key_attestation(demanding, None, keys, NOW, "c-nonce")
    modest = {"key_storage": ("iso_18045_basic",), "user_authentication": key_attestation.LEVELS}
    token = _key_attestation(modest, provider, keys, NOW, "c-nonce")
    assert token is not None
    checked = key_attestation.verify(token, providers=_providers(registry_pki), now=NOW, policy=ANY)
    assert checked.thumbprints == {jwk_thumbprint(public_jwk(keys[0]))}
    assert checked.keys == (public_jwk(keys[0]),) and checked.nonce == "c-nonce"
