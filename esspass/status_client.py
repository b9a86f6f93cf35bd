"""Fetching Status List Tokens for verifiers, with a cache bounded by ``ttl`` and a maximum age.

draft-ietf-oauth-status-list §8.3 / §13: a relying party fetches the list at the reference's
``uri`` (as a JWT, or as a CWT for an mdoc), verifies it (here against the CA certificates the
trust list gives for the *same* institution that signed the credential), and may reuse it until
``ttl`` has passed. When the issuer
is unreachable, a cached list is still used up to ``max_age`` seconds old (offline tolerance,
issue #6), and its age is reported; beyond that the outcome is undetermined, never valid.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import httpx

from credentials import status_list, trust_list
from credentials.errors import CredentialError
from credentials.verification import StatusOutcome, status_value_of

__all__ = ["StatusClient"]


@dataclass
class _Entry:
    verified: status_list.VerifiedStatusList
    fetched: float  # unix time of the fetch
    entity_id: str
    etag: str | None = None


class StatusClient:
    """Callable as a :data:`credentials.verification.StatusLookup`.

    ``revalidate`` (default): inside ``ttl`` the cached list is still revalidated with a
    conditional request (ETag, 304 costs no signature check), so an inspector sees a revocation at
    once when online; ``ttl`` then bounds only how long the copy serves when the issuer is down.
    """

    def __init__(self, http: httpx.Client, *, max_age: int = 24 * 3600, default_ttl: int = 300,
                 revalidate: bool = True) -> None:
        self._http = http
        self._revalidate = revalidate
        self._max_age = max_age
        self._default_ttl = default_ttl
        self._cache: dict[tuple[str, str], _Entry] = {}  # by (uri, token form)
        self._lock = threading.Lock()

    def __call__(self, ref: status_list.StatusReference, entity: trust_list.ListedEntity,
                 now: datetime) -> StatusOutcome:
        ts = now.timestamp()
        key = (ref.uri, ref.token_form)
        with self._lock:
            entry = self._cache.get(key)
        usable = entry is not None and entry.entity_id == entity.id
        fresh = usable and entry is not None and ts - entry.fetched < (entry.verified.ttl or self._default_ttl)
        if fresh and not self._revalidate:
            assert entry is not None
            return self._outcome(entry, ref, ts, "cache")
        cwt = ref.token_form == status_list.CWT  # an mdoc's list, in the CWT form (ISO 18013-5 2nd ed.)
        headers = {"Accept": status_list.CWT_MEDIA_TYPE if cwt else status_list.MEDIA_TYPE}
        if usable and entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        try:
            response = self._http.get(ref.uri, headers=headers, timeout=5)
            if response.status_code == 304 and usable and entry is not None:
                entry.fetched = ts
                return self._outcome(entry, ref, ts, "network")
            response.raise_for_status()
        except httpx.HTTPError:
            if fresh and entry is not None:
                return self._outcome(entry, ref, ts, "cache")
            return self._fallback(entry, entity, ref, ts, "The institution's status list could not be fetched")
        try:
            if cwt:
                verified = status_list.verify_cwt_token(response.content, uri=ref.uri, anchors=entity.anchors(),
                                                        now=now)
            else:
                verified = status_list.verify_token(response.text.strip(), uri=ref.uri, anchors=entity.anchors(),
                                                    now=now)
        except CredentialError as exc:
            return StatusOutcome(None, None, "network", f"The status list is not signed by the issuing institution "
                                 f"({exc.code}).", forged=True)
        entry = _Entry(verified, ts, entity.id, response.headers.get("etag"))
        with self._lock:
            self._cache[key] = entry
        return self._outcome(entry, ref, ts, "network")

    def _fallback(self, entry: _Entry | None, entity: trust_list.ListedEntity, ref: status_list.StatusReference,
                  ts: float, why: str) -> StatusOutcome:
        if entry is not None and entry.entity_id == entity.id and ts - entry.verified.iat <= self._max_age:
            return self._outcome(entry, ref, ts, "cache")
        age = None if entry is None else ts - entry.verified.iat
        suffix = "" if entry is None else f" and the cached copy is {int(age or 0) // 60} minutes old"
        return StatusOutcome(None, age, "none", f"{why}{suffix}.")

    def _outcome(self, entry: _Entry, ref: status_list.StatusReference, ts: float, source: str) -> StatusOutcome:
        age = max(0.0, ts - entry.verified.iat)
        if age > self._max_age:
            return StatusOutcome(None, age, source, "The status list is older than the allowed maximum age.")
        value = status_value_of(entry.verified, ref)
        if value is None:
            return StatusOutcome(None, age, source, "The document's entry is outside the status list.", forged=True)
        return StatusOutcome(value, age, source)
