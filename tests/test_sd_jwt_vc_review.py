"""Review regressions for credentials.sd_jwt_vc: NumericDates no datetime can hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from credentials import jose, sd_jwt, sd_jwt_vc
from credentials.errors import MalformedError
from credentials.institutions import demo_entity
from credentials.pki import create_entity_ca, issue_document_signer

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TS = int(NOW.timestamp())


@pytest.mark.parametrize(("claim", "value"), [("iat", -(10**15)), ("iat", -1), ("nbf", -(10**15)), ("exp", 10**15)])
def test_credential_with_a_numericdate_outside_the_years_1970_to_9999_is_malformed(claim: str, value: int) -> None:
    """An iat far in the past passed every check and then crashed the inspector's pipeline
    (verification.verify_credential: datetime.fromtimestamp raised ValueError, not a refusal)."""
    entity = demo_entity("LV:VSAA")
    ca_key, ca = create_entity_ca(entity, now=NOW - timedelta(days=1))
    key, leaf = issue_document_signer(entity, ca_key, ca, now=NOW - timedelta(days=1))
    holder = jose.generate_key()
    dates = {"iat": TS, "nbf": TS, "exp": TS + 3600, claim: value}
    issued = sd_jwt_vc.issue_vc(vct="urn:eudi:pda1:1", claims={"document_number": "A1"}, sd_paths=[],
                                holder_jwk=jose.public_jwk(holder), issuer_key=key, x5c=[leaf], iss="https://x.example",
                                iat=dates["iat"], nbf=dates["nbf"], exp=dates["exp"], status=None)
    policy = sd_jwt.KeyBindingPolicy(nonce="n-1234567890", aud="x509_hash:abc")
    presentation = sd_jwt.present(issued, select=[], holder_key=holder, nonce=policy.nonce, aud=policy.aud, iat=TS)
    with pytest.raises(MalformedError):
        sd_jwt_vc.verify_vc(presentation, anchors=[ca], now=NOW, key_binding=policy)
