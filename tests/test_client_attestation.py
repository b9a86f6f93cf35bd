"""Wallet attestation (attestation-based client authentication draft-10, OpenID4VCI App. E, HAIP §9.2).

The authorization server's checks of ``credentials.client_attestation.verify``, one per rule or
attack, against a wallet providers list built from the demo PKI.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from credentials import client_attestation
from credentials.errors import ProtocolError
from credentials.institutions import Role
from credentials.jose import b64url_encode, dumps, generate_key, public_jwk, sign_jws
from credentials.pki import DemoPki
from credentials.trust_list import (
    ACTIVE,
    CA,
    SUSPENDED,
    ListedCertificate,
    ListedEntity,
    StatusPeriod,
    TrustList,
)
from credentials.x509 import x5c_header

PROVIDER = "LV:ESSPASS-WALLET"
AS = "https://issuer.localhost:8102/lv-vsaa"
NOW = datetime.now(UTC).replace(microsecond=0)


def _providers(pki: DemoPki, *, entity_id: str = PROVIDER, roles: frozenset[str] = frozenset({"wallet_provider"}),
               status: str = ACTIVE, kind: str = "wallet_providers") -> TrustList:
    ca = pki.cas[entity_id][1]
    listed = ListedCertificate(ca.public_bytes(serialization.Encoding.DER), CA, ca.not_valid_before_utc,
                               ca.not_valid_after_utc)
    history = (StatusPeriod(ACTIVE, NOW - timedelta(days=30)),) + (
        (StatusPeriod(status, NOW - timedelta(days=1)),) if status != ACTIVE else ())
    entity = ListedEntity(entity_id, "LV", "x", "x", roles, (listed,), history)
    return TrustList(kind, 1, NOW, NOW + timedelta(days=1), (entity,))


def _pair(pki: DemoPki, *, signer: str = PROVIDER, lifetime: int = 600, iat: int | None = None,
          pop_claims: dict[str, Any] | None = None, pop_key: Any = None) -> tuple[str, str]:
    key, chain = pki.signers[signer]
    instance = generate_key()
    at = iat if iat is not None else int(NOW.timestamp())
    attestation = client_attestation.attest(key, chain, client_id="esspass-reference-wallet",
                                            instance_key=instance.public_key(), iat=at, lifetime=lifetime,
                                            wallet_name="ESSPASS reference wallet")
    claims = {"aud": AS, "jti": "pop-jti-0001", "iat": int(NOW.timestamp()), **(pop_claims or {})}
    pop = sign_jws({"typ": client_attestation.POP_TYP}, {k: v for k, v in claims.items() if v is not None},
                   pop_key or instance)
    return attestation, pop


def _verify(pki: DemoPki, attestation: str | None, pop: str | None, **kw: Any) -> client_attestation.AttestedClient:
    return client_attestation.verify(attestation, pop, providers=kw.pop("providers", None) or _providers(pki),
                                     audience=AS, now=NOW, **kw)


def _error(pki: DemoPki, attestation: str | None, pop: str | None, **kw: Any) -> str:
    with pytest.raises(ProtocolError) as info:
        _verify(pki, attestation, pop, **kw)
    return info.value.error


def test_an_attested_instance_of_a_listed_provider_is_authenticated(registry_pki: DemoPki) -> None:
    client = _verify(registry_pki, *_pair(registry_pki))
    assert (client.client_id, client.provider_id, client.wallet_name) == (
        "esspass-reference-wallet", PROVIDER, "ESSPASS reference wallet")
    assert client.pop_jti == "pop-jti-0001"
    assert "d" not in client.instance_jwk


def test_missing_or_repeated_headers_are_invalid_client(registry_pki: DemoPki) -> None:
    attestation, pop = _pair(registry_pki)
    assert _error(registry_pki, attestation, None) == "invalid_client"
    assert _error(registry_pki, None, pop) == "invalid_client"
    assert _error(registry_pki, attestation, ",") == "invalid_client"


def test_an_attestation_signed_by_an_institution_not_a_wallet_provider_is_refused(registry_pki: DemoPki) -> None:
    attestation, pop = _pair(registry_pki, signer="LV:VSAA")
    listed_as_issuer = _providers(registry_pki, entity_id="LV:VSAA", roles=frozenset({Role.PDA1_ISSUER.value}))
    assert _error(registry_pki, attestation, pop, providers=listed_as_issuer) == "invalid_client"
    assert _error(registry_pki, attestation, pop) == "invalid_client"  # not on the providers list at all


def test_a_suspended_wallet_provider_is_refused_at_once(registry_pki: DemoPki) -> None:
    suspended = _providers(registry_pki, status=SUSPENDED)
    assert _error(registry_pki, *_pair(registry_pki), providers=suspended) == "invalid_client"


def test_the_issuers_list_is_not_a_wallet_providers_list(registry_pki: DemoPki) -> None:
    wrong_kind = _providers(registry_pki, kind="issuers")
    assert _error(registry_pki, *_pair(registry_pki), providers=wrong_kind) == "invalid_client"


def test_an_expired_attestation_asks_for_a_fresh_one(registry_pki: DemoPki) -> None:
    attestation, pop = _pair(registry_pki, iat=int(NOW.timestamp()) - 3600, lifetime=600)
    assert _error(registry_pki, attestation, pop) == "use_fresh_attestation"


def test_an_attestation_issued_in_the_future_is_refused(registry_pki: DemoPki) -> None:
    attestation, pop = _pair(registry_pki, iat=int(NOW.timestamp()) + 3600)
    assert _error(registry_pki, attestation, pop) == "invalid_client"


def _resigned(pki: DemoPki, header: dict[str, Any], payload: dict[str, Any]) -> str:
    key, _chain = pki.signers[PROVIDER]
    return sign_jws(header, payload, key)


def test_an_attestation_with_another_typ_is_refused(registry_pki: DemoPki) -> None:
    _attestation, pop = _pair(registry_pki)
    _key, chain = registry_pki.signers[PROVIDER]
    payload = {"sub": "w", "exp": int(NOW.timestamp()) + 600, "cnf": {"jwk": public_jwk(generate_key())}}
    forged = _resigned(registry_pki, {"typ": "JWT", "x5c": x5c_header(chain)}, payload)
    assert _error(registry_pki, forged, pop) == "invalid_client"


def test_an_attestation_with_alg_none_is_refused(registry_pki: DemoPki) -> None:
    _key, chain = registry_pki.signers[PROVIDER]
    header = b64url_encode(dumps({"alg": "none", "typ": client_attestation.TYP, "x5c": x5c_header(chain)}))
    body = b64url_encode(dumps({"sub": "w", "exp": int(NOW.timestamp()) + 600,
                                "cnf": {"jwk": public_jwk(generate_key())}}))
    _attestation, pop = _pair(registry_pki)
    assert _error(registry_pki, f"{header}.{body}.", pop) == "invalid_client"


def test_an_attestation_without_exp_or_sub_is_refused(registry_pki: DemoPki) -> None:
    _key, chain = registry_pki.signers[PROVIDER]
    header = {"typ": client_attestation.TYP, "x5c": x5c_header(chain)}
    jwk = public_jwk(generate_key())
    _attestation, pop = _pair(registry_pki)
    assert _error(registry_pki, _resigned(registry_pki, header, {"sub": "w", "cnf": {"jwk": jwk}}), pop) \
        == "invalid_client"
    assert _error(registry_pki, _resigned(registry_pki, header, {"exp": int(NOW.timestamp()) + 60,
                                                                 "cnf": {"jwk": jwk}}), pop) == "invalid_client"


def test_an_attestation_carrying_a_private_key_is_refused(registry_pki: DemoPki) -> None:
    _key, chain = registry_pki.signers[PROVIDER]
    jwk = {**public_jwk(generate_key()), "d": "AAAA"}
    forged = _resigned(registry_pki, {"typ": client_attestation.TYP, "x5c": x5c_header(chain)},
                       {"sub": "w", "exp": int(NOW.timestamp()) + 600, "cnf": {"jwk": jwk}})
    _attestation, pop = _pair(registry_pki)
    assert _error(registry_pki, forged, pop) == "invalid_client"


def test_a_pop_signed_by_another_key_is_refused(registry_pki: DemoPki) -> None:
    assert _error(registry_pki, *_pair(registry_pki, pop_key=generate_key())) == "invalid_client"


@pytest.mark.parametrize("claims", [
    {"aud": "https://issuer.localhost:8102/de-drv"},
    {"aud": [AS]},
    {"jti": None},
    {"jti": "short"},
    {"iat": None},
    {"iat": int(NOW.timestamp()) - 3600},
    {"iat": int(NOW.timestamp()) + 3600},
], ids=["other-audience", "audience-array", "no-jti", "short-jti", "no-iat", "stale", "future"])
def test_a_pop_breaking_a_rule_is_refused(registry_pki: DemoPki, claims: dict[str, Any]) -> None:
    assert _error(registry_pki, *_pair(registry_pki, pop_claims=claims)) == "invalid_client"


def test_a_pop_with_another_typ_is_refused(registry_pki: DemoPki) -> None:
    attestation, _pop = _pair(registry_pki)
    pop = sign_jws({"typ": "JWT"}, {"aud": AS, "jti": "pop-jti-0001", "iat": int(NOW.timestamp())}, generate_key())
    assert _error(registry_pki, attestation, pop) == "invalid_client"


def test_oversized_headers_are_refused_unparsed(registry_pki: DemoPki) -> None:
    attestation, pop = _pair(registry_pki)
    assert _error(registry_pki, attestation + "A" * 9000, pop) == "invalid_client"
