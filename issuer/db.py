"""Issuer storage (SQLAlchemy 2.0): cases, offers, tokens, nonces, credentials, status lists, events.

The issuer keeps only what it needs (brief: "case data, credential record, status index"): the
case's claims (to sign them), hashes of codes and tokens (never the values), and per credential
its status list entry and the thumbprint of the holder key, never a private key. Schema changes go
through Alembic (``issuer/migrations``, version table ``alembic_version_issuer``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from esspass.db import NAMING_CONVENTION
from esspass.signin_sessions import SessionRow

__all__ = ["Base", "Case", "CaseSearch", "CredentialRecord", "DeferredTransaction", "DpopJti", "Event", "ImportRecord",
           "Nonce", "Offer",
           "RefreshToken", "StatusListRecord", "Token", "stored_hash", "utc"]


def stored_hash(value: str) -> str:
    """How a code, token or proof id is kept: its SHA-256 (hex), never the value."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def file_digest(data: bytes) -> str:
    """How an imported file is known again (:class:`ImportRecord` ``file_hash``): the SHA-256 (hex) of its
    bytes, never the file."""
    return hashlib.sha256(data).hexdigest()


def utc(value: datetime) -> datetime:
    """A timestamp read back from the database, aware (SQLite gives naive ones even for aware columns)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Case(Base):
    """A decision of the institution about one person: the data one credential type carries."""

    __tablename__ = "issuer_cases"
    #: A document number is given to one document of an institution, whatever its type or state
    #: (issuer.service.IssuerService.create_case); NULLs (no number) are not compared.
    __table_args__ = (Index("ix_issuer_cases_number", "entity_id", "number_key", unique=True),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(20), index=True)
    configuration_id: Mapped[str] = mapped_column(String(20))
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The holder's names and birth date for the offline compact credential (not in the SD-JWT VC).
    holder: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    label: Mapped[str] = mapped_column(String(120))  # what the clerk sees in lists (document number)
    #: What the clerk finds it by, folded (issuer.case_search): numbers, names, employer.
    search: Mapped[str | None] = mapped_column(String(600), nullable=True)
    state: Mapped[str] = mapped_column(String(12), default="active")  # active | suspended | revoked
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(60))
    #: When the document ends (issuer.service.document_end): the retention period counts from it, or
    #: from when the case was recorded or last used, when later (IssuerService.erase_ended).
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    #: When the personal data was erased, the retention period after the document ended (and after the
    #: case was recorded and last used) having passed.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: The document number as told apart (issuer.case_search.number_key); kept when the case is
    #: erased, so that a number is never given again. None: no number (a PID may have none), or a
    #: number a case recorded earlier already had when the rule came (migration 0010).
    number_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: A second clerk's approval (four-eyes, issuer.service.IssuerService.approve_case): None when the
    #: institution asks none (or the case came before it did), ``awaiting``, ``approved``, ``refused``.
    #: No credential is signed for a case awaiting approval; a wallet asking meanwhile is deferred.
    approval: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: The case this one replaces (issuer.service.IssuerService.replace_case); None for a new document.
    replaces: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    #: Why, while the replacement awaits a second clerk's approval (four-eyes): the replaced case is
    #: withdrawn, with this reason in its history, only when it is approved; cleared then, or when refused.
    replace_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)


class Offer(Base):
    __tablename__ = "issuer_offers"
    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("issuer_cases.id"), index=True)
    #: The pre-authorized code of an offer made before migration 0016 (``scheme`` None), kept in clear
    #: while the offer is open, since the offer URI must return it (§4.1.3); erased when it is used,
    #: locked or replaced. None for every later offer, whose code is derived from the offer key
    #: (issuer.service.OfferSecrets) and never stored. Lookups go by its hash.
    code: Mapped[str | None] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: An HMAC of the tx_code: keyed by the offer key (and bound to the code) for ``scheme``
    #: ``offer-key``; keyed by the code alone for an offer made before migration 0016.
    tx_code_hash: Mapped[str | None] = mapped_column(String(64))
    #: How the code, the tx_code's MAC and ``issuer_state`` are made: ``offer-key`` (from the issuer's
    #: offer key, outside the database), or None for an offer made before migration 0016 (the code
    #: in ``code``, the MACs keyed by it), checked that way until it ends.
    scheme: Mapped[str | None] = mapped_column(String(12), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(12), default="open")  # open | used | locked | replaced


class Token(Base):
    __tablename__ = "issuer_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("issuer_cases.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used: Mapped[bool] = mapped_column(default=False)  # no credential request is left to make with it
    #: The configurations already issued with this token: one credential response per offered
    #: configuration (the document as SD-JWT VC, and as ISO mdoc).
    issued: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    #: RFC 9449 §6: the thumbprint of the DPoP key the token is bound to (None: a Bearer token).
    jkt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The configurations the worker authorized (code flow, §5.1); None: all the offer lists.
    allowed: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    #: The token response gave ``credential_identifiers`` (§6.2): requests must name one (§8.2).
    identifiers: Mapped[bool] = mapped_column(default=False)
    #: The grant the token belongs to, shared by every token refreshed from it (RFC 6749 §6): a
    #: deferred transaction is answered to any live token of its grant. None: a token recorded
    #: before migration 0012 (its grant is then its own hash).
    grant_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    #: The wallet provider whose client attestation authenticated the wallet when the token was given
    #: (HAIP §9.2; at the token endpoint, or at the refresh that gave it); None: no attestation.
    provider_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Given by a refresh of a grant whose document was already issued (HAIP 1.0 §4 "refresh tokens
    #: for credential refresh", issuer.service.IssuerService._refreshed): the wallet renews its copies,
    #: each credential response under it a ``renewed`` event in the case history (migration 0018).
    renews: Mapped[bool] = mapped_column(default=False)
    #: When it was first presented at the credential, deferred credential or notification endpoint: the
    #: answer that carried it arrived (issuer.service.IssuerService._lost_answer; migration 0019).
    presented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RefreshToken(Base):
    """A refresh token (RFC 6749 §6): given with a token for a case awaiting approval (deferred
    issuance, OpenID4VCI §9), and with every DPoP-bound token for a document (the wallet renews its
    copies with it, HAIP 1.0 §4; issuer.service.IssuerService.token).

    Rotated (RFC 9700 §4.14.2): each use marks it ``used`` and gives a new one of the same grant;
    a ``used`` one presented again revokes the grant's live one (``revoked``). Only its hash is kept.
    Deleted with its case's withdrawal or erasure (nothing may be renewed from either).
    """

    __tablename__ = "issuer_refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("issuer_cases.id"), index=True)
    #: The access token given with it, whose case, configurations and issued list the next one carries.
    access_hash: Mapped[str] = mapped_column(String(64))
    #: RFC 9449 §5: the DPoP key the grant is bound to (None: a Bearer grant).
    jkt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: The attested wallet solution (client attestation ``sub``) the grant went to; None: anonymous.
    client_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: The grant's end, not moved by rotation: ``deferred_ttl`` after the first token, or for a
    #: DPoP-bound grant the document's end (at most five years: issuer.service._RENEWAL_MAX).
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(10), default="active")  # active|used|revoked|ended (renewals ended)
    #: When it was rotated out, and the hash of the refresh token that replaced it (migration 0013).
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    successor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: When it was given: a grant whose live refresh token is not used for issuer.service.REFRESH_IDLE
    #: ends (RFC 9700 §4.14.2; migration 0019, rows before it count from the upgrade).
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeferredTransaction(Base):
    """A credential request deferred while its case awaits approval (OpenID4VCI §8.3, §9).

    Everything the request proved is kept (the holder keys of its proofs), so the deferred
    credential request needs no new proof: the credentials are signed when the case is approved.
    Only the ``transaction_id``'s hash is kept (the id is made again from the offer key, the access
    token's hash and the configuration, issuer.service.OfferSecrets.transaction_id, for a wallet
    whose 202 was lost); ``issued`` once answered (§9: then invalid);
    ``denied`` when a wallet provider that vouched for the request is no longer trusted when the
    credentials would be signed (final: the wallet is told to stop asking).
    """

    __tablename__ = "issuer_deferred"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("issuer_cases.id"), index=True)
    grant_id: Mapped[str] = mapped_column(String(64))
    configuration_id: Mapped[str] = mapped_column(String(20))  # as requested: ``pda1`` or ``pda1_mdoc``
    #: The holder public JWKs (kty, crv, x, y) of the request's proofs, one credential each.
    holder_keys: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending | issued | denied
    #: The wallet providers that vouched for the request (HAIP §9.2): the client attestation's at
    #: the token endpoint and each key attestation's, judged again before signing; [] when none did,
    #: None for a request recorded before migration 0013 (judged as one no provider vouched for).
    providers: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    #: The notification_id of the credentials given for it (§11).
    notification_id: Mapped[str | None] = mapped_column(String(43), nullable=True)


class Authorization(Base):
    """An authorization code flow in progress (OpenID4VCI §5, RFC 9126 PAR, RFC 7636 PKCE): pushed,
    then authorized by the worker on our page (``code`` issued), then used at the token endpoint."""

    __tablename__ = "issuer_authorizations"
    id: Mapped[str] = mapped_column(String(43), primary_key=True)  # the request_uri's handle
    offer_id: Mapped[str] = mapped_column(ForeignKey("issuer_offers.id"), index=True)
    client_id: Mapped[str] = mapped_column(String(200))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    code_challenge: Mapped[str] = mapped_column(String(128))
    state: Mapped[str | None] = mapped_column(String(500), nullable=True)  # the client's, echoed back
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    stage: Mapped[str] = mapped_column(String(12), default="pushed")  # pushed | authorized | used
    #: What the pushed request asked for (§5.1.1 authorization_details or §5.1.2 scope).
    configurations: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    by_details: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DpopJti(Base):
    """DPoP proof ids seen (RFC 9449 §11.1): a proof is accepted once, across workers."""

    __tablename__ = "issuer_dpop_jtis"
    jti_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Nonce(Base):
    __tablename__ = "issuer_nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class StatusListRecord(Base):
    """One status list of one institution; ``version`` grows with every status change in it.
    ``signed_version`` and ``signed_iat``: the latest version a Status List Token was signed for, and
    the ``iat`` (unix seconds) its first token was signed with, by whichever worker, so that each new
    version is signed after every token of the ones before (:meth:`issuer.status_lists.StatusLists._iat`)."""

    __tablename__ = "issuer_status_lists"
    __table_args__ = (UniqueConstraint("entity_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    signed_version: Mapped[int] = mapped_column(Integer, default=0)
    signed_iat: Mapped[int] = mapped_column(BigInteger, default=0)


class CredentialRecord(Base):
    __tablename__ = "issuer_credentials"
    __table_args__ = (UniqueConstraint("list_id", "idx"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("issuer_cases.id"), index=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("issuer_status_lists.id"))
    idx: Mapped[int] = mapped_column(Integer)
    status: Mapped[int] = mapped_column(Integer, default=0)
    holder_jkt: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notification_id: Mapped[str] = mapped_column(String(43), index=True)
    notification_event: Mapped[str | None] = mapped_column(String(30))
    #: The grant (issuer_tokens.grant_id) and the form (credential configuration id) the copy was issued
    #: under, so that a renewal is judged against what that grant holds (migration 0019; None: before it,
    #: or a paper copy).
    grant_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    configuration_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: Set invalid because a newer generation of the same grant and form replaced it: a reinstatement of
    #: the case leaves it invalid (issuer.service.IssuerService._supersede).
    superseded: Mapped[bool] = mapped_column(default=False)


class Event(Base):
    """Audit trail of a case: who did what when and why (no personal data in ``detail``)."""

    __tablename__ = "issuer_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("issuer_cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(300), default="")


class CaseSearch(Base):
    """A clerk's search or listing of the institution's cases (GDPR Art. 5(2), Art. 32(1)(b), (d)): who,
    when, and how many cases it showed; never the words searched for, which are a person's name or
    number. A case opened from the results is in that case's history (``viewed``)."""

    __tablename__ = "issuer_case_searches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(String(20), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(60))
    #: ``searched`` (words given) or ``listed`` (a page of the list, or an approval filter alone).
    action: Mapped[str] = mapped_column(String(10))
    found: Mapped[int] = mapped_column(Integer)


