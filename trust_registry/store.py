"""The registry's records: entities, their certificates, status history, audit trail, list sequence.

Tables (own :class:`MetaData`, all prefixed ``registry_`` so the services can share one
PostgreSQL database): ``registry_entities``, ``registry_certificates``,
``registry_status_periods``, ``registry_audit`` and ``registry_list_state`` (one row: the
sequence number of the published lists). They are made and changed by the Alembic migrations in
``trust_registry/migrations`` (version table ``alembic_version_registry``); a database from before
the migrations is completed and stamped on first start.

Every change is ONE transaction that also writes the audit row and bumps the sequence number, so
a published list always reflects a whole change or none of it. Write transactions are serialised
(every SQLite transaction begins IMMEDIATE, :mod:`esspass.db`; on PostgreSQL ``SELECT ... FOR UPDATE``
of the list-state row), and
a list is read from one snapshot (:meth:`Registry.build_list`), so its sequence number and its
content always belong together. Validation happens before anything is written (unknown country,
malformed PEM, a "CA" that is not a CA, an expired certificate, a certificate whose subject does not
name the entity's country (:func:`check_certificate_country`), an id whose country prefix is not
its country, a duplicate id or certificate): a :class:`~credentials.errors.DataError` (400) or a
409 ``conflict`` and nothing stored. A certificate for a key another entity already lists is a 409
``key_already_registered``: a key belongs to one entity, and revoking it revokes it everywhere.

The list format itself is :mod:`credentials.trust_list`; the ETSI TS 119 602 export of the same
content is :func:`credentials.trust_list.to_lote` (standards.md §8.2).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from credentials import trust_list
from credentials.countries import COUNTRIES, normalise
from credentials.errors import CredentialError, DataError, IssuerKeyError, MalformedError, ProtocolError
from credentials.institutions import ROLE_FOR_VCT, Role
from credentials.status_list import StatusReference
from credentials.x509 import load_pem_certificates, spki_kid, validate_chain
from esspass.db import Sessions, serialises_writes
from esspass.migrate import upgrade

__all__ = [
    "ISSUING_ROLES",
    "ROLES",
    "AuditRow",
    "CertificateRow",
    "EntityRow",
    "ListStateRow",
    "Registry",
    "StatusPeriodRow",
    "check_certificate_country",
    "known_claim_names",
    "metadata",
    "parse_certificate",
]

ROLES = frozenset(r.value for r in Role)
ISSUING_ROLES = frozenset({Role.PDA1_ISSUER.value, Role.EHIC_ISSUER.value, Role.PID_PROVIDER.value})
#: Which entities each published list holds (credentials.trust_list.KINDS).
_LIST_ROLES = {"issuers": ISSUING_ROLES, "verifiers": frozenset({Role.VERIFIER.value}),
               "wallet_providers": frozenset({Role.WALLET_PROVIDER.value})}
_ID = re.compile(r"^[A-Z]{2}:[A-Za-z0-9._-]{1,17}$")
_DNS = re.compile(r"^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_PATH = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_CLAIM = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
MIGRATIONS = Path(__file__).parent / "migrations"


class Base(DeclarativeBase):
    metadata = MetaData()


metadata = Base.metadata


class EntityRow(Base):
    __tablename__ = "registry_entities"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON)
    dns_name: Mapped[str | None] = mapped_column(String(200))
    path: Mapped[str | None] = mapped_column(String(64))
    status_lists: Mapped[str | None] = mapped_column(String(300))
    #: A verifier's privacy notice (credentials.trust_list.check_policy_uri).
    policy_uri: Mapped[str | None] = mapped_column(String(trust_list.MAX_POLICY_URI))
    may_request: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)


class CertificateRow(Base):
    __tablename__ = "registry_certificates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("registry_entities.id"), index=True)
    der: Mapped[bytes] = mapped_column(LargeBinary)
    usage: Mapped[str] = mapped_column(String(8))  # ca | signer
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    not_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The key was compromised: nothing it signed is trusted any more (trust_list.ListedCertificate).
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class StatusPeriodRow(Base):
    __tablename__ = "registry_status_periods"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("registry_entities.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # active | suspended | withdrawn
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(300), default="")


class AuditRow(Base):
    __tablename__ = "registry_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    when: Mapped[datetime] = mapped_column("at", DateTime(timezone=True))
    who: Mapped[str] = mapped_column(String(80))  # a name bound to the admin token or "cli:<user>", never a token
    action: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(20), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sequence: Mapped[int] = mapped_column(Integer)  # the list sequence this change produced


class ListStateRow(Base):
    __tablename__ = "registry_list_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    sequence: Mapped[int] = mapped_column(Integer)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def parse_certificate(pem: str | bytes, usage: str, *, now: datetime, field: str = "pem") -> x509.Certificate:
    """Exactly one certificate from PEM, checked for what ``usage`` needs (CA: basicConstraints cA)."""
    if usage not in (trust_list.CA, trust_list.SIGNER):
        raise DataError("usage", "must be ca or signer")
    try:
        certs = load_pem_certificates(pem.encode("ascii") if isinstance(pem, str) else pem)
    except (CredentialError, UnicodeEncodeError, ValueError) as exc:
        raise DataError(field, "is not a PEM certificate") from exc
    if len(certs) != 1:
        raise DataError(field, "must hold exactly one PEM certificate")
    cert = certs[0]
    if cert.not_valid_after_utc <= now:
        raise DataError(field, "the certificate has expired")
    try:
        is_ca = _is_ca(cert)
    except ValueError as exc:  # a malformed extension
        raise DataError(field, "has a malformed extension") from exc
    if usage == trust_list.CA and not is_ca:
        raise DataError(field, "is not a CA certificate (basicConstraints cA is not set)")
    if usage == trust_list.SIGNER and is_ca:
        raise DataError(field, "a document-signer certificate must not be a CA")
    return cert


def check_certificate_country(cert: x509.Certificate, country: str, *, field: str = "pem") -> None:
    """Refuse a CA or document-signer certificate registered for an entity of ``country`` unless its
    subject's countryName (C, RFC 5280 §4.1.2.6 / X.520) is that country.

    The trust list makes a certificate an anchor (CA) or a signer of the entity it is listed under,
    so a certificate must say whose it is: without this, any CA (the demo TLS CA, another state's
    institution CA) listed under ``LV:VSAA`` would make every leaf under it a Latvian document
    signer. Every role is held to it (issuers, verifiers' access CAs, wallet providers): every
    entity the registry lists has a country (:meth:`Registry.add_entity`). A subject without C, or
    with any C naming another country, is refused. EL/GR and UK/GB are one country each
    (:func:`credentials.countries.normalise`); X.520 compares PrintableString without case
    (RFC 5280 §7.1), so ``lv`` is ``LV``.
    """
    wanted = normalise(country.upper())
    try:
        named = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)]
    except ValueError as exc:  # a subject cryptography cannot decode
        raise DataError(field, "has a malformed subject") from exc
    given = [normalise(v.upper()) if isinstance(v, str) else None for v in named]
    if not given or any(c != wanted for c in given):
        has = ", ".join(f"C={v!s}" for v in named) or "no countryName"
        raise DataError(field, f"the certificate's subject must name the entity's country {wanted} "
                               f"(countryName C={wanted}); it has {has}")


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _kid(der: bytes) -> str:
    """The key (SPKI thumbprint, the list's ``kid``) of a stored certificate."""
    return spki_kid(x509.load_der_x509_certificate(der))


def _check_signer(cert: x509.Certificate, cas: list[x509.Certificate], *, now: datetime, field: str) -> None:
    """A document signer must chain to one of the entity's own CA certificates."""
    try:
        validate_chain([cert], cas, now=now)
    except IssuerKeyError as exc:
        raise DataError(field, "the document-signer certificate is not issued by a CA certificate of this "
                               "entity") from exc


def _can_sign(rows: list[CertificateRow], closing: set[int], end: datetime, now: datetime) -> bool:
    """Whether an entity whose certificates are ``rows`` can sign documents trusted right after ``end``,
    once the windows of the rows ``closing`` (ids) end at ``end``: a listed document signer open then,
    chaining to a CA open then; an entity listing no signer is judged by its CAs alone
    (:func:`credentials.trust_list.check_listed_signer`)."""
    def open_after(row: CertificateRow) -> bool:
        return row.revoked_at is None and row.id not in closing and _utc(row.not_after) > end

    cas = [x509.load_der_x509_certificate(r.der) for r in rows if r.usage == trust_list.CA and open_after(r)]
    signers = [r for r in rows if r.usage == trust_list.SIGNER]
    if not signers:
        return bool(cas)
    if not cas:
        return False
    for row in signers:
        if not open_after(row):
            continue
        try:
            validate_chain([x509.load_der_x509_certificate(row.der)], cas, now=now)
        except IssuerKeyError:
            continue
        return True
    return False


@cache
def known_claim_names(vct: str) -> frozenset[str] | None:
    """The claim names a verifier may be registered to request of ``vct``, for a credential type
    this project knows (the PDA1, the EHIC, the PID, their aliases, the EUDI model's A1); None for
    any other type.

    Wallets compare ``may_request`` with a DCQL query by top-level names
    (:func:`credentials.dcql.requested_claims`: a claim path's first name, an mdoc's data element;
    :func:`credentials.trust_list._allowed_claims`), so a name is top-level, never a nested path:
    what the type's metadata lists, its selectively disclosable claims, the common block of an A1
    or EHIC, a PID's mdoc data elements too (the Rulebook's names, which an mdoc query asks for),
    and for the EUDI model's A1 its own names (``social_security_pin`` ...) with ours that it keeps.
    """
    from credentials import claims, ehic, eudi_pda1, pda1, pid

    if vct == eudi_pda1.VCT:
        ours = known_claim_names(pda1.VCT) or frozenset()
        return frozenset({*eudi_pda1.CLAIM_NAMES.values(), *(path[0] for path in eudi_pda1.QUERY_PATHS),
                          *(ours - eudi_pda1.CLAIM_NAMES.keys())})
    module = next((m for m in (pda1, ehic, pid) if vct == m.VCT or vct in m.ALIASES), None)
    if module is None:
        return None
    names = {str(c["path"][0]) for c in module.type_metadata_document().get("claims", []) if c.get("path")}
    names |= {str(path[0]) for path in module.SD_PATHS}
    if module is pid:
        names |= {*pid.MDOC_ELEMENTS, *pid.MDOC_ELEMENTS.values()}
    else:
        names |= {*claims.COMMON_REQUIRED, *claims.COMMON_OPTIONAL}
    return frozenset(names)


def _unknown_claims(may_request: Mapping[str, list[str]]) -> str | None:
    """The claims of ``may_request`` its (known) type does not have, in one line; None when none."""
    said = []
    for vct, claims in may_request.items():
        known = known_claim_names(vct)
        if known is None:  # a type this project does not know: the registry takes its names as given
            continue
        unknown = [c for c in claims if c not in known]
        if unknown:
            said.append(f"{vct} has no claim named {', '.join(unknown)} (its claims, by their top-level names: "
                        f"{', '.join(sorted(known))})")
    return "; ".join(said) or None


def _claim_changes(new: Mapping[str, list[str]], old: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The claims, per credential type, that ``new`` lists and ``old`` does not (for the audit trail)."""
    changes = {vct: [c for c in claims if c not in old.get(vct, ())] for vct, claims in new.items()}
    return {vct: claims for vct, claims in changes.items() if claims}


def _plain_text(value: str, field: str) -> str:
    """``value`` if it holds no control character (NUL, escape, line break...): names and reasons are
    signed into the lists and shown to people, and PostgreSQL text cannot hold a NUL at all."""
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise DataError(field, "must not contain control characters")
    return value


def _conflict(message: str) -> ProtocolError:
    return ProtocolError("conflict", message, http_status=409)


def _not_found(entity_id: str) -> ProtocolError:
    return ProtocolError("not_found", f"no entity {entity_id[:40]!r} is registered", http_status=404)


class Registry:
    """Registry use cases over an engine (SQLite file or PostgreSQL; same code).

    ``who`` (audit) is a name: ``api:<token name>``, ``cli:<os user>``, ``seed``; never a secret.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None,
                 list_validity: timedelta = timedelta(hours=24)) -> None:
        self.engine = engine
        self.clock = clock or (lambda: datetime.now(UTC))
        self.list_validity = list_validity
        if not serialises_writes(engine):
            raise ValueError("the registry needs an engine made by esspass.db.make_engine (serialised writes)")
        self.sessions = Sessions(engine, expire_on_commit=False)
        self._create_tables()

    # --- schema ----------------------------------------------------------------------------------

    def _create_tables(self) -> None:
        upgrade(self.engine, MIGRATIONS, adopt=self._adopt_unversioned)
        with self.engine.begin() as conn:
            if conn.execute(select(ListStateRow.sequence).where(ListStateRow.id == 1)).first() is None:
                conn.execute(metadata.tables["registry_list_state"].insert().values(id=1, sequence=0))

    @classmethod
    def _adopt_unversioned(cls, conn: Connection) -> str | None:
        """A registry database from before migrations (tables made by ``create_all``): complete it
        to the first revision's schema, which later migrations then change like any other."""
        names = set(inspect(conn).get_table_names())
        if "registry_entities" not in names or "alembic_version_registry" in names:
            return None
        # Only tables of revision 0001 are missing from such a database, and none of them has
        # changed since: made from today's models they are 0001's tables. A later migration that
        # changes one of them (not registry_entities, which such a database always has) must make
        # this create that table as 0001 had it, or the migration would find its change made.
        metadata.create_all(conn, tables=[t for name, t in metadata.tables.items() if name not in names])
        legacy = names & {"registry_status", "registry_sequence"}
        if legacy:
            cls._adopt_legacy_tables(conn, legacy)
        return "0001"

    @staticmethod
    def _adopt_legacy_tables(conn: Any, legacy: set[str]) -> None:
        """Copy rows of the first schema (``registry_status``, ``registry_sequence``) once, into the new tables."""
        periods = metadata.tables["registry_status_periods"]
        if "registry_status" in legacy and conn.execute(select(periods.c.id).limit(1)).first() is None:
            conn.execute(text("INSERT INTO registry_status_periods (entity_id, status, since, reason) "
                              "SELECT entity_id, status, since, reason FROM registry_status ORDER BY id"))
        if "registry_sequence" in legacy and conn.execute(select(ListStateRow.id)).first() is None:
            value = conn.execute(text("SELECT value FROM registry_sequence WHERE id = 1")).scalar()
            if value is not None:
                conn.execute(metadata.tables["registry_list_state"].insert().values(id=1, sequence=int(value)))

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One serialised write transaction (the caller adds rows, then :meth:`_bump`)."""
        with self.sessions.begin() as s:
            # SQLite: the engine took the write lock at BEGIN (esspass.db), before anything is read.
            if s.connection().dialect.name != "sqlite":
                s.execute(select(ListStateRow).where(ListStateRow.id == 1).with_for_update())
            yield s

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """One read snapshot: the sequence and the rows read inside it belong together."""
        with self.sessions() as s, s.begin():  # a read: on SQLite, begun deferred (esspass.db)
            # SQLite (WAL): a transaction reads one snapshot from its first read on.
            if self.engine.dialect.name != "sqlite":
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield s

    def _now(self) -> datetime:
        return _utc(self.clock()).replace(microsecond=0)

    def _bump(self, s: Session, who: str, action: str, entity_id: str, detail: Mapping[str, Any]) -> int:
        state = s.get(ListStateRow, 1)
        if state is None:  # pragma: no cover - created with the tables
            state = ListStateRow(id=1, sequence=0)
            s.add(state)
        state.sequence += 1
        s.add(AuditRow(when=self._now(), who=who[:80], action=action, entity_id=entity_id, detail=dict(detail),
                       sequence=state.sequence))
        return state.sequence

    # --- changes ---------------------------------------------------------------------------------

    def add_entity(self, data: Mapping[str, Any], *, who: str, since: datetime | None = None) -> dict[str, Any]:
        """Register an institution or inspectorate with its certificates, active from ``since`` (default now).

        ``data``: id, country, name, name_en, roles, dns_name?, path?, status_lists?, may_request?,
        policy_uri? (a verifier's privacy notice), certificates: [{pem, usage}] (at least one CA; a
        signer must chain to one of them; each one's subject names ``country``,
        :func:`check_certificate_country`).
        ``since`` back-dates the registration (seeding, history); the certificates are then listed
        from their own ``notBefore``.
        """
        now = self._now()
        entity_id = str(data.get("id") or "").strip()
        if not _ID.fullmatch(entity_id):
            raise DataError("id", "must look like CC:NAME (country code, colon, at most 17 letters or digits)")
        raw_country = data.get("country")
        country = normalise(raw_country.strip().upper()) if isinstance(raw_country, str) else ""
        if country not in COUNTRIES:
            raise DataError("country", "is not one of the ESSPASS countries (ISO 3166-1 alpha-2)")
        # An EESSI institution id names its country (domain.md: ``LV:VSAA``); wallets and inspectors
        # read the prefix, so ``LV:FAKE`` registered for Estonia would pass itself off as Latvian.
        if normalise(entity_id[:2]) != country:
            raise DataError("id", f"the country prefix {entity_id[:2]} does not match the country {country}")
        name = _plain_text(str(data.get("name") or "").strip(), "name")
        name_en = _plain_text(str(data.get("name_en") or name).strip(), "name_en")
        if not 1 <= len(name) <= 200:
            raise DataError("name", "must be 1 to 200 characters")
        if not 1 <= len(name_en) <= 200:
            raise DataError("name_en", "must be 1 to 200 characters")
        roles = data.get("roles")
        if not isinstance(roles, list | tuple) or not roles or not all(isinstance(r, str) for r in roles) \
                or not set(roles) <= ROLES:
            raise DataError("roles", f"must be a non-empty list of {', '.join(sorted(ROLES))}")
        dns_name = data.get("dns_name") or None
        if dns_name is not None and (not isinstance(dns_name, str) or not _DNS.fullmatch(dns_name)):
            raise DataError("dns_name", "must be a lower-case DNS name")
        path = data.get("path") or None
        if path is not None and (not isinstance(path, str) or not _PATH.fullmatch(path)):
            raise DataError("path", "must be a lower-case URL path segment (letters, digits, hyphens)")
        status_lists = self._status_lists(data.get("status_lists"), roles)
        may_request = self._may_request(data.get("may_request"), roles)
        policy_uri = self._policy_uri(data.get("policy_uri"), roles)
        certs = data.get("certificates") or []
        if not isinstance(certs, list | tuple) or not certs or len(certs) > 8:
            raise DataError("certificates", "one to eight certificates, at least one of them a CA")
        parsed: list[tuple[x509.Certificate, str]] = []
        for i, c in enumerate(certs):
            if not isinstance(c, Mapping):
                raise DataError(f"certificates.{i}", "must be an object with pem and usage")
            usage = str(c.get("usage") or trust_list.CA)
            parsed.append((parse_certificate(c.get("pem") or "", usage, now=now, field=f"certificates.{i}.pem"),
                           usage))
        cas = [cert for cert, usage in parsed if usage == trust_list.CA]
        if not cas:
            raise DataError("certificates", "at least one CA certificate is required")
        for i, (cert, usage) in enumerate(parsed):
            if usage == trust_list.SIGNER:
                _check_signer(cert, cas, now=now, field=f"certificates.{i}.pem")
        ders = [_der(cert) for cert, _ in parsed]
        if len(set(ders)) != len(ders):
            raise DataError("certificates", "the same certificate is given twice")
        kids = [spki_kid(cert) for cert, _ in parsed]
        start = _utc(since).replace(microsecond=0) if since is not None else now
        try:
            with self._write() as s:
                if s.get(EntityRow, entity_id) is not None:
                    raise _conflict(f"an entity with id {entity_id} already exists")
                self._refuse_known_certificates(s, ders)
                self._refuse_keys_of_others(s, entity_id, kids)
                # After the conflicts: a certificate (or key) another entity lists is refused as such,
                # the more telling answer, whatever country it names.
                for i, (cert, _usage) in enumerate(parsed):
                    check_certificate_country(cert, country, field=f"certificates.{i}.pem")
                s.add(EntityRow(id=entity_id, country=country, name=name, name_en=name_en, roles=sorted(set(roles)),
                                dns_name=dns_name, path=path, status_lists=status_lists, may_request=may_request,
                                policy_uri=policy_uri))
                s.flush()
                for (cert, usage), der in zip(parsed, ders, strict=True):
                    not_before = cert.not_valid_before_utc if since is not None else max(cert.not_valid_before_utc,
                                                                                          now)
                    s.add(CertificateRow(entity_id=entity_id, der=der, usage=usage, not_before=not_before,
                                         not_after=cert.not_valid_after_utc))
                s.add(StatusPeriodRow(entity_id=entity_id, status=trust_list.ACTIVE, since=start, reason="registered"))
                self._bump(s, who, "add_entity", entity_id, {"roles": sorted(set(roles)), "country": country,
                                                             "certificates": [u for _, u in parsed]})
        except IntegrityError as exc:  # a concurrent writer got there first (the lock makes this rare)
            raise _conflict(f"an entity with id {entity_id} already exists") from exc
        return self.show(entity_id)

    @staticmethod
    def _status_lists(value: Any, roles: Any) -> str | None:
        if value is None or value == "":
            return None
        try:
            # Printable only: a control or format character (NUL, DEL, a right-to-left override) is
            # refused by HTTP clients (httpx: InvalidURL) or misleads the people reading the list.
            if not isinstance(value, str) or len(value) > 300 or not value.isprintable() \
                    or any(c.isspace() for c in value):
                raise MalformedError("not a URL")
            StatusReference(0, value)  # the URI rules of the lists it names
            parts = urlsplit(value)
            if parts.username is not None:  # it would be published in the signed list
                raise MalformedError("credentials in a URL")
            if not parts.hostname or parts.port == 0:  # .port raises ValueError when not 1..65535
                raise MalformedError("no server to fetch from")
        except (MalformedError, ValueError) as exc:
            raise DataError("status_lists", "must be an absolute http(s) URL of at most 300 printable characters, "
                            "with a host and a valid port, without a user name or password") from exc
        if not ISSUING_ROLES.intersection(roles):
            raise DataError("status_lists", "only issuing institutions publish status lists")
        return value

    def set_status_lists(self, entity_id: str, uri: str | None, *, who: str) -> dict[str, Any]:
        """Publish (or, with ``None``, stop publishing) where the institution lists its status lists
        (Status List Aggregation, draft-ietf-oauth-status-list §9). Unchanged, nothing is recorded."""
        with self._write() as s:
            row = self._entity(s, entity_id)
            value = self._status_lists(uri, row.roles)
            if row.status_lists != value:
                row.status_lists = value
                self._bump(s, who, "set_status_lists", entity_id, {"status_lists": value})
        return self.show(entity_id)

    def set_path(self, entity_id: str, path: str, *, who: str) -> dict[str, Any]:
        """Correct the URL path segment its issuer or verifier serves under (README "Own keys": a
        four-eyes institution without one on the list never has its deferred documents taken by
        wallets). Refused when another entity lists the same segment: wallets match a deferred
        offer's address to one institution. Unchanged, nothing is recorded."""
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            raise DataError("path", "must be a lower-case URL path segment (letters, digits, hyphens)")
        with self._write() as s:
            row = self._entity(s, entity_id)
            other = s.scalar(select(EntityRow.id).where(EntityRow.path == path, EntityRow.id != entity_id))
            if other is not None:
                raise _conflict(f"the path {path} is already that of {other}")
            if row.path != path:
                before = row.path
                row.path = path
                self._bump(s, who, "set_path", entity_id, {"path": path, "before": before})
        return self.show(entity_id)

    def set_roles(self, entity_id: str, roles: Any, *, who: str) -> dict[str, Any]:
        """Replace the roles (credential types it is competent for) of a registered entity: an
        institution made competent for another type, or registered with one missing, keeps its
        EESSI id. A role it must keep for what it publishes (status lists: an issuing role; what it
        may request or its privacy notice: verifier) is refused until that is cleared. The list
        carries roles without dates, so a removed role is judged strictly: documents of that type
        issued earlier are refused too (fail closed). Unchanged, nothing is recorded."""
        if not isinstance(roles, list | tuple) or not roles or not all(isinstance(r, str) for r in roles) \
                or not set(roles) <= ROLES:
            raise DataError("roles", f"must be a non-empty list of {', '.join(sorted(ROLES))}")
        wanted = sorted(set(roles))
        with self._write() as s:
            row = self._entity(s, entity_id)
            if row.status_lists and not ISSUING_ROLES.intersection(wanted):
                raise DataError("roles", "it publishes status lists, which only issuing institutions do: "
                                "clear them first")
            if (row.may_request or row.policy_uri) and Role.VERIFIER.value not in wanted:
                raise DataError("roles", "it may request credentials or publishes a privacy notice, which only "
                                "verifiers do: clear them first")
            before = sorted(row.roles)
            if before != wanted:
                row.roles = wanted
                self._bump(s, who, "set_roles", entity_id, {
                    "roles": wanted, "added": sorted(set(wanted) - set(before)),
                    "removed": sorted(set(before) - set(wanted))})
        return self.show(entity_id)

    @staticmethod
    def _policy_uri(value: Any, roles: Any) -> str | None:
        """A verifier's privacy notice address, checked (:func:`credentials.trust_list.check_policy_uri`);
        None for none. Only verifiers: the wallet links it where a verifier asks for data (GDPR Art. 13)."""
        if value is None or value == "":
            return None
        try:
            checked = trust_list.check_policy_uri(value)
        except MalformedError as exc:
            raise DataError("policy_uri", f"must be an https URL (http only to localhost) of at most "
                            f"{trust_list.MAX_POLICY_URI} printable characters, with a host, without a user name "
                            "or password") from exc
        if Role.VERIFIER.value not in roles:
            raise DataError("policy_uri", "only verifiers publish a privacy notice on the verifiers list")
        return checked

    def set_policy_uri(self, entity_id: str, uri: str | None, *, who: str) -> dict[str, Any]:
        """Publish (or, with ``None``, stop publishing) where a verifier's privacy notice is, which
        wallets link on their consent screen (GDPR Art. 13). Unchanged, nothing is recorded."""
        with self._write() as s:
            row = self._entity(s, entity_id)
            value = self._policy_uri(uri, row.roles)
            if row.policy_uri != value:
                row.policy_uri = value
                self._bump(s, who, "set_policy_uri", entity_id, {"policy_uri": value})
        return self.show(entity_id)

    @staticmethod
    def _may_request(value: Any, roles: Any, *, names: bool = True) -> dict[str, list[str]]:
        """``value`` checked: its shape, the role, and (``names``) each claim name of a type this
        project knows against that type's (:func:`known_claim_names`): a name a wallet never finds
        in a query (a typo, a nested path) grants nothing, and a verifier registered for it would
        be refused by wallets for a request that asks it."""
        if value is None or (isinstance(value, Mapping) and not value):
            return {}
        # An object of non-empty lists, each claim once: what the signed list publishes is never an
        # empty grant (which wallets would read as "this type, no claim") nor a null taken for {}.
        if not isinstance(value, Mapping) or len(value) > 16 or not all(
                isinstance(k, str) and k in ROLE_FOR_VCT and isinstance(v, list | tuple) and 0 < len(v) <= 100
                and all(isinstance(c, str) and _CLAIM.fullmatch(c) for c in v) for k, v in value.items()):
            raise DataError("may_request", "must map known credential types to non-empty lists of claim names")
        if Role.VERIFIER.value not in roles:
            raise DataError("may_request", "only verifiers may request credentials")
        checked = {str(k): list(dict.fromkeys(str(c) for c in v)) for k, v in value.items()}
        unknown = _unknown_claims(checked) if names else None
        if unknown is not None:
            raise DataError("may_request", unknown)
        return checked

    def set_may_request(self, entity_id: str, may_request: Any, *, who: str) -> dict[str, Any]:
        """Replace what a registered verifier may ask wallets for (``{vct: [claim, ...]}``, validated
        as on registration; ``{}`` leaves it nothing): an inspection whose queries change needs no
        removal and re-registration. Wallets refuse a request asking for more than the list they
        hold says, so they follow a change once they fetch the list it publishes (within the list's
        max-age). Unchanged, nothing is recorded."""
        return self._change_may_request(entity_id, who, lambda _registered: may_request)

    def widen_may_request(self, entity_id: str, may_request: Mapping[str, Any], *, who: str) -> dict[str, Any]:
        """Add the claims (and types) of ``may_request`` that the verifier lacks, keeping all it has:
        :meth:`set_may_request` with the union, taken inside the one transaction, so that an
        operator's change made meanwhile is never undone (the demo seed after an upgrade)."""
        # Its shape and names; the role is checked below. What the verifier holds already is kept as it is.
        extra = self._may_request(may_request, [Role.VERIFIER.value])

        def union(registered: dict[str, list[str]]) -> dict[str, list[str]]:
            merged = {vct: list(claims) for vct, claims in registered.items()}
            for vct, claims in extra.items():
                held = merged.setdefault(vct, [])
                held += [c for c in dict.fromkeys(claims) if c not in held]
            return merged
        return self._change_may_request(entity_id, who, union, names=False)

    def _change_may_request(self, entity_id: str, who: str, change: Callable[[dict[str, list[str]]], Any], *,
                            names: bool = True) -> dict[str, Any]:
        with self._write() as s:
            row = self._entity(s, entity_id)
            if Role.VERIFIER.value not in row.roles:
                raise DataError("may_request", "only verifiers may request credentials")
            before = {str(k): [str(c) for c in v] for k, v in (row.may_request or {}).items()}
            value = self._may_request(change(before), row.roles, names=names)
            if value != before:
                row.may_request = value
                self._bump(s, who, "set_may_request", entity_id, {
                    "may_request": value, "added": _claim_changes(value, before),
                    "removed": _claim_changes(before, value)})
        return self.show(entity_id)

    @staticmethod
    def _refuse_known_certificates(s: Session, ders: list[bytes]) -> None:
        # A certificate listed under two entities would let one act as the other.
        for row in s.scalars(select(CertificateRow).where(CertificateRow.der.in_(ders))):
            raise _conflict(f"this certificate is already registered (entity {row.entity_id})")

    @staticmethod
    def _rows_with_key(s: Session, kid: str) -> list[CertificateRow]:
        """Every certificate row, of any entity, for the key ``kid`` (SPKI thumbprint). No column
        holds the key: a registry lists tens of entities, and every writer holds the write lock."""
        return [r for r in s.scalars(select(CertificateRow).order_by(CertificateRow.id)) if _kid(r.der) == kid]

    def _refuse_keys_of_others(self, s: Session, entity_id: str, kids: list[str]) -> None:
        """One key, one institution (credentials.trust_list): a certificate for a key (its SPKI) that
        another entity lists is refused, whatever else the certificate says. Otherwise a rogue
        entity could list an institution's CA key under its own name and, once the institution
        revoked that key, keep being trusted for what it signs. The same entity may list a key
        again (a renewed certificate)."""
        for kid in dict.fromkeys(kids):
            owners = sorted({r.entity_id for r in self._rows_with_key(s, kid)} - {entity_id})
            if owners:
                raise ProtocolError("key_already_registered",
                                    f"the certificate's public key is already registered for {owners[0]}; a key "
                                    "can belong to one entity only", http_status=409)

    def add_certificate(self, entity_id: str, pem: str | bytes, usage: str, *, who: str,
                        rotate: bool = False) -> dict[str, Any]:
        """Add a CA or document-signer certificate.

        ``rotate`` closes the listed window (not_after = now) of the entity's current certificates of
        that usage; without it the certificate is listed beside them (the first step of a staged CA
        change, :meth:`close_certificate` the last). A signer must chain to one of the entity's CA
        certificates; either must name the entity's country in its subject
        (:func:`check_certificate_country`: a 400, nothing written). A rotation is refused (409
        ``conflict``) as :meth:`close_certificate` refuses a close: when it would leave the entity,
        able to sign before it, no open signer under an open CA (a new CA rotated in over the CA of
        its listed signers), unless it is withdrawn.
        """
        now = self._now()
        cert = parse_certificate(pem, usage, now=now)
        der = _der(cert)
        with self._write() as s:
            entity = self._entity(s, entity_id)
            self._refuse_known_certificates(s, [der])
            self._refuse_keys_of_others(s, entity_id, [spki_kid(cert)])
            check_certificate_country(cert, entity.country)  # after the conflicts, as add_entity
            rows = s.scalars(select(CertificateRow).where(CertificateRow.entity_id == entity_id)).all()
            if usage == trust_list.SIGNER:
                _check_signer(cert, [x509.load_der_x509_certificate(r.der) for r in rows if r.usage == trust_list.CA],
                              now=now, field="pem")
            closed = 0
            added = CertificateRow(entity_id=entity_id, der=der, usage=usage,
                                   not_before=max(now, cert.not_valid_before_utc), not_after=cert.not_valid_after_utc)
            if rotate:
                closing = {r.id for r in rows if r.usage == usage and _utc(r.not_after) > now}
                if _can_sign(list(rows), set(), now, now) and not _can_sign([*rows, added], closing, now, now) \
                        and not self._withdrawn(s, entity_id, now):
                    raise _conflict(f"rotating it in would leave {entity_id} no open document-signer certificate "
                                    "under an open CA certificate, so nothing it signs from then on would be "
                                    "trusted: add the new CA beside the old one (add-certificate), list a signer "
                                    "under it, then close the old CA (close-certificate)")
                for row in rows:
                    if row.id in closing:
                        row.not_after = now
                        closed += 1
            s.add(added)
            self._bump(s, who, "rotate_certificate" if rotate else "add_certificate", entity_id,
                       {"usage": usage, "closed": closed})
        return self.show(entity_id)

    def close_certificate(self, entity_id: str, kid: str, *, who: str, at: datetime | None = None) -> dict[str, Any]:
        """End the listed window of the entity's certificate for the key ``kid`` (the SPKI thumbprint
        the list shows; every open listing of that key, a renewed certificate too) at ``at``: now by
        default, or a later time, never an earlier one (the list would then say after the fact that
        documents signed meanwhile were never covered). The last step of a staged CA change (README
        "Trust registry"): the new CA is added beside the old one, the institution moves to a signer
        under it, then the old CA's window is closed. Unlike :meth:`revoke_key`, what the key signed
        inside its window stays trusted (:func:`credentials.trust_list.authorised_issuer` judges a
        document by its issuance time).

        Refused (409 ``conflict``) when the close would leave the entity, able to sign before it, with
        nothing to sign new documents with, unless it is withdrawn: no listed document signer still
        open under a CA still open (for an entity listing no signer, no open CA). Closing the last open
        CA while a signer is open under it is one such case; closing an old CA before the institution
        has a signer under the new one, another. Nothing is changed then."""
        now = self._now()
        end = now if at is None else _utc(at).replace(microsecond=0)
        if end < now:
            raise DataError("at", "must not be in the past: a window closes now or later (what the key signed "
                                  "before stays trusted either way)")
        with self._write() as s:
            self._entity(s, entity_id)
            rows = list(s.scalars(select(CertificateRow).where(CertificateRow.entity_id == entity_id)
                                  .order_by(CertificateRow.id)))
            mine = [r for r in rows if _kid(r.der) == kid]
            if not mine:
                raise ProtocolError("not_found", f"{entity_id} lists no certificate with the key {kid[:64]}",
                                    http_status=404)
            targets = [r for r in mine if r.revoked_at is None and _utc(r.not_after) > end]
            if not targets:
                if all(r.revoked_at is not None for r in mine):
                    raise _conflict("this key is revoked: its window is closed already")
                closes = max(_utc(r.not_after) for r in mine if r.revoked_at is None)
                raise _conflict(f"the window of this certificate closes at {closes.isoformat()} already, "
                                "no later than asked")
            if any(_utc(r.not_before) > end for r in targets):
                raise DataError("at", "must not be before the certificate's window opens")
            closing = {r.id for r in targets}
            if _can_sign(rows, set(), end, now) and not _can_sign(rows, closing, end, now) \
                    and not self._withdrawn(s, entity_id, end):
                raise _conflict(f"closing it would leave {entity_id} no open document-signer certificate under an "
                                "open CA certificate, so nothing it signs from then on would be trusted: list its "
                                "new signer (under its new CA) first, or withdraw it")
            for row in targets:
                row.not_after = end
            self._bump(s, who, "close_certificate", entity_id, {
                "kid": kid, "usage": targets[0].usage, "not_after": end.isoformat(), "closed": len(targets)})
        return self.show(entity_id)

    @staticmethod
    def _withdrawn(s: Session, entity_id: str, at: datetime) -> bool:
        """Whether the entity is withdrawn at ``at`` (final, :meth:`set_status`): a withdrawal set for
        later leaves it signing until then, so a change before it is judged as for any entity."""
        return any(_utc(since) <= at for since in s.scalars(
            select(StatusPeriodRow.since).where(StatusPeriodRow.entity_id == entity_id,
                                                StatusPeriodRow.status == trust_list.WITHDRAWN)))

    def revoke_key(self, entity_id: str, kid: str, *, who: str, reason: str) -> dict[str, Any]:
        """A key of the entity was compromised: every listed certificate of that key (``kid``, the
        SPKI thumbprint the list shows) is marked revoked and its window closed now. Unlike a
        rotation, which keeps what the key signed before it, nothing the key signed is trusted any
        more, whatever time the signature claims: the institution re-issues what it must.

        The key is revoked wherever it is listed, under any entity (a registry from before keys were
        one entity's only may list it twice): a compromised key is compromised for everyone. Each
        other entity concerned gets its own audit row."""
        if not reason.strip():
            raise DataError("reason", "say why the key is revoked (it is recorded)")
        _plain_text(reason, "reason")
        now = self._now()
        with self._write() as s:
            self._entity(s, entity_id)
            rows = self._rows_with_key(s, kid)
            if not any(r.entity_id == entity_id for r in rows):
                raise ProtocolError("not_found", f"{entity_id} lists no certificate with the key {kid}",
                                    http_status=404)
            if all(r.revoked_at is not None for r in rows):
                raise ProtocolError("conflict", "this key is revoked already", http_status=409)
            for row in rows:
                row.revoked_at = row.revoked_at or now
                row.not_after = min(_utc(row.not_after), now)
            others = sorted({r.entity_id for r in rows} - {entity_id})
            usage = next(r.usage for r in rows if r.entity_id == entity_id)
            sequence = self._bump(s, who, "revoke_key", entity_id, {"kid": kid, "usage": usage,
                                                                    "reason": reason[:300], "also_listed_by": others})
            for other in others:
                s.add(AuditRow(when=now, who=who[:80], action="revoke_key", entity_id=other, sequence=sequence,
                               detail={"kid": kid, "reason": reason[:300], "revoked_via": entity_id}))
        return self.show(entity_id)

    def set_status(self, entity_id: str, status: str, *, who: str, reason: str = "",
                   since: datetime | None = None) -> dict[str, Any]:
        """Start a new status period. Suspending and withdrawing need a reason; a withdrawal is final."""
        if status not in trust_list.STATUSES:
            raise DataError("status", "must be active, suspended or withdrawn")
        reason = (reason or "").strip()
        if status != trust_list.ACTIVE and not reason:
            raise DataError("reason", "a reason is required to suspend or withdraw")
        if len(reason) > 300:
            raise DataError("reason", "must be at most 300 characters")
        _plain_text(reason, "reason")
        start = _utc(since).replace(microsecond=0) if since is not None else self._now()
        with self._write() as s:
            self._entity(s, entity_id)
            current = s.scalars(select(StatusPeriodRow).where(StatusPeriodRow.entity_id == entity_id)
                                .order_by(StatusPeriodRow.since.desc(), StatusPeriodRow.id.desc())).first()
            if current is not None:
                if current.status == trust_list.WITHDRAWN:
                    raise _conflict(f"{entity_id} is withdrawn; a withdrawal is final")
                if current.status == status:
                    raise _conflict(f"{entity_id} is already {status}")
                if start < _utc(current.since):
                    raise DataError("since", "must not be before the current status period")
            s.add(StatusPeriodRow(entity_id=entity_id, status=status, since=start, reason=reason))
            self._bump(s, who, status, entity_id, {"reason": reason})
        return self.show(entity_id)

    def suspend(self, entity_id: str, *, who: str, reason: str, since: datetime | None = None) -> dict[str, Any]:
        """Precautionary: while suspended, every credential of the entity is refused (trust_list.Policy)."""
        return self.set_status(entity_id, trust_list.SUSPENDED, who=who, reason=reason, since=since)

    def reinstate(self, entity_id: str, *, who: str, reason: str = "", since: datetime | None = None) -> dict[str, Any]:
        """End a suspension."""
        return self.set_status(entity_id, trust_list.ACTIVE, who=who, reason=reason, since=since)

    def withdraw(self, entity_id: str, *, who: str, reason: str, since: datetime | None = None) -> dict[str, Any]:
        """Final: documents issued before stay judged at issuance time; nothing new is accepted."""
        return self.set_status(entity_id, trust_list.WITHDRAWN, who=who, reason=reason, since=since)

    @staticmethod
    def _entity(s: Session, entity_id: str) -> EntityRow:
        if not _ID.fullmatch(entity_id):  # never registered, nor asked of the database (a NUL fails on PostgreSQL)
            raise _not_found(entity_id)
        row = s.get(EntityRow, entity_id)
        if row is None:
            raise _not_found(entity_id)
        return row

    # --- reading ---------------------------------------------------------------------------------

    def sequence(self) -> int:
        """The current list sequence number (grows by one with every recorded change)."""
        with self.sessions() as s:
            value = s.scalar(select(ListStateRow.sequence).where(ListStateRow.id == 1))
            return int(value or 0)

    @staticmethod
    def _load(s: Session, entity_id: str | None = None) -> list[trust_list.ListedEntity]:
        entities = select(EntityRow).order_by(EntityRow.id)
        certs = select(CertificateRow).order_by(CertificateRow.id)
        periods = select(StatusPeriodRow).order_by(StatusPeriodRow.since, StatusPeriodRow.id)
        if entity_id is not None:
            entities = entities.where(EntityRow.id == entity_id)
            certs = certs.where(CertificateRow.entity_id == entity_id)
            periods = periods.where(StatusPeriodRow.entity_id == entity_id)
        by_cert: dict[str, list[trust_list.ListedCertificate]] = {}
        for c in s.scalars(certs):
            by_cert.setdefault(c.entity_id, []).append(
                trust_list.ListedCertificate(c.der, c.usage, _utc(c.not_before), _utc(c.not_after),
                                             revoked=c.revoked_at is not None))
        by_period: dict[str, list[trust_list.StatusPeriod]] = {}
        for p in s.scalars(periods):
            by_period.setdefault(p.entity_id, []).append(trust_list.StatusPeriod(p.status, _utc(p.since), p.reason))
        return [trust_list.ListedEntity(
            id=row.id, country=row.country, name=row.name, name_en=row.name_en, roles=frozenset(row.roles),
            certificates=tuple(by_cert.get(row.id, ())), status_history=tuple(by_period.get(row.id, ())),
            may_request={k: tuple(v) for k, v in (row.may_request or {}).items()},
            dns_name=row.dns_name, path=row.path, status_lists=row.status_lists, policy_uri=row.policy_uri)
            for row in s.scalars(entities)]

    def list_entities(self) -> list[trust_list.ListedEntity]:
        """Every registered entity, as it would be listed."""
        with self._read() as s:
            return self._load(s)

    entities = list_entities

    def show(self, entity_id: str) -> dict[str, Any]:
        """One entity as published (trust-list JSON form)."""
        if not _ID.fullmatch(entity_id):
            raise _not_found(entity_id)
        with self._read() as s:
            found = self._load(s, entity_id)
        if not found:
            raise _not_found(entity_id)
        return found[0].to_json()

    def history(self, entity_id: str) -> dict[str, Any]:
        """Status periods, certificate windows and the audit trail (who, when, action) of one entity."""
        if not _ID.fullmatch(entity_id):
            raise _not_found(entity_id)
        with self._read() as s:
            found = self._load(s, entity_id)
            audit = s.scalars(select(AuditRow).where(AuditRow.entity_id == entity_id).order_by(AuditRow.id)).all()
        if not found:
            raise _not_found(entity_id)
        entity = found[0]
        return {
            "id": entity.id,
            "status_now": entity.status_at(self._now()),
            "status_history": [{"status": p.status, "since": p.since.isoformat(), "reason": p.reason}
                               for p in entity.status_history],
            "certificates": [{"usage": c.usage, "kid": c.kid, "subject": c.certificate.subject.rfc4514_string(),
                              "not_before": c.not_before.isoformat(), "not_after": c.not_after.isoformat()}
                             for c in entity.certificates],
            "audit": [{"when": _utc(a.when).isoformat(), "who": a.who, "action": a.action, "detail": a.detail,
                       "sequence": a.sequence} for a in audit],
        }

    def build_list(self, kind: str, now: datetime) -> trust_list.TrustList:
        """The ``issuers`` list (entities with an issuing role), the ``verifiers`` or the ``wallet_providers``
        list, valid from ``now``.

        Sequence and content are read in one snapshot. Withdrawn and suspended entities stay on the
        list with their status history: verifiers need it to judge documents issued earlier.
        """
        if kind not in trust_list.KINDS:
            raise ProtocolError("not_found", f"the lists are: {', '.join(trust_list.KINDS)}", http_status=404)
        wanted = _LIST_ROLES[kind]
        with self._read() as s:
            sequence = int(s.scalar(select(ListStateRow.sequence).where(ListStateRow.id == 1)) or 0)
            entities = tuple(e for e in self._load(s) if e.roles & wanted)
        now = _utc(now).replace(microsecond=0)
        return trust_list.TrustList(kind, sequence, now, now + self.list_validity, entities)
