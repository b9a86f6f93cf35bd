"""The issuer's use cases over its database: cases, offers, the OpenID4VCI exchange, status.

Routes in :mod:`issuer.app` are thin adapters over :class:`IssuerService`; protocol parsing and
checks are the pure :mod:`credentials.openid4vci`. Every state change is one transaction.
Order of the credential endpoint (issue #4 "Atomicity"): the credential records and their status
list indexes are committed *before* anything is signed and returned, so a credential never
reaches a wallet without a record that can revoke it; an index is unique per list by a database
constraint, so two workers can never hand out the same one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cryptography.x509 import Certificate
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from credentials import (
    authorization_code,
    client_attestation,
    dpop,
    ehic,
    mdoc,
    openid4vci,
    pda1,
    pid,
    sd_jwt_vc,
    status_list,
    trust_list,
    type_metadata,
)
from credentials import key_attestation as key_attestation_mod
from credentials.errors import CredentialError, DataError, IssuerTrustError, ProtocolError, StatusError
from credentials.institutions import ROLE_FOR_VCT, Entity
from credentials.jose import PrivateKey, b64url_encode, jwk_thumbprint, public_key_from_jwk
from issuer.db import Authorization, Case, CredentialRecord, DpopJti, Event, Nonce, Offer, StatusListRecord, Token

__all__ = ["CREDENTIAL_TYPES", "MDOC_SUFFIX", "Institution", "IssuedOffer", "IssuerService", "StatusToken"]

#: configuration id -> the credential type module (VCT, validate, SD_PATHS, describe, type metadata).
CREDENTIAL_TYPES: dict[str, Any] = {pda1.CONFIGURATION_ID: pda1, ehic.CONFIGURATION_ID: ehic, pid.CONFIGURATION_ID: pid}
_POLICIES = ("required", "optional", "off")
_PAR_TTL = 300  # seconds a pushed request waits for the worker to type the code (RFC 9126 §2.2)
_CODE_TTL = 60  # seconds an authorization code lives (RFC 6749 §4.1.2: short)
#: Mark DPoP server nonces and attestation challenges in the nonce table (c_nonces are base64url:
#: they never hold a colon).
_DPOP_NONCE, _CHALLENGE = "dpop:", "att:"
#: Every type is also offered as an ISO mdoc (``mso_mdoc``) under ``<configuration id>_mdoc``.
MDOC_SUFFIX = "_mdoc"


def _format_of(configuration_id: str) -> tuple[str, bool]:
    """``pda1_mdoc`` -> ``("pda1", True)``: the case's type and whether the mdoc form is asked for."""
    if configuration_id.endswith(MDOC_SUFFIX):
        return configuration_id.removesuffix(MDOC_SUFFIX), True
    return configuration_id, False
STATE_FOR_STATUS = {"active": status_list.VALID, "suspended": status_list.SUSPENDED, "revoked": status_list.INVALID}


def _utc(value: datetime) -> datetime:
    # SQLite gives back naive datetimes even for timezone-aware columns.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Institution:
    """An institution hosted by this issuer with its document-signing key and x5c chain."""

    entity: Entity
    key: PrivateKey
    x5c: list[Certificate]
    issuer_url: str

    @property
    def configurations(self) -> list[str]:
        return [cid for cid, mod in CREDENTIAL_TYPES.items() if ROLE_FOR_VCT[mod.VCT] in self.entity.roles]


@dataclass(frozen=True)
class IssuedOffer:
    offer_id: str
    link: str
    offer_uri: str
    tx_code: str
    expires_at: datetime


@dataclass(frozen=True)
class StatusToken:
    token: str | bytes  # the JWT, or the CWT's bytes
    etag: str
    ttl: int


def _document_exp(module: Any, claims: Mapping[str, Any], iat: datetime) -> datetime:
    """Token ``exp``: the end of the document's own validity (domain.md "Three validity layers")."""
    ends = [claims.get("date_of_expiry"), claims.get("ending_date") if module is pda1 else None]
    days = [date.fromisoformat(d) for d in ends if isinstance(d, str)]
    if days:
        end = min(days)
        return datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=UTC)
    return iat + timedelta(days=5 * 365)


