"""Sign-in sessions for the staff pages: a clerk's back office, an inspector's verifier pages.

Staff sign in with a token that is also their API's Bearer credential and lives long. The cookie
carries a random session id instead, never the token: signing out ends the session on the server;
a session also ends 8 hours after sign-in, after an idle hour, and when its token is taken away
(``esspass issuer tokens``, ``esspass verifier tokens --revoke``). Sessions live in the service's
database, so every worker and replica knows them. The CSRF token of a session's forms is derived
from its id (the OWASP "synchronizer token" pattern), so any worker can check it.

Each service maps the same columns (:class:`SessionRow`) in a table of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, String, delete
from sqlalchemy.orm import Mapped, mapped_column

from esspass.db import Sessions

__all__ = ["ABSOLUTE", "IDLE", "SessionRow", "SignInSessions", "SignedIn", "csrf_ok", "csrf_token", "token_hash"]

ABSOLUTE = timedelta(hours=8)
IDLE = timedelta(hours=1)
_TOUCH_EVERY = timedelta(minutes=5)  # last use is written at most this often: a page view is a read


class SessionRow:
    """The columns of a service's sessions table: a declarative mixin each service maps in its own."""

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(60))  # the institution (back office) or the inspector's name
    token_hash: Mapped[str] = mapped_column(String(64))  # of the token signed in with: taking it away ends it
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    last_used: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def token_hash(value: str) -> str:
    """How a session id or token is kept: its SHA-256 (hex), never the value."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite reads back naive


@dataclass(frozen=True, slots=True)
class SignedIn:
    subject: str
    session_id: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_id)


def csrf_token(session_id: str) -> str:
    """The CSRF token of a session's forms: keyed by the (secret) session id, so any worker checks it."""
    return hmac.new(session_id.encode(), b"csrf", hashlib.sha256).hexdigest()


def csrf_ok(sent: object, session_id: str) -> bool:
    return isinstance(sent, str) and bool(session_id) and hmac.compare_digest(sent.encode(),
                                                                                csrf_token(session_id).encode())


class SignInSessions:
    """The sessions of one service, kept in its ``model`` table (columns of :class:`SessionRow`)."""

    def __init__(self, sessions: Sessions, clock: Callable[[], datetime], model: type[Any]) -> None:
        self.sessions, self.clock, self.model = sessions, clock, model

    def open(self, subject: str, token: str) -> str:
        """A new session for ``subject``, who signed in with ``token``; returns its id (the cookie)."""
        session_id, now = secrets.token_urlsafe(32), self.clock()
        with self.sessions.begin() as s:
            s.execute(delete(self.model).where(self.model.expires_at < now))  # the ended ones go
            s.add(self.model(id_hash=token_hash(session_id), subject=subject, token_hash=token_hash(token),
                             expires_at=now + ABSOLUTE, last_used=now))
        return session_id

    def find(self, session_id: str | None, current: Callable[[str], Collection[str]]) -> SignedIn | None:
        """The session behind a cookie, or None (unknown, ended, idle, or its token taken away).

        ``current(subject)`` gives the hashes (:func:`token_hash`) of the tokens that sign it in now."""
        if not session_id or len(session_id) > 100:
            return None
        now = self.clock()
        with self.sessions() as s:
            row: SessionRow | None = s.get(self.model, token_hash(session_id))
            if row is None:
                return None
            subject, signed_with = row.subject, row.token_hash
            expires, used = _aware(row.expires_at), _aware(row.last_used)
        if now >= expires or now - used > IDLE or signed_with not in current(subject):
            self.close(session_id)
            return None
        if now - used > _TOUCH_EVERY:
            with self.sessions.begin() as s:
                touched: SessionRow | None = s.get(self.model, token_hash(session_id))
                if touched is not None:
                    touched.last_used = now
        return SignedIn(subject, session_id)

    def close(self, session_id: str) -> None:
        with self.sessions.begin() as s:
            s.execute(delete(self.model).where(self.model.id_hash == token_hash(session_id)))
