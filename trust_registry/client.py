"""Fetching, verifying and caching the registry's trust lists (the I/O half of :mod:`credentials.trust_list`).

Wallets and verifiers pin the registry root certificate out of band. The client keeps the last
verified list in memory and on disk (written atomically), refetches it once ``next_update`` has
passed, and when the registry is unreachable or serves something that does not verify, answers
from the cached copy and says so (``info().source == "cache"`` and its age): offline operation.
A list with a lower sequence number than one already held is refused (rollback).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from cryptography.x509 import Certificate

from credentials import trust_list
from credentials.errors import CredentialError, IssuerTrustError

__all__ = ["ListInfo", "TrustListClient"]


@dataclass(frozen=True, slots=True)
class ListInfo:
    source: str  # network | cache
    sequence: int
    age_seconds: float
    stale: bool


@dataclass
class _Held:
    token: str
    tl: trust_list.TrustList
    source: str


class TrustListClient:
    """``issuers(now)`` / ``verifiers(now)`` give a verified :class:`~credentials.trust_list.TrustList`."""

    def __init__(self, registry_url: str, *, registry_root: Certificate, http: httpx.Client,
                 cache_dir: Path | None = None, retry_after: float = 30.0) -> None:
        self._url = registry_url.rstrip("/")
        self._root = registry_root
        self._http = http
        self._cache_dir = cache_dir
        self._retry_after = retry_after
        self._held: dict[str, _Held] = {}
        self._last_attempt: dict[str, float] = {}
        self._lock = threading.Lock()

    def issuers(self, now: datetime) -> trust_list.TrustList:
        return self.get("issuers", now)

    def verifiers(self, now: datetime) -> trust_list.TrustList:
        return self.get("verifiers", now)

    def info(self, kind: str, now: datetime) -> ListInfo | None:
        held = self._held.get(kind)
        if held is None:
            return None
        return ListInfo(held.source, held.tl.sequence, held.tl.age(now), held.tl.stale(now))

    def get(self, kind: str, now: datetime) -> trust_list.TrustList:
        return self._get(kind, now, force=False)

    def refresh(self, kind: str, now: datetime) -> trust_list.TrustList:
        """Fetch now regardless of ``next_update`` (falls back to the cache like :meth:`get`)."""
        return self._get(kind, now, force=True)

    def _get(self, kind: str, now: datetime, *, force: bool) -> trust_list.TrustList:
        with self._lock:
            held = self._held.get(kind) or self._load_disk(kind, now)
            if not force and held is not None:
                if not held.tl.stale(now):
                    return held.tl
                last = self._last_attempt.get(kind)
                if last is not None and now.timestamp() - last < self._retry_after:
                    return held.tl  # registry recently unreachable: do not hammer it on every check
            self._last_attempt[kind] = now.timestamp()
            fresh = self._fetch(kind, now, held)
            if fresh is not None:
                self._held[kind] = fresh
                self._store_disk(kind, fresh.token)
                return fresh.tl
            if held is None:
                raise IssuerTrustError(f"the {kind} trust list is unavailable (registry unreachable, no cached copy)")
            held.source = "cache"
            return held.tl

    def _fetch(self, kind: str, now: datetime, held: _Held | None) -> _Held | None:
        try:
            response = self._http.get(f"{self._url}/lists/{kind}", timeout=5,
                                      headers={"Accept": "application/trust-list+jwt"})
            response.raise_for_status()
            token = response.text.strip()
            tl = trust_list.verify_trust_list(token, registry_root=self._root, now=now, kind=kind)
        except (httpx.HTTPError, CredentialError):
            return None
        if held is not None and tl.sequence < held.tl.sequence:
            return None  # rollback to an older list: keep what we have
        return _Held(token, tl, "network")

    def _path(self, kind: str) -> Path | None:
        return None if self._cache_dir is None else self._cache_dir / f"{kind}.jwt"

    def _load_disk(self, kind: str, now: datetime) -> _Held | None:
        path = self._path(kind)
        if path is None or not path.exists():
            return None
        try:
            token = path.read_text(encoding="ascii").strip()
            tl = trust_list.verify_trust_list(token, registry_root=self._root, now=now, kind=kind)
        except (OSError, UnicodeDecodeError, CredentialError):
            return None  # a damaged or foreign cache file is ignored, never trusted
        held = _Held(token, tl, "cache")
        self._held[kind] = held
        return held

    def _store_disk(self, kind: str, token: str) -> None:
        path = self._path(kind)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(token, encoding="ascii")
        os.replace(tmp, path)
