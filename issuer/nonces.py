"""One-time values the issuer hands out and takes back once, shared by every worker through the database.

* c_nonces for key proofs and key attestations (OpenID4VCI §7);
* DPoP server nonces (RFC 9449 §8 at the token endpoint, §9 at the resource);
* client attestation challenges (draft-ietf-oauth-attestation-based-client-auth-10 §8);
* the proofs already used: a DPoP proof or an attestation PoP is accepted once (RFC 9449 §11.1,
  draft-10 §10.1).

All three kinds of nonce share the table ``issuer_nonces``, each kind under a prefix with a colon,
which no nonce given out (base64url) holds, so none passes for another. A c_nonce's prefix names the
Credential Issuer that gave it (each institution hosted here is one, §7): an institution does not
take another's c_nonce.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credentials import client_attestation, dpop
from credentials.errors import ProtocolError
from credentials.jose import jwk_thumbprint
from esspass.db import Sessions
from issuer.db import DpopJti, Nonce, stored_hash, utc

__all__ = ["Nonces"]

_DPOP_NONCE, _CHALLENGE = "dpop:", "att:"


def _c_nonce_row(issuer: str, value: str) -> str:
    """The row of ``issuer``'s c_nonce ``value``: ``c`` and 8 hex digits of the issuer identifier's
    SHA-256, so that it fits the column whatever the identifier's length."""
    return f"c{hashlib.sha256(issuer.encode()).hexdigest()[:8]}:{value}"
#: A used proof is remembered longer than any proof's accepted iat window.
_REMEMBER_USED = 600