class IssuerService:
    """Everything the issuer does, given an engine, its institutions and its settings."""

    def __init__(self, engine: Engine, institutions: Mapping[str, Institution], *, offer_ttl: int = 900,
                 token_ttl: int = 600, nonce_ttl: int = 300, tx_code_attempts: int = 5, batch_size: int = 10,
                 status_list_size: int = 131072, status_ttl: int = 300, status_exp: int = 86400,
                 clock: Callable[[], datetime] | None = None, client_attestation: str = "off",
                 wallet_providers: Callable[[datetime], trust_list.TrustList] | None = None,
                 dpop_nonces: bool = False, key_attestation: str = "off", attestation_challenge_required: bool = False,
                 key_attestation_policy: key_attestation_mod.KeyAttestationPolicy | None = None) -> None:
        """``client_attestation``: ``required``, ``optional`` or ``off`` (wallet attestation at the
        token endpoint, HAIP §9.2), judged against ``wallet_providers`` (the registry's list).
        ``dpop_nonces``: DPoP proofs must carry a nonce this issuer handed out (RFC 9449 §8, §9).
        ``key_attestation``: ``required``, ``optional`` or ``off`` (key attestations in the key
        proofs, OpenID4VCI App. D), judged by ``key_attestation_policy`` and ``wallet_providers``."""
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.institutions = dict(institutions)  # by path
        self.offer_ttl, self.token_ttl, self.nonce_ttl = offer_ttl, token_ttl, nonce_ttl
        self.tx_code_attempts, self.batch_size = tx_code_attempts, batch_size
        self.status_list_size, self.status_ttl, self.status_exp = status_list_size, status_ttl, status_exp
        self.clock = clock or (lambda: datetime.now(UTC))
        if client_attestation not in _POLICIES or key_attestation not in _POLICIES:
            raise ValueError("client_attestation and key_attestation must be required, optional or off")
        if (client_attestation != "off" or key_attestation != "off") and wallet_providers is None:
            raise ValueError("checking wallet and key attestations needs the wallet providers list")
        self.key_attestation = key_attestation
        self.key_attestation_policy = key_attestation_policy or key_attestation_mod.KeyAttestationPolicy()
        self.client_attestation, self.wallet_providers = client_attestation, wallet_providers
        self.dpop_nonces = dpop_nonces
        self.attestation_challenge_required = attestation_challenge_required
        self._status_cache: dict[tuple[int, str], tuple[int, int, StatusToken]] = {}
        self._lock = threading.Lock()

    def institution(self, path: str) -> Institution:
        inst = self.institutions.get(path)
        if inst is None:
            raise ProtocolError("not_found", "no credential issuer at this address", http_status=404)
        return inst

    def _now(self) -> datetime:
        return self.clock().astimezone(UTC)

    # --- back office ---------------------------------------------------------------------------------

    def create_case(self, inst: Institution, configuration_id: str, claims: Mapping[str, Any], *, actor: str,
                    holder: Mapping[str, Any] | None = None) -> Case:
        """Validate ``claims`` with the credential model and record the case (DataError names the field).

        ``holder`` (family_name, given_name, birthdate) goes only into the offline compact credential
        of a PDA1 or EHIC, where the inspector has no PID to read the name from.
        """
        if configuration_id not in inst.configurations:
            raise DataError("configuration_id", f"{inst.entity.name_en} does not issue {configuration_id!r}")
        module = CREDENTIAL_TYPES[configuration_id]
        normalised = module.validate(claims)
        if module is not pid:
            authority = normalised.get("issuing_authority", {})
            if isinstance(authority, dict) and authority.get("id") not in (None, inst.entity.id):
                raise DataError("issuing_authority.id", f"must be this institution ({inst.entity.id})")
        holder_data = _holder(holder) if holder else None
        label = str(normalised.get("document_number") or f"{normalised.get('given_name', '')} "
                    f"{normalised.get('family_name', '')}".strip())[:120]
        now = self._now()
        case = Case(id=secrets.token_hex(16), entity_id=inst.entity.id, configuration_id=configuration_id,
                    claims=normalised, holder=holder_data, label=label, state="active", created_at=now,
                    created_by=actor[:60])
        with self.sessions.begin() as s:
            s.add(case)
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="created", reason=""))
        return case

    def list_cases(self, inst: Institution, *, limit: int = 200, offset: int = 0) -> list[dict[str, Any]]:
        with self.sessions() as s:
            rows = s.scalars(select(Case).where(Case.entity_id == inst.entity.id)
                             .order_by(Case.created_at.desc()).limit(limit).offset(offset)).all()
            counts = dict(s.execute(select(CredentialRecord.case_id, func.count()).where(
                CredentialRecord.case_id.in_([r.id for r in rows])).group_by(CredentialRecord.case_id)).all())
            return [self._case_json(r, counts.get(r.id, 0)) for r in rows]

    def _case_json(self, case: Case, credentials: int) -> dict[str, Any]:
        return {"id": case.id, "configuration_id": case.configuration_id, "label": case.label,
                "state": case.state, "created_at": _utc(case.created_at).isoformat(), "credentials": credentials}

    def get_case(self, inst: Institution, case_id: str) -> dict[str, Any]:
        with self.sessions() as s:
            case = self._case(s, inst, case_id)
            creds = s.scalars(select(CredentialRecord).where(CredentialRecord.case_id == case.id)).all()
            events = s.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id)).all()
            out = self._case_json(case, len(creds))
            out["claims"] = case.claims
            out["description"] = {lang: CREDENTIAL_TYPES[case.configuration_id].describe(case.claims, lang)
                                  for lang in ("en", "lv", "de", "fr", "pl")}
            out["credential_records"] = [
                {"id": c.id, "status_list": c.list_id, "idx": c.idx, "status": c.status,
                 "issued_at": _utc(c.issued_at).isoformat(), "expires_at": _utc(c.expires_at).isoformat(),
                 "notification": c.notification_event} for c in creds]
            out["events"] = [{"at": _utc(e.at).isoformat(), "actor": e.actor, "action": e.action, "reason": e.reason}
                             for e in events]
            return out

    def _case(self, s: Session, inst: Institution, case_id: str) -> Case:
        case = s.get(Case, case_id)
        if case is None or case.entity_id != inst.entity.id:
            raise ProtocolError("not_found", "no such case", http_status=404)
        return case

    def create_offer(self, inst: Institution, case_id: str, *, actor: str) -> IssuedOffer:
        """A new credential offer for the case: pre-authorized code + a 6-digit tx_code, shown once."""
        now = self._now()
        code = secrets.token_urlsafe(32)
        tx_code = f"{secrets.randbelow(10**6):06d}"
        offer_id = secrets.token_urlsafe(24)
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id)
            if case.state != "active":
                raise ProtocolError("invalid_request", f"the case is {case.state}; reinstate it first",
                                    http_status=409)
            s.add(Offer(id=offer_id, case_id=case.id, code=code, code_hash=_hash(code),
                        tx_code_hash=self._tx_hash(code, tx_code), attempts=0,
                        expires_at=now + timedelta(seconds=self.offer_ttl), state="open"))
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="offered", reason=""))
        uri = f"{inst.issuer_url}/offers/{offer_id}"
        return IssuedOffer(offer_id, openid4vci.offer_link(offer_uri=uri), uri, tx_code,
                           now + timedelta(seconds=self.offer_ttl))

    @staticmethod
    def _tx_hash(code: str, tx_code: str) -> str:
        # Keyed by the pre-authorized code so a stolen database row does not give the 6 digits away cheaply.
        return hmac.new(code.encode(), tx_code.encode(), hashlib.sha256).hexdigest()

    def set_state(self, inst: Institution, case_id: str, state: str, *, reason: str, actor: str) -> dict[str, Any]:
        """Revoke, suspend or reinstate every credential of a case, visible in the next status token.

        A revoked case stays revoked (RFC draft §7.1: INVALID is final).
        """
        if state not in STATE_FOR_STATUS:
            raise DataError("state", "must be active, suspended or revoked")
        if not reason.strip() and state != "active":
            raise DataError("reason", "a reason is required")
        now = self._now()
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id)
            if case.state == "revoked" and state != "revoked":
                raise ProtocolError("invalid_request", "a revoked document cannot be reinstated", http_status=409)
            case.state = state
            value = STATE_FOR_STATUS[state]
            list_ids = set(s.scalars(select(CredentialRecord.list_id).where(CredentialRecord.case_id == case.id)))
            s.execute(update(CredentialRecord).where(CredentialRecord.case_id == case.id).values(status=value))
            if list_ids:
                s.execute(update(StatusListRecord).where(StatusListRecord.id.in_(list_ids))
                          .values(version=StatusListRecord.version + 1))
            action = {"active": "reinstated", "suspended": "suspended", "revoked": "revoked"}[state]
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action=action, reason=reason[:300]))
        return self.get_case(inst, case_id)

    # --- OpenID4VCI ----------------------------------------------------------------------------------

    def offer_json(self, inst: Institution, offer_id: str) -> dict[str, Any]:
        """§4.1.3: the offer behind ``credential_offer_uri`` (only while open and not expired)."""
        now = self._now()
        with self.sessions() as s:
            offer = s.get(Offer, offer_id)
            if offer is None or offer.state != "open" or _utc(offer.expires_at) < now:
                raise ProtocolError("not_found", "this credential offer is unknown, used or expired", http_status=404)
            case = s.get(Case, offer.case_id)
            if case is None or case.entity_id != inst.entity.id:
                raise ProtocolError("not_found", "this credential offer is unknown", http_status=404)
            if offer.code is None:
                raise ProtocolError("not_found", "this credential offer was used", http_status=404)
            tx = openid4vci.TxCode(length=6, description="Enter the 6-digit code your institution gave you.")
            return openid4vci.credential_offer(inst.issuer_url, self._offered(case.configuration_id), offer.code, tx,
                                               issuer_state=self.issuer_state(offer))

    @staticmethod
    def _offered(configuration_id: str) -> list[str]:
        """What an offer for a case lists, and what its access token may obtain, once each."""
        return [configuration_id, configuration_id + MDOC_SUFFIX]

    def token(self, inst: Institution, form: Mapping[str, str], dpop_proof: str | None = None, *,
              attestation: str | None = None, attestation_pop: str | None = None) -> dict[str, Any]:
        """§6: exchange the pre-authorized code (+ tx_code; single use, 5 tries) or an authorization
        code (+ PKCE verifier) for an access token.

        With a ``DPoP`` proof (RFC 9449 §5) the token is bound to its key and typed ``DPoP``. The
        wallet authenticates with its attestation and PoP headers when the policy asks for them.
        """
        req = openid4vci.parse_token_request(form)
        now = self._now()
        client = self._attested_client(inst, attestation, attestation_pop, now)
        proof = dpop.verify_proof(dpop_proof, method="POST", url=f"{inst.issuer_url}/token", now=now) \
            if dpop_proof is not None else None
        with self._dpop_nonce_challenge(), self.sessions.begin() as s:
            if proof is not None:
                self._check_dpop_nonce(s, proof, now, http_status=400)
            if client is not None:
                self._first_use_pop(s, client, now)
            if proof is not None:
                self._first_use(s, f"{proof.jkt}:{proof.jti}", now, "invalid_dpop_proof",
                                "this DPoP proof was already used")
            if req.grant_type == openid4vci.AUTH_CODE_GRANT:
                case = self._redeem_authorization_code(s, inst, req, client, now)
            else:
                case = self._redeem_pre_authorized_code(s, inst, req, now)
            token = secrets.token_urlsafe(32)
            s.add(Token(token_hash=_hash(token), case_id=case.id, expires_at=now + timedelta(seconds=self.token_ttl),
                        jkt=proof.jkt if proof is not None else None))
            # The case history says which wallet solution took the offer (never which device).
            s.add(Event(case_id=case.id, at=now, action="wallet_authorised",
                        actor=f"wallet:{client.client_id}"[:60] if client is not None else "wallet (anonymous)",
                        reason=f"attested by {client.provider_name} ({client.provider_id})"[:300]
                        if client is not None else ""))
        return {"access_token": token, "token_type": "DPoP" if proof is not None else "Bearer",
                "expires_in": self.token_ttl}

    def _open_offer(self, s: Session, inst: Institution, offer: Offer | None, now: datetime,
                    what: str = "pre-authorized code") -> Case:
        """The case of an offer that can still be taken (invalid_grant naming why not)."""
        case = s.get(Case, offer.case_id) if offer is not None else None
        if offer is None or case is None or case.entity_id != inst.entity.id:
            raise ProtocolError("invalid_grant", f"unknown {what}")
        if offer.state == "used":
            raise ProtocolError("invalid_grant", f"this {what} was already used")
        if offer.state == "locked":
            raise ProtocolError("invalid_grant", "too many wrong transaction codes: ask for a new offer")
        if _utc(offer.expires_at) < now:
            raise ProtocolError("invalid_grant", f"the {what} has expired")
        if case.state != "active":
            raise ProtocolError("invalid_grant", "the document was withdrawn or suspended")
        return case

    def _check_tx_code(self, s: Session, offer: Offer, tx_code: str) -> None:
        """The one-time code the clerk handed over; every wrong try counts (committed), the fifth locks."""
        assert offer.code is not None and offer.tx_code_hash is not None
        if hmac.compare_digest(self._tx_hash(offer.code, tx_code), offer.tx_code_hash):
            return
        offer.attempts += 1
        left = self.tx_code_attempts - offer.attempts
        if left <= 0:
            offer.state, offer.code = "locked", None
        s.commit()
        raise ProtocolError("invalid_grant", "wrong transaction code" + (
            f" ({left} attempts left)" if left > 0 else "; the offer is now locked"))

    def _redeem_pre_authorized_code(self, s: Session, inst: Institution, req: openid4vci.TokenRequest,
                                    now: datetime) -> Case:
        offer = s.scalars(select(Offer).where(Offer.code_hash == _hash(req.code)).with_for_update()).first()
        case = self._open_offer(s, inst, offer, now)
        assert offer is not None
        if offer.tx_code_hash is not None:
            if req.tx_code is None:
                raise ProtocolError("invalid_request", "tx_code is required for this offer")
            self._check_tx_code(s, offer, req.tx_code)
        elif req.tx_code is not None:
            raise ProtocolError("invalid_request", "this offer has no tx_code")
        offer.state, offer.code = "used", None
        return case

    def _redeem_authorization_code(self, s: Session, inst: Institution, req: openid4vci.TokenRequest,
                                   client: client_attestation.AttestedClient | None, now: datetime) -> Case:
        """RFC 6749 §4.1.3 + RFC 7636 §4.6: a code we issued, once, to the same client and
        redirect_uri, with the verifier of the pushed challenge."""
        row = s.scalars(select(Authorization).where(Authorization.code_hash == _hash(req.code))
                        .with_for_update()).first()
        offer = s.get(Offer, row.offer_id) if row is not None else None
        case = s.get(Case, offer.case_id) if offer is not None else None
        if row is None or case is None or case.entity_id != inst.entity.id:
            raise ProtocolError("invalid_grant", "unknown authorization code")
        if row.stage != "authorized" or _utc(row.expires_at) < now:
            raise ProtocolError("invalid_grant", "this authorization code was used or has expired")
        if req.redirect_uri != row.redirect_uri:
            raise ProtocolError("invalid_grant", "redirect_uri differs from the authorization request's")
        if client is not None and client.client_id != row.client_id:
            raise ProtocolError("invalid_grant", "this code was issued to another client")
        row.stage = "used"  # even if the verifier is wrong below: a code is tried once
        s.flush()
        try:
            authorization_code.verify_pkce(req.code_verifier, row.code_challenge)
        except ProtocolError:
            s.commit()
            raise
        if case.state != "active":
            raise ProtocolError("invalid_grant", "the document was withdrawn or suspended")
        return case

    # --- the authorization code flow: pushed request, the worker's page ------------------------------------

    def issuer_state(self, offer: Offer) -> str | None:
        """§5.1.3 ``issuer_state`` of an open offer: its id and a MAC keyed by its pre-authorized code,
        so it names the offer without revealing or replacing that code."""
        if offer.code is None:
            return None
        mac = hmac.new(offer.code.encode(), b"issuer_state", hashlib.sha256).digest()[:18]
        return f"{offer.id}.{b64url_encode(mac)}"

    def push_authorization(self, inst: Institution, form: Mapping[str, str], *, attestation: str | None = None,
                           attestation_pop: str | None = None) -> dict[str, Any]:
        """RFC 9126 §2: keep the checked request, answer its request_uri (HAIP: client authentication
        by wallet attestation here too)."""
        req = authorization_code.parse_pushed_request(form)
        now = self._now()
        client = self._attested_client(inst, attestation, attestation_pop, now)
        if client is not None and client.client_id != req.client_id:
            raise ProtocolError("invalid_client", "client_id is not the attested wallet's", http_status=401)
        offer_id, _, _mac = req.issuer_state.partition(".")
        with self._dpop_nonce_challenge(), self.sessions.begin() as s:
            if client is not None:
                self._first_use_pop(s, client, now)
            offer = s.get(Offer, offer_id, with_for_update=True)
            if offer is None or not hmac.compare_digest(self.issuer_state(offer) or "", req.issuer_state):
                raise ProtocolError("invalid_request", "issuer_state does not name an open credential offer")
            try:
                case = self._open_offer(s, inst, offer, now, "credential offer")
            except ProtocolError as exc:  # an authorization request error (RFC 9126 §2.3), not a grant's
                raise ProtocolError("invalid_request", exc.message) from exc
            if not set(req.configuration_ids) <= set(self._offered(case.configuration_id)):
                raise ProtocolError("invalid_authorization_details", "the offer is for another credential")
            handle = secrets.token_urlsafe(32)
            s.add(Authorization(id=handle, offer_id=offer.id, client_id=req.client_id, redirect_uri=req.redirect_uri,
                                code_challenge=req.code_challenge, state=req.state, stage="pushed",
                                expires_at=now + timedelta(seconds=_PAR_TTL)))
        return {"request_uri": authorization_code.REQUEST_URI_PREFIX + handle, "expires_in": _PAR_TTL}

    def pending_authorization(self, inst: Institution, client_id: str | None, request_uri: str | None,
                              ) -> tuple[Authorization, Case]:
        """The pushed request behind ``request_uri`` (for the worker's page), still waiting for the code."""
        handle = (request_uri or "").removeprefix(authorization_code.REQUEST_URI_PREFIX)
        if not request_uri or handle == request_uri:
            raise ProtocolError("invalid_request", "this issuer takes only pushed authorization requests (request_uri)")
        now = self._now()
        with self.sessions() as s:
            row = s.get(Authorization, handle)
            offer = s.get(Offer, row.offer_id) if row is not None else None
            case = s.get(Case, offer.case_id) if offer is not None else None
            if row is None or case is None or case.entity_id != inst.entity.id or row.client_id != client_id:
                raise ProtocolError("invalid_request", "unknown request_uri")
            if row.stage != "pushed" or _utc(row.expires_at) < now:
                raise ProtocolError("invalid_request", "this authorization request was completed or has expired")
            return row, case

    def authorize(self, inst: Institution, client_id: str | None, request_uri: str | None, tx_code: str) -> str:
        """The worker typed the one-time code on our page: the authorization response URL (a code,
        RFC 6749 §4.1.2, with iss, RFC 9207). A wrong code raises invalid_grant; the fifth locks the
        offer and raises access_denied (the client is then told so, :meth:`deny`)."""
        pending, _case = self.pending_authorization(inst, client_id, request_uri)
        now = self._now()
        with self.sessions.begin() as s:
            row = s.get(Authorization, pending.id, with_for_update=True)
            offer = s.get(Offer, pending.offer_id, with_for_update=True)
            assert row is not None
            if row.stage != "pushed":
                raise ProtocolError("invalid_request", "this authorization request was completed")
            if offer is not None and offer.state == "locked":
                raise ProtocolError("access_denied", "too many wrong codes: ask the institution for a new offer")
            case = self._open_offer(s, inst, offer, now, "credential offer")
            assert offer is not None
            if offer.tx_code_hash is not None:
                try:
                    self._check_tx_code(s, offer, tx_code.strip())
                except ProtocolError as exc:
                    if offer.state == "locked":
                        raise ProtocolError("access_denied", exc.message) from exc
                    raise
            code = secrets.token_urlsafe(32)
            offer.state, offer.code = "used", None
            row.stage, row.code_hash = "authorized", _hash(code)
            row.expires_at = now + timedelta(seconds=_CODE_TTL)
            s.add(Event(case_id=case.id, at=now, actor="worker", action="authorised", reason=""))
            redirect_uri, state = row.redirect_uri, row.state
        return authorization_code.response_url(redirect_uri, {"code": code, "state": state, "iss": inst.issuer_url})

    def deny(self, inst: Institution, client_id: str | None, request_uri: str | None, error: str,
             description: str) -> str:
        """The error response to the client (RFC 6749 §4.1.2.1) for a request we can still trust."""
        row, _case = self.pending_authorization(inst, client_id, request_uri)
        return authorization_code.response_url(row.redirect_uri, {"error": error, "error_description": description,
                                                                  "state": row.state, "iss": inst.issuer_url})

    def _attested_client(self, inst: Institution, attestation: str | None, pop: str | None,
                         now: datetime) -> client_attestation.AttestedClient | None:
        """The wallet's attestation-based client authentication (draft-10 §6.1), per our policy."""
        if self.client_attestation == "off":
            return None
        if attestation is None and pop is None:
            if self.client_attestation == "required":
                raise ProtocolError("invalid_client", "this issuer gives documents only to wallets attested by a "
                                    "wallet provider on the trust list (OAuth-Client-Attestation)", http_status=401)
            return None
        return client_attestation.verify(attestation, pop, providers=self._providers(now), audience=inst.issuer_url,
                                         now=now)

    def _providers(self, now: datetime) -> trust_list.TrustList:
        if self.wallet_providers is None:
            raise ProtocolError("server_error", "no wallet providers list is configured", http_status=500)
        try:
            return self.wallet_providers(now)
        except IssuerTrustError as exc:  # fail closed: no list, no attested wallet
            raise ProtocolError("temporarily_unavailable", "the list of trusted wallet providers cannot be "
                                "obtained now; try again later", http_status=503) from exc

    def _attested_keys(self, proofs: Sequence[str], now: datetime) -> list[key_attestation_mod.AttestedKeys | None]:
        """Each proof's key attestation (App. D), verified once per distinct attestation, per our policy."""
        headers = [openid4vci.proof_key_attestation(p) for p in proofs]
        if self.key_attestation == "off":
            return [None] * len(proofs)
        if self.key_attestation == "required" and any(h is None for h in headers):
            raise ProtocolError("invalid_proof", "this issuer requires a key attestation (key_attestation header) "
                                "in every key proof")
        if all(h is None for h in headers):
            return [None] * len(proofs)
        providers = self._providers(now)
        checked: dict[str, key_attestation_mod.AttestedKeys] = {}
        for h in headers:
            if h is not None and h not in checked:
                checked[h] = key_attestation_mod.verify(h, providers=providers, now=now,
                                                        policy=self.key_attestation_policy)
        return [checked[h] if h is not None else None for h in headers]

    def _attestation_proof(self, req: openid4vci.CredentialRequest) -> key_attestation_mod.AttestedKeys:
        """An ``attestation`` proof (OpenID4VCI App. F.3): the provider's key attestation is the proof."""
        if self.key_attestation == "off":
            raise ProtocolError("invalid_proof", "this issuer takes jwt key proofs only")
        now = self._now()
        attested = key_attestation_mod.verify(req.proofs[0], providers=self._providers(now), now=now,
                                              policy=self.key_attestation_policy)
        if len(attested.keys) > self.batch_size:
            raise ProtocolError("invalid_proof", f"at most {self.batch_size} keys per request")
        return attested

    def _first_use_pop(self, s: Session, client: client_attestation.AttestedClient, now: datetime) -> None:
        """A client attestation PoP is accepted once, and its challenge is spent (draft-10 §8, §10.1)."""
        self._first_use(s, f"attestation-pop:{jwk_thumbprint(client.instance_jwk)}:{client.pop_jti}", now,
                        "invalid_client", "this client attestation PoP was already used")
        self._spend_challenge(s, client, now)

    def _first_use(self, s: Session, seen: str, now: datetime, error: str, description: str) -> None:
        """Accept a proof's jti once (RFC 9449 §11.1; attestation PoP, draft-10 §10.1).

        Kept 600 s: longer than any proof's accepted iat window.
        """
        key = _hash(seen)
        if s.get(DpopJti, key) is not None:
            raise ProtocolError(error, description)
        s.add(DpopJti(jti_hash=key, expires_at=now + timedelta(seconds=600)))
        try:
            s.flush()
        except IntegrityError as exc:  # the same proof at the same moment on another worker
            raise ProtocolError(error, description) from exc
        if secrets.randbelow(50) == 0:
            s.execute(delete(DpopJti).where(DpopJti.expires_at < now))

    def _authorised(self, s: Session, inst: Institution, authorization: str | None, dpop_proof: str | None,
                    endpoint: str, now: datetime) -> Token:
        """The token row behind ``Authorization`` (RFC 6750 Bearer, or RFC 9449 §7 DPoP with its proof)."""
        scheme, token = _access_token(authorization)
        row = s.get(Token, _hash(token), with_for_update=True)
        if row is None or _utc(row.expires_at) < now:
            raise ProtocolError("invalid_token", "the access token is invalid or expired", http_status=401)
        if row.jkt is None:
            if scheme != "Bearer":
                raise ProtocolError("invalid_token", "this access token is not DPoP-bound", http_status=401)
            return row
        if scheme != "DPoP":
            raise ProtocolError("invalid_token", "this access token is DPoP-bound: use the DPoP scheme",
                                http_status=401)
        proof = dpop.verify_proof(dpop_proof, method="POST", url=f"{inst.issuer_url}/{endpoint}", now=now,
                                  access_token=token)
        if proof.jkt != row.jkt:
            raise ProtocolError("invalid_dpop_proof", "the DPoP proof is signed by another key than the token's")
        self._check_dpop_nonce(s, proof, now, http_status=401)
        self._first_use(s, f"{proof.jkt}:{proof.jti}", now, "invalid_dpop_proof", "this DPoP proof was already used")
        return row

    def nonce(self) -> str:
        """§7: a fresh c_nonce, remembered until it expires or is used."""
        now = self._now()
        value = secrets.token_urlsafe(24)
        with self.sessions.begin() as s:
            s.add(Nonce(nonce=value, expires_at=now + timedelta(seconds=self.nonce_ttl)))
            if secrets.randbelow(50) == 0:
                s.execute(delete(Nonce).where(Nonce.expires_at < now))
        return value

    def dpop_nonce(self) -> str:
        """RFC 9449 §8: the current server nonce for DPoP proofs.

        Kept in the nonce table (marked, so it never passes as a c_nonce) and shared by all workers;
        a new one is made when the current one has less than half its lifetime left.
        """
        now = self._now()
        with self.sessions.begin() as s:
            current = s.scalars(select(Nonce).where(Nonce.nonce.startswith(_DPOP_NONCE, autoescape=True),
                                                    Nonce.expires_at > now + timedelta(seconds=self.nonce_ttl / 2))
                                .order_by(Nonce.expires_at.desc()).limit(1)).first()
            if current is not None:
                return current.nonce.removeprefix(_DPOP_NONCE)
            value = secrets.token_urlsafe(24)
            s.add(Nonce(nonce=_DPOP_NONCE + value, expires_at=now + timedelta(seconds=self.nonce_ttl)))
        return value

    def attestation_challenge(self) -> str:
        """draft-10 §8: a fresh challenge for a client attestation PoP, spent when used."""
        now = self._now()
        value = secrets.token_urlsafe(24)
        with self.sessions.begin() as s:
            s.add(Nonce(nonce=_CHALLENGE + value, expires_at=now + timedelta(seconds=self.nonce_ttl)))
        return value

    def _spend_challenge(self, s: Session, client: client_attestation.AttestedClient, now: datetime) -> None:
        """A PoP's challenge must be one we handed out and not used yet; without one, our policy decides."""
        if client.challenge is None:
            if self.attestation_challenge_required:
                raise ProtocolError("use_attestation_challenge", "the client attestation PoP must carry a challenge "
                                    "from the challenge endpoint")
            return
        row = s.get(Nonce, _CHALLENGE + client.challenge)
        if row is None or _utc(row.expires_at) < now:
            raise ProtocolError("use_attestation_challenge", "the client attestation PoP challenge is unknown, used "
                                "or expired")
        s.delete(row)

    def _check_dpop_nonce(self, s: Session, proof: dpop.DpopProof, now: datetime, *, http_status: int) -> None:
        if not self.dpop_nonces:
            return
        row = s.get(Nonce, _DPOP_NONCE + proof.nonce) if proof.nonce is not None else None
        if row is None or _utc(row.expires_at) < now:
            raise ProtocolError("use_dpop_nonce", "the DPoP proof must carry the nonce in the DPoP-Nonce header",
                                http_status=http_status)

    @contextmanager
    def _dpop_nonce_challenge(self) -> Iterator[None]:
        """RFC 9449 §8 (token endpoint) and §9 (resource): ``use_dpop_nonce`` goes out with a fresh
        nonce, and ``use_attestation_challenge`` with a fresh challenge (draft-10 §8). Raised from inside
        a transaction, which has been rolled back by the time it gets here."""
        try:
            yield
        except ProtocolError as exc:
            if exc.error == "use_attestation_challenge":  # draft-10 §8: with a fresh one
                exc.headers[client_attestation.CHALLENGE_HEADER] = self.attestation_challenge()
                raise
            if exc.error != "use_dpop_nonce":
                raise
            exc.headers["DPoP-Nonce"] = self.dpop_nonce()
            if exc.http_status == 401:
                exc.headers["WWW-Authenticate"] = 'DPoP error="use_dpop_nonce", algs="ES256"'
            raise

    def _nonce_valid(self, s: Session, now: datetime) -> Callable[[str], bool]:
        def check(value: str) -> bool:
            if ":" in value:
                return False  # a DPoP nonce or an attestation challenge is not a c_nonce
            row = s.get(Nonce, value)
            return row is not None and _utc(row.expires_at) >= now
        return check

    def credential(self, inst: Institution, authorization: str | None, body: Any,
                   dpop_proof: str | None = None) -> dict[str, Any]:
        """§8: verify the access token (and its DPoP proof) and every key proof, commit records and
        indexes, then sign."""
        now = self._now()
        req = openid4vci.parse_credential_request(body, batch_size=self.batch_size)
        if req.identifier is not None:
            raise ProtocolError("unknown_credential_identifier", "no credential identifiers were issued")
        requested, as_mdoc = _format_of(req.configuration_id or "")
        if requested not in CREDENTIAL_TYPES:
            raise ProtocolError("unknown_credential_configuration", "unknown credential_configuration_id")
        # Key attestations may need the providers list fetched: outside the transaction.
        attestation_proof = self._attestation_proof(req) if req.proof_type == "attestation" else None
        attested = [attestation_proof] if attestation_proof is not None else self._attested_keys(req.proofs, now)
        with self._dpop_nonce_challenge(), self.sessions.begin() as s:
            row = self._authorised(s, inst, authorization, dpop_proof, "credential", now)
            if row.used:
                raise ProtocolError("invalid_token", "the access token is invalid, used or expired", http_status=401)
            case = s.get(Case, row.case_id)
            if case is None or case.entity_id != inst.entity.id:
                raise ProtocolError("invalid_token", "the access token is not for this issuer", http_status=401)
            if requested != case.configuration_id:
                raise ProtocolError("unknown_credential_configuration", "this token was not issued for that credential")
            issued = list(row.issued or [])
            if req.configuration_id in issued:
                raise ProtocolError("invalid_token", "this access token was already used for that credential",
                                    http_status=401)
            if case.state != "active":
                raise ProtocolError("credential_request_denied", "the document was withdrawn or suspended")
            nonce_ok = self._nonce_valid(s, now)
            used_nonces: set[str] = set()

            def nonce_valid(value: str) -> bool:
                ok = nonce_ok(value)
                if ok:
                    used_nonces.add(value)
                return ok

            for att in {a.nonce: a for a in attested if a is not None}.values():
                # App. F.1, F.3: the attestation names the c_nonce we gave, so it cannot be replayed.
                if att.nonce is None or not nonce_valid(att.nonce):
                    raise ProtocolError("invalid_nonce", "the key attestation's nonce is not a current c_nonce")
            if attestation_proof is not None:  # App. F.3: one credential per attested key
                holder_keys = list(attestation_proof.keys)
            else:
                holder_keys = [openid4vci.verify_proof(p, audience=inst.issuer_url, nonce_valid=nonce_valid, now=now)
                               for p in req.proofs]
            thumbprints = [jwk_thumbprint(k) for k in holder_keys]
            if len(set(thumbprints)) != len(thumbprints):
                raise ProtocolError("invalid_proof", "each credential of a batch needs its own key")
            if attestation_proof is None and any(
                    a is not None and t not in a.thumbprints for t, a in zip(thumbprints, attested, strict=True)):
                raise ProtocolError("invalid_proof", "a proof's key is not among the keys its key attestation covers")
            for att in {a.provider_id: a for a in attested if a is not None}.values():
                s.add(Event(case_id=case.id, at=now, action="keys_attested", actor=f"provider:{att.provider_id}"[:60],
                            reason=f"key storage {', '.join(att.key_storage) or '-'}; user authentication "
                                   f"{', '.join(att.user_authentication) or '-'} ({att.provider_name}; "
                                   f"{req.proof_type} proof)"[:300]))
            for value in used_nonces:
                s.delete(s.get(Nonce, value))
            row.issued = [*issued, str(req.configuration_id)]
            row.used = len(row.issued) >= len(self._offered(case.configuration_id))
            module = CREDENTIAL_TYPES[case.configuration_id]
            exp = _document_exp(module, case.claims, now)
            if exp <= now:
                raise ProtocolError("credential_request_denied", "the document's validity has ended")
            notification_id = secrets.token_urlsafe(16)
            records = [self._allocate(s, inst, case, jkt, now, exp, notification_id) for jkt in thumbprints]
            claims, configuration_id, holder = dict(case.claims), case.configuration_id, dict(case.holder or {})
        # Committed: the records and indexes exist, now sign.
        iat = int(now.timestamp())
        credentials = []
        for holder_jwk, (list_number, idx) in zip(holder_keys, records, strict=True):
            ref = status_list.StatusReference(idx=idx, uri=f"{inst.issuer_url}/status/{list_number}")
            if as_mdoc:  # App. A.2: base64url of the CBOR IssuerSigned; the proof key becomes the device key
                issuer_signed = mdoc.issue(doctype=mdoc.DOCTYPES[configuration_id], claims=claims,
                                           device_key=public_key_from_jwk(holder_jwk), issuer_key=inst.key,
                                           x5chain=inst.x5c, signed=now, valid_until=exp, status=ref)
                credentials.append({"credential": b64url_encode(issuer_signed)})
                continue
            sd_jwt = sd_jwt_vc.issue_vc(
                vct=module.VCT, claims=claims, sd_paths=module.SD_PATHS, holder_jwk=holder_jwk,
                issuer_key=inst.key, x5c=inst.x5c, iss=inst.issuer_url, iat=iat, nbf=iat,
                exp=int(exp.timestamp()), status=ref)
            entry: dict[str, Any] = {"credential": sd_jwt}
            compact = self._compact(inst, configuration_id, claims, holder, holder_jwk, iat, int(exp.timestamp()), ref)
            if compact is not None:
                entry["compact"] = compact
            credentials.append(entry)
        return {"credentials": credentials, "notification_id": notification_id}

    def _compact(self, inst: Institution, configuration_id: str, claims: Mapping[str, Any],
                 holder: Mapping[str, Any], holder_jwk: Mapping[str, Any] | None, iat: int, exp: int,
                 ref: status_list.StatusReference) -> str | None:
        """The offline compact credential (issue #7), delivered beside the SD-JWT VC in the same
        credential response object as ``compact`` (unknown members are ignored by other wallets)."""
        if configuration_id == pid.CONFIGURATION_ID:
            return None
        from credentials import compact
        from credentials.jose import b64url_encode
        from credentials.x509 import spki_kid

        module = CREDENTIAL_TYPES[configuration_id]
        raw = compact.issue_compact(vct=module.VCT, claims=claims, holder=holder, holder_jwk=holder_jwk,
                                    issuer_key=inst.key, kid=spki_kid(inst.x5c[0]), iat=iat, exp=exp, status=ref)
        return b64url_encode(raw)

    def _current_list(self, s: Session, inst: Institution) -> StatusListRecord:
        lst = s.scalars(select(StatusListRecord).where(StatusListRecord.entity_id == inst.entity.id)
                        .order_by(StatusListRecord.number.desc()).limit(1)).first()
        if lst is None or lst.used >= lst.size:
            number = 1 if lst is None else lst.number + 1
            with s.begin_nested():
                lst = StatusListRecord(entity_id=inst.entity.id, number=number, size=self.status_list_size,
                                       used=0, version=0)
                s.add(lst)
            # A concurrent worker may have opened the same number: the unique constraint decides.
        return lst

    def _allocate(self, s: Session, inst: Institution, case: Case, jkt: str, now: datetime, exp: datetime,
                  notification_id: str) -> tuple[int, int]:
        """A random unique index in the institution's current list, guaranteed by (list_id, idx) UNIQUE.

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
                lst = self._current_list(s, inst)
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

    def paper(self, inst: Institution, case_id: str, *, actor: str, lang: str = "en") -> bytes:
        """A PDF with the case's compact credential as a QR code, not bound to any key (issue #7).

        The paper copy gets its own status list entry (recorded before it is signed, like any
        credential) so that revoking the case also withdraws the paper.
        """
        from credentials import compact
        from credentials.jose import b64url_decode
        from issuer.paper import render_pdf

        now = self._now()
        with self.sessions.begin() as s:
            case = self._case(s, inst, case_id)
            if case.configuration_id == pid.CONFIGURATION_ID:
                raise ProtocolError("invalid_request", "a PID has no paper form", http_status=400)
            if case.state != "active":
                raise ProtocolError("invalid_request", f"the case is {case.state}", http_status=409)
            module = CREDENTIAL_TYPES[case.configuration_id]
            exp = _document_exp(module, case.claims, now)
            list_number, idx = self._allocate(s, inst, case, "paper", now, exp, secrets.token_urlsafe(16))
            s.add(Event(case_id=case.id, at=now, actor=actor[:60], action="paper", reason=""))
            claims, holder = dict(case.claims), dict(case.holder or {})
        ref = status_list.StatusReference(idx=idx, uri=f"{inst.issuer_url}/status/{list_number}")
        raw = self._compact(inst, case.configuration_id, claims, holder, None, int(now.timestamp()),
                            int(exp.timestamp()), ref)
        assert raw is not None
        text = compact.paper_qr(b64url_decode(raw))
        name = " ".join(x for x in (holder.get("given_name"), holder.get("family_name")) if x)
        lines = [module.describe(claims, lang)]
        if name:
            lines.append(f"{name}, {holder.get('birthdate', '')}")
        lines.append(f"{inst.entity.name} ({inst.entity.name_en}), {inst.entity.id}")
        return render_pdf(title=f"{module.type_metadata_document()['name']}", lines=lines,
                          qr_png=compact.qr_png(text), footer="Paper copy: the inspector checks this code and "
                          "an identity document of the person showing it.")

    def notification(self, inst: Institution, authorization: str | None, body: Any,
                     dpop_proof: str | None = None) -> None:
        """§11: record the wallet's event for the credentials of one response, under the access
        token that obtained them (and its DPoP proof when it is bound)."""
        note = openid4vci.parse_notification(body)
        now = self._now()
        with self._dpop_nonce_challenge(), self.sessions.begin() as s:
            token = self._authorised(s, inst, authorization, dpop_proof, "notification", now)
            rows = s.scalars(select(CredentialRecord)
                             .where(CredentialRecord.notification_id == note.notification_id)).all()
            if not rows or any(r.case_id != token.case_id for r in rows):
                raise ProtocolError("invalid_notification_id", "unknown notification_id")
            for row in rows:
                row.notification_event = note.event

    # --- status lists ----------------------------------------------------------------------------------

    def status_token(self, inst: Institution, number: int, form: str = status_list.JWT) -> StatusToken:
        """The current Status List Token of list ``number`` as JWT or (for mdoc) CWT: re-signed
        whenever its version changed."""
        now = self._now()
        with self.sessions() as s:
            lst = s.scalars(select(StatusListRecord).where(StatusListRecord.entity_id == inst.entity.id,
                                                           StatusListRecord.number == number)).first()
            if lst is None:
                raise ProtocolError("not_found", "no such status list", http_status=404)
            cached = self._status_cache.get((lst.id, form))
            if cached is not None and cached[0] == lst.version and now.timestamp() - cached[1] < self.status_ttl / 2:
                return cached[2]
            version = lst.version
            entries = s.execute(select(CredentialRecord.idx, CredentialRecord.status).where(
                CredentialRecord.list_id == lst.id, CredentialRecord.status != status_list.VALID)).all()
            size = lst.size
            list_id = lst.id
        statuses = status_list.StatusList(size, bits=2)
        for idx, value in entries:
            statuses.set(idx, value)
        iat = int(now.timestamp())
        sign = status_list.sign_cwt_token if form == status_list.CWT else status_list.sign_token
        token = sign(statuses, uri=f"{inst.issuer_url}/status/{number}", key=inst.key, x5c=inst.x5c,
                     iat=iat, exp=iat + self.status_exp, ttl=self.status_ttl,
                     aggregation_uri=f"{inst.issuer_url}/status-lists")
        raw = token if isinstance(token, bytes) else token.encode("ascii")
        result = StatusToken(token, '"' + hashlib.sha256(raw).hexdigest()[:32] + '"', self.status_ttl)
        with self._lock:
            self._status_cache[(list_id, form)] = (version, iat, result)
        return result

    def status_lists(self, inst: Institution) -> dict[str, list[str]]:
        """Status List Aggregation (draft-ietf-oauth-status-list §9): every list of this institution,
        so that a verifier can fetch them all before it goes where there is no network."""
        with self.sessions() as s:
            numbers = s.scalars(select(StatusListRecord.number).where(StatusListRecord.entity_id == inst.entity.id)
                                .order_by(StatusListRecord.number)).all()
        return {"status_lists": [f"{inst.issuer_url}/status/{n}" for n in numbers]}

    # --- metadata ----------------------------------------------------------------------------------------

    def metadata(self, inst: Institution) -> dict[str, Any]:
        configurations = []
        for cid in inst.configurations:
            module = CREDENTIAL_TYPES[cid]
            doc = module.type_metadata_document()
            display = [{"name": d["name"], "locale": d["locale"]} for d in doc.get("display", [])]
            claims = [{"path": c["path"], "display": [{"name": d.get("label"), "locale": d.get("locale")}
                                                      for d in c.get("display", [])]}
                      for c in doc.get("claims", [])]
            levels = self.key_attestation_policy.to_metadata()
            required = levels if self.key_attestation == "required" else None
            attestation = levels if self.key_attestation != "off" else None
            configurations.append(openid4vci.Configuration(cid, module.VCT, display, claims,
                                                           key_attestations_required=required,
                                                           attestation_proof_levels=attestation))
            configurations.append(openid4vci.Configuration(cid + MDOC_SUFFIX, module.VCT, display, claims,
                                                           doctype=mdoc.DOCTYPES[cid],
                                                           key_attestations_required=required,
                                                           attestation_proof_levels=attestation))
        display = [{"name": inst.entity.name, "locale": inst.entity.country.lower()},
                   {"name": inst.entity.name_en, "locale": "en"}]
        return openid4vci.issuer_metadata(inst.issuer_url, configurations, display=display, batch_size=self.batch_size)

    def type_metadata(self, configuration_id: str) -> dict[str, Any]:
        module = CREDENTIAL_TYPES.get(configuration_id)
        if module is None:
            raise ProtocolError("not_found", "no such credential type", http_status=404)
        doc: dict[str, Any] = module.type_metadata_document()
        return doc

    def type_metadata_integrity(self, configuration_id: str) -> str:
        return type_metadata.integrity(self.type_metadata(configuration_id))


def _holder(holder: Mapping[str, Any]) -> dict[str, str]:
    from credentials import claims as c

    c.obj(holder, "holder")
    c.no_unknown(holder, ("family_name", "given_name", "birthdate"), "holder.")
    return {"family_name": c.text(c.required(holder, "family_name", "holder."), "holder.family_name", 1, 100),
            "given_name": c.text(c.required(holder, "given_name", "holder."), "holder.given_name", 1, 100),
            "birthdate": c.iso_date(c.required(holder, "birthdate", "holder."), "holder.birthdate")}


def _access_token(authorization: str | None) -> tuple[str, str]:
    """(scheme, token) of an ``Authorization: Bearer|DPoP <token>`` header (RFC 6750, RFC 9449 §7.1)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme not in ("Bearer", "DPoP") or not token.strip() or len(authorization or "") > 512:
        raise ProtocolError("invalid_token", "an access token is required (Bearer or DPoP)", http_status=401)
    return scheme, token.strip()


