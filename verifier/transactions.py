"""Inspections in progress, shared by every replica of the verifier through its database.

A transaction is created by one replica (the inspector's page), answered at the response_uri
on any replica (a load balancer picks), and polled from any. The answer is taken once across
replicas by a conditional update (``pending`` -> ``verifying``), never by a process lock.

At rest, the ephemeral private key that decrypts a direct_post.jwt answer and everything a verdict
says about the person are sealed with AES-256-GCM under the verifier's storage key, bound to the
row and column (associated data), so neither a database dump nor a swapped row reveals or
forges them. The person is erased (the column set to NULL, not only hidden) once the verdict has
been shown and the retention time has passed; an offline check's verdict not shown within
:data:`OFFLINE_UNSHOWN_SECONDS` counts as shown then.

Erased means gone from the database's files too (GDPR Art. 5(1)(e), 17): SQLite zeroes what it frees
(``secure_delete``), but its write-ahead log keeps the pages as they were until a checkpoint empties it
(:func:`esspass.db.release_erased`). That checkpoint is batched, never run on a request's path: every
erasure only notes that one happened (:meth:`TransactionStore.erased`), and the periodic sweep
(:meth:`verifier.service.VerifierService.sweep`, a thread of its own every ``sweep_interval``) empties
the log once for all of them (:meth:`TransactionStore.release_erased`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from credentials.files import configured_secret_key, secret_key
from esspass.db import release_erased_or_warn
from verifier import records
from verifier.db import ChallengeRecord, TransactionRecord

if TYPE_CHECKING:
    from verifier.settings import VerifierSettings

__all__ = ["MIGRATIONS", "Transaction", "TransactionStore", "UnreadableTransaction", "configured_storage_key",
           "load_storage_key", "viewer_hash"]

_log = logging.getLogger("esspass.verifier")

MIGRATIONS = Path(__file__).parent / "migrations"
_NONCE = 12
#: Seconds an offline check's verdict may wait to be shown (the scan page's redirect to the verdict
#: screen followed): after that its person is erased as if it had been shown then (:meth:`TransactionStore.sweep`).
OFFLINE_UNSHOWN_SECONDS = 60


class UnreadableTransaction(Exception):
    """A sealed part does not open under this replica's storage key."""


@dataclass
class Transaction:
    """An inspection as the service sees it, with its sealed parts opened.

    ``id`` is public (the wallet, and anyone who sees the QR code, learns it); ``view`` is the
    inspector's handle to the verdict, known only when the transaction is made (stored hashed)."""

    id: str
    kind: str  # online | offline
    nonce: str
    state: str
    client_id: str
    query: dict[str, Any]
    response_mode: str
    request_object: str
    encryption_key: Any  # a jwcrypto JWK (private), or None
    created: float
    expires: float
    purpose: str
    #: pending | verifying | done | error | expired (unanswered in time: :meth:`TransactionStore.expire`)
    status: str = "pending"
    verdict: dict[str, Any] | None = None  # without the person
    person: dict[str, Any] | None = None
    proof: str | None = None
    wallet_error: str | None = None
    shown_at: float | None = None
    #: A hash of the browser session that first showed the verdict (:meth:`TransactionStore.shown`).
    shown_to: str | None = None
    view: str | None = None
    flow: str = "cross_device"  # or same_device
    redirect_uri: str | None = None  # same_device through the API: the integrator's page
    redeemed: bool = False  # same_device: the response_code came back to the initiating browser
    request_posts: int = 0  # wallet_nonce POSTs to the request_uri taken (each signed anew)
    inspector: str | None = None  # who started it: the inspection record names them
    care_date: str | None = None  # an EHIC check for a day of care (ISO date); None: today


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def viewer_hash(session: str) -> str:
    """What a transaction keeps of the browser session that showed its verdict (``shown_to``): a hash
    of its own kind, never the session's secret, nor the sign-in sessions table's hash of it."""
    return _hash(f"esspass/verifier/shown-to/{session}")


#: The verifier's storage key file, read (made first at the default path): :func:`credentials.files.secret_key`.
load_storage_key = secret_key


