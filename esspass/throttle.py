"""Wrong sign-ins counted per client address, then made to wait (NIST SP 800-63B §5.2.2, OWASP ASVS V2.2.1).

NIST SP 800-63B §5.2.2 (rate limiting): "the verifier SHALL implement controls to protect against
online guessing attacks", such as "requiring the claimant to wait following a failed attempt for a
period of time that increases as the account approaches its maximum allowance for consecutive
failed attempts". ASVS V2.2.1: "anti-automation controls are effective at mitigating breached
credential testing, brute force, and account lockout attacks".

Staff sign in with a token, not an account name, so there is no account to count for: the count is
kept per client address instead. :class:`SignInThrottle` counts one service's wrong tokens in a row
from each address, whichever sign-in point they came to (a back office's or the inspector's sign-in
page, an API's ``Authorization: Bearer``): after :data:`FREE` of them, each further try waits twice
as long as the last (2 s, 4 s ... at most :data:`LONGEST`), as :func:`backoff` says (the wallet's
:class:`wallet.passphrase.UnlockThrottle`, which counts wrong passphrases, waits the same way). While
an address waits, every sign-in from it is refused unread, the right token too (else the wait would
be no wait); other addresses go on. The right token ends the count, once: an hour without a wrong one
(:data:`FORGET_AFTER`) forgets it, and only then may the right token end it again. A clerk who mistyped
signs in on a fresh count; whoever holds one token (any clerk, inspector, a read-only admin token) does
not get to guess others for ever, ``FREE - 1`` between each of their own sign-ins.

The address is the TCP peer's, as the ASGI server gives it: ``X-Forwarded-For`` counts only from a
proxy the server was told to trust (uvicorn's ``FORWARDED_ALLOW_IPS``, README "In front of the
services"). An IPv6 client is counted by its /64 network, which one host usually holds whole.

The counts live in this process's memory, at most :data:`MAX_ADDRESSES` of them (the address that
failed least recently goes first), so that an attacker rotating addresses cannot make a process
hold more; each worker process of a service (``--workers N``) counts for itself. The clock is
``time.monotonic`` unless one is given (tests stand at any moment): in memory, a wait needs no date.

Pure: no HTTP and no I/O. The one side effect is the warning logged when an address starts waiting
(event ``signin_throttled``): never the token, and the address only as its network (/24 for IPv4,
/48 for IPv6), enough for an operator to see where a storm comes from, not who is behind it.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from credentials import i18n
from credentials.errors import ProtocolError

__all__ = ["FORGET_AFTER", "FREE", "LONGEST", "MAX_ADDRESSES", "SignInThrottle", "backoff", "network_of",
           "retry_after", "too_many"]

#: Wrong tokens in a row from one address before the next try waits.
FREE = 5
#: The longest wait (seconds) however many wrong tokens came before.
LONGEST = 300.0
#: Seconds without a wrong token after which an address's count is forgotten.
FORGET_AFTER = 3600.0
#: The most addresses counted at once (a few hundred bytes each).
MAX_ADDRESSES = 10_000

log = logging.getLogger("esspass")

# What a person signing in reads while their address waits, in the pages' five languages.
i18n.register({"signin.wait": dict(zip(i18n.LANGUAGES, (
    "Too many wrong tokens were tried from this network address. Sign-in is paused: try again in {seconds} s.",
    "No šīs tīkla adreses izmēģināts pārāk daudz nepareizu pilnvaru. Pieteikšanās ir apturēta: mēģiniet vēlreiz "
    "pēc {seconds} s.",
    "Von dieser Netzwerkadresse wurden zu viele falsche Token versucht. Die Anmeldung ist angehalten: Versuchen Sie "
    "es in {seconds} s erneut.",
    "Trop de jetons erronés ont été essayés depuis cette adresse réseau. La connexion est suspendue\u00a0: "
    "réessayez dans {seconds}\u00a0s.",
    "Z tego adresu sieciowego wypróbowano zbyt wiele błędnych tokenów. Logowanie jest wstrzymane: spróbuj ponownie "
    "za {seconds} s.",
), strict=True))})


def backoff(failures: int, *, free: int, longest: float) -> float:
    """Seconds to wait after ``failures`` wrong tries in a row: none before ``free``, then 2 s, 4 s,
    8 s ... at most ``longest`` (NIST SP 800-63B §5.2.2: a wait that "increases as the account
    approaches its maximum allowance")."""
    if failures < free:
        return 0.0
    # The exponent stops where the wait reached its longest: 2.0 ** 1024 would overflow.
    return min(longest, 2.0 ** min(failures - free + 1, 30))


def retry_after(wait: float) -> int:
    """A wait in whole seconds, never less than the wait itself (``Retry-After``, RFC 9110 §10.2.3)."""
    return int(wait) + 1


def too_many(wait: float) -> ProtocolError:
    """An API's answer while the client's address waits: 429 with ``Retry-After`` and a JSON body
    (RFC 6585 §4; ``slow_down``, the OAuth error for a client that asks too often, RFC 8628 §3.5)."""
    seconds = retry_after(wait)
    return ProtocolError("slow_down", f"too many wrong tokens from this address: try again in {seconds} s",
                         http_status=429, headers={"Retry-After": str(seconds)})


def _key(address: str | None) -> str:
    """What an address is counted as: an IPv4 address (an IPv4-mapped IPv6 one too), an IPv6 /64
    network, or anything else (a Unix socket's, a test client's name) as given, cut short."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "")[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def network_of(address: str | None) -> str:
    """How a log names an address: its /24 (IPv4) or /48 (IPv6) network, never the address itself
    (it can name a person's connection, GDPR Art. 4(1)); ``unknown`` for one that is no IP address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ipaddress.ip_network((ip, 24 if ip.version == 4 else 48), strict=False))


@dataclass(slots=True)
class _Count:
    failures: int
    not_before: float  # the clock's time before which no try is taken
    last: float  # when the last wrong token came
    forgiven: bool = False  # the right token ended the count once already (SignInThrottle.succeeded)


class SignInThrottle:
    """One service's wrong sign-ins, counted per client address (module docstring).

    Use: ``wait(address)`` first (more than 0: refuse, unread, with :func:`retry_after`); then, once the
    token was checked, ``failed(address)`` or ``succeeded(address)``. ``service`` names the service in
    the log. Safe to share between threads; checks and counts of one address that come at the same
    moment may let a try or two more through than ``free``, never a stream of them: each wrong one
    counted moves the wait on."""

    def __init__(self, service: str, *, free: int = FREE, longest: float = LONGEST,
                 forget_after: float = FORGET_AFTER, max_addresses: int = MAX_ADDRESSES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.service = service
        self._free, self._longest, self._forget_after = free, longest, forget_after
        self._max, self._clock = max_addresses, clock
        self._counts: OrderedDict[str, _Count] = OrderedDict()  # least recently failed first
        self._lock = threading.Lock()

    @property
    def addresses(self) -> int:
        """How many addresses are counted now (no ``__len__``: an empty throttle is still one)."""
        return len(self._counts)

    def _current(self, key: str, now: float) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and now - count.last > self._forget_after and now >= count.not_before:
            del self._counts[key]
            return None
        return count

    def wait(self, address: str | None) -> float:
        """Seconds before a sign-in from ``address`` is taken (0: now)."""
        now = self._clock()
        with self._lock:
            count = self._current(_key(address), now)
            # Never longer than the longest wait, even if the clock went back.
            return 0.0 if count is None else min(self._longest, max(0.0, count.not_before - now))

    def failed(self, address: str | None) -> float:
        """One more wrong token from ``address``; returns the wait it now has (0: none yet)."""
        key, now = _key(address), self._clock()
        with self._lock:
            count = self._current(key, now)
            if count is None:
                while len(self._counts) >= self._max:
                    self._counts.popitem(last=False)
                count = self._counts[key] = _Count(0, 0.0, now)
            count.failures += 1
            count.last = now
            self._counts.move_to_end(key)
            wait = backoff(count.failures, free=self._free, longest=self._longest)
            if wait:
                count.not_before = now + wait
            failures = count.failures
        if wait:
            log.warning("sign-in paused for %d s after %d wrong tokens in a row from %s", retry_after(wait),
                        failures, network_of(address), extra={"service": self.service, "event": "signin_throttled"})
        return wait

    def succeeded(self, address: str | None) -> None:
        """The right token from ``address``: its count starts again, the first time only until the count
        is forgotten (module docstring)."""
        key, now = _key(address), self._clock()
        with self._lock:
            count = self._current(key, now)
            if count is not None and not count.forgiven:
                count.failures, count.not_before, count.forgiven = 0, 0.0, True
