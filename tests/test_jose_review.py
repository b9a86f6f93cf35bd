"""Review regressions for credentials.jose: hostile encodings found by tests/test_parser_robustness.py."""

from __future__ import annotations

from typing import Any

import pytest

from credentials import jose
from credentials.errors import MalformedError

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _low_bit_set(text: str) -> str:
    """``text`` with the lowest bit of its last character set: an unused bit when it is canonical."""
    changed = text[:-1] + _ALPHABET[_ALPHABET.index(text[-1]) | 1]
    assert changed != text
    return changed


@pytest.mark.parametrize("length", [1, 2, 32, 64, 400, 1001])
def test_base64url_with_nonzero_padding_bits_is_malformed(length: int) -> None:
    """RFC 7515 §2 / RFC 4648 §3.5: one octet string has one base64url text. A last character whose
    unused low bits are set decodes to the same bytes (binascii and pybase64 ignore them), so a
    signature or digest could be re-encoded and a changed token would still verify."""
    data = bytes(range(256)) * 4
    encoded = jose.b64url_encode(data[:length])
    assert len(encoded) % 4 in (2, 3)
    sloppy = _low_bit_set(encoded)
    assert jose.b64url_decode(encoded) == data[:length]
    with pytest.raises(MalformedError):
        jose.b64url_decode(sloppy)


def test_jws_whose_signature_is_re_encoded_with_padding_bits_is_malformed() -> None:
    key = jose.generate_key()
    token = jose.sign_jws({"typ": "JWT"}, {"sub": "x"}, key)
    sloppy = _low_bit_set(token)  # a P-256 signature is 86 characters: the last holds 4 unused bits
    with pytest.raises(MalformedError):
        jose.verify_jws(sloppy, key.public_key(), algorithms=["ES256"])


@pytest.mark.parametrize("jwk", [None, "x", 1.5, [], [{"kty": "EC"}], True])
def test_jwk_thumbprint_of_a_non_object_is_malformed(jwk: Any) -> None:
    """The JWK comes from an unverified header (DPoP, key attestation): an array there is refused."""
    with pytest.raises(MalformedError):
        jose.jwk_thumbprint(jwk)
