"""Inspection records: the inspectorate's lasting account of the checks it did (domain.md
"Verification proof", rulebook §4).

A transaction (:mod:`verifier.transactions`) lives minutes: it carries the person to the verdict
screen and is deleted ten minutes after it expires. What the inspectorate must still know after a
site visit (what was checked, when, by whom, with which outcome; "did we check document X on that
day?") is kept here, one row per finished inspection and one per document, for
``ESSPASS_VERIFIER_RECORDS_DAYS`` (default two years; 0 keeps them).

A record is made from the verification proof the verifier has just signed, and holds nothing the
proof does not, plus who inspected and how (the day of care an EHIC check was made for, when not
today, is the proof's ``care_date``: a verdict for that day only, which a later reader of the record
must not take for one on the day of the check): so it holds nothing about the worker either (no name,
birth date, personal or document number, portrait, address). The document number is kept only as
the proof's ``document_ref`` (HMAC-SHA256 under the verifier's own key), indexed: a lookup HMACs
the number asked about with the same key. The verdict's reason is kept as its translation key
(``status.withdrawn``), never its English text, which may quote the document's dates or a
presentation's own words (:func:`safe_reason_key`).

Each document's status is recorded with what it rested on, as the proof says it (domain.md "status
source and age": the network, or a list held on the device, and that list's age), and with the
document's status list reference (uri and index, which name no one), so that the copy is looked up
again when the lists are next fetched (:meth:`RecordStore.recheck`): a check "valid" from a list held
on a site without network, of a document withdrawn meanwhile, is then marked withdrawn since the
check (987/2009 Art. 5: void from its first day), for the inspectorate to follow up. The reference is
kept in the database only, never in the record's JSON or CSV.

A record is written in the database transaction that records the verdict
(:meth:`verifier.transactions.TransactionStore.finish`, ``.add``), through :func:`insert`: a
verdict without its record, or a record without its verdict, cannot be.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import io
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, tuple_, update
from sqlalchemy import insert as sql_insert

from credentials import ehic, i18n, pda1, pid, status_list
from credentials.errors import ProtocolError
from credentials.jose import decode_jws
from verifier.db import InspectionDocument, InspectionRecord

__all__ = ["BATCH", "CSV_COLUMNS", "KINDS", "LATER_STATUSES", "MAX_LIMIT", "MAX_RANGE_DAYS", "VERDICTS",
           "InspectionEntry", "Page", "RecordFilter", "RecordStore", "RecordedDocument", "check_range", "csv_lines",
           "document_ref", "entry_from_proof", "insert", "jsonl_lines", "parse_day", "parse_range", "safe_reason_key",
           "type_key"]

KINDS = ("online", "offline", "api")
VERDICTS = ("valid", "invalid", "undetermined", "refused")
#: The widest range one API call may ask for: a year's report, paged by :data:`MAX_LIMIT`.
MAX_RANGE_DAYS = 366
MAX_LIMIT = 1000
#: Records deleted per database transaction by the retention sweep (as the issuer's erasure does):
#: the first sweep over years of records never holds the write lock for long.
BATCH = 500
#: ``care_date`` before the proof, which stays last (a reader splitting the line once from the right).
#: Per document, ``;``-separated like the others: what its status rested on (``status_sources``: network, cache,
#: none; ``status_lists_of``: when the status list used was issued) and a withdrawal learnt since (``later_statuses``).
CSV_COLUMNS = ("id", "checked_at", "kind", "flow", "verdict", "reason_key", "inspector", "verifier_id",
               "policy_version", "credential_types", "issuer_ids", "document_verdicts", "document_refs",
               "status_sources", "status_lists_of", "later_statuses", "care_date", "proof")

#: A step's own key (``<step>.<result>``) as :class:`credentials.verification.Step` makes it.
_STEP_KEY = re.compile(r"[a-z][a-z_]{0,31}\.(?:passed|failed|not_run)")
#: Our own keys with no translation of their own in the pages.
_OWN_KEYS = frozenset({"refused", "wallet_error", "paper"})


def document_ref(key: bytes, number: str) -> str:
    """The proof's ``document_ref`` of ``number`` (HMAC-SHA256, hex), for the proof and the lookup alike."""
    return hmac.new(key, number.encode(), hashlib.sha256).hexdigest()


