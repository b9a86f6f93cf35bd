"""Deferred issuance, the wallet's pure part (wallet/deferred.py): OpenID4VCI 1.0 §8.3 (HTTP 202),
§9.2-§9.3 (the Deferred Credential Endpoint's answers), RFC 6750 §3.1 (an expired token)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from credentials.errors import MalformedError
from wallet.deferred import (
    DEFAULT_INTERVAL,
    MAX_INTERVAL,
    MIN_INTERVAL,
    PendingIssuance,
    Transaction,
    clamp_interval,
    credential_answer,
    deferral,
    due,
    read_deferred_answer,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("given", "expected"), [
    (3600, 3600),
    (0, MIN_INTERVAL),                 # an issuer saying "now" is not asked in a loop
    (1, MIN_INTERVAL),
    (10**12, MAX_INTERVAL),            # nor one saying "in 30 000 years" never again
    (-5, DEFAULT_INTERVAL),
    (True, DEFAULT_INTERVAL),          # JSON true is no number of seconds
    ("60", DEFAULT_INTERVAL),
    (1.5, DEFAULT_INTERVAL),
    (None, DEFAULT_INTERVAL),
])
def test_the_issuers_interval_is_honoured_within_bounds(given: Any, expected: int) -> None:
    assert clamp_interval(given) == expected


def test_a_202_needs_a_transaction_id() -> None:
    assert deferral({"transaction_id": "8xLOxBtZp8", "interval": 3600}) == ("8xLOxBtZp8", 3600)
    assert deferral({"transaction_id": "t", "interval": "soon"}) == ("t", DEFAULT_INTERVAL)
    bodies: list[dict[str, Any]] = [{}, {"transaction_id": ""}, {"transaction_id": 7}, {"transaction_id": "x" * 513},
                                    {"transaction_id": "a\nb"}]
    for body in bodies:
        with pytest.raises(MalformedError):
            deferral(body)


def test_credentials_of_an_answer() -> None:
    issued = credential_answer({"credentials": [{"credential": "a~", "compact": "c"}, {"credential": "b~"}],
                                "notification_id": "n1"}, most=2)
    assert issued.credentials == ("a~", "b~") and issued.compacts == ("c", None) and issued.notification_id == "n1"
    wrong: list[dict[str, Any]] = [{"credentials": []}, {"credentials": "a~"}, {"credentials": [{"credential": ""}]},
                                   {"credentials": [{"credential": 5}]}, {"credentials": ["a~"]},
                                   {"credentials": [{"credential": "a~"}] * 3}]  # more than keys were proved
    for body in wrong:
        with pytest.raises(MalformedError):
            credential_answer(body, most=2)


ANSWERS: list[tuple[int, Any, str, str]] = [
    # status, body, WWW-Authenticate, kind
    (200, {"credentials": [{"credential": "a~"}], "notification_id": "n"}, "", "issued"),
    (200, {"credentials": []}, "", "malformed"),
    (200, None, "", "malformed"),
    (202, {"transaction_id": "T", "interval": 30}, "", "pending"),
    (202, {"interval": 30}, "", "pending"),
    (202, {"transaction_id": "OTHER", "interval": 30}, "", "malformed"),
    (400, {"error": "credential_request_denied"}, "", "denied"),
    (400, {"error": "invalid_transaction_id"}, "", "unknown"),
    (401, {"error": "invalid_token"}, "", "token_expired"),
    (401, None, 'DPoP error="invalid_token", algs="ES256"', "token_expired"),
    (401, None, "", "malformed"),
    (400, {"error": "invalid_credential_request"}, "", "malformed"),
    (503, {"error": "temporarily_unavailable"}, "", "retry"),
    (500, None, "", "retry"),
    (429, None, "", "retry"),
    (302, None, "", "malformed"),
]


@pytest.mark.parametrize(("status", "body", "challenge", "kind"), ANSWERS)
def test_deferred_answers(status: int, body: Any, challenge: str, kind: str) -> None:
    answer = read_deferred_answer(status, body, transaction_id="T", most=1, www_authenticate=challenge)
    assert answer.kind == kind
    if kind == "pending":
        assert answer.interval == 30
    if kind == "issued":
        assert answer.issued is not None and answer.issued.notification_id == "n"


def _entry(**kw: Any) -> PendingIssuance:
    base: dict[str, Any] = dict(
        id="p1", issuer_url="https://issuer.example/lv-vsaa",
        institution="Valsts sociālās apdrošināšanas aģentūra (State Social Insurance Agency)",
        deferred_endpoint="https://issuer.example/lv-vsaa/deferred_credential",
        token_endpoint="https://issuer.example/lv-vsaa/token", notification_endpoint=None,
        as_issuer="https://issuer.example/lv-vsaa", token_auth_methods=("attest_jwt_client_auth",),
        challenge_endpoint=None, access_token="at", token_type="DPoP", refresh_token="rt", dpop_key="PEM",
        transactions=(Transaction("T", "pda1", "https://esspass.eu/vct/pda1", "dc+sd-jwt", ("K1", "K2")),),
        interval=60, asked_at=NOW.isoformat(), next_poll=(NOW + timedelta(seconds=60)).isoformat())
    return PendingIssuance(**{**base, **kw})


def test_a_pending_entry_round_trips_through_the_store() -> None:
    entry = _entry()
    assert PendingIssuance.from_dict(entry.to_dict()) == entry
    assert entry.issuer_name() == "Valsts sociālās apdrošināšanas aģentūra (State Social Insurance Agency)"
    with pytest.raises(MalformedError):
        PendingIssuance.from_dict({"id": "p1"})
    with pytest.raises(MalformedError):
        PendingIssuance.from_dict({**entry.to_dict(), "transactions": [{"transaction_id": "T"}]})


def test_an_entry_is_named_as_the_list_names_its_institution_never_as_the_server_names_itself() -> None:
    """An entry kept before it carried the listed name (with the server's metadata ``display``) loads,
    and is shown under its address until its document comes, not under the name the server gave."""
    older = {k: v for k, v in _entry().to_dict().items() if k != "institution"}
    older["issuer_display"] = [{"name": "Totally Official Agency", "locale": "en"}]
    entry = PendingIssuance.from_dict(older)
    assert entry.issuer_name() == "https://issuer.example/lv-vsaa"
    assert "Totally Official" not in str(entry.to_dict())


def test_when_an_entry_is_due() -> None:
    entry = _entry()
    assert not due(entry, NOW) and due(entry, NOW, force=True)
    assert due(entry, NOW + timedelta(seconds=60))
    leased = _entry(lease_until=(NOW + timedelta(seconds=30)).isoformat())
    assert not due(leased, NOW, force=True)  # another process is asking right now
    assert due(leased, NOW + timedelta(seconds=61))
    assert due(_entry(next_poll="garbage"), NOW)  # a damaged time is asked about, not stuck


def test_asking_again_after_the_interval() -> None:
    entry = _entry(lease_until=NOW.isoformat()).after(NOW, 10**12, error="x" * 500)
    assert entry.interval == MAX_INTERVAL and entry.lease_until is None and len(entry.last_error) == 200
    assert entry.next_poll == (NOW + timedelta(seconds=MAX_INTERVAL)).isoformat()
    assert _entry().after(NOW).interval == 60  # no new interval: the one held
