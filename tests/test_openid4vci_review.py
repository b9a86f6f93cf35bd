"""Review regressions for credentials.openid4vci: request members of the wrong JSON type."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from credentials import openid4vci
from credentials.errors import ProtocolError


@pytest.mark.parametrize("proof", [None, 0, True, [], {}])
def test_a_key_proof_that_is_not_a_string_is_invalid_proof(proof: Any) -> None:
    with pytest.raises(ProtocolError) as refused:
        openid4vci.verify_proof(proof, audience="https://issuer.example", nonce_valid=lambda _n: True,
                                now=datetime(2026, 6, 1, tzinfo=UTC))
    assert refused.value.error == "invalid_proof"