def _spellings(typed: str) -> list[str]:
    """The spellings of a number an inspector types that the document may carry: as typed (trimmed),
    with runs of spaces as one, and in capitals. The proof HMACs the number as the credential has it,
    and numbers are printed in capitals, while an inspector may type them otherwise."""
    trimmed = unicodedata.normalize("NFC", typed).strip()
    spaced = " ".join(trimmed.split())
    return list(dict.fromkeys(s for s in (trimmed, spaced, trimmed.upper(), spaced.upper()) if s))


def safe_reason_key(key: str) -> str:
    """``key`` when it is one of ours (a translated reason, a step's ``<code>.<result>``, or one of
    :data:`_OWN_KEYS`), else ``other``: a record never keeps text it cannot vouch for."""
    if not key:
        return ""
    if key in _OWN_KEYS or _STEP_KEY.fullmatch(key) or f"verifier.reason.{key}" in i18n.catalogue_keys():
        return key if len(key) <= 64 else "other"
    return "other"


def type_key(credential_type: str | None) -> str:
    """``pda1``, ``ehic``, ``pid`` or ``other``: the kind of document a record's type names."""
    if credential_type in (pda1.VCT, *pda1.ALIASES):
        return "pda1"
    if credential_type in (ehic.VCT, *ehic.ALIASES):
        return "ehic"
    if credential_type is not None and pid.is_pid_type(credential_type):
        return "pid"
    return "other"


@dataclass(frozen=True)
class RecordedDocument:
    credential_type: str | None
    issuer_id: str | None
    verdict: str
    document_ref: str | None
    #: What the status rested on, as the proof says (domain.md "status source and age"): network, cache
    #: or none, and the status list's age in seconds at the check.
    status_source: str | None = None
    status_age: float | None = None
    #: The status list reference (uri, index), kept to look the copy up again (:meth:`RecordStore.recheck`);
    #: not in the record's JSON or CSV.
    status_uri: str | None = None
    status_idx: int | None = None
    #: A final status learnt after the check (:data:`LATER_STATUSES`), and when (Unix seconds).
    later_status: str | None = None
    later_seen_at: float | None = None

    def to_json(self, zone: tzinfo | None = None, checked_at: float | None = None) -> dict[str, Any]:
        """The document as the record's JSON says it; with ``zone`` and the check's time, also when the
        status list it rested on was issued (``status_list_of``) and when a later status was seen."""
        out: dict[str, Any] = {"credential_type": self.credential_type, "issuer_id": self.issuer_id,
                               "verdict": self.verdict, "document_ref": self.document_ref,
                               "status_source": self.status_source, "status_list_age_seconds": self.status_age,
                               "later_status": self.later_status}
        if zone is not None:
            out["status_list_of"] = _moment(checked_at - self.status_age, zone) \
                if checked_at is not None and self.status_age is not None else None
            out["later_seen_at"] = _moment(self.later_seen_at, zone) if self.later_seen_at is not None else None
        return out

    def later_seen_in(self, zone: tzinfo) -> datetime | None:
        """When the later status was learnt, in ``zone``; None when none was."""
        return None if self.later_seen_at is None else datetime.fromtimestamp(self.later_seen_at, zone)


#: What a later look at a document's status list may find and a record then says (:meth:`RecordStore.recheck`):
#: a withdrawal (§7.1 INVALID, final; 987/2009 Art. 5: the document void from its first day).
LATER_STATUSES = {status_list.INVALID: "withdrawn"}


