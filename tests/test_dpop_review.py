"""Review regressions for credentials.dpop: a proof signed by the attacker's own key (RFC 9449)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credentials import dpop, jose
from credentials.errors import ProtocolError

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
URL = "https://issuer.example/credential"


def test_dpop_proof_with_a_non_ascii_ath_is_an_invalid_dpop_proof() -> None:
    """The ath was compared with hmac.compare_digest, which raises TypeError on non-ASCII text: anyone
    could turn a protected request into a server error with a proof of their own key."""
    key = jose.generate_key()
    proof = jose.sign_jws({"typ": dpop.TYP, "jwk": jose.public_jwk(key)},
                          {"jti": "j" * 16, "htm": "POST", "htu": URL, "iat": int(NOW.timestamp()), "ath": "é"}, key)
    with pytest.raises(ProtocolError) as refused:
        dpop.verify_proof(proof, method="POST", url=URL, now=NOW, access_token="token")
    assert refused.value.error == "invalid_dpop_proof"


@pytest.mark.parametrize("claimed", ["http://[::1", "https://[zz]/credential", "https://[::1/credential"])
def test_dpop_proof_with_an_unparseable_htu_is_an_invalid_dpop_proof(claimed: str) -> None:
    """urlsplit raises ValueError on a broken IPv6 literal; htu() read it outside its try, so a proof
    of the attacker's own key with such an htu was a server error, not invalid_dpop_proof."""
    key = jose.generate_key()
    proof = jose.sign_jws({"typ": dpop.TYP, "jwk": jose.public_jwk(key)},
                          {"jti": "j" * 16, "htm": "POST", "htu": claimed, "iat": int(NOW.timestamp())}, key)
    with pytest.raises(ProtocolError) as refused:
        dpop.verify_proof(proof, method="POST", url=URL, now=NOW)
    assert refused.value.error == "invalid_dpop_proof"