def import_rows(service: IssuerService, inst: Institution, rows: Sequence[Mapping[str, str]], *,
                actor: str) -> list[dict[str, Any]]:
    """Bulk import (issue #4): one report line per row; good rows are imported, bad ones named."""
    report: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header line
        try:
            configuration_id = (row.get("configuration_id") or "").strip()
            claims = unflatten({k: v for k, v in row.items() if k and k != "configuration_id"})
            case = service.create_case(inst, configuration_id, claims, actor=actor)
            report.append({"row": number, "ok": True, "case_id": case.id, "label": case.label})
        except DataError as exc:
            report.append({"row": number, "ok": False, "field": exc.field, "rule": exc.rule})
        except CredentialError as exc:
            report.append({"row": number, "ok": False, "field": "", "rule": exc.message})
    return report


def unflatten(flat: Mapping[str, str | None]) -> dict[str, Any]:
    """CSV columns with dotted names (``employer.name``) to nested claims; empty cells are left out.

    A column ending in ``[]`` holds a ``;``-separated list (``nationalities[]``); ``true``/``false``
    become booleans.
    """
    out: dict[str, Any] = {}
    for key, raw in flat.items():
        value: Any = (raw or "").strip()
        if value == "":
            continue
        if key.endswith("[]"):
            key = key[:-2]
            value = [v.strip() for v in value.split(";") if v.strip()]
        elif value in ("true", "false"):
            value = value == "true"
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise DataError(key, "conflicts with another column")
        node[parts[-1]] = value
    return out
