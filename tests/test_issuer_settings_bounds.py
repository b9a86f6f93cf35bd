"""The issuer's settings that protect an offer (QA office): the one-time code's tries and the lifetimes
of an offer, an access token and a nonce are refused outside what keeps them meaningful, at start, with
the setting named (esspass.cli: one line, exit 2; tests/test_ops_cli_review.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from issuer.settings import IssuerSettings


@pytest.mark.parametrize("attempts", [0, 11, 1_000_000])
def test_an_offers_one_time_code_may_not_be_tried_unboundedly(tmp_path: Path, attempts: int) -> None:
    """6 digits: with a million tries (or any count above 10) whoever saw the offer's link or QR code
    could try every code; 0 would lock at the first slip as 1 does, said as what it is not."""
    with pytest.raises(ValidationError) as refused:
        IssuerSettings(data_dir=tmp_path, public_url="http://127.0.0.1:1", tx_code_attempts=attempts)
    assert refused.value.errors()[0]["loc"] == ("tx_code_attempts",)
    most = IssuerSettings(data_dir=tmp_path, public_url="http://127.0.0.1:1", tx_code_attempts=10)
    assert most.tx_code_attempts == 10


@pytest.mark.parametrize("name", ["offer_ttl", "token_ttl", "nonce_ttl"])
@pytest.mark.parametrize("seconds", [0, -900])
def test_an_offer_a_token_or_a_nonce_does_not_expire_before_it_is_made(tmp_path: Path, name: str,
                                                                        seconds: int) -> None:
    """The clerk would be shown an offer (a wallet handed a token or a nonce) already expired."""
    with pytest.raises(ValidationError) as refused:
        IssuerSettings.model_validate({"data_dir": tmp_path, "public_url": "http://127.0.0.1:1", name: seconds})
    assert refused.value.errors()[0]["loc"] == (name,)