class ImportRecord(Base):
    """A CSV import made under a one-time id (the back office form's ``import_id``, an API client's
    ``Idempotency-Key``), recorded by its first request, so that the same request sent again (a
    browser's reload of the report, a client's retry after a timeout) records nothing twice and is
    told what the first one did (:meth:`issuer.service.IssuerService.claim_import`).

    Every import is recorded so (an API request without a key under an id of its own), with its file's
    SHA-256 (:func:`file_digest`), so that the same file brought again by a new request (a clerk importing
    the same export twice, a day apart) is told what the earlier import did and imported only once the
    clerk confirms (:class:`issuer.service.SameFile`).

    Only what that takes: the id's SHA-256 (never the id), the file's SHA-256 (never the file), the
    institution, when, which clerk, and once the import is done how many rows it imported and rejected,
    and for an API import under an ``Idempotency-Key`` what its answer needs to be sent again to a retry
    (``outcome``): no cell of the file. Deleted :data:`issuer.service.IMPORT_KEPT` (7 days) after the
    import by the daily housekeeping (:meth:`issuer.service.IssuerService.purge_expired`)."""

    __tablename__ = "issuer_imports"
    __table_args__ = (Index("ix_issuer_imports_file", "entity_id", "file_hash"),
                      Index("ix_issuer_imports_file_claim", "entity_id", "file_claim", unique=True))
    entity_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(60))
    #: None while the import runs (or when it stopped before it could say): how many rows it recorded.
    imported: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rejected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The file's SHA-256 (:func:`file_digest`); None for an import recorded before migration 0023.
    file_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: ``file_hash`` again while this import is the one of its file the clerk did not confirm as a repeat,
    #: unique per institution so that of two requests bringing one file at once one only gets through;
    #: None for a confirmed repeat, and once the import recorded no case (nothing to record twice).
    file_claim: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: An API import under an ``Idempotency-Key`` that finished whole: its report's rows as a retry gets
    #: them again (:func:`issuer.service.replayable_rows`: each row's line and case, or its field and rule
    #: key, nothing quoting the file, nor the case's label: read from the case again); None otherwise (an
    #: office import, one stopped, one before 0024).
    outcome: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)


class OfficeSession(SessionRow, Base):
    """A clerk's signed-in back office session (esspass.signin_sessions); ``subject``: the institution."""

    __tablename__ = "issuer_office_sessions"