def configured_storage_key(settings: VerifierSettings) -> bytes:
    """The verifier's storage key, ``ESSPASS_VERIFIER_STORAGE_KEY_FILE``: every replica shares it
    (:func:`credentials.files.configured_secret_key`)."""
    return configured_secret_key(settings.storage_key_file, settings.storage_key_path(),
                                 "ESSPASS_VERIFIER_STORAGE_KEY_FILE")


class TransactionStore:
    """Transactions and offline challenges in the verifier's tables."""

    #: Tries of one release's ``TRUNCATE`` checkpoint (:func:`esspass.db.release_erased`). While one
    #: waits for a reader, new writers wait too (up to a second a try: a verdict being recorded, a
    #: person erased as a page shows it); the sweep comes back every ``sweep_interval`` anyway.
    release_attempts = 2

    def __init__(self, engine: Engine, key: bytes) -> None:
        self.engine = engine
        self._aead = AESGCM(key)
        # Whether something was erased since the write-ahead log was last emptied. True at the start:
        # a process that stopped before it emptied the log left what it erased in it.
        self._unreleased = True
        self._release_lock = threading.Lock()

    # --- erasure leaving no copy in the database's files --------------------------------------

    def erased(self) -> None:
        """Something personal was just erased (and committed): the next :meth:`release_erased` empties
        the write-ahead log that still holds it. Cheap: no I/O, so it may be called on any request."""
        with self._release_lock:
            self._unreleased = True

    @property
    def erasure_unreleased(self) -> bool:
        """Whether an erasure since the last successful :meth:`release_erased` may still be in the log."""
        with self._release_lock:
            return self._unreleased

    def release_erased(self) -> bool:
        """Empty the write-ahead log if anything was erased since it was last emptied (GDPR Art. 5(1)(e),
        17: until then it holds the erased values as they were; :func:`esspass.db.release_erased`).
        For the periodic sweep only, never a request's path: a reader may keep the checkpoint waiting.

        On SQLite a ``PASSIVE`` checkpoint goes first, which waits for no one: when it cannot copy the
        whole log back (a reader holds an older snapshot: a backup, a long query), the ``TRUNCATE`` one,
        which would keep new writers waiting while it waits for that reader, is not tried this round.
        True when done (or nothing to do); False when the log could not be emptied, which is logged
        without anything of the persons (a warning) and tried again at the next sweep."""
        with self._release_lock:
            if not self._unreleased:
                return True
            # Cleared first: an erasure committed from now on sets it again, for the next round.
            self._unreleased = False
        released = release_erased_or_warn(self.engine, "verifier", attempts=self.release_attempts,
                                          ready=self._log_copied_back)
        if not released:
            self.erased()
        return released

    def _log_copied_back(self) -> bool:
        """SQLite: whether a ``PASSIVE`` checkpoint (which waits for no reader or writer) copied every
        frame of the write-ahead log back into the database file, so that the ``TRUNCATE`` checkpoint
        has no older snapshot to wait for. Other databases: True (nothing of theirs is done here)."""
        if self.engine.dialect.name != "sqlite":
            return True
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            try:
                row = cur.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                cur.close()
        finally:
            raw.close()
        busy, frames, copied = row
        return not busy and copied == frames

    # --- sealing ------------------------------------------------------------------------------

    def _seal(self, tx_id: str, column: str, value: Any) -> bytes | None:
        if value is None:
            return None
        nonce = os.urandom(_NONCE)
        data = json.dumps(value, separators=(",", ":")).encode()
        return nonce + self._aead.encrypt(nonce, data, f"verifier/{tx_id}/{column}".encode())

    def _open(self, tx_id: str, column: str, sealed: bytes | None) -> Any:
        if sealed is None:
            return None
        try:
            data = self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], f"verifier/{tx_id}/{column}".encode())
        except InvalidTag as exc:  # another key, another row, or tampered: fail closed, and say why
            _log.error("a transaction's %s cannot be opened: storage key differs between replicas, or the row "
                       "was altered", column)
            raise UnreadableTransaction(tx_id) from exc
        return json.loads(data)

    # --- transactions -------------------------------------------------------------------------

    def add(self, tx: Transaction, record: records.InspectionEntry | None = None) -> None:
        """Store a new transaction; an offline check comes with its verdict and its inspection
        ``record``, written in the same database transaction (both or neither)."""
        key = json.loads(tx.encryption_key.export_private()) if tx.encryption_key is not None else None
        person = tx.person
        with Session(self.engine) as session, session.begin():
            if tx.view is None:
                raise ValueError("a new transaction needs the inspector's handle")
            session.add(TransactionRecord(
                id=tx.id, view_hash=_hash(tx.view), kind=tx.kind, flow=tx.flow, redirect_uri=tx.redirect_uri,
                status=tx.status,
                client_id=tx.client_id, nonce=tx.nonce, state=tx.state,
                response_mode=tx.response_mode, query=tx.query, request_object=tx.request_object,
                purpose=tx.purpose, sealed_key=self._seal(tx.id, "key", key),
                sealed_verdict=self._seal(tx.id, "verdict", tx.verdict),
                sealed_person=self._seal(tx.id, "person", person), proof=tx.proof, wallet_error=tx.wallet_error,
                created_at=tx.created, expires_at=tx.expires, shown_at=tx.shown_at, shown_to=tx.shown_to,
                inspector=tx.inspector, care_date=tx.care_date))
            if record is not None:
                records.insert(session.connection(), record)

    def get(self, tx_id: str) -> Transaction | None:
        """The transaction with the public id ``tx_id``."""
        with Session(self.engine) as session:
            return self._opened(session.get(TransactionRecord, tx_id))

    def by_view(self, view: str) -> Transaction | None:
        """The transaction whose inspector's handle is ``view``."""
        with Session(self.engine) as session:
            return self._opened(session.scalars(select(TransactionRecord)
                                                .where(TransactionRecord.view_hash == _hash(view))).first())

    def _opened(self, row: TransactionRecord | None) -> Transaction | None:
        if row is None:
            return None
        key = self._open(row.id, "key", row.sealed_key)
        if key is not None:
            from jwcrypto import jwk

            key = jwk.JWK(**key)
        return Transaction(
            id=row.id, kind=row.kind, nonce=row.nonce, state=row.state, client_id=row.client_id,
            query=dict(row.query), response_mode=row.response_mode, request_object=row.request_object,
            encryption_key=key, created=row.created_at, expires=row.expires_at, purpose=row.purpose,
            status=row.status, verdict=self._open(row.id, "verdict", row.sealed_verdict),
            person=self._open(row.id, "person", row.sealed_person), proof=row.proof,
            wallet_error=row.wallet_error, shown_at=row.shown_at, shown_to=row.shown_to, flow=row.flow,
            redirect_uri=row.redirect_uri,
            redeemed=row.redeemed_at is not None, request_posts=row.request_posts, inspector=row.inspector,
            care_date=row.care_date)

    def claim(self, tx_id: str, now: float) -> bool:
        """Take the answer to ``tx_id``: True for exactly one caller while it is pending and unexpired
        at ``now``, which must be read just before (not when the answer arrived), and never once
        :meth:`expire` has closed it: both are conditional updates of the row, the first one wins."""
        with self.engine.begin() as conn:
            taken = conn.execute(update(TransactionRecord)
                                 .where(TransactionRecord.id == tx_id, TransactionRecord.status == "pending",
                                        TransactionRecord.expires_at >= now)
                                 .values(status="verifying"))
            return bool(taken.rowcount == 1)

    def expire(self, tx_id: str, now: float) -> bool:
        """Close ``tx_id`` to answers if it is still unanswered (``pending``) and past its deadline at
        ``now``: True when it is (now or before) ``expired``, False when an answer was claimed first.
        Only then is the page told ``expired``: an answer claimed before the deadline, whatever
        replica took it and however long reading it takes, is never lost to an ``expired`` poll."""
        with self.engine.begin() as conn:
            conn.execute(update(TransactionRecord)
                         .where(TransactionRecord.id == tx_id, TransactionRecord.status == "pending",
                                TransactionRecord.expires_at < now)
                         .values(status="expired"))
            status = conn.execute(select(TransactionRecord.status).where(TransactionRecord.id == tx_id)).scalar()
            return status == "expired"

    def extend(self, tx_id: str, now: float, expires: float, request_object: str) -> bool:
        """More time for ``tx_id`` (VerifierService.renew): its deadline moved to ``expires`` and its
        Request Object replaced (signed again with that ``exp``), if it is still pending and unexpired
        at ``now``: True when it was. One conditional update, as :meth:`claim`: an answer claimed
        first, or a deadline passed, is never reopened."""
        with self.engine.begin() as conn:
            moved = conn.execute(update(TransactionRecord)
                                 .where(TransactionRecord.id == tx_id, TransactionRecord.status == "pending",
                                        TransactionRecord.expires_at >= now)
                                 .values(expires_at=expires, request_object=request_object))
            return bool(moved.rowcount == 1)

    def close(self, tx_id: str) -> bool:
        """Close ``tx_id`` to answers now, before its deadline (a new code replaces it): True when it
        is (now or before) ``expired``, False when an answer was claimed first (as :meth:`expire`)."""
        with self.engine.begin() as conn:
            conn.execute(update(TransactionRecord)
                         .where(TransactionRecord.id == tx_id, TransactionRecord.status == "pending")
                         .values(status="expired"))
            status = conn.execute(select(TransactionRecord.status).where(TransactionRecord.id == tx_id)).scalar()
            return status == "expired"

    def count_request_post(self, tx_id: str, now: float, *, limit: int) -> bool:
        """Take one of the ``limit`` signed answers the request_uri of ``tx_id`` gives to a wallet's
        POST: True while it is pending, unexpired and below ``limit``. One conditional update, so
        every replica counts against the same row and concurrent POSTs never pass ``limit``."""
        with self.engine.begin() as conn:
            taken = conn.execute(update(TransactionRecord)
                                 .where(TransactionRecord.id == tx_id, TransactionRecord.status == "pending",
                                        TransactionRecord.expires_at >= now,
                                        TransactionRecord.request_posts < limit)
                                 .values(request_posts=TransactionRecord.request_posts + 1))
            return bool(taken.rowcount == 1)

    def release(self, tx_id: str) -> None:
        """Give a claimed answer back (the check could not be completed); the wallet may answer again."""
        with self.engine.begin() as conn:
            conn.execute(update(TransactionRecord)
                         .where(TransactionRecord.id == tx_id, TransactionRecord.status == "verifying")
                         .values(status="pending"))

    def finish(self, tx_id: str, *, status: str, verdict: dict[str, Any], person: dict[str, Any] | None,
               proof: str | None, wallet_error: str | None = None, response_code: str | None = None,
               record: records.InspectionEntry | None = None) -> None:
        """Record the verdict of a claimed transaction; the ephemeral decryption key is dropped with it.

        The inspection ``record`` is written in the same database transaction, and only when this
        call recorded the verdict: a failure writing either leaves neither."""
        with self.engine.begin() as conn:
            done = conn.execute(update(TransactionRecord)
                         .where(TransactionRecord.id == tx_id, TransactionRecord.status == "verifying")
                         .values(status=status, sealed_verdict=self._seal(tx_id, "verdict", verdict),
                                 sealed_person=self._seal(tx_id, "person", person), proof=proof,
                                 wallet_error=wallet_error, sealed_key=None,
                                 response_code_hash=_hash(response_code) if response_code is not None else None))
            if record is not None and done.rowcount == 1:
                records.insert(conn, record)

    def redeem(self, tx_id: str, response_code: str, view: str, now: float) -> bool:
        """The wallet's redirect came back with ``response_code`` to the browser holding ``view``: True
        once, when both belong to ``tx_id``."""
        with self.engine.begin() as conn:
            taken = conn.execute(update(TransactionRecord)
                                 .where(TransactionRecord.id == tx_id,
                                        TransactionRecord.response_code_hash == _hash(response_code),
                                        TransactionRecord.view_hash == _hash(view),
                                        TransactionRecord.redeemed_at.is_(None))
                                 .values(redeemed_at=now))
            return bool(taken.rowcount == 1)

    def shown(self, tx_id: str, now: float, shown_to: str | None = None) -> bool:
        """The verdict of ``tx_id`` was shown (to the browser session hashed as ``shown_to``, if
        any): the retention clock starts, once. True for the one caller that started it (a
        conditional update: of two readers at one moment, only one)."""
        with self.engine.begin() as conn:
            started = conn.execute(update(TransactionRecord)
                                   .where(TransactionRecord.id == tx_id, TransactionRecord.shown_at.is_(None))
                                   .values(shown_at=now, shown_to=shown_to))
            return bool(started.rowcount == 1)

    def erase_person(self, tx_id: str) -> None:
        """Erase the person of ``tx_id``'s verdict (its sealed column set to NULL); the log that still holds
        it is emptied by the next sweep (:meth:`erased`), not here: this runs as a page shows the verdict."""
        with self.engine.begin() as conn:
            done = conn.execute(update(TransactionRecord)
                                .where(TransactionRecord.id == tx_id, TransactionRecord.sealed_person.is_not(None))
                                .values(sealed_person=None))
        if done.rowcount:
            self.erased()

    def end_grace(self, shown_to: str, now: float, *, retention: float) -> None:
        """The browser session hashed as ``shown_to`` has moved on to another check: its grace over
        the verdicts it was shown ends (they are kept as any shown verdict is, ``retention`` seconds
        from their showing, :meth:`sweep`), and the person of those whose retention is up is erased
        now. With no retention that is every one of them, whatever the clocks of the replicas."""
        ended = (TransactionRecord.shown_to == shown_to, TransactionRecord.shown_at.is_not(None))
        due = () if retention <= 0 else (TransactionRecord.shown_at < now - retention,)
        with self.engine.begin() as conn:
            done = conn.execute(update(TransactionRecord)
                                .where(*ended, *due, TransactionRecord.sealed_person.is_not(None))
                                .values(sealed_person=None))
            conn.execute(update(TransactionRecord).where(*ended).values(shown_to=None))
        if done.rowcount:
            self.erased()

    def sweep(self, now: float, *, retention: float, keep: float, grace: float = 0,
              unshown_offline: float = OFFLINE_UNSHOWN_SECONDS) -> int:
        """Erase the person from verdicts shown more than ``retention`` seconds ago, or, for one shown to
        a browser session that may see it again (``shown_to``), more than ``max(retention, grace)``;
        and from offline checks never shown (a scan whose redirect to the verdict screen was not
        followed) as if shown ``unshown_offline`` seconds after they were made. Delete transactions
        ``keep`` seconds past their expiry, and used-up challenges. Returns how many transactions lost
        their person or were deleted (each noted for the next :meth:`release_erased`; a challenge,
        a random code, is no one's data)."""
        with self.engine.begin() as conn:
            erased = conn.execute(update(TransactionRecord)
                                  .where(TransactionRecord.kind == "offline", TransactionRecord.shown_at.is_(None),
                                         TransactionRecord.created_at < now - unshown_offline - max(retention, 0),
                                         TransactionRecord.sealed_person.is_not(None))
                                  .values(sealed_person=None)).rowcount
            erased += conn.execute(update(TransactionRecord)
                                   .where(TransactionRecord.shown_at < now - retention,
                                          TransactionRecord.shown_to.is_(None),
                                          TransactionRecord.sealed_person.is_not(None))
                                   .values(sealed_person=None)).rowcount
            erased += conn.execute(update(TransactionRecord)
                                   .where(TransactionRecord.shown_at < now - max(retention, grace),
                                          TransactionRecord.shown_to.is_not(None),
                                          TransactionRecord.sealed_person.is_not(None))
                                   .values(sealed_person=None)).rowcount
            erased += conn.execute(delete(TransactionRecord).where(TransactionRecord.expires_at < now - keep)).rowcount
            conn.execute(delete(ChallengeRecord).where(ChallengeRecord.expires_at < now))
        if erased:
            self.erased()
        return int(erased)

    # --- offline challenges -------------------------------------------------------------------

    def add_challenge(self, code: str, expires: float) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(ChallengeRecord(code=code, expires_at=expires))

    def take_challenge(self, code: str, now: float) -> bool:
        """Use ``code`` up: True once, while it is unexpired."""
        with self.engine.begin() as conn:
            taken = conn.execute(delete(ChallengeRecord)
                                 .where(ChallengeRecord.code == code, ChallengeRecord.expires_at >= now))
            return bool(taken.rowcount == 1)
