"""The institutions' Token Status Lists (draft-ietf-oauth-status-list): an entry for every
credential, the signed lists, and where they are all listed.

* Allocation (§13.2, privacy): a random free index in the institution's current list, unique by a
  database constraint, so that two workers never hand out the same one; a full list is closed
  and the next one opened.
* The Status List Token of a list (§5 JWT, §6 CWT for mdoc), signed again when one of its entries
  changed (its ``version``), the institution's current signer changed (:mod:`issuer.signers`), or
  half of ``min(ttl, exp - iat)`` has passed, so a token served always has at least half its validity
  left: never one past its ``exp``, which a verifier must refuse (§8.3 step 4). A new version is
  signed with an ``iat`` later than every token of the list signed before, by any worker or replica
  (recorded in the list's row, :meth:`StatusLists._iat`): a verifier keeps the newest ``iat``,
  and a withdrawal signed within the second of the token it holds must not tie with it.
* Signed by the signer current at that moment, its ``exp`` never past that signer's chain (a verifier
  validates the ``x5c`` when it verifies, §8.3 step 3): never under a chain that has ended, nor with
  a key the issuers list bars (revoked, the institution suspended or withdrawn). When none of the
  institution's signers can sign, the list is not served: 503 ``temporarily_unavailable``
  (``signer.expired`` or ``signer.distrusted``, :func:`issuer.signers.unsigned_rule`) with a JSON
  body, which verifiers and wallets take as no list (they answer from a list they hold while it is
  valid, else the status is undetermined: ``esspass.status_client``), never a token they would refuse.
* Status List Aggregation (§9): every list of an institution, named in every token.
* Four bits an entry (:data:`BITS`): VALID, INVALID, SUSPENDED, our REPLACED (0x03) and STOPPED (0x0C,
  a copy stopped, :meth:`issuer.service.IssuerService.stop_copies`), which two bits cannot hold (§4.1,
  §7.1). A list signed at two bits before is signed at four from then on: the index of every entry stays
  (a relying party reads ``bits`` from each token it fetches).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credentials import status_list
from credentials.errors import ProtocolError, StatusError
from esspass.db import Sessions
from issuer.db import Case, CredentialRecord, StatusListRecord
from issuer.rules import refusal
from issuer.signers import DISTRUSTED, Signer, current_signer, unsigned_rule

if TYPE_CHECKING:
    from issuer.service import Institution

_log = logging.getLogger("esspass.issuer")
#: The status list endpoint is public and read cross-origin (app: ``public``); its 503 is too.
_PUBLIC = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}

__all__ = ["BITS", "StatusLists", "StatusToken"]

#: Bits an entry of the lists: STOPPED (0x0C) needs four (credentials.status_list.require_bits_for).
BITS = 4
#: Seconds a new version's ``iat`` may run ahead of the clock to come after the last one signed
#: (:meth:`StatusLists._iat`): half the minute a verifier allows (``status_list.verify_token``).
_LEAD = 30


@dataclass(frozen=True)
class StatusToken:
    token: str | bytes  # the JWT, or the CWT's bytes
    etag: str
    ttl: int


class StatusLists:
    """Lists of ``size`` entries (:data:`BITS` each); tokens valid ``exp`` seconds (at most to the end of their
    signer's chain), to be fetched again after ``ttl``. ``signer``: the signer of an institution at a
    time (:meth:`issuer.service.IssuerService.signer`); default: :func:`issuer.signers.current_signer`
    of its signers, by their dates alone."""

    def __init__(self, sessions: Sessions, clock: Callable[[], datetime], *, size: int, ttl: int,
                 exp: int, signer: Callable[[Institution, datetime], Signer | None] | None = None) -> None:
        # Refused here too, not only in IssuerSettings: a bad pair would otherwise surface as a
        # failure to sign on every list request (sign_token needs a positive ttl).
        if not 0 < ttl <= exp:
            raise ValueError("status list tokens need 0 < ttl <= exp (seconds)")
        if size < 1:
            raise ValueError("a status list needs at least one entry")
        self.sessions, self.clock = sessions, clock
        self.size, self.ttl, self.exp = size, ttl, exp
        self.signer = signer or (lambda inst, now: current_signer(inst.signers, now))
        #: (list id, form) -> (version, signer's kid, served until, token)
        self._signed: dict[tuple[int, str], tuple[int, str, float, StatusToken]] = {}
        self._lock = threading.Lock()

    def allocate(self, s: Session, inst: Institution, case: Case, jkt: str, now: datetime, exp: datetime,
                 notification_id: str) -> tuple[int, int]:
        """Record a credential of ``case`` at a random free index: (list number, index).

        Draws are checked against the records (``allocate_index``); when a list has no free entry
        left it is marked full and the next one opened. Two workers drawing the same index at once
        are told apart by the unique constraint: the loser draws again.
        """
        if s.get_bind().dialect.name == "postgresql":
            # One allocator per institution at a time (released at commit): without it, two workers
            # rolling over to a new list lock the old and new list rows in opposite orders.
            s.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"issuer-status:{inst.entity.id}"})
        for _attempt in range(50):
            try:
                lst = self._current(s, inst)
            except IntegrityError:
                continue
            list_id = lst.id

            def taken(i: int, list_id: int = list_id) -> bool:
                return s.scalar(select(CredentialRecord.id).where(CredentialRecord.list_id == list_id,
                                                                  CredentialRecord.idx == i).limit(1)) is not None
            try:
                idx = status_list.allocate_index(lst.size, taken)
            except StatusError:
                s.execute(update(StatusListRecord).where(StatusListRecord.id == list_id).values(used=lst.size))
                s.expire(lst)
                continue
            try:
                with s.begin_nested():
                    s.add(CredentialRecord(id=secrets.token_hex(16), case_id=case.id, list_id=lst.id, idx=idx,
                                           status=status_list.VALID, holder_jkt=jkt, issued_at=now, expires_at=exp,
                                           notification_id=notification_id))
                    s.flush()
                    s.execute(update(StatusListRecord).where(StatusListRecord.id == lst.id)
                              .values(used=StatusListRecord.used + 1))
                s.refresh(lst)
                return lst.number, idx
            except IntegrityError:
                continue  # index taken meanwhile: draw again
        raise ProtocolError("credential_request_denied", "no free status list entry; try again", http_status=503)

    def _current(self, s: Session, inst: Institution) -> StatusListRecord:
        lst = s.scalars(select(StatusListRecord).where(StatusListRecord.entity_id == inst.entity.id)
                        .order_by(StatusListRecord.number.desc()).limit(1)).first()
        if lst is None or lst.used >= lst.size:
            number = 1 if lst is None else lst.number + 1
            with s.begin_nested():
                lst = StatusListRecord(entity_id=inst.entity.id, number=number, size=self.size, used=0, version=0)
                s.add(lst)
            # A concurrent worker may have opened the same number: the unique constraint decides.
        return lst

    def token(self, inst: Institution, number: int, form: str = status_list.JWT) -> StatusToken:
        """The current Status List Token of list ``number`` as JWT or (for mdoc) CWT, signed by the
        institution's signer now (``signer``); 503 ``temporarily_unavailable`` when none can sign."""
        if not 0 < number < 2**31:  # no such list, and a number no database column holds
            raise ProtocolError("not_found", "no such status list", http_status=404)
        # Taken before the list is read: a token of a version read is signed no later than this second
        # (_iat), which a change committed after the read is signed after.
        now = self.clock().astimezone(UTC)
        for _attempt in range(10):
            with self.sessions() as s:
                lst = s.scalars(select(StatusListRecord).where(StatusListRecord.entity_id == inst.entity.id,
                                                               StatusListRecord.number == number)).first()
                if lst is None:
                    raise ProtocolError("not_found", "no such status list", http_status=404)
                signer = self.signer(inst, now)
                if signer is None:
                    raise self._unsigned(inst, now)
                signed = self._signed.get((lst.id, form))
                if (signed is not None and signed[0] == lst.version and signed[1] == signer.kid
                        and now.timestamp() < signed[2]):
                    return signed[3]
                version, size, list_id = lst.version, lst.size, lst.id
                entries = s.execute(select(CredentialRecord.idx, CredentialRecord.status).where(
                    CredentialRecord.list_id == lst.id, CredentialRecord.status != status_list.VALID)).all()
                recorded = (lst.signed_version, lst.signed_iat)
            iat = self._iat(inst, lst, recorded, now)
            if iat is not None:
                break
        else:  # a change recorded by another worker at each attempt
            raise ProtocolError("temporarily_unavailable", "the status list is changing; try again", http_status=503,
                                headers=_PUBLIC)
        statuses = status_list.StatusList(size, bits=BITS)
        for idx, value in entries:
            statuses.set(idx, value)
        # Never past the signer's chain: a verifier caching the token would hold one it must refuse
        # (the signer can sign, so its chain lasts beyond SIGNER_MARGIN, and iat is at most _LEAD, less,
        # ahead of now: exp - iat stays positive).
        exp = min(iat + self.exp, int(signer.end.timestamp()))
        ttl = min(self.ttl, exp - iat)
        sign = status_list.sign_cwt_token if form == status_list.CWT else status_list.sign_token
        token = sign(statuses, uri=f"{inst.issuer_url}/status/{number}", key=signer.key, x5c=list(signer.chain),
                     iat=iat, exp=exp, ttl=ttl, aggregation_uri=self.aggregation_uri(inst))
        raw = token if isinstance(token, bytes) else token.encode("ascii")
        result = StatusToken(token, '"' + hashlib.sha256(raw).hexdigest()[:32] + '"', ttl)
        with self._lock:
            # Served again for half the shorter of its ttl and its validity: every token served has at
            # least half its validity left.
            self._signed[(list_id, form)] = (version, signer.kid, iat + min(ttl, exp - iat) / 2, result)
        return result

    def _iat(self, inst: Institution, lst: StatusListRecord, recorded: tuple[int, int], now: datetime) -> int | None:
        """The ``iat`` of a token of ``lst`` as read (its ``version``), ``now`` having been taken before
        the read; None when another worker recorded the first token of a version meanwhile (read again).

        ``iat`` is whole seconds (§5.1), and a verifier keeps the list with the newest ``iat`` (§8.3
        step 4, rollback: ``esspass.status_client``): a withdrawal signed in the second of the token it
        holds would carry the same ``iat``, and which of the two came last could not be told. So each
        version is signed after every token of the versions before it, by any worker or replica:

        * The first token of a version records it, with its ``iat``, in the list's row
          (``signed_version``, ``signed_iat``; compare-and-set, so that two workers signing it at once
          agree on one): one second after the clock read *after* the version was read, and after the
          ``iat`` recorded before. Every token of an earlier version was signed at most at the second
          of a clock read before that version was read, so before the change was committed.
        * Every other token of the version: ``now``, and not before the ``iat`` its first token
          recorded. A token signed again (half its ``ttl`` passed, a new signer) writes nothing: a
          status list is read beside a clerk's write transaction, never queued behind it (esspass.db).

        A version's tokens are then one second ahead of the clock at most while it changes every
        second, and at most :data:`_LEAD` while it changes faster (the lead's second then, a tie with
        the version before, never a second before it). Not more than :data:`_LEAD` ahead: a verifier
        refuses an ``iat`` more than a minute ahead of its own clock (``status_list.verify_token``),
        so an ``iat`` recorded further ahead means this clock was set back, and no verifier set right
        holds that token: the token takes the clock's time (said to the operator). The workers' clocks
        must agree within the second (NTP), as they must for everything else they sign."""
        signed_version, signed_iat = recorded
        if lst.version == signed_version:
            return self._within_lead(inst, lst, max(int(now.timestamp()), signed_iat), int(now.timestamp()))
        later = int(self.clock().timestamp())
        # Changes faster than one a second run the iat to the lead: the lead's second then (a tie, which
        # a verifier settles by the list withdrawing more: esspass.status_client), never the clock's,
        # which is before the token verifiers hold and would be kept as older (rollback, §8.3 step 4).
        iat = self._within_lead(inst, lst, min(max(later, signed_iat) + 1, max(later + _LEAD, signed_iat)), later)
        with self.sessions.begin() as s:
            done = s.connection().execute(update(StatusListRecord).where(
                StatusListRecord.id == lst.id, StatusListRecord.signed_version == signed_version,
                StatusListRecord.signed_iat == signed_iat).values(signed_version=lst.version, signed_iat=iat))
        return iat if done.rowcount == 1 else None

    @staticmethod
    def _within_lead(inst: Institution, lst: StatusListRecord, iat: int, clock: int) -> int:
        """``iat``, or ``clock`` when ``iat`` is more than :data:`_LEAD` ahead of it (:meth:`_iat`)."""
        if iat <= clock + _LEAD:
            return iat
        _log.warning("%s status list %d: a token was signed for %s, more than %d s after this clock; signed at this "
                     "clock's time (was the clock set back?)", inst.entity.id, lst.number,
                     datetime.fromtimestamp(iat, UTC).isoformat(), _LEAD,
                     extra={"service": "issuer", "event": "status_clock_behind", "entity": inst.entity.id})
        return clock

    @staticmethod
    def _unsigned(inst: Institution, now: datetime) -> ProtocolError:
        """No signer of ``inst`` can sign at ``now`` (:func:`issuer.signers.current_signer`): 503 with a
        JSON body, its rule saying why (:func:`issuer.signers.unsigned_rule`), said to the operator (no
        person, no list: which institution's certificate to renew, or that the registry bars its keys)."""
        rule = unsigned_rule(inst.signers, now)
        if rule == DISTRUSTED:
            _log.error("%s serves no status list: the registry's issuers list bars each of its signers that could "
                       "sign (a key revoked or rotated out, or the institution suspended or withdrawn; esspass "
                       "issuer check says which)", inst.entity.id,
                       extra={"service": "issuer", "event": "signer_distrusted", "entity": inst.entity.id})
        else:
            _log.error("%s serves no status list: none of its signer certificates can sign now; have a new one "
                       "issued and configured (next_signer_key)", inst.entity.id,
                       extra={"service": "issuer", "event": "signer_expired", "entity": inst.entity.id})
        refused = refusal(rule, error="temporarily_unavailable", http_status=503)
        return ProtocolError(refused.error, refused.message, http_status=503, headers=_PUBLIC, key=refused.key)

    @staticmethod
    def aggregation_uri(inst: Institution) -> str:
        return f"{inst.issuer_url}/status-lists"

    def aggregation(self, inst: Institution) -> dict[str, list[str]]:
        """Status List Aggregation (§9): every list of this institution, so that a verifier can
        fetch them all before it goes where there is no network."""
        with self.sessions() as s:
            numbers = s.scalars(select(StatusListRecord.number).where(StatusListRecord.entity_id == inst.entity.id)
                                .order_by(StatusListRecord.number)).all()
        return {"status_lists": [f"{inst.issuer_url}/status/{n}" for n in numbers]}