def _moment(ts: float, zone: tzinfo) -> str | None:
    try:
        return datetime.fromtimestamp(ts, zone).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class InspectionEntry:
    """One finished inspection as recorded (no personal data of the worker)."""

    id: str
    checked_at: float  # Unix seconds
    kind: str  # online | offline | api
    flow: str | None  # online: cross_device | same_device
    verdict: str  # valid | invalid | undetermined | refused
    reason_key: str
    inspector: str | None
    verifier_id: str
    policy_version: str
    proof: str
    documents: tuple[RecordedDocument, ...] = field(default=())
    #: The day of care (ISO date) an EHIC check was made for, as its proof says; None: the day of the check.
    care_date: str | None = None

    def checked_at_in(self, zone: tzinfo) -> datetime:
        return datetime.fromtimestamp(self.checked_at, zone)

    def to_json(self, zone: tzinfo) -> dict[str, Any]:
        """The record for the inspectorate's systems (``GET /api/records``, JSON lines), with its proof."""
        return {"id": self.id, "checked_at": self.checked_at_in(zone).isoformat(timespec="seconds"),
                "kind": self.kind, "flow": self.flow, "verdict": self.verdict, "reason_key": self.reason_key,
                "inspector": self.inspector, "verifier_id": self.verifier_id, "policy_version": self.policy_version,
                "care_date": self.care_date, "documents": [d.to_json(zone, self.checked_at) for d in self.documents],
                "proof": self.proof}


def entry_from_proof(proof: str, *, checked_at: float, kind: str, flow: str | None, inspector: str | None,
                     reason_key: str,
                     status_refs: Sequence[status_list.StatusReference | None] = ()) -> InspectionEntry:
    """The record of a check from the verification proof this verifier has just signed
    (:meth:`verifier.service.VerifierService.proof`): read back without checking its signature,
    since it never left this process. What the record says of the documents is what the proof says
    (the status source and age too), plus ``status_refs``, each document's status list reference in
    the proof's order, to look the copy up again later."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    payload = decode_jws(proof).payload
    verdict = str(payload["verdict"])
    if verdict not in VERDICTS:
        raise ValueError(f"verdict {verdict!r} is not one a record keeps")
    found = list(payload.get("credentials") or ())
    # A reference the columns cannot hold (an index past 2^31) is not kept: that copy is not looked up again.
    # Nor is a PID's: its later withdrawal changes nothing about the document inspected, and its index,
    # kept for the records' two years, would let its provider tie the inspectorate's checks of that person
    # together (GDPR Art. 5(1)(c), data minimisation; domain.md "Verification proof": no PIN, no name).
    refs = [r if r is not None and len(r.uri) <= 2048 and r.idx < 2**31
            and type_key(_bounded(d.get("credential_type"), 200)) != "pid" else None
            for d, r in zip(found, [*status_refs, *[None] * len(found)][:len(found)], strict=True)]
    docs = tuple(RecordedDocument(
        credential_type=_bounded(d.get("credential_type"), 200), issuer_id=_bounded(d.get("issuer_id"), 100),
        verdict=str(d.get("verdict") or "undetermined")[:12], document_ref=_bounded(d.get("document_ref"), 64),
        status_source=_bounded(d.get("status_source"), 8), status_age=_seconds(d.get("status_list_age_seconds")),
        status_uri=ref.uri if ref is not None else None, status_idx=ref.idx if ref is not None else None)
        for d, ref in zip(found, refs, strict=True))
    return InspectionEntry(id=str(payload["jti"]), checked_at=checked_at, kind=kind, flow=flow, verdict=verdict,
                           reason_key=safe_reason_key(reason_key), inspector=inspector[:60] if inspector else None,
                           verifier_id=str(payload["iss"])[:100], policy_version=str(payload["policy_version"])[:40],
                           proof=proof, documents=docs, care_date=_day_or_none(payload.get("care_date")))


def _day_or_none(value: Any) -> str | None:
    """An ISO full-date as the proof writes it (``YYYY-MM-DD``), else None: a record keeps no other text."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _bounded(value: Any, size: int) -> str | None:
    return str(value)[:size] if value is not None else None


