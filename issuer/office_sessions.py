"""The back office's sessions: a clerk signs in with the institution's token and gets a session.

The cookie carries a random session id, never the token itself (which is also the API's Bearer
credential and long-lived): signing out ends the session on the server, a session ends 8 hours
after sign-in or 1 hour after its last use, and one whose token was taken from the institution
(``clerk-tokens``) ends with it. Sessions live in the issuer's database, so every worker and
replica knows them. The CSRF token of a session's forms is derived from its id (OWASP
"synchronizer token" pattern), so any worker can check it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from esspass.db import Sessions
from issuer.db import OfficeSession, stored_hash, utc

__all__ = ["ABSOLUTE", "IDLE", "OfficeSessions", "SignedIn", "csrf_ok", "csrf_token"]

ABSOLUTE = timedelta(hours=8)
IDLE = timedelta(hours=1)
_TOUCH_EVERY = timedelta(minutes=5)  # last use is written at most this often: a page view is a read


@dataclass(frozen=True, slots=True)
class SignedIn:
    entity_id: str
    session_id: str

    @property
    def csrf(self) -> str:
        return csrf_token(self.session_id)


def csrf_token(session_id: str) -> str:
    """The CSRF token of a session's forms: keyed by the (secret) session id, so any worker checks it."""
    return hmac.new(session_id.encode(), b"office-csrf", hashlib.sha256).hexdigest()


def csrf_ok(sent: object, session_id: str) -> bool:
    return isinstance(sent, str) and bool(session_id) and hmac.compare_digest(sent.encode(),
                                                                                csrf_token(session_id).encode())


class OfficeSessions:
    def __init__(self, sessions: Sessions, clock: Callable[[], datetime]) -> None:
        self.sessions, self.clock = sessions, clock

    def open(self, entity_id: str, token: str) -> str:
        """A new session for a clerk who signed in with ``token``; returns its id (the cookie)."""
        session_id, now = secrets.token_urlsafe(32), self.clock()
        with self.sessions.begin() as s:
            s.execute(delete(OfficeSession).where(OfficeSession.expires_at < now))  # the ended ones go
            s.add(OfficeSession(id_hash=stored_hash(session_id), entity_id=entity_id, token_hash=stored_hash(token),
                                expires_at=now + ABSOLUTE, last_used=now))
        return session_id

    def find(self, session_id: str | None, tokens: Mapping[str, str]) -> SignedIn | None:
        """The signed-in session behind a cookie, or None (unknown, ended, idle, or its token revoked)."""
        if not session_id or len(session_id) > 100:
            return None
        now = self.clock()
        with self.sessions() as s:
            row = s.get(OfficeSession, stored_hash(session_id))
            if row is None:
                return None
            entity_id, token_hash = row.entity_id, row.token_hash
            expires, used = utc(row.expires_at), utc(row.last_used)
        current = {stored_hash(t) for t, entity in tokens.items() if entity == entity_id}
        if now >= expires or now - used > IDLE or token_hash not in current:
            self.close(session_id)
            return None
        if now - used > _TOUCH_EVERY:
            with self.sessions.begin() as s:
                row = s.get(OfficeSession, stored_hash(session_id))
                if row is not None:
                    row.last_used = now
        return SignedIn(entity_id, session_id)

    def close(self, session_id: str) -> None:
        with self.sessions.begin() as s:
            s.execute(delete(OfficeSession).where(OfficeSession.id_hash == stored_hash(session_id)))