class Nonces:
    """c_nonces, DPoP nonces and attestation challenges (each ``ttl`` seconds), and used proofs.

    ``dpop_nonces``: DPoP proofs must carry our server nonce. ``challenge_required``: an
    attestation PoP must carry one of our challenges.
    """

    def __init__(self, sessions: Sessions, clock: Callable[[], datetime], *, ttl: int,
                 dpop_nonces: bool, challenge_required: bool) -> None:
        self.sessions, self.clock, self.ttl = sessions, clock, ttl
        self.dpop_nonces, self.challenge_required = dpop_nonces, challenge_required

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    # --- handing out -----------------------------------------------------------------------------

    def c_nonce(self, issuer: str) -> str:
        """OpenID4VCI §7: a fresh c_nonce of the Credential Issuer ``issuer`` (its identifier),
        remembered until it expires or is used."""
        now = self._now()
        value = secrets.token_urlsafe(24)
        with self.sessions.begin() as s:
            s.add(Nonce(nonce=_c_nonce_row(issuer, value), expires_at=now + timedelta(seconds=self.ttl)))
            if secrets.randbelow(50) == 0:
                s.execute(delete(Nonce).where(Nonce.expires_at < now))
        return value

    def dpop_nonce(self) -> str:
        """RFC 9449 §8: the current server nonce for DPoP proofs, the same for every worker; a new
        one is made when the current one has less than half its lifetime left."""
        now = self._now()
        with self.sessions.begin() as s:
            current = s.scalars(select(Nonce).where(Nonce.nonce.startswith(_DPOP_NONCE, autoescape=True),
                                                    Nonce.expires_at > now + timedelta(seconds=self.ttl / 2))
                                .order_by(Nonce.expires_at.desc()).limit(1)).first()
            if current is not None:
                return current.nonce.removeprefix(_DPOP_NONCE)
            value = secrets.token_urlsafe(24)
            s.add(Nonce(nonce=_DPOP_NONCE + value, expires_at=now + timedelta(seconds=self.ttl)))
        return value

    def attestation_challenge(self) -> str:
        """draft-10 §8: a fresh challenge for a client attestation PoP, spent when used."""
        now = self._now()
        value = secrets.token_urlsafe(24)
        with self.sessions.begin() as s:
            s.add(Nonce(nonce=_CHALLENGE + value, expires_at=now + timedelta(seconds=self.ttl)))
        return value

    @contextmanager
    def renewed_on_refusal(self) -> Iterator[None]:
        """RFC 9449 §8 (token endpoint) and §9 (resource): ``use_dpop_nonce`` goes out with a fresh
        nonce, and ``use_attestation_challenge`` with a fresh challenge (draft-10 §8). Raised from
        inside a transaction, which has been rolled back by the time it gets here."""
        try:
            yield
        except ProtocolError as exc:
            if exc.error == "use_attestation_challenge":
                exc.headers[client_attestation.CHALLENGE_HEADER] = self.attestation_challenge()
                raise
            if exc.error != "use_dpop_nonce":
                raise
            exc.headers["DPoP-Nonce"] = self.dpop_nonce()
            if exc.http_status == 401:
                exc.headers["WWW-Authenticate"] = 'DPoP error="use_dpop_nonce", algs="ES256"'
            raise

    # --- taking back, inside the caller's transaction ----------------------------------------------

    def c_nonce_check(self, s: Session, now: datetime, issuer: str) -> Callable[[str], bool]:
        """Is a value one of the current c_nonces ``issuer`` gave? (The caller spends the ones it used,
        :meth:`spend_c_nonces`.)"""
        def check(value: str) -> bool:
            if ":" in value:
                return False  # a DPoP nonce or an attestation challenge is not a c_nonce
            row = s.get(Nonce, _c_nonce_row(issuer, value))
            return row is not None and utc(row.expires_at) >= now
        return check

    def spend_c_nonces(self, s: Session, issuer: str, values: Iterable[str]) -> None:
        """The c_nonces of ``issuer`` that :meth:`c_nonce_check` accepted are not accepted again."""
        for value in values:
            row = s.get(Nonce, _c_nonce_row(issuer, value))
            if row is not None:
                s.delete(row)

    def check_dpop_nonce(self, s: Session, proof: dpop.DpopProof, now: datetime, *, http_status: int) -> None:
        if not self.dpop_nonces:
            return
        row = s.get(Nonce, _DPOP_NONCE + proof.nonce) if proof.nonce is not None else None
        if row is None or utc(row.expires_at) < now:
            raise ProtocolError("use_dpop_nonce", "the DPoP proof must carry the nonce in the DPoP-Nonce header",
                                http_status=http_status)

    def first_use(self, s: Session, seen: str, now: datetime, error: str, description: str) -> None:
        """Accept a proof once (RFC 9449 §11.1; attestation PoP, draft-10 §10.1): ``error`` if seen before."""
        key = stored_hash(seen)
        if s.get(DpopJti, key) is not None:
            raise ProtocolError(error, description)
        s.add(DpopJti(jti_hash=key, expires_at=now + timedelta(seconds=_REMEMBER_USED)))
        try:
            s.flush()
        except IntegrityError as exc:  # the same proof at the same moment on another worker
            raise ProtocolError(error, description) from exc
        if secrets.randbelow(50) == 0:
            s.execute(delete(DpopJti).where(DpopJti.expires_at < now))

    def first_use_pop(self, s: Session, client: client_attestation.AttestedClient, now: datetime) -> None:
        """A client attestation PoP is accepted once, and its challenge is spent (draft-10 §8, §10.1)."""
        self.first_use(s, f"attestation-pop:{jwk_thumbprint(client.instance_jwk)}:{client.pop_jti}", now,
                       "invalid_client", "this client attestation PoP was already used")
        if client.challenge is None:
            if self.challenge_required:
                raise ProtocolError("use_attestation_challenge", "the client attestation PoP must carry a challenge "
                                    "from the challenge endpoint")
            return
        row = s.get(Nonce, _CHALLENGE + client.challenge)
        if row is None or utc(row.expires_at) < now:
            raise ProtocolError("use_attestation_challenge", "the client attestation PoP challenge is unknown, used "
                                "or expired")
        s.delete(row)
