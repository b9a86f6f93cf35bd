"""The registry's records: entities, their certificates, status history, audit trail, list sequence.

Every change is one transaction that also writes the audit row and bumps the sequence number, so
a published list always reflects a whole change or none of it. Validation happens before
anything is written (unknown country, malformed PEM, a "CA" that is not a CA, an expired
certificate, a duplicate id): a :class:`DataError` or 409 and nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import JSON, DateTime, Engine, ForeignKey, Integer, LargeBinary, MetaData, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from credentials import trust_list
from credentials.countries import COUNTRIES, normalise
from credentials.errors import CredentialError, DataError, ProtocolError
from credentials.institutions import Role
from credentials.x509 import load_pem_certificates

__all__ = ["Registry"]

ROLES = {r.value for r in Role}


class Base(DeclarativeBase):
    metadata = MetaData()


class EntityRow(Base):
    __tablename__ = "registry_entities"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    dns_name: Mapped[str | None] = mapped_column(String(200))
    path: Mapped[str | None] = mapped_column(String(64))
    may_request: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)


class CertificateRow(Base):
    __tablename__ = "registry_certificates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("registry_entities.id"), index=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    usage: Mapped[str] = mapped_column(String(8))
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatusRow(Base):
    __tablename__ = "registry_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("registry_entities.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(300), default="")


class AuditRow(Base):
    __tablename__ = "registry_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(20), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sequence: Mapped[int] = mapped_column(Integer)


class SequenceRow(Base):
    __tablename__ = "registry_sequence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def parse_certificate(pem: str | bytes, usage: str, *, now: datetime, field: str = "pem") -> x509.Certificate:
    """One certificate from PEM, checked for what its usage needs."""
    if usage not in (trust_list.CA, trust_list.SIGNER):
        raise DataError("usage", "must be ca or signer")
    try:
        certs = load_pem_certificates(pem.encode("ascii") if isinstance(pem, str) else pem)
    except (CredentialError, UnicodeEncodeError) as exc:
        raise DataError(field, "is not a PEM certificate") from exc
    if len(certs) != 1:
        raise DataError(field, "must hold exactly one certificate")
    cert = certs[0]
    if cert.not_valid_after_utc <= now:
        raise DataError(field, "the certificate has expired")
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        is_ca = bc.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if usage == trust_list.CA and not is_ca:
        raise DataError(field, "is not a CA certificate (basicConstraints cA is not set)")
    if usage == trust_list.SIGNER and is_ca:
        raise DataError(field, "a document-signer certificate must not be a CA")
    return cert


class Registry:
    """Registry use cases over an engine (SQLite file or PostgreSQL; same code)."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None,
                 list_validity: timedelta = timedelta(hours=24)) -> None:
        self.engine = engine
        Base.metadata.create_all(engine)
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.list_validity = list_validity

    # --- changes ---------------------------------------------------------------------------------

    def _bump(self, s: Session, who: str, action: str, entity_id: str, detail: Mapping[str, Any]) -> int:
        row = s.get(SequenceRow, 1, with_for_update=True)
        if row is None:
            row = SequenceRow(id=1, value=0)
            s.add(row)
        row.value += 1
        s.add(AuditRow(at=self.clock(), who=who[:80], action=action, entity_id=entity_id, detail=dict(detail),
                       sequence=row.value))
        return row.value

    def add_entity(self, data: Mapping[str, Any], *, who: str, since: datetime | None = None) -> dict[str, Any]:
        """Add an institution or inspectorate with its certificates, active from ``since`` (default now)."""
        now = self.clock()
        entity_id = str(data.get("id") or "").strip()
        if not entity_id or len(entity_id) > 20 or ":" not in entity_id:
            raise DataError("id", "must look like CC:NAME (at most 20 characters)")
        country = normalise(str(data.get("country") or ""))
        if country not in COUNTRIES:
            raise DataError("country", "is not one of the 32 ESSPASS countries")
        name, name_en = str(data.get("name") or "").strip(), str(data.get("name_en") or data.get("name") or "").strip()
        if not 1 <= len(name) <= 200 or not 1 <= len(name_en) <= 200:
            raise DataError("name", "must be 1 to 200 characters")
        roles = data.get("roles")
        if not isinstance(roles, list) or not roles or not set(roles) <= ROLES:
            raise DataError("roles", f"must be a non-empty list of {sorted(ROLES)}")
        may_request = data.get("may_request") or {}
        if not isinstance(may_request, dict) or not all(
                isinstance(v, list) and all(isinstance(c, str) for c in v) for v in may_request.values()):
            raise DataError("may_request", "must map credential types to lists of claim names")
        if may_request and Role.VERIFIER.value not in roles:
            raise DataError("may_request", "only verifiers may request credentials")
        certs = data.get("certificates") or []
        if not isinstance(certs, list) or not certs:
            raise DataError("certificates", "at least one CA certificate is required")
        parsed = []
        for i, c in enumerate(certs):
            if not isinstance(c, dict):
                raise DataError(f"certificates.{i}", "must be an object with pem and usage")
            parsed.append((parse_certificate(c.get("pem") or "", str(c.get("usage") or "ca"), now=now,
                                             field=f"certificates.{i}.pem"), str(c.get("usage") or "ca")))
        if not any(u == trust_list.CA for _, u in parsed):
            raise DataError("certificates", "at least one CA certificate is required")
        start = since or now
        with self.sessions.begin() as s:
            if s.get(EntityRow, entity_id) is not None:
                raise ProtocolError("conflict", f"an entity with id {entity_id} already exists", http_status=409)
            s.add(EntityRow(id=entity_id, country=country, name=name, name_en=name_en, roles=sorted(set(roles)),
                            dns_name=data.get("dns_name") if isinstance(data.get("dns_name"), str) else None,
                            path=data.get("path") if isinstance(data.get("path"), str) else None,
                            may_request={str(k): list(v) for k, v in may_request.items()}))
            s.flush()
            for cert, usage in parsed:
                s.add(CertificateRow(entity_id=entity_id, der=cert.public_bytes(serialization.Encoding.DER),
                                     usage=usage, not_before=max(cert.not_valid_before_utc, start)
                                     if since is None else cert.not_valid_before_utc,
                                     not_after=cert.not_valid_after_utc))
            s.add(StatusRow(entity_id=entity_id, status=trust_list.ACTIVE, since=start, reason="registered"))
            self._bump(s, who, "add_entity", entity_id, {"roles": sorted(set(roles))})
        return self.show(entity_id)

    def add_certificate(self, entity_id: str, pem: str | bytes, usage: str, *, who: str,
                        rotate: bool = False) -> dict[str, Any]:
        """Add a certificate; ``rotate`` closes the window of the entity's current ones of that usage now."""
        now = self.clock()
        cert = parse_certificate(pem, usage, now=now)
        der = cert.public_bytes(serialization.Encoding.DER)
        with self.sessions.begin() as s:
            self._entity(s, entity_id)
            rows = s.scalars(select(CertificateRow).where(CertificateRow.entity_id == entity_id,
                                                          CertificateRow.usage == usage)).all()
            if any(r.der == der for r in rows):
                raise ProtocolError("conflict", "this certificate is already registered", http_status=409)
            if rotate:
                for row in rows:
                    if _utc(row.not_after) > now:
                        row.not_after = now
            s.add(CertificateRow(entity_id=entity_id, der=der, usage=usage, not_before=now,
                                 not_after=cert.not_valid_after_utc))
            self._bump(s, who, "rotate_certificate" if rotate else "add_certificate", entity_id, {"usage": usage})
        return self.show(entity_id)

    def set_status(self, entity_id: str, status: str, *, who: str, reason: str = "",
                   since: datetime | None = None) -> dict[str, Any]:
        if status not in trust_list.STATUSES:
            raise DataError("status", "must be active, suspended or withdrawn")
        if status != trust_list.ACTIVE and not reason.strip():
            raise DataError("reason", "a reason is required to suspend or withdraw")
        with self.sessions.begin() as s:
            self._entity(s, entity_id)
            current = s.scalars(select(StatusRow).where(StatusRow.entity_id == entity_id)
                                .order_by(StatusRow.since.desc(), StatusRow.id.desc())).first()
            if current is not None and current.status == trust_list.WITHDRAWN:
                raise ProtocolError("conflict", "a withdrawn entity cannot change status", http_status=409)
            s.add(StatusRow(entity_id=entity_id, status=status, since=since or self.clock(), reason=reason[:300]))
            self._bump(s, who, status, entity_id, {"reason": reason[:300]})
        return self.show(entity_id)

    def _entity(self, s: Session, entity_id: str) -> EntityRow:
        row = s.get(EntityRow, entity_id)
        if row is None:
            raise ProtocolError("not_found", f"no entity {entity_id}", http_status=404)
        return row

    # --- reading ---------------------------------------------------------------------------------

    def sequence(self) -> int:
        with self.sessions() as s:
            row = s.get(SequenceRow, 1)
            return 0 if row is None else row.value

    def entities(self) -> list[trust_list.ListedEntity]:
        with self.sessions() as s:
            rows = s.scalars(select(EntityRow).order_by(EntityRow.id)).all()
            certs = s.scalars(select(CertificateRow).order_by(CertificateRow.id)).all()
            statuses = s.scalars(select(StatusRow).order_by(StatusRow.since, StatusRow.id)).all()
        out = []
        for row in rows:
            out.append(trust_list.ListedEntity(
                id=row.id, country=row.country, name=row.name, name_en=row.name_en, roles=frozenset(row.roles),
                certificates=tuple(trust_list.ListedCertificate(c.der, c.usage, _utc(c.not_before), _utc(c.not_after))
                                   for c in certs if c.entity_id == row.id),
                status_history=tuple(trust_list.StatusPeriod(p.status, _utc(p.since), p.reason)
                                     for p in statuses if p.entity_id == row.id),
                may_request={k: tuple(v) for k, v in (row.may_request or {}).items()},
                dns_name=row.dns_name, path=row.path))
        return out

    def show(self, entity_id: str) -> dict[str, Any]:
        for entity in self.entities():
            if entity.id == entity_id:
                return entity.to_json()
        raise ProtocolError("not_found", f"no entity {entity_id}", http_status=404)

    def history(self, entity_id: str) -> dict[str, Any]:
        entity = self.show(entity_id)
        with self.sessions() as s:
            audit = s.scalars(select(AuditRow).where(AuditRow.entity_id == entity_id).order_by(AuditRow.id)).all()
        return {"id": entity_id, "status_history": entity["status_history"],
                "certificates": [{k: v for k, v in c.items() if k != "x5c"} for c in entity["certificates"]],
                "audit": [{"at": _utc(a.at).isoformat(), "who": a.who, "action": a.action, "detail": a.detail,
                           "sequence": a.sequence} for a in audit]}

    def build_list(self, kind: str, now: datetime) -> trust_list.TrustList:
        """The issuers list (entities with an issuing role) or the verifiers list, as of now."""
        if kind not in trust_list.KINDS:
            raise ProtocolError("not_found", "lists: issuers, verifiers", http_status=404)
        # Reading the sequence before the entities: a concurrent change can only make the list newer
        # than its number, never older, so a client's rollback check stays sound.
        sequence = self.sequence()
        wanted: Sequence[str] = ([Role.VERIFIER.value] if kind == "verifiers" else
                                 [Role.PDA1_ISSUER.value, Role.EHIC_ISSUER.value, Role.PID_PROVIDER.value])
        entities = tuple(e for e in self.entities() if e.roles & set(wanted))
        return trust_list.TrustList(kind, sequence, now, now + self.list_validity, entities)
