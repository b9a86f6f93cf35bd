"""Cross-check with the independent `sd-jwt` 0.10.4 reference package (draft-era, pre RFC 9901).

Where its draft agrees with RFC 9901 (disclosure format, digests, `_sd`/`...`, KB-JWT typ
kb+jwt with sd_hash), each side verifies the other's output. It predates `dc+sd-jwt`, so plain
SD-JWTs are compared here, not SD-JWT VCs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

pytest.importorskip("sd_jwt.issuer")

from cryptography.hazmat.primitives import serialization
from jwcrypto.jwk import JWK
from sd_jwt.common import SDObj
from sd_jwt.holder import SDJWTHolder
from sd_jwt.issuer import SDJWTIssuer
from sd_jwt.verifier import SDJWTVerifier

from credentials import jose
from credentials import sd_jwt as ours

NOW = datetime.now(UTC)


def _jwcrypto(key: jose.PrivateKey) -> JWK:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return JWK.from_pem(pem)


def test_reference_package_verifies_our_sd_jwt_with_key_binding() -> None:
    issuer, holder = jose.generate_key(), jose.generate_key()
    claims: dict[str, Any] = {"iss": "https://issuer.example", "iat": int(NOW.timestamp()), "given_name": "Helen",
                              "nationalities": ["LV", "SE"], "cnf": {"jwk": jose.public_jwk(holder)}}
    issued = ours.issue(claims, sd_paths=[("given_name",), ("nationalities", None)], key=issuer, header={})
    presentation = ours.present(issued, select=[("given_name",), ("nationalities", 1)], holder_key=holder,
                                nonce="n-123", aud="https://verifier.example", iat=int(NOW.timestamp()))
    verifier = SDJWTVerifier(presentation, lambda iss, header: _jwcrypto(issuer),
                             expected_aud="https://verifier.example", expected_nonce="n-123")
    out = verifier.get_verified_payload()
    assert out["given_name"] == "Helen"
    assert out["nationalities"] == ["SE"]


def test_we_verify_the_reference_packages_sd_jwt_with_key_binding() -> None:
    issuer, holder = jose.generate_key(), jose.generate_key()
    user_claims = {"iss": "https://issuer.example", "iat": int(NOW.timestamp()), SDObj("given_name"): "Helen",
                   SDObj("family_name"): "Mirren", "nationalities": [SDObj("LV"), "SE"]}
    issued = SDJWTIssuer(user_claims, _jwcrypto(issuer), holder_key=_jwcrypto(holder), sign_alg="ES256",
                         add_decoy_claims=True).sd_jwt_issuance
    holder_side = SDJWTHolder(issued)
    holder_side.create_presentation({"given_name": True, "nationalities": [True]}, nonce="n-456",
                                    aud="https://verifier.example", holder_key=_jwcrypto(holder), sign_alg="ES256")
    policy = ours.KeyBindingPolicy(nonce="n-456", aud="https://verifier.example")
    out = ours.verify(holder_side.sd_jwt_presentation, issuer_key=issuer.public_key(), algorithms={"ES256"},
                      key_binding=policy, now=datetime.now(UTC))
    assert out.claims["given_name"] == "Helen"
    assert "family_name" not in out.claims
    assert out.claims["nationalities"] == ["LV", "SE"]