def _seconds(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        and 0 <= value < 1e12 else None


def insert(conn: Connection, entry: InspectionEntry) -> None:
    """Write ``entry`` in the caller's database transaction (the one that records its verdict)."""
    conn.execute(sql_insert(InspectionRecord).values(
        id=entry.id, checked_at=entry.checked_at, kind=entry.kind, flow=entry.flow, verdict=entry.verdict,
        reason_key=entry.reason_key, inspector=entry.inspector, verifier_id=entry.verifier_id,
        policy_version=entry.policy_version, proof=entry.proof, care_date=entry.care_date))
    if entry.documents:
        conn.execute(sql_insert(InspectionDocument), [
            {"record_id": entry.id, "position": i, "credential_type": d.credential_type, "issuer_id": d.issuer_id,
             "verdict": d.verdict, "document_ref": d.document_ref, "status_source": d.status_source,
             "status_age": d.status_age, "status_uri": d.status_uri, "status_idx": d.status_idx,
             "later_status": d.later_status, "later_seen_at": d.later_seen_at}
            for i, d in enumerate(entry.documents)])


def parse_day(text: str, name: str) -> date:
    """A ``YYYY-MM-DD`` date from a query or form, or ``invalid_request`` naming the parameter."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ProtocolError("invalid_request", f"{name} must be a date, YYYY-MM-DD") from exc


def check_range(first: date, last: date, zone: tzinfo) -> tuple[float, float]:
    """The Unix seconds from the start of ``first`` to the start of the day after ``last``, both in
    ``zone``; ``invalid_request`` for a range backwards, wider than :data:`MAX_RANGE_DAYS`, or whose
    bounds are no time (the day after 9999-12-31 is no date), so that a caller finds all of them
    before it answers anything."""
    if last < first:
        raise ProtocolError("invalid_request", "to is before from")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ProtocolError("invalid_request", f"the range is wider than {MAX_RANGE_DAYS} days: ask in parts")
    try:
        start = datetime.combine(first, datetime.min.time(), zone).timestamp()
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone).timestamp()
    except (OverflowError, ValueError) as exc:  # date value out of range; a zone's offset out of range
        raise ProtocolError("invalid_request", f"the dates must be before {date.max.isoformat()}") from exc
    return start, end


def parse_range(first: str | None, last: str | None, today: date, zone: tzinfo) -> tuple[date, date]:
    """The days ``from`` .. ``to`` of a query (either alone is that one day; neither is ``today``),
    checked before anything is read (:func:`check_range`, in ``zone``), so that a download never
    fails half-way."""
    start = parse_day(first, "from") if first else None
    end = parse_day(last, "to") if last else None
    start = start or end or today
    end = end or start
    check_range(start, end, zone)
    return start, end


@dataclass(frozen=True)
class Page:
    records: list[InspectionEntry]
    next_cursor: str | None


@dataclass(frozen=True)
class RecordFilter:
    """Which of a range's records are wanted: those of one verdict, of one inspector, or (None) all.
    An inspectorate's questions: "which checks were not valid last month?", "what did this inspector
    check?". A verdict not one of :data:`VERDICTS` is ``invalid_request``, never an empty answer."""

    verdict: str | None = None
    inspector: str | None = None

    def __post_init__(self) -> None:
        if self.verdict is not None and self.verdict not in VERDICTS:
            raise ProtocolError("invalid_request", f"verdict must be one of {', '.join(VERDICTS)}")
        if self.inspector is not None and not 1 <= len(self.inspector) <= 100:
            raise ProtocolError("invalid_request", "inspector must be 1 to 100 characters")

    def clauses(self) -> list[Any]:
        found = []
        if self.verdict is not None:
            found.append(InspectionRecord.verdict == self.verdict)
        if self.inspector is not None:
            found.append(InspectionRecord.inspector == self.inspector)
        return found


_ALL = RecordFilter()


class RecordStore:
    """The records in the verifier's database; days are the inspectorate's (``zone``), as "valid today" is."""

    def __init__(self, engine: Engine, document_ref_key: bytes, zone: tzinfo) -> None:
        self.engine = engine
        self.zone = zone
        self._ref_key = document_ref_key

    def add(self, entry: InspectionEntry) -> None:
        """Record a check that has no transaction (``POST /verify``): the record is its only trace."""
        with self.engine.begin() as conn:
            insert(conn, entry)

    # --- reading --------------------------------------------------------------------------------------

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def bounds(self, first: date, last: date) -> tuple[float, float]:
        """Unix seconds from the start of ``first`` to the start of the day after ``last``, both in the
        zone; ``invalid_request`` for a range that has none (:func:`check_range`)."""
        return check_range(first, last, self.zone)

    def between(self, first: date, last: date, *, limit: int = 100, cursor: str | None = None,
                only: RecordFilter = _ALL) -> Page:
        """The records of ``first`` .. ``last`` (inclusive) that ``only`` wants, oldest first, ``limit`` at
        a time; the ``next_cursor`` of a page asks for the next (keyset paging: stable while records are
        added; the next page is asked for with the same filter)."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ProtocolError("invalid_request", f"limit must be 1 to {MAX_LIMIT}")
        start, end = self.bounds(first, last)
        query = (select(InspectionRecord)
                 .where(InspectionRecord.checked_at >= start, InspectionRecord.checked_at < end, *only.clauses())
                 .order_by(InspectionRecord.checked_at, InspectionRecord.id).limit(limit + 1))
        if cursor is not None:
            after = _read_cursor(cursor)
            query = query.where(tuple_(InspectionRecord.checked_at, InspectionRecord.id) > tuple_(*after))
        rows = self._entries(query)
        more = len(rows) > limit
        rows = rows[:limit]
        return Page(rows, _cursor(rows[-1]) if more else None)

    def all_between(self, first: date, last: date, *, only: RecordFilter = _ALL) -> Iterator[InspectionEntry]:
        """Every record of the range that ``only`` wants, oldest first, read a page at a time (a download
        of a year's records). The range is checked and the first page read now, not when the first record
        is asked for: a download meets a bad range, or a database it cannot read, before it sends its
        first byte."""
        first_page = self.between(first, last, limit=MAX_LIMIT, only=only)

        def pages() -> Iterator[InspectionEntry]:
            page = first_page
            while True:
                yield from page.records
                if page.next_cursor is None:
                    return
                page = self.between(first, last, limit=MAX_LIMIT, cursor=page.next_cursor, only=only)

        return pages()

    def day(self, day: date, *, limit: int = 500) -> list[InspectionEntry]:
        """The day's records, newest first (the inspector's page), at most ``limit``."""
        start, end = self.bounds(day, day)
        return self._entries(select(InspectionRecord)
                             .where(InspectionRecord.checked_at >= start, InspectionRecord.checked_at < end)
                             .order_by(InspectionRecord.checked_at.desc(), InspectionRecord.id.desc()).limit(limit))

    def summary(self, first: date, last: date, *, only: RecordFilter = _ALL) -> dict[str, int]:
        """How many checks in the range (that ``only`` wants), and how many of each verdict."""
        start, end = self.bounds(first, last)
        with self.engine.connect() as conn:
            counts = {verdict: int(n) for verdict, n in conn.execute(
                select(InspectionRecord.verdict, func.count())
                .where(InspectionRecord.checked_at >= start, InspectionRecord.checked_at < end, *only.clauses())
                .group_by(InspectionRecord.verdict))}
        return {"checked": sum(counts.values()), **{v: counts.get(v, 0) for v in VERDICTS}}

    def lookup(self, document_number: str, *, limit: int = 200) -> list[InspectionEntry]:
        """The records (any day, newest first) that name the document numbered ``document_number``:
        an index lookup by its HMAC, the number itself being nowhere in the database."""
        refs = [document_ref(self._ref_key, s) for s in _spellings(document_number)]
        if not refs:
            raise ProtocolError("invalid_request", "document_number is empty")
        ids = select(InspectionDocument.record_id).where(InspectionDocument.document_ref.in_(refs))
        return self._entries(select(InspectionRecord).where(InspectionRecord.id.in_(ids))
                             .order_by(InspectionRecord.checked_at.desc(), InspectionRecord.id.desc()).limit(limit))

    def _entries(self, query: Any) -> list[InspectionEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            if not rows:
                return []
            docs: dict[str, list[RecordedDocument]] = {}
            for d in conn.execute(select(InspectionDocument)
                                  .where(InspectionDocument.record_id.in_([r.id for r in rows]))
                                  .order_by(InspectionDocument.record_id, InspectionDocument.position)).all():
                docs.setdefault(d.record_id, []).append(
                    RecordedDocument(d.credential_type, d.issuer_id, d.verdict, d.document_ref, d.status_source,
                                     d.status_age, d.status_uri, d.status_idx, d.later_status, d.later_seen_at))
        return [InspectionEntry(id=r.id, checked_at=r.checked_at, kind=r.kind, flow=r.flow, verdict=r.verdict,
                                reason_key=r.reason_key, inspector=r.inspector, verifier_id=r.verifier_id,
                                policy_version=r.policy_version, proof=r.proof, documents=tuple(docs.get(r.id, ())),
                                care_date=r.care_date)
                for r in rows]

    # --- a later look at the documents' status ----------------------------------------------------------

    def recheck(self, look_up: Callable[[str, str, int], int | None], now: float, *, batch: int = BATCH) -> int:
        """Look each recorded document up again in the status lists now held (``look_up(issuer_id, uri,
        index)``: its entry, or None when no list held may tell) and mark those found withdrawn since
        (:data:`LATER_STATUSES`, ``later_seen_at`` ``now``): a check made from a list that could not know
        yet (a site without network) is noted on its record, and the inspectorate can follow it up. Only
        documents with a status reference, not marked yet, and not "not valid" already; ``batch`` rows
        at a time (keyset), each batch's marks in a short transaction. Returns how many were marked."""
        marked, after = 0, 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(InspectionDocument.id, InspectionDocument.issuer_id, InspectionDocument.status_uri,
                           InspectionDocument.status_idx)
                    .where(InspectionDocument.id > after, InspectionDocument.status_uri.is_not(None),
                           InspectionDocument.status_idx.is_not(None), InspectionDocument.later_status.is_(None),
                           InspectionDocument.verdict != "invalid")
                    .order_by(InspectionDocument.id).limit(batch)).all()
            found: dict[str, list[int]] = {}
            for row in rows:
                value = look_up(row.issuer_id, row.status_uri, row.status_idx) if row.issuer_id else None
                later = LATER_STATUSES.get(value) if value is not None else None
                if later is not None:
                    found.setdefault(later, []).append(row.id)
            for later, ids in found.items():
                with self.engine.begin() as conn:
                    conn.execute(update(InspectionDocument).where(InspectionDocument.id.in_(ids),
                                                                  InspectionDocument.later_status.is_(None))
                                 .values(later_status=later, later_seen_at=now))
                marked += len(ids)
            if len(rows) < batch:
                return marked
            after = rows[-1].id

    # --- retention ------------------------------------------------------------------------------------

    def sweep(self, now: float, *, days: int, batch: int = BATCH, max_batches: int = 20) -> int:
        """Delete the records older than ``days`` (0: none), ``batch`` per database transaction and at
        most ``max_batches`` per call (the periodic sweep comes back for the rest): a first run over
        years of records neither blocks the verdicts being written meanwhile nor loses what it did
        when it is interrupted. Returns how many were deleted."""
        if days <= 0:
            return 0
        cutoff = now - days * 86400
        deleted = 0
        for round_ in range(max_batches):
            if round_:
                time.sleep(0.02)  # others get the write lock between batches (SQLite: one writer)
            with self.engine.begin() as conn:
                ids = list(conn.execute(select(InspectionRecord.id).where(InspectionRecord.checked_at < cutoff)
                                        .order_by(InspectionRecord.checked_at).limit(batch)).scalars())
                if not ids:
                    break
                # The documents first, by hand: the foreign key's ON DELETE CASCADE needs SQLite's
                # foreign_keys pragma, which a connection made elsewhere may lack.
                conn.execute(delete(InspectionDocument).where(InspectionDocument.record_id.in_(ids)))
                conn.execute(delete(InspectionRecord).where(InspectionRecord.id.in_(ids)))
            deleted += len(ids)
            if len(ids) < batch:
                break
        return deleted


