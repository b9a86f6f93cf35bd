"""Ending the renewal grant of a deleted card at its institution, until that is done (RFC 7009; review J, L1).

A card's grant (a refresh token bound to the wallet's DPoP key, HAIP 1.0 §4, :mod:`wallet.renewal`)
lives at the issuer until the document ends. When the worker deletes the card, the wallet tells the
institution that the grant is over: a token revocation request (RFC 7009 §2.1, ``token_type_hint``
``refresh_token``) to its ``revocation_endpoint`` (RFC 8414 §2). An institution out of reach at that
moment would leave the token alive for whoever copied it, so the wallet keeps a
:class:`PendingRevocation` in its encrypted store: the endpoint, the refresh token and the DPoP key
it is bound to, and how the issuer authenticates the wallet there (as at its token endpoint); no
personal data, only the institution's name for a notice. It is tried again when the wallet next
opens (the pages unlocked, a terminal command) and on its network actions, each later try waiting
longer (:func:`backoff`), and it goes:

* when the institution answers 200 (RFC 7009 §2.2: also for a token it no longer knows);
* silently, once the token's own lifetime is over (:attr:`PendingRevocation.token_end`: the issuer
  ends a DPoP-bound grant with its document, issuer.service ``_RENEWAL_MAX``): nothing is left to end;
* after :data:`MAX_ATTEMPTS` failed tries or :data:`GIVE_UP_AFTER` since the deletion: the token and
  key are erased at once, and the worker is told once (whom to ask, and the latest day it ends by
  itself).

The worker sees nothing while tries fail now and then; only one that keeps failing
(:meth:`PendingRevocation.keeps_failing`) is said on the list of documents, as it goes on.

Pure data and decisions over a clock passed in; no I/O (the request is
:func:`wallet.receive.revoke_grant`, the orchestration :meth:`wallet.service.WalletService.retry_revocations`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from wallet.renewal import RenewalGrant

__all__ = ["FIRST_WAIT", "GIVE_UP_AFTER", "LONGEST_WAIT", "MAX_ATTEMPTS", "NOTICE_AFTER", "NOTICE_ATTEMPTS",
           "PendingRevocation", "backoff", "grant_end", "tidy"]

#: The wait after the first failed try; each further one waits twice as long as the last ...
FIRST_WAIT = timedelta(seconds=30)
#: ... up to this: a wallet opened every day tries once a day at least.
LONGEST_WAIT = timedelta(days=1)
#: Failed tries after which the wallet gives up ...
MAX_ATTEMPTS = 20
#: ... or this long after the deletion, whichever comes first: an institution out of reach for two weeks
#: is not a passing outage, and whom to ask is better said than a token kept for ever.
GIVE_UP_AFTER = timedelta(days=14)
#: A revocation that has failed at least :data:`NOTICE_ATTEMPTS` times over at least :data:`NOTICE_AFTER`
#: is said on the list of documents (:meth:`PendingRevocation.keeps_failing`); before, a passing outage
#: is nothing the worker needs to hear about.
NOTICE_ATTEMPTS = 3
NOTICE_AFTER = timedelta(days=1)
#: issuer.service.document_end: a document's last day ends at 23:59:59 in the last time zone on earth
#: (UTC-12), the next day at 11:59:59 UTC: the grant lives until then at most.
_LAST_ZONE_END = time(11, 59, 59, tzinfo=UTC)


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed tries: :data:`FIRST_WAIT`, doubled each time, at most :data:`LONGEST_WAIT`."""
    return min(LONGEST_WAIT, FIRST_WAIT * (1 << min(max(attempts, 1) - 1, 20)))


def grant_end(last_day: date | None) -> datetime | None:
    """When a deleted card's grant ends by itself: the end of its document's last day anywhere on earth
    (issuer.service ``document_end``, the grant's ``expires_at``); None for a document that names no
    last day (its grant ends up to five years on: only :data:`GIVE_UP_AFTER` bounds the tries)."""
    if last_day is None:
        return None
    return datetime.combine(last_day + timedelta(days=1), _LAST_ZONE_END)


