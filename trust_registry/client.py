"""Fetching, verifying and caching the registry's trust lists (the I/O half of :mod:`credentials.trust_list`).

Wallets and verifiers pin the registry root certificate out of band (never from ``/root.pem`` of
the registry they are checking). :class:`TrustListClient`:

* keeps the last *verified* list of each kind in memory and on disk (``<cache_dir>/<kind>.jwt``,
  written atomically: temporary file + ``os.replace``); a cache file is verified again against
  the pinned root when loaded, so a damaged or planted file is ignored, never trusted;
* fetches from the registry when it holds no list yet, its list is past ``next_update``, or the
  registry's ``Cache-Control: max-age`` (at most :data:`REVALIDATE_AFTER` seconds; that when the
  answer names none, or for a list read from disk) has passed since the list was fetched, so a
  suspension the registry publishes is seen within minutes while online, not at the next daily
  issue (:meth:`TrustListClient.refresh` forces a fetch);
* when the registry is unreachable (any ``httpx.HTTPError``), takes longer than the client's
  ``deadline`` over the whole fetch (:mod:`esspass.fetch`), or serves something that does not
  verify, answers from the held list and says so: ``info(kind).source == "cache"`` with the
  list's age (offline operation, ARCHITECTURE.md "trust_list");
* never accepts a list with a lower ``sequence`` than one it already holds (rollback attack), nor
  an older issue of the same sequence; with a ``cache_dir`` the list on disk is that high-water
  mark across restarts;
* never serves a list older than ``max_age``, **measured from the list's issuance** (``iat``),
  whichever way it came: fetched (a replayed old list, genuinely signed, from before a verifier
  was withdrawn or an issuer suspended), confirmed by a 304, held in memory or read from disk.
  ``next_update`` decides only when to ask again; the offline grace is ``max_age`` itself. There
  is no unbounded client: ``max_age`` defaults to :data:`DEFAULT_MAX_AGE`;
* with no usable list at all, or only one older than ``max_age``, fails closed with
  :class:`~credentials.errors.IssuerTrustError` (the verifier's trust step is then
  "undetermined"; the wallet neither presents to nor receives from a party it cannot check).

Every list goes through :func:`credentials.trust_list.verify_trust_list` with the pinned root.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import httpx
from cryptography.x509 import Certificate

from credentials import trust_list
from credentials.errors import CredentialError, IssuerTrustError
from esspass import fetch

__all__ = ["DEFAULT_MAX_AGE", "MAX_LIST_BYTES", "REVALIDATE_AFTER", "ListInfo", "TrustListClient",
           "TrustListTooOld", "TrustListUnavailable"]

class TrustListTooOld(IssuerTrustError):
    """The list held is older than the client's ``max_age`` since its issuance, so it is never
    served: ``age`` and ``max_age`` in seconds, for a verdict that says how old (the inspector must
    get the lists again, which a device never prepared is told differently)."""

    def __init__(self, message: str, *, age: float, max_age: float) -> None:
        super().__init__(message)
        self.age = age
        self.max_age = max_age


class TrustListUnavailable(IssuerTrustError):
    """No usable list because the registry at ``registry_url`` gave none (unreachable, an error, a
    list that does not verify: ``detail``) and none is held that may still be used (``too_old``: the
    one held, past its maximum age). Still an :class:`IssuerTrustError` (the check is undetermined);
    told apart so that a command can say the registry was not reached, and where, rather than that
    someone is not trusted."""

    def __init__(self, message: str, *, registry_url: str, detail: str,
                 too_old: TrustListTooOld | None = None) -> None:
        super().__init__(message)
        self.registry_url = registry_url
        self.detail = detail
        self.too_old = too_old


MAX_LIST_BYTES = 4 * 1024 * 1024  # the limit verify_trust_list applies too
#: Seconds a fetched list is used before asking the registry again: the registry's own
#: ``Cache-Control: max-age`` ceiling (trust_registry.app), so a longer value from a proxy on the
#: way cannot hide a suspension for longer than the registry meant.
REVALIDATE_AFTER = 300
#: Seconds a list is taken as current for a document it does not authorise (:meth:`TrustListClient.revalidate`):
#: an older one is fetched again, at most once per this many seconds.
SETTLED = 30
#: The oldest list (since its issuance) a client serves unless told otherwise: a week covers a
#: device offline on a remote site while the registry reissues its lists daily (the verifier's
#: ``ESSPASS_VERIFIER_TRUST_LIST_MAX_AGE`` default).
DEFAULT_MAX_AGE = timedelta(days=7)
#: Seconds one fetch of a list may take in all: a list of up to MAX_LIST_BYTES still comes in over
#: a slow mobile link on a site (about 1 Mbit/s), as the wallet gives any answer
#: (wallet.http.MAX_RESPONSE_SECONDS); only the check that asks waits, the others use the held list.
_FETCH_DEADLINE = 30.0
Source = Literal["network", "cache"]


@dataclass(frozen=True, slots=True)
class ListInfo:
    """Where the list in use came from and how old it is (shown to inspectors as freshness)."""

    source: Source  # "network": fetched and verified on the last attempt; "cache": held copy served
    fetched_at: datetime  # when this copy was fetched from the registry
    age_seconds: float  # seconds since the registry issued it
    sequence: int
    stale: bool  # past its next_update


@dataclass
class _Held:
    token: str
    tl: trust_list.TrustList
    source: Source
    fetched_at: datetime
    revalidate_at: datetime  # the registry's max-age after fetched_at: ask again from then on
    etag: str | None = None  # sent as If-None-Match: an unchanged list costs a 304, not 4 MiB


class _Unavailable(Exception):
    """The registry could not give a verified list this time (reason kept for the error message)."""


class TrustListClient:
    """``issuers(now)`` / ``verifiers(now)`` give a verified :class:`~credentials.trust_list.TrustList`.

    ``max_age``: the oldest list (time since the registry issued it) ever served, from the network
    or from what is held, even before its ``next_update`` (module docstring); past it every call
    raises IssuerTrustError until a newer list is had. It must be positive: there is no "any age".
    ``retry_after`` (seconds) spaces out attempts to reach a registry that just failed, so a
    verifier does not wait on it for every check while offline. ``timeout`` bounds each network
    operation, ``deadline`` a whole fetch, from connecting to the last byte, when ``http`` is built
    on :func:`esspass.fetch.transport` (a registry, or whoever answers for it, may drag it out).
    """

    def __init__(self, registry_url: str, *, registry_root: Certificate, http: httpx.Client,
                 cache_dir: Path | None = None, max_age: timedelta = DEFAULT_MAX_AGE, retry_after: float = 30.0,
                 timeout: float = 5.0, deadline: float = _FETCH_DEADLINE) -> None:
        if not isinstance(max_age, timedelta) or max_age <= timedelta(0):
            raise ValueError("max_age must be a positive timedelta: every trust list's age is bounded")
        self._url = registry_url.rstrip("/")
        self._root = registry_root
        self._http = http
        self._cache_dir = cache_dir
        self._max_age = max_age
        self._retry_after = retry_after
        self._timeout = timeout
        self._deadline = deadline
        self._held: dict[str, _Held] = {}
        self._last_attempt: dict[str, datetime] = {}
        self._failures: dict[str, int] = {}  # consecutive failed fetches: the wait between tries doubles
        self._fetching: set[str] = set()  # kinds one thread is fetching now; the others use the held list
        self._generation: dict[str, int] = {}  # successful fetches so far: a late failure does not count
        self._last_now: dict[str, datetime] = {}
        self._revalidated: dict[str, datetime] = {}  # when revalidate last asked, per kind
        self._lock = threading.Lock()

    # --- public ----------------------------------------------------------------------------------

    def issuers(self, now: datetime) -> trust_list.TrustList:
        """The issuers list (fetching it if none is held, or it is due for revalidation or past ``next_update``)."""
        return self.get("issuers", now)

    def verifiers(self, now: datetime) -> trust_list.TrustList:
        """The verifiers list (fetching it if none is held, or it is due for revalidation or past ``next_update``)."""
        return self.get("verifiers", now)

    def wallet_providers(self, now: datetime) -> trust_list.TrustList:
        """The wallet providers list, whose attestations an issuer accepts (same caching)."""
        return self.get("wallet_providers", now)

    def get(self, kind: str, now: datetime) -> trust_list.TrustList:
        return self._get(kind, now, force=False)

    def refresh(self, kind: str, now: datetime) -> trust_list.TrustList:
        """Fetch now, whatever the registry's max-age and ``next_update`` (falls back to the held list
        like :meth:`get`)."""
        return self._get(kind, now, force=True)

    def revalidate(self, kind: str, now: datetime, *, settled: float = SETTLED) -> trust_list.TrustList | None:
        """The ``kind`` list fetched again now, for a caller with reason to think the one held predates
        a change: it does not authorise a document's issuer (a key rotated in, a role or an institution
        just registered), which it would otherwise hold for up to :data:`REVALIDATE_AFTER` seconds.
        None, and nothing asked, when the list held is younger than ``settled`` seconds (issued), one
        was asked for this way within ``settled`` seconds (any wallet can send documents of issuers no
        list authorises; each would be a request to the registry), or the registry did not answer its
        last attempt (a device without network does not wait on it for each such document)."""
        with self._lock:
            held = self._held.get(kind)
            last = self._revalidated.get(kind)
            if held is None or held.tl.age(now) < settled or self._failures.get(kind) \
                    or (last is not None and 0 <= (now - last).total_seconds() < settled):
                return None
            self._revalidated[kind] = now
        try:
            return self._get(kind, now, force=True)
        except IssuerTrustError:  # nothing usable held any more: the caller's verdict stands as it was
            return None

    def info(self, kind: str, now: datetime | None = None) -> ListInfo:
        """Source, fetch time, age, sequence and staleness of the held ``kind`` list.

        ``now`` defaults to the time of the last :meth:`get` for this kind (so a caller on a
        simulated clock sees consistent numbers), else the wall clock. IssuerTrustError when no
        list is held yet.
        """
        with self._lock:
            held = self._held.get(kind)
            at = now or self._last_now.get(kind) or datetime.now(UTC)
        if held is None:
            raise IssuerTrustError(f"no {kind} trust list is held yet")
        return ListInfo(held.source, held.fetched_at, held.tl.age(at), held.tl.sequence, held.tl.stale(at))

    # --- internals -------------------------------------------------------------------------------

    def _get(self, kind: str, now: datetime, *, force: bool) -> trust_list.TrustList:
        if kind not in trust_list.KINDS:
            raise ValueError(f"unknown list kind {kind!r}")
        with self._lock:
            self._last_now[kind] = now
            held = self._held.get(kind)
            if held is None:
                held = self._load_disk(kind, now)
            if not force and held is not None:
                if not held.tl.stale(now) and now < held.revalidate_at and not self._too_old(held, now):
                    return held.tl
                # Due: past the registry's max-age (a suspension may have been published since), past
                # next_update, or older than max_age. Ask the registry; the held list is the fallback.
                if kind in self._fetching:  # another check is asking already: no one waits on the network
                    return self._serve_held(kind, held, now, "the registry is being asked", mark=False)
                last = self._last_attempt.get(kind)
                wait = self._retry_after * 2 ** min(self._failures.get(kind, 1) - 1, 4)  # offline: 30 s .. 8 min
                if last is not None and 0 <= (now - last).total_seconds() < wait:
                    return self._serve_held(kind, held, now, "the registry was unreachable moments ago")
            self._last_attempt[kind] = now
            self._fetching.add(kind)
            generation = self._generation.get(kind, 0)
        try:
            # Outside the lock: while one check waits on the registry, the others use the held list.
            try:
                fresh: _Held | _Unavailable = self._fetch(kind, now, held)
            except _Unavailable as exc:
                fresh = exc
            except Exception as exc:  # noqa: BLE001 - a closed client, a bad URL, a bug: never "no one asks again"
                fresh = _Unavailable(f"the registry could not be asked ({exc.__class__.__name__})")
        finally:
            with self._lock:
                self._fetching.discard(kind)
        with self._lock:
            # Another check may have stored a newer list meanwhile (a forced refresh): never go below it.
            current = self._held.get(kind) or held
            if isinstance(fresh, _Unavailable):
                if self._generation.get(kind, 0) == generation:  # no fetch has succeeded since this one began
                    self._failures[kind] = self._failures.get(kind, 0) + 1
                if current is None:
                    raise TrustListUnavailable(f"trust list unavailable: {fresh}; no cached {kind} list",
                                               registry_url=self._url, detail=str(fresh)) from fresh
                try:
                    return self._serve_held(kind, current, now, str(fresh))
                except TrustListTooOld as exc:  # the held list is too old, and the registry gave none
                    raise TrustListUnavailable(exc.message, registry_url=self._url, detail=str(fresh),
                                               too_old=exc) from fresh
            if current is not None and (fresh.tl.sequence, fresh.tl.issued_at) < (current.tl.sequence,
                                                                                  current.tl.issued_at):
                # Rollback: a genuinely signed but older list (replayed by an attacker or a stale mirror).
                return self._serve_held(kind, current, now, f"the registry served an older list "
                                                            f"(sequence {fresh.tl.sequence} < {current.tl.sequence})")
            if self._too_old(fresh, now):  # what the registry serves is held to max_age too
                return self._serve_held(kind, fresh, now, "the registry serves an outdated list")
            self._failures.pop(kind, None)
            self._generation[kind] = self._generation.get(kind, 0) + 1
            self._held[kind] = fresh
            self._last_attempt.pop(kind, None)
            self._store_disk(kind, fresh.token, unchanged=current is not None and fresh.token == current.token)
            return fresh.tl

    def _too_old(self, held: _Held, now: datetime) -> bool:
        """Older than ``max_age`` since its issuance: never served, from wherever it came."""
        return held.tl.age(now) > self._max_age.total_seconds()

    def _serve_held(self, kind: str, held: _Held, now: datetime, why: str, *,
                    mark: bool = True) -> trust_list.TrustList:
        """The held list when no fresh one can be had (``mark``: say it comes from the cache)."""
        if self._too_old(held, now):
            age, most = held.tl.age(now), self._max_age.total_seconds()
            raise TrustListTooOld(f"trust list unavailable: {why}; the cached {kind} list is {int(age)} s old, "
                                  f"more than the {int(most)} s allowed", age=age, max_age=most)
        if mark:
            held.source = "cache"
        self._held[kind] = held
        return held.tl

    def _fetch(self, kind: str, now: datetime, held: _Held | None) -> _Held:
        """The registry's list now; with ``held``, revalidated by its ETag (RFC 9110 §13.1.2): an
        unchanged list is a 304 and the held one stays, confirmed as of now."""
        headers = {"Accept": "application/trust-list+jwt"}
        if held is not None and held.etag:
            headers["If-None-Match"] = held.etag
        try:
            with fetch.stream(self._http, "GET", f"{self._url}/lists/{kind}", seconds=self._deadline,
                              timeout=self._timeout, headers=headers) as response:
                fresh_for = _fresh_for(response.headers.get("cache-control"))
                if response.status_code == 304 and held is not None and held.etag:
                    try:  # unchanged: still the list it was, verified again as of now (its signer may have expired)
                        tl = trust_list.verify_trust_list(held.token, registry_root=self._root, now=now, kind=kind)
                    except CredentialError as exc:
                        raise _Unavailable("the held list no longer verifies against the pinned root") from exc
                    return _Held(held.token, tl, "network", now, now + timedelta(seconds=fresh_for), held.etag)
                if response.status_code != 200:
                    raise _Unavailable(f"the registry answered HTTP {response.status_code}")
                etag = response.headers.get("etag")
                body = fetch.read(response, limit=MAX_LIST_BYTES)
        except fetch.TooLarge as exc:
            raise _Unavailable("the registry's answer is too large") from exc
        except fetch.DeadlineExceeded as exc:
            raise _Unavailable(f"the registry did not answer in full within {self._deadline:g} s") from exc
        except httpx.HTTPError as exc:
            raise _Unavailable(f"the registry is unreachable ({exc.__class__.__name__})") from exc
        try:
            token = body.decode("ascii").strip()
            tl = trust_list.verify_trust_list(token, registry_root=self._root, now=now, kind=kind)
        except (UnicodeDecodeError, CredentialError) as exc:
            raise _Unavailable("the registry's list does not verify against the pinned root") from exc
        return _Held(token, tl, "network", now, now + timedelta(seconds=fresh_for), etag)

    def _path(self, kind: str) -> Path | None:
        return None if self._cache_dir is None else self._cache_dir / f"{kind}.jwt"

    def _load_disk(self, kind: str, now: datetime) -> _Held | None:
        path = self._path(kind)
        if path is None:
            return None
        try:
            if path.stat().st_size > MAX_LIST_BYTES:
                return None
            token = path.read_text(encoding="ascii").strip()
            fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            tl = trust_list.verify_trust_list(token, registry_root=self._root, now=now, kind=kind)
        except (OSError, UnicodeDecodeError, CredentialError):
            return None  # missing, damaged or foreign: ignored, never trusted
        # The answer's max-age is not on disk: count the ceiling from the file's time, so a
        # restarted client asks the registry again at once unless the copy was written just now.
        held = _Held(token, tl, "cache", fetched_at, fetched_at + timedelta(seconds=REVALIDATE_AFTER))
        self._held[kind] = held
        return held

    def _store_disk(self, kind: str, token: str, *, unchanged: bool = False) -> None:
        path = self._path(kind)
        if path is None:
            return
        if unchanged:  # revalidated: the file's time says when the list was last confirmed
            with contextlib.suppress(OSError):
                os.utime(path)
            return
        tmp: str | None = None
        try:
            # 0700 whatever the umask (a terminal wallet's, an operator's shell): which lists a device holds
            # is its own; mkstemp makes the file 0600.
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=f".{kind}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(token)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
        except OSError:
            pass  # a read-only or full disk costs the offline copy, not the answer
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def _fresh_for(cache_control: str | None) -> int:
    """Seconds the registry lets its answer be used without asking again (RFC 9111 §5.2.2.1
    ``max-age``; ``no-cache``/``no-store``: none), at most :data:`REVALIDATE_AFTER`, which is also
    the default when it says nothing usable."""
    for directive in (cache_control or "").split(","):
        name, _, value = directive.partition("=")
        name = name.strip().lower()
        if name in ("no-cache", "no-store"):
            return 0
        if name == "max-age":
            value = value.strip().strip('"')
            return min(int(value), REVALIDATE_AFTER) if value.isascii() and value.isdigit() else REVALIDATE_AFTER
    return REVALIDATE_AFTER