def _cursor(entry: InspectionEntry) -> str:
    raw = json.dumps([entry.checked_at, entry.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _read_cursor(cursor: str) -> tuple[float, str]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        checked_at, record_id = value
        if not isinstance(checked_at, int | float) or not isinstance(record_id, str) or isinstance(checked_at, bool):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error) as exc:  # json.JSONDecodeError is a ValueError
        raise ProtocolError("invalid_request", "cursor is not one this API gave") from exc
    return float(checked_at), record_id


def _cell(value: str | None) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a quote (OWASP CSV injection)."""
    text = value or ""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


#: A record id as this verifier makes them: the proof's jti (hex; base64url in records made before).
_RECORD_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _id_cell(record_id: str) -> str:
    """The record's id as it is, being what the CSV joins on with the API, the JSON lines and the proof.
    A jti is hex now and never starts like a formula; one made earlier may start with '-', but of
    letters, digits, '_' and '-' only it can call no function or program (no parenthesis, quote or
    '|'), so it is not quoted either. Any other id is a cell like the rest."""
    return record_id if _RECORD_ID.fullmatch(record_id) else _cell(record_id)


def csv_lines(entries: Sequence[InspectionEntry] | Iterator[InspectionEntry], zone: tzinfo) -> Iterator[str]:
    """The records as CSV (RFC 4180), header first, a line at a time (a download streams them).
    A record's documents share its line, their fields ``;``-separated in the same order."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")

    def line(first: str, cells: Sequence[str]) -> str:
        buf.seek(0)
        buf.truncate()
        writer.writerow([first, *(_cell(c) for c in cells)])
        return buf.getvalue()

    yield line(CSV_COLUMNS[0], CSV_COLUMNS[1:])
    for e in entries:
        yield line(_id_cell(e.id), [
            e.checked_at_in(zone).isoformat(timespec="seconds"), e.kind, e.flow or "", e.verdict, e.reason_key,
            e.inspector or "", e.verifier_id, e.policy_version, ";".join(d.credential_type or "" for d in e.documents),
            ";".join(d.issuer_id or "" for d in e.documents), ";".join(d.verdict for d in e.documents),
            ";".join(d.document_ref or "" for d in e.documents),
            ";".join(d.status_source or "" for d in e.documents),
            ";".join(str(d.to_json(zone, e.checked_at)["status_list_of"] or "") for d in e.documents),
            ";".join(d.later_status or "" for d in e.documents), e.care_date or "", e.proof])


def jsonl_lines(entries: Sequence[InspectionEntry] | Iterator[InspectionEntry], zone: tzinfo) -> Iterator[str]:
    """The records as JSON lines, one record (with its signed proof) a line."""
    for e in entries:
        yield json.dumps(e.to_json(zone), ensure_ascii=False, separators=(",", ":")) + "\n"
