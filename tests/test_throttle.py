"""esspass.throttle: wrong sign-in tokens counted per client address, then a growing wait (NIST SP
800-63B §5.2.2, OWASP ASVS V2.2.1)."""

from __future__ import annotations

import logging

import pytest

from esspass.throttle import FREE, LONGEST, SignInThrottle, backoff, network_of

# --- the throttle itself ---------------------------------------------------------------------------


def test_the_wait_doubles_after_the_free_tries_up_to_the_longest() -> None:
    waits = [backoff(n, free=FREE, longest=LONGEST) for n in range(1, FREE + 11)]
    assert waits == [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert backoff(10**6, free=FREE, longest=LONGEST) == LONGEST  # no overflow


def test_a_waiting_address_waits_until_the_pause_ends_and_others_go_on() -> None:
    clock = [0.0]
    throttle = SignInThrottle("test", clock=lambda: clock[0])
    for _ in range(FREE - 1):
        assert throttle.failed("203.0.113.7") == 0
    assert throttle.failed("203.0.113.7") == 2 and throttle.wait("203.0.113.7") == 2
    assert throttle.wait("203.0.113.8") == 0  # another address
    clock[0] += 2
    assert throttle.wait("203.0.113.7") == 0
    assert throttle.failed("203.0.113.7") == 4  # the next wrong one waits longer
    throttle.succeeded("203.0.113.7")
    assert throttle.wait("203.0.113.7") == 0 and throttle.addresses == 0


def test_an_hour_without_a_wrong_token_forgets_the_count() -> None:
    clock = [0.0]
    throttle = SignInThrottle("test", clock=lambda: clock[0])
    for _ in range(FREE - 1):
        throttle.failed("203.0.113.9")
    clock[0] += 3601
    assert throttle.failed("203.0.113.9") == 0 and throttle.addresses == 1


def test_addresses_rotated_by_an_attacker_are_held_at_most_max_addresses() -> None:
    throttle = SignInThrottle("test", max_addresses=100, clock=lambda: 0.0)
    for n in range(10_000):
        throttle.failed(f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")
    assert throttle.addresses == 100
    assert throttle.wait("10.0.39.15") == 0  # the least recently failed went first


def test_an_ipv6_client_is_counted_by_its_64_network() -> None:
    throttle = SignInThrottle("test", clock=lambda: 0.0)
    for n in range(FREE):
        throttle.failed(f"2001:db8:1:2::{n + 1:x}")  # one host's /64 holds every address in it
    assert throttle.wait("2001:db8:1:2:ffff::1") > 0 and throttle.wait("2001:db8:1:3::1") == 0
    assert throttle.wait("::ffff:192.0.2.1") == 0 and throttle.addresses == 1


def test_a_pause_is_logged_with_the_network_never_the_address(caplog: pytest.LogCaptureFixture) -> None:
    throttle = SignInThrottle("issuer", clock=lambda: 0.0)
    with caplog.at_level(logging.INFO, logger="esspass"):
        for _ in range(FREE):
            throttle.failed("198.51.100.77")
        throttle.failed("2001:db8:aaaa:bbbb::77")
    paused = [r for r in caplog.records if getattr(r, "event", None) == "signin_throttled"]
    assert len(paused) == 1 and paused[0].service == "issuer"  # type: ignore[attr-defined]
    assert "198.51.100.0/24" in paused[0].getMessage() and "198.51.100.77" not in caplog.text
    assert network_of("2001:db8:aaaa:bbbb::77") == "2001:db8:aaaa::/48" and network_of("testclient") == "unknown"
