"""Review regressions for credentials.sd_jwt: hostile input found by tests/test_parser_robustness.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from credentials import jose, sd_jwt
from credentials.errors import CredentialError, KeyBindingError, MalformedError

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ISSUER, HOLDER = jose.generate_key(), jose.generate_key()
POLICY = sd_jwt.KeyBindingPolicy(nonce="n-1234567890", aud="x509_hash:abc")


@pytest.mark.parametrize("value", [None, 0, True, 1.5, [], {}, b"a.b.c~"])
def test_unverified_claims_of_something_other_than_a_string_is_malformed(value: Any) -> None:
    """A wallet store or request field holding null or an array where the SD-JWT belongs."""
    for fn in (sd_jwt.unverified_claims, sd_jwt.disclosable_paths):
        with pytest.raises(MalformedError):
            fn(value)
    with pytest.raises(MalformedError):
        sd_jwt.verify(value, issuer_key=ISSUER.public_key(), algorithms=["ES256"], key_binding=None, now=NOW)


def _low_bit_set(text: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return text[:-1] + alphabet[alphabet.index(text[-1]) | 1]


def test_presentation_whose_kb_jwt_signature_is_re_encoded_does_not_verify() -> None:
    """The KB-JWT's signature is the last 86 characters; its last one carries 4 unused bits, outside
    sd_hash. Flipping one of them must not leave a presentation that verifies (it did: the verdict of
    a changed presentation was valid)."""
    issued = sd_jwt.issue({"cnf": {"jwk": jose.public_jwk(HOLDER)}, "name": "A"}, sd_paths=[("name",)], key=ISSUER,
                          header={"typ": "dc+sd-jwt"})
    presentation = sd_jwt.present(issued, select=[("name",)], holder_key=HOLDER, nonce=POLICY.nonce, aud=POLICY.aud,
                                  iat=int(NOW.timestamp()))
    args: dict[str, Any] = {"issuer_key": ISSUER.public_key(), "algorithms": ["ES256"], "key_binding": POLICY,
                            "now": NOW}
    assert sd_jwt.verify(presentation, **args).claims["name"] == "A"
    with pytest.raises(CredentialError):
        sd_jwt.verify(_low_bit_set(presentation), **args)


@pytest.mark.parametrize("member", ["nonce", "sd_hash"])
def test_kb_jwt_with_a_non_ascii_nonce_or_sd_hash_is_refused(member: str) -> None:
    """hmac.compare_digest raises TypeError on a str with non-ASCII characters: a holder (any wallet
    with a genuine credential signs its own KB-JWT) could crash the verifier instead of being refused."""
    issued = sd_jwt.issue({"cnf": {"jwk": jose.public_jwk(HOLDER)}, "name": "A"}, sd_paths=[("name",)], key=ISSUER,
                          header={"typ": "dc+sd-jwt"})
    presented = sd_jwt.present(issued, select=[("name",)], holder_key=None, nonce=None, aud=None, iat=0)
    body = {"iat": int(NOW.timestamp()), "aud": POLICY.aud, "nonce": POLICY.nonce,
            "sd_hash": sd_jwt._digest(presented, "sha-256"), member: "é"}
    presentation = presented + jose.sign_jws({"typ": sd_jwt.KB_TYP}, body, HOLDER)
    with pytest.raises(KeyBindingError):
        sd_jwt.verify(presentation, issuer_key=ISSUER.public_key(), algorithms=["ES256"], key_binding=POLICY, now=NOW)
