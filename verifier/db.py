"""Verifier storage (SQLAlchemy 2.0): inspections in progress and offline challenges.

Every replica of the verifier reads and writes the same rows, so a wallet's answer may reach
another replica than the one that made the request, and a restart loses no inspection. What
identifies a person, and the ephemeral key that decrypts the wallet's answer, are kept sealed
(:mod:`verifier.transactions`); times are Unix seconds. Schema changes go through Alembic
(``verifier/migrations``, version table ``alembic_version_verifier``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from esspass.db import NAMING_CONVENTION
from esspass.signin_sessions import SessionRow

__all__ = ["Base", "ChallengeRecord", "InspectionDocument", "InspectionRecord", "InspectorSession",
           "TransactionRecord"]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TransactionRecord(Base):
    """One inspection: an OpenID4VP request and its answer (``online``), or a scanned QR (``offline``)."""

    __tablename__ = "verifier_transactions"
    #: The public id: in the request_uri and response_uri the wallet (and anyone seeing the QR) gets.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: SHA-256 of the inspector's handle, the only key to the verdict (result, verdict page, proof).
    view_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # online | offline
    #: cross_device (the inspector's screen shows a QR code) or same_device (this browser opens the
    #: wallet, which sends it back with a response_code, OpenID4VP §13.3, HAIP §5)
    flow: Mapped[str] = mapped_column(String(14), default="cross_device")
    #: same_device: SHA-256 of the response_code given to the wallet, and when it came back.
    response_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: same_device through the API: where the wallet sends the browser back (an allowed origin).
    redirect_uri: Mapped[str | None] = mapped_column(String(500), nullable=True)
    redeemed_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: pending -> verifying (one replica has taken the answer) -> done | error
    status: Mapped[str] = mapped_column(String(10), default="pending")
    client_id: Mapped[str] = mapped_column(String(600), default="")
    nonce: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(64), default="")
    response_mode: Mapped[str] = mapped_column(String(20))
    query: Mapped[dict[str, Any]] = mapped_column(JSON)
    request_object: Mapped[str] = mapped_column(Text, default="")
    #: ``wallet_nonce`` POSTs to the request_uri taken (OpenID4VP §5.10), each a signature by the
    #: access key: counted here, so that the cap holds across replicas.
    request_posts: Mapped[int] = mapped_column(Integer, default=0)
    purpose: Mapped[str] = mapped_column(String(300))
    #: The private JWK that decrypts a direct_post.jwt answer, sealed.
    sealed_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    #: The verdict without the person (reasons, steps, freshness), sealed.
    sealed_verdict: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    #: The person's name, birth date, portrait and document facts, sealed; erased after retention.
    sealed_person: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    proof: Mapped[str | None] = mapped_column(Text, nullable=True)  # holds no personal data
    wallet_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
    shown_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: A hash of the signed-in browser session that first showed the verdict: it alone sees the
    #: person again for the grace after ``shown_at`` (a language switch, a reload), then erased.
    shown_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Who started the check (the signed-in inspector's or API token's name), for its inspection
    #: record (:mod:`verifier.records`); None when sign-in is left to a gateway.
    inspector: Mapped[str | None] = mapped_column(String(60), nullable=True)
    #: The day of care (ISO date) an EHIC check is made for; None: today. A billing fact, not the
    #: patient's: no seal needed.
    care_date: Mapped[str | None] = mapped_column(String(10), nullable=True)


class ChallengeRecord(Base):
    """A code the inspector shows before scanning an offline QR; used once."""

    __tablename__ = "verifier_challenges"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class InspectorSession(SessionRow, Base):
    """An inspector's signed-in session of the verifier's pages (esspass.signin_sessions)."""

    __tablename__ = "verifier_inspector_sessions"


class InspectionRecord(Base):
    """A finished inspection as the inspectorate keeps it (:mod:`verifier.records`): kept
    ``ESSPASS_VERIFIER_RECORDS_DAYS``, long after its transaction is deleted. Holds nothing about
    the worker (domain.md "Verification proof"): no name, birth date, number or portrait."""

    __tablename__ = "verifier_inspection_records"
    #: The verification proof's ``jti``.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    checked_at: Mapped[float] = mapped_column(Float, index=True)  # Unix seconds
    kind: Mapped[str] = mapped_column(String(8))  # online | offline | api
    flow: Mapped[str | None] = mapped_column(String(14), nullable=True)  # online: cross_device | same_device
    verdict: Mapped[str] = mapped_column(String(12))  # valid | invalid | undetermined | refused
    #: A key of the reason's translation (``status.withdrawn``), never its text, which may quote a document.
    reason_key: Mapped[str] = mapped_column(String(64), default="")
    inspector: Mapped[str | None] = mapped_column(String(60), nullable=True)
    verifier_id: Mapped[str] = mapped_column(String(100))
    policy_version: Mapped[str] = mapped_column(String(40))
    #: The signed verification proof (a JWT holding no personal data).
    proof: Mapped[str] = mapped_column(Text)
    #: The day of care (ISO date) an EHIC check was made for, as the proof says; None: the day of the check.
    care_date: Mapped[str | None] = mapped_column(String(10), nullable=True)


class InspectionDocument(Base):
    """One document of an inspection record: what was checked, never whose."""

    __tablename__ = "verifier_inspection_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("verifier_inspection_records.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    credential_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    issuer_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    verdict: Mapped[str] = mapped_column(String(12))
    #: HMAC-SHA256 of the document number under the verifier's own key, as in the proof: "did we check
    #: document X?" is an index lookup, while the number itself is nowhere in the database.
    document_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    #: What the status rested on (domain.md "Verification proof": status source and age), as the proof
    #: says: network | cache | none, and the age in seconds of the status list used.
    status_source: Mapped[str | None] = mapped_column(String(8), nullable=True)
    status_age: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: The document's status list reference (uri, index; no personal data), so that the copy is looked up
    #: again when the lists are next fetched (verifier.records RecordStore.recheck).
    status_uri: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    status_idx: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: A final status learnt after the check (``withdrawn``), and when: the record of a check that was
    #: not "not valid" says so (987/2009 Art. 5: a withdrawn A1 is void from its first day).
    later_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    later_seen_at: Mapped[float | None] = mapped_column(Float, nullable=True)
