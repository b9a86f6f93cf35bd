"""Review regressions for credentials.trust_list: dates no datetime can hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credentials import trust_list
from credentials.errors import MalformedError

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize("iat", [2**62, -(2**62), 253_402_300_800, 10**20])
def test_trust_list_with_a_date_beyond_the_years_datetime_holds_is_malformed(iat: int) -> None:
    """datetime.fromtimestamp raised OverflowError / ValueError, a crash where a refusal belongs."""
    payload = trust_list.TrustList("issuers", 1, NOW, NOW, ()).to_payload()
    with pytest.raises(MalformedError):
        trust_list.TrustList.from_payload({**payload, "iat": iat})