@dataclass(frozen=True, slots=True)
class PendingRevocation:
    """A grant the wallet has still to end at its institution (module docstring). ``refresh_token`` and
    ``dpop_key`` (PKCS#8 PEM) are what RFC 7009 and RFC 9449 need, and are erased when the wallet gives
    up (``gave_up``); ``institution`` names it in the notices; times are ISO 8601 UTC."""

    id: str
    endpoint: str  # the institution's revocation_endpoint (RFC 8414 §2)
    refresh_token: str
    dpop_key: str
    token_auth_methods: tuple[str, ...]
    audience: str  # the audience of a client attestation PoP (the authorization server)
    challenge_endpoint: str | None
    institution: str
    deleted_at: str
    token_end: str | None = None
    attempts: int = 0
    next_try: str | None = None
    gave_up: bool = False

    @classmethod
    def of_grant(cls, grant: RenewalGrant, *, institution: str, now: datetime,
                 token_end: datetime | None) -> PendingRevocation | None:
        """What ends ``grant`` (of a card deleted at ``now``), to be tried at once; None when its issuer
        has no revocation endpoint (the grant is only forgotten: it ends unused, issuer.service
        ``REFRESH_IDLE``) or it has ended already (``token_end``)."""
        if grant.revocation_endpoint is None or (token_end is not None and token_end <= now):
            return None
        return cls(id=secrets.token_hex(8), endpoint=grant.revocation_endpoint, refresh_token=grant.refresh_token,
                   dpop_key=grant.dpop_key, token_auth_methods=grant.token_auth_methods, audience=grant.as_issuer,
                   challenge_endpoint=grant.challenge_endpoint, institution=_institution(institution),
                   deleted_at=now.isoformat(), token_end=token_end.isoformat() if token_end else None)

    def to_dict(self) -> dict[str, Any]:
        """As the store keeps it (JSON: a list for the methods), equal to what it reads back."""
        return {**asdict(self), "token_auth_methods": list(self.token_auth_methods)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PendingRevocation | None:
        """The typed view of a stored entry; None when it is none (a damaged store: nothing to send)."""
        try:
            values = {k: v for k, v in dict(data).items() if k in cls.__dataclass_fields__}
            values["token_auth_methods"] = tuple(str(m) for m in values.get("token_auth_methods", ()))
            entry = cls(**values)
        except (TypeError, ValueError):
            return None
        if not isinstance(entry.id, str) or not isinstance(entry.endpoint, str) or not isinstance(entry.attempts, int):
            return None
        return entry

    def due(self, now: datetime) -> bool:
        """Whether a network action at ``now`` tries it again (its wait has passed); never once given up."""
        return not self.gave_up and (self.next_try is None or _at(self.next_try) <= now)

    def failed(self, now: datetime) -> PendingRevocation:
        """One more failed try at ``now``: the next one waits :func:`backoff`; past the limits, given up."""
        tried = replace(self, attempts=self.attempts + 1, next_try=(now + backoff(self.attempts + 1)).isoformat())
        return tried.given_up() if tried.spent(now) else tried

    def spent(self, now: datetime) -> bool:
        """Whether the wallet stops trying: :data:`MAX_ATTEMPTS` failed, or :data:`GIVE_UP_AFTER` passed."""
        return self.attempts >= MAX_ATTEMPTS or now - _at(self.deleted_at) >= GIVE_UP_AFTER

    def given_up(self) -> PendingRevocation:
        """No more tries: the token and its key erased from the store; kept to tell the worker once."""
        return replace(self, refresh_token="", dpop_key="", gave_up=True, next_try=None)

    def over(self, now: datetime) -> bool:
        """Whether the token has ended by itself by ``now`` (:attr:`token_end`): nothing is left to end or say."""
        return self.token_end is not None and _at(self.token_end) <= now

    def keeps_failing(self, now: datetime) -> bool:
        """Whether the worker is told that it is still being tried (:data:`NOTICE_ATTEMPTS`, :data:`NOTICE_AFTER`)."""
        return (not self.gave_up and self.attempts >= NOTICE_ATTEMPTS
                and now - _at(self.deleted_at) >= NOTICE_AFTER)

    def last_try(self) -> datetime:
        """The last day it is tried (:data:`GIVE_UP_AFTER` after the deletion, or the token's end if sooner)."""
        until = _at(self.deleted_at) + GIVE_UP_AFTER
        return min(until, _at(self.token_end)) if self.token_end is not None else until


def _institution(name: str) -> str:
    """The institution's name as a notice says it (bounded: it came from the trust list)."""
    return " ".join(str(name).split())[:200]


def tidy(entries: Sequence[Mapping[str, Any]], now: datetime) -> list[PendingRevocation]:
    """The stored entries still worth keeping at ``now``: damaged ones and those whose token has ended
    (:meth:`PendingRevocation.over`) dropped, those past the limits given up (their token erased)."""
    kept: list[PendingRevocation] = []
    for raw in entries:
        entry = PendingRevocation.from_dict(raw) if isinstance(raw, Mapping) else None
        if entry is None or entry.over(now):
            continue
        kept.append(entry.given_up() if not entry.gave_up and entry.spent(now) else entry)
    return kept


def _at(iso: str) -> datetime:
    try:
        at = datetime.fromisoformat(iso)
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    except (ValueError, TypeError):
        return datetime.min.replace(tzinfo=UTC)  # damaged: due now, and past every limit
