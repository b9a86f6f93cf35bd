"""RFC 9449 §4.3, the proof checks a server makes (credentials/dpop.py), each refused with invalid_dpop_proof."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from credentials import dpop
from credentials.errors import ProtocolError
from credentials.jose import b64url_encode, generate_key, jwk_thumbprint, public_jwk, sign_jws

URL = "https://issuer.example/lv-vsaa/credential"
KEY = generate_key()


def _proof(*, header: dict[str, Any] | None = None, **claims: Any) -> str:
    body = {"jti": "jti-0123456789", "htm": "POST", "htu": URL, "iat": int(time.time()), **claims}
    return sign_jws({"typ": "dpop+jwt", "jwk": public_jwk(KEY), **(header or {})}, body, KEY)


def _check(proof: str | None, **kw: Any) -> dpop.DpopProof:
    return dpop.verify_proof(proof, method="POST", url=URL, now=datetime.now(UTC), **kw)


def test_a_good_proof_gives_the_key_thumbprint_and_jti() -> None:
    checked = _check(_proof(htu=URL + "?ignored=1"))  # §4.3 item 9: query and fragment are not compared
    assert checked.jkt == jwk_thumbprint(public_jwk(KEY)) and checked.jti == "jti-0123456789"


@pytest.mark.parametrize("proof", [
    None, "", "a.b.c", _proof(header={"typ": "JWT"}), _proof(htm="GET"), _proof(htu="https://issuer.example/other"),
    _proof(iat=int(time.time()) - 3600), _proof(iat=int(time.time()) + 3600), _proof(jti=""),
    _proof(header={"jwk": {**public_jwk(KEY), "d": "AAAA"}}), _proof(header={"jwk": public_jwk(generate_key())}),
    _proof() + "," + _proof(),
], ids=["missing", "empty", "not-a-jwt", "typ", "htm", "htu", "stale", "future", "no-jti", "private-key",
        "jwk-of-another-key", "two-proofs"])
def test_a_bad_proof_is_refused(proof: str | None) -> None:
    with pytest.raises(ProtocolError) as refused:
        _check(proof)
    assert refused.value.error == "invalid_dpop_proof"


def test_with_an_access_token_the_proof_must_hash_it_in_ath() -> None:
    with pytest.raises(ProtocolError):
        _check(_proof(), access_token="token-1")
    with pytest.raises(ProtocolError):
        _check(_proof(ath="not-the-hash"), access_token="token-1")
    assert _check(_proof(ath=b64url_encode(hashlib.sha256(b"token-1").digest())), access_token="token-1")


@pytest.mark.parametrize("claimed", [
    "https://issuer.example:443/lv-vsaa/credential",  # the scheme's default port (RFC 3986 §6.2.3)
    "HTTPS://Issuer.Example/lv-vsaa/credential",  # scheme and host are case-insensitive (§6.2.2.1)
])
def test_htu_is_compared_after_rfc3986_normalisation(claimed: str) -> None:
    """§4.3 item 9: "servers SHOULD employ syntax-based normalization ... and scheme-based
    normalization ... before comparing the htu claim": the same URI written another way matches."""
    assert _check(_proof(htu=claimed)).jti == "jti-0123456789"


def test_htu_normalisation_keeps_a_port_that_is_not_the_default() -> None:
    with pytest.raises(ProtocolError):
        _check(_proof(htu="https://issuer.example:8443/lv-vsaa/credential"))
    assert dpop.htu("https://issuer.example") == "https://issuer.example/"
